//! Norway's civil time: times people type are read in Europe/Oslo (summer time included), and
//! times shown to them are written in it. Stored times are UTC.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Oslo;

/// A time typed without a zone, read as Norwegian time. The hour skipped when summer time
/// starts does not exist (none); the hour repeated when it ends is read as its first pass.
pub fn from_oslo(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match Oslo.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// A stored time as the clock in Norway showed it.
pub fn in_oslo(at: &DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&Oslo).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap_or_default()
    }

    #[test]
    fn norwegian_time_follows_summer_time() {
        // Winter: UTC+1; summer: UTC+2.
        let winter = from_oslo(local("2026-12-01T09:00")).map(|t| t.to_rfc3339());
        assert_eq!(winter.as_deref(), Some("2026-12-01T08:00:00+00:00"));
        let summer = from_oslo(local("2026-06-01T09:00")).map(|t| t.to_rfc3339());
        assert_eq!(summer.as_deref(), Some("2026-06-01T07:00:00+00:00"));
        // 29 March 2026 02:30 never happened in Norway; 25 October 02:30 happened twice.
        assert_eq!(from_oslo(local("2026-03-29T02:30")), None);
        let twice = from_oslo(local("2026-10-25T02:30")).map(|t| t.to_rfc3339());
        assert_eq!(twice.as_deref(), Some("2026-10-25T00:30:00+00:00"));
        let back = from_oslo(local("2026-06-01T09:00")).map(|t| in_oslo(&t));
        assert_eq!(back, Some(local("2026-06-01T09:00")));
    }
}
