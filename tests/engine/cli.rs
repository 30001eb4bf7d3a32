//! `ssodesk diagnose`, `fix` and `audit` as scripts run them: on the embedded demo (no
//! config file), with their exit codes and JSON.

use std::path::Path;
use std::process::{Command, Output};

fn ssodesk(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssodesk"));
    c.env_remove("SSODESK_CONFIG")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("HOME", home);
    c
}

fn run(home: &Path, args: &[&str]) -> (Output, String) {
    let out = ssodesk(home).args(args).output().expect("run ssodesk");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, text)
}

#[test]
fn diagnose_all_json_lists_every_demo_tenant_and_exits_one() {
    let home = tempfile::tempdir().expect("tempdir");
    let (out, text) = run(home.path(), &["diagnose", "--all", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let tenants = v["tenants"].as_array().expect("tenants");
    let names: Vec<&str> = tenants
        .iter()
        .filter_map(|t| t["tenant"].as_str())
        .collect();
    assert_eq!(names, ["acme", "globex", "initech", "umbrella", "hooli"]);
    for t in tenants {
        assert!(t["checked_at"].as_str().is_some_and(|s| s.ends_with('Z')));
        for f in t["findings"].as_array().expect("findings") {
            for key in ["check", "status", "title", "detail", "faq"] {
                assert!(f[key].is_string(), "{key} in {f}");
            }
            assert!(f["fix"].is_null() || f["fix"]["kind"].is_string());
        }
    }
}

#[test]
fn diagnose_one_clean_tenant_exits_zero_and_unknown_exits_two() {
    let home = tempfile::tempdir().expect("tempdir");
    let (out, text) = run(home.path(), &["diagnose", "--tenant", "hooli"]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("hooli  [ok]"), "{text}");
    let (out, _) = run(home.path(), &["diagnose", "--tenant", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown tenant `nope`") && err.contains("acme"),
        "{err}"
    );
}

#[test]
fn diagnose_ticket_format_is_markdown() {
    let home = tempfile::tempdir().expect("tempdir");
    let (_, text) = run(
        home.path(),
        &["diagnose", "--tenant", "initech", "--format", "ticket"],
    );
    assert!(text.starts_with("## SSO diagnostics: initech"), "{text}");
    assert!(
        text.contains("### Error: Workspace name `Initech_Corp!`"),
        "{text}"
    );
}

#[test]
fn fix_needs_yes_dry_run_sends_nothing_and_audit_records_runs() {
    let home = tempfile::tempdir().expect("tempdir");
    let (out, text) = run(
        home.path(),
        &["fix", "azure.start_job", "--tenant", "umbrella"],
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("add --yes"), "{text}");
    assert!(
        text.contains("POST http://127.0.0.1:"),
        "the plan is shown: {text}"
    );

    let (out, text) = run(
        home.path(),
        &[
            "fix",
            "azure.start_job",
            "--tenant",
            "umbrella",
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["dry_run"], true);
    assert!(v["outcome"].is_null());
    assert_eq!(v["plan"]["steps"][0]["call"]["method"], "POST");
    assert!(
        v["plan"]["steps"][0]["call"]["auth"]
            .as_str()
            .is_some_and(|a| a.ends_with("***"))
    );

    let (out, text) = run(
        home.path(),
        &[
            "fix",
            "sp.reactivate",
            "--tenant",
            "acme",
            "--user",
            "erin@acme.example",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["outcome"]["succeeded"], true);
    assert_eq!(v["recheck"]["passed"], true);

    let (out, text) = run(home.path(), &["audit", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "one start and one end; refusals and dry runs send nothing"
    );
    assert_eq!(lines[0]["event"], "start");
    assert_eq!(lines[1]["event"], "end");
    assert_eq!(lines[1]["outcome"], "succeeded");
    assert_eq!(lines[1]["http_status"], 200);
    let (_, text) = run(home.path(), &["audit", "--tenant", "acme"]);
    assert!(
        text.contains("sp.reactivate") && text.contains("erin@acme.example"),
        "{text}"
    );
}

#[test]
fn read_only_flag_refuses_with_the_reason() {
    let home = tempfile::tempdir().expect("tempdir");
    let (out, text) = run(
        home.path(),
        &[
            "--read-only",
            "fix",
            "sp.manual_sync",
            "--tenant",
            "globex",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text.contains("read-only"), "{text}");
}

#[test]
fn unknown_fix_kind_names_the_valid_ones() {
    let home = tempfile::tempdir().expect("tempdir");
    let (out, _) = run(home.path(), &["fix", "sp.nope", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sp.manual_sync") && err.contains("azure.provision_on_demand"),
        "{err}"
    );
}

#[test]
fn a_tenant_that_cannot_be_set_up_does_not_stop_the_others() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        r#"
[[tenants]]
name = "broken"
[tenants.sp]
url = "http://127.0.0.1:9"
org = "broken"
token_env = "SSODESK_TEST_UNSET_VARIABLE"

[[tenants]]
name = "down"
[tenants.sp]
url = "http://127.0.0.1:9"
org = "down"
token_env = "SSODESK_TEST_SP_TOKEN"
"#,
    )
    .expect("config");
    let out = ssodesk(home.path())
        .env("SSODESK_CONFIG", &config)
        .env("SSODESK_TEST_SP_TOKEN", "x")
        .env_remove("SSODESK_TEST_UNSET_VARIABLE")
        .args(["diagnose", "--all"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}{err}");
    assert!(
        err.contains("tenant broken could not be checked")
            && err.contains("SSODESK_TEST_UNSET_VARIABLE"),
        "{err}"
    );
    assert!(
        text.contains("down  [unavailable]"),
        "the other tenant was still checked: {text}"
    );
}
