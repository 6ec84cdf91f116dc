//! The small forms that add one thing to a record: a heading, fields, a button, all from one
//! template, with the GOV.UK error summary.

use super::{render_form, Choice, PageContext};
use crate::context::RequestContext;
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::response::{IntoResponse, Response};
use tailor_app::AppError;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::PersonId;

/// The small forms that add one thing to a record share one template: a heading, fields, a button.
#[derive(Template)]
#[template(path = "record_form.html")]
pub(crate) struct RecordFormPage {
    page: PageContext,
    errors: ValidationErrors,
    heading: String,
    person_name: String,
    cancel: String,
    action: String,
    multipart: bool,
    button: String,
    fields: Vec<Field>,
}

/// One field of a `record_form.html` form.
pub enum Field {
    Text {
        name: &'static str,
        label: &'static str,
        value: String,
        hint: &'static str,
    },
    Area {
        name: &'static str,
        label: &'static str,
        value: String,
        hint: &'static str,
    },
    Radios {
        name: &'static str,
        legend: &'static str,
        options: Vec<Choice>,
        hint: &'static str,
    },
    Checkboxes {
        name: &'static str,
        legend: &'static str,
        options: Vec<Choice>,
        hint: &'static str,
    },
    Select {
        name: &'static str,
        label: &'static str,
        options: Vec<Choice>,
        hint: &'static str,
    },
    File {
        name: &'static str,
        label: &'static str,
        hint: &'static str,
    },
    Hidden {
        name: &'static str,
        value: String,
    },
}

pub(crate) struct RecordForm {
    pub heading: &'static str,
    /// The last part of the form's address, after `/people/{id}/`.
    pub path: &'static str,
    pub button: &'static str,
    pub multipart: bool,
}

pub(crate) async fn record_form_page(
    state: &AppState,
    context: &RequestContext,
    person_id: PersonId,
    form: RecordForm,
    fields: Vec<Field>,
    errors: ValidationErrors,
) -> Response {
    let action = format!("/people/{person_id}/{}", form.path);
    form_page(
        state,
        context,
        person_id,
        FormPage {
            heading: form.heading,
            action,
            button: form.button,
            multipart: form.multipart,
            cancel: None,
        },
        fields,
        errors,
    )
    .await
}

/// Where a form posts and what it says; `cancel` defaults to the person's page.
pub struct FormPage {
    pub heading: &'static str,
    pub action: String,
    pub button: &'static str,
    pub multipart: bool,
    pub cancel: Option<String>,
}

/// A form about one person, captioned with their name, built from `Field`s.
pub async fn form_page(
    state: &AppState,
    context: &RequestContext,
    person_id: PersonId,
    form: FormPage,
    fields: Vec<Field>,
    errors: ValidationErrors,
) -> Response {
    let Some(actor) = &context.actor else {
        return PageError::from(AppError::Unauthenticated).into_response();
    };
    let person = try_page!(state.app.person_for_page(actor, person_id, form.heading).await);
    let page = RecordFormPage {
        page: PageContext::new(state, context, form.heading, "").with_errors(&errors),
        heading: form.heading.into(),
        person_name: person.full_name(),
        cancel: form.cancel.unwrap_or_else(|| format!("/people/{person_id}")),
        action: form.action,
        multipart: form.multipart,
        button: form.button.into(),
        fields,
        errors,
    };
    render_form(&page, &page.errors)
}
