//! `add_budget` (the original server's name): sets a lead's price, which Kommo stores as a
//! whole number. It replaces the price; it does not add to it.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Amount, Id, ToolArgs, tool_args},
    outcome,
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Set lead budget",
    summary: "Set a lead's budget (price), replacing the current one.",
    description: "Set the budget (price) of a lead in Kommo CRM, e.g. when the customer states what they \
         want to spend. It REPLACES the lead's current price with budget_field_value (a whole \
         number in the account's currency); it does not add to it. Checks that the lead exists \
         first; if the price is already that value, nothing is changed and the call succeeds.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Budget successfully added to the specified lead."),
        missing: Some("Failed to add budget: the specified lead does not exist in Kommo."),
        failed: "Failed to add budget: Kommo did not accept the update request.",
    },
    definition: super::define::<AddBudgetArgs, BudgetOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of add_budget.
    struct AddBudgetArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The lead's new price (budget), a whole number from 0 to 2147483647 in the account's currency. It replaces the current price.
        budget_field_value: Amount,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What add_budget did.
#[derive(Serialize, JsonSchema)]
pub(super) struct BudgetOutput {
    /// The lead whose price was set.
    pub lead_id: i64,
    /// The lead's price now.
    pub price: i64,
    /// The lead's price before (absent when it had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_price: Option<serde_json::Number>,
    /// False when the lead already had that price (nothing was sent).
    pub changed: bool,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, price, dry_run) = match AddBudgetArgs::parse(args) {
        Ok(args) => (
            args.lead_id.0,
            args.budget_field_value.0,
            call.is_dry_run(args.dry_run),
        ),
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    let (target, lead) = match call.lead_to_change(lead_id, &SPEC.sentences, &ids()).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let output = BudgetOutput {
        lead_id,
        price,
        changed: true,
        previous_price: lead.price.clone(),
    };
    crate::observe::call::describe(|change| {
        change.lead_id = Some(lead_id);
        change.before = Some(serde_json::json!({ "price": lead.price }));
        change.after = Some(serde_json::json!({ "price": price }));
    });
    if lead.price.as_ref().and_then(serde_json::Number::as_i64) == Some(price) {
        return outcome::success(
            SPEC.sentences.when_done(),
            &BudgetOutput {
                changed: false,
                ..output
            },
        );
    }
    let write = Write::UpdateLead {
        lead_id,
        body: json!({ "price": price }),
    };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(written, &target, lead_id, &SPEC.sentences, ids(), &output)
}
