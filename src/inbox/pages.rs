//! The recipient's pages: party picker, folders and listing, the message, download, confirm, move.

use actix_files::NamedFile;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::{Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::message::{self, Message};
use super::query::{self, FOLDERS, Filters};
use crate::access::decision::{self, Actor, MessageAccess};
use crate::access::grants;
use crate::access::pages::{GrantView, view};
use crate::app::AppState;
use crate::auth::{CurrentUser, step_up_link};
use crate::db::schema::parties;
use crate::domain::{Language, OrgNumber};
use crate::web::context::encode_component;
use crate::web::i18n::{self, date, date_time, size};
use crate::web::markdown;
use crate::web::{AppError, PageCtx, blocking, render};
use diesel::prelude::*;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(inbox_page)
        .service(picker_page)
        .service(message_page)
        .service(download_all)
        .service(download)
        .service(confirm_message)
        .service(move_message)
        .service(bulk_action);
}

const PAGE_SIZE: i64 = 25;
const PARTY_COOKIE: &str = "melding_party";

/// The party being acted for, as pages show it.
pub struct PartyHeader {
    pub id: i64,
    pub label: String,
    pub is_person: bool,
}

fn party_header(conn: &mut PgConnection, id: i64) -> QueryResult<PartyHeader> {
    let (kind, name, org): (String, String, Option<String>) = parties::table
        .find(id)
        .select((parties::kind, parties::name, parties::org_number))
        .first(conn)?;
    let label = match org.as_deref().and_then(|o| OrgNumber::parse(o).ok()) {
        Some(org) => format!("{name} ({org})"),
        None => name,
    };
    Ok(PartyHeader {
        id,
        label,
        is_person: kind == "person",
    })
}

fn actor(user: &CurrentUser) -> Actor {
    Actor {
        person_id: user.person_id,
        level: user.level,
    }
}

/// Query-string pairs for the filters, so every link carries the whole state.
fn filter_pairs(f: &Filters, party: i64) -> Vec<(&'static str, String)> {
    let mut pairs = vec![
        ("party", party.to_string()),
        ("folder", f.folder().to_owned()),
    ];
    let mut add = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.to_owned()));
        }
    };
    add("q", &f.q);
    add("unread", &f.unread);
    add("service", &f.service);
    add("period", &f.period);
    add("from", &f.from);
    add("to", &f.to);
    add("due", &f.due);
    add("confirm", &f.confirm);
    add("attachments", &f.attachments);
    add("sort", &f.sort);
    pairs
}

fn href(path: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Escapes text and turns ts_headline's \u{1}...\u{2} markers into <mark>.
fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '\u{1}' => out.push_str("<mark>"),
            '\u{2}' => out.push_str("</mark>"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub struct RowView {
    pub id: Uuid,
    pub href: String,
    /// Escaped, with search matches marked; a neutral text when the level is too low.
    pub title_html: String,
    pub summary: Option<String>,
    pub sender: String,
    pub service: String,
    pub date: String,
    pub unread: bool,
    pub locked: bool,
    pub due: Option<(&'static str, String)>,
    pub needs_confirmation: bool,
    pub attachments: i16,
}

/// A due-date badge: danger when passed, warning within seven days.
fn due_badge(
    lang: Language,
    due: Option<chrono::DateTime<Utc>>,
    open: bool,
) -> Option<(&'static str, String)> {
    let due = due?;
    let now = Utc::now();
    if !open {
        return None;
    }
    if due < now {
        Some((
            "danger",
            i18n::text_with(lang, "inbox-overdue", &[("date", date(lang, &due))]),
        ))
    } else if due < now + Duration::days(7) {
        Some((
            "warning",
            i18n::text_with(lang, "inbox-due-soon", &[("date", date(lang, &due))]),
        ))
    } else {
        Some((
            "neutral",
            i18n::text_with(lang, "inbox-due", &[("date", date(lang, &due))]),
        ))
    }
}

pub struct FolderTab {
    pub label: String,
    pub href: String,
    pub unread: i64,
    pub current: bool,
}

pub struct ServiceOption {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

pub struct UnopenableView {
    pub sender: String,
    pub service: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "inbox/index.html")]
struct InboxPage {
    ctx: PageCtx,
    party: PartyHeader,
    folders: Vec<FolderTab>,
    filters: Filters,
    folder: String,
    services: Vec<ServiceOption>,
    rows: Vec<RowView>,
    next: Option<String>,
    unopenable: Vec<UnopenableView>,
    admins: String,
    short_search: bool,
    /// A confirmation line after a move or a bulk action.
    done: Option<String>,
    /// This listing's address, for the bulk form to come back to.
    return_to: String,
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
    n: Option<usize>,
}

#[get("/inbox")]
async fn inbox_page(
    ctx: PageCtx,
    user: CurrentUser,
    req: HttpRequest,
    filters: web::Query<Filters>,
    done: web::Query<Done>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let filters = filters.into_inner();
    let from_cookie = req
        .cookie(PARTY_COOKIE)
        .and_then(|c| c.value().parse::<i64>().ok());
    let pool = state.pool.clone();
    let actor = actor(&user);
    let lang = ctx.lang;
    let f = filters.clone();
    let data = blocking(move || {
        let mut conn = pool.get()?;
        // The URL's party must be one the user may act for (else 404); a stale cookie falls back to self.
        let party = match f.party {
            Some(p) if decision::may_act_for(&mut conn, actor.person_id, p)? => p,
            Some(_) => return Err(AppError::NotFound),
            None => match from_cookie {
                Some(p) if decision::may_act_for(&mut conn, actor.person_id, p)? => p,
                _ => actor.person_id,
            },
        };
        let mut rows = query::list(&mut conn, actor, party, &f, lang, PAGE_SIZE + 1)?;
        let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
            rows.truncate(PAGE_SIZE as usize);
            rows.last().map(|r| query::cursor(r, f.by_due()))
        });
        let counts = query::unread_counts(&mut conn, actor, party)?;
        let services = query::services_with_mail(&mut conn, actor, party, lang)?;
        let unopenable = query::unopenable(&mut conn, actor, party, f.folder(), lang)?;
        let admins = if unopenable.is_empty() {
            Vec::new()
        } else {
            query::main_administrators(&mut conn, party)?
        };
        let header = party_header(&mut conn, party)?;
        Ok((
            header,
            rows,
            next.flatten(),
            counts,
            services,
            unopenable,
            admins,
        ))
    })
    .await?;
    let (party, rows, next, counts, services, unopenable, admins) = data;
    let base = filter_pairs(&filters, party.id);
    let folders = FOLDERS
        .iter()
        .map(|folder| FolderTab {
            label: ctx.t(&format!("folder-{folder}")),
            href: href(
                "/inbox",
                &[
                    ("party", party.id.to_string()),
                    ("folder", (*folder).to_owned()),
                ],
            ),
            unread: counts
                .iter()
                .find(|c| c.folder == *folder)
                .map_or(0, |c| c.unread),
            current: filters.folder() == *folder,
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| RowView {
            id: r.id,
            href: format!("/inbox/messages/{}?party={}", r.id, party.id),
            title_html: if !r.level_ok {
                highlight(&ctx.t("inbox-locked-title"))
            } else {
                r.headline
                    .as_deref()
                    .map(highlight)
                    .unwrap_or_else(|| highlight(&r.title))
            },
            summary: if r.level_ok && r.headline.is_none() {
                r.summary.clone()
            } else {
                None
            },
            sender: r.sender,
            service: r.service,
            date: date(ctx.lang, &r.published_at),
            unread: r.unread,
            locked: !r.level_ok,
            due: due_badge(ctx.lang, r.due_at, r.needs_confirmation || r.unread),
            needs_confirmation: r.needs_confirmation,
            attachments: r.attachment_count,
        })
        .collect();
    let next = next.map(|cursor| {
        let mut pairs = base.clone();
        pairs.push(("after", cursor));
        href("/inbox", &pairs)
    });
    let page = InboxPage {
        folder: filters.folder().to_owned(),
        short_search: filters.q.as_deref().is_some_and(|q| !q.trim().is_empty())
            && filters.search().is_none(),
        services: services
            .into_iter()
            .map(|(id, title)| ServiceOption {
                selected: filters.service.as_deref() == Some(id.as_str()),
                id,
                title,
            })
            .collect(),
        unopenable: unopenable
            .iter()
            .map(|u| UnopenableView {
                sender: u.sender.clone(),
                service: u.service.clone(),
                date: date(ctx.lang, &u.published_at),
            })
            .collect(),
        admins: admins.join(", "),
        done: done
            .done
            .as_deref()
            .and_then(|d| done_text(&ctx, d, done.n.unwrap_or(0))),
        return_to: href("/inbox", &base_with_after(&filters, party.id)),
        ctx,
        party,
        folders,
        filters,
        rows,
        next,
    };
    let mut response = render(&page)?;
    if page.filters.party.is_some() {
        let cookie = Cookie::build(PARTY_COOKIE, page.party.id.to_string())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(state.config.secure_cookies)
            .finish();
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}

/// The confirmation line for `done` ("3 meldinger er flyttet til arkivet").
fn done_text(ctx: &PageCtx, done: &str, n: usize) -> Option<String> {
    match done {
        "inbox" | "archive" | "bin" | "confirmed" => Some(ctx.t(&format!("inbox-done-{done}"))),
        "bulk-read" | "bulk-unread" | "bulk-inbox" | "bulk-archive" | "bulk-bin" => {
            Some(i18n::text_with(
                ctx.lang,
                &format!("inbox-done-{done}"),
                &[("count", n.to_string())],
            ))
        }
        _ => None,
    }
}

/// The listing's filters and cursor, so a bulk action returns to exactly this page.
fn base_with_after(f: &Filters, party: i64) -> Vec<(&'static str, String)> {
    let mut pairs = filter_pairs(f, party);
    if let Some(after) = f.after.as_deref().filter(|a| !a.is_empty()) {
        pairs.push(("after", after.to_owned()));
    }
    pairs
}

pub struct PickerRow {
    pub href: String,
    pub label: String,
    pub is_person: bool,
    pub is_sub_unit: bool,
    pub unread: i64,
}

#[derive(Template)]
#[template(path = "inbox/parties.html")]
struct PickerPage {
    ctx: PageCtx,
    search: String,
    rows: Vec<PickerRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct PickerQuery {
    q: Option<String>,
    after: Option<String>,
}

#[get("/inbox/parties")]
async fn picker_page(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<PickerQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let search = query.q.clone().unwrap_or_default();
    let after = query.after.clone();
    let (parties, unread, next) = blocking(move || {
        let mut conn = pool.get()?;
        let after = after.as_deref().and_then(decode_cursor);
        let q = Some(search.trim()).filter(|s| !s.is_empty());
        let mut page =
            decision::parties_for(&mut conn, user.person_id, q, false, after.as_ref(), 51)?;
        let next = (page.len() > 50).then(|| {
            page.truncate(50);
            page.last().map(|p| {
                format!(
                    "{}|{}|{}|{}",
                    p.group_id,
                    p.id,
                    u8::from(p.parent_id.is_some()),
                    p.group_name
                )
            })
        });
        let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        let unread = query::unread_by_party(&mut conn, user.person_id, &ids)?;
        Ok((page, unread, next.flatten()))
    })
    .await?;
    let rows = parties
        .iter()
        .map(|p| PickerRow {
            href: format!("/inbox?party={}", p.id),
            label: match p
                .org_number
                .as_deref()
                .and_then(|o| OrgNumber::parse(o).ok())
            {
                Some(org) => format!("{} ({org})", p.name),
                None => p.name.clone(),
            },
            is_person: p.kind == "person",
            is_sub_unit: p.parent_id.is_some(),
            unread: unread
                .iter()
                .find(|u| u.party == p.id)
                .map_or(0, |u| u.unread),
        })
        .collect();
    let next = next.map(|c| {
        format!(
            "/inbox/parties?q={}&after={}",
            encode_component(query.q.as_deref().unwrap_or("")),
            encode_component(&c)
        )
    });
    render(&PickerPage {
        search: query.q.clone().unwrap_or_default(),
        ctx,
        rows,
        next,
    })
}

fn decode_cursor(s: &str) -> Option<(String, i64, bool, i64)> {
    let mut parts = s.splitn(4, '|');
    let group_id = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    let sub = parts.next()? == "1";
    Some((parts.next()?.to_owned(), group_id, sub, id))
}

#[derive(Deserialize)]
struct PartyQuery {
    party: i64,
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
async fn message_page(
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
    let lang = ctx.lang;
    let here = ctx.path.clone();
    let (header, message, attachments, may_download, seen, reasons, activity) =
        blocking(move || {
            let mut conn = pool.get()?;
            let may_download = readable(&mut conn, actor, party, id, &here)?;
            message::record_open(&mut conn, id, actor, party)?;
            let message = message::load(&mut conn, id, lang)?;
            let attachments = message::attachments(&mut conn, id)?;
            let seen = message::seen_by(&mut conn, id)?;
            let reasons =
                grants::reasons(&mut conn, actor.person_id, party, &message.service_id, lang)?;
            let activity = message::activity(&mut conn, id)?;
            let header = party_header(&mut conn, party)?;
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
                media_type: a.media_type.clone(),
                size: size(a.size_bytes),
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

/// `attachment; filename="ascii"; filename*=UTF-8''…`: any name survives, old clients get a fallback.
fn attachment_disposition(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// Every attachment the user may open, as one streamed ZIP.
#[get("/inbox/messages/{id}/attachments.zip")]
async fn download_all(
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
        Ok((message::load(&mut conn, id, Language::Nb)?.title, files))
    })
    .await?;
    let storage = crate::storage::Storage::new(&state.config.data_dir);
    let files = files
        .into_iter()
        .map(|a| (a.name, storage.path(&a.storage_key)))
        .collect();
    let name: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(attachment_disposition(&format!("{}.zip", name.trim())))
        .streaming(super::zip_stream::zip(files)))
}

#[get("/inbox/messages/{id}/attachments/{attachment}")]
async fn download(
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
    let storage = crate::storage::Storage::new(&state.config.data_dir);
    let file = NamedFile::open_async(storage.path(&found.storage_key))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, attachment = %found.id, "an attachment file is missing");
            AppError::Internal(e.into())
        })?;
    let mime: actix_web::mime::Mime = found
        .media_type
        .parse()
        .unwrap_or(actix_web::mime::APPLICATION_OCTET_STREAM);
    let response = file
        .use_etag(false)
        .use_last_modified(false)
        .set_content_type(mime)
        .set_content_disposition(attachment_disposition(&found.name))
        .into_response(&req);
    Ok(response)
}

#[post("/inbox/messages/{id}/confirm")]
async fn confirm_message(
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
async fn move_message(
    user: CurrentUser,
    path: web::Path<Uuid>,
    query: web::Query<PartyQuery>,
    form: web::Form<MoveForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let party = query.party;
    let folder = form.into_inner().folder;
    if !FOLDERS.contains(&folder.as_str()) {
        return Err(AppError::BadRequest("unknown folder".to_owned()));
    }
    let pool = state.pool.clone();
    let actor = actor(&user);
    let here = format!("/inbox/messages/{id}?party={party}");
    let target = folder.clone();
    let from = blocking(move || {
        let mut conn = pool.get()?;
        readable(&mut conn, actor, party, id, &here)?;
        let from = message::load(&mut conn, id, Language::Nb)?.folder;
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

/// Bulk actions: the selected messages (`ids`, repeated) and `action`; back to the same listing.
#[post("/inbox/bulk")]
async fn bulk_action(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<PartyQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let party = query.party;
    let mut ids = Vec::new();
    let mut action = None;
    let mut back = None;
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "ids" => ids
                .push(Uuid::parse_str(&value).map_err(|_| AppError::BadRequest("ids".to_owned()))?),
            "action" => action = message::Bulk::parse(&value),
            "return_to" => back = Some(value.into_owned()),
            _ => {}
        }
    }
    let action = action.ok_or_else(|| AppError::BadRequest("unknown action".to_owned()))?;
    if ids.len() > message::BULK_LIMIT {
        return Err(AppError::BadRequest(format!(
            "at most {} messages at a time",
            message::BULK_LIMIT
        )));
    }
    let back = back
        .filter(|b| b.starts_with("/inbox?") && crate::web::pages::is_local_path(b))
        .unwrap_or_else(|| format!("/inbox?party={party}"));
    let pool = state.pool.clone();
    let actor = actor(&user);
    let _ = ctx;
    let changed = blocking(move || {
        let mut conn = pool.get()?;
        if !decision::may_act_for(&mut conn, actor.person_id, party)? {
            return Err(AppError::NotFound);
        }
        Ok(message::bulk(&mut conn, &ids, action, actor, party)?)
    })
    .await?;
    let back: String = back
        .split("&done=")
        .next()
        .unwrap_or(&back)
        .split("&n=")
        .next()
        .unwrap_or(&back)
        .to_owned();
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{back}&done=bulk-{}&n={changed}", action.key()),
        ))
        .finish())
}
