//! The notification worker against a real SMTP server (aiosmtpd on loopback) and a recording SMS
//! gateway, driven step by step with a controlled clock.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use melding::db::{self, PgPool};
use melding::domain::{Language, NationalId};
use melding::notify::transport::{Mailer, SmsGateway};
use melding::notify::{ManualClock, Settings, Worker};
use melding::sending::{self, Draft, NotificationChannel};
use secrecy::SecretString;

use crate::helpers::{TestApp, TestDb, count};

/// A real SMTP server (aiosmtpd, from Debian's python3-aiosmtpd) writing a maildir.
pub struct SmtpSink {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

fn python() -> &'static str {
    // Debian's interpreter has Debian's aiosmtpd; a python3 earlier on PATH may not.
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port()
}

impl SmtpSink {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("melding-smtp-{}", uuid::Uuid::now_v7()));
        let mut sink = SmtpSink {
            child: None,
            port: free_port(),
            dir,
        };
        sink.up();
        sink
    }

    /// Starts (again) on the same port and maildir.
    pub fn up(&mut self) {
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts (apt-get install python3-aiosmtpd)");
        self.child = Some(child);
        let deadline = Instant::now() + StdDuration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(StdDuration::from_millis(50));
        }
    }

    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> SecretString {
        SecretString::from(format!("smtp://127.0.0.1:{}", self.port))
    }

    /// Every delivered message, raw.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.dir.join("new"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).expect("a mail file"))
            .collect();
        out.sort();
        out
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The mail with quoted-printable undone (soft line breaks and `=XX` escapes), for reading.
pub fn decoded(mail: &str) -> String {
    let unfolded = mail.replace("=\r\n", "").replace("=\n", "");
    let bytes = unfolded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&unfolded[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

/// A recording SMS gateway: answers every POST with an id, keeps (authorization, JSON body).
pub struct SmsStub {
    pub url: String,
    pub requests: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
}

impl SmsStub {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/send", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut auth = String::new();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("authorization:") {
                        auth = line["authorization:".len()..].trim().to_owned();
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let n = {
                    let mut all = seen.lock().expect("lock");
                    all.push((auth, json));
                    all.len()
                };
                let reply = format!("{{\"id\":\"sms-{n}\"}}");
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            }
        });
        SmsStub { url, requests }
    }

    pub fn gateway(&self) -> SmsGateway {
        SmsGateway::http(
            self.url.clone(),
            SecretString::from("gateway-token".to_owned()),
            "http://127.0.0.1/notify/sms/delivery".to_owned(),
            "melding".to_owned(),
        )
        .expect("gateway")
    }

    pub fn count(&self) -> usize {
        self.requests.lock().expect("lock").len()
    }
}

/// A service owner, a service and recipients with contact data.
pub struct World {
    pub owner: i64,
    pub service: &'static str,
    pub persons: Vec<(i64, NationalId)>,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

pub fn insert_id(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Id>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .id
}

/// `persons` persons, numbered from 0: e-mail `p{i}@test.example`, mobile `+4790000{i:03}`;
/// the ones in `reserved` are reserved against digital notices.
pub fn world(conn: &mut PgConnection, persons: usize, reserved: &[usize]) -> World {
    let owner = insert_id(
        conn,
        "INSERT INTO parties (kind, org_number, name, org_form) \
         VALUES ('organization', '974761076', 'Testetaten', 'ORGL') RETURNING id",
    );
    diesel::sql_query(format!(
        "INSERT INTO service_owners (party_id, short_name, contact_email) \
         VALUES ({owner}, 'testetaten', 'rapport@testetaten.example')"
    ))
    .execute(conn)
    .expect("owner");
    diesel::sql_query(format!(
        "INSERT INTO services (id, owner_id, title_nb, title_nn, title_en) \
         VALUES ('testbrev', {owner}, 'Vedtak om støtte', 'Vedtak om stønad', 'Decision on support')"
    ))
    .execute(conn)
    .expect("service");
    let mut out = Vec::new();
    let mut ids = (1..=28)
        .flat_map(|day| (100..1000).map(move |n| (day, n)))
        .filter_map(|(day, n)| NationalId::from_parts(&format!("{day:02}8190"), n));
    for i in 0..persons {
        let nid = ids.next().expect("a synthetic id");
        let id = insert_id(
            conn,
            &format!(
                "INSERT INTO parties (kind, national_id, name) VALUES ('person', '{}', 'Person {i}') RETURNING id",
                nid.as_str()
            ),
        );
        diesel::sql_query(format!(
            "INSERT INTO contact_points (person_id, email, mobile, is_reserved) \
             VALUES ({id}, 'p{i}@test.example', '+4790000{i:03}', {})",
            reserved.contains(&i)
        ))
        .execute(conn)
        .expect("contact point");
        out.push((id, nid));
    }
    World {
        owner,
        service: "testbrev",
        persons: out,
    }
}

pub fn draft(world: &World, channel: NotificationChannel) -> Draft {
    Draft {
        service_id: world.service.to_owned(),
        sender_id: world.owner,
        created_by: None,
        channel: "api",
        idempotency_key: None,
        senders_reference: "ref-1".to_owned(),
        display_sender: None,
        language: Language::Nb,
        title: "Vedtak i saken din".to_owned(),
        summary: None,
        body: "HEMMELIG-INNHOLD i brevet".to_owned(),
        publish_at: None,
        due_at: None,
        confirmation_needed: false,
        reply_links: Vec::new(),
        external_references: Vec::new(),
        notification: Some(channel),
        reminder_notification: None,
        send_reminder: true,
        sms_any_time: true,
        ignore_reservation_reason: None,
        initial_texts: None,
        reminder_texts: None,
        attachments: Vec::new(),
        allow_forwarding: false,
        properties: Vec::new(),
    }
}

/// Sends the standard draft to every person of the world.
fn send_all(pool: &PgPool, world: &World, channel: NotificationChannel) -> sending::Sent {
    sending::send(
        &mut pool.get().expect("conn"),
        &draft(world, channel),
        &recipients(world),
    )
    .expect("send")
}

fn recipients(world: &World) -> Vec<i64> {
    world.persons.iter().map(|(id, _)| *id).collect()
}

/// A worker with a clock the test holds, one minute after now (so what was just sent is due).
fn worker(pool: &PgPool, mailer: Mailer, sms: SmsGateway) -> (Worker, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Utc::now() + Duration::minutes(1)));
    let mut settings = Settings::new("https://melding.example");
    settings.batch = 50;
    settings.concurrency = 4;
    (
        Worker::new(pool.clone(), mailer, sms, clock.clone(), settings).expect("worker"),
        clock,
    )
}

/// Drains the worker on a blocking thread (it blocks on its own runtime).
async fn drain_off_runtime(worker: &Arc<Worker>) -> melding::notify::Step {
    let w = worker.clone();
    tokio::task::spawn_blocking(move || w.drain().expect("drain"))
        .await
        .expect("join")
}

/// An SMTP server, an SMS gateway and a worker sending to them.
fn harness(pool: &PgPool) -> (SmtpSink, SmsStub, Worker, Arc<ManualClock>) {
    let sink = SmtpSink::start();
    let stub = SmsStub::start();
    let (worker, clock) = worker(pool, smtp(&sink), stub.gateway());
    (sink, stub, worker, clock)
}

pub fn smtp(sink: &SmtpSink) -> Mailer {
    Mailer::smtp(
        &sink.url(),
        "melding <noreply@melding.example>".parse().expect("from"),
        4,
    )
    .expect("mailer")
}

fn setup(persons: usize, reserved: &[usize]) -> (TestDb, PgPool, World) {
    let db = TestDb::migrated();
    let pool = db::pool(&db.url, 8).expect("pool");
    let w = world(&mut pool.get().expect("conn"), persons, reserved);
    (db, pool, w)
}

fn states(pool: &PgPool) -> String {
    crate::helpers::text(
        &mut pool.get().expect("conn"),
        "SELECT coalesce(string_agg(kind || ':' || state, ',' ORDER BY kind, state), '') AS t \
         FROM (SELECT kind, state || '=' || count(*) AS state FROM notifications GROUP BY kind, state) s",
    )
}

#[test]
fn mails_reach_the_smtp_server_with_subject_language_both_parts_and_no_content() {
    let (_db, pool, world) = setup(3, &[]);
    let mut conn = pool.get().expect("conn");
    let mut d = draft(&world, NotificationChannel::Email);
    d.language = Language::En;
    sending::send(&mut conn, &d, &recipients(&world)).expect("send");
    let (sink, _stub, worker, _clock) = harness(&pool);
    let done = worker.drain().expect("drain");
    assert_eq!(done.sent, 3, "{done:?}");

    let mails = sink.messages();
    assert_eq!(mails.len(), 3);
    let mut to: Vec<&str> = mails.iter().filter_map(|m| header(m, "X-RcptTo")).collect();
    to.sort();
    assert_eq!(
        to,
        ["p0@test.example", "p1@test.example", "p2@test.example"]
    );
    for mail in &mails {
        assert_eq!(
            header(mail, "Subject"),
            Some("You have a message from Testetaten")
        );
        assert!(mail.contains("multipart/alternative"), "{mail}");
        assert!(mail.contains("text/plain") && mail.contains("text/html"));
        assert!(
            mail.contains("Decision on support"),
            "the service title in English"
        );
        assert!(
            !mail.contains("HEMMELIG"),
            "the message body never leaves in a notice"
        );
        let id = header(mail, "Message-ID").expect("a Message-ID");
        assert!(
            id.starts_with("<notice.") && id.ends_with("@melding.example>"),
            "{id}"
        );
    }
    // Every outcome is recorded; reminders wait for their week.
    assert_eq!(states(&pool), "initial:sent=3,reminder:queued=3");
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM notifications WHERE state = 'sent' AND sent_at IS NOT NULL AND lease_until IS NULL"
        ),
        3
    );
}

#[test]
fn smtp_down_then_up_delivers_everything_once() {
    let (_db, pool, world) = setup(5, &[]);
    send_all(&pool, &world, NotificationChannel::Email);
    let mut sink = SmtpSink::start();
    sink.down();
    let stub = SmsStub::start();
    let (worker, clock) = worker(&pool, smtp(&sink), stub.gateway());

    let first = worker.step().expect("step");
    assert_eq!((first.sent, first.retried), (0, 5), "{first:?}");
    assert_eq!(
        states(&pool),
        "initial:queued=5",
        "reminders come when the first notice has gone"
    );
    assert_eq!(worker.step().expect("step").claimed, 0, "backing off");

    sink.up();
    clock.advance(Duration::seconds(31));
    let second = worker.drain().expect("drain");
    assert_eq!(second.sent, 5, "{second:?}");
    assert_eq!(sink.messages().len(), 5);
    clock.advance(Duration::hours(1));
    assert_eq!(worker.step().expect("step").sent, 0);
    assert_eq!(sink.messages().len(), 5, "nothing twice");
    assert_eq!(
        count(
            &mut pool.get().expect("conn"),
            "SELECT count(*) AS n FROM notifications WHERE kind = 'initial' AND attempts = 2 AND last_error IS NOT NULL"
        ),
        5
    );
}

#[test]
fn a_worker_that_dies_mid_batch_loses_nothing() {
    let (_db, pool, world) = setup(6, &[]);
    send_all(&pool, &world, NotificationChannel::Email);
    let (sink, _stub, worker, clock) = harness(&pool);
    // A worker claims the batch and dies before sending or recording anything.
    let now = worker.now();
    let claimed = melding::notify::outbox::claim(
        &mut pool.get().expect("conn"),
        "dead-worker",
        now,
        now + Duration::minutes(5),
        4,
    )
    .expect("claim");
    assert_eq!(claimed.len(), 4);
    // While the lease holds, the rows are not taken twice.
    assert_eq!(worker.drain().expect("drain").sent, 2);
    clock.advance(Duration::minutes(6));
    assert_eq!(worker.drain().expect("drain").sent, 4);
    let mails = sink.messages();
    let mut ids: Vec<&str> = mails
        .iter()
        .filter_map(|m| header(m, "Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "all six delivered, each once");
    assert_eq!(states(&pool), "initial:sent=6,reminder:queued=6");
}

#[test]
fn two_workers_racing_never_send_a_notice_twice() {
    let (_db, pool, world) = setup(120, &[]);
    send_all(&pool, &world, NotificationChannel::Email);
    let (sink, stub, a, _) = harness(&pool);
    let (mut b, _) = worker(&pool, smtp(&sink), stub.gateway());
    b.id.push_str("-b");
    let (sa, sb) = std::thread::scope(|s| {
        let ha = s.spawn(|| a.drain().expect("a"));
        let hb = s.spawn(|| b.drain().expect("b"));
        (ha.join().expect("a"), hb.join().expect("b"))
    });
    assert_eq!(sa.sent + sb.sent, 120, "{sa:?} {sb:?}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 120);
    let mut ids: Vec<&str> = mails
        .iter()
        .filter_map(|m| header(m, "Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 120);
}

#[test]
fn expired_after_48_hours_when_it_cannot_be_sent() {
    let (_db, pool, world) = setup(2, &[]);
    send_all(&pool, &world, NotificationChannel::Email);
    let mut sink = SmtpSink::start();
    sink.down();
    let stub = SmsStub::start();
    let (worker, clock) = worker(&pool, smtp(&sink), stub.gateway());
    for _ in 0..12 {
        worker.drain().expect("drain");
        clock.advance(Duration::hours(4));
    }
    worker.drain().expect("drain");
    // 49 hours on: both initial notices expired; the reminders (a week away) are untouched.
    assert_eq!(
        states(&pool),
        "initial:failed=2,reminder:queued=2",
        "after 48 hours"
    );
    assert_eq!(
        count(
            &mut pool.get().expect("conn"),
            "SELECT count(*) AS n FROM notifications WHERE failure_reason = 'expired'"
        ),
        2
    );
}

#[test]
fn reserved_persons_get_no_notice_unless_the_sender_ignores_the_reservation() {
    let (_db, pool, world) = setup(3, &[1]);
    let mut conn = pool.get().expect("conn");
    send_all(&pool, &world, NotificationChannel::EmailAndSms);
    let (sink, stub, worker, _clock) = harness(&pool);
    worker.drain().expect("drain");
    let to: Vec<String> = sink
        .messages()
        .iter()
        .filter_map(|m| header(m, "X-RcptTo").map(str::to_owned))
        .collect();
    assert_eq!(to.len(), 2);
    assert!(!to.contains(&"p1@test.example".to_owned()), "reserved");
    assert_eq!(stub.count(), 2);

    let mut d = draft(&world, NotificationChannel::Email);
    d.ignore_reservation_reason = Some("Varsel om tvangsmulkt".to_owned());
    d.senders_reference = "ref-2".to_owned();
    sending::send(&mut conn, &d, &[world.persons[1].0]).expect("send");
    worker.drain().expect("drain");
    let to: Vec<String> = sink
        .messages()
        .iter()
        .filter_map(|m| header(m, "X-RcptTo").map(str::to_owned))
        .collect();
    assert!(
        to.contains(&"p1@test.example".to_owned()),
        "the reservation ignored"
    );
}

#[test]
fn sms_waits_for_the_daytime_window_unless_any_time_is_allowed() {
    let (_db, pool, world) = setup(2, &[]);
    let mut conn = pool.get().expect("conn");
    let mut d = draft(&world, NotificationChannel::Sms);
    d.sms_any_time = false;
    // Published at 21:30 Oslo time (20:30 UTC in November).
    let evening = Utc
        .with_ymd_and_hms(2030, 11, 20, 20, 30, 0)
        .single()
        .expect("time");
    d.publish_at = Some(evening);
    sending::send(&mut conn, &d, &[world.persons[0].0]).expect("send");
    let mut any = draft(&world, NotificationChannel::Sms);
    any.publish_at = Some(evening);
    any.senders_reference = "ref-any".to_owned();
    sending::send(&mut conn, &any, &[world.persons[1].0]).expect("send");

    let (_sink, stub, worker, clock) = harness(&pool);
    clock.set(evening + Duration::minutes(1));
    let step = worker.drain().expect("drain");
    assert_eq!(
        step.published, 2,
        "scheduled messages are published at their time"
    );
    assert_eq!(stub.count(), 1, "only the sender who allowed any time");
    let waiting: DateTime<Utc> =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
            "(SELECT run_at FROM notifications WHERE kind = 'initial' AND state = 'queued')",
        ))
        .get_result(&mut conn)
        .expect("run_at");
    // 09:00 Oslo the next morning = 08:00 UTC.
    assert_eq!(
        waiting,
        Utc.with_ymd_and_hms(2030, 11, 21, 8, 0, 0)
            .single()
            .expect("time")
    );
    clock.set(
        Utc.with_ymd_and_hms(2030, 11, 21, 7, 59, 0)
            .single()
            .expect("time"),
    );
    worker.drain().expect("drain");
    assert_eq!(stub.count(), 1, "not before nine");
    clock.set(
        Utc.with_ymd_and_hms(2030, 11, 21, 8, 0, 30)
            .single()
            .expect("time"),
    );
    worker.drain().expect("drain");
    assert_eq!(stub.count(), 2);

    let requests = stub.requests.lock().expect("lock").clone();
    for (auth, body) in &requests {
        assert_eq!(auth, "Bearer gateway-token");
        assert_eq!(body["segments"], 1);
        let text = body["text"].as_str().expect("text");
        assert!(
            text.contains("Testetaten") && !text.contains("HEMMELIG"),
            "{text}"
        );
    }
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM notifications WHERE channel = 'sms' AND state = 'sent' \
             AND provider_id LIKE 'sms-%' AND segments = 1"
        ),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reminder_goes_only_to_unread_mail_and_reading_cancels_it() {
    let app = TestApp::spawn().await;
    let world = world(&mut app.pool.get().expect("conn"), 2, &[]);
    let sent = sending::send(
        &mut app.pool.get().expect("conn"),
        &draft(&world, NotificationChannel::Email),
        &recipients(&world),
    )
    .expect("send");
    let (sink, _stub, worker, clock) = harness(&app.pool);
    let worker = Arc::new(worker);
    drain_off_runtime(&worker).await;
    assert_eq!(sink.messages().len(), 2);

    // Person 0 opens the message in the inbox.
    let (reader, nid) = &world.persons[0];
    app.login_as(nid.as_str(), "substantial").await;
    let message: uuid::Uuid =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Uuid>(&format!(
            "(SELECT id FROM correspondences WHERE sending_id = '{}' AND recipient_id = {reader})",
            sent.sending_id
        )))
        .get_result(&mut app.pool.get().expect("conn"))
        .expect("message");
    let page = app
        .get(&format!("/inbox/messages/{message}?party={reader}"))
        .await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM notifications WHERE correspondence_id = '{message}' \
             AND kind = 'reminder' AND state = 'cancelled'"
        )),
        1,
        "reading cancels the reminder"
    );

    // Six days on: no reminder yet; eight days on: one, to the person who did not read.
    clock.advance(Duration::days(6));
    drain_off_runtime(&worker).await;
    assert_eq!(sink.messages().len(), 2);
    clock.advance(Duration::days(2));
    drain_off_runtime(&worker).await;
    let mails = sink.messages();
    assert_eq!(mails.len(), 3);
    let reminder = mails
        .iter()
        .find(|m| {
            header(m, "Subject").is_some_and(|s| s.starts_with("=?") || s.contains("minnelse"))
        })
        .expect("a reminder");
    assert_eq!(header(reminder, "X-RcptTo"), Some("p1@test.example"));
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM notifications WHERE kind = 'reminder' AND state = 'sent'"
        ),
        1
    );
    // The message's activity log shows the notice with a masked address.
    let body = page_text(&app, message, *reader).await;
    assert!(
        body.contains("p0***@test.example"),
        "masked address in the activity log"
    );
}

async fn page_text(app: &TestApp, message: uuid::Uuid, party: i64) -> String {
    app.get(&format!("/inbox/messages/{message}?party={party}"))
        .await
        .text()
        .await
        .expect("body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_delivery_reports_need_the_token_and_update_the_outcome() {
    let app = TestApp::spawn_with(
        melding::config::Mode::Demo,
        &[("MELDING_SMS_CALLBACK_TOKEN", "callback-secret")],
    )
    .await;
    let world = world(&mut app.pool.get().expect("conn"), 1, &[]);
    sending::send(
        &mut app.pool.get().expect("conn"),
        &draft(&world, NotificationChannel::Sms),
        &recipients(&world),
    )
    .expect("send");
    let (_sink, _stub, worker, _clock) = harness(&app.pool);
    drain_off_runtime(&Arc::new(worker)).await;
    let report = |token: &'static str, body: serde_json::Value| {
        app.client
            .post(app.url("/notify/sms/delivery"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let delivered = serde_json::json!({ "id": "sms-1", "status": "delivered" });
    let refused = report("wrong", delivered.clone()).await.expect("post");
    assert_eq!(refused.status(), 403);
    let accepted = report("callback-secret", delivered).await.expect("post");
    assert_eq!(accepted.status(), 204);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM notifications WHERE state = 'delivered' AND delivered_at IS NOT NULL"),
        1
    );
    let unknown = report(
        "callback-secret",
        serde_json::json!({ "id": "sms-999", "status": "failed" }),
    )
    .await
    .expect("post");
    assert_eq!(unknown.status(), 404);

    // The metrics count this process's outcomes and the queue.
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("melding_outbox_depth{channel=\"sms\",state=\"queued\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE melding_notifications_total counter"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_captures_notices_on_the_dev_outbox_page() {
    let app = TestApp::spawn().await;
    let world = world(&mut app.pool.get().expect("conn"), 1, &[]);
    let mut d = draft(&world, NotificationChannel::EmailAndSms);
    d.initial_texts = Some((
        "Nytt vedtak: $messageTitle$".to_owned(),
        "Hei $correspondenceRecipientName$, se $resourceName$.".to_owned(),
        "Nytt fra $sendersName$".to_owned(),
    ));
    sending::send(&mut app.pool.get().expect("conn"), &d, &recipients(&world)).expect("send");
    let pool = app.pool.clone();
    let (worker, _clock) = worker(
        &app.pool,
        Mailer::capture(
            pool.clone(),
            "melding <noreply@melding.example>".parse().expect("from"),
        ),
        SmsGateway::Capture(pool),
    );
    drain_off_runtime(&Arc::new(worker)).await;
    app.login_as(world.persons[0].1.as_str(), "substantial")
        .await;
    let page = app.page_in("/dev/outbox", "nb").await;
    assert!(page.contains("Nytt vedtak: Vedtak i saken din"), "{page}");
    assert!(page.contains("Hei Person 0, se Vedtak om støtte."));
    assert!(page.contains("Nytt fra Testetaten"));
    assert!(!page.contains("HEMMELIG"));
    let id = app.count("SELECT min(id) AS n FROM dev_outbox WHERE channel = 'email'");
    let html = app.get(&format!("/dev/outbox/{id}.html")).await;
    assert!(
        html.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("sandbox")
    );
}

#[test]
fn the_weekly_report_reaches_the_owner_once_per_week() {
    let (_db, pool, world) = setup(2, &[]);
    send_all(&pool, &world, NotificationChannel::Email);
    let (sink, _stub, worker, clock) = harness(&pool);
    worker.drain().expect("drain");
    worker.jobs_if_due().expect("jobs");
    let before = sink.messages().len();
    // Ten days on, past Monday morning: the report of mail unread after 7 days.
    clock.advance(Duration::days(10));
    worker.jobs_if_due().expect("jobs");
    clock.advance(Duration::minutes(2));
    worker.jobs_if_due().expect("jobs");
    let mails = sink.messages();
    let reports: Vec<&String> = mails
        .iter()
        .filter(|m| header(m, "X-RcptTo") == Some("rapport@testetaten.example"))
        .collect();
    assert_eq!(reports.len(), 1, "once, however often the job is checked");
    assert!(reports[0].contains("Vedtak om st"), "counts per service");
    assert!(
        !reports[0].contains("Person 0"),
        "no recipients' names in e-mail"
    );
    assert!(mails.len() > before);
}

/// A raw HTTP GET with a bearer token; returns (status, body).
fn http_get(port: u16, path: &str, token: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn melding_worker_runs_alone_serves_metrics_and_stops_on_sigterm() {
    let (db, pool, world) = setup(3, &[]);
    send_all(&pool, &world, NotificationChannel::EmailAndSms);
    let sink = SmtpSink::start();
    let stub = SmsStub::start();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_melding"))
        .arg("worker")
        .env("DATABASE_URL", &db.url)
        .env(
            "MELDING_SMTP_URL",
            format!("smtp://127.0.0.1:{}", sink.port),
        )
        .env("MELDING_MAIL_FROM", "melding <noreply@melding.example>")
        .env("MELDING_SMS_URL", &stub.url)
        .env("MELDING_SMS_TOKEN", "gateway-token")
        .env("MELDING_BIND", format!("127.0.0.1:{port}"))
        .env("MELDING_PUBLIC_URL", "https://melding.example")
        .env("MELDING_METRICS_TOKEN", "metrics-token")
        .env("MELDING_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("melding worker starts");
    let deadline = Instant::now() + StdDuration::from_secs(60);
    while sink.messages().len() < 3 || stub.count() < 3 {
        assert!(
            Instant::now() < deadline,
            "the worker did not deliver: {} mails, {} SMS",
            sink.messages().len(),
            stub.count()
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the worker exited"
        );
        std::thread::sleep(StdDuration::from_millis(100));
    }
    let (status, metrics) = http_get(port, "/metrics", "metrics-token");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("melding_notifications_total{channel=\"email\",outcome=\"sent\"} 3"),
        "{metrics}"
    );
    assert_eq!(http_get(port, "/metrics", "wrong").0, 403);

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid")),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    let deadline = Instant::now() + StdDuration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the worker did not stop");
        std::thread::sleep(StdDuration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(states(&pool), "initial:sent=6,reminder:queued=6");
}

#[test]
fn main_administrators_hear_of_mail_unread_for_a_week_without_its_title() {
    let (_db, pool, world) = setup(2, &[]);
    let mut conn = pool.get().expect("conn");
    melding::access::reference::insert(&mut conn).expect("reference data");
    let org = insert_id(
        &mut conn,
        "INSERT INTO parties (kind, org_number, name, org_form) VALUES ('organization', '910000001', 'Fjell AS', 'AS') RETURNING id",
    );
    diesel::sql_query(format!(
        "INSERT INTO er_roles (person_id, org_id, role_code) VALUES ({}, {org}, 'DAGL')",
        world.persons[0].0
    ))
    .execute(&mut conn)
    .expect("role");
    sending::send(
        &mut conn,
        &draft(&world, NotificationChannel::Email),
        &[org],
    )
    .expect("send");
    let (sink, _stub, worker, clock) = harness(&pool);
    worker.drain().expect("drain");
    worker.jobs_if_due().expect("jobs");
    let notices = |sink: &SmtpSink| -> Vec<String> {
        sink.messages()
            .into_iter()
            .filter(|m| {
                header(m, "X-RcptTo") == Some("p0@test.example")
                    && header(m, "Message-ID").is_some_and(|id| id.starts_with("<unread."))
            })
            .collect()
    };
    assert!(notices(&sink).is_empty(), "not before a week has passed");
    clock.advance(Duration::days(7) + Duration::hours(12));
    worker.jobs_if_due().expect("jobs");
    let found = notices(&sink);
    assert_eq!(found.len(), 1, "the main administrator is told once");
    let text = decoded(&found[0]);
    assert!(
        text.contains("Fjell AS har én melding som ikke er åpnet") && text.contains("Testetaten"),
        "{text}"
    );
    assert!(!text.contains("Vedtak i saken din"), "never the title");
    // Opened mail is not reported the next day.
    clock.advance(Duration::days(1));
    worker.jobs_if_due().expect("jobs");
    assert_eq!(notices(&sink).len(), 1);
}
