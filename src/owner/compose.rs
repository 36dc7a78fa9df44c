//! Compose and send: one form for the message, its recipients and its notification; a server-side
//! preview of the Markdown; a preflight per recipient; and the send, which a repeated submit never
//! does twice (the form carries an idempotency key made when it was first shown).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::form::{ComposeForm, form_errors, fresh_form, new_message};
use super::owner;
use crate::db::schema::services;
use crate::domain::Language;
use crate::sending::attachments::{self, UploadError};
use crate::sending::owners::Owner;
use crate::sending::{
    self, Checked, NotificationChannel, Outcome, Preflight, Recipients, Sender, preflight,
};
use crate::state::AppState;
use crate::web::i18n;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, markdown, render, render_status};

#[derive(Deserialize)]
pub(super) struct ComposeQuery {
    owner: i64,
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
        checked: None,
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
    /// Who can read it and how, in words.
    pub readers: String,
    pub addresses: String,
}

#[derive(Template)]
#[template(path = "owner/compose.html")]
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

    /// The form can show its text as the recipient will see it.
    fn can_preview(&self) -> bool {
        true
    }

    fn preview(&self) -> Option<&str> {
        self.preview_html.as_deref()
    }

    fn error_items(&self) -> Vec<crate::web::form::SummaryItem> {
        super::form::error_items(&self.errors)
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
        .filter(services::kind.eq("correspondence"))
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
    let uploads = attachments::recent(conn, owner.id)?
        .into_iter()
        .map(|u| {
            let field = format!("attachment_{}", u.id);
            UploadChoice {
                checked: form.checked(&field),
                label: format!(
                    "{} ({}, {})",
                    u.name,
                    i18n::size(ctx.lang, u.size_bytes),
                    i18n::text_with(
                        ctx.lang,
                        "attachment-uploaded-at",
                        &[("when", i18n::date_time(ctx.lang, &u.created_at))]
                    )
                ),
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

/// Who can read a recipient's message and how: the person herself (and those she gave
/// access), or for an organisation the people by role and by delegation and the systems; a
/// zero says why.
fn readers_how(lang: Language, p: &Preflight) -> String {
    let args = [
        ("count", p.readers.to_string()),
        ("role", p.by_role.to_string()),
        ("delegation", p.by_delegation.to_string()),
        ("systems", p.systems.to_string()),
    ];
    let people = if p.kind == crate::domain::PartyKind::Person {
        i18n::text_with(lang, "preflight-readers-person", &args)
    } else if p.readers == 0 {
        i18n::text(lang, "preflight-readers-none")
    } else {
        i18n::text_with(lang, "preflight-readers-org", &args)
    };
    if p.systems > 0 {
        format!(
            "{people} {}",
            i18n::text_with(lang, "preflight-readers-systems", &args)
        )
    } else {
        people
    }
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
                readers: readers_how(lang, p),
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
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let mut form = ComposeForm::default();
    let mut upload_error = None;
    // A part that cannot be read (a malformed header, a file name with a NUL) ends the reading:
    // the form read so far comes back with a message at the file field, and nothing is sent.
    let unreadable = |e: &dyn std::fmt::Display| {
        tracing::info!(error = %e, "a compose form could not be read in full");
        Some(i18n::text(lang, "form-error-unreadable"))
    };
    loop {
        let mut field = match parts.try_next().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                upload_error = unreadable(&e);
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name != "new_attachment" {
            match crate::web::multipart::text_field(&mut field, &name).await {
                Ok(value) => form.insert(name, value),
                Err(e) => {
                    upload_error = unreadable(&e);
                    break;
                }
            }
            continue;
        }
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
        // No file chosen: the part is empty.
        let stored = if file_name.is_empty() {
            None
        } else {
            Some(
                attachments::store(
                    &state.pool,
                    &state.storage,
                    owner,
                    Some(person),
                    &file_name,
                    &mut field,
                )
                .await,
            )
        };
        // A part refused before or while it was read still has bytes to skip; one read to its
        // end (stored, or empty) must not be read again.
        let unread = match stored {
            Some(Ok(stored)) => {
                form.choose_attachment(stored.id);
                false
            }
            Some(Err(e)) => {
                let (key, unread) = match e {
                    UploadError::Name(n) => (n.key(), true),
                    UploadError::Empty => ("attachment-error-empty", false),
                    UploadError::TooLarge => ("attachment-error-large", true),
                    UploadError::Stream(err) => {
                        tracing::warn!(error = %err, "an attachment upload failed");
                        ("attachment-error-failed", false)
                    }
                };
                upload_error = Some(i18n::text(lang, key));
                unread
            }
            None => true,
        };
        if unread {
            loop {
                match field.try_next().await {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        upload_error = unreadable(&e);
                        break;
                    }
                }
            }
        }
    }
    Ok((form, upload_error))
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
        let sender = Sender {
            owner: &owner,
            person: Some(person),
            channel: "form",
            test_ids,
            recipients: Recipients::Listed,
        };
        let checked = new_message(&form).check(&mut conn, &sender)?;
        let mut errors = match &checked {
            Ok(_) => HashMap::new(),
            Err(problems) => form_errors(problems, lang),
        };
        errors.extend(form.edge_errors(lang));
        if let Some(e) = upload_error {
            errors.insert("new_attachment".to_owned(), e);
        }
        let preview_html = (step == "preview" && !form.get("body").trim().is_empty())
            .then(|| markdown::to_safe_html(form.get("body")));
        let Some(Checked {
            draft,
            recipients: parties,
        }) = checked.ok().filter(|_| errors.is_empty())
        else {
            let mut page = page(&mut conn, ctx, owner, form, errors)?;
            page.preview_html = preview_html;
            return Ok(Next::Page(Box::new(page), true));
        };
        let checked = preflight(&mut conn, &draft.service_id, &parties)?;
        let ignore = draft.ignore_reservation_reason.is_some();
        let nobody = checked
            .iter()
            .filter(|p| p.outcome(ignore) == Outcome::NobodyCanRead)
            .count();
        if step == "send" && (nobody == 0 || form.checked("send_anyway")) {
            let sent = sending::send(&mut conn, &draft, &parties)?;
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
