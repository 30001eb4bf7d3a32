//! Diagnostics: pure functions from a tenant's snapshot to findings.

mod catalog;
mod finding;

pub use catalog::{CATALOG, CheckInfo};
pub use finding::{Finding, Fix, FixKind, FixTarget, GroupRef, Status, TeamRef, UserRef};
