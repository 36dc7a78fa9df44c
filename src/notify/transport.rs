//! Where notices go: SMTP and an HTTP SMS gateway, or, in `demo`, the dev outbox table that the
//! dev outbox page shows.
//!
//! SMTP uses lettre's client over connections we open ourselves, so that they can have
//! `TCP_NODELAY`: lettre writes a message's body and its final `.` in two writes, and with Nagle's
//! algorithm on, the second waits for the server's delayed ACK, 40 ms per message (measured:
//! 180 mails/s over 8 connections with lettre's own pooled transport, against a sink that
//! answers at once). Idle connections are kept for reuse.

use std::sync::Mutex;
use std::time::Duration;

use diesel::prelude::*;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use secrecy::{ExposeSecret, SecretString};

use crate::db::PgPool;
use crate::db::schema::dev_outbox;

/// Why a notice was not sent.
#[derive(Debug)]
pub enum SendError {
    /// Will not succeed on retry (the reason is one of the outbox's failure reasons).
    Permanent {
        reason: &'static str,
        detail: String,
    },
    /// May succeed later: the server is down, busy or timed out.
    Transient(String),
}

/// An e-mail ready to go.
pub struct OutgoingEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// Derived from the outbox row, so a resend after a crash is recognisable as the same mail.
    pub message_id: &'a str,
    /// Files sent along (a forwarded message's attachments); none for notices.
    pub files: &'a [OutgoingFile],
}

/// A file attached to an e-mail.
pub struct OutgoingFile {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// STARTTLS, required (`?tls=required`) or used when offered (`?tls=opportunistic`).
    StartTls { required: bool },
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
}

/// An SMTP relay with up to `connections` kept-open connections.
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    connections: usize,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

impl Smtp {
    /// Reads `smtp://[user:password@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://[user:password@]host[:port]`.
    pub fn from_url(url: &SecretString, connections: usize) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("MELDING_SMTP_URL: {e}"))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("MELDING_SMTP_URL has no host"))?
            .to_owned();
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) => (Security::Implicit, 465),
            ("smtp", Some("required")) => (Security::StartTls { required: true }, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTls { required: false }, 587),
            ("smtp", None | Some("none")) => (Security::None, 25),
            (scheme, tls) => anyhow::bail!(
                "MELDING_SMTP_URL: unsupported scheme {scheme:?} or tls={tls:?} \
                 (smtp://, smtps://, ?tls=required|opportunistic)"
            ),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = (!parsed.username().is_empty()).then(|| {
            Credentials::new(
                decode(parsed.username()),
                decode(parsed.password().unwrap_or_default()),
            )
        });
        Ok(Smtp {
            port: parsed.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello: ClientId::default(),
            timeout: Duration::from_secs(30),
            connections: connections.max(1),
            idle: Mutex::new(Vec::new()),
        })
    }

    fn tls(&self) -> Result<TlsParameters, SendError> {
        TlsParameters::new(self.host.clone()).map_err(|e| SendError::Transient(e.to_string()))
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let failed = |e: &dyn std::fmt::Display| SendError::Transient(format!("SMTP connect: {e}"));
        let mut conn = if self.security == Security::Implicit {
            AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(self.tls()?),
                None,
            )
            .await
            .map_err(|e| failed(&e))?
        } else {
            let tcp = tokio::time::timeout(
                self.timeout,
                tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
            )
            .await
            .map_err(|e| failed(&e))?
            .map_err(|e| failed(&e))?;
            tcp.set_nodelay(true).map_err(|e| failed(&e))?;
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                .await
                .map_err(|e| failed(&e))?
        };
        if let Security::StartTls { required } = self.security {
            if conn.can_starttls() {
                conn.starttls(self.tls()?, &self.hello)
                    .await
                    .map_err(|e| failed(&e))?;
            } else if required {
                return Err(SendError::Transient(
                    "the SMTP server does not offer STARTTLS".to_owned(),
                ));
            }
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| failed(&e))?;
        }
        Ok(conn)
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.connections && !conn.has_broken() {
            idle.push(conn);
        }
    }

    /// Sends on a kept connection, or a new one; a kept connection the server has closed since
    /// is replaced once.
    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let envelope = message.envelope();
        let bytes = message.formatted();
        let mut reused = self.take_idle();
        loop {
            let was_reused = reused.is_some();
            let mut conn = match reused.take() {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            let sent = tokio::time::timeout(self.timeout, conn.send(envelope, &bytes)).await;
            match sent {
                Ok(Ok(_)) => {
                    self.keep(conn);
                    return Ok(());
                }
                Ok(Err(e)) if e.is_permanent() => {
                    self.keep(conn);
                    let reason = match e.status().map(|c| c.to_string()).as_deref() {
                        Some("550" | "553" | "501") => "invalid_address",
                        _ => "bounced",
                    };
                    return Err(SendError::Permanent {
                        reason,
                        detail: e.to_string(),
                    });
                }
                Ok(Err(_)) | Err(_) if was_reused => continue,
                Ok(Err(e)) => return Err(SendError::Transient(e.to_string())),
                Err(_) => return Err(SendError::Transient("SMTP timed out".to_owned())),
            }
        }
    }
}

pub enum Mailer {
    Smtp {
        smtp: Smtp,
        from: Mailbox,
    },
    /// `demo`: captured in `dev_outbox`.
    Capture {
        pool: PgPool,
        from: Mailbox,
    },
}

impl Mailer {
    /// An SMTP mailer for a `smtp://` (add `?tls=required` for STARTTLS) or `smtps://` URL, with
    /// credentials in the URL's user part and up to `connections` kept-open connections.
    pub fn smtp(url: &SecretString, from: Mailbox, connections: u32) -> anyhow::Result<Self> {
        Ok(Mailer::Smtp {
            smtp: Smtp::from_url(url, connections as usize)?,
            from,
        })
    }

    pub fn capture(pool: PgPool, from: Mailbox) -> Self {
        Mailer::Capture { pool, from }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp { from, .. } | Mailer::Capture { from, .. } => from,
        }
    }

    /// Builds the MIME message (multipart/alternative: plain text and HTML; in
    /// multipart/mixed with the files when there are any).
    pub fn message(&self, mail: &OutgoingEmail<'_>) -> Result<Message, SendError> {
        let to: Mailbox = mail.to.parse().map_err(|e| SendError::Permanent {
            reason: "invalid_address",
            detail: format!("{e}"),
        })?;
        let alternative =
            MultiPart::alternative_plain_html(mail.text.to_owned(), mail.html.to_owned());
        let body = if mail.files.is_empty() {
            alternative
        } else {
            let octets = ContentType::parse("application/octet-stream").ok();
            mail.files
                .iter()
                .fold(MultiPart::mixed().multipart(alternative), |body, file| {
                    let kind = ContentType::parse(&file.media_type)
                        .ok()
                        .or_else(|| octets.clone());
                    match kind {
                        Some(kind) => body.singlepart(
                            Attachment::new(file.name.clone()).body(file.bytes.clone(), kind),
                        ),
                        None => body,
                    }
                })
        };
        Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(mail.message_id.to_owned()))
            .multipart(body)
            .map_err(|e| SendError::Permanent {
                reason: "invalid_address",
                detail: format!("{e}"),
            })
    }

    pub async fn send(&self, mail: &OutgoingEmail<'_>) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match self {
            Mailer::Smtp { smtp, .. } => smtp.send(&message).await,
            Mailer::Capture { pool, .. } => capture(
                pool,
                "email",
                mail.to,
                Some(mail.subject),
                mail.text,
                Some(mail.html),
                Some(mail.message_id),
            ),
        }
    }
}

/// Keeps a notice in `dev_outbox` (the demo's dev outbox page) instead of sending it.
fn capture(
    pool: &PgPool,
    channel: &str,
    to: &str,
    subject: Option<&str>,
    text: &str,
    html: Option<&str>,
    message_id: Option<&str>,
) -> Result<(), SendError> {
    let mut conn = pool
        .get()
        .map_err(|e| SendError::Transient(e.to_string()))?;
    diesel::insert_into(dev_outbox::table)
        .values((
            dev_outbox::channel.eq(channel),
            dev_outbox::recipient.eq(to),
            dev_outbox::subject.eq(subject),
            dev_outbox::text_body.eq(text),
            dev_outbox::html_body.eq(html),
            dev_outbox::message_id.eq(message_id),
        ))
        .execute(&mut conn)
        .map(|_| ())
        .map_err(|e| SendError::Transient(e.to_string()))
}

pub enum SmsGateway {
    /// JSON POST with a bearer token; the gateway answers with its id and later reports delivery
    /// to `callback`.
    Http {
        client: reqwest::Client,
        url: String,
        token: SecretString,
        callback: String,
        sender: String,
    },
    Capture(PgPool),
}

#[derive(serde::Serialize)]
struct SmsRequest<'a> {
    reference: String,
    sender: &'a str,
    to: &'a str,
    text: &'a str,
    segments: u16,
    callback: &'a str,
}

#[derive(serde::Deserialize)]
struct SmsResponse {
    id: Option<String>,
}

impl SmsGateway {
    pub fn http(
        url: String,
        token: SecretString,
        callback: String,
        sender: String,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(SmsGateway::Http {
            client,
            url,
            token,
            callback,
            sender,
        })
    }

    /// Sends one SMS; returns the gateway's id for the delivery report.
    pub async fn send(
        &self,
        reference: i64,
        to: &str,
        text: &str,
        segments: u16,
    ) -> Result<Option<String>, SendError> {
        if !valid_mobile(to) {
            return Err(SendError::Permanent {
                reason: "invalid_address",
                detail: "not a mobile number".to_owned(),
            });
        }
        match self {
            SmsGateway::Http {
                client,
                url,
                token,
                callback,
                sender,
            } => {
                let response = client
                    .post(url)
                    .bearer_auth(token.expose_secret())
                    .json(&SmsRequest {
                        reference: reference.to_string(),
                        sender,
                        to,
                        text,
                        segments,
                        callback,
                    })
                    .send()
                    .await
                    .map_err(|e| SendError::Transient(e.without_url().to_string()))?;
                let status = response.status();
                if status.is_success() {
                    let body: SmsResponse =
                        response.json().await.unwrap_or(SmsResponse { id: None });
                    Ok(body.id)
                } else if status.as_u16() == 429 || status.is_server_error() {
                    Err(SendError::Transient(format!(
                        "SMS gateway answered {status}"
                    )))
                } else if status.as_u16() == 400 || status.as_u16() == 422 {
                    Err(SendError::Permanent {
                        reason: "invalid_address",
                        detail: format!("SMS gateway answered {status}"),
                    })
                } else {
                    Err(SendError::Permanent {
                        reason: "provider_error",
                        detail: format!("SMS gateway answered {status}"),
                    })
                }
            }
            SmsGateway::Capture(pool) => {
                capture(pool, "sms", to, None, text, None, None)?;
                Ok(None)
            }
        }
    }
}

/// A mobile number as the contact register holds it: optional `+`, then 8 to 15 digits.
fn valid_mobile(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}
