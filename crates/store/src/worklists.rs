//! The worklists' half of the port: a caseload with each person's stage, and the plans waiting
//! for a team manager with the figures they were agreed on. Each is a few statements however
//! long the list, never one a person.

use crate::{PeopleFilter, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tailor_domain::access::PersonAccessFacts;
use tailor_domain::money::Money;
use tailor_domain::worklists::{CaseStage, CaseloadEntry, CaseloadSort};
use tailor_domain::{PersonId, PlanId};

#[derive(Clone, Debug)]
pub struct CaseloadQuery {
    pub filter: PeopleFilter,
    /// Only people at this stage; everyone when `None`.
    pub stage: Option<CaseStage>,
    pub sort: CaseloadSort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseloadStages {
    /// The page asked for.
    pub entries: Vec<CaseloadEntry>,
    /// How many people are at each stage, over the whole caseload (not only this page), in the
    /// order of the stages; stages with nobody are left out.
    pub by_stage: Vec<(CaseStage, i64)>,
}

/// A plan waiting for a team manager, with what the practitioner agreed it on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanForManager {
    pub plan_id: PlanId,
    pub person_id: PersonId,
    /// When the practitioner agreed it and it went to a manager.
    pub waiting_since: DateTime<Utc>,
    pub plan_cost: Money,
    pub indicative: Money,
    pub agreed_by_name: String,
    /// The allocation model the indicative budget came from (its tolerance and panel threshold).
    pub model_source: String,
}

#[async_trait]
pub trait WorklistStore: Send + Sync + 'static {
    /// A page of a caseload with each person's stage and since when, and the count at each stage.
    async fn caseload_stages(&self, query: &CaseloadQuery) -> StoreResult<CaseloadStages>;
    /// Plans waiting for a team manager, longest waiting first.
    async fn plans_for_manager(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<PlanForManager>>;
    /// The people named in a work queue, each with the facts the access rule needs and their
    /// full name, in one statement however many there are; ids not found are left out.
    async fn names_with_access_facts(&self, people: &[PersonId]) -> StoreResult<Vec<(PersonAccessFacts, String)>>;
}
