//! End to end: the real binary in a pseudo-terminal, its screen read through vt100. These
//! tests poll for screen content with generous timeouts; they never sleep for a fixed time
//! and never assert on speed.

#![cfg(unix)]

mod hostile;
mod security;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 100;
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the reader thread has seen so far.
struct Seen {
    raw: Vec<u8>,
    parser: vt100::Parser,
}

struct Session {
    seen: Arc<Mutex<Seen>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    dir: tempfile::TempDir,
}

impl Session {
    /// Starts ssodesk with a clean environment: an empty config file in a temp dir, state and
    /// config dirs there too, no NO_COLOR, no display, no SSH.
    fn start(extra_env: &[(&str, &str)], args: &[&str]) -> Session {
        Self::start_with(true, extra_env, args)
    }

    /// `with_config: false` gives no config file at all, so ssodesk runs its embedded demo.
    fn start_with(with_config: bool, extra_env: &[(&str, &str)], args: &[&str]) -> Session {
        Self::start_config(with_config.then_some(""), extra_env, args)
    }

    /// Starts with this config file text (`None`: no config file, the embedded demo).
    fn start_config(
        config_text: Option<&str>,
        extra_env: &[(&str, &str)],
        args: &[&str],
    ) -> Session {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        let with_config = config_text.is_some();
        if let Some(text) = config_text {
            std::fs::write(&config, text).expect("config file");
        }
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ssodesk"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", dir.path());
        cmd.env("TERM", "xterm-256color");
        if with_config {
            cmd.env("SSODESK_CONFIG", &config);
        }
        cmd.env("XDG_CONFIG_HOME", dir.path().join("config"));
        cmd.env("XDG_STATE_HOME", dir.path().join("state"));
        cmd.env("XDG_DATA_HOME", dir.path().join("data"));
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn ssodesk");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pty.master.take_writer().expect("writer")));
        let seen = Arc::new(Mutex::new(Seen {
            raw: Vec::new(),
            parser: vt100::Parser::new(ROWS, COLS, 0),
        }));
        {
            let seen = Arc::clone(&seen);
            let writer = Arc::clone(&writer);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let chunk = &buf[..n];
                            // Answer the primary device attributes query like a VT100
                            // would, so the keyboard-protocol probe gets its answer.
                            if contains(chunk, b"\x1b[c")
                                && let Ok(mut w) = writer.lock()
                            {
                                let _ = w.write_all(b"\x1b[?1;2c");
                                let _ = w.flush();
                            }
                            if let Ok(mut s) = seen.lock() {
                                s.raw.extend_from_slice(chunk);
                                s.parser.process(chunk);
                            }
                        }
                    }
                }
            });
        }
        Session {
            seen,
            writer,
            child,
            master: pty.master,
            dir,
        }
    }

    /// Resizes the pseudo-terminal (the app gets SIGWINCH) and the emulator with it.
    fn resize(&self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        self.seen
            .lock()
            .expect("seen lock")
            .parser
            .screen_mut()
            .set_size(rows, cols);
    }

    fn send(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().expect("writer lock");
        w.write_all(bytes).expect("write to pty");
        w.flush().expect("flush pty");
    }

    fn screen(&self) -> String {
        self.seen
            .lock()
            .expect("seen lock")
            .parser
            .screen()
            .contents()
    }

    /// The text of one cell of the emulated screen.
    fn cell(&self, row: u16, col: u16) -> String {
        self.seen
            .lock()
            .expect("seen lock")
            .parser
            .screen()
            .cell(row, col)
            .map(|c| c.contents().to_string())
            .unwrap_or_default()
    }

    /// The temp dir that is HOME and holds the config, data and state dirs.
    fn home(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn raw(&self) -> Vec<u8> {
        self.seen.lock().expect("seen lock").raw.clone()
    }

    fn alternate_screen(&self) -> bool {
        self.seen
            .lock()
            .expect("seen lock")
            .parser
            .screen()
            .alternate_screen()
    }

    /// Waits until `pred` holds for the screen text; panics with the screen on timeout.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return;
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_text(&self, text: &str) {
        self.wait_for(text, |s| s.contains(text));
    }

    /// Waits for the process to end and returns its exit code.
    fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader thread take in the last bytes.
                self.wait_raw_quiet();
                return status.exit_code();
            }
            if start.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                panic!("ssodesk did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the raw output stops growing for a moment.
    fn wait_raw_quiet(&self) {
        let start = Instant::now();
        let mut last = self.raw().len();
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let now = self.raw().len();
            if now == last || start.elapsed() > TIMEOUT {
                return;
            }
            last = now;
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
const PASTE_OFF: &[u8] = b"\x1b[?2004l";

/// The terminal was handed back: after the last time the alternate screen was entered, it
/// was left, bracketed paste turned off and the cursor shown; the emulator agrees.
fn assert_restored(s: &Session) {
    let raw = s.raw();
    let entered = rfind(&raw, ENTER_ALT).expect("the alternate screen was entered");
    let after = &raw[entered..];
    assert!(
        contains(after, LEAVE_ALT),
        "no leave-alternate-screen after entering"
    );
    assert!(contains(after, SHOW_CURSOR), "cursor not shown again");
    assert!(contains(after, PASTE_OFF), "bracketed paste not turned off");
    assert!(!s.alternate_screen(), "still on the alternate screen");
}

#[test]
fn search_open_copy_quit_and_the_terminal_is_restored() {
    let mut s = Session::start(&[], &["--clipboard", "osc52"]);
    s.wait_text("of 36");
    assert!(s.alternate_screen());
    s.send(b"okta provisioning");
    // The answer about the missing Provisioning tab (Lifecycle Management) comes first.
    s.wait_for("the LCM answer on top", |screen| {
        screen
            .lines()
            .find(|l| l.contains('▌'))
            .is_some_and(|l| l.contains("Why is the Provisioning tab missing"))
    });
    s.send(b"\r");
    s.wait_text("Check these in order");
    s.wait_text("okta-provisioning-tab-missing");
    s.send(b"y");
    s.wait_text("via OSC 52");
    assert!(
        contains(&s.raw(), b"\x1b]52;c;"),
        "no OSC 52 sequence written"
    );
    s.send(b"?");
    s.wait_text("Show or hide this help");
    s.send(b"\x1b");
    s.wait_for("help closed", |screen| {
        !screen.contains("Show or hide this help")
    });
    s.send(b"q");
    assert_eq!(s.wait_exit(), 0);
    assert_restored(&s);
}

#[test]
fn ctrl_c_quits_while_typing() {
    let mut s = Session::start(&[], &[]);
    s.wait_text("of 36");
    s.send(b"q");
    // q typed into the search box, the app still runs.
    s.wait_text("› q");
    s.send(b"\x03");
    assert_eq!(s.wait_exit(), 0);
    assert_restored(&s);
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(&[], &[]);
    s.wait_text("of 36");
    let pid = s.child.process_id().expect("pid");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    assert_eq!(s.wait_exit(), 0);
    assert_restored(&s);
}

#[test]
fn shrinking_below_the_minimum_shows_a_notice_and_growing_brings_the_ui_back() {
    let mut s = Session::start(&[], &[]);
    s.wait_text("of 36");
    s.resize(10, 40);
    s.wait_text("Terminal too small");
    s.wait_text("40x10");
    s.resize(ROWS, COLS);
    s.wait_for("the UI again", |screen| {
        screen.contains("of 36") && !screen.contains("too small")
    });
    s.send(b"\x03");
    assert_eq!(s.wait_exit(), 0);
    assert_restored(&s);
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_in_a_spawned_task_restores_the_terminal_and_exits() {
    let mut s = Session::start(&[("SSODESK_DEBUG_PANIC", "task")], &[]);
    let code = s.wait_exit();
    assert_eq!(code, 101);
    assert_restored(&s);
    let text = String::from_utf8_lossy(&s.raw()).to_string();
    assert!(
        text.contains("ssodesk crashed: debug panic in a spawned task"),
        "{text}"
    );
    assert!(text.contains("The log is at"), "{text}");
    assert!(text.contains("ssodesk.log"), "{text}");
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_in_the_main_task_restores_the_terminal_and_exits() {
    let mut s = Session::start(&[("SSODESK_DEBUG_PANIC", "main")], &[]);
    assert_eq!(s.wait_exit(), 101);
    assert_restored(&s);
    let text = String::from_utf8_lossy(&s.raw()).to_string();
    assert!(
        text.contains("ssodesk crashed: debug panic in the main task"),
        "{text}"
    );
}

#[test]
fn the_demo_tenants_show_with_their_badges_without_a_config() {
    let mut s = Session::start_with(false, &[], &[]);
    s.wait_text("of 36");
    // ctrl-t: the diagnostics tab.
    s.send(b"\x14");
    s.wait_text("Tenants");
    // Every demo tenant is checked in the background and gets its badge.
    s.wait_for("five checked tenants", |screen| {
        [
            "ERROR   acme PROD",
            "ERROR   globex",
            "ERROR   initech PROD",
            "ERROR   umbrella",
            "OK      hooli",
        ]
        .iter()
        .all(|row| screen.contains(row))
    });
    s.wait_text("· checked ");
    s.send(b"q");
    assert_eq!(s.wait_exit(), 0);
    assert_restored(&s);
}
