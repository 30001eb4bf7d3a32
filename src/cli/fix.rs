//! `ssodesk fix KIND --tenant NAME ...`: the headless twin of the TUI's fix key.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::GlobalArgs;
use crate::checks::{Finding, Fix, FixKind, FixTarget, GroupRef, TeamRef, UserRef, azure};
use crate::diagnose::{self, Diagnosis};
use crate::fixes::{Outcome, Plan, Recheck, build_plan};
use crate::session::Session;
use crate::snapshot::Snapshot;

#[derive(Debug, Args)]
pub struct FixArgs {
    /// sp.manual_sync, sp.reactivate, sp.resend_invite, okta.push_group, azure.start_job,
    /// azure.restart_job or azure.provision_on_demand.
    pub kind: String,
    #[arg(long, value_name = "NAME")]
    pub tenant: String,
    /// The user to act on (id or email); default: every user the finding lists.
    #[arg(long, value_name = "ID|EMAIL")]
    pub user: Option<String>,
    /// The team to add a reactivated user to (id or name); default: the default team.
    #[arg(long, value_name = "ID|NAME")]
    pub team: Option<String>,
    /// The Okta group to push (id or name); default: every group the finding lists.
    #[arg(long, value_name = "ID|NAME")]
    pub group: Option<String>,
    /// Run without asking (required outside --dry-run).
    #[arg(long)]
    pub yes: bool,
    /// Print the calls and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct FixReport<'a> {
    tenant: &'a str,
    kind: &'a str,
    dry_run: bool,
    plan: Option<&'a Plan>,
    refused: Option<String>,
    outcome: Option<&'a Outcome>,
    recheck: Option<&'a Recheck>,
    exit: u8,
}

pub async fn run(global: &GlobalArgs, args: &FixArgs) -> anyhow::Result<ExitCode> {
    let kind = FixKind::parse(&args.kind).ok_or_else(|| {
        let ids: Vec<&str> = FixKind::ALL.iter().map(|k| k.id()).collect();
        anyhow::anyhow!("unknown fix `{}` (fixes: {})", args.kind, ids.join(", "))
    })?;
    let session = Session::open(global).await?;
    super::diagnose::warn_unfinished_fixes();
    let (tenant, clients) = session
        .find(&args.tenant)
        .ok_or_else(|| session.unknown_tenant(&args.tenant))?;

    let before = diagnose::diagnose(clients).await;
    let origin = before
        .report
        .findings
        .iter()
        .find(|f| f.fix.as_ref().is_some_and(|x| x.kind == kind))
        .cloned();
    let target = choose_target(kind, origin.as_ref(), &before.snapshot, args)?;
    let fix = Fix { kind, target };
    let plan = build_plan(clients, &fix).await?;

    let mut report = FixReport {
        tenant: &tenant.name,
        kind: kind.id(),
        dry_run: args.dry_run,
        plan: Some(&plan),
        refused: None,
        outcome: None,
        recheck: None,
        exit: 0,
    };
    let executor = session.executor()?;
    if args.dry_run {
        return finish(args, &report, || format!("Dry run: nothing sent.\n{plan}"));
    }
    let refusal = executor
        .refusal(&tenant.name, tenant.read_only)
        .or_else(|| {
            (!args.yes).then(|| {
                "a fix changes the tenant: add --yes to run it (or --dry-run to see the calls)"
                    .to_string()
            })
        });
    if let Some(why) = refusal {
        report.refused = Some(why.clone());
        report.exit = 2;
        return finish(args, &report, || format!("{plan}Refused: {why}"));
    }

    let outcome = executor.run(clients, &plan, tenant.read_only).await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            report.refused = Some(e.to_string());
            report.exit = 2;
            return finish(args, &report, || format!("{plan}Refused: {e}"));
        }
    };
    let check_id = origin
        .as_ref()
        .map(|f| f.check.clone())
        .unwrap_or_else(|| default_check(kind).to_string());
    let after: Diagnosis = diagnose::diagnose(clients).await;
    let recheck = match (finding(&before, &check_id), finding(&after, &check_id)) {
        (Some(b), Some(a)) => Some(Recheck::new(b, a, &plan.target)),
        _ => None,
    };
    report.exit = if !outcome.succeeded {
        2
    } else if recheck.as_ref().is_none_or(|r| r.passed) {
        0
    } else {
        1
    };
    report.outcome = Some(&outcome);
    report.recheck = recheck.as_ref();
    finish(args, &report, || {
        let mut text = format!("{plan}");
        for s in &outcome.steps {
            let status = s
                .http_status
                .map(|c| format!("HTTP {c}"))
                .unwrap_or_default();
            let id = s
                .request_id
                .as_ref()
                .map(|r| format!(" request-id {r}"))
                .unwrap_or_default();
            text.push_str(&format!(
                "  {} {}: {status}{id}\n",
                if s.ok { "ok  " } else { "FAIL" },
                s.subject
            ));
        }
        text.push_str(&format!("{}\n", outcome.message));
        if let Some(r) = &recheck {
            text.push_str(&format!(
                "Re-check {}: before [{}] {}\n          after  [{}] {}\n{}",
                r.check,
                r.before.status,
                r.before.title,
                r.after.status,
                r.after.title,
                if r.passed {
                    "The finding is resolved for this target."
                } else {
                    "The finding remains."
                }
            ));
        }
        text
    })
}

fn finish(
    args: &FixArgs,
    report: &FixReport<'_>,
    text: impl FnOnce() -> String,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
    } else {
        // Plans can carry a 10,000-character group name in a JSON body: cut long lines.
        let t = crate::display::clip_lines(&text(), crate::display::LINE_CLIP);
        write!(out, "{t}")?;
        if !t.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(ExitCode::from(report.exit))
}

fn finding(d: &Diagnosis, check: &str) -> Option<Finding> {
    d.report.findings.iter().find(|f| f.check == check).cloned()
}

/// The check a fix kind usually answers, for re-checking a fix no finding offered.
pub fn default_check(kind: FixKind) -> &'static str {
    match kind {
        FixKind::SpManualSync => "sp.last_sync",
        FixKind::SpReactivate => "sp.deactivated_jit",
        FixKind::SpResendInvite => "sp.pending_users",
        FixKind::OktaPushGroup => "okta.push_groups",
        FixKind::AzureStartJob | FixKind::AzureRestartJob => "azure.job_state",
        FixKind::AzureProvisionOnDemand => "cross.missing_users",
    }
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The finding's target, narrowed (or completed) by --user, --team and --group.
fn choose_target(
    kind: FixKind,
    origin: Option<&Finding>,
    snap: &Snapshot,
    args: &FixArgs,
) -> anyhow::Result<FixTarget> {
    let mut t = origin
        .and_then(|f| f.fix.as_ref())
        .map(|f| f.target.clone())
        .unwrap_or_default();
    let sp = snap.sp.get();
    let sp_users = sp.and_then(|s| s.users.as_ref().ok());
    let sp_teams = sp.and_then(|s| s.teams.as_ref().ok());

    if let Some(u) = &args.user {
        let from_finding = t.users.iter().find(|x| same(&x.id, u) || same(&x.email, u));
        let picked = match from_finding {
            Some(x) => x.clone(),
            None if kind == FixKind::AzureProvisionOnDemand => snap
                .azure
                .get()
                .and_then(|a| a.assigned_users.as_ref().ok())
                .and_then(|l| {
                    l.iter()
                        .find(|a| same(&a.user.id, u) || a.addresses().iter().any(|m| same(m, u)))
                })
                .map(|a| UserRef {
                    id: a.user.id.to_string(),
                    email: a
                        .addresses()
                        .first()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                })
                .ok_or_else(|| {
                    anyhow::anyhow!("no Entra-assigned user `{u}` on tenant {}", snap.tenant)
                })?,
            None => sp_users
                .and_then(|l| l.iter().find(|x| same(&x.id, u) || same(&x.email, u)))
                .map(|x| UserRef {
                    id: x.id.to_string(),
                    email: x.email.to_string(),
                })
                .ok_or_else(|| anyhow::anyhow!("no user `{u}` on tenant {}", snap.tenant))?,
        };
        t.users = vec![picked];
    }
    if let Some(team) = &args.team {
        let found = sp_teams
            .and_then(|ts| ts.iter().find(|x| same(&x.id, team) || same(&x.name, team)))
            .ok_or_else(|| anyhow::anyhow!("no team `{team}` on tenant {}", snap.tenant))?;
        t.team = Some(TeamRef {
            id: found.id.to_string(),
            name: found.name.to_string(),
        });
    }
    if kind == FixKind::SpReactivate && t.team.is_none() {
        t.team = sp_teams
            .and_then(|ts| ts.iter().find(|x| x.default))
            .map(|x| TeamRef {
                id: x.id.to_string(),
                name: x.name.to_string(),
            });
    }
    if let Some(g) = &args.group {
        let from_finding = t
            .groups
            .iter()
            .find(|x| same(&x.id, g) || same(&x.name, g))
            .cloned();
        let picked = match from_finding {
            Some(x) => x,
            None => {
                let o = snap.okta.get().ok_or_else(|| {
                    anyhow::anyhow!("tenant {} has no Okta configured", snap.tenant)
                })?;
                let id = o
                    .app_groups
                    .as_ref()
                    .ok()
                    .and_then(|l| {
                        l.iter().find(|x| {
                            same(&x.id, g) || x.name.as_deref().is_some_and(|n| same(n, g))
                        })
                    })
                    .map(|x| x.id.to_string())
                    .ok_or_else(|| anyhow::anyhow!("no Okta group `{g}` assigned to the app"))?;
                let mapping = o
                    .push_mappings
                    .as_ref()
                    .ok()
                    .and_then(|l| l.iter().find(|m| m.source_group_id.as_str() == id));
                GroupRef {
                    name: o.group_name(&id).unwrap_or(&id).to_string(),
                    mapping_id: mapping.map(|m| m.id.to_string()),
                    mapping_status: mapping.map(|m| m.status.as_str().to_string()),
                    id,
                }
            }
        };
        t.groups = vec![picked];
    }
    if matches!(
        kind,
        FixKind::AzureStartJob | FixKind::AzureRestartJob | FixKind::AzureProvisionOnDemand
    ) && t.job_id.is_none()
    {
        t.job_id = snap
            .azure
            .get()
            .and_then(|a| a.jobs.as_ref().ok())
            .and_then(|j| azure::main_job(j))
            .map(|j| j.id.to_string());
    }
    let needs_users = matches!(
        kind,
        FixKind::SpReactivate | FixKind::SpResendInvite | FixKind::AzureProvisionOnDemand
    );
    if (needs_users && t.users.is_empty())
        || (kind == FixKind::OktaPushGroup && t.groups.is_empty())
    {
        anyhow::bail!(
            "nothing to fix: no finding on tenant {} offers {kind}; name the target with {}",
            snap.tenant,
            if kind == FixKind::OktaPushGroup {
                "--group"
            } else {
                "--user"
            }
        );
    }
    Ok(t)
}
