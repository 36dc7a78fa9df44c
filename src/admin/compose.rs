//! Compose and send: one form for the message, its recipients and its notification; a server-side
//! preview of the Markdown; a preflight per recipient; and the send, which a repeated submit never
//! does twice (the form carries an idempotency key made when it was first shown).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::send::{self, Draft, NotificationChannel, Outcome, Preflight};
use super::{Owner, owner};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::schema::services;
use crate::domain::{Language, PartyRef, TestIds};
use crate::web::i18n;
use crate::web::{AppError, PageCtx, blocking, markdown, render, render_status};

/// Recipients one form may name (the API's limit too); more go by CSV.
pub const MAX_RECIPIENTS: usize = 500;
/// Attachments per message (domain.md).
pub const MAX_ATTACHMENTS: usize = 100;

#[derive(Deserialize)]
pub(super) struct ComposeQuery {
    owner: i64,
}

/// The form as typed (kept on errors).
#[derive(Default, Clone)]
pub struct ComposeForm {
    fields: HashMap<String, String>,
}

impl ComposeForm {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    fn parse(body: &[u8]) -> Self {
        ComposeForm {
            fields: url::form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    pub fn from_fields(fields: HashMap<String, String>) -> Self {
        ComposeForm { fields }
    }

    /// The attachments chosen (`attachment_<id>` fields), in a stable order.
    pub fn attachments(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .fields
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, _)| k.strip_prefix("attachment_"))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        ids.sort();
        ids
    }
}

/// A new form: a fresh idempotency key and the usual defaults.
pub(super) fn fresh_form() -> ComposeForm {
    let mut form = ComposeForm::default();
    for (k, v) in [
        ("idempotency_key", Uuid::now_v7().to_string()),
        ("language", "nb".to_owned()),
        ("send_reminder", "1".to_owned()),
        ("notification", "Email".to_owned()),
    ] {
        form.fields.insert(k.to_owned(), v);
    }
    form
}

/// The CSV upload page (the message fields of this form, and a file).
pub(super) fn upload_page(
    conn: &mut PgConnection,
    ctx: PageCtx,
    owner: Owner,
    form: ComposeForm,
    errors: HashMap<String, String>,
) -> Result<super::upload::UploadPage, AppError> {
    let services = service_choices(conn, owner.id, ctx.lang, form.get("service"))?;
    Ok(super::upload::UploadPage {
        ctx,
        owner,
        form,
        services,
        errors,
        channels: NotificationChannel::ALL.iter().map(|c| c.name()).collect(),
    })
}

pub struct ServiceChoice {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

pub(super) struct PreflightRow {
    pub label: String,
    pub outcome: &'static str,
    pub color: &'static str,
    pub readers: i64,
    pub addresses: String,
}

#[derive(Template)]
#[template(path = "admin/compose.html")]
struct ComposePage {
    ctx: PageCtx,
    owner: Owner,
    form: ComposeForm,
    services: Vec<ServiceChoice>,
    channels: Vec<&'static str>,
    errors: HashMap<String, String>,
    preview_html: Option<String>,
    preflight: Vec<PreflightRow>,
    summary: Option<String>,
    /// Some recipient has nobody who can read it: sending needs "send anyway".
    needs_confirmation: bool,
    /// For confidential services: the access the recipients' administrators must delegate.
    confidential_hint: Option<String>,
    /// The owner's uploads, to attach (checked ones are attached).
    uploads: Vec<UploadChoice>,
}

pub(super) struct UploadChoice {
    /// `attachment_<id>`
    pub field: String,
    pub label: String,
    pub checked: bool,
}

impl ComposePage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// Does the field hold this value (for `selected`)?
    fn is(&self, field: &str, value: &str) -> bool {
        self.form.get(field) == value
    }
}

pub fn service_choices(
    conn: &mut PgConnection,
    owner: i64,
    lang: Language,
    selected: &str,
) -> QueryResult<Vec<ServiceChoice>> {
    let l = lang.code();
    let services: Vec<(String, String)> = services::table
        .filter(services::owner_id.eq(owner))
        .filter(services::is_active)
        .select((
            services::id,
            diesel::dsl::sql::<diesel::sql_types::Text>(&format!("title_{l}")),
        ))
        .order(diesel::dsl::sql::<diesel::sql_types::Text>(&format!(
            "title_{l}"
        )))
        .load(conn)?;
    Ok(services
        .into_iter()
        .map(|(id, title)| ServiceChoice {
            selected: id == selected,
            id,
            title,
        })
        .collect())
}

fn page(
    conn: &mut PgConnection,
    ctx: PageCtx,
    owner: Owner,
    form: ComposeForm,
    errors: HashMap<String, String>,
) -> Result<ComposePage, AppError> {
    let services = service_choices(conn, owner.id, ctx.lang, form.get("service"))?;
    let uploads = super::attachments::recent(conn, owner.id)?
        .into_iter()
        .map(|u| {
            let field = format!("attachment_{}", u.id);
            UploadChoice {
                checked: form.checked(&field),
                label: format!("{} ({})", u.name, i18n::size(u.size_bytes)),
                field,
            }
        })
        .collect();
    Ok(ComposePage {
        ctx,
        owner,
        form,
        services,
        uploads,
        channels: NotificationChannel::ALL.iter().map(|c| c.name()).collect(),
        errors,
        preview_html: None,
        preflight: Vec::new(),
        summary: None,
        needs_confirmation: false,
        confidential_hint: None,
    })
}

#[get("/admin/compose")]
pub(super) async fn compose_form(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<ComposeQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let form = fresh_form();
    let page = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        page(&mut conn, ctx, owner, form, HashMap::new())
    })
    .await?;
    render(&page)
}

/// A time typed in a `datetime-local` field (taken as UTC) or as RFC 3339.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .ok()
                .map(|t| t.and_utc())
        })
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Whether a reply link's address (https, at most 255 characters) and text (1 to 255 characters
/// of plain text) are acceptable.
pub fn reply_link_ok(url: &str, text: &str) -> (bool, bool) {
    let (url, text) = (url.trim(), text.trim());
    let url_ok = url::Url::parse(url)
        .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
        && !too_long(url, 255);
    let text_ok = !text.is_empty() && !too_long(text, 255) && plain(text);
    (url_ok, text_ok)
}

/// Plain text: no control characters (line breaks included).
fn plain(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// Checks every field (domain.md's rules) and names each problem by its field. On success the
/// draft and the recipients as typed (parsed, not yet looked up).
fn validate(
    form: &ComposeForm,
    owner: &Owner,
    person: i64,
    services: &[ServiceChoice],
    test_ids: TestIds,
    lang: Language,
) -> (Option<Draft>, Vec<String>, HashMap<String, String>) {
    let (numbers, recipients_error) = recipients(form.get("recipients"), test_ids, lang);
    let (draft, mut errors) = validate_message(form, owner, Some(person), services, lang);
    if let Some(e) = recipients_error {
        errors.insert("recipients".to_owned(), e);
    }
    (draft.filter(|_| errors.is_empty()), numbers, errors)
}

/// The recipients typed in the form, and what is wrong with them.
fn recipients(text: &str, test_ids: TestIds, lang: Language) -> (Vec<String>, Option<String>) {
    // Recipients: one per line, or separated by commas, semicolons or spaces.
    let mut numbers = Vec::new();
    let mut bad = Vec::new();
    let t = |key: &str| i18n::text(lang, key);
    for token in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        match PartyRef::parse(token, test_ids) {
            Ok(PartyRef::Person(id)) => numbers.push(id.as_str().to_owned()),
            Ok(PartyRef::Organization(org)) => numbers.push(org.as_str().to_owned()),
            Err(_) => bad.push(token.to_owned()),
        }
    }
    numbers.dedup();
    let recipients_error = if !bad.is_empty() {
        Some(i18n::text_with(
            lang,
            "compose-error-recipients-invalid",
            &[("list", bad.join(", "))],
        ))
    } else if numbers.is_empty() {
        Some(t("compose-error-recipients-none"))
    } else if numbers.len() > MAX_RECIPIENTS {
        Some(i18n::text_with(
            lang,
            "compose-error-recipients-many",
            &[("max", MAX_RECIPIENTS.to_string())],
        ))
    } else {
        None
    };
    (numbers, recipients_error)
}

/// Checks the message's fields (all but the recipients).
pub fn validate_message(
    form: &ComposeForm,
    owner: &Owner,
    person: Option<i64>,
    services: &[ServiceChoice],
    lang: Language,
) -> (Option<Draft>, HashMap<String, String>) {
    let mut errors = HashMap::new();
    let t = |key: &str| i18n::text(lang, key);
    let mut err = |field: &str, key: &str| {
        errors.insert(field.to_owned(), t(key));
    };
    let service = form.get("service");
    if !services.iter().any(|s| s.id == service) {
        err("service", "compose-error-service");
    }
    let reference = form.get("senders_reference").trim();
    if reference.is_empty() || too_long(reference, 4096) {
        err("senders_reference", "compose-error-reference");
    }
    let display_sender = form.get("display_sender").trim();
    if too_long(display_sender, 255) || !plain(display_sender) {
        err("display_sender", "compose-error-display-sender");
    }
    let language = form.get("language").parse::<Language>().ok();
    if language.is_none() {
        err("language", "compose-error-language");
    }
    let title = form.get("title").trim();
    if title.is_empty() || too_long(title, 255) || !plain(title) {
        err("title", "compose-error-title");
    }
    let summary = form.get("summary").trim();
    if too_long(summary, 255) || !plain(summary) {
        err("summary", "compose-error-summary");
    }
    let body = form.get("body");
    if body.trim().is_empty() || too_long(body, 30_000) {
        err("body", "compose-error-body");
    }
    let now = Utc::now();
    let publish_at = match form.get("publish_at").trim() {
        "" => None,
        s => match parse_time(s) {
            Some(t) => Some(t),
            None => {
                err("publish_at", "compose-error-time");
                None
            }
        },
    };
    let confirmation_needed = form.checked("confirmation_needed");
    let due_at = match form.get("due_at").trim() {
        "" => {
            if confirmation_needed {
                err("due_at", "compose-error-due-needed");
            }
            None
        }
        s => match parse_time(s) {
            Some(t) if t < now => {
                err("due_at", "compose-error-due-past");
                None
            }
            Some(t) if publish_at.is_some_and(|p| t < p) => {
                err("due_at", "compose-error-due-before-publish");
                None
            }
            Some(t) => Some(t),
            None => {
                err("due_at", "compose-error-time");
                None
            }
        },
    };
    let (reply_url, reply_text) = (form.get("reply_url").trim(), form.get("reply_text").trim());
    let mut reply_links = Vec::new();
    if !reply_url.is_empty() || !reply_text.is_empty() {
        let (url_ok, text_ok) = reply_link_ok(reply_url, reply_text);
        if !url_ok {
            err("reply_url", "compose-error-reply-url");
        }
        if !text_ok {
            err("reply_text", "compose-error-reply-text");
        }
        reply_links.push((reply_url.to_owned(), reply_text.to_owned()));
    }
    let (ref_type, ref_value) = (form.get("ref_type").trim(), form.get("ref_value").trim());
    let mut external_references = Vec::new();
    if !ref_type.is_empty() || !ref_value.is_empty() {
        if ref_type.is_empty() || ref_value.is_empty() || too_long(ref_value, 255) {
            err("ref_value", "compose-error-reference-pair");
        }
        external_references.push((ref_type.to_owned(), ref_value.to_owned()));
    }
    let notification = NotificationChannel::parse(form.get("notification"));
    if notification.is_none() {
        err("notification", "compose-error-channel");
    }
    let ignore_reason = form.get("ignore_reservation_reason").trim();
    let ignore_reservation = form.checked("ignore_reservation");
    if ignore_reservation && (ignore_reason.is_empty() || too_long(ignore_reason, 1000)) {
        err("ignore_reservation_reason", "compose-error-ignore-reason");
    }
    let notice = [
        form.get("email_subject").trim(),
        form.get("email_body").trim(),
        form.get("sms_text").trim(),
    ];
    let initial_texts = if notice.iter().all(|s| s.is_empty()) {
        None
    } else {
        for (field, value, max) in [
            ("email_subject", notice[0], 255),
            ("email_body", notice[1], 10_000),
            ("sms_text", notice[2], 2_000),
        ] {
            if value.is_empty() || too_long(value, max) {
                err(field, "service-error-text");
            }
        }
        Some((
            notice[0].to_owned(),
            notice[1].to_owned(),
            notice[2].to_owned(),
        ))
    };
    if form.attachments().len() > MAX_ATTACHMENTS {
        err("attachments", "attachment-error-many");
    }
    if !errors.is_empty() {
        return (None, errors);
    }
    let draft = Draft {
        service_id: service.to_owned(),
        sender_id: owner.id,
        created_by: person,
        channel: "form",
        idempotency_key: Some(form.get("idempotency_key").to_owned()).filter(|k| !k.is_empty()),
        senders_reference: reference.to_owned(),
        display_sender: Some(display_sender.to_owned()).filter(|s| !s.is_empty()),
        language: language.unwrap_or(Language::Nb),
        title: title.to_owned(),
        summary: Some(summary.to_owned()).filter(|s| !s.is_empty()),
        body: body.to_owned(),
        publish_at,
        due_at,
        confirmation_needed,
        reply_links,
        external_references,
        notification,
        send_reminder: form.checked("send_reminder"),
        sms_any_time: form.checked("sms_any_time"),
        ignore_reservation_reason: Some(ignore_reason.to_owned()).filter(|_| ignore_reservation),
        initial_texts,
        reminder_texts: None,
        attachments: form.attachments(),
    };
    (Some(draft), errors)
}

fn preflight_rows(lang: Language, rows: &[Preflight], ignore: bool) -> Vec<PreflightRow> {
    rows.iter()
        .map(|p| {
            let (outcome, color) = match p.outcome(ignore) {
                Outcome::Ready => ("preflight-ready", "success"),
                Outcome::Reserved => ("preflight-reserved", "warning"),
                Outcome::NobodyCanRead => ("preflight-nobody", "danger"),
                Outcome::Deleted => ("preflight-deleted", "danger"),
            };
            PreflightRow {
                label: crate::access::parties::label(&p.name, p.org_number.as_deref()),
                outcome,
                color,
                readers: p.readers,
                addresses: i18n::text_with(
                    lang,
                    "preflight-addresses",
                    &[
                        ("emails", p.emails.to_string()),
                        ("phones", p.phones.to_string()),
                    ],
                ),
            }
        })
        .collect()
}

/// The form from an urlencoded body, or from a multipart one whose `new_attachment` file is
/// stored as it streams in (and then chosen, as `attachment_<id>`). A refused file is named by
/// its field; the rest of the form is kept.
async fn read_form(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    state: &AppState,
    owner: i64,
    person: i64,
    lang: Language,
) -> Result<(ComposeForm, Option<String>), AppError> {
    use futures_util::TryStreamExt;
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let body = payload
            .to_bytes_limited(1024 * 1024)
            .await
            .map_err(|_| AppError::BadRequest("the form is too large".to_owned()))?
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        return Ok((ComposeForm::parse(&body), None));
    }
    let storage = crate::storage::Storage::new(&state.config.data_dir);
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let mut fields = HashMap::new();
    let mut upload_error = None;
    let bad = |e: actix_multipart::MultipartError| AppError::BadRequest(e.to_string());
    while let Some(mut field) = parts.try_next().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "new_attachment" {
            let file_name = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_owned();
            if file_name.is_empty() {
                // No file chosen: drain the empty part.
                while field.try_next().await.map_err(bad)?.is_some() {}
                continue;
            }
            use super::attachments::{UploadError, store};
            match store(
                &state.pool,
                &storage,
                owner,
                Some(person),
                &file_name,
                &mut field,
            )
            .await
            {
                Ok(id) => {
                    fields.insert(format!("attachment_{id}"), "1".to_owned());
                }
                Err(e) => {
                    let key = match e {
                        UploadError::Name(n) => n.key(),
                        UploadError::Empty => "attachment-error-empty",
                        UploadError::TooLarge => "attachment-error-large",
                        UploadError::Stream(err) => {
                            tracing::warn!(error = %err, "an attachment upload failed");
                            "attachment-error-failed"
                        }
                    };
                    upload_error = Some(i18n::text(lang, key));
                    while field.try_next().await.map_err(bad)?.is_some() {}
                }
            }
        } else {
            let value = super::upload::text_field(&mut field, &name).await?;
            fields.insert(name, value);
        }
    }
    Ok((ComposeForm::from_fields(fields), upload_error))
}

/// What the submit leads to.
enum Next {
    Page(Box<ComposePage>, bool),
    Sent(uuid::Uuid, i64),
}

/// Preview, preflight or send (the button pressed says which). Sending runs the preflight again
/// and refuses while a recipient has nobody who can read the message, unless "send anyway".
#[post("/admin/compose")]
pub(super) async fn submit(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<ComposeQuery>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    // Authorise before reading the body (which may carry a file).
    let owner_check = {
        let pool = state.pool.clone();
        let (person, owner_id) = (user.person_id, query.owner);
        blocking(move || {
            let mut conn = pool.get()?;
            owner(&mut conn, person, owner_id)
        })
        .await?
    };
    let (form, upload_error) = read_form(
        &req,
        payload,
        &state,
        owner_check.id,
        user.person_id,
        ctx.lang,
    )
    .await?;
    let pool = state.pool.clone();
    let person = user.person_id;
    let test_ids = state.config.test_ids;
    let owner = owner_check;
    let next = blocking(move || {
        let mut conn = pool.get()?;
        let lang = ctx.lang;
        let step = form.get("step").to_owned();
        let services = service_choices(&mut conn, owner.id, lang, form.get("service"))?;
        let (draft, numbers, mut errors) =
            validate(&form, &owner, person, &services, test_ids, lang);
        if let Some(e) = upload_error {
            errors.insert("new_attachment".to_owned(), e);
        }
        let chosen = form.attachments();
        if super::attachments::owned(&mut conn, owner.id, &chosen)?.len() != chosen.len() {
            errors.insert(
                "attachments".to_owned(),
                i18n::text(lang, "attachment-error-unknown"),
            );
        }
        // Who the recipients are; unknown numbers are named by the field.
        let found = send::find_parties(&mut conn, &numbers)?;
        let unknown: Vec<&str> = numbers
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        if !unknown.is_empty() && !errors.contains_key("recipients") {
            errors.insert(
                "recipients".to_owned(),
                i18n::text_with(
                    lang,
                    "compose-error-recipients-unknown",
                    &[("list", unknown.join(", "))],
                ),
            );
        }
        let parties: Vec<i64> = found.into_iter().flatten().collect();
        let preview_html = (step == "preview" && !form.get("body").trim().is_empty())
            .then(|| markdown::to_safe_html(form.get("body")));
        let Some(draft) = draft.filter(|_| errors.is_empty()) else {
            let mut page = page(&mut conn, ctx, owner, form, errors)?;
            page.preview_html = preview_html;
            return Ok(Next::Page(Box::new(page), true));
        };
        let checked = send::preflight(&mut conn, &draft.service_id, &parties)?;
        let ignore = draft.ignore_reservation_reason.is_some();
        let nobody = checked
            .iter()
            .filter(|p| p.outcome(ignore) == Outcome::NobodyCanRead)
            .count();
        if step == "send" && (nobody == 0 || form.checked("send_anyway")) {
            let sent = send::send(&mut conn, &draft, &parties)?;
            if sent.created {
                let mut entry = crate::audit::Entry::new("correspondence_sent");
                entry.actor = Some(person);
                entry.acting_for = Some(owner.id);
                entry.target = Some(("sending", sent.sending_id.to_string()));
                entry.details = serde_json::json!({
                    "recipients": parties.len(),
                    "service": draft.service_id,
                    "ignore_reservation_reason": draft.ignore_reservation_reason,
                });
                crate::audit::record(&mut conn, entry)?;
            }
            return Ok(Next::Sent(sent.sending_id, owner.id));
        }
        if step == "send" {
            errors.insert(
                "send_anyway".to_owned(),
                i18n::text(lang, "compose-error-send-anyway"),
            );
        }
        let count = |o: Outcome| checked.iter().filter(|p| p.outcome(ignore) == o).count();
        let summary = i18n::text_with(
            lang,
            "preflight-summary",
            &[
                ("total", checked.len().to_string()),
                ("ready", count(Outcome::Ready).to_string()),
                ("reserved", count(Outcome::Reserved).to_string()),
                ("nobody", nobody.to_string()),
                ("deleted", count(Outcome::Deleted).to_string()),
            ],
        );
        let confidential: bool = services::table
            .find(&draft.service_id)
            .select(services::is_confidential)
            .first(&mut conn)?;
        let has_errors = !errors.is_empty();
        let mut page = page(&mut conn, ctx, owner, form, errors)?;
        page.preview_html = preview_html;
        page.preflight = preflight_rows(lang, &checked, ignore);
        page.summary = Some(summary);
        page.needs_confirmation = nobody > 0;
        page.confidential_hint =
            (confidential && nobody > 0).then(|| i18n::text(lang, "preflight-confidential"));
        Ok(Next::Page(Box::new(page), has_errors))
    })
    .await?;
    match next {
        Next::Sent(id, owner) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/admin/sent/{id}?owner={owner}&done=sent"),
            ))
            .finish()),
        Next::Page(page, true) => {
            render_status(&*page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY)
        }
        Next::Page(page, false) => render(&*page),
    }
}
