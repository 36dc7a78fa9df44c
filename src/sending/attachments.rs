//! Attachments uploaded by a service owner: checked by name and type (the domain's rules),
//! streamed to storage while their SHA-256 is computed (never held whole), and reusable by later
//! messages.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::attachments;
use crate::storage::Storage;

/// The largest attachment accepted (domain.md: 2 GB by default).
pub const MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Allowed extensions and the media type each is stored and served with.
const TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("txt", "text/plain"),
    ("html", "text/html"),
    ("xml", "application/xml"),
    ("json", "application/json"),
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pps", "application/vnd.ms-powerpoint"),
    ("zip", "application/zip"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("bmp", "image/bmp"),
    ("dcm", "application/dicom"),
    ("dicom", "application/dicom"),
];

/// Why a file name is refused (the translation key says it to the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    Characters,
    Reserved,
    Extension,
}

impl NameError {
    pub fn key(self) -> &'static str {
        match self {
            NameError::Empty => "attachment-error-empty-name",
            NameError::TooLong => "attachment-error-long-name",
            NameError::Characters => "attachment-error-characters",
            NameError::Reserved => "attachment-error-reserved",
            NameError::Extension => "attachment-error-extension",
        }
    }
}

/// Checks a file name and returns the media type its extension gives.
pub fn check_name(name: &str) -> Result<&'static str, NameError> {
    if name.trim().is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > 255 {
        return Err(NameError::TooLong);
    }
    if name
        .chars()
        .any(|c| c.is_control() || "<>:\"/\\|?*".contains(c))
    {
        return Err(NameError::Characters);
    }
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem[3..].chars().all(|c| ('1'..='9').contains(&c)));
    if reserved {
        return Err(NameError::Reserved);
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    TYPES
        .iter()
        .find(|(e, _)| Some(*e) == ext.as_deref())
        .map(|(_, t)| *t)
        .ok_or(NameError::Extension)
}

/// An upload that could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file name is not allowed")]
    Name(NameError),
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large")]
    TooLarge,
    #[error(transparent)]
    Stream(anyhow::Error),
}

pub use crate::storage::Written;

impl From<crate::storage::WriteError> for UploadError {
    fn from(err: crate::storage::WriteError) -> Self {
        use crate::storage::WriteError;
        match err {
            WriteError::Empty => UploadError::Empty,
            WriteError::TooLarge => UploadError::TooLarge,
            other => UploadError::Stream(other.into()),
        }
    }
}

/// Streams `data` to the object `key`, hashing as it goes (SHA-256 always, MD5 for senders who
/// give one), refusing empty and oversized files. Nothing is stored on any failure.
pub async fn write_stream<S, E>(
    storage: &Storage,
    key: &str,
    data: S,
) -> Result<Written, UploadError>
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    Ok(storage.write_hashed(key, data, MAX_BYTES, true).await?)
}

/// An upload stored and recorded.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: Uuid,
    /// MD5 of the bytes, hex: what Altinn's clients give as the checksum.
    pub md5: String,
}

/// Streams `data` to storage under a new key, hashing as it goes, and records the attachment
/// as published for `owner`. Nothing is recorded (and the file is removed) on any failure.
pub async fn store<S, E>(
    pool: &crate::db::PgPool,
    storage: &Storage,
    owner: i64,
    person: Option<i64>,
    name: &str,
    data: S,
) -> Result<Stored, UploadError>
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let media_type = check_name(name).map_err(UploadError::Name)?;
    let id = Uuid::now_v7();
    let key = format!("{owner}/{id}");
    let Written { size, sha256, md5 } = write_stream(storage, &key, data).await?;
    let pool = pool.clone();
    let name = name.to_owned();
    let stored_key = key.clone();
    let stored = actix_web::web::block(move || -> anyhow::Result<()> {
        let mut conn = pool.get()?;
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(id),
                attachments::owner_id.eq(owner),
                attachments::name.eq(name),
                attachments::media_type.eq(media_type),
                attachments::size_bytes.eq(size as i64),
                attachments::sha256.eq(sha256),
                attachments::storage_key.eq(stored_key),
                attachments::state.eq("published"),
                attachments::created_by.eq(person),
                attachments::uploaded_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)?;
        Ok(())
    })
    .await;
    match stored {
        Ok(Ok(())) => Ok(Stored { id, md5 }),
        Ok(Err(e)) => {
            let _ = storage.delete(&key).await;
            Err(UploadError::Stream(e))
        }
        Err(e) => {
            let _ = storage.delete(&key).await;
            Err(UploadError::Stream(e.into()))
        }
    }
}

/// An uploaded attachment the owner may attach.
#[derive(Queryable, Debug, Clone)]
pub struct Uploaded {
    pub id: Uuid,
    pub name: String,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
}

/// The owner's most recent uploads (to pick again).
pub fn recent(conn: &mut PgConnection, owner: i64) -> QueryResult<Vec<Uploaded>> {
    attachments::table
        .filter(attachments::owner_id.eq(owner))
        .filter(attachments::state.eq("published"))
        .order((attachments::created_at.desc(), attachments::id.desc()))
        .select((
            attachments::id,
            attachments::name,
            attachments::size_bytes,
            attachments::created_at,
        ))
        .limit(50)
        .load(conn)
}

/// Which of `ids` are the owner's published uploads.
pub fn owned(conn: &mut PgConnection, owner: i64, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    attachments::table
        .filter(attachments::owner_id.eq(owner))
        .filter(attachments::state.eq("published"))
        .filter(attachments::id.eq_any(ids))
        .select(attachments::id)
        .load(conn)
}

/// Uploads whose time ran out (their process was lost mid-stream) are failed; the sender sees
/// `Failed` and describes the attachment again. Returns the storage keys to remove (an object
/// may have been written just before the process was lost).
pub fn fail_stalled_uploads(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    let failed: Vec<(Uuid, String)> = diesel::update(
        attachments::table
            .filter(attachments::state.eq("uploading"))
            .filter(attachments::expires_at.lt(diesel::dsl::now)),
    )
    .set(attachments::state.eq("failed"))
    .returning((attachments::id, attachments::storage_key))
    .get_results(conn)?;
    for (id, _) in &failed {
        // Messages that waited for it fail with it.
        super::store::attachment_settled(conn, *id, false)?;
    }
    Ok(failed.into_iter().map(|(_, key)| key).collect())
}

#[cfg(test)]
mod tests {
    use super::{NameError, check_name};

    #[test]
    fn file_names_follow_the_rules() {
        assert_eq!(check_name("vedtak.pdf"), Ok("application/pdf"));
        assert_eq!(check_name("Bilde.JPG"), Ok("image/jpeg"));
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name("a<b.pdf"), Err(NameError::Characters));
        assert_eq!(check_name("con.pdf"), Err(NameError::Reserved));
        assert_eq!(check_name("COM1.txt"), Err(NameError::Reserved));
        assert_eq!(check_name("COM10.txt"), Ok("text/plain"));
        assert_eq!(check_name("program.exe"), Err(NameError::Extension));
        assert_eq!(check_name("uten-endelse"), Err(NameError::Extension));
        assert_eq!(
            check_name(&format!("{}.pdf", "x".repeat(252))),
            Err(NameError::TooLong)
        );
    }
}
