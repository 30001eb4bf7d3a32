//! Drawing the whole frame: the header, the focused view, popups, toasts and the bottom
//! line, or the "too small" notice.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{App, MIN_HEIGHT, MIN_WIDTH, SPINNER, View};
use crate::tui::action::Action;
use crate::tui::components::{Component, statusbar};
use crate::tui::text::{truncate, width};

impl App {
    pub fn render(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let theme = &self.shared.theme;
        frame.render_widget(Block::default().style(theme.text), area);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            self.render_too_small(frame, area);
            return;
        }
        let [header, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(frame, header);
        let ctx = self.shared.ctx();
        match self.view {
            View::Search => self.search.render(frame, body, &ctx),
            View::Answer => self.answer.render(frame, body, &ctx),
            View::Diagnostics => self.diagnostics.render(frame, body, &ctx),
        }
        for popup in &mut self.popups {
            popup.component().render(frame, body, &ctx);
        }
        self.toasts.render(frame, body, ctx.theme);
        let hints = self.hint_labels();
        let right = self.status_right();
        statusbar::render(frame, status, &hints, &right, ctx.theme);
    }

    /// The right of the bottom line: a rate limit holding calls back, then the newest task
    /// in progress (and how many more there are).
    fn status_right(&self) -> String {
        let mut parts = Vec::new();
        if let Some(rate) = self.rate_limit_text() {
            parts.push(rate);
        }
        if let Some(label) = self.tasks.values().next_back() {
            let spin = SPINNER[self.shared.spinner % SPINNER.len()];
            let more = match self.tasks.len() {
                1 => String::new(),
                n => format!(" (+{})", n - 1),
            };
            parts.push(format!("{spin} {label}…{more}"));
        }
        parts.join(" · ")
    }

    /// The bottom line's (key, word) pairs for whatever has focus. While typing, a key that
    /// would type is no use, so another key of the action is shown (or none).
    fn hint_labels(&self) -> Vec<(String, &'static str)> {
        let c = match self.popups.last() {
            Some(p) => p.component_ref(),
            None => self.focused_ref(),
        };
        let (hints, typing) = (c.hints(), c.captures_text());
        let empty_search =
            self.popups.is_empty() && self.view == View::Search && self.search.query().is_empty();
        let keymap = &self.shared.keymap;
        hints
            .iter()
            .filter_map(|a| {
                let b = a.bindable()?;
                let works_as_text =
                    empty_search && matches!(a, Action::Help | Action::CommandPalette);
                let key = if typing && !works_as_text {
                    keymap.typing_label(a)
                } else {
                    keymap.label(a)
                }?;
                Some((key, c.hint_word(a).unwrap_or(b.short)))
            })
            .collect()
    }

    fn render_header(&self, frame: &mut Frame, area: Rect) {
        let t = &self.shared.theme;
        let mut spans = vec![Span::styled(" ssodesk ", t.accent), Span::raw(" ")];
        let tabs = [
            (View::Search, "Search", Action::Search),
            (View::Diagnostics, "Diagnostics", Action::Diagnostics),
        ];
        for (view, label, action) in tabs {
            let active =
                self.view == view || (self.view == View::Answer && self.answer_from == view);
            let style = if active {
                t.text.patch(t.selection)
            } else {
                t.muted
            };
            spans.push(Span::styled(format!(" {label} "), style));
            // The key that gets there, so both tabs are one key apart.
            if let Some(key) = self.shared.keymap.label(&action) {
                spans.push(Span::styled(format!("{key} "), t.muted));
            }
            spans.push(Span::raw(" "));
        }
        // The breadcrumb only when a useful part of the title fits.
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let room = usize::from(area.width).saturating_sub(used + 24);
        if self.view == View::Answer
            && room >= 12
            && let Some(a) = self
                .answer
                .article()
                .and_then(|i| self.shared.kb.articles.get(i))
        {
            spans.push(Span::styled(
                format!("› {}", truncate(&a.title, room)),
                t.muted,
            ));
        }
        let mut right = match self.search.topic() {
            Some(topic) => format!("topic: {topic} "),
            None => String::new(),
        };
        if self.engine.read_only {
            right.push_str("READ-ONLY ");
        }
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let pad = usize::from(area.width).saturating_sub(used + width(&right));
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(right, t.badge));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_too_small(&self, frame: &mut Frame, area: Rect) {
        let t = &self.shared.theme;
        let quit = self
            .shared
            .keymap
            .typing_label(&Action::Quit)
            .unwrap_or_else(|| "ctrl-c".to_string());
        let lines = vec![
            Line::from(Span::styled("Terminal too small", t.warn)),
            Line::from(Span::styled(
                format!(
                    "{}x{}, needs at least {MIN_WIDTH}x{MIN_HEIGHT}",
                    area.width, area.height
                ),
                t.text,
            )),
            Line::from(Span::styled(
                format!("Make the window larger, or press {quit} to quit"),
                t.muted,
            )),
        ];
        let h = (lines.len() as u16).min(area.height);
        let rect = Rect {
            y: area.y + (area.height - h) / 2,
            height: h,
            ..area
        };
        frame.render_widget(
            Paragraph::new(lines)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            rect,
        );
    }
}
