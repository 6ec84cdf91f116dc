//! The worklists on a worker's home page: the caseload with each person's stage, since when
//! and days waiting (sorted and filtered by GET parameters, so it works without JavaScript), and
//! a manager's plans over tolerance.

use super::{choices, Choice};
use std::collections::HashMap;
use tailor_app::steps::worklists::{CaseloadWorklist, PlanOverTolerance};
use tailor_domain::worklists::{CaseStage, CaseloadSort};
use tailor_domain::PersonId;

/// What the caseload is sorted and filtered by, read from the query string. Anything unknown
/// is read as "not chosen", so an old bookmark still opens the page.
#[derive(Clone, Debug)]
pub struct CaseloadView {
    pub stage: Option<CaseStage>,
    pub sort: CaseloadSort,
}

impl CaseloadView {
    pub fn from_query(stage: Option<&str>, sort: Option<&str>) -> CaseloadView {
        CaseloadView {
            stage: stage.and_then(CaseStage::parse),
            sort: sort.and_then(CaseloadSort::parse).unwrap_or(CaseloadSort::Stage),
        }
    }

    /// The query string for this view on `page` (from 0), for links that keep the choices.
    pub fn query(&self, page: i64) -> String {
        let mut parts = vec![format!("sort={}", self.sort.as_str())];
        if let Some(stage) = self.stage {
            parts.push(format!("stage={}", stage.as_str()));
        }
        if page > 0 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

/// One person on the caseload, ready to show.
pub struct CaseloadRow {
    pub id: String,
    pub name: String,
    pub date_of_birth: String,
    pub stage: &'static str,
    pub step: u8,
    pub waiting_for_council: bool,
    pub since: String,
    pub days_waiting: String,
    pub worker: String,
}

/// The caseload section of the page.
pub struct CaseloadSection {
    pub rows: Vec<CaseloadRow>,
    pub stages: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub matching: i64,
    pub total: i64,
    pub filtered: bool,
    pub previous_link: Option<String>,
    pub next_link: Option<String>,
    pub page_number: i64,
}

pub fn days(count: i64) -> String {
    match count {
        0 => "Today".into(),
        1 => "1 day".into(),
        _ => format!("{count} days"),
    }
}

pub fn caseload_section(found: &CaseloadWorklist, view: &CaseloadView, page: i64, page_size: i64) -> CaseloadSection {
    let total: i64 = found.by_stage.iter().map(|(_, count)| count).sum();
    let count_at = |stage: CaseStage| {
        found
            .by_stage
            .iter()
            .find(|(counted, _)| *counted == stage)
            .map_or(0, |(_, count)| *count)
    };
    let stage_labels: Vec<(String, String)> = std::iter::once((String::new(), format!("All stages ({total})")))
        .chain(
            CaseStage::ALL
                .iter()
                .map(|stage| (stage.as_str().to_owned(), format!("{} ({})", stage.label(), count_at(*stage)))),
        )
        .collect();
    let selected_stage = view.stage.map(CaseStage::as_str).unwrap_or("");
    let last_page = (found.matching - 1).max(0) / page_size;
    CaseloadSection {
        rows: found
            .entries
            .iter()
            .map(|entry| CaseloadRow {
                id: entry.person.id.to_string(),
                name: entry.person.full_name(),
                date_of_birth: entry.person.date_of_birth.format("%-d %B %Y").to_string(),
                stage: entry.stage.label(),
                step: entry.stage.step(),
                waiting_for_council: entry.stage.waiting_for_the_council(),
                since: entry
                    .since
                    .with_timezone(&chrono_tz::Europe::London)
                    .format("%-d %B %Y")
                    .to_string(),
                days_waiting: days(entry.days_waiting(found.today)),
                worker: entry.person.allocated_worker_name.clone().unwrap_or_else(|| "Not allocated".into()),
            })
            .collect(),
        stages: choices(
            stage_labels.iter().map(|(value, label)| (value.as_str(), label.as_str())),
            selected_stage,
        ),
        sorts: choices(
            CaseloadSort::ALL.iter().map(|sort| (sort.as_str(), sort.label())),
            view.sort.as_str(),
        ),
        matching: found.matching,
        total,
        filtered: view.stage.is_some(),
        previous_link: (page > 0).then(|| format!("/home?{}", view.query(page - 1))),
        next_link: (page < last_page).then(|| format!("/home?{}", view.query(page + 1))),
        page_number: page + 1,
    }
}

/// One plan waiting for a manager, ready to show.
pub struct OverToleranceRow {
    pub link: String,
    pub name: String,
    pub over: String,
    pub beyond: String,
    pub panel: Option<String>,
    pub since: String,
    pub days_waiting: String,
    pub agreed_by: String,
}

pub fn over_tolerance_rows(plans: &[PlanOverTolerance], names: &HashMap<PersonId, String>) -> Vec<OverToleranceRow> {
    plans
        .iter()
        .map(|plan| OverToleranceRow {
            link: format!("/plans/{}", plan.plan_id),
            name: names.get(&plan.person_id).cloned().unwrap_or_default(),
            over: format!(
                "{} a year: {} against an indicative budget of {}",
                plan.over.describe(),
                plan.over.plan_cost,
                plan.over.indicative
            ),
            beyond: format!(
                "{} beyond the {}% tolerance ({})",
                plan.over.beyond_tolerance, plan.over.tolerance_percent, plan.over.allowed_over
            ),
            panel: plan
                .above_panel_threshold
                .map(|threshold| format!("Above the {threshold} a year panel threshold")),
            since: plan
                .waiting_since
                .with_timezone(&chrono_tz::Europe::London)
                .format("%-d %B %Y")
                .to_string(),
            days_waiting: days(plan.days_waiting),
            agreed_by: plan.agreed_by_name.clone(),
        })
        .collect()
}

/// A change to an indicative budget waiting for a manager, as the manager's queue shows it.
pub struct OverrideRequestRow {
    pub link: String,
    pub name: String,
    pub asked: String,
    pub over: String,
    pub beyond: String,
    pub ceiling: Option<String>,
    pub since: String,
    pub days_waiting: String,
    pub asked_by: String,
}

pub fn override_request_rows(
    waiting: &[tailor_app::steps::budget_requests::OverrideRequestWaiting],
    names: &HashMap<PersonId, String>,
) -> Vec<OverrideRequestRow> {
    waiting
        .iter()
        .map(|entry| OverrideRequestRow {
            link: format!("/allocations/{}#decide", entry.request.allocation_id),
            name: names.get(&entry.request.person_id).cloned().unwrap_or_default(),
            asked: format!("{} a year asked for", entry.request.annual),
            over: format!(
                "{} the worked-out {}",
                entry.over.describe().replacen(" over", " above", 1),
                entry.over.indicative
            ),
            beyond: format!(
                "{} beyond the {}% tolerance ({})",
                entry.over.beyond_tolerance, entry.over.tolerance_percent, entry.over.allowed_over
            ),
            ceiling: entry
                .above_ceiling
                .map(|ceiling| format!("Above the council's ceiling of {ceiling} a year")),
            since: entry
                .waiting_since
                .with_timezone(&chrono_tz::Europe::London)
                .format("%-d %B %Y")
                .to_string(),
            days_waiting: days(entry.days_waiting),
            asked_by: entry.request.asked_by_name.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_choices_are_read_as_none_and_links_keep_the_choices() {
        let view = CaseloadView::from_query(Some("plan_to_agree"), Some("waiting"));
        assert_eq!(view.stage, Some(CaseStage::PlanToAgree));
        assert_eq!(view.query(2), "sort=waiting&stage=plan_to_agree&page=2");
        let unknown = CaseloadView::from_query(Some("<script>"), Some("shoe size"));
        assert_eq!(unknown.stage, None);
        assert_eq!(unknown.sort, CaseloadSort::Stage);
        assert_eq!(days(0), "Today");
        assert_eq!(days(1), "1 day");
        assert_eq!(days(12), "12 days");
    }
}
