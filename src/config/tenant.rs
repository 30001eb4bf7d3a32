//! `[[tenants]]`: one customer org as a support agent sees it. The shape is an interface other
//! tools write, so its keys stay exactly as documented in the README.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    pub name: String,
    /// Fixes on a production tenant need its name typed to confirm.
    #[serde(default)]
    pub production: bool,
    #[serde(default)]
    pub read_only: bool,
    /// Per-tenant colour cue (a colour name or `#rrggbb`).
    pub accent: Option<String>,
    pub sp: SpConfig,
    pub okta: Option<OktaConfig>,
    pub azure: Option<AzureConfig>,
    pub scim: Option<ScimConfig>,
}

/// The service provider's admin API for this org.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpConfig {
    pub url: String,
    pub org: String,
    pub token_env: Option<String>,
    /// A literal token: only accepted from a file nobody else can read.
    pub token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OktaConfig {
    pub url: String,
    pub app_id: String,
    /// Names the variable holding an SSWS API token.
    pub token_env: Option<String>,
    pub token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureConfig {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret_env: Option<String>,
    pub client_secret: Option<String>,
    /// Object id of the enterprise app's service principal (not the appId).
    pub service_principal_id: String,
    #[serde(default = "default_graph_url")]
    pub graph_url: String,
    #[serde(default = "default_login_url")]
    pub login_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScimConfig {
    pub url: String,
    pub token_env: Option<String>,
    pub token: Option<String>,
}

fn default_graph_url() -> String {
    "https://graph.microsoft.com/v1.0".to_string()
}

fn default_login_url() -> String {
    "https://login.microsoftonline.com".to_string()
}
