//! Forwarding: someone who reads a message for its recipient sends it on by e-mail (Altinn's
//! `POST /correspondence/{id}/forward`). Only where the sender allowed it, once the message has
//! been read, once per address, never a confidential message (its body may not leave the
//! inbox for an unprotected mailbox). The e-mail goes through the notice outbox, so the worker
//! sends it with the same leases and retries as notices; unlike a notice it carries the message
//! (the recipient chose to send it on), and the attachments when asked for.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Timestamptz};
use uuid::Uuid;

use super::message::By;
use crate::db::schema::{correspondence_forwards, notifications};

/// The longest forwarding text (Altinn's limit).
pub const MAX_TEXT: usize = 200;
/// The most attachment bytes one forwarded e-mail carries (about 14 MB once encoded, under
/// the usual mail server limits).
pub const MAX_ATTACHMENT_BYTES: i64 = 10 * 1024 * 1024;

/// What the forwarder asks for.
#[derive(Debug, Clone)]
pub struct Forward {
    pub to: String,
    pub text: Option<String>,
    pub include_attachments: bool,
}

/// Why a forward was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not an e-mail address.
    Address,
    /// The text is longer than [`MAX_TEXT`] or not plain text.
    Text,
    /// The sender did not allow forwarding.
    NotAllowed,
    /// Confidential mail is never forwarded by e-mail.
    Confidential,
    /// Nobody has read the message yet.
    NotRead,
    /// Forwarded to this address already.
    Already,
    /// The attachments were asked for, but the forwarder may not open them.
    Attachments,
    /// The attachments are larger than [`MAX_ATTACHMENT_BYTES`].
    TooLarge,
}

/// Plain text: no HTML tags, no control characters but line breaks and tabs.
fn plain(text: &str) -> bool {
    let tag = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'));
    !tag && !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The request checked on its own: the address and the text.
fn check(request: &Forward) -> Result<(String, Option<String>), Refused> {
    let to = request.to.trim();
    if to.is_empty() || to.chars().count() > 254 || to.parse::<lettre::Address>().is_err() {
        return Err(Refused::Address);
    }
    let text = request
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(t) = text
        && (t.chars().count() > MAX_TEXT || !plain(t))
    {
        return Err(Refused::Text);
    }
    Ok((to.to_owned(), text.map(str::to_owned)))
}

#[derive(QueryableByName)]
struct State {
    #[diesel(sql_type = Bool)]
    allowed: bool,
    #[diesel(sql_type = Bool)]
    confidential: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    first_read_at: Option<chrono::DateTime<chrono::Utc>>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    attachment_bytes: i64,
}

/// Records the forward of message `id` (read for `party` by `by`) and queues its e-mail; the
/// forward's id, or why not. `may_open_attachments`: the forwarder may open the attachments.
pub fn forward(
    conn: &mut PgConnection,
    id: Uuid,
    by: By<'_>,
    party: i64,
    may_open_attachments: bool,
    request: &Forward,
) -> QueryResult<Result<Uuid, Refused>> {
    let (to, text) = match check(request) {
        Ok(checked) => checked,
        Err(refused) => return Ok(Err(refused)),
    };
    conn.transaction(|conn| {
        let state: State = diesel::sql_query(
            "SELECT sd.allow_forwarding AS allowed, c.is_confidential AS confidential, c.first_read_at, \
                    coalesce((SELECT sum(a.size_bytes) FROM correspondence_attachments ca \
                              JOIN attachments a ON a.id = ca.attachment_id \
                              WHERE ca.correspondence_id = c.id AND a.state = 'published'), 0)::bigint AS attachment_bytes \
             FROM correspondences c JOIN sendings sd ON sd.id = c.sending_id WHERE c.id = $1",
        )
        .bind::<diesel::sql_types::Uuid, _>(id)
        .get_result(conn)?;
        if !state.allowed {
            return Ok(Err(Refused::NotAllowed));
        }
        if state.confidential {
            return Ok(Err(Refused::Confidential));
        }
        if state.first_read_at.is_none() {
            return Ok(Err(Refused::NotRead));
        }
        let include = request.include_attachments && state.attachment_bytes > 0;
        if include && !may_open_attachments {
            return Ok(Err(Refused::Attachments));
        }
        if include && state.attachment_bytes > MAX_ATTACHMENT_BYTES {
            return Ok(Err(Refused::TooLarge));
        }
        let (by_person, by_system) = match by {
            By::Person(person) => (Some(person), None),
            By::System(system) => (None, Some(system)),
        };
        let forward_id = Uuid::now_v7();
        let inserted = diesel::insert_into(correspondence_forwards::table)
            .values((
                correspondence_forwards::id.eq(forward_id),
                correspondence_forwards::correspondence_id.eq(id),
                correspondence_forwards::forwarded_for.eq(party),
                correspondence_forwards::by_person.eq(by_person),
                correspondence_forwards::by_system.eq(by_system),
                correspondence_forwards::to_address.eq(&to),
                correspondence_forwards::forwarding_text.eq(&text),
                correspondence_forwards::include_attachments.eq(include),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 0 {
            return Ok(Err(Refused::Already));
        }
        diesel::insert_into(notifications::table)
            .values((
                notifications::correspondence_id.eq(id),
                notifications::kind.eq("forward"),
                notifications::channel.eq("email"),
                notifications::address.eq(&to),
                notifications::forward_id.eq(forward_id),
            ))
            .execute(conn)?;
        Ok(Ok(forward_id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(to: &str, text: Option<&str>) -> Forward {
        Forward {
            to: to.to_owned(),
            text: text.map(str::to_owned),
            include_attachments: false,
        }
    }

    #[test]
    fn the_address_and_text_are_checked_before_anything_is_looked_up() {
        assert_eq!(
            check(&request("ola@example.no", None)).map(|c| c.1),
            Ok(None)
        );
        assert_eq!(
            check(&request(
                " ola@example.no ",
                Some("  Til deg.\nHilsen Kari ")
            )),
            Ok((
                "ola@example.no".to_owned(),
                Some("Til deg.\nHilsen Kari".to_owned())
            ))
        );
        assert_eq!(check(&request("ola", None)), Err(Refused::Address));
        assert_eq!(check(&request("", None)), Err(Refused::Address));
        let long = "a".repeat(MAX_TEXT + 1);
        assert_eq!(
            check(&request("ola@example.no", Some(&long))),
            Err(Refused::Text)
        );
        assert_eq!(
            check(&request("ola@example.no", Some("<b>hei</b>"))),
            Err(Refused::Text)
        );
        assert_eq!(
            check(&request("ola@example.no", Some("a\u{7}b"))),
            Err(Refused::Text)
        );
        assert!(check(&request("ola@example.no", Some("2 < 3 og 4 > 1"))).is_ok());
    }
}
