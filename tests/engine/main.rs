//! The diagnostics and fix engine against the demo over loopback HTTP: every scripted problem
//! is found, every fix changes the demo and its re-check passes, a fix runs exactly once, is
//! refused read-only, is audited in start/end pairs, and a failed write is never resent.
//! Plus the `diagnose`, `fix` and `audit` commands as scripts run them.

mod cli;
mod diagnose;
mod fixes;

use ssodesk::demo::{DemoHandle, DemoOptions, DemoServer};
use ssodesk::http::{HttpClient, HttpOptions};
use ssodesk::snapshot::TenantClients;

pub async fn demo() -> DemoHandle {
    DemoServer::start(DemoOptions::for_tests())
        .await
        .expect("demo starts")
}

pub fn http() -> HttpClient {
    HttpClient::new(HttpOptions::for_tests()).expect("http client")
}

pub fn clients(d: &DemoHandle, http: &HttpClient, name: &str) -> TenantClients {
    TenantClients::new(http, &d.tenant(name).expect("demo tenant"))
}
