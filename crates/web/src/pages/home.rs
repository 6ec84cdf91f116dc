//! Where each role lands: a caseload for workers, a home page for a person or their helper,
//! the people a provider supports, and a starting page for everyone else.

use super::{home_path, render, PageContext};
use crate::context::{CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_domain::access::{caseload_scope, landing_page, CaseloadScope, LandingPage, Permission};
use tailor_domain::people::PersonSummary;

macro_rules! try_page {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return PageError::from(error).into_response(),
        }
    };
}

pub async fn root(context: RequestContext) -> Redirect {
    match &context.actor {
        Some(actor) => Redirect::to(home_path(actor.role)),
        None => Redirect::to("/sign-in"),
    }
}

/// One row of a people table, formatted for reading.
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub date_of_birth: String,
    pub nhs_number: String,
    pub postcode: String,
    pub worker: String,
}

pub fn person_rows(people: &[PersonSummary]) -> Vec<PersonRow> {
    people
        .iter()
        .map(|person| PersonRow {
            id: person.id.to_string(),
            name: person.full_name(),
            date_of_birth: person.date_of_birth.format("%-d %B %Y").to_string(),
            nhs_number: person
                .nhs_number
                .map(|number| number.to_string())
                .unwrap_or_else(|| "Not known".into()),
            postcode: person.postcode.clone(),
            worker: person.allocated_worker_name.clone().unwrap_or_else(|| "Not allocated".into()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff_home.html")]
struct StaffHome {
    page: PageContext,
    first_name: String,
    caseload_heading: String,
    caseload: Option<super::worklists::CaseloadSection>,
    links: Vec<(&'static str, &'static str, &'static str)>,
    queues: Vec<WorkQueue>,
    over_tolerance: Vec<super::worklists::OverToleranceRow>,
    budget_changes: Vec<super::worklists::OverrideRequestRow>,
}

/// Things waiting for this worker, with a link to each.
pub struct WorkQueue {
    pub heading: &'static str,
    pub items: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<i64>,
    /// The caseload's stage filter and order (see `worklists::CaseloadView`).
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    sort: Option<String>,
}

pub async fn staff_home(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<PageQuery>,
) -> Response {
    if landing_page(actor.role) != LandingPage::StaffHome {
        return Redirect::to(home_path(actor.role)).into_response();
    }
    let page_number = query.page.unwrap_or(0).max(0);
    let has_caseload = actor.role.holds_caseload();
    let view = super::worklists::CaseloadView::from_query(query.stage.as_deref(), query.sort.as_deref());
    let caseload = if has_caseload {
        let found = try_page!(state.app.caseload_worklist(&actor, view.stage, view.sort, page_number).await);
        Some(super::worklists::caseload_section(
            &found,
            &view,
            page_number,
            tailor_app::steps::worklists::CASELOAD_PAGE_SIZE,
        ))
    } else {
        None
    };
    let mut links = Vec::new();
    let role = actor.role;
    if role.allows(Permission::SearchPeople) {
        links.push(("/people", "Find a person", "Search by name, NHS number or date of birth."));
    }
    if role.allows(Permission::CreatePerson) {
        links.push((
            "/people/new",
            "Add a person",
            "Start a record for someone who has contacted the council.",
        ));
    }
    if role.allows(Permission::AdministerUsers) {
        links.push((
            "/admin/users",
            "Accounts",
            "Create accounts for staff, people, helpers and providers.",
        ));
        links.push(("/admin/teams", "Teams", "The teams that share caseloads."));
    }
    if role.allows(Permission::ManageOrganisations) {
        links.push((
            "/admin/organisations",
            "Organisations",
            "Providers, managed-account and payroll services, brokers and trusts.",
        ));
    }
    if role.allows(Permission::ViewAuditLog) {
        links.push(("/admin/audit", "Audit log", "Who did what, and who looked at whose record."));
    }
    if role.allows(Permission::BuildReports) {
        links.push((
            "/api/v1/openapi.json",
            "API description",
            "The JSON API's OpenAPI document, for building reports.",
        ));
    }
    let found = try_page!(state.app.work_queues(&actor).await);
    let over_tolerance = try_page!(state.app.plans_over_tolerance(&actor).await);
    let budget_changes = try_page!(state.app.override_requests_waiting(&actor).await);
    let waiting: Vec<tailor_domain::PersonId> = found
        .assessments_to_check
        .iter()
        .chain(&found.eligibility_to_decide)
        .map(|assessment| assessment.person_id)
        .chain(
            found
                .plans_to_agree
                .iter()
                .chain(&found.plans_for_manager)
                .map(|plan| plan.person_id),
        )
        .chain(found.challenges.iter().map(|challenge| challenge.person_id))
        .chain(over_tolerance.iter().map(|plan| plan.person_id))
        .chain(budget_changes.iter().map(|waiting| waiting.request.person_id))
        .collect();
    let names = try_page!(state.app.names_for_work_queues(&actor, &waiting).await);
    let name_of = |person_id| names.get(&person_id).cloned().unwrap_or_default();
    let mut queues = vec![
        WorkQueue {
            heading: "Self-assessments to check",
            items: found
                .assessments_to_check
                .iter()
                .map(|assessment| (format!("/assessments/{}", assessment.id), name_of(assessment.person_id)))
                .collect(),
        },
        WorkQueue {
            heading: "Eligibility to decide",
            items: found
                .eligibility_to_decide
                .iter()
                .map(|assessment| (format!("/assessments/{}/eligibility", assessment.id), name_of(assessment.person_id)))
                .collect(),
        },
        WorkQueue {
            heading: "Plans to agree",
            items: found
                .plans_to_agree
                .iter()
                .map(|plan| (format!("/plans/{}", plan.id), name_of(plan.person_id)))
                .collect(),
        },
    ];
    if role.allows(Permission::AnswerEscalations) {
        queues.push(WorkQueue {
            heading: "Challenges for you to answer",
            items: found
                .challenges
                .iter()
                .map(|challenge| (format!("/challenges/{}", challenge.id), name_of(challenge.person_id)))
                .collect(),
        });
    }
    let caseload_heading = match caseload_scope(&actor) {
        CaseloadScope::TeamOrAllocated { .. } => "Your team's people".to_owned(),
        _ => "Your caseload".to_owned(),
    };
    let over_tolerance = super::worklists::over_tolerance_rows(&over_tolerance, &names);
    let budget_changes = super::worklists::override_request_rows(&budget_changes, &names);
    let page = StaffHome {
        page: PageContext::new(&state, &context, if has_caseload { "Caseload" } else { "Home" }, "/home"),
        first_name: actor.display_name.split_whitespace().next().unwrap_or_default().to_owned(),
        caseload_heading,
        caseload,
        links,
        queues,
        over_tolerance,
        budget_changes,
    };
    render(&page)
}

/// The seven steps of self-directed support, with where this person is now.
pub struct Step {
    pub number: u8,
    pub name: &'static str,
    pub description: &'static str,
    pub status: &'static str,
    pub link: Option<String>,
}

/// The steps, with each one's status taken from the person's records and a link to act on it.
pub fn seven_steps(statuses: [&'static str; 7], links: [Option<String>; 7]) -> Vec<Step> {
    let steps = [
        ("My money", "Tell us about your needs and see how much money you could have."),
        ("Making my plan", "Write down how you want to use the money to live your life."),
        ("Getting my plan agreed", "The council checks the plan is realistic and agrees it."),
        (
            "Organising my money",
            "Choose how the money is held: by you, someone you trust, or an organisation.",
        ),
        ("Organising my support", "Choose the people and services that will support you."),
        ("Living life", "Use your support, and keep an eye on your money."),
        ("Seeing how it worked", "Talk with us about what is working and what is not."),
    ];
    steps
        .iter()
        .zip(statuses)
        .zip(links)
        .enumerate()
        .map(|(index, (((name, description), status), link))| Step {
            number: index as u8 + 1,
            name,
            description,
            status,
            link,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "my_home.html")]
struct MyHome {
    page: PageContext,
    first_name: String,
    is_helper: bool,
    rows: Vec<PersonRow>,
    steps: Vec<Step>,
    worker_name: Option<String>,
    own_record: Option<String>,
    /// Things the person has to do, said plainly, each with where to do it.
    to_do: Vec<(String, String)>,
}

/// What is waiting for the person themselves, in their words: answers the council asked them
/// to change, a self-assessment to finish, a plan to change, an answer to their challenge.
fn things_to_do(overview: &tailor_app::steps::PlanningOverview) -> Vec<(String, String)> {
    use tailor_domain::assessments::AssessmentStatus;
    use tailor_domain::plans::PlanStatus;
    let mut to_do = Vec::new();
    if let Some(assessment) = overview.assessments.first() {
        match (assessment.status, &assessment.review) {
            (AssessmentStatus::SentBack, Some(review)) => {
                let count = review.questions_sent_back.len();
                to_do.push((
                    format!(
                        "The council asked you to change {count} answer{}",
                        if count == 1 { "" } else { "s" }
                    ),
                    format!("/assessments/{}/check", assessment.id),
                ));
            }
            (AssessmentStatus::InProgress, _) => to_do.push((
                "Carry on with your self-assessment".to_owned(),
                format!("/assessments/{}/continue", assessment.id),
            )),
            _ => {}
        }
    }
    if let Some(plan) = overview.plans.first().filter(|plan| plan.status == PlanStatus::ChangesRequested) {
        to_do.push((
            "The council asked for changes to your support plan".to_owned(),
            format!("/plans/{}", plan.id),
        ));
    }
    for challenge in overview.challenges.iter().filter(|challenge| challenge.answer.is_some()) {
        to_do.push((
            format!("The council has answered your challenge to {}", challenge.kind().short()),
            format!("/challenges/{}", challenge.id),
        ));
    }
    to_do
}

pub async fn my_home(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    let home = try_page!(state.app.my_home(&actor).await);
    let own_record = home.own_record;
    let mut to_do = Vec::new();
    let (statuses, links) = match own_record {
        Some(person_id) => {
            let overview = match state.app.planning_overview(&actor, person_id).await {
                Ok(overview) => overview,
                Err(error) => return PageError::from(error).into_response(),
            };
            let statuses = tailor_app::steps::step_statuses(&overview);
            let mut links: [Option<String>; 7] = Default::default();
            links[0] = match (overview.allocations.first(), overview.assessments.first()) {
                (Some(allocation), _) => Some(format!("/allocations/{}", allocation.id)),
                (None, Some(assessment)) if assessment.is_editable() => Some(format!("/assessments/{}/continue", assessment.id)),
                (None, Some(assessment)) => Some(format!("/assessments/{}", assessment.id)),
                (None, None) => Some(format!("/people/{person_id}/assessments/start")),
            };
            to_do = things_to_do(&overview);
            if !overview.allocations.is_empty() {
                links[1] = Some(format!("/people/{person_id}/plan"));
            }
            links[2] = overview.plans.first().map(|plan| format!("/plans/{}", plan.id));
            links[3] = overview.budgets.first().map(|budget| format!("/budgets/{}", budget.id));
            (statuses, links)
        }
        None => (["Not started"; 7], Default::default()),
    };
    let page = MyHome {
        page: PageContext::new(&state, &context, "Your home page", "/my"),
        first_name: actor.display_name.split_whitespace().next().unwrap_or_default().to_owned(),
        is_helper: own_record.is_none(),
        own_record: own_record.map(|id| id.to_string()),
        rows: person_rows(&home.people),
        steps: seven_steps(statuses, links),
        worker_name: home.worker_name,
        to_do,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "provider_home.html")]
struct ProviderHome {
    page: PageContext,
    organisation: String,
    rows: Vec<PersonRow>,
}

pub async fn provider_home(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    let people = match state.app.my_people(&actor).await {
        Ok(people) => people,
        Err(error) => return PageError::from(error).into_response(),
    };
    let organisation = try_page!(state.app.my_organisation(&actor).await)
        .map(|found| found.name)
        .unwrap_or_default();
    let page = ProviderHome {
        page: PageContext::new(&state, &context, "People we support", "/provider"),
        organisation,
        rows: person_rows(&people),
    };
    render(&page)
}
