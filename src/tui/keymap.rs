//! Keys to actions. Defaults live here; `[keys]` in the config replaces an action's keys by
//! name. Help and the bottom line are generated from the live map, so remapped keys show.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use crate::config::KeyList;

/// A key with its modifiers, normalised so that what the terminal sends and what the config
/// names compare equal (`G` arrives as shift+`G`; `shift-tab` arrives as BackTab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub mods: u8,
}

/// `KeyCode` is not `Ord`; this small mirror is, so bindings sort stably in help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

const CTRL: u8 = 1;
const ALT: u8 = 2;
const SHIFT: u8 = 4;

const NAMES: &[(&str, Named)] = &[
    ("enter", Named::Enter),
    ("return", Named::Enter),
    ("esc", Named::Esc),
    ("escape", Named::Esc),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("delete", Named::Delete),
    ("del", Named::Delete),
    ("insert", Named::Insert),
    ("ins", Named::Insert),
    ("home", Named::Home),
    ("end", Named::End),
    ("pgup", Named::PageUp),
    ("pageup", Named::PageUp),
    ("pgdn", Named::PageDown),
    ("pgdown", Named::PageDown),
    ("pagedown", Named::PageDown),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
];

impl Key {
    /// The key as the app sees it, or `None` for keys ssodesk never binds (media keys, ...).
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let mut mods = 0;
        if ev.modifiers.contains(KeyModifiers::CONTROL) {
            mods |= CTRL;
        }
        if ev.modifiers.contains(KeyModifiers::ALT) {
            mods |= ALT;
        }
        if ev.modifiers.contains(KeyModifiers::SHIFT) {
            mods |= SHIFT;
        }
        let code = match ev.code {
            KeyCode::Char(c) => {
                // The shift is already in the character (`G`, `?`); keep it out of the mods.
                let c = if mods & SHIFT != 0 {
                    c.to_uppercase().next().unwrap_or(c)
                } else {
                    c
                };
                mods &= !SHIFT;
                // Terminals send ctrl-C and ctrl-c alike; bind them alike.
                let c = if mods & CTRL != 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                };
                KeyCodeOrd::Char(c)
            }
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::BackTab => {
                mods &= !SHIFT;
                KeyCodeOrd::Named(Named::BackTab)
            }
            KeyCode::Enter => KeyCodeOrd::Named(Named::Enter),
            KeyCode::Esc => KeyCodeOrd::Named(Named::Esc),
            KeyCode::Tab => KeyCodeOrd::Named(Named::Tab),
            KeyCode::Backspace => KeyCodeOrd::Named(Named::Backspace),
            KeyCode::Delete => KeyCodeOrd::Named(Named::Delete),
            KeyCode::Insert => KeyCodeOrd::Named(Named::Insert),
            KeyCode::Home => KeyCodeOrd::Named(Named::Home),
            KeyCode::End => KeyCodeOrd::Named(Named::End),
            KeyCode::PageUp => KeyCodeOrd::Named(Named::PageUp),
            KeyCode::PageDown => KeyCodeOrd::Named(Named::PageDown),
            KeyCode::Up => KeyCodeOrd::Named(Named::Up),
            KeyCode::Down => KeyCodeOrd::Named(Named::Down),
            KeyCode::Left => KeyCodeOrd::Named(Named::Left),
            KeyCode::Right => KeyCodeOrd::Named(Named::Right),
            _ => return None,
        };
        Some(Key { code, mods })
    }

    /// Parses `q`, `G`, `?`, `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `pgdn`, `f1`, `space`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let bad = |why: &str| format!("invalid key \"{text}\": {why}");
        if text.is_empty() {
            return Err(bad("empty"));
        }
        let mut mods = 0;
        let mut rest = text;
        // A lone `-` is the minus key, so only split off prefixes that leave something.
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["ctrl-", "alt-", "shift-"]
                .into_iter()
                .find(|p| lower.starts_with(p) && rest.len() > p.len());
            match prefix {
                Some(p) => {
                    mods |= match p {
                        "ctrl-" => CTRL,
                        "alt-" => ALT,
                        _ => SHIFT,
                    };
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if c.is_control() {
                    return Err(bad(
                        "control characters cannot be bound; use a name like `ctrl-x`",
                    ));
                }
                let mut c = c;
                if mods & SHIFT != 0 {
                    c = c.to_uppercase().next().unwrap_or(c);
                    mods &= !SHIFT;
                }
                if mods & CTRL != 0 {
                    c = c.to_ascii_lowercase();
                }
                KeyCodeOrd::Char(c)
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    KeyCodeOrd::Char(' ')
                } else if lower == "minus" {
                    KeyCodeOrd::Char('-')
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=24).contains(n))
                {
                    KeyCodeOrd::F(n)
                } else if let Some((_, named)) = NAMES.iter().find(|(n, _)| *n == lower) {
                    if *named == Named::Tab && mods & SHIFT != 0 {
                        mods &= !SHIFT;
                        KeyCodeOrd::Named(Named::BackTab)
                    } else {
                        KeyCodeOrd::Named(*named)
                    }
                } else {
                    return Err(bad(
                        "expected one character or a name such as enter, esc, tab, space, \
                         backspace, delete, home, end, pgup, pgdn, up, down, left, right, f1-f24, \
                         optionally after ctrl-, alt- or shift-",
                    ));
                }
            }
        };
        Ok(Key { code, mods })
    }

    /// True for a key that types a character into a text input (no ctrl or alt).
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCodeOrd::Char(_)) && self.mods & (CTRL | ALT) == 0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods & CTRL != 0 {
            f.write_str("ctrl-")?;
        }
        if self.mods & ALT != 0 {
            f.write_str("alt-")?;
        }
        if self.mods & SHIFT != 0 {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
            KeyCodeOrd::Named(n) => f.write_str(match n {
                Named::Enter => "enter",
                Named::Esc => "esc",
                Named::Tab => "tab",
                Named::BackTab => "shift-tab",
                Named::Backspace => "backspace",
                Named::Delete => "delete",
                Named::Insert => "insert",
                Named::Home => "home",
                Named::End => "end",
                Named::PageUp => "pgup",
                Named::PageDown => "pgdn",
                Named::Up => "↑",
                Named::Down => "↓",
                Named::Left => "←",
                Named::Right => "→",
            }),
        }
    }
}

/// Default keys, by action name. Readline keys of the text inputs (ctrl-a/e/w/u/k, ...) are
/// left free on purpose: a binding would take them away from the inputs.
const DEFAULTS: &[(&str, &[&str])] = &[
    ("quit", &["q", "ctrl-c"]),
    ("help", &["?", "f1"]),
    ("command_palette", &[":"]),
    ("search", &["/"]),
    ("diagnostics", &["ctrl-t"]),
    ("back", &["esc"]),
    ("up", &["up", "k", "ctrl-p"]),
    ("down", &["down", "j", "ctrl-n"]),
    ("page_up", &["pgup"]),
    ("page_down", &["pgdn", "space"]),
    ("top", &["g", "home"]),
    ("bottom", &["G", "end"]),
    ("focus_next", &["tab"]),
    ("focus_prev", &["shift-tab"]),
    ("open", &["enter"]),
    ("copy", &["y"]),
    ("refresh", &["r"]),
    ("fix", &["f"]),
    ("copy_note", &["Y"]),
    ("run_checks", &["d"]),
];

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    /// Keys per action name, in the order given, for help and hints.
    by_action: BTreeMap<&'static str, Vec<Key>>,
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let mut map = Keymap {
            by_key: HashMap::new(),
            by_action: BTreeMap::new(),
        };
        for (name, keys) in DEFAULTS {
            // Defaults are constants checked by a unit test; a bad one is skipped, not fatal.
            let keys: Vec<Key> = keys.iter().filter_map(|k| Key::parse(k).ok()).collect();
            if let Ok(action) = Action::from_name(name) {
                map.set(action, keys);
            }
        }
        map
    }

    /// Defaults with the config's `[keys]` applied. A user binding takes its key away from
    /// whatever default action had it; two user bindings of one key are an error.
    pub fn from_config(keys: &BTreeMap<String, KeyList>) -> Result<Keymap, String> {
        let mut map = Keymap::defaults();
        let mut claimed: HashMap<Key, &str> = HashMap::new();
        for (name, list) in keys {
            let action = Action::from_name(name)?;
            let mut parsed = Vec::new();
            for text in list.keys() {
                let key = Key::parse(text).map_err(|e| format!("[keys] {name}: {e}"))?;
                if let Some(other) = claimed.insert(key, name)
                    && other != name
                {
                    return Err(format!(
                        "[keys]: key \"{text}\" is bound to both `{other}` and `{name}`"
                    ));
                }
                parsed.push(key);
            }
            map.set(action, parsed);
        }
        // ctrl-c always gets you out, unless the config gave it another job on purpose.
        if let Ok(ctrl_c) = Key::parse("ctrl-c")
            && map.action_for(&ctrl_c).is_none()
        {
            let mut quit = map.keys_for(&Action::Quit).to_vec();
            quit.push(ctrl_c);
            map.set(Action::Quit, quit);
        }
        Ok(map)
    }

    fn set(&mut self, action: Action, keys: Vec<Key>) {
        let Some(b) = action.bindable() else { return };
        for old in self.by_action.remove(b.name).unwrap_or_default() {
            self.by_key.remove(&old);
        }
        for key in &keys {
            // The key moves here from whatever default had it.
            if let Some(prev) = self.by_key.insert(*key, action.clone())
                && let Some(pb) = prev.bindable()
                && let Some(list) = self.by_action.get_mut(pb.name)
            {
                list.retain(|k| k != key);
            }
        }
        self.by_action.insert(b.name, keys);
    }

    pub fn action_for(&self, key: &Key) -> Option<&Action> {
        self.by_key.get(key)
    }

    /// Every key bound to `action`, in config order.
    pub fn keys_for(&self, action: &Action) -> &[Key] {
        action
            .bindable()
            .and_then(|b| self.by_action.get(b.name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The first key of `action` as text, for hints; `None` when it is unbound.
    pub fn label(&self, action: &Action) -> Option<String> {
        self.keys_for(action).first().map(Key::to_string)
    }

    /// The first key of `action` that works while typing (not a plain character).
    pub fn typing_label(&self, action: &Action) -> Option<String> {
        self.keys_for(action)
            .iter()
            .find(|k| !k.is_text())
            .map(Key::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, mods, KeyEventKind::Press)
    }

    #[test]
    fn defaults_all_parse_and_bind() {
        for (name, keys) in DEFAULTS {
            Action::from_name(name).expect("default action name");
            for k in *keys {
                Key::parse(k).expect("default key");
            }
        }
        let map = Keymap::defaults();
        let q = Key::parse("q").expect("q");
        assert_eq!(map.action_for(&q), Some(&Action::Quit));
    }

    #[test]
    fn events_and_strings_agree() {
        let cases = [
            ("G", ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            ("shift-g", ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            ("?", ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            ("ctrl-c", ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            ("shift-tab", ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            ("pgdn", ev(KeyCode::PageDown, KeyModifiers::NONE)),
            ("f1", ev(KeyCode::F(1), KeyModifiers::NONE)),
            ("space", ev(KeyCode::Char(' '), KeyModifiers::NONE)),
            ("enter", ev(KeyCode::Enter, KeyModifiers::NONE)),
            ("alt-x", ev(KeyCode::Char('x'), KeyModifiers::ALT)),
        ];
        for (text, event) in cases {
            assert_eq!(
                Key::parse(text).expect(text),
                Key::from_event(&event).expect("bindable"),
                "{text}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "q",
            "ctrl-c",
            "shift-tab",
            "pgdn",
            "f12",
            "space",
            "G",
            "alt-enter",
        ] {
            let key = Key::parse(text).expect(text);
            assert_eq!(Key::parse(&key.to_string()).ok(), Some(key), "{text}");
        }
    }

    #[test]
    fn bad_key_names_the_key() {
        let mut keys = BTreeMap::new();
        keys.insert("quit".to_string(), KeyList::One("ctrl-".to_string()));
        keys.insert("help".to_string(), KeyList::One("hyper-x".to_string()));
        let err = Keymap::from_config(&keys).expect_err("bad key");
        assert!(err.contains("hyper-x") && err.contains("help"), "{err}");
        let mut keys = BTreeMap::new();
        keys.insert("fly".to_string(), KeyList::One("x".to_string()));
        let err = Keymap::from_config(&keys).expect_err("bad action");
        assert!(err.contains("`fly`"), "{err}");
    }

    #[test]
    fn user_binding_steals_key_from_default() {
        let mut keys = BTreeMap::new();
        keys.insert("copy".to_string(), KeyList::One("j".to_string()));
        let map = Keymap::from_config(&keys).expect("ok");
        let j = Key::parse("j").expect("j");
        assert_eq!(map.action_for(&j), Some(&Action::CopyText));
        assert!(!map.keys_for(&Action::Down).contains(&j));
        assert!(map.action_for(&Key::parse("y").expect("y")).is_none());
    }

    #[test]
    fn ctrl_c_still_quits_unless_given_another_job() {
        let ctrl_c = Key::parse("ctrl-c").expect("ctrl-c");
        let mut keys = BTreeMap::new();
        keys.insert("quit".to_string(), KeyList::One("ctrl-q".to_string()));
        let map = Keymap::from_config(&keys).expect("ok");
        assert_eq!(map.action_for(&ctrl_c), Some(&Action::Quit));
        assert_eq!(map.label(&Action::Quit).as_deref(), Some("ctrl-q"));
        keys.insert("copy".to_string(), KeyList::One("ctrl-c".to_string()));
        let map = Keymap::from_config(&keys).expect("ok");
        assert_eq!(map.action_for(&ctrl_c), Some(&Action::CopyText));
    }

    #[test]
    fn one_key_for_two_actions_is_an_error() {
        let mut keys = BTreeMap::new();
        keys.insert("copy".to_string(), KeyList::One("x".to_string()));
        keys.insert(
            "quit".to_string(),
            KeyList::Many(vec!["x".into(), "q".into()]),
        );
        let err = Keymap::from_config(&keys).expect_err("conflict");
        assert!(err.contains("\"x\""), "{err}");
    }
}
