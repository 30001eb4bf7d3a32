//! The diagnostics view and the fix flow, headless. Screens come from hand-made reports with
//! a fixed `checked_at` and a frozen clock, so snapshots are stable; the fix flow runs against
//! the real in-process demo over loopback HTTP and counts what the demo received.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::style::{Color, Modifier};
use tokio::sync::mpsc::UnboundedReceiver;

use super::action::Action;
use super::app::{App, View};
use super::components::diagnostics::{Focus, NoteLevel};
use super::engine::Engine;
use super::tests::{
    app_with, draw, find, options, osc52_copied, press, row_text, screen_text, type_text,
};
use super::theme::Theme;
use crate::audit::AuditLog;
use crate::checks::{Finding, FixKind, FixTarget, GroupRef, Status, TeamRef, UserRef};
use crate::demo::{DemoHandle, DemoOptions, DemoServer};
use crate::fixes::{Executor, Op, Plan, Step};
use crate::http::{HttpClient, HttpOptions, Provider, RateHeaders, RateLimitBoard};
use crate::kb::KnowledgeBase;
use crate::providers::PlannedCall;
use crate::report::TenantReport;
use crate::secret::Secret;
use crate::snapshot::TenantClients;
use crate::tenant::{SpTenant, Tenant};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

const CHECKED: &str = "2026-11-29T10:00:00Z";

// ---------------------------------------------------------------- hand-made tenants

/// A tenant whose URLs lead nowhere: these tests never start the background.
fn tenant(name: &str, production: bool, accent: Option<&str>) -> Tenant {
    let url = reqwest::Url::parse("http://127.0.0.1:9/sp").expect("url");
    let mut t = Tenant::new(
        name,
        SpTenant {
            url,
            org: name.to_string(),
            token: Secret::new("t0ken-never-shown".to_string()),
        },
    )
    .production(production);
    t.accent = accent.map(String::from);
    t
}

fn hand_engine(read_only: bool, audit: PathBuf) -> Engine {
    let http = HttpClient::new(HttpOptions::for_tests()).expect("http client");
    let tenants = vec![
        tenant("acme", true, Some("magenta")),
        tenant("globex", false, None),
        tenant("hooli", false, Some("green")),
    ];
    let clients = tenants
        .iter()
        .map(|t| TenantClients::new(&http, t))
        .collect();
    Engine {
        tenants,
        clients,
        executor: Ok(Executor::new(AuditLog::new(&audit), read_only)),
        read_only,
        rate_limits: Some(http.rate_limits()),
        audit_path: Some(audit),
        ..Engine::none()
    }
}

fn user(id: &str, email: &str) -> UserRef {
    UserRef {
        id: id.into(),
        email: email.into(),
    }
}

fn reactivate_target() -> FixTarget {
    FixTarget {
        users: vec![
            user("usr_05", "erin@acme.example"),
            user("usr_06", "frank@acme.example"),
        ],
        team: Some(TeamRef {
            id: "team_all".into(),
            name: "All Spekit Users".into(),
        }),
        ..FixTarget::default()
    }
}

fn acme_report() -> TenantReport {
    TenantReport {
        tenant: "acme".into(),
        checked_at: at(CHECKED),
        findings: vec![
            Finding::new(
                "sp.duplicates",
                Status::Ok,
                "No duplicate accounts",
                "no-duplicate-accounts",
            ),
            Finding::new(
                "sp.deactivated_jit",
                Status::Info,
                "2 JIT-provisioned users are deactivated",
                "reactivate-jit-users",
            )
            .detail("A deactivated JIT user comes back by joining any team.")
            .evidence(vec![
                "erin@acme.example".into(),
                "frank@acme.example".into(),
            ])
            .fix(FixKind::SpReactivate, reactivate_target()),
            Finding::new(
                "okta.push_groups",
                Status::Error,
                "1 push mapping in ERROR; 1 group assigned to the app but not pushed",
                "okta-group-push-errors",
            )
            .detail("Spekit teams come from groups Okta pushes.")
            .evidence(vec![
                "Engineering: ERROR: 409 from the remote server".into(),
                "Sales: assigned, no push mapping".into(),
            ])
            .fix(
                FixKind::OktaPushGroup,
                FixTarget {
                    groups: vec![GroupRef {
                        id: "00g1".into(),
                        name: "Sales".into(),
                        mapping_id: None,
                        mapping_status: None,
                    }],
                    ..FixTarget::default()
                },
            ),
            Finding::new(
                "sp.pending_users",
                Status::Warning,
                "1 user pending for more than 7 days",
                "users-pending-first-login",
            )
            .evidence(vec!["carol@acme.example (pending 12 days)".into()]),
            Finding::new(
                "azure.job_state",
                Status::Skipped,
                "Entra ID is not configured",
                "azure-job-quarantine",
            ),
            Finding::new(
                "scim.endpoint",
                Status::Skipped,
                "SCIM is not configured",
                "scim-token-rejected",
            ),
        ],
    }
}

fn clean_report(name: &str) -> TenantReport {
    TenantReport {
        tenant: name.into(),
        checked_at: at(CHECKED),
        findings: vec![
            Finding::new(
                "sp.duplicates",
                Status::Ok,
                "No duplicate accounts",
                "no-duplicate-accounts",
            ),
            Finding::new(
                "sp.last_sync",
                Status::Ok,
                "Last sync fine",
                "manual-sync-sso-connection",
            ),
        ],
    }
}

fn load(app: &mut App, tenant: usize, seq: u64, report: TenantReport) {
    app.update(Action::DiagLoaded {
        tenant,
        seq,
        report: Box::new(report),
        recheck: None,
    });
}

/// The app on the diagnostics view with acme and globex checked, hooli not yet.
fn hand_app(read_only: bool) -> (App, UnboundedReceiver<Action>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = options();
    opts.engine = hand_engine(read_only, dir.path().join("audit.jsonl"));
    let (mut app, rx) = app_with(KnowledgeBase::embedded(), opts);
    app.freeze_clock(at("2026-11-29T10:00:42Z"));
    load(&mut app, 0, 1, acme_report());
    load(&mut app, 1, 2, clean_report("globex"));
    press(&mut app, &["ctrl-t"]);
    (app, rx, dir)
}

fn call(method: &str, url: &str, body: Option<serde_json::Value>) -> PlannedCall {
    PlannedCall {
        tenant: "acme".into(),
        provider: Provider::Sp,
        method: method.into(),
        url: url.into(),
        auth: "Bearer ***".into(),
        body,
    }
}

/// The reactivate plan as `build_plan` makes it, with fixed URLs.
fn reactivate_plan() -> Plan {
    let target = reactivate_target();
    let steps = target
        .users
        .iter()
        .map(|u| Step {
            subject: u.email.clone(),
            op: Op::SpAddTeamMember {
                team_id: "team_all".into(),
                user_id: u.id.clone(),
            },
            call: call(
                "POST",
                "https://admin.spekit.example/api/v1/orgs/acme/teams/team_all/members",
                Some(serde_json::json!({ "user_id": u.id })),
            ),
        })
        .collect();
    Plan {
        tenant: "acme".into(),
        kind: FixKind::SpReactivate,
        summary: "reactivate 2 users by adding them to team All Spekit Users".into(),
        target,
        steps,
    }
}

fn open_confirm(app: &mut App) {
    let before = acme_report()
        .findings
        .into_iter()
        .find(|f| f.check == "sp.deactivated_jit")
        .expect("finding");
    app.update(Action::PlanReady {
        tenant: 0,
        before: Box::new(before),
        plan: Ok(Box::new(reactivate_plan())),
    });
}

// ---------------------------------------------------------------- the view

#[test]
fn snapshot_diagnostics() {
    let (mut app, _rx, _dir) = hand_app(false);
    let term = draw(&mut app, 120, 32);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn snapshot_diagnostics_narrow() {
    let (mut app, _rx, _dir) = hand_app(false);
    press(&mut app, &["tab", "j"]);
    let term = draw(&mut app, 70, 24);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn findings_are_worst_first_with_ok_and_skipped_compact_after_them() {
    let (mut app, _rx, _dir) = hand_app(false);
    let checks: Vec<&str> = app
        .diagnostics()
        .items()
        .iter()
        .map(|f| f.check.as_str())
        .collect();
    assert_eq!(
        checks,
        ["okta.push_groups", "sp.pending_users", "sp.deactivated_jit"]
    );
    let term = draw(&mut app, 120, 32);
    let buf = term.backend().buffer();
    let text = screen_text(buf);
    let (_, err_y) = find(buf, "1 push mapping in ERROR").expect("error row");
    let (_, info_y) = find(buf, "2 JIT-provisioned").expect("info row");
    let (_, ok_y) = find(buf, "sp.duplicates").expect("compact ok row");
    let (_, skip_y) = find(buf, "azure.job_state, scim.endpoint").expect("compact skipped row");
    assert!(err_y < info_y && info_y < ok_y && ok_y < skip_y, "{text}");
    assert!(text.contains("checked 40 s ago"), "{text}");
    assert!(text.contains("1 error · 1 warning · 1 info"), "{text}");
}

#[test]
fn badges_take_the_status_slots_and_the_production_tag_the_tenant_colour() {
    let (mut app, _rx, _dir) = hand_app(false);
    let theme = app.theme().clone();
    let term = draw(&mut app, 120, 32);
    let buf = term.backend().buffer();
    let (x, y) = find(buf, "ERROR   acme").expect("acme badge");
    assert_eq!(buf[(x, y)].fg, theme.error.fg.expect("error colour"));
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = find(buf, "OK      globex").expect("globex badge");
    assert_eq!(buf[(x, y)].fg, theme.ok.fg.expect("ok colour"));
    let (x, _) = find(buf, "…       hooli").expect("hooli not checked yet");
    assert_ne!(x, 0);
    let (x, y) = find(buf, "PROD").expect("production tag");
    assert_eq!(buf[(x, y)].fg, Color::Magenta, "the tenant's accent");
    let (x, y) = find(buf, "WARNING 1 user pending").expect("warning row");
    assert_eq!(buf[(x, y)].fg, theme.warn.fg.expect("warn colour"));
    let (x, y) = find(buf, "INFO    2 JIT").expect("info row");
    assert_eq!(buf[(x, y)].fg, theme.info.fg.expect("info colour"));
}

#[test]
fn without_colour_the_badges_still_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = options();
    opts.no_color = true;
    opts.theme = Theme::monochrome();
    opts.engine = hand_engine(false, dir.path().join("audit.jsonl"));
    let (mut app, _rx) = app_with(KnowledgeBase::embedded(), opts);
    load(&mut app, 0, 1, acme_report());
    load(&mut app, 1, 2, clean_report("globex"));
    press(&mut app, &["ctrl-t"]);
    let term = draw(&mut app, 120, 32);
    let buf = term.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, Color::Reset, "{cell:?}");
    }
    let text = screen_text(buf);
    for word in [
        "ERROR   acme PROD",
        "OK      globex",
        "WARNING",
        "INFO",
        "SKIPPED",
    ] {
        assert!(text.contains(word), "{word}:\n{text}");
    }
}

#[test]
fn moving_between_tenants_and_findings() {
    let (mut app, _rx, _dir) = hand_app(false);
    assert_eq!(app.diagnostics().focus(), Focus::Tenants);
    press(&mut app, &["j"]);
    assert_eq!(app.diagnostics().selected_tenant(), Some(1));
    assert!(app.diagnostics().items().is_empty(), "globex is clean");
    let term = draw(&mut app, 120, 32);
    assert!(screen_text(term.backend().buffer()).contains("No problems found by 2 checks"));
    press(&mut app, &["k", "enter"]);
    assert_eq!(app.diagnostics().focus(), Focus::Findings);
    press(&mut app, &["j", "j"]);
    assert_eq!(
        app.diagnostics()
            .selected_finding()
            .map(|f| f.check.as_str()),
        Some("sp.deactivated_jit")
    );
    // Esc walks back: findings to tenants, then to search.
    press(&mut app, &["esc"]);
    assert_eq!(app.diagnostics().focus(), Focus::Tenants);
    press(&mut app, &["esc"]);
    assert_eq!(app.view(), View::Search);
}

#[test]
fn enter_on_a_finding_opens_its_answer_and_esc_comes_back() {
    let (mut app, _rx, _dir) = hand_app(false);
    press(&mut app, &["tab", "enter"]);
    assert_eq!(app.view(), View::Answer);
    let article = app.answer().article().expect("an article");
    assert_eq!(app.kb().articles[article].id, "okta-group-push-errors");
    let term = draw(&mut app, 120, 32);
    // The tab bar keeps Diagnostics active under the answer.
    let header = row_text(term.backend().buffer(), 0);
    assert!(header.contains("Diagnostics"), "{header}");
    press(&mut app, &["esc"]);
    assert_eq!(app.view(), View::Diagnostics);
}

#[test]
fn tenant_command_matches_loosely() {
    let (mut app, _rx, _dir) = hand_app(false);
    press(&mut app, &["/"]);
    assert_eq!(app.view(), View::Search);
    press(&mut app, &[":"]);
    type_text(&mut app, "tenant glbx");
    press(&mut app, &["enter"]);
    assert_eq!(app.view(), View::Diagnostics);
    assert_eq!(app.diagnostics().selected_tenant(), Some(1));
    app.update(Action::SwitchTenant("HOOLI".into()));
    assert_eq!(app.diagnostics().selected_tenant(), Some(2));
    app.update(Action::SwitchTenant("zzz".into()));
    let toast = app.toasts().latest().expect("toast");
    assert!(
        toast.text.contains("No tenant matches \"zzz\""),
        "{}",
        toast.text
    );
    assert_eq!(app.diagnostics().selected_tenant(), Some(2));
}

#[test]
fn an_older_result_never_replaces_a_newer_one() {
    let (mut app, _rx, _dir) = hand_app(false);
    let mut newer = clean_report("acme");
    newer.checked_at = at("2026-11-29T10:00:30Z");
    load(&mut app, 0, 5, newer.clone());
    load(&mut app, 0, 4, acme_report());
    assert_eq!(
        app.diagnostics().row(0).and_then(|r| r.report.as_ref()),
        Some(&newer)
    );
}

#[test]
fn y_in_diagnostics_copies_the_ticket_note() {
    let (mut app, _rx, _dir) = hand_app(false);
    press(&mut app, &["Y"]);
    let note = osc52_copied(&mut app);
    assert_eq!(note, crate::report::ticket_note(&acme_report(), app.kb()));
    assert!(note.contains("### Error: 1 push mapping in ERROR"));
    let toast = app.toasts().latest().expect("toast");
    assert!(
        toast.text.starts_with("Copied the ticket note for acme (")
            && toast.text.ends_with("via OSC 52"),
        "{}",
        toast.text
    );
    // A tenant not checked yet has no note.
    press(&mut app, &["j", "j", "Y"]);
    assert!(app.take_outbox().is_empty());
    assert!(
        app.toasts()
            .latest()
            .is_some_and(|t| t.text.contains("hooli has not been checked"))
    );
}

#[test]
fn idle_diagnostics_wake_only_for_what_is_due() {
    let (mut app, _rx, _dir) = hand_app(false);
    draw(&mut app, 120, 32);
    let _ = app.take_dirty();
    // The next wake-up is a refresh (60 s) or the age wording: never right away.
    let wake = app.next_wakeup().expect("something is scheduled");
    let now = std::time::Instant::now();
    assert!(wake > now, "no busy loop");
    app.on_tick(now);
    assert!(
        !app.take_dirty(),
        "a tick before anything is due draws nothing"
    );
    // On the search view nothing is scheduled at all.
    press(&mut app, &["/"]);
    draw(&mut app, 120, 32);
    assert_eq!(app.next_wakeup(), None);
}

#[test]
fn unfinished_fixes_are_reported_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit.jsonl");
    let log = AuditLog::new(&audit);
    log.append(&crate::audit::Entry {
        time: at("2026-11-28T09:15:00Z"),
        event: crate::audit::Event::Start,
        run: "r1".into(),
        user: "agent".into(),
        tenant: "acme".into(),
        kind: "sp.reactivate".into(),
        target: reactivate_target(),
        requests: vec!["POST https://x/members".into()],
        outcome: None,
        http_status: None,
        request_id: None,
        message: None,
    })
    .expect("append");
    let mut opts = options();
    let mut engine = hand_engine(false, audit);
    // No background fetches: only the audit log is read at start.
    engine.clients.clear();
    opts.engine = engine;
    let (mut app, _rx) = app_with(KnowledgeBase::embedded(), opts);
    app.start();
    let toast = app.toasts().latest().expect("a warning at start");
    assert!(
        toast.text.contains("sp.reactivate on acme started")
            && toast.text.contains("never finished"),
        "{}",
        toast.text
    );
    press(&mut app, &["ctrl-t"]);
    let term = draw(&mut app, 120, 20);
    let text = screen_text(term.backend().buffer());
    assert!(text.contains("! sp.reactivate on acme started"), "{text}");
}

#[test]
fn a_waiting_rate_limit_shows_and_slows_auto_refresh() {
    let (mut app, _rx, _dir) = hand_app(false);
    // The engine's board is the one its HTTP client writes to; play a 429 on it.
    let board: RateLimitBoard = app_board(&app);
    let key = "http://127.0.0.1:9/okta/acme";
    board.record(
        key,
        &RateHeaders {
            limit: Some(10),
            remaining: Some(0),
            reset_in: Some(Duration::from_secs(30)),
            reset_epoch: None,
        },
        true,
        None,
    );
    board.reserve(key, Provider::Okta, "acme", Duration::from_secs(60), false);
    app.update(Action::RateLimitsChanged);
    let text = app.rate_limit_text().expect("a wait is shown");
    assert!(
        text.starts_with("waiting for Okta rate limit until "),
        "{text}"
    );
    let term = draw(&mut app, 120, 32);
    assert!(row_text(term.backend().buffer(), 31).contains("waiting for Okta rate limit"));
    // A refresh that falls due now is put off until after the wait, and nothing starts.
    let now = std::time::Instant::now();
    app.force_refresh_due(0, now);
    app.on_tick(now);
    assert_eq!(app.pending_tasks(), 0);
    let next = app
        .diagnostics()
        .row(0)
        .and_then(|r| r.next_refresh)
        .expect("rescheduled");
    assert!(
        next >= now + Duration::from_secs(29) + Duration::from_secs(60),
        "{next:?}"
    );
}

fn app_board(app: &App) -> RateLimitBoard {
    app.engine_rate_limits().expect("board")
}

// ---------------------------------------------------------------- the confirmation

#[test]
fn snapshot_fix_confirm() {
    let (mut app, _rx, _dir) = hand_app(false);
    press(&mut app, &["tab", "j", "j"]);
    open_confirm(&mut app);
    assert_eq!(app.popup(), Some("fix"));
    let term = draw(&mut app, 110, 34);
    let text = screen_text(term.backend().buffer());
    assert!(!text.contains("t0ken-never-shown"), "{text}");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn confirm_lets_the_agent_choose_and_wants_the_name_on_production() {
    let (mut app, _rx, _dir) = hand_app(false);
    open_confirm(&mut app);
    let popup = app.fix_popup().expect("popup");
    assert_eq!(popup.plan().steps.len(), 2);
    // Production: the name field has the keys; space types there, tab goes to the choices.
    press(&mut app, &["tab", "down"]);
    type_text(&mut app, " ");
    let popup = app.fix_popup().expect("popup");
    assert_eq!(popup.plan().steps.len(), 1, "frank left out");
    assert_eq!(popup.plan().target.users.len(), 1);
    assert_eq!(popup.plan().steps[0].subject, "erin@acme.example");
    type_text(&mut app, "q");
    assert!(!app.should_quit(), "q never acts behind the popup");
    press(&mut app, &["tab"]);
    type_text(&mut app, "acm");
    press(&mut app, &["enter"]);
    assert_eq!(app.popup(), Some("fix"), "the name is not complete");
    assert_eq!(app.pending_tasks(), 0);
    assert!(
        app.toasts()
            .latest()
            .is_some_and(|t| t.text.contains("production tenant: type its name"))
    );
    let term = draw(&mut app, 110, 34);
    let text = screen_text(term.backend().buffer());
    assert!(text.contains("Type acme to confirm › acm"), "{text}");
    assert!(text.contains("[ ] frank@acme.example"), "{text}");
    press(&mut app, &["esc"]);
    assert_eq!(app.popup(), None);
}

#[test]
fn read_only_shows_the_fix_and_why_it_is_refused() {
    let (mut app, _rx, _dir) = hand_app(true);
    open_confirm(&mut app);
    let term = draw(&mut app, 110, 34);
    let text = screen_text(term.backend().buffer());
    assert!(
        text.contains("POST https://admin.spekit.example/api/v1/orgs/acme/teams/team_all/"),
        "{text}"
    );
    assert!(text.contains("Refused: ssodesk runs read-only"), "{text}");
    assert!(
        text.contains("READ-ONLY"),
        "the header says so too:\n{text}"
    );
    press(&mut app, &["enter"]);
    assert_eq!(app.pending_tasks(), 0, "nothing started");
    assert!(
        app.toasts()
            .latest()
            .is_some_and(|t| t.text.starts_with("Not run: ssodesk runs read-only"))
    );
}

#[test]
fn confirm_and_view_fit_at_the_minimum_size() {
    for (w, h) in [(60, 15), (61, 16), (80, 20), (200, 60)] {
        let (mut app, _rx, _dir) = hand_app(false);
        press(&mut app, &["tab"]);
        draw(&mut app, w, h);
        open_confirm(&mut app);
        let term = draw(&mut app, w, h);
        let buf = term.backend().buffer();
        let text = screen_text(buf);
        assert!(text.contains("Fix sp.reactivate"), "{w}x{h}:\n{text}");
        // The box is whole: its bottom corners are on screen above the status line.
        assert!(
            (0..h - 1).any(|y| row_text(buf, y).contains('╯')),
            "{w}x{h}:\n{text}"
        );
    }
}

#[test]
fn hostile_finding_text_never_reaches_a_cell_as_control_characters() {
    let (mut app, _rx, _dir) = hand_app(false);
    let mut report = acme_report();
    for f in &mut report.findings {
        f.title = format!(
            "{} \u{1b}]52;c;cHduZWQ=\u{7} \u{9b}31m red \u{202e}",
            f.title
        );
        f.evidence.push("evil \u{1b}[2J 山田太郎👩‍🔬 \u{7}".into());
        f.detail.push_str(" \u{1b}]0;pwned\u{7}");
    }
    load(&mut app, 0, 9, report);
    press(&mut app, &["tab", "j"]);
    let mut screens = vec![draw(&mut app, 120, 32), draw(&mut app, 61, 16)];
    open_confirm(&mut app);
    screens.push(draw(&mut app, 90, 30));
    for term in &screens {
        for cell in term.backend().buffer().content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202e}'),
                "{cell:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- against the demo

struct Demo {
    app: App,
    rx: UnboundedReceiver<Action>,
    demo: DemoHandle,
    audit: PathBuf,
    _dir: tempfile::TempDir,
}

async fn demo_app(read_only: bool) -> Demo {
    let demo = DemoServer::start(DemoOptions::for_tests())
        .await
        .expect("demo starts");
    let http = HttpClient::new(HttpOptions::for_tests()).expect("http client");
    let tenants = demo.tenants();
    let clients = tenants
        .iter()
        .map(|t| TenantClients::new(&http, t))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit.jsonl");
    let mut opts = options();
    opts.engine = Engine {
        tenants,
        clients,
        executor: Ok(Executor::new(AuditLog::new(&audit), read_only)),
        read_only,
        rate_limits: Some(http.rate_limits()),
        audit_path: Some(audit.clone()),
        ..Engine::none()
    };
    let (mut app, rx) = app_with(KnowledgeBase::embedded(), opts);
    app.start();
    Demo {
        app,
        rx,
        demo,
        audit,
        _dir: dir,
    }
}

impl Demo {
    /// Applies results until no background task is pending. The timeout only keeps a broken
    /// build from hanging; nothing here depends on speed.
    async fn settle(&mut self) {
        while self.app.pending_tasks() > 0 {
            let action = tokio::time::timeout(Duration::from_secs(60), self.rx.recv())
                .await
                .expect("a background task reports")
                .expect("the channel is open");
            self.app.update(action);
        }
    }

    fn select(&mut self, tenant: &str, check: &str) {
        let i = self
            .app
            .diagnostics()
            .rows()
            .iter()
            .position(|r| r.info.name == tenant)
            .expect("tenant");
        self.app.select_for_test(i, check);
    }

    fn members_path(&self) -> String {
        let sp = self.demo.tenant("acme").expect("acme").sp.url;
        format!("{}/api/v1/orgs/acme/teams/team_acme_all/members", sp.path())
    }
}

#[tokio::test]
async fn all_tenants_are_checked_at_start_with_their_badges() {
    let mut d = demo_app(false).await;
    assert_eq!(
        d.app.pending_tasks(),
        5,
        "one check per tenant, all at once"
    );
    press(&mut d.app, &["ctrl-t"]);
    let term = draw(&mut d.app, 120, 30);
    assert!(screen_text(term.backend().buffer()).contains("checking"));
    d.settle().await;
    let worst: Vec<(String, Status)> = d
        .app
        .diagnostics()
        .rows()
        .iter()
        .map(|r| {
            (
                r.info.name.clone(),
                r.report
                    .as_ref()
                    .map(|x| x.worst())
                    .unwrap_or(Status::Skipped),
            )
        })
        .collect();
    assert_eq!(
        worst,
        [
            ("acme".to_string(), Status::Error),
            ("globex".to_string(), Status::Error),
            ("initech".to_string(), Status::Error),
            ("umbrella".to_string(), Status::Error),
            ("hooli".to_string(), Status::Ok),
        ]
    );
    // r checks the current tenant again.
    let before = d.demo.request_count_prefix("/sp/api/v1/orgs/acme");
    press(&mut d.app, &["r"]);
    assert_eq!(d.app.pending_tasks(), 1);
    press(&mut d.app, &["r"]);
    assert_eq!(d.app.pending_tasks(), 1, "one check at a time per tenant");
    d.settle().await;
    assert!(d.demo.request_count_prefix("/sp/api/v1/orgs/acme") > before);
}

#[tokio::test]
async fn a_fix_runs_once_however_often_it_is_asked_for_and_shows_before_and_after() {
    let mut d = demo_app(false).await;
    d.settle().await;
    press(&mut d.app, &["ctrl-t"]);
    d.select("acme", "sp.deactivated_jit");
    press(&mut d.app, &["f"]);
    press(&mut d.app, &["f"]);
    assert!(
        d.app
            .toasts()
            .latest()
            .is_some_and(|t| t.text.contains("Already preparing sp.reactivate")),
        "the second f while the plan is built"
    );
    d.settle().await;
    assert_eq!(d.app.popup(), Some("fix"));
    // Leave frank out, type the production tenant's name, confirm twice.
    press(&mut d.app, &["tab", "down"]);
    type_text(&mut d.app, " ");
    press(&mut d.app, &["tab"]);
    type_text(&mut d.app, "acme");
    d.demo.reset_counts();
    press(&mut d.app, &["enter"]);
    press(&mut d.app, &["enter"]);
    assert!(
        d.app
            .toasts()
            .latest()
            .is_some_and(|t| t.text == "sp.reactivate is already running on acme"),
        "{:?}",
        d.app.toasts().latest()
    );
    // Hide the popup; f on the finding says the same.
    press(&mut d.app, &["esc", "f"]);
    assert!(
        d.app
            .toasts()
            .latest()
            .is_some_and(|t| t.text == "sp.reactivate is already running on acme")
    );
    assert_eq!(d.app.popup(), None);
    let term = draw(&mut d.app, 120, 32);
    let text = screen_text(term.backend().buffer());
    assert!(text.contains("running sp.reactivate on acme"), "{text}");
    // Quitting would cut the fix off: the first q says so.
    press(&mut d.app, &["q"]);
    assert!(!d.app.should_quit());
    assert!(
        d.app
            .toasts()
            .latest()
            .is_some_and(|t| t.text.starts_with("1 fix is still running"))
    );
    d.settle().await;
    assert_eq!(d.demo.request_count("POST", &d.members_path()), 1);
    let note = d
        .app
        .diagnostics()
        .note("sp.deactivated_jit")
        .expect("before/after");
    assert_eq!(
        note.text,
        "fixed for the chosen users; still info (1 user remains)"
    );
    assert_eq!(note.level, NoteLevel::Improved);
    let term = draw(&mut d.app, 120, 32);
    let text = screen_text(term.backend().buffer());
    assert!(
        text.contains("↳ fixed for the chosen users; still info"),
        "{text}"
    );
    // The outcome toast, and the audit log has the pair.
    assert!(
        d.app
            .toasts()
            .latest()
            .is_some_and(|t| t.text.contains("sp.reactivate done")),
        "{:?}",
        d.app.toasts().latest()
    );
    let (entries, bad) = AuditLog::new(&d.audit).read().expect("audit");
    assert!(bad.is_empty());
    assert_eq!(entries.len(), 2, "{entries:?}");

    // Frank now: the popup stays up with the outcome and the re-check.
    d.select("acme", "sp.deactivated_jit");
    press(&mut d.app, &["f"]);
    d.settle().await;
    type_text(&mut d.app, "acme");
    press(&mut d.app, &["enter"]);
    d.settle().await;
    let popup = d.app.fix_popup().expect("the popup shows how it ended");
    assert!(popup.outcome().is_some_and(|o| o.succeeded));
    let term = draw(&mut d.app, 120, 34);
    let text = screen_text(term.backend().buffer());
    assert!(text.contains("Re-check: fixed: info → ok"), "{text}");
    press(&mut d.app, &["enter"]);
    assert_eq!(
        d.app.popup(),
        None,
        "enter closes it, and does nothing else"
    );
    assert_eq!(d.app.view(), View::Diagnostics);
    assert_eq!(d.demo.request_count("POST", &d.members_path()), 2);
    assert_eq!(
        d.app
            .diagnostics()
            .note("sp.deactivated_jit")
            .map(|n| n.text.as_str()),
        Some("fixed: info → ok")
    );
    // The fixed finding stays listed with its note until the next refresh.
    assert_eq!(
        d.app
            .diagnostics()
            .selected_finding()
            .map(|f| f.check.as_str()),
        Some("sp.deactivated_jit")
    );
    press(&mut d.app, &["r"]);
    d.settle().await;
    assert!(d.app.diagnostics().note("sp.deactivated_jit").is_none());
    assert!(
        !d.app
            .diagnostics()
            .items()
            .iter()
            .any(|f| f.check == "sp.deactivated_jit"),
        "ok again: back among the compact rows"
    );
}

#[tokio::test]
async fn a_read_only_session_sends_nothing() {
    let mut d = demo_app(true).await;
    d.settle().await;
    press(&mut d.app, &["ctrl-t"]);
    d.select("acme", "sp.deactivated_jit");
    d.demo.reset_counts();
    press(&mut d.app, &["f"]);
    d.settle().await;
    assert_eq!(d.app.popup(), Some("fix"));
    type_text(&mut d.app, "acme");
    press(&mut d.app, &["enter", "enter"]);
    d.settle().await;
    let sent: Vec<_> = d
        .demo
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(sent.is_empty(), "{sent:?}");
    assert!(!d.audit.exists(), "nothing to audit");
    assert!(
        d.app
            .toasts()
            .latest()
            .is_some_and(|t| t.text.starts_with("Not run: ssodesk runs read-only"))
    );
}

#[tokio::test]
async fn d_in_an_answer_runs_its_checks_on_the_current_tenant() {
    let mut d = demo_app(false).await;
    d.settle().await;
    press(&mut d.app, &["ctrl-t"]);
    d.select("acme", "sp.deactivated_jit");
    press(&mut d.app, &["enter"]);
    assert_eq!(d.app.view(), View::Answer);
    let article = d.app.answer().article().expect("article");
    let checks = d.app.kb().articles[article].checks.clone();
    assert!(checks.contains(&"sp.deactivated_jit".to_string()));
    press(&mut d.app, &["d"]);
    assert_eq!(d.app.view(), View::Diagnostics);
    assert_eq!(d.app.pending_tasks(), 1);
    d.settle().await;
    let related = d.app.diagnostics().related().expect("the answer's checks");
    let ran: Vec<&str> = related
        .report
        .as_ref()
        .expect("run")
        .findings
        .iter()
        .map(|f| f.check.as_str())
        .collect();
    let mut want: Vec<&str> = checks.iter().map(String::as_str).collect();
    want.sort();
    let mut got = ran.clone();
    got.sort();
    assert_eq!(got, want);
    let items: Vec<&str> = d
        .app
        .diagnostics()
        .items()
        .iter()
        .map(|f| f.check.as_str())
        .collect();
    assert_eq!(items.len(), checks.len(), "every one of them, ok or not");
    let term = draw(&mut d.app, 120, 32);
    assert!(screen_text(term.backend().buffer()).contains("The answer's checks, run now"));
    press(&mut d.app, &["esc"]);
    assert!(d.app.diagnostics().related().is_none());
}

#[tokio::test]
async fn a_failed_fix_says_what_the_provider_answered_and_is_not_resent() {
    let mut d = demo_app(false).await;
    d.settle().await;
    press(&mut d.app, &["ctrl-t"]);
    d.select("acme", "sp.deactivated_jit");
    press(&mut d.app, &["f"]);
    d.settle().await;
    d.demo.set_fault(crate::demo::FaultRule::new(
        Some("POST"),
        "/sp/api/v1/orgs/acme/teams/*",
        crate::demo::Fault::Status { status: 500 },
    ));
    d.demo.reset_counts();
    type_text(&mut d.app, "acme");
    press(&mut d.app, &["enter"]);
    d.settle().await;
    assert_eq!(
        d.demo.request_count("POST", &d.members_path()),
        1,
        "the first call failed; the second user's call is not sent, nothing is retried"
    );
    let popup = d.app.fix_popup().expect("the popup shows the failure");
    let outcome = popup.outcome().expect("ended");
    assert!(!outcome.succeeded);
    assert!(outcome.message.contains("HTTP 500"), "{}", outcome.message);
    let toast = d.app.toasts().latest().expect("toast");
    assert_eq!(toast.level, super::components::toast::Level::Error);
    assert!(
        toast
            .text
            .starts_with("sp.reactivate failed on acme: HTTP 500 internal: "),
        "{}",
        toast.text
    );
    let note = d
        .app
        .diagnostics()
        .note("sp.deactivated_jit")
        .expect("note");
    assert_eq!(note.level, NoteLevel::Failed);
    assert_eq!(note.text, "fix failed; still: info (2 users remain)");

    // Graph names its request: the id is in the toast, for the ticket with Microsoft.
    press(&mut d.app, &["enter"]);
    d.demo.clear_faults();
    d.demo.set_fault(crate::demo::FaultRule::new(
        Some("POST"),
        "/graph/umbrella/v1.0/servicePrincipals/*",
        crate::demo::Fault::Status { status: 500 },
    ));
    d.select("umbrella", "azure.job_state");
    press(&mut d.app, &["f"]);
    d.settle().await;
    press(&mut d.app, &["enter"]);
    d.settle().await;
    let toast = d.app.toasts().latest().expect("toast");
    assert!(
        toast
            .text
            .starts_with("azure.start_job failed on umbrella: HTTP 500")
            && toast.text.contains("[request id "),
        "{}",
        toast.text
    );
}

#[test]
fn mouse_picks_tenants_and_findings_when_enabled() {
    use ratatui::crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let (mut app, _rx, _dir) = hand_app(false);
    let term = draw(&mut app, 120, 32);
    let click = |column, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let (x, y) = find(term.backend().buffer(), "globex").expect("globex row");
    app.handle_event(click(x, y));
    assert_eq!(app.diagnostics().selected_tenant(), Some(1));
    let (x, y) = find(term.backend().buffer(), "ERROR   acme").expect("acme row");
    app.handle_event(click(x, y));
    let term = draw(&mut app, 120, 32);
    let (x, y) = find(term.backend().buffer(), "2 JIT-provisioned").expect("info row");
    app.handle_event(click(x, y));
    assert_eq!(app.diagnostics().focus(), Focus::Findings);
    assert_eq!(
        app.diagnostics()
            .selected_finding()
            .map(|f| f.check.as_str()),
        Some("sp.deactivated_jit")
    );
    // A second click on the same finding opens its answer.
    draw(&mut app, 120, 32);
    app.handle_event(click(x, y));
    assert_eq!(app.view(), View::Answer);
}
