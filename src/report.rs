//! Findings as people and scripts read them: text grouped by tenant, JSON, and the Markdown
//! ticket note an agent pastes into a support ticket.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::checks::{Finding, Status};
use crate::display::{LINE_CLIP, clip};
use crate::kb::{KnowledgeBase, plain};

/// One tenant's findings, one per check that ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantReport {
    pub tenant: String,
    #[serde(serialize_with = "rfc3339")]
    pub checked_at: DateTime<Utc>,
    pub findings: Vec<Finding>,
}

fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl TenantReport {
    pub fn worst(&self) -> Status {
        self.findings
            .iter()
            .map(|f| f.status)
            .max()
            .unwrap_or_default()
    }

    /// True when nothing could be checked: every check that was not skipped is unavailable.
    pub fn could_not_check(&self) -> bool {
        let ran: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.status != Status::Skipped)
            .collect();
        !ran.is_empty() && ran.iter().all(|f| f.status == Status::Unavailable)
    }

    /// Findings worst first, then by check id.
    pub fn sorted(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        v.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.check.cmp(&b.check)));
        v
    }
}

/// `diagnose` exit code: 2 when a tenant could not be checked at all, 1 when anything is at
/// warning or worse, else 0.
pub fn exit_code(reports: &[TenantReport]) -> u8 {
    if reports.iter().any(TenantReport::could_not_check) {
        2
    } else if reports
        .iter()
        .any(|r| r.findings.iter().any(|f| f.status.needs_attention()))
    {
        1
    } else {
        0
    }
}

#[derive(Serialize)]
struct JsonOut<'a> {
    tenants: &'a [TenantReport],
}

pub fn to_json(reports: &[TenantReport]) -> String {
    serde_json::to_string_pretty(&JsonOut { tenants: reports })
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Plain text: tenants worst first, each with its findings worst first; ok checks summed up.
pub fn to_text(reports: &[TenantReport]) -> String {
    let mut reports: Vec<&TenantReport> = reports.iter().collect();
    reports.sort_by(|a, b| {
        b.worst()
            .cmp(&a.worst())
            .then_with(|| a.tenant.cmp(&b.tenant))
    });
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{}  [{}]  checked {}",
            r.tenant,
            r.worst(),
            r.checked_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        let mut ok = Vec::new();
        let mut skipped = Vec::new();
        for f in r.sorted() {
            match f.status {
                Status::Ok => {
                    ok.push(f.check.as_str());
                    continue;
                }
                Status::Skipped => {
                    skipped.push(f.check.as_str());
                    continue;
                }
                _ => {}
            }
            let _ = writeln!(
                out,
                "  {:<11} {:<20} {}",
                f.status.as_str().to_uppercase(),
                f.check,
                clip(&f.title, LINE_CLIP)
            );
            for line in f.detail.lines().filter(|l| !l.trim().is_empty()) {
                let _ = writeln!(out, "  {:<32} {}", "", clip(line, LINE_CLIP));
            }
            for e in &f.evidence {
                let _ = writeln!(out, "  {:<32} - {}", "", clip(e, LINE_CLIP));
            }
            let mut refs = format!("answer: {}", f.faq);
            if let Some(fix) = &f.fix {
                let _ = write!(
                    refs,
                    "   fix: ssodesk fix {} --tenant {}",
                    fix.kind, r.tenant
                );
            }
            let _ = writeln!(out, "  {:<32} {refs}", "");
        }
        if !ok.is_empty() {
            let _ = writeln!(out, "  {:<11} {}", "OK", ok.join(", "));
        }
        if !skipped.is_empty() {
            let _ = writeln!(
                out,
                "  {:<11} {} (no credentials for their source)",
                "SKIPPED",
                skipped.join(", ")
            );
        }
        out.push('\n');
    }
    out
}

/// The ticket note: Markdown that pastes cleanly into a ticket or editor. Only findings at
/// warning or worse, with their evidence, then the text of the answers they link to.
pub fn ticket_note(report: &TenantReport, kb: &KnowledgeBase) -> String {
    let mut out = String::new();
    let serious: Vec<&Finding> = report
        .sorted()
        .into_iter()
        .filter(|f| f.status.needs_attention())
        .collect();
    let _ = writeln!(out, "## SSO diagnostics: {}", report.tenant);
    let _ = writeln!(
        out,
        "\nChecked {} by ssodesk. {} finding(s) at warning or worse, {} check(s) in all.\n",
        report.checked_at.format("%Y-%m-%d %H:%M UTC"),
        serious.len(),
        report.findings.len()
    );
    if serious.is_empty() {
        let _ = writeln!(out, "No problems found.");
    }
    let mut answers: Vec<&str> = Vec::new();
    for f in &serious {
        let _ = writeln!(
            out,
            "### {}: {}\n\nCheck `{}`.{}",
            capitalize(f.status.as_str()),
            clip(&f.title, LINE_CLIP),
            f.check,
            if f.detail.is_empty() {
                String::new()
            } else {
                format!(" {}", clip(&f.detail.replace('\n', " "), 3 * LINE_CLIP))
            }
        );
        if !f.evidence.is_empty() {
            out.push('\n');
            for e in &f.evidence {
                let _ = writeln!(out, "- {}", clip(e, LINE_CLIP));
            }
        }
        if let Some(fix) = &f.fix {
            let _ = writeln!(
                out,
                "\nAvailable fix: `{}` ({}).",
                fix.kind,
                fix.kind.label()
            );
        }
        out.push('\n');
        if !answers.contains(&f.faq.as_str()) {
            answers.push(&f.faq);
        }
    }
    let articles: Vec<_> = answers.iter().filter_map(|id| kb.get(id)).collect();
    if !articles.is_empty() {
        let _ = writeln!(out, "### Related answers\n");
        for a in articles {
            let _ = writeln!(out, "**{}**\n", a.title);
            for line in plain::to_plain(&a.body).lines() {
                if line.is_empty() {
                    out.push_str(">\n");
                } else {
                    let _ = writeln!(out, "> {line}");
                }
            }
            out.push('\n');
        }
    }
    redact(out.trim_end()) + "\n"
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Masks anything that looks like a credential, as a last line of defence for text that leaves
/// the program (ticket notes, clipboard): values after `SSWS`/`Bearer`, and long unbroken
/// runs of token characters.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut mask_next = false;
    for (i, piece) in text
        .split_inclusive(|c: char| c.is_whitespace())
        .enumerate()
    {
        let word = piece.trim_end();
        let tail = &piece[word.len()..];
        let looks_secret = word.len() >= 32
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.=+/".contains(c))
            && word.chars().any(|c| c.is_ascii_digit())
            && word.chars().any(|c| c.is_ascii_alphabetic());
        if (mask_next && !word.is_empty()) || looks_secret {
            out.push_str("[redacted]");
        } else {
            out.push_str(word);
        }
        out.push_str(tail);
        if !word.is_empty() || i == 0 {
            mask_next = matches!(word.to_ascii_lowercase().as_str(), "ssws" | "bearer");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{FixKind, FixTarget};

    fn report() -> TenantReport {
        TenantReport {
            tenant: "acme".into(),
            checked_at: DateTime::parse_from_rfc3339("2026-11-29T10:00:00Z")
                .expect("time")
                .with_timezone(&Utc),
            findings: vec![
                Finding::new(
                    "sp.duplicates",
                    Status::Ok,
                    "No duplicate accounts",
                    "no-duplicate-accounts",
                ),
                Finding::new(
                    "sp.last_sync",
                    Status::Warning,
                    "The last manual sync failed",
                    "manual-sync-sso-connection",
                )
                .detail("Sync failed 2 h ago: IdP returned 500.")
                .fix(FixKind::SpManualSync, FixTarget::default()),
                Finding::new(
                    "okta.push_groups",
                    Status::Error,
                    "A push mapping is in ERROR",
                    "okta-push-groups",
                )
                .evidence(vec!["Sales (gPm1): group already exists".into()]),
            ],
        }
    }

    #[test]
    fn exit_codes_follow_the_worst_status() {
        let r = report();
        assert_eq!(exit_code(std::slice::from_ref(&r)), 1);
        let mut clean = r.clone();
        clean.findings.retain(|f| f.status == Status::Ok);
        assert_eq!(exit_code(&[clean.clone()]), 0);
        let mut down = r;
        for f in &mut down.findings {
            f.status = Status::Unavailable;
        }
        assert_eq!(exit_code(&[clean, down]), 2);
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&[report()])).expect("json");
        let t = &v["tenants"][0];
        assert_eq!(t["tenant"], "acme");
        assert_eq!(t["checked_at"], "2026-11-29T10:00:00Z");
        assert_eq!(t["findings"].as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn text_lists_the_worst_first_and_sums_up_ok_checks() {
        let text = to_text(&[report()]);
        let err = text.find("ERROR").expect("error line");
        let warn = text.find("WARNING").expect("warning line");
        assert!(err < warn, "{text}");
        assert!(text.contains("OK          sp.duplicates"), "{text}");
        assert!(
            text.contains("fix: ssodesk fix sp.manual_sync --tenant acme"),
            "{text}"
        );
    }

    #[test]
    fn ticket_note_holds_serious_findings_and_answers() {
        let kb = KnowledgeBase::embedded();
        let note = ticket_note(&report(), &kb);
        assert!(note.starts_with("## SSO diagnostics: acme"));
        assert!(note.contains("### Error: A push mapping is in ERROR"));
        assert!(note.contains("- Sales (gPm1)"));
        assert!(
            !note.contains("No duplicate accounts"),
            "ok findings stay out"
        );
        assert!(note.contains("> "), "answers are quoted");
    }

    #[test]
    fn text_output_clips_long_values() {
        let mut r = report();
        r.findings[1].title = "x".repeat(10_000);
        r.findings[1].evidence = vec!["名".repeat(10_000)];
        let text = to_text(&[r]);
        for line in text.lines() {
            assert!(
                crate::display::width(line) <= LINE_CLIP + 40,
                "{}",
                crate::display::width(line)
            );
        }
    }

    #[test]
    fn redact_masks_tokens() {
        let s = redact(
            "Authorization: SSWS 00abcDEF123 and Bearer eyJhbGciOi.x.y plus k=9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee and words",
        );
        assert!(!s.contains("00abcDEF123"), "{s}");
        assert!(!s.contains("eyJhbGciOi"), "{s}");
        assert!(!s.contains("9f8e7d6c5b4a"), "{s}");
        assert!(s.contains("and words"), "{s}");
    }
}
