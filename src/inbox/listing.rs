//! The listing side: the inbox with its folders and filters, the party picker, bulk actions.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::message;
use super::pages::{
    PAGE_SIZE, PARTY_COOKIE, PartyHeader, actor, due_badge, filter_pairs, highlight, href,
    party_header,
};
use super::query::{self, FOLDERS, Filters};
use crate::access::decision;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::web::context::encode_component;
use crate::web::i18n::{self, date};
use crate::web::{AppError, PageCtx, blocking, render};

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

pub struct FolderTab {
    pub label: String,
    pub href: String,
    pub unread: i64,
    /// "12", or "999+" at the cap.
    pub unread_label: String,
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
pub(super) async fn inbox_page(
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
        let services = query::readable_services_list(&mut conn, actor, party, lang)?;
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
            unread_label: match counts
                .iter()
                .find(|c| c.folder == *folder)
                .map_or(0, |c| c.unread)
            {
                n if n >= query::UNREAD_CAP => format!("{}+", query::UNREAD_CAP - 1),
                n => n.to_string(),
            },
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
pub(super) async fn picker_page(
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
        let after = after.as_deref().and_then(decision::parse_cursor);
        let q = Some(search.trim()).filter(|s| !s.is_empty());
        let mut page =
            decision::parties_for(&mut conn, user.person_id, q, false, after.as_ref(), 51)?;
        let next = (page.len() > 50).then(|| {
            page.truncate(50);
            page.last().map(decision::ActingParty::cursor)
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
            label: p.label(),
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

/// Bulk actions: the selected messages (`ids`, repeated) and `action`; back to the same listing.
#[post("/inbox/bulk")]
pub(super) async fn bulk_action(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<super::reading::PartyQuery>,
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
