//! The demo's HTTP knobs and its printed config.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};
use ssodesk::config::Config;
use ssodesk::providers::SpClient;
use ssodesk::tenant::{SecretSource, resolve};

use crate::common::*;

#[tokio::test]
async fn faults_latency_counts_and_reset_over_http() {
    let d = demo().await;
    let http = http();
    let t = tenant(&d, "acme");
    let admin = raw();
    let base = d.base_url();
    let org_path = sp_org_path(&t, "");

    let r = admin
        .post(format!("{base}/__demo/faults"))
        .json(&json!({"method": "GET", "path": org_path, "fault": {"kind": "status", "status": 404}, "times": 1}))
        .send()
        .await
        .expect("admin");
    assert!(r.status().is_success());
    let e = SpClient::new(&http, "acme", &t.sp)
        .org()
        .await
        .expect_err("injected 404");
    assert_eq!(e.code.as_deref(), Some("not_found"));
    SpClient::new(&http, "acme", &t.sp)
        .org()
        .await
        .expect("the fault ran out");

    let counts: Vec<Value> = admin
        .get(format!("{base}/__demo/requests"))
        .send()
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    let c = counts
        .iter()
        .find(|c| c["path"] == json!(org_path))
        .expect("counted");
    assert_eq!(c["count"], 2);

    let bad = admin
        .post(format!("{base}/__demo/faults"))
        .body("{nope")
        .send()
        .await
        .expect("admin");
    assert_eq!(bad.status(), 400);

    admin
        .post(format!("{base}/__demo/latency"))
        .json(&json!({"ms": 150}))
        .send()
        .await
        .expect("admin");
    let start = std::time::Instant::now();
    SpClient::new(&http, "acme", &t.sp)
        .org()
        .await
        .expect("slow but fine");
    assert!(start.elapsed() >= std::time::Duration::from_millis(150));
    admin
        .delete(format!("{base}/__demo/latency"))
        .send()
        .await
        .expect("admin");

    // State changes, then reset brings the script back.
    SpClient::new(&http, "acme", &t.sp)
        .start_sync()
        .await
        .expect("sync");
    let r = admin
        .post(format!("{base}/__demo/reset"))
        .send()
        .await
        .expect("admin");
    assert!(r.status().is_success());
    assert_eq!(d.request_count("GET", &org_path), 0);
    let users = SpClient::new(&http, "acme", &t.sp)
        .users(None)
        .await
        .expect("users");
    assert!(
        !users
            .iter()
            .any(|u| u.email.as_str() == "dana@acme.example")
    );
}

#[tokio::test]
async fn okta_rate_limit_knob_gives_real_429s() {
    let d = demo().await;
    let t = tenant(&d, "initech");
    let okta = t.okta.as_ref().expect("okta");
    let admin = raw();
    let r = admin
        .post(format!("{}/__demo/rate-limit", d.base_url()))
        .json(&json!({"tenant": "initech", "limit": 2, "window_secs": 60}))
        .send()
        .await
        .expect("admin");
    assert!(r.status().is_success());
    let url = format!("{}/api/v1/apps/{}", okta.url, okta.app_id);
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let r = admin
            .get(&url)
            .header("Authorization", format!("SSWS {}", okta.token.expose()))
            .send()
            .await
            .expect("okta");
        statuses.push(r.status().as_u16());
        last = Some(r);
    }
    assert_eq!(statuses, vec![200, 200, 429]);
    let r = last.expect("answer");
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    assert!(r.headers().contains_key("x-rate-limit-reset"));
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["errorCode"], "E0000047");
    let unknown = admin
        .post(format!("{}/__demo/rate-limit", d.base_url()))
        .json(&json!({"tenant": "globex", "limit": 2}))
        .send()
        .await
        .expect("admin");
    assert_eq!(unknown.status(), 404, "globex has no Okta");
}

#[tokio::test]
async fn printed_config_resolves_to_the_same_tenants() {
    let d = demo().await;
    let text = raw()
        .get(format!("{}/__demo/config", d.base_url()))
        .send()
        .await
        .expect("config")
        .text()
        .await
        .expect("text");
    assert_eq!(text, d.config_toml());
    let config = Config::parse(&text, Path::new("demo.toml")).expect("a valid config");
    let env: HashMap<String, String> = d.env_exports().into_iter().collect();
    let source = SecretSource {
        file: None,
        file_is_private: false,
        env: Box::new(move |k| env.get(k).cloned()),
    };
    let from_config: Vec<_> = config
        .tenants
        .iter()
        .map(|t| resolve(t, &source).expect("resolves"))
        .collect();
    let direct = d.tenants();
    assert_eq!(from_config.len(), direct.len());
    for (a, b) in from_config.iter().zip(&direct) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.production, b.production);
        assert_eq!(a.sp.url, b.sp.url);
        assert_eq!(a.sp.token, b.sp.token);
        assert_eq!(
            a.okta.as_ref().map(|o| (&o.url, &o.app_id, &o.token)),
            b.okta.as_ref().map(|o| (&o.url, &o.app_id, &o.token))
        );
        assert_eq!(
            a.azure.as_ref().map(|o| (
                &o.graph_url,
                &o.login_url,
                &o.client_secret,
                &o.service_principal_id
            )),
            b.azure.as_ref().map(|o| (
                &o.graph_url,
                &o.login_url,
                &o.client_secret,
                &o.service_principal_id
            ))
        );
        assert_eq!(
            a.scim.as_ref().map(|o| (&o.url, &o.token)),
            b.scim.as_ref().map(|o| (&o.url, &o.token))
        );
    }
    // And it works end to end.
    let http = http();
    let snap = ssodesk::snapshot::fetch(&http, &from_config[4]).await;
    assert_eq!(snap.tenant, "hooli");
    assert!(snap.errors().is_empty(), "{:?}", snap.errors());
}

#[tokio::test]
async fn extra_tenants_and_embedded_start() {
    let d = ssodesk::demo::DemoServer::start(ssodesk::demo::DemoOptions {
        extra_tenants: 3,
        ..ssodesk::demo::DemoOptions::for_tests()
    })
    .await
    .expect("demo");
    assert_eq!(d.tenant_names().len(), 8);
    let http = http();
    let snap = ssodesk::snapshot::fetch(&http, &tenant(&d, "globex-002")).await;
    assert!(snap.errors().is_empty(), "{:?}", snap.errors());
    let (handle, tenants) = ssodesk::demo::start_embedded().await.expect("embedded");
    assert_eq!(tenants.len(), 5);
    assert!(tenants[0].sp.url.as_str().starts_with(&handle.base_url()));
}
