//! Sending: the typed new message and its one validation (the compose form, the CSV upload and
//! the JSON API build the same [`NewMessage`]), the preflight, storing with idempotency, mass
//! sends, withdrawal, attachments uploaded for sending, and the reports of what was sent. No
//! routes: the service owner's pages (`owner`) and the API (`api`) are its two front ends.

pub mod attachments;
pub mod draft;
pub mod mass;
pub mod message;
pub mod owners;
pub mod preflight;
pub mod reports;
pub mod store;
pub mod withdraw;

pub use draft::{Draft, NotificationChannel};
pub use message::{
    Checked, ExternalReference, Field, NewMessage, NoticeTexts, NotificationOrder, Problem,
    Recipients, ReplyOption, Sender, TimeInput,
};
pub use preflight::{Outcome, Preflight, find_parties, preflight};
pub use store::{
    BATCH, MassSend, Sent, attachment_settled, custom_notices, enqueue_reminders, send, send_held,
};
pub use withdraw::{Withdraw, withdraw, withdrawable};
