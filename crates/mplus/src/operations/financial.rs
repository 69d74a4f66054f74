//! Reading the till's financial journal: `getFinancialJournal` (a range of financial days) and
//! `getFinancialJournalByCashCount` (one drawer's day).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Request;
use crate::model::{FinancialGroup, FinancialJournal};
use crate::wire::{self, MplusDate};
use crate::{MplusClient, MplusError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetFinancialJournalRequest {
    from_financial_date: MplusDate,
    through_financial_date: MplusDate,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetFinancialJournalByCashCountRequest<'a> {
    cash_count_id: &'a str,
}

/// Both operations answer `GetFinancialJournalResponse`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GetFinancialJournalResponse {
    #[serde(default, deserialize_with = "wire::list")]
    pub(super) financial_group_list: Vec<FinancialGroup>,
    #[serde(default)]
    financial_period_closed: Option<bool>,
}

impl From<GetFinancialJournalResponse> for FinancialJournal {
    fn from(response: GetFinancialJournalResponse) -> Self {
        Self {
            groups: response.financial_group_list,
            period_closed: response.financial_period_closed,
        }
    }
}

impl MplusClient {
    /// `getFinancialJournal`: every branch's journal for the financial days `from` through `through`
    /// (inclusive). `period_closed` says whether all those days are closed; a day still open can change.
    pub async fn get_financial_journal(
        &self,
        from: NaiveDate,
        through: NaiveDate,
    ) -> Result<FinancialJournal, MplusError> {
        let request = GetFinancialJournalRequest {
            from_financial_date: from.into(),
            through_financial_date: through.into(),
        };
        let response: GetFinancialJournalResponse = self.call("getFinancialJournal", &Request { request }).await?;
        Ok(response.into())
    }

    /// `getFinancialJournalByCashCount`: the journal of one cash count (a drawer's day). An unknown id
    /// answers an empty journal.
    pub async fn get_financial_journal_by_cash_count(
        &self,
        cash_count_id: &str,
    ) -> Result<FinancialJournal, MplusError> {
        let request = GetFinancialJournalByCashCountRequest { cash_count_id };
        let response: GetFinancialJournalResponse = self
            .call("getFinancialJournalByCashCount", &Request { request })
            .await?;
        Ok(response.into())
    }
}
