use ssodesk::demo::{Fault, FaultRule};
use ssodesk::http::ErrorKind;
use ssodesk::providers::SpClient;
use ssodesk::providers::sp::{
    LoginMethod, ProvisionedBy, SalesforceSync, SpRole, SpUserStatus, SsoState, SyncRunStatus,
};

use crate::common::*;

fn sp(d: &ssodesk::demo::DemoHandle, http: &ssodesk::http::HttpClient, name: &str) -> SpClient {
    let t = tenant(d, name);
    SpClient::new(http, name, &t.sp)
}

#[tokio::test]
async fn orgs_carry_every_scenario_field() {
    let d = demo().await;
    let http = http();
    let acme = sp(&d, &http, "acme").org().await.expect("org");
    assert!(acme.production);
    assert_eq!(acme.sso.state, SsoState::Connected);
    assert_eq!(
        acme.last_sync.as_ref().map(|l| &l.status),
        Some(&SyncRunStatus::Succeeded)
    );
    assert_eq!(acme.connected_org_count, Some(1));

    let globex = sp(&d, &http, "globex").org().await.expect("org");
    assert_eq!(globex.salesforce_sync, SalesforceSync::Profiles);
    let last = globex.last_sync.expect("last sync");
    assert_eq!(last.status, SyncRunStatus::Failed);
    assert!(last.error.is_some());

    let initech = sp(&d, &http, "initech").org().await.expect("org");
    assert_eq!(initech.workspace.as_str(), "Initech_Corp!");
    assert_eq!(
        (initech.sso.state.clone(), initech.sso.setup_step),
        (SsoState::SetupInProgress, Some(3))
    );
    assert_eq!(initech.connected_org_count, Some(2));
    assert!(initech.last_sync.is_none());

    let umbrella = sp(&d, &http, "umbrella").org().await.expect("org");
    assert_eq!(umbrella.sso.state, SsoState::Failed);
}

#[tokio::test]
async fn users_follow_the_cursor_and_filter_by_status() {
    let d = demo().await;
    let http = http();
    let c = sp(&d, &http, "acme");
    let t = tenant(&d, "acme");
    let all = c.users(None).await.expect("users");
    assert_eq!(all.len(), 11);
    assert_eq!(all.pages, 4);
    assert_eq!(d.request_count("GET", &sp_org_path(&t, "/users")), 4);
    let pending = c
        .users(Some(&SpUserStatus::Pending))
        .await
        .expect("pending");
    let mut ages: Vec<i64> = pending
        .iter()
        .map(|u| (chrono::Utc::now() - u.created_at.expect("created")).num_days())
        .collect();
    ages.sort();
    assert_eq!(ages, vec![2, 12]);
    assert!(pending.iter().all(|u| u.last_login_at.is_none()));
    let deactivated_jit = all
        .iter()
        .filter(|u| u.status == SpUserStatus::Deactivated && u.provisioned_by == ProvisionedBy::Jit)
        .count();
    assert_eq!(deactivated_jit, 2);
    let lower: Vec<String> = all.iter().map(|u| u.email.to_lowercase()).collect();
    assert_eq!(
        lower
            .iter()
            .filter(|e| e.as_str() == "grace.hopper@acme.example")
            .count(),
        2
    );
    assert!(
        all.iter()
            .any(|u| u.login_method == LoginMethod::Salesforce)
    );
    assert!(all.iter().any(|u| u.login_method == LoginMethod::Password));
}

#[tokio::test]
async fn teams_flag_the_default() {
    let d = demo().await;
    let http = http();
    let teams = sp(&d, &http, "globex").teams().await.expect("teams");
    let default: Vec<&str> = teams
        .iter()
        .filter(|t| t.default)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(default, vec!["All Globex Users"]);
    let users = sp(&d, &http, "globex").users(None).await.expect("users");
    let default_id = teams
        .iter()
        .find(|t| t.default)
        .map(|t| t.id.clone())
        .expect("default");
    let not_in_default: Vec<&str> = users
        .iter()
        .filter(|u| !u.teams.contains(&default_id))
        .map(|u| u.email.as_str())
        .collect();
    assert_eq!(not_in_default, vec!["lena@globex.example"]);
    assert!(users.iter().any(|u| u.role == SpRole::Editor));
    assert_eq!(
        teams
            .iter()
            .find(|t| t.default)
            .and_then(|t| t.member_count),
        Some(3)
    );
}

#[tokio::test]
async fn manual_sync_runs_and_brings_missing_users() {
    let d = demo().await;
    let http = http();
    let c = sp(&d, &http, "acme");
    assert!(
        !c.users(None)
            .await
            .expect("users")
            .iter()
            .any(|u| u.email.as_str() == "dana@acme.example")
    );
    let (sent, started) = c.start_sync().await.expect("202");
    assert_eq!(sent.status, 202);
    assert_eq!(started.status, SyncRunStatus::Running);
    let run = c.sync(&started.sync_id).await.expect("sync");
    assert_eq!(
        run.status,
        SyncRunStatus::Succeeded,
        "sync_delay is zero in tests"
    );
    assert!(run.finished_at.is_some() && run.error.is_none());
    let org = c.org().await.expect("org");
    assert_eq!(
        org.last_sync.map(|l| l.status),
        Some(SyncRunStatus::Succeeded)
    );
    let users = c.users(None).await.expect("users");
    let dana = users
        .iter()
        .find(|u| u.email.as_str() == "dana@acme.example")
        .expect("dana imported");
    assert_eq!(
        (dana.status.clone(), dana.role.clone()),
        (SpUserStatus::Pending, SpRole::Viewer)
    );
    // kim is STAGED in Okta: not provisioned, not imported.
    assert!(!users.iter().any(|u| u.email.as_str() == "kim@acme.example"));
}

#[tokio::test]
async fn reactivate_and_invite() {
    let d = demo().await;
    let http = http();
    let c = sp(&d, &http, "acme");
    let users = c.users(None).await.expect("users");
    let teams = c.teams().await.expect("teams");
    let all = teams.iter().find(|t| t.default).expect("default team");
    let erin = users
        .iter()
        .find(|u| u.email.starts_with("erin@"))
        .expect("erin");
    c.add_team_member(&all.id, &erin.id).await.expect("added");
    let erin = c
        .users(None)
        .await
        .expect("users")
        .items
        .into_iter()
        .find(|u| u.id == erin.id)
        .expect("erin");
    assert_eq!(erin.status, SpUserStatus::Accepted);
    assert!(erin.teams.contains(&all.id));

    let carol = users
        .iter()
        .find(|u| u.email.starts_with("carol@"))
        .expect("carol");
    let plan = c.plan_resend_invite(&carol.id);
    assert!(plan.url.ends_with(&format!("/users/{}/invite", carol.id)));
    c.resend_invite(&carol.id).await.expect("202");
    let invites = d.invites("acme");
    assert_eq!(invites.len(), 1);
    assert_eq!(invites[0].0, carol.id.as_str());

    let alice = users
        .iter()
        .find(|u| u.email.starts_with("alice@"))
        .expect("alice");
    let e = c.resend_invite(&alice.id).await.expect_err("not pending");
    assert_eq!(
        (e.status, e.code.as_deref()),
        (Some(409), Some("not_pending"))
    );
    let e = c
        .add_team_member("team_nope", &alice.id)
        .await
        .expect_err("404");
    assert_eq!(e.code.as_deref(), Some("team_not_found"));
}

#[tokio::test]
async fn unknown_org_and_bad_token() {
    let d = demo().await;
    let http = http();
    let mut t = tenant(&d, "acme");
    t.sp.org = "nope".into();
    let e = SpClient::new(&http, "acme", &t.sp)
        .org()
        .await
        .expect_err("404");
    assert_eq!(
        (e.status, e.code.as_deref()),
        (Some(404), Some("org_not_found"))
    );
    t.sp.token = ssodesk::secret::Secret::new("wrong");
    let e = SpClient::new(&http, "acme", &t.sp)
        .org()
        .await
        .expect_err("401");
    assert_eq!(
        (e.status, e.code.as_deref()),
        (Some(401), Some("unauthorized"))
    );
}

#[tokio::test]
async fn a_failed_post_is_not_resent() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let path = sp_org_path(&t, "/sync");
    d.set_fault(FaultRule::new(
        Some("POST"),
        path.clone(),
        Fault::Status { status: 500 },
    ));
    let e = sp(&d, &http, "acme").start_sync().await.expect_err("500");
    assert_eq!(
        (e.kind, e.status, e.code.as_deref()),
        (ErrorKind::Status, Some(500), Some("internal"))
    );
    assert_eq!(d.request_count("POST", &path), 1);
    // The same status on a GET is retried (and succeeds once the fault is gone).
    let org = sp_org_path(&t, "");
    d.set_fault(FaultRule::new(Some("GET"), org.clone(), Fault::Status { status: 500 }).times(2));
    sp(&d, &http, "acme")
        .org()
        .await
        .expect("third try succeeds");
    assert_eq!(d.request_count("GET", &org), 3);
}

/// Every operation in `docs/sp-admin-api.yaml` exists in the demo with the documented
/// success status, and every key the demo sends is a documented property.
#[tokio::test]
async fn openapi_document_matches_the_demo() {
    let yaml = include_str!("../../docs/sp-admin-api.yaml");
    let mut ops: Vec<(String, String, u16)> = Vec::new();
    let mut path: Option<String> = None;
    let mut method: Option<String> = None;
    for line in yaml.lines() {
        if line.starts_with("components:") {
            break;
        }
        if line.starts_with("  /api/") && line.ends_with(':') {
            path = Some(line.trim().trim_end_matches(':').to_string());
        } else if let Some(m) = ["get", "post"].iter().find(|m| line == format!("    {m}:")) {
            method = Some(m.to_string());
        } else if let (Some(p), Some(m)) = (&path, &method) {
            let t = line.trim();
            if t.starts_with("\"2") && t.ends_with("\":") {
                let code: u16 = t
                    .trim_matches(|c| c == '"' || c == ':')
                    .parse()
                    .expect("status");
                ops.push((m.clone(), p.clone(), code));
                method = None;
            }
        }
    }
    assert_eq!(ops.len(), 7, "{ops:?}");

    let d = demo().await;
    let t = tenant(&d, "acme");
    let raw = raw();
    let base = t.sp.url.as_str().trim_end_matches('/').to_string();
    let token = t.sp.token.expose().to_string();
    let http = http();
    let c = SpClient::new(&http, "acme", &t.sp);
    let users = c.users(None).await.expect("users");
    let carol = users
        .iter()
        .find(|u| u.email.starts_with("carol@"))
        .expect("carol")
        .id
        .to_string();
    let team = c.teams().await.expect("teams")[0].id.to_string();
    let mut keys = std::collections::BTreeSet::new();
    // POST the sync first so that GET .../sync/{sync_id} has one to read.
    ops.sort_by_key(|(m, p, _)| (p.contains("{sync_id}"), m.clone()));
    let mut sync_id = String::new();
    for (m, p, code) in &ops {
        let url = format!("{base}{p}")
            .replace("{org}", "acme")
            .replace("{sync_id}", &sync_id)
            .replace("{team_id}", &team)
            .replace("{user_id}", &carol);
        let req = if m == "get" {
            raw.get(&url)
        } else {
            raw.post(&url)
        };
        let req = if p.ends_with("/members") {
            req.json(&serde_json::json!({"user_id": carol}))
        } else {
            req
        };
        let r = req.bearer_auth(&token).send().await.expect("answer");
        assert_eq!(r.status().as_u16(), *code, "{m} {p}");
        let v: serde_json::Value = r.json().await.expect("json");
        if p.ends_with("/sync") {
            sync_id = v["sync_id"].as_str().expect("sync_id").to_string();
        }
        collect_keys(&v, &mut keys);
    }
    for k in &keys {
        assert!(
            yaml.lines().any(|l| l.trim() == format!("{k}:")),
            "the demo sends `{k}`, which the OpenAPI document does not describe"
        );
    }
    assert!(keys.contains("next_cursor") && keys.contains("connected_org_count"));
}

fn collect_keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                out.insert(k.clone());
                collect_keys(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_keys(v, out)),
        _ => {}
    }
}
