//! Maintenance notices (PRODUCT §7): the 24-hour rule for planned work, affected
//! endpoints as path prefixes, and whether a failure falls inside a notice's window.

use super::{endpoint::Endpoint, error::FieldError, text::TextRule};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How far ahead planned maintenance must be announced.
pub const NOTICE_LEAD: Duration = Duration::hours(24);
/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest details text, in characters.
pub const MAX_DETAILS: usize = 5_000;
/// Most affected-endpoint prefixes per notice.
pub const MAX_PREFIXES: usize = 50;

/// A notice's content and window as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDraft {
    /// Headline.
    pub title: String,
    /// What happens and what to expect.
    pub details: String,
    /// Start of the window.
    pub starts_at: DateTime<Utc>,
    /// End of the window (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Affected path prefixes; empty means the whole API.
    pub prefixes: Vec<String>,
    /// Emergency work may start at once; planned work needs 24 hours' notice.
    pub emergency: bool,
}

/// The rule for a notice's title.
pub const TITLE: TextRule = TextRule::new("title", "The title", 1, MAX_TITLE)
    .too_short("Give the notice a title (up to 200 characters).");
/// The rule for a notice's details.
pub const DETAILS: TextRule = TextRule::new("details", "The details", 0, MAX_DETAILS);

impl NoticeDraft {
    /// Checks everything but the 24-hour rule: title, details, window, prefixes (as the
    /// form sends them: separated by commas or line breaks).
    pub fn new(
        title: &str,
        details: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        prefixes: &str,
        emergency: bool,
    ) -> Result<Self, FieldError> {
        let items: Vec<&str> = prefixes
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        Self::with_prefixes(title, details, starts_at, ends_at, &items, emergency)
    }

    /// [`NoticeDraft::new`] with the prefixes as a list (the JSON API's form); every
    /// item must be a path.
    pub fn with_prefixes<S: AsRef<str>>(
        title: &str,
        details: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        prefixes: &[S],
        emergency: bool,
    ) -> Result<Self, FieldError> {
        let title = TITLE.check(title)?;
        let details = DETAILS.check(details)?;
        if ends_at <= starts_at {
            return Err(FieldError::new(
                "ends_at",
                "The end must be after the start.",
            ));
        }
        let prefixes = parse_prefix_list(prefixes)?;
        Ok(Self {
            title,
            details,
            starts_at,
            ends_at,
            prefixes,
            emergency,
        })
    }

    /// The 24-hour rule at `now`: planned work must start at least 24 hours later
    /// (exactly 24 hours is allowed); emergency work may start at once.
    pub fn check_lead_time(&self, now: DateTime<Utc>) -> Result<(), FieldError> {
        if self.emergency || self.starts_at >= now + NOTICE_LEAD {
            Ok(())
        } else {
            Err(FieldError::new(
                "starts_at",
                "Planned maintenance must be announced at least 24 hours before it starts. \
                 Move the start later, or mark the notice as emergency work.",
            ))
        }
    }

    /// The rule for an edit at `now`: checked again only when the start moves (a
    /// notice whose start simply draws near keeps its validity), or when emergency is
    /// switched off.
    pub fn check_edit(&self, before: &NoticeDraft, now: DateTime<Utc>) -> Result<(), FieldError> {
        let moved = self.starts_at != before.starts_at;
        let downgraded = before.emergency && !self.emergency;
        if moved || downgraded {
            self.check_lead_time(now)
        } else {
            Ok(())
        }
    }
}

/// Reads affected endpoints: prefixes separated by commas or new lines, each a path
/// starting with `/` (query strings dropped). Empty means the whole API.
pub fn parse_prefixes(input: &str) -> Result<Vec<String>, FieldError> {
    let items: Vec<&str> = input
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    parse_prefix_list(&items)
}

/// Checks a list of at most [`MAX_PREFIXES`] paths; duplicates are kept once.
pub fn parse_prefix_list<S: AsRef<str>>(items: &[S]) -> Result<Vec<String>, FieldError> {
    if items.len() > MAX_PREFIXES {
        return Err(FieldError::new(
            "endpoints",
            "List at most 50 endpoint prefixes.",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for raw in items {
        let endpoint =
            Endpoint::parse(raw.as_ref()).map_err(|e| FieldError::new("endpoints", e.message))?;
        let prefix = endpoint.as_str().to_owned();
        if !out.contains(&prefix) {
            out.push(prefix);
        }
    }
    Ok(out)
}

/// Whether `endpoint` is affected by a notice with these prefixes: any prefix matches at
/// a path-segment boundary (`/v1/orders` covers `/v1/orders/42`, not `/v1/ordersx`).
pub fn covers_endpoint(prefixes: &[String], endpoint: &str) -> bool {
    prefixes.is_empty()
        || prefixes.iter().any(|p| {
            let p = p.trim_end_matches('/');
            endpoint == p || endpoint.starts_with(&format!("{p}/")) || p.is_empty()
        })
}

/// Whether a failure at `at` on `endpoint` falls inside a window `[starts, ends)`.
pub fn covers(
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    prefixes: &[String],
    endpoint: &str,
    at: DateTime<Utc>,
) -> bool {
    starts <= at && at < ends && covers_endpoint(prefixes, endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn draft(start: &str, emergency: bool) -> NoticeDraft {
        NoticeDraft::new(
            "DB upgrade",
            "",
            t(start),
            t(start) + Duration::hours(2),
            "/v1/orders",
            emergency,
        )
        .unwrap()
    }

    #[test]
    fn planned_work_needs_24_hours_exactly_24_is_fine() {
        let now = t("2026-11-24T10:00:00Z");
        assert!(draft("2026-11-25T10:00:00Z", false)
            .check_lead_time(now)
            .is_ok());
        let e = draft("2026-11-25T09:59:59Z", false)
            .check_lead_time(now)
            .unwrap_err();
        assert_eq!(e.field, "starts_at");
        assert!(
            draft("2026-11-24T10:30:00Z", true)
                .check_lead_time(now)
                .is_ok(),
            "emergency"
        );
    }

    #[test]
    fn edits_recheck_only_when_the_start_moves_or_emergency_is_dropped() {
        let before = draft("2026-11-25T10:00:00Z", false);
        let now = t("2026-11-25T08:00:00Z"); // 2 h before the start
        let mut retitled = before.clone();
        retitled.title = "DB upgrade (extended)".into();
        assert!(retitled.check_edit(&before, now).is_ok());
        let moved = draft("2026-11-25T09:00:00Z", false);
        assert_eq!(
            moved.check_edit(&before, now).unwrap_err().field,
            "starts_at"
        );
        let emergency = draft("2026-11-25T09:00:00Z", true);
        assert!(emergency.check_edit(&before, now).is_ok());
        let planned_again = draft("2026-11-25T09:00:00Z", false);
        assert!(planned_again.check_edit(&emergency, now).is_err());
    }

    #[test]
    fn drafts_are_checked() {
        let s = t("2026-11-25T10:00:00Z");
        assert_eq!(
            NoticeDraft::new(" ", "", s, s + Duration::hours(1), "", false)
                .unwrap_err()
                .field,
            "title"
        );
        assert_eq!(
            NoticeDraft::new("x", "", s, s, "", false)
                .unwrap_err()
                .field,
            "ends_at"
        );
        assert_eq!(
            NoticeDraft::new("x", "", s, s + Duration::hours(1), "orders", false)
                .unwrap_err()
                .field,
            "endpoints"
        );
        let d = NoticeDraft::new(
            "x",
            "",
            s,
            s + Duration::hours(1),
            "/v1/orders, /v1/payments\n/v1/orders",
            false,
        )
        .unwrap();
        assert_eq!(d.prefixes, ["/v1/orders", "/v1/payments"]);
    }

    #[test]
    fn windows_and_prefixes_match() {
        let (s, e) = (t("2026-11-25T10:00:00Z"), t("2026-11-25T12:00:00Z"));
        let p = vec!["/v1/orders".to_owned()];
        assert!(covers(s, e, &p, "/v1/orders/42", s));
        assert!(covers(s, e, &p, "/v1/orders", t("2026-11-25T11:59:59Z")));
        assert!(
            !covers(s, e, &p, "/v1/orders/42", e),
            "the end is exclusive"
        );
        assert!(!covers(s, e, &p, "/v1/ordersx", s), "segment boundary");
        assert!(!covers(s, e, &p, "/v1/payments", s));
        assert!(covers(s, e, &[], "/anything", s), "empty = whole API");
    }
}
