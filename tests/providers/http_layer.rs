//! The HTTP layer under faults: retries, rate limits, timeouts, bad bodies, caps.

use std::time::{Duration, Instant};

use ssodesk::demo::{Fault, FaultRule, LatencyRule};
use ssodesk::http::{ErrorKind, Provider};
use ssodesk::providers::{OktaClient, SpClient};
use ssodesk::tenant::Tenant;

use crate::common::*;

fn sp(http: &ssodesk::http::HttpClient, t: &Tenant) -> SpClient {
    SpClient::new(http, &t.name, &t.sp)
}

#[tokio::test]
async fn retry_after_seconds_then_success() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let path = sp_org_path(&t, "");
    d.set_fault(
        FaultRule::new(
            Some("GET"),
            path.clone(),
            Fault::RateLimited {
                retry_after_secs: Some(1),
                retry_after_date: false,
                reset_in_secs: None,
            },
        )
        .times(1),
    );
    let start = Instant::now();
    sp(&http, &t).org().await.expect("second try succeeds");
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(d.request_count("GET", &path), 2);
    let key = t.sp.url.as_str().trim_end_matches('/').to_string();
    assert_eq!(http.rate_limits().get(&key).map(|i| i.throttled), Some(1));
}

#[tokio::test]
async fn retry_after_http_date_then_success() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let path = sp_org_path(&t, "");
    d.set_fault(
        FaultRule::new(
            Some("GET"),
            path.clone(),
            Fault::RateLimited {
                retry_after_secs: Some(1),
                retry_after_date: true,
                reset_in_secs: None,
            },
        )
        .times(1),
    );
    sp(&http, &t).org().await.expect("second try succeeds");
    assert_eq!(d.request_count("GET", &path), 2);
}

#[tokio::test]
async fn okta_rate_limit_reset_then_success() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let path = okta_app_path(&t, "");
    d.set_fault(
        FaultRule::new(
            Some("GET"),
            path.clone(),
            Fault::RateLimited {
                retry_after_secs: None,
                retry_after_date: false,
                reset_in_secs: Some(1),
            },
        )
        .times(1),
    );
    let start = Instant::now();
    let app = OktaClient::new(&http, "acme", t.okta.as_ref().expect("okta"))
        .app()
        .await;
    app.expect("waited for the reset, then succeeded");
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "waited for the window: {:?}",
        start.elapsed()
    );
    assert_eq!(d.request_count("GET", &path), 2);
}

#[tokio::test]
async fn a_reset_too_far_away_fails_with_retry_at() {
    let d = demo().await;
    let http = http(); // max_retry_wait 5 s in tests
    let t = tenant(&d, "acme");
    d.set_fault(FaultRule::new(
        Some("GET"),
        okta_app_path(&t, ""),
        Fault::RateLimited {
            retry_after_secs: None,
            retry_after_date: false,
            reset_in_secs: Some(600),
        },
    ));
    let start = Instant::now();
    let e = OktaClient::new(&http, "acme", t.okta.as_ref().expect("okta"))
        .app()
        .await
        .expect_err("429");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!((e.status, e.code.as_deref()), (Some(429), Some("E0000047")));
    let at = e.retry_at.expect("retry_at");
    assert!(at > chrono::Utc::now() + chrono::Duration::seconds(500));
    assert!(e.to_string().contains("rate limited until"), "{e}");
}

#[tokio::test]
async fn okta_low_limit_is_paced_not_exceeded() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    assert!(d.set_okta_rate_limit("acme", 3, Duration::from_secs(1)));
    let c = OktaClient::new(&http, "acme", t.okta.as_ref().expect("okta"));
    for _ in 0..7 {
        c.app().await.expect("paced below the limit");
    }
    let key = t
        .okta
        .as_ref()
        .expect("okta")
        .url
        .as_str()
        .trim_end_matches('/')
        .to_string();
    let info = http.rate_limits().get(&key).expect("recorded");
    assert_eq!(info.throttled, 0, "no 429 was ever received: {info:?}");
    assert_eq!(info.limit, Some(3));
}

#[tokio::test]
async fn server_errors_are_retried_for_reads() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let path = sp_org_path(&t, "/teams");
    d.set_fault(FaultRule::new(Some("GET"), path.clone(), Fault::Status { status: 503 }).times(2));
    sp(&http, &t).teams().await.expect("third try");
    assert_eq!(d.request_count("GET", &path), 3);
    // Persistent: four attempts, then the provider's error.
    d.set_fault(FaultRule::new(
        Some("GET"),
        path.clone(),
        Fault::Status { status: 502 },
    ));
    d.reset_counts();
    let e = sp(&http, &t).teams().await.expect_err("502");
    assert_eq!(e.status, Some(502));
    assert_eq!(d.request_count("GET", &path), 4);
}

#[tokio::test]
async fn hang_times_out_once() {
    let d = demo().await;
    let http = http_with(|o| o.timeout = Duration::from_millis(400));
    let t = tenant(&d, "acme");
    let path = sp_org_path(&t, "");
    d.set_fault(FaultRule::new(Some("GET"), path.clone(), Fault::Hang));
    let start = Instant::now();
    let e = sp(&http, &t).org().await.expect_err("timeout");
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(d.request_count("GET", &path), 1, "a timeout is not retried");
    assert!(e.to_string().contains("timed out"), "{e}");
}

#[tokio::test]
async fn slow_drip_times_out() {
    let d = demo().await;
    let http = http_with(|o| o.timeout = Duration::from_millis(500));
    let t = tenant(&d, "acme");
    d.set_fault(FaultRule::new(
        Some("GET"),
        sp_org_path(&t, ""),
        Fault::SlowDrip {
            chunk_delay_ms: 100,
        },
    ));
    let e = sp(&http, &t).org().await.expect_err("too slow");
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
}

#[tokio::test]
async fn html_error_page_is_summarised() {
    let d = demo().await;
    let http = http_with(|o| o.max_retries = 0);
    let t = tenant(&d, "acme");
    d.set_fault(FaultRule::new(
        Some("GET"),
        sp_org_path(&t, ""),
        Fault::Html { status: 502 },
    ));
    let e = sp(&http, &t).org().await.expect_err("502");
    assert_eq!(e.status, Some(502));
    assert_eq!(
        e.message.as_str(),
        "HTML page instead of JSON: 502 Bad Gateway"
    );
    assert!(e.code.is_none());
}

#[tokio::test]
async fn bad_bodies_are_decode_errors() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let path = sp_org_path(&t, "");
    for (fault, needle) in [
        (Fault::Malformed, "line 1"),
        (Fault::Truncated, "EOF"),
        (Fault::WrongTypes, "invalid type"),
    ] {
        d.set_fault(FaultRule::new(Some("GET"), path.clone(), fault.clone()).times(1));
        let e = sp(&http, &t).org().await.expect_err("decode");
        assert_eq!(e.kind, ErrorKind::Decode, "{fault:?}: {e}");
        assert_eq!(e.status, Some(200));
        assert!(e.message.contains(needle), "{fault:?}: {}", e.message);
        assert_eq!((e.provider, e.tenant.as_str()), (Provider::Sp, "acme"));
    }
}

#[tokio::test]
async fn huge_body_is_refused_at_the_cap() {
    let d = demo().await;
    let http = http_with(|o| o.max_body_bytes = 1024 * 1024);
    let t = tenant(&d, "acme");
    d.set_fault(FaultRule::new(
        Some("GET"),
        sp_org_path(&t, ""),
        Fault::Huge {
            bytes: 9 * 1024 * 1024,
        },
    ));
    let e = sp(&http, &t).org().await.expect_err("too large");
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(e.to_string().contains("1 MiB"), "{e}");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let d = demo().await;
    let t = tenant(&d, "acme");
    d.shutdown().await;
    let http = http();
    let start = Instant::now();
    let e = sp(&http, &t).org().await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Connect, "{e}");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(e.to_string().contains("could not connect"), "{e}");
}

#[tokio::test]
async fn per_host_cap_limits_concurrency() {
    let d = demo().await;
    let http = http_with(|o| o.per_host_concurrency = 2);
    let t = tenant(&d, "acme");
    d.set_latency(LatencyRule {
        method: None,
        path: sp_org_path(&t, ""),
        ms: 200,
    });
    let c = sp(&http, &t);
    let start = Instant::now();
    let results = futures::future::join_all((0..6).map(|_| c.org())).await;
    assert!(results.iter().all(Result::is_ok));
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(590), "3 waves of 2: {took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

#[tokio::test]
async fn page_cap_marks_the_list_truncated() {
    let d = demo().await;
    let http = http_with(|o| o.max_pages = 2);
    let t = tenant(&d, "acme");
    let users = OktaClient::new(&http, "acme", t.okta.as_ref().expect("okta"))
        .app_users()
        .await
        .expect("users");
    assert!(users.truncated);
    assert_eq!((users.len(), users.pages), (6, 2));
}

#[tokio::test]
async fn secrets_never_show() {
    let d = demo().await;
    let http = http();
    let tenants = d.tenants();
    let dump = format!("{tenants:?} {http:?}");
    for (_, secret) in d.env_exports() {
        assert!(!dump.contains(&secret), "{secret} leaked into Debug");
    }
    let clients: Vec<_> = tenants
        .iter()
        .map(|t| ssodesk::snapshot::TenantClients::new(&http, t))
        .collect();
    let dump = format!("{clients:?}");
    for (_, secret) in d.env_exports() {
        assert!(!dump.contains(&secret), "{secret} leaked into client Debug");
    }
    let snap = clients[0].snapshot().await;
    let json = serde_json::to_string(&snap).expect("json");
    for (_, secret) in d.env_exports() {
        assert!(!json.contains(&secret));
    }
}
