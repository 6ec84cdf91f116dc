//! Administration pages: accounts, teams, organisations, and the audit log.

use super::{choices, render, render_form, Choice, PageContext};
use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::AppError;
use tailor_domain::access::{Actor, Role};
use tailor_domain::audit::AuditEvent;
use tailor_domain::users::{NewUserInput, OrganisationKind};
use tailor_domain::validation::ValidationErrors;
use tailor_domain::{PersonId, UserId};

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub team: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: PageContext,
    rows: Vec<UserRow>,
}

pub async fn users(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    let users = match state.app.list_users(&actor).await {
        Ok(users) => users,
        Err(error) => return PageError::from(error).into_response(),
    };
    let teams = match state.app.list_teams(&actor).await {
        Ok(teams) => teams,
        Err(error) => return PageError::from(error).into_response(),
    };
    let rows = users
        .into_iter()
        .map(|user| UserRow {
            id: user.id.to_string(),
            team: user
                .team_id
                .and_then(|id| teams.iter().find(|team| team.id == id))
                .map(|team| team.name.clone())
                .unwrap_or_default(),
            name: user.display_name,
            email: user.email,
            role: user.role.label(),
            active: user.active,
        })
        .collect();
    render(&UsersPage {
        page: PageContext::new(&state, &context, "Accounts", "/admin/users"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "admin_user_form.html")]
struct NewUserPage {
    page: PageContext,
    errors: ValidationErrors,
    form: NewUserInput,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    organisations: Vec<Choice>,
    /// The person picker: what was searched for, and the people found (or the one chosen).
    person_search: String,
    people: Vec<Choice>,
}

async fn new_user_page(
    state: &AppState,
    context: &RequestContext,
    actor: &Actor,
    form: NewUserInput,
    errors: ValidationErrors,
    picker: PersonPicker,
) -> Response {
    let (teams, organisations) = match (state.app.list_teams(actor).await, state.app.list_organisations(actor).await) {
        (Ok(teams), Ok(organisations)) => (teams, organisations),
        (Err(error), _) | (_, Err(error)) => return PageError::from(error).into_response(),
    };
    let mut team_choices = vec![Choice {
        value: String::new(),
        label: "No team".into(),
        checked: form.team_id.is_empty(),
    }];
    team_choices.extend(teams.iter().map(|team| Choice {
        value: team.id.to_string(),
        label: team.name.clone(),
        checked: team.id.to_string() == form.team_id,
    }));
    let mut organisation_choices = vec![Choice {
        value: String::new(),
        label: "None".into(),
        checked: form.organisation_id.is_empty(),
    }];
    organisation_choices.extend(organisations.iter().map(|organisation| Choice {
        value: organisation.id.to_string(),
        label: organisation.name.clone(),
        checked: organisation.id.to_string() == form.organisation_id,
    }));
    let page = NewUserPage {
        page: PageContext::new(state, context, "Create an account", "/admin/users").with_errors(&errors),
        roles: choices(Role::ALL.iter().map(|role| (role.as_str(), role.label())), &form.role),
        teams: team_choices,
        organisations: organisation_choices,
        people: picker
            .found
            .iter()
            .map(|person| Choice {
                value: person.id.to_string(),
                label: format!(
                    "{}, born {}, NHS number {}",
                    person.full_name(),
                    person.date_of_birth.format("%-d %B %Y"),
                    person
                        .nhs_number
                        .map(|number| number.to_string())
                        .unwrap_or_else(|| "not known".into())
                ),
                checked: person.id.to_string() == form.person_id,
            })
            .collect(),
        person_search: picker.search,
        errors,
        form,
    };
    render_form(&page, &page.errors)
}

pub async fn new_user(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    new_user_page(
        &state,
        &context,
        &actor,
        NewUserInput::default(),
        ValidationErrors::default(),
        PersonPicker::default(),
    )
    .await
}

/// The person picker on the account form: the search typed, and who it found. A chosen person
/// stays listed when the form is shown again.
#[derive(Default)]
struct PersonPicker {
    search: String,
    found: Vec<tailor_domain::people::PersonSummary>,
}

async fn pick(state: &AppState, actor: &Actor, search: &str) -> Result<PersonPicker, AppError> {
    Ok(PersonPicker {
        search: search.to_owned(),
        found: state.app.pick_person_for_account(actor, search).await?,
    })
}

pub async fn create_user(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<NewUserInputForm>,
) -> Response {
    let finding = form.action == "find_person";
    let search = form.person_search.clone();
    let input = form.into_input();
    let picker = match pick(&state, &actor, &search).await {
        Ok(picker) => picker,
        Err(AppError::Invalid(errors)) => {
            let form = NewUserInput {
                password: String::new(),
                ..input
            };
            return new_user_page(&state, &context, &actor, form, errors, PersonPicker::default()).await;
        }
        Err(error) => return PageError::from(error).into_response(),
    };
    if finding {
        let mut errors = ValidationErrors::default();
        if picker.found.is_empty() {
            errors.add(
                "person_search",
                if search.trim().is_empty() {
                    "Enter the person's name, date of birth or NHS number"
                } else {
                    "No one matches. Check the spelling, or search by date of birth or NHS number"
                },
            );
        }
        let form = NewUserInput {
            password: String::new(),
            ..input
        };
        return new_user_page(&state, &context, &actor, form, errors, picker).await;
    }
    match state.app.create_user(&actor, &input).await {
        // A link waits for a second person: the administrator sees it waiting.
        Ok(_) if input.person_id.trim().is_empty() => Redirect::to("/admin/users").into_response(),
        Ok(_) => Redirect::to("/admin/account-links").into_response(),
        Err(AppError::Invalid(errors)) => {
            new_user_page(
                &state,
                &context,
                &actor,
                NewUserInput {
                    password: String::new(),
                    ..input
                },
                errors,
                picker,
            )
            .await
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// The account form's fields, all optional so a missing one is a validation message, not a 400.
#[derive(Deserialize)]
pub struct NewUserInputForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    person_search: String,
    /// `find_person` when the picker's button was pressed rather than the form sent.
    #[serde(default)]
    action: String,
}

impl NewUserInputForm {
    fn into_input(self) -> NewUserInput {
        NewUserInput {
            email: self.email,
            display_name: self.display_name,
            role: self.role,
            team_id: self.team_id,
            person_id: self.person_id,
            organisation_id: self.organisation_id,
            password: self.password,
        }
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> Response {
    let Ok(user_id) = id.parse::<UserId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    match state.app.set_user_active(&actor, user_id, form.active == "true").await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(AppError::Invalid(errors)) => PageError::BadRequest(errors.to_string()).into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin_teams.html")]
struct TeamsPage {
    page: PageContext,
    errors: ValidationErrors,
    teams: Vec<String>,
    team_name: String,
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
}

async fn teams_page(state: &AppState, context: &RequestContext, actor: &Actor, name: String, errors: ValidationErrors) -> Response {
    let teams = match state.app.list_teams(actor).await {
        Ok(teams) => teams.into_iter().map(|team| team.name).collect(),
        Err(error) => return PageError::from(error).into_response(),
    };
    let page = TeamsPage {
        page: PageContext::new(state, context, "Teams", "/admin/teams").with_errors(&errors),
        errors,
        teams,
        team_name: name,
    };
    render_form(&page, &page.errors)
}

pub async fn teams(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    teams_page(&state, &context, &actor, String::new(), ValidationErrors::default()).await
}

pub async fn create_team(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Response {
    match state.app.create_team(Some(&actor), &form.name).await {
        Ok(_) => Redirect::to("/admin/teams").into_response(),
        Err(AppError::Invalid(errors)) => teams_page(&state, &context, &actor, form.name, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage {
    page: PageContext,
    errors: ValidationErrors,
    organisations: Vec<(String, &'static str)>,
    organisation_name: String,
    kinds: Vec<Choice>,
}

async fn organisations_page(
    state: &AppState,
    context: &RequestContext,
    actor: &Actor,
    form: NameForm,
    errors: ValidationErrors,
) -> Response {
    let organisations = match state.app.list_organisations(actor).await {
        Ok(organisations) => organisations
            .into_iter()
            .map(|organisation| (organisation.name, organisation.kind.label()))
            .collect(),
        Err(error) => return PageError::from(error).into_response(),
    };
    let page = OrganisationsPage {
        page: PageContext::new(state, context, "Organisations", "/admin/organisations").with_errors(&errors),
        errors,
        organisations,
        kinds: choices(OrganisationKind::ALL.iter().map(|kind| (kind.as_str(), kind.label())), &form.kind),
        organisation_name: form.name,
    };
    render_form(&page, &page.errors)
}

pub async fn organisations(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    organisations_page(
        &state,
        &context,
        &actor,
        NameForm {
            name: String::new(),
            kind: String::new(),
        },
        ValidationErrors::default(),
    )
    .await
}

pub async fn create_organisation(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Response {
    match state.app.create_organisation(Some(&actor), &form.name, &form.kind).await {
        Ok(_) => Redirect::to("/admin/organisations").into_response(),
        Err(AppError::Invalid(errors)) => organisations_page(&state, &context, &actor, form, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

pub struct AuditRow {
    pub sequence: i64,
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub person: Option<String>,
    pub details: String,
}

fn audit_rows(events: &[AuditEvent]) -> Vec<AuditRow> {
    events
        .iter()
        .map(|stored| {
            let event = &stored.event;
            AuditRow {
                sequence: stored.sequence,
                at: event
                    .at
                    .with_timezone(&chrono_tz::Europe::London)
                    .format("%-d %b %Y %H:%M:%S")
                    .to_string(),
                who: event.actor_label.clone(),
                action: event.action.label(),
                person: event.person_id.map(|id| id.to_string()),
                details: if event.details.is_null() {
                    String::new()
                } else {
                    event.details.to_string()
                },
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin_person_audit.html")]
struct PersonAuditPage {
    page: PageContext,
    name: String,
    rows: Vec<AuditRow>,
}

pub async fn person_audit(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    let Ok(person_id) = id.parse::<PersonId>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let (person, events) = match state.app.person_audit(&actor, person_id, false).await {
        Ok(found) => found,
        Err(error) => return PageError::from(error).into_response(),
    };
    let name = person.full_name();
    render(&PersonAuditPage {
        page: PageContext::new(&state, &context, &format!("Who looked at {name}'s record"), ""),
        name,
        rows: audit_rows(&events),
    })
}

pub struct JobRow {
    pub what: String,
    pub status: &'static str,
    pub tag_colour: &'static str,
    pub attempts: i64,
    pub due: String,
    pub finished: String,
    pub problem: String,
}

#[derive(Template)]
#[template(path = "admin_jobs.html")]
struct JobsPage {
    page: PageContext,
    rows: Vec<JobRow>,
    max_attempts: i64,
}

fn london(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::London).format("%-d %b %Y %H:%M").to_string()
}

/// The jobs table, for administrators: what is waiting, what ran, what failed and why.
pub async fn jobs(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    use tailor_domain::jobs::{JobKind, JobStatus, DEFAULT_MAX_ATTEMPTS};
    let jobs = match state.app.list_jobs(&actor).await {
        Ok(jobs) => jobs,
        Err(error) => return PageError::from(error).into_response(),
    };
    let rows = jobs
        .iter()
        .map(|job| JobRow {
            what: JobKind::parse(&job.kind)
                .map(|kind| kind.label().to_owned())
                .unwrap_or_else(|| job.kind.clone()),
            status: job.status.label(),
            tag_colour: match job.status {
                JobStatus::Queued => "govuk-tag--grey",
                JobStatus::Running => "govuk-tag--blue",
                JobStatus::Done => "govuk-tag--green",
                JobStatus::Failed => "govuk-tag--red",
            },
            attempts: job.attempts,
            due: london(job.run_at),
            finished: job.finished_at.map(london).unwrap_or_default(),
            problem: job.last_error.clone().unwrap_or_default(),
        })
        .collect();
    render(&JobsPage {
        page: PageContext::new(&state, &context, "Scheduled work", "/admin/jobs"),
        rows,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
    })
}
