//! `/__demo/...`: the knobs over HTTP, for curl and the standalone server.
//!
//! | call | effect |
//! | --- | --- |
//! | `GET /__demo/` | base URLs, tenants, the knobs in force |
//! | `GET /__demo/config` | a config file pointing at this demo (TOML) |
//! | `GET /__demo/requests` | request counts per method and path |
//! | `GET /__demo/faults`, `POST` a [`FaultRule`](super::FaultRule), `DELETE` all | faults |
//! | `POST /__demo/latency` `{"ms":100}` (global) or `{"path":"/okta/*","ms":100}`, `DELETE` | latency |
//! | `POST /__demo/rate-limit` `{"tenant":"acme","limit":10,"window_secs":60}` | Okta rate limit |
//! | `GET /__demo/invites/{org}` | invitations resent |
//! | `POST /__demo/reset` | scripted data back, knobs and counts cleared |

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::DemoState;
use super::knobs::{FaultRule, LatencyRule};
use super::wire::{ok_json, rfc3339, sp_error};
use super::world::RateW;

type S = State<Arc<DemoState>>;

pub(crate) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/__demo", get(info))
        .route("/__demo/", get(info))
        .route("/__demo/config", get(config))
        .route("/__demo/requests", get(requests).delete(clear_requests))
        .route(
            "/__demo/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/__demo/latency", post(add_latency).delete(clear_latency))
        .route("/__demo/rate-limit", post(rate_limit))
        .route("/__demo/invites/{org}", get(invites))
        .route("/__demo/reset", post(reset_route))
}

pub(crate) fn reset(s: &DemoState) {
    *s.world.lock().unwrap_or_else(|p| p.into_inner()) = DemoState::fresh_world(&s.opts);
    *s.knobs() = super::knobs::Knobs::default();
}

pub(crate) fn set_rate_limit(s: &DemoState, tenant: &str, limit: u64, window: Duration) -> bool {
    let mut w = s.world();
    match w.tenant_mut(tenant).and_then(|t| t.okta.as_mut()) {
        Some(o) => {
            o.rate = RateW::new(limit, window, chrono::Utc::now());
            true
        }
        None => false,
    }
}

fn bad(msg: String) -> Response {
    sp_error(400, Some("bad_knob"), &msg)
}

async fn info(State(s): S) -> Response {
    let tenants: Vec<_> = {
        let w = s.world();
        w.tenants
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "org": t.org.org,
                    "okta": t.okta.as_ref().map(|o| json!({"base": format!("{}/okta/{}", s.base_url, t.name), "app_id": o.app_id, "rate_limit": o.rate.limit, "window_secs": o.rate.window.as_secs()})),
                    "graph": t.graph.as_ref().map(|g| json!({"base": format!("{}/graph/{}/v1.0", s.base_url, t.name), "tenant_id": g.tenant_id, "service_principal_id": g.sp_id})),
                    "scim": t.scim.as_ref().map(|_| format!("{}/scim/{}/v2", s.base_url, t.name)),
                })
            })
            .collect()
    };
    let k = s.knobs();
    ok_json(&json!({
        "base_url": s.base_url,
        "sp": format!("{}/sp", s.base_url),
        "login": format!("{}/login", s.base_url),
        "started_at": rfc3339(s.world().started),
        "tenants": tenants,
        "faults": k.faults,
        "latency": k.latency,
        "global_latency_ms": k.global_latency.as_millis() as u64,
    }))
}

async fn config(State(s): S) -> Response {
    let mut r = super::config_for(&s).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/toml"),
    );
    r
}

async fn requests(State(s): S) -> Response {
    ok_json(&json!(s.knobs().requests()))
}

async fn clear_requests(State(s): S) -> Response {
    s.knobs().counts.clear();
    ok_json(&json!({"cleared": true}))
}

async fn faults(State(s): S) -> Response {
    ok_json(&json!(s.knobs().faults))
}

async fn add_fault(State(s): S, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(rule) => {
            s.knobs().faults.push(rule.clone());
            ok_json(&json!(rule))
        }
        Err(e) => bad(format!("not a fault rule: {e}")),
    }
}

async fn clear_faults(State(s): S) -> Response {
    s.knobs().faults.clear();
    ok_json(&json!({"cleared": true}))
}

#[derive(Deserialize)]
struct LatencyBody {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    ms: u64,
}

async fn add_latency(State(s): S, body: Bytes) -> Response {
    match serde_json::from_slice::<LatencyBody>(&body) {
        Ok(LatencyBody {
            method,
            path: None,
            ms,
        }) => {
            if method.is_some() {
                return bad("a method needs a path".into());
            }
            s.knobs().global_latency = Duration::from_millis(ms);
            ok_json(&json!({"global_latency_ms": ms}))
        }
        Ok(LatencyBody {
            method,
            path: Some(path),
            ms,
        }) => {
            let rule = LatencyRule { method, path, ms };
            s.knobs().latency.push(rule.clone());
            ok_json(&json!(rule))
        }
        Err(e) => bad(format!(
            "expected {{\"ms\": N}} with an optional path and method: {e}"
        )),
    }
}

async fn clear_latency(State(s): S) -> Response {
    let mut k = s.knobs();
    k.latency.clear();
    k.global_latency = Duration::ZERO;
    ok_json(&json!({"cleared": true}))
}

#[derive(Deserialize)]
struct RateBody {
    tenant: String,
    limit: u64,
    #[serde(default = "default_window")]
    window_secs: u64,
}

fn default_window() -> u64 {
    60
}

async fn rate_limit(State(s): S, body: Bytes) -> Response {
    match serde_json::from_slice::<RateBody>(&body) {
        Ok(b) => {
            if set_rate_limit(
                &s,
                &b.tenant,
                b.limit,
                Duration::from_secs(b.window_secs.max(1)),
            ) {
                ok_json(
                    &json!({"tenant": b.tenant, "limit": b.limit, "window_secs": b.window_secs.max(1)}),
                )
            } else {
                sp_error(
                    404,
                    Some("no_okta_tenant"),
                    &format!("no demo tenant {} with Okta", b.tenant),
                )
            }
        }
        Err(e) => bad(format!(
            "expected {{\"tenant\", \"limit\", \"window_secs\"}}: {e}"
        )),
    }
}

async fn invites(State(s): S, Path(org): Path<String>) -> Response {
    let w = s.world();
    match w.org(&org) {
        Some(t) => ok_json(&json!(
            t.org
                .invites
                .iter()
                .map(|(u, at)| json!({"user_id": u, "at": rfc3339(*at)}))
                .collect::<Vec<_>>()
        )),
        None => sp_error(404, Some("org_not_found"), &format!("no org named {org}")),
    }
}

async fn reset_route(State(s): S) -> Response {
    reset(&s);
    ok_json(&json!({"reset": true}))
}
