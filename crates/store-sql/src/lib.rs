//! One SQL implementation of Tailor's storage port for both engines.
//!
//! SQLite and PostgreSQL both accept `$1` placeholders, so every query is written once here,
//! generic over the engine. What really differs lives behind `Engine` (in the adapter crates):
//! how to connect and migrate, how the audit chain is locked, and how a name prefix is matched.
//! Every change is one transaction that also appends its audit event; every change of state is
//! a conditional write (`... where status = $n and version = $m returning id`), so of many
//! simultaneous decisions exactly one lands.
//!
//! sqlx's trait bounds are not implied by a generic parameter, so the same `where` clause
//! stands on each impl block (`SqlStore`'s helpers, `Store`, `StepStore`); see `bounds`.
//!
//! Long because `Store` is implemented in one impl block (its where-clause would repeat on each
//! block); the steps' half of the port is `steps.rs`.

mod accounts;
mod audit_log;
mod budget_requests;
mod challenges;
mod steps;
mod two_factor;
mod worklists;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Database, Pool, Transaction};
use std::sync::Arc;
use tailor_domain::access::{PersonAccessFacts, Role};
use tailor_domain::audit::{AuditEvent, AuditKey, NewAuditEvent, GENESIS_HASH};
use tailor_domain::notes::{CaseNote, DocumentMeta};
use tailor_domain::people::{name_search_key, postcode_search_key, PeopleSearch, Person, PersonSummary, Relationship, Warning};
use tailor_domain::users::{Organisation, Team, User};
use tailor_domain::{DocumentId, OrganisationId, PersonId, UserId};
pub use tailor_store::rows::*;
use tailor_store::*;

/// A query with the engine's own argument buffer.
pub type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>;

/// What differs between the engines, and nothing else.
pub trait Engine: Send + Sync + 'static {
    type Db: Database;
    /// For logs and the health page.
    const NAME: &'static str;
    /// A statement that serialises audit appends until the transaction ends, where the engine
    /// needs one (PostgreSQL's advisory lock); SQLite's single writer already does.
    const AUDIT_CHAIN_LOCK: Option<&'static str>;
    /// Added to the query that claims a due job, so that workers skip rows others hold.
    const SKIP_LOCKED: &'static str;
    /// The operator that matches `prefix_pattern`'s patterns (`glob`, `like`), using an index.
    const PREFIX_MATCH: &'static str;
    /// A pattern matching text that starts with `text`, with the operator's wildcards made literal.
    fn prefix_pattern(text: &str) -> String;
    /// Opens the database at `url`, applies the engine's migrations and carries old records over.
    fn connect(url: &str) -> impl std::future::Future<Output = StoreResult<SqlStore<Self>>> + Send
    where
        Self: Sized;
}

/// The store: a pool for reads and one for writes. SQLite gives the writer one connection, so
/// writers queue in the process instead of racing for the file's lock; PostgreSQL shares one pool.
pub struct SqlStore<E: Engine> {
    pub reader: Pool<E::Db>,
    pub writer: Pool<E::Db>,
    /// Seals every audit event this store appends; without it events are written unkeyed.
    audit_key: Option<Arc<AuditKey>>,
    engine: std::marker::PhantomData<E>,
}

impl<E: Engine> Clone for SqlStore<E> {
    fn clone(&self) -> Self {
        SqlStore {
            reader: self.reader.clone(),
            writer: self.writer.clone(),
            audit_key: self.audit_key.clone(),
            engine: std::marker::PhantomData,
        }
    }
}

impl<E: Engine> SqlStore<E> {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        E::connect(url).await
    }

    pub fn from_pools(reader: Pool<E::Db>, writer: Pool<E::Db>) -> Self {
        SqlStore {
            reader,
            writer,
            audit_key: None,
            engine: std::marker::PhantomData,
        }
    }

    /// The same store, sealing the audit events it appends with `key`.
    pub fn with_audit_key(mut self, key: AuditKey) -> Self {
        self.audit_key = Some(Arc::new(key));
        self
    }
}

/// A database row seen through `RowAccess`, for any engine.
pub struct Columns<'a, R>(pub &'a R);

macro_rules! get_column {
    ($row:expr, $column:expr) => {
        sqlx::Row::try_get($row, $column).map_err(|error| StoreError::Other(format!("reading {}: {error}", $column)))
    };
}

impl<R: sqlx::Row> RowAccess for Columns<'_, R>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> uuid::Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> NaiveDate: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn uuid(&self, column: &str) -> StoreResult<uuid::Uuid> {
        get_column!(self.0, column)
    }
    fn optional_uuid(&self, column: &str) -> StoreResult<Option<uuid::Uuid>> {
        get_column!(self.0, column)
    }
    fn text(&self, column: &str) -> StoreResult<String> {
        get_column!(self.0, column)
    }
    fn optional_text(&self, column: &str) -> StoreResult<Option<String>> {
        get_column!(self.0, column)
    }
    fn date(&self, column: &str) -> StoreResult<NaiveDate> {
        get_column!(self.0, column)
    }
    fn optional_date(&self, column: &str) -> StoreResult<Option<NaiveDate>> {
        get_column!(self.0, column)
    }
    fn time(&self, column: &str) -> StoreResult<DateTime<Utc>> {
        get_column!(self.0, column)
    }
    fn integer(&self, column: &str) -> StoreResult<i64> {
        get_column!(self.0, column)
    }
    fn boolean(&self, column: &str) -> StoreResult<bool> {
        get_column!(self.0, column)
    }
    fn optional_time(&self, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
        get_column!(self.0, column)
    }
    fn optional_integer(&self, column: &str) -> StoreResult<Option<i64>> {
        get_column!(self.0, column)
    }
    fn optional_boolean(&self, column: &str) -> StoreResult<Option<bool>> {
        get_column!(self.0, column)
    }
}

/// Reads one column of a row: for the few places that read a value with no mapper of its own.
fn get<R: sqlx::Row, T>(row: &R, column: &str) -> StoreResult<T>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    get_column!(row, column)
}

pub fn unavailable(error: sqlx::Error) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

/// Turns constraint failures into the port's errors, naming what was duplicated. PostgreSQL
/// names the constraint; SQLite puts the columns in its message.
pub fn database_error(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::RowNotFound = error {
        return StoreError::NotFound;
    }
    if let Some(database) = error.as_database_error() {
        if database.is_unique_violation() {
            let message = database.constraint().unwrap_or_else(|| database.message());
            let what = if message.contains("email") {
                "email"
            } else if message.contains("nhs_number") {
                "nhs_number"
            } else if message.contains("one_open") || message.contains("one_in_progress") {
                "in_progress"
            } else if message.contains("name") {
                "name"
            } else {
                "record"
            };
            return StoreError::Conflict { what };
        }
    }
    StoreError::Other(error.to_string())
}

/// What a conditional write that touched no row means: gone, or changed by someone else.
fn state_changed(what: &'static str) -> StoreError {
    StoreError::StateChanged(what)
}

struct SearchParameters {
    given: Option<String>,
    family: Option<String>,
    either: Option<String>,
    nhs_number: Option<String>,
    date_of_birth: Option<NaiveDate>,
    postcode: Option<String>,
}

fn search_parameters(search: &PeopleSearch, pattern: fn(&str) -> String) -> SearchParameters {
    let mut parameters = SearchParameters {
        given: None,
        family: None,
        either: None,
        nhs_number: search.nhs_number.map(|number| number.digits()),
        date_of_birth: search.date_of_birth,
        postcode: search.postcode.clone(),
    };
    if let Some(name) = &search.name {
        let words: Vec<String> = name
            .split_whitespace()
            .map(name_search_key)
            .filter(|word| !word.is_empty())
            .collect();
        match words.as_slice() {
            [] => {}
            [one] => parameters.either = Some(pattern(one)),
            [first, .., last] => {
                parameters.given = Some(pattern(first));
                parameters.family = Some(pattern(last));
            }
        }
    }
    parameters
}

/// The people search, for a filter written in terms of `$9` and `$10`.
fn people_select(filter: &str, prefix_match: &str) -> String {
    format!(
        "select p.id, p.given_name, p.family_name, p.date_of_birth, p.nhs_number, p.postcode, p.allocated_worker, u.display_name as worker_name, p.team_id
         from people p left join users u on u.id = p.allocated_worker
         where {filter} and ($1 is null or p.given_lower {prefix_match} $1) and ($2 is null or p.family_lower {prefix_match} $2)
           and ($3 is null or p.given_lower {prefix_match} $3 or p.family_lower {prefix_match} $3)
           and ($4 is null or p.nhs_number = $4) and ($5 is null or p.date_of_birth = $5)
           and ($8 is null or p.postcode_key = $8)
         order by p.family_lower, p.given_lower, p.id limit $6 offset $7"
    )
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
    pub(crate) async fn begin(&self) -> StoreResult<Transaction<'static, E::Db>> {
        self.writer.begin().await.map_err(database_error)
    }

    pub(crate) async fn commit(tx: Transaction<'static, E::Db>) -> StoreResult<()> {
        tx.commit().await.map_err(database_error)
    }

    /// Appends an audit event inside the caller's transaction, chained to the last one. The
    /// engine's lock (or SQLite's single writer) keeps any other append from coming between.
    pub(crate) async fn append_audit_in(&self, tx: &mut Transaction<'static, E::Db>, event: &NewAuditEvent) -> StoreResult<()> {
        if let Some(lock) = E::AUDIT_CHAIN_LOCK {
            sqlx::query(lock).execute(&mut **tx).await.map_err(database_error)?;
        }
        let last = sqlx::query("select sequence, hash from audit_events order by sequence desc limit 1")
            .fetch_optional(&mut **tx)
            .await
            .map_err(database_error)?;
        let (previous_sequence, previous_hash): (i64, String) = match last {
            Some(row) => (get(&row, "sequence")?, get(&row, "hash")?),
            None => (0, GENESIS_HASH.to_owned()),
        };
        let sequence = previous_sequence + 1;
        let (hash_version, hash) = event.seal(self.audit_key.as_deref(), sequence, &previous_hash);
        sqlx::query(
            "insert into audit_events (sequence, at, actor_id, actor_label, action, subject_type, subject_id, person_id, details, previous_hash, hash, hash_version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(sequence)
        .bind(event.at)
        .bind(event.actor_id.map(|id| id.0))
        .bind(&event.actor_label)
        .bind(event.action.as_str())
        .bind(&event.subject_type)
        .bind(&event.subject_id)
        .bind(event.person_id.map(|id| id.0))
        .bind(event.details.to_string())
        .bind(&previous_hash)
        .bind(&hash)
        .bind(hash_version)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    pub(crate) async fn append_all_in(&self, tx: &mut Transaction<'static, E::Db>, events: &[NewAuditEvent]) -> StoreResult<()> {
        for event in events {
            self.append_audit_in(tx, event).await?;
        }
        Ok(())
    }

    pub(crate) async fn insert_person_in(tx: &mut Transaction<'static, E::Db>, person: &Person) -> StoreResult<()> {
        let statement = sqlx::query(
            "insert into people (given_name, family_name, given_lower, family_lower, preferred_name, date_of_birth, nhs_number, address_line_1, address_line_2, town, postcode, phone, email, contact_preference, communication_needs, consent_status, consent_limitations, consent_recorded_on, allocated_worker, team_id, updated_at, postcode_key, created_at, id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
        );
        Self::bind_person_fields(statement, person)
            .bind(person.created_at)
            .bind(person.id.0)
            .execute(&mut **tx)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    /// Binds a person's columns in the one order that both the insert and the update list them.
    pub(crate) fn bind_person_fields<'q>(statement: Query<'q, E::Db>, person: &'q Person) -> Query<'q, E::Db> {
        let details = &person.details;
        statement
            .bind(&details.given_name)
            .bind(&details.family_name)
            .bind(name_search_key(&details.given_name))
            .bind(name_search_key(&details.family_name))
            .bind(&details.preferred_name)
            .bind(details.date_of_birth)
            .bind(details.nhs_number.map(|number| number.digits()))
            .bind(&details.address.line_1)
            .bind(&details.address.line_2)
            .bind(&details.address.town)
            .bind(&details.address.postcode)
            .bind(&details.phone)
            .bind(&details.email)
            .bind(details.contact_preference.as_str())
            .bind(&details.communication_needs)
            .bind(details.consent.status.as_str())
            .bind(&details.consent.limitations)
            .bind(details.consent.recorded_on)
            .bind(person.allocated_worker.map(|id| id.0))
            .bind(person.team_id.map(|id| id.0))
            .bind(person.updated_at)
            .bind(postcode_search_key(&details.address.postcode))
    }

    pub(crate) async fn insert_relationship_in(tx: &mut Transaction<'static, E::Db>, relationship: &Relationship) -> StoreResult<()> {
        sqlx::query(
            "insert into relationships (id, person_id, kind, name, phone, related_person_id, lives_with_person, notes, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(relationship.id.0)
        .bind(relationship.person_id.0)
        .bind(relationship.kind.as_str())
        .bind(&relationship.name)
        .bind(&relationship.phone)
        .bind(relationship.related_person_id.map(|id| id.0))
        .bind(relationship.lives_with_person)
        .bind(&relationship.notes)
        .bind(relationship.created_at)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    pub(crate) async fn insert_warning_in(tx: &mut Transaction<'static, E::Db>, warning: &Warning) -> StoreResult<()> {
        sqlx::query(
            "insert into warnings (id, person_id, category, text, created_by, created_by_name, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(warning.id.0)
        .bind(warning.person_id.0)
        .bind(warning.category.as_str())
        .bind(&warning.text)
        .bind(warning.created_by.0)
        .bind(&warning.created_by_name)
        .bind(warning.created_at)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }

    pub(crate) async fn insert_note_in(tx: &mut Transaction<'static, E::Db>, note: &CaseNote) -> StoreResult<()> {
        sqlx::query(
            "insert into case_notes (id, person_id, kind, occurred_on, text, author_id, author_name, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(note.id.0)
        .bind(note.person_id.0)
        .bind(note.kind.as_str())
        .bind(note.occurred_on)
        .bind(&note.text)
        .bind(note.author_id.0)
        .bind(&note.author_name)
        .bind(note.created_at)
        .execute(&mut **tx)
        .await
        .map_err(database_error)?;
        Ok(())
    }
}

#[async_trait]
impl<E: Engine> Store for SqlStore<E>
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
    fn engine(&self) -> &'static str {
        E::NAME
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let count: i64 = sqlx::query_scalar("select count(*) from users")
            .fetch_one(&self.reader)
            .await
            .map_err(database_error)?;
        Ok(count == 0)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.reader).await.map_err(unavailable)?;
        Ok(())
    }

    async fn insert_user(&self, user: &User, password_hash: &str, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "insert into users (id, email, display_name, role, team_id, person_id, organisation_id, active, password_hash, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(user.id.0)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.team_id.map(|id| id.0))
        .bind(user.person_id.map(|id| id.0))
        .bind(user.organisation_id.map(|id| id.0))
        .bind(user.active)
        .bind(password_hash)
        .bind(user.created_at)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn update_user(&self, user: &User, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "update users set email = $1, display_name = $2, role = $3, team_id = $4, person_id = $5, organisation_id = $6, active = $7 where id = $8 returning id",
        )
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.team_id.map(|id| id.0))
        .bind(user.person_id.map(|id| id.0))
        .bind(user.organisation_id.map(|id| id.0))
        .bind(user.active)
        .bind(user.id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?;
        if changed.is_none() {
            return Err(StoreError::NotFound);
        }
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(concat!("select ", user_columns!(), ", password_hash from users where email = $1"))
            .bind(email)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?;
        row.map(|row| Ok((user_from_row(&Columns(&row))?, get(&row, "password_hash")?)))
            .transpose()
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        let row = sqlx::query(concat!("select ", user_columns!(), " from users where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&Columns(&row))
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(concat!("select ", user_columns!(), " from users order by display_name, email"))
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(|row| user_from_row(&Columns(row))).collect()
    }

    async fn list_users_with_role(&self, role: Role) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(concat!(
            "select ",
            user_columns!(),
            " from users where role = $1 order by display_name"
        ))
        .bind(role.as_str())
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| user_from_row(&Columns(row))).collect()
    }

    async fn insert_team(&self, team: &Team, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("insert into teams (id, name, created_at) values ($1, $2, $3)")
            .bind(team.id.0)
            .bind(&team.name)
            .bind(team.created_at)
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        let rows = sqlx::query("select id, name, created_at from teams order by name")
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(|row| team_from_row(&Columns(row))).collect()
    }

    async fn insert_organisation(&self, organisation: &Organisation, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("insert into organisations (id, name, kind, created_at) values ($1, $2, $3, $4)")
            .bind(organisation.id.0)
            .bind(&organisation.name)
            .bind(organisation.kind.as_str())
            .bind(organisation.created_at)
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        let rows = sqlx::query("select id, name, kind, created_at from organisations order by name")
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(|row| organisation_from_row(&Columns(row))).collect()
    }

    async fn get_organisation(&self, id: OrganisationId) -> StoreResult<Organisation> {
        let row = sqlx::query("select id, name, kind, created_at from organisations where id = $1")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        organisation_from_row(&Columns(&row))
    }

    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query("insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, pending_user_id) values ($1, $2, $3, $4, $5, $6)")
            .bind(&session.id_hash)
            .bind(session.user_id.map(|id| id.0))
            .bind(&session.csrf_token)
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.pending_user_id.map(|id| id.0))
            .execute(&self.writer)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn find_session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row =
            sqlx::query("select id_hash, user_id, csrf_token, created_at, last_seen_at, pending_user_id from sessions where id_hash = $1")
                .bind(id_hash)
                .fetch_optional(&self.reader)
                .await
                .map_err(database_error)?;
        row.as_ref().map(|row| session_from_row(&Columns(row))).transpose()
    }

    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("update sessions set last_seen_at = $1 where id_hash = $2")
            .bind(at)
            .bind(id_hash)
            .execute(&self.writer)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("delete from sessions where id_hash = $1")
            .bind(id_hash)
            .execute(&self.writer)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn rotate_session(&self, old_id_hash: Option<&str>, new_session: &SessionRecord, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if let Some(old) = old_id_hash {
            sqlx::query("delete from sessions where id_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await
                .map_err(database_error)?;
        }
        sqlx::query("insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, pending_user_id) values ($1, $2, $3, $4, $5, $6)")
            .bind(&new_session.id_hash)
            .bind(new_session.user_id.map(|id| id.0))
            .bind(&new_session.csrf_token)
            .bind(new_session.created_at)
            .bind(new_session.last_seen_at)
            .bind(new_session.pending_user_id.map(|id| id.0))
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn delete_expired_sessions(&self, idle_before: DateTime<Utc>, created_before: DateTime<Utc>) -> StoreResult<u64> {
        let removed = sqlx::query("delete from sessions where last_seen_at < $1 or created_at < $2 returning id_hash")
            .bind(idle_before)
            .bind(created_before)
            .fetch_all(&self.writer)
            .await
            .map_err(database_error)?;
        Ok(removed.len() as u64)
    }

    async fn reserve_sign_in_attempt(&self, email: &str, client: &str, at: DateTime<Utc>, rule: &ThrottleRule) -> StoreResult<Option<i64>> {
        // One upsert counts the attempt and sets the next delay, so simultaneous attempts each
        // see the count the one before left (the row is locked on conflict; SQLite has one
        // writer). A pair still waiting out its delay matches no row: refused, not counted.
        let delay = "case when sign_in_throttle.window_started_micros < $4 or sign_in_throttle.failures + 1 < $5 then 0
                          when sign_in_throttle.delay_seconds = 0 then 1
                          when sign_in_throttle.delay_seconds * 2 > $6 then $6
                          else sign_in_throttle.delay_seconds * 2 end";
        let statement = format!(
            "insert into sign_in_throttle (email, client, failures, window_started_micros, delay_seconds, blocked_until_micros)
             values ($1, $2, 1, $3, 0, $3)
             on conflict (email, client) do update set
                 failures = case when sign_in_throttle.window_started_micros < $4 then 1 else sign_in_throttle.failures + 1 end,
                 window_started_micros = case when sign_in_throttle.window_started_micros < $4 then $3 else sign_in_throttle.window_started_micros end,
                 delay_seconds = {delay},
                 blocked_until_micros = $3 + 1000000 * ({delay})
             where sign_in_throttle.blocked_until_micros <= $3
             returning failures"
        );
        let now = at.timestamp_micros();
        let window_start = now - rule.window.num_microseconds().unwrap_or(i64::MAX);
        sqlx::query_scalar(&statement)
            .bind(email)
            .bind(client)
            .bind(now)
            .bind(window_start)
            .bind(rule.free_attempts)
            .bind(rule.longest_delay_seconds)
            .fetch_optional(&self.writer)
            .await
            .map_err(database_error)
    }

    async fn sign_in_blocked_until(&self, email: &str, client: &str) -> StoreResult<Option<DateTime<Utc>>> {
        let micros: Option<i64> = sqlx::query_scalar("select blocked_until_micros from sign_in_throttle where email = $1 and client = $2")
            .bind(email)
            .bind(client)
            .fetch_optional(&self.writer)
            .await
            .map_err(database_error)?;
        Ok(micros.and_then(DateTime::from_timestamp_micros))
    }

    async fn clear_sign_in_attempts(&self, email: &str, client: &str) -> StoreResult<()> {
        sqlx::query("delete from sign_in_throttle where email = $1 and client = $2")
            .bind(email)
            .bind(client)
            .execute(&self.writer)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn delete_stale_sign_in_attempts(&self, window_started_before: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<u64> {
        // `returning` and a count, because the engines' query results share no trait for it.
        let removed =
            sqlx::query("delete from sign_in_throttle where window_started_micros < $1 and blocked_until_micros <= $2 returning email")
                .bind(window_started_before.timestamp_micros())
                .bind(now.timestamp_micros())
                .fetch_all(&self.writer)
                .await
                .map_err(database_error)?;
        Ok(removed.len() as u64)
    }

    async fn insert_api_token(&self, token: &ApiTokenRecord, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("insert into api_tokens (token_hash, user_id, created_at, expires_at, id) values ($1, $2, $3, $4, $5)")
            .bind(&token.token_hash)
            .bind(token.user_id.0)
            .bind(token.created_at)
            .bind(token.expires_at)
            .bind(uuid::Uuid::new_v4())
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
        let row =
            sqlx::query("select token_hash, user_id, created_at, expires_at from api_tokens where token_hash = $1 and revoked_at is null")
                .bind(token_hash)
                .fetch_optional(&self.reader)
                .await
                .map_err(database_error)?;
        row.as_ref()
            .map(|row| {
                Ok(ApiTokenRecord {
                    token_hash: get(row, "token_hash")?,
                    user_id: UserId(get(row, "user_id")?),
                    created_at: get(row, "created_at")?,
                    expires_at: get(row, "expires_at")?,
                })
            })
            .transpose()
    }

    async fn insert_person(&self, person: &Person, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_person_in(&mut tx, person).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn update_person(&self, person: &Person, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let statement = sqlx::query(
            "update people set given_name = $1, family_name = $2, given_lower = $3, family_lower = $4, preferred_name = $5, date_of_birth = $6, nhs_number = $7, address_line_1 = $8, address_line_2 = $9, town = $10, postcode = $11, phone = $12, email = $13, contact_preference = $14, communication_needs = $15, consent_status = $16, consent_limitations = $17, consent_recorded_on = $18, allocated_worker = $19, team_id = $20, updated_at = $21, postcode_key = $22
             where id = $23 returning id",
        );
        let changed = Self::bind_person_fields(statement, person)
            .bind(person.id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(database_error)?;
        if changed.is_none() {
            return Err(StoreError::NotFound);
        }
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_person(&self, id: PersonId) -> StoreResult<Person> {
        let row = sqlx::query(concat!("select ", person_columns!(), " from people where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        person_from_row(&Columns(&row))
    }

    async fn person_access_facts(&self, id: PersonId) -> StoreResult<PersonAccessFacts> {
        let row = sqlx::query("select allocated_worker, team_id from people where id = $1")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        let delegations = self.list_delegations_for_person(id).await?;
        let holders: Vec<uuid::Uuid> = sqlx::query_scalar("select organisation_id from money_holders where person_id = $1")
            .bind(id.0)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        Ok(PersonAccessFacts {
            person_id: Some(id),
            allocated_worker: get::<_, Option<uuid::Uuid>>(&row, "allocated_worker")?.map(UserId),
            team: get::<_, Option<uuid::Uuid>>(&row, "team_id")?.map(tailor_domain::TeamId),
            delegations: delegations.iter().map(Delegation::grant).collect(),
            money_held_by: holders.into_iter().map(OrganisationId).collect(),
        })
    }

    async fn search_people(&self, query: &PeopleQuery) -> StoreResult<Vec<PersonSummary>> {
        let search = search_parameters(&query.search, E::prefix_pattern);
        let filter = match &query.filter {
            PeopleFilter::Everyone => "1 = 1",
            PeopleFilter::TeamOrAllocated { .. } => "(p.team_id = $9 or p.allocated_worker = $10)",
            PeopleFilter::AllocatedTo(_) => "p.allocated_worker = $9",
            PeopleFilter::MoneyHeldBy(_) => "p.id in (select person_id from money_holders where organisation_id = $9)",
            PeopleFilter::DelegatedTo { .. } => {
                "p.id in (select person_id from delegations where helper_id = $9 and (expires_on is null or expires_on >= $10))"
            }
        };
        let sql = people_select(filter, E::PREFIX_MATCH);
        let statement = sqlx::query(&sql);
        let statement = statement
            .bind(search.given)
            .bind(search.family)
            .bind(search.either)
            .bind(search.nhs_number)
            .bind(search.date_of_birth)
            .bind(query.limit)
            .bind(query.offset)
            .bind(search.postcode);
        let statement = match &query.filter {
            PeopleFilter::Everyone => statement,
            PeopleFilter::TeamOrAllocated { team, worker } => statement.bind(team.map(|id| id.0)).bind(worker.0),
            PeopleFilter::AllocatedTo(worker) => statement.bind(worker.0),
            PeopleFilter::MoneyHeldBy(organisation) => statement.bind(organisation.0),
            PeopleFilter::DelegatedTo { helper, on } => statement.bind(helper.0).bind(*on),
        };
        let rows = statement.fetch_all(&self.reader).await.map_err(database_error)?;
        rows.iter().map(|row| summary_from_row(&Columns(row))).collect()
    }

    async fn count_people(&self, filter: &PeopleFilter) -> StoreResult<i64> {
        let statement = match filter {
            PeopleFilter::Everyone => sqlx::query_scalar("select count(*) from people"),
            PeopleFilter::TeamOrAllocated { team, worker } => {
                sqlx::query_scalar("select count(*) from people where team_id = $1 or allocated_worker = $2")
                    .bind(team.map(|id| id.0))
                    .bind(worker.0)
            }
            PeopleFilter::AllocatedTo(worker) => {
                sqlx::query_scalar("select count(*) from people where allocated_worker = $1").bind(worker.0)
            }
            PeopleFilter::MoneyHeldBy(organisation) => {
                sqlx::query_scalar("select count(*) from money_holders where organisation_id = $1").bind(organisation.0)
            }
            PeopleFilter::DelegatedTo { helper, on } => sqlx::query_scalar(
                "select count(distinct person_id) from delegations where helper_id = $1 and (expires_on is null or expires_on >= $2)",
            )
            .bind(helper.0)
            .bind(*on),
        };
        statement.fetch_one(&self.reader).await.map_err(database_error)
    }

    async fn insert_relationship(&self, relationship: &Relationship, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_relationship_in(&mut tx, relationship).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_relationships(&self, person_id: PersonId) -> StoreResult<Vec<Relationship>> {
        let rows = sqlx::query(
            "select id, person_id, kind, name, phone, related_person_id, lives_with_person, notes, created_at
             from relationships where person_id = $1 order by created_at, id",
        )
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| relationship_from_row(&Columns(row))).collect()
    }

    async fn insert_warning(&self, warning: &Warning, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_warning_in(&mut tx, warning).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_warnings(&self, person_id: PersonId) -> StoreResult<Vec<Warning>> {
        let rows = sqlx::query(
            "select id, person_id, category, text, created_by, created_by_name, created_at
             from warnings where person_id = $1 order by created_at desc, id",
        )
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| warning_from_row(&Columns(row))).collect()
    }

    async fn insert_note(&self, note: &CaseNote, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::insert_note_in(&mut tx, note).await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_notes(&self, person_id: PersonId, limit: i64) -> StoreResult<Vec<CaseNote>> {
        let rows = sqlx::query(
            "select id, person_id, kind, occurred_on, text, author_id, author_name, created_at
             from case_notes where person_id = $1 order by occurred_on desc, created_at desc limit $2",
        )
        .bind(person_id.0)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| note_from_row(&Columns(row))).collect()
    }

    async fn insert_document(&self, document: &DocumentMeta, content: &[u8], audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "insert into documents (id, person_id, title, file_name, content_type, size_bytes, content, uploaded_by, uploaded_by_name, uploaded_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(document.id.0)
        .bind(document.person_id.0)
        .bind(&document.title)
        .bind(&document.file_name)
        .bind(&document.content_type)
        .bind(document.size_bytes)
        .bind(content)
        .bind(document.uploaded_by.0)
        .bind(&document.uploaded_by_name)
        .bind(document.uploaded_at)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_documents(&self, person_id: PersonId) -> StoreResult<Vec<DocumentMeta>> {
        let rows = sqlx::query(concat!(
            "select ",
            document_columns!(),
            " from documents where person_id = $1 order by uploaded_at desc"
        ))
        .bind(person_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| document_from_row(&Columns(row))).collect()
    }

    async fn get_document(&self, id: DocumentId) -> StoreResult<(DocumentMeta, Vec<u8>)> {
        let row = sqlx::query(concat!("select ", document_columns!(), ", content from documents where id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        Ok((document_from_row(&Columns(&row))?, get(&row, "content")?))
    }

    async fn insert_delegation(&self, delegation: &Delegation, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("insert into delegations (id, person_id, helper_id, scopes, expires_on, granted_at) values ($1, $2, $3, $4, $5, $6)")
            .bind(delegation.id.0)
            .bind(delegation.person_id.0)
            .bind(delegation.helper_id.0)
            .bind(scopes_to_text(&delegation.scopes))
            .bind(delegation.expires_on)
            .bind(delegation.granted_at)
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_delegations_for_person(&self, person_id: PersonId) -> StoreResult<Vec<Delegation>> {
        let rows = sqlx::query(concat!(delegation_select!(), " where d.person_id = $1 order by d.granted_at"))
            .bind(person_id.0)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(|row| delegation_from_row(&Columns(row))).collect()
    }

    async fn list_delegations_for_helper(&self, helper_id: UserId) -> StoreResult<Vec<Delegation>> {
        let rows = sqlx::query(concat!(delegation_select!(), " where d.helper_id = $1 order by d.granted_at"))
            .bind(helper_id.0)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(|row| delegation_from_row(&Columns(row))).collect()
    }

    async fn insert_money_holder(
        &self,
        person_id: PersonId,
        organisation_id: OrganisationId,
        since: NaiveDate,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("insert into money_holders (person_id, organisation_id, since) values ($1, $2, $3)")
            .bind(person_id.0)
            .bind(organisation_id.0)
            .bind(since)
            .execute(&mut *tx)
            .await
            .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn append_audit(&self, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(concat!(
            "select ",
            audit_columns!(),
            " from audit_events where ($1 is null or person_id = $1) and ($2 is null or action = $2) order by sequence desc limit $3"
        ))
        .bind(query.person_id.map(|id| id.0))
        .bind(query.action.map(|action| action.as_str()))
        .bind(query.limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| audit_from_row(&Columns(row))).collect()
    }

    async fn audit_chain(&self, after_sequence: i64, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(concat!(
            "select ",
            audit_columns!(),
            " from audit_events where sequence > $1 order by sequence limit $2"
        ))
        .bind(after_sequence)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| audit_from_row(&Columns(row))).collect()
    }

    async fn insert_configuration(&self, configuration: &ConfigurationVersion, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "insert into configuration_versions (kind, config_id, version, effective_from, source, loaded_at, loaded_by) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&configuration.kind)
        .bind(&configuration.config_id)
        .bind(configuration.version)
        .bind(configuration.effective_from)
        .bind(&configuration.source)
        .bind(configuration.loaded_at)
        .bind(&configuration.loaded_by)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn list_configurations(&self, kind: &str) -> StoreResult<Vec<ConfigurationVersion>> {
        let rows = sqlx::query(
            "select kind, config_id, version, effective_from, source, loaded_at, loaded_by from configuration_versions
             where kind = $1 order by effective_from desc, version desc",
        )
        .bind(kind)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| configuration_from_row(&Columns(row))).collect()
    }

    async fn insert_demo_people(&self, bundles: &[DemoPersonBundle]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for bundle in bundles {
            Self::insert_person_in(&mut tx, &bundle.person).await?;
            for relationship in &bundle.relationships {
                Self::insert_relationship_in(&mut tx, relationship).await?;
            }
            for warning in &bundle.warnings {
                Self::insert_warning_in(&mut tx, warning).await?;
            }
            for note in &bundle.notes {
                Self::insert_note_in(&mut tx, note).await?;
            }
        }
        Self::commit(tx).await
    }
}
