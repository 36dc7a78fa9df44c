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

/// One stored piece of a download: the object `key` holds bytes `start..start + length` of it.
#[derive(Debug, Clone)]
pub struct Piece {
    pub key: String,
    pub start: u64,
    pub length: u64,
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
    let piece = Piece {
        key: key.to_owned(),
        start: 0,
        length: size,
    };
    pieces_response(req, storage, vec![piece], size, content_type, disposition).await
}

/// A file stored as consecutive pieces (`size` bytes in all) as one download, honouring one
/// `Range`: only the pieces the range touches are read, each only as far as needed.
pub async fn pieces_response(
    req: &HttpRequest,
    storage: &Storage,
    pieces: Vec<Piece>,
    size: u64,
    content_type: &str,
    disposition: ContentDisposition,
) -> Result<HttpResponse, AppError> {
    use futures_util::StreamExt;
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
    let wanted = range.clone().unwrap_or(0..size);
    // Each touched piece with the part of it inside the range (relative to the piece).
    let reads: Vec<(String, std::ops::Range<u64>)> = pieces
        .into_iter()
        .filter_map(|p| {
            let from = wanted.start.max(p.start);
            let to = wanted.end.min(p.start + p.length);
            (from < to).then(|| (p.key, from - p.start..to - p.start))
        })
        .collect();
    // The first read is opened now, so a missing object is an error before the headers go.
    let mut reads = reads.into_iter();
    let first = match reads.next() {
        Some((key, part)) => Some(open(storage, &key, part).await?),
        None => None,
    };
    let storage = storage.clone();
    let rest = futures_util::stream::iter(reads)
        .then(move |(key, part)| {
            let storage = storage.clone();
            async move {
                match storage.read(&key, Some(part)).await {
                    Ok(stream) => stream.map_err(std::io::Error::other).boxed(),
                    Err(e) => {
                        futures_util::stream::once(async move { Err(std::io::Error::other(e)) })
                            .boxed()
                    }
                }
            }
        })
        .flatten();
    let body = futures_util::stream::iter(first).flatten().chain(rest);
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
    let length = wanted.end - wanted.start;
    Ok(response
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
        .insert_header(disposition)
        .no_chunking(length)
        .streaming(body))
}

async fn open(
    storage: &Storage,
    key: &str,
    part: std::ops::Range<u64>,
) -> Result<
    futures_util::stream::BoxStream<'static, Result<actix_web::web::Bytes, std::io::Error>>,
    AppError,
> {
    use futures_util::StreamExt;
    let stream = storage.read(key, Some(part)).await.map_err(|e| match e {
        StorageError::NotFound => {
            tracing::error!(key, "a stored object is missing");
            AppError::Internal(anyhow::anyhow!("a stored object is missing"))
        }
        other => AppError::Internal(other.into()),
    })?;
    Ok(stream.map_err(std::io::Error::other).boxed())
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
