//! GOV.UK Frontend's CSS, JavaScript, fonts and images (from npm, pinned by package-lock.json)
//! and Tailor's own small stylesheet, embedded in the binary so it serves them itself.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../node_modules/govuk-frontend/dist/govuk/"]
#[include = "govuk-frontend.min.css"]
#[include = "govuk-frontend.min.js"]
#[include = "assets/fonts/*"]
#[include = "assets/images/*"]
#[include = "assets/manifest.json"]
struct GovukFrontend;

#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct OwnStatic;

fn serve(file: Option<rust_embed::EmbeddedFile>) -> Response {
    match file {
        Some(file) => {
            let mime = file.metadata.mimetype().to_owned();
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
                ],
                file.data.into_owned(),
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/assets/...`: the paths GOV.UK Frontend's stylesheet expects its fonts and images at.
pub async fn govuk_asset(Path(path): Path<String>) -> Response {
    serve(GovukFrontend::get(&format!("assets/{path}")))
}

/// `/static/...`: the GOV.UK Frontend bundle and Tailor's own stylesheet.
pub async fn static_file(Path(path): Path<String>) -> Response {
    let file = GovukFrontend::get(&path).or_else(|| OwnStatic::get(&path));
    serve(file)
}
