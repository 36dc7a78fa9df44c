//! Attachments for a sender system, in Altinn's two steps: describe it (`POST /attachment`), then
//! stream its bytes (`POST /attachment/{id}/upload`), checked against the sender's MD5 when given
//! and stored with our SHA-256. An uploaded attachment can be used by any number of messages
//! (`existingAttachments`); it can be deleted only while no message uses it.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::problem::Problem;
use super::sender::{as_owner, as_sender};
use super::{WRITE, authenticate};
use crate::db::schema::{attachments, correspondence_attachments};
use crate::sending::attachments::{UploadError, Written, check_name, write_stream};
use crate::state::AppState;
use crate::web::blocking;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewAttachment {
    file_name: String,
    /// Altinn's name shown in the inbox; melding shows the file name (accepted, not stored).
    #[allow(dead_code)]
    display_name: Option<String>,
    /// Altinn's flag for encrypted content (accepted, not acted on).
    #[allow(dead_code)]
    is_encrypted: Option<bool>,
    /// Altinn's sending organisation (`urn:altinn:organization:identifier-no:` or `0192:`);
    /// melding takes the owner from the token and the service.
    #[allow(dead_code)]
    sender: Option<String>,
    /// The service the attachment is for: says which service owner it belongs to when the
    /// client sends for several (a distributor).
    resource_id: Option<String>,
    senders_reference: Option<String>,
    /// MD5 of the file, hex (32 characters), checked when the bytes arrive.
    checksum: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = attachments)]
struct Row {
    id: Uuid,
    owner_id: i64,
    name: String,
    media_type: String,
    size_bytes: i64,
    sha256: Option<String>,
    sender_md5: Option<String>,
    storage_key: String,
    state: String,
    senders_reference: Option<String>,
    created_at: DateTime<Utc>,
    uploaded_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AttachmentOverview)]
pub(super) struct Overview {
    attachment_id: Uuid,
    file_name: String,
    data_type: String,
    senders_reference: Option<String>,
    /// Initialized, UploadProcessing, Published, Failed or Purged.
    status: &'static str,
    size: Option<i64>,
    checksum: Option<String>,
    sha256: Option<String>,
    created: DateTime<Utc>,
    uploaded: Option<DateTime<Utc>>,
}

impl From<Row> for Overview {
    fn from(r: Row) -> Self {
        Overview {
            attachment_id: r.id,
            status: match r.state.as_str() {
                "initialized" => "Initialized",
                "uploading" => "UploadProcessing",
                "published" => "Published",
                "failed" => "Failed",
                _ => "Purged",
            },
            size: (r.state == "published").then_some(r.size_bytes),
            file_name: r.name,
            data_type: r.media_type,
            senders_reference: r.senders_reference,
            checksum: r.sender_md5,
            sha256: r.sha256,
            created: r.created_at,
            uploaded: r.uploaded_at,
        }
    }
}

/// The attachment if it belongs to one of the caller's owners; otherwise it does not exist for
/// the caller.
fn find(conn: &mut PgConnection, owners: &[i64], id: Uuid) -> Result<Row, Problem> {
    attachments::table
        .find(id)
        .filter(attachments::owner_id.eq_any(owners))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(Problem::not_found)
}

/// `POST /attachment`: describes an attachment; its bytes follow with `/upload`.
#[utoipa::path(post, path = "/attachment", tag = "attachments", request_body = NewAttachment,
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Uuid, description = "The attachment's id, as Altinn answers"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/attachment")]
pub async fn initialize(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let new: NewAttachment = super::binding::bind(body.into_inner(), "NewAttachment", "body")?;
    let media_type = check_name(&new.file_name).map_err(|e| {
        Problem::field(
            "fileName",
            crate::web::i18n::text(crate::domain::Language::En, e.key()),
        )
    })?;
    let checksum = new.checksum.map(|c| c.trim().to_ascii_lowercase());
    if let Some(c) = &checksum
        && !(c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Problem::field(
            "checksum",
            "an MD5 checksum: 32 hexadecimal digits",
        ));
    }
    if new
        .senders_reference
        .as_ref()
        .is_some_and(|r| r.chars().count() > 4096)
    {
        return Err(Problem::field(
            "sendersReference",
            "at most 4096 characters",
        ));
    }
    let resource = new.resource_id.clone();
    let row = as_owner(&state, caller, resource, move |conn, owner| {
        let owner = owner.id;
        let id = Uuid::now_v7();
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(id),
                attachments::owner_id.eq(owner),
                attachments::name.eq(&new.file_name),
                attachments::media_type.eq(media_type),
                attachments::size_bytes.eq(0),
                attachments::sender_md5.eq(&checksum),
                attachments::storage_key.eq(format!("{owner}/{id}")),
                attachments::state.eq("initialized"),
                attachments::senders_reference.eq(&new.senders_reference),
            ))
            .execute(conn)?;
        find(conn, &[owner], id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(row.id))
}

/// `POST /attachment/{id}/upload`: the bytes, streamed to storage (never held whole).
#[utoipa::path(post, path = "/attachment/{id}/upload", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Overview), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/attachment/{id}/upload")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Payload,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let id = path.into_inner();
    // Take the attachment for this upload: only one upload, and only of an initialized one.
    let row = as_sender(&state, caller, move |conn, owners| {
        let row = find(conn, &owners, id)?;
        let taken = diesel::update(
            attachments::table
                .find(id)
                .filter(attachments::state.eq("initialized")),
        )
        .set((
            attachments::state.eq("uploading"),
            // An upload not finished by then was lost with its process: the sweep fails it.
            attachments::expires_at.eq(Utc::now() + chrono::Duration::hours(6)),
        ))
        .execute(conn)?;
        if taken == 0 {
            return Err(Problem::field(
                "attachmentId",
                "is not waiting for its upload (uploaded, uploading, failed or deleted)",
            ));
        }
        Ok(row)
    })
    .await?;
    let file = state.storage.path(&row.storage_key);
    let written = write_stream(&file, body).await;
    let expected_md5 = row.sender_md5.clone();
    let (state_after, problem, written) = match written {
        Ok(w) if expected_md5.as_deref().is_some_and(|m| m != w.md5) => {
            let _ = std::fs::remove_file(&file);
            (
                "failed",
                Some(Problem::field(
                    "checksum",
                    "the uploaded bytes do not match the MD5 checksum",
                )),
                None,
            )
        }
        Ok(w) => ("published", None, Some(w)),
        Err(e) => {
            let message = match e {
                UploadError::Empty => "the file is empty".to_owned(),
                UploadError::TooLarge => "the file is larger than allowed".to_owned(),
                other => other.to_string(),
            };
            ("failed", Some(Problem::field("file", message)), None)
        }
    };
    let pool = state.pool.clone();
    let owner = row.owner_id;
    let row = blocking(move || {
        let mut conn = pool.get()?;
        let target = attachments::table
            .find(id)
            .filter(attachments::state.eq("uploading"));
        match written {
            Some(Written { size, sha256, .. }) => diesel::update(target)
                .set((
                    attachments::state.eq(state_after),
                    attachments::size_bytes.eq(size as i64),
                    attachments::sha256.eq(sha256),
                    attachments::uploaded_at.eq(diesel::dsl::now),
                ))
                .execute(&mut conn)?,
            None => diesel::update(target)
                .set(attachments::state.eq(state_after))
                .execute(&mut conn)?,
        };
        Ok(find(&mut conn, &[owner], id))
    })
    .await??;
    match problem {
        Some(p) => Err(p),
        None => Ok(HttpResponse::Ok().json(Overview::from(row))),
    }
}

/// `GET /attachment/{id}`
#[utoipa::path(get, path = "/attachment/{id}", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Overview), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[get("/attachment/{id}")]
pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let id = path.into_inner();
    let row = as_sender(&state, caller, move |conn, owners| find(conn, &owners, id)).await?;
    Ok(HttpResponse::Ok().json(Overview::from(row)))
}

/// `DELETE /attachment/{id}`: only while no message uses it; the file is removed.
#[utoipa::path(delete, path = "/attachment/{id}", tag = "attachments",
    params(("id" = Uuid, Path, description = "The attachment")),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = Overview), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[delete("/attachment/{id}")]
pub async fn purge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let id = path.into_inner();
    let row = as_sender(&state, caller, move |conn, owners| {
        find(conn, &owners, id)?;
        let used = diesel::select(diesel::dsl::exists(
            correspondence_attachments::table
                .filter(correspondence_attachments::attachment_id.eq(id)),
        ))
        .get_result::<bool>(conn)?;
        if used {
            return Err(Problem::field(
                "attachmentId",
                "is used by a message and cannot be deleted",
            ));
        }
        diesel::update(
            attachments::table
                .find(id)
                .filter(attachments::state.ne("uploading")),
        )
        .set(attachments::state.eq("purged"))
        .execute(conn)?;
        find(conn, &owners, id)
    })
    .await?;
    let _ = std::fs::remove_file(state.storage.path(&row.storage_key));
    Ok(HttpResponse::Ok().json(Overview::from(row)))
}
