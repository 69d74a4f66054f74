//! The orders flow's delivery address and delivery method, with the real adapters against the sandbox over
//! real sockets, read back from AFAS's GetConnectors: a sale delivered elsewhere than its customer's own
//! address names one of the debtor's delivery addresses (`DlAd`, a contact of kind `AFL` with the structured
//! address), added once however many sales go there; the default debtor collects none; and the delivery
//! method reaches `TrPt` whether or not the sale has a shipping line.

mod sandbox_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use koppel_core::FlowKind;
use koppel_jobs::connect::CreateOnce;
use koppel_mplus::model::{Address, NewLine, NewOrder, NewPayment, OrderType};
use koppel_sandbox::afas::seed::CASH_SALES_DEBTOR;
use koppel_sandbox::mplus::seed::SHIPPING_ARTICLE;
use koppel_store::test_support::TestDatabase;
use koppel_sync::country::iso2;
use koppel_sync::model::OrderTarget;
use koppel_sync::ports::{ErpTarget, Outcome};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{System, World, body, reference_of, settings, tenant, with_articles};
use serde_json::{Value, json};

/// Books the seeded shop's paid orders with `target`; the document bodies AFAS accepted, by reference.
async fn book(world: &World, target: OrderTarget) -> HashMap<String, Value> {
    with_articles(world).await;
    world.clear_journal(System::Afas).await;
    let settings = koppel_sync::settings::FlowSettings {
        order_target: target,
        ..settings()
    };
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Orders, &settings, &journal).await.unwrap();
    let failed = journal.entries().into_iter().find(|e| e.outcome == Outcome::Failed);
    assert!(failed.is_none(), "{failed:?}");
    assert_eq!(
        report.counts.created as usize,
        world.expected_orders().len(),
        "{report:?}"
    );
    let connector = match target {
        OrderTarget::SalesOrder => "FbSales",
        OrderTarget::DirectInvoice => "FbDirectInvoice",
        OrderTarget::Quotation => "FbSalesQuotation",
    };
    world
        .afas_writes(Some(connector))
        .await
        .into_iter()
        .filter(|entry| entry.status == 201)
        .map(|entry| {
            let body = body(&entry)[connector]["Element"]["Fields"].clone();
            (body["RfCs"].as_str().unwrap().to_owned(), body)
        })
        .collect()
}

/// `Profit_Deliveryaddress` rows by contact number.
async fn delivery_addresses(world: &World) -> BTreeMap<String, Value> {
    world
        .rows("Profit_Deliveryaddress", "ContactId")
        .await
        .into_iter()
        .map(|row| (row["ContactId"].to_string(), row))
        .collect()
}

/// Sells one article to `relation` in MplusKASSA, paid in full, delivered to `delivery`.
async fn sell(world: &World, id: &str, relation: i64, delivery: (&str, &str, &str, &str), method: Option<&str>) {
    let filter = koppel_mplus::ProductFilter::default();
    let products = world.mplus.get_products(&filter, 0, 5).await.unwrap();
    let article = products[0].article_list[0].clone();
    let price = article.price_incl.unwrap();
    let (street, zipcode, city, country) = delivery;
    let order = NewOrder {
        ext_order_id: id.into(),
        order_type: Some(OrderType::SalesOrder),
        employee_number: Some(999_999),
        relation_number: Some(relation),
        delivery_address: Some(Address {
            address: Some(street.into()),
            zipcode: Some(zipcode.into()),
            city: Some(city.into()),
            country: Some(country.into()),
            ..Address::default()
        }),
        delivery_method: method.map(Into::into),
        lines: vec![NewLine {
            article_number: article.article_number.unwrap(),
            quantity: Decimal::ONE,
            price: Some(price),
            ..NewLine::default()
        }],
        ..NewOrder::default()
    };
    let payment = NewPayment {
        method: "PIN".into(),
        amount: price,
        description: None,
        external_reference: None,
    };
    world.mplus.create_order(&order, id, &[payment]).await.unwrap();
}

/// The sales document fields AFAS accepted for MplusKASSA orders created with [`sell`], by delivery street.
/// The sales booked, by reference (a run's orders are in flight together, so AFAS may receive them in any order).
async fn booked_sales(world: &World) -> Vec<Value> {
    let mut sales: Vec<Value> = world
        .afas_writes(Some("FbSales"))
        .await
        .into_iter()
        .filter(|entry| entry.status == 201)
        .map(|entry| body(&entry)["FbSales"]["Element"]["Fields"].clone())
        .collect();
    sales.sort_by_key(|fields| fields["RfCs"].to_string());
    sales
}

#[tokio::test]
async fn a_sale_delivered_elsewhere_names_the_debtors_delivery_address() {
    let world = World::start(200).await;
    let received = book(&world, OrderTarget::SalesOrder).await;
    let addresses = delivery_addresses(&world).await;
    let shop = world.shop();
    let relations: HashMap<i64, _> = shop.relations.iter().map(|r| (r.number, r)).collect();

    let mut contacts_of_relation: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    let (mut elsewhere_to_default, mut at_home) = (0, 0);
    for order in world.expected_orders() {
        let reference = reference_of(&order);
        let fields = &received[&reference];
        let relation = relations[&order.relation_number];
        let delivery = order.delivery_address.as_ref().unwrap();
        assert!(
            fields["ExAd"].as_str().unwrap().contains(delivery.zipcode.trim()),
            "{reference}: ExAd keeps the readable line: {fields}"
        );
        if relation.delivery_address.is_none() {
            assert!(
                fields.get("DlAd").is_none(),
                "{reference} goes to the debtor's own address: {fields}"
            );
            at_home += 1;
            continue;
        }
        // Neither e-mail nor VAT number: the cash-sales debtor (a business without e-mail is matched by VAT number).
        if relation.email.is_none() && relation.vat_number.is_none() {
            assert_eq!(fields["DbId"], CASH_SALES_DEBTOR);
            assert!(
                fields.get("DlAd").is_none(),
                "the default debtor keeps no delivery addresses: {fields}"
            );
            elsewhere_to_default += 1;
            continue;
        }
        let contact = fields["DlAd"].to_string();
        let row = addresses
            .get(&contact)
            .unwrap_or_else(|| panic!("{reference}: DlAd {contact} is not a delivery address in AFAS"));
        assert_eq!(
            row["DebiteurID"], fields["DbId"],
            "{reference}: the debtor's own delivery address"
        );
        assert_eq!(row["A_Postcode"].as_str(), Some(delivery.zipcode.trim()), "{reference}");
        assert_eq!(row["A_Woonplaats"].as_str(), Some(delivery.city.trim()), "{reference}");
        assert_eq!(
            row["A_Land"].as_str(),
            Some(iso2(&delivery.country).as_str()),
            "{reference}"
        );
        let street = row["A_Straat"].as_str().unwrap();
        let number = row["A_Huisnummer"].as_i64().unwrap();
        assert!(
            delivery.address.starts_with(street) && delivery.address.contains(&number.to_string()),
            "{reference}: {row} is not {:?}",
            delivery.address
        );
        contacts_of_relation.entry(relation.number).or_default().insert(contact);
    }
    assert!(
        at_home > 0 && !contacts_of_relation.is_empty(),
        "the shop has both kinds of sale"
    );
    assert!(
        elsewhere_to_default > 0,
        "a sale without e-mail or VAT number delivered elsewhere"
    );
    // Nothing else was added: one delivery address per customer that has one.
    assert_eq!(addresses.len(), contacts_of_relation.len(), "{addresses:?}");
}

#[tokio::test]
async fn two_sales_to_one_address_add_one_delivery_address_per_debtor() {
    let world = World::start(30).await;
    book(&world, OrderTarget::SalesOrder).await;
    let before = delivery_addresses(&world).await;
    let shop = world.shop();
    let with_email = |company: bool| {
        shop.relations
            .iter()
            .find(|r| r.email.is_some() && r.company_name.is_some() == company && r.delivery_address.is_none())
            .map(|r| r.number)
            .unwrap()
    };
    let (company, person) = (with_email(true), with_email(false));
    let antwerp = ("Meir 45 bus 2", "2000", "Antwerpen", "BE");
    sell(&world, "DLV-1", company, antwerp, Some("PostNL")).await;
    sell(
        &world,
        "DLV-2",
        company,
        ("meir 45 bus 2", "2000", "ANTWERPEN", "BE"),
        Some("PostNL"),
    )
    .await;
    sell(
        &world,
        "DLV-3",
        company,
        ("Kerkstraat 7", "1017 GC", "Amsterdam", "NL"),
        None,
    )
    .await;
    sell(&world, "DLV-4", person, antwerp, Some("Afhalen")).await;
    world.clear_journal(System::Afas).await;
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Orders, &settings(), &journal).await.unwrap();
    assert_eq!((report.counts.created, report.counts.failed), (4, 0), "{report:?}");

    let sales = booked_sales(&world).await;
    assert_eq!(sales.len(), 4);
    let named: Vec<String> = sales.iter().map(|fields| fields["DlAd"].to_string()).collect();
    assert_eq!(
        named[0], named[1],
        "the same address, written differently, is one delivery address"
    );
    assert_ne!(named[0], named[2]);
    assert_ne!(named[0], named[3], "another debtor's delivery address is its own");
    let mut added = world
        .afas_writes(None)
        .await
        .into_iter()
        .filter(|entry| entry.method == "PUT" && entry.body.contains("\"AFL\""))
        .map(|entry| entry.operation.unwrap_or_default())
        .collect::<Vec<_>>();
    added.sort();
    assert_eq!(
        added,
        ["KnSalesRelationOrg", "KnSalesRelationOrg", "KnSalesRelationPer"]
    );
    let addresses = delivery_addresses(&world).await;
    assert_eq!(addresses.len(), before.len() + 3);
    let person_row = &addresses[&named[3]];
    assert_eq!(person_row["DebiteurID"], sales[3]["DbId"]);
    assert_eq!(
        (
            &person_row["A_Straat"],
            &person_row["A_Huisnummer"],
            &person_row["A_Toev_Huisnr."]
        ),
        (&json!("Meir"), &json!(45), &json!("bus 2"))
    );
    // Without a delivery method on the sale, none is sent; with one, it is mapped.
    assert_eq!(
        (&sales[0]["TrPt"], &sales[3]["TrPt"]),
        (&json!("POSTNL"), &json!("AFHALEN"))
    );
    assert!(sales[2].get("TrPt").is_none());

    // The next run finds every sale and delivery address: nothing to write, nothing failed.
    world.clear_journal(System::Afas).await;
    let again = world
        .run(FlowKind::Orders, &settings(), &FakeJournal::default())
        .await
        .unwrap();
    assert_eq!((again.counts.created, again.counts.failed), (0, 0), "{again:?}");
    assert!(world.afas_writes(None).await.is_empty(), "nothing written again");
}

/// Writes since AFAS's journal was last cleared that added a delivery address (a contact of kind `AFL`).
async fn delivery_addresses_added(world: &World) -> usize {
    let writes = world.afas_writes(None).await;
    writes.iter().filter(|entry| entry.body.contains("\"AFL\"")).count()
}

/// `GET Profit_Deliveryaddress` requests AFAS received since its journal was last cleared.
async fn delivery_address_look_ups(world: &World) -> usize {
    world
        .journal(System::Afas)
        .await
        .iter()
        .filter(|entry| entry.method == "GET" && entry.operation.as_deref() == Some("Profit_Deliveryaddress"))
        .count()
}

#[tokio::test]
async fn a_second_run_and_another_document_type_reuse_the_delivery_addresses() {
    let world = World::start(120).await;
    let orders = book(&world, OrderTarget::SalesOrder).await;
    let first = delivery_addresses(&world).await;
    assert!(!first.is_empty());
    // Quotations of the same sales: booked anew (another connector), the same contacts named.
    let quotations = book(&world, OrderTarget::Quotation).await;
    // The debtors delivered to are known: their delivery addresses are asked for a page at a time, not per
    // debtor.
    let pages = 120_usize.div_ceil(settings().batch_size as usize);
    let look_ups = delivery_address_look_ups(&world).await;
    assert!(
        (1..=pages).contains(&look_ups),
        "{look_ups} look-ups of delivery addresses for {pages} pages ({} debtors delivered to)",
        first.len()
    );
    assert_eq!(
        delivery_addresses(&world).await,
        first,
        "no delivery address added twice"
    );
    let named = |bodies: &HashMap<String, Value>| -> BTreeSet<String> {
        bodies
            .values()
            .filter_map(|fields| fields.get("DlAd"))
            .map(Value::to_string)
            .collect()
    };
    assert_eq!(named(&quotations), named(&orders));
    assert_eq!(
        delivery_addresses_added(&world).await,
        0,
        "nothing added on the second run"
    );
}

#[tokio::test]
async fn the_delivery_method_is_sent_with_or_without_a_shipping_line() {
    let world = World::start(200).await;
    let received = book(&world, OrderTarget::SalesOrder).await;
    let (mut without_shipping, mut with_shipping) = (0, 0);
    for order in world.expected_orders() {
        let fields = &received[&reference_of(&order)];
        let expected = match order.delivery_method.as_deref() {
            Some("PostNL") => "POSTNL",
            Some("Afhalen") => "AFHALEN",
            other => panic!("unexpected delivery method {other:?}"),
        };
        assert_eq!(fields["TrPt"], expected, "{}: {fields}", reference_of(&order));
        if order.lines.iter().any(|line| line.article_number == SHIPPING_ARTICLE) {
            with_shipping += 1;
        } else {
            without_shipping += 1;
        }
    }
    assert!(
        without_shipping > 0 && with_shipping > 0,
        "{without_shipping} {with_shipping}"
    );

    // A direct invoice has no transporter: the method is left off, and every invoice is booked.
    let world = World::start(40).await;
    let invoices = book(&world, OrderTarget::DirectInvoice).await;
    assert!(invoices.values().all(|fields| fields.get("TrPt").is_none()));
}

/// Two runs adding the same delivery address to one debtor at the same moment, each through its own target:
/// with the company's claims one adds it and the other finds it; without them both would add it.
#[tokio::test]
async fn runs_at_the_same_time_add_a_delivery_address_once_under_the_claims() {
    let world = World::start(30).await;
    book(&world, OrderTarget::SalesOrder).await;
    world.post_control(System::Afas, "latency", json!({"ms": 5})).await;
    let shop = world.shop();
    let email = shop
        .relations
        .iter()
        .find(|r| r.company_name.is_some() && r.email.is_some())
        .and_then(|r| r.email.clone())
        .unwrap()
        .to_lowercase();
    let debtor = world
        .rows("Profit_Debtor", "DebtorId")
        .await
        .into_iter()
        .find(|row| row["Email"].as_str().map(str::to_lowercase) == Some(email.clone()))
        .map(|row| row["DebtorId"].as_str().unwrap().to_owned())
        .unwrap();
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db).await;
    let claimed = |_| {
        world
            .target(&settings())
            .with_claims(CreateOnce::new(db.clone(), scope.clone()))
    };
    let unclaimed = |_| world.target(&settings());
    let rows_of = |debtor: String| {
        let world = &world;
        async move {
            world
                .rows("Profit_Deliveryaddress", "ContactId")
                .await
                .into_iter()
                .filter(|row| row["DebiteurID"] == debtor.as_str())
                .count()
        }
    };
    for (street, targets) in [
        ("Meir", [claimed(0), claimed(1)]),
        ("Lange Nieuwstraat", [unclaimed(0), unclaimed(1)]),
    ] {
        let address = koppel_sync::model::Address {
            street: street.into(),
            house_number: Some("45".into()),
            house_number_addition: None,
            postcode: "2000".into(),
            city: "Antwerpen".into(),
            country: "BE".into(),
        };
        let before = rows_of(debtor.clone()).await;
        let numbers = futures::future::join_all(
            targets
                .iter()
                .map(|target| target.delivery_address(&debtor, true, &address)),
        )
        .await;
        let numbers: BTreeSet<String> = numbers.into_iter().map(|n| n.unwrap().unwrap().value).collect();
        let added = rows_of(debtor.clone()).await - before;
        if street == "Meir" {
            assert_eq!(
                (numbers.len(), added),
                (1, 1),
                "under the claims: added once, both name it"
            );
        } else {
            assert_eq!(
                added, 2,
                "without claims both runs add it: the claims are what keeps it single"
            );
        }
    }
}

/// A relation with a delivery address of its own: the customers flow gives its debtor that delivery address
/// (once; a second run finds nothing to do), and the orders flow then names it on the sales delivered there
/// without adding any.
#[tokio::test]
async fn the_customers_flow_adds_a_relations_own_delivery_address_that_sales_then_name() {
    let world = World::start(120).await;
    let with_own_delivery = world
        .shop()
        .relations
        .iter()
        .filter(|r| r.email.is_some() || r.vat_number.is_some())
        .filter(|r| r.delivery_address.is_some() && r.delivery_address != r.address)
        .count();
    assert!(
        with_own_delivery > 0,
        "the seeded shop has relations delivered elsewhere"
    );
    let journal = FakeJournal::default();
    world.run(FlowKind::Customers, &settings(), &journal).await.unwrap();
    let added = delivery_addresses(&world).await;
    assert_eq!(added.len(), with_own_delivery, "{added:?}");

    world.clear_journal(System::Afas).await;
    let again = world.run(FlowKind::Customers, &settings(), &journal).await.unwrap();
    assert_eq!(again.counts.created + again.counts.updated, 0, "{again:?}");
    assert!(
        world.afas_writes(None).await.is_empty(),
        "nothing written on the second run"
    );

    let orders = book(&world, OrderTarget::SalesOrder).await;
    assert_eq!(
        delivery_addresses_added(&world).await,
        0,
        "the orders flow adds no delivery address the customers flow added"
    );
    assert_eq!(delivery_addresses(&world).await, added);
    let named: BTreeSet<String> = orders
        .values()
        .filter_map(|fields| fields.get("DlAd"))
        .map(Value::to_string)
        .collect();
    assert!(!named.is_empty());
    assert!(
        named.iter().all(|number| added.contains_key(number)),
        "{named:?} {added:?}"
    );
}
