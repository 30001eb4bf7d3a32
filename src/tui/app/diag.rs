//! The app's side of diagnostics and fixes: fetches, plans and fix runs start here on
//! background tasks and their results come back here as actions. Auto-refresh, the age of
//! the shown check and rate-limit waits only ever arm a timer for when something is due.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::{App, Popup, View};
use crate::audit::{self, AuditLog};
use crate::checks::{Finding, Status};
use crate::fixes::Plan;
use crate::http::Provider;
use crate::report::TenantReport;
use crate::sanitize::clean_line;
use crate::tui::action::Action;
use crate::tui::components::diagnostics::{Note, NoteLevel, RelatedChecks};
use crate::tui::components::fix_confirm::FixConfirm;
use crate::tui::components::toast::Toast;
use crate::tui::engine::{FixResult, FixRun, Recheck};
use crate::tui::text::truncate;

pub(super) struct DiagState {
    /// Numbers fetches, so an older result never replaces a newer one.
    seq: u64,
    /// Fetches in flight, per tenant.
    fetching: Vec<usize>,
    /// Plans being built: (tenant, check).
    preparing: BTreeSet<(usize, String)>,
    /// Fixes running, by plan key.
    running: BTreeSet<String>,
    /// A rate limit holding calls back: (API, until when).
    rate_wait: Option<(String, DateTime<Utc>)>,
    started: bool,
    /// Quit was pressed once while a fix ran.
    quit_armed: bool,
}

impl DiagState {
    pub(super) fn new(tenants: usize) -> DiagState {
        DiagState {
            seq: 0,
            fetching: vec![0; tenants],
            preparing: BTreeSet::new(),
            running: BTreeSet::new(),
            rate_wait: None,
            started: false,
            quit_armed: false,
        }
    }
}

impl App {
    /// Starts what runs behind the screen: every tenant is checked at once (bounded), fixes
    /// an earlier run left unfinished are reported, rate-limit changes are followed. The loop
    /// calls it once before the first frame; tests call it when they want the background.
    pub fn start(&mut self) {
        if std::mem::replace(&mut self.diag.started, true) {
            return;
        }
        self.warn_unfinished();
        self.watch_rate_limits();
        for i in 0..self.engine.tenants.len() {
            self.fetch(i, None);
        }
    }

    /// The status line's note about a rate limit holding calls back, if one does.
    pub fn rate_limit_text(&self) -> Option<String> {
        let (api, until) = self.diag.rate_wait.as_ref()?;
        (*until > Utc::now()).then(|| {
            format!(
                "waiting for {api} rate limit until {}",
                until.with_timezone(&Local).format("%H:%M:%S")
            )
        })
    }

    fn tenant_name(&self, i: usize) -> String {
        self.engine
            .tenants
            .get(i)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    fn warn_unfinished(&mut self) {
        for why in self.engine.broken.clone() {
            self.toast(Toast::warn(why));
        }
        let Some(path) = self.engine.audit_path.clone() else {
            return;
        };
        let entries = match AuditLog::new(&path).read() {
            Ok((entries, _)) => entries,
            Err(e) => {
                self.toast(Toast::warn(format!(
                    "Cannot read the audit log {}: {e}",
                    path.display()
                )));
                return;
            }
        };
        let lines: Vec<String> = audit::unfinished(&entries)
            .iter()
            .map(|e| {
                format!(
                    "{} on {} started {} and never finished: its effect is unknown, check the tenant",
                    clean_line(&e.kind),
                    clean_line(&e.tenant),
                    e.time.with_timezone(&Local).format("%Y-%m-%d %H:%M")
                )
            })
            .collect();
        for l in lines.iter().take(2) {
            self.toast(Toast::warn(l.clone()));
        }
        if lines.len() > 2 {
            self.toast(Toast::warn(format!(
                "{} more fixes never finished; `ssodesk audit` lists them",
                lines.len() - 2
            )));
        }
        self.diagnostics.set_unfinished(lines);
    }

    /// Forwards the rate-limit board's changes into the action channel. Not a counted task:
    /// it lives as long as the app and must not keep the spinner going.
    fn watch_rate_limits(&mut self) {
        let Some(board) = self.engine.rate_limits.clone() else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let tx = self.tx.clone();
        handle.spawn(async move {
            let mut rx = board.subscribe();
            while rx.changed().await.is_ok() {
                if tx.send(Action::RateLimitsChanged).is_err() {
                    break;
                }
            }
        });
    }

    pub(super) fn rate_limits_changed(&mut self) {
        let Some(board) = &self.engine.rate_limits else {
            return;
        };
        let wait = board
            .waiting()
            .into_iter()
            .filter_map(|(_, info)| {
                let api = match info.provider {
                    Some(Provider::Okta) => "Okta",
                    Some(Provider::Graph) => "Microsoft Graph",
                    Some(Provider::Login) => "Entra sign-in",
                    Some(Provider::Scim) => "SCIM",
                    Some(Provider::Sp) => "SP admin API",
                    None => "an API's",
                }
                .to_string();
                Some((api, info.waiting_until?))
            })
            .max_by_key(|(_, until)| *until);
        if wait != self.diag.rate_wait {
            self.diag.rate_wait = wait;
            self.dirty = true;
        }
    }

    // ---- fetching ----

    /// Fetches and checks tenant `i` on a background task.
    fn fetch(&mut self, i: usize, recheck: Option<Recheck>) {
        let Some(clients) = self.engine.clients.get(i).cloned() else {
            return;
        };
        let name = self.tenant_name(i);
        self.diag.seq += 1;
        let seq = self.diag.seq;
        let label = if recheck.is_some() {
            format!("Re-checking {name}")
        } else {
            format!("Checking {name}")
        };
        let slots = self.engine.fetch_slots.clone();
        let spawned = self.spawn_task(&label, async move {
            // A closed semaphore only means the app is going away; check anyway.
            let _slot = slots.acquire_owned().await.ok();
            let d = crate::diagnose::diagnose(&clients).await;
            Action::DiagLoaded {
                tenant: i,
                seq,
                report: Box::new(d.report),
                recheck: recheck.map(Box::new),
            }
        });
        if let Some(row) = self.diagnostics.row_mut(i) {
            row.next_refresh = None;
            if spawned {
                row.loading = true;
            }
        }
        if spawned && let Some(n) = self.diag.fetching.get_mut(i) {
            *n += 1;
        }
        self.dirty = true;
    }

    /// `r`: check this tenant now, unless a check is already under way.
    pub(super) fn refresh_now(&mut self, i: usize) {
        if self.diag.fetching.get(i).is_some_and(|n| *n > 0) {
            let name = self.tenant_name(i);
            self.toast(Toast::info(format!("Already checking {name}")));
            return;
        }
        self.fetch(i, None);
    }

    pub(super) fn diag_loaded(
        &mut self,
        i: usize,
        seq: u64,
        report: TenantReport,
        recheck: Option<Recheck>,
    ) {
        if let Some(n) = self.diag.fetching.get_mut(i) {
            *n = n.saturating_sub(1);
        }
        let still_fetching = self.diag.fetching.get(i).is_some_and(|n| *n > 0);
        let recheck_key = recheck.as_ref().map(|rc| rc.plan_key.clone());
        let note = recheck.as_ref().map(|rc| {
            let after = report.findings.iter().find(|f| f.check == rc.before.check);
            (rc.before.check.clone(), note_for(rc, after))
        });
        let applied = self.diagnostics.loaded(i, seq, report, note.clone());
        let interval = self.engine.refresh;
        if let Some(row) = self.diagnostics.row_mut(i) {
            row.loading = still_fetching;
            if applied || row.next_refresh.is_none() {
                row.next_refresh = Some(Instant::now() + interval);
            }
        }
        if let (Some(rc), Some((_, note))) = (&recheck_key, note) {
            for p in &mut self.popups {
                if let Popup::Fix(f) = p
                    && f.outcome().is_some()
                    && f.plan().key() == *rc
                {
                    f.set_after(note.clone());
                }
            }
        }
    }

    fn diag_visible(&self) -> bool {
        self.view == View::Diagnostics
    }

    /// Starts the auto-refreshes that are due. While a rate limit holds calls back, they
    /// wait for it to pass and then one interval more.
    pub(super) fn refresh_due(&mut self, now: Instant) {
        if !self.diag_visible() {
            return;
        }
        let interval = self.engine.refresh;
        let held_until = self.rate_wait_instant();
        for i in 0..self.diagnostics.rows().len() {
            let busy = self.diag.fetching.get(i).is_some_and(|n| *n > 0);
            let due = self
                .diagnostics
                .row(i)
                .and_then(|r| r.next_refresh)
                .is_some_and(|t| t <= now);
            if busy || !due {
                continue;
            }
            match held_until {
                Some(until) => {
                    if let Some(row) = self.diagnostics.row_mut(i) {
                        row.next_refresh = Some(until.max(now) + interval);
                    }
                }
                None => self.fetch(i, None),
            }
        }
    }

    fn rate_wait_instant(&self) -> Option<Instant> {
        let (_, until) = self.diag.rate_wait.as_ref()?;
        let left = (*until - Utc::now()).to_std().ok()?;
        Some(Instant::now() + left)
    }

    /// The next time diagnostics need the loop: a refresh due, the shown age changing its
    /// words, a rate-limit wait ending. Only what is on screen counts.
    pub(super) fn diag_wakeup(&self) -> Option<Instant> {
        let rate = self.rate_wait_instant();
        if !self.diag_visible() {
            return rate;
        }
        let refresh = self
            .diagnostics
            .rows()
            .iter()
            .enumerate()
            .filter(|(i, _)| self.diag.fetching.get(*i).is_none_or(|n| *n == 0))
            .filter_map(|(_, r)| r.next_refresh)
            .min();
        let label = self.diagnostics.next_label_change().map(|t| {
            let left = (t - self.shared.now()).to_std().unwrap_or(Duration::ZERO);
            Instant::now() + left
        });
        [rate, refresh, label].into_iter().flatten().min()
    }

    pub(super) fn diag_tick(&mut self, now: Instant) {
        if self
            .diag
            .rate_wait
            .as_ref()
            .is_some_and(|(_, until)| *until <= Utc::now())
        {
            self.diag.rate_wait = None;
            self.dirty = true;
        }
        if !self.diag_visible() {
            return;
        }
        if self
            .diagnostics
            .next_label_change()
            .is_some_and(|t| self.shared.now() >= t)
        {
            // Drawing sets the next change; clearing it here means a frame that does not
            // draw the view (too small) cannot make the loop spin.
            self.diagnostics.clear_label_change();
            self.dirty = true;
        }
        self.refresh_due(now);
    }

    // ---- switching, the answer's checks, the ticket note ----

    /// `:tenant NAME`: exact name, else the same ignoring case, else the best fuzzy match.
    pub(super) fn switch_tenant(&mut self, query: &str) {
        let names: Vec<&str> = self
            .engine
            .tenants
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        if names.is_empty() {
            self.toast(Toast::warn("No tenants configured"));
            return;
        }
        let q = query.trim();
        let found = names
            .iter()
            .position(|n| *n == q)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(q)))
            .or_else(|| {
                let m = SkimMatcherV2::default();
                names
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| m.fuzzy_match(n, q).map(|s| (s, i)))
                    .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                    .map(|(_, i)| i)
            });
        match found {
            Some(i) => {
                self.diagnostics.select_tenant(i);
                self.view = View::Diagnostics;
                self.refresh_due(Instant::now());
            }
            None => self.toast(Toast::warn(format!(
                "No tenant matches \"{}\" (tenants: {})",
                truncate(q, 30),
                truncate(&names.join(", "), 60)
            ))),
        }
    }

    /// `d` in an answer: its related checks on the tenant chosen in diagnostics.
    pub(super) fn run_article_checks(&mut self, article: usize) {
        let Some(a) = self.shared.kb.articles.get(article) else {
            return;
        };
        if self.engine.tenants.is_empty() {
            self.toast(Toast::info(
                "No tenants configured: an answer's checks need a tenant to run on",
            ));
            return;
        }
        if a.checks.is_empty() {
            self.toast(Toast::info("This answer lists no checks to run"));
            return;
        }
        let checks = a.checks.clone();
        let title = a.title.clone();
        let i = self.diagnostics.selected_tenant().unwrap_or(0);
        let Some(clients) = self.engine.clients.get(i).cloned() else {
            return;
        };
        let name = self.tenant_name(i);
        self.diagnostics.show_related(RelatedChecks {
            tenant: i,
            article,
            title,
            report: None,
        });
        self.popups.clear();
        self.view = View::Diagnostics;
        let label = format!(
            "Running {} check{} on {name}",
            checks.len(),
            if checks.len() == 1 { "" } else { "s" }
        );
        let slots = self.engine.fetch_slots.clone();
        self.spawn_task(&label, async move {
            let _slot = slots.acquire_owned().await.ok();
            let d = crate::diagnose::diagnose_some(&clients, &checks).await;
            Action::ChecksLoaded {
                tenant: i,
                article,
                report: Box::new(d.report),
            }
        });
    }

    /// `Y`: the tenant's ticket note to the clipboard.
    pub(super) fn copy_report(&mut self, i: usize) {
        let name = self.tenant_name(i);
        let Some(report) = self.diagnostics.row(i).and_then(|r| r.report.as_ref()) else {
            self.toast(Toast::info(format!(
                "{name} has not been checked yet; wait for the check or press r"
            )));
            return;
        };
        let note = crate::report::ticket_note(report, &self.shared.kb);
        self.copy_text(note, Some(format!("the ticket note for {name}")));
    }

    // ---- fixes ----

    /// `f` on a finding: build its plan in the background, then confirm.
    pub(super) fn prepare_fix(&mut self, i: usize, finding: Finding) {
        let Some(fix) = finding.fix.clone() else {
            return;
        };
        let name = self.tenant_name(i);
        let running = self
            .diagnostics
            .row(i)
            .is_some_and(|r| r.running.iter().any(|(c, _)| *c == finding.check));
        if running {
            self.toast(Toast::info(format!(
                "{} is already running on {name}",
                fix.kind
            )));
            return;
        }
        if !self.diag.preparing.insert((i, finding.check.clone())) {
            self.toast(Toast::info(format!(
                "Already preparing {} for {name}",
                fix.kind
            )));
            return;
        }
        let Some(clients) = self.engine.clients.get(i).cloned() else {
            return;
        };
        let check = finding.check.clone();
        let label = format!("Preparing {} for {name}", fix.kind);
        let spawned = self.spawn_task(&label, async move {
            let plan = crate::fixes::build_plan(&clients, &fix)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string());
            Action::PlanReady {
                tenant: i,
                before: Box::new(finding),
                plan,
            }
        });
        if !spawned {
            self.diag.preparing.remove(&(i, check));
        }
    }

    pub(super) fn plan_ready(
        &mut self,
        i: usize,
        before: Finding,
        plan: Result<Box<Plan>, String>,
    ) {
        self.diag.preparing.remove(&(i, before.check.clone()));
        let plan = match plan {
            Ok(p) => *p,
            Err(e) => {
                let kind = before.fix.as_ref().map(|f| f.kind.id()).unwrap_or("fix");
                self.toast(Toast::error(format!("Cannot prepare {kind}: {e}")));
                return;
            }
        };
        let info = self
            .diagnostics
            .row(i)
            .map(|r| r.info.clone())
            .unwrap_or_default();
        self.popups.push(Popup::Fix(Box::new(FixConfirm::new(
            FixRun {
                tenant: i,
                before,
                plan,
            },
            info,
        ))));
    }

    /// Enter in the confirmation: run the fix once, on a background task.
    pub(super) fn run_fix(&mut self, run: FixRun) {
        let name = self.tenant_name(run.tenant);
        let kind = run.plan.kind;
        if let Some(why) = self.engine.refusal(run.tenant) {
            self.toast(Toast::warn(format!("Not run: {why}")));
            return;
        }
        let executor = match &self.engine.executor {
            Ok(e) => e.clone(),
            Err(why) => {
                self.toast(Toast::error(format!("Not run: {why}")));
                return;
            }
        };
        let key = run.plan.key();
        if self.diag.running.contains(&key) || executor.is_running(&run.plan) {
            self.toast(Toast::info(format!("{kind} is already running on {name}")));
            return;
        }
        let Some(clients) = self.engine.clients.get(run.tenant).cloned() else {
            return;
        };
        let tenant_read_only = self
            .engine
            .tenants
            .get(run.tenant)
            .is_some_and(|t| t.read_only);
        let task_run = run.clone();
        let spawned = self.spawn_task(&format!("running {kind} on {name}"), async move {
            let result = executor
                .run(&clients, &task_run.plan, tenant_read_only)
                .await;
            Action::FixDone {
                run: Box::new(task_run),
                result: FixResult::of(kind, result),
            }
        });
        if !spawned {
            return;
        }
        self.diag.running.insert(key.clone());
        if let Some(row) = self.diagnostics.row_mut(run.tenant) {
            row.running.push((run.before.check.clone(), kind));
        }
        // The confirmation stays up and says it runs; Enter there now only says so.
        for p in &mut self.popups {
            if let Popup::Fix(f) = p
                && f.plan().key() == key
            {
                f.set_running();
            }
        }
    }

    /// Quits, unless a fix is running: then the first press says so (quitting would cut it
    /// off mid-way, leaving an unfinished entry in the audit log) and a second one quits.
    pub(super) fn request_quit(&mut self) {
        if self.diag.running.is_empty() || self.diag.quit_armed {
            self.quit = true;
            return;
        }
        self.diag.quit_armed = true;
        let n = self.diag.running.len();
        self.toast(Toast::warn(format!(
            "{n} fix{} still running; quitting now leaves {} unfinished. Quit again to quit anyway",
            if n == 1 { " is" } else { "es are" },
            if n == 1 { "it" } else { "them" }
        )));
    }

    pub(super) fn fix_done(&mut self, run: FixRun, result: FixResult) {
        let key = run.plan.key();
        self.diag.running.remove(&key);
        if self.diag.running.is_empty() {
            self.diag.quit_armed = false;
        }
        if let Some(row) = self.diagnostics.row_mut(run.tenant)
            && let Some(p) = row
                .running
                .iter()
                .position(|(c, k)| *c == run.before.check && *k == run.plan.kind)
        {
            row.running.remove(p);
        }
        // An open confirmation of this run now shows how it ended.
        for p in &mut self.popups {
            if let Popup::Fix(f) = p
                && f.is_running()
                && f.plan().key() == key
            {
                f.set_outcome(result.clone());
            }
        }
        if result.succeeded {
            self.toast(Toast::ok(result.short.clone()));
        } else {
            self.toast(Toast::error(result.short.clone()));
        }
        if result.ran {
            let recheck = Recheck {
                plan_key: key,
                before: run.before,
                target: run.plan.target,
                result,
            };
            self.fetch(run.tenant, Some(recheck));
        }
    }
}

#[cfg(test)]
impl App {
    /// Selects a tenant and one of its findings, as the keys would.
    pub(crate) fn select_for_test(&mut self, tenant: usize, check: &str) {
        self.diagnostics.select_tenant(tenant);
        assert!(
            self.diagnostics.select_check(check),
            "{check} is not listed"
        );
    }

    /// Makes tenant `i`'s auto-refresh due at `at`.
    pub(crate) fn force_refresh_due(&mut self, i: usize, at: Instant) {
        if let Some(row) = self.diagnostics.row_mut(i) {
            row.next_refresh = Some(at);
        }
    }

    pub(crate) fn engine_rate_limits(&self) -> Option<crate::http::RateLimitBoard> {
        self.engine.rate_limits.clone()
    }
}

/// The before → after line for the finding a fix was run for.
pub(super) fn note_for(rc: &Recheck, after: Option<&Finding>) -> Note {
    let b = rc.before.status;
    let Some(after) = after else {
        return Note {
            text: format!("re-check: {} did not run", rc.before.check),
            level: NoteLevel::Still,
        };
    };
    let a = after.status;
    let passed = crate::fixes::Recheck::new(rc.before.clone(), after.clone(), &rc.target).passed;
    let rem = remaining(after);
    let (text, level) = if matches!(a, Status::Ok | Status::Skipped) {
        (format!("fixed: {b} → {a}"), NoteLevel::Fixed)
    } else if passed && a < b {
        (format!("improved: {b} → {a}{rem}"), NoteLevel::Improved)
    } else if passed {
        let who = if !rc.target.users.is_empty() {
            "users"
        } else if !rc.target.groups.is_empty() {
            "groups"
        } else {
            "target"
        };
        (
            format!("fixed for the chosen {who}; still {a}{rem}"),
            NoteLevel::Improved,
        )
    } else if a != b {
        (format!("still: {b} → {a}{rem}"), NoteLevel::Still)
    } else {
        (format!("still: {a}{rem}"), NoteLevel::Still)
    };
    if rc.result.succeeded {
        Note { text, level }
    } else {
        Note {
            text: format!("fix failed; {text}"),
            level: NoteLevel::Failed,
        }
    }
}

/// " (2 users remain)" from what the finding still names.
fn remaining(f: &Finding) -> String {
    let (n, one, many) = match &f.fix {
        Some(fix) if !fix.target.users.is_empty() => (fix.target.users.len(), "user", "users"),
        Some(fix) if !fix.target.groups.is_empty() => (fix.target.groups.len(), "group", "groups"),
        _ => (f.evidence.len(), "item", "items"),
    };
    match n {
        0 => String::new(),
        1 => format!(" (1 {one} remains)"),
        n => format!(" ({n} {many} remain)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::{jit_finding as finding, target};

    fn rc(before: Finding, fixed: &[&str], succeeded: bool) -> Recheck {
        Recheck {
            plan_key: String::new(),
            before,
            target: target(fixed),
            result: FixResult {
                ran: true,
                succeeded,
                message: String::new(),
                short: String::new(),
            },
        }
    }

    #[test]
    fn notes_say_fixed_improved_or_still() {
        let before = finding(Status::Info, &["a", "b"]);
        let n = note_for(
            &rc(before.clone(), &["a", "b"], true),
            Some(&finding(Status::Ok, &[])),
        );
        assert_eq!(n.text, "fixed: info → ok");
        assert_eq!(n.level, NoteLevel::Fixed);
        let n = note_for(
            &rc(before.clone(), &["a"], true),
            Some(&finding(Status::Info, &["b"])),
        );
        assert_eq!(
            n.text,
            "fixed for the chosen users; still info (1 user remains)"
        );
        assert_eq!(n.level, NoteLevel::Improved);
        let n = note_for(
            &rc(before.clone(), &["a"], true),
            Some(&finding(Status::Info, &["a", "b"])),
        );
        assert_eq!(n.text, "still: info (2 users remain)");
        assert_eq!(n.level, NoteLevel::Still);
        let warn = finding(Status::Warning, &["a"]);
        let n = note_for(
            &rc(warn.clone(), &["a"], true),
            Some(&finding(Status::Info, &["a"])),
        );
        assert_eq!(n.text, "improved: warning → info (1 user remains)");
        let n = note_for(
            &rc(warn, &["a"], false),
            Some(&finding(Status::Warning, &["a"])),
        );
        assert_eq!(n.level, NoteLevel::Failed);
        assert!(
            n.text.starts_with("fix failed; still: warning"),
            "{}",
            n.text
        );
    }
}
