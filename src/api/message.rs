//! One message, for its sender or its recipient. Who is asking decides what they get: a client
//! with the write scope that sent the message sees the sender's view; a client with the read
//! scope sees the mail of the parties its systems may read for, through the system side of the
//! access decision, and its reading is recorded (Fetched, Read, AttachmentsDownloaded,
//! Confirmed, with the client named in the status history). Anything else does not exist (404).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use uuid::Uuid;

use super::problem::Problem;
use super::sender::{Row, find_row, owner_ids, row};
use super::shapes::{CorrespondenceDetailsExt, CorrespondenceOverviewExt, Extras};
use super::token::{SCOPE_READ, SCOPE_WRITE};
use super::{Caller, EITHER, READ, authenticate};
use crate::access::decision::{self, MessageAccess};
use crate::inbox::forward as forwarding;
use crate::inbox::message::{self as inbox, By};
use crate::state::AppState;
use crate::web::blocking;

/// The parties the client organisation's systems act for.
pub(super) fn served(conn: &mut PgConnection, org: i64) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Party {
        #[diesel(sql_type = BigInt)]
        party_id: i64,
    }
    let rows: Vec<Party> = diesel::sql_query("SELECT party_id FROM system_parties($1)")
        .bind::<BigInt, _>(org)
        .load(conn)?;
    Ok(rows.into_iter().map(|p| p.party_id).collect())
}

/// Which side the caller is on for one message.
enum Side {
    Sender,
    /// The recipient's system: how it is named in the status history, and whether it may open
    /// the attachments.
    Recipient {
        system: String,
        attachments: bool,
    },
}

/// Finds the message for the caller: as its sender first (write scope), then as a system that
/// may read it for its recipient (read scope).
fn locate(conn: &mut PgConnection, caller: &Caller, id: Uuid) -> Result<(Side, Row), Problem> {
    let mut refusal = Problem::no_correspondence();
    if caller.has(SCOPE_WRITE) {
        match owner_ids(conn, caller) {
            Ok(owners) => {
                if let Some(found) = find_row(conn, id, Some(&owners))? {
                    return Ok((Side::Sender, found));
                }
            }
            Err(p) if !caller.has(SCOPE_READ) => refusal = p,
            Err(_) => {}
        }
    }
    if caller.has(SCOPE_READ)
        && let Some(org) = caller.organisation(conn)?
        && let MessageAccess::Read { attachments } = decision::system_message_access(conn, org, id)?
    {
        let system = caller.system_name();
        return Ok((
            Side::Recipient {
                system,
                attachments,
            },
            row(conn, id, None)?,
        ));
    }
    Err(refusal)
}

/// Runs `work` on a blocking thread with the located message.
async fn with_message<T, F>(
    state: &AppState,
    caller: Caller,
    id: &str,
    work: F,
) -> Result<T, Problem>
where
    F: FnOnce(&mut PgConnection, Side, Row) -> Result<T, Problem> + Send + 'static,
    T: Send + 'static,
{
    let id = Uuid::parse_str(id).map_err(|_| Problem::no_correspondence())?;
    let pool = state.pool.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        Ok(locate(&mut conn, &caller, id).and_then(|(side, found)| work(&mut conn, side, found)))
    })
    .await?
}

/// Refuses a call only a recipient makes, for a sender, as if the message did not exist.
fn recipient(side: Side) -> Result<(String, bool), Problem> {
    match side {
        Side::Recipient {
            system,
            attachments,
        } => Ok((system, attachments)),
        Side::Sender => Err(Problem::no_correspondence()),
    }
}

/// `GET /correspondence/{id}`: the message's overview (Altinn's `CorrespondenceOverviewExt`);
/// the body only for the recipient's system, for which it records Fetched (once per system).
#[utoipa::path(get, path = "/correspondence/{id}", tag = "correspondence",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.write"]), ("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = CorrespondenceOverviewExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence/{id}")]
pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    // `/correspondence/upload` is a path of its own (POST only), not a message.
    if Uuid::parse_str(&path).is_err() {
        return Ok(super::unrouted(&req));
    }
    let caller = authenticate(&req, EITHER).await?;
    let overview = with_message(&state, caller, &path, |conn, side, found| {
        let body = match side {
            Side::Recipient { system, .. } => {
                inbox::record_fetch(conn, found.id, &system, found.recipient_id)?;
                Some(body_of(conn, found.id)?)
            }
            Side::Sender => None,
        };
        Ok(CorrespondenceOverviewExt::load(conn, found, body)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(overview))
}

/// The message's body (Markdown).
fn body_of(conn: &mut PgConnection, id: Uuid) -> QueryResult<String> {
    use crate::db::schema::correspondences;
    correspondences::table
        .find(id)
        .select(correspondences::body)
        .first(conn)
}

/// `GET /correspondence/{id}/details`: the message with its status history and notice orders
/// (Altinn's `CorrespondenceDetailsExt`; with `melding=true` also every notice as melding keeps
/// it: kind, channel, masked address, outcome, attempts).
#[utoipa::path(get, path = "/correspondence/{id}/details", tag = "correspondence",
    params(("id" = Uuid, Path, description = "The message"), Extras),
    security(("maskinporten" = ["altinn:correspondence.write"]), ("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = CorrespondenceDetailsExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence/{id}/details")]
pub async fn details(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    extras: web::Query<Extras>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, EITHER).await?;
    let extras = extras.melding;
    let details = with_message(&state, caller, &path, move |conn, side, found| {
        let body = match side {
            Side::Recipient { .. } => Some(body_of(conn, found.id)?),
            Side::Sender => None,
        };
        Ok(CorrespondenceDetailsExt::load(conn, found, body, extras)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(details))
}

/// `GET /correspondence/{id}/content`: the body (Markdown, as sent) for the recipient's system;
/// records Read the first time anyone reads it for the party (and cancels the reminder).
#[utoipa::path(get, path = "/correspondence/{id}/content", tag = "recipient",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = String, content_type = "text/plain"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence/{id}/content")]
pub async fn content(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, READ).await?;
    let body = with_message(&state, caller, &path, |conn, side, found| {
        let (system, _) = recipient(side)?;
        inbox::record_open(conn, found.id, By::System(&system), found.recipient_id)?;
        Ok(body_of(conn, found.id)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body))
}

/// `POST /correspondence/{id}/markasread`: records Read without fetching the body.
#[utoipa::path(post, path = "/correspondence/{id}/markasread", tag = "recipient",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = Uuid, description = "The message's id"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/correspondence/{id}/markasread")]
pub async fn mark_as_read(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, READ).await?;
    let found = with_message(&state, caller, &path, |conn, side, found| {
        let (system, _) = recipient(side)?;
        inbox::record_open(conn, found.id, By::System(&system), found.recipient_id)?;
        Ok(found.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// `POST /correspondence/{id}/confirm`: confirms a message that asks for it (reading it too);
/// confirming again changes nothing.
#[utoipa::path(post, path = "/correspondence/{id}/confirm", tag = "recipient",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = Uuid, description = "The message's id"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/correspondence/{id}/confirm")]
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, READ).await?;
    let found = with_message(&state, caller, &path, |conn, side, found| {
        let (system, _) = recipient(side)?;
        if !found.confirmation_needed {
            return Err(Problem::field(
                "correspondenceId",
                "does not ask for confirmation",
            ));
        }
        conn.transaction(|conn| {
            inbox::record_open(conn, found.id, By::System(&system), found.recipient_id)?;
            inbox::confirm(conn, found.id, By::System(&system), found.recipient_id)
        })?;
        Ok(found.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// `DELETE /correspondence/{id}/purge`: the sender withdraws a message that is not published
/// yet (its notices are cancelled; a published message is the recipient's and stays); the
/// recipient's system deletes one for the party (once confirmed, when it asks for confirmation).
#[utoipa::path(delete, path = "/correspondence/{id}/purge", tag = "correspondence",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.write"]), ("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = Uuid, description = "The message's id"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[delete("/correspondence/{id}/purge")]
pub async fn purge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, EITHER).await?;
    let found = with_message(&state, caller, &path, |conn, side, found| {
        let id = found.id;
        conn.transaction(|conn| {
            let mut entry = match side {
                Side::Sender => {
                    let owner = found.sender_id;
                    let withdrawn = crate::sending::withdraw(
                        conn,
                        crate::sending::Withdraw::Message(id),
                        owner,
                        None,
                    )?;
                    if withdrawn == 0 {
                        return Err(Problem::field(
                            "correspondenceId",
                            "is published (or withdrawn) already: only a message not yet published can be withdrawn",
                        ));
                    }
                    let mut entry = crate::audit::Entry::new("correspondence_withdrawn_api");
                    entry.acting_for = Some(owner);
                    entry
                }
                Side::Recipient { system, .. } => {
                    if !inbox::purge_by_recipient(conn, id, &system, found.recipient_id)? {
                        return Err(Problem::field(
                            "correspondenceId",
                            "asks for confirmation: confirm it before deleting it",
                        ));
                    }
                    let mut entry = crate::audit::Entry::new("correspondence_purged_by_recipient_api");
                    entry.acting_for = Some(found.recipient_id);
                    entry.details = serde_json::json!({ "system": system });
                    entry
                }
            };
            entry.target = Some(("correspondence", id.to_string()));
            crate::audit::record(conn, entry)?;
            Ok(id)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// `GET /correspondence/{id}/attachment/{attachmentId}/download`: one attachment, for the
/// recipient's system when it may open the service's attachments; records AttachmentsDownloaded.
#[utoipa::path(get, path = "/correspondence/{id}/attachment/{attachmentId}/download", tag = "recipient",
    params(("id" = Uuid, Path, description = "The message"),
           ("attachmentId" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence/{id}/attachment/{attachment}/download")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, READ).await?;
    let (id, attachment) = path.into_inner();
    let attachment = Uuid::parse_str(&attachment).map_err(|_| Problem::not_found())?;
    let found = with_message(&state, caller, &id, move |conn, side, found| {
        let (system, may_open) = recipient(side)?;
        let file = inbox::attachments(conn, found.id)?
            .into_iter()
            .find(|a| a.id == attachment && may_open)
            .ok_or_else(Problem::no_attachment)?;
        inbox::record_download(conn, found.id, By::System(&system), found.recipient_id)?;
        Ok(file)
    })
    .await?;
    Ok(crate::inbox::zip_stream::file_response(&req, &state.storage, &found).await?)
}

/// `GET /correspondence/{id}/attachments/downloadall`: every attachment as one streamed ZIP.
#[utoipa::path(get, path = "/correspondence/{id}/attachments/downloadall", tag = "recipient",
    params(("id" = Uuid, Path, description = "The message")),
    security(("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = Vec<u8>, content_type = "application/zip"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/correspondence/{id}/attachments/downloadall")]
pub async fn download_all(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, READ).await?;
    let (title, files) = with_message(&state, caller, &path, |conn, side, found| {
        let (system, may_open) = recipient(side)?;
        let files = inbox::attachments(conn, found.id)?;
        if files.is_empty() || !may_open {
            return Err(Problem::not_found());
        }
        inbox::record_download(conn, found.id, By::System(&system), found.recipient_id)?;
        Ok((found.title, files))
    })
    .await?;
    Ok(crate::inbox::zip_stream::zip_response(
        &state.storage,
        &title,
        files,
    ))
}

/// Altinn's forwarding request: an e-mail address, an optional text (plain, at most 200
/// characters) and whether the attachments go along.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForwardCorrespondenceRequestExt {
    forward_to: String,
    forwarding_text: Option<String>,
    #[serde(default)]
    include_attachments: bool,
}

/// Why a forward was refused, as the API says it.
fn refused(why: forwarding::Refused) -> Problem {
    use forwarding::Refused;
    match why {
        Refused::Address => Problem::field("forwardTo", "is not an e-mail address").altinn(3011),
        Refused::Text => Problem::field(
            "forwardingText",
            format!(
                "must be plain text of at most {} characters",
                forwarding::MAX_TEXT
            ),
        ),
        Refused::NotAllowed => Problem::field(
            "correspondenceId",
            "may not be forwarded: the sender did not allow it (allowForwarding)",
        ),
        Refused::Confidential => Problem::field(
            "correspondenceId",
            "is confidential: it is read in the inbox and never forwarded by e-mail",
        ),
        Refused::NotRead => Problem::field(
            "correspondenceId",
            "has not been read: read it before forwarding it",
        ),
        Refused::Already => {
            Problem::field("forwardTo", "has been sent this message already").with_status(409)
        }
        Refused::Attachments => Problem::field(
            "includeAttachments",
            "the attachments of this service are not for this system to open",
        ),
        Refused::TooLarge => Problem::field(
            "includeAttachments",
            format!(
                "the attachments are larger than {} MiB together: forward the message without them",
                forwarding::MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ),
        ),
    }
}

/// `POST /correspondence/{id}/forward`: the recipient's system sends a message it has read on
/// to an e-mail address, where the sender allowed forwarding (never a confidential one); the
/// worker sends the e-mail with the message (and its attachments, when asked, up to 10 MiB).
/// Answers the forward's id; the same address twice is 409.
#[utoipa::path(post, path = "/correspondence/{id}/forward", tag = "recipient",
    params(("id" = Uuid, Path, description = "The message")),
    request_body = ForwardCorrespondenceRequestExt,
    security(("maskinporten" = ["altinn:correspondence.read"])),
    responses((status = 200, body = Uuid, description = "The forward's id"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/correspondence/{id}/forward")]
pub async fn forward(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, READ).await?;
    let request: ForwardCorrespondenceRequestExt =
        super::binding::bind(body.into_inner(), "ForwardCorrespondenceRequestExt", "body")?;
    let request = forwarding::Forward {
        to: request.forward_to,
        text: request.forwarding_text,
        include_attachments: request.include_attachments,
    };
    let id = with_message(&state, caller, &path, move |conn, side, found| {
        let (system, may_open) = recipient(side)?;
        conn.transaction(|conn| {
            let id = forwarding::forward(
                conn,
                found.id,
                By::System(&system),
                found.recipient_id,
                may_open,
                &request,
            )?
            .map_err(refused)?;
            let mut entry = crate::audit::Entry::new("correspondence_forwarded_api");
            entry.acting_for = Some(found.recipient_id);
            entry.target = Some(("correspondence", found.id.to_string()));
            entry.details = serde_json::json!({ "system": system, "forward": id });
            crate::audit::record(conn, entry)?;
            Ok(id)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(id))
}
