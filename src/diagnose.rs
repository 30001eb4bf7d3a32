//! Fetch, then check: one tenant, or many at once (bounded), within the HTTP layer's
//! per-host limits. The TUI, `ssodesk diagnose` and the fix re-check all come through here.

use futures::StreamExt;
use futures::stream;

use crate::checks;
use crate::report::TenantReport;
use crate::snapshot::{Snapshot, TenantClients};

/// Tenants checked at the same time in a sweep. Calls to one host are capped separately by
/// the HTTP layer, so this bounds memory and open connections, not per-API load.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// The snapshot and its findings for one tenant.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub snapshot: Snapshot,
    pub report: TenantReport,
}

pub async fn diagnose(clients: &TenantClients) -> Diagnosis {
    let snapshot = clients.snapshot().await;
    report_of(snapshot)
}

/// Runs only the named checks (e.g. the ones an article lists).
pub async fn diagnose_some(clients: &TenantClients, ids: &[String]) -> Diagnosis {
    let snapshot = clients.snapshot().await;
    let findings = checks::run_some(&snapshot, ids);
    let report = TenantReport {
        tenant: snapshot.tenant.clone(),
        checked_at: snapshot.fetched_at,
        findings,
    };
    Diagnosis { snapshot, report }
}

pub fn report_of(snapshot: Snapshot) -> Diagnosis {
    let report = TenantReport {
        tenant: snapshot.tenant.clone(),
        checked_at: snapshot.fetched_at,
        findings: checks::run_all(&snapshot),
    };
    Diagnosis { snapshot, report }
}

/// Every tenant, at most `concurrency` at a time; results in the order given.
pub async fn diagnose_all(tenants: &[TenantClients], concurrency: usize) -> Vec<Diagnosis> {
    stream::iter(tenants.iter().map(diagnose))
        .buffered(concurrency.max(1))
        .collect()
        .await
}
