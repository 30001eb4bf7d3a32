use std::collections::BTreeMap;

use ssodesk::checks::{CATALOG, Status};
use ssodesk::demo::{Fault, FaultRule};
use ssodesk::diagnose::{diagnose, diagnose_all};
use ssodesk::report;

use super::{clients, demo, http};

/// The demo's script: (tenant, check, expected status).
const SCRIPT: &[(&str, &str, Status)] = &[
    ("acme", "okta.provisioning", Status::Warning),
    ("acme", "okta.push_groups", Status::Error),
    ("acme", "okta.app_users", Status::Error),
    ("acme", "sp.pending_users", Status::Warning),
    ("acme", "sp.deactivated_jit", Status::Info),
    ("acme", "sp.duplicates", Status::Warning),
    ("acme", "sp.login_methods", Status::Info),
    ("acme", "cross.missing_users", Status::Warning),
    ("globex", "azure.job_state", Status::Error),
    ("globex", "azure.sync_lag", Status::Error),
    ("globex", "scim.endpoint", Status::Warning),
    ("globex", "cross.missing_users", Status::Warning),
    ("globex", "sp.last_sync", Status::Warning),
    ("globex", "sp.salesforce_sync", Status::Warning),
    ("globex", "sp.default_team", Status::Warning),
    ("initech", "okta.provisioning", Status::Error),
    ("initech", "scim.endpoint", Status::Error),
    ("initech", "sp.sso_setup", Status::Info),
    ("initech", "sp.workspace_name", Status::Error),
    ("initech", "sp.single_org", Status::Error),
    ("umbrella", "azure.job_state", Status::Warning),
    ("umbrella", "azure.sync_lag", Status::Error),
    ("umbrella", "sp.sso_setup", Status::Warning),
    ("umbrella", "cross.missing_users", Status::Warning),
];

#[tokio::test]
async fn every_scripted_problem_is_found_and_hooli_is_clean() {
    let d = demo().await;
    let http = http();
    let all: Vec<_> = d
        .tenant_names()
        .iter()
        .map(|n| clients(&d, &http, n))
        .collect();
    let reports: Vec<_> = diagnose_all(&all, 8)
        .await
        .into_iter()
        .map(|x| x.report)
        .collect();
    let by: BTreeMap<(&str, &str), Status> = reports
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(move |f| ((r.tenant.as_str(), f.check.as_str()), f.status))
        })
        .collect();
    for (tenant, check, want) in SCRIPT {
        assert_eq!(by.get(&(*tenant, *check)), Some(want), "{tenant} {check}");
    }
    // Every check id trips somewhere in the demo.
    for c in CATALOG {
        assert!(
            by.iter()
                .any(|((_, id), s)| *id == c.id && *s > Status::Skipped),
            "no demo tenant trips {}",
            c.id
        );
    }
    let hooli = reports.iter().find(|r| r.tenant == "hooli").expect("hooli");
    assert!(
        hooli.findings.iter().all(|f| f.status == Status::Ok),
        "{hooli:#?}"
    );
    assert_eq!(hooli.findings.len(), CATALOG.len());
    assert_eq!(report::exit_code(&reports), 1);
}

#[tokio::test]
async fn an_unreachable_sp_makes_its_checks_unavailable_and_the_rest_still_run() {
    let d = demo().await;
    let http = http();
    d.set_fault(FaultRule::new(None, "/sp/*", Fault::Status { status: 503 }));
    let r = diagnose(&clients(&d, &http, "hooli")).await.report;
    let status = |id: &str| r.findings.iter().find(|f| f.check == id).map(|f| f.status);
    assert_eq!(status("sp.workspace_name"), Some(Status::Unavailable));
    assert_eq!(status("okta.push_groups"), Some(Status::Ok));
    let f = r
        .findings
        .iter()
        .find(|f| f.check == "sp.workspace_name")
        .expect("finding");
    assert!(
        f.detail.contains("hooli") && f.detail.contains("503"),
        "{}",
        f.detail
    );
    assert!(!r.could_not_check(), "Okta and Graph were still read");
    assert_eq!(report::exit_code(std::slice::from_ref(&r)), 1);
}

#[tokio::test]
async fn a_tenant_with_nothing_readable_exits_two() {
    let d = demo().await;
    let http = http();
    d.set_fault(FaultRule::new(None, "*", Fault::Status { status: 500 }));
    let r = diagnose(&clients(&d, &http, "acme")).await.report;
    assert!(r.could_not_check(), "{r:#?}");
    assert_eq!(report::exit_code(&[r]), 2);
}

#[tokio::test]
async fn ticket_note_for_a_demo_tenant_is_clean_markdown() {
    let d = demo().await;
    let http = http();
    let r = diagnose(&clients(&d, &http, "globex")).await.report;
    let kb = ssodesk::kb::KnowledgeBase::embedded();
    let note = report::ticket_note(&r, &kb);
    assert!(note.starts_with("## SSO diagnostics: globex\n"));
    assert!(note.contains("### Error: Provisioning job"), "{note}");
    assert!(note.contains("> "), "linked answers are quoted");
    assert!(ssodesk::sanitize::is_clean(&note));
    // No finding below warning, no secret.
    assert!(!note.contains("Bearer ") || note.contains("Bearer ***"));
    for (_, v) in d.env_exports() {
        assert!(!note.contains(&v), "a demo secret leaked into the note");
    }
}
