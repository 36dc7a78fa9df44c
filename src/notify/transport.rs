//! Where notices go: SMTP (pooled, TLS and credentials from the URL) and an HTTP SMS gateway, or,
//! in `demo`, the dev outbox table that the dev outbox page shows.

use std::time::Duration;

use diesel::prelude::*;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport};
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
}

pub enum Mailer {
    Smtp {
        transport: SmtpTransport,
        from: Mailbox,
    },
    /// `demo`: captured in `dev_outbox`.
    Capture { pool: PgPool, from: Mailbox },
}

impl Mailer {
    /// An SMTP mailer for a `smtp://` (add `?tls=required` for STARTTLS) or `smtps://` URL, with
    /// credentials in the URL's user part and up to `connections` pooled connections.
    pub fn smtp(url: &SecretString, from: Mailbox, connections: u32) -> anyhow::Result<Self> {
        let transport = SmtpTransport::from_url(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("MELDING_SMTP_URL: {e}"))?
            .pool_config(PoolConfig::new().max_size(connections.max(1)))
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Mailer::Smtp { transport, from })
    }

    pub fn capture(pool: PgPool, from: Mailbox) -> Self {
        Mailer::Capture { pool, from }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp { from, .. } | Mailer::Capture { from, .. } => from,
        }
    }

    /// Builds the MIME message (multipart/alternative: plain text and HTML).
    pub fn message(&self, mail: &OutgoingEmail<'_>) -> Result<Message, SendError> {
        let to: Mailbox = mail.to.parse().map_err(|e| SendError::Permanent {
            reason: "invalid_address",
            detail: format!("{e}"),
        })?;
        Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(mail.message_id.to_owned()))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.to_owned(),
                mail.html.to_owned(),
            ))
            .map_err(|e| SendError::Permanent {
                reason: "invalid_address",
                detail: format!("{e}"),
            })
    }

    pub fn send(&self, mail: &OutgoingEmail<'_>) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match self {
            Mailer::Smtp { transport, .. } => transport.send(&message).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    let reason = match e.status().map(|c| c.to_string()) {
                        Some(code) if code == "550" || code == "553" || code == "501" => {
                            "invalid_address"
                        }
                        _ => "bounced",
                    };
                    SendError::Permanent {
                        reason,
                        detail: e.to_string(),
                    }
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Mailer::Capture { pool, .. } => {
                let mut conn = pool
                    .get()
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                diesel::insert_into(dev_outbox::table)
                    .values((
                        dev_outbox::channel.eq("email"),
                        dev_outbox::recipient.eq(mail.to),
                        dev_outbox::subject.eq(mail.subject),
                        dev_outbox::text_body.eq(mail.text),
                        dev_outbox::html_body.eq(mail.html),
                        dev_outbox::message_id.eq(mail.message_id),
                    ))
                    .execute(&mut conn)
                    .map(|_| ())
                    .map_err(|e| SendError::Transient(e.to_string()))
            }
        }
    }
}

pub enum SmsGateway {
    /// JSON POST with a bearer token; the gateway answers with its id and later reports delivery
    /// to `callback`.
    Http {
        /// Built on first use, on the worker's thread (a blocking client cannot be built inside
        /// the async runtime that builds the worker).
        client: std::sync::OnceLock<reqwest::blocking::Client>,
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
        Ok(SmsGateway::Http {
            client: std::sync::OnceLock::new(),
            url,
            token,
            callback,
            sender,
        })
    }

    /// Sends one SMS; returns the gateway's id for the delivery report.
    pub fn send(
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
                let client = match client.get() {
                    Some(c) => c,
                    None => {
                        let built = reqwest::blocking::Client::builder()
                            .timeout(Duration::from_secs(30))
                            .build()
                            .map_err(|e| SendError::Transient(e.to_string()))?;
                        client.get_or_init(|| built)
                    }
                };
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
                    .map_err(|e| SendError::Transient(e.without_url().to_string()))?;
                let status = response.status();
                if status.is_success() {
                    let body: SmsResponse = response.json().unwrap_or(SmsResponse { id: None });
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
                let mut conn = pool
                    .get()
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                diesel::insert_into(dev_outbox::table)
                    .values((
                        dev_outbox::channel.eq("sms"),
                        dev_outbox::recipient.eq(to),
                        dev_outbox::text_body.eq(text),
                    ))
                    .execute(&mut conn)
                    .map_err(|e| SendError::Transient(e.to_string()))?;
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
