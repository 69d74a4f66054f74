//! Reference data the mappings point at: turnover groups, VAT groups, price groups, payment and delivery
//! methods, branches and employees.

use serde::{Deserialize, Serialize};

use super::Request;
use crate::model::{
    Branch, CustomField, CustomFieldLists, DeliveryMethod, Employee, PaymentMethod, PriceGroup, TurnoverGroup, VatGroup,
};
use crate::soap::NoArguments;
use crate::wire;
use crate::{MplusClient, MplusError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetTurnoverGroupsRequest {
    only_active: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetEmployeesRequest<'a> {
    employee_numbers: &'a [i64],
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetTurnoverGroupsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    turnover_group_list: Vec<TurnoverGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetVatGroupListResponse {
    #[serde(default)]
    vat_group: Vec<VatGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetPriceGroupListResponse {
    #[serde(default)]
    price_group: Vec<PriceGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetPaymentMethodsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    payment_method_list: Vec<PaymentMethod>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetDeliveryMethodsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    delivery_method_list: Vec<DeliveryMethod>,
}

#[derive(Deserialize)]
struct GetBranchesResponse {
    #[serde(default, deserialize_with = "wire::list")]
    branches: Vec<Branch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetEmployeesResponse {
    #[serde(default, deserialize_with = "wire::list")]
    employee_list: Vec<Employee>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetCustomFieldListsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    article_custom_field_list: Vec<CustomField>,
    #[serde(default, deserialize_with = "wire::list")]
    employee_custom_field_list: Vec<CustomField>,
    #[serde(default, deserialize_with = "wire::list")]
    relation_custom_field_list: Vec<CustomField>,
}

impl MplusClient {
    /// `getCustomFieldLists`: the custom fields the shop defines for articles, employees and relations
    /// (`field_name`, `data_type`, `is_required`; no values). They are made in the back office: the API cannot
    /// create them.
    pub async fn get_custom_field_lists(&self) -> Result<CustomFieldLists, MplusError> {
        let response: GetCustomFieldListsResponse = self.call("getCustomFieldLists", &NoArguments {}).await?;
        Ok(CustomFieldLists {
            article: response.article_custom_field_list,
            employee: response.employee_custom_field_list,
            relation: response.relation_custom_field_list,
        })
    }

    /// `getTurnoverGroups`.
    pub async fn get_turnover_groups(&self, only_active: bool) -> Result<Vec<TurnoverGroup>, MplusError> {
        let request = GetTurnoverGroupsRequest { only_active };
        let response: GetTurnoverGroupsResponse = self.call("getTurnoverGroups", &Request { request }).await?;
        Ok(response.turnover_group_list)
    }

    /// `getVatGroupList`.
    pub async fn get_vat_groups(&self) -> Result<Vec<VatGroup>, MplusError> {
        let response: GetVatGroupListResponse = self.call("getVatGroupList", &NoArguments {}).await?;
        Ok(response.vat_group)
    }

    /// `getPriceGroupList`: the shop's price groups (number and description; no prices). They are made in the
    /// back office: the API cannot create them.
    pub async fn get_price_groups(&self) -> Result<Vec<PriceGroup>, MplusError> {
        let response: GetPriceGroupListResponse = self.call("getPriceGroupList", &NoArguments {}).await?;
        Ok(response.price_group)
    }

    /// `getPaymentMethods`.
    pub async fn get_payment_methods(&self) -> Result<Vec<PaymentMethod>, MplusError> {
        let response: GetPaymentMethodsResponse = self.call("getPaymentMethods", &NoArguments {}).await?;
        Ok(response.payment_method_list)
    }

    /// `getDeliveryMethods`.
    pub async fn get_delivery_methods(&self) -> Result<Vec<DeliveryMethod>, MplusError> {
        let response: GetDeliveryMethodsResponse = self.call("getDeliveryMethods", &NoArguments {}).await?;
        Ok(response.delivery_method_list)
    }

    /// `getBranches`.
    pub async fn get_branches(&self) -> Result<Vec<Branch>, MplusError> {
        let response: GetBranchesResponse = self.call("getBranches", &NoArguments {}).await?;
        Ok(response.branches)
    }

    /// `getEmployees` from `sync_marker`, at most `limit`; `employee_numbers` narrows it down when not empty.
    pub async fn get_employees(
        &self,
        employee_numbers: &[i64],
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Employee>, MplusError> {
        let request = GetEmployeesRequest {
            employee_numbers,
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetEmployeesResponse = self.call("getEmployees", &Request { request }).await?;
        Ok(response.employee_list)
    }
}
