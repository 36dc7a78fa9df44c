//! A new message as a sender asks for it, whatever the input (the compose form, the CSV upload,
//! the JSON API), and its one validation (domain.md's rules). Each input builds a [`NewMessage`]
//! from its own fields and names each [`Problem`] by mapping its [`Field`] to its own name (a
//! form field, a JSON path); the rules live here and nowhere else.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::draft::{Draft, NotificationChannel};
use super::owners::Owner;
use super::preflight::find_parties;
use crate::db::schema::{attachments, parties, services};
use crate::domain::{Language, PartyRef, TestIds};
use crate::web::i18n;

/// The problem of a text holding a NUL character.
const NUL: &str = "input-error-nul";

/// Recipients one request may name (the form's and the API's limit); more go by CSV.
pub const MAX_RECIPIENTS: usize = 500;
/// Attachments per message.
pub const MAX_ATTACHMENTS: usize = 100;
/// External references per message.
pub const MAX_REFERENCES: usize = 10;
/// Properties per message, and the longest key and value.
pub const MAX_PROPERTIES: usize = 10;
const MAX_PROPERTY_KEY: usize = 50;
const MAX_PROPERTY_VALUE: usize = 300;

/// A time as the input gave it: parsed already (JSON), or as typed in a form (a
/// `datetime-local` value, taken as UTC, or RFC 3339).
#[derive(Debug, Clone)]
pub enum TimeInput {
    At(DateTime<Utc>),
    Typed(String),
}

impl TimeInput {
    fn parse(&self) -> Option<DateTime<Utc>> {
        match self {
            TimeInput::At(t) => Some(*t),
            TimeInput::Typed(s) => {
                let s = s.trim();
                DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .ok()
                    .or_else(|| {
                        // A form's time has no zone: it is the time in Norway.
                        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                            .ok()
                            .and_then(crate::domain::time::from_oslo)
                    })
            }
        }
    }
}

/// The texts of one notice: all empty means the service's texts, else the generic ones.
#[derive(Debug, Clone, Default)]
pub struct NoticeTexts {
    pub email_subject: String,
    pub email_body: String,
    pub sms: String,
}

/// How and when the recipients are told.
#[derive(Debug, Clone)]
pub struct NotificationOrder {
    /// A [`NotificationChannel`] by name.
    pub channel: String,
    pub initial: NoticeTexts,
    pub reminder: NoticeTexts,
    pub send_reminder: bool,
    /// SMS outside 09:00-17:00 (Europe/Oslo) too.
    pub sms_any_time: bool,
    /// The reminder's [`NotificationChannel`] by name, when not the first notice's.
    pub reminder_channel: String,
}

impl Default for NotificationOrder {
    fn default() -> Self {
        NotificationOrder {
            channel: NotificationChannel::Email.name().to_owned(),
            initial: NoticeTexts::default(),
            reminder: NoticeTexts::default(),
            send_reminder: true,
            sms_any_time: false,
            reminder_channel: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReplyOption {
    pub url: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct ExternalReference {
    pub kind: String,
    pub value: String,
}

/// What a sender asks for, as its input gave it, before any check.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// National identity numbers, organisation numbers or party URNs, as given.
    pub recipients: Vec<String>,
    pub service_id: String,
    /// The organisation the sender says it sends for (`0192:` and a number); `None`: the owner.
    pub sender: Option<String>,
    pub senders_reference: String,
    /// Shown instead of the owner's name; empty for none.
    pub display_sender: String,
    /// A language code; empty for bokmål.
    pub language: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub publish_at: Option<TimeInput>,
    pub due_at: Option<TimeInput>,
    pub confirmation_needed: bool,
    pub reply_options: Vec<ReplyOption>,
    pub external_references: Vec<ExternalReference>,
    pub properties: Vec<(String, String)>,
    pub notification: NotificationOrder,
    pub ignore_reservation: bool,
    /// Required when ignoring the reservation (kept with the send).
    pub ignore_reservation_reason: String,
    pub attachments: Vec<Uuid>,
    pub idempotency_key: Option<String>,
    /// The recipients may forward the message by e-mail (Altinn's `allowForwarding`).
    pub allow_forwarding: bool,
}

/// Which part of a [`NewMessage`] a problem is about; indexes count from 0 in the order given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Recipients,
    Recipient(usize),
    Service,
    Sender,
    SendersReference,
    DisplaySender,
    Language,
    Title,
    Summary,
    Body,
    PublishAt,
    DueAt,
    ReplyUrl(usize),
    ReplyText(usize),
    References,
    Reference(usize),
    Properties,
    Property(usize),
    NotificationChannel,
    ReminderNotificationChannel,
    EmailSubject,
    EmailBody,
    SmsText,
    ReminderEmailSubject,
    ReminderEmailBody,
    ReminderSmsText,
    IgnoreReservationReason,
    Attachments,
    IdempotencyKey,
}

/// One thing wrong with a [`NewMessage`]: where, and what to tell (a translation key and its
/// arguments, so the form says it in the user's language and the API in English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: Field,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    fn new(field: Field, key: &'static str) -> Self {
        Problem {
            field,
            key,
            args: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn text(&self, lang: Language) -> String {
        i18n::text_with(lang, self.key, &self.args)
    }
}

/// Where the recipients come from: listed in the message, or a CSV file read later (then the
/// file's lines are checked one by one as they are stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    Listed,
    File,
}

/// Who sends, and through which input.
pub struct Sender<'a> {
    pub owner: &'a Owner,
    /// The person sending, for pages; `None` for systems.
    pub person: Option<i64>,
    /// `form`, `csv` or `api`: recorded with the send.
    pub channel: &'static str,
    pub test_ids: TestIds,
    pub recipients: Recipients,
}

/// A message that passed every check: what to store, and to whom (party ids, in order).
#[derive(Debug)]
pub struct Checked {
    pub draft: Draft,
    pub recipients: Vec<i64>,
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Plain text: no control characters (line breaks included).
fn plain(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// Whether a reply link's address (https, at most 255 characters) and text (1 to 255 characters
/// of plain text) are acceptable.
fn reply_link_ok(url: &str, text: &str) -> (bool, bool) {
    let url_ok = url::Url::parse(url)
        .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
        && !too_long(url, 255);
    let text_ok = !text.is_empty() && !too_long(text, 255) && plain(text);
    (url_ok, text_ok)
}

/// Checks the three texts of a notice: all empty (`None`), or each given within its limit.
/// A notice's own texts: none, or those the channel uses (e-mail subject and text, SMS text; all
/// three for the channels that may use both). A text the channel does not use may be left empty
/// (it is stored as none, and the service's or the generic text stands in).
fn notice_texts(
    texts: &NoticeTexts,
    channel: Option<NotificationChannel>,
    fields: [Field; 3],
    problems: &mut Vec<Problem>,
) -> Option<(String, String, String)> {
    let given = [
        texts.email_subject.trim(),
        texts.email_body.trim(),
        texts.sms.trim(),
    ];
    if given.iter().all(|s| s.is_empty()) {
        return None;
    }
    let (email, sms) = match channel {
        Some(NotificationChannel::Email) => (true, false),
        Some(NotificationChannel::Sms) => (false, true),
        _ => (true, true),
    };
    let needed = [email, email, sms];
    for (((value, max), field), needed) in given
        .iter()
        .zip([255, 10_000, 2_000])
        .zip(fields)
        .zip(needed)
    {
        if (needed && value.is_empty()) || too_long(value, max) {
            problems.push(Problem::new(field, "service-error-text"));
        }
    }
    Some((
        given[0].to_owned(),
        given[1].to_owned(),
        given[2].to_owned(),
    ))
}

impl NewMessage {
    /// The checks that need no database; on success the draft for `sender`, and the recipients
    /// parsed (numbers, with their index in [`NewMessage::recipients`]).
    fn check_fields(
        &self,
        sender: &Sender,
        now: DateTime<Utc>,
        problems: &mut Vec<Problem>,
    ) -> (Draft, Vec<(usize, String)>) {
        self.check_storable(problems);
        let mut numbers = Vec::new();
        if sender.recipients == Recipients::Listed {
            for (i, token) in self.recipients.iter().enumerate() {
                match PartyRef::parse(token.trim(), sender.test_ids) {
                    Ok(party) => numbers.push((i, party.number().to_owned())),
                    Err(_) => problems.push(
                        Problem::new(Field::Recipient(i), "compose-error-recipients-invalid")
                            .with("list", token.trim()),
                    ),
                }
            }
            if self.recipients.is_empty() {
                problems.push(Problem::new(
                    Field::Recipients,
                    "compose-error-recipients-none",
                ));
            } else if self.recipients.len() > MAX_RECIPIENTS {
                problems.push(
                    Problem::new(Field::Recipients, "compose-error-recipients-many")
                        .with("max", MAX_RECIPIENTS.to_string()),
                );
            }
        }
        let mut check = |ok: bool, field: Field, key: &'static str| {
            if !ok {
                problems.push(Problem::new(field, key));
            }
        };
        let reference = self.senders_reference.trim();
        check(
            !reference.is_empty() && !too_long(reference, 4096),
            Field::SendersReference,
            "compose-error-reference",
        );
        let display_sender = self.display_sender.trim();
        check(
            !too_long(display_sender, 255) && plain(display_sender),
            Field::DisplaySender,
            "compose-error-display-sender",
        );
        let language = match self.language.trim() {
            "" => Some(Language::Nb),
            code => code.parse::<Language>().ok(),
        };
        check(
            language.is_some(),
            Field::Language,
            "compose-error-language",
        );
        let title = self.title.trim();
        check(
            !title.is_empty() && !too_long(title, 255) && plain(title),
            Field::Title,
            "compose-error-title",
        );
        let summary = self.summary.trim();
        check(
            !too_long(summary, 255) && plain(summary),
            Field::Summary,
            "compose-error-summary",
        );
        check(
            !self.body.trim().is_empty() && !too_long(&self.body, 30_000),
            Field::Body,
            "compose-error-body",
        );
        let publish_at = self.publish_at.as_ref().and_then(|t| {
            let parsed = t.parse();
            check(parsed.is_some(), Field::PublishAt, "compose-error-time");
            parsed
        });
        let due_at = match &self.due_at {
            None => {
                check(
                    !self.confirmation_needed,
                    Field::DueAt,
                    "compose-error-due-needed",
                );
                None
            }
            Some(t) => match t.parse() {
                Some(t) if t < now => {
                    check(false, Field::DueAt, "compose-error-due-past");
                    None
                }
                Some(t) if publish_at.is_some_and(|p| t < p) => {
                    check(false, Field::DueAt, "compose-error-due-before-publish");
                    None
                }
                Some(t) => Some(t),
                None => {
                    check(false, Field::DueAt, "compose-error-time");
                    None
                }
            },
        };
        let mut reply_links = Vec::new();
        for (i, r) in self.reply_options.iter().enumerate() {
            let (url, text) = (r.url.trim(), r.text.trim());
            let (url_ok, text_ok) = reply_link_ok(url, text);
            check(url_ok, Field::ReplyUrl(i), "compose-error-reply-url");
            check(text_ok, Field::ReplyText(i), "compose-error-reply-text");
            reply_links.push((url.to_owned(), text.to_owned()));
        }
        check(
            self.external_references.len() <= MAX_REFERENCES,
            Field::References,
            "compose-error-references-many",
        );
        let mut external_references = Vec::new();
        for (i, r) in self.external_references.iter().enumerate() {
            let (kind, value) = (r.kind.trim(), r.value.trim());
            check(
                !kind.is_empty() && !value.is_empty() && !too_long(value, 255),
                Field::Reference(i),
                "compose-error-reference-pair",
            );
            external_references.push((kind.to_owned(), value.to_owned()));
        }
        check(
            self.properties.len() <= MAX_PROPERTIES,
            Field::Properties,
            "compose-error-properties-many",
        );
        for (i, (key, value)) in self.properties.iter().enumerate() {
            check(
                !key.trim().is_empty()
                    && !too_long(key, MAX_PROPERTY_KEY)
                    && !too_long(value, MAX_PROPERTY_VALUE),
                Field::Property(i),
                "compose-error-property",
            );
        }
        let order = &self.notification;
        let notification = NotificationChannel::parse(order.channel.trim());
        check(
            notification.is_some(),
            Field::NotificationChannel,
            "compose-error-channel",
        );
        let reminder_channel = order.reminder_channel.trim();
        let reminder_notification = NotificationChannel::parse(reminder_channel);
        check(
            reminder_channel.is_empty() || reminder_notification.is_some(),
            Field::ReminderNotificationChannel,
            "compose-error-channel",
        );
        let ignore_reason = self.ignore_reservation_reason.trim();
        check(
            !self.ignore_reservation
                || (!ignore_reason.is_empty() && !too_long(ignore_reason, 1000)),
            Field::IgnoreReservationReason,
            "compose-error-ignore-reason",
        );
        check(
            self.attachments.len() <= MAX_ATTACHMENTS,
            Field::Attachments,
            "attachment-error-many",
        );
        check(
            self.idempotency_key
                .as_ref()
                .is_none_or(|k| (1..=255).contains(&k.chars().count())),
            Field::IdempotencyKey,
            "compose-error-idempotency-key",
        );
        let initial_texts = notice_texts(
            &order.initial,
            notification,
            [Field::EmailSubject, Field::EmailBody, Field::SmsText],
            problems,
        );
        let reminder_texts = notice_texts(
            &order.reminder,
            reminder_notification.or(notification),
            [
                Field::ReminderEmailSubject,
                Field::ReminderEmailBody,
                Field::ReminderSmsText,
            ],
            problems,
        );
        let draft = Draft {
            service_id: self.service_id.trim().to_owned(),
            sender_id: sender.owner.id,
            created_by: sender.person,
            channel: sender.channel,
            idempotency_key: self.idempotency_key.clone(),
            senders_reference: reference.to_owned(),
            display_sender: Some(display_sender.to_owned()).filter(|s| !s.is_empty()),
            language: language.unwrap_or(Language::Nb),
            title: title.to_owned(),
            summary: Some(summary.to_owned()).filter(|s| !s.is_empty()),
            body: self.body.clone(),
            publish_at,
            due_at,
            confirmation_needed: self.confirmation_needed,
            reply_links,
            external_references,
            notification,
            // Only when it differs: otherwise the reminder follows the first notice.
            reminder_notification: reminder_notification.filter(|r| Some(*r) != notification),
            send_reminder: order.send_reminder,
            sms_any_time: order.sms_any_time,
            ignore_reservation_reason: Some(ignore_reason.to_owned())
                .filter(|_| self.ignore_reservation),
            initial_texts,
            reminder_texts,
            attachments: self.attachments.clone(),
            allow_forwarding: self.allow_forwarding,
            properties: self
                .properties
                .iter()
                .map(|(k, v)| (k.trim().to_owned(), v.clone()))
                .collect(),
        };
        (draft, numbers)
    }

    /// Text the database cannot hold (a NUL character) is named by its field, whatever else is
    /// wrong with it; such a value is never looked up or stored.
    fn check_storable(&self, problems: &mut Vec<Problem>) {
        let n = &self.notification;
        fn time(t: &Option<TimeInput>) -> &str {
            match t {
                Some(TimeInput::Typed(s)) => s,
                _ => "",
            }
        }
        let mut texts: Vec<(Field, &str)> = vec![
            (Field::Service, &self.service_id),
            (Field::Sender, self.sender.as_deref().unwrap_or_default()),
            (Field::SendersReference, &self.senders_reference),
            (Field::DisplaySender, &self.display_sender),
            (Field::Language, &self.language),
            (Field::Title, &self.title),
            (Field::Summary, &self.summary),
            (Field::Body, &self.body),
            (Field::PublishAt, time(&self.publish_at)),
            (Field::DueAt, time(&self.due_at)),
            (Field::NotificationChannel, &n.channel),
            (Field::ReminderNotificationChannel, &n.reminder_channel),
            (Field::EmailSubject, &n.initial.email_subject),
            (Field::EmailBody, &n.initial.email_body),
            (Field::SmsText, &n.initial.sms),
            (Field::ReminderEmailSubject, &n.reminder.email_subject),
            (Field::ReminderEmailBody, &n.reminder.email_body),
            (Field::ReminderSmsText, &n.reminder.sms),
            (
                Field::IgnoreReservationReason,
                &self.ignore_reservation_reason,
            ),
            (
                Field::IdempotencyKey,
                self.idempotency_key.as_deref().unwrap_or_default(),
            ),
        ];
        for (i, r) in self.reply_options.iter().enumerate() {
            texts.extend([
                (Field::ReplyUrl(i), r.url.as_str()),
                (Field::ReplyText(i), &r.text),
            ]);
        }
        for (i, r) in self.external_references.iter().enumerate() {
            texts.extend([
                (Field::Reference(i), r.kind.as_str()),
                (Field::Reference(i), &r.value),
            ]);
        }
        for (i, (key, value)) in self.properties.iter().enumerate() {
            texts.extend([
                (Field::Property(i), key.as_str()),
                (Field::Property(i), value),
            ]);
        }
        for (field, text) in texts {
            // One problem per field, however many of its texts hold one.
            if text.contains('\0') && !problems.iter().any(|p| p.field == field && p.key == NUL) {
                problems.push(Problem::new(field, NUL));
            }
        }
    }

    /// Every check, in the database too: the service is the owner's and active, the sender is
    /// the owner, the attachments are the owner's uploads, and each listed recipient exists.
    /// Every problem is returned, not just the first.
    pub fn check(
        &self,
        conn: &mut PgConnection,
        sender: &Sender,
    ) -> QueryResult<Result<Checked, Vec<Problem>>> {
        let mut problems = Vec::new();
        let (draft, numbers) = self.check_fields(sender, Utc::now(), &mut problems);
        let owner = sender.owner.id;
        let service_ok: i64 = if draft.service_id.contains('\0') {
            0
        } else {
            services::table
                .filter(services::id.eq(&draft.service_id))
                // A shared service (eFormidling's digital post) is every owner's to send with.
                .filter(services::owner_id.eq(owner).or(services::is_shared))
                .filter(services::is_active)
                .filter(services::kind.eq("correspondence"))
                .count()
                .get_result(conn)?
        };
        if service_ok == 0 {
            problems.push(Problem::new(Field::Service, "compose-error-service"));
        }
        if let Some(named) = &self.sender {
            let number: Option<String> = parties::table
                .find(owner)
                .select(parties::org_number)
                .first(conn)?;
            if number.as_deref() != Some(named.trim().trim_start_matches("0192:")) {
                problems.push(Problem::new(Field::Sender, "compose-error-sender"));
            }
        }
        let owned: i64 = attachments::table
            .filter(attachments::owner_id.eq(owner))
            .filter(attachments::state.eq("published"))
            .filter(attachments::id.eq_any(&self.attachments))
            .count()
            .get_result(conn)?;
        if owned != self.attachments.len() as i64 {
            problems.push(Problem::new(Field::Attachments, "attachment-error-unknown"));
        }
        let wanted: Vec<String> = numbers.iter().map(|(_, n)| n.clone()).collect();
        let found = find_parties(conn, &wanted)?;
        let mut recipients = Vec::with_capacity(found.len());
        for ((i, _), party) in numbers.iter().zip(found) {
            match party {
                Some(id) => recipients.push(id),
                None => problems.push(
                    Problem::new(Field::Recipient(*i), "compose-error-recipients-unknown")
                        .with("list", self.recipients[*i].trim()),
                ),
            }
        }
        if problems.is_empty() {
            Ok(Ok(Checked { draft, recipients }))
        } else {
            problems.sort_by_key(|p| p.field);
            Ok(Err(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> NewMessage {
        NewMessage {
            recipients: vec!["310000019".to_owned()],
            service_id: "svc".to_owned(),
            senders_reference: "SAK-1".to_owned(),
            title: "Vedtak".to_owned(),
            body: "Du har fått **innvilget** søknaden.".to_owned(),
            ..NewMessage::default()
        }
    }

    /// The fields with problems (the database's checks aside), in order.
    fn problems(message: &NewMessage, recipients: Recipients) -> Vec<(Field, &'static str)> {
        let owner = Owner {
            id: 1,
            name: "Etaten".to_owned(),
            org_number: None,
        };
        let sender = Sender {
            owner: &owner,
            person: None,
            channel: "api",
            test_ids: TestIds::Allowed,
            recipients,
        };
        let mut found = Vec::new();
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        message.check_fields(&sender, now, &mut found);
        found.into_iter().map(|p| (p.field, p.key)).collect()
    }

    #[test]
    fn a_good_message_has_no_problem_and_defaults_to_bokmal_and_email() {
        assert_eq!(problems(&good(), Recipients::Listed), []);
        let owner = Owner {
            id: 1,
            name: "Etaten".to_owned(),
            org_number: None,
        };
        let sender = Sender {
            owner: &owner,
            person: Some(9),
            channel: "form",
            test_ids: TestIds::Allowed,
            recipients: Recipients::Listed,
        };
        let (draft, numbers) = good().check_fields(&sender, Utc::now(), &mut Vec::new());
        assert_eq!(draft.language, Language::Nb);
        assert_eq!(draft.notification, Some(NotificationChannel::Email));
        assert_eq!(
            (draft.sender_id, draft.created_by, draft.channel),
            (1, Some(9), "form")
        );
        assert_eq!(numbers, [(0, "310000019".to_owned())]);
    }

    #[test]
    fn every_rule_names_its_field() {
        type Case = (fn(&mut NewMessage), Field, &'static str);
        let cases: Vec<Case> = vec![
            (
                |m| m.recipients = vec!["123".into()],
                Field::Recipient(0),
                "compose-error-recipients-invalid",
            ),
            (
                |m| m.recipients.clear(),
                Field::Recipients,
                "compose-error-recipients-none",
            ),
            (
                |m| m.recipients = vec!["310000019".into(); 501],
                Field::Recipients,
                "compose-error-recipients-many",
            ),
            (
                |m| m.senders_reference = " ".into(),
                Field::SendersReference,
                "compose-error-reference",
            ),
            (
                |m| m.display_sender = "a\nb".into(),
                Field::DisplaySender,
                "compose-error-display-sender",
            ),
            (
                |m| m.language = "de".into(),
                Field::Language,
                "compose-error-language",
            ),
            (
                |m| m.title = "x".repeat(256),
                Field::Title,
                "compose-error-title",
            ),
            (
                |m| m.summary = "to\nlinjer".into(),
                Field::Summary,
                "compose-error-summary",
            ),
            (
                |m| m.body = "x".repeat(30_001),
                Field::Body,
                "compose-error-body",
            ),
            (
                |m| m.publish_at = Some(TimeInput::Typed("i morgen".into())),
                Field::PublishAt,
                "compose-error-time",
            ),
            (
                |m| m.confirmation_needed = true,
                Field::DueAt,
                "compose-error-due-needed",
            ),
            (
                |m| m.due_at = Some(TimeInput::Typed("2026-01-01T10:00".into())),
                Field::DueAt,
                "compose-error-due-past",
            ),
            (
                |m| {
                    m.publish_at = Some(TimeInput::Typed("2027-02-01T10:00".into()));
                    m.due_at = Some(TimeInput::Typed("2027-01-01T10:00".into()));
                },
                Field::DueAt,
                "compose-error-due-before-publish",
            ),
            (
                |m| {
                    m.reply_options = vec![
                        ReplyOption {
                            url: "https://a.example".into(),
                            text: "Svar".into(),
                        },
                        ReplyOption {
                            url: "http://b.example".into(),
                            text: "Klag".into(),
                        },
                    ]
                },
                Field::ReplyUrl(1),
                "compose-error-reply-url",
            ),
            (
                |m| {
                    m.external_references = vec![ExternalReference {
                        kind: "CaseNumber".into(),
                        value: String::new(),
                    }]
                },
                Field::Reference(0),
                "compose-error-reference-pair",
            ),
            (
                |m| {
                    m.external_references = vec![
                        ExternalReference {
                            kind: "a".into(),
                            value: "b".into()
                        };
                        11
                    ]
                },
                Field::References,
                "compose-error-references-many",
            ),
            (
                |m| m.properties = vec![("k".into(), "v".into()); 11],
                Field::Properties,
                "compose-error-properties-many",
            ),
            (
                |m| m.properties = vec![("k".repeat(51), "v".into())],
                Field::Property(0),
                "compose-error-property",
            ),
            (
                |m| m.notification.channel = "Brevdue".into(),
                Field::NotificationChannel,
                "compose-error-channel",
            ),
            (
                |m| m.notification.initial.email_subject = "Bare emne".into(),
                Field::EmailBody,
                "service-error-text",
            ),
            (
                |m| m.notification.reminder.sms = "Bare SMS".into(),
                Field::ReminderEmailSubject,
                "service-error-text",
            ),
            (
                |m| m.ignore_reservation = true,
                Field::IgnoreReservationReason,
                "compose-error-ignore-reason",
            ),
            (
                |m| m.attachments = vec![Uuid::nil(); 101],
                Field::Attachments,
                "attachment-error-many",
            ),
            (
                |m| m.idempotency_key = Some(String::new()),
                Field::IdempotencyKey,
                "compose-error-idempotency-key",
            ),
        ];
        for (change, field, key) in cases {
            let mut message = good();
            change(&mut message);
            let found = problems(&message, Recipients::Listed);
            assert!(found.contains(&(field, key)), "{field:?} {key}: {found:?}");
        }
    }

    #[test]
    fn a_csv_send_lists_no_recipients_in_the_message() {
        let mut message = good();
        message.recipients.clear();
        assert_eq!(problems(&message, Recipients::File), []);
    }
}
