//! All of a message's attachments as one ZIP, streamed as it is written: never held in memory or
//! on disk whole, whatever the attachments weigh.

use std::io::Write;

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;

/// Sends what the ZIP writer writes to the response, in chunks, waiting when the client is slow.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

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
    let (tx, rx) = mpsc::channel(4);
    let errors = tx.clone();
    tokio::task::spawn_blocking(move || {
        let write = || -> anyhow::Result<()> {
            let mut archive = zip::ZipWriter::new_stream(ChannelWriter {
                tx,
                buffer: Vec::with_capacity(CHUNK),
            });
            let options = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(true);
            let mut taken = Vec::new();
            for (name, path) in files {
                archive.start_file(unique_name(&name, &mut taken), options)?;
                let mut file = std::fs::File::open(&path)?;
                std::io::copy(&mut file, &mut archive)?;
            }
            let mut inner = archive.finish()?.into_inner();
            inner.flush()?;
            Ok(())
        };
        if let Err(err) = write() {
            tracing::error!(error = %err, "the attachment archive could not be written");
            let _ = errors.blocking_send(Err(std::io::Error::other("the archive is incomplete")));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
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
