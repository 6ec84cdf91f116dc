//! Steps 2 and 3, my plan and my plan agreed: the person's support plan, costed against the
//! indicative budget; sign-off by one question; the personal budget statement (Care Act s25-26);
//! and challenges to the budget. Every change of state is a conditional write: of many
//! simultaneous decisions on one plan, exactly one lands.

use super::{BUDGET, PLAN};
use crate::people::single_error;
use crate::{App, AppError, AppResult};
use tailor_domain::access::{may, Actor, Capability, PersonAccess};
use tailor_domain::allocation::{needs_second_approval, AllocationModel};
use tailor_domain::assessments::{AllocationRecord, AssessmentStatus};
use tailor_domain::audit::AuditAction;
use tailor_domain::charging::{weekly_contribution, ChargingError, ChargingRates};
use tailor_domain::money::Money;
use tailor_domain::plans::*;
use tailor_domain::sense_checks::{require_confirmation, AmountsConfirmed};
use tailor_domain::{BudgetId, PersonId, PlanDecisionId, PlanId};
use tailor_store::{Expect, PeopleFilter, StoreError};

/// What is waiting for a worker: assessments to check, decisions to make, plans to agree,
/// challenges to answer.
#[derive(Clone, Debug, Default)]
pub struct WorkQueues {
    pub assessments_to_check: Vec<tailor_domain::assessments::Assessment>,
    pub eligibility_to_decide: Vec<tailor_domain::assessments::Assessment>,
    pub plans_to_agree: Vec<SupportPlan>,
    pub plans_for_manager: Vec<SupportPlan>,
    pub challenges: Vec<Challenge>,
}

impl App {
    /// Saves the person's plan (a draft, or `submit` it for agreement). Amounts above the
    /// council's ceilings are refused: see `save_plan_confirmed`.
    pub async fn save_plan(&self, actor: &Actor, person_id: PersonId, input: &PlanInput, submit: bool) -> AppResult<SupportPlan> {
        self.save_plan_confirmed(actor, person_id, input, submit, AmountsConfirmed::No)
            .await
    }

    /// Saves the person's plan; a line or a yearly cost above the council's ceilings is saved
    /// only when the person typing has confirmed it (`confirmed`), draft or not.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn save_plan_confirmed(
        &self,
        actor: &Actor,
        person_id: PersonId,
        input: &PlanInput,
        submit: bool,
        confirmed: AmountsConfirmed,
    ) -> AppResult<SupportPlan> {
        self.require_capability(actor, person_id, Capability::WritePlan, "write a support plan")
            .await?;
        let allocation = self.store.list_allocations(person_id).await?.into_iter().next().ok_or_else(|| {
            single_error(
                "plan",
                "There is no indicative budget yet: the self-assessment and eligibility decision come first",
            )
        })?;
        let not_eligible_now = self
            .store
            .list_eligibility(person_id)
            .await?
            .into_iter()
            .find(|record| record.assessment_id == allocation.assessment_id && record.is_current())
            .is_some_and(|record| !record.decision.eligible);
        if not_eligible_now {
            return Err(single_error(
                "plan",
                "Eligibility was decided again and the person is not eligible now, so there is no budget to plan with",
            ));
        }
        let content = input.parse(submit)?;
        // A plan being written is costed under the council's year rule of the day.
        let cost = content
            .annual_cost(self.year_rule)
            .map_err(|_| single_error("line_description_1", "The plan's cost is too large to work out"))?;
        require_confirmation(&self.amount_ceilings().await?.check_plan(&content, self.year_rule), confirmed)?;
        let now = self.clock.now();
        let existing = self
            .store
            .list_plans(person_id)
            .await?
            .into_iter()
            .find(|plan| plan.status != PlanStatus::Agreed);
        if let Some(waiting) = existing
            .as_ref()
            .filter(|plan| matches!(plan.status, PlanStatus::Submitted | PlanStatus::AwaitingManager))
        {
            return Err(single_error(
                "plan",
                &format!(
                    "This plan has been sent to the council ({}), so it cannot change now",
                    waiting.status.label().to_lowercase()
                ),
            ));
        }
        let event = self
            .event(
                actor,
                if submit {
                    AuditAction::PlanSubmitted
                } else {
                    AuditAction::PlanSaved
                },
            )
            .person(person_id)
            .details(serde_json::json!({ "annual_cost_pence": cost.pence(), "indicative_pence": allocation.indicative().pence() }));
        match existing {
            Some(mut plan) => {
                let (from, version) = (plan.status.as_str(), plan.version);
                plan.content = content;
                plan.allocation_id = allocation.id;
                if !plan.written_by.contains(&actor.display_name) {
                    plan.written_by.push(actor.display_name.clone());
                }
                plan.updated_at = now;
                plan.year_rule = self.year_rule;
                if submit {
                    plan.status = PlanStatus::Submitted;
                }
                let event = event.subject(PLAN, plan.id);
                self.store.update_plan(&plan, Expect { from: &[from], version }, &event).await?;
                plan.version += 1;
                Ok(plan)
            }
            None => {
                let plan = SupportPlan {
                    id: PlanId::generate(),
                    person_id,
                    allocation_id: allocation.id,
                    status: if submit { PlanStatus::Submitted } else { PlanStatus::Drafting },
                    content,
                    written_by: vec![actor.display_name.clone()],
                    decisions: Vec::new(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    year_rule: self.year_rule,
                };
                let event = event.subject(PLAN, plan.id);
                self.store.insert_plan(&plan, &event).await.map_err(|error| match error {
                    StoreError::Conflict { .. } => AppError::Store(StoreError::StateChanged("a plan was started at the same time")),
                    other => other.into(),
                })?;
                Ok(plan)
            }
        }
    }

    /// A plan, the indicative budget it is written against, and what the actor may do. Logged.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), plan = %plan_id))]
    pub async fn open_plan(&self, actor: &Actor, plan_id: PlanId) -> AppResult<(SupportPlan, AllocationRecord, PersonAccess)> {
        let plan = self.store.get_plan(plan_id).await?;
        let access = self
            .require_capability(actor, plan.person_id, Capability::ViewPlan, "open a support plan")
            .await?;
        let allocation = self.store.get_allocation(plan.allocation_id).await?;
        self.log_planning_read(actor, plan.person_id, PLAN, plan.id.to_string(), &["plan"])
            .await?;
        Ok((plan, allocation, access))
    }

    /// Sign-off: is this a realistic plan to meet the agreed outcomes? Over-tolerance plans also
    /// need a team manager. Agreement issues the personal budget statement.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), plan = %plan_id))]
    pub async fn decide_plan(
        &self,
        actor: &Actor,
        plan_id: PlanId,
        input: &DecisionInput,
    ) -> AppResult<(SupportPlan, Option<PersonalBudget>)> {
        let (mut plan, allocation, access) = self.open_plan(actor, plan_id).await?;
        let stage = match plan.status {
            PlanStatus::Submitted => DecisionStage::Practitioner,
            PlanStatus::AwaitingManager => DecisionStage::Manager,
            _ => return Err(single_error("verdict", "This plan is not waiting for a decision")),
        };
        let needed = match stage {
            DecisionStage::Practitioner => Capability::AgreePlan,
            DecisionStage::Manager => Capability::AgreePlanAboveTolerance,
        };
        self.refuse_unless(actor, &access, needed, plan.person_id, "decide on a support plan")
            .await?;
        let (verdict, reason, refused_lines) = input.parse(plan.content.lines.len())?;
        // Decided, and if agreed kept, under the council's year rule of the day.
        plan.year_rule = self.year_rule;
        let cost = plan
            .content
            .annual_cost(self.year_rule)
            .map_err(|_| single_error("verdict", "The plan's cost is too large to work out"))?;
        let indicative = allocation.indicative();
        let now = self.clock.now();
        let from = plan.status;
        let version = plan.version;
        let decision = PlanDecision {
            id: PlanDecisionId::generate(),
            stage,
            verdict,
            reason: reason.clone(),
            refused_lines: refused_lines.clone(),
            refusal_ground: input.refusal_ground(),
            plan_cost: cost,
            indicative,
            decided_by: actor.user_id,
            decided_by_name: actor.display_name.clone(),
            decided_at: now,
        };
        plan.updated_at = now;
        let mut events = vec![self
            .event(actor, AuditAction::PlanDecided)
            .person(plan.person_id)
            .subject(PLAN, plan.id)
            .details(serde_json::json!({ "stage": stage, "verdict": verdict.as_str(), "refused_lines": refused_lines, "plan_cost_pence": cost.pence(), "indicative_pence": indicative.pence() }))];
        let mut budget = None;
        match verdict {
            Verdict::ChangesRequested | Verdict::SpendingRefused => plan.status = PlanStatus::ChangesRequested,
            Verdict::Agreed => {
                let model = AllocationModel::parse(&allocation.model_source)
                    .map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
                if stage == DecisionStage::Practitioner
                    && needs_second_approval(&model, indicative, cost)
                    && !may(actor, &access, Capability::AgreePlanAboveTolerance)
                {
                    plan.status = PlanStatus::AwaitingManager;
                } else {
                    let agreed = self.issue_budget(actor, &plan, &allocation, cost, indicative, now).await?;
                    plan.status = PlanStatus::Agreed;
                    events.push(
                        self.event(actor, AuditAction::BudgetAgreed)
                            .person(plan.person_id)
                            .subject(BUDGET, agreed.id)
                            .details(serde_json::json!({ "annual_cost_pence": cost.pence(), "annual_contribution_pence": agreed.annual_contribution.pence(), "indicative_pence": indicative.pence() })),
                    );
                    budget = Some(agreed);
                }
            }
        }
        let expect = Expect {
            from: &[from.as_str()],
            version,
        };
        if let Err(error) = self.store.decide_plan(&plan, expect, &decision, budget.as_ref(), &events).await {
            if let StoreError::StateChanged(_) = error {
                self.record_refusal(actor, "decide on a support plan someone else decided first", Some(plan.person_id))
                    .await;
            }
            return Err(error.into());
        }
        plan.version += 1;
        plan.decisions.push(decision);
        Ok((plan, budget))
    }

    /// The personal budget statement for an agreed plan, from the latest financial assessment.
    async fn issue_budget(
        &self,
        actor: &Actor,
        plan: &SupportPlan,
        allocation: &AllocationRecord,
        cost: Money,
        indicative: Money,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<PersonalBudget> {
        let financial = self
            .store
            .list_financial_assessments(plan.person_id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                single_error(
                    "verdict",
                    "Record a financial assessment (or that the person declined one) before agreeing the plan",
                )
            })?;
        let rates =
            ChargingRates::parse(&financial.rates_source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
        // Only the services that can be charged for count: reablement, aftercare, equipment and
        // the rest of the free list never add to what the person pays.
        let services = plan
            .content
            .service_lines_on(Some(self.clock.today()), plan.year_rule)
            .map_err(|_| single_error("verdict", "The amounts are too large to work with"))?;
        let contribution = weekly_contribution(&rates, &financial.circumstances, &services).map_err(|problem| {
            let next_step = match problem {
                ChargingError::UnknownFreeService(_) => "Ask for the plan line to be changed.",
                _ => "Record the financial assessment again.",
            };
            single_error("verdict", &format!("The contribution cannot be worked out: {problem}. {next_step}"))
        })?;
        let chargeable_annual = contribution
            .chargeable_weekly_cost
            .annual_from_weekly(plan.year_rule)
            .map_err(|_| single_error("verdict", "The amounts are too large"))?;
        let annual_contribution = contribution
            .weekly
            .annual_from_weekly(plan.year_rule)
            .map_err(|_| single_error("verdict", "The amounts are too large"))?
            .min(chargeable_annual)
            .min(cost);
        Ok(PersonalBudget {
            id: BudgetId::generate(),
            person_id: plan.person_id,
            plan_id: plan.id,
            allocation_id: allocation.id,
            financial_assessment_id: Some(financial.id),
            indicative_annual: indicative,
            annual_cost: cost,
            annual_contribution,
            annual_council_amount: cost
                .checked_sub(annual_contribution)
                .map_err(|_| single_error("verdict", "The amounts are too large"))?,
            contribution_basis: rates.contribution_basis,
            money_manager: plan.content.money_manager.ok_or_else(|| {
                single_error(
                    "verdict",
                    "The plan does not say who will manage the money: ask for changes so the person can choose",
                )
            })?,
            agreed_by: actor.user_id,
            agreed_by_name: actor.display_name.clone(),
            agreed_at: now,
            year_rule: plan.year_rule,
        })
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), budget = %budget_id))]
    pub async fn open_budget(&self, actor: &Actor, budget_id: BudgetId) -> AppResult<(PersonalBudget, PersonAccess)> {
        let budget = self.store.get_budget(budget_id).await?;
        let access = self
            .require_capability(actor, budget.person_id, Capability::ViewBudget, "see a personal budget")
            .await?;
        self.log_planning_read(actor, budget.person_id, BUDGET, budget.id.to_string(), &["budget"])
            .await?;
        Ok((budget, access))
    }

    /// What is waiting for this worker: assessments to check, plans to agree, challenges to answer.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn work_queues(&self, actor: &Actor) -> AppResult<WorkQueues> {
        if !actor.role.holds_caseload_queues() {
            return Ok(WorkQueues::default());
        }
        let filter = PeopleFilter::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        };
        let store = &self.store;
        let mut queues = WorkQueues {
            assessments_to_check: store.assessments_waiting(AssessmentStatus::Submitted, &filter, 50).await?,
            eligibility_to_decide: store.assessments_to_decide(&filter, 50).await?,
            plans_to_agree: store.plans_waiting(PlanStatus::Submitted, &filter, 50).await?,
            ..WorkQueues::default()
        };
        if actor.role.gives_second_sign_off() {
            queues.plans_for_manager = store.plans_waiting(PlanStatus::AwaitingManager, &filter, 50).await?;
        }
        // Challenges wait for their owner, whoever that is (`challenges::challenge_owner`).
        queues.challenges = self.challenges_to_answer(actor).await?;
        Ok(queues)
    }
}
