//! `POST /correspondence`: one message to 1..500 recipients, checked by the same rules as the
//! compose form, sent in one transaction, idempotent on `idempotentKey`. The answer names, per
//! recipient, the message, its status, how many persons can read it and the notices queued,
//! so a sending system learns at once when nobody at a recipient can open its mail.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::attachments::Described;
use super::problem::Problem;
use super::sender::{as_owner, owner_of, party_urn};
use super::shapes::Extras;
use super::{WRITE, authenticate};
use crate::domain::Language;
use crate::sending::{
    self, Checked, Field, NewMessage, NoticeTexts, NotificationChannel, NotificationOrder, Outcome,
    Recipients, Sender, TimeInput,
};
use crate::state::AppState;
use crate::web::blocking;

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InitializeContent)]
pub struct Content {
    language: Option<String>,
    message_title: Option<String>,
    message_summary: Option<String>,
    message_body: Option<String>,
    /// Attachments of the message: files uploaded in the same multipart request
    /// (`NewCorrespondenceAttachment`, matched by `fileName`) or uploaded before
    /// (`ExistingCorrespondenceAttachment`, by `id`).
    #[serde(default)]
    attachments: Vec<InitializeAttachment>,
}

/// Where an attachment's bytes are, as Altinn names it.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = InitializeAttachmentDataLocationTypeExt)]
pub enum DataLocationType {
    /// In this request: a file part of `POST /correspondence/upload` with the same `fileName`.
    #[default]
    NewCorrespondenceAttachment,
    /// Uploaded before (`POST /attachment`), named by `id`.
    ExistingCorrespondenceAttachment,
    /// Altinn's external storage; melding keeps every file itself and refuses it.
    ExistingExternalStorage,
}

/// One attachment of `content.attachments` (Altinn's `InitializeCorrespondenceAttachmentExt`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InitializeCorrespondenceAttachmentExt)]
pub struct InitializeAttachment {
    file_name: Option<String>,
    display_name: Option<String>,
    #[serde(default)]
    is_encrypted: bool,
    /// MD5 of the file, hex; checked when the bytes arrive.
    checksum: Option<String>,
    senders_reference: Option<String>,
    id: Option<Uuid>,
    #[serde(default)]
    data_location_type: DataLocationType,
    expiration_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyOption {
    #[serde(rename = "linkURL")]
    link_url: String,
    link_text: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalReference {
    #[schema(value_type = super::shapes::ReferenceTypeExt)]
    reference_type: String,
    reference_value: String,
}

/// Altinn's notification channels, in Altinn's order (a client may send the number).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: the value is read as text by the sending rules
pub enum NotificationChannelExt {
    Email,
    Sms,
    EmailPreferred,
    SmsPreferred,
    EmailAndSms,
}

/// Altinn's notice templates: the sender's own texts, or Altinn's generic ones.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
pub enum NotificationTemplateExt {
    CustomMessage,
    GenericAltinnMessage,
    /// Altinn's template for mail migrated from Altinn 2: melding's generic texts.
    Altinn2Message,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Altinn requires it; melding takes the generic texts when it is missing.
    notification_template: Option<NotificationTemplateExt>,
    #[schema(value_type = Option<NotificationChannelExt>)]
    notification_channel: Option<String>,
    email_subject: Option<String>,
    email_body: Option<String>,
    sms_body: Option<String>,
    send_reminder: Option<bool>,
    reminder_email_subject: Option<String>,
    reminder_email_body: Option<String>,
    reminder_sms_body: Option<String>,
    /// SMS outside 09:00-17:00 (Europe/Oslo) too.
    send_any_time: Option<bool>,
    /// `Html`: the e-mail bodies are HTML, read as text (melding's e-mails have its own layout).
    email_content_type: Option<EmailContentType>,
    reminder_email_content_type: Option<EmailContentType>,
    /// The reminder's channel, when not the first notice's.
    #[schema(value_type = Option<NotificationChannelExt>)]
    reminder_notification_channel: Option<String>,
    #[allow(dead_code)]
    senders_reference: Option<String>,
    /// Accepted; the first notice goes at publishing (as Altinn's does by default).
    #[allow(dead_code)]
    requested_send_time: Option<DateTime<Utc>>,
    /// Addresses to notify beside (or, with `overrideRegisteredContactInformation`, instead
    /// of) the recipient's registered ones.
    #[serde(default)]
    custom_recipients: Vec<NotificationRecipient>,
    /// Altinn's older single custom recipient.
    custom_recipient: Option<NotificationRecipient>,
    /// Altinn's deprecated form: the first entry's recipients are used.
    #[serde(default)]
    custom_notification_recipients: Vec<CustomNotificationRecipient>,
    #[serde(default)]
    override_registered_contact_information: bool,
}

/// Altinn's e-mail content types.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
pub enum EmailContentType {
    Plain,
    Html,
}

/// An address to notify (Altinn's `NotificationRecipientExt`): melding takes `emailAddress`
/// and `mobileNumber`.
#[derive(Deserialize, Clone, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NotificationRecipientExt)]
pub struct NotificationRecipient {
    email_address: Option<String>,
    mobile_number: Option<String>,
    organization_number: Option<String>,
    national_identity_number: Option<String>,
    #[allow(dead_code)]
    is_reserved: Option<bool>,
}

/// Altinn's deprecated `CustomNotificationRecipientExt`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CustomNotificationRecipientExt)]
pub struct CustomNotificationRecipient {
    #[allow(dead_code)]
    recipient_to_override: Option<String>,
    #[serde(default)]
    recipients: Vec<NotificationRecipient>,
}

/// The custom notice recipients of a request, checked: addresses given, and parties (by
/// organisation number or national id) whose registered addresses are to be notified.
#[derive(Default)]
struct CustomNotices {
    email: Vec<(String, String)>,
    sms: Vec<(String, String)>,
    parties: Vec<String>,
    /// The notification channel, lower case.
    channel: String,
    replace: bool,
}

const CUSTOM_AT: &str = "correspondence.notification.customRecipients";

fn custom_notices(
    request: &SendRequest,
    test_ids: crate::domain::TestIds,
) -> Result<CustomNotices, Problem> {
    let Some(n) = &request.correspondence.notification else {
        return Ok(CustomNotices::default());
    };
    let listed = n.custom_recipients.iter().chain(&n.custom_recipient).chain(
        n.custom_notification_recipients
            .iter()
            .take(1)
            .flat_map(|c| &c.recipients),
    );
    let mut out = CustomNotices {
        channel: n
            .notification_channel
            .as_deref()
            .unwrap_or("Email")
            .to_ascii_lowercase(),
        replace: n.override_registered_contact_information,
        ..CustomNotices::default()
    };
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    for r in listed {
        let (email, mobile) = (given(&r.email_address), given(&r.mobile_number));
        let party = given(&r.organization_number).or(given(&r.national_identity_number));
        // As Altinn: exactly one identifier per custom recipient.
        let named = [email.is_some(), mobile.is_some(), party.is_some()];
        if named.iter().filter(|n| **n).count() != 1 {
            return Err(Problem::field(
                CUSTOM_AT,
                "give each custom recipient exactly one of emailAddress, mobileNumber, organizationNumber or nationalIdentityNumber",
            ));
        }
        if let Some(a) = email {
            if a.chars().count() > 254 || a.parse::<lettre::Address>().is_err() {
                return Err(Problem::field(CUSTOM_AT, "is not an e-mail address").altinn(3011));
            }
            out.email.push(("email".to_owned(), a));
        }
        if let Some(m) = mobile {
            let m: String = m.chars().filter(|c| *c != ' ').collect();
            let digits = m.strip_prefix('+').unwrap_or(&m);
            if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Problem::field(CUSTOM_AT, "is not a mobile number").altinn(3012));
            }
            out.sms.push(("sms".to_owned(), m));
        }
        if let Some(p) = party {
            let parsed = crate::domain::PartyRef::parse(&p, test_ids).map_err(|_| {
                Problem::field(CUSTOM_AT, "is not an organisation number or a national id")
            })?;
            out.parties.push(parsed.number().to_owned());
        }
    }
    Ok(out)
}

impl CustomNotices {
    /// The addresses to notify as `(channel, address)`, the named parties' registered ones
    /// looked up, chosen by the notification channel as the recipient's are; and whether they
    /// replace the recipient's registered addresses.
    fn resolve(
        mut self,
        conn: &mut PgConnection,
    ) -> Result<(Vec<(String, String)>, bool), Problem> {
        if !self.parties.is_empty() {
            let found = sending::find_parties(conn, &self.parties)?;
            if found.iter().any(Option::is_none) {
                return Err(Problem::field(
                    CUSTOM_AT,
                    "names a party that does not exist",
                ));
            }
            let ids: Vec<i64> = found.into_iter().flatten().collect();
            #[derive(QueryableByName)]
            struct Address {
                #[diesel(sql_type = Text)]
                channel: String,
                #[diesel(sql_type = Text)]
                address: String,
            }
            let registered: Vec<Address> = diesel::sql_query(
                "SELECT 'email' AS channel, cp.email AS address FROM contact_points cp \
                 WHERE cp.person_id = ANY ($1) AND cp.email IS NOT NULL AND NOT cp.is_reserved \
                 UNION ALL SELECT 'sms', cp.mobile FROM contact_points cp \
                 WHERE cp.person_id = ANY ($1) AND cp.mobile IS NOT NULL AND NOT cp.is_reserved \
                 UNION ALL SELECT a.channel, a.address FROM org_notification_addresses a \
                 WHERE a.org_id = ANY ($1)",
            )
            .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
            .load(conn)?;
            for a in registered {
                match a.channel.as_str() {
                    "email" => self.email.push((a.channel, a.address)),
                    "sms" => self.sms.push((a.channel, a.address)),
                    _ => {}
                }
            }
        }
        let (email, sms) = (self.email, self.sms);
        let chosen = match self.channel.as_str() {
            "sms" => sms,
            "emailandsms" => email.into_iter().chain(sms).collect(),
            "smspreferred" if !sms.is_empty() => sms,
            "smspreferred" => email,
            "emailpreferred" if email.is_empty() => sms,
            _ => email,
        };
        if self.replace && chosen.is_empty() {
            return Err(Problem::field(
                "correspondence.notification.overrideRegisteredContactInformation",
                "needs a custom recipient with an address on the notification channel",
            ));
        }
        Ok((chosen, self.replace))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Correspondence {
    resource_id: String,
    sender: Option<String>,
    senders_reference: String,
    message_sender: Option<String>,
    #[serde(default)]
    content: Content,
    requested_publish_time: Option<DateTime<Utc>>,
    due_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    is_confirmation_needed: bool,
    #[serde(default)]
    reply_options: Vec<ReplyOption>,
    #[serde(default)]
    external_references: Vec<ExternalReference>,
    notification: Option<Notification>,
    #[serde(default)]
    ignore_reservation: bool,
    /// Required with `ignoreReservation` (it is logged with the send).
    ignore_reservation_reason: Option<String>,
    /// melding's place of old for `existingAttachments` (Altinn's is beside `recipients`).
    #[serde(default)]
    existing_attachments: Vec<Uuid>,
    /// The sender's own name-value pairs, stored with the message and returned with it.
    #[serde(default)]
    property_list: BTreeMap<String, String>,
    /// Altinn's flag; when given it must say what the service says.
    is_confidential: Option<bool>,
    /// The recipients may forward the message by e-mail (`POST /correspondence/{id}/forward`).
    #[serde(default)]
    allow_forwarding: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendRequest {
    correspondence: Correspondence,
    recipients: Vec<String>,
    /// Attachments uploaded before (`POST /attachment`), sent with this message.
    #[serde(default)]
    existing_attachments: Vec<Uuid>,
    idempotent_key: Option<String>,
}

/// A notice as melding queued it (an extra, with `?melding=true`).
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct NoticeOut {
    kind: String,
    channel: String,
    status: String,
}

/// Altinn's outcome of ordering a message's notices.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // `Failure` is Altinn's, for an order that failed; melding's orders are rows
pub enum InitializedNotificationStatusExt {
    Success,
    MissingContact,
    Failure,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct InitializedCorrespondencesNotificationsExt {
    order_id: Uuid,
    is_reminder: bool,
    status: InitializedNotificationStatusExt,
}

/// One message made (Altinn's `InitializedCorrespondencesExt`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct InitializedCorrespondencesExt {
    correspondence_id: Uuid,
    #[schema(value_type = String)]
    status: String,
    recipient: String,
    notifications: Vec<InitializedCorrespondencesNotificationsExt>,
    /// melding (with `?melding=true`): how many persons can open it now; 0 means nobody at the
    /// recipient can read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    readers: Option<i64>,
    /// melding (with `?melding=true`): each notice queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    notices: Option<Vec<NoticeOut>>,
}

/// The answer of a send (Altinn's `InitializeCorrespondencesResponseExt`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct InitializeCorrespondencesResponseExt {
    correspondences: Vec<InitializedCorrespondencesExt>,
    attachment_ids: Vec<Uuid>,
}

impl SendRequest {
    /// The message this request describes.
    fn new_message(self) -> NewMessage {
        let c = self.correspondence;
        let mut n = c.notification.unwrap_or_default();
        let text = |t: Option<String>| t.unwrap_or_default();
        // Altinn's generic template: the service's or the generic texts, whatever was given.
        if matches!(
            n.notification_template,
            Some(
                NotificationTemplateExt::GenericAltinnMessage
                    | NotificationTemplateExt::Altinn2Message
            )
        ) {
            n.email_subject = None;
            n.email_body = None;
            n.sms_body = None;
            n.reminder_email_subject = None;
            n.reminder_email_body = None;
            n.reminder_sms_body = None;
        }
        // HTML bodies become text: melding's notices have their own layout for every sender.
        let html = Some(EmailContentType::Html);
        if n.email_content_type == html {
            n.email_body = n.email_body.as_deref().map(html_to_text);
        }
        if n.reminder_email_content_type == html {
            n.reminder_email_body = n.reminder_email_body.as_deref().map(html_to_text);
        }
        NewMessage {
            recipients: self.recipients,
            service_id: c.resource_id,
            sender: c.sender,
            senders_reference: c.senders_reference,
            display_sender: text(c.message_sender),
            language: text(c.content.language),
            title: text(c.content.message_title),
            summary: text(c.content.message_summary),
            body: text(c.content.message_body),
            publish_at: c.requested_publish_time.map(TimeInput::At),
            due_at: c.due_date_time.map(TimeInput::At),
            confirmation_needed: c.is_confirmation_needed,
            reply_options: c
                .reply_options
                .into_iter()
                .map(|r| sending::ReplyOption {
                    url: r.link_url,
                    text: r.link_text,
                })
                .collect(),
            external_references: c
                .external_references
                .into_iter()
                .map(|r| sending::ExternalReference {
                    kind: r.reference_type,
                    value: r.reference_value,
                })
                .collect(),
            properties: c.property_list.into_iter().collect(),
            notification: NotificationOrder {
                channel: n
                    .notification_channel
                    .unwrap_or_else(|| NotificationChannel::Email.name().to_owned()),
                initial: NoticeTexts {
                    email_subject: text(n.email_subject),
                    email_body: text(n.email_body),
                    sms: text(n.sms_body),
                },
                reminder: NoticeTexts {
                    email_subject: text(n.reminder_email_subject),
                    email_body: text(n.reminder_email_body),
                    sms: text(n.reminder_sms_body),
                },
                send_reminder: n.send_reminder.unwrap_or(true),
                sms_any_time: n.send_any_time.unwrap_or(false),
                reminder_channel: n.reminder_notification_channel.unwrap_or_default(),
            },
            ignore_reservation: c.ignore_reservation,
            allow_forwarding: c.allow_forwarding,
            // Altinn's clients give no reason; melding keeps that none was given.
            ignore_reservation_reason: match c.ignore_reservation_reason {
                Some(reason) if !reason.trim().is_empty() => reason,
                _ if c.ignore_reservation => "(no reason given)".to_owned(),
                _ => String::new(),
            },
            attachments: {
                let mut ids = self.existing_attachments;
                let named = c.content.attachments.iter().filter_map(|a| a.id);
                for id in c.existing_attachments.into_iter().chain(named) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                ids
            },
            idempotency_key: self.idempotent_key,
        }
    }
}

/// The text of an HTML fragment: tags (and scripts and styles with their content) removed,
/// paragraphs, line breaks, list items and headings as line breaks, entities decoded.
fn html_to_text(html: &str) -> String {
    let mut marked = html.to_owned();
    for tag in [
        "<br>", "<br/>", "<br />", "</p>", "</div>", "</li>", "</h1>", "</h2>", "</h3>", "</h4>",
        "</tr>",
    ] {
        marked = replace_ignore_case(&marked, tag, &format!("{tag}\n"));
    }
    let text = ammonia::Builder::empty().clean(&marked).to_string();
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let lines: Vec<&str> = decoded.lines().map(str::trim).collect();
    lines.join("\n").trim().to_owned()
}

fn replace_ignore_case(text: &str, from: &str, to: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(i) = lower[at..].find(from) {
        out.push_str(&text[at..at + i]);
        out.push_str(to);
        at += i + from.len();
    }
    out.push_str(&text[at..]);
    out
}

/// The request's JSON path for each part of the message.
fn json_path(field: Field) -> String {
    let c = "correspondence";
    match field {
        Field::Recipients => "recipients".to_owned(),
        Field::Recipient(i) => format!("recipients[{i}]"),
        Field::Service => format!("{c}.resourceId"),
        Field::Sender => format!("{c}.sender"),
        Field::SendersReference => format!("{c}.sendersReference"),
        Field::DisplaySender => format!("{c}.messageSender"),
        Field::Language => format!("{c}.content.language"),
        Field::Title => format!("{c}.content.messageTitle"),
        Field::Summary => format!("{c}.content.messageSummary"),
        Field::Body => format!("{c}.content.messageBody"),
        Field::PublishAt => format!("{c}.requestedPublishTime"),
        Field::DueAt => format!("{c}.dueDateTime"),
        Field::ReplyUrl(i) => format!("{c}.replyOptions[{i}].linkURL"),
        Field::ReplyText(i) => format!("{c}.replyOptions[{i}].linkText"),
        Field::References => format!("{c}.externalReferences"),
        Field::Reference(i) => format!("{c}.externalReferences[{i}]"),
        Field::Properties | Field::Property(_) => format!("{c}.propertyList"),
        Field::NotificationChannel => format!("{c}.notification.notificationChannel"),
        Field::ReminderNotificationChannel => {
            format!("{c}.notification.reminderNotificationChannel")
        }
        Field::EmailSubject => format!("{c}.notification.emailSubject"),
        Field::EmailBody => format!("{c}.notification.emailBody"),
        Field::SmsText => format!("{c}.notification.smsBody"),
        Field::ReminderEmailSubject => format!("{c}.notification.reminderEmailSubject"),
        Field::ReminderEmailBody => format!("{c}.notification.reminderEmailBody"),
        Field::ReminderSmsText => format!("{c}.notification.reminderSmsBody"),
        Field::IgnoreReservationReason => format!("{c}.ignoreReservationReason"),
        Field::Attachments => format!("{c}.existingAttachments"),
        Field::IdempotencyKey => "idempotentKey".to_owned(),
    }
}

/// Altinn's number for a problem of the sending rules, where Altinn has one.
fn altinn_code(key: &str) -> Option<u32> {
    Some(match key {
        "compose-error-title" => 1020,
        "compose-error-body" => 1021,
        "compose-error-language" => 1023,
        "compose-error-due-past" => 1008,
        "compose-error-due-before-publish" => 1009,
        "compose-error-due-needed" => 1016,
        "compose-error-recipients-unknown" => 1029,
        "compose-error-idempotency-key" => 1033,
        "compose-error-reply-url" => 1035,
        "compose-error-service" => 1036,
        "attachment-error-many" => 1038,
        "compose-error-display-sender" => 1039,
        "compose-error-summary" => 1042,
        _ => return None,
    })
}

/// The problems as the API names them: by JSON path, in English, with Altinn's number of the
/// first that has one. Recipients that do not exist, and nothing else, are 404 as in Altinn.
fn problem_of(problems: &[sending::Problem]) -> Problem {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in problems {
        errors
            .entry(json_path(p.field))
            .or_default()
            .push(p.text(Language::En));
    }
    let mut problem = Problem::invalid(errors);
    if let Some(code) = problems.iter().find_map(|p| altinn_code(p.key)) {
        problem = problem.altinn(code);
    }
    if problems
        .iter()
        .all(|p| p.key == "compose-error-recipients-unknown")
    {
        problem = problem.with_status(404);
    }
    problem
}

/// `POST /correspondence`
#[utoipa::path(post, path = "/correspondence", tag = "sender", request_body = SendRequest,
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = InitializeCorrespondencesResponseExt, description = "Sent"),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "The idempotentKey was used before (Altinn's problem 1034); nothing new was sent"),
              (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/correspondence")]
pub async fn initialize(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
    extras: web::Query<Extras>,
) -> Result<HttpResponse, Problem> {
    let caller = authenticate(&req, WRITE).await?;
    let request = super::binding::bind(body.into_inner(), "SendRequest", "body")?;
    send_request(&state, caller, request, extras.melding).await
}

/// `POST /correspondence/upload`: the same request as the multipart part `request` (JSON),
/// followed by the files as parts named `attachments`, each streamed to storage and attached.
#[utoipa::path(post, path = "/correspondence/upload", tag = "sender",
    request_body(content_type = "multipart/form-data",
        description = "A part `request` with the JSON of POST /correspondence, then one part `attachments` per file"),
    security(("maskinporten" = ["altinn:correspondence.write"])),
    responses((status = 200, body = InitializeCorrespondencesResponseExt), (status = 409, body = Problem, content_type = "application/problem+json"), (status = "4XX", body = Problem, content_type = "application/problem+json"), (status = "5XX", body = Problem, content_type = "application/problem+json")))]
#[post("/correspondence/upload")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
    extras: web::Query<Extras>,
) -> Result<HttpResponse, Problem> {
    use futures_util::TryStreamExt;
    let caller = authenticate(&req, WRITE).await?;
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let bad = |e: actix_multipart::MultipartError| Problem::field("body", e.to_string());
    let mut request: Option<SendRequest> = None;
    // Altinn's form: every field in dot notation (`correspondence.content.messageTitle`).
    let mut form = super::binding::Form::default();
    let mut stored = Vec::new();
    let storage = &state.storage;
    // The owner the files belong to: the service's, so the `request` part goes first.
    let mut owner: Option<i64> = None;
    let outcome = async {
        while let Some(mut field) = parts.try_next().await.map_err(bad)? {
            match field.name().unwrap_or_default() {
                "request" => {
                    let part = crate::web::multipart::text_field(&mut field, "request").await?;
                    if !part.utf8 {
                        return Err(Problem::field("request", "is not UTF-8"));
                    }
                    let value: serde_json::Value = serde_json::from_str(&part.text)
                        .map_err(|e| Problem::field("request", e.to_string()))?;
                    request = Some(super::binding::bind(value, "SendRequest", "request")?);
                }
                "attachments" => {
                    let name = field
                        .content_disposition()
                        .and_then(|d| d.get_filename())
                        .unwrap_or_default()
                        .to_owned();
                    let at = format!("attachments[{}]", stored.len());
                    let owner = match owner {
                        Some(o) => o,
                        None => {
                            let pool = state.pool.clone();
                            let caller = caller.clone();
                            let resource = resource_of(&request, &form);
                            let found = blocking(move || {
                                Ok(owner_of(&mut *pool.get()?, &caller, resource.as_deref()))
                            })
                            .await??
                            .id;
                            *owner.insert(found)
                        }
                    };
                    let file = crate::sending::attachments::store(
                        &state.pool,
                        storage,
                        owner,
                        None,
                        &name,
                        &mut field,
                    )
                    .await
                    .map_err(|e| Problem::field(&at, e.to_string()))?;
                    stored.push((name, file));
                }
                other => {
                    let name = other.to_owned();
                    let part = crate::web::multipart::text_field(&mut field, &name).await?;
                    if !part.utf8 {
                        return Err(Problem::field(&name, "is not UTF-8"));
                    }
                    form.insert(&name, part.text)?;
                }
            }
        }
        let mut request: SendRequest = match request {
            Some(request) => request,
            None if !form.is_empty() => super::binding::bind_form(&form, "SendRequest")?,
            None => {
                return Err(Problem::field(
                    "request",
                    "give the request as the JSON part `request` or as fields in dot notation",
                ));
            }
        };
        // Each file goes to the entry of `content.attachments` that names it.
        let pool = state.pool.clone();
        let files = stored.clone();
        let (mut request, loose) = blocking(move || {
            use crate::db::schema::attachments;
            let mut conn = pool.get()?;
            // Made for the message's service, as Altinn's overview of them says.
            let ids: Vec<Uuid> = files.iter().map(|(_, f)| f.id).collect();
            if !ids.is_empty() {
                diesel::update(attachments::table.filter(attachments::id.eq_any(&ids)))
                    .set(attachments::resource_id.eq(&request.correspondence.resource_id))
                    .execute(&mut conn)?;
            }
            let loose = match_files(&mut conn, &mut request, &files);
            Ok((request, loose))
        })
        .await?;
        let loose = loose?;
        request.correspondence.existing_attachments.extend(loose);
        send_request(&state, caller, request, extras.melding).await
    }
    .await;
    if outcome.is_err() && !stored.is_empty() {
        // Files of a request that was not sent are not kept.
        let pool = state.pool.clone();
        let ids: Vec<Uuid> = stored.iter().map(|(_, f)| f.id).collect();
        let keys: Vec<String> = blocking(move || {
            use crate::db::schema::attachments;
            Ok(
                diesel::update(attachments::table.filter(attachments::id.eq_any(&ids)))
                    .set(attachments::state.eq("purged"))
                    .returning(attachments::storage_key)
                    .get_results(&mut *pool.get()?)?,
            )
        })
        .await
        .unwrap_or_default();
        for key in keys {
            let _ = storage.delete(&key).await;
        }
    }
    outcome
}

/// The service a multipart request names so far (its JSON part, or its dot-notation field).
fn resource_of(request: &Option<SendRequest>, form: &super::binding::Form) -> Option<String> {
    request
        .as_ref()
        .map(|r| r.correspondence.resource_id.clone())
        .or_else(|| form.text_at("SendRequest", "/correspondence/resourceId"))
}

/// Checks and sends one request (JSON, or the multipart variant's request part).
async fn send_request(
    state: &AppState,
    caller: super::Caller,
    request: SendRequest,
    extras: bool,
) -> Result<HttpResponse, Problem> {
    let later = check_attachment_entries(&request.correspondence.content.attachments)?;
    let custom = custom_notices(&request, state.config.test_ids)?;
    let test_ids = state.config.test_ids;
    let resource = Some(request.correspondence.resource_id.clone());
    let confidential = request.correspondence.is_confidential;
    let message = request.new_message();
    let mut attachment_ids = message.attachments.clone();
    let (correspondences, later_ids) = as_owner(state, caller, resource, move |conn, owner| {
        // Altinn's `isConfidential` must match the service (the service decides who reads).
        if let Some(claimed) = confidential {
            use crate::db::schema::services;
            let actual: Option<bool> = services::table
                .find(&message.service_id)
                .select(services::is_confidential)
                .first(conn)
                .optional()?;
            if actual.is_some_and(|actual| actual != claimed) {
                return Err(Problem::field(
                    "correspondence.isConfidential",
                    if claimed {
                        "the service is not confidential"
                    } else {
                        "the service is confidential: its mail is read only with the confidential package or by delegation"
                    },
                ));
            }
        }
        let sender = Sender {
            owner: &owner,
            person: None,
            channel: "api",
            test_ids,
            recipients: Recipients::Listed,
        };
        let Checked {
            mut draft,
            recipients,
        } = message.check(conn, &sender)?.map_err(|p| problem_of(&p))?;
        if draft.attachments.len() + later.len() > crate::sending::message::MAX_ATTACHMENTS {
            return Err(Problem::field(
                "correspondence.content.attachments",
                format!(
                    "at most {} attachments in all",
                    crate::sending::message::MAX_ATTACHMENTS
                ),
            )
            .altinn(1038));
        }
        let checks = sending::preflight(conn, &draft.service_id, &recipients)?;
        let ignore = draft.ignore_reservation_reason.is_some();
        // As Altinn: one recipient who is reserved is refused (nothing is made) unless the
        // reservation is ignored; among several, the reserved get the status Reserved.
        if let [only] = checks.as_slice()
            && only.outcome(ignore) == Outcome::Reserved
        {
            return Err(Problem::field(
                "recipients[0]",
                format!(
                    "Recipient {} has reserved themselves from public correspondences. Can be overridden using the 'IgnoreReservation' flag",
                    message_recipient(&message, 0)
                ),
            )
            .with_status(422)
            .altinn(1030));
        }
        let (custom, replace) = custom.resolve(conn)?;
        let (sent, later_ids) = conn.transaction(|conn| {
            // New attachments whose bytes come later: the messages wait for them.
            let later_ids = later
                .iter()
                .map(|d| d.record(conn, owner.id, Some(&draft.service_id)))
                .collect::<QueryResult<Vec<Uuid>>>()?;
            draft.attachments.extend(later_ids.iter().copied());
            let sent = if later_ids.is_empty() {
                sending::send(conn, &draft, &recipients)?
            } else {
                sending::send_held(conn, &draft, &recipients)?
            };
            if !sent.created {
                // As Altinn: the key was used before; nothing of this request is kept.
                return Err(Problem::duplicate_key());
            }
            if !custom.is_empty() || replace {
                sending::custom_notices(conn, sent.sending_id, &custom, replace)?;
            }
            Ok::<_, Problem>((sent, later_ids))
        })?;
        let mut entry = crate::audit::Entry::new("correspondence_sent_api");
        entry.acting_for = Some(owner.id);
        entry.target = Some(("sending", sent.sending_id.to_string()));
        entry.details = serde_json::json!({
            "recipients": recipients.len(),
            "created": sent.created,
            "ignore_reservation": ignore,
            "nobody_can_read": checks.iter().filter(|p| p.outcome(ignore) == Outcome::NobodyCanRead).count(),
        });
        crate::audit::record(conn, entry)?;
        let readers: HashMap<i64, i64> = checks.iter().map(|p| (p.party_id, p.readers)).collect();
        let correspondences = results(conn, sent.sending_id, &readers, extras)?;
        Ok((correspondences, later_ids))
    })
    .await?;
    attachment_ids.extend(later_ids);
    Ok(
        HttpResponse::Ok().json(InitializeCorrespondencesResponseExt {
            correspondences,
            attachment_ids,
        }),
    )
}

/// `content.attachments` as a send can take them: attachments uploaded before (by `id`), and
/// new ones whose bytes come later (`POST /attachment/{id}/upload`), checked here and returned
/// (a multipart request's files have been matched and uploaded by now, and named by id).
fn check_attachment_entries(entries: &[InitializeAttachment]) -> Result<Vec<Described>, Problem> {
    let mut later = Vec::new();
    for (i, a) in entries.iter().enumerate() {
        let at = format!("correspondence.content.attachments[{i}]");
        match a.data_location_type {
            DataLocationType::ExistingExternalStorage => {
                return Err(Problem::field(
                    &format!("{at}.dataLocationType"),
                    "external storage is not offered: upload the file (POST /attachment, or as a file part of POST /correspondence/upload)",
                ));
            }
            DataLocationType::NewCorrespondenceAttachment if a.id.is_none() => {
                later.push(Described::check(
                    &at,
                    a.file_name.as_deref().unwrap_or_default(),
                    a.display_name.clone(),
                    a.senders_reference.clone(),
                    a.checksum.clone(),
                    a.is_encrypted,
                )?);
            }
            DataLocationType::ExistingCorrespondenceAttachment if a.id.is_none() => {
                return Err(Problem::field(
                    &format!("{at}.id"),
                    "name the attachment uploaded before by its id",
                ));
            }
            _ => {}
        }
    }
    Ok(later)
}

/// The new attachments of `content.attachments` given the files of a multipart request, by
/// file name as Altinn matches them: each entry takes the first file of its name not yet
/// taken, its checksum is checked and its metadata kept. Every file must be named by an entry
/// (unless no entry names new files: melding's own form attaches them all).
fn match_files(
    conn: &mut PgConnection,
    request: &mut SendRequest,
    files: &[(String, crate::sending::attachments::Stored)],
) -> Result<Vec<Uuid>, Problem> {
    use crate::db::schema::attachments;
    let entries = &mut request.correspondence.content.attachments;
    let new = |a: &InitializeAttachment| {
        a.data_location_type == DataLocationType::NewCorrespondenceAttachment && a.id.is_none()
    };
    if !entries.iter().any(new) {
        return Ok(files.iter().map(|(_, f)| f.id).collect());
    }
    let mut taken = vec![false; files.len()];
    for (i, a) in entries.iter_mut().enumerate() {
        if !new(a) {
            continue;
        }
        let at = format!("correspondence.content.attachments[{i}]");
        let name = a.file_name.clone().unwrap_or_default();
        let Some(k) = (0..files.len()).find(|&k| !taken[k] && files[k].0 == name) else {
            return Err(Problem::field(
                &format!("{at}.fileName"),
                format!("no file part of the request has the file name {name:?}"),
            )
            .altinn(1005));
        };
        taken[k] = true;
        let file = &files[k].1;
        if let Some(sum) = a
            .checksum
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            && !sum.eq_ignore_ascii_case(&file.md5)
        {
            return Err(Problem::field(
                &format!("{at}.checksum"),
                "the uploaded bytes do not match the MD5 checksum",
            )
            .altinn(2008));
        }
        // The file name is the file part's, checked when it was stored.
        super::attachments::check_labels(
            &at,
            a.display_name.as_deref(),
            a.senders_reference.as_deref(),
        )?;
        diesel::update(attachments::table.find(file.id))
            .set((
                attachments::display_name.eq(&a.display_name),
                attachments::is_encrypted.eq(a.is_encrypted),
                attachments::senders_reference.eq(&a.senders_reference),
                attachments::sender_md5
                    .eq(a.checksum.as_ref().map(|c| c.trim().to_ascii_lowercase())),
                attachments::expires_at.eq(a.expiration_time),
            ))
            .execute(conn)?;
        a.id = Some(file.id);
        a.data_location_type = DataLocationType::ExistingCorrespondenceAttachment;
    }
    if let Some(k) = taken.iter().position(|t| !t) {
        return Err(Problem::field(
            &format!("attachments[{k}]"),
            format!(
                "the file {:?} is not named by any entry of correspondence.content.attachments",
                files[k].0
            ),
        )
        .altinn(1005));
    }
    Ok(Vec::new())
}

/// The messages of a send with their notice orders (and melding's readers and notices).
/// `readers` comes from the preflight (how many persons can read for each recipient party).
fn results(
    conn: &mut PgConnection,
    sending: Uuid,
    readers: &HashMap<i64, i64>,
    extras: bool,
) -> QueryResult<Vec<InitializedCorrespondencesExt>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        recipient: String,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        recipient_id: i64,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        notices: serde_json::Value,
    }
    let rows: Vec<Row> = diesel::sql_query(
        concat!("SELECT c.id, ", party_urn!(), " AS recipient, \
                c.status, c.recipient_id, \
                coalesce((SELECT jsonb_agg(jsonb_build_object('kind', n.kind, 'channel', n.channel, 'status', n.state) \
                                           ORDER BY n.kind, n.channel, n.id) \
                          FROM notifications n WHERE n.correspondence_id = c.id AND n.state <> 'cancelled'), '[]') AS notices \
         FROM correspondences c JOIN parties p ON p.id = c.recipient_id \
         WHERE c.sending_id = $1 ORDER BY c.created_at, c.id"),
    )
    .bind::<SqlUuid, _>(sending)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let notices: Vec<NoticeOut> = serde_json::from_value(r.notices).unwrap_or_default();
            let has = |kind: &str| notices.iter().any(|n| n.kind == kind);
            // The first notice's order is missing its contact when nothing could be queued; a
            // message waiting for its attachments has no order yet (it is made at publishing).
            let mut notifications = Vec::new();
            if r.status != "Initialized" {
                notifications.push(InitializedCorrespondencesNotificationsExt {
                    order_id: super::shapes::order_id(r.id, false),
                    is_reminder: false,
                    status: if has("initial") {
                        InitializedNotificationStatusExt::Success
                    } else {
                        InitializedNotificationStatusExt::MissingContact
                    },
                });
            }
            if has("reminder") {
                notifications.push(InitializedCorrespondencesNotificationsExt {
                    order_id: super::shapes::order_id(r.id, true),
                    is_reminder: true,
                    status: InitializedNotificationStatusExt::Success,
                });
            }
            InitializedCorrespondencesExt {
                correspondence_id: r.id,
                status: super::shapes::status_name(&r.status).to_owned(),
                recipient: r.recipient,
                notifications,
                readers: extras.then(|| readers.get(&r.recipient_id).copied().unwrap_or(0)),
                notices: extras.then_some(notices),
            }
        })
        .collect())
}

/// The recipient as the request named it (for a problem's text).
fn message_recipient(message: &NewMessage, i: usize) -> &str {
    message.recipients.get(i).map_or("", |r| r.trim())
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn html_bodies_are_read_as_text() {
        assert_eq!(
            html_to_text(
                "<P>Hei &amp; velkommen,<BR>du har <b>post</b>.</p><script>alert(1)</script><ul><li>Én</li><li>To &lt;3</li></ul>"
            ),
            "Hei & velkommen,\ndu har post.\nÉn\nTo <3"
        );
        assert_eq!(html_to_text("Bare tekst"), "Bare tekst");
    }
}
