//! The query string as the list endpoints read it: decoded pairs, `filter[...]` ids,
//! `with=`, paging, and Kommo's full-text match.

use super::{DEFAULT_LIMIT, MAX_LIMIT};

/// The query string's pairs, decoded.
pub(super) fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(super) fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every integer given for `filter[id][]`, `filter[id][N]` or `filter[id]`.
pub(super) fn ids(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    let bare = format!("filter[{name}]");
    pairs
        .iter()
        .filter(|(k, _)| k == &bare || k.starts_with(&format!("{bare}[")))
        .flat_map(|(_, v)| {
            v.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect::<Vec<i64>>()
        })
        .collect()
}

pub(super) fn with(pairs: &[(String, String)], what: &str) -> bool {
    first(pairs, "with").is_some_and(|w| w.split(',').any(|x| x.trim() == what))
}

pub(super) fn page_and_limit(pairs: &[(String, String)]) -> (usize, usize) {
    let page = first(pairs, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let limit = match first(pairs, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(DEFAULT_LIMIT)
    {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    (page, limit)
}

pub(super) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Kommo's full-text match, as inferred from its answers (its documentation does not say):
/// a case-insensitive substring of the text, or, for a query
/// of at least 5 digits, a substring of a phone's digits (Kommo finds phones however they
/// were typed).
pub(super) fn text_matches(query: &str, text: &str, phone: bool) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return false;
    }
    if text.to_lowercase().contains(&q) {
        return true;
    }
    let qd = digits(&q);
    phone && qd.len() >= 5 && qd.len() * 2 >= q.len() && digits(text).contains(&qd)
}
