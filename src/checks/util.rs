//! Small helpers every check uses: the "skipped" and "unavailable" findings, durations in
//! words, lists capped for display.

use chrono::{DateTime, Utc};

use super::{Finding, Status};
use crate::http::ApiError;

/// Items shown in a finding's evidence before "and N more".
pub const EVIDENCE_CAP: usize = 25;

/// The check's source has no credentials; `section` is the config table that would add it.
pub fn skipped(check: &str, faq: &str, source: &str, section: &str) -> Finding {
    Finding::new(
        check,
        Status::Skipped,
        format!("{source} is not configured for this tenant"),
        faq,
    )
    .detail(format!(
        "Add a [tenants.{section}] section with credentials to run this check."
    ))
}

pub fn unavailable(check: &str, faq: &str, what: &str, err: &ApiError) -> Finding {
    Finding::new(
        check,
        Status::Unavailable,
        format!("Could not read {what}"),
        faq,
    )
    .detail(err.to_string())
}

/// `3 min`, `2 h 5 min`, `12 days`.
pub fn ago(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    human(now.signed_duration_since(from).num_minutes().max(0))
}

pub fn human(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => {
            let (h, m) = (m / 60, m % 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
        m => format!("{} days", m / (24 * 60)),
    }
}

pub fn minutes_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    to.signed_duration_since(from).num_minutes()
}

/// Caps a list for display, saying how many were left out.
pub fn capped(mut items: Vec<String>) -> Vec<String> {
    if items.len() > EVIDENCE_CAP {
        let more = items.len() - EVIDENCE_CAP;
        items.truncate(EVIDENCE_CAP);
        items.push(format!("... and {more} more"));
    }
    items
}

/// "1 user" / "3 users".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        assert_eq!(human(5), "5 min");
        assert_eq!(human(60), "1 h");
        assert_eq!(human(95), "1 h 35 min");
        assert_eq!(human(12 * 24 * 60 + 7), "12 days");
    }

    #[test]
    fn caps_long_lists() {
        let v: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        let c = capped(v);
        assert_eq!(c.len(), EVIDENCE_CAP + 1);
        assert_eq!(c.last().map(String::as_str), Some("... and 5 more"));
    }
}
