//! A sweep over every demo tenant while two of them have a low Okta rate limit: the HTTP
//! layer learns each limit from the first answer, spreads the last calls of a window, holds
//! the rest until the reset, and never gets a 429; the sweep completes with those tenants'
//! Okta checks as they are without a limit, and the rate-limit board says who waits until
//! when, as the TUI shows it.

use std::time::Duration;

use ssodesk::checks::Status;
use ssodesk::diagnose::{DEFAULT_CONCURRENCY, diagnose_all};
use ssodesk::snapshot::TenantClients;

use crate::common::{demo, http};

/// A hang detector only.
const HANG_GUARD: Duration = Duration::from_secs(120);

fn okta_statuses(d: &ssodesk::diagnose::Diagnosis) -> Vec<(String, Status)> {
    d.report
        .findings
        .iter()
        .filter(|f| f.check.starts_with("okta."))
        .map(|f| (f.check.clone(), f.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_stays_under_a_low_okta_limit_and_completes() {
    let d = demo().await;
    // Without a limit, for comparison.
    let unlimited = {
        let http = http();
        let clients: Vec<TenantClients> = d
            .tenants()
            .iter()
            .map(|t| TenantClients::new(&http, t))
            .collect();
        diagnose_all(&clients, DEFAULT_CONCURRENCY).await
    };
    // hooli makes 7 Okta calls, acme 10, initech 4: more than one window each, and acme's
    // first 5 calls go out at once, more than its limit.
    assert!(d.set_okta_rate_limit("hooli", 5, Duration::from_secs(2)));
    assert!(d.set_okta_rate_limit("acme", 3, Duration::from_secs(1)));
    assert!(d.set_okta_rate_limit("initech", 2, Duration::from_secs(1)));
    d.reset_counts();

    let http = http();
    let tenants = d.tenants();
    let clients: Vec<TenantClients> = tenants
        .iter()
        .map(|t| TenantClients::new(&http, t))
        .collect();
    let board = http.rate_limits();
    let mut changes = board.subscribe();
    // What the TUI would show beside each tenant while the sweep runs.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let watcher = {
        let board = board.clone();
        let seen = seen.clone();
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                for t in ["hooli", "acme"] {
                    if let Some(m) = board.waiting_for(t).and_then(|i| i.waiting_message())
                        && let Ok(mut s) = seen.lock()
                    {
                        s.push(format!("{t}: {m}"));
                    }
                }
            }
        })
    };
    let sweep = tokio::time::timeout(HANG_GUARD, diagnose_all(&clients, DEFAULT_CONCURRENCY))
        .await
        .expect("the sweep finishes");
    drop(http);
    drop(clients);
    watcher.abort();

    for tenant in ["hooli", "acme", "initech"] {
        assert_eq!(
            d.okta_rate_limited(tenant),
            Some(0),
            "{tenant}'s Okta served a 429"
        );
        let okta = tenants
            .iter()
            .find(|t| t.name == tenant)
            .and_then(|t| t.okta.as_ref())
            .expect("okta");
        let key = okta.url.as_str().trim_end_matches('/').to_string();
        let info = board.get(&key).expect("recorded");
        assert_eq!(info.throttled, 0, "{tenant}: no 429 received: {info:?}");
        assert!(info.held > 0, "{tenant}: calls were held back: {info:?}");
        let calls = d.request_count_prefix(&format!("/okta/{tenant}/"));
        assert!(
            calls > info.limit.unwrap_or(u64::MAX),
            "{tenant}: {calls} calls need more than one window"
        );
        let i = tenants
            .iter()
            .position(|t| t.name == tenant)
            .expect("index");
        assert_eq!(
            okta_statuses(&sweep[i]),
            okta_statuses(&unlimited[i]),
            "{tenant}: the Okta checks come out as without the limit"
        );
    }
    let hooli = tenants
        .iter()
        .position(|t| t.name == "hooli")
        .expect("hooli");
    assert!(
        sweep[hooli]
            .report
            .findings
            .iter()
            .all(|f| f.status == Status::Ok),
        "{:#?}",
        sweep[hooli].report.findings
    );
    assert!(
        sweep
            .iter()
            .flat_map(|s| &s.report.findings)
            .all(|f| f.status != Status::Unavailable),
        "nothing unavailable"
    );
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(!seen.is_empty(), "no waiting was shown");
    for m in &seen {
        let until = m
            .split_once("waiting for the Okta API rate limit until ")
            .map(|(_, t)| t)
            .unwrap_or_else(|| panic!("{m}"));
        let hms = until.strip_suffix(" UTC").unwrap_or_else(|| panic!("{m}"));
        assert!(
            chrono::NaiveTime::parse_from_str(hms, "%H:%M:%S").is_ok(),
            "{m}"
        );
    }
}

/// The first Okta call of a root learns the limit while the others wait for its answer; if
/// that call is dropped (a refresh cancelled, a timeout around it), the others must not wait
/// for an answer that never comes.
#[tokio::test]
async fn a_dropped_first_call_does_not_hold_the_rest_forever() {
    use ssodesk::demo::{Fault, FaultRule};
    use ssodesk::providers::OktaClient;
    let d = demo().await;
    let t = d.tenant("hooli").expect("hooli");
    let okta = t.okta.as_ref().expect("okta");
    d.set_fault(FaultRule::new(None, format!("{}/*", okta.url.path()), Fault::Hang).times(1));
    let http = http();
    let c = OktaClient::new(&http, "hooli", okta);
    let first = tokio::time::timeout(Duration::from_millis(200), c.app()).await;
    assert!(first.is_err(), "the first call hangs and is dropped");
    let next = tokio::time::timeout(Duration::from_secs(30), c.app()).await;
    assert!(
        matches!(next, Ok(Ok(_))),
        "the next call goes and succeeds: {next:?}"
    );
}
