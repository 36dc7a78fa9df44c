//! The reading side: one message, its attachments (one by one or as a ZIP), confirm and move.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::filters::Folder;
use super::message::{self, Message};
use super::view::{PartyHeader, actor, due_badge};
use crate::access::decision::{self, Actor, MessageAccess};
use crate::access::grants;
use crate::access::pages::{GrantView, view};
use crate::domain::Language;
use crate::state::AppState;
use crate::web::i18n::{self, date_time, size};
use crate::web::markdown;
use crate::web::user::{CurrentUser, step_up_link};
use crate::web::{AppError, PageCtx, blocking, render};
use diesel::prelude::*;

#[derive(Deserialize)]
pub(super) struct PartyQuery {
    pub(super) party: i64,
    done: Option<String>,
    /// The print view: the letter alone.
    print: Option<String>,
}

pub struct AttachmentView {
    pub href: Option<String>,
    pub name: String,
    pub media_type: String,
    pub size: String,
}

pub struct SeenView {
    pub who: String,
    pub when: String,
}

pub struct ActivityView {
    pub when: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "inbox/message.html")]
struct MessagePage {
    ctx: PageCtx,
    party: PartyHeader,
    msg: Message,
    status_label: String,
    body_html: String,
    published: String,
    due: Option<(&'static str, String)>,
    confirmed: Option<String>,
    attachments: Vec<AttachmentView>,
    attachments_withheld: bool,
    reply_links: Vec<(String, String)>,
    seen: Vec<SeenView>,
    reasons: Vec<GrantView>,
    activity: Vec<ActivityView>,
    back: String,
    done: bool,
    print: bool,
}

fn activity_text(lang: Language, a: &message::Activity) -> String {
    match a.what.strip_prefix("notification:") {
        Some(rest) => {
            let mut parts = rest.split(':');
            let (kind, channel, outcome) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            i18n::text_with(
                lang,
                &format!("activity-notification-{outcome}"),
                &[
                    (
                        "kind",
                        i18n::text(lang, &format!("notification-kind-{kind}")),
                    ),
                    ("channel", i18n::text(lang, &format!("channel-{channel}"))),
                    ("address", a.address.clone().unwrap_or_default()),
                ],
            )
        }
        None => i18n::text_with(
            lang,
            &format!("activity-{}", a.what),
            &[(
                "who",
                a.who
                    .clone()
                    .unwrap_or_else(|| i18n::text(lang, "activity-someone")),
            )],
        ),
    }
}

/// Checks the decision for a message; 404 unless it may be read, step-up when the level is low.
fn readable(
    conn: &mut PgConnection,
    actor: Actor,
    party: i64,
    id: Uuid,
    here: &str,
) -> Result<bool, AppError> {
    match decision::message_access(conn, actor, party, id)? {
        MessageAccess::Read { attachments } => Ok(attachments),
        MessageAccess::NeedsLevel(_) => Err(AppError::StepUp(step_up_link(here))),
        MessageAccess::ExistsOnly | MessageAccess::Hidden => Err(AppError::NotFound),
    }
}

#[get("/inbox/messages/{id}")]
pub(super) async fn message_page(
    mut ctx: PageCtx,
    session: Session,
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<PartyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let party = query.party;
    let pool = state.pool.clone();
    let actor = actor(&user);
    let lang = ctx.lang;
    let here = ctx.path.clone();
    let (header, message, attachments, may_download, seen, reasons, activity) =
        blocking(move || {
            let mut conn = pool.get()?;
            let may_download = readable(&mut conn, actor, party, id, &here)?;
            message::record_open(&mut conn, id, actor, party)?;
            let message::Page {
                message,
                attachments,
                seen,
                activity,
            } = message::page(&mut conn, id, lang)?;
            let reasons =
                grants::reasons(&mut conn, actor.person_id, party, &message.service_id, lang)?;
            // The message is addressed to the party (the decision checked it): its recipient.
            let header = PartyHeader::of(
                party,
                message.recipient_kind,
                &message.recipient,
                message.recipient_org_number.as_deref(),
                message.recipient_national_id.as_deref(),
            );
            Ok((
                header,
                message,
                attachments,
                may_download,
                seen,
                reasons,
                activity,
            ))
        })
        .await?;
    if let Some(acting) = &header.acting {
        ctx.act_for(&session, acting.clone());
    }
    let you = ctx.t("seen-you");
    let page = MessagePage {
        body_html: markdown::to_safe_html(&message.body),
        status_label: i18n::text(lang, &format!("status-{}", message.status)),
        published: date_time(lang, &message.published_at),
        due: due_badge(lang, message.due_at, message.confirmed_at.is_none()),
        confirmed: message.confirmed_at.map(|at| date_time(lang, &at)),
        attachments_withheld: !may_download && !attachments.is_empty(),
        attachments: attachments
            .iter()
            .map(|a| AttachmentView {
                href: may_download
                    .then(|| format!("/inbox/messages/{id}/attachments/{}?party={party}", a.id)),
                name: a.name.clone(),
                media_type: i18n::file_kind(lang, &a.media_type),
                size: size(lang, a.size_bytes),
            })
            .collect(),
        reply_links: message
            .reply_links
            .as_array()
            .map(|links| {
                links
                    .iter()
                    .filter_map(|l| {
                        let url = l.get("url")?.as_str()?;
                        url.starts_with("https://").then(|| {
                            (
                                url.to_owned(),
                                l.get("text")
                                    .and_then(|t| t.as_str())
                                    .unwrap_or(url)
                                    .to_owned(),
                            )
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        seen: seen
            .iter()
            .map(|s| SeenView {
                who: if s.person_id == user.person_id {
                    you.clone()
                } else {
                    s.name.clone()
                },
                when: date_time(lang, &s.first_seen_at),
            })
            .collect(),
        reasons: if header.is_person && header.id == user.person_id {
            Vec::new()
        } else {
            reasons.iter().map(|g| view(lang, g, false)).collect()
        },
        activity: activity
            .iter()
            .map(|a| ActivityView {
                when: date_time(lang, &a.at),
                text: activity_text(lang, a),
            })
            .collect(),
        back: format!("/inbox?party={party}&folder={}", message.folder),
        done: query.done.as_deref() == Some("confirmed"),
        print: query.print.is_some(),
        ctx,
        party: header,
        msg: message,
    };
    render(&page)
}

/// Every attachment the user may open, as one streamed ZIP.
#[get("/inbox/messages/{id}/attachments.zip")]
pub(super) async fn download_all(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<PartyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let party = query.party;
    let pool = state.pool.clone();
    let actor = actor(&user);
    let here = ctx.path.clone();
    let (title, files) = blocking(move || {
        let mut conn = pool.get()?;
        if !readable(&mut conn, actor, party, id, &here)? {
            return Err(AppError::NotFound);
        }
        let files = message::attachments(&mut conn, id)?;
        if files.is_empty() {
            return Err(AppError::NotFound);
        }
        message::record_download(&mut conn, id, actor, party)?;
        Ok((message::title_and_folder(&mut conn, id)?.0, files))
    })
    .await?;
    Ok(super::zip_stream::zip_response(
        &state.storage,
        &title,
        files,
    ))
}

#[get("/inbox/messages/{id}/attachments/{attachment}")]
pub(super) async fn download(
    req: HttpRequest,
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<PartyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (id, attachment) = path.into_inner();
    let party = query.party;
    let pool = state.pool.clone();
    let actor = actor(&user);
    let here = ctx.path.clone();
    let found = blocking(move || {
        let mut conn = pool.get()?;
        if !readable(&mut conn, actor, party, id, &here)? {
            return Err(AppError::NotFound);
        }
        let found = message::attachments(&mut conn, id)?
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(AppError::NotFound)?;
        message::record_download(&mut conn, id, actor, party)?;
        Ok(found)
    })
    .await?;
    super::zip_stream::file_response(&req, &state.storage, &found).await
}

#[post("/inbox/messages/{id}/confirm")]
pub(super) async fn confirm_message(
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<PartyQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let party = query.party;
    let pool = state.pool.clone();
    let actor = actor(&user);
    let here = format!("/inbox/messages/{id}?party={party}");
    let back = here.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        readable(&mut conn, actor, party, id, &here)?;
        message::confirm(&mut conn, id, actor, party)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{back}&done=confirmed")))
        .finish())
}

#[derive(Deserialize)]
struct MoveForm {
    folder: String,
}

#[post("/inbox/messages/{id}/move")]
pub(super) async fn move_message(
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<PartyQuery>,
    form: web::Form<MoveForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let party = query.party;
    let folder = form.into_inner().folder;
    if Folder::parse(&folder).is_none() {
        return Err(AppError::BadRequest("unknown folder".to_owned()));
    }
    let pool = state.pool.clone();
    let actor = actor(&user);
    let here = format!("/inbox/messages/{id}?party={party}");
    let target = folder.clone();
    let from = blocking(move || {
        let mut conn = pool.get()?;
        readable(&mut conn, actor, party, id, &here)?;
        let (_, from) = message::title_and_folder(&mut conn, id)?;
        message::move_to(&mut conn, id, &target, actor, party)?;
        Ok(from)
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/inbox?party={party}&folder={from}&done={folder}"),
        ))
        .finish())
}
