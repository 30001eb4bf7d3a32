//! Entering and leaving the terminal's TUI mode, on every path.
//!
//! [`TerminalGuard`] turns on raw mode, the alternate screen, bracketed paste, optionally mouse
//! capture, and the keyboard enhancement flags when the terminal supports them; dropping it
//! undoes each of them. The panic hook does the same and then ends the process, because a
//! panic in a spawned tokio task would otherwise leave the main loop drawing into a restored
//! terminal (tui-anchors C.1). Restoring runs at most once, so a panic during unwinding does
//! not garble the message with a second restore.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};

/// What is switched on, so that restoring undoes exactly that.
struct Active {
    mouse: bool,
    keyboard_flags: bool,
}

/// True while the terminal is in TUI mode.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static STATE: Mutex<Active> = Mutex::new(Active {
    mouse: false,
    keyboard_flags: false,
});
/// Shown in the panic message.
static LOG_PATH: Mutex<Option<PathBuf>> = Mutex::new(None);

pub struct TerminalGuard(());

impl TerminalGuard {
    /// Switches the terminal into TUI mode. On failure what was switched on is undone.
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard(());
        let mut out = io::stdout();
        execute!(
            out,
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
            set_state(|s| s.mouse = true);
        }
        // Kitty's protocol tells esc from alt-keys and ctrl-i from tab. Pushing it where it
        // is not supported fails on some terminals (Windows consoles), so ask first. The
        // query must run before the event stream starts reading stdin.
        if matches!(
            ratatui::crossterm::terminal::supports_keyboard_enhancement(),
            Ok(true)
        ) && execute!(
            out,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )
        .is_ok()
        {
            set_state(|s| s.keyboard_flags = true);
        }
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn set_state(f: impl FnOnce(&mut Active)) {
    if let Ok(mut s) = STATE.lock() {
        f(&mut s);
    }
}

/// Undoes everything [`TerminalGuard::enter`] did. Safe to call more than once and from a
/// panic hook: only the first call does anything, and every step is best effort.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let (mouse, keyboard_flags) = STATE
        .lock()
        .map(|s| (s.mouse, s.keyboard_flags))
        .unwrap_or((true, false));
    let mut out = io::stdout();
    if keyboard_flags {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    if mouse {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// Remembers the log file for the panic message.
pub fn set_log_path(path: Option<PathBuf>) {
    if let Ok(mut p) = LOG_PATH.lock() {
        *p = path;
    }
}

/// Installs the hook: restore the terminal, log the panic, print it with the log path, and
/// exit. Exiting here is what stops the app when the panic happened in a spawned task.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        restore();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        // The message may quote untrusted text, and the terminal is no longer protected.
        let message = crate::sanitize::clean_text(&payload);
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic: {message}");
        let log = LOG_PATH
            .lock()
            .ok()
            .and_then(|p| p.clone())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(no log file)".to_string());
        let _ = writeln!(
            io::stderr(),
            "ssodesk crashed: {message} ({location})\nThe log is at {log}\n\
             Please report this with the log attached."
        );
        std::process::exit(101);
    }));
}
