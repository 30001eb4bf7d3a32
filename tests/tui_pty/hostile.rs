//! Hostile tenant data in the TUI: the demo's opt-in `hostile` tenant carries escape sequences,
//! 8-bit C1 controls, bidi overrides, zero-width characters, a 10,000-character name, emoji
//! and CJK in every field it has. The raw bytes the terminal receives while its findings,
//! details and a fix popup are on screen must hold none of it, and the layout must hold.

use ssodesk::demo::{DemoOptions, DemoServer};

use super::{COLS, ROWS, Session, contains};

/// Byte sequences only the hostile data could have put there: ratatui and crossterm never
/// emit them.
const FORBIDDEN: &[(&str, &[u8])] = &[
    ("OSC 0 (window title)", b"\x1b]0;"),
    ("OSC 52 (clipboard)", b"\x1b]52;"),
    ("OSC 8 (hyperlink)", b"\x1b]8;"),
    ("SGR 31 from the data", b"\x1b[31m"),
    ("BEL", b"\x07"),
    ("backspace", b"\x08"),
    ("DEL", b"\x7f"),
    ("C1 CSI", "\u{9b}".as_bytes()),
    ("C1 OSC", "\u{9d}".as_bytes()),
    ("C1 ST", "\u{9c}".as_bytes()),
    ("right-to-left override", "\u{202e}".as_bytes()),
    ("pop directional formatting", "\u{202c}".as_bytes()),
    ("zero-width space", "\u{200b}".as_bytes()),
    ("zero-width joiner", "\u{200d}".as_bytes()),
    ("zero-width no-break space", "\u{feff}".as_bytes()),
    ("word joiner", "\u{2060}".as_bytes()),
];

/// Box-drawing and scrollbar glyphs a pane's right edge is made of.
fn is_edge(cell: &str) -> bool {
    matches!(
        cell,
        "│" | "╮" | "╯" | "┤" | "║" | "█" | "▐" | "┃" | "▌" | "▕"
    )
}

#[test]
fn hostile_text_never_reaches_the_terminal_and_the_layout_holds() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let demo = rt
        .block_on(DemoServer::start(DemoOptions {
            hostile: true,
            ..DemoOptions::for_tests()
        }))
        .expect("demo starts");
    let env = demo.env_exports();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut s = Session::start_config(Some(&demo.config_toml()), &env, &[]);
    s.wait_text("Search");
    s.send(b"\x14"); // ctrl-t
    s.wait_text("hostile");
    s.send(b":tenant hostile\r");
    s.wait_for("the hostile tenant's findings", |t| {
        t.contains("hostile ·") || t.contains("hostile PROD")
    });
    s.wait_for("its check to finish", |t| !t.contains("checking"));
    // Walk every finding so each one's detail and evidence are drawn.
    s.send(b"\t");
    for _ in 0..20 {
        s.send(b"j");
    }
    s.wait_raw_quiet();
    // A fix popup lists the targets and calls with the hostile names in them.
    s.send(b"gf");
    s.wait_raw_quiet();
    let screen = s.screen();
    for row in 1..ROWS - 1 {
        let edge = s.cell(row, COLS - 1);
        assert!(
            is_edge(&edge),
            "row {row} lost its right edge (`{edge}`): the layout broke\n{screen}"
        );
    }
    s.send(b"\x1b");
    s.wait_raw_quiet();
    s.send(b"q");
    assert_eq!(s.wait_exit(), 0);
    let raw = s.raw();
    for (what, bytes) in FORBIDDEN {
        assert!(!contains(&raw, bytes), "{what} reached the terminal");
    }
    // The hostile names were on screen, cleaned: this test saw the data it is about.
    assert!(
        screen.contains("Hostile") || screen.contains("hostile"),
        "{screen}"
    );
}
