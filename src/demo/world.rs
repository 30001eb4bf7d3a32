//! The demo's state: every demo tenant's SP org, Okta app, Entra job and SCIM quirks, plus
//! the operations the write endpoints perform on it. Plain data behind one mutex; handlers
//! render it into each API's wire format.

use chrono::{DateTime, Duration as TimeDelta, Utc};

/// Everything the demo serves.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub started: DateTime<Utc>,
    /// One admin token for the SP admin API (a support agent's token covers every org).
    pub sp_token: String,
    pub tenants: Vec<DemoTenant>,
    pub next_id: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct DemoTenant {
    pub name: String,
    pub production: bool,
    pub accent: Option<String>,
    pub org: SpOrgW,
    pub okta: Option<OktaW>,
    pub graph: Option<GraphW>,
    pub scim: Option<ScimW>,
}

#[derive(Debug, Clone)]
pub(crate) struct SpOrgW {
    pub org: String,
    pub workspace: String,
    pub production: bool,
    pub sso_idp: Option<String>,
    pub sso_state: String,
    pub setup_step: Option<i64>,
    pub connected_at: Option<DateTime<Utc>>,
    pub connected_org_count: i64,
    pub last_sync: Option<LastSyncW>,
    pub salesforce_sync: String,
    pub users: Vec<SpUserW>,
    pub teams: Vec<TeamW>,
    pub syncs: Vec<SyncW>,
    /// (user id, when) for every invitation resent.
    pub invites: Vec<(String, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub(crate) struct LastSyncW {
    pub at: DateTime<Utc>,
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct SpUserW {
    pub id: String,
    pub email: String,
    pub name: String,
    pub status: String,
    pub provisioned_by: String,
    pub login_method: String,
    pub teams: Vec<String>,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub invited_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct TeamW {
    pub id: String,
    pub name: String,
    pub default: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SyncW {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct OktaW {
    pub token: String,
    pub app_id: String,
    pub app_name: String,
    pub app_label: String,
    pub created: DateTime<Utc>,
    /// `None`: provisioning is off, the features API answers 400 E0000001.
    pub provisioning: Option<ProvisioningW>,
    pub groups: Vec<OktaGroupW>,
    pub mappings: Vec<MappingW>,
    pub app_users: Vec<AppUserW>,
    pub rate: RateW,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ProvisioningW {
    pub create: bool,
    pub profile: bool,
    pub deactivate: bool,
    pub password: bool,
}

impl OktaW {
    /// The app's `features`, derived from the provisioning switches.
    pub fn features(&self) -> Vec<&'static str> {
        let Some(p) = self.provisioning else {
            return Vec::new();
        };
        let mut f = vec!["IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "GROUP_PUSH"];
        if p.create {
            f.push("PUSH_NEW_USERS");
        }
        if p.profile {
            f.push("PUSH_PROFILE_UPDATES");
        }
        if p.deactivate {
            f.push("PUSH_USER_DEACTIVATION");
            f.push("REACTIVATE_USERS");
        }
        if p.password {
            f.push("PUSH_PASSWORD_UPDATES");
        }
        f
    }
}

#[derive(Debug, Clone)]
pub(crate) struct OktaGroupW {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Assigned to the app (shows in `/apps/{id}/groups`).
    pub assigned: bool,
    pub priority: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct MappingW {
    pub id: String,
    pub source_group_id: String,
    pub target_group_id: String,
    pub status: String,
    pub error_summary: String,
    pub last_push: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct AppUserW {
    pub id: String,
    pub email: String,
    pub external_id: Option<String>,
    pub status: String,
    pub sync_state: String,
    pub scope: String,
    pub created: DateTime<Utc>,
    pub status_changed: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
    pub last_sync: Option<DateTime<Utc>>,
}

/// Okta's per-org rate limit: `limit` calls per `window`.
#[derive(Debug, Clone)]
pub(crate) struct RateW {
    pub limit: u64,
    pub window: std::time::Duration,
    pub window_start: DateTime<Utc>,
    pub used: u64,
    /// Calls answered 429 because the window was used up, since the limit was set.
    pub rejected: u64,
}

impl RateW {
    pub fn new(limit: u64, window: std::time::Duration, now: DateTime<Utc>) -> Self {
        Self {
            limit,
            window,
            window_start: whole_second(now),
            used: 0,
            rejected: 0,
        }
    }

    pub fn reset_at(&self) -> DateTime<Utc> {
        self.window_start + TimeDelta::from_std(self.window).unwrap_or_default()
    }

    /// Counts a call; `false` when the window is used up.
    pub fn take(&mut self, now: DateTime<Utc>) -> bool {
        if now >= self.reset_at() {
            self.window_start = whole_second(now);
            self.used = 0;
        }
        if self.used >= self.limit {
            self.rejected += 1;
            return false;
        }
        self.used += 1;
        true
    }

    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

/// Windows start on whole seconds, so the epoch-second `X-Rate-Limit-Reset` is exact.
fn whole_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

#[derive(Debug, Clone)]
pub(crate) struct GraphW {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub sp_id: String,
    pub rule_id: String,
    pub jobs: Vec<JobW>,
    pub users: Vec<GraphUserW>,
    pub groups: Vec<GraphGroupW>,
    pub assignments: Vec<AssignmentW>,
    /// Issued access tokens and their expiry.
    pub tokens: Vec<(String, DateTime<Utc>)>,
    /// provisionOnDemand calls, for Graph's 5-per-10-seconds limit.
    pub on_demand_calls: Vec<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct GraphUserW {
    pub id: String,
    pub upn: String,
    pub mail: String,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct GraphGroupW {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AssignmentW {
    pub id: String,
    pub principal_id: String,
    pub principal_type: String,
    pub display_name: String,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct JobW {
    pub id: String,
    pub template_id: String,
    pub code: String,
    pub schedule_state: String,
    pub interval: String,
    pub failures: i64,
    /// `None`: the field is `null`. An execution with no times is rendered with Graph's
    /// `0001-01-01T00:00:00Z` sentinel.
    pub last_execution: Option<ExecutionW>,
    pub last_success: Option<ExecutionW>,
    pub quarantine: Option<QuarantineW>,
    pub steady_first: Option<DateTime<Utc>>,
    pub steady_last: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct ExecutionW {
    pub state: String,
    pub began: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    pub error: Option<(String, String)>,
    pub exported: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct QuarantineW {
    pub reason: String,
    pub current_began: DateTime<Utc>,
    pub next_attempt: DateTime<Utc>,
    pub series_began: DateTime<Utc>,
    pub series_count: i64,
    pub error: (String, String),
}

/// How the demo's SCIM endpoint behaves for a tenant.
#[derive(Debug, Clone)]
pub(crate) struct ScimW {
    pub token: String,
    /// Answer 404 to a filter that matches nobody (the Entra quarantine cause).
    pub filter_404: bool,
    /// `totalResults`, `startIndex`, `itemsPerPage` as strings.
    pub string_counts: bool,
    /// Error `status` as a number (Okta's examples) instead of a string (the RFC).
    pub numeric_status: bool,
    pub content_type: &'static str,
}

impl World {
    pub fn tenant(&self, name: &str) -> Option<&DemoTenant> {
        self.tenants.iter().find(|t| t.name == name)
    }

    pub fn tenant_mut(&mut self, name: &str) -> Option<&mut DemoTenant> {
        self.tenants.iter_mut().find(|t| t.name == name)
    }

    pub fn org_mut(&mut self, org: &str) -> Option<&mut DemoTenant> {
        self.tenants.iter_mut().find(|t| t.org.org == org)
    }

    pub fn org(&self, org: &str) -> Option<&DemoTenant> {
        self.tenants.iter().find(|t| t.org.org == org)
    }

    pub fn next_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}", self.next_id)
    }

    /// Finishes the manual syncs whose time has come (they always succeed) and brings in
    /// the users the IdP provisioned but the SP lacks.
    pub fn settle(&mut self, now: DateTime<Utc>, delay: std::time::Duration) {
        let delay = TimeDelta::from_std(delay).unwrap_or_default();
        let mut counter = self.next_id;
        for t in &mut self.tenants {
            let mut finished = false;
            for s in &mut t.org.syncs {
                if s.status == "running" && s.started_at + delay <= now {
                    s.status = "succeeded".into();
                    s.finished_at = Some(now);
                    finished = true;
                    t.org.last_sync = Some(LastSyncW {
                        at: s.started_at,
                        status: "succeeded".into(),
                        error: None,
                    });
                }
            }
            if finished {
                provision_missing(t, now, &mut counter, Sources::All);
            }
        }
        self.next_id = counter;
    }
}

impl DemoTenant {
    pub fn default_team(&self) -> Option<&TeamW> {
        self.org.teams.iter().find(|t| t.default)
    }

    pub fn sp_has(&self, email: &str) -> bool {
        self.org
            .users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// Entra users in scope: direct user assignments and direct members of assigned groups.
    pub fn graph_in_scope(&self) -> Vec<&GraphUserW> {
        let Some(g) = &self.graph else {
            return Vec::new();
        };
        let mut ids: Vec<&str> = Vec::new();
        for a in &g.assignments {
            if a.principal_type == "User" {
                ids.push(&a.principal_id);
            } else if a.principal_type == "Group"
                && let Some(grp) = g.groups.iter().find(|x| x.id == a.principal_id)
            {
                ids.extend(grp.members.iter().map(String::as_str));
            }
        }
        g.users
            .iter()
            .filter(|u| ids.contains(&u.id.as_str()))
            .collect()
    }

    /// Adds a new SCIM-provisioned, pending user in the default team; returns its id.
    pub fn add_sp_user(
        &mut self,
        email: &str,
        name: &str,
        now: DateTime<Utc>,
        counter: &mut u64,
    ) -> String {
        *counter += 1;
        let id = format!("usr_{}_{:04}", self.org.org, *counter);
        let team = self.default_team().map(|t| t.id.clone());
        self.org.users.push(SpUserW {
            id: id.clone(),
            email: email.to_string(),
            name: name.to_string(),
            status: "pending".into(),
            provisioned_by: "scim".into(),
            login_method: "sso".into(),
            teams: team.into_iter().collect(),
            role: "viewer".into(),
            created_at: now,
            last_login_at: None,
            invited_at: Some(now),
        });
        id
    }
}

/// Which IdP a provisioning run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sources {
    All,
    Graph,
}

/// What a completed sync or provisioning cycle does: every user the IdP has provisioned
/// (Okta app users `ACTIVE`/`PROVISIONED`, Entra users in scope) appears in the SP.
pub(crate) fn provision_missing(
    t: &mut DemoTenant,
    now: DateTime<Utc>,
    counter: &mut u64,
    from: Sources,
) {
    let mut wanted: Vec<(String, String, Option<usize>)> = Vec::new();
    if let Some(o) = t.okta.as_ref().filter(|_| from == Sources::All) {
        for (i, u) in o.app_users.iter().enumerate() {
            if matches!(u.status.as_str(), "ACTIVE" | "PROVISIONED") {
                wanted.push((u.email.clone(), display_from_email(&u.email), Some(i)));
            }
        }
    }
    for u in t.graph_in_scope() {
        wanted.push((u.mail.clone(), u.display_name.clone(), None));
    }
    for (email, name, okta_index) in wanted {
        if t.sp_has(&email) {
            continue;
        }
        let id = t.add_sp_user(&email, &name, now, counter);
        if let (Some(i), Some(o)) = (okta_index, t.okta.as_mut())
            && let Some(u) = o.app_users.get_mut(i)
        {
            u.external_id = Some(id);
            u.last_sync = Some(now);
        }
    }
}

/// `dana.scully@x` -> `Dana Scully`.
pub(crate) fn display_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    local
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_counts_and_resets() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let mut r = RateW::new(2, std::time::Duration::from_secs(10), now);
        assert!(r.take(now) && r.take(now));
        assert!(!r.take(now + TimeDelta::seconds(9)));
        assert_eq!(r.remaining(), 0);
        assert!(r.take(now + TimeDelta::seconds(10)));
        assert_eq!(r.remaining(), 1);
    }

    #[test]
    fn names_from_emails() {
        assert_eq!(display_from_email("dana.scully@x.example"), "Dana Scully");
        assert_eq!(display_from_email("kim@x"), "Kim");
    }
}
