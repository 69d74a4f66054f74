//! The deserializer held to quick-xml's results on the same documents, and its handling of nil, entities and lists.

use serde::Deserialize;

use super::*;

#[derive(Debug, PartialEq, Deserialize)]
enum Kind {
    #[serde(rename = "KIND-A")]
    A,
    #[serde(rename = "KIND-B")]
    B,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    article_number: i64,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    id: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    empty: Option<String>,
    #[serde(default)]
    nothing: Option<i32>,
    #[serde(default)]
    missing: Option<i32>,
    kind: Kind,
    paid: bool,
    amount: i64,
    #[serde(default, deserialize_with = "crate::wire::list")]
    line_list: Vec<Line>,
    #[serde(default, deserialize_with = "crate::wire::list")]
    empty_list: Vec<Line>,
    #[serde(default)]
    group_numbers: Vec<i32>,
    last: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Envelope {
    #[serde(rename = "Body")]
    body: Body,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Body {
    #[serde(rename = "$value")]
    content: Document,
}

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:mplusqapi"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <SOAP-ENV:Header><ns1:trace><ns1:id>skipped</ns1:id></ns1:trace></SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <ns1:GetDocumentResponse>
      <ns1:id> 7 &amp; 8 &#65;<![CDATA[<raw>]]> </ns1:id>
      <ns1:unknown><ns1:deep><ns1:deeper>x</ns1:deeper></ns1:deep></ns1:unknown>
      <ns1:note xsi:type="xsd:string">
        Kerkstraat 84 </ns1:note>
      <ns1:empty/>
      <ns1:nothing xsi:nil="true"/>
      <ns1:kind>KIND-B</ns1:kind>
      <ns1:paid>1</ns1:paid>
      <ns1:amount>-1250</ns1:amount>
      <ns1:lineList>
        <ns1:line><ns1:articleNumber>100003</ns1:articleNumber><ns1:text>T-shirt &lt;M&gt;</ns1:text></ns1:line>
        <!-- a comment -->
        <ns1:line><ns1:articleNumber>100004</ns1:articleNumber></ns1:line>
      </ns1:lineList>
      <ns1:emptyList/>
      <ns1:groupNumbers>3</ns1:groupNumbers>
      <ns1:groupNumbers>5</ns1:groupNumbers>
      <ns1:last>end</ns1:last>
    </ns1:GetDocumentResponse>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>"#;

#[test]
fn reads_what_quick_xml_reads() {
    let ours: Envelope = from_str(DOCUMENT).unwrap();
    let expected = Document {
        id: " 7 & 8 A<raw> ".into(),
        note: Some("\n        Kerkstraat 84 ".into()),
        empty: Some(String::new()),
        nothing: None,
        missing: None,
        kind: Kind::B,
        paid: true,
        amount: -1250,
        line_list: vec![
            Line {
                article_number: 100003,
                text: Some("T-shirt <M>".into()),
            },
            Line {
                article_number: 100004,
                text: None,
            },
        ],
        empty_list: vec![],
        group_numbers: vec![3, 5],
        last: "end".into(),
    };
    assert_eq!(ours.body.content, expected);
    let theirs: Envelope = quick_xml::de::from_str(DOCUMENT).unwrap();
    assert_eq!(ours, theirs, "the same mapping as quick_xml::de");
}

#[test]
fn says_what_is_wrong() {
    let not_a_number = DOCUMENT.replace("-1250", "twelve");
    let error = from_str::<Envelope>(&not_a_number).unwrap_err().to_string();
    assert_eq!(error, "<amount>: 'twelve' is not a valid i64");
    let not_a_flag = DOCUMENT.replace("<ns1:paid>1", "<ns1:paid>yes");
    assert!(from_str::<Envelope>(&not_a_flag).is_err());
    let unknown_variant = DOCUMENT.replace("KIND-B", "KIND-C");
    assert!(
        from_str::<Envelope>(&unknown_variant)
            .unwrap_err()
            .to_string()
            .contains("KIND-C")
    );
    let missing = DOCUMENT.replace("<ns1:last>end</ns1:last>", "");
    assert!(from_str::<Envelope>(&missing).unwrap_err().to_string().contains("last"));
    let broken = DOCUMENT.replace("</ns1:note>", "</ns1:nope>");
    assert!(
        from_str::<Envelope>(&broken)
            .unwrap_err()
            .to_string()
            .contains("not well-formed")
    );
    let truncated = &DOCUMENT[..DOCUMENT.len() / 2];
    assert!(from_str::<Envelope>(truncated).is_err());
    assert!(from_str::<Envelope>("").is_err());
}
