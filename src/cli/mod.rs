//! Command-line interface: the TUI by default, plus headless subcommands for scripts.
//!
//! Exit codes follow one rule everywhere: 0 success, 1 "ran, but the answer is no" (no search
//! results, findings, problems), 2 could not do the job (bad input, unreadable files).

mod audit;
mod diagnose;
mod fix;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{ClipboardMode, Config};
use crate::kb::{KnowledgeBase, plain};
use crate::search::{SearchEngine, SearchOptions};

#[derive(Debug, Parser)]
#[command(
    name = "ssodesk",
    version,
    about = "Troubleshoot SSO and SCIM provisioning from the terminal"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Load the knowledge base from this folder instead of the built-in one.
    #[arg(long, global = true, value_name = "DIR")]
    pub kb: Option<PathBuf>,
    /// Colour theme (default, light, high-contrast, or a file in the config dir's themes/).
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// How `y` copies: native tool, OSC 52 escape (works over SSH), or auto.
    #[arg(long, global = true, value_name = "MODE")]
    pub clipboard: Option<ClipboardMode>,
    /// Show fixes but refuse to run them.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Use the embedded demo tenants even when a config file exists.
    #[arg(long, global = true)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search the knowledge base; best answers first.
    Search(SearchArgs),
    /// Knowledge-base maintenance.
    #[command(subcommand)]
    Kb(KbCommand),
    /// Show or check the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Serve the demo tenants' APIs on 127.0.0.1 for curl or a config to point at.
    Demo(DemoArgs),
    /// Check tenants and print the findings; exit 1 on a warning or worse, 2 when a tenant
    /// could not be checked at all.
    Diagnose(diagnose::DiagnoseArgs),
    /// Run a fix (see `ssodesk diagnose` for the fixes on offer); exit 0 when it worked and the
    /// re-check passed, 1 when the finding remains, 2 when refused or failed.
    Fix(fix::FixArgs),
    /// List the fixes recorded in the audit log.
    Audit(audit::AuditArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8088)]
    pub port: u16,
    /// Add the `hostile` tenant, whose data carries terminal escape sequences, bidi and
    /// zero-width characters and very long names (for testing what reaches the terminal).
    #[arg(long)]
    pub hostile: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The question or words to look for; empty lists every article by topic.
    #[arg(num_args = 0..)]
    pub query: Vec<String>,
    /// Print a JSON array instead of text.
    #[arg(long)]
    pub json: bool,
    /// At most this many answers.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Validate every article and link; exit 1 when there is a problem.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print where the config file is read from.
    Path,
    /// Parse and validate the config file.
    Check,
}

/// Entry point used by `main`.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "ssodesk: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Search(args)) => {
            let config = load_config()?;
            let kb = load_kb(&cli.global, &config)?;
            search(&kb, &args)
        }
        Some(Command::Kb(KbCommand::Check)) => {
            let config = load_config()?;
            let kb = load_kb(&cli.global, &config)?;
            Ok(kb_check(&kb))
        }
        Some(Command::Config(ConfigCommand::Path)) => {
            match crate::paths::config_file() {
                Some(p) => println!("{}", p.display()),
                None => anyhow::bail!(
                    "no config location: neither SSODESK_CONFIG nor a home directory is set"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config(ConfigCommand::Check)) => config_check(),
        Some(Command::Demo(args)) => {
            tokio::runtime::Runtime::new()?
                .block_on(crate::demo::serve_standalone(args.port, args.hostile))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Diagnose(args)) => runtime()?.block_on(diagnose::run(&cli.global, &args)),
        Some(Command::Fix(args)) => runtime()?.block_on(fix::run(&cli.global, &args)),
        Some(Command::Audit(args)) => audit::run(&args),
        None => crate::tui::start(&cli.global),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

/// The config file, or the defaults when there is none.
pub fn load_config() -> anyhow::Result<Config> {
    Ok(Config::load_default()?.map(|(_, c)| c).unwrap_or_default())
}

/// `--kb` wins over the config's `kb_dir`; otherwise the embedded articles.
pub fn load_kb(global: &GlobalArgs, config: &Config) -> anyhow::Result<KnowledgeBase> {
    KnowledgeBase::load(global.kb.as_deref().or(config.kb_dir.as_deref()))
}

#[derive(serde::Serialize)]
struct JsonHit<'a> {
    rank: usize,
    id: &'a str,
    title: &'a str,
    topic: crate::kb::Topic,
    score: f32,
    idps: &'a [String],
    checks: &'a [String],
    body: &'a str,
}

fn search(kb: &KnowledgeBase, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let engine = SearchEngine::new(kb);
    let query = args.query.join(" ");
    let hits = engine.search(
        &query,
        SearchOptions {
            limit: args.limit,
            topic: None,
        },
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        let items: Vec<JsonHit> = hits
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let a = &kb.articles[h.index];
                JsonHit {
                    rank: i + 1,
                    id: &a.id,
                    title: &a.title,
                    topic: a.topic,
                    score: (h.score * 1000.0).round() / 1000.0,
                    idps: &a.idps,
                    checks: &a.checks,
                    body: &a.body,
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &items)?;
        writeln!(out)?;
    } else if hits.is_empty() {
        writeln!(
            out,
            "No answers for \"{}\".",
            crate::sanitize::clean_line(&query)
        )?;
    } else {
        for (i, h) in hits.iter().enumerate() {
            let a = &kb.articles[h.index];
            writeln!(out, "{:>2}. {}  [{}]", i + 1, a.title, a.topic)?;
            writeln!(out, "    id: {}", a.id)?;
            for line in plain::to_plain(&a.body)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(2)
            {
                writeln!(out, "    {}", crate::display::clip(line, 100))?;
            }
            writeln!(out)?;
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn kb_check(kb: &KnowledgeBase) -> ExitCode {
    let problems = kb.all_problems();
    let where_ = match &kb.source {
        crate::kb::KbSource::Embedded => "built-in knowledge base".to_string(),
        crate::kb::KbSource::Dir(d) => d.display().to_string(),
    };
    if problems.is_empty() {
        println!(
            "{where_}: {} articles, {} synonym groups, no problems",
            kb.articles.len(),
            kb.synonyms.groups().len()
        );
        ExitCode::SUCCESS
    } else {
        for p in &problems {
            println!("{p}");
        }
        println!(
            "{where_}: {} problem(s); {} articles loaded",
            problems.len(),
            kb.articles.len()
        );
        ExitCode::from(1)
    }
}

/// Parses the config file and checks what the TUI would reject at start: key bindings, the
/// theme it names, and every user theme file. Exit 1 when something is wrong.
fn config_check() -> anyhow::Result<ExitCode> {
    let mut problems: Vec<String> = Vec::new();
    match Config::load_default()? {
        None => {
            let shown = crate::paths::config_file()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(no location)".to_string());
            println!("no config file at {shown}: ssodesk runs on its embedded demo");
        }
        Some((path, config)) => {
            let shown = path.display();
            if let Err(e) = crate::tui::Keymap::from_config(&config.keys) {
                problems.push(format!("{shown}: {e}"));
            }
            if let Some(name) = &config.theme
                && let Err(e) = crate::tui::ThemeSet::user_default().load(name)
            {
                problems.push(format!("{shown}: theme: {e}"));
            }
            // Every tenant's URLs and secrets, as a run would resolve them.
            let secrets = crate::tenant::SecretSource::from_env(Some(&path));
            for t in &config.tenants {
                if let Err(e) = crate::tenant::resolve(t, &secrets) {
                    problems.push(format!("{shown}: {e}"));
                }
            }
            if problems.is_empty() {
                println!("{shown}: ok, {} tenant(s)", config.tenants.len());
            }
        }
    }
    let themes_dir = crate::paths::config_dir().map(|d| d.join("themes"));
    if let Some(Ok(entries)) = themes_dir.as_ref().map(std::fs::read_dir) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for file in files {
            match crate::tui::check_theme_file(&file) {
                Ok(()) => println!("{}: ok", file.display()),
                Err(e) => problems.push(e),
            }
        }
    }
    for p in &problems {
        println!("{p}");
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
