//! One-key fixes: plan (the exact calls), confirm, execute once, audit, re-check.
//!
//! A [`Plan`] is built from a finding's [`Fix`](crate::checks::Fix) and the tenant's clients;
//! it lists every HTTP call it will make, credentials hidden, so the confirmation popup and
//! `--dry-run` show exactly what will be sent. The [`Executor`] runs a plan at most once at a
//! time per tenant, kind and target, writes the audit log before and after, and never retries
//! a write blindly (the HTTP layer's write calls do not retry after the server may have acted).

mod exec;
mod plan;
mod recheck;

pub use exec::{Executor, FixError, Outcome, StepReport};
pub use plan::{Op, Plan, PlanError, Step, build_plan};
pub use recheck::{Recheck, recheck_passed};

/// Entra's documented limit for provisionOnDemand is 5 calls per 10 seconds; one call every
/// 2 s stays under it with no bookkeeping.
pub const ON_DEMAND_SPACING: std::time::Duration = std::time::Duration::from_secs(2);

/// `resetScope` for restarting a quarantined job: lift quarantine, stop retrying recorded
/// failures, re-evaluate everyone (what the portal's "Restart provisioning" does).
pub const RESTART_RESET_SCOPE: &str = "Watermark, Escrows, QuarantineState";
