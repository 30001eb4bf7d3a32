//! The diagnostics view: the tenants with their worst status as a badge on the left; the
//! chosen tenant's findings, worst first, on the right, the selected one's detail and evidence
//! under them. Ok and skipped checks are listed compactly after the problems.
//!
//! The view only holds what it shows. Fetching, fixing and timing belong to the app: the
//! view answers keys with actions (`DiagnoseTenant`, `PrepareFix`, `CopyReport`) and the app
//! feeds results back through the methods here.

mod render;

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};

use super::toast::Toast;
use super::{Component, Ctx, move_selection};
use crate::checks::{Finding, FixKind, Status};
use crate::report::TenantReport;
use crate::tui::action::Action;
use crate::tui::theme::Theme;

/// What a tenant row knows besides its name.
#[derive(Debug, Clone, Default)]
pub struct TenantInfo {
    pub name: String,
    pub production: bool,
    /// The tenant's colour cue (`accent` in the config); `None` under `NO_COLOR`.
    pub accent: Option<Color>,
    /// Why fixes are refused on this tenant, if they are.
    pub refusal: Option<String>,
}

/// The before/after line under a finding a fix was run for.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub text: String,
    pub level: NoteLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteLevel {
    /// The finding is gone.
    Fixed,
    /// Better, or fixed for the chosen target while others remain.
    Improved,
    /// The finding remains as it was.
    Still,
    /// The fix failed or was refused.
    Failed,
}

#[derive(Debug, Clone, Default)]
pub struct TenantRow {
    pub info: TenantInfo,
    pub report: Option<TenantReport>,
    pub loading: bool,
    /// The newest fetch whose result is shown; older results are dropped.
    pub applied_seq: u64,
    /// When auto-refresh checks this tenant again.
    pub next_refresh: Option<Instant>,
    /// Before/after lines by check id, kept until the next refresh.
    pub notes: BTreeMap<String, Note>,
    /// Fixes running now: (check id, kind).
    pub running: Vec<(String, FixKind)>,
}

/// An answer's related checks, run on one tenant (`d` in the answer view).
#[derive(Debug, Clone)]
pub struct RelatedChecks {
    pub tenant: usize,
    pub article: usize,
    pub title: String,
    pub report: Option<TenantReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Tenants,
    Findings,
    Detail,
}

pub struct DiagnosticsView {
    rows: Vec<TenantRow>,
    selected: usize,
    /// First tenant on screen.
    tenants_offset: usize,
    focus: Focus,
    finding_sel: usize,
    /// First line of the findings list on screen.
    list_offset: usize,
    list_height: usize,
    detail_scroll: usize,
    detail_height: usize,
    detail_total: usize,
    related: Option<RelatedChecks>,
    /// Where the config is read from, to tell the user where tenants go.
    config_path: Option<String>,
    /// Fixes that started in an earlier run and never ended.
    unfinished: Vec<String>,
    /// When the "checked N s ago" text changes next (set while drawing).
    next_label_change: Option<DateTime<Utc>>,
    tenants_area: Rect,
    /// Screen row of each finding's first line, for mouse clicks.
    item_rows: Vec<(u16, usize)>,
}

impl DiagnosticsView {
    pub fn new(tenants: Vec<TenantInfo>, config_path: Option<String>) -> DiagnosticsView {
        DiagnosticsView {
            rows: tenants
                .into_iter()
                .map(|info| TenantRow {
                    info,
                    ..TenantRow::default()
                })
                .collect(),
            selected: 0,
            tenants_offset: 0,
            focus: Focus::Tenants,
            finding_sel: 0,
            list_offset: 0,
            list_height: 0,
            detail_scroll: 0,
            detail_height: 0,
            detail_total: 0,
            related: None,
            config_path,
            unfinished: Vec::new(),
            next_label_change: None,
            tenants_area: Rect::default(),
            item_rows: Vec::new(),
        }
    }

    // ---- what the app and the tests read ----

    pub fn rows(&self) -> &[TenantRow] {
        &self.rows
    }

    pub fn row(&self, i: usize) -> Option<&TenantRow> {
        self.rows.get(i)
    }

    pub fn row_mut(&mut self, i: usize) -> Option<&mut TenantRow> {
        self.rows.get_mut(i)
    }

    pub fn selected_tenant(&self) -> Option<usize> {
        (!self.rows.is_empty()).then_some(self.selected)
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn related(&self) -> Option<&RelatedChecks> {
        self.related.as_ref()
    }

    /// The findings listed one by one, in screen order.
    pub fn items(&self) -> Vec<&Finding> {
        let Some((report, related)) = self.shown() else {
            return Vec::new();
        };
        let notes = &self.rows[self.selected].notes;
        report
            .sorted()
            .into_iter()
            .filter(|f| related || f.status >= Status::Info || notes.contains_key(&f.check))
            .collect()
    }

    pub fn selected_finding(&self) -> Option<&Finding> {
        self.items().get(self.finding_sel).copied()
    }

    /// The before/after line for a check of the selected tenant.
    pub fn note(&self, check: &str) -> Option<&Note> {
        self.rows.get(self.selected)?.notes.get(check)
    }

    /// When the view wants to be drawn again although nothing happened: the age of the
    /// shown check changes its wording.
    pub fn next_label_change(&self) -> Option<DateTime<Utc>> {
        self.next_label_change
    }

    // ---- what the app changes ----

    pub fn select_tenant(&mut self, i: usize) {
        if i < self.rows.len() && i != self.selected {
            self.selected = i;
            self.finding_sel = 0;
            self.list_offset = 0;
            self.detail_scroll = 0;
            if self.related.as_ref().is_some_and(|r| r.tenant != i) {
                self.related = None;
            }
        }
    }

    /// Selects the finding of this check, if it is listed; moves focus to the findings.
    pub fn select_check(&mut self, check: &str) -> bool {
        match self.items().iter().position(|f| f.check == check) {
            Some(i) => {
                self.finding_sel = i;
                self.detail_scroll = 0;
                self.focus = Focus::Findings;
                true
            }
            None => false,
        }
    }

    pub fn clear_label_change(&mut self) {
        self.next_label_change = None;
    }

    pub fn set_unfinished(&mut self, lines: Vec<String>) {
        self.unfinished = lines;
    }

    /// Applies a fetch result unless a newer one is already shown. A plain refresh clears the
    /// before/after lines; a re-check after a fix (`fix_note`: the fixed check and its
    /// before/after) adds its own and keeps the others. The selected finding stays selected.
    pub fn loaded(
        &mut self,
        i: usize,
        seq: u64,
        report: TenantReport,
        fix_note: Option<(String, Note)>,
    ) -> bool {
        let keep = (i == self.selected)
            .then(|| self.selected_finding().map(|f| f.check.clone()))
            .flatten();
        let Some(row) = self.rows.get_mut(i) else {
            return false;
        };
        let fresh = seq >= row.applied_seq;
        if fresh && fix_note.is_none() {
            row.notes.clear();
        }
        // The before/after belongs to the fix even when a newer fetch already landed.
        if let Some((check, note)) = fix_note {
            row.notes.insert(check, note);
        }
        if !fresh {
            return false;
        }
        row.applied_seq = seq;
        // The answer's checks shown for this tenant follow the fresher results.
        if let Some(rel) = self.related.as_mut().filter(|r| r.tenant == i)
            && let Some(shown) = rel.report.as_mut()
        {
            for f in &mut shown.findings {
                if let Some(fresh) = report.findings.iter().find(|x| x.check == f.check) {
                    *f = fresh.clone();
                }
            }
        }
        self.rows[i].report = Some(report);
        if let Some(check) = keep {
            // Keep the same finding selected when it is still listed.
            if let Some(p) = self.items().iter().position(|f| f.check == check) {
                self.finding_sel = p;
            }
        }
        self.clamp();
        true
    }

    pub fn show_related(&mut self, related: RelatedChecks) {
        self.select_tenant(related.tenant);
        self.related = Some(related);
        self.finding_sel = 0;
        self.list_offset = 0;
        self.detail_scroll = 0;
        self.focus = Focus::Findings;
    }

    pub fn related_loaded(&mut self, tenant: usize, article: usize, report: TenantReport) {
        if let Some(rel) = self
            .related
            .as_mut()
            .filter(|r| r.tenant == tenant && r.article == article)
        {
            rel.report = Some(report);
            self.clamp();
        }
    }

    fn clamp(&mut self) {
        let n = self.items().len();
        self.finding_sel = self.finding_sel.min(n.saturating_sub(1));
    }

    /// The report the findings pane shows: the answer's checks when they were asked for on
    /// this tenant, else the tenant's last full check.
    fn shown(&self) -> Option<(&TenantReport, bool)> {
        if let Some(rel) = &self.related
            && rel.tenant == self.selected
        {
            return rel.report.as_ref().map(|r| (r, true));
        }
        self.rows
            .get(self.selected)?
            .report
            .as_ref()
            .map(|r| (r, false))
    }

    fn move_detail(&mut self, action: &Action) -> bool {
        let page = self.detail_height.saturating_sub(1).max(1);
        let max = self.detail_total.saturating_sub(self.detail_height);
        self.detail_scroll = match action {
            Action::Up => self.detail_scroll.saturating_sub(1),
            Action::Down => (self.detail_scroll + 1).min(max),
            Action::PageUp => self.detail_scroll.saturating_sub(page),
            Action::PageDown => (self.detail_scroll + page).min(max),
            Action::Top => 0,
            Action::Bottom => max,
            _ => return false,
        };
        true
    }
}

impl Component for DiagnosticsView {
    fn update(&mut self, action: &Action, ctx: &Ctx) -> Option<Action> {
        if self.rows.is_empty() {
            return match action {
                Action::Back => Some(Action::Search),
                Action::Refresh | Action::Fix | Action::CopyNote => {
                    Some(Action::Toast(Toast::info("No tenants configured")))
                }
                _ => None,
            };
        }
        match self.focus {
            Focus::Tenants => {
                let page = usize::from(self.tenants_area.height.saturating_sub(2)).max(1);
                if let Some(sel) = move_selection(action, self.selected, self.rows.len(), page) {
                    self.select_tenant(sel);
                    return None;
                }
            }
            Focus::Findings => {
                let n = self.items().len();
                let page = (self.list_height / 2).max(1);
                if let Some(sel) = move_selection(action, self.finding_sel, n, page) {
                    if sel != self.finding_sel {
                        self.detail_scroll = 0;
                    }
                    self.finding_sel = sel;
                    return None;
                }
            }
            Focus::Detail => {
                if self.move_detail(action) {
                    return None;
                }
            }
        }
        match action {
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Tenants => Focus::Findings,
                    Focus::Findings => Focus::Detail,
                    Focus::Detail => Focus::Tenants,
                };
                None
            }
            Action::FocusPrev => {
                self.focus = match self.focus {
                    Focus::Tenants => Focus::Detail,
                    Focus::Findings => Focus::Tenants,
                    Focus::Detail => Focus::Findings,
                };
                None
            }
            Action::Open => match self.focus {
                Focus::Tenants => {
                    self.focus = Focus::Findings;
                    None
                }
                Focus::Findings | Focus::Detail => {
                    let f = self.selected_finding()?;
                    match ctx.kb.index_of(&f.faq) {
                        Some(i) => Some(Action::OpenArticle(i)),
                        None => Some(Action::Toast(Toast::warn(format!(
                            "No answer `{}` in the knowledge base",
                            f.faq
                        )))),
                    }
                }
            },
            Action::Refresh => Some(Action::DiagnoseTenant(self.selected)),
            Action::CopyNote => Some(Action::CopyReport(self.selected)),
            Action::Fix => {
                if self.focus == Focus::Tenants {
                    let tab = ctx
                        .keymap
                        .label(&Action::FocusNext)
                        .unwrap_or_else(|| "tab".into());
                    return Some(Action::Toast(Toast::info(format!(
                        "Pick a finding first ({tab} moves to the findings)"
                    ))));
                }
                let f = self.selected_finding()?;
                if f.fix.is_none() {
                    return Some(Action::Toast(Toast::info(format!(
                        "{} offers no one-key fix",
                        f.check
                    ))));
                }
                Some(Action::PrepareFix(self.selected, Box::new(f.clone())))
            }
            Action::Back => {
                if self.related.take().is_some() {
                    self.finding_sel = 0;
                    self.list_offset = 0;
                    None
                } else if self.focus != Focus::Tenants {
                    self.focus = Focus::Tenants;
                    None
                } else {
                    Some(Action::Search)
                }
            }
            _ => None,
        }
    }

    fn handle_mouse(&mut self, event: MouseEvent, _ctx: &Ctx) -> Option<Action> {
        let pos = Position::new(event.column, event.row);
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let inner = Rect {
                    x: self.tenants_area.x + 1,
                    y: self.tenants_area.y + 1,
                    width: self.tenants_area.width.saturating_sub(2),
                    height: self.tenants_area.height.saturating_sub(2),
                };
                if inner.contains(pos) {
                    let i = self.tenants_offset + usize::from(event.row - inner.y);
                    if i < self.rows.len() {
                        self.select_tenant(i);
                        self.focus = Focus::Tenants;
                    }
                    return None;
                }
                let hit = self
                    .item_rows
                    .iter()
                    .rev()
                    .find(|(y, _)| *y <= event.row)
                    .map(|(_, i)| *i);
                if let Some(i) = hit {
                    let again = self.focus == Focus::Findings && self.finding_sel == i;
                    self.finding_sel = i;
                    self.focus = Focus::Findings;
                    if again {
                        return self.update(&Action::Open, _ctx);
                    }
                }
                None
            }
            MouseEventKind::ScrollDown => self.update(&Action::Down, _ctx),
            MouseEventKind::ScrollUp => self.update(&Action::Up, _ctx),
            _ => None,
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.draw(frame, area, ctx);
    }

    fn hints(&self) -> Vec<Action> {
        let mut hints = match self.focus {
            Focus::Tenants => vec![Action::Down, Action::Open, Action::Refresh],
            Focus::Findings | Focus::Detail => {
                let mut h = vec![Action::Down, Action::Open];
                if self.selected_finding().is_some_and(|f| f.fix.is_some()) {
                    h.push(Action::Fix);
                }
                h.push(Action::Refresh);
                h
            }
        };
        hints.extend([
            Action::CopyNote,
            Action::FocusNext,
            Action::Search,
            Action::Help,
            Action::Quit,
        ]);
        hints
    }
}

// ---- badges ----

/// The status as a word, so it reads without colour.
pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Ok => "OK",
        Status::Skipped => "SKIPPED",
        Status::Info => "INFO",
        Status::Warning => "WARNING",
        Status::Unavailable => "UNAVAIL",
        Status::Error => "ERROR",
    }
}

/// A one-column sign for the status.
pub fn status_glyph(s: Status) -> &'static str {
    match s {
        Status::Ok => "✓",
        Status::Skipped => "-",
        Status::Info => "i",
        Status::Warning => "!",
        Status::Unavailable => "?",
        Status::Error => "✗",
    }
}

/// The theme slot a status is drawn in.
pub fn status_style(s: Status, t: &Theme) -> Style {
    match s {
        Status::Ok => t.ok,
        Status::Skipped => t.muted,
        Status::Info => t.info,
        Status::Warning | Status::Unavailable => t.warn.add_modifier(Modifier::BOLD),
        Status::Error => t.error.add_modifier(Modifier::BOLD),
    }
}

/// "just now", "20 s ago", "3 min ago", "2 h ago", and how many seconds old the check will
/// be when that wording changes.
pub fn age_words(secs: i64) -> (String, i64) {
    let secs = secs.max(0);
    if secs < 10 {
        ("just now".into(), 10)
    } else if secs < 60 {
        (format!("{} s ago", secs / 10 * 10), (secs / 10 + 1) * 10)
    } else if secs < 3600 {
        (format!("{} min ago", secs / 60), (secs / 60 + 1) * 60)
    } else {
        (format!("{} h ago", secs / 3600), (secs / 3600 + 1) * 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally_and_change_at_the_next_step() {
        assert_eq!(age_words(3), ("just now".to_string(), 10));
        assert_eq!(age_words(25), ("20 s ago".to_string(), 30));
        assert_eq!(age_words(61), ("1 min ago".to_string(), 120));
        assert_eq!(age_words(7300), ("2 h ago".to_string(), 10800));
        assert_eq!(
            age_words(-5).0,
            "just now",
            "a clock step back is not negative"
        );
        for s in 0..5000 {
            assert!(age_words(s).1 > s, "{s}");
        }
    }

    #[test]
    fn every_status_has_a_distinct_word() {
        let all = [
            Status::Ok,
            Status::Skipped,
            Status::Info,
            Status::Warning,
            Status::Unavailable,
            Status::Error,
        ];
        let mut words: Vec<&str> = all.iter().map(|s| status_label(*s)).collect();
        words.sort();
        words.dedup();
        assert_eq!(words.len(), all.len());
    }
}
