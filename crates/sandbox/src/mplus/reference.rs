//! Reference data and service information: `getApiVersion`, `getCurrentSyncMarkers`, `getBranches`,
//! `getEmployees`, `getVatGroupList`, `getTurnoverGroups`, `getPriceGroupList`, `getPaymentMethods`,
//! `getDeliveryMethods`.

use super::model::{date_xml, datetime_xml};
use super::soap::SoapFault;
use super::state::{Store, now};
use super::sync::Page;
use super::xml::Element;

pub fn get_api_version(_store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    let at = now();
    Ok(Element::new("getApiVersionResponse")
        .with_leaf("majorNumber", 67)
        .with_leaf("minorNumber", 1)
        .with_leaf("revisionNumber", 3)
        .with_leaf("databaseMajorNumber", 67)
        .with_leaf("databaseMinorNumber", 1)
        .with_leaf("databaseRevisionNumber", 0)
        .with_leaf("serviceMajorNumber", 67)
        .with_leaf("serviceMinorNumber", 1)
        .with_leaf("serviceRevisionNumber", 3)
        .with(date_xml("serviceDate", at.date()))
        .with(datetime_xml("serviceDateTime", at))
        .with_leaf("serviceHostname", "koppel-sandbox")
        .with_leaf("inDebugMode", false)
        .with_leaf("isSlaveApi", false)
        .with_leaf("serviceVersionDisplayString", "67.1.3 (koppel-sandbox)"))
}

pub fn get_current_sync_markers(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    Ok(store.markers.to_xml())
}

pub fn get_branches(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    Ok(Element::new("getBranchesResponse")
        .with(Element::new("branches").with_all(store.shop.branches.iter().map(|b| b.to_xml()))))
}

pub fn get_employees(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation.child("request");
    let page = Page::from_marker(request);
    let numbers = request.map(|r| r.numbers_of("employeeNumbers")).unwrap_or_default();
    let employees = store
        .shop
        .employees
        .iter()
        .filter(|e| e.sync_marker >= page.from && (numbers.is_empty() || numbers.contains(&e.number)))
        .take(page.limit)
        .map(|e| e.to_xml());
    Ok(Element::new("GetEmployeesResponse").with(Element::new("employeeList").with_all(employees)))
}

/// Per branch the VAT groups of its country, then the other countries' groups without a branch (for
/// deliveries abroad).
pub fn get_vat_group_list(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    let shop = &store.shop;
    let per_branch = shop.branches.iter().flat_map(|branch| {
        shop.vat_groups
            .iter()
            .filter(move |g| g.country_iso3 == branch.country_iso3)
            .map(move |g| g.to_xml(Some(branch.number)))
    });
    let abroad = shop
        .vat_groups
        .iter()
        .filter(|g| !shop.branches.iter().any(|b| b.country_iso3 == g.country_iso3))
        .map(|g| g.to_xml(None));
    Ok(Element::new("getVatGroupListResponse").with_all(per_branch.chain(abroad)))
}

pub fn get_turnover_groups(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    Ok(Element::new("GetTurnoverGroupsResponse")
        .with(Element::new("turnoverGroupList").with_all(store.shop.turnover_groups.iter().map(|g| g.to_xml()))))
}

/// The shop's price groups, number and description only: the prices are the articles' (`priceGroupList`).
pub fn get_price_group_list(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    Ok(Element::new("getPriceGroupListResponse").with_all(store.shop.price_groups.iter().map(|g| g.to_xml())))
}

pub fn get_delivery_methods(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    let methods = store.shop.delivery_methods.iter().map(|m| m.to_xml());
    Ok(Element::new("GetDeliveryMethodsResponse").with(Element::new("deliveryMethodList").with_all(methods)))
}

pub fn get_payment_methods(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    Ok(Element::new("GetPaymentMethodsResponse")
        .with(Element::new("paymentMethodList").with_all(store.shop.payment_methods.iter().map(|m| m.to_xml()))))
}
