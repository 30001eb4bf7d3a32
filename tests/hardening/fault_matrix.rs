//! The fault matrix: each of the four APIs under each fault, first while `diagnose` reads the
//! demo's all-green tenant (hooli), then while a fix writes (SP reactivate, Okta push group,
//! Graph start job). Every cell runs against its own demo server and HTTP client, cells run
//! concurrently, and each is guarded by a generous timeout that only detects hangs.
//!
//! A diagnosis cell passes when the checks that read the faulty API are `unavailable` or
//! `error` with a message naming the tenant, the API, the endpoint, the HTTP status and the
//! provider's error code (where the fault has them), every other check comes out as without
//! the fault, nothing panics and it finishes; for the two "429, then success" faults, every
//! check comes out exactly as without the fault and the 429 was seen. A fix cell passes when
//! the fix ends in a recorded failure (outcome, audit end line `failed`, a message naming the
//! call) and the write went out at most once.

use std::fmt::Write as _;
use std::time::Duration;

use futures::StreamExt;
use reqwest::Url;
use ssodesk::audit::{AuditLog, Event, Outcome as AuditOutcome};
use ssodesk::checks::{Finding, Fix, FixKind, Status};
use ssodesk::demo::{DemoHandle, Fault, FaultRule};
use ssodesk::diagnose::diagnose;
use ssodesk::display::clip;
use ssodesk::fixes::{Executor, build_plan};
use ssodesk::http::HttpClient;
use ssodesk::snapshot::TenantClients;
use ssodesk::tenant::Tenant;

use crate::common::{demo, http, say};

/// Far beyond what any cell needs (a few request timeouts of 1.5 s and 1 s rate-limit
/// waits): reaching it means something hangs.
const HANG_GUARD: Duration = Duration::from_secs(90);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Okta,
    Graph,
    Scim,
    Sp,
}

impl Api {
    const ALL: [Api; 4] = [Api::Okta, Api::Graph, Api::Scim, Api::Sp];

    fn name(self) -> &'static str {
        match self {
            Api::Okta => "Okta",
            Api::Graph => "Graph",
            Api::Scim => "SCIM",
            Api::Sp => "SP admin",
        }
    }

    /// How `ApiError` names the API.
    fn label(self) -> &'static str {
        match self {
            Api::Okta => "Okta API",
            Api::Graph => "Microsoft Graph",
            Api::Scim => "SCIM endpoint",
            Api::Sp => "SP admin API",
        }
    }

    /// The URL of this API for `t` (its limit key in the HTTP layer).
    fn base(self, t: &Tenant) -> Url {
        match self {
            Api::Okta => t.okta.as_ref().expect("okta").url.clone(),
            Api::Graph => t.azure.as_ref().expect("azure").graph_url.clone(),
            Api::Scim => t.scim.as_ref().expect("scim").url.clone(),
            Api::Sp => t.sp.url.clone(),
        }
    }

    /// The path every call of this API for `t` starts with.
    fn path_prefix(self, t: &Tenant) -> String {
        match self {
            Api::Sp => format!("{}/api/v1/orgs/{}", t.sp.url.path(), t.sp.org),
            _ => self.base(t).path().trim_end_matches('/').to_string(),
        }
    }

    /// Points this API of `t` at `dead` (a bound port nobody listens on), path kept.
    fn break_url(self, t: &mut Tenant, dead: u16) {
        let mut url = self.base(t);
        url.set_port(Some(dead)).expect("port");
        match self {
            Api::Okta => t.okta.as_mut().expect("okta").url = url,
            Api::Graph => t.azure.as_mut().expect("azure").graph_url = url,
            Api::Scim => t.scim.as_mut().expect("scim").url = url,
            Api::Sp => t.sp.url = url,
        }
    }

    /// The checks that read nothing but this API (and the SP's, which is always there).
    fn checks(self) -> &'static [&'static str] {
        match self {
            Api::Okta => &["okta.provisioning", "okta.push_groups", "okta.app_users"],
            Api::Graph => &["azure.sync_lag", "azure.job_state"],
            Api::Scim => &["scim.endpoint"],
            Api::Sp => &[
                "sp.pending_users",
                "sp.deactivated_jit",
                "sp.default_team",
                "sp.duplicates",
                "sp.single_org",
                "sp.workspace_name",
                "sp.sso_setup",
                "sp.last_sync",
                "sp.salesforce_sync",
                "sp.login_methods",
                "cross.missing_users",
            ],
        }
    }

    /// The provider's error code for a status the demo injects (none for SCIM: the demo's
    /// SCIM errors carry no `scimType`, and an HTML page has no code at all).
    fn code(self, status: u16) -> Option<&'static str> {
        let codes: [&str; 5] = match self {
            Api::Okta => ["E0000011", "E0000006", "E0000007", "E0000047", "E0000009"],
            Api::Graph => [
                "InvalidAuthenticationToken",
                "Authorization_RequestDenied",
                "Request_ResourceNotFound",
                "TooManyRequests",
                "generalException",
            ],
            Api::Sp => [
                "unauthorized",
                "forbidden",
                "not_found",
                "rate_limited",
                "internal",
            ],
            Api::Scim => return None,
        };
        match status {
            401 => Some(codes[0]),
            403 => Some(codes[1]),
            404 => Some(codes[2]),
            429 => Some(codes[3]),
            500 => Some(codes[4]),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Refused,
    Hang,
    SlowDrip,
    S401,
    S403,
    S404,
    RetryAfter,
    RateReset,
    S500,
    Html502,
    Malformed,
    Truncated,
    WrongTypes,
    Huge,
}

impl F {
    const ALL: [F; 14] = [
        F::Refused,
        F::Hang,
        F::SlowDrip,
        F::S401,
        F::S403,
        F::S404,
        F::RetryAfter,
        F::RateReset,
        F::S500,
        F::Html502,
        F::Malformed,
        F::Truncated,
        F::WrongTypes,
        F::Huge,
    ];

    fn name(self) -> &'static str {
        match self {
            F::Refused => "connection refused",
            F::Hang => "no answer",
            F::SlowDrip => "slow drip",
            F::S401 => "401",
            F::S403 => "403",
            F::S404 => "404",
            F::RetryAfter => "429 Retry-After",
            F::RateReset => "429 X-Rate-Limit-Reset",
            F::S500 => "500",
            F::Html502 => "502 HTML",
            F::Malformed => "malformed JSON",
            F::Truncated => "truncated JSON",
            F::WrongTypes => "wrong types",
            F::Huge => "50 MB body",
        }
    }

    fn short(self) -> &'static str {
        match self {
            F::Refused => "refu",
            F::Hang => "hang",
            F::SlowDrip => "drip",
            F::S401 => "401",
            F::S403 => "403",
            F::S404 => "404",
            F::RetryAfter => "429RA",
            F::RateReset => "429RS",
            F::S500 => "500",
            F::Html502 => "502H",
            F::Malformed => "malf",
            F::Truncated => "trunc",
            F::WrongTypes => "types",
            F::Huge => "50MB",
        }
    }

    /// The demo fault (none for a refused connection, which is a dead port instead).
    fn fault(self) -> Option<Fault> {
        Some(match self {
            F::Refused => return None,
            F::Hang => Fault::Hang,
            // 16 bytes every 300 ms: no answer of the demo's is done within the 1.5 s limit.
            F::SlowDrip => Fault::SlowDrip {
                chunk_delay_ms: 300,
            },
            F::S401 => Fault::Status { status: 401 },
            F::S403 => Fault::Status { status: 403 },
            F::S404 => Fault::Status { status: 404 },
            F::RetryAfter => Fault::RateLimited {
                retry_after_secs: Some(1),
                retry_after_date: false,
                reset_in_secs: None,
            },
            F::RateReset => Fault::RateLimited {
                retry_after_secs: None,
                retry_after_date: false,
                reset_in_secs: Some(1),
            },
            F::S500 => Fault::Status { status: 500 },
            F::Html502 => Fault::Html { status: 502 },
            F::Malformed => Fault::Malformed,
            F::Truncated => Fault::Truncated,
            F::WrongTypes => Fault::WrongTypes,
            F::Huge => Fault::Huge {
                bytes: 50 * 1024 * 1024,
            },
        })
    }

    fn then_success(self) -> bool {
        matches!(self, F::RetryAfter | F::RateReset)
    }

    /// The HTTP status the fault answers with.
    fn status(self) -> Option<u16> {
        match self {
            F::S401 => Some(401),
            F::S403 => Some(403),
            F::S404 => Some(404),
            F::RetryAfter | F::RateReset => Some(429),
            F::S500 => Some(500),
            F::Html502 => Some(502),
            F::Malformed | F::Huge => Some(200),
            _ => None,
        }
    }

    /// How the error must name the status: the fault's own, or for a fault that mangles the
    /// real answer's body, that answer's success status (200, or 201 for a create).
    fn status_part(self) -> Option<String> {
        match self {
            F::Truncated | F::WrongTypes | F::SlowDrip => Some("HTTP 20".into()),
            _ => self.status().map(|s| format!("HTTP {s}")),
        }
    }

    /// What the error must say happened.
    fn words(self) -> Option<&'static str> {
        match self {
            F::Refused => Some("could not connect"),
            F::Hang | F::SlowDrip => Some("timed out"),
            F::Huge => Some("too large"),
            F::Malformed | F::Truncated | F::WrongTypes => Some("unexpected answer"),
            F::Html502 => Some("HTML page"),
            F::RetryAfter | F::RateReset => Some("rate limited until"),
            _ => None,
        }
    }
}

/// One cell's verdict.
#[derive(Debug, Clone)]
struct Cell {
    row: String,
    fault: F,
    pass: bool,
    seen: String,
}

/// A port that refuses connections: bound (so no other server of this test gets it) but
/// not listening.
fn dead_port() -> (tokio::net::TcpSocket, u16) {
    let s = tokio::net::TcpSocket::new_v4().expect("socket");
    s.bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let port = s.local_addr().expect("addr").port();
    (s, port)
}

fn text_of(f: &Finding) -> String {
    format!("{} {} {}", f.title, f.detail, f.evidence.join(" "))
}

/// The parts an error message must name, and which are missing from `text`.
fn missing_parts(text: &str, parts: &[String]) -> Vec<String> {
    parts
        .iter()
        .filter(|p| !text.contains(p.as_str()))
        .cloned()
        .collect()
}

fn parts(api: Api, fault: F, tenant: &str, endpoint: &str) -> Vec<String> {
    let mut p = vec![
        format!("tenant {tenant}"),
        api.label().to_string(),
        endpoint.to_string(),
    ];
    if let Some(s) = fault.status_part() {
        p.push(s);
    }
    if let Some(c) = fault.status().and_then(|s| api.code(s)) {
        p.push(c.to_string());
    }
    if let Some(w) = fault.words() {
        p.push(w.to_string());
    }
    p
}

// ------------------------------------------------------------------------------ diagnose

async fn diagnose_cell(api: Api, fault: F, baseline: &[Finding]) -> Cell {
    let d = demo().await;
    let mut tenant = d.tenant("hooli").expect("hooli");
    let endpoint = api.path_prefix(&tenant);
    let _dead = match fault.fault() {
        None => {
            let (sock, port) = dead_port();
            api.break_url(&mut tenant, port);
            Some(sock)
        }
        Some(f) => {
            let mut rule = FaultRule::new(None, format!("{endpoint}*"), f);
            if fault.then_success() {
                rule = rule.times(2);
            }
            d.set_fault(rule);
            None
        }
    };
    let http = http();
    let clients = TenantClients::new(&http, &tenant);
    let found = match tokio::time::timeout(HANG_GUARD, diagnose(&clients)).await {
        Ok(diag) => diag.report.findings,
        Err(_) => return cell(api.name(), fault, false, "HANG: no result".into()),
    };
    let (pass, seen) = if fault.then_success() {
        judge_then_success(api, &tenant, &http, baseline, &found)
    } else {
        judge_failure(api, fault, &endpoint, baseline, &found)
    };
    drop(d);
    cell(api.name(), fault, pass, seen)
}

fn cell(row: &str, fault: F, pass: bool, seen: String) -> Cell {
    Cell {
        row: row.to_string(),
        fault,
        pass,
        seen,
    }
}

fn judge_then_success(
    api: Api,
    tenant: &Tenant,
    http: &HttpClient,
    baseline: &[Finding],
    found: &[Finding],
) -> (bool, String) {
    for (b, f) in baseline.iter().zip(found) {
        if (b.status, &b.title) != (f.status, &f.title) {
            return (
                false,
                format!(
                    "{} differs: [{}] {} (without the fault [{}] {})",
                    f.check, f.status, f.title, b.status, b.title
                ),
            );
        }
    }
    let key = api.base(tenant).as_str().trim_end_matches('/').to_string();
    let seen = http.rate_limits().get(&key).map_or(0, |i| i.throttled);
    if seen == 0 {
        return (false, "the 429 never reached the client".into());
    }
    (
        true,
        format!("{seen} x 429 waited out; all 17 checks as without the fault"),
    )
}

fn judge_failure(
    api: Api,
    fault: F,
    endpoint: &str,
    baseline: &[Finding],
    found: &[Finding],
) -> (bool, String) {
    let want = parts(api, fault, "hooli", endpoint);
    let mut seen = String::new();
    for (b, f) in baseline.iter().zip(found) {
        let affected = api.checks().contains(&f.check.as_str());
        let bad = matches!(f.status, Status::Unavailable | Status::Error);
        if affected {
            if !bad {
                return (
                    false,
                    format!("{} is [{}] {}", f.check, f.status, clip(&f.title, 90)),
                );
            }
            let missing = missing_parts(&text_of(f), &want);
            if !missing.is_empty() {
                return (
                    false,
                    format!("{} lacks {missing:?}: {}", f.check, clip(&text_of(f), 200)),
                );
            }
            if seen.is_empty() {
                seen = format!("{}: {}", f.check, f.detail.lines().next().unwrap_or(""));
            }
        } else if f.check == "cross.missing_users" && f.status != b.status {
            // It reads every IdP: an unread one makes it unavailable, naming the call.
            let missing = missing_parts(&text_of(f), &want);
            if !bad || !missing.is_empty() {
                return (
                    false,
                    format!(
                        "cross.missing_users [{}] lacks {missing:?}: {}",
                        f.status,
                        clip(&text_of(f), 200)
                    ),
                );
            }
        } else if f.status != b.status {
            return (
                false,
                format!(
                    "{} (not reading {}) changed: [{}] {}",
                    f.check,
                    api.name(),
                    f.status,
                    clip(&f.title, 90)
                ),
            );
        }
    }
    (true, seen)
}

// ------------------------------------------------------------------------------ fixes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixCase {
    Reactivate,
    PushGroup,
    StartJob,
}

impl FixCase {
    const ALL: [FixCase; 3] = [FixCase::Reactivate, FixCase::PushGroup, FixCase::StartJob];

    fn kind(self) -> FixKind {
        match self {
            FixCase::Reactivate => FixKind::SpReactivate,
            FixCase::PushGroup => FixKind::OktaPushGroup,
            FixCase::StartJob => FixKind::AzureStartJob,
        }
    }

    fn api(self) -> Api {
        match self {
            FixCase::Reactivate => Api::Sp,
            FixCase::PushGroup => Api::Okta,
            FixCase::StartJob => Api::Graph,
        }
    }

    /// The demo tenant whose findings offer this fix.
    fn tenant(self) -> &'static str {
        match self {
            FixCase::StartJob => "umbrella",
            _ => "acme",
        }
    }

    /// Graph answers `start` with 204 No Content: a fault that only changes the body of the
    /// real answer (cut it, swap its types, send it slowly) has nothing to act on, and the
    /// job did start. Those cells expect a success with one write.
    fn body_only_fault_is_moot(self, fault: F) -> bool {
        self == FixCase::StartJob && matches!(fault, F::Truncated | F::WrongTypes | F::SlowDrip)
    }
}

/// The fix the tenant's findings offer, narrowed to one target.
async fn offered(c: &TenantClients, case: FixCase) -> Fix {
    let d = diagnose(c).await;
    let mut fix = d
        .report
        .findings
        .iter()
        .find_map(|f| f.fix.clone().filter(|x| x.kind == case.kind()))
        .unwrap_or_else(|| panic!("{} offers no {}", c.tenant, case.kind()));
    match case {
        FixCase::Reactivate => fix.target.users.truncate(1),
        // The group with no mapping yet: one POST.
        FixCase::PushGroup => fix.target.groups.retain(|g| g.mapping_id.is_none()),
        FixCase::StartJob => {}
    }
    fix
}

async fn fix_cell(case: FixCase, fault: F) -> Cell {
    let row = format!("fix {}", case.kind());
    let d = demo().await;
    let http = http();
    let mut tenant = d.tenant(case.tenant()).expect("tenant");
    let fix = offered(&TenantClients::new(&http, &tenant), case).await;
    let _dead = if fault.fault().is_none() {
        let (sock, port) = dead_port();
        case.api().break_url(&mut tenant, port);
        Some(sock)
    } else {
        None
    };
    let clients = TenantClients::new(&http, &tenant);
    let plan = build_plan(&clients, &fix).await.expect("plan");
    if plan.steps.len() != 1 {
        return cell(
            &row,
            fault,
            false,
            format!("{} steps planned", plan.steps.len()),
        );
    }
    let call = &plan.steps[0].call;
    let path = Url::parse(&call.url).expect("url").path().to_string();
    if let Some(f) = fault.fault() {
        let mut rule = FaultRule::new(Some(&call.method), path.clone(), f);
        if fault.then_success() {
            // A resend would succeed, and be counted.
            rule = rule.times(1);
        }
        d.set_fault(rule);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = AuditLog::new(dir.path().join("audit.jsonl"));
    let exec = Executor::new(log.clone(), false);
    let out = match tokio::time::timeout(HANG_GUARD, exec.run(&clients, &plan, false)).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return cell(&row, fault, false, format!("refused: {e}")),
        Err(_) => return cell(&row, fault, false, "HANG: no outcome".into()),
    };
    let moot = case.body_only_fault_is_moot(fault);
    let (pass, seen) = judge_fix(case, fault, moot, &d, &log, &out, &call.method, &path);
    cell(&row, fault, pass, seen)
}

#[allow(clippy::too_many_arguments)]
fn judge_fix(
    case: FixCase,
    fault: F,
    moot: bool,
    d: &DemoHandle,
    log: &AuditLog,
    out: &ssodesk::fixes::Outcome,
    method: &str,
    path: &str,
) -> (bool, String) {
    let sent = d.request_count(method, path);
    let want_sent = if fault == F::Refused { 0 } else { 1 };
    if sent != want_sent {
        return (false, format!("the write reached the demo {sent} times"));
    }
    let (entries, bad) = log.read().expect("audit log");
    let mine: Vec<_> = entries.iter().filter(|e| e.run == out.run).collect();
    let start = mine.iter().any(|e| e.event == Event::Start);
    let end = mine.iter().find(|e| e.event == Event::End);
    let Some(end) = end.filter(|_| start && bad.is_empty()) else {
        return (false, format!("audit lines: {mine:?}"));
    };
    if moot {
        let ok = out.succeeded && end.outcome == Some(AuditOutcome::Succeeded);
        return (
            ok,
            format!("204 No Content, no body to fault: {}", out.message),
        );
    }
    if out.succeeded || end.outcome != Some(AuditOutcome::Failed) {
        return (
            false,
            format!("not a recorded failure: {:?} {}", end.outcome, out.message),
        );
    }
    let tenant = case.tenant();
    let want = parts(case.api(), fault, tenant, path);
    let message = end.message.as_deref().unwrap_or("");
    let missing = missing_parts(message, &want);
    if !missing.is_empty() {
        return (false, format!("audit message lacks {missing:?}: {message}"));
    }
    (true, message.to_string())
}

// ------------------------------------------------------------------------------ the matrix

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_matrix() {
    let baseline = {
        let d = demo().await;
        let http = http();
        let c = TenantClients::new(&http, &d.tenant("hooli").expect("hooli"));
        diagnose(&c).await.report.findings
    };
    assert!(
        baseline.iter().all(|f| f.status == Status::Ok),
        "hooli is all green without faults: {baseline:#?}"
    );

    let mut jobs: Vec<futures::future::BoxFuture<'_, Cell>> = Vec::new();
    for api in Api::ALL {
        for fault in F::ALL {
            jobs.push(Box::pin(diagnose_cell(api, fault, &baseline)));
        }
    }
    for case in FixCase::ALL {
        for fault in F::ALL {
            jobs.push(Box::pin(fix_cell(case, fault)));
        }
    }
    let mut cells: Vec<Cell> = futures::stream::iter(jobs)
        .buffer_unordered(16)
        .collect()
        .await;
    let rows: Vec<String> = Api::ALL
        .iter()
        .map(|a| a.name().to_string())
        .chain(FixCase::ALL.iter().map(|c| format!("fix {}", c.kind())))
        .collect();
    cells.sort_by_key(|c| {
        (
            rows.iter().position(|r| *r == c.row),
            F::ALL.iter().position(|f| *f == c.fault),
        )
    });

    let mut out = String::from("\nFault matrix (PASS/FAIL per API and fault)\n\n");
    let _ = write!(out, "{:<26}", "");
    for f in F::ALL {
        let _ = write!(out, "{:<6}", f.short());
    }
    out.push('\n');
    for row in &rows {
        let _ = write!(out, "{row:<26}");
        for f in F::ALL {
            let mark = cells
                .iter()
                .find(|c| &c.row == row && c.fault == f)
                .map_or("?", |c| if c.pass { "ok" } else { "FAIL" });
            let _ = write!(out, "{mark:<6}");
        }
        out.push('\n');
    }
    out.push('\n');
    for c in &cells {
        let _ = writeln!(
            out,
            "{:<26} {:<24} {:<4} {}",
            c.row,
            c.fault.name(),
            if c.pass { "PASS" } else { "FAIL" },
            clip(&c.seen, 160)
        );
    }
    let passed = cells.iter().filter(|c| c.pass).count();
    let _ = writeln!(out, "\n{passed} of {} cells passed\n", cells.len());
    say(&out);
    assert_eq!(
        passed,
        cells.len(),
        "failed cells:\n{}",
        cells
            .iter()
            .filter(|c| !c.pass)
            .map(|c| format!("{} / {}: {}", c.row, c.fault.name(), c.seen))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
