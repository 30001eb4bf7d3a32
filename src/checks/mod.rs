//! Diagnostics: pure functions from a tenant's snapshot to findings.

mod catalog;

pub use catalog::{CATALOG, CheckInfo};
