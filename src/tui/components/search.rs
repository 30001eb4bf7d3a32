//! The search view: an input line that searches on every keystroke, the ranked answers with
//! their matched title characters highlighted, and (on wide screens) a preview of the
//! selected answer.

use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::{Component, Ctx, move_selection, scroll_into_view};
use crate::kb::Topic;
use crate::search::{Hit, SearchOptions};
use crate::tui::action::Action;
use crate::tui::markdown;
use crate::tui::text::{highlight, truncate, truncate_spans, width};

/// At this width and above, the selected answer is previewed beside the list.
const PREVIEW_MIN_WIDTH: u16 = 110;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Input,
    List,
}

pub struct SearchView {
    input: Input,
    pub focus: Focus,
    hits: Vec<Hit>,
    selected: usize,
    offset: usize,
    topic: Option<Topic>,
    /// Where the list was last drawn, for mouse clicks and page size.
    list_area: Rect,
    preview: Option<PreviewCache>,
}

struct PreviewCache {
    key: (usize, u16, u64),
    lines: Vec<Line<'static>>,
}

impl SearchView {
    pub fn new(ctx: &Ctx) -> SearchView {
        let mut view = SearchView {
            input: Input::default(),
            focus: Focus::Input,
            hits: Vec::new(),
            selected: 0,
            offset: 0,
            topic: None,
            list_area: Rect::default(),
            preview: None,
        };
        view.refresh(ctx);
        view
    }

    pub fn query(&self) -> &str {
        self.input.value()
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    pub fn selected_article(&self) -> Option<usize> {
        self.hits.get(self.selected).map(|h| h.index)
    }

    pub fn topic(&self) -> Option<Topic> {
        self.topic
    }

    pub fn focus_input(&mut self) {
        self.focus = Focus::Input;
    }

    pub fn set_topic(&mut self, topic: Option<Topic>, ctx: &Ctx) {
        self.topic = topic;
        self.refresh(ctx);
    }

    fn refresh(&mut self, ctx: &Ctx) {
        self.hits = ctx.engine.search(
            self.input.value(),
            SearchOptions {
                limit: 0,
                topic: self.topic,
            },
        );
        self.selected = 0;
        self.offset = 0;
    }

    fn page(&self) -> usize {
        usize::from(self.list_area.height.saturating_sub(2)).max(1)
    }

    fn count_text(&self, ctx: &Ctx) -> String {
        let total = match self.topic {
            Some(t) => ctx.kb.articles.iter().filter(|a| a.topic == t).count(),
            None => ctx.kb.articles.len(),
        };
        match self.topic {
            Some(t) => format!("{} of {total} in {t}", self.hits.len()),
            None => format!("{} of {total}", self.hits.len()),
        }
    }

    fn render_input(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let focused = self.focus == Focus::Input;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(if focused { t.border_focus } else { t.border })
            .title(Span::styled(" Search ", t.accent))
            .title_top(
                Line::from(Span::styled(format!(" {} ", self.count_text(ctx)), t.muted))
                    .right_aligned(),
            );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let prompt = "› ";
        let avail = usize::from(inner.width).saturating_sub(width(prompt) + 1);
        let scroll = self.input.visual_scroll(avail);
        // Scroll by columns: hide whole characters until `scroll` columns are gone.
        let mut hidden = 0;
        let visible: String = self
            .input
            .value()
            .chars()
            .skip_while(|c| {
                if hidden >= scroll {
                    return false;
                }
                hidden += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                true
            })
            .collect();
        let line = if self.input.value().is_empty() {
            Line::from(vec![
                Span::styled(prompt, t.accent),
                Span::styled("Type a question or words, e.g. okta provisioning", t.muted),
            ])
        } else {
            Line::from(vec![
                Span::styled(prompt, t.accent),
                Span::styled(truncate(&visible, avail), t.text),
            ])
        };
        frame.render_widget(Paragraph::new(line), inner);
        if focused {
            let x = inner.x
                + width(prompt) as u16
                + (self.input.visual_cursor().saturating_sub(hidden)) as u16;
            frame.set_cursor_position(Position::new(
                x.min(inner.right().saturating_sub(1)),
                inner.y,
            ));
        }
    }

    fn render_list(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        self.list_area = area;
        let focused = self.focus == Focus::List;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(if focused { t.border_focus } else { t.border })
            .title(Span::styled(" Answers ", t.accent));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.hits.is_empty() {
            let mut lines = vec![Line::from(Span::styled(
                format!("No answers for \"{}\".", truncate(self.input.value(), 40)),
                t.text,
            ))];
            lines.push(Line::from(Span::styled(
                "Try fewer or other words.",
                t.muted,
            )));
            if let Some(topic) = self.topic {
                lines.push(Line::from(Span::styled(
                    format!("Results are limited to {topic}: :topic all shows every topic."),
                    t.muted,
                )));
            }
            frame.render_widget(Paragraph::new(lines), inner);
            return;
        }
        let rows = usize::from(inner.height);
        self.offset = scroll_into_view(self.selected, self.offset, rows);
        let w = usize::from(inner.width);
        let lines: Vec<Line> = self
            .hits
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(rows)
            .map(|(i, hit)| self.row(i, hit, w, ctx))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn row(&self, i: usize, hit: &Hit, w: usize, ctx: &Ctx) -> Line<'static> {
        let t = ctx.theme;
        let Some(article) = ctx.kb.articles.get(hit.index) else {
            return Line::default();
        };
        let selected = i == self.selected;
        let base = if selected {
            t.text.patch(t.selection)
        } else {
            t.text
        };
        let badge = format!("[{}]", article.topic);
        let badge_w = width(&badge);
        let marker = if selected { "▌ " } else { "  " };
        let title_max = w.saturating_sub(badge_w + 3);
        let mut spans = vec![Span::styled(
            marker,
            if selected { base.patch(t.accent) } else { base },
        )];
        let title = truncate_spans(
            highlight(&article.title, &hit.title_ranges, base, t.highlight),
            title_max,
        );
        let title_w: usize = title.iter().map(|s| width(&s.content)).sum();
        spans.extend(title);
        let pad = w.saturating_sub(width(marker) + title_w + badge_w);
        if pad > 0 && badge_w + width(marker) < w {
            spans.push(Span::styled(" ".repeat(pad), base));
            spans.push(Span::styled(badge, base.patch(t.badge)));
        }
        Line::from(spans).style(base)
    }

    fn render_preview(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border)
            .title(Span::styled(" Preview ", t.accent));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(index) = self.selected_article() else {
            return;
        };
        let Some(article) = ctx.kb.articles.get(index) else {
            return;
        };
        let key = (index, inner.width, ctx.theme_gen);
        if self.preview.as_ref().is_none_or(|p| p.key != key) {
            let mut lines = markdown::wrap(&article.title, t.heading, inner.width);
            lines.push(Line::default());
            lines.extend(markdown::render(&article.body, inner.width, t));
            self.preview = Some(PreviewCache { key, lines });
        }
        if let Some(p) = &self.preview {
            let visible: Vec<Line> = p
                .lines
                .iter()
                .take(usize::from(inner.height))
                .cloned()
                .collect();
            frame.render_widget(Paragraph::new(visible), inner);
        }
    }

    fn list_row_at(&self, column: u16, row: u16) -> Option<usize> {
        let inner = Rect {
            x: self.list_area.x + 1,
            y: self.list_area.y + 1,
            width: self.list_area.width.saturating_sub(2),
            height: self.list_area.height.saturating_sub(2),
        };
        if !inner.contains(Position::new(column, row)) {
            return None;
        }
        let i = self.offset + usize::from(row - inner.y);
        (i < self.hits.len()).then_some(i)
    }
}

impl Component for SearchView {
    fn captures_text(&self) -> bool {
        self.focus == Focus::Input
    }

    fn handle_text(&mut self, key: KeyEvent, ctx: &Ctx) -> Option<Action> {
        let request = to_input_request(&Event::Key(key))?;
        let changed = self.input.handle(request);
        if changed.is_some_and(|c| c.value) {
            self.refresh(ctx);
        }
        None
    }

    fn handle_paste(&mut self, text: &str, ctx: &Ctx) -> Option<Action> {
        for c in crate::sanitize::clean_line(text).chars() {
            self.input.handle(tui_input::InputRequest::InsertChar(c));
        }
        self.refresh(ctx);
        None
    }

    fn handle_mouse(&mut self, event: MouseEvent, _ctx: &Ctx) -> Option<Action> {
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let i = self.list_row_at(event.column, event.row)?;
                self.focus = Focus::List;
                if i == self.selected {
                    // A click on the selected row opens it.
                    return self.selected_article().map(Action::OpenArticle);
                }
                self.selected = i;
                None
            }
            MouseEventKind::ScrollDown => {
                self.selected = move_selection(&Action::Down, self.selected, self.hits.len(), 1)?;
                None
            }
            MouseEventKind::ScrollUp => {
                self.selected = move_selection(&Action::Up, self.selected, self.hits.len(), 1)?;
                None
            }
            _ => None,
        }
    }

    fn update(&mut self, action: &Action, ctx: &Ctx) -> Option<Action> {
        if let Some(sel) = move_selection(action, self.selected, self.hits.len(), self.page()) {
            self.selected = sel;
            return None;
        }
        match action {
            Action::FocusNext | Action::FocusPrev => {
                self.focus = match self.focus {
                    Focus::Input => Focus::List,
                    Focus::List => Focus::Input,
                };
                None
            }
            Action::Open => self.selected_article().map(Action::OpenArticle),
            Action::CopyText => self.selected_article().map(Action::CopyArticle),
            Action::Back => {
                match self.focus {
                    Focus::Input if !self.input.value().is_empty() => {
                        self.input.reset();
                        self.refresh(ctx);
                    }
                    // Esc on an empty input hands focus to the list, where `q` quits.
                    Focus::Input => self.focus = Focus::List,
                    Focus::List => self.focus = Focus::Input,
                }
                None
            }
            _ => None,
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let [input_area, rest] =
            Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(area);
        self.render_input(frame, input_area, ctx);
        if area.width >= PREVIEW_MIN_WIDTH {
            let [list, preview] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(rest);
            self.render_list(frame, list, ctx);
            self.render_preview(frame, preview, ctx);
        } else {
            self.render_list(frame, rest, ctx);
        }
    }

    fn hints(&self) -> Vec<Action> {
        match self.focus {
            Focus::Input => vec![
                Action::Open,
                Action::Down,
                Action::FocusNext,
                Action::Back,
                Action::Help,
                Action::CommandPalette,
                Action::Quit,
            ],
            Focus::List => vec![
                Action::Open,
                Action::Down,
                Action::Up,
                Action::CopyText,
                Action::Search,
                Action::Help,
                Action::CommandPalette,
                Action::Quit,
            ],
        }
    }
}
