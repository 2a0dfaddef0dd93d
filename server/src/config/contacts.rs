//! Where customers reach us (`SUPPORT_EMAIL`, `SUPPORT_URL`, `PRIVACY_URL`, `TERMS_URL`),
//! shown in every page's footer. Unset values keep placeholders on the reserved `.invalid`
//! domain ([`app::ui::Contacts::default`]); start-up warns about them outside the sandbox.

use app::ui::Contacts;

use super::values::{bad, parse_http_url};
use super::ConfigError;

/// Reads the four contacts through `get` (trimmed, empty = unset).
pub(super) fn parse_contacts(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Contacts, ConfigError> {
    let mut contacts = Contacts::default();
    if let Some(email) = get("SUPPORT_EMAIL") {
        contacts.support_email = parse_email(email.trim())?;
    }
    for (variable, slot) in [
        ("SUPPORT_URL", &mut contacts.help_url),
        ("PRIVACY_URL", &mut contacts.privacy_url),
        ("TERMS_URL", &mut contacts.terms_url),
    ] {
        if let Some(v) = get(variable) {
            *slot = parse_http_url(variable, &v)?.to_string();
        }
    }
    Ok(contacts)
}

/// One plain address (`name@host.tld`), as a `mailto:` link can carry it.
fn parse_email(value: &str) -> Result<String, ConfigError> {
    let problem = || {
        bad(
            "SUPPORT_EMAIL",
            format!("`{value}` is not one email address like support@example.com"),
        )
    };
    let (local, domain) = value.split_once('@').ok_or_else(problem)?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
    };
    if !plain(local) || !plain(domain) || !domain.contains('.') || domain.starts_with('.') {
        return Err(problem());
    }
    Ok(value.to_string())
}

/// The unset ones, by variable name (for a start-up warning).
pub fn unset_contacts(contacts: &Contacts) -> Vec<&'static str> {
    let d = Contacts::default();
    [
        ("SUPPORT_EMAIL", contacts.support_email == d.support_email),
        ("SUPPORT_URL", contacts.help_url == d.help_url),
        ("PRIVACY_URL", contacts.privacy_url == d.privacy_url),
        ("TERMS_URL", contacts.terms_url == d.terms_url),
    ]
    .into_iter()
    .filter_map(|(name, unset)| unset.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Contacts, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_contacts(&|name: &str| map.get(name).cloned().filter(|v| !v.trim().is_empty()))
    }

    #[test]
    fn unset_contacts_are_reserved_placeholders() {
        let c = read(&[]).unwrap();
        for value in [&c.support_email, &c.help_url, &c.privacy_url, &c.terms_url] {
            assert!(value.contains("smartapp.invalid"), "{value}");
        }
        assert_eq!(unset_contacts(&c).len(), 4);
    }

    #[test]
    fn configured_contacts_are_used_and_checked() {
        let c = read(&[
            ("SUPPORT_EMAIL", " help@acme.example "),
            ("SUPPORT_URL", "https://help.acme.example/smartapp"),
            ("PRIVACY_URL", "https://acme.example/privacy"),
            ("TERMS_URL", "https://acme.example/terms"),
        ])
        .unwrap();
        assert_eq!(c.support_email, "help@acme.example");
        assert_eq!(c.help_url, "https://help.acme.example/smartapp");
        assert_eq!(c.terms_url, "https://acme.example/terms");
        assert!(unset_contacts(&c).is_empty());
        for bad_email in [
            "nobody",
            "a@b",
            "a b@acme.example",
            "x@acme.example?subject=hi",
        ] {
            let e = read(&[("SUPPORT_EMAIL", bad_email)]).unwrap_err();
            assert_eq!(e.variable, "SUPPORT_EMAIL", "{bad_email}");
        }
        let e = read(&[("TERMS_URL", "javascript:alert(1)")]).unwrap_err();
        assert_eq!(e.variable, "TERMS_URL");
    }
}
