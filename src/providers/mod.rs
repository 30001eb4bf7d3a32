//! Typed clients for the four APIs ssodesk reads: Okta, Microsoft Graph, SCIM 2.0 and the SP
//! admin API. Each returns model types whose text is [`SafeText`](crate::sanitize::SafeText)
//! and whose errors are [`ApiError`](crate::http::ApiError)s.
//!
//! Write calls come in pairs: `plan_x(..)` returns the exact call as a [`PlannedCall`] (for
//! the confirmation popup and `--dry-run`) and `x(..)` sends that same request.

pub mod de;
pub mod graph;
pub mod okta;
pub mod scim;
pub mod sp;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::http::{ApiRequest, Provider, RequestBody};

pub use graph::GraphClient;
pub use okta::OktaClient;
pub use scim::ScimClient;
pub use sp::SpClient;

/// What a write call's answer said, for the fix report and the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub status: u16,
    pub request_id: Option<String>,
}

impl Sent {
    pub fn of(resp: &crate::http::ApiResponse) -> Self {
        Self {
            status: resp.status,
            request_id: resp.request_id().map(crate::sanitize::clean_line),
        }
    }
}

/// A write call as it will be sent, minus the credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedCall {
    pub tenant: String,
    pub provider: Provider,
    pub method: String,
    pub url: String,
    /// The `Authorization` scheme with the credential hidden, e.g. `SSWS ***`.
    pub auth: String,
    pub body: Option<Value>,
}

impl PlannedCall {
    pub fn of(req: &ApiRequest) -> Self {
        let auth = match &req.auth {
            Some(a) => {
                let scheme = a.expose().split_whitespace().next().unwrap_or("");
                format!("{scheme} ***")
            }
            None => String::new(),
        };
        Self {
            tenant: req.tenant.clone(),
            provider: req.provider,
            method: req.method.to_string(),
            url: req.url.to_string(),
            auth,
            body: match &req.body {
                RequestBody::Json(v) => Some(v.clone()),
                _ => None,
            },
        }
    }
}

impl fmt::Display for PlannedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)?;
        if let Some(b) = &self.body {
            write!(f, " {b}")?;
        }
        Ok(())
    }
}
