//! The records of steps 1 to 3 and the jobs table, in SQL written once for both engines.
//!
//! Each change of state is conditional: it names the state and version it was read in, and
//! `returning id` tells whether it landed. Unique indexes stop what a condition cannot see
//! (two plans started at once, two decisions on one assessment, two budgets for one plan).
//!
//! Long because every step record's reads and conditional writes are here, beside the helpers that
//! write their rows, which the carry-over of first-storey records shares.

use crate::*;
use tailor_domain::assessments::{AllocationRecord, Assessment, AssessmentStatus, EligibilityRecord, FinancialAssessmentRecord};
use tailor_domain::charging::NeverCharged;
use tailor_domain::jobs::{Job, JobStatus};
use tailor_domain::plans::{Challenge, PersonalBudget, PlanDecision, PlanStatus, SupportPlan};
use tailor_domain::{AllocationId, AssessmentId, BudgetId, ChallengeId, FinancialAssessmentId, JobId, PlanId};
use tailor_store::{
    allocation_columns, assessment_columns, budget_columns, challenge_columns, eligibility_columns, financial_assessment_columns,
    job_columns, plan_columns,
};

/// The people a work queue may show, as query parameters: everyone, or a team and a worker.
pub(crate) fn queue_scope(filter: &PeopleFilter) -> Option<(bool, Option<uuid::Uuid>, Option<uuid::Uuid>)> {
    match filter {
        PeopleFilter::Everyone => Some((true, None, None)),
        PeopleFilter::TeamOrAllocated { team, worker } => Some((false, team.map(|id| id.0), Some(worker.0))),
        PeopleFilter::AllocatedTo(worker) => Some((false, None, Some(worker.0))),
        PeopleFilter::MoneyHeldBy(_) | PeopleFilter::DelegatedTo { .. } => None,
    }
}

/// The one or two states a conditional write accepts, as two parameters.
fn from_states<'a>(expect: &Expect<'a>) -> (&'a str, &'a str) {
    let first = expect.from.first().copied().unwrap_or("");
    (first, expect.from.get(1).copied().unwrap_or(first))
}

impl<E: Engine> SqlStore<E>
where
    for<'c> &'c mut <E::Db as Database>::Connection: sqlx::Executor<'c, Database = E::Db>,
    for<'q> <E::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Db>,
    for<'a> &'a str: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    usize: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> String: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q str: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> i64: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> bool: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> NaiveDate: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Vec<u8>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q [u8]: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Option<uuid::Uuid>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<String>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<i64>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<bool>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<NaiveDate>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<DateTime<Utc>>: sqlx::Encode<'q, E::Db>,
{
    pub(crate) async fn insert_assessment_in(tx: &mut Transaction<'static, E::Db>, assessment: &Assessment) -> StoreResult<()> {
        sqlx::query(
            "insert into assessments (id, person_id, kind, questionnaire_id, questionnaire_version, status, completed_by, started_at, submitted_at, review_accepted, review_questions, review_reason, reviewed_by, reviewed_by_name, reviewed_at, updated_at, version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(assessment.id.0)
        .bind(assessment.person_id.0)
        .bind(assessment.kind.as_str())
        .bind(&assessment.questionnaire_id)
        .bind(assessment.questionnaire_version)
        .bind(assessment.status.as_str())
        .bind(to_json(&assessment.completed_by)?)
        .bind(assessment.started_at)
        .bind(assessment.submitted_at)
        .bind(assessment.review.as_ref().map(|review| review.accepted))
        .bind(assessment.review.as_ref().map(|review| to_json(&review.questions_sent_back)).transpose()?)
        .bind(assessment.review.as_ref().map(|review| review.reason.clone()))
        .bind(assessment.review.as_ref().map(|review| review.reviewed_by.0))
        .bind(assessment.review.as_ref().map(|review| review.reviewed_by_name.clone()))
        .bind(assessment.review.as_ref().map(|review| review.reviewed_at))
        .bind(assessment.updated_at)
        .bind(assessment.version)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        for (question, answer) in &assessment.answers {
            Self::write_answer_in(tx, assessment.id, question, answer).await?;
        }
        Ok(())
    }

    async fn write_answer_in(tx: &mut Transaction<'static, E::Db>, id: AssessmentId, question: &str, answer: &str) -> StoreResult<()> {
        sqlx::query(
            "insert into assessment_answers (assessment_id, question_id, answer_id) values ($1, $2, $3)
             on conflict (assessment_id, question_id) do update set answer_id = excluded.answer_id",
        )
        .bind(id.0)
        .bind(question)
        .bind(answer)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    async fn assessments_from_rows(&self, rows: Vec<<E::Db as Database>::Row>) -> StoreResult<Vec<Assessment>> {
        let mut assessments = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: uuid::Uuid = get(row, "id")?;
            let answers = sqlx::query("select question_id, answer_id from assessment_answers where assessment_id = $1")
                .bind(id)
                .fetch_all(&self.reader)
                .await
                .map_err(database_error)?
                .iter()
                .map(|answer| Ok((get(answer, "question_id")?, get(answer, "answer_id")?)))
                .collect::<StoreResult<Vec<(String, String)>>>()?;
            assessments.push(assessment_from_row(&Columns(row), answers)?);
        }
        Ok(assessments)
    }

    pub(crate) async fn insert_eligibility_in(tx: &mut Transaction<'static, E::Db>, decision: &EligibilityRecord) -> StoreResult<()> {
        let fluctuation = decision.fluctuation.as_ref();
        let redetermination = decision.redetermination.as_ref();
        sqlx::query(
            "insert into eligibility_decisions (id, person_id, assessment_id, eligible, findings, decision, decided_by, decided_by_name, decided_at,
               replaces, redetermination_reason, challenge_id, replaced_at, needs_fluctuate, fluctuation_period, fluctuation_description, prevention_advice)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(decision.id.0)
        .bind(decision.person_id.0)
        .bind(decision.assessment_id.0)
        .bind(decision.decision.eligible)
        .bind(to_json(&decision.findings)?)
        .bind(to_json(&decision.decision)?)
        .bind(decision.decided_by.0)
        .bind(&decision.decided_by_name)
        .bind(decision.decided_at)
        .bind(redetermination.map(|again| again.replaces.0))
        .bind(redetermination.map(|again| again.reason.clone()))
        .bind(redetermination.and_then(|again| again.challenge_id).map(|id| id.0))
        .bind(decision.replaced_at)
        .bind(fluctuation.map(|needs| needs.fluctuate))
        .bind(fluctuation.map(|needs| needs.period.clone()))
        .bind(fluctuation.map(|needs| needs.description.clone()))
        .bind(decision.prevention_advice.clone())
        .execute(&mut **tx)
        .await
        .map_err(|error| match database_error(error) {
            StoreError::Conflict { .. } => state_changed("an eligibility decision was recorded at the same time"),
            other => other,
        })?;
        Ok(())
    }

    pub(crate) async fn insert_allocation_in(tx: &mut Transaction<'static, E::Db>, allocation: &AllocationRecord) -> StoreResult<()> {
        let override_ = allocation.override_.as_ref();
        sqlx::query(
            "insert into allocations (id, person_id, assessment_id, model_source, answers, result, total_pence, calculated_by, calculated_by_name, calculated_at, override_pence, override_reason, override_by, override_by_name, override_at, version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(allocation.id.0)
        .bind(allocation.person_id.0)
        .bind(allocation.assessment_id.0)
        .bind(&allocation.model_source)
        .bind(to_json(&allocation.answers)?)
        .bind(to_json(&allocation.result)?)
        .bind(allocation.result.total_pence)
        .bind(allocation.calculated_by.0)
        .bind(&allocation.calculated_by_name)
        .bind(allocation.calculated_at)
        .bind(override_.map(|change| change.annual.pence()))
        .bind(override_.map(|change| change.reason.clone()))
        .bind(override_.map(|change| change.by.0))
        .bind(override_.map(|change| change.by_name.clone()))
        .bind(override_.map(|change| change.at))
        .bind(allocation.version)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    pub(crate) async fn insert_financial_in(tx: &mut Transaction<'static, E::Db>, record: &FinancialAssessmentRecord) -> StoreResult<()> {
        sqlx::query(
            "insert into financial_assessments (id, person_id, circumstances, rates_source, weekly_cost_pence, weekly_contribution_pence, contribution, assessed_by, assessed_by_name, assessed_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(record.id.0)
        .bind(record.person_id.0)
        .bind(to_json(&record.circumstances)?)
        .bind(&record.rates_source)
        .bind(record.weekly_cost.pence())
        .bind(record.contribution.weekly.pence())
        .bind(to_json(&record.contribution)?)
        .bind(record.assessed_by.0)
        .bind(&record.assessed_by_name)
        .bind(record.assessed_at)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    pub(crate) async fn insert_plan_in(tx: &mut Transaction<'static, E::Db>, plan: &SupportPlan) -> StoreResult<()> {
        let content = &plan.content;
        sqlx::query(
            "insert into plans (id, person_id, allocation_id, status, outcomes, risks, contingency, money_manager, written_by, created_at, updated_at, version, advice, year_rule)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(plan.id.0)
        .bind(plan.person_id.0)
        .bind(plan.allocation_id.0)
        .bind(plan.status.as_str())
        .bind(&content.outcomes)
        .bind(&content.risks)
        .bind(&content.contingency)
        .bind(content.money_manager.map(|form| form.as_str()))
        .bind(to_json(&plan.written_by)?)
        .bind(plan.created_at)
        .bind(plan.updated_at)
        .bind(plan.version)
        .bind(&content.advice)
        .bind(plan.year_rule.as_str())
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Self::write_plan_lines_in(tx, plan).await
    }

    async fn write_plan_lines_in(tx: &mut Transaction<'static, E::Db>, plan: &SupportPlan) -> StoreResult<()> {
        sqlx::query("delete from plan_lines where plan_id = $1")
            .bind(plan.id.0)
            .execute(&mut **tx)
            .await
            .map_err(database_error)?;
        for (index, line) in plan.content.lines.iter().enumerate() {
            sqlx::query(
                "insert into plan_lines (plan_id, position, description, unit_cost_pence, units_hundredths, frequency, component, never_charged, support, meets, reablement_start)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(plan.id.0)
            .bind(index as i64 + 1)
            .bind(&line.description)
            .bind(line.unit_cost.pence())
            .bind(line.quantity.hundredths())
            .bind(line.frequency.as_str())
            .bind(line.component.as_str())
            .bind(line.never_charged.as_ref().map(NeverCharged::code))
            .bind(line.support.as_deref())
            .bind(line.meets.as_deref())
            .bind(line.reablement_start)
            .execute(&mut **tx)
            .await
            .map_err(database_error)?;
        }
        Ok(())
    }

    pub(crate) async fn insert_plan_decision_in(
        tx: &mut Transaction<'static, E::Db>,
        plan_id: PlanId,
        decision: &PlanDecision,
    ) -> StoreResult<()> {
        sqlx::query(
            "insert into plan_decisions (id, plan_id, stage, verdict, reason, refused_lines, plan_cost_pence, indicative_pence, decided_by, decided_by_name, decided_at, refusal_ground)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(decision.id.0)
        .bind(plan_id.0)
        .bind(enum_code(&decision.stage)?)
        .bind(decision.verdict.as_str())
        .bind(&decision.reason)
        .bind(to_json(&decision.refused_lines)?)
        .bind(decision.plan_cost.pence())
        .bind(decision.indicative.pence())
        .bind(decision.decided_by.0)
        .bind(&decision.decided_by_name)
        .bind(decision.decided_at)
        .bind(decision.refusal_ground.map(|ground| ground.as_str()))
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    pub(crate) async fn insert_budget_in(tx: &mut Transaction<'static, E::Db>, budget: &PersonalBudget) -> StoreResult<()> {
        sqlx::query(
            "insert into personal_budgets (id, person_id, plan_id, allocation_id, financial_assessment_id, indicative_annual_pence, annual_cost_pence, annual_contribution_pence, annual_council_pence, contribution_basis, money_manager, agreed_by, agreed_by_name, agreed_at, year_rule)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(budget.id.0)
        .bind(budget.person_id.0)
        .bind(budget.plan_id.0)
        .bind(budget.allocation_id.0)
        .bind(budget.financial_assessment_id.map(|id| id.0))
        .bind(budget.indicative_annual.pence())
        .bind(budget.annual_cost.pence())
        .bind(budget.annual_contribution.pence())
        .bind(budget.annual_council_amount.pence())
        .bind(enum_code(&budget.contribution_basis)?)
        .bind(budget.money_manager.as_str())
        .bind(budget.agreed_by.0)
        .bind(&budget.agreed_by_name)
        .bind(budget.agreed_at)
        .bind(budget.year_rule.as_str())
        .execute(&mut **tx)
        .await
        .map_err(|error| match database_error(error) {
            StoreError::Conflict { .. } => state_changed("a budget was issued for this plan at the same time"),
            other => other,
        })?;
        Ok(())
    }

    pub(crate) async fn insert_challenge_in(tx: &mut Transaction<'static, E::Db>, challenge: &Challenge) -> StoreResult<()> {
        use tailor_domain::challenges::ChallengeSubject;
        let answer = challenge.answer.as_ref();
        let subject = challenge.subject;
        let pick = |wanted: bool, id: uuid::Uuid| wanted.then_some(id);
        let (eligibility, allocation, plan_decision, financial, budget) = match subject {
            ChallengeSubject::Eligibility(id) => (pick(true, id.0), None, None, None, None),
            ChallengeSubject::IndicativeBudget(id) => (None, pick(true, id.0), None, None, None),
            ChallengeSubject::RefusedSpending(id) => (None, None, pick(true, id.0), None, None),
            ChallengeSubject::Charge(id) => (None, None, None, pick(true, id.0), None),
            ChallengeSubject::Budget(id) => (None, None, None, None, pick(true, id.0)),
        };
        sqlx::query(
            "insert into challenges (id, person_id, kind, eligibility_decision_id, allocation_id, plan_decision_id, financial_assessment_id,
               budget_id, reason, raised_by, raised_by_name, recorded_by_staff, recorded_by_staff_name, raised_at, decision_maker, owner_id,
               owner_name, answer_by, status, outcome, outcome_reasons, answered_by, answered_by_name, answered_at, version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
        )
        .bind(challenge.id.0)
        .bind(challenge.person_id.0)
        .bind(subject.kind().as_str())
        .bind(eligibility)
        .bind(allocation)
        .bind(plan_decision)
        .bind(financial)
        .bind(budget)
        .bind(&challenge.reason)
        .bind(challenge.raised_by.0)
        .bind(&challenge.raised_by_name)
        .bind(challenge.recorded_by_staff.as_ref().map(|staff| staff.id.0))
        .bind(challenge.recorded_by_staff.as_ref().map(|staff| staff.name.clone()))
        .bind(challenge.raised_at)
        .bind(challenge.decision_maker.map(|id| id.0))
        .bind(challenge.owner.as_ref().map(|owner| owner.id.0))
        .bind(challenge.owner.as_ref().map(|owner| owner.name.clone()))
        .bind(challenge.answer_by)
        .bind(if answer.is_some() { "answered" } else { "open" })
        .bind(answer.and_then(|found| found.outcome).map(|outcome| outcome.as_str()))
        .bind(answer.map(|found| found.reasons.clone()))
        .bind(answer.map(|found| found.by.0))
        .bind(answer.map(|found| found.by_name.clone()))
        .bind(answer.map(|found| found.at))
        .bind(challenge.version)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    async fn plans_from_rows(&self, rows: Vec<<E::Db as Database>::Row>) -> StoreResult<Vec<SupportPlan>> {
        let mut plans = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: uuid::Uuid = get(row, "id")?;
            let lines = sqlx::query(
                "select description, unit_cost_pence, units_hundredths, frequency, component, never_charged, support, meets, reablement_start
                 from plan_lines where plan_id = $1 order by position",
            )
            .bind(id)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?
            .iter()
            .map(|line| plan_line_from_row(&Columns(line)))
            .collect::<StoreResult<Vec<_>>>()?;
            let decisions = sqlx::query(
                "select id, stage, verdict, reason, refused_lines, plan_cost_pence, indicative_pence, decided_by, decided_by_name, decided_at, refusal_ground
                 from plan_decisions where plan_id = $1 order by decided_at, id",
            )
            .bind(id)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?
            .iter()
            .map(|decision| plan_decision_from_row(&Columns(decision)))
            .collect::<StoreResult<Vec<_>>>()?;
            plans.push(plan_from_row(&Columns(row), lines, decisions)?);
        }
        Ok(plans)
    }

    /// Moves records kept as JSON documents by the first storey (`case_records`) into their
    /// tables, once, keeping their ids, and removes them from the old table in the same
    /// transaction. Their audit events already exist, so none are added.
    pub async fn carry_over_case_records(&self) -> StoreResult<usize> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query(
            "select id, kind, body from case_records
             order by case kind when 'assessment' then 1 when 'eligibility' then 2 when 'allocation' then 3
               when 'financial_assessment' then 4 when 'plan' then 5 when 'budget' then 6 else 7 end, created_at, id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(database_error)?;
        fn parse<T: serde::de::DeserializeOwned>(kind: &str, body: &str) -> StoreResult<T> {
            serde_json::from_str(body).map_err(|error| StoreError::Other(format!("carrying over a {kind} record: {error}")))
        }
        for row in &rows {
            let kind: String = get(row, "kind")?;
            let body: String = get(row, "body")?;
            match kind.as_str() {
                "assessment" => Self::insert_assessment_in(&mut tx, &parse(&kind, &body)?).await?,
                "eligibility" => Self::insert_eligibility_in(&mut tx, &parse(&kind, &body)?).await?,
                "allocation" => Self::insert_allocation_in(&mut tx, &parse(&kind, &body)?).await?,
                "financial_assessment" => Self::insert_financial_in(&mut tx, &parse(&kind, &body)?).await?,
                "plan" => {
                    let plan: SupportPlan = parse(&kind, &body)?;
                    Self::insert_plan_in(&mut tx, &plan).await?;
                    for decision in &plan.decisions {
                        Self::insert_plan_decision_in(&mut tx, plan.id, decision).await?;
                    }
                }
                "budget" => Self::insert_budget_in(&mut tx, &parse(&kind, &body)?).await?,
                "challenge" => {
                    let old: crate::challenges::FirstStoreyChallenge = parse(&kind, &body)?;
                    Self::insert_challenge_in(&mut tx, &old.into_challenge()).await?
                }
                other => return Err(StoreError::Other(format!("carrying over: unknown record kind {other:?}"))),
            }
        }
        sqlx::query("delete from case_records")
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        Self::commit(tx).await?;
        Ok(rows.len())
    }
}

#[async_trait]
impl<E: Engine> StepStore for SqlStore<E>
where
    for<'c> &'c mut <E::Db as Database>::Connection: sqlx::Executor<'c, Database = E::Db>,
    for<'q> <E::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Db>,
    for<'a> &'a str: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    usize: sqlx::ColumnIndex<<E::Db as Database>::Row>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> String: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q str: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> i64: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> bool: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> NaiveDate: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Vec<u8>: sqlx::Encode<'q, E::Db> + sqlx::Decode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> &'q [u8]: sqlx::Encode<'q, E::Db> + sqlx::Type<E::Db>,
    for<'q> Option<uuid::Uuid>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<String>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<i64>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<bool>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<NaiveDate>: sqlx::Encode<'q, E::Db>,
    for<'q> Option<DateTime<Utc>>: sqlx::Encode<'q, E::Db>,
{
    async fn insert_assessment(&self, assessment: &Assessment, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_assessment_in(&mut tx, assessment).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_assessment(&self, id: AssessmentId) -> StoreResult<Assessment> {
        let row = sqlx::query(concat!("select ", assessment_columns!(), " from assessments a where a.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        self.assessments_from_rows(vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn list_assessments(&self, person_id: PersonId) -> StoreResult<Vec<Assessment>> {
        let rows = sqlx::query(concat!(
            "select ",
            assessment_columns!(),
            " from assessments a where a.person_id = $1 order by a.started_at desc, a.id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        self.assessments_from_rows(rows).await
    }

    async fn save_answer(
        &self,
        assessment: &Assessment,
        expect: Expect<'_>,
        question_id: &str,
        answer_id: &str,
        audit: &NewAuditEvent,
    ) -> StoreResult<i64> {
        let (first, second) = from_states(&expect);
        let mut tx = self.begin().await?;
        let landed = sqlx::query(
            "update assessments set completed_by = $1, updated_at = $2, version = version + 1
             where id = $3 and status in ($4, $5) and version = $6 returning version",
        )
        .bind(to_json(&assessment.completed_by)?)
        .bind(assessment.updated_at)
        .bind(assessment.id.0)
        .bind(first)
        .bind(second)
        .bind(expect.version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("the assessment was changed or sent at the same time"))?;
        let version: i64 = get(&landed, "version")?;
        Self::write_answer_in(&mut tx, assessment.id, question_id, answer_id).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await?;
        Ok(version)
    }

    async fn save_about_you(&self, assessment: &Assessment, expect: Expect<'_>, audit: &NewAuditEvent) -> StoreResult<i64> {
        let (first, second) = from_states(&expect);
        let mut tx = self.begin().await?;
        let landed = sqlx::query(
            "update assessments set what_matters = $1, strengths = $2, support_around = $3, completed_by = $4, updated_at = $5,
               version = version + 1
             where id = $6 and status in ($7, $8) and version = $9 returning version",
        )
        .bind(&assessment.about.what_matters)
        .bind(&assessment.about.strengths)
        .bind(&assessment.about.support_around)
        .bind(to_json(&assessment.completed_by)?)
        .bind(assessment.updated_at)
        .bind(assessment.id.0)
        .bind(first)
        .bind(second)
        .bind(expect.version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("the assessment was changed or sent at the same time"))?;
        let version: i64 = get(&landed, "version")?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await?;
        Ok(version)
    }

    async fn update_assessment(&self, assessment: &Assessment, expect: Expect<'_>, audit: &NewAuditEvent) -> StoreResult<()> {
        let (first, second) = from_states(&expect);
        let review = assessment.review.as_ref();
        let mut tx = self.begin().await?;
        sqlx::query(
            "update assessments set status = $1, completed_by = $2, submitted_at = $3, review_accepted = $4, review_questions = $5,
               review_reason = $6, reviewed_by = $7, reviewed_by_name = $8, reviewed_at = $9, updated_at = $10, version = version + 1
             where id = $11 and status in ($12, $13) and version = $14 returning id",
        )
        .bind(assessment.status.as_str())
        .bind(to_json(&assessment.completed_by)?)
        .bind(assessment.submitted_at)
        .bind(review.map(|review| review.accepted))
        .bind(review.map(|review| to_json(&review.questions_sent_back)).transpose()?)
        .bind(review.map(|review| review.reason.clone()))
        .bind(review.map(|review| review.reviewed_by.0))
        .bind(review.map(|review| review.reviewed_by_name.clone()))
        .bind(review.map(|review| review.reviewed_at))
        .bind(assessment.updated_at)
        .bind(assessment.id.0)
        .bind(first)
        .bind(second)
        .bind(expect.version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("the assessment was changed at the same time"))?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn record_eligibility(
        &self,
        decision: &EligibilityRecord,
        allocation: Option<&AllocationRecord>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // Touching the assessment makes two deciders meet here: the second waits, then finds
        // the decision already made (and the unique index refuses it if it tries anyway).
        sqlx::query(
            "update assessments set version = version + 1 where id = $1 and status = 'accepted'
               and not exists (select 1 from eligibility_decisions e where e.assessment_id = $1) returning id",
        )
        .bind(decision.assessment_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("eligibility has already been decided for this assessment"))?;
        Self::insert_eligibility_in(&mut tx, decision).await?;
        if let Some(allocation) = allocation {
            Self::insert_allocation_in(&mut tx, allocation).await?;
        }
        self.append_all_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_eligibility(&self, person_id: PersonId) -> StoreResult<Vec<EligibilityRecord>> {
        let rows = sqlx::query(concat!(
            "select ",
            eligibility_columns!(),
            " from eligibility_decisions where person_id = $1 order by decided_at desc, id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| eligibility_from_row(&Columns(row))).collect()
    }

    async fn get_allocation(&self, id: AllocationId) -> StoreResult<AllocationRecord> {
        let row = sqlx::query(concat!("select ", allocation_columns!(), " from allocations where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        allocation_from_row(&Columns(&row))
    }

    async fn list_allocations(&self, person_id: PersonId) -> StoreResult<Vec<AllocationRecord>> {
        let rows = sqlx::query(concat!(
            "select ",
            allocation_columns!(),
            " from allocations where person_id = $1 order by calculated_at desc, id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| allocation_from_row(&Columns(row))).collect()
    }

    async fn override_allocation(&self, allocation: &AllocationRecord, expected_version: i64, audit: &NewAuditEvent) -> StoreResult<()> {
        let change = allocation
            .override_
            .as_ref()
            .ok_or_else(|| StoreError::Other("an override must have an amount and a reason".into()))?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "update allocations set override_pence = $1, override_reason = $2, override_by = $3, override_by_name = $4, override_at = $5,
               version = version + 1
             where id = $6 and version = $7 returning id",
        )
        .bind(change.annual.pence())
        .bind(&change.reason)
        .bind(change.by.0)
        .bind(&change.by_name)
        .bind(change.at)
        .bind(allocation.id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("the indicative budget was changed at the same time"))?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn insert_financial_assessment(&self, record: &FinancialAssessmentRecord, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_financial_in(&mut tx, record).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_financial_assessment(&self, id: FinancialAssessmentId) -> StoreResult<FinancialAssessmentRecord> {
        let row = sqlx::query(concat!(
            "select ",
            financial_assessment_columns!(),
            " from financial_assessments where id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?
        .ok_or(StoreError::NotFound)?;
        financial_assessment_from_row(&Columns(&row))
    }

    async fn list_financial_assessments(&self, person_id: PersonId) -> StoreResult<Vec<FinancialAssessmentRecord>> {
        let rows = sqlx::query(concat!(
            "select ",
            financial_assessment_columns!(),
            " from financial_assessments where person_id = $1 order by assessed_at desc, id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| financial_assessment_from_row(&Columns(row))).collect()
    }

    async fn insert_plan(&self, plan: &SupportPlan, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_plan_in(&mut tx, plan).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn update_plan(&self, plan: &SupportPlan, expect: Expect<'_>, audit: &NewAuditEvent) -> StoreResult<()> {
        let (first, second) = from_states(&expect);
        let content = &plan.content;
        let mut tx = self.begin().await?;
        sqlx::query(
            "update plans set allocation_id = $1, status = $2, outcomes = $3, risks = $4, contingency = $5, money_manager = $6,
               written_by = $7, updated_at = $8, version = version + 1, advice = $13, year_rule = $14
             where id = $9 and status in ($10, $11) and version = $12 returning id",
        )
        .bind(plan.allocation_id.0)
        .bind(plan.status.as_str())
        .bind(&content.outcomes)
        .bind(&content.risks)
        .bind(&content.contingency)
        .bind(content.money_manager.map(|form| form.as_str()))
        .bind(to_json(&plan.written_by)?)
        .bind(plan.updated_at)
        .bind(plan.id.0)
        .bind(first)
        .bind(second)
        .bind(expect.version)
        .bind(&content.advice)
        .bind(plan.year_rule.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("the plan was changed or sent at the same time"))?;
        Self::write_plan_lines_in(&mut tx, plan).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn decide_plan(
        &self,
        plan: &SupportPlan,
        expect: Expect<'_>,
        decision: &PlanDecision,
        budget: Option<&PersonalBudget>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()> {
        let (first, second) = from_states(&expect);
        let mut tx = self.begin().await?;
        sqlx::query(
            "update plans set status = $1, updated_at = $2, version = version + 1, year_rule = $7
             where id = $3 and status in ($4, $5) and version = $6 returning id",
        )
        .bind(plan.status.as_str())
        .bind(plan.updated_at)
        .bind(plan.id.0)
        .bind(first)
        .bind(second)
        .bind(expect.version)
        .bind(plan.year_rule.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("a decision on this plan was made at the same time"))?;
        Self::insert_plan_decision_in(&mut tx, plan.id, decision).await?;
        if let Some(budget) = budget {
            Self::insert_budget_in(&mut tx, budget).await?;
        }
        self.append_all_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_plan(&self, id: PlanId) -> StoreResult<SupportPlan> {
        let row = sqlx::query(concat!("select ", plan_columns!(), " from plans p where p.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        self.plans_from_rows(vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn list_plans(&self, person_id: PersonId) -> StoreResult<Vec<SupportPlan>> {
        let rows = sqlx::query(concat!(
            "select ",
            plan_columns!(),
            " from plans p where p.person_id = $1 order by p.created_at desc, p.id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        self.plans_from_rows(rows).await
    }

    async fn get_budget(&self, id: BudgetId) -> StoreResult<PersonalBudget> {
        let row = sqlx::query(concat!("select ", budget_columns!(), " from personal_budgets where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        budget_from_row(&Columns(&row))
    }

    async fn list_budgets(&self, person_id: PersonId) -> StoreResult<Vec<PersonalBudget>> {
        let rows = sqlx::query(concat!(
            "select ",
            budget_columns!(),
            " from personal_budgets where person_id = $1 order by agreed_at desc, id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| budget_from_row(&Columns(row))).collect()
    }

    async fn insert_challenge(&self, challenge: &Challenge, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_challenge_in(&mut tx, challenge).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn answer_challenge(&self, challenge: &Challenge, expected_version: i64, audit: &NewAuditEvent) -> StoreResult<()> {
        let answer = challenge
            .answer
            .as_ref()
            .ok_or_else(|| StoreError::Other("an answer to a challenge needs its reasons".into()))?;
        let (owner_id, owner_name) = match &challenge.owner {
            Some(owner) => (owner.id, owner.name.clone()),
            None => (answer.by, answer.by_name.clone()),
        };
        let mut tx = self.begin().await?;
        // The owner is written too: a challenge carried over without one belongs to whoever answers it.
        sqlx::query(
            "update challenges set status = 'answered', outcome = $1, outcome_reasons = $2, answered_by = $3, answered_by_name = $4,
               answered_at = $5, owner_id = $6, owner_name = $7, version = version + 1
             where id = $8 and status = 'open' and version = $9 returning id",
        )
        .bind(answer.outcome.map(|outcome| outcome.as_str()))
        .bind(&answer.reasons)
        .bind(answer.by.0)
        .bind(&answer.by_name)
        .bind(answer.at)
        .bind(owner_id.0)
        .bind(owner_name)
        .bind(challenge.id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("this challenge was answered at the same time"))?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_challenge(&self, id: ChallengeId) -> StoreResult<Challenge> {
        let row = sqlx::query(concat!("select ", challenge_columns!(), " from challenges c where c.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        challenge_from_row(&Columns(&row))
    }

    async fn list_challenges(&self, person_id: PersonId) -> StoreResult<Vec<Challenge>> {
        let rows = sqlx::query(concat!(
            "select ",
            challenge_columns!(),
            " from challenges c where c.person_id = $1 order by c.raised_at desc, c.id desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| challenge_from_row(&Columns(row))).collect()
    }

    async fn assessments_waiting(&self, status: AssessmentStatus, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Assessment>> {
        let Some((everyone, team, worker)) = queue_scope(filter) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(concat!(
            "select ",
            assessment_columns!(),
            " from assessments a join people p on p.id = a.person_id
             where a.status = $1 and ($2 or p.team_id = $3 or p.allocated_worker = $4)
             order by a.updated_at, a.id limit $5"
        ))
        .bind(status.as_str())
        .bind(everyone)
        .bind(team)
        .bind(worker)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        self.assessments_from_rows(rows).await
    }

    async fn assessments_to_decide(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Assessment>> {
        let Some((everyone, team, worker)) = queue_scope(filter) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(concat!(
            "select ",
            assessment_columns!(),
            " from assessments a join people p on p.id = a.person_id
             where a.status = 'accepted' and ($1 or p.team_id = $2 or p.allocated_worker = $3)
               and not exists (select 1 from eligibility_decisions e where e.assessment_id = a.id)
             order by a.updated_at, a.id limit $4"
        ))
        .bind(everyone)
        .bind(team)
        .bind(worker)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        self.assessments_from_rows(rows).await
    }

    async fn plans_waiting(&self, status: PlanStatus, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<SupportPlan>> {
        let Some((everyone, team, worker)) = queue_scope(filter) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(concat!(
            "select ",
            plan_columns!(),
            " from plans p join people person on person.id = p.person_id
             where p.status = $1 and ($2 or person.team_id = $3 or person.allocated_worker = $4)
             order by p.updated_at, p.id limit $5"
        ))
        .bind(status.as_str())
        .bind(everyone)
        .bind(team)
        .bind(worker)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        self.plans_from_rows(rows).await
    }

    async fn open_challenges(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Challenge>> {
        let Some((everyone, team, worker)) = queue_scope(filter) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(concat!(
            "select ",
            challenge_columns!(),
            " from challenges c join people p on p.id = c.person_id
             where c.status = 'open' and ($1 or p.team_id = $2 or p.allocated_worker = $3)
             order by c.answer_by, c.raised_at, c.id limit $4"
        ))
        .bind(everyone)
        .bind(team)
        .bind(worker)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| challenge_from_row(&Columns(row))).collect()
    }

    async fn enqueue_job(&self, job: &Job, audit: Option<&NewAuditEvent>) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "insert into jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at, dedupe_key)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (dedupe_key) do nothing returning id",
        )
        .bind(job.id.0)
        .bind(&job.kind)
        .bind(&job.payload)
        .bind(job.status.as_str())
        .bind(job.attempts)
        .bind(job.max_attempts)
        .bind(job.run_at)
        .bind(job.created_at)
        .bind(&job.dedupe_key)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .is_some();
        if let (true, Some(event)) = (inserted, audit) {
            self.append_audit_in(&mut tx, event).await?;
        }
        Self::commit(tx).await?;
        Ok(inserted)
    }

    async fn claim_job(&self, worker: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<Option<Job>> {
        let mut tx = self.begin().await?;
        // A running job whose lease ran out belongs to a worker that stopped: it is due again.
        let sql = format!(
            "select id from jobs
             where (status = 'queued' and run_at <= $1) or (status = 'running' and locked_until < $1)
             order by run_at, id limit 1{}",
            E::SKIP_LOCKED
        );
        let Some(due) = sqlx::query(&sql).bind(now).fetch_optional(&mut *tx).await.map_err(database_error)? else {
            return Ok(None);
        };
        let id: uuid::Uuid = get(&due, "id")?;
        let row = sqlx::query(concat!(
            "update jobs set status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
             where id = $3 and ((status = 'queued' and run_at <= $4) or (status = 'running' and locked_until < $4))
             returning ",
            job_columns!()
        ))
        .bind(worker)
        .bind(lease_until)
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        Self::commit(tx).await?;
        row.map(|row| job_from_row(&Columns(&row))).transpose()
    }

    async fn finish_job(&self, id: JobId, worker: &str, outcome: &JobOutcome, at: DateTime<Utc>) -> StoreResult<()> {
        let (status, run_at, error, finished_at) = match outcome {
            JobOutcome::Done => (JobStatus::Done, None, None, Some(at)),
            JobOutcome::Retry { at: retry_at, error } => (JobStatus::Queued, Some(*retry_at), Some(error.as_str()), None),
            JobOutcome::Failed { error } => (JobStatus::Failed, None, Some(error.as_str()), Some(at)),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "update jobs set status = $1, run_at = coalesce($2, run_at), last_error = coalesce($3, last_error), finished_at = $4,
               locked_by = null, locked_until = null
             where id = $5 and status = 'running' and locked_by = $6 returning id",
        )
        .bind(status.as_str())
        .bind(run_at)
        .bind(error)
        .bind(finished_at)
        .bind(id.0)
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("another worker holds this job"))?;
        Self::commit(tx).await
    }

    async fn list_jobs(&self, limit: i64) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query(concat!(
            "select ",
            job_columns!(),
            " from jobs order by created_at desc, id desc limit $1"
        ))
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| job_from_row(&Columns(row))).collect()
    }

    async fn record_assessment_duties(
        &self,
        duties: &tailor_domain::assessment_duties::AssessmentDuties,
        replacing: Option<i64>,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let advocate = duties.advocate.as_ref();
        let mut tx = self.begin().await?;
        let statement = match replacing {
            None => {
                "insert into assessment_duties (assessment_id, person_id, self_assessment_offered, method, capacity, capacity_notes,
                   substantial_difficulty, advocacy, appropriate_person, advocate_name, advocate_organisation, advocate_contact,
                   recorded_by, recorded_by_name, recorded_at, version)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1) returning assessment_id"
            }
            Some(_) => {
                "update assessment_duties set self_assessment_offered = $3, method = $4, capacity = $5, capacity_notes = $6,
                   substantial_difficulty = $7, advocacy = $8, appropriate_person = $9, advocate_name = $10,
                   advocate_organisation = $11, advocate_contact = $12, recorded_by = $13, recorded_by_name = $14,
                   recorded_at = $15, version = version + 1
                 where assessment_id = $1 and person_id = $2 and version = $16 returning assessment_id"
            }
        };
        sqlx::query(statement)
            .bind(duties.assessment_id.0)
            .bind(duties.person_id.0)
            .bind(duties.self_assessment_offered)
            .bind(duties.method.as_str())
            .bind(duties.capacity.as_str())
            .bind(&duties.capacity_notes)
            .bind(duties.substantial_difficulty)
            .bind(duties.advocacy.as_str())
            .bind(duties.appropriate_person.as_deref())
            .bind(advocate.map(|advocate| advocate.name.as_str()))
            .bind(advocate.map(|advocate| advocate.organisation.as_str()))
            .bind(advocate.map(|advocate| advocate.contact.as_str()))
            .bind(duties.recorded_by.0)
            .bind(&duties.recorded_by_name)
            .bind(duties.recorded_at)
            .bind(replacing.unwrap_or_default())
            .fetch_optional(&mut *tx)
            .await
            .map_err(|error| match database_error(error) {
                StoreError::Conflict { .. } => state_changed("how the assessment was carried out was recorded at the same time"),
                other => other,
            })?
            .ok_or_else(|| state_changed("how the assessment was carried out was changed at the same time"))?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_assessment_duties(
        &self,
        assessment_id: AssessmentId,
    ) -> StoreResult<Option<tailor_domain::assessment_duties::AssessmentDuties>> {
        let row = sqlx::query(
            "select assessment_id, person_id, self_assessment_offered, method, capacity, capacity_notes, substantial_difficulty,
               advocacy, appropriate_person, advocate_name, advocate_organisation, advocate_contact, recorded_by,
               recorded_by_name, recorded_at, version
             from assessment_duties where assessment_id = $1",
        )
        .bind(assessment_id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?;
        row.map(|row| assessment_duties_from_row(&Columns(&row))).transpose()
    }
}
