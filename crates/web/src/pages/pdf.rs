//! The written records as PDFs: a plain, printable document of headed paragraphs, in DejaVu Sans
//! embedded from the `dejavu` crate, so "£", accents and curly quotes print as typed.
//!
//! What a screen reader gets: the text is real text (selectable and searchable) in reading
//! order, one line at a time top to bottom, and the document has a title. The PDFs are not
//! tagged: printpdf 0.7 cannot write a structure tree (headings, lists, reading order marks), so
//! the printable web page of each record (`/…/print`) is the accessible version, and every PDF
//! says so in its first lines.

use printpdf::{IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference};

/// Characters on a line of 10-point DejaVu Sans across an A4 page with 20 mm margins.
const LINE_CHARACTERS: usize = 85;

struct Writer<'a> {
    document: &'a PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    y: f32,
}

impl Writer<'_> {
    fn line(&mut self, text: &str, size: f32, bold: bool) {
        if self.y < 20.0 {
            let (page, layer) = self.document.add_page(Mm(210.0), Mm(297.0), "text");
            self.layer = self.document.get_page(page).get_layer(layer);
            self.y = 275.0;
        }
        let font = if bold { &self.bold } else { &self.regular };
        self.layer.use_text(text, size, Mm(20.0), Mm(self.y), font);
        self.y -= size * 0.5;
    }

    /// A paragraph wrapped at word boundaries; a paragraph starting "# " is a heading.
    fn paragraph(&mut self, paragraph: &str) {
        let (is_heading, text) = match paragraph.strip_prefix("# ") {
            Some(heading) => (true, heading),
            None => (false, paragraph),
        };
        let size = if is_heading { 12.0 } else { 10.0 };
        if is_heading {
            self.y -= 2.0;
        }
        let mut line = String::new();
        for word in text.split_whitespace() {
            if !line.is_empty() && line.chars().count() + word.chars().count() + 1 > LINE_CHARACTERS {
                self.line(&line, size, is_heading);
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        self.line(&line, size, is_heading);
        self.y -= 2.0;
    }
}

/// Headed paragraphs laid out on A4 pages: `title` in large bold, then each paragraph.
pub fn pdf_document(title: &str, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    let (document, first_page, first_layer) = PdfDocument::new(title, Mm(210.0), Mm(297.0), "text");
    let regular = document
        .add_external_font(std::io::Cursor::new(dejavu::sans::regular()))
        .map_err(|error| error.to_string())?;
    let bold = document
        .add_external_font(std::io::Cursor::new(dejavu::sans::bold()))
        .map_err(|error| error.to_string())?;
    let layer = document.get_page(first_page).get_layer(first_layer);
    let mut writer = Writer {
        document: &document,
        layer,
        regular,
        bold,
        y: 275.0,
    };
    writer.line(title, 16.0, true);
    writer.y -= 4.0;
    for paragraph in paragraphs {
        writer.paragraph(paragraph);
    }
    drop(writer);
    document.save_to_bytes().map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pound_sign_is_printed_in_an_embedded_font() {
        let bytes = pdf_document(
            "Your personal budget",
            &["# What it costs".into(), "£11,575.00 a year, £222.60 a week. Zoë’s “plan”.".into()],
        )
        .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("DejaVu"), "the font is named in the document");
        assert!(text.contains("/FontFile2"), "and embedded in it");
        assert!(!text.contains("GBP"), "money is not spelt out in letters");
    }
}
