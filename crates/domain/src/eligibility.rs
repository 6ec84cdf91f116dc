//! Eligibility under the Care and Support (Eligibility Criteria) Regulations 2015: the national
//! outcomes, the ways a person can be unable to achieve them, and the decision.
//!
//! Adults (reg 2): needs arise from a physical or mental impairment or illness; as a result the
//! adult is unable to achieve two or more of ten outcomes; and as a consequence there is, or is
//! likely to be, a significant impact on their wellbeing.
//! Carers (reg 3): needs arise from providing necessary care; as a result the carer's health is
//! deteriorating or at risk of it, or they are unable to achieve one or more of eight outcomes;
//! and as a consequence there is, or is likely to be, a significant impact on their wellbeing.

use crate::people::labelled_enum;
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// The ten outcomes for adults (reg 2(2)).
    AdultOutcome {
        ManagingAndMaintainingNutrition => ("managing_and_maintaining_nutrition", "Managing and maintaining nutrition"),
        MaintainingPersonalHygiene => ("maintaining_personal_hygiene", "Maintaining personal hygiene"),
        ManagingToiletNeeds => ("managing_toilet_needs", "Managing toilet needs"),
        BeingAppropriatelyClothed => ("being_appropriately_clothed", "Being appropriately clothed"),
        UsingHomeSafely => ("using_home_safely", "Being able to make use of the home safely"),
        MaintainingHabitableHome => ("maintaining_habitable_home", "Maintaining a habitable home environment"),
        DevelopingAndMaintainingRelationships => ("developing_and_maintaining_relationships", "Developing and maintaining family or other personal relationships"),
        AccessingWorkTrainingEducationVolunteering => ("accessing_work_training_education_volunteering", "Accessing and engaging in work, training, education or volunteering"),
        UsingCommunityFacilitiesAndServices => ("using_community_facilities_and_services", "Making use of necessary facilities or services in the local community, including public transport and recreational facilities"),
        CarryingOutCaringResponsibilitiesForAChild => ("carrying_out_caring_responsibilities_for_a_child", "Carrying out any caring responsibilities for a child"),
    }
);

labelled_enum!(
    /// The eight outcomes for carers (reg 3(3)).
    CarerOutcome {
        CaringResponsibilitiesForChild => ("caring_responsibilities_for_child", "Carrying out any caring responsibilities for a child"),
        ProvidingCareToOtherPersons => ("providing_care_to_other_persons", "Providing care to other persons for whom the carer provides care"),
        MaintainingHabitableHomeInCarersHome => ("maintaining_habitable_home_in_carers_home", "Maintaining a habitable home environment in the carer's home"),
        ManagingAndMaintainingNutrition => ("carer_managing_and_maintaining_nutrition", "Managing and maintaining nutrition"),
        DevelopingAndMaintainingRelationships => ("carer_developing_and_maintaining_relationships", "Developing and maintaining family or other personal relationships"),
        EngagingInWorkTrainingEducationVolunteering => ("engaging_in_work_training_education_volunteering", "Engaging in work, training, education or volunteering"),
        UsingCommunityFacilitiesIncludingRecreational => ("using_community_facilities_including_recreational", "Making use of necessary facilities or services in the local community, including recreational facilities or services"),
        EngagingInRecreationalActivities => ("engaging_in_recreational_activities", "Engaging in recreational activities"),
    }
);

labelled_enum!(
    /// The ways someone can be "unable to achieve" an outcome (reg 2(3)); carers have the first three.
    UnableReason {
        NeedsAssistance => ("needs_assistance", "Cannot achieve it without assistance (prompting counts)"),
        PainDistressAnxiety => ("pain_distress_anxiety", "Can achieve it without assistance but doing so causes significant pain, distress or anxiety"),
        Endangers => ("endangers", "Can achieve it without assistance but doing so endangers, or is likely to endanger, their health or safety or that of others"),
        TakesLonger => ("takes_longer", "Can achieve it without assistance but it takes significantly longer than would normally be expected"),
    }
);

labelled_enum!(
    /// Whose assessment this is, which decides the outcomes and the test.
    AssessmentKind {
        Adult => ("adult", "Adult needing care and support"),
        Carer => ("carer", "Carer"),
    }
);

impl UnableReason {
    /// Carers cannot be "unable" only because it takes them longer (reg 3).
    pub fn applies_to(self, kind: AssessmentKind) -> bool {
        kind == AssessmentKind::Adult || self != UnableReason::TakesLonger
    }
}

/// The outcome codes for a kind of assessment, with their labels.
pub fn outcomes(kind: AssessmentKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        AssessmentKind::Adult => AdultOutcome::ALL
            .iter()
            .map(|outcome| (outcome.as_str(), outcome.label()))
            .collect(),
        AssessmentKind::Carer => CarerOutcome::ALL
            .iter()
            .map(|outcome| (outcome.as_str(), outcome.label()))
            .collect(),
    }
}

pub fn outcome_label(code: &str) -> Option<&'static str> {
    AdultOutcome::parse(code)
        .map(AdultOutcome::label)
        .or_else(|| CarerOutcome::parse(code).map(CarerOutcome::label))
}

/// The practitioner's finding on one outcome.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeFinding {
    pub outcome: String,
    /// `None` means able to achieve it.
    pub unable: Option<UnableReason>,
    pub evidence: String,
}

/// Everything the decision rests on, as recorded by the practitioner.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityFindings {
    pub kind: AssessmentKind,
    /// Adult: needs arise from a physical or mental impairment or illness.
    /// Carer: needs arise from providing necessary care to an adult.
    pub needs_condition_met: bool,
    /// Carers only: their physical or mental health is deteriorating or at risk of deteriorating.
    pub carer_health_at_risk: bool,
    pub outcomes: Vec<OutcomeFinding>,
    /// There is, or is likely to be, a significant impact on wellbeing.
    pub significant_impact_on_wellbeing: bool,
    pub wellbeing_reasons: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityDecision {
    pub eligible: bool,
    /// Outcomes found unachievable, by code.
    pub unable_outcomes: Vec<String>,
    /// Each limb of the test with whether it was met, in the words of the regulations.
    pub reasons: Vec<String>,
}

/// Applies the three-part test. The findings must cover every outcome for the kind.
pub fn decide(findings: &EligibilityFindings) -> EligibilityDecision {
    let unable: Vec<String> = findings
        .outcomes
        .iter()
        .filter(|finding| finding.unable.is_some_and(|reason| reason.applies_to(findings.kind)))
        .map(|finding| finding.outcome.clone())
        .collect();
    let yes_no = |met: bool| if met { "met" } else { "not met" };
    let (eligible, reasons) = match findings.kind {
        AssessmentKind::Adult => {
            let enough = unable.len() >= 2;
            (
                findings.needs_condition_met && enough && findings.significant_impact_on_wellbeing,
                vec![
                    format!(
                        "The needs arise from or are related to a physical or mental impairment or illness: {}.",
                        yes_no(findings.needs_condition_met)
                    ),
                    format!(
                        "Unable to achieve two or more of the ten outcomes: {} ({} found).",
                        yes_no(enough),
                        unable.len()
                    ),
                    format!(
                        "As a consequence, a significant impact on wellbeing: {}.",
                        yes_no(findings.significant_impact_on_wellbeing)
                    ),
                ],
            )
        }
        AssessmentKind::Carer => {
            let second_limb = findings.carer_health_at_risk || !unable.is_empty();
            (
                findings.needs_condition_met && second_limb && findings.significant_impact_on_wellbeing,
                vec![
                    format!("The needs arise as a consequence of providing necessary care for an adult: {}.", yes_no(findings.needs_condition_met)),
                    format!(
                        "The carer's health is deteriorating or at risk, or they are unable to achieve one or more of the eight outcomes: {} ({} outcomes found{}).",
                        yes_no(second_limb),
                        unable.len(),
                        if findings.carer_health_at_risk { "; health at risk" } else { "" }
                    ),
                    format!("As a consequence, a significant impact on wellbeing: {}.", yes_no(findings.significant_impact_on_wellbeing)),
                ],
            )
        }
    };
    EligibilityDecision {
        eligible,
        unable_outcomes: unable,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(kind: AssessmentKind, unable: &[(&str, UnableReason)]) -> EligibilityFindings {
        EligibilityFindings {
            kind,
            needs_condition_met: true,
            carer_health_at_risk: false,
            outcomes: outcomes(kind)
                .into_iter()
                .map(|(code, _)| OutcomeFinding {
                    outcome: code.into(),
                    unable: unable
                        .iter()
                        .find(|(unable_code, _)| *unable_code == code)
                        .map(|(_, reason)| *reason),
                    evidence: String::new(),
                })
                .collect(),
            significant_impact_on_wellbeing: true,
            wellbeing_reasons: "Isolated and at risk of falls".into(),
        }
    }

    #[test]
    fn an_adult_needs_two_of_ten() {
        let one = findings(
            AssessmentKind::Adult,
            &[("maintaining_personal_hygiene", UnableReason::NeedsAssistance)],
        );
        assert!(!decide(&one).eligible);
        let two = findings(
            AssessmentKind::Adult,
            &[
                ("maintaining_personal_hygiene", UnableReason::NeedsAssistance),
                ("managing_toilet_needs", UnableReason::TakesLonger),
            ],
        );
        assert!(decide(&two).eligible);
        let mut no_impact = two.clone();
        no_impact.significant_impact_on_wellbeing = false;
        assert!(!decide(&no_impact).eligible);
    }

    #[test]
    fn a_carer_needs_one_of_eight_and_taking_longer_does_not_count() {
        let longer = findings(
            AssessmentKind::Carer,
            &[("engaging_in_recreational_activities", UnableReason::TakesLonger)],
        );
        assert!(!decide(&longer).eligible);
        let one = findings(
            AssessmentKind::Carer,
            &[("engaging_in_recreational_activities", UnableReason::PainDistressAnxiety)],
        );
        assert!(decide(&one).eligible);
        let mut health = findings(AssessmentKind::Carer, &[]);
        health.carer_health_at_risk = true;
        assert!(decide(&health).eligible);
    }

    #[test]
    fn there_are_ten_adult_and_eight_carer_outcomes() {
        assert_eq!(AdultOutcome::ALL.len(), 10);
        assert_eq!(CarerOutcome::ALL.len(), 8);
    }
}
