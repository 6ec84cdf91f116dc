//! The storage port: what Tailor needs from a database, in the words of its use cases.
//!
//! Every method that changes something takes the `NewAuditEvent`(s) describing the change and
//! writes them in the same transaction, so a change and its audit record stand or fall together.
//! Adapters (SQLite, PostgreSQL) implement `Store`; the `conformance` module is one test suite
//! that every adapter must pass.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tailor_domain::access::{DelegationGrant, DelegationScope, PersonAccessFacts, Role};
use tailor_domain::assessments::{AllocationRecord, Assessment, AssessmentStatus, EligibilityRecord, FinancialAssessmentRecord};
use tailor_domain::audit::{AuditEvent, NewAuditEvent};
use tailor_domain::jobs::Job;
use tailor_domain::notes::{CaseNote, DocumentMeta};
use tailor_domain::people::{PeopleSearch, Person, PersonSummary, Relationship, Warning};
use tailor_domain::plans::{Challenge, PersonalBudget, PlanDecision, PlanStatus, SupportPlan};
use tailor_domain::users::{Organisation, Team, User};
use tailor_domain::{
    AllocationId, AssessmentId, BudgetId, ChallengeId, DelegationId, DocumentId, FinancialAssessmentId, JobId, OrganisationId, PersonId,
    PlanId, TeamId, UserId,
};
use thiserror::Error;

pub mod accounts;
pub mod audit_log;
pub mod budget_requests;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod rows;
pub mod two_factor;
pub mod worklists;

pub use audit_log::{AuditLogStore, AuditSearch};
pub use budget_requests::{OverrideRequestForManager, OverrideRequestStore};
pub use two_factor::{NewRecoveryCode, RecoveryCodeRecord, TwoFactorRecord, TwoFactorStore};
pub use worklists::{CaseloadQuery, CaseloadStages, PlanForManager, WorklistStore};

pub use accounts::{AccountLink, AccountStore, ApiTokenSummary, NewPassword, PasswordReset, PasswordState};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `what` names it in words ("email").
    #[error("already exists: {what}")]
    Conflict { what: &'static str },
    /// A conditional write found the record no longer in the state (or version) it was read in:
    /// someone else changed it first. Nothing was written.
    #[error("changed by someone else: {0}")]
    StateChanged(&'static str),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else, with what was being done when it failed ("reading plans: ...").
    #[error("storage failed: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A server-side session. The cookie holds a random value; the database holds only its hash,
/// so a copy of the database does not let anyone sign in as someone else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user_id: Option<UserId>,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Set when the right password was given for an account with two-step sign-in and the code
    /// is still awaited: the session is not signed in (`user_id` is `None`) until it is typed.
    pub pending_user_id: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegation {
    pub id: DelegationId,
    pub person_id: PersonId,
    pub helper_id: UserId,
    pub helper_name: String,
    pub scopes: Vec<DelegationScope>,
    pub expires_on: Option<NaiveDate>,
    pub granted_at: DateTime<Utc>,
}

impl Delegation {
    pub fn grant(&self) -> DelegationGrant {
        DelegationGrant {
            helper: self.helper_id,
            scopes: self.scopes.clone(),
            expires_on: self.expires_on,
        }
    }
}

/// Which people a query may return, decided by `tailor_domain::access` before the query runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeopleFilter {
    Everyone,
    TeamOrAllocated { team: Option<TeamId>, worker: UserId },
    AllocatedTo(UserId),
    MoneyHeldBy(OrganisationId),
    DelegatedTo { helper: UserId, on: NaiveDate },
}

#[derive(Clone, Debug)]
pub struct PeopleQuery {
    pub filter: PeopleFilter,
    pub search: PeopleSearch,
    pub limit: i64,
    pub offset: i64,
}

/// A person with everything else generated for the demo, written in bulk with no audit per row.
#[derive(Clone, Debug)]
pub struct DemoPersonBundle {
    pub person: Person,
    pub relationships: Vec<Relationship>,
    pub warnings: Vec<Warning>,
    pub notes: Vec<CaseNote>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    pub person_id: Option<PersonId>,
    pub action: Option<tailor_domain::audit::AuditAction>,
    pub limit: i64,
}

/// A version of a council configuration file (questionnaire, allocation model, charging rates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigurationVersion {
    /// `questionnaire`, `allocation` or `charging`.
    pub kind: String,
    pub config_id: String,
    pub version: i64,
    pub effective_from: NaiveDate,
    /// The file exactly as loaded, so any decision can be recomputed from it.
    pub source: String,
    pub loaded_at: DateTime<Utc>,
    pub loaded_by: String,
}

/// The change of state a conditional write expects: the record must still be in one of `from`
/// at `version` (as it was read), or the write is refused with `StoreError::StateChanged`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect<'a> {
    pub from: &'a [&'a str],
    pub version: i64,
}

/// How sign-in attempts for one email from one client are slowed down: `free_attempts` within
/// `window` without delay; from then on each attempt makes the next wait, 1 second, then 2, 4 ...
/// up to `longest_delay_seconds`. The window starts again once it has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleRule {
    pub free_attempts: i64,
    pub window: chrono::Duration,
    pub longest_delay_seconds: i64,
}

/// How a job ended on one try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Try again at `at`.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// No more tries.
    Failed {
        error: String,
    },
}

#[async_trait]
pub trait Store:
    StepStore + AccountStore + TwoFactorStore + ChallengeStore + WorklistStore + AuditLogStore + OverrideRequestStore + Send + Sync + 'static
{
    /// Which engine this is, for logs and the health page.
    fn engine(&self) -> &'static str;

    /// True when no account exists yet, so `tailor demo` knows it may build the demo council.
    async fn is_empty(&self) -> StoreResult<bool>;
    async fn ping(&self) -> StoreResult<()>;

    // Accounts, teams, organisations
    async fn insert_user(&self, user: &User, password_hash: &str, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn update_user(&self, user: &User, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn get_user(&self, id: UserId) -> StoreResult<User>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn list_users_with_role(&self, role: Role) -> StoreResult<Vec<User>>;
    async fn insert_team(&self, team: &Team, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_teams(&self) -> StoreResult<Vec<Team>>;
    async fn insert_organisation(&self, organisation: &Organisation, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>>;
    async fn get_organisation(&self, id: OrganisationId) -> StoreResult<Organisation>;

    // Sessions, sign-in throttling, API tokens
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn find_session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Sign-in: the old (anonymous) session is removed and the new one stored, with the audit
    /// event, in one transaction, so the session id always changes at sign-in.
    async fn rotate_session(&self, old_id_hash: Option<&str>, new_session: &SessionRecord, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn delete_expired_sessions(&self, idle_before: DateTime<Utc>, created_before: DateTime<Utc>) -> StoreResult<u64>;
    /// Counts a sign-in attempt for this email from this client, in one atomic statement, before
    /// its password is checked. Returns the attempts counted in the current window, or `None`
    /// when the pair is still waiting out a delay (the attempt is then refused and not counted).
    async fn reserve_sign_in_attempt(&self, email: &str, client: &str, at: DateTime<Utc>, rule: &ThrottleRule) -> StoreResult<Option<i64>>;
    /// Until when this email from this client must wait before its next attempt is counted
    /// (`None` when the pair has no count), so a refusal can say how long is left.
    async fn sign_in_blocked_until(&self, email: &str, client: &str) -> StoreResult<Option<DateTime<Utc>>>;
    /// After a successful sign-in: the pair starts again from nothing.
    async fn clear_sign_in_attempts(&self, email: &str, client: &str) -> StoreResult<()>;
    /// Forgets pairs whose window began before `window_started_before` and whose delay has
    /// passed by `now`: they would start again from nothing anyway. Returns how many went.
    async fn delete_stale_sign_in_attempts(&self, window_started_before: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<u64>;
    async fn insert_api_token(&self, token: &ApiTokenRecord, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>>;

    // People
    async fn insert_person(&self, person: &Person, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Writes new details, allocation and team; the audit event carries before and after.
    async fn update_person(&self, person: &Person, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn get_person(&self, id: PersonId) -> StoreResult<Person>;
    async fn person_access_facts(&self, id: PersonId) -> StoreResult<PersonAccessFacts>;
    async fn search_people(&self, query: &PeopleQuery) -> StoreResult<Vec<PersonSummary>>;
    async fn count_people(&self, filter: &PeopleFilter) -> StoreResult<i64>;
    async fn insert_relationship(&self, relationship: &Relationship, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_relationships(&self, person_id: PersonId) -> StoreResult<Vec<Relationship>>;
    async fn insert_warning(&self, warning: &Warning, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_warnings(&self, person_id: PersonId) -> StoreResult<Vec<Warning>>;
    async fn insert_note(&self, note: &CaseNote, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_notes(&self, person_id: PersonId, limit: i64) -> StoreResult<Vec<CaseNote>>;
    async fn insert_document(&self, document: &DocumentMeta, content: &[u8], audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_documents(&self, person_id: PersonId) -> StoreResult<Vec<DocumentMeta>>;
    async fn get_document(&self, id: DocumentId) -> StoreResult<(DocumentMeta, Vec<u8>)>;
    async fn insert_delegation(&self, delegation: &Delegation, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_delegations_for_person(&self, person_id: PersonId) -> StoreResult<Vec<Delegation>>;
    async fn list_delegations_for_helper(&self, helper_id: UserId) -> StoreResult<Vec<Delegation>>;
    async fn insert_money_holder(
        &self,
        person_id: PersonId,
        organisation_id: OrganisationId,
        since: NaiveDate,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;

    // Audit
    /// For events that are not part of another change: reads, refusals.
    async fn append_audit(&self, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn list_audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEvent>>;
    /// The whole chain from the first event, oldest first, for verification.
    async fn audit_chain(&self, after_sequence: i64, limit: i64) -> StoreResult<Vec<AuditEvent>>;

    // Configuration versions
    async fn insert_configuration(&self, configuration: &ConfigurationVersion, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Every version of one kind, newest effective date (then version) first.
    async fn list_configurations(&self, kind: &str) -> StoreResult<Vec<ConfigurationVersion>>;

    // Bulk loading for the demo council
    async fn insert_demo_people(&self, bundles: &[DemoPersonBundle]) -> StoreResult<()>;
}

/// The records of the seven steps (1 to 3 so far) and the jobs table. A separate trait so that
/// each half of the port stays readable; every `Store` is one.
#[async_trait]
pub trait StepStore: Send + Sync + 'static {
    // Step 1, my money: self-assessment, eligibility, the indicative budget, the financial assessment
    /// A new self-assessment; `Conflict` when the person already has one of that kind under way.
    async fn insert_assessment(&self, assessment: &Assessment, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn get_assessment(&self, id: AssessmentId) -> StoreResult<Assessment>;
    /// A person's assessments, newest first.
    async fn list_assessments(&self, person_id: PersonId) -> StoreResult<Vec<Assessment>>;
    /// Records one answer, if the assessment is still as expected; returns the new version.
    async fn save_answer(
        &self,
        assessment: &Assessment,
        expect: Expect<'_>,
        question_id: &str,
        answer_id: &str,
        audit: &NewAuditEvent,
    ) -> StoreResult<i64>;
    /// Writes "About you" (`assessment.about`), who filled it in and when, if the assessment is
    /// still as expected; returns the new version.
    async fn save_about_you(&self, assessment: &Assessment, expect: Expect<'_>, audit: &NewAuditEvent) -> StoreResult<i64>;
    /// Writes an assessment's new status, submission and review, if it is still as expected.
    async fn update_assessment(&self, assessment: &Assessment, expect: Expect<'_>, audit: &NewAuditEvent) -> StoreResult<()>;
    /// The eligibility decision and, when eligible, the indicative budget, in one transaction;
    /// only for an accepted assessment without a decision (else `StateChanged`).
    async fn record_eligibility(
        &self,
        decision: &EligibilityRecord,
        allocation: Option<&AllocationRecord>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()>;
    async fn list_eligibility(&self, person_id: PersonId) -> StoreResult<Vec<EligibilityRecord>>;
    async fn get_allocation(&self, id: AllocationId) -> StoreResult<AllocationRecord>;
    async fn list_allocations(&self, person_id: PersonId) -> StoreResult<Vec<AllocationRecord>>;
    /// Writes a professional override onto an indicative budget read at `expected_version`.
    async fn override_allocation(&self, allocation: &AllocationRecord, expected_version: i64, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn insert_financial_assessment(&self, record: &FinancialAssessmentRecord, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn get_financial_assessment(&self, id: FinancialAssessmentId) -> StoreResult<FinancialAssessmentRecord>;
    async fn list_financial_assessments(&self, person_id: PersonId) -> StoreResult<Vec<FinancialAssessmentRecord>>;

    // Steps 2 and 3, my plan and my plan agreed
    /// A new plan; `Conflict` when the person already has a plan in progress.
    async fn insert_plan(&self, plan: &SupportPlan, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Writes a plan's content and status (its lines replaced), if it is still as expected.
    async fn update_plan(&self, plan: &SupportPlan, expect: Expect<'_>, audit: &NewAuditEvent) -> StoreResult<()>;
    /// A sign-off decision: the plan moves to its new status if it is still as expected, the
    /// decision is added, and an agreed plan's personal budget is issued, all in one transaction.
    async fn decide_plan(
        &self,
        plan: &SupportPlan,
        expect: Expect<'_>,
        decision: &PlanDecision,
        budget: Option<&PersonalBudget>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()>;
    async fn get_plan(&self, id: PlanId) -> StoreResult<SupportPlan>;
    async fn list_plans(&self, person_id: PersonId) -> StoreResult<Vec<SupportPlan>>;
    async fn get_budget(&self, id: BudgetId) -> StoreResult<PersonalBudget>;
    async fn list_budgets(&self, person_id: PersonId) -> StoreResult<Vec<PersonalBudget>>;
    async fn insert_challenge(&self, challenge: &Challenge, audit: &NewAuditEvent) -> StoreResult<()>;
    /// Closes an open challenge with its response, if no one answered it first.
    async fn answer_challenge(&self, challenge: &Challenge, expected_version: i64, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn get_challenge(&self, id: ChallengeId) -> StoreResult<Challenge>;
    async fn list_challenges(&self, person_id: PersonId) -> StoreResult<Vec<Challenge>>;

    // Work queues: records waiting for someone, for the people a filter allows, oldest first
    async fn assessments_waiting(&self, status: AssessmentStatus, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Assessment>>;
    /// Accepted assessments with no eligibility decision yet.
    async fn assessments_to_decide(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Assessment>>;
    async fn plans_waiting(&self, status: PlanStatus, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<SupportPlan>>;
    async fn open_challenges(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Challenge>>;

    // Jobs: work that runs later
    /// Enqueues a job, with its audit event when it has one. A job whose `dedupe_key` is already
    /// queued or done is not added again: returns false.
    async fn enqueue_job(&self, job: &Job, audit: Option<&NewAuditEvent>) -> StoreResult<bool>;
    /// Takes the oldest due job for `worker` until `lease_until`, so no other worker runs it.
    async fn claim_job(&self, worker: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<Option<Job>>;
    /// Records how a claimed job ended; refused (`StateChanged`) if `worker` no longer holds it.
    async fn finish_job(&self, id: JobId, worker: &str, outcome: &JobOutcome, at: DateTime<Utc>) -> StoreResult<()>;
    /// The latest jobs, newest first, for the administrators' page.
    async fn list_jobs(&self, limit: i64) -> StoreResult<Vec<Job>>;

    // Assessment duties: method, capacity, advocacy
    /// Records how an assessment was carried out, with its audit event. `replacing`: `None` for
    /// the first record (if one landed first: `StateChanged`), or the version being replaced.
    async fn record_assessment_duties(
        &self,
        duties: &tailor_domain::assessment_duties::AssessmentDuties,
        replacing: Option<i64>,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;
    async fn get_assessment_duties(
        &self,
        assessment_id: AssessmentId,
    ) -> StoreResult<Option<tailor_domain::assessment_duties::AssessmentDuties>>;
}

/// Challenges to decisions and eligibility decided again: the part of the port that answers
/// for them beyond `StepStore`'s inserts and reads.
#[async_trait]
pub trait ChallengeStore: Send + Sync + 'static {
    /// Records a new eligibility decision in place of `decision.redetermination.replaces`: the
    /// earlier is marked replaced (only if it still stands) and kept, the new one inserted, with
    /// any new indicative budget and the audit events, in one transaction. Of two at once, one lands.
    async fn redetermine_eligibility(
        &self,
        decision: &EligibilityRecord,
        allocation: Option<&AllocationRecord>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()>;
    /// Open challenges this member of staff owns, with those carried over without an owner for
    /// the people `filter` allows; the soonest due first.
    async fn owned_challenges(&self, owner: UserId, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Challenge>>;
    async fn get_eligibility(&self, id: tailor_domain::EligibilityDecisionId) -> StoreResult<EligibilityRecord>;
    /// A plan decision with its plan and the plan's person.
    async fn get_plan_decision(&self, id: tailor_domain::PlanDecisionId) -> StoreResult<(PlanId, PersonId, PlanDecision)>;
    /// Hands an open challenge to `reassignment.to`, if it is still open at `expected_version`
    /// (else `StateChanged`): the owner changes, the hand-over is kept with the owner before it,
    /// and the audit event is written, in one transaction. The database refuses an owner who
    /// made the decision.
    async fn reassign_challenge(
        &self,
        reassignment: &tailor_domain::challenges::ChallengeReassignment,
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> StoreResult<()>;
    /// Every hand-over of a challenge, the earliest first.
    async fn challenge_reassignments(
        &self,
        challenge_id: ChallengeId,
    ) -> StoreResult<Vec<tailor_domain::challenges::ChallengeReassignment>>;
}
