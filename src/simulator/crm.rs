//! The simulator's contacts, tasks and Salesbots (kommo-api.md §13.4–13.6): their storage on
//! an account, the seed, and the routes `routes.rs` hands over to (lead search and
//! `with=contacts`, contacts, tasks, bots).

use serde_json::{Value, json};

use axum::response::Response;
use http::{Method, StatusCode};

use super::problem::{self, FieldError};
use super::routes::Payload;
use super::state::{Account, AccountData, LeadView, lock, unix_now};

/// Default and maximum page sizes of list endpoints.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 250;

/// A contact (§13.4): phones and e-mails are multitext values with an `enum_code`.
pub(crate) struct Contact {
    pub id: i64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub responsible_user_id: i64,
    pub updated_at: i64,
    /// `(value, enum_code)`
    pub phones: Vec<(String, &'static str)>,
    pub emails: Vec<(String, &'static str)>,
}

/// A stored task (§13.5).
#[derive(Clone, Debug)]
pub(crate) struct Task {
    pub id: i64,
    pub entity_id: Option<i64>,
    pub entity_type: Option<String>,
    pub text: String,
    pub complete_till: i64,
    pub task_type_id: i64,
    pub responsible_user_id: i64,
    pub is_completed: bool,
    pub created_at: i64,
}

/// A Salesbot (§13.6).
pub(crate) struct Bot {
    pub id: i64,
    pub name: &'static str,
}

/// A run or stop Kommo accepted (202).
#[derive(Clone, Debug)]
pub(crate) struct BotAction {
    pub action: &'static str,
    pub bot_id: i64,
    pub entity_id: i64,
    pub entity_type: String,
}

/// Contacts, lead–contact links, tasks and bots of one account.
pub(crate) struct CrmData {
    pub contacts: Vec<Contact>,
    /// `(lead_id, contact_id, is_main)`
    pub links: Vec<(i64, i64, bool)>,
    pub tasks: Vec<Task>,
    pub next_task_id: i64,
    pub bots: Vec<Bot>,
    pub bot_actions: Vec<BotAction>,
}

/// The task types every account has (1 follow-up, 2 meeting); seeded accounts add 3.
const TASK_TYPES: &[i64] = &[1, 2, 3];

/// The seeded contacts, links, tasks and bot.
pub(crate) fn seed(now: i64, user_id: i64) -> CrmData {
    let contact =
        |id: i64, first: &str, last: &str, phones: &[(&str, &'static str)], emails: &[&str]| {
            Contact {
                id,
                name: format!("{first} {last}").trim().to_owned(),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                responsible_user_id: user_id,
                updated_at: now - 3_600 * (id - 8000),
                phones: phones.iter().map(|(p, c)| ((*p).to_owned(), *c)).collect(),
                emails: emails.iter().map(|e| ((*e).to_owned(), "WORK")).collect(),
            }
        };
    CrmData {
        contacts: vec![
            contact(
                8001,
                "Maria",
                "Gonzalez",
                &[("+54 9 11 5555-0101", "MOB")],
                &["maria@example.com"],
            ),
            contact(8002, "Pedro", "Gonzalez", &[("5491155550102", "WORK")], &[]),
            contact(
                8003,
                "Acme",
                "Purchasing",
                &[("(011) 4444-0303", "WORK"), ("+54 9 11 6666-0303", "MOB")],
                &["buy@acme.example"],
            ),
            contact(
                8004,
                "Juan",
                "Perez",
                &[("011 15 7777-0404", "MOB")],
                &["juan.perez@example.org"],
            ),
        ],
        links: vec![
            (9001, 8001, true),
            (9001, 8002, false),
            (9002, 8003, true),
            (9003, 8004, true),
        ],
        tasks: vec![Task {
            id: 60_001,
            entity_id: Some(9002),
            entity_type: Some("leads".into()),
            text: "Send the renewal quote".into(),
            complete_till: now + 86_400,
            task_type_id: 1,
            responsible_user_id: user_id,
            is_completed: false,
            created_at: now - 3_600,
        }],
        next_task_id: 60_002,
        bots: vec![Bot {
            id: 401,
            name: "Welcome bot",
        }],
        bot_actions: Vec::new(),
    }
}

/// The sandbox's description of the seeded contacts and bots (one line each).
pub(crate) fn summary(crm: &CrmData) -> String {
    let mut out = String::new();
    for c in &crm.contacts {
        let leads: Vec<String> = crm
            .links
            .iter()
            .filter(|(_, id, _)| *id == c.id)
            .map(|(lead, _, _)| lead.to_string())
            .collect();
        let phones: Vec<&str> = c.phones.iter().map(|(p, _)| p.as_str()).collect();
        let emails: Vec<&str> = c.emails.iter().map(|(e, _)| e.as_str()).collect();
        out.push_str(&format!(
            "  contact {} \"{}\" (lead {}; phones {}; e-mails {})\n",
            c.id,
            c.name,
            leads.join(", "),
            phones.join(", "),
            if emails.is_empty() {
                "none".to_owned()
            } else {
                emails.join(", ")
            }
        ));
    }
    for bot in &crm.bots {
        out.push_str(&format!("  Salesbot {} \"{}\"\n", bot.id, bot.name));
    }
    out
}

/// The query string's pairs, decoded.
fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every integer given for `filter[id][]`, `filter[id][N]` or `filter[id]`.
fn ids(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    let bare = format!("filter[{name}]");
    pairs
        .iter()
        .filter(|(k, _)| k == &bare || k.starts_with(&format!("{bare}[")))
        .flat_map(|(_, v)| {
            v.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect::<Vec<i64>>()
        })
        .collect()
}

fn with(pairs: &[(String, String)], what: &str) -> bool {
    first(pairs, "with").is_some_and(|w| w.split(',').any(|x| x.trim() == what))
}

fn page_and_limit(pairs: &[(String, String)]) -> (usize, usize) {
    let page = first(pairs, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let limit = match first(pairs, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(DEFAULT_LIMIT)
    {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    (page, limit)
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Kommo's full-text match [INF]: a case-insensitive substring of the text, or, for a query
/// of at least 5 digits, a substring of a phone's digits (Kommo finds phones however they
/// were typed).
fn text_matches(query: &str, text: &str, phone: bool) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return false;
    }
    if text.to_lowercase().contains(&q) {
        return true;
    }
    let qd = digits(&q);
    phone && qd.len() >= 5 && qd.len() * 2 >= q.len() && digits(text).contains(&qd)
}

fn contact_matches(contact: &Contact, query: &str) -> bool {
    text_matches(query, &contact.name, false)
        || contact
            .phones
            .iter()
            .any(|(p, _)| text_matches(query, p, true))
        || contact
            .emails
            .iter()
            .any(|(e, _)| text_matches(query, e, false))
}

fn contact_json(
    account: &Account,
    data: &AccountData,
    contact: &Contact,
    base: &str,
    leads: bool,
) -> Value {
    let multitext = |id: i64, name: &str, code: &str, values: &[(String, &'static str)]| {
        json!({
            "field_id": id,
            "field_name": name,
            "field_code": code,
            "field_type": "multitext",
            "values": values.iter().map(|(v, c)| json!({"value": v, "enum_id": enum_id(c), "enum_code": c})).collect::<Vec<_>>(),
        })
    };
    let mut fields = Vec::new();
    if !contact.phones.is_empty() {
        fields.push(multitext(PHONE_FIELD_ID, "Phone", "PHONE", &contact.phones));
    }
    if !contact.emails.is_empty() {
        fields.push(multitext(EMAIL_FIELD_ID, "Email", "EMAIL", &contact.emails));
    }
    let mut embedded = json!({"tags": [], "companies": []});
    if leads {
        let linked: Vec<Value> = data
            .crm
            .links
            .iter()
            .filter(|(_, c, _)| *c == contact.id)
            .map(|(l, _, _)| json!({"id": l, "_links": {"self": {"href": format!("{base}/api/v4/leads/{l}")}}}))
            .collect();
        embedded["leads"] = Value::Array(linked);
    }
    json!({
        "id": contact.id,
        "name": contact.name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "responsible_user_id": contact.responsible_user_id,
        "group_id": 0,
        "created_by": contact.responsible_user_id,
        "updated_by": contact.responsible_user_id,
        "created_at": contact.updated_at - 86_400,
        "updated_at": contact.updated_at,
        "closest_task_at": null,
        "is_deleted": false,
        "custom_fields_values": (!fields.is_empty()).then_some(fields),
        "account_id": account.id,
        "_links": {"self": {"href": format!("{base}/api/v4/contacts/{}", contact.id)}},
        "_embedded": embedded,
    })
}

/// The account's PHONE and EMAIL contact fields.
const PHONE_FIELD_ID: i64 = 5101;
const EMAIL_FIELD_ID: i64 = 5102;

fn enum_id(code: &str) -> i64 {
    match code {
        "WORK" => 6101,
        "MOB" => 6102,
        "HOME" => 6103,
        _ => 6104,
    }
}

/// `_embedded.contacts` of a lead with `with=contacts`: references only (§13.4).
fn lead_contacts(data: &AccountData, lead_id: i64, base: &str) -> Value {
    Value::Array(
        data.crm
            .links
            .iter()
            .filter(|(l, _, _)| *l == lead_id)
            .map(|(_, c, main)| json!({"id": c, "is_main": main, "_links": {"self": {"href": format!("{base}/api/v4/contacts/{c}")}}}))
            .collect(),
    )
}

/// A lead as Kommo renders it, with `_embedded.contacts` when `with=contacts` is asked for.
pub(crate) fn lead_json(
    account: &Account,
    data: &AccountData,
    lead_id: i64,
    base: &str,
    query: Option<&str>,
) -> Option<Value> {
    let lead = data.leads.get(&lead_id)?;
    let mut value = serde_json::to_value(LeadView::new(account, lead, base)).ok()?;
    if with(&pairs(query), "contacts") {
        value["_embedded"]["contacts"] = lead_contacts(data, lead_id, base);
    }
    Some(value)
}

/// Routes this module serves, or `None` to let `routes.rs` answer "no route".
pub(crate) fn route(
    account: &Account,
    method: &Method,
    segments: &[&str],
    query: Option<&str>,
    payload: &Payload,
    base: &str,
) -> Option<Response> {
    let get = method == Method::GET;
    let post = method == Method::POST;
    Some(match segments {
        ["leads"] if get => list_leads(account, query, base),
        ["contacts"] if get => list_contacts(account, query, base),
        ["contacts", id] if get => {
            let id = id.parse::<i64>().ok()?;
            let data = lock(&account.data);
            match data.crm.contacts.iter().find(|c| c.id == id) {
                Some(c) => problem::hal(
                    StatusCode::OK,
                    &contact_json(account, &data, c, base, with(&pairs(query), "leads")),
                ),
                None => problem::no_content(),
            }
        }
        ["tasks"] if get => list_tasks(account, query, base),
        ["tasks"] if post => add_tasks(account, payload, base),
        ["bots"] if get => list_bots(account, base),
        ["bots", "run"] if post => bots_batch_run(account, payload),
        ["bots", id, action @ ("run" | "stop")] if post => {
            let id = id.parse::<i64>().ok()?;
            bot_action(account, id, action, payload)
        }
        _ => return None,
    })
}

fn list_leads(account: &Account, query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(query);
    let (page, limit) = page_and_limit(&pairs);
    let text = first(&pairs, "query").map(str::to_owned);
    let ids = ids(&pairs, "id");
    let pipeline_ids = ids_pipeline(&pairs);
    let statuses = statuses_filter(&pairs);
    let data = lock(&account.data);
    let mut leads: Vec<&super::state::Lead> =
        data.leads
            .values()
            .filter(|l| ids.is_empty() || ids.contains(&l.id))
            .filter(|l| pipeline_ids.is_empty() || pipeline_ids.contains(&l.pipeline_id))
            .filter(|l| {
                statuses.is_empty()
                    || statuses
                        .iter()
                        .any(|(p, s)| *p == l.pipeline_id && *s == l.status_id)
            })
            .filter(|l| match &text {
                None => true,
                Some(q) => {
                    text_matches(q, &l.name, false)
                        || l.price.to_string() == q.trim()
                        || l.custom_fields.iter().flat_map(|(_, vs)| vs).any(|v| {
                            match v.get("value") {
                                Some(Value::String(s)) => text_matches(q, s, false),
                                Some(Value::Number(n)) => n.to_string() == q.trim(),
                                _ => false,
                            }
                        })
                }
            })
            .collect();
    match first(&pairs, "order[updated_at]") {
        Some("asc") => leads.sort_by_key(|l| (l.updated_at, l.id)),
        Some("desc") => leads.sort_by_key(|l| std::cmp::Reverse((l.updated_at, l.id))),
        _ => {}
    }
    let start = (page - 1).saturating_mul(limit);
    if start >= leads.len() {
        return problem::no_content();
    }
    let more = start + limit < leads.len();
    let items: Vec<Value> = leads[start..leads.len().min(start + limit)]
        .iter()
        .filter_map(|l| lead_json(account, &data, l.id, base, query))
        .collect();
    let list = format!("{base}/api/v4/leads");
    let mut links = json!({"self": {"href": format!("{list}?page={page}&limit={limit}")}});
    if more {
        links["next"] = json!({"href": format!("{list}?page={}&limit={limit}", page + 1)});
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_page": page, "_links": links, "_embedded": {"leads": items}}),
    )
}

/// `filter[pipeline_id]` (one or a list).
fn ids_pipeline(pairs: &[(String, String)]) -> Vec<i64> {
    ids(pairs, "pipeline_id")
}

/// `filter[statuses][N][pipeline_id]` + `filter[statuses][N][status_id]` pairs.
fn statuses_filter(pairs: &[(String, String)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for n in 0..50 {
        let p = first(pairs, &format!("filter[statuses][{n}][pipeline_id]"))
            .and_then(|v| v.parse().ok());
        let s =
            first(pairs, &format!("filter[statuses][{n}][status_id]")).and_then(|v| v.parse().ok());
        match (p, s) {
            (Some(p), Some(s)) => out.push((p, s)),
            _ => break,
        }
    }
    out
}

fn list_contacts(account: &Account, query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(query);
    let (page, limit) = page_and_limit(&pairs);
    let text = first(&pairs, "query");
    let ids = ids(&pairs, "id");
    let data = lock(&account.data);
    let found: Vec<&Contact> = data
        .crm
        .contacts
        .iter()
        .filter(|c| ids.is_empty() || ids.contains(&c.id))
        .filter(|c| text.is_none_or(|q| contact_matches(c, q)))
        .collect();
    let start = (page - 1).saturating_mul(limit);
    if start >= found.len() {
        return problem::no_content();
    }
    let leads = with(&pairs, "leads");
    let items: Vec<Value> = found[start..found.len().min(start + limit)]
        .iter()
        .map(|c| contact_json(account, &data, c, base, leads))
        .collect();
    problem::hal(
        StatusCode::OK,
        &json!({"_page": page, "_links": {"self": {"href": format!("{base}/api/v4/contacts?page={page}&limit={limit}")}}, "_embedded": {"contacts": items}}),
    )
}

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

fn list_tasks(account: &Account, query: Option<&str>, base: &str) -> Response {
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

/// The body as a non-empty array, or the detail of Kommo's 400.
fn items(payload: &Payload) -> Result<&Vec<Value>, &'static str> {
    match payload {
        Payload::Json(Value::Array(items)) if !items.is_empty() => Ok(items),
        Payload::Empty | Payload::Json(Value::Array(_)) => Err("Request data can not be empty"),
        Payload::Json(_) | Payload::Invalid => Err("Invalid request body"),
    }
}

fn add_tasks(account: &Account, payload: &Payload, base: &str) -> Response {
    let items = match items(payload) {
        Ok(items) => items,
        Err(detail) => return problem::bad_request(detail),
    };
    let mut data = lock(&account.data);
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match plan_task(&data, item, i, account.current_user_id) {
            Ok(task) => planned.push((task, request_id(item, i))),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return problem::validation(&errors);
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

fn request_id(item: &Value, i: usize) -> String {
    match item.get("request_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => i.to_string(),
    }
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
            errors.push(FieldError::not_blank(format!("{i}.text")));
            String::new()
        }
        Some(_) => {
            errors.push(FieldError::invalid_type(format!("{i}.text")));
            String::new()
        }
    };
    let complete_till = match item.get("complete_till") {
        Some(v) if v.is_i64() => v.as_i64().unwrap_or(0),
        None | Some(Value::Null) => {
            errors.push(FieldError::not_blank(format!("{i}.complete_till")));
            0
        }
        Some(_) => {
            errors.push(FieldError::invalid_type(format!("{i}.complete_till")));
            0
        }
    };
    let entity_type = match item.get("entity_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if ["leads", "contacts", "companies"].contains(&t.as_str()) => {
            Some(t.clone())
        }
        Some(_) => {
            errors.push(FieldError::not_supported_choice(format!("{i}.entity_type")));
            None
        }
    };
    let entity_id = match item.get("entity_id") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(id) => Some(id),
            None => {
                errors.push(FieldError::invalid_type(format!("{i}.entity_id")));
                None
            }
        },
    };
    match (&entity_type, entity_id) {
        (Some(t), Some(id)) if t == "leads" && !data.leads.contains_key(&id) => {
            errors.push(FieldError::not_supported_choice(format!("{i}.entity_id")))
        }
        (Some(t), Some(id)) if t == "contacts" && !data.crm.contacts.iter().any(|c| c.id == id) => {
            errors.push(FieldError::not_supported_choice(format!("{i}.entity_id")))
        }
        (Some(_), None) => errors.push(FieldError::not_blank(format!("{i}.entity_id"))),
        (None, Some(_)) => errors.push(FieldError::not_blank(format!("{i}.entity_type"))),
        _ => {}
    }
    let int = |key: &str, errors: &mut Vec<FieldError>| match item.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => {
            if v.as_i64().is_none() {
                errors.push(FieldError::invalid_type(format!("{i}.{key}")));
            }
            v.as_i64()
        }
    };
    let task_type_id = int("task_type_id", &mut errors).unwrap_or(1);
    if !TASK_TYPES.contains(&task_type_id) {
        errors.push(FieldError::not_supported_choice(format!(
            "{i}.task_type_id"
        )));
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

fn list_bots(account: &Account, base: &str) -> Response {
    let data = lock(&account.data);
    let bots: Vec<Value> = data
        .crm
        .bots
        .iter()
        .map(|b| json!({"id": b.id, "name": b.name, "account_id": account.id, "_links": {"self": {"href": format!("{base}/api/v4/bots/{}", b.id)}}}))
        .collect();
    if bots.is_empty() {
        return problem::no_content();
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_total_items": bots.len(), "_links": {"self": {"href": format!("{base}/api/v4/bots")}}, "_embedded": {"items": bots}}),
    )
}

fn too_low(path: String) -> FieldError {
    FieldError {
        code: "TooLow",
        path,
        detail: "This value should be greater than 0.",
    }
}

/// Checks one `{entity_id, entity_type}` (and the bot); errors name `prefix…`.
fn check_action(
    data: &AccountData,
    bot_id: i64,
    item: &Value,
    prefix: &str,
    bot_path: &str,
) -> Result<(i64, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    if bot_id < 1 || !data.crm.bots.iter().any(|b| b.id == bot_id) {
        errors.push(too_low(bot_path.to_owned()));
    }
    let entity_type = item
        .get("entity_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !matches!(entity_type, "leads" | "contacts") {
        errors.push(FieldError::not_supported_choice(format!(
            "{prefix}entity_type"
        )));
    }
    let entity_id = item.get("entity_id").and_then(Value::as_i64).unwrap_or(0);
    let exists = match entity_type {
        "leads" => data.leads.contains_key(&entity_id),
        _ => data.crm.contacts.iter().any(|c| c.id == entity_id),
    };
    if !exists {
        errors.push(too_low(format!("{prefix}entity_id")));
    }
    if errors.is_empty() {
        Ok((entity_id, entity_type.to_owned()))
    } else {
        Err(errors)
    }
}

fn accepted() -> Response {
    problem::with_body(StatusCode::ACCEPTED, None, axum::body::Body::empty())
}

/// `POST /api/v4/bots/{id}/run|stop` with `{entity_id, entity_type}` (an array of one is
/// accepted too, as one integration sends stop).
fn bot_action(account: &Account, bot_id: i64, action: &str, payload: &Payload) -> Response {
    let item = match payload {
        Payload::Json(v @ Value::Object(_)) => v,
        Payload::Json(Value::Array(items)) if items.len() == 1 => &items[0],
        Payload::Empty => return problem::bad_request("Request data can not be empty"),
        _ => return problem::bad_request("Invalid request body"),
    };
    let mut data = lock(&account.data);
    match check_action(&data, bot_id, item, "", "bot_id") {
        Ok((entity_id, entity_type)) => {
            data.crm.bot_actions.push(BotAction {
                action: if action == "stop" { "stop" } else { "run" },
                bot_id,
                entity_id,
                entity_type,
            });
            accepted()
        }
        Err(errors) => problem::validation(&errors),
    }
}

/// `POST /api/v4/bots/run` with an array of `{bot_id, entity_id, entity_type}`.
fn bots_batch_run(account: &Account, payload: &Payload) -> Response {
    let items = match items(payload) {
        Ok(items) => items,
        Err(detail) => return problem::bad_request(detail),
    };
    let mut data = lock(&account.data);
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let bot_id = item.get("bot_id").and_then(Value::as_i64).unwrap_or(0);
        match check_action(
            &data,
            bot_id,
            item,
            &format!("{i}."),
            &format!("{i}.bot_id"),
        ) {
            Ok((entity_id, entity_type)) => planned.push(BotAction {
                action: "run",
                bot_id,
                entity_id,
                entity_type,
            }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return problem::validation(&errors);
    }
    data.crm.bot_actions.extend(planned);
    accepted()
}

impl super::SimState {
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

    /// The Salesbot runs and stops accepted on account `subdomain`, oldest first:
    /// `{action, bot_id, entity_id, entity_type}`.
    pub fn bot_actions(&self, subdomain: &str) -> Vec<Value> {
        let Some(account) = self.account(subdomain) else {
            return Vec::new();
        };
        let data = lock(&account.data);
        data.crm
            .bot_actions
            .iter()
            .map(|a| json!({"action": a.action, "bot_id": a.bot_id, "entity_id": a.entity_id, "entity_type": a.entity_type}))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use serde_json::json;

    #[test]
    fn summary_names_contacts_and_the_salesbot() {
        let text = super::super::seed::summary();
        assert!(text.contains("contact 8001 \"Maria Gonzalez\" (lead 9001; phones +54 9 11 5555-0101; e-mails maria@example.com)"), "{text}");
        assert!(text.contains("Salesbot 401 \"Welcome bot\""), "{text}");
    }

    #[tokio::test]
    async fn lead_search_by_name_and_field_value_and_204() {
        let (_sim, client) = start(unlimited()).await;
        let (status, _, body) =
            parts(client.get("/api/v4/leads?query=acme&with=contacts").await).await;
        assert_eq!(status, 200);
        let leads = body["_embedded"]["leads"].as_array().unwrap();
        assert_eq!(leads.len(), 1);
        assert_eq!(leads[0]["id"], 9002);
        assert_eq!(leads[0]["_embedded"]["contacts"][0]["id"], 8003);
        let (status, _, body) = parts(client.get("/api/v4/leads?query=WhatsApp").await).await;
        assert_eq!(status, 200, "matches the Source field value and the name");
        assert_eq!(body["_embedded"]["leads"][0]["id"], 9001);
        assert!(
            body["_embedded"]["leads"][0]["_embedded"]
                .get("contacts")
                .is_none()
        );
        let (status, _, body) = parts(client.get("/api/v4/leads?query=nobody%20here").await).await;
        assert_eq!((status, body), (204, serde_json::Value::Null));
        let (status, _, _) = parts(
            client
                .get("/api/v4/leads?query=acme&filter[pipeline_id]=1002")
                .await,
        )
        .await;
        assert_eq!(status, 204);
        let q = "/api/v4/leads?filter[statuses][0][pipeline_id]=1001&filter[statuses][0][status_id]=2003";
        let (_, _, body) = parts(client.get(q).await).await;
        assert_eq!(body["_embedded"]["leads"].as_array().unwrap().len(), 1);
        let (_, _, body) = parts(
            client
                .get("/api/v4/leads?filter[id][]=9001&filter[id][]=9003&order[updated_at]=desc")
                .await,
        )
        .await;
        let ids: Vec<i64> = body["_embedded"]["leads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [9003, 9001]);
    }

    #[tokio::test]
    async fn single_lead_with_contacts() {
        let (_sim, client) = start(unlimited()).await;
        let (_, _, lead) = parts(client.get("/api/v4/leads/9001?with=contacts").await).await;
        let contacts = &lead["_embedded"]["contacts"];
        assert_eq!(contacts.as_array().unwrap().len(), 2);
        assert_eq!(
            (contacts[0]["id"].clone(), contacts[0]["is_main"].clone()),
            (json!(8001), json!(true))
        );
        let (_, _, plain) = parts(client.get("/api/v4/leads/9001").await).await;
        assert!(plain["_embedded"].get("contacts").is_none());
    }

    #[tokio::test]
    async fn contacts_by_query_and_id() {
        let (_sim, client) = start(unlimited()).await;
        for q in ["55550101", "5491155550101", "maria@example.com", "gonzalez"] {
            let (status, _, body) = parts(
                client
                    .get(&format!("/api/v4/contacts?query={q}&with=leads"))
                    .await,
            )
            .await;
            assert_eq!(status, 200, "{q}");
            assert_eq!(body["_embedded"]["contacts"][0]["id"], 8001, "{q}");
            assert_eq!(
                body["_embedded"]["contacts"][0]["_embedded"]["leads"][0]["id"],
                9001
            );
        }
        let (_, _, body) = parts(client.get("/api/v4/contacts?query=55550101").await).await;
        let phone = &body["_embedded"]["contacts"][0]["custom_fields_values"][0];
        assert_eq!(phone["field_code"], "PHONE");
        assert_eq!(
            phone["values"][0],
            json!({"value": "+54 9 11 5555-0101", "enum_id": 6102, "enum_code": "MOB"})
        );
        let (status, _, _) = parts(client.get("/api/v4/contacts?query=99999999").await).await;
        assert_eq!(status, 204);
        let (_, _, body) = parts(
            client
                .get("/api/v4/contacts?filter[id][]=8002&filter[id][]=8004")
                .await,
        )
        .await;
        assert_eq!(body["_embedded"]["contacts"].as_array().unwrap().len(), 2);
    }

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
            super::super::seed::USER_ID
        );
        for (bad, path) in [
            (json!({"text": "x", "complete_till": 1}), ""),
            (json!([{"complete_till": 1}]), "0.text"),
            (
                json!([{"text": "x", "complete_till": "tomorrow"}]),
                "0.complete_till",
            ),
            (json!([{"text": "x"}]), "0.complete_till"),
            (
                json!([{"text": "x", "complete_till": 1, "entity_type": "deals", "entity_id": 9001}]),
                "0.entity_type",
            ),
            (
                json!([{"text": "x", "complete_till": 1, "entity_type": "leads", "entity_id": 1}]),
                "0.entity_id",
            ),
            (
                json!([{"text": "x", "complete_till": 1, "task_type_id": 99}]),
                "0.task_type_id",
            ),
        ] {
            let (status, _, body) = parts(client.post("/api/v4/tasks", &bad).await).await;
            assert_eq!(status, 400, "{bad}");
            if !path.is_empty() {
                assert!(body.to_string().contains(path), "{bad}: {body}");
            }
        }
        assert_eq!(
            sim.state().tasks(SUB).len(),
            2,
            "nothing stored by a refused POST"
        );
    }

    #[tokio::test]
    async fn bots_list_run_stop() {
        let (sim, client) = start(unlimited()).await;
        let (status, _, body) = parts(client.get("/api/v4/bots").await).await;
        assert_eq!(status, 200);
        assert_eq!(body["_embedded"]["items"][0]["id"], 401);
        let one = json!({"entity_id": 9001, "entity_type": "leads"});
        let (status, ct, body) = parts(client.post("/api/v4/bots/401/run", &one).await).await;
        assert_eq!((status, ct, body), (202, None, serde_json::Value::Null));
        let (status, _, _) = parts(client.post("/api/v4/bots/401/stop", &json!([one])).await).await;
        assert_eq!(status, 202);
        let batch = json!([{"bot_id": 401, "entity_id": 9002, "entity_type": "leads"}]);
        assert_eq!(client.post("/api/v4/bots/run", &batch).await.status(), 202);
        let (status, _, body) = parts(client.post("/api/v4/bots/999/run", &one).await).await;
        assert_eq!(status, 400);
        assert!(body.to_string().contains("TooLow"), "{body}");
        let bad_type = json!({"entity_id": 9001, "entity_type": "deals"});
        let (status, _, body) = parts(client.post("/api/v4/bots/401/stop", &bad_type).await).await;
        assert_eq!(status, 400);
        assert!(body.to_string().contains("NotSupportedChoice"), "{body}");
        let actions = sim.state().bot_actions(SUB);
        let kinds: Vec<&str> = actions
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["run", "stop", "run"]);
    }
}
