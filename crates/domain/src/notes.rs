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

/// Characters that change how a name is shown without being seen: right-to-left overrides that
/// make "invoice(U+202E)fdp.exe" show as "invoiceexe.pdf", zero-width spaces and joiners, byte
/// order marks.
fn is_invisible_formatting(character: char) -> bool {
    matches!(character, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether the bytes are what the name says they are. The name picks the expected type; the
/// content must carry that type's signature, so an HTML page saved as .pdf is refused.
fn content_matches(extension: &str, content: &[u8]) -> bool {
    let sniffed = infer::get(content).map(|kind| kind.mime_type());
    let zip = content.starts_with(b"PK\x03\x04");
    match extension {
        "pdf" => content.starts_with(b"%PDF-"),
        "png" => sniffed == Some("image/png"),
        "jpg" | "jpeg" => sniffed == Some("image/jpeg"),
        // Word and OpenDocument files are zip containers; what is inside names the kind.
        "docx" => zip && (sniffed == Some(DOCX) || sniffed == Some("application/zip")),
        "odt" => zip && (sniffed == Some("application/vnd.oasis.opendocument.text") || sniffed == Some("application/zip")),
        "txt" => {
            sniffed.is_none()
                && std::str::from_utf8(content).is_ok_and(|text| {
                    text.chars()
                        .all(|character| !character.is_control() || matches!(character, '\t' | '\n' | '\r'))
                })
        }
        _ => false,
    }
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Checks an upload and decides its content type from its name and its content, never from what
/// the browser claims. The file name is kept without folders, quotes, control characters or
/// invisible formatting characters.
pub fn check_document(title: &str, file_name: &str, content: &[u8]) -> Result<(String, String, String), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let title = required_line(&mut errors, "title", "a title for the document", title);
    let clean_name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|character| !character.is_control() && *character != '"' && !is_invisible_formatting(*character))
        .take(150)
        .collect();
    let clean_name = clean_name.trim().to_owned();
    let extension = clean_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_lowercase())
        .unwrap_or_default();
    let content_type = ALLOWED_DOCUMENT_TYPES
        .iter()
        .find(|(allowed, _)| *allowed == extension)
        .map(|(_, content_type)| (*content_type).to_owned());
    if clean_name.is_empty() || content.is_empty() {
        errors.add("file", "Select a file to upload");
    } else if content_type.is_none() {
        errors.add("file", "The file must be a PDF, PNG, JPG, TXT, DOCX or ODT");
    } else if content.len() > MAX_DOCUMENT_BYTES {
        errors.add("file", "The file must be smaller than 5MB");
    } else if !content_matches(&extension, content) {
        errors.add(
            "file",
            format!("The file is not a real .{extension} file: save it again as a PDF, PNG, JPG, TXT, DOCX or ODT"),
        );
    }
    errors.into_result((title, clean_name, content_type.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_typed_by_its_content_as_well_as_its_name() {
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        let refused = check_document("Letter", "letter.pdf", html).unwrap_err();
        assert!(refused.message_for("file").unwrap().contains("not a real .pdf"));
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];
        assert_eq!(check_document("Photo", "photo.png", &png).unwrap().2, "image/png");
        assert!(check_document("Photo", "photo.jpg", &png).is_err(), "a PNG named .jpg is refused");
        assert!(check_document("Notes", "notes.txt", b"Visit on Tuesday").is_ok());
        assert!(check_document("Notes", "notes.txt", b"\x7fELF binary").is_err());
    }

    #[test]
    fn invisible_characters_are_taken_out_of_file_names() {
        let pdf = b"%PDF-1.4".to_vec();
        let (_, name, _) = check_document("Invoice", "invoice\u{202E}fdp.exe.pdf", &pdf).unwrap();
        assert_eq!(name, "invoicefdp.exe.pdf");
        let (_, name, _) = check_document("Letter", "let\u{200B}ter.pdf", &pdf).unwrap();
        assert_eq!(name, "letter.pdf");
    }

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
        let pdf = b"%PDF-1.7 a letter".to_vec();
        assert_eq!(check_document("Letter", "C:\\docs\\letter.PDF", &pdf).unwrap().2, "application/pdf");
        assert!(check_document("Script", "run.exe", &pdf).is_err());
        let mut huge = pdf.clone();
        huge.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert!(check_document("Huge", "big.pdf", &huge).is_err());
    }
}
