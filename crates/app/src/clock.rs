//! The time, passed in rather than read, so tests can say what day it is.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    /// Now, truncated to microseconds: the precision both databases keep, so what is written
    /// reads back equal.
    fn now(&self) -> DateTime<Utc>;

    /// Today in England. Dates in social care (birthdays, review dates) are local dates.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono_tz::Europe::London).date_naive()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that only moves when told to.
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at.trunc_subsecs(6)))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}
