//! Every check against hand-built snapshots: a healthy tenant where all are ok, then one
//! change at a time for each non-ok status, sentinel values and empty data.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::*;
use crate::http::{ApiError, ErrorKind, Listing, Provider};
use crate::providers::graph::{AssignedUser, GraphUser, SyncJob};
use crate::providers::okta::{
    AppGroup, AppUser, AppUserStatus, FeatureStatus, MappingStatus, NotEnabledReason, OktaApp,
    ProvisioningFeature, PushMapping, SyncState, UserProvisioning,
};
use crate::providers::scim::{
    CountKinds, JsonKind, ListAnswer, ScimProbe, ScimUser, ServiceProviderConfig,
};
use crate::providers::sp::{
    LoginMethod, ProvisionedBy, SalesforceSync, SpLastSync, SpOrg, SpRole, SpSso, SpTeam, SpUser,
    SpUserStatus, SsoState, SyncRunStatus,
};
use crate::sanitize::SafeText;
use crate::snapshot::{AzureSnapshot, OktaSnapshot, ScimSnapshot, Snapshot, Source, SpSnapshot};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn t(s: &str) -> SafeText {
    SafeText::new(s)
}

fn err(provider: Provider, status: Option<u16>, kind: ErrorKind) -> ApiError {
    ApiError {
        tenant: "acme".into(),
        provider,
        method: "GET".into(),
        endpoint: t("/x"),
        status,
        kind,
        code: None,
        message: t("boom"),
        causes: vec![],
        request_id: None,
        retry_at: None,
    }
}

fn sp_user(id: &str, email: &str) -> SpUser {
    SpUser {
        id: t(id),
        email: t(email),
        name: t(id),
        status: SpUserStatus::Accepted,
        provisioned_by: ProvisionedBy::Scim,
        login_method: LoginMethod::Sso,
        teams: vec![t("team-all")],
        role: SpRole::Viewer,
        created_at: Some(now() - Duration::days(30)),
        last_login_at: Some(now() - Duration::days(1)),
        invited_at: None,
    }
}

fn app_user(id: &str, email: &str) -> AppUser {
    AppUser {
        id: t(id),
        external_id: Some(t("ext")),
        status: AppUserStatus::Provisioned,
        sync_state: Some(SyncState::Synchronized),
        scope: None,
        user_name: Some(t(email)),
        email: Some(t(email)),
        status_changed: Some(now() - Duration::days(3)),
        last_updated: Some(now() - Duration::days(3)),
        last_sync: Some(now() - Duration::days(3)),
        created: Some(now() - Duration::days(3)),
    }
}

fn job(value: serde_json::Value) -> SyncJob {
    let mut j: SyncJob = serde_json::from_value(value).expect("job json");
    if let Some(s) = j.schedule.as_mut() {
        s.interval_secs = s
            .interval
            .as_deref()
            .and_then(crate::providers::de::parse_iso_duration);
    }
    j
}

fn active_job(last_success_min_ago: i64) -> SyncJob {
    let end = (now() - Duration::minutes(last_success_min_ago)).to_rfc3339();
    job(json!({
        "id": "scim.0123",
        "templateId": "scim",
        "schedule": {"state": "Active", "interval": "PT40M"},
        "status": {"code": "Active", "lastSuccessfulExecution": {"state": "Succeeded", "timeEnded": end}}
    }))
}

fn healthy() -> Snapshot {
    let users = vec![
        sp_user("u1", "ann@acme.test"),
        sp_user("u2", "bob@acme.test"),
    ];
    Snapshot {
        tenant: "acme".into(),
        production: false,
        fetched_at: now(),
        sp: Source::Configured(SpSnapshot {
            org_id: "acme".into(),
            org: Ok(SpOrg {
                org: t("acme"),
                workspace: t("acme"),
                production: true,
                sso: SpSso {
                    idp: Some(t("okta")),
                    state: SsoState::Connected,
                    setup_step: None,
                    connected_at: Some(now() - Duration::days(100)),
                },
                connected_org_count: Some(1),
                last_sync: Some(SpLastSync {
                    at: Some(now() - Duration::hours(2)),
                    status: SyncRunStatus::Succeeded,
                    error: None,
                }),
                salesforce_sync: SalesforceSync::MetadataOnly,
            }),
            users: Ok(Listing::complete(users)),
            teams: Ok(vec![SpTeam {
                id: t("team-all"),
                name: t("All Spekit Users"),
                member_count: Some(2),
                default: true,
            }]),
        }),
        okta: Source::Configured(OktaSnapshot {
            app_id: "0oa1".into(),
            app: Ok(OktaApp {
                id: t("0oa1"),
                name: t("spekit"),
                label: t("Spekit"),
                status: Some(t("ACTIVE")),
                sign_on_mode: Some(t("SAML_2_0")),
                features: [
                    "PUSH_NEW_USERS",
                    "PUSH_PROFILE_UPDATES",
                    "PUSH_USER_DEACTIVATION",
                    "GROUP_PUSH",
                ]
                .iter()
                .map(|f| t(f))
                .collect(),
            }),
            provisioning: Ok(ProvisioningFeature::Available(UserProvisioning {
                status: FeatureStatus::Enabled,
                description: None,
                create: Some(FeatureStatus::Enabled),
                update_profile: Some(FeatureStatus::Enabled),
                deactivate: Some(FeatureStatus::Enabled),
                password: Some(FeatureStatus::Disabled),
            })),
            push_mappings: Ok(Listing::complete(vec![PushMapping {
                id: t("gPm1"),
                source_group_id: t("00gPush"),
                target_group_id: Some(t("tg1")),
                status: MappingStatus::Active,
                error_summary: None,
                last_push: Some(now() - Duration::hours(1)),
                last_updated: None,
                created: None,
            }])),
            app_users: Ok(Listing::complete(vec![app_user("00u1", "ann@acme.test")])),
            app_groups: Ok(Listing::complete(vec![])),
            mapping_groups: vec![],
        }),
        azure: Source::Configured(AzureSnapshot {
            service_principal_id: "sp-1".into(),
            jobs: Ok(vec![active_job(10)]),
            assigned_users: Ok(Listing::complete(vec![AssignedUser {
                user: GraphUser {
                    id: t("aad-1"),
                    user_principal_name: Some(t("bob@acme.test")),
                    mail: Some(t("Bob@acme.test")),
                    display_name: Some(t("Bob")),
                },
                via_group: None,
            }])),
        }),
        scim: Source::Configured(ScimSnapshot {
            base_url: "http://127.0.0.1:1/scim/v2".into(),
            config: Ok(ServiceProviderConfig::default()),
            probe: Ok(ScimProbe {
                filter: t("userName eq \"nobody\""),
                not_found: list_answer(0),
                list: Some(list_answer(1)),
            }),
            users: Ok(Listing::complete(vec![scim_user("ann@acme.test", true)])),
        }),
    }
}

fn list_answer(total: u64) -> ListAnswer {
    ListAnswer {
        status: 200,
        content_type: Some(t("application/scim+json")),
        list_response: true,
        total_results: Some(total),
        counts: CountKinds {
            total_results: JsonKind::Integer,
            start_index: JsonKind::Integer,
            items_per_page: JsonKind::Integer,
        },
        resources: total as usize,
        error: None,
    }
}

fn scim_user(email: &str, active: bool) -> ScimUser {
    serde_json::from_value(json!({
        "id": format!("s-{email}"), "userName": email, "active": active,
        "emails": [{"value": email, "primary": true}]
    }))
    .expect("scim user")
}

fn find(snap: &Snapshot, id: &str) -> Finding {
    let f = run_all(snap);
    f.into_iter().find(|f| f.check == id).expect("check ran")
}

fn sp_mut(s: &mut Snapshot) -> &mut SpSnapshot {
    match &mut s.sp {
        Source::Configured(sp) => sp,
        Source::NotConfigured => panic!("sp configured in fixture"),
    }
}
fn org_mut(s: &mut Snapshot) -> &mut SpOrg {
    sp_mut(s).org.as_mut().expect("org")
}
fn users_mut(s: &mut Snapshot) -> &mut Vec<SpUser> {
    &mut sp_mut(s).users.as_mut().expect("users").items
}
fn okta_mut(s: &mut Snapshot) -> &mut OktaSnapshot {
    match &mut s.okta {
        Source::Configured(o) => o,
        Source::NotConfigured => panic!("okta configured in fixture"),
    }
}
fn azure_mut(s: &mut Snapshot) -> &mut AzureSnapshot {
    match &mut s.azure {
        Source::Configured(a) => a,
        Source::NotConfigured => panic!("azure configured in fixture"),
    }
}
fn scim_mut(s: &mut Snapshot) -> &mut ScimSnapshot {
    match &mut s.scim {
        Source::Configured(x) => x,
        Source::NotConfigured => panic!("scim configured in fixture"),
    }
}

#[test]
fn healthy_tenant_is_ok_everywhere_with_one_finding_per_check() {
    let findings = run_all(&healthy());
    assert_eq!(findings.len(), CATALOG.len());
    for f in &findings {
        assert_eq!(f.status, Status::Ok, "{f:#?}");
        assert!(
            CATALOG
                .iter()
                .any(|c| c.id == f.check && c.faqs.contains(&f.faq.as_str())),
            "{f:?}"
        );
    }
}

#[test]
fn every_finding_links_a_catalog_article_in_every_scenario() {
    let mut snaps = vec![healthy()];
    let mut s = healthy();
    s.okta = Source::NotConfigured;
    s.azure = Source::NotConfigured;
    s.scim = Source::NotConfigured;
    snaps.push(s);
    for s in snaps {
        for f in run_all(&s) {
            let info = CATALOG
                .iter()
                .find(|c| c.id == f.check)
                .expect("catalogued");
            assert!(
                info.faqs.contains(&f.faq.as_str()),
                "{} -> {}",
                f.check,
                f.faq
            );
        }
    }
}

#[test]
fn unconfigured_sources_are_skipped() {
    let mut s = healthy();
    s.okta = Source::NotConfigured;
    s.azure = Source::NotConfigured;
    s.scim = Source::NotConfigured;
    for id in [
        "okta.provisioning",
        "okta.push_groups",
        "okta.app_users",
        "azure.sync_lag",
        "azure.job_state",
        "scim.endpoint",
        "cross.missing_users",
    ] {
        assert_eq!(find(&s, id).status, Status::Skipped, "{id}");
    }
    assert_eq!(find(&s, "sp.duplicates").status, Status::Ok);
}

#[test]
fn failed_calls_make_checks_unavailable_and_keep_the_rest() {
    let mut s = healthy();
    sp_mut(&mut s).org = Err(err(Provider::Sp, Some(502), ErrorKind::Decode));
    let f = find(&s, "sp.workspace_name");
    assert_eq!(f.status, Status::Unavailable);
    assert!(f.detail.contains("502"), "{}", f.detail);
    // Users still arrived: their checks still run.
    assert_eq!(find(&s, "sp.duplicates").status, Status::Ok);
}

// okta.provisioning

#[test]
fn okta_provisioning_not_enabled_is_an_error() {
    let mut s = healthy();
    okta_mut(&mut s).provisioning = Ok(ProvisioningFeature::NotEnabled {
        reason: NotEnabledReason::AppProvisioningOff,
        message: t("Provisioning is not enabled for the app instance."),
    });
    let f = find(&s, "okta.provisioning");
    assert_eq!(f.status, Status::Error);
    assert!(
        f.detail.contains("E0000001") && f.detail.contains("Lifecycle Management"),
        "{}",
        f.detail
    );
}

#[test]
fn okta_provisioning_switched_off_capability_is_named() {
    let mut s = healthy();
    if let Ok(ProvisioningFeature::Available(up)) = &mut okta_mut(&mut s).provisioning {
        up.deactivate = Some(FeatureStatus::Disabled);
    }
    let f = find(&s, "okta.provisioning");
    assert_eq!(f.status, Status::Warning);
    assert!(f.title.contains("deactivate users"), "{}", f.title);
}

#[test]
fn okta_provisioning_falls_back_to_app_features_when_the_feature_api_fails() {
    let mut s = healthy();
    let o = okta_mut(&mut s);
    o.provisioning = Err(err(Provider::Okta, Some(404), ErrorKind::Status));
    assert_eq!(find(&s, "okta.provisioning").status, Status::Ok);
    let o = okta_mut(&mut s);
    if let Ok(app) = &mut o.app {
        app.features
            .retain(|f| f.as_str() != "PUSH_PROFILE_UPDATES");
    }
    let f = find(&s, "okta.provisioning");
    assert_eq!(f.status, Status::Warning);
    assert!(f.title.contains("update user attributes"));
    if let Ok(app) = &mut okta_mut(&mut s).app {
        app.features.clear();
    }
    assert_eq!(find(&s, "okta.provisioning").status, Status::Error);
    okta_mut(&mut s).app = Err(err(Provider::Okta, None, ErrorKind::Timeout));
    assert_eq!(find(&s, "okta.provisioning").status, Status::Unavailable);
}

// okta.push_groups

fn group(id: &str, name: &str) -> AppGroup {
    AppGroup {
        id: t(id),
        name: Some(t(name)),
        priority: None,
        last_updated: None,
    }
}

#[test]
fn push_groups_error_mapping_is_an_error_with_its_summary_and_fix() {
    let mut s = healthy();
    let o = okta_mut(&mut s);
    if let Ok(m) = &mut o.push_mappings {
        m.items[0].status = MappingStatus::Error;
        m.items[0].error_summary = Some(t("Group name already exists"));
    }
    let f = find(&s, "okta.push_groups");
    assert_eq!(f.status, Status::Error);
    assert_eq!(f.faq, "okta-group-push-errors");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("Group name already exists")),
        "{:?}",
        f.evidence
    );
    let fix = f.fix.expect("fix");
    assert_eq!(fix.kind, FixKind::OktaPushGroup);
    assert_eq!(fix.target.groups[0].mapping_id.as_deref(), Some("gPm1"));
}

#[test]
fn push_groups_unpushed_both_and_inactive() {
    let mut s = healthy();
    let o = okta_mut(&mut s);
    o.app_groups = Ok(Listing::complete(vec![
        group("00gNew", "Sales"),
        group("00gPush", "Everyone"),
    ]));
    let f = find(&s, "okta.push_groups");
    assert_eq!(f.status, Status::Warning);
    assert!(
        f.title.contains("not pushed") && f.title.contains("both"),
        "{}",
        f.title
    );
    let fix = f.fix.expect("fix");
    assert!(
        fix.target
            .groups
            .iter()
            .any(|g| g.name == "Sales" && g.mapping_id.is_none())
    );

    let mut s = healthy();
    if let Ok(m) = &mut okta_mut(&mut s).push_mappings {
        m.items[0].status = MappingStatus::Inactive;
    }
    let f = find(&s, "okta.push_groups");
    assert_eq!(f.status, Status::Info);
    assert!(f.fix.is_some());
}

#[test]
fn push_groups_unavailable_when_mappings_fail() {
    let mut s = healthy();
    okta_mut(&mut s).push_mappings = Err(err(Provider::Okta, Some(403), ErrorKind::Status));
    assert_eq!(find(&s, "okta.push_groups").status, Status::Unavailable);
}

// okta.app_users

#[test]
fn app_users_error_and_stuck_states() {
    let mut s = healthy();
    let mut bad = app_user("00u2", "err@acme.test");
    bad.sync_state = Some(SyncState::Error);
    okta_mut(&mut s).app_users = Ok(Listing::complete(vec![bad]));
    assert_eq!(find(&s, "okta.app_users").status, Status::Error);

    let mut s = healthy();
    let mut staged = app_user("00u3", "staged@acme.test");
    staged.status = AppUserStatus::Staged;
    staged.status_changed = Some(now() - Duration::hours(3));
    let mut fresh = app_user("00u4", "fresh@acme.test");
    fresh.sync_state = Some(SyncState::OutOfSync);
    fresh.last_updated = Some(now() - Duration::minutes(10));
    okta_mut(&mut s).app_users = Ok(Listing::complete(vec![staged, fresh]));
    let f = find(&s, "okta.app_users");
    assert_eq!(f.status, Status::Warning);
    assert_eq!(
        f.evidence.len(),
        1,
        "a 10-minute-old change is not stuck: {:?}",
        f.evidence
    );
    assert!(f.evidence[0].contains("staged@acme.test") && f.evidence[0].contains("3 h"));
}

#[test]
fn app_users_empty_list_is_ok() {
    let mut s = healthy();
    okta_mut(&mut s).app_users = Ok(Listing::complete(vec![]));
    assert_eq!(find(&s, "okta.app_users").status, Status::Ok);
}

// azure.sync_lag

#[test]
fn sync_lag_thresholds() {
    for (minutes, want) in [
        (39, Status::Ok),
        (40, Status::Ok),
        (41, Status::Warning),
        (80, Status::Warning),
        (81, Status::Error),
        (95, Status::Error),
    ] {
        let mut s = healthy();
        azure_mut(&mut s).jobs = Ok(vec![active_job(minutes)]);
        let f = find(&s, "azure.sync_lag");
        assert_eq!(f.status, want, "{minutes} min: {f:?}");
    }
    let mut s = healthy();
    azure_mut(&mut s).jobs = Ok(vec![active_job(10)]);
    let f = find(&s, "azure.sync_lag");
    assert!(
        f.detail.contains("40 minutes") && f.detail.contains("in 30 min"),
        "{}",
        f.detail
    );
}

#[test]
fn sync_lag_sentinels_mean_never() {
    let paused = job(json!({
        "id": "scim.1", "templateId": "scim",
        "schedule": {"state": "Disabled", "interval": "P10675199DT2H48M5.4775807S", "expiration": null},
        "status": {"code": "Paused", "lastSuccessfulExecution": {"timeEnded": "0001-01-01T00:00:00Z"},
                   "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z"}
    }));
    assert_eq!(paused.interval_secs(), None);
    assert_eq!(paused.last_success_end(), None);
    let mut s = healthy();
    azure_mut(&mut s).jobs = Ok(vec![paused]);
    let f = find(&s, "azure.sync_lag");
    assert_eq!(f.status, Status::Error, "{f:?}");
    assert!(f.title.contains("never"));

    let first_run = job(json!({"id": "scim.2", "status": {"code": "NotRun"}}));
    azure_mut(&mut s).jobs = Ok(vec![first_run]);
    assert_eq!(find(&s, "azure.sync_lag").status, Status::Warning);
    azure_mut(&mut s).jobs = Ok(vec![]);
    assert_eq!(find(&s, "azure.sync_lag").status, Status::Info);
}

// azure.job_state

#[test]
fn job_state_quarantine_paused_and_not_run() {
    let mut s = healthy();
    let next = (now() + Duration::minutes(90)).to_rfc3339();
    azure_mut(&mut s).jobs = Ok(vec![job(json!({
        "id": "scim.q", "status": {"code": "Quarantine",
            "quarantine": {"reason": "QuarantineOnDemand", "nextAttempt": next,
                           "error": {"code": "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable", "message": "401"}}}
    }))]);
    let f = find(&s, "azure.job_state");
    assert_eq!(f.status, Status::Error);
    assert!(
        f.evidence[0].contains("QuarantinedOnDemand"),
        "{:?}",
        f.evidence
    );
    assert!(f.detail.contains("in 1 h 30 min"), "{}", f.detail);
    let fix = f.fix.expect("fix");
    assert_eq!(fix.kind, FixKind::AzureRestartJob);
    assert_eq!(fix.target.job_id.as_deref(), Some("scim.q"));

    azure_mut(&mut s).jobs = Ok(vec![job(
        json!({"id": "scim.p", "status": {"code": "Paused"}}),
    )]);
    let f = find(&s, "azure.job_state");
    assert_eq!(
        (f.status, f.fix.map(|x| x.kind)),
        (Status::Warning, Some(FixKind::AzureStartJob))
    );
    assert_eq!(f.faq, "azure-job-paused");

    azure_mut(&mut s).jobs = Ok(vec![job(
        json!({"id": "scim.d", "schedule": {"state": "Disabled"}, "status": {"code": "Active"}}),
    )]);
    assert_eq!(
        find(&s, "azure.job_state").fix.map(|x| x.kind),
        Some(FixKind::AzureStartJob)
    );

    for code in ["NotConfigured", "NotRun"] {
        azure_mut(&mut s).jobs = Ok(vec![job(json!({"id": "scim.n", "status": {"code": code}}))]);
        assert_eq!(
            find(&s, "azure.job_state").status,
            Status::Warning,
            "{code}"
        );
    }
    azure_mut(&mut s).jobs = Ok(vec![]);
    assert_eq!(find(&s, "azure.job_state").status, Status::Warning);
}

// scim.endpoint

fn probe_mut(s: &mut Snapshot) -> &mut ListAnswer {
    &mut scim_mut(s).probe.as_mut().expect("probe").not_found
}

#[test]
fn scim_endpoint_statuses() {
    let mut s = healthy();
    probe_mut(&mut s).status = 401;
    let f = find(&s, "scim.endpoint");
    assert_eq!(f.status, Status::Error);
    assert!(f.title.contains("rejected the token"));

    let mut s = healthy();
    let p = probe_mut(&mut s);
    p.status = 404;
    p.list_response = false;
    p.total_results = None;
    let f = find(&s, "scim.endpoint");
    assert_eq!(
        (f.status, f.faq.as_str()),
        (Status::Warning, "scim-filter-404-quarantine")
    );

    let mut s = healthy();
    probe_mut(&mut s).counts.total_results = JsonKind::String;
    if let Ok(ScimProbe { list: Some(l), .. }) = &mut scim_mut(&mut s).probe {
        l.counts.items_per_page = JsonKind::String;
    }
    let f = find(&s, "scim.endpoint");
    assert_eq!(
        (f.status, f.faq.as_str()),
        (Status::Warning, "scim-list-counts-integers")
    );
    assert!(
        f.title.contains("totalResults, itemsPerPage"),
        "{}",
        f.title
    );

    let mut s = healthy();
    scim_mut(&mut s).probe = Err(err(Provider::Scim, None, ErrorKind::Connect));
    let f = find(&s, "scim.endpoint");
    assert_eq!(f.status, Status::Error);
    assert!(f.title.contains("cannot be reached"));

    let mut s = healthy();
    probe_mut(&mut s).status = 500;
    assert_eq!(find(&s, "scim.endpoint").status, Status::Error);
}

// sp.*

#[test]
fn pending_users_info_then_warning_after_seven_days() {
    let mut s = healthy();
    let mut p = sp_user("u3", "new@acme.test");
    p.status = SpUserStatus::Pending;
    p.created_at = Some(now() - Duration::days(2));
    users_mut(&mut s).push(p.clone());
    let f = find(&s, "sp.pending_users");
    assert_eq!(f.status, Status::Info);
    assert!(
        f.detail.contains("new@acme.test") && f.detail.contains("2 days"),
        "{}",
        f.detail
    );
    let mut old = p;
    old.id = t("u4");
    old.email = t("old@acme.test");
    old.created_at = Some(now() - Duration::days(12));
    users_mut(&mut s).push(old);
    let f = find(&s, "sp.pending_users");
    assert_eq!(f.status, Status::Warning);
    let fix = f.fix.expect("fix");
    assert_eq!(fix.kind, FixKind::SpResendInvite);
    assert_eq!(fix.target.users.len(), 1, "the stale one");
    assert_eq!(fix.target.users[0].email, "old@acme.test");
}

#[test]
fn deactivated_jit_lists_them_with_the_default_team() {
    let mut s = healthy();
    let mut u = sp_user("u9", "gone@acme.test");
    u.status = SpUserStatus::Deactivated;
    u.provisioned_by = ProvisionedBy::Jit;
    u.teams.clear();
    let mut scim_gone = sp_user("u10", "scimgone@acme.test");
    scim_gone.status = SpUserStatus::Deactivated;
    users_mut(&mut s).extend([u, scim_gone]);
    let f = find(&s, "sp.deactivated_jit");
    assert_eq!(f.status, Status::Info);
    assert_eq!(f.evidence, vec!["gone@acme.test".to_string()]);
    let fix = f.fix.expect("fix");
    assert_eq!(fix.kind, FixKind::SpReactivate);
    assert_eq!(fix.target.team.map(|t| t.id), Some("team-all".into()));
}

#[test]
fn default_team_and_role() {
    let mut s = healthy();
    users_mut(&mut s)[0].teams.clear();
    users_mut(&mut s)[1].role = SpRole::Editor;
    let f = find(&s, "sp.default_team");
    assert_eq!(f.status, Status::Warning);
    assert_eq!(f.evidence.len(), 2);
    // Invited users are not provisioned by the IdP: not this check's business.
    let mut s = healthy();
    users_mut(&mut s)[0].provisioned_by = ProvisionedBy::Invite;
    users_mut(&mut s)[0].teams.clear();
    assert_eq!(find(&s, "sp.default_team").status, Status::Ok);
    // No default team at all.
    let mut s = healthy();
    if let Ok(teams) = &mut sp_mut(&mut s).teams {
        teams[0].default = false;
    }
    assert_eq!(find(&s, "sp.default_team").status, Status::Warning);
}

#[test]
fn duplicates_differ_only_by_case() {
    let mut s = healthy();
    users_mut(&mut s).push(sp_user("u5", "Ann@Acme.test"));
    let f = find(&s, "sp.duplicates");
    assert_eq!(f.status, Status::Warning);
    assert!(f.evidence[0].contains("ann@acme.test") && f.evidence[0].contains("Ann@Acme.test"));
}

#[test]
fn single_org_counts() {
    let mut s = healthy();
    org_mut(&mut s).connected_org_count = Some(2);
    assert_eq!(find(&s, "sp.single_org").status, Status::Error);
    org_mut(&mut s).connected_org_count = None;
    assert_eq!(find(&s, "sp.single_org").status, Status::Ok);
}

#[test]
fn workspace_name_rules() {
    assert!(workspace_problems("acme").is_empty());
    assert!(workspace_problems("acme2").is_empty());
    let p = workspace_problems("Initech_Corp!");
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[1].contains("`_`") && p[1].contains("`!`"));
    assert!(workspace_problems(&"a".repeat(64))[0].contains("64 characters"));
    assert!(workspace_problems(&"a".repeat(63)).is_empty());
    let mut s = healthy();
    org_mut(&mut s).workspace = t("Initech_Corp!");
    assert_eq!(find(&s, "sp.workspace_name").status, Status::Error);
}

#[test]
fn sso_setup_states() {
    let mut s = healthy();
    org_mut(&mut s).sso.state = SsoState::SetupInProgress;
    org_mut(&mut s).sso.setup_step = Some(3);
    let f = find(&s, "sp.sso_setup");
    assert_eq!(f.status, Status::Info);
    assert!(f.title.contains("step 3") && f.detail.contains("lost"));
    org_mut(&mut s).sso.state = SsoState::Failed;
    assert_eq!(find(&s, "sp.sso_setup").status, Status::Warning);
}

#[test]
fn last_sync_failed_offers_a_manual_sync() {
    let mut s = healthy();
    org_mut(&mut s).last_sync = Some(SpLastSync {
        at: Some(now() - Duration::hours(5)),
        status: SyncRunStatus::Failed,
        error: Some(t("IdP returned 500")),
    });
    let f = find(&s, "sp.last_sync");
    assert_eq!(f.status, Status::Warning);
    assert!(f.detail.contains("IdP returned 500"));
    assert_eq!(f.fix.map(|x| x.kind), Some(FixKind::SpManualSync));
    org_mut(&mut s).last_sync = None;
    assert_eq!(find(&s, "sp.last_sync").status, Status::Ok);
}

#[test]
fn salesforce_sync_and_login_methods_after_sso() {
    let mut s = healthy();
    org_mut(&mut s).salesforce_sync = SalesforceSync::Profiles;
    assert_eq!(find(&s, "sp.salesforce_sync").status, Status::Warning);
    org_mut(&mut s).sso.state = SsoState::NotConnected;
    assert_eq!(find(&s, "sp.salesforce_sync").status, Status::Ok);

    let mut s = healthy();
    users_mut(&mut s)[0].login_method = LoginMethod::Salesforce;
    users_mut(&mut s)[1].login_method = LoginMethod::Password;
    let f = find(&s, "sp.login_methods");
    assert_eq!(f.status, Status::Info);
    assert!(
        f.detail.contains("1 with Salesforce, 1 with a password"),
        "{}",
        f.detail
    );
}

// cross.missing_users

#[test]
fn missing_users_per_idp_with_the_fitting_fix() {
    let mut s = healthy();
    if let Ok(l) = &mut azure_mut(&mut s).assigned_users {
        l.items.push(AssignedUser {
            user: GraphUser {
                id: t("aad-9"),
                user_principal_name: Some(t("new@acme.test")),
                mail: None,
                display_name: None,
            },
            via_group: Some(t("Sales")),
        });
    }
    let f = find(&s, "cross.missing_users");
    assert_eq!(f.status, Status::Warning);
    assert!(
        f.detail.contains("next Entra cycle is due in 30 min"),
        "{}",
        f.detail
    );
    let fix = f.fix.expect("fix");
    assert_eq!(fix.kind, FixKind::AzureProvisionOnDemand);
    assert_eq!(fix.target.users[0].id, "aad-9");
    assert_eq!(fix.target.job_id.as_deref(), Some("scim.0123"));

    let mut s = healthy();
    if let Ok(l) = &mut okta_mut(&mut s).app_users {
        l.items.push(app_user("00u7", "okta-only@acme.test"));
        let mut staged = app_user("00u8", "staged@acme.test");
        staged.status = AppUserStatus::Staged;
        l.items.push(staged);
    }
    if let Ok(l) = &mut scim_mut(&mut s).users {
        l.items.push(scim_user("scim-only@acme.test", true));
        l.items.push(scim_user("inactive@acme.test", false));
    }
    let f = find(&s, "cross.missing_users");
    assert_eq!(f.evidence.len(), 2, "{:?}", f.evidence);
    assert!(f.detail.contains("Push Groups") && f.detail.contains("manual sync"));
    assert_eq!(f.fix.map(|x| x.kind), Some(FixKind::SpManualSync));
}

#[test]
fn missing_users_unavailable_without_any_idp_list() {
    let mut s = healthy();
    okta_mut(&mut s).app_users = Err(err(Provider::Okta, Some(500), ErrorKind::Status));
    azure_mut(&mut s).assigned_users = Err(err(Provider::Graph, Some(403), ErrorKind::Status));
    scim_mut(&mut s).users = Err(err(Provider::Scim, Some(500), ErrorKind::Status));
    assert_eq!(find(&s, "cross.missing_users").status, Status::Unavailable);
}

#[test]
fn a_recent_invitation_makes_a_pending_user_not_stale() {
    let mut s = healthy();
    let mut p = sp_user("u3", "old@acme.test");
    p.status = SpUserStatus::Pending;
    p.created_at = Some(now() - Duration::days(12));
    p.invited_at = Some(now() - Duration::minutes(5));
    users_mut(&mut s).push(p);
    let f = find(&s, "sp.pending_users");
    assert_eq!(f.status, Status::Info);
    assert!(
        f.evidence[0].contains("invited 5 min ago"),
        "{:?}",
        f.evidence
    );
}

#[test]
fn push_groups_offers_no_fix_without_provisioning() {
    let mut s = healthy();
    let o = okta_mut(&mut s);
    o.provisioning = Ok(ProvisioningFeature::NotEnabled {
        reason: NotEnabledReason::AppProvisioningOff,
        message: t("Provisioning is not enabled for the app instance."),
    });
    o.app_groups = Ok(Listing::complete(vec![group("00gNew", "Sales")]));
    let f = find(&s, "okta.push_groups");
    assert_eq!(f.status, Status::Warning);
    assert!(f.fix.is_none(), "pushing cannot work without provisioning");
    assert!(f.detail.contains("1 group"), "{}", f.detail);
}

#[test]
fn scim_endpoint_broken_list_bad_bodies_and_unreadable_users_are_errors() {
    // 404 to the plain list too: a wrong base URL, not the filter quirk.
    let mut s = healthy();
    probe_mut(&mut s).status = 404;
    if let Ok(ScimProbe { list: Some(l), .. }) = &mut scim_mut(&mut s).probe {
        l.status = 404;
        l.error = Some(err(Provider::Scim, Some(404), ErrorKind::Status));
    }
    let f = find(&s, "scim.endpoint");
    assert_eq!(f.status, Status::Error, "{}", f.title);
    assert!(f.detail.contains("HTTP 404") && f.detail.contains("tenant acme"));

    // 200 with a body that is not JSON.
    let mut s = healthy();
    probe_mut(&mut s).error = Some(err(Provider::Scim, Some(200), ErrorKind::Decode));
    let f = find(&s, "scim.endpoint");
    assert_eq!(f.status, Status::Error);
    assert!(f.detail.contains("unexpected answer"), "{}", f.detail);

    // The user list cannot be read; a rejected token there is not this finding's error.
    let mut s = healthy();
    scim_mut(&mut s).users = Err(err(Provider::Scim, Some(200), ErrorKind::Decode));
    let f = find(&s, "scim.endpoint");
    assert_eq!(f.status, Status::Error);
    assert!(f.title.contains("user list"), "{}", f.title);
    scim_mut(&mut s).users = Err(err(Provider::Scim, Some(401), ErrorKind::Status));
    assert_eq!(find(&s, "scim.endpoint").status, Status::Ok);
}

#[test]
fn missing_users_with_an_unread_source_is_not_an_all_clear() {
    let mut s = healthy();
    okta_mut(&mut s).app_users = Err(err(Provider::Okta, Some(500), ErrorKind::Status));
    let f = find(&s, "cross.missing_users");
    assert_eq!(f.status, Status::Unavailable);
    assert!(f.detail.contains("Okta API") && f.detail.contains("500"));
    // Users missing from a source that was read still make the warning, errors noted.
    azure_mut(&mut s)
        .assigned_users
        .as_mut()
        .expect("assigned")
        .items
        .push(AssignedUser {
            user: serde_json::from_value(json!({"id": "g9", "mail": "zed@acme.test"}))
                .expect("user"),
            via_group: None,
        });
    let f = find(&s, "cross.missing_users");
    assert_eq!(f.status, Status::Warning);
    assert!(f.detail.contains("Not every source could be read"));
}

#[test]
fn times_at_the_end_of_the_calendar_do_not_overflow() {
    let mut s = healthy();
    let j = job(json!({
        "id": "scim.0123", "templateId": "scim",
        "schedule": {"state": "Active", "interval": "P3650D"},
        "status": {"code": "Quarantine",
            "lastSuccessfulExecution": {"timeEnded": "+262142-12-31T23:59:59"},
            "quarantine": {"nextAttempt": "+262142-12-31T23:59:59", "seriesBegan": "-262143-01-01T00:00:00"}}
    }));
    azure_mut(&mut s).jobs = Ok(vec![j]);
    for f in run_all(&s) {
        assert!(!f.title.is_empty());
    }
}
