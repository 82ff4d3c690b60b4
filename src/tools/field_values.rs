//! What `update_lead_fields` (and `update_contact`, for a contact's fields) sends for each
//! `fields` entry: the field a key names (its name, code or id), the value checked against
//! the field's type, and whether the lead or contact already has it. Every problem is
//! collected, so one answer lists them all.

use std::collections::BTreeSet;

use serde_json::{Map, Number, Value, json};

use super::{
    args::describe,
    field_types::unsupported,
    names::{self, Pick},
};
use crate::kommo::{
    AccountZone, DateInput,
    models::{CustomField, CustomFieldValue, FieldEnum},
};

/// The longest value Kommo accepts in a `text` field.
const MAX_TEXT: usize = 256;

/// One field to set, as it will be sent.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Planned {
    pub field_id: i64,
    pub name: String,
    pub kind: String,
    /// The new value in a form to show (the option texts of select-like fields); `null`
    /// clears the field. Dates are shown by [`Planned::shown`], in the account's zone.
    shown: Value,
    new: New,
}

/// Years a date may have: every zone converts them (and Kommo has no use for others).
const YEARS: std::ops::RangeInclusive<i16> = 1900..=2999;

/// The checked new value.
#[derive(Clone, Debug, PartialEq)]
enum New {
    Clear,
    Text(String),
    Number(Number),
    Flag(bool),
    /// A date, date_time or birthday; `day` for date and birthday fields (Kommo stores a
    /// day as its midnight in the account's zone). `utc` is its Unix seconds in UTC, known
    /// to exist.
    When {
        input: DateInput,
        day: bool,
        utc: i64,
    },
    /// Enum ids, in the order given.
    Options(Vec<i64>),
}

impl Planned {
    /// Whether the account's time zone is needed to send or compare this value.
    pub(super) fn needs_zone(&self) -> bool {
        matches!(self.new, New::When { .. })
    }

    /// Unix seconds of a date value in `zone`.
    fn seconds(&self, zone: &AccountZone) -> Option<i64> {
        match &self.new {
            New::When { input, day, utc } => Some(
                if *day {
                    zone.day_seconds(input)
                } else {
                    zone.moment_seconds(input)
                }
                .unwrap_or(*utc),
            ),
            _ => None,
        }
    }

    /// The new value to show: dates as YYYY-MM-DD, date-times as ISO 8601 with the offset
    /// of `zone`.
    pub(super) fn shown(&self, zone: &AccountZone) -> Value {
        match (&self.new, self.seconds(zone)) {
            (New::When { day: true, .. }, Some(s)) => zone.show_day(s).into(),
            (New::When { day: false, .. }, Some(s)) => zone.show_instant(s).into(),
            _ => self.shown.clone(),
        }
    }

    /// The `custom_fields_values` item that sets it (`enum_id` for select-like fields).
    pub(super) fn item(&self, zone: &AccountZone) -> Value {
        let values = match &self.new {
            New::Clear => Value::Null,
            New::Text(text) => json!([{ "value": text }]),
            New::Number(n) => json!([{ "value": n }]),
            New::Flag(flag) => json!([{ "value": flag }]),
            New::When { .. } => json!([{ "value": self.seconds(zone) }]),
            New::Options(ids) => ids.iter().map(|id| json!({ "enum_id": id })).collect(),
        };
        json!({ "field_id": self.field_id, "values": values })
    }

    /// Whether the lead's current value is already this one (a date: the same day in the
    /// account's zone).
    pub(super) fn is_set(&self, current: Option<&CustomFieldValue>, zone: &AccountZone) -> bool {
        let values = current
            .and_then(|c| c.values.as_deref())
            .unwrap_or_default();
        let first = values.first().map(|v| &v.value);
        match &self.new {
            New::Clear => values.is_empty(),
            New::Text(text) => first.and_then(Value::as_str) == Some(text.as_str()),
            New::Number(n) => {
                first.and_then(as_f64).is_some() && first.and_then(as_f64) == n.as_f64()
            }
            New::Flag(flag) => first.and_then(Value::as_bool) == Some(*flag),
            New::When { day: true, .. } => {
                let have = first.and_then(as_i64).and_then(|s| zone.day_of(s));
                have.is_some() && have == self.seconds(zone).and_then(|s| zone.day_of(s))
            }
            New::When { day: false, .. } => {
                first.and_then(as_i64).is_some() && first.and_then(as_i64) == self.seconds(zone)
            }
            New::Options(ids) => {
                let have: BTreeSet<i64> = values.iter().filter_map(|v| v.enum_id).collect();
                let want: BTreeSet<i64> = ids.iter().copied().collect();
                !values.is_empty() && have == want && have.len() == values.len()
            }
        }
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whose custom fields a `fields` map sets, for the messages.
pub(super) struct Owner {
    /// "lead" or "contact".
    pub entity: &'static str,
    /// The tool that sets them.
    pub tool: &'static str,
}

pub(super) const LEAD_FIELDS: Owner = Owner {
    entity: "lead",
    tool: "update_lead_fields",
};
pub(super) const CONTACT_FIELDS: Owner = Owner {
    entity: "contact",
    tool: "update_contact",
};

/// Resolves every key and checks every value of a lead's fields; all problems at once.
pub(super) fn plan(
    fields: &[CustomField],
    wanted: &Map<String, Value>,
    subdomain: &str,
) -> Result<Vec<Planned>, Vec<String>> {
    plan_for(fields, wanted, subdomain, &LEAD_FIELDS)
}

/// [`plan`] for the fields of `owner` (a lead's or a contact's).
pub(super) fn plan_for(
    fields: &[CustomField],
    wanted: &Map<String, Value>,
    subdomain: &str,
    owner: &Owner,
) -> Result<Vec<Planned>, Vec<String>> {
    let mut problems = Vec::new();
    let mut planned: Vec<(String, Planned)> = Vec::new();
    for (key, value) in wanted {
        let field = match find(fields, key, subdomain, owner) {
            Ok(field) => field,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if let Some((other, _)) = planned.iter().find(|(_, p)| p.field_id == field.id) {
            problems.push(format!(
                "fields keys {other:?} and {key:?} both name the field {:?} ({})",
                field.name, field.id
            ));
            continue;
        }
        match check(field, key, value, owner) {
            Ok(plan) => planned.push((key.clone(), plan)),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        let mut planned: Vec<Planned> = planned.into_iter().map(|(_, p)| p).collect();
        planned.sort_by_key(|p| p.field_id);
        Ok(planned)
    } else {
        Err(problems)
    }
}

/// The field a key names: an id, else a code exactly as Kommo spells it, else a name or
/// code under the names rule (`names.rs`: case, surrounding spaces and, when unambiguous,
/// accents ignored). Several fields matching is an error listing them all.
fn find<'a>(
    fields: &'a [CustomField],
    key: &str,
    subdomain: &str,
    owner: &Owner,
) -> Result<&'a CustomField, String> {
    let wanted = key.trim();
    if let Ok(id) = wanted.parse::<i64>()
        && let Some(field) = fields.iter().find(|f| f.id == id)
    {
        return Ok(field);
    }
    if let Some(field) = fields.iter().find(|f| f.code.as_deref() == Some(wanted)) {
        return Ok(field);
    }
    match names::pick(wanted, fields, |f| {
        std::iter::once(f.name.as_str()).chain(f.code.as_deref())
    }) {
        Pick::One(field) => Ok(field),
        Pick::None if owner.entity == "lead" => Err(format!(
            "fields key {key:?} names no lead custom field of account {subdomain:?} (keys are a field's name, code or id; list_custom_fields lists them)"
        )),
        Pick::None => Err(format!(
            "fields key {key:?} names no {} custom field of account {subdomain:?} (keys are a field's name, code or id; its {} fields are {})",
            owner.entity,
            owner.entity,
            listed(fields)
        )),
        Pick::Several(many) => Err(format!(
            "fields key {key:?} is ambiguous: {} fields match it ({}); use the id or the code instead",
            many.len(),
            many.iter()
                .map(|f| candidate(f))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Every field as [`candidate`] shows it, or "none".
fn listed(fields: &[CustomField]) -> String {
    if fields.is_empty() {
        return "none".to_owned();
    }
    fields.iter().map(candidate).collect::<Vec<_>>().join(", ")
}

/// `"name" (id 5014, code UTM_SOURCE, tracking_data)`: a field as an ambiguity lists it.
fn candidate(field: &CustomField) -> String {
    let code = match &field.code {
        Some(code) => format!("code {code}"),
        None => "no code".to_owned(),
    };
    format!("{:?} (id {}, {code}, {})", field.name, field.id, field.kind)
}

/// Checks one value against its field's type.
fn check(field: &CustomField, key: &str, value: &Value, owner: &Owner) -> Result<Planned, String> {
    let what = format!("{key:?} ({} field {})", field.kind, field.id);
    let wrong = |expected: &str| format!("{what} takes {expected}, got {}", describe(value));
    let (new, shown) = match (field.kind.as_str(), value) {
        (_, Value::Null) => (New::Clear, Value::Null),
        ("text" | "textarea" | "url", Value::String(text)) if text.trim().is_empty() => {
            return Err(format!("{what} must not be empty (null clears the field)"));
        }
        ("text", Value::String(text)) if text.chars().count() > MAX_TEXT => {
            return Err(format!(
                "{what} takes at most {MAX_TEXT} characters (Kommo's limit for text fields), got {}",
                text.chars().count()
            ));
        }
        ("text" | "textarea" | "url", Value::String(text)) => {
            (New::Text(text.clone()), Value::String(text.clone()))
        }
        ("text" | "textarea" | "url", _) => return Err(wrong("a text")),
        ("tracking_data" | "streetaddress", Value::String(text)) if text.trim().is_empty() => {
            return Err(format!("{what} must not be empty (null clears the field)"));
        }
        ("tracking_data" | "streetaddress", Value::String(text)) => {
            (New::Text(text.clone()), Value::String(text.clone()))
        }
        ("tracking_data" | "streetaddress", _) => return Err(wrong("a text")),
        ("numeric" | "monetary", Value::Number(n)) => {
            (New::Number(n.clone()), Value::Number(n.clone()))
        }
        ("numeric" | "monetary", _) => return Err(wrong("a number")),
        ("checkbox", Value::Bool(flag)) => (New::Flag(*flag), Value::Bool(*flag)),
        ("checkbox", _) => return Err(wrong("true or false")),
        ("date" | "date_time" | "birthday", _) => {
            let input = match value {
                Value::Number(n) => n.as_i64().and_then(DateInput::seconds),
                Value::String(text) => DateInput::parse(text),
                _ => None,
            };
            let utc = input.as_ref().and_then(|input| {
                let utc = AccountZone::utc();
                let seconds = utc.moment_seconds(input)?;
                YEARS
                    .contains(&utc.day_of(seconds)?.year())
                    .then_some(seconds)
            });
            match (input, utc) {
                (Some(input), Some(utc)) => (
                    New::When {
                        input,
                        day: field.kind != "date_time",
                        utc,
                    },
                    Value::Null,
                ),
                _ => {
                    return Err(wrong(
                        "an ISO 8601 date (2026-12-24), a date-time (2026-12-24T10:00:00, read in the account's time zone, or with an offset or Z), or Unix seconds, in the years 1900 to 2999",
                    ));
                }
            }
        }
        ("select" | "radiobutton", Value::Array(_)) => {
            return Err(wrong(&format!(
                "one option ({})",
                options_list(field.options())
            )));
        }
        ("select" | "radiobutton", _) => {
            let option = option(field, &what, value)?;
            (New::Options(vec![option.id]), json!(option.value))
        }
        ("multiselect", _) => {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            if items.is_empty() {
                return Err(format!(
                    "{what} takes a list of options (null clears the field), got an empty list"
                ));
            }
            let mut ids = Vec::new();
            let mut texts = Vec::new();
            let mut problems = Vec::new();
            for item in items {
                match option(field, &what, item) {
                    Ok(option) if !ids.contains(&option.id) => {
                        ids.push(option.id);
                        texts.push(json!(option.value));
                    }
                    Ok(_) => {}
                    Err(problem) => problems.push(problem),
                }
            }
            if !problems.is_empty() {
                return Err(problems.join("; "));
            }
            (New::Options(ids), Value::Array(texts))
        }
        ("multitext", _) if owner.entity == "contact" => {
            return Err(format!(
                "{what}: fields does not set phones and e-mails; use add_phone or add_email, which keep the contact's others"
            ));
        }
        (kind, _) => return Err(unsupported(&what, kind, owner.tool)),
    };
    Ok(Planned {
        field_id: field.id,
        name: field.name.clone(),
        kind: field.kind.clone(),
        shown,
        new,
    })
}

/// The option `value` names: its text (under the names rule) or its enum id.
fn option<'a>(field: &'a CustomField, what: &str, value: &Value) -> Result<&'a FieldEnum, String> {
    let options = field.options();
    let found = match value {
        Value::Number(n) => n
            .as_i64()
            .and_then(|id| options.iter().find(|o| o.id == id)),
        Value::String(text) => match names::pick(text, options, |o| [o.value.as_str()]) {
            Pick::One(option) => Some(option),
            Pick::Several(many) => {
                return Err(format!(
                    "{what}: {} matches several of its options ({}); use the option's enum id",
                    describe(value),
                    many.iter()
                        .map(|o| format!("{:?} ({})", o.value, o.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Pick::None => text
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| options.iter().find(|o| o.id == id)),
        },
        _ => None,
    };
    found.ok_or_else(|| {
        format!(
            "{what}: {} is not one of its options; they are {}",
            describe(value),
            options_list(options)
        )
    })
}

fn options_list(options: &[FieldEnum]) -> String {
    if options.is_empty() {
        return "none".to_owned();
    }
    options
        .iter()
        .map(|o| format!("{:?} ({})", o.value, o.id))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(
        id: i64,
        name: &str,
        code: Option<&str>,
        kind: &str,
        enums: &[(i64, &str)],
    ) -> CustomField {
        CustomField {
            id,
            name: name.to_owned(),
            kind: kind.to_owned(),
            code: code.map(str::to_owned),
            enums: (!enums.is_empty()).then(|| {
                enums
                    .iter()
                    .map(|(id, value)| FieldEnum {
                        id: *id,
                        value: (*value).to_owned(),
                    })
                    .collect()
            }),
        }
    }

    fn fields() -> Vec<CustomField> {
        vec![
            field(
                1,
                "Source",
                None,
                "select",
                &[(11, "WhatsApp"), (12, "Instagram")],
            ),
            field(
                2,
                "Interests",
                Some("INTERESTS"),
                "multiselect",
                &[(21, "Pricing"), (22, "Demo")],
            ),
            field(3, "Employees", None, "numeric", &[]),
            field(4, "Due", None, "date", &[]),
            field(5, "Note", None, "text", &[]),
            field(6, "Dup", None, "text", &[]),
            field(7, "dup", None, "checkbox", &[]),
            field(8, "Address", None, "streetaddress", &[]),
            field(9, "Razão social", None, "legal_entity", &[]),
        ]
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn keys_by_name_code_and_id_with_enum_ids() {
        let plan = plan(
            &fields(),
            &object(json!({"source": "instagram", "interests": ["Demo", 21], "3": 12.5, "Due": "2023-11-14", "note": null})),
            "acme",
        )
        .unwrap();
        let items: Vec<Value> = plan.iter().map(|p| p.item(&AccountZone::utc())).collect();
        assert_eq!(
            items,
            vec![
                json!({"field_id": 1, "values": [{"enum_id": 12}]}),
                json!({"field_id": 2, "values": [{"enum_id": 22}, {"enum_id": 21}]}),
                json!({"field_id": 3, "values": [{"value": 12.5}]}),
                json!({"field_id": 4, "values": [{"value": 1_699_920_000}]}),
                json!({"field_id": 5, "values": null}),
            ]
        );
    }

    #[test]
    fn every_problem_is_listed_with_the_options() {
        let problems = plan(
            &fields(),
            &object(json!({"Source": "Telegram", "Nope": 1, "dup": "x", "Employees": "many", "razao social": "x", "interests": ["Demo", "Nada"], "Note": "x".repeat(257)})),
            "acme",
        )
        .unwrap_err();
        let text = problems.join("\n");
        assert_eq!(problems.len(), 7, "{text}");
        assert!(text.contains("the text \"Telegram\" is not one of its options; they are \"WhatsApp\" (11), \"Instagram\" (12)"), "{text}");
        assert!(
            text.contains("\"Nope\" names no lead custom field of account \"acme\""),
            "{text}"
        );
        assert!(
            text.contains("\"dup\" is ambiguous: 2 fields match it (\"Dup\" (id 6, no code, text), \"dup\" (id 7, no code, checkbox)); use the id or the code instead"),
            "{text}"
        );
        assert!(
            text.contains("\"Employees\" (numeric field 3) takes a number, got the text \"many\""),
            "{text}"
        );
        assert!(
            text.contains("\"razao social\" (legal_entity field 9): update_lead_fields cannot set legal_entity fields: "),
            "{text}"
        );
        assert!(text.contains("\"interests\" (multiselect field 2): the text \"Nada\" is not one of its options; they are \"Pricing\" (21), \"Demo\" (22)"), "{text}");
        assert!(text.contains("at most 256 characters"), "{text}");
    }

    #[test]
    fn names_and_options_match_in_every_script_and_accents_only_when_unambiguous() {
        let fields = vec![
            field(
                1,
                "Preço",
                None,
                "select",
                &[(11, "Básico"), (12, "Премиум"), (13, "Straße")],
            ),
            field(2, "Aniversário", None, "birthday", &[]),
            field(3, "utm_source", Some("UTM_SOURCE"), "tracking_data", &[]),
            field(4, "utm_source", None, "text", &[]),
            field(5, "Valor", None, "monetary", &[]),
            field(6, "Endereço", None, "streetaddress", &[]),
            field(7, "Estado", None, "text", &[]),
            field(8, "Éstado", None, "text", &[]),
        ];
        let plan = plan(
            &fields,
            &object(json!({"PREÇO": "ПРЕМИУМ", "aniversario": "2024-06-06", "UTM_SOURCE": "google", "4": "x", "VALOR": 1500.5, "endereco": "Rua A, 1"})),
            "acme",
        )
        .unwrap();
        let items: Vec<Value> = plan.iter().map(|p| p.item(&AccountZone::utc())).collect();
        assert_eq!(
            items,
            vec![
                json!({"field_id": 1, "values": [{"enum_id": 12}]}),
                json!({"field_id": 2, "values": [{"value": 1_717_632_000}]}),
                json!({"field_id": 3, "values": [{"value": "google"}]}),
                json!({"field_id": 4, "values": [{"value": "x"}]}),
                json!({"field_id": 5, "values": [{"value": 1500.5}]}),
                json!({"field_id": 6, "values": [{"value": "Rua A, 1"}]}),
            ]
        );
        let one = |key: &str, value: Value| plan_one(&fields, key, value);
        assert_eq!(one("preco", json!("basico")), Ok(json!([{"enum_id": 11}])));
        assert_eq!(one("Preço", json!("STRASSE")), Ok(json!([{"enum_id": 13}])));
        // "estado" is the same name as "Estado": "Éstado" differing in accents does not count
        assert_eq!(one("ESTADO", json!("x")), Ok(json!([{"value": "x"}])));
        let ambiguous = one("utm_source", json!("x")).unwrap_err();
        assert_eq!(
            ambiguous,
            "fields key \"utm_source\" is ambiguous: 2 fields match it (\"utm_source\" (id 3, code UTM_SOURCE, tracking_data), \"utm_source\" (id 4, no code, text)); use the id or the code instead"
        );
        assert!(
            one("estádo", json!("x"))
                .unwrap_err()
                .contains("is ambiguous")
        );
        assert_eq!(
            one("Valor", json!("mil")).unwrap_err(),
            "\"Valor\" (monetary field 5) takes a number, got the text \"mil\""
        );
    }

    fn plan_one(fields: &[CustomField], key: &str, value: Value) -> Result<Value, String> {
        plan(fields, &object(json!({ key: value })), "acme")
            .map(|mut p| p.remove(0).item(&AccountZone::utc())["values"].clone())
            .map_err(|problems| problems.join("; "))
    }

    #[test]
    fn contact_fields_are_named_checked_and_phones_sent_elsewhere() {
        let contact_fields = vec![
            field(5101, "Phone", Some("PHONE"), "multitext", &[]),
            field(5103, "Cargo", Some("POSITION"), "text", &[]),
            field(
                5104,
                "Canal preferido",
                None,
                "select",
                &[(6201, "WhatsApp"), (6202, "Llamada")],
            ),
            field(5105, "Data de nascimento", None, "birthday", &[]),
        ];
        let planned = plan_for(
            &contact_fields,
            &object(json!({"cargo": "Gerente", "canal preferido": "llamada", "DATA DE NASCIMENTO": "1990-05-17"})),
            "acme",
            &CONTACT_FIELDS,
        )
        .unwrap();
        let items: Vec<Value> = planned
            .iter()
            .map(|p| p.item(&AccountZone::utc()))
            .collect();
        assert_eq!(
            items,
            vec![
                json!({"field_id": 5103, "values": [{"value": "Gerente"}]}),
                json!({"field_id": 5104, "values": [{"enum_id": 6202}]}),
                json!({"field_id": 5105, "values": [{"value": 642_902_400}]}),
            ]
        );
        let problems = plan_for(
            &contact_fields,
            &object(
                json!({"Phone": "+54 11 5555-0101", "Empresa": "Acme", "Canal preferido": "Fax"}),
            ),
            "acme",
            &CONTACT_FIELDS,
        )
        .unwrap_err();
        let text = problems.join("\n");
        assert_eq!(problems.len(), 3, "{text}");
        assert!(
            text.contains("\"Empresa\" names no contact custom field of account \"acme\""),
            "{text}"
        );
        assert!(
            text.contains("\"Cargo\" (id 5103, code POSITION, text)"),
            "the unknown key lists the contact fields: {text}"
        );
        assert!(text.contains("use add_phone or add_email"), "{text}");
        assert!(text.contains("\"Llamada\" (6202)"), "{text}");
    }

    #[test]
    fn two_keys_for_one_field_are_a_problem() {
        let problems = plan(
            &fields(),
            &object(json!({"1": "WhatsApp", "Source": "WhatsApp"})),
            "acme",
        )
        .unwrap_err();
        assert_eq!(
            problems,
            ["fields keys \"1\" and \"Source\" both name the field \"Source\" (1)"]
        );
    }

    impl Planned {
        fn is_set_utc(&self, current: Option<&CustomFieldValue>) -> bool {
            self.is_set(current, &AccountZone::utc())
        }
    }

    #[test]
    fn dates_are_days_of_the_account_zone() {
        let buenos_aires = AccountZone::named("America/Argentina/Buenos_Aires").unwrap();
        let due = |value: Value| {
            plan(&fields(), &object(json!({ "Due": value })), "acme")
                .unwrap()
                .remove(0)
        };
        let current = |seconds: i64| -> CustomFieldValue {
            serde_json::from_value(json!({"field_id": 4, "values": [{"value": seconds}]})).unwrap()
        };
        let day = due(json!("2024-06-06"));
        assert!(day.needs_zone());
        assert_eq!(
            day.item(&buenos_aires),
            json!({"field_id": 4, "values": [{"value": 1_717_642_800}]})
        );
        assert_eq!(day.shown(&buenos_aires), json!("2024-06-06"));
        assert!(day.is_set(Some(&current(1_717_642_800)), &buenos_aires));
        assert!(
            day.is_set(Some(&current(1_717_642_800 + 86_399)), &buenos_aires),
            "the same day"
        );
        assert!(
            !day.is_set(Some(&current(1_717_632_000)), &buenos_aires),
            "midnight UTC is the evening before in Buenos Aires"
        );
        // a date-time given for a date field keeps its day in the account's zone
        assert_eq!(
            due(json!("2024-06-07T01:30:00Z")).item(&buenos_aires)["values"][0]["value"],
            1_717_642_800
        );
        for bad in [json!("2024-06-31"), json!("1800-01-01"), json!(true)] {
            assert!(
                plan(&fields(), &object(json!({ "Due": bad })), "acme").is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn already_set_values_are_recognised() {
        let current = |values: Value| -> CustomFieldValue {
            serde_json::from_value(json!({"field_id": 0, "values": values})).unwrap()
        };
        let one = |key: &str, value: Value| {
            plan(&fields(), &object(json!({ key: value })), "acme")
                .unwrap()
                .remove(0)
        };
        assert!(one("Source", json!("WhatsApp")).is_set_utc(Some(&current(
            json!([{"value": "WhatsApp", "enum_id": 11}])
        ))));
        assert!(!one("Source", json!("Instagram")).is_set_utc(Some(&current(
            json!([{"value": "WhatsApp", "enum_id": 11}])
        ))));
        assert!(
            one("Interests", json!(["Demo", "Pricing"])).is_set_utc(Some(&current(
                json!([{"value": "Pricing", "enum_id": 21}, {"value": "Demo", "enum_id": 22}])
            )))
        );
        assert!(!one("Interests", json!(["Demo"])).is_set_utc(Some(&current(
            json!([{"value": "Pricing", "enum_id": 21}, {"value": "Demo", "enum_id": 22}])
        ))));
        assert!(one("Employees", json!(250)).is_set_utc(Some(&current(json!([{"value": "250"}])))));
        assert!(one("Due", json!(5)).is_set_utc(Some(&current(json!([{"value": 5}])))));
        assert!(one("Note", json!(null)).is_set_utc(None));
        assert!(!one("Note", json!("x")).is_set_utc(None));
    }
}
