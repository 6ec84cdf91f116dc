//! Worklists that run a working day: the caseload with each person's stage, since when and
//! days waiting, sorted and filtered by stage; and a manager's plans over tolerance with how far
//! over, since when and who agreed them.

use crate::{App, AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use tailor_domain::access::{caseload_scope, Actor, CaseloadScope, Permission};
use tailor_domain::allocation::AllocationModel;
use tailor_domain::money::Money;
use tailor_domain::worklists::{CaseStage, CaseloadEntry, CaseloadSort, OverTolerance};
use tailor_domain::{PersonId, PlanId};
use tailor_store::{CaseloadQuery, PeopleFilter};

/// People a caseload page shows.
pub const CASELOAD_PAGE_SIZE: i64 = 50;

/// A page of a caseload, with the count at each stage and the day the days waiting count to.
#[derive(Clone, Debug)]
pub struct CaseloadWorklist {
    pub entries: Vec<CaseloadEntry>,
    pub by_stage: Vec<(CaseStage, i64)>,
    /// People matching the stage filter (everyone on the caseload without one).
    pub matching: i64,
    pub today: NaiveDate,
}

/// A plan waiting for a team manager, and how far over the council's tolerance it is.
#[derive(Clone, Debug)]
pub struct PlanOverTolerance {
    pub plan_id: PlanId,
    pub person_id: PersonId,
    pub waiting_since: DateTime<Utc>,
    pub days_waiting: i64,
    pub over: OverTolerance,
    /// The panel threshold, when the plan's cost is above it.
    pub above_panel_threshold: Option<Money>,
    pub agreed_by_name: String,
}

impl App {
    /// The caller's caseload with each person's stage. Like the caseload, a list of names is not
    /// logged as a read of each record; opening one is.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn caseload_worklist(
        &self,
        actor: &Actor,
        stage: Option<CaseStage>,
        sort: CaseloadSort,
        page: i64,
    ) -> AppResult<CaseloadWorklist> {
        self.require(actor, Permission::ViewCaseload, "see a caseload").await?;
        let mut errors = tailor_domain::validation::ValidationErrors::default();
        let page = tailor_domain::validation::check_page(&mut errors, "page", page);
        errors.into_result(())?;
        let filter = match caseload_scope(actor) {
            CaseloadScope::AllocatedTo(worker) => PeopleFilter::AllocatedTo(worker),
            CaseloadScope::TeamOrAllocated { team, worker } => PeopleFilter::TeamOrAllocated { team, worker },
            CaseloadScope::Everyone => PeopleFilter::Everyone,
            CaseloadScope::Nobody => {
                self.record_refusal(actor, "see a caseload", None).await;
                return Err(AppError::Forbidden);
            }
        };
        let found = self
            .store
            .caseload_stages(&CaseloadQuery {
                filter,
                stage,
                sort,
                limit: CASELOAD_PAGE_SIZE,
                offset: page * CASELOAD_PAGE_SIZE,
            })
            .await?;
        let matching = found
            .by_stage
            .iter()
            .filter(|(counted, _)| stage.is_none_or(|wanted| wanted == *counted))
            .map(|(_, count)| count)
            .sum();
        Ok(CaseloadWorklist {
            entries: found.entries,
            by_stage: found.by_stage,
            matching,
            today: self.clock.today(),
        })
    }

    /// Plans waiting for this team manager, longest waiting first, each with how far over the
    /// indicative budget and the tolerance it is. Empty for anyone who does not give a second
    /// sign-off.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn plans_over_tolerance(&self, actor: &Actor) -> AppResult<Vec<PlanOverTolerance>> {
        if !actor.role.holds_caseload_queues() || !actor.role.gives_second_sign_off() {
            return Ok(Vec::new());
        }
        let filter = PeopleFilter::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        };
        let today = self.clock.today();
        let waiting = self.store.plans_for_manager(&filter, 50).await?;
        let mut models: Vec<(String, AllocationModel)> = Vec::new();
        let mut found = Vec::with_capacity(waiting.len());
        for plan in waiting {
            // Plans in one team mostly share a model: read each model's text once.
            let model = match models.iter().find(|(source, _)| *source == plan.model_source) {
                Some((_, model)) => model.clone(),
                None => {
                    let model = AllocationModel::parse(&plan.model_source)
                        .map_err(|problem| AppError::internal("reading an allocation model", problem))?;
                    models.push((plan.model_source.clone(), model.clone()));
                    model
                }
            };
            found.push(PlanOverTolerance {
                plan_id: plan.plan_id,
                person_id: plan.person_id,
                days_waiting: (today - plan.waiting_since.date_naive()).num_days().max(0),
                waiting_since: plan.waiting_since,
                over: OverTolerance::work_out(plan.plan_cost, plan.indicative, model.tolerance_percent),
                above_panel_threshold: (plan.plan_cost > model.panel_threshold).then_some(model.panel_threshold),
                agreed_by_name: plan.agreed_by_name,
            });
        }
        Ok(found)
    }
}
