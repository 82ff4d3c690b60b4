//! The contact a phone or e-mail already belongs to, found as `find_leads` finds it: Kommo's
//! contact search for the phone's last digits, then the phone rule of `phone.rs`; the
//! e-mail searched for and compared under the names rule (case ignored). Also the format
//! checks of a phone and an e-mail given to a write.

use super::{names, phone};
use crate::kommo::{Account, KommoClient, KommoError, models::Contact};

/// How many contacts one search reads (one page, as find_leads).
const CONTACTS_READ: u32 = 100;
/// Digits of a phone sent as Kommo's search text (its last 8), as find_leads.
const PHONE_QUERY_DIGITS: usize = 8;

/// The first contact with this phone number (any formatting), else with this e-mail.
pub(super) async fn existing(
    client: &KommoClient,
    account: &Account,
    wanted_phone: Option<&str>,
    wanted_email: Option<&str>,
) -> Result<Option<Contact>, KommoError> {
    if let Some(wanted) = wanted_phone {
        let key = phone::key(wanted);
        let tail = &key[key.len().saturating_sub(PHONE_QUERY_DIGITS)..];
        let found = client.search_contacts(account, tail, CONTACTS_READ).await?;
        if let Some(contact) = found.into_iter().find(|c| has_phone(c, wanted)) {
            return Ok(Some(contact));
        }
    }
    if let Some(wanted) = wanted_email {
        let wanted = wanted.trim();
        let found = client
            .search_contacts(account, wanted, CONTACTS_READ)
            .await?;
        return Ok(found.into_iter().find(|c| has_email(c, wanted)));
    }
    Ok(None)
}

/// Whether the contact has this number, however either is written.
pub(super) fn has_phone(contact: &Contact, wanted: &str) -> bool {
    contact
        .values("PHONE")
        .iter()
        .any(|p| phone::same_number(p, wanted))
}

/// Whether the contact has this e-mail (case ignored).
pub(super) fn has_email(contact: &Contact, wanted: &str) -> bool {
    contact
        .values("EMAIL")
        .iter()
        .any(|e| names::same(e, wanted.trim()))
}

/// The problem with a phone argument, if any: only digits, spaces and `+ - ( ) .`, with
/// at least [`phone::MIN_DIGITS`] and at most 15 digits (E.164's longest).
pub(super) fn phone_problem(name: &str, value: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = phone::digits(value).len();
    if !value.chars().all(allowed) || !(phone::MIN_DIGITS..=15).contains(&digits) {
        return Some(format!(
            "{name} must be a phone number with {} to 15 digits (digits, spaces and + - ( ) . \
             only), got {value:?}",
            phone::MIN_DIGITS
        ));
    }
    None
}

/// The problem with an e-mail argument, if any: one `@`, something before it, a domain
/// with a dot after it, no spaces.
pub(super) fn email_problem(name: &str, value: &str) -> Option<String> {
    let value_trimmed = value.trim();
    let ok = match value_trimmed.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value_trimmed.chars().any(char::is_whitespace)
        }
        None => false,
    };
    (!ok).then(|| format!("{name} must be an e-mail address like name@example.com, got {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(phone_problem("phone", "+54 9 11 5555-0101").is_none());
        assert!(phone_problem("phone", "12-34").is_some());
        assert!(phone_problem("phone", "call 5555-0101").is_some());
        assert!(email_problem("email", "Ana@Example.com").is_none());
        for bad in ["ana", "ana@", "@x.com", "ana@x", "a b@x.com", "a@b@c.com"] {
            assert!(email_problem("email", bad).is_some(), "{bad}");
        }
    }
}
