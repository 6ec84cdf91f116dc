//! Turning database rows into domain records, written once for every adapter.
//!
//! Each adapter implements `RowAccess` for its own row type (a handful of typed getters); the
//! mapping from columns to records then lives here, so the two adapters cannot drift apart in how
//! they read a person. The column-list macros keep the selects and the mappers in step.

use crate::{Delegation, SessionRecord, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use tailor_domain::access::{DelegationScope, Role};
use tailor_domain::assessments::{
    AllocationRecord, Assessment, AssessmentReview, AssessmentStatus, BudgetOverride, EligibilityRecord, FinancialAssessmentRecord,
    FluctuatingNeeds, Redetermination,
};
use tailor_domain::audit::{AuditAction, AuditEvent, NewAuditEvent};
use tailor_domain::challenges::{ChallengeAnswer, ChallengeKind, ChallengeOutcome, ChallengeSubject, StaffMember};
use tailor_domain::charging::NeverCharged;
use tailor_domain::eligibility::AssessmentKind;
use tailor_domain::jobs::{Job, JobStatus};
use tailor_domain::money::Money;
use tailor_domain::nhs_number::NhsNumber;
use tailor_domain::notes::{CaseNote, DocumentMeta, NoteKind};
use tailor_domain::people::{
    Address, Consent, ConsentStatus, ContactPreference, Person, PersonDetails, PersonSummary, Relationship, RelationshipKind, Warning,
    WarningCategory,
};
use tailor_domain::plan_support::Quantity;
use tailor_domain::plans::{
    Challenge, Frequency, MoneyManager, PersonalBudget, PlanContent, PlanDecision, PlanLine, PlanStatus, RefusalGround, ServiceComponent,
    SupportPlan, Verdict,
};
use tailor_domain::users::{Organisation, OrganisationKind, Team, User};
use tailor_domain::*;
use uuid::Uuid;

pub trait RowAccess {
    fn uuid(&self, column: &str) -> StoreResult<Uuid>;
    fn optional_uuid(&self, column: &str) -> StoreResult<Option<Uuid>>;
    fn text(&self, column: &str) -> StoreResult<String>;
    fn optional_text(&self, column: &str) -> StoreResult<Option<String>>;
    fn date(&self, column: &str) -> StoreResult<NaiveDate>;
    fn optional_date(&self, column: &str) -> StoreResult<Option<NaiveDate>>;
    fn time(&self, column: &str) -> StoreResult<DateTime<Utc>>;
    fn integer(&self, column: &str) -> StoreResult<i64>;
    fn boolean(&self, column: &str) -> StoreResult<bool>;
    fn optional_time(&self, column: &str) -> StoreResult<Option<DateTime<Utc>>>;
    fn optional_integer(&self, column: &str) -> StoreResult<Option<i64>>;
    fn optional_boolean(&self, column: &str) -> StoreResult<Option<bool>>;
}

/// A stored value that the code no longer understands: a sign of a bad migration or manual edit.
pub fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Other(format!("unexpected value {value:?} in column {column}"))
}

fn code<T>(row: &impl RowAccess, column: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    let text = row.text(column)?;
    parse(&text).ok_or_else(|| corrupt(column, &text))
}

#[macro_export]
macro_rules! user_columns {
    () => {
        "id, email, display_name, role, team_id, person_id, organisation_id, active, created_at"
    };
}

pub fn user_from_row(row: &impl RowAccess) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.uuid("id")?),
        email: row.text("email")?,
        display_name: row.text("display_name")?,
        role: code(row, "role", Role::parse)?,
        team_id: row.optional_uuid("team_id")?.map(TeamId),
        person_id: row.optional_uuid("person_id")?.map(PersonId),
        organisation_id: row.optional_uuid("organisation_id")?.map(OrganisationId),
        active: row.boolean("active")?,
        created_at: row.time("created_at")?,
    })
}

pub fn team_from_row(row: &impl RowAccess) -> StoreResult<Team> {
    Ok(Team {
        id: TeamId(row.uuid("id")?),
        name: row.text("name")?,
        created_at: row.time("created_at")?,
    })
}

pub fn organisation_from_row(row: &impl RowAccess) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.uuid("id")?),
        name: row.text("name")?,
        kind: code(row, "kind", OrganisationKind::parse)?,
        created_at: row.time("created_at")?,
    })
}

pub fn session_from_row(row: &impl RowAccess) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: row.text("id_hash")?,
        user_id: row.optional_uuid("user_id")?.map(UserId),
        csrf_token: row.text("csrf_token")?,
        created_at: row.time("created_at")?,
        last_seen_at: row.time("last_seen_at")?,
        pending_user_id: row.optional_uuid("pending_user_id")?.map(UserId),
    })
}

fn nhs_number(row: &impl RowAccess) -> StoreResult<Option<NhsNumber>> {
    row.optional_text("nhs_number")?
        .map(|digits| digits.parse().map_err(|_| corrupt("nhs_number", &digits)))
        .transpose()
}

#[macro_export]
macro_rules! person_columns {
    () => {
        "id, given_name, family_name, preferred_name, date_of_birth, nhs_number, address_line_1, address_line_2, town, postcode,
         phone, email, contact_preference, communication_needs, consent_status, consent_limitations, consent_recorded_on,
         allocated_worker, team_id, created_at, updated_at"
    };
}

pub fn person_from_row(row: &impl RowAccess) -> StoreResult<Person> {
    Ok(Person {
        id: PersonId(row.uuid("id")?),
        details: PersonDetails {
            given_name: row.text("given_name")?,
            family_name: row.text("family_name")?,
            preferred_name: row.optional_text("preferred_name")?,
            date_of_birth: row.date("date_of_birth")?,
            nhs_number: nhs_number(row)?,
            address: Address {
                line_1: row.text("address_line_1")?,
                line_2: row.optional_text("address_line_2")?,
                town: row.text("town")?,
                postcode: row.text("postcode")?,
            },
            phone: row.optional_text("phone")?,
            email: row.optional_text("email")?,
            contact_preference: code(row, "contact_preference", ContactPreference::parse)?,
            communication_needs: row.text("communication_needs")?,
            consent: Consent {
                status: code(row, "consent_status", ConsentStatus::parse)?,
                limitations: row.text("consent_limitations")?,
                recorded_on: row.optional_date("consent_recorded_on")?,
            },
        },
        allocated_worker: row.optional_uuid("allocated_worker")?.map(UserId),
        team_id: row.optional_uuid("team_id")?.map(TeamId),
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

/// Expects the columns of the adapters' people search select.
pub fn summary_from_row(row: &impl RowAccess) -> StoreResult<PersonSummary> {
    Ok(PersonSummary {
        id: PersonId(row.uuid("id")?),
        given_name: row.text("given_name")?,
        family_name: row.text("family_name")?,
        date_of_birth: row.date("date_of_birth")?,
        nhs_number: nhs_number(row)?,
        postcode: row.text("postcode")?,
        allocated_worker: row.optional_uuid("allocated_worker")?.map(UserId),
        allocated_worker_name: row.optional_text("worker_name")?,
        team_id: row.optional_uuid("team_id")?.map(TeamId),
    })
}

pub fn relationship_from_row(row: &impl RowAccess) -> StoreResult<Relationship> {
    Ok(Relationship {
        id: RelationshipId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        kind: code(row, "kind", RelationshipKind::parse)?,
        name: row.text("name")?,
        phone: row.optional_text("phone")?,
        related_person_id: row.optional_uuid("related_person_id")?.map(PersonId),
        lives_with_person: row.boolean("lives_with_person")?,
        notes: row.text("notes")?,
        created_at: row.time("created_at")?,
    })
}

pub fn warning_from_row(row: &impl RowAccess) -> StoreResult<Warning> {
    Ok(Warning {
        id: WarningId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        category: code(row, "category", WarningCategory::parse)?,
        text: row.text("text")?,
        created_by: UserId(row.uuid("created_by")?),
        created_by_name: row.text("created_by_name")?,
        created_at: row.time("created_at")?,
    })
}

pub fn note_from_row(row: &impl RowAccess) -> StoreResult<CaseNote> {
    Ok(CaseNote {
        id: NoteId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        kind: code(row, "kind", NoteKind::parse)?,
        occurred_on: row.date("occurred_on")?,
        text: row.text("text")?,
        author_id: UserId(row.uuid("author_id")?),
        author_name: row.text("author_name")?,
        created_at: row.time("created_at")?,
    })
}

#[macro_export]
macro_rules! document_columns {
    () => {
        "id, person_id, title, file_name, content_type, size_bytes, uploaded_by, uploaded_by_name, uploaded_at"
    };
}

pub fn document_from_row(row: &impl RowAccess) -> StoreResult<DocumentMeta> {
    Ok(DocumentMeta {
        id: DocumentId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        title: row.text("title")?,
        file_name: row.text("file_name")?,
        content_type: row.text("content_type")?,
        size_bytes: row.integer("size_bytes")?,
        uploaded_by: UserId(row.uuid("uploaded_by")?),
        uploaded_by_name: row.text("uploaded_by_name")?,
        uploaded_at: row.time("uploaded_at")?,
    })
}

#[macro_export]
macro_rules! delegation_select {
    () => {
        "select d.id, d.person_id, d.helper_id, u.display_name as helper_name, d.scopes, d.expires_on, d.granted_at
         from delegations d join users u on u.id = d.helper_id"
    };
}

pub fn scopes_to_text(scopes: &[DelegationScope]) -> String {
    scopes.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(",")
}

pub fn delegation_from_row(row: &impl RowAccess) -> StoreResult<Delegation> {
    let scopes_text = row.text("scopes")?;
    let scopes = scopes_text
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| DelegationScope::parse(part).ok_or_else(|| corrupt("scopes", part)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Delegation {
        id: DelegationId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        helper_id: UserId(row.uuid("helper_id")?),
        helper_name: row.text("helper_name")?,
        scopes,
        expires_on: row.optional_date("expires_on")?,
        granted_at: row.time("granted_at")?,
    })
}

#[macro_export]
macro_rules! audit_columns {
    () => {
        "sequence, at, actor_id, actor_label, action, subject_type, subject_id, person_id, details, previous_hash, hash, hash_version"
    };
}

pub fn audit_from_row(row: &impl RowAccess) -> StoreResult<AuditEvent> {
    let details_text = row.text("details")?;
    let details = serde_json::from_str(&details_text).map_err(|_| corrupt("details", &details_text))?;
    Ok(AuditEvent {
        sequence: row.integer("sequence")?,
        event: NewAuditEvent {
            at: row.time("at")?,
            actor_id: row.optional_uuid("actor_id")?.map(UserId),
            actor_label: row.text("actor_label")?,
            action: code(row, "action", AuditAction::parse)?,
            subject_type: row.text("subject_type")?,
            subject_id: row.text("subject_id")?,
            person_id: row.optional_uuid("person_id")?.map(PersonId),
            details,
        },
        previous_hash: row.text("previous_hash")?,
        hash: row.text("hash")?,
        hash_version: row.integer("hash_version")?,
    })
}

pub fn configuration_from_row(row: &impl RowAccess) -> StoreResult<crate::ConfigurationVersion> {
    Ok(crate::ConfigurationVersion {
        kind: row.text("kind")?,
        config_id: row.text("config_id")?,
        version: row.integer("version")?,
        effective_from: row.date("effective_from")?,
        source: row.text("source")?,
        loaded_at: row.time("loaded_at")?,
        loaded_by: row.text("loaded_by")?,
    })
}

/// A value kept as JSON text (a snapshot shown whole, or a short list).
pub fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|error| StoreError::Other(format!("writing JSON: {error}")))
}

fn json<T: serde::de::DeserializeOwned>(row: &impl RowAccess, column: &str) -> StoreResult<T> {
    let text = row.text(column)?;
    serde_json::from_str(&text).map_err(|_| corrupt(column, &text))
}

/// The stored code of a unit enum that serde names (`"net"`, `"manager"`).
pub fn enum_code<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    Ok(to_json(value)?.trim_matches('"').to_owned())
}

fn enum_from_code<T: serde::de::DeserializeOwned>(row: &impl RowAccess, column: &str) -> StoreResult<T> {
    let text = row.text(column)?;
    serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|_| corrupt(column, &text))
}

#[macro_export]
macro_rules! assessment_columns {
    () => {
        "a.id, a.person_id, a.kind, a.questionnaire_id, a.questionnaire_version, a.status, a.completed_by, a.started_at, a.submitted_at, a.review_accepted, a.review_questions, a.review_reason, a.reviewed_by, a.reviewed_by_name, a.reviewed_at, a.updated_at, a.version, a.what_matters, a.strengths, a.support_around"
    };
}

/// An assessment from its row and its answers (question id, answer id).
pub fn assessment_from_row(row: &impl RowAccess, answers: Vec<(String, String)>) -> StoreResult<Assessment> {
    let review = match row.optional_boolean("review_accepted")? {
        Some(accepted) => Some(AssessmentReview {
            accepted,
            questions_sent_back: match row.optional_text("review_questions")? {
                Some(text) => serde_json::from_str(&text).map_err(|_| corrupt("review_questions", &text))?,
                None => Vec::new(),
            },
            reason: row.optional_text("review_reason")?.unwrap_or_default(),
            reviewed_by: UserId(row.optional_uuid("reviewed_by")?.ok_or_else(|| corrupt("reviewed_by", "null"))?),
            reviewed_by_name: row.optional_text("reviewed_by_name")?.unwrap_or_default(),
            reviewed_at: row.optional_time("reviewed_at")?.ok_or_else(|| corrupt("reviewed_at", "null"))?,
        }),
        None => None,
    };
    Ok(Assessment {
        id: AssessmentId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        kind: code(row, "kind", AssessmentKind::parse)?,
        questionnaire_id: row.text("questionnaire_id")?,
        questionnaire_version: row.integer("questionnaire_version")?,
        status: code(row, "status", AssessmentStatus::parse)?,
        answers: answers.into_iter().collect(),
        completed_by: json(row, "completed_by")?,
        started_at: row.time("started_at")?,
        submitted_at: row.optional_time("submitted_at")?,
        review,
        updated_at: row.time("updated_at")?,
        version: row.integer("version")?,
        about: tailor_domain::assessments::AboutYou {
            what_matters: row.optional_text("what_matters")?.unwrap_or_default(),
            strengths: row.optional_text("strengths")?.unwrap_or_default(),
            support_around: row.optional_text("support_around")?.unwrap_or_default(),
        },
    })
}

#[macro_export]
macro_rules! eligibility_columns {
    () => {
        "id, person_id, assessment_id, eligible, findings, decision, decided_by, decided_by_name, decided_at, replaces, redetermination_reason, challenge_id, replaced_at, needs_fluctuate, fluctuation_period, fluctuation_description, prevention_advice"
    };
}

pub fn eligibility_from_row(row: &impl RowAccess) -> StoreResult<EligibilityRecord> {
    let redetermination = match row.optional_uuid("replaces")? {
        Some(replaces) => Some(Redetermination {
            replaces: EligibilityDecisionId(replaces),
            reason: row.optional_text("redetermination_reason")?.unwrap_or_default(),
            challenge_id: row.optional_uuid("challenge_id")?.map(ChallengeId),
        }),
        None => None,
    };
    let fluctuation = match row.optional_boolean("needs_fluctuate")? {
        Some(fluctuate) => Some(FluctuatingNeeds {
            fluctuate,
            period: row.optional_text("fluctuation_period")?.unwrap_or_default(),
            description: row.optional_text("fluctuation_description")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(EligibilityRecord {
        id: EligibilityDecisionId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        assessment_id: AssessmentId(row.uuid("assessment_id")?),
        findings: json(row, "findings")?,
        decision: json(row, "decision")?,
        decided_by: UserId(row.uuid("decided_by")?),
        decided_by_name: row.text("decided_by_name")?,
        decided_at: row.time("decided_at")?,
        fluctuation,
        prevention_advice: row.optional_text("prevention_advice")?,
        redetermination,
        replaced_at: row.optional_time("replaced_at")?,
    })
}

#[macro_export]
macro_rules! allocation_columns {
    () => {
        "id, person_id, assessment_id, model_source, answers, result, total_pence, calculated_by, calculated_by_name, calculated_at, override_pence, override_reason, override_by, override_by_name, override_at, version"
    };
}

pub fn allocation_from_row(row: &impl RowAccess) -> StoreResult<AllocationRecord> {
    let override_ = match row.optional_integer("override_pence")? {
        Some(pence) => Some(BudgetOverride {
            annual: Money::from_pence(pence),
            reason: row.optional_text("override_reason")?.unwrap_or_default(),
            by: UserId(row.optional_uuid("override_by")?.ok_or_else(|| corrupt("override_by", "null"))?),
            by_name: row.optional_text("override_by_name")?.unwrap_or_default(),
            at: row.optional_time("override_at")?.ok_or_else(|| corrupt("override_at", "null"))?,
        }),
        None => None,
    };
    Ok(AllocationRecord {
        id: AllocationId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        assessment_id: AssessmentId(row.uuid("assessment_id")?),
        model_source: row.text("model_source")?,
        answers: json(row, "answers")?,
        result: json(row, "result")?,
        calculated_by: UserId(row.uuid("calculated_by")?),
        calculated_by_name: row.text("calculated_by_name")?,
        calculated_at: row.time("calculated_at")?,
        override_,
        version: row.integer("version")?,
    })
}

#[macro_export]
macro_rules! financial_assessment_columns {
    () => {
        "id, person_id, circumstances, rates_source, weekly_cost_pence, contribution, assessed_by, assessed_by_name, assessed_at"
    };
}

pub fn financial_assessment_from_row(row: &impl RowAccess) -> StoreResult<FinancialAssessmentRecord> {
    Ok(FinancialAssessmentRecord {
        id: FinancialAssessmentId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        circumstances: json(row, "circumstances")?,
        rates_source: row.text("rates_source")?,
        weekly_cost: Money::from_pence(row.integer("weekly_cost_pence")?),
        contribution: json(row, "contribution")?,
        assessed_by: UserId(row.uuid("assessed_by")?),
        assessed_by_name: row.text("assessed_by_name")?,
        assessed_at: row.time("assessed_at")?,
    })
}

#[macro_export]
macro_rules! plan_columns {
    () => {
        "p.id, p.person_id, p.allocation_id, p.status, p.outcomes, p.risks, p.contingency, p.money_manager, p.written_by, p.created_at, p.updated_at, p.version, p.advice, p.year_rule"
    };
}

/// A plan from its row, its lines (in order) and its decisions (oldest first).
pub fn plan_from_row(row: &impl RowAccess, lines: Vec<PlanLine>, decisions: Vec<PlanDecision>) -> StoreResult<SupportPlan> {
    Ok(SupportPlan {
        id: PlanId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        allocation_id: AllocationId(row.uuid("allocation_id")?),
        status: code(row, "status", PlanStatus::parse)?,
        content: PlanContent {
            outcomes: row.text("outcomes")?,
            lines,
            risks: row.text("risks")?,
            contingency: row.text("contingency")?,
            money_manager: match row.optional_text("money_manager")? {
                Some(stored) => Some(MoneyManager::parse(&stored).ok_or_else(|| corrupt("money_manager", &stored))?),
                None => None,
            },
            advice: row.text("advice")?,
        },
        written_by: json(row, "written_by")?,
        decisions,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        version: row.integer("version")?,
        year_rule: code(row, "year_rule", tailor_domain::money::YearRule::parse)?,
    })
}

pub fn plan_line_from_row(row: &impl RowAccess) -> StoreResult<PlanLine> {
    Ok(PlanLine {
        description: row.text("description")?,
        unit_cost: Money::from_pence(row.integer("unit_cost_pence")?),
        quantity: Quantity::from_hundredths(row.integer("units_hundredths")?),
        frequency: code(row, "frequency", Frequency::parse)?,
        component: code(row, "component", ServiceComponent::parse)?,
        never_charged: match row.optional_text("never_charged")? {
            Some(stored) => Some(
                NeverCharged::from_code(&stored)
                    .ok_or_else(|| StoreError::Other(format!("a plan line's never_charged is not a known code: {stored:?}")))?,
            ),
            None => None,
        },
        support: row.optional_text("support")?,
        meets: row.optional_text("meets")?,
        reablement_start: row.optional_date("reablement_start")?,
    })
}

pub fn plan_decision_from_row(row: &impl RowAccess) -> StoreResult<PlanDecision> {
    Ok(PlanDecision {
        id: PlanDecisionId(row.uuid("id")?),
        stage: enum_from_code(row, "stage")?,
        verdict: code(row, "verdict", Verdict::parse)?,
        reason: row.text("reason")?,
        refused_lines: json(row, "refused_lines")?,
        refusal_ground: match row.optional_text("refusal_ground")? {
            Some(text) => Some(RefusalGround::parse(&text).ok_or_else(|| corrupt("refusal_ground", &text))?),
            None => None,
        },
        plan_cost: Money::from_pence(row.integer("plan_cost_pence")?),
        indicative: Money::from_pence(row.integer("indicative_pence")?),
        decided_by: UserId(row.uuid("decided_by")?),
        decided_by_name: row.text("decided_by_name")?,
        decided_at: row.time("decided_at")?,
    })
}

#[macro_export]
macro_rules! budget_columns {
    () => {
        "id, person_id, plan_id, allocation_id, financial_assessment_id, indicative_annual_pence, annual_cost_pence, annual_contribution_pence, annual_council_pence, contribution_basis, money_manager, agreed_by, agreed_by_name, agreed_at, year_rule"
    };
}

pub fn budget_from_row(row: &impl RowAccess) -> StoreResult<PersonalBudget> {
    Ok(PersonalBudget {
        id: BudgetId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        plan_id: PlanId(row.uuid("plan_id")?),
        allocation_id: AllocationId(row.uuid("allocation_id")?),
        financial_assessment_id: row.optional_uuid("financial_assessment_id")?.map(FinancialAssessmentId),
        indicative_annual: Money::from_pence(row.integer("indicative_annual_pence")?),
        annual_cost: Money::from_pence(row.integer("annual_cost_pence")?),
        annual_contribution: Money::from_pence(row.integer("annual_contribution_pence")?),
        annual_council_amount: Money::from_pence(row.integer("annual_council_pence")?),
        contribution_basis: enum_from_code(row, "contribution_basis")?,
        money_manager: code(row, "money_manager", MoneyManager::parse)?,
        agreed_by: UserId(row.uuid("agreed_by")?),
        agreed_by_name: row.text("agreed_by_name")?,
        agreed_at: row.time("agreed_at")?,
        year_rule: code(row, "year_rule", tailor_domain::money::YearRule::parse)?,
    })
}

#[macro_export]
macro_rules! challenge_columns {
    () => {
        "c.id, c.person_id, c.kind, c.eligibility_decision_id, c.allocation_id, c.plan_decision_id, c.financial_assessment_id, c.budget_id, c.reason, c.raised_by, c.raised_by_name, c.recorded_by_staff, c.recorded_by_staff_name, c.raised_at, c.decision_maker, c.owner_id, c.owner_name, c.answer_by, c.status, c.outcome, c.outcome_reasons, c.answered_by, c.answered_by_name, c.answered_at, c.version"
    };
}

pub fn challenge_from_row(row: &impl RowAccess) -> StoreResult<Challenge> {
    let kind = code(row, "kind", ChallengeKind::parse)?;
    let column = match kind {
        ChallengeKind::Eligibility => "eligibility_decision_id",
        ChallengeKind::IndicativeBudget => "allocation_id",
        ChallengeKind::RefusedSpending => "plan_decision_id",
        ChallengeKind::Charge => "financial_assessment_id",
        ChallengeKind::Budget => "budget_id",
    };
    let subject_id = row.optional_uuid(column)?.ok_or_else(|| corrupt(column, "null"))?;
    let subject = match kind {
        ChallengeKind::Eligibility => ChallengeSubject::Eligibility(EligibilityDecisionId(subject_id)),
        ChallengeKind::IndicativeBudget => ChallengeSubject::IndicativeBudget(AllocationId(subject_id)),
        ChallengeKind::RefusedSpending => ChallengeSubject::RefusedSpending(PlanDecisionId(subject_id)),
        ChallengeKind::Charge => ChallengeSubject::Charge(FinancialAssessmentId(subject_id)),
        ChallengeKind::Budget => ChallengeSubject::Budget(BudgetId(subject_id)),
    };
    let staff = |id: &str, name: &str| -> StoreResult<Option<StaffMember>> {
        Ok(match row.optional_uuid(id)? {
            Some(uuid) => Some(StaffMember {
                id: UserId(uuid),
                name: row.optional_text(name)?.unwrap_or_default(),
            }),
            None => None,
        })
    };
    let answer = match row.optional_text("outcome_reasons")? {
        Some(reasons) => Some(ChallengeAnswer {
            outcome: match row.optional_text("outcome")? {
                Some(text) => Some(ChallengeOutcome::parse(&text).ok_or_else(|| corrupt("outcome", &text))?),
                None => None,
            },
            reasons,
            by: UserId(row.optional_uuid("answered_by")?.ok_or_else(|| corrupt("answered_by", "null"))?),
            by_name: row.optional_text("answered_by_name")?.unwrap_or_default(),
            at: row.optional_time("answered_at")?.ok_or_else(|| corrupt("answered_at", "null"))?,
        }),
        None => None,
    };
    Ok(Challenge {
        id: ChallengeId(row.uuid("id")?),
        person_id: PersonId(row.uuid("person_id")?),
        subject,
        reason: row.text("reason")?,
        raised_by: UserId(row.uuid("raised_by")?),
        raised_by_name: row.text("raised_by_name")?,
        recorded_by_staff: staff("recorded_by_staff", "recorded_by_staff_name")?,
        raised_at: row.time("raised_at")?,
        decision_maker: row.optional_uuid("decision_maker")?.map(UserId),
        owner: staff("owner_id", "owner_name")?,
        answer_by: row.date("answer_by")?,
        answer,
        version: row.integer("version")?,
    })
}

#[macro_export]
macro_rules! job_columns {
    () => {
        "id, kind, payload, status, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at, finished_at, dedupe_key"
    };
}

pub fn job_from_row(row: &impl RowAccess) -> StoreResult<Job> {
    Ok(Job {
        id: JobId(row.uuid("id")?),
        kind: row.text("kind")?,
        payload: row.text("payload")?,
        status: code(row, "status", JobStatus::parse)?,
        attempts: row.integer("attempts")?,
        max_attempts: row.integer("max_attempts")?,
        run_at: row.time("run_at")?,
        locked_by: row.optional_text("locked_by")?,
        locked_until: row.optional_time("locked_until")?,
        last_error: row.optional_text("last_error")?,
        created_at: row.time("created_at")?,
        finished_at: row.optional_time("finished_at")?,
        dedupe_key: row.optional_text("dedupe_key")?,
    })
}

pub fn assessment_duties_from_row(row: &impl RowAccess) -> StoreResult<tailor_domain::assessment_duties::AssessmentDuties> {
    use tailor_domain::assessment_duties::{Advocacy, Advocate, AssessmentDuties, AssessmentMethod, Capacity};
    let advocate = match (
        row.optional_text("advocate_name")?,
        row.optional_text("advocate_organisation")?,
        row.optional_text("advocate_contact")?,
    ) {
        (Some(name), Some(organisation), Some(contact)) => Some(Advocate {
            name,
            organisation,
            contact,
        }),
        _ => None,
    };
    Ok(AssessmentDuties {
        assessment_id: AssessmentId(row.uuid("assessment_id")?),
        person_id: PersonId(row.uuid("person_id")?),
        self_assessment_offered: row.boolean("self_assessment_offered")?,
        method: code(row, "method", AssessmentMethod::parse)?,
        capacity: code(row, "capacity", Capacity::parse)?,
        capacity_notes: row.text("capacity_notes")?,
        substantial_difficulty: row.boolean("substantial_difficulty")?,
        advocacy: code(row, "advocacy", Advocacy::parse)?,
        appropriate_person: row.optional_text("appropriate_person")?,
        advocate,
        recorded_by: UserId(row.uuid("recorded_by")?),
        recorded_by_name: row.text("recorded_by_name")?,
        recorded_at: row.time("recorded_at")?,
        version: row.integer("version")?,
    })
}
