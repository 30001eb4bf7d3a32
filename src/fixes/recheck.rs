//! Before and after: did the fix make the finding go away for what it targeted?

use serde::Serialize;

use crate::checks::{Finding, FixTarget, Status};

#[derive(Debug, Clone, Serialize)]
pub struct Recheck {
    pub check: String,
    pub before: Finding,
    pub after: Finding,
    pub passed: bool,
}

impl Recheck {
    pub fn new(before: Finding, after: Finding, fixed: &FixTarget) -> Recheck {
        let passed = recheck_passed(&before, &after, fixed);
        Recheck {
            check: before.check.clone(),
            before,
            after,
            passed,
        }
    }
}

/// Passed when the finding is gone (ok or skipped), when it dropped below warning, or when
/// none of the users, groups or job the fix acted on is still named by the finding (a finding
/// about several users stays while others remain; that is not this fix failing).
pub fn recheck_passed(before: &Finding, after: &Finding, fixed: &FixTarget) -> bool {
    if matches!(after.status, Status::Ok | Status::Skipped) {
        return true;
    }
    if after.status == Status::Unavailable {
        return false;
    }
    if before.status.needs_attention() && !after.status.needs_attention() {
        return true;
    }
    let Some(fix) = &after.fix else {
        return after.status < before.status;
    };
    let still = &fix.target;
    let user_left = fixed
        .users
        .iter()
        .any(|u| still.users.iter().any(|s| s.id == u.id));
    let group_left = fixed
        .groups
        .iter()
        .any(|g| still.groups.iter().any(|s| s.id == g.id));
    let job_left = fixed.job_id.is_some() && fixed.job_id == still.job_id;
    let targeted = !fixed.users.is_empty() || !fixed.groups.is_empty() || fixed.job_id.is_some();
    targeted && !(user_left || group_left || job_left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::{jit_finding as finding, target};

    #[test]
    fn ok_after_passes() {
        assert!(recheck_passed(
            &finding(Status::Info, &["a"]),
            &finding(Status::Ok, &[]),
            &target(&["a"])
        ));
    }

    #[test]
    fn fixed_user_gone_passes_even_if_others_remain() {
        let before = finding(Status::Info, &["a", "b"]);
        let after = finding(Status::Info, &["b"]);
        assert!(recheck_passed(&before, &after, &target(&["a"])));
        assert!(!recheck_passed(&before, &before.clone(), &target(&["a"])));
    }

    #[test]
    fn dropping_below_warning_passes() {
        let before = finding(Status::Warning, &["a"]);
        let after = finding(Status::Info, &["a"]);
        assert!(recheck_passed(&before, &after, &target(&["a"])));
    }

    #[test]
    fn unavailable_after_fails() {
        let before = finding(Status::Warning, &["a"]);
        let after = Finding::new(
            "sp.deactivated_jit",
            Status::Unavailable,
            "x",
            "reactivate-jit-users",
        );
        assert!(!recheck_passed(&before, &after, &target(&["a"])));
    }
}
