//! `create_task`: a follow-up or meeting on a lead with a deadline, for a person of the
//! sales team. Checks the lead exists first; never written twice (not replayed once sent,
//! and a repeat of a confirmed call within the dedupe window — `--note-dedupe` — answers
//! with the first task). Sent through the one write path (dry runs, dedupe, audit).

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call,
    args::{Arg, Bounded, Id, MAX_ID, ToolArgs, describe, tool_args},
    due, outcome,
    spec::{Sentences, ToolSpec},
    when,
    write::{Write, Written},
};
use crate::kommo::NewTask;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Create task",
    summary: "Create a task (follow-up or meeting, with a deadline) on a lead for the sales team.",
    description: "Create a task on a lead in Kommo CRM for a person of the sales team: a follow-up \
             (default) or a meeting with a deadline (due: an ISO 8601 date-time with an offset, \
             e.g. 2026-12-02T10:00:00-03:00, or Unix seconds; it must be in the future). It is \
             assigned to the lead's responsible user unless responsible_user_id is given. \
             Checks that the lead exists first. Use it when the customer asks to be called back \
             or a person must act by a certain time. Each call creates one task, except that an \
             identical repeat (same lead, text and due) within a short window returns the first.",
    idempotent: false,
    sentences: Sentences {
        success: Some("Task created successfully."),
        missing: Some("Failed to create task: the specified lead does not exist in Kommo."),
        failed: "Failed to create task: Kommo did not accept the request.",
    },
    definition: super::define::<CreateTaskArgs, CreateTaskOutput>,
    run: |call, args| Box::pin(run(call, args)),
};
/// The longest task text accepted.
const MAX_TEXT: usize = 10_000;

tool_args! {
    /// Arguments of create_task.
    struct CreateTaskArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// What the person should do, e.g. "Call Maria back about the quote".
        text: Bounded<MAX_TEXT>,
        /// When it is due, in the future: an ISO 8601 date-time with an offset or Z (2026-12-02T10:00:00-03:00) or Unix seconds.
        due: Due,
        /// follow_up (default), meeting, or a task type id of the account.
        task_type: Option<TaskType>,
        /// The Kommo user who should do it (default: the lead's responsible user).
        responsible_user_id: Option<Id>,
        /// true: check everything (the lead, the due time) but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// A due time in Unix seconds (not yet checked to be in the future).
pub(super) struct Due(pub i64);

impl Arg for Due {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            None | Some(Value::Null) => Err(format!(
                "{name} is required (an ISO 8601 date-time with an offset or Unix seconds)"
            )),
            Some(value) => due::parse(value).map(Due),
        }
    }
}

impl JsonSchema for Due {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Due".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [
            {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset or Z"},
            {"type": "integer", "minimum": 1, "description": "Unix seconds"}
        ]})
    }
}

/// A task type id: `follow_up` (1), `meeting` (2) or an account's type id.
pub(super) struct TaskType(pub i64);

impl Arg for TaskType {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            Some(Value::String(t)) if t == "follow_up" => Ok(TaskType(1)),
            Some(Value::String(t)) if t == "meeting" => Ok(TaskType(2)),
            Some(Value::Number(n)) if n.as_i64().is_some_and(|id| (1..=MAX_ID).contains(&id)) => {
                Ok(TaskType(n.as_i64().unwrap_or(1)))
            }
            other => Err(format!(
                "{name} must be \"follow_up\", \"meeting\" or a task type id (a whole number from 1), got {}",
                other.map_or_else(|| "nothing".to_owned(), describe)
            )),
        }
    }
}

impl JsonSchema for TaskType {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TaskType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [
            {"type": "string", "enum": ["follow_up", "meeting"]},
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        ]})
    }
}

/// The task that was created.
#[derive(Serialize, JsonSchema)]
pub(super) struct CreateTaskOutput {
    /// The lead the task is on.
    pub lead_id: i64,
    /// The id Kommo gave the task.
    pub task_id: i64,
    /// When the task is due (Unix time, seconds).
    pub complete_till: i64,
    /// The Kommo task type id (1 follow-up, 2 meeting).
    pub task_type_id: i64,
    /// The user the task is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_user_id: Option<i64>,
    /// True when an identical task (same lead, text and due time) was created moments ago and this call returned it instead of making a second one.
    pub deduplicated: bool,
}

/// The checked arguments.
struct Args {
    lead_id: i64,
    text: String,
    due: i64,
    task_type_id: i64,
    responsible_user_id: Option<i64>,
    dry_run: Option<bool>,
}

fn read(args: &JsonObject, now: i64) -> Result<Args, String> {
    let args = CreateTaskArgs::parse(args)?;
    let due = args.due.0;
    if due <= now {
        return Err(super::args::invalid(&[format!(
            "due must be in the future, got {} (now is {})",
            when::utc(due),
            when::utc(now)
        )]));
    }
    if due > MAX_ID {
        return Err(super::args::invalid(&[format!(
            "due is too far in the future ({})",
            when::utc(due)
        )]));
    }
    Ok(Args {
        lead_id: args.lead_id.0,
        text: args.text.0,
        due,
        task_type_id: args.task_type.map_or(1, |t| t.0),
        responsible_user_id: args.responsible_user_id.map(|id| id.0),
        dry_run: args.dry_run,
    })
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let args = match read(args, crate::tools::now()) {
        Ok(args) => args,
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let lead_id = args.lead_id;
    let ids = || json!({ "lead_id": lead_id });
    // What the audit trail records if the call stops before the write (the write path
    // completes it with the user and, once created, the task's id).
    crate::observe::call::describe(|change| {
        change.lead_id = Some(lead_id);
        change.after = Some(json!({ "task": {
            "text": crate::audit::note_digest(&args.text),
            "complete_till": args.due,
            "task_type_id": args.task_type_id,
        }}));
    });
    let target = match call.target_or_answer(SPEC.sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let lead = match call
        .existing_lead(
            &target,
            lead_id,
            &SPEC.sentences,
            &ids(),
            ". No task was created.",
        )
        .await
    {
        Ok(lead) => lead,
        Err(answer) => return answer,
    };
    let task = NewTask {
        lead_id,
        text: args.text,
        complete_till: args.due,
        task_type_id: args.task_type_id,
        responsible_user_id: args.responsible_user_id.or(lead.responsible_user_id),
    };
    let output = |task_id, deduplicated| CreateTaskOutput {
        lead_id,
        task_id,
        complete_till: task.complete_till,
        task_type_id: task.task_type_id,
        responsible_user_id: task.responsible_user_id,
        deduplicated,
    };
    let write = Write::CreateTask { task: &task };
    match call
        .write(&target, write, call.is_dry_run(args.dry_run), &ids())
        .await
    {
        Ok(Written::NotSent(answer)) => answer,
        Ok(Written::Duplicate(task_id)) => {
            outcome::success(SPEC.sentences.when_done(), &output(task_id, true))
        }
        Ok(Written::Sent(Some(task_id))) => {
            outcome::success(SPEC.sentences.when_done(), &output(task_id, false))
        }
        Ok(Written::Sent(None)) => outcome::failure(
            SPEC.sentences.failed,
            "Kommo's confirmation named no task",
            ids(),
            outcome::ErrorInfo::from(&crate::kommo::KommoError::Decode {
                detail: String::new(),
            }),
        ),
        Err(err) => outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn check(value: Value) -> Result<Args, String> {
        read(value.as_object().unwrap_or(&JsonObject::new()), NOW)
    }

    #[test]
    fn reads_due_and_type() {
        let args = check(json!({"lead_id": 1, "text": "Call", "due": "2027-01-15T10:00:00-03:00", "task_type": "meeting"})).unwrap();
        assert_eq!((args.due, args.task_type_id), (1_800_018_000, 2));
        let args =
            check(json!({"lead_id": 1, "text": "Call", "due": NOW + 60, "task_type": 7})).unwrap();
        assert_eq!((args.due, args.task_type_id), (NOW + 60, 7));
        assert_eq!(
            check(json!({"lead_id": 1, "text": "x", "due": NOW + 1}))
                .unwrap()
                .task_type_id,
            1
        );
    }

    #[test]
    fn names_each_problem() {
        for (bad, expected) in [
            (
                json!({"lead_id": 1, "text": "x", "due": NOW - 1}),
                "due must be in the future",
            ),
            (
                json!({"lead_id": 1, "text": "x", "due": NOW}),
                "due must be in the future",
            ),
            (
                json!({"lead_id": 1, "text": "x", "due": "next week"}),
                "ISO 8601",
            ),
            (json!({"lead_id": 1, "text": "x"}), "due is required"),
            (json!({"lead_id": 1, "due": NOW + 5}), "text is required"),
            (json!({"text": "x", "due": NOW + 5}), "lead_id is required"),
            (
                json!({"lead_id": 1, "text": "x", "due": NOW + 5, "task_type": "call"}),
                "task_type must be",
            ),
            (
                json!({"lead_id": 1, "text": "x", "due": NOW + 5, "task_type": 0}),
                "task_type must be",
            ),
            (
                json!({"lead_id": 1, "text": "x", "due": NOW + 5, "responsible_user_id": "me"}),
                "responsible_user_id",
            ),
        ] {
            let err = check(bad.clone()).err().unwrap_or_default();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn body_is_one_element_array() {
        let task = NewTask {
            lead_id: 9001,
            text: "Call".into(),
            complete_till: 1_800_018_000,
            task_type_id: 1,
            responsible_user_id: Some(5),
        };
        assert_eq!(
            task.body(),
            json!([{"entity_type": "leads", "entity_id": 9001, "text": "Call", "complete_till": 1_800_018_000, "task_type_id": 1, "responsible_user_id": 5}])
        );
    }
}
