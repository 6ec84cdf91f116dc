//! The written record as a PDF: a plain, printable document of headed paragraphs.

// The written record as a PDF

/// Lines of text laid out on A4 pages in a built-in font, for the downloadable written record.
pub fn pdf_document(title: &str, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    use printpdf::{BuiltinFont, Mm, PdfDocument};
    let (document, first_page, first_layer) = PdfDocument::new(title, Mm(210.0), Mm(297.0), "text");
    let regular = document
        .add_builtin_font(BuiltinFont::Helvetica)
        .map_err(|error| error.to_string())?;
    let bold = document
        .add_builtin_font(BuiltinFont::HelveticaBold)
        .map_err(|error| error.to_string())?;
    let mut layer = document.get_page(first_page).get_layer(first_layer);
    let mut y = 275.0;
    let write = |text: &str, size: f32, is_bold: bool, layer: &mut printpdf::PdfLayerReference, y: &mut f32| {
        if *y < 20.0 {
            let (page, new_layer) = document.add_page(Mm(210.0), Mm(297.0), "text");
            *layer = document.get_page(page).get_layer(new_layer);
            *y = 275.0;
        }
        layer.use_text(text, size, Mm(20.0), Mm(*y), if is_bold { &bold } else { &regular });
        *y -= size * 0.5;
    };
    write(title, 16.0, true, &mut layer, &mut y);
    y -= 4.0;
    for paragraph in paragraphs {
        let (is_heading, text) = match paragraph.strip_prefix("# ") {
            Some(heading) => (true, heading),
            None => (false, paragraph.as_str()),
        };
        // Built-in PDF fonts have no £ in every viewer's encoding, so money is written "GBP".
        let text = text
            .replace('£', "GBP ")
            .replace(['’', '‘'], "'")
            .replace(['“', '”'], "\"")
            .replace('×', "x")
            .replace('−', "-");
        let mut line = String::new();
        for word in text.split_whitespace() {
            if line.len() + word.len() + 1 > 95 {
                write(&line, 10.0, is_heading, &mut layer, &mut y);
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        write(&line, if is_heading { 12.0 } else { 10.0 }, is_heading, &mut layer, &mut y);
        y -= 2.0;
    }
    document.save_to_bytes().map_err(|error| error.to_string())
}
