//! Step 2, my plan: the support plan, costed against the budget as it is written, and sign-off.

use super::*;
use crate::context::{CheckedForm, CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::forms::{form_page, Field, FormPage};
use crate::pages::{choices, render, render_form, Choice, PageContext};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tailor_app::steps::PlanningOverview;
use tailor_app::AppError;
use tailor_domain::access::Capability;
use tailor_domain::charging::NeverCharged;
use tailor_domain::money::Money;
use tailor_domain::plans::*;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::PersonId;
use tailor_domain::PlanId;
// The support plan

pub struct LineField {
    pub number: usize,
    pub description: String,
    pub unit_cost: String,
    pub units: String,
    pub frequencies: Vec<Choice>,
    pub components: Vec<Choice>,
    pub chargings: Vec<Choice>,
    pub annual: String,
}

#[derive(Template)]
#[template(path = "plan_form.html")]
pub(super) struct PlanFormPage {
    page: PageContext,
    errors: ValidationErrors,
    person_id: String,
    person_name: String,
    indicative: String,
    total: String,
    difference: String,
    over: bool,
    input: PlanInput,
    managers: Vec<Choice>,
    lines: Vec<LineField>,
    changes_requested: Option<String>,
}

pub(super) async fn plan_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    input: PlanInput,
    errors: ValidationErrors,
) -> Response {
    let overview: PlanningOverview = try_page!(state.app.planning_overview(actor, person_id).await);
    let person = try_page!(state.app.person_for_page(actor, person_id, "write a support plan").await);
    let Some(allocation) = overview.allocations.first() else {
        return PageError::BadRequest(
            "There is no indicative budget yet. The self-assessment and the eligibility decision come first.".into(),
        )
        .into_response();
    };
    let indicative = allocation.indicative();
    // Without a charging table the lines can still be written; only the council's own list is missing.
    let council_free = state.app.council_free_services().await.unwrap_or_default();
    let charging_options: Vec<(String, String)> = NeverCharged::CHOICES
        .iter()
        .map(|(code, label)| (code.to_string(), label.to_string()))
        .chain(
            council_free
                .into_iter()
                .map(|(code, label)| (code, format!("No: the council does not charge for {label}"))),
        )
        .collect();
    // Cost what can be costed now, so the total is right even while other lines still have errors.
    let costed = input.parse(false).ok();
    let total = costed
        .as_ref()
        .and_then(|content| content.annual_cost().ok())
        .unwrap_or(Money::ZERO);
    // The lines written so far and three spare; saving shows three more.
    let filled = input
        .line_description
        .iter()
        .rposition(|description| !description.trim().is_empty())
        .map_or(0, |last| last + 1);
    let shown = (filled + 3).min(MAX_LINES);
    let mut lines: Vec<LineField> = (0..shown)
        .map(|index| {
            let get = |values: &Vec<String>| values.get(index).cloned().unwrap_or_default();
            let frequency = get(&input.line_frequency);
            let component = get(&input.line_component);
            LineField {
                number: index + 1,
                description: get(&input.line_description),
                unit_cost: get(&input.line_unit_cost),
                units: get(&input.line_units),
                frequencies: choices(
                    Frequency::ALL.iter().map(|value| (value.as_str(), value.label())),
                    if frequency.is_empty() { "weekly" } else { &frequency },
                ),
                components: choices(
                    ServiceComponent::ALL.iter().map(|value| (value.as_str(), value.label())),
                    if component.is_empty() { "direct_payment" } else { &component },
                ),
                chargings: choices(
                    charging_options.iter().map(|(code, label)| (code.as_str(), label.as_str())),
                    &get(&input.line_charging),
                ),
                annual: String::new(),
            }
        })
        .collect();
    if let Some(content) = &costed {
        let mut costed_lines = content.lines.iter();
        for line in lines.iter_mut().filter(|line| !line.description.trim().is_empty()) {
            if let Some(cost) = costed_lines.next().and_then(|costed| costed.annual_cost().ok()) {
                line.annual = cost.to_string();
            }
        }
    }
    let over = total > indicative;
    let difference = if over {
        total.checked_sub(indicative).unwrap_or_default()
    } else {
        indicative.checked_sub(total).unwrap_or_default()
    };
    let changes_requested = overview
        .plans
        .iter()
        .find(|plan| plan.status == PlanStatus::ChangesRequested)
        .and_then(|plan| plan.decisions.last())
        .map(|decision| decision.reason.clone());
    let page = PlanFormPage {
        page: PageContext::new(state, context, "Your support plan", "").with_errors(&errors),
        errors,
        person_id: person_id.to_string(),
        person_name: person.full_name(),
        indicative: indicative.to_string(),
        total: total.to_string(),
        difference: difference.to_string(),
        over,
        managers: choices(
            MoneyManager::ALL.iter().map(|value| (value.as_str(), value.label())),
            &input.money_manager,
        ),
        lines,
        changes_requested,
        input,
    };
    render_form(&page, &page.errors)
}

pub async fn plan_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
) -> Response {
    let overview = try_page!(state.app.planning_overview(&actor, person_id).await);
    let input = overview
        .plans
        .iter()
        .find(|plan| matches!(plan.status, PlanStatus::Drafting | PlanStatus::ChangesRequested))
        .or(overview.plans.first())
        .map(|plan| PlanInput::from_content(&plan.content))
        .unwrap_or_default();
    plan_page_with(&state, &context, &actor, person_id, input, ValidationErrors::default()).await
}

/// "Update the total" and "Save" post here: the plan is saved as a draft and shown again, re-costed.
pub async fn save_plan(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
    CheckedForm(plan, confirmed): CheckedForm<PlanInput>,
) -> Response {
    store_plan(&state, &context, &actor, person_id, plan, false, confirmed).await
}

/// The plan's cost as the person types (the page's script posts the form here); nothing is saved.
pub async fn plan_cost(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
    CsrfForm(plan): CsrfForm<PlanInput>,
) -> Response {
    let overview = try_page!(state.app.planning_overview(&actor, person_id).await);
    let Some(allocation) = overview.allocations.first() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let indicative = allocation.indicative();
    let total = plan
        .parse(false)
        .ok()
        .and_then(|content| content.annual_cost().ok())
        .unwrap_or(Money::ZERO);
    let over = total > indicative;
    let difference = if over {
        total.checked_sub(indicative)
    } else {
        indicative.checked_sub(total)
    }
    .unwrap_or_default();
    axum::Json(serde_json::json!({
        "total": format!("{total} a year"),
        "difference_label": if over { "Over by" } else { "Left" },
        "difference": difference.to_string(),
        "over": over,
    }))
    .into_response()
}

/// "Send my plan to be agreed" posts here (the button's `formaction`).
pub async fn submit_plan(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    crate::pages::people::PersonPath(person_id): crate::pages::people::PersonPath,
    CheckedForm(plan, confirmed): CheckedForm<PlanInput>,
) -> Response {
    store_plan(&state, &context, &actor, person_id, plan, true, confirmed).await
}

pub(super) async fn store_plan(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    person_id: PersonId,
    plan: PlanInput,
    submit: bool,
    confirmed: tailor_domain::sense_checks::AmountsConfirmed,
) -> Response {
    match state.app.save_plan_confirmed(actor, person_id, &plan, submit, confirmed).await {
        Ok(plan) if submit => Redirect::to(&format!("/plans/{}", plan.id)).into_response(),
        // "Update the total" and "Save" both save a draft and show the plan again, re-costed.
        Ok(plan) => {
            plan_page_with(
                state,
                context,
                actor,
                person_id,
                PlanInput::from_content(&plan.content),
                ValidationErrors::default(),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => plan_page_with(state, context, actor, person_id, plan, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

pub struct PlanLineRow {
    pub number: usize,
    pub description: String,
    pub cost: String,
    pub component: &'static str,
    pub annual: String,
}

pub struct DecisionRow {
    pub who: String,
    pub when: String,
    pub verdict: &'static str,
    pub reason: String,
    pub refused: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage {
    page: PageContext,
    plan: SupportPlan,
    person_id: String,
    lines: Vec<PlanLineRow>,
    total: String,
    indicative: String,
    decisions: Vec<DecisionRow>,
    can_decide: bool,
    can_edit: bool,
    budget_id: Option<String>,
    allocation_id: String,
    voice: crate::pages::voice::Voice,
}

pub async fn plan_view(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
) -> Response {
    let (plan, allocation, access) = try_page!(state.app.open_plan(&actor, plan_id).await);
    let overview = try_page!(state.app.planning_overview(&actor, plan.person_id).await);
    let person = try_page!(state.app.person_for_page(&actor, plan.person_id, "open a support plan").await);
    let voice = crate::pages::voice::Voice::new(
        &access,
        person.details.preferred_name.as_deref().unwrap_or(&person.details.given_name),
    );
    let can_decide = match plan.status {
        PlanStatus::Submitted => access.may(Capability::AgreePlan),
        PlanStatus::AwaitingManager => access.may(Capability::AgreePlanAboveTolerance),
        _ => false,
    };
    let page = PlanPage {
        page: PageContext::new(&state, &context, &format!("{} support plan", voice.whose()), ""),
        person_id: plan.person_id.to_string(),
        lines: plan
            .content
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| PlanLineRow {
                number: index + 1,
                description: line.description.clone(),
                cost: format!("{} × {} {}", line.unit_cost, line.units, line.frequency.label()),
                component: line.component.label(),
                annual: line.annual_cost().map(|cost| cost.to_string()).unwrap_or_default(),
            })
            .collect(),
        total: plan.content.annual_cost().map(|cost| cost.to_string()).unwrap_or_default(),
        indicative: allocation.indicative().to_string(),
        decisions: plan
            .decisions
            .iter()
            .map(|decision| DecisionRow {
                who: format!(
                    "{} ({})",
                    decision.decided_by_name,
                    if decision.stage == DecisionStage::Manager {
                        "team manager"
                    } else {
                        "practitioner"
                    }
                ),
                when: decision
                    .decided_at
                    .with_timezone(&chrono_tz::Europe::London)
                    .format("%-d %B %Y")
                    .to_string(),
                verdict: decision.verdict.label(),
                reason: decision.reason.clone(),
                refused: decision
                    .refused_lines
                    .iter()
                    .map(|line| line.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        can_decide,
        can_edit: access.may(Capability::WritePlan) && matches!(plan.status, PlanStatus::Drafting | PlanStatus::ChangesRequested),
        budget_id: overview
            .budgets
            .iter()
            .find(|budget| budget.plan_id == plan.id)
            .map(|budget| budget.id.to_string()),
        allocation_id: allocation.id.to_string(),
        plan,
        voice,
    };
    render(&page)
}

pub(super) fn decision_fields(plan: &SupportPlan, input: &DecisionInput) -> Vec<Field> {
    vec![
        Field::Radios {
            name: "verdict",
            legend: "Is this a realistic plan to meet the agreed outcomes?",
            options: choices(
                Verdict::ALL.iter().map(|verdict| (verdict.as_str(), verdict.label())),
                &input.verdict,
            ),
            hint:
                "If yes, the plan's purchases are not questioned again. Spending is refused only when it is unlawful or would cause harm.",
        },
        Field::Checkboxes {
            name: "refused_lines",
            legend: "If refusing spending: which lines?",
            options: plan
                .content
                .lines
                .iter()
                .enumerate()
                .map(|(index, line)| Choice {
                    value: (index + 1).to_string(),
                    label: format!("{}. {}", index + 1, line.description),
                    checked: input.refused_lines.contains(&(index + 1).to_string()),
                })
                .collect(),
            hint: "",
        },
        Field::Area {
            name: "reason",
            label: "Reason",
            value: input.reason.clone(),
            hint: "Needed when asking for changes or refusing spending. The person will read this.",
        },
    ]
}

pub(super) async fn decision_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    plan_id: PlanId,
    input: &DecisionInput,
    errors: ValidationErrors,
) -> Response {
    let (plan, _, _) = try_page!(state.app.open_plan(actor, plan_id).await);
    let form = FormPage {
        heading: "Agree the support plan",
        action: format!("/plans/{plan_id}/decision"),
        button: "Save decision",
        multipart: false,
        cancel: Some(format!("/plans/{plan_id}")),
    };
    form_page(state, context, plan.person_id, form, decision_fields(&plan, input), errors).await
}

pub async fn decision_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
) -> Response {
    decision_page_with(
        &state,
        &context,
        &actor,
        plan_id,
        &DecisionInput::default(),
        ValidationErrors::default(),
    )
    .await
}

pub async fn decide(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
    CsrfForm(input): CsrfForm<DecisionInput>,
) -> Response {
    match state.app.decide_plan(&actor, plan_id, &input).await {
        Ok((_, Some(budget))) => Redirect::to(&format!("/budgets/{}", budget.id)).into_response(),
        Ok(_) => Redirect::to(&format!("/plans/{plan_id}")).into_response(),
        Err(AppError::Invalid(errors)) => decision_page_with(&state, &context, &actor, plan_id, &input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}
