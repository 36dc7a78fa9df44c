//! The answers of the Altinn-compatible surface, member for member as Altinn 3 Correspondence
//! writes them (`CorrespondenceOverviewExt`, `CorrespondenceDetailsExt`, ...), so that its
//! clients read melding's answers unchanged. melding's extras (how many persons can read a
//! message, its notices in full, search overviews with a cursor) are members added only when the
//! client asks with `?melding=true`: Altinn's schemas allow no members beyond their own.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sender::Row;
use crate::domain::Status;

/// `?melding=true`: melding's extra members in the answer.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Extras {
    /// Adds melding's members to Altinn's answer (readers, notices in full, search overviews).
    #[serde(default)]
    pub melding: bool,
}

/// Altinn's name of a status (melding's `PurgedByService` is Altinn's `PurgedByAltinn`).
pub(super) fn status_name(status: &str) -> &str {
    match status {
        "PurgedByService" => "PurgedByAltinn",
        other => other,
    }
}

/// Altinn's reference types, in its order (a client may send the number).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: the value is read as text
pub enum ReferenceTypeExt {
    Generic,
    AltinnAppInstance,
    AltinnBrokerFileTransfer,
    DialogportenDialogId,
    DialogportenProcessId,
}

const REFERENCE_TYPES: [&str; 5] = [
    "Generic",
    "AltinnAppInstance",
    "AltinnBrokerFileTransfer",
    "DialogportenDialogId",
    "DialogportenProcessId",
];

/// Altinn's statuses, in its order (as a client may send them in a search).
pub(super) fn status_from_altinn(text: &str) -> Option<Status> {
    let text = text.trim();
    let named = if text.eq_ignore_ascii_case("PurgedByAltinn") {
        "PurgedByService"
    } else {
        text
    };
    Status::ALL
        .iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(named))
        .or_else(|| text.parse::<usize>().ok().and_then(|i| Status::ALL.get(i)))
        .copied()
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalReferenceExt {
    reference_value: String,
    #[schema(value_type = ReferenceTypeExt)]
    reference_type: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceReplyOptionExt {
    #[serde(rename = "linkURL")]
    link_url: String,
    link_text: Option<String>,
}

/// An attachment of a message (Altinn's `CorrespondenceAttachmentExt`).
#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceAttachmentExt {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    file_name: String,
    #[diesel(sql_type = Text)]
    display_name: String,
    #[diesel(sql_type = Bool)]
    is_encrypted: bool,
    /// MD5 as the sender gave it, else none.
    #[diesel(sql_type = Nullable<Text>)]
    checksum: Option<String>,
    #[diesel(sql_type = Text)]
    senders_reference: String,
    #[diesel(sql_type = Text)]
    data_location_type: String,
    #[diesel(sql_type = Timestamptz)]
    created: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    status_text: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    status_changed: DateTime<Utc>,
    /// When the sender gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expiration_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    data_type: Option<String>,
}

/// Altinn's attachment status of melding's attachment state (SQL over `attachments a`).
const ATTACHMENT_STATUS: &str = "CASE a.state WHEN 'initialized' THEN 'Initialized' \
     WHEN 'uploading' THEN 'UploadProcessing' WHEN 'published' THEN 'Published' \
     WHEN 'purged' THEN 'Purged' ELSE 'Failed' END";

/// What Altinn's attachment shapes share, as columns of `attachments a`.
fn attachment_columns() -> String {
    format!(
        "a.name AS file_name, coalesce(a.display_name, a.name) AS display_name, a.is_encrypted, \
         a.sender_md5 AS checksum, coalesce(a.senders_reference, '') AS senders_reference, \
         {ATTACHMENT_STATUS} AS status, NULL::text AS status_text, \
         coalesce(a.uploaded_at, a.created_at) AS status_changed, a.media_type AS data_type, \
         a.created_at AS created"
    )
}

/// The attachments of one message, in their order.
pub(super) fn attachments_of(
    conn: &mut PgConnection,
    id: Uuid,
) -> QueryResult<Vec<CorrespondenceAttachmentExt>> {
    diesel::sql_query(format!(
        "SELECT a.id, {}, 'AltinnCorrespondenceAttachment' AS data_location_type, \
                CASE WHEN a.state = 'published' THEN a.expires_at END AS expiration_time \
         FROM correspondence_attachments ca JOIN attachments a ON a.id = ca.attachment_id \
         WHERE ca.correspondence_id = $1 ORDER BY ca.position",
        attachment_columns()
    ))
    .bind::<SqlUuid, _>(id)
    .load(conn)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceContentExt {
    language: String,
    message_title: String,
    message_summary: Option<String>,
    /// The body (Markdown) for the recipient's system; none for the sender: once sent, the
    /// mail is the recipient's.
    message_body: Option<String>,
    /// None in search overviews (ask for the message).
    attachments: Option<Vec<CorrespondenceAttachmentExt>>,
}

/// A notice order of a message: the first notice or the reminder (Altinn's
/// `CorrespondenceNotificationOverview`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceNotificationOverview {
    /// melding's id of the order: the message's id with its last byte marking the kind.
    notification_order_id: Uuid,
    is_reminder: bool,
}

/// The id melding gives a message's notice order of one kind.
pub(super) fn order_id(correspondence: Uuid, reminder: bool) -> Uuid {
    let mut bytes = *correspondence.as_bytes();
    bytes[15] ^= if reminder { 0x02 } else { 0x01 };
    Uuid::from_bytes(bytes)
}

/// The notice kinds a message has (initial, reminder).
fn notice_kinds(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<bool>> {
    #[derive(QueryableByName)]
    struct Kind {
        #[diesel(sql_type = Bool)]
        reminder: bool,
    }
    let kinds: Vec<Kind> = diesel::sql_query(
        "SELECT DISTINCT kind = 'reminder' AS reminder FROM notifications \
         WHERE correspondence_id = $1 AND kind <> 'forward' ORDER BY 1",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)?;
    Ok(kinds.into_iter().map(|k| k.reminder).collect())
}

/// What a message says, the same in its overview and its details.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Common {
    correspondence_id: Uuid,
    resource_id: String,
    sender: String,
    senders_reference: String,
    message_sender: Option<String>,
    recipient: String,
    content: CorrespondenceContentExt,
    requested_publish_time: DateTime<Utc>,
    due_date_time: Option<DateTime<Utc>>,
    external_references: Vec<ExternalReferenceExt>,
    #[schema(value_type = Object)]
    property_list: BTreeMap<String, String>,
    reply_options: Vec<CorrespondenceReplyOptionExt>,
    is_confirmation_needed: bool,
    is_confidential: bool,
    created: DateTime<Utc>,
    status: String,
    status_text: Option<String>,
    status_changed: DateTime<Utc>,
    published: Option<DateTime<Utc>>,
}

impl Common {
    fn new(
        r: Row,
        body: Option<String>,
        attachments: Option<Vec<CorrespondenceAttachmentExt>>,
    ) -> Self {
        let status = status_name(&r.status).to_owned();
        let published = (!matches!(
            r.status.as_str(),
            "Initialized" | "ReadyForPublish" | "Reserved" | "Failed"
        ))
        .then_some(r.published_at);
        let texts = |value: &serde_json::Value, keys: [&str; 2]| -> Vec<(String, String)> {
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|i| {
                            let text = |k: &str| i[k].as_str().unwrap_or_default().to_owned();
                            (text(keys[0]), text(keys[1]))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Common {
            correspondence_id: r.id,
            resource_id: r.service_id,
            sender: format!("0192:{}", r.sender_org),
            senders_reference: r.senders_reference,
            message_sender: r.display_sender,
            recipient: r.recipient,
            content: CorrespondenceContentExt {
                language: r.language,
                message_title: r.title,
                message_summary: r.summary,
                message_body: body,
                attachments,
            },
            requested_publish_time: r.published_at,
            due_date_time: r.due_at,
            external_references: texts(&r.external_references, ["type", "value"])
                .into_iter()
                .map(|(kind, value)| ExternalReferenceExt {
                    reference_value: value,
                    reference_type: REFERENCE_TYPES
                        .iter()
                        .find(|t| t.eq_ignore_ascii_case(&kind))
                        .copied()
                        .unwrap_or("Generic"),
                })
                .collect(),
            property_list: match r.properties {
                serde_json::Value::Object(map) => map
                    .into_iter()
                    .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                    .collect(),
                _ => BTreeMap::new(),
            },
            reply_options: texts(&r.reply_links, ["url", "text"])
                .into_iter()
                .map(|(url, text)| CorrespondenceReplyOptionExt {
                    link_url: url,
                    link_text: (!text.is_empty()).then_some(text),
                })
                .collect(),
            is_confirmation_needed: r.confirmation_needed,
            is_confidential: r.is_confidential,
            created: r.created_at,
            status,
            status_text: r.failure_reason,
            status_changed: r.status_changed_at,
            published,
        }
    }
}

/// A message as Altinn's `CorrespondenceOverviewExt`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceOverviewExt {
    #[serde(flatten)]
    common: Common,
    notifications: Vec<CorrespondenceNotificationOverview>,
    read: Option<DateTime<Utc>>,
}

impl CorrespondenceOverviewExt {
    /// One message's overview, with its attachments and notice orders; `body` for the
    /// recipient's system.
    pub(super) fn load(conn: &mut PgConnection, r: Row, body: Option<String>) -> QueryResult<Self> {
        let attachments = attachments_of(conn, r.id)?;
        let notifications = notice_kinds(conn, r.id)?
            .into_iter()
            .map(|reminder| CorrespondenceNotificationOverview {
                notification_order_id: order_id(r.id, reminder),
                is_reminder: reminder,
            })
            .collect();
        let read = r.first_read_at;
        Ok(CorrespondenceOverviewExt {
            common: Common::new(r, body, Some(attachments)),
            notifications,
            read,
        })
    }

    /// An overview in a search page (no body, attachments or notices: ask for the message).
    pub(super) fn listed(r: Row) -> Self {
        let read = r.first_read_at;
        CorrespondenceOverviewExt {
            common: Common::new(r, None, None),
            notifications: Vec::new(),
            read,
        }
    }
}

/// A status change (Altinn's `CorrespondenceStatusEventExt`).
#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceStatusEventExt {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    status_text: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    status_changed: DateTime<Utc>,
}

/// One notice as melding keeps it (an extra of the details, with `?melding=true`).
#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    channel: String,
    /// The address, masked.
    #[diesel(sql_type = Text)]
    address: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    failure_reason: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    requested_send_time: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    sent: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    delivered: Option<DateTime<Utc>>,
    #[serde(skip)]
    #[diesel(sql_type = Timestamptz)]
    updated: DateTime<Utc>,
    #[serde(skip)]
    #[diesel(sql_type = Timestamptz)]
    created: DateTime<Utc>,
}

/// Altinn's status text of a notice's state.
fn notice_status(state: &str) -> &'static str {
    match state {
        "queued" => "New",
        "sending" => "Sending",
        "sent" => "Succeeded",
        "delivered" => "Delivered",
        "cancelled" => "Cancelled",
        _ => "Failed",
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationStatusExt {
    status: &'static str,
    description: Option<String>,
    last_update: DateTime<Utc>,
}

/// Altinn's recipient of a notice; the same schema as the custom recipients of a send (the
/// request's `NotificationRecipient`), so both name all of its members.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRecipientExt {
    #[serde(skip_serializing_if = "Option::is_none")]
    email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mobile_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    national_identity_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_reserved: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDetailsExt {
    id: Option<Uuid>,
    succeeded: bool,
    recipient: NotificationRecipientExt,
    send_status: NotificationStatusExt,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationStatusDetailsExt {
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<NotificationDetailsExt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sms: Option<NotificationDetailsExt>,
    emails: Vec<NotificationDetailsExt>,
    smses: Vec<NotificationDetailsExt>,
}

/// A notice order with its notices (Altinn's `NotificationExt`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationExt {
    id: String,
    requested_send_time: DateTime<Utc>,
    created: DateTime<Utc>,
    is_reminder: bool,
    #[schema(value_type = super::send::NotificationChannelExt)]
    notification_channel: &'static str,
    resource_id: String,
    processing_status: NotificationStatusExt,
    notification_status_details: NotificationStatusDetailsExt,
}

/// The notice orders of a message, built from its notices.
fn notification_orders(id: Uuid, resource: &str, notices: &[Notice]) -> Vec<NotificationExt> {
    [false, true]
        .into_iter()
        .filter_map(|reminder| {
            let kind = if reminder { "reminder" } else { "initial" };
            let mine: Vec<&Notice> = notices.iter().filter(|n| n.kind == kind).collect();
            let first = mine.first()?;
            let details = |channel: &str| -> Vec<NotificationDetailsExt> {
                mine.iter()
                    .filter(|n| n.channel == channel)
                    .map(|n| NotificationDetailsExt {
                        id: None,
                        succeeded: matches!(n.status.as_str(), "sent" | "delivered"),
                        recipient: NotificationRecipientExt {
                            email_address: (channel == "email").then(|| n.address.clone()),
                            mobile_number: (channel == "sms").then(|| n.address.clone()),
                            organization_number: None,
                            national_identity_number: None,
                            is_reserved: None,
                        },
                        send_status: NotificationStatusExt {
                            status: notice_status(&n.status),
                            description: n.failure_reason.clone(),
                            last_update: n.updated,
                        },
                    })
                    .collect()
            };
            let (mut emails, mut smses) = (details("email"), details("sms"));
            let channel = match (emails.is_empty(), smses.is_empty()) {
                (false, false) => "EmailAndSms",
                (true, false) => "Sms",
                _ => "Email",
            };
            let open = mine
                .iter()
                .any(|n| matches!(n.status.as_str(), "queued" | "sending"));
            let last = mine
                .iter()
                .map(|n| n.updated)
                .max()
                .unwrap_or(first.created);
            Some(NotificationExt {
                id: order_id(id, reminder).to_string(),
                requested_send_time: first.requested_send_time,
                created: first.created,
                is_reminder: reminder,
                notification_channel: channel,
                resource_id: resource.to_owned(),
                processing_status: NotificationStatusExt {
                    status: if open { "Processing" } else { "Completed" },
                    description: None,
                    last_update: last,
                },
                notification_status_details: NotificationStatusDetailsExt {
                    email: (!emails.is_empty()).then(|| emails.remove(0)),
                    sms: (!smses.is_empty()).then(|| smses.remove(0)),
                    emails,
                    smses,
                },
            })
        })
        .collect()
}

/// A message with its history and notices (Altinn's `CorrespondenceDetailsExt`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceDetailsExt {
    #[serde(flatten)]
    common: Common,
    notifications: Vec<NotificationExt>,
    status_history: Vec<CorrespondenceStatusEventExt>,
    /// melding's notices in full (with `?melding=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    notices: Option<Vec<Notice>>,
}

impl CorrespondenceDetailsExt {
    pub(super) fn load(
        conn: &mut PgConnection,
        r: Row,
        body: Option<String>,
        extras: bool,
    ) -> QueryResult<Self> {
        let id = r.id;
        let status_history: Vec<CorrespondenceStatusEventExt> = diesel::sql_query(
            "SELECT CASE status WHEN 'PurgedByService' THEN 'PurgedByAltinn' ELSE status END AS status, \
                    details AS status_text, occurred_at AS status_changed \
             FROM correspondence_events WHERE correspondence_id = $1 ORDER BY occurred_at, id",
        )
        .bind::<SqlUuid, _>(id)
        .load(conn)?;
        let notices: Vec<Notice> = diesel::sql_query(format!(
            "SELECT n.kind, n.channel, {} AS address, n.state AS status, \
                    n.failure_reason, n.attempts, n.run_at AS requested_send_time, \
                    n.sent_at AS sent, n.delivered_at AS delivered, n.updated_at AS updated, \
                    n.created_at AS created \
             FROM notifications n WHERE n.correspondence_id = $1 AND n.kind <> 'forward' \
             ORDER BY n.kind, n.channel, n.id",
            crate::notify::outbox::MASKED_ADDRESS
        ))
        .bind::<SqlUuid, _>(id)
        .load(conn)?;
        let attachments = attachments_of(conn, id)?;
        let notifications = notification_orders(id, &r.service_id, &notices);
        Ok(CorrespondenceDetailsExt {
            common: Common::new(r, body, Some(attachments)),
            notifications,
            status_history,
            notices: extras.then_some(notices),
        })
    }
}

/// A search's answer: Altinn's ids, and with `?melding=true` the overviews and the cursor of
/// the next page.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondencesExt {
    pub(super) ids: Vec<Uuid>,
    /// With `?melding=true`: the messages themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) correspondences: Option<Vec<CorrespondenceOverviewExt>>,
    /// With `?melding=true`: the cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) next: Option<String>,
}

/// An attachment as its sender sees it (Altinn's `AttachmentOverviewExt`).
#[derive(Serialize, QueryableByName, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentOverviewExt {
    #[diesel(sql_type = SqlUuid)]
    attachment_id: Uuid,
    #[diesel(sql_type = Text)]
    file_name: String,
    #[diesel(sql_type = Text)]
    display_name: String,
    #[diesel(sql_type = Bool)]
    is_encrypted: bool,
    /// MD5 as the sender gave it.
    #[diesel(sql_type = Nullable<Text>)]
    checksum: Option<String>,
    #[diesel(sql_type = Text)]
    senders_reference: String,
    /// The service it was made for (empty when none was named).
    #[diesel(sql_type = Text)]
    resource_id: String,
    #[diesel(sql_type = Text)]
    sender: String,
    #[diesel(sql_type = Text)]
    pub(super) status: String,
    #[diesel(sql_type = Nullable<Text>)]
    status_text: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    status_changed: DateTime<Utc>,
    /// The messages that carry it.
    #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
    correspondence_ids: Vec<Uuid>,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[serde(skip)]
    #[diesel(sql_type = Timestamptz)]
    created: DateTime<Utc>,
    #[serde(skip)]
    #[diesel(sql_type = Nullable<Timestamptz>)]
    uploaded: Option<DateTime<Utc>>,
}

/// A change of an attachment's status (Altinn's `AttachmentStatusEvent`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentStatusEvent {
    status: &'static str,
    status_text: Option<String>,
    status_changed: DateTime<Utc>,
}

/// An attachment with its history (Altinn's `AttachmentDetailsExt`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDetailsExt {
    #[serde(flatten)]
    overview: AttachmentOverviewExt,
    status_history: Vec<AttachmentStatusEvent>,
}

impl AttachmentOverviewExt {
    /// The attachment, if one of `owners` owns it.
    pub(super) fn find(
        conn: &mut PgConnection,
        owners: &[i64],
        id: Uuid,
    ) -> QueryResult<Option<Self>> {
        diesel::sql_query(format!(
            "SELECT a.id AS attachment_id, {}, \
                    coalesce(a.resource_id, '') AS resource_id, '0192:' || p.org_number AS sender, \
                    ARRAY(SELECT ca.correspondence_id FROM correspondence_attachments ca \
                          WHERE ca.attachment_id = a.id ORDER BY ca.correspondence_id) AS correspondence_ids, \
                    a.uploaded_at AS uploaded \
             FROM attachments a JOIN parties p ON p.id = a.owner_id \
             WHERE a.id = $1 AND a.owner_id = ANY ($2)",
            attachment_columns()
        ))
        .bind::<SqlUuid, _>(id)
        .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(owners)
        .get_result(conn)
        .optional()
    }

    /// With its history: made, then uploaded (or failed, or purged).
    pub(super) fn details(self) -> AttachmentDetailsExt {
        let mut status_history = vec![AttachmentStatusEvent {
            status: "Initialized",
            status_text: None,
            status_changed: self.created,
        }];
        if let Some(at) = self.uploaded {
            status_history.push(AttachmentStatusEvent {
                status: "Published",
                status_text: None,
                status_changed: at,
            });
        }
        match self.status.as_str() {
            "UploadProcessing" | "Failed" | "Purged" => {
                status_history.push(AttachmentStatusEvent {
                    status: match self.status.as_str() {
                        "UploadProcessing" => "UploadProcessing",
                        "Failed" => "Failed",
                        _ => "Purged",
                    },
                    status_text: None,
                    status_changed: self.status_changed,
                })
            }
            _ => {}
        }
        AttachmentDetailsExt {
            overview: self,
            status_history,
        }
    }
}
