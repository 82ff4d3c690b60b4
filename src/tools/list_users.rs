//! `list_users`: the account's users (id, name, e-mail, active or not, group), from the
//! per-account cache the pipelines use, so an agent can name who owns a lead or whom to
//! hand it to.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;

use super::{
    Call,
    args::NoArgs,
    cached_list::{self, Fetch},
    spec::{Sentences, ToolSpec},
};
use crate::kommo::history::User;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "List users",
    summary: "List the account's users: id, name, e-mail, whether active, and group.",
    description: "List every user of the Kommo account: id, name, e-mail, whether the user is \
             active (an inactive user cannot be given leads), whether an administrator, and the \
             user's group (team). Read-only: changes nothing. Use it to find the user a lead \
             should be handed to, or to put a name to a responsible_user_id that get_lead or \
             find_leads returned (get_lead_history already names who did what). Takes no \
             arguments.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: None,
        failed: "Failed to list users: Kommo did not return them.",
    },
    definition: super::define::<NoArgs, UsersOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// The account's users.
#[derive(Serialize, JsonSchema)]
pub(super) struct UsersOutput {
    /// Every user, active ones first, then by name.
    pub users: Vec<UserView>,
}

/// One user.
#[derive(Serialize, JsonSchema)]
pub(super) struct UserView {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the user is active (can log in and be given leads).
    pub active: bool,
    /// Whether the user is an administrator of the account.
    pub admin: bool,
    /// The user's group (team), when the user is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupView>,
}

/// A group (team) of users.
#[derive(Serialize, JsonSchema)]
pub(super) struct GroupView {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let fetch: Fetch<User> = |client, account| Box::pin(client.users(account));
    cached_list::answer(call, args, SPEC.sentences.failed, fetch, view, listing).await
}

pub(super) fn view(users: &[User]) -> UsersOutput {
    let mut views: Vec<UserView> = users
        .iter()
        .map(|user| UserView {
            id: user.id,
            name: user.name.clone(),
            email: user.email.clone().filter(|email| !email.is_empty()),
            active: user.is_active(),
            admin: user.rights.is_admin.unwrap_or(false),
            group: user.group().map(|(id, name)| GroupView {
                id,
                name: name.map(str::to_owned),
            }),
        })
        .collect();
    views.sort_by(|a, b| b.active.cmp(&a.active).then_with(|| a.name.cmp(&b.name)));
    UsersOutput { users: views }
}

/// One line per user.
fn listing(output: &UsersOutput) -> String {
    if output.users.is_empty() {
        return "The account has no users Kommo lists.".to_owned();
    }
    let count = output.users.len();
    let mut text = format!("{count} user{}.", if count == 1 { "" } else { "s" });
    for user in &output.users {
        let mut facts = vec![format!("id {}", user.id)];
        if let Some(email) = &user.email {
            facts.push(email.clone());
        }
        facts.push(if user.active { "active" } else { "inactive" }.to_owned());
        if user.admin {
            facts.push("admin".to_owned());
        }
        if let Some(group) = &user.group {
            facts.push(match &group.name {
                Some(name) => format!("group {name:?} ({})", group.id),
                None => format!("group {}", group.id),
            });
        }
        text.push_str(&format!("\n{:?} ({}).", user.name, facts.join(", ")));
    }
    text
}
