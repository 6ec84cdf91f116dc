//! The council's own contact details: who people call, write to and complain to. Read from a
//! configuration file (`config/council.toml` is the demo council's) so that no page or letter
//! carries a fixed number.

use crate::config_file::{self, ConfigError};
use serde::{Deserialize, Serialize};

/// The demo council's details, built in as the default.
pub const DEMO_COUNCIL: &str = include_str!("../../../config/council.toml");

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilContact {
    pub name: String,
    /// The service's name as people know it ("Adult social care").
    pub service: String,
    /// Postal address lines, without the postcode.
    pub address: Vec<String>,
    pub postcode: String,
    pub phone: String,
    /// When the phone is answered, in words ("Monday to Friday, 9am to 5pm").
    pub phone_hours: String,
    pub email: String,
    pub website: String,
    /// Out of hours and emergencies.
    pub emergency_phone: String,
    pub complaints: ComplaintsContact,
    pub ombudsman: OmbudsmanContact,
    /// How long the council gives itself to answer a challenge to a decision. [L]
    #[serde(default)]
    pub challenges: crate::challenges::ChallengeRules,
    /// Where to get help, shown to everyone found not eligible beside the practitioner's own
    /// advice on preventing or delaying needs (Care Act s13(5)).
    #[serde(default)]
    pub signposting: Vec<Signpost>,
    /// How many weeks make a year when weekly and yearly amounts are converted [L]:
    /// `year_rule = "52 weeks"` (the default, when the key is missing), `"52 weeks and 1 day"`
    /// or `"365.25 days"`. Agreed plans and budgets keep the rule they were agreed under.
    #[serde(default)]
    pub year_rule: crate::money::YearRule,
}

/// A place people can go for help, as the council lists it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Signpost {
    pub name: String,
    /// What they help with, in a sentence.
    pub help: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub website: String,
}

/// The council's statutory complaints procedure.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsContact {
    pub phone: String,
    pub email: String,
    pub address: Vec<String>,
    pub url: String,
    /// The council's own aim for answering a complaint, in days. [L]
    pub answer_within_days: u16,
}

/// The Local Government and Social Care Ombudsman: the step after the council's complaints
/// procedure.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OmbudsmanContact {
    pub name: String,
    pub phone: String,
    pub website: String,
}

impl CouncilContact {
    /// Reads and checks a council file: every field must be filled in, because an empty phone
    /// number on a letter is worse than a refusal to start.
    pub fn parse(text: &str) -> Result<CouncilContact, ConfigError> {
        let contact: CouncilContact = config_file::parse(text)?;
        let required = [
            ("name", &contact.name),
            ("service", &contact.service),
            ("postcode", &contact.postcode),
            ("phone", &contact.phone),
            ("phone_hours", &contact.phone_hours),
            ("email", &contact.email),
            ("website", &contact.website),
            ("emergency_phone", &contact.emergency_phone),
            ("complaints.phone", &contact.complaints.phone),
            ("complaints.email", &contact.complaints.email),
            ("complaints.url", &contact.complaints.url),
            ("ombudsman.name", &contact.ombudsman.name),
            ("ombudsman.phone", &contact.ombudsman.phone),
            ("ombudsman.website", &contact.ombudsman.website),
        ];
        if let Some((field, _)) = required.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(ConfigError {
                line: None,
                reason: format!("{field} must not be empty"),
            });
        }
        if contact.challenges.answer_within_days == 0 {
            return Err(ConfigError {
                line: None,
                reason: "challenges.answer_within_days must be at least 1".into(),
            });
        }
        if let Some(signpost) = contact
            .signposting
            .iter()
            .find(|signpost| signpost.name.trim().is_empty() || signpost.help.trim().is_empty())
        {
            return Err(ConfigError {
                line: None,
                reason: format!("every signposting entry needs a name and what it helps with ({:?})", signpost.name),
            });
        }
        if contact.address.iter().all(|line| line.trim().is_empty()) {
            return Err(ConfigError {
                line: None,
                reason: "address needs at least one line".into(),
            });
        }
        Ok(contact)
    }

    /// The demo council, as shipped.
    pub fn demo() -> CouncilContact {
        CouncilContact::parse(DEMO_COUNCIL).expect("the shipped council file is valid")
    }

    /// "01632 960 000, Monday to Friday, 9am to 5pm".
    pub fn phone_with_hours(&self) -> String {
        format!("{}, {}", self.phone, self.phone_hours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_council_file_reads() {
        let council = CouncilContact::demo();
        assert_eq!(council.name, "Tailorford Council");
        assert_eq!(council.ombudsman.name, "Local Government and Social Care Ombudsman");
        assert_eq!(council.phone_with_hours(), "01632 960 000, Monday to Friday, 9am to 5pm");
    }

    #[test]
    fn the_shipped_council_answers_challenges_in_its_own_time_and_lists_where_to_get_help() {
        let council = CouncilContact::demo();
        assert_eq!(council.challenges.answer_within_days, 28);
        assert!(council.signposting.len() >= 3);
        let without = DEMO_COUNCIL.replace("answer_within_days = 28", "answer_within_days = 0");
        assert!(CouncilContact::parse(&without).is_err());
    }

    #[test]
    fn the_year_rule_is_the_councils_choice_and_52_weeks_when_unset() {
        use crate::money::YearRule;
        assert_eq!(CouncilContact::demo().year_rule, YearRule::FiftyTwoWeeks);
        let without = DEMO_COUNCIL.replace("year_rule = \"52 weeks\"\n", "");
        assert_ne!(without, DEMO_COUNCIL);
        assert_eq!(CouncilContact::parse(&without).unwrap().year_rule, YearRule::FiftyTwoWeeks);
        let daily = DEMO_COUNCIL.replace("year_rule = \"52 weeks\"", "year_rule = \"52 weeks and 1 day\"");
        assert_eq!(CouncilContact::parse(&daily).unwrap().year_rule, YearRule::FiftyTwoWeeksAndADay);
        let wrong = DEMO_COUNCIL.replace("year_rule = \"52 weeks\"", "year_rule = \"52.143\"");
        let error = CouncilContact::parse(&wrong).unwrap_err();
        assert!(error.line.is_some(), "{error}");
        assert!(error.reason.contains("year_rule must be \"52 weeks\""), "{error}");
    }

    #[test]
    fn an_empty_phone_number_is_refused() {
        let text = DEMO_COUNCIL.replace("phone = \"01632 960 000\"", "phone = \" \"");
        let error = CouncilContact::parse(&text).unwrap_err();
        assert_eq!(error.reason, "phone must not be empty");
    }

    #[test]
    fn an_unknown_field_names_its_line() {
        let text = format!("{DEMO_COUNCIL}\n[extra]\nfax = \"1\"\n");
        assert!(CouncilContact::parse(&text).is_err());
    }
}
