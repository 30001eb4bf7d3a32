//! The SP admin API (`/sp/api/v1/orgs/{org}/...`), as documented in `docs/sp-admin-api.yaml`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::{Value, json};

use super::DemoState;
use super::wire::{json_response, ok_json, opt_time, rfc3339, sp_error};
use super::world::{DemoTenant, SpUserW, SyncW};

type S = State<Arc<DemoState>>;
type Q = Query<HashMap<String, String>>;

pub(crate) fn routes() -> Router<Arc<DemoState>> {
    let org = "/sp/api/v1/orgs/{org}";
    Router::new()
        .route(org, get(org_get))
        .route(&format!("{org}/users"), get(users))
        .route(&format!("{org}/teams"), get(teams))
        .route(&format!("{org}/sync"), post(start_sync))
        .route(&format!("{org}/sync/{{sync}}"), get(sync_get))
        .route(&format!("{org}/teams/{{team}}/members"), post(add_member))
        .route(&format!("{org}/users/{{user}}/invite"), post(invite))
}

fn with_org<R>(
    s: &DemoState,
    org: &str,
    f: impl FnOnce(&mut DemoTenant) -> R,
) -> Result<R, Response> {
    let mut w = s.world();
    w.org_mut(org)
        .map(f)
        .ok_or_else(|| sp_error(404, Some("org_not_found"), &format!("no org named {org}")))
}

fn user_json(u: &SpUserW) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "status": u.status,
        "provisioned_by": u.provisioned_by,
        "login_method": u.login_method,
        "teams": u.teams,
        "role": u.role,
        "created_at": rfc3339(u.created_at),
        "last_login_at": opt_time(u.last_login_at),
        "invited_at": opt_time(u.invited_at),
    })
}

async fn org_get(State(s): S, Path(org): Path<String>) -> Result<Response, Response> {
    with_org(&s, &org, |t| {
        let o = &t.org;
        ok_json(&json!({
            "org": o.org,
            "workspace": o.workspace,
            "production": o.production,
            "sso": {
                "idp": o.sso_idp,
                "state": o.sso_state,
                "setup_step": o.setup_step,
                "connected_at": opt_time(o.connected_at),
            },
            "connected_org_count": o.connected_org_count,
            "last_sync": o.last_sync.as_ref().map(|l| json!({"at": rfc3339(l.at), "status": l.status, "error": l.error})),
            "salesforce_sync": o.salesforce_sync,
        }))
    })
}

async fn users(State(s): S, Path(org): Path<String>, Query(q): Q) -> Result<Response, Response> {
    let page = s.opts.page_size.max(1);
    let status = q.get("status").cloned();
    if let Some(st) = &status
        && !["pending", "accepted", "deactivated"].contains(&st.as_str())
    {
        return Err(sp_error(
            400,
            Some("invalid_status"),
            &format!("status must be pending, accepted or deactivated, not {st}"),
        ));
    }
    let start = match q.get("cursor") {
        None => 0,
        Some(c) => c
            .strip_prefix("c_")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| {
                sp_error(
                    400,
                    Some("invalid_cursor"),
                    "the cursor is not one this API issued",
                )
            })?,
    };
    with_org(&s, &org, |t| {
        let all: Vec<&SpUserW> = t
            .org
            .users
            .iter()
            .filter(|u| status.as_ref().is_none_or(|st| &u.status == st))
            .collect();
        let next = (start + page < all.len()).then(|| format!("c_{}", start + page));
        ok_json(&json!({
            "users": all.iter().skip(start).take(page).map(|u| user_json(u)).collect::<Vec<_>>(),
            "next_cursor": next,
        }))
    })
}

async fn teams(State(s): S, Path(org): Path<String>) -> Result<Response, Response> {
    with_org(&s, &org, |t| {
        let teams: Vec<Value> = t
            .org
            .teams
            .iter()
            .map(|team| {
                let count = t.org.users.iter().filter(|u| u.teams.contains(&team.id)).count();
                json!({"id": team.id, "name": team.name, "member_count": count, "default": team.default})
            })
            .collect();
        ok_json(&json!({ "teams": teams }))
    })
}

fn sync_json(x: &SyncW) -> Value {
    json!({
        "sync_id": x.id,
        "status": x.status,
        "started_at": rfc3339(x.started_at),
        "finished_at": opt_time(x.finished_at),
        "error": x.error,
    })
}

async fn start_sync(State(s): S, Path(org): Path<String>) -> Result<Response, Response> {
    let now = Utc::now();
    let id = {
        let mut w = s.world();
        let id = w.next_id("sync_");
        let Some(t) = w.org_mut(&org) else {
            return Err(sp_error(
                404,
                Some("org_not_found"),
                &format!("no org named {org}"),
            ));
        };
        if t.org.syncs.iter().any(|x| x.status == "running") {
            return Err(sp_error(
                409,
                Some("sync_running"),
                "a sync of this org is already running",
            ));
        }
        t.org.syncs.push(SyncW {
            id: id.clone(),
            started_at: now,
            finished_at: None,
            status: "running".into(),
            error: None,
        });
        t.org.last_sync = Some(super::world::LastSyncW {
            at: now,
            status: "running".into(),
            error: None,
        });
        id
    };
    // Answered as started even when it finishes at once (tests use a zero delay).
    Ok(json_response(
        202,
        "application/json",
        &json!({"sync_id": id, "status": "running"}),
    ))
}

async fn sync_get(
    State(s): S,
    Path((org, sync)): Path<(String, String)>,
) -> Result<Response, Response> {
    with_org(&s, &org, |t| {
        match t.org.syncs.iter().find(|x| x.id == sync) {
            Some(x) => ok_json(&sync_json(x)),
            None => sp_error(
                404,
                Some("sync_not_found"),
                &format!("no sync {sync} for this org"),
            ),
        }
    })
}

async fn add_member(
    State(s): S,
    Path((org, team)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Response> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| {
        sp_error(
            400,
            Some("invalid_json"),
            &format!("the body is not JSON: {e}"),
        )
    })?;
    let Some(user_id) = v.get("user_id").and_then(Value::as_str).map(String::from) else {
        return Err(sp_error(
            400,
            Some("missing_user_id"),
            "the body needs user_id",
        ));
    };
    with_org(&s, &org, |t| {
        if !t.org.teams.iter().any(|x| x.id == team) {
            return sp_error(404, Some("team_not_found"), &format!("no team {team}"));
        }
        let Some(u) = t.org.users.iter_mut().find(|u| u.id == user_id) else {
            return sp_error(404, Some("user_not_found"), &format!("no user {user_id}"));
        };
        if !u.teams.contains(&team) {
            u.teams.push(team.clone());
        }
        // Adding a deactivated user to a team is how they are reactivated.
        if u.status == "deactivated" {
            u.status = "accepted".into();
        }
        ok_json(&user_json(u))
    })
}

async fn invite(
    State(s): S,
    Path((org, user)): Path<(String, String)>,
) -> Result<Response, Response> {
    let now = Utc::now();
    with_org(&s, &org, |t| {
        let Some(u) = t.org.users.iter_mut().find(|u| u.id == user) else {
            return sp_error(404, Some("user_not_found"), &format!("no user {user}"));
        };
        if u.status != "pending" {
            return sp_error(
                409,
                Some("not_pending"),
                &format!(
                    "user {user} is {}, only pending users get invitations",
                    u.status
                ),
            );
        }
        u.invited_at = Some(now);
        t.org.invites.push((user.clone(), now));
        json_response(
            202,
            "application/json",
            &json!({"user_id": user, "invited_at": rfc3339(now)}),
        )
    })
}
