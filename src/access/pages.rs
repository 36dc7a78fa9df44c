//! "My access", and access administration for main administrators and access managers.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Deserialize;
use uuid::Uuid;

use super::decision::{self, ActingParty};
use super::grants::{
    self, AccessEvent, Grant, GrantError, GrantTarget, MAIL_PACKAGES, UnreadableMessage,
};
use super::reference::SERVICE_OWNER_SEND;
use crate::db::schema::parties;
use crate::domain::{Language, NationalId};
use crate::state::AppState;
use crate::web::form::SummaryItem;
use crate::web::i18n::{self, date};
use crate::web::pages::{ConfirmPage, Confirmation};
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render_status};
use actix_web::http::StatusCode;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(my_access)
        .service(admin_page)
        .service(grant_access)
        .service(grant_system_access)
        .service(revoke_access);
}

const PAGE_SIZE: i64 = 50;

/// A grant as shown: what, where it comes from in plain words, whether it can be revoked here.
pub(crate) struct GrantView {
    pub what: String,
    pub source: String,
    pub confidential: bool,
    pub revoke: Option<Uuid>,
}

fn source_text(lang: Language, g: &Grant) -> String {
    let mut text = match (g.source.as_str(), &g.granted_by_name) {
        ("role", _) => i18n::text_with(
            lang,
            "source-role",
            &[(
                "role",
                g.role_name.clone().unwrap_or_default().to_lowercase(),
            )],
        ),
        (_, Some(by)) => i18n::text_with(
            lang,
            "source-delegated-by",
            &[("name", by.clone()), ("date", date(lang, &g.granted_at))],
        ),
        (_, None) => i18n::text_with(
            lang,
            "source-delegated",
            &[("date", date(lang, &g.granted_at))],
        ),
    };
    if g.inherited() {
        text.push(' ');
        text.push_str(&i18n::text_with(
            lang,
            "source-via-main-unit",
            &[("unit", g.via_party_name.clone())],
        ));
    }
    text
}

pub(crate) fn view(lang: Language, g: &Grant, may_revoke: bool) -> GrantView {
    GrantView {
        what: g.what.clone(),
        source: source_text(lang, g),
        confidential: g.confidential,
        revoke: if may_revoke && g.source == "delegation" && !g.inherited() {
            g.delegation_id
        } else {
            None
        },
    }
}

pub struct PartyAccess {
    pub label: String,
    pub is_person: bool,
    pub is_sub_unit: bool,
    pub grants: Vec<GrantView>,
    pub admin_link: Option<String>,
}

#[derive(Template)]
#[template(path = "access/mine.html")]
struct MinePage {
    ctx: PageCtx,
    parties: Vec<PartyAccess>,
    search: String,
    next: Option<String>,
    events: Vec<EventView>,
}

pub struct EventView {
    pub when: String,
    pub text: String,
}

fn event_view(lang: Language, e: &AccessEvent) -> EventView {
    let key = if e.action == "grant" {
        "event-granted"
    } else {
        "event-revoked"
    };
    EventView {
        when: date(lang, &e.occurred_at),
        text: i18n::text_with(
            lang,
            key,
            &[
                ("actor", e.actor_name.clone()),
                ("what", e.what.clone()),
                ("person", e.person_name.clone()),
                ("party", e.party_name.clone()),
            ],
        ),
    }
}

#[derive(Deserialize)]
struct MineQuery {
    q: Option<String>,
    after: Option<String>,
}

/// For each party I can act for: what I hold and why.
#[get("/access")]
async fn my_access(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<MineQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let search = query.q.clone().unwrap_or_default();
    let after = query.after.as_deref().and_then(decision::parse_cursor);
    let (parties, next, events) = blocking(move || {
        let mut conn = pool.get()?;
        let search_opt = Some(search.trim()).filter(|s| !s.is_empty());
        let mut page = decision::parties_for(
            &mut conn,
            user.person_id,
            search_opt,
            false,
            after.as_ref(),
            PAGE_SIZE + 1,
        )?;
        let next = (page.len() as i64 > PAGE_SIZE).then(|| {
            page.truncate(PAGE_SIZE as usize);
            page.last().map(ActingParty::cursor)
        });
        let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        let held = grants::held_by(&mut conn, user.person_id, &ids, lang)?;
        let administered = decision::administered(&mut conn, user.person_id, &ids)?;
        let mut out = Vec::with_capacity(page.len());
        for p in &page {
            let administers = administered.contains(&p.id);
            out.push(PartyAccess {
                label: p.label(),
                is_person: p.kind == crate::domain::PartyKind::Person,
                is_sub_unit: p.parent_id.is_some(),
                grants: held
                    .iter()
                    .filter(|g| g.party_id == p.id)
                    .map(|g| view(lang, g, false))
                    .collect(),
                admin_link: administers.then(|| format!("/access/{}", p.id)),
            });
        }
        let events = grants::access_events(&mut conn, None, Some(user.person_id), lang)?;
        Ok((out, next.flatten(), events))
    })
    .await?;
    let next = next.map(|cursor| {
        format!(
            "/access?q={}&after={}",
            crate::web::context::encode_component(query.q.as_deref().unwrap_or("")),
            crate::web::context::encode_component(&cursor)
        )
    });
    let page = MinePage {
        events: events.iter().map(|e| event_view(ctx.lang, e)).collect(),
        search: query.q.clone().unwrap_or_default(),
        ctx,
        parties,
        next,
    };
    crate::web::render(&page)
}

pub struct PersonView {
    pub name: String,
    pub masked_id: String,
    pub grants: Vec<GrantView>,
}

pub struct PackageView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub confidential: bool,
    pub holders: Vec<String>,
    /// Nobody holding it is a problem (a mail package: its mail goes unread), not the usual
    /// state of a package like the accountant's.
    pub alarm: bool,
}

pub struct WarningView {
    pub package_id: String,
    pub package_name: String,
    pub messages: Vec<UnreadableView>,
}

pub struct UnreadableView {
    pub sender: String,
    pub service: String,
    pub recipient: String,
    pub date: String,
}

fn unreadable_view(lang: Language, m: &UnreadableMessage) -> UnreadableView {
    UnreadableView {
        sender: m.sender.clone(),
        service: m.service.clone(),
        recipient: m.recipient.clone(),
        date: date(lang, &m.published_at),
    }
}

#[derive(Default, Deserialize, Clone)]
pub struct GrantForm {
    #[serde(default)]
    pub national_id: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub what: String,
}

#[derive(Default)]
pub struct GrantErrors {
    pub national_id: Option<String>,
    pub last_name: Option<String>,
    pub what: Option<String>,
}

impl GrantErrors {
    fn any(&self) -> bool {
        self.national_id.is_some() || self.last_name.is_some() || self.what.is_some()
    }
}

/// The summary lines of fields with a message, in the form's order.
fn summary_items(fields: &[(&str, &Option<String>)]) -> Vec<SummaryItem> {
    fields
        .iter()
        .filter_map(|(anchor, message)| {
            message.as_ref().map(|m| SummaryItem {
                anchor: (*anchor).to_owned(),
                message: m.clone(),
            })
        })
        .collect()
}

/// The form that gives an organisation's systems access (through the API).
#[derive(Default, Deserialize, Clone)]
pub struct SystemForm {
    #[serde(default)]
    pub org_number: String,
    #[serde(default)]
    pub system_what: String,
}

#[derive(Default)]
pub struct SystemErrors {
    pub org_number: Option<String>,
    pub what: Option<String>,
}

impl SystemErrors {
    fn any(&self) -> bool {
        self.org_number.is_some() || self.what.is_some()
    }
}

pub struct SystemGrantView {
    pub organisation: String,
    pub what: String,
    pub confidential: bool,
    pub source: String,
    pub id: Uuid,
}

pub struct GrantOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "access/admin.html")]
struct AdminPage {
    ctx: PageCtx,
    party_id: i64,
    party_label: String,
    people: Vec<PersonView>,
    packages: Vec<PackageView>,
    warnings: Vec<WarningView>,
    package_options: Vec<GrantOption>,
    service_options: Vec<GrantOption>,
    form: GrantForm,
    errors: GrantErrors,
    systems: Vec<SystemGrantView>,
    system_options: Vec<GrantOption>,
    system_form: SystemForm,
    system_errors: SystemErrors,
    done: Option<String>,
    events: Vec<EventView>,
    /// For an organisation: the file transfers addressed to it (`None` for a person).
    received: Option<Vec<ReceivedView>>,
}

/// A file transfer addressed to the party, as its administrators see it.
struct ReceivedView {
    file_name: String,
    service: String,
    sender: String,
    date: String,
    status: String,
}

impl AdminPage {
    /// Both forms' messages, for the summary at the top of the page.
    fn error_items(&self) -> Vec<SummaryItem> {
        let mut items = summary_items(&[
            ("national_id", &self.errors.national_id),
            ("last_name", &self.errors.last_name),
            ("what", &self.errors.what),
        ]);
        items.extend(summary_items(&[
            ("org_number", &self.system_errors.org_number),
            ("system_what", &self.system_errors.what),
        ]));
        items
    }
}

/// The forms of the administration page, as submitted (with their errors) or empty.
#[derive(Default)]
struct Forms {
    person: GrantForm,
    person_errors: GrantErrors,
    system: SystemForm,
    system_errors: SystemErrors,
}

#[derive(QueryableByName)]
struct OptionRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    label: String,
}

/// Loads everything the administration page shows. 404 unless `admin` may administer `party`.
fn load_admin_page(
    conn: &mut PgConnection,
    ctx: PageCtx,
    admin: i64,
    party: i64,
    forms: Forms,
    done: Option<String>,
) -> Result<AdminPage, AppError> {
    let Forms {
        person: form,
        person_errors: errors,
        system: system_form,
        system_errors,
    } = forms;
    if !decision::may_administer(conn, admin, party)? {
        return Err(AppError::NotFound);
    }
    let lang = ctx.lang;
    let (name, org_number): (String, Option<String>) = parties::table
        .find(party)
        .select((parties::name, parties::org_number))
        .first(conn)?;
    let rows = grants::people_with_access(conn, party, admin, lang)?;
    let mut people: Vec<PersonView> = Vec::new();
    let mut last_person = None;
    for row in &rows {
        if last_person != Some(row.grant.person_id) {
            last_person = Some(row.grant.person_id);
            let masked = NationalId::parse(&row.national_id, crate::domain::TestIds::Allowed)
                .map(|id| id.masked())
                .unwrap_or_default();
            people.push(PersonView {
                name: row.person_name.clone(),
                masked_id: masked,
                grants: Vec::new(),
            });
        }
        if let Some(person) = people.last_mut() {
            person.grants.push(view(lang, &row.grant, row.may_revoke));
        }
    }
    let mut packages: Vec<PackageView> = Vec::new();
    for row in grants::package_overview(conn, party, lang)? {
        if packages.last().is_none_or(|p| p.id != row.package_id) {
            packages.push(PackageView {
                id: row.package_id.clone(),
                name: row.package_name.clone(),
                description: row.description.clone(),
                confidential: row.confidential,
                holders: Vec::new(),
                alarm: false,
            });
        }
        if let (Some(p), Some(holder)) = (packages.last_mut(), row.holder_name) {
            p.holders.push(holder);
        }
    }
    for p in &mut packages {
        p.alarm = p.holders.is_empty() && MAIL_PACKAGES.contains(&p.id.as_str());
    }
    let mut warnings = Vec::new();
    for package in MAIL_PACKAGES {
        let Some(p) = packages.iter().find(|p| p.id == package) else {
            continue;
        };
        if p.holders.is_empty() {
            let messages = grants::unreadable_messages(conn, party, package, lang)?;
            warnings.push(WarningView {
                package_id: p.id.clone(),
                package_name: p.name.clone(),
                messages: messages.iter().map(|m| unreadable_view(lang, m)).collect(),
            });
        }
    }
    let l = lang.code();
    let options: Vec<OptionRow> = diesel::sql_query(format!(
        "SELECT 'package' AS kind, ap.id, ap.name_{l} AS label FROM access_packages ap \
           WHERE (ap.id <> '{SERVICE_OWNER_SEND}' OR EXISTS (SELECT 1 FROM service_owners o WHERE o.party_id = $1)) \
             AND may_delegate_package($2, $1, ap.id) \
         UNION ALL \
         SELECT 'service', s.id, s.title_{l} || ' (' || o.name || ')' FROM services s JOIN parties o ON o.id = s.owner_id \
           WHERE s.is_active AND may_delegate_service($2, $1, s.id) ORDER BY 1, 3"
    ))
    .bind::<BigInt, _>(party)
    .bind::<BigInt, _>(admin)
    .load(conn)?;
    let mut package_options = Vec::new();
    let mut service_options = Vec::new();
    let mut system_options = Vec::new();
    for o in options {
        let value = format!("{}:{}", o.kind, o.id);
        if o.kind == "service" || grants::SYSTEM_PACKAGES.contains(&o.id.as_str()) {
            system_options.push(GrantOption {
                selected: system_form.system_what == value,
                value: value.clone(),
                label: o.label.clone(),
            });
        }
        let option = GrantOption {
            selected: form.what == value,
            value,
            label: o.label,
        };
        if o.kind == "package" {
            package_options.push(option)
        } else {
            service_options.push(option)
        }
    }
    let systems = grants::system_grants(conn, party, lang)?
        .into_iter()
        .map(|g| SystemGrantView {
            organisation: crate::access::parties::label(&g.org_name, Some(&g.org_number)),
            what: g.what,
            confidential: g.confidential,
            source: match g.granted_by_name {
                Some(name) => i18n::text_with(
                    lang,
                    "source-delegated-by",
                    &[("name", name), ("date", date(lang, &g.granted_at))],
                ),
                None => i18n::text_with(
                    lang,
                    "source-delegated",
                    &[("date", date(lang, &g.granted_at))],
                ),
            },
            id: g.id,
        })
        .collect();
    let events = grants::access_events(conn, Some(party), None, lang)?;
    let received = match &org_number {
        Some(_) => Some(
            crate::transfer::admin::received(conn, party, lang, 20)?
                .into_iter()
                .map(|r| ReceivedView {
                    file_name: r.file_name,
                    service: r.service,
                    sender: r.sender,
                    date: date(lang, &r.created_at),
                    status: if r.transfer_status == "Purged" {
                        i18n::text(lang, "transfer-status-Purged")
                    } else {
                        i18n::text(lang, &format!("transfer-recipient-{}", r.status))
                    },
                })
                .collect(),
        ),
        None => None,
    };
    Ok(AdminPage {
        received,
        events: events.iter().map(|e| event_view(lang, e)).collect(),
        ctx,
        party_id: party,
        party_label: crate::access::parties::label(&name, org_number.as_deref()),
        people,
        packages,
        warnings,
        package_options,
        service_options,
        form,
        errors,
        systems,
        system_options,
        system_form,
        system_errors,
        done,
    })
}

#[derive(Deserialize)]
struct AdminQuery {
    done: Option<String>,
    /// The delegation the `done` line is about.
    d: Option<String>,
    package: Option<String>,
}

/// The line after a grant or a removal: who got or lost what, when the delegation is the
/// party's; else the plain sentence.
fn done_text(
    conn: &mut PgConnection,
    party: i64,
    done: &str,
    delegation: Option<Uuid>,
    lang: Language,
) -> Result<String, AppError> {
    let described = match delegation {
        Some(id) => grants::describe(conn, party, id, lang)?,
        None => None,
    };
    Ok(match described {
        Some(d) => i18n::text_with(
            lang,
            &format!("access-done-{done}-named"),
            &[("who", d.who), ("what", d.what)],
        ),
        None => i18n::text(lang, &format!("access-done-{done}")),
    })
}

#[get("/access/{party}")]
async fn admin_page(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<AdminQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let party = path.into_inner();
    let pool = state.pool.clone();
    let done = query
        .done
        .clone()
        .filter(|d| d == "granted" || d == "revoked");
    let delegation = query.d.as_deref().and_then(|d| Uuid::parse_str(d).ok());
    let lang = ctx.lang;
    // The warning's one-click path preselects the package in the form.
    let forms = Forms {
        person: GrantForm {
            what: query
                .package
                .clone()
                .map(|p| format!("package:{p}"))
                .unwrap_or_default(),
            ..Default::default()
        },
        ..Default::default()
    };
    let page = blocking(move || {
        let mut conn = pool.get()?;
        let done = match done {
            Some(kind) if decision::may_administer(&mut conn, user.person_id, party)? => {
                Some(done_text(&mut conn, party, &kind, delegation, lang)?)
            }
            _ => None,
        };
        load_admin_page(&mut conn, ctx, user.person_id, party, forms, done)
    })
    .await?;
    crate::web::render(&page)
}

#[post("/access/{party}/grant")]
async fn grant_access(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<i64>,
    form: crate::web::form::Form<GrantForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let party = path.into_inner();
    let form = form.into_inner();
    let pool = state.pool.clone();
    let test_ids = state.config.test_ids;
    let outcome = blocking(move || {
        let mut conn = pool.get()?;
        if !decision::may_administer(&mut conn, user.person_id, party)? {
            return Err(AppError::NotFound);
        }
        let lang = ctx.lang;
        let mut errors = GrantErrors::default();
        let id = match NationalId::parse(&form.national_id, test_ids) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.national_id = Some(i18n::text_with(
                    lang,
                    "grant-error-national-id",
                    &[("reason", i18n::id_error(lang, &e))],
                ));
                None
            }
        };
        if form.last_name.trim().is_empty() {
            errors.last_name = Some(i18n::text(lang, "grant-error-last-name"));
        }
        let target = GrantTarget::parse(&form.what);
        if target.is_none() {
            errors.what = Some(i18n::text(lang, "grant-error-what"));
        }
        let person = match (&id, errors.any()) {
            (Some(id), false) => grants::find_person(&mut conn, id, &form.last_name)?,
            _ => None,
        };
        if person.is_none() && !errors.any() {
            errors.national_id = Some(i18n::text(lang, "grant-error-no-person"));
        }
        if let (Some((person_id, _)), Some(target), false) = (person, &target, errors.any()) {
            match grants::grant(
                &mut conn,
                user.person_id,
                party,
                grants::Grantee::Person(person_id),
                target,
                &ctx.correlation_id,
            ) {
                Ok(id) => return Ok(Err(id)),
                Err(e) => errors.what = Some(refusal(lang, e, "grant-error-already-held")?),
            }
        }
        let forms = Forms {
            person: form,
            person_errors: errors,
            ..Default::default()
        };
        let page = load_admin_page(&mut conn, ctx, user.person_id, party, forms, None)?;
        Ok(Ok(page))
    })
    .await?;
    after_grant(outcome, party, "")
}

/// Why a grant was refused, as the text next to the "what" field (`already_held` says it for the
/// kind of grantee); a database error stays an error.
fn refusal(lang: Language, err: GrantError, already_held: &str) -> Result<String, AppError> {
    match err {
        GrantError::NotAllowed => Ok(i18n::text(lang, "grant-error-not-allowed")),
        GrantError::AlreadyHeld => Ok(i18n::text(lang, already_held)),
        GrantError::Db(e) => Err(e.into()),
    }
}

/// After a grant form: the page again with the form's errors next to its fields, or (granted,
/// the delegation's id) back to the page (at `#anchor`, when given) saying who got what.
fn after_grant(
    outcome: Result<AdminPage, Uuid>,
    party: i64,
    anchor: &str,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Err(id) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                match anchor {
                    "" => format!("/access/{party}?done=granted&d={id}"),
                    _ => format!("/access/{party}?done=granted&d={id}#{anchor}"),
                },
            ))
            .finish()),
        Ok(page) => render_status(&page, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// Gives an organisation's systems (API clients) a mail package, the sending package or a
/// single service for the party.
#[post("/access/{party}/systems/grant")]
async fn grant_system_access(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<i64>,
    form: crate::web::form::Form<SystemForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let party = path.into_inner();
    let form = form.into_inner();
    let pool = state.pool.clone();
    let outcome = blocking(move || {
        let mut conn = pool.get()?;
        if !decision::may_administer(&mut conn, user.person_id, party)? {
            return Err(AppError::NotFound);
        }
        let lang = ctx.lang;
        let mut errors = SystemErrors::default();
        let org = match crate::domain::OrgNumber::parse(form.org_number.trim()) {
            Ok(org) => grants::find_organization(&mut conn, &org)?,
            Err(e) => {
                errors.org_number = Some(i18n::id_error(lang, &e));
                None
            }
        };
        if org.is_none() && errors.org_number.is_none() {
            errors.org_number = Some(i18n::text(lang, "system-error-no-organisation"));
        }
        let target = GrantTarget::parse(&form.system_what);
        if target.is_none() {
            errors.what = Some(i18n::text(lang, "grant-error-what"));
        }
        if let (Some(org), Some(target), false) = (org, &target, errors.any()) {
            match grants::grant(
                &mut conn,
                user.person_id,
                party,
                grants::Grantee::Organization(org),
                target,
                &ctx.correlation_id,
            ) {
                Ok(id) => return Ok(Err(id)),
                Err(e) => errors.what = Some(refusal(lang, e, "system-error-already-held")?),
            }
        }
        let forms = Forms {
            system: form,
            system_errors: errors,
            ..Default::default()
        };
        let page = load_admin_page(&mut conn, ctx, user.person_id, party, forms, None)?;
        Ok(Ok(page))
    })
    .await?;
    after_grant(outcome, party, "systems")
}

#[post("/access/{party}/delegations/{delegation}/revoke")]
async fn revoke_access(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<(i64, Uuid)>,
    form: crate::web::form::Form<Confirmation>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (party, delegation) = path.into_inner();
    let pool = state.pool.clone();
    if !form.given() {
        // First the check step: whose access to what goes, and that it can be given again.
        let lang = ctx.lang;
        let (described, label) = blocking(move || {
            let mut conn = pool.get()?;
            if !decision::may_administer(&mut conn, user.person_id, party)? {
                return Err(AppError::NotFound);
            }
            let described =
                grants::describe(&mut conn, party, delegation, lang)?.ok_or(AppError::NotFound)?;
            let (name, org): (String, Option<String>) = crate::db::schema::parties::table
                .find(party)
                .select((
                    crate::db::schema::parties::name,
                    crate::db::schema::parties::org_number,
                ))
                .first(&mut conn)?;
            Ok((
                described,
                crate::access::parties::label(&name, org.as_deref()),
            ))
        })
        .await?;
        let args = [
            ("who", described.who.clone()),
            ("what", described.what.clone()),
        ];
        return crate::web::render(&ConfirmPage {
            heading: i18n::text_with(lang, "access-revoke-confirm-heading", &args),
            text: i18n::text_with(lang, "access-revoke-confirm-text", &args),
            action: format!("/access/{party}/delegations/{delegation}/revoke"),
            confirm_label: i18n::text(lang, "access-revoke-confirm-button"),
            cancel: format!("/access/{party}"),
            acting: Some((label, String::new())),
            ctx,
        });
    }
    let correlation = ctx.correlation_id.clone();
    let revoked = blocking(move || {
        let mut conn = pool.get()?;
        if !decision::may_administer(&mut conn, user.person_id, party)? {
            return Err(AppError::NotFound);
        }
        Ok(grants::revoke(
            &mut conn,
            user.person_id,
            party,
            delegation,
            &correlation,
        )?)
    })
    .await?;
    if !revoked {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/access/{party}?done=revoked&d={delegation}"),
        ))
        .finish())
}
