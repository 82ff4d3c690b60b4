//! The HTTP server's limits (body size, JSON shape, sessions, connections, read timeouts),
//! resolved like every other setting (flag > environment > the `[http]` table of the config
//! file > default); their names and defaults are declared in `settings`.

use std::time::Duration;

use super::{ConfigError, Sourced, invalid, resolve::Inputs, settings, spec::Setting};

/// The resolved limits.
#[derive(Clone, Debug)]
pub(crate) struct HttpLimits {
    pub max_body_bytes: Sourced<usize>,
    pub max_json_depth: Sourced<usize>,
    pub max_json_values: Sourced<usize>,
    pub max_sessions: Sourced<usize>,
    pub session_idle_timeout: Sourced<Duration>,
    pub header_read_timeout: Sourced<Duration>,
    pub body_read_timeout: Sourced<Duration>,
    pub max_connections: Sourced<usize>,
    pub max_sessions_per_caller: Sourced<usize>,
    pub max_streams_per_caller: Sourced<usize>,
    pub max_calls_per_caller: Sourced<usize>,
    pub replay_events: Sourced<usize>,
    pub replay_bytes: Sourced<usize>,
}

/// Resolves every limit; each must be at least 1, and a timeout at most a day.
pub(crate) fn resolve(inputs: &Inputs) -> Result<HttpLimits, ConfigError> {
    let count = |setting: &Setting| {
        inputs
            .or_default(setting, |text| parse_limit(setting, text, true))
            .map(|v| Sourced::new(v.value as usize, v.source))
    };
    let secs = |setting: &Setting| {
        inputs
            .or_default(setting, |text| parse_limit(setting, text, false))
            .and_then(|v| {
                if v.value > 86_400.0 {
                    return Err(invalid(
                        setting.name,
                        &v.source,
                        "must be at most 86400 seconds",
                    ));
                }
                Ok(Sourced::new(Duration::from_secs_f64(v.value), v.source))
            })
    };
    Ok(HttpLimits {
        max_body_bytes: count(&settings::MAX_BODY_BYTES)?,
        max_json_depth: count(&settings::MAX_JSON_DEPTH)?,
        max_json_values: count(&settings::MAX_JSON_VALUES)?,
        max_sessions: count(&settings::MAX_SESSIONS)?,
        session_idle_timeout: secs(&settings::SESSION_IDLE_TIMEOUT)?,
        header_read_timeout: secs(&settings::HEADER_READ_TIMEOUT)?,
        body_read_timeout: secs(&settings::BODY_READ_TIMEOUT)?,
        max_connections: count(&settings::MAX_CONNECTIONS)?,
        max_sessions_per_caller: count(&settings::MAX_SESSIONS_PER_CALLER)?,
        max_streams_per_caller: count(&settings::MAX_STREAMS_PER_CALLER)?,
        max_calls_per_caller: count(&settings::MAX_CALLS_PER_CALLER)?,
        replay_events: count(&settings::REPLAY_EVENTS)?,
        replay_bytes: count(&settings::REPLAY_BYTES)?,
    })
}

/// A limit of at least 1: a whole number of something, or (not `whole`) of seconds.
fn parse_limit(setting: &Setting, text: &str, whole: bool) -> Result<f64, String> {
    let unit = match setting.value_name {
        "N" => "items".to_owned(),
        name => name.to_ascii_lowercase(),
    };
    let value = text
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("{text:?} is not a number of {unit}"))?;
    if !value.is_finite() || value < 0.0 || (whole && value.fract() != 0.0) || value > 1e12 {
        return Err(format!(
            "{text:?} is not a {} number of {unit}",
            if whole { "whole" } else { "non-negative" },
        ));
    }
    if value == 0.0 {
        return Err(format!("{} must be at least 1", setting.flag));
    }
    Ok(value)
}
