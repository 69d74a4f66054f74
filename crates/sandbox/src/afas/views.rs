//! Projects the records onto the GetConnector tables: what a GetConnector shows of a debtor, article, stock
//! level, order or quotation. Only the rows a transaction touched are rebuilt. (`Profit_SalesPrice` has no table: its
//! rows are computed per request, see `get_connectors::sales_prices`.)

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use super::arithmetic::{DocumentTotals, LineAmounts, line_amounts};
use super::catalog::{Backing, built_in_connectors};
use super::controls::DELIVERED_FIELD;
use super::fields::{decimal, display, flag, json_number, text};
use super::seed::{BRAND_FIELD, WEBSHOP_FIELD};
use super::store::{DocumentKind, Fields, PartyKind, Store, format_datetime};
use super::table::{Row, Table};

/// A record whose GetConnector rows must be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum View {
    /// Administrations, warehouses, VAT codes, payment conditions and methods.
    Reference,
    Debtor(String),
    /// An organisation or person (its contacts).
    Party(String),
    Article(String),
    Stock(String, String),
    Document(String),
    /// A journal entry by its `EnNo`.
    FinancialEntry(String),
    /// A sales discount group by its code (`Koppel_DiscountGroups`).
    DiscountGroup(String),
}

pub fn empty_tables() -> BTreeMap<String, Table> {
    built_in_connectors()
        .iter()
        .filter_map(|(def, backing)| match backing {
            Backing::Table(indexed) => Some((def.id.clone(), Table::with_indexes(indexed))),
            Backing::SalesPrices => None,
        })
        .collect()
}

/// Table key that sorts numeric codes numerically (Profit's natural order for number series).
pub fn table_key(code: &str) -> String {
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("{code:0>20}")
    } else {
        code.to_owned()
    }
}

enum Patch {
    Upsert(&'static str, String, Row),
    Remove(&'static str, String),
    RemovePrefix(&'static str, String),
}

pub fn refresh(store: &mut Store, touched: &BTreeSet<View>) {
    let mut patches = Vec::new();
    for view in touched {
        project(store, view, &mut patches);
    }
    for patch in patches {
        match patch {
            Patch::Upsert(table, key, row) => table_mut(store, table).upsert(key, row),
            Patch::Remove(table, key) => {
                table_mut(store, table).remove(&key);
            }
            Patch::RemovePrefix(table, prefix) => table_mut(store, table).remove_prefix(&prefix),
        }
    }
}

fn table_mut<'s>(store: &'s mut Store, id: &str) -> &'s mut Table {
    store.tables.get_mut(id).expect("every built-in connector has a table")
}

fn project(store: &Store, view: &View, patches: &mut Vec<Patch>) {
    match view {
        View::Reference => project_reference(store, patches),
        View::Debtor(id) => match debtor_row(store, id) {
            Some(row) => patches.push(Patch::Upsert("Profit_Debtor", table_key(id), row)),
            None => patches.push(Patch::Remove("Profit_Debtor", table_key(id))),
        },
        View::Party(code) => {
            patches.push(Patch::RemovePrefix("Profit_Contacts", format!("{}-", table_key(code))));
            for (key, row) in contact_rows(store, code) {
                patches.push(Patch::Upsert("Profit_Contacts", key, row));
            }
            patches.push(Patch::RemovePrefix(
                "Profit_Deliveryaddress",
                format!("{}-", table_key(code)),
            ));
            for (key, row) in delivery_address_rows(store, code) {
                patches.push(Patch::Upsert("Profit_Deliveryaddress", key, row));
            }
        }
        View::Article(code) => {
            for (table, row) in article_rows(store, code) {
                match row {
                    Some(row) => patches.push(Patch::Upsert(table, table_key(code), row)),
                    None => patches.push(Patch::Remove(table, table_key(code))),
                }
            }
            patches.push(Patch::RemovePrefix(
                "Profit_Barcode_per_Item",
                format!("{}/", table_key(code)),
            ));
            for (key, row) in barcode_rows(store, code) {
                patches.push(Patch::Upsert("Profit_Barcode_per_Item", key, row));
            }
        }
        View::Stock(item, warehouse) => {
            let key = format!("{}/{}", table_key(item), warehouse);
            match stock_row(store, item, warehouse) {
                Some(row) => patches.push(Patch::Upsert("Profit_Stock_per_Warehouse", key, row)),
                None => patches.push(Patch::Remove("Profit_Stock_per_Warehouse", key)),
            }
        }
        View::Document(number) => project_document(store, number, patches),
        View::FinancialEntry(number) => project_financial_entry(store, number, patches),
        View::DiscountGroup(code) => project_discount_group(store, code, patches),
    }
}

fn project_reference(store: &Store, patches: &mut Vec<Patch>) {
    let reference = &store.reference;
    for admin in &reference.administrations {
        let row = row(json!({"AdminId": admin.id, "AdminNm": admin.name, "AdminCd": admin.code}));
        patches.push(Patch::Upsert(
            "Profit_Administrations",
            table_key(&admin.id.to_string()),
            row,
        ));
    }
    for warehouse in reference.warehouses.values() {
        let row = row(json!({
            "Warehouse": warehouse.code, "Description": warehouse.description,
            "UnitIdFin": reference.administrations.first().map(|a| a.id), "Blocked": warehouse.blocked,
        }));
        patches.push(Patch::Upsert("Profit_Warehouses", table_key(&warehouse.code), row));
    }
    for vat in reference.vat_codes.values() {
        let row = row(json!({
            "VatCode": vat.code, "Description": vat.description, "AccountNr": vat.account,
            "VatPerc": json_number(vat.percentage), "VatDuty": "1", "Blocked": false, "VatMethod": "Factuurstelsel",
            "VatType": vat.vat_type,
        }));
        patches.push(Patch::Upsert("Profit_VAT_code", table_key(&vat.code), row));
    }
    for term in reference.payment_conditions.values() {
        let row = row(json!({"PaymentCondition": term.code, "Description": term.description, "Days": term.days}));
        patches.push(Patch::Upsert("Profit_PaymentConditions", table_key(&term.code), row));
    }
    for term in reference.payment_methods.values() {
        let row = row(json!({"PaymentMethod": term.code, "Description": term.description}));
        patches.push(Patch::Upsert("Profit_PaymentMethods", table_key(&term.code), row));
    }
    let unit = reference.administrations.first().map(|a| a.id);
    for journal in reference.journals.values() {
        let row = row(json!({
            "UnitId": unit, "JournalId": journal.code, "Description": journal.description,
            "JournalType": journal.kind, "Blocked": journal.blocked,
        }));
        patches.push(Patch::Upsert("Profit_Journals", table_key(&journal.code), row));
    }
    for account in reference.ledger.values() {
        let row = row(json!({
            "Account": account.number, "Description": account.description, "Type": account.kind,
            "Sort": "Grootboekrekening", "Blocked": account.blocked, "CollectAccount": false,
            "VatAllowed": account.vat_code.is_some(), "VatCode": account.vat_code,
        }));
        patches.push(Patch::Upsert("Profit_Accounts", table_key(&account.number), row));
    }
}

fn debtor_row(store: &Store, id: &str) -> Option<Row> {
    let debtor = store.debtors.get(id)?;
    let party = store.parties.get(&debtor.party)?;
    let relation = &debtor.fields;
    let address = party.address.as_ref().or(party.postal_address.as_ref());
    let field = |fields: Option<&Fields>, key: &str| fields.and_then(|f| text(f, key)).map(str::to_owned);
    let street = address.map(|a| {
        [text(a, "Ad"), a.get("HmNr").map(display).as_deref(), text(a, "HmAd")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let city = address.map(|a| {
        [text(a, "ZpCd"), text(a, "Rs")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  ")
    });
    let country_id = field(address, "CoId");
    let country = country_id.as_ref().map(|code| {
        store
            .reference
            .countries
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.clone())
    });
    let name = match party.kind {
        PartyKind::Organisation => text(&party.fields, "Nm").unwrap_or_default().to_owned(),
        PartyKind::Person => person_name(&party.fields),
    };
    let email = text(&party.fields, "EmAd").or_else(|| text(&party.fields, "EmA2"));
    let iban = text(relation, "Iban").or_else(|| party.bank_account.as_ref().and_then(|b| text(b, "Iban")));
    Some(row(json!({
        "DebtorId": id,
        "DebtorName": name,
        "BcCo": debtor.party,
        "SearchName": text(&party.fields, "SeNm"),
        "AdressLine1": street.filter(|s| !s.is_empty()),
        "AdressLine3": city.filter(|s| !s.trim().is_empty()),
        "AdressLine4": country,
        "CountryId": country_id,
        "TelNr": text(&party.fields, "TeNr"),
        "Email": email,
        "IBAN": iban,
        "VatNr": text(relation, "VaId"),
        "ChOfCommNr": text(&party.fields, "CcNr"),
        "CollectAccount": text(relation, "ColA"),
        "PayCon": text(relation, "PaCd"),
        "VatDuty": text(relation, "VaDu"),
        "Blocked": flag(relation, "BlTl") || flag(relation, "Bl"),
        "CreditLimit": decimal(relation, "Krli").map(json_number),
        "CurrencyId": text(relation, "CuId"),
        "AutoPayment": flag(relation, "AuPa"),
        "PriceList": text(relation, "PrLs"),
        "LineDiscount": decimal(relation, "PrLi").map(json_number),
        "DiscountGroup": text(relation, "DsGr"),
        "CreateDate": format_datetime(&debtor.created),
        "ModifiedDate": format_datetime(&debtor.modified),
    })))
}

/// The contacts of an organisation (a person's contacts, such as its delivery addresses, are not listed here:
/// this connector lists contacts of organisations).
fn contact_rows(store: &Store, code: &str) -> Vec<(String, Row)> {
    let Some(party) = store
        .parties
        .get(code)
        .filter(|party| party.kind == PartyKind::Organisation)
    else {
        return Vec::new();
    };
    party
        .contacts
        .iter()
        .enumerate()
        .map(|(index, contact)| {
            let person = contact.person.as_ref().and_then(|person| store.parties.get(person));
            let email = text(&contact.fields, "EmAd").or_else(|| person.and_then(|p| text(&p.fields, "EmAd")));
            let row = row(json!({
                "ContactId": format!("{code}-{}", index + 1),
                "OrganisationCode": code,
                "PersonCode": contact.person,
                "Name": person.map(|p| person_name(&p.fields)),
                "Function": text(&contact.fields, "FuDs"),
                "Email": email,
                "TelNr": text(&contact.fields, "TeNr"),
            }));
            (format!("{}-{:06}", table_key(code), index + 1), row)
        })
        .collect()
}

/// The delivery addresses (contacts of kind `AFL`) of an organisation or person, with the debtor it is.
fn delivery_address_rows(store: &Store, code: &str) -> Vec<(String, Row)> {
    let Some(party) = store.parties.get(code) else {
        return Vec::new();
    };
    let debtor = store.debtors_of_party(code).into_iter().next();
    let name = match party.kind {
        PartyKind::Organisation => text(&party.fields, "Nm").map(str::to_owned),
        PartyKind::Person => Some(person_name(&party.fields)),
    };
    party
        .contacts
        .iter()
        .filter(|contact| contact.is_delivery_address())
        .map(|contact| {
            let address = contact.address.clone().unwrap_or_default();
            let row = row(json!({
                "ContactId": contact.number.parse::<i64>().ok(),
                "OrgId": code,
                "Bedrijf": name,
                "Tel": text(&contact.fields, "TeNr"),
                "Mail": text(&contact.fields, "EmAd"),
                "Is_debiteur": debtor.is_some(),
                "Adrestype_code": "AFL",
                "A_Straat": text(&address, "Ad"),
                "A_Huisnummer": address.get("HmNr").and_then(Value::as_i64),
                "A_Toev_Huisnr.": text(&address, "HmAd"),
                "A_Postcode": text(&address, "ZpCd"),
                "A_Woonplaats": text(&address, "Rs"),
                "A_Land": text(&address, "CoId"),
                "DebiteurID": debtor,
                "Gewijzigd_op": None::<String>,
            }));
            (format!("{}-{}", table_key(code), table_key(&contact.number)), row)
        })
        .collect()
}

/// "Jan de Vries": first name (or initials), prefix, last name.
pub fn person_name(fields: &Fields) -> String {
    let first = text(fields, "FiNm").or_else(|| text(fields, "In"));
    [first, text(fields, "Is"), text(fields, "LaNm")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn article_rows(store: &Store, code: &str) -> [(&'static str, Option<Row>); 2] {
    let Some(article) = store.articles.get(code) else {
        return [("Profit_Article", None), ("Profit_Article_Basic", None)];
    };
    let fields = &article.fields;
    let created = format_datetime(&article.created);
    let modified = format_datetime(&article.modified);
    let full = row(json!({
        "ItemCode": code,
        "Description": text(fields, "Ds"),
        "ExtraDescription": text(fields, "DsEx"),
        "UnitId": text(fields, "BiUn"),
        "Factor": 1.0,
        "ArtGroup": text(fields, "Grp"),
        "Blocked": flag(fields, "Bl"),
        "Barcode": text(fields, "BaCo"),
        "VATGroup": text(fields, "VaRc"),
        "ItemSortCode": text(fields, "PrGr"),
        "ItemTypeCode": "Art",
        "Stock": flag(fields, "BiSt"),
        "BitDecimals": decimal(fields, "BiDc").and_then(|d| d.to_i64()).unwrap_or(0),
        "PriceGroup": text(fields, "PrGr"),
        "StockCode": text(fields, "Loc"),
        "StockDimId1": text(fields, "StD1"),
        "StockDimId2": text(fields, "StD2"),
        "SalesPrice": decimal(fields, "SaPrice").map(json_number),
        "CreateDate": created,
        "ModifiedDate": modified,
    }));
    let mut full = full;
    full.insert(WEBSHOP_FIELD.into(), json!(flag(fields, WEBSHOP_FIELD)));
    full.insert(BRAND_FIELD.into(), json!(text(fields, BRAND_FIELD)));
    let basic = row(json!({
        "ItemCode": code,
        "Description": text(fields, "Ds"),
        "UnitId": text(fields, "BiUn"),
        "ArtGroup": text(fields, "Grp"),
        "Blocked": flag(fields, "Bl"),
        "VATgroup": text(fields, "VaRc"),
        "BasicSalesPrice": decimal(fields, "SaPrice").map(json_number),
        "StockActual": json_number(store.stock_total(code)),
        "CreateDate": created,
        "DateModified": modified,
    }));
    [("Profit_Article", Some(full)), ("Profit_Article_Basic", Some(basic))]
}

/// `Profit_Barcode_per_Item`: the article's own barcode (`BaCo`, without dimension codes), then one row per
/// dimension combination with its codes. The barcode type is the article's (`VaBc`), else EAN-13 ("3").
fn barcode_rows(store: &Store, code: &str) -> Vec<(String, Row)> {
    let Some(article) = store.articles.get(code) else {
        return Vec::new();
    };
    let fields = &article.fields;
    let barcode_type = text(fields, "VaBc").unwrap_or("3");
    let own = text(fields, "BaCo").map(|barcode| (barcode, None, None));
    let combinations = store.dimensions_of(code).iter().map(|combination| {
        (
            combination.barcode.as_str(),
            Some(combination.dimension1.as_str()),
            combination.dimension2.as_deref(),
        )
    });
    own.into_iter()
        .chain(combinations)
        .enumerate()
        .map(|(index, (barcode, dimension1, dimension2))| {
            let row = row(json!({
                "ItemType": "Art",
                "ItemCode": code,
                "UnitId": text(fields, "BiUn"),
                "BarcodeType": barcode_type,
                "Barcode": barcode,
                "StockDimCode1": dimension1,
                "StockDimCode2": dimension2,
                "SerialNumber": None::<String>,
                "BatchNumber": None::<String>,
                "DebtorId": None::<String>,
                "CreditorId": None::<String>,
            }));
            (format!("{}/{index:06}", table_key(code)), row)
        })
        .collect()
}

fn stock_row(store: &Store, item: &str, warehouse: &str) -> Option<Row> {
    let quantity = store.stock.get(&(item.to_owned(), warehouse.to_owned()))?;
    let article = store.articles.get(item)?;
    Some(row(json!({
        "Item_code": item,
        "Warehouse": warehouse,
        "Basisartikeltype_code": "Art",
        "In_stock": json_number(*quantity),
        "Unit": text(&article.fields, "BiUn"),
        "Stock_level_code": if *quantity > Decimal::ZERO { "Voorraad" } else { "Geen voorraad" },
        "ModifiedDate": format_datetime(&article.modified),
    })))
}

fn project_document(store: &Store, number: &str, patches: &mut Vec<Patch>) {
    let key = table_key(number);
    patches.push(Patch::Remove("Profit_Salesorders", key.clone()));
    patches.push(Patch::Remove("Profit_SalesQuotations", key.clone()));
    patches.push(Patch::RemovePrefix("Profit_SalesorderLines", format!("{key}/")));
    patches.push(Patch::RemovePrefix("Profit_SalesQuotationLines", format!("{key}/")));
    let Some(document) = store.documents.get(number) else {
        return;
    };
    let fields = &document.fields;
    let created = format_datetime(&document.created);
    let modified = format_datetime(&document.modified);
    let amounts: Vec<LineAmounts> = document
        .lines
        .iter()
        .map(|line| line_amounts(store, document, line))
        .collect();
    let totals = DocumentTotals::of(&amounts);
    let date = text(fields, "OrDa").map(date_time).unwrap_or_else(|| created.clone());
    if document.kind == DocumentKind::Quotation {
        let quotation = row(json!({
            "QuotationNumber": number, "Status": document.status.as_deref().unwrap_or("Open"), "QuotationDate": date,
            "DebtorId": text(fields, "DbId"), "CurrencyId": text(fields, "CuId").unwrap_or("EUR"),
            "CustomerReference": text(fields, "RfCs"), "PricesIncludeVat": flag(fields, "InVa"),
            "TotalAmount": json_number(totals.excl), "VAT": json_number(totals.vat),
            "CreateDate": created, "ModifiedDate": modified,
        }));
        patches.push(Patch::Upsert("Profit_SalesQuotations", key.clone(), quotation));
        for (index, (line, amount)) in document.lines.iter().zip(&amounts).enumerate() {
            let seq = index + 1;
            let line_row = row(json!({
                "QuotationNumber": number,
                "SeqNo": seq,
                "ItemCode": text(line, "ItCd"),
                "Description": text(line, "Ds"),
                "Quantity": json_number(amount.quantity),
                "PricePerUnit": json_number(amount.price),
                "VatCode": amount.vat_code,
                "ModifiedDate": modified,
            }));
            patches.push(Patch::Upsert(
                "Profit_SalesQuotationLines",
                format!("{key}/{seq:06}"),
                line_row,
            ));
        }
        return;
    }
    let (kind, status) = match document.kind {
        DocumentKind::DirectInvoice => ("Directe factuur", "Gefactureerd"),
        _ => ("Order", "Open"),
    };
    let status = document.status.as_deref().unwrap_or(status);
    let order = row(json!({
        "OrderNumber": number,
        "Ordersoort": kind,
        "Status": status,
        "OrderDate": date,
        "DebtorId": text(fields, "DbId"),
        "CurrencyId": text(fields, "CuId").unwrap_or("EUR"),
        "CustomerReference": text(fields, "RfCs"),
        "Warehouse": text(fields, "War"),
        "Gross": json_number(amounts.iter().map(|a| a.gross).sum()),
        "Discount": json_number(amounts.iter().map(|a| a.discount).sum()),
        "TotalAmount": json_number(totals.excl),
        "VAT": json_number(totals.vat),
        "Quantity": json_number(amounts.iter().map(|a| a.quantity).sum()),
        "InvoiceTotal": json_number(totals.incl()),
        "InvoiceNumber": document.invoice_number,
        "CreateDate": created,
        "ModifiedDate": modified,
    }));
    patches.push(Patch::Upsert("Profit_Salesorders", key.clone(), order));
    for (index, (line, amount)) in document.lines.iter().zip(&amounts).enumerate() {
        let seq = index + 1;
        let line_row = row(json!({
            "OrderNumber": number,
            "SeqNo": seq,
            "LineGuid": text(line, "GuLi"),
            "QuantityDelivered": json_number(decimal(line, DELIVERED_FIELD).unwrap_or_default()),
            "ItemTypeCode": text(line, "VaIt"),
            "ItemCodeId": text(line, "ItCd"),
            "Description": text(line, "Ds"),
            "UnitId": text(line, "BiUn"),
            "Quantity": json_number(amount.quantity),
            "PricePerUnit": json_number(amount.price),
            "AmtRowDiscount": json_number(amount.discount),
            "PriceNet": if amount.quantity.is_zero() {
                json_number(Decimal::ZERO)
            } else {
                json_number((amount.excl_vat() / amount.quantity).round_dp(5))
            },
            "AmtTotal": json_number(amount.excl_vat()),
            "VatCode": amount.vat_code,
            "Warehouse": text(line, "War").or_else(|| text(fields, "War")),
            "CreateDate": created,
            "ModifiedDate": modified,
        }));
        patches.push(Patch::Upsert(
            "Profit_SalesorderLines",
            format!("{key}/{seq:06}"),
            line_row,
        ));
    }
}

/// One `Profit_Transactions` row per line of a journal entry. `VatAmt` is the line's amount on the VAT account
/// of its VAT code (the VAT that line books), 0 on other lines.
fn project_financial_entry(store: &Store, number: &str, patches: &mut Vec<Patch>) {
    let key = table_key(number);
    patches.push(Patch::RemovePrefix("Profit_Transactions", format!("{key}/")));
    let Some(entry) = store.financial_entries.get(number) else {
        return;
    };
    let header = &entry.fields;
    let created = format_datetime(&entry.created);
    for (index, line) in entry.lines.iter().enumerate() {
        let seq = index + 1;
        let debit = decimal(line, "AmDe").unwrap_or_default();
        let credit = decimal(line, "AmCr").unwrap_or_default();
        let vat_code = text(line, "VaId");
        let on_vat_account = vat_code
            .and_then(|code| store.reference.vat_codes.get(code))
            .is_some_and(|vat| Some(vat.account.as_str()) == text(line, "AcNr"));
        let vat_amount = if on_vat_account { credit - debit } else { Decimal::ZERO };
        let line_row = row(json!({
            "UnitId": entry.administration,
            "EntryNo": number.parse::<i64>().ok(),
            "SeqNo": seq,
            "Year": header.get("Year").and_then(Value::as_i64),
            "Period": header.get("Peri").and_then(Value::as_i64),
            "JournalId": text(header, "JoCo"),
            "AccountNo": text(line, "AcNr"),
            "AmtDebit": json_number(debit),
            "AmtCredit": json_number(credit),
            "EntryDate": text(line, "EnDa").map(date_time),
            "InvoiceId": text(line, "InId"),
            "VoucherDate": text(line, "BpDa").map(date_time),
            "VoucherNo": text(line, "BpNr"),
            "VatCode": vat_code,
            "VatAmt": json_number(vat_amount),
            "Description": text(line, "Ds"),
            "Created": created,
            "Modified": created,
        }));
        patches.push(Patch::Upsert(
            "Profit_Transactions",
            format!("{key}/{seq:06}"),
            line_row,
        ));
    }
}

/// `Koppel_DiscountGroups`: one row per line of a discount group, whatever its dates (filtering on them is the
/// caller's), keyed by group code and article group.
fn project_discount_group(store: &Store, code: &str, patches: &mut Vec<Patch>) {
    let key = table_key(code);
    patches.push(Patch::RemovePrefix("Koppel_DiscountGroups", format!("{key}/")));
    let Some(group) = store.reference.discount_groups.get(code) else {
        return;
    };
    let midnight = |date: chrono::NaiveDate| format_datetime(&date.and_time(chrono::NaiveTime::MIN));
    for (article_group, percentage) in &group.lines {
        let line = row(json!({
            "DiscountGroup": code,
            "Description": Some(group.description.as_str()).filter(|d| !d.is_empty()),
            "ArtGroup": article_group,
            "DiscountPercentage": json_number(*percentage),
            "StartDate": midnight(group.start_date),
            "EndDate": group.end_date.map(midnight),
        }));
        patches.push(Patch::Upsert(
            "Koppel_DiscountGroups",
            format!("{key}/{}", table_key(article_group)),
            line,
        ));
    }
}

/// A body's date (`2026-11-29` or with a time) as a GetConnector date-time.
fn date_time(date: &str) -> String {
    match date.len() {
        10 => format!("{date}T00:00:00Z"),
        _ => format!("{}Z", date.trim_end_matches('Z').chars().take(19).collect::<String>()),
    }
}

fn row(value: Value) -> Row {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("rows are built from object literals"),
    }
}
