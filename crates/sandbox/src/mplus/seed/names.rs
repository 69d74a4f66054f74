//! Word lists for realistic Dutch, Belgian and German shop data.

pub const FIRST_NAMES: &[&str] = &[
    "Jan", "Sanne", "Pieter", "Emma", "Daan", "Lotte", "Bram", "Femke", "Lucas", "Anouk", "Thijs", "Iris", "Sem",
    "Noor", "Ruben", "Fleur", "Wouter", "Eva", "Jeroen", "Marieke", "Koen", "Sophie", "Stijn", "Lieke", "Maarten",
    "Elif", "Mohammed", "Yara", "Kevin", "Annelies",
];

pub const LAST_NAMES: &[&str] = &[
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Willems",
    "Claes",
    "Goossens",
    "Müller",
    "Schmidt",
    "Schneider",
    "Yilmaz",
    "O'Neill",
];

pub const COMPANY_WORDS: &[&str] = &[
    "Bakkerij",
    "Bloemisterij",
    "Kantoorvakhandel",
    "Fietsenmaker",
    "Architectenbureau",
    "Tandartspraktijk",
    "Sportschool",
    "Drukkerij",
    "Installatiebedrijf",
    "Koffiebar",
    "Kinderopvang",
    "Boekhandel",
];

pub const COMPANY_SUFFIXES: &[&str] = &["B.V.", "V.O.F.", "& Zn.", "BV", "Holding B.V."];

pub const BELGIAN_COMPANY_SUFFIXES: &[&str] = &["BV", "NV", "SRL", "bvba"];

pub const GERMAN_COMPANY_SUFFIXES: &[&str] = &["GmbH", "GmbH & Co. KG", "e.K."];

/// (street, city, zipcode prefix of four digits)
pub const DUTCH_STREETS: &[(&str, &str, u32)] = &[
    ("Kerkstraat", "Amsterdam", 1017),
    ("Laan van Meerdervoort", "Den Haag", 2517),
    ("Oudegracht", "Utrecht", 3511),
    ("Stationsweg", "Leiden", 2312),
    ("Hoofdstraat", "Apeldoorn", 7311),
    ("Van Nelleweg", "Rotterdam", 3044),
    ("Molenstraat", "Nijmegen", 6511),
    ("Dorpsstraat", "Zoetermeer", 2712),
    ("Burgemeester de Withstraat", "Breda", 4811),
    ("Grote Markt", "Groningen", 9711),
    ("Sint Jansstraat", "'s-Hertogenbosch", 5211),
    ("Wilhelminapark", "Tilburg", 5041),
];

/// (street, city, postcode)
pub const BELGIAN_STREETS: &[(&str, &str, &str)] = &[
    ("Rue de la Loi", "Bruxelles", "1000"),
    ("Meir", "Antwerpen", "2000"),
    ("Veldstraat", "Gent", "9000"),
    ("Bondgenotenlaan", "Leuven", "3000"),
    ("Rue Neuve", "Bruxelles", "1000"),
    ("Steenstraat", "Brugge", "8000"),
    ("Boulevard d'Avroy", "Liège", "4000"),
];

/// (street, city, postcode)
pub const GERMAN_STREETS: &[(&str, &str, &str)] = &[
    ("Hauptstraße", "Düsseldorf", "40213"),
    ("Königsallee", "Düsseldorf", "40212"),
    ("Schildergasse", "Köln", "50667"),
    ("Friedrichstraße", "Berlin", "10117"),
    ("Bahnhofstraße", "Aachen", "52064"),
];

pub const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "ziggo.nl",
    "kpnmail.nl",
    "telenet.be",
];

pub const EMPLOYEE_NAMES: &[&str] = &[
    "Anja Verhoeven",
    "Tom Kuipers",
    "Sara El Amrani",
    "Dennis Vermeulen",
    "Linda Postma",
    "Rik Hoekstra",
    "Nadia Bos",
    "Gert-Jan Willemsen",
];
