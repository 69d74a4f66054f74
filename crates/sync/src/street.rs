//! Splits MplusKASSA's one-line street into AFAS's street (`Ad`), house number (`HmNr`) and addition (`HmAd`).
//!
//! The house number is the last word that starts with a digit, not counting the first word (Dutch streets
//! such as "1e Hugo de Grootstraat" start with one) nor a word right after a Belgian box marker ("bus 3",
//! "boîte 12", which belong to the addition). Everything before it is the street; the letters after its
//! digits and the words after it are the addition, without the separating `-` or `/`.
//!
//! Fallback: a line without such a number ("Grote Markt", a PO-box text) is sent whole as the street with no
//! house number, so nothing the customer typed is lost; AFAS accepts an address without `HmNr`.

/// A street line split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetParts {
    pub street: String,
    pub house_number: Option<String>,
    pub addition: Option<String>,
}

/// Words after which a number belongs to the addition (Belgian box numbers).
const BOX_MARKERS: [&str; 5] = ["bus", "boîte", "boite", "bte", "box"];

pub fn split_street(line: &str) -> StreetParts {
    let words: Vec<&str> = line.split_whitespace().collect();
    match house_number_position(&words) {
        Some(position) => split_at(&words, position),
        None => StreetParts {
            street: words.join(" "),
            house_number: None,
            addition: None,
        },
    }
}

fn house_number_position(words: &[&str]) -> Option<usize> {
    (1..words.len())
        .rev()
        .find(|&i| starts_with_digit(words[i]) && !is_box_marker(words[i - 1]))
}

fn split_at(words: &[&str], position: usize) -> StreetParts {
    let token = words[position];
    let digits_end = token.find(|c: char| !c.is_ascii_digit()).unwrap_or(token.len());
    let attached = token[digits_end..].trim_start_matches(['-', '/', '.']);
    let addition: Vec<&str> = std::iter::once(attached)
        .chain(words[position + 1..].iter().copied())
        .filter(|w| !w.is_empty())
        .collect();
    StreetParts {
        street: words[..position].join(" "),
        house_number: Some(token[..digits_end].to_owned()),
        addition: (!addition.is_empty()).then(|| addition.join(" ")),
    }
}

fn starts_with_digit(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn is_box_marker(word: &str) -> bool {
    BOX_MARKERS
        .iter()
        .any(|marker| word.trim_end_matches('.').eq_ignore_ascii_case(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_and_belgian_formats() {
        let cases: [(&str, &str, Option<&str>, Option<&str>); 12] = [
            ("Kerkstraat 12a", "Kerkstraat", Some("12"), Some("a")),
            ("Kerkstraat 12 A", "Kerkstraat", Some("12"), Some("A")),
            (
                "Laan van Meerdervoort 1024-B",
                "Laan van Meerdervoort",
                Some("1024"),
                Some("B"),
            ),
            (
                "1e Hugo de Grootstraat 3 hs",
                "1e Hugo de Grootstraat",
                Some("3"),
                Some("hs"),
            ),
            ("Plein 1944 12", "Plein 1944", Some("12"), None),
            ("Rue de la Loi 16 bus 3", "Rue de la Loi", Some("16"), Some("bus 3")),
            ("Meir 45/2", "Meir", Some("45"), Some("2")),
            ("Grote Markt 1", "Grote Markt", Some("1"), None),
            (
                "Avenue Louise 250 boîte 12",
                "Avenue Louise",
                Some("250"),
                Some("boîte 12"),
            ),
            ("Grote Markt", "Grote Markt", None, None),
            ("  Kerkstraat   7  ", "Kerkstraat", Some("7"), None),
            ("", "", None, None),
        ];
        for (line, street, number, addition) in cases {
            let parts = split_street(line);
            assert_eq!(parts.street, street, "{line}");
            assert_eq!(parts.house_number.as_deref(), number, "{line}");
            assert_eq!(parts.addition.as_deref(), addition, "{line}");
        }
    }
}
