//! Work that runs later: a job is a row in the jobs table, enqueued in the same transaction as
//! the change that needs it and run by a worker (inside `tailor serve`, or `tailor jobs run`).
//! This module holds the rules that need no I/O: what a job is, and when a failed one is retried.

use crate::ids::JobId;
use crate::people::labelled_enum;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    JobStatus {
        Queued => ("queued", "Waiting to run"),
        Running => ("running", "Running"),
        Done => ("done", "Done"),
        Failed => ("failed", "Failed, no more tries"),
    }
);

labelled_enum!(
    /// The kinds of later work Tailor knows how to do. Payment runs, letters and reminders join
    /// this list as they are built.
    JobKind {
        SessionCleanup => ("session_cleanup", "Remove expired sign-in sessions"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    /// What the job needs, as JSON text: ids, never personal details.
    pub payload: String,
    pub status: JobStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// A recurring job's slot, so that several instances enqueue it once.
    pub dedupe_key: Option<String>,
}

impl Job {
    pub fn new(kind: JobKind, payload: String, run_at: DateTime<Utc>, now: DateTime<Utc>) -> Job {
        Job {
            id: JobId::generate(),
            kind: kind.as_str().to_owned(),
            payload,
            status: JobStatus::Queued,
            attempts: 0,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            run_at,
            locked_by: None,
            locked_until: None,
            last_error: None,
            created_at: now,
            finished_at: None,
            dedupe_key: None,
        }
    }
}

pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;

/// How long a worker may hold a job before another may take it over (a crashed worker's job
/// becomes due again after this).
pub fn lease() -> Duration {
    Duration::minutes(10)
}

/// When to try again after the `attempts`-th failure: 30 seconds, doubling each time, at most
/// an hour, so a job that fails because something is down does not hammer it.
pub fn retry_delay(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    let seconds = 30_i64.saturating_mul(1_i64 << doublings);
    Duration::seconds(seconds.min(3_600))
}

/// What becomes of a job that failed on its `attempts`-th try.
pub fn after_failure(attempts: i64, max_attempts: i64, now: DateTime<Utc>) -> (JobStatus, Option<DateTime<Utc>>) {
    if attempts >= max_attempts {
        (JobStatus::Failed, None)
    } else {
        (JobStatus::Queued, Some(now + retry_delay(attempts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop() {
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(4), Duration::seconds(240));
        assert_eq!(retry_delay(50), Duration::seconds(3_600));
        let now = Utc::now();
        assert_eq!(after_failure(2, 5, now), (JobStatus::Queued, Some(now + Duration::seconds(60))));
        assert_eq!(after_failure(5, 5, now), (JobStatus::Failed, None));
    }

    #[test]
    fn job_names_round_trip() {
        for status in [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Failed] {
            assert_eq!(JobStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(JobKind::parse("session_cleanup"), Some(JobKind::SessionCleanup));
    }
}
