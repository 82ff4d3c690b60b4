//! A task's due time from what an agent writes: an ISO 8601 date-time with an offset or `Z`
//! (`2026-12-02T10:00:00-03:00`, seconds and fractions optional) or Unix seconds.

use serde_json::Value;

/// Unix seconds of `value`, or why it is not a due time.
pub(super) fn parse(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .filter(|s| *s > 0)
            .ok_or_else(|| format!("due must be Unix seconds (a whole number), got {n}")),
        Value::String(text) => {
            let text = text.trim();
            if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                return text
                    .parse()
                    .map_err(|_| format!("due {text:?} is too large"));
            }
            iso(text).ok_or_else(|| {
                format!(
                    "due must be an ISO 8601 date-time with an offset or Z (e.g. 2026-12-02T10:00:00-03:00) or Unix seconds, got {text:?}"
                )
            })
        }
        _ => Err("due must be an ISO 8601 date-time text or Unix seconds".to_owned()),
    }
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
fn civil_days(date: &str) -> Option<i64> {
    let mut parts = date.split('-');
    let year = number(parts.next()?, 4)?;
    let month = number(parts.next()?, 2)?;
    let day = number(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 || day > days_in(year, month)
    {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn number(text: &str, len: usize) -> Option<i64> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM|±HHMM)`; a space may stand for `T`.
fn iso(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let days = civil_days(date)?;
    let (time, offset) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (time, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = zone[1..].replace(':', "");
        let hours = number(zone.get(..2)?, 2)?;
        let minutes = number(zone.get(2..)?, 2)?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        (time, sign * (hours * 3600 + minutes * 60))
    };
    let time = time.split('.').next()?;
    let mut fields = time.split(':');
    let hour = number(fields.next()?, 2)?;
    let minute = number(fields.next()?, 2)?;
    let second = match fields.next() {
        Some(s) => number(s, 2)?,
        None => 0,
    };
    if fields.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn iso_with_offsets() {
        assert_eq!(parse(&json!("1970-01-01T00:00:00Z")), Ok(0));
        assert_eq!(parse(&json!("2023-11-14T22:13:20Z")), Ok(1_700_000_000));
        assert_eq!(
            parse(&json!("2023-11-14T19:13:20-03:00")),
            Ok(1_700_000_000)
        );
        assert_eq!(parse(&json!("2023-11-15T01:43:20+0330")), Ok(1_700_000_000));
        assert_eq!(parse(&json!("2023-11-14 22:13:20.123Z")), Ok(1_700_000_000));
        assert_eq!(parse(&json!("2024-02-29T12:00Z")), Ok(1_709_208_000));
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(parse(&json!(1_900_000_000)), Ok(1_900_000_000));
        assert_eq!(parse(&json!("1900000000")), Ok(1_900_000_000));
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            json!("tomorrow"),
            json!("2026-12-02"),
            json!("2026-12-02T10:00:00"),
            json!("2026-02-30T10:00:00Z"),
            json!("2026-12-02T25:00:00Z"),
            json!(1.5),
            json!(-5),
            json!(true),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }
}
