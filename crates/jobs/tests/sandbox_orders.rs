//! The orders flow with the real adapters against the sandbox, over real sockets, asserting on what the
//! simulators received: every paid order lands in AFAS exactly once (also after a crash, a dropped run and
//! injected faults), with the right debtor, VAT codes and revenue accounts (totals to the cent: sandbox_money.rs).

mod sandbox_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use koppel_core::FlowKind;
use koppel_sandbox::afas::seed::CASH_SALES_DEBTOR;
use koppel_sandbox::mplus::model::VatMethod;
use koppel_sandbox::mplus::seed::SHIPPING_ARTICLE;
use koppel_sync::country::iso2;
use koppel_sync::engine::RunError;
use koppel_sync::model::{OrderTarget, SourceDocumentKind};
use koppel_sync::ports::Outcome;
use koppel_sync::settings::{FlowSettings, OrderFilter};
use koppel_testkit::FakeJournal;
use sandbox_support::{
    SHIFTED_VAT_CODES, System, World, body, reference_of, revenue_account, settings, vat_code, with_articles,
};
use serde_json::{Value, json};

/// Every expected order booked exactly once, and nothing else.
async fn assert_booked_once(world: &World) {
    let expected: BTreeSet<String> = world.expected_orders().iter().map(reference_of).collect();
    let booked = world.booked_references().await;
    let twice: Vec<_> = booked.iter().filter(|(_, count)| **count > 1).collect();
    assert!(twice.is_empty(), "booked more than once: {twice:?}");
    let booked: BTreeSet<String> = booked.into_keys().collect();
    assert_eq!(booked, expected, "AFAS's orders differ from MplusKASSA's paid orders");
}

#[tokio::test]
async fn the_paid_orders_land_once_and_a_second_run_writes_nothing() {
    let world = World::start(200).await;
    with_articles(&world).await;
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Orders, &settings(), &journal).await.unwrap();
    let expected = world.expected_orders().len();
    assert_eq!(report.counts.created as usize, expected, "{report:?}");
    assert_eq!(
        report.counts.failed,
        0,
        "{:?}",
        journal.entries().iter().find(|e| e.outcome == Outcome::Failed)
    );
    assert_booked_once(&world).await;

    world.clear_journal(System::Afas).await;
    let again = world.run(FlowKind::Orders, &settings(), &journal).await.unwrap();
    assert_eq!(again.counts.created + again.counts.failed, 0, "{again:?}");
    assert!(world.afas_writes(None).await.is_empty(), "a second run wrote to AFAS");
}

/// Orders run as one pipeline across pages: the next page is read and looked up while this page's debtors
/// are created and its orders are in flight, all through one client of 8 permits. With a latency on every
/// call and new customers on every page, the run must still finish, booking every paid order once.
#[tokio::test]
async fn new_debtors_on_every_page_do_not_stall_the_pipeline() {
    let world = World::start(300).await;
    with_articles(&world).await;
    for system in [System::Afas, System::Mplus] {
        world.post_control(system, "latency", json!({ "ms": 20 })).await;
    }
    let small_pages = koppel_sync::settings::FlowSettings {
        batch_size: 50,
        ..settings()
    };
    let journal = FakeJournal::default();
    let report = tokio::time::timeout(
        Duration::from_secs(30),
        world.run(FlowKind::Orders, &small_pages, &journal),
    )
    .await
    .expect("the run finishes")
    .unwrap();
    assert_eq!(
        report.counts.created as usize,
        world.expected_orders().len(),
        "{report:?}"
    );
    assert_eq!(report.counts.failed, 0);
    assert_booked_once(&world).await;
}

// Money to the cent, for every order shape: `sandbox_money.rs`.

#[tokio::test]
async fn an_interrupted_run_then_a_new_run_book_each_order_once() {
    let world = World::start(60).await;
    with_articles(&world).await;
    let journal = FakeJournal::default();
    let crash_at = rand::random_range(1..15);
    journal.crash_after(crash_at);
    let crashed = world.run(FlowKind::Orders, &settings(), &journal).await;
    assert!(
        matches!(crashed, Err(RunError::Journal(_))),
        "crash after {crash_at}: {crashed:?}"
    );
    journal.recover();

    // The next worker is stopped mid-flight, its future dropped, at a random moment.
    world.post_control(System::Afas, "latency", json!({"ms": 5})).await;
    let stop_after = Duration::from_millis(rand::random_range(20..300));
    let _dropped = tokio::time::timeout(stop_after, world.run(FlowKind::Orders, &settings(), &journal)).await;
    world.post_control(System::Afas, "latency", json!({"ms": 0})).await;
    eprintln!("crashed after {crash_at} records, dropped a run after {stop_after:?}");

    let stops = world.run_until_done(FlowKind::Orders, &settings(), &journal).await;
    assert!(stops.is_empty(), "{stops:?}");
    assert_booked_once(&world).await;
}

#[tokio::test]
async fn debtors_follow_company_or_person_and_vat_codes_follow_the_tills_vat_country() {
    let world = World::start(200).await;
    with_articles(&world).await;
    world.clear_journal(System::Afas).await;
    world
        .run(FlowKind::Orders, &settings(), &FakeJournal::default())
        .await
        .unwrap();
    let shop = world.shop();
    let relations: HashMap<i64, _> = shop.relations.iter().map(|r| (r.number, r)).collect();

    // Each new debtor was created once, as an organisation for a company and a person otherwise, known by its
    // e-mail address or (a business without one) its VAT number.
    let mut created: BTreeMap<String, (String, Value)> = BTreeMap::new();
    for entry in world.afas_writes(None).await {
        let connector = entry.operation.clone().unwrap_or_default();
        if !connector.starts_with("KnSalesRelation") || entry.method != "POST" {
            continue;
        }
        let body = body(&entry);
        let text = body.to_string();
        let field = |name: &str| {
            let marker = format!("\"{name}\":\"");
            text.split(&marker)
                .nth(1)
                .map(|rest| rest.split('"').next().unwrap().to_owned())
        };
        let key = field("EmAd")
            .map(|email| email.to_lowercase())
            .or_else(|| field("VaId"))
            .expect("a new debtor has an e-mail address or a VAT number");
        let fields = body[&connector]["Element"]["Fields"].clone();
        assert!(
            created.insert(key.clone(), (connector, fields)).is_none(),
            "{key} created twice"
        );
    }
    let debtor_keys: HashMap<String, String> = world
        .rows("Profit_Debtor", "DebtorId")
        .await
        .into_iter()
        .filter_map(|row| {
            let key = row["Email"]
                .as_str()
                .map(str::to_lowercase)
                .or(row["VatNr"].as_str().map(str::to_owned))?;
            Some((row["DebtorId"].as_str()?.to_owned(), key))
        })
        .collect();

    let received = world.received_orders().await;
    let (mut companies, mut persons, mut anonymous) = (0, 0, 0);
    let (mut reverse_charged, mut delivered_abroad, mut known_by_vat_number) = (0, 0, 0);
    let intra_eu = SHIFTED_VAT_CODES
        .iter()
        .find(|(case, _)| *case == "intra_eu")
        .unwrap()
        .1;
    for order in world.expected_orders() {
        let order_body = &received[&reference_of(&order)]["FbSales"]["Element"];
        let debtor = order_body["Fields"]["DbId"].as_str().unwrap();
        let relation = relations[&order.relation_number];
        let country = iso2(relation.country.as_deref().unwrap_or_default());
        // VAT code per line: the country whose VAT the till charged and the line's rate, whatever the
        // delivery country; a reverse-charged sale (the seed shifts VAT only for businesses abroad) its
        // intra-EU supply code.
        let vat_country = iso2(&order.vat_country_iso3);
        let delivery = order
            .delivery_address
            .as_ref()
            .map(|a| iso2(&a.country))
            .unwrap_or_else(|| country.clone());
        let shifted = order.vat_method == VatMethod::Shifted;
        if shifted {
            reverse_charged += 1;
        } else if delivery != vat_country {
            delivered_abroad += 1;
        }
        let articles = order
            .lines
            .iter()
            .filter(|line| line.article_number != SHIPPING_ARTICLE);
        let lines = order_body["Objects"][0]["FbSalesLines"]["Element"].as_array().unwrap();
        for (line, sent) in articles.zip(lines) {
            let expected = if shifted {
                intra_eu
            } else {
                vat_code(&vat_country, &line.vat_percentage.to_string())
            };
            assert_eq!(
                sent["Fields"]["VaRc"],
                expected,
                "{} line {} (VAT of {vat_country}, delivered to {delivery})",
                reference_of(&order),
                line.article_number
            );
        }
        let key = relation
            .email
            .as_ref()
            .map(|e| e.to_lowercase())
            .or(relation.vat_number.clone());
        let Some(key) = key else {
            assert_eq!(
                debtor, CASH_SALES_DEBTOR,
                "a sale without e-mail or VAT number goes to the default debtor"
            );
            anonymous += 1;
            continue;
        };
        if relation.email.is_none() {
            known_by_vat_number += 1;
        }
        assert_eq!(debtor_keys.get(debtor), Some(&key), "{}", reference_of(&order));
        let (connector, fields) = &created[&key];
        assert_eq!(fields["ToAc"], revenue_account(&country), "revenue account of {key}");
        if relation.company_name.is_some() {
            assert_eq!(connector, "KnSalesRelationOrg");
            companies += 1;
        } else {
            assert_eq!(connector, "KnSalesRelationPer");
            persons += 1;
        }
    }
    assert!(
        reverse_charged > 0 && delivered_abroad > 0,
        "the seed has reverse-charged sales ({reverse_charged}) and sales delivered abroad with the shop's VAT \
         ({delivered_abroad})"
    );
    assert!(
        companies > 0 && persons > 0 && anonymous > 0 && known_by_vat_number > 0,
        "{companies} {persons} {anonymous} {known_by_vat_number}"
    );
}

#[tokio::test]
async fn injected_faults_end_with_every_paid_order_booked_once_and_journaled_attempts() {
    let world = World::start(40).await;
    with_articles(&world).await;
    let post = |kind: Value| {
        let mut rule = json!({"operation": "FbSales", "method": "POST"});
        rule.as_object_mut().unwrap().extend(kind.as_object().unwrap().clone());
        rule
    };
    for rule in [
        post(json!({"kind": "unavailable", "retry_after": 1, "times": 4})),
        post(json!({"kind": "locked", "times": 2})),
        post(json!({"kind": "slow", "ms": 2_000, "times": 1})),
        post(json!({"kind": "drop", "times": 1})),
        json!({"operation": "Profit_Debtor", "kind": "unavailable", "retry_after": 1, "times": 1}),
    ] {
        world.fault(System::Afas, rule).await;
    }
    world
        .fault(
            System::Mplus,
            json!({"operation": "getOrders", "kind": "locked", "times": 1}),
        )
        .await;
    world
        .fault(
            System::Mplus,
            json!({"operation": "getRelations", "kind": "unavailable", "times": 1}),
        )
        .await;

    let journal = FakeJournal::default();
    let stops = world.run_until_done(FlowKind::Orders, &settings(), &journal).await;
    // Each MplusKASSA fault stops the flow; the AFAS faults too, though orders sent together in one window
    // may meet several of them in a single stop.
    let stopped_by = |needle: &str| stops.iter().any(|stop| stop.to_string().contains(needle));
    assert!(
        stopped_by("locked by another user") && stopped_by("getRelations") && stopped_by("AFAS"),
        "{stops:?}"
    );
    assert_booked_once(&world).await;

    let failed: Vec<_> = journal
        .entries()
        .into_iter()
        .filter(|e| e.outcome == Outcome::Failed)
        .collect();
    assert!(failed.iter().all(|e| e.retryable()), "{failed:?}");
    let statuses: Vec<Option<u16>> = failed
        .iter()
        .flat_map(|e| e.exchanges.iter().map(|x| x.status))
        .collect();
    // A short maintenance answer is waited out inside the call (then it shows on the exchange that
    // succeeded after it), or it stops the run (then it is the failed attempt's exchange).
    let maintenance_in_call = journal
        .entries()
        .iter()
        .flat_map(|e| e.exchanges.clone())
        .any(|x| x.operation.contains("before: 503"));
    assert!(
        statuses.contains(&Some(503)) || maintenance_in_call,
        "a maintenance answer is journaled: {statuses:?}"
    );
    assert!(
        statuses.contains(&None),
        "a request without an answer is journaled: {statuses:?}"
    );
    let retried_in_call = journal
        .entries()
        .iter()
        .flat_map(|e| e.exchanges.clone())
        .any(|x| x.operation.contains("500 locked"));
    assert!(
        retried_in_call,
        "the locked attempts show on the exchange that succeeded after them"
    );
}

#[tokio::test]
async fn several_document_types_in_one_flow_are_refused_naming_the_setting() {
    let world = World::start(10).await;
    let mut settings = settings();
    settings.order_types = vec![SourceDocumentKind::Order, SourceDocumentKind::Invoice];
    let refused = world.run(FlowKind::Orders, &settings, &FakeJournal::default()).await;
    match refused {
        Err(RunError::Refused { message }) => assert!(message.contains("`order_types`"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn invoices_can_be_the_flows_document_type() {
    let world = World::start(60).await;
    with_articles(&world).await;
    let mut settings = settings();
    settings.order_types = vec![SourceDocumentKind::Invoice];
    let report = world
        .run(FlowKind::Orders, &settings, &FakeJournal::default())
        .await
        .unwrap();
    assert!(report.counts.created > 0, "{report:?}");
    let booked = world.booked_references().await;
    assert!(
        booked.keys().all(|r| r.starts_with("INV-")) && booked.values().all(|n| *n == 1),
        "{booked:?}"
    );
}

/// The field-mapping preview is a dry run through the real AFAS target: what it shows must be the body a run
/// sends (valid against the official schema), and a rule must reach AFAS.
#[tokio::test]
async fn a_dry_run_shows_the_exact_fbsales_body_a_run_sends_with_the_field_rules_applied() {
    let world = World::start(20).await;
    with_articles(&world).await;
    world.clear_journal(System::Afas).await;
    let mut settings = settings();
    settings.field_map = serde_json::from_value(json!([
        {"target": "line.description", "transforms": [{"op": "upper"}]},
        {"target": "order.reference", "source": {"path": "number"}, "transforms": [{"op": "concat", "parts": [{"constant": "X"}], "separator": "-"}]}
    ]))
    .unwrap();
    let planned = koppel_sync::dry_run(
        FlowKind::Orders,
        &settings,
        &world.source(&settings),
        &world.target(&settings),
    )
    .await
    .unwrap();
    let rendered: Vec<Value> = planned
        .iter()
        .flat_map(|p| &p.writes)
        .filter(|w| w.operation == "create order: POST FbSales")
        .map(|w| w.request.to_value())
        .collect();
    assert!(!rendered.is_empty(), "{planned:?}");
    for body in &rendered {
        koppel_afas::schema::validate("FbSales", "POST", body).unwrap();
    }
    assert!(world.afas_writes(None).await.is_empty(), "a dry run writes nothing");

    world
        .run(FlowKind::Orders, &settings, &FakeJournal::default())
        .await
        .unwrap();
    let received = world.received_orders().await;
    for body in rendered {
        let reference = body["FbSales"]["Element"]["Fields"]["RfCs"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(reference.ends_with("-X"), "{reference}");
        let mut sent = received[&reference].clone();
        let mut shown = body.clone();
        // New debtors get their number from AFAS; the dry run shows a placeholder.
        for fields in [&mut sent, &mut shown] {
            fields["FbSales"]["Element"]["Fields"]["DbId"] = Value::Null;
        }
        assert_eq!(shown, sent, "the preview shows what is sent");
        let lines = sent["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"]
            .as_array()
            .unwrap();
        // Article lines (VaIt 2) follow the rule; cost lines (shipping, rounding) have no source line.
        for line in lines.iter().filter(|line| line["Fields"]["VaIt"] == "2") {
            let description = line["Fields"]["Ds"].as_str().unwrap_or_default();
            assert_eq!(description, description.to_uppercase());
        }
        assert!(lines.iter().any(|line| line["Fields"]["VaIt"] == "2"));
    }
}

/// Every MplusKASSA document type (orders, invoices, quotations) booked as every AFAS document (sales order,
/// direct invoice, quotation) over the whole seeded shop: zero failed records, one document per created sale.
#[tokio::test]
async fn every_document_type_and_target_books_the_whole_seeded_shop_without_a_failure() {
    for source in [
        SourceDocumentKind::Order,
        SourceDocumentKind::Invoice,
        SourceDocumentKind::Quotation,
    ] {
        for target in [
            OrderTarget::SalesOrder,
            OrderTarget::DirectInvoice,
            OrderTarget::Quotation,
        ] {
            let world = World::start(200).await;
            with_articles(&world).await;
            let settings = FlowSettings {
                order_types: vec![source],
                // Quotations carry no payments: they are read whatever their state.
                order_filter: if source == SourceDocumentKind::Quotation {
                    OrderFilter::Any
                } else {
                    OrderFilter::Paid
                },
                order_target: target,
                ..settings()
            };
            let journal = FakeJournal::default();
            let stops = world.run_until_done(FlowKind::Orders, &settings, &journal).await;
            assert!(stops.is_empty(), "{source:?} as {target:?}: {stops:?}");
            let failed: Vec<_> = journal
                .entries()
                .into_iter()
                .filter(|e| e.outcome == Outcome::Failed)
                .map(|e| (e.source_id, e.reason))
                .collect();
            assert_eq!(failed, Vec::new(), "{source:?} as {target:?} books every sale");
            let booked = world.afas_writes(None).await;
            let connector = match target {
                OrderTarget::SalesOrder => "FbSales",
                OrderTarget::DirectInvoice => "FbDirectInvoice",
                OrderTarget::Quotation => "FbSalesQuotation",
            };
            let created = booked
                .iter()
                .filter(|e| e.operation.as_deref() == Some(connector) && e.status == 201)
                .count();
            assert_eq!(
                created,
                journal.count(Outcome::Created),
                "{source:?} as {target:?}: one {connector} per created sale"
            );
            assert!(created > 0, "{source:?} as {target:?}: {created}");
        }
    }
}

/// The quotations flow beside the orders flow: the orders flow books the till's paid orders as sales orders,
/// the quotations flow every quotation (proposal) not cancelled as an AFAS sales quotation, each once, whatever the orders
/// flow's `order_types` and `order_filter` say; a second run of either books nothing.
#[tokio::test]
async fn the_quotations_flow_books_every_quotation_once_beside_the_orders_flow() {
    let world = World::start(200).await;
    with_articles(&world).await;
    let settings = settings();
    assert_eq!(settings.order_types, [SourceDocumentKind::Order]);
    let mut created = 0;
    for flow in [FlowKind::Orders, FlowKind::Quotations] {
        let journal = FakeJournal::default();
        let stops = world.run_until_done(flow, &settings, &journal).await;
        assert!(stops.is_empty(), "{flow}: {stops:?}");
        assert_eq!(journal.count(Outcome::Failed), 0, "{flow}");
        if flow == FlowKind::Quotations {
            created = journal.count(Outcome::Created);
            let skipped: Vec<String> = journal
                .entries()
                .into_iter()
                .filter(|e| e.outcome == Outcome::Skipped)
                .map(|e| e.reason.unwrap_or_default())
                .collect();
            assert!(skipped.iter().all(|r| r == "cancelled in MplusKASSA"), "{skipped:?}");
            let proposals = world
                .mplus
                .get_proposals(&Default::default(), 0, 100_000)
                .await
                .unwrap();
            assert_eq!(created + skipped.len(), proposals.len(), "every quotation journaled");
        }
    }
    let booked = |connector: &'static str| {
        let writes = world.afas_writes(Some(connector));
        async move { writes.await.into_iter().filter(|e| e.status == 201).count() }
    };
    assert!(created > 0, "the seeded shop has quotations");
    let quotations = booked("FbSalesQuotation").await;
    assert_eq!(
        quotations, created,
        "one AFAS quotation per MplusKASSA quotation not cancelled"
    );
    assert!(
        booked("FbSales").await > 0,
        "the orders flow booked orders, not quotations"
    );

    world.clear_journal(System::Afas).await;
    for flow in [FlowKind::Orders, FlowKind::Quotations] {
        let journal = FakeJournal::default();
        world.run_until_done(flow, &settings, &journal).await;
        assert_eq!(journal.count(Outcome::Created), 0, "{flow}: a second run books nothing");
    }
    assert_eq!(booked("FbSalesQuotation").await, 0);
}
