//! Runtime tenants: the `[[tenants]]` of the config with URLs checked and secrets read.
//!
//! Secrets come from the environment variables the config names (`token_env`,
//! `client_secret_env`). A literal `token`/`client_secret` in the file is accepted only when
//! nobody but the owner can read the file (unix mode `& 0o077 == 0`). The demo builds its
//! tenants directly with [`Tenant::new`] and friends.

use std::path::{Path, PathBuf};

use reqwest::Url;

use crate::config::{AzureConfig, Config, OktaConfig, ScimConfig, SpConfig, TenantConfig};
use crate::secret::Secret;

/// One customer org, ready for the provider clients. `Debug` redacts every secret; there is
/// deliberately no `Serialize`.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub name: String,
    pub production: bool,
    pub read_only: bool,
    pub accent: Option<String>,
    pub sp: SpTenant,
    pub okta: Option<OktaTenant>,
    pub azure: Option<AzureTenant>,
    pub scim: Option<ScimTenant>,
}

#[derive(Debug, Clone)]
pub struct SpTenant {
    pub url: Url,
    pub org: String,
    pub token: Secret,
}

#[derive(Debug, Clone)]
pub struct OktaTenant {
    pub url: Url,
    pub app_id: String,
    pub token: Secret,
}

#[derive(Debug, Clone)]
pub struct AzureTenant {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub service_principal_id: String,
    pub graph_url: Url,
    pub login_url: Url,
}

#[derive(Debug, Clone)]
pub struct ScimTenant {
    pub url: Url,
    pub token: Secret,
}

impl Tenant {
    /// A tenant with only its SP side; add the IdP parts with the `with_*` methods.
    pub fn new(name: impl Into<String>, sp: SpTenant) -> Self {
        Self {
            name: name.into(),
            production: false,
            read_only: false,
            accent: None,
            sp,
            okta: None,
            azure: None,
            scim: None,
        }
    }

    pub fn production(mut self, production: bool) -> Self {
        self.production = production;
        self
    }

    pub fn with_okta(mut self, okta: OktaTenant) -> Self {
        self.okta = Some(okta);
        self
    }

    pub fn with_azure(mut self, azure: AzureTenant) -> Self {
        self.azure = Some(azure);
        self
    }

    pub fn with_scim(mut self, scim: ScimTenant) -> Self {
        self.scim = Some(scim);
        self
    }
}

/// A tenant that cannot be used, naming tenant, section and key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error(
        "tenant `{tenant}`: [tenants.{section}] {key}: environment variable `{var}` is not set"
    )]
    MissingEnv {
        tenant: String,
        section: &'static str,
        key: &'static str,
        var: String,
    },
    #[error("tenant `{tenant}`: [tenants.{section}] {key}: environment variable `{var}` is empty")]
    EmptyEnv {
        tenant: String,
        section: &'static str,
        key: &'static str,
        var: String,
    },
    #[error(
        "tenant `{tenant}`: [tenants.{section}] needs `{key}_env` (the name of an environment variable holding the secret)"
    )]
    NoSecret {
        tenant: String,
        section: &'static str,
        key: &'static str,
    },
    #[error("tenant `{tenant}`: [tenants.{section}] sets both `{key}` and `{key}_env`; keep one")]
    BothSecrets {
        tenant: String,
        section: &'static str,
        key: &'static str,
    },
    #[error(
        "tenant `{tenant}`: [tenants.{section}] {key} is written in {file}, which other users can read; use `{key}_env = \"VARIABLE\"` instead, or `chmod 600 {file}`"
    )]
    ExposedSecret {
        tenant: String,
        section: &'static str,
        key: &'static str,
        file: String,
    },
    #[error("tenant `{tenant}`: [tenants.{section}] {key}: {message}")]
    BadValue {
        tenant: String,
        section: &'static str,
        key: &'static str,
        message: String,
    },
}

/// Where secrets come from while resolving: the environment (replaceable in tests) and
/// whether the config file is private.
pub struct SecretSource<'a> {
    /// The config file, for messages and the literal-secret rule; `None` when the config did
    /// not come from a file (literal secrets are then refused).
    pub file: Option<PathBuf>,
    pub file_is_private: bool,
    pub env: EnvLookup<'a>,
}

/// Reads one environment variable (replaceable in tests).
pub type EnvLookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

impl<'a> SecretSource<'a> {
    /// The process environment, with the privacy of `file` checked on disk.
    pub fn from_env(file: Option<&Path>) -> Self {
        Self {
            file: file.map(Path::to_path_buf),
            file_is_private: file.is_some_and(file_is_private),
            env: Box::new(|name| std::env::var(name).ok()),
        }
    }
}

/// True when no one but the owner may read `path` (always true where there are no unix
/// permissions to check).
pub fn file_is_private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Resolves every tenant of `config` from the process environment. `file` is where the
/// config was read from.
pub fn resolve_all(config: &Config, file: Option<&Path>) -> Result<Vec<Tenant>, TenantError> {
    let source = SecretSource::from_env(file);
    config.tenants.iter().map(|t| resolve(t, &source)).collect()
}

/// Resolves one tenant.
pub fn resolve(cfg: &TenantConfig, source: &SecretSource<'_>) -> Result<Tenant, TenantError> {
    let r = Resolver {
        tenant: &cfg.name,
        source,
    };
    Ok(Tenant {
        name: cfg.name.clone(),
        production: cfg.production,
        read_only: cfg.read_only,
        accent: cfg.accent.clone(),
        sp: r.sp(&cfg.sp)?,
        okta: cfg.okta.as_ref().map(|o| r.okta(o)).transpose()?,
        azure: cfg.azure.as_ref().map(|a| r.azure(a)).transpose()?,
        scim: cfg.scim.as_ref().map(|s| r.scim(s)).transpose()?,
    })
}

struct Resolver<'a, 'b> {
    tenant: &'a str,
    source: &'a SecretSource<'b>,
}

impl Resolver<'_, '_> {
    fn sp(&self, c: &SpConfig) -> Result<SpTenant, TenantError> {
        Ok(SpTenant {
            url: self.url("sp", "url", &c.url)?,
            org: self.non_empty("sp", "org", &c.org)?,
            token: self.secret("sp", "token", c.token_env.as_deref(), c.token.as_deref())?,
        })
    }

    fn okta(&self, c: &OktaConfig) -> Result<OktaTenant, TenantError> {
        Ok(OktaTenant {
            url: self.url("okta", "url", &c.url)?,
            app_id: self.non_empty("okta", "app_id", &c.app_id)?,
            token: self.secret("okta", "token", c.token_env.as_deref(), c.token.as_deref())?,
        })
    }

    fn azure(&self, c: &AzureConfig) -> Result<AzureTenant, TenantError> {
        Ok(AzureTenant {
            tenant_id: self.non_empty("azure", "tenant_id", &c.tenant_id)?,
            client_id: self.non_empty("azure", "client_id", &c.client_id)?,
            client_secret: self.secret(
                "azure",
                "client_secret",
                c.client_secret_env.as_deref(),
                c.client_secret.as_deref(),
            )?,
            service_principal_id: self.non_empty(
                "azure",
                "service_principal_id",
                &c.service_principal_id,
            )?,
            graph_url: self.url("azure", "graph_url", &c.graph_url)?,
            login_url: self.url("azure", "login_url", &c.login_url)?,
        })
    }

    fn scim(&self, c: &ScimConfig) -> Result<ScimTenant, TenantError> {
        Ok(ScimTenant {
            url: self.url("scim", "url", &c.url)?,
            token: self.secret("scim", "token", c.token_env.as_deref(), c.token.as_deref())?,
        })
    }

    fn bad(&self, section: &'static str, key: &'static str, message: String) -> TenantError {
        TenantError::BadValue {
            tenant: self.tenant.to_string(),
            section,
            key,
            message,
        }
    }

    fn non_empty(
        &self,
        section: &'static str,
        key: &'static str,
        v: &str,
    ) -> Result<String, TenantError> {
        let v = v.trim();
        if v.is_empty() {
            return Err(self.bad(section, key, "is empty".into()));
        }
        Ok(v.to_string())
    }

    fn url(&self, section: &'static str, key: &'static str, v: &str) -> Result<Url, TenantError> {
        let url = Url::parse(v.trim())
            .map_err(|e| self.bad(section, key, format!("`{v}` is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(self.bad(section, key, format!("`{v}` is not an http(s) URL")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(self.bad(
                section,
                key,
                "holds a user name or password; put credentials in the `*_env` keys".into(),
            ));
        }
        Ok(url)
    }

    fn secret(
        &self,
        section: &'static str,
        key: &'static str,
        env: Option<&str>,
        literal: Option<&str>,
    ) -> Result<Secret, TenantError> {
        let tenant = self.tenant.to_string();
        match (env, literal) {
            (Some(_), Some(_)) => Err(TenantError::BothSecrets {
                tenant,
                section,
                key,
            }),
            (Some(var), None) => match (self.source.env)(var) {
                None => Err(TenantError::MissingEnv {
                    tenant,
                    section,
                    key,
                    var: var.to_string(),
                }),
                Some(v) if v.trim().is_empty() => Err(TenantError::EmptyEnv {
                    tenant,
                    section,
                    key,
                    var: var.to_string(),
                }),
                Some(v) => Ok(Secret::new(v.trim())),
            },
            (None, Some(v)) => {
                if !self.source.file_is_private {
                    let file = self
                        .source
                        .file
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "the config".to_string());
                    return Err(TenantError::ExposedSecret {
                        tenant,
                        section,
                        key,
                        file,
                    });
                }
                if v.trim().is_empty() {
                    return Err(self.bad(section, key, "is empty".into()));
                }
                Ok(Secret::new(v.trim()))
            }
            (None, None) => Err(TenantError::NoSecret {
                tenant,
                section,
                key,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const CONFIG: &str = r#"
[[tenants]]
name = "acme"
production = true
accent = "magenta"
[tenants.sp]
url = "https://admin.example.com"
org = "acme"
token_env = "ACME_SP_TOKEN"
[tenants.okta]
url = "https://acme.okta.com"
app_id = "0oa1b2c3d4"
token_env = "ACME_OKTA_TOKEN"
[tenants.azure]
tenant_id = "t-1"
client_id = "c-1"
client_secret_env = "ACME_AZURE_SECRET"
service_principal_id = "sp-1"
[tenants.scim]
url = "https://scim.example.com/scim/v2"
token_env = "ACME_SCIM_TOKEN"
"#;

    fn source(vars: &[(&str, &str)], private: bool) -> SecretSource<'static> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SecretSource {
            file: Some(PathBuf::from("/home/a/.config/ssodesk/config.toml")),
            file_is_private: private,
            env: Box::new(move |k| map.get(k).cloned()),
        }
    }

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("c.toml")).expect("config parses")
    }

    #[test]
    fn resolves_every_section() {
        let c = config(CONFIG);
        let s = source(
            &[
                ("ACME_SP_TOKEN", "sp-canary"),
                ("ACME_OKTA_TOKEN", "okta-canary"),
                ("ACME_AZURE_SECRET", "az-canary"),
                ("ACME_SCIM_TOKEN", "scim-canary"),
            ],
            false,
        );
        let t = resolve(&c.tenants[0], &s).expect("resolves");
        assert!(t.production);
        assert_eq!(t.sp.token.expose(), "sp-canary");
        let okta = t.okta.as_ref().expect("okta");
        assert_eq!(okta.token.expose(), "okta-canary");
        let az = t.azure.as_ref().expect("azure");
        assert_eq!(az.graph_url.as_str(), "https://graph.microsoft.com/v1.0");
        assert_eq!(az.login_url.as_str(), "https://login.microsoftonline.com/");
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("canary"), "{dbg}");
    }

    #[test]
    fn missing_or_empty_env_names_tenant_and_variable() {
        let c = config(CONFIG);
        let err = resolve(&c.tenants[0], &source(&[("ACME_SP_TOKEN", "x")], false))
            .expect_err("okta token missing")
            .to_string();
        assert!(
            err.contains("acme") && err.contains("ACME_OKTA_TOKEN"),
            "{err}"
        );
        let err = resolve(&c.tenants[0], &source(&[("ACME_SP_TOKEN", "  ")], false))
            .expect_err("empty")
            .to_string();
        assert!(
            err.contains("ACME_SP_TOKEN") && err.contains("empty"),
            "{err}"
        );
    }

    #[test]
    fn literal_secret_needs_a_private_file() {
        let text = r#"
[[tenants]]
name = "solo"
[tenants.sp]
url = "https://admin.example.com"
org = "solo"
token = "literal-canary"
"#;
        let c = config(text);
        let err = resolve(&c.tenants[0], &source(&[], false))
            .expect_err("public file refused")
            .to_string();
        assert!(
            err.contains("token_env") && err.contains("chmod 600"),
            "{err}"
        );
        assert!(!err.contains("literal-canary"), "{err}");
        let t = resolve(&c.tenants[0], &source(&[], true)).expect("private file ok");
        assert_eq!(t.sp.token.expose(), "literal-canary");
    }

    #[test]
    fn both_or_neither_secret_is_an_error() {
        let both = config(
            "[[tenants]]\nname=\"b\"\n[tenants.sp]\nurl=\"https://x\"\norg=\"b\"\ntoken=\"t\"\ntoken_env=\"V\"\n",
        );
        assert!(matches!(
            resolve(&both.tenants[0], &source(&[("V", "v")], true)),
            Err(TenantError::BothSecrets { .. })
        ));
        let neither =
            config("[[tenants]]\nname=\"n\"\n[tenants.sp]\nurl=\"https://x\"\norg=\"n\"\n");
        let err = resolve(&neither.tenants[0], &source(&[], true)).expect_err("no secret");
        assert!(err.to_string().contains("token_env"), "{err}");
    }

    #[test]
    fn bad_urls_are_named() {
        let c = config(
            "[[tenants]]\nname=\"u\"\n[tenants.sp]\nurl=\"ftp://x\"\norg=\"u\"\ntoken_env=\"V\"\n",
        );
        let err = resolve(&c.tenants[0], &source(&[("V", "v")], true))
            .expect_err("bad url")
            .to_string();
        assert!(
            err.contains("`u`") && err.contains("sp") && err.contains("url"),
            "{err}"
        );
        let c = config(
            "[[tenants]]\nname=\"u\"\n[tenants.sp]\nurl=\"https://me:pw@x\"\norg=\"u\"\ntoken_env=\"V\"\n",
        );
        assert!(resolve(&c.tenants[0], &source(&[("V", "v")], true)).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn file_mode_is_checked_on_disk() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "").expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(!file_is_private(&p));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(file_is_private(&p));
        assert!(!file_is_private(&dir.path().join("missing.toml")));
    }
}
