//! Reference data: branches, employees, VAT groups, turnover groups, price groups, payment methods.

use super::PaymentMethodType;
use crate::mplus::xml::Element;

#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub number: i32,
    pub name: String,
    pub abbreviation: String,
    pub country_code: i32,
    pub country_iso3: String,
    pub country_name: String,
    pub workplaces: Vec<(i32, String)>,
}

impl Branch {
    /// `extBranchId`: the sandbox derives it from the number.
    pub fn ext_id(&self) -> String {
        format!("BR{:02}", self.number)
    }

    pub fn to_xml(&self) -> Element {
        let workplaces = Element::new("workplaces").with_all(self.workplaces.iter().map(|(number, name)| {
            Element::new("workplace")
                .with_leaf("workplaceNumber", number)
                .with_leaf("workplaceName", name)
                .with_leaf("isMobile", false)
        }));
        Element::new("branch")
            .with_leaf("branchNumber", self.number)
            .with_leaf("branchName", &self.name)
            .with_leaf("abbreviation", &self.abbreviation)
            .with_leaf("extBranchId", self.ext_id())
            .with(workplaces)
            .with_leaf("countryCode", self.country_code)
            .with_leaf("countryIso3", &self.country_iso3)
            .with_leaf("countryName", &self.country_name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Employee {
    pub number: i64,
    pub name: String,
    pub email: Option<String>,
    pub active: bool,
    pub sync_marker: i64,
}

impl Employee {
    pub fn to_xml(&self) -> Element {
        Element::new("employee")
            .with_leaf("employeeNumber", self.number)
            .with_leaf("syncMarker", self.sync_marker)
            .with_leaf("name", &self.name)
            .with_opt("email", self.email.as_ref())
            .with_leaf("active", self.active)
    }
}

/// One VAT rate of one country (`getVatGroupList`), or one VAT total of an order (`vatGroupList`).
#[derive(Debug, Clone, PartialEq)]
pub struct VatGroup {
    pub vat_code: i32,
    pub vat_percentage: i32,
    pub country_iso3: String,
    pub account_number: i32,
}

impl VatGroup {
    pub fn to_xml(&self, branch_number: Option<i32>) -> Element {
        Element::new("vatGroup")
            .with_opt("branchNumber", branch_number)
            .with_leaf("countryIso3", &self.country_iso3)
            .with_leaf("vatCode", self.vat_code)
            .with_leaf("vatPercentage", self.vat_percentage)
            .with_leaf("accountNumber", self.account_number)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TurnoverGroup {
    pub number: i32,
    pub name: String,
    pub account_number: i32,
    pub default_vat_code: i32,
}

impl TurnoverGroup {
    pub fn to_xml(&self) -> Element {
        Element::new("turnoverGroup")
            .with_leaf("turnoverGroupType", "TURNOVER-GROUP-TYPE-TURNOVER")
            .with_leaf("turnoverGroup", self.number)
            .with_leaf("turnoverGroupName", &self.name)
            .with_leaf("accountNumber", self.account_number)
            .with_leaf("defaultVatCode", self.default_vat_code)
    }
}

/// An article discount group (`Article.articleDiscountGroupNumber`/`articleDiscountGroupName`): articles
/// grouped for relation discounts (`RelationArticleDiscount.articleDiscountGroupNumber`). Made in the back
/// office: the API has no operation to list or create them.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDiscountGroup {
    pub number: i32,
    pub name: String,
}

/// `PriceGroup` of `getPriceGroupList`: a customer category with prices of its own (the prices live on the
/// articles).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceGroup {
    pub number: i32,
    pub description: String,
}

impl PriceGroup {
    pub fn to_xml(&self) -> Element {
        Element::new("priceGroup")
            .with_leaf("priceGroupNumber", self.number)
            .with_leaf("description", &self.description)
    }
}

/// `DeliveryMethod`: how a webshop order reaches its customer (the `deliveryMethod` of an order).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryMethod {
    pub code: String,
    pub description: String,
    pub enabled: bool,
}

impl DeliveryMethod {
    pub fn to_xml(&self) -> Element {
        Element::new("deliveryMethod")
            .with_leaf("deliveryMethod", &self.code)
            .with_leaf("description", &self.description)
            .with_leaf("buttonText", &self.description)
            .with_leaf("enabled", self.enabled)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentMethod {
    pub code: String,
    pub description: String,
    pub kind: PaymentMethodType,
    pub account_number: i32,
}

impl PaymentMethod {
    pub fn to_xml(&self) -> Element {
        Element::new("paymentMethod")
            .with_leaf("method", &self.code)
            .with_leaf("description", &self.description)
            .with_leaf("buttonText", &self.description)
            .with_leaf("allowNegativeAmount", self.kind != PaymentMethodType::Eft)
            .with_leaf("active", true)
            .with_leaf("type", self.kind.wire())
            .with_leaf("accountNumber", self.account_number)
    }
}
