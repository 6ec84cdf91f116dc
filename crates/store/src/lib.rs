//! The storage port: what Tailor needs from a database, in the words of its use cases.
//!
//! Every method that changes something takes the `NewAuditEvent`(s) describing the change and
//! writes them in the same transaction, so a change and its audit record stand or fall together.
//! Adapters (SQLite, PostgreSQL) implement `Store`; the `conformance` module is one test suite
//! that every adapter must pass.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tailor_domain::access::{DelegationGrant, DelegationScope, PersonAccessFacts, Role};
use tailor_domain::audit::{AuditEvent, NewAuditEvent};
use tailor_domain::notes::{CaseNote, DocumentMeta};
use tailor_domain::people::{PeopleSearch, Person, PersonSummary, Relationship, Warning};
use tailor_domain::users::{Organisation, Team, User};
use tailor_domain::{DelegationId, DocumentId, OrganisationId, PersonId, TeamId, UserId};
use thiserror::Error;

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod rows;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `what` names it in words ("email").
    #[error("already exists: {what}")]
    Conflict { what: &'static str },
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
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

/// A case record (an assessment, a plan, a budget...): a JSON body the use cases own, and the
/// columns the store looks it up by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: uuid::Uuid,
    pub kind: String,
    pub person_id: PersonId,
    pub status: String,
    pub body: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
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
    async fn record_failed_sign_in(&self, email: &str, at: DateTime<Utc>, audit: &NewAuditEvent) -> StoreResult<()>;
    async fn count_failed_sign_ins(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64>;
    async fn clear_failed_sign_ins(&self, email: &str) -> StoreResult<()>;
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

    // Case records
    /// Inserts or replaces each record, and appends every audit event, in one transaction.
    async fn save_case_records(&self, records: &[CaseRecord], audit: &[NewAuditEvent]) -> StoreResult<()>;
    async fn get_case_record(&self, kind: &str, id: uuid::Uuid) -> StoreResult<CaseRecord>;
    /// A person's records of one kind, newest first.
    async fn list_case_records(&self, kind: &str, person_id: PersonId) -> StoreResult<Vec<CaseRecord>>;
    /// Records of one kind in one status for the people a filter allows, oldest first: a work queue.
    async fn list_case_records_by_status(
        &self,
        kind: &str,
        status: &str,
        filter: &PeopleFilter,
        limit: i64,
    ) -> StoreResult<Vec<CaseRecord>>;

    // Bulk loading for the demo council
    async fn insert_demo_people(&self, bundles: &[DemoPersonBundle]) -> StoreResult<()>;
}
