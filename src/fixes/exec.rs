//! Running a plan: once, audited, never blindly retried.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

use super::ON_DEMAND_SPACING;
use super::plan::{Op, Plan};
use crate::audit::{self, AuditLog, Entry, Event};
use crate::http::{ApiError, CallContext, ErrorKind, Provider};
use crate::providers::Sent;
use crate::providers::okta::{MappingStatus, PushTarget};
use crate::providers::sp::SyncRunStatus;
use crate::sanitize::SafeText;
use crate::snapshot::TenantClients;

/// How long a manual sync is followed before the fix reports it as still running.
const SYNC_FOLLOW: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("refused: {0}")]
    ReadOnly(String),
    #[error("the same fix is already running for this tenant and target")]
    AlreadyRunning,
    #[error("refused: cannot write the audit log {path}: {source}")]
    Audit {
        path: String,
        source: std::io::Error,
    },
}

/// What one call did.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub subject: String,
    pub call: String,
    pub ok: bool,
    pub http_status: Option<u16>,
    pub request_id: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub run: String,
    pub succeeded: bool,
    pub steps: Vec<StepReport>,
    /// The first failure, with the provider's error and request id.
    pub error: Option<ApiError>,
    /// Steps never sent because an earlier one failed.
    pub skipped_steps: usize,
    /// A one-line summary for toasts and the audit log.
    pub message: String,
}

/// Runs fixes. Cheap to clone; clones share the in-flight set, so one key press while the
/// same fix runs is refused wherever it comes from.
#[derive(Debug, Clone)]
pub struct Executor {
    audit: AuditLog,
    read_only: bool,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

/// Removes the plan's key from the in-flight set however the run ends.
struct InFlight {
    set: Arc<Mutex<HashSet<String>>>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut s) = self.set.lock() {
            s.remove(&self.key);
        }
    }
}

impl Executor {
    pub fn new(audit: AuditLog, read_only: bool) -> Executor {
        Executor {
            audit,
            read_only,
            in_flight: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    /// Why fixes on this tenant are refused, if they are.
    pub fn refusal(&self, tenant: &str, tenant_read_only: bool) -> Option<String> {
        if self.read_only {
            Some("ssodesk runs read-only (--read-only or read_only in the config)".into())
        } else if tenant_read_only {
            Some(format!("tenant {tenant} is read-only in the config"))
        } else {
            None
        }
    }

    /// True while this plan (same tenant, kind and target) is running.
    pub fn is_running(&self, plan: &Plan) -> bool {
        self.in_flight
            .lock()
            .map(|s| s.contains(&plan.key()))
            .unwrap_or(false)
    }

    /// Runs every step in order, stopping at the first failure. The audit log gets a start
    /// line before the first call and an end line after the last.
    pub async fn run(
        &self,
        clients: &TenantClients,
        plan: &Plan,
        tenant_read_only: bool,
    ) -> Result<Outcome, FixError> {
        if let Some(why) = self.refusal(&plan.tenant, tenant_read_only) {
            return Err(FixError::ReadOnly(why));
        }
        let key = plan.key();
        {
            let mut set = self
                .in_flight
                .lock()
                .map_err(|_| FixError::AlreadyRunning)?;
            if !set.insert(key.clone()) {
                return Err(FixError::AlreadyRunning);
            }
        }
        let _guard = InFlight {
            set: self.in_flight.clone(),
            key,
        };

        let run = audit::new_run_id();
        let entry = |event: Event| Entry {
            time: Utc::now(),
            event,
            run: run.clone(),
            user: audit::os_user(),
            tenant: plan.tenant.clone(),
            kind: plan.kind.id().to_string(),
            target: plan.target.clone(),
            requests: Vec::new(),
            outcome: None,
            http_status: None,
            request_id: None,
            message: None,
        };
        let mut start = entry(Event::Start);
        start.requests = plan.call_lines();
        self.audit
            .append(&start)
            .map_err(|source| FixError::Audit {
                path: self.audit.path().display().to_string(),
                source,
            })?;

        let mut steps = Vec::new();
        let mut error = None;
        let mut extra = None;
        for (i, step) in plan.steps.iter().enumerate() {
            if i > 0 && matches!(step.op, Op::GraphProvisionOnDemand { .. }) {
                tokio::time::sleep(ON_DEMAND_SPACING).await;
            }
            let result = run_op(clients, &step.op).await;
            let report = |ok: bool,
                          sent: Option<&Sent>,
                          err: Option<&ApiError>,
                          msg: Option<String>| StepReport {
                subject: step.subject.clone(),
                call: step.call.to_string(),
                ok,
                http_status: sent.map(|s| s.status).or(err.and_then(|e| e.status)),
                request_id: sent
                    .and_then(|s| s.request_id.clone())
                    .or(err.and_then(|e| e.request_id.as_ref().map(|r| r.to_string()))),
                message: msg,
            };
            match result {
                Ok((sent, note)) => {
                    if note.is_some() {
                        extra = note.clone();
                    }
                    steps.push(report(true, Some(&sent), None, note));
                }
                Err(e) => {
                    steps.push(report(false, None, Some(&e), Some(e.to_string())));
                    error = Some(e);
                    break;
                }
            }
        }
        let succeeded = error.is_none();
        let skipped_steps = plan.steps.len() - steps.len();
        let message = match &error {
            None => extra.unwrap_or_else(|| {
                format!("{} done: {} call(s) succeeded", plan.kind, steps.len())
            }),
            Some(e) => {
                let mut m = format!("{} failed: {e}", plan.kind);
                if may_have_acted(e) {
                    m.push_str(
                        " (the request reached the server, which may have made the change; \
                         the re-check shows whether it did)",
                    );
                }
                if skipped_steps > 0 {
                    m.push_str(&format!(" ({skipped_steps} later call(s) not sent)"));
                }
                m
            }
        };
        let last = steps.last();
        let mut end = entry(Event::End);
        end.outcome = Some(if succeeded {
            audit::Outcome::Succeeded
        } else {
            audit::Outcome::Failed
        });
        end.http_status = last.and_then(|s| s.http_status);
        end.request_id = last.and_then(|s| s.request_id.clone());
        end.message = Some(message.clone());
        // The calls were made: a failure to record the end must not hide their outcome.
        if let Err(e) = self.audit.append(&end) {
            tracing::error!("cannot write the end of fix run {run} to the audit log: {e}");
        }
        Ok(Outcome {
            run,
            succeeded,
            steps,
            error,
            skipped_steps,
            message,
        })
    }
}

/// True when a failed write may still have taken effect: the server answered with success
/// but the answer could not be read, or no complete answer came in time.
fn may_have_acted(e: &ApiError) -> bool {
    match e.kind {
        ErrorKind::Decode | ErrorKind::TooLarge => {
            e.status.is_some_and(|s| (200..300).contains(&s))
        }
        ErrorKind::Timeout => true,
        ErrorKind::Connect => e.status.is_some(),
        ErrorKind::Status | ErrorKind::Request => false,
    }
}

/// Sends one call. A manual sync is followed until it ends (reads only), and its final state
/// comes back as a note.
async fn run_op(clients: &TenantClients, op: &Op) -> Result<(Sent, Option<String>), ApiError> {
    let missing = |provider: Provider| {
        CallContext {
            tenant: clients.tenant.clone(),
            provider,
            method: "-".into(),
            endpoint: SafeText::new("-"),
        }
        .error(ErrorKind::Request, "this tenant has no such API configured")
    };
    match op {
        Op::SpStartSync => {
            let (sent, started) = clients.sp.start_sync().await?;
            let note = follow_sync(clients, &started.sync_id).await;
            Ok((sent, Some(note)))
        }
        Op::SpAddTeamMember { team_id, user_id } => {
            Ok((clients.sp.add_team_member(team_id, user_id).await?, None))
        }
        Op::SpResendInvite { user_id } => Ok((clients.sp.resend_invite(user_id).await?, None)),
        Op::OktaCreatePushMapping {
            group_id,
            group_name,
        } => {
            let okta = clients
                .okta
                .as_ref()
                .ok_or_else(|| missing(Provider::Okta))?;
            let (sent, _) = okta
                .create_push_mapping(group_id, &PushTarget::NewGroup(group_name.clone()))
                .await?;
            Ok((sent, None))
        }
        Op::OktaSetMappingStatus { mapping_id, status } => {
            let okta = clients
                .okta
                .as_ref()
                .ok_or_else(|| missing(Provider::Okta))?;
            let (sent, _) = okta
                .set_push_mapping_status(mapping_id, &MappingStatus::parse(status))
                .await?;
            Ok((sent, None))
        }
        Op::GraphStartJob { job_id } => {
            let g = clients
                .graph
                .as_ref()
                .ok_or_else(|| missing(Provider::Graph))?;
            Ok((g.start_job(job_id).await?, None))
        }
        Op::GraphRestartJob {
            job_id,
            reset_scope,
        } => {
            let g = clients
                .graph
                .as_ref()
                .ok_or_else(|| missing(Provider::Graph))?;
            Ok((g.restart_job(job_id, reset_scope).await?, None))
        }
        Op::GraphProvisionOnDemand {
            job_id,
            rule_id,
            user_id,
        } => {
            let g = clients
                .graph
                .as_ref()
                .ok_or_else(|| missing(Provider::Graph))?;
            let (sent, result) = g
                .provision_on_demand(job_id, rule_id, user_id, "User")
                .await?;
            let note = format!(
                "provision on demand: {}{}",
                result.result.as_deref().unwrap_or("no result"),
                result
                    .error_message
                    .as_ref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            );
            Ok((sent, Some(note)))
        }
    }
}

/// Polls the sync until it is no longer running; a read error ends the wait early.
async fn follow_sync(clients: &TenantClients, sync_id: &str) -> String {
    let deadline = tokio::time::Instant::now() + SYNC_FOLLOW;
    let mut wait = Duration::from_millis(250);
    loop {
        match clients.sp.sync(sync_id).await {
            Ok(run) if run.status != SyncRunStatus::Running => {
                return match run.status {
                    SyncRunStatus::Succeeded => format!("sync {sync_id} succeeded"),
                    SyncRunStatus::Failed => format!(
                        "sync {sync_id} failed: {}",
                        run.error.as_deref().unwrap_or("no error given")
                    ),
                    other => format!("sync {sync_id} ended as {other:?}"),
                };
            }
            Ok(_) => {}
            Err(e) => return format!("sync {sync_id} started; its state could not be read: {e}"),
        }
        if tokio::time::Instant::now() >= deadline {
            return format!(
                "sync {sync_id} is still running after {} s",
                SYNC_FOLLOW.as_secs()
            );
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(3));
    }
}
