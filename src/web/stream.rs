//! Responses written by blocking code (a ZIP archive, a CSV export) and streamed as they are
//! written: in chunks through a small channel, so nothing is held whole and a slow client slows
//! the writer instead of filling memory.

use std::io::Write;

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;

/// Sends what the writer writes to the response, in chunks, waiting when the client is slow.
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

/// Runs `write` on a blocking thread and streams what it writes. A failure midway is logged
/// (`what` names the response) and ends the stream with an error, so the client sees a broken
/// download rather than a short one that looks whole.
pub fn written<F>(what: &'static str, write: F) -> impl Stream<Item = Result<Bytes, std::io::Error>>
where
    F: FnOnce(&mut dyn Write) -> anyhow::Result<()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(4);
    let errors = tx.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx,
            buffer: Vec::with_capacity(CHUNK),
        };
        let result = write(&mut out).and_then(|()| Ok(out.flush()?));
        if let Err(err) = result {
            tracing::error!(error = %err, what, "a streamed response could not be written");
            let _ = errors.blocking_send(Err(std::io::Error::other("the response is incomplete")));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}
