//! Secrets never leave the process: the demo's real credentials and unique canary tokens are
//! planted, then every output is searched for them: the TUI's screen and raw terminal bytes,
//! the log file, panic output, `diagnose` (text, JSON, ticket), `fix` (plan, success, a
//! rejected call), `audit`, `config check`, and Debug formatting.

use std::path::Path;
use std::process::Command;

use ssodesk::demo::{DemoHandle, DemoOptions, DemoServer};

use super::Session;

/// A unique value per run, so a match can only come from this test's planting.
fn canary(what: &str) -> String {
    format!(
        "canary-{what}-{:x}{:x}",
        std::process::id(),
        fastrand::u64(..)
    )
}

struct Planted {
    _rt: tokio::runtime::Runtime,
    demo: DemoHandle,
    /// The config file text: the demo's tenants plus `canary`, whose credentials are canaries.
    config: String,
    /// Variable name and value for every secret the config names.
    env: Vec<(String, String)>,
}

impl Planted {
    fn new() -> Planted {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let demo = rt
            .block_on(DemoServer::start(DemoOptions::for_tests()))
            .expect("demo starts");
        let hooli = demo.tenant("hooli").expect("hooli");
        let okta = hooli.okta.as_ref().expect("hooli has okta");
        let azure = hooli.azure.as_ref().expect("hooli has azure");
        let mut env = demo.env_exports();
        let canaries = [
            ("CANARY_SP_TOKEN", canary("sp")),
            ("CANARY_OKTA_TOKEN", canary("okta")),
            ("CANARY_AZURE_SECRET", canary("azure")),
            ("CANARY_SCIM_TOKEN", canary("scim")),
        ];
        env.extend(canaries.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let config = format!(
            "{}\n\
             [[tenants]]\nname = \"canary\"\n\
             [tenants.sp]\nurl = \"{sp}\"\norg = \"hooli\"\ntoken_env = \"CANARY_SP_TOKEN\"\n\
             [tenants.okta]\nurl = \"{okta_url}\"\napp_id = \"{app}\"\ntoken_env = \"CANARY_OKTA_TOKEN\"\n\
             [tenants.azure]\ntenant_id = \"{tid}\"\nclient_id = \"{cid}\"\n\
             client_secret_env = \"CANARY_AZURE_SECRET\"\nservice_principal_id = \"{spid}\"\n\
             graph_url = \"{graph}\"\nlogin_url = \"{login}\"\n\
             [tenants.scim]\nurl = \"{scim}\"\ntoken_env = \"CANARY_SCIM_TOKEN\"\n",
            demo.config_toml(),
            sp = demo.sp_base(),
            okta_url = okta.url,
            app = okta.app_id,
            tid = azure.tenant_id,
            cid = azure.client_id,
            spid = azure.service_principal_id,
            graph = azure.graph_url,
            login = azure.login_url,
            scim = demo.scim_base("hooli"),
        );
        Planted {
            _rt: rt,
            demo,
            config,
            env,
        }
    }

    fn secrets(&self) -> Vec<&str> {
        self.env.iter().map(|(_, v)| v.as_str()).collect()
    }

    fn env_refs(&self) -> Vec<(&str, &str)> {
        self.env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn assert_clean(&self, place: &str, text: &str) {
        for s in self.secrets() {
            assert!(!text.contains(s), "a secret reached {place}");
        }
    }
}

fn cli(p: &Planted, home: &Path, config: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ssodesk"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("SSODESK_CONFIG", config)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .envs(p.env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .expect("run ssodesk");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn no_secret_reaches_any_output() {
    let p = Planted::new();
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, &p.config).expect("config");

    // Headless paths, including calls the canary tenant's wrong credentials make fail.
    for args in [
        &["diagnose", "--all"][..],
        &["diagnose", "--all", "--json"],
        &["diagnose", "--tenant", "canary", "--format", "ticket"],
        &["diagnose", "--tenant", "canary", "--json"],
        &[
            "fix",
            "sp.reactivate",
            "--tenant",
            "acme",
            "--dry-run",
            "--json",
        ],
        &["fix", "sp.reactivate", "--tenant", "acme", "--yes"],
        &[
            "fix",
            "azure.start_job",
            "--tenant",
            "canary",
            "--yes",
            "--json",
        ],
        &["fix", "sp.manual_sync", "--tenant", "canary", "--yes"],
        &["audit"],
        &["audit", "--json"],
        &["config", "check"],
    ] {
        let (out, err) = cli(&p, home.path(), &config, args);
        p.assert_clean(&format!("stdout of {args:?}"), &out);
        p.assert_clean(&format!("stderr of {args:?}"), &err);
        assert!(!out.is_empty() || !err.is_empty(), "{args:?} said nothing");
    }
    let audit = std::fs::read_to_string(home.path().join("data/ssodesk/audit.jsonl"))
        .expect("the fixes wrote the audit log");
    p.assert_clean("the audit log", &audit);
    assert!(
        audit.contains("\"tenant\":\"canary\""),
        "the failed canary fix is on record"
    );

    // The TUI: diagnostics of every tenant, the canary tenant's findings and a fix popup.
    let mut s = Session::start_config(Some(&p.config), &p.env_refs(), &[]);
    s.wait_text("Search");
    s.send(b"\x14"); // ctrl-t
    s.wait_text("canary");
    s.wait_for("every tenant checked", |t| !t.contains("checking"));
    s.send(b":tenant canary\r");
    s.wait_text("canary");
    s.send(b"\t");
    s.send(b"f");
    s.wait_raw_quiet();
    p.assert_clean("the TUI screen", &s.screen());
    // Esc alone: followed at once by ':' a terminal reads alt-':'.
    s.send(b"\x1b");
    s.wait_raw_quiet();
    s.send(b":tenant acme\r");
    s.wait_text("acme");
    s.wait_raw_quiet();
    // Esc left the focus on the tenants: tab to the findings; the second one is acme's push
    // mappings, with a fix (its app users come first, without one).
    s.send(b"\tgjf");
    s.wait_for("a fix popup", |t| t.contains("Calls"));
    p.assert_clean("the fix popup", &s.screen());
    s.send(b"\x1b");
    s.wait_raw_quiet();
    s.send(b"q");
    assert_eq!(s.wait_exit(), 0);
    p.assert_clean("the raw terminal bytes", &String::from_utf8_lossy(&s.raw()));
    let logs = std::fs::read_dir(s.home().join("state/ssodesk")).expect("log dir");
    let mut read_any = false;
    for f in logs.filter_map(Result::ok) {
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        read_any |= !text.is_empty();
        p.assert_clean("the log file", &text);
    }
    assert!(read_any, "the TUI wrote a log");

    // A panic's message and the restored terminal.
    let mut env = p.env_refs();
    env.push(("SSODESK_DEBUG_PANIC", "main"));
    let mut s = Session::start_config(Some(&p.config), &env, &[]);
    s.wait_exit();
    p.assert_clean("panic output", &String::from_utf8_lossy(&s.raw()));

    // Debug formatting of everything that holds a credential.
    for t in p.demo.tenants() {
        p.assert_clean("Debug of a tenant", &format!("{t:?} {t:#?}"));
    }
}
