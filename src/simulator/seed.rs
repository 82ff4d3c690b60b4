//! The demo account every simulated Kommo account starts from (pipelines, custom fields,
//! leads), so tests and `--sandbox` users get a realistic, known world.

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock};

use serde_json::{Value, json};

use super::faults::Limiter;
use super::state::{Account, AccountData, CustomField, FieldType, Lead, Pipeline, Status};

/// The id of the first demo account; later ones count up from it.
pub(crate) const ACCOUNT_ID: i64 = 31_000_001;
/// The demo user, responsible for every seeded lead.
pub const USER_ID: i64 = 7_000_001;
/// The checkbox field seeded as the "AI agent paused" switch.
pub const PAUSE_FIELD_ID: i64 = 5001;
/// The first note id handed out.
const FIRST_NOTE_ID: i64 = 70_001;

fn status(id: i64, name: &'static str, sort: i64, color: &'static str) -> Status {
    Status {
        id,
        name,
        sort,
        is_editable: true,
        color,
        kind: 0,
    }
}

fn pipeline(id: i64, name: &'static str, sort: i64, stages: &[(i64, &'static str)]) -> Pipeline {
    let mut statuses = vec![Status {
        id: stages.first().map(|s| s.0).unwrap_or(0),
        name: "Incoming leads",
        sort: 10,
        is_editable: false,
        color: "#c1c1c1",
        kind: 1,
    }];
    let colors = ["#99ccff", "#ffff99", "#ffcc66", "#deff81"];
    for (i, &(sid, sname)) in stages.iter().enumerate().skip(1) {
        let sort = 10 * (i as i64 + 1);
        statuses.push(status(sid, sname, sort, colors[i % colors.len()]));
    }
    let mut won = status(142, "Closed - won", 10_000, "#CCFF66");
    let mut lost = status(143, "Closed - lost", 11_000, "#D5D8DB");
    won.is_editable = false;
    lost.is_editable = false;
    statuses.push(won);
    statuses.push(lost);
    Pipeline {
        id,
        name,
        sort,
        is_main: sort == 1,
        statuses,
    }
}

fn fields() -> Vec<CustomField> {
    let mut fields = vec![
        CustomField {
            id: PAUSE_FIELD_ID,
            name: "AI agent paused".into(),
            kind: FieldType::Checkbox,
            sort: 500,
            enums: Vec::new(),
        },
        CustomField {
            id: 5002,
            name: "Source".into(),
            kind: FieldType::Select,
            sort: 501,
            enums: vec![
                (6001, "WhatsApp".into(), 500),
                (6002, "Instagram".into(), 1),
                (6003, "Website".into(), 2),
            ],
        },
        CustomField {
            id: 5003,
            name: "Budget note".into(),
            kind: FieldType::Text,
            sort: 502,
            enums: Vec::new(),
        },
        CustomField {
            id: 5004,
            name: "Follow-up date".into(),
            kind: FieldType::Date,
            sort: 503,
            enums: Vec::new(),
        },
    ];
    fields.extend((5005..=5060).map(|id| CustomField {
        id,
        name: format!("Extra field {}", id - 5004),
        kind: FieldType::Text,
        sort: 500 + id - 5001,
        enums: Vec::new(),
    }));
    fields
}

struct LeadSeed {
    id: i64,
    name: &'static str,
    price: i64,
    pipeline_id: i64,
    status_id: i64,
    custom_fields: Vec<(i64, Vec<Value>)>,
    tags: Vec<(i64, String)>,
}

fn lead(seed: LeadSeed, now: i64) -> Lead {
    let created_at = now - 86_400 * (9010 - seed.id);
    Lead {
        id: seed.id,
        name: seed.name.into(),
        price: seed.price,
        responsible_user_id: USER_ID,
        group_id: 0,
        status_id: seed.status_id,
        pipeline_id: seed.pipeline_id,
        created_by: USER_ID,
        updated_by: USER_ID,
        created_at,
        updated_at: created_at + 3600,
        closed_at: matches!(seed.status_id, 142 | 143).then_some(created_at + 3600),
        custom_fields: seed.custom_fields,
        tags: seed.tags,
    }
}

fn leads(now: i64) -> BTreeMap<i64, Lead> {
    let paused = |v: bool| (PAUSE_FIELD_ID, vec![json!({"value": v})]);
    let seeds = [
        LeadSeed {
            id: 9001,
            name: "Maria Gonzalez — WhatsApp inquiry",
            price: 1500,
            pipeline_id: 1001,
            status_id: 2002,
            custom_fields: vec![
                (
                    5002,
                    vec![json!({"value": "WhatsApp", "enum_id": 6001, "enum_code": null})],
                ),
                paused(false),
            ],
            tags: vec![(1, "whatsapp".into())],
        },
        LeadSeed {
            id: 9002,
            name: "Acme Corp renewal",
            price: 12_000,
            pipeline_id: 1001,
            status_id: 2003,
            custom_fields: Vec::new(),
            tags: Vec::new(),
        },
        LeadSeed {
            id: 9003,
            name: "Juan Perez",
            price: 0,
            pipeline_id: 1001,
            status_id: 2001,
            custom_fields: Vec::new(),
            tags: Vec::new(),
        },
        LeadSeed {
            id: 9004,
            name: "Support ticket #42",
            price: 0,
            pipeline_id: 1002,
            status_id: 3002,
            custom_fields: vec![paused(true)],
            tags: Vec::new(),
        },
        LeadSeed {
            id: 9005,
            name: "Closed deal",
            price: 800,
            pipeline_id: 1001,
            status_id: 142,
            custom_fields: Vec::new(),
            tags: Vec::new(),
        },
    ];
    seeds.into_iter().map(|s| (s.id, lead(s, now))).collect()
}

/// A freshly seeded demo account.
pub(crate) fn demo_account(subdomain: &str, token: &str, id: i64, now: i64) -> Account {
    Account {
        subdomain: subdomain.to_owned(),
        token: token.to_owned(),
        id,
        name: "Demo Company",
        current_user_id: USER_ID,
        country: "AR",
        currency: "USD",
        currency_symbol: "$",
        pipelines: RwLock::new(vec![
            pipeline(
                1001,
                "Sales",
                1,
                &[
                    (2001, ""),
                    (2002, "Contacted"),
                    (2003, "Negotiation"),
                    (2004, "Proposal sent"),
                ],
            ),
            pipeline(
                1002,
                "Support",
                2,
                &[
                    (3001, ""),
                    (3002, "In progress"),
                    (3003, "Waiting for customer"),
                ],
            ),
        ]),
        fields: fields(),
        data: Mutex::new(AccountData {
            leads: leads(now),
            notes: Vec::new(),
            next_note_id: FIRST_NOTE_ID,
            crm: super::crm::seed(now, USER_ID),
        }),
        limiter: Mutex::new(Limiter::default()),
    }
}

/// A human-readable description of the demo account (what `--sandbox` prints to stderr).
pub fn summary() -> String {
    let account = demo_account("demo", "", ACCOUNT_ID, 0);
    let mut out = String::from("Demo account (user 7000001):\n");
    for p in account.pipelines().iter() {
        let stages: Vec<String> = p
            .statuses
            .iter()
            .map(|s| format!("{} {}", s.id, s.name))
            .collect();
        out.push_str(&format!(
            "  pipeline {} {}: {}\n",
            p.id,
            p.name,
            stages.join(", ")
        ));
    }
    out.push_str(&format!(
        "  pause field: {PAUSE_FIELD_ID} \"AI agent paused\" (checkbox); select 5002 \"Source\"; text 5003 \"Budget note\"; date 5004 \"Follow-up date\"\n"
    ));
    let data = super::state::lock(&account.data);
    for lead in data.leads.values() {
        out.push_str(&format!(
            "  lead {} \"{}\" (pipeline {}, status {})\n",
            lead.id, lead.name, lead.pipeline_id, lead.status_id
        ));
    }
    out.push_str(&super::crm::summary(&data.crm));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_matches_spec() {
        let account = demo_account("demo", "t", ACCOUNT_ID, 1_700_000_000);
        assert_eq!(account.fields.len(), 60);
        let pipelines = account.pipelines();
        let sales = pipelines.iter().find(|p| p.id == 1001).unwrap();
        let ids: Vec<i64> = sales.statuses.iter().map(|s| s.id).collect();
        assert_eq!(ids, [2001, 2002, 2003, 2004, 142, 143]);
        assert_eq!(sales.statuses[0].kind, 1);
        assert!(sales.is_main && !pipelines.iter().find(|p| p.id == 1002).unwrap().is_main);
        let data = account.data.lock().unwrap();
        assert_eq!(data.leads.len(), 5);
        assert!(data.leads[&9005].closed_at.is_some());
        assert!(data.leads[&9001].closed_at.is_none());
        assert!(
            summary().contains("lead 9004 \"Support ticket #42\" (pipeline 1002, status 3002)")
        );
    }
}
