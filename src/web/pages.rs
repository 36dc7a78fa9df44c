//! Pages that belong to no slice: the accessibility statement and the language switch.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::Language;
use crate::state::AppState;
use crate::web::context::LANG_COOKIE;
use crate::web::{AppError, PageCtx, render};

#[derive(Template)]
#[template(path = "pages/accessibility.html")]
struct AccessibilityPage {
    ctx: PageCtx,
}

#[get("/accessibility")]
pub async fn accessibility(ctx: PageCtx) -> Result<HttpResponse, AppError> {
    render(&AccessibilityPage { ctx })
}

#[derive(Deserialize)]
pub struct ReturnTo {
    return_to: Option<String>,
}

/// Sets the language cookie and goes back. A plain link, so it works without JavaScript; it
/// changes only a display preference, so it needs no CSRF token.
#[get("/language/{code}")]
pub async fn switch_language(
    code: web::Path<String>,
    query: web::Query<ReturnTo>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let lang: Language = code.parse().map_err(|()| AppError::NotFound)?;
    let target = query
        .return_to
        .as_deref()
        .filter(|p| is_local_path(p))
        .unwrap_or("/");
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(state.config.secure_cookies)
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, target.to_owned()))
        .finish())
}

/// Only paths on this site: no scheme, no host, no protocol-relative `//` or `/\` tricks.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local_path("/inbox?folder=archive"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/a\r\nSet-Cookie: x"));
    }
}

/// The check step before something that cannot be undone (removing access, withdrawing
/// messages): what will happen, to whom, and the same form again with `confirmed=yes`.
#[derive(Template)]
#[template(path = "layout/confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageCtx,
    pub heading: String,
    pub text: String,
    /// Where the confirmed form posts (the action that asked).
    pub action: String,
    pub confirm_label: String,
    /// Where "cancel" goes back to.
    pub cancel: String,
    /// The header's acting party, when the page acts for an organisation.
    pub acting: Option<(String, String)>,
}

/// The form field a confirmed action carries.
#[derive(Debug, Default, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    pub confirmed: String,
}

impl Confirmation {
    pub fn given(&self) -> bool {
        self.confirmed == "yes"
    }
}
