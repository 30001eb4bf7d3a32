use ssodesk::demo::{DemoHandle, DemoOptions, DemoServer};
use ssodesk::http::{HttpClient, HttpOptions};
use ssodesk::tenant::Tenant;

pub async fn demo() -> DemoHandle {
    DemoServer::start(DemoOptions::for_tests())
        .await
        .expect("demo starts")
}

pub fn http() -> HttpClient {
    HttpClient::new(HttpOptions::for_tests()).expect("http client")
}

pub fn http_with(f: impl FnOnce(&mut HttpOptions)) -> HttpClient {
    let mut o = HttpOptions::for_tests();
    f(&mut o);
    HttpClient::new(o).expect("http client")
}

pub fn tenant(d: &DemoHandle, name: &str) -> Tenant {
    d.tenant(name).expect("demo tenant exists")
}

/// The path part of a tenant's Okta app URL plus `tail`.
pub fn okta_app_path(t: &Tenant, tail: &str) -> String {
    let o = t.okta.as_ref().expect("okta");
    format!("{}/api/v1/apps/{}{tail}", o.url.path(), o.app_id)
}

pub fn sp_org_path(t: &Tenant, tail: &str) -> String {
    format!("{}/api/v1/orgs/{}{tail}", t.sp.url.path(), t.sp.org)
}

/// A plain reqwest client for talking to the demo around the clients under test.
pub fn raw() -> reqwest::Client {
    ssodesk::http::ensure_crypto_provider();
    reqwest::Client::new()
}
