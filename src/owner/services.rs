//! Message services: the list, and one form for creating and editing (titles and descriptions in
//! three languages, who may read, login level, confidentiality, the attachment right, the
//! reminder delay and the default notification texts).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, SmallInt, Text};
use serde::Deserialize;

use super::owner;
use crate::access::reference::ORDINARY_MAIL;
use crate::db::schema::{service_notification_texts, services};
use crate::domain::Language;
use crate::sending::owners::Owner;
use crate::state::AppState;
use crate::web::i18n;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

#[derive(Deserialize)]
pub(super) struct OwnerQuery {
    pub owner: i64,
    pub done: Option<String>,
}

#[derive(QueryableByName)]
pub(super) struct ServiceRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = SmallInt)]
    pub min_login_level: i16,
    #[diesel(sql_type = Bool)]
    pub is_confidential: bool,
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
}

/// The owner's services in the page language, with how many messages each has sent (the
/// services page; forms choose from `compose::service_choices`, which skips the counting).
pub(super) fn services_of(
    conn: &mut PgConnection,
    owner: i64,
    lang: Language,
) -> QueryResult<Vec<ServiceRow>> {
    let l = lang.code();
    diesel::sql_query(format!(
        "SELECT s.id, s.title_{l} AS title, s.min_login_level, s.is_confidential, \
                (SELECT coalesce(sum(recipient_count), 0)::bigint FROM sendings g WHERE g.service_id = s.id) AS sent \
         FROM services s WHERE s.owner_id = $1 AND s.kind = 'correspondence' ORDER BY 2"
    ))
    .bind::<BigInt, _>(owner)
    .load(conn)
}

#[derive(Template)]
#[template(path = "owner/services.html")]
struct ListPage {
    ctx: PageCtx,
    owner: Owner,
    services: Vec<ServiceRow>,
    done: bool,
}

#[get("/admin/services")]
pub(super) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<OwnerQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let owner_id = query.owner;
    let (owner, services) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let services = services_of(&mut conn, owner.id, lang)?;
        Ok((owner, services))
    })
    .await?;
    render(&ListPage {
        ctx,
        owner,
        services,
        done: query.done.is_some(),
    })
}

/// What the form holds, as typed (kept on errors).
#[derive(Default, Clone)]
pub(super) struct ServiceForm {
    pub id: String,
    pub fields: HashMap<String, String>,
    pub packages: Vec<String>,
}

impl ServiceForm {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    fn parse(body: &[u8]) -> Self {
        let mut form = ServiceForm::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            match key.as_ref() {
                "packages" => form.packages.push(value.into_owned()),
                "id" => form.id = value.trim().to_owned(),
                _ => {
                    form.fields.insert(key.into_owned(), value.into_owned());
                }
            }
        }
        form
    }
}

/// The names of the notification text fields: (kind, language, part).
pub(super) const TEXT_KINDS: [&str; 2] = ["initial", "reminder"];
pub(super) const TEXT_PARTS: [(&str, usize); 3] = [
    ("email_subject", 255),
    ("email_body", 10_000),
    ("sms_text", 2_000),
];

pub(super) fn text_field(kind: &str, lang: &str, part: &str) -> String {
    format!("{kind}_{part}_{lang}")
}

/// A package to choose.
pub(super) struct PackageChoice {
    pub id: String,
    pub name: String,
    /// Gives confidential mail (only by delegation, never by role).
    pub confidential: bool,
    pub checked: bool,
    pub selected_for_attachments: bool,
}

#[derive(Template)]
#[template(path = "owner/service_form.html")]
struct FormPage {
    ctx: PageCtx,
    owner: Owner,
    /// Editing an existing service (its id cannot change).
    editing: bool,
    form: ServiceForm,
    errors: HashMap<String, String>,
    packages: Vec<PackageChoice>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The error summary, in the form's order; the package group links to its first box.
    fn error_items(&self) -> Vec<crate::web::form::SummaryItem> {
        let first_package = self
            .packages
            .first()
            .map(|p| format!("package-{}", p.id))
            .unwrap_or_default();
        crate::web::form::summary(
            &self.errors,
            &[
                "id",
                "title_nb",
                "title_nn",
                "title_en",
                "description_nb",
                "description_nn",
                "description_en",
                "packages",
                "min_level",
                "attachment_package",
                "reminder_days",
            ],
            &[("packages", first_package.as_str())],
        )
    }

    fn text_field(&self, kind: &str, lang: &str, part: &str) -> String {
        text_field(kind, lang, part)
    }
}

#[derive(QueryableByName)]
struct PackageRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    is_confidential: bool,
}

fn package_choices(
    conn: &mut PgConnection,
    lang: Language,
    form: &ServiceForm,
) -> QueryResult<Vec<PackageChoice>> {
    let l = lang.code();
    let rows: Vec<PackageRow> = diesel::sql_query(format!(
        "SELECT id, name_{l} AS name, is_confidential FROM access_packages ORDER BY sort_order, id"
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| PackageChoice {
            checked: form.packages.contains(&r.id),
            selected_for_attachments: form.get("attachment_package") == r.id,
            id: r.id,
            name: r.name,
            confidential: r.is_confidential,
        })
        .collect())
}

#[derive(QueryableByName)]
struct StoredService {
    #[diesel(sql_type = Text)]
    title_nb: String,
    #[diesel(sql_type = Text)]
    title_nn: String,
    #[diesel(sql_type = Text)]
    title_en: String,
    #[diesel(sql_type = Text)]
    description_nb: String,
    #[diesel(sql_type = Text)]
    description_nn: String,
    #[diesel(sql_type = Text)]
    description_en: String,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    required_packages: Vec<String>,
    #[diesel(sql_type = SmallInt)]
    min_login_level: i16,
    #[diesel(sql_type = Bool)]
    is_confidential: bool,
    #[diesel(sql_type = Nullable<Text>)]
    attachment_package_id: Option<String>,
    #[diesel(sql_type = Integer)]
    reminder_days: i32,
}

/// The stored service as the form shows it; 404 unless the owner owns it.
fn load_form(conn: &mut PgConnection, owner: i64, id: &str) -> Result<ServiceForm, AppError> {
    let s: StoredService = diesel::sql_query(
        "SELECT title_nb, title_nn, title_en, description_nb, description_nn, description_en, required_packages, \
                min_login_level, is_confidential, attachment_package_id, \
                (extract(epoch FROM reminder_delay) / 86400)::int AS reminder_days \
         FROM services WHERE id = $1 AND owner_id = $2 AND kind = 'correspondence'",
    )
    .bind::<Text, _>(id)
    .bind::<BigInt, _>(owner)
    .get_result(conn)
    .optional()?
    .ok_or(AppError::NotFound)?;
    let mut fields = HashMap::new();
    for (k, v) in [
        ("title_nb", s.title_nb),
        ("title_nn", s.title_nn),
        ("title_en", s.title_en),
        ("description_nb", s.description_nb),
        ("description_nn", s.description_nn),
        ("description_en", s.description_en),
        (
            "attachment_package",
            s.attachment_package_id.unwrap_or_default(),
        ),
        ("reminder_days", s.reminder_days.to_string()),
        (
            "min_level",
            if s.min_login_level >= 4 {
                "high"
            } else {
                "substantial"
            }
            .to_owned(),
        ),
    ] {
        fields.insert(k.to_owned(), v);
    }
    if s.is_confidential {
        fields.insert("confidential".to_owned(), "1".to_owned());
    }
    let texts: Vec<(String, String, String, String, String)> = service_notification_texts::table
        .filter(service_notification_texts::service_id.eq(id))
        .select((
            service_notification_texts::kind,
            service_notification_texts::language,
            service_notification_texts::email_subject,
            service_notification_texts::email_body,
            service_notification_texts::sms_text,
        ))
        .load(conn)?;
    for (kind, lang, subject, body, sms) in texts {
        fields.insert(text_field(&kind, &lang, "email_subject"), subject);
        fields.insert(text_field(&kind, &lang, "email_body"), body);
        fields.insert(text_field(&kind, &lang, "sms_text"), sms);
    }
    Ok(ServiceForm {
        id: id.to_owned(),
        fields,
        packages: s.required_packages,
    })
}

#[derive(Deserialize)]
pub(super) struct EditQuery {
    owner: i64,
}

#[get("/admin/services/new")]
pub(super) async fn new_form(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<EditQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let owner_id = query.owner;
    let mut form = ServiceForm::default();
    form.fields
        .insert("reminder_days".to_owned(), "7".to_owned());
    form.fields
        .insert("min_level".to_owned(), "substantial".to_owned());
    form.packages.push(ORDINARY_MAIL.to_owned());
    let (owner, packages, form) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let packages = package_choices(&mut conn, lang, &form)?;
        Ok((owner, packages, form))
    })
    .await?;
    render(&FormPage {
        ctx,
        owner,
        editing: false,
        form,
        errors: HashMap::new(),
        packages,
    })
}

#[get("/admin/services/{id}")]
pub(super) async fn edit_form(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let owner_id = query.owner;
    let id = path.into_inner();
    let (owner, packages, form) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let form = load_form(&mut conn, owner.id, &id)?;
        let packages = package_choices(&mut conn, lang, &form)?;
        Ok((owner, packages, form))
    })
    .await?;
    render(&FormPage {
        ctx,
        owner,
        editing: true,
        form,
        errors: HashMap::new(),
        packages,
    })
}

/// A service as validated from the form, ready to store.
struct ValidService {
    id: String,
    titles: [String; 3],
    descriptions: [String; 3],
    packages: Vec<String>,
    min_level: i16,
    confidential: bool,
    attachment_package: Option<String>,
    reminder_days: i32,
    /// (kind, language, subject, body, sms)
    texts: Vec<(String, String, String, String, String)>,
}

fn is_service_id(id: &str) -> bool {
    let b = id.as_bytes();
    (2..=100).contains(&b.len())
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

fn validate(
    form: &ServiceForm,
    known_packages: &[PackageChoice],
    lang: Language,
) -> Result<ValidService, HashMap<String, String>> {
    let mut errors = HashMap::new();
    let t = |key: &str| i18n::text(lang, key);
    if !is_service_id(&form.id) {
        errors.insert("id".to_owned(), t("service-error-id"));
    }
    let mut titles: [String; 3] = Default::default();
    let mut descriptions: [String; 3] = Default::default();
    for (i, l) in ["nb", "nn", "en"].into_iter().enumerate() {
        let title = form.get(&format!("title_{l}")).trim();
        if title.is_empty() || title.chars().count() > 255 {
            errors.insert(format!("title_{l}"), t("service-error-title"));
        }
        titles[i] = title.to_owned();
        let description = form.get(&format!("description_{l}")).trim();
        if description.chars().count() > 2_000 {
            errors.insert(format!("description_{l}"), t("service-error-description"));
        }
        descriptions[i] = description.to_owned();
    }
    let known = |id: &str| known_packages.iter().any(|p| p.id == id);
    let confidential_package =
        |id: &str| known_packages.iter().any(|p| p.id == id && p.confidential);
    if form.packages.is_empty() || !form.packages.iter().all(|p| known(p)) {
        errors.insert("packages".to_owned(), t("service-error-packages"));
    } else if form.checked("confidential") && !form.packages.iter().all(|p| confidential_package(p))
    {
        // Confidential mail is read by those given the confidential package or this service
        // by delegation; an ordinary package would let everyone with ordinary mail read it.
        errors.insert(
            "packages".to_owned(),
            t("service-error-confidential-packages"),
        );
    }
    let min_level = match form.get("min_level") {
        "substantial" => 3,
        "high" => 4,
        _ => {
            errors.insert("min_level".to_owned(), t("service-error-level"));
            3
        }
    };
    let attachment_package =
        Some(form.get("attachment_package").to_owned()).filter(|p| !p.is_empty());
    if attachment_package.as_deref().is_some_and(|p| !known(p)) {
        errors.insert("attachment_package".to_owned(), t("service-error-packages"));
    }
    let reminder_days = match form.get("reminder_days").trim().parse::<i32>() {
        Ok(d) if (1..=60).contains(&d) => d,
        _ => {
            errors.insert("reminder_days".to_owned(), t("service-error-reminder"));
            7
        }
    };
    let mut texts = Vec::new();
    for kind in TEXT_KINDS {
        for l in ["nb", "nn", "en"] {
            let values: Vec<&str> = TEXT_PARTS
                .iter()
                .map(|(part, _)| form.get(&text_field(kind, l, part)).trim())
                .collect();
            if values.iter().all(|v| v.is_empty()) {
                continue;
            }
            for ((part, max), value) in TEXT_PARTS.iter().zip(&values) {
                if value.is_empty() || value.chars().count() > *max {
                    errors.insert(text_field(kind, l, part), t("service-error-text"));
                }
            }
            texts.push((
                kind.to_owned(),
                l.to_owned(),
                values[0].to_owned(),
                values[1].to_owned(),
                values[2].to_owned(),
            ));
        }
    }
    // Text the database cannot hold (a NUL character), named by its field whatever else is
    // wrong with it.
    for (name, value) in &form.fields {
        if value.contains('\0') {
            errors.insert(name.clone(), t("input-error-nul"));
        }
    }
    if form.id.contains('\0') {
        errors.insert("id".to_owned(), t("input-error-nul"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidService {
        id: form.id.clone(),
        titles,
        descriptions,
        packages: form.packages.clone(),
        min_level,
        confidential: form.checked("confidential"),
        attachment_package,
        reminder_days,
        texts,
    })
}

/// The columns the form sets, for both insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = services)]
#[diesel(treat_none_as_null = true)]
struct ServiceValues<'a> {
    title_nb: &'a str,
    title_nn: &'a str,
    title_en: &'a str,
    description_nb: &'a str,
    description_nn: &'a str,
    description_en: &'a str,
    required_packages: &'a [String],
    min_login_level: i16,
    is_confidential: bool,
    attachment_package_id: Option<&'a str>,
}

enum Saved {
    Done,
    /// Another service has the id.
    Taken,
}

fn store(
    conn: &mut PgConnection,
    owner: i64,
    person: i64,
    editing: bool,
    s: &ValidService,
) -> Result<Saved, AppError> {
    conn.transaction(|conn| {
        let delay = diesel::dsl::sql::<diesel::sql_types::Interval>(&format!(
            "interval '{} days'",
            s.reminder_days
        ));
        let values = ServiceValues {
            title_nb: &s.titles[0],
            title_nn: &s.titles[1],
            title_en: &s.titles[2],
            description_nb: &s.descriptions[0],
            description_nn: &s.descriptions[1],
            description_en: &s.descriptions[2],
            required_packages: &s.packages,
            min_login_level: s.min_level,
            is_confidential: s.confidential,
            attachment_package_id: s.attachment_package.as_deref(),
        };
        if editing {
            let n = diesel::update(
                services::table
                    .filter(services::id.eq(&s.id))
                    .filter(services::owner_id.eq(owner))
                    .filter(services::kind.eq("correspondence")),
            )
            .set((
                &values,
                services::reminder_delay.eq(delay),
                services::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
        } else {
            let n = diesel::insert_into(services::table)
                .values((
                    services::id.eq(&s.id),
                    services::owner_id.eq(owner),
                    values,
                    services::reminder_delay.eq(delay),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            if n == 0 {
                return Ok(Saved::Taken);
            }
        }
        diesel::delete(
            service_notification_texts::table
                .filter(service_notification_texts::service_id.eq(&s.id)),
        )
        .execute(conn)?;
        for (kind, lang, subject, body, sms) in &s.texts {
            diesel::insert_into(service_notification_texts::table)
                .values((
                    service_notification_texts::service_id.eq(&s.id),
                    service_notification_texts::kind.eq(kind),
                    service_notification_texts::language.eq(lang),
                    service_notification_texts::email_subject.eq(subject),
                    service_notification_texts::email_body.eq(body),
                    service_notification_texts::sms_text.eq(sms),
                ))
                .execute(conn)?;
        }
        let mut entry = crate::audit::Entry::new(if editing {
            "service_updated"
        } else {
            "service_created"
        });
        entry.actor = Some(person);
        entry.acting_for = Some(owner);
        entry.target = Some(("service", s.id.clone()));
        crate::audit::record(conn, entry)?;
        Ok(Saved::Done)
    })
}

/// Creates (`editing` absent) or updates a service; errors go back to the form by the field.
#[post("/admin/services")]
pub(super) async fn save(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<EditQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = ServiceForm::parse(&body);
    let editing = form.checked("editing");
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let owner_id = query.owner;
    let person = user.person_id;
    let outcome = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, person, owner_id)?;
        let packages = package_choices(&mut conn, lang, &form)?;
        let mut errors = match validate(&form, &packages, lang) {
            Ok(valid) => match store(&mut conn, owner.id, person, editing, &valid)? {
                Saved::Done => return Ok(Err(owner.id)),
                Saved::Taken => {
                    HashMap::from([("id".to_owned(), i18n::text(lang, "service-error-taken"))])
                }
            },
            Err(errors) => errors,
        };
        errors.shrink_to_fit();
        Ok(Ok((owner, packages, form, errors)))
    })
    .await?;
    match outcome {
        Err(owner) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/admin/services?owner={owner}&done=saved"),
            ))
            .finish()),
        Ok((owner, packages, form, errors)) => crate::web::render_status(
            &FormPage {
                ctx,
                owner,
                editing,
                form,
                errors,
                packages,
            },
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}
