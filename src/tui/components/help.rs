//! The help popup, generated from the live keymap (so remapped keys show), plus the fixed
//! readline keys of the inputs and the palette's commands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::palette::COMMANDS;
use super::{Component, Ctx, centered};
use crate::tui::action::{Action, BINDABLE, Group};
use crate::tui::text::{truncate, width};

/// Text-input keys; they come from tui-input and are not rebindable.
const INPUT_KEYS: &[(&str, &str)] = &[
    ("← → ctrl-b ctrl-f", "Move the cursor"),
    ("ctrl-← ctrl-→", "Move by word"),
    ("ctrl-a home  ctrl-e end", "Start / end of line"),
    ("backspace delete", "Delete a character"),
    ("ctrl-w", "Delete the word before the cursor"),
    ("ctrl-u", "Delete the whole line"),
    ("ctrl-k", "Delete to the end of the line"),
];

const KEY_COLUMN: usize = 25;

#[derive(Default)]
pub struct HelpPopup {
    scroll: usize,
    height: usize,
    total: usize,
    done: bool,
}

impl HelpPopup {
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn lines(ctx: &Ctx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let mut lines = Vec::new();
        let row = |keys: String, what: &str| -> Line<'static> {
            let keys = truncate(&keys, KEY_COLUMN - 1);
            let pad = KEY_COLUMN.saturating_sub(width(&keys));
            Line::from(vec![
                Span::raw("  "),
                Span::styled(keys, t.key),
                Span::raw(" ".repeat(pad)),
                Span::styled(what.to_string(), t.text),
            ])
        };
        for group in [Group::Anywhere, Group::Move, Group::Act] {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::from(Span::styled(group.title(), t.heading)));
            for b in BINDABLE.iter().filter(|b| b.group == group) {
                let keys: Vec<String> = ctx
                    .keymap
                    .keys_for(&b.action)
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let keys = if keys.is_empty() {
                    "(unbound)".to_string()
                } else {
                    keys.join(" ")
                };
                lines.push(row(keys, b.help));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("In a text input", t.heading)));
        for (keys, what) in INPUT_KEYS {
            lines.push(row((*keys).to_string(), what));
        }
        lines.push(Line::from(Span::styled(
            "  Keys that type a character (q, j, ?) type while an input has focus; tab or esc",
            t.muted,
        )));
        lines.push(Line::from(Span::styled(
            "  moves focus to the list. In an empty search box, ? and : still work.",
            t.muted,
        )));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "In the fix confirmation",
            t.heading,
        )));
        let k = |a: &Action, fallback: &str| {
            ctx.keymap
                .typing_label(a)
                .unwrap_or_else(|| fallback.to_string())
        };
        let fix_keys: [(String, &str); 5] = [
            (
                k(&Action::Open, "enter"),
                "Run it (production: after typing the tenant's name)",
            ),
            (
                "space j k ↑ ↓".to_string(),
                "Choose the users or groups it acts on",
            ),
            (
                k(&Action::FocusNext, "tab"),
                "Switch between the choices and the name field",
            ),
            (
                format!(
                    "{} {}",
                    k(&Action::PageUp, "pgup"),
                    k(&Action::PageDown, "pgdn")
                ),
                "Scroll the calls",
            ),
            (
                k(&Action::Back, "esc"),
                "Cancel; once it runs, hide it (the fix goes on)",
            ),
        ];
        for (keys, what) in fix_keys {
            lines.push(row(keys, what));
        }
        lines.push(Line::default());
        let palette = ctx
            .keymap
            .label(&Action::CommandPalette)
            .unwrap_or_else(|| ":".to_string());
        lines.push(Line::from(Span::styled(
            format!("Commands ({palette})"),
            t.heading,
        )));
        for (usage, what) in COMMANDS {
            lines.push(row((*usage).to_string(), what));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Rebind keys in the config's [keys] table, e.g. quit = [\"q\", \"ctrl-q\"];",
            t.muted,
        )));
        lines.push(Line::from(Span::styled(
            "`ssodesk config path` shows where the config file is.",
            t.muted,
        )));
        lines
    }
}

impl Component for HelpPopup {
    fn update(&mut self, action: &Action, _ctx: &Ctx) -> Option<Action> {
        let page = self.height.saturating_sub(1).max(1);
        let max = self.total.saturating_sub(self.height);
        match action {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = (self.scroll + 1).min(max),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll = (self.scroll + page).min(max),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = max,
            Action::Back | Action::Help | Action::Open => self.done = true,
            _ => {}
        }
        None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let lines = Self::lines(ctx);
        let rect = centered(area, 84, area.height.saturating_sub(2));
        frame.render_widget(Clear, rect);
        let close = ctx
            .keymap
            .label(&Action::Back)
            .unwrap_or_else(|| "esc".to_string());
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border_focus)
            .style(t.text)
            .title(Span::styled(" Help ", t.accent))
            .title_bottom(
                Line::from(Span::styled(
                    format!(" {close} closes · ↑↓ scroll "),
                    t.muted,
                ))
                .right_aligned(),
            );
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        self.height = usize::from(inner.height);
        self.total = lines.len();
        self.scroll = self.scroll.min(self.total.saturating_sub(self.height));
        let visible: Vec<Line> = lines
            .into_iter()
            .skip(self.scroll)
            .take(self.height)
            .collect();
        frame.render_widget(Paragraph::new(visible), inner);
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Down, Action::Up, Action::Back, Action::Quit]
    }
}
