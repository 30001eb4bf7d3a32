//! The pieces of the screen. Each turns input into [`Action`]s and draws itself; none of them
//! touches the terminal or the network. Shared, read-only things come in through [`Ctx`].

pub mod answer;
pub mod diagnostics;
pub mod fix_confirm;
pub mod help;
pub mod palette;
pub mod search;
pub mod statusbar;
pub mod toast;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

use super::action::Action;
use super::keymap::Keymap;
use super::theme::Theme;
use crate::kb::KnowledgeBase;
use crate::search::SearchEngine;

/// What components read while they handle input and draw.
pub struct Ctx<'a> {
    pub kb: &'a KnowledgeBase,
    pub engine: &'a SearchEngine,
    pub theme: &'a Theme,
    /// Bumped on every theme change, so cached rendered text is redone.
    pub theme_gen: u64,
    pub keymap: &'a Keymap,
    /// The spinner's current frame, for anything shown as in progress.
    pub spinner: &'static str,
    /// The time ages ("checked 20 s ago") are measured against.
    pub now: DateTime<Utc>,
}

pub trait Component {
    /// True while a text input has focus: plain characters type instead of acting.
    fn captures_text(&self) -> bool {
        false
    }

    /// A key for the focused text input (one the keymap left to it: characters, readline keys).
    fn handle_text(&mut self, _key: KeyEvent, _ctx: &Ctx) -> Option<Action> {
        None
    }

    /// Text pasted into the terminal (bracketed paste).
    fn handle_paste(&mut self, _text: &str, _ctx: &Ctx) -> Option<Action> {
        None
    }

    fn handle_mouse(&mut self, _event: MouseEvent, _ctx: &Ctx) -> Option<Action> {
        None
    }

    /// A bound action aimed at this component; it may answer with a follow-up action.
    fn update(&mut self, action: &Action, ctx: &Ctx) -> Option<Action>;

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx);

    /// The actions the bottom line advertises while this component has focus.
    fn hints(&self) -> Vec<Action>;

    /// A word for an action in the bottom line when the usual one does not fit here
    /// ("run" rather than "open" in the fix confirmation).
    fn hint_word(&self, _action: &Action) -> Option<&'static str> {
        None
    }
}

/// A rectangle of at most `w` x `h` centred in `area` (never larger than `area`).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Keeps `selected` inside a window of `rows` starting at `offset`.
pub fn scroll_into_view(selected: usize, offset: usize, rows: usize) -> usize {
    if rows == 0 {
        return selected;
    }
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

/// Moves a selection in a list of `len` by an action; `None` when the action is not a move.
pub fn move_selection(action: &Action, selected: usize, len: usize, page: usize) -> Option<usize> {
    if !matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    ) {
        return None;
    }
    let Some(last) = len.checked_sub(1) else {
        return Some(0);
    };
    let page = page.max(1);
    Some(match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(page),
        Action::PageDown => (selected + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_in_bounds_and_other_actions_are_not_moves() {
        assert_eq!(move_selection(&Action::Down, 4, 5, 3), Some(4));
        assert_eq!(move_selection(&Action::PageDown, 0, 5, 3), Some(3));
        assert_eq!(move_selection(&Action::PageUp, 1, 5, 3), Some(0));
        assert_eq!(move_selection(&Action::Bottom, 0, 5, 3), Some(4));
        assert_eq!(move_selection(&Action::Up, 0, 0, 3), Some(0));
        assert_eq!(move_selection(&Action::Open, 2, 0, 3), None);
        assert_eq!(move_selection(&Action::Open, 2, 5, 3), None);
    }

    #[test]
    fn scrolling_keeps_the_selection_visible() {
        assert_eq!(scroll_into_view(0, 5, 10), 0);
        assert_eq!(scroll_into_view(12, 0, 10), 3);
        assert_eq!(scroll_into_view(7, 3, 10), 3);
    }
}
