//! The diagnostics view. For now it lists the configured tenants (or says there are none);
//! the diagnostics issue fills it with findings, fetched by background tasks that report
//! back through the action channel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::{Component, Ctx, move_selection};
use crate::tui::action::Action;
use crate::tui::text::truncate;

pub struct DiagnosticsView {
    tenants: Vec<String>,
    selected: usize,
    /// Where the config is read from, to tell the user where tenants go.
    config_path: Option<String>,
}

impl DiagnosticsView {
    pub fn new(tenants: Vec<String>, config_path: Option<String>) -> DiagnosticsView {
        DiagnosticsView {
            tenants,
            selected: 0,
            config_path,
        }
    }
}

impl Component for DiagnosticsView {
    fn update(&mut self, action: &Action, _ctx: &Ctx) -> Option<Action> {
        if let Some(sel) = move_selection(action, self.selected, self.tenants.len(), 10) {
            self.selected = sel;
            return None;
        }
        match action {
            Action::Back => Some(Action::Search),
            _ => None,
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border_focus)
            .title(Span::styled(" Tenants ", t.accent));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let w = usize::from(inner.width);
        let lines: Vec<Line> = if self.tenants.is_empty() {
            let place = self
                .config_path
                .clone()
                .unwrap_or_else(|| "the config file".to_string());
            vec![
                Line::from(Span::styled("No tenants configured", t.heading)),
                Line::default(),
                Line::from(Span::styled(
                    format!(
                        "Add [[tenants]] to {place} to check a customer's SSO and SCIM setup here."
                    ),
                    t.text,
                )),
                Line::from(Span::styled(
                    "The knowledge base works without tenants: press / to search it.",
                    t.muted,
                )),
            ]
        } else {
            self.tenants
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let sel = i == self.selected;
                    let style = if sel {
                        t.text.patch(t.selection)
                    } else {
                        t.text
                    };
                    Line::from(vec![
                        Span::styled(if sel { "▌ " } else { "  " }, style.patch(t.accent)),
                        Span::styled(truncate(name, w.saturating_sub(20)), style),
                        Span::styled("  not checked yet", style.patch(t.muted)),
                    ])
                    .style(style)
                })
                .collect()
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Down,
            Action::Up,
            Action::Search,
            Action::Help,
            Action::CommandPalette,
            Action::Quit,
        ]
    }
}
