//! The SP's SCIM 2.0 endpoint as an IdP sees it: `ServiceProviderConfig`, a filter probe for a
//! user that does not exist (the answer Entra quarantines on), and the user list.
//! Bodies are read whatever the `Content-Type` (`application/scim+json`, `application/json`,
//! `text/json`); error `status` may be a string or a number.

use chrono::{DateTime, Utc};
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{lenient_bool, opt_text, opt_time};
use crate::http::{
    ApiError, ApiRequest, ApiRoot, HttpClient, Listing, Provider, lenient_count, scim_next_start,
};
use crate::sanitize::SafeText;
use crate::secret::Secret;
use crate::tenant::ScimTenant;

const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const PAGE_COUNT: u64 = 100;

/// What `/ServiceProviderConfig` says the server supports.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ServiceProviderConfig {
    pub patch: Option<bool>,
    pub bulk: Option<bool>,
    pub filter: Option<bool>,
    pub filter_max_results: Option<u64>,
    pub change_password: Option<bool>,
    pub sort: Option<bool>,
    pub etag: Option<bool>,
    /// `authenticationSchemes[].type` (or `name`).
    pub authentication_schemes: Vec<SafeText>,
    pub documentation_uri: Option<SafeText>,
}

impl ServiceProviderConfig {
    fn from_value(v: &Value) -> Self {
        let supported = |k: &str| -> Option<bool> {
            match v.get(k)?.get("supported")? {
                Value::Bool(b) => Some(*b),
                Value::String(s) => s.parse().ok(),
                _ => None,
            }
        };
        Self {
            patch: supported("patch"),
            bulk: supported("bulk"),
            filter: supported("filter"),
            filter_max_results: lenient_count(v.get("filter").and_then(|f| f.get("maxResults"))),
            change_password: supported("changePassword"),
            sort: supported("sort"),
            etag: supported("etag"),
            authentication_schemes: v
                .get("authenticationSchemes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| {
                            s.get("type")
                                .or_else(|| s.get("name"))
                                .and_then(Value::as_str)
                        })
                        .map(SafeText::new)
                        .collect()
                })
                .unwrap_or_default(),
            documentation_uri: v
                .get("documentationUri")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(SafeText::new),
        }
    }
}

/// The JSON type a ListResponse count arrived as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonKind {
    Integer,
    /// A number with a fraction or exponent.
    Number,
    String,
    Missing,
    Other,
}

impl JsonKind {
    fn of(v: Option<&Value>) -> Self {
        match v {
            None | Some(Value::Null) => JsonKind::Missing,
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => JsonKind::Integer,
            Some(Value::Number(_)) => JsonKind::Number,
            Some(Value::String(_)) => JsonKind::String,
            Some(_) => JsonKind::Other,
        }
    }
}

/// The JSON types of a ListResponse's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CountKinds {
    pub total_results: JsonKind,
    pub start_index: JsonKind,
    pub items_per_page: JsonKind,
}

impl CountKinds {
    /// The counts that are present but not JSON integers.
    pub fn non_integer(&self) -> Vec<&'static str> {
        [
            ("totalResults", self.total_results),
            ("startIndex", self.start_index),
            ("itemsPerPage", self.items_per_page),
        ]
        .into_iter()
        .filter(|(_, k)| !matches!(k, JsonKind::Integer | JsonKind::Missing))
        .map(|(n, _)| n)
        .collect()
    }
}

/// One probing request's answer, whatever its status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListAnswer {
    pub status: u16,
    pub content_type: Option<SafeText>,
    /// The body is a ListResponse (its schema URN, or `totalResults` with `Resources`).
    pub list_response: bool,
    pub total_results: Option<u64>,
    pub counts: CountKinds,
    /// Resources in the body.
    pub resources: usize,
    /// The parsed error for a non-2xx answer (SCIM `scimType`/`detail`), or a `Decode` error
    /// for a 2xx answer whose body is not a JSON object.
    pub error: Option<ApiError>,
}

impl ListAnswer {
    fn of(resp: &crate::http::ApiResponse) -> Self {
        let body: Option<Value> = serde_json::from_slice(&resp.body).ok();
        let obj = body.as_ref().filter(|v| v.is_object());
        let get = |k: &str| obj.and_then(|o| o.get(k));
        let list_response = get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(LIST_RESPONSE)))
            || (get("totalResults").is_some() && get("Resources").is_some());
        Self {
            status: resp.status,
            content_type: resp.content_type().map(SafeText::new),
            list_response,
            total_results: lenient_count(get("totalResults")),
            counts: CountKinds {
                total_results: JsonKind::of(get("totalResults")),
                start_index: JsonKind::of(get("startIndex")),
                items_per_page: JsonKind::of(get("itemsPerPage")),
            },
            resources: get("Resources")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            error: if !resp.is_success() {
                Some(resp.to_error())
            } else if obj.is_none() {
                Some(resp.decode_error(&match &body {
                    Some(_) => "the answer is JSON but not an object".to_string(),
                    None => match serde_json::from_slice::<Value>(&resp.body) {
                        Err(e) => e.to_string(),
                        Ok(_) => "the answer is not JSON".to_string(),
                    },
                }))
            } else {
                None
            },
        }
    }
}

/// What a SCIM endpoint does with the two queries IdPs depend on:
/// `GET /Users?filter=userName eq "<nonexistent>"&startIndex=1&count=1` (a correct server
/// answers 200 with an empty ListResponse; Entra quarantines on a 404) and
/// `GET /Users?startIndex=1&count=1` (Okta needs integer counts; a server that answers the
/// first with 404 shows its counts only here).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScimProbe {
    /// The filter sent (a random user name that cannot exist).
    pub filter: SafeText,
    pub not_found: ListAnswer,
    /// `None` when the second request got no answer at all.
    pub list: Option<ListAnswer>,
}

impl ScimProbe {
    /// The filter answer's status.
    pub fn status(&self) -> u16 {
        self.not_found.status
    }

    /// 200, a ListResponse, no resources and `totalResults` 0.
    pub fn is_compliant_not_found(&self) -> bool {
        let a = &self.not_found;
        a.status == 200 && a.list_response && a.resources == 0 && a.total_results == Some(0)
    }

    /// Counts that are present but not integers, in either answer.
    pub fn non_integer_counts(&self) -> Vec<&'static str> {
        let mut out = self.not_found.counts.non_integer();
        if let Some(l) = &self.list {
            for n in l.counts.non_integer() {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        out
    }

    /// Either query refused with 401 or 403.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self.not_found.status, 401 | 403)
            || self
                .list
                .as_ref()
                .is_some_and(|l| matches!(l.status, 401 | 403))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScimEmail {
    #[serde(default)]
    pub value: SafeText,
    #[serde(default, deserialize_with = "opt_text", rename(deserialize = "type"))]
    pub kind: Option<SafeText>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub primary: Option<bool>,
}

/// A SCIM user as the SP holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct ScimUser {
    #[serde(default)]
    pub id: SafeText,
    #[serde(default)]
    pub user_name: SafeText,
    #[serde(default, deserialize_with = "opt_text")]
    pub external_id: Option<SafeText>,
    #[serde(default, deserialize_with = "opt_text")]
    pub display_name: Option<SafeText>,
    /// Real boolean or Entra's `"True"`/`"False"`.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub emails: Vec<ScimEmail>,
    #[serde(default, skip_serializing)]
    meta: Option<MetaWire>,
    #[serde(skip_deserializing)]
    pub last_modified: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct MetaWire {
    #[serde(default, deserialize_with = "opt_time")]
    last_modified: Option<DateTime<Utc>>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl ScimUser {
    /// The primary email, else the first, else the user name.
    pub fn email(&self) -> &str {
        self.emails
            .iter()
            .find(|e| e.primary == Some(true))
            .or_else(|| self.emails.first())
            .map(|e| e.value.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or(self.user_name.as_str())
    }
}

/// SCIM client for one tenant's SCIM base URL (e.g. `https://sp.example.com/scim/v2`).
#[derive(Debug, Clone)]
pub struct ScimClient {
    http: HttpClient,
    root: ApiRoot,
    auth: Secret,
}

impl ScimClient {
    pub fn new(http: &HttpClient, tenant: &str, cfg: &ScimTenant) -> Self {
        let mut root = ApiRoot::new(tenant, Provider::Scim, &cfg.url);
        root.accept = "application/scim+json, application/json;q=0.9, text/json;q=0.8";
        Self {
            http: http.clone(),
            root,
            auth: Secret::new(format!("Bearer {}", cfg.token.expose())),
        }
    }

    fn req(&self, url: Url) -> ApiRequest {
        self.root.request(Method::GET, url, Some(self.auth.clone()))
    }

    /// `GET /ServiceProviderConfig`
    pub async fn service_provider_config(&self) -> Result<ServiceProviderConfig, ApiError> {
        let resp = self
            .http
            .send(&self.req(self.root.url(&["ServiceProviderConfig"])))
            .await?;
        decode_service_provider_config(&resp)
    }

    /// The probe. Only a filter request that gets no answer at all is an `Err`; every
    /// status is data.
    pub async fn probe(&self) -> Result<ScimProbe, ApiError> {
        let name = format!("ssodesk-probe-{:016x}@example.invalid", fastrand::u64(..));
        let filter = format!("userName eq \"{name}\"");
        let filtered = self.req(users_url(&self.root, &filter, 1, 1));
        let plain = self.req(paged_url(&self.root, 1, 1));
        let (filtered, plain) =
            tokio::join!(self.http.execute(&filtered), self.http.execute(&plain));
        Ok(ScimProbe {
            filter: SafeText::new(&filter),
            not_found: decode_list_answer(&filtered?),
            list: plain.ok().map(|r| decode_list_answer(&r)),
        })
    }

    /// `GET /Users?startIndex=..&count=..`, every page.
    pub async fn users(&self) -> Result<Listing<ScimUser>, ApiError> {
        let first = paged_url(&self.root, 1, PAGE_COUNT);
        let root = self.root.clone();
        self.http
            .paginate(self.req(first), move |resp| {
                let (users, next) = decode_users_page(resp)?;
                Ok((users, next.map(|s| paged_url(&root, s, PAGE_COUNT))))
            })
            .await
    }
}

// The decoders, one per answer. Public so that they can be fuzzed as they run.

/// `GET /ServiceProviderConfig`
pub fn decode_service_provider_config(
    resp: &crate::http::ApiResponse,
) -> Result<ServiceProviderConfig, ApiError> {
    let v: Value = resp.json()?;
    Ok(ServiceProviderConfig::from_value(&v))
}

/// A probing request's answer, whatever its status.
pub fn decode_list_answer(resp: &crate::http::ApiResponse) -> ListAnswer {
    ListAnswer::of(resp)
}

/// One page of `GET /Users`: the users, and the `startIndex` of the next page if any.
pub fn decode_users_page(
    resp: &crate::http::ApiResponse,
) -> Result<(Vec<ScimUser>, Option<u64>), ApiError> {
    let v: Value = resp.json()?;
    let resources = v
        .get("Resources")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let mut users: Vec<ScimUser> = serde_json::from_value(resources)
        .map_err(|e| resp.decode_error(&format!("Resources: {e}")))?;
    for u in &mut users {
        u.last_modified = u.meta.take().and_then(|m| m.last_modified);
    }
    let start = lenient_count(v.get("startIndex")).unwrap_or_else(|| start_of(&resp.url));
    let total = lenient_count(v.get("totalResults"));
    let next = scim_next_start(start, users.len(), total);
    Ok((users, next))
}

fn start_of(url: &Url) -> u64 {
    url.query_pairs()
        .find(|(k, _)| k == "startIndex")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

fn paged_url(root: &ApiRoot, start: u64, count: u64) -> Url {
    let mut url = root.url(&["Users"]);
    url.set_query(Some(&format!("startIndex={start}&count={count}")));
    url
}

/// `/Users?filter=...&startIndex=..&count=..` with spaces as `%20`: `+` is form encoding,
/// and not every SCIM server reads it as a space.
fn users_url(root: &ApiRoot, filter: &str, start: u64, count: u64) -> Url {
    let mut url = root.url(&["Users"]);
    url.set_query(Some(&format!(
        "filter={}&startIndex={start}&count={count}",
        percent_encode(filter)
    )));
    url
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_is_percent_encoded() {
        let root = ApiRoot::new(
            "t",
            Provider::Scim,
            &Url::parse("https://h/scim/v2/").expect("url"),
        );
        let u = users_url(&root, "userName eq \"a+b@x\"", 1, 1);
        assert_eq!(
            u.as_str(),
            "https://h/scim/v2/Users?filter=userName%20eq%20%22a%2Bb%40x%22&startIndex=1&count=1"
        );
    }

    #[test]
    fn config_reads_supported_flags() {
        let c = ServiceProviderConfig::from_value(&serde_json::json!({
            "patch":{"supported":true},"bulk":{"supported":false,"maxOperations":0},
            "filter":{"supported":true,"maxResults":"200"},
            "authenticationSchemes":[{"type":"oauthbearertoken","name":"OAuth Bearer Token"}]}));
        assert_eq!(
            (c.patch, c.bulk, c.filter, c.filter_max_results),
            (Some(true), Some(false), Some(true), Some(200))
        );
        assert_eq!(c.authentication_schemes[0].as_str(), "oauthbearertoken");
        assert_eq!(c.etag, None);
    }

    #[test]
    fn user_email_prefers_primary() {
        let u: ScimUser = serde_json::from_value(serde_json::json!({"id":"1","userName":"u",
            "active":"False","emails":[{"value":"b@x"},{"value":"a@x","primary":true}],
            "meta":{"lastModified":"2026-01-01T00:00:00Z"}}))
        .expect("decodes");
        assert_eq!(u.email(), "a@x");
        assert_eq!(u.active, Some(false));
        let u: ScimUser =
            serde_json::from_value(serde_json::json!({"id":"1","userName":"u","emails":null}))
                .expect("decodes");
        assert_eq!(u.email(), "u");
    }

    #[test]
    fn json_kinds() {
        use serde_json::json;
        assert_eq!(JsonKind::of(Some(&json!(3))), JsonKind::Integer);
        assert_eq!(JsonKind::of(Some(&json!("3"))), JsonKind::String);
        assert_eq!(JsonKind::of(Some(&json!(3.5))), JsonKind::Number);
        assert_eq!(JsonKind::of(None), JsonKind::Missing);
        assert_eq!(JsonKind::of(Some(&json!([]))), JsonKind::Other);
    }
}
