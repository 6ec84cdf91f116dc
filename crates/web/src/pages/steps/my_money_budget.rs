//! Step 1, my money: how the indicative budget was worked out, a professional override, and the
//! financial assessment.

use super::*;
use crate::context::{CheckedForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::{choices, render_form, Choice, PageContext};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tailor_app::AppError;
use tailor_domain::access::Capability;
use tailor_domain::allocation::AllocationResult;
use tailor_domain::assessments::AllocationRecord;
use tailor_domain::charging::{FinancialInput, Household, IncomeSource, MAX_FINANCIAL_LINES};
use tailor_domain::validation::ValidationErrors;
use tailor_domain::AllocationId;
use tailor_domain::PersonId;
// How the budget was worked out

pub struct WorkingRow {
    pub label: String,
    pub detail: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "allocation.html")]
pub(super) struct AllocationPage {
    page: PageContext,
    errors: ValidationErrors,
    allocation_id: String,
    person_id: String,
    result: AllocationResult,
    working: Vec<WorkingRow>,
    questions: HashMap<String, (String, String)>,
    indicative: String,
    worked_out: String,
    weekly: String,
    /// The year rule the weekly figure was worked out under, in words.
    rule: String,
    override_reason: Option<String>,
    override_by: Option<String>,
    can_override: bool,
    annual_input: String,
    reason_input: String,
    challenge_offer: Option<super::challenges::ChallengeOffer>,
    voice: crate::pages::voice::Voice,
    /// A change waiting for a team manager.
    waiting: Option<WaitingChange>,
    /// What a team manager decided on the newest change asked for, once decided.
    outcome: Option<String>,
    /// Whether this reader may agree or decline the waiting change.
    can_decide: bool,
    decision_reason_input: String,
}

/// A change to the budget waiting for a team manager, as its page says it.
pub struct WaitingChange {
    pub request_id: String,
    pub summary: String,
    pub reason: String,
}

fn on_day(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string()
}

/// The waiting change and the newest decision, in plain words.
fn changes_asked_for(requests: &[tailor_domain::budget_requests::OverrideRequest]) -> (Option<WaitingChange>, Option<String>) {
    use tailor_domain::budget_requests::OverrideRequestStatus;
    let waiting = requests.iter().find(|request| request.is_pending()).map(|request| WaitingChange {
        request_id: request.id.to_string(),
        summary: format!(
            "Waiting for a team manager to agree {} a year; asked by {} on {}",
            request.annual,
            request.asked_by_name,
            on_day(request.asked_at)
        ),
        reason: request.reason.clone(),
    });
    let outcome = requests.iter().find(|request| !request.is_pending()).and_then(|request| {
        let decision = request.decision.as_ref()?;
        let why = decision
            .reason
            .as_deref()
            .map(|reason| format!(" because: {reason}"))
            .unwrap_or_default();
        Some(match request.status {
            OverrideRequestStatus::Agreed => format!(
                "{} agreed the change to {} a year that {} asked for, on {}{why}",
                decision.by_name,
                request.annual,
                request.asked_by_name,
                on_day(decision.at)
            ),
            _ => format!(
                "{} declined the change to {} a year that {} asked for, on {}{why}",
                decision.by_name,
                request.annual,
                request.asked_by_name,
                on_day(decision.at)
            ),
        })
    });
    (waiting, outcome)
}

/// The working, in the reader's voice ("From your answers" to the person, "From Owen's
/// answers" to staff), with the informal-support answer quoted in the words the person chose
/// (`informal_words`), falling back to its code only when the questionnaire cannot be read.
pub(super) fn working(result: &AllocationResult, voice: &crate::pages::voice::Voice, informal_words: Option<&str>) -> Vec<WorkingRow> {
    let whose = voice.whose_in_a_sentence();
    let mut rows = vec![WorkingRow {
        label: format!("From {whose} answers"),
        detail: result.describe_conversion(),
        amount: money(result.from_points_pence),
    }];
    if let Some(reason) = &result.informal_support_not_applied {
        rows.push(WorkingRow {
            label: "Help family and friends give".into(),
            detail: reason.clone(),
            amount: money(0),
        });
    } else if let Some(answer) = &result.informal_support_answer {
        rows.push(WorkingRow {
            label: "Less the help family and friends give".into(),
            detail: format!(
                "{}% less, because {whose} answer was \"{}\"",
                result.informal_support_percent,
                informal_words.filter(|words| !words.is_empty()).unwrap_or(answer)
            ),
            amount: format!("−{}", money(result.informal_support_reduction_pence)),
        });
    }
    if result.carers_allocation_pence > 0 {
        rows.push(WorkingRow {
            label: format!("Plus support for {whose} carer"),
            detail: format!("Because {whose} carer is finding it hard"),
            amount: money(result.carers_allocation_pence),
        });
    }
    rows
}

/// What was typed on the budget page's forms, shown again with their errors.
#[derive(Default)]
pub(super) struct TypedOnBudget {
    annual: String,
    reason: String,
    decision_reason: String,
}

pub(super) async fn allocation_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    allocation_id: AllocationId,
    typed: TypedOnBudget,
    errors: ValidationErrors,
) -> Response {
    let TypedOnBudget {
        annual,
        reason,
        decision_reason,
    } = typed;
    let allocation: AllocationRecord = try_page!(state.app.open_allocation(actor, allocation_id).await);
    let requests = try_page!(state.app.override_requests_for(actor, allocation_id).await);
    let (waiting, outcome) = changes_asked_for(&requests);
    let access = try_page!(
        state
            .app
            .access_to_person(actor, allocation.person_id, "see how a budget was worked out")
            .await
    );
    let person = try_page!(
        state
            .app
            .person_for_page(actor, allocation.person_id, "see how a budget was worked out")
            .await
    );
    let voice = crate::pages::voice::Voice::new(
        &access,
        person.details.preferred_name.as_deref().unwrap_or(&person.details.given_name),
    );
    let questionnaire_text: HashMap<String, (String, String)> = match state.app.open_assessment(actor, allocation.assessment_id).await {
        Ok((assessment, questionnaire, _)) => questionnaire
            .questions()
            .map(|question| {
                let answer = assessment
                    .answers
                    .get(&question.id)
                    .and_then(|answer| question.answers.iter().find(|candidate| &candidate.id == answer))
                    .map(|answer| answer.text.clone())
                    .unwrap_or_default();
                (question.id.clone(), (question.text.clone(), answer))
            })
            .collect(),
        Err(_) => HashMap::new(),
    };
    let overview = try_page!(state.app.planning_overview(actor, allocation.person_id).await);
    let challenge_offer = Some(super::challenges::ChallengeOffer::new(
        &access,
        tailor_domain::challenges::ChallengeSubject::IndicativeBudget(allocation.id),
        &super::challenges::called(&person),
        &overview.challenges,
    ));
    // The informal-support question, from the model exactly as it was used.
    let informal_words = tailor_domain::allocation::AllocationModel::parse(&allocation.model_source)
        .ok()
        .and_then(|model| model.informal_support.map(|rule| rule.question))
        .and_then(|question| questionnaire_text.get(question.as_ref() as &str).map(|(_, words)| words.clone()));
    let page = AllocationPage {
        page: PageContext::new(
            state,
            context,
            &format!("How we worked out {} budget", voice.whose_in_a_sentence()),
            "",
        )
        .with_errors(&errors),
        challenge_offer,
        errors,
        allocation_id: allocation_id.to_string(),
        person_id: allocation.person_id.to_string(),
        working: working(&allocation.result, &voice, informal_words.as_deref()),
        questions: questionnaire_text,
        indicative: allocation.indicative().to_string(),
        worked_out: money(allocation.result.total_pence),
        weekly: allocation.indicative_weekly().to_string(),
        rule: allocation.result.year_rule.statement(),
        override_reason: allocation.override_.as_ref().map(|change| change.reason.clone()),
        override_by: allocation
            .override_
            .as_ref()
            .map(|change| format!("{} on {}", change.by_name, change.at.format("%-d %B %Y"))),
        can_override: access.may(Capability::OverrideBudget),
        annual_input: annual,
        reason_input: reason,
        voice,
        result: allocation.result,
        can_decide: waiting.is_some() && access.may(Capability::OverrideBudgetAboveTolerance),
        waiting,
        outcome,
        decision_reason_input: decision_reason,
    };
    render_form(&page, &page.errors)
}

pub async fn allocation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(allocation_id): RecordPath<AllocationId>,
) -> Response {
    allocation_page_with(
        &state,
        &context,
        &actor,
        allocation_id,
        TypedOnBudget::default(),
        ValidationErrors::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct OverrideInput {
    #[serde(default)]
    annual: String,
    #[serde(default)]
    reason: String,
}

pub async fn override_budget(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(allocation_id): RecordPath<AllocationId>,
    CheckedForm(input, confirmed): CheckedForm<OverrideInput>,
) -> Response {
    match state
        .app
        .override_budget(&actor, allocation_id, &input.annual, &input.reason, confirmed)
        .await
    {
        Ok(_) => Redirect::to(&format!("/allocations/{allocation_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            allocation_page_with(
                &state,
                &context,
                &actor,
                allocation_id,
                TypedOnBudget {
                    annual: input.annual,
                    reason: input.reason,
                    ..TypedOnBudget::default()
                },
                errors,
            )
            .await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct OverrideDecisionInput {
    #[serde(default)]
    allocation_id: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    decision_reason: String,
}

/// A team manager agrees or declines a change waiting on a budget.
pub async fn decide_override(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(request_id): RecordPath<tailor_domain::OverrideRequestId>,
    crate::context::CsrfForm(input): crate::context::CsrfForm<OverrideDecisionInput>,
) -> Response {
    let Ok(allocation_id) = input.allocation_id.parse::<AllocationId>() else {
        return PageError::from(AppError::NotFound).into_response();
    };
    let decided = match input.decision.as_str() {
        "agree" => state.app.agree_override_request(&actor, request_id, &input.decision_reason).await,
        "decline" => state.app.decline_override_request(&actor, request_id, &input.decision_reason).await,
        _ => {
            let mut errors = ValidationErrors::default();
            errors.add("decision", "Choose whether to agree or decline the change");
            Err(AppError::Invalid(errors))
        }
    };
    match decided {
        Ok(request) => Redirect::to(&format!("/allocations/{}", request.allocation_id)).into_response(),
        Err(AppError::Invalid(errors)) => {
            allocation_page_with(
                &state,
                &context,
                &actor,
                allocation_id,
                TypedOnBudget {
                    decision_reason: input.decision_reason,
                    ..TypedOnBudget::default()
                },
                errors,
            )
            .await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

// Financial assessment

pub struct IncomeRow {
    pub number: usize,
    pub sources: Vec<Choice>,
    pub weekly: String,
}

pub struct CostRow {
    pub number: usize,
    pub description: String,
    pub weekly: String,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "financial_form.html")]
pub(super) struct FinancialFormPage {
    page: PageContext,
    errors: ValidationErrors,
    person_id: String,
    person_name: String,
    input: FinancialInput,
    declined: Vec<Choice>,
    households: Vec<Choice>,
    premiums: Vec<Choice>,
    income: Vec<IncomeRow>,
    housing: Vec<CostRow>,
    expenditure: Vec<CostRow>,
}

/// How many rows to show: those filled in, and `spare` more (up to the most a form takes).
pub(super) fn rows_shown(columns: &[&Vec<String>], spare: usize) -> usize {
    let filled = columns
        .iter()
        .filter_map(|values| values.iter().rposition(|value| !value.trim().is_empty()))
        .max()
        .map_or(0, |last| last + 1);
    (filled + spare).min(MAX_FINANCIAL_LINES)
}

pub(super) async fn financial_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    input: FinancialInput,
    errors: ValidationErrors,
) -> Response {
    let person = try_page!(state.app.person_for_page(actor, person_id, "record a financial assessment").await);
    let cell = |values: &Vec<String>, index: usize| values.get(index).cloned().unwrap_or_default();
    let income = (0..rows_shown(&[&input.income_weekly], 3))
        .map(|index| IncomeRow {
            number: index + 1,
            sources: choices(
                std::iter::once(("", "Select where it comes from"))
                    .chain(IncomeSource::ALL.iter().map(|source| (source.as_str(), source.label()))),
                &cell(&input.income_source, index),
            ),
            weekly: cell(&input.income_weekly, index),
        })
        .collect();
    let housing = (0..rows_shown(&[&input.housing_description, &input.housing_weekly], 2))
        .map(|index| CostRow {
            number: index + 1,
            description: cell(&input.housing_description, index),
            weekly: cell(&input.housing_weekly, index),
            evidence: String::new(),
        })
        .collect();
    let expenditure = (0..rows_shown(
        &[
            &input.expenditure_description,
            &input.expenditure_weekly,
            &input.expenditure_evidence,
        ],
        2,
    ))
        .map(|index| CostRow {
            number: index + 1,
            description: cell(&input.expenditure_description, index),
            weekly: cell(&input.expenditure_weekly, index),
            evidence: cell(&input.expenditure_evidence, index),
        })
        .collect();
    let chosen = |premium: &str| input.premiums.iter().any(|value| value == premium);
    let page = FinancialFormPage {
        page: PageContext::new(state, context, "Record a financial assessment", "").with_errors(&errors),
        errors,
        person_id: person_id.to_string(),
        person_name: person.full_name(),
        declined: choices(
            [
                ("no", "Yes, they gave their financial details"),
                (
                    "yes",
                    "No, they declined: they will pay the full cost of the services that can be charged for",
                ),
            ],
            &input.declined,
        ),
        households: choices(
            Household::ALL.iter().map(|household| (household.as_str(), household.label())),
            &input.household,
        ),
        premiums: vec![
            Choice {
                value: "disability".into(),
                label: "Disability Premium".into(),
                checked: chosen("disability"),
            },
            Choice {
                value: "enhanced".into(),
                label: "Enhanced Disability Premium".into(),
                checked: chosen("enhanced"),
            },
            Choice {
                value: "carer".into(),
                label: "Carer Premium".into(),
                checked: chosen("carer"),
            },
        ],
        income,
        housing,
        expenditure,
        input,
    };
    render_form(&page, &page.errors)
}

pub async fn financial_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
) -> Response {
    let access = try_page!(state.app.access_to_person(&actor, person_id, "record a financial assessment").await);
    if !access.may(Capability::RecordFinancialAssessment) {
        state
            .app
            .record_refusal(&actor, "record a financial assessment", Some(person_id))
            .await;
        return PageError::from(AppError::Forbidden).into_response();
    }
    let input = FinancialInput {
        household: "single".into(),
        ..FinancialInput::default()
    };
    financial_page_with(&state, &context, &actor, person_id, input, ValidationErrors::default()).await
}

pub async fn record_financial(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
    CheckedForm(input, confirmed): CheckedForm<FinancialInput>,
) -> Response {
    // "Add more lines" sends the form back with room for more, without saving.
    if input.more_lines == "yes" {
        return financial_page_with(&state, &context, &actor, person_id, input, ValidationErrors::default()).await;
    }
    let circumstances = match input.parse() {
        Ok(circumstances) => circumstances,
        Err(errors) => return financial_page_with(&state, &context, &actor, person_id, input, errors).await,
    };
    match state
        .app
        .record_financial_assessment_confirmed(&actor, person_id, circumstances, confirmed)
        .await
    {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => financial_page_with(&state, &context, &actor, person_id, input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}
