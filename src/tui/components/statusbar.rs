//! The bottom line: the focused view's keys on the left (from the live keymap), work in
//! progress on the right.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::text::{truncate, width};
use crate::tui::theme::Theme;

/// Draws `hints` (key, word) pairs, as many as fit beside `right`.
pub fn render(frame: &mut Frame, area: Rect, hints: &[(String, &str)], right: &str, theme: &Theme) {
    let w = usize::from(area.width);
    let right = truncate(right, w / 2);
    let budget = w.saturating_sub(width(&right) + 2);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (key, short) in hints {
        let item_w = width(key) + 1 + width(short) + 3;
        if used + item_w > budget {
            break;
        }
        spans.push(Span::styled(key.clone(), theme.status.patch(theme.key)));
        spans.push(Span::styled(format!(" {short}   "), theme.status));
        used += item_w;
    }
    let pad = w.saturating_sub(used + width(&right) + 1);
    spans.push(Span::styled(" ".repeat(pad), theme.status));
    spans.push(Span::styled(right, theme.status.patch(theme.accent)));
    spans.push(Span::styled(" ", theme.status));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.status), area);
}
