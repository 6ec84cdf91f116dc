//! The audit trail: who did what to which record, and when; and every read of a person's record.
//!
//! Events form a hash chain: each stored event carries the hash of the one before it, so that
//! editing or deleting a past event breaks every hash after it (`verify_chain`).

use crate::ids::{PersonId, UserId};
use crate::people::labelled_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

labelled_enum!(
    /// Everything that is audited. Stored by code; shown by label.
    AuditAction {
        SignedIn => ("signed_in", "Signed in"),
        SignInFailed => ("sign_in_failed", "Sign-in refused: wrong email or password"),
        SignInThrottled => ("sign_in_throttled", "Sign-in refused: too many attempts"),
        SignedOut => ("signed_out", "Signed out"),
        ApiTokenCreated => ("api_token_created", "API token created"),
        CsrfRejected => ("csrf_rejected", "Form refused: it did not come from Tailor"),
        AccessRefused => ("access_refused", "Access refused"),
        PersonViewed => ("person_viewed", "Looked at the record"),
        PersonCreated => ("person_created", "Record created"),
        PersonUpdated => ("person_updated", "Details changed"),
        WorkerAllocated => ("worker_allocated", "Worker allocated"),
        CaseNoteAdded => ("case_note_added", "Case note added"),
        RelationshipAdded => ("relationship_added", "Relationship added"),
        WarningAdded => ("warning_added", "Warning added"),
        DocumentAdded => ("document_added", "Document added"),
        DocumentViewed => ("document_viewed", "Document opened"),
        DelegationGranted => ("delegation_granted", "Delegated access granted"),
        MoneyHolderAdded => ("money_holder_added", "Organisation now holds the person's money"),
        UserCreated => ("user_created", "Account created"),
        UserUpdated => ("user_updated", "Account changed"),
        TeamCreated => ("team_created", "Team created"),
        OrganisationCreated => ("organisation_created", "Organisation created"),
        DemoCouncilCreated => ("demo_council_created", "Demo council created"),
        ConfigurationLoaded => ("configuration_loaded", "Configuration version loaded"),
        AssessmentStarted => ("assessment_started", "Self-assessment started"),
        AssessmentAnswered => ("assessment_answered", "Self-assessment answers saved"),
        AssessmentSubmitted => ("assessment_submitted", "Self-assessment submitted"),
        AssessmentReviewed => ("assessment_reviewed", "Self-assessment checked by the council"),
        EligibilityDecided => ("eligibility_decided", "Eligibility decided"),
        BudgetCalculated => ("budget_calculated", "Indicative budget worked out"),
        BudgetOverridden => ("budget_overridden", "Indicative budget changed by professional judgement"),
        FinancialAssessmentRecorded => ("financial_assessment_recorded", "Financial assessment recorded"),
        PlanSaved => ("plan_saved", "Support plan saved"),
        PlanSubmitted => ("plan_submitted", "Support plan submitted"),
        PlanDecided => ("plan_decided", "Support plan decision"),
        BudgetAgreed => ("budget_agreed", "Personal budget agreed"),
        ChallengeRaised => ("challenge_raised", "Budget challenged as not enough"),
        ChallengeAnswered => ("challenge_answered", "Budget challenge answered"),
        JobEnqueued => ("job_enqueued", "Later work scheduled"),
        JobFailed => ("job_failed", "Later work failed and will not be tried again"),
    }
);

/// An event before it is stored. The store gives it a sequence number and chains its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    /// `None` for events with no signed-in actor, such as a failed sign-in.
    pub actor_id: Option<UserId>,
    /// Who, as shown at the time (a name, or the email tried at a failed sign-in).
    pub actor_label: String,
    pub action: AuditAction,
    /// The kind of record touched: "person", "user", "case_note", ...
    pub subject_type: String,
    pub subject_id: String,
    /// The person whose record this concerns, so "who looked at this person" is one query.
    pub person_id: Option<PersonId>,
    /// Before and after, the reason for a refusal, or whatever else matters for this action.
    pub details: serde_json::Value,
}

impl NewAuditEvent {
    pub fn new(at: DateTime<Utc>, actor_id: Option<UserId>, actor_label: impl Into<String>, action: AuditAction) -> Self {
        NewAuditEvent {
            at,
            actor_id,
            actor_label: actor_label.into(),
            action,
            subject_type: String::new(),
            subject_id: String::new(),
            person_id: None,
            details: serde_json::Value::Null,
        }
    }

    pub fn subject(mut self, subject_type: &str, subject_id: impl ToString) -> Self {
        self.subject_type = subject_type.to_owned();
        self.subject_id = subject_id.to_string();
        self
    }

    pub fn person(mut self, person_id: PersonId) -> Self {
        self.person_id = Some(person_id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// The hash of this event chained to the previous one. Timestamps are hashed at microsecond
    /// precision because that is what both databases keep.
    pub fn chain_hash(&self, sequence: i64, previous_hash: &str) -> String {
        let mut hasher = Sha256::new();
        for part in [
            previous_hash,
            &sequence.to_string(),
            &self.at.timestamp_micros().to_string(),
            &self.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            &self.actor_label,
            self.action.as_str(),
            &self.subject_type,
            &self.subject_id,
            &self.person_id.map(|id| id.to_string()).unwrap_or_default(),
            &self.details.to_string(),
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// The hash that the first event in a chain is linked to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub sequence: i64,
    pub event: NewAuditEvent,
    pub previous_hash: String,
    pub hash: String,
}

/// Checks a run of events, oldest first, starting from `previous_hash`. Returns the sequence
/// number of the first event that does not fit, or `None` when the run is intact.
pub fn verify_chain(events: &[AuditEvent], mut previous_hash: String) -> Option<i64> {
    for stored in events {
        let expected = stored.event.chain_hash(stored.sequence, &previous_hash);
        if stored.previous_hash != previous_hash || stored.hash != expected {
            return Some(stored.sequence);
        }
        previous_hash = stored.hash.clone();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(count: i64) -> Vec<AuditEvent> {
        let mut previous = GENESIS_HASH.to_owned();
        (1..=count)
            .map(|sequence| {
                let event = NewAuditEvent::new(
                    DateTime::from_timestamp(1_700_000_000 + sequence, 0).unwrap(),
                    None,
                    "tester",
                    AuditAction::SignedIn,
                );
                let hash = event.chain_hash(sequence, &previous);
                let stored = AuditEvent {
                    sequence,
                    event,
                    previous_hash: previous.clone(),
                    hash: hash.clone(),
                };
                previous = hash;
                stored
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5), GENESIS_HASH.into()), None);
    }

    #[test]
    fn editing_an_event_is_detected() {
        let mut events = chain(5);
        events[2].event.actor_label = "someone else".into();
        assert_eq!(verify_chain(&events, GENESIS_HASH.into()), Some(3));
    }

    #[test]
    fn deleting_an_event_is_detected() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(verify_chain(&events, GENESIS_HASH.into()), Some(3));
    }

    #[test]
    fn action_codes_round_trip() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
    }
}
