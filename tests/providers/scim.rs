use ssodesk::providers::ScimClient;
use ssodesk::providers::scim::JsonKind;

use crate::common::*;

fn scim(d: &ssodesk::demo::DemoHandle, http: &ssodesk::http::HttpClient, name: &str) -> ScimClient {
    let t = tenant(d, name);
    ScimClient::new(http, name, t.scim.as_ref().expect("scim"))
}

#[tokio::test]
async fn compliant_server_probe() {
    let d = demo().await;
    let http = http();
    let c = scim(&d, &http, "hooli");
    let p = c.probe().await.expect("probe");
    assert_eq!(p.status(), 200);
    assert!(
        p.not_found.list_response && p.is_compliant_not_found(),
        "{p:?}"
    );
    assert_eq!(p.not_found.counts.total_results, JsonKind::Integer);
    let list = p.list.as_ref().expect("list answer");
    assert_eq!(
        (list.status, list.total_results, list.resources),
        (200, Some(4), 1)
    );
    assert!(p.non_integer_counts().is_empty());
    assert!(
        p.not_found
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/scim+json"))
    );
    assert!(p.filter.starts_with("userName eq \"ssodesk-probe-"));
    let config = c.service_provider_config().await.expect("config");
    assert_eq!(
        (config.patch, config.bulk, config.filter),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(config.filter_max_results, Some(3));
    assert_eq!(
        config.authentication_schemes[0].as_str(),
        "oauthbearertoken"
    );
    let users = c.users().await.expect("users");
    assert_eq!(users.len(), 4);
    assert_eq!(users.pages, 2);
    assert!(
        users
            .iter()
            .all(|u| u.active == Some(true) && u.email().ends_with("@hooli.example"))
    );
}

#[tokio::test]
async fn entra_quarantine_quirks_are_recorded() {
    let d = demo().await;
    let http = http();
    let c = scim(&d, &http, "globex");
    let p = c.probe().await.expect("probe answers");
    assert_eq!(p.status(), 404);
    assert!(!p.not_found.list_response && !p.is_compliant_not_found());
    let e = p.not_found.error.as_ref().expect("parsed SCIM error");
    assert_eq!(
        e.message.as_str(),
        "User not found",
        "numeric status parsed"
    );
    assert_eq!(
        p.not_found.content_type.as_deref(),
        Some("application/json")
    );
    // The counts show on the unfiltered list: strings.
    assert_eq!(
        p.list.as_ref().map(|l| l.counts.total_results),
        Some(JsonKind::String)
    );
    assert_eq!(
        p.non_integer_counts(),
        vec!["totalResults", "startIndex", "itemsPerPage"]
    );
    // The list endpoint sends its counts as strings; paging still works.
    let users = c.users().await.expect("users");
    assert_eq!(users.len(), 4);
    assert_eq!(users.pages, 2);
    let lena = users
        .iter()
        .find(|u| u.user_name.as_str() == "lena@globex.example")
        .expect("lena");
    assert_eq!(lena.external_id.as_deref(), Some("ext-usr_globex_02"));
    assert!(lena.last_modified.is_some());
}

#[tokio::test]
async fn rejected_token_is_a_401_probe_and_an_error_list() {
    let d = demo().await;
    let http = http();
    let c = scim(&d, &http, "initech");
    let p = c.probe().await.expect("probe answers");
    assert_eq!(p.status(), 401);
    assert!(p.is_auth_failure());
    let e = c.users().await.expect_err("401");
    assert_eq!(e.status, Some(401));
    assert!(e.message.contains("Authorization failure"), "{}", e.message);
    let e = c.service_provider_config().await.expect_err("401");
    assert!(e.is_auth());
}
