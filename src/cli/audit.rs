//! `ssodesk audit`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::audit::{AuditLog, format_text, unfinished};
use crate::sanitize::clean_line;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this tenant's entries.
    #[arg(long, value_name = "NAME")]
    pub tenant: Option<String>,
    /// JSON Lines, as stored.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let path = crate::audit::default_path().context("no data directory for the audit log")?;
    let log = AuditLog::new(&path);
    let (mut entries, bad) = log
        .read()
        .with_context(|| format!("cannot read the audit log {}", path.display()))?;
    for b in &bad {
        eprintln!(
            "warning: skipped an unreadable line: {}",
            crate::display::clip(&clean_line(b), crate::display::LINE_CLIP)
        );
    }
    if let Some(t) = &args.tenant {
        entries.retain(|e| &e.tenant == t);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        for e in &entries {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
        }
    } else if entries.is_empty() {
        writeln!(out, "No fixes recorded in {}.", path.display())?;
    } else {
        write!(out, "{}", format_text(&entries))?;
        for e in unfinished(&entries) {
            writeln!(
                out,
                "warning: run {} ({} on {}) started and never finished",
                clean_line(&e.run),
                clean_line(&e.kind),
                clean_line(&e.tenant)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
