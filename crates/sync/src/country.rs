//! Country normalisation: MplusKASSA's country is free text or ISO-3; AFAS and the per-country settings use
//! ISO 3166-1 alpha-2.

/// ISO-2 for the forms seen in MplusKASSA data; any other text is returned trimmed and upper-cased.
pub fn iso2(country: &str) -> String {
    let upper = country.trim().to_uppercase();
    let known = match upper.as_str() {
        "NLD" | "NEDERLAND" | "NETHERLANDS" | "THE NETHERLANDS" | "HOLLAND" => "NL",
        "BEL" | "BELGIË" | "BELGIE" | "BELGIUM" | "BELGIQUE" => "BE",
        "DEU" | "DUITSLAND" | "GERMANY" | "DEUTSCHLAND" => "DE",
        "FRA" | "FRANKRIJK" | "FRANCE" => "FR",
        "LUX" | "LUXEMBURG" | "LUXEMBOURG" => "LU",
        "GBR" | "UNITED KINGDOM" | "VERENIGD KONINKRIJK" => "GB",
        _ => return upper,
    };
    known.to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_iso3_become_iso2() {
        assert_eq!(super::iso2(" nl "), "NL");
        assert_eq!(super::iso2("NLD"), "NL");
        assert_eq!(super::iso2("België"), "BE");
        assert_eq!(super::iso2("es"), "ES");
    }
}
