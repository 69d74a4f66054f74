//! A stock run over the fakes: the till's stock levels written to AFAS as mutations per warehouse.

use koppel_core::FlowKind;

use super::*;
use koppel_sync::model::StockLevel;
use koppel_sync::ports::Outcome;
use koppel_sync::settings::StockCalculation;
use koppel_testkit::{FakeJournal, FakePos, Op};

const STOCK: FlowKind = FlowKind::Stock;

fn level(sku: &str, on_hand: &str, reserved: &str, incoming: &str) -> StockLevel {
    StockLevel {
        sku: sku.into(),
        on_hand: dec(on_hand),
        reserved: dec(reserved),
        incoming: dec(incoming),
    }
}

fn pos() -> FakePos {
    let pos = FakePos::default();
    *pos.stock.lock().unwrap() = vec![
        level("1001", "10", "3", "5"),
        level("1002", "4", "0", "0"),
        level("1003", "0", "0", "2"),
    ];
    pos
}

fn afas_stock(erp: &koppel_testkit::FakeErp, sku: &str) -> Decimal {
    erp.snapshot()
        .stock
        .get(&("01".to_owned(), sku.to_owned()))
        .copied()
        .unwrap_or_default()
}

#[tokio::test]
async fn stock_twice_writes_once() {
    let (pos, erp, journal) = (pos(), erp(), FakeJournal::default());
    erp.set_stock("01", "1001", dec("2"));
    erp.set_stock("01", "1002", dec("4"));
    let first = run(STOCK, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!((first.counts.updated, first.counts.skipped), (1, 2));
    assert_eq!(afas_stock(&erp, "1001"), dec("7"), "free stock: on hand minus reserved");
    assert_eq!(
        erp.snapshot().mutations[0].quantity,
        dec("5"),
        "the difference, not the level"
    );
    assert_eq!(first.cursor, None);

    let second = run(STOCK, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(second.counts.skipped, 3);
    assert_eq!(erp.switchboard.calls(Op::PostStockMutation), 1);
    assert_eq!(
        erp.switchboard.calls(Op::StockLevels),
        2,
        "one batched look-up per page per run"
    );
}

#[tokio::test]
async fn the_stock_calculation_chooses_the_figure() {
    for (calculation, expected) in [
        (StockCalculation::OnHand, "10"),
        (StockCalculation::FreePlusIncoming, "12"),
        (StockCalculation::Free, "7"),
    ] {
        let (pos, erp, journal) = (pos(), erp(), FakeJournal::default());
        run(
            STOCK,
            &FlowSettings {
                stock_calculation: calculation,
                ..settings()
            },
            &pos,
            &erp,
            &journal,
        )
        .await
        .unwrap();
        assert_eq!(afas_stock(&erp, "1001"), dec(expected), "{calculation:?}");
    }
}

#[tokio::test]
async fn manage_stock_off_writes_nothing() {
    let (pos, erp, journal) = (pos(), erp(), FakeJournal::default());
    let report = run(
        STOCK,
        &FlowSettings {
            manage_stock: false,
            ..settings()
        },
        &pos,
        &erp,
        &journal,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.skipped, 3);
    assert_eq!(erp.switchboard.all_calls().len(), 0);
    assert!(journal.entries()[0].reason.as_deref().unwrap().contains("manage_stock"));
}

#[tokio::test]
async fn without_a_warehouse_every_record_fails_naming_it() {
    let (pos, erp, journal) = (pos(), erp(), FakeJournal::default());
    let report = run(
        STOCK,
        &FlowSettings {
            company: CompanySettings {
                warehouse: None,
                ..settings().company
            },
            ..settings()
        },
        &pos,
        &erp,
        &journal,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.failed, 3);
    assert!(
        journal
            .entries()
            .iter()
            .all(|e| e.outcome == Outcome::Failed && e.reason.as_deref().unwrap().contains("`warehouse`"))
    );
}
