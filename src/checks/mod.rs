//! Diagnostics: pure functions from a tenant's snapshot to findings. No I/O happens here;
//! "now" is `Snapshot::fetched_at`, so every rule is tested with hand-built snapshots.

pub mod azure;
mod catalog;
mod cross;
mod finding;
mod okta;
mod scim;
mod sp;
mod util;

pub use catalog::{CATALOG, CheckInfo};
pub use finding::{Finding, Fix, FixKind, FixTarget, GroupRef, Status, TeamRef, UserRef};
pub use sp::workspace_problems;

use crate::snapshot::Snapshot;

/// A check: one finding for one snapshot.
pub type CheckFn = fn(&Snapshot) -> Finding;

/// Every check, in the order reports list them (IdP first, then SP, then cross-checks).
pub const CHECKS: &[(&str, CheckFn)] = &[
    ("okta.provisioning", okta::provisioning),
    ("okta.push_groups", okta::push_groups),
    ("okta.app_users", okta::app_users),
    ("azure.sync_lag", azure::sync_lag),
    ("azure.job_state", azure::job_state),
    ("scim.endpoint", scim::endpoint),
    ("sp.pending_users", sp::pending_users),
    ("sp.deactivated_jit", sp::deactivated_jit),
    ("sp.default_team", sp::default_team_check),
    ("sp.duplicates", sp::duplicates),
    ("sp.single_org", sp::single_org),
    ("sp.workspace_name", sp::workspace_name),
    ("sp.sso_setup", sp::sso_setup),
    ("sp.last_sync", sp::last_sync),
    ("sp.salesforce_sync", sp::salesforce_sync),
    ("sp.login_methods", sp::login_methods),
    ("cross.missing_users", cross::missing_users),
];

/// Runs every check: one finding per check id.
pub fn run_all(snap: &Snapshot) -> Vec<Finding> {
    CHECKS.iter().map(|(_, check)| check(snap)).collect()
}

/// Runs the checks whose ids are given (unknown ids are ignored).
pub fn run_some(snap: &Snapshot, ids: &[String]) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter(|(id, _)| ids.iter().any(|i| i == id))
        .map(|(_, check)| check(snap))
        .collect()
}

#[cfg(test)]
mod tests;

/// Findings and targets for other modules' unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::{Finding, FixKind, FixTarget, Status, UserRef};

    pub fn user(id: &str) -> UserRef {
        UserRef {
            id: id.into(),
            email: format!("{id}@x.test"),
        }
    }

    pub fn target(users: &[&str]) -> FixTarget {
        FixTarget {
            users: users.iter().map(|u| user(u)).collect(),
            ..FixTarget::default()
        }
    }

    /// An `sp.deactivated_jit` finding naming these users in its reactivate fix.
    pub fn jit_finding(status: Status, users: &[&str]) -> Finding {
        let f = Finding::new("sp.deactivated_jit", status, "t", "reactivate-jit-users");
        if users.is_empty() {
            return f;
        }
        f.fix(FixKind::SpReactivate, target(users))
    }
}
