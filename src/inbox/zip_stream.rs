//! All of a message's attachments as one ZIP, streamed as it is written: never held in memory or
//! on disk whole, whatever the attachments weigh.

use actix_web::web::Bytes;
use futures_util::Stream;
use zip::write::SimpleFileOptions;

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

/// Streams a ZIP of `files` (name in the archive, path on disk).
pub fn zip(
    files: Vec<(String, std::path::PathBuf)>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    crate::web::stream::written("attachment archive", move |out| {
        let mut archive = zip::ZipWriter::new_stream(out);
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        let mut taken = Vec::new();
        for (name, path) in files {
            archive.start_file(unique_name(&name, &mut taken), options)?;
            let mut file = std::fs::File::open(&path)?;
            std::io::copy(&mut file, &mut archive)?;
        }
        archive.finish()?.into_inner().flush()?;
        Ok(())
    })
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
