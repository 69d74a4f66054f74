//! Where a MplusKASSA API lives and how to authenticate: `https://host:port/?ident=..&secret=..`.

use std::fmt;

/// The endpoint and credentials of one MplusKASSA API.
#[derive(Clone)]
pub struct MplusConfig {
    /// The endpoint without credentials, e.g. `https://api.mpluskassa.nl:44281/`.
    pub endpoint: String,
    pub ident: String,
    pub secret: String,
}

impl MplusConfig {
    /// The usual form: HTTPS on the customer's own port.
    pub fn new(host: &str, port: u16, ident: &str, secret: &str) -> Self {
        Self::with_endpoint(&format!("https://{host}:{port}/"), ident, secret)
    }

    /// Any endpoint URL (the sandbox, a proxy).
    pub fn with_endpoint(endpoint: &str, ident: &str, secret: &str) -> Self {
        let endpoint = if endpoint.ends_with('/') {
            endpoint.to_owned()
        } else {
            format!("{endpoint}/")
        };
        Self {
            endpoint,
            ident: ident.to_owned(),
            secret: secret.to_owned(),
        }
    }
}

impl fmt::Debug for MplusConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MplusConfig")
            .field("endpoint", &self.endpoint)
            .field("ident", &self.ident)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_never_shown() {
        let config = MplusConfig::new("api.mpluskassa.nl", 44281, "shop", "s3cr3t");
        assert_eq!(config.endpoint, "https://api.mpluskassa.nl:44281/");
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }
}
