//! What a check says about a tenant.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is. The order is the display order, worst last, so `max()` is the badge.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Ok,
    /// The tenant has no credentials for this check's source.
    Skipped,
    Info,
    Warning,
    /// The source could not be read; the detail says why.
    Unavailable,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Skipped => "skipped",
            Status::Info => "info",
            Status::Warning => "warning",
            Status::Unavailable => "unavailable",
            Status::Error => "error",
        }
    }

    /// Warning, unavailable or error: something an agent has to look at.
    pub fn needs_attention(self) -> bool {
        self >= Status::Warning
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fix kinds, with their stable ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FixKind {
    #[serde(rename = "sp.manual_sync")]
    SpManualSync,
    #[serde(rename = "sp.reactivate")]
    SpReactivate,
    #[serde(rename = "sp.resend_invite")]
    SpResendInvite,
    #[serde(rename = "okta.push_group")]
    OktaPushGroup,
    #[serde(rename = "azure.start_job")]
    AzureStartJob,
    #[serde(rename = "azure.restart_job")]
    AzureRestartJob,
    #[serde(rename = "azure.provision_on_demand")]
    AzureProvisionOnDemand,
}

impl FixKind {
    pub const ALL: [FixKind; 7] = [
        FixKind::SpManualSync,
        FixKind::SpReactivate,
        FixKind::SpResendInvite,
        FixKind::OktaPushGroup,
        FixKind::AzureStartJob,
        FixKind::AzureRestartJob,
        FixKind::AzureProvisionOnDemand,
    ];

    pub fn id(self) -> &'static str {
        match self {
            FixKind::SpManualSync => "sp.manual_sync",
            FixKind::SpReactivate => "sp.reactivate",
            FixKind::SpResendInvite => "sp.resend_invite",
            FixKind::OktaPushGroup => "okta.push_group",
            FixKind::AzureStartJob => "azure.start_job",
            FixKind::AzureRestartJob => "azure.restart_job",
            FixKind::AzureProvisionOnDemand => "azure.provision_on_demand",
        }
    }

    pub fn parse(id: &str) -> Option<FixKind> {
        FixKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// What the fix does, in a few words, for menus and confirmations.
    pub fn label(self) -> &'static str {
        match self {
            FixKind::SpManualSync => "Run a manual sync of the SSO connection",
            FixKind::SpReactivate => "Reactivate by adding to a team",
            FixKind::SpResendInvite => "Resend the invitation email",
            FixKind::OktaPushGroup => "Push the group from Okta",
            FixKind::AzureStartJob => "Start the Entra provisioning job",
            FixKind::AzureRestartJob => "Restart the quarantined Entra job",
            FixKind::AzureProvisionOnDemand => "Provision the user on demand in Entra",
        }
    }
}

impl fmt::Display for FixKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A user a fix acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub id: String,
    pub name: String,
}

/// An Okta group a push fix acts on, with its current mapping when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
    pub mapping_id: Option<String>,
    pub mapping_status: Option<String>,
}

/// The things a fix acts on. Findings about several users list them all; the agent (or
/// `--user`) picks which.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FixTarget {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub kind: FixKind,
    pub target: FixTarget,
}

/// One check's verdict on one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable check id, e.g. `okta.push_groups`.
    pub check: String,
    pub status: Status,
    /// One line.
    pub title: String,
    /// The explanation with its numbers (minutes, counts).
    pub detail: String,
    /// The items behind it: users, groups, jobs, one per line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Id of the article that explains it.
    pub faq: String,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(check: &str, status: Status, title: impl Into<String>, faq: &str) -> Finding {
        Finding {
            check: check.to_string(),
            status,
            title: title.into(),
            detail: String::new(),
            evidence: Vec::new(),
            faq: faq.to_string(),
            fix: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Finding {
        self.detail = detail.into();
        self
    }

    pub fn evidence(mut self, evidence: Vec<String>) -> Finding {
        self.evidence = evidence;
        self
    }

    pub fn fix(mut self, kind: FixKind, target: FixTarget) -> Finding {
        self.fix = Some(Fix { kind, target });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_order_puts_the_worst_last() {
        let mut s = vec![
            Status::Error,
            Status::Ok,
            Status::Warning,
            Status::Unavailable,
            Status::Info,
            Status::Skipped,
        ];
        s.sort();
        assert_eq!(
            s,
            [
                Status::Ok,
                Status::Skipped,
                Status::Info,
                Status::Warning,
                Status::Unavailable,
                Status::Error
            ]
        );
        assert!(Status::Unavailable.needs_attention());
        assert!(!Status::Info.needs_attention());
    }

    #[test]
    fn fix_kinds_round_trip_their_ids() {
        for k in FixKind::ALL {
            assert_eq!(FixKind::parse(k.id()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).expect("json"),
                format!("\"{}\"", k.id())
            );
        }
    }

    #[test]
    fn finding_json_has_the_documented_fields() {
        let f = Finding::new(
            "sp.last_sync",
            Status::Warning,
            "Last sync failed",
            "manual-sync-sso-connection",
        )
        .fix(FixKind::SpManualSync, FixTarget::default());
        let v = serde_json::to_value(&f).expect("json");
        assert_eq!(v["check"], "sp.last_sync");
        assert_eq!(v["status"], "warning");
        assert_eq!(v["fix"]["kind"], "sp.manual_sync");
        assert!(v["fix"]["target"].is_object());
        let none = Finding::new(
            "sp.duplicates",
            Status::Ok,
            "No duplicates",
            "no-duplicate-accounts",
        );
        assert!(serde_json::to_value(&none).expect("json")["fix"].is_null());
    }
}
