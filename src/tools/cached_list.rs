//! The one way a no-argument reader of a cached account list answers (`list_pipelines`,
//! `list_custom_fields`, `list_users`, `list_loss_reasons`): check that no argument was
//! given, choose the account, read its list from the per-account cache, and answer with the
//! tool's listing and view, or its failure sentence.

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, JsonObject};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{NoArgs, ToolArgs},
    outcome,
};
use crate::kommo::{Account, KommoClient, KommoError};

/// How a reader gets its list: `|client, account| Box::pin(client.pipelines(account))`.
pub(super) type Fetch<Item> =
    for<'a> fn(&'a KommoClient, &'a Account) -> BoxFuture<'a, Result<Arc<Vec<Item>>, KommoError>>;

/// Answers one call of a cached-list reader: `view` turns the list into the structured
/// output, `listing` that output into the text an agent reads; `failed` is the tool's
/// failure sentence.
pub(super) async fn answer<Item, Output: Serialize>(
    call: Call<'_>,
    args: &JsonObject,
    failed: &str,
    fetch: Fetch<Item>,
    view: fn(&[Item]) -> Output,
    listing: fn(&Output) -> String,
) -> CallToolResult {
    if let Err(problem) = NoArgs::parse(args) {
        return outcome::invalid_arguments(failed, problem);
    }
    let target = match call.target_or_answer(failed, &json!({})) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    match fetch(call.client(), &target.account).await {
        Ok(items) => {
            let output = view(&items);
            outcome::success(listing(&output), &output)
        }
        Err(err) => outcome::kommo_failure(failed, &err, json!({})),
    }
}
