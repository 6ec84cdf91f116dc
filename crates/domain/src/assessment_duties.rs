//! The duties around an assessment, recorded before eligibility is decided: the offer of a
//! supported self-assessment and the method used (Care and Support (Assessment) Regulations 2014
//! reg 2), the person's capacity to take part (and whether a capacity assessment was done), and
//! independent advocacy where the person would have substantial difficulty being involved and
//! there is no appropriate person to support them (Care Act s67).

use crate::ids::{AssessmentId, PersonId, UserId};
use crate::people::labelled_enum;
use crate::validation::{optional_text, required_line, required_text, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// How the assessment was carried out. The Client Level Data method list is not yet
    /// confirmed [U]; these are the ways the statutory guidance (ch.6) describes.
    AssessmentMethod {
        SupportedSelfAssessment => ("supported_self_assessment", "Supported self-assessment: they answered the questions themselves, with support"),
        PractitionerInPerson => ("practitioner_in_person", "Assessment by a practitioner, face to face"),
        PractitionerRemote => ("practitioner_remote", "Assessment by a practitioner, by phone or video call"),
        Joint => ("joint", "Joint assessment with the NHS or another professional"),
        CombinedWithCarer => ("combined_with_carer", "Combined with their carer's assessment"),
    }
);

labelled_enum!(
    /// The person's capacity to take part in the assessment.
    Capacity {
        NoDoubt => ("no_doubt", "No reason to doubt they can take part: no capacity assessment needed"),
        AssessedHasCapacity => ("assessed_has_capacity", "A capacity assessment was done: they have capacity to take part"),
        AssessedLacksCapacity => ("assessed_lacks_capacity", "A capacity assessment was done: they lack capacity to take part, so the assessment is in their best interests"),
    }
);

labelled_enum!(
    /// How the person is supported to be involved where they would have substantial difficulty.
    Advocacy {
        NotNeeded => ("not_needed", "Not needed: they would not have substantial difficulty being involved"),
        AppropriatePerson => ("appropriate_person", "An appropriate person (family or a friend, not paid to care for them) supports them to be involved"),
        Advocate => ("advocate", "An independent advocate was arranged"),
    }
);

/// The independent advocate's details, so the person and the council can reach them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advocate {
    pub name: String,
    pub organisation: String,
    /// A phone number or an email address.
    pub contact: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentDuties {
    pub assessment_id: AssessmentId,
    pub person_id: PersonId,
    /// The person was offered a supported self-assessment (the council must offer it).
    pub self_assessment_offered: bool,
    pub method: AssessmentMethod,
    pub capacity: Capacity,
    /// What the capacity assessment found and who did it; empty when no doubt arose.
    pub capacity_notes: String,
    /// They would have substantial difficulty understanding, retaining, using or weighing the
    /// information, or saying what they want (s67(4)).
    pub substantial_difficulty: bool,
    pub advocacy: Advocacy,
    pub appropriate_person: Option<String>,
    pub advocate: Option<Advocate>,
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
    pub version: i64,
}

/// What the practitioner's form sends, before checking. Nothing has a default: every answer is chosen.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DutiesInput {
    pub self_assessment_offered: String,
    pub method: String,
    pub capacity: String,
    pub capacity_notes: String,
    pub substantial_difficulty: String,
    pub advocacy: String,
    pub appropriate_person: String,
    pub advocate_name: String,
    pub advocate_organisation: String,
    pub advocate_contact: String,
}

/// The checked answers, before who and when are added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DutiesAnswers {
    pub self_assessment_offered: bool,
    pub method: AssessmentMethod,
    pub capacity: Capacity,
    pub capacity_notes: String,
    pub substantial_difficulty: bool,
    pub advocacy: Advocacy,
    pub appropriate_person: Option<String>,
    pub advocate: Option<Advocate>,
}

fn yes_no(errors: &mut ValidationErrors, field: &str, message: &str, value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add(field, message);
            None
        }
    }
}

impl DutiesInput {
    pub fn from_duties(duties: &AssessmentDuties) -> DutiesInput {
        let word = |value: bool| if value { "yes" } else { "no" }.to_owned();
        DutiesInput {
            self_assessment_offered: word(duties.self_assessment_offered),
            method: duties.method.as_str().into(),
            capacity: duties.capacity.as_str().into(),
            capacity_notes: duties.capacity_notes.clone(),
            substantial_difficulty: word(duties.substantial_difficulty),
            advocacy: duties.advocacy.as_str().into(),
            appropriate_person: duties.appropriate_person.clone().unwrap_or_default(),
            advocate_name: duties.advocate.as_ref().map(|advocate| advocate.name.clone()).unwrap_or_default(),
            advocate_organisation: duties
                .advocate
                .as_ref()
                .map(|advocate| advocate.organisation.clone())
                .unwrap_or_default(),
            advocate_contact: duties
                .advocate
                .as_ref()
                .map(|advocate| advocate.contact.clone())
                .unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> Result<DutiesAnswers, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let offered = yes_no(
            &mut errors,
            "self_assessment_offered",
            "Select whether they were offered a supported self-assessment",
            &self.self_assessment_offered,
        );
        let method = AssessmentMethod::parse(&self.method);
        if method.is_none() {
            errors.add("method", "Select how the assessment was carried out");
        }
        if offered == Some(false) && method == Some(AssessmentMethod::SupportedSelfAssessment) {
            errors.add(
                "self_assessment_offered",
                "A supported self-assessment was used, so it was offered: select yes",
            );
        }
        let capacity = Capacity::parse(&self.capacity);
        if capacity.is_none() {
            errors.add("capacity", "Select what is known about their capacity to take part");
        }
        // A supported self-assessment is for an adult with capacity to take part (reg 2(1)).
        if capacity == Some(Capacity::AssessedLacksCapacity) && method == Some(AssessmentMethod::SupportedSelfAssessment) {
            errors.add(
                "method",
                "A supported self-assessment needs the person to have capacity to take part: select another way",
            );
        }
        let capacity_notes = if matches!(capacity, Some(Capacity::AssessedHasCapacity | Capacity::AssessedLacksCapacity)) {
            required_text(
                &mut errors,
                "capacity_notes",
                "what the capacity assessment found, who did it and when",
                &self.capacity_notes,
            )
        } else {
            optional_text(&mut errors, "capacity_notes", "notes on capacity", &self.capacity_notes)
        };
        let difficulty = yes_no(
            &mut errors,
            "substantial_difficulty",
            "Select whether they would have substantial difficulty being involved",
            &self.substantial_difficulty,
        );
        let advocacy = match (difficulty, Advocacy::parse(&self.advocacy)) {
            (Some(false), _) => Some(Advocacy::NotNeeded),
            (Some(true), Some(Advocacy::NotNeeded) | None) => {
                errors.add(
                    "advocacy",
                    "They would have substantial difficulty being involved: select who supports them, an appropriate person or an independent advocate",
                );
                None
            }
            (_, chosen) => chosen,
        };
        let appropriate_person = (advocacy == Some(Advocacy::AppropriatePerson)).then(|| {
            required_line(
                &mut errors,
                "appropriate_person",
                "the appropriate person's name and how they know the person",
                &self.appropriate_person,
            )
        });
        let advocate = (advocacy == Some(Advocacy::Advocate)).then(|| Advocate {
            name: required_line(&mut errors, "advocate_name", "the advocate's name", &self.advocate_name),
            organisation: required_line(
                &mut errors,
                "advocate_organisation",
                "the advocacy organisation",
                &self.advocate_organisation,
            ),
            contact: required_line(
                &mut errors,
                "advocate_contact",
                "a phone number or email address for the advocate",
                &self.advocate_contact,
            ),
        });
        errors.into_result(DutiesAnswers {
            self_assessment_offered: offered.unwrap_or(false),
            method: method.unwrap_or(AssessmentMethod::PractitionerInPerson),
            capacity: capacity.unwrap_or(Capacity::NoDoubt),
            capacity_notes,
            substantial_difficulty: difficulty.unwrap_or(false),
            advocacy: advocacy.unwrap_or(Advocacy::NotNeeded),
            appropriate_person,
            advocate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered() -> DutiesInput {
        DutiesInput {
            self_assessment_offered: "yes".into(),
            method: "supported_self_assessment".into(),
            capacity: "no_doubt".into(),
            substantial_difficulty: "no".into(),
            ..DutiesInput::default()
        }
    }

    #[test]
    fn nothing_is_assumed_every_question_needs_an_answer() {
        let errors = DutiesInput::default().parse().unwrap_err();
        for field in ["self_assessment_offered", "method", "capacity", "substantial_difficulty"] {
            assert!(errors.message_for(field).is_some(), "{field}");
        }
        let answers = answered().parse().unwrap();
        assert_eq!(answers.advocacy, Advocacy::NotNeeded);
        assert_eq!(answers.advocate, None);
    }

    #[test]
    fn substantial_difficulty_needs_an_appropriate_person_or_an_advocate_with_their_details() {
        let mut input = answered();
        input.substantial_difficulty = "yes".into();
        assert!(input.parse().unwrap_err().message_for("advocacy").is_some());
        input.advocacy = "advocate".into();
        let errors = input.parse().unwrap_err();
        for field in ["advocate_name", "advocate_organisation", "advocate_contact"] {
            assert!(errors.message_for(field).is_some(), "{field}");
        }
        input.advocate_name = "Priya Shah".into();
        input.advocate_organisation = "Tailorford Advocacy Hub".into();
        input.advocate_contact = "01632 960 456".into();
        let answers = input.parse().unwrap();
        assert_eq!(answers.advocate.unwrap().organisation, "Tailorford Advocacy Hub");
        input.advocacy = "appropriate_person".into();
        assert!(input.parse().unwrap_err().message_for("appropriate_person").is_some());
    }

    #[test]
    fn a_capacity_assessment_is_described_and_rules_out_a_self_assessment_where_capacity_is_lacking() {
        let mut input = answered();
        input.capacity = "assessed_lacks_capacity".into();
        let errors = input.parse().unwrap_err();
        assert!(errors.message_for("capacity_notes").is_some());
        assert!(errors.message_for("method").is_some());
        input.method = "practitioner_in_person".into();
        input.capacity_notes = "Two-stage test by Sam Okoro on 3 March 2026: cannot retain the information.".into();
        assert_eq!(input.parse().unwrap().capacity, Capacity::AssessedLacksCapacity);
    }

    #[test]
    fn a_self_assessment_used_was_offered() {
        let mut input = answered();
        input.self_assessment_offered = "no".into();
        assert!(input.parse().unwrap_err().message_for("self_assessment_offered").is_some());
    }
}
