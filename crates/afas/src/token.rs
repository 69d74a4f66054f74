//! The AFAS App connector token: accepted as the full XML or as its 64-hex data part, sent as
//! `Authorization: AfasToken base64(xml)`, and never shown by `Debug`.

use std::fmt;

use base64::Engine;

/// A user token of an AFAS App connector.
#[derive(Clone, PartialEq, Eq)]
pub struct AfasToken {
    xml: String,
}

impl AfasToken {
    /// Accepts `<token><version>1</version><data>HEX</data></token>` or just `HEX` (what APIcenter asks for).
    /// Surrounding whitespace is ignored.
    pub fn new(token: &str) -> Self {
        let token = token.trim();
        let xml = if token.starts_with('<') {
            token.to_owned()
        } else {
            format!("<token><version>1</version><data>{token}</data></token>")
        };
        Self { xml }
    }

    /// The value of the `Authorization` header.
    pub(crate) fn header_value(&self) -> String {
        format!(
            "AfasToken {}",
            base64::engine::general_purpose::STANDARD.encode(self.xml.as_bytes())
        )
    }
}

impl fmt::Debug for AfasToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AfasToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = "6B6F7070656C2D73616E64626F782D746F6B656E2D303030303030303030303030";

    #[test]
    fn data_part_and_full_xml_give_the_same_header() {
        let xml = format!("<token><version>1</version><data>{DATA}</data></token>");
        assert_eq!(AfasToken::new(DATA), AfasToken::new(&format!("  {xml}\n")));
        let header = AfasToken::new(DATA).header_value();
        let encoded = header.strip_prefix("AfasToken ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), xml);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let shown = format!("{:?}", AfasToken::new(DATA));
        assert!(!shown.contains(DATA) && !shown.contains("6B6F"), "{shown}");
    }
}
