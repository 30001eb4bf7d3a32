//! Checks on the customer's Entra provisioning job (Microsoft Graph synchronization API).

use chrono::{DateTime, Duration, Utc};

use super::util::{ago, human, minutes_between, skipped, unavailable};
use super::{Finding, FixKind, FixTarget, Status};
use crate::providers::graph::{JobCode, QuarantineReason, ScheduleState, SyncJob};
use crate::snapshot::{AzureSnapshot, Snapshot};

/// Entra's incremental cycle runs about every 40 minutes (not configurable).
pub const CYCLE_MINUTES: i64 = 40;

fn azure<'a>(
    snap: &'a Snapshot,
    check: &str,
    faq: &str,
) -> Result<&'a AzureSnapshot, Box<Finding>> {
    snap.azure
        .get()
        .ok_or_else(|| Box::new(skipped(check, faq, "Entra ID", "azure")))
}

fn jobs<'a>(snap: &'a Snapshot, check: &str, faq: &str) -> Result<&'a [SyncJob], Box<Finding>> {
    azure(snap, check, faq)?
        .jobs
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| Box::new(unavailable(check, faq, "the Entra provisioning jobs", e)))
}

/// The provisioning job the checks look at: the SCIM one when there are several.
pub fn main_job(jobs: &[SyncJob]) -> Option<&SyncJob> {
    jobs.iter()
        .find(|j| {
            j.template_id.as_deref().is_some_and(|t| {
                t.eq_ignore_ascii_case("scim") || t.to_lowercase().contains("scim")
            })
        })
        .or_else(|| jobs.first())
}

/// When the next incremental cycle is due, from the last successful one.
pub fn next_cycle(job: &SyncJob) -> Option<DateTime<Utc>> {
    let interval = job
        .interval_secs()
        .filter(|s| *s > 0)
        .map(|s| Duration::seconds(s as i64))
        .unwrap_or(Duration::minutes(CYCLE_MINUTES));
    // A time at the end of chrono's range (a hostile API's "+262143-12-31") has no next.
    job.last_success_end()
        .and_then(|t| t.checked_add_signed(interval))
}

/// "in 12 min", "now (4 min overdue)".
pub fn until(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let m = minutes_between(now, t);
    if m >= 0 {
        format!("in {}", human(m))
    } else {
        format!("now ({} overdue)", human(-m))
    }
}

fn code_name(c: &JobCode) -> String {
    match c {
        JobCode::NotConfigured => "NotConfigured".into(),
        JobCode::NotRun => "NotRun".into(),
        JobCode::Active => "Active".into(),
        JobCode::Paused => "Paused".into(),
        JobCode::Quarantine => "Quarantine".into(),
        JobCode::Other(s) => s.to_string(),
    }
}

pub fn sync_lag(snap: &Snapshot) -> Finding {
    const ID: &str = "azure.sync_lag";
    const FAQ: &str = "azure-provisioning-interval";
    let jobs = match jobs(snap, ID, FAQ) {
        Ok(j) => j,
        Err(f) => return *f,
    };
    let Some(job) = main_job(jobs) else {
        return Finding::new(ID, Status::Info, "No provisioning job to measure", FAQ)
            .detail("The service principal has no synchronization job; see azure.job_state.");
    };
    let now = snap.fetched_at;
    let code = job.code().cloned();
    let Some(last) = job.last_success_end() else {
        let running = matches!(code, Some(JobCode::Active | JobCode::NotRun));
        let status = if running {
            Status::Warning
        } else {
            Status::Error
        };
        let state = code
            .as_ref()
            .map(code_name)
            .unwrap_or_else(|| "unknown".into());
        return Finding::new(
            ID,
            status,
            format!("Job {} has never completed a successful cycle", job.id),
            FAQ,
        )
        .detail(if running {
            format!("The job is {state}; its first (initial) cycle may still be running, which can take much longer than 40 minutes.")
        } else {
            format!("The job is {state}, so no cycle will run until it is started.")
        });
    };
    let lag = minutes_between(last, now);
    let next = next_cycle(job)
        .map(|t| format!(" The next cycle is expected {}.", until(t, now)))
        .unwrap_or_default();
    let quarantined = matches!(code, Some(JobCode::Quarantine));
    let slow = if quarantined {
        " The job is in quarantine, so cycles run far less often (down to once a day)."
    } else {
        ""
    };
    if lag <= CYCLE_MINUTES {
        return Finding::new(
            ID,
            Status::Ok,
            format!("Last successful Entra cycle ended {} ago", ago(last, now)),
            FAQ,
        )
        .detail(format!(
            "Entra provisions about every {CYCLE_MINUTES} minutes, so a newly assigned user can take up to {CYCLE_MINUTES} minutes to appear.{next}"
        ));
    }
    let status = if lag > 2 * CYCLE_MINUTES {
        Status::Error
    } else {
        Status::Warning
    };
    Finding::new(
        ID,
        status,
        format!(
            "No successful Entra cycle for {} ({} min; expected every {CYCLE_MINUTES})",
            ago(last, now),
            lag
        ),
        FAQ,
    )
    .detail(format!(
        "The last successful cycle of job {} ended {} ago.{next}{slow}",
        job.id,
        ago(last, now)
    ))
}

fn reason_words(r: &QuarantineReason) -> String {
    match r {
        QuarantineReason::EncounteredQuarantineException => {
            "EncounteredQuarantineException: the credentials are invalid or Entra cannot connect to the SCIM endpoint".into()
        }
        QuarantineReason::EncounteredEscrowProportionThreshold => {
            "EncounteredEscrowProportionThreshold: more than 40% of provisioning events failed".into()
        }
        QuarantineReason::EncounteredBaseEscrowThreshold => {
            "EncounteredBaseEscrowThreshold: too many provisioning failures".into()
        }
        QuarantineReason::EncounteredTotalEscrowThreshold => {
            "EncounteredTotalEscrowThreshold: the total number of failures passed the limit".into()
        }
        QuarantineReason::QuarantinedOnDemand => "QuarantinedOnDemand: quarantined by Microsoft".into(),
        QuarantineReason::TooManyDeletes => {
            "TooManyDeletes: accidental-deletion prevention held back deletes".into()
        }
        QuarantineReason::IngestionInterrupted => "IngestionInterrupted".into(),
        QuarantineReason::Unknown => "Unknown".into(),
        QuarantineReason::Other(s) => s.to_string(),
    }
}

pub fn job_state(snap: &Snapshot) -> Finding {
    const ID: &str = "azure.job_state";
    const FAQ: &str = "azure-job-quarantine";
    const FAQ_PAUSED: &str = "azure-job-paused";
    let jobs = match jobs(snap, ID, FAQ) {
        Ok(j) => j,
        Err(f) => return *f,
    };
    let Some(job) = main_job(jobs) else {
        return Finding::new(
            ID,
            Status::Warning,
            "The Entra app has no provisioning job",
            FAQ_PAUSED,
        )
        .detail("Provisioning has not been set up for this enterprise app.");
    };
    let now = snap.fetched_at;
    let target = FixTarget {
        job_id: Some(job.id.to_string()),
        ..FixTarget::default()
    };
    let schedule = job.schedule.as_ref().and_then(|s| s.state.clone());
    match job.code() {
        Some(JobCode::Quarantine) => {
            let q = job.quarantine();
            let reason = q
                .and_then(|q| q.reason.as_ref())
                .map(reason_words)
                .unwrap_or_else(|| "no reason given".into());
            let next = q
                .and_then(|q| q.next_attempt)
                .map(|t| {
                    format!(
                        " Next attempt {} ({}).",
                        until(t, now),
                        t.format("%H:%M UTC")
                    )
                })
                .unwrap_or_default();
            let mut evidence = vec![format!("reason: {reason}")];
            if let Some(e) = q.and_then(|q| q.error.as_ref()) {
                let code = e.code.as_deref().unwrap_or("error");
                let msg = e.message.as_deref().unwrap_or("");
                evidence.push(format!("{code}: {msg}"));
            }
            if let Some(began) = q.and_then(|q| q.series_began.or(q.current_began)) {
                evidence.push(format!("in quarantine for {}", ago(began, now)));
            }
            Finding::new(ID, Status::Error, format!("Provisioning job {} is in quarantine", job.id), FAQ)
                .detail(format!(
                    "Entra slows a quarantined job to as little as one cycle a day and disables it after four weeks.{next} Fix the cause, then restart the job."
                ))
                .evidence(evidence)
                .fix(FixKind::AzureRestartJob, target)
        }
        Some(JobCode::Paused) => Finding::new(
            ID,
            Status::Warning,
            format!("Provisioning job {} is paused", job.id),
            FAQ_PAUSED,
        )
        .detail("No cycle runs while the job is paused; starting it resumes from where it stopped.")
        .fix(FixKind::AzureStartJob, target),
        _ if matches!(
            schedule,
            Some(ScheduleState::Disabled | ScheduleState::Paused)
        ) =>
        {
            Finding::new(
                ID,
                Status::Warning,
                format!("The schedule of provisioning job {} is disabled", job.id),
                FAQ_PAUSED,
            )
            .detail("No cycle is scheduled; start the job to resume provisioning.")
            .fix(FixKind::AzureStartJob, target)
        }
        Some(c @ (JobCode::NotConfigured | JobCode::NotRun)) => Finding::new(
            ID,
            Status::Warning,
            format!("Provisioning job {} is {}", job.id, code_name(c)),
            FAQ_PAUSED,
        )
        .detail(match c {
            JobCode::NotConfigured => "The job was never configured or given admin credentials.",
            _ => "The job is configured but its first cycle has not finished.",
        }),
        Some(JobCode::Active) => Finding::new(
            ID,
            Status::Ok,
            format!("Provisioning job {} is active", job.id),
            FAQ,
        ),
        Some(JobCode::Other(c)) => Finding::new(
            ID,
            Status::Info,
            format!("Provisioning job {} reports state `{c}`", job.id),
            FAQ,
        ),
        None => Finding::new(
            ID,
            Status::Info,
            format!("Provisioning job {} reports no status", job.id),
            FAQ,
        ),
    }
}
