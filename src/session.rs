//! What a run of ssodesk works on: the config, the tenants with their clients, and, when there
//! is no config file (or `--demo`), the embedded demo serving the tenants in-process.
//!
//! The TUI and the headless commands open the same session, so a demo tenant goes through
//! the same HTTP clients as a real one.

use std::path::PathBuf;

use anyhow::Context;

use crate::audit::AuditLog;
use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::demo::DemoHandle;
use crate::fixes::Executor;
use crate::http::{HttpClient, HttpOptions};
use crate::snapshot::TenantClients;
use crate::tenant::{self, Tenant};

pub struct Session {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub http: HttpClient,
    pub tenants: Vec<Tenant>,
    /// One per tenant, same order; they keep the Graph token cache between refreshes.
    pub clients: Vec<TenantClients>,
    /// Kept alive while the session lives: dropping it stops the embedded server.
    pub demo: Option<DemoHandle>,
    /// Configured tenants that could not be set up (a missing secret variable, a bad URL),
    /// with the reason. The others still work: one broken tenant must not lock an agent out.
    pub broken: Vec<(String, String)>,
    pub read_only: bool,
}

impl Session {
    /// Loads the config and builds the tenants; starts the embedded demo when there is no
    /// config file or `--demo` is given. Must run inside a tokio runtime.
    pub async fn open(global: &GlobalArgs) -> anyhow::Result<Session> {
        let loaded = Config::load_default()?;
        let (config_path, config) = match loaded {
            Some((p, c)) => (Some(p), c),
            None => (None, Config::default()),
        };
        let http = HttpClient::new(HttpOptions::default())?;
        let mut broken = Vec::new();
        let (tenants, demo) = if global.demo || config_path.is_none() {
            let (handle, tenants) = crate::demo::start_embedded()
                .await
                .context("cannot start the embedded demo")?;
            (tenants, Some(handle))
        } else {
            let secrets = tenant::SecretSource::from_env(config_path.as_deref());
            let mut tenants = Vec::new();
            for t in &config.tenants {
                match tenant::resolve(t, &secrets) {
                    Ok(t) => tenants.push(t),
                    Err(e) => broken.push((t.name.clone(), e.to_string())),
                }
            }
            (tenants, None)
        };
        let clients = tenants
            .iter()
            .map(|t| TenantClients::new(&http, t))
            .collect();
        Ok(Session {
            read_only: global.read_only || config.read_only,
            config,
            config_path,
            http,
            tenants,
            clients,
            demo,
            broken,
        })
    }

    /// The tenant and its clients by exact name.
    pub fn find(&self, name: &str) -> Option<(&Tenant, &TenantClients)> {
        self.tenants
            .iter()
            .zip(&self.clients)
            .find(|(t, _)| t.name == name)
    }

    /// An error naming the unknown tenant and the known ones (or why a configured one is
    /// unusable).
    pub fn unknown_tenant(&self, name: &str) -> anyhow::Error {
        if let Some((_, why)) = self.broken.iter().find(|(n, _)| n == name) {
            return anyhow::anyhow!("{why}");
        }
        let names: Vec<&str> = self.tenants.iter().map(|t| t.name.as_str()).collect();
        if names.is_empty() {
            anyhow::anyhow!("unknown tenant `{name}`: no tenants are configured")
        } else {
            anyhow::anyhow!("unknown tenant `{name}` (tenants: {})", names.join(", "))
        }
    }

    /// The executor for fixes, writing to the audit log in the data dir.
    pub fn executor(&self) -> anyhow::Result<Executor> {
        let path = crate::audit::default_path()
            .context("no data directory for the audit log (is HOME set?)")?;
        Ok(Executor::new(AuditLog::new(path), self.read_only))
    }
}
