//! The MCP prompts: `hand_off_lead`, which walks a model through handing a conversation to
//! a person (pause_agent, assign_lead, then optionally create_task). Offered when the tools
//! it names are enabled for the request, so `prompts/list` and `prompts/get` agree.

use rmcp::{
    ErrorData as McpError,
    model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role},
};
use serde_json::Value;

use crate::toolset::{ToolName, ToolSet};

pub(crate) const HAND_OFF_LEAD: &str = "hand_off_lead";

/// The tools the hand-off walks through (create_task is optional).
const HAND_OFF_TOOLS: [ToolName; 2] = [ToolName::PauseAgent, ToolName::AssignLead];

/// The prompts `enabled` tools make useful.
pub(crate) fn list(enabled: ToolSet) -> Vec<Prompt> {
    if !HAND_OFF_TOOLS.iter().all(|tool| enabled.contains(*tool)) {
        return Vec::new();
    }
    vec![
        Prompt::new(
            HAND_OFF_LEAD,
            Some(
                "Hand a lead's conversation from the AI agent to a salesperson: pause the agent, \
                 assign the lead, and optionally leave the person a task.",
            ),
            Some(vec![
                PromptArgument::new("lead_id")
                    .with_description("The Kommo lead id.")
                    .with_required(true),
                PromptArgument::new("user")
                    .with_description("The salesperson: Kommo user id, name or e-mail.")
                    .with_required(true),
                PromptArgument::new("reason")
                    .with_description("Why the conversation is handed over (goes into the task).")
                    .with_required(false),
            ]),
        )
        .with_title("Hand off lead to a person"),
    ]
}

/// The prompt `name` with `arguments`, or an invalid-params error naming what is wrong.
pub(crate) fn get(
    name: &str,
    arguments: Option<&JsonObject>,
    enabled: ToolSet,
) -> Result<GetPromptResult, McpError> {
    if name != HAND_OFF_LEAD || list(enabled).is_empty() {
        let known: Vec<String> = list(enabled).into_iter().map(|p| p.name).collect();
        return Err(McpError::invalid_params(
            format!("prompt not found: {name} (prompts: {})", known.join(", ")),
            None,
        ));
    }
    let argument = |key: &str| -> Option<String> {
        match arguments?.get(key)? {
            Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };
    let (Some(lead_id), Some(user)) = (argument("lead_id"), argument("user")) else {
        return Err(McpError::invalid_params(
            "hand_off_lead needs the arguments lead_id and user",
            None,
        ));
    };
    let reason = argument("reason");
    let task = if enabled.contains(ToolName::CreateTask) {
        format!(
            "3. Optionally call create_task with lead_id {lead_id} so that {user} follows up soon \
             (a due time in the next hours), its text saying what the customer needs{}.\n",
            reason
                .as_deref()
                .map(|r| format!(" and why it was handed over: {r}"))
                .unwrap_or_default()
        )
    } else {
        String::new()
    };
    let text = format!(
        "Hand the conversation of Kommo lead {lead_id} to the salesperson {user}{why}.\n\
         1. Call pause_agent with lead_id {lead_id}, so that the AI agent stops answering the \
         customer.\n\
         2. Call assign_lead with lead_id {lead_id} and user {user:?}. If it is refused because \
         the name is ambiguous, unknown or the user is deactivated, pick the intended user from \
         the candidates it lists (by id) or ask, and call it again; do not guess.\n\
         {task}\
         Then tell the customer, in one short message in their language, that a person will \
         continue the conversation. Report what each call answered.",
        why = reason
            .as_deref()
            .map(|r| format!(" because: {r}"))
            .unwrap_or_default(),
    );
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(
            "Hand a lead to a salesperson: pause_agent, assign_lead, create_task.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listed_only_when_its_tools_are_enabled() {
        assert_eq!(list(ToolSet::all()).len(), 1);
        assert!(list(ToolSet::EMPTY).is_empty());
        assert!(get(HAND_OFF_LEAD, None, ToolSet::EMPTY).is_err());
    }

    #[test]
    fn rendered_with_its_arguments() {
        let args = json!({"lead_id": 9001, "user": "Bruno Díaz", "reason": "wants a discount"});
        let result = get(HAND_OFF_LEAD, args.as_object(), ToolSet::all()).unwrap();
        let text = serde_json::to_string(&result.messages).unwrap();
        assert!(text.contains("pause_agent with lead_id 9001"), "{text}");
        assert!(
            text.contains("assign_lead with lead_id 9001 and user \\\"Bruno Díaz\\\""),
            "{text}"
        );
        assert!(text.contains("create_task"), "{text}");
        assert!(text.contains("wants a discount"), "{text}");
        assert!(
            get(
                HAND_OFF_LEAD,
                json!({"lead_id": 1}).as_object(),
                ToolSet::all()
            )
            .is_err()
        );
        assert!(get("other", None, ToolSet::all()).is_err());
    }
}
