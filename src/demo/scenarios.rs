//! The demo tenants and the problems they carry. Times are relative to server start.
//!
//! | tenant | IdP | what is wrong (check it trips) |
//! | --- | --- | --- |
//! | `acme` (production) | Okta | provisioning enabled but **Deactivate users** off (`okta.provisioning` warning); group **Sales** assigned with no push mapping, **Engineering** mapping in `ERROR` with an `errorSummary`, **Contractors** mapping `INACTIVE`, **Everyone at Acme** both assigned and pushed (`okta.push_groups`); app user **judy** `syncState: ERROR`, **kim** `STAGED` for 3 hours (`okta.app_users`); **dana** `PROVISIONED` in Okta but absent from the SP (`cross.missing_users`; fixed by `sp.manual_sync`); SP: **carol** pending 12 days and **dave** pending 2 days (`sp.pending_users`), **erin** and **frank** deactivated JIT users (`sp.deactivated_jit`), **Grace.Hopper@** / **grace.hopper@** (`sp.duplicates`), **heidi** on Salesforce login and **ivan** on password login (`sp.login_methods`); SSO connected, last sync succeeded 2 h ago |
//! | `globex` | Entra ID + SCIM | job in `Quarantine` (`EncounteredQuarantineException`, next attempt in 3 h) (`azure.job_state`), last successful cycle 95 minutes ago (`azure.sync_lag` error); SCIM answers **404** to a filter that matches nobody and sends counts as **strings**, error `status` as a number (`scim.endpoint` warnings); **quinn** assigned in Entra, absent from the SP (`cross.missing_users`; fixed by `azure.provision_on_demand`, a restart or `sp.manual_sync`); last manual sync **failed** (`sp.last_sync`); `salesforce_sync = "profiles"` with SSO connected (`sp.salesforce_sync`); SCIM user **lena** not in the default team and **omar** provisioned as `editor` (`sp.default_team`) |
//! | `initech` (production) | Okta without Lifecycle Management + SCIM | the app has no provisioning features and the features API answers 400 `E0000001` (`okta.provisioning` error); SSO `setup_in_progress` at step 3 (`sp.sso_setup` info); workspace `Initech_Corp!` (`sp.workspace_name`); `connected_org_count = 2` (`sp.single_org`); the SCIM token ssodesk holds was rotated on the SP side, so SCIM answers **401** (`scim.endpoint` error) |
//! | `umbrella` | Entra ID | job `Paused`, schedule `Disabled` with the TimeSpan.MaxValue interval, never succeeded (last success with `0001-01-01` sentinel times) (`azure.job_state` warning, `azure.sync_lag`); **ada** assigned but absent from the SP (`cross.missing_users`; a start runs a cycle that provisions her); SSO setup `failed` (`sp.sso_setup` warning) |
//! | `hooli` | Okta + Entra ID + SCIM | nothing: every check is ok (a green badge) |
//! | `hostile` (opt-in: `DemoOptions::hostile`, `ssodesk demo --hostile`) | Okta + Entra ID + SCIM | names, emails, team and group names, error summaries and job errors carry ESC/CSI/OSC (52, 8) and C1 sequences, BEL/BS/CR, bidi overrides, zero-width characters, a 10,000-character name, emoji and CJK (see [`hostile_text`]); trips the pending, deactivated, duplicate, workspace, last-sync, login-method, push-group, app-user, job-state and missing-user checks |
//!
//! Notes for the checks: deactivated JIT users have no team (that is how reactivation puts
//! them back); Okta's `STAGED` and `ERROR` users are not provisioned users, so only **dana**
//! (and **quinn**, **ada** on the Entra side) are "provisioned in the IdP, missing in the SP".
//! initech's app users are `ACTIVE` with `syncState: DISABLED` (SSO-only app) and exist in
//! the SP. A successful manual sync, a Graph start/restart and provisionOnDemand all create
//! the missing users as pending SCIM users in the default team with role `viewer`.

use chrono::{DateTime, Duration as TimeDelta, Utc};

use super::world::*;

/// The five scenarios, in display order.
pub const NAMES: &[&str] = &["acme", "globex", "initech", "umbrella", "hooli"];

/// Settings that shape the generated data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub okta_limit: u64,
    pub okta_window: std::time::Duration,
    /// Add the [`HOSTILE`] tenant after the five scenarios.
    pub hostile: bool,
}

/// The opt-in tenant whose API data is hostile text (see [`hostile_text`]).
pub const HOSTILE: &str = "hostile";

/// Builds the world: the five tenants, then `extra` more cycling through the scenarios
/// (`acme-001`, `globex-002`, ...) for sweeps and benchmarks.
pub(crate) fn build_world(now: DateTime<Utc>, shape: Shape, extra: usize) -> World {
    let mut tenants: Vec<DemoTenant> = NAMES.iter().map(|n| build(n, n, now, shape)).collect();
    if shape.hostile {
        tenants.push(build(HOSTILE, HOSTILE, now, shape));
    }
    for i in 0..extra {
        let kind = NAMES[i % NAMES.len()];
        let name = format!("{kind}-{:03}", i + 1);
        tenants.push(build(kind, &name, now, shape));
    }
    World {
        started: now,
        sp_token: "demo-sp-admin-token".into(),
        tenants,
        next_id: 0,
    }
}

fn build(kind: &str, name: &str, now: DateTime<Utc>, shape: Shape) -> DemoTenant {
    let mut b = Builder {
        name: name.to_string(),
        domain: format!("{name}.example"),
        now,
        shape,
    };
    match kind {
        "acme" => b.acme(),
        "globex" => b.globex(),
        "initech" => b.initech(),
        "umbrella" => b.umbrella(),
        HOSTILE => b.hostile(),
        _ => b.hooli(),
    }
}

/// FNV-1a, for stable ids derived from names.
fn hash(seed: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// `prefix` + `len` lowercase alphanumerics derived from `seed` (Okta-style ids).
fn okta_id(prefix: &str, seed: &str) -> String {
    const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut h = hash(seed);
    let mut s = prefix.to_string();
    while s.len() < 20 {
        s.push(ALPHA[(h % 36) as usize] as char);
        h = h.rotate_left(7).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1;
    }
    s
}

/// A GUID-shaped id derived from `seed`.
fn guid(seed: &str) -> String {
    let a = hash(seed);
    let b = hash(&format!("{seed}#2"));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

struct Builder {
    name: String,
    domain: String,
    now: DateTime<Utc>,
    shape: Shape,
}

struct U<'a> {
    local: &'a str,
    status: &'a str,
    by: &'a str,
    login: &'a str,
    teams: &'a [&'a str],
    role: &'a str,
    created_days: i64,
    last_login_hours: Option<i64>,
}

impl Builder {
    fn ago(&self, minutes: i64) -> DateTime<Utc> {
        self.now - TimeDelta::minutes(minutes)
    }

    fn email(&self, local: &str) -> String {
        format!("{local}@{}", self.domain)
    }

    fn team(&self, key: &str, name: &str, default: bool) -> TeamW {
        TeamW {
            id: format!("team_{}_{key}", self.name),
            name: name.into(),
            default,
        }
    }

    fn user(&self, n: usize, u: U<'_>) -> SpUserW {
        SpUserW {
            id: format!("usr_{}_{n:02}", self.name),
            email: self.email(u.local),
            name: display_from_email(u.local),
            status: u.status.into(),
            provisioned_by: u.by.into(),
            login_method: u.login.into(),
            teams: u
                .teams
                .iter()
                .map(|k| format!("team_{}_{k}", self.name))
                .collect(),
            role: u.role.into(),
            created_at: self.ago(u.created_days * 24 * 60),
            last_login_at: u.last_login_hours.map(|h| self.ago(h * 60)),
            invited_at: (u.status == "pending").then(|| self.ago(u.created_days * 24 * 60)),
        }
    }

    fn org(&self, production: bool, idp: Option<&str>, state: &str) -> SpOrgW {
        SpOrgW {
            org: self.name.clone(),
            workspace: self.name.clone(),
            production,
            sso_idp: idp.map(String::from),
            sso_state: state.into(),
            setup_step: None,
            connected_at: (state == "connected").then(|| self.ago(120 * 24 * 60)),
            connected_org_count: 1,
            last_sync: None,
            salesforce_sync: "metadata_only".into(),
            users: Vec::new(),
            teams: Vec::new(),
            syncs: Vec::new(),
            invites: Vec::new(),
        }
    }

    fn okta(&self, provisioning: Option<ProvisioningW>) -> OktaW {
        OktaW {
            token: format!("00demo-okta-{}", self.name),
            app_id: okta_id("0oa", &format!("{}-app", self.name)),
            app_name: format!("{}_spekit_1", self.name.replace('-', "")),
            app_label: "Spekit".into(),
            created: self.ago(200 * 24 * 60),
            provisioning,
            groups: Vec::new(),
            mappings: Vec::new(),
            app_users: Vec::new(),
            rate: RateW::new(self.shape.okta_limit, self.shape.okta_window, self.now),
        }
    }

    fn okta_group(&self, key: &str, name: &str, assigned: bool) -> OktaGroupW {
        OktaGroupW {
            id: okta_id("00g", &format!("{}-{key}", self.name)),
            name: name.into(),
            description: format!("{name} ({})", self.name),
            assigned,
            priority: 0,
        }
    }

    fn mapping(&self, group: &OktaGroupW, status: &str, error: &str, pushed_min: i64) -> MappingW {
        MappingW {
            id: okta_id("gPm", &format!("{}-{}", self.name, group.id)),
            source_group_id: group.id.clone(),
            target_group_id: okta_id("00g", &format!("{}-{}-target", self.name, group.id)),
            status: status.into(),
            error_summary: error.into(),
            last_push: Some(self.ago(pushed_min)),
            created: self.ago(90 * 24 * 60),
            last_updated: self.ago(pushed_min),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn app_user(
        &self,
        local: &str,
        status: &str,
        sync: &str,
        scope: &str,
        external: Option<&str>,
        changed_min: i64,
        last_sync_min: Option<i64>,
    ) -> AppUserW {
        AppUserW {
            id: okta_id("00u", &format!("{}-{local}", self.name)),
            email: self.email(local),
            external_id: external.map(String::from),
            status: status.into(),
            sync_state: sync.into(),
            scope: scope.into(),
            created: self.ago(changed_min + 60),
            status_changed: self.ago(changed_min),
            last_updated: self.ago(changed_min),
            last_sync: last_sync_min.map(|m| self.ago(m)),
        }
    }

    fn graph(&self, jobs: Vec<JobW>) -> GraphW {
        GraphW {
            tenant_id: guid(&format!("{}-tenant", self.name)),
            client_id: guid(&format!("{}-client", self.name)),
            client_secret: format!("demo~secret~{}", self.name),
            sp_id: guid(&format!("{}-sp", self.name)),
            rule_id: format!("{:016x}", hash(&format!("{}-rule", self.name))),
            jobs,
            users: Vec::new(),
            groups: Vec::new(),
            assignments: Vec::new(),
            tokens: Vec::new(),
            on_demand_calls: Vec::new(),
        }
    }

    fn graph_user(&self, local: &str) -> GraphUserW {
        GraphUserW {
            id: guid(&format!("{}-user-{local}", self.name)),
            upn: self.email(local),
            mail: self.email(local),
            display_name: display_from_email(local),
        }
    }

    fn assign(&self, principal_id: &str, kind: &str, display: &str) -> AssignmentW {
        AssignmentW {
            id: format!("{:x}", hash(&format!("{}-{principal_id}", self.name))),
            principal_id: principal_id.into(),
            principal_type: kind.into(),
            display_name: display.into(),
            created: self.ago(60 * 24 * 60),
        }
    }

    fn job_id(&self) -> String {
        format!(
            "scim.{:016x}.{:016x}",
            hash(&format!("{}-job", self.name)),
            hash(&format!("{}-tenant", self.name))
        )
    }

    fn success(&self, ended_min: i64) -> ExecutionW {
        ExecutionW {
            state: "Succeeded".into(),
            began: Some(self.ago(ended_min + 2)),
            ended: Some(self.ago(ended_min)),
            error: None,
            exported: 3,
        }
    }

    fn scim(&self, token_suffix: &str) -> ScimW {
        ScimW {
            token: format!("demo-scim-{}{token_suffix}", self.name),
            filter_404: false,
            string_counts: false,
            numeric_status: false,
            content_type: "application/scim+json",
        }
    }

    fn acme(&mut self) -> DemoTenant {
        let mut org = self.org(true, Some("okta"), "connected");
        org.last_sync = Some(LastSyncW {
            at: self.ago(120),
            status: "succeeded".into(),
            error: None,
        });
        org.teams = vec![
            self.team("all", "All Spekit Users", true),
            self.team("sales", "Sales", false),
            self.team("eng", "Engineering", false),
        ];
        let users = [
            U {
                local: "alice",
                status: "accepted",
                by: "jit",
                login: "sso",
                teams: &["all", "sales"],
                role: "viewer",
                created_days: 200,
                last_login_hours: Some(20),
            },
            U {
                local: "bob",
                status: "accepted",
                by: "invite",
                login: "sso",
                teams: &["all", "eng"],
                role: "admin",
                created_days: 300,
                last_login_hours: Some(3),
            },
            U {
                local: "carol",
                status: "pending",
                by: "scim",
                login: "sso",
                teams: &["all"],
                role: "viewer",
                created_days: 12,
                last_login_hours: None,
            },
            U {
                local: "dave",
                status: "pending",
                by: "scim",
                login: "sso",
                teams: &["all"],
                role: "viewer",
                created_days: 2,
                last_login_hours: None,
            },
            U {
                local: "erin",
                status: "deactivated",
                by: "jit",
                login: "sso",
                teams: &[],
                role: "viewer",
                created_days: 150,
                last_login_hours: Some(40 * 24),
            },
            U {
                local: "frank",
                status: "deactivated",
                by: "jit",
                login: "sso",
                teams: &[],
                role: "viewer",
                created_days: 140,
                last_login_hours: Some(35 * 24),
            },
            U {
                local: "Grace.Hopper",
                status: "accepted",
                by: "salesforce",
                login: "sso",
                teams: &["all"],
                role: "viewer",
                created_days: 400,
                last_login_hours: Some(30 * 24),
            },
            U {
                local: "grace.hopper",
                status: "accepted",
                by: "jit",
                login: "sso",
                teams: &["all"],
                role: "viewer",
                created_days: 30,
                last_login_hours: Some(5),
            },
            U {
                local: "heidi",
                status: "accepted",
                by: "salesforce",
                login: "salesforce",
                teams: &["all"],
                role: "viewer",
                created_days: 500,
                last_login_hours: Some(48),
            },
            U {
                local: "ivan",
                status: "accepted",
                by: "invite",
                login: "password",
                teams: &["all"],
                role: "viewer",
                created_days: 450,
                last_login_hours: Some(72),
            },
            U {
                local: "judy",
                status: "accepted",
                by: "scim",
                login: "sso",
                teams: &["all"],
                role: "viewer",
                created_days: 60,
                last_login_hours: Some(10),
            },
        ];
        org.users = users
            .into_iter()
            .enumerate()
            .map(|(i, u)| self.user(i + 1, u))
            .collect();

        let mut okta = self.okta(Some(ProvisioningW {
            create: true,
            profile: true,
            deactivate: false,
            password: false,
        }));
        let sales = self.okta_group("sales", "Sales", true);
        let eng = self.okta_group("eng", "Engineering", false);
        let contractors = self.okta_group("contractors", "Contractors", false);
        let everyone = self.okta_group("everyone", "Everyone at Acme", true);
        okta.mappings = vec![
            self.mapping(&eng, "ERROR", "Failed on 11-29-2026 06:12:44AM UTC: Unable to update Group Push mapping target App group Engineering: Error while updating user memberships for group: Engineering. Errors reported by remote server: Request failed with status code 409", 180),
            self.mapping(&contractors, "INACTIVE", "", 30 * 24 * 60),
            self.mapping(&everyone, "ACTIVE", "", 25),
        ];
        okta.groups = vec![sales, eng, contractors, everyone];
        let sp_id = |local: &str| {
            org.users
                .iter()
                .find(|u| u.email.starts_with(&format!("{local}@")))
                .map(|u| u.id.clone())
        };
        okta.app_users = vec![
            self.app_user(
                "alice",
                "PROVISIONED",
                "SYNCHRONIZED",
                "GROUP",
                sp_id("alice").as_deref(),
                200 * 24 * 60,
                Some(25),
            ),
            self.app_user(
                "bob",
                "PROVISIONED",
                "SYNCHRONIZED",
                "USER",
                sp_id("bob").as_deref(),
                300 * 24 * 60,
                Some(25),
            ),
            self.app_user(
                "carol",
                "PROVISIONED",
                "SYNCHRONIZED",
                "GROUP",
                sp_id("carol").as_deref(),
                12 * 24 * 60,
                Some(25),
            ),
            self.app_user(
                "dave",
                "PROVISIONED",
                "SYNCHRONIZED",
                "GROUP",
                sp_id("dave").as_deref(),
                2 * 24 * 60,
                Some(25),
            ),
            self.app_user(
                "judy",
                "PROVISIONED",
                "ERROR",
                "GROUP",
                sp_id("judy").as_deref(),
                60 * 24 * 60,
                Some(120),
            ),
            self.app_user("kim", "STAGED", "OUT_OF_SYNC", "USER", None, 180, None),
            self.app_user(
                "dana",
                "PROVISIONED",
                "SYNCHRONIZED",
                "GROUP",
                Some("usr_acme_deleted_07"),
                9 * 24 * 60,
                Some(9 * 24 * 60),
            ),
        ];
        DemoTenant {
            name: self.name.clone(),
            production: true,
            accent: Some("magenta".into()),
            org,
            okta: Some(okta),
            graph: None,
            scim: None,
        }
    }

    fn globex(&mut self) -> DemoTenant {
        let mut org = self.org(false, Some("azure"), "connected");
        org.salesforce_sync = "profiles".into();
        org.last_sync = Some(LastSyncW {
            at: self.ago(26 * 60),
            status: "failed".into(),
            error: Some("the identity provider answered 401 Unauthorized: the SSO connection's client secret has expired".into()),
        });
        org.teams = vec![
            self.team("all", "All Globex Users", true),
            self.team("marketing", "Marketing", false),
        ];
        let users = [
            U {
                local: "hank",
                status: "accepted",
                by: "scim",
                login: "sso",
                teams: &["all"],
                role: "viewer",
                created_days: 80,
                last_login_hours: Some(4),
            },
            U {
                local: "lena",
                status: "accepted",
                by: "scim",
                login: "sso",
                teams: &["marketing"],
                role: "viewer",
                created_days: 70,
                last_login_hours: Some(6),
            },
            U {
                local: "omar",
                status: "accepted",
                by: "scim",
                login: "sso",
                teams: &["all"],
                role: "editor",
                created_days: 65,
                last_login_hours: Some(30),
            },
            U {
                local: "priya",
                status: "accepted",
                by: "scim",
                login: "sso",
                teams: &["all", "marketing"],
                role: "viewer",
                created_days: 50,
                last_login_hours: Some(2),
            },
        ];
        org.users = users
            .into_iter()
            .enumerate()
            .map(|(i, u)| self.user(i + 1, u))
            .collect();

        let err = (
            "SystemForCrossDomainIdentityManagementServiceIncompatible".to_string(),
            "The SCIM endpoint answered 404 Not Found to a query for a user that does not exist; a filter with no match must answer 200 with an empty ListResponse.".to_string(),
        );
        let job = JobW {
            id: self.job_id(),
            template_id: "scim".into(),
            code: "Quarantine".into(),
            schedule_state: "Active".into(),
            interval: "PT40M".into(),
            failures: 2,
            last_execution: Some(ExecutionW {
                state: "Failed".into(),
                began: Some(self.ago(22)),
                ended: Some(self.ago(20)),
                error: Some(err.clone()),
                exported: 0,
            }),
            last_success: Some(self.success(95)),
            quarantine: Some(QuarantineW {
                reason: "EncounteredQuarantineException".into(),
                current_began: self.ago(60),
                next_attempt: self.now + TimeDelta::hours(3),
                series_began: self.ago(60),
                series_count: 2,
                error: err,
            }),
            steady_first: Some(self.ago(70 * 24 * 60)),
            steady_last: Some(self.ago(95)),
        };
        let mut graph = self.graph(vec![job]);
        let hank = self.graph_user("hank");
        let lena = self.graph_user("lena");
        let omar = self.graph_user("omar");
        let priya = self.graph_user("priya");
        let quinn = self.graph_user("quinn");
        let marketing = GraphGroupW {
            id: guid(&format!("{}-group-marketing", self.name)),
            name: "Globex Marketing".into(),
            members: vec![lena.id.clone(), priya.id.clone()],
        };
        graph.assignments = vec![
            self.assign(&hank.id, "User", &hank.display_name),
            self.assign(&omar.id, "User", &omar.display_name),
            self.assign(&quinn.id, "User", &quinn.display_name),
            self.assign(&marketing.id, "Group", &marketing.name),
        ];
        graph.users = vec![hank, lena, omar, priya, quinn];
        graph.groups = vec![marketing];
        let mut scim = self.scim("");
        scim.filter_404 = true;
        scim.string_counts = true;
        scim.numeric_status = true;
        scim.content_type = "application/json";
        DemoTenant {
            name: self.name.clone(),
            production: false,
            accent: None,
            org,
            okta: None,
            graph: Some(graph),
            scim: Some(scim),
        }
    }

    fn initech(&mut self) -> DemoTenant {
        let mut org = self.org(true, Some("okta"), "setup_in_progress");
        org.workspace = "Initech_Corp!".into();
        org.setup_step = Some(3);
        org.connected_org_count = 2;
        org.salesforce_sync = "off".into();
        org.teams = vec![self.team("all", "All Initech Users", true)];
        let users = [
            U {
                local: "peter",
                status: "accepted",
                by: "invite",
                login: "password",
                teams: &["all"],
                role: "admin",
                created_days: 40,
                last_login_hours: Some(1),
            },
            U {
                local: "samir",
                status: "accepted",
                by: "invite",
                login: "password",
                teams: &["all"],
                role: "viewer",
                created_days: 38,
                last_login_hours: Some(26),
            },
        ];
        org.users = users
            .into_iter()
            .enumerate()
            .map(|(i, u)| self.user(i + 1, u))
            .collect();
        let mut okta = self.okta(None);
        okta.groups = vec![self.okta_group("staff", "Initech Staff", true)];
        okta.app_users = vec![
            self.app_user(
                "peter",
                "ACTIVE",
                "DISABLED",
                "GROUP",
                None,
                40 * 24 * 60,
                None,
            ),
            self.app_user(
                "samir",
                "ACTIVE",
                "DISABLED",
                "GROUP",
                None,
                38 * 24 * 60,
                None,
            ),
        ];
        DemoTenant {
            name: self.name.clone(),
            production: true,
            accent: Some("red".into()),
            org,
            okta: Some(okta),
            graph: None,
            // The SP rotated the SCIM token; the one in the config is the old one.
            scim: Some(self.scim("")),
        }
    }

    fn umbrella(&mut self) -> DemoTenant {
        let mut org = self.org(false, Some("azure"), "failed");
        org.setup_step = Some(2);
        org.salesforce_sync = "off".into();
        org.teams = vec![self.team("all", "All Umbrella Users", true)];
        let users = [U {
            local: "albert",
            status: "accepted",
            by: "invite",
            login: "password",
            teams: &["all"],
            role: "admin",
            created_days: 20,
            last_login_hours: Some(8),
        }];
        org.users = users
            .into_iter()
            .enumerate()
            .map(|(i, u)| self.user(i + 1, u))
            .collect();
        let job = JobW {
            id: self.job_id(),
            template_id: "scim".into(),
            code: "Paused".into(),
            schedule_state: "Disabled".into(),
            interval: crate::providers::de::TIMESPAN_MAX.into(),
            failures: 0,
            last_execution: None,
            // Graph's "never": an execution with 0001-01-01 times.
            last_success: Some(ExecutionW {
                state: "Succeeded".into(),
                began: None,
                ended: None,
                error: None,
                exported: 0,
            }),
            quarantine: None,
            steady_first: None,
            steady_last: None,
        };
        let mut graph = self.graph(vec![job]);
        let ada = self.graph_user("ada");
        graph.assignments = vec![self.assign(&ada.id, "User", &ada.display_name)];
        graph.users = vec![ada];
        DemoTenant {
            name: self.name.clone(),
            production: false,
            accent: None,
            org,
            okta: None,
            graph: Some(graph),
            scim: None,
        }
    }

    fn hooli(&mut self) -> DemoTenant {
        let mut org = self.org(false, Some("okta"), "connected");
        org.last_sync = Some(LastSyncW {
            at: self.ago(30),
            status: "succeeded".into(),
            error: None,
        });
        org.teams = vec![
            self.team("all", "All Hooli Users", true),
            self.team("platform", "Platform", false),
        ];
        let locals = ["gavin", "richard", "monica", "jared"];
        org.users = locals
            .iter()
            .enumerate()
            .map(|(i, l)| {
                self.user(
                    i + 1,
                    U {
                        local: l,
                        status: "accepted",
                        by: "scim",
                        login: "sso",
                        teams: &["all", "platform"],
                        role: "viewer",
                        created_days: 100 - i as i64,
                        last_login_hours: Some(2 + i as i64),
                    },
                )
            })
            .collect();
        let mut okta = self.okta(Some(ProvisioningW {
            create: true,
            profile: true,
            deactivate: true,
            password: true,
        }));
        let platform = self.okta_group("platform", "Hooli Platform", false);
        okta.mappings = vec![self.mapping(&platform, "ACTIVE", "", 15)];
        okta.groups = vec![platform];
        okta.app_users = org
            .users
            .iter()
            .zip(locals)
            .map(|(u, l)| {
                self.app_user(
                    l,
                    "PROVISIONED",
                    "SYNCHRONIZED",
                    "USER",
                    Some(&u.id),
                    100 * 24 * 60,
                    Some(15),
                )
            })
            .collect();
        let job = JobW {
            id: self.job_id(),
            template_id: "scim".into(),
            code: "Active".into(),
            schedule_state: "Active".into(),
            interval: "PT40M".into(),
            failures: 0,
            last_execution: Some(self.success(12)),
            last_success: Some(self.success(12)),
            quarantine: None,
            steady_first: Some(self.ago(90 * 24 * 60)),
            steady_last: Some(self.ago(12)),
        };
        let mut graph = self.graph(vec![job]);
        graph.users = locals.iter().map(|l| self.graph_user(l)).collect();
        graph.assignments = graph
            .users
            .iter()
            .map(|u| self.assign(&u.id, "User", &u.display_name))
            .collect();
        DemoTenant {
            name: self.name.clone(),
            production: false,
            accent: Some("green".into()),
            org,
            okta: Some(okta),
            graph: Some(graph),
            scim: Some(self.scim("")),
        }
    }

    /// Names, emails, group names and error messages carrying escape sequences, C1 controls,
    /// bidi overrides, zero-width characters, a 10,000-character name, emoji and CJK. It
    /// trips `sp.pending_users`, `sp.deactivated_jit`, `sp.duplicates`, `sp.workspace_name`,
    /// `sp.last_sync`, `sp.login_methods`, `okta.push_groups`, `okta.app_users`,
    /// `azure.job_state` and `cross.missing_users`, so the hostile text shows up in titles,
    /// evidence, fix targets and plans.
    fn hostile(&mut self) -> DemoTenant {
        use hostile_text::*;
        let all = all();
        let long = long_name();
        let mut org = self.org(false, Some(&format!("okta{OSC_TITLE}")), "connected");
        org.workspace = format!("Hostile{CSI}Corp{BIDI}");
        org.last_sync = Some(LastSyncW {
            at: self.ago(3 * 60),
            status: "failed".into(),
            error: Some(format!("the IdP answered 500 {all}")),
        });
        org.teams = vec![
            TeamW {
                id: format!("team_{}_all", self.name),
                name: format!("All {OSC_TITLE}Hostile{BIDI} Users {EMOJI}"),
                default: true,
            },
            TeamW {
                id: format!("team_{}_long", self.name),
                name: long.clone(),
                default: false,
            },
        ];
        let mut users: Vec<SpUserW> = Vec::new();
        let mut add = |local: &str, email: String, name: String, status: &str, by: &str| {
            let mut u = self.user(
                users.len() + 1,
                U {
                    local,
                    status,
                    by,
                    login: "sso",
                    teams: &["all"],
                    role: "viewer",
                    created_days: 30,
                    last_login_hours: (status == "accepted").then_some(5),
                },
            );
            u.email = email;
            u.name = name;
            users.push(u);
        };
        let d = &self.domain.clone();
        add(
            "mallory",
            format!("mallory{OSC_52}@{d}"),
            format!("Mallory {CSI}{BIDI}"),
            "pending",
            "scim",
        );
        add(
            "trudy",
            format!("trudy{C1}{ZERO_WIDTH}@{d}"),
            format!("Trudy {EMOJI}"),
            "deactivated",
            "jit",
        );
        add(
            "yamada",
            format!("yamada.太郎{ZERO_WIDTH}@{d}"),
            format!("{CJK} {BEL_BS_CR}"),
            "accepted",
            "scim",
        );
        add(
            "yamada2",
            format!("YAMADA.太郎@{d}"),
            CJK.to_string(),
            "accepted",
            "jit",
        );
        add(
            "long",
            format!("long{ZERO_WIDTH}@{d}"),
            long.clone(),
            "accepted",
            "invite",
        );
        if let Some(u) = users.iter_mut().find(|u| u.email.starts_with("trudy")) {
            u.teams.clear();
        }
        if let Some(u) = users.iter_mut().find(|u| u.email.starts_with("long")) {
            u.login_method = "password".into();
        }
        org.users = users;

        let mut okta = self.okta(Some(ProvisioningW {
            create: true,
            profile: true,
            deactivate: true,
            password: true,
        }));
        okta.app_label = format!("Spekit{OSC_TITLE}{ZERO_WIDTH}");
        let sales = self.okta_group("sales", &format!("Sales{CSI}{BIDI}{OSC_8}"), true);
        let long_group = self.okta_group("long", &long, true);
        let eng = self.okta_group("eng", &format!("Eng{C1} {EMOJI}"), false);
        okta.mappings =
            vec![self.mapping(&eng, "ERROR", &format!("Failed on push: {all} {long}"), 60)];
        okta.groups = vec![sales, long_group, eng];
        let sp_id = |prefix: &str| {
            org.users
                .iter()
                .find(|u| u.email.starts_with(prefix))
                .map(|u| u.id.clone())
        };
        let mut mallory = self.app_user(
            "mallory",
            "PROVISIONED",
            "SYNCHRONIZED",
            "GROUP",
            sp_id("mallory").as_deref(),
            30 * 24 * 60,
            Some(20),
        );
        mallory.email = format!("mallory{OSC_52}@{d}");
        let mut broken = self.app_user(
            "yamada",
            "PROVISIONED",
            "ERROR",
            "USER",
            sp_id("yamada.").as_deref(),
            24 * 60,
            Some(60),
        );
        broken.email = format!("yamada.太郎{ZERO_WIDTH}@{d}");
        let mut ghost = self.app_user(
            "ghost",
            "PROVISIONED",
            "SYNCHRONIZED",
            "GROUP",
            None,
            2 * 24 * 60,
            Some(2 * 24 * 60),
        );
        ghost.email = format!("ghost{CSI}{BIDI}@{d}");
        okta.app_users = vec![mallory, broken, ghost];

        let err = (format!("Hostile{CSI}Code"), format!("{all} {long}"));
        let job = JobW {
            id: self.job_id(),
            template_id: "scim".into(),
            code: "Quarantine".into(),
            schedule_state: "Active".into(),
            interval: "PT40M".into(),
            failures: 3,
            last_execution: Some(ExecutionW {
                state: "Failed".into(),
                began: Some(self.ago(12)),
                ended: Some(self.ago(10)),
                error: Some(err.clone()),
                exported: 0,
            }),
            last_success: Some(self.success(30)),
            quarantine: Some(QuarantineW {
                reason: format!("Encountered{OSC_52}Threshold"),
                current_began: self.ago(30),
                next_attempt: self.now + TimeDelta::hours(2),
                series_began: self.ago(30),
                series_count: 1,
                error: err,
            }),
            steady_first: Some(self.ago(10 * 24 * 60)),
            steady_last: Some(self.ago(30)),
        };
        let mut graph = self.graph(vec![job]);
        let mut eve = self.graph_user("eve");
        eve.mail = format!("eve{OSC_52}{ZERO_WIDTH}@{d}");
        eve.upn = eve.mail.clone();
        eve.display_name = format!("Eve {BIDI} {OSC_8} {EMOJI} {CJK}");
        let mut yamada = self.graph_user("yamada");
        yamada.mail = format!("yamada.太郎{C1}@{d}");
        yamada.upn = yamada.mail.clone();
        yamada.display_name = long.clone();
        let group = GraphGroupW {
            id: guid(&format!("{}-group-hostile", self.name)),
            name: format!("Group {CSI}{C1}{BIDI}"),
            members: vec![yamada.id.clone()],
        };
        graph.assignments = vec![
            self.assign(&eve.id, "User", &eve.display_name),
            self.assign(&group.id, "Group", &group.name),
        ];
        graph.users = vec![eve, yamada];
        graph.groups = vec![group];
        let mut scim = self.scim("");
        scim.string_counts = true;
        DemoTenant {
            name: self.name.clone(),
            production: false,
            accent: Some("yellow".into()),
            org,
            okta: Some(okta),
            graph: Some(graph),
            scim: Some(scim),
        }
    }
}

/// The pieces the `hostile` tenant's data is made of: every kind of text that must never reach
/// a terminal as it arrived, and text that is merely hard to lay out.
pub mod hostile_text {
    /// CSI: clear the screen, then red.
    pub const CSI: &str = "\x1b[2J\x1b[31m";
    /// OSC 0: set the window title.
    pub const OSC_TITLE: &str = "\x1b]0;pwned\x07";
    /// OSC 52: put `rm -rf ~` on the clipboard.
    pub const OSC_52: &str = "\x1b]52;c;cm0gLXJmIH4=\x07";
    /// OSC 8: a hyperlink to somewhere else, terminated by ST.
    pub const OSC_8: &str = "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\";
    /// 8-bit C1 CSI (0x9b) and C1 OSC (0x9d ... ST 0x9c).
    pub const C1: &str = "\u{9b}1;31m\u{9d}0;c1 title\u{9c}";
    /// BEL, backspace, carriage return, a lone ESC and DEL.
    pub const BEL_BS_CR: &str = "\x07\x08\x08\rX\x1b\x7f";
    /// Right-to-left override: `exe.txt` shows as `txt.exe`.
    pub const BIDI: &str = "\u{202e}txt.exe\u{202c}";
    /// Zero-width space, joiner, non-joiner, BOM, word joiner.
    pub const ZERO_WIDTH: &str = "\u{200b}\u{200d}\u{200c}\u{feff}\u{2060}";
    /// Emoji, one of them a ZWJ sequence, and a flag.
    pub const EMOJI: &str = "👩\u{200d}💻 🏳\u{fe0f}\u{200d}🌈 🇯🇵";
    pub const CJK: &str = "山田太郎 东京 사용자";

    /// Everything at once, for error messages.
    pub fn all() -> String {
        [
            CSI, OSC_TITLE, OSC_52, OSC_8, C1, BEL_BS_CR, BIDI, ZERO_WIDTH, EMOJI, CJK,
        ]
        .join(" ")
    }

    /// A 10,000-character name, mostly printable (wide CJK, emoji with a ZWJ), with an
    /// escape sequence and a zero-width character every few hundred characters.
    pub fn long_name() -> String {
        let mut s = String::new();
        let mut n = 0;
        while s.chars().count() < 10_000 {
            s.push_str("Long名前👩\u{200d}💻 ");
            n += 1;
            if n % 50 == 0 {
                s.push_str(CSI);
                s.push_str(ZERO_WIDTH);
            }
        }
        s.chars().take(10_000).collect()
    }
}

/// The SCIM token a tenant's config carries: initech's is the rotated-away one.
pub(crate) fn configured_scim_token(t: &DemoTenant) -> Option<String> {
    let s = t.scim.as_ref()?;
    Some(if t.name == "initech" || t.name.starts_with("initech-") {
        format!("{}-old", s.token)
    } else {
        s.token.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_shaped() {
        assert_eq!(okta_id("0oa", "x"), okta_id("0oa", "x"));
        assert_eq!(okta_id("0oa", "x").len(), 20);
        assert_ne!(okta_id("00u", "a"), okta_id("00u", "b"));
        let g = guid("t");
        assert_eq!(g.len(), 36);
        assert_eq!(g.matches('-').count(), 4);
    }

    #[test]
    fn world_has_the_five_and_extras() {
        let shape = Shape {
            okta_limit: 600,
            okta_window: std::time::Duration::from_secs(60),
            hostile: false,
        };
        let w = build_world(Utc::now(), shape, 7);
        assert_eq!(w.tenants.len(), 12);
        assert_eq!(w.tenants[5].name, "acme-001");
        assert_eq!(w.tenants[11].name, "globex-007");
        let mut orgs: Vec<&str> = w.tenants.iter().map(|t| t.org.org.as_str()).collect();
        orgs.dedup();
        assert_eq!(orgs.len(), 12);
        let acme = w.tenant("acme").expect("acme");
        assert!(!acme.sp_has("dana@acme.example") && acme.sp_has("GRACE.hopper@acme.example"));
    }
}
