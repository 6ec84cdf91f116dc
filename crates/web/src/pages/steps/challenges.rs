//! Challenges to any decision: the person's own form and the staff's separate "on the person's
//! behalf" form, the confirmation with what happens next, the challenge with its answer and the
//! complaints route, the owner's answer form, and each owner's queue; and the offer to challenge
//! shown beside every decision (`challenge_offer.html`).

use super::RecordPath;
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::{choices, render, render_form, Choice, PageContext};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tailor_app::steps::challenges::{ChallengeView, ChallengedDecision};
use tailor_app::AppError;
use tailor_domain::access::{Capability, PersonAccess};
use tailor_domain::challenges::*;
use tailor_domain::people::Person;
use tailor_domain::plans::Challenge;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::ChallengeId;

/// The name staff pages call the person by ("Owen").
pub(crate) fn called(person: &Person) -> String {
    person
        .details
        .preferred_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| person.details.given_name.clone())
}

fn london_date(date: chrono::DateTime<chrono::Utc>) -> String {
    date.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string()
}

/// What a decision page shows about challenging it: the way to challenge (the person's own
/// form, or the staff's on-behalf form) and any challenges already made, with where they are.
pub struct ChallengeOffer {
    pub heading: String,
    pub right: &'static str,
    pub raise_link: Option<String>,
    pub record_link: Option<(String, String)>,
    pub existing: Vec<(String, String, String)>,
}

impl ChallengeOffer {
    pub fn new(access: &PersonAccess, subject: ChallengeSubject, person_called: &str, challenges: &[Challenge]) -> ChallengeOffer {
        let query = format!("kind={}&id={}", subject.kind().as_str(), subject.id_text());
        let acts_for_person = access.acts_for_the_person();
        ChallengeOffer {
            heading: format!("If you think {} is wrong", subject.kind().short()),
            right: match subject.kind() {
                ChallengeKind::Eligibility => "You can challenge the eligibility decision. Someone who did not make it will look at it again and write to you.",
                ChallengeKind::IndicativeBudget => "You can challenge the indicative budget if it is not enough to plan with. Someone who did not set it will look at it again.",
                ChallengeKind::RefusedSpending => "You can challenge spending the council refused. Someone who did not refuse it will look at it again.",
                ChallengeKind::Charge => "You can challenge the charge if you think it is wrong. Someone who did not work it out will look at it again.",
                ChallengeKind::Budget => "You have the right to challenge whether your budget is enough to meet your needs. Someone who did not agree it will look at it again.",
            },
            raise_link: access
                .may(Capability::RaiseChallenge)
                .then(|| format!("/challenges/new?{query}")),
            record_link: (!acts_for_person && access.may(Capability::RecordChallengeOnBehalf))
                .then(|| (format!("/challenges/on-behalf/new?{query}"), format!("Record a challenge on {person_called}'s behalf"))),
            existing: challenges
                .iter()
                .filter(|challenge| challenge.subject == subject)
                .map(|challenge| {
                    (
                        format!("/challenges/{}", challenge.id),
                        format!("Challenge of {}", london_date(challenge.raised_at)),
                        status_text(challenge),
                    )
                })
                .collect(),
        }
    }
}

fn status_text(challenge: &Challenge) -> String {
    match &challenge.answer {
        Some(answer) => answer.outcome.map(ChallengeOutcome::short).unwrap_or("Answered").to_owned(),
        None => format!("Open: to be answered by {}", challenge.answer_by.format("%-d %B %Y")),
    }
}

#[derive(Deserialize, Default)]
pub struct SubjectQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

impl SubjectQuery {
    /// The decision named; without one there is nothing to challenge here, so the visitor goes
    /// home, where each decision offers its own challenge.
    fn subject(&self) -> Option<ChallengeSubject> {
        ChallengeSubject::parse(&self.kind, &self.id)
    }
}

#[derive(Template)]
#[template(path = "challenge_form.html")]
struct ChallengeFormPage {
    page: PageContext,
    errors: ValidationErrors,
    on_behalf: bool,
    person_name: String,
    person_called: String,
    heading: String,
    question: &'static str,
    decision: ChallengedDecision,
    decided_on: String,
    kind: &'static str,
    id: String,
    reason: String,
    reason_label: String,
    answer_within_days: u16,
}

async fn challenge_form(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    subject: ChallengeSubject,
    on_behalf: bool,
    reason: String,
    errors: ValidationErrors,
) -> Response {
    let decision = try_page!(state.app.decision_to_challenge(actor, subject, on_behalf).await);
    let person = try_page!(state.app.person_for_page(actor, decision.person_id, "challenge a decision").await);
    let person_called = called(&person);
    let heading = if on_behalf {
        format!("Record a challenge on {person_called}'s behalf")
    } else {
        format!("Challenge {}", subject.kind().short())
    };
    let page = ChallengeFormPage {
        page: PageContext::new(state, context, &heading, "").with_errors(&errors),
        errors,
        on_behalf,
        person_name: person.full_name(),
        person_called,
        heading,
        question: subject.kind().question(),
        decided_on: london_date(decision.decided_at),
        decision,
        kind: subject.kind().as_str(),
        id: subject.id_text(),
        reason,
        reason_label: format!("What {} says is wrong, in their words", called(&person)),
        answer_within_days: state.council.challenges.answer_within_days,
    };
    render_form(&page, &page.errors)
}

pub async fn new_challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SubjectQuery>,
) -> Response {
    let Some(subject) = query.subject() else {
        return Redirect::to("/").into_response();
    };
    challenge_form(&state, &context, &actor, subject, false, String::new(), ValidationErrors::default()).await
}

pub async fn new_challenge_on_behalf(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SubjectQuery>,
) -> Response {
    let Some(subject) = query.subject() else {
        return Redirect::to("/").into_response();
    };
    challenge_form(&state, &context, &actor, subject, true, String::new(), ValidationErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct RaiseForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
}

async fn raise(
    state: AppState,
    context: RequestContext,
    actor: tailor_domain::access::Actor,
    form: RaiseForm,
    on_behalf: bool,
) -> Response {
    let Some(subject) = ChallengeSubject::parse(&form.kind, &form.id) else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let input = ChallengeInput {
        reason: form.reason.clone(),
    };
    match state
        .app
        .raise_challenge(&actor, subject, &input, on_behalf, &state.council.challenges)
        .await
    {
        Ok(challenge) => Redirect::to(&format!("/challenges/{}/raised", challenge.id)).into_response(),
        Err(AppError::Invalid(errors)) => challenge_form(&state, &context, &actor, subject, on_behalf, form.reason, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

pub async fn raise_challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<RaiseForm>,
) -> Response {
    raise(state, context, actor, form, false).await
}

pub async fn record_challenge_on_behalf(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<RaiseForm>,
) -> Response {
    raise(state, context, actor, form, true).await
}

/// The person's own budget form (on the budget page) posts here, as it always has.
#[derive(Deserialize, Default)]
pub struct BudgetChallengeForm {
    #[serde(default)]
    reason: String,
}

pub async fn challenge_budget(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(budget_id): RecordPath<tailor_domain::BudgetId>,
    CsrfForm(form): CsrfForm<BudgetChallengeForm>,
) -> Response {
    let form = RaiseForm {
        kind: ChallengeKind::Budget.as_str().into(),
        id: budget_id.to_string(),
        reason: form.reason,
    };
    raise(state, context, actor, form, false).await
}

/// A challenge as its pages show it.
pub struct ChallengeSummary {
    pub what: String,
    pub reason: String,
    pub raised: String,
    pub on_behalf: Option<String>,
    pub owner: String,
    pub answer_by: String,
    pub days_left: String,
    pub decision: ChallengedDecision,
}

fn summary(view: &ChallengeView, person_called: &str, for_the_person: bool) -> ChallengeSummary {
    let challenge = &view.challenge;
    let days = challenge.days_left(view.today);
    ChallengeSummary {
        what: format!("{}: {}", capitalise(challenge.kind().short()), view.decision.summary),
        reason: challenge.reason.clone(),
        raised: format!("{} by {}", london_date(challenge.raised_at), challenge.raised_by_name),
        on_behalf: challenge.recorded_by_staff.as_ref().map(|staff| {
            if for_the_person {
                format!("Recorded on your behalf by {}", staff.name)
            } else {
                format!("Recorded on {person_called}'s behalf by {}", staff.name)
            }
        }),
        owner: challenge
            .owner
            .as_ref()
            .map(|owner| owner.name.clone())
            .unwrap_or_else(|| "A team manager who did not make the decision".into()),
        answer_by: challenge.answer_by.format("%-d %B %Y").to_string(),
        days_left: match days {
            0 => "Due today".into(),
            1 => "1 day left".into(),
            n if n > 1 => format!("{n} days left"),
            n => format!("{} days late", -n),
        },
        decision: view.decision.clone(),
    }
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[derive(Template)]
#[template(path = "challenge_raised.html")]
struct RaisedPage {
    page: PageContext,
    summary: ChallengeSummary,
    for_the_person: bool,
    person_called: String,
    challenge_id: String,
}

pub async fn challenge_raised(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(challenge_id): RecordPath<ChallengeId>,
) -> Response {
    let view = try_page!(state.app.open_challenge(&actor, challenge_id).await);
    let person = try_page!(state.app.person_for_page(&actor, view.challenge.person_id, "see a challenge").await);
    let for_the_person = view.access.acts_for_the_person();
    let person_called = called(&person);
    render(&RaisedPage {
        page: PageContext::new(&state, &context, "Challenge sent", ""),
        summary: summary(&view, &person_called, for_the_person),
        for_the_person,
        person_called,
        challenge_id: challenge_id.to_string(),
    })
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengePage {
    page: PageContext,
    errors: ValidationErrors,
    summary: ChallengeSummary,
    challenge: Challenge,
    for_the_person: bool,
    person_name: String,
    person_called: String,
    outcome_label: String,
    may_answer: bool,
    may_redetermine: bool,
    redetermine_link: String,
    outcomes: Vec<Choice>,
    reasons: String,
    reasons_label: String,
    /// Earlier owners and each hand-over: "6 March 2026: Ana Silva handed it from Ben Cole to
    /// Chris Day", and why.
    reassignments: Vec<(String, String)>,
    may_reassign: bool,
    owner_choices: Vec<Choice>,
    reassign_reason: String,
}

async fn challenge_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    challenge_id: ChallengeId,
    input: &AnswerInput,
    reassign: &ReassignInput,
    errors: ValidationErrors,
) -> Response {
    let view = try_page!(state.app.open_challenge(actor, challenge_id).await);
    let person = try_page!(state.app.person_for_page(actor, view.challenge.person_id, "see a challenge").await);
    let for_the_person = view.access.acts_for_the_person();
    let person_called = called(&person);
    let redetermine_link = match view.challenge.subject {
        ChallengeSubject::Eligibility(id) => format!("/eligibility/{id}/redetermine?challenge={challenge_id}"),
        _ => String::new(),
    };
    let page = ChallengePage {
        page: PageContext::new(state, context, "Challenge", "").with_errors(&errors),
        errors,
        summary: summary(&view, &person_called, for_the_person),
        for_the_person,
        person_name: person.full_name(),
        person_called,
        outcome_label: view
            .challenge
            .answer
            .as_ref()
            .and_then(|answer| answer.outcome)
            .map(|outcome| outcome.label().to_owned())
            .unwrap_or_default(),
        may_answer: view.may_answer,
        may_redetermine: view.may_redetermine,
        redetermine_link,
        // Nothing is chosen for the owner.
        outcomes: choices(
            ChallengeOutcome::ALL.iter().map(|outcome| (outcome.as_str(), outcome.label())),
            &input.outcome,
        ),
        reasons: input.reasons.clone(),
        reasons_label: format!("Your reasons, in words {} can read", called(&person)),
        reassignments: view
            .reassignments
            .iter()
            .map(|handed| {
                // "handed it on" when the owner handed on their own challenge.
                let from = match &handed.from {
                    Some(owner) if owner.id == handed.by.id => " on".to_owned(),
                    Some(owner) => format!(" from {}", owner.name),
                    None => String::new(),
                };
                (
                    format!(
                        "{}: {} handed it{from} to {}",
                        london_date(handed.at),
                        handed.by.name,
                        handed.to.name
                    ),
                    handed.reason.clone(),
                )
            })
            .collect(),
        may_reassign: view.may_reassign,
        owner_choices: view
            .owner_choices
            .iter()
            .map(|owner| Choice {
                value: owner.id.to_string(),
                label: owner.name.clone(),
                checked: owner.id.to_string() == reassign.owner_id,
            })
            .collect(),
        reassign_reason: reassign.reason.clone(),
        challenge: view.challenge,
    };
    render_form(&page, &page.errors)
}

pub async fn challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(challenge_id): RecordPath<ChallengeId>,
) -> Response {
    challenge_page_with(
        &state,
        &context,
        &actor,
        challenge_id,
        &AnswerInput::default(),
        &ReassignInput::default(),
        ValidationErrors::default(),
    )
    .await
}

pub async fn answer_challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(challenge_id): RecordPath<ChallengeId>,
    CsrfForm(input): CsrfForm<AnswerInput>,
) -> Response {
    match state.app.answer_challenge(&actor, challenge_id, &input).await {
        Ok(_) => Redirect::to(&format!("/challenges/{challenge_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            challenge_page_with(&state, &context, &actor, challenge_id, &input, &ReassignInput::default(), errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct ReassignForm {
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    reason: String,
    /// The challenge's version when the page was shown: if someone answered or handed it on
    /// since, nothing is saved.
    #[serde(default)]
    version: String,
}

/// A team manager hands the challenge to another owner, from the challenge's page.
pub async fn reassign_challenge(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    RecordPath(challenge_id): RecordPath<ChallengeId>,
    CsrfForm(form): CsrfForm<ReassignForm>,
) -> Response {
    let input = ReassignInput {
        owner_id: form.owner_id,
        reason: form.reason,
    };
    let version = form.version.trim().parse().ok();
    match state.app.reassign_challenge(&actor, challenge_id, &input, version).await {
        Ok(_) => Redirect::to(&format!("/challenges/{challenge_id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            challenge_page_with(&state, &context, &actor, challenge_id, &AnswerInput::default(), &input, errors).await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

pub struct QueueRow {
    pub link: String,
    pub person: String,
    pub what: String,
    pub raised: String,
    pub answer_by: String,
    pub days_left: i64,
    pub days_text: String,
    pub on_behalf: bool,
}

#[derive(Template)]
#[template(path = "challenges_queue.html")]
struct QueuePage {
    page: PageContext,
    rows: Vec<QueueRow>,
}

/// The open challenges this member of staff owns, the soonest due first, with days left.
pub async fn challenges_queue(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    let owned = try_page!(state.app.challenges_to_answer(&actor).await);
    let people: Vec<_> = owned.iter().map(|challenge| challenge.person_id).collect();
    let names: HashMap<_, _> = try_page!(state.app.names_for_work_queues(&actor, &people).await);
    let today = state.app.clock.today();
    let rows = owned
        .iter()
        .map(|challenge| {
            let days = challenge.days_left(today);
            QueueRow {
                link: format!("/challenges/{}", challenge.id),
                person: names.get(&challenge.person_id).cloned().unwrap_or_else(|| "Someone".into()),
                what: capitalise(challenge.kind().short()),
                raised: london_date(challenge.raised_at),
                answer_by: challenge.answer_by.format("%-d %B %Y").to_string(),
                days_left: days,
                days_text: match days {
                    0 => "Due today".into(),
                    1 => "1 day".into(),
                    n if n > 1 => format!("{n} days"),
                    n => format!("{} days late", -n),
                },
                on_behalf: challenge.recorded_on_behalf(),
            }
        })
        .collect();
    render(&QueuePage {
        page: PageContext::new(&state, &context, "Challenges to answer", "/challenges"),
        rows,
    })
}
