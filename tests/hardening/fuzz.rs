//! Property tests of every provider decoder and of the error-body parser, as they run in the
//! clients (`ssodesk::providers::*::decode_*`, `ssodesk::http::parse_error_body`): arbitrary
//! and adversarial JSON (wrong types, nulls, huge numbers, deep nesting, control characters,
//! times at the ends of the calendar) never panics, and every piece of decoded text is clean.
//! A last property feeds mutated answers of all four APIs through a snapshot, every check
//! and every report format.
//!
//! CI runs a few hundred cases per property; `PROPTEST_CASES=20000 cargo test --test
//! hardening fuzz` runs a long pass.

use std::sync::OnceLock;

use chrono::Utc;
use proptest::prelude::*;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, LINK};
use serde::Serialize;
use serde_json::{Value, json};
use ssodesk::checks::run_all;
use ssodesk::http::{ApiError, ApiResponse, CallContext, Listing, Provider, parse_error_body};
use ssodesk::kb::KnowledgeBase;
use ssodesk::providers::graph::{self, AssignedUser};
use ssodesk::providers::scim::{self, ScimProbe};
use ssodesk::providers::{okta, sp};
use ssodesk::report::{TenantReport, ticket_note, to_json, to_text};
use ssodesk::sanitize::{SafeText, is_clean};
use ssodesk::snapshot::{AzureSnapshot, OktaSnapshot, ScimSnapshot, Snapshot, Source, SpSnapshot};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

// ------------------------------------------------------------------------------ inputs

/// Strings that break parsers and terminals, and strings that look like the values the
/// decoders read leniently (times, durations, numbers, enums).
fn nasty_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\u{1b}[2J\u{1b}[31m".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{1b}]52;c;cm0gLXJmIH4=\u{7}".to_string()),
        Just("\u{1b}]8;;https://evil.example/\u{1b}\\x\u{1b}]8;;\u{1b}\\".to_string()),
        Just("\u{9b}31m\u{9d}0;x\u{9c}".to_string()),
        Just("\u{7}\u{8}\r\n\t\u{7f}\u{0}".to_string()),
        Just("\u{202e}\u{2066}\u{200b}\u{200d}\u{feff}".to_string()),
        Just("👩\u{200d}💻 山田 사용자".to_string()),
        Just("0001-01-01T00:00:00Z".to_string()),
        Just("9999-12-31T23:59:59.9999999Z".to_string()),
        Just("+262142-12-31T23:59:59".to_string()),
        Just("-262143-01-01T00:00:00".to_string()),
        Just("P10675199DT2H48M5.4775807S".to_string()),
        Just("PT40M".to_string()),
        Just("P99999999999999999999D".to_string()),
        Just("18446744073709551615".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("1e308".to_string()),
        Just("NaN".to_string()),
        Just("True".to_string()),
        Just("ERROR".to_string()),
        Just("Quarantine".to_string()),
        Just("pending".to_string()),
        Just("{\"result\":\"Failure\",\"details\":{\"errorMessage\":\"\u{1b}[2J\"}}".to_string()),
        "[\\PC]{0,16}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

/// Values at the edges: the largest and smallest numbers, and times at the ends of the
/// calendar or of Graph's "never".
fn edge() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!(u64::MAX),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(-1),
        json!(0),
        json!(1e308),
        json!(-1e308),
        json!(0.5),
        json!("18446744073709551615"),
        json!("-1"),
        json!("+262142-12-31T23:59:59"),
        json!("-262143-01-01T00:00:00"),
        json!("9999-12-31T23:59:59Z"),
        json!("0001-01-01T00:00:00Z"),
        json!("P10675199DT2H48M5.4775807S"),
        json!("P3650D"),
        json!(""),
    ])
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        edge(),
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            Just(f64::MAX),
            Just(f64::MIN),
            Just(1e-300),
            Just(-0.0),
            any::<f64>()
        ]
        .prop_map(Value::from),
        nasty_string().prop_map(Value::String),
        Just(Value::Array(vec![])),
        Just(json!({})),
    ]
}

/// Keys the decoders read, so that arbitrary objects reach their fields.
const KEYS: &[&str] = &[
    "id",
    "name",
    "label",
    "status",
    "features",
    "signOnMode",
    "sourceGroupId",
    "targetGroupId",
    "errorSummary",
    "lastPush",
    "lastUpdated",
    "created",
    "externalId",
    "syncState",
    "scope",
    "credentials",
    "userName",
    "profile",
    "email",
    "statusChanged",
    "lastSync",
    "priority",
    "_embedded",
    "group",
    "description",
    "value",
    "@odata.nextLink",
    "templateId",
    "schedule",
    "state",
    "interval",
    "expiration",
    "code",
    "lastExecution",
    "lastSuccessfulExecution",
    "quarantine",
    "reason",
    "nextAttempt",
    "timeEnded",
    "timeBegan",
    "error",
    "message",
    "principalId",
    "principalType",
    "principalDisplayName",
    "mail",
    "userPrincipalName",
    "displayName",
    "key",
    "details",
    "errorCode",
    "schemas",
    "totalResults",
    "startIndex",
    "itemsPerPage",
    "Resources",
    "active",
    "emails",
    "primary",
    "meta",
    "lastModified",
    "patch",
    "supported",
    "filter",
    "maxResults",
    "authenticationSchemes",
    "type",
    "org",
    "workspace",
    "production",
    "sso",
    "idp",
    "setup_step",
    "connected_at",
    "connected_org_count",
    "last_sync",
    "at",
    "salesforce_sync",
    "users",
    "next_cursor",
    "teams",
    "member_count",
    "default",
    "provisioned_by",
    "login_method",
    "role",
    "created_at",
    "last_login_at",
    "invited_at",
    "sync_id",
    "started_at",
    "finished_at",
    "access_token",
    "expires_in",
    "capabilities",
    "errorCauses",
    "errorId",
    "innerError",
    "request-id",
    "scimType",
    "detail",
    "error_description",
];

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        4 => prop::sample::select(KEYS).prop_map(str::to_string),
                        1 => nasty_string(),
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A body: JSON (arbitrary or nearly valid), or bytes that are not JSON at all.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..256),
        1 => nasty_string().prop_map(String::into_bytes),
        1 => (1usize..4000).prop_map(|n| "[".repeat(n).into_bytes()),
        1 => (1usize..4000).prop_map(|n| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)).into_bytes()),
    ]
}

fn response(provider: Provider, status: u16, content_type: &str, body: Vec<u8>) -> ApiResponse {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    headers.insert(
        LINK,
        HeaderValue::from_static("<https://fuzz.example/api/next?after=x>; rel=\"next\""),
    );
    ApiResponse {
        ctx: CallContext {
            tenant: "fuzz".into(),
            provider,
            method: "GET".into(),
            endpoint: SafeText::new("/api/x"),
        },
        url: Url::parse("https://fuzz.example/api/x?startIndex=3").expect("url"),
        status,
        headers,
        body,
        retry_at: None,
    }
}

// ------------------------------------------------------------------------------ checks

/// Every string in `v` (keys too) is clean.
fn clean_json(v: &Value) -> Result<(), String> {
    match v {
        Value::String(s) if !is_clean(s) => Err(format!("unclean string {s:?}")),
        Value::Array(a) => a.iter().try_for_each(clean_json),
        Value::Object(o) => o.iter().try_for_each(|(k, x)| {
            if is_clean(k) {
                clean_json(x)
            } else {
                Err(format!("unclean key {k:?}"))
            }
        }),
        _ => Ok(()),
    }
}

fn clean_value<T: Serialize>(what: &str, t: &T) -> Result<(), TestCaseError> {
    let v = serde_json::to_value(t).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    clean_json(&v).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))
}

fn clean_error(what: &str, e: &ApiError) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(is_clean(&shown), "{}: error shows {:?}", what, shown);
    prop_assert!(!shown.contains('\n'), "{}: error is one line", what);
    clean_value(what, e)
}

/// Decoding gave a clean value or a clean error.
fn clean<T: Serialize>(what: &str, r: &Result<T, ApiError>) -> Result<(), TestCaseError> {
    match r {
        Ok(t) => clean_value(what, t),
        Err(e) => clean_error(what, e),
    }
}

fn okta_all(r: &ApiResponse) -> Result<(), TestCaseError> {
    clean("okta app", &okta::decode_app(r))?;
    clean("okta provisioning", &okta::decode_user_provisioning(r))?;
    clean(
        "okta mappings",
        &okta::decode_push_mappings_page(r).map(|p| p.0),
    )?;
    clean(
        "okta app users",
        &okta::decode_app_users_page(r).map(|p| p.0),
    )?;
    clean(
        "okta app groups",
        &okta::decode_app_groups_page(r).map(|p| p.0),
    )?;
    clean("okta group", &okta::decode_group(r))?;
    clean("okta mapping", &okta::decode_push_mapping(r))
}

fn graph_all(r: &ApiResponse) -> Result<(), TestCaseError> {
    clean("graph jobs", &graph::decode_jobs_page(r).map(|p| p.0))?;
    clean("graph job", &graph::decode_job(r))?;
    clean("graph rules", &graph::decode_rules(r))?;
    clean(
        "graph assignments",
        &graph::decode_assignments_page(r).map(|p| p.0),
    )?;
    clean("graph user", &graph::decode_user(r))?;
    clean("graph members", &graph::decode_members_page(r).map(|p| p.0))?;
    clean("graph on demand", &graph::decode_on_demand(r))?;
    if let Err(e) = graph::decode_token(r) {
        clean_error("graph token", &e)?;
    }
    Ok(())
}

fn scim_all(r: &ApiResponse) -> Result<(), TestCaseError> {
    clean("scim config", &scim::decode_service_provider_config(r))?;
    clean_value("scim list answer", &scim::decode_list_answer(r))?;
    clean("scim users", &scim::decode_users_page(r).map(|p| p.0))
}

fn sp_all(r: &ApiResponse) -> Result<(), TestCaseError> {
    clean("sp org", &sp::decode_org(r))?;
    // The cursor is sent back verbatim (in a query string), never shown: only the users.
    clean("sp users", &sp::decode_users_page(r).map(|p| p.0))?;
    clean("sp teams", &sp::decode_teams(r))?;
    clean("sp sync started", &sp::decode_sync_started(r))?;
    clean("sp sync run", &sp::decode_sync_run(r))?;
    clean("sp member added", &sp::decode_member_added(r))?;
    if let Err(e) = r.expect_ack() {
        clean_error("ack", &e)?;
    }
    Ok(())
}

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/scim+json",
    "text/json",
    "text/html; charset=utf-8",
    "text/plain",
    "",
];

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => Just(200u16),
        1 => prop::sample::select(vec![201u16, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503]),
        1 => 100u16..600,
    ]
}

// ------------------------------------------------------------------------------ templates

/// A realistic answer of each endpoint, to mutate: most of a mutated template still decodes,
/// so the mutations reach the deep fields (times, enums, counts, nested errors).
fn templates() -> Vec<(Provider, Value)> {
    let t = "2026-11-29T10:00:00.000Z";
    vec![
        (
            Provider::Okta,
            json!({"id":"0oa1","name":"x_spekit_1","label":"Spekit","status":"ACTIVE",
            "signOnMode":"SAML_2_0","features":["PUSH_NEW_USERS","GROUP_PUSH"]}),
        ),
        (
            Provider::Okta,
            json!({"name":"USER_PROVISIONING","status":"ENABLED","description":"d",
            "capabilities":{"create":{"lifecycleCreate":{"status":"ENABLED"}},
            "update":{"profile":{"status":"ENABLED"},"lifecycleDeactivate":{"status":"DISABLED"},
            "password":{"status":"DISABLED"}}}}),
        ),
        (
            Provider::Okta,
            json!([{"id":"gPm1","sourceGroupId":"00g1","targetGroupId":"00g2","status":"ERROR",
            "errorSummary":"Failed","lastPush":t,"lastUpdated":t,"created":t}]),
        ),
        (
            Provider::Okta,
            json!([{"id":"00u1","externalId":"usr_1","status":"PROVISIONED","syncState":"ERROR",
            "scope":"GROUP","credentials":{"userName":"a@x"},"profile":{"email":"a@x"},
            "statusChanged":t,"lastUpdated":t,"lastSync":t,"created":t}]),
        ),
        (
            Provider::Okta,
            json!([{"id":"00g1","priority":0,"lastUpdated":t,
            "_embedded":{"group":{"id":"00g1","profile":{"name":"Sales","description":"d"}}}}]),
        ),
        (
            Provider::Okta,
            json!({"errorCode":"E0000001","errorSummary":"Api validation failed: feature",
            "errorId":"oae1","errorCauses":[{"errorSummary":"Provisioning is not enabled for the app instance."}]}),
        ),
        (
            Provider::Graph,
            json!({"value":[{"id":"scim.1","templateId":"scim",
            "schedule":{"interval":"PT40M","state":"Active","expiration":null},
            "status":{"code":"Quarantine","countSuccessiveCompleteFailures":2,"escrowsPruned":false,
              "lastExecution":{"state":"Failed","timeBegan":t,"timeEnded":t,
                "error":{"code":"SystemForCrossDomainIdentityManagementServiceIncompatible","message":"m","tenantActionable":true}},
              "lastSuccessfulExecution":{"state":"Succeeded","timeBegan":t,"timeEnded":t,"countExported":3},
              "quarantine":{"reason":"EncounteredQuarantineException","currentBegan":t,"nextAttempt":t,
                "seriesBegan":t,"seriesCount":2,"error":{"code":"c","message":"m"}},
              "steadyStateFirstAchievedTime":"0001-01-01T00:00:00Z"}}],
            "@odata.nextLink":"https://fuzz.example/next"}),
        ),
        (
            Provider::Graph,
            json!({"value":[{"id":"a1","principalId":"u1","principalType":"User",
            "principalDisplayName":"Ann","createdDateTime":t},
            {"id":"a2","principalId":"g1","principalType":"Group","principalDisplayName":"G"}]}),
        ),
        (
            Provider::Graph,
            json!({"value":[{"@odata.type":"#microsoft.graph.user","id":"u1",
            "userPrincipalName":"a@x","mail":"a@x","displayName":"Ann"},{"@odata.type":"#microsoft.graph.device","id":"d1"}]}),
        ),
        (
            Provider::Graph,
            json!({"key":"{\"result\":\"Failure\",\"details\":{\"errorCode\":\"E\",\"errorMessage\":\"m\"}}",
            "value":"{\"action\":\"Create\",\"provisioningSteps\":[{\"name\":\"n\",\"status\":\"Success\",\"description\":\"d\"}],\"statusInfo\":{\"status\":\"Failure\"}}"}),
        ),
        (
            Provider::Graph,
            json!({"synchronizationRules":[{"id":"r1","name":"USER","sourceDirectoryName":"AAD"}]}),
        ),
        (
            Provider::Graph,
            json!({"access_token":"tok","expires_in":3599,"token_type":"Bearer"}),
        ),
        (
            Provider::Graph,
            json!({"error":{"code":"Authorization_RequestDenied","message":"m",
            "innerError":{"code":"x1","request-id":"r","innerError":{"code":"x2"}}}}),
        ),
        (
            Provider::Scim,
            json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults":2,"startIndex":1,"itemsPerPage":2,"Resources":[
            {"id":"1","userName":"a@x","externalId":"e","displayName":"A","active":"False",
             "emails":[{"value":"a@x","type":"work","primary":true}],"meta":{"lastModified":t}}]}),
        ),
        (
            Provider::Scim,
            json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch":{"supported":true},"bulk":{"supported":false},"filter":{"supported":true,"maxResults":"200"},
            "etag":{"supported":"false"},"authenticationSchemes":[{"type":"oauthbearertoken","name":"n"}],
            "documentationUri":"https://x"}),
        ),
        (
            Provider::Scim,
            json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status":"404","scimType":"invalidFilter","detail":"User not found"}),
        ),
        (
            Provider::Sp,
            json!({"org":"acme","workspace":"acme","production":true,
            "sso":{"idp":"okta","state":"connected","setup_step":null,"connected_at":t},
            "connected_org_count":1,"last_sync":{"at":t,"status":"failed","error":"e"},
            "salesforce_sync":"profiles"}),
        ),
        (
            Provider::Sp,
            json!({"users":[{"id":"u1","email":"a@x","name":"A","status":"pending",
            "provisioned_by":"jit","login_method":"sso","teams":["t1"],"role":"viewer",
            "created_at":t,"last_login_at":null,"invited_at":t}],"next_cursor":"c_3"}),
        ),
        (
            Provider::Sp,
            json!({"teams":[{"id":"t1","name":"All","member_count":3,"default":true}]}),
        ),
        (
            Provider::Sp,
            json!({"sync_id":"s1","status":"running","started_at":t,"finished_at":null,"error":null}),
        ),
        (
            Provider::Sp,
            json!({"error":{"code":"not_found","message":"no org"}}),
        ),
        (
            Provider::Okta,
            json!({"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Sales","description":"d"}}),
        ),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    /// Appends hostile text to a string, or replaces a non-string.
    Inject(String),
    /// Removes a key of an object or an item of an array (the n-th, modulo), else nulls.
    Remove(usize),
    /// Wraps the node in arrays this deep.
    Nest(usize),
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    (
        any::<usize>(),
        prop_oneof![
            3 => json_value().prop_map(Mutation::Replace),
            2 => edge().prop_map(Mutation::Replace),
            3 => nasty_string().prop_map(Mutation::Inject),
            2 => any::<usize>().prop_map(Mutation::Remove),
            1 => (1usize..300).prop_map(Mutation::Nest),
        ],
    )
}

/// Applies `m` to the `at`-th node of `v` (pre-order, modulo the node count).
fn mutate(v: &mut Value, at: usize, m: &Mutation) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, target: &mut usize, m: &Mutation) -> bool {
        if *target == 0 {
            match m {
                Mutation::Replace(r) => *v = r.clone(),
                Mutation::Inject(s) => match v {
                    Value::String(x) => x.push_str(s),
                    other => *other = Value::String(s.clone()),
                },
                Mutation::Remove(n) => match v {
                    Value::Object(o) if !o.is_empty() => {
                        if let Some(k) = o.keys().nth(n % o.len()).cloned() {
                            o.remove(&k);
                        }
                    }
                    Value::Array(a) if !a.is_empty() => {
                        a.remove(n % a.len());
                    }
                    other => *other = Value::Null,
                },
                Mutation::Nest(n) => {
                    let mut x = v.take();
                    for _ in 0..*n {
                        x = Value::Array(vec![x]);
                    }
                    *v = x;
                }
            }
            return true;
        }
        *target -= 1;
        match v {
            Value::Array(a) => a.iter_mut().any(|x| walk(x, target, m)),
            Value::Object(o) => o.values_mut().any(|x| walk(x, target, m)),
            _ => false,
        }
    }
    let n = count(v);
    let mut target = at % n;
    walk(v, &mut target, m);
}

fn mutated(i: usize, muts: &[(usize, Mutation)]) -> (Provider, Vec<u8>) {
    let t = templates();
    let (p, mut v) = t[i % t.len()].clone();
    for (at, m) in muts {
        mutate(&mut v, *at, m);
    }
    (p, v.to_string().into_bytes())
}

fn all_for(p: Provider, r: &ApiResponse) -> Result<(), TestCaseError> {
    match p {
        Provider::Okta => okta_all(r),
        Provider::Graph | Provider::Login => graph_all(r),
        Provider::Scim => scim_all(r),
        Provider::Sp => sp_all(r),
    }
}

// ------------------------------------------------------------------------------ snapshot

/// One answer per read the snapshot makes, each a mutated template of its endpoint.
#[derive(Debug, Clone)]
struct Answers {
    bodies: Vec<Vec<u8>>,
    status: u16,
}

fn answers() -> impl Strategy<Value = Answers> {
    // Template indexes of the reads, in `templates()` order.
    // SP org, users, teams; Okta app, feature, mappings, app users, app groups, group;
    // Graph jobs, (unused), members; SCIM config, filter answer, list.
    const READS: [usize; 15] = [16, 17, 18, 0, 1, 2, 3, 4, 21, 6, 7, 8, 14, 13, 13];
    (
        prop::collection::vec(prop::collection::vec(mutation(), 0..4), READS.len()),
        prop_oneof![9 => Just(200u16), 1 => status()],
    )
        .prop_map(|(muts, status)| Answers {
            bodies: READS
                .iter()
                .zip(muts)
                .map(|(i, m)| mutated(*i, &m).1)
                .collect(),
            status,
        })
}

fn snapshot_of(a: &Answers) -> Snapshot {
    let r = |i: usize, p: Provider| response(p, a.status, "application/json", a.bodies[i].clone());
    let sp_users = sp::decode_users_page(&r(1, Provider::Sp)).map(|p| p.0);
    let members = graph::decode_members_page(&r(11, Provider::Graph)).map(|(users, _)| {
        Listing::complete(
            users
                .into_iter()
                .map(|user| AssignedUser {
                    user,
                    via_group: Some(SafeText::new("G\u{1b}[2J")),
                })
                .collect(),
        )
    });
    Snapshot {
        tenant: "fuzz".into(),
        production: true,
        fetched_at: Utc::now(),
        sp: Source::Configured(SpSnapshot {
            org_id: "fuzz".into(),
            org: sp::decode_org(&r(0, Provider::Sp)),
            users: listing(sp_users),
            teams: sp::decode_teams(&r(2, Provider::Sp)),
        }),
        okta: Source::Configured(OktaSnapshot {
            app_id: "0oa1".into(),
            app: okta::decode_app(&r(3, Provider::Okta)),
            provisioning: okta::decode_user_provisioning(&r(4, Provider::Okta)),
            push_mappings: listing(
                okta::decode_push_mappings_page(&r(5, Provider::Okta)).map(|p| p.0),
            ),
            app_users: listing(okta::decode_app_users_page(&r(6, Provider::Okta)).map(|p| p.0)),
            app_groups: listing(okta::decode_app_groups_page(&r(7, Provider::Okta)).map(|p| p.0)),
            mapping_groups: vec![okta::decode_group(&r(8, Provider::Okta))],
        }),
        azure: Source::Configured(AzureSnapshot {
            service_principal_id: "sp1".into(),
            jobs: graph::decode_jobs_page(&r(9, Provider::Graph)).map(|p| p.0),
            assigned_users: members,
        }),
        scim: Source::Configured(ScimSnapshot {
            base_url: "https://fuzz.example/scim/v2".into(),
            config: scim::decode_service_provider_config(&r(12, Provider::Scim)),
            probe: Ok(ScimProbe {
                filter: SafeText::new("userName eq \"x\""),
                not_found: scim::decode_list_answer(&r(13, Provider::Scim)),
                list: Some(scim::decode_list_answer(&r(14, Provider::Scim))),
            }),
            users: listing(scim::decode_users_page(&r(14, Provider::Scim)).map(|p| p.0)),
        }),
    }
}

fn listing<T>(x: Result<Vec<T>, ApiError>) -> Result<Listing<T>, ApiError> {
    x.map(Listing::complete)
}

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(KnowledgeBase::embedded)
}

// ------------------------------------------------------------------------------ properties

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Arbitrary bodies, any status and content type, through every decoder of every API.
    #[test]
    fn decoders_never_panic_and_decode_clean_text(
        body in body(),
        status in status(),
        ct in prop::sample::select(CONTENT_TYPES),
    ) {
        for p in [Provider::Okta, Provider::Graph, Provider::Scim, Provider::Sp] {
            all_for(p, &response(p, status, ct, body.clone()))?;
        }
    }

    /// Realistic answers with a few fields changed to wrong types, nulls, huge numbers,
    /// hostile strings, deep nesting or removed.
    #[test]
    fn mutated_answers_decode_clean_or_fail_clean(
        i in any::<usize>(),
        muts in prop::collection::vec(mutation(), 1..6),
        status in prop_oneof![4 => Just(200u16), 1 => status()],
    ) {
        let (p, body) = mutated(i, &muts);
        all_for(p, &response(p, status, "application/json", body))?;
    }

    /// Error bodies: any bytes, any content type; SCIM `status` as a string or a number.
    #[test]
    fn error_bodies_parse_clean(
        body in body(),
        ct in prop::sample::select(CONTENT_TYPES),
        status in status(),
        scim_status in prop_oneof![json_value(), any::<u16>().prop_map(Value::from), any::<u16>().prop_map(|s| Value::from(s.to_string()))],
        detail in nasty_string(),
    ) {
        let p = parse_error_body(Some(ct), &body);
        for s in std::iter::once(&p.message).chain(&p.causes).chain(&p.code).chain(&p.request_id) {
            prop_assert!(is_clean(s), "unclean {:?}", s);
        }
        let scim = json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": scim_status, "scimType": detail, "detail": detail}).to_string();
        for b in [body.as_slice(), scim.as_bytes()] {
            let e = response(Provider::Scim, status, ct, b.to_vec()).to_error();
            clean_error("status error", &e)?;
        }
    }

    /// Mutated answers of every read, through the snapshot, all 17 checks and every report
    /// format.
    #[test]
    fn mutated_snapshots_check_and_report_clean(a in answers()) {
        let snap = snapshot_of(&a);
        let findings = run_all(&snap);
        prop_assert_eq!(findings.len(), 17);
        clean_value("findings", &findings)?;
        let report = TenantReport { tenant: "fuzz".into(), checked_at: snap.fetched_at, findings };
        let reports = [report];
        prop_assert!(is_clean(&to_text(&reports)));
        prop_assert!(is_clean(&to_json(&reports)));
        prop_assert!(is_clean(&ticket_note(&reports[0], kb())));
    }
}

/// Nesting far beyond serde_json's recursion limit is refused, not a stack overflow.
#[test]
fn deep_nesting_is_refused_not_a_crash() {
    for body in [
        "[".repeat(200_000),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        "{\"value\":".repeat(100_000),
    ] {
        for p in [
            Provider::Okta,
            Provider::Graph,
            Provider::Scim,
            Provider::Sp,
        ] {
            let r = response(p, 200, "application/json", body.clone().into_bytes());
            assert!(all_for(p, &r).is_ok());
        }
        let e = parse_error_body(Some("application/json"), body.as_bytes());
        assert!(is_clean(&e.message));
    }
}

/// A token endpoint answering `expires_in: i64::MAX` must not overflow the token cache's
/// clock (it used to panic adding the lifetime to `Instant::now()`).
#[tokio::test]
async fn a_hostile_token_lifetime_does_not_overflow_the_clock() {
    let base = crate::common::canned(vec![
        (
            "/login/",
            200,
            json!({"access_token": "t", "expires_in": i64::MAX}).to_string(),
        ),
        ("/graph/", 200, json!({"value": []}).to_string()),
    ])
    .await;
    let url = |p: &str| Url::parse(&format!("{base}{p}")).expect("url");
    let http = crate::common::http();
    let c = ssodesk::providers::GraphClient::new(
        &http,
        "fuzz",
        &ssodesk::tenant::AzureTenant {
            tenant_id: "t1".into(),
            client_id: "c1".into(),
            client_secret: ssodesk::secret::Secret::new("s"),
            service_principal_id: "sp1".into(),
            graph_url: url("/graph"),
            login_url: url("/login"),
        },
    );
    assert_eq!(c.jobs().await.expect("jobs").len(), 0);
    // The cached token is reused.
    assert_eq!(c.jobs().await.expect("jobs").len(), 0);
}
