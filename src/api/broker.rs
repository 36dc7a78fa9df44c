//! The Broker API (`/broker/api/v1`): Altinn 3 Broker's contract for machine-to-machine file
//! transfer ("Formidling"), over `transfer`. Sender systems (`altinn:broker.write`) initialize a
//! transfer and upload its file (streamed, in one multipart request, or resumable with TUS);
//! recipient systems (`altinn:broker.read`) find, download (by byte range too) and confirm it.
//! Requests are bound as Altinn binds them (names in any case, enums by name or number).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, head, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::problem::Problem;
use super::{Caller, Security, authenticate};
use crate::state::AppState;
use crate::transfer::{self, Client, Refusal};
use crate::web::blocking;

pub const SCOPE_BROKER_WRITE: &str = "altinn:broker.write";
pub const SCOPE_BROKER_READ: &str = "altinn:broker.read";
const SEND: &[&str] = &[SCOPE_BROKER_WRITE];
const RECEIVE: &[&str] = &[SCOPE_BROKER_READ];
const EITHER: &[&str] = &[SCOPE_BROKER_WRITE, SCOPE_BROKER_READ];
/// The TUS version melding speaks.
const TUS: &str = "1.0.0";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/broker/api/v1")
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| Problem::field("query", err.to_string()).into()),
            )
            .app_data(
                web::JsonConfig::default()
                    .limit(256 * 1024)
                    .error_handler(|err, _| Problem::field("body", err.to_string()).into()),
            )
            .service(openapi_document)
            .service(initialize)
            .service(initialize_and_upload)
            .service(tus_options)
            .service(tus_create)
            .service(tus_head)
            .service(tus_patch)
            .service(tus_delete)
            .service(upload)
            .service(search)
            .service(details)
            .service(download)
            .service(confirm_download)
            .service(overview)
            .service(put_resource)
            .service(get_resource)
            .service(create_service_owner)
            .service(get_service_owner)
            // A path the API has, asked with a method it does not take, is 405.
            .default_service(web::to(
                |req: HttpRequest| async move { super::unrouted(&req) },
            )),
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "melding Broker API", description = "Altinn 3 Broker compatible machine-to-machine file transfer."),
    servers((url = "/broker/api/v1")),
    paths(initialize, initialize_and_upload, upload, tus_create, tus_head, tus_patch, tus_delete,
          search, overview, details, download, confirm_download, put_resource, get_resource,
          create_service_owner, get_service_owner),
    components(schemas(Problem, FileTransferStatusExt, RecipientFileTransferStatusExt)),
    modifiers(&Security),
)]
pub struct BrokerDoc;

#[get("/openapi.json")]
async fn openapi_document() -> HttpResponse {
    use utoipa::OpenApi;
    HttpResponse::Ok().json(BrokerDoc::openapi())
}

/// Altinn's transfer statuses, in its order.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a schema: the statuses are texts in the database
pub enum FileTransferStatusExt {
    Initialized,
    UploadStarted,
    UploadProcessing,
    Published,
    Cancelled,
    AllConfirmedDownloaded,
    Purged,
    Failed,
}

/// Altinn's recipient statuses, in its order.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum RecipientFileTransferStatusExt {
    Initialized,
    DownloadStarted,
    DownloadConfirmed,
}

/// The caller as a party: its organisation must be in the register.
async fn client_of(state: &AppState, caller: &Caller) -> Result<Client, Problem> {
    match caller.organisation_of(state).await? {
        Some(org) => Ok(Client {
            org,
            name: caller.system_name(),
        }),
        None => Err(refused(Refusal::NoAccess)),
    }
}

fn problem(status: u16, detail: &str, altinn: u32) -> Problem {
    Problem::of(status, "MEL-1020", detail).altinn(altinn)
}

/// Altinn's answer for each refusal.
fn refused(why: Refusal) -> Problem {
    match why {
        Refusal::Resource => problem(
            403,
            "The resource needs to be registered as an Altinn 3 resource and it has to be associated with a service owner",
            5,
        ),
        Refusal::NoAccess => problem(
            401,
            "You must use a bearer token that represents a system user with access to the resource in the Resource Rights Registry",
            6,
        ),
        Refusal::SenderNotAllowed => problem(
            403,
            "The service does not let this organisation send file transfers",
            6,
        ),
        Refusal::Invalid(errors) => {
            Problem::invalid(errors.into_iter().map(|(k, v)| (k, vec![v])).collect())
        }
        Refusal::Recipients(list) => Problem::field(
            "recipients",
            format!(
                "not organisations in the register that may receive with this service: {}",
                list.join(", ")
            ),
        ),
        Refusal::NotFound => problem(404, "The requested file transfer was not found", 1),
        Refusal::AlreadyUploaded => problem(
            409,
            "A file transfer has already been, or attempted to be, created. Create a new file transfer resource to try again.",
            4,
        ),
        Refusal::TooLarge => problem(400, "File size exceeds maximum", 16),
        Refusal::ChecksumMismatch => problem(
            400,
            "The checksum of uploaded file did not match the checksum specified in initialize call.",
            9,
        ),
        Refusal::NotAvailable => problem(
            403,
            "The requested file transfer's file is not ready for download. See file transfer status.",
            7,
        ),
        Refusal::NotDownloaded => problem(
            400,
            "Cannot confirm before the files have been downloaded",
            19,
        ),
        Refusal::NotPublished => problem(
            400,
            "A file transfer can only be confirmed to be downloaded when it is published. See file transfer status.",
            10,
        ),
        Refusal::Offset { expected } => Problem::of(
            409,
            "MEL-1021",
            &format!("Upload-Offset does not match the upload: it stands at {expected}"),
        ),
        Refusal::Storage(e) => {
            tracing::error!(error = %e, "file transfer storage");
            Problem::of(
                503,
                "MEL-1022",
                "The file store is not available; try again.",
            )
        }
    }
}

/// The answer to a request whose body may not have been read to its end (a refusal before the
/// upload, or a multipart form's last line): the connection is closed after it, so a client
/// does not send its next request into what is left of this one. `always`: also on success.
fn closing(answer: Result<HttpResponse, Problem>, always: bool) -> HttpResponse {
    let (mut response, close) = match answer {
        Ok(response) => (response, always),
        Err(problem) => (HttpResponse::from_error(problem), true),
    };
    if close {
        response
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    response
}

fn transfer_id(path: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(path).map_err(|_| refused(Refusal::NotFound))
}

/// Altinn's `FileTransferInitalizeExt` (its spelling).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileTransferInitalizeExt {
    file_name: String,
    resource_id: String,
    senders_file_transfer_reference: Option<String>,
    /// The sending organisation, `0192:<organisation number>`.
    sender: String,
    recipients: Vec<String>,
    #[serde(default)]
    property_list: Option<BTreeMap<String, String>>,
    /// MD5 of the file, hex; checked when the upload completes.
    checksum: Option<String>,
    /// Accepted: melding does not scan files.
    #[allow(dead_code)]
    disable_virus_scan: Option<bool>,
}

impl FileTransferInitalizeExt {
    fn new_transfer(self) -> transfer::NewTransfer {
        transfer::NewTransfer {
            service_id: self.resource_id,
            sender: self.sender,
            file_name: self.file_name,
            senders_reference: self.senders_file_transfer_reference,
            recipients: self.recipients,
            properties: self.property_list.unwrap_or_default(),
            checksum: self.checksum,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileTransferInitializeResponseExt {
    file_transfer_id: Uuid,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileTransferUploadResponseExt {
    file_transfer_id: Uuid,
}

async fn initialized(
    state: &AppState,
    client: Client,
    request: FileTransferInitalizeExt,
) -> Result<Uuid, Problem> {
    let pool = state.pool.clone();
    let new = request.new_transfer();
    blocking(move || Ok(transfer::initialize(&mut *pool.get()?, &client, &new)?))
        .await?
        .map_err(refused)
}

/// `POST /filetransfer`: initializes a transfer (the file follows).
#[utoipa::path(post, path = "/filetransfer", tag = "broker",
    request_body = FileTransferInitalizeExt,
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, body = FileTransferInitializeResponseExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/filetransfer")]
pub async fn initialize(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let request: FileTransferInitalizeExt =
        super::binding::bind(body.into_inner(), "FileTransferInitalizeExt", "body")?;
    let client = client_of(&state, &caller).await?;
    let id = initialized(&state, client, request).await?;
    Ok(HttpResponse::Ok().json(FileTransferInitializeResponseExt {
        file_transfer_id: id,
    }))
}

/// `POST /filetransfer/{id}/upload`: the whole file as the body, streamed to storage; published
/// when complete and its checksum matches.
#[utoipa::path(post, path = "/filetransfer/{fileTransferId}/upload", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, body = FileTransferUploadResponseExt), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/filetransfer/{id}/upload")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, Problem> {
    let answer: Result<HttpResponse, Problem> = async {
        let caller = authenticate(&req, SEND).await?;
        let id = transfer_id(&path)?;
        let client = client_of(&state, &caller).await?;
        let id = transfer::upload::streamed(&state.pool, &state.storage, &client, id, body)
            .await
            .map_err(refused)?;
        Ok(HttpResponse::Ok().json(FileTransferUploadResponseExt {
            file_transfer_id: id,
        }))
    }
    .await;
    Ok(closing(answer, false))
}

/// Altinn's form field names (`Metadata.FileName`, `Metadata.Recipients`, ...) as the JSON
/// request; repeated `Recipients` fields (or `Recipients[0]`) make the list, and
/// `PropertyList[name]` (or `PropertyList.name`) the properties.
fn metadata_field(
    request: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
    text: String,
) {
    let name = name
        .strip_prefix("Metadata.")
        .or_else(|| name.strip_prefix("metadata."))
        .unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    if lower == "recipients" || lower.starts_with("recipients[") {
        if let serde_json::Value::Array(list) = request
            .entry("recipients")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
        {
            list.push(serde_json::Value::String(text));
        }
    } else if let Some(key) = lower
        .strip_prefix("propertylist[")
        .and_then(|_| name.get("PropertyList[".len()..))
        .and_then(|k| k.strip_suffix(']'))
        .or_else(|| {
            lower
                .strip_prefix("propertylist.")
                .and_then(|_| name.get("PropertyList.".len()..))
        })
    {
        if let serde_json::Value::Object(map) = request
            .entry("propertyList")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()))
        {
            map.insert(key.to_owned(), serde_json::Value::String(text));
        }
    } else {
        request.insert(name.to_owned(), serde_json::Value::String(text));
    }
}

/// `POST /filetransfer/upload`: initializes and uploads in one multipart form (Altinn's
/// `Metadata.*` fields, then the `FileTransfer` file part, streamed). Answers the id.
#[utoipa::path(post, path = "/filetransfer/upload", tag = "broker",
    request_body(content = Vec<u8>, content_type = "multipart/form-data", description = "Metadata.FileName, Metadata.ResourceId, Metadata.Sender, Metadata.Recipients (repeated), Metadata.SendersFileTransferReference, Metadata.PropertyList[name], Metadata.Checksum, then FileTransfer (the file)"),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, body = String, description = "The transfer's id"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/filetransfer/upload")]
pub async fn initialize_and_upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let answer: Result<HttpResponse, Problem> = async {
        use futures_util::TryStreamExt;
        let caller = authenticate(&req, SEND).await?;
        let client = client_of(&state, &caller).await?;
        let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
        let bad = |e: actix_multipart::MultipartError| Problem::field("body", e.to_string());
        let mut request = serde_json::Map::new();
        while let Some(mut field) = parts.try_next().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name.eq_ignore_ascii_case("FileTransfer") {
                let value = serde_json::Value::Object(std::mem::take(&mut request));
                let metadata: FileTransferInitalizeExt =
                    super::binding::bind(value, "FileTransferInitalizeExt", "Metadata")?;
                let id = initialized(&state, client.clone(), metadata).await?;
                let stream = (&mut field).map_err(|e| e.to_string());
                transfer::upload::streamed(
                    &state.pool,
                    &state.storage,
                    &client,
                    id,
                    Box::pin(stream),
                )
                .await
                .map_err(refused)?;
                // The rest of the form (its closing boundary, any later field) is read and let go,
                // so the connection is left clean for the client's next request.
                drop(field);
                while let Ok(Some(mut rest)) = parts.try_next().await {
                    while let Ok(Some(_)) = rest.try_next().await {}
                }
                return Ok(HttpResponse::Ok().json(id.to_string()));
            }
            let text = crate::web::multipart::text_field(&mut field, &name).await?;
            if !text.utf8 {
                return Err(Problem::field(&name, "is not UTF-8"));
            }
            metadata_field(&mut request, &name, text.text);
        }
        Err(Problem::field("FileTransfer", "the file part is missing"))
    }
    .await;
    Ok(closing(answer, true))
}

fn tus_headers(response: &mut actix_web::HttpResponseBuilder) {
    response
        .insert_header(("Tus-Resumable", TUS))
        .insert_header((header::CACHE_CONTROL, "no-store"));
}

/// Refuses a TUS request without the version header (400) or of another version (412 with
/// the version spoken).
fn tus_version(req: &HttpRequest) -> Result<(), HttpResponse> {
    match req
        .headers()
        .get("Tus-Resumable")
        .and_then(|v| v.to_str().ok())
    {
        Some(TUS) => Ok(()),
        None => Err(HttpResponse::from_error(Problem::field(
            "Tus-Resumable",
            "is required: 1.0.0",
        ))),
        Some(_) => {
            let mut response = HttpResponse::from_error(Problem::of(
                412,
                "MEL-1024",
                "This endpoint speaks TUS 1.0.0: send Tus-Resumable: 1.0.0.",
            ));
            response.headers_mut().insert(
                header::HeaderName::from_static("tus-version"),
                header::HeaderValue::from_static(TUS),
            );
            Err(response)
        }
    }
}

fn number_header(req: &HttpRequest, name: &str) -> Result<i64, Problem> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| Problem::field(name, "a non-negative whole number is required"))
}

/// `OPTIONS /filetransfer/upload/tus/{id}`: what the TUS endpoint supports.
#[actix_web::route("/filetransfer/upload/tus/{id}", method = "OPTIONS")]
pub async fn tus_options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header(("Tus-Resumable", TUS))
        .insert_header(("Tus-Version", TUS))
        .insert_header(("Tus-Extension", "creation,termination"))
        .insert_header(("Tus-Max-Size", transfer::MAX_FILE_SIZE.to_string()))
        .finish()
}

/// `POST /filetransfer/upload/tus/{id}` (TUS creation, `Upload-Length`): starts the resumable
/// upload of an initialized transfer; its URL is the same path.
#[utoipa::path(post, path = "/filetransfer/upload/tus/{fileTransferId}", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer"),
           ("Tus-Resumable" = String, Header, description = "1.0.0"),
           ("Upload-Length" = i64, Header, description = "The file's length in bytes")),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 201, description = "Created; `Location` and `Upload-Offset`"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[post("/filetransfer/upload/tus/{id}")]
pub async fn tus_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let id = transfer_id(&path)?;
    let length = number_header(&req, "Upload-Length")?;
    if let Err(refusal) = tus_version(&req) {
        return Ok(refusal);
    }
    let client = client_of(&state, &caller).await?;
    let progress = transfer::upload::create(&state.pool, &client, id, length)
        .await
        .map_err(refused)?;
    let mut response = HttpResponse::Created();
    tus_headers(&mut response);
    Ok(response
        .insert_header((header::LOCATION, req.path().to_owned()))
        .insert_header(("Upload-Offset", progress.offset.to_string()))
        .finish())
}

/// `HEAD /filetransfer/upload/tus/{id}`: where the upload stands (`Upload-Offset`).
#[utoipa::path(head, path = "/filetransfer/upload/tus/{fileTransferId}", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, description = "`Upload-Offset` and `Upload-Length`"), (status = "4XX", description = "No resumable upload, or no access (HEAD: no body)")))]
#[head("/filetransfer/upload/tus/{id}")]
pub async fn tus_head(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let id = transfer_id(&path)?;
    if let Err(refusal) = tus_version(&req) {
        return Ok(refusal);
    }
    let client = client_of(&state, &caller).await?;
    let progress = transfer::upload::progress(&state.pool, &client, id)
        .await
        .map_err(refused)?;
    let mut response = HttpResponse::Ok();
    tus_headers(&mut response);
    Ok(response
        .insert_header(("Upload-Offset", progress.offset.to_string()))
        .insert_header(("Upload-Length", progress.length.to_string()))
        .finish())
}

/// `PATCH /filetransfer/upload/tus/{id}` (`Upload-Offset`, `application/offset+octet-stream`):
/// the bytes from the offset on; what arrives is kept even if the request breaks off. The file
/// is published with the last byte.
#[utoipa::path(patch, path = "/filetransfer/upload/tus/{fileTransferId}", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer"),
           ("Upload-Offset" = i64, Header, description = "Where these bytes start")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 204, description = "`Upload-Offset`: where the upload now stands"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[patch("/filetransfer/upload/tus/{id}")]
pub async fn tus_patch(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, Problem> {
    let answer: Result<HttpResponse, Problem> = async {
        let caller = authenticate(&req, SEND).await?;
        let id = transfer_id(&path)?;
        if let Err(refusal) = tus_version(&req) {
            return Ok(refusal);
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if content_type != "application/offset+octet-stream" {
            return Err(Problem::of(
                415,
                "MEL-1025",
                "A PATCH carries Content-Type: application/offset+octet-stream.",
            ));
        }
        let offset = number_header(&req, "Upload-Offset")?;
        let client = client_of(&state, &caller).await?;
        let progress =
            transfer::upload::patch(&state.pool, &state.storage, &client, id, offset, body)
                .await
                .map_err(refused)?;
        let mut response = HttpResponse::NoContent();
        tus_headers(&mut response);
        Ok(response
            .insert_header(("Upload-Offset", progress.offset.to_string()))
            .finish())
    }
    .await;
    Ok(closing(answer, false))
}

/// `DELETE /filetransfer/upload/tus/{id}` (TUS termination): the upload is given up, the
/// transfer cancelled and the bytes stored so far removed.
#[utoipa::path(delete, path = "/filetransfer/upload/tus/{fileTransferId}", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 204, description = "Terminated"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[delete("/filetransfer/upload/tus/{id}")]
pub async fn tus_delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let id = transfer_id(&path)?;
    if let Err(refusal) = tus_version(&req) {
        return Ok(refusal);
    }
    let client = client_of(&state, &caller).await?;
    transfer::upload::terminate(&state.pool, &state.storage, &client, id)
        .await
        .map_err(refused)?;
    let mut response = HttpResponse::NoContent();
    tus_headers(&mut response);
    Ok(response.finish())
}

/// Altinn's `RecipientFileTransferStatusDetailsExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientFileTransferStatusDetailsExt {
    recipient: String,
    #[schema(value_type = RecipientFileTransferStatusExt)]
    current_recipient_file_transfer_status_code: String,
    current_recipient_file_transfer_status_text: String,
    current_recipient_file_transfer_status_changed: DateTime<Utc>,
}

/// Altinn's `FileTransferOverviewExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileTransferOverviewExt {
    file_transfer_id: Uuid,
    resource_id: String,
    file_name: String,
    senders_file_transfer_reference: Option<String>,
    checksum: Option<String>,
    use_virus_scan: bool,
    file_transfer_size: i64,
    #[schema(value_type = FileTransferStatusExt)]
    file_transfer_status: String,
    file_transfer_status_text: String,
    file_transfer_status_changed: DateTime<Utc>,
    created: DateTime<Utc>,
    expiration_time: DateTime<Utc>,
    sender: String,
    recipients: Vec<RecipientFileTransferStatusDetailsExt>,
    property_list: BTreeMap<String, String>,
}

impl FileTransferOverviewExt {
    fn of(view: &transfer::read::View) -> Self {
        let t = &view.transfer;
        FileTransferOverviewExt {
            file_transfer_id: t.id,
            resource_id: t.service_id.clone(),
            file_name: t.file_name.clone(),
            senders_file_transfer_reference: t.senders_reference.clone(),
            checksum: t.checksum.clone(),
            use_virus_scan: false,
            file_transfer_size: t.size_bytes.unwrap_or(0),
            file_transfer_status: t.status.clone(),
            file_transfer_status_text: transfer::status_text(&t.status, t.status_detail.as_deref()),
            file_transfer_status_changed: t.status_changed_at,
            created: t.created_at,
            expiration_time: t.expires_at,
            sender: t.sender.clone(),
            recipients: view
                .recipients
                .iter()
                .map(|r| RecipientFileTransferStatusDetailsExt {
                    recipient: r.recipient.clone(),
                    current_recipient_file_transfer_status_code: r.status.clone(),
                    current_recipient_file_transfer_status_text: transfer::recipient_status_text(
                        &r.status,
                    )
                    .to_owned(),
                    current_recipient_file_transfer_status_changed: r.changed_at,
                })
                .collect(),
            property_list: serde_json::from_value(t.properties.clone()).unwrap_or_default(),
        }
    }
}

/// Altinn's `FileTransferStatusEventExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileTransferStatusEventExt {
    #[schema(value_type = FileTransferStatusExt)]
    file_transfer_status: String,
    file_transfer_status_text: String,
    file_transfer_status_changed: DateTime<Utc>,
}

/// Altinn's `RecipientFileTransferStatusEventExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientFileTransferStatusEventExt {
    recipient: String,
    #[schema(value_type = RecipientFileTransferStatusExt)]
    recipient_file_transfer_status_code: String,
    recipient_file_transfer_status_text: String,
    recipient_file_transfer_status_changed: DateTime<Utc>,
}

/// Altinn's `FileTransferStatusDetailsExt`: the overview with both histories.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileTransferStatusDetailsExt {
    #[serde(flatten)]
    #[schema(inline)]
    overview: FileTransferOverviewExt,
    file_transfer_status_history: Vec<FileTransferStatusEventExt>,
    recipient_file_transfer_status_history: Vec<RecipientFileTransferStatusEventExt>,
}

async fn view(
    state: &AppState,
    caller: &Caller,
    path: &str,
    history: bool,
) -> Result<transfer::read::View, Problem> {
    let id = transfer_id(path)?;
    let client = client_of(state, caller).await?;
    let pool = state.pool.clone();
    blocking(move || {
        Ok(transfer::read::view(
            &mut *pool.get()?,
            &client,
            id,
            history,
        )?)
    })
    .await?
    .map_err(refused)
}

/// `GET /filetransfer/{id}`: the transfer and its recipients' statuses, for its sender's and
/// its recipients' systems.
#[utoipa::path(get, path = "/filetransfer/{fileTransferId}", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    security(("maskinporten" = ["altinn:broker.write"]), ("maskinporten" = ["altinn:broker.read"])),
    responses((status = 200, body = FileTransferOverviewExt), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/filetransfer/{id}")]
pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    // `/filetransfer/upload` is a path of its own (POST only), not a transfer.
    if Uuid::parse_str(&path).is_err() {
        return Ok(super::unrouted(&req));
    }
    let caller = authenticate(&req, EITHER).await?;
    let view = view(&state, &caller, &path, false).await?;
    Ok(HttpResponse::Ok().json(FileTransferOverviewExt::of(&view)))
}

/// `GET /filetransfer/{id}/details`: the overview with the status history of the transfer and
/// of each recipient.
#[utoipa::path(get, path = "/filetransfer/{fileTransferId}/details", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    security(("maskinporten" = ["altinn:broker.write"]), ("maskinporten" = ["altinn:broker.read"])),
    responses((status = 200, body = FileTransferStatusDetailsExt), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/filetransfer/{id}/details")]
pub async fn details(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, EITHER).await?;
    let view = view(&state, &caller, &path, true).await?;
    let mut transfer_history = Vec::new();
    let mut recipient_history = Vec::new();
    for e in &view.events {
        match &e.recipient {
            None => transfer_history.push(FileTransferStatusEventExt {
                file_transfer_status: e.status.clone(),
                file_transfer_status_text: transfer::status_text(&e.status, e.detail.as_deref()),
                file_transfer_status_changed: e.occurred_at,
            }),
            Some(recipient) => recipient_history.push(RecipientFileTransferStatusEventExt {
                recipient: recipient.clone(),
                recipient_file_transfer_status_code: e.status.clone(),
                recipient_file_transfer_status_text: transfer::recipient_status_text(&e.status)
                    .to_owned(),
                recipient_file_transfer_status_changed: e.occurred_at,
            }),
        }
    }
    Ok(HttpResponse::Ok().json(FileTransferStatusDetailsExt {
        overview: FileTransferOverviewExt::of(&view),
        file_transfer_status_history: transfer_history,
        recipient_file_transfer_status_history: recipient_history,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    resource_id: Option<String>,
    /// A `FileTransferStatusExt` by name or number.
    status: Option<String>,
    /// A `RecipientFileTransferStatusExt` by name or number.
    recipient_status: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A status by name in any case or by its number in Altinn's order.
fn status_named(
    text: Option<&str>,
    names: &[&str],
    field: &str,
) -> Result<Option<String>, Problem> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(text))
        .or_else(|| text.parse::<usize>().ok().and_then(|i| names.get(i)))
        .map(|n| Some((*n).to_owned()))
        .ok_or_else(|| Problem::field(field, format!("must be one of {}", names.join(", "))))
}

fn time(text: Option<&str>, field: &str) -> Result<Option<DateTime<Utc>>, Problem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => super::sender::parse_time(t)
            .map(Some)
            .ok_or_else(|| Problem::field(field, "is not a date and time")),
    }
}

/// `GET /filetransfer?resourceId=...`: the ids of the newest 100 transfers of the service the
/// client sent or may receive, by status, recipient status and creation time.
#[utoipa::path(get, path = "/filetransfer", tag = "broker",
    params(SearchQuery),
    security(("maskinporten" = ["altinn:broker.write"]), ("maskinporten" = ["altinn:broker.read"])),
    responses((status = 200, body = Vec<Uuid>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/filetransfer")]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, EITHER).await?;
    let q = query.into_inner();
    let search = transfer::read::Search {
        service_id: q
            .resource_id
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| Problem::field("resourceId", "is required"))?,
        status: status_named(q.status.as_deref(), &transfer::STATUSES, "status")?,
        recipient_status: status_named(
            q.recipient_status.as_deref(),
            &transfer::RECIPIENT_STATUSES,
            "recipientStatus",
        )?,
        from: time(q.from.as_deref(), "from")?,
        to: time(q.to.as_deref(), "to")?,
    };
    let client = client_of(&state, &caller).await?;
    let pool = state.pool.clone();
    let ids =
        blocking(move || Ok(transfer::read::search(&mut *pool.get()?, &client, &search)?)).await?;
    Ok(HttpResponse::Ok().json(ids))
}

/// `GET /filetransfer/{id}/download`: the file (by one byte range too), for a recipient's
/// system; records DownloadStarted.
#[utoipa::path(get, path = "/filetransfer/{fileTransferId}/download", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    security(("maskinporten" = ["altinn:broker.read"])),
    responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"), (status = 206, body = Vec<u8>, content_type = "application/octet-stream"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/filetransfer/{id}/download")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, RECEIVE).await?;
    let id = transfer_id(&path)?;
    let client = client_of(&state, &caller).await?;
    let pool = state.pool.clone();
    let found = blocking(move || Ok(transfer::read::download(&mut *pool.get()?, &client, id)?))
        .await?
        .map_err(refused)?;
    let pieces = found
        .segments
        .iter()
        .map(|s| crate::web::ranged::Piece {
            key: s.storage_key.clone(),
            start: u64::try_from(s.start_offset).unwrap_or(0),
            length: u64::try_from(s.length).unwrap_or(0),
        })
        .collect();
    Ok(crate::web::ranged::pieces_response(
        &req,
        &state.storage,
        pieces,
        found.size,
        "application/octet-stream",
        crate::inbox::zip_stream::attachment_disposition(&found.file_name),
    )
    .await?)
}

/// `POST /filetransfer/{id}/confirmdownload`: the recipient's system has the file.
#[utoipa::path(post, path = "/filetransfer/{fileTransferId}/confirmdownload", tag = "broker",
    params(("fileTransferId" = Uuid, Path, description = "The transfer")),
    security(("maskinporten" = ["altinn:broker.read"])),
    responses((status = 200, description = "Confirmed"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[post("/filetransfer/{id}/confirmdownload")]
pub async fn confirm_download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, RECEIVE).await?;
    let id = transfer_id(&path)?;
    let client = client_of(&state, &caller).await?;
    let pool = state.pool.clone();
    blocking(move || Ok(transfer::read::confirm(&mut *pool.get()?, &client, id)?))
        .await?
        .map_err(refused)?;
    Ok(HttpResponse::Ok().finish())
}

/// Altinn's `ResourceExt`: a file-transfer service's settings.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceExt {
    max_file_transfer_size: Option<i64>,
    /// ISO 8601 duration (`P30D`), at most 365 days.
    file_transfer_time_to_live: Option<String>,
    purge_file_transfer_after_all_recipients_confirmed: Option<bool>,
    /// ISO 8601 duration (`PT2H`), at most 24 hours.
    purge_file_transfer_grace_period: Option<String>,
    use_manifest_file_shim: Option<bool>,
    external_service_code_legacy: Option<String>,
    external_service_edition_code_legacy: Option<i32>,
}

/// The caller's organisation as a service owner, or 403.
async fn owner_of(state: &AppState, caller: &Caller) -> Result<(i64, String), Problem> {
    let pool = state.pool.clone();
    let number = caller.client.org_number.clone();
    let found: Option<(i64, String)> = blocking(move || {
        use crate::db::schema::{parties, service_owners};
        use diesel::prelude::*;
        Ok(service_owners::table
            .inner_join(parties::table)
            .filter(parties::org_number.eq(number.as_str()))
            .select((service_owners::party_id, parties::name))
            .first(&mut *pool.get()?)
            .optional()?)
    })
    .await?;
    found.ok_or_else(|| {
        problem(
            403,
            "Service owner needs to be configured to use the broker API",
            2,
        )
    })
}

/// `PUT /resource/{resourceId}`: the service owner sets a file-transfer service's limits (a
/// new id becomes a file-transfer service of the owner).
#[utoipa::path(put, path = "/resource/{resourceId}", tag = "broker",
    params(("resourceId" = String, Path, description = "The service")),
    request_body = ResourceExt,
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, description = "Saved"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[put("/resource/{id}")]
pub async fn put_resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let r: ResourceExt = super::binding::bind(body.into_inner(), "ResourceExt", "body")?;
    let (owner, _) = owner_of(&state, &caller).await?;
    let service = path.into_inner();
    let valid_id = !service.is_empty()
        && service.len() <= 100
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid_id {
        return Err(Problem::field(
            "resourceId",
            "letters, digits, - and _ only, at most 100",
        ));
    }
    let mut update = transfer::SettingsUpdate::default();
    if let Some(size) = r.max_file_transfer_size {
        if size < 0 {
            return Err(problem(
                400,
                "Max file transfer size cannot be negative",
                11,
            ));
        }
        if size == 0 {
            return Err(problem(400, "Max file transfer size cannot be zero", 12));
        }
        if size > transfer::MAX_FILE_SIZE {
            return Err(problem(
                400,
                "Max file transfer size cannot be set higher than 1 TiB",
                22,
            ));
        }
        update.max_file_size = Some(size);
    }
    if let Some(ttl) = &r.file_transfer_time_to_live {
        let seconds = transfer::iso_duration(ttl).ok_or_else(|| {
            problem(400, "Invalid file transfer time to live format. Should follow ISO8601 standard for duration. Example: 'P30D' for 30 days.", 14)
        })?;
        if seconds <= 0 || seconds > transfer::MAX_TIME_TO_LIVE {
            return Err(problem(400, "Time to live cannot exceed 365 days", 15));
        }
        update.time_to_live = Some(seconds);
    }
    if let Some(grace) = &r.purge_file_transfer_grace_period {
        let seconds = transfer::iso_duration(grace).ok_or_else(|| {
            problem(400, "Invalid grace period format. Should follow ISO8601 standard for duration. Example: 'PT2H' for 2 hours.", 17)
        })?;
        if seconds > transfer::MAX_PURGE_GRACE {
            return Err(problem(400, "Grace period cannot exceed 24 hours", 18));
        }
        update.purge_grace = Some(seconds);
    }
    update.purge_after_all_confirmed = r.purge_file_transfer_after_all_recipients_confirmed;
    update.manifest_expected = r.use_manifest_file_shim;
    update.external_service_code = r.external_service_code_legacy;
    update.external_service_edition = r.external_service_edition_code_legacy;
    let pool = state.pool.clone();
    let id = service.clone();
    let saved =
        blocking(move || Ok(transfer::configure(&mut *pool.get()?, owner, &id, &update)?)).await?;
    if !saved {
        return Err(refused(Refusal::Resource));
    }
    Ok(HttpResponse::Ok().finish())
}

/// `GET /resource/{resourceId}`: a file-transfer service's settings.
#[utoipa::path(get, path = "/resource/{resourceId}", tag = "broker",
    params(("resourceId" = String, Path, description = "The service")),
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, body = ResourceExt), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/resource/{id}")]
pub async fn get_resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let (owner, _) = owner_of(&state, &caller).await?;
    let pool = state.pool.clone();
    let id = path.into_inner();
    let found = blocking(move || Ok(transfer::settings(&mut *pool.get()?, &id)?))
        .await?
        .filter(|s| s.owner_id == owner)
        .ok_or_else(|| refused(Refusal::Resource))?;
    Ok(HttpResponse::Ok().json(ResourceExt {
        max_file_transfer_size: Some(found.max_file_size),
        file_transfer_time_to_live: Some(transfer::to_iso_duration(found.time_to_live)),
        purge_file_transfer_after_all_recipients_confirmed: Some(found.purge_after_all_confirmed),
        purge_file_transfer_grace_period: Some(transfer::to_iso_duration(found.purge_grace)),
        use_manifest_file_shim: Some(found.manifest_expected),
        external_service_code_legacy: found.external_service_code,
        external_service_edition_code_legacy: found.external_service_edition,
    }))
}

/// Altinn's `ServiceOwnerInitializeExt`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOwnerInitializeExt {
    #[allow(dead_code)]
    name: Option<String>,
    #[allow(dead_code)]
    deletion_time: Option<String>,
}

/// Altinn's `StorageProviderExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageProviderExt {
    #[serde(rename = "type")]
    kind: &'static str,
    deployment_status: &'static str,
    deployment_environment: String,
}

/// Altinn's `ServiceOwnerOverviewExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOwnerOverviewExt {
    name: String,
    storage_providers: Vec<StorageProviderExt>,
}

/// `POST /serviceowner`: service owners are registered with melding by its operator, so an
/// owner is set up already (409) and anyone else is refused.
#[utoipa::path(post, path = "/serviceowner", tag = "broker",
    request_body = ServiceOwnerInitializeExt,
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 409, body = Problem, content_type = "application/problem+json", description = "Set up already"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[post("/serviceowner")]
pub async fn create_service_owner(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    owner_of(&state, &caller).await?;
    Err(Problem::of(
        409,
        "MEL-1023",
        "The service owner is set up already; its storage is ready",
    ))
}

/// `GET /serviceowner`: the caller's organisation as a Broker service owner.
#[utoipa::path(get, path = "/serviceowner", tag = "broker",
    security(("maskinporten" = ["altinn:broker.write"])),
    responses((status = 200, body = ServiceOwnerOverviewExt), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/serviceowner")]
pub async fn get_service_owner(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, SEND).await?;
    let (_, name) = owner_of(&state, &caller)
        .await
        .map_err(|p| p.with_status(404))?;
    let environment = if state.storage.is_shared() {
        "object storage"
    } else {
        "local disk"
    };
    Ok(HttpResponse::Ok().json(ServiceOwnerOverviewExt {
        name,
        storage_providers: vec![StorageProviderExt {
            kind: "AltinnAzureWithoutVirusScan",
            deployment_status: "Ready",
            deployment_environment: environment.to_owned(),
        }],
    }))
}
