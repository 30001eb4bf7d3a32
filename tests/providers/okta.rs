use ssodesk::http::ErrorKind;
use ssodesk::providers::OktaClient;
use ssodesk::providers::okta::{
    AppUserStatus, FeatureStatus, MappingStatus, NotEnabledReason, ProvisioningFeature, PushTarget,
    SyncState,
};
use ssodesk::secret::Secret;

use crate::common::*;

#[tokio::test]
async fn app_and_features() {
    let d = demo().await;
    let http = http();
    let acme = tenant(&d, "acme");
    let c = OktaClient::new(&http, "acme", acme.okta.as_ref().expect("okta"));
    let app = c.app().await.expect("app");
    assert_eq!(app.id.as_str(), c.app_id());
    assert!(app.has_feature("PUSH_NEW_USERS") && app.has_feature("GROUP_PUSH"));
    assert!(!app.has_feature("PUSH_USER_DEACTIVATION"));
    let ProvisioningFeature::Available(f) = c.user_provisioning().await.expect("feature") else {
        panic!("acme has provisioning enabled");
    };
    assert_eq!(f.status, FeatureStatus::Enabled);
    assert_eq!(f.create, Some(FeatureStatus::Enabled));
    assert_eq!(f.deactivate, Some(FeatureStatus::Disabled));
    assert_eq!(f.disabled_capabilities(), vec!["deactivate users"]);

    let initech = tenant(&d, "initech");
    let c = OktaClient::new(&http, "initech", initech.okta.as_ref().expect("okta"));
    assert!(
        c.app()
            .await
            .expect("app")
            .provisioning_features()
            .is_empty()
    );
    match c.user_provisioning().await.expect("a typed answer") {
        ProvisioningFeature::NotEnabled { reason, message } => {
            assert_eq!(reason, NotEnabledReason::AppProvisioningOff);
            assert!(message.contains("Provisioning is not enabled"), "{message}");
        }
        other => panic!("expected NotEnabled, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_app_is_a_404_not_a_not_enabled() {
    let d = demo().await;
    let http = http();
    let mut okta = tenant(&d, "acme").okta.expect("okta");
    okta.app_id = "0oaNOSUCHAPP".into();
    let c = OktaClient::new(&http, "acme", &okta);
    let e = c.user_provisioning().await.expect_err("404 stays an error");
    assert_eq!(e.status, Some(404));
    assert_eq!(e.code.as_deref(), Some("E0000007"));
    assert!(e.to_string().contains("/features/USER_PROVISIONING"), "{e}");
}

#[tokio::test]
async fn app_users_paginate_over_link_headers() {
    let d = demo().await;
    let http = http();
    let acme = tenant(&d, "acme");
    let c = OktaClient::new(&http, "acme", acme.okta.as_ref().expect("okta"));
    let users = c.app_users().await.expect("users");
    assert_eq!(users.len(), 7);
    assert_eq!(users.pages, 3, "page size 3 over 7 users");
    assert!(!users.truncated);
    assert_eq!(d.request_count("GET", &okta_app_path(&acme, "/users")), 3);
    let by = |email: &str| {
        users
            .iter()
            .find(|u| u.login() == Some(email))
            .expect(email)
    };
    assert_eq!(by("judy@acme.example").sync_state, Some(SyncState::Error));
    let kim = by("kim@acme.example");
    assert_eq!(kim.status, AppUserStatus::Staged);
    assert!(kim.external_id.is_none());
    let age = chrono::Utc::now() - kim.status_changed.expect("statusChanged");
    assert!((170..=190).contains(&age.num_minutes()), "{age:?}");
    assert_eq!(by("dana@acme.example").status, AppUserStatus::Provisioned);
}

#[tokio::test]
async fn groups_and_push_mappings_with_writes() {
    let d = demo().await;
    let http = http();
    let acme = tenant(&d, "acme");
    let c = OktaClient::new(&http, "acme", acme.okta.as_ref().expect("okta"));
    let groups = c.app_groups().await.expect("groups");
    let names: Vec<&str> = groups.iter().filter_map(|g| g.name.as_deref()).collect();
    assert_eq!(names, vec!["Sales", "Everyone at Acme"]);

    let mappings = c.push_mappings().await.expect("mappings");
    assert_eq!(mappings.len(), 3);
    let err = mappings
        .iter()
        .find(|m| m.status == MappingStatus::Error)
        .expect("ERROR mapping");
    assert!(
        err.error_summary
            .as_deref()
            .is_some_and(|s| s.contains("409"))
    );
    assert!(mappings.iter().any(|m| m.status == MappingStatus::Inactive));
    assert!(
        mappings
            .iter()
            .filter(|m| m.status == MappingStatus::Active)
            .all(|m| m.error_summary.is_none())
    );
    let eng = c.group(&err.source_group_id).await.expect("group");
    assert_eq!(eng.name.as_deref(), Some("Engineering"));

    // Push the assigned-but-unmapped group.
    let sales = groups
        .iter()
        .find(|g| g.name.as_deref() == Some("Sales"))
        .expect("sales");
    let plan = c.plan_create_push_mapping(&sales.id, &PushTarget::NewGroup("Sales".into()));
    assert_eq!(plan.method, "POST");
    assert_eq!(plan.auth, "SSWS ***");
    assert!(
        !format!("{plan:?} {plan}").contains("00demo-okta"),
        "the plan hides the token"
    );
    let (sent, created) = c
        .create_push_mapping(&sales.id, &PushTarget::NewGroup("Sales".into()))
        .await
        .expect("created");
    assert_eq!(sent.status, 201);
    assert_eq!(created.status, MappingStatus::Active);
    assert_eq!(c.push_mappings().await.expect("mappings").len(), 4);

    // Re-push the mapping in error: INACTIVE then ACTIVE.
    let (_, off) = c
        .set_push_mapping_status(&err.id, &MappingStatus::Inactive)
        .await
        .expect("patch");
    assert_eq!(off.status, MappingStatus::Inactive);
    let (_, on) = c
        .set_push_mapping_status(&err.id, &MappingStatus::Active)
        .await
        .expect("patch");
    assert_eq!(on.status, MappingStatus::Active);
    assert!(on.error_summary.is_none());
    // A second create for the same group is refused with Okta's validation error.
    let again = c
        .create_push_mapping(&sales.id, &PushTarget::NewGroup("Sales".into()))
        .await
        .expect_err("duplicate");
    assert_eq!(
        (again.status, again.code.as_deref()),
        (Some(400), Some("E0000001"))
    );
    assert!(again.causes.iter().any(|c| c.contains("already exists")));
}

#[tokio::test]
async fn wrong_token_gives_oktas_401() {
    let d = demo().await;
    let http = http();
    let mut okta = tenant(&d, "acme").okta.expect("okta");
    okta.token = Secret::new("00wrong");
    let c = OktaClient::new(&http, "acme", &okta);
    let e = c.app().await.expect_err("401");
    assert_eq!(e.kind, ErrorKind::Status);
    assert_eq!((e.status, e.code.as_deref()), (Some(401), Some("E0000011")));
    assert!(e.request_id.is_some(), "errorId kept");
    let line = e.to_string();
    for part in ["acme", "Okta", "GET", "/api/v1/apps/", "401", "E0000011"] {
        assert!(line.contains(part), "{line} lacks {part}");
    }
    assert!(!line.contains("00wrong"));
}

#[tokio::test]
async fn rate_limit_headers_reach_the_board() {
    let d = demo().await;
    let http = http();
    let acme = tenant(&d, "acme");
    let okta = acme.okta.as_ref().expect("okta");
    OktaClient::new(&http, "acme", okta)
        .app()
        .await
        .expect("app");
    let key = okta.url.as_str().trim_end_matches('/').to_string();
    let info = http.rate_limits().get(&key).expect("recorded");
    assert_eq!(info.limit, Some(600));
    assert!(info.remaining.is_some_and(|r| r < 600));
    assert!(info.reset_at.is_some());
    assert_eq!(info.tenant.as_deref(), Some("acme"));
}
