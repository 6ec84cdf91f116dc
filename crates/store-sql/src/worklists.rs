//! The worklists in SQL written once for both engines: each person's stage is worked out in the
//! query from their newest assessment, its eligibility decision, their newest allocation and
//! newest plan, so a caseload of any length is two statements (the page, and the count at each
//! stage), sorted and filtered in the database.

use crate::steps::queue_scope;
use crate::*;
use std::collections::BTreeMap;
use tailor_domain::access::{DelegationGrant, DelegationScope, PersonAccessFacts};
use tailor_domain::money::Money;
use tailor_domain::worklists::{CaseStage, CaseloadEntry, CaseloadSort};
use tailor_domain::PlanId;
use tailor_store::{CaseloadQuery, CaseloadStages, PlanForManager, WorklistStore};

/// The caseload within `($1 or team = $2 or worker = $3)`, each person with a `stage` code and
/// the `since` time of the record that put them there. The order of the `case` arms is the
/// order a case moves in, newest step first.
const STAGED_CASELOAD: &str = "
with latest as (
    select p.id, p.given_name, p.family_name, p.date_of_birth, p.nhs_number, p.postcode, p.allocated_worker,
           u.display_name as worker_name, p.team_id, p.family_lower, p.given_lower, p.created_at as person_created_at,
           (select a.id from assessments a where a.person_id = p.id order by a.started_at desc, a.id desc limit 1) as assessment_id,
           (select al.id from allocations al where al.person_id = p.id order by al.calculated_at desc, al.id desc limit 1) as allocation_id,
           (select pl.id from plans pl where pl.person_id = p.id order by pl.created_at desc, pl.id desc limit 1) as plan_id
    from people p left join users u on u.id = p.allocated_worker
    where ($1 or p.team_id = $2 or p.allocated_worker = $3)
), staged as (
    select latest.*,
        case
            when pl.status = 'agreed' then 'plan_agreed'
            when pl.status = 'awaiting_manager' then 'plan_with_manager'
            when pl.status = 'submitted' then 'plan_to_agree'
            when pl.status = 'changes_requested' then 'plan_changes_asked'
            when al.id is not null then 'planning'
            when a.status = 'in_progress' then 'assessing'
            when a.status = 'sent_back' then 'assessment_changes_asked'
            when a.status = 'submitted' then 'assessment_to_check'
            when e.id is not null and not e.eligible then 'not_eligible'
            when a.status = 'accepted' then 'eligibility_to_decide'
            else 'no_assessment'
        end as stage,
        case
            when pl.status in ('agreed', 'awaiting_manager', 'submitted', 'changes_requested') then pl.updated_at
            when al.id is not null then al.calculated_at
            when a.status = 'in_progress' then a.started_at
            when a.status = 'sent_back' then coalesce(a.reviewed_at, a.updated_at)
            when a.status = 'submitted' then coalesce(a.submitted_at, a.updated_at)
            when e.id is not null and not e.eligible then e.decided_at
            when a.status = 'accepted' then coalesce(a.reviewed_at, a.updated_at)
            else latest.person_created_at
        end as since
    from latest
        left join assessments a on a.id = latest.assessment_id
        left join eligibility_decisions e on e.assessment_id = latest.assessment_id
        left join allocations al on al.id = latest.allocation_id
        left join plans pl on pl.id = latest.plan_id
)";

fn stage(columns: &impl RowAccess) -> StoreResult<CaseStage> {
    let text = columns.text("stage")?;
    CaseStage::parse(&text).ok_or_else(|| StoreError::Other(format!("unknown stage {text:?}")))
}

/// The stage codes as a rank, so "sort by stage" follows the steps.
fn stage_rank() -> String {
    let arms: String = CaseStage::ALL
        .iter()
        .enumerate()
        .map(|(rank, stage)| format!(" when '{}' then {rank}", stage.as_str()))
        .collect();
    format!("case stage{arms} else 99 end")
}

fn caseload_page_sql(sort: CaseloadSort) -> String {
    let order = match sort {
        CaseloadSort::Name => "family_lower, given_lower, id".to_owned(),
        CaseloadSort::Stage => format!("{}, since, family_lower, given_lower, id", stage_rank()),
        CaseloadSort::Waiting => "since, family_lower, given_lower, id".to_owned(),
    };
    format!("{STAGED_CASELOAD} select * from staged where ($4 is null or stage = $4) order by {order} limit $5 offset $6")
}

#[async_trait]
impl<E: Engine> WorklistStore for SqlStore<E>
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
    async fn caseload_stages(&self, query: &CaseloadQuery) -> StoreResult<CaseloadStages> {
        let Some((everyone, team, worker)) = queue_scope(&query.filter) else {
            return Ok(CaseloadStages::default());
        };
        let sql = caseload_page_sql(query.sort);
        let rows = sqlx::query(&sql)
            .bind(everyone)
            .bind(team)
            .bind(worker)
            .bind(query.stage.map(CaseStage::as_str))
            .bind(query.limit)
            .bind(query.offset)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        let entries = rows
            .iter()
            .map(|row| {
                let columns = Columns(row);
                Ok(CaseloadEntry {
                    person: summary_from_row(&columns)?,
                    stage: stage(&columns)?,
                    since: columns.time("since")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let counts_sql = format!("{STAGED_CASELOAD} select stage, count(*) as people from staged group by stage");
        let counted = sqlx::query(&counts_sql)
            .bind(everyone)
            .bind(team)
            .bind(worker)
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        let mut by_stage = counted
            .iter()
            .map(|row| {
                let columns = Columns(row);
                Ok((stage(&columns)?, columns.integer("people")?))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        by_stage.sort();
        Ok(CaseloadStages { entries, by_stage })
    }

    async fn plans_for_manager(&self, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<PlanForManager>> {
        let Some((everyone, team, worker)) = queue_scope(filter) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "select pl.id as plan_id, pl.person_id, d.decided_at, d.plan_cost_pence, d.indicative_pence, d.decided_by_name, al.model_source
             from plans pl
                join people p on p.id = pl.person_id
                join allocations al on al.id = pl.allocation_id
                join plan_decisions d on d.id = (
                    select x.id from plan_decisions x where x.plan_id = pl.id order by x.decided_at desc, x.id desc limit 1)
             where pl.status = 'awaiting_manager' and ($1 or p.team_id = $2 or p.allocated_worker = $3)
             order by d.decided_at, pl.id limit $4",
        )
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
                Ok(PlanForManager {
                    plan_id: PlanId(columns.uuid("plan_id")?),
                    person_id: PersonId(columns.uuid("person_id")?),
                    waiting_since: columns.time("decided_at")?,
                    plan_cost: Money::from_pence(columns.integer("plan_cost_pence")?),
                    indicative: Money::from_pence(columns.integer("indicative_pence")?),
                    agreed_by_name: columns.text("decided_by_name")?,
                    model_source: columns.text("model_source")?,
                })
            })
            .collect()
    }

    async fn names_with_access_facts(&self, people: &[PersonId]) -> StoreResult<Vec<(PersonAccessFacts, String)>> {
        let mut found: BTreeMap<PersonId, (PersonAccessFacts, String)> = BTreeMap::new();
        // A work queue names a few hundred people at most; larger lists go in slices that each
        // stay well inside both engines' limits on parameters.
        for slice in people.chunks(500) {
            let placeholders: Vec<String> = (1..=slice.len()).map(|number| format!("${number}")).collect();
            // People joined with their delegations and money holders: one row for each pair, so
            // a person with neither is one row.
            let sql = format!(
                "select p.id as person_id, p.given_name, p.family_name, p.allocated_worker, p.team_id,
                        d.helper_id, d.scopes, d.expires_on, m.organisation_id
                 from people p
                    left join delegations d on d.person_id = p.id
                    left join money_holders m on m.person_id = p.id
                 where p.id in ({}) order by p.id, d.granted_at",
                placeholders.join(", ")
            );
            let mut statement = sqlx::query(&sql);
            for person_id in slice {
                statement = statement.bind(person_id.0);
            }
            let rows = statement.fetch_all(&self.reader).await.map_err(database_error)?;
            for row in &rows {
                let columns = Columns(row);
                let person_id = PersonId(columns.uuid("person_id")?);
                if let std::collections::btree_map::Entry::Vacant(slot) = found.entry(person_id) {
                    let facts = PersonAccessFacts {
                        person_id: Some(person_id),
                        allocated_worker: columns.optional_uuid("allocated_worker")?.map(UserId),
                        team: columns.optional_uuid("team_id")?.map(tailor_domain::TeamId),
                        delegations: Vec::new(),
                        money_held_by: Vec::new(),
                    };
                    let name = format!("{} {}", columns.text("given_name")?, columns.text("family_name")?);
                    slot.insert((facts, name));
                }
                let Some((facts, _)) = found.get_mut(&person_id) else {
                    continue;
                };
                if let Some(helper) = columns.optional_uuid("helper_id")?.map(UserId) {
                    let scopes = columns
                        .text("scopes")?
                        .split(',')
                        .filter(|part| !part.is_empty())
                        .map(|part| DelegationScope::parse(part).ok_or_else(|| StoreError::Other(format!("unknown scope {part:?}"))))
                        .collect::<StoreResult<Vec<_>>>()?;
                    let grant = DelegationGrant {
                        helper,
                        scopes,
                        expires_on: columns.optional_date("expires_on")?,
                    };
                    if !facts.delegations.contains(&grant) {
                        facts.delegations.push(grant);
                    }
                }
                if let Some(organisation) = columns.optional_uuid("organisation_id")?.map(OrganisationId) {
                    if !facts.money_held_by.contains(&organisation) {
                        facts.money_held_by.push(organisation);
                    }
                }
            }
        }
        Ok(found.into_values().collect())
    }
}
