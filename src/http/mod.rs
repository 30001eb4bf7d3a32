//! The one HTTP layer every provider client uses.
//!
//! One shared `reqwest::Client` (rustls with ring); per call: the credential header (marked
//! sensitive, never logged), connect and total timeouts, a body size cap read chunk by chunk,
//! a concurrency cap and rate-limit pacing per API root, and retries with jittered
//! exponential backoff for requests whose [`RetryPolicy`] allows it, honouring `Retry-After`
//! and Okta's `X-Rate-Limit-Reset`.

mod error;
mod paging;
mod ratelimit;
mod retry;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Semaphore;

pub use error::{
    ApiError, CallContext, ErrorKind, ParsedError, Provider, parse_error_body, shorten,
};
pub use paging::{
    Listing, lenient_count, link_next, parse_link_next, same_origin, scim_next_start,
};
use ratelimit::{Hold, Slot};
pub use ratelimit::{RateLimitBoard, RateLimitInfo};
pub use retry::{RateHeaders, RetryPolicy, backoff, parse_rate_headers, parse_retry_after};

use crate::sanitize::SafeText;
use crate::secret::Secret;

/// Knobs of the HTTP layer. The defaults suit real tenants; tests shorten the timeouts.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Whole call, body included, per attempt.
    pub timeout: Duration,
    /// Extra attempts after the first, for retryable failures.
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// The longest `Retry-After` / rate-limit reset worth waiting for; longer ones fail the
    /// call with `retry_at` set, so a sweep never stalls for an hour.
    pub max_retry_wait: Duration,
    /// Calls in flight at once per API root. Okta allows 75 concurrent calls per org and
    /// Graph throttles per tenant, so 32 stays well inside both while letting a sweep of many
    /// tenants share the one SP admin API and the one Graph host.
    pub per_host_concurrency: usize,
    pub max_body_bytes: usize,
    pub max_pages: u32,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_retries: 3,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
            max_retry_wait: Duration::from_secs(65),
            per_host_concurrency: 32,
            max_body_bytes: 8 * 1024 * 1024,
            max_pages: 100,
        }
    }
}

impl HttpOptions {
    /// Short timeouts and backoff for tests against the loopback demo.
    pub fn for_tests() -> Self {
        Self {
            connect_timeout: Duration::from_millis(500),
            timeout: Duration::from_millis(1500),
            max_retries: 3,
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(100),
            max_retry_wait: Duration::from_secs(5),
            per_host_concurrency: 8,
            max_body_bytes: 8 * 1024 * 1024,
            max_pages: 100,
        }
    }
}

/// What a request carries.
#[derive(Debug, Clone, Default)]
pub enum RequestBody {
    #[default]
    Empty,
    Json(Value),
    /// Form fields; every value is treated as secret in Debug (one is a client secret).
    Form(Vec<(String, Secret)>),
}

/// One call, fully described. `auth` is the whole `Authorization` value (`SSWS ...`,
/// `Bearer ...`).
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub tenant: String,
    pub provider: Provider,
    pub method: Method,
    pub url: Url,
    pub auth: Option<Secret>,
    pub body: RequestBody,
    pub retry: RetryPolicy,
    /// The API root used for the concurrency cap and rate-limit state.
    pub limit_key: String,
    pub accept: &'static str,
}

impl ApiRequest {
    pub fn context(&self) -> CallContext {
        CallContext {
            tenant: self.tenant.clone(),
            provider: self.provider,
            method: self.method.to_string(),
            endpoint: SafeText::new(self.url.path()),
        }
    }

    pub fn with_body(mut self, body: RequestBody) -> Self {
        self.body = body;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// Where one tenant's API lives: builds requests with the right context and credential.
#[derive(Debug, Clone)]
pub struct ApiRoot {
    pub tenant: String,
    pub provider: Provider,
    pub base: Url,
    pub accept: &'static str,
}

impl ApiRoot {
    /// `base` must be an absolute http(s) URL; a trailing slash is ignored.
    pub fn new(tenant: &str, provider: Provider, base: &Url) -> Self {
        let mut base = base.clone();
        base.set_query(None);
        base.set_fragment(None);
        let trimmed = base.path().trim_end_matches('/').to_string();
        base.set_path(&trimmed);
        Self {
            tenant: tenant.to_string(),
            provider,
            base,
            accept: "application/json",
        }
    }

    /// The base URL with `segments` appended, each percent-encoded (ids from config or from
    /// an API cannot inject path or query).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut p) = url.path_segments_mut() {
            p.pop_if_empty();
            p.extend(segments);
        }
        url
    }

    pub fn limit_key(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    pub fn request(&self, method: Method, url: Url, auth: Option<Secret>) -> ApiRequest {
        ApiRequest {
            tenant: self.tenant.clone(),
            provider: self.provider,
            retry: RetryPolicy::for_method(&method),
            method,
            url,
            auth,
            body: RequestBody::Empty,
            limit_key: self.limit_key(),
            accept: self.accept,
        }
    }

    pub fn context(&self, method: &Method, url: &Url) -> CallContext {
        CallContext {
            tenant: self.tenant.clone(),
            provider: self.provider,
            method: method.to_string(),
            endpoint: SafeText::new(url.path()),
        }
    }
}

/// An answer of any status, its body fully read (within the cap).
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub ctx: CallContext,
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// For a 429 that was not waited out: when the limit lets calls through again.
    pub retry_at: Option<DateTime<Utc>>,
}

impl ApiResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The provider's id for this request (Graph `request-id`, Okta `X-Okta-Request-Id`,
    /// else a generic `X-Request-Id`), for support tickets and the audit log.
    pub fn request_id(&self) -> Option<&str> {
        self.header("request-id")
            .or_else(|| self.header("x-okta-request-id"))
            .or_else(|| self.header("x-request-id"))
    }

    /// The error this answer stands for (any status; used for non-2xx).
    pub fn to_error(&self) -> ApiError {
        let mut e = self.ctx.status_error(
            self.status,
            self.content_type(),
            &self.body,
            self.request_id(),
        );
        e.retry_at = self.retry_at;
        e
    }

    /// The answer if it is a success, else its parsed error.
    pub fn ok(self) -> Result<Self, ApiError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.to_error())
        }
    }

    /// Decodes the body; a body that is not the JSON the API documents is a `Decode` error
    /// that says what arrived instead.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode_error(&e.to_string()))
    }

    /// Accepts a write's success answer when its body is empty or JSON. Anything else (a
    /// proxy's HTML page answered with 200, a body cut short) is a `Decode` error: the call's
    /// effect is then unknown, and saying it worked would be a guess.
    pub fn expect_ack(&self) -> Result<(), ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        serde_json::from_slice::<serde::de::IgnoredAny>(&self.body)
            .map(|_| ())
            .map_err(|e| self.decode_error(&e.to_string()))
    }

    pub fn decode_error(&self, what: &str) -> ApiError {
        let text = String::from_utf8_lossy(&self.body);
        let t = text.trim_start();
        let message = if t.starts_with('{') || t.starts_with('[') {
            shorten(what)
        } else if t.is_empty() {
            "empty body where JSON was expected".to_string()
        } else {
            parse_error_body(self.content_type(), &self.body)
                .message
                .into_string()
        };
        let mut e = self.ctx.error(ErrorKind::Decode, message);
        e.status = Some(self.status);
        e
    }
}

/// reqwest is built without a TLS crypto provider (`rustls-no-provider`); this installs ring
/// for the process. Idempotent: a second install fails harmlessly. Call it before building any
/// other `reqwest::Client`.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The shared client. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    opts: HttpOptions,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
    rates: RateLimitBoard,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("opts", &self.inner.opts)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    pub fn new(opts: HttpOptions) -> anyhow::Result<Self> {
        ensure_crypto_provider();
        let client = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .user_agent(concat!("ssodesk/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the credential to another host; report it instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up the HTTP client: {e}"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                opts,
                semaphores: Mutex::new(HashMap::new()),
                rates: RateLimitBoard::new(),
            }),
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.inner.opts
    }

    /// Rate-limit state of every API root called so far (for the TUI).
    pub fn rate_limits(&self) -> RateLimitBoard {
        self.inner.rates.clone()
    }

    fn semaphore(&self, key: &str) -> Arc<Semaphore> {
        let mut map = self
            .inner
            .semaphores
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Semaphore::new(self.inner.opts.per_host_concurrency.max(1)))
            })
            .clone()
    }

    /// Sends `req`, retrying as its policy allows; an answer of any status is `Ok`.
    pub async fn execute(&self, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
        let opts = &self.inner.opts;
        let rates = &self.inner.rates;
        let ctx = req.context();
        let sem = self.semaphore(&req.limit_key);
        let mut attempt: u32 = 0;
        loop {
            let mut asked = false;
            // Counted as out from here; released if no answer is recorded, however the
            // call ends (an error, or the caller dropping it).
            let slot = loop {
                let hold = rates.reserve(
                    &req.limit_key,
                    req.provider,
                    &req.tenant,
                    opts.max_retry_wait,
                    asked,
                );
                let (Hold::Go(wait) | Hold::Ask(wait)) = hold;
                let slot = matches!(hold, Hold::Go(_)).then(|| Slot::new(rates, &req.limit_key));
                if !wait.is_zero() {
                    tracing::debug!(tenant = %req.tenant, api = req.provider.id(), wait_ms = wait.as_millis() as u64, "rate limit: holding a call");
                    tokio::time::sleep(wait).await;
                    rates.done_waiting(&req.limit_key);
                }
                if let Some(slot) = slot {
                    break slot;
                }
                asked = true;
            };
            let outcome = {
                let permit = sem.acquire().await;
                match permit {
                    Ok(_permit) => self.send_once(req, &ctx).await,
                    Err(_) => Err(ctx.error(ErrorKind::Request, "HTTP layer shut down")),
                }
            };
            let retries_left = attempt < opts.max_retries;
            match outcome {
                Ok(mut resp) => {
                    let now = SystemTime::now();
                    let rate = parse_rate_headers(&resp.headers, now);
                    let retry_after = resp
                        .headers
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, now));
                    let throttled = resp.status == 429;
                    slot.answered(&rate, throttled, retry_after);
                    if !req.retry.on_status(resp.status) || !retries_left {
                        if throttled {
                            resp.retry_at = retry_after.or(rate.reset_in).map(|d| {
                                Utc::now() + chrono::Duration::from_std(d).unwrap_or_default()
                            });
                        }
                        return Ok(resp);
                    }
                    let hint = if throttled {
                        retry_after.or(rate.reset_in)
                    } else {
                        retry_after
                    };
                    if let Some(h) = hint.filter(|h| *h > opts.max_retry_wait) {
                        resp.retry_at =
                            Some(Utc::now() + chrono::Duration::from_std(h).unwrap_or_default());
                        return Ok(resp);
                    }
                    tracing::debug!(tenant = %req.tenant, api = req.provider.id(), endpoint = %ctx.endpoint, status = resp.status, attempt, "retrying");
                    match hint {
                        // A 429 with a reset is waited out by the pacing at the top of the
                        // loop, which also holds every other call to this root.
                        Some(h) if throttled && !h.is_zero() => {}
                        Some(h) if !h.is_zero() => tokio::time::sleep(h).await,
                        _ => {
                            tokio::time::sleep(backoff(
                                attempt,
                                opts.backoff_base,
                                opts.backoff_max,
                            ))
                            .await
                        }
                    }
                }
                Err(e)
                    if e.kind == ErrorKind::Connect
                        && req.retry.on_connect_error()
                        && retries_left =>
                {
                    tracing::debug!(tenant = %req.tenant, api = req.provider.id(), endpoint = %ctx.endpoint, attempt, "connection failed, retrying");
                    tokio::time::sleep(backoff(attempt, opts.backoff_base, opts.backoff_max)).await;
                }
                Err(e) => return Err(e),
            }
            attempt += 1;
        }
    }

    /// Sends and requires a success status.
    pub async fn send(&self, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
        self.execute(req).await?.ok()
    }

    /// Sends, requires success, decodes JSON.
    pub async fn json<T: DeserializeOwned>(&self, req: &ApiRequest) -> Result<T, ApiError> {
        self.send(req).await?.json()
    }

    async fn send_once(
        &self,
        req: &ApiRequest,
        ctx: &CallContext,
    ) -> Result<ApiResponse, ApiError> {
        let cap = self.inner.opts.max_body_bytes;
        let mut rb = self
            .inner
            .client
            .request(req.method.clone(), req.url.clone())
            .header(header::ACCEPT, req.accept);
        if let Some(auth) = &req.auth {
            let mut v = HeaderValue::from_str(auth.expose()).map_err(|_| {
                ctx.error(
                    ErrorKind::Request,
                    "the credential holds characters that cannot go in an HTTP header",
                )
            })?;
            v.set_sensitive(true);
            rb = rb.header(header::AUTHORIZATION, v);
        }
        rb = match &req.body {
            RequestBody::Empty => rb,
            RequestBody::Json(v) => rb.json(v),
            RequestBody::Form(fields) => {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.expose()))
                    .collect();
                rb.form(&pairs)
            }
        };
        let mut resp = rb
            .send()
            .await
            .map_err(|e| self.transport_error(ctx, e, None))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let too_large = |status: u16| {
            let mut e = ctx.error(
                ErrorKind::TooLarge,
                format!("the answer is over the {} MiB cap", cap / (1024 * 1024)),
            );
            e.status = Some(status);
            e
        };
        if resp.content_length().is_some_and(|n| n > cap as u64) {
            return Err(too_large(status));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        return Err(too_large(status));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.transport_error(ctx, e, Some(status))),
            }
        }
        Ok(ApiResponse {
            ctx: ctx.clone(),
            url: req.url.clone(),
            status,
            headers,
            body,
            retry_at: None,
        })
    }

    fn transport_error(
        &self,
        ctx: &CallContext,
        e: reqwest::Error,
        status: Option<u16>,
    ) -> ApiError {
        let opts = &self.inner.opts;
        let (kind, message) = if e.is_timeout() {
            let limit = if e.is_connect() {
                opts.connect_timeout
            } else {
                opts.timeout
            };
            let message = match status {
                // The status line came, the body did not finish: a slow or stuck stream.
                Some(st) => format!(
                    "HTTP {st} arrived but its body did not finish within {}",
                    human_duration(limit)
                ),
                None => format!("no complete answer within {}", human_duration(limit)),
            };
            (ErrorKind::Timeout, message)
        } else if e.is_connect() {
            (ErrorKind::Connect, error_chain(e))
        } else if e.is_body() || e.is_decode() {
            (
                ErrorKind::Connect,
                format!(
                    "the connection broke while reading the answer: {}",
                    error_chain(e)
                ),
            )
        } else if e.is_builder() {
            (ErrorKind::Request, error_chain(e))
        } else {
            (ErrorKind::Connect, error_chain(e))
        };
        let mut err = ctx.error(kind, message);
        err.status = status;
        err
    }

    /// Reads every page: `step` turns one answer into its items and the next page's URL.
    /// Next URLs must stay on the first URL's origin; the page cap marks the list truncated.
    pub async fn paginate<T, F>(
        &self,
        first: ApiRequest,
        mut step: F,
    ) -> Result<Listing<T>, ApiError>
    where
        F: FnMut(&ApiResponse) -> Result<(Vec<T>, Option<Url>), ApiError>,
    {
        let origin = first.url.clone();
        let mut req = first;
        let mut out = Listing::default();
        loop {
            let resp = self.send(&req).await?;
            let (items, next) = step(&resp)?;
            out.items.extend(items);
            out.pages += 1;
            let Some(next) = next else {
                return Ok(out);
            };
            if !same_origin(&origin, &next) {
                return Err(resp.ctx.error(
                    ErrorKind::Request,
                    format!(
                        "the next-page link points to another host ({}); not following it",
                        SafeText::new(next.host_str().unwrap_or("?"))
                    ),
                ));
            }
            if out.pages >= self.inner.opts.max_pages {
                tracing::warn!(tenant = %req.tenant, api = req.provider.id(), endpoint = %resp.ctx.endpoint, pages = out.pages, "page cap reached; list truncated");
                out.truncated = true;
                return Ok(out);
            }
            if next == req.url {
                return Err(resp.ctx.error(
                    ErrorKind::Decode,
                    "the next-page link repeats the current page",
                ));
            }
            req.url = next;
        }
    }
}

/// The error and its causes, without the URL (it can hold a query string).
fn error_chain(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut parts = vec![e.to_string()];
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}

fn human_duration(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Resolves a next-page link (absolute or relative) against the current URL.
pub fn resolve_next(current: &Url, next: &str) -> Option<Url> {
    current.join(next.trim()).ok()
}
