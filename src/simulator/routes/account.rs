//! `GET /api/v4/account`, with `_embedded.datetime_settings` when `with=datetime_settings`
//! asks for it (the account's time zone and its current offset, as Kommo reports them).

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Ctx;
use crate::simulator::problem;
use crate::simulator::state::Account;

impl Ctx<'_> {
    pub(super) fn account_info(&self, account: &Account) -> Response {
        let mut body = json!({
            "id": account.id,
            "name": account.name,
            "subdomain": account.subdomain,
            "current_user_id": account.current_user_id,
            "country": account.country,
            "currency": account.currency,
            "currency_symbol": account.currency_symbol,
            "_links": {"self": {"href": format!("{}/api/v4/account", self.base())}},
        });
        if self.with_requested("datetime_settings") {
            body["_embedded"] = json!({ "datetime_settings": datetime_settings(account) });
        }
        problem::hal(StatusCode::OK, &body)
    }

    /// Whether the `with` query parameter lists `what`.
    fn with_requested(&self, what: &str) -> bool {
        self.query
            .into_iter()
            .flat_map(|query| form_urlencoded::parse(query.as_bytes()))
            .filter(|(key, _)| key == "with")
            .any(|(_, value)| value.split(',').any(|item| item.trim() == what))
    }
}

/// Kommo's `datetime_settings` for the account's zone (offset as of now).
fn datetime_settings(account: &Account) -> Value {
    let zone = account
        .time_zone
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let offset = jiff::tz::TimeZone::get(&zone)
        .map(|tz| {
            jiff::Timestamp::now()
                .to_zoned_datetime(tz)
                .strftime("%:z")
                .to_string()
        })
        .unwrap_or_else(|_| "+00:00".to_owned());
    json!({
        "date_pattern": "d.m.Y H:i",
        "short_date_pattern": "d.m.Y",
        "short_time_pattern": "H:i",
        "date_format": "d.m.Y",
        "time_format": "H:i:s",
        "timezone": zone,
        "timezone_offset": offset,
    })
}
