use std::time::Duration;

use ssodesk::audit::{AuditLog, Event, Outcome as AuditOutcome, unfinished};
use ssodesk::checks::{Fix, FixKind, Status};
use ssodesk::demo::{DemoHandle, Fault, FaultRule, LatencyRule};
use ssodesk::diagnose::diagnose;
use ssodesk::fixes::{Executor, FixError, Recheck, build_plan};
use ssodesk::snapshot::TenantClients;

use super::{clients, demo, http};

fn executor(dir: &tempfile::TempDir, read_only: bool) -> Executor {
    Executor::new(AuditLog::new(dir.path().join("audit.jsonl")), read_only)
}

/// The fix the tenant's findings offer for `kind`, with the check that offered it.
async fn offered(c: &TenantClients, kind: FixKind) -> (String, Fix) {
    let d = diagnose(c).await;
    d.report
        .findings
        .iter()
        .find_map(|f| {
            f.fix
                .as_ref()
                .filter(|x| x.kind == kind)
                .map(|x| (f.check.clone(), x.clone()))
        })
        .unwrap_or_else(|| panic!("{} offers no {kind}", c.tenant))
}

/// Runs the offered fix and returns the re-check of the finding that offered it.
async fn fix_and_recheck(d: &DemoHandle, tenant: &str, kind: FixKind) -> Recheck {
    let http = http();
    let c = clients(d, &http, tenant);
    let dir = tempfile::tempdir().expect("tempdir");
    let (check, fix) = offered(&c, kind).await;
    let before = diagnose(&c).await.report;
    let plan = build_plan(&c, &fix).await.expect("plan");
    let out = executor(&dir, false)
        .run(&c, &plan, false)
        .await
        .expect("ran");
    assert!(out.succeeded, "{kind} on {tenant}: {}", out.message);
    let after = diagnose(&c).await.report;
    let pick = |r: &ssodesk::report::TenantReport| {
        r.findings
            .iter()
            .find(|f| f.check == check)
            .cloned()
            .expect("finding")
    };
    Recheck::new(pick(&before), pick(&after), &plan.target)
}

#[tokio::test]
async fn every_fix_changes_the_demo_and_its_recheck_passes() {
    let d = demo().await;
    for (tenant, kind, want_after) in [
        ("acme", FixKind::SpReactivate, Status::Ok),
        ("acme", FixKind::SpResendInvite, Status::Info),
        ("acme", FixKind::OktaPushGroup, Status::Warning),
        ("globex", FixKind::AzureRestartJob, Status::Ok),
        ("globex", FixKind::SpManualSync, Status::Ok),
        // Before start_job: a cycle would provision the missing user itself.
        ("umbrella", FixKind::AzureProvisionOnDemand, Status::Ok),
        ("umbrella", FixKind::AzureStartJob, Status::Ok),
    ] {
        let r = fix_and_recheck(&d, tenant, kind).await;
        assert!(r.passed, "{kind} on {tenant}: {r:#?}");
        assert_eq!(
            r.after.status, want_after,
            "{kind} on {tenant}: {}",
            r.after.title
        );
        assert!(r.before.status > r.after.status || r.after.status == Status::Ok);
    }
}

#[tokio::test]
async fn a_second_press_while_running_sends_nothing() {
    let d = demo().await;
    let http = http();
    let c = clients(&d, &http, "acme");
    let dir = tempfile::tempdir().expect("tempdir");
    let exec = executor(&dir, false);
    let (_, fix) = offered(&c, FixKind::SpResendInvite).await;
    let plan = build_plan(&c, &fix).await.expect("plan");
    let path = format!(
        "{}/api/v1/orgs/acme/users/{}/invite",
        d.tenant("acme").expect("acme").sp.url.path(),
        fix.target.users[0].id
    );
    d.set_latency(LatencyRule {
        method: Some("POST".into()),
        path: path.clone(),
        ms: 400,
    });
    d.reset_counts();
    let (first, second) = tokio::join!(exec.run(&c, &plan, false), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        exec.run(&c, &plan, false).await
    });
    assert!(first.expect("first runs").succeeded);
    assert!(
        matches!(second, Err(FixError::AlreadyRunning)),
        "{second:?}"
    );
    assert_eq!(d.request_count("POST", &path), 1);
    // Once finished, the same fix may run again.
    d.clear_latency();
    assert!(exec.run(&c, &plan, false).await.expect("again").succeeded);
    assert_eq!(d.request_count("POST", &path), 2);
}

#[tokio::test]
async fn read_only_refuses_and_sends_nothing() {
    let d = demo().await;
    let http = http();
    let c = clients(&d, &http, "umbrella");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, fix) = offered(&c, FixKind::AzureStartJob).await;
    let plan = build_plan(&c, &fix).await.expect("plan");
    d.reset_counts();
    for (global, tenant) in [(true, false), (false, true)] {
        let r = executor(&dir, global).run(&c, &plan, tenant).await;
        assert!(matches!(r, Err(FixError::ReadOnly(_))), "{r:?}");
    }
    assert!(
        d.requests().iter().all(|r| r.method != "POST"),
        "{:?}",
        d.requests()
    );
    let (entries, _) = AuditLog::new(dir.path().join("audit.jsonl"))
        .read()
        .expect("read");
    assert!(entries.is_empty(), "a refused fix writes nothing");
}

#[tokio::test]
async fn audit_lines_are_json_in_start_end_pairs() {
    let d = demo().await;
    let http = http();
    let c = clients(&d, &http, "acme");
    let dir = tempfile::tempdir().expect("tempdir");
    let exec = executor(&dir, false);
    for kind in [FixKind::SpReactivate, FixKind::OktaPushGroup] {
        let (_, fix) = offered(&c, kind).await;
        let plan = build_plan(&c, &fix).await.expect("plan");
        assert!(exec.run(&c, &plan, false).await.expect("ran").succeeded);
    }
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).expect("audit file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4);
    let (entries, bad) = exec.audit_log().read().expect("read");
    assert!(bad.is_empty());
    assert!(unfinished(&entries).is_empty());
    for pair in entries.chunks(2) {
        assert_eq!((pair[0].event, pair[1].event), (Event::Start, Event::End));
        assert_eq!(pair[0].run, pair[1].run);
        assert!(
            !pair[0].requests.is_empty(),
            "the start line names the calls"
        );
        assert_eq!(pair[1].outcome, Some(AuditOutcome::Succeeded));
        assert!(pair[1].http_status.is_some());
    }
    for (_, secret) in d.env_exports() {
        assert!(
            !text.contains(&secret),
            "a credential reached the audit log"
        );
    }
}

#[tokio::test]
async fn a_failed_post_is_recorded_and_never_resent() {
    let d = demo().await;
    let http = http();
    let c = clients(&d, &http, "acme");
    let dir = tempfile::tempdir().expect("tempdir");
    let exec = executor(&dir, false);
    let (_, fix) = offered(&c, FixKind::SpReactivate).await;
    let plan = build_plan(&c, &fix).await.expect("plan");
    let members = "/sp/api/v1/orgs/acme/teams/*";
    d.set_fault(FaultRule::new(
        Some("POST"),
        members,
        Fault::Status { status: 500 },
    ));
    d.reset_counts();
    let out = exec.run(&c, &plan, false).await.expect("ran");
    assert!(!out.succeeded);
    let err = out.error.as_ref().expect("the provider's error");
    assert_eq!(err.status, Some(500));
    assert_eq!(
        out.skipped_steps,
        plan.steps.len() - 1,
        "stops at the first failure"
    );
    let posts: u64 = d
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.count)
        .sum();
    assert_eq!(posts, 1, "a write that failed with 500 is not retried");
    let (entries, _) = exec.audit_log().read().expect("read");
    let end = entries.last().expect("end line");
    assert_eq!(end.event, Event::End);
    assert_eq!(end.outcome, Some(AuditOutcome::Failed));
    assert_eq!(end.http_status, Some(500));
}
