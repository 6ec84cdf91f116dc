//! Changes to indicative budgets waiting for a team manager, in SQL written once for both
//! engines: a partial unique index keeps one request waiting per budget, and a decision is a
//! conditional write on the request's status and version (and, when agreed, on the budget's
//! version) in one transaction with its audit events.

use crate::steps::queue_scope;
use crate::*;
use tailor_domain::assessments::AllocationRecord;
use tailor_domain::budget_requests::{OverrideDecision, OverrideRequest, OverrideRequestStatus};
use tailor_domain::money::Money;
use tailor_domain::{AllocationId, OverrideRequestId};
use tailor_store::{OverrideRequestForManager, OverrideRequestStore};

const REQUEST_COLUMNS: &str = "r.id, r.allocation_id, r.person_id, r.annual_pence, r.reason, r.asked_by, r.asked_by_name, r.asked_at,
    r.status, r.decided_by, r.decided_by_name, r.decided_at, r.decision_reason, r.version";

fn request_from_row(columns: &impl RowAccess) -> StoreResult<OverrideRequest> {
    let status_text = columns.text("status")?;
    let status =
        OverrideRequestStatus::parse(&status_text).ok_or_else(|| StoreError::Other(format!("unknown request status {status_text:?}")))?;
    let decision = match (columns.optional_uuid("decided_by")?, columns.optional_time("decided_at")?) {
        (Some(by), Some(at)) => Some(OverrideDecision {
            by: UserId(by),
            by_name: columns.optional_text("decided_by_name")?.unwrap_or_default(),
            at,
            reason: columns.optional_text("decision_reason")?,
        }),
        _ => None,
    };
    Ok(OverrideRequest {
        id: OverrideRequestId(columns.uuid("id")?),
        allocation_id: AllocationId(columns.uuid("allocation_id")?),
        person_id: PersonId(columns.uuid("person_id")?),
        annual: Money::from_pence(columns.integer("annual_pence")?),
        reason: columns.text("reason")?,
        asked_by: UserId(columns.uuid("asked_by")?),
        asked_by_name: columns.text("asked_by_name")?,
        asked_at: columns.time("asked_at")?,
        status,
        decision,
        version: columns.integer("version")?,
    })
}

#[async_trait]
impl<E: Engine> OverrideRequestStore for SqlStore<E>
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
    async fn insert_override_request(&self, request: &OverrideRequest, audit: &NewAuditEvent) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "insert into budget_override_requests (id, allocation_id, person_id, annual_pence, reason, asked_by, asked_by_name, asked_at, status, version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 1)",
        )
        .bind(request.id.0)
        .bind(request.allocation_id.0)
        .bind(request.person_id.0)
        .bind(request.annual.pence())
        .bind(&request.reason)
        .bind(request.asked_by.0)
        .bind(&request.asked_by_name)
        .bind(request.asked_at)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn decide_override_request(
        &self,
        request: &OverrideRequest,
        expected_version: i64,
        allocation: Option<(&AllocationRecord, i64)>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()> {
        let decision = request
            .decision
            .as_ref()
            .filter(|_| !request.is_pending())
            .ok_or_else(|| StoreError::Other("a decision must say who decided, when and which way".into()))?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "update budget_override_requests set status = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, decision_reason = $5,
               version = version + 1
             where id = $6 and status = 'pending' and version = $7 returning id",
        )
        .bind(request.status.as_str())
        .bind(decision.by.0)
        .bind(&decision.by_name)
        .bind(decision.at)
        .bind(decision.reason.as_deref())
        .bind(request.id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or(StoreError::StateChanged("a team manager decided this request at the same time"))?;
        if let Some((allocation, allocation_version)) = allocation {
            let change = allocation
                .override_
                .as_ref()
                .ok_or_else(|| StoreError::Other("an agreed change must have an amount and a reason".into()))?;
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
            .bind(allocation_version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::StateChanged("the indicative budget was changed at the same time"))?;
        }
        self.append_all_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn get_override_request(&self, id: OverrideRequestId) -> StoreResult<OverrideRequest> {
        let sql = format!("select {REQUEST_COLUMNS} from budget_override_requests r where r.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?
            .ok_or(StoreError::NotFound)?;
        request_from_row(&Columns(&row))
    }

    async fn override_requests_for_allocation(&self, allocation_id: AllocationId) -> StoreResult<Vec<OverrideRequest>> {
        let sql = format!(
            "select {REQUEST_COLUMNS} from budget_override_requests r where r.allocation_id = $1 order by r.asked_at desc, r.id desc"
        );
        let rows = sqlx::query(&sql)
            .bind(allocation_id.0)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(|row| request_from_row(&Columns(row))).collect()
    }

    async fn override_requests_waiting(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<OverrideRequestForManager>> {
        let Some((everyone, team, worker)) = queue_scope(filter) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "select {REQUEST_COLUMNS}, al.total_pence, al.model_source
             from budget_override_requests r
                join allocations al on al.id = r.allocation_id
                join people p on p.id = r.person_id
             where r.status = 'pending' and ($1 or p.team_id = $2 or p.allocated_worker = $3)
             order by r.asked_at, r.id limit $4"
        );
        let rows = sqlx::query(&sql)
            .bind(everyone)
            .bind(team)
            .bind(worker)
            .bind(limit)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter()
            .map(|row| {
                let columns = Columns(row);
                Ok(OverrideRequestForManager {
                    request: request_from_row(&columns)?,
                    worked_out: Money::from_pence(columns.integer("total_pence")?),
                    model_source: columns.text("model_source")?,
                })
            })
            .collect()
    }
}
