//! Fuzzing by property: every parser of outside input (typed amounts, NHS numbers, search
//! boxes, dates, postcodes, council configuration files, calibration CSV) is fed generated and
//! mutated input. None may panic; each either reads the input or says, in words, what is wrong.
//! The number of cases is bounded (`PROPTEST_CASES`, 256 by default), so this runs in a fixed
//! time in CI; set it higher for a longer hunt.

use proptest::prelude::*;
use tailor_domain::allocation::calibration::parse_test_group;
use tailor_domain::allocation::AllocationModel;
use tailor_domain::charging::ChargingRates;
use tailor_domain::council::CouncilContact;
use tailor_domain::money::Money;
use tailor_domain::nhs_number::NhsNumber;
use tailor_domain::people::{postcode_search_key, PeopleSearch};
use tailor_domain::questionnaires::Questionnaire;
use tailor_domain::validation::{has_control_characters, parse_typed_date};

const ADULT_QUESTIONNAIRE: &str = include_str!("../../../config/questionnaires/adult.toml");
const CARER_QUESTIONNAIRE: &str = include_str!("../../../config/questionnaires/carer.toml");
const ADULT_MODEL: &str = include_str!("../../../config/allocation/adult.toml");
const CARER_MODEL: &str = include_str!("../../../config/allocation/carer.toml");
const RATES: &str = include_str!("../../../config/charging/rates.toml");
const COUNCIL: &str = include_str!("../../../config/council.toml");

/// Text a person or a program might send: any characters, weighted towards the ones parsers
/// treat specially.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[-£0-9.,  ]{0,24}",
        "[0-9 /.-]{0,16}",
        "[A-Za-z0-9 '\u{00e9}\u{202e}\u{0000}\u{200b}]{0,40}",
    ]
}

/// A shipped configuration file with one edit a person might make by mistake: a line taken
/// out, a line repeated, a slice cut out, or a character replaced.
fn mutated(file: &'static str) -> impl Strategy<Value = String> {
    let lines = file.lines().count().max(1);
    (0..4_usize, 0..lines, 0..file.len().max(1), any::<char>()).prop_map(move |(edit, line, offset, character)| {
        let mut all: Vec<&str> = file.lines().collect();
        match edit {
            0 => {
                all.remove(line.min(all.len() - 1));
                all.join("\n")
            }
            1 => {
                let copy = all[line.min(all.len() - 1)];
                all.insert(line.min(all.len() - 1), copy);
                all.join("\n")
            }
            2 => {
                let start = floor_char_boundary(file, offset);
                let end = floor_char_boundary(file, offset.saturating_add(40).min(file.len()));
                format!("{}{}", &file[..start], &file[end..])
            }
            _ => {
                let at = floor_char_boundary(file, offset);
                let mut text = file.to_owned();
                if at < text.len() {
                    let next = at + text[at..].chars().next().map_or(0, char::len_utf8);
                    text.replace_range(at..next, &character.to_string());
                }
                text
            }
        }
    })
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A configuration error must point inside the file, when it points anywhere.
fn line_is_in_file(line: Option<usize>, text: &str) -> bool {
    line.is_none_or(|line| line >= 1 && line <= text.lines().count() + 1)
}

proptest! {
    #[test]
    fn typed_amounts_are_read_or_refused_never_wrapped(text in hostile_text()) {
        if let Ok(amount) = text.parse::<Money>() {
            prop_assert!(amount.pence().abs() <= Money::LARGEST_TYPED.pence());
            // What Tailor shows, it reads back to the same amount.
            prop_assert_eq!(amount.to_string().parse::<Money>(), Ok(amount));
        }
    }

    #[test]
    fn shown_amounts_read_back_exactly(pence in -Money::LARGEST_TYPED.pence()..=Money::LARGEST_TYPED.pence()) {
        let amount = Money::from_pence(pence);
        prop_assert_eq!(amount.to_string().parse::<Money>(), Ok(amount));
    }

    #[test]
    fn nhs_numbers_are_read_only_when_the_check_digit_holds(text in prop_oneof![hostile_text(), "[0-9 ]{8,14}"]) {
        if let Ok(number) = text.parse::<NhsNumber>() {
            let digits: Vec<u8> = number.digits().bytes().map(|byte| byte - b'0').collect();
            prop_assert_eq!(digits.len(), 10);
            let first_nine: [u8; 9] = digits[..9].try_into().unwrap();
            prop_assert_eq!(NhsNumber::check_digit_for(&first_nine), Some(digits[9]));
        }
    }

    #[test]
    fn a_search_box_is_read_as_exactly_one_kind_of_search(text in hostile_text()) {
        let search = PeopleSearch::from_query(&text);
        let kinds = [
            search.name.is_some(),
            search.nhs_number.is_some(),
            search.date_of_birth.is_some(),
            search.postcode.is_some(),
        ];
        let given = kinds.iter().filter(|kind| **kind).count();
        prop_assert_eq!(given, usize::from(!text.trim().is_empty()));
        if let Some(name) = &search.name {
            prop_assert!(name.chars().count() <= 100);
        }
    }

    #[test]
    fn typed_dates_are_real_dates_in_range(text in hostile_text()) {
        if let Some(date) = parse_typed_date(&text, &["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y"]) {
            prop_assert!(tailor_domain::validation::date_in_range(date));
        }
    }

    #[test]
    fn postcode_keys_hold_no_spaces_or_small_letters(text in hostile_text()) {
        let key = postcode_search_key(&text);
        prop_assert!(!key.chars().any(|character| character.is_whitespace() || character.is_ascii_lowercase()));
    }

    #[test]
    fn control_characters_are_always_noticed(prefix in "[a-z ]{0,10}", code in 0_u32..32, suffix in "[a-z ]{0,10}") {
        let character = char::from_u32(code).unwrap();
        let text = format!("{prefix}{character}{suffix}");
        let allowed_in_long_text = character == '\t' || character == '\n' || character == '\r';
        prop_assert!(has_control_characters(&text, false));
        prop_assert_eq!(has_control_characters(&text, true), !allowed_in_long_text);
    }

    #[test]
    fn questionnaires_with_a_mistake_are_refused_with_a_line_or_read(text in prop_oneof![mutated(ADULT_QUESTIONNAIRE), mutated(CARER_QUESTIONNAIRE), hostile_text()]) {
        if let Err(error) = Questionnaire::parse(&text) {
            prop_assert!(!error.reason.is_empty());
            prop_assert!(line_is_in_file(error.line, &text));
        }
    }

    #[test]
    fn allocation_models_with_a_mistake_are_refused_with_a_line_or_read(text in prop_oneof![mutated(ADULT_MODEL), mutated(CARER_MODEL), hostile_text()]) {
        match AllocationModel::parse(&text) {
            Ok(model) => {
                // A model that reads must also be checkable without panicking.
                let _ = model.check();
            }
            Err(error) => {
                prop_assert!(!error.reason.is_empty());
                prop_assert!(line_is_in_file(error.line, &text));
            }
        }
    }

    #[test]
    fn charging_tables_with_a_mistake_are_refused_with_a_line_or_read(text in prop_oneof![mutated(RATES), hostile_text()]) {
        if let Err(error) = ChargingRates::parse(&text) {
            prop_assert!(!error.reason.is_empty());
            prop_assert!(line_is_in_file(error.line, &text));
        }
    }

    #[test]
    fn council_files_with_a_mistake_are_refused_with_a_reason_or_read(text in prop_oneof![mutated(COUNCIL), hostile_text()]) {
        match CouncilContact::parse(&text) {
            Ok(council) => prop_assert!(!council.phone.trim().is_empty()),
            Err(error) => {
                prop_assert!(!error.reason.is_empty());
                prop_assert!(line_is_in_file(error.line, &text));
            }
        }
    }

    #[test]
    fn calibration_files_are_read_or_refused_with_a_reason(
        rows in proptest::collection::vec(("[a-z0-9]{0,6}", "-?[0-9]{0,12}", "[a-z_]{0,8}"), 0..6),
        noise in hostile_text(),
    ) {
        let mut text = String::from("person,annual_cost_pence,mobility\n");
        for (person, cost, answer) in &rows {
            text.push_str(&format!("{person},{cost},{answer}\n"));
        }
        text.push_str(&noise);
        if let Err(error) = parse_test_group(&text) {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}
