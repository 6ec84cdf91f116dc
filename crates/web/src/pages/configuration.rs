//! The council's configuration: questionnaires, allocation models and charging rates, each
//! version kept and viewable, new versions loaded by administrators.

use crate::context::{CsrfForm, CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::pages::{choices, render, render_form, Choice, PageContext};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tailor_app::AppError;
use tailor_domain::validation::ValidationErrors;
// Configuration

pub struct ConfigurationRow {
    pub link: String,
    pub kind: String,
    pub id: String,
    pub version: i64,
    pub effective_from: String,
    pub loaded: String,
}

#[derive(Template)]
#[template(path = "admin_configuration.html")]
struct ConfigurationPage {
    page: PageContext,
    errors: ValidationErrors,
    rows: Vec<ConfigurationRow>,
    kinds: Vec<Choice>,
    source: String,
}

#[derive(Deserialize, Default)]
pub struct ConfigurationInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    source: String,
}

async fn configuration_page_with(
    state: &AppState,
    context: &RequestContext,
    actor: &tailor_domain::access::Actor,
    input: ConfigurationInput,
    errors: ValidationErrors,
) -> Response {
    let mut rows = Vec::new();
    for kind in ["questionnaire", "allocation", "charging", "sense_checks"] {
        for version in try_page!(state.app.list_configuration(actor, kind).await) {
            rows.push(ConfigurationRow {
                link: format!("/admin/configuration/{kind}/{}/{}", version.config_id, version.version),
                kind: kind.into(),
                id: version.config_id,
                version: version.version,
                effective_from: version.effective_from.format("%-d %B %Y").to_string(),
                loaded: format!(
                    "{} by {}",
                    version.loaded_at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y"),
                    version.loaded_by
                ),
            });
        }
    }
    let page = ConfigurationPage {
        page: PageContext::new(state, context, "Configuration", "/admin/configuration").with_errors(&errors),
        errors,
        rows,
        kinds: choices(
            [
                ("questionnaire", "A questionnaire"),
                ("allocation", "An allocation model (RAS)"),
                ("charging", "Charging rates"),
                ("sense_checks", "Sense checks on amounts (ceilings)"),
            ],
            &input.kind,
        ),
        source: input.source,
    };
    render_form(&page, &page.errors)
}

pub async fn configuration(State(state): State<AppState>, context: RequestContext, CurrentActor(actor): CurrentActor) -> Response {
    configuration_page_with(&state, &context, &actor, ConfigurationInput::default(), ValidationErrors::default()).await
}

pub async fn load_configuration(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    CsrfForm(input): CsrfForm<ConfigurationInput>,
) -> Response {
    match state.app.load_configuration(&actor, &input.kind, &input.source).await {
        Ok(_) => Redirect::to("/admin/configuration").into_response(),
        Err(AppError::Invalid(errors)) => configuration_page_with(&state, &context, &actor, input, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin_configuration_version.html")]
struct ConfigurationVersionPage {
    page: PageContext,
    heading: String,
    effective_from: String,
    loaded: String,
    source: String,
}

/// One version's file, exactly as loaded.
pub async fn configuration_version(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Path((kind, id, version)): Path<(String, String, String)>,
) -> Response {
    let Ok(version) = version.parse::<i64>() else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let versions = try_page!(state.app.list_configuration(&actor, &kind).await);
    let Some(found) = versions
        .into_iter()
        .find(|candidate| candidate.config_id == id && candidate.version == version)
    else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let page = ConfigurationVersionPage {
        page: PageContext::new(&state, &context, "Configuration version", "/admin/configuration"),
        heading: format!("{kind} \"{id}\", version {version}"),
        effective_from: found.effective_from.format("%-d %B %Y").to_string(),
        loaded: format!(
            "{} by {}",
            found.loaded_at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y %H:%M"),
            found.loaded_by
        ),
        source: found.source,
    };
    render(&page)
}
