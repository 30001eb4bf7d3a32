use chrono::Utc;
use ssodesk::demo::{Fault, FaultRule};
use ssodesk::http::Provider;
use ssodesk::providers::graph::{DEFAULT_RESET_SCOPE, JobCode, QuarantineReason, ScheduleState};
use ssodesk::providers::{GraphClient, SpClient};
use ssodesk::secret::Secret;
use ssodesk::tenant::Tenant;

use crate::common::*;

fn graph(http: &ssodesk::http::HttpClient, t: &Tenant) -> GraphClient {
    GraphClient::new(http, &t.name, t.azure.as_ref().expect("azure"))
}

fn token_path(t: &Tenant) -> String {
    let a = t.azure.as_ref().expect("azure");
    format!(
        "{}/{}/oauth2/v2.0/token",
        a.login_url.path().trim_end_matches('/'),
        a.tenant_id
    )
}

#[tokio::test]
async fn jobs_read_sentinels_and_quarantine() {
    let d = demo().await;
    let http = http();
    let now = Utc::now();

    let globex = graph(&http, &tenant(&d, "globex"));
    let jobs = globex.jobs().await.expect("jobs");
    assert_eq!(jobs.len(), 1);
    let j = &jobs[0];
    assert_eq!(j.code(), Some(&JobCode::Quarantine));
    let q = j.quarantine().expect("quarantine");
    assert_eq!(
        q.reason,
        Some(QuarantineReason::EncounteredQuarantineException)
    );
    assert!(q.next_attempt.is_some_and(|t| t > now));
    let lag = now - j.last_success_end().expect("succeeded once");
    assert!((94..=96).contains(&lag.num_minutes()), "{lag:?}");
    assert_eq!(j.interval_secs(), Some(40 * 60));
    let same = globex.job(&j.id).await.expect("job");
    assert_eq!(same.id, j.id);

    let umbrella = graph(&http, &tenant(&d, "umbrella"));
    let j = &umbrella.jobs().await.expect("jobs")[0];
    assert_eq!(j.code(), Some(&JobCode::Paused));
    assert_eq!(
        j.schedule.as_ref().and_then(|s| s.state.clone()),
        Some(ScheduleState::Disabled)
    );
    assert_eq!(j.interval_secs(), None, "TimeSpan.MaxValue is no interval");
    assert_eq!(j.last_success_end(), None, "0001-01-01 is never");
    assert!(
        j.status
            .as_ref()
            .is_some_and(|s| s.steady_state_last_achieved_time.is_none())
    );
}

#[tokio::test]
async fn token_is_fetched_once_and_cached() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "hooli");
    let c = graph(&http, &t);
    c.jobs().await.expect("jobs");
    c.app_role_assignments().await.expect("assignments");
    assert_eq!(d.request_count("POST", &token_path(&t)), 1);
    // Clones share the cache.
    c.clone().jobs().await.expect("jobs");
    assert_eq!(d.request_count("POST", &token_path(&t)), 1);
}

#[tokio::test]
async fn concurrent_first_calls_refresh_once() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "hooli");
    let c = graph(&http, &t);
    let (a, b, e) = tokio::join!(c.jobs(), c.app_role_assignments(), c.jobs());
    assert!(a.is_ok() && b.is_ok() && e.is_ok());
    assert_eq!(d.request_count("POST", &token_path(&t)), 1);
}

#[tokio::test]
async fn revoked_token_is_dropped_and_renewed() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "hooli");
    let c = graph(&http, &t);
    c.jobs().await.expect("jobs");
    d.reset(); // the demo forgets the tokens it issued
    c.jobs()
        .await
        .expect("a read retries once with a new token");
    assert_eq!(
        d.request_count("POST", &token_path(&t)),
        1,
        "counts were reset; one new token"
    );
}

#[tokio::test]
async fn wrong_secret_is_the_login_error() {
    let d = demo().await;
    let http = http();
    let mut t = tenant(&d, "globex");
    if let Some(a) = t.azure.as_mut() {
        a.client_secret = Secret::new("not-the-secret");
    }
    let e = graph(&http, &t).jobs().await.expect_err("401");
    assert_eq!(e.provider, Provider::Login);
    assert_eq!(
        (e.status, e.code.as_deref()),
        (Some(401), Some("invalid_client"))
    );
    assert!(e.message.contains("AADSTS7000215"), "{}", e.message);
    assert!(!e.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn graph_error_body_and_request_id() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "globex");
    let a = t.azure.as_ref().expect("azure");
    let path = format!(
        "{}/servicePrincipals/{}/synchronization/jobs",
        a.graph_url.path(),
        a.service_principal_id
    );
    d.set_fault(FaultRule::new(
        Some("GET"),
        path,
        Fault::Status { status: 403 },
    ));
    let e = graph(&http, &t).jobs().await.expect_err("403");
    assert_eq!(e.provider, Provider::Graph);
    assert_eq!(
        (e.status, e.code.as_deref()),
        (Some(403), Some("Authorization_RequestDenied"))
    );
    assert!(
        e.request_id.as_deref().is_some_and(|r| r.len() == 36),
        "{:?}",
        e.request_id
    );
}

#[tokio::test]
async fn start_and_restart_make_the_job_active() {
    let d = demo().await;
    let http = http();
    let now = Utc::now();

    let t = tenant(&d, "umbrella");
    let c = graph(&http, &t);
    let job = c.jobs().await.expect("jobs").remove(0);
    let plan = c.plan_start_job(&job.id);
    assert!(plan.url.ends_with("/start") && plan.method == "POST" && plan.auth == "Bearer ***");
    c.start_job(&job.id).await.expect("start");
    let after = c.job(&job.id).await.expect("job");
    assert_eq!(after.code(), Some(&JobCode::Active));
    assert!(
        after
            .last_success_end()
            .is_some_and(|t| t >= now - chrono::Duration::seconds(5))
    );
    assert_eq!(after.interval_secs(), Some(2400));
    // The cycle provisioned the assigned user the SP lacked.
    let sp = SpClient::new(&http, "umbrella", &t.sp);
    let users = sp.users(None).await.expect("users");
    assert!(
        users
            .iter()
            .any(|u| u.email.as_str() == "ada@umbrella.example")
    );

    let t = tenant(&d, "globex");
    let c = graph(&http, &t);
    let job = c.jobs().await.expect("jobs").remove(0);
    let plan = c.plan_restart_job(&job.id, DEFAULT_RESET_SCOPE);
    assert_eq!(
        plan.body
            .as_ref()
            .and_then(|b| b["criteria"]["resetScope"].as_str()),
        Some(DEFAULT_RESET_SCOPE)
    );
    c.restart_job(&job.id, DEFAULT_RESET_SCOPE)
        .await
        .expect("restart");
    let after = c.job(&job.id).await.expect("job");
    assert_eq!(after.code(), Some(&JobCode::Active));
    assert!(after.quarantine().is_none());
}

#[tokio::test]
async fn provision_on_demand_creates_the_user() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "globex");
    let c = graph(&http, &t);
    let job = c.jobs().await.expect("jobs").remove(0);
    let rules = c.rules(&job.id).await.expect("schema");
    assert_eq!(rules.len(), 1);
    assert_eq!(
        rules[0].source_directory_name.as_deref(),
        Some("Azure Active Directory")
    );
    let assigned = c.assigned_users().await.expect("assigned");
    let quinn = assigned
        .iter()
        .find(|a| a.addresses().contains(&"quinn@globex.example"))
        .expect("quinn assigned");
    let (sent, r) = c
        .provision_on_demand(&job.id, &rules[0].id, &quinn.user.id, "User")
        .await
        .expect("on demand");
    assert_eq!(sent.status, 200);
    assert!(r.succeeded(), "{r:?}");
    assert_eq!(r.action.as_deref(), Some("Create"));
    assert_eq!(r.steps.len(), 2);
    let sp = SpClient::new(&http, "globex", &t.sp);
    assert!(
        sp.users(None)
            .await
            .expect("users")
            .iter()
            .any(|u| u.email.as_str() == "quinn@globex.example")
    );
    // A wrong rule id is Graph's 400.
    let e = c
        .provision_on_demand(&job.id, "nope", &quinn.user.id, "User")
        .await
        .expect_err("400");
    assert_eq!(e.status, Some(400));
}

#[tokio::test]
async fn on_demand_is_limited_to_five_per_ten_seconds_and_not_retried() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "globex");
    let c = graph(&http, &t);
    let job = c.jobs().await.expect("jobs").remove(0);
    let rule = c.rules(&job.id).await.expect("schema").remove(0);
    let hank = c.assigned_users().await.expect("assigned").items.remove(0);
    for _ in 0..5 {
        c.provision_on_demand(&job.id, &rule.id, &hank.user.id, "User")
            .await
            .expect("within the limit");
    }
    let e = c
        .provision_on_demand(&job.id, &rule.id, &hank.user.id, "User")
        .await
        .expect_err("sixth");
    assert_eq!(e.status, Some(429));
    assert!(e.retry_at.is_some());
    let a = t.azure.as_ref().expect("azure");
    let path = format!(
        "{}/servicePrincipals/{}/synchronization/jobs/{}/provisionOnDemand",
        a.graph_url.path(),
        a.service_principal_id,
        job.id
    );
    assert_eq!(
        d.request_count("POST", &path),
        6,
        "the POST that got 429 was not resent"
    );
}

#[tokio::test]
async fn assigned_users_expand_groups_over_pages() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "globex");
    let c = graph(&http, &t);
    let assignments = c.app_role_assignments().await.expect("assignments");
    assert_eq!(assignments.len(), 4);
    assert_eq!(assignments.pages, 2, "page size 3");
    let users = c.assigned_users().await.expect("users");
    let mut emails: Vec<&str> = users
        .iter()
        .filter_map(|u| u.user.mail.as_deref())
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        vec![
            "hank@globex.example",
            "lena@globex.example",
            "omar@globex.example",
            "priya@globex.example",
            "quinn@globex.example"
        ]
    );
    let lena = users
        .iter()
        .find(|u| u.user.mail.as_deref() == Some("lena@globex.example"))
        .expect("lena");
    assert_eq!(lena.via_group.as_deref(), Some("Globex Marketing"));
    let user = c.user(&lena.user.id).await.expect("lookup");
    assert_eq!(
        user.user_principal_name.as_deref(),
        Some("lena@globex.example")
    );
    let e = c
        .user("00000000-0000-0000-0000-000000000000")
        .await
        .expect_err("404");
    assert_eq!(e.code.as_deref(), Some("Request_ResourceNotFound"));
}
