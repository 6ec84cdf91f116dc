//! Work that runs later. A job is enqueued (in the same transaction as the change that needs it,
//! or on a schedule) and run by `run_due_jobs`: inside `tailor serve` every half minute, or once
//! by `tailor jobs run` for cron-style use. Several instances on one PostgreSQL database never
//! run the same job twice: claiming is a conditional write that skips rows others hold.

use crate::{App, AppError, AppResult};
use chrono::Timelike;
use tailor_domain::access::{Actor, Permission};
use tailor_domain::jobs::{after_failure, lease, Job, JobKind, JobStatus};
use tailor_store::JobOutcome;

/// How often the recurring jobs are due, in minutes: one slot each this long.
const RECURRING_SLOT_MINUTES: u32 = 10;

impl App {
    /// Enqueues the recurring jobs for the current slot; every instance may call this, and the
    /// slot's dedupe key keeps it to one job.
    pub async fn schedule_recurring_jobs(&self) -> AppResult<()> {
        let now = self.clock.now();
        let slot_minute = now.minute() - now.minute() % RECURRING_SLOT_MINUTES;
        let slot = format!("{}{:02}", now.format("%Y-%m-%dT%H:"), slot_minute);
        let mut cleanup = Job::new(JobKind::SessionCleanup, "{}".into(), now, now);
        cleanup.dedupe_key = Some(format!("{}/{slot}", JobKind::SessionCleanup.as_str()));
        self.store.enqueue_job(&cleanup, None).await?;
        Ok(())
    }

    /// Runs every job that is due, one at a time, as `worker`; returns how many ran.
    pub async fn run_due_jobs(&self, worker: &str) -> AppResult<usize> {
        let mut ran = 0;
        loop {
            let now = self.clock.now();
            let Some(job) = self.store.claim_job(worker, now, now + lease()).await? else {
                return Ok(ran);
            };
            ran += 1;
            let outcome = match self.run_job(&job).await {
                Ok(()) => JobOutcome::Done,
                Err(error) => {
                    let error = error.to_string();
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "a job failed");
                    match after_failure(job.attempts, job.max_attempts, self.clock.now()) {
                        (JobStatus::Queued, Some(at)) => JobOutcome::Retry { at, error },
                        _ => JobOutcome::Failed { error },
                    }
                }
            };
            self.store.finish_job(job.id, worker, &outcome, self.clock.now()).await?;
        }
    }

    async fn run_job(&self, job: &Job) -> AppResult<()> {
        match JobKind::parse(&job.kind) {
            Some(JobKind::SessionCleanup) => {
                let now = self.clock.now();
                let removed = self
                    .store
                    .delete_expired_sessions(now - self.sessions.idle_timeout, now - self.sessions.absolute_timeout)
                    .await?;
                tracing::info!(removed, "expired sessions removed");
                // Sign-in counts live no longer than their window: without this, every email
                // ever tried from every address would keep a row.
                let forgotten = self
                    .store
                    .delete_stale_sign_in_attempts(now - self.sessions.throttle_window, now)
                    .await?;
                tracing::info!(forgotten, "old sign-in counts removed");
                Ok(())
            }
            None => Err(AppError::Store(tailor_store::StoreError::Other(format!(
                "no worker knows jobs of kind {:?}",
                job.kind
            )))),
        }
    }

    /// The latest jobs, for administrators.
    pub async fn list_jobs(&self, actor: &Actor) -> AppResult<Vec<Job>> {
        self.require(actor, Permission::AdministerUsers, "see scheduled work").await?;
        Ok(self.store.list_jobs(200).await?)
    }
}
