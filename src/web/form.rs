//! A form extractor that reads what browsers and careless clients send without a generic error:
//! a name given twice counts once (the first), unknown names are ignored, and every field of the
//! target that has a default (or is an `Option`) may be missing. What is wrong with a value is the handler's to say
//! next to its field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::web::AppError;

/// The largest form body read (forms carry text, not files).
const LIMIT: usize = 256 * 1024;

/// An urlencoded form body, read leniently into `T` (whose fields are strings).
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Form<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The pairs of `body`, each name once (its first value).
pub fn first_values(body: &[u8]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if !pairs.iter().any(|(n, _)| *n == name) {
            pairs.push((name.into_owned(), value.into_owned()));
        }
    }
    pairs
}

/// `T` (whose fields are strings) from urlencoded text, read leniently as [`Form`] does: each
/// name once, its first value; unknown names ignored.
pub fn lenient<T: DeserializeOwned>(urlencoded: &[u8]) -> Result<T, String> {
    // The first values, encoded again, read by actix's own query reader (options, numbers).
    let first = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(first_values(urlencoded))
        .finish();
    web::Query::<T>::from_query(&first)
        .map(web::Query::into_inner)
        .map_err(|e| e.to_string())
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|e| AppError::BadRequest(format!("the form: {e}")))?;
            if body.len() > LIMIT {
                return Err(AppError::BadRequest("the form is too large".to_owned()));
            }
            lenient(&body)
                .map(Form)
                .map_err(|e| AppError::BadRequest(format!("the form: {e}")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::first_values;

    #[test]
    fn each_name_counts_once() {
        assert_eq!(
            first_values(b"a=1&b=2&a=3&c"),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned()),
                ("c".to_owned(), String::new())
            ]
        );
    }
}

/// One line of a form's error summary: the message, linking to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryItem {
    /// The id of the element the link goes to (the field's input).
    pub anchor: String,
    pub message: String,
}

/// The error summary of a form, in the order the fields appear (`order`); fields not listed
/// follow by name. `anchors` names the element of fields that are a group (the first box of a
/// fieldset), when it is not the field's own id.
pub fn summary(
    errors: &std::collections::HashMap<String, String>,
    order: &[&str],
    anchors: &[(&str, &str)],
) -> Vec<SummaryItem> {
    let mut fields: Vec<&String> = errors.keys().collect();
    fields.sort_by_key(|f| {
        (
            order.iter().position(|o| o == f).unwrap_or(order.len()),
            f.as_str(),
        )
    });
    fields
        .into_iter()
        .map(|field| SummaryItem {
            anchor: anchors
                .iter()
                .find(|(f, _)| f == field)
                .map_or_else(|| field.clone(), |(_, a)| (*a).to_owned()),
            message: errors[field].clone(),
        })
        .collect()
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn the_summary_follows_the_form_and_links_groups_to_their_first_box() {
        let errors = std::collections::HashMap::from([
            ("title".to_owned(), "Skriv en tittel.".to_owned()),
            ("zeta".to_owned(), "Z".to_owned()),
            ("packages".to_owned(), "Velg en pakke.".to_owned()),
            ("alpha".to_owned(), "A".to_owned()),
        ]);
        let items = summary(
            &errors,
            &["packages", "title"],
            &[("packages", "package-1")],
        );
        let anchors: Vec<&str> = items.iter().map(|i| i.anchor.as_str()).collect();
        assert_eq!(anchors, ["package-1", "title", "alpha", "zeta"]);
        assert_eq!(items[1].message, "Skriv en tittel.");
    }
}
