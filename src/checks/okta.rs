//! Checks on the customer's Okta org: provisioning availability, Group Push, app users.

use std::collections::BTreeSet;

use super::util::{ago, capped, count, minutes_between, skipped, unavailable};
use super::{Finding, FixKind, FixTarget, GroupRef, Status};
use crate::providers::okta::{
    AppUser, AppUserStatus, FeatureStatus, MappingStatus, NotEnabledReason, ProvisioningFeature,
    PushMapping, SyncState,
};
use crate::snapshot::{OktaSnapshot, Snapshot};

/// Provisioning features that map to the Provisioning > To App switches.
const PUSH_SWITCHES: [(&str, &str); 3] = [
    ("PUSH_NEW_USERS", "create users"),
    ("PUSH_PROFILE_UPDATES", "update user attributes"),
    ("PUSH_USER_DEACTIVATION", "deactivate users"),
];
/// An app user out of sync or staged for longer than this is stuck, not just slow.
const STUCK_MINUTES: i64 = 60;

fn okta<'a>(snap: &'a Snapshot, check: &str, faq: &str) -> Result<&'a OktaSnapshot, Box<Finding>> {
    snap.okta
        .get()
        .ok_or_else(|| Box::new(skipped(check, faq, "Okta", "okta")))
}

pub fn provisioning(snap: &Snapshot) -> Finding {
    const ID: &str = "okta.provisioning";
    const FAQ: &str = "okta-provisioning-tab-missing";
    let o = match okta(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let label = o
        .app
        .as_ref()
        .ok()
        .map(|a| a.label.to_string())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| o.app_id.clone());
    let no_lcm = |why: String| {
        Finding::new(
            ID,
            Status::Error,
            format!("Provisioning is not available for the Okta app {label}"),
            FAQ,
        )
        .detail(format!(
            "{why} Without provisioning the app has no Provisioning tab and cannot use SCIM; \
             the org needs Okta Lifecycle Management and the app's provisioning set to SCIM."
        ))
    };
    match &o.provisioning {
        Ok(ProvisioningFeature::NotEnabled { reason, message }) => {
            let code = match reason {
                NotEnabledReason::AppProvisioningOff => "400 E0000001",
                NotEnabledReason::OrgFeatureMissing => "E0000015",
            };
            no_lcm(format!(
                "Okta's features API answered {code}: {}.",
                message.trim_end_matches('.')
            ))
        }
        Ok(ProvisioningFeature::Available(up)) => {
            if up.status != FeatureStatus::Enabled {
                return no_lcm("The USER_PROVISIONING feature is DISABLED.".to_string());
            }
            let off = up.disabled_capabilities();
            if off.is_empty() {
                Finding::new(
                    ID,
                    Status::Ok,
                    format!("Provisioning to {label} can create, update and deactivate users"),
                    FAQ,
                )
            } else {
                switched_off(ID, FAQ, &label, &off)
            }
        }
        // The features API is documented for a few catalog apps only; for others fall back
        // to the app's `features` list.
        Err(feature_err) => match &o.app {
            Err(e) => unavailable(ID, FAQ, "the Okta app", e),
            Ok(app) => {
                if app.provisioning_features().is_empty() {
                    return no_lcm(format!(
                        "The app lists no provisioning features (and the features API said: {}).",
                        feature_err.message
                    ));
                }
                let off: Vec<&str> = PUSH_SWITCHES
                    .iter()
                    .filter(|(f, _)| !app.has_feature(f))
                    .map(|(_, name)| *name)
                    .collect();
                if off.is_empty() {
                    Finding::new(
                        ID,
                        Status::Ok,
                        format!("Provisioning to {label} can create, update and deactivate users"),
                        FAQ,
                    )
                } else {
                    switched_off(ID, FAQ, &label, &off)
                }
            }
        },
    }
}

fn switched_off(id: &str, faq: &str, label: &str, off: &[&str]) -> Finding {
    Finding::new(
        id,
        Status::Warning,
        format!("Provisioning to {label} is on, but {} is off", off.join(", ")),
        faq,
    )
    .detail("Turn them on in the app's Provisioning > To App settings, or those changes never reach the SP.")
}

pub fn push_groups(snap: &Snapshot) -> Finding {
    const ID: &str = "okta.push_groups";
    const FAQ: &str = "okta-push-groups";
    const FAQ_ERRORS: &str = "okta-group-push-errors";
    const FAQ_SAME: &str = "okta-same-group-assign-and-push";
    let o = match okta(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let mappings = match &o.push_mappings {
        Ok(m) => &m.items,
        Err(e) => return unavailable(ID, FAQ, "Okta group push mappings", e),
    };
    let groups = match &o.app_groups {
        Ok(g) => &g.items,
        Err(e) => return unavailable(ID, FAQ, "the groups assigned to the Okta app", e),
    };
    // Group Push rides on provisioning: without it, pushing cannot work and is not offered.
    if let Ok(ProvisioningFeature::NotEnabled { .. }) = &o.provisioning {
        let assigned = o.app_groups.as_ref().map_or(0, |g| g.items.len());
        return Finding::new(
            ID,
            Status::Warning,
            "Group Push is unavailable: the app has no provisioning",
            FAQ,
        )
        .detail(format!(
            "Okta pushes groups only to apps with provisioning on; {} assigned to the app \
             will not reach their teams until okta.provisioning is resolved.",
            count(assigned, "group", "groups")
        ));
    }
    let name = |id: &str| o.group_name(id).unwrap_or(id).to_string();
    let group_ref = |id: &str, m: Option<&PushMapping>| GroupRef {
        id: id.to_string(),
        name: name(id),
        mapping_id: m.map(|m| m.id.to_string()),
        mapping_status: m.map(|m| mapping_status(&m.status)),
    };
    let pushed: BTreeSet<&str> = mappings
        .iter()
        .map(|m| m.source_group_id.as_str())
        .collect();

    let errored: Vec<&PushMapping> = mappings
        .iter()
        .filter(|m| m.status == MappingStatus::Error)
        .collect();
    let inactive: Vec<&PushMapping> = mappings
        .iter()
        .filter(|m| m.status == MappingStatus::Inactive)
        .collect();
    let unpushed: Vec<&str> = groups
        .iter()
        .map(|g| g.id.as_str())
        .filter(|id| !pushed.contains(id))
        .collect();
    let both: Vec<&str> = groups
        .iter()
        .map(|g| g.id.as_str())
        .filter(|id| pushed.contains(id))
        .collect();

    let mut evidence = Vec::new();
    let mut parts: Vec<(Status, String, &str)> = Vec::new();
    let mut fix_groups = Vec::new();
    if !errored.is_empty() {
        parts.push((
            Status::Error,
            format!(
                "{} in ERROR",
                count(errored.len(), "push mapping", "push mappings")
            ),
            FAQ_ERRORS,
        ));
        for m in &errored {
            let why = m
                .error_summary
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "no error summary".into());
            evidence.push(format!("{}: ERROR: {why}", name(&m.source_group_id)));
            fix_groups.push(group_ref(&m.source_group_id, Some(m)));
        }
    }
    if !unpushed.is_empty() {
        parts.push((
            Status::Warning,
            format!(
                "{} assigned to the app but not pushed",
                count(unpushed.len(), "group", "groups")
            ),
            FAQ,
        ));
        for id in &unpushed {
            evidence.push(format!("{}: assigned, no push mapping", name(id)));
            fix_groups.push(group_ref(id, None));
        }
    }
    if !both.is_empty() {
        parts.push((
            Status::Warning,
            format!(
                "{} used both to assign the app and to push",
                count(both.len(), "group", "groups")
            ),
            FAQ_SAME,
        ));
        for id in &both {
            evidence.push(format!(
                "{}: assigns the app and is pushed (Okta does not support this)",
                name(id)
            ));
        }
    }
    if !inactive.is_empty() {
        parts.push((
            Status::Info,
            format!(
                "{} INACTIVE",
                count(inactive.len(), "push mapping", "push mappings")
            ),
            FAQ,
        ));
        for m in &inactive {
            evidence.push(format!(
                "{}: INACTIVE, changes are not pushed",
                name(&m.source_group_id)
            ));
            fix_groups.push(group_ref(&m.source_group_id, Some(m)));
        }
    }
    if parts.is_empty() {
        return Finding::new(
            ID,
            Status::Ok,
            format!(
                "{} pushed and active",
                count(mappings.len(), "group is", "groups are")
            ),
            FAQ,
        );
    }
    // The worst condition names the finding and picks the article; the rest follow.
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    let (status, _, faq) = parts[0];
    let title = parts
        .iter()
        .map(|(_, t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut f = Finding::new(ID, status, title, faq)
        .detail(
            "Spekit teams come from groups Okta pushes: members of a group that is not pushed, \
             or whose push failed, never reach their team.",
        )
        .evidence(capped(evidence));
    if !fix_groups.is_empty() {
        f = f.fix(
            FixKind::OktaPushGroup,
            FixTarget {
                groups: fix_groups,
                ..FixTarget::default()
            },
        );
    }
    f
}

fn mapping_status(s: &MappingStatus) -> String {
    match s {
        MappingStatus::Active => "ACTIVE".into(),
        MappingStatus::Inactive => "INACTIVE".into(),
        MappingStatus::Error => "ERROR".into(),
        MappingStatus::Other(o) => o.to_string(),
    }
}

pub fn app_users(snap: &Snapshot) -> Finding {
    const ID: &str = "okta.app_users";
    const FAQ: &str = "okta-app-user-sync-errors";
    let o = match okta(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let users = match &o.app_users {
        Ok(u) => &u.items,
        Err(e) => return unavailable(ID, FAQ, "the Okta app's users", e),
    };
    let now = snap.fetched_at;
    let who = |u: &AppUser| u.login().unwrap_or(u.id.as_str()).to_string();
    // How long the user has been in its current state; unknown counts as stuck.
    let stuck_since = |u: &AppUser, t: Option<chrono::DateTime<chrono::Utc>>| {
        t.is_none_or(|t| minutes_between(t, now) > STUCK_MINUTES) && !u.id.is_empty()
    };
    let since = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| format!(" for {}", ago(t, now)))
            .unwrap_or_default()
    };

    // One line per user with every state that makes it stuck.
    let mut evidence: Vec<String> = Vec::new();
    let (mut errors, mut stuck) = (0usize, 0usize);
    for u in users.iter() {
        let mut states = Vec::new();
        let failed = u.sync_state == Some(SyncState::Error);
        if failed {
            states.push("sync ERROR".to_string());
        }
        let out_of_sync_at = u.last_updated.or(u.status_changed);
        if u.sync_state == Some(SyncState::OutOfSync) && stuck_since(u, out_of_sync_at) {
            states.push(format!("OUT_OF_SYNC{}", since(out_of_sync_at)));
        }
        let staged_at = u.status_changed.or(u.created);
        if u.status == AppUserStatus::Staged && stuck_since(u, staged_at) {
            states.push(format!("STAGED{}", since(staged_at)));
        }
        if states.is_empty() {
            continue;
        }
        if failed {
            errors += 1;
        } else {
            stuck += 1;
        }
        evidence.push(format!("{}: {}", who(u), states.join(", ")));
    }

    if errors > 0 {
        let mut title = format!(
            "{} failed to sync (ERROR)",
            count(errors, "app user", "app users")
        );
        if stuck > 0 {
            title.push_str(&format!(
                "; {} stuck for over an hour",
                count(stuck, "more", "more")
            ));
        }
        return Finding::new(ID, Status::Error, title, FAQ)
            .detail("Okta could not push these users; resolve them in the Admin Console's provisioning tasks, then retry.")
            .evidence(capped(evidence));
    }
    if stuck > 0 {
        return Finding::new(
            ID,
            Status::Warning,
            format!(
                "{} out of sync or staged for over an hour",
                count(stuck, "app user", "app users")
            ),
            FAQ,
        )
        .detail("Changes for these users have waited more than an hour to reach the SP.")
        .evidence(capped(evidence));
    }
    Finding::new(
        ID,
        Status::Ok,
        format!(
            "{} in sync",
            count(users.len(), "app user is", "app users are")
        ),
        FAQ,
    )
}
