//! `ssodesk demo --port 0` prints its URL, the exports and a config, and serves Okta-shaped
//! JSON on Okta's paths.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::raw;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn standalone_demo_prints_config_and_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_ssodesk"))
            .args(["demo", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssodesk runs"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    // Read until the end of the printed config (the ctrl-c hint).
    let lines = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let done = line.starts_with("# Ctrl-C");
            out.push(line);
            if done {
                break;
            }
        }
        out
    })
    .await
    .expect("reader");
    let text = lines.join("\n");
    let base = lines
        .iter()
        .find_map(|l| l.strip_prefix("ssodesk demo serving on "))
        .expect("URL line")
        .to_string();
    let token = lines
        .iter()
        .find_map(|l| l.strip_prefix("export SSODESK_DEMO_ACME_OKTA_TOKEN='"))
        .and_then(|v| v.strip_suffix('\''))
        .expect("export line")
        .to_string();
    assert!(text.contains("[[tenants]]") && text.contains("token_env = \"SSODESK_DEMO_SP_TOKEN\""));
    let start = text.find("# ssodesk demo at").expect("config");
    let end = text.find("# Ctrl-C").expect("end");
    let config =
        ssodesk::config::Config::parse(&text[start..end], std::path::Path::new("demo.toml"))
            .expect("the printed config parses");
    let acme = config.tenant("acme").expect("acme");
    let app_id = &acme.okta.as_ref().expect("okta").app_id;

    let c = raw();
    let wrong: serde_json::Value = c
        .get(format!("{base}/okta/acme/api/v1/apps/{app_id}"))
        .header("Authorization", "SSWS x")
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(wrong["errorCode"], "E0000011");
    let app: serde_json::Value = c
        .get(format!("{base}/okta/acme/api/v1/apps/{app_id}"))
        .header("Authorization", format!("SSWS {token}"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(app["id"], serde_json::json!(app_id));
    assert!(app["features"].as_array().is_some_and(|f| !f.is_empty()));
}
