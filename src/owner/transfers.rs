//! Formidling on the service owner's pages: the owner's file-transfer services, the newest
//! transfers with them and each recipient's status, and one form for creating and editing a
//! file-transfer service (titles in three languages, who may send and receive, the limits).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::owner;
use crate::domain::Language;
use crate::sending::owners::Owner;
use crate::state::AppState;
use crate::transfer::admin::{self, ServiceRow, ServiceSettings, TransferRow};
use crate::web::i18n;
use crate::web::user::CurrentUser;
use crate::web::{AppError, PageCtx, blocking, render};

#[derive(Deserialize)]
pub(super) struct OwnerQuery {
    owner: i64,
    done: Option<String>,
}

/// A recipient and its status, for the list.
pub(super) struct RecipientView {
    name: String,
    status: String,
}

pub(super) struct TransferView {
    file_name: String,
    service: String,
    sender: String,
    created: String,
    status: String,
    size: String,
    recipients: Vec<RecipientView>,
}

#[derive(Template)]
#[template(path = "owner/transfers.html")]
struct ListPage {
    ctx: PageCtx,
    owner: Owner,
    services: Vec<ServiceRow>,
    transfers: Vec<TransferView>,
    done: bool,
}

impl ListPage {
    fn size_of(&self, s: &ServiceRow) -> String {
        megabytes(s.max_file_size)
    }
}

fn megabytes(bytes: i64) -> String {
    let mib = bytes as f64 / (1024.0 * 1024.0);
    if mib >= 1024.0 {
        let gib = mib / 1024.0;
        if gib.fract() == 0.0 {
            format!("{gib:.0} GiB")
        } else {
            format!("{gib:.1} GiB")
        }
    } else if mib >= 1.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{:.0} KiB", (bytes as f64 / 1024.0).ceil())
    }
}

fn view(lang: Language, t: TransferRow) -> TransferView {
    let status = match t.status_detail.as_deref() {
        Some(detail) if t.status == "Purged" || t.status == "Failed" => format!(
            "{} ({detail})",
            i18n::text(lang, &format!("transfer-status-{}", t.status))
        ),
        _ => i18n::text(lang, &format!("transfer-status-{}", t.status)),
    };
    TransferView {
        file_name: t.file_name,
        service: t.service,
        sender: t.sender,
        created: crate::domain::time::in_oslo(&t.created_at)
            .format("%d.%m.%Y %H:%M")
            .to_string(),
        status,
        size: t.size_bytes.map(megabytes).unwrap_or_default(),
        recipients: t
            .recipients
            .iter()
            .map(|r| {
                let (name, status) = r.rsplit_once('|').unwrap_or((r.as_str(), ""));
                RecipientView {
                    name: name.to_owned(),
                    status: i18n::text(lang, &format!("transfer-recipient-{status}")),
                }
            })
            .collect(),
    }
}

#[get("/admin/transfers")]
pub(super) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<OwnerQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let owner_id = query.owner;
    let (owner, services, transfers) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let services = admin::services(&mut conn, owner.id, lang)?;
        let transfers = admin::transfers(&mut conn, owner.id, lang, 50)?;
        Ok((owner, services, transfers))
    })
    .await?;
    render(&ListPage {
        ctx,
        owner,
        services,
        transfers: transfers.into_iter().map(|t| view(lang, t)).collect(),
        done: query.done.is_some(),
    })
}

/// The form as typed (kept on errors).
#[derive(Default, Clone)]
pub(super) struct Form {
    fields: HashMap<String, String>,
    packages: Vec<String>,
}

impl Form {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    fn of(s: &ServiceSettings) -> Self {
        let mut fields = HashMap::new();
        fields.insert("id".to_owned(), s.id.clone());
        for (i, l) in ["nb", "nn", "en"].iter().enumerate() {
            fields.insert(format!("title_{l}"), s.titles[i].clone());
        }
        fields.insert("senders".to_owned(), s.senders.clone());
        fields.insert("recipients".to_owned(), s.recipients.clone());
        fields.insert("max_megabytes".to_owned(), s.max_megabytes.to_string());
        fields.insert("ttl_days".to_owned(), s.time_to_live_days.to_string());
        fields.insert("grace_hours".to_owned(), s.grace_hours.to_string());
        if s.purge_after_all_confirmed {
            fields.insert("purge".to_owned(), "1".to_owned());
        }
        if s.manifest_expected {
            fields.insert("manifest".to_owned(), "1".to_owned());
        }
        Form {
            fields,
            packages: s.packages.clone(),
        }
    }

    fn parse(body: &[u8]) -> Self {
        let mut form = Form::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            if key == "packages" {
                form.packages.push(value.into_owned());
            } else {
                form.fields.insert(key.into_owned(), value.into_owned());
            }
        }
        form
    }
}

#[derive(Template)]
#[template(path = "owner/transfer_service_form.html")]
struct FormPage {
    ctx: PageCtx,
    owner: Owner,
    editing: bool,
    form: Form,
    errors: HashMap<String, String>,
    packages: Vec<admin::PackageOption>,
}

impl FormPage {
    fn chosen(&self, package: &str) -> bool {
        self.form.packages.iter().any(|p| p == package)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    fn error_items(&self) -> Vec<crate::web::form::SummaryItem> {
        crate::web::form::summary(
            &self.errors,
            &[
                "id",
                "title_nb",
                "title_nn",
                "title_en",
                "senders",
                "packages",
                "max_megabytes",
                "ttl_days",
                "grace_hours",
            ],
            &[("senders", "senders-owner"), ("packages", "packages-first")],
        )
    }
}

/// The form's values checked, each problem next to its field.
fn validate(
    form: &Form,
    packages: &[admin::PackageOption],
    lang: Language,
) -> Result<ServiceSettings, HashMap<String, String>> {
    let mut errors = HashMap::new();
    if form
        .packages
        .iter()
        .any(|p| !packages.iter().any(|o| &o.id == p))
    {
        errors.insert(
            "packages".to_owned(),
            i18n::text(lang, "service-error-packages"),
        );
    }
    let id = form.get("id").trim().to_owned();
    if id.is_empty()
        || id.len() > 100
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.insert("id".to_owned(), i18n::text(lang, "service-error-id"));
    }
    let mut titles: [String; 3] = Default::default();
    for (i, l) in ["nb", "nn", "en"].iter().enumerate() {
        let title = form.get(&format!("title_{l}")).trim();
        if title.is_empty() || title.chars().count() > 255 || title.chars().any(char::is_control) {
            // The summary lists all three: each says which language it is about.
            errors.insert(
                format!("title_{l}"),
                format!(
                    "{} ({})",
                    i18n::text(lang, "service-error-title"),
                    i18n::text(lang, &format!("language-name-{l}"))
                ),
            );
        }
        titles[i] = title.to_owned();
    }
    let number = |name: &str, max: i64, min: i64, errors: &mut HashMap<String, String>| match form
        .get(name)
        .trim()
        .parse::<i64>()
    {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errors.insert(
                name.to_owned(),
                i18n::text_with(
                    lang,
                    "transfer-error-number",
                    &[("min", min.to_string()), ("max", max.to_string())],
                ),
            );
            0
        }
    };
    let max_megabytes = number("max_megabytes", admin::MAX_MEGABYTES, 1, &mut errors);
    let time_to_live_days = number("ttl_days", admin::MAX_DAYS, 1, &mut errors);
    let grace_hours = number("grace_hours", admin::MAX_GRACE_HOURS, 0, &mut errors);
    let senders = form.get("senders");
    let recipients = form.get("recipients");
    if !matches!(senders, "owner" | "any") || !matches!(recipients, "owner" | "any") {
        errors.insert("senders".to_owned(), i18n::text(lang, "transfer-error-who"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ServiceSettings {
        id,
        titles,
        senders: senders.to_owned(),
        recipients: recipients.to_owned(),
        max_megabytes,
        time_to_live_days,
        purge_after_all_confirmed: form.checked("purge"),
        grace_hours,
        manifest_expected: form.checked("manifest"),
        packages: form.packages.clone(),
    })
}

#[derive(Deserialize)]
pub(super) struct EditQuery {
    owner: i64,
}

#[get("/admin/transfers/services/new")]
pub(super) async fn new_form(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<EditQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let lang = ctx.lang;
    let (owner, packages) = blocking(move || {
        let mut conn = pool.get()?;
        Ok((
            owner(&mut conn, user.person_id, owner_id)?,
            admin::package_options(&mut conn, lang)?,
        ))
    })
    .await?;
    let form = Form::of(&ServiceSettings {
        senders: "owner".to_owned(),
        recipients: "any".to_owned(),
        max_megabytes: 10 * 1024,
        time_to_live_days: 30,
        purge_after_all_confirmed: true,
        grace_hours: 2,
        ..ServiceSettings::default()
    });
    render(&FormPage {
        ctx,
        owner,
        editing: false,
        form,
        errors: HashMap::new(),
        packages,
    })
}

#[get("/admin/transfers/services/{id}")]
pub(super) async fn edit_form(
    ctx: PageCtx,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let owner_id = query.owner;
    let id = path.into_inner();
    let lang = ctx.lang;
    let (owner, settings, packages) = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, user.person_id, owner_id)?;
        let settings = admin::load(&mut conn, owner.id, &id)?.ok_or(AppError::NotFound)?;
        let packages = admin::package_options(&mut conn, lang)?;
        Ok((owner, settings, packages))
    })
    .await?;
    render(&FormPage {
        ctx,
        owner,
        editing: true,
        form: Form::of(&settings),
        errors: HashMap::new(),
        packages,
    })
}

/// Creates or updates a file-transfer service; problems go back to the form by the field.
#[post("/admin/transfers/services")]
pub(super) async fn save(
    ctx: PageCtx,
    user: CurrentUser,
    query: web::Query<EditQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = Form::parse(&body);
    let editing = form.checked("editing");
    let pool = state.pool.clone();
    let lang = ctx.lang;
    let owner_id = query.owner;
    let person = user.person_id;
    let outcome = blocking(move || {
        let mut conn = pool.get()?;
        let owner = owner(&mut conn, person, owner_id)?;
        let packages = admin::package_options(&mut conn, lang)?;
        let errors = match validate(&form, &packages, lang) {
            Ok(valid) => {
                if admin::save(&mut conn, owner.id, &valid, !editing)? {
                    let mut entry = crate::audit::Entry::new(if editing {
                        "file_transfer_service_updated"
                    } else {
                        "file_transfer_service_created"
                    });
                    entry.actor = Some(person);
                    entry.acting_for = Some(owner.id);
                    entry.target = Some(("service", valid.id.clone()));
                    crate::audit::record(&mut conn, entry)?;
                    return Ok(Err(owner.id));
                }
                if editing {
                    return Err(AppError::NotFound);
                }
                HashMap::from([("id".to_owned(), i18n::text(lang, "service-error-taken"))])
            }
            Err(errors) => errors,
        };
        Ok(Ok((owner, form, errors, packages)))
    })
    .await?;
    match outcome {
        Err(owner) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/admin/transfers?owner={owner}&done=saved"),
            ))
            .finish()),
        Ok((owner, form, errors, packages)) => crate::web::render_status(
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
