//! Mass sending from a CSV of recipients (one national identity number or organisation number
//! per line, in the first column): read as a stream, checked line by line, looked up and stored
//! in batches, with progress reported as it goes and every rejected line named by its number.

use std::collections::HashSet;
use std::io::BufRead;
use std::sync::{Mutex, mpsc};

use diesel::PgConnection;

use crate::db::PgPool;

use super::Draft;
use super::preflight::find_parties;
use super::store::{BATCH, MassSend, Sent};
use crate::domain::{PartyRef, TestIds};

/// A line that was not sent to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: usize,
    pub value: String,
    pub reason: Reason,
}

impl Rejected {
    /// A rejected line as the report keeps it: the value shortened and made printable.
    fn new(line: usize, value: &str, reason: Reason) -> Self {
        Rejected {
            line,
            value: printable(value).take(40).collect(),
            reason,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Not a valid national identity number or organisation number.
    Invalid,
    /// Valid, but no such party.
    Unknown,
    /// The same recipient on an earlier line.
    Duplicate,
}

impl Reason {
    pub fn key(self) -> &'static str {
        match self {
            Reason::Invalid => "mass-rejected-invalid",
            Reason::Unknown => "mass-rejected-unknown",
            Reason::Duplicate => "mass-rejected-duplicate",
        }
    }
}

/// Rejected lines kept to show (all are counted).
pub const REJECTED_KEPT: usize = 1_000;

#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub lines: usize,
    pub stored: usize,
    pub rejected: usize,
}

pub struct Outcome {
    pub sent: Sent,
    pub progress: Progress,
    /// The first [`REJECTED_KEPT`] rejected lines.
    pub rejected: Vec<Rejected>,
}

/// The recipient on a CSV line: its first field, without quotes and spaces.
fn first_field(line: &str) -> &str {
    line.split([',', ';', '\t'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .trim()
}

/// Windows-1252's characters for the bytes 0x80-0x9F (Latin-1 has control characters there);
/// the bytes 0xA0-0xFF are the same as in Latin-1 and Unicode.
const WINDOWS_1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// A line of the file as text: UTF-8 (without a byte-order mark on the first line), else
/// Windows-1252 / Latin-1, which is what spreadsheets in Norway save by default. Line ends of
/// either kind are dropped.
fn decode_line(mut bytes: Vec<u8>, first: bool) -> String {
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    if first && bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).unwrap_or_else(|e| {
        e.into_bytes()
            .into_iter()
            .map(|b| match b {
                0x80..=0x9F => WINDOWS_1252[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect()
    })
}

/// A rejected value as it can be shown and stored in the report: control characters (a NUL in a
/// broken file) as their visible symbols.
fn printable(value: &str) -> impl Iterator<Item = char> + '_ {
    value.chars().map(|c| match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        c => c,
    })
}

/// What one line of a CSV file says.
enum Line {
    /// Empty, or the header.
    Skip,
    /// A recipient's number, as stored (11 or 9 digits).
    Recipient(String),
    /// Not sent to: the value as given, and why.
    Rejected(String, Reason),
}

/// Reads the lines of a CSV file one by one: the first field, parsed; a first line that is not a
/// number is a header; a recipient on an earlier line is a duplicate.
struct Lines {
    test_ids: TestIds,
    seen: HashSet<u64>,
}

impl Lines {
    fn new(test_ids: TestIds) -> Self {
        Lines {
            test_ids,
            seen: HashSet::new(),
        }
    }

    fn read(&mut self, number: usize, bytes: Vec<u8>) -> Line {
        let line = decode_line(bytes, number == 1);
        let value = first_field(&line);
        if value.is_empty() {
            return Line::Skip;
        }
        let parsed = match PartyRef::parse(value, self.test_ids) {
            Ok(PartyRef::Person(id)) => id.as_str().to_owned(),
            Ok(PartyRef::Organization(org)) => org.as_str().to_owned(),
            Err(_) if number == 1 && !value.starts_with(|c: char| c.is_ascii_digit()) => {
                return Line::Skip;
            }
            Err(_) => return Line::Rejected(value.to_owned(), Reason::Invalid),
        };
        // 9-digit and 11-digit numbers never collide once the length is folded in.
        let key = parsed.parse::<u64>().unwrap_or(0) * 100 + parsed.len() as u64;
        if !self.seen.insert(key) {
            return Line::Rejected(value.to_owned(), Reason::Duplicate);
        }
        Line::Recipient(parsed)
    }
}

/// What a check of a CSV file found, before anything is sent.
#[derive(Debug, Clone, Default)]
pub struct Check {
    pub lines: usize,
    /// Recipients that exist and would be sent to.
    pub recipients: usize,
    pub rejected: usize,
    /// The first [`REJECTED_KEPT`] rejected lines, in order.
    pub rejected_lines: Vec<Rejected>,
}

/// Reads `csv` as a send would (the same lines rejected for the same reasons, recipients looked
/// up in batches) and stores nothing.
pub fn check(pool: &PgPool, csv: impl BufRead, test_ids: TestIds) -> anyhow::Result<Check> {
    let mut conn = pool.get()?;
    let mut found = Check::default();
    let reject = |found: &mut Check, line: usize, value: &str, reason: Reason| {
        found.rejected += 1;
        if found.rejected_lines.len() < REJECTED_KEPT {
            found
                .rejected_lines
                .push(Rejected::new(line, value, reason));
        }
    };
    let mut lookup = |found: &mut Check, batch: &mut Vec<(usize, String)>| -> anyhow::Result<()> {
        let (ids, unknown) = look_up(&mut conn, batch)?;
        found.recipients += ids.len();
        for (line, number) in unknown {
            reject(found, line, &number, Reason::Unknown);
        }
        batch.clear();
        Ok(())
    };
    let mut lines = Lines::new(test_ids);
    let mut batch = Vec::with_capacity(BATCH);
    for (index, line) in csv.split(b'\n').enumerate() {
        let number = index + 1;
        found.lines = number;
        match lines.read(number, line?) {
            Line::Skip => {}
            Line::Rejected(value, reason) => reject(&mut found, number, &value, reason),
            Line::Recipient(parsed) => {
                batch.push((number, parsed));
                if batch.len() == BATCH {
                    lookup(&mut found, &mut batch)?;
                }
            }
        }
    }
    lookup(&mut found, &mut batch)?;
    found.rejected_lines.sort_by_key(|r| r.line);
    Ok(found)
}

/// Sends `draft` to every recipient in `csv`. A first line that is not a number is taken as a
/// header. `progress` is called after each stored batch.
pub fn send_csv(
    pool: &PgPool,
    draft: &Draft,
    csv: impl BufRead,
    test_ids: TestIds,
    progress: impl FnMut(&Progress),
) -> anyhow::Result<Outcome> {
    let mass = MassSend::start(&mut *pool.get()?, draft)?;
    run(pool, mass, draft, csv, test_ids, progress)
}

/// Connections that store batches at once: the database does the work of a batch on one core,
/// and the reader stays ahead of two of them.
const WRITERS: usize = 2;

/// What a writer reports for a batch: recipients stored, and the lines with no such party.
type Stored = anyhow::Result<(usize, Vec<(usize, String)>)>;

/// Looks up one batch of recipients and stores those found; returns how many were stored and
/// the (line, number) of those not found.
fn store(
    conn: &mut PgConnection,
    mass: &MassSend,
    draft: &Draft,
    batch: &[(usize, String)],
) -> Stored {
    let (ids, unknown) = look_up(conn, batch)?;
    mass.add(conn, draft, &ids)?;
    Ok((ids.len(), unknown))
}

/// Recipients by line: (line number, national id or organisation number).
type Numbered = Vec<(usize, String)>;

/// The party ids of a batch's recipients, and the (line, number) of those no party has.
fn look_up(
    conn: &mut PgConnection,
    batch: &[(usize, String)],
) -> diesel::QueryResult<(Vec<i64>, Numbered)> {
    let numbers: Vec<String> = batch.iter().map(|(_, n)| n.clone()).collect();
    let found = find_parties(conn, &numbers)?;
    let mut ids = Vec::with_capacity(found.len());
    let mut unknown = Vec::new();
    for ((line, number), party) in batch.iter().zip(found) {
        match party {
            Some(id) => ids.push(id),
            None => unknown.push((*line, number.clone())),
        }
    }
    Ok((ids, unknown))
}

/// Continues a send started with [`MassSend::start`] with the recipients in `csv`: this thread
/// reads and checks the lines, [`WRITERS`] threads store the batches.
pub fn run(
    pool: &PgPool,
    mass: MassSend,
    draft: &Draft,
    csv: impl BufRead,
    test_ids: TestIds,
    mut progress: impl FnMut(&Progress),
) -> anyhow::Result<Outcome> {
    let mut state = Progress::default();
    let mut rejected = Vec::new();
    if !mass.sent.created {
        // The same idempotency key again: the first send stands, nothing is added.
        return Ok(Outcome {
            sent: mass.sent,
            progress: state,
            rejected,
        });
    }
    let mut reject = |state: &mut Progress, line: usize, value: &str, reason: Reason| {
        state.rejected += 1;
        if rejected.len() < REJECTED_KEPT {
            rejected.push(Rejected::new(line, value, reason));
        }
    };
    let (batches, inbox) = mpsc::sync_channel::<Vec<(usize, String)>>(WRITERS);
    let inbox = Mutex::new(inbox);
    let (results, outcomes) = mpsc::channel::<Stored>();
    let outcome = std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..WRITERS {
            let results = results.clone();
            let inbox = &inbox;
            scope.spawn(move || {
                let mut conn = match pool.get() {
                    Ok(conn) => conn,
                    Err(e) => {
                        let _ = results.send(Err(e.into()));
                        return;
                    }
                };
                loop {
                    let batch = match inbox.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(batch) = batch else { return };
                    let failed = {
                        let stored = store(&mut conn, &mass, draft, &batch);
                        let failed = stored.is_err();
                        let _ = results.send(stored);
                        failed
                    };
                    if failed {
                        return;
                    }
                }
            });
        }
        drop(results);
        let mut take = |state: &mut Progress, outcome: Stored| -> anyhow::Result<()> {
            let (stored, unknown) = outcome?;
            state.stored += stored;
            for (line, number) in unknown {
                reject(state, line, &number, Reason::Unknown);
            }
            progress(state);
            Ok(())
        };
        let mut batch: Vec<(usize, String)> = Vec::with_capacity(BATCH);
        let mut invalid = Vec::new();
        let read = || -> anyhow::Result<()> {
            let mut lines = Lines::new(test_ids);
            for (index, line) in csv.split(b'\n').enumerate() {
                let number = index + 1;
                state.lines = number;
                let parsed = match lines.read(number, line?) {
                    Line::Skip => continue,
                    Line::Rejected(value, reason) => {
                        invalid.push((number, value, reason));
                        continue;
                    }
                    Line::Recipient(parsed) => parsed,
                };
                batch.push((number, parsed));
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    batches.send(full)?;
                    while let Ok(outcome) = outcomes.try_recv() {
                        take(&mut state, outcome)?;
                    }
                }
            }
            if !batch.is_empty() {
                batches.send(std::mem::take(&mut batch))?;
            }
            Ok(())
        };
        let read_result = read();
        drop(batches);
        for outcome in outcomes.iter() {
            take(&mut state, outcome)?;
        }
        read_result?;
        for (line, value, reason) in invalid {
            reject(&mut state, line, &value, reason);
        }
        Ok(())
    });
    outcome?;
    rejected.sort_by_key(|r: &Rejected| r.line);
    Ok(Outcome {
        sent: mass.sent,
        progress: state,
        rejected,
    })
}

/// CSV files kept after a check and never sent are removed after a day (a send reads its file
/// within minutes and removes it). Returns how many were removed.
pub fn remove_stale_uploads(dir: &std::path::Path) -> usize {
    let day = std::time::Duration::from_secs(24 * 3600);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > day)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// A background CSV send makes progress every few seconds; one silent this long has lost its
/// process (a restart, a crash).
const STALLED_AFTER: &str = "interval '10 minutes'";

/// Marks CSV sends that stopped making progress as failed, so the sender is told instead of
/// seeing "in progress" for ever. What was stored stays stored. Returns how many were marked.
pub fn mark_stalled(conn: &mut PgConnection) -> diesel::QueryResult<usize> {
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "UPDATE mass_sends SET state = 'failed', finished_at = now(), updated_at = now(), \
             error = 'interrupted: no progress for 10 minutes (the server stopped); the recipients stored so far are sent' \
         WHERE state = 'running' AND updated_at < now() - {STALLED_AFTER}"
    ))
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::{decode_line, first_field, printable};

    #[test]
    fn lines_are_read_as_utf8_or_as_windows_1252() {
        assert_eq!(
            decode_line(b"\xEF\xBB\xBF01018012345;K\xC3\xA5re\r".to_vec(), true),
            "01018012345;Kåre"
        );
        assert_eq!(
            decode_line(b"01018012345;K\xE5re \xC6rlig \x80\r".to_vec(), false),
            "01018012345;Kåre Ærlig €"
        );
        assert_eq!(
            decode_line(b"\xEF\xBB\xBFx".to_vec(), false),
            "\u{feff}x",
            "a BOM counts on line 1 only"
        );
    }

    #[test]
    fn rejected_values_are_shown_without_control_characters() {
        assert_eq!(printable("a\u{0}\u{0}b\t").collect::<String>(), "a␀␀b␉");
    }

    #[test]
    fn the_recipient_is_the_first_field() {
        assert_eq!(first_field("974760673"), "974760673");
        assert_eq!(first_field(" \"974760673\" ;Kari"), "974760673");
        assert_eq!(first_field("01018012345,Kari Nordmann"), "01018012345");
        assert_eq!(first_field(""), "");
    }
}
