//! The notification worker: claims due outbox rows under a lease, sends e-mail and SMS without a
//! transaction open, records every outcome, retries with capped backoff and expires after 48
//! hours. Runs inside `demo` and `serve`, and alone as `melding worker`; any number of workers
//! may share one database.

pub mod content;
pub mod jobs;
pub mod metrics;
pub mod outbox;
pub mod transport;
pub mod web;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::Connection;

use crate::db::PgPool;
use crate::domain::Language;
use outbox::{Claimed, Outcome, SmsWindow};
use transport::{Mailer, OutgoingEmail, OutgoingFile, SendError, SmsGateway};

/// The time the worker acts at; tests hold it still or move it forward.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Settings {
    /// Rows claimed per step.
    pub batch: i64,
    /// Notices sent at the same time (threads, and pooled SMTP connections).
    pub concurrency: usize,
    /// How long a claim holds before another worker may take the row.
    pub lease: chrono::Duration,
    /// Where recipients read their mail (links in e-mails).
    pub public_url: String,
    /// The domain part of Message-IDs.
    pub mail_domain: String,
    /// Where attachments are kept (forwarded messages carry them).
    pub storage: Option<crate::storage::Storage>,
}

/// The domain part of the Message-IDs of mails sent for the service at `public_url`.
pub fn mail_domain(public_url: &str) -> String {
    url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "melding.invalid".to_owned())
}

impl Settings {
    pub fn new(public_url: &str) -> Self {
        let mail_domain = mail_domain(public_url);
        Settings {
            batch: 500,
            concurrency: 8,
            lease: chrono::Duration::minutes(5),
            public_url: public_url.trim_end_matches('/').to_owned(),
            mail_domain,
            storage: None,
        }
    }
}

pub struct Worker {
    pool: PgPool,
    /// Unique per process: leases name their holder.
    pub id: String,
    mailer: Mailer,
    sms: SmsGateway,
    clock: Arc<dyn Clock>,
    settings: Settings,
    stop: Arc<AtomicBool>,
    last_jobs: Mutex<Option<DateTime<Utc>>>,
    /// Drives the SMTP connections and the SMS client; the worker's thread blocks on it.
    rt: Option<tokio::runtime::Runtime>,
    /// Posts events to subscribers' webhooks.
    webhooks: reqwest::Client,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Dropping a runtime may not block inside another runtime (tests, the HTTP server).
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// A claimed batch, with the time and SMS window it was claimed under.
struct Batch {
    rows: Vec<Claimed>,
    now: DateTime<Utc>,
    window: SmsWindow,
}

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub published: usize,
    pub claimed: usize,
    pub sent: usize,
    pub failed: usize,
    pub retried: usize,
    pub cancelled: usize,
    pub deferred: usize,
    pub released: usize,
    /// File transfers purged (confirmed and past their grace period, or expired).
    pub purged: usize,
    /// Events delivered to webhooks, and deliveries that failed (to be tried again).
    pub events_delivered: usize,
    pub events_failed: usize,
}

/// Backoff after the `attempt`th failed try: 30 s, 1, 2, 4 ... minutes, at most an hour.
pub fn backoff(attempt: i32) -> chrono::Duration {
    let exp = attempt.clamp(1, 8) - 1;
    let seconds = (30i64 << exp).min(3600);
    chrono::Duration::seconds(seconds)
}

impl Worker {
    pub fn new(
        pool: PgPool,
        mailer: Mailer,
        sms: SmsGateway,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let id = format!(
            "{}-{}-{}",
            hostname(),
            std::process::id(),
            &uuid::Uuid::now_v7().simple().to_string()[24..]
        );
        Ok(Worker {
            pool,
            id,
            mailer,
            sms,
            clock,
            settings,
            stop: Arc::new(AtomicBool::new(false)),
            last_jobs: Mutex::new(None),
            rt: Some(rt),
            webhooks: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(std::io::Error::other)?,
        })
    }

    /// Runs `future` to completion on the worker's runtime (from a thread that is not async).
    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        match &self.rt {
            Some(rt) => rt.block_on(future),
            None => unreachable_runtime(),
        }
    }

    /// The worker `config` describes: SMTP and the SMS gateway when configured, else (demo only)
    /// the dev outbox.
    pub fn from_config(
        config: &crate::config::Config,
        pool: PgPool,
        public_url: &str,
    ) -> anyhow::Result<Self> {
        let n = &config.notify;
        let from = lettre::message::Mailbox::from_str(&n.mail_from)
            .map_err(|e| anyhow::anyhow!("MELDING_MAIL_FROM: {e}"))?;
        let mailer = match &n.smtp_url {
            Some(url) => Mailer::smtp(url, from, n.concurrency as u32)?,
            None => Mailer::capture(pool.clone(), from),
        };
        let sms = match (&n.sms_url, &n.sms_token) {
            (Some(url), Some(token)) => SmsGateway::http(
                url.clone(),
                token.clone(),
                format!("{public_url}/notify/sms/delivery"),
                n.sms_sender.clone(),
            )?,
            _ => SmsGateway::Capture(pool.clone()),
        };
        let mut settings = Settings::new(public_url);
        settings.concurrency = n.concurrency;
        settings.batch = n.batch;
        settings.lease = chrono::Duration::seconds(n.lease_seconds);
        settings.storage = Some(config.storage()?);
        Ok(Worker::new(
            pool,
            mailer,
            sms,
            Arc::new(SystemClock),
            settings,
        )?)
    }

    /// A flag that stops the worker: no new claims; rows in hand are finished or released.
    pub fn stopper(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// One round: publish what is due, hold back SMS outside the window, claim a batch, send it,
    /// record the outcomes.
    pub fn step(&self) -> anyhow::Result<Step> {
        let mut step = Step::default();
        self.purge_transfers(&mut step)?;
        self.deliver_events(&mut step)?;
        let Some(batch) = self.claim_round(&mut step)? else {
            return Ok(step);
        };
        let results = self.deliver_all(&batch.rows, batch.now, batch.window);
        self.finish(&batch.rows, results, &mut step)?;
        Ok(step)
    }

    /// Rounds until nothing is due; returns the summed counts. The next batch is claimed, and
    /// the last one recorded, while the current one is being sent, so the database's work and
    /// the sending overlap.
    pub fn drain(&self) -> anyhow::Result<Step> {
        let mut total = Step::default();
        self.purge_transfers(&mut total)?;
        self.deliver_events(&mut total)?;
        let mut current = self.claim_round(&mut total)?;
        let mut done: Option<(Vec<Claimed>, Vec<Option<Outcome>>)> = None;
        while let Some(batch) = current.take() {
            let (results, next) = std::thread::scope(|scope| {
                let previous = done.take();
                let total = &mut total;
                let other = scope.spawn(move || -> anyhow::Result<Option<Batch>> {
                    if let Some((rows, results)) = previous {
                        self.finish(&rows, results, total)?;
                    }
                    if self.stop.load(Ordering::SeqCst) {
                        return Ok(None);
                    }
                    self.claim_round(total)
                });
                let results = self.deliver_all(&batch.rows, batch.now, batch.window);
                let next = other
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the claiming thread panicked")));
                (results, next)
            });
            done = Some((batch.rows, results));
            current = next?;
        }
        if let Some((rows, results)) = done {
            self.finish(&rows, results, &mut total)?;
        }
        Ok(total)
    }

    /// Purges the file transfers that are due (claimed with a lease, a batch at a time), when
    /// the worker can reach their storage.
    fn purge_transfers(&self, step: &mut Step) -> anyhow::Result<()> {
        let Some(storage) = &self.settings.storage else {
            return Ok(());
        };
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            let now = self.clock.now();
            let due = crate::transfer::lifecycle::claim(
                &mut *self.pool.get()?,
                &self.id,
                now,
                now + self.settings.lease,
                100,
            )?;
            if due.is_empty() {
                return Ok(());
            }
            for transfer in &due {
                let purged = self.block_on(crate::transfer::lifecycle::purge(
                    &self.pool, storage, &self.id, transfer,
                ));
                match purged {
                    Ok(()) => step.purged += 1,
                    // Left leased: tried again when the lease runs out.
                    Err(e) => {
                        tracing::warn!(error = %e, transfer = %transfer.id, "a file transfer could not be purged")
                    }
                }
            }
            if due.len() < 100 {
                return Ok(());
            }
        }
    }

    /// Delivers the outbox's events to the webhook subscriptions that are due: each claimed under
    /// a lease (one worker per subscription, so order holds), validated first, then its events
    /// posted one by one, signed, the cursor moved past each that was accepted; a failure stops
    /// the subscription's round and it is tried again on Altinn's schedule.
    fn deliver_events(&self, step: &mut Step) -> anyhow::Result<()> {
        const CLAIM: i64 = 20;
        crate::events::sequence(&mut *self.pool.get()?)?;
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            let now = self.clock.now();
            let due = crate::events::claim(
                &mut *self.pool.get()?,
                &self.id,
                now,
                now + self.settings.lease,
                CLAIM,
            )?;
            for sub in &due {
                self.deliver_subscription(sub, step)?;
            }
            if (due.len() as i64) < CLAIM {
                return Ok(());
            }
        }
    }

    fn deliver_subscription(
        &self,
        sub: &crate::events::Subscription,
        step: &mut Step,
    ) -> anyhow::Result<()> {
        use crate::events;
        /// Events one subscription gets per round, before others have their turn.
        const ROUND: usize = 5000;
        let base = self.settings.public_url.clone();
        let mut conn = self.pool.get()?;
        if !sub.validated {
            let event = events::validation_event(&base, sub);
            match self.block_on(self.post_event(sub, &event)) {
                Ok(status) => events::delivered(&mut conn, &self.id, sub.id, None, status)?,
                Err((status, error)) => {
                    step.events_failed += 1;
                    return Ok(events::failed(
                        &mut conn,
                        &self.id,
                        self.clock.now(),
                        sub,
                        None,
                        status,
                        &error,
                    )?);
                }
            }
        }
        let mut filters = sub.filters();
        // What there is to look at this round (positions are final: nothing comes before it).
        let end = events::last_position(&mut conn)?;
        let mut sent = 0;
        while sent < ROUND && !self.stop.load(Ordering::SeqCst) {
            let rows = events::page(&mut conn, sub.consumer_org, &filters, 200)?;
            if rows.is_empty() {
                // Nothing more of its own: the cursor moves to the end this round saw.
                filters.after = filters.after.max(end);
                break;
            }
            // A page is posted, then recorded in one transaction (a worker that dies between
            // the two posts the page again: at least once).
            let mut accepted: Vec<(i64, u16)> = Vec::with_capacity(rows.len());
            let mut failure = None;
            for row in rows {
                let seq = row.seq;
                let event = row.event(&base);
                match self.block_on(self.post_event(sub, &event)) {
                    Ok(status) => accepted.push((seq, status)),
                    Err(problem) => {
                        failure = Some((seq, problem));
                        break;
                    }
                }
            }
            events::delivered_page(&mut conn, &self.id, sub.id, &accepted)?;
            step.events_delivered += accepted.len();
            sent += accepted.len();
            if let Some((last, _)) = accepted.last() {
                filters.after = *last;
            }
            if let Some((seq, (status, error))) = failure {
                step.events_failed += 1;
                return Ok(events::failed(
                    &mut conn,
                    &self.id,
                    self.clock.now(),
                    sub,
                    Some(seq),
                    status,
                    &error,
                )?);
            }
        }
        events::skip_to_end(&mut conn, &self.id, sub.id, filters.after)?;
        Ok(events::release(&mut conn, &self.id, sub.id)?)
    }

    /// Posts one event to a subscription's endpoint, signed; the status of a 2xx answer, or the
    /// status (if any) and what went wrong.
    async fn post_event(
        &self,
        sub: &crate::events::Subscription,
        event: &crate::events::CloudEvent,
    ) -> Result<u16, (Option<u16>, String)> {
        let body = serde_json::to_vec(event).map_err(|e| (None, e.to_string()))?;
        let signature = crate::events::signature(&sub.secret, &body);
        let response = self
            .webhooks
            .post(&sub.endpoint)
            .header("content-type", "application/cloudevents+json")
            .header("x-melding-signature", format!("sha256={signature}"))
            .header("x-melding-subscription", sub.id.to_string())
            .body(body)
            .send()
            .await
            .map_err(|e| (None, e.without_url().to_string()))?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            Ok(status)
        } else {
            Err((Some(status), format!("the endpoint answered {status}")))
        }
    }

    /// Housekeeping and a claim; `None` when nothing is due (or the worker is stopping).
    fn claim_round(&self, step: &mut Step) -> anyhow::Result<Option<Batch>> {
        let now = self.clock.now();
        let mut conn = self.pool.get()?;
        step.published += outbox::publish_due(&mut conn, now)?;
        let window = outbox::sms_window(&mut conn, now)?;
        if !window.open {
            step.deferred += outbox::defer_sms(&mut conn, now, window.next_open)?;
        }
        if self.stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let lease_until = now + self.settings.lease;
        let rows = outbox::claim(&mut conn, &self.id, now, lease_until, self.settings.batch)?;
        step.claimed += rows.len();
        Ok((!rows.is_empty()).then_some(Batch { rows, now, window }))
    }

    /// Records a sent batch's outcomes and releases what was left unsent.
    fn finish(
        &self,
        rows: &[Claimed],
        results: Vec<Option<Outcome>>,
        step: &mut Step,
    ) -> anyhow::Result<()> {
        let mut outcomes = Vec::with_capacity(rows.len());
        let mut unsent = Vec::new();
        let mut remind = Vec::new();
        let (mut sent, mut failed) = (0, 0);
        for (row, result) in rows.iter().zip(results) {
            match result {
                Some(outcome) => {
                    metrics::count(&row.channel, &outcome);
                    // A reminder follows a first notice that went out, or that could not go
                    // out in 48 hours for reasons that may have passed (not a bad address).
                    if row.kind == "initial"
                        && matches!(
                            outcome,
                            Outcome::Sent { .. }
                                | Outcome::Failed {
                                    reason: "expired",
                                    ..
                                }
                        )
                    {
                        remind.push(row.id);
                    }
                    match &outcome {
                        Outcome::Sent { .. } => sent += 1,
                        Outcome::Failed { .. } => failed += 1,
                        Outcome::Retry { .. } => step.retried += 1,
                        Outcome::Cancelled => step.cancelled += 1,
                        Outcome::Defer { .. } => step.deferred += 1,
                    }
                    outcomes.push((row.id, outcome));
                }
                None => unsent.push(row.id),
            }
        }
        step.sent += sent;
        step.failed += failed;
        let mut conn = self.pool.get()?;
        let now = self.clock.now();
        conn.transaction(|conn| -> anyhow::Result<()> {
            outbox::record(conn, &self.id, now, &outcomes)?;
            if !remind.is_empty() {
                outbox::schedule_reminders(conn, now, &remind)?;
            }
            Ok(())
        })?;
        if !unsent.is_empty() {
            step.released += outbox::release(&mut conn, &self.id, &unsent)?;
        }
        if sent + failed > 0 {
            tracing::info!(sent, failed, "notifications");
        }
        Ok(())
    }

    /// Sends the batch, up to `concurrency` at a time; `None` for rows left unsent at shutdown.
    fn deliver_all(
        &self,
        rows: &[Claimed],
        now: DateTime<Utc>,
        window: SmsWindow,
    ) -> Vec<Option<Outcome>> {
        use futures_util::StreamExt;
        self.block_on(
            futures_util::stream::iter(rows.iter().map(|row| async move {
                if self.stop.load(Ordering::SeqCst) {
                    None
                } else {
                    Some(self.deliver(row, now, window).await)
                }
            }))
            .buffered(self.settings.concurrency.max(1))
            .collect(),
        )
    }

    async fn deliver(&self, row: &Claimed, now: DateTime<Utc>, window: SmsWindow) -> Outcome {
        if row.expires_at <= now {
            return Outcome::Failed {
                reason: "expired",
                error: None,
            };
        }
        match row.status.as_str() {
            "PurgedByService" | "PurgedByRecipient" | "Reserved" | "Failed" => {
                return Outcome::Cancelled;
            }
            "Initialized" | "ReadyForPublish" => {
                return Outcome::Defer {
                    at: now + chrono::Duration::seconds(30),
                };
            }
            _ => {}
        }
        if row.kind == "reminder" && row.opened {
            return Outcome::Cancelled;
        }
        if row.kind == "forward" {
            return self.forward(row, now).await;
        }
        if row.channel == "sms" && !window.open && !row.sms_any_time {
            return Outcome::Defer {
                at: window.next_open,
            };
        }
        let language = Language::from_str(&row.language).unwrap_or_default();
        let link = format!(
            "{}/inbox/messages/{}?party={}",
            self.settings.public_url, row.correspondence_id, row.recipient_id
        );
        let facts = content::Facts {
            language,
            reminder: row.kind == "reminder",
            sender: &row.sender,
            recipient: &row.recipient,
            service: &row.service,
            title: &row.title,
            confidential_access: row.confidential_access.as_deref(),
            to_person: row.to_person,
            email_subject: row.email_subject.as_deref(),
            email_body: row.email_body.as_deref(),
            sms_text: row.sms_text.as_deref(),
            link: &link,
        };
        let result = if row.channel == "email" {
            let mail = content::email(&facts);
            let message_id = format!("<notice.{}@{}>", row.id, self.settings.mail_domain);
            self.mailer
                .send(&OutgoingEmail {
                    to: &row.address,
                    subject: &mail.subject,
                    text: &mail.text,
                    html: &mail.html,
                    message_id: &message_id,
                    files: &[],
                })
                .await
                .map(|()| (None, None))
        } else {
            let text = content::sms(&facts);
            let segments = content::sms_segments(&text);
            self.sms
                .send(row.id, &row.address, &text, segments)
                .await
                .map(|provider| (provider, i16::try_from(segments).ok()))
        };
        outcome(result, row, now)
    }

    /// Sends a forwarded message: the message itself, and its files when asked for.
    async fn forward(&self, row: &Claimed, now: DateTime<Utc>) -> Outcome {
        let files = if row.include_attachments {
            match self.forwarded_files(row.correspondence_id).await {
                Ok(files) => files,
                Err(error) => {
                    return Outcome::Retry {
                        at: now + backoff(row.attempts),
                        error,
                    };
                }
            }
        } else {
            Vec::new()
        };
        let language = Language::from_str(&row.language).unwrap_or_default();
        let published = crate::domain::time::in_oslo(&row.published_at)
            .format("%d.%m.%Y %H:%M")
            .to_string();
        let mail = content::forwarded(&content::Forwarded {
            language,
            forwarded_by: row.forwarded_by.as_deref().unwrap_or(&row.recipient),
            note: row.forwarding_text.as_deref(),
            sender: &row.sender,
            service: &row.service,
            published: &published,
            title: &row.title,
            summary: row.summary.as_deref(),
            body: row.body.as_deref().unwrap_or_default(),
            files: files.iter().map(|f| f.name.as_str()).collect(),
        });
        let message_id = format!("<forward.{}@{}>", row.id, self.settings.mail_domain);
        let result = self
            .mailer
            .send(&OutgoingEmail {
                to: &row.address,
                subject: &mail.subject,
                text: &mail.text,
                html: &mail.html,
                message_id: &message_id,
                files: &files,
            })
            .await
            .map(|()| (None, None));
        outcome(result, row, now)
    }

    /// The published attachments of a message, read from storage.
    async fn forwarded_files(&self, id: uuid::Uuid) -> Result<Vec<OutgoingFile>, String> {
        let storage = self
            .settings
            .storage
            .clone()
            .ok_or_else(|| "no attachment storage configured".to_owned())?;
        let pool = self.pool.clone();
        let listed = tokio::task::spawn_blocking(move || -> Result<_, String> {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            outbox::published_files(&mut conn, id).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        let mut files = Vec::with_capacity(listed.len());
        for (name, media_type, key) in listed {
            let bytes = storage
                .read_all(&key)
                .await
                .map_err(|e| format!("attachment {key}: {e}"))?;
            files.push(OutgoingFile {
                name,
                media_type,
                bytes: bytes.to_vec(),
            });
        }
        Ok(files)
    }

    /// The periodic jobs, checked at most once a minute.
    pub fn jobs_if_due(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        {
            let mut last = self.last_jobs.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| now - t < chrono::Duration::minutes(1)) {
                return Ok(());
            }
            *last = Some(now);
        }
        jobs::run_due(
            &self.pool,
            &|mail| self.block_on(self.mailer.send(mail)),
            now,
            &self.settings.public_url,
        )
    }

    /// Runs until the stop flag is set: steps while there is work, else waits a second.
    pub fn run(&self) {
        tracing::info!(worker = %self.id, "notification worker started");
        while !self.stop.load(Ordering::SeqCst) {
            let busy = match self.drain() {
                Ok(step) => step.claimed > 0,
                Err(err) => {
                    tracing::warn!(error = %err, "notification step failed");
                    false
                }
            };
            if let Err(err) = self.jobs_if_due() {
                tracing::warn!(error = %err, "periodic job failed");
            }
            if !busy {
                // Sleep in short slices so a stop request is seen quickly.
                for _ in 0..10 {
                    if self.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        tracing::info!(worker = %self.id, "notification worker stopped");
    }

    /// Starts `run` on a thread of its own.
    pub fn spawn(self: Arc<Self>) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("melding-worker".to_owned())
            .spawn(move || self.run())
    }
}

#[cold]
fn unreachable_runtime() -> ! {
    // The runtime is only taken out in `drop`.
    panic!("the worker's runtime is gone")
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".to_owned())
}

/// The outcome of a send: sent, failed for good, or to be tried again after the back-off.
fn outcome(
    result: Result<(Option<String>, Option<i16>), SendError>,
    row: &Claimed,
    now: DateTime<Utc>,
) -> Outcome {
    match result {
        Ok((provider_id, segments)) => Outcome::Sent {
            provider_id,
            segments,
        },
        Err(SendError::Permanent { reason, detail }) => Outcome::Failed {
            reason,
            error: Some(detail),
        },
        Err(SendError::Transient(error)) => Outcome::Retry {
            at: now + backoff(row.attempts),
            error,
        },
    }
}
