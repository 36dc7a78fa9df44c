//! The party picker: oneself, favourites, then every person and organisation the user acts
//! for (sub-units under their main unit), searchable, with unread counts and combined views.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::query;
use crate::access::decision::{self, ActingParty};
use crate::db::schema::party_favourites;
use crate::state::AppState;
use crate::web::context::encode_component;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

const PICKER_PAGE: i64 = 50;

pub struct PickerRow {
    pub id: i64,
    pub href: String,
    pub label: String,
    pub is_person: bool,
    pub is_sub_unit: bool,
    pub is_deleted: bool,
    pub is_favourite: bool,
    pub unread: i64,
}

#[derive(Template)]
#[template(path = "inbox/parties.html")]
struct PickerPage {
    ctx: PageCtx,
    search: String,
    show_deleted: bool,
    /// Oneself, on the first page of an unsearched list.
    me: Option<PickerRow>,
    favourites: Vec<PickerRow>,
    rows: Vec<PickerRow>,
    next: Option<String>,
    /// This page's address, for the favourite buttons to come back to.
    return_to: String,
}

#[derive(Deserialize)]
struct PickerQuery {
    q: Option<String>,
    after: Option<String>,
    deleted: Option<String>,
}

#[get("/inbox/parties")]
pub(super) async fn picker_page(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<PickerQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let search = query.q.clone().unwrap_or_default().trim().to_owned();
    let show_deleted = query.deleted.as_deref() == Some("1");
    let after = query.after.clone();
    let first_page = after.is_none() && search.is_empty();
    let person = user.person_id;
    let q = search.clone();
    let (page, favourites, unread, next) = blocking(move || {
        let mut conn = pool.get()?;
        let after = after.as_deref().and_then(decision::parse_cursor);
        let q = Some(q.as_str()).filter(|s| !s.is_empty());
        let mut page = decision::parties_for(
            &mut conn,
            person,
            q,
            show_deleted,
            after.as_ref(),
            PICKER_PAGE + 1,
        )?;
        let next = if page.len() as i64 > PICKER_PAGE {
            page.truncate(PICKER_PAGE as usize);
            page.last().map(ActingParty::cursor)
        } else {
            None
        };
        let favourites = decision::favourites(&mut conn, person)?;
        let mut ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        if first_page {
            ids.extend(favourites.iter().map(|p| p.id));
        }
        let unread = query::unread_by_party(&mut conn, person, &ids)?;
        Ok((page, favourites, unread, next))
    })
    .await?;
    let row = |p: &ActingParty| PickerRow {
        id: p.id,
        href: format!("/inbox?party={}", p.id),
        label: p.label(),
        is_person: p.kind == crate::domain::PartyKind::Person,
        is_sub_unit: p.parent_id.is_some(),
        is_deleted: p.is_deleted,
        is_favourite: favourites.iter().any(|f| f.id == p.id),
        unread: unread
            .iter()
            .find(|u| u.party == p.id)
            .map_or(0, |u| u.unread),
    };
    let mut rows: Vec<PickerRow> = page.iter().map(row).collect();
    let me = match rows.first() {
        Some(r) if r.id == person => Some(rows.remove(0)),
        _ => None,
    };
    let favourites = if first_page {
        favourites.iter().map(row).collect()
    } else {
        Vec::new()
    };
    let deleted_pair = if show_deleted { "&deleted=1" } else { "" };
    let next = next.map(|c| {
        format!(
            "/inbox/parties?q={}&after={}{deleted_pair}",
            encode_component(&search),
            encode_component(&c)
        )
    });
    render(&PickerPage {
        return_to: ctx.path.clone(),
        search,
        show_deleted,
        me,
        favourites,
        ctx,
        rows,
        next,
    })
}

#[derive(Deserialize)]
struct FavouriteForm {
    party: i64,
    /// `add` or `remove`.
    action: String,
    return_to: Option<String>,
}

/// Adds or removes a favourite party; back to the picker page it came from.
#[post("/inbox/parties/favourite")]
pub(super) async fn toggle_favourite(
    user: CurrentUser,
    form: web::Form<FavouriteForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let pool = state.pool.clone();
    let person = user.person_id;
    let party = form.party;
    let action = form.action.clone();
    blocking(move || {
        let mut conn = pool.get()?;
        if !decision::may_act_for(&mut conn, person, party)? {
            return Err(AppError::NotFound);
        }
        let add = match action.as_str() {
            "add" => true,
            "remove" => false,
            _ => return Err(AppError::BadRequest("action".to_owned())),
        };
        if add {
            diesel::insert_into(party_favourites::table)
                .values((
                    party_favourites::person_id.eq(person),
                    party_favourites::party_id.eq(party),
                ))
                .on_conflict_do_nothing()
                .execute(&mut conn)?;
        } else {
            diesel::delete(
                party_favourites::table
                    .filter(party_favourites::person_id.eq(person))
                    .filter(party_favourites::party_id.eq(party)),
            )
            .execute(&mut conn)?;
        }
        Ok(())
    })
    .await?;
    let back = form
        .return_to
        .filter(|b| b.starts_with("/inbox/parties") && crate::web::pages::is_local_path(b))
        .unwrap_or_else(|| "/inbox/parties".to_owned());
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .finish())
}
