//! Every operation the flows use against the simulator: reference data, the sync-marker pager over orders,
//! receipts, invoices, proposals, products and relations, stock and its history, creating orders once, and
//! the financial journal.

use super::*;

#[tokio::test]
async fn the_connection_test_checks_the_credentials() {
    let sandbox = sandbox().await;
    let version = client(&sandbox).test_connection().await.unwrap();
    assert!(version.major_number > 0);
    let wrong = MplusClient::builder(MplusConfig::with_endpoint(&sandbox.mplus_url(), "nobody", "wrong"))
        .build()
        .unwrap();
    let error = wrong.test_connection().await.unwrap_err();
    assert!(
        matches!(error, MplusError::ClientFault { ref code, .. } if code.starts_with("Client")),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn reference_data_is_read() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let branches = client.get_branches().await.unwrap();
    assert!(
        branches
            .iter()
            .any(|b| b.branch_number == 1 && !b.workplaces.is_empty())
    );
    assert!(!client.get_employees(&[], 0, 100).await.unwrap().is_empty());
    assert!(!client.get_vat_groups().await.unwrap().is_empty());
    assert!(!client.get_turnover_groups(false).await.unwrap().is_empty());
    assert!(!client.get_payment_methods().await.unwrap().is_empty());
    let delivery = client.get_delivery_methods().await.unwrap();
    assert!(delivery.iter().any(|m| m.delivery_method == "PostNL"), "{delivery:?}");
    assert!(!client.get_article_groups(0, 100).await.unwrap().is_empty());
    let markers = client.current_sync_markers().await.unwrap();
    assert!(markers.order_sync_marker > 0 && markers.article_sync_marker > 0);
}

#[tokio::test]
async fn orders_are_paged_by_sync_marker() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let filter = DocumentFilter {
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    let pages: Vec<SyncPage<_>> = client.order_pages(filter, 1, 50).try_collect().await.unwrap();
    let orders: Vec<_> = pages.iter().flat_map(|p| p.items.iter()).collect();
    assert!(!orders.is_empty());
    let ids: HashSet<_> = orders.iter().map(|o| o.order_id.as_str()).collect();
    assert_eq!(ids.len(), orders.len(), "no order twice");
    let markers: Vec<i64> = orders.iter().map(|o| o.sync_marker.unwrap()).collect();
    assert!(markers.windows(2).all(|w| w[0] < w[1]), "ascending markers");
    for page in &pages {
        assert_eq!(
            page.next_marker,
            page.items.iter().filter_map(|o| o.sync_marker).max().unwrap() + 1
        );
    }
    let order = orders
        .iter()
        .find(|o| !o.line_list.is_empty())
        .expect("orders with lines");
    let line_total: Decimal = order.line_list.iter().filter_map(|l| l.total_incl).sum();
    assert!(line_total > Decimal::ZERO);

    let by_id = client.get_order(&order.order_id).await.unwrap().unwrap();
    assert_eq!(by_id.order_id, order.order_id);
    if let Some(ext) = &order.ext_order_id {
        assert_eq!(client.find_order(ext).await.unwrap().unwrap().order_id, order.order_id);
    }
    assert!(client.find_order("no-such-order").await.unwrap().is_none());
    assert!(
        client
            .get_order("00000000-0000-0000-0000-000000000000")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn receipts_are_paged_by_sync_marker_and_read_by_cash_count() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let filter = DocumentFilter {
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    let pages: Vec<SyncPage<_>> = client.receipt_pages(filter.clone(), 1, 30).try_collect().await.unwrap();
    assert!(pages.len() > 1, "several pages");
    let receipts: Vec<_> = pages.iter().flat_map(|p| p.items.iter()).collect();
    let shop = koppel_sandbox::mplus::seed::generate(sandbox.config.seed, sandbox.config.orders);
    assert_eq!(receipts.len(), shop.receipts.len(), "every seeded receipt, once");
    let markers: Vec<i64> = receipts.iter().map(|r| r.sync_marker.unwrap()).collect();
    assert!(markers.windows(2).all(|w| w[0] < w[1]), "ascending markers");
    let finished: Vec<_> = receipts.iter().filter(|r| r.is_finished_sale()).collect();
    assert!(finished.len() > receipts.len() / 2);
    assert!(
        receipts.iter().any(|r| r.state == ReceiptState::Outstanding),
        "parked receipts exist"
    );
    assert!(receipts.iter().any(|r| r.receipt_type == ReceiptType::CashOutflow));
    for receipt in &finished {
        let total = receipt.total_incl_amount.unwrap();
        let lines: Decimal = receipt.line_list.iter().filter_map(|l| l.total_incl).sum();
        let paid: Decimal = receipt.payment_list.iter().map(|p| p.amount).sum();
        assert_eq!(
            (lines, paid, receipt.paid_amount),
            (total, total, Some(total)),
            "{}",
            receipt.receipt_id
        );
        let vat: Decimal = receipt
            .vat_group_list
            .iter()
            .map(|g| g.excl_amount.unwrap() + g.vat_amount.unwrap())
            .sum();
        assert_eq!(vat, total);
        assert!(receipt.line_list.iter().all(|l| l.vat_percentage.is_some()));
        assert!(receipt.receipt_number.is_some() && receipt.financial_date.is_some());
    }
    // The seed's first receipt, exactly as generated, in cents turned into decimals.
    let seeded = &shop.receipts[0];
    let first = receipts[0];
    assert_eq!(first.receipt_id, seeded.receipt_id);
    assert_eq!(first.total_incl_amount, Some(Decimal::new(seeded.totals().incl, 2)));
    assert_eq!(first.relation_number, seeded.relation.as_ref().map(|(n, _)| *n));

    let branch = DocumentFilter {
        branch_numbers: vec![3],
        ..DocumentFilter::default()
    };
    let antwerp = client.get_receipts(&branch, 0, 1_000).await.unwrap();
    assert!(!antwerp.is_empty() && antwerp.iter().all(|r| r.financial_branch_number == Some(3)));
    assert!(
        antwerp.iter().all(|r| r.line_list.is_empty()),
        "no lines unless asked for"
    );
    let by_id = DocumentFilter {
        receipt_ids: vec![shop.receipts[7].receipt_id.clone()],
        ..DocumentFilter::default()
    };
    let one = client.get_receipts(&by_id, 0, 10).await.unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].receipt_id, shop.receipts[7].receipt_id);

    let day = client
        .get_receipts_by_cash_count(&seeded.cash_count_id)
        .await
        .unwrap()
        .expect("the cash count exists");
    assert!(day.iter().any(|r| r.receipt_id == seeded.receipt_id));
    assert!(day.iter().all(|r| r.financial_date == Some(seeded.financial_date)
        && r.receipt_number.unwrap().workplace_number == seeded.workplace));
    assert!(
        client
            .get_receipts_by_cash_count("no-such-count")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn invoices_proposals_products_and_employees_page() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let invoices: Vec<SyncPage<_>> = client
        .invoice_pages(DocumentFilter::default(), 1, 100)
        .try_collect()
        .await
        .unwrap();
    let _ = invoices;
    let proposals: Vec<SyncPage<_>> = client
        .proposal_pages(DocumentFilter::default(), 1, 100)
        .try_collect()
        .await
        .unwrap();
    let _ = proposals;
    let products: Vec<SyncPage<_>> = client
        .product_pages(ProductFilter::default(), 1, 10)
        .try_collect()
        .await
        .unwrap();
    let articles: Vec<_> = products
        .iter()
        .flat_map(|p| &p.items)
        .flat_map(|p| &p.article_list)
        .collect();
    assert!(articles.len() > 10, "several pages of articles");
    assert!(articles.iter().all(|a| a.article_number.is_some()));
    let employees: Vec<SyncPage<_>> = client.employee_pages(1, 2).try_collect().await.unwrap();
    assert!(!employees.is_empty());
    let groups: Vec<SyncPage<_>> = client.article_group_pages(1, 100).try_collect().await.unwrap();
    assert!(!groups.is_empty());
}

#[tokio::test]
async fn relations_are_created_found_and_updated() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let relations: Vec<SyncPage<Relation>> = client.relation_pages(1, 100).try_collect().await.unwrap();
    assert!(!relations.is_empty());
    let new = Relation {
        name: Some("Koppel Testklant".into()),
        company_name: Some("Koppel Test BV".into()),
        address: Some("Damrak 12 A".into()),
        zipcode: Some("1012 LG".into()),
        city: Some("Amsterdam".into()),
        country: Some("NL".into()),
        email: Some("test@koppel.example".into()),
        ..Relation::default()
    };
    let created = client.create_relation(&new).await.unwrap();
    let read = client.get_relation(created.relation_number).await.unwrap().unwrap();
    assert_eq!(read.email.as_deref(), Some("test@koppel.example"));
    let pattern = Relation {
        email: Some("test@koppel.example".into()),
        ..Relation::default()
    };
    let found = client.find_relation(&pattern).await.unwrap().unwrap();
    assert_eq!(found.relation_number, Some(created.relation_number));

    let taken = client
        .create_relation(&Relation {
            relation_number: Some(created.relation_number),
            ..new.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(
        taken.business_outcome(),
        Some(BusinessOutcome::AlreadyExists),
        "{taken:?}"
    );

    let update = Relation {
        relation_number: Some(created.relation_number),
        telephone: Some("020-1234567".into()),
        ..Relation::default()
    };
    client.update_relation(&update).await.unwrap();
    let read = client.get_relation(created.relation_number).await.unwrap().unwrap();
    assert_eq!(read.telephone.as_deref(), Some("020-1234567"));
    assert_eq!(
        read.email.as_deref(),
        Some("test@koppel.example"),
        "an update changes only what it names"
    );
    let missing = client
        .update_relation(&Relation {
            relation_number: Some(987_654_321),
            ..Relation::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        missing.business_outcome(),
        Some(BusinessOutcome::NotFound),
        "{missing:?}"
    );
    assert!(client.get_relation(987_654_321).await.unwrap().is_none());
}

#[tokio::test]
async fn stock_is_read_changed_and_its_history_follows() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let products = client.get_products(&ProductFilter::default(), 0, 50).await.unwrap();
    let article = products
        .iter()
        .flat_map(|p| &p.article_list)
        .find(|a| a.stock_article == Some(true))
        .expect("a stock article");
    let number = article.article_number.unwrap();
    let before = client.get_stock(1, &[number], None).await.unwrap();
    let before = before
        .iter()
        .find(|s| s.article_number == number)
        .expect("stock of the article");
    let change = StockChange {
        branch_number: 1,
        article_number: number,
        amount: dec("2"),
        employee_number: Some(999_999),
        reference: Some("koppel test".into()),
    };
    let stock_id = client.update_stock(&change).await.unwrap().expect("a stock id");
    let after = client.get_stock(1, &[number], None).await.unwrap();
    let after = after.iter().find(|s| s.article_number == number).unwrap();
    assert_eq!(after.amount_free, before.amount_free + dec("2"));
    let history = client.get_stock_history(1, &[number], stock_id, 10).await.unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.stock_id == stock_id && h.amount_changed == dec("2")),
        "{history:?}"
    );

    let set = StockChange {
        amount: dec("40"),
        ..change.clone()
    };
    client.set_stock(&set).await.unwrap();
    let now = client.get_stock(1, &[number], None).await.unwrap();
    assert_eq!(
        now.iter().find(|s| s.article_number == number).unwrap().amount_free + now[0].amount_reserved,
        dec("40")
    );

    let unknown = StockChange {
        article_number: 1,
        ..change
    };
    let error = client.update_stock(&unknown).await.unwrap_err();
    assert_eq!(error.business_outcome(), Some(BusinessOutcome::NotFound), "{error:?}");
}

#[tokio::test]
async fn orders_are_created_once() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let relation = client.get_relations(&[], 0, 1).await.unwrap().remove(0);
    let products = client.get_products(&ProductFilter::default(), 0, 5).await.unwrap();
    let article = products[0].article_list[0].clone();
    let order = NewOrder {
        ext_order_id: "AFAS-20260001".into(),
        order_type: Some(OrderType::SalesOrder),
        employee_number: Some(999_999),
        relation_number: relation.relation_number,
        reference: Some("AFAS 20260001".into()),
        lines: vec![NewLine {
            article_number: article.article_number.unwrap(),
            quantity: dec("2"),
            price: article.price_incl,
            ..NewLine::default()
        }],
        ..NewOrder::default()
    };
    let created = client.create_order(&order, "koppel-AFAS-20260001", &[]).await.unwrap();
    assert!(!created.replayed && !created.order_id.is_empty());
    let replay = client.create_order(&order, "koppel-AFAS-20260001", &[]).await.unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.order_id, created.order_id);
    let again = client.create_order(&order, "another-key", &[]).await.unwrap_err();
    assert_eq!(
        again.business_outcome(),
        Some(BusinessOutcome::AlreadyExists),
        "{again:?}"
    );
    let found = client.find_order("AFAS-20260001").await.unwrap().unwrap();
    assert_eq!(found.order_id, created.order_id);
    assert_eq!(found.line_list[0].quantity, dec("2"));

    let no_employee = NewOrder {
        ext_order_id: "AFAS-20260002".into(),
        employee_number: None,
        ..order
    };
    let failed = client.create_order(&no_employee, "k2", &[]).await.unwrap_err();
    assert_eq!(failed.business_outcome(), Some(BusinessOutcome::Failed), "{failed:?}");
    assert!(matches!(failed, MplusError::Business { message: Some(_), .. }));
}

#[tokio::test]
async fn the_financial_journal_balances_and_agrees_with_the_receipts() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let filter = DocumentFilter {
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    let receipts = client.get_receipts(&filter, 0, 100_000).await.unwrap();
    let days: Vec<NaiveDate> = receipts.iter().filter_map(|r| r.financial_date).collect();
    let (first, last) = (*days.iter().min().unwrap(), *days.iter().max().unwrap());
    let journal = client.get_financial_journal(first, last).await.unwrap();
    assert_eq!(journal.period_closed, Some(true), "the seeded days are in the past");

    // Per (day, branch): turnover + cash in − payments − cash out − suspense, which must be zero.
    let mut balance: BTreeMap<(NaiveDate, i32), Decimal> = BTreeMap::new();
    let mut vat: BTreeMap<(NaiveDate, i32, i32), Decimal> = BTreeMap::new();
    for group in &journal.groups {
        let day = (group.from_date.unwrap(), group.branch_number.unwrap());
        assert_eq!(group.through_date, group.from_date);
        assert_eq!(group.period_closed, Some(true));
        let amount = group.incl_amount.unwrap();
        let signed = match &group.group_type {
            FinancialGroupType::Turnover | FinancialGroupType::CashInflow => amount,
            FinancialGroupType::Payment | FinancialGroupType::CashOutflow | FinancialGroupType::SuspenseAccount => {
                -amount
            }
            other => panic!("unexpected {other:?}"),
        };
        *balance.entry(day).or_default() += signed;
        for entry in &group.vat_groups {
            *vat.entry((day.0, day.1, entry.vat_code)).or_default() +=
                entry.excl_amount.unwrap() + entry.vat_amount.unwrap();
            assert!(entry.account_number.is_some(), "VAT carries its account");
        }
    }
    assert!(balance.len() > 10);
    assert!(balance.values().all(|b| b.is_zero()), "{balance:?}");

    let mut expected: BTreeMap<(NaiveDate, i32, i32), Decimal> = BTreeMap::new();
    for receipt in receipts.iter().filter(|r| r.state != ReceiptState::Outstanding) {
        for group in &receipt.vat_group_list {
            let key = (
                receipt.financial_date.unwrap(),
                receipt.financial_branch_number.unwrap(),
                group.vat_code,
            );
            *expected.entry(key).or_default() += group.excl_amount.unwrap() + group.vat_amount.unwrap();
        }
    }
    assert_eq!(
        vat, expected,
        "turnover per VAT code is the receipts' VAT totals, to the cent"
    );
    assert!(
        journal
            .groups
            .iter()
            .any(|g| g.group_type == FinancialGroupType::SuspenseAccount)
    );
    // What the lead stores as the journal's source payload.
    let stored = serde_json::to_value(&journal.groups[0]).unwrap();
    assert_eq!(stored["groupType"], "FINANCIAL-GROUP-TYPE-TURNOVER");
}
