//! What the inbox URL says, parsed once at the edge into typed filters. All state lives in the
//! URL, so back and bookmarks work; a value the inbox does not know is ignored, as if absent.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

/// The URL's query as sent. Only [`Filters::from`] reads it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FilterParams {
    pub party: Option<String>,
    pub folder: Option<String>,
    pub q: Option<String>,
    pub unread: Option<String>,
    pub service: Option<String>,
    pub sender: Option<String>,
    pub all: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub period: Option<String>,
    pub due: Option<String>,
    pub confirm: Option<String>,
    pub attachments: Option<String>,
    pub sort: Option<String>,
    pub after: Option<String>,
}

impl FilterParams {
    /// Reads a query string leniently: a name given twice counts once (the first), a name the
    /// inbox does not know is ignored, and nothing in it is an error.
    pub fn from_query(query: &str) -> Self {
        // Every field is an optional text, so nothing can fail to read.
        crate::web::form::lenient(query.as_bytes()).unwrap_or_default()
    }
}

/// Declares a filter's choices with their URL keys, and parsing from the key.
macro_rules! url_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The value in the URL.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn parse(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }
        }
    };
}

url_enum!(
    /// The recipient-side folders (labels shared by everyone acting for the party).
    Folder { Inbox = "inbox", Archive = "archive", Bin = "bin" }
);
url_enum!(
    /// Opened or not.
    ReadState { Unread = "unread", Read = "read" }
);
url_enum!(
    /// Due within seven days, or passed (unconfirmed only).
    Due { Soon = "soon", Overdue = "overdue" }
);
url_enum!(
    /// Newest first, or by due date (undated ones by their publishing date).
    Sort { Newest = "newest", Due = "due" }
);
url_enum!(
    /// The preset periods; a typed start date wins.
    Period { Week = "7", Month = "30", Year = "365" }
);
url_enum!(
    /// The combined views: every organisation, or every person, the user acts for.
    Combined { Organizations = "organizations", Persons = "persons" }
);

impl Period {
    pub fn days(self) -> i64 {
        match self {
            Period::Week => 7,
            Period::Month => 30,
            Period::Year => 365,
        }
    }
}

/// Where a page of the listing starts: after the row with this sort value and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn parse(s: &str) -> Option<Self> {
        let (micros, id) = s.split_once('_')?;
        Some(Cursor {
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.at.timestamp_micros(), self.id)
    }
}

/// The inbox's filters, typed.
#[derive(Debug, Clone)]
pub struct Filters {
    pub party: Option<i64>,
    pub folder: Folder,
    /// The search box as typed (kept for the form).
    pub q: Option<String>,
    pub read: Option<ReadState>,
    pub service: Option<String>,
    /// The sending organisation (its party id).
    pub sender: Option<i64>,
    pub combined: Option<Combined>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub period: Option<Period>,
    pub due: Option<Due>,
    /// Only messages that still need confirmation.
    pub confirm: bool,
    /// Only messages with attachments.
    pub attachments: bool,
    pub sort: Sort,
    pub after: Option<Cursor>,
}

fn date(value: Option<&str>) -> Option<NaiveDate> {
    value.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
}

impl From<FilterParams> for Filters {
    fn from(p: FilterParams) -> Self {
        // Empty is absent; so is a value with a NUL character, which no filter can match.
        let given = |v: Option<String>| v.filter(|v| !v.is_empty() && !v.contains('\0'));
        Filters {
            party: p.party.as_deref().and_then(|s| s.trim().parse().ok()),
            folder: p
                .folder
                .as_deref()
                .and_then(Folder::parse)
                .unwrap_or(Folder::Inbox),
            q: p.q,
            read: p.unread.as_deref().and_then(ReadState::parse),
            service: given(p.service),
            sender: p.sender.as_deref().and_then(|s| s.trim().parse().ok()),
            combined: p.all.as_deref().and_then(Combined::parse),
            from: date(p.from.as_deref()),
            to: date(p.to.as_deref()),
            period: p.period.as_deref().and_then(Period::parse),
            due: p.due.as_deref().and_then(Due::parse),
            confirm: given(p.confirm).is_some(),
            attachments: given(p.attachments).is_some(),
            sort: p
                .sort
                .as_deref()
                .and_then(Sort::parse)
                .unwrap_or(Sort::Newest),
            after: p.after.as_deref().and_then(Cursor::parse),
        }
    }
}

impl Filters {
    /// The search text when it can be searched: 3+ characters, none of them NUL.
    pub fn search(&self) -> Option<&str> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| q.chars().count() >= 3 && !q.contains('\0'))
    }

    /// Search text with a NUL character, which cannot be searched for (said at the box).
    pub fn bad_search(&self) -> bool {
        self.q.as_deref().is_some_and(|q| q.contains('\0'))
    }

    /// Text typed in the search box that is too short to search.
    pub fn short_search(&self) -> bool {
        self.q.as_deref().is_some_and(|q| !q.trim().is_empty())
            && self.search().is_none()
            && !self.bad_search()
    }

    pub fn by_due(&self) -> bool {
        self.sort == Sort::Due
    }

    /// The first day shown: the typed start date, else the preset period's.
    pub fn from_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.from
            .or_else(|| Some(today - Duration::days(self.period?.days())))
    }

    /// The published-time range asked for: from the start of the first day to the end of the last.
    pub fn published_range(
        &self,
        today: NaiveDate,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        // Midnight in Norway (never inside a summer-time shift, which happens at 02:00).
        let start = |d: NaiveDate| {
            let midnight = d.and_time(NaiveTime::MIN);
            crate::domain::time::from_oslo(midnight).unwrap_or_else(|| midnight.and_utc())
        };
        (
            self.from_date(today).map(start),
            self.to.map(|to| start(to + Duration::days(1))),
        )
    }

    /// The URL's pairs for these filters (not the party or the cursor), so every link carries the
    /// whole state.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("folder", self.folder.key().to_owned())];
        let mut add = |k: &'static str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                pairs.push((k, v));
            }
        };
        add("q", self.q.clone());
        add("unread", self.read.map(|r| r.key().to_owned()));
        add("service", self.service.clone());
        add("sender", self.sender.map(|s| s.to_string()));
        add("period", self.period.map(|p| p.key().to_owned()));
        add("from", self.from.map(|d| d.to_string()));
        add("to", self.to.map(|d| d.to_string()));
        add("due", self.due.map(|d| d.key().to_owned()));
        add("confirm", self.confirm.then(|| "1".to_owned()));
        add("attachments", self.attachments.then(|| "1".to_owned()));
        add("sort", self.by_due().then(|| Sort::Due.key().to_owned()));
        pairs
    }

    /// For the form: the chosen value of a select, or "" for none.
    pub fn read_key(&self) -> &'static str {
        self.read.map_or("", ReadState::key)
    }

    pub fn due_key(&self) -> &'static str {
        self.due.map_or("", Due::key)
    }

    pub fn period_is(&self, key: &str) -> bool {
        self.period.is_some_and(|p| p.key() == key)
    }

    pub fn from_text(&self) -> String {
        self.from.map(|d| d.to_string()).unwrap_or_default()
    }

    pub fn to_text(&self) -> String {
        self.to.map(|d| d.to_string()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Filters {
        FilterParams::from_query(query).into()
    }

    #[test]
    fn an_empty_url_is_the_inbox_newest_first() {
        let f = parse("");
        assert_eq!(f.folder, Folder::Inbox);
        assert_eq!(f.sort, Sort::Newest);
        assert!(f.read.is_none() && f.due.is_none() && f.combined.is_none());
        assert!(!f.confirm && !f.attachments);
        assert_eq!(f.pairs(), vec![("folder", "inbox".to_owned())]);
    }

    #[test]
    fn every_value_is_parsed_once_and_written_back_the_same() {
        let query = "folder=archive&q=skatt&unread=unread&service=svc&sender=42&period=30\
                     &from=2026-01-01&to=2026-02-01&due=overdue&confirm=1&attachments=1&sort=due";
        let f = parse(query);
        assert_eq!(f.folder, Folder::Archive);
        assert_eq!(f.read, Some(ReadState::Unread));
        assert_eq!(f.sender, Some(42));
        assert_eq!(f.period, Some(Period::Month));
        assert_eq!(f.due, Some(Due::Overdue));
        assert!(f.confirm && f.attachments && f.by_due());
        let back: Vec<String> = f.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(back.join("&"), query.replace(' ', ""));
    }

    #[test]
    fn unknown_values_count_as_absent() {
        let f = parse(
            "folder=spam&unread=maybe&due=later&period=5&sort=oldest&sender=x&all=everyone&from=yesterday&after=nonsense",
        );
        assert_eq!(f.folder, Folder::Inbox);
        assert!(f.read.is_none() && f.due.is_none() && f.period.is_none());
        assert!(
            f.sender.is_none() && f.combined.is_none() && f.from.is_none() && f.after.is_none()
        );
        assert_eq!(f.sort, Sort::Newest);
    }

    #[test]
    fn a_typed_start_date_wins_over_the_period() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let f = parse("period=7");
        assert_eq!(f.from_date(today), NaiveDate::from_ymd_opt(2026, 11, 22));
        // Days are Norwegian days: 1 January starts at 23:00 UTC the day before (winter time),
        // a day in June at 22:00 UTC (summer time).
        let f = parse("period=7&from=2026-01-01&to=2026-01-31");
        let (from, to) = f.published_range(today);
        assert_eq!(
            from.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-12-31T23:00:00+00:00")
        );
        assert_eq!(
            to.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-01-31T23:00:00+00:00")
        );
        let (from, _) = parse("from=2026-06-10").published_range(today);
        assert_eq!(
            from.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-06-09T22:00:00+00:00")
        );
    }

    #[test]
    fn search_needs_three_characters() {
        assert_eq!(parse("q=%20ab%20").search(), None);
        assert!(parse("q=ab").short_search());
        assert_eq!(parse("q=abc").search(), Some("abc"));
        assert!(!parse("q=").short_search());
        let nul = parse("q=ved%00tak&service=a%00");
        assert!(nul.bad_search() && nul.search().is_none() && !nul.short_search());
        assert_eq!(nul.service, None);
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let cursor = Cursor {
            at: DateTime::from_timestamp_micros(1_780_000_000_123_456).expect("time"),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
        assert_eq!(parse(&format!("after={cursor}")).after, Some(cursor));
    }
}
