//! The audit log page and its CSV download: filters as GET parameters (so a filtered view can
//! be bookmarked and works without JavaScript), plain-English rows, and paging by sequence.

use super::{choices, render_form, Choice, PageContext};
use crate::context::{CurrentActor, RequestContext};
use crate::errors::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tailor_app::audit_log::{AuditFilterInput, AuditLogPage};
use tailor_app::AppError;
use tailor_domain::audit::AuditAction;
use tailor_domain::validation::ValidationErrors;

pub struct AuditLogRow {
    pub sequence: i64,
    pub at: String,
    pub sentence: String,
    pub person_link: Option<String>,
    pub details: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditLogView {
    page: PageContext,
    errors: ValidationErrors,
    chain: String,
    chain_intact: bool,
    input: AuditFilterInput,
    kinds: Vec<Choice>,
    person_name: Option<String>,
    rows: Vec<AuditLogRow>,
    older_link: Option<String>,
    newest_link: Option<String>,
    csv_link: String,
}

/// The filter as a query string, without paging, so links keep it.
fn filter_query(input: &AuditFilterInput) -> String {
    let pairs = [
        ("person", &input.person),
        ("account", &input.account),
        ("kind", &input.kind),
        ("from", &input.from),
        ("to", &input.to),
    ];
    pairs
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", query_escape(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but letters, digits and `-_.~`.
fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn with_query(path: &str, query: &str, extra: Option<String>) -> String {
    let parts: Vec<String> = [Some(query.to_owned()).filter(|text| !text.is_empty()), extra]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

pub async fn audit_log(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentActor(actor): CurrentActor,
    Query(input): Query<AuditFilterInput>,
) -> Response {
    let (found, errors) = match state.app.audit_log(&actor, &input).await {
        Ok(found) => (found, ValidationErrors::default()),
        Err(AppError::Invalid(errors)) => {
            let unfiltered = match state.app.audit_log(&actor, &AuditFilterInput::default()).await {
                Ok(found) => found,
                Err(error) => return PageError::from(error).into_response(),
            };
            (unfiltered, errors)
        }
        Err(error) => return PageError::from(error).into_response(),
    };
    let (chain, chain_intact) = match state.app.verify_audit_chain(None).await {
        Ok(Ok(report)) => (
            format!(
                "All {} events check out: none has been changed. Check against a checkpoint (tailor audit verify --checkpoint) to know none was removed from the end.",
                report.checked
            ),
            true,
        ),
        Ok(Err(problem)) => (format!("The log has been tampered with: {problem}."), false),
        Err(error) => return PageError::from(error).into_response(),
    };
    let AuditLogPage { lines, older, person_name } = found;
    let query = filter_query(&input);
    let rows = lines
        .into_iter()
        .map(|line| AuditLogRow {
            sequence: line.sequence,
            at: line
                .at
                .with_timezone(&chrono_tz::Europe::London)
                .format("%-d %b %Y %H:%M")
                .to_string(),
            sentence: line.sentence,
            person_link: line.person_id.map(|id| {
                let mut only = input.clone();
                only.person = id.to_string();
                with_query("/admin/audit", &filter_query(&only), None)
            }),
            details: line.details,
        })
        .collect();
    let kinds = choices(
        std::iter::once(("", "Every kind")).chain(AuditAction::ALL.iter().map(|action| (action.as_str(), action.label()))),
        &input.kind,
    );
    let view = AuditLogView {
        page: PageContext::new(&state, &context, "Audit log", "/admin/audit").with_errors(&errors),
        errors,
        chain,
        chain_intact,
        kinds,
        person_name,
        rows,
        older_link: older.map(|before| with_query("/admin/audit", &query, Some(format!("before={before}")))),
        newest_link: input.before.map(|_| with_query("/admin/audit", &query, None)),
        csv_link: with_query("/admin/audit.csv", &query, None),
        input,
    };
    render_form(&view, &view.errors)
}

pub async fn audit_csv(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(input): Query<AuditFilterInput>,
) -> Response {
    match state.app.audit_log_csv(&actor, &input).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\""),
            ],
            csv,
        )
            .into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filter_and_escape_it() {
        let input = AuditFilterInput {
            account: "sam.okoro+1@example.org".into(),
            from: "1 May 2026".into(),
            ..AuditFilterInput::default()
        };
        assert_eq!(filter_query(&input), "account=sam.okoro%2B1%40example.org&from=1%20May%202026");
        assert_eq!(with_query("/admin/audit", "", Some("before=5".into())), "/admin/audit?before=5");
        assert_eq!(with_query("/admin/audit.csv", "", None), "/admin/audit.csv");
    }
}
