//! The engine's drafts as the AFAS client's typed UpdateConnector bodies (never JSON by hand).
//!
//! - Debtors: `KnSalesRelationOrg` (the person, or else a department carrying the e-mail, as contact) or
//!   `KnSalesRelationPer`. The revenue account per country goes on the debtor as its contra account (`ToAc`):
//!   AFAS has no revenue account on order lines. The VAT code per country goes on every order line (`VaRc`).
//!   An update (PUT) sends the debtor number and what the draft has, nothing AFAS requires only of new debtors
//!   (`CuId`, `CdDa`, `IsDb`): AFAS keeps every field a PUT leaves out.
//! - Delivery addresses: a contact of kind `AFL` with its own address, added to an existing debtor by a PUT of
//!   its `KnSalesRelationOrg` / `KnSalesRelationPer` ([`koppel_afas::update::DeliveryAddress`]).
//! - Sales: `FbSales` / `FbDirectInvoice` / `FbSalesQuotation` by the draft's target, article lines (`VaIt` 2)
//!   in the article's AFAS unit and cost lines (`VaIt` 6), the discount as a percentage (`PRDc`) or, when the
//!   engine set one, as an amount (`ARDc`), both marked manual so AFAS keeps them. The delivery address goes
//!   as one readable line (`ExAd`) and, when the sale went elsewhere than the debtor's own address, as the
//!   debtor's delivery-address contact (`DlAd`).
//! - Articles (`FbItemArticle`), created with stock tracking on so the stock flow can book them; and stock
//!   mutations (`FbStockMutation`) booking the difference in (41) or out (42).
//! - Financial entries (`FiEntries`): a day's ledger lines under one voucher number, dated the financial day, in
//!   the AFAS year and period of that day.

use chrono::NaiveDate;
use koppel_afas::update::{AccountKind, FinancialEntry, FinancialEntryLine};
use koppel_afas::update::{
    Address as AfasAddress, Contact, ContactFields, ContactKind, DebtorFields, ItemArticle, ItemType, Organisation,
    OrganisationFields, OrganisationMatch, Person, PersonFields, PersonMatch, SalesDocument, SalesDocumentKind,
    SalesHeader, SalesLine, SalesRelationOrg, SalesRelationPer, StockMutation, StockMutationKind,
};
use koppel_sync::flows::financial_journal::year_and_period;
use koppel_sync::ledger::FinancialEntryDraft;
use koppel_sync::model::{
    Address, ArticleDraft, DebtorDraft, DebtorParty, OrderTarget, PersonName, SalesLineDraft, SalesLineKind,
    SalesOrderDraft, StockMutationDraft,
};
use koppel_sync::ports::{ConnectorError, ConnectorResult};
use rust_decimal::Decimal;

/// The unit of a line or article when AFAS named none: AFAS's "piece".
pub const DEFAULT_UNIT: &str = "stk";
/// Cost lines have no unit of their own; AFAS's examples use this placeholder.
const COST_UNIT: &str = "*****";
/// Reason code of the stock mutations Koppel books (a code from AFAS's standard list).
const STOCK_REASON: &str = "6";
/// AFAS's default location within a warehouse.
const STOCK_LOCATION: &str = "*****";

/// A debtor body: organisation or person, insert (`debtor_id` `None`) or update.
pub enum DebtorBody {
    Organisation(SalesRelationOrg),
    Person(SalesRelationPer),
}

/// The body for `draft`; `existing` is `(debtor id, organisation/person code)` for an update. An update sends
/// only what the draft has (AFAS keeps every field a PUT leaves out): the engine's update draft leaves out
/// what Koppel does not own.
pub fn debtor_body(draft: &DebtorDraft, existing: Option<(&str, Option<&str>)>, today: NaiveDate) -> DebtorBody {
    let base = match existing {
        Some((id, _)) => DebtorFields {
            currency: draft.currency.clone(),
            ..DebtorFields::update(id)
        },
        None => DebtorFields {
            is_debtor: Some(true),
            ..DebtorFields::insert(draft.currency.as_deref().unwrap_or("EUR"))
        },
    };
    let debtor = DebtorFields {
        payment_condition: draft.payment_terms.clone(),
        collective_account: draft.ledger_account.clone(),
        contra_account: draft.revenue_account.clone(),
        vat_duty: draft.vat_duty.clone(),
        vat_number: draft.vat_number.clone(),
        ..base
    };
    let code = existing.and_then(|(_, code)| code).unwrap_or_default().to_owned();
    let address = draft.address.as_ref().map(|a| address(a, today));
    match &draft.party {
        DebtorParty::Organisation { name, contact } => {
            let mut fields = OrganisationFields {
                email: draft.email.clone(),
                phone: draft.phone.clone(),
                ..OrganisationFields::new_organisation(name)
            };
            if existing.is_some() {
                (fields.matching, fields.auto_number, fields.code) = (OrganisationMatch::ByCode, false, code);
            }
            // Contacts are added, never matched, by AFAS: send them with a new debtor only.
            let contacts = match existing {
                Some(_) => Vec::new(),
                None => vec![contact_of(contact.as_ref(), draft.email.as_deref())],
            };
            DebtorBody::Organisation(SalesRelationOrg {
                debtor,
                organisation: Organisation {
                    fields,
                    visit_address: address,
                    postal_address: None,
                    contacts,
                },
            })
        }
        DebtorParty::Person(name) => {
            let mut person = person(name, draft.email.as_deref(), draft.phone.clone());
            if existing.is_some() {
                (person.fields.matching, person.fields.auto_number, person.fields.code) =
                    (PersonMatch::ByCode, false, code);
            }
            person.visit_address = address;
            DebtorBody::Person(SalesRelationPer { debtor, person })
        }
    }
}

fn person(name: &PersonName, email: Option<&str>, phone: Option<String>) -> Person {
    Person {
        fields: PersonFields {
            first_name: name.first_name.clone(),
            last_name: Some(name.last_name.clone()),
            email: email.map(str::to_owned),
            phone,
            ..PersonFields::new_person()
        },
        visit_address: None,
        postal_address: None,
    }
}

/// The organisation's contact: the person who buys, or a department holding the e-mail address.
fn contact_of(person_name: Option<&PersonName>, email: Option<&str>) -> Contact {
    match person_name {
        Some(name) => Contact::person(person(name, email, None)),
        None => Contact {
            fields: ContactFields {
                postal_is_visit_address: true,
                kind: Some(ContactKind::Department),
                function: None,
                phone: None,
                mobile: None,
                email: email.map(str::to_owned),
            },
            person: None,
        },
    }
}

/// An address as AFAS keeps it (`KnBasicAddressAdr`): the debtor's own, or a delivery address's.
pub fn address(address: &Address, today: NaiveDate) -> AfasAddress {
    let number = address.house_number.as_deref().and_then(|n| n.parse::<i64>().ok());
    // A house number AFAS cannot take as a number stays visible in the addition.
    let unparsed = address.house_number.clone().filter(|_| number.is_none());
    let addition = [unparsed, address.house_number_addition.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    AfasAddress {
        country: address.country.clone(),
        is_po_box: false,
        street: non_empty(&address.street),
        house_number: number,
        house_number_addition: non_empty(&addition),
        postcode: non_empty(&address.postcode),
        city: non_empty(&address.city),
        begin_date: today,
        city_from_postcode: false,
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// One line of the delivery address, for the order's delivery-address description (`ExAd`).
fn address_line(address: &Address) -> String {
    let street = [
        Some(address.street.as_str()),
        address.house_number.as_deref(),
        address.house_number_addition.as_deref(),
    ];
    let street = street
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let place = format!("{} {}", address.postcode, address.city);
    [street.as_str(), place.trim(), address.country.as_str()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn document_kind(target: OrderTarget) -> SalesDocumentKind {
    match target {
        OrderTarget::SalesOrder => SalesDocumentKind::Order,
        OrderTarget::DirectInvoice => SalesDocumentKind::DirectInvoice,
        OrderTarget::Quotation => SalesDocumentKind::Quotation,
    }
}

/// The sales document; `unit_of` gives an article's AFAS unit.
pub fn sales_body(draft: &SalesOrderDraft, unit_of: impl Fn(&str) -> String) -> ConnectorResult<SalesDocument> {
    let administration = draft
        .administration
        .as_deref()
        .map(|unit| {
            unit.trim().parse::<i64>().map_err(|_| {
                ConnectorError::setting(format!("setting `administration` must be a number, not {unit:?}"))
            })
        })
        .transpose()?;
    let delivery_address_id = draft
        .delivery_address_id
        .as_deref()
        .map(|id| {
            id.trim().parse::<i64>().map_err(|_| {
                ConnectorError::permanent(format!(
                    "AFAS delivery address (`DlAd`) must be a contact number, not {id:?}"
                ))
            })
        })
        .transpose()?;
    let header = SalesHeader {
        date: Some(draft.date),
        debtor_id: draft.debtor_id.clone(),
        currency: draft.currency.clone(),
        reference: Some(draft.reference.clone()),
        prices_include_vat: Some(draft.prices_include_vat),
        payment_method: draft.payment_method.clone(),
        administration,
        warehouse: draft.warehouse.clone(),
        transporter: draft.shipping_method.clone(),
        delivery_address_id,
        delivery_address_note: draft.delivery_address.as_ref().map(address_line),
        ..SalesHeader::default()
    };
    let lines = draft.lines.iter().map(|line| sales_line(line, &unit_of)).collect();
    Ok(SalesDocument {
        kind: document_kind(draft.target),
        header,
        lines,
    })
}

fn sales_line(draft: &SalesLineDraft, unit_of: &impl Fn(&str) -> String) -> SalesLine {
    let (item_type, unit) = match draft.kind {
        SalesLineKind::Article => (ItemType::Article, unit_of(&draft.item_code)),
        SalesLineKind::Cost => (ItemType::Costs, COST_UNIT.to_owned()),
    };
    let percentage =
        (draft.discount_amount.is_none() && !draft.discount_percentage.is_zero()).then_some(draft.discount_percentage);
    let discounted = percentage.is_some() || draft.discount_amount.is_some();
    SalesLine {
        item_type,
        description: non_empty(&draft.description),
        vat_group: draft.vat_code.clone(),
        discount_percentage: percentage,
        discount_amount: draft.discount_amount,
        manual_discount: discounted.then_some(true),
        dimension1: draft.dimensions.first().cloned(),
        dimension2: draft.dimensions.get(1).cloned(),
        ..SalesLine::article(&draft.item_code, &unit, draft.quantity, Some(draft.unit_price))
    }
}

/// An article; `insert` also switches stock tracking on and fixes the unit.
pub fn article_body(draft: &ArticleDraft, unit: &str, insert: bool) -> ConnectorResult<ItemArticle> {
    let group = draft.group.as_deref().ok_or_else(|| {
        ConnectorError::setting(format!(
            "setting `article_group_map` gives no AFAS article group (`Grp`) for article {}",
            draft.item_code
        ))
    })?;
    let (sales_price, consumer_price) = if draft.price_includes_vat {
        (None, Some(draft.price))
    } else {
        (Some(draft.price), None)
    };
    Ok(ItemArticle {
        description: Some(draft.description.chars().take(100).collect()),
        extra_description: draft
            .long_description
            .clone()
            .or_else(|| draft.short_description.clone()),
        vat_group: draft.vat_group.clone(),
        sales_price,
        consumer_price,
        barcode_type: draft.ean.as_deref().map(barcode_type),
        barcode: draft.ean.clone(),
        track_stock: insert.then_some(true),
        ..ItemArticle::new(&draft.item_code, group, unit)
    })
}

/// AFAS's barcode type: checked EAN-13 or EAN-8, otherwise unchecked.
fn barcode_type(barcode: &str) -> String {
    let digits = barcode.chars().all(|c| c.is_ascii_digit());
    match (digits, barcode.len()) {
        (true, 13) => "3",
        (true, 8) => "1",
        _ => "0",
    }
    .to_owned()
}

pub fn stock_body(draft: &StockMutationDraft, unit: &str) -> StockMutation {
    let kind = if draft.quantity >= Decimal::ZERO {
        StockMutationKind::BookIn
    } else {
        StockMutationKind::BookOut
    };
    let quantity = draft.quantity.abs();
    StockMutation {
        kind,
        reason: STOCK_REASON.to_owned(),
        date: Some(draft.date),
        description: Some(draft.reference.clone()),
        item_type: ItemType::Article,
        item_code: draft.item_code.clone(),
        dimension1: None,
        dimension2: None,
        warehouse: draft.warehouse.clone(),
        location: STOCK_LOCATION.to_owned(),
        unit: unit.to_owned(),
        units: quantity,
        quantity,
    }
}

/// A day's financial entry: every line on a ledger account, dated the financial day, under its voucher number.
pub fn financial_entry_body(entry: &FinancialEntryDraft) -> FinancialEntry {
    let (year, period) = year_and_period(entry.date);
    FinancialEntry {
        year,
        period,
        administration: entry.administration.clone(),
        journal: entry.journal.clone(),
        lines: entry
            .lines
            .iter()
            .map(|line| FinancialEntryLine {
                account_kind: AccountKind::Ledger,
                account: line.account.clone(),
                entry_date: entry.date,
                voucher_date: entry.date,
                voucher_number: Some(entry.voucher.clone()),
                description: Some(line.description.clone()),
                debit: line.debit,
                credit: line.credit,
                vat_code: line.vat_code.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use koppel_afas::update::UpdateConnector;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn draft(party: DebtorParty) -> DebtorDraft {
        DebtorDraft {
            party,
            email: Some("info@jansen.nl".into()),
            phone: Some("020-1234567".into()),
            address: Some(Address {
                street: "Kerkstraat".into(),
                house_number: Some("12".into()),
                house_number_addition: Some("a".into()),
                postcode: "1017 GC".into(),
                city: "Amsterdam".into(),
                country: "NL".into(),
            }),
            ledger_account: Some("1300".into()),
            payment_terms: Some("14".into()),
            currency: Some("EUR".into()),
            vat_duty: Some("1".into()),
            vat_code: Some("1".into()),
            revenue_account: Some("8000".into()),
            vat_number: None,
        }
    }

    #[test]
    fn a_company_becomes_an_organisation_with_its_person_as_contact() {
        let company = DebtorParty::Organisation {
            name: "Jansen BV".into(),
            contact: Some(PersonName {
                first_name: Some("Piet".into()),
                last_name: "Jansen".into(),
            }),
        };
        let DebtorBody::Organisation(body) = debtor_body(&draft(company), None, today()) else {
            panic!("an organisation");
        };
        let json = body.body().unwrap();
        let element = &json["KnSalesRelationOrg"]["Element"];
        assert_eq!(element["Fields"]["ToAc"], "8000");
        let organisation = &element["Objects"][0]["KnOrganisation"]["Element"][0];
        assert_eq!(organisation["Fields"]["Nm"], "Jansen BV");
        assert_eq!(organisation["Fields"]["EmAd"], "info@jansen.nl");
        let text = json.to_string();
        assert!(
            text.contains(r#""LaNm":"Jansen""#) && text.contains(r#""HmNr":12"#),
            "{text}"
        );
    }

    #[test]
    fn an_update_names_the_debtor_and_its_person_without_new_contacts() {
        let person = DebtorParty::Person(PersonName {
            first_name: Some("Anna".into()),
            last_name: "de Vries".into(),
        });
        let DebtorBody::Person(body) = debtor_body(&draft(person), Some(("10042", Some("1077"))), today()) else {
            panic!("a person");
        };
        let json = body.body().unwrap();
        let element = &json["KnSalesRelationPer"]["Element"];
        assert_eq!(element["@DbId"], "10042");
        let person = &element["Objects"][0]["KnPerson"]["Element"][0]["Fields"];
        assert_eq!((&person["BcCo"], &person["MatchPer"]), (&"1077".into(), &"0".into()));
    }

    #[test]
    fn an_update_without_accounting_fields_sends_none_and_passes_the_put_schema() {
        let mut update = draft(DebtorParty::Organisation {
            name: "Jansen BV".into(),
            contact: None,
        });
        (update.ledger_account, update.payment_terms, update.currency) = (None, None, None);
        (update.vat_duty, update.revenue_account, update.phone) = (None, None, None);
        let DebtorBody::Organisation(body) = debtor_body(&update, Some(("10042", Some("1077"))), today()) else {
            panic!("an organisation");
        };
        let json = body.body().unwrap();
        koppel_afas::schema::validate("KnSalesRelationOrg", "PUT", &json).unwrap();
        let fields = json["KnSalesRelationOrg"]["Element"]["Fields"].as_object().unwrap();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["DbId"], "{json}");
        let organisation = &json["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]["Element"][0];
        assert_eq!(organisation["Fields"]["Nm"], "Jansen BV");
        assert!(organisation["Fields"].get("TeNr").is_none(), "no empty phone: {json}");

        // A new debtor carries what the official schema requires of one.
        let DebtorBody::Organisation(body) = debtor_body(&update, None, today()) else {
            panic!("an organisation");
        };
        let json = body.body().unwrap();
        koppel_afas::schema::validate("KnSalesRelationOrg", "POST", &json).unwrap();
        let fields = &json["KnSalesRelationOrg"]["Element"]["Fields"];
        assert_eq!((&fields["CuId"], &fields["CdDa"]), (&"EUR".into(), &0.into()));
    }

    #[test]
    fn barcodes_get_their_type() {
        assert_eq!(barcode_type("8712345000007"), "3");
        assert_eq!(barcode_type("12345670"), "1");
        assert_eq!(barcode_type("ABC"), "0");
    }
}
