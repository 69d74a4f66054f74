//! Example records with every field filled, so their JSON lists every source path a rule may read.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalogue::ErpArticle;
use crate::clientele::ErpDebtor;
use crate::model::{
    SourceAddress, SourceArticle, SourceCustomer, SourceDocumentKind, SourceLine, SourceOrder, SourcePayment,
    SourceShipping, VariantAttributes,
};

fn sample_address() -> SourceAddress {
    SourceAddress {
        street_line: "Kerkstraat 12a".into(),
        postcode: "1234 AB".into(),
        city: "Utrecht".into(),
        country: "NL".into(),
    }
}

pub(super) fn sample_customer() -> SourceCustomer {
    SourceCustomer {
        relation_number: Some("1001".into()),
        sync_marker: Some(1),
        company_name: Some("Bakkerij Jansen".into()),
        first_name: Some("Anna".into()),
        last_name: Some("Jansen".into()),
        email: Some("anna@example.nl".into()),
        phone: Some("0301234567".into()),
        address: Some(sample_address()),
        delivery_address: Some(sample_address()),
        vat_number: Some("NL001234567B01".into()),
    }
}

pub(super) fn sample_order() -> SourceOrder {
    SourceOrder {
        id: "1".into(),
        number: "2026-000001".into(),
        kind: SourceDocumentKind::Order,
        sync_marker: 1,
        date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        payment_status: crate::model::PaymentStatus::Paid,
        delivered: false,
        completed: false,
        cancelled: false,
        vat_method: crate::model::VatMethod::Including,
        vat_country: Some("NL".into()),
        vat_shifted: false,
        customer: Some(sample_customer()),
        lines: vec![SourceLine {
            sku: "A1".into(),
            description: "Brood".into(),
            quantity: Decimal::ONE,
            unit_price: Decimal::ONE,
            discount_percentage: Decimal::ZERO,
            vat_percentage: Decimal::from(9),
            line_total: Decimal::ONE,
        }],
        shipping: Some(SourceShipping {
            cost: Decimal::ONE,
            vat_percentage: Decimal::from(21),
        }),
        delivery_method: Some("post".into()),
        payments: vec![SourcePayment {
            method: "PIN".into(),
            amount: Decimal::ONE,
        }],
        total_incl_vat: Decimal::ONE,
        branch: Some("1".into()),
    }
}

pub(super) fn sample_article() -> SourceArticle {
    SourceArticle {
        sync_marker: 1,
        product_number: "100".into(),
        sku: "100-M".into(),
        title: "Shirt".into(),
        short_description: Some("Shirt".into()),
        long_description: Some("Shirt".into()),
        price_incl_vat: Decimal::ONE,
        price_excl_vat: Decimal::ONE,
        vat_percentage: Decimal::from(21),
        ean: Some("8712345678906".into()),
        turnover_group: Some("1".into()),
        article_group: Some("1".into()),
        afas_article_group: None,
        unit: Some("stk".into()),
        active: true,
        webshop: true,
        variant: Some(VariantAttributes {
            size: Some("M".into()),
            colour: Some("rood".into()),
        }),
        ext_id: None,
    }
}

pub(super) fn sample_erp_article() -> ErpArticle {
    ErpArticle {
        item_code: "1001".into(),
        description: "Shirt".into(),
        extra_description: Some("Cotton shirt".into()),
        unit: Some("stk".into()),
        article_group: Some("KLEDING".into()),
        blocked: false,
        barcode: Some("8712345678906".into()),
        vat_group: Some("HOOG".into()),
        sales_price: Some(Decimal::ONE),
        free_fields: Default::default(),
        dimension_kinds: Vec::new(),
        variants: Vec::new(),
        modified: NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default(),
    }
}

pub(super) fn sample_erp_debtor() -> ErpDebtor {
    ErpDebtor {
        debtor_id: "10001".into(),
        name: "Bakkerij De Vries".into(),
        email: Some("info@devries.nl".into()),
        phone: Some("020 123 4567".into()),
        street_line: Some("Kerkstraat 12 a".into()),
        postcode: Some("1234 AB".into()),
        city: Some("Amsterdam".into()),
        country: Some("NL".into()),
        vat_number: Some("NL123456789B01".into()),
        commerce_number: Some("12345678".into()),
        iban: Some("NL91ABNA0417164300".into()),
        payment_days: Some(14),
        price_list: Some("HOR".into()),
        line_discount: Some(rust_decimal::Decimal::from(5)),
        contact: Some("Anna de Vries".into()),
        delivery: None,
        blocked: false,
        modified: NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default(),
    }
}
