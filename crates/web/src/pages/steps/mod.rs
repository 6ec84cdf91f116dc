//! The pages of the seven steps, one module a step: `my_money` (step 1: the self-assessment, the
//! council's check, the eligibility decision), `my_money_budget` (step 1: how the budget was worked
//! out, the financial assessment), `my_plan` (step 2: the support plan and sign-off) and
//! `plan_agreed` (step 3: the budget statement and challenges). Organise money, organise
//! support, living life and review go beside them.

mod about_you;
mod assessment_duties;
pub(crate) mod challenges;
mod decisions;
mod my_money;
mod my_money_budget;
mod my_plan;
mod plan_agreed;
mod plan_words;

pub use about_you::{about_page, save_about};
pub use assessment_duties::*;
pub use challenges::{
    answer_challenge, challenge, challenge_budget, challenge_raised, challenges_queue, new_challenge, new_challenge_on_behalf,
    raise_challenge, reassign_challenge, record_challenge_on_behalf,
};
pub use decisions::redetermine_page;
pub use my_money::*;
pub use my_money_budget::*;
pub use my_plan::*;
pub use plan_agreed::*;

use crate::errors::PageError;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use tailor_app::AppError;
use tailor_domain::money::Money;

/// The `{id}` of an assessment, allocation, plan or budget page; a malformed id is a 404 page.
pub struct RecordPath<T>(pub T);

impl<S: Send + Sync, T: std::str::FromStr> axum::extract::FromRequestParts<S> for RecordPath<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(parameters) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::App(AppError::NotFound).into_response())?;
        parameters
            .get("id")
            .and_then(|id| id.parse().ok())
            .map(RecordPath)
            .ok_or_else(|| PageError::App(AppError::NotFound).into_response())
    }
}

pub(super) fn money(pence: i64) -> String {
    Money::from_pence(pence).to_string()
}
