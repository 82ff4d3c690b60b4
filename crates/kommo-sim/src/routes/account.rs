//! `GET /api/v4/account`, with `_embedded.datetime_settings` when `with=datetime_settings`
//! asks for it (the account's time zone and its current offset, as Kommo reports them).

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Ctx;
use crate::problem;
use crate::state::Account;

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
            "customers_mode": "disabled",
            "is_unsorted_on": true,
            "is_loss_reason_enabled": true,
            "is_helpbot_enabled": false,
            "is_technical_account": false,
            "contact_name_display_order": 1,
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
        // sic: Kommo's documented answer spells it `date_formant`
        "date_formant": "d.m.Y",
        "time_format": "H:i:s",
        "timezone": zone,
        "timezone_offset": offset,
    })
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use serde_json::json;

    #[tokio::test]
    async fn datetime_settings_only_when_asked_and_in_the_accounts_zone() {
        let (sim, client) = start(unlimited()).await;
        let (status, _, plain) = parts(client.get("/api/v4/account").await).await;
        assert_eq!(status, 200);
        assert!(plain.get("_embedded").is_none(), "{plain}");
        let (_, _, body) = parts(
            client
                .get("/api/v4/account?with=amojo_id,datetime_settings")
                .await,
        )
        .await;
        let settings = &body["_embedded"]["datetime_settings"];
        assert_eq!(settings["timezone"], "America/Argentina/Buenos_Aires");
        assert_eq!(settings["timezone_offset"], "-03:00");
        assert!(sim.state().set_time_zone(SUB, "Asia/Kathmandu"));
        let (_, _, body) = parts(client.get("/api/v4/account?with=datetime_settings").await).await;
        assert_eq!(
            body["_embedded"]["datetime_settings"]["timezone_offset"],
            "+05:45"
        );
        assert!(!sim.state().set_time_zone("nobody", "UTC"));
        // the control API seeds an account in a zone of its own
        let added = client
            .http
            .post(format!("{}/__sim/accounts", client.root))
            .json(&json!({"subdomain": "moscow", "token": "t", "time_zone": "Europe/Moscow"}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 204);
        let account = sim.state().account("moscow").unwrap();
        assert_eq!(*account.time_zone.read().unwrap(), "Europe/Moscow");
    }
}
