//! Step 3, my plan agreed: the personal budget statement, with the way to challenge it.

use super::*;
use crate::context::{CurrentActor, RequestContext};
use crate::pages::{render_form, PageContext};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use tailor_domain::access::Capability;
use tailor_domain::money::Money;
use tailor_domain::plans::*;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::BudgetId;
// The personal budget statement and challenges

#[derive(Template)]
#[template(path = "budget.html")]
pub(super) struct BudgetPage {
    page: PageContext,
    errors: ValidationErrors,
    budget: PersonalBudget,
    person_name: String,
    weekly_cost: String,
    weekly_contribution: String,
    weekly_council: String,
    basis_explanation: String,
    can_challenge: bool,
    challenge_offer: Option<super::challenges::ChallengeOffer>,
    /// The charge (the financial assessment this budget used), open to challenge too.
    charge_offer: Option<super::challenges::ChallengeOffer>,
    reason: String,
    contribution_working: Vec<(String, String)>,
    contribution_explanation: String,
    voice: crate::pages::voice::Voice,
}

pub(super) async fn budget_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    budget_id: BudgetId,
    reason: String,
    errors: ValidationErrors,
) -> Response {
    let (budget, access) = try_page!(state.app.open_budget(actor, budget_id).await);
    let person = try_page!(state.app.person_for_page(actor, budget.person_id, "see a personal budget").await);
    let overview = try_page!(state.app.planning_overview(actor, budget.person_id).await);
    // The budget's figures as agreed, under the year rule recorded with it.
    let weekly = |amount: Money| amount.weekly_from_annual(budget.year_rule).to_string();
    let voice = crate::pages::voice::Voice::new(
        &access,
        person.details.preferred_name.as_deref().unwrap_or(&person.details.given_name),
    );
    let basis_explanation = match budget.contribution_basis {
        tailor_domain::charging::ContributionBasis::Net => {
            "We pay the council's amount. You pay your contribution into the same account, so the whole budget is there to spend."
                .to_owned()
        }
        tailor_domain::charging::ContributionBasis::Gross => {
            "We pay the whole budget and send you a bill for your contribution.".to_owned()
        }
    };
    // The working is recomputed from the stored circumstances and rates, against this plan's cost.
    let (contribution_working, contribution_explanation) = match &overview.financial {
        Some(financial) => match tailor_domain::charging::ChargingRates::parse(&financial.rates_source)
            .ok()
            .zip(
                overview
                    .plans
                    .iter()
                    .find(|plan| plan.id == budget.plan_id)
                    .and_then(|plan| plan.content.service_lines(budget.year_rule).ok()),
            )
            .and_then(|(rates, services)| tailor_domain::charging::weekly_contribution(&rates, &financial.circumstances, &services).ok())
        {
            Some(contribution) => (
                contribution
                    .services
                    .iter()
                    .chain(contribution.working.iter())
                    .map(|line| (line.label.clone(), line.weekly.to_string()))
                    .collect(),
                format!(
                    "{} So {} {} a week.",
                    contribution.explanation,
                    voice.who_pays(),
                    contribution.weekly
                ),
            ),
            None => (Vec::new(), String::new()),
        },
        None => (Vec::new(), String::new()),
    };
    let page = BudgetPage {
        page: PageContext::new(state, context, &format!("{} personal budget", voice.whose()), "").with_errors(&errors),
        contribution_working,
        contribution_explanation,
        voice,
        errors,
        person_name: person.full_name(),
        weekly_cost: weekly(budget.annual_cost),
        weekly_contribution: weekly(budget.annual_contribution),
        weekly_council: weekly(budget.annual_council_amount),
        basis_explanation,
        can_challenge: access.may(Capability::RaiseChallenge),
        charge_offer: budget
            .financial_assessment_id
            .filter(|_| access.may(Capability::ViewFinancialAssessment))
            .map(|id| {
                super::challenges::ChallengeOffer::new(
                    &access,
                    tailor_domain::challenges::ChallengeSubject::Charge(id),
                    &super::challenges::called(&person),
                    &overview.challenges,
                )
            }),
        challenge_offer: Some(super::challenges::ChallengeOffer::new(
            &access,
            tailor_domain::challenges::ChallengeSubject::Budget(budget.id),
            &super::challenges::called(&person),
            &overview.challenges,
        )),
        reason,
        budget,
    };
    render_form(&page, &page.errors)
}

pub async fn budget(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(budget_id): RecordPath<BudgetId>,
) -> Response {
    budget_page_with(&state, &context, &actor, budget_id, String::new(), ValidationErrors::default()).await
}
