//! Turning database rows into domain records, written once for every adapter.
//!
//! Each adapter implements `RowAccess` for its own row type (a handful of typed getters); the
//! mapping from columns to records then lives here, so the two adapters cannot drift apart in how
//! they read a person. The column-list macros keep the selects and the mappers in step.

use crate::{Delegation, SessionRecord, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use tailor_domain::access::{DelegationScope, Role};
use tailor_domain::audit::{AuditAction, AuditEvent, NewAuditEvent};
use tailor_domain::nhs_number::NhsNumber;
use tailor_domain::notes::{CaseNote, DocumentMeta, NoteKind};
use tailor_domain::people::{
    Address, Consent, ConsentStatus, ContactPreference, Person, PersonDetails, PersonSummary, Relationship, RelationshipKind, Warning,
    WarningCategory,
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
        "sequence, at, actor_id, actor_label, action, subject_type, subject_id, person_id, details, previous_hash, hash"
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

pub fn case_record_from_row(row: &impl RowAccess) -> StoreResult<crate::CaseRecord> {
    let body_text = row.text("body")?;
    Ok(crate::CaseRecord {
        id: row.uuid("id")?,
        kind: row.text("kind")?,
        person_id: PersonId(row.uuid("person_id")?),
        status: row.text("status")?,
        body: serde_json::from_str(&body_text).map_err(|_| corrupt("body", &body_text))?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}
