//! Attachments as downloads, for the inbox and the API alike: one file, or all of a message's as
//! one ZIP, streamed as it is written: never held in memory or on disk whole, whatever the
//! attachments weigh.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::Stream;
use zip::write::SimpleFileOptions;

use super::message::Attachment;
use crate::storage::Storage;
use crate::web::AppError;

/// Unique names inside the archive: a second `vedtak.pdf` becomes `vedtak (2).pdf`.
fn unique_name(name: &str, taken: &mut Vec<String>) -> String {
    let mut candidate = name.to_owned();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem} ({n}).{ext}"),
            None => format!("{name} ({n})"),
        };
    }
    taken.push(candidate.clone());
    candidate
}

/// Streams a ZIP of `files` (name in the archive, storage key), each read from storage as it
/// is written.
pub fn zip(
    storage: Storage,
    files: Vec<(String, String)>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    use futures_util::StreamExt;
    use std::io::Write;
    // The archive is written on a blocking thread; the objects are read on the server's runtime.
    let runtime = tokio::runtime::Handle::current();
    crate::web::stream::written("attachment archive", move |out| {
        let mut archive = zip::ZipWriter::new_stream(out);
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        let mut taken = Vec::new();
        for (name, key) in files {
            archive.start_file(unique_name(&name, &mut taken), options)?;
            let mut object = runtime.block_on(storage.read(&key, None))?;
            while let Some(chunk) = runtime.block_on(object.next()) {
                archive.write_all(&chunk?)?;
            }
        }
        archive.finish()?.into_inner().flush()?;
        Ok(())
    })
}

/// `attachment; filename="ascii"; filename*=UTF-8''…`: any name survives, old clients get a fallback.
pub fn attachment_disposition(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// One attachment as a download (the page's and the API's).
pub async fn file_response(
    req: &HttpRequest,
    storage: &Storage,
    found: &Attachment,
) -> Result<HttpResponse, AppError> {
    crate::web::ranged::object_response(
        req,
        storage,
        &found.storage_key,
        u64::try_from(found.size_bytes).unwrap_or_default(),
        &found.media_type,
        attachment_disposition(&found.name),
    )
    .await
}

/// The attachments as one streamed ZIP named after the message's title.
pub fn zip_response(storage: &Storage, title: &str, files: Vec<Attachment>) -> HttpResponse {
    let files = files.into_iter().map(|a| (a.name, a.storage_key)).collect();
    let name: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(attachment_disposition(&format!("{}.zip", name.trim())))
        .streaming(zip(storage.clone(), files))
}

#[cfg(test)]
mod tests {
    use super::unique_name;

    #[test]
    fn names_in_the_archive_are_unique() {
        let mut taken = Vec::new();
        assert_eq!(unique_name("vedtak.pdf", &mut taken), "vedtak.pdf");
        assert_eq!(unique_name("vedtak.pdf", &mut taken), "vedtak (2).pdf");
        assert_eq!(unique_name("vedtak.pdf", &mut taken), "vedtak (3).pdf");
        assert_eq!(unique_name("README", &mut taken), "README");
        assert_eq!(unique_name("README", &mut taken), "README (2)");
    }
}
