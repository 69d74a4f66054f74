//! Rules for what people type when they sign up: e-mail, password, company name.
//! Each check returns a message meant to be shown next to the field.

use std::fmt;

/// A validation problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// A syntactically plausible e-mail address, kept as typed and compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let email = input.trim();
        let invalid = || FieldError::new("email", "Enter an e-mail address like name@example.com.");
        if email.is_empty() {
            return Err(FieldError::new("email", "Enter your e-mail address."));
        }
        if email.len() > Self::MAX_LEN || email.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email.to_owned()))
    }

    /// The address as typed (for display and mail).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which the address is unique: lower case, so `Ann@Shop.nl` and `ann@shop.nl` are one.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const PASSWORD_MIN_LEN: usize = 10;
pub const PASSWORD_MAX_LEN: usize = 256;

/// Passwords that appear at the top of every breach list (and their obvious variants); lower case.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Checks a password someone chooses. `email` is used to refuse passwords built from the address.
pub fn validate_new_password(password: &str, email: Option<&str>) -> Result<(), FieldError> {
    let field = "password";
    let length = password.chars().count();
    if length < PASSWORD_MIN_LEN {
        return Err(FieldError::new(
            field,
            format!("Use at least {PASSWORD_MIN_LEN} characters."),
        ));
    }
    if length > PASSWORD_MAX_LEN {
        return Err(FieldError::new(
            field,
            format!("Use at most {PASSWORD_MAX_LEN} characters."),
        ));
    }
    let lower = password.to_lowercase();
    let is_common = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common == lower);
    let one_repeated_char = lower.chars().all(|c| lower.starts_with(c));
    if is_common || one_repeated_char {
        return Err(FieldError::new(
            field,
            "This password is too common and easy to guess. Choose another one.",
        ));
    }
    if let Some(local) = email.and_then(|e| e.split('@').next()).filter(|l| l.len() >= 4)
        && lower.contains(&local.to_lowercase())
    {
        return Err(FieldError::new(
            field,
            "Do not build your password from your e-mail address.",
        ));
    }
    Ok(())
}

pub const COMPANY_MAX_LEN: usize = 200;

/// Checks a company (tenant) name and returns it trimmed.
pub fn validate_company(input: &str) -> Result<String, FieldError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(FieldError::new("company", "Enter your company's name."));
    }
    if name.chars().count() > COMPANY_MAX_LEN {
        return Err(FieldError::new(
            "company",
            format!("Use at most {COMPANY_MAX_LEN} characters."),
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_normalised() {
        let email = Email::parse("  Ann.de.Vries@Shop.NL ").unwrap();
        assert_eq!(email.as_str(), "Ann.de.Vries@Shop.NL");
        assert_eq!(email.normalized(), "ann.de.vries@shop.nl");
        for bad in [
            "",
            "ann",
            "ann@",
            "@shop.nl",
            "ann@shop",
            "ann@.nl",
            "a n@shop.nl",
            "ann@shop..nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn short_common_and_email_based_passwords_are_refused() {
        assert!(validate_new_password("short", None).is_err());
        assert!(validate_new_password("password123", None).is_err());
        assert!(validate_new_password("Password123", None).is_err());
        assert!(validate_new_password("aaaaaaaaaaaa", None).is_err());
        assert!(validate_new_password("annevries2024!", Some("annevries@shop.nl")).is_err());
        assert!(validate_new_password("kassa-bon-wolk-17", Some("ann@shop.nl")).is_ok());
    }

    #[test]
    fn company_names_are_trimmed_and_required() {
        assert_eq!(
            validate_company("  Fietsen Jansen B.V. ").unwrap(),
            "Fietsen Jansen B.V."
        );
        assert!(validate_company("   ").is_err());
        assert!(validate_company(&"x".repeat(201)).is_err());
    }
}
