//! Written records: the eligibility letter, the plan and the budget statement as printable pages
//! with the council's details, a reference and the right to challenge, and as tagged PDFs with
//! "£" printed in an embedded font, read here as a screen reader's PDF reader would: the
//! structure tree, the language, the title and the headings.

mod support;

use axum::http::StatusCode;
use support::World;

#[tokio::test]
async fn each_record_prints_with_the_councils_details_and_downloads_as_a_pdf() {
    each_record_prints_and_downloads(&World::new().await).await;
}

#[tokio::test]
async fn each_record_prints_and_downloads_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL written records checks");
        return;
    };
    each_record_prints_and_downloads(&World::on_postgres(&server_url).await).await;
    support::drop_postgres_test_databases(&server_url).await;
}

async fn each_record_prints_and_downloads(world: &World) {
    let records = world.agreed_budget(world.own_record, "practitioner").await;
    let (person, _) = world.session("person").await;
    let pages = [
        (
            format!("/assessments/{}/letter", records.assessment),
            "ELG-",
            "You are eligible for care and support.",
        ),
        (format!("/plans/{}/print", records.plan), "PLN-", "What you want to achieve"),
        (format!("/budgets/{}/print", records.budget), "BUD-", "What the council pays"),
    ];
    for (path, reference, content) in pages {
        let page = world.get(&path, Some(&person)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for expected in [
            "Tailorford Council",
            "Town Hall, Market Street",
            "01632 960 000",
            "adultsocialcare@tailorford.example",
            reference,
            content,
            "Olive Owner",
            "1 Mill Lane",
            "If you think this is wrong",
            "Local Government and Social Care Ombudsman",
        ] {
            assert!(page.body.contains(expected), "{path} shows {expected}");
        }
    }
    for (path, title, section) in [
        (
            format!("/assessments/{}/letter.pdf", records.assessment),
            "Your eligibility for care and support",
            "Our decision",
        ),
        (
            format!("/plans/{}/record.pdf", records.plan),
            "Your support plan",
            "What you want to achieve",
        ),
        (
            format!("/budgets/{}/statement.pdf", records.budget),
            "Your personal budget statement",
            "Your personal budget",
        ),
    ] {
        let pdf = world.get(&path, Some(&person)).await;
        assert_eq!(pdf.status, StatusCode::OK, "{path}");
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.body.starts_with("%PDF-"), "{path}");
        assert!(
            pdf.body.contains("DejaVu") && pdf.body.contains("/FontFile2"),
            "{path} embeds its font"
        );
        let tagged = TaggedPdf::read(&pdf.bytes);
        assert!(tagged.structure_tree, "{path} has a structure tree");
        assert!(tagged.marked, "{path} says it is tagged (MarkInfo Marked true)");
        assert_eq!(tagged.language, "en-GB", "{path}");
        assert_eq!(tagged.title, title, "{path}");
        assert!(tagged.title_shown, "{path} asks readers to show its title (DisplayDocTitle)");
        assert!(tagged.pdf_ua, "{path} claims PDF/UA-1");
        assert!(
            tagged.headings.contains(&("H1".to_owned(), title.to_owned())),
            "{path} has its title as its heading: {:?}",
            tagged.headings
        );
        for heading in [section, "If you think this is wrong"] {
            assert!(
                tagged.headings.contains(&("H2".to_owned(), heading.to_owned())),
                "{path} has the heading {heading}: {:?}",
                tagged.headings
            );
        }
        assert!(tagged.kinds.contains("P"), "{path} has paragraphs");
    }
    let statement = TaggedPdf::read(
        &world
            .get(&format!("/budgets/{}/statement.pdf", records.budget), Some(&person))
            .await
            .bytes,
    );
    for kind in ["Table", "TR", "TH", "TD"] {
        assert!(
            statement.kinds.contains(kind),
            "the budget statement's figures are a table ({kind})"
        );
    }
    let (stranger, _) = world.session("practitioner-b").await;
    assert_eq!(
        world
            .get(&format!("/budgets/{}/print", records.budget), Some(&stranger))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_letter_of_not_eligible_gives_the_advice_and_where_to_get_help() {
    let world = World::new().await;
    let assessment = world.accepted_assessment(world.own_record, "practitioner").await;
    let practitioner = world.actor("practitioner").await;
    let advice = "The strength and balance class at the leisure centre lowers the risk of falls";
    let (decided, allocation) = world
        .app
        .decide_eligibility(
            &practitioner,
            assessment,
            support::findings_unable_in(1),
            &support::decision_notes(advice),
        )
        .await
        .unwrap();
    assert!(!decided.decision.eligible && allocation.is_none());
    let (person, _) = world.session("person").await;
    let letter = world.get(&format!("/assessments/{assessment}/letter"), Some(&person)).await;
    assert_eq!(letter.status, StatusCode::OK);
    for expected in [
        "You are not eligible for care and support from the council at the moment.",
        "We looked at your needs over The eight weeks before the visit",
        "What could help now",
        advice,
        "Tailorford Community Directory",
        "Local Government and Social Care Ombudsman",
    ] {
        assert!(letter.body.contains(expected), "the letter shows {expected}");
    }
}

/// What a PDF reader finds in a PDF: read from the bytes with lopdf, not from Tailor's own code.
struct TaggedPdf {
    structure_tree: bool,
    marked: bool,
    language: String,
    title: String,
    title_shown: bool,
    pdf_ua: bool,
    /// (structure type, heading title) of every heading.
    headings: Vec<(String, String)>,
    /// Every structure type used.
    kinds: std::collections::BTreeSet<String>,
}

impl TaggedPdf {
    fn read(bytes: &[u8]) -> TaggedPdf {
        let document = lopdf::Document::load_mem(bytes).expect("a PDF lopdf can read");
        let resolve = |object: &lopdf::Object| -> lopdf::Object { document.dereference(object).unwrap().1.clone() };
        let text = |object: &lopdf::Object| -> String {
            let bytes = resolve(object).as_str().unwrap().to_vec();
            match bytes.strip_prefix(&[0xFE, 0xFF]) {
                Some(utf16) => String::from_utf16(
                    &utf16
                        .chunks(2)
                        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                        .collect::<Vec<_>>(),
                )
                .unwrap(),
                None => String::from_utf8_lossy(&bytes).into_owned(),
            }
        };
        let catalog = document.catalog().unwrap();
        let marked = catalog
            .get(b"MarkInfo")
            .ok()
            .map(&resolve)
            .and_then(|info| {
                info.as_dict()
                    .ok()
                    .and_then(|info| info.get(b"Marked").ok())
                    .and_then(|marked| marked.as_bool().ok())
            })
            .unwrap_or(false);
        let title_shown = catalog
            .get(b"ViewerPreferences")
            .ok()
            .map(&resolve)
            .and_then(|preferences| {
                preferences
                    .as_dict()
                    .ok()
                    .and_then(|preferences| preferences.get(b"DisplayDocTitle").ok())
                    .and_then(|shown| shown.as_bool().ok())
            })
            .unwrap_or(false);
        let info = resolve(document.trailer.get(b"Info").expect("an Info dictionary"));
        let mut headings = Vec::new();
        let mut kinds = std::collections::BTreeSet::new();
        for object in document.objects.values() {
            let Ok(dictionary) = object.as_dict() else { continue };
            let Ok(kind) = dictionary.get(b"S").and_then(lopdf::Object::as_name) else {
                continue;
            };
            let kind = String::from_utf8_lossy(kind).into_owned();
            if kind.starts_with('H') && kind.len() == 2 {
                headings.push((kind.clone(), dictionary.get(b"T").map(&text).unwrap_or_default()));
            }
            kinds.insert(kind);
        }
        TaggedPdf {
            structure_tree: catalog.get(b"StructTreeRoot").is_ok(),
            marked,
            language: catalog.get(b"Lang").map(&text).unwrap_or_default(),
            title: info.as_dict().unwrap().get(b"Title").map(&text).unwrap_or_default(),
            title_shown,
            pdf_ua: String::from_utf8_lossy(bytes).contains("pdfuaid:part"),
            headings,
            kinds,
        }
    }
}
