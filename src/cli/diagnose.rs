//! `ssodesk diagnose`.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::GlobalArgs;
use crate::diagnose::{DEFAULT_CONCURRENCY, diagnose_all};
use crate::report::{self, TenantReport};
use crate::sanitize::clean_line;
use crate::session::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// The Markdown note for a support ticket.
    Ticket,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Check only this tenant.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub tenant: Option<String>,
    /// Check every tenant (the default when --tenant is not given).
    #[arg(long)]
    pub all: bool,
    /// Same as --format json.
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub async fn run(global: &GlobalArgs, args: &DiagnoseArgs) -> anyhow::Result<ExitCode> {
    let session = Session::open(global).await?;
    warn_unfinished_fixes();
    let clients = match &args.tenant {
        Some(name) => {
            let (_, c) = session
                .find(name)
                .ok_or_else(|| session.unknown_tenant(name))?;
            vec![c.clone()]
        }
        None => session.clients.clone(),
    };
    // Tenants the config names but that could not be set up count as "could not check".
    let broken = if args.tenant.is_none() {
        for (name, why) in &session.broken {
            eprintln!("ssodesk: tenant {name} could not be checked: {why}");
        }
        !session.broken.is_empty()
    } else {
        false
    };
    if clients.is_empty() && !broken {
        anyhow::bail!("no tenants to check: add [[tenants]] to the config, or use --demo");
    }
    let reports: Vec<TenantReport> = diagnose_all(&clients, DEFAULT_CONCURRENCY)
        .await
        .into_iter()
        .map(|d| d.report)
        .collect();
    let format = if args.json { Format::Json } else { args.format };
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", report::to_json(&reports))?,
        Format::Text => write!(out, "{}", report::to_text(&reports))?,
        Format::Ticket => {
            let config = &session.config;
            let kb = super::load_kb(global, config)?;
            let notes: Vec<String> = reports
                .iter()
                .map(|r| report::ticket_note(r, &kb))
                .collect();
            write!(out, "{}", notes.join("\n---\n\n"))?;
        }
    }
    let code = if broken {
        2
    } else {
        report::exit_code(&reports)
    };
    Ok(ExitCode::from(code))
}

/// A fix that started and never ended is a change of unknown outcome: say so on stderr.
pub fn warn_unfinished_fixes() {
    let Some(path) = crate::audit::default_path() else {
        return;
    };
    let log = crate::audit::AuditLog::new(path);
    if let Ok((entries, _)) = log.read() {
        for e in crate::audit::unfinished(&entries) {
            eprintln!(
                "warning: fix {} on tenant {} started {} and never finished (run {}); check its target by hand",
                clean_line(&e.kind),
                clean_line(&e.tenant),
                e.time.format("%Y-%m-%d %H:%M UTC"),
                clean_line(&e.run)
            );
        }
    }
}
