//! Drawing the diagnostics view. Everything that came from an API (titles, evidence, names)
//! goes through `Span`s, truncated or wrapped by display width.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap,
};

use super::{
    DiagnosticsView, Focus, NoteLevel, TenantRow, age_words, status_glyph, status_label,
    status_style,
};
use crate::checks::{Finding, Status};
use crate::tui::action::Action;
use crate::tui::components::Ctx;
use crate::tui::text::{truncate, width, wrap};
use crate::tui::theme::Theme;

/// Columns before a finding's title: marker, glyph, label.
const INDENT: usize = 12;
const LABEL_W: usize = 7;

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn block<'a>(title: Vec<Span<'a>>, focused: bool, t: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(if focused { t.border_focus } else { t.border })
        .title(Line::from(title))
}

/// The production cue: the tenant's own colour when it has one.
fn prod_style(row: &TenantRow, t: &Theme) -> Style {
    match row.info.accent {
        Some(c) => Style::new().fg(c).add_modifier(Modifier::BOLD),
        None => t.warn.add_modifier(Modifier::BOLD),
    }
}

fn key(ctx: &Ctx, a: &Action, fallback: &str) -> String {
    ctx.keymap.label(a).unwrap_or_else(|| fallback.to_string())
}

impl DiagnosticsView {
    pub(super) fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.next_label_change = None;
        self.item_rows.clear();
        if self.rows.is_empty() {
            self.draw_empty(frame, area, ctx);
            return;
        }
        let t = ctx.theme;
        let mut area = area;
        if !self.unfinished.is_empty() && area.height >= 12 {
            let mut lines: Vec<Line> = self
                .unfinished
                .iter()
                .take(2)
                .map(|u| {
                    Line::from(vec![
                        Span::styled(" ! ", t.warn.add_modifier(Modifier::BOLD)),
                        Span::styled(
                            truncate(u, usize::from(area.width).saturating_sub(4)),
                            t.warn,
                        ),
                    ])
                })
                .collect();
            if self.unfinished.len() > 2 {
                lines.push(Line::from(Span::styled(
                    format!(
                        "   and {} more; `ssodesk audit` lists them",
                        self.unfinished.len() - 2
                    ),
                    t.warn,
                )));
            }
            let h = lines.len() as u16;
            let [banner, rest] =
                Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(area);
            frame.render_widget(Paragraph::new(lines), banner);
            area = rest;
        }
        let longest = self
            .rows
            .iter()
            .map(|r| width(&r.info.name))
            .max()
            .unwrap_or(0);
        let tw = ((longest + 19) as u16)
            .clamp(22, 40)
            .min(area.width * 2 / 5);
        let [left, right] =
            Layout::horizontal([Constraint::Length(tw), Constraint::Fill(1)]).areas(area);
        self.draw_tenants(frame, left, ctx);
        let detail_h = self
            .detail_rows(right.width, 6, right.height / 2, ctx)
            .min(right.height.saturating_sub(4));
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_h)]).areas(right);
        self.draw_findings(frame, list, ctx);
        self.draw_detail(frame, detail, ctx);
    }

    fn draw_empty(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let b = block(vec![Span::styled(" Tenants ", t.accent)], true, t);
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let place = self
            .config_path
            .clone()
            .unwrap_or_else(|| "the config file".to_string());
        let lines = vec![
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
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    fn draw_tenants(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        self.tenants_area = area;
        let focused = self.focus == Focus::Tenants;
        let b = block(vec![Span::styled(" Tenants ", t.accent)], focused, t);
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let h = usize::from(inner.height);
        if h == 0 {
            return;
        }
        self.tenants_offset = super::super::scroll_into_view(self.selected, self.tenants_offset, h);
        let w = usize::from(inner.width);
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(self.tenants_offset)
            .take(h)
            .map(|(i, row)| {
                let sel = i == self.selected;
                let base = if sel {
                    t.text.patch(t.selection)
                } else {
                    t.text
                };
                let marker = if sel && focused { "▌ " } else { "  " };
                let worst = row.report.as_ref().map(|r| r.worst());
                let glyph = if row.loading {
                    Span::styled(ctx.spinner, base.patch(t.accent))
                } else {
                    match worst {
                        Some(s) => Span::styled(status_glyph(s), base.patch(status_style(s, t))),
                        None => Span::styled("·", base.patch(t.muted)),
                    }
                };
                let label = match worst {
                    Some(s) => Span::styled(
                        pad(status_label(s), LABEL_W),
                        base.patch(status_style(s, t)),
                    ),
                    None => Span::styled(pad("…", LABEL_W), base.patch(t.muted)),
                };
                let tag = if row.info.production { " PROD" } else { "" };
                let name_w = w.saturating_sub(INDENT + width(tag));
                let mut spans = vec![
                    Span::styled(marker, base.patch(t.accent)),
                    glyph,
                    Span::styled(" ", base),
                    label,
                    Span::styled(" ", base),
                    Span::styled(truncate(&row.info.name, name_w), base),
                ];
                if row.info.production {
                    spans.push(Span::styled(tag, base.patch(prod_style(row, t))));
                }
                Line::from(spans).style(base)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_findings(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let focused = self.focus == Focus::Findings;
        let sel_tenant = self.selected;
        let Some(row) = self.rows.get(sel_tenant) else {
            return;
        };
        let info = row.info.clone();
        let loading = row.loading;
        let prod = prod_style(row, t);
        let shown_at = self.shown().map(|(r, related)| (r.checked_at, related));
        let mut title = vec![Span::styled(
            format!(" {} ", truncate(&info.name, usize::from(area.width) / 3)),
            t.heading,
        )];
        if info.production {
            let word = if area.width >= 80 {
                "PRODUCTION "
            } else {
                "PROD "
            };
            title.push(Span::styled(word, prod));
        }
        if loading {
            title.push(Span::styled(
                format!("· {} checking ", ctx.spinner),
                t.accent,
            ));
        } else if let Some((checked_at, _)) = shown_at {
            let (words, next) = age_words((ctx.now - checked_at).num_seconds());
            self.next_label_change = Some(checked_at + chrono::Duration::seconds(next));
            title.push(Span::styled(format!("· checked {words} "), t.muted));
        }
        let left_w: usize = title.iter().map(|s| width(&s.content)).sum();
        let b = block(title, focused, t);
        let right = match self.shown() {
            Some((_, true)) => self
                .related
                .as_ref()
                .map(|r| format!(" checks of: {} ", r.title)),
            Some((report, false)) => Some(counts(report)),
            None => None,
        };
        // The right title only where it fits beside the left one.
        let room = usize::from(area.width).saturating_sub(left_w + 4);
        let b = match right {
            Some(r) if room >= 12 => {
                b.title_top(Line::from(Span::styled(truncate(&r, room), t.muted)).right_aligned())
            }
            _ => b,
        };
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let w = usize::from(inner.width);
        let h = usize::from(inner.height);
        self.list_height = h;
        if h == 0 || w < 4 {
            return;
        }
        let Some((report, related)) = self.shown() else {
            let asked = self
                .related
                .as_ref()
                .is_some_and(|r| r.tenant == sel_tenant);
            let text = if loading || asked {
                Line::from(Span::styled(
                    format!("{} Checking {}…", ctx.spinner, info.name),
                    t.accent,
                ))
            } else {
                Line::from(Span::styled(
                    format!(
                        "Not checked yet; {} checks it now.",
                        key(ctx, &Action::Refresh, "r")
                    ),
                    t.muted,
                ))
            };
            frame.render_widget(Paragraph::new(truncate_line(text, w)), inner);
            return;
        };
        let row = &self.rows[sel_tenant];
        let items = self.items();
        let mut lines: Vec<Line> = Vec::new();
        let mut starts: Vec<(usize, usize)> = Vec::new();
        if related {
            let back = key(ctx, &Action::Back, "esc");
            lines.push(Line::from(Span::styled(
                truncate(
                    &format!("The answer's checks, run now · {back} shows every finding"),
                    w,
                ),
                t.muted,
            )));
        }
        let fix_key = key(ctx, &Action::Fix, "f");
        for (i, f) in items.iter().enumerate() {
            let start = lines.len();
            lines.extend(self.finding_lines(f, i == self.finding_sel && focused, w, &fix_key, ctx));
            starts.push((start, lines.len()));
        }
        if !related {
            if items.is_empty() {
                lines.push(Line::from(Span::styled(
                    truncate(
                        &format!("✓ No problems found by {} checks", report.findings.len()),
                        w,
                    ),
                    t.ok,
                )));
            }
            let noted = &row.notes;
            for (status, suffix) in [
                (Status::Ok, ""),
                (Status::Skipped, " (no credentials for their source)"),
            ] {
                let ids: Vec<&str> = report
                    .sorted()
                    .into_iter()
                    .filter(|f| f.status == status && !noted.contains_key(&f.check))
                    .map(|f| f.check.as_str())
                    .collect();
                if ids.is_empty() {
                    continue;
                }
                if lines.last().is_some_and(|l| l.width() > 0) {
                    lines.push(Line::default());
                }
                let text = format!("{}{suffix}", ids.join(", "));
                let style = status_style(status, t);
                for (n, part) in wrap(&text, w.saturating_sub(INDENT).max(8))
                    .into_iter()
                    .enumerate()
                {
                    let head = if n == 0 {
                        vec![
                            Span::raw("  "),
                            Span::styled(status_glyph(status), style),
                            Span::raw(" "),
                            Span::styled(pad(status_label(status), LABEL_W), style),
                            Span::raw(" "),
                        ]
                    } else {
                        vec![Span::raw(" ".repeat(INDENT))]
                    };
                    let mut spans = head;
                    spans.push(Span::styled(part, t.muted));
                    lines.push(Line::from(spans));
                }
            }
        }
        // Keep the selected finding on screen; at the last one, show what follows it.
        let total = lines.len();
        if let Some(&(start, end)) = starts.get(self.finding_sel) {
            if self.finding_sel == 0 {
                self.list_offset = 0;
            }
            if start < self.list_offset {
                self.list_offset = start;
            }
            if end > self.list_offset + h {
                self.list_offset = end.saturating_sub(h).min(start);
            }
            if self.finding_sel + 1 == starts.len() {
                self.list_offset = self.list_offset.max(total.saturating_sub(h)).min(start);
            }
        }
        self.list_offset = self.list_offset.min(total.saturating_sub(h));
        for (i, (start, _)) in starts.iter().enumerate() {
            if *start >= self.list_offset && *start < self.list_offset + h {
                self.item_rows
                    .push((inner.y + (start - self.list_offset) as u16, i));
            }
        }
        let visible: Vec<Line> = lines.into_iter().skip(self.list_offset).take(h).collect();
        frame.render_widget(Paragraph::new(visible), inner);
        if total > h {
            let mut state = ScrollbarState::new(total - h).position(self.list_offset);
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

    /// A finding in the list: the badge and title; its evidence in brief; a running fix or
    /// the before/after of the last one.
    fn finding_lines(
        &self,
        f: &Finding,
        sel: bool,
        w: usize,
        fix_key: &str,
        ctx: &Ctx,
    ) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let base = if sel {
            t.text.patch(t.selection)
        } else {
            t.text
        };
        let style = status_style(f.status, t);
        let tag = if f.fix.is_some() {
            format!("  {fix_key} fix")
        } else {
            String::new()
        };
        let title_w = w.saturating_sub(INDENT + width(&tag) + 1);
        let mut first = vec![
            Span::styled(if sel { "▌ " } else { "  " }, base.patch(t.accent)),
            Span::styled(status_glyph(f.status), base.patch(style)),
            Span::styled(" ", base),
            Span::styled(pad(status_label(f.status), LABEL_W), base.patch(style)),
            Span::styled(" ", base),
            Span::styled(truncate(&f.title, title_w), base),
        ];
        if !tag.is_empty() {
            let used: usize = first.iter().map(|s| width(&s.content)).sum();
            let gap = w.saturating_sub(used + width(&tag) + 1);
            first.push(Span::styled(" ".repeat(gap), base));
            first.push(Span::styled(tag, base.patch(t.key)));
        }
        let mut lines = vec![Line::from(first).style(base)];
        let indent = " ".repeat(INDENT);
        let room = w.saturating_sub(INDENT + 1);
        if !f.evidence.is_empty() {
            let mut text = f.evidence.join(" · ");
            if f.evidence.len() > 1 && width(&text) > room {
                // Name how many there are when they do not all fit.
                let first = truncate(&f.evidence[0], room.saturating_sub(12));
                text = format!("{first} · +{} more", f.evidence.len() - 1);
            }
            lines.push(Line::from(vec![
                Span::raw(indent.clone()),
                Span::styled(truncate(&text, room), t.muted),
            ]));
        }
        let row = &self.rows[self.selected];
        for (check, kind) in &row.running {
            if *check == f.check {
                lines.push(Line::from(vec![
                    Span::raw(indent.clone()),
                    Span::styled(
                        truncate(
                            &format!("{} running {kind} on {}…", ctx.spinner, row.info.name),
                            room,
                        ),
                        t.accent,
                    ),
                ]));
            }
        }
        if let Some(note) = row.notes.get(&f.check) {
            lines.push(Line::from(vec![
                Span::raw(indent),
                Span::styled(
                    truncate(&format!("↳ {}", note.text), room),
                    note_style(note.level, t),
                ),
            ]));
        }
        lines
    }

    /// The detail pane's lines for a finding, wrapped to `w`.
    fn detail_lines(&self, f: &Finding, w: usize, ctx: &Ctx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let mut lines: Vec<Line> = Vec::new();
        for l in wrap(&f.title, w) {
            lines.push(Line::from(Span::styled(l, t.heading)));
        }
        for l in wrap(&f.detail, w) {
            lines.push(Line::from(Span::styled(l, t.text)));
        }
        for e in &f.evidence {
            for (n, l) in wrap(e, w.saturating_sub(2)).into_iter().enumerate() {
                let bullet = if n == 0 { "• " } else { "  " };
                lines.push(Line::from(vec![
                    Span::styled(bullet, t.muted),
                    Span::styled(l, t.text),
                ]));
            }
        }
        let answer = ctx
            .kb
            .get(&f.faq)
            .map(|a| a.title.clone())
            .unwrap_or_else(|| f.faq.clone());
        let open = key(ctx, &Action::Open, "enter");
        lines.push(labelled(
            "Answer",
            &answer,
            t.text,
            &format!("{open} opens it"),
            w,
            t,
        ));
        let row = &self.rows[self.selected];
        match &f.fix {
            Some(fix) => {
                let fkey = key(ctx, &Action::Fix, "f");
                lines.push(labelled(
                    "Fix",
                    &format!("{} ({})", fix.kind.label(), fix.kind),
                    t.text,
                    &format!("{fkey} shows the calls"),
                    w,
                    t,
                ));
                if let Some(why) = &row.info.refusal {
                    lines.push(labelled(
                        "",
                        &format!("refused here: {why}"),
                        t.warn,
                        "",
                        w,
                        t,
                    ));
                }
            }
            None => lines.push(labelled(
                "Fix",
                "none; the answer explains what to do",
                t.muted,
                "",
                w,
                t,
            )),
        }
        if let Some(note) = row.notes.get(&f.check) {
            lines.push(labelled(
                "Last fix",
                &note.text,
                note_style(note.level, t),
                "",
                w,
                t,
            ));
        }
        lines
    }

    /// Rows the detail pane wants: enough for the longest finding of the tenant (so the
    /// panes do not jump while moving), within `min..=max`.
    fn detail_rows(&self, width: u16, min: u16, max: u16, ctx: &Ctx) -> u16 {
        let w = usize::from(width.saturating_sub(3)).max(1);
        let most = self
            .items()
            .iter()
            .map(|f| self.detail_lines(f, w, ctx).len())
            .max()
            .unwrap_or(0);
        ((most + 2) as u16).clamp(min, max.max(min))
    }

    fn draw_detail(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let focused = self.focus == Focus::Detail;
        let finding = self.selected_finding().cloned();
        let title = match &finding {
            Some(f) => vec![
                Span::styled(format!(" {} ", f.check), t.heading),
                Span::styled(
                    format!("{} ", status_label(f.status)),
                    status_style(f.status, t),
                ),
            ],
            None => vec![Span::styled(" Detail ", t.heading)],
        };
        let b = block(title, focused, t);
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let w = usize::from(inner.width.saturating_sub(1)).max(1);
        let Some(f) = finding else {
            self.detail_total = 0;
            return;
        };
        let lines = self.detail_lines(&f, w, ctx);
        self.detail_height = usize::from(inner.height);
        self.detail_total = lines.len();
        self.detail_scroll = self
            .detail_scroll
            .min(self.detail_total.saturating_sub(self.detail_height));
        let visible: Vec<Line> = lines
            .into_iter()
            .skip(self.detail_scroll)
            .take(self.detail_height)
            .collect();
        frame.render_widget(Paragraph::new(visible), inner);
        if self.detail_total > self.detail_height {
            let mut state = ScrollbarState::new(self.detail_total - self.detail_height)
                .position(self.detail_scroll);
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
}

/// `Label    value  (hint)` on one line, cut to `w`.
fn labelled(
    label: &str,
    value: &str,
    style: Style,
    hint: &str,
    w: usize,
    t: &Theme,
) -> Line<'static> {
    let head = pad(label, 9);
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!("  {hint}")
    };
    let room = w.saturating_sub(width(&head) + width(&hint));
    let value = truncate(value, room.max(8));
    let mut spans = vec![Span::styled(head, t.muted), Span::styled(value, style)];
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    if !hint.is_empty() && used + width(&hint) <= w {
        spans.push(Span::styled(hint, t.key));
    }
    Line::from(spans)
}

fn note_style(level: NoteLevel, t: &Theme) -> Style {
    match level {
        NoteLevel::Fixed => t.ok.add_modifier(Modifier::BOLD),
        NoteLevel::Improved => t.info,
        NoteLevel::Still => t.warn,
        NoteLevel::Failed => t.error,
    }
}

fn truncate_line(line: Line<'static>, w: usize) -> Line<'static> {
    let style = line.style;
    Line::from(crate::tui::text::truncate_spans(line.spans, w)).style(style)
}

/// "1 error · 4 warnings · 2 info" for the pane's title.
fn counts(report: &crate::report::TenantReport) -> String {
    let n = |s: Status| report.findings.iter().filter(|f| f.status == s).count();
    let mut parts = Vec::new();
    for (s, one, many) in [
        (Status::Error, "error", "errors"),
        (Status::Unavailable, "unavailable", "unavailable"),
        (Status::Warning, "warning", "warnings"),
        (Status::Info, "info", "info"),
    ] {
        match n(s) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            k => parts.push(format!("{k} {many}")),
        }
    }
    if parts.is_empty() {
        " all clear ".to_string()
    } else {
        format!(" {} ", parts.join(" · "))
    }
}
