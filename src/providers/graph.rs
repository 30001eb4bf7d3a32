//! Microsoft Graph: the service principal's synchronization jobs and actions, its app role
//! assignments, and user lookups. Auth is OAuth 2.0 client credentials against
//! `{login_url}/{tenant_id}/oauth2/v2.0/token`, cached until a minute before it expires.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::future::join_all;
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::de::{lenient_bool, lenient_i64, opt_text, opt_time, parse_iso_duration, string_enum};
use super::{PlannedCall, Sent};
use crate::http::{
    ApiError, ApiRequest, ApiResponse, ApiRoot, ErrorKind, HttpClient, Listing, Provider,
    RequestBody, RetryPolicy, resolve_next,
};
use crate::sanitize::SafeText;
use crate::secret::Secret;
use crate::tenant::AzureTenant;

string_enum!(
    /// `synchronizationStatus.code`
    JobCode {
        NotConfigured = "NotConfigured",
        NotRun = "NotRun",
        Active = "Active",
        Paused = "Paused",
        Quarantine = "Quarantine",
    }
);

string_enum!(
    /// `synchronizationSchedule.state`
    ScheduleState {
        Active = "Active",
        Disabled = "Disabled",
        Paused = "Paused",
    }
);

string_enum!(
    /// `synchronizationTaskExecution.state`
    ExecutionState {
        Succeeded = "Succeeded",
        Failed = "Failed",
        EntryLevelErrors = "EntryLevelErrors",
    }
);

string_enum!(
    /// `synchronizationQuarantine.reason`. The enum says `QuarantinedOnDemand`, the Entra
    /// troubleshooting page `QuarantineOnDemand`: both read as one value.
    QuarantineReason {
        EncounteredBaseEscrowThreshold = "EncounteredBaseEscrowThreshold",
        EncounteredTotalEscrowThreshold = "EncounteredTotalEscrowThreshold",
        EncounteredEscrowProportionThreshold = "EncounteredEscrowProportionThreshold",
        EncounteredQuarantineException = "EncounteredQuarantineException",
        Unknown = "Unknown",
        QuarantinedOnDemand = "QuarantinedOnDemand" | "QuarantineOnDemand",
        TooManyDeletes = "TooManyDeletes",
        IngestionInterrupted = "IngestionInterrupted",
    }
);

/// A provisioning job of the service principal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct SyncJob {
    pub id: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub template_id: Option<SafeText>,
    #[serde(default)]
    pub schedule: Option<SyncSchedule>,
    #[serde(default)]
    pub status: Option<SyncStatus>,
}

impl SyncJob {
    pub fn code(&self) -> Option<&JobCode> {
        self.status.as_ref().map(|s| &s.code)
    }

    /// When the last run without errors ended; `None` when it never did.
    pub fn last_success_end(&self) -> Option<DateTime<Utc>> {
        self.status
            .as_ref()?
            .last_successful_execution
            .as_ref()?
            .time_ended
    }

    /// The schedule's interval, when it is a real one (not the "never" sentinel).
    pub fn interval_secs(&self) -> Option<u64> {
        self.schedule.as_ref()?.interval_secs
    }

    pub fn quarantine(&self) -> Option<&Quarantine> {
        self.status.as_ref()?.quarantine.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct SyncSchedule {
    #[serde(default)]
    pub state: Option<ScheduleState>,
    /// The raw ISO-8601 interval, e.g. `PT40M`.
    #[serde(default, deserialize_with = "opt_text")]
    pub interval: Option<SafeText>,
    /// `interval` in seconds; none for the TimeSpan.MaxValue sentinel or an unreadable value.
    #[serde(skip_deserializing)]
    pub interval_secs: Option<u64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub expiration: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct SyncStatus {
    pub code: JobCode,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub count_successive_complete_failures: Option<i64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub escrows_pruned: Option<bool>,
    #[serde(default)]
    pub last_execution: Option<TaskExecution>,
    #[serde(default)]
    pub last_successful_execution: Option<TaskExecution>,
    #[serde(default)]
    pub last_successful_execution_with_exports: Option<TaskExecution>,
    #[serde(default)]
    pub quarantine: Option<Quarantine>,
    #[serde(default, deserialize_with = "opt_time")]
    pub steady_state_first_achieved_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub steady_state_last_achieved_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_text")]
    pub troubleshooting_url: Option<SafeText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct TaskExecution {
    #[serde(default)]
    pub state: Option<ExecutionState>,
    #[serde(default, deserialize_with = "opt_time")]
    pub time_began: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub time_ended: Option<DateTime<Utc>>,
    #[serde(default)]
    pub error: Option<SyncError>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub count_exported: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub count_escrowed: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub count_entitled: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct SyncError {
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<SafeText>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub tenant_actionable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct Quarantine {
    #[serde(default)]
    pub reason: Option<QuarantineReason>,
    #[serde(default, deserialize_with = "opt_time")]
    pub current_began: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub next_attempt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub series_began: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub series_count: Option<i64>,
    #[serde(default)]
    pub error: Option<SyncError>,
}

/// Reads the "never" sentinels as none: an execution whose times are both sentinels did not
/// happen, and the TimeSpan.MaxValue interval is no interval.
fn normalise(mut job: SyncJob) -> SyncJob {
    if let Some(s) = job.schedule.as_mut() {
        s.interval_secs = s.interval.as_deref().and_then(parse_iso_duration);
    }
    if let Some(st) = job.status.as_mut() {
        for e in [
            &mut st.last_execution,
            &mut st.last_successful_execution,
            &mut st.last_successful_execution_with_exports,
        ] {
            if e.as_ref()
                .is_some_and(|x| x.time_began.is_none() && x.time_ended.is_none())
            {
                *e = None;
            }
        }
    }
    job
}

/// One rule of the job's schema (`provisionOnDemand` needs its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct SyncRule {
    pub id: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub source_directory_name: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub target_directory_name: Option<SafeText>,
}

/// Who may use the app: a user, a group or a service principal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct AppRoleAssignment {
    #[serde(default)]
    pub id: SafeText,
    pub principal_id: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub principal_display_name: Option<SafeText>,
    /// `User`, `Group` or `ServicePrincipal`.
    #[serde(default)]
    pub principal_type: SafeText,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_date_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct GraphUser {
    pub id: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub user_principal_name: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub mail: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub display_name: Option<SafeText>,
}

/// A user in scope of the app, directly or through a group assignment (Entra provisions
/// direct members of assigned groups only; nested groups are not followed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignedUser {
    pub user: GraphUser,
    /// `None` for a direct assignment, else the assigned group's display name or id.
    pub via_group: Option<SafeText>,
}

impl AssignedUser {
    /// Addresses to match against the SP: `mail` and the UPN.
    pub fn addresses(&self) -> Vec<&str> {
        [
            self.user.mail.as_deref(),
            self.user.user_principal_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

/// What `provisionOnDemand` reported (its `key` and `value` are JSON inside strings).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct OnDemandResult {
    /// `Success`, `Skipped`, `Failure`...
    pub result: Option<SafeText>,
    pub error_code: Option<SafeText>,
    pub error_message: Option<SafeText>,
    /// Create, Update, ...
    pub action: Option<SafeText>,
    pub steps: Vec<OnDemandStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnDemandStep {
    pub name: Option<SafeText>,
    pub status: Option<SafeText>,
    pub description: Option<SafeText>,
}

impl OnDemandResult {
    pub fn succeeded(&self) -> bool {
        self.result
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("success"))
    }

    /// Parses the answer; `key`/`value` may be JSON strings (documented) or objects.
    pub fn from_answer(v: &Value) -> Self {
        let inner = |field: &str| -> Value {
            match v.get(field) {
                Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
                Some(other) => other.clone(),
                None => Value::Null,
            }
        };
        let key = inner("key");
        let value = inner("value");
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(SafeText::new)
        };
        let status_info = value.get("statusInfo");
        let details = key.get("details");
        Self {
            result: text(key.get("result"))
                .or_else(|| text(status_info.and_then(|s| s.get("status")))),
            error_code: text(details.and_then(|d| d.get("errorCode")))
                .or_else(|| text(status_info.and_then(|s| s.get("errorCode")))),
            error_message: text(details.and_then(|d| d.get("errorMessage")))
                .or_else(|| text(status_info.and_then(|s| s.get("reason")))),
            action: text(value.get("action")),
            steps: value
                .get("provisioningSteps")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|s| OnDemandStep {
                            name: text(s.get("name")),
                            status: text(s.get("status")),
                            description: text(s.get("description")),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Scope sent with a restart when the caller gives none: what the portal's "Restart
/// provisioning" clears (idp-apis.md 2.2).
pub const DEFAULT_RESET_SCOPE: &str = "Watermark, Escrows, QuarantineState";

/// Client-credentials token cache; one refresh at a time.
#[derive(Debug)]
struct GraphAuth {
    root: ApiRoot,
    tenant_id: String,
    client_id: String,
    secret: Secret,
    cache: tokio::sync::Mutex<Option<(Secret, Instant)>>,
}

/// Refresh this long before the token expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct TokenWire {
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    expires_in: Option<i64>,
}

impl GraphAuth {
    async fn token(&self, http: &HttpClient) -> Result<Secret, ApiError> {
        let mut cache = self.cache.lock().await;
        if let Some((tok, until)) = cache.as_ref()
            && Instant::now() < *until
        {
            return Ok(tok.clone());
        }
        let url = self
            .root
            .url(&[self.tenant_id.as_str(), "oauth2", "v2.0", "token"]);
        let form = vec![
            ("client_id".to_string(), Secret::new(self.client_id.clone())),
            ("client_secret".to_string(), self.secret.clone()),
            (
                "scope".to_string(),
                Secret::new("https://graph.microsoft.com/.default"),
            ),
            ("grant_type".to_string(), Secret::new("client_credentials")),
        ];
        // Asking for a token again is harmless, so this POST may be retried.
        let req = self
            .root
            .request(Method::POST, url, None)
            .with_body(RequestBody::Form(form))
            .with_retry(RetryPolicy::Safe);
        let resp = http.send(&req).await?;
        let (tok, lifetime) = decode_token(&resp)?;
        let keep = lifetime.checked_sub(TOKEN_MARGIN).unwrap_or(lifetime / 2);
        // A hostile `expires_in` must not overflow the clock: keep it a day at most.
        let until = Instant::now() + keep.min(Duration::from_secs(24 * 3600));
        *cache = Some((tok.clone(), until));
        Ok(tok)
    }

    async fn forget(&self) {
        *self.cache.lock().await = None;
    }
}

/// Microsoft Graph client for one tenant's service principal. Clones share the token cache.
#[derive(Debug, Clone)]
pub struct GraphClient {
    http: HttpClient,
    root: ApiRoot,
    sp_id: String,
    auth: Arc<GraphAuth>,
}

/// User lookups made for group members and direct assignments, at most.
const MAX_USER_LOOKUPS: usize = 1000;

impl GraphClient {
    pub fn new(http: &HttpClient, tenant: &str, cfg: &AzureTenant) -> Self {
        Self {
            http: http.clone(),
            root: ApiRoot::new(tenant, Provider::Graph, &cfg.graph_url),
            sp_id: cfg.service_principal_id.clone(),
            auth: Arc::new(GraphAuth {
                root: ApiRoot::new(tenant, Provider::Login, &cfg.login_url),
                tenant_id: cfg.tenant_id.clone(),
                client_id: cfg.client_id.clone(),
                secret: cfg.client_secret.clone(),
                cache: tokio::sync::Mutex::new(None),
            }),
        }
    }

    pub fn service_principal_id(&self) -> &str {
        &self.sp_id
    }

    fn jobs_url(&self, tail: &[&str]) -> Url {
        let mut segs = vec![
            "servicePrincipals",
            self.sp_id.as_str(),
            "synchronization",
            "jobs",
        ];
        segs.extend_from_slice(tail);
        self.root.url(&segs)
    }

    /// A request without its token (for plans); [`Self::send`] adds the token.
    fn req(&self, method: Method, url: Url) -> ApiRequest {
        self.root.request(method, url, None)
    }

    /// Sends with a fresh-enough token. A 401 drops the cached token; a read is then tried
    /// once more with a new one (the token may have been revoked early).
    async fn send(&self, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
        let mut req = req.clone();
        let mut tried_fresh = false;
        loop {
            req.auth = Some(self.auth.token(&self.http).await?);
            let resp = self.http.execute(&req).await?;
            if resp.status == 401 {
                self.auth.forget().await;
                if !tried_fresh && req.retry == RetryPolicy::Safe {
                    tried_fresh = true;
                    continue;
                }
            }
            return resp.ok();
        }
    }

    async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        first: Url,
    ) -> Result<Listing<T>, ApiError> {
        let mut url = first;
        let origin = url.clone();
        let mut out = Listing::default();
        loop {
            let resp = self.send(&self.req(Method::GET, url.clone())).await?;
            let (items, next) = odata_page::<T>(&resp)?;
            out.items.extend(items);
            out.pages += 1;
            let Some(next) = next else {
                return Ok(out);
            };
            if !crate::http::same_origin(&origin, &next) {
                return Err(resp.ctx.error(
                    ErrorKind::Request,
                    "the @odata.nextLink points to another host; not following it",
                ));
            }
            if out.pages >= self.http.options().max_pages {
                out.truncated = true;
                return Ok(out);
            }
            if next == url {
                return Err(resp.ctx.error(
                    ErrorKind::Decode,
                    "the @odata.nextLink repeats the current page",
                ));
            }
            url = next;
        }
    }

    /// `GET /servicePrincipals/{id}/synchronization/jobs`
    pub async fn jobs(&self) -> Result<Vec<SyncJob>, ApiError> {
        let l: Listing<SyncJob> = self.pages(self.jobs_url(&[])).await?;
        Ok(l.items.into_iter().map(normalise).collect())
    }

    /// `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}`
    pub async fn job(&self, job_id: &str) -> Result<SyncJob, ApiError> {
        let resp = self
            .send(&self.req(Method::GET, self.jobs_url(&[job_id])))
            .await?;
        decode_job(&resp)
    }

    fn start_request(&self, job_id: &str) -> ApiRequest {
        self.req(Method::POST, self.jobs_url(&[job_id, "start"]))
    }

    pub fn plan_start_job(&self, job_id: &str) -> PlannedCall {
        PlannedCall::of(&self.with_plan_auth(self.start_request(job_id)))
    }

    /// `POST .../jobs/{jobId}/start` (204). For paused or quarantined jobs only: Microsoft
    /// warns against calling it on a running job.
    pub async fn start_job(&self, job_id: &str) -> Result<Sent, ApiError> {
        let resp = self.send(&self.start_request(job_id)).await?;
        resp.expect_ack()?;
        Ok(Sent::of(&resp))
    }

    fn restart_request(&self, job_id: &str, reset_scope: &str) -> ApiRequest {
        self.req(Method::POST, self.jobs_url(&[job_id, "restart"]))
            .with_body(RequestBody::Json(
                json!({ "criteria": { "resetScope": reset_scope } }),
            ))
    }

    pub fn plan_restart_job(&self, job_id: &str, reset_scope: &str) -> PlannedCall {
        PlannedCall::of(&self.with_plan_auth(self.restart_request(job_id, reset_scope)))
    }

    /// `POST .../jobs/{jobId}/restart` `{"criteria":{"resetScope": ...}}` (204), e.g.
    /// [`DEFAULT_RESET_SCOPE`].
    pub async fn restart_job(&self, job_id: &str, reset_scope: &str) -> Result<Sent, ApiError> {
        let resp = self
            .send(&self.restart_request(job_id, reset_scope))
            .await?;
        resp.expect_ack()?;
        Ok(Sent::of(&resp))
    }

    /// `GET .../jobs/{jobId}/schema`: the synchronization rules.
    pub async fn rules(&self, job_id: &str) -> Result<Vec<SyncRule>, ApiError> {
        let resp = self
            .send(&self.req(Method::GET, self.jobs_url(&[job_id, "schema"])))
            .await?;
        decode_rules(&resp)
    }

    fn on_demand_request(
        &self,
        job_id: &str,
        rule_id: &str,
        object_id: &str,
        object_type: &str,
    ) -> ApiRequest {
        let body = json!({ "parameters": [ {
            "ruleId": rule_id,
            "subjects": [ { "objectId": object_id, "objectTypeName": object_type } ]
        } ] });
        self.req(Method::POST, self.jobs_url(&[job_id, "provisionOnDemand"]))
            .with_body(RequestBody::Json(body))
    }

    pub fn plan_provision_on_demand(
        &self,
        job_id: &str,
        rule_id: &str,
        object_id: &str,
        object_type: &str,
    ) -> PlannedCall {
        PlannedCall::of(&self.with_plan_auth(self.on_demand_request(
            job_id,
            rule_id,
            object_id,
            object_type,
        )))
    }

    /// `POST .../jobs/{jobId}/provisionOnDemand` for one user (`object_type` `User`) or group.
    /// Graph allows 5 of these per 10 s; a 429 is not retried here.
    pub async fn provision_on_demand(
        &self,
        job_id: &str,
        rule_id: &str,
        object_id: &str,
        object_type: &str,
    ) -> Result<(Sent, OnDemandResult), ApiError> {
        let resp = self
            .send(&self.on_demand_request(job_id, rule_id, object_id, object_type))
            .await?;
        Ok((Sent::of(&resp), decode_on_demand(&resp)?))
    }

    /// `GET /servicePrincipals/{id}/appRoleAssignedTo`, every page.
    pub async fn app_role_assignments(&self) -> Result<Listing<AppRoleAssignment>, ApiError> {
        let url = self.root.url(&[
            "servicePrincipals",
            self.sp_id.as_str(),
            "appRoleAssignedTo",
        ]);
        self.pages(url).await
    }

    /// `GET /users/{id}?$select=id,userPrincipalName,mail,displayName`
    pub async fn user(&self, id: &str) -> Result<GraphUser, ApiError> {
        let mut url = self.root.url(&["users", id]);
        url.query_pairs_mut()
            .append_pair("$select", "id,userPrincipalName,mail,displayName");
        decode_user(&self.send(&self.req(Method::GET, url)).await?)
    }

    /// `GET /groups/{id}/members?$select=...`, every page (direct members only; non-user
    /// members are dropped).
    pub async fn group_members(&self, group_id: &str) -> Result<Listing<GraphUser>, ApiError> {
        let mut url = self.root.url(&["groups", group_id, "members"]);
        url.query_pairs_mut()
            .append_pair("$select", "id,userPrincipalName,mail,displayName");
        let l: Listing<Value> = self.pages(url).await?;
        Ok(Listing {
            items: user_members(l.items),
            pages: l.pages,
            truncated: l.truncated,
        })
    }

    /// Everyone the app is assigned to, with addresses: direct user assignments are looked up,
    /// assigned groups are expanded one level. A user deleted since (404) is left out.
    pub async fn assigned_users(&self) -> Result<Listing<AssignedUser>, ApiError> {
        let assignments = self.app_role_assignments().await?;
        let mut truncated = assignments.truncated;
        let users: Vec<&AppRoleAssignment> = assignments
            .iter()
            .filter(|a| a.principal_type.eq_ignore_ascii_case("User"))
            .collect();
        let groups: Vec<&AppRoleAssignment> = assignments
            .iter()
            .filter(|a| a.principal_type.eq_ignore_ascii_case("Group"))
            .collect();
        if users.len() > MAX_USER_LOOKUPS {
            truncated = true;
        }
        let lookups = join_all(
            users
                .iter()
                .take(MAX_USER_LOOKUPS)
                .map(|a| self.user(&a.principal_id)),
        );
        let expansions = join_all(groups.iter().map(|g| self.group_members(&g.principal_id)));
        let (lookups, expansions) = futures::join!(lookups, expansions);
        let mut out = Vec::new();
        for r in lookups {
            match r {
                Ok(user) => out.push(AssignedUser {
                    user,
                    via_group: None,
                }),
                Err(e) if e.is_status(404) => {}
                Err(e) => return Err(e),
            }
        }
        for (g, r) in groups.iter().zip(expansions) {
            let members = r?;
            truncated |= members.truncated;
            let via = g
                .principal_display_name
                .clone()
                .unwrap_or_else(|| g.principal_id.clone());
            for user in members.items {
                if !out.iter().any(|a| a.user.id == user.id) {
                    out.push(AssignedUser {
                        user,
                        via_group: Some(via.clone()),
                    });
                }
            }
        }
        Ok(Listing {
            items: out,
            pages: assignments.pages,
            truncated,
        })
    }

    /// Plans show a Bearer placeholder: the real token is only fetched when sending.
    fn with_plan_auth(&self, mut req: ApiRequest) -> ApiRequest {
        req.auth = Some(Secret::new("Bearer <token>"));
        req
    }
}

#[derive(Deserialize)]
struct ODataPage<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

// The decoders, one per answer. Public so that they can be fuzzed as they run.

/// One OData page: its `value` and the `@odata.nextLink`, resolved.
fn odata_page<T: serde::de::DeserializeOwned>(
    resp: &ApiResponse,
) -> Result<(Vec<T>, Option<Url>), ApiError> {
    let page: ODataPage<T> = resp.json()?;
    let next = page.next_link.and_then(|n| resolve_next(&resp.url, &n));
    Ok((page.value, next))
}

/// The token endpoint's answer: the `Authorization` value and how long it lives.
pub fn decode_token(resp: &ApiResponse) -> Result<(Secret, Duration), ApiError> {
    let w: TokenWire = resp.json()?;
    let Some(access) = w.access_token.filter(|t| !t.is_empty()) else {
        return Err(resp.decode_error("the token answer has no access_token"));
    };
    let lifetime = Duration::from_secs(w.expires_in.unwrap_or(0).max(0) as u64);
    Ok((Secret::new(format!("Bearer {access}")), lifetime))
}

/// One page of `GET .../synchronization/jobs`, sentinels read as none.
pub fn decode_jobs_page(resp: &ApiResponse) -> Result<(Vec<SyncJob>, Option<Url>), ApiError> {
    let (jobs, next) = odata_page::<SyncJob>(resp)?;
    Ok((jobs.into_iter().map(normalise).collect(), next))
}

/// `GET .../synchronization/jobs/{jobId}`
pub fn decode_job(resp: &ApiResponse) -> Result<SyncJob, ApiError> {
    resp.json().map(normalise)
}

/// `GET .../jobs/{jobId}/schema`: the synchronization rules.
pub fn decode_rules(resp: &ApiResponse) -> Result<Vec<SyncRule>, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Schema {
        #[serde(default)]
        synchronization_rules: Vec<SyncRule>,
    }
    Ok(resp.json::<Schema>()?.synchronization_rules)
}

/// One page of `GET /servicePrincipals/{id}/appRoleAssignedTo`.
pub fn decode_assignments_page(
    resp: &ApiResponse,
) -> Result<(Vec<AppRoleAssignment>, Option<Url>), ApiError> {
    odata_page(resp)
}

/// `GET /users/{id}`
pub fn decode_user(resp: &ApiResponse) -> Result<GraphUser, ApiError> {
    resp.json()
}

/// One page of `GET /groups/{id}/members`: the members that are users.
pub fn decode_members_page(resp: &ApiResponse) -> Result<(Vec<GraphUser>, Option<Url>), ApiError> {
    let (items, next) = odata_page::<Value>(resp)?;
    Ok((user_members(items), next))
}

/// Group members that are users; other members (devices, groups) and unreadable ones are
/// left out.
fn user_members(items: Vec<Value>) -> Vec<GraphUser> {
    items
        .into_iter()
        .filter(|v| {
            v.get("@odata.type")
                .and_then(Value::as_str)
                .is_none_or(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"))
        })
        .filter_map(|v| serde_json::from_value::<GraphUser>(v).ok())
        .collect()
}

/// The answer of `provisionOnDemand`.
pub fn decode_on_demand(resp: &ApiResponse) -> Result<OnDemandResult, ApiError> {
    let v: Value = resp.json()?;
    Ok(OnDemandResult::from_answer(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_job_with_sentinels() {
        let v = json!({"id":"scim.1","templateId":"scim",
            "schedule":{"expiration":null,"interval":"P10675199DT2H48M5.4775807S","state":"Disabled"},
            "status":{"code":"Paused","countSuccessiveCompleteFailures":0,"escrowsPruned":false,
              "lastExecution":null,
              "lastSuccessfulExecution":{"state":"Succeeded","timeBegan":"0001-01-01T00:00:00Z","timeEnded":"0001-01-01T00:00:00Z"},
              "quarantine":null,
              "steadyStateFirstAchievedTime":"0001-01-01T00:00:00Z",
              "steadyStateLastAchievedTime":"0001-01-01T00:00:00Z"}});
        let job = normalise(serde_json::from_value(v).expect("decodes"));
        assert_eq!(job.code(), Some(&JobCode::Paused));
        assert_eq!(
            job.schedule.as_ref().and_then(|s| s.state.clone()),
            Some(ScheduleState::Disabled)
        );
        assert_eq!(job.interval_secs(), None);
        assert_eq!(job.last_success_end(), None);
        assert!(
            job.status
                .as_ref()
                .is_some_and(|s| s.last_successful_execution.is_none())
        );
    }

    #[test]
    fn quarantined_job_reads_both_spellings() {
        for reason in ["QuarantinedOnDemand", "QuarantineOnDemand"] {
            let v = json!({"id":"scim.2","schedule":{"interval":"PT40M","state":"Active"},
                "status":{"code":"Quarantine","quarantine":{"reason":reason,"nextAttempt":"2026-12-01T00:00:00Z"},
                "lastSuccessfulExecution":{"state":"Succeeded","timeBegan":"2026-11-29T08:00:00Z","timeEnded":"2026-11-29T08:05:00.1234567Z"}}});
            let job = normalise(serde_json::from_value(v).expect("decodes"));
            assert_eq!(job.interval_secs(), Some(2400));
            assert_eq!(
                job.quarantine().and_then(|q| q.reason.clone()),
                Some(QuarantineReason::QuarantinedOnDemand)
            );
            assert!(job.last_success_end().is_some());
        }
    }

    #[test]
    fn on_demand_answer_is_parsed_twice() {
        let key = json!({"result":"Failure","details":{"errorCode":"SchemaAttributeNotFound","errorMessage":"no such attribute"}}).to_string();
        let value = json!({"action":"Create","provisioningSteps":[{"name":"EntryImport","status":"Success","description":"Retrieved"}],"statusInfo":{"status":"Failure"}}).to_string();
        let r = OnDemandResult::from_answer(&json!({"@odata.context":"x","key":key,"value":value}));
        assert_eq!(r.result.as_deref(), Some("Failure"));
        assert_eq!(r.error_code.as_deref(), Some("SchemaAttributeNotFound"));
        assert_eq!(r.action.as_deref(), Some("Create"));
        assert_eq!(r.steps.len(), 1);
        assert!(!r.succeeded());
        // Objects instead of strings, and garbage, do not break it.
        let r =
            OnDemandResult::from_answer(&json!({"key":{"result":"Success"},"value":"{not json"}));
        assert!(r.succeeded());
        assert!(OnDemandResult::from_answer(&json!(null)).result.is_none());
    }
}
