//! Short messages that fade out on their own ("Copied 1.2 KB via OSC 52"). A toast is on
//! screen for a few seconds; the event loop wakes up once when it expires, not on a tick.

use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::tui::text::width;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub level: Level,
    pub text: String,
}

impl Toast {
    pub fn info(text: impl Into<String>) -> Toast {
        Toast {
            level: Level::Info,
            text: text.into(),
        }
    }
    pub fn ok(text: impl Into<String>) -> Toast {
        Toast {
            level: Level::Ok,
            text: text.into(),
        }
    }
    pub fn warn(text: impl Into<String>) -> Toast {
        Toast {
            level: Level::Warn,
            text: text.into(),
        }
    }
    pub fn error(text: impl Into<String>) -> Toast {
        Toast {
            level: Level::Error,
            text: text.into(),
        }
    }

    fn lifetime(&self) -> Duration {
        match self.level {
            Level::Error | Level::Warn => Duration::from_secs(6),
            Level::Info | Level::Ok => Duration::from_secs(3),
        }
    }
}

/// The toasts on screen, newest last.
#[derive(Debug, Default)]
pub struct Toasts {
    shown: Vec<(Toast, Instant)>,
}

const MAX_SHOWN: usize = 3;

impl Toasts {
    pub fn push(&mut self, toast: Toast, now: Instant) {
        let until = now + toast.lifetime();
        self.shown.push((toast, until));
        if self.shown.len() > MAX_SHOWN {
            self.shown.remove(0);
        }
    }

    /// Drops expired toasts; true when something changed.
    pub fn expire(&mut self, now: Instant) -> bool {
        let before = self.shown.len();
        self.shown.retain(|(_, until)| *until > now);
        before != self.shown.len()
    }

    /// When the next toast expires.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.shown.iter().map(|(_, until)| *until).min()
    }

    pub fn latest(&self) -> Option<&Toast> {
        self.shown.last().map(|(t, _)| t)
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Stacks the toasts in the bottom-right corner of `area`, clear of its borders.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let area = Rect {
            width: area.width.saturating_sub(2),
            height: area.height.saturating_sub(1),
            ..area
        };
        let max_w = area.width.saturating_sub(4).min(60);
        if max_w < 12 {
            return;
        }
        let mut bottom = area.bottom();
        for (toast, _) in self.shown.iter().rev() {
            let (style, icon) = match toast.level {
                Level::Info => (theme.info, "i"),
                Level::Ok => (theme.ok, "✓"),
                Level::Warn => (theme.warn, "!"),
                Level::Error => (theme.error, "✗"),
            };
            let inner_w = usize::from(max_w - 2);
            let text_w = width(&toast.text) + 2;
            let lines = text_w.div_ceil(inner_w).clamp(1, 4) as u16;
            let w = (text_w.min(inner_w) as u16) + 2;
            let h = lines + 2;
            if bottom < area.y + h {
                break;
            }
            let rect = Rect {
                x: area.right().saturating_sub(w + 1),
                y: bottom - h,
                width: w,
                height: h,
            };
            bottom = rect.y;
            frame.render_widget(Clear, rect);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(style)
                .style(theme.text);
            let line = Line::from(vec![
                Span::styled(format!("{icon} "), style),
                Span::styled(toast.text.clone(), theme.text),
            ]);
            frame.render_widget(
                Paragraph::new(line).wrap(Wrap { trim: true }).block(block),
                rect,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toasts_expire() {
        let t0 = Instant::now();
        let mut toasts = Toasts::default();
        toasts.push(Toast::info("a"), t0);
        toasts.push(Toast::error("b"), t0);
        assert_eq!(toasts.next_expiry(), Some(t0 + Duration::from_secs(3)));
        assert!(!toasts.expire(t0 + Duration::from_secs(1)));
        assert!(toasts.expire(t0 + Duration::from_secs(4)));
        assert_eq!(toasts.latest().map(|t| t.text.as_str()), Some("b"));
        assert!(toasts.expire(t0 + Duration::from_secs(7)));
        assert!(toasts.is_empty());
    }
}
