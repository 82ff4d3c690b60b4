//! The account's time zone from `GET /api/v4/account?with=datetime_settings`, read only when
//! a tool needs it and then cached per account like the pipelines (same time to live, and
//! dropped with them). A zone that cannot be read is UTC for that call, said in a log line.

use serde::Deserialize;

use super::account_zone::AccountZone;
use super::send::Request;
use super::{Account, KommoClient, KommoError, decode};

/// `_embedded.datetime_settings` of the account (only the part kommo-mcp reads).
#[derive(Debug, Deserialize)]
struct AccountWithSettings {
    #[serde(default, rename = "_embedded")]
    embedded: Option<SettingsEmbedded>,
}

#[derive(Debug, Deserialize)]
struct SettingsEmbedded {
    #[serde(default)]
    datetime_settings: Option<DatetimeSettings>,
}

#[derive(Debug, Deserialize)]
struct DatetimeSettings {
    /// An IANA name, e.g. `America/Argentina/Buenos_Aires`.
    #[serde(default)]
    timezone: Option<String>,
    /// e.g. `-03:00` (logged when the name is unknown; never used for arithmetic).
    #[serde(default)]
    timezone_offset: Option<String>,
}

const PATH: &str = "/api/v4/account?with=datetime_settings";

impl KommoClient {
    /// The account's time zone, from the per-account cache when it is fresh. Never fails:
    /// when Kommo does not answer, the zone is UTC for this call (not cached) and a warning
    /// says so.
    pub(crate) async fn account_zone(&self, account: &Account) -> AccountZone {
        let zone = self
            .zones
            .get(account, || async {
                Ok(vec![zone_from(&self.datetime_settings(account).await?)])
            })
            .await;
        match zone.as_ref().map(|zones| zones.first()) {
            Ok(Some(zone)) => zone.clone(),
            Ok(None) => AccountZone::utc(),
            Err(err) => {
                tracing::warn!(
                    error = %err,
                    "could not read the account's time zone; showing and writing dates in UTC for this call"
                );
                AccountZone::utc()
            }
        }
    }

    async fn datetime_settings(
        &self,
        account: &Account,
    ) -> Result<AccountWithSettings, KommoError> {
        let reply = self
            .sender
            .send(
                account,
                Request::get(PATH, &|| "the account's date and time settings".to_owned()),
            )
            .await?;
        decode(&reply.body, "the account's date and time settings")
    }
}

/// The zone the settings name, or UTC (with a warning) when they name none it knows.
fn zone_from(settings: &AccountWithSettings) -> AccountZone {
    let settings = settings
        .embedded
        .as_ref()
        .and_then(|embedded| embedded.datetime_settings.as_ref());
    let name = settings.and_then(|s| s.timezone.as_deref());
    match name.and_then(AccountZone::named) {
        Some(zone) => zone,
        None => {
            tracing::warn!(
                timezone = name.unwrap_or("(none)"),
                timezone_offset = settings
                    .and_then(|s| s.timezone_offset.as_deref())
                    .unwrap_or("(none)"),
                "Kommo names no time zone kommo-mcp knows for this account; showing and writing dates in UTC"
            );
            AccountZone::utc()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(json: &str) -> AccountWithSettings {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_the_zone_kommo_names() {
        let answer = settings(
            r#"{"id": 1, "_embedded": {"datetime_settings": {"date_pattern": "d.m.Y H:i",
            "short_date_pattern": "d.m.Y", "short_time_pattern": "H:i", "date_format": "d.m.Y",
            "time_format": "H:i:s", "timezone": "America/Sao_Paulo", "timezone_offset": "-03:00"}}}"#,
        );
        assert_eq!(zone_from(&answer).name(), "America/Sao_Paulo");
    }

    #[test]
    fn an_unknown_or_missing_zone_is_utc() {
        for answer in [
            r#"{"id": 1}"#,
            r#"{"_embedded": {}}"#,
            r#"{"_embedded": {"datetime_settings": {"timezone": "Nowhere/Special", "timezone_offset": "+02:00"}}}"#,
            r#"{"_embedded": {"datetime_settings": {"timezone": null}}}"#,
        ] {
            assert_eq!(zone_from(&settings(answer)).name(), "UTC", "{answer}");
        }
    }
}
