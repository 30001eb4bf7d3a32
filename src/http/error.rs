//! The one error type of every HTTP call, and the parsing of each provider's error body.
//!
//! An [`ApiError`] is plain data (no secret, no live handle), so it can sit in a `Snapshot`,
//! be cloned into the TUI and be printed with `--json`. Every string in it came through
//! `crate::sanitize`.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::sanitize::{SafeText, clean_line};

/// Which API a call went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Okta Management API.
    Okta,
    /// Microsoft Graph.
    Graph,
    /// Microsoft identity platform token endpoint (client credentials).
    Login,
    /// The SP's SCIM 2.0 endpoint.
    Scim,
    /// The SP admin API.
    Sp,
}

impl Provider {
    /// The stable id (`okta`, `graph`, `login`, `scim`, `sp`).
    pub fn id(self) -> &'static str {
        match self {
            Provider::Okta => "okta",
            Provider::Graph => "graph",
            Provider::Login => "login",
            Provider::Scim => "scim",
            Provider::Sp => "sp",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Okta => "Okta API",
            Provider::Graph => "Microsoft Graph",
            Provider::Login => "Entra token endpoint",
            Provider::Scim => "SCIM endpoint",
            Provider::Sp => "SP admin API",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What went wrong, coarsely: the checks map these to `unavailable` or `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No connection (refused, DNS, TLS handshake, reset before an answer).
    Connect,
    /// No complete answer within the timeout.
    Timeout,
    /// The server answered with a non-success HTTP status.
    Status,
    /// A success status, but the body is not what the API documents.
    Decode,
    /// The body exceeded the size cap.
    TooLarge,
    /// The request could not be built or was refused locally (bad URL, a pagination link to
    /// another host, too many pages).
    Request,
}

/// One failed call: who, where, what the server said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    pub tenant: String,
    pub provider: Provider,
    pub method: String,
    /// URL path only: no host, no query string.
    pub endpoint: SafeText,
    pub status: Option<u16>,
    pub kind: ErrorKind,
    /// The provider's error code: Okta `errorCode`, Graph/SP `error.code`, SCIM `scimType`,
    /// OAuth `error`.
    pub code: Option<SafeText>,
    /// The provider's message, or a plain description (HTML and garbage bodies are cut short).
    pub message: SafeText,
    /// Okta `errorCauses[].errorSummary`, Graph nested inner error codes.
    pub causes: Vec<SafeText>,
    /// Okta `errorId`, Graph `innerError.request-id` or the `request-id` header.
    pub request_id: Option<SafeText>,
    /// When a rate limit will let the call through again (429 that was not waited out).
    pub retry_at: Option<DateTime<Utc>>,
}

/// Who made a call; the part of an [`ApiError`] known before the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CallContext {
    pub tenant: String,
    pub provider: Provider,
    pub method: String,
    pub endpoint: SafeText,
}

impl CallContext {
    pub fn error(&self, kind: ErrorKind, message: impl AsRef<str>) -> ApiError {
        ApiError {
            tenant: self.tenant.clone(),
            provider: self.provider,
            method: self.method.clone(),
            endpoint: self.endpoint.clone(),
            status: None,
            kind,
            code: None,
            message: SafeText::new(message.as_ref()),
            causes: Vec::new(),
            request_id: None,
            retry_at: None,
        }
    }

    /// The error for a non-success answer, with the provider's body parsed.
    pub fn status_error(
        &self,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
        request_id_header: Option<&str>,
    ) -> ApiError {
        let parsed = parse_error_body(content_type, body);
        let mut e = self.error(ErrorKind::Status, parsed.message.as_str());
        e.status = Some(status);
        e.code = parsed.code;
        e.causes = parsed.causes;
        e.request_id = parsed
            .request_id
            .or_else(|| request_id_header.map(SafeText::new))
            .filter(|s| !s.is_empty());
        if e.message.is_empty() {
            e.message = SafeText::new(&format!("HTTP {status} with an empty body"));
        }
        e
    }
}

impl ApiError {
    pub fn is_status(&self, status: u16) -> bool {
        self.status == Some(status)
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// 401 or 403: the credentials were refused.
    pub fn is_auth(&self) -> bool {
        matches!(self.status, Some(401 | 403))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tenant {}: {} {} {}: ",
            self.tenant, self.provider, self.method, self.endpoint
        )?;
        match self.kind {
            ErrorKind::Status => {
                if let Some(s) = self.status {
                    write!(f, "HTTP {s}")?;
                }
                if let Some(c) = &self.code {
                    write!(f, " {c}")?;
                }
                write!(f, ": {}", self.message)?;
                if !self.causes.is_empty() {
                    let causes: Vec<&str> = self.causes.iter().map(SafeText::as_str).collect();
                    write!(f, " ({})", causes.join("; "))?;
                }
            }
            ErrorKind::Connect => write!(f, "could not connect: {}", self.message)?,
            ErrorKind::Timeout => write!(f, "timed out: {}", self.message)?,
            ErrorKind::Decode => {
                if let Some(s) = self.status {
                    write!(f, "HTTP {s}, ")?;
                }
                write!(f, "unexpected answer: {}", self.message)?;
            }
            ErrorKind::TooLarge => {
                if let Some(s) = self.status {
                    write!(f, "HTTP {s}, ")?;
                }
                write!(f, "answer too large: {}", self.message)?;
            }
            ErrorKind::Request => write!(f, "request refused: {}", self.message)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if let Some(at) = self.retry_at {
            write!(f, " [rate limited until {}]", at.format("%H:%M:%S UTC"))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The provider's error, as far as the body tells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedError {
    pub code: Option<SafeText>,
    pub message: SafeText,
    pub causes: Vec<SafeText>,
    pub request_id: Option<SafeText>,
}

/// How much of a non-JSON body an error message keeps.
const PLAIN_MESSAGE_CHARS: usize = 200;

/// Reads any of the known error shapes: Okta, Graph / SP (`{"error":{...}}`), OAuth
/// (`{"error":"...","error_description":...}`) and SCIM (`status` string or number). An HTML
/// page or garbage gives a short plain message instead.
pub fn parse_error_body(content_type: Option<&str>, body: &[u8]) -> ParsedError {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        && let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed)
    {
        if let Some(p) = parse_error_object(&map) {
            return p;
        }
        return ParsedError {
            message: SafeText::new(&format!(
                "JSON error body of an unknown shape: {}",
                shorten(&clean_line(trimmed))
            )),
            ..ParsedError::default()
        };
    }
    let is_html = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || trimmed.starts_with('<');
    let message = if trimmed.is_empty() {
        String::new()
    } else if is_html {
        format!(
            "HTML page instead of JSON: {}",
            shorten(&html_summary(trimmed))
        )
    } else {
        format!("not JSON: {}", shorten(&clean_line(trimmed)))
    };
    ParsedError {
        message: SafeText::new(&message),
        ..ParsedError::default()
    }
}

fn parse_error_object(map: &serde_json::Map<String, Value>) -> Option<ParsedError> {
    let s = |v: Option<&Value>| -> Option<SafeText> {
        match v? {
            Value::String(s) if !s.trim().is_empty() => Some(SafeText::new(s)),
            Value::Number(n) => Some(SafeText::new(&n.to_string())),
            _ => None,
        }
    };
    // Okta
    if map.contains_key("errorCode") || map.contains_key("errorSummary") {
        let causes = map
            .get("errorCauses")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| s(c.get("errorSummary")))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        return Some(ParsedError {
            code: s(map.get("errorCode")),
            message: s(map.get("errorSummary")).unwrap_or_default(),
            causes,
            request_id: s(map.get("errorId")),
        });
    }
    match map.get("error") {
        // Graph and the SP admin API
        Some(Value::Object(err)) => {
            let inner = err
                .get("innerError")
                .or_else(|| err.get("innererror"))
                .and_then(Value::as_object);
            let mut causes = Vec::new();
            let mut request_id = None;
            let mut cur = inner;
            // Graph nests inner errors; their codes are the more specific causes.
            while let Some(i) = cur {
                if request_id.is_none() {
                    request_id = s(i.get("request-id")).or_else(|| s(i.get("requestId")));
                }
                if let Some(c) = s(i.get("code")) {
                    causes.push(c);
                }
                cur = i
                    .get("innerError")
                    .or_else(|| i.get("innererror"))
                    .and_then(Value::as_object);
            }
            return Some(ParsedError {
                code: s(err.get("code")),
                message: s(err.get("message")).unwrap_or_default(),
                causes,
                request_id,
            });
        }
        // OAuth 2.0 (the Entra token endpoint)
        Some(Value::String(code)) => {
            return Some(ParsedError {
                code: Some(SafeText::new(code)),
                message: s(map.get("error_description")).unwrap_or_default(),
                causes: Vec::new(),
                request_id: s(map.get("trace_id")).or_else(|| s(map.get("correlation_id"))),
            });
        }
        _ => {}
    }
    // SCIM (RFC 7644 3.12); `status` may be a string or a number.
    let is_scim = map
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|v| v.as_str().is_some_and(|u| u.ends_with(":Error")))
        })
        || map.contains_key("scimType")
        || map.contains_key("detail");
    if is_scim {
        let status = s(map.get("status"));
        let detail = s(map.get("detail"))
            .or_else(|| {
                status
                    .as_ref()
                    .map(|st| SafeText::new(&format!("SCIM error {st}")))
            })
            .unwrap_or_default();
        return Some(ParsedError {
            code: s(map.get("scimType")),
            message: detail,
            causes: Vec::new(),
            request_id: None,
        });
    }
    // Some servers answer a bare {"message": "..."}.
    s(map.get("message")).map(|m| ParsedError {
        code: s(map.get("code")),
        message: m,
        causes: Vec::new(),
        request_id: None,
    })
}

/// The page title if there is one, else the text with tags removed.
fn html_summary(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        let from = start + "<title>".len();
        if from <= end
            && let Some(title) = html.get(from..end)
        {
            let t = clean_line(title);
            if !t.is_empty() {
                return t;
            }
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
        if out.len() > PLAIN_MESSAGE_CHARS * 8 {
            break;
        }
    }
    clean_line(&out)
}

/// Cuts a message at [`PLAIN_MESSAGE_CHARS`] characters.
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= PLAIN_MESSAGE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(PLAIN_MESSAGE_CHARS).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ParsedError {
        parse_error_body(Some("application/json"), body.as_bytes())
    }

    #[test]
    fn okta_body() {
        let p = parse(
            r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: feature","errorLink":"E0000001","errorId":"oae123","errorCauses":[{"errorSummary":"Provisioning is not enabled for the app instance."}]}"#,
        );
        assert_eq!(p.code.as_deref(), Some("E0000001"));
        assert_eq!(p.message.as_str(), "Api validation failed: feature");
        assert_eq!(
            p.causes[0].as_str(),
            "Provisioning is not enabled for the app instance."
        );
        assert_eq!(p.request_id.as_deref(), Some("oae123"));
    }

    #[test]
    fn graph_body_with_nested_inner_error() {
        let p = parse(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges","innerError":{"code":"x1","request-id":"r-1","date":"2026-01-01T00:00:00","innerError":{"code":"x2"}}}}"#,
        );
        assert_eq!(p.code.as_deref(), Some("Authorization_RequestDenied"));
        assert_eq!(p.request_id.as_deref(), Some("r-1"));
        let causes: Vec<&str> = p.causes.iter().map(SafeText::as_str).collect();
        assert_eq!(causes, vec!["x1", "x2"]);
    }

    #[test]
    fn sp_and_oauth_bodies() {
        let p = parse(r#"{"error":{"code":"not_found","message":"no org"}}"#);
        assert_eq!(p.code.as_deref(), Some("not_found"));
        assert_eq!(p.message.as_str(), "no org");
        let p = parse(
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","trace_id":"t1"}"#,
        );
        assert_eq!(p.code.as_deref(), Some("invalid_client"));
        assert!(p.message.starts_with("AADSTS7000215"));
        assert_eq!(p.request_id.as_deref(), Some("t1"));
    }

    #[test]
    fn scim_status_string_or_number() {
        for body in [
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}"#,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":409,"scimType":"uniqueness","detail":"taken"}"#,
        ] {
            let p = parse_error_body(Some("text/json"), body.as_bytes());
            assert_eq!(p.code.as_deref(), Some("uniqueness"));
            assert_eq!(p.message.as_str(), "taken");
        }
        let p =
            parse(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":401}"#);
        assert_eq!(p.message.as_str(), "SCIM error 401");
    }

    #[test]
    fn html_is_summarised_not_flooded() {
        let mut html =
            String::from("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>");
        html.push_str(&"<p>noise</p>".repeat(5000));
        let p = parse_error_body(Some("text/html"), html.as_bytes());
        assert_eq!(
            p.message.as_str(),
            "HTML page instead of JSON: 502 Bad Gateway"
        );
        let p = parse_error_body(
            None,
            "<html><body><h1>Oops \x1b[2J</h1></body></html>".as_bytes(),
        );
        assert_eq!(p.message.as_str(), "HTML page instead of JSON: Oops");
    }

    #[test]
    fn garbage_is_cut_short_and_clean() {
        let junk = format!("\x1b]0;pwned\x07{}", "x".repeat(10_000));
        let p = parse_error_body(None, junk.as_bytes());
        assert!(p.message.chars().count() < 230, "{}", p.message.len());
        assert!(!p.message.contains('\x1b'));
        let p = parse(r#"{"error":{"code":"x""#);
        assert!(p.message.starts_with("not JSON"), "{}", p.message);
    }

    #[test]
    fn display_is_one_line_naming_everything() {
        let ctx = CallContext {
            tenant: "acme".into(),
            provider: Provider::Okta,
            method: "GET".into(),
            endpoint: SafeText::new("/api/v1/apps/0oa1/features/USER_PROVISIONING"),
        };
        let e = ctx.status_error(
            400,
            Some("application/json"),
            br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: feature","errorCauses":[{"errorSummary":"Provisioning is not enabled for the app instance."}]}"#,
            None,
        );
        let s = e.to_string();
        assert!(!s.contains('\n'));
        for part in [
            "acme",
            "Okta",
            "GET",
            "/api/v1/apps/0oa1",
            "HTTP 400",
            "E0000001",
        ] {
            assert!(s.contains(part), "{s} lacks {part}");
        }
    }
}
