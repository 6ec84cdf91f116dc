//! The audit log in plain English: "Sam Okoro viewed Owen Morgan's budget". Events hold ids and
//! field names only; the names in a sentence are looked up when the log is shown, so an event
//! never carries a person's name and a corrected name shows everywhere.

use crate::audit::{AuditAction, NewAuditEvent};

/// What a kind of record is called in a sentence ("Owen Morgan's budget").
pub fn record_words(subject_type: &str) -> &'static str {
    match subject_type {
        "budget" => "budget",
        "plan" => "support plan",
        "allocation" => "indicative budget",
        "assessment" => "self-assessment",
        "planning" => "assessments and plans",
        "financial_assessment" => "financial assessment",
        "challenge" => "budget challenge",
        "eligibility" => "eligibility decision",
        "document" => "document",
        "case_note" => "case notes",
        _ => "record",
    }
}

/// One event as a sentence, with `actor` and `person` the names looked up for its ids (or what
/// the event itself says of an actor not signed in).
pub fn sentence(event: &NewAuditEvent, actor: &str, person: Option<&str>) -> String {
    let Some(person) = person else {
        return format!("{actor}: {}", event.action.label().to_lowercase());
    };
    let whose = format!("{person}'s");
    match event.action {
        AuditAction::PersonViewed => format!("{actor} viewed {whose} {}", record_words(&event.subject_type)),
        AuditAction::DocumentViewed => format!("{actor} opened a document on {whose} record"),
        AuditAction::PersonCreated => format!("{actor} created {whose} record"),
        AuditAction::PersonUpdated => format!("{actor} changed {whose} details"),
        AuditAction::WorkerAllocated => format!("{actor} allocated a worker to {person}"),
        AuditAction::CaseNoteAdded => format!("{actor} added a case note to {whose} record"),
        AuditAction::RelationshipAdded => format!("{actor} added a relationship to {whose} record"),
        AuditAction::WarningAdded => format!("{actor} added a warning to {whose} record"),
        AuditAction::DocumentAdded => format!("{actor} added a document to {whose} record"),
        AuditAction::DelegationGranted => format!("{actor} let someone help with {whose} support"),
        AuditAction::MoneyHolderAdded => format!("{actor} recorded who holds {whose} money"),
        AuditAction::AssessmentStarted => format!("{actor} started {whose} self-assessment"),
        AuditAction::AssessmentAnswered => format!("{actor} saved answers on {whose} self-assessment"),
        AuditAction::AssessmentSubmitted => format!("{actor} sent {whose} self-assessment to the council"),
        AuditAction::AssessmentReviewed => format!("{actor} checked {whose} self-assessment"),
        AuditAction::EligibilityDecided => format!("{actor} decided {whose} eligibility"),
        AuditAction::BudgetCalculated => format!("{actor} worked out {whose} indicative budget"),
        AuditAction::BudgetOverridden => format!("{actor} changed {whose} indicative budget"),
        AuditAction::BudgetOverrideRequested => format!("{actor} asked a team manager to agree a change to {whose} indicative budget"),
        AuditAction::BudgetOverrideAgreed => format!("{actor} agreed a change to {whose} indicative budget"),
        AuditAction::BudgetOverrideDeclined => format!("{actor} declined a change to {whose} indicative budget"),
        AuditAction::FinancialAssessmentRecorded => format!("{actor} recorded {whose} financial assessment"),
        AuditAction::PlanSaved => format!("{actor} saved {whose} support plan"),
        AuditAction::PlanSubmitted => format!("{actor} sent {whose} support plan to be agreed"),
        AuditAction::PlanDecided => format!("{actor} made a decision on {whose} support plan"),
        AuditAction::BudgetAgreed => format!("{actor} agreed {whose} personal budget"),
        AuditAction::ChallengeRaised => format!("{actor} challenged {whose} budget as not enough"),
        AuditAction::ChallengeAnswered => format!("{actor} answered the challenge to {whose} budget"),
        AuditAction::ChallengeReassigned => format!("{actor} handed {whose} challenge to another owner"),
        AuditAction::AccessRefused => format!("{actor} was refused access to {whose} record"),
        other => format!("{actor}: {} ({whose} record)", other.label().to_lowercase()),
    }
}

/// An event's details as "field: value" pairs for the log's last column. Details hold ids,
/// codes and amounts, never personal values, so they are shown as they are.
pub fn detail_pairs(event: &NewAuditEvent) -> String {
    match &event.details {
        serde_json::Value::Object(fields) => fields
            .iter()
            .map(|(field, value)| match value {
                serde_json::Value::String(text) => format!("{field}: {text}"),
                other => format!("{field}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{PersonId, UserId};

    fn event(action: AuditAction, subject: &str) -> NewAuditEvent {
        NewAuditEvent::new(
            "2026-05-01T10:00:00Z".parse().unwrap(),
            Some(UserId::generate()),
            "as shown then",
            action,
        )
        .person(PersonId::generate())
        .subject(subject, "some id")
    }

    #[test]
    fn a_read_of_a_budget_reads_as_a_sentence() {
        assert_eq!(
            sentence(&event(AuditAction::PersonViewed, "budget"), "Sam Okoro", Some("Owen Morgan")),
            "Sam Okoro viewed Owen Morgan's budget"
        );
        assert_eq!(
            sentence(&event(AuditAction::PersonViewed, "person"), "Sam Okoro", Some("Owen Morgan")),
            "Sam Okoro viewed Owen Morgan's record"
        );
        assert_eq!(
            sentence(&event(AuditAction::PlanSubmitted, "plan"), "Owen Morgan", Some("Owen Morgan")),
            "Owen Morgan sent Owen Morgan's support plan to be agreed"
        );
    }

    #[test]
    fn an_event_about_no_one_says_what_happened() {
        let signed_in = NewAuditEvent::new("2026-05-01T10:00:00Z".parse().unwrap(), None, "x", AuditAction::SignedIn);
        assert_eq!(sentence(&signed_in, "Sam Okoro", None), "Sam Okoro: signed in");
    }

    #[test]
    fn details_read_as_pairs() {
        let changed = event(AuditAction::BudgetOverridden, "allocation")
            .details(serde_json::json!({ "before_pence": 100, "after_pence": 200, "what": "see a caseload" }));
        assert_eq!(detail_pairs(&changed), "after_pence: 200; before_pence: 100; what: see a caseload");
    }
}
