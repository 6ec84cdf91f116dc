//! Step 1, my money: how the indicative budget was worked out, a professional override, and the
//! financial assessment.

use super::*;
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::forms::{form_page, Field, FormPage};
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
use tailor_domain::charging::{AgeGroup, FinancialCircumstances};
use tailor_domain::money::Money;
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
    override_reason: Option<String>,
    override_by: Option<String>,
    can_override: bool,
    annual_input: String,
    reason_input: String,
}

pub(super) fn working(result: &AllocationResult) -> Vec<WorkingRow> {
    let mut rows = vec![WorkingRow {
        label: "From your answers".into(),
        detail: result.describe_conversion(),
        amount: money(result.from_points_pence),
    }];
    if let Some(answer) = &result.informal_support_answer {
        rows.push(WorkingRow {
            label: "Less the help family and friends give".into(),
            detail: format!("{}% less, because your answer was \"{}\"", result.informal_support_percent, answer),
            amount: format!("−{}", money(result.informal_support_reduction_pence)),
        });
    }
    if result.carers_allocation_pence > 0 {
        rows.push(WorkingRow {
            label: "Plus support for your carer".into(),
            detail: "Because your carer is finding it hard".into(),
            amount: money(result.carers_allocation_pence),
        });
    }
    rows
}

pub(super) async fn allocation_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    allocation_id: AllocationId,
    annual: String,
    reason: String,
    errors: ValidationErrors,
) -> Response {
    let allocation: AllocationRecord = try_page!(state.app.open_allocation(actor, allocation_id).await);
    let access = try_page!(
        state
            .app
            .access_to_person(actor, allocation.person_id, "see how a budget was worked out")
            .await
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
    let page = AllocationPage {
        page: PageContext::new(state, context, "How we worked out your budget", "").with_errors(&errors),
        errors,
        allocation_id: allocation_id.to_string(),
        person_id: allocation.person_id.to_string(),
        working: working(&allocation.result),
        questions: questionnaire_text,
        indicative: allocation.indicative().to_string(),
        worked_out: money(allocation.result.total_pence),
        weekly: allocation.indicative().weekly_from_annual().to_string(),
        override_reason: allocation.override_.as_ref().map(|change| change.reason.clone()),
        override_by: allocation
            .override_
            .as_ref()
            .map(|change| format!("{} on {}", change.by_name, change.at.format("%-d %B %Y"))),
        can_override: access.may(Capability::OverrideBudget),
        annual_input: annual,
        reason_input: reason,
        result: allocation.result,
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
        String::new(),
        String::new(),
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
    CsrfForm(input): CsrfForm<OverrideInput>,
) -> Response {
    match state.app.override_budget(&actor, allocation_id, &input.annual, &input.reason).await {
        Ok(_) => Redirect::to(&format!("/allocations/{allocation_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            allocation_page_with(&state, &context, &actor, allocation_id, input.annual, input.reason, errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

// Financial assessment

#[derive(Deserialize, Default)]
pub struct FinancialInput {
    #[serde(default)]
    declined: String,
    #[serde(default)]
    age_group: String,
    #[serde(default)]
    premiums: Vec<String>,
    #[serde(default)]
    weekly_income: String,
    #[serde(default)]
    capital: String,
    #[serde(default)]
    weekly_housing_costs: String,
    #[serde(default)]
    weekly_disability_related_expenditure: String,
}

pub(super) fn financial_fields(input: &FinancialInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "declined",
            legend: "Did they agree to a financial assessment?",
            options: choices(
                [
                    ("no", "Yes, they gave their financial details"),
                    ("yes", "No, they declined: they will pay the full cost"),
                ],
                &input.declined,
            ),
            hint: "",
        },
        Field::Radios {
            name: "age_group",
            legend: "Age group, for the Minimum Income Guarantee",
            options: choices(
                [
                    ("from18_to24", "18 to 24"),
                    ("from25_to_pension_age", "25 to State Pension age"),
                    ("pension_age", "State Pension age or over"),
                ],
                &input.age_group,
            ),
            hint: "",
        },
        Field::Checkboxes {
            name: "premiums",
            legend: "Premiums that apply",
            options: vec![
                Choice {
                    value: "disability".into(),
                    label: "Disability Premium".into(),
                    checked: input.premiums.iter().any(|premium| premium == "disability"),
                },
                Choice {
                    value: "enhanced".into(),
                    label: "Enhanced Disability Premium".into(),
                    checked: input.premiums.iter().any(|premium| premium == "enhanced"),
                },
            ],
            hint: "Only for people under State Pension age.",
        },
        Field::Text {
            name: "weekly_income",
            label: "Weekly income, in pounds",
            value: input.weekly_income.clone(),
            hint: "Benefits, pensions and other income. Do not include earnings: they are not counted.",
        },
        Field::Text {
            name: "capital",
            label: "Savings and investments, in pounds",
            value: input.capital.clone(),
            hint: "Not the home they live in.",
        },
        Field::Text {
            name: "weekly_housing_costs",
            label: "Weekly housing costs, in pounds",
            value: input.weekly_housing_costs.clone(),
            hint: "Rent and mortgage not covered by benefits, and council tax.",
        },
        Field::Text {
            name: "weekly_disability_related_expenditure",
            label: "Weekly extra costs because of disability, in pounds",
            value: input.weekly_disability_related_expenditure.clone(),
            hint: "For example extra heating, laundry, special diet.",
        },
    ]
}

pub(super) fn parse_financial(input: &FinancialInput) -> Result<FinancialCircumstances, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let declined = match input.declined.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            errors.add("declined", "Select whether they agreed to a financial assessment");
            false
        }
    };
    let mut amount = |field: &str, value: &str, label: &str| -> Money {
        if declined && value.trim().is_empty() {
            return Money::ZERO;
        }
        match value.parse::<Money>() {
            Ok(found) if !found.is_negative() => found,
            _ => {
                errors.add(field, format!("Enter {label} in pounds and pence, like 125.50 (0 if none)"));
                Money::ZERO
            }
        }
    };
    let weekly_income = amount("weekly_income", &input.weekly_income, "their weekly income");
    let capital = amount("capital", &input.capital, "their savings");
    let weekly_housing_costs = amount("weekly_housing_costs", &input.weekly_housing_costs, "their weekly housing costs");
    let weekly_disability_related_expenditure = amount(
        "weekly_disability_related_expenditure",
        &input.weekly_disability_related_expenditure,
        "their weekly extra costs",
    );
    let age_group = match input.age_group.as_str() {
        "from18_to24" => AgeGroup::From18To24,
        "from25_to_pension_age" => AgeGroup::From25ToPensionAge,
        "pension_age" => AgeGroup::PensionAge,
        _ if declined => AgeGroup::From25ToPensionAge,
        _ => {
            errors.add("age_group", "Select their age group");
            AgeGroup::From25ToPensionAge
        }
    };
    errors.into_result(FinancialCircumstances {
        declined,
        age_group,
        disability_premium: input.premiums.iter().any(|premium| premium == "disability"),
        enhanced_disability_premium: input.premiums.iter().any(|premium| premium == "enhanced"),
        weekly_income,
        capital,
        weekly_housing_costs,
        weekly_disability_related_expenditure,
    })
}

pub(super) async fn financial_page_with(
    state: &AppState,
    context: &RequestContext,
    person_id: PersonId,
    input: &FinancialInput,
    errors: ValidationErrors,
) -> Response {
    let form = FormPage {
        heading: "Record a financial assessment",
        action: format!("/people/{person_id}/financial-assessment"),
        button: "Work out the contribution",
        multipart: false,
        cancel: None,
    };
    form_page(state, context, person_id, form, financial_fields(input), errors).await
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
    financial_page_with(&state, &context, person_id, &FinancialInput::default(), ValidationErrors::default()).await
}

pub async fn record_financial(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
    CsrfForm(input): CsrfForm<FinancialInput>,
) -> Response {
    let circumstances = match parse_financial(&input) {
        Ok(circumstances) => circumstances,
        Err(errors) => return financial_page_with(&state, &context, person_id, &input, errors).await,
    };
    match state.app.record_financial_assessment(&actor, person_id, circumstances).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(AppError::Invalid(errors)) => financial_page_with(&state, &context, person_id, &input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}
