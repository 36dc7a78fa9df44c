//! The compose form's fields (shared by the compose page and the CSV upload page): the form as
//! typed, the `NewMessage` it describes, and the problems of the one validation named by form
//! field in the user's language.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::Language;
use crate::sending::{
    ExternalReference, Field, NewMessage, NoticeTexts, NotificationOrder, Problem, ReplyOption,
    TimeInput,
};
use crate::web::form::SummaryItem;
use crate::web::i18n;
use crate::web::multipart::FieldText;

/// The form as typed (kept on errors).
#[derive(Default, Clone)]
pub struct ComposeForm {
    fields: HashMap<String, String>,
    /// Fields whose bytes were not UTF-8 (shown back with the bad bytes replaced).
    not_utf8: Vec<String>,
}

impl ComposeForm {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    pub(super) fn parse(body: &[u8]) -> Self {
        ComposeForm::from_fields(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn from_fields(fields: HashMap<String, String>) -> Self {
        ComposeForm {
            fields,
            not_utf8: Vec::new(),
        }
    }

    /// Chooses an attachment (one just uploaded with the form).
    pub(super) fn choose_attachment(&mut self, id: Uuid) {
        self.fields
            .insert(format!("attachment_{id}"), "1".to_owned());
    }

    /// Adds a field of a multipart form.
    pub(super) fn insert(&mut self, name: String, value: FieldText) {
        if !value.utf8 {
            self.not_utf8.push(name.clone());
        }
        self.fields.insert(name, value.text);
    }

    /// What the form says of fields that were not text: a message for each, by field.
    pub(super) fn edge_errors(&self, lang: Language) -> HashMap<String, String> {
        self.not_utf8
            .iter()
            .map(|name| (name.clone(), i18n::text(lang, "input-error-utf8")))
            .collect()
    }

    /// The attachments chosen (`attachment_<id>` fields), in a stable order.
    pub fn attachments(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .fields
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, _)| k.strip_prefix("attachment_"))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        ids.sort();
        ids
    }
}

/// A new form: a fresh idempotency key and the usual defaults.
pub(super) fn fresh_form() -> ComposeForm {
    let mut form = ComposeForm::default();
    for (k, v) in [
        ("idempotency_key", Uuid::now_v7().to_string()),
        ("language", "nb".to_owned()),
        ("send_reminder", "1".to_owned()),
        ("notification", "Email".to_owned()),
    ] {
        form.fields.insert(k.to_owned(), v);
    }
    form
}

/// The recipients typed in the form: one per line, or separated by commas or semicolons; on a
/// line of digits and spaces only, the spaces people type inside a number ("010190 12345",
/// "974 760 673") are kept together when that makes one number, else they separate numbers.
fn recipient_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split(['\n', ',', ';']) {
        let compact: String = piece.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            continue;
        }
        let digits_only = compact.bytes().all(|b| b.is_ascii_digit());
        if digits_only && matches!(compact.len(), 9 | 11) {
            out.push(compact);
        } else {
            out.extend(piece.split_whitespace().map(str::to_owned));
        }
    }
    out
}

/// The message the form describes. Recipients are typed one per line, or separated by commas,
/// semicolons or spaces; the one reply link and the one external reference count when either
/// of their two fields is filled in.
pub(super) fn new_message(form: &ComposeForm) -> NewMessage {
    let mut recipients = recipient_tokens(form.get("recipients"));
    recipients.dedup();
    let time = |name: &str| {
        Some(form.get(name).trim())
            .filter(|s| !s.is_empty())
            .map(|s| TimeInput::Typed(s.to_owned()))
    };
    let either =
        |a: &str, b: &str| !form.get(a).trim().is_empty() || !form.get(b).trim().is_empty();
    NewMessage {
        recipients,
        service_id: form.get("service").to_owned(),
        sender: None,
        senders_reference: form.get("senders_reference").to_owned(),
        display_sender: form.get("display_sender").to_owned(),
        language: form.get("language").to_owned(),
        title: form.get("title").to_owned(),
        summary: form.get("summary").to_owned(),
        body: form.get("body").to_owned(),
        publish_at: time("publish_at"),
        due_at: time("due_at"),
        confirmation_needed: form.checked("confirmation_needed"),
        reply_options: either("reply_url", "reply_text")
            .then(|| ReplyOption {
                url: form.get("reply_url").to_owned(),
                text: form.get("reply_text").to_owned(),
            })
            .into_iter()
            .collect(),
        external_references: either("ref_type", "ref_value")
            .then(|| ExternalReference {
                kind: form.get("ref_type").to_owned(),
                value: form.get("ref_value").to_owned(),
            })
            .into_iter()
            .collect(),
        properties: Vec::new(),
        notification: NotificationOrder {
            channel: form.get("notification").to_owned(),
            initial: NoticeTexts {
                email_subject: form.get("email_subject").to_owned(),
                email_body: form.get("email_body").to_owned(),
                sms: form.get("sms_text").to_owned(),
            },
            reminder: NoticeTexts::default(),
            send_reminder: form.checked("send_reminder"),
            sms_any_time: form.checked("sms_any_time"),
            reminder_channel: String::new(),
        },
        ignore_reservation: form.checked("ignore_reservation"),
        ignore_reservation_reason: form.get("ignore_reservation_reason").to_owned(),
        attachments: form.attachments(),
        idempotency_key: Some(form.get("idempotency_key").to_owned()).filter(|k| !k.is_empty()),
        allow_forwarding: false,
    }
}

/// The form's field for each part of the message (the form has one reply link and one
/// reference, and no reminder texts or properties of its own).
/// The fields of the compose and CSV forms in the order they appear, for the error summary.
pub(super) const FIELD_ORDER: &[&str] = &[
    "recipients_file",
    "recipients",
    "service",
    "senders_reference",
    "display_sender",
    "language",
    "title",
    "summary",
    "body",
    "publish_at",
    "due_at",
    "confirmation_needed",
    "reply_url",
    "reply_text",
    "ref_type",
    "ref_value",
    "properties",
    "notification",
    "email_subject",
    "email_body",
    "sms_text",
    "ignore_reservation",
    "ignore_reservation_reason",
    "new_attachment",
    "attachments",
    "send_anyway",
];

/// Fields shown as a group, and the element their summary line links to.
pub(super) const FIELD_ANCHORS: &[(&str, &str)] = &[("attachments", "new_attachment")];

/// The error summary of a compose or CSV form.
pub(super) fn error_items(errors: &HashMap<String, String>) -> Vec<SummaryItem> {
    crate::web::form::summary(errors, FIELD_ORDER, FIELD_ANCHORS)
}

fn form_field(field: Field) -> &'static str {
    match field {
        Field::Recipients | Field::Recipient(_) => "recipients",
        Field::Service => "service",
        Field::Sender => "service",
        Field::SendersReference => "senders_reference",
        Field::DisplaySender => "display_sender",
        Field::Language => "language",
        Field::Title => "title",
        Field::Summary => "summary",
        Field::Body => "body",
        Field::PublishAt => "publish_at",
        Field::DueAt => "due_at",
        Field::ReplyUrl(_) => "reply_url",
        Field::ReplyText(_) => "reply_text",
        Field::References | Field::Reference(_) => "ref_value",
        Field::Properties | Field::Property(_) => "properties",
        Field::NotificationChannel | Field::ReminderNotificationChannel => "notification",
        Field::EmailSubject | Field::ReminderEmailSubject => "email_subject",
        Field::EmailBody | Field::ReminderEmailBody => "email_body",
        Field::SmsText | Field::ReminderSmsText => "sms_text",
        Field::IgnoreReservationReason => "ignore_reservation_reason",
        Field::Attachments => "attachments",
        Field::IdempotencyKey => "idempotency_key",
    }
}

/// The problems as the form shows them: one message next to each field, in the user's
/// language. Recipients are named together: the invalid ones first, else the count, else those
/// not found.
pub(super) fn form_errors(problems: &[Problem], lang: Language) -> HashMap<String, String> {
    let mut errors = HashMap::new();
    for p in problems
        .iter()
        .filter(|p| !matches!(p.field, Field::Recipients | Field::Recipient(_)))
    {
        errors
            .entry(form_field(p.field).to_owned())
            .or_insert_with(|| p.text(lang));
    }
    let on_recipients = |key: &str| {
        problems
            .iter()
            .filter(|p| matches!(p.field, Field::Recipients | Field::Recipient(_)) && p.key == key)
            .collect::<Vec<_>>()
    };
    for key in [
        "compose-error-recipients-invalid",
        "compose-error-recipients-none",
        "compose-error-recipients-many",
        "compose-error-recipients-unknown",
    ] {
        let found = on_recipients(key);
        let Some(first) = found.first() else { continue };
        let list: Vec<&str> = found
            .iter()
            .flat_map(|p| {
                p.args
                    .iter()
                    .filter(|(n, _)| *n == "list")
                    .map(|(_, v)| v.as_str())
            })
            .collect();
        let mut args = first.args.clone();
        if !list.is_empty() {
            args.retain(|(n, _)| *n != "list");
            args.push(("list", list.join(", ")));
        }
        errors.insert("recipients".to_owned(), i18n::text_with(lang, key, &args));
        break;
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::recipient_tokens;

    #[test]
    fn numbers_typed_with_spaces_stay_whole() {
        assert_eq!(
            recipient_tokens("010190 12345\n974 760 673; 31129956715 974760673\r\n, ,"),
            ["01019012345", "974760673", "31129956715", "974760673"]
        );
    }
}
