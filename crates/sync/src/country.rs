//! Country normalisation: MplusKASSA's country is free text or ISO-3; AFAS and the per-country settings use
//! ISO 3166-1 alpha-2. Also which countries are EU member states, which decides how a reverse-charged sale is
//! declared (an intra-EU supply or an export).

/// The EU member states (ISO-2, ISO-3), as of 2020 (the United Kingdom left on 31 January 2020).
const EU_MEMBERS: [(&str, &str); 27] = [
    ("AT", "AUT"),
    ("BE", "BEL"),
    ("BG", "BGR"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DE", "DEU"),
    ("DK", "DNK"),
    ("EE", "EST"),
    ("ES", "ESP"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("GR", "GRC"),
    ("HR", "HRV"),
    ("HU", "HUN"),
    ("IE", "IRL"),
    ("IT", "ITA"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("MT", "MLT"),
    ("NL", "NLD"),
    ("PL", "POL"),
    ("PT", "PRT"),
    ("RO", "ROU"),
    ("SE", "SWE"),
    ("SI", "SVN"),
    ("SK", "SVK"),
];

/// ISO-2 for the forms seen in MplusKASSA data; any other text is returned trimmed and upper-cased.
pub fn iso2(country: &str) -> String {
    let upper = country.trim().to_uppercase();
    if let Some((two, _)) = EU_MEMBERS.iter().find(|(_, three)| *three == upper) {
        return (*two).to_owned();
    }
    let known = match upper.as_str() {
        "NEDERLAND" | "NETHERLANDS" | "THE NETHERLANDS" | "HOLLAND" => "NL",
        "BELGIË" | "BELGIE" | "BELGIUM" | "BELGIQUE" => "BE",
        "DUITSLAND" | "GERMANY" | "DEUTSCHLAND" => "DE",
        "FRANKRIJK" | "FRANCE" => "FR",
        "LUXEMBURG" | "LUXEMBOURG" => "LU",
        "GBR" | "UNITED KINGDOM" | "VERENIGD KONINKRIJK" => "GB",
        "CHE" | "ZWITSERLAND" | "SWITZERLAND" => "CH",
        "NOR" | "NOORWEGEN" | "NORWAY" => "NO",
        "USA" | "VERENIGDE STATEN" | "UNITED STATES" => "US",
        // VIES and the EU's VAT numbers call Greece `EL`.
        "EL" => "GR",
        _ => return upper,
    };
    known.to_owned()
}

/// Whether the country (ISO-2) is an EU member state.
pub fn in_eu(iso2: &str) -> bool {
    EU_MEMBERS.iter().any(|(two, _)| *two == iso2)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_iso3_become_iso2() {
        assert_eq!(super::iso2(" nl "), "NL");
        assert_eq!(super::iso2("NLD"), "NL");
        assert_eq!(super::iso2("België"), "BE");
        assert_eq!(super::iso2("es"), "ES");
        assert_eq!(super::iso2("POL"), "PL");
        assert_eq!(super::iso2("CHE"), "CH");
    }

    #[test]
    fn eu_membership() {
        assert!(super::in_eu("BE") && super::in_eu("DE") && super::in_eu("NL"));
        assert!(!super::in_eu("GB") && !super::in_eu("CH") && !super::in_eu("US"));
    }
}
