//! One tenant's state as plain data: what each API said, each call's result kept on its own
//! so partial data survives (the Okta app arrived, its mappings failed). The checks read this
//! and nothing else; `fetched_at` is their "now".

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde::Serialize;

use crate::http::{ApiError, HttpClient, Listing};
use crate::providers::graph::{AssignedUser, SyncJob};
use crate::providers::okta::{
    AppGroup, AppUser, OktaApp, OktaGroup, ProvisioningFeature, PushMapping,
};
use crate::providers::scim::{ScimProbe, ScimUser, ServiceProviderConfig};
use crate::providers::sp::{SpOrg, SpTeam, SpUser};
use crate::providers::{GraphClient, OktaClient, ScimClient, SpClient};
use crate::tenant::Tenant;

/// One call's outcome.
pub type Fetched<T> = Result<T, ApiError>;

/// A source the tenant may not have credentials for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", content = "data", rename_all = "snake_case")]
pub enum Source<T> {
    NotConfigured,
    Configured(T),
}

impl<T> Source<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Source::Configured(t) => Some(t),
            Source::NotConfigured => None,
        }
    }

    pub fn is_configured(&self) -> bool {
        matches!(self, Source::Configured(_))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub tenant: String,
    pub production: bool,
    /// When the fetch finished: "now" for every check.
    pub fetched_at: DateTime<Utc>,
    pub sp: Source<SpSnapshot>,
    pub okta: Source<OktaSnapshot>,
    pub azure: Source<AzureSnapshot>,
    pub scim: Source<ScimSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpSnapshot {
    pub org_id: String,
    pub org: Fetched<SpOrg>,
    /// Every user, all statuses.
    pub users: Fetched<Listing<SpUser>>,
    pub teams: Fetched<Vec<SpTeam>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OktaSnapshot {
    pub app_id: String,
    pub app: Fetched<OktaApp>,
    pub provisioning: Fetched<ProvisioningFeature>,
    pub push_mappings: Fetched<Listing<PushMapping>>,
    pub app_users: Fetched<Listing<AppUser>>,
    pub app_groups: Fetched<Listing<AppGroup>>,
    /// The source groups of the push mappings, looked up for their names (one result per
    /// mapping source group; empty when the mappings could not be read).
    pub mapping_groups: Vec<Fetched<OktaGroup>>,
}

impl OktaSnapshot {
    /// A group's name from the app groups or the mapping lookups.
    pub fn group_name(&self, id: &str) -> Option<&str> {
        let from_app = self.app_groups.as_ref().ok().and_then(|l| {
            l.iter()
                .find(|g| g.id.as_str() == id)
                .and_then(|g| g.name.as_deref())
        });
        from_app.or_else(|| {
            self.mapping_groups
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .find(|g| g.id.as_str() == id)
                .and_then(|g| g.name.as_deref())
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AzureSnapshot {
    pub service_principal_id: String,
    pub jobs: Fetched<Vec<SyncJob>>,
    /// Users in scope of the app (direct and one level of group), with addresses.
    pub assigned_users: Fetched<Listing<AssignedUser>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScimSnapshot {
    pub base_url: String,
    pub config: Fetched<ServiceProviderConfig>,
    /// `Err` only when no answer came at all (refused, timeout); any status is in the probe.
    pub probe: Fetched<ScimProbe>,
    pub users: Fetched<Listing<ScimUser>>,
}

impl Snapshot {
    /// Every error in the snapshot, for an "unavailable" summary.
    pub fn errors(&self) -> Vec<&ApiError> {
        let mut out: Vec<&ApiError> = Vec::new();
        if let Some(sp) = self.sp.get() {
            out.extend(sp.org.as_ref().err());
            out.extend(sp.users.as_ref().err());
            out.extend(sp.teams.as_ref().err());
        }
        if let Some(o) = self.okta.get() {
            out.extend(o.app.as_ref().err());
            out.extend(o.provisioning.as_ref().err());
            out.extend(o.push_mappings.as_ref().err());
            out.extend(o.app_users.as_ref().err());
            out.extend(o.app_groups.as_ref().err());
            out.extend(o.mapping_groups.iter().filter_map(|r| r.as_ref().err()));
        }
        if let Some(a) = self.azure.get() {
            out.extend(a.jobs.as_ref().err());
            out.extend(a.assigned_users.as_ref().err());
        }
        if let Some(s) = self.scim.get() {
            out.extend(s.config.as_ref().err());
            out.extend(s.probe.as_ref().err());
            out.extend(s.users.as_ref().err());
        }
        out
    }
}

/// The clients of one tenant, built once and reused (the Graph token cache lives here);
/// fixes use the same clients.
#[derive(Debug, Clone)]
pub struct TenantClients {
    pub tenant: String,
    pub production: bool,
    pub sp: SpClient,
    pub okta: Option<OktaClient>,
    pub graph: Option<GraphClient>,
    pub scim: Option<ScimClient>,
    scim_url: Option<String>,
}

impl TenantClients {
    pub fn new(http: &HttpClient, tenant: &Tenant) -> Self {
        Self {
            tenant: tenant.name.clone(),
            production: tenant.production,
            sp: SpClient::new(http, &tenant.name, &tenant.sp),
            okta: tenant
                .okta
                .as_ref()
                .map(|o| OktaClient::new(http, &tenant.name, o)),
            graph: tenant
                .azure
                .as_ref()
                .map(|a| GraphClient::new(http, &tenant.name, a)),
            scim: tenant
                .scim
                .as_ref()
                .map(|s| ScimClient::new(http, &tenant.name, s)),
            scim_url: tenant.scim.as_ref().map(|s| s.url.to_string()),
        }
    }

    /// Reads everything, independent calls concurrently (within the HTTP layer's per-host
    /// caps). Never fails as a whole: each call's error sits where its data would.
    pub async fn snapshot(&self) -> Snapshot {
        let (sp, okta, azure, scim) = tokio::join!(
            self.fetch_sp(),
            async {
                match &self.okta {
                    Some(c) => Source::Configured(fetch_okta(c).await),
                    None => Source::NotConfigured,
                }
            },
            async {
                match &self.graph {
                    Some(c) => Source::Configured(fetch_azure(c).await),
                    None => Source::NotConfigured,
                }
            },
            async {
                match &self.scim {
                    Some(c) => Source::Configured(
                        fetch_scim(c, self.scim_url.clone().unwrap_or_default()).await,
                    ),
                    None => Source::NotConfigured,
                }
            },
        );
        Snapshot {
            tenant: self.tenant.clone(),
            production: self.production,
            fetched_at: Utc::now(),
            sp: Source::Configured(sp),
            okta,
            azure,
            scim,
        }
    }

    async fn fetch_sp(&self) -> SpSnapshot {
        let (org, users, teams) = tokio::join!(self.sp.org(), self.sp.users(None), self.sp.teams());
        SpSnapshot {
            org_id: self.sp.org_id().to_string(),
            org,
            users,
            teams,
        }
    }
}

async fn fetch_okta(c: &OktaClient) -> OktaSnapshot {
    let mappings_and_groups = async {
        let mappings = c.push_mappings().await;
        let mut ids: Vec<String> = match &mappings {
            Ok(l) => l.iter().map(|m| m.source_group_id.to_string()).collect(),
            Err(_) => Vec::new(),
        };
        ids.sort();
        ids.dedup();
        let groups = join_all(ids.iter().map(|id| c.group(id))).await;
        (mappings, groups)
    };
    let (app, provisioning, (push_mappings, mapping_groups), app_users, app_groups) = tokio::join!(
        c.app(),
        c.user_provisioning(),
        mappings_and_groups,
        c.app_users(),
        c.app_groups(),
    );
    OktaSnapshot {
        app_id: c.app_id().to_string(),
        app,
        provisioning,
        push_mappings,
        app_users,
        app_groups,
        mapping_groups,
    }
}

async fn fetch_azure(c: &GraphClient) -> AzureSnapshot {
    let (jobs, assigned_users) = tokio::join!(c.jobs(), c.assigned_users());
    AzureSnapshot {
        service_principal_id: c.service_principal_id().to_string(),
        jobs,
        assigned_users,
    }
}

async fn fetch_scim(c: &ScimClient, base_url: String) -> ScimSnapshot {
    let (config, probe, users) = tokio::join!(c.service_provider_config(), c.probe(), c.users());
    ScimSnapshot {
        base_url,
        config,
        probe,
        users,
    }
}

/// Builds the clients and fetches once (for one-shot use; keep a [`TenantClients`] to reuse
/// the Graph token across refreshes).
pub async fn fetch(http: &HttpClient, tenant: &Tenant) -> Snapshot {
    TenantClients::new(http, tenant).snapshot().await
}
