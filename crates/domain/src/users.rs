//! Accounts, teams and the organisations that can hold a person's money.

use crate::access::Role;
use crate::ids::{OrganisationId, PersonId, TeamId, UserId};
use crate::validation::{required_line, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Always stored lower-case, so sign-in does not depend on how someone capitalises it.
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    /// Set for the `Person` role: the record this account belongs to.
    pub person_id: Option<PersonId>,
    /// Set for the `Provider` role: the organisation this account works for.
    pub organisation_id: Option<OrganisationId>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    CareProvider,
    ManagedAccountService,
    PayrollService,
    Broker,
    Trust,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 5] = [
        Self::CareProvider,
        Self::ManagedAccountService,
        Self::PayrollService,
        Self::Broker,
        Self::Trust,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CareProvider => "care_provider",
            Self::ManagedAccountService => "managed_account_service",
            Self::PayrollService => "payroll_service",
            Self::Broker => "broker",
            Self::Trust => "trust",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::CareProvider => "Care provider (individual service fund)",
            Self::ManagedAccountService => "Managed account service",
            Self::PayrollService => "Payroll service",
            Self::Broker => "Support broker",
            Self::Trust => "Trust",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// Validates an email address loosely: one @, something either side, a dot in the domain.
/// Real proof of an address is that mail arrives; this only catches typing slips.
pub fn normalise_email(errors: &mut ValidationErrors, field: &str, value: &str) -> String {
    let email = required_line(errors, field, "an email address", value).to_lowercase();
    if !email.is_empty() {
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@')
            }
            None => false,
        };
        if !valid || email.contains(char::is_whitespace) {
            errors.add(field, "Enter an email address in the correct format, like name@example.com");
        }
    }
    email
}

/// The shortest password we accept. Long passphrases beat complexity rules (NCSC guidance).
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// The lowest zxcvbn score accepted: 3 of 4, "safely unguessable" (about 10^8 guesses or more),
/// so common passwords, keyboard walks, repeats ("twelve spaces") and dictionary words with
/// digits added are refused however long they are.
pub const MIN_PASSWORD_SCORE: u8 = 3;

pub fn check_new_password(errors: &mut ValidationErrors, field: &str, password: &str) {
    check_password_strength(errors, field, password, &[]);
}

/// Checks a new password's length and strength. `about_the_account` (the email address, the
/// name) counts as known to an attacker, so a password built from it is refused.
pub fn check_password_strength(errors: &mut ValidationErrors, field: &str, password: &str, about_the_account: &[&str]) {
    let known: Vec<String> = known_words(about_the_account);
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        errors.add(field, format!("Password must be {MIN_PASSWORD_LENGTH} characters or more"));
    } else if password.len() > 1024 {
        errors.add(field, "Password must be 1,024 characters or fewer");
    } else if crate::validation::has_control_characters(password, false) {
        errors.add(field, "Password must not contain control characters (such as a null character)");
    } else if u8::from(zxcvbn::zxcvbn(password, &known).score()) < MIN_PASSWORD_SCORE {
        errors.add(
            field,
            "Password is too easy to guess. Use three or more random words, and avoid common words, names and repeated characters",
        );
    }
}

/// The account's details as zxcvbn's dictionary: each whole, and each word in them ("ann",
/// "okafor" from "ann.okafor@example.org"), lower-cased, as an attacker would try them.
fn known_words(about_the_account: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for text in about_the_account {
        let lower = text.to_lowercase();
        words.extend(
            lower
                .split(|character: char| !character.is_alphanumeric())
                .filter(|word| word.chars().count() >= 3)
                .map(str::to_owned),
        );
        words.push(lower);
    }
    words
}

/// What an administrator types to create an account.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewUserInput {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub team_id: String,
    pub person_id: String,
    pub organisation_id: String,
    pub password: String,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub person_id: Option<PersonId>,
    pub organisation_id: Option<OrganisationId>,
    pub password: String,
}

impl NewUser {
    pub fn parse(input: &NewUserInput) -> Result<NewUser, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = normalise_email(&mut errors, "email", &input.email);
        let display_name = required_line(&mut errors, "display_name", "the person's name", &input.display_name);
        let role = Role::parse(&input.role);
        if role.is_none() {
            errors.add("role", "Select a role");
        }
        let team_id = parse_optional_id(&mut errors, "team_id", "team", &input.team_id);
        let person_id = parse_optional_id(&mut errors, "person_id", "person record", &input.person_id);
        let organisation_id = parse_optional_id(&mut errors, "organisation_id", "organisation", &input.organisation_id);
        match role {
            Some(Role::Person) if person_id.is_none() => errors.add("person_id", "Find and select the person this account belongs to"),
            Some(Role::Provider) if organisation_id.is_none() => {
                errors.add("organisation_id", "Select the organisation this provider account works for")
            }
            Some(Role::Practitioner | Role::TeamManager) if team_id.is_none() => {
                errors.add("team_id", "Select the team this worker belongs to")
            }
            _ => {}
        }
        check_new_password(&mut errors, "password", &input.password);
        let role = role.unwrap_or(Role::Analyst);
        errors.into_result(NewUser {
            email,
            display_name,
            role,
            team_id,
            person_id,
            organisation_id,
            password: input.password.clone(),
        })
    }
}

fn parse_optional_id<T: std::str::FromStr>(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> Option<T> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return None;
    }
    let parsed = trimmed.parse().ok();
    if parsed.is_none() {
        errors.add(field, format!("Select a {label} from the list"));
    }
    parsed
}

pub fn parse_team_name(value: &str) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = required_line(&mut errors, "name", "the team's name", value);
    errors.into_result(name)
}

pub fn parse_organisation(name: &str, kind: &str) -> Result<(String, OrganisationKind), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = required_line(&mut errors, "name", "the organisation's name", name);
    let kind_parsed = OrganisationKind::parse(kind);
    if kind_parsed.is_none() {
        errors.add("kind", "Select what kind of organisation this is");
    }
    errors.into_result((name, kind_parsed.unwrap_or(OrganisationKind::CareProvider)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lower_cased_and_checked() {
        let mut errors = ValidationErrors::default();
        assert_eq!(normalise_email(&mut errors, "email", " Ann@Example.ORG "), "ann@example.org");
        assert!(errors.is_empty());
        normalise_email(&mut errors, "email", "not-an-email");
        assert_eq!(errors.0.len(), 1);
    }

    #[test]
    fn a_person_account_needs_its_record() {
        let input = NewUserInput {
            email: "a@b.co".into(),
            display_name: "A".into(),
            role: "person".into(),
            password: "a long enough password".into(),
            ..Default::default()
        };
        let errors = NewUser::parse(&input).unwrap_err();
        assert!(errors.message_for("person_id").is_some());
    }

    #[test]
    fn common_and_repetitive_passwords_are_refused_however_long() {
        for weak in [
            "            ",
            "password1234",
            "qwertyuiop123",
            "aaaaaaaaaaaaaaaa",
            "Password123!",
            "iloveyou12345",
        ] {
            let mut errors = ValidationErrors::default();
            check_new_password(&mut errors, "password", weak);
            assert!(errors.message_for("password").is_some(), "{weak:?} should be refused");
        }
        for strong in ["a long test password", "tailor-demo-password", "correct horse battery staple"] {
            let mut errors = ValidationErrors::default();
            check_new_password(&mut errors, "password", strong);
            assert!(errors.is_empty(), "{strong:?} should be accepted: {errors:?}");
        }
    }

    #[test]
    fn a_password_made_of_the_accounts_own_details_is_refused() {
        let mut errors = ValidationErrors::default();
        check_password_strength(
            &mut errors,
            "password",
            "ann.okafor@example.org",
            &["ann.okafor@example.org", "Ann Okafor"],
        );
        assert!(errors.message_for("password").is_some(), "the email address itself");
        let mut errors = ValidationErrors::default();
        check_password_strength(&mut errors, "password", "okaforokafor", &["ann.okafor@example.org", "Ann Okafor"]);
        assert!(errors.message_for("password").is_some(), "the family name twice");
    }

    #[test]
    fn short_passwords_are_refused() {
        let mut errors = ValidationErrors::default();
        check_new_password(&mut errors, "password", "short");
        assert!(errors.message_for("password").is_some());
    }
}
