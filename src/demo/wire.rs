//! Each API's error body and small wire-format helpers, so every demo answer looks like the
//! real provider's.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

/// Which API a demo path belongs to (its first segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Okta,
    Graph,
    Login,
    Scim,
    Sp,
    Unknown,
}

impl Api {
    pub fn of_path(path: &str) -> Self {
        match path.trim_start_matches('/').split('/').next().unwrap_or("") {
            "okta" => Api::Okta,
            "graph" => Api::Graph,
            "login" => Api::Login,
            "scim" => Api::Scim,
            "sp" => Api::Sp,
            _ => Api::Unknown,
        }
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Okta writes milliseconds.
pub(crate) fn okta_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Graph's "never".
pub(crate) const NEVER: &str = "0001-01-01T00:00:00Z";

pub(crate) fn graph_time(t: Option<DateTime<Utc>>) -> Value {
    match t {
        Some(t) => json!(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        None => json!(NEVER),
    }
}

pub(crate) fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map(rfc3339).map_or(Value::Null, Value::String)
}

fn request_id() -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..0x1000),
        fastrand::u16(..0x1000),
        fastrand::u64(..0x1_0000_0000_0000)
    )
}

pub(crate) fn json_response(status: u16, content_type: &'static str, body: &Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (code, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub(crate) fn ok_json(body: &Value) -> Response {
    json_response(200, "application/json", body)
}

/// Okta's default code for a status.
fn okta_code(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("E0000001", "Api validation failed"),
        401 => ("E0000011", "Invalid token provided"),
        403 => (
            "E0000006",
            "You do not have permission to perform the requested action",
        ),
        404 => ("E0000007", "Not found: Resource not found"),
        405 => (
            "E0000022",
            "The endpoint does not support the provided HTTP method",
        ),
        429 => (
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        ),
        _ => ("E0000009", "Internal Server Error"),
    }
}

pub(crate) fn okta_error(
    status: u16,
    code: Option<&str>,
    summary: Option<&str>,
    causes: &[&str],
) -> Response {
    let (dc, ds) = okta_code(status);
    let code = code.unwrap_or(dc);
    let body = json!({
        "errorCode": code,
        "errorSummary": summary.unwrap_or(ds),
        "errorLink": code,
        "errorId": format!("oae{}", &request_id().replace('-', "")[..19]),
        "errorCauses": causes.iter().map(|c| json!({"errorSummary": c})).collect::<Vec<_>>(),
    });
    json_response(status, "application/json", &body)
}

fn graph_code(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("BadRequest", "Invalid request."),
        401 => (
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.",
        ),
        403 => (
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
        404 => (
            "Request_ResourceNotFound",
            "Resource does not exist or one of its queried reference-property objects are not present.",
        ),
        409 => ("Conflict", "The request conflicts with the current state."),
        429 => ("TooManyRequests", "Too many requests."),
        503 => (
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        ),
        _ => ("generalException", "An unspecified error has occurred."),
    }
}

pub(crate) fn graph_error(status: u16, code: Option<&str>, message: Option<&str>) -> Response {
    let (dc, dm) = graph_code(status);
    let rid = request_id();
    let body = json!({ "error": {
        "code": code.unwrap_or(dc),
        "message": message.unwrap_or(dm),
        "innerError": {
            "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": rid,
            "client-request-id": rid,
        }
    }});
    let mut r = json_response(status, "application/json", &body);
    if let Ok(v) = HeaderValue::from_str(&rid) {
        r.headers_mut().insert("request-id", v);
    }
    r
}

/// The token endpoint's OAuth 2.0 error.
pub(crate) fn login_error(status: u16, error: &str, description: &str, code: u32) -> Response {
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description} Trace ID: {} Timestamp: {}", request_id(), rfc3339(Utc::now())),
        "error_codes": [code],
        "timestamp": Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        "trace_id": request_id(),
        "correlation_id": request_id(),
    });
    json_response(status, "application/json", &body)
}

pub(crate) fn scim_error(
    status: u16,
    scim_type: Option<&str>,
    detail: &str,
    numeric_status: bool,
    content_type: &'static str,
) -> Response {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": if numeric_status { json!(status) } else { json!(status.to_string()) },
        "detail": detail,
    });
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    json_response(status, content_type, &body)
}

fn sp_code(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        429 => "rate_limited",
        503 => "unavailable",
        _ => "internal",
    }
}

pub(crate) fn sp_error(status: u16, code: Option<&str>, message: &str) -> Response {
    let body = json!({ "error": { "code": code.unwrap_or(sp_code(status)), "message": message } });
    json_response(status, "application/json", &body)
}

/// The provider's error body for `status`, with its default code and message.
pub(crate) fn provider_error(api: Api, status: u16) -> Response {
    match api {
        Api::Okta => okta_error(status, None, None, &[]),
        Api::Graph => graph_error(status, None, None),
        Api::Login => login_error(
            status,
            "temporarily_unavailable",
            "The service is temporarily unavailable.",
            50196,
        ),
        Api::Scim => scim_error(
            status,
            None,
            "Injected demo failure.",
            false,
            "application/scim+json",
        ),
        Api::Sp | Api::Unknown => sp_error(status, None, "Injected demo failure."),
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

pub(crate) fn ssws(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("ssws").then_some(token.trim())
}
