//! The account's users (`GET /api/v4/users`, paged) and loss reasons
//! (`GET /api/v4/leads/loss_reasons`), cached per account like the pipelines, so that
//! `assign_lead` and `close_lead` can resolve a name without a request per call.

use serde::Deserialize;

use super::{Account, KommoClient, KommoError, models::Page, send::Request};

/// How many users one page asks for (Kommo's maximum for this list).
const USERS_PAGE: u32 = 250;
/// A guard against a server that never stops sending `next` links.
const MAX_USER_PAGES: u32 = 40;

/// One user of the account.
#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub rights: Option<UserRights>,
}

/// The part of a user's rights kommo-mcp reads.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UserRights {
    #[serde(default)]
    pub is_active: Option<bool>,
}

impl User {
    /// Whether the user can be given leads (Kommo marks deactivated users `is_active: false`).
    pub fn is_active(&self) -> bool {
        self.rights
            .as_ref()
            .and_then(|rights| rights.is_active)
            .unwrap_or(true)
    }
}

#[derive(Deserialize)]
struct UsersEmbedded {
    #[serde(default)]
    users: Vec<User>,
}

/// One loss reason of the account.
#[derive(Clone, Debug, Deserialize)]
pub struct LossReason {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize)]
struct LossReasonsEmbedded {
    #[serde(default)]
    loss_reasons: Vec<LossReason>,
}

impl KommoClient {
    /// Every user of the account, from the per-account cache when it is fresh.
    pub async fn users(&self, account: &Account) -> Result<std::sync::Arc<Vec<User>>, KommoError> {
        self.users
            .get(account, || async {
                let first = format!("/api/v4/users?page=1&limit={USERS_PAGE}");
                self.every_page(
                    account,
                    first,
                    MAX_USER_PAGES,
                    "the users",
                    |page: UsersEmbedded| page.users,
                )
                .await
            })
            .await
    }

    /// The account's loss reasons, from the per-account cache when it is fresh.
    pub async fn loss_reasons(
        &self,
        account: &Account,
    ) -> Result<std::sync::Arc<Vec<LossReason>>, KommoError> {
        self.loss_reasons
            .get(account, || async {
                let reply = self
                    .sender
                    .send(
                        account,
                        Request::get("/api/v4/leads/loss_reasons", &|| {
                            "the loss reasons".to_owned()
                        }),
                    )
                    .await?;
                if reply.status == 204 || reply.body.is_empty() {
                    return Ok(Vec::new());
                }
                let page: Page<LossReasonsEmbedded> =
                    super::decode(&reply.body, "the loss reasons")?;
                Ok(page.embedded.loss_reasons)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_without_rights_counts_as_active() {
        let users: Vec<User> = serde_json::from_value(serde_json::json!([
            {"id": 1, "name": "Ana", "email": "ana@example.com"},
            {"id": 2, "name": "Olga", "rights": {"is_active": false}}
        ]))
        .unwrap();
        assert!(users[0].is_active());
        assert!(!users[1].is_active());
    }
}
