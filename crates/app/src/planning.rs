//! From supported self-assessment to an agreed plan: the use cases of steps 1 to 3.
//!
//! Configuration (questionnaires, allocation models, charging rates) is versioned and
//! effective-dated in the store; every decision keeps the exact configuration text it used, so it
//! can be recomputed to the penny. Case records (assessments, decisions, plans, budgets) are saved
//! with their audit events in one transaction.

use crate::people::single_error;
use crate::{App, AppError, AppResult};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tailor_domain::access::{Actor, Capability, Permission, PersonAccess, Role};
use tailor_domain::allocation::{calculate, needs_second_approval, AllocationModel};
use tailor_domain::assessments::*;
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::charging::{weekly_contribution, ChargingRates, FinancialCircumstances};
use tailor_domain::eligibility::{decide, outcomes, AssessmentKind, EligibilityFindings};
use tailor_domain::money::Money;
use tailor_domain::plans::*;
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::PersonId;
use tailor_store::{CaseRecord, ConfigurationVersion, PeopleFilter, StoreError};
use uuid::Uuid;

pub const ASSESSMENT: &str = "assessment";
pub const ELIGIBILITY: &str = "eligibility";
pub const ALLOCATION: &str = "allocation";
pub const FINANCIAL_ASSESSMENT: &str = "financial_assessment";
pub const PLAN: &str = "plan";
pub const BUDGET: &str = "budget";
pub const CHALLENGE: &str = "challenge";

/// The configuration Tailor ships with, loaded into an empty database.
pub const DEFAULT_CONFIGURATION: [(&str, &str); 5] = [
    ("questionnaire", include_str!("../../../config/questionnaires/adult.toml")),
    ("questionnaire", include_str!("../../../config/questionnaires/carer.toml")),
    ("allocation", include_str!("../../../config/allocation/adult.toml")),
    ("allocation", include_str!("../../../config/allocation/carer.toml")),
    ("charging", include_str!("../../../config/charging/rates.toml")),
];

/// The configuration kinds, with the id each file's contents name it by.
fn configuration_identity(kind: &str, source: &str) -> Result<(String, i64, NaiveDate), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let identity = match kind {
        "questionnaire" => Questionnaire::parse(source).map(|parsed| (parsed.id, parsed.version, parsed.effective_from)),
        "allocation" => AllocationModel::parse(source).map(|parsed| (parsed.id.to_string(), parsed.version, parsed.effective_from)),
        "charging" => ChargingRates::parse(source).map(|parsed| ("rates".to_owned(), parsed.version, parsed.effective_from)),
        _ => {
            errors.add("kind", "Select what kind of configuration this is");
            return Err(errors);
        }
    };
    identity.map_err(|problem| {
        errors.add("source", format!("The file cannot be used: {problem}"));
        errors
    })
}

fn record<T: Serialize>(
    kind: &str,
    id: Uuid,
    person_id: PersonId,
    status: &str,
    body: &T,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<CaseRecord> {
    let body = serde_json::to_value(body).map_err(|error| AppError::Store(StoreError::Other(error.to_string())))?;
    Ok(CaseRecord {
        id,
        kind: kind.to_owned(),
        person_id,
        status: status.to_owned(),
        body,
        created_at,
        updated_at,
    })
}

fn body<T: DeserializeOwned>(record: &CaseRecord) -> AppResult<T> {
    serde_json::from_value(record.body.clone()).map_err(|error| {
        AppError::Store(StoreError::Other(format!(
            "unreadable {} record {}: {error}",
            record.kind, record.id
        )))
    })
}

/// Everything about one person's journey through steps 1 to 3, newest first where there are many.
#[derive(Clone, Debug, Default)]
pub struct PlanningOverview {
    pub assessments: Vec<Assessment>,
    pub eligibility: Vec<EligibilityRecord>,
    pub allocations: Vec<AllocationRecord>,
    pub financial: Option<FinancialAssessmentRecord>,
    pub plans: Vec<SupportPlan>,
    pub budgets: Vec<PersonalBudget>,
    pub challenges: Vec<Challenge>,
}

/// How far through the seven steps someone is: the status of each step, in words.
pub fn step_statuses(overview: &PlanningOverview) -> [&'static str; 7] {
    let mut statuses = ["Not started"; 7];
    let assessment = overview.assessments.first();
    let agreed = overview.plans.iter().any(|plan| plan.status == PlanStatus::Agreed);
    statuses[0] = match (assessment.map(|found| found.status), overview.allocations.first()) {
        (_, Some(_)) => "Done",
        (Some(AssessmentStatus::Accepted), None) if overview.eligibility.first().is_some_and(|record| !record.decision.eligible) => {
            "Not eligible"
        }
        (Some(AssessmentStatus::Accepted | AssessmentStatus::Submitted), None) => "Waiting for the council",
        (Some(AssessmentStatus::InProgress | AssessmentStatus::SentBack), None) => "In progress",
        (None, None) => "Next",
    };
    if statuses[0] == "Done" {
        statuses[1] = match overview.plans.first().map(|plan| plan.status) {
            Some(PlanStatus::Drafting | PlanStatus::ChangesRequested) => "In progress",
            Some(_) => "Done",
            None => "Next",
        };
        statuses[2] = match overview.plans.first().map(|plan| plan.status) {
            Some(PlanStatus::Submitted | PlanStatus::AwaitingManager) => "Waiting for the council",
            _ if agreed => "Done",
            _ => "Not started",
        };
    }
    if agreed {
        statuses[3] = "Next";
    }
    statuses
}

impl App {
    fn system_event(&self, action: AuditAction) -> NewAuditEvent {
        NewAuditEvent::new(self.clock.now(), None, "Tailor", action)
    }

    /// Loads the shipped questionnaires, models and rates into a database that has none of a kind.
    pub async fn ensure_default_configuration(&self) -> AppResult<()> {
        for (kind, source) in DEFAULT_CONFIGURATION {
            let (config_id, _, _) = configuration_identity(kind, source)
                .map_err(|errors| AppError::Store(StoreError::Other(format!("shipped configuration is invalid: {errors}"))))?;
            let existing = self.store.list_configurations(kind).await?;
            if existing.iter().any(|version| version.config_id == config_id) {
                continue;
            }
            self.store_configuration(None, kind, source).await?;
        }
        Ok(())
    }

    async fn store_configuration(&self, actor: Option<&Actor>, kind: &str, source: &str) -> AppResult<ConfigurationVersion> {
        let (config_id, version, effective_from) = configuration_identity(kind, source)?;
        let existing = self.store.list_configurations(kind).await?;
        if let Some(newest) = existing
            .iter()
            .filter(|found| found.config_id == config_id)
            .map(|found| found.version)
            .max()
        {
            if version <= newest {
                return Err(single_error(
                    "source",
                    &format!("Version {newest} of {kind} {config_id:?} is already loaded: give the new file a higher version"),
                ));
            }
        }
        if kind == "allocation" {
            let questionnaire = self.questionnaire_on(&config_id, effective_from).await?;
            let model = AllocationModel::parse(source).map_err(|problem| single_error("source", &problem.to_string()))?;
            questionnaire.check_model(&model).map_err(|problem| {
                single_error(
                    "source",
                    &format!("The model does not fit the {config_id} questionnaire: {problem}"),
                )
            })?;
        }
        let configuration = ConfigurationVersion {
            kind: kind.to_owned(),
            config_id: config_id.clone(),
            version,
            effective_from,
            source: source.to_owned(),
            loaded_at: self.clock.now(),
            loaded_by: actor
                .map(|who| who.display_name.clone())
                .unwrap_or_else(|| "Tailor defaults".into()),
        };
        let event = match actor {
            Some(actor) => self.event(actor, AuditAction::ConfigurationLoaded),
            None => self.system_event(AuditAction::ConfigurationLoaded),
        }
        .subject("configuration", format!("{kind}/{config_id}/{version}"))
        .details(serde_json::json!({ "kind": kind, "id": config_id, "version": version, "effective_from": effective_from }));
        self.store
            .insert_configuration(&configuration, &event)
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => single_error("source", "This version is already loaded"),
                other => other.into(),
            })?;
        Ok(configuration)
    }

    /// An administrator loads a new version of a questionnaire, allocation model or charging table.
    pub async fn load_configuration(&self, actor: &Actor, kind: &str, source: &str) -> AppResult<ConfigurationVersion> {
        self.require(actor, Permission::ManageConfiguration, "load configuration").await?;
        self.store_configuration(Some(actor), kind, source).await
    }

    pub async fn list_configuration(&self, actor: &Actor, kind: &str) -> AppResult<Vec<ConfigurationVersion>> {
        self.require(actor, Permission::ManageConfiguration, "see configuration").await?;
        Ok(self.store.list_configurations(kind).await?)
    }

    /// The version of a configuration in force on a day.
    async fn configuration_on(&self, kind: &str, config_id: &str, on: NaiveDate) -> AppResult<ConfigurationVersion> {
        self.store
            .list_configurations(kind)
            .await?
            .into_iter()
            .find(|version| version.config_id == config_id && version.effective_from <= on)
            .ok_or_else(|| {
                single_error(
                    "configuration",
                    &format!("No {kind} called {config_id:?} is in force on {on}: an administrator must load one"),
                )
            })
    }

    async fn questionnaire_on(&self, id: &str, on: NaiveDate) -> AppResult<Questionnaire> {
        let version = self.configuration_on("questionnaire", id, on).await?;
        Questionnaire::parse(&version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))
    }

    async fn questionnaire_version(&self, id: &str, version: i64) -> AppResult<Questionnaire> {
        let found = self
            .store
            .list_configurations("questionnaire")
            .await?
            .into_iter()
            .find(|candidate| candidate.config_id == id && candidate.version == version)
            .ok_or(AppError::NotFound)?;
        Questionnaire::parse(&found.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))
    }

    /// The access an actor has to a person for planning, refusing (and auditing) when they lack `part`.
    async fn planning_access(
        &self,
        actor: &Actor,
        person_id: PersonId,
        what: &str,
        part: impl Fn(&PersonAccess) -> bool,
    ) -> AppResult<PersonAccess> {
        let access = self.access_to_person(actor, person_id, what).await?;
        if part(&access) {
            Ok(access)
        } else {
            self.record_refusal(actor, what, Some(person_id)).await;
            Err(AppError::Forbidden)
        }
    }

    fn is_staff_worker(actor: &Actor) -> bool {
        matches!(actor.role, Role::Practitioner | Role::TeamManager)
    }

    pub async fn planning_overview(&self, actor: &Actor, person_id: PersonId) -> AppResult<PlanningOverview> {
        self.planning_access(actor, person_id, "see assessments and plans", |access| {
            access.may(Capability::WritePlan) || access.may(Capability::ViewDetails)
        })
        .await?;
        self.load_overview(person_id).await
    }

    async fn load_overview(&self, person_id: PersonId) -> AppResult<PlanningOverview> {
        let store = &self.store;
        let list = |kind| store.list_case_records(kind, person_id);
        let mut overview = PlanningOverview::default();
        for found in list(ASSESSMENT).await? {
            overview.assessments.push(body(&found)?);
        }
        for found in list(ELIGIBILITY).await? {
            overview.eligibility.push(body(&found)?);
        }
        for found in list(ALLOCATION).await? {
            overview.allocations.push(body(&found)?);
        }
        if let Some(found) = list(FINANCIAL_ASSESSMENT).await?.first() {
            overview.financial = Some(body(found)?);
        }
        for found in list(PLAN).await? {
            overview.plans.push(body(&found)?);
        }
        for found in list(BUDGET).await? {
            overview.budgets.push(body(&found)?);
        }
        for found in list(CHALLENGE).await? {
            overview.challenges.push(body(&found)?);
        }
        Ok(overview)
    }

    // Self-assessment

    /// Starts a self-assessment, or returns the one already under way.
    pub async fn start_assessment(&self, actor: &Actor, person_id: PersonId, kind: AssessmentKind) -> AppResult<Assessment> {
        self.planning_access(actor, person_id, "start a self-assessment", |access| {
            access.may(Capability::WritePlan)
        })
        .await?;
        for found in self.store.list_case_records(ASSESSMENT, person_id).await? {
            let existing: Assessment = body(&found)?;
            if existing.kind == kind && existing.is_editable() {
                return Ok(existing);
            }
        }
        let questionnaire = self.questionnaire_on(kind.as_str(), self.clock.today()).await?;
        let now = self.clock.now();
        let assessment = Assessment {
            id: Uuid::now_v7(),
            person_id,
            kind,
            questionnaire_id: questionnaire.id.clone(),
            questionnaire_version: questionnaire.version,
            status: AssessmentStatus::InProgress,
            answers: Default::default(),
            completed_by: vec![actor.display_name.clone()],
            started_at: now,
            submitted_at: None,
            review: None,
            updated_at: now,
        };
        let event = self
            .event(actor, AuditAction::AssessmentStarted)
            .person(person_id)
            .subject(ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "questionnaire": questionnaire.id, "version": questionnaire.version }));
        self.save_assessment(&assessment, vec![event]).await?;
        Ok(assessment)
    }

    async fn save_assessment(&self, assessment: &Assessment, events: Vec<NewAuditEvent>) -> AppResult<()> {
        let saved = record(
            ASSESSMENT,
            assessment.id,
            assessment.person_id,
            assessment.status.as_str(),
            assessment,
            assessment.started_at,
            assessment.updated_at,
        )?;
        self.store.save_case_records(&[saved], &events).await?;
        Ok(())
    }

    /// An assessment, its questionnaire, and what the actor may do with it. The look is logged.
    pub async fn open_assessment(&self, actor: &Actor, assessment_id: Uuid) -> AppResult<(Assessment, Questionnaire, PersonAccess)> {
        let found = self.store.get_case_record(ASSESSMENT, assessment_id).await?;
        let assessment: Assessment = body(&found)?;
        let access = self
            .planning_access(actor, assessment.person_id, "open a self-assessment", |access| {
                access.may(Capability::WritePlan)
            })
            .await?;
        let questionnaire = self
            .questionnaire_version(&assessment.questionnaire_id, assessment.questionnaire_version)
            .await?;
        let read = self
            .event(actor, AuditAction::PersonViewed)
            .person(assessment.person_id)
            .subject(ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "parts": ["assessment"] }));
        self.store.append_audit(&read).await?;
        Ok((assessment, questionnaire, access))
    }

    pub async fn answer_question(&self, actor: &Actor, assessment_id: Uuid, question_id: &str, answer_id: &str) -> AppResult<Assessment> {
        let (mut assessment, questionnaire, _) = self.open_assessment(actor, assessment_id).await?;
        if !assessment.is_editable() {
            return Err(single_error(
                "answer",
                "This assessment has been sent to the council, so its answers cannot change now",
            ));
        }
        let question = questionnaire.question(question_id).ok_or(AppError::NotFound)?;
        if !question.answers.iter().any(|answer| answer.id == answer_id) {
            return Err(single_error("answer", "Select the answer that fits best"));
        }
        assessment.answers.insert(question_id.to_owned(), answer_id.to_owned());
        if !assessment.completed_by.contains(&actor.display_name) {
            assessment.completed_by.push(actor.display_name.clone());
        }
        assessment.updated_at = self.clock.now();
        let event = self
            .event(actor, AuditAction::AssessmentAnswered)
            .person(assessment.person_id)
            .subject(ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "question": question_id, "answer": answer_id }));
        self.save_assessment(&assessment, vec![event]).await?;
        Ok(assessment)
    }

    pub async fn submit_assessment(&self, actor: &Actor, assessment_id: Uuid) -> AppResult<Assessment> {
        let (mut assessment, questionnaire, _) = self.open_assessment(actor, assessment_id).await?;
        if !assessment.is_editable() {
            return Err(single_error("submit", "This assessment has already been sent"));
        }
        let missing: Vec<&str> = questionnaire
            .questions()
            .filter(|question| !assessment.answers.contains_key(&question.id))
            .map(|question| question.text.as_str())
            .collect();
        if !missing.is_empty() {
            let mut errors = ValidationErrors::default();
            for text in missing {
                errors.add("answers", format!("Answer: {text}"));
            }
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        assessment.status = AssessmentStatus::Submitted;
        assessment.submitted_at = Some(now);
        assessment.updated_at = now;
        let event = self
            .event(actor, AuditAction::AssessmentSubmitted)
            .person(assessment.person_id)
            .subject(ASSESSMENT, assessment.id);
        self.save_assessment(&assessment, vec![event]).await?;
        Ok(assessment)
    }

    /// The council's assurance step: accept the assessment, or send back the parts that need another look.
    pub async fn review_assessment(
        &self,
        actor: &Actor,
        assessment_id: Uuid,
        accept: bool,
        questions: &[String],
        reason: &str,
    ) -> AppResult<Assessment> {
        let (mut assessment, questionnaire, access) = self.open_assessment(actor, assessment_id).await?;
        if !(Self::is_staff_worker(actor) && access.may(Capability::EditRecord)) {
            self.record_refusal(actor, "check a self-assessment", Some(assessment.person_id))
                .await;
            return Err(AppError::Forbidden);
        }
        if assessment.status != AssessmentStatus::Submitted {
            return Err(single_error("decision", "Only a submitted assessment can be checked"));
        }
        let mut errors = ValidationErrors::default();
        let reason = reason.trim();
        let sent_back: Vec<String> = questions
            .iter()
            .filter(|id| questionnaire.question(id).is_some())
            .cloned()
            .collect();
        if !accept {
            if sent_back.is_empty() {
                errors.add("questions", "Select the answers that need another look");
            }
            if reason.is_empty() {
                errors.add("reason", "Explain what needs another look, so the person knows what to change");
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        assessment.status = if accept {
            AssessmentStatus::Accepted
        } else {
            AssessmentStatus::SentBack
        };
        assessment.review = Some(AssessmentReview {
            accepted: accept,
            questions_sent_back: if accept { Vec::new() } else { sent_back },
            reason: reason.to_owned(),
            reviewed_by: actor.user_id,
            reviewed_by_name: actor.display_name.clone(),
            reviewed_at: now,
        });
        assessment.updated_at = now;
        let event = self
            .event(actor, AuditAction::AssessmentReviewed)
            .person(assessment.person_id)
            .subject(ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "accepted": accept, "reason": reason }));
        self.save_assessment(&assessment, vec![event]).await?;
        Ok(assessment)
    }

    /// Records the eligibility decision; when eligible, works out the indicative budget from the
    /// model in force, and keeps both (with the model text and answers) in one transaction.
    pub async fn decide_eligibility(
        &self,
        actor: &Actor,
        assessment_id: Uuid,
        findings: EligibilityFindings,
    ) -> AppResult<(EligibilityRecord, Option<AllocationRecord>)> {
        let (assessment, _, access) = self.open_assessment(actor, assessment_id).await?;
        if !(Self::is_staff_worker(actor) && access.may(Capability::EditRecord)) {
            self.record_refusal(actor, "decide eligibility", Some(assessment.person_id)).await;
            return Err(AppError::Forbidden);
        }
        if assessment.status != AssessmentStatus::Accepted {
            return Err(single_error("decision", "Accept the self-assessment before deciding eligibility"));
        }
        let required: Vec<&str> = outcomes(assessment.kind).into_iter().map(|(code, _)| code).collect();
        let covered = required
            .iter()
            .all(|code| findings.outcomes.iter().any(|finding| finding.outcome == *code));
        let mut errors = ValidationErrors::default();
        if !covered || findings.kind != assessment.kind {
            errors.add("outcomes", "Record a finding for every outcome");
        }
        if findings.wellbeing_reasons.trim().is_empty() {
            errors.add("wellbeing_reasons", "Explain the impact on their wellbeing, in words they can read");
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let decision = decide(&findings);
        let eligibility = EligibilityRecord {
            id: Uuid::now_v7(),
            person_id: assessment.person_id,
            assessment_id,
            findings,
            decision: decision.clone(),
            decided_by: actor.user_id,
            decided_by_name: actor.display_name.clone(),
            decided_at: now,
        };
        let mut records = vec![record(
            ELIGIBILITY,
            eligibility.id,
            eligibility.person_id,
            if decision.eligible { "eligible" } else { "not_eligible" },
            &eligibility,
            now,
            now,
        )?];
        let mut events = vec![self
            .event(actor, AuditAction::EligibilityDecided)
            .person(assessment.person_id)
            .subject(ELIGIBILITY, eligibility.id)
            .details(serde_json::json!({ "eligible": decision.eligible, "unable_outcomes": decision.unable_outcomes }))];
        let allocation = if decision.eligible {
            let model_version = self
                .configuration_on("allocation", &assessment.questionnaire_id, self.clock.today())
                .await?;
            let model =
                AllocationModel::parse(&model_version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
            let result = calculate(&model, &assessment.answers)
                .map_err(|problem| single_error("answers", &format!("The budget cannot be worked out: {problem}")))?;
            let allocation = AllocationRecord {
                id: Uuid::now_v7(),
                person_id: assessment.person_id,
                assessment_id,
                model_source: model_version.source,
                answers: assessment.answers.clone(),
                result,
                calculated_by: actor.user_id,
                calculated_by_name: actor.display_name.clone(),
                calculated_at: now,
                override_: None,
            };
            records.push(record(
                ALLOCATION,
                allocation.id,
                allocation.person_id,
                "indicative",
                &allocation,
                now,
                now,
            )?);
            events.push(
                self.event(actor, AuditAction::BudgetCalculated)
                    .person(assessment.person_id)
                    .subject(ALLOCATION, allocation.id)
                    .details(serde_json::json!({ "total_pence": allocation.result.total_pence, "model": model.id, "model_version": model.version })),
            );
            Some(allocation)
        } else {
            None
        };
        self.store.save_case_records(&records, &events).await?;
        Ok((eligibility, allocation))
    }

    pub async fn open_allocation(&self, actor: &Actor, allocation_id: Uuid) -> AppResult<AllocationRecord> {
        let allocation: AllocationRecord = body(&self.store.get_case_record(ALLOCATION, allocation_id).await?)?;
        self.planning_access(actor, allocation.person_id, "see how a budget was worked out", |access| {
            access.may(Capability::WritePlan) || access.may(Capability::ViewDetails)
        })
        .await?;
        Ok(allocation)
    }

    /// Professional judgement: a different indicative budget, with the reason written down.
    pub async fn override_budget(&self, actor: &Actor, allocation_id: Uuid, annual: &str, reason: &str) -> AppResult<AllocationRecord> {
        let mut allocation = self.open_allocation(actor, allocation_id).await?;
        let access = self
            .access_to_person(actor, allocation.person_id, "change an indicative budget")
            .await?;
        if !(Self::is_staff_worker(actor) && access.may(Capability::EditRecord)) {
            self.record_refusal(actor, "change an indicative budget", Some(allocation.person_id))
                .await;
            return Err(AppError::Forbidden);
        }
        let mut errors = ValidationErrors::default();
        let amount = match annual.parse::<Money>() {
            Ok(amount) if !amount.is_negative() => Some(amount),
            _ => {
                errors.add("annual", "Enter the yearly amount in pounds, like 12500 or 12,500.00");
                None
            }
        };
        if reason.trim().is_empty() {
            errors.add("reason", "Explain why the budget should differ from the worked-out figure");
        }
        let amount = errors.into_result(amount)?.ok_or(AppError::NotFound)?;
        let now = self.clock.now();
        let before = allocation.indicative();
        allocation.override_ = Some(BudgetOverride {
            annual: amount,
            reason: reason.trim().to_owned(),
            by: actor.user_id,
            by_name: actor.display_name.clone(),
            at: now,
        });
        let event = self
            .event(actor, AuditAction::BudgetOverridden)
            .person(allocation.person_id)
            .subject(ALLOCATION, allocation.id)
            .details(serde_json::json!({ "before_pence": before.pence(), "after_pence": amount.pence(), "reason": reason.trim() }));
        let saved = record(
            ALLOCATION,
            allocation.id,
            allocation.person_id,
            "indicative",
            &allocation,
            allocation.calculated_at,
            now,
        )?;
        self.store.save_case_records(&[saved], &[event]).await?;
        Ok(allocation)
    }

    /// Records a financial assessment (or that the person declined one).
    pub async fn record_financial_assessment(
        &self,
        actor: &Actor,
        person_id: PersonId,
        circumstances: FinancialCircumstances,
    ) -> AppResult<FinancialAssessmentRecord> {
        let access = self.access_to_person(actor, person_id, "record a financial assessment").await?;
        if !(actor.role == Role::FinanceOfficer || (Self::is_staff_worker(actor) && access.may(Capability::EditRecord))) {
            self.record_refusal(actor, "record a financial assessment", Some(person_id)).await;
            return Err(AppError::Forbidden);
        }
        let rates_version = self.configuration_on("charging", "rates", self.clock.today()).await?;
        let rates =
            ChargingRates::parse(&rates_version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
        let indicative = self
            .load_overview(person_id)
            .await?
            .allocations
            .first()
            .map(AllocationRecord::indicative)
            .unwrap_or(Money::ZERO);
        let weekly_cost = Money::from_pence(indicative.pence() / 52);
        let contribution = weekly_contribution(&rates, &circumstances, weekly_cost)
            .map_err(|_| single_error("weekly_income", "The amounts are too large to work with"))?;
        let now = self.clock.now();
        let assessment = FinancialAssessmentRecord {
            id: Uuid::now_v7(),
            person_id,
            circumstances,
            rates_source: rates_version.source,
            weekly_cost,
            contribution,
            assessed_by: actor.user_id,
            assessed_by_name: actor.display_name.clone(),
            assessed_at: now,
        };
        let event = self
            .event(actor, AuditAction::FinancialAssessmentRecorded)
            .person(person_id)
            .subject(FINANCIAL_ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "declined": assessment.circumstances.declined, "weekly_contribution_pence": assessment.contribution.weekly.pence() }));
        let saved = record(FINANCIAL_ASSESSMENT, assessment.id, person_id, "recorded", &assessment, now, now)?;
        self.store.save_case_records(&[saved], &[event]).await?;
        Ok(assessment)
    }

    // Support planning and sign-off

    /// Saves the person's plan (a draft, or `submit` it for agreement).
    pub async fn save_plan(&self, actor: &Actor, person_id: PersonId, input: &PlanInput, submit: bool) -> AppResult<SupportPlan> {
        self.planning_access(actor, person_id, "write a support plan", |access| access.may(Capability::WritePlan))
            .await?;
        let overview = self.load_overview(person_id).await?;
        let allocation = overview.allocations.first().ok_or_else(|| {
            single_error(
                "plan",
                "There is no indicative budget yet: the self-assessment and eligibility decision come first",
            )
        })?;
        let content = input.parse(submit)?;
        let now = self.clock.now();
        let mut plan = match overview
            .plans
            .into_iter()
            .find(|plan| matches!(plan.status, PlanStatus::Drafting | PlanStatus::ChangesRequested))
        {
            Some(existing) => existing,
            None => SupportPlan {
                id: Uuid::now_v7(),
                person_id,
                allocation_id: allocation.id,
                status: PlanStatus::Drafting,
                content: content.clone(),
                written_by: Vec::new(),
                decisions: Vec::new(),
                created_at: now,
                updated_at: now,
            },
        };
        plan.content = content;
        plan.allocation_id = allocation.id;
        if !plan.written_by.contains(&actor.display_name) {
            plan.written_by.push(actor.display_name.clone());
        }
        plan.updated_at = now;
        if submit {
            plan.status = PlanStatus::Submitted;
        } else if plan.status != PlanStatus::ChangesRequested {
            plan.status = PlanStatus::Drafting;
        }
        let cost = plan
            .content
            .annual_cost()
            .map_err(|_| single_error("line_description_1", "The plan's cost is too large to work out"))?;
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
            .subject(PLAN, plan.id)
            .details(serde_json::json!({ "annual_cost_pence": cost.pence(), "indicative_pence": allocation.indicative().pence() }));
        let saved = record(PLAN, plan.id, person_id, plan.status.as_str(), &plan, plan.created_at, now)?;
        self.store.save_case_records(&[saved], &[event]).await?;
        Ok(plan)
    }

    pub async fn open_plan(&self, actor: &Actor, plan_id: Uuid) -> AppResult<(SupportPlan, AllocationRecord, PersonAccess)> {
        let plan: SupportPlan = body(&self.store.get_case_record(PLAN, plan_id).await?)?;
        let access = self
            .planning_access(actor, plan.person_id, "open a support plan", |access| {
                access.may(Capability::WritePlan) || access.may(Capability::ViewDetails)
            })
            .await?;
        let allocation: AllocationRecord = body(&self.store.get_case_record(ALLOCATION, plan.allocation_id).await?)?;
        Ok((plan, allocation, access))
    }

    /// Sign-off: is this a realistic plan to meet the agreed outcomes? Over-tolerance plans also
    /// need a team manager. Agreement issues the personal budget statement.
    pub async fn decide_plan(
        &self,
        actor: &Actor,
        plan_id: Uuid,
        input: &DecisionInput,
    ) -> AppResult<(SupportPlan, Option<PersonalBudget>)> {
        let (mut plan, allocation, access) = self.open_plan(actor, plan_id).await?;
        let stage = match plan.status {
            PlanStatus::Submitted if Self::is_staff_worker(actor) && access.may(Capability::EditRecord) => DecisionStage::Practitioner,
            PlanStatus::AwaitingManager if actor.role == Role::TeamManager && access.may(Capability::EditRecord) => DecisionStage::Manager,
            PlanStatus::Submitted | PlanStatus::AwaitingManager => {
                self.record_refusal(actor, "decide on a support plan", Some(plan.person_id)).await;
                return Err(AppError::Forbidden);
            }
            _ => return Err(single_error("verdict", "This plan is not waiting for a decision")),
        };
        let (verdict, reason, refused_lines) = input.parse(plan.content.lines.len())?;
        let cost = plan
            .content
            .annual_cost()
            .map_err(|_| single_error("verdict", "The plan's cost is too large to work out"))?;
        let indicative = allocation.indicative();
        let now = self.clock.now();
        plan.decisions.push(PlanDecision {
            stage,
            verdict,
            reason: reason.clone(),
            refused_lines: refused_lines.clone(),
            plan_cost: cost,
            indicative,
            decided_by: actor.user_id,
            decided_by_name: actor.display_name.clone(),
            decided_at: now,
        });
        plan.updated_at = now;
        let mut events = vec![self
            .event(actor, AuditAction::PlanDecided)
            .person(plan.person_id)
            .subject(PLAN, plan.id)
            .details(serde_json::json!({ "stage": stage, "verdict": verdict.as_str(), "reason": reason, "refused_lines": refused_lines, "plan_cost_pence": cost.pence(), "indicative_pence": indicative.pence() }))];
        let mut budget = None;
        match verdict {
            Verdict::ChangesRequested | Verdict::SpendingRefused => plan.status = PlanStatus::ChangesRequested,
            Verdict::Agreed => {
                let model = AllocationModel::parse(&allocation.model_source)
                    .map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
                if stage == DecisionStage::Practitioner && needs_second_approval(&model, indicative, cost) {
                    plan.status = PlanStatus::AwaitingManager;
                } else {
                    let overview = self.load_overview(plan.person_id).await?;
                    let financial = overview.financial.ok_or_else(|| {
                        single_error(
                            "verdict",
                            "Record a financial assessment (or that the person declined one) before agreeing the plan",
                        )
                    })?;
                    let rates = ChargingRates::parse(&financial.rates_source)
                        .map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
                    let weekly_cost = Money::from_pence(cost.pence() / 52);
                    let contribution = weekly_contribution(&rates, &financial.circumstances, weekly_cost)
                        .map_err(|_| single_error("verdict", "The amounts are too large to work with"))?;
                    let annual_contribution = contribution
                        .weekly
                        .checked_mul(52)
                        .map_err(|_| single_error("verdict", "The amounts are too large"))?
                        .min(cost);
                    let agreed = PersonalBudget {
                        id: Uuid::now_v7(),
                        person_id: plan.person_id,
                        plan_id: plan.id,
                        allocation_id: allocation.id,
                        indicative_annual: indicative,
                        annual_cost: cost,
                        annual_contribution,
                        annual_council_amount: cost
                            .checked_sub(annual_contribution)
                            .map_err(|_| single_error("verdict", "The amounts are too large"))?,
                        contribution_basis: rates.contribution_basis,
                        money_manager: plan.content.money_manager,
                        agreed_by: actor.user_id,
                        agreed_by_name: actor.display_name.clone(),
                        agreed_at: now,
                    };
                    plan.status = PlanStatus::Agreed;
                    events.push(
                        self.event(actor, AuditAction::BudgetAgreed)
                            .person(plan.person_id)
                            .subject(BUDGET, agreed.id)
                            .details(serde_json::json!({ "annual_cost_pence": cost.pence(), "annual_contribution_pence": annual_contribution.pence(), "indicative_pence": indicative.pence() })),
                    );
                    budget = Some(agreed);
                }
            }
        }
        let mut records = vec![record(
            PLAN,
            plan.id,
            plan.person_id,
            plan.status.as_str(),
            &plan,
            plan.created_at,
            now,
        )?];
        if let Some(agreed) = &budget {
            records.push(record(BUDGET, agreed.id, agreed.person_id, "agreed", agreed, now, now)?);
        }
        self.store.save_case_records(&records, &events).await?;
        Ok((plan, budget))
    }

    pub async fn open_budget(&self, actor: &Actor, budget_id: Uuid) -> AppResult<(PersonalBudget, PersonAccess)> {
        let budget: PersonalBudget = body(&self.store.get_case_record(BUDGET, budget_id).await?)?;
        let access = self
            .planning_access(actor, budget.person_id, "see a personal budget", |access| {
                access.may(Capability::WritePlan) || access.may(Capability::ViewDetails)
            })
            .await?;
        Ok((budget, access))
    }

    /// The person says the budget is not enough; the challenge is recorded and goes to the team manager.
    pub async fn raise_challenge(&self, actor: &Actor, budget_id: Uuid, reason: &str) -> AppResult<Challenge> {
        let (budget, access) = self.open_budget(actor, budget_id).await?;
        if !access.may(Capability::WritePlan) {
            self.record_refusal(actor, "challenge a budget", Some(budget.person_id)).await;
            return Err(AppError::Forbidden);
        }
        if reason.trim().is_empty() {
            return Err(single_error("reason", "Tell us why the budget is not enough to meet your needs"));
        }
        let now = self.clock.now();
        let challenge = Challenge {
            id: Uuid::now_v7(),
            person_id: budget.person_id,
            budget_id,
            reason: reason.trim().to_owned(),
            raised_by: actor.user_id,
            raised_by_name: actor.display_name.clone(),
            raised_at: now,
            response: None,
        };
        let event = self
            .event(actor, AuditAction::ChallengeRaised)
            .person(budget.person_id)
            .subject(CHALLENGE, challenge.id)
            .details(serde_json::json!({ "reason": challenge.reason }));
        let saved = record(CHALLENGE, challenge.id, challenge.person_id, "open", &challenge, now, now)?;
        self.store.save_case_records(&[saved], &[event]).await?;
        Ok(challenge)
    }

    /// A team manager answers a challenge; the answer is shown to the person and the challenge closes.
    pub async fn answer_challenge(&self, actor: &Actor, challenge_id: Uuid, text: &str) -> AppResult<Challenge> {
        let mut challenge: Challenge = body(&self.store.get_case_record(CHALLENGE, challenge_id).await?)?;
        let access = self
            .access_to_person(actor, challenge.person_id, "answer a budget challenge")
            .await?;
        if !(actor.role == Role::TeamManager && access.may(Capability::EditRecord)) {
            self.record_refusal(actor, "answer a budget challenge", Some(challenge.person_id))
                .await;
            return Err(AppError::Forbidden);
        }
        if challenge.response.is_some() {
            return Err(single_error("response", "This challenge has already been answered"));
        }
        if text.trim().is_empty() {
            return Err(single_error(
                "response",
                "Write your answer to the person: what will change, or why the budget is enough",
            ));
        }
        let now = self.clock.now();
        challenge.response = Some(ChallengeResponse {
            text: text.trim().to_owned(),
            by: actor.user_id,
            by_name: actor.display_name.clone(),
            at: now,
        });
        let event = self
            .event(actor, AuditAction::ChallengeAnswered)
            .person(challenge.person_id)
            .subject(CHALLENGE, challenge.id)
            .details(serde_json::json!({ "response": text.trim() }));
        let saved = record(
            CHALLENGE,
            challenge.id,
            challenge.person_id,
            "answered",
            &challenge,
            challenge.raised_at,
            now,
        )?;
        self.store.save_case_records(&[saved], &[event]).await?;
        Ok(challenge)
    }

    /// What is waiting for this worker: assessments to check, plans to agree, challenges to answer.
    pub async fn work_queues(&self, actor: &Actor) -> AppResult<WorkQueues> {
        if !Self::is_staff_worker(actor) {
            return Ok(WorkQueues::default());
        }
        let filter = PeopleFilter::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        };
        let store = &self.store;
        let mut queues = WorkQueues::default();
        for found in store
            .list_case_records_by_status(ASSESSMENT, AssessmentStatus::Submitted.as_str(), &filter, 50)
            .await?
        {
            queues.assessments_to_check.push(body(&found)?);
        }
        let accepted = store
            .list_case_records_by_status(ASSESSMENT, AssessmentStatus::Accepted.as_str(), &filter, 200)
            .await?;
        for found in accepted {
            let assessment: Assessment = body(&found)?;
            let decided = store
                .list_case_records(ELIGIBILITY, assessment.person_id)
                .await?
                .iter()
                .any(|decision| decision.body["assessment_id"] == serde_json::json!(assessment.id));
            if !decided {
                queues.eligibility_to_decide.push(assessment);
            }
        }
        for found in store
            .list_case_records_by_status(PLAN, PlanStatus::Submitted.as_str(), &filter, 50)
            .await?
        {
            queues.plans_to_agree.push(body(&found)?);
        }
        if actor.role == Role::TeamManager {
            for found in store
                .list_case_records_by_status(PLAN, PlanStatus::AwaitingManager.as_str(), &filter, 50)
                .await?
            {
                queues.plans_for_manager.push(body(&found)?);
            }
            for found in store.list_case_records_by_status(CHALLENGE, "open", &filter, 50).await? {
                queues.challenges.push(body(&found)?);
            }
        }
        Ok(queues)
    }
}

#[derive(Clone, Debug, Default)]
pub struct WorkQueues {
    pub assessments_to_check: Vec<Assessment>,
    pub eligibility_to_decide: Vec<Assessment>,
    pub plans_to_agree: Vec<SupportPlan>,
    pub plans_for_manager: Vec<SupportPlan>,
    pub challenges: Vec<Challenge>,
}
