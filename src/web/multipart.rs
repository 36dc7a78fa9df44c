//! Reading multipart forms: text fields, bounded.

use futures_util::TryStreamExt;

use crate::web::AppError;

/// A text field of a multipart form, at most 64 KiB.
pub async fn text_field(
    field: &mut actix_multipart::Field,
    name: &str,
) -> Result<String, AppError> {
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
    Ok(String::from_utf8_lossy(&value).into_owned())
}
