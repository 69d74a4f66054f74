//! MplusKASSA's financial journal (`getFinancialJournal`) as the engine's [`FinancialDay`]: the groups with
//! their kind, source, ledger account, branch, amounts and VAT, as the till gave them.

use chrono::NaiveDate;
use koppel_mplus::model::{FinancialGroup, FinancialGroupSource, FinancialGroupType, FinancialJournal};
use koppel_sync::country::iso2;
use koppel_sync::ledger::{FinancialDay, LedgerGroup, LedgerGroupKind, LedgerVat};
use rust_decimal::Decimal;

/// One day's journal. The day is closed only when MplusKASSA says so for the day and for every group.
pub fn financial_day(date: NaiveDate, journal: &FinancialJournal) -> FinancialDay {
    let closed =
        journal.period_closed == Some(true) && journal.groups.iter().all(|group| group.period_closed != Some(false));
    FinancialDay {
        date,
        closed,
        groups: journal.groups.iter().map(ledger_group).collect(),
    }
}

fn ledger_group(group: &FinancialGroup) -> LedgerGroup {
    let kind = match &group.group_type {
        FinancialGroupType::Turnover => LedgerGroupKind::Turnover,
        FinancialGroupType::Payment => LedgerGroupKind::Payment,
        FinancialGroupType::SuspenseAccount => LedgerGroupKind::Suspense,
        FinancialGroupType::CashInflow => LedgerGroupKind::CashInflow,
        FinancialGroupType::CashOutflow => LedgerGroupKind::CashOutflow,
        FinancialGroupType::Bpe => LedgerGroupKind::Other("BPE".into()),
        FinancialGroupType::RefundableDeposit => LedgerGroupKind::Other("REFUNDABLE-DEPOSIT".into()),
        FinancialGroupType::Other(kind) => LedgerGroupKind::Other(kind.clone()),
    };
    let vat = group
        .vat_groups
        .iter()
        .map(|vat| LedgerVat {
            country: vat.country_iso3.as_deref().map(iso2),
            // MplusKASSA's percentage as it sends it (whole percents in every journal seen).
            percentage: Decimal::from(vat.vat_percentage),
            excl: vat.excl_amount.unwrap_or_default(),
            vat: vat.vat_amount.unwrap_or_default(),
            account: vat.account_number.map(|account| account.to_string()),
        })
        .collect();
    LedgerGroup {
        kind,
        from_receipts: group.source == FinancialGroupSource::Receipt,
        name: group.name.clone(),
        account: group.account_number.to_string(),
        branch: group.branch_number.map(|b| b.to_string()).unwrap_or_default(),
        incl: group.incl_amount.unwrap_or_default(),
        vat,
    }
}
