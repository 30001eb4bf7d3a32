//! Fetching every demo tenant gives snapshots in which each scripted problem is visible, and
//! a failing call leaves the rest of the data in place.

use chrono::Utc;
use ssodesk::demo::{Fault, FaultRule};
use ssodesk::providers::graph::JobCode;
use ssodesk::providers::okta::{MappingStatus, ProvisioningFeature, SyncState};
use ssodesk::providers::sp::SpUserStatus;
use ssodesk::snapshot::{Snapshot, Source, TenantClients, fetch};

use crate::common::*;

async fn all(d: &ssodesk::demo::DemoHandle) -> Vec<Snapshot> {
    let http = http();
    let tenants = d.tenants();
    futures::future::join_all(tenants.iter().map(|t| fetch(&http, t))).await
}

fn by<'a>(snaps: &'a [Snapshot], name: &str) -> &'a Snapshot {
    snaps.iter().find(|s| s.tenant == name).expect(name)
}

#[tokio::test]
async fn every_tenant_fetches_without_errors() {
    let d = demo().await;
    let snaps = all(&d).await;
    assert_eq!(snaps.len(), 5);
    for s in &snaps {
        let errors: Vec<String> = s.errors().iter().map(|e| e.to_string()).collect();
        // initech's SCIM token is rejected on purpose.
        let expected = if s.tenant == "initech" { 2 } else { 0 };
        assert_eq!(errors.len(), expected, "{}: {errors:#?}", s.tenant);
        assert!(s.sp.is_configured());
        assert!(s.fetched_at <= Utc::now());
    }
    assert!(!by(&snaps, "acme").azure.is_configured());
    assert!(!by(&snaps, "globex").okta.is_configured());
}

#[tokio::test]
async fn scripted_problems_are_in_the_data() {
    let d = demo().await;
    let snaps = all(&d).await;

    let acme = by(&snaps, "acme");
    let okta = acme.okta.get().expect("okta");
    let Ok(ProvisioningFeature::Available(f)) = &okta.provisioning else {
        panic!("acme feature");
    };
    assert_eq!(f.disabled_capabilities(), vec!["deactivate users"]);
    let mappings = okta.push_mappings.as_ref().expect("mappings");
    let groups = okta.app_groups.as_ref().expect("groups");
    let unmapped: Vec<&str> = groups
        .iter()
        .filter(|g| !mappings.iter().any(|m| m.source_group_id == g.id))
        .filter_map(|g| g.name.as_deref())
        .collect();
    assert_eq!(unmapped, vec!["Sales"]);
    let both: Vec<&str> = groups
        .iter()
        .filter(|g| mappings.iter().any(|m| m.source_group_id == g.id))
        .filter_map(|g| g.name.as_deref())
        .collect();
    assert_eq!(both, vec!["Everyone at Acme"]);
    let errored = mappings
        .iter()
        .find(|m| m.status == MappingStatus::Error)
        .expect("error mapping");
    assert_eq!(
        okta.group_name(&errored.source_group_id),
        Some("Engineering")
    );
    let users = okta.app_users.as_ref().expect("app users");
    assert_eq!(
        users
            .iter()
            .filter(|u| u.sync_state == Some(SyncState::Error))
            .count(),
        1
    );
    let sp_users = acme.sp.get().expect("sp").users.as_ref().expect("sp users");
    let missing: Vec<&str> = users
        .iter()
        .filter(|u| u.external_id.is_some())
        .filter_map(|u| u.login())
        .filter(|e| !sp_users.iter().any(|s| s.email.eq_ignore_ascii_case(e)))
        .collect();
    assert_eq!(missing, vec!["dana@acme.example"]);

    let globex = by(&snaps, "globex");
    let az = globex.azure.get().expect("azure");
    let job = &az.jobs.as_ref().expect("jobs")[0];
    assert_eq!(job.code(), Some(&JobCode::Quarantine));
    let lag = globex.fetched_at - job.last_success_end().expect("success");
    assert!((94..=96).contains(&lag.num_minutes()));
    let sp_users = globex.sp.get().expect("sp").users.as_ref().expect("users");
    let missing: Vec<&str> = az
        .assigned_users
        .as_ref()
        .expect("assigned")
        .iter()
        .filter_map(|a| a.user.mail.as_deref())
        .filter(|m| !sp_users.iter().any(|u| u.email.eq_ignore_ascii_case(m)))
        .collect();
    assert_eq!(missing, vec!["quinn@globex.example"]);
    let scim = globex.scim.get().expect("scim");
    let probe = scim.probe.as_ref().expect("probe");
    assert_eq!(probe.status(), 404);
    assert!(!probe.non_integer_counts().is_empty());

    let initech = by(&snaps, "initech");
    assert!(matches!(
        initech.okta.get().expect("okta").provisioning,
        Ok(ProvisioningFeature::NotEnabled { .. })
    ));
    assert!(
        initech
            .scim
            .get()
            .expect("scim")
            .probe
            .as_ref()
            .expect("probe")
            .is_auth_failure()
    );

    let umbrella = by(&snaps, "umbrella");
    let job = &umbrella
        .azure
        .get()
        .expect("azure")
        .jobs
        .as_ref()
        .expect("jobs")[0];
    assert_eq!(
        (job.code(), job.last_success_end()),
        (Some(&JobCode::Paused), None)
    );

    let hooli = by(&snaps, "hooli");
    let sp = hooli.sp.get().expect("sp");
    assert!(
        sp.users
            .as_ref()
            .expect("users")
            .iter()
            .all(|u| u.status == SpUserStatus::Accepted)
    );
    let job = &hooli
        .azure
        .get()
        .expect("azure")
        .jobs
        .as_ref()
        .expect("jobs")[0];
    assert_eq!(job.code(), Some(&JobCode::Active));
    assert!((hooli.fetched_at - job.last_success_end().expect("success")).num_minutes() < 40);
    assert!(
        hooli
            .scim
            .get()
            .expect("scim")
            .probe
            .as_ref()
            .expect("probe")
            .is_compliant_not_found()
    );
}

#[tokio::test]
async fn a_failed_call_keeps_the_rest() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    d.set_fault(FaultRule::new(
        Some("GET"),
        okta_app_path(&t, "/group-push/mappings"),
        Fault::Status { status: 403 },
    ));
    let snap = TenantClients::new(&http, &t).snapshot().await;
    let okta = snap.okta.get().expect("okta");
    assert!(okta.app.is_ok() && okta.app_users.is_ok() && okta.app_groups.is_ok());
    let e = okta.push_mappings.as_ref().expect_err("mappings failed");
    assert_eq!((e.status, e.code.as_deref()), (Some(403), Some("E0000006")));
    assert!(okta.mapping_groups.is_empty());
    assert_eq!(snap.errors().len(), 1);
    // Plain data: it serializes, and carries the error as data.
    let json = serde_json::to_value(&snap).expect("json");
    assert_eq!(json["okta"]["state"], "configured");
    assert_eq!(json["okta"]["data"]["push_mappings"]["Err"]["status"], 403);
    assert!(matches!(snap.azure, Source::NotConfigured));
}

#[tokio::test]
async fn fetch_runs_calls_concurrently() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "hooli");
    let clients = TenantClients::new(&http, &t);
    clients.snapshot().await; // token and connections warm
    d.set_global_latency(std::time::Duration::from_millis(100));
    let start = std::time::Instant::now();
    let snap = clients.snapshot().await;
    let took = start.elapsed();
    assert!(snap.errors().is_empty());
    let calls = d.requests().iter().map(|r| r.count).sum::<u64>();
    eprintln!("hooli snapshot with 100 ms per call: {took:?} ({calls} calls in both fetches)");
    // The longest chain (app users: 2 pages, or assignments then lookups) is a few calls
    // deep; sequentially it would be every call.
    assert!(
        took < std::time::Duration::from_millis(100 * 8),
        "{took:?} for {calls} calls"
    );
}
