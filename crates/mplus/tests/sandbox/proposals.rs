//! Proposals written with `saveProposal` and read back: created once per `extProposalId`, replaced by
//! `proposalId`, refused whole when a line names an unknown article.

use koppel_mplus::model::Proposal;
use koppel_mplus::{ProposalWrite, SavedProposal};

use super::*;

fn line(article_number: i64, quantity: &str, price: Option<&str>) -> NewLine {
    NewLine {
        article_number,
        quantity: dec(quantity),
        price: price.map(dec),
        ..NewLine::default()
    }
}

fn quotation(ext: &str, lines: Vec<NewLine>) -> ProposalWrite {
    ProposalWrite {
        ext_proposal_id: Some(ext.into()),
        relation_number: Some(1001),
        reference: Some(format!("Offerte {ext}")),
        lines,
        ..ProposalWrite::default()
    }
}

/// The proposals with a sync marker from `marker` on, with their lines.
async fn proposals_since(client: &MplusClient, marker: i64) -> Vec<Proposal> {
    let filter = DocumentFilter {
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    client.get_proposals(&filter, marker, 1_000).await.unwrap()
}

fn business(error: MplusError) -> (BusinessOutcome, String) {
    match error {
        MplusError::Business { outcome, message, .. } => (outcome, message.unwrap_or_default()),
        other => panic!("expected a business result, got {other:?}"),
    }
}

#[tokio::test]
async fn a_proposal_is_saved_once_per_ext_id_read_back_and_replaced() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let from = client
        .current_sync_markers()
        .await
        .unwrap()
        .proposal_sync_marker
        .unwrap()
        + 1;
    let seeded_numbers = proposals_since(&client, 0)
        .await
        .iter()
        .filter_map(|p| p.proposal_number)
        .map(|n| n.number)
        .max()
        .unwrap();

    let write = quotation(
        "30260001",
        vec![line(100001, "2", Some("19.95")), line(100090, "1", None)],
    );
    let SavedProposal {
        proposal_id,
        proposal_number,
    } = client.save_proposal(&write).await.unwrap();
    assert_eq!(
        proposal_number.unwrap().number,
        seeded_numbers + 1,
        "numbered on from the shop's"
    );

    let read = client.get_proposal(&proposal_id).await.unwrap().unwrap();
    assert_eq!(read.ext_proposal_id.as_deref(), Some("30260001"));
    assert_eq!(read.relation_number, Some(1001));
    assert_eq!(read.reference.as_deref(), Some("Offerte 30260001"));
    assert_eq!(read.state.as_deref(), Some("PROPOSAL-STATE-OUTSTANDING"));
    let lines: Vec<_> = read.line_list.iter().map(|l| (l.article_number, l.quantity)).collect();
    assert_eq!(lines, [(100001, dec("2")), (100090, dec("1"))]);
    assert_eq!(read.line_list[0].price, Some(dec("19.95")));
    assert_eq!(read.line_list[0].total_incl, Some(dec("39.90")));
    let line_totals: Decimal = read.line_list.iter().filter_map(|l| l.total_incl).sum();
    assert_eq!(
        read.total_incl_amount,
        Some(line_totals),
        "prices incl. VAT add up to the total"
    );

    let listed = proposals_since(&client, from).await;
    assert_eq!(listed.len(), 1, "one new proposal, under a new sync marker");
    assert_eq!(listed[0].proposal_id.as_deref(), Some(proposal_id.as_str()));
    assert_eq!(listed[0].ext_proposal_id.as_deref(), Some("30260001"));
    assert_eq!(listed[0].line_list.len(), 2);

    // The same extProposalId again: "already there", and no second copy.
    let (outcome, message) = business(client.save_proposal(&write).await.unwrap_err());
    assert_eq!(outcome, BusinessOutcome::AlreadyExists);
    assert!(message.contains(&proposal_id), "{message}");
    assert_eq!(proposals_since(&client, from).await.len(), 1);

    // Replaced by its id: new lines, same id and number, a newer sync marker.
    let replacement = ProposalWrite {
        proposal_id: Some(proposal_id.clone()),
        change_counter: read.change_counter,
        ..quotation("30260001", vec![line(100001, "3", Some("18.00"))])
    };
    let replaced = client.save_proposal(&replacement).await.unwrap();
    assert_eq!(
        (replaced.proposal_id.as_str(), replaced.proposal_number),
        (proposal_id.as_str(), proposal_number)
    );
    let listed = proposals_since(&client, from).await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].sync_marker > read.sync_marker);
    assert_eq!(listed[0].total_incl_amount, Some(dec("54.00")));
    assert_eq!(listed[0].line_list.len(), 1);

    // Saving over a version read before that change is refused.
    let (outcome, _) = business(client.save_proposal(&replacement).await.unwrap_err());
    assert_eq!(outcome, BusinessOutcome::Failed);

    let unknown = ProposalWrite {
        proposal_id: Some("no-such-proposal".into()),
        ..quotation("30260009", vec![line(100001, "1", None)])
    };
    let (outcome, _) = business(client.save_proposal(&unknown).await.unwrap_err());
    assert_eq!(outcome, BusinessOutcome::NotFound);
    assert!(client.get_proposal("no-such-proposal").await.unwrap().is_none());
}

#[tokio::test]
async fn a_proposal_with_an_unknown_article_or_relation_is_not_saved() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let from = client
        .current_sync_markers()
        .await
        .unwrap()
        .proposal_sync_marker
        .unwrap()
        + 1;

    let unknown_article = quotation("30260002", vec![line(100001, "1", None), line(5, "1", None)]);
    let (outcome, message) = business(client.save_proposal(&unknown_article).await.unwrap_err());
    assert_eq!(
        (outcome, message.as_str()),
        (BusinessOutcome::Failed, "Article 5 not found")
    );

    let unknown_relation = ProposalWrite {
        relation_number: Some(5),
        ..quotation("30260003", vec![line(100001, "1", None)])
    };
    let (outcome, message) = business(client.save_proposal(&unknown_relation).await.unwrap_err());
    assert_eq!(
        (outcome, message.as_str()),
        (BusinessOutcome::Failed, "Relation 5 not found")
    );

    assert!(proposals_since(&client, from).await.is_empty(), "nothing saved");
    // The refused extProposalId is still free.
    client
        .save_proposal(&quotation("30260002", vec![line(100001, "1", None)]))
        .await
        .unwrap();
}
