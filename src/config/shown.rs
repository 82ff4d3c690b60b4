//! How `check` shows a resolved setting: its value in words (secrets redacted) and where it
//! came from. Each setting's entry in `spec.rs` says how to read it from the resolved
//! [`Config`] (`Setting::shown`); these are the few ways of writing a value they share.

use std::time::Duration;

use super::{Config, Source, Sourced};

/// A setting's value as `check` prints it and its source; `None` when it is not set.
pub(crate) type Shown = Option<(String, Source)>;

/// `value` written with `text`, with its source; `None` when it is not set.
pub(crate) fn show<T>(value: Option<&Sourced<T>>, text: impl Fn(&T) -> String) -> Shown {
    value.map(|sourced| (text(&sourced.value), sourced.source.clone()))
}

/// A duration in seconds, e.g. `2.5 s`.
pub(crate) fn seconds(duration: &Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// A size in bytes, e.g. `1048576 bytes`.
pub(crate) fn bytes(count: &usize) -> String {
    format!("{count} bytes")
}

/// What a setting whose entry does not say how to read it shows; the test that gives every
/// setting through each source fails on it.
pub(crate) fn cannot_show(_: &Config) -> Shown {
    Some((
        "(check cannot show this setting yet)".to_owned(),
        Source::Default,
    ))
}
