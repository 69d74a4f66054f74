//! The middleware around every route: request ids and tracing, metrics, CSRF, security headers, body
//! limits, panics, and rendering of errors as pages or JSON.

use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api::ErrorBody;
use crate::error::ErrorReport;
use crate::pages::Layout;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// No inline script or style anywhere: everything comes from our own origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn wrap(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    let security_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages, JSON answers and exports carry a company's data: no browser or proxy cache keeps them. Only
        // what says otherwise itself (the static assets) is cached.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .into_inner();
    let hsts = state.config.is_https().then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });

    routes
        .layer(CsrfLayer::new())
        // Inside the error renderer, so a body over the limit gets a page or JSON that says so.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), render_errors))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(middleware::from_fn(record_metrics))
        .layer(security_headers)
        .layer(tower::util::option_layer(hsts))
        .layer(CatchPanicLayer::new())
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let request_id = request
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
}

async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("koppel_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("koppel_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
    request_id: String,
}

/// Renders an [`ErrorReport`] (and the CSRF layer's bare 403) as JSON under `/api`, as a redirect to the
/// sign-in page for an unauthenticated browser, or as an error page with the request id.
/// The largest request body Koppel reads (forms and JSON documents are a few KiB; this leaves room for a large
/// field mapping or settings document).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

async fn render_errors(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if path.starts_with("/api/") && is_rejection(&response) {
        return extractor_rejection(response).await;
    }
    let report = match response.extensions().get::<ErrorReport>() {
        Some(report) => report.clone(),
        None if status == StatusCode::FORBIDDEN
            && response
                .extensions()
                .get::<tower_http::csrf::ProtectionError>()
                .is_some() =>
        {
            ErrorReport {
                code: "cross_site_request",
                message: "This form was sent from another site and was refused.".into(),
            }
        }
        None if status == StatusCode::PAYLOAD_TOO_LARGE => ErrorReport {
            code: "too_large",
            message: format!(
                "The request is larger than {} MiB, the most Koppel accepts.",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        },
        None => return response,
    };
    let mut rendered = if path.starts_with("/api/") {
        (
            status,
            axum::Json(ErrorBody {
                error: report.code.to_owned(),
                message: report.message,
            }),
        )
            .into_response()
    } else if status == StatusCode::UNAUTHORIZED {
        let next = url_encode(&path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    } else {
        let page = ErrorPage {
            layout: Layout::anonymous(status.canonical_reason().unwrap_or("Error")),
            heading: status.canonical_reason().unwrap_or("Error").to_owned(),
            message: report.message,
            request_id,
        };
        match page.render() {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    };
    if let Some(retry_after) = response.headers().get(header::RETRY_AFTER) {
        rendered.headers_mut().insert(header::RETRY_AFTER, retry_after.clone());
    }
    rendered
}

/// An answer axum's extractors made themselves (a body that is not JSON, a query or path that does not parse): a
/// client error in plain text, which the API answers as JSON like every other error.
fn is_rejection(response: &Response) -> bool {
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let status = response.status();
    // A body over the limit has its own sentence (below).
    status.is_client_error()
        && status != StatusCode::PAYLOAD_TOO_LARGE
        && plain_text
        && response.extensions().get::<ErrorReport>().is_none()
}

/// JSON of the wrong shape is a 400 too: under `/api` a 422 always carries `{errors}` per field (business rules).
async fn extractor_rejection(response: Response) -> Response {
    let status = match response.status() {
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        other => other,
    };
    // The extractors' own sentences are short; more is not read.
    let text = axum::body::to_bytes(response.into_body(), 4 * 1024)
        .await
        .unwrap_or_default();
    let message = match String::from_utf8_lossy(&text).trim() {
        "" => status.canonical_reason().unwrap_or("Bad request").to_owned(),
        text => text.to_owned(),
    };
    let code = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ if message.contains(" body") => "invalid_body",
        _ => "invalid_request",
    };
    ErrorBody::response(status, code, &message)
}

/// Percent-encodes a path for use as a query value.
fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
