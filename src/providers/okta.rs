//! Okta Management API: the app, its `USER_PROVISIONING` feature, group push mappings, app
//! users and app groups. Auth is `Authorization: SSWS <token>`; lists follow `Link: rel="next"`.

use chrono::{DateTime, Utc};
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::de::{lenient_i64, opt_text, opt_time, string_enum};
use super::{PlannedCall, Sent};
use crate::http::{
    ApiError, ApiRequest, ApiResponse, ApiRoot, HttpClient, Listing, Provider, RequestBody,
    resolve_next,
};
use crate::sanitize::SafeText;
use crate::secret::Secret;
use crate::tenant::OktaTenant;

/// Page size asked for (Okta caps app users at 500, mappings at 1000).
const PAGE_LIMIT: &str = "200";

string_enum!(
    /// `ENABLED` / `DISABLED` of a feature or capability.
    FeatureStatus {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
    }
);

string_enum!(
    /// A group push mapping's state.
    MappingStatus {
        Active = "ACTIVE",
        Inactive = "INACTIVE",
        Error = "ERROR",
    }
);

string_enum!(
    /// AppUser `status` (Okta's `AppUserStatus`).
    AppUserStatus {
        Staged = "STAGED",
        Provisioned = "PROVISIONED",
        Active = "ACTIVE",
        Pending = "PENDING",
        Inactive = "INACTIVE",
        Suspended = "SUSPENDED",
        Deprovisioned = "DEPROVISIONED",
        Approved = "APPROVED",
        Revoked = "REVOKED",
        Imported = "IMPORTED",
        Matched = "MATCHED",
        Unassigned = "UNASSIGNED",
        Implicit = "IMPLICIT",
    }
);

string_enum!(
    /// AppUser `syncState`.
    SyncState {
        Disabled = "DISABLED",
        OutOfSync = "OUT_OF_SYNC",
        Syncing = "SYNCING",
        Synchronized = "SYNCHRONIZED",
        Error = "ERROR",
    }
);

string_enum!(
    /// How a user got the app: directly or through a group.
    AssignmentScope {
        User = "USER",
        Group = "GROUP",
    }
);

/// The app instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct OktaApp {
    pub id: SafeText,
    #[serde(default)]
    pub name: SafeText,
    #[serde(default)]
    pub label: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub sign_on_mode: Option<SafeText>,
    /// Read-only capability list (`PUSH_NEW_USERS`, `GROUP_PUSH`, `SCIM_PROVISIONING`, ...);
    /// absent and `null` read as empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub features: Vec<SafeText>,
}

/// The `features` values that mean Okta provisions users to the app.
pub const PROVISIONING_FEATURES: &[&str] = &[
    "PUSH_NEW_USERS",
    "PUSH_PROFILE_UPDATES",
    "PUSH_USER_DEACTIVATION",
    "REACTIVATE_USERS",
    "PUSH_PASSWORD_UPDATES",
    "PUSH_PENDING_USERS",
    "GROUP_PUSH",
    "SCIM_PROVISIONING",
];

impl OktaApp {
    /// The app's features that belong to provisioning to the app ("To App").
    pub fn provisioning_features(&self) -> Vec<&str> {
        self.features
            .iter()
            .map(SafeText::as_str)
            .filter(|f| PROVISIONING_FEATURES.contains(f))
            .collect()
    }

    pub fn has_feature(&self, name: &str) -> bool {
        self.features.iter().any(|f| f.as_str() == name)
    }
}

fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// The answer of `GET /api/v1/apps/{id}/features/USER_PROVISIONING`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ProvisioningFeature {
    /// The feature object (its own `status` may still be `DISABLED`).
    Available(UserProvisioning),
    /// Okta refused: provisioning is not turned on for this app (400 `E0000001`), or the org
    /// lacks the feature (`E0000015`; unconfirmed reading). Other errors, such as a 404 for an
    /// app type without the Features API, stay errors.
    NotEnabled {
        reason: NotEnabledReason,
        message: SafeText,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotEnabledReason {
    /// 400 `E0000001` "Provisioning is not enabled for the app instance."
    AppProvisioningOff,
    /// `E0000015` "You do not have permission to access the feature you are requesting"
    /// (org-level; likely no Lifecycle Management).
    OrgFeatureMissing,
}

/// The `USER_PROVISIONING` feature, capabilities flattened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserProvisioning {
    pub status: FeatureStatus,
    pub description: Option<SafeText>,
    /// `capabilities.create.lifecycleCreate.status`
    pub create: Option<FeatureStatus>,
    /// `capabilities.update.profile.status`
    pub update_profile: Option<FeatureStatus>,
    /// `capabilities.update.lifecycleDeactivate.status`
    pub deactivate: Option<FeatureStatus>,
    /// `capabilities.update.password.status`
    pub password: Option<FeatureStatus>,
}

impl UserProvisioning {
    fn from_value(v: &Value) -> Option<Self> {
        let status_at = |path: &[&str]| -> Option<FeatureStatus> {
            let mut cur = v;
            for p in path {
                cur = cur.get(p)?;
            }
            cur.as_str().map(FeatureStatus::parse)
        };
        Some(Self {
            status: status_at(&["status"])?,
            description: v
                .get("description")
                .and_then(Value::as_str)
                .map(SafeText::new),
            create: status_at(&["capabilities", "create", "lifecycleCreate", "status"]),
            update_profile: status_at(&["capabilities", "update", "profile", "status"]),
            deactivate: status_at(&["capabilities", "update", "lifecycleDeactivate", "status"]),
            password: status_at(&["capabilities", "update", "password", "status"]),
        })
    }

    /// Names of the create/update/deactivate switches that are not enabled.
    pub fn disabled_capabilities(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (name, s) in [
            ("create users", &self.create),
            ("update user attributes", &self.update_profile),
            ("deactivate users", &self.deactivate),
        ] {
            if !matches!(s, Some(FeatureStatus::Enabled)) {
                out.push(name);
            }
        }
        out
    }
}

/// A group push mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct PushMapping {
    pub id: SafeText,
    pub source_group_id: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub target_group_id: Option<SafeText>,
    pub status: MappingStatus,
    /// Set when the latest push failed (Okta sends `""` otherwise).
    #[serde(default, deserialize_with = "opt_text")]
    pub error_summary: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_push: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created: Option<DateTime<Utc>>,
}

/// One user's assignment to the app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppUser {
    /// The Okta user id.
    pub id: SafeText,
    /// The user's id in the target app; empty for SSO-only assignments.
    pub external_id: Option<SafeText>,
    pub status: AppUserStatus,
    pub sync_state: Option<SyncState>,
    pub scope: Option<AssignmentScope>,
    /// `credentials.userName`
    pub user_name: Option<SafeText>,
    /// `profile.email`
    pub email: Option<SafeText>,
    pub status_changed: Option<DateTime<Utc>>,
    pub last_updated: Option<DateTime<Utc>>,
    pub last_sync: Option<DateTime<Utc>>,
    pub created: Option<DateTime<Utc>>,
}

impl AppUser {
    /// The address to match against the SP: `profile.email`, else the app user name.
    pub fn login(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or(self.user_name.as_deref())
            .filter(|s| !s.is_empty())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppUserWire {
    id: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    external_id: Option<SafeText>,
    status: AppUserStatus,
    #[serde(default)]
    sync_state: Option<SyncState>,
    #[serde(default)]
    scope: Option<AssignmentScope>,
    #[serde(default)]
    credentials: Option<CredentialsWire>,
    #[serde(default)]
    profile: Option<ProfileWire>,
    #[serde(default, deserialize_with = "opt_time")]
    status_changed: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    last_updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    last_sync: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    created: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsWire {
    #[serde(default, deserialize_with = "opt_text")]
    user_name: Option<SafeText>,
}

#[derive(Deserialize)]
struct ProfileWire {
    #[serde(default, deserialize_with = "opt_text")]
    email: Option<SafeText>,
}

impl From<AppUserWire> for AppUser {
    fn from(w: AppUserWire) -> Self {
        Self {
            id: w.id,
            external_id: w.external_id,
            status: w.status,
            sync_state: w.sync_state,
            scope: w.scope,
            user_name: w.credentials.and_then(|c| c.user_name),
            email: w.profile.and_then(|p| p.email),
            status_changed: w.status_changed,
            last_updated: w.last_updated,
            last_sync: w.last_sync,
            created: w.created,
        }
    }
}

/// A group assigned to the app (`expand=group` gives its name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppGroup {
    pub id: SafeText,
    pub name: Option<SafeText>,
    pub priority: Option<i64>,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppGroupWire {
    id: SafeText,
    #[serde(default, deserialize_with = "lenient_i64")]
    priority: Option<i64>,
    #[serde(default, deserialize_with = "opt_time")]
    last_updated: Option<DateTime<Utc>>,
    #[serde(default, rename = "_embedded")]
    embedded: Option<EmbeddedGroup>,
}

#[derive(Deserialize)]
struct EmbeddedGroup {
    #[serde(default)]
    group: Option<GroupWire>,
}

#[derive(Deserialize)]
struct GroupWire {
    id: SafeText,
    #[serde(default)]
    profile: Option<GroupProfileWire>,
}

#[derive(Deserialize)]
struct GroupProfileWire {
    #[serde(default, deserialize_with = "opt_text")]
    name: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<SafeText>,
}

/// An Okta group (`GET /api/v1/groups/{id}`), for mapping names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OktaGroup {
    pub id: SafeText,
    pub name: Option<SafeText>,
    pub description: Option<SafeText>,
}

/// Where a new push mapping pushes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushTarget {
    /// Create the group in the app (links it if one with that name exists).
    NewGroup(String),
    /// Link to an existing group in the app.
    ExistingGroup(String),
}

/// Okta Management API client for one tenant's app.
#[derive(Debug, Clone)]
pub struct OktaClient {
    http: HttpClient,
    root: ApiRoot,
    app_id: String,
    auth: Secret,
}

impl OktaClient {
    pub fn new(http: &HttpClient, tenant: &str, cfg: &OktaTenant) -> Self {
        Self {
            http: http.clone(),
            root: ApiRoot::new(tenant, Provider::Okta, &cfg.url),
            app_id: cfg.app_id.clone(),
            auth: Secret::new(format!("SSWS {}", cfg.token.expose())),
        }
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    fn url(&self, tail: &[&str]) -> Url {
        let mut segs = vec!["api", "v1", "apps", self.app_id.as_str()];
        segs.extend_from_slice(tail);
        self.root.url(&segs)
    }

    fn req(&self, method: Method, url: Url) -> ApiRequest {
        self.root.request(method, url, Some(self.auth.clone()))
    }

    /// `GET /api/v1/apps/{appId}`
    pub async fn app(&self) -> Result<OktaApp, ApiError> {
        decode_app(
            &self
                .http
                .send(&self.req(Method::GET, self.url(&[])))
                .await?,
        )
    }

    /// `GET /api/v1/apps/{appId}/features/USER_PROVISIONING`, with the "not enabled" answers
    /// turned into [`ProvisioningFeature::NotEnabled`].
    pub async fn user_provisioning(&self) -> Result<ProvisioningFeature, ApiError> {
        let req = self.req(Method::GET, self.url(&["features", "USER_PROVISIONING"]));
        decode_user_provisioning(&self.http.execute(&req).await?)
    }

    /// Every page of `GET {first}`, each decoded by `page`.
    async fn pages<T>(
        &self,
        first: Url,
        page: fn(&ApiResponse) -> Page<T>,
    ) -> Result<Listing<T>, ApiError> {
        self.http.paginate(self.req(Method::GET, first), page).await
    }

    /// `GET /api/v1/apps/{appId}/group-push/mappings`, every page.
    pub async fn push_mappings(&self) -> Result<Listing<PushMapping>, ApiError> {
        let mut url = self.url(&["group-push", "mappings"]);
        url.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        self.pages(url, decode_push_mappings_page).await
    }

    fn create_push_mapping_request(
        &self,
        source_group_id: &str,
        target: &PushTarget,
    ) -> ApiRequest {
        let mut body = json!({ "sourceGroupId": source_group_id, "status": "ACTIVE" });
        match target {
            PushTarget::NewGroup(name) => body["targetGroupName"] = json!(name),
            PushTarget::ExistingGroup(id) => body["targetGroupId"] = json!(id),
        }
        self.req(Method::POST, self.url(&["group-push", "mappings"]))
            .with_body(RequestBody::Json(body))
    }

    /// The call [`Self::create_push_mapping`] makes.
    pub fn plan_create_push_mapping(
        &self,
        source_group_id: &str,
        target: &PushTarget,
    ) -> PlannedCall {
        PlannedCall::of(&self.create_push_mapping_request(source_group_id, target))
    }

    /// `POST /api/v1/apps/{appId}/group-push/mappings` (status `ACTIVE`: Okta pushes at once).
    pub async fn create_push_mapping(
        &self,
        source_group_id: &str,
        target: &PushTarget,
    ) -> Result<(Sent, PushMapping), ApiError> {
        let resp = self
            .http
            .send(&self.create_push_mapping_request(source_group_id, target))
            .await?;
        Ok((Sent::of(&resp), decode_push_mapping(&resp)?))
    }

    fn set_mapping_status_request(&self, mapping_id: &str, status: &MappingStatus) -> ApiRequest {
        self.req(
            Method::PATCH,
            self.url(&["group-push", "mappings", mapping_id]),
        )
        .with_body(RequestBody::Json(json!({ "status": status.as_str() })))
    }

    pub fn plan_set_push_mapping_status(
        &self,
        mapping_id: &str,
        status: &MappingStatus,
    ) -> PlannedCall {
        PlannedCall::of(&self.set_mapping_status_request(mapping_id, status))
    }

    /// `PATCH /api/v1/apps/{appId}/group-push/mappings/{mappingId}` `{"status": ...}`.
    /// INACTIVE then ACTIVE pushes a mapping again.
    pub async fn set_push_mapping_status(
        &self,
        mapping_id: &str,
        status: &MappingStatus,
    ) -> Result<(Sent, PushMapping), ApiError> {
        let resp = self
            .http
            .send(&self.set_mapping_status_request(mapping_id, status))
            .await?;
        Ok((Sent::of(&resp), decode_push_mapping(&resp)?))
    }

    /// `GET /api/v1/apps/{appId}/users`, every page.
    pub async fn app_users(&self) -> Result<Listing<AppUser>, ApiError> {
        let mut url = self.url(&["users"]);
        url.query_pairs_mut().append_pair("limit", PAGE_LIMIT);
        self.pages(url, decode_app_users_page).await
    }

    /// `GET /api/v1/apps/{appId}/groups?expand=group`, every page.
    pub async fn app_groups(&self) -> Result<Listing<AppGroup>, ApiError> {
        let mut url = self.url(&["groups"]);
        url.query_pairs_mut()
            .append_pair("limit", PAGE_LIMIT)
            .append_pair("expand", "group");
        self.pages(url, decode_app_groups_page).await
    }

    /// `GET /api/v1/groups/{groupId}`
    pub async fn group(&self, group_id: &str) -> Result<OktaGroup, ApiError> {
        let url = self.root.url(&["api", "v1", "groups", group_id]);
        decode_group(&self.http.send(&self.req(Method::GET, url)).await?)
    }
}

// The decoders, one per answer. Public so that they can be fuzzed as they run.

/// The app (`GET /api/v1/apps/{appId}`).
pub fn decode_app(resp: &ApiResponse) -> Result<OktaApp, ApiError> {
    resp.json()
}

/// The `USER_PROVISIONING` feature, from an answer of any status: Okta's "not enabled"
/// refusals become [`ProvisioningFeature::NotEnabled`], other failures stay errors.
pub fn decode_user_provisioning(resp: &ApiResponse) -> Result<ProvisioningFeature, ApiError> {
    if !resp.is_success() {
        let err = resp.to_error();
        let summary = || {
            let mut parts = vec![err.message.as_str()];
            parts.extend(err.causes.iter().map(SafeText::as_str));
            SafeText::new(&parts.join(" "))
        };
        if err.is_status(400) && err.has_code("E0000001") {
            return Ok(ProvisioningFeature::NotEnabled {
                reason: NotEnabledReason::AppProvisioningOff,
                message: summary(),
            });
        }
        if err.has_code("E0000015") {
            return Ok(ProvisioningFeature::NotEnabled {
                reason: NotEnabledReason::OrgFeatureMissing,
                message: summary(),
            });
        }
        return Err(err);
    }
    let v: Value = resp.json()?;
    UserProvisioning::from_value(&v)
        .map(ProvisioningFeature::Available)
        .ok_or_else(|| resp.decode_error("the feature object has no `status`"))
}

/// One page of a list: its items and the next page's URL.
pub type Page<T> = Result<(Vec<T>, Option<Url>), ApiError>;

/// One page of an Okta list: the items, and the `Link: rel="next"` URL.
fn page_of<W, T>(resp: &ApiResponse) -> Page<T>
where
    W: serde::de::DeserializeOwned,
    T: From<W>,
{
    let items: Vec<W> = resp.json()?;
    let next = crate::http::link_next(&resp.headers).and_then(|n| resolve_next(&resp.url, &n));
    Ok((items.into_iter().map(T::from).collect(), next))
}

/// One page of `GET /api/v1/apps/{appId}/group-push/mappings`.
pub fn decode_push_mappings_page(resp: &ApiResponse) -> Page<PushMapping> {
    page_of::<PushMapping, PushMapping>(resp)
}

/// One page of `GET /api/v1/apps/{appId}/users`.
pub fn decode_app_users_page(resp: &ApiResponse) -> Page<AppUser> {
    page_of::<AppUserWire, AppUser>(resp)
}

/// One page of `GET /api/v1/apps/{appId}/groups?expand=group`.
pub fn decode_app_groups_page(resp: &ApiResponse) -> Page<AppGroup> {
    page_of::<AppGroupWire, AppGroup>(resp)
}

/// `GET /api/v1/groups/{groupId}`
pub fn decode_group(resp: &ApiResponse) -> Result<OktaGroup, ApiError> {
    resp.json::<GroupWire>().map(OktaGroup::from)
}

/// The mapping a create or status change answers with.
pub fn decode_push_mapping(resp: &ApiResponse) -> Result<PushMapping, ApiError> {
    resp.json()
}

impl From<AppGroupWire> for AppGroup {
    fn from(w: AppGroupWire) -> Self {
        Self {
            name: w
                .embedded
                .and_then(|e| e.group)
                .and_then(|g| g.profile)
                .and_then(|p| p.name),
            id: w.id,
            priority: w.priority,
            last_updated: w.last_updated,
        }
    }
}

impl From<GroupWire> for OktaGroup {
    fn from(w: GroupWire) -> Self {
        let (name, description) = w
            .profile
            .map(|p| (p.name, p.description))
            .unwrap_or((None, None));
        Self {
            id: w.id,
            name,
            description,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_object_flattens_capabilities() {
        let v = json!({"name":"USER_PROVISIONING","status":"ENABLED","description":"d",
            "capabilities":{"create":{"lifecycleCreate":{"status":"ENABLED"}},
            "update":{"profile":{"status":"ENABLED"},"lifecycleDeactivate":{"status":"DISABLED"},
            "password":{"status":"DISABLED","seed":"RANDOM","change":"KEEP_EXISTING"}}}});
        let f = UserProvisioning::from_value(&v).expect("parses");
        assert_eq!(f.status, FeatureStatus::Enabled);
        assert_eq!(f.deactivate, Some(FeatureStatus::Disabled));
        assert_eq!(f.disabled_capabilities(), vec!["deactivate users"]);
        assert!(UserProvisioning::from_value(&json!({"name":"x"})).is_none());
    }

    #[test]
    fn app_user_wire_reads_nested_fields() {
        let w: AppUserWire = serde_json::from_value(json!({
            "id":"00u1","externalId":"","status":"PROVISIONED","syncState":"ERROR","scope":"GROUP",
            "credentials":{"userName":"a@x"},"profile":{"email":"A@x\u{1b}[2J"},
            "statusChanged":"2026-01-01T00:00:00.000Z","lastSync":null}))
        .expect("decodes");
        let u = AppUser::from(w);
        assert_eq!(u.external_id, None);
        assert_eq!(u.sync_state, Some(SyncState::Error));
        assert_eq!(u.login(), Some("A@x"));
        assert!(u.status_changed.is_some() && u.last_sync.is_none());
    }

    #[test]
    fn app_features_null_is_empty() {
        let a: OktaApp =
            serde_json::from_value(json!({"id":"0oa1","features":null})).expect("decodes");
        assert!(a.features.is_empty() && a.provisioning_features().is_empty());
    }
}
