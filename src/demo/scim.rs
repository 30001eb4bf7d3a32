//! The SP's SCIM 2.0 endpoint per demo tenant (`/scim/{tenant}/v2`): the SP org's users as
//! SCIM resources, with each tenant's quirks (404 on an empty filter, counts as strings,
//! numeric error status).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::DemoState;
use super::wire::{json_response, rfc3339, scim_error};
use super::world::{ScimW, SpUserW};

type S = State<Arc<DemoState>>;
type Q = Query<HashMap<String, String>>;

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

pub(crate) fn routes() -> Router<Arc<DemoState>> {
    Router::new()
        .route("/scim/{tenant}/v2/ServiceProviderConfig", get(config))
        .route("/scim/{tenant}/v2/Users", get(list))
        .route("/scim/{tenant}/v2/Users/{id}", get(one))
}

/// The tenant's SCIM settings and its SP users (the guard already checked both exist).
fn data(s: &DemoState, tenant: &str) -> Option<(ScimW, Vec<SpUserW>)> {
    let w = s.world();
    let t = w.tenant(tenant)?;
    Some((t.scim.clone()?, t.org.users.clone()))
}

fn missing(tenant: &str) -> Response {
    scim_error(
        404,
        None,
        &format!("Unknown SCIM tenant {tenant}."),
        false,
        "application/scim+json",
    )
}

async fn config(State(s): S, Path(tenant): Path<String>) -> Response {
    let Some((sc, _)) = data(&s, &tenant) else {
        return missing(&tenant);
    };
    let page = s.opts.page_size;
    json_response(
        200,
        sc.content_type,
        &json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": "https://help.example.com/scim",
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": page},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token", "description": "Authentication with a bearer token", "primary": true}],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/scim/{tenant}/v2/ServiceProviderConfig", s.base_url)}
        }),
    )
}

fn user_json(u: &SpUserW, base: &str) -> Value {
    json!({
        "schemas": [USER_SCHEMA],
        "id": u.id,
        "externalId": (u.provisioned_by == "scim").then(|| format!("ext-{}", u.id)),
        "userName": u.email,
        "name": {"formatted": u.name},
        "displayName": u.name,
        "active": u.status != "deactivated",
        "emails": [{"value": u.email, "type": "work", "primary": true}],
        "meta": {
            "resourceType": "User",
            "created": rfc3339(u.created_at),
            "lastModified": rfc3339(u.last_login_at.unwrap_or(u.created_at)),
            "location": format!("{base}/Users/{}", u.id),
        }
    })
}

/// `attr eq "value"` (the only operator the demo needs; IdPs send `eq` and `and` only).
fn parse_filter(f: &str) -> Option<(String, String)> {
    let f = f.trim();
    let (attr, rest) = f.split_once(char::is_whitespace)?;
    let (op, value) = rest.trim_start().split_once(char::is_whitespace)?;
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    let value = value.trim();
    let value = value.strip_prefix('"')?.strip_suffix('"')?;
    Some((attr.to_ascii_lowercase(), value.replace("\\\"", "\"")))
}

async fn list(State(s): S, Path(tenant): Path<String>, Query(q): Q) -> Response {
    let Some((sc, users)) = data(&s, &tenant) else {
        return missing(&tenant);
    };
    let base = format!("{}/scim/{tenant}/v2", s.base_url);
    let matching: Vec<&SpUserW> = match q.get("filter") {
        None => users.iter().collect(),
        Some(f) => {
            let Some((attr, value)) = parse_filter(f) else {
                return scim_error(
                    400,
                    Some("invalidFilter"),
                    &format!("The filter '{f}' is not supported; use attribute eq \"value\"."),
                    sc.numeric_status,
                    sc.content_type,
                );
            };
            users
                .iter()
                .filter(|u| match attr.as_str() {
                    "username" | "emails.value" | "emails[type eq \"work\"].value" => {
                        u.email.eq_ignore_ascii_case(&value)
                    }
                    "externalid" => format!("ext-{}", u.id) == value,
                    "id" => u.id == value,
                    _ => false,
                })
                .collect()
        }
    };
    if sc.filter_404 && q.contains_key("filter") && matching.is_empty() {
        return scim_error(
            404,
            None,
            "User not found",
            sc.numeric_status,
            sc.content_type,
        );
    }
    let start = q
        .get("startIndex")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let count = q
        .get("count")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(s.opts.page_size)
        .min(s.opts.page_size.max(1));
    let page: Vec<Value> = matching
        .iter()
        .skip(start - 1)
        .take(count)
        .map(|u| user_json(u, &base))
        .collect();
    let n = |v: usize| {
        if sc.string_counts {
            json!(v.to_string())
        } else {
            json!(v)
        }
    };
    json_response(
        200,
        sc.content_type,
        &json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": n(matching.len()),
            "startIndex": n(start),
            "itemsPerPage": n(page.len()),
            "Resources": page,
        }),
    )
}

async fn one(State(s): S, Path((tenant, id)): Path<(String, String)>) -> Response {
    let Some((sc, users)) = data(&s, &tenant) else {
        return missing(&tenant);
    };
    let base = format!("{}/scim/{tenant}/v2", s.base_url);
    match users.iter().find(|u| u.id == id) {
        Some(u) => json_response(200, sc.content_type, &user_json(u, &base)),
        None => scim_error(
            404,
            None,
            &format!("Resource {id} not found"),
            sc.numeric_status,
            sc.content_type,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert_eq!(
            parse_filter("userName eq \"a@x\""),
            Some(("username".into(), "a@x".into()))
        );
        assert_eq!(
            parse_filter("  externalId   EQ \"e1\" "),
            Some(("externalid".into(), "e1".into()))
        );
        assert_eq!(parse_filter("userName sw \"a\""), None);
        assert_eq!(parse_filter("userName eq a"), None);
        assert_eq!(parse_filter("garbage"), None);
    }
}
