//! Where the loop's input comes from: terminal events, the action channel, timers and signals.

use std::task::Poll;

use futures::StreamExt;
use ratatui::crossterm::event::{Event, EventStream};

/// What woke the loop.
pub enum Wake {
    Terminal(Event),
    /// stdin closed or the terminal reported an error: time to leave.
    TerminalGone(Option<std::io::Error>),
    /// SIGTERM or SIGHUP: leave cleanly, restoring the terminal.
    Signal(&'static str),
}

/// Takes every terminal event that is already waiting, without blocking. A burst (a window
/// being resized, a paste without bracketed paste) is then handled before one redraw instead
/// of one redraw per event. `futures::poll!` polls with this task's own waker, so the stream's
/// wake-up thread keeps a waker that works (a no-op waker from `now_or_never` would lose it).
pub async fn drain_ready(events: &mut EventStream, mut f: impl FnMut(Event)) {
    // A bound keeps a flood from starving the redraw.
    for _ in 0..256 {
        match futures::poll!(events.next()) {
            Poll::Ready(Some(Ok(event))) => f(event),
            _ => break,
        }
    }
}

/// Signals that should end the app cleanly. On non-Unix platforms there are none to catch.
pub struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    pub fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    /// Resolves when a signal arrives; never, if none can be caught.
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            let term = async {
                match &mut self.term {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let hup = async {
                match &mut self.hup {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = term => "SIGTERM",
                _ = hup => "SIGHUP",
            }
        }
        #[cfg(not(unix))]
        {
            std::future::pending().await
        }
    }
}
