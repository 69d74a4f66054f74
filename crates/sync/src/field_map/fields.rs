//! The fields a flow's rules may set (its target fields with their defaults, for the editor and the
//! checks) and read (the source paths of its records).

use koppel_core::FlowKind;
use serde::Serialize;
use serde_json::Value;

use super::samples::{sample_article, sample_customer, sample_erp_article, sample_erp_debtor, sample_order};

/// A field the flow sends, with what it holds by default (for the editor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TargetField {
    pub target: &'static str,
    /// Where it lands in the target system (AFAS, or MplusKASSA for the flows towards the till).
    pub afas: &'static str,
    /// Where the default comes from.
    pub default: &'static str,
}

const fn field(target: &'static str, afas: &'static str, default: &'static str) -> TargetField {
    TargetField { target, afas, default }
}

const ORDER_FIELDS: &[TargetField] = &[
    field("order.reference", "RfCs (reference)", "number"),
    field("order.date", "OrDa (order date, YYYY-MM-DD)", "date"),
    field(
        "order.administration",
        "Unit (administration)",
        "setting administration",
    ),
    field("order.currency", "CuId (currency)", "setting currency"),
    field("order.warehouse", "War (warehouse)", "setting warehouse"),
    field(
        "order.payment_method",
        "PaTp (payment method)",
        "largest of payments.*.method → payment_method_map",
    ),
    field(
        "order.shipping_method",
        "TrPt (delivery method)",
        "delivery_method → shipping_method_map (with or without a shipping line)",
    ),
    field(
        "order.delivery_address.street",
        "ExAd (delivery address description), and the DlAd contact's address",
        "street of customer.delivery_address.street_line (else the billing address)",
    ),
    field(
        "order.delivery_address.house_number",
        "ExAd (delivery address description), and the DlAd contact's address",
        "house number of customer.delivery_address.street_line",
    ),
    field(
        "order.delivery_address.house_number_addition",
        "ExAd (delivery address description), and the DlAd contact's address",
        "addition of customer.delivery_address.street_line",
    ),
    field(
        "order.delivery_address.postcode",
        "ExAd (delivery address description), and the DlAd contact's address",
        "customer.delivery_address.postcode, trimmed",
    ),
    field(
        "order.delivery_address.city",
        "ExAd (delivery address description), and the DlAd contact's address",
        "customer.delivery_address.city, trimmed",
    ),
    field(
        "order.delivery_address.country",
        "ExAd (delivery address description), and the DlAd contact's address",
        "customer.delivery_address.country as ISO code",
    ),
    field("line.item_code", "ItCd (item code)", "line.sku"),
    field("line.description", "Ds (description)", "line.description"),
    field("line.quantity", "QuUn (quantity)", "line.quantity"),
    field("line.unit_price", "Upri (unit price)", "line.unit_price"),
    field(
        "line.discount_percentage",
        "PRDc (discount %)",
        "line.discount_percentage",
    ),
    field(
        "line.vat_code",
        "VaRc (VAT code)",
        "vat_code_by_country for the delivery country and line.vat_percentage",
    ),
    field("debtor.party.name", "Nm (organisation name)", "customer.company_name"),
    field(
        "debtor.party.first_name",
        "FiNm (first name, person debtor)",
        "customer.first_name",
    ),
    field(
        "debtor.party.last_name",
        "LaNm (last name, person debtor)",
        "customer.last_name (else the e-mail)",
    ),
    field("debtor.email", "EmAd (e-mail)", "customer.email, trimmed, lower case"),
    field("debtor.phone", "TeNr (phone)", "customer.phone"),
    field(
        "debtor.address.street",
        "Ad (street)",
        "street of customer.address.street_line",
    ),
    field(
        "debtor.address.house_number",
        "HmNr (house number)",
        "house number of customer.address.street_line",
    ),
    field(
        "debtor.address.house_number_addition",
        "HmAd (addition)",
        "addition of customer.address.street_line",
    ),
    field(
        "debtor.address.postcode",
        "ZpCd (postcode)",
        "customer.address.postcode, trimmed",
    ),
    field("debtor.address.city", "Rs (city)", "customer.address.city, trimmed"),
    field(
        "debtor.address.country",
        "CoId (country)",
        "customer.address.country as ISO code",
    ),
    field("debtor.vat_number", "FiNr (VAT number)", "customer.vat_number"),
    field(
        "debtor.ledger_account",
        "ColA (ledger account)",
        "setting debtor_ledger_account",
    ),
    field("debtor.payment_terms", "PaCd (payment terms)", "setting payment_terms"),
];

const CUSTOMER_FIELDS: &[TargetField] = &[
    field("debtor.party.name", "Nm (organisation name)", "company_name"),
    field(
        "debtor.party.first_name",
        "FiNm (first name, person debtor)",
        "first_name",
    ),
    field(
        "debtor.party.last_name",
        "LaNm (last name, person debtor)",
        "last_name (else the e-mail)",
    ),
    field("debtor.email", "EmAd (e-mail)", "email, trimmed, lower case"),
    field("debtor.phone", "TeNr (phone)", "phone"),
    field("debtor.address.street", "Ad (street)", "street of address.street_line"),
    field(
        "debtor.address.house_number",
        "HmNr (house number)",
        "house number of address.street_line",
    ),
    field(
        "debtor.address.house_number_addition",
        "HmAd (addition)",
        "addition of address.street_line",
    ),
    field(
        "debtor.address.postcode",
        "ZpCd (postcode)",
        "address.postcode, trimmed",
    ),
    field("debtor.address.city", "Rs (city)", "address.city, trimmed"),
    field(
        "debtor.address.country",
        "CoId (country)",
        "address.country as ISO code",
    ),
    field("debtor.vat_number", "FiNr (VAT number)", "vat_number"),
    field(
        "debtor.ledger_account",
        "ColA (ledger account)",
        "setting debtor_ledger_account",
    ),
    field("debtor.payment_terms", "PaCd (payment terms)", "setting payment_terms"),
];

const ARTICLE_FIELDS: &[TargetField] = &[
    field("article.item_code", "ItCd (item code)", "sku"),
    field(
        "article.description",
        "Ds (description)",
        "title, with size and colour for variants",
    ),
    field(
        "article.short_description",
        "DsEx (extra description)",
        "short_description",
    ),
    field(
        "article.long_description",
        "DsEx (extra description)",
        "long_description",
    ),
    field(
        "article.group",
        "Grp (article group)",
        "article_group / turnover_group → article_group_map",
    ),
    field("article.unit", "BiUn (unit)", "unit"),
    field(
        "article.price",
        "SaPrice / CsPrice (sales price)",
        "price_incl_vat (or price_excl_vat)",
    ),
    field("article.ean", "BaCo (barcode)", "ean"),
    field(
        "article.vat_group",
        "VaRc (VAT group)",
        "vat_percentage → vat_group_map",
    ),
];

const TILL_ARTICLE_FIELDS: &[TargetField] = &[
    field(
        "article.description",
        "description (Article)",
        "Description (new articles, or with update_product_info)",
    ),
    field(
        "article.extra_text",
        "extraText (Product)",
        "ExtraDescription (new articles, or with update_product_info)",
    ),
    field("article.barcode", "barcode (Article)", "Barcode"),
    field(
        "article.turnover_group",
        "turnoverGroup (Article)",
        "ArtGroup → turnover_group_map",
    ),
    field(
        "article.vat_percentage",
        "vatCode (Article, the till's VAT group with this percentage)",
        "VATGroup → vat_group_map, read backwards",
    ),
    field(
        "article.price",
        "priceIncl / priceExcl (Article)",
        "sales price, rounded to cents",
    ),
    field("article.active", "active (Article)", "not Blocked"),
];

const TILL_RELATION_FIELDS: &[TargetField] = &[
    field("relation.name", "name (Relation)", "DebtorName"),
    field("relation.address", "address (Relation)", "AdressLine1"),
    field("relation.zipcode", "zipcode (Relation)", "postcode of AdressLine3"),
    field("relation.city", "city (Relation)", "city of AdressLine3"),
    field("relation.country", "country (Relation)", "CountryId"),
    field(
        "relation.contact",
        "contact (Relation)",
        "the organisation's first contact person (Profit_Contacts)",
    ),
    field("relation.telephone", "telephone (Relation)", "TelNr"),
    field("relation.email", "email (Relation)", "Email, in lower case"),
    field("relation.vat_number", "vatNumber (Relation)", "VatNr"),
    field("relation.commerce_number", "commerceNumber (Relation)", "ChOfCommNr"),
    field("relation.bank_account_number", "bankAccountNumber (Relation)", "IBAN"),
    field(
        "relation.payment_within_days",
        "paymentWithinDays (Relation)",
        "PayCon → Profit_PaymentConditions.Days",
    ),
    field(
        "relation.price_group",
        "priceGroupNumber (Relation)",
        "PriceList (the debtor's price list) → price_list_map",
    ),
    field("relation.active", "active (Relation)", "not Blocked"),
];

/// The fields a flow sends that rules may set: the default mapping the editor shows. Stock, prices, discounts
/// and the financial journal have none (a journal entry's accounts and VAT codes are its settings; a price-group price
/// is AFAS's price, and which group it goes to is `price_list_map`).
pub fn target_fields(flow: FlowKind) -> &'static [TargetField] {
    match flow {
        FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => ORDER_FIELDS,
        FlowKind::Customers => CUSTOMER_FIELDS,
        FlowKind::Products => ARTICLE_FIELDS,
        FlowKind::Articles => TILL_ARTICLE_FIELDS,
        FlowKind::Debtors => TILL_RELATION_FIELDS,
        FlowKind::Stock
        | FlowKind::FinancialJournal
        | FlowKind::Prices
        | FlowKind::Discounts
        | FlowKind::OrderStatus => &[],
    }
}

/// The source paths a flow's rules may read (leaves of the source record's JSON form; list indexes as `0`).
pub fn source_paths(flow: FlowKind) -> Vec<String> {
    let mut paths = Vec::new();
    match flow {
        FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => {
            let order = sample_order();
            flatten("", &serde_json::to_value(&order).unwrap_or_default(), &mut paths);
            flatten(
                "line",
                &serde_json::to_value(&order.lines[0]).unwrap_or_default(),
                &mut paths,
            );
        }
        FlowKind::Customers => flatten(
            "",
            &serde_json::to_value(sample_customer()).unwrap_or_default(),
            &mut paths,
        ),
        FlowKind::Products => flatten(
            "",
            &serde_json::to_value(sample_article()).unwrap_or_default(),
            &mut paths,
        ),
        FlowKind::Articles => flatten(
            "",
            &serde_json::to_value(sample_erp_article()).unwrap_or_default(),
            &mut paths,
        ),
        FlowKind::Debtors => flatten(
            "",
            &serde_json::to_value(sample_erp_debtor()).unwrap_or_default(),
            &mut paths,
        ),
        FlowKind::Stock
        | FlowKind::FinancialJournal
        | FlowKind::Prices
        | FlowKind::Discounts
        | FlowKind::OrderStatus => {}
    }
    paths
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => map.iter().for_each(|(key, value)| flatten(&join(key), value, out)),
        Value::Array(items) => items.iter().take(1).for_each(|value| flatten(&join("0"), value, out)),
        _ => out.push(prefix.to_owned()),
    }
}
