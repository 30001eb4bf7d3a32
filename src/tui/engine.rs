//! What the TUI diagnoses and fixes with: the session's tenants and their clients, the fix
//! executor, the rate-limit board and the refresh interval. The app owns one; background
//! tasks get clones of the parts they need, never a reference.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::checks::{Finding, FixKind};
use crate::diagnose::DEFAULT_CONCURRENCY;
use crate::fixes::{Executor, Outcome, Plan};
use crate::http::RateLimitBoard;
use crate::session::Session;
use crate::snapshot::TenantClients;
use crate::tenant::Tenant;

/// Auto-refresh when the config says nothing.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(60);
/// Auto-refresh never runs more often than this, whatever the config says.
pub const MIN_REFRESH: Duration = Duration::from_secs(15);

/// The refresh interval for a config's `refresh_secs`.
pub fn refresh_interval(secs: Option<u64>) -> Duration {
    secs.map(Duration::from_secs)
        .unwrap_or(DEFAULT_REFRESH)
        .max(MIN_REFRESH)
}

pub struct Engine {
    pub tenants: Vec<Tenant>,
    /// Same order as `tenants`.
    pub clients: Vec<TenantClients>,
    /// Configured tenants that could not be set up, one message each.
    pub broken: Vec<String>,
    /// The executor, or why there is none (no data directory for the audit log).
    pub executor: Result<Executor, String>,
    /// `--read-only` or `read_only` in the config.
    pub read_only: bool,
    pub rate_limits: Option<RateLimitBoard>,
    pub refresh: Duration,
    /// Where the audit log is, to report fixes that started and never ended.
    pub audit_path: Option<PathBuf>,
    /// Bounds how many tenants are fetched at once (the HTTP layer caps each host too).
    pub fetch_slots: Arc<Semaphore>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::none()
    }
}

impl Engine {
    /// No tenants: the knowledge base only.
    pub fn none() -> Engine {
        Engine {
            tenants: Vec::new(),
            clients: Vec::new(),
            broken: Vec::new(),
            executor: Err("no tenants are configured".into()),
            read_only: false,
            rate_limits: None,
            refresh: DEFAULT_REFRESH,
            audit_path: None,
            fetch_slots: Arc::new(Semaphore::new(DEFAULT_CONCURRENCY)),
        }
    }

    /// The session's tenants, clients and executor. The session itself must outlive the app
    /// (it holds the embedded demo).
    pub fn from_session(session: &Session) -> Engine {
        Engine {
            tenants: session.tenants.clone(),
            broken: session
                .broken
                .iter()
                .map(|(name, why)| format!("tenant {name} is not checked: {why}"))
                .collect(),
            clients: session.clients.clone(),
            executor: session.executor().map_err(|e| format!("{e:#}")),
            read_only: session.read_only,
            rate_limits: Some(session.http.rate_limits()),
            refresh: refresh_interval(session.config.refresh_secs),
            audit_path: crate::audit::default_path(),
            fetch_slots: Arc::new(Semaphore::new(DEFAULT_CONCURRENCY)),
        }
    }

    /// Why a fix on tenant `i` would be refused, if it would.
    pub fn refusal(&self, i: usize) -> Option<String> {
        let tenant = self.tenants.get(i)?;
        match &self.executor {
            Ok(ex) => ex.refusal(&tenant.name, tenant.read_only),
            Err(why) => Some(format!("fixes are off: {why}")),
        }
    }
}

/// A fix the agent confirmed: the plan (narrowed to what they chose) and the finding that
/// offered it, for the before/after.
#[derive(Debug, Clone, PartialEq)]
pub struct FixRun {
    pub tenant: usize,
    pub before: Finding,
    pub plan: Plan,
}

/// How a fix run ended, as the TUI shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FixResult {
    /// The calls were made (successfully or not); false when the executor refused.
    pub ran: bool,
    pub succeeded: bool,
    /// The executor's whole message, or why it was refused.
    pub message: String,
    /// One line for a toast: on failure the provider's status, code and message and the
    /// request id, which a long message could push out of sight.
    pub short: String,
}

impl FixResult {
    pub fn of(kind: FixKind, result: Result<Outcome, crate::fixes::FixError>) -> FixResult {
        match result {
            Ok(o) => {
                let request_id = o
                    .error
                    .as_ref()
                    .and_then(|e| e.request_id.as_ref().map(|r| r.to_string()))
                    .or_else(|| {
                        o.steps
                            .iter()
                            .rev()
                            .find(|s| !s.ok)
                            .and_then(|s| s.request_id.clone())
                    });
                // The executor names the fix in its own words except for a sync's or an
                // on-demand result: name it there too.
                let mut message = if o.message.starts_with(kind.id()) {
                    o.message.clone()
                } else {
                    format!("{kind}: {}", o.message)
                };
                if let Some(id) = &request_id
                    && !message.contains(id.as_str())
                {
                    message.push_str(&format!(" [request id {id}]"));
                }
                let short = match (&o.error, o.succeeded) {
                    (Some(e), false) => {
                        let mut what = match e.status {
                            Some(s) => format!("HTTP {s}"),
                            None => format!("{:?}", e.kind).to_lowercase(),
                        };
                        if let Some(code) = &e.code {
                            what.push_str(&format!(" {code}"));
                        }
                        let mut line = format!(
                            "{kind} failed on {}: {what}: {}",
                            e.tenant,
                            crate::tui::text::truncate(e.message.as_str(), 90)
                        );
                        if let Some(id) = &request_id {
                            line.push_str(&format!(" [request id {id}]"));
                        }
                        line
                    }
                    _ => message.clone(),
                };
                FixResult {
                    ran: true,
                    succeeded: o.succeeded,
                    message,
                    short,
                }
            }
            Err(e) => FixResult {
                ran: false,
                succeeded: false,
                message: e.to_string(),
                short: format!("{kind} not run: {e}"),
            },
        }
    }
}

/// What a re-fetch after a fix compares against.
#[derive(Debug, Clone, PartialEq)]
pub struct Recheck {
    /// The fix's plan key, so its confirmation can show the after-state too.
    pub plan_key: String,
    pub before: Finding,
    pub target: crate::checks::FixTarget,
    pub result: FixResult,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_name_the_fix() {
        let outcome = |message: &str| Outcome {
            run: "r1".into(),
            succeeded: true,
            steps: Vec::new(),
            error: None,
            skipped_steps: 0,
            message: message.into(),
        };
        let r = FixResult::of(FixKind::SpManualSync, Ok(outcome("sync s1 succeeded")));
        assert_eq!(r.short, "sp.manual_sync: sync s1 succeeded");
        let r = FixResult::of(
            FixKind::SpResendInvite,
            Ok(outcome("sp.resend_invite done: 1 call(s) succeeded")),
        );
        assert_eq!(r.short, "sp.resend_invite done: 1 call(s) succeeded");
        assert!(r.ran && r.succeeded);
        let r = FixResult::of(
            FixKind::SpReactivate,
            Err(crate::fixes::FixError::AlreadyRunning),
        );
        assert!(!r.ran);
        assert!(
            r.short.starts_with("sp.reactivate not run: "),
            "{}",
            r.short
        );
    }

    #[test]
    fn refresh_is_sixty_seconds_by_default_and_never_below_fifteen() {
        assert_eq!(refresh_interval(None), Duration::from_secs(60));
        assert_eq!(refresh_interval(Some(5)), Duration::from_secs(15));
        assert_eq!(refresh_interval(Some(0)), Duration::from_secs(15));
        assert_eq!(refresh_interval(Some(300)), Duration::from_secs(300));
    }
}
