//! A message that passed its checks, ready to store: what `NewMessage::check` returns and the
//! store writes (tests and benchmarks build one directly).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::Language;

/// How recipients are notified (domain.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationChannel {
    Email,
    Sms,
    EmailPreferred,
    SmsPreferred,
    EmailAndSms,
}

impl NotificationChannel {
    pub const ALL: [NotificationChannel; 5] = [
        NotificationChannel::Email,
        NotificationChannel::Sms,
        NotificationChannel::EmailPreferred,
        NotificationChannel::SmsPreferred,
        NotificationChannel::EmailAndSms,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NotificationChannel::Email => "Email",
            NotificationChannel::Sms => "Sms",
            NotificationChannel::EmailPreferred => "EmailPreferred",
            NotificationChannel::SmsPreferred => "SmsPreferred",
            NotificationChannel::EmailAndSms => "EmailAndSms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// The placeholder a draft's title, summary and body may hold for each recipient's name.
pub const RECIPIENT_NAME: &str = "{{recipientName}}";

/// What a sender asks for, validated.
#[derive(Debug, Clone)]
pub struct Draft {
    pub service_id: String,
    pub sender_id: i64,
    pub created_by: Option<i64>,
    /// `form`, `api` or `csv`.
    pub channel: &'static str,
    pub idempotency_key: Option<String>,
    pub senders_reference: String,
    pub display_sender: Option<String>,
    pub language: Language,
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub confirmation_needed: bool,
    /// (url, text)
    pub reply_links: Vec<(String, String)>,
    /// (type, value)
    pub external_references: Vec<(String, String)>,
    pub notification: Option<NotificationChannel>,
    /// The reminder's channel when it is not the first notice's (its addresses are looked up
    /// again when the reminder is made).
    pub reminder_notification: Option<NotificationChannel>,
    pub send_reminder: bool,
    pub sms_any_time: bool,
    /// When set, reserved persons get the message anyway; the reason is kept with the send.
    pub ignore_reservation_reason: Option<String>,
    /// Custom notice texts (subject, body, sms) for the first notice and the reminder.
    pub initial_texts: Option<(String, String, String)>,
    pub reminder_texts: Option<(String, String, String)>,
    /// Uploaded attachments (the sender's own, checked), attached to every message.
    pub attachments: Vec<Uuid>,
    /// The recipients may forward the messages by e-mail.
    pub allow_forwarding: bool,
    /// (key, value), stored with each message and returned to its sender.
    pub properties: Vec<(String, String)>,
}
