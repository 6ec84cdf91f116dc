//! Challenges where they count, and eligibility decided again: the person (or a helper acting
//! for them) challenges a decision, or staff record the person's challenge on their behalf; the
//! challenge goes to an owner who did not make the decision, with a date to answer by; the
//! owner writes the outcome and reasons. An upheld challenge to eligibility leads to a
//! redetermination: a new decision that replaces the earlier one only on the record, with its
//! reason. Every change is a conditional write with its audit event in one transaction.

use super::{CHALLENGE, ELIGIBILITY};
use crate::auth::actor_for;
use crate::people::single_error;
use crate::{App, AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use tailor_domain::access::{may, may_own_challenge, may_reassign_challenge_to, person_access, Actor, Capability, PersonAccess};
use tailor_domain::assessments::{AllocationRecord, DecisionNotesInput, EligibilityRecord, Redetermination};
use tailor_domain::audit::AuditAction;
use tailor_domain::challenges::*;
use tailor_domain::eligibility::EligibilityFindings;
use tailor_domain::plans::Verdict;
use tailor_domain::validation::{required_text, ValidationErrors};
use tailor_domain::{ChallengeId, EligibilityDecisionId, PersonId, UserId};
use tailor_store::StoreError;

/// The decision a challenge is about, as the pages describe it.
#[derive(Clone, Debug)]
pub struct ChallengedDecision {
    pub subject: ChallengeSubject,
    pub person_id: PersonId,
    pub decision_maker: UserId,
    pub decision_maker_name: String,
    pub decided_at: DateTime<Utc>,
    /// The decision in a sentence, in the person's voice ("Not eligible for care and support").
    pub summary: String,
    /// The page that shows the decision.
    pub link: String,
}

/// A challenge with the decision it is about, for the challenge's own page.
#[derive(Clone, Debug)]
pub struct ChallengeView {
    pub challenge: Challenge,
    pub decision: ChallengedDecision,
    pub access: PersonAccess,
    /// Whether this actor is the one to answer it now.
    pub may_answer: bool,
    /// For an upheld or partly upheld challenge to eligibility still standing: the owner may
    /// decide eligibility again.
    pub may_redetermine: bool,
    /// Every hand-over to another owner, the earliest first: the earlier owners, who, when, why.
    pub reassignments: Vec<ChallengeReassignment>,
    /// For a team manager who may hand this open challenge on: who it may go to (never the
    /// decision maker, nor the owner it has). Empty otherwise.
    pub owner_choices: Vec<StaffMember>,
    pub may_reassign: bool,
    pub today: NaiveDate,
}

/// The capability that lets someone see a kind of decision, and so the challenges to it.
fn view_capability(kind: ChallengeKind) -> Capability {
    match kind {
        ChallengeKind::Eligibility => Capability::ViewEligibility,
        ChallengeKind::IndicativeBudget => Capability::ViewAllocation,
        ChallengeKind::RefusedSpending => Capability::ViewPlan,
        ChallengeKind::Charge => Capability::ViewFinancialAssessment,
        ChallengeKind::Budget => Capability::ViewBudget,
    }
}

impl App {
    /// The decision a subject names, with who made it; a plan decision that did not refuse
    /// spending, or an eligibility decision already replaced, cannot be challenged.
    async fn challenged_decision(&self, subject: ChallengeSubject) -> AppResult<ChallengedDecision> {
        let found = |person_id, decision_maker, decision_maker_name: &str, decided_at, summary: String, link: String| ChallengedDecision {
            subject,
            person_id,
            decision_maker,
            decision_maker_name: decision_maker_name.to_owned(),
            decided_at,
            summary,
            link,
        };
        Ok(match subject {
            ChallengeSubject::Eligibility(id) => {
                let record = self.store.get_eligibility(id).await?;
                found(
                    record.person_id,
                    record.decided_by,
                    &record.decided_by_name,
                    record.decided_at,
                    if record.decision.eligible {
                        "Eligible for care and support".into()
                    } else {
                        "Not eligible for care and support".into()
                    },
                    format!("/assessments/{}", record.assessment_id),
                )
            }
            ChallengeSubject::IndicativeBudget(id) => {
                let allocation = self.store.get_allocation(id).await?;
                let (by, by_name, at) = match &allocation.override_ {
                    Some(change) => (change.by, change.by_name.clone(), change.at),
                    None => (
                        allocation.calculated_by,
                        allocation.calculated_by_name.clone(),
                        allocation.calculated_at,
                    ),
                };
                found(
                    allocation.person_id,
                    by,
                    &by_name,
                    at,
                    format!("An indicative budget of {} a year", allocation.indicative()),
                    format!("/allocations/{id}"),
                )
            }
            ChallengeSubject::RefusedSpending(id) => {
                let (plan_id, person_id, decision) = self.store.get_plan_decision(id).await?;
                if decision.verdict != Verdict::SpendingRefused {
                    return Err(AppError::NotFound);
                }
                let lines = decision
                    .refused_lines
                    .iter()
                    .map(|line| line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                found(
                    person_id,
                    decision.decided_by,
                    &decision.decided_by_name,
                    decision.decided_at,
                    format!("Spending refused on plan line {lines}: {}", decision.reason),
                    format!("/plans/{plan_id}"),
                )
            }
            ChallengeSubject::Charge(id) => {
                let financial = self.store.get_financial_assessment(id).await?;
                found(
                    financial.person_id,
                    financial.assessed_by,
                    &financial.assessed_by_name,
                    financial.assessed_at,
                    format!("A charge of {} a week", financial.contribution.weekly),
                    format!("/people/{}/financial-assessment", financial.person_id),
                )
            }
            ChallengeSubject::Budget(id) => {
                let budget = self.store.get_budget(id).await?;
                found(
                    budget.person_id,
                    budget.agreed_by,
                    &budget.agreed_by_name,
                    budget.agreed_at,
                    format!("A personal budget of {} a year", budget.annual_cost),
                    format!("/budgets/{id}"),
                )
            }
        })
    }

    /// The capability a challenge needs from this actor: in the person's own name, or recorded
    /// by staff on the person's behalf.
    fn raising_capability(on_behalf: bool) -> Capability {
        if on_behalf {
            Capability::RecordChallengeOnBehalf
        } else {
            Capability::RaiseChallenge
        }
    }

    /// The decision about to be challenged, for the challenge form. Refused, and audited, unless
    /// the actor may raise (or record) a challenge and see the decision.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn decision_to_challenge(&self, actor: &Actor, subject: ChallengeSubject, on_behalf: bool) -> AppResult<ChallengedDecision> {
        let decision = self.challenged_decision(subject).await?;
        let access = self
            .require_capability(
                actor,
                decision.person_id,
                Self::raising_capability(on_behalf),
                "challenge a decision",
            )
            .await?;
        self.refuse_unless(
            actor,
            &access,
            view_capability(subject.kind()),
            decision.person_id,
            "challenge a decision",
        )
        .await?;
        self.log_planning_read(
            actor,
            decision.person_id,
            subject.kind().as_str(),
            subject.id_text(),
            &[subject.kind().as_str()],
        )
        .await?;
        Ok(decision)
    }

    /// Who answers a challenge: of the staff who may answer challenges for this person, the
    /// first by name who did not make the decision. `None` when there is nobody else (the
    /// challenge then waits in the team's queue for one, and never for the decision maker).
    async fn challenge_owner(&self, person_id: PersonId, decision_maker: UserId) -> AppResult<Option<StaffMember>> {
        Ok(self.possible_owners(person_id, Some(decision_maker)).await?.into_iter().next())
    }

    /// Everyone active who may own a challenge to a decision `decision_maker` made for this
    /// person, by name.
    async fn possible_owners(&self, person_id: PersonId, decision_maker: Option<UserId>) -> AppResult<Vec<StaffMember>> {
        let facts = self.store.person_access_facts(person_id).await?;
        let today = self.clock.today();
        let mut users = self.store.list_users().await?;
        users.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
        Ok(users
            .iter()
            .filter(|user| user.active)
            .map(actor_for)
            .filter(|candidate| may_own_challenge(candidate, &person_access(candidate, &facts, today), decision_maker))
            .map(|owner| StaffMember {
                id: owner.user_id,
                name: owner.display_name,
            })
            .collect())
    }

    /// Records a challenge to a decision. The person or their helper raises it in their own
    /// name; staff record it on the person's behalf (`on_behalf`), and the record names them.
    /// `rules` is the council's (the number of days to answer in).
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn raise_challenge(
        &self,
        actor: &Actor,
        subject: ChallengeSubject,
        input: &ChallengeInput,
        on_behalf: bool,
        rules: &ChallengeRules,
    ) -> AppResult<Challenge> {
        let decision = self.decision_to_challenge(actor, subject, on_behalf).await?;
        let reason = input.parse(subject.kind())?;
        if let ChallengeSubject::Eligibility(id) = subject {
            if !self.store.get_eligibility(id).await?.is_current() {
                return Err(single_error(
                    "reason",
                    "This decision has been replaced by a newer one: challenge the newer decision instead",
                ));
            }
        }
        let now = self.clock.now();
        let owner = self.challenge_owner(decision.person_id, decision.decision_maker).await?;
        let challenge = Challenge {
            id: ChallengeId::generate(),
            person_id: decision.person_id,
            subject,
            reason,
            raised_by: actor.user_id,
            raised_by_name: actor.display_name.clone(),
            recorded_by_staff: on_behalf.then(|| StaffMember {
                id: actor.user_id,
                name: actor.display_name.clone(),
            }),
            raised_at: now,
            decision_maker: Some(decision.decision_maker),
            owner,
            answer_by: rules.answer_by(now),
            answer: None,
            version: 1,
        };
        let event = self
            .event(actor, AuditAction::ChallengeRaised)
            .person(decision.person_id)
            .subject(CHALLENGE, challenge.id)
            .details(serde_json::json!({
                "kind": subject.kind().as_str(),
                "decision_id": subject.id_text(),
                "on_behalf": on_behalf,
                "owner_id": challenge.owner.as_ref().map(|owner| owner.id),
                "answer_by": challenge.answer_by,
            }));
        self.store.insert_challenge(&challenge, &event).await?;
        Ok(challenge)
    }

    /// A challenge, the decision it is about, and what this actor may do with it. The look is logged.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), challenge = %challenge_id))]
    pub async fn open_challenge(&self, actor: &Actor, challenge_id: ChallengeId) -> AppResult<ChallengeView> {
        let challenge = self.store.get_challenge(challenge_id).await?;
        let access = self
            .require_capability(actor, challenge.person_id, view_capability(challenge.kind()), "see a challenge")
            .await?;
        let decision = self.challenged_decision(challenge.subject).await?;
        self.log_planning_read(actor, challenge.person_id, CHALLENGE, challenge.id.to_string(), &["challenge"])
            .await?;
        let may_answer = challenge.is_open() && Self::is_answerer(actor, &access, &challenge);
        let may_redetermine = match (challenge.subject, &challenge.answer) {
            (ChallengeSubject::Eligibility(id), Some(answer)) => {
                matches!(answer.outcome, Some(ChallengeOutcome::Upheld | ChallengeOutcome::PartlyUpheld))
                    && answer.by == actor.user_id
                    && may(actor, &access, Capability::DecideEligibility)
                    && self.store.get_eligibility(id).await?.is_current()
            }
            _ => false,
        };
        let reassignments = self.store.challenge_reassignments(challenge.id).await?;
        let may_reassign = challenge.is_open() && may(actor, &access, Capability::ReassignChallenge);
        let owner_choices = if may_reassign {
            let current = challenge.owner.as_ref().map(|owner| owner.id);
            self.possible_owners(challenge.person_id, challenge.decision_maker)
                .await?
                .into_iter()
                .filter(|candidate| Some(candidate.id) != current)
                .collect()
        } else {
            Vec::new()
        };
        Ok(ChallengeView {
            challenge,
            decision,
            access,
            may_answer,
            may_redetermine,
            reassignments,
            may_reassign: may_reassign && !owner_choices.is_empty(),
            owner_choices,
            today: self.clock.today(),
        })
    }

    /// A team manager hands an open challenge to another owner, with a reason: never to the
    /// decision maker, and only to someone who may answer challenges for the person. The
    /// earlier owner is kept with the hand-over. `expected_version` is the challenge's version
    /// the manager read (a page's hidden field, the API's `version`); without one, the version
    /// read here. Either way, if someone answered or handed it on first, nothing is saved
    /// (`StateChanged`).
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), challenge = %challenge_id))]
    pub async fn reassign_challenge(
        &self,
        actor: &Actor,
        challenge_id: ChallengeId,
        input: &ReassignInput,
        expected_version: Option<i64>,
    ) -> AppResult<(Challenge, ChallengeReassignment)> {
        let mut challenge = self.store.get_challenge(challenge_id).await?;
        let access = self
            .require_capability(
                actor,
                challenge.person_id,
                Capability::ReassignChallenge,
                "hand a challenge to another owner",
            )
            .await?;
        let (owner_id, reason) = input.parse()?;
        let expected_version = expected_version.unwrap_or(challenge.version);
        // Changed since the manager read it: they chose from what they saw, so nothing is judged
        // against what they did not see.
        if expected_version != challenge.version {
            self.record_refusal(actor, "hand on a challenge someone else changed first", Some(challenge.person_id))
                .await;
            return Err(StoreError::StateChanged("this challenge was answered or handed on since it was read").into());
        }
        if !challenge.is_open() {
            return Err(single_error(
                "owner_id",
                "This challenge has already been answered, so it cannot be handed on",
            ));
        }
        let new_owner = match self.store.get_user(owner_id).await {
            Ok(user) if user.active => Some(actor_for(&user)),
            Ok(_) | Err(StoreError::NotFound) => None,
            Err(error) => return Err(error.into()),
        };
        let facts = self.store.person_access_facts(challenge.person_id).await?;
        let current_owner = challenge.owner.as_ref().map(|owner| owner.id);
        let Some(new_owner) = new_owner.filter(|candidate| {
            may_reassign_challenge_to(
                actor,
                &access,
                candidate,
                &person_access(candidate, &facts, self.clock.today()),
                challenge.decision_maker,
                current_owner,
            )
        }) else {
            let message = if Some(owner_id) == challenge.decision_maker {
                "The person who made the decision cannot answer a challenge to it: choose someone else"
            } else if Some(owner_id) == current_owner {
                "This challenge is already theirs: choose someone else"
            } else {
                "Choose a team manager who may answer challenges for this person"
            };
            return Err(single_error("owner_id", message));
        };
        let reassignment = ChallengeReassignment {
            challenge_id,
            from: challenge.owner.clone(),
            to: StaffMember {
                id: new_owner.user_id,
                name: new_owner.display_name.clone(),
            },
            reason,
            by: StaffMember {
                id: actor.user_id,
                name: actor.display_name.clone(),
            },
            at: self.clock.now(),
        };
        let event = self
            .event(actor, AuditAction::ChallengeReassigned)
            .person(challenge.person_id)
            .subject(CHALLENGE, challenge.id)
            .details(serde_json::json!({
                "kind": challenge.kind().as_str(),
                "from_owner_id": current_owner,
                "to_owner_id": new_owner.user_id,
            }));
        if let Err(error) = self.store.reassign_challenge(&reassignment, expected_version, &event).await {
            if let StoreError::StateChanged(_) = error {
                self.record_refusal(actor, "hand on a challenge someone else changed first", Some(challenge.person_id))
                    .await;
            }
            return Err(error.into());
        }
        challenge.owner = Some(reassignment.to.clone());
        challenge.version = expected_version + 1;
        Ok((challenge, reassignment))
    }

    /// The owner answers; a challenge carried over without an owner may be answered by anyone
    /// who may answer challenges for the person, never by whoever made the decision.
    fn is_answerer(actor: &Actor, access: &PersonAccess, challenge: &Challenge) -> bool {
        let owns = match &challenge.owner {
            Some(owner) => owner.id == actor.user_id,
            None => true,
        };
        owns && may(actor, access, Capability::AnswerChallenge) && may_own_challenge(actor, access, challenge.decision_maker)
    }

    /// The owner writes the outcome and reasons; the person sees them, with the complaints route.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), challenge = %challenge_id))]
    pub async fn answer_challenge(&self, actor: &Actor, challenge_id: ChallengeId, input: &AnswerInput) -> AppResult<Challenge> {
        self.answer_challenge_at(actor, challenge_id, input, None).await
    }

    /// As `answer_challenge`, from the version the owner read (`None`: the version read here);
    /// a stale version saves nothing (`StateChanged`).
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), challenge = %challenge_id))]
    pub async fn answer_challenge_at(
        &self,
        actor: &Actor,
        challenge_id: ChallengeId,
        input: &AnswerInput,
        expected_version: Option<i64>,
    ) -> AppResult<Challenge> {
        let mut challenge = self.store.get_challenge(challenge_id).await?;
        let access = self
            .require_capability(actor, challenge.person_id, Capability::AnswerChallenge, "answer a challenge")
            .await?;
        if !Self::is_answerer(actor, &access, &challenge) {
            self.record_refusal(actor, "answer a challenge someone else owns", Some(challenge.person_id))
                .await;
            return Err(AppError::Forbidden);
        }
        let version = expected_version.unwrap_or(challenge.version);
        if version != challenge.version {
            self.record_refusal(actor, "answer a challenge someone else changed first", Some(challenge.person_id))
                .await;
            return Err(StoreError::StateChanged("this challenge was answered or handed on since it was read").into());
        }
        if !challenge.is_open() {
            return Err(single_error("outcome", "This challenge has already been answered"));
        }
        let (outcome, reasons) = input.parse()?;
        challenge.answer = Some(ChallengeAnswer {
            outcome: Some(outcome),
            reasons,
            by: actor.user_id,
            by_name: actor.display_name.clone(),
            at: self.clock.now(),
        });
        let event = self
            .event(actor, AuditAction::ChallengeAnswered)
            .person(challenge.person_id)
            .subject(CHALLENGE, challenge.id)
            .details(serde_json::json!({ "kind": challenge.kind().as_str(), "outcome": outcome.as_str() }));
        if let Err(error) = self.store.answer_challenge(&challenge, version, &event).await {
            if let StoreError::StateChanged(_) = error {
                self.record_refusal(actor, "answer a challenge someone else answered first", Some(challenge.person_id))
                    .await;
            }
            return Err(error.into());
        }
        if challenge.owner.is_none() {
            challenge.owner = Some(StaffMember {
                id: actor.user_id,
                name: actor.display_name.clone(),
            });
        }
        challenge.version = version + 1;
        Ok(challenge)
    }

    /// The open challenges this member of staff must answer, the soonest due first.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn challenges_to_answer(&self, actor: &Actor) -> AppResult<Vec<Challenge>> {
        if !actor.role.holds_caseload_queues() {
            return Ok(Vec::new());
        }
        let filter = tailor_store::PeopleFilter::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        };
        let mut owned = self.store.owned_challenges(actor.user_id, &filter, 100).await?;
        // Carried-over challenges with no owner show only to those who may answer them.
        let mut kept = Vec::with_capacity(owned.len());
        for challenge in owned.drain(..) {
            if challenge.owner.is_some() {
                kept.push(challenge);
                continue;
            }
            let facts = self.store.person_access_facts(challenge.person_id).await?;
            let access = person_access(actor, &facts, self.clock.today());
            if Self::is_answerer(actor, &access, &challenge) {
                kept.push(challenge);
            }
        }
        Ok(kept)
    }

    /// The current eligibility decision, for the redetermination form. Refused unless the actor
    /// may decide eligibility for the person.
    pub async fn decision_to_redetermine(&self, actor: &Actor, decision_id: EligibilityDecisionId) -> AppResult<EligibilityRecord> {
        let record = self.store.get_eligibility(decision_id).await?;
        self.require_capability(actor, record.person_id, Capability::DecideEligibility, "decide eligibility again")
            .await?;
        self.log_planning_read(actor, record.person_id, ELIGIBILITY, record.id.to_string(), &["eligibility"])
            .await?;
        if !record.is_current() {
            return Err(single_error("redetermination_reason", "This decision has already been replaced"));
        }
        Ok(record)
    }

    /// Decides eligibility again, in place of `replaces`: a new decision with its reason, who
    /// and when; the earlier is kept and marked replaced. When the new decision is eligible, a
    /// new indicative budget is worked out beside any earlier one.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), replaces = %replaces))]
    pub async fn redetermine_eligibility(
        &self,
        actor: &Actor,
        replaces: EligibilityDecisionId,
        findings: EligibilityFindings,
        notes: &DecisionNotesInput,
        reason: &str,
        challenge_id: Option<ChallengeId>,
    ) -> AppResult<(EligibilityRecord, Option<AllocationRecord>)> {
        let previous = self.decision_to_redetermine(actor, replaces).await?;
        let (assessment, decision) = self.check_eligibility(actor, previous.assessment_id, &findings).await?;
        let mut errors = ValidationErrors::default();
        let reason = required_text(
            &mut errors,
            "redetermination_reason",
            "why eligibility is being decided again",
            reason,
        );
        let notes = match notes.parse(decision.eligible) {
            Ok(notes) => Some(notes),
            Err(found) => {
                errors.0.extend(found.0);
                None
            }
        };
        if let Some(id) = challenge_id {
            let challenge = self.store.get_challenge(id).await?;
            if challenge.subject != ChallengeSubject::Eligibility(replaces) {
                errors.add("redetermination_reason", "The challenge named is not about this decision");
            }
        }
        let notes = errors.into_result(notes)?.ok_or(AppError::NotFound)?;
        let eligibility = EligibilityRecord {
            id: EligibilityDecisionId::generate(),
            person_id: previous.person_id,
            assessment_id: previous.assessment_id,
            findings,
            decision: decision.clone(),
            decided_by: actor.user_id,
            decided_by_name: actor.display_name.clone(),
            decided_at: self.clock.now(),
            fluctuation: Some(notes.fluctuation),
            prevention_advice: notes.prevention_advice,
            redetermination: Some(Redetermination {
                replaces,
                reason,
                challenge_id,
            }),
            replaced_at: None,
        };
        let mut events = vec![self
            .event(actor, AuditAction::EligibilityRedetermined)
            .person(previous.person_id)
            .subject(ELIGIBILITY, eligibility.id)
            .details(serde_json::json!({
                "replaces": replaces,
                "eligible_before": previous.decision.eligible,
                "eligible": decision.eligible,
                "challenge_id": challenge_id,
            }))];
        let allocation = if decision.eligible {
            Some(self.indicative_budget_for(actor, &assessment, &eligibility, &mut events).await?)
        } else {
            None
        };
        if let Err(error) = self.store.redetermine_eligibility(&eligibility, allocation.as_ref(), &events).await {
            if let StoreError::StateChanged(_) = error {
                self.record_refusal(actor, "decide eligibility again after someone else did", Some(previous.person_id))
                    .await;
            }
            return Err(error.into());
        }
        Ok((eligibility, allocation))
    }
}
