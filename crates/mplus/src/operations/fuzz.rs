//! The SOAP reader under arbitrary and mutated input: whatever a server (or something in between) answers,
//! reading it ends in a value or an error that says what is wrong, never a panic or a hang.

use proptest::prelude::*;

use super::documents::GetReceiptsResponse;
use super::financial::GetFinancialJournalResponse;
use crate::soap::{fault_error, parse_response};

const ENVELOPE_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:mplusqapi"><SOAP-ENV:Body>"#;
const ENVELOPE_END: &str = "</SOAP-ENV:Body></SOAP-ENV:Envelope>";

/// A valid `getFinancialJournal` answer: one turnover and one payment group.
fn journal() -> String {
    let day = "<day>29</day><mon>11</mon><year>2026</year>";
    format!(
        "{ENVELOPE_START}<GetFinancialJournalResponse><financialGroupList><financialGroup>\
         <financialGroupType>FINANCIAL-GROUP-TYPE-TURNOVER</financialGroupType>\
         <financialGroupSource>FINANCIAL-GROUP-SOURCE-RECEIPT</financialGroupSource>\
         <financialGroupNumber>30</financialGroupNumber><financialGroupName>Boeken</financialGroupName>\
         <accountNumber>8020</accountNumber><branchNumber>1</branchNumber>\
         <fromFinancialDate>{day}</fromFinancialDate><throughFinancialDate>{day}</throughFinancialDate>\
         <inclAmount>1090</inclAmount><exclAmount>1000</exclAmount><vatGroupList><vatGroup><countryIso3>NLD</countryIso3>\
         <vatCode>2</vatCode><vatPercentage>9</vatPercentage><exclAmount>1000</exclAmount><vatAmount>90</vatAmount>\
         <accountNumber>1501</accountNumber></vatGroup></vatGroupList></financialGroup><financialGroup>\
         <financialGroupType>FINANCIAL-GROUP-TYPE-PAYMENT</financialGroupType>\
         <financialGroupSource>FINANCIAL-GROUP-SOURCE-RECEIPT</financialGroupSource><financialGroupName>Pin</financialGroupName>\
         <accountNumber>1010</accountNumber><inclAmount>1090</inclAmount></financialGroup></financialGroupList>\
         <financialPeriodClosed>true</financialPeriodClosed></GetFinancialJournalResponse>{ENVELOPE_END}"
    )
}

/// A valid `getReceipts` answer with one receipt.
fn receipts() -> String {
    format!(
        "{ENVELOPE_START}<GetReceiptsResponse><receiptList><receipt><receiptId>r-1</receiptId><syncMarker>7</syncMarker>\
         <receiptNumber><branchNumber>1</branchNumber><workplaceNumber>2</workplaceNumber><year>2026</year><number>88</number></receiptNumber>\
         <receiptType>RECEIPT-TYPE-RECEIPT</receiptType><financialDate><day>29</day><mon>11</mon><year>2026</year></financialDate>\
         <totalInclAmount>1210</totalInclAmount><totalExclAmount>1000</totalExclAmount><state>RECEIPT-STATE-PAID</state>\
         <paymentList><payment><method>PIN</method><amount>1210</amount></payment></paymentList>\
         </receipt></receiptList></GetReceiptsResponse>{ENVELOPE_END}"
    )
}

/// Reads `xml` every way the client does; only a panic fails the property.
fn read_every_way(xml: &str) {
    let _ = parse_response::<GetFinancialJournalResponse>("getFinancialJournal", xml);
    let _ = parse_response::<GetReceiptsResponse>("getReceipts", xml);
    let _ = fault_error("getReceipts", xml);
}

/// Pieces that break XML and numbers in the ways that matter: markup, entities, control characters, numbers far
/// out of range, deep nesting.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<".to_owned()),
        Just("&".to_owned()),
        Just("&#0;".to_owned()),
        Just("&#xFFFFFF;".to_owned()),
        Just("\u{0}\u{1}\u{1b}".to_owned()),
        Just("99999999999999999999999999".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("</SOAP-ENV:Body>".to_owned()),
        Just("<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode></SOAP-ENV:Fault>".to_owned()),
        Just("<a>".repeat(200)),
        "\\PC{0,12}",
    ]
}

/// A valid answer, mutated: a range cut out, a nasty piece put in, a range repeated.
fn mutated(valid: fn() -> String) -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        nasty(),
        0..3u8,
    )
        .prop_map(move |(at, to, piece, how)| {
            let text = valid();
            let chars: Vec<char> = text.chars().collect();
            let (a, b) = (at.index(chars.len()), to.index(chars.len()));
            let (from, until) = (a.min(b), a.max(b));
            let before: String = chars[..from].iter().collect();
            let middle: String = chars[from..until].iter().collect();
            let after: String = chars[until..].iter().collect();
            match how {
                0 => format!("{before}{after}"),
                1 => format!("{before}{piece}{after}"),
                _ => format!("{before}{middle}{middle}{after}"),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        read_every_way(&text);
    }

    #[test]
    fn a_mutated_journal_never_panics(xml in mutated(journal)) {
        read_every_way(&xml);
    }

    #[test]
    fn mutated_receipts_never_panic(xml in mutated(receipts)) {
        read_every_way(&xml);
    }
}

#[test]
fn the_samples_are_read_as_they_are() {
    let journal = parse_response::<GetFinancialJournalResponse>("getFinancialJournal", &journal()).unwrap();
    assert_eq!(journal.financial_group_list.len(), 2);
    let receipts = parse_response::<GetReceiptsResponse>("getReceipts", &receipts()).unwrap();
    assert_eq!(receipts.receipt_list.len(), 1);
}
