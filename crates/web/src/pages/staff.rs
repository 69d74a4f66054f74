//! The staff page (`/staff`): every company with its trial, members, flows and last run, for platform staff
//! (`koppel staff grant EMAIL`); anyone else gets the 404 any unknown page gets.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{DateTime, Utc};
use koppel_store::staff;

use super::Layout;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A company's row, formatted.
pub struct CompanyRow {
    name: String,
    trial: String,
    members: i64,
    flows_on: i64,
    last_run: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff.html")]
pub struct StaffPage {
    layout: Layout,
    companies: Vec<CompanyRow>,
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

pub async fn page(State(state): State<AppState>, user: CurrentUser) -> AppResult<StaffPage> {
    if !staff::is_staff(&state.db, user.user_id).await? {
        return Err(AppError::NotFound);
    }
    let now = koppel_store::now();
    let companies = staff::companies(&state.db)
        .await?
        .into_iter()
        .map(|company| CompanyRow {
            trial: match company.trial_ends_at > now {
                true => format!("until {}", minute(company.trial_ends_at)),
                false => format!("ended {}", minute(company.trial_ends_at)),
            },
            last_run: company
                .last_run_ms
                .and_then(DateTime::from_timestamp_millis)
                .map_or_else(|| "never".to_owned(), minute),
            name: company.name,
            members: company.members,
            flows_on: company.flows_on,
        })
        .collect();
    Ok(StaffPage {
        layout: Layout::for_user(&state, &user, "Every company", None).await?,
        companies,
    })
}
