//! `POST /correspondence`: one message to 1..500 recipients, checked by the same rules as the
//! compose form, sent in one transaction, idempotent on `idempotentKey`. The answer names, per
//! recipient, the message, its status, how many persons can read it and the notices queued,
//! so a sending system learns at once when nobody at a recipient can open its mail.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::problem::Problem;
use super::sender::{as_owner, owner_of, party_urn};
use super::{WRITE, authenticate};
use crate::admin::compose::{self, ComposeForm, MAX_RECIPIENTS};
use crate::admin::send::{self, Outcome};
use crate::app::AppState;
use crate::domain::{Language, PartyRef};
use crate::web::blocking;

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = InitializeContent)]
pub struct Content {
    language: Option<String>,
    message_title: Option<String>,
    message_summary: Option<String>,
    message_body: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyOption {
    #[serde(rename = "linkURL")]
    link_url: String,
    link_text: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalReference {
    reference_type: String,
    reference_value: String,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Notification {
    notification_channel: Option<String>,
    email_subject: Option<String>,
    email_body: Option<String>,
    sms_body: Option<String>,
    send_reminder: Option<bool>,
    reminder_email_subject: Option<String>,
    reminder_email_body: Option<String>,
    reminder_sms_body: Option<String>,
    /// SMS outside 09:00-17:00 (Europe/Oslo) too.
    send_any_time: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Correspondence {
    resource_id: String,
    sender: Option<String>,
    senders_reference: String,
    message_sender: Option<String>,
    #[serde(default)]
    content: Content,
    requested_publish_time: Option<DateTime<Utc>>,
    due_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    is_confirmation_needed: bool,
    #[serde(default)]
    reply_options: Vec<ReplyOption>,
    #[serde(default)]
    external_references: Vec<ExternalReference>,
    notification: Option<Notification>,
    #[serde(default)]
    ignore_reservation: bool,
    /// Required with `ignoreReservation` (it is logged with the send).
    ignore_reservation_reason: Option<String>,
    #[serde(default)]
    existing_attachments: Vec<Uuid>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendRequest {
    correspondence: Correspondence,
    recipients: Vec<String>,
    idempotent_key: Option<String>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct NoticeOut {
    kind: String,
    channel: String,
    status: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Sent {
    correspondence_id: Uuid,
    recipient: String,
    status: String,
    /// How many persons can open it now; 0 means nobody at the recipient can read it.
    readers: i64,
    notifications: Vec<NoticeOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct SendResponse {
    correspondences: Vec<Sent>,
    attachment_ids: Vec<Uuid>,
    /// False when the idempotency key had been used: this is the first call's result.
    created: bool,
}

/// The compose form's field for each request field, to reuse its checks and name errors.
const FIELDS: &[(&str, &str)] = &[
    ("service", "correspondence.resourceId"),
    ("senders_reference", "correspondence.sendersReference"),
    ("display_sender", "correspondence.messageSender"),
    ("language", "correspondence.content.language"),
    ("title", "correspondence.content.messageTitle"),
    ("summary", "correspondence.content.messageSummary"),
    ("body", "correspondence.content.messageBody"),
    ("publish_at", "correspondence.requestedPublishTime"),
    ("due_at", "correspondence.dueDateTime"),
    ("reply_url", "correspondence.replyOptions[0].linkURL"),
    ("reply_text", "correspondence.replyOptions[0].linkText"),
    ("ref_value", "correspondence.externalReferences[0]"),
    (
        "notification",
        "correspondence.notification.notificationChannel",
    ),
    (
        "ignore_reservation_reason",
        "correspondence.ignoreReservationReason",
    ),
    ("email_subject", "correspondence.notification.emailSubject"),
    ("email_body", "correspondence.notification.emailBody"),
    ("sms_text", "correspondence.notification.smsBody"),
    ("attachments", "correspondence.existingAttachments"),
];

fn api_field(form_field: &str) -> String {
    FIELDS
        .iter()
        .find(|(f, _)| *f == form_field)
        .map_or_else(|| form_field.to_owned(), |(_, a)| (*a).to_owned())
}

/// The request as the compose form's fields (times as RFC 3339, which the form accepts too).
fn form_of(c: &Correspondence, key: Option<&str>) -> ComposeForm {
    let n = c.notification.as_ref();
    let mut f: HashMap<String, String> = HashMap::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            f.insert(k.to_owned(), v.to_owned());
        }
    };
    put("service", Some(&c.resource_id));
    put("senders_reference", Some(&c.senders_reference));
    put("display_sender", c.message_sender.as_deref());
    put(
        "language",
        Some(c.content.language.as_deref().unwrap_or("nb")),
    );
    put("title", c.content.message_title.as_deref());
    put("summary", c.content.message_summary.as_deref());
    put("body", c.content.message_body.as_deref());
    let publish = c.requested_publish_time.map(|t| t.to_rfc3339());
    put("publish_at", publish.as_deref());
    let due = c.due_date_time.map(|t| t.to_rfc3339());
    put("due_at", due.as_deref());
    put(
        "confirmation_needed",
        c.is_confirmation_needed.then_some("1"),
    );
    if let Some(r) = c.reply_options.first() {
        put("reply_url", Some(&r.link_url));
        put("reply_text", Some(&r.link_text));
    }
    if let Some(r) = c.external_references.first() {
        put("ref_type", Some(&r.reference_type));
        put("ref_value", Some(&r.reference_value));
    }
    put(
        "notification",
        Some(
            n.and_then(|n| n.notification_channel.as_deref())
                .unwrap_or("Email"),
        ),
    );
    put("email_subject", n.and_then(|n| n.email_subject.as_deref()));
    put("email_body", n.and_then(|n| n.email_body.as_deref()));
    put("sms_text", n.and_then(|n| n.sms_body.as_deref()));
    put(
        "send_reminder",
        n.and_then(|n| n.send_reminder)
            .unwrap_or(true)
            .then_some("1"),
    );
    put(
        "sms_any_time",
        n.and_then(|n| n.send_any_time)
            .unwrap_or(false)
            .then_some("1"),
    );
    put("ignore_reservation", c.ignore_reservation.then_some("1"));
    put(
        "ignore_reservation_reason",
        c.ignore_reservation_reason.as_deref(),
    );
    put("idempotency_key", key);
    for id in &c.existing_attachments {
        f.insert(format!("attachment_{id}"), "1".to_owned());
    }
    ComposeForm::from_fields(f)
}

fn add(errors: &mut BTreeMap<String, Vec<String>>, field: String, message: String) {
    errors.entry(field).or_default().push(message);
}

/// `POST /correspondence`
#[utoipa::path(post, path = "/correspondence", tag = "sender", request_body = SendRequest,
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 201, body = SendResponse, description = "Sent"),
              (status = 200, body = SendResponse, description = "The first result of a repeated idempotentKey"),
              (status = "4XX", body = Problem)))]
#[post("/correspondence")]
pub async fn initialize(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SendRequest>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, &state, WRITE).await?;
    send_request(&state, caller, body.into_inner()).await
}

/// `POST /correspondence/upload`: the same request as the multipart part `request` (JSON),
/// followed by the files as parts named `attachments`, each streamed to storage and attached.
#[utoipa::path(post, path = "/correspondence/upload", tag = "sender",
    request_body(content_type = "multipart/form-data",
        description = "A part `request` with the JSON of POST /correspondence, then one part `attachments` per file"),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 201, body = SendResponse), (status = "4XX", body = Problem)))]
#[post("/correspondence/upload")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    use futures_util::TryStreamExt;
    let caller = authenticate(&req, &state, WRITE).await?;
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let bad = |e: actix_multipart::MultipartError| Problem::field("body", e.to_string());
    let mut request: Option<SendRequest> = None;
    let mut stored = Vec::new();
    let storage = crate::storage::Storage::new(&state.config.data_dir);
    // The owner the files belong to: the service's, so the `request` part goes first.
    let mut owner: Option<i64> = None;
    let outcome = async {
        while let Some(mut field) = parts.try_next().await.map_err(bad)? {
            match field.name().unwrap_or_default() {
                "request" => {
                    let text = crate::admin::upload::text_field(&mut field, "request").await?;
                    request = Some(
                        serde_json::from_str(&text)
                            .map_err(|e| Problem::field("request", e.to_string()))?,
                    );
                }
                "attachments" => {
                    let name = field
                        .content_disposition()
                        .and_then(|d| d.get_filename())
                        .unwrap_or_default()
                        .to_owned();
                    let at = format!("attachments[{}]", stored.len());
                    let owner = match owner {
                        Some(o) => o,
                        None => {
                            let pool = state.pool.clone();
                            let caller = caller.clone();
                            let resource = request
                                .as_ref()
                                .map(|r| r.correspondence.resource_id.clone());
                            let found = blocking(move || {
                                Ok(owner_of(&mut *pool.get()?, &caller, resource.as_deref()))
                            })
                            .await??
                            .id;
                            *owner.insert(found)
                        }
                    };
                    let id = crate::admin::attachments::store(
                        &state.pool,
                        &storage,
                        owner,
                        None,
                        &name,
                        &mut field,
                    )
                    .await
                    .map_err(|e| Problem::field(&at, e.to_string()))?;
                    stored.push(id);
                }
                other => {
                    return Err(Problem::field(
                        other,
                        "unknown part: give `request` and `attachments`",
                    ));
                }
            }
        }
        let mut request =
            request.ok_or_else(|| Problem::field("request", "the JSON part is missing"))?;
        request
            .correspondence
            .existing_attachments
            .extend(stored.iter().copied());
        send_request(&state, caller, request).await
    }
    .await;
    if outcome.is_err() && !stored.is_empty() {
        // Files of a request that was not sent are not kept.
        let pool = state.pool.clone();
        let ids = stored.clone();
        let keys: Vec<String> = blocking(move || {
            use crate::db::schema::attachments;
            Ok(
                diesel::update(attachments::table.filter(attachments::id.eq_any(&ids)))
                    .set(attachments::state.eq("purged"))
                    .returning(attachments::storage_key)
                    .get_results(&mut *pool.get()?)?,
            )
        })
        .await
        .unwrap_or_default();
        for key in keys {
            let _ = std::fs::remove_file(storage.path(&key));
        }
    }
    outcome
}

/// Checks and sends one request (JSON, or the multipart variant's request part).
async fn send_request(
    state: &AppState,
    caller: super::Caller,
    request: SendRequest,
) -> Result<HttpResponse, Problem> {
    let test_ids = state.config.test_ids;
    let lang = Language::En;
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();

    // Recipients: 1..500, each a URN, `0192:` short form or bare number.
    let mut numbers = Vec::new();
    // Where each parsed number stood in the request, to name a recipient that does not exist.
    let mut positions = Vec::new();
    for (i, r) in request.recipients.iter().enumerate() {
        match PartyRef::parse(r.trim(), test_ids) {
            Ok(party) => {
                numbers.push(party.number().to_owned());
                positions.push(i);
            }
            Err(e) => add(&mut errors, format!("recipients[{i}]"), e.to_string()),
        }
    }
    if request.recipients.is_empty() || request.recipients.len() > MAX_RECIPIENTS {
        add(
            &mut errors,
            "recipients".to_owned(),
            format!("give 1 to {MAX_RECIPIENTS} recipients"),
        );
    }
    let c = &request.correspondence;
    let named_sender = c
        .sender
        .as_ref()
        .map(|s| s.trim_start_matches("0192:").to_owned());
    // The form checks the first reply option and reference; the rest are checked here alike.
    for (i, r) in c.reply_options.iter().enumerate().skip(1) {
        let (url_ok, text_ok) = compose::reply_link_ok(&r.link_url, &r.link_text);
        if !url_ok {
            add(
                &mut errors,
                format!("correspondence.replyOptions[{i}].linkURL"),
                "must be an https address of at most 255 characters".to_owned(),
            );
        }
        if !text_ok {
            add(
                &mut errors,
                format!("correspondence.replyOptions[{i}].linkText"),
                "1 to 255 characters of plain text".to_owned(),
            );
        }
    }
    if c.external_references.len() > 10 {
        add(
            &mut errors,
            "correspondence.externalReferences".to_owned(),
            "at most 10".to_owned(),
        );
    }
    for (i, r) in c.external_references.iter().enumerate().skip(1) {
        if r.reference_type.trim().is_empty()
            || r.reference_value.trim().is_empty()
            || r.reference_value.chars().count() > 255
        {
            add(
                &mut errors,
                format!("correspondence.externalReferences[{i}]"),
                "needs a type and a value of at most 255 characters".to_owned(),
            );
        }
    }
    let reminder_texts = c.notification.as_ref().and_then(|n| {
        let texts = [
            n.reminder_email_subject.as_deref().unwrap_or("").trim(),
            n.reminder_email_body.as_deref().unwrap_or("").trim(),
            n.reminder_sms_body.as_deref().unwrap_or("").trim(),
        ];
        (!texts.iter().all(|t| t.is_empty())).then(|| texts.map(str::to_owned))
    });
    if let Some(texts) = &reminder_texts {
        for (text, field, max) in [
            (&texts[0], "reminderEmailSubject", 255),
            (&texts[1], "reminderEmailBody", 10_000),
            (&texts[2], "reminderSmsBody", 2_000),
        ] {
            if text.is_empty() || text.chars().count() > max {
                add(
                    &mut errors,
                    format!("correspondence.notification.{field}"),
                    format!("give all three reminder texts, this one 1 to {max} characters"),
                );
            }
        }
    }
    if let Some(key) = &request.idempotent_key
        && !(1..=255).contains(&key.chars().count())
    {
        add(
            &mut errors,
            "idempotentKey".to_owned(),
            "1 to 255 characters".to_owned(),
        );
    }
    let form = form_of(c, request.idempotent_key.as_deref());
    let reply_links: Vec<(String, String)> = c
        .reply_options
        .iter()
        .map(|r| (r.link_url.trim().to_owned(), r.link_text.trim().to_owned()))
        .collect();
    let references: Vec<(String, String)> = c
        .external_references
        .iter()
        .map(|r| {
            (
                r.reference_type.trim().to_owned(),
                r.reference_value.trim().to_owned(),
            )
        })
        .collect();
    let ignore = c.ignore_reservation;
    let wanted_attachments = c.existing_attachments.clone();

    let resource = Some(c.resource_id.clone());
    let result = as_owner(state, caller, resource, move |conn, owner| {
        let mut errors = errors;
        if let Some(named) = named_sender {
            let owner_number: Option<String> = crate::db::schema::parties::table
                .find(owner.id)
                .select(crate::db::schema::parties::org_number)
                .first(conn)?;
            if owner_number.as_deref() != Some(named.as_str()) {
                add(
                    &mut errors,
                    "correspondence.sender".to_owned(),
                    "must be the service owner sent for (0192:<its number>)".to_owned(),
                );
            }
        }
        let services = compose::service_choices(conn, owner.id, lang, "")?;
        let (draft, form_errors) =
            compose::validate_message(&form, &owner, None, &services, lang);
        for (field, message) in form_errors {
            add(&mut errors, api_field(&field), message);
        }
        let owned = crate::admin::attachments::owned(conn, owner.id, &wanted_attachments)?;
        if owned.len() != wanted_attachments.len() {
            add(&mut errors, "correspondence.existingAttachments".to_owned(),
                "unknown attachment, or not this sender's".to_owned(),
            );
        }
        let parties = send::find_parties(conn, &numbers)?;
        for (p, i) in parties.iter().zip(&positions) {
            if p.is_none() {
                let field = format!("recipients[{i}]");
                add(&mut errors, field, "no such person or organisation".to_owned());
            }
        }
        let Some(mut draft) = draft.filter(|_| errors.is_empty()) else {
            return Err(Problem::invalid(errors));
        };
        draft.channel = "api";
        draft.reply_links = reply_links;
        draft.external_references = references;
        draft.reminder_texts = reminder_texts.map(|[a, b, c]| (a, b, c));
        let ids: Vec<i64> = parties.into_iter().flatten().collect();
        let checks = send::preflight(conn, &draft.service_id, &ids)?;
        let sent = send::send(conn, &draft, &ids)?;
        let mut entry = crate::audit::Entry::new("correspondence_sent_api");
        entry.acting_for = Some(owner.id);
        entry.target = Some(("sending", sent.sending_id.to_string()));
        entry.details = serde_json::json!({
            "recipients": ids.len(),
            "created": sent.created,
            "ignore_reservation": ignore,
            "nobody_can_read": checks.iter().filter(|p| p.outcome(ignore) == Outcome::NobodyCanRead).count(),
        });
        crate::audit::record(conn, entry)?;
        let readers: HashMap<i64, i64> = checks.iter().map(|p| (p.party_id, p.readers)).collect();
        let correspondences = results(conn, sent.sending_id, &readers)?;
        Ok((sent, correspondences))
    })
    .await?;
    let (sent, correspondences) = result;
    let status = if sent.created { 201 } else { 200 };
    Ok(
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
            .json(SendResponse {
                correspondences,
                attachment_ids: Vec::new(),
                created: sent.created,
            }),
    )
}

/// The messages of a send with their readers and notices (for the first and a repeated call).
/// `readers` comes from the preflight (how many persons can read for each recipient party).
fn results(
    conn: &mut PgConnection,
    sending: Uuid,
    readers: &HashMap<i64, i64>,
) -> QueryResult<Vec<Sent>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        recipient: String,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        recipient_id: i64,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        notices: serde_json::Value,
    }
    let rows: Vec<Row> = diesel::sql_query(
        concat!("SELECT c.id, ", party_urn!(), " AS recipient, \
                c.status, c.recipient_id, \
                coalesce((SELECT jsonb_agg(jsonb_build_object('kind', n.kind, 'channel', n.channel, 'status', n.state) \
                                           ORDER BY n.kind, n.channel, n.id) \
                          FROM notifications n WHERE n.correspondence_id = c.id), '[]') AS notices \
         FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
         WHERE c.sending_id = $1 ORDER BY c.created_at, c.id"),
    )
    .bind::<SqlUuid, _>(sending)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Sent {
            correspondence_id: r.id,
            recipient: r.recipient,
            status: r.status,
            readers: readers.get(&r.recipient_id).copied().unwrap_or(0),
            notifications: serde_json::from_value(r.notices).unwrap_or_default(),
        })
        .collect())
}
