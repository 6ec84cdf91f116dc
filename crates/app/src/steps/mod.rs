//! The seven steps' use cases, one module a step: `my_money` (step 1: self-assessment,
//! eligibility, the indicative budget, the financial assessment) and `plan_agreed` (steps 2
//! and 3: the plan, sign-off, the budget statement, challenges). Organise money, organise
//! support, living life and review join here as they are built. This module holds what the
//! steps share: configuration versions, the overview of a person's steps, and access checks.
//!
//! Configuration (questionnaires, allocation models, charging rates) is versioned and
//! effective-dated in the store; every decision keeps the exact configuration text it used, so it
//! can be recomputed to the penny. Case records (assessments, decisions, plans, budgets) are saved
//! with their audit events in one transaction.

pub mod assessment_duties;
pub mod budget_requests;
pub mod challenges;
pub mod my_money;
pub mod plan_agreed;
pub mod sense_checks;
pub mod worklists;

pub use plan_agreed::WorkQueues;

use crate::people::single_error;
use crate::{App, AppError, AppResult};
use chrono::NaiveDate;
use tailor_domain::access::{may, Actor, Capability, Permission, PersonAccess};
use tailor_domain::allocation::AllocationModel;
use tailor_domain::assessments::*;
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::charging::ChargingRates;
use tailor_domain::plans::*;
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::validation::ValidationErrors;
use tailor_domain::PersonId;
use tailor_store::{ConfigurationVersion, StoreError};

pub const ASSESSMENT: &str = "assessment";
pub const ELIGIBILITY: &str = "eligibility";
pub const ALLOCATION: &str = "allocation";
pub const FINANCIAL_ASSESSMENT: &str = "financial_assessment";
pub const PLAN: &str = "plan";
pub const BUDGET: &str = "budget";
pub const CHALLENGE: &str = "challenge";
pub const OVERRIDE_REQUEST: &str = "override_request";

/// The configuration Tailor ships with, loaded into an empty database.
/// Versions of one configuration are listed oldest first, so each loads with a higher version.
pub const DEFAULT_CONFIGURATION: [(&str, &str); 7] = [
    ("questionnaire", include_str!("../../../../config/questionnaires/adult.toml")),
    ("questionnaire", include_str!("../../../../config/questionnaires/carer.toml")),
    ("allocation", include_str!("../../../../config/allocation/adult.toml")),
    ("allocation", include_str!("../../../../config/allocation/carer.toml")),
    ("charging", include_str!("../../../../config/charging/rates-2025-26.toml")),
    ("charging", include_str!("../../../../config/charging/rates.toml")),
    ("sense_checks", include_str!("../../../../config/sense-checks.toml")),
];

/// The configuration kinds, with the id each file's contents name it by.
fn configuration_identity(kind: &str, source: &str) -> Result<(String, i64, NaiveDate), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let identity = match kind {
        "questionnaire" => Questionnaire::parse(source).map(|parsed| (parsed.id, parsed.version, parsed.effective_from)),
        "allocation" => AllocationModel::parse(source).map(|parsed| (parsed.id.to_string(), parsed.version, parsed.effective_from)),
        "charging" => ChargingRates::parse(source).map(|parsed| ("rates".to_owned(), parsed.version, parsed.effective_from)),
        "sense_checks" => {
            tailor_domain::sense_checks::AmountCeilings::parse(source).map(|parsed| (parsed.id, parsed.version, parsed.effective_from))
        }
        _ => {
            errors.add("kind", "Select what kind of configuration this is");
            return Err(errors);
        }
    };
    identity.map_err(|problem| {
        errors.add("source", format!("The file cannot be used: {problem}"));
        errors
    })
}

/// Everything about one person's journey through steps 1 to 3, newest first where there are many.
#[derive(Clone, Debug, Default)]
pub struct PlanningOverview {
    pub assessments: Vec<Assessment>,
    pub eligibility: Vec<EligibilityRecord>,
    pub allocations: Vec<AllocationRecord>,
    pub financial: Option<FinancialAssessmentRecord>,
    pub plans: Vec<SupportPlan>,
    pub budgets: Vec<PersonalBudget>,
    pub challenges: Vec<Challenge>,
}

/// How far through the seven steps someone is: the status of each step, in words.
pub fn step_statuses(overview: &PlanningOverview) -> [&'static str; 7] {
    let mut statuses = ["Not started"; 7];
    let assessment = overview.assessments.first();
    let agreed = overview.plans.iter().any(|plan| plan.status == PlanStatus::Agreed);
    // A decision made again can take eligibility away: the indicative budget from before it
    // then no longer counts.
    let currently_not_eligible = overview
        .eligibility
        .iter()
        .find(|record| record.is_current())
        .is_some_and(|record| !record.decision.eligible);
    statuses[0] = match (assessment.map(|found| found.status), overview.allocations.first()) {
        (_, _) if currently_not_eligible => "Not eligible",
        (_, Some(_)) => "Done",
        (Some(AssessmentStatus::Accepted), None) if overview.eligibility.first().is_some_and(|record| !record.decision.eligible) => {
            "Not eligible"
        }
        (Some(AssessmentStatus::Accepted | AssessmentStatus::Submitted), None) => "Waiting for the council",
        (Some(AssessmentStatus::SentBack), None) => "Changes asked for",
        (Some(AssessmentStatus::InProgress), None) => "In progress",
        (None, None) => "Next",
    };
    if statuses[0] == "Done" {
        statuses[1] = match overview.plans.first().map(|plan| plan.status) {
            Some(PlanStatus::Drafting) => "In progress",
            Some(PlanStatus::ChangesRequested) => "Changes asked for",
            Some(_) => "Done",
            None => "Next",
        };
        statuses[2] = match overview.plans.first().map(|plan| plan.status) {
            Some(PlanStatus::Submitted | PlanStatus::AwaitingManager) => "Waiting for the council",
            _ if agreed => "Done",
            _ => "Not started",
        };
    }
    if agreed {
        statuses[3] = "Next";
    }
    statuses
}

impl App {
    fn system_event(&self, action: AuditAction) -> NewAuditEvent {
        NewAuditEvent::new(self.clock.now(), None, "Tailor", action)
    }

    /// Loads the shipped questionnaires, models and rates into a database that has none of a
    /// configuration: every shipped version of it, oldest first. A configuration the database
    /// already has is left alone, so a council's own choices are never changed at start-up; new
    /// shipped versions are loaded by an administrator on the Configuration page.
    pub async fn ensure_default_configuration(&self) -> AppResult<()> {
        let mut already_loaded = std::collections::BTreeSet::new();
        for kind in DEFAULT_CONFIGURATION.iter().map(|(kind, _)| *kind) {
            for found in self.store.list_configurations(kind).await? {
                already_loaded.insert((kind.to_owned(), found.config_id));
            }
        }
        for (kind, source) in DEFAULT_CONFIGURATION {
            let (config_id, _, _) = configuration_identity(kind, source)
                .map_err(|errors| AppError::Store(StoreError::Other(format!("shipped configuration is invalid: {errors}"))))?;
            if already_loaded.contains(&(kind.to_owned(), config_id)) {
                continue;
            }
            self.store_configuration(None, kind, source).await?;
        }
        Ok(())
    }

    async fn store_configuration(&self, actor: Option<&Actor>, kind: &str, source: &str) -> AppResult<ConfigurationVersion> {
        let (config_id, version, effective_from) = configuration_identity(kind, source)?;
        let existing = self.store.list_configurations(kind).await?;
        if let Some(newest) = existing
            .iter()
            .filter(|found| found.config_id == config_id)
            .map(|found| found.version)
            .max()
        {
            if version <= newest {
                return Err(single_error(
                    "source",
                    &format!("Version {newest} of {kind} {config_id:?} is already loaded: give the new file a higher version"),
                ));
            }
        }
        if kind == "allocation" {
            let questionnaire = self.questionnaire_on(&config_id, effective_from).await?;
            let model = AllocationModel::parse(source).map_err(|problem| single_error("source", &problem.to_string()))?;
            questionnaire.check_model(&model).map_err(|problem| {
                single_error(
                    "source",
                    &format!("The model does not fit the {config_id} questionnaire: {problem}"),
                )
            })?;
        }
        let configuration = ConfigurationVersion {
            kind: kind.to_owned(),
            config_id: config_id.clone(),
            version,
            effective_from,
            source: source.to_owned(),
            loaded_at: self.clock.now(),
            loaded_by: actor
                .map(|who| who.display_name.clone())
                .unwrap_or_else(|| "Tailor defaults".into()),
        };
        let event = match actor {
            Some(actor) => self.event(actor, AuditAction::ConfigurationLoaded),
            None => self.system_event(AuditAction::ConfigurationLoaded),
        }
        .subject("configuration", format!("{kind}/{config_id}/{version}"))
        .details(serde_json::json!({ "kind": kind, "id": config_id, "version": version, "effective_from": effective_from }));
        self.store
            .insert_configuration(&configuration, &event)
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => single_error("source", "This version is already loaded"),
                other => other.into(),
            })?;
        Ok(configuration)
    }

    /// An administrator loads a new version of a questionnaire, allocation model or charging table.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn load_configuration(&self, actor: &Actor, kind: &str, source: &str) -> AppResult<ConfigurationVersion> {
        self.require(actor, Permission::ManageConfiguration, "load configuration").await?;
        self.store_configuration(Some(actor), kind, source).await
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn list_configuration(&self, actor: &Actor, kind: &str) -> AppResult<Vec<ConfigurationVersion>> {
        self.require(actor, Permission::ManageConfiguration, "see configuration").await?;
        Ok(self.store.list_configurations(kind).await?)
    }

    /// The council's own free services in the charging table in force today, as the code a plan
    /// line stores and the words a person reads. Not personal data, so no access check.
    pub async fn council_free_services(&self) -> AppResult<Vec<(String, String)>> {
        let version = self.configuration_on("charging", "rates", self.clock.today()).await?;
        let rates = ChargingRates::parse(&version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))?;
        Ok(rates
            .council_free_services
            .into_iter()
            .map(|(id, label)| (tailor_domain::charging::NeverCharged::CouncilFreeService(id).code(), label))
            .collect())
    }

    /// The version of a configuration in force on a day.
    async fn configuration_on(&self, kind: &str, config_id: &str, on: NaiveDate) -> AppResult<ConfigurationVersion> {
        self.store
            .list_configurations(kind)
            .await?
            .into_iter()
            .find(|version| version.config_id == config_id && version.effective_from <= on)
            .ok_or_else(|| {
                single_error(
                    "configuration",
                    &format!("No {kind} called {config_id:?} is in force on {on}: an administrator must load one"),
                )
            })
    }

    async fn questionnaire_on(&self, id: &str, on: NaiveDate) -> AppResult<Questionnaire> {
        let version = self.configuration_on("questionnaire", id, on).await?;
        Questionnaire::parse(&version.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))
    }

    async fn questionnaire_version(&self, id: &str, version: i64) -> AppResult<Questionnaire> {
        let found = self
            .store
            .list_configurations("questionnaire")
            .await?
            .into_iter()
            .find(|candidate| candidate.config_id == id && candidate.version == version)
            .ok_or(AppError::NotFound)?;
        Questionnaire::parse(&found.source).map_err(|problem| AppError::Store(StoreError::Other(problem.to_string())))
    }

    /// Everything about the person's steps 1 to 3 that this actor may see; a part they may not
    /// see is left empty. Refused when none of it is theirs to see. The read is logged.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn planning_overview(&self, actor: &Actor, person_id: PersonId) -> AppResult<PlanningOverview> {
        let access = self.access_to_person(actor, person_id, "see assessments and plans").await?;
        let parts = [
            (Capability::ViewAssessment, "assessment"),
            (Capability::ViewEligibility, "eligibility"),
            (Capability::ViewAllocation, "allocation"),
            (Capability::ViewFinancialAssessment, "financial_assessment"),
            (Capability::ViewBudget, "budget"),
        ];
        let seen: Vec<&str> = parts
            .iter()
            .filter(|(capability, _)| access.may(*capability))
            .map(|(_, name)| *name)
            .collect();
        if seen.is_empty() {
            self.record_refusal(actor, "see assessments and plans", Some(person_id)).await;
            return Err(AppError::Forbidden);
        }
        let full = self.load_overview(person_id).await?;
        let shown = |capability| access.may(capability);
        let overview = PlanningOverview {
            assessments: if shown(Capability::ViewAssessment) {
                full.assessments
            } else {
                Vec::new()
            },
            eligibility: if shown(Capability::ViewEligibility) {
                full.eligibility
            } else {
                Vec::new()
            },
            allocations: if shown(Capability::ViewAllocation) {
                full.allocations
            } else {
                Vec::new()
            },
            financial: if shown(Capability::ViewFinancialAssessment) {
                full.financial
            } else {
                None
            },
            plans: if shown(Capability::ViewPlan) { full.plans } else { Vec::new() },
            budgets: if shown(Capability::ViewBudget) { full.budgets } else { Vec::new() },
            challenges: if shown(Capability::ViewPlan) { full.challenges } else { Vec::new() },
        };
        self.log_planning_read(actor, person_id, "planning", person_id.to_string(), &seen)
            .await?;
        Ok(overview)
    }

    /// Logs a read of part of someone's planning record, like any other read of their data.
    async fn log_planning_read(&self, actor: &Actor, person_id: PersonId, subject: &str, id: String, parts: &[&str]) -> AppResult<()> {
        let read = self
            .event(actor, AuditAction::PersonViewed)
            .person(person_id)
            .subject(subject, id)
            .details(serde_json::json!({ "parts": parts }));
        self.store.append_audit(&read).await?;
        Ok(())
    }

    /// Refuses, and audits, unless the actor may do `capability` for the person.
    async fn require_capability(&self, actor: &Actor, person_id: PersonId, capability: Capability, what: &str) -> AppResult<PersonAccess> {
        let access = self.access_to_person(actor, person_id, what).await?;
        self.refuse_unless(actor, &access, capability, person_id, what).await?;
        Ok(access)
    }

    async fn refuse_unless(
        &self,
        actor: &Actor,
        access: &PersonAccess,
        capability: Capability,
        person_id: PersonId,
        what: &str,
    ) -> AppResult<()> {
        if may(actor, access, capability) {
            Ok(())
        } else {
            self.record_refusal(actor, what, Some(person_id)).await;
            Err(AppError::Forbidden)
        }
    }

    async fn load_overview(&self, person_id: PersonId) -> AppResult<PlanningOverview> {
        let store = &self.store;
        Ok(PlanningOverview {
            assessments: store.list_assessments(person_id).await?,
            eligibility: store.list_eligibility(person_id).await?,
            allocations: store.list_allocations(person_id).await?,
            financial: store.list_financial_assessments(person_id).await?.into_iter().next(),
            plans: store.list_plans(person_id).await?,
            budgets: store.list_budgets(person_id).await?,
            challenges: store.list_challenges(person_id).await?,
        })
    }
}
