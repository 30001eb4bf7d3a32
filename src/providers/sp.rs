//! The SP admin API (contract in `docs/sp-admin-api.yaml`): org, users, teams, manual sync,
//! team membership and invitations. Bearer token; errors `{"error":{"code","message"}}`;
//! users are paged with `cursor` / `next_cursor`.

use chrono::{DateTime, Utc};
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::de::{lenient_i64, opt_text, opt_time, string_enum};
use super::{PlannedCall, Sent};
use crate::http::{
    ApiError, ApiRequest, ApiResponse, ApiRoot, HttpClient, Listing, Provider, RequestBody,
};
use crate::sanitize::SafeText;
use crate::secret::Secret;
use crate::tenant::SpTenant;

string_enum!(SsoState {
    NotConnected = "not_connected",
    SetupInProgress = "setup_in_progress",
    Connected = "connected",
    Failed = "failed",
});

string_enum!(SyncRunStatus {
    Running = "running",
    Succeeded = "succeeded",
    Failed = "failed",
});

string_enum!(SalesforceSync {
    Profiles = "profiles",
    MetadataOnly = "metadata_only",
    Off = "off",
});

string_enum!(SpUserStatus {
    Pending = "pending",
    Accepted = "accepted",
    Deactivated = "deactivated",
});

string_enum!(ProvisionedBy {
    Jit = "jit",
    Scim = "scim",
    Invite = "invite",
    Salesforce = "salesforce",
});

string_enum!(LoginMethod {
    Sso = "sso",
    Salesforce = "salesforce",
    Password = "password",
});

string_enum!(SpRole {
    Viewer = "viewer",
    Editor = "editor",
    Admin = "admin",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpOrg {
    pub org: SafeText,
    /// Kept exactly as sent (only control characters removed): the workspace-name check
    /// looks at its case and punctuation.
    pub workspace: SafeText,
    #[serde(default)]
    pub production: bool,
    pub sso: SpSso,
    /// Production orgs this IdP connection serves.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub connected_org_count: Option<i64>,
    #[serde(default)]
    pub last_sync: Option<SpLastSync>,
    pub salesforce_sync: SalesforceSync,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpSso {
    #[serde(default, deserialize_with = "opt_text")]
    pub idp: Option<SafeText>,
    pub state: SsoState,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub setup_step: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub connected_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpLastSync {
    #[serde(default, deserialize_with = "opt_time")]
    pub at: Option<DateTime<Utc>>,
    pub status: SyncRunStatus,
    #[serde(default, deserialize_with = "opt_text")]
    pub error: Option<SafeText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpUser {
    pub id: SafeText,
    pub email: SafeText,
    #[serde(default)]
    pub name: SafeText,
    pub status: SpUserStatus,
    pub provisioned_by: ProvisionedBy,
    pub login_method: LoginMethod,
    /// Team ids.
    #[serde(default)]
    pub teams: Vec<SafeText>,
    pub role: SpRole,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the last invitation went out (an addition to the brief's table; optional).
    #[serde(default, deserialize_with = "opt_time")]
    pub invited_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpTeam {
    pub id: SafeText,
    pub name: SafeText,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub member_count: Option<i64>,
    #[serde(default)]
    pub default: bool,
}

/// `202` answer of `POST .../sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStarted {
    pub sync_id: SafeText,
    pub status: SyncRunStatus,
}

/// `GET .../sync/{sync_id}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRun {
    pub sync_id: SafeText,
    pub status: SyncRunStatus,
    #[serde(default, deserialize_with = "opt_time")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_text")]
    pub error: Option<SafeText>,
}

#[derive(Deserialize)]
struct UsersPage {
    users: Vec<SpUser>,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct TeamsPage {
    teams: Vec<SpTeam>,
}

/// SP admin API client for one org.
#[derive(Debug, Clone)]
pub struct SpClient {
    http: HttpClient,
    root: ApiRoot,
    org: String,
    auth: Secret,
}

impl SpClient {
    pub fn new(http: &HttpClient, tenant: &str, cfg: &SpTenant) -> Self {
        Self {
            http: http.clone(),
            root: ApiRoot::new(tenant, Provider::Sp, &cfg.url),
            org: cfg.org.clone(),
            auth: Secret::new(format!("Bearer {}", cfg.token.expose())),
        }
    }

    pub fn org_id(&self) -> &str {
        &self.org
    }

    fn url(&self, tail: &[&str]) -> Url {
        let mut segs = vec!["api", "v1", "orgs", self.org.as_str()];
        segs.extend_from_slice(tail);
        self.root.url(&segs)
    }

    fn req(&self, method: Method, url: Url) -> ApiRequest {
        self.root.request(method, url, Some(self.auth.clone()))
    }

    /// `GET /api/v1/orgs/{org}`
    pub async fn org(&self) -> Result<SpOrg, ApiError> {
        decode_org(
            &self
                .http
                .send(&self.req(Method::GET, self.url(&[])))
                .await?,
        )
    }

    /// `GET /api/v1/orgs/{org}/users[?status=]`, following `next_cursor`.
    pub async fn users(&self, status: Option<&SpUserStatus>) -> Result<Listing<SpUser>, ApiError> {
        let mut first = self.url(&["users"]);
        if let Some(s) = status {
            first.query_pairs_mut().append_pair("status", s.as_str());
        }
        let base = first.clone();
        self.http
            .paginate(self.req(Method::GET, first), move |resp| {
                let (users, cursor) = decode_users_page(resp)?;
                let next = cursor.map(|c| {
                    let mut u = base.clone();
                    u.query_pairs_mut().append_pair("cursor", &c);
                    u
                });
                Ok((users, next))
            })
            .await
    }

    /// `GET /api/v1/orgs/{org}/teams`
    pub async fn teams(&self) -> Result<Vec<SpTeam>, ApiError> {
        decode_teams(
            &self
                .http
                .send(&self.req(Method::GET, self.url(&["teams"])))
                .await?,
        )
    }

    fn start_sync_request(&self) -> ApiRequest {
        self.req(Method::POST, self.url(&["sync"]))
    }

    pub fn plan_start_sync(&self) -> PlannedCall {
        PlannedCall::of(&self.start_sync_request())
    }

    /// `POST /api/v1/orgs/{org}/sync` (202, running).
    pub async fn start_sync(&self) -> Result<(Sent, SyncStarted), ApiError> {
        let resp = self.http.send(&self.start_sync_request()).await?;
        Ok((Sent::of(&resp), decode_sync_started(&resp)?))
    }

    /// `GET /api/v1/orgs/{org}/sync/{sync_id}`
    pub async fn sync(&self, sync_id: &str) -> Result<SyncRun, ApiError> {
        decode_sync_run(
            &self
                .http
                .send(&self.req(Method::GET, self.url(&["sync", sync_id])))
                .await?,
        )
    }

    fn add_member_request(&self, team_id: &str, user_id: &str) -> ApiRequest {
        self.req(Method::POST, self.url(&["teams", team_id, "members"]))
            .with_body(RequestBody::Json(json!({ "user_id": user_id })))
    }

    pub fn plan_add_team_member(&self, team_id: &str, user_id: &str) -> PlannedCall {
        PlannedCall::of(&self.add_member_request(team_id, user_id))
    }

    /// `POST /api/v1/orgs/{org}/teams/{team_id}/members` `{"user_id"}`: also reactivates a
    /// deactivated JIT user.
    pub async fn add_team_member(&self, team_id: &str, user_id: &str) -> Result<Sent, ApiError> {
        let resp = self
            .http
            .send(&self.add_member_request(team_id, user_id))
            .await?;
        decode_member_added(&resp)?;
        Ok(Sent::of(&resp))
    }

    fn invite_request(&self, user_id: &str) -> ApiRequest {
        self.req(Method::POST, self.url(&["users", user_id, "invite"]))
    }

    pub fn plan_resend_invite(&self, user_id: &str) -> PlannedCall {
        PlannedCall::of(&self.invite_request(user_id))
    }

    /// `POST /api/v1/orgs/{org}/users/{user_id}/invite` (202).
    pub async fn resend_invite(&self, user_id: &str) -> Result<Sent, ApiError> {
        let resp = self.http.send(&self.invite_request(user_id)).await?;
        resp.expect_ack()?;
        Ok(Sent::of(&resp))
    }
}

// The decoders, one per answer. Public so that they can be fuzzed as they run.

/// `GET /api/v1/orgs/{org}`
pub fn decode_org(resp: &ApiResponse) -> Result<SpOrg, ApiError> {
    resp.json()
}

/// One page of `GET /api/v1/orgs/{org}/users`: the users and the next cursor, if any.
pub fn decode_users_page(resp: &ApiResponse) -> Result<(Vec<SpUser>, Option<String>), ApiError> {
    let page: UsersPage = resp.json()?;
    Ok((page.users, page.next_cursor.filter(|c| !c.is_empty())))
}

/// `GET /api/v1/orgs/{org}/teams`
pub fn decode_teams(resp: &ApiResponse) -> Result<Vec<SpTeam>, ApiError> {
    resp.json::<TeamsPage>().map(|p| p.teams)
}

/// The `202` answer of `POST .../sync`.
pub fn decode_sync_started(resp: &ApiResponse) -> Result<SyncStarted, ApiError> {
    resp.json()
}

/// `GET /api/v1/orgs/{org}/sync/{sync_id}`
pub fn decode_sync_run(resp: &ApiResponse) -> Result<SyncRun, ApiError> {
    resp.json()
}

/// The answer of `POST .../teams/{team_id}/members`: the user as it is now. Only its `id`
/// is required, so that a change to other fields cannot fail a reactivation that worked;
/// an answer that is not a user at all (a proxy's page, a cut body) leaves the outcome
/// unknown.
pub fn decode_member_added(resp: &ApiResponse) -> Result<SafeText, ApiError> {
    #[derive(Deserialize)]
    struct Ack {
        id: SafeText,
    }
    resp.json::<Ack>().map(|a| a.id)
}
