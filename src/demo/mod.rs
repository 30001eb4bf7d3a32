//! The embedded demo: an axum server on 127.0.0.1 that serves the Okta, Microsoft Graph (and
//! its token endpoint), SCIM and SP admin APIs for a few demo tenants, each with scripted
//! problems (see [`scenarios`]), so every panel and fix works without credentials, through
//! the same clients that talk to real tenants.
//!
//! URL layout on one port `P`:
//!
//! | API | base URL |
//! | --- | --- |
//! | Okta | `http://127.0.0.1:P/okta/<tenant>` (`GET {base}/api/v1/apps/{appId}`) |
//! | Graph | `http://127.0.0.1:P/graph/<tenant>/v1.0` |
//! | Entra token | `http://127.0.0.1:P/login` (`POST {base}/{tenantId}/oauth2/v2.0/token`) |
//! | SCIM | `http://127.0.0.1:P/scim/<tenant>/v2` |
//! | SP admin | `http://127.0.0.1:P/sp` (`GET {base}/api/v1/orgs/{org}`) |
//! | knobs | `http://127.0.0.1:P/__demo/` (see [`admin`]) |
//!
//! The demo is stateful (fixes change what it serves), counts requests per (method, path),
//! and has knobs for latency and faults per endpoint ([`Fault`]) and a per-tenant Okta rate
//! limit.

mod admin;
mod graph;
mod knobs;
mod okta;
pub mod scenarios;
mod scim;
mod sp;
mod wire;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use chrono::Utc;
use reqwest::Url;
use tokio::sync::oneshot;

pub use knobs::{Fault, FaultRule, LatencyRule, RequestCount};

use crate::secret::Secret;
use crate::tenant::{AzureTenant, OktaTenant, ScimTenant, SpTenant, Tenant};
use wire::Api;
use world::World;

/// How the demo behaves.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// 0 picks a free port.
    pub port: u16,
    /// Largest page any list returns, small so that paging is exercised.
    pub page_size: usize,
    /// How long a manual sync runs before it succeeds.
    pub sync_delay: Duration,
    /// `expires_in` of Graph access tokens.
    pub graph_token_ttl: Duration,
    /// Okta calls allowed per window, per tenant (change one tenant with
    /// [`DemoHandle::set_okta_rate_limit`]).
    pub okta_rate_limit: u64,
    pub okta_rate_window: Duration,
    /// More tenants after the five scenarios, cycling through them (`acme-001`, ...).
    pub extra_tenants: usize,
    /// Add the `hostile` tenant, whose names, emails and error messages carry terminal
    /// escape sequences, bidi and zero-width characters, very long and wide text (see
    /// [`scenarios::hostile_text`]). Off by default: the normal demo has five tenants.
    pub hostile: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            port: 0,
            page_size: 3,
            sync_delay: Duration::from_secs(3),
            graph_token_ttl: Duration::from_secs(3599),
            okta_rate_limit: 600,
            okta_rate_window: Duration::from_secs(60),
            extra_tenants: 0,
            hostile: false,
        }
    }
}

impl DemoOptions {
    /// Syncs finish at once; everything else as in the real demo.
    pub fn for_tests() -> Self {
        Self {
            sync_delay: Duration::ZERO,
            ..Self::default()
        }
    }
}

/// Shared by every handler.
pub(crate) struct DemoState {
    pub opts: DemoOptions,
    /// `http://127.0.0.1:P`, for absolute pagination links.
    pub base_url: String,
    base: Url,
    world: Mutex<World>,
    knobs: Mutex<knobs::Knobs>,
}

impl DemoState {
    /// The world, with finished syncs settled.
    pub fn world(&self) -> MutexGuard<'_, World> {
        let mut w = self.world.lock().unwrap_or_else(|p| p.into_inner());
        w.settle(Utc::now(), self.opts.sync_delay);
        w
    }

    pub fn knobs(&self) -> MutexGuard<'_, knobs::Knobs> {
        self.knobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh_world(opts: &DemoOptions) -> World {
        scenarios::build_world(
            Utc::now(),
            scenarios::Shape {
                okta_limit: opts.okta_rate_limit,
                okta_window: opts.okta_rate_window,
                hostile: opts.hostile,
            },
            opts.extra_tenants,
        )
    }
}

/// Starts demo servers.
pub struct DemoServer;

impl DemoServer {
    /// Binds 127.0.0.1 and serves until the handle is dropped or shut down.
    pub async fn start(opts: DemoOptions) -> anyhow::Result<DemoHandle> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let state = Arc::new(DemoState {
            base: Url::parse(&base_url)?,
            base_url,
            world: Mutex::new(DemoState::fresh_world(&opts)),
            knobs: Mutex::new(knobs::Knobs::default()),
            opts,
        });
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!("demo server stopped: {e}");
            }
        });
        Ok(DemoHandle {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .merge(okta::routes())
        .merge(graph::routes())
        .merge(scim::routes())
        .merge(sp::routes())
        .merge(admin::routes())
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), guard_layer))
        .layer(from_fn_with_state(state.clone(), knobs::knobs_layer))
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    match Api::of_path(&path) {
        Api::Okta => wire::okta_error(
            404,
            None,
            Some(&format!("Not found: Resource not found: {path}")),
            &[],
        ),
        Api::Graph => wire::graph_error(
            404,
            Some("UnknownError"),
            Some("Unsupported segment or resource."),
        ),
        Api::Scim => wire::scim_error(
            404,
            None,
            "Resource not found.",
            false,
            "application/scim+json",
        ),
        Api::Login => wire::login_error(404, "invalid_request", "Endpoint not found.", 900_561),
        Api::Sp | Api::Unknown => wire::sp_error(404, None, &format!("no route for {path}")),
    }
}

/// Checks the credential each API expects (answering with that API's real 401 body) and
/// applies Okta's per-org rate limit, adding its `X-Rate-Limit-*` headers.
async fn guard_layer(State(s): State<Arc<DemoState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = Api::of_path(&path);
    let tenant = path
        .trim_start_matches('/')
        .split('/')
        .nth(1)
        .unwrap_or("")
        .to_string();
    let headers = req.headers().clone();
    let now = Utc::now();
    let mut okta_rate: Option<(u64, u64, i64)> = None;
    {
        let mut w = s.world();
        match api {
            Api::Okta => {
                let Some(o) = w.tenant_mut(&tenant).and_then(|t| t.okta.as_mut()) else {
                    return wire::okta_error(
                        404,
                        None,
                        Some(&format!("Not found: Resource not found: {tenant} (Org)")),
                        &[],
                    );
                };
                if wire::ssws(&headers) != Some(o.token.as_str()) {
                    return wire::okta_error(401, None, None, &[]);
                }
                let allowed = o.rate.take(now);
                okta_rate = Some((
                    o.rate.limit,
                    o.rate.remaining(),
                    o.rate.reset_at().timestamp(),
                ));
                if !allowed {
                    return with_rate_headers(wire::okta_error(429, None, None, &[]), okta_rate);
                }
            }
            Api::Graph => {
                let Some(g) = w.tenant(&tenant).and_then(|t| t.graph.as_ref()) else {
                    return wire::graph_error(
                        404,
                        Some("Request_ResourceNotFound"),
                        Some("Tenant not found."),
                    );
                };
                let token = wire::bearer(&headers).unwrap_or("");
                if !g.tokens.iter().any(|(t, exp)| t == token && *exp > now) {
                    let msg = if token.is_empty() {
                        "Access token is empty."
                    } else {
                        "Access token has expired or is not yet valid."
                    };
                    return wire::graph_error(401, Some("InvalidAuthenticationToken"), Some(msg));
                }
            }
            Api::Scim => {
                let Some(sc) = w.tenant(&tenant).and_then(|t| t.scim.as_ref()) else {
                    return wire::scim_error(
                        404,
                        None,
                        "Unknown SCIM tenant.",
                        false,
                        "application/scim+json",
                    );
                };
                if wire::bearer(&headers) != Some(sc.token.as_str()) {
                    return wire::scim_error(
                        401,
                        None,
                        "Authorization failure. The authorization header is invalid or missing.",
                        sc.numeric_status,
                        sc.content_type,
                    );
                }
            }
            Api::Sp => {
                if wire::bearer(&headers) != Some(w.sp_token.as_str()) {
                    return wire::sp_error(
                        401,
                        Some("unauthorized"),
                        "missing or invalid bearer token",
                    );
                }
            }
            Api::Login | Api::Unknown => {}
        }
    }
    with_rate_headers(next.run(req).await, okta_rate)
}

fn with_rate_headers(mut r: Response, rate: Option<(u64, u64, i64)>) -> Response {
    if let Some((limit, remaining, reset)) = rate {
        let h = r.headers_mut();
        for (name, v) in [
            ("x-rate-limit-limit", limit.to_string()),
            ("x-rate-limit-remaining", remaining.to_string()),
            ("x-rate-limit-reset", reset.to_string()),
        ] {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(name, v);
            }
        }
    }
    r
}

/// A running demo. Dropping it stops the server.
pub struct DemoHandle {
    addr: SocketAddr,
    state: Arc<DemoState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for DemoHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for DemoHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Environment variable names the printed config uses.
pub const SP_TOKEN_ENV: &str = "SSODESK_DEMO_SP_TOKEN";

fn env_name(tenant: &str, what: &str) -> String {
    let t: String = tenant
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SSODESK_DEMO_{t}_{what}")
}

impl DemoHandle {
    /// URLs built from the demo's own (valid) address; the base stands in should one fail.
    fn url(&self, s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|_| self.state.base.clone())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:P`
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn okta_base(&self, tenant: &str) -> String {
        format!("{}/okta/{tenant}", self.state.base_url)
    }

    pub fn graph_base(&self, tenant: &str) -> String {
        format!("{}/graph/{tenant}/v1.0", self.state.base_url)
    }

    pub fn login_base(&self) -> String {
        format!("{}/login", self.state.base_url)
    }

    pub fn scim_base(&self, tenant: &str) -> String {
        format!("{}/scim/{tenant}/v2", self.state.base_url)
    }

    pub fn sp_base(&self) -> String {
        format!("{}/sp", self.state.base_url)
    }

    pub fn tenant_names(&self) -> Vec<String> {
        self.state
            .world()
            .tenants
            .iter()
            .map(|t| t.name.clone())
            .collect()
    }

    /// Every demo tenant, resolved, secrets included (no environment needed).
    pub fn tenants(&self) -> Vec<Tenant> {
        let w = self.state.world();
        w.tenants.iter().map(|t| self.tenant_of(&w, t)).collect()
    }

    pub fn tenant(&self, name: &str) -> Option<Tenant> {
        let w = self.state.world();
        w.tenant(name).map(|t| self.tenant_of(&w, t))
    }

    fn tenant_of(&self, w: &World, t: &world::DemoTenant) -> Tenant {
        let mut out = Tenant::new(
            t.name.clone(),
            SpTenant {
                url: self.url(&self.sp_base()),
                org: t.org.org.clone(),
                token: Secret::new(w.sp_token.clone()),
            },
        )
        .production(t.production);
        out.accent = t.accent.clone();
        if let Some(o) = &t.okta {
            out = out.with_okta(OktaTenant {
                url: self.url(&self.okta_base(&t.name)),
                app_id: o.app_id.clone(),
                token: Secret::new(o.token.clone()),
            });
        }
        if let Some(g) = &t.graph {
            out = out.with_azure(AzureTenant {
                tenant_id: g.tenant_id.clone(),
                client_id: g.client_id.clone(),
                client_secret: Secret::new(g.client_secret.clone()),
                service_principal_id: g.sp_id.clone(),
                graph_url: self.url(&self.graph_base(&t.name)),
                login_url: self.url(&self.login_base()),
            });
        }
        if let Some(token) = scenarios::configured_scim_token(t) {
            out = out.with_scim(ScimTenant {
                url: self.url(&self.scim_base(&t.name)),
                token: Secret::new(token),
            });
        }
        out
    }

    /// Adds a fault rule (the first matching rule applies).
    pub fn set_fault(&self, rule: FaultRule) {
        self.state.knobs().faults.push(rule);
    }

    pub fn clear_faults(&self) {
        self.state.knobs().faults.clear();
    }

    pub fn set_latency(&self, rule: LatencyRule) {
        self.state.knobs().latency.push(rule);
    }

    /// Delay added to every request.
    pub fn set_global_latency(&self, d: Duration) {
        self.state.knobs().global_latency = d;
    }

    pub fn clear_latency(&self) {
        let mut k = self.state.knobs();
        k.latency.clear();
        k.global_latency = Duration::ZERO;
    }

    /// Requests seen for this method and exact path (no query string).
    pub fn request_count(&self, method: &str, path: &str) -> u64 {
        self.state
            .knobs()
            .counts
            .get(&(method.to_ascii_uppercase(), path.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Requests seen for paths starting with `prefix`, any method.
    pub fn request_count_prefix(&self, prefix: &str) -> u64 {
        self.state
            .knobs()
            .counts
            .iter()
            .filter(|((_, p), _)| p.starts_with(prefix))
            .map(|(_, c)| *c)
            .sum()
    }

    pub fn requests(&self) -> Vec<RequestCount> {
        self.state.knobs().requests()
    }

    pub fn reset_counts(&self) {
        self.state.knobs().counts.clear();
    }

    /// Back to the scripted state: data, faults, latency and counts.
    pub fn reset(&self) {
        admin::reset(&self.state);
    }

    /// Sets one tenant's Okta rate limit; `false` for an unknown tenant or one without Okta.
    pub fn set_okta_rate_limit(&self, tenant: &str, limit: u64, window: Duration) -> bool {
        admin::set_rate_limit(&self.state, tenant, limit, window)
    }

    /// How many calls the tenant's Okta answered 429 for its rate limit (not injected
    /// faults) since the limit was last set; `None` for a tenant without Okta.
    pub fn okta_rate_limited(&self, tenant: &str) -> Option<u64> {
        self.state
            .world()
            .tenant(tenant)
            .and_then(|t| t.okta.as_ref())
            .map(|o| o.rate.rejected)
    }

    /// Invitations resent for an org: (user id, when).
    pub fn invites(&self, org: &str) -> Vec<(String, chrono::DateTime<Utc>)> {
        self.state
            .world()
            .org(org)
            .map(|t| t.org.invites.clone())
            .unwrap_or_default()
    }

    /// `export NAME=value` pairs for the printed config.
    pub fn env_exports(&self) -> Vec<(String, String)> {
        exports_for(&self.state)
    }

    /// A config file pointing at this demo, secrets by environment variable.
    pub fn config_toml(&self) -> String {
        config_for(&self.state)
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

pub(crate) fn exports_for(s: &DemoState) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let w = s.world();
    out.push((SP_TOKEN_ENV.to_string(), w.sp_token.clone()));
    for t in &w.tenants {
        if let Some(o) = &t.okta {
            out.push((env_name(&t.name, "OKTA_TOKEN"), o.token.clone()));
        }
        if let Some(g) = &t.graph {
            out.push((env_name(&t.name, "AZURE_SECRET"), g.client_secret.clone()));
        }
        if let Some(tok) = scenarios::configured_scim_token(t) {
            out.push((env_name(&t.name, "SCIM_TOKEN"), tok));
        }
    }
    out
}

pub(crate) fn config_for(s: &DemoState) -> String {
    use std::fmt::Write as _;
    let b = &s.base_url;
    let w = s.world();
    let mut out = format!("# ssodesk demo at {b}\n");
    for t in &w.tenants {
        let name = &t.name;
        let _ = writeln!(
            out,
            "\n[[tenants]]\nname = \"{name}\"\nproduction = {}",
            t.production
        );
        if let Some(a) = &t.accent {
            let _ = writeln!(out, "accent = \"{a}\"");
        }
        let _ = writeln!(
            out,
            "[tenants.sp]\nurl = \"{b}/sp\"\norg = \"{}\"\ntoken_env = \"{SP_TOKEN_ENV}\"",
            t.org.org
        );
        if let Some(o) = &t.okta {
            let _ = writeln!(
                out,
                "[tenants.okta]\nurl = \"{b}/okta/{name}\"\napp_id = \"{}\"\ntoken_env = \"{}\"",
                o.app_id,
                env_name(name, "OKTA_TOKEN")
            );
        }
        if let Some(g) = &t.graph {
            let _ = writeln!(
                out,
                "[tenants.azure]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nclient_secret_env = \"{}\"\nservice_principal_id = \"{}\"\ngraph_url = \"{b}/graph/{name}/v1.0\"\nlogin_url = \"{b}/login\"",
                g.tenant_id,
                g.client_id,
                env_name(name, "AZURE_SECRET"),
                g.sp_id,
            );
        }
        if t.scim.is_some() {
            let _ = writeln!(
                out,
                "[tenants.scim]\nurl = \"{b}/scim/{name}/v2\"\ntoken_env = \"{}\"",
                env_name(name, "SCIM_TOKEN")
            );
        }
    }
    out
}

/// The in-process demo for a run without a config: an ephemeral port and its tenants.
pub async fn start_embedded() -> anyhow::Result<(DemoHandle, Vec<Tenant>)> {
    let handle = DemoServer::start(DemoOptions::default()).await?;
    let tenants = handle.tenants();
    Ok((handle, tenants))
}

/// `ssodesk demo [--port N] [--hostile]`: serves until ctrl-c, after printing the URL and a
/// config.
pub async fn serve_standalone(port: u16, hostile: bool) -> anyhow::Result<()> {
    let handle = DemoServer::start(DemoOptions {
        port,
        hostile,
        ..DemoOptions::default()
    })
    .await?;
    println!("ssodesk demo serving on {}", handle.base_url());
    println!("  Okta   {}/okta/<tenant>", handle.base_url());
    println!(
        "  Graph  {}/graph/<tenant>/v1.0  (token: {}/<tenantId>/oauth2/v2.0/token)",
        handle.base_url(),
        handle.login_base()
    );
    println!("  SCIM   {}/scim/<tenant>/v2", handle.base_url());
    println!("  SP     {}/api/v1/orgs/<org>", handle.sp_base());
    println!("  knobs  {}/__demo/", handle.base_url());
    if let Some(okta) = handle.tenant("acme").and_then(|t| t.okta) {
        // Any other token gets Okta's real 401 (E0000011), as a wrong one would.
        println!(
            "\n# Try: curl -H 'Authorization: SSWS {}' {}/api/v1/apps/{}",
            okta.token.expose(),
            handle.okta_base("acme"),
            okta.app_id
        );
    }
    println!("\n# Secrets for the config below:");
    for (k, v) in handle.env_exports() {
        println!("export {k}='{v}'");
    }
    println!("\n# Save as a config file (e.g. SSODESK_CONFIG=./demo.toml):");
    println!("{}", handle.config_toml());
    println!("# Ctrl-C stops the demo.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| anyhow::anyhow!("cannot wait for ctrl-c: {e}"))?;
    handle.shutdown().await;
    Ok(())
}
