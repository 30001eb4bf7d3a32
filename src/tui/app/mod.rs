//! The application state and the one place actions are applied.
//!
//! Keys become actions through the keymap (or go to the focused text input); actions are
//! applied by [`App::update`], which handles the global ones and routes the rest to the top
//! popup or the focused view. Background work runs on tokio tasks started with
//! [`App::spawn_task`]; each sends its result back as an action through the channel the event
//! loop reads, wrapped in [`Action::TaskDone`] so the pending count (and the spinner) stays
//! right. Nothing here writes to the terminal: raw sequences (OSC 52) go to an outbox the
//! loop writes before the next frame.

mod diag;
mod draw;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};
use tokio::sync::mpsc::UnboundedSender;

use super::action::Action;
use super::clipboard::{self, ClipEnv, CopyOutcome, Plan};
use super::components::answer::AnswerView;
use super::components::diagnostics::{DiagnosticsView, TenantInfo};
use super::components::fix_confirm::{FixConfirm, parse_accent};
use super::components::help::HelpPopup;
use super::components::palette::{Choices, Palette};
use super::components::search::SearchView;
use super::components::toast::{Toast, Toasts};
use super::components::{Component, Ctx};
use super::engine::Engine;
use super::keymap::{Key, Keymap};
use super::text::human_size;
use super::theme::{Theme, ThemeSet};
use crate::config::ClipboardMode;
use crate::kb::{KnowledgeBase, plain};
use crate::search::SearchEngine;

/// Below this size the screen shows a "too small" notice instead of the UI.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const SPIN_EVERY: Duration = Duration::from_millis(100);
/// Follow-up actions chained from one action; more means a loop, which is a bug.
const MAX_CHAIN: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Search,
    Answer,
    Diagnostics,
}

/// Modal layers over the views; the top one gets the keys.
pub enum Popup {
    Help(HelpPopup),
    Palette(Box<Palette>),
    Fix(Box<FixConfirm>),
}

impl Popup {
    fn component(&mut self) -> &mut dyn Component {
        match self {
            Popup::Help(p) => p,
            Popup::Palette(p) => p.as_mut(),
            Popup::Fix(p) => p.as_mut(),
        }
    }

    fn component_ref(&self) -> &dyn Component {
        match self {
            Popup::Help(p) => p,
            Popup::Palette(p) => p.as_ref(),
            Popup::Fix(p) => p.as_ref(),
        }
    }

    fn is_done(&self) -> bool {
        match self {
            Popup::Help(p) => p.is_done(),
            Popup::Palette(p) => p.is_done(),
            Popup::Fix(p) => p.is_done(),
        }
    }
}

/// Everything the app is started with besides the knowledge base.
pub struct AppOptions {
    pub theme: Theme,
    pub themes: ThemeSet,
    /// `NO_COLOR` is set: `:theme` is refused.
    pub no_color: bool,
    pub keymap: Keymap,
    pub clipboard: ClipboardMode,
    pub clip_env: ClipEnv,
    pub mouse: bool,
    /// The tenants to diagnose and what fixes them; [`Engine::none`] for the knowledge base
    /// only.
    pub engine: Engine,
    pub config_path: Option<String>,
}

/// Read-only things every component may look at.
struct Shared {
    kb: KnowledgeBase,
    engine: SearchEngine,
    theme: Theme,
    theme_gen: u64,
    keymap: Keymap,
    /// The spinner's frame.
    spinner: usize,
    /// A fixed "now" for tests; `None` reads the clock.
    clock: Option<DateTime<Utc>>,
}

impl Shared {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            kb: &self.kb,
            engine: &self.engine,
            theme: &self.theme,
            theme_gen: self.theme_gen,
            keymap: &self.keymap,
            spinner: SPINNER[self.spinner % SPINNER.len()],
            now: self.now(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }
}

pub struct App {
    shared: Shared,
    view: View,
    search: SearchView,
    answer: AnswerView,
    diagnostics: DiagnosticsView,
    popups: Vec<Popup>,
    toasts: Toasts,
    /// Background tasks in flight, by id, with what the spinner says about them.
    tasks: BTreeMap<u64, String>,
    next_task: u64,
    next_spin: Option<Instant>,
    tx: UnboundedSender<Action>,
    outbox: Vec<Vec<u8>>,
    dirty: bool,
    quit: bool,
    themes: ThemeSet,
    no_color: bool,
    clipboard: ClipboardMode,
    clip_env: ClipEnv,
    mouse: bool,
    engine: Engine,
    diag: diag::DiagState,
    /// The view the answer was opened from; Esc in the answer goes back there.
    answer_from: View,
}

impl App {
    pub fn new(kb: KnowledgeBase, opts: AppOptions, tx: UnboundedSender<Action>) -> App {
        let engine = SearchEngine::new(&kb);
        let shared = Shared {
            kb,
            engine,
            theme: opts.theme,
            theme_gen: 0,
            keymap: opts.keymap,
            spinner: 0,
            clock: None,
        };
        let search = SearchView::new(&shared.ctx());
        let tenants: Vec<TenantInfo> = opts
            .engine
            .tenants
            .iter()
            .enumerate()
            .map(|(i, t)| TenantInfo {
                name: t.name.clone(),
                production: t.production,
                accent: parse_accent(t.accent.as_deref(), opts.no_color),
                refusal: opts.engine.refusal(i),
            })
            .collect();
        let n = tenants.len();
        App {
            shared,
            view: View::Search,
            search,
            answer: AnswerView::default(),
            diagnostics: DiagnosticsView::new(tenants, opts.config_path),
            popups: Vec::new(),
            toasts: Toasts::default(),
            tasks: BTreeMap::new(),
            next_task: 0,
            next_spin: None,
            tx,
            outbox: Vec::new(),
            dirty: true,
            quit: false,
            themes: opts.themes,
            no_color: opts.no_color,
            clipboard: opts.clipboard,
            clip_env: opts.clip_env,
            mouse: opts.mouse,
            engine: opts.engine,
            diag: diag::DiagState::new(n),
            answer_from: View::Search,
        }
    }

    // ---- state the loop and the tests read ----

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// True once after anything changed: the loop redraws only then.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// Raw sequences (OSC 52) for the terminal, written before the next frame.
    pub fn take_outbox(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.outbox)
    }

    pub fn view(&self) -> View {
        self.view
    }

    pub fn search(&self) -> &SearchView {
        &self.search
    }

    pub fn answer(&self) -> &AnswerView {
        &self.answer
    }

    pub fn diagnostics(&self) -> &DiagnosticsView {
        &self.diagnostics
    }

    /// Measures ages against `at` instead of the clock, so screens with ages are stable.
    pub fn freeze_clock(&mut self, at: DateTime<Utc>) {
        self.shared.clock = Some(at);
    }

    pub fn theme(&self) -> &Theme {
        &self.shared.theme
    }

    pub fn kb(&self) -> &KnowledgeBase {
        &self.shared.kb
    }

    pub fn toasts(&self) -> &Toasts {
        &self.toasts
    }

    pub fn pending_tasks(&self) -> usize {
        self.tasks.len()
    }

    /// The name of the top popup, for tests and logs.
    pub fn popup(&self) -> Option<&'static str> {
        self.popups.last().map(|p| match p {
            Popup::Help(_) => "help",
            Popup::Palette(_) => "palette",
            Popup::Fix(_) => "fix",
        })
    }

    /// The fix confirmation, when it is the top popup.
    pub fn fix_popup(&self) -> Option<&FixConfirm> {
        match self.popups.last() {
            Some(Popup::Fix(p)) => Some(p),
            _ => None,
        }
    }

    /// When the loop must wake without input: a toast to expire, a spinner frame, and on
    /// the diagnostics view the next auto-refresh and the next change of "checked N s ago".
    /// `None` when idle, so an idle app sleeps until the next event.
    pub fn next_wakeup(&self) -> Option<Instant> {
        let spin = if self.tasks.is_empty() {
            None
        } else {
            self.next_spin
        };
        [self.toasts.next_expiry(), spin, self.diag_wakeup()]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn on_tick(&mut self, now: Instant) {
        if self.toasts.expire(now) {
            self.dirty = true;
        }
        if !self.tasks.is_empty() && self.next_spin.is_some_and(|t| now >= t) {
            self.shared.spinner = (self.shared.spinner + 1) % SPINNER.len();
            self.next_spin = Some(now + SPIN_EVERY);
            self.dirty = true;
        }
        self.diag_tick(now);
    }

    // ---- input ----

    pub fn handle_event(&mut self, event: Event) {
        match event {
            Event::Key(key) => self.handle_key(key),
            Event::Paste(text) => self.handle_paste(&text),
            Event::Mouse(m) if self.mouse => self.handle_mouse(m),
            Event::Resize(..) => self.dirty = true,
            _ => {}
        }
    }

    fn captures_text(&self) -> bool {
        match self.popups.last() {
            Some(p) => p.component_ref().captures_text(),
            None => self.focused_ref().captures_text(),
        }
    }

    pub fn handle_key(&mut self, event: KeyEvent) {
        // Windows reports releases too (tui-anchors C.8): act on presses only.
        if event.kind != KeyEventKind::Press {
            return;
        }
        let Some(key) = Key::from_event(&event) else {
            return;
        };
        self.dirty = true;
        let mapped = self.shared.keymap.action_for(&key).cloned();
        if !self.captures_text() {
            if let Some(action) = mapped {
                self.update(action);
            }
            return;
        }
        if key.is_text() {
            // In an empty search box `?` and `:` cannot start a useful query, so they keep
            // their meaning there.
            let empty_search = self.popups.is_empty()
                && self.view == View::Search
                && self.search.query().is_empty();
            if let Some(a @ (Action::Help | Action::CommandPalette)) = &mapped
                && empty_search
            {
                self.update(a.clone());
                return;
            }
            self.route_text(event);
            return;
        }
        match mapped {
            Some(a) if a.bindable().is_some_and(|b| b.while_typing) => self.update(a),
            _ => self.route_text(event),
        }
    }

    fn route_text(&mut self, event: KeyEvent) {
        let ctx = self.shared.ctx();
        let follow = match self.popups.last_mut() {
            Some(p) => p.component().handle_text(event, &ctx),
            None => match self.view {
                View::Search => self.search.handle_text(event, &ctx),
                View::Answer => self.answer.handle_text(event, &ctx),
                View::Diagnostics => self.diagnostics.handle_text(event, &ctx),
            },
        };
        if let Some(a) = follow {
            self.update(a);
        }
    }

    fn handle_paste(&mut self, text: &str) {
        if !self.captures_text() {
            return;
        }
        self.dirty = true;
        let ctx = self.shared.ctx();
        let follow = match self.popups.last_mut() {
            Some(p) => p.component().handle_paste(text, &ctx),
            None => match self.view {
                View::Search => self.search.handle_paste(text, &ctx),
                View::Answer => self.answer.handle_paste(text, &ctx),
                View::Diagnostics => self.diagnostics.handle_paste(text, &ctx),
            },
        };
        if let Some(a) = follow {
            self.update(a);
        }
    }

    fn handle_mouse(&mut self, event: MouseEvent) {
        if !self.popups.is_empty() {
            return;
        }
        self.dirty = true;
        let ctx = self.shared.ctx();
        let follow = match self.view {
            View::Search => self.search.handle_mouse(event, &ctx),
            View::Answer => self.answer.handle_mouse(event, &ctx),
            View::Diagnostics => self.diagnostics.handle_mouse(event, &ctx),
        };
        if let Some(a) = follow {
            self.update(a);
        }
    }

    // ---- actions ----

    /// Applies an action and whatever follow-up actions it leads to.
    pub fn update(&mut self, action: Action) {
        // The rate-limit board changes often; redraw only when what is shown changes.
        if action == Action::RateLimitsChanged {
            self.rate_limits_changed();
            return;
        }
        let mut next = Some(action);
        let mut chain = 0;
        while let Some(action) = next.take() {
            chain += 1;
            if chain > MAX_CHAIN {
                tracing::error!(?action, "action chain too long; dropped");
                break;
            }
            self.dirty = true;
            next = self.apply(action);
        }
    }

    fn apply(&mut self, action: Action) -> Option<Action> {
        match action {
            Action::Quit => self.request_quit(),
            Action::Help => {
                if matches!(self.popups.last(), Some(Popup::Help(_))) {
                    self.popups.pop();
                } else {
                    self.popups.push(Popup::Help(HelpPopup::default()));
                }
            }
            Action::CommandPalette => {
                if !matches!(self.popups.last(), Some(Popup::Palette(_))) {
                    let choices = self.choices();
                    self.popups
                        .push(Popup::Palette(Box::new(Palette::new(choices))));
                }
            }
            Action::Search => {
                self.popups.clear();
                self.view = View::Search;
                self.search.focus_input();
            }
            Action::Diagnostics => {
                self.popups.clear();
                self.view = View::Diagnostics;
                self.refresh_due(Instant::now());
            }
            Action::CloseAnswer => {
                self.view = self.answer_from;
                if self.view == View::Diagnostics {
                    self.refresh_due(Instant::now());
                }
            }
            Action::OpenArticle(index) => {
                let keep = self.view == View::Answer;
                if !keep {
                    self.answer_from = self.view;
                }
                self.answer.open(index, keep, &self.shared.ctx());
                self.view = View::Answer;
            }
            Action::CopyArticle(index) => self.copy_article(index),
            Action::SetTheme(name) => self.set_theme(&name),
            Action::SetTopic(topic) => {
                self.search.set_topic(topic, &self.shared.ctx());
                self.view = View::Search;
                let text = match topic {
                    Some(t) => format!("Showing only {t} answers (:topic all shows every topic)"),
                    None => "Showing answers of every topic".to_string(),
                };
                self.toast(Toast::info(text));
            }
            Action::SwitchTenant(name) => self.switch_tenant(&name),
            Action::DiagnoseTenant(i) => self.refresh_now(i),
            Action::DiagLoaded {
                tenant,
                seq,
                report,
                recheck,
            } => self.diag_loaded(tenant, seq, *report, recheck.map(|r| *r)),
            Action::RunArticleChecks(article) => self.run_article_checks(article),
            Action::ChecksLoaded {
                tenant,
                article,
                report,
            } => self.diagnostics.related_loaded(tenant, article, *report),
            Action::CopyReport(i) => self.copy_report(i),
            Action::PrepareFix(i, finding) => self.prepare_fix(i, *finding),
            Action::PlanReady {
                tenant,
                before,
                plan,
            } => self.plan_ready(tenant, *before, plan),
            Action::RunFix(run) => self.run_fix(*run),
            Action::FixDone { run, result } => self.fix_done(*run, result),
            Action::Toast(t) => self.toast(t),
            Action::CopyDone(outcome) => self.copy_done(outcome),
            Action::TaskDone { id, result } => {
                self.tasks.remove(&id);
                return Some(*result);
            }
            other => return self.route(other),
        }
        None
    }

    /// Sends a view or popup action to whoever has focus.
    fn route(&mut self, action: Action) -> Option<Action> {
        let ctx = self.shared.ctx();
        if let Some(popup) = self.popups.last_mut() {
            let follow = popup.component().update(&action, &ctx);
            if popup.is_done() {
                self.popups.pop();
            }
            return follow;
        }
        match self.view {
            View::Search => self.search.update(&action, &ctx),
            View::Answer => self.answer.update(&action, &ctx),
            View::Diagnostics => self.diagnostics.update(&action, &ctx),
        }
    }

    fn focused_ref(&self) -> &dyn Component {
        match self.view {
            View::Search => &self.search,
            View::Answer => &self.answer,
            View::Diagnostics => &self.diagnostics,
        }
    }

    fn toast(&mut self, toast: Toast) {
        tracing::info!(level = ?toast.level, text = %toast.text, "toast");
        self.toasts.push(toast, Instant::now());
        self.dirty = true;
    }

    fn choices(&self) -> Choices {
        Choices {
            themes: self.themes.names(),
            current_theme: self.shared.theme.name.clone(),
            tenants: self.engine.tenants.iter().map(|t| t.name.clone()).collect(),
        }
    }

    fn set_theme(&mut self, name: &str) {
        if self.no_color {
            self.toast(Toast::warn("NO_COLOR is set, so colours stay off"));
            return;
        }
        match self.themes.load(name) {
            Ok(theme) => {
                self.shared.theme = theme;
                self.shared.theme_gen += 1;
                self.toast(Toast::ok(format!("Theme: {name}")));
            }
            Err(e) => self.toast(Toast::error(e)),
        }
    }

    /// Starts background work. Its result comes back through the action channel; the app
    /// never waits for it. False when there is no runtime to run it on (nothing started).
    pub fn spawn_task<F>(&mut self, label: &str, work: F) -> bool
    where
        F: Future<Output = Action> + Send + 'static,
    {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            self.toast(Toast::error(format!("{label}: no async runtime")));
            return false;
        };
        let id = self.next_task;
        self.next_task += 1;
        self.tasks.insert(id, label.to_string());
        if self.next_spin.is_none() || self.tasks.len() == 1 {
            self.next_spin = Some(Instant::now() + SPIN_EVERY);
        }
        let tx = self.tx.clone();
        handle.spawn(async move {
            let result = work.await;
            // The receiver is gone only when the app has quit; nothing to report then.
            let _ = tx.send(Action::TaskDone {
                id,
                result: Box::new(result),
            });
        });
        true
    }

    fn copy_article(&mut self, index: usize) {
        let Some(article) = self.shared.kb.articles.get(index) else {
            return;
        };
        let text = plain::to_plain(&article.body);
        self.copy_text(text, None);
    }

    /// Copies through the configured clipboard; `what` names it in the toast.
    fn copy_text(&mut self, text: String, what: Option<String>) {
        match clipboard::plan(self.clipboard, &self.clip_env) {
            Plan::Osc52 => self.copy_osc52(&text, None, what.as_deref()),
            Plan::Native { tool, fallback } => {
                self.spawn_task("Copying", async move {
                    let mut outcome = clipboard::copy_native(tool, text, fallback).await;
                    outcome.what = what;
                    Action::CopyDone(outcome)
                });
            }
            Plan::Impossible(why) => self.toast(Toast::error(format!("Not copied: {why}"))),
        }
    }

    fn copy_osc52(&mut self, text: &str, after: Option<String>, what: Option<&str>) {
        match clipboard::osc52(text) {
            Ok(seq) => {
                self.outbox.push(seq);
                let size = match what {
                    Some(w) => format!("{w} ({})", human_size(text.len())),
                    None => human_size(text.len()),
                };
                match after {
                    Some(why) => self.toast(Toast::warn(format!(
                        "{why}; copied {size} via OSC 52 instead"
                    ))),
                    None => self.toast(Toast::ok(format!("Copied {size} via OSC 52"))),
                }
            }
            Err(e) => self.toast(Toast::error(format!("Not copied: {e}"))),
        }
    }

    fn copy_done(&mut self, outcome: CopyOutcome) {
        let size = match &outcome.what {
            Some(w) => format!("{w} ({})", human_size(outcome.bytes)),
            None => human_size(outcome.bytes),
        };
        match (outcome.error, outcome.fallback) {
            (None, _) => self.toast(Toast::ok(format!("Copied {size} via {}", outcome.tool))),
            (Some(e), Some(text)) => self.copy_osc52(&text, Some(e), outcome.what.as_deref()),
            (Some(e), None) => self.toast(Toast::error(format!("Not copied: {e}"))),
        }
    }
}
