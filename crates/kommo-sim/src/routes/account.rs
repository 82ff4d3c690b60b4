//! `GET /api/v4/account`.

use axum::response::Response;
use http::StatusCode;
use serde_json::json;

use super::Ctx;
use crate::problem;
use crate::state::Account;

impl Ctx<'_> {
    pub(super) fn account_info(&self, account: &Account) -> Response {
        problem::hal(
            StatusCode::OK,
            &json!({
                "id": account.id,
                "name": account.name,
                "subdomain": account.subdomain,
                "current_user_id": account.current_user_id,
                "country": account.country,
                "currency": account.currency,
                "currency_symbol": account.currency_symbol,
                "_links": {"self": {"href": format!("{}/api/v4/account", self.base())}},
            }),
        )
    }
}
