//! Headless tests of the whole app: key events in, state and `TestBackend` screens out.
//! Snapshots cover the main screens; style assertions cover what colour means, since a
//! snapshot of a `TestBackend` shows symbols only.

use base64::Engine as _;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::style::{Color, Modifier};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::action::Action;
use super::app::{App, AppOptions, View};
use super::clipboard::{ClipEnv, CopyOutcome};
use super::components::search::Focus;
use super::keymap::Keymap;
use super::theme::{Theme, ThemeSet};
use crate::config::{ClipboardMode, KeyList};
use crate::kb::{KbSource, KnowledgeBase, plain};

const LCM: &str = "okta-provisioning-tab-missing";

pub(super) fn options() -> AppOptions {
    let themes = ThemeSet::new(None);
    AppOptions {
        theme: themes.load("default").expect("default theme"),
        themes,
        no_color: false,
        keymap: Keymap::defaults(),
        clipboard: ClipboardMode::Osc52,
        clip_env: ClipEnv::default(),
        mouse: true,
        engine: super::engine::Engine::none(),
        config_path: Some("/home/agent/.config/ssodesk/config.toml".to_string()),
    }
}

pub(super) fn app_with(kb: KnowledgeBase, opts: AppOptions) -> (App, UnboundedReceiver<Action>) {
    let (tx, rx) = unbounded_channel();
    (App::new(kb, opts, tx), rx)
}

fn app() -> (App, UnboundedReceiver<Action>) {
    app_with(KnowledgeBase::embedded(), options())
}

/// A key as the terminal sends it: `q`, `G`, `ctrl-c`, `enter`, `esc`, `tab`, `shift-tab`,
/// `down`, `up`, `pgdn`, `f1`.
pub(super) fn key_event(text: &str) -> KeyEvent {
    let (mods, name) = match text.strip_prefix("ctrl-") {
        Some(rest) if !rest.is_empty() => (KeyModifiers::CONTROL, rest),
        _ => (KeyModifiers::NONE, text),
    };
    let (code, mods) = match name {
        "enter" => (KeyCode::Enter, mods),
        "esc" => (KeyCode::Esc, mods),
        "tab" => (KeyCode::Tab, mods),
        "shift-tab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
        "down" => (KeyCode::Down, mods),
        "up" => (KeyCode::Up, mods),
        "pgdn" => (KeyCode::PageDown, mods),
        "backspace" => (KeyCode::Backspace, mods),
        "f1" => (KeyCode::F(1), mods),
        s => {
            let mut chars = s.chars();
            let c = chars.next().expect("a key");
            assert!(chars.next().is_none(), "unknown key {s}");
            let shift = if c.is_uppercase() || "?:~!@#$%^&*()_+{}|\"<>".contains(c) {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            (KeyCode::Char(c), mods | shift)
        }
    };
    KeyEvent::new_with_kind(code, mods, KeyEventKind::Press)
}

pub(super) fn press(app: &mut App, keys: &[&str]) {
    for k in keys {
        app.handle_event(Event::Key(key_event(k)));
    }
}

pub(super) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let ev = KeyEvent::new_with_kind(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press);
        app.handle_event(Event::Key(ev));
    }
}

pub(super) fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| app.render(f)).expect("draw");
    term
}

pub(super) fn row_text(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

pub(super) fn screen_text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| row_text(buf, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The (x, y) of the first cell where `needle` starts, matching cell symbols.
pub(super) fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let chars: Vec<char> = needle.chars().collect();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let fits = chars.iter().enumerate().all(|(i, c)| {
                let xi = x + i as u16;
                xi < buf.area.width && buf[(xi, y)].symbol() == c.to_string()
            });
            if fits {
                return Some((x, y));
            }
        }
    }
    None
}

fn lcm_index(app: &App) -> usize {
    app.kb().index_of(LCM).expect("LCM article")
}

// ---------------------------------------------------------------- search

#[test]
fn opens_on_search_with_the_input_focused_and_searches_as_you_type() {
    let (mut app, _rx) = app();
    assert_eq!(app.view(), View::Search);
    assert_eq!(app.search().focus, Focus::Input);
    let all = app.search().hits().len();
    assert_eq!(
        all,
        app.kb().articles.len(),
        "an empty query lists everything"
    );
    type_text(&mut app, "okta provisioning");
    assert_eq!(app.search().query(), "okta provisioning");
    assert!(app.search().hits().len() < all);
    assert_eq!(app.search().selected_article(), Some(lcm_index(&app)));
}

#[test]
fn q_types_while_the_input_has_focus_and_quits_elsewhere() {
    let (mut app, _rx) = app();
    press(&mut app, &["q"]);
    assert!(!app.should_quit());
    assert_eq!(app.search().query(), "q");
    // Esc clears, Esc again hands focus to the list, where q quits.
    press(&mut app, &["esc"]);
    assert_eq!(app.search().query(), "");
    assert_eq!(app.search().focus, Focus::Input);
    press(&mut app, &["esc"]);
    assert_eq!(app.search().focus, Focus::List);
    press(&mut app, &["q"]);
    assert!(app.should_quit());
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta");
    press(&mut app, &["ctrl-c"]);
    assert!(app.should_quit());
}

#[test]
fn key_releases_are_ignored() {
    let (mut app, _rx) = app();
    let release = KeyEvent::new_with_kind(
        KeyCode::Char('x'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
    );
    app.handle_event(Event::Key(release));
    assert_eq!(app.search().query(), "");
}

#[test]
fn readline_keys_edit_the_query() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta push groups");
    press(&mut app, &["ctrl-w"]);
    assert_eq!(app.search().query(), "okta push ");
    press(&mut app, &["ctrl-a"]);
    type_text(&mut app, "x");
    assert_eq!(app.search().query(), "xokta push ");
    press(&mut app, &["ctrl-e", "backspace"]);
    assert_eq!(app.search().query(), "xokta push");
    press(&mut app, &["ctrl-u"]);
    assert_eq!(app.search().query(), "");
}

#[test]
fn list_moves_while_typing_and_with_j_k_g_after_tab() {
    let (mut app, _rx) = app();
    let first = app.search().selected_article();
    press(&mut app, &["down", "ctrl-n"]);
    let third = app.search().hits()[2].index;
    assert_eq!(app.search().selected_article(), Some(third));
    press(&mut app, &["ctrl-p"]);
    assert_eq!(
        app.search().selected_article(),
        Some(app.search().hits()[1].index)
    );
    // j types while the input has focus ...
    press(&mut app, &["j"]);
    assert_eq!(app.search().query(), "j");
    press(&mut app, &["ctrl-u", "tab"]);
    assert_eq!(app.search().focus, Focus::List);
    // ... and moves once the list has it.
    press(&mut app, &["G"]);
    let last = app.search().hits().last().map(|h| h.index);
    assert_eq!(app.search().selected_article(), last);
    press(&mut app, &["g"]);
    assert_eq!(app.search().selected_article(), first);
    press(&mut app, &["j", "j", "k"]);
    assert_eq!(
        app.search().selected_article(),
        Some(app.search().hits()[1].index)
    );
}

#[test]
fn paste_goes_into_the_input_cleaned() {
    let (mut app, _rx) = app();
    app.handle_event(Event::Paste("okta\x1b[31m push\ngroups".to_string()));
    assert_eq!(app.search().query(), "okta push groups");
}

#[test]
fn question_mark_and_colon_act_in_an_empty_box_and_type_otherwise() {
    let (mut app, _rx) = app();
    press(&mut app, &["?"]);
    assert_eq!(app.popup(), Some("help"));
    press(&mut app, &["esc"]);
    assert_eq!(app.popup(), None);
    type_text(&mut app, "why");
    press(&mut app, &["?"]);
    assert_eq!(app.popup(), None);
    assert_eq!(app.search().query(), "why?");
    press(&mut app, &["f1"]);
    assert_eq!(app.popup(), Some("help"));
}

// ---------------------------------------------------------------- answer

#[test]
fn enter_opens_the_answer_and_esc_or_slash_come_back() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    press(&mut app, &["enter"]);
    assert_eq!(app.view(), View::Answer);
    assert_eq!(app.answer().article(), Some(lcm_index(&app)));
    press(&mut app, &["esc"]);
    assert_eq!(app.view(), View::Search);
    assert_eq!(
        app.search().query(),
        "okta provisioning",
        "the query survives"
    );
    press(&mut app, &["enter", "/"]);
    assert_eq!(app.view(), View::Search);
    assert_eq!(app.search().focus, Focus::Input);
}

#[test]
fn answer_scrolls_and_clamps() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    press(&mut app, &["enter"]);
    // The viewport is known after a draw.
    draw(&mut app, 80, 20);
    press(&mut app, &["j", "j"]);
    assert_eq!(app.answer().scroll(), 2);
    press(&mut app, &["k"]);
    assert_eq!(app.answer().scroll(), 1);
    press(&mut app, &["G"]);
    let bottom = app.answer().scroll();
    assert!(bottom > 1);
    press(&mut app, &["j", "pgdn"]);
    assert_eq!(app.answer().scroll(), bottom, "never past the end");
    press(&mut app, &["g"]);
    assert_eq!(app.answer().scroll(), 0);
}

#[test]
fn related_articles_open_and_esc_walks_back() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    press(&mut app, &["enter"]);
    let lcm = lcm_index(&app);
    let related = app.answer().related().to_vec();
    assert!(!related.is_empty());
    let expected: Vec<usize> = {
        let kb = app.kb();
        kb.related(&kb.articles[lcm], 5)
            .iter()
            .filter_map(|a| kb.index_of(&a.id))
            .collect()
    };
    assert_eq!(related, expected);
    press(&mut app, &["tab", "j", "enter"]);
    assert_eq!(app.answer().article(), Some(related[1]));
    press(&mut app, &["esc"]);
    assert_eq!(app.answer().article(), Some(lcm));
    press(&mut app, &["esc"]);
    assert_eq!(app.view(), View::Search);
}

// ---------------------------------------------------------------- copy

/// The text of the one OSC 52 copy the app wrote to the terminal.
pub(super) fn osc52_copied(app: &mut App) -> String {
    let out = app.take_outbox();
    assert_eq!(out.len(), 1);
    let seq = String::from_utf8(out[0].clone()).expect("ascii");
    let payload = seq
        .strip_prefix("\x1b]52;c;")
        .and_then(|s| s.strip_suffix('\x07'))
        .expect("an OSC 52 sequence");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("base64");
    String::from_utf8(decoded).expect("utf8")
}

#[test]
fn y_copies_the_answer_as_plain_text_via_osc52() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    press(&mut app, &["enter", "y"]);
    let copied = osc52_copied(&mut app);
    let body = &app.kb().articles[lcm_index(&app)].body;
    assert_eq!(copied, plain::to_plain(body));
    let toast = app.toasts().latest().expect("a toast");
    assert!(
        toast.text.starts_with("Copied ") && toast.text.ends_with(" via OSC 52"),
        "{}",
        toast.text
    );
}

#[test]
fn failed_native_copy_falls_back_to_osc52() {
    let (mut app, _rx) = app();
    app.update(Action::CopyDone(CopyOutcome {
        tool: "xclip",
        what: None,
        bytes: 5,
        error: Some("xclip exited with 1".into()),
        fallback: Some("hello".into()),
    }));
    assert_eq!(app.take_outbox(), vec![b"\x1b]52;c;aGVsbG8=\x07".to_vec()]);
    let toast = app.toasts().latest().expect("toast");
    assert!(toast.text.contains("xclip exited with 1") && toast.text.contains("OSC 52"));
    app.update(Action::CopyDone(CopyOutcome {
        tool: "wl-copy",
        what: None,
        bytes: 2048,
        error: None,
        fallback: None,
    }));
    assert_eq!(
        app.toasts().latest().map(|t| t.text.as_str()),
        Some("Copied 2.0 KB via wl-copy")
    );
}

#[tokio::test]
async fn background_tasks_report_through_the_channel() {
    let (mut app, mut rx) = app();
    assert_eq!(app.next_wakeup(), None, "idle: nothing to wake up for");
    app.spawn_task("Checking", async {
        Action::Toast(super::components::toast::Toast::info("done"))
    });
    assert_eq!(app.pending_tasks(), 1);
    assert!(
        app.next_wakeup().is_some(),
        "the spinner ticks while work is pending"
    );
    let result = rx.recv().await.expect("the task's result");
    assert!(matches!(result, Action::TaskDone { .. }));
    app.update(result);
    assert_eq!(app.pending_tasks(), 0);
    assert_eq!(app.toasts().latest().map(|t| t.text.as_str()), Some("done"));
}

// ---------------------------------------------------------------- palette, themes, topics

#[test]
fn palette_switches_theme_and_topic() {
    let (mut app, _rx) = app();
    press(&mut app, &[":"]);
    assert_eq!(app.popup(), Some("palette"));
    type_text(&mut app, "theme light");
    press(&mut app, &["enter"]);
    assert_eq!(app.popup(), None);
    assert_eq!(app.theme().name, "light");
    press(&mut app, &[":"]);
    type_text(&mut app, "topic login");
    press(&mut app, &["enter"]);
    let kb = app.kb();
    assert!(!app.search().hits().is_empty());
    assert!(
        app.search()
            .hits()
            .iter()
            .all(|h| kb.articles[h.index].topic == crate::kb::Topic::Login)
    );
    press(&mut app, &[":"]);
    type_text(&mut app, "topic all");
    press(&mut app, &["enter"]);
    assert_eq!(app.search().hits().len(), app.kb().articles.len());
}

#[test]
fn palette_reports_a_bad_command_and_stays_open() {
    let (mut app, _rx) = app();
    press(&mut app, &[":"]);
    type_text(&mut app, "theme neon");
    // "theme neon" fuzzy-matches nothing and is not a theme.
    press(&mut app, &["enter"]);
    assert_eq!(app.popup(), Some("palette"));
    let toast = app.toasts().latest().expect("toast");
    assert!(toast.text.contains("neon"), "{}", toast.text);
    assert_eq!(app.theme().name, "default");
}

#[test]
fn no_color_refuses_theme_changes() {
    let mut opts = options();
    opts.no_color = true;
    opts.theme = Theme::monochrome();
    let (mut app, _rx) = app_with(KnowledgeBase::embedded(), opts);
    app.update(Action::SetTheme("light".into()));
    assert_eq!(app.theme().name, "no-color");
}

#[test]
fn tenant_command_says_there_are_no_tenants() {
    let (mut app, _rx) = app();
    app.update(Action::SwitchTenant("acme".into()));
    assert_eq!(
        app.toasts().latest().map(|t| t.text.as_str()),
        Some("No tenants configured")
    );
}

// ---------------------------------------------------------------- keymap from config

#[test]
fn remapped_keys_work_and_show_in_help_and_hints() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("quit".to_string(), KeyList::One("ctrl-q".to_string()));
    keys.insert("help".to_string(), KeyList::One("f2".to_string()));
    let mut opts = options();
    opts.keymap = Keymap::from_config(&keys).expect("keys");
    let (mut app, _rx) = app_with(KnowledgeBase::embedded(), opts);
    press(&mut app, &["tab", "q"]);
    assert!(!app.should_quit(), "q is no longer bound");
    let term = draw(&mut app, 100, 30);
    assert!(row_text(term.backend().buffer(), 29).contains("ctrl-q quit"));
    app.update(Action::Help);
    let term = draw(&mut app, 100, 40);
    let text = screen_text(term.backend().buffer());
    assert!(
        text.contains("ctrl-q") && text.contains("Quit ssodesk"),
        "{text}"
    );
    assert!(text.contains("f2"), "{text}");
    press(&mut app, &["ctrl-q"]);
    assert!(app.should_quit());
}

// ---------------------------------------------------------------- mouse, views, idle

#[test]
fn mouse_click_selects_and_a_second_click_opens() {
    let (mut app, _rx) = app();
    draw(&mut app, 100, 30);
    // The list starts at row 4 (header, 3-row input, list border); row 6 is the third hit.
    let click = |row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.handle_event(click(7));
    let third = app.search().hits()[2].index;
    assert_eq!(app.search().selected_article(), Some(third));
    app.handle_event(click(7));
    assert_eq!(app.view(), View::Answer);
    assert_eq!(app.answer().article(), Some(third));
}

#[test]
fn mouse_is_ignored_unless_enabled() {
    let mut opts = options();
    opts.mouse = false;
    let (mut app, _rx) = app_with(KnowledgeBase::embedded(), opts);
    draw(&mut app, 100, 30);
    app.handle_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 7,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(
        app.search().selected_article(),
        Some(app.search().hits()[0].index)
    );
}

#[test]
fn diagnostics_view_without_tenants() {
    let (mut app, _rx) = app();
    press(&mut app, &["ctrl-t"]);
    assert_eq!(app.view(), View::Diagnostics);
    let term = draw(&mut app, 100, 30);
    let text = screen_text(term.backend().buffer());
    assert!(text.contains("No tenants configured"), "{text}");
    press(&mut app, &["esc"]);
    assert_eq!(app.view(), View::Search);
}

#[test]
fn redraws_only_after_a_change() {
    let (mut app, _rx) = app();
    assert!(app.take_dirty(), "the first frame");
    assert!(!app.take_dirty());
    app.on_tick(std::time::Instant::now());
    assert!(!app.take_dirty(), "an idle tick changes nothing");
    type_text(&mut app, "o");
    assert!(app.take_dirty());
    app.handle_event(Event::Resize(80, 24));
    assert!(app.take_dirty());
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_search_with_results() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    let term = draw(&mut app, 100, 24);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn snapshot_search_wide_with_preview() {
    let (mut app, _rx) = app();
    type_text(&mut app, "scim token");
    let term = draw(&mut app, 130, 24);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn snapshot_answer() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    press(&mut app, &["enter"]);
    let term = draw(&mut app, 100, 32);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn snapshot_help() {
    let (mut app, _rx) = app();
    press(&mut app, &["?"]);
    let term = draw(&mut app, 100, 40);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn snapshot_palette() {
    let (mut app, _rx) = app();
    press(&mut app, &[":"]);
    type_text(&mut app, "th");
    let term = draw(&mut app, 100, 24);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn snapshot_too_small() {
    let (mut app, _rx) = app();
    let term = draw(&mut app, 50, 12);
    insta::assert_snapshot!(term.backend());
}

// ---------------------------------------------------------------- styles

#[test]
fn matched_title_characters_use_the_highlight_style() {
    let (mut app, _rx) = app();
    type_text(&mut app, "okta provisioning");
    press(&mut app, &["down"]);
    let theme = app.theme().clone();
    let term = draw(&mut app, 100, 24);
    let buf = term.backend().buffer();
    // The LCM answer is first and no longer selected: its row shows plain highlights.
    let (x, y) = find(buf, "Why is the Provisioning tab").expect("LCM row");
    let matched = &buf[(x + 11, y)]; // the P of Provisioning
    assert_eq!(matched.symbol(), "P");
    assert_eq!(matched.fg, theme.highlight.fg.expect("highlight colour"));
    assert!(matched.modifier.contains(Modifier::BOLD));
    let plain = &buf[(x, y)]; // the W of Why
    assert_ne!(plain.fg, matched.fg);
    // The selected row (second) carries the selection background, highlights included.
    let sel_bg = theme.selection.bg.expect("selection colour");
    assert_eq!(buf[(x, y + 1)].bg, sel_bg);
    let oy = y + 1;
    let ox = (0..buf.area.width)
        .find(|&cx| buf[(cx, oy)].symbol() == "O")
        .expect("the O of Okta on the selected row");
    assert_eq!(buf[(ox, oy)].bg, sel_bg);
    assert_eq!(
        buf[(ox, oy)].fg,
        theme.highlight.fg.expect("highlight colour")
    );
    assert_ne!(
        buf[(ox - 2, oy)].fg,
        buf[(ox, oy)].fg,
        "the word before is not highlighted"
    );
}

#[test]
fn theme_switch_recolours_the_screen() {
    let (mut app, _rx) = app();
    let light_bg = ThemeSet::new(None)
        .load("light")
        .expect("light")
        .text
        .bg
        .expect("light paints a background");
    let term = draw(&mut app, 100, 24);
    assert_ne!(term.backend().buffer()[(50, 12)].bg, light_bg);
    app.update(Action::SetTheme("light".into()));
    let term = draw(&mut app, 100, 24);
    assert_eq!(term.backend().buffer()[(50, 12)].bg, light_bg);
}

#[test]
fn no_color_draws_no_colour_anywhere() {
    let mut opts = options();
    opts.no_color = true;
    opts.theme = Theme::monochrome();
    let (mut app, _rx) = app_with(KnowledgeBase::embedded(), opts);
    type_text(&mut app, "okta provisioning");
    let mut screens = vec![draw(&mut app, 120, 30)];
    press(&mut app, &["enter"]);
    screens.push(draw(&mut app, 100, 30));
    press(&mut app, &["?"]);
    screens.push(draw(&mut app, 100, 30));
    for term in &screens {
        for cell in term.backend().buffer().content() {
            assert_eq!(cell.fg, Color::Reset, "{cell:?}");
            assert_eq!(cell.bg, Color::Reset, "{cell:?}");
        }
    }
    // Matches still stand out: bold and underlined.
    let term = {
        press(&mut app, &["/"]);
        draw(&mut app, 100, 24)
    };
    let buf = term.backend().buffer();
    let (x, y) = find(buf, "Why is the Provisioning").expect("row");
    assert!(buf[(x + 11, y)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn popups_and_toasts_fit_at_the_minimum_size() {
    for (w, h) in [(60, 15), (61, 16), (64, 17), (80, 20)] {
        let (mut app, _rx) = app();
        app.update(Action::Toast(super::components::toast::Toast::error(
            "a long error message that has to wrap over more than one line of the toast box",
        )));
        press(&mut app, &[":"]);
        let term = draw(&mut app, w, h);
        let buf = term.backend().buffer();
        assert!(screen_text(buf).contains("Commands"));
        // The palette box is whole: its bottom-left corner sits above the status line.
        let px = (w - (w - 4).min(72)) / 2;
        assert!(
            (0..h - 1).any(|y| buf[(px, y)].symbol() == "╰"),
            "palette cut off at {w}x{h}:\n{}",
            screen_text(buf)
        );
        press(&mut app, &["esc", "?"]);
        let term = draw(&mut app, w, h);
        assert!(screen_text(term.backend().buffer()).contains("Help"));
        press(&mut app, &["esc", "enter"]);
        draw(&mut app, w, h);
        press(&mut app, &["tab"]);
        draw(&mut app, w, h);
    }
}

// ---------------------------------------------------------------- hostile and wide text

fn article(id: &str, title: &str, body: &str) -> (String, String) {
    (
        format!("{id}.md"),
        format!(
            "+++\nid = \"{id}\"\ntitle = \"{title}\"\ntopic = \"login\"\nidps = []\nkeywords = []\nchecks = []\nsources = []\n+++\n{body}\n"
        ),
    )
}

#[test]
fn hostile_and_wide_text_never_reaches_a_cell_as_control_characters() {
    let kb = KnowledgeBase::from_files(
        vec![
            article(
                "evil",
                "Evil \\u001b]52;c;cHduZWQ=\\u0007 title \\u009b31m red",
                "Body \u{1b}[2J with \u{1b}]0;pwned\u{7} escapes and \u{202e}bidi.",
            ),
            article(
                "wide",
                "山田太郎のSSOログインが失敗する 👩‍🔬 とても長いタイトルです",
                "本文 **太字** と `コード` 👩‍🔬👩‍🔬👩‍🔬",
            ),
        ],
        KbSource::Embedded,
    );
    assert_eq!(kb.articles.len(), 2, "{:?}", kb.problems);
    let (mut app, _rx) = app_with(kb, options());
    let mut screens = Vec::new();
    for (w, h) in [(60, 15), (61, 16), (100, 30), (131, 20)] {
        screens.push(draw(&mut app, w, h));
    }
    press(&mut app, &["enter"]);
    screens.push(draw(&mut app, 61, 20));
    press(&mut app, &["/", "down", "enter"]);
    screens.push(draw(&mut app, 67, 20));
    for term in &screens {
        for cell in term.backend().buffer().content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202e}'),
                "{cell:?}"
            );
        }
    }
}
