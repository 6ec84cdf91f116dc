//! The council's ceilings for amounts typed into forms, as the use cases read them: the version
//! of the "sense_checks" configuration in force today.

use crate::{App, AppError, AppResult};
use tailor_domain::sense_checks::AmountCeilings;
use tailor_store::StoreError;

/// The configuration kind and id the ceilings are kept under.
pub const SENSE_CHECKS: &str = "sense_checks";
pub const CEILINGS_ID: &str = "ceilings";

impl App {
    /// The ceilings in force today. Not personal data, so no access check.
    pub async fn amount_ceilings(&self) -> AppResult<AmountCeilings> {
        let version = self.configuration_on(SENSE_CHECKS, CEILINGS_ID, self.clock.today()).await?;
        AmountCeilings::parse(&version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))
    }
}
