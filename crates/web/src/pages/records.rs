//! Written records people can keep: the eligibility letter, the support plan and the personal
//! budget statement, each as a printable page (print CSS drops the service's header, footer and
//! buttons) and as a PDF. Every record carries the council's name, address, contact details and
//! a reference, and ends with the right to challenge.
//!
//! The frame is `WrittenRecord`: a record is built as headed sections, and other parts of
//! Tailor add their own sections (the reasons and advice of a not-eligible letter, a plan's
//! statutory content) by pushing a `RecordSection` before it is shown.

use super::pdf::{pdf_document, Block};
use super::steps::RecordPath;
use super::PageContext;
use crate::context::{CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tailor_domain::council::CouncilContact;
use tailor_domain::eligibility::outcome_label;
use tailor_domain::people::Person;
use tailor_domain::{AssessmentId, BudgetId, PlanId};

/// One headed part of a record: paragraphs, then label and value rows.
#[derive(Clone, Debug, Default)]
pub struct RecordSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub rows: Vec<(String, String)>,
}

/// A record to print or download, addressed to the person.
#[derive(Clone, Debug)]
pub struct WrittenRecord {
    pub title: String,
    /// The council's reference: what the person quotes when they call or write.
    pub reference: String,
    pub dated: String,
    pub person_name: String,
    pub person_address: Vec<String>,
    pub sections: Vec<RecordSection>,
    /// Where this record's PDF is, and the page to go back to.
    pub pdf_link: String,
    pub back_link: String,
}

impl WrittenRecord {
    fn new(title: &str, reference: String, person: &Person, dated: chrono::DateTime<chrono::Utc>) -> WrittenRecord {
        let address = &person.details.address;
        WrittenRecord {
            title: title.to_owned(),
            reference,
            dated: dated.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string(),
            person_name: person.full_name(),
            person_address: [
                Some(address.line_1.clone()),
                address.line_2.clone(),
                Some(address.town.clone()),
                Some(address.postcode.clone()),
            ]
            .into_iter()
            .flatten()
            .filter(|line| !line.trim().is_empty())
            .collect(),
            sections: Vec::new(),
            pdf_link: String::new(),
            back_link: String::new(),
        }
    }

    /// The right to challenge and to complain, from the council's own file.
    pub fn right_to_challenge(council: &CouncilContact) -> RecordSection {
        RecordSection {
            heading: "If you think this is wrong".into(),
            paragraphs: vec![
                format!(
                    "You can ask us to look at it again. Call us on {} or write to us at {}, {}, quoting the reference at the top.",
                    council.phone_with_hours(),
                    council.address.join(", "),
                    council.postcode
                ),
                format!(
                    "If you are still unhappy, you can complain to the council: call {}, email {} or see {}. We aim to answer within {} working days.",
                    council.complaints.phone, council.complaints.email, council.complaints.url, council.complaints.answer_within_days
                ),
                format!(
                    "If our answer to your complaint does not put things right, you can ask the {} to look at it: call {} or see {}.",
                    council.ombudsman.name, council.ombudsman.phone, council.ombudsman.website
                ),
            ],
            rows: Vec::new(),
        }
    }

    /// The record as the PDF's headings, paragraphs and tables: letterhead, addressee, sections,
    /// right to challenge, and where the web page version is.
    pub fn pdf_blocks(&self, council: &CouncilContact, page_address: &str) -> Vec<Block> {
        let letterhead = [
            format!(
                "{}, {}. {}, {}.",
                council.name,
                council.service,
                council.address.join(", "),
                council.postcode
            ),
            format!("Phone {}. Email {}. {}", council.phone_with_hours(), council.email, council.website),
            format!("Reference: {}. Date: {}.", self.reference, self.dated),
            format!("To: {}, {}.", self.person_name, self.person_address.join(", ")),
            format!(
                "This record is also a web page you can read with a screen reader or print: sign in to Tailor and open {page_address}."
            ),
        ];
        let mut blocks: Vec<Block> = letterhead.into_iter().map(Block::Paragraph).collect();
        for section in self.sections.iter().chain(std::iter::once(&Self::right_to_challenge(council))) {
            blocks.push(Block::Heading(section.heading.clone()));
            blocks.extend(section.paragraphs.iter().cloned().map(Block::Paragraph));
            if !section.rows.is_empty() {
                blocks.push(Block::Table(section.rows.clone()));
            }
        }
        blocks
    }
}

#[derive(Template)]
#[template(path = "written_record.html")]
struct RecordPage {
    page: PageContext,
    record: WrittenRecord,
    right_to_challenge: RecordSection,
}

fn show(state: &AppState, context: &RequestContext, record: WrittenRecord) -> Response {
    let page = RecordPage {
        page: PageContext::new(state, context, &record.title, ""),
        right_to_challenge: WrittenRecord::right_to_challenge(&state.council),
        record,
    };
    super::render(&page)
}

fn pdf(state: &AppState, record: &WrittenRecord, file_name: &str, page_address: &str) -> Response {
    match pdf_document(&record.title, &record.pdf_blocks(&state.council, page_address)) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(problem) => PageError::from(tailor_app::AppError::internal("making a PDF", problem)).into_response(),
    }
}

/// A short reference from a record's id: what a person reads out on the phone.
fn reference(prefix: &str, id: &impl ToString) -> String {
    let id = id.to_string();
    format!(
        "{prefix}-{}",
        id.chars()
            .filter(char::is_ascii_hexdigit)
            .take(8)
            .collect::<String>()
            .to_uppercase()
    )
}

async fn eligibility_letter(
    state: &AppState,
    actor: &tailor_domain::access::Actor,
    assessment_id: AssessmentId,
) -> Result<WrittenRecord, Response> {
    let fail = |error| PageError::from(error).into_response();
    let (assessment, _, _) = state.app.open_assessment(actor, assessment_id).await.map_err(fail)?;
    let overview = state.app.planning_overview(actor, assessment.person_id).await.map_err(fail)?;
    let person = state
        .app
        .person_for_page(actor, assessment.person_id, "see an eligibility letter")
        .await
        .map_err(fail)?;
    // The letter is about the decision that stands: a redetermination replaces the earlier one.
    let Some(decision) = overview
        .eligibility
        .iter()
        .find(|record| record.assessment_id == assessment_id && record.is_current())
    else {
        return Err(PageError::from(tailor_app::AppError::NotFound).into_response());
    };
    let as_a_carer = assessment.kind == tailor_domain::eligibility::AssessmentKind::Carer;
    let mut record = WrittenRecord::new(
        "Your eligibility for care and support",
        reference("ELG", &decision.id),
        &person,
        decision.decided_at,
    );
    let mut outcome = RecordSection {
        heading: "Our decision".into(),
        paragraphs: vec![match (decision.decision.eligible, as_a_carer) {
            (true, true) => "You are eligible for support as a carer.".into(),
            (true, false) => "You are eligible for care and support.".into(),
            (false, true) => "You are not eligible for support as a carer at the moment.".into(),
            (false, false) => "You are not eligible for care and support from the council at the moment.".into(),
        }],
        rows: Vec::new(),
    };
    outcome.paragraphs.push(format!(
        "Decided by {} on {}, under the Care and Support (Eligibility Criteria) Regulations 2015.",
        decision.decided_by_name, record.dated
    ));
    outcome.paragraphs.extend(decision.decision.reasons.iter().cloned());
    outcome
        .paragraphs
        .push(format!("The impact on your wellbeing: {}", decision.findings.wellbeing_reasons));
    if let Some(needs) = &decision.fluctuation {
        outcome.paragraphs.push(if needs.fluctuate {
            format!(
                "Your needs change over time. We looked at {} and took the harder times into account: {}",
                needs.period, needs.description
            )
        } else {
            format!("We looked at your needs over {}; they do not change much over time.", needs.period)
        });
    }
    if let Some(again) = &decision.redetermination {
        outcome.paragraphs.push(format!(
            "This decision was made again, replacing an earlier one, because: {}",
            again.reason
        ));
    }
    record.sections.push(outcome);
    // Care Act s13(5): someone found not eligible is told in writing what could prevent or delay
    // their needs, and where to get help.
    if !decision.decision.eligible {
        let mut advice = RecordSection {
            heading: "What could help now".into(),
            paragraphs: decision
                .prevention_advice
                .iter()
                .filter(|advice| !advice.is_empty())
                .cloned()
                .collect(),
            rows: Vec::new(),
        };
        advice.rows = state
            .council
            .signposting
            .iter()
            .map(|place| {
                let contact = [place.phone.as_str(), place.website.as_str()]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    place.name.clone(),
                    if contact.is_empty() {
                        place.help.clone()
                    } else {
                        format!("{} ({contact})", place.help)
                    },
                )
            })
            .collect();
        record.sections.push(advice);
    }
    record.sections.push(RecordSection {
        heading: "What you can and cannot do".into(),
        paragraphs: Vec::new(),
        rows: decision
            .findings
            .outcomes
            .iter()
            .map(|finding| {
                (
                    outcome_label(&finding.outcome).unwrap_or_default().to_owned(),
                    finding
                        .unable
                        .map(|reason| format!("Unable: {}", reason.label().to_lowercase()))
                        .unwrap_or_else(|| "Able to achieve this".into()),
                )
            })
            .collect(),
    });
    if let Some(allocation) = overview.allocations.iter().find(|found| found.assessment_id == assessment_id) {
        record.sections.push(RecordSection {
            heading: "Your indicative personal budget".into(),
            paragraphs: vec![format!(
                "{} a year (about {} a week): a starting point for your plan, not a limit.",
                allocation.indicative(),
                allocation.indicative_weekly()
            )],
            rows: Vec::new(),
        });
    }
    record.pdf_link = format!("/assessments/{assessment_id}/letter.pdf");
    record.back_link = format!("/assessments/{assessment_id}");
    Ok(record)
}

async fn plan_record(state: &AppState, actor: &tailor_domain::access::Actor, plan_id: PlanId) -> Result<WrittenRecord, Response> {
    let fail = |error| PageError::from(error).into_response();
    let (plan, allocation, _) = state.app.open_plan(actor, plan_id).await.map_err(fail)?;
    let person = state
        .app
        .person_for_page(actor, plan.person_id, "see a support plan")
        .await
        .map_err(fail)?;
    let mut record = WrittenRecord::new("Your support plan", reference("PLN", &plan.id), &person, plan.updated_at);
    record.sections.push(RecordSection {
        heading: "Where the plan is".into(),
        paragraphs: vec![format!("{}. Written by {}.", plan.status.label(), plan.written_by.join(", "))],
        rows: Vec::new(),
    });
    record.sections.push(RecordSection {
        heading: "What you want to achieve".into(),
        paragraphs: vec![plan.content.outcomes.clone()],
        rows: Vec::new(),
    });
    // An agreed plan keeps the year rule it was agreed under; a draft is costed under today's.
    let rule = plan.year_rule_for_showing(state.app.year_rule);
    let total = plan.content.annual_cost(rule).unwrap_or_default();
    let mut rows: Vec<(String, String)> = plan
        .content
        .lines
        .iter()
        .map(|line| (line.description.clone(), line.working(rule)))
        .collect();
    rows.push((
        "Total".into(),
        format!("{total} a year, about {} a week", total.weekly_from_annual(rule)),
    ));
    rows.push(("Indicative budget".into(), format!("{} a year", allocation.indicative())));
    record.sections.push(RecordSection {
        heading: "How the money will be spent".into(),
        paragraphs: vec![
            match plan.content.money_manager {
                Some(form) => format!("The money will be managed by: {}.", form.label()),
                None => "Who will manage the money has not been chosen yet.".into(),
            },
            rule.statement(),
        ],
        rows,
    });
    if !plan.content.advice.trim().is_empty() {
        record.sections.push(RecordSection {
            heading: "Information and advice given".into(),
            paragraphs: vec![plan.content.advice.clone()],
            rows: Vec::new(),
        });
    }
    record.sections.push(RecordSection {
        heading: "Risks and how they are managed".into(),
        paragraphs: vec![plan.content.risks.clone()],
        rows: Vec::new(),
    });
    record.sections.push(RecordSection {
        heading: "If support does not turn up".into(),
        paragraphs: vec![plan.content.contingency.clone()],
        rows: Vec::new(),
    });
    record.pdf_link = format!("/plans/{plan_id}/record.pdf");
    record.back_link = format!("/plans/{plan_id}");
    Ok(record)
}

async fn budget_statement(state: &AppState, actor: &tailor_domain::access::Actor, budget_id: BudgetId) -> Result<WrittenRecord, Response> {
    let fail = |error| PageError::from(error).into_response();
    let (budget, _) = state.app.open_budget(actor, budget_id).await.map_err(fail)?;
    let person = state
        .app
        .person_for_page(actor, budget.person_id, "see a personal budget")
        .await
        .map_err(fail)?;
    let mut record = WrittenRecord::new(
        "Your personal budget statement",
        reference("BUD", &budget.id),
        &person,
        budget.agreed_at,
    );
    // The figures as agreed: under the year rule recorded with the budget.
    let weekly = |amount: tailor_domain::money::Money| amount.weekly_from_annual(budget.year_rule);
    record.sections.push(RecordSection {
        heading: "Your personal budget".into(),
        paragraphs: vec![
            format!(
                "Your plan was agreed by {} on {}. This is your personal budget statement (Care Act 2014, section 26).",
                budget.agreed_by_name, record.dated
            ),
            budget.year_rule.statement(),
        ],
        rows: vec![
            (
                "The cost of meeting your needs".into(),
                format!("{} a year, {} a week", budget.annual_cost, weekly(budget.annual_cost)),
            ),
            (
                "What you pay (your contribution)".into(),
                format!(
                    "{} a year, {} a week",
                    budget.annual_contribution,
                    weekly(budget.annual_contribution)
                ),
            ),
            (
                "What the council pays".into(),
                format!(
                    "{} a year, {} a week",
                    budget.annual_council_amount,
                    weekly(budget.annual_council_amount)
                ),
            ),
            ("Your indicative budget was".into(), format!("{} a year", budget.indicative_annual)),
            ("The money will be managed by".into(), budget.money_manager.label().to_owned()),
        ],
    });
    record.pdf_link = format!("/budgets/{budget_id}/statement.pdf");
    record.back_link = format!("/budgets/{budget_id}");
    Ok(record)
}

macro_rules! record_pages {
    ($page:ident, $download:ident, $build:ident, $id:ty, $file:literal, $print:literal) => {
        pub async fn $page(
            State(state): State<AppState>,
            context: RequestContext,
            CurrentActor(actor): CurrentActor,
            RecordPath(id): RecordPath<$id>,
        ) -> Response {
            match $build(&state, &actor, id).await {
                Ok(record) => show(&state, &context, record),
                Err(response) => response,
            }
        }

        pub async fn $download(
            State(state): State<AppState>,
            CurrentActor(actor): CurrentActor,
            RecordPath(id): RecordPath<$id>,
        ) -> Response {
            match $build(&state, &actor, id).await {
                Ok(record) => pdf(&state, &record, $file, &format!($print, id)),
                Err(response) => response,
            }
        }
    };
}

record_pages!(
    eligibility_letter_page,
    eligibility_letter_pdf,
    eligibility_letter,
    AssessmentId,
    "eligibility-letter.pdf",
    "/assessments/{}/letter"
);
record_pages!(
    plan_record_page,
    plan_record_pdf,
    plan_record,
    PlanId,
    "support-plan.pdf",
    "/plans/{}/print"
);
record_pages!(
    budget_statement_page,
    budget_statement_pdf,
    budget_statement,
    BudgetId,
    "personal-budget-statement.pdf",
    "/budgets/{}/print"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_short_enough_to_read_out() {
        let id = tailor_domain::BudgetId::generate();
        let found = reference("BUD", &id);
        assert_eq!(found.len(), 12);
        assert!(found.starts_with("BUD-"));
    }

    #[test]
    fn the_right_to_challenge_names_the_councils_own_numbers_and_the_ombudsman() {
        let council = CouncilContact::demo();
        let section = WrittenRecord::right_to_challenge(&council);
        let text = section.paragraphs.join(" ");
        assert!(text.contains("01632 960 000"));
        assert!(text.contains("complaints@tailorford.example"));
        assert!(text.contains("Local Government and Social Care Ombudsman"));
    }
}
