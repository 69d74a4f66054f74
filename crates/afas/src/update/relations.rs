//! Debtors: `KnSalesRelationOrg` (a debtor that is an organisation, `KnOrganisation`, optionally with contact
//! persons) and `KnSalesRelationPer` (a debtor that is a person, `KnPerson`), with their addresses.
//!
//! The official schemas mark some fields required that AFAS fills itself in practice (`CdDa`, `BcId`,
//! `BeginDate`...); the types here make them mandatory so every body validates against the vendor's schema.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{ElementBuilder, UpdateConnector, wire};

/// Debtor fields shared by organisations and persons.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DebtorFields {
    /// The debtor number: empty on insert to let AFAS number it; required on update.
    #[serde(rename = "DbId", skip_serializing_if = "Option::is_none")]
    pub debtor_id: Option<String>,
    #[serde(rename = "IsDb", skip_serializing_if = "Option::is_none")]
    pub is_debtor: Option<bool>,
    /// Currency, e.g. `EUR`: required on insert by the official schema; an update without it leaves AFAS's.
    #[serde(rename = "CuId", skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The preferred delivery address: required on insert by the official schema (0 for none); an update
    /// without it leaves AFAS's.
    #[serde(rename = "CdDa", skip_serializing_if = "Option::is_none")]
    pub preferred_delivery_address: Option<i64>,
    #[serde(rename = "PaCd", skip_serializing_if = "Option::is_none")]
    pub payment_condition: Option<String>,
    /// The collective ledger account, e.g. `1300`.
    #[serde(rename = "ColA", skip_serializing_if = "Option::is_none")]
    pub collective_account: Option<String>,
    /// The preferred contra account: the revenue account AFAS books this debtor's sales on.
    #[serde(rename = "ToAc", skip_serializing_if = "Option::is_none")]
    pub contra_account: Option<String>,
    #[serde(rename = "VaDu", skip_serializing_if = "Option::is_none")]
    pub vat_duty: Option<String>,
    #[serde(rename = "VaId", skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    /// Prices include VAT.
    #[serde(rename = "VtIn", skip_serializing_if = "Option::is_none")]
    pub prices_include_vat: Option<bool>,
    #[serde(rename = "PrLs", skip_serializing_if = "Option::is_none")]
    pub price_list: Option<String>,
    #[serde(
        rename = "Krli",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub credit_limit: Option<Decimal>,
    /// Blocked for delivery.
    #[serde(rename = "Bl", skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    #[serde(rename = "VkMa", skip_serializing_if = "Option::is_none")]
    pub preferred_warehouse: Option<String>,
    #[serde(rename = "LgId", skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl DebtorFields {
    /// The fields the official schema requires of a new debtor, in `currency`.
    pub fn insert(currency: &str) -> Self {
        Self {
            currency: Some(currency.to_owned()),
            preferred_delivery_address: Some(0),
            ..Self::default()
        }
    }

    /// An update of debtor `debtor_id`: only the key. AFAS changes only the fields a PUT sends, so an update
    /// sets what it must change and nothing else.
    pub fn update(debtor_id: &str) -> Self {
        Self {
            debtor_id: Some(debtor_id.to_owned()),
            ..Self::default()
        }
    }
}

/// How AFAS matches an organisation to an existing one (`MatchOga`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OrganisationMatch {
    #[serde(rename = "0")]
    ByCode,
    #[serde(rename = "1")]
    ByChamberOfCommerce,
    #[serde(rename = "2")]
    ByFiscalNumber,
    #[serde(rename = "3")]
    ByName,
    #[serde(rename = "4")]
    ByAddress,
    #[serde(rename = "5")]
    ByPostalAddress,
    #[serde(rename = "6")]
    AlwaysNew,
    #[serde(rename = "9")]
    UseParent,
}

/// How AFAS matches a person to an existing one (`MatchPer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PersonMatch {
    #[serde(rename = "0")]
    ByCode,
    #[serde(rename = "1")]
    BySocialSecurityNumber,
    #[serde(rename = "2")]
    ByName,
    #[serde(rename = "3")]
    ByNameAndEmail,
    #[serde(rename = "4")]
    ByNameAndMobile,
    #[serde(rename = "5")]
    ByNameAndPhone,
    #[serde(rename = "6")]
    ByNameAndBirthDate,
    #[serde(rename = "7")]
    AlwaysNew,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Gender {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "V")]
    Female,
    #[serde(rename = "X")]
    Other,
    #[serde(rename = "O")]
    Unknown,
}

/// An address (`KnBasicAddressAdr` visit address / `KnBasicAddressPad` postal address).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    /// Country code; AFAS requires it.
    #[serde(rename = "CoId")]
    pub country: String,
    #[serde(rename = "PbAd")]
    pub is_po_box: bool,
    #[serde(rename = "Ad", skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(rename = "HmNr", skip_serializing_if = "Option::is_none")]
    pub house_number: Option<i64>,
    #[serde(rename = "HmAd", skip_serializing_if = "Option::is_none")]
    pub house_number_addition: Option<String>,
    #[serde(rename = "ZpCd", skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(rename = "Rs", skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// From when the address applies (AFAS ignores it for a relation's first address).
    #[serde(rename = "BeginDate")]
    pub begin_date: NaiveDate,
    /// Let AFAS look the city up from the postcode.
    #[serde(rename = "ResZip")]
    pub city_from_postcode: bool,
}

/// A person (`KnPerson`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonFields {
    /// The postal address is the visit address.
    #[serde(rename = "PadAdr")]
    pub postal_is_visit_address: bool,
    /// Let AFAS number the person (then `code` may be empty).
    #[serde(rename = "AutoNum")]
    pub auto_number: bool,
    #[serde(rename = "MatchPer")]
    pub matching: PersonMatch,
    /// AFAS's internal id (required by the official schema; 0 for a new person).
    #[serde(rename = "BcId")]
    pub internal_id: i64,
    /// The person's code in AFAS.
    #[serde(rename = "BcCo")]
    pub code: String,
    #[serde(rename = "AddToPortal")]
    pub add_to_portal: bool,
    #[serde(rename = "SeNm", skip_serializing_if = "Option::is_none")]
    pub search_name: Option<String>,
    #[serde(rename = "FiNm", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "In", skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    /// Name prefix such as "van".
    #[serde(rename = "Is", skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(rename = "LaNm", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "ViGe", skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(rename = "DaBi", skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(rename = "TeNr", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(rename = "MbNr", skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// Work e-mail.
    #[serde(rename = "EmAd", skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Private e-mail.
    #[serde(rename = "EmA2", skip_serializing_if = "Option::is_none")]
    pub private_email: Option<String>,
}

impl PersonFields {
    /// A new person AFAS numbers itself, never matched to an existing one.
    pub fn new_person() -> Self {
        Self {
            postal_is_visit_address: true,
            auto_number: true,
            matching: PersonMatch::AlwaysNew,
            internal_id: 0,
            code: String::new(),
            add_to_portal: false,
            search_name: None,
            first_name: None,
            initials: None,
            prefix: None,
            last_name: None,
            gender: None,
            birth_date: None,
            phone: None,
            mobile: None,
            email: None,
            private_email: None,
        }
    }
}

/// A person with its addresses.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub fields: PersonFields,
    pub visit_address: Option<Address>,
    pub postal_address: Option<Address>,
}

impl Person {
    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        ElementBuilder::new(&self.fields)
            .object("KnBasicAddressAdr", address_elements(&self.visit_address)?)
            .object("KnBasicAddressPad", address_elements(&self.postal_address)?)
            .build()
    }
}

/// The kind of a contact (`ViKc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ContactKind {
    #[serde(rename = "AFD")]
    Department,
    #[serde(rename = "AFL")]
    DeliveryAddress,
    /// A person at the organisation (needs [`Contact::person`]).
    #[serde(rename = "PRS")]
    Person,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactFields {
    #[serde(rename = "PadAdr")]
    pub postal_is_visit_address: bool,
    #[serde(rename = "ViKc", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ContactKind>,
    /// Function description.
    #[serde(rename = "FuDs", skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(rename = "TeNr", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(rename = "MbNr", skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(rename = "EmAd", skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A contact at an organisation (`KnContact`), e.g. the person who placed the order.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub fields: ContactFields,
    pub person: Option<Person>,
}

impl Contact {
    /// A person at the organisation.
    pub fn person(person: Person) -> Self {
        Self {
            fields: ContactFields {
                postal_is_visit_address: true,
                kind: Some(ContactKind::Person),
                function: None,
                phone: None,
                mobile: None,
                email: person.fields.email.clone(),
            },
            person: Some(person),
        }
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        let person = self.person.iter().map(Person::element).collect::<Result<_, _>>()?;
        ElementBuilder::new(&self.fields).object("KnPerson", person).build()
    }
}

/// An organisation (`KnOrganisation`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationFields {
    #[serde(rename = "PadAdr")]
    pub postal_is_visit_address: bool,
    #[serde(rename = "AutoNum")]
    pub auto_number: bool,
    #[serde(rename = "MatchOga")]
    pub matching: OrganisationMatch,
    /// AFAS's internal id (required by the official schema; 0 for a new organisation).
    #[serde(rename = "BcId")]
    pub internal_id: i64,
    /// The organisation's code in AFAS.
    #[serde(rename = "BcCo")]
    pub code: String,
    #[serde(rename = "Nm")]
    pub name: String,
    #[serde(rename = "SeNm", skip_serializing_if = "Option::is_none")]
    pub search_name: Option<String>,
    /// Chamber of commerce number.
    #[serde(rename = "CcNr", skip_serializing_if = "Option::is_none")]
    pub coc_number: Option<String>,
    #[serde(rename = "FiNr", skip_serializing_if = "Option::is_none")]
    pub fiscal_number: Option<String>,
    #[serde(rename = "TeNr", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(rename = "MbNr", skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(rename = "EmAd", skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(rename = "HoPa", skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

impl OrganisationFields {
    /// A new organisation AFAS numbers itself, never matched to an existing one.
    pub fn new_organisation(name: &str) -> Self {
        Self {
            postal_is_visit_address: true,
            auto_number: true,
            matching: OrganisationMatch::AlwaysNew,
            internal_id: 0,
            code: String::new(),
            name: name.to_owned(),
            search_name: None,
            coc_number: None,
            fiscal_number: None,
            phone: None,
            mobile: None,
            email: None,
            website: None,
        }
    }
}

/// An organisation with its addresses and contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub fields: OrganisationFields,
    pub visit_address: Option<Address>,
    pub postal_address: Option<Address>,
    pub contacts: Vec<Contact>,
}

impl Organisation {
    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        let contacts = self.contacts.iter().map(Contact::element).collect::<Result<_, _>>()?;
        ElementBuilder::new(&self.fields)
            .object("KnBasicAddressAdr", address_elements(&self.visit_address)?)
            .object("KnBasicAddressPad", address_elements(&self.postal_address)?)
            .object("KnContact", contacts)
            .build()
    }
}

/// A debtor that is an organisation (`KnSalesRelationOrg`).
#[derive(Debug, Clone, PartialEq)]
pub struct SalesRelationOrg {
    pub debtor: DebtorFields,
    pub organisation: Organisation,
}

impl UpdateConnector for SalesRelationOrg {
    fn connector(&self) -> &'static str {
        "KnSalesRelationOrg"
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        ElementBuilder::new(&self.debtor)
            .key("DbId", self.debtor.debtor_id.as_deref())
            .object("KnOrganisation", vec![self.organisation.element()?])
            .build()
    }
}

/// A debtor that is a person (`KnSalesRelationPer`).
#[derive(Debug, Clone, PartialEq)]
pub struct SalesRelationPer {
    pub debtor: DebtorFields,
    pub person: Person,
}

impl UpdateConnector for SalesRelationPer {
    fn connector(&self) -> &'static str {
        "KnSalesRelationPer"
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        ElementBuilder::new(&self.debtor)
            .key("DbId", self.debtor.debtor_id.as_deref())
            .object("KnPerson", vec![self.person.element()?])
            .build()
    }
}

fn address_elements(address: &Option<Address>) -> Result<Vec<Box<RawValue>>, serde_json::Error> {
    address
        .iter()
        .map(|address| ElementBuilder::new(address).build())
        .collect()
}

/// A delivery address added to an existing debtor: a PUT of `KnSalesRelationOrg` (organisation) or
/// `KnSalesRelationPer` (person) that names the debtor (`DbId`) and its organisation or person by code
/// (`MatchOga` / `MatchPer` 0, `BcCo`), changes nothing of them, and adds one contact of kind `AFL` (afleveradres)
/// with its own address. AFAS adds contacts, never matches them, and answers with the debtor's keys only: the
/// new contact's number, which a sales document names as `DlAd`, is read back from the debtor's delivery
/// addresses (GetConnector `Profit_Deliveryaddress`).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAddress {
    pub debtor_id: String,
    /// The debtor's organisation or person code (`BcCo`).
    pub party_code: String,
    /// Whether the debtor is an organisation (else a person).
    pub organisation: bool,
    pub address: Address,
}

#[derive(Serialize)]
struct DebtorKey<'a> {
    #[serde(rename = "DbId")]
    debtor_id: &'a str,
}

/// An existing organisation or person by code, no field changed (not even `PadAdr`).
#[derive(Serialize)]
struct PartyByCode<'a> {
    #[serde(rename = "AutoNum")]
    auto_number: bool,
    #[serde(rename = "MatchOga", skip_serializing_if = "Option::is_none")]
    organisation_match: Option<OrganisationMatch>,
    #[serde(rename = "MatchPer", skip_serializing_if = "Option::is_none")]
    person_match: Option<PersonMatch>,
    #[serde(rename = "BcId")]
    internal_id: i64,
    #[serde(rename = "BcCo")]
    code: &'a str,
}

impl UpdateConnector for DeliveryAddress {
    fn connector(&self) -> &'static str {
        if self.organisation {
            "KnSalesRelationOrg"
        } else {
            "KnSalesRelationPer"
        }
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        let contact_fields = ContactFields {
            postal_is_visit_address: true,
            kind: Some(ContactKind::DeliveryAddress),
            function: None,
            phone: None,
            mobile: None,
            email: None,
        };
        let contact = ElementBuilder::new(&contact_fields)
            .object("KnBasicAddressAdr", address_elements(&Some(self.address.clone()))?)
            .build()?;
        let party = PartyByCode {
            auto_number: false,
            organisation_match: self.organisation.then_some(OrganisationMatch::ByCode),
            person_match: (!self.organisation).then_some(PersonMatch::ByCode),
            internal_id: 0,
            code: &self.party_code,
        };
        let party = ElementBuilder::new(&party).object("KnContact", vec![contact]).build()?;
        let party_object = if self.organisation {
            "KnOrganisation"
        } else {
            "KnPerson"
        };
        let key = DebtorKey {
            debtor_id: &self.debtor_id,
        };
        ElementBuilder::new(&key)
            .key("DbId", Some(self.debtor_id.as_str()))
            .object(party_object, vec![party])
            .build()
    }
}
