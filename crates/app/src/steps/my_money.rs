//! Step 1, my money: supported self-assessment one question at a time, the council's check,
//! the eligibility decision, the indicative budget from the allocation model, and the financial
//! assessment. Each change is a conditional write on the record's state and version.

use super::budget_requests::OverrideOutcome;
use super::{ALLOCATION, ASSESSMENT, ELIGIBILITY, FINANCIAL_ASSESSMENT};
use crate::people::single_error;
use crate::{App, AppError, AppResult};
use tailor_domain::access::{may, Actor, Capability, PersonAccess};
use tailor_domain::allocation::{calculate_with_findings, needs_second_approval, AllocationModel};
use tailor_domain::assessments::*;
use tailor_domain::audit::AuditAction;
use tailor_domain::charging::{weekly_contribution, ChargingError, ChargingRates, FinancialCircumstances, ServiceLine};
use tailor_domain::eligibility::{decide, outcomes, AssessmentKind, EligibilityDecision, EligibilityFindings};
use tailor_domain::money::Money;
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::sense_checks::{require_confirmation, AmountsConfirmed};
use tailor_domain::validation::ValidationErrors;
use tailor_domain::{AllocationId, AssessmentId, EligibilityDecisionId, FinancialAssessmentId, PersonId};
use tailor_store::{Expect, StoreError};

impl App {
    // Self-assessment

    /// The questionnaire a new self-assessment of this kind would use, for the page that explains
    /// it before it starts.
    pub async fn questionnaire_in_force(&self, actor: &Actor, person_id: PersonId, kind: AssessmentKind) -> AppResult<Questionnaire> {
        self.require_capability(actor, person_id, Capability::FillInAssessment, "start a self-assessment")
            .await?;
        self.questionnaire_on(kind.as_str(), self.clock.today()).await
    }

    /// Starts a self-assessment, or returns the one already under way.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn start_assessment(&self, actor: &Actor, person_id: PersonId, kind: AssessmentKind) -> AppResult<Assessment> {
        self.require_capability(actor, person_id, Capability::FillInAssessment, "start a self-assessment")
            .await?;
        for existing in self.store.list_assessments(person_id).await? {
            if existing.kind == kind && existing.is_editable() {
                return Ok(existing);
            }
            if existing.kind == kind && existing.status == AssessmentStatus::Submitted {
                return Err(single_error(
                    "kind",
                    "This assessment has been sent to the council: a new one can start once it has been checked",
                ));
            }
        }
        let questionnaire = self.questionnaire_on(kind.as_str(), self.clock.today()).await?;
        let now = self.clock.now();
        let assessment = Assessment {
            id: AssessmentId::generate(),
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
            version: 1,
            about: Default::default(),
        };
        let event = self
            .event(actor, AuditAction::AssessmentStarted)
            .person(person_id)
            .subject(ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "questionnaire": questionnaire.id, "version": questionnaire.version }));
        match self.store.insert_assessment(&assessment, &event).await {
            // Someone started one at the same moment: carry on with theirs.
            Err(StoreError::Conflict { .. }) => self
                .store
                .list_assessments(person_id)
                .await?
                .into_iter()
                .find(|existing| existing.kind == kind && existing.is_editable())
                .ok_or_else(|| single_error("kind", "This assessment has been sent to the council already")),
            Err(other) => Err(other.into()),
            Ok(()) => Ok(assessment),
        }
    }

    /// An assessment, its questionnaire, and what the actor may do with it. The look is logged.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn open_assessment(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
    ) -> AppResult<(Assessment, Questionnaire, PersonAccess)> {
        let assessment = self.store.get_assessment(assessment_id).await?;
        let access = self
            .require_capability(actor, assessment.person_id, Capability::ViewAssessment, "open a self-assessment")
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

    /// The assessment, opened to be changed by someone who may fill it in (the person, their
    /// helper, their worker); refused and audited otherwise, and an error on `field` once it has
    /// been sent to the council.
    async fn open_to_fill_in(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        purpose: &str,
        field: &str,
    ) -> AppResult<(Assessment, Questionnaire)> {
        let (assessment, questionnaire, access) = self.open_assessment(actor, assessment_id).await?;
        self.refuse_unless(actor, &access, Capability::FillInAssessment, assessment.person_id, purpose)
            .await?;
        if !assessment.is_editable() {
            return Err(single_error(
                field,
                "This assessment has been sent to the council, so it cannot change now",
            ));
        }
        Ok((assessment, questionnaire))
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn answer_question(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        question_id: &str,
        answer_id: &str,
    ) -> AppResult<Assessment> {
        let (mut assessment, questionnaire) = self
            .open_to_fill_in(actor, assessment_id, "answer a self-assessment", "answer")
            .await?;
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
        let expect = while_editable(assessment.version);
        assessment.version = self.store.save_answer(&assessment, expect, question_id, answer_id, &event).await?;
        Ok(assessment)
    }

    /// Saves "About you" (what matters to the person, their strengths, the support around them)
    /// while the assessment can still be changed. The audit event names the fields, never what
    /// was written.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn save_about_you(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        input: &tailor_domain::assessments::AboutYouInput,
    ) -> AppResult<Assessment> {
        let (mut assessment, _) = self
            .open_to_fill_in(actor, assessment_id, "say what matters in a self-assessment", "what_matters")
            .await?;
        assessment.about = input.parse().map_err(AppError::Invalid)?;
        if !assessment.completed_by.contains(&actor.display_name) {
            assessment.completed_by.push(actor.display_name.clone());
        }
        assessment.updated_at = self.clock.now();
        let filled: Vec<&str> = [
            ("what_matters", &assessment.about.what_matters),
            ("strengths", &assessment.about.strengths),
            ("support_around", &assessment.about.support_around),
        ]
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(field, _)| field)
        .collect();
        let event = self
            .event(actor, AuditAction::AssessmentAnswered)
            .person(assessment.person_id)
            .subject(ASSESSMENT, assessment.id)
            .details(serde_json::json!({ "about_you": filled }));
        assessment.version = self
            .store
            .save_about_you(&assessment, while_editable(assessment.version), &event)
            .await?;
        Ok(assessment)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn submit_assessment(&self, actor: &Actor, assessment_id: AssessmentId) -> AppResult<Assessment> {
        let (mut assessment, questionnaire, access) = self.open_assessment(actor, assessment_id).await?;
        self.refuse_unless(
            actor,
            &access,
            Capability::FillInAssessment,
            assessment.person_id,
            "send a self-assessment",
        )
        .await?;
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
        let expect = while_editable(assessment.version);
        self.store.update_assessment(&assessment, expect, &event).await?;
        assessment.version += 1;
        Ok(assessment)
    }

    /// The council's assurance step: accept the assessment, or send back the parts that need another look.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn review_assessment(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        accept: bool,
        questions: &[String],
        reason: &str,
    ) -> AppResult<Assessment> {
        let (mut assessment, questionnaire, access) = self.open_assessment(actor, assessment_id).await?;
        self.refuse_unless(
            actor,
            &access,
            Capability::ReviewAssessment,
            assessment.person_id,
            "check a self-assessment",
        )
        .await?;
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
            .details(serde_json::json!({ "accepted": accept }));
        let expect = Expect {
            from: &[AssessmentStatus::Submitted.as_str()],
            version: assessment.version,
        };
        self.store.update_assessment(&assessment, expect, &event).await?;
        assessment.version += 1;
        Ok(assessment)
    }

    /// What the decision on these findings would be, for the check page before it is recorded.
    /// Nothing is written; the look at the assessment is logged as any other.
    pub async fn preview_eligibility(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        findings: &EligibilityFindings,
        notes: &DecisionNotesInput,
    ) -> AppResult<EligibilityDecision> {
        let decision = self.check_eligibility(actor, assessment_id, findings).await?.1;
        notes.parse(decision.eligible)?;
        Ok(decision)
    }

    /// The checks before an eligibility decision: who may decide, that the assessment is
    /// accepted, that every outcome has a finding and the wellbeing reasons are written; then
    /// the regulations' test applied to the findings.
    pub(super) async fn check_eligibility(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        findings: &EligibilityFindings,
    ) -> AppResult<(Assessment, EligibilityDecision)> {
        let (assessment, _, access) = self.open_assessment(actor, assessment_id).await?;
        self.refuse_unless(
            actor,
            &access,
            Capability::DecideEligibility,
            assessment.person_id,
            "decide eligibility",
        )
        .await?;
        if assessment.status != AssessmentStatus::Accepted {
            return Err(single_error("decision", "Accept the self-assessment before deciding eligibility"));
        }
        // The duties around the assessment come first: how it was done, capacity, advocacy (s67).
        if self.store.get_assessment_duties(assessment_id).await?.is_none() {
            return Err(single_error(
                "decision",
                "Record how the assessment was carried out (the offer of a supported self-assessment, capacity and advocacy) before deciding eligibility",
            ));
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
        Ok((assessment, decide(findings)))
    }

    /// Records the eligibility decision; when eligible, works out the indicative budget from the
    /// model in force, and keeps both (with the model text and answers) in one transaction.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn decide_eligibility(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        findings: EligibilityFindings,
        notes: &DecisionNotesInput,
    ) -> AppResult<(EligibilityRecord, Option<AllocationRecord>)> {
        let (assessment, decision) = self.check_eligibility(actor, assessment_id, &findings).await?;
        let notes = notes.parse(decision.eligible)?;
        let now = self.clock.now();
        let eligibility = EligibilityRecord {
            id: EligibilityDecisionId::generate(),
            person_id: assessment.person_id,
            assessment_id,
            findings,
            decision: decision.clone(),
            decided_by: actor.user_id,
            decided_by_name: actor.display_name.clone(),
            decided_at: now,
            fluctuation: Some(notes.fluctuation),
            prevention_advice: notes.prevention_advice,
            redetermination: None,
            replaced_at: None,
        };
        let mut events = vec![self
            .event(actor, AuditAction::EligibilityDecided)
            .person(assessment.person_id)
            .subject(ELIGIBILITY, eligibility.id)
            .details(serde_json::json!({ "eligible": decision.eligible, "unable_outcomes": decision.unable_outcomes }))];
        let allocation = if decision.eligible {
            Some(self.indicative_budget_for(actor, &assessment, &eligibility, &mut events).await?)
        } else {
            None
        };
        self.store.record_eligibility(&eligibility, allocation.as_ref(), &events).await?;
        Ok((eligibility, allocation))
    }

    /// The indicative budget from the model in force, for an eligible decision; its audit event
    /// joins `events`.
    pub(super) async fn indicative_budget_for(
        &self,
        actor: &Actor,
        assessment: &Assessment,
        eligibility: &EligibilityRecord,
        events: &mut Vec<tailor_domain::audit::NewAuditEvent>,
    ) -> AppResult<AllocationRecord> {
        let now = eligibility.decided_at;
        let assessment_id = assessment.id;
        {
            let model_version = self
                .configuration_on("allocation", &assessment.questionnaire_id, self.clock.today())
                .await?;
            let model =
                AllocationModel::parse(&model_version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
            // The findings count as well as the answers: pain, risk or time can make an outcome
            // unachievable without anyone's help being needed.
            let result = calculate_with_findings(&model, &assessment.answers, Some(&eligibility.findings))
                .map_err(|problem| single_error("answers", &format!("The budget cannot be worked out: {problem}")))?
                .under_year_rule(self.year_rule);
            let allocation = AllocationRecord {
                id: AllocationId::generate(),
                person_id: assessment.person_id,
                assessment_id,
                model_source: model_version.source,
                answers: assessment.answers.clone(),
                result,
                calculated_by: actor.user_id,
                calculated_by_name: actor.display_name.clone(),
                calculated_at: now,
                override_: None,
                version: 1,
            };
            events.push(
                self.event(actor, AuditAction::BudgetCalculated)
                    .person(assessment.person_id)
                    .subject(ALLOCATION, allocation.id)
                    .details(serde_json::json!({ "total_pence": allocation.result.total_pence, "model": model.id, "model_version": model.version })),
            );
            Ok(allocation)
        }
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), allocation = %allocation_id))]
    pub async fn open_allocation(&self, actor: &Actor, allocation_id: AllocationId) -> AppResult<AllocationRecord> {
        let allocation = self.store.get_allocation(allocation_id).await?;
        self.require_capability(
            actor,
            allocation.person_id,
            Capability::ViewAllocation,
            "see how a budget was worked out",
        )
        .await?;
        self.log_planning_read(actor, allocation.person_id, ALLOCATION, allocation.id.to_string(), &["allocation"])
            .await?;
        Ok(allocation)
    }

    /// Professional judgement: a different indicative budget, with the reason written down. A
    /// change above the council's ceiling is made only once the amount is confirmed (the tick
    /// box); above the ceiling or further above the worked-out figure than the model's
    /// tolerance, a practitioner's change waits for a team manager to agree it.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), allocation = %allocation_id))]
    pub async fn override_budget(
        &self,
        actor: &Actor,
        allocation_id: AllocationId,
        annual: &str,
        reason: &str,
        confirmed: AmountsConfirmed,
    ) -> AppResult<OverrideOutcome> {
        let mut allocation = self.store.get_allocation(allocation_id).await?;
        let access = self
            .require_capability(
                actor,
                allocation.person_id,
                Capability::OverrideBudget,
                "change an indicative budget",
            )
            .await?;
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
        // Far above any usual budget: whoever typed it checks the amount first.
        let above_ceiling = self.amount_ceilings().await?.check_yearly_budget("annual", amount);
        if let Some(above) = &above_ceiling {
            require_confirmation(std::slice::from_ref(above), confirmed)?;
        }
        let model =
            AllocationModel::parse(&allocation.model_source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
        let needs_a_manager =
            above_ceiling.is_some() || needs_second_approval(&model, Money::from_pence(allocation.result.total_pence), amount);
        if needs_a_manager && !may(actor, &access, Capability::OverrideBudgetAboveTolerance) {
            return self
                .ask_a_manager_to_agree(actor, &allocation, amount, reason.trim())
                .await
                .map(|request| OverrideOutcome::SentToManager(Box::new(request)));
        }
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
            .details(serde_json::json!({ "before_pence": before.pence(), "after_pence": amount.pence() }));
        self.store.override_allocation(&allocation, allocation.version, &event).await?;
        allocation.version += 1;
        Ok(OverrideOutcome::Changed(Box::new(allocation)))
    }

    /// Records a financial assessment (or that the person declined one). The age band comes from
    /// the person's date of birth on their record and today's date, never from what was typed;
    /// until there is a plan, the charge is worked out against the indicative budget.
    pub async fn record_financial_assessment(
        &self,
        actor: &Actor,
        person_id: PersonId,
        circumstances: FinancialCircumstances,
    ) -> AppResult<FinancialAssessmentRecord> {
        self.record_financial_assessment_confirmed(actor, person_id, circumstances, AmountsConfirmed::No)
            .await
    }

    /// Records a financial assessment; a weekly income above the council's ceiling is recorded
    /// only when the worker has confirmed it (`confirmed`).
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn record_financial_assessment_confirmed(
        &self,
        actor: &Actor,
        person_id: PersonId,
        mut circumstances: FinancialCircumstances,
        confirmed: AmountsConfirmed,
    ) -> AppResult<FinancialAssessmentRecord> {
        self.require_capability(
            actor,
            person_id,
            Capability::RecordFinancialAssessment,
            "record a financial assessment",
        )
        .await?;
        require_confirmation(&self.amount_ceilings().await?.check_income(&circumstances), confirmed)?;
        let today = self.clock.today();
        let rates_version = self.configuration_on("charging", "rates", today).await?;
        let rates =
            ChargingRates::parse(&rates_version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
        let person = self.store.get_person(person_id).await?;
        circumstances.date_of_birth = Some(person.details.date_of_birth);
        circumstances.assessment_date = Some(today);
        circumstances.recorded_age_group = None;
        let indicative = self
            .load_overview(person_id)
            .await?
            .allocations
            .first()
            .map(AllocationRecord::indicative_weekly)
            .unwrap_or(Money::ZERO);
        let weekly_cost = indicative;
        let services = [ServiceLine {
            description: "The indicative budget, until there is a plan".into(),
            weekly_cost,
            never_charged: None,
            weeks_already_received: 0,
        }];
        let contribution = weekly_contribution(&rates, &circumstances, &services).map_err(charging_problem)?;
        let now = self.clock.now();
        let assessment = FinancialAssessmentRecord {
            id: FinancialAssessmentId::generate(),
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
        self.store.insert_financial_assessment(&assessment, &event).await?;
        Ok(assessment)
    }
}

/// A charging rule that cannot be applied, as a message on the form.
pub(crate) fn charging_problem(problem: ChargingError) -> AppError {
    match problem {
        ChargingError::UnderEighteen => single_error(
            "household",
            "They are under 18 on their record: a financial assessment for adult care is for people aged 18 or over",
        ),
        ChargingError::MissingRate(what) => single_error(
            "household",
            &format!("The council's charging table has no {what}: an administrator must load one that has it"),
        ),
        ChargingError::MissingDates => single_error("partner_date_of_birth", "Enter their partner's date of birth"),
        ChargingError::UnknownFreeService(id) => {
            single_error("household", &format!("{id:?} is not on the council's list of free services"))
        }
        ChargingError::Negative(what) => single_error("household", &format!("Amounts cannot be less than zero: {what}")),
        ChargingError::Money(_) => single_error("household", "The amounts are too large to work with"),
    }
}

/// The state an assessment must still be in for the person to change it: being filled in, or
/// sent back for another look, at the version read.
fn while_editable(version: i64) -> Expect<'static> {
    const EDITABLE: [&str; 2] = [AssessmentStatus::InProgress.as_str(), AssessmentStatus::SentBack.as_str()];
    Expect { from: &EDITABLE, version }
}
