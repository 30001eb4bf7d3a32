//! The fix confirmation: what the fix does, for whom (the agent can leave users or groups
//! out), and the exact calls it will send, credentials hidden. Enter runs it, Esc cancels.
//! On a production tenant the tenant's name must be typed first; when fixes are refused
//! (read-only) the popup says why and Enter only repeats it.
//!
//! The popup takes every typing key, so `q` or `space` never act behind it: `space` toggles
//! the highlighted user or group, `j`/`k` move, other characters go to the name field.

use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::diagnostics::{Note, NoteLevel, TenantInfo, status_label, status_style};
use super::toast::Toast;
use super::{Component, Ctx, scroll_into_view};
use crate::checks::FixTarget;
use crate::fixes::Plan;
use crate::tui::action::Action;
use crate::tui::engine::{FixResult, FixRun};
use crate::tui::text::{truncate, width, wrap, wrap_hard};

/// At most this many users or groups are listed at once (the list scrolls).
const TARGET_ROWS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Targets,
    Name,
}

#[derive(Debug, Clone)]
struct Choice {
    label: String,
    user: Option<String>,
    group: Option<String>,
    on: bool,
}

pub struct FixConfirm {
    /// The tenant, the finding before, and the plan as built (every target).
    base: FixRun,
    /// The plan for the chosen targets: what Enter runs and the calls shown.
    plan: Plan,
    tenant: TenantInfo,
    choices: Vec<Choice>,
    cursor: usize,
    choices_offset: usize,
    focus: Focus,
    name: Input,
    calls_scroll: usize,
    calls_height: usize,
    calls_total: usize,
    running: bool,
    /// How the run ended, once it has; the popup then shows it until closed.
    outcome: Option<FixResult>,
    /// The re-check's before → after, once it is in.
    after: Option<Note>,
    done: bool,
}

impl FixConfirm {
    pub fn new(base: FixRun, tenant: TenantInfo) -> FixConfirm {
        let t = &base.plan.target;
        let mut choices: Vec<Choice> = t
            .users
            .iter()
            .map(|u| Choice {
                label: u.email.clone(),
                user: Some(u.id.clone()),
                group: None,
                on: true,
            })
            .collect();
        choices.extend(t.groups.iter().map(|g| {
            let state = match (&g.mapping_id, g.mapping_status.as_deref()) {
                (None, _) => "no push mapping yet".to_string(),
                (Some(_), Some(s)) => format!("mapping {s}"),
                (Some(_), None) => "mapped".to_string(),
            };
            Choice {
                label: format!("group {} ({state})", g.name),
                user: None,
                group: Some(g.id.clone()),
                on: true,
            }
        }));
        let focus = if tenant.production && tenant.refusal.is_none() {
            Focus::Name
        } else {
            Focus::Targets
        };
        FixConfirm {
            plan: base.plan.clone(),
            base,
            tenant,
            choices,
            cursor: 0,
            choices_offset: 0,
            focus,
            name: Input::default(),
            calls_scroll: 0,
            calls_height: 0,
            calls_total: 0,
            running: false,
            outcome: None,
            after: None,
            done: false,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn tenant(&self) -> usize {
        self.base.tenant
    }

    /// The plan Enter would run now (narrowed to the chosen targets).
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    pub fn set_running(&mut self) {
        self.running = true;
    }

    /// The run ended: keep showing the calls with the outcome, so a second Enter closes this
    /// instead of acting on the screen behind it.
    pub fn set_outcome(&mut self, result: FixResult) {
        self.running = false;
        self.outcome = Some(result);
    }

    pub fn outcome(&self) -> Option<&FixResult> {
        self.outcome.as_ref()
    }

    pub fn set_after(&mut self, note: Note) {
        self.after = Some(note);
    }

    pub fn close(&mut self) {
        self.done = true;
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    fn toggleable(&self) -> bool {
        self.choices.len() > 1
    }

    fn toggle(&mut self) {
        if self.settled() || !self.toggleable() {
            return;
        }
        if let Some(c) = self.choices.get_mut(self.cursor) {
            c.on = !c.on;
        }
        let chosen = |id: &String, pick: fn(&Choice) -> Option<&String>| {
            self.choices
                .iter()
                .any(|c| c.on && pick(c).is_some_and(|x| x == id))
        };
        let t = &self.base.plan.target;
        let keep = FixTarget {
            users: t
                .users
                .iter()
                .filter(|u| chosen(&u.id, |c| c.user.as_ref()))
                .cloned()
                .collect(),
            groups: t
                .groups
                .iter()
                .filter(|g| chosen(&g.id, |c| c.group.as_ref()))
                .cloned()
                .collect(),
            team: t.team.clone(),
            job_id: t.job_id.clone(),
        };
        self.plan = self.base.plan.narrowed(&keep);
        self.calls_scroll = 0;
    }

    fn move_cursor(&mut self, down: bool) {
        if self.choices.is_empty() {
            return;
        }
        self.cursor = if down {
            (self.cursor + 1).min(self.choices.len() - 1)
        } else {
            self.cursor.saturating_sub(1)
        };
    }

    fn name_matches(&self) -> bool {
        self.name.value().trim() == self.tenant.name
    }

    /// What Enter does.
    fn confirm(&mut self) -> Option<Action> {
        let kind = self.plan.kind;
        if self.outcome.is_some() {
            self.done = true;
            return None;
        }
        if self.running {
            return Some(Action::Toast(Toast::info(format!(
                "{kind} is already running on {}",
                self.tenant.name
            ))));
        }
        if let Some(why) = &self.tenant.refusal {
            return Some(Action::Toast(Toast::warn(format!("Not run: {why}"))));
        }
        if self.plan.steps.is_empty() {
            return Some(Action::Toast(Toast::warn(
                "Nothing chosen: space picks the users or groups to fix",
            )));
        }
        if self.tenant.production && !self.name_matches() {
            self.focus = Focus::Name;
            return Some(Action::Toast(Toast::warn(format!(
                "{} is a production tenant: type its name to confirm",
                self.tenant.name
            ))));
        }
        Some(Action::RunFix(Box::new(FixRun {
            tenant: self.base.tenant,
            before: self.base.before.clone(),
            plan: self.plan.clone(),
        })))
    }

    fn typing(&self) -> bool {
        self.focus == Focus::Name && !self.running && self.outcome.is_none()
    }

    fn settled(&self) -> bool {
        self.running || self.outcome.is_some()
    }
}

impl Component for FixConfirm {
    fn captures_text(&self) -> bool {
        true
    }

    fn handle_text(&mut self, key: KeyEvent, _ctx: &Ctx) -> Option<Action> {
        if self.typing() {
            if let Some(req) = to_input_request(&Event::Key(key)) {
                self.name.handle(req);
            }
            return None;
        }
        match key.code {
            KeyCode::Char(' ') => self.toggle(),
            KeyCode::Char('j') => self.move_cursor(true),
            KeyCode::Char('k') => self.move_cursor(false),
            _ => {}
        }
        None
    }

    fn handle_paste(&mut self, text: &str, _ctx: &Ctx) -> Option<Action> {
        if self.typing() {
            for c in crate::sanitize::clean_line(text).chars() {
                self.name.handle(tui_input::InputRequest::InsertChar(c));
            }
        }
        None
    }

    fn update(&mut self, action: &Action, _ctx: &Ctx) -> Option<Action> {
        let page = self.calls_height.saturating_sub(1).max(1);
        let max = self.calls_total.saturating_sub(self.calls_height);
        match action {
            Action::Up => self.move_cursor(false),
            Action::Down => self.move_cursor(true),
            Action::PageUp => self.calls_scroll = self.calls_scroll.saturating_sub(page),
            Action::PageDown => self.calls_scroll = (self.calls_scroll + page).min(max),
            Action::FocusNext | Action::FocusPrev
                if self.tenant.production && self.tenant.refusal.is_none() && self.toggleable() =>
            {
                self.focus = match self.focus {
                    Focus::Name => Focus::Targets,
                    Focus::Targets => Focus::Name,
                };
            }
            Action::Open => return self.confirm(),
            Action::Back => self.done = true,
            _ => {}
        }
        None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let w = area.width.saturating_sub(4).min(100);
        let max_h = area.height.saturating_sub(2).max(area.height.min(6));
        let kind = self.plan.kind;
        let prod_style = match self.tenant.accent {
            Some(c) => Style::new().fg(c).add_modifier(Modifier::BOLD),
            None => t.warn.add_modifier(Modifier::BOLD),
        };
        let iw = usize::from(w.saturating_sub(2));
        let max_ih = usize::from(max_h.saturating_sub(2));
        if iw < 10 || max_ih < 3 {
            return;
        }
        let label = |s: &str| Span::styled(format!("{s:<10}"), t.muted);

        // What: the fix, the plan in words, the finding it answers.
        let mut head: Vec<Line> = vec![Line::from(vec![
            label("What"),
            Span::styled(truncate(kind.label(), iw.saturating_sub(10)), t.heading),
        ])];
        for l in wrap(&self.plan.summary, iw.saturating_sub(10))
            .into_iter()
            .take(2)
        {
            head.push(Line::from(vec![
                Span::raw(" ".repeat(10)),
                Span::styled(l, t.text),
            ]));
        }
        let before = &self.base.before;
        head.push(Line::from(vec![
            label("Finding"),
            Span::styled(
                format!("{} ", status_label(before.status)),
                status_style(before.status, t),
            ),
            Span::styled(
                truncate(
                    &format!("{}: {}", before.check, before.title),
                    iw.saturating_sub(11 + width(status_label(before.status))),
                ),
                t.text,
            ),
        ]));

        // For whom.
        let mut whom: Vec<Line> = Vec::new();
        let chosen = self.choices.iter().filter(|c| c.on).count();
        let mut heading = vec![label("For whom")];
        if self.toggleable() {
            heading.push(Span::styled(
                truncate(
                    &format!(
                        "{chosen} of {} chosen · {}space toggles",
                        self.choices.len(),
                        if self.tenant.production
                            && self.tenant.refusal.is_none()
                            && self.focus == Focus::Name
                        {
                            "tab, then "
                        } else {
                            ""
                        }
                    ),
                    iw.saturating_sub(10),
                ),
                t.muted,
            ));
        } else if self.choices.is_empty() {
            let what = match (&self.plan.target.job_id, &self.plan.target.team) {
                (Some(job), _) => format!("job {job}"),
                _ => format!("tenant {}", self.tenant.name),
            };
            heading.push(Span::styled(truncate(&what, iw.saturating_sub(10)), t.text));
        }
        let single = self.choices.len() == 1;
        if single && let Some(c) = self.choices.first() {
            heading.push(Span::styled(
                truncate(&c.label, iw.saturating_sub(10)),
                t.text,
            ));
        }
        whom.push(Line::from(heading));
        let list_rows = if self.toggleable() {
            self.choices.len().min(TARGET_ROWS).min((max_ih / 4).max(1))
        } else {
            0
        };
        self.choices_offset = scroll_into_view(self.cursor, self.choices_offset, list_rows);
        let on_targets = self.focus == Focus::Targets && !self.settled();
        for (i, c) in self
            .choices
            .iter()
            .enumerate()
            .skip(self.choices_offset)
            .take(list_rows)
        {
            let sel = on_targets && i == self.cursor;
            let base = if sel {
                t.text.patch(t.selection)
            } else {
                t.text
            };
            let mark = if c.on { "[x] " } else { "[ ] " };
            whom.push(
                Line::from(vec![
                    Span::styled(if sel { "  ▌ " } else { "    " }, base.patch(t.accent)),
                    Span::styled(mark, base.patch(if c.on { t.ok } else { t.muted })),
                    Span::styled(truncate(&c.label, iw.saturating_sub(9)), base),
                ])
                .style(base),
            );
        }
        if let Some(team) = &self.plan.target.team
            && !self.choices.is_empty()
        {
            whom.push(Line::from(vec![
                Span::raw(" ".repeat(10)),
                Span::styled(
                    truncate(&format!("into team {}", team.name), iw.saturating_sub(10)),
                    t.muted,
                ),
            ]));
        }

        // The footer: why not, running, or what confirms.
        let mut foot: Vec<Line> = Vec::new();
        let mut cursor_at: Option<(usize, usize)> = None;
        if let Some(out) = &self.outcome {
            let (mark, style) = if out.succeeded {
                ("✓", t.ok)
            } else {
                ("✗", t.error)
            };
            // The one-liner: on failure it leads with the provider's status and code and
            // ends with the request id, which the whole message could push out of the box.
            for (n, l) in wrap(&out.short, iw.saturating_sub(2))
                .into_iter()
                .take(4)
                .enumerate()
            {
                let lead = if n == 0 { mark } else { " " };
                foot.push(Line::from(vec![
                    Span::styled(format!("{lead} "), style),
                    Span::styled(l, style),
                ]));
            }
            let (text, style) = match &self.after {
                Some(note) => (
                    format!("Re-check: {}", note.text),
                    match note.level {
                        NoteLevel::Fixed => t.ok.add_modifier(Modifier::BOLD),
                        NoteLevel::Improved => t.info,
                        NoteLevel::Still => t.warn,
                        NoteLevel::Failed => t.error,
                    },
                ),
                None if out.ran => (
                    format!("{} Re-checking {}…", ctx.spinner, self.tenant.name),
                    t.accent,
                ),
                None => (String::new(), t.muted),
            };
            if !text.is_empty() {
                foot.push(Line::from(Span::styled(truncate(&text, iw), style)));
            }
        } else if let Some(why) = &self.tenant.refusal {
            foot.push(Line::from(Span::styled(
                truncate(&format!("✗ Refused: {why}"), iw),
                t.error,
            )));
        } else if self.running {
            foot.push(Line::from(Span::styled(
                truncate(
                    &format!("{} Running {kind} on {}…", ctx.spinner, self.tenant.name),
                    iw,
                ),
                t.accent,
            )));
        } else if self.tenant.production {
            let prompt = format!("Type {} to confirm › ", self.tenant.name);
            let prompt = truncate(&prompt, iw / 2);
            let value = truncate(self.name.value(), iw.saturating_sub(width(&prompt) + 3));
            let ok = self.name_matches();
            let mut spans = vec![
                Span::styled(prompt.clone(), prod_style),
                Span::styled(value.clone(), t.text.add_modifier(Modifier::BOLD)),
            ];
            if ok {
                spans.push(Span::styled(" ✓", t.ok));
            }
            if self.focus == Focus::Name {
                cursor_at = Some((width(&prompt) + width(&value), 0));
            }
            foot.push(Line::from(spans));
        } else {
            let n = self.plan.steps.len();
            foot.push(Line::from(Span::styled(
                truncate(
                    &format!(
                        "Enter sends {n} call{} · Esc cancels",
                        if n == 1 { "" } else { "s" }
                    ),
                    iw,
                ),
                t.key,
            )));
        }

        // The calls get what is left; the parts above give way on a short screen. The box
        // is no taller than what it holds.
        let calls = self.call_lines(iw, ctx);
        let needed = head.len() + whom.len() + 1 + calls.len() + 1 + foot.len();
        let ih = needed.min(max_ih);
        let h = ih as u16 + 2;
        let rect = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        frame.render_widget(Clear, rect);
        let border = if self.tenant.production {
            prod_style
        } else {
            t.border_focus
        };
        let mut title = vec![Span::styled(
            format!(
                " Fix {kind} on {} ",
                truncate(&self.tenant.name, usize::from(w) / 3)
            ),
            t.accent,
        )];
        if self.tenant.production {
            title.push(Span::styled("PRODUCTION ", prod_style));
        }
        let keys = if self.outcome.is_some() {
            " enter or esc closes "
        } else if self.running {
            " esc hides this (the fix keeps running) "
        } else if self.tenant.refusal.is_some() {
            " esc closes "
        } else if self.tenant.production && self.toggleable() {
            " enter runs · esc cancels · tab: name/targets "
        } else {
            " enter runs · esc cancels "
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(border)
            .style(t.text)
            .title(Line::from(title))
            .title_bottom(Line::from(Span::styled(keys, t.muted)).right_aligned());
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let min_calls = 2;
        let spare = ih.saturating_sub(foot.len() + 1 + min_calls);
        if head.len() + whom.len() > spare {
            head.truncate(spare.saturating_sub(whom.len()).max(1));
        }
        if head.len() + whom.len() > spare {
            whom.truncate(spare.saturating_sub(head.len()));
        }
        let calls_h = ih.saturating_sub(head.len() + whom.len() + foot.len() + 1);
        self.calls_total = calls.len();
        self.calls_height = calls_h.saturating_sub(1);
        self.calls_scroll = self
            .calls_scroll
            .min(self.calls_total.saturating_sub(self.calls_height));
        let mut lines = head;
        lines.extend(whom);
        if calls_h > 0 {
            let more = self.calls_total > self.calls_height;
            let mut heading = vec![label(&format!("Calls ({})", self.plan.steps.len()))];
            if more {
                heading.push(Span::styled(
                    truncate(
                        &format!(
                            "lines {}-{} of {} · pgup/pgdn scroll",
                            self.calls_scroll + 1,
                            (self.calls_scroll + self.calls_height).min(self.calls_total),
                            self.calls_total
                        ),
                        iw.saturating_sub(10),
                    ),
                    t.muted,
                ));
            }
            lines.push(Line::from(heading));
            lines.extend(
                calls
                    .into_iter()
                    .skip(self.calls_scroll)
                    .take(self.calls_height),
            );
        }
        while lines.len() + foot.len() < ih {
            lines.push(Line::default());
        }
        let foot_y = lines.len();
        lines.extend(foot);
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((x, _)) = cursor_at {
            let cx = inner.x + (x as u16).min(inner.width.saturating_sub(1));
            frame.set_cursor_position(Position::new(cx, inner.y + foot_y as u16));
        }
    }

    fn hints(&self) -> Vec<Action> {
        if self.outcome.is_some() {
            return vec![Action::Open, Action::Back];
        }
        if self.running {
            return vec![Action::Back];
        }
        let mut hints = vec![Action::Open, Action::Back];
        if self.toggleable() {
            hints.push(Action::Down);
        }
        if self.calls_total > self.calls_height {
            hints.push(Action::PageDown);
        }
        if self.tenant.production && self.tenant.refusal.is_none() && self.toggleable() {
            hints.push(Action::FocusNext);
        }
        hints
    }

    fn hint_word(&self, action: &Action) -> Option<&'static str> {
        Some(match action {
            Action::Open | Action::Back if self.outcome.is_some() => "close",
            Action::Open if self.tenant.refusal.is_some() => "why not",
            Action::Back if self.tenant.refusal.is_some() => "close",
            Action::Open => "run",
            Action::Back if self.running => "hide",
            Action::Back => "cancel",
            Action::Down => "choose",
            Action::PageDown => "more calls",
            Action::FocusNext => "name/choices",
            _ => return None,
        })
    }
}

impl FixConfirm {
    /// Every call: `1. METHOD URL`, the redacted `Authorization` header, the body, for whom.
    /// URLs and bodies are wrapped, never cut: they are what will be sent.
    fn call_lines(&self, iw: usize, ctx: &Ctx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let mut out = Vec::new();
        let text_w = iw.saturating_sub(4).max(8);
        for (i, step) in self.plan.steps.iter().enumerate() {
            let num = format!("{:>2}. ", i + 1);
            let request = format!("{} {}", step.call.method, step.call.url);
            for (n, part) in wrap_hard(&request, text_w).into_iter().enumerate() {
                let lead = if n == 0 { num.clone() } else { "    ".into() };
                out.push(Line::from(vec![
                    Span::styled(lead, t.muted),
                    Span::styled(part, t.code),
                ]));
            }
            if !step.call.auth.is_empty() {
                out.push(Line::from(vec![
                    Span::raw("    "),
                    Span::styled(
                        truncate(&format!("Authorization: {}", step.call.auth), text_w),
                        t.muted,
                    ),
                ]));
            }
            if let Some(body) = &step.call.body {
                for part in wrap_hard(&body.to_string(), text_w) {
                    out.push(Line::from(vec![
                        Span::raw("    "),
                        Span::styled(part, t.code),
                    ]));
                }
            }
            out.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(truncate(&format!("for {}", step.subject), text_w), t.muted),
            ]));
        }
        if out.is_empty() {
            out.push(Line::from(Span::styled(
                "No calls: nothing is chosen.",
                t.warn,
            )));
        }
        out
    }
}

/// A tenant's colour from the config (`"magenta"`, `"#ff8800"`); `None` when it does not
/// parse or colours are off.
pub fn parse_accent(accent: Option<&str>, no_color: bool) -> Option<Color> {
    if no_color {
        return None;
    }
    accent.and_then(|a| a.trim().parse::<Color>().ok())
}
