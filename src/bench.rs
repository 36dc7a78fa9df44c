//! The mass-send benchmark (`melding bench-send`): makes sure the given number of synthetic
//! persons exist (each with an e-mail address), writes them to a CSV file and sends one message
//! to all of them through the same code as the CSV upload, timing it.

use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use crate::db::PgPool;
use crate::domain::{Language, TestIds};
use crate::seed::national::{ensure_persons, synthetic_ids};
use crate::sending::draft::RECIPIENT_NAME;
use crate::sending::mass;
use crate::sending::{Draft, NotificationChannel};

/// A plain letter from `owner` in `service`, notified by e-mail, without a reminder.
fn bench_draft(service: &str, owner: i64, channel: &'static str, reference: &str) -> Draft {
    Draft {
        service_id: service.to_owned(),
        sender_id: owner,
        created_by: None,
        channel,
        idempotency_key: None,
        senders_reference: reference.to_owned(),
        display_sender: None,
        language: Language::Nb,
        title: "Vedtak".to_owned(),
        summary: None,
        body: "Hei.".to_owned(),
        publish_at: None,
        due_at: None,
        confirmation_needed: false,
        reply_links: Vec::new(),
        external_references: Vec::new(),
        notification: Some(NotificationChannel::Email),
        reminder_notification: None,
        send_reminder: false,
        sms_any_time: true,
        ignore_reservation_reason: None,
        initial_texts: None,
        reminder_texts: None,
        attachments: Vec::new(),
        allow_forwarding: false,
        properties: Vec::new(),
    }
}

pub struct Report {
    pub recipients: usize,
    pub prepare_seconds: f64,
    pub send_seconds: f64,
    pub notifications: i64,
}

/// The letter a benchmark send sends.
#[derive(Debug, Clone, Copy)]
pub struct Letter {
    /// About this many bytes of body; `None`: two short sentences.
    pub bytes: Option<usize>,
    /// Title and body name each recipient (`{{recipientName}}`), as the tax office's do.
    pub personalised: bool,
}

impl Letter {
    fn texts(self) -> (String, String) {
        let name = if self.personalised {
            RECIPIENT_NAME
        } else {
            "deg"
        };
        let title = format!("Skatteoppgjøret for {name} er klart");
        let mut body =
            format!("Hei {name},\n\nSkatteoppgjøret ditt er klart. Logg inn for å se det.");
        if let Some(bytes) = self.bytes {
            const PARAGRAPH: &str = "\n\nSkatteetaten har gått gjennom opplysningene om inntekt, \
                formue og fradrag for fjoråret. Har du fått for lite igjen, betaler vi ut det du \
                har til gode innen tre uker; har du betalt for lite, får du en faktura med frist.";
            while body.len() < bytes {
                body.push_str(PARAGRAPH);
            }
        }
        (title, body)
    }
}

/// Runs the benchmark against the database behind `pool`; the CSV goes to `dir`.
pub fn mass_send(
    pool: &PgPool,
    count: usize,
    letter: Letter,
    dir: &Path,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut conn = pool.get()?;
    let ids = synthetic_ids(count);
    eprintln!("preparing {} synthetic persons...", ids.len());
    for chunk in ids.chunks(50_000) {
        ensure_persons(&mut conn, chunk)?;
    }
    std::fs::create_dir_all(dir)?;
    let csv = dir.join("recipients.csv");
    {
        let mut out = BufWriter::new(std::fs::File::create(&csv)?);
        writeln!(out, "recipient")?;
        for id in &ids {
            writeln!(out, "{id}")?;
        }
        out.flush()?;
    }
    diesel::sql_query("ANALYZE parties").execute(&mut conn)?;
    let prepare_seconds = started.elapsed().as_secs_f64();

    let owner: i64 = crate::db::schema::service_owners::table
        .filter(crate::db::schema::service_owners::short_name.eq("skatteetaten"))
        .select(crate::db::schema::service_owners::party_id)
        .first(&mut conn)
        .context("the demo world's tax office (run `melding demo` once first)")?;
    let mut draft = bench_draft("skatt-skatteoppgjor", owner, "csv", "BENCH-MASS");
    draft.idempotency_key = Some(format!("bench-{}", uuid::Uuid::now_v7()));
    (draft.title, draft.body) = letter.texts();
    draft.summary = Some("Se hva du skal betale eller få tilbake".to_owned());
    draft.send_reminder = true;
    draft.sms_any_time = false;
    let started = Instant::now();
    let input = BufReader::new(std::fs::File::open(&csv)?);
    let outcome = mass::send_csv(pool, &draft, input, TestIds::Allowed, |p| {
        eprint!(
            "\r{} lines read, {} stored, {} rejected",
            p.lines, p.stored, p.rejected
        );
    })?;
    eprintln!();
    let send_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        outcome.progress.rejected == 0,
        "{} lines were rejected",
        outcome.progress.rejected
    );
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let notifications = diesel::sql_query(
        "SELECT count(*) AS n FROM notifications n JOIN correspondences c ON c.id = n.correspondence_id \
         WHERE c.sending_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(outcome.sent.sending_id)
    .get_result::<Count>(&mut conn)?
    .n;
    Ok(Report {
        recipients: outcome.progress.stored,
        prepare_seconds,
        send_seconds,
        notifications,
    })
}

/// A minimal SMTP server that accepts and counts mail (the benchmark's sink): one thread per
/// connection, enough of RFC 5321 for a client that sends and moves on.
pub struct SmtpSink {
    pub port: u16,
    pub received: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl SmtpSink {
    pub fn start() -> anyhow::Result<Self> {
        Self::start_on(0)
    }

    /// On `port` of the loopback (0: any free one).
    pub fn start_on(port: u16) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let received = serve(listener, sink_session);
        Ok(SmtpSink { port, received })
    }

    pub fn count(&self) -> u64 {
        self.received.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Serves each connection of `listener` on a thread of its own with `session`, which counts
/// what it receives; answers the count.
fn serve(
    listener: std::net::TcpListener,
    session: fn(std::net::TcpStream, &std::sync::atomic::AtomicU64) -> std::io::Result<()>,
) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
    let received = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let _ = session(stream, &counter);
            });
        }
    });
    received
}

fn sink_session(
    stream: std::net::TcpStream,
    counter: &std::sync::atomic::AtomicU64,
) -> std::io::Result<()> {
    use std::io::BufRead;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-sink\r\n250 8BITMIME\r\n")?,
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "DATA" => {
                out.write_all(b"354 End with .\r\n")?;
                loop {
                    line.clear();
                    if reader.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                }
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                out.write_all(b"250 OK queued\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 Bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"502 Not implemented\r\n")?,
        }
    }
}

/// The benchmark's service owner (Benketaten) and its service `benk-brev`, in an empty database.
fn bench_owner(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH owner AS ( \
             INSERT INTO parties (kind, org_number, name, org_form) \
             VALUES ('organization', '974761076', 'Benketaten', 'ORGL') RETURNING id \
         ), o AS (INSERT INTO service_owners (party_id, short_name) SELECT id, 'benk' FROM owner) \
         INSERT INTO services (id, owner_id, title_nb, title_nn, title_en) \
         SELECT 'benk-brev', id, 'Brev fra benken', 'Brev frå benken', 'Bench letter' FROM owner",
    )
    .execute(conn)
}

pub struct NotifyReport {
    pub emails: usize,
    pub concurrency: usize,
    pub worker_seconds: f64,
    pub bare_seconds: f64,
}

/// The worker's e-mail throughput into a local SMTP sink, next to a bare lettre loop sending as
/// many comparable mails over the same number of pooled connections. `pool` must be a database
/// of its own (the worker sends whatever is due in it).
pub fn notify(
    pool: &PgPool,
    emails: usize,
    concurrency: usize,
    batch: i64,
) -> anyhow::Result<NotifyReport> {
    use crate::notify::transport::{Mailer, OutgoingEmail, SmsGateway};
    use crate::notify::{Settings, SystemClock, Worker};
    use std::sync::Arc;

    let mut conn = pool.get()?;
    let persons = emails.clamp(1, 1000);
    eprintln!("preparing {emails} due notices...");
    bench_owner(&mut conn)?;
    let ids = synthetic_ids(persons);
    diesel::sql_query(
        "WITH new AS ( \
             INSERT INTO parties (kind, national_id, name) \
             SELECT 'person', n, 'Benk ' || n FROM unnest($1::text[]) n RETURNING id, national_id \
         ) INSERT INTO contact_points (person_id, email) \
           SELECT id, 'benk' || national_id || '@sink.example' FROM new",
    )
    .bind::<Array<Text>, _>(&ids)
    .execute(&mut conn)?;
    let owner: i64 = crate::db::schema::service_owners::table
        .select(crate::db::schema::service_owners::party_id)
        .first(&mut conn)?;
    let recipients: Vec<i64> = crate::db::schema::parties::table
        .filter(crate::db::schema::parties::kind.eq(crate::domain::PartyKind::Person))
        .select(crate::db::schema::parties::id)
        .load(&mut conn)?;
    let draft = bench_draft("benk-brev", owner, "api", "BENCH-NOTIFY");
    crate::sending::send(&mut conn, &draft, &recipients)?;
    // More notices per message (an organisation's readers) up to the number asked for.
    let extra = emails.saturating_sub(persons);
    if extra > 0 {
        diesel::sql_query(
            "INSERT INTO notifications (correspondence_id, kind, channel, address, run_at, expires_at) \
             SELECT c.id, 'initial', 'email', 'reader' || g || '.' || row_number() OVER () || '@sink.example', \
                    now(), now() + interval '48 hours' \
             FROM (SELECT id FROM correspondences ORDER BY id) c \
             CROSS JOIN generate_series(1, $1) g LIMIT $2",
        )
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(extra.div_ceil(persons))?)
        .bind::<diesel::sql_types::BigInt, _>(i64::try_from(extra)?)
        .execute(&mut conn)?;
    }
    diesel::sql_query("ANALYZE notifications").execute(&mut conn)?;
    drop(conn);

    let sink = SmtpSink::start()?;
    let url = secrecy::SecretString::from(format!("smtp://127.0.0.1:{}", sink.port));
    let from: lettre::message::Mailbox = "melding <noreply@melding.example>".parse()?;
    let mut settings = Settings::new("https://melding.example");
    settings.concurrency = concurrency;
    settings.batch = batch;
    let worker = Worker::new(
        pool.clone(),
        Mailer::smtp(&url, from.clone(), u32::try_from(concurrency)?)?,
        SmsGateway::Capture(pool.clone()),
        Arc::new(SystemClock),
        settings,
    )?;
    eprintln!("worker: sending {emails} e-mails...");
    let started = Instant::now();
    let done = worker.drain()?;
    let worker_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        done.sent == emails && sink.count() == emails as u64,
        "the worker sent {} and the sink received {} of {emails}",
        done.sent,
        sink.count()
    );

    eprintln!("bare lettre loop: sending {emails} e-mails...");
    let bare_sink = SmtpSink::start()?;
    let bare_url = secrecy::SecretString::from(format!("smtp://127.0.0.1:{}", bare_sink.port));
    let mailer = Mailer::smtp(&bare_url, from, u32::try_from(concurrency)?)?;
    let text = "Hei, Benk.\n\nBenketaten har sendt en melding i tjenesten «Brev fra benken». Logg inn i innboksen for å lese den.\n\nÅpne innboksen: https://melding.example/inbox/messages/0?party=1\n";
    let html = format!("<!DOCTYPE html><html lang=\"nb\"><body><p>{text}</p></body></html>");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    rt.block_on(async {
        use futures_util::{StreamExt, TryStreamExt};
        futures_util::stream::iter(0..emails)
            .map(|i| {
                let (mailer, html) = (&mailer, &html);
                async move {
                    let to = format!("benk{i}@sink.example");
                    let id = format!("<bare.{i}@melding.example>");
                    mailer
                        .send(&OutgoingEmail {
                            to: &to,
                            subject: "Du har fått en melding fra Benketaten",
                            text,
                            html,
                            message_id: &id,
                            files: &[],
                        })
                        .await
                        .map_err(|e| anyhow::anyhow!("{e:?}"))
                }
            })
            .buffer_unordered(concurrency)
            .try_collect::<Vec<()>>()
            .await
    })?;
    let bare_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        bare_sink.count() == emails as u64,
        "the bare loop lost mail"
    );
    Ok(NotifyReport {
        emails,
        concurrency,
        worker_seconds,
        bare_seconds,
    })
}

/// What `rate` sends.
pub struct RateTarget {
    pub url: String,
    /// `GET` or `POST` (with `body` as JSON).
    pub post: bool,
    pub body: Option<String>,
    pub token: Option<String>,
}

/// An open-loop load at a fixed rate (`melding bench-rate`): a request is started every
/// 1/`per_second` seconds whether or not the earlier ones have answered, and each latency is
/// counted from the moment its request was due, so a slow server is not hidden by a generator
/// that waits for it (wrk keeps a fixed number of connections and measures from when it could
/// send). Returns a Markdown table row: requests, errors, p50, p95, p99, max.
pub fn rate(target: RateTarget, per_second: u32, seconds: u32) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?;
        let target = std::sync::Arc::new(target);
        let interval = std::time::Duration::from_secs_f64(1.0 / f64::from(per_second.max(1)));
        let total = u64::from(per_second) * u64::from(seconds);
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::with_capacity(total as usize);
        for i in 0..total {
            let due = start + interval.mul_f64(i as f64);
            tokio::time::sleep_until(due).await;
            let (client, target) = (client.clone(), target.clone());
            tasks.push(tokio::spawn(async move {
                let mut request = if target.post {
                    client
                        .post(&target.url)
                        .header("content-type", "application/json")
                        .body(target.body.clone().unwrap_or_default())
                } else {
                    client.get(&target.url)
                };
                if let Some(token) = &target.token {
                    request = request.bearer_auth(token);
                }
                let ok = match request.send().await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        let _ = response.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                (due.elapsed(), ok)
            }));
        }
        let mut latencies = Vec::with_capacity(tasks.len());
        let mut errors = 0;
        for task in tasks {
            let (latency, ok) = task.await?;
            errors += usize::from(!ok);
            latencies.push(latency);
        }
        latencies.sort();
        let at = |q: f64| {
            let i = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
            format!("{:.1} ms", latencies[i].as_secs_f64() * 1000.0)
        };
        anyhow::ensure!(!latencies.is_empty(), "no requests were made");
        Ok(format!(
            "| {} | {} | {} | {} | {} | {} |",
            latencies.len(),
            errors,
            at(0.50),
            at(0.95),
            at(0.99),
            at(1.0)
        ))
    })
}

/// A minimal HTTP/1.1 receiver for webhook deliveries (the events benchmark's): keeps
/// connections alive, answers every request 200 with no body and counts them.
pub struct HttpSink {
    pub url: String,
    pub received: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl HttpSink {
    pub fn start() -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        let received = serve(listener, http_session);
        Ok(HttpSink { url, received })
    }

    pub fn count(&self) -> u64 {
        self.received.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn http_session(
    stream: std::net::TcpStream,
    counter: &std::sync::atomic::AtomicU64,
) -> std::io::Result<()> {
    use std::io::{BufRead, Read};
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")?;
    }
}

pub struct EventsReport {
    pub events: usize,
    pub send_seconds: f64,
    pub worker_seconds: f64,
    pub bare_seconds: f64,
}

/// Webhook delivery after a send to `recipients` persons: the worker posting the sender's
/// subscription every published event (validated first), next to a bare loop posting as many
/// bodies of the same size, one after the other, to the same kind of receiver. `pool` must be a
/// database of its own.
pub fn events(pool: &PgPool, recipients: usize) -> anyhow::Result<EventsReport> {
    use crate::notify::transport::{Mailer, SmsGateway};
    use crate::notify::{Settings, SystemClock, Worker};
    use std::sync::Arc;

    let mut conn = pool.get()?;
    eprintln!("preparing {recipients} recipients...");
    bench_owner(&mut conn)?;
    let ids = synthetic_ids(recipients);
    diesel::sql_query(
        "INSERT INTO parties (kind, national_id, name) SELECT 'person', n, 'Benk ' || n FROM unnest($1::text[]) n",
    )
    .bind::<Array<Text>, _>(&ids)
    .execute(&mut conn)?;
    let owner: i64 = crate::db::schema::service_owners::table
        .select(crate::db::schema::service_owners::party_id)
        .first(&mut conn)?;
    let persons: Vec<i64> = crate::db::schema::parties::table
        .filter(crate::db::schema::parties::kind.eq(crate::domain::PartyKind::Person))
        .select(crate::db::schema::parties::id)
        .load(&mut conn)?;
    let sink = HttpSink::start()?;
    // The sender's system subscribes to its own events before it sends.
    diesel::sql_query(
        "INSERT INTO event_subscriptions (consumer_org, endpoint, secret, cursor) VALUES ($1, $2, md5(random()::text), 0)",
    )
    .bind::<diesel::sql_types::BigInt, _>(owner)
    .bind::<Text, _>(&sink.url)
    .execute(&mut conn)?;
    let mut draft = bench_draft("benk-brev", owner, "api", "BENCH-EVENTS");
    draft.notification = None;
    eprintln!("sending to {recipients} recipients...");
    let started = Instant::now();
    crate::sending::send(&mut conn, &draft, &persons)?;
    let send_seconds = started.elapsed().as_secs_f64();
    drop(conn);

    let worker = Worker::new(
        pool.clone(),
        Mailer::capture(pool.clone(), "melding <noreply@melding.example>".parse()?),
        SmsGateway::Capture(pool.clone()),
        Arc::new(SystemClock),
        Settings::new("https://melding.example"),
    )?;
    eprintln!("worker: delivering {recipients} events...");
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let step = worker.step()?;
        anyhow::ensure!(step.events_failed == 0, "a delivery failed");
        if step.events_delivered == 0 && delivered >= recipients {
            break;
        }
        delivered += step.events_delivered;
        anyhow::ensure!(
            started.elapsed().as_secs() < 3600,
            "only {delivered} of {recipients} delivered in an hour"
        );
    }
    let worker_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        delivered == recipients && sink.count() == recipients as u64 + 1,
        "the worker delivered {delivered} and the receiver got {} of {recipients} (+ validation)",
        sink.count()
    );

    eprintln!("bare loop: posting {recipients} bodies...");
    let bare = HttpSink::start()?;
    let body = serde_json::json!({
        "id": uuid::Uuid::now_v7(), "specversion": "1.0",
        "type": "no.altinn.correspondence.correspondencepublished",
        "source": "https://melding.example/correspondence/api/v1/correspondence",
        "resource": "urn:altinn:resource:benk-brev", "resourceinstance": uuid::Uuid::now_v7(),
        "subject": "urn:altinn:person:identifier-no:01017012345", "alternativesubject": "/person/01017012345",
        "time": chrono::Utc::now(), "data": { "correspondenceId": uuid::Uuid::now_v7(), "status": "Published" },
        "sequencenumber": 1
    })
    .to_string();
    let client = reqwest::Client::builder().build()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    rt.block_on(async {
        for _ in 0..recipients {
            let response = client
                .post(&bare.url)
                .header("content-type", "application/cloudevents+json")
                .header("x-melding-signature", "sha256=0")
                .body(body.clone())
                .send()
                .await?;
            anyhow::ensure!(response.status().is_success(), "the receiver refused");
        }
        Ok(())
    })?;
    let bare_seconds = started.elapsed().as_secs_f64();
    Ok(EventsReport {
        events: recipients,
        send_seconds,
        worker_seconds,
        bare_seconds,
    })
}
