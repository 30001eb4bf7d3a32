//! The audit log: one JSON object per line in `<data dir>/ssodesk/audit.jsonl`.
//!
//! A fix writes a `start` line before its first request and an `end` line after its last, each
//! flushed and synced, so a crash in between leaves a `start` without an `end`, which the next
//! run reports. Lines are only ever appended; a line that does not parse is reported with its
//! number and skipped, never dropped from the file.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::checks::FixTarget;
use crate::display::{LINE_CLIP, clip};
use crate::sanitize::clean_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Start,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
    Refused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(with = "rfc3339")]
    pub time: DateTime<Utc>,
    pub event: Event,
    /// Pairs a start with its end.
    pub run: String,
    /// The OS account that ran ssodesk.
    pub user: String,
    pub tenant: String,
    pub kind: String,
    pub target: FixTarget,
    /// Start: the requests about to be sent (method, URL, body), with no credentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// The log's default place.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|d| d.join("audit.jsonl"))
}

/// Who is running ssodesk, as the OS knows them.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(account_name)
        .map(|s| crate::sanitize::clean_line(&s))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The account name from the system when the environment does not say (cron, tmux without
/// a login shell): `id -un` exists on every Unix.
fn account_name() -> Option<String> {
    let out = std::process::Command::new("id").arg("-un").output().ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}

/// A fresh run id: time plus randomness, unique enough to pair lines.
pub fn new_run_id() -> String {
    format!(
        "{}-{:06x}",
        Utc::now().format("%Y%m%dT%H%M%S%3f"),
        fastrand::u32(..0x100_0000)
    )
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> AuditLog {
        AuditLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and makes it durable before returning.
    pub fn append(&self, entry: &Entry) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        // One write call per line keeps concurrent appenders from interleaving.
        f.write_all(line.as_bytes())?;
        f.flush()?;
        f.sync_data()
    }

    /// Every entry, plus a message for each line that could not be read. A missing file is an
    /// empty log.
    pub fn read(&self) -> std::io::Result<(Vec<Entry>, Vec<String>)> {
        let f = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], vec![])),
            Err(e) => return Err(e),
        };
        let mut entries = Vec::new();
        let mut bad = Vec::new();
        for (i, line) in BufReader::new(f).lines().enumerate() {
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    bad.push(format!("{}:{}: {e}", self.path.display(), i + 1));
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(&line) {
                Ok(e) => entries.push(e),
                Err(e) => bad.push(format!("{}:{}: {e}", self.path.display(), i + 1)),
            }
        }
        Ok((entries, bad))
    }
}

/// Starts with no matching end: a fix that was interrupted, whose effect is unknown.
pub fn unfinished(entries: &[Entry]) -> Vec<&Entry> {
    entries
        .iter()
        .filter(|s| s.event == Event::Start)
        .filter(|s| {
            !entries
                .iter()
                .any(|e| e.event == Event::End && e.run == s.run)
        })
        .collect()
}

/// One line per entry for `ssodesk audit`.
pub fn format_text(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        let target = target_summary(&e.target);
        let what = match e.event {
            Event::Start => format!("start  {}", e.requests.first().cloned().unwrap_or_default()),
            Event::End => {
                let outcome = e
                    .outcome
                    .map(|o| format!("{o:?}").to_lowercase())
                    .unwrap_or_default();
                let mut s = format!("end    {outcome}");
                if let Some(st) = e.http_status {
                    s.push_str(&format!(" HTTP {st}"));
                }
                if let Some(id) = &e.request_id {
                    s.push_str(&format!(" request-id {id}"));
                }
                if let Some(m) = &e.message {
                    s.push_str(&format!(": {m}"));
                }
                s
            }
        };
        // The log is a file anyone with access could edit: its text is cleaned and cut
        // like any other input before it reaches the terminal.
        let field = |s: &str, max: usize| clip(&clean_line(s), max);
        out.push_str(&format!(
            "{}  {:<10} {:<8} {:<26} {:<28} {}\n",
            e.time.to_rfc3339_opts(SecondsFormat::Secs, true),
            field(&e.tenant, 40),
            field(&e.user, 40),
            field(&e.kind, 40),
            field(&target, 100),
            field(&what, LINE_CLIP)
        ));
    }
    out
}

/// The target in a few words: users' emails, group names, the job id.
pub fn target_summary(t: &FixTarget) -> String {
    let mut parts: Vec<String> = t.users.iter().map(|u| u.email.clone()).collect();
    parts.extend(t.groups.iter().map(|g| format!("group {}", g.name)));
    if let Some(team) = &t.team {
        parts.push(format!("team {}", team.name));
    }
    if let Some(job) = &t.job_id {
        parts.push(format!("job {job}"));
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::UserRef;

    fn entry(event: Event, run: &str) -> Entry {
        Entry {
            time: Utc::now(),
            event,
            run: run.into(),
            user: "agent".into(),
            tenant: "acme".into(),
            kind: "sp.reactivate".into(),
            target: FixTarget {
                users: vec![UserRef {
                    id: "u1".into(),
                    email: "a@acme.test".into(),
                }],
                ..FixTarget::default()
            },
            requests: vec![
                "POST http://x/api/v1/orgs/acme/teams/t1/members {\"user_id\":\"u1\"}".into(),
            ],
            outcome: (event == Event::End).then_some(Outcome::Succeeded),
            http_status: (event == Event::End).then_some(200),
            request_id: None,
            message: None,
        }
    }

    #[test]
    fn appends_and_reads_back_pairs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::new(dir.path().join("sub/audit.jsonl"));
        log.append(&entry(Event::Start, "r1")).expect("append");
        log.append(&entry(Event::End, "r1")).expect("append");
        log.append(&entry(Event::Start, "r2")).expect("append");
        let (entries, bad) = log.read().expect("read");
        assert_eq!(entries.len(), 3);
        assert!(bad.is_empty());
        let open = unfinished(&entries);
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].run, "r2");
        let text = format_text(&entries);
        assert!(
            text.contains("a@acme.test") && text.contains("succeeded HTTP 200"),
            "{text}"
        );
    }

    #[test]
    fn a_corrupt_line_is_reported_not_fatal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::new(&path);
        log.append(&entry(Event::Start, "r1")).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"{not json\n"))
            .expect("corrupt");
        log.append(&entry(Event::End, "r1")).expect("append");
        let (entries, bad) = log.read().expect("read");
        assert_eq!(entries.len(), 2);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].contains(":2:"), "{bad:?}");
    }

    #[test]
    fn text_is_cleaned_and_cut() {
        let mut e = entry(Event::End, "r1");
        e.tenant = "ac\x1b[2Jme".into();
        e.message = Some(format!("\x1b]52;c;eA==\x07{}", "m".repeat(5000)));
        e.target.users[0].email = "z\u{202e}@x".repeat(1000);
        let text = format_text(&[e]);
        assert!(crate::sanitize::is_clean(&text), "{text:?}");
        assert!(text.contains("acme"));
        assert!(text.chars().count() < 600, "{}", text.chars().count());
    }

    #[test]
    fn missing_file_is_empty() {
        let log = AuditLog::new("/nonexistent/dir/audit.jsonl");
        assert_eq!(log.read().expect("read").0.len(), 0);
    }
}
