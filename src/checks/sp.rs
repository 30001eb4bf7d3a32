//! Checks on the service provider's own view of the org (the SP admin API).

use std::collections::BTreeMap;

use super::util::{ago, capped, count, skipped, unavailable};
use super::{Finding, FixKind, FixTarget, Status, TeamRef, UserRef};
use crate::providers::sp::{
    LoginMethod, ProvisionedBy, SalesforceSync, SpOrg, SpRole, SpTeam, SpUser, SpUserStatus,
    SsoState, SyncRunStatus,
};
use crate::snapshot::{Snapshot, SpSnapshot};

/// Pending longer than this is worth a nudge.
const PENDING_WARN_DAYS: i64 = 7;
/// The seed FAQ's workspace-name limit.
const WORKSPACE_MAX: usize = 63;

fn sp_or<'a>(snap: &'a Snapshot, check: &str, faq: &str) -> Result<&'a SpSnapshot, Box<Finding>> {
    snap.sp
        .get()
        .ok_or_else(|| Box::new(skipped(check, faq, "The SP admin API", "sp")))
}

fn org<'a>(snap: &'a Snapshot, check: &str, faq: &str) -> Result<&'a SpOrg, Box<Finding>> {
    let sp = sp_or(snap, check, faq)?;
    sp.org
        .as_ref()
        .map_err(|e| Box::new(unavailable(check, faq, "the org from the SP admin API", e)))
}

fn users<'a>(snap: &'a Snapshot, check: &str, faq: &str) -> Result<&'a [SpUser], Box<Finding>> {
    let sp = sp_or(snap, check, faq)?;
    sp.users
        .as_ref()
        .map(|l| l.items.as_slice())
        .map_err(|e| Box::new(unavailable(check, faq, "users from the SP admin API", e)))
}

fn user_ref(u: &SpUser) -> UserRef {
    UserRef {
        id: u.id.to_string(),
        email: u.email.to_string(),
    }
}

fn default_team(teams: &[SpTeam]) -> Option<&SpTeam> {
    teams.iter().find(|t| t.default)
}

pub fn pending_users(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.pending_users";
    const FAQ: &str = "users-pending-first-login";
    let users = match users(snap, ID, FAQ) {
        Ok(u) => u,
        Err(f) => return *f,
    };
    let now = snap.fetched_at;
    let mut pending: Vec<&SpUser> = users
        .iter()
        .filter(|u| u.status == SpUserStatus::Pending)
        .collect();
    if pending.is_empty() {
        return Finding::new(ID, Status::Ok, "No user is waiting for a first login", FAQ);
    }
    pending.sort_by_key(|u| u.created_at);
    // Stale means nobody has nudged them for a week: a resent invitation restarts the clock.
    let age_days = |u: &SpUser| {
        u.invited_at
            .or(u.created_at)
            .map(|t| now.signed_duration_since(t).num_days())
    };
    let stale: Vec<&SpUser> = pending
        .iter()
        .copied()
        .filter(|u| age_days(u).is_some_and(|d| d > PENDING_WARN_DAYS))
        .collect();
    let oldest = pending[0];
    let oldest_age = oldest
        .created_at
        .map(|t| ago(t, now))
        .unwrap_or_else(|| "an unknown time".into());
    let evidence = capped(
        pending
            .iter()
            .map(|u| {
                let since = match u.created_at {
                    Some(t) => format!("pending {}", ago(t, now)),
                    None => "pending, created date unknown".to_string(),
                };
                match u.invited_at {
                    Some(i) => format!("{} ({since}, invited {} ago)", u.email, ago(i, now)),
                    None => format!("{} ({since})", u.email),
                }
            })
            .collect(),
    );
    let fix_users = if stale.is_empty() { &pending } else { &stale };
    let target = FixTarget {
        users: fix_users.iter().map(|u| user_ref(u)).collect(),
        ..FixTarget::default()
    };
    let detail = format!(
        "{} provisioned but never logged in; the oldest, {}, has waited {}. A user stays \
         Pending until their first login, so they do not show in the Accepted list.",
        count(pending.len(), "user was", "users were"),
        oldest.email,
        oldest_age
    );
    let (status, title) = if stale.is_empty() {
        (
            Status::Info,
            format!(
                "{} waiting for a first login",
                count(pending.len(), "user", "users")
            ),
        )
    } else {
        (
            Status::Warning,
            format!(
                "{} pending for more than {PENDING_WARN_DAYS} days",
                count(stale.len(), "user", "users")
            ),
        )
    };
    Finding::new(ID, status, title, FAQ)
        .detail(detail)
        .evidence(evidence)
        .fix(FixKind::SpResendInvite, target)
}

pub fn deactivated_jit(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.deactivated_jit";
    const FAQ: &str = "reactivate-jit-users";
    let users = match users(snap, ID, FAQ) {
        Ok(u) => u,
        Err(f) => return *f,
    };
    let gone: Vec<&SpUser> = users
        .iter()
        .filter(|u| u.status == SpUserStatus::Deactivated && u.provisioned_by == ProvisionedBy::Jit)
        .collect();
    if gone.is_empty() {
        return Finding::new(ID, Status::Ok, "No deactivated JIT users", FAQ);
    }
    let team = sp_or(snap, ID, FAQ)
        .ok()
        .and_then(|sp| sp.teams.as_ref().ok())
        .and_then(|t| default_team(t))
        .map(|t| TeamRef {
            id: t.id.to_string(),
            name: t.name.to_string(),
        });
    let team_words = team
        .as_ref()
        .map(|t| format!("adds them to {}", t.name))
        .unwrap_or_else(|| "adds them to a team".into());
    Finding::new(
        ID,
        Status::Info,
        format!(
            "{} deactivated",
            count(
                gone.len(),
                "JIT-provisioned user is",
                "JIT-provisioned users are"
            )
        ),
        FAQ,
    )
    .detail(format!(
        "A deactivated JIT user comes back by joining any team; the fix {team_words}."
    ))
    .evidence(capped(gone.iter().map(|u| u.email.to_string()).collect()))
    .fix(
        FixKind::SpReactivate,
        FixTarget {
            users: gone.iter().map(|u| user_ref(u)).collect(),
            team,
            ..FixTarget::default()
        },
    )
}

pub fn default_team_check(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.default_team";
    const FAQ: &str = "new-user-default-team-role";
    let users = match users(snap, ID, FAQ) {
        Ok(u) => u,
        Err(f) => return *f,
    };
    let teams = match sp_or(snap, ID, FAQ).map(|sp| &sp.teams) {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return unavailable(ID, FAQ, "teams from the SP admin API", e),
        Err(f) => return *f,
    };
    let Some(default) = default_team(teams) else {
        return Finding::new(
            ID,
            Status::Warning,
            "No team is marked as the default team",
            FAQ,
        )
        .detail("New JIT and SCIM users should land in a default team (All Spekit Users).");
    };
    let mut evidence = Vec::new();
    let mut outside = 0;
    let mut wrong_role = 0;
    for u in users.iter().filter(|u| {
        matches!(u.provisioned_by, ProvisionedBy::Jit | ProvisionedBy::Scim)
            && u.status != SpUserStatus::Deactivated
    }) {
        let mut issues = Vec::new();
        if !u.teams.iter().any(|t| t.as_str() == default.id.as_str()) {
            outside += 1;
            issues.push(format!("not in {}", default.name));
        }
        if u.role != SpRole::Viewer {
            wrong_role += 1;
            issues.push(format!("role {}", role_name(&u.role)));
        }
        if !issues.is_empty() {
            evidence.push(format!("{}: {}", u.email, issues.join(", ")));
        }
    }
    if evidence.is_empty() {
        return Finding::new(
            ID,
            Status::Ok,
            format!("JIT and SCIM users are in {} as viewers", default.name),
            FAQ,
        );
    }
    let mut parts = Vec::new();
    if outside > 0 {
        parts.push(format!(
            "{} outside {}",
            count(outside, "user", "users"),
            default.name
        ));
    }
    if wrong_role > 0 {
        parts.push(format!(
            "{} not provisioned as viewer",
            count(wrong_role, "user", "users")
        ));
    }
    Finding::new(ID, Status::Warning, parts.join("; "), FAQ)
        .detail(format!(
            "New JIT and SCIM users land in {} with viewer permissions; these differ.",
            default.name
        ))
        .evidence(capped(evidence))
}

fn role_name(r: &SpRole) -> String {
    match r {
        SpRole::Viewer => "viewer".into(),
        SpRole::Editor => "editor".into(),
        SpRole::Admin => "admin".into(),
        SpRole::Other(s) => s.to_string(),
    }
}

pub fn duplicates(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.duplicates";
    const FAQ: &str = "no-duplicate-accounts";
    let users = match users(snap, ID, FAQ) {
        Ok(u) => u,
        Err(f) => return *f,
    };
    let mut by_email: BTreeMap<String, Vec<&SpUser>> = BTreeMap::new();
    for u in users {
        by_email.entry(u.email.to_lowercase()).or_default().push(u);
    }
    let dups: Vec<String> = by_email
        .values()
        .filter(|v| v.len() > 1)
        .map(|v| {
            v.iter()
                .map(|u| format!("{} ({}, {})", u.email, u.id, status_name(&u.status)))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .collect();
    if dups.is_empty() {
        return Finding::new(ID, Status::Ok, "No accounts share an email address", FAQ);
    }
    Finding::new(
        ID,
        Status::Warning,
        format!(
            "{} whose emails differ only by case",
            count(dups.len(), "pair of accounts", "sets of accounts")
        ),
        FAQ,
    )
    .detail("The SSO mapping step should have matched these to one account each.")
    .evidence(capped(dups))
}

fn status_name(s: &SpUserStatus) -> String {
    match s {
        SpUserStatus::Pending => "pending".into(),
        SpUserStatus::Accepted => "accepted".into(),
        SpUserStatus::Deactivated => "deactivated".into(),
        SpUserStatus::Other(o) => o.to_string(),
    }
}

pub fn single_org(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.single_org";
    const FAQ: &str = "one-production-org";
    let org = match org(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    match org.connected_org_count {
        Some(n) if n > 1 => Finding::new(
            ID,
            Status::Error,
            format!("The SSO/SCIM connection serves {n} production orgs"),
            FAQ,
        )
        .detail(
            "An IdP connection can serve only one production org; the others will not get users.",
        ),
        Some(_) => Finding::new(
            ID,
            Status::Ok,
            "The connection serves one production org",
            FAQ,
        ),
        None => Finding::new(
            ID,
            Status::Ok,
            "The SP reports no other org on this connection",
            FAQ,
        ),
    }
}

/// Why a workspace name breaks the rules, if it does.
pub fn workspace_problems(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.chars().any(char::is_uppercase) {
        out.push("has uppercase letters".to_string());
    }
    let len = name.chars().count();
    if len > WORKSPACE_MAX {
        out.push(format!(
            "is {len} characters long (at most {WORKSPACE_MAX})"
        ));
    }
    let special: Vec<String> = name
        .chars()
        .filter(|c| !(c.is_alphanumeric()))
        .map(|c| format!("`{c}`"))
        .fold(Vec::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        });
    if !special.is_empty() {
        out.push(format!("has special characters {}", special.join(" ")));
    }
    if name.is_empty() {
        out.push("is empty".to_string());
    }
    out
}

pub fn workspace_name(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.workspace_name";
    const FAQ: &str = "workspace-name-rules";
    let org = match org(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let problems = workspace_problems(&org.workspace);
    if problems.is_empty() {
        return Finding::new(
            ID,
            Status::Ok,
            format!("Workspace name `{}` follows the rules", org.workspace),
            FAQ,
        );
    }
    Finding::new(
        ID,
        Status::Error,
        format!("Workspace name `{}` {}", org.workspace, problems.join(", ")),
        FAQ,
    )
    .detail("Workspace names must be lowercase, at most 63 characters, with no special characters.")
}

pub fn sso_setup(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.sso_setup";
    const FAQ: &str = "sso-setup-failed-resume";
    let org = match org(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let idp = org
        .sso
        .idp
        .as_ref()
        .map(|i| format!(" with {i}"))
        .unwrap_or_default();
    match &org.sso.state {
        SsoState::Connected => Finding::new(ID, Status::Ok, format!("SSO is connected{idp}"), FAQ),
        SsoState::SetupInProgress => {
            let step = org
                .sso
                .setup_step
                .map(|s| format!(" at step {s}"))
                .unwrap_or_default();
            Finding::new(
                ID,
                Status::Info,
                format!("SSO setup{idp} is in progress{step}"),
                FAQ,
            )
            .detail(format!(
                "Setup can be resumed{step} from the Connect page; nothing entered so far is lost."
            ))
        }
        SsoState::Failed => {
            Finding::new(ID, Status::Warning, format!("SSO setup{idp} failed"), FAQ)
                .detail("Try the connection again; the progress made so far is kept.")
        }
        SsoState::NotConnected => Finding::new(ID, Status::Info, "SSO is not connected", FAQ),
        SsoState::Other(s) => Finding::new(ID, Status::Info, format!("SSO state is `{s}`"), FAQ),
    }
}

pub fn last_sync(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.last_sync";
    const FAQ: &str = "manual-sync-sso-connection";
    let org = match org(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let Some(sync) = &org.last_sync else {
        return Finding::new(
            ID,
            Status::Ok,
            "No manual sync has run on this connection",
            FAQ,
        );
    };
    let when = sync
        .at
        .map(|t| format!(" {} ago", ago(t, snap.fetched_at)))
        .unwrap_or_default();
    match &sync.status {
        SyncRunStatus::Succeeded => Finding::new(
            ID,
            Status::Ok,
            format!("The last manual sync succeeded{when}"),
            FAQ,
        ),
        SyncRunStatus::Running => Finding::new(
            ID,
            Status::Info,
            format!("A manual sync is running (started{when})"),
            FAQ,
        ),
        SyncRunStatus::Failed => {
            let error = sync
                .error
                .as_ref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            Finding::new(ID, Status::Warning, format!("The last manual sync failed{when}"), FAQ)
                .detail(format!(
                    "The sync of the SSO connection failed{error}. Run it again from the Connect page, or with the fix."
                ))
                .fix(FixKind::SpManualSync, FixTarget::default())
        }
        SyncRunStatus::Other(s) => Finding::new(
            ID,
            Status::Info,
            format!("The last manual sync is `{s}`"),
            FAQ,
        ),
    }
}

fn sso_connected(org: &SpOrg) -> bool {
    org.sso.state == SsoState::Connected
}

pub fn salesforce_sync(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.salesforce_sync";
    const FAQ: &str = "salesforce-sync-after-sso";
    let org = match org(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    if sso_connected(org) && org.salesforce_sync == SalesforceSync::Profiles {
        return Finding::new(
            ID,
            Status::Warning,
            "Salesforce still syncs user profiles although SSO is connected",
            FAQ,
        )
        .detail(
            "Once SSO is connected the Salesforce sync should bring metadata only; new users come through SSO.",
        );
    }
    Finding::new(ID, Status::Ok, "Salesforce sync matches the SSO setup", FAQ)
}

pub fn login_methods(snap: &Snapshot) -> Finding {
    const ID: &str = "sp.login_methods";
    const FAQ: &str = "login-methods-after-sso";
    let org = match org(snap, ID, FAQ) {
        Ok(o) => o,
        Err(f) => return *f,
    };
    let users = match users(snap, ID, FAQ) {
        Ok(u) => u,
        Err(f) => return *f,
    };
    if !sso_connected(org) {
        return Finding::new(
            ID,
            Status::Ok,
            "SSO is not connected; login methods are unchanged",
            FAQ,
        );
    }
    let legacy: Vec<&SpUser> = users
        .iter()
        .filter(|u| u.status != SpUserStatus::Deactivated)
        .filter(|u| {
            matches!(
                u.login_method,
                LoginMethod::Salesforce | LoginMethod::Password
            )
        })
        .collect();
    if legacy.is_empty() {
        return Finding::new(ID, Status::Ok, "Every active user logs in with SSO", FAQ);
    }
    let by = |m: LoginMethod| legacy.iter().filter(|u| u.login_method == m).count();
    let (sf, pw) = (by(LoginMethod::Salesforce), by(LoginMethod::Password));
    Finding::new(
        ID,
        Status::Info,
        format!(
            "{} still log in with Salesforce or a password",
            count(legacy.len(), "user", "users")
        ),
        FAQ,
    )
    .detail(format!(
        "{sf} with Salesforce, {pw} with a password. Accounts that existed before SSO keep their \
         login method; new users can only log in with SSO."
    ))
    .evidence(capped(
        legacy
            .iter()
            .map(|u| {
                let m = if u.login_method == LoginMethod::Salesforce {
                    "salesforce"
                } else {
                    "password"
                };
                format!("{} ({m})", u.email)
            })
            .collect(),
    ))
}
