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

/// A required single line of text: trimmed, not empty, not absurdly long.
pub fn required_line(errors: &mut ValidationErrors, field: &str, label: &str, value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
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
    if trimmed.chars().count() > MAX_LINE_LENGTH {
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
    if trimmed.is_empty() {
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
    if trimmed.chars().count() > MAX_TEXT_LENGTH {
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
        if year < 1000 {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(year, month, day)
    })();
    if parsed.is_none() {
        errors.add(field, format!("{} must be a real date, like 27 3 1951", capitalise(label)));
    }
    parsed
}
