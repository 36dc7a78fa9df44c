//! What every page needs to render its chrome: language, path, correlation id, mode.

use std::future::{Ready, ready};

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::domain::Language;
use crate::state::AppState;
use crate::web::csrf;
use crate::web::i18n;
use crate::web::user::{Acting, CurrentUser};

pub const LANG_COOKIE: &str = "melding_lang";

/// The request-level facts templates use; built by the extractor, never by templates.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Language,
    /// Path and query of this page, for the language switch's way back.
    pub path: String,
    pub correlation_id: String,
    pub demo: bool,
    /// The logged-in person, if any.
    pub user: Option<CurrentUser>,
    /// Whom the logged-in person acts for (none before the first choice: themselves).
    pub acting: Option<Acting>,
    /// The session's CSRF token, for the forms the page renders.
    pub csrf_token: Option<String>,
}

impl PageCtx {
    pub fn from_request(req: &HttpRequest) -> Self {
        let demo = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.config.is_demo());
        let correlation_id = req
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let path = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        let session = req.get_session();
        PageCtx {
            lang: language_of(req),
            path,
            correlation_id,
            demo,
            user: CurrentUser::from_session(&session),
            acting: Acting::from_session(&session),
            csrf_token: csrf::current_token(&session),
        }
    }

    /// Records whom the user acts for from now on, and shows it on this page already.
    pub fn act_for(&mut self, session: &actix_session::Session, acting: Acting) {
        acting.remember(session);
        self.acting = Some(acting);
    }

    /// Translated text for `key`.
    pub fn t(&self, key: &str) -> String {
        i18n::text(self.lang, key)
    }

    /// Translated text for `key` with one named argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        i18n::text_with(self.lang, key, &[(name, value.to_owned())])
    }

    /// Translated text for `key` with two named arguments.
    pub fn t2(
        &self,
        key: &str,
        name: &'static str,
        value: &str,
        name2: &'static str,
        value2: &str,
    ) -> String {
        i18n::text_with(
            self.lang,
            key,
            &[(name, value.to_owned()), (name2, value2.to_owned())],
        )
    }

    /// The login link that comes back to this page.
    pub fn login_link(&self) -> String {
        let back = if self.path.starts_with("/logged-out") || self.path.starts_with("/auth/") {
            "/"
        } else {
            &self.path
        };
        format!("/login?return_to={}", encode_component(back))
    }

    /// The languages to offer in the switch, with the link that selects each.
    pub fn language_links(&self) -> Vec<LanguageLink> {
        Language::ALL
            .into_iter()
            .map(|l| LanguageLink {
                code: l.code(),
                name: l.native_name(),
                href: format!(
                    "/language/{}?return_to={}",
                    l.code(),
                    encode_component(&self.path)
                ),
                current: l == self.lang,
            })
            .collect()
    }
}

pub struct LanguageLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// The cookie's choice, else the browser's, else bokmål.
pub fn language_of(req: &HttpRequest) -> Language {
    req.cookie(LANG_COOKIE)
        .and_then(|c| c.value().parse().ok())
        .or_else(|| {
            req.headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(i18n::negotiate)
        })
        .unwrap_or_default()
}

/// Percent-encodes everything but unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl FromRequest for PageCtx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(PageCtx::from_request(req)))
    }
}
