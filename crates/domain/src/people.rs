//! The person record: who someone is, how to reach them, who matters to them, and what workers
//! must know before they visit.

use crate::ids::{PersonId, RelationshipId, TeamId, UserId, WarningId};
use crate::nhs_number::NhsNumber;
use crate::validation::{date_from_parts, optional_line, optional_text, required_line, required_text, ValidationErrors};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable code stored in the database and used in the API.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The words a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// How the person would like to be contacted.
    ContactPreference {
        Phone => ("phone", "Phone call"),
        TextMessage => ("text_message", "Text message"),
        Email => ("email", "Email"),
        Letter => ("letter", "Letter"),
    }
);

labelled_enum!(
    /// Consent to share information, as councils record it at assessment (domain rules 5.7).
    ConsentStatus {
        NotAsked => ("not_asked", "Not yet asked"),
        Yes => ("yes", "Yes"),
        YesWithLimitations => ("yes_with_limitations", "Yes, with limitations"),
        No => ("no", "No"),
        UnableToConsent => ("unable_to_consent", "Unable to consent"),
    }
);

labelled_enum!(
    /// Who someone is to the person.
    RelationshipKind {
        Carer => ("carer", "Carer"),
        NominatedPerson => ("nominated_person", "Nominated person"),
        AuthorisedPerson => ("authorised_person", "Authorised person"),
        Family => ("family", "Family member"),
        Friend => ("friend", "Friend"),
        Advocate => ("advocate", "Independent advocate"),
    }
);

labelled_enum!(
    /// What kind of thing a warning warns about.
    WarningCategory {
        RiskToVisitors => ("risk_to_visitors", "Risk to visitors"),
        RiskToSelf => ("risk_to_self", "Risk to self"),
        Safeguarding => ("safeguarding", "Safeguarding"),
        Health => ("health", "Health"),
        Access => ("access", "Getting into the home"),
        Other => ("other", "Other"),
    }
);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line_1: String,
    pub line_2: Option<String>,
    pub town: String,
    pub postcode: String,
}

impl Address {
    pub fn one_line(&self) -> String {
        let mut parts = vec![self.line_1.as_str()];
        if let Some(line_2) = &self.line_2 {
            parts.push(line_2);
        }
        parts.push(&self.town);
        parts.push(&self.postcode);
        parts.retain(|part| !part.is_empty());
        parts.join(", ")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub status: ConsentStatus,
    /// What the person does not want shared, in their words.
    pub limitations: String,
    pub recorded_on: Option<NaiveDate>,
}

/// The editable part of a person's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetails {
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub nhs_number: Option<NhsNumber>,
    pub address: Address,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact_preference: ContactPreference,
    /// Interpreter, British Sign Language, easy read, large print: what helps the person take part.
    pub communication_needs: String,
    pub consent: Consent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub details: PersonDetails,
    pub allocated_worker: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Person {
    pub fn full_name(&self) -> String {
        self.details.full_name()
    }
}

impl PersonDetails {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// Age in whole years on the given day.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        age_on(self.date_of_birth, today)
    }
}

pub fn age_on(date_of_birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - date_of_birth.year();
    if (today.month(), today.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// A line in a caseload or search result: enough to recognise someone, nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub nhs_number: Option<NhsNumber>,
    pub postcode: String,
    pub allocated_worker: Option<UserId>,
    pub allocated_worker_name: Option<String>,
    pub team_id: Option<TeamId>,
}

impl PersonSummary {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// What a form or API call sends to create or change a person's details, before checking.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonDetailsInput {
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: String,
    pub date_of_birth_day: String,
    pub date_of_birth_month: String,
    pub date_of_birth_year: String,
    pub nhs_number: String,
    pub address_line_1: String,
    pub address_line_2: String,
    pub town: String,
    pub postcode: String,
    pub phone: String,
    pub email: String,
    pub contact_preference: String,
    pub communication_needs: String,
    pub consent_status: String,
    pub consent_limitations: String,
    /// When a new record looks like someone already recorded: why it is a different person, or
    /// why a second record is needed anyway. Kept with the record's creation in the audit log.
    pub duplicate_reason: String,
}

impl PersonDetailsInput {
    pub fn from_details(details: &PersonDetails) -> Self {
        PersonDetailsInput {
            given_name: details.given_name.clone(),
            family_name: details.family_name.clone(),
            preferred_name: details.preferred_name.clone().unwrap_or_default(),
            date_of_birth_day: details.date_of_birth.day().to_string(),
            date_of_birth_month: details.date_of_birth.month().to_string(),
            date_of_birth_year: details.date_of_birth.year().to_string(),
            nhs_number: details.nhs_number.map(|number| number.to_string()).unwrap_or_default(),
            address_line_1: details.address.line_1.clone(),
            address_line_2: details.address.line_2.clone().unwrap_or_default(),
            town: details.address.town.clone(),
            postcode: details.address.postcode.clone(),
            phone: details.phone.clone().unwrap_or_default(),
            email: details.email.clone().unwrap_or_default(),
            contact_preference: details.contact_preference.as_str().to_owned(),
            communication_needs: details.communication_needs.clone(),
            consent_status: details.consent.status.as_str().to_owned(),
            consent_limitations: details.consent.limitations.clone(),
            duplicate_reason: String::new(),
        }
    }

    /// Checks everything at once, so the person sees every problem in one error summary.
    /// `today` bounds the date of birth and stamps a change of consent.
    pub fn parse(&self, today: NaiveDate, previous_consent: Option<&Consent>) -> Result<PersonDetails, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let given_name = required_line(&mut errors, "given_name", "their first name", &self.given_name);
        let family_name = required_line(&mut errors, "family_name", "their last name", &self.family_name);
        let preferred_name = optional_line(&mut errors, "preferred_name", "preferred name", &self.preferred_name);
        let date_of_birth = date_from_parts(
            &mut errors,
            "date_of_birth",
            "date of birth",
            &self.date_of_birth_day,
            &self.date_of_birth_month,
            &self.date_of_birth_year,
        );
        if let Some(born) = date_of_birth {
            if born > today {
                errors.add("date_of_birth", "Date of birth must be in the past");
            } else if age_on(born, today) > 125 {
                errors.add("date_of_birth", "Date of birth must be within the last 125 years");
            }
        }
        let nhs_number = if self.nhs_number.trim().is_empty() {
            None
        } else {
            match self.nhs_number.parse::<NhsNumber>() {
                Ok(number) => Some(number),
                Err(problem) => {
                    errors.add("nhs_number", problem.to_string());
                    None
                }
            }
        };
        let line_1 = required_line(
            &mut errors,
            "address_line_1",
            "the first line of their address",
            &self.address_line_1,
        );
        let line_2 = optional_line(&mut errors, "address_line_2", "address line 2", &self.address_line_2);
        let town = required_line(&mut errors, "town", "their town or city", &self.town);
        let postcode = normalise_postcode(&mut errors, &self.postcode);
        let phone = optional_line(&mut errors, "phone", "phone number", &self.phone);
        if let Some(number) = &phone {
            let digits = number.chars().filter(char::is_ascii_digit).count();
            if digits < 10
                || number
                    .chars()
                    .any(|character| !(character.is_ascii_digit() || " +()-".contains(character)))
            {
                errors.add("phone", "Enter a phone number, like 01632 960 001 or 07700 900 982");
            }
        }
        let email = optional_line(&mut errors, "email", "email address", &self.email);
        if let Some(address) = &email {
            crate::users::normalise_email(&mut errors, "email", address);
        }
        let contact_preference = ContactPreference::parse(&self.contact_preference);
        if contact_preference.is_none() {
            errors.add("contact_preference", "Select how they would like to be contacted");
        }
        match contact_preference {
            Some(ContactPreference::Phone | ContactPreference::TextMessage) if phone.is_none() => {
                errors.add("phone", "Enter a phone number, or choose another way to contact them")
            }
            Some(ContactPreference::Email) if email.is_none() => {
                errors.add("email", "Enter an email address, or choose another way to contact them")
            }
            _ => {}
        }
        let communication_needs = optional_text(&mut errors, "communication_needs", "communication needs", &self.communication_needs);
        let consent_status = if self.consent_status.trim().is_empty() {
            Some(ConsentStatus::NotAsked)
        } else {
            ConsentStatus::parse(&self.consent_status)
        };
        if consent_status.is_none() {
            errors.add("consent_status", "Select whether they consent to information being shared");
        }
        let limitations = optional_text(&mut errors, "consent_limitations", "limits on sharing", &self.consent_limitations);
        if consent_status == Some(ConsentStatus::YesWithLimitations) && limitations.is_empty() {
            errors.add("consent_limitations", "Enter what they do not want shared");
        }
        let status = consent_status.unwrap_or(ConsentStatus::NotAsked);
        let recorded_on = match previous_consent {
            Some(previous) if previous.status == status && previous.limitations == limitations => previous.recorded_on,
            _ if status == ConsentStatus::NotAsked => None,
            _ => Some(today),
        };
        errors.into_result(PersonDetails {
            given_name,
            family_name,
            preferred_name,
            date_of_birth: date_of_birth.unwrap_or_default(),
            nhs_number,
            address: Address {
                line_1,
                line_2,
                town,
                postcode,
            },
            phone,
            email: email.map(|address| address.to_lowercase()),
            contact_preference: contact_preference.unwrap_or(ContactPreference::Letter),
            communication_needs,
            consent: Consent {
                status,
                limitations,
                recorded_on,
            },
        })
    }
}

/// UK postcodes: upper case, one space before the last three characters.
fn normalise_postcode(errors: &mut ValidationErrors, value: &str) -> String {
    let compact: String = value
        .chars()
        .filter(|character| !character.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.is_empty() {
        errors.add("postcode", "Enter their postcode");
        return compact;
    }
    let shape_ok = (5..=7).contains(&compact.len())
        && compact.chars().all(|character| character.is_ascii_alphanumeric())
        && compact.chars().next().is_some_and(|character| character.is_ascii_alphabetic())
        && compact.chars().rev().take(2).all(|character| character.is_ascii_alphabetic())
        && compact.chars().rev().nth(2).is_some_and(|character| character.is_ascii_digit());
    if !shape_ok {
        errors.add("postcode", "Enter a real postcode, like AA1 1AA");
        return compact;
    }
    let split = compact.len() - 3;
    format!("{} {}", &compact[..split], &compact[split..])
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    pub id: RelationshipId,
    pub person_id: PersonId,
    pub kind: RelationshipKind,
    pub name: String,
    pub phone: Option<String>,
    /// Set when the other person has a record of their own (a carer assessed in their own right).
    pub related_person_id: Option<PersonId>,
    pub lives_with_person: bool,
    pub notes: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RelationshipInput {
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub lives_with_person: String,
    pub notes: String,
}

impl RelationshipInput {
    pub fn parse(&self) -> Result<(RelationshipKind, String, Option<String>, bool, String), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = RelationshipKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Select who they are to the person");
        }
        let name = required_line(&mut errors, "name", "their name", &self.name);
        let phone = optional_line(&mut errors, "phone", "phone number", &self.phone);
        let notes = optional_text(&mut errors, "notes", "notes", &self.notes);
        let lives_with = matches!(self.lives_with_person.as_str(), "yes" | "true" | "on");
        errors.into_result((kind.unwrap_or(RelationshipKind::Family), name, phone, lives_with, notes))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub id: WarningId,
    pub person_id: PersonId,
    pub category: WarningCategory,
    pub text: String,
    pub created_by: UserId,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WarningInput {
    pub category: String,
    pub text: String,
}

impl WarningInput {
    pub fn parse(&self) -> Result<(WarningCategory, String), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let category = WarningCategory::parse(&self.category);
        if category.is_none() {
            errors.add("category", "Select what the warning is about");
        }
        let text = required_text(&mut errors, "text", "what workers need to know", &self.text);
        errors.into_result((category.unwrap_or(WarningCategory::Other), text))
    }
}

/// A name as it is searched for: lower case, accents set aside, and no apostrophes, hyphens,
/// full stops or spaces, so "obrien" finds O'Brien and "zoe" finds Zoë.
pub fn name_search_key(name: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    name.nfd()
        .filter(|character| !is_combining_mark(*character))
        .filter(|character| character.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether an existing record is close enough to a new one to ask before adding it: the same
/// date of birth and a family name (or a given name) the same once punctuation and accents are
/// set aside, or only one or two letters different (a typing slip, a spelling variant).
pub fn may_be_the_same_person(new: &PersonDetails, existing: &PersonSummary) -> bool {
    if new.date_of_birth != existing.date_of_birth {
        return false;
    }
    let close = |a: &str, b: &str| {
        let (a, b) = (name_search_key(a), name_search_key(b));
        a == b || (a.chars().count() >= 4 && letters_apart(&a, &b) <= 2)
    };
    let same_given = name_search_key(&new.given_name) == name_search_key(&existing.given_name);
    let family_apart = letters_apart(&name_search_key(&new.family_name), &name_search_key(&existing.family_name));
    close(&new.family_name, &existing.family_name) || (same_given && family_apart <= 3)
}

/// How many letters must be added, removed or changed to turn one word into the other.
fn letters_apart(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (row, letter) in a.chars().enumerate() {
        let mut current = vec![row + 1; b.len() + 1];
        for (column, other) in b.iter().enumerate() {
            let substitution = previous[column] + usize::from(letter != *other);
            current[column + 1] = substitution.min(previous[column + 1] + 1).min(current[column] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// A postcode as it is searched for: capitals, no spaces ("tf7 5qr" and "TF75QR" match).
pub fn postcode_search_key(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|character| !character.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether what was typed looks like a whole UK postcode: an outward code (area letters, district
/// digits) then an inward code (a digit and two letters), with or without the space.
fn looks_like_postcode(text: &str) -> bool {
    let key = postcode_search_key(text);
    let characters: Vec<char> = key.chars().collect();
    if !(5..=7).contains(&characters.len()) {
        return false;
    }
    let (outward, inward) = characters.split_at(characters.len() - 3);
    let inward_ok = inward[0].is_ascii_digit() && inward[1].is_ascii_alphabetic() && inward[2].is_ascii_alphabetic();
    let letters = outward.iter().take_while(|character| character.is_ascii_alphabetic()).count();
    let outward_ok = (1..=2).contains(&letters)
        && outward.get(letters).is_some_and(char::is_ascii_digit)
        && outward.iter().all(char::is_ascii_alphanumeric);
    inward_ok && outward_ok
}

/// What staff can search by. Empty fields are ignored; all given fields must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleSearch {
    /// Part of a first or last name, any case.
    pub name: Option<String>,
    pub nhs_number: Option<NhsNumber>,
    pub date_of_birth: Option<NaiveDate>,
    /// A whole postcode, as `postcode_search_key` writes it.
    pub postcode: Option<String>,
}

impl PeopleSearch {
    /// Reads one search box: an NHS number, a date (as the pages show it, "26 July 1940", or
    /// 26/07/1940, 26-7-1940, 1940-07-26, "26 Jul 1940"), a postcode, or part of a name.
    pub fn from_query(text: &str) -> PeopleSearch {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return PeopleSearch::default();
        }
        if let Ok(number) = trimmed.parse::<NhsNumber>() {
            return PeopleSearch {
                nhs_number: Some(number),
                ..Default::default()
            };
        }
        for format in [
            "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d %Y",
        ] {
            if let Some(date) = crate::validation::parse_typed_date(trimmed, &[format]) {
                return PeopleSearch {
                    date_of_birth: Some(date),
                    ..Default::default()
                };
            }
        }
        if looks_like_postcode(trimmed) {
            return PeopleSearch {
                postcode: Some(postcode_search_key(trimmed)),
                ..Default::default()
            };
        }
        PeopleSearch {
            name: Some(trimmed.chars().take(100).collect()),
            ..Default::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.nhs_number.is_none() && self.date_of_birth.is_none() && self.postcode.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_record_like_an_existing_one_is_noticed() {
        let new = valid_input().parse(today(), None).unwrap();
        let summary = |given: &str, family: &str, born: &str| PersonSummary {
            id: PersonId::generate(),
            given_name: given.into(),
            family_name: family.into(),
            date_of_birth: born.parse().unwrap(),
            nhs_number: None,
            postcode: String::new(),
            allocated_worker: None,
            allocated_worker_name: None,
            team_id: None,
        };
        assert!(may_be_the_same_person(&new, &summary("Ada", "Okafor", "1948-11-04")));
        assert!(
            may_be_the_same_person(&new, &summary("Adaeze", "Okafor", "1948-11-04")),
            "same family name and birthday"
        );
        assert!(
            may_be_the_same_person(&new, &summary("Ada", "Okafo", "1948-11-04")),
            "a slip of one letter"
        );
        assert!(
            !may_be_the_same_person(&new, &summary("Ada", "Okafor", "1948-11-05")),
            "another birthday"
        );
        assert!(!may_be_the_same_person(&new, &summary("Ben", "Smith", "1948-11-04")));
        assert_eq!(letters_apart("obrien", "obrian"), 1);
        assert_eq!(letters_apart("", "abc"), 3);
    }

    #[test]
    fn searches_read_dates_postcodes_and_names_as_staff_type_them() {
        let born = NaiveDate::from_ymd_opt(1940, 7, 26);
        for typed in [
            "26 July 1940",
            "26 Jul 1940",
            "26/07/1940",
            "26/7/1940",
            "26-07-1940",
            "1940-07-26",
            "26.07.1940",
        ] {
            assert_eq!(PeopleSearch::from_query(typed).date_of_birth, born, "{typed}");
        }
        for typed in ["TF7 5QR", "tf75qr", " TF7  5QR ", "M1 1AE", "EC1A 1BB"] {
            let search = PeopleSearch::from_query(typed);
            assert_eq!(search.postcode.as_deref(), Some(postcode_search_key(typed).as_str()), "{typed}");
        }
        assert_eq!(PeopleSearch::from_query("Okafor").name.as_deref(), Some("Okafor"));
        assert!(PeopleSearch::from_query("Okafor").postcode.is_none());
        assert_eq!(name_search_key("O'Brien"), "obrien");
        assert_eq!(name_search_key("Zoë Smith-Jones"), "zoesmithjones");
        assert_eq!(name_search_key("ÉLODIE"), "elodie");
        assert_eq!(name_search_key("D’Arcy"), "darcy");
    }

    fn valid_input() -> PersonDetailsInput {
        PersonDetailsInput {
            given_name: "Ada".into(),
            family_name: "Okafor".into(),
            date_of_birth_day: "4".into(),
            date_of_birth_month: "11".into(),
            date_of_birth_year: "1948".into(),
            nhs_number: "943 476 5919".into(),
            address_line_1: "12 Mill Lane".into(),
            town: "Tailorford".into(),
            postcode: "tf1 2ab".into(),
            contact_preference: "letter".into(),
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn a_complete_form_parses() {
        let details = valid_input().parse(today(), None).unwrap();
        assert_eq!(details.address.postcode, "TF1 2AB");
        assert_eq!(details.age_on(today()), 78);
        assert_eq!(details.consent.status, ConsentStatus::NotAsked);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = PersonDetailsInput {
            given_name: " ".into(),
            nhs_number: "943 476 5918".into(),
            date_of_birth_day: "31".into(),
            date_of_birth_month: "2".into(),
            date_of_birth_year: "1950".into(),
            ..valid_input()
        };
        let errors = input.parse(today(), None).unwrap_err();
        assert_eq!(errors.message_for("given_name"), Some("Enter their first name"));
        assert!(errors.message_for("nhs_number").unwrap().contains("valid NHS number"));
        assert!(errors.message_for("date_of_birth").unwrap().contains("real date"));
    }

    #[test]
    fn oversized_fields_are_refused_not_truncated() {
        let input = PersonDetailsInput {
            family_name: "x".repeat(10_000),
            ..valid_input()
        };
        assert!(input.parse(today(), None).unwrap_err().message_for("family_name").is_some());
    }

    #[test]
    fn choosing_phone_needs_a_number() {
        let input = PersonDetailsInput {
            contact_preference: "phone".into(),
            ..valid_input()
        };
        assert!(input.parse(today(), None).unwrap_err().message_for("phone").is_some());
    }

    #[test]
    fn consent_is_dated_when_it_changes() {
        let input = PersonDetailsInput {
            consent_status: "yes".into(),
            ..valid_input()
        };
        let details = input.parse(today(), None).unwrap();
        assert_eq!(details.consent.recorded_on, Some(today()));
        let later = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let unchanged = input.parse(later, Some(&details.consent)).unwrap();
        assert_eq!(unchanged.consent.recorded_on, Some(today()));
    }

    #[test]
    fn search_box_understands_numbers_dates_and_names() {
        assert!(PeopleSearch::from_query("9434765919").nhs_number.is_some());
        assert_eq!(
            PeopleSearch::from_query("04/11/1948").date_of_birth,
            NaiveDate::from_ymd_opt(1948, 11, 4)
        );
        assert_eq!(PeopleSearch::from_query(" okafor ").name.as_deref(), Some("okafor"));
    }
}
