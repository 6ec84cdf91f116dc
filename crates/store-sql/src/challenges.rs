//! Challenges and eligibility decided again, in SQL written once for both engines: the
//! redetermination (the earlier decision marked replaced only while it still stands, the new one
//! inserted; unique indexes let one of many land), each owner's queue, and the carry-over of
//! budget challenges kept as JSON by the first storey.

use crate::*;
use tailor_domain::assessments::{AllocationRecord, EligibilityRecord};
use tailor_domain::challenges::{ChallengeAnswer, ChallengeReassignment, ChallengeRules, ChallengeSubject, StaffMember};
use tailor_domain::plans::Challenge;
use tailor_domain::plans::PlanDecision;
use tailor_domain::{BudgetId, ChallengeId, EligibilityDecisionId, PlanDecisionId, PlanId};
use tailor_store::{challenge_columns, eligibility_columns};

/// A budget challenge as the first storey kept it, before challenges named their kind, owner
/// and outcome.
#[derive(serde::Deserialize)]
pub(crate) struct FirstStoreyChallenge {
    id: ChallengeId,
    person_id: PersonId,
    budget_id: BudgetId,
    reason: String,
    raised_by: UserId,
    raised_by_name: String,
    raised_at: DateTime<Utc>,
    response: Option<FirstStoreyResponse>,
    #[serde(default = "tailor_domain::assessments::first_version")]
    version: i64,
}

#[derive(serde::Deserialize)]
struct FirstStoreyResponse {
    text: String,
    by: UserId,
    by_name: String,
    at: DateTime<Utc>,
}

/// How the first storey marked a challenge staff recorded for the person: in the name.
const ON_BEHALF_SUFFIX: &str = ", recorded on the person's behalf";

impl FirstStoreyChallenge {
    /// The same challenge as it is kept now; the same rules as migration 0009's carry-over.
    pub(crate) fn into_challenge(self) -> Challenge {
        let (raised_by_name, recorded_by_staff) = match self.raised_by_name.strip_suffix(ON_BEHALF_SUFFIX) {
            Some(name) => (
                name.to_owned(),
                Some(StaffMember {
                    id: self.raised_by,
                    name: name.to_owned(),
                }),
            ),
            None => (self.raised_by_name, None),
        };
        Challenge {
            id: self.id,
            person_id: self.person_id,
            subject: ChallengeSubject::Budget(self.budget_id),
            reason: self.reason,
            raised_by: self.raised_by,
            raised_by_name,
            recorded_by_staff,
            raised_at: self.raised_at,
            decision_maker: None,
            owner: self.response.as_ref().map(|answer| StaffMember {
                id: answer.by,
                name: answer.by_name.clone(),
            }),
            answer_by: ChallengeRules::default().answer_by(self.raised_at),
            answer: self.response.map(|answer| ChallengeAnswer {
                outcome: None,
                reasons: answer.text,
                by: answer.by,
                by_name: answer.by_name,
                at: answer.at,
            }),
            version: self.version,
        }
    }
}

#[async_trait]
impl<E: Engine> ChallengeStore for SqlStore<E>
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
    async fn redetermine_eligibility(
        &self,
        decision: &EligibilityRecord,
        allocation: Option<&AllocationRecord>,
        audit: &[NewAuditEvent],
    ) -> StoreResult<()> {
        let replaces = decision
            .redetermination
            .as_ref()
            .ok_or_else(|| StoreError::Other("a redetermination names the decision it replaces".into()))?
            .replaces;
        let mut tx = self.begin().await?;
        // Only a decision that still stands can be replaced: the second of two redeterminations
        // finds it already replaced here (and the unique index on `replaces` refuses it anyway).
        sqlx::query(
            "update eligibility_decisions set replaced_at = $1
             where id = $2 and assessment_id = $3 and replaced_at is null returning id",
        )
        .bind(decision.decided_at)
        .bind(replaces.0)
        .bind(decision.assessment_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("this eligibility decision was made again at the same time"))?;
        Self::insert_eligibility_in(&mut tx, decision).await?;
        if let Some(allocation) = allocation {
            Self::insert_allocation_in(&mut tx, allocation).await?;
        }
        self.append_all_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn owned_challenges(&self, owner: UserId, filter: &PeopleFilter, limit: i64) -> StoreResult<Vec<Challenge>> {
        let (everyone, team, worker) = match filter {
            PeopleFilter::Everyone => (true, None, None),
            PeopleFilter::TeamOrAllocated { team, worker } => (false, team.map(|id| id.0), Some(worker.0)),
            PeopleFilter::AllocatedTo(worker) => (false, None, Some(worker.0)),
            PeopleFilter::MoneyHeldBy(_) | PeopleFilter::DelegatedTo { .. } => (false, None, None),
        };
        let rows = sqlx::query(concat!(
            "select ",
            challenge_columns!(),
            " from challenges c join people p on p.id = c.person_id
             where c.status = 'open'
               and (c.owner_id = $1 or (c.owner_id is null and ($2 or p.team_id = $3 or p.allocated_worker = $4)))
             order by c.answer_by, c.raised_at, c.id limit $5"
        ))
        .bind(owner.0)
        .bind(everyone)
        .bind(team)
        .bind(worker)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(|row| challenge_from_row(&Columns(row))).collect()
    }

    async fn get_eligibility(&self, id: EligibilityDecisionId) -> StoreResult<EligibilityRecord> {
        let row = sqlx::query(concat!(
            "select ",
            eligibility_columns!(),
            " from eligibility_decisions where id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?
        .ok_or(StoreError::NotFound)?;
        eligibility_from_row(&Columns(&row))
    }

    async fn get_plan_decision(&self, id: PlanDecisionId) -> StoreResult<(PlanId, PersonId, PlanDecision)> {
        let row = sqlx::query(
            "select d.id, d.stage, d.verdict, d.reason, d.refused_lines, d.plan_cost_pence, d.indicative_pence, d.decided_by,
               d.decided_by_name, d.decided_at, d.refusal_ground, d.plan_id, p.person_id
             from plan_decisions d join plans p on p.id = d.plan_id where d.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?
        .ok_or(StoreError::NotFound)?;
        let plan_id: uuid::Uuid = get(&row, "plan_id")?;
        let person_id: uuid::Uuid = get(&row, "person_id")?;
        Ok((PlanId(plan_id), PersonId(person_id), plan_decision_from_row(&Columns(&row))?))
    }

    async fn reassign_challenge(
        &self,
        reassignment: &ChallengeReassignment,
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // Only an open challenge still at the version it was read in is handed on; the check
        // constraint from 0009 refuses the decision maker as owner.
        sqlx::query(
            "update challenges set owner_id = $1, owner_name = $2, version = version + 1
             where id = $3 and status = 'open' and version = $4 returning id",
        )
        .bind(reassignment.to.id.0)
        .bind(&reassignment.to.name)
        .bind(reassignment.challenge_id.0)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(database_error)?
        .ok_or_else(|| state_changed("this challenge was answered or handed on at the same time"))?;
        sqlx::query(
            "insert into challenge_reassignments (id, challenge_id, from_owner_id, from_owner_name, to_owner_id, to_owner_name, reason,
               reassigned_by, reassigned_by_name, reassigned_at, from_version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(uuid::Uuid::new_v4())
        .bind(reassignment.challenge_id.0)
        .bind(reassignment.from.as_ref().map(|owner| owner.id.0))
        .bind(reassignment.from.as_ref().map(|owner| owner.name.clone()))
        .bind(reassignment.to.id.0)
        .bind(&reassignment.to.name)
        .bind(&reassignment.reason)
        .bind(reassignment.by.id.0)
        .bind(&reassignment.by.name)
        .bind(reassignment.at)
        .bind(expected_version)
        .execute(&mut *tx)
        .await
        .map_err(database_error)?;
        self.append_audit_in(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn challenge_reassignments(&self, challenge_id: ChallengeId) -> StoreResult<Vec<ChallengeReassignment>> {
        let rows = sqlx::query(
            "select challenge_id, from_owner_id, from_owner_name, to_owner_id, to_owner_name, reason, reassigned_by,
               reassigned_by_name, reassigned_at
             from challenge_reassignments where challenge_id = $1 order by from_version",
        )
        .bind(challenge_id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter()
            .map(|row| {
                let row = Columns(row);
                let staff = |id: &str, name: &str| -> StoreResult<StaffMember> {
                    Ok(StaffMember {
                        id: UserId(row.uuid(id)?),
                        name: row.text(name)?,
                    })
                };
                Ok(ChallengeReassignment {
                    challenge_id: ChallengeId(row.uuid("challenge_id")?),
                    from: match row.optional_uuid("from_owner_id")? {
                        Some(id) => Some(StaffMember {
                            id: UserId(id),
                            name: row.optional_text("from_owner_name")?.unwrap_or_default(),
                        }),
                        None => None,
                    },
                    to: staff("to_owner_id", "to_owner_name")?,
                    reason: row.text("reason")?,
                    by: staff("reassigned_by", "reassigned_by_name")?,
                    at: row.time("reassigned_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_storey_challenge_recorded_by_staff_keeps_who_recorded_it_in_its_column() {
        let raised_at: DateTime<Utc> = "2026-02-01T10:00:00Z".parse().unwrap();
        let old = FirstStoreyChallenge {
            id: ChallengeId::generate(),
            person_id: PersonId::generate(),
            budget_id: BudgetId::generate(),
            reason: "Not enough for nights".into(),
            raised_by: UserId::generate(),
            raised_by_name: "Sam Okoro, recorded on the person's behalf".into(),
            raised_at,
            response: None,
            version: 1,
        };
        let staff = old.raised_by;
        let challenge = old.into_challenge();
        assert_eq!(challenge.raised_by_name, "Sam Okoro");
        assert_eq!(challenge.recorded_by_staff.map(|member| member.id), Some(staff));
        assert_eq!(challenge.answer_by, "2026-03-01".parse().unwrap());
        assert!(challenge.owner.is_none() && challenge.answer.is_none());
    }
}
