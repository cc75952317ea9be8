//! The registry's public pages, served by `accord serve` itself: HTML
//! rendered on the server (maud), readable without JavaScript, with one
//! script that lets the reader's browser verify what a page shows.
//!
//! Every page is rendered from the witnessed snapshot, so each log entry it
//! cites can be proved against the checkpoint it names. Its `verify`
//! control (`assets/verify.js`) checks, in the browser: the checkpoint's
//! Ed25519 signature by the registry's key (WebCrypto), the consistency of
//! that checkpoint with the last one this browser saw (kept in local
//! storage), the inclusion of every cited entry, and that each entry says
//! what the page shows beside it.
//!
//! Components shared by every page (the shell, bars, trend charts with
//! their table fallbacks, pagination) live here; pages live in their own
//! modules.

mod commitments;
mod early_warning;
pub(crate) mod evaluation;
mod leaderboard;

use crate::service::{Registry, View};
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, Render, html};
use serde::de::DeserializeOwned;
use std::sync::Arc;

type Shared = Arc<Registry>;

/// Rows on one page of a table.
pub const ROWS_PER_PAGE: usize = 50;

const STYLE: &str = include_str!("../../assets/accord.css");
const VERIFY_SCRIPT: &str = include_str!("../../assets/verify.js");

/// The pages' routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(leaderboard::home))
        .route("/leaderboard", get(leaderboard::home))
        .route("/leaderboard/{index}", get(leaderboard::index_page))
        .route(
            "/leaderboard/{index}/{edition}/{lab}",
            get(leaderboard::evidence_page),
        )
        .route("/early-warning", get(early_warning::dashboard))
        .route("/evaluation", get(evaluation::page))
        .route("/commitments", get(commitments::index_page))
        .route(
            "/commitments/{participant}",
            get(commitments::participant_page),
        )
        .route(
            "/assets/accord.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/assets/verify.js",
            get(|| async { asset("text/javascript; charset=utf-8", VERIFY_SCRIPT) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// What the shell needs from the registry to let the browser verify, and
/// to link only to pages it has.
pub(crate) struct Provenance {
    origin: String,
    vkey: String,
    log_size: u64,
    evaluation: bool,
}

impl Provenance {
    fn of(registry: &Registry, view: &View<'_>) -> Self {
        Self {
            origin: registry.log().origin().to_string(),
            vkey: registry.log().verifier().vkey(),
            log_size: view.replica.log_size(),
            evaluation: registry.evaluation().is_some(),
        }
    }
}

/// A whole page: header, navigation, the verify control and `main`.
pub(crate) fn shell(title: &str, provenance: &Provenance, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (provenance.origin) }
                link rel="stylesheet" href="/assets/accord.css";
                script type="module" src="/assets/verify.js" {}
            }
            body data-vkey=(provenance.vkey) data-origin=(provenance.origin) data-log-size=(provenance.log_size) {
                header {
                    p.registry { "Registry " code { (provenance.origin) } }
                    nav aria-label="Pages" {
                        ul {
                            li { a href="/leaderboard" { "Leaderboard" } }
                            li { a href="/commitments" { "Commitments" } }
                            li { a href="/early-warning" { "Early warning" } }
                            // `/evaluation` exists only with `accord serve --evaluation`.
                            @if provenance.evaluation { li { a href="/evaluation" { "Evaluation" } } }
                            li { a href="/openapi.json" { "API" } }
                        }
                    }
                }
                main id="main" {
                    h1 { (title) }
                    (main)
                }
                section #verify aria-labelledby="verify-title" {
                    h2 #verify-title { "Verify this page" }
                    p {
                        "Your browser checks the log's signed checkpoint (size "
                        (provenance.log_size) "), its consistency with the last checkpoint it saw here, and every entry this page cites. "
                        "Registry key: " code #vkey { (provenance.vkey) }
                    }
                    button #verify-button type="button" { "Verify" }
                    p #verify-status role="status" aria-live="polite" { "Not verified yet." }
                    ol #verify-details {}
                }
            }
        }
    }
}

/// A rendered page as an HTML response. Pages follow the log, so a cache
/// must ask again each time.
pub(crate) fn html_response(page: Markup) -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        axum::response::Html(page.into_string()),
    )
        .into_response()
}

/// `Path` for pages: a malformed URL (not UTF-8, say) gets the registry's
/// own "Bad request" page, not the framework's plain-text refusal.
pub(crate) struct UrlPath<T>(pub T);

/// `Query` for pages, refusing as [`UrlPath`] does.
pub(crate) struct UrlQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<Shared> for UrlPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, registry: &Shared) -> Result<Self, Response> {
        match Path::<T>::from_request_parts(parts, registry).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(bad_request(registry, &rejection.body_text())),
        }
    }
}

impl<T: DeserializeOwned + Send> FromRequestParts<Shared> for UrlQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, registry: &Shared) -> Result<Self, Response> {
        match Query::<T>::from_request_parts(parts, registry).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(bad_request(registry, &rejection.body_text())),
        }
    }
}

/// The page for a URL the registry cannot read.
fn bad_request(registry: &Registry, why: &str) -> Response {
    let provenance = Provenance::of(registry, &registry.published());
    let page = shell("Bad request", &provenance, html! { p { (why) } });
    (StatusCode::BAD_REQUEST, html_response(page)).into_response()
}

/// The page for a missing thing.
pub(crate) fn not_found(provenance: &Provenance, what: &str) -> Response {
    let page = shell("Not found", provenance, html! { p { (what) } });
    (StatusCode::NOT_FOUND, html_response(page)).into_response()
}

/// The witnessed snapshot every page renders from, with what the shell
/// needs; before the witnesses first cosign, the page saying so.
pub(crate) fn witnessed(registry: &Registry) -> Result<(View<'_>, Provenance), Box<Response>> {
    let view = registry
        .witnessed()
        .ok_or_else(|| Box::new(not_witnessed(registry)))?;
    let provenance = Provenance::of(registry, &view);
    Ok((view, provenance))
}

/// The page before the witnesses first cosign: nothing can be proved yet.
fn not_witnessed(registry: &Registry) -> Response {
    let provenance = Provenance::of(registry, &registry.published());
    let page = shell(
        "Not witnessed yet",
        &provenance,
        html! { p { "The witnesses have not cosigned a checkpoint yet, so nothing here could be proved. Try again in a minute." } },
    );
    (StatusCode::SERVICE_UNAVAILABLE, html_response(page)).into_response()
}

/// A horizontal bar for a share in `[0, 1]`, labelled for screen readers.
pub(crate) fn bar(share: f64, label: &str) -> Markup {
    let width = (share.clamp(0.0, 1.0) * 100.0).round();
    html! {
        svg.bar width="100" height="10" viewBox="0 0 100 10" role="img" aria-label=(label) {
            title { (label) }
            rect.track x="0" y="0" width="100" height="10" {}
            rect.fill x="0" y="0" width=(width) height="10" {}
        }
    }
}

/// A small line chart of one series over editions (`None`: not assessed),
/// labelled; the numbers are always also in a table beside it.
pub(crate) fn trend(points: &[Option<f64>], max: f64, label: &str) -> Markup {
    const WIDTH: f64 = 120.0;
    const HEIGHT: f64 = 24.0;
    let step = if points.len() > 1 {
        WIDTH / (points.len() - 1) as f64
    } else {
        0.0
    };
    let coordinates: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.map(|v| {
                let y = HEIGHT - 2.0 - (v / max).clamp(0.0, 1.0) * (HEIGHT - 4.0);
                format!("{:.1},{:.1}", i as f64 * step, y)
            })
        })
        .collect();
    html! {
        svg.trend width=(WIDTH) height=(HEIGHT) viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(label) {
            title { (label) }
            polyline points=(coordinates.join(" ")) {}
            @for point in &coordinates {
                @let (x, y) = point.split_once(',').expect("x,y");
                circle cx=(x) cy=(y) r="2" {}
            }
        }
    }
}

/// An id as one URL path segment or query value: every byte but letters,
/// digits and `-._~` percent-encoded (ids may hold `/` and `:`).
pub(crate) fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A participant's free text (a commitment, a reason) as HTML whose text
/// in the browser's DOM is exactly the text, so `verify.js` can compare it
/// with the log entry. The HTML parser would turn a carriage return into a
/// line feed and drop NUL: a carriage return is written as `&#13;`, which
/// the parser keeps; NUL, which no HTML can carry, is shown as U+FFFD (as
/// the parser itself reads `&#0;`), and `verify.js` expects it there.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl Render for Shown<'_> {
    fn render_to(&self, buffer: &mut String) {
        for (i, part) in self.0.split('\r').enumerate() {
            if i > 0 {
                buffer.push_str("&#13;");
            }
            part.replace('\0', "\u{FFFD}").as_str().render_to(buffer);
        }
    }
}

/// A table's header row of column names.
pub(crate) fn head(columns: &[&str]) -> Markup {
    html! { thead { tr { @for column in columns { th scope="col" { (column) } } } } }
}

/// `?page=` of a paginated table.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct PageQuery {
    pub(crate) page: Option<usize>,
}

/// The page shown (from 1) and the rows before it, for `?page=` over a table
/// of `rows` rows: a page past the end shows the last page, not an empty table.
pub(crate) fn page_offset(page: Option<usize>, rows: usize) -> (usize, usize) {
    let pages = rows.div_ceil(ROWS_PER_PAGE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    (page, (page - 1) * ROWS_PER_PAGE)
}

/// Links to the other pages of a paginated table.
pub(crate) fn pagination(base: &str, page: usize, rows: usize) -> Markup {
    let pages = rows.div_ceil(ROWS_PER_PAGE).max(1);
    let separator = if base.contains('?') { '&' } else { '?' };
    html! {
        @if pages > 1 {
            nav.pagination aria-label="Pages of this table" {
                @if page > 1 { a href={(base) (separator) "page=" (page - 1)} rel="prev" { "Previous" } " " }
                span { "Page " (page) " of " (pages) }
                @if page < pages { " " a href={(base) (separator) "page=" (page + 1)} rel="next" { "Next" } }
            }
        }
    }
}

/// A number with at most two decimals (halves rounded away from zero, as
/// `verify.js` rounds them to compare), trailing zeros dropped.
pub(crate) fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// JSON for a `<script type="application/json">` block: every `<` is
/// written `\u003c`, so no text in it can close the script or open a comment.
pub(crate) fn json_block(value: &impl serde::Serialize) -> PreEscaped<String> {
    let json = serde_json::to_string(value).expect("page data serialises");
    PreEscaped(json.replace('<', "\\u003c"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_the_end_shows_the_last_page() {
        let rows = 2 * ROWS_PER_PAGE + 1;
        assert_eq!(page_offset(None, rows), (1, 0));
        assert_eq!(page_offset(Some(0), rows), (1, 0));
        assert_eq!(page_offset(Some(3), rows), (3, 2 * ROWS_PER_PAGE));
        assert_eq!(page_offset(Some(usize::MAX), rows), (3, 2 * ROWS_PER_PAGE));
        assert_eq!(page_offset(Some(7), 0), (1, 0));
    }

    #[test]
    fn page_data_cannot_close_its_script_block() {
        let hostile = "</script><script>alert(1)</script><!--";
        let block = json_block(&serde_json::json!({ "title": hostile })).into_string();
        assert!(!block.contains('<'), "{block}");
        let back: serde_json::Value = serde_json::from_str(&block).expect("still JSON");
        assert_eq!(back["title"], hostile);
    }

    #[test]
    fn texts_keep_carriage_returns_and_show_nul() {
        let shown = html! { (Shown("a\r\nb <c>\0")) }.into_string();
        assert_eq!(shown, "a&#13;\nb &lt;c&gt;\u{FFFD}");
    }

    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(segment("lab-a.v2"), "lab-a.v2");
        assert_eq!(segment("org/lab:x"), "org%2Flab%3Ax");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(95.0), "95");
        assert_eq!(number(93.333_333), "93.33");
        assert_eq!(number(0.5), "0.5");
        // 1/32 of a domain: a tie at the third decimal, rounded up as in JavaScript.
        assert_eq!(number(3.125), "3.13");
    }
}
