//! Objects from storage as downloads, whole or by one byte range (`Range: bytes=a-b`, `a-`,
//! `-n`), streamed: what the inbox, the Correspondence API and the Broker API send.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::TryStreamExt;

use crate::storage::{Storage, StorageError};
use crate::web::AppError;

/// A `Range` that cannot be satisfied (416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// The byte range a `Range` header asks for in an object of `size` bytes: `None` for the whole
/// object (no header, or one we do not serve by range: several ranges, another unit), `Err` when
/// it cannot be satisfied.
pub fn parse_range(
    header: Option<&str>,
    size: u64,
) -> Result<Option<std::ops::Range<u64>>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (first, last) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        // The last n bytes.
        let n: u64 = last.parse().map_err(|_| Unsatisfiable)?;
        if n == 0 {
            return Err(Unsatisfiable);
        }
        size.saturating_sub(n)..size
    } else {
        let start: u64 = first.parse().map_err(|_| Unsatisfiable)?;
        let end = if last.is_empty() {
            size
        } else {
            let last: u64 = last.parse().map_err(|_| Unsatisfiable)?;
            if last < start {
                return Err(Unsatisfiable);
            }
            last.saturating_add(1).min(size)
        };
        start..end
    };
    if range.start >= size {
        return Err(Unsatisfiable);
    }
    Ok(Some(range))
}

/// The object `key` (`size` bytes) as a download, honouring one `Range`.
pub async fn object_response(
    req: &HttpRequest,
    storage: &Storage,
    key: &str,
    size: u64,
    content_type: &str,
    disposition: ContentDisposition,
) -> Result<HttpResponse, AppError> {
    let asked = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    let range = match parse_range(asked, size) {
        Ok(range) => range,
        Err(Unsatisfiable) => {
            return Ok(HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .finish());
        }
    };
    let stream = storage
        .read(key, range.clone())
        .await
        .map_err(|e| match e {
            StorageError::NotFound => {
                tracing::error!(key, "a stored object is missing");
                AppError::Internal(anyhow::anyhow!("a stored object is missing"))
            }
            other => AppError::Internal(other.into()),
        })?
        .map_err(std::io::Error::other);
    let mut response = match &range {
        Some(r) => {
            let mut b = HttpResponse::build(StatusCode::PARTIAL_CONTENT);
            b.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", r.start, r.end - 1),
            ));
            b
        }
        None => HttpResponse::Ok(),
    };
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    Ok(response
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
        .insert_header(disposition)
        .no_chunking(length)
        .streaming(stream))
}

#[cfg(test)]
mod tests {
    use super::{Unsatisfiable, parse_range};

    #[test]
    fn ranges_as_http_reads_them() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-4"), 10), Ok(Some(0..5)));
        assert_eq!(parse_range(Some("bytes=5-"), 10), Ok(Some(5..10)));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some(7..10)));
        assert_eq!(parse_range(Some("bytes=-30"), 10), Ok(Some(0..10)));
        assert_eq!(parse_range(Some("bytes=8-100"), 10), Ok(Some(8..10)));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=-0"), 10), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=x-"), 10), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Ok(None));
        assert_eq!(parse_range(Some("items=0-1"), 10), Ok(None));
    }
}
