//! `GET /api/v4/tasks` (by entity) and `POST /api/v4/tasks` (an array, validated item by
//! item), and the stored tasks as the tests read them.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Payload;
use super::query::{first, ids, pairs};
use crate::SimState;
use crate::crm::{TASK_TYPES, Task};
use crate::problem::{self, FieldError};
use crate::state::{Account, AccountData, unix_now};
use crate::sync::lock;

fn task_json(account: &Account, task: &Task, base: &str) -> Value {
    json!({
        "id": task.id,
        "created_by": task.responsible_user_id,
        "updated_by": task.responsible_user_id,
        "created_at": task.created_at,
        "updated_at": task.created_at,
        "responsible_user_id": task.responsible_user_id,
        "group_id": 0,
        "entity_id": task.entity_id,
        "entity_type": task.entity_type,
        "duration": 0,
        "is_completed": task.is_completed,
        "task_type_id": task.task_type_id,
        "text": task.text,
        "result": [],
        "complete_till": task.complete_till,
        "account_id": account.id,
        "_links": {"self": {"href": format!("{base}/api/v4/tasks/{}", task.id)}},
    })
}

pub(super) fn list(account: &Account, query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(query);
    let entity_type = first(&pairs, "filter[entity_type]");
    let entity_ids = ids(&pairs, "entity_id");
    let data = lock(&account.data);
    let items: Vec<Value> = data
        .crm
        .tasks
        .iter()
        .filter(|t| entity_type.is_none_or(|e| t.entity_type.as_deref() == Some(e)))
        .filter(|t| entity_ids.is_empty() || t.entity_id.is_some_and(|id| entity_ids.contains(&id)))
        .map(|t| task_json(account, t, base))
        .collect();
    if items.is_empty() {
        return problem::no_content();
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_page": 1, "_links": {"self": {"href": format!("{base}/api/v4/tasks")}}, "_embedded": {"tasks": items}}),
    )
}

pub(super) fn add(account: &Account, payload: &Payload, base: &str) -> Response {
    let items = match payload.items() {
        Ok(items) => items,
        Err(detail) => return problem::bad_request(detail),
    };
    if items.len() > super::MAX_BATCH {
        return problem::bad_request("Too many elements in the request (at most 250)");
    }
    let mut data = lock(&account.data);
    let mut rejected = Vec::new();
    let mut planned = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let request_id = super::request_id(item, i);
        match plan_task(&data, item, i, account.current_user_id) {
            Ok(task) => planned.push((task, request_id)),
            Err(errors) => rejected.push((request_id, errors)),
        }
    }
    if !rejected.is_empty() {
        return problem::validation_groups(&rejected);
    }
    let mut created = Vec::new();
    for (mut task, request_id) in planned {
        task.id = data.crm.next_task_id;
        data.crm.next_task_id += 1;
        created.push(json!({"id": task.id, "request_id": request_id, "_links": {"self": {"href": format!("{base}/api/v4/tasks/{}", task.id)}}}));
        data.crm.tasks.push(task);
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_links": {"self": {"href": format!("{base}/api/v4/tasks")}}, "_embedded": {"tasks": created}}),
    )
}

fn plan_task(
    data: &AccountData,
    item: &Value,
    i: usize,
    default_user: i64,
) -> Result<Task, Vec<FieldError>> {
    let Some(item) = item.as_object() else {
        return Err(vec![FieldError::invalid_type(i.to_string())]);
    };
    let mut errors = Vec::new();
    let text = match item.get("text") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            errors.push(FieldError::not_blank("text"));
            String::new()
        }
        Some(_) => {
            errors.push(FieldError::invalid_type("text"));
            String::new()
        }
    };
    let complete_till = match item.get("complete_till") {
        Some(v) if v.is_i64() => v.as_i64().unwrap_or(0),
        None | Some(Value::Null) => {
            errors.push(FieldError::not_blank("complete_till"));
            0
        }
        Some(_) => {
            errors.push(FieldError::invalid_type("complete_till"));
            0
        }
    };
    let entity_type = match item.get("entity_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if ["leads", "contacts", "companies"].contains(&t.as_str()) => {
            Some(t.clone())
        }
        Some(_) => {
            errors.push(FieldError::not_supported_choice("entity_type"));
            None
        }
    };
    let entity_id = match item.get("entity_id") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(id) => Some(id),
            None => {
                errors.push(FieldError::invalid_type("entity_id"));
                None
            }
        },
    };
    match (&entity_type, entity_id) {
        (Some(t), Some(id)) if t == "leads" && !data.leads.contains_key(&id) => {
            errors.push(FieldError::not_supported_choice("entity_id"))
        }
        (Some(t), Some(id)) if t == "contacts" && !data.crm.contacts.iter().any(|c| c.id == id) => {
            errors.push(FieldError::not_supported_choice("entity_id"))
        }
        (Some(_), None) => errors.push(FieldError::not_blank("entity_id")),
        (None, Some(_)) => errors.push(FieldError::not_blank("entity_type")),
        _ => {}
    }
    let int = |key: &str, errors: &mut Vec<FieldError>| match item.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => {
            if v.as_i64().is_none() {
                errors.push(FieldError::invalid_type(key));
            }
            v.as_i64()
        }
    };
    let task_type_id = int("task_type_id", &mut errors).unwrap_or(1);
    if !TASK_TYPES.contains(&task_type_id) {
        errors.push(FieldError::not_supported_choice("task_type_id"));
    }
    let responsible_user_id = int("responsible_user_id", &mut errors).unwrap_or(default_user);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Task {
        id: 0,
        entity_id,
        entity_type,
        text,
        complete_till,
        task_type_id,
        responsible_user_id,
        is_completed: item
            .get("is_completed")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_at: unix_now(),
    })
}

impl SimState {
    /// The tasks stored on account `subdomain`, oldest first, as `GET /api/v4/tasks` lists them.
    pub fn tasks(&self, subdomain: &str) -> Vec<Value> {
        let Some(account) = self.account(subdomain) else {
            return Vec::new();
        };
        let base = format!("{}/{}", self.base_url(), subdomain);
        let data = lock(&account.data);
        data.crm
            .tasks
            .iter()
            .map(|t| task_json(&account, t, &base))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use serde_json::json;

    #[tokio::test]
    async fn tasks_validate_and_store() {
        let (sim, client) = start(unlimited()).await;
        let good = json!([{"entity_type": "leads", "entity_id": 9001, "text": "Call back", "complete_till": 1_900_000_000, "task_type_id": 2}]);
        let (status, _, body) = parts(client.post("/api/v4/tasks", &good).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["_embedded"]["tasks"][0]["id"], 60_002);
        let stored = sim.state().tasks(SUB);
        assert_eq!(stored.last().unwrap()["text"], "Call back");
        assert_eq!(
            stored.last().unwrap()["responsible_user_id"],
            crate::seed::USER_ID
        );
        for (bad, path) in [
            (json!({"text": "x", "complete_till": 1}), ""),
            (json!([{"complete_till": 1}]), "text"),
            (
                json!([{"text": "x", "complete_till": "tomorrow"}]),
                "complete_till",
            ),
            (json!([{"text": "x"}]), "complete_till"),
            (
                json!([{"text": "x", "complete_till": 1, "entity_type": "deals", "entity_id": 9001}]),
                "entity_type",
            ),
            (
                json!([{"text": "x", "complete_till": 1, "entity_type": "leads", "entity_id": 1}]),
                "entity_id",
            ),
            (
                json!([{"text": "x", "complete_till": 1, "task_type_id": 99}]),
                "task_type_id",
            ),
        ] {
            let (status, _, body) = parts(client.post("/api/v4/tasks", &bad).await).await;
            assert_eq!(status, 400, "{bad}");
            if !path.is_empty() {
                let group = &body["validation-errors"][0];
                assert_eq!(group["request_id"], "0", "{bad}: {body}");
                assert_eq!(group["errors"][0]["path"], path, "{bad}: {body}");
            }
        }
        assert_eq!(
            sim.state().tasks(SUB).len(),
            2,
            "nothing stored by a refused POST"
        );
    }
}
