//! Reading multipart forms: text fields, bounded.

use futures_util::TryStreamExt;

use crate::web::AppError;

/// A text field of a multipart form as sent.
pub struct FieldText {
    /// The text; when it was not UTF-8, with the bad bytes replaced (to show back with a
    /// message, never to store).
    pub text: String,
    pub utf8: bool,
}

/// A text field of a multipart form, at most 64 KiB.
pub async fn text_field(
    field: &mut actix_multipart::Field,
    name: &str,
) -> Result<FieldText, AppError> {
    let mut value = Vec::new();
    while let Some(chunk) = field
        .try_next()
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?
    {
        value.extend_from_slice(&chunk);
        if value.len() > 64 * 1024 {
            return Err(AppError::BadRequest(format!(
                "the field {name} is too long"
            )));
        }
    }
    Ok(match String::from_utf8(value) {
        Ok(text) => FieldText { text, utf8: true },
        Err(e) => FieldText {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            utf8: false,
        },
    })
}
