use std::fmt;
use std::str::FromStr;

/// A correspondence status. The current status is the highest reached; `Fetched` is recorded as
/// an event but never becomes the current status.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Status {
    Initialized,
    ReadyForPublish,
    Published,
    Fetched,
    Read,
    Replied,
    Confirmed,
    PurgedByRecipient,
    PurgedByService,
    Archived,
    Reserved,
    Failed,
    AttachmentsDownloaded,
}

impl Status {
    pub const ALL: [Status; 13] = [
        Status::Initialized,
        Status::ReadyForPublish,
        Status::Published,
        Status::Fetched,
        Status::Read,
        Status::Replied,
        Status::Confirmed,
        Status::PurgedByRecipient,
        Status::PurgedByService,
        Status::Archived,
        Status::Reserved,
        Status::Failed,
        Status::AttachmentsDownloaded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Initialized => "Initialized",
            Status::ReadyForPublish => "ReadyForPublish",
            Status::Published => "Published",
            Status::Fetched => "Fetched",
            Status::Read => "Read",
            Status::Replied => "Replied",
            Status::Confirmed => "Confirmed",
            Status::PurgedByRecipient => "PurgedByRecipient",
            Status::PurgedByService => "PurgedByService",
            Status::Archived => "Archived",
            Status::Reserved => "Reserved",
            Status::Failed => "Failed",
            Status::AttachmentsDownloaded => "AttachmentsDownloaded",
        }
    }

    /// Whether an event with this status can become the current status.
    pub fn is_state(self) -> bool {
        !matches!(self, Status::Fetched | Status::AttachmentsDownloaded)
    }

    /// The status after `event` has happened to a message in status `self`: never backwards.
    pub fn advance(self, event: Status) -> Status {
        if event.is_state() && event > self {
            event
        } else {
            self
        }
    }
}

impl FromStr for Status {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn status_never_goes_backwards() {
        assert_eq!(Status::Read.advance(Status::Published), Status::Read);
        assert_eq!(Status::Read.advance(Status::Fetched), Status::Read);
        assert_eq!(
            Status::Published.advance(Status::Confirmed),
            Status::Confirmed
        );
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
    }
}
