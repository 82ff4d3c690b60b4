//! Helpers the unit tests of several layers share; compiled only for `cargo test`.

use http::HeaderMap;

/// A header map of `(name, value)` pairs (a later pair replaces an earlier one of its name).
pub(crate) fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, value.parse().unwrap());
    }
    map
}
