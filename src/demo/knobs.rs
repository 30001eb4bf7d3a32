//! The demo's knobs: injected latency and faults per endpoint, and the request counter. All
//! settable from Rust ([`super::DemoHandle`]) and over HTTP (`/__demo/...`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::DemoState;
use super::wire::{self, Api};

/// What to do instead of (or to) the real answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// This status with the provider's own error body.
    Status { status: u16 },
    /// 429 with the provider's body; `Retry-After` in seconds (or as an HTTP date) and/or
    /// Okta's `X-Rate-Limit-*` headers with a reset this many seconds ahead.
    RateLimited {
        #[serde(default)]
        retry_after_secs: Option<u64>,
        #[serde(default)]
        retry_after_date: bool,
        #[serde(default)]
        reset_in_secs: Option<u64>,
    },
    /// An HTML error page (a proxy or load balancer in the way).
    Html { status: u16 },
    /// 200 with a body that is not JSON.
    Malformed,
    /// The real answer cut in half.
    Truncated,
    /// The real answer with every string turned into a number and every number into a string.
    WrongTypes,
    /// No answer at all (the connection stays open).
    Hang,
    /// The real answer, 16 bytes at a time with this pause between.
    SlowDrip { chunk_delay_ms: u64 },
    /// 200 with a JSON body of this many bytes.
    Huge { bytes: u64 },
}

/// Where a fault applies: `path` exactly, or every path starting with it when it ends in
/// `*`; `method` any when absent; `times` how often before the rule disappears (forever when
/// absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    pub fault: Fault,
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    pub fn new(method: Option<&str>, path: impl Into<String>, fault: Fault) -> Self {
        Self {
            method: method.map(str::to_string),
            path: path.into(),
            fault,
            times: None,
        }
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        path_matches(&self.path, path)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Extra delay before answering matching requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyRule {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    pub ms: u64,
}

fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

/// How often one (method, path) was requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestCount {
    pub method: String,
    pub path: String,
    pub count: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Knobs {
    pub faults: Vec<FaultRule>,
    pub latency: Vec<LatencyRule>,
    pub global_latency: Duration,
    pub counts: BTreeMap<(String, String), u64>,
}

impl Knobs {
    fn latency_for(&self, method: &str, path: &str) -> Duration {
        let specific: u64 = self
            .latency
            .iter()
            .filter(|r| {
                path_matches(&r.path, path)
                    && r.method
                        .as_deref()
                        .is_none_or(|m| m.eq_ignore_ascii_case(method))
            })
            .map(|r| r.ms)
            .max()
            .unwrap_or(0);
        self.global_latency + Duration::from_millis(specific)
    }

    fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let i = self.faults.iter().position(|r| r.matches(method, path))?;
        let rule = &mut self.faults[i];
        let fault = rule.fault.clone();
        if let Some(n) = rule.times.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.faults.remove(i);
            }
        }
        Some(fault)
    }

    pub fn requests(&self) -> Vec<RequestCount> {
        self.counts
            .iter()
            .map(|((m, p), c)| RequestCount {
                method: m.clone(),
                path: p.clone(),
                count: *c,
            })
            .collect()
    }
}

/// Outermost layer: count, delay, then apply a fault if one matches.
pub(crate) async fn knobs_layer(
    State(s): State<Arc<DemoState>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__demo") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let (delay, fault) = {
        let mut k = s.knobs();
        *k.counts.entry((method.clone(), path.clone())).or_default() += 1;
        (k.latency_for(&method, &path), k.take_fault(&method, &path))
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    let api = Api::of_path(&path);
    match fault {
        Fault::Status { status } => wire::provider_error(api, status),
        Fault::RateLimited {
            retry_after_secs,
            retry_after_date,
            reset_in_secs,
        } => rate_limited(api, retry_after_secs, retry_after_date, reset_in_secs),
        Fault::Html { status } => html(status),
        Fault::Malformed => {
            let mut r = (StatusCode::OK, "{\"value\": [ {\"id\": \"1\", oops ]").into_response();
            set_json(&mut r);
            r
        }
        Fault::Truncated => {
            let (parts, bytes) = real_answer(next, req).await;
            let cut = bytes.slice(..bytes.len() / 2);
            Response::from_parts(parts, Body::from(cut))
        }
        Fault::WrongTypes => {
            let (parts, bytes) = real_answer(next, req).await;
            let body = match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => Bytes::from(swap_types(v).to_string()),
                Err(_) => bytes,
            };
            Response::from_parts(parts, Body::from(body))
        }
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Fault::SlowDrip { chunk_delay_ms } => {
            let (parts, bytes) = real_answer(next, req).await;
            let delay = Duration::from_millis(chunk_delay_ms);
            let stream = futures::stream::unfold(0usize, move |at| {
                let bytes = bytes.clone();
                async move {
                    if at >= bytes.len() {
                        return None;
                    }
                    tokio::time::sleep(delay).await;
                    let end = (at + 16).min(bytes.len());
                    Some((Ok::<Bytes, std::io::Error>(bytes.slice(at..end)), end))
                }
            });
            Response::from_parts(parts, Body::from_stream(stream))
        }
        Fault::Huge { bytes } => huge(bytes),
    }
}

/// The handler's answer, fully read, with the length header dropped (the body changes).
async fn real_answer(next: Next, req: Request) -> (axum::http::response::Parts, Bytes) {
    let resp = next.run(req).await;
    let (mut parts, body) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

fn set_json(r: &mut Response) {
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
}

fn rate_limited(
    api: Api,
    retry_after: Option<u64>,
    as_date: bool,
    reset_in: Option<u64>,
) -> Response {
    let mut r = wire::provider_error(api, 429);
    let h = r.headers_mut();
    if let Some(secs) = retry_after {
        let v = if as_date {
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(secs))
        } else {
            secs.to_string()
        };
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(header::RETRY_AFTER, v);
        }
    }
    if let Some(secs) = reset_in {
        let reset = chrono::Utc::now().timestamp() + secs as i64;
        h.insert("x-rate-limit-limit", HeaderValue::from_static("600"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        if let Ok(v) = HeaderValue::from_str(&reset.to_string()) {
            h.insert("x-rate-limit-reset", v);
        }
    }
    r
}

fn html(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let reason = code.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title><style>body{{font-family:sans-serif}}</style></head>\n<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center>\n{}</body></html>\n",
        "<!-- padding to look like a real error page -->\n".repeat(40)
    );
    let mut r = (code, page).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn huge(bytes: u64) -> Response {
    const CHUNK: usize = 64 * 1024;
    let filler = Bytes::from(vec![b'x'; CHUNK]);
    let head = Bytes::from_static(b"{\"value\":[\"");
    let tail = Bytes::from_static(b"\"]}");
    let middle = bytes.saturating_sub((head.len() + tail.len()) as u64);
    let chunks = middle / CHUNK as u64;
    let rest = (middle % CHUNK as u64) as usize;
    let body = futures::stream::iter(
        std::iter::once(head)
            .chain((0..chunks).map(move |_| filler.clone()))
            .chain(std::iter::once(Bytes::from(vec![b'x'; rest])))
            .chain(std::iter::once(tail))
            .map(Ok::<Bytes, std::io::Error>),
    );
    let mut r = Response::new(Body::from_stream(body));
    set_json(&mut r);
    r
}

/// Strings become numbers, numbers strings, booleans strings: same shape, wrong types.
fn swap_types(v: Value) -> Value {
    match v {
        Value::String(_) => Value::from(12345),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(if b { "yes" } else { "no" }.into()),
        Value::Array(a) => Value::Array(a.into_iter().map(swap_types).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, swap_types(v))).collect()),
        Value::Null => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_exact_prefix_and_method() {
        let r = FaultRule::new(Some("get"), "/sp/api/v1/orgs/acme/users", Fault::Malformed);
        assert!(r.matches("GET", "/sp/api/v1/orgs/acme/users"));
        assert!(!r.matches("POST", "/sp/api/v1/orgs/acme/users"));
        assert!(!r.matches("GET", "/sp/api/v1/orgs/acme/users/x"));
        let r = FaultRule::new(None, "/okta/acme/*", Fault::Hang);
        assert!(r.matches("PATCH", "/okta/acme/api/v1/apps/x"));
        assert!(!r.matches("GET", "/okta/acmex/api"));
    }

    #[test]
    fn faults_with_times_run_out() {
        let mut k = Knobs::default();
        k.faults
            .push(FaultRule::new(None, "/a", Fault::Status { status: 500 }).times(2));
        assert!(k.take_fault("GET", "/a").is_some());
        assert!(k.take_fault("GET", "/a").is_some());
        assert!(k.take_fault("GET", "/a").is_none());
    }

    #[test]
    fn swapped_types_keep_shape() {
        let v = swap_types(serde_json::json!({"a":"x","b":[1,true],"c":null}));
        assert_eq!(v, serde_json::json!({"a":12345,"b":["1","yes"],"c":null}));
    }

    #[test]
    fn fault_json_form() {
        let r: FaultRule = serde_json::from_str(
            r#"{"path":"/okta/acme/*","fault":{"kind":"rate_limited","reset_in_secs":1},"times":1}"#,
        )
        .expect("parses");
        assert_eq!(r.times, Some(1));
        assert!(matches!(
            r.fault,
            Fault::RateLimited {
                reset_in_secs: Some(1),
                ..
            }
        ));
    }
}
