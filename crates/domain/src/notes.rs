//! Case notes (the chronology) and documents kept on a person's record.

use crate::ids::{DocumentId, NoteId, PersonId, UserId};
use crate::people::labelled_enum;
use crate::validation::{required_line, required_text, ValidationErrors};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// What happened, so a chronology can be filtered by kind.
    NoteKind {
        Conversation => ("conversation", "Conversation"),
        Visit => ("visit", "Visit"),
        PhoneCall => ("phone_call", "Phone call"),
        Email => ("email", "Email or letter"),
        Decision => ("decision", "Decision"),
        Other => ("other", "Other"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNote {
    pub id: NoteId,
    pub person_id: PersonId,
    pub kind: NoteKind,
    /// The day it happened, which may be before the day it was written down.
    pub occurred_on: NaiveDate,
    pub text: String,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseNoteInput {
    pub kind: String,
    pub text: String,
    /// Optional; the day of writing when empty. Accepts 2026-11-22 or 22/11/2026.
    pub occurred_on: String,
}

impl CaseNoteInput {
    pub fn parse(&self, today: NaiveDate) -> Result<(NoteKind, NaiveDate, String), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = if self.kind.trim().is_empty() {
            Some(NoteKind::Conversation)
        } else {
            NoteKind::parse(&self.kind)
        };
        if kind.is_none() {
            errors.add("kind", "Select what kind of contact this was");
        }
        let occurred_on = if self.occurred_on.trim().is_empty() {
            Some(today)
        } else {
            crate::validation::parse_typed_date(&self.occurred_on, &["%Y-%m-%d", "%d/%m/%Y"])
        };
        match occurred_on {
            None => errors.add("occurred_on", "Date must be a real date, like 22/11/2026"),
            Some(day) if day > today => errors.add("occurred_on", "Date must be today or in the past"),
            Some(_) => {}
        }
        let text = required_text(&mut errors, "text", "the note", &self.text);
        errors.into_result((kind.unwrap_or(NoteKind::Other), occurred_on.unwrap_or(today), text))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    pub id: DocumentId,
    pub person_id: PersonId,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: UserId,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Largest document we keep. Bigger files belong in the council's document store.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// The kinds of file we accept, because each can be opened safely in a browser or office suite.
pub const ALLOWED_DOCUMENT_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("odt", "application/vnd.oasis.opendocument.text"),
];

/// Checks an upload and decides its content type from its name, never from what the browser claims.
pub fn check_document(title: &str, file_name: &str, size: usize) -> Result<(String, String, String), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let title = required_line(&mut errors, "title", "a title for the document", title);
    let clean_name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|character| !character.is_control() && *character != '"')
        .take(150)
        .collect();
    let extension = clean_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_lowercase())
        .unwrap_or_default();
    let content_type = ALLOWED_DOCUMENT_TYPES
        .iter()
        .find(|(allowed, _)| *allowed == extension)
        .map(|(_, content_type)| (*content_type).to_owned());
    if clean_name.is_empty() || size == 0 {
        errors.add("file", "Select a file to upload");
    } else if content_type.is_none() {
        errors.add("file", "The file must be a PDF, PNG, JPG, TXT, DOCX or ODT");
    } else if size > MAX_DOCUMENT_BYTES {
        errors.add("file", "The file must be smaller than 5MB");
    }
    errors.into_result((title, clean_name, content_type.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_note_is_refused() {
        let input = CaseNoteInput {
            text: "   ".into(),
            ..Default::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(input.parse(today).unwrap_err().message_for("text"), Some("Enter the note"));
    }

    #[test]
    fn a_note_cannot_be_dated_in_the_future() {
        let input = CaseNoteInput {
            text: "Visited".into(),
            occurred_on: "2026-11-23".into(),
            ..Default::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert!(input.parse(today).is_err());
    }

    #[test]
    fn documents_are_typed_by_extension_and_size() {
        assert_eq!(check_document("Letter", "C:\\docs\\letter.PDF", 100).unwrap().2, "application/pdf");
        assert!(check_document("Script", "run.exe", 100).is_err());
        assert!(check_document("Huge", "big.pdf", MAX_DOCUMENT_BYTES + 1).is_err());
    }
}
