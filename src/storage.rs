//! Where attachments and transferred files live: one interface over local disk (the default:
//! the demo, one node) and S3-compatible object storage (several nodes, no shared disk), built on
//! the `object_store` crate. Objects are written as streamed multipart uploads and read as
//! streams, whole or by byte range, so memory stays flat whatever an object weighs.
//!
//! Keys are ours (never user input). On disk each object is one file in one folder (`/` in a
//! key becomes `_`), the layout melding has always had; in a bucket the same flat names sit
//! under an optional prefix.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};

/// The size of the parts a streamed write sends (S3 wants at least 5 MiB but for the last).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts in flight at once per write: memory per write is about this times [`PART_BYTES`].
const PARTS_IN_FLIGHT: usize = 4;

/// Where an S3-compatible store is and how to sign for it.
#[derive(Clone)]
pub struct S3Config {
    /// `https://s3.example.no` (or `http://127.0.0.1:9000` on a private network).
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: secrecy::SecretString,
    /// Prepended to every key (`melding/`), so one bucket can hold several installations.
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object not found")]
    NotFound,
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
}

impl StorageError {
    fn from_store(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => StorageError::NotFound,
            other => StorageError::Store(other),
        }
    }
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    /// On local disk: the folder (for the few callers that hand a file to the OS).
    root: Option<PathBuf>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("store", &self.store.to_string())
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Storage {
    /// Local disk under `data_dir/attachments` (made if missing).
    pub fn new(data_dir: &Path) -> Self {
        let root = data_dir.join("attachments");
        let _ = std::fs::create_dir_all(&root);
        let store: Arc<dyn ObjectStore> =
            match object_store::local::LocalFileSystem::new_with_prefix(&root) {
                // A write given up leaves no staging file behind.
                Ok(local) => Arc::new(local.with_automatic_cleanup(true)),
                // The folder could not be made: every access will say so.
                Err(_) => Arc::new(object_store::local::LocalFileSystem::new()),
            };
        Storage {
            store,
            prefix: String::new(),
            root: Some(root),
        }
    }

    /// An S3-compatible bucket.
    pub fn s3(config: &S3Config) -> Result<Self, StorageError> {
        use secrecy::ExposeSecret;
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(config.endpoint.trim_end_matches('/'))
            .with_allow_http(config.endpoint.starts_with("http://"))
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose_secret())
            .with_virtual_hosted_style_request(false)
            .build()?;
        Ok(Storage {
            store: Arc::new(store),
            prefix: config.prefix.trim_matches('/').to_owned(),
            root: None,
        })
    }

    /// The store the configuration names: the bucket when given, else local disk.
    pub fn configured(data_dir: &Path, s3: Option<&S3Config>) -> Result<Self, StorageError> {
        match s3 {
            Some(config) => Storage::s3(config),
            None => Ok(Storage::new(data_dir)),
        }
    }

    /// Whether objects are in a bucket (shared by every node) rather than on this machine.
    pub fn is_shared(&self) -> bool {
        self.root.is_none()
    }

    fn location(&self, key: &str) -> ObjectPath {
        let name = key.replace(['/', '\\'], "_");
        if self.prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{}/{name}", self.prefix))
        }
    }

    /// Starts a streamed write of the object `key`; nothing is visible until it is finished.
    pub async fn writer(&self, key: &str) -> Result<Writer, StorageError> {
        let upload = self
            .store
            .put_multipart(&self.location(key))
            .await
            .map_err(StorageError::from_store)?;
        Ok(Writer {
            inner: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
            written: 0,
        })
    }

    /// Writes a small object at once.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.store
            .put(&self.location(key), bytes.into())
            .await
            .map(|_| ())
            .map_err(StorageError::from_store)
    }

    /// Writes a small object from code that is not async (the demo seed): on a thread of its
    /// own with its own runtime, whatever runtime the caller is on.
    pub fn put_blocking(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        let this = self.clone();
        let key = key.to_owned();
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| {
                            StorageError::Store(object_store::Error::Generic {
                                store: "runtime",
                                source: Box::new(e),
                            })
                        })?;
                    runtime.block_on(this.put(&key, bytes))
                })
                .join()
                .unwrap_or_else(|_| {
                    Err(StorageError::Store(object_store::Error::Generic {
                        store: "runtime",
                        source: "the storage thread panicked".into(),
                    }))
                })
        })
    }

    /// The object's size in bytes.
    pub async fn size(&self, key: &str) -> Result<u64, StorageError> {
        self.store
            .head(&self.location(key))
            .await
            .map(|meta| meta.size)
            .map_err(StorageError::from_store)
    }

    /// The object (or the bytes `range` of it) as a stream.
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, StorageError>>, StorageError> {
        // An empty range is no bytes (object stores refuse to be asked for it).
        if range.as_ref().is_some_and(|r| r.is_empty()) {
            return Ok(futures_util::stream::empty().boxed());
        }
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(&self.location(key), options)
            .await
            .map_err(StorageError::from_store)?;
        Ok(result
            .into_stream()
            .map_err(StorageError::from_store)
            .boxed())
    }

    /// The whole object in memory (small objects only: a forwarded e-mail's files, tests).
    pub async fn read_all(&self, key: &str) -> Result<Bytes, StorageError> {
        let result = self
            .store
            .get(&self.location(key))
            .await
            .map_err(StorageError::from_store)?;
        result.bytes().await.map_err(StorageError::from_store)
    }

    /// Removes the object; one that is not there is fine.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&self.location(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StorageError::Store(e)),
        }
    }
}

/// What a stream written to storage came to.
#[derive(Debug, Clone)]
pub struct Written {
    pub size: u64,
    /// Hex digests of the bytes: SHA-256 (kept with attachments; empty when not asked for),
    /// MD5 (the checksum Altinn's clients give).
    pub sha256: String,
    pub md5: String,
}

/// Why a stream was not stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than allowed")]
    TooLarge,
    /// The stream broke off (the client went away, or sent something unreadable).
    #[error("the upload broke off: {0}")]
    Stream(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Storage {
    /// Streams `data` to the object `key`, hashing as it goes (MD5, and SHA-256 when `sha256`),
    /// refusing an empty stream and one longer than `max` bytes. On any failure the write is
    /// given up and nothing is stored.
    pub async fn write_hashed<S, E>(
        &self,
        key: &str,
        mut data: S,
        max: u64,
        sha256: bool,
    ) -> Result<Written, WriteError>
    where
        S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        use md5::Digest as _;
        let mut writer = self.writer(key).await?;
        let mut sha = sha2::Sha256::new();
        let mut md5 = md5::Md5::new();
        let result = async {
            while let Some(chunk) = data
                .try_next()
                .await
                .map_err(|e| WriteError::Stream(e.to_string()))?
            {
                if writer.written() + chunk.len() as u64 > max {
                    return Err(WriteError::TooLarge);
                }
                if sha256 {
                    sha.update(&chunk);
                }
                md5.update(&chunk);
                writer.write(&chunk).await?;
            }
            if writer.written() == 0 {
                return Err(WriteError::Empty);
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                let size = writer.finish().await?;
                Ok(Written {
                    size,
                    sha256: if sha256 {
                        format!("{:x}", sha.finalize())
                    } else {
                        String::new()
                    },
                    md5: format!("{:x}", md5.finalize()),
                })
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }
}

/// A streamed write: parts go to the store as they fill, a few at a time.
pub struct Writer {
    inner: WriteMultipart,
    written: u64,
}

impl Writer {
    /// Adds `bytes`, waiting while too many parts are in flight.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StorageError> {
        self.inner
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(StorageError::from_store)?;
        self.inner.write(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Makes the object visible.
    pub async fn finish(self) -> Result<u64, StorageError> {
        let written = self.written;
        self.inner
            .finish()
            .await
            .map(|_| written)
            .map_err(StorageError::from_store)
    }

    /// Gives the write up: nothing is left behind.
    pub async fn abort(self) -> Result<(), StorageError> {
        self.inner.abort().await.map_err(StorageError::from_store)
    }
}
