//! Financial journal: MplusKASSA's financial journal → one AFAS financial entry (`FiEntries`) per closed
//! financial day and branch, in the journal the tenant names.
//!
//! The entry books what the till's counter sales did that day, on the ledger accounts the shop set in
//! MplusKASSA (each through `journal_accounts` when AFAS numbers it differently): revenue per turnover group
//! and VAT code on the credit side with its VAT code, the VAT on the VAT account, payments per payment method
//! (and what was sold on account) on the debit side, cash put in or taken out against its counter account.
//! It must balance; a difference is booked on `journal_difference_account` when set, and fails the day
//! otherwise. Orders and invoices are not in it: the orders flow books those.
//!
//! The cursor is a day (days since 1 January of year 1): a run asks MplusKASSA for each day from it, books the
//! day's branches once the day is closed (every cash count done), and stops at the first day that is not.
//! Exactly once: the id map, then the entry's voucher number (`MPLUS-20261203-1`) looked up in AFAS, so a
//! crash between booking and journaling never books a day twice.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::engine::{Run, RunError};
use crate::flows::orders::LineLedger;
use crate::ledger::{
    BranchDay, FinancialDay, FinancialEntryDraft, FinancialEntryLineDraft, LedgerGroup, LedgerGroupKind,
    parse_branch_day_id,
};
use crate::ports::{ErpTarget, FailureClass, IdMapEntry, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};
use crate::settings::{FlowSettings, JournalRevenue};
use crate::validation::given;
use crate::vat::VatBasis;

/// The journal's entity of this flow's records.
pub(crate) const ENTITY: &str = "financial_day";

/// A day as the cursor holds it.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The day a cursor value stands for.
pub fn day_of(number: i64) -> Option<NaiveDate> {
    i32::try_from(number)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The days from the cursor (or `journal_start_date` on the first run) until the first day that is not closed;
/// `max_days` limits a dry run (counting days with something to book).
pub(crate) async fn run_days<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    stored: Option<i64>,
    max_days: Option<usize>,
) -> Result<(), RunError> {
    let first = match (stored, run.settings.journal_start_date) {
        (Some(day), _) => day,
        (None, Some(start)) => day_number(start),
        (None, None) => {
            return Err(RunError::Refused {
                message: "setting `journal_start_date` is not set: Koppel books the till's days from that day on \
                          (the days before it are yours to have booked)"
                    .to_owned(),
            });
        }
    };
    run.report.cursor = Some(first);
    // MplusKASSA decides which days are closed; a day past tomorrow (UTC) cannot be, whatever its time zone.
    let last = day_number(Utc::now().date_naive()) + 1;
    let mut day = first;
    let mut days_done = 0;
    while day <= last && max_days.is_none_or(|max| days_done < max) {
        if run.should_stop_before(Some(day)).await? {
            break;
        }
        let Some(date) = day_of(day) else { break };
        let journal = run.source.financial_day(date).await?;
        if !journal.closed {
            break;
        }
        let branches = BranchDay::all_in(&journal);
        run.report.total_seen += branches.len() as u64;
        let outcome = book_days(run, branches, Some(day)).await;
        run.flushed(outcome).await?;
        if run.report.cancelled {
            break;
        }
        if run.report.total_seen > 0 {
            days_done += 1;
        }
        day += 1;
        run.journal.set_cursor(day).await?;
        run.report.cursor = Some(day);
    }
    Ok(())
}

/// Fetches these branch days fresh and books them (the automatic retries and the dashboard's "retry").
pub(crate) async fn retry<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    ids: &[String],
) -> Result<(), RunError> {
    let mut journals: HashMap<NaiveDate, FinancialDay> = HashMap::new();
    let mut found = Vec::new();
    for id in ids {
        let Some((date, branch)) = parse_branch_day_id(id) else {
            let meta = RecordMeta::new(ENTITY, id.clone(), &serde_json::Value::Null);
            let verdict = Verdict::skipped("not a day and branch of the financial journal");
            run.conclude(meta, Ok(verdict), Trail::default()).await?;
            continue;
        };
        let day = match journals.get(&date) {
            Some(day) => day.clone(),
            None => {
                let day = run.source.financial_day(date).await?;
                journals.insert(date, day.clone());
                day
            }
        };
        match BranchDay::all_in(&day).into_iter().find(|d| d.branch == branch) {
            Some(branch_day) => found.push(branch_day),
            None => {
                let meta = RecordMeta::new(ENTITY, id.clone(), &serde_json::Value::Null);
                run.conclude(meta, Ok(Verdict::skipped(super::GONE)), Trail::default())
                    .await?;
            }
        }
    }
    run.report.total_seen += found.len() as u64;
    book_days(run, found, None).await
}

/// Books each branch day once: one id-map read and one AFAS look-up of the vouchers for them all.
async fn book_days<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    days: Vec<BranchDay>,
    marker: Option<i64>,
) -> Result<(), RunError> {
    let days: Vec<BranchDay> = days.into_iter().filter(|d| !run.already_handled(&d.id())).collect();
    if days.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = days.iter().map(BranchDay::id).collect();
    let booked = run.journal.id_map(&ids).await?;
    let unknown: Vec<String> = days
        .iter()
        .filter(|d| !booked.contains_key(&d.id()))
        .map(BranchDay::voucher)
        .collect();
    let in_afas = match unknown.is_empty() {
        true => HashMap::new(),
        false => run.target.existing_financial_entries(&unknown).await?,
    };
    for day in days {
        let mut trail = Trail::default();
        let result = book(run.settings, run.target, &booked, &in_afas, &day, &mut trail).await;
        let meta = RecordMeta::new(ENTITY, day.id(), &day)
            .keys([
                Some(day.date.format("%d-%m-%Y").to_string()),
                Some(day.voucher()),
                Some(format!("filiaal {}", day.branch)),
            ])
            .at_marker(marker);
        run.conclude(meta, result, trail).await?;
    }
    Ok(())
}

async fn book<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    booked: &HashMap<String, IdMapEntry>,
    in_afas: &HashMap<String, String>,
    day: &BranchDay,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let hash = content_hash(day);
    if let Some(earlier) = booked.get(&day.id()) {
        if earlier.content_hash == hash {
            return Ok(Verdict::skipped_existing(
                format!("already booked as AFAS entry {}", earlier.target_id),
                earlier.target_id.clone(),
                hash,
            ));
        }
        return Err(Failure::Record(
            FailureClass::Permanent,
            format!(
                "MplusKASSA's figures for this day changed after Koppel booked it as AFAS entry {}; Koppel never \
                 books a day twice: book the difference in AFAS by hand",
                earlier.target_id
            ),
        ));
    }
    let voucher = day.voucher();
    if let Some(entry) = in_afas.get(&voucher) {
        return Ok(Verdict::skipped_existing(
            format!("already in AFAS as entry {entry} (voucher {voucher})"),
            entry.clone(),
            hash,
        ));
    }
    let draft = entry_draft(settings, day)?;
    let entry = trail.write(target.post_financial_entry(&draft).await)?;
    Ok(Verdict::written(Outcome::Created, entry, hash))
}

/// The balanced entry of one branch's day.
pub(crate) fn entry_draft(settings: &FlowSettings, day: &BranchDay) -> Result<FinancialEntryDraft, Failure> {
    let journal = given(&settings.journal_code)
        .ok_or_else(|| Failure::missing_setting("journal_code", "the day is booked in this AFAS journal"))?;
    let account = |mplus: &str| -> String {
        settings
            .journal_accounts
            .get(mplus)
            .cloned()
            .unwrap_or_else(|| mplus.to_owned())
    };
    let (mut credits, mut others) = (Vec::new(), Vec::new());
    for group in &day.groups {
        let side = match &group.kind {
            LedgerGroupKind::Turnover => {
                credits.extend(turnover_credits(settings, group, &account)?);
                continue;
            }
            LedgerGroupKind::Payment | LedgerGroupKind::Suspense | LedgerGroupKind::CashOutflow => Side::Debit,
            LedgerGroupKind::CashInflow => Side::Credit,
            LedgerGroupKind::Other(kind) => {
                return Err(Failure::Record(
                    FailureClass::Permanent,
                    format!(
                        "MplusKASSA's journal has a {kind} group ({}, {}) that Koppel does not book; book this day \
                         in AFAS by hand",
                        group.name, group.incl
                    ),
                ));
            }
        };
        others.extend(line(
            side,
            account(&group.account),
            group.name.clone(),
            group.incl,
            None,
        ));
    }
    let has_turnover = day.groups.iter().any(|g| g.kind == LedgerGroupKind::Turnover);
    let has_money = day
        .groups
        .iter()
        .any(|g| matches!(g.kind, LedgerGroupKind::Payment | LedgerGroupKind::Suspense));
    if has_turnover && !has_money {
        // MplusKASSA's own documentation says its financial journal may hold turnover only (payments then come
        // from `getJournals`): half a day is never booked, nor its payments as a "difference".
        return Err(Failure::Record(
            FailureClass::Permanent,
            "MplusKASSA's journal has this day's turnover but no payments; Koppel books a day only with both"
                .to_owned(),
        ));
    }
    let mut lines = revenue_lines(credits);
    lines.append(&mut others);
    let mut draft = FinancialEntryDraft {
        administration: given(&settings.company.administration).map(str::to_owned),
        journal: journal.to_owned(),
        date: day.date,
        voucher: day.voucher(),
        lines,
    };
    let difference = draft.debit_total() - draft.credit_total();
    if !difference.is_zero() {
        let Some(difference_account) = given(&settings.journal_difference_account) else {
            return Err(Failure::setting(format!(
                "the day does not balance: debit {}, credit {} (difference {difference}); set \
                 `journal_difference_account` to book such differences",
                draft.debit_total(),
                draft.credit_total()
            )));
        };
        draft.lines.extend(line(
            Side::Credit,
            difference_account.to_owned(),
            "Kasverschil".to_owned(),
            difference,
            None,
        ));
    }
    Ok(draft)
}

#[derive(Clone, Copy)]
enum Side {
    Debit,
    Credit,
}

/// An amount on one side; a negative amount goes on the other side, so AFAS shows what the accountant expects
/// (a refund day's revenue as a debit). Nothing for zero.
fn line(
    side: Side,
    account: String,
    description: String,
    amount: Decimal,
    vat_code: Option<String>,
) -> Option<FinancialEntryLineDraft> {
    if amount.is_zero() {
        return None;
    }
    let side = match (side, amount.is_sign_negative()) {
        (Side::Debit, false) | (Side::Credit, true) => Side::Debit,
        _ => Side::Credit,
    };
    let amount = amount.abs();
    let (debit, credit) = match side {
        Side::Debit => (amount, Decimal::ZERO),
        Side::Credit => (Decimal::ZERO, amount),
    };
    Some(FinancialEntryLineDraft {
        account,
        description,
        debit,
        credit,
        vat_code,
    })
}

/// An amount on the credit side of a revenue or VAT line, before lines are merged.
struct Credit {
    account: String,
    description: String,
    amount: Decimal,
    vat_code: String,
}

/// A turnover group's revenue per VAT code, with its VAT code, and the VAT itself on the VAT account: per
/// turnover group on its own account, or (`journal_revenue: vat_rates`) on the revenue account of the country
/// and rate, described by the rate alone so the day's groups merge into one line per rate.
fn turnover_credits(
    settings: &FlowSettings,
    group: &LedgerGroup,
    account: &impl Fn(&str) -> String,
) -> Result<Vec<Credit>, Failure> {
    let described: Decimal = group.vat.iter().map(|vat| vat.excl + vat.vat).sum();
    if group.vat.is_empty() || described != group.incl {
        return Err(Failure::Record(
            FailureClass::Permanent,
            format!(
                "MplusKASSA's turnover for {} ({}) does not add up to its VAT breakdown ({described}); Koppel \
                 books no revenue without its VAT",
                group.name, group.incl
            ),
        ));
    }
    let per_rate = settings.journal_revenue == JournalRevenue::VatRates;
    let mut credits = Vec::new();
    for vat in &group.vat {
        let rate = crate::flows::orders::percentage_key(vat.percentage);
        let country = vat.country.as_deref().unwrap_or("this country");
        let ledger = LineLedger::for_rate(settings, &VatBasis::Charged(vat.country.clone()), vat.percentage)?;
        let code = ledger.vat_code.ok_or_else(|| {
            Failure::setting(format!(
                "setting `vat_code_by_country` has no AFAS VAT code for {country} {rate}% (turnover group {})",
                group.name
            ))
        })?;
        let (revenue_account, revenue, tax) = match per_rate {
            false => (
                account(&group.account),
                format!("Omzet {} {rate}%", group.name),
                format!("Btw {rate}% {}", group.name),
            ),
            true => {
                let revenue_account = ledger.revenue_account.ok_or_else(|| {
                    Failure::setting(format!(
                        "setting `revenue_account_by_country` has no revenue account for {country} {rate}% \
                         (`journal_revenue` is `vat_rates`)"
                    ))
                })?;
                (revenue_account, format!("Omzet {rate}%"), format!("Btw {rate}%"))
            }
        };
        credits.push(Credit {
            account: revenue_account,
            description: revenue,
            amount: vat.excl,
            vat_code: code.clone(),
        });
        if !vat.vat.is_zero() {
            let vat_account = vat.account.as_deref().ok_or_else(|| {
                Failure::master_data(format!(
                    "MplusKASSA gives no ledger account for the {rate}% VAT of turnover group {}: set one on the \
                     VAT group in MplusKASSA",
                    group.name
                ))
            })?;
            credits.push(Credit {
                account: account(vat_account),
                description: tax,
                amount: vat.vat,
                vat_code: code,
            });
        }
    }
    Ok(credits)
}

/// The day's revenue and VAT lines: credits on the same account, with the same VAT code and description, summed
/// into one line (per rate, with `journal_revenue: vat_rates`), in the order they first appear.
fn revenue_lines(credits: Vec<Credit>) -> Vec<FinancialEntryLineDraft> {
    let mut merged: Vec<Credit> = Vec::new();
    for credit in credits {
        let same = merged.iter_mut().find(|m| {
            (&m.account, &m.description, &m.vat_code) == (&credit.account, &credit.description, &credit.vat_code)
        });
        match same {
            Some(existing) => existing.amount += credit.amount,
            None => merged.push(credit),
        }
    }
    merged
        .into_iter()
        .filter_map(|c| line(Side::Credit, c.account, c.description, c.amount, Some(c.vat_code)))
        .collect()
}

/// The AFAS financial year and period of a day: the calendar year and its month.
pub fn year_and_period(date: NaiveDate) -> (i32, u32) {
    (date.year(), date.month())
}
