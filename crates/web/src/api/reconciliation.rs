//! The daily reconciliation over JSON: per day, the till's sales against what AFAS holds of them.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use koppel_sync::sales::ReconciledDay;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ErrorBody;
use crate::error::AppResult;
use crate::pages::reconciliation::{RangeParams, load};
use crate::state::AppState;
use crate::tenant::ApiTenant;

/// `GET /api/v1/reconciliation` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReconciliationQuery {
    /// First day, `YYYY-MM-DD` (the till's own calendar day); default: six days before `to`.
    #[serde(default)]
    pub from: String,
    /// Last day, included; default: today. At most 366 days in all.
    #[serde(default)]
    pub to: String,
    /// Company id; default: your first company.
    #[allow(dead_code)] // read by the `ApiTenant` extractor; declared here for the OpenAPI document
    pub tenant: Option<String>,
}

/// Every day of the range, days without sales included.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationBody {
    pub days: Vec<ReconciledDay>,
}

/// The till against the books, per day.
///
/// From what Koppel read from MplusKASSA (every sale it books, with the till's total incl. VAT and VAT per
/// rate) and what AFAS holds (each booked sale's `InvoiceTotal` and `VAT` from `Profit_Salesorders`, read back
/// after each run). `missing`: sales AFAS does not hold; `differing`: sales AFAS holds with another total or
/// VAT; `unchecked`: booked, not read back yet. Money is exact, as strings.
#[utoipa::path(get, path = "/api/v1/reconciliation", tag = "reconciliation", security(("bearer" = [])),
    params(ReconciliationQuery),
    responses(
        (status = 200, body = ReconciliationBody),
        (status = 400, description = "An unreadable date, `from` after `to`, or more than 366 days", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of `tenant`", body = ErrorBody),
    ))]
pub async fn reconciliation(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Query(query): Query<ReconciliationQuery>,
) -> AppResult<Response> {
    let range = RangeParams {
        from: query.from,
        to: query.to,
    };
    let (from, to) = match range.parse(Utc::now().date_naive()) {
        Ok(range) => range,
        Err(message) => {
            return Ok(ErrorBody::response(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                &message,
            ));
        }
    };
    let loaded = load(&state.db, &ctx.scope, from, to).await?;
    Ok(Json(ReconciliationBody { days: loaded.days }).into_response())
}
