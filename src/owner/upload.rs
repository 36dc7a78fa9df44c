//! The CSV upload for large sends: the file is streamed to disk (never held in memory), the
//! message is checked like any other, and the recipients are read, looked up and stored in the
//! background, batch by batch, with progress and rejected lines kept in `mass_sends` for the
//! sent view to show.

use std::collections::HashMap;
use std::io::{BufReader, Write};

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::prelude::*;
use futures_util::TryStreamExt;
use serde::Deserialize;
use uuid::Uuid;

use super::compose;
use super::form::{ComposeForm, form_errors, fresh_form, new_message};
use super::owner;
use crate::db::PgPool;
use crate::db::schema::mass_sends;
use crate::sending::mass::{self, Progress};
use crate::sending::owners::Owner;
use crate::sending::{Checked, Draft, MassSend, Recipients, Sender};
use crate::state::AppState;
use crate::web::i18n;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, multipart, render, render_status};

/// The largest CSV accepted (a million national identity numbers is about 13 MB).
pub const MAX_CSV_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Deserialize)]
pub(super) struct UploadQuery {
    owner: i64,
}

#[derive(Template)]
#[template(path = "owner/upload.html")]
pub(super) struct UploadPage {
    pub ctx: PageCtx,
    pub owner: Owner,
    pub form: ComposeForm,
    pub services: Vec<compose::ServiceChoice>,
    pub errors: HashMap<String, String>,
    pub channels: Vec<&'static str>,
    /// A file checked and kept for sending (its id), and what the check found.
    pub checked: Option<(Uuid, CheckView)>,
}

/// What the check of a file found, as the page shows it.
pub(super) struct CheckView {
    pub summary: String,
    /// (line, value, reason)
    pub rejected: Vec<(usize, String, String)>,
}

impl UploadPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The CSV form checks its file instead of previewing (its texts are per recipient).
    fn can_preview(&self) -> bool {
        false
    }

    fn preview(&self) -> Option<&str> {
        None
    }

    fn error_items(&self) -> Vec<crate::web::form::SummaryItem> {
        super::form::error_items(&self.errors)
    }

    fn is(&self, field: &str, value: &str) -> bool {
        self.form.get(field) == value
    }
}

#[get("/admin/compose/csv")]
pub(super) async fn upload_form(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<UploadQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let page = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        compose::upload_page(&mut conn, ctx, owner, fresh_form(), HashMap::new())
    })
    .await?;
    render(&page)
}

/// Reads the multipart form: text fields into the form, the file streamed to `path`. A part that
/// cannot be read ends the reading (`unreadable`), the form read so far kept.
async fn receive(mut payload: Multipart, path: &std::path::Path) -> Result<Received, AppError> {
    let mut received = Received {
        form: ComposeForm::default(),
        size: 0,
        unreadable: false,
    };
    loop {
        let mut field = match payload.try_next().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                tracing::info!(error = %e, "a CSV upload could not be read in full");
                received.unreadable = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "recipients_file" {
            let mut file = std::fs::File::create(path).map_err(|e| AppError::Internal(e.into()))?;
            loop {
                let chunk = match field.try_next().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::info!(error = %e, "a CSV file could not be read in full");
                        received.unreadable = true;
                        break;
                    }
                };
                received.size += chunk.len() as u64;
                if received.size > MAX_CSV_BYTES {
                    return Err(AppError::BadRequest("the file is too large".to_owned()));
                }
                // Small writes to a local file; not worth a thread hop per chunk.
                file.write_all(&chunk)
                    .map_err(|e| AppError::Internal(e.into()))?;
            }
        } else {
            match multipart::text_field(&mut field, &name).await {
                Ok(value) => received.form.insert(name, value),
                Err(e) => {
                    tracing::info!(error = %e, "a CSV upload could not be read in full");
                    received.unreadable = true;
                }
            }
        }
        if received.unreadable {
            break;
        }
    }
    Ok(received)
}

/// What the upload brought: the form, the file's size, and whether a part could not be read.
struct Received {
    form: ComposeForm,
    size: u64,
    unreadable: bool,
}

/// What an upload leads to.
enum Next {
    /// The file was checked: the page with what was found, the file kept.
    Checked(Box<UploadPage>),
    /// The send started.
    Started(Uuid, i64),
}

/// Checks the uploaded CSV (`step=check`: every line read and looked up, nothing stored, the
/// file kept for the send), or starts a send to its recipients and shows its progress.
#[post("/admin/compose/csv")]
pub(super) async fn upload(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<UploadQuery>,
    payload: Multipart,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let person = user.person_id;
    // Authorise before reading a byte of the file.
    let owner = {
        let pool = pool.clone();
        blocking(move || {
            let mut conn = pool.get()?;
            owner(&mut conn, person, owner_id)
        })
        .await?
    };
    let dir = state.config.data_dir.join("uploads");
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.into()))?;
    let new_id = Uuid::now_v7();
    let new_path = dir.join(format!("{new_id}.csv"));
    let received = receive(payload, &new_path).await;
    let Received {
        form,
        mut size,
        unreadable,
    } = match received {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&new_path);
            return Err(e);
        }
    };
    // No new file, but one checked before: that one is sent (or checked again).
    let kept = Uuid::parse_str(form.get("checked_file"))
        .ok()
        .map(|id| (id, dir.join(format!("{id}.csv"))))
        .filter(|(_, path)| path.is_file());
    let (path, file_id) = match kept {
        Some((id, kept)) if size == 0 && !unreadable => {
            let _ = std::fs::remove_file(&new_path);
            size = std::fs::metadata(&kept).map(|m| m.len()).unwrap_or(0);
            (kept, id)
        }
        _ => (new_path, new_id),
    };
    let check_only = form.get("step") == "check";
    let test_ids = state.config.test_ids;
    let job_pool = pool.clone();
    let job_path = path.clone();
    let started = blocking(move || {
        let mut conn = pool.get()?;
        let lang = ctx.lang;
        let sender = Sender {
            owner: &owner,
            person: Some(person),
            channel: "csv",
            test_ids,
            recipients: Recipients::File,
        };
        // The CSV page offers no attachments: a field naming one is not the form's.
        let mut message = new_message(&form);
        message.attachments.clear();
        let checked = message.check(&mut conn, &sender)?;
        let mut errors = match &checked {
            Ok(_) => HashMap::new(),
            Err(problems) => form_errors(problems, lang),
        };
        errors.extend(form.edge_errors(lang));
        if unreadable {
            errors.insert(
                "recipients_file".to_owned(),
                i18n::text(lang, "form-error-unreadable"),
            );
        } else if size == 0 {
            errors.insert(
                "recipients_file".to_owned(),
                i18n::text(lang, "mass-error-file"),
            );
        }
        let Some(Checked { draft, .. }) = checked.ok().filter(|_| errors.is_empty()) else {
            let page = compose::upload_page(&mut conn, ctx, owner, form, errors)?;
            return Ok(Err(Box::new(page)));
        };
        if check_only {
            // Read the file as the send would, store nothing, keep the file for the send.
            let file = BufReader::new(
                std::fs::File::open(&job_path).map_err(|e| AppError::Internal(e.into()))?,
            );
            let found = mass::check(&job_pool, file, test_ids).map_err(AppError::Internal)?;
            let summary = i18n::text_with(
                lang,
                "mass-check-summary",
                &[
                    ("lines", found.lines.to_string()),
                    ("recipients", found.recipients.to_string()),
                    ("rejected", found.rejected.to_string()),
                ],
            );
            let rejected = found
                .rejected_lines
                .into_iter()
                .map(|r| (r.line, r.value, i18n::text(lang, r.reason.key())))
                .collect();
            let mut page = compose::upload_page(&mut conn, ctx, owner, form, HashMap::new())?;
            page.checked = Some((file_id, CheckView { summary, rejected }));
            return Ok(Ok(Next::Checked(Box::new(page))));
        }
        let mass = MassSend::start(&mut conn, &draft)?;
        let sending = mass.sent.sending_id;
        if mass.sent.created {
            diesel::insert_into(mass_sends::table)
                .values(mass_sends::sending_id.eq(sending))
                .execute(&mut conn)?;
            let mut entry = crate::audit::Entry::new("mass_send_started");
            entry.actor = Some(person);
            entry.acting_for = Some(owner.id);
            entry.target = Some(("sending", sending.to_string()));
            entry.details = serde_json::json!({ "bytes": size, "service": draft.service_id });
            crate::audit::record(&mut conn, entry)?;
            std::thread::spawn(move || run_job(&job_pool, mass, &draft, &job_path, test_ids));
        } else {
            let _ = std::fs::remove_file(&job_path);
        }
        Ok(Ok(Next::Started(sending, owner.id)))
    })
    .await;
    match started {
        Ok(Ok(Next::Checked(page))) => render(&*page),
        Ok(Ok(Next::Started(sending, owner))) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/admin/sent/{sending}?owner={owner}&done=started"),
            ))
            .finish()),
        Ok(Err(page)) => {
            let _ = std::fs::remove_file(&path);
            render_status(&*page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// The background part: reads the file and stores batch after batch, recording progress; the
/// file is removed at the end whatever happens.
fn run_job(
    pool: &PgPool,
    mass: MassSend,
    draft: &Draft,
    path: &std::path::Path,
    test_ids: crate::domain::TestIds,
) {
    let sending = mass.sent.sending_id;
    let result = (|| -> anyhow::Result<mass::Outcome> {
        let mut progress_conn = pool.get()?;
        let file = BufReader::new(std::fs::File::open(path)?);
        mass::run(pool, mass, draft, file, test_ids, |p: &Progress| {
            let updated = diesel::update(mass_sends::table.find(sending))
                .set((
                    mass_sends::lines.eq(p.lines as i32),
                    mass_sends::stored.eq(p.stored as i32),
                    mass_sends::rejected.eq(p.rejected as i32),
                    mass_sends::updated_at.eq(diesel::dsl::now),
                ))
                .execute(&mut progress_conn);
            if let Err(err) = updated {
                tracing::warn!(error = %err, "mass send progress not recorded");
            }
        })
    })();
    let _ = std::fs::remove_file(path);
    let finish = |conn: &mut PgConnection| -> QueryResult<usize> {
        match &result {
            Ok(outcome) => {
                let rejected: Vec<serde_json::Value> = outcome
                    .rejected
                    .iter()
                    .map(|r| serde_json::json!({ "line": r.line, "value": r.value, "reason": r.reason.key() }))
                    .collect();
                diesel::update(mass_sends::table.find(sending))
                    .set((
                        mass_sends::state.eq("done"),
                        mass_sends::lines.eq(outcome.progress.lines as i32),
                        mass_sends::stored.eq(outcome.progress.stored as i32),
                        mass_sends::rejected.eq(outcome.progress.rejected as i32),
                        mass_sends::rejected_lines.eq(serde_json::Value::Array(rejected)),
                        mass_sends::finished_at.eq(diesel::dsl::now),
                        mass_sends::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
            }
            Err(err) => {
                tracing::error!(error = %err, %sending, "a mass send failed");
                diesel::update(mass_sends::table.find(sending))
                    .set((
                        mass_sends::state.eq("failed"),
                        mass_sends::error.eq(err.to_string()),
                        mass_sends::finished_at.eq(diesel::dsl::now),
                        mass_sends::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
            }
        }
    };
    match pool.get() {
        Ok(mut conn) => {
            if let Err(err) = finish(&mut conn) {
                // The send must not look "running" for ever: at least its end is recorded.
                tracing::error!(error = %err, %sending, "the report of a mass send was not stored");
                let ended = diesel::update(mass_sends::table.find(sending))
                    .set((
                        mass_sends::state.eq("failed"),
                        mass_sends::error.eq("the report of the send could not be stored"),
                        mass_sends::finished_at.eq(diesel::dsl::now),
                        mass_sends::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(&mut conn);
                if let Err(err) = ended {
                    tracing::error!(error = %err, %sending, "the end of a mass send was not recorded");
                }
            }
        }
        Err(err) => {
            tracing::error!(error = %err, %sending, "the end of a mass send was not recorded")
        }
    }
}
