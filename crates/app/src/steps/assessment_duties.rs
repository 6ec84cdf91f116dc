//! Step 1's duties around the assessment: the offer of a supported self-assessment and the method
//! used, capacity, and independent advocacy (Care Act s67). Recorded by the practitioner before
//! eligibility is decided; a change replaces the record from the version it was read in.

use super::ASSESSMENT;
use crate::{App, AppResult};
use tailor_domain::access::{Actor, Capability};
use tailor_domain::assessment_duties::{AssessmentDuties, DutiesInput};
use tailor_domain::audit::AuditAction;
use tailor_domain::AssessmentId;

impl App {
    /// How the assessment was carried out, if recorded yet. The read is logged.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn assessment_duties(&self, actor: &Actor, assessment_id: AssessmentId) -> AppResult<Option<AssessmentDuties>> {
        let assessment = self.store.get_assessment(assessment_id).await?;
        self.require_capability(
            actor,
            assessment.person_id,
            Capability::ViewAssessment,
            "see how an assessment was carried out",
        )
        .await?;
        let duties = self.store.get_assessment_duties(assessment_id).await?;
        if duties.is_some() {
            self.log_planning_read(
                actor,
                assessment.person_id,
                ASSESSMENT,
                assessment_id.to_string(),
                &["assessment_duties"],
            )
            .await?;
        }
        Ok(duties)
    }

    /// Records (or corrects) the method, capacity and advocacy for an assessment. `version` is
    /// the version of the record the form was filled in from, `None` for the first.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), assessment = %assessment_id))]
    pub async fn record_assessment_duties(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        input: &DutiesInput,
        version: Option<i64>,
    ) -> AppResult<AssessmentDuties> {
        let assessment = self.store.get_assessment(assessment_id).await?;
        self.require_capability(
            actor,
            assessment.person_id,
            Capability::ReviewAssessment,
            "record how an assessment was carried out",
        )
        .await?;
        let answers = input.parse()?;
        let duties = AssessmentDuties {
            assessment_id,
            person_id: assessment.person_id,
            self_assessment_offered: answers.self_assessment_offered,
            method: answers.method,
            capacity: answers.capacity,
            capacity_notes: answers.capacity_notes,
            substantial_difficulty: answers.substantial_difficulty,
            advocacy: answers.advocacy,
            appropriate_person: answers.appropriate_person,
            advocate: answers.advocate,
            recorded_by: actor.user_id,
            recorded_by_name: actor.display_name.clone(),
            recorded_at: self.clock.now(),
            version: version.map_or(1, |read| read + 1),
        };
        // Field names and codes only: the advocate's and appropriate person's details stay out of the log.
        let event = self
            .event(actor, AuditAction::AssessmentDutiesRecorded)
            .person(assessment.person_id)
            .subject(ASSESSMENT, assessment_id)
            .details(serde_json::json!({
                "method": duties.method.as_str(),
                "capacity": duties.capacity.as_str(),
                "advocacy": duties.advocacy.as_str(),
                "replacing_version": version,
            }));
        self.store.record_assessment_duties(&duties, version, &event).await?;
        Ok(duties)
    }
}
