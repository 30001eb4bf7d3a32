//! Microsoft Graph (`/graph/{tenant}/v1.0`) and the Entra token endpoint (`/login`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration as TimeDelta, Utc};
use serde_json::{Value, json};

use super::DemoState;
use super::wire::{graph_error, graph_time, login_error, ok_json, rfc3339};
use super::world::{DemoTenant, ExecutionW, GraphW, JobW, Sources, provision_missing};

type S = State<Arc<DemoState>>;
type Q = Query<HashMap<String, String>>;

pub(crate) fn routes() -> Router<Arc<DemoState>> {
    let jobs = "/graph/{tenant}/v1.0/servicePrincipals/{sp}/synchronization/jobs";
    Router::new()
        .route("/login/{tenant_id}/oauth2/v2.0/token", post(token))
        .route(jobs, get(list_jobs))
        .route(&format!("{jobs}/{{job}}"), get(get_job))
        .route(&format!("{jobs}/{{job}}/start"), post(start))
        .route(&format!("{jobs}/{{job}}/restart"), post(restart))
        .route(
            &format!("{jobs}/{{job}}/provisionOnDemand"),
            post(on_demand),
        )
        .route(&format!("{jobs}/{{job}}/schema"), get(schema))
        .route(
            "/graph/{tenant}/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
            get(assignments),
        )
        .route("/graph/{tenant}/v1.0/users/{id}", get(user))
        .route("/graph/{tenant}/v1.0/groups/{id}/members", get(members))
}

/// `application/x-www-form-urlencoded` pairs.
fn form_decode(body: &[u8]) -> HashMap<String, String> {
    fn dec(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len()
                    && bytes[i + 1].is_ascii_hexdigit()
                    && bytes[i + 2].is_ascii_hexdigit() =>
                {
                    let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                    out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

async fn token(State(s): S, Path(tenant_id): Path<String>, body: Bytes) -> Response {
    let form = form_decode(&body);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let ttl = s.opts.graph_token_ttl;
    let mut w = s.world();
    let Some(g) = w
        .tenants
        .iter_mut()
        .filter_map(|t| t.graph.as_mut())
        .find(|g| g.tenant_id == tenant_id)
    else {
        return login_error(
            400,
            "invalid_request",
            &format!(
                "Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
            90002,
        );
    };
    if field("grant_type") != "client_credentials" {
        return login_error(
            400,
            "unsupported_grant_type",
            "The provided value for the input parameter 'grant_type' is not valid.",
            70003,
        );
    }
    if field("client_id") != g.client_id {
        return login_error(
            400,
            "unauthorized_client",
            &format!(
                "Application with identifier '{}' was not found in the directory.",
                field("client_id")
            ),
            700016,
        );
    }
    if field("client_secret") != g.client_secret {
        return login_error(
            401,
            "invalid_client",
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                g.client_id
            ),
            7000215,
        );
    }
    if field("scope") != "https://graph.microsoft.com/.default" {
        return login_error(
            400,
            "invalid_scope",
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
            1002012,
        );
    }
    let now = Utc::now();
    let access = format!(
        "demo-graph-{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    );
    g.tokens.retain(|(_, exp)| *exp > now);
    g.tokens.push((
        access.clone(),
        now + TimeDelta::from_std(ttl).unwrap_or_default(),
    ));
    ok_json(&json!({
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
        "ext_expires_in": ttl.as_secs(),
        "access_token": access,
    }))
}

/// The tenant's Graph data if the service principal id matches, else Graph's 404.
fn with_sp<R>(
    s: &DemoState,
    tenant: &str,
    sp: &str,
    f: impl FnOnce(&mut DemoTenant) -> Result<R, Response>,
) -> Result<R, Response> {
    let mut w = s.world();
    match w.tenant_mut(tenant) {
        Some(t) if t.graph.as_ref().is_some_and(|g| g.sp_id == sp) => f(t),
        _ => Err(graph_error(
            404,
            Some("Request_ResourceNotFound"),
            Some(&format!(
                "Resource '{sp}' does not exist or one of its queried reference-property objects are not present."
            )),
        )),
    }
}

fn graph_of(t: &mut DemoTenant) -> Result<&mut GraphW, Response> {
    t.graph.as_mut().ok_or_else(|| graph_error(404, None, None))
}

fn exec_json(e: &Option<ExecutionW>) -> Value {
    let Some(e) = e else { return Value::Null };
    json!({
        "activityIdentifier": format!("{:016x}", fastrand::u64(..)),
        "countEntitled": 5,
        "countEntitledForProvisioning": 5,
        "countEscrowed": if e.state == "Succeeded" { 0 } else { 3 },
        "countEscrowedRaw": if e.state == "Succeeded" { 0 } else { 3 },
        "countExported": e.exported,
        "countExports": e.exported,
        "countImported": 5,
        "countImportedDeltas": 1,
        "countImportedReferenceDeltas": 0,
        "error": e.error.as_ref().map(|(c, m)| json!({"code": c, "message": m, "tenantActionable": true})),
        "state": e.state,
        "timeBegan": graph_time(e.began),
        "timeEnded": graph_time(e.ended),
    })
}

fn job_json(j: &JobW) -> Value {
    json!({
        "id": j.id,
        "templateId": j.template_id,
        "schedule": {"expiration": null, "interval": j.interval, "state": j.schedule_state},
        "status": {
            "code": j.code,
            "countSuccessiveCompleteFailures": j.failures,
            "escrowsPruned": false,
            "lastExecution": exec_json(&j.last_execution),
            "lastSuccessfulExecution": exec_json(&j.last_success),
            "lastSuccessfulExecutionWithExports": exec_json(&j.last_success),
            "progress": [],
            "quarantine": j.quarantine.as_ref().map(|q| json!({
                "currentBegan": rfc3339(q.current_began),
                "nextAttempt": rfc3339(q.next_attempt),
                "reason": q.reason,
                "seriesBegan": rfc3339(q.series_began),
                "seriesCount": q.series_count,
                "error": {"code": q.error.0, "message": q.error.1, "tenantActionable": true},
            })),
            "steadyStateFirstAchievedTime": graph_time(j.steady_first),
            "steadyStateLastAchievedTime": graph_time(j.steady_last),
            "synchronizedEntryCountByType": [{"key": "user", "value": 4}, {"key": "group", "value": 1}],
            "troubleshootingUrl": null,
        },
        "synchronizationJobSettings": [
            {"name": "AzureIngestionAttributeOptimization", "value": "False"},
            {"name": "LookaheadQueryEnabled", "value": "False"},
        ],
    })
}

async fn list_jobs(
    State(s): S,
    Path((tenant, sp)): Path<(String, String)>,
) -> Result<Response, Response> {
    let base = s.base_url.clone();
    with_sp(&s, &tenant, &sp, |t| {
        let g = graph_of(t)?;
        Ok(ok_json(&json!({
            "@odata.context": format!("{base}/graph/{tenant}/v1.0/$metadata#servicePrincipals('{sp}')/synchronization/jobs"),
            "value": g.jobs.iter().map(job_json).collect::<Vec<_>>(),
        })))
    })
}

fn job_mut<'a>(g: &'a mut GraphW, job: &str) -> Result<&'a mut JobW, Response> {
    g.jobs.iter_mut().find(|j| j.id == job).ok_or_else(|| {
        graph_error(
            404,
            Some("Request_ResourceNotFound"),
            Some(&format!("The job '{job}' does not exist.")),
        )
    })
}

async fn get_job(
    State(s): S,
    Path((tenant, sp, job)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    with_sp(&s, &tenant, &sp, |t| {
        Ok(ok_json(&job_json(job_mut(graph_of(t)?, &job)?)))
    })
}

/// A start or restart runs a successful cycle at once: the job is active, and users in scope
/// that the SP lacks are provisioned.
fn run_cycle(t: &mut DemoTenant, job: &str, counter: &mut u64) -> Result<(), Response> {
    let now = Utc::now();
    let j = job_mut(graph_of(t)?, job)?;
    j.code = "Active".into();
    j.schedule_state = "Active".into();
    if crate::providers::de::parse_iso_duration(&j.interval).is_none() {
        j.interval = "PT40M".into();
    }
    j.quarantine = None;
    j.failures = 0;
    let run = ExecutionW {
        state: "Succeeded".into(),
        began: Some(now - TimeDelta::seconds(30)),
        ended: Some(now),
        error: None,
        exported: 1,
    };
    j.last_execution = Some(run.clone());
    j.last_success = Some(run);
    j.steady_last = Some(now);
    j.steady_first.get_or_insert(now);
    provision_missing(t, now, counter, Sources::Graph);
    Ok(())
}

fn no_content() -> Response {
    axum::http::StatusCode::NO_CONTENT.into_response()
}

async fn start(
    State(s): S,
    Path((tenant, sp, job)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    let mut counter = s.world().next_id;
    let r = with_sp(&s, &tenant, &sp, |t| run_cycle(t, &job, &mut counter));
    s.world().next_id = counter;
    r.map(|_| no_content())
}

async fn restart(
    State(s): S,
    Path((tenant, sp, job)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, Response> {
    if !body.is_empty() {
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            graph_error(
                400,
                Some("BadRequest"),
                Some(&format!("Invalid JSON body: {e}")),
            )
        })?;
        if v.get("criteria").is_some_and(|c| !c.is_object()) {
            return Err(graph_error(
                400,
                Some("BadRequest"),
                Some("criteria must be an object"),
            ));
        }
    }
    let mut counter = s.world().next_id;
    let r = with_sp(&s, &tenant, &sp, |t| run_cycle(t, &job, &mut counter));
    s.world().next_id = counter;
    r.map(|_| no_content())
}

async fn schema(
    State(s): S,
    Path((tenant, sp, job)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    with_sp(&s, &tenant, &sp, |t| {
        let g = graph_of(t)?;
        let rule = g.rule_id.clone();
        let j = job_mut(g, &job)?;
        Ok(ok_json(&json!({
            "id": j.id,
            "version": "Date:2026-11-01T00:00:00Z",
            "directories": [{"id": "AzureActiveDirectory", "name": "Azure Active Directory"}, {"id": "customappsso", "name": "customappsso"}],
            "synchronizationRules": [{
                "id": rule,
                "name": "USER_OUTBOUND_TO_SCIM",
                "editable": true,
                "sourceDirectoryName": "Azure Active Directory",
                "targetDirectoryName": "customappsso",
                "objectMappings": [],
            }],
        })))
    })
}

/// Graph allows 5 provisionOnDemand calls per 10 seconds.
const ON_DEMAND_LIMIT: usize = 5;

async fn on_demand(
    State(s): S,
    Path((tenant, sp, job)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, Response> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| {
        graph_error(
            400,
            Some("BadRequest"),
            Some(&format!("Invalid JSON body: {e}")),
        )
    })?;
    let param = v.get("parameters").and_then(|p| p.get(0));
    let rule = param
        .and_then(|p| p.get("ruleId"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let subject = param.and_then(|p| p.get("subjects")).and_then(|s| s.get(0));
    let object_id = subject
        .and_then(|s| s.get("objectId"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let object_type = subject
        .and_then(|s| s.get("objectTypeName"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let now = Utc::now();
    let mut counter = s.world().next_id;
    let r = with_sp(&s, &tenant, &sp, |t| {
        let g = graph_of(t)?;
        g.on_demand_calls
            .retain(|at| *at > now - TimeDelta::seconds(10));
        if g.on_demand_calls.len() >= ON_DEMAND_LIMIT {
            let oldest = g.on_demand_calls.first().copied().unwrap_or(now);
            let wait = (oldest + TimeDelta::seconds(10) - now).num_seconds().max(1);
            let mut r = graph_error(
                429,
                Some("TooManyRequests"),
                Some("Too many provisionOnDemand requests: at most 5 per 10 seconds."),
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Err(r);
        }
        g.on_demand_calls.push(now);
        job_mut(g, &job)?;
        if rule != g.rule_id {
            return Err(graph_error(
                400,
                Some("BadRequest"),
                Some(&format!(
                    "The rule id '{rule}' is not valid for job '{job}'."
                )),
            ));
        }
        if object_type != "User" {
            return Err(graph_error(
                400,
                Some("BadRequest"),
                Some("The demo provisions users on demand (objectTypeName \"User\")."),
            ));
        }
        let Some(user) = g.users.iter().find(|u| u.id == object_id).cloned() else {
            return Err(graph_error(
                404,
                Some("Request_ResourceNotFound"),
                Some(&format!("Resource '{object_id}' does not exist.")),
            ));
        };
        let in_scope = t.graph_in_scope().iter().any(|u| u.id == user.id);
        let existed = t.sp_has(&user.mail);
        let (result, action, reason) = if !in_scope {
            (
                "Skipped",
                "Other",
                Some("The user is not assigned to the application."),
            )
        } else if existed {
            ("Success", "Update", None)
        } else {
            t.add_sp_user(&user.mail, &user.display_name, now, &mut counter);
            ("Success", "Create", None)
        };
        let key = json!({"result": result, "details": reason.map(|r| json!({"errorCode": "NotEffectivelyEntitled", "errorMessage": r})).unwrap_or(json!({}))});
        let steps: Vec<Value> = [
            ("EntryImport", "import", format!("Retrieved {} from Microsoft Entra ID", user.upn)),
            ("EntryExportAdd", "export", format!("{action} {} in the target", user.mail)),
        ]
        .into_iter()
        .map(|(name, kind, d)| json!({"name": name, "provisioningStepType": kind, "status": if result == "Success" { "success" } else { "skipped" }, "description": d, "timestamp": rfc3339(now), "details": {}}))
        .collect();
        let value = json!({
            "action": action,
            "changeId": format!("{:016x}", fastrand::u64(..)),
            "modifiedProperties": [{"displayName": "userName", "oldValue": null, "newValue": user.upn}],
            "provisioningSteps": steps,
            "statusInfo": {"@odata.type": "#microsoft.graph.statusDetails", "status": result.to_ascii_lowercase(), "errorCode": reason.map(|_| "NotEffectivelyEntitled"), "reason": reason},
            "sourceIdentity": {"id": user.id, "displayName": user.display_name, "identityType": "User"},
            "targetIdentity": {"id": "", "displayName": user.display_name, "identityType": "urn:ietf:params:scim:schemas:core:2.0:User"},
        });
        Ok(ok_json(&json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
            "key": key.to_string(),
            "value": value.to_string(),
        })))
    });
    s.world().next_id = counter;
    r
}

/// One Graph page of `items` with `$top` (capped by the demo's page size) and an absolute
/// `@odata.nextLink` carrying `$skiptoken`.
fn odata_page(
    s: &DemoState,
    q: &HashMap<String, String>,
    self_url: &str,
    items: Vec<Value>,
) -> Response {
    let top = q
        .get("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, s.opts.page_size.max(1));
    let skip = match q
        .get("$skiptoken")
        .map(|t| t.strip_prefix("skip").unwrap_or("x").parse::<usize>())
    {
        Some(Ok(n)) => n,
        Some(Err(_)) => return graph_error(400, Some("BadRequest"), Some("Invalid $skiptoken.")),
        None => 0,
    };
    let page: Vec<Value> = items.iter().skip(skip).take(top).cloned().collect();
    let mut body = json!({ "@odata.context": format!("{self_url}/$metadata"), "value": page });
    if skip + top < items.len() {
        let select = q
            .get("$select")
            .map(|s| format!("&$select={s}"))
            .unwrap_or_default();
        body["@odata.nextLink"] = json!(format!(
            "{self_url}?$top={top}&$skiptoken=skip{}{select}",
            skip + top
        ));
    }
    ok_json(&body)
}

async fn assignments(
    State(s): S,
    Path((tenant, sp)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, Response> {
    let self_url = format!(
        "{}/graph/{tenant}/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
        s.base_url
    );
    let items = with_sp(&s, &tenant, &sp, |t| {
        let g = graph_of(t)?;
        Ok(g.assignments
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "deletedDateTime": null,
                    "appRoleId": "00000000-0000-0000-0000-000000000000",
                    "createdDateTime": rfc3339(a.created),
                    "principalDisplayName": a.display_name,
                    "principalId": a.principal_id,
                    "principalType": a.principal_type,
                    "resourceDisplayName": "Spekit",
                    "resourceId": g.sp_id,
                })
            })
            .collect::<Vec<_>>())
    })?;
    Ok(odata_page(&s, &q, &self_url, items))
}

fn user_json(u: &super::world::GraphUserW) -> Value {
    json!({"@odata.type": "#microsoft.graph.user", "id": u.id, "userPrincipalName": u.upn, "mail": u.mail, "displayName": u.display_name})
}

async fn user(State(s): S, Path((tenant, id)): Path<(String, String)>) -> Response {
    let w = s.world();
    match w
        .tenant(&tenant)
        .and_then(|t| t.graph.as_ref())
        .and_then(|g| g.users.iter().find(|u| u.id == id))
    {
        Some(u) => ok_json(&user_json(u)),
        None => graph_error(
            404,
            Some("Request_ResourceNotFound"),
            Some(&format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            )),
        ),
    }
}

async fn members(State(s): S, Path((tenant, id)): Path<(String, String)>, Query(q): Q) -> Response {
    let self_url = format!("{}/graph/{tenant}/v1.0/groups/{id}/members", s.base_url);
    let items = {
        let w = s.world();
        let Some(g) = w.tenant(&tenant).and_then(|t| t.graph.as_ref()) else {
            return graph_error(404, None, None);
        };
        let Some(grp) = g.groups.iter().find(|x| x.id == id) else {
            return graph_error(
                404,
                Some("Request_ResourceNotFound"),
                Some(&format!(
                    "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
                )),
            );
        };
        grp.members
            .iter()
            .filter_map(|m| g.users.iter().find(|u| &u.id == m))
            .map(user_json)
            .collect::<Vec<_>>()
    };
    odata_page(&s, &q, &self_url, items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        let f = form_decode(b"client_id=a%2Fb&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&x=1+2&bad=%zz&end=%4");
        assert_eq!(f["client_id"], "a/b");
        assert_eq!(f["scope"], "https://graph.microsoft.com/.default");
        assert_eq!(f["x"], "1 2");
        assert_eq!(f["bad"], "%zz");
        assert_eq!(f["end"], "%4");
    }
}
