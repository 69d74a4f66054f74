//! The JSON API under `/api/v1`, authenticated with a bearer token (the same JWT as the session cookie),
//! and its OpenAPI document at `/api/openapi.json`.

mod accounts;
mod activity;
pub(crate) mod connections;
pub(crate) mod flows;
mod members;
mod reconciliation;
mod retry;
mod settings;

use axum::Json;
use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sessions", post(accounts::create_session))
        .route(
            "/api/v1/sessions/current",
            axum::routing::delete(accounts::delete_current_session),
        )
        .route("/api/v1/signup", post(accounts::signup))
        .route("/api/v1/signup/confirm", post(accounts::confirm_signup_request))
        .route("/api/v1/password-resets", post(accounts::password_reset))
        .route("/api/v1/me", get(accounts::me))
        .route("/api/v1/tenants/{tenant_id}", get(accounts::tenant))
        .route("/api/v1/tenants/{tenant_id}/members", get(members::list))
        .route(
            "/api/v1/tenants/{tenant_id}/members/{user_id}",
            axum::routing::patch(members::change_role).delete(members::remove),
        )
        .route(
            "/api/v1/tenants/{tenant_id}/invitations",
            get(members::list_invitations).post(members::invite),
        )
        .route(
            "/api/v1/tenants/{tenant_id}/invitations/{invitation_id}",
            axum::routing::delete(members::revoke_invitation),
        )
        .route(
            "/api/v1/tenants/{tenant_id}/invitations/{invitation_id}/resend",
            post(members::resend_invitation),
        )
        .route(
            "/api/v1/settings",
            get(settings::get_settings).put(settings::put_settings),
        )
        .route("/api/v1/flows", get(flows::list_flows))
        .route("/api/v1/flows/{flow}", get(flows::get_flow).put(flows::put_flow))
        .route("/api/v1/flows/{flow}/runs", post(flows::post_run))
        .route("/api/v1/flows/{flow}/resync", post(flows::post_resync))
        .route("/api/v1/flows/{flow}/retry-failed", post(retry::retry_flow_failures))
        .route("/api/v1/runs/{run_id}", get(flows::get_run))
        .route("/api/v1/runs/{run_id}/cancel", post(flows::cancel_run))
        .route("/api/v1/activity", get(activity::list))
        .route("/api/v1/activity/{id}", get(activity::get_entry))
        .route("/api/v1/activity/{id}/retry", post(retry::retry_entry))
        .route("/api/v1/activity/{id}/skip", post(retry::skip_entry))
        .route("/api/v1/reconciliation", get(reconciliation::reconciliation))
        .route("/api/v1/connections", get(connections::list_connections))
        .route("/api/v1/connections/mplus", axum::routing::put(connections::put_mplus))
        .route("/api/v1/connections/afas", axum::routing::put(connections::put_afas))
        .route("/api/openapi.json", get(openapi_json))
}

/// An error answer: a machine-readable code and a sentence for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// e.g. `invalid_credentials`, `rate_limited`, `not_found`, `unauthenticated`.
    pub error: String,
    pub message: String,
}

impl ErrorBody {
    /// An error answer with this status.
    pub fn response(status: axum::http::StatusCode, code: &str, message: &str) -> axum::response::Response {
        use axum::response::IntoResponse;
        let body = ErrorBody {
            error: code.to_owned(),
            message: message.to_owned(),
        };
        (status, Json(body)).into_response()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Koppel API", description = "Automation API of Koppel, the MplusKASSA to AFAS Profit integration."),
    paths(
        accounts::create_session, accounts::delete_current_session, accounts::signup, accounts::confirm_signup_request, accounts::password_reset, accounts::me, accounts::tenant,
        members::list, members::change_role, members::remove,
        members::invite, members::list_invitations, members::resend_invitation, members::revoke_invitation,
        settings::get_settings, settings::put_settings, flows::list_flows, flows::get_flow, flows::put_flow, flows::post_run, flows::post_resync, retry::retry_flow_failures,
        flows::get_run, flows::cancel_run,
        activity::list, activity::get_entry, retry::retry_entry, retry::skip_entry,
        connections::list_connections, connections::put_mplus, connections::put_afas,
        reconciliation::reconciliation,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth, &CommonErrors),
    tags(
        (name = "accounts", description = "Sign-up, sessions and the signed-in user"),
        (name = "flows", description = "Flows (orders, receipts, customers, products, stock): the company-wide settings they share, their own settings, schedules and runs"),
        (name = "connections", description = "Credentials for MplusKASSA and AFAS (stored encrypted) and their tests"),
        (name = "activity", description = "The activity log: every record moved, searchable, with its payloads"),
        (name = "reconciliation", description = "The till against the books, per day: sales missing from AFAS or booked with another total"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The error answers every operation can give, documented once instead of on each: a bearer-secured operation
/// answers 401 without a valid token and 404 for a `tenant` you are not a member of; one with a body answers 400
/// for a body that is not JSON or not of the documented shape and 415 for another content type; any answers 413
/// for a body over the limit. All of them as [`ErrorBody`]. (A 422 is a business rule's `{errors}` per field.)
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder, path::Operation};
        let error = |description: &str| {
            let content =
                ContentBuilder::new().schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))));
            ResponseBuilder::new()
                .description(description)
                .content("application/json", content.build())
                .build()
        };
        let add = |operation: &mut Operation, status: &str, description: &str| {
            let responses = &mut operation.responses.responses;
            responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::T(error(description)));
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured {
                    add(operation, "401", "No valid bearer token");
                    add(operation, "404", "Not found, or not a member of `tenant`");
                }
                if operation.request_body.is_some() {
                    add(operation, "400", "The body is not JSON, or not of the documented shape");
                    add(operation, "415", "The body is not `application/json`");
                }
                add(operation, "413", "The body is larger than 2 MiB");
            }
        }
    }
}

/// The OpenAPI document of the JSON API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}
