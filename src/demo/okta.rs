//! The Okta Management API endpoints the clients use, under `/okta/{tenant}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;
use serde_json::{Value, json};

use super::DemoState;
use super::wire::{json_response, ok_json, okta_error, okta_time};
use super::world::{AppUserW, MappingW, OktaGroupW, OktaW};

type S = State<Arc<DemoState>>;
type Q = Query<HashMap<String, String>>;

pub(crate) fn routes() -> Router<Arc<DemoState>> {
    let app = "/okta/{tenant}/api/v1/apps/{app}";
    Router::new()
        .route(app, get(app_get))
        .route(&format!("{app}/features/{{feature}}"), get(feature))
        .route(
            &format!("{app}/group-push/mappings"),
            get(mappings).post(create_mapping),
        )
        .route(
            &format!("{app}/group-push/mappings/{{mapping}}"),
            get(mapping_get).patch(patch_mapping),
        )
        .route(&format!("{app}/users"), get(users))
        .route(&format!("{app}/groups"), get(groups))
        .route("/okta/{tenant}/api/v1/groups/{group}", get(group_get))
}

fn app_not_found(app: &str) -> Response {
    okta_error(
        404,
        None,
        Some(&format!(
            "Not found: Resource not found: {app} (AppInstance)"
        )),
        &[],
    )
}

/// Runs `f` on the tenant's app, or answers Okta's 404.
fn with_app<R>(
    s: &DemoState,
    tenant: &str,
    app: &str,
    f: impl FnOnce(&mut OktaW) -> R,
) -> Result<R, Response> {
    let mut w = s.world();
    match w.tenant_mut(tenant).and_then(|t| t.okta.as_mut()) {
        Some(o) if o.app_id == app => Ok(f(o)),
        _ => Err(app_not_found(app)),
    }
}

fn app_json(o: &OktaW, base: &str) -> Value {
    let href = format!("{base}/api/v1/apps/{}", o.app_id);
    json!({
        "id": o.app_id,
        "name": o.app_name,
        "label": o.app_label,
        "status": "ACTIVE",
        "lastUpdated": okta_time(o.created),
        "created": okta_time(o.created),
        "signOnMode": "SAML_2_0",
        "features": o.features(),
        "visibility": {"autoSubmitToolbar": false, "hide": {"iOS": false, "web": false}},
        "_links": {
            "self": {"href": href},
            "users": {"href": format!("{href}/users")},
            "groups": {"href": format!("{href}/groups")},
        }
    })
}

async fn app_get(
    State(s): S,
    Path((tenant, app)): Path<(String, String)>,
) -> Result<Response, Response> {
    let base = format!("{}/okta/{tenant}", s.base_url);
    with_app(&s, &tenant, &app, |o| ok_json(&app_json(o, &base)))
}

fn status(on: bool) -> &'static str {
    if on { "ENABLED" } else { "DISABLED" }
}

async fn feature(
    State(s): S,
    Path((tenant, app, feature)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    let base = format!("{}/okta/{tenant}", s.base_url);
    with_app(&s, &tenant, &app, |o| {
        if feature != "USER_PROVISIONING" && feature != "INBOUND_PROVISIONING" {
            return okta_error(
                400,
                None,
                Some("Api validation failed: featureName"),
                &["featureName: The value is not one of USER_PROVISIONING, INBOUND_PROVISIONING."],
            );
        }
        let Some(p) = o.provisioning else {
            return okta_error(
                400,
                Some("E0000001"),
                Some("Api validation failed: feature"),
                &["Provisioning is not enabled for the app instance."],
            );
        };
        if feature == "INBOUND_PROVISIONING" {
            return ok_json(
                &json!({"name": feature, "status": "ENABLED", "description": "In-bound provisioning settings from an application to Okta",
                "capabilities": {"importRules": {"userCreateAndMatch": {"exactMatchCriteria": "EMAIL", "allowPartialMatch": false, "autoConfirmPartialMatch": false, "autoConfirmExactMatch": false, "autoConfirmNewUsers": false, "autoActivateNewUsers": false}},
                    "importSettings": {"username": {"userNameFormat": "EMAIL"}, "schedule": {"status": "DISABLED"}}}}),
            );
        }
        let href = format!("{base}/api/v1/apps/{}/features/USER_PROVISIONING", o.app_id);
        ok_json(&json!({
            "name": "USER_PROVISIONING",
            "status": "ENABLED",
            "description": "User provisioning settings from Okta to a downstream application",
            "capabilities": {
                "create": {"lifecycleCreate": {"status": status(p.create)}},
                "update": {
                    "profile": {"status": status(p.profile)},
                    "lifecycleDeactivate": {"status": status(p.deactivate)},
                    "password": {"status": status(p.password), "seed": "RANDOM", "change": "KEEP_EXISTING"}
                }
            },
            "_links": {"self": {"href": href, "hints": {"allow": ["GET", "PUT"]}}}
        }))
    })
}

/// One Okta page: items after the `after` cursor (an item id), `limit` capped by the demo's
/// page size, and `Link` headers for self and next.
fn page<T>(
    s: &DemoState,
    q: &HashMap<String, String>,
    self_url: &str,
    items: &[T],
    id: impl Fn(&T) -> &str,
    render: impl Fn(&T) -> Value,
) -> Response {
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, s.opts.page_size.max(1));
    let start = match q.get("after") {
        Some(a) => match items.iter().position(|i| id(i) == a) {
            Some(p) => p + 1,
            None => {
                return okta_error(
                    400,
                    None,
                    Some("Api validation failed: after"),
                    &["after: The cursor is not valid."],
                );
            }
        },
        None => 0,
    };
    let slice: Vec<&T> = items.iter().skip(start).take(limit).collect();
    let body = Value::Array(slice.iter().map(|i| render(i)).collect());
    let mut r = json_response(200, "application/json", &body);
    let keep: String = q
        .iter()
        .filter(|(k, _)| k.as_str() != "after" && k.as_str() != "limit")
        .map(|(k, v)| format!("&{k}={v}"))
        .collect();
    let mut links = vec![format!("<{self_url}?limit={limit}{keep}>; rel=\"self\"")];
    if start + limit < items.len()
        && let Some(last) = slice.last()
    {
        links.push(format!(
            "<{self_url}?after={}&limit={limit}{keep}>; rel=\"next\"",
            id(last)
        ));
    }
    for l in links {
        if let Ok(v) = HeaderValue::from_str(&l) {
            r.headers_mut().append(header::LINK, v);
        }
    }
    r
}

fn mapping_json(m: &MappingW, base: &str, app: &str) -> Value {
    json!({
        "id": m.id,
        "sourceGroupId": m.source_group_id,
        "targetGroupId": m.target_group_id,
        "status": m.status,
        "lastPush": m.last_push.map(okta_time),
        "lastUpdated": okta_time(m.last_updated),
        "created": okta_time(m.created),
        "errorSummary": m.error_summary,
        "appConfig": null,
        "_links": {
            "app": {"href": format!("{base}/api/v1/apps/{app}")},
            "sourceGroup": {"href": format!("{base}/api/v1/groups/{}", m.source_group_id)},
            "targetGroup": {"href": format!("{base}/api/v1/groups/{}", m.target_group_id)},
        }
    })
}

async fn mappings(
    State(s): S,
    Path((tenant, app)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, Response> {
    let base = format!("{}/okta/{tenant}", s.base_url);
    let items = with_app(&s, &tenant, &app, |o| {
        o.mappings
            .iter()
            .filter(|m| q.get("status").is_none_or(|st| &m.status == st))
            .filter(|m| {
                q.get("sourceGroupId")
                    .is_none_or(|g| &m.source_group_id == g)
            })
            .cloned()
            .collect::<Vec<_>>()
    })?;
    let self_url = format!("{base}/api/v1/apps/{app}/group-push/mappings");
    Ok(page(
        &s,
        &q,
        &self_url,
        &items,
        |m| &m.id,
        |m| mapping_json(m, &base, &app),
    ))
}

async fn mapping_get(
    State(s): S,
    Path((tenant, app, id)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    let base = format!("{}/okta/{tenant}", s.base_url);
    with_app(&s, &tenant, &app, |o| {
        match o.mappings.iter().find(|m| m.id == id) {
            Some(m) => ok_json(&mapping_json(m, &base, &app)),
            None => okta_error(
                404,
                None,
                Some(&format!(
                    "Not found: Resource not found: {id} (GroupPushMapping)"
                )),
                &[],
            ),
        }
    })
}

fn parse_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| {
        okta_error(
            400,
            Some("E0000003"),
            Some("The request body was not well-formed."),
            &[&format!("{e}")],
        )
    })
}

async fn create_mapping(
    State(s): S,
    Path((tenant, app)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Response> {
    let v = parse_body(&body)?;
    let base = format!("{}/okta/{tenant}", s.base_url);
    let now = Utc::now();
    let src = v
        .get("sourceGroupId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let status = v
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("ACTIVE")
        .to_string();
    let target_id = v.get("targetGroupId").and_then(Value::as_str);
    let target_name = v.get("targetGroupName").and_then(Value::as_str);
    with_app(&s, &tenant, &app, |o| {
        if src.is_empty() {
            return okta_error(
                400,
                None,
                Some("Api validation failed: sourceGroupId"),
                &["sourceGroupId: The field cannot be left blank."],
            );
        }
        if target_id.is_some() == target_name.is_some() {
            return okta_error(
                400,
                None,
                Some("Api validation failed: target"),
                &["Exactly one of targetGroupId and targetGroupName must be set."],
            );
        }
        if status != "ACTIVE" && status != "INACTIVE" {
            return okta_error(
                400,
                None,
                Some("Api validation failed: status"),
                &["status: Must be ACTIVE or INACTIVE."],
            );
        }
        if o.provisioning.is_none() {
            return okta_error(
                400,
                None,
                Some("Api validation failed: mapping"),
                &["Provisioning is not enabled for the app instance."],
            );
        }
        if !o.groups.iter().any(|g| g.id == src) {
            return okta_error(
                404,
                None,
                Some(&format!("Not found: Resource not found: {src} (UserGroup)")),
                &[],
            );
        }
        if o.mappings.iter().any(|m| m.source_group_id == src) {
            return okta_error(
                400,
                None,
                Some("Api validation failed: sourceGroupId"),
                &["A group push mapping already exists for this source group."],
            );
        }
        let id = format!("gPm{:017x}", fastrand::u64(..) >> 4);
        let m = MappingW {
            id,
            source_group_id: src.clone(),
            target_group_id: target_id
                .map(String::from)
                .unwrap_or_else(|| format!("00g{:017x}", fastrand::u64(..) >> 4)),
            last_push: (status == "ACTIVE").then_some(now),
            status,
            error_summary: String::new(),
            created: now,
            last_updated: now,
        };
        let out = mapping_json(&m, &base, &app);
        o.mappings.push(m);
        json_response(201, "application/json", &out)
    })
}

async fn patch_mapping(
    State(s): S,
    Path((tenant, app, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, Response> {
    let v = parse_body(&body)?;
    let base = format!("{}/okta/{tenant}", s.base_url);
    let now = Utc::now();
    let status = v
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    with_app(&s, &tenant, &app, |o| {
        if status != "ACTIVE" && status != "INACTIVE" {
            return okta_error(
                400,
                None,
                Some("Api validation failed: status"),
                &["status: Must be ACTIVE or INACTIVE."],
            );
        }
        let Some(m) = o.mappings.iter_mut().find(|m| m.id == id) else {
            return okta_error(
                404,
                None,
                Some(&format!(
                    "Not found: Resource not found: {id} (GroupPushMapping)"
                )),
                &[],
            );
        };
        // Activating pushes the group again; a successful push clears the error.
        if status == "ACTIVE" {
            m.error_summary.clear();
            m.last_push = Some(now);
        }
        m.status = status;
        m.last_updated = now;
        ok_json(&mapping_json(m, &base, &app))
    })
}

fn app_user_json(u: &AppUserW, base: &str, app: &str) -> Value {
    let local = u.email.split('@').next().unwrap_or("");
    json!({
        "id": u.id,
        "externalId": u.external_id,
        "created": okta_time(u.created),
        "lastUpdated": okta_time(u.last_updated),
        "scope": u.scope,
        "status": u.status,
        "statusChanged": okta_time(u.status_changed),
        "passwordChanged": null,
        "syncState": u.sync_state,
        "lastSync": u.last_sync.map(okta_time),
        "credentials": {"userName": u.email},
        "profile": {"email": u.email, "displayName": super::world::display_from_email(local)},
        "_links": {
            "app": {"href": format!("{base}/api/v1/apps/{app}")},
            "user": {"href": format!("{base}/api/v1/users/{}", u.id)},
        }
    })
}

async fn users(
    State(s): S,
    Path((tenant, app)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, Response> {
    let base = format!("{}/okta/{tenant}", s.base_url);
    let items = with_app(&s, &tenant, &app, |o| o.app_users.clone())?;
    let self_url = format!("{base}/api/v1/apps/{app}/users");
    Ok(page(
        &s,
        &q,
        &self_url,
        &items,
        |u| &u.id,
        |u| app_user_json(u, &base, &app),
    ))
}

fn group_json(g: &OktaGroupW) -> Value {
    json!({
        "id": g.id,
        "type": "OKTA_GROUP",
        "profile": {"name": g.name, "description": g.description},
    })
}

async fn groups(
    State(s): S,
    Path((tenant, app)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, Response> {
    let base = format!("{}/okta/{tenant}", s.base_url);
    let expand = q.get("expand").is_some_and(|e| e == "group");
    let items = with_app(&s, &tenant, &app, |o| {
        o.groups
            .iter()
            .filter(|g| g.assigned)
            .cloned()
            .collect::<Vec<_>>()
    })?;
    let self_url = format!("{base}/api/v1/apps/{app}/groups");
    Ok(page(
        &s,
        &q,
        &self_url,
        &items,
        |g| &g.id,
        |g| {
            let mut v = json!({
                "id": g.id,
                "lastUpdated": okta_time(Utc::now() - chrono::Duration::days(30)),
                "priority": g.priority,
                "profile": {},
                "_links": {"app": {"href": format!("{base}/api/v1/apps/{app}")}, "group": {"href": format!("{base}/api/v1/groups/{}", g.id)}},
            });
            if expand {
                v["_embedded"] = json!({"group": group_json(g)});
            }
            v
        },
    ))
}

async fn group_get(State(s): S, Path((tenant, group)): Path<(String, String)>) -> Response {
    let w = s.world();
    match w
        .tenant(&tenant)
        .and_then(|t| t.okta.as_ref())
        .and_then(|o| o.groups.iter().find(|g| g.id == group))
    {
        Some(g) => ok_json(&group_json(g)),
        None => okta_error(
            404,
            None,
            Some(&format!(
                "Not found: Resource not found: {group} (UserGroup)"
            )),
            &[],
        ),
    }
}
