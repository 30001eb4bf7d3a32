//! ssodesk: a terminal console for troubleshooting SSO and SCIM provisioning.
//!
//! The pipeline, one module each:
//! `kb` (articles) -> `search` (ranked answers);
//! `config` (tenants) -> providers (HTTP) -> snapshot -> `checks` (findings) -> fixes.

pub mod audit;
pub mod checks;
pub mod cli;
pub mod config;
pub mod demo;
pub mod diagnose;
pub mod display;
pub mod fixes;
pub mod http;
pub mod kb;
pub mod paths;
pub mod providers;
pub mod report;
pub mod sanitize;
pub mod search;
pub mod secret;
pub mod session;
pub mod snapshot;
pub mod tenant;
pub mod tui;
