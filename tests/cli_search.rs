//! `ssodesk search` and `ssodesk kb check` as a script sees them: output, JSON shape, exit codes.

use std::process::Command;

fn ssodesk() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssodesk"));
    // Never read the developer's own config.
    c.env_remove("SSODESK_CONFIG");
    c.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("ssodesk-test-no-config"),
    );
    c
}

fn json(args: &[&str]) -> (Vec<serde_json::Value>, i32) {
    let out = ssodesk().args(args).output().expect("run ssodesk");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (
        v.as_array().cloned().expect("a JSON array"),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn lifecycle_management_answer_comes_first() {
    let (hits, code) = json(&["search", "okta provisioning tab", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(hits[0]["id"], "okta-provisioning-tab-missing");
    let body = hits[0]["body"].as_str().expect("body is a string");
    assert!(body.contains("Lifecycle Management"), "{body}");
    for h in &hits {
        for key in ["id", "title", "topic", "score", "body"] {
            assert!(!h[key].is_null(), "missing {key} in {h}");
        }
    }
}

#[test]
fn limit_caps_the_answers() {
    let (hits, _) = json(&["search", "okta", "--json", "--limit", "2"]);
    assert_eq!(hits.len(), 2);
}

#[test]
fn empty_query_lists_every_article_by_topic() {
    let (hits, code) = json(&["search", "--json", "--limit", "0"]);
    assert_eq!(code, 0);
    let topics: Vec<&str> = hits.iter().filter_map(|h| h["topic"].as_str()).collect();
    assert!(hits.len() >= 30);
    let order = ["overview", "provisioning", "login", "workspace"];
    let ranks: Vec<usize> = topics
        .iter()
        .map(|t| order.iter().position(|o| o == t).expect("known topic"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{topics:?}");
}

#[test]
fn no_results_exits_one_and_says_so() {
    let out = ssodesk()
        .args(["search", "qqzzxxyy"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No answers"));
}

#[test]
fn text_output_lists_rank_title_id_and_lines() {
    let out = ssodesk()
        .args(["search", "workspace name rules"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(" 1. "), "{text}");
    assert!(text.contains("id: workspace-name-rules"), "{text}");
}

#[test]
fn kb_check_is_clean_for_the_shipped_articles() {
    let out = ssodesk().args(["kb", "check"]).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn kb_check_reports_file_and_line_and_exits_nonzero() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("good.md"),
        "+++\nid = \"good\"\ntitle = \"Good?\"\ntopic = \"login\"\n+++\nFine.\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("bad.md"),
        "+++\nid = \"bad\"\ntitle = \"Bad?\"\ntopic = \"billing\"\n+++\nNo.\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("z-dup.md"),
        "+++\nid = \"good\"\ntitle = \"Dup?\"\ntopic = \"login\"\n+++\nDup.\n",
    )
    .expect("write");
    let out = ssodesk()
        .args(["kb", "check", "--kb"])
        .arg(dir.path())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("bad.md:4: unknown topic `billing`"), "{text}");
    assert!(
        text.contains("z-dup.md:2: duplicate id `good` (also in"),
        "{text}"
    );
    // The good article still loads and is searchable from that folder.
    let out = ssodesk()
        .args(["search", "fine", "--kb"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn missing_kb_folder_is_an_error_naming_it() {
    let out = ssodesk()
        .args(["search", "x", "--kb", "/nonexistent/kb-dir"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/kb-dir"));
}

#[test]
fn half_typed_query_puts_the_lifecycle_answer_first() {
    // "prov" also starts "provider", a rarer word: a prefix must not let it win.
    let (hits, _) = json(&["search", "okta prov", "--json", "--limit", "3"]);
    assert_eq!(hits[0]["id"], "okta-provisioning-tab-missing");
}
