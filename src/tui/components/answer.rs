//! The answer view: one article rendered from Markdown, scrollable, with the related articles
//! beside it (wide screens) or under it. Opening a related article keeps a back history.

use ratatui::Frame;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Margin, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState,
};

use super::{Component, Ctx, move_selection};
use crate::tui::action::Action;
use crate::tui::markdown;
use crate::tui::text::{truncate, width};

/// How many related articles are listed.
const RELATED: usize = 5;
/// At this width and above, related articles sit in a column on the right.
const SIDE_MIN_WIDTH: u16 = 110;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Body,
    Related,
}

#[derive(Default)]
pub struct AnswerView {
    article: Option<usize>,
    history: Vec<usize>,
    scroll: usize,
    focus: Option<Focus>,
    related: Vec<usize>,
    related_sel: usize,
    /// Rendered body: (article, width, theme generation) and its lines.
    cache: Option<((usize, u16, u64), Vec<Line<'static>>)>,
    /// Height of the body viewport at the last draw, for paging and clamping.
    body_height: usize,
    body_area: Rect,
    related_area: Rect,
}

impl AnswerView {
    pub fn article(&self) -> Option<usize> {
        self.article
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    pub fn related(&self) -> &[usize] {
        &self.related
    }

    pub fn focus(&self) -> Focus {
        self.focus.unwrap_or(Focus::Body)
    }

    /// Shows article `index`; the one on screen goes onto the back history when `keep`.
    pub fn open(&mut self, index: usize, keep: bool, ctx: &Ctx) {
        if keep {
            if let Some(current) = self.article.filter(|&c| c != index) {
                self.history.push(current);
            }
        } else {
            self.history.clear();
        }
        self.show(index, ctx);
    }

    fn show(&mut self, index: usize, ctx: &Ctx) {
        self.article = Some(index);
        self.scroll = 0;
        self.focus = Some(Focus::Body);
        self.related_sel = 0;
        self.related = ctx
            .kb
            .articles
            .get(index)
            .map(|a| {
                ctx.kb
                    .related(a, RELATED)
                    .into_iter()
                    .filter_map(|r| ctx.kb.index_of(&r.id))
                    .collect()
            })
            .unwrap_or_default();
    }

    fn max_scroll(&self) -> usize {
        let total = self.cache.as_ref().map_or(0, |(_, l)| l.len());
        total.saturating_sub(self.body_height.max(1))
    }

    fn scroll_by(&mut self, action: &Action) -> bool {
        let page = self.body_height.saturating_sub(1).max(1);
        let max = self.max_scroll();
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => (self.scroll + 1).min(max),
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::PageDown => (self.scroll + page).min(max),
            Action::Top => 0,
            Action::Bottom => max,
            _ => return false,
        };
        true
    }

    fn render_body(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx, index: usize) {
        let t = ctx.theme;
        let Some(article) = ctx.kb.articles.get(index) else {
            return;
        };
        let focused = self.focus() == Focus::Body;
        let badge = format!(" [{}] ", article.topic);
        let title_max = usize::from(area.width).saturating_sub(width(&badge) + 6);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(if focused { t.border_focus } else { t.border })
            .title(Span::styled(
                format!(" {} ", truncate(&article.title, title_max)),
                t.heading,
            ))
            .title_top(Line::from(Span::styled(badge, t.badge)).right_aligned())
            .title_bottom(Line::from(Span::styled(
                format!(
                    " {} ",
                    truncate(&article.id, usize::from(area.width).saturating_sub(20))
                ),
                t.muted,
            )));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // One column stays free for the scrollbar.
        let text_area = Rect {
            width: inner.width.saturating_sub(2),
            ..inner
        };
        let key = (index, text_area.width, ctx.theme_gen);
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let lines = markdown::render(&article.body, text_area.width, t);
            self.cache = Some((key, lines));
        }
        self.body_height = usize::from(text_area.height);
        self.body_area = text_area;
        self.scroll = self.scroll.min(self.max_scroll());
        let Some((_, lines)) = &self.cache else {
            return;
        };
        let visible: Vec<Line> = lines
            .iter()
            .skip(self.scroll)
            .take(self.body_height)
            .cloned()
            .collect();
        frame.render_widget(Paragraph::new(visible), text_area);
        if lines.len() > self.body_height {
            let mut state = ScrollbarState::new(self.max_scroll()).position(self.scroll);
            frame.render_stateful_widget(
                Scrollbar::new(ScrollbarOrientation::VerticalRight)
                    .begin_symbol(None)
                    .end_symbol(None)
                    .style(t.border),
                area.inner(Margin {
                    vertical: 1,
                    horizontal: 0,
                }),
                &mut state,
            );
        }
    }

    fn render_related(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        self.related_area = area;
        let focused = self.focus() == Focus::Related;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(if focused { t.border_focus } else { t.border })
            .title(Span::styled(" Related ", t.accent));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.related.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled("No related answers.", t.muted)),
                inner,
            );
            return;
        }
        let w = usize::from(inner.width);
        let lines: Vec<Line> = self
            .related
            .iter()
            .enumerate()
            .take(usize::from(inner.height))
            .filter_map(|(i, &idx)| {
                let a = ctx.kb.articles.get(idx)?;
                let sel = focused && i == self.related_sel;
                let style = if sel {
                    t.text.patch(t.selection)
                } else {
                    t.text
                };
                let marker = if sel { "▌ " } else { "  " };
                Some(
                    Line::from(vec![
                        Span::styled(marker, style.patch(t.accent)),
                        Span::styled(truncate(&a.title, w.saturating_sub(2)), style),
                    ])
                    .style(style),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Component for AnswerView {
    fn update(&mut self, action: &Action, ctx: &Ctx) -> Option<Action> {
        let article = self.article?;
        if self.focus() == Focus::Related {
            if let Some(sel) = move_selection(action, self.related_sel, self.related.len(), 5) {
                self.related_sel = sel;
                return None;
            }
        } else if self.scroll_by(action) {
            return None;
        }
        match action {
            Action::FocusNext | Action::FocusPrev => {
                self.focus = Some(match self.focus() {
                    Focus::Body if !self.related.is_empty() => Focus::Related,
                    _ => Focus::Body,
                });
                None
            }
            Action::Open => match self.focus() {
                Focus::Related => self
                    .related
                    .get(self.related_sel)
                    .copied()
                    .map(Action::OpenArticle),
                Focus::Body => None,
            },
            Action::CopyText => Some(Action::CopyArticle(article)),
            Action::RunChecks => Some(Action::RunArticleChecks(article)),
            Action::Back => match self.history.pop() {
                Some(prev) => {
                    self.show(prev, ctx);
                    None
                }
                None => Some(Action::CloseAnswer),
            },
            _ => None,
        }
    }

    fn handle_mouse(&mut self, event: MouseEvent, _ctx: &Ctx) -> Option<Action> {
        match event.kind {
            MouseEventKind::ScrollDown => {
                self.scroll_by(&Action::Down);
                self.scroll_by(&Action::Down);
                None
            }
            MouseEventKind::ScrollUp => {
                self.scroll_by(&Action::Up);
                self.scroll_by(&Action::Up);
                None
            }
            MouseEventKind::Down(MouseButton::Left) => {
                let inner = self.related_area.inner(Margin {
                    vertical: 1,
                    horizontal: 1,
                });
                if !inner.contains(Position::new(event.column, event.row)) {
                    return None;
                }
                let i = usize::from(event.row - inner.y);
                let idx = *self.related.get(i)?;
                Some(Action::OpenArticle(idx))
            }
            _ => None,
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(index) = self.article else {
            return;
        };
        // Under the answer, related articles get at most a third of the height: the answer
        // is what the agent came for.
        let related_rows = (self.related.len().max(1) as u16 + 2).min((area.height / 3).max(3));
        let (body, related) = if area.width >= SIDE_MIN_WIDTH {
            let [b, r] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(40)]).areas(area);
            (b, r)
        } else {
            let [b, r] = Layout::vertical([Constraint::Fill(1), Constraint::Length(related_rows)])
                .areas(area);
            (b, r)
        };
        self.render_body(frame, body, ctx, index);
        self.render_related(frame, related, ctx);
    }

    fn hints(&self) -> Vec<Action> {
        match self.focus() {
            Focus::Body => vec![
                Action::Down,
                Action::PageDown,
                Action::CopyText,
                Action::RunChecks,
                Action::FocusNext,
                Action::Back,
                Action::Search,
                Action::Help,
                Action::Quit,
            ],
            Focus::Related => vec![
                Action::Open,
                Action::Down,
                Action::CopyText,
                Action::FocusNext,
                Action::Back,
                Action::Help,
                Action::Quit,
            ],
        }
    }
}
