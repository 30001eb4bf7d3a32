//! Hostile data on every stdout path: the demo's opt-in `hostile` tenant carries ESC, CSI,
//! OSC (52, 8), 8-bit C1, BEL, BS, CR, bidi overrides, zero-width characters, a 10,000
//! character name, emoji and CJK in names, emails, group names and error messages. The real
//! `ssodesk` binary runs against it (a config written by the test, secrets in the
//! environment, XDG folders in a temp dir): `diagnose` as text, JSON and ticket, `fix` as a
//! dry run and for real, and `audit` as text and JSON. No control character (C0 but `\n`,
//! DEL, C1) and no bidi or zero-width character may reach stdout or stderr, and the text
//! outputs keep their lines bounded.

use std::process::Output;

use serde_json::Value;
use ssodesk::demo::DemoOptions;
use ssodesk::display::LINE_CLIP;
use ssodesk::sanitize::is_clean;
use unicode_width::UnicodeWidthStr;

use crate::common::demo_with;

/// The widest line a text output may print: an indent, a label and one clipped value.
const MAX_LINE_COLS: usize = LINE_CLIP + 60;

struct Env {
    _home: tempfile::TempDir,
    home: std::path::PathBuf,
    config: std::path::PathBuf,
    exports: Vec<(String, String)>,
}

fn env_for(config_toml: &str, exports: Vec<(String, String)>) -> Env {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, config_toml).expect("config written");
    Env {
        home: home.path().to_path_buf(),
        _home: home,
        config,
        exports,
    }
}

async fn run(env: &Env, args: &[&str]) -> Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ssodesk"));
    c.args(args)
        .env("SSODESK_CONFIG", &env.config)
        .env("XDG_CONFIG_HOME", env.home.join("config"))
        .env("XDG_DATA_HOME", env.home.join("data"))
        .env("XDG_STATE_HOME", env.home.join("state"))
        .env("HOME", &env.home)
        .env_remove("NO_COLOR");
    for (k, v) in &env.exports {
        c.env(k, v);
    }
    tokio::task::spawn_blocking(move || c.output().expect("ssodesk runs"))
        .await
        .expect("join")
}

/// The raw bytes are UTF-8 and hold nothing `sanitize` would remove.
fn assert_clean(what: &str, bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(e) => panic!("{what}: not UTF-8 ({e}); a raw C1 byte?"),
    };
    if let Some((i, c)) = text.char_indices().find(|(_, c)| !is_clean(&c.to_string())) {
        let from = text[..i].char_indices().rev().nth(30).map_or(0, |(j, _)| j);
        panic!(
            "{what}: U+{:04X} at byte {i}, after {:?}",
            c as u32,
            &text[from..i]
        );
    }
    text
}

fn assert_bounded(what: &str, text: &str, max: usize) {
    for (n, line) in text.lines().enumerate() {
        assert!(
            line.width() <= max,
            "{what}: line {} is {} columns wide: {}…",
            n + 1,
            line.width(),
            line.chars().take(120).collect::<String>()
        );
    }
}

/// Every string in a JSON value (keys too) is clean; returns the longest one's length.
fn assert_json_clean(what: &str, v: &Value) -> usize {
    match v {
        Value::String(s) => {
            assert!(is_clean(s), "{what}: unclean string {s:?}");
            s.chars().count()
        }
        Value::Array(a) => a
            .iter()
            .map(|x| assert_json_clean(what, x))
            .max()
            .unwrap_or(0),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| {
                assert!(is_clean(k), "{what}: unclean key {k:?}");
                assert_json_clean(what, x)
            })
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

fn checked(what: &str, out: &Output) -> String {
    assert_clean(&format!("{what} (stderr)"), &out.stderr);
    assert_clean(&format!("{what} (stdout)"), &out.stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_data_never_reaches_stdout_or_stderr() {
    let d = demo_with(DemoOptions {
        hostile: true,
        ..DemoOptions::for_tests()
    })
    .await;
    assert!(d.tenant_names().iter().any(|n| n == "hostile"));
    let env = env_for(&d.config_toml(), d.env_exports());

    // diagnose: text
    let out = run(&env, &["diagnose", "--tenant", "hostile"]).await;
    let text = checked("diagnose", &out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_bounded("diagnose", &text, MAX_LINE_COLS);
    for seen in [
        "hostile  [error]",
        "mallory@hostile.example",
        "trudy@hostile.example",
        "ghosttxt.exe@hostile.example",
        "yamada.太郎@hostile.example",
        "HostileCorptxt.exe",
        "…",
    ] {
        assert!(text.contains(seen), "diagnose lacks {seen:?}:\n{text}");
    }

    // diagnose: JSON, raw bytes and parsed values; the long name stays whole in JSON.
    let out = run(&env, &["diagnose", "--tenant", "hostile", "--json"]).await;
    let json = checked("diagnose --json", &out);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let longest = assert_json_clean("diagnose --json", &v);
    assert!(
        longest >= 8_000,
        "the 10,000-character name is kept: {longest}"
    );
    let checks: Vec<&str> = v["tenants"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] != "ok")
        .filter_map(|f| f["check"].as_str())
        .collect();
    for tripped in [
        "okta.push_groups",
        "okta.app_users",
        "azure.job_state",
        "sp.pending_users",
        "sp.deactivated_jit",
        "sp.duplicates",
        "sp.workspace_name",
        "sp.last_sync",
        "cross.missing_users",
    ] {
        assert!(
            checks.contains(&tripped),
            "{tripped} not tripped: {checks:?}"
        );
    }

    // diagnose: ticket note (Markdown). Quoted answers are the KB's own paragraphs.
    let out = run(
        &env,
        &["diagnose", "--tenant", "hostile", "--format", "ticket"],
    )
    .await;
    let ticket = checked("diagnose --format ticket", &out);
    assert!(
        ticket.starts_with("## SSO diagnostics: hostile"),
        "{ticket}"
    );
    let findings_part = ticket.split("### Related answers").next().unwrap_or("");
    assert_bounded("ticket", findings_part, 3 * LINE_CLIP + 120);

    // fix: dry runs of every fix the tenant offers, as text and JSON.
    for kind in [
        "okta.push_group",
        "sp.reactivate",
        "sp.resend_invite",
        "azure.restart_job",
        "azure.provision_on_demand",
    ] {
        let out = run(&env, &["fix", kind, "--tenant", "hostile", "--dry-run"]).await;
        let text = checked(&format!("fix {kind} --dry-run"), &out);
        assert_eq!(out.status.code(), Some(0), "{kind}: {text}");
        assert_bounded(&format!("fix {kind} --dry-run"), &text, MAX_LINE_COLS);
        let out = run(
            &env,
            &["fix", kind, "--tenant", "hostile", "--dry-run", "--json"],
        )
        .await;
        let json = checked(&format!("fix {kind} --dry-run --json"), &out);
        let v: Value = serde_json::from_str(&json).expect("JSON");
        assert_json_clean(kind, &v);
    }

    // fix: for real (the long group name goes out in the body), then the audit log.
    let out = run(
        &env,
        &["fix", "okta.push_group", "--tenant", "hostile", "--yes"],
    )
    .await;
    let text = checked("fix okta.push_group --yes", &out);
    assert_bounded("fix --yes", &text, MAX_LINE_COLS);
    assert!(text.contains("Re-check okta.push_groups"), "{text}");
    let out = run(
        &env,
        &[
            "fix",
            "sp.reactivate",
            "--tenant",
            "hostile",
            "--yes",
            "--json",
        ],
    )
    .await;
    let json = checked("fix sp.reactivate --yes --json", &out);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    assert_json_clean("fix --yes --json", &v);
    assert_eq!(v["outcome"]["succeeded"], true, "{json}");

    let out = run(&env, &["audit"]).await;
    let text = checked("audit", &out);
    assert!(text.contains("okta.push_group") && text.contains("sp.reactivate"));
    assert_bounded("audit", &text, MAX_LINE_COLS + 200);
    let out = run(&env, &["audit", "--json"]).await;
    let lines = checked("audit --json", &out);
    assert_eq!(lines.lines().count(), 4, "two runs, start and end each");
    for line in lines.lines() {
        let v: Value = serde_json::from_str(line).expect("JSON line");
        assert_json_clean("audit --json", &v);
    }
}

/// A hand-edited audit log is read back through the same cleaning.
#[tokio::test]
async fn a_tampered_audit_log_is_cleaned_on_the_way_out() {
    let env = env_for("", Vec::new());
    let dir = env.home.join("data").join("ssodesk");
    std::fs::create_dir_all(&dir).expect("data dir");
    let evil = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    let line = serde_json::json!({
        "time": "2026-11-29T10:00:00.000Z", "event": "start", "run": format!("r1{evil}"),
        "user": format!("mallory{evil}"), "tenant": format!("acme{evil}"),
        "kind": format!("sp.reactivate{evil}"),
        "target": {"users": [{"id": "u1", "email": format!("{evil}{}", "x".repeat(5000))}]},
        "requests": [format!("POST http://x/{evil}")],
    });
    std::fs::write(
        dir.join("audit.jsonl"),
        format!("{line}\nnot json {evil}\n"),
    )
    .expect("log written");
    let out = run(&env, &["audit"]).await;
    let text = checked("audit of a tampered log", &out);
    assert!(
        text.contains("mallory") && text.contains("never finished"),
        "{text}"
    );
    assert_bounded("audit", &text, MAX_LINE_COLS + 200);
    // diagnose warns about the unfinished run on stderr, cleaned too (on the embedded demo:
    // the empty config file names no tenants, so `--demo`).
    let out = run(&env, &["--demo", "diagnose", "--tenant", "hooli"]).await;
    checked("diagnose with a tampered log", &out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("never finished"), "{err}");
}

/// `ssodesk demo --hostile` serves the hostile tenant; without the flag there are five.
#[tokio::test]
async fn standalone_demo_serves_the_hostile_tenant_only_when_asked() {
    let plain = crate::common::demo().await;
    assert_eq!(plain.tenant_names().len(), 5);
    let d = demo_with(DemoOptions {
        hostile: true,
        ..DemoOptions::for_tests()
    })
    .await;
    assert_eq!(d.tenant_names().len(), 6);
    let toml = d.config_toml();
    assert!(toml.contains("name = \"hostile\""));
    assert!(is_clean(&toml), "the printed config is clean");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ssodesk"))
        .args(["demo", "--port", "0", "--hostile"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ssodesk demo runs");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut out = Vec::new();
        for line in std::io::BufReader::new(stdout).lines() {
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
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.join("\n");
    assert_clean("ssodesk demo --hostile", text.as_bytes());
    assert!(
        text.contains("SSODESK_DEMO_HOSTILE_OKTA_TOKEN") && text.contains("name = \"hostile\""),
        "{text}"
    );
}
