//! Checks that compare the IdP with the SP: who is assigned in the IdP but missing in the SP.

use std::collections::BTreeSet;

use super::azure::{main_job, next_cycle, until};
use super::util::{capped, count, skipped, unavailable};
use super::{Finding, FixKind, FixTarget, Status, UserRef};
use crate::providers::okta::AppUserStatus;
use crate::snapshot::Snapshot;

pub fn missing_users(snap: &Snapshot) -> Finding {
    const ID: &str = "cross.missing_users";
    const FAQ: &str = "users-not-showing-up";
    let Some(sp) = snap.sp.get() else {
        return skipped(ID, FAQ, "The SP admin API", "sp");
    };
    if !(snap.okta.is_configured() || snap.azure.is_configured() || snap.scim.is_configured()) {
        return skipped(ID, FAQ, "No IdP", "okta], [tenants.azure] or [tenants.scim");
    }
    let sp_users = match &sp.users {
        Ok(u) => u,
        Err(e) => return unavailable(ID, FAQ, "users from the SP admin API", e),
    };
    let known: BTreeSet<String> = sp_users.iter().map(|u| u.email.to_lowercase()).collect();
    let missing = |addr: &str| !known.contains(&addr.to_lowercase());

    let mut evidence = Vec::new();
    let mut causes = Vec::new();
    let mut read_any = false;
    let mut errors = Vec::new();

    // Okta: assigned and provisioned (or plain active) app users.
    if let Some(o) = snap.okta.get() {
        match &o.app_users {
            Ok(users) => {
                read_any = true;
                let gone: Vec<&str> = users
                    .iter()
                    .filter(|u| {
                        matches!(u.status, AppUserStatus::Provisioned | AppUserStatus::Active)
                    })
                    .filter_map(|u| u.login())
                    .filter(|a| missing(a))
                    .collect();
                if !gone.is_empty() {
                    causes.push(format!(
                        "Okta: {} assigned but not in the SP; check that their groups are pushed (Push Groups) and run a manual sync.",
                        count(gone.len(), "user", "users")
                    ));
                    evidence.extend(gone.iter().map(|a| format!("{a} (assigned in Okta)")));
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }

    // Entra: users in scope of the app.
    let mut entra_missing: Vec<UserRef> = Vec::new();
    let mut job_id = None;
    if let Some(a) = snap.azure.get() {
        match &a.assigned_users {
            Ok(users) => {
                read_any = true;
                for u in users.iter() {
                    let addrs = u.addresses();
                    if !addrs.is_empty() && addrs.iter().all(|a| missing(a)) {
                        entra_missing.push(UserRef {
                            id: u.user.id.to_string(),
                            email: addrs[0].to_string(),
                        });
                    }
                }
                if !entra_missing.is_empty() {
                    let job = a.jobs.as_ref().ok().and_then(|j| main_job(j));
                    job_id = job.map(|j| j.id.to_string());
                    let next = job
                        .and_then(next_cycle)
                        .map(|t| {
                            format!("the next Entra cycle is due {}", until(t, snap.fetched_at))
                        })
                        .unwrap_or_else(|| "Entra provisions about every 40 minutes".into());
                    causes.push(format!(
                        "Entra: {} in scope but not in the SP; {next}, or provision them on demand now.",
                        count(entra_missing.len(), "user", "users")
                    ));
                    evidence.extend(
                        entra_missing
                            .iter()
                            .map(|u| format!("{} (assigned in Entra)", u.email)),
                    );
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }

    // SCIM: users the IdP already pushed to the SP's SCIM endpoint but the admin API lacks.
    let mut scim_gone = 0;
    if let Some(s) = snap.scim.get() {
        match &s.users {
            Ok(users) => {
                read_any = true;
                let gone: Vec<&str> = users
                    .iter()
                    .filter(|u| u.active != Some(false))
                    .map(|u| u.email())
                    .filter(|a| !a.is_empty() && missing(a))
                    .collect();
                scim_gone = gone.len();
                if !gone.is_empty() {
                    causes.push(format!(
                        "SCIM: {} received over SCIM but not in the SP's user list; a failed sync is likely, run a manual sync.",
                        count(gone.len(), "user", "users")
                    ));
                    evidence.extend(gone.iter().map(|a| format!("{a} (on the SCIM endpoint)")));
                }
            }
            Err(e) if !e.is_auth() => errors.push(e.to_string()),
            // A rejected token is scim.endpoint's finding; here it only means no SCIM data.
            Err(_) => {}
        }
    }

    if !read_any {
        let detail = if errors.is_empty() {
            "No IdP user list could be read.".to_string()
        } else {
            errors.join("\n")
        };
        return Finding::new(
            ID,
            Status::Unavailable,
            "Could not read the IdP's assigned users",
            FAQ,
        )
        .detail(detail);
    }
    if evidence.is_empty() {
        // An unread source may hold the missing users: not an all-clear.
        if !errors.is_empty() {
            return Finding::new(
                ID,
                Status::Unavailable,
                "Could not read every IdP's assigned users",
                FAQ,
            )
            .detail(format!(
                "The users of the sources that could be read all exist in the SP, but:\n{}",
                errors.join("\n")
            ));
        }
        return Finding::new(
            ID,
            Status::Ok,
            "Every user assigned in the IdP exists in the SP",
            FAQ,
        );
    }
    let total = evidence.len();
    if !errors.is_empty() {
        causes.push(format!(
            "Not every source could be read:\n{}",
            errors.join("\n")
        ));
    }
    let mut f = Finding::new(
        ID,
        Status::Warning,
        format!(
            "{} assigned in the IdP but missing in the SP",
            count(total, "user", "users")
        ),
        FAQ,
    )
    .detail(causes.join("\n"))
    .evidence(capped(evidence));
    // One fix: provisioning on demand reaches Entra users now; otherwise a manual sync.
    if !entra_missing.is_empty() && job_id.is_some() {
        f = f.fix(
            FixKind::AzureProvisionOnDemand,
            FixTarget {
                users: entra_missing,
                job_id,
                ..FixTarget::default()
            },
        );
    } else if scim_gone > 0 || total > 0 {
        f = f.fix(FixKind::SpManualSync, FixTarget::default());
    }
    f
}
