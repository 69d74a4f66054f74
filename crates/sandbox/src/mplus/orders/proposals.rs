//! Proposals (quotations): `getProposals`, `getProposal` and `saveProposal`.
//!
//! `saveProposal` without a `proposalId` creates a proposal, numbered on from the shop's; with one it replaces
//! that proposal's lines (and the header fields the request gives). An `extProposalId` names at most one
//! proposal: a second proposal with it is refused, so a writer that retries cannot make a copy.

use chrono::Datelike;

use super::create::read_lines;
use super::{OrderBook, OrderFilter};
use crate::mplus::model::{Address, Order, OrderType, Progress, Proposal, ProposalState, VatMethod, parse_date};
use crate::mplus::seed::SUPERUSER_EMPLOYEE;
use crate::mplus::soap::SoapFault;
use crate::mplus::state::{Store, now};
use crate::mplus::sync::{Page, next};
use crate::mplus::xml::Element;

impl OrderBook {
    fn proposal_by_id(&self, proposal_id: &str) -> Option<&Proposal> {
        self.proposals.values().find(|p| p.proposal_id == proposal_id)
    }

    fn proposal_by_ext_id(&self, ext_proposal_id: &str) -> Option<&Proposal> {
        self.proposals
            .values()
            .find(|p| p.ext_proposal_id.as_deref() == Some(ext_proposal_id))
    }

    /// The number after the highest proposal number (the shop numbers its proposals in one series).
    fn next_proposal_number(&self) -> i64 {
        self.proposals.values().map(|p| p.proposal_number.1).max().unwrap_or(0) + 1
    }

    /// Stores a new or changed proposal under the next proposal sync marker.
    fn save_proposal(&mut self, mut proposal: Proposal, counter: &mut i64) -> Proposal {
        self.proposals.remove(&proposal.sync_marker);
        proposal.sync_marker = next(counter);
        self.proposals.insert(proposal.sync_marker, proposal.clone());
        proposal
    }
}

pub fn get_proposals(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let page = Page::from_marker(Some(request));
    let filter = OrderFilter {
        types: Vec::new(),
        ..OrderFilter::read(request)?
    };
    let include_lines = request.flag_of("includeLineList").unwrap_or(false);
    let ids: Vec<&str> = request.children_named("proposalIds").map(|c| c.text.trim()).collect();
    let proposals = page.select(&store.orders.proposals, |proposal| {
        filter.keeps(&proposal.order) && (ids.is_empty() || ids.contains(&proposal.proposal_id.as_str()))
    });
    Ok(Element::new("GetProposalsResponse")
        .with(Element::new("proposalList").with_all(proposals.iter().map(|p| p.to_xml(include_lines)))))
}

pub fn get_proposal(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let id = operation
        .text_of("proposalId")
        .ok_or_else(|| SoapFault::missing("proposalId"))?;
    let response = Element::new("GetProposalResponse");
    Ok(match store.orders.proposal_by_id(id) {
        Some(proposal) => response
            .with_leaf("result", "GET-PROPOSAL-RESULT-OK")
            .with(proposal.to_xml(true)),
        None => response.with_leaf("result", "GET-PROPOSAL-RESULT-NOT-FOUND"),
    })
}

/// A refusal of `saveProposal`: the result value, its message, and the proposal it is about (if any).
struct Refusal {
    result: &'static str,
    message: String,
    proposal_id: Option<String>,
}

fn failed(message: impl Into<String>) -> Refusal {
    Refusal {
        result: "SAVE-PROPOSAL-RESULT-FAILED",
        message: message.into(),
        proposal_id: None,
    }
}

pub fn save_proposal(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let element = operation
        .child("proposal")
        .ok_or_else(|| SoapFault::missing("proposal"))?;
    let response = Element::new("SaveProposalResponse");
    Ok(match read_proposal(store, element) {
        Ok(proposal) => {
            let proposal = store.orders.save_proposal(proposal, &mut store.markers.proposal);
            let (year, number) = proposal.proposal_number;
            response
                .with_leaf("result", "SAVE-PROPOSAL-RESULT-OK")
                .with(
                    Element::new("info")
                        .with_leaf("proposalId", &proposal.proposal_id)
                        .with_leaf("proposalString", format!("{year}-{number:06}"))
                        .with(
                            Element::new("proposalNumber")
                                .with_leaf("year", year)
                                .with_leaf("number", number),
                        ),
                )
                .with_leaf("errorMessage", "")
        }
        Err(refusal) => response
            .with_leaf("result", refusal.result)
            .with(
                Element::new("info")
                    .with_leaf("proposalId", refusal.proposal_id.unwrap_or_default())
                    .with_leaf("proposalString", ""),
            )
            .with_leaf("errorMessage", refusal.message),
    })
}

/// Checks a proposal sent to `saveProposal` and builds what is stored: an existing proposal to replace (still
/// outstanding, and unchanged since the writer read it when it sends its `changeCounter`), an unused
/// `extProposalId`, an existing relation and employee, and lines naming the shop's articles.
fn read_proposal(store: &Store, element: &Element) -> Result<Proposal, Refusal> {
    let existing = match element.text_of("proposalId").filter(|id| !id.is_empty()) {
        Some(id) => Some(store.orders.proposal_by_id(id).ok_or_else(|| Refusal {
            result: "SAVE-PROPOSAL-RESULT-NOT-FOUND",
            message: format!("Proposal {id} not found"),
            proposal_id: None,
        })?),
        None => None,
    };
    let ext = element.text_of("extProposalId").filter(|e| !e.is_empty());
    if let Some(ext) = ext
        && let Some(other) = store.orders.proposal_by_ext_id(ext)
        && existing.is_none_or(|p| p.proposal_id != other.proposal_id)
    {
        return Err(Refusal {
            result: "SAVE-PROPOSAL-RESULT-EXT-PROPOSAL-ID-ALREADY-EXISTS",
            message: format!(
                "A proposal with extProposalId '{ext}' already exists ({})",
                other.proposal_id
            ),
            proposal_id: Some(other.proposal_id.clone()),
        });
    }
    if let Some(existing) = existing {
        if existing.state != ProposalState::Outstanding {
            return Err(failed(format!(
                "Proposal {} is {}, not outstanding",
                existing.proposal_id,
                existing.state.wire()
            )));
        }
        if element
            .number_of("changeCounter")
            .is_some_and(|counter| counter != i64::from(existing.order.change_counter))
        {
            return Err(Refusal {
                result: "SAVE-PROPOSAL-RESULT-PROPOSAL-HAS-CHANGED",
                message: format!("Proposal {} has changed since it was read", existing.proposal_id),
                proposal_id: Some(existing.proposal_id.clone()),
            });
        }
    }
    let before = existing.map(|p| &p.order);
    let relation_number = element
        .number_of("relationNumber")
        .filter(|&n| n > 0)
        .or(before.map(|o| o.relation_number))
        .ok_or_else(|| failed("A proposal needs a relation (relationNumber)"))?;
    let relation = store
        .relations
        .get(relation_number)
        .ok_or_else(|| failed(format!("Relation {relation_number} not found")))?;
    let employee_number = element
        .number_of("employeeNumber")
        .or(before.map(|o| o.employee_number))
        .unwrap_or(SUPERUSER_EMPLOYEE);
    let employee = store
        .shop
        .employees
        .iter()
        .find(|e| e.number == employee_number)
        .ok_or_else(|| failed(format!("Employee {employee_number} not found")))?;
    let vat_method = match element.text_of("vatMethod") {
        Some(value) => VatMethod::from_wire(value).ok_or_else(|| failed(format!("Unknown vatMethod '{value}'")))?,
        None => before.map_or(VatMethod::Inclusive, |o| o.vat_method),
    };
    let entry_branch = before.map_or(1, |o| o.entry_branch);
    let country = store
        .shop
        .branches
        .iter()
        .find(|b| b.number == entry_branch)
        .map(|b| b.country_iso3.clone())
        .unwrap_or_default();
    let lines = read_lines(store, element.child("lineList"), vat_method, &country).map_err(failed)?;
    if lines.is_empty() {
        return Err(failed("A proposal needs at least one line"));
    }
    let entered_at = before.map_or_else(now, |o| o.entered_at);
    let financial_date = element
        .child("financialDate")
        .and_then(parse_date)
        .or(before.map(|o| o.financial_date))
        .unwrap_or(entered_at.date());
    let proposal_id = existing.map_or_else(|| uuid::Uuid::new_v4().to_string(), |p| p.proposal_id.clone());
    let proposal_number = existing.map_or_else(
        || (financial_date.year(), store.orders.next_proposal_number()),
        |p| p.proposal_number,
    );
    let order = Order {
        order_id: proposal_id.clone(),
        ext_order_id: None,
        sync_marker: 0,
        order_type: OrderType::Sales,
        order_number: proposal_number,
        entry_branch,
        workplace: before.map_or(1, |o| o.workplace),
        employee_number,
        employee_name: employee.name.clone(),
        entered_at,
        financial_date,
        relation_number,
        relation_name: relation.name.clone(),
        relation_vat_number: relation.vat_number.clone(),
        invoice_address: Some(Address::of_relation(relation)),
        delivery_address: Some(Address::delivery_of_relation(relation)),
        reference: element
            .text_of("reference")
            .map(str::to_owned)
            .or_else(|| before.and_then(|o| o.reference.clone())),
        vat_method,
        vat_country_iso3: country,
        delivery_method: None,
        payment_method: None,
        change_counter: before.map_or(1, |o| o.change_counter + 1),
        delivery_state: Progress::Nothing,
        cancel_state: Progress::Nothing,
        lines,
        cash_rounding: 0,
        payments: Vec::new(),
        invoice_ids: Vec::new(),
    };
    Ok(Proposal {
        proposal_id,
        ext_proposal_id: ext
            .map(str::to_owned)
            .or_else(|| existing.and_then(|p| p.ext_proposal_id.clone())),
        proposal_number,
        sync_marker: existing.map_or(0, |p| p.sync_marker),
        state: ProposalState::Outstanding,
        order,
    })
}
