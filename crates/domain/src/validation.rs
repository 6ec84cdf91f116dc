//! Errors in what someone typed, one per field, in the words a person should read. The web layer
//! turns these into the GOV.UK error summary; the API returns them with a stable code.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name, which is also the id of its input, so the summary can link to it.
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|error| error.field == field).map(|error| error.message.as_str())
    }

    /// `Ok(value)` when nothing was wrong, so parsers can end with `errors.into_result(value)`.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|error| error.message.as_str()).collect();
        formatter.write_str(&messages.join("; "))
    }
}

/// Longest free text we accept in any one field. Larger input is refused, not truncated.
pub const MAX_TEXT_LENGTH: usize = 20_000;
/// Longest single-line value (names, address lines).
pub const MAX_LINE_LENGTH: usize = 200;

/// True when `value` holds a control character: NUL, the other C0 codes and DEL. Tab and new
/// lines are allowed in `multi_line` text only. PostgreSQL refuses NUL in text while SQLite
/// stores it, so refusing them here, where every text field is read, keeps the two databases
/// agreeing, and keeps invisible characters out of names, notes and the audit log.
pub fn has_control_characters(value: &str, multi_line: bool) -> bool {
    value
        .chars()
        .any(|character| character.is_ascii_control() && !(multi_line && matches!(character, '\t' | '\n' | '\r')))
}

/// Adds the field's error when `value` holds control characters (`has_control_characters`).
/// Returns true when it did.
pub fn refuse_control_characters(errors: &mut ValidationErrors, field: &str, label: &str, value: &str, multi_line: bool) -> bool {
    let found = has_control_characters(value, multi_line);
    if found {
        errors.add(
            field,
            format!(
                "{} must not contain control characters (such as a null character); type or paste it again",
                capitalise(label)
            ),
        );
    }
    found
}

/// The earliest and latest years a typed date may have: anything outside is a typing mistake,
/// and some (year -4714) cannot be stored by PostgreSQL at all.
pub const EARLIEST_YEAR: i32 = 1000;
pub const LATEST_YEAR: i32 = 9999;

/// True when a date's year is between `EARLIEST_YEAR` and `LATEST_YEAR`.
pub fn date_in_range(date: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year())
}

/// A date typed in one of `formats` (chrono's), within `date_in_range`; `None` otherwise.
pub fn parse_typed_date(text: &str, formats: &[&str]) -> Option<chrono::NaiveDate> {
    formats
        .iter()
        .find_map(|format| chrono::NaiveDate::parse_from_str(text.trim(), format).ok())
        .filter(|date| date_in_range(*date))
}

/// The last page number any list accepts. Far beyond any real list, and small enough that the
/// offset it makes (`page * page_size`) cannot overflow.
pub const LAST_PAGE: i64 = 1_000_000;

/// Checks a page number from a query string before it becomes an offset.
pub fn check_page(errors: &mut ValidationErrors, field: &str, page: i64) -> i64 {
    if !(0..=LAST_PAGE).contains(&page) {
        errors.add(field, format!("The page number must be a whole number from 0 to {LAST_PAGE}"));
        return 0;
    }
    page
}

/// A required single line of text: trimmed, not empty, not absurdly long.
pub fn required_line(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> String {
    let trimmed = value.trim();
    if refuse_control_characters(errors, field, label, value, false) {
    } else if trimmed.is_empty() {
        errors.add(field, format!("Enter {label}"));
    } else if trimmed.chars().count() > MAX_LINE_LENGTH {
        errors.add(
            field,
            format!("{} must be {MAX_LINE_LENGTH} characters or fewer", capitalise(label)),
        );
    }
    trimmed.to_owned()
}

/// An optional single line: empty becomes `None`.
pub fn optional_line(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> Option<String> {
    let trimmed = value.trim();
    if refuse_control_characters(errors, field, label, value, false) {
    } else if trimmed.chars().count() > MAX_LINE_LENGTH {
        errors.add(
            field,
            format!("{} must be {MAX_LINE_LENGTH} characters or fewer", capitalise(label)),
        );
    }
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// A required block of text, such as a case note.
pub fn required_text(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> String {
    let trimmed = value.trim();
    if refuse_control_characters(errors, field, label, value, true) {
    } else if trimmed.is_empty() {
        errors.add(field, format!("Enter {label}"));
    } else if trimmed.chars().count() > MAX_TEXT_LENGTH {
        errors.add(
            field,
            format!("{} must be {MAX_TEXT_LENGTH} characters or fewer", capitalise(label)),
        );
    }
    trimmed.to_owned()
}

/// An optional block of text.
pub fn optional_text(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> String {
    let trimmed = value.trim();
    if refuse_control_characters(errors, field, label, value, true) {
    } else if trimmed.chars().count() > MAX_TEXT_LENGTH {
        errors.add(
            field,
            format!("{} must be {MAX_TEXT_LENGTH} characters or fewer", capitalise(label)),
        );
    }
    trimmed.to_owned()
}

fn capitalise(label: &str) -> String {
    let mut characters = label.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// Parses a date given as day, month and year fields, the GOV.UK date input pattern.
pub fn date_from_parts(
    errors: &mut ValidationErrors,
    field: &str,
    label: &str,
    day: &str,
    month: &str,
    year: &str,
) -> Option<chrono::NaiveDate> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        errors.add(field, format!("Enter {label}"));
        return None;
    }
    let parsed = (|| {
        let day: u32 = day.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        let year: i32 = year.parse().ok()?;
        if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(year, month, day)
    })();
    if parsed.is_none() {
        errors.add(field, format!("{} must be a real date, like 27 3 1951", capitalise(label)));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_with_the_fields_name() {
        let mut errors = ValidationErrors::default();
        required_line(&mut errors, "given_name", "their first name", "Ada\0");
        optional_line(&mut errors, "town", "their town", "Leeds\u{7}");
        required_text(&mut errors, "text", "the note", "line one\nline\ttwo\r\n");
        optional_text(&mut errors, "notes", "notes", "a\u{1b}[31m");
        assert_eq!(
            errors.message_for("given_name"),
            Some("Their first name must not contain control characters (such as a null character); type or paste it again")
        );
        assert!(errors.message_for("town").is_some());
        assert_eq!(errors.message_for("text"), None, "tabs and new lines are fine in long text");
        assert!(errors.message_for("notes").is_some());
        assert!(has_control_characters("tab\tin a line", false));
        assert!(has_control_characters("\u{7f}", true));
    }

    #[test]
    fn dates_and_pages_are_kept_in_range() {
        assert_eq!(parse_typed_date("-4714-11-24", &["%Y-%m-%d"]), None);
        assert_eq!(parse_typed_date("10000-01-01", &["%Y-%m-%d"]), None);
        assert!(parse_typed_date("1951-03-27", &["%Y-%m-%d"]).is_some());
        let mut errors = ValidationErrors::default();
        assert!(date_from_parts(&mut errors, "dob", "date of birth", "1", "1", "-4714").is_none());
        assert_eq!(check_page(&mut errors, "page", i64::MAX), 0);
        assert_eq!(check_page(&mut errors, "page", -1), 0);
        assert_eq!(check_page(&mut errors, "page", 3), 3);
        assert_eq!(errors.0.len(), 3);
        assert!(LAST_PAGE.checked_mul(1000).is_some());
    }
}
