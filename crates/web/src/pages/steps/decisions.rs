//! What the eligibility pages add for decisions and letters: fluctuating needs over a period,
//! the written advice for a person found not eligible (Care Act s13(5)) with the council's
//! signposting, the carer's own wording, and eligibility decided again on the record.

use super::RecordPath;
use crate::context::{CurrentActor, RequestContext};
use crate::pages::{choices, Choice};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tailor_domain::assessments::{DecisionNotesInput, EligibilityRecord};
use tailor_domain::eligibility::AssessmentKind;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::EligibilityDecisionId;

/// The eligibility form's extra fields, as typed (nothing chosen for the practitioner).
pub struct DecisionFormExtras {
    pub fluctuate: Vec<Choice>,
    pub fluctuation_period: String,
    pub fluctuation_description: String,
    pub prevention_advice: String,
    pub replaces: String,
    pub challenge_id: String,
    pub redetermination_reason: String,
}

impl DecisionFormExtras {
    pub fn from_form(form: &HashMap<String, String>) -> DecisionFormExtras {
        let get = |key: &str| form.get(key).cloned().unwrap_or_default();
        DecisionFormExtras {
            fluctuate: choices([("yes", "Yes"), ("no", "No")], &get("needs_fluctuate")),
            fluctuation_period: get("fluctuation_period"),
            fluctuation_description: get("fluctuation_description"),
            prevention_advice: get("prevention_advice"),
            replaces: get("replaces"),
            challenge_id: get("challenge_id"),
            redetermination_reason: get("redetermination_reason"),
        }
    }
}

pub fn notes_from_form(form: &HashMap<String, String>) -> DecisionNotesInput {
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    DecisionNotesInput {
        needs_fluctuate: get("needs_fluctuate"),
        fluctuation_period: get("fluctuation_period"),
        fluctuation_description: get("fluctuation_description"),
        prevention_advice: get("prevention_advice"),
    }
}

/// The check page's rows for what the extra fields say.
pub fn check_rows(form: &HashMap<String, String>, eligible: bool) -> Vec<(String, String)> {
    let get = |key: &str| form.get(key).map(|text| text.trim().to_owned()).unwrap_or_default();
    let mut rows = vec![(
        "Needs fluctuate".to_owned(),
        match get("needs_fluctuate").as_str() {
            "yes" => format!("Yes, over {}\n{}", get("fluctuation_period"), get("fluctuation_description")),
            _ => format!("No (looked at over {})", get("fluctuation_period")),
        },
    )];
    if !eligible {
        rows.push(("Advice on preventing or delaying needs".into(), get("prevention_advice")));
    }
    if !get("replaces").is_empty() {
        rows.push(("Why decide again".into(), get("redetermination_reason")));
    }
    rows
}

/// How the assessment page shows the decisions: the one that stands, with its fluctuating
/// needs, advice and signposting; the earlier ones, marked replaced.
pub struct EligibilityShown {
    pub eligible_wording: String,
    pub fluctuation: Option<String>,
    pub prevention_advice: Option<String>,
    pub redetermined: Option<String>,
    pub earlier: Vec<EarlierDecision>,
    pub can_redetermine: bool,
    pub current_id: String,
}

pub struct EarlierDecision {
    pub decided: String,
    pub outcome: &'static str,
    pub replaced: String,
}

impl EligibilityShown {
    /// `records` are the assessment's decisions, newest first.
    /// `who_is` is "You are" to the person and "Owen is" to staff.
    pub fn new(records: &[&EligibilityRecord], kind: AssessmentKind, can_decide: bool, who_is: &str) -> Option<EligibilityShown> {
        let current = records.iter().find(|record| record.is_current())?;
        let date = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string();
        Some(EligibilityShown {
            eligible_wording: match (current.decision.eligible, kind) {
                (true, AssessmentKind::Carer) => format!("{who_is} eligible for support as a carer"),
                (true, AssessmentKind::Adult) => format!("{who_is} eligible for care and support"),
                (false, AssessmentKind::Carer) => format!("{who_is} not eligible for support as a carer at the moment"),
                (false, AssessmentKind::Adult) => format!("{who_is} not eligible for care and support from the council at the moment"),
            },
            fluctuation: current.fluctuation.as_ref().map(|needs| {
                if needs.fluctuate {
                    format!(
                        "Your needs change over time. We looked at {} and took the harder times into account: {}",
                        needs.period, needs.description
                    )
                } else {
                    format!("We looked at your needs over {}; they do not change much over time.", needs.period)
                }
            }),
            prevention_advice: current.prevention_advice.clone().filter(|advice| !advice.is_empty()),
            redetermined: current.redetermination.as_ref().map(|again| {
                format!(
                    "This decision was made again on {}, replacing an earlier one, because: {}",
                    date(current.decided_at),
                    again.reason
                )
            }),
            earlier: records
                .iter()
                .filter(|record| !record.is_current())
                .map(|record| EarlierDecision {
                    decided: format!("{} by {}", date(record.decided_at), record.decided_by_name),
                    outcome: if record.decision.eligible { "Eligible" } else { "Not eligible" },
                    replaced: record.replaced_at.map(date).unwrap_or_default(),
                })
                .collect(),
            can_redetermine: can_decide,
            current_id: current.id.to_string(),
        })
    }
}

#[derive(Deserialize, Default)]
pub struct RedetermineQuery {
    #[serde(default)]
    challenge: String,
}

/// The eligibility form again, to decide in place of the decision `id`: nothing is carried
/// over from it, so every finding is made afresh.
pub async fn redetermine_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(decision_id): RecordPath<EligibilityDecisionId>,
    Query(query): Query<RedetermineQuery>,
) -> Response {
    let record = try_page!(state.app.decision_to_redetermine(&actor, decision_id).await);
    let mut form = HashMap::new();
    form.insert("replaces".to_owned(), record.id.to_string());
    if let Ok(challenge) = query.challenge.parse::<uuid::Uuid>() {
        form.insert("challenge_id".to_owned(), challenge.to_string());
    }
    super::my_money::eligibility_page_with(&state, &context, &actor, record.assessment_id, &form, ValidationErrors::default()).await
}
