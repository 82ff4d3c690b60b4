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
/// The demo account's time zone (UTC−3, where most users of the original server are).
pub const TIME_ZONE: &str = "America/Argentina/Buenos_Aires";
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

/// The last of the seeded fields with a purpose; text fields follow up to 5060.
const LAST_NAMED_FIELD: i64 = 5022;
/// "Extra field N" is field `EXTRA_FIELD_NUMBER_BASE + N` (so field 5060 stays "Extra field
/// 41", the name tests and users know, now that the typed fields end at 5022).
const EXTRA_FIELD_NUMBER_BASE: i64 = 5019;
/// The lead that holds a value of every field type Kommo documents for leads.
pub const EVERY_TYPE_LEAD_ID: i64 = 9009;

fn field(id: i64, name: &str, code: Option<&'static str>, kind: FieldType) -> CustomField {
    CustomField {
        id,
        name: name.into(),
        code,
        kind,
        sort: 500 + id - PAUSE_FIELD_ID,
        enums: Vec::new(),
    }
}

/// `field` with its options `(enum id, value, sort)`.
fn options(mut field: CustomField, options: &[(i64, &str, i64)]) -> CustomField {
    field.enums = options
        .iter()
        .map(|(id, value, sort)| (*id, (*value).to_owned(), *sort))
        .collect();
    field
}

/// The seeded lead custom fields: one of every type Kommo documents for leads, then plain
/// text fields up to 60 in all (more than one page at Kommo's default page size of 50).
fn fields() -> Vec<CustomField> {
    let mut fields = vec![
        field(PAUSE_FIELD_ID, "AI agent paused", None, FieldType::Checkbox),
        options(
            field(5002, "Source", None, FieldType::Select),
            &[
                (6001, "WhatsApp", 500),
                (6002, "Instagram", 1),
                (6003, "Website", 2),
            ],
        ),
        field(5003, "Budget note", None, FieldType::Text),
        field(5004, "Follow-up date", None, FieldType::Date),
        options(
            field(5005, "Interests", Some("INTERESTS"), FieldType::Multiselect),
            &[
                (6011, "Pricing", 1),
                (6012, "Demo", 2),
                (6013, "Support", 3),
                (6014, "Integrations", 4),
            ],
        ),
        options(
            field(5006, "Priority", None, FieldType::Radiobutton),
            &[(6021, "Low", 1), (6022, "Medium", 2), (6023, "High", 3)],
        ),
        field(5007, "Employees", Some("EMPLOYEES"), FieldType::Numeric),
        field(5008, "Company website", None, FieldType::Url),
        field(5009, "Summary", None, FieldType::Textarea),
        field(5010, "Meeting time", None, FieldType::DateTime),
        field(5011, "Birthday", None, FieldType::Birthday),
        field(5012, "Callback requested", None, FieldType::Checkbox),
        // Names as real accounts have them: accented and Cyrillic names and options, two
        // fields sharing a name (Kommo's predefined tracking field and an admin's own), and
        // types beyond the basic ones (one that update_lead_fields refuses).
        options(
            field(5013, "Preço", None, FieldType::Select),
            &[
                (6031, "Básico", 1),
                (6032, "Премиум", 2),
                (6033, "Ñandú", 3),
            ],
        ),
        field(5014, "Aniversário", None, FieldType::Birthday),
        field(
            5015,
            "utm_source",
            Some("UTM_SOURCE"),
            FieldType::TrackingData,
        ),
        field(5016, "utm_source", None, FieldType::Text),
        field(5017, "Valor do contrato", None, FieldType::Monetary),
        field(5018, "Endereço", None, FieldType::StreetAddress),
        field(5019, "Razão social", None, FieldType::LegalEntity),
        field(5020, "Dirección", None, FieldType::SmartAddress),
        field(5021, "Contrato", None, FieldType::File),
        field(LAST_NAMED_FIELD, "Товары", None, FieldType::ChainedList),
    ];
    fields.extend((LAST_NAMED_FIELD + 1..=5060).map(|id| {
        field(
            id,
            &format!("Extra field {}", id - EXTRA_FIELD_NUMBER_BASE),
            None,
            FieldType::Text,
        )
    }));
    fields
}

/// The account's lead tags (the registry tags_to_add by name adds to).
fn tags() -> Vec<(i64, String)> {
    [
        (1, "whatsapp"),
        (2, "vip"),
        (3, "hot lead"),
        (4, "follow-up"),
        (5, "тест"),
        (6, "Promoção"),
    ]
    .into_iter()
    .map(|(id, name)| (id, name.to_owned()))
    .collect()
}
/// The next tag id handed out.
const FIRST_NEW_TAG_ID: i64 = 101;

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
        loss_reason_id: None,
        custom_fields: seed.custom_fields,
        tags: seed.tags,
    }
}

/// A value of every field type, shaped as Kommo answers it (tests/fixtures/kommo,
/// constructed_lead_every_field_type.json): numbers as strings, dates as local midnight of
/// the account's zone (2024-06-06 00:00 −03:00), address parts with `enum_id` and
/// `enum_code`, a chained_list as catalog links without `value`.
fn every_type_values() -> Vec<(i64, Vec<Value>)> {
    let one = |id: i64, value: Value| (id, vec![json!({ "value": value })]);
    let choice =
        |value: &str, enum_id: i64| json!({"value": value, "enum_id": enum_id, "enum_code": null});
    let address: Vec<Value> = [
        "Av. Corrientes 1234",
        "Piso 5, Depto. B",
        "Buenos Aires",
        "Ciudad Autónoma de Buenos Aires",
        "C1043",
        "AR",
    ]
    .iter()
    .zip(super::state::ADDRESS_PARTS)
    .enumerate()
    .map(|(i, (value, code))| json!({"value": value, "enum_id": i + 1, "enum_code": code}))
    .collect();
    vec![
        (5002, vec![choice("Instagram", 6002)]),
        one(5003, json!("Cliente pidió presupuesto en pesos")),
        one(5004, json!(1_717_642_800)),
        (5005, vec![choice("Demo", 6012), choice("Support", 6013)]),
        (5006, vec![choice("High", 6023)]),
        one(5007, json!("1.5")),
        one(5008, json!("https://www.example.com.ar/")),
        one(5009, json!("Linha 1\nLinha 2")),
        one(5010, json!(1_717_720_200)),
        one(5011, json!(637_470_000)),
        one(5012, json!(true)),
        (5013, vec![choice("Премиум", 6032)]),
        one(5014, json!(637_470_000)),
        one(5015, json!("google")),
        one(5016, json!("feria São Paulo")),
        one(5017, json!("2500.50")),
        one(5018, json!("Av. Corrientes 1234, CABA")),
        one(
            5019,
            json!({
                "name": "Distribuidora Peñalolén S.R.L.",
                "entity_type": 2,
                "vat_id": "30-71234567-9",
                "address": "Av. Corrientes 1234, CABA",
                "external_uid": null,
            }),
        ),
        (5020, address),
        one(
            5021,
            json!({
                "file_uuid": "3b454645-5c7f-4539-9ef9-0dd1b3638dad",
                "version_uuid": "13db6652-b3ed-4fff-aed8-0c6f3c43b887",
                "file_name": "contrato_firmado.pdf",
                "file_size": 20_763,
            }),
        ),
        (
            LAST_NAMED_FIELD,
            vec![
                json!({"catalog_id": 1001, "catalog_element_id": 12_235}),
                json!({"catalog_id": 1007, "catalog_element_id": 12_243}),
            ],
        ),
    ]
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
            tags: vec![(2, "vip".into()), (3, "hot lead".into())],
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
            tags: vec![(5, "тест".into())],
        },
        LeadSeed {
            id: 9005,
            name: "Closed deal",
            price: 800,
            pipeline_id: 1001,
            status_id: 142,
            custom_fields: vec![
                (
                    5005,
                    vec![
                        json!({"value": "Pricing", "enum_id": 6011, "enum_code": null}),
                        json!({"value": "Integrations", "enum_id": 6014, "enum_code": null}),
                    ],
                ),
                (5007, vec![json!({"value": "250"})]),
            ],
            tags: vec![(2, "vip".into())],
        },
        LeadSeed {
            id: EVERY_TYPE_LEAD_ID,
            name: "Distribuidora Peñalolén — every field type",
            price: 250_000,
            pipeline_id: 1002,
            status_id: 3003,
            custom_fields: every_type_values(),
            tags: vec![(5, "тест".into()), (6, "Promoção".into())],
        },
    ];
    seeds.into_iter().map(|s| (s.id, lead(s, now))).collect()
}

/// A freshly seeded demo account.
pub(crate) fn demo_account(subdomain: &str, token: &str, id: i64, now: i64) -> Account {
    let leads = leads(now);
    let history_lead_created = leads
        .get(&super::history::HISTORY_LEAD)
        .map_or(now, |lead| lead.created_at);
    let (history, history_note) = super::history::seed(history_lead_created);
    Account {
        subdomain: subdomain.to_owned(),
        token: token.to_owned(),
        id,
        name: "Demo Company",
        current_user_id: USER_ID,
        country: "AR",
        currency: "USD",
        currency_symbol: "$",
        time_zone: RwLock::new(TIME_ZONE.to_owned()),
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
        contact_fields: super::contact_fields::seed(),
        data: Mutex::new(AccountData {
            leads,
            notes: vec![history_note],
            next_note_id: FIRST_NOTE_ID,
            tags: tags(),
            next_tag_id: FIRST_NEW_TAG_ID,
            crm: super::crm::seed(now, USER_ID),
            history,
        }),
        limiter: Mutex::new(Limiter::default()),
    }
}

/// A human-readable description of the demo account (what `--sandbox` prints to stderr).
pub fn summary() -> String {
    let account = demo_account("demo", "", ACCOUNT_ID, 0);
    let mut out = String::from("Demo account (user 7000001):\n");
    out.push_str(&format!("  time zone: {TIME_ZONE}\n"));
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
        "  pause field: {PAUSE_FIELD_ID} \"AI agent paused\" (checkbox)\n"
    ));
    for field in account
        .fields
        .iter()
        .filter(|f| f.id != PAUSE_FIELD_ID && f.id <= LAST_NAMED_FIELD)
    {
        let options: Vec<String> = field
            .enums
            .iter()
            .map(|(id, value, _)| format!("{value} {id}"))
            .collect();
        out.push_str(&format!(
            "  field {} \"{}\" ({}{}){}\n",
            field.id,
            field.name,
            field.kind.as_str(),
            field
                .code
                .map(|code| format!(", code {code}"))
                .unwrap_or_default(),
            if options.is_empty() {
                String::new()
            } else {
                format!(": {}", options.join(", "))
            }
        ));
    }
    out.push_str(&format!(
        "  fields {}-5060: text \"Extra field N\" (field {EXTRA_FIELD_NUMBER_BASE} + N)\n",
        LAST_NAMED_FIELD + 1
    ));
    let contact_fields: Vec<String> = account
        .contact_fields
        .iter()
        .map(|f| format!("{} \"{}\" ({})", f.id, f.name, f.kind.as_str()))
        .collect();
    out.push_str(&format!(
        "  contact fields: {}\n",
        contact_fields.join(", ")
    ));
    let data = super::sync::lock(&account.data);
    let tags: Vec<String> = data
        .tags
        .iter()
        .map(|(id, name)| format!("{id} \"{name}\""))
        .collect();
    out.push_str(&format!("  lead tags: {}\n", tags.join(", ")));
    for lead in data.leads.values() {
        let tags: Vec<&str> = lead.tags.iter().map(|(_, name)| name.as_str()).collect();
        out.push_str(&format!(
            "  lead {} \"{}\" (pipeline {}, status {}, price {}{})\n",
            lead.id,
            lead.name,
            lead.pipeline_id,
            lead.status_id,
            lead.price,
            if tags.is_empty() {
                String::new()
            } else {
                format!(", tags {}", tags.join(", "))
            }
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
        assert_eq!(data.leads.len(), 6);
        assert!(data.leads[&9005].closed_at.is_some());
        assert!(data.leads[&9001].closed_at.is_none());
        assert!(summary().contains(
            "lead 9004 \"Support ticket #42\" (pipeline 1002, status 3002, price 0, tags тест)"
        ));
        assert!(summary().contains("lead 9002 \"Acme Corp renewal\" (pipeline 1001, status 2003, price 12000, tags vip, hot lead)"));
        assert!(summary().contains("field 5005 \"Interests\" (multiselect, code INTERESTS): Pricing 6011, Demo 6012, Support 6013, Integrations 6014"));
        assert!(
            summary()
                .contains("lead tags: 1 \"whatsapp\", 2 \"vip\", 3 \"hot lead\", 4 \"follow-up\", 5 \"тест\", 6 \"Promoção\"")
        );
        assert!(
            summary()
                .contains("field 5013 \"Preço\" (select): Básico 6031, Премиум 6032, Ñandú 6033")
        );
        assert!(summary().contains("field 5015 \"utm_source\" (tracking_data, code UTM_SOURCE)"));
        assert!(summary().contains("field 5016 \"utm_source\" (text)"));
        assert!(summary().contains("fields 5023-5060: text \"Extra field N\" (field 5019 + N)"));
    }
}
