//! From a fix to the exact calls it will make.

use std::fmt;

use serde::Serialize;

use super::RESTART_RESET_SCOPE;
use crate::checks::{Fix, FixKind, FixTarget, GroupRef, UserRef};
use crate::providers::PlannedCall;
use crate::providers::okta::{MappingStatus, PushTarget};
use crate::snapshot::TenantClients;

/// One call, as data the executor runs and a person can read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    SpStartSync,
    SpAddTeamMember {
        team_id: String,
        user_id: String,
    },
    SpResendInvite {
        user_id: String,
    },
    OktaCreatePushMapping {
        group_id: String,
        group_name: String,
    },
    OktaSetMappingStatus {
        mapping_id: String,
        status: String,
    },
    GraphStartJob {
        job_id: String,
    },
    GraphRestartJob {
        job_id: String,
        reset_scope: String,
    },
    GraphProvisionOnDemand {
        job_id: String,
        rule_id: String,
        user_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// For whom, in words ("ann@acme.test", "group Sales").
    pub subject: String,
    pub op: Op,
    /// Exactly what goes over the wire, without the credential.
    pub call: PlannedCall,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub tenant: String,
    pub kind: FixKind,
    pub target: FixTarget,
    /// What the fix does, one line.
    pub summary: String,
    pub steps: Vec<Step>,
}

impl Plan {
    /// Identifies "the same fix" for the exactly-once rule.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.tenant,
            self.kind,
            serde_json::to_string(&self.target).unwrap_or_default()
        )
    }

    /// The calls as `METHOD URL BODY` lines, for the audit log and `--dry-run`.
    pub fn call_lines(&self) -> Vec<String> {
        self.steps.iter().map(|s| s.call.to_string()).collect()
    }

    /// The same plan for fewer of its users or groups (the confirmation lets the agent pick):
    /// steps acting on a user or group not in `keep` are dropped, the summary and target
    /// follow. Steps that act on no user or group (a sync, a job) stay. Sends nothing.
    pub fn narrowed(&self, keep: &FixTarget) -> Plan {
        let user_kept = |id: &str| keep.users.iter().any(|u| u.id == id);
        let group_kept = |id: &str| keep.groups.iter().any(|g| g.id == id);
        let mapping_kept = |mapping: &str| {
            keep.groups
                .iter()
                .any(|g| g.mapping_id.as_deref() == Some(mapping))
        };
        let steps = self
            .steps
            .iter()
            .filter(|s| match &s.op {
                Op::SpAddTeamMember { user_id, .. }
                | Op::SpResendInvite { user_id }
                | Op::GraphProvisionOnDemand { user_id, .. } => user_kept(user_id),
                Op::OktaCreatePushMapping { group_id, .. } => group_kept(group_id),
                Op::OktaSetMappingStatus { mapping_id, .. } => mapping_kept(mapping_id),
                Op::SpStartSync | Op::GraphStartJob { .. } | Op::GraphRestartJob { .. } => true,
            })
            .cloned()
            .collect();
        Plan {
            tenant: self.tenant.clone(),
            kind: self.kind,
            target: keep.clone(),
            summary: summary(self.kind, keep),
            steps,
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} on tenant {}: {}",
            self.kind, self.tenant, self.summary
        )?;
        for (i, s) in self.steps.iter().enumerate() {
            writeln!(f, "  {}. {} ({})", i + 1, s.call, s.subject)?;
            if !s.call.auth.is_empty() {
                writeln!(f, "     Authorization: {}", s.call.auth)?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("tenant {tenant} has no {what} configured, which {kind} needs")]
    NotConfigured {
        tenant: String,
        what: &'static str,
        kind: FixKind,
    },
    #[error("{kind} needs {what}, and none was given or found")]
    MissingTarget { kind: FixKind, what: &'static str },
    #[error("{0}")]
    Lookup(String),
}

/// Builds the plan. Only `azure.provision_on_demand` reads anything (the job's rule id), and
/// only with a GET.
pub async fn build_plan(clients: &TenantClients, fix: &Fix) -> Result<Plan, PlanError> {
    let tenant = clients.tenant.clone();
    let t = &fix.target;
    let kind = fix.kind;
    let not_configured = |what| PlanError::NotConfigured {
        tenant: tenant.clone(),
        what,
        kind,
    };
    let missing = |what| PlanError::MissingTarget { kind, what };
    // Every Entra fix needs the Graph client and the job it acts on.
    let graph_and_job = || {
        let graph = clients
            .graph
            .as_ref()
            .ok_or_else(|| not_configured("Entra ID"))?;
        let job = t.job_id.as_ref().ok_or_else(|| missing("a job id"))?;
        Ok::<_, PlanError>((graph, job))
    };
    let mut steps = Vec::new();
    match kind {
        FixKind::SpManualSync => {
            steps.push(Step {
                subject: "SSO connection".into(),
                op: Op::SpStartSync,
                call: clients.sp.plan_start_sync(),
            });
        }
        FixKind::SpReactivate => {
            let team = t.team.as_ref().ok_or_else(|| missing("a team"))?;
            require_users(t, missing)?;
            for u in &t.users {
                steps.push(Step {
                    subject: u.email.clone(),
                    op: Op::SpAddTeamMember {
                        team_id: team.id.clone(),
                        user_id: u.id.clone(),
                    },
                    call: clients.sp.plan_add_team_member(&team.id, &u.id),
                });
            }
        }
        FixKind::SpResendInvite => {
            require_users(t, missing)?;
            for u in &t.users {
                steps.push(Step {
                    subject: u.email.clone(),
                    op: Op::SpResendInvite {
                        user_id: u.id.clone(),
                    },
                    call: clients.sp.plan_resend_invite(&u.id),
                });
            }
        }
        FixKind::OktaPushGroup => {
            let okta = clients
                .okta
                .as_ref()
                .ok_or_else(|| not_configured("Okta"))?;
            if t.groups.is_empty() {
                return Err(missing("a group"));
            }
            for g in &t.groups {
                push_group_steps(okta, g, &mut steps);
            }
        }
        FixKind::AzureStartJob => {
            let (graph, job) = graph_and_job()?;
            steps.push(Step {
                subject: format!("job {job}"),
                op: Op::GraphStartJob {
                    job_id: job.clone(),
                },
                call: graph.plan_start_job(job),
            });
        }
        FixKind::AzureRestartJob => {
            let (graph, job) = graph_and_job()?;
            steps.push(Step {
                subject: format!("job {job}"),
                op: Op::GraphRestartJob {
                    job_id: job.clone(),
                    reset_scope: RESTART_RESET_SCOPE.into(),
                },
                call: graph.plan_restart_job(job, RESTART_RESET_SCOPE),
            });
        }
        FixKind::AzureProvisionOnDemand => {
            let (graph, job) = graph_and_job()?;
            require_users(t, missing)?;
            let rules = graph
                .rules(job)
                .await
                .map_err(|e| PlanError::Lookup(format!("cannot read the job's rules: {e}")))?;
            // The user rule: the one whose source is Entra's directory, else the first.
            let rule = rules
                .iter()
                .find(|r| {
                    r.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains("user"))
                })
                .or_else(|| rules.first())
                .ok_or_else(|| {
                    PlanError::Lookup(format!("job {job} has no synchronization rule"))
                })?;
            for u in &t.users {
                steps.push(Step {
                    subject: u.email.clone(),
                    op: Op::GraphProvisionOnDemand {
                        job_id: job.clone(),
                        rule_id: rule.id.to_string(),
                        user_id: u.id.clone(),
                    },
                    call: graph.plan_provision_on_demand(job, &rule.id, &u.id, "User"),
                });
            }
        }
    }
    Ok(Plan {
        tenant,
        kind,
        target: t.clone(),
        summary: summary(kind, t),
        steps,
    })
}

/// What a fix does to its target, one line.
fn summary(kind: FixKind, t: &FixTarget) -> String {
    let job = t.job_id.as_deref().unwrap_or("-");
    match kind {
        FixKind::SpManualSync => {
            "start a manual sync of the SSO connection and follow it to its end".into()
        }
        FixKind::SpReactivate => format!(
            "reactivate {} by adding them to team {}",
            users_words(&t.users),
            t.team.as_ref().map_or("-", |team| team.name.as_str())
        ),
        FixKind::SpResendInvite => {
            format!("resend the invitation email to {}", users_words(&t.users))
        }
        FixKind::OktaPushGroup => format!(
            "push {} from Okta",
            t.groups
                .iter()
                .map(|g| format!("group {}", g.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FixKind::AzureStartJob => format!("start the paused provisioning job {job}"),
        FixKind::AzureRestartJob => format!(
            "restart provisioning job {job}, clearing its quarantine ({RESTART_RESET_SCOPE})"
        ),
        FixKind::AzureProvisionOnDemand => format!(
            "provision {} now through Entra's provision on demand",
            users_words(&t.users)
        ),
    }
}

/// No mapping: create one (Okta pushes at once). A mapping in ERROR or INACTIVE: set it
/// INACTIVE (unless it already is) then ACTIVE, which makes Okta push it again.
fn push_group_steps(okta: &crate::providers::OktaClient, g: &GroupRef, steps: &mut Vec<Step>) {
    let subject = format!("group {}", g.name);
    match &g.mapping_id {
        None => steps.push(Step {
            subject,
            op: Op::OktaCreatePushMapping {
                group_id: g.id.clone(),
                group_name: g.name.clone(),
            },
            call: okta.plan_create_push_mapping(&g.id, &PushTarget::NewGroup(g.name.clone())),
        }),
        Some(mapping) => {
            let already_inactive = g.mapping_status.as_deref() == Some("INACTIVE");
            if !already_inactive {
                steps.push(Step {
                    subject: subject.clone(),
                    op: Op::OktaSetMappingStatus {
                        mapping_id: mapping.clone(),
                        status: "INACTIVE".into(),
                    },
                    call: okta.plan_set_push_mapping_status(mapping, &MappingStatus::Inactive),
                });
            }
            steps.push(Step {
                subject,
                op: Op::OktaSetMappingStatus {
                    mapping_id: mapping.clone(),
                    status: "ACTIVE".into(),
                },
                call: okta.plan_set_push_mapping_status(mapping, &MappingStatus::Active),
            });
        }
    }
}

fn require_users(
    t: &FixTarget,
    missing: impl Fn(&'static str) -> PlanError,
) -> Result<(), PlanError> {
    if t.users.is_empty() {
        Err(missing("a user"))
    } else {
        Ok(())
    }
}

fn users_words(users: &[UserRef]) -> String {
    match users {
        [one] => one.email.clone(),
        many => format!("{} users", many.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::TeamRef;
    use crate::http::Provider;

    fn call(method: &str, url: &str, body: Option<serde_json::Value>) -> PlannedCall {
        PlannedCall {
            tenant: "acme".into(),
            provider: Provider::Sp,
            method: method.into(),
            url: url.into(),
            auth: "Bearer ***".into(),
            body,
        }
    }

    fn user(id: &str) -> UserRef {
        UserRef {
            id: id.into(),
            email: format!("{id}@acme.test"),
        }
    }

    fn group(id: &str, mapping: Option<&str>) -> GroupRef {
        GroupRef {
            id: id.into(),
            name: format!("G{id}"),
            mapping_id: mapping.map(Into::into),
            mapping_status: mapping.map(|_| "ERROR".into()),
        }
    }

    #[test]
    fn narrowing_keeps_only_the_chosen_users() {
        let target = FixTarget {
            users: vec![user("u1"), user("u2")],
            team: Some(TeamRef {
                id: "t1".into(),
                name: "All".into(),
            }),
            ..FixTarget::default()
        };
        let steps = target
            .users
            .iter()
            .map(|u| Step {
                subject: u.email.clone(),
                op: Op::SpAddTeamMember {
                    team_id: "t1".into(),
                    user_id: u.id.clone(),
                },
                call: call("POST", "http://sp/teams/t1/members", None),
            })
            .collect();
        let plan = Plan {
            tenant: "acme".into(),
            kind: FixKind::SpReactivate,
            summary: summary(FixKind::SpReactivate, &target),
            target: target.clone(),
            steps,
        };
        assert_eq!(
            plan.summary,
            "reactivate 2 users by adding them to team All"
        );
        let keep = FixTarget {
            users: vec![user("u2")],
            ..target.clone()
        };
        let narrow = plan.narrowed(&keep);
        assert_eq!(narrow.steps.len(), 1);
        assert_eq!(narrow.steps[0].subject, "u2@acme.test");
        assert_eq!(
            narrow.summary,
            "reactivate u2@acme.test by adding them to team All"
        );
        assert_ne!(narrow.key(), plan.key(), "another target is another fix");
        assert_eq!(plan.narrowed(&target), plan);
    }

    #[test]
    fn narrowing_groups_follows_mapping_ids() {
        let target = FixTarget {
            groups: vec![group("g1", Some("m1")), group("g2", None)],
            ..FixTarget::default()
        };
        let steps = vec![
            Step {
                subject: "group Gg1".into(),
                op: Op::OktaSetMappingStatus {
                    mapping_id: "m1".into(),
                    status: "INACTIVE".into(),
                },
                call: call("PATCH", "http://okta/m1", None),
            },
            Step {
                subject: "group Gg1".into(),
                op: Op::OktaSetMappingStatus {
                    mapping_id: "m1".into(),
                    status: "ACTIVE".into(),
                },
                call: call("PATCH", "http://okta/m1", None),
            },
            Step {
                subject: "group Gg2".into(),
                op: Op::OktaCreatePushMapping {
                    group_id: "g2".into(),
                    group_name: "Gg2".into(),
                },
                call: call("POST", "http://okta/mappings", None),
            },
        ];
        let plan = Plan {
            tenant: "acme".into(),
            kind: FixKind::OktaPushGroup,
            summary: summary(FixKind::OktaPushGroup, &target),
            target: target.clone(),
            steps,
        };
        let only_g2 = plan.narrowed(&FixTarget {
            groups: vec![group("g2", None)],
            ..FixTarget::default()
        });
        assert_eq!(only_g2.steps.len(), 1);
        assert_eq!(only_g2.summary, "push group Gg2 from Okta");
        let only_g1 = plan.narrowed(&FixTarget {
            groups: vec![group("g1", Some("m1"))],
            ..FixTarget::default()
        });
        assert_eq!(only_g1.steps.len(), 2);
    }
}
