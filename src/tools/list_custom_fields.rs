//! `list_custom_fields`: the account's lead custom fields (id, name, code, type, and the
//! options of select-like fields), so an agent can name what `update_lead_fields` and
//! `pause_agent`'s `switch_field_id` take. Read from the per-account cache.

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
use crate::kommo::models::CustomField;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "List lead custom fields",
    summary: "List the account's lead custom fields with their types and options.",
    description: "List the lead custom fields of the Kommo account: id, name, code, type, and for \
         select, multiselect and radiobutton fields their options (enum id and value). \
         Read-only: changes nothing. Use it to find the field names, ids and option values \
         that update_lead_fields takes, or the checkbox field pause_agent's switch_field_id \
         names. Takes no arguments.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: None,
        failed: "Failed to list custom fields: Kommo did not return them.",
    },
    definition: super::define::<NoArgs, FieldsOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// The account's lead custom fields.
#[derive(Serialize, JsonSchema)]
pub(super) struct FieldsOutput {
    /// Every lead custom field, in Kommo's order.
    pub fields: Vec<FieldView>,
}

/// One lead custom field.
#[derive(Serialize, JsonSchema)]
pub(super) struct FieldView {
    pub id: i64,
    pub name: String,
    /// The field's code, when it has one (update_lead_fields accepts it as a key).
    pub code: Option<String>,
    /// Kommo's field type: text, textarea, url, numeric, checkbox, select, multiselect,
    /// radiobutton, date, date_time, birthday, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The options of a select, multiselect or radiobutton field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionView>>,
}

/// One option of a select-like field.
#[derive(Serialize, JsonSchema)]
pub(super) struct OptionView {
    /// The option's enum id.
    pub id: i64,
    pub value: String,
}

/// Field types whose values are options.
pub(super) fn has_options(kind: &str) -> bool {
    matches!(kind, "select" | "multiselect" | "radiobutton")
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let fetch: Fetch<CustomField> = |client, account| Box::pin(client.lead_fields(account));
    cached_list::answer(call, args, SPEC.sentences.failed, fetch, view, listing).await
}

pub(super) fn view(fields: &[CustomField]) -> FieldsOutput {
    FieldsOutput {
        fields: fields
            .iter()
            .map(|field| FieldView {
                id: field.id,
                name: field.name.clone(),
                code: field.code.clone(),
                kind: field.kind.clone(),
                options: has_options(&field.kind).then(|| {
                    field
                        .options()
                        .iter()
                        .map(|option| OptionView {
                            id: option.id,
                            value: option.value.clone(),
                        })
                        .collect()
                }),
            })
            .collect(),
    }
}

/// One line per field: `"Name" (id, type[, code C])[: "Option" (enum id), …]`.
fn listing(output: &FieldsOutput) -> String {
    if output.fields.is_empty() {
        return "The account has no lead custom fields.".to_owned();
    }
    let count = output.fields.len();
    let mut text = format!(
        "{count} lead custom field{}; update_lead_fields takes a field's name, code or id.",
        if count == 1 { "" } else { "s" }
    );
    for field in &output.fields {
        let code = field
            .code
            .as_deref()
            .map(|code| format!(", code {code}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n{:?} ({}, {}{code})",
            field.name, field.id, field.kind
        ));
        if let Some(options) = &field.options {
            let options: Vec<String> = options
                .iter()
                .map(|option| format!("{:?} ({})", option.value, option.id))
                .collect();
            text.push_str(&format!(": {}", options.join(", ")));
        }
        text.push('.');
    }
    text
}
