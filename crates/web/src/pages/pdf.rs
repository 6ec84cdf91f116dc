//! The written records as tagged PDFs, made with krilla and checked against PDF/UA-1 as they are
//! written: DejaVu Sans is embedded (so "£", accents and curly quotes print as typed), the
//! document's language is en-GB, its title is what a PDF reader shows as the window title, and a
//! structure tree gives screen readers the headings (H1, H2), paragraphs (P) and tables (TR, TH,
//! TD) in reading order, with an outline of the headings to move between them.

use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use std::num::NonZeroU16;

/// A piece of a written record, as the PDF's structure tree names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section heading (H2; the title is the one H1).
    Heading(String),
    Paragraph(String),
    /// Rows of a label (a row header) and its value.
    Table(Vec<(String, String)>),
}

impl Block {
    /// Paragraphs where one starting "# " is a heading, as the assessment record is written.
    pub fn from_paragraphs(paragraphs: &[String]) -> Vec<Block> {
        paragraphs
            .iter()
            .map(|paragraph| match paragraph.strip_prefix("# ") {
                Some(heading) => Block::Heading(heading.to_owned()),
                None => Block::Paragraph(paragraph.clone()),
            })
            .collect()
    }
}

/// The language every record is written in.
pub const LANGUAGE: &str = "en-GB";

// A4 in points, with 20 mm margins.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 57.0;
const TOP: f32 = 57.0;
const BOTTOM: f32 = 785.0;
/// Characters on a line of 10-point DejaVu Sans across the page between the margins.
const LINE_CHARACTERS: usize = 85;
/// A table's label column: its width in characters, and where its value column starts.
const LABEL_CHARACTERS: usize = 30;
const VALUE_LEFT: f32 = LEFT + 185.0;
const VALUE_CHARACTERS: usize = 52;

/// One line of text placed on a page; it becomes one marked span in the structure tree.
struct Line {
    page: usize,
    x: f32,
    baseline: f32,
    text: String,
    size: f32,
    bold: bool,
}

/// What the structure tree holds, by the index of each line in `Layout::lines`.
enum Element {
    Heading { level: u16, text: String, lines: Vec<usize> },
    Paragraph(Vec<usize>),
    Table(Vec<(Vec<usize>, Vec<usize>)>),
}

#[derive(Default)]
struct Layout {
    lines: Vec<Line>,
    elements: Vec<Element>,
    page: usize,
    y: f32,
}

/// `text` wrapped at word boundaries into lines of at most `width` characters (a longer word
/// keeps a line to itself).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + word.chars().count() + 1 > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

impl Layout {
    /// Room for `height` points on this page, or the top of the next; returns where it starts.
    fn room(&mut self, height: f32) -> f32 {
        if self.y + height > BOTTOM && self.y > TOP {
            self.page += 1;
            self.y = TOP;
        }
        let start = self.y;
        self.y += height;
        start
    }

    fn push_line(&mut self, x: f32, baseline: f32, text: String, size: f32, bold: bool) -> usize {
        self.lines.push(Line {
            page: self.page,
            x,
            baseline,
            text,
            size,
            bold,
        });
        self.lines.len() - 1
    }

    /// Lines of running text, each placed below the last.
    fn text(&mut self, text: &str, size: f32, bold: bool, width: usize) -> Vec<usize> {
        let leading = size * 1.4;
        wrap(text, width)
            .into_iter()
            .map(|line| {
                let top = self.room(leading);
                self.push_line(LEFT, top + size, line, size, bold)
            })
            .collect()
    }

    fn heading(&mut self, level: u16, text: &str) {
        let size = if level == 1 { 16.0 } else { 12.0 };
        self.y += if level == 1 { 0.0 } else { 6.0 };
        // A heading is never left alone at the foot of a page.
        if self.y + size * 4.0 > BOTTOM {
            self.room(BOTTOM);
        }
        let lines = self.text(text, size, true, LINE_CHARACTERS * 10 / size as usize);
        self.y += 4.0;
        self.elements.push(Element::Heading {
            level,
            text: text.to_owned(),
            lines,
        });
    }

    fn paragraph(&mut self, text: &str) {
        let lines = self.text(text, 10.0, false, LINE_CHARACTERS);
        self.y += 4.0;
        self.elements.push(Element::Paragraph(lines));
    }

    fn table(&mut self, rows: &[(String, String)]) {
        let mut placed = Vec::new();
        for (label, value) in rows {
            let labels = wrap(label, LABEL_CHARACTERS);
            let values = wrap(value, VALUE_CHARACTERS);
            let height = labels.len().max(values.len()).max(1) as f32 * 14.0;
            let top = self.room(height + 4.0);
            let place = |lines: Vec<String>, x: f32, bold: bool, layout: &mut Layout| {
                lines
                    .into_iter()
                    .enumerate()
                    .map(|(index, line)| layout.push_line(x, top + 10.0 + index as f32 * 14.0, line, 10.0, bold))
                    .collect::<Vec<_>>()
            };
            let label_lines = place(labels, LEFT, true, self);
            let value_lines = place(values, VALUE_LEFT, false, self);
            placed.push((label_lines, value_lines));
        }
        self.y += 4.0;
        self.elements.push(Element::Table(placed));
    }
}

/// A record as a tagged A4 PDF: `title` as its one H1 (and the document's title), then each block.
pub fn pdf_document(title: &str, blocks: &[Block]) -> Result<Vec<u8>, String> {
    match write(title, blocks, true) {
        Ok(bytes) => Ok(bytes),
        // Something typed that PDF/UA cannot carry (a character DejaVu Sans has no glyph for, say)
        // must not stop the person getting their letter: it is written again, still tagged,
        // without the PDF/UA claim.
        Err(WriteError::Validation(problems)) => {
            tracing::warn!(%problems, "a record could not be written as PDF/UA-1; written as a tagged PDF without the claim");
            write(title, blocks, false).map_err(|error| error.to_string())
        }
        Err(error) => Err(error.to_string()),
    }
}

#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error("the PDF/UA-1 check found: {0}")]
    Validation(String),
    #[error("the PDF could not be written: {0}")]
    Other(String),
}

fn write(title: &str, blocks: &[Block], claim_pdf_ua: bool) -> Result<Vec<u8>, WriteError> {
    let mut layout = Layout {
        y: TOP,
        ..Layout::default()
    };
    layout.heading(1, title);
    for block in blocks {
        match block {
            Block::Heading(text) => layout.heading(2, text),
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Table(rows) => layout.table(rows),
        }
    }

    let mut configuration = ConfigurationBuilder::new();
    if claim_pdf_ua {
        configuration = configuration.with_accessibility_validator(Accessibility::UA1);
    }
    let settings = SerializeSettings {
        enable_tagging: true,
        configuration: configuration.finish().map_err(|error| WriteError::Other(format!("{error:?}")))?,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let font =
        |data: &'static [u8]| Font::new(data.to_vec().into(), 0).ok_or_else(|| WriteError::Other("DejaVu Sans could not be read".into()));
    let regular = font(dejavu::sans::regular())?;
    let bold = font(dejavu::sans::bold())?;

    let mut identifiers: Vec<Option<Identifier>> = Vec::with_capacity(layout.lines.len());
    let pages = layout.lines.last().map_or(1, |line| line.page + 1);
    let mut lines = layout.lines.iter().peekable();
    for page_index in 0..pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| WriteError::Other("no page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        while let Some(line) = lines.next_if(|line| line.page == page_index) {
            let identifier = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            surface.draw_text(
                Point::from_xy(line.x, line.baseline),
                if line.bold { bold.clone() } else { regular.clone() },
                line.size,
                &line.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            identifiers.push(Some(identifier));
        }
        surface.finish();
        page.finish();
    }

    let mut take = |indexes: &[usize], group: &mut TagGroup| {
        for index in indexes {
            if let Some(identifier) = identifiers.get_mut(*index).and_then(Option::take) {
                group.push(identifier);
            }
        }
    };
    let mut tree = TagTree::new().with_lang(Some(LANGUAGE.to_owned()));
    let mut outline = Outline::new();
    let mut sections: Option<OutlineNode> = None;
    for element in &layout.elements {
        match element {
            Element::Heading { level, text, lines } => {
                let mut group = TagGroup::new(Tag::Hn(NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN), Some(text.clone())));
                take(lines, &mut group);
                tree.push(group);
                let first = lines.first().and_then(|index| layout.lines.get(*index));
                let destination = XyzDestination::new(
                    first.map_or(0, |line| line.page),
                    Point::from_xy(LEFT, first.map_or(TOP, |line| line.baseline - line.size)),
                );
                let node = OutlineNode::new(text.clone(), destination);
                match sections.as_mut() {
                    Some(title) if *level > 1 => title.push_child(node),
                    _ => {
                        if let Some(previous) = sections.replace(node) {
                            outline.push_child(previous);
                        }
                    }
                }
            }
            Element::Paragraph(lines) => {
                let mut group = TagGroup::new(Tag::P);
                take(lines, &mut group);
                tree.push(group);
            }
            Element::Table(rows) => {
                let mut table = TagGroup::new(Tag::Table);
                for (label, value) in rows {
                    let mut header = TagGroup::new(Tag::TH(TableHeaderScope::Row));
                    take(label, &mut header);
                    let mut cell = TagGroup::new(Tag::TD);
                    take(value, &mut cell);
                    let mut row = TagGroup::new(Tag::TR);
                    row.push(header);
                    row.push(cell);
                    table.push(row);
                }
                tree.push(table);
            }
        }
    }
    if let Some(title) = sections {
        outline.push_child(title);
    }
    document.set_outline(outline);
    document.set_tag_tree(tree);
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language(LANGUAGE.to_owned())
            .creator("Tailor".to_owned()),
    );
    document.finish().map_err(|error| match error {
        krilla::error::KrillaError::Validation(problems) => WriteError::Validation(
            problems
                .iter()
                .map(|(problem, _)| format!("{problem:?}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => WriteError::Other(format!("{other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> Vec<Block> {
        vec![
            Block::Paragraph("Reference: BUD-1234ABCD.".into()),
            Block::Heading("What it costs".into()),
            Block::Paragraph("£11,575.00 a year, £222.60 a week. Zoë’s “plan”.".into()),
            Block::Table(vec![("What the council pays".into(), "£11,575.00 a year, £222.60 a week".into())]),
        ]
    }

    #[test]
    fn the_pound_sign_is_printed_in_an_embedded_font_in_a_tagged_pdf_ua_document() {
        let bytes = write("Your personal budget", &statement(), true).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("DejaVu"), "the font is named in the document");
        assert!(text.contains("/FontFile2"), "and embedded in it");
        assert!(text.contains("pdfuaid"), "the document claims PDF/UA-1");
        assert!(!text.contains("GBP"), "money is not spelt out in letters");
    }

    #[test]
    fn a_character_the_font_lacks_still_gives_a_tagged_pdf() {
        let mut blocks = statement();
        blocks.push(Block::Paragraph(
            "A note with a character DejaVu Sans has no glyph for: \u{1F600}".into(),
        ));
        let bytes = pdf_document("Your support plan", &blocks).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("StructTreeRoot"));
    }

    #[test]
    fn a_long_record_runs_over_pages_and_every_line_is_tagged() {
        let blocks: Vec<Block> = (0..200)
            .map(|index| Block::Paragraph(format!("Paragraph {index} of a long plan.")))
            .collect();
        let bytes = write("Your support plan", &blocks, true).unwrap();
        assert!(lopdf::Document::load_mem(&bytes).unwrap().get_pages().len() >= 4);
    }

    #[test]
    fn text_wraps_at_word_boundaries() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("", 7), Vec::<String>::new());
        assert_eq!(wrap("unbreakable", 4), vec!["unbreakable"]);
    }
}
