//! The command palette (`:`): fuzzy matching over every command with its argument filled in
//! (`theme light`, `topic login`, `quit`), so completing a theme name is just picking a row.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::toast::Toast;
use super::{Component, Ctx, move_selection, scroll_into_view};
use crate::kb::Topic;
use crate::tui::action::Action;
use crate::tui::text::{char_indices_to_ranges, highlight, truncate, truncate_spans, width};

/// The commands, as help lists them.
pub const COMMANDS: &[(&str, &str)] = &[
    ("theme NAME", "Switch the colour theme"),
    (
        "topic NAME | all",
        "Show only answers of one topic; all shows every topic",
    ),
    (
        "tenant NAME",
        "Show a tenant's diagnostics (fuzzy: `tenant glob`)",
    ),
    ("search", "Go to the search input"),
    ("diagnostics", "Show the diagnostics view"),
    ("help", "Show the keys"),
    ("quit, q", "Quit ssodesk"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct PaletteItem {
    pub text: String,
    pub help: String,
    pub action: Action,
}

/// What the palette offers: every command, with each possible argument spelled out.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub themes: Vec<String>,
    pub current_theme: String,
    pub tenants: Vec<String>,
}

impl Choices {
    pub fn items(&self) -> Vec<PaletteItem> {
        let mut items = Vec::new();
        let mut push = |text: String, help: String, action: Action| {
            items.push(PaletteItem { text, help, action })
        };
        for name in &self.themes {
            let help = if *name == self.current_theme {
                "Colour theme (current)".to_string()
            } else {
                "Colour theme".to_string()
            };
            push(
                format!("theme {name}"),
                help,
                Action::SetTheme(name.clone()),
            );
        }
        push(
            "topic all".to_string(),
            "Show answers of every topic".to_string(),
            Action::SetTopic(None),
        );
        for t in Topic::ALL {
            push(
                format!("topic {t}"),
                format!("Show only {t} answers"),
                Action::SetTopic(Some(t)),
            );
        }
        for name in &self.tenants {
            push(
                format!("tenant {name}"),
                "Show this tenant's diagnostics".to_string(),
                Action::SwitchTenant(name.clone()),
            );
        }
        push(
            "search".into(),
            "Go to the search input".into(),
            Action::Search,
        );
        push(
            "diagnostics".into(),
            "Show the diagnostics view".into(),
            Action::Diagnostics,
        );
        push("help".into(), "Show the keys".into(), Action::Help);
        push("quit".into(), "Quit ssodesk".into(), Action::Quit);
        items
    }

    /// Parses a typed command exactly; the error says what is wrong with it.
    pub fn parse(&self, input: &str) -> Result<Action, String> {
        let input = input.trim();
        let (cmd, arg) = match input.split_once(char::is_whitespace) {
            Some((c, a)) => (c, a.trim()),
            None => (input, ""),
        };
        match (cmd, arg) {
            ("q" | "quit" | "q!" | "qa", "") => Ok(Action::Quit),
            ("help" | "h", "") => Ok(Action::Help),
            ("search", "") => Ok(Action::Search),
            ("diagnostics" | "diag", "") => Ok(Action::Diagnostics),
            ("theme", "") => Err(format!("theme needs a name: {}", self.themes.join(", "))),
            ("theme", name) if self.themes.iter().any(|t| t == name) => {
                Ok(Action::SetTheme(name.to_string()))
            }
            ("theme", name) => Err(format!(
                "unknown theme \"{}\" (themes: {})",
                truncate(name, 30),
                self.themes.join(", ")
            )),
            ("topic", "all" | "") => Ok(Action::SetTopic(None)),
            ("topic", name) => Topic::parse(name)
                .map(|t| Action::SetTopic(Some(t)))
                .ok_or_else(|| {
                    let names: Vec<&str> = Topic::ALL.iter().map(|t| t.as_str()).collect();
                    format!(
                        "unknown topic \"{}\" (topics: all, {})",
                        truncate(name, 30),
                        names.join(", ")
                    )
                }),
            ("tenant", "") => Err("tenant needs a name".to_string()),
            ("tenant", name) => Ok(Action::SwitchTenant(name.to_string())),
            _ => Err(format!("unknown command \"{}\"", truncate(input, 30))),
        }
    }
}

pub struct Palette {
    choices: Choices,
    input: Input,
    items: Vec<PaletteItem>,
    /// Matching items (index, matched char positions), best first.
    matches: Vec<(usize, Vec<usize>)>,
    selected: usize,
    offset: usize,
    rows: usize,
    parse_error: Option<String>,
    /// The exact parse of what is typed, computed on every change.
    parsed: Option<Action>,
    done: bool,
    matcher: SkimMatcherV2,
}

impl Palette {
    pub fn new(choices: Choices) -> Palette {
        let mut p = Palette {
            choices,
            input: Input::default(),
            items: Vec::new(),
            matches: Vec::new(),
            selected: 0,
            offset: 0,
            rows: 8,
            parse_error: None,
            parsed: None,
            done: false,
            matcher: SkimMatcherV2::default(),
        };
        p.items = p.choices.items();
        p.refilter();
        p
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    #[cfg(test)]
    pub fn value(&self) -> &str {
        self.input.value()
    }

    #[cfg(test)]
    pub fn matches(&self) -> Vec<&str> {
        self.matches
            .iter()
            .filter_map(|(i, _)| self.items.get(*i).map(|it| it.text.as_str()))
            .collect()
    }

    fn refilter(&mut self) {
        let query = self.input.value().trim();
        self.matches = if query.is_empty() {
            (0..self.items.len()).map(|i| (i, Vec::new())).collect()
        } else {
            let mut scored: Vec<(i64, usize, Vec<usize>)> = self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, it)| {
                    self.matcher
                        .fuzzy_indices(&it.text, query)
                        .map(|(score, idx)| (score, i, idx))
                })
                .collect();
            // Best score first; ties keep the listing order.
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            scored.into_iter().map(|(_, i, idx)| (i, idx)).collect()
        };
        self.selected = 0;
        self.offset = 0;
        match self.choices.parse(query) {
            Ok(a) => {
                self.parsed = Some(a);
                self.parse_error = None;
            }
            Err(e) => {
                self.parsed = None;
                self.parse_error = (!query.is_empty()).then_some(e);
            }
        }
    }

    fn selected_item(&self) -> Option<&PaletteItem> {
        self.matches
            .get(self.selected)
            .and_then(|(i, _)| self.items.get(*i))
    }

    /// What Enter runs: an item typed out in full, else an exact command, else the selected
    /// row. `Err` carries the message for a command that cannot run.
    fn choose(&self) -> Result<Action, String> {
        let typed = self.input.value().trim();
        if let Some(item) = self
            .items
            .iter()
            .find(|it| it.text.eq_ignore_ascii_case(typed))
        {
            return Ok(item.action.clone());
        }
        if let Some(a) = &self.parsed {
            return Ok(a.clone());
        }
        if let Some(item) = self.selected_item() {
            return Ok(item.action.clone());
        }
        Err(self
            .parse_error
            .clone()
            .unwrap_or_else(|| "nothing to run".to_string()))
    }
}

impl Component for Palette {
    fn captures_text(&self) -> bool {
        true
    }

    fn handle_text(&mut self, key: KeyEvent, _ctx: &Ctx) -> Option<Action> {
        if let Some(req) = to_input_request(&Event::Key(key))
            && self.input.handle(req).is_some_and(|c| c.value)
        {
            self.refilter();
        }
        None
    }

    fn handle_paste(&mut self, text: &str, _ctx: &Ctx) -> Option<Action> {
        for c in crate::sanitize::clean_line(text).chars() {
            self.input.handle(tui_input::InputRequest::InsertChar(c));
        }
        self.refilter();
        None
    }

    fn update(&mut self, action: &Action, _ctx: &Ctx) -> Option<Action> {
        if let Some(sel) = move_selection(action, self.selected, self.matches.len(), self.rows) {
            // Home and End belong to the input line here.
            if !matches!(action, Action::Top | Action::Bottom) {
                self.selected = sel;
                return None;
            }
        }
        match action {
            Action::Back => {
                self.done = true;
                None
            }
            Action::FocusNext => {
                if let Some(text) = self.selected_item().map(|it| it.text.clone()) {
                    self.input = Input::new(text);
                    self.refilter();
                }
                None
            }
            Action::Open => match self.choose() {
                Ok(a) => {
                    self.done = true;
                    Some(a)
                }
                Err(e) => Some(Action::Toast(Toast::error(e))),
            },
            _ => None,
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let w = area.width.saturating_sub(4).min(72);
        let list_rows = self.matches.len().clamp(1, 10) as u16;
        let top = (area.height / 6).min(3);
        // Never taller than the space under its top edge (a popup off the buffer panics).
        let h = (list_rows + 4).min(area.height - top);
        let rect = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + top,
            width: w,
            height: h,
        };
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border_focus)
            .style(t.text)
            .title(Span::styled(" Commands ", t.accent));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        if inner.height == 0 {
            return;
        }
        let iw = usize::from(inner.width);
        let value = self.input.value();
        let avail = iw.saturating_sub(3);
        let shown = truncate(value, avail);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(": ", t.accent),
                Span::styled(shown.clone(), t.text),
            ])),
            Rect { height: 1, ..inner },
        );
        let cx = inner.x + 2 + width(&shown).min(avail) as u16;
        frame.set_cursor_position(Position::new(
            cx.min(inner.right().saturating_sub(1)),
            inner.y,
        ));
        if inner.height < 3 {
            return;
        }
        frame.render_widget(
            Paragraph::new(Span::styled("─".repeat(iw), t.border)),
            Rect {
                y: inner.y + 1,
                height: 1,
                ..inner
            },
        );
        let list = Rect {
            y: inner.y + 2,
            height: inner.height - 2,
            ..inner
        };
        self.rows = usize::from(list.height);
        if self.matches.is_empty() {
            let msg = self
                .parse_error
                .clone()
                .unwrap_or_else(|| "No matching command".to_string());
            frame.render_widget(
                Paragraph::new(Span::styled(truncate(&msg, iw), t.warn)),
                list,
            );
            return;
        }
        self.offset = scroll_into_view(self.selected, self.offset, self.rows);
        let lines: Vec<Line> = self
            .matches
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(self.rows)
            .filter_map(|(row, (i, idx))| {
                let item = self.items.get(*i)?;
                let sel = row == self.selected;
                let base = if sel {
                    t.text.patch(t.selection)
                } else {
                    t.text
                };
                let ranges = char_indices_to_ranges(&item.text, idx);
                let mut spans = vec![Span::styled(
                    if sel { "▌ " } else { "  " },
                    base.patch(t.accent),
                )];
                let text_w = (iw / 2).max(12);
                spans.extend(truncate_spans(
                    highlight(&item.text, &ranges, base, t.highlight),
                    text_w,
                ));
                let used: usize = spans.iter().map(|s| width(&s.content)).sum();
                let pad = (text_w + 3).saturating_sub(used);
                spans.push(Span::styled(" ".repeat(pad), base));
                let help_w = iw.saturating_sub(used + pad);
                spans.push(Span::styled(
                    truncate(&item.help, help_w),
                    base.patch(t.muted),
                ));
                Some(Line::from(spans).style(base))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Open, Action::Down, Action::FocusNext, Action::Back]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(themes: &[&str]) -> Choices {
        Choices {
            themes: themes.iter().map(|t| t.to_string()).collect(),
            current_theme: "default".into(),
            tenants: Vec::new(),
        }
    }

    fn typed(p: &mut Palette, text: &str) {
        for ch in text.chars() {
            p.input.handle(tui_input::InputRequest::InsertChar(ch));
        }
        p.refilter();
    }

    fn act(p: &mut Palette, a: Action) -> Option<Action> {
        let kb = crate::kb::KnowledgeBase::from_files(Vec::new(), crate::kb::KbSource::Embedded);
        let engine = crate::search::SearchEngine::new(&kb);
        let theme = crate::tui::theme::Theme::monochrome();
        let keymap = crate::tui::keymap::Keymap::defaults();
        let ctx = Ctx {
            kb: &kb,
            engine: &engine,
            theme: &theme,
            theme_gen: 0,
            keymap: &keymap,
            spinner: "⠋",
            now: chrono::Utc::now(),
        };
        p.update(&a, &ctx)
    }

    #[test]
    fn parses_commands_exactly() {
        let c = choices(&["default", "light"]);
        assert_eq!(c.parse("q"), Ok(Action::Quit));
        assert_eq!(
            c.parse(" theme light "),
            Ok(Action::SetTheme("light".into()))
        );
        assert_eq!(c.parse("topic all"), Ok(Action::SetTopic(None)));
        assert_eq!(
            c.parse("topic login"),
            Ok(Action::SetTopic(Some(Topic::Login)))
        );
        assert_eq!(
            c.parse("tenant acme"),
            Ok(Action::SwitchTenant("acme".into()))
        );
        let e = c.parse("theme neon").expect_err("unknown");
        assert!(e.contains("neon") && e.contains("light"), "{e}");
        assert!(
            c.parse("topic nope")
                .expect_err("topic")
                .contains("workspace")
        );
        assert!(c.parse("fly").is_err());
    }

    #[test]
    fn fuzzy_filter_puts_the_closest_first() {
        let mut p = Palette::new(choices(&["default", "high-contrast", "light"]));
        assert_eq!(p.matches().len(), p.items.len());
        typed(&mut p, "th li");
        assert_eq!(p.matches().first().copied(), Some("theme light"));
        // Enter runs the best match when the text is not a command by itself.
        assert_eq!(
            act(&mut p, Action::Open),
            Some(Action::SetTheme("light".into()))
        );
        assert!(p.is_done());
    }

    #[test]
    fn tab_completes_and_errors_stay_open() {
        let mut p = Palette::new(choices(&["default", "light"]));
        typed(&mut p, "topic prov");
        act(&mut p, Action::FocusNext);
        assert_eq!(p.value(), "topic provisioning");
        let mut p = Palette::new(choices(&["default", "light"]));
        typed(&mut p, "zzzz");
        assert!(matches!(act(&mut p, Action::Open), Some(Action::Toast(_))));
        assert!(!p.is_done());
    }
}
