//! Step 2, my plan: the support plan, costed against the budget as it is written, and sign-off.

use super::plan_words::{errors_in_voice, money_manager_label, PlanWords};
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
    /// The kinds of support, in plain words; the service code is looked up, never typed.
    pub supports: Vec<Choice>,
    pub needs: Vec<Choice>,
    pub chargings: Vec<Choice>,
    pub reablement_start: String,
    pub annual: String,
}

/// One form of budget in the side-by-side comparison.
pub struct MoneyFormRow {
    pub name: &'static str,
    pub who: String,
    pub what: String,
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
    money_forms: Vec<MoneyFormRow>,
    lines: Vec<LineField>,
    changes_requested: Option<String>,
    rule: String,
    words: PlanWords,
}

/// The needs a plan line can meet: those the eligibility decision found, then every other
/// outcome (a council may meet needs it is not required to, s19), as (code, words).
pub(super) fn need_options(overview: &PlanningOverview) -> Vec<(String, String)> {
    use tailor_domain::eligibility::{outcomes, AssessmentKind};
    let record = overview.eligibility.first();
    let kind = record.map_or(AssessmentKind::Adult, |record| record.findings.kind);
    let found: Vec<String> = record.map(|record| record.decision.unable_outcomes.clone()).unwrap_or_default();
    let mut options: Vec<(String, String)> = Vec::new();
    if record.is_some_and(|record| record.findings.carer_health_at_risk) {
        options.push((CARER_HEALTH.into(), need_label(CARER_HEALTH).unwrap_or_default().into()));
    }
    for code in &found {
        if let Some(label) = need_label(code) {
            options.push((code.clone(), label.into()));
        }
    }
    for (code, label) in outcomes(kind) {
        if !found.iter().any(|found| found == code) {
            options.push((code.into(), label.into()));
        }
    }
    options
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
    let access = try_page!(state.app.access_to_person(actor, person_id, "write a support plan").await);
    let voice = crate::pages::voice::Voice::new(
        &access,
        person.details.preferred_name.as_deref().unwrap_or(&person.details.given_name),
    );
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
    let catalogue = tailor_domain::plan_support::SupportCatalogue::shipped();
    let needs = need_options(&overview);
    // Cost what can be costed now, so the total is right even while other lines still have errors.
    let costed = input.parse(false).ok();
    let total = costed
        .as_ref()
        .and_then(|content| content.annual_cost(state.app.year_rule).ok())
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
            let support = get(&input.line_support);
            let meets = get(&input.line_meets);
            LineField {
                number: index + 1,
                description: get(&input.line_description),
                unit_cost: get(&input.line_unit_cost),
                units: get(&input.line_units),
                frequencies: choices(
                    Frequency::ALL.iter().map(|value| (value.as_str(), value.label())),
                    if frequency.is_empty() { "weekly" } else { &frequency },
                ),
                supports: std::iter::once(Choice {
                    value: String::new(),
                    label: "Choose the kind of support".into(),
                    checked: support.is_empty(),
                })
                .chain(choices(
                    catalogue.kinds.iter().map(|kind| (kind.id.as_str(), kind.words.as_str())),
                    &support,
                ))
                .collect(),
                needs: std::iter::once(Choice {
                    value: String::new(),
                    label: "Choose the need it meets".into(),
                    checked: meets.is_empty(),
                })
                .chain(choices(needs.iter().map(|(code, label)| (code.as_str(), label.as_str())), &meets))
                .collect(),
                chargings: choices(
                    charging_options.iter().map(|(code, label)| (code.as_str(), label.as_str())),
                    &get(&input.line_charging),
                ),
                reablement_start: get(&input.line_reablement_start),
                annual: String::new(),
            }
        })
        .collect();
    if let Some(content) = &costed {
        let mut costed_lines = content.lines.iter();
        for line in lines.iter_mut().filter(|line| !line.description.trim().is_empty()) {
            if let Some(cost) = costed_lines.next().and_then(|costed| costed.annual_cost(state.app.year_rule).ok()) {
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
    let words = PlanWords::new(&voice);
    let errors = errors_in_voice(errors, &voice);
    let manager_labels: Vec<(&str, String)> = MoneyManager::ALL
        .iter()
        .map(|value| (value.as_str(), money_manager_label(*value, &voice)))
        .collect();
    let page = PlanFormPage {
        page: PageContext::new(state, context, &words.heading, "").with_errors(&errors),
        words,
        errors,
        person_id: person_id.to_string(),
        person_name: person.full_name(),
        indicative: indicative.to_string(),
        total: total.to_string(),
        difference: difference.to_string(),
        over,
        // Nothing is chosen until the person chooses: `input.money_manager` is empty until then.
        managers: choices(
            manager_labels.iter().map(|(value, label)| (*value, label.as_str())),
            &input.money_manager,
        ),
        money_forms: MoneyManager::ALL
            .iter()
            .map(|form| MoneyFormRow {
                name: form.name(),
                who: voice.money_manager_who(*form),
                what: voice.money_manager_what(*form),
            })
            .collect(),
        lines,
        changes_requested,
        input,
        rule: state.app.year_rule.statement(),
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
        .and_then(|content| content.annual_cost(state.app.year_rule).ok())
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
        Ok(plan) if submit => Redirect::to(&format!("/plans/{}/sent", plan.id)).into_response(),
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
    /// The kind of support, in the words it was chosen by.
    pub support: String,
    pub meets: String,
    pub working: String,
    pub annual: String,
    pub reablement_start: String,
}

pub struct DecisionRow {
    pub who: String,
    pub when: String,
    pub verdict: &'static str,
    pub reason: String,
    pub refused: String,
}

/// One need the assessment found, whether it is eligible, and the plan lines that meet it.
pub struct NeedRow {
    pub need: String,
    pub how: String,
    pub eligible: bool,
    pub met_by: String,
}

/// For a direct payment: what it covers and what is paid how often (s25(1)(f)).
pub struct DirectPaymentRow {
    pub needs: Vec<String>,
    pub each_payment: String,
    pub every_weeks: i64,
    pub one_off: Option<String>,
}

#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage {
    page: PageContext,
    plan: SupportPlan,
    person_id: String,
    /// "you" for the person and their helpers writing as them; the person's name for staff.
    own: bool,
    /// "Your" or "Owen's"; "your" or "Owen's"; "you" or "Owen".
    whose: String,
    whose_lower: String,
    you: String,
    needs: Vec<NeedRow>,
    eligible: Option<bool>,
    lines: Vec<PlanLineRow>,
    total: String,
    recurring: String,
    one_off: String,
    weekly: String,
    indicative: String,
    money_form: Option<(&'static str, String)>,
    direct_payment: Option<DirectPaymentRow>,
    rule: String,
    decisions: Vec<DecisionRow>,
    can_decide: bool,
    can_edit: bool,
    budget_id: Option<String>,
    allocation_id: String,
    /// The latest refusal of spending, open to challenge.
    challenge_offer: Option<super::challenges::ChallengeOffer>,
    voice: crate::pages::voice::Voice,
}

fn london_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string()
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
    let catalogue = tailor_domain::plan_support::SupportCatalogue::shipped();
    let own = actor.person_id == Some(plan.person_id);
    let content = &plan.content;
    let lines_meeting = |code: &str| {
        content
            .lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.meets.as_deref() == Some(code))
            .map(|(index, _)| (index + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The needs come from the eligibility decision on the assessment this budget was worked out from.
    let eligibility = overview
        .eligibility
        .iter()
        .find(|record| record.assessment_id == allocation.assessment_id)
        .or(overview.eligibility.first());
    let mut needs: Vec<NeedRow> = Vec::new();
    if let Some(record) = eligibility {
        if record.findings.carer_health_at_risk {
            needs.push(NeedRow {
                need: need_label(CARER_HEALTH).unwrap_or_default().into(),
                how: "Caring is putting your health at risk, or making it worse".into(),
                eligible: record.decision.eligible,
                met_by: lines_meeting(CARER_HEALTH),
            });
        }
        for finding in record.findings.outcomes.iter().filter(|finding| finding.unable.is_some()) {
            needs.push(NeedRow {
                need: need_label(&finding.outcome).unwrap_or(finding.outcome.as_str()).into(),
                how: finding.unable.map(|reason| reason.label()).unwrap_or_default().into(),
                eligible: record.decision.eligible,
                met_by: lines_meeting(&finding.outcome),
            });
        }
    }
    // Lines meeting a need the decision did not find (the council may still meet it, s19).
    for code in content.needs_met() {
        if !eligibility.is_some_and(|record| {
            record.decision.unable_outcomes.contains(&code) || (code == CARER_HEALTH && record.findings.carer_health_at_risk)
        }) {
            needs.push(NeedRow {
                need: need_label(&code).unwrap_or(code.as_str()).into(),
                how: "Not found as a need in the eligibility decision".into(),
                eligible: false,
                met_by: lines_meeting(&code),
            });
        }
    }
    let show = |amount: Result<Money, tailor_domain::money::MoneyError>| amount.map(|cost| cost.to_string()).unwrap_or_default();
    // An agreed plan is shown as agreed; one still being written or decided under today's rule.
    let rule = plan.year_rule_for_showing(state.app.year_rule);
    let direct_payment = content
        .direct_payment(catalogue.direct_payment_every_weeks, rule)
        .map(|terms| DirectPaymentRow {
            needs: terms
                .needs
                .iter()
                .map(|code| need_label(code).unwrap_or(code.as_str()).to_owned())
                .collect(),
            each_payment: terms.each_payment.to_string(),
            every_weeks: terms.every_weeks,
            one_off: (terms.one_off > Money::ZERO).then(|| terms.one_off.to_string()),
        });
    let page = PlanPage {
        page: PageContext::new(&state, &context, &format!("{} support plan", voice.whose()), ""),
        person_id: plan.person_id.to_string(),
        own,
        whose: if own {
            "Your".into()
        } else {
            format!("{}'s", person.details.given_name)
        },
        whose_lower: if own {
            "your".into()
        } else {
            format!("{}'s", person.details.given_name)
        },
        you: if own { "you".into() } else { person.details.given_name.clone() },
        eligible: eligibility.map(|record| record.decision.eligible),
        needs,
        lines: content
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| PlanLineRow {
                number: index + 1,
                description: line.description.clone(),
                support: line
                    .support
                    .as_deref()
                    .and_then(|id| catalogue.kind(id))
                    .map(|kind| kind.words.clone())
                    .unwrap_or_else(|| line.component.label().to_owned()),
                meets: line.meets.as_deref().and_then(need_label).unwrap_or("Not said").to_owned(),
                working: line.working(rule),
                annual: show(line.annual_cost(rule)),
                reablement_start: line
                    .reablement_start
                    .map(|date| date.format("%-d %B %Y").to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        total: show(content.annual_cost(rule)),
        recurring: show(content.recurring_annual_cost(rule)),
        one_off: content
            .one_off_cost(rule)
            .ok()
            .filter(|cost| *cost > Money::ZERO)
            .map(|cost| cost.to_string())
            .unwrap_or_default(),
        weekly: content
            .recurring_annual_cost(rule)
            .map(|cost| cost.weekly_from_annual(rule).to_string())
            .unwrap_or_default(),
        indicative: allocation.indicative().to_string(),
        money_form: content.money_manager.map(|form| (form.name(), voice.money_manager_who(form))),
        direct_payment,
        rule: rule.statement(),
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
                when: london_date(decision.decided_at),
                verdict: decision.verdict.label(),
                reason: match decision.refusal_ground {
                    Some(ground) => format!("{}. {}", ground.label(), decision.reason),
                    None => decision.reason.clone(),
                },
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
        challenge_offer: match plan
            .decisions
            .iter()
            .rev()
            .find(|decision| decision.verdict == Verdict::SpendingRefused)
        {
            Some(refusal) => {
                let person = try_page!(state.app.person_for_page(&actor, plan.person_id, "see a support plan").await);
                Some(super::challenges::ChallengeOffer::new(
                    &access,
                    tailor_domain::challenges::ChallengeSubject::RefusedSpending(refusal.id),
                    &super::challenges::called(&person),
                    &overview.challenges,
                ))
            }
            None => None,
        },
        plan,
        voice,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "plan_sent.html")]
pub(super) struct PlanSentPage {
    page: PageContext,
    plan_id: String,
    own: bool,
    first_name: String,
    within_days: i64,
    over: bool,
    home: String,
}

/// The confirmation after a plan is sent: what happens next, and when.
pub async fn plan_sent(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(plan_id): RecordPath<PlanId>,
) -> Response {
    let (plan, allocation, _) = try_page!(state.app.open_plan(&actor, plan_id).await);
    if !matches!(plan.status, PlanStatus::Submitted | PlanStatus::AwaitingManager) {
        return Redirect::to(&format!("/plans/{plan_id}")).into_response();
    }
    let person = try_page!(state.app.person_for_page(&actor, plan.person_id, "see a support plan").await);
    let access = try_page!(state.app.access_to_person(&actor, plan.person_id, "see a support plan").await);
    // The person and their helper read "your plan"; staff read the person's name.
    let own = crate::pages::voice::Voice::new(&access, "").to_the_person();
    let first_name = person
        .details
        .preferred_name
        .clone()
        .unwrap_or_else(|| person.details.given_name.clone());
    let page = PlanSentPage {
        page: PageContext::new(
            &state,
            &context,
            &if own {
                "Your plan has been sent".to_owned()
            } else {
                format!("{first_name}'s plan has been sent")
            },
            "",
        ),
        plan_id: plan_id.to_string(),
        own,
        first_name,
        within_days: tailor_domain::plan_support::SupportCatalogue::shipped().plan_answer_within_working_days,
        over: plan
            .content
            .annual_cost(plan.year_rule_for_showing(state.app.year_rule))
            .is_ok_and(|cost| cost > allocation.indicative()),
        home: if actor.person_id.is_some() || own {
            "/my".into()
        } else {
            format!("/people/{}", plan.person_id)
        },
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
        Field::Radios {
            name: "refusal_ground",
            legend: "If refusing spending: why?",
            options: choices(
                RefusalGround::ALL.iter().map(|ground| (ground.as_str(), ground.label())),
                &input.refusal_ground,
            ),
            hint: "Spending can be refused only when it is unlawful or would cause harm. Asking for changes cannot refuse anything.",
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
