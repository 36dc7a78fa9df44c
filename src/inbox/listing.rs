//! The listing side: the inbox with its folders and filters, the party picker, bulk actions.

use actix_session::Session;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use uuid::Uuid;

use super::filters::{Combined, FilterParams, Filters, Folder};
use super::message;
use super::query::{self, ChoiceKind};
use super::view::{
    PAGE_SIZE, PARTY_COOKIE, PartyHeader, actor, due_badge, filter_pairs, highlight, href,
};
use crate::access::decision;
use crate::db::catalogue::ServiceCatalogue;
use crate::domain::Language;
use crate::state::AppState;
use crate::web::i18n::{self, date};
use crate::web::user::{Acting, CurrentUser};
use crate::web::{AppError, PageCtx, blocking, render};
use diesel::PgConnection;

pub struct RowView {
    pub id: Uuid,
    pub href: String,
    /// Escaped, with search matches marked; a neutral text when the level is too low.
    pub title_html: String,
    pub summary: Option<String>,
    pub sender: String,
    pub service: String,
    /// The recipient, in combined views.
    pub recipient: Option<String>,
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
    /// "12", or "99+" at the cap.
    pub unread_label: String,
    pub current: bool,
}

/// A choice in a filter's select.
pub struct FilterOption {
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
    services: Vec<FilterOption>,
    senders: Vec<FilterOption>,
    /// A combined view over many parties: no bulk actions, the recipient on each row.
    combined: bool,
    rows: Vec<RowView>,
    next: Option<String>,
    unopenable: Vec<UnopenableView>,
    admins: String,
    short_search: bool,
    /// A confirmation line after a move or a bulk action, and its colour.
    done: Option<(String, &'static str)>,
    /// This listing's address, for the bulk form to come back to.
    return_to: String,
    /// The filters in use, each with the link that removes it.
    chips: Vec<Chip>,
    /// The listing with every filter removed (the folder kept).
    clear_filters: String,
    /// How many of the folded filters are in use (the search box aside).
    folded_active: usize,
    folder_label: String,
}

/// A filter in use, shown as a removable chip.
pub struct Chip {
    pub label: String,
    pub remove: String,
}

/// The filters in use as chips: what each says, and the listing without it.
fn chips(ctx: &PageCtx, f: &Filters, party: &PartyHeader, choices: &[query::Choice]) -> Vec<Chip> {
    let pairs = filter_pairs(f, party);
    let title_of = |kind: ChoiceKind, id: &str| {
        choices
            .iter()
            .find(|c| c.kind == kind && c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.title.clone())
    };
    pairs
        .iter()
        .enumerate()
        .filter_map(|(i, (key, value))| {
            let what = match *key {
                "q" => format!("{}: «{value}»", ctx.t("inbox-search-label")),
                "unread" => ctx.t(if value == "unread" {
                    "inbox-filter-unread"
                } else {
                    "inbox-filter-read-only"
                }),
                "service" => format!(
                    "{}: {}",
                    ctx.t("inbox-filter-service"),
                    title_of(ChoiceKind::Service, value)
                ),
                "sender" => format!(
                    "{}: {}",
                    ctx.t("inbox-filter-sender"),
                    title_of(ChoiceKind::Sender, value)
                ),
                "period" => ctx.t1("inbox-filter-period-days", "days", value),
                "from" => format!("{}: {value}", ctx.t("inbox-filter-from")),
                "to" => format!("{}: {value}", ctx.t("inbox-filter-to")),
                "due" => ctx.t(if value == "soon" {
                    "inbox-filter-due-soon"
                } else {
                    "inbox-filter-overdue"
                }),
                "confirm" => ctx.t("inbox-filter-confirm"),
                "attachments" => ctx.t("inbox-filter-attachments"),
                "sort" => format!("{}: {}", ctx.t("inbox-sort"), ctx.t("inbox-sort-due")),
                _ => return None,
            };
            let rest: Vec<(&str, String)> = pairs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (k, v))| (*k, v.clone()))
                .collect();
            Some(Chip {
                label: what,
                remove: href("/inbox", &rest),
            })
        })
        .collect()
}

/// The confirmation a redirect after an action asks for (`done`, and how many with `n`).
#[derive(Default, serde::Deserialize)]
struct Done {
    done: Option<String>,
    n: Option<String>,
}

impl Done {
    /// Read leniently, like the filters: the first of each name, a bad count as none.
    fn from_query(query: &str) -> Self {
        crate::web::form::lenient(query.as_bytes()).unwrap_or_default()
    }

    fn count(&self) -> usize {
        self.n.as_deref().and_then(|n| n.parse().ok()).unwrap_or(0)
    }
}

/// What one inbox page needs from the database.
struct Listing {
    header: PartyHeader,
    rows: Vec<query::Row>,
    next: Option<String>,
    /// Unread per folder (none in combined views).
    counts: Option<Vec<(Folder, i64)>>,
    choices: Vec<query::Choice>,
    unopenable: Vec<query::Unopenable>,
    admins: Vec<String>,
}

/// Loads a page of one party's mail. The access to the party is decided once, up front, and
/// every query of the page filters on that decision.
fn party_listing(
    conn: &mut PgConnection,
    actor: decision::Actor,
    f: &Filters,
    from_cookie: Option<i64>,
    lang: Language,
    catalogue: &ServiceCatalogue,
) -> Result<Listing, AppError> {
    // The URL's party must be one the user may act for (else 404); a stale cookie falls back to self.
    let mut party = f.party.or(from_cookie).unwrap_or(actor.person_id);
    let mut context = query::page_context(conn, actor.person_id, party)?;
    if !context.as_ref().is_some_and(|c| c.access.may_act) {
        if f.party.is_some() {
            return Err(AppError::NotFound);
        }
        party = actor.person_id;
        context = query::page_context(conn, actor.person_id, party)?;
    }
    let context = context.ok_or(AppError::NotFound)?;
    let access = &context.access;
    let scope = query::Scope::Party { id: party, access };
    let mut rows = query::list(conn, actor, &scope, f, lang, PAGE_SIZE + 1)?;
    let next = next_cursor(&mut rows, f);
    let unopenable = query::unopenable(conn, party, access, f.folder.key(), lang)?;
    let admins = if unopenable.is_empty() {
        Vec::new()
    } else {
        query::main_administrators(conn, party)?
    };
    Ok(Listing {
        header: PartyHeader {
            id: party,
            label: crate::access::parties::label(&context.name, context.org_number.as_deref()),
            is_person: context.kind == crate::domain::PartyKind::Person,
            combined: None,
            acting: Some(Acting::new(
                party,
                context.kind,
                &context.name,
                context.national_id.as_deref(),
                context.org_number.as_deref(),
            )),
        },
        rows,
        next,
        counts: Some(
            Folder::ALL
                .iter()
                .copied()
                .zip(context.counts.iter().copied())
                .collect(),
        ),
        choices: query::choices(conn, catalogue, &access.readable, lang)?,
        unopenable,
        admins,
    })
}

/// Loads a page of the combined view over every organisation (or person) the user acts for;
/// each row is authorised for its own recipient. No per-folder counts: over thousands of
/// parties they would cost more than the page.
fn combined_listing(
    conn: &mut PgConnection,
    actor: decision::Actor,
    kind: Combined,
    f: &Filters,
    ctx_label: String,
    lang: Language,
) -> Result<Listing, AppError> {
    let mut rows = query::list(
        conn,
        actor,
        &query::Scope::Combined(kind),
        f,
        lang,
        PAGE_SIZE + 1,
    )?;
    let next = next_cursor(&mut rows, f);
    Ok(Listing {
        header: PartyHeader {
            id: 0,
            label: ctx_label,
            is_person: kind == Combined::Persons,
            combined: Some(kind),
            acting: None,
        },
        rows,
        next,
        counts: None,
        choices: Vec::new(),
        unopenable: Vec::new(),
        admins: Vec::new(),
    })
}

/// Cuts the look-ahead row and returns the cursor of the next page, if there is one.
fn next_cursor(rows: &mut Vec<query::Row>, f: &Filters) -> Option<String> {
    if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .map(|r| query::cursor(r, f.by_due()).to_string())
    } else {
        None
    }
}

#[get("/inbox")]
pub(super) async fn inbox_page(
    mut ctx: PageCtx,
    session: Session,
    user: CurrentUser,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let filters = Filters::from(FilterParams::from_query(req.query_string()));
    let done = Done::from_query(req.query_string());
    let from_cookie = req
        .cookie(PARTY_COOKIE)
        .and_then(|c| c.value().parse::<i64>().ok());
    let shared = state.clone();
    let actor = actor(&user);
    let lang = ctx.lang;
    let f = filters.clone();
    let combined_label = filters
        .combined
        .map(|c| ctx.t(&format!("picker-all-{}", c.key())));
    let listing = blocking(move || {
        let mut conn = shared.pool.get()?;
        match (f.combined, combined_label) {
            (Some(kind), Some(label)) => combined_listing(&mut conn, actor, kind, &f, label, lang),
            _ => party_listing(&mut conn, actor, &f, from_cookie, lang, &shared.catalogue),
        }
    })
    .await?;
    if let Some(acting) = &listing.header.acting {
        ctx.act_for(&session, acting.clone());
    }
    let Listing {
        header: party,
        rows,
        next,
        counts,
        choices,
        unopenable,
        admins,
    } = listing;
    let base = filter_pairs(&filters, &party);
    let folders = Folder::ALL
        .iter()
        .map(|folder| {
            let unread = counts
                .as_ref()
                .and_then(|c| c.iter().find(|(f, _)| f == folder))
                .map_or(0, |(_, n)| *n);
            FolderTab {
                label: ctx.t(&format!("folder-{}", folder.key())),
                href: href(
                    "/inbox",
                    &[party.pair(), ("folder", folder.key().to_owned())],
                ),
                unread,
                unread_label: if unread >= query::UNREAD_CAP {
                    format!("{}+", query::UNREAD_CAP - 1)
                } else {
                    unread.to_string()
                },
                current: filters.folder == *folder,
            }
        })
        .collect();
    let combined = party.combined.is_some();
    let rows = rows
        .into_iter()
        .map(|r| RowView {
            id: r.id,
            href: format!("/inbox/messages/{}?party={}", r.id, r.recipient_id),
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
            recipient: r.recipient,
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
    let option = |c: &query::Choice, selected: Option<&str>| FilterOption {
        selected: selected == Some(c.id.as_str()),
        id: c.id.clone(),
        title: c.title.clone(),
    };
    let page = InboxPage {
        folder: filters.folder.key().to_owned(),
        short_search: filters.short_search(),
        services: choices
            .iter()
            .filter(|c| c.kind == ChoiceKind::Service)
            .map(|c| option(c, filters.service.as_deref()))
            .collect(),
        senders: choices
            .iter()
            .filter(|c| c.kind == ChoiceKind::Sender)
            .map(|c| option(c, filters.sender.map(|s| s.to_string()).as_deref()))
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
            .and_then(|d| done_text(&ctx, d, done.count())),
        return_to: href("/inbox", &base_with_after(&filters, &party)),
        chips: chips(&ctx, &filters, &party, &choices),
        folded_active: filter_pairs(&filters, &party)
            .iter()
            .filter(|(k, _)| !matches!(*k, "q" | "folder" | "party" | "all"))
            .count(),
        folder_label: ctx.t(&format!("folder-{}", filters.folder.key())),
        clear_filters: href(
            "/inbox",
            &[party.pair(), ("folder", filters.folder.key().to_owned())],
        ),
        combined,
        ctx,
        party,
        folders,
        filters,
        rows,
        next,
    };
    // Search text that cannot be searched is refused at the box; the rest of the page shows.
    let mut response = if page.filters.bad_search() {
        crate::web::render_status(&page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY)?
    } else {
        render(&page)?
    };
    if page.filters.party.is_some() && !combined {
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
/// The line after an action, and its colour: what was done, or (nothing chosen) what to do.
fn done_text(ctx: &PageCtx, done: &str, n: usize) -> Option<(String, &'static str)> {
    match done {
        "inbox" | "archive" | "bin" | "confirmed" => {
            Some((ctx.t(&format!("inbox-done-{done}")), "success"))
        }
        "bulk-none" => Some((ctx.t("inbox-done-bulk-none"), "info")),
        "bulk-read" | "bulk-unread" | "bulk-inbox" | "bulk-archive" | "bulk-bin" => Some((
            i18n::text_with(
                ctx.lang,
                &format!("inbox-done-{done}"),
                &[("count", n.to_string())],
            ),
            "success",
        )),
        _ => None,
    }
}

/// The listing's filters and cursor, so a bulk action returns to exactly this page.
fn base_with_after(f: &Filters, party: &PartyHeader) -> Vec<(&'static str, String)> {
    let mut pairs = filter_pairs(f, party);
    if let Some(after) = f.after {
        pairs.push(("after", after.to_string()));
    }
    pairs
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
    let ids_given = !ids.is_empty();
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
    // Nothing chosen: say so, rather than "0 messages were moved".
    let done = if ids_given {
        format!("bulk-{}&n={changed}", action.key())
    } else {
        "bulk-none".to_owned()
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{back}&done={done}")))
        .finish())
}
