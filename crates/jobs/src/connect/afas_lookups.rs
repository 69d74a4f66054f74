//! Batched AFAS look-ups: many keys per GetConnector call (split by the client under the 2049-character
//! query limit), never one call per record.
//!
//! Debtors are read from `Profit_Debtor` by e-mail (a business without one by VAT number, `VatNr`). That connector does not say whether a debtor is an
//! organisation or a person, which decides the UpdateConnector an update must use; an organisation is
//! recognised by having contacts (`Profit_Contacts` by organisation code, one more call, only for debtors
//! found). Koppel gives every organisation it creates a contact, so its own debtors are always recognised.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use koppel_afas::rows::{
    Article, ContactRow, Debtor, DeliveryAddressRow, GetConnectorRow, SalesOrderRow, StockPerWarehouse, TransactionRow,
};
use koppel_afas::{AfasClient, AfasError, Filter, GetQuery, Operator};
use koppel_sync::model::{Address, ArticleRecord, DebtorRecord, VAT_KEY_PREFIX, debtor_key, vat_number_form};
use koppel_sync::requirements::AfasList;
use koppel_sync::sales::BookedTotals;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

/// Rows per GetConnector page: a key chunk's matches fit in one page.
const PAGE_SIZE: u32 = 1_000;

/// A sales document row: its number and its reference (`RfCs`).
#[derive(Debug, Deserialize)]
struct ReferenceRow {
    #[serde(alias = "OrderNumber", alias = "QuotationNumber")]
    number: String,
    #[serde(rename = "CustomerReference", default)]
    reference: Option<String>,
}

/// The GetConnector that lists the documents of a sales connector, and its number field.
fn documents_connector(quotations: bool) -> (&'static str, &'static str) {
    if quotations {
        ("Profit_SalesQuotations", "QuotationNumber")
    } else {
        ("Profit_Salesorders", "OrderNumber")
    }
}

/// Reference → document number, for the references AFAS already has.
pub async fn documents_by_reference(
    client: &AfasClient,
    quotations: bool,
    references: &[String],
) -> Result<HashMap<String, String>, AfasError> {
    let (connector, number_field) = documents_connector(quotations);
    let query = GetQuery::new(connector, [number_field]).page_size(PAGE_SIZE);
    let (ranges, listed) = reference_ranges(references);
    let mut rows: Vec<ReferenceRow> = client.get_by_keys(&query, "CustomerReference", &listed).await?;
    for (first, last) in ranges {
        let range = Filter::new("CustomerReference", Operator::GreaterOrEqual, first).and(
            "CustomerReference",
            Operator::LessOrEqual,
            last,
        );
        rows.extend(client.get_all::<ReferenceRow>(query.clone().filter(range)).await?);
    }
    let wanted: BTreeSet<&String> = references.iter().collect();
    let mut found = HashMap::new();
    for row in rows {
        if let Some(reference) = row.reference.filter(|r| wanted.contains(r)) {
            found.entry(reference).or_insert(row.number);
        }
    }
    Ok(found)
}

/// What AFAS booked for these sales orders or direct invoices, by number: `InvoiceTotal` (incl. VAT) and `VAT`
/// from `Profit_Salesorders`. AFAS numbers a run's orders one after another, so a dense run of numbers is asked
/// for as one range (one call, however many) and the rows not asked for are dropped; others go by name, batched.
/// A number AFAS does not list is left out.
pub async fn booked_totals(
    client: &AfasClient,
    numbers: &[String],
) -> Result<HashMap<String, BookedTotals>, AfasError> {
    let query = SalesOrderRow::query().page_size(PAGE_SIZE);
    let rows: Vec<SalesOrderRow> = match dense_range(numbers) {
        Some((first, last)) => {
            let range = Filter::new(SalesOrderRow::KEY, Operator::GreaterOrEqual, first).and(
                SalesOrderRow::KEY,
                Operator::LessOrEqual,
                last,
            );
            client.get_all(query.filter(range)).await?
        }
        None => client.get_by_keys(&query, SalesOrderRow::KEY, numbers).await?,
    };
    let wanted: HashSet<&String> = numbers.iter().collect();
    Ok(rows
        .into_iter()
        .filter(|row| wanted.contains(&row.order_number))
        .filter_map(|row| {
            let totals = BookedTotals {
                total_incl: row.invoice_total?,
                vat: row.vat,
            };
            Some((row.order_number, totals))
        })
        .collect())
}

/// The first and last of `numbers` when they are all digits of one length (so they sort as text like numbers)
/// and fill at least a quarter of the range between them.
fn dense_range(numbers: &[String]) -> Option<(String, String)> {
    let first = numbers.first()?;
    let same_shape = |n: &String| n.len() == first.len() && n.bytes().all(|b| b.is_ascii_digit());
    if numbers.len() < 2 || !numbers.iter().all(same_shape) {
        return None;
    }
    let values: Vec<u64> = numbers.iter().map(|n| n.parse().ok()).collect::<Option<_>>()?;
    let (low, high) = (*values.iter().min()?, *values.iter().max()?);
    let dense = (high - low + 1) <= 4 * values.len() as u64;
    dense.then(|| {
        (
            format!("{low:0width$}", width = first.len()),
            format!("{high:0width$}", width = first.len()),
        )
    })
}

/// Koppel's references of one kind and year differ only in a zero-padded number (`ORD-2026-000042`), so
/// they sort like their numbers: a page's references of one prefix are asked for as one range (one call,
/// however long the list), and any others by name. Rows in a range that were not asked for are dropped.
fn reference_ranges(references: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let mut groups: BTreeMap<(&str, usize), Vec<&String>> = BTreeMap::new();
    let mut listed = Vec::new();
    for reference in references {
        match reference.rsplit_once('-') {
            Some((prefix, number)) if number.chars().all(|c| c.is_ascii_digit()) => {
                groups.entry((prefix, reference.len())).or_default().push(reference)
            }
            _ => listed.push(reference.clone()),
        }
    }
    let mut ranges = Vec::new();
    for (_, mut group) in groups {
        group.sort();
        match group.as_slice() {
            [single] => listed.push((*single).clone()),
            [first, .., last] => ranges.push(((*first).clone(), (*last).clone())),
            [] => {}
        }
    }
    (ranges, listed)
}

/// A debtor as found: the key it was asked for, and the organisation/person code an update needs.
pub struct FoundDebtor {
    pub key: String,
    pub record: DebtorRecord,
    pub code: Option<String>,
}

/// Debtors by key (`koppel_sync::model::debtor_key`): e-mail addresses in lower case by `Email`, `vat:` keys
/// by `VatNr`, each batched.
pub async fn debtors_by_key(client: &AfasClient, keys: &[String]) -> Result<Vec<FoundDebtor>, AfasError> {
    let (vat_keys, emails): (Vec<&String>, Vec<&String>) = keys.iter().partition(|key| key.starts_with(VAT_KEY_PREFIX));
    let vat_numbers: Vec<&str> = vat_keys.iter().map(|key| &key[VAT_KEY_PREFIX.len()..]).collect();
    let query = Debtor::query().page_size(PAGE_SIZE);
    let mut rows: Vec<(String, Debtor)> = Vec::new();
    if !emails.is_empty() {
        let found: Vec<Debtor> = client.get_by_keys(&query, "Email", &emails).await?;
        rows.extend(
            found
                .into_iter()
                .filter_map(|row| Some((debtor_key(row.email.as_deref(), None)?, row))),
        );
    }
    if !vat_numbers.is_empty() {
        let found: Vec<Debtor> = client.get_by_keys(&query, "VatNr", &vat_numbers).await?;
        rows.extend(found.into_iter().filter_map(|row| {
            let vat = row.vat_number.as_deref().and_then(vat_number_form)?;
            Some((format!("{VAT_KEY_PREFIX}{vat}"), row))
        }));
    }
    let codes: BTreeSet<String> = rows
        .iter()
        .filter_map(|(_, row)| row.organisation_or_person_code.clone())
        .collect();
    let organisations = organisation_codes(client, &codes).await?;
    Ok(rows
        .into_iter()
        .map(|(key, row)| {
            let is_organisation = row
                .organisation_or_person_code
                .as_ref()
                .is_some_and(|code| organisations.contains(code));
            let code = row.organisation_or_person_code.clone();
            FoundDebtor {
                key,
                record: debtor_record(row, is_organisation),
                code,
            }
        })
        .collect())
}

/// Which of these codes are organisations (they have contacts).
async fn organisation_codes(client: &AfasClient, codes: &BTreeSet<String>) -> Result<BTreeSet<String>, AfasError> {
    if codes.is_empty() {
        return Ok(BTreeSet::new());
    }
    let codes: Vec<&String> = codes.iter().collect();
    let query = ContactRow::query().page_size(PAGE_SIZE);
    let rows: Vec<ContactRow> = client.get_by_keys(&query, "OrganisationCode", &codes).await?;
    Ok(rows.into_iter().filter_map(|row| row.organisation_code).collect())
}

fn debtor_record(row: Debtor, is_organisation: bool) -> DebtorRecord {
    DebtorRecord {
        address: address_of(&row),
        debtor_id: row.debtor_id,
        email: debtor_key(row.email.as_deref(), None),
        vat_number: row.vat_number.as_deref().and_then(vat_number_form),
        name: row.name.unwrap_or_default(),
        is_organisation,
        phone: row.phone,
    }
}

/// The debtor's address from AFAS's display lines: "street number addition", "postcode  city" and the
/// country name, read back into the parts Koppel sent, so an unchanged address compares equal.
fn address_of(row: &Debtor) -> Option<Address> {
    let (street, house_number, house_number_addition) = split_display_line(row.address_line1.as_deref()?);
    let (postcode, city) = match row.address_line3.as_deref().map(str::trim) {
        Some(place) => match place.split_once("  ") {
            Some((postcode, city)) => (postcode.trim().to_owned(), city.trim().to_owned()),
            None => (String::new(), place.to_owned()),
        },
        None => (String::new(), String::new()),
    };
    Some(Address {
        street,
        house_number,
        house_number_addition,
        postcode,
        city,
        country: koppel_sync::country::iso2(row.address_line4.as_deref()?),
    })
}

/// AFAS writes the house number (`HmNr`, an integer) as its own word after the street: the first word after
/// the first that is all digits ("1e Hugo de Grootstraat 12 a", "Meir 45 2").
fn split_display_line(line: &str) -> (String, Option<String>, Option<String>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let position = (1..words.len()).find(|&i| words[i].chars().all(|c| c.is_ascii_digit()));
    match position {
        Some(i) => {
            let addition = words[i + 1..].join(" ");
            (
                words[..i].join(" "),
                Some(words[i].to_owned()),
                (!addition.is_empty()).then_some(addition),
            )
        }
        None => (words.join(" "), None, None),
    }
}

/// These debtors' delivery addresses (`Profit_Deliveryaddress` by `DebiteurID`), by debtor id, every id listed
/// (an empty list for a debtor without any): as few calls as the query-string limit allows.
pub async fn delivery_addresses(
    client: &AfasClient,
    debtor_ids: &[String],
) -> Result<HashMap<String, Vec<DeliveryAddressRow>>, AfasError> {
    let query = DeliveryAddressRow::query().page_size(PAGE_SIZE);
    let rows: Vec<DeliveryAddressRow> = client.get_by_keys(&query, "DebiteurID", debtor_ids).await?;
    let mut by_debtor: HashMap<String, Vec<DeliveryAddressRow>> =
        debtor_ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    for row in rows {
        if let Some(listed) = row.debtor_id.as_ref().and_then(|id| by_debtor.get_mut(id)) {
            listed.push(row);
        }
    }
    Ok(by_debtor)
}

/// Whether a listed delivery address is this address, field by field as Koppel sends them (street, house
/// number, addition, postcode, city, country); case, and spaces in the postcode, do not count.
pub fn same_address(row: &DeliveryAddressRow, address: &koppel_afas::update::Address) -> bool {
    let same = |listed: Option<&str>, sent: Option<&str>| {
        let normal = |text: Option<&str>| text.map(str::trim).unwrap_or_default().to_lowercase();
        normal(listed) == normal(sent)
    };
    let postcode = |text: Option<&str>| text.unwrap_or_default().replace(' ', "").to_uppercase();
    same(row.street.as_deref(), address.street.as_deref())
        && row.house_number == address.house_number
        && same(
            row.house_number_addition.as_deref(),
            address.house_number_addition.as_deref(),
        )
        && postcode(row.postcode.as_deref()) == postcode(address.postcode.as_deref())
        && same(row.city.as_deref(), address.city.as_deref())
        && same(row.country.as_deref(), Some(&address.country))
}

/// A debtor's organisation or person code (`BcCo`), by its debtor id.
pub async fn party_code(client: &AfasClient, debtor_id: &str) -> Result<Option<String>, AfasError> {
    let query = Debtor::query().page_size(PAGE_SIZE);
    let rows: Vec<Debtor> = client.get_by_keys(&query, Debtor::KEY, &[debtor_id]).await?;
    Ok(rows
        .into_iter()
        .find(|row| row.debtor_id == debtor_id)
        .and_then(|row| row.organisation_or_person_code))
}

/// Articles by item code, with their AFAS unit.
pub async fn articles_by_code(
    client: &AfasClient,
    codes: &[String],
) -> Result<Vec<(ArticleRecord, String)>, AfasError> {
    let query = Article::query().page_size(PAGE_SIZE);
    let rows: Vec<Article> = client.get_by_keys(&query, Article::KEY, codes).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let unit = row.unit.unwrap_or_default();
            let record = ArticleRecord {
                description: row.description.unwrap_or_default(),
                item_code: row.item_code,
            };
            (record, unit)
        })
        .collect())
}

/// Stock per item code in one warehouse, with the unit.
pub async fn stock_in_warehouse(
    client: &AfasClient,
    warehouse: &str,
    codes: &[String],
) -> Result<Vec<(String, Decimal, Option<String>)>, AfasError> {
    let query =
        StockPerWarehouse::query()
            .page_size(PAGE_SIZE)
            .filter(Filter::new("Warehouse", Operator::Equal, warehouse));
    let rows: Vec<StockPerWarehouse> = client.get_by_keys(&query, StockPerWarehouse::KEY, codes).await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.item_code, row.in_stock.unwrap_or_default(), row.unit))
        .collect())
}

/// The financial entries booked under these voucher numbers (`BpNr`): voucher → entry number. One call per
/// chunk of vouchers; an entry has a row per line, all with its voucher.
pub async fn entries_by_voucher(
    client: &AfasClient,
    vouchers: &[String],
) -> Result<HashMap<String, String>, AfasError> {
    let query = TransactionRow::query().page_size(PAGE_SIZE);
    let rows: Vec<TransactionRow> = client.get_by_keys(&query, "VoucherNo", vouchers).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Some((row.voucher_number?, row.entry_number.to_string())))
        .filter(|(voucher, _)| vouchers.contains(voucher))
        .collect())
}

/// The GetConnector listing a reference list, and its code field.
pub fn reference_list(list: AfasList) -> (&'static str, &'static str) {
    match list {
        AfasList::Administrations => ("Profit_Administrations", "AdminId"),
        AfasList::Warehouses => ("Profit_Warehouses", "Warehouse"),
        AfasList::Debtors => ("Profit_Debtor", "DebtorId"),
        AfasList::PaymentConditions => ("Profit_PaymentConditions", "PaymentCondition"),
        AfasList::PaymentMethods => ("Profit_PaymentMethods", "PaymentMethod"),
        AfasList::VatCodes => ("Profit_VAT_code", "VatCode"),
        AfasList::Journals => ("Profit_Journals", "JournalId"),
        AfasList::LedgerAccounts => ("Profit_Accounts", "Account"),
    }
}

/// A code as a GetConnector row gives it (numbers, such as `AdminId`, as their text).
pub fn code_of(row: &Value, field: &str) -> String {
    match row.get(field) {
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// Which of `codes` are in the reference list.
pub async fn existing_codes(
    client: &AfasClient,
    list: AfasList,
    codes: &[String],
) -> Result<HashSet<String>, AfasError> {
    let (connector, field) = reference_list(list);
    let query = GetQuery::new(connector, [field]).page_size(PAGE_SIZE);
    let rows: Vec<Value> = client.get_by_keys(&query, field, codes).await?;
    Ok(rows.iter().map(|row| code_of(row, field)).collect())
}

#[cfg(test)]
mod tests {
    use koppel_sync::street::split_street;

    use super::*;

    #[test]
    fn references_of_one_prefix_are_asked_for_as_a_range() {
        let references: Vec<String> = [
            "ORD-2026-000120",
            "ORD-2026-000101",
            "ORD-2025-000999",
            "INV-2026-000001",
        ]
        .into_iter()
        .chain(["ORD-2026-000110", "webshop 7"])
        .map(str::to_owned)
        .collect();
        let (ranges, listed) = reference_ranges(&references);
        assert_eq!(
            ranges,
            vec![("ORD-2026-000101".to_owned(), "ORD-2026-000120".to_owned())]
        );
        let listed: BTreeSet<String> = listed.into_iter().collect();
        let expected = ["webshop 7", "ORD-2025-000999", "INV-2026-000001"].map(str::to_owned);
        assert_eq!(listed, expected.into_iter().collect());
    }

    #[test]
    fn dense_order_numbers_are_asked_for_as_one_range() {
        let numbers = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let range = dense_range(&numbers(&["26000110", "26000101", "26000105"]));
        assert_eq!(range, Some(("26000101".to_owned(), "26000110".to_owned())));
        assert_eq!(dense_range(&numbers(&["26000001", "26099999"])), None, "too sparse");
        assert_eq!(dense_range(&numbers(&["26000001", "2600002"])), None, "lengths differ");
        assert_eq!(dense_range(&numbers(&["F-1", "F-2"])), None);
        assert_eq!(dense_range(&numbers(&["26000001"])), None, "one number goes by name");
    }

    #[test]
    fn afas_display_lines_read_back_as_sent() {
        for line in [
            "Kerkstraat 12a",
            "Meir 45/2",
            "Laan van Meerdervoort 1024-B",
            "Rue de la Loi 16 bus 3",
            "Markt",
        ] {
            let sent = split_street(line);
            let shown = [
                Some(sent.street.clone()),
                sent.house_number.clone(),
                sent.addition.clone(),
            ];
            let shown = shown.into_iter().flatten().collect::<Vec<_>>().join(" ");
            assert_eq!(
                split_display_line(&shown),
                (sent.street, sent.house_number, sent.addition),
                "{line}"
            );
        }
    }
}
