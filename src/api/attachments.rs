//! Attachments for a sender system, in Altinn's two steps: describe it (`POST /attachment`), then
//! stream its bytes (`POST /attachment/{id}/upload`), checked against the sender's MD5 when given
//! and stored with our SHA-256. An uploaded attachment can be used by any number of messages
//! (`existingAttachments`); it can be deleted only while no message uses it.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::problem::Problem;
use super::sender::{as_owner, as_sender};
use super::shapes::{AttachmentDetailsExt, AttachmentOverviewExt};
use super::{WRITE, authenticate};
use crate::db::schema::{attachments, correspondence_attachments};
use crate::sending::attachments::{NameError, UploadError, Written, check_name, write_stream};
use crate::state::AppState;
use crate::web::blocking;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewAttachment {
    file_name: String,
    /// Altinn's name to show; kept and returned (the inbox shows the file name).
    display_name: Option<String>,
    /// Altinn's flag for encrypted content (kept and returned, not acted on).
    is_encrypted: Option<bool>,
    /// Altinn's sending organisation (`urn:altinn:organization:identifier-no:` or `0192:`);
    /// melding takes the owner from the token and the service.
    #[allow(dead_code)]
    sender: Option<String>,
    /// The service the attachment is for: says which service owner it belongs to when the
    /// client sends for several (a distributor).
    resource_id: Option<String>,
    senders_reference: Option<String>,
    /// MD5 of the file, hex (32 characters), checked when the bytes arrive.
    checksum: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = attachments)]
struct Row {
    id: Uuid,
    owner_id: i64,
    name: String,
    media_type: String,
    size_bytes: i64,
    sender_md5: Option<String>,
    storage_key: String,
    state: String,
}

/// The attachment if it belongs to one of the caller's owners; otherwise it does not exist for
/// the caller.
fn find(conn: &mut PgConnection, owners: &[i64], id: Uuid) -> Result<Row, Problem> {
    attachments::table
        .find(id)
        .filter(attachments::owner_id.eq_any(owners))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(Problem::no_attachment)
}

/// The attachment as Altinn's clients read it, if one of `owners` owns it.
fn overview_of(
    conn: &mut PgConnection,
    owners: &[i64],
    id: Uuid,
) -> Result<AttachmentOverviewExt, Problem> {
    AttachmentOverviewExt::find(conn, owners, id)?.ok_or_else(Problem::no_attachment)
}

/// An attachment described before its bytes arrive (`POST /attachment`, or a new attachment a
/// JSON send names), checked as Altinn checks it.
pub(super) struct Described {
    file_name: String,
    media_type: &'static str,
    display_name: Option<String>,
    senders_reference: Option<String>,
    /// MD5, lower-case hex.
    checksum: Option<String>,
    is_encrypted: bool,
}

/// `field` under `at` (`""` for the request body itself).
fn path(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    }
}

/// Checks the texts an attachment's sender gives beside its file: the name shown and the
/// sender's reference. Problems are named under `at`.
pub(super) fn check_labels(
    at: &str,
    display_name: Option<&str>,
    senders_reference: Option<&str>,
) -> Result<(), Problem> {
    if display_name.is_some_and(|n| n.chars().count() > 255 || n.contains('\0')) {
        return Err(Problem::field(
            &path(at, "displayName"),
            "at most 255 characters, no NUL",
        ));
    }
    if senders_reference.is_some_and(|r| r.chars().count() > 4096) {
        return Err(Problem::field(
            &path(at, "sendersReference"),
            "at most 4096 characters",
        ));
    }
    Ok(())
}

impl Described {
    /// The description checked (file name with Altinn's 2010-2013, checksum format, labels);
    /// problems named under `at`.
    pub(super) fn check(
        at: &str,
        file_name: &str,
        display_name: Option<String>,
        senders_reference: Option<String>,
        checksum: Option<String>,
        is_encrypted: bool,
    ) -> Result<Self, Problem> {
        let media_type = check_name(file_name).map_err(|e| {
            Problem::field(
                &path(at, "fileName"),
                crate::web::i18n::text(crate::domain::Language::En, e.key()),
            )
            .altinn(match e {
                NameError::Empty => 2010,
                NameError::TooLong => 2011,
                NameError::Characters | NameError::Reserved => 2012,
                NameError::Extension => 2013,
            })
        })?;
        check_labels(at, display_name.as_deref(), senders_reference.as_deref())?;
        let checksum = checksum.map(|c| c.trim().to_ascii_lowercase());
        if let Some(c) = &checksum
            && !(c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(Problem::field(
                &path(at, "checksum"),
                "an MD5 checksum: 32 hexadecimal digits",
            ));
        }
        Ok(Described {
            file_name: file_name.to_owned(),
            media_type,
            display_name,
            senders_reference,
            checksum,
            is_encrypted,
        })
    }

    /// Records it `Initialized` for `owner` (made for `resource`, when named); its id.
    pub(super) fn record(
        &self,
        conn: &mut PgConnection,
        owner: i64,
        resource: Option<&str>,
    ) -> QueryResult<Uuid> {
        let id = Uuid::now_v7();
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(id),
                attachments::owner_id.eq(owner),
                attachments::name.eq(&self.file_name),
                attachments::media_type.eq(self.media_type),
                attachments::size_bytes.eq(0),
                attachments::sender_md5.eq(&self.checksum),
                attachments::storage_key.eq(format!("{owner}/{id}")),
                attachments::state.eq("initialized"),
                attachments::senders_reference.eq(&self.senders_reference),
                attachments::resource_id.eq(resource),
                attachments::display_name.eq(&self.display_name),
                attachments::is_encrypted.eq(self.is_encrypted),
            ))
            .execute(conn)?;
        Ok(id)
    }
}

/// `POST /attachment`: describes an attachment; its bytes follow with `/upload`.
#[utoipa::path(post, path = "/attachment", tag = "attachments", request_body = NewAttachment,
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Uuid, description = "The attachment's id, as Altinn answers"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/attachment")]
pub async fn initialize(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let new: NewAttachment = super::binding::bind(body.into_inner(), "NewAttachment", "body")?;
    let described = Described::check(
        "",
        &new.file_name,
        new.display_name,
        new.senders_reference,
        new.checksum,
        new.is_encrypted.unwrap_or(false),
    )?;
    let resource = new.resource_id.clone();
    let row = as_owner(&state, caller, resource, move |conn, owner| {
        let id = described.record(conn, owner.id, new.resource_id.as_deref())?;
        find(conn, &[owner.id], id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(row.id))
}

/// `POST /attachment/{id}/upload`: the bytes, streamed to storage (never held whole).
#[utoipa::path(post, path = "/attachment/{id}/upload", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = AttachmentOverviewExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/attachment/{id}/upload")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Payload,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let id = path.into_inner();
    // Take the attachment for this upload: only one upload, and only of an initialized one.
    let row = as_sender(&state, caller, move |conn, owners| {
        let row = find(conn, &owners, id)?;
        let taken = diesel::update(
            attachments::table
                .find(id)
                .filter(attachments::state.eq("initialized")),
        )
        .set((
            attachments::state.eq("uploading"),
            // An upload not finished by then was lost with its process: the sweep fails it.
            attachments::expires_at.eq(Utc::now() + chrono::Duration::hours(6)),
        ))
        .execute(conn)?;
        if taken == 0 {
            return Err(Problem::field(
                "attachmentId",
                "is not waiting for its upload (uploaded, uploading, failed or deleted)",
            ));
        }
        Ok(row)
    })
    .await?;
    let written = write_stream(&state.storage, &row.storage_key, body).await;
    let expected_md5 = row.sender_md5.clone();
    let (state_after, problem, written) = match written {
        Ok(w) if expected_md5.as_deref().is_some_and(|m| m != w.md5) => {
            let _ = state.storage.delete(&row.storage_key).await;
            (
                "failed",
                Some(
                    Problem::field(
                        "checksum",
                        "the uploaded bytes do not match the MD5 checksum",
                    )
                    .altinn(2008),
                ),
                None,
            )
        }
        Ok(w) => ("published", None, Some(w)),
        Err(e) => {
            let message = match e {
                UploadError::Empty => "the file is empty".to_owned(),
                UploadError::TooLarge => "the file is larger than allowed".to_owned(),
                other => other.to_string(),
            };
            (
                "failed",
                Some(Problem::field("file", message).altinn(2004)),
                None,
            )
        }
    };
    let pool = state.pool.clone();
    let owner = row.owner_id;
    let row = blocking(move || {
        let mut conn = pool.get()?;
        let target = attachments::table
            .find(id)
            .filter(attachments::state.eq("uploading"));
        match written {
            Some(Written { size, sha256, .. }) => diesel::update(target)
                .set((
                    attachments::state.eq(state_after),
                    attachments::size_bytes.eq(size as i64),
                    attachments::sha256.eq(sha256),
                    attachments::uploaded_at.eq(diesel::dsl::now),
                    // The deadline of the upload is met; the file is kept with its messages.
                    attachments::expires_at.eq(None::<chrono::DateTime<Utc>>),
                ))
                .execute(&mut conn)?,
            None => diesel::update(target)
                .set(attachments::state.eq(state_after))
                .execute(&mut conn)?,
        };
        // Messages sent before this upload are published with its last attachment, or fail.
        crate::sending::attachment_settled(&mut conn, id, state_after == "published")?;
        Ok(overview_of(&mut conn, &[owner], id))
    })
    .await??;
    match problem {
        Some(p) => Err(p),
        None => Ok(HttpResponse::Ok().json(row)),
    }
}

/// `GET /attachment/{id}`
#[utoipa::path(get, path = "/attachment/{id}", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = AttachmentOverviewExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/attachment/{id}")]
pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let found = sender_overview(&req, &state, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// The attachment's overview for the sender system calling, if one of its owners owns it.
async fn sender_overview(
    req: &HttpRequest,
    state: &AppState,
    id: Uuid,
) -> Result<AttachmentOverviewExt, Problem> {
    let caller = authenticate(req, WRITE).await?;
    as_sender(state, caller, move |conn, owners| {
        overview_of(conn, &owners, id)
    })
    .await
}

/// `GET /attachment/{id}/details`: the overview with its status history.
#[utoipa::path(get, path = "/attachment/{id}/details", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = AttachmentDetailsExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/attachment/{id}/details")]
pub async fn details(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let found = sender_overview(&req, &state, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(found.details()))
}

/// `GET /attachment/{id}/download`: the uploaded bytes, for the sender that owns them.
#[utoipa::path(get, path = "/attachment/{id}/download", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/attachment/{id}/download")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let id = path.into_inner();
    let row = as_sender(&state, caller, move |conn, owners| {
        let row = find(conn, &owners, id)?;
        // Only bytes that arrived whole (and matched their checksum) are given out.
        if row.state != "published" {
            return Err(Problem::no_attachment());
        }
        Ok(row)
    })
    .await?;
    let file = crate::inbox::message::Attachment {
        id: row.id,
        name: row.name,
        media_type: row.media_type,
        size_bytes: row.size_bytes,
        storage_key: row.storage_key,
    };
    Ok(crate::inbox::zip_stream::file_response(&req, &state.storage, &file).await?)
}

/// `DELETE /attachment/{id}`: only while no message uses it; the file is removed.
#[utoipa::path(delete, path = "/attachment/{id}", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = AttachmentOverviewExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[delete("/attachment/{id}")]
pub async fn purge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let id = path.into_inner();
    let row = as_sender(&state, caller, move |conn, owners| {
        find(conn, &owners, id)?;
        let used = diesel::select(diesel::dsl::exists(
            correspondence_attachments::table
                .filter(correspondence_attachments::attachment_id.eq(id)),
        ))
        .get_result::<bool>(conn)?;
        if used {
            return Err(Problem::field(
                "attachmentId",
                "is used by a message and cannot be deleted",
            ));
        }
        diesel::update(
            attachments::table
                .find(id)
                .filter(attachments::state.ne("uploading")),
        )
        .set(attachments::state.eq("purged"))
        .execute(conn)?;
        Ok((find(conn, &owners, id)?, overview_of(conn, &owners, id)?))
    })
    .await?;
    let (row, purged) = row;
    let _ = state.storage.delete(&row.storage_key).await;
    Ok(HttpResponse::Ok().json(purged))
}
