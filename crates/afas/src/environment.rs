//! Which AFAS Profit environment a client talks to, and the base URL that follows from it.

use std::fmt;

/// The kind of an AFAS environment; it picks the host name part (`rest`, `resttest`, `restaccept`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvironmentType {
    Production,
    Test,
    Accept,
}

impl EnvironmentType {
    fn service(self) -> &'static str {
        match self {
            Self::Production => "rest",
            Self::Test => "resttest",
            Self::Accept => "restaccept",
        }
    }
}

/// An AFAS environment: its number and type, or an explicit base URL (the sandbox, a proxy).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Environment {
    base_url: String,
}

impl Environment {
    /// `https://{number}.{rest|resttest|restaccept}.afas.online/ProfitRestServices`.
    pub fn new(number: u32, kind: EnvironmentType) -> Self {
        Self {
            base_url: format!("https://{number}.{}.afas.online/ProfitRestServices", kind.service()),
        }
    }

    /// Any server speaking the AFAS REST protocol. `url` may be the host (`http://127.0.0.1:8181`) or already
    /// end in `/ProfitRestServices`.
    pub fn with_base_url(url: &str) -> Self {
        let trimmed = url.trim_end_matches('/');
        let base_url = if trimmed.ends_with("/ProfitRestServices") {
            trimmed.to_owned()
        } else {
            format!("{trimmed}/ProfitRestServices")
        };
        Self { base_url }
    }

    /// The base URL every path is appended to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_follow_the_documented_pattern() {
        assert_eq!(
            Environment::new(12345, EnvironmentType::Production).base_url(),
            "https://12345.rest.afas.online/ProfitRestServices"
        );
        assert_eq!(
            Environment::new(12345, EnvironmentType::Test).base_url(),
            "https://12345.resttest.afas.online/ProfitRestServices"
        );
        assert_eq!(
            Environment::new(12345, EnvironmentType::Accept).base_url(),
            "https://12345.restaccept.afas.online/ProfitRestServices"
        );
        assert_eq!(
            Environment::with_base_url("http://127.0.0.1:9/").base_url(),
            "http://127.0.0.1:9/ProfitRestServices"
        );
        assert_eq!(
            Environment::with_base_url("http://h/ProfitRestServices/").base_url(),
            "http://h/ProfitRestServices"
        );
    }
}
