//! The terminal UI. `run` owns the loop:
//!
//! ```text
//!  crossterm EventStream ─┐
//!  action channel (tasks) ┼─► App::handle_event / App::update ─► dirty? ─► one synchronized draw
//!  toast / spinner timer ─┤
//!  SIGTERM / SIGHUP ──────┘
//! ```
//!
//! The loop sleeps until one of those wakes it; there is no fixed-rate tick or redraw, so an
//! idle ssodesk uses no CPU. A timer is armed only while a toast is up or work is pending.

mod action;
mod app;
mod clipboard;
mod components;
mod engine;
mod event;
mod keymap;
mod markdown;
mod terminal;
mod text;
mod theme;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_diag;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::EventStream;
use ratatui::crossterm::queue;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

pub use action::Action;
pub use app::{App, AppOptions, MIN_HEIGHT, MIN_WIDTH, View};
pub use engine::{Engine, refresh_interval};
pub use keymap::{Key, Keymap};
pub use theme::{Theme, ThemeSet, check_file as check_theme_file};

use crate::cli::GlobalArgs;
use crate::config::{ClipboardMode, Config};
use crate::session::Session;
use event::{Signals, Wake};

/// Starts the TUI from the command line: config, tenants, knowledge base, theme and keys are
/// checked before the terminal is touched, so a mistake is a plain error message. With no
/// config file the session runs the embedded demo, which lives as long as the TUI.
pub fn start(global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let session = runtime.block_on(Session::open(global))?;
    let config_path = crate::paths::config_file().map(|p| p.display().to_string());
    let kb = crate::cli::load_kb(global, &session.config)?;
    let mut opts = options(global, &session.config, config_path)?;
    opts.engine = Engine::from_session(&session);
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the TUI needs a terminal on stdin and stdout; in scripts use `ssodesk search QUERY`"
        );
    }
    let log = init_logging();
    terminal::set_log_path(log.clone());
    tracing::info!(
        articles = kb.articles.len(),
        tenants = session.tenants.len(),
        demo = session.demo.is_some(),
        theme = %opts.theme.name,
        "starting the TUI"
    );
    let result = runtime.block_on(run(kb, opts));
    // The demo server (if any) stops here, after the last frame.
    drop(session);
    // Background tasks (a clipboard tool, later HTTP calls) must not hold the exit up.
    runtime.shutdown_background();
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            tracing::error!("{e:#}");
            let log = log
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(no log file)".to_string());
            Err(e.context(format!("the TUI stopped; the log is at {log}")))
        }
    }
}

/// Builds the app's options from flags, config and environment.
pub fn options(
    global: &GlobalArgs,
    config: &Config,
    config_path: Option<String>,
) -> anyhow::Result<AppOptions> {
    let keymap = Keymap::from_config(&config.keys).map_err(|e| match &config_path {
        Some(p) => anyhow::anyhow!("config file {p}: {e}"),
        None => anyhow::anyhow!("{e}"),
    })?;
    let themes = ThemeSet::user_default();
    let no_color = theme::no_color_requested();
    let name = global
        .theme
        .as_deref()
        .or(config.theme.as_deref())
        .unwrap_or("default");
    // Even with NO_COLOR the named theme must exist: a typo should not go unnoticed.
    let named = themes.load(name).map_err(anyhow::Error::msg)?;
    let theme = if no_color { Theme::monochrome() } else { named };
    Ok(AppOptions {
        theme,
        themes,
        no_color,
        keymap,
        clipboard: global
            .clipboard
            .or(config.clipboard)
            .unwrap_or(ClipboardMode::Auto),
        clip_env: clipboard::ClipEnv::detect(),
        mouse: config.mouse,
        engine: Engine::none(),
        config_path,
    })
}

/// Logs go to `<state dir>/ssodesk.log`, never to the screen. `SSODESK_LOG`, else
/// `RUST_LOG`, filters (default `info`).
fn init_logging() -> Option<PathBuf> {
    use tracing_appender::rolling::{RollingFileAppender, Rotation};
    use tracing_subscriber::EnvFilter;

    let dir = crate::paths::state_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::NEVER)
        .filename_prefix("ssodesk.log")
        .build(&dir)
        .ok()?;
    let filter = EnvFilter::try_from_env("SSODESK_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(appender)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(dir.join("ssodesk.log"))
}

type Term = Terminal<CrosstermBackend<BufWriter<std::io::Stdout>>>;

async fn run(kb: crate::kb::KnowledgeBase, opts: AppOptions) -> anyhow::Result<()> {
    terminal::install_panic_hook();
    let guard = terminal::TerminalGuard::enter(opts.mouse).context("cannot set up the terminal")?;
    // One buffered write per frame: many small writes are slow over SSH (tui-anchors C.7).
    let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let mut term = Terminal::new(backend).context("cannot size the terminal")?;
    // Clear through the backend: `Terminal::clear` asks the terminal for the cursor position,
    // a round trip that is slow over SSH and hangs on terminals that never answer.
    term.backend_mut().clear()?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut app = App::new(kb, opts, tx);
    app.start();
    let mut events = EventStream::new();
    let mut signals = Signals::new();
    let mut first_frame = true;

    loop {
        write_outbox(&mut term, &mut app)?;
        if app.take_dirty() {
            draw(&mut term, &mut app)?;
            if std::mem::take(&mut first_frame) {
                debug_panic();
            }
        }
        if app.should_quit() {
            break;
        }
        let wakeup = app.next_wakeup();
        let timer = async {
            match wakeup {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let wake = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => Some(Wake::Terminal(ev)),
                Some(Err(e)) => Some(Wake::TerminalGone(Some(e))),
                None => Some(Wake::TerminalGone(None)),
            },
            Some(action) = rx.recv() => {
                app.update(action);
                // Results that arrived together are applied before one redraw.
                while let Ok(more) = rx.try_recv() {
                    app.update(more);
                }
                None
            }
            () = timer => {
                app.on_tick(std::time::Instant::now());
                None
            }
            sig = signals.recv() => Some(Wake::Signal(sig)),
        };
        match wake {
            Some(Wake::Terminal(ev)) => {
                app.handle_event(ev);
                event::drain_ready(&mut events, |ev| app.handle_event(ev)).await;
            }
            Some(Wake::TerminalGone(err)) => {
                tracing::warn!(?err, "terminal input ended");
                break;
            }
            Some(Wake::Signal(name)) => {
                tracing::info!(signal = name, "quitting on signal");
                break;
            }
            None => {}
        }
    }
    tracing::info!("quit");
    drop(events);
    drop(term);
    drop(guard);
    Ok(())
}

/// One frame inside a synchronized update, so terminals never show half of it (C.5).
fn draw(term: &mut Term, app: &mut App) -> std::io::Result<()> {
    queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(|frame| app.render(frame))?;
    queue!(term.backend_mut(), EndSynchronizedUpdate)?;
    Backend::flush(term.backend_mut())
}

fn write_outbox(term: &mut Term, app: &mut App) -> std::io::Result<()> {
    let out = app.take_outbox();
    if out.is_empty() {
        return Ok(());
    }
    for seq in out {
        term.backend_mut().write_all(&seq)?;
    }
    Write::flush(term.backend_mut())
}

/// Debug builds only: `SSODESK_DEBUG_PANIC=main|task` panics after the first frame, so the
/// end-to-end tests can check that the terminal is restored and the app stops either way.
fn debug_panic() {
    if !cfg!(debug_assertions) {
        return;
    }
    match std::env::var("SSODESK_DEBUG_PANIC").as_deref() {
        Ok("main") => panic!("debug panic in the main task"),
        Ok("task") => {
            tokio::spawn(async { panic!("debug panic in a spawned task") });
        }
        _ => {}
    }
}
