//! Kommo's values as people read them, wherever a lead is shown (docs/kommo-data.md): days
//! and times in the account's zone, numbers as numbers, address parts labelled, every value
//! of a field, and same-named fields told apart — with Kommo's own value kept beside the
//! readable one where the two differ.

use std::collections::BTreeMap;

use rmcp::schemars::{self, JsonSchema};
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::kommo::{
    AccountZone,
    models::{CustomFieldValue, FieldValue},
};

/// Kommo's own values where the readable ones differ from them, under the same keys.
#[derive(Default, Serialize, JsonSchema)]
pub(super) struct RawValues {
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    /// The custom fields whose readable value differs from Kommo's, as Kommo sent them
    /// (Unix seconds for dates, numbers as text, address parts unlabelled).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_fields: BTreeMap<String, Value>,
}

impl RawValues {
    pub(super) fn is_empty(&self) -> bool {
        self.created_at.is_none()
            && self.updated_at.is_none()
            && self.closed_at.is_none()
            && self.custom_fields.is_empty()
    }
}

/// A lead's custom fields, readable and raw, keyed by [`key`].
pub(super) struct ShownFields {
    pub readable: BTreeMap<String, Value>,
    pub raw: BTreeMap<String, Value>,
}

/// An instant in the account's zone: `2024-06-06T10:00:00-03:00`.
pub(super) fn time(zone: &AccountZone, seconds: i64) -> String {
    zone.show_instant(seconds)
        .unwrap_or_else(|| seconds.to_string())
}

/// Every custom field of a lead, none lost: a field is keyed by its name; when several of
/// the lead's fields share a name, each of them is keyed `name (field ID)`.
pub(super) fn custom_fields(fields: &[CustomFieldValue], zone: &AccountZone) -> ShownFields {
    let name = |field: &CustomFieldValue| {
        field
            .field_name
            .clone()
            .unwrap_or_else(|| format!("field {}", field.field_id))
    };
    let mut shown = ShownFields {
        readable: BTreeMap::new(),
        raw: BTreeMap::new(),
    };
    for field in fields {
        let own = name(field);
        let shared = fields
            .iter()
            .filter(|other| other.field_id != field.field_id && name(other) == own)
            .count()
            > 0;
        let key = if shared {
            format!("{own} (field {})", field.field_id)
        } else {
            own
        };
        let raw = raw_value(field);
        let readable = value(field, zone);
        if readable != raw {
            shown.raw.insert(key.clone(), raw);
        }
        shown.readable.insert(key, readable);
    }
    shown
}

/// Kommo's values of a field: one value, a list of several, or null.
pub(super) fn raw_value(field: &CustomFieldValue) -> Value {
    let values = field.values.as_deref().unwrap_or_default();
    match values {
        [] => Value::Null,
        [one] => one.value.clone(),
        many => many.iter().map(|v| v.value.clone()).collect(),
    }
}

/// A field's values as what they are, by the field's type.
pub(super) fn value(field: &CustomFieldValue, zone: &AccountZone) -> Value {
    let values = field.values.as_deref().unwrap_or_default();
    let kind = field.field_type.as_deref().unwrap_or_default();
    if kind == "smart_address" && !values.is_empty() {
        return address(values);
    }
    let each: Vec<Value> = values.iter().map(|v| one(kind, &v.value, zone)).collect();
    match (kind, each.len()) {
        ("multiselect", _) => Value::Array(each),
        (_, 0) => Value::Null,
        (_, 1) => each.into_iter().next().unwrap_or(Value::Null),
        _ => Value::Array(each),
    }
}

fn one(kind: &str, value: &Value, zone: &AccountZone) -> Value {
    let shown = match kind {
        "date" | "birthday" => seconds(value)
            .and_then(|s| zone.show_day(s))
            .map(Value::from),
        "date_time" => seconds(value)
            .and_then(|s| zone.show_instant(s))
            .map(Value::from),
        "numeric" | "monetary" => number(value).map(Value::Number),
        _ => None,
    };
    shown.unwrap_or_else(|| value.clone())
}

fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `"250"` → `250`, `"12.50"` → `12.5` (Kommo sends numeric values as text).
fn number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(whole) => Some(Number::from(whole)),
                Err(_) => s
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(Number::from_f64),
            }
        }
        _ => None,
    }
}

/// The label of an address part, by Kommo's `enum_code`, else by its `enum_id` (1–6).
fn address_label(value: &FieldValue) -> Option<&'static str> {
    let by_code = match value.enum_code.as_deref() {
        Some("address_line_1") => Some("street"),
        Some("address_line_2") => Some("street_2"),
        Some("city") => Some("city"),
        Some("state") => Some("state"),
        Some("zip") => Some("zip"),
        Some("country") => Some("country"),
        _ => None,
    };
    by_code.or(match value.enum_id {
        Some(1) => Some("street"),
        Some(2) => Some("street_2"),
        Some(3) => Some("city"),
        Some(4) => Some("state"),
        Some(5) => Some("zip"),
        Some(6) => Some("country"),
        _ => None,
    })
}

/// `{"street": …, "city": …, "zip": …, "country": …}`; a part Kommo does not label keeps
/// its code (or `part N`).
fn address(values: &[FieldValue]) -> Value {
    let mut parts = Map::new();
    for (i, value) in values.iter().enumerate() {
        let label = match (address_label(value), value.enum_code.as_deref()) {
            (Some(label), _) => label.to_owned(),
            (None, Some(code)) => code.to_owned(),
            (None, None) => format!("part {}", i + 1),
        };
        let label = if parts.contains_key(&label) {
            format!("{label} {}", i + 1)
        } else {
            label
        };
        parts.insert(label, value.value.clone());
    }
    Value::Object(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Vec<CustomFieldValue> {
        serde_json::from_value(value).unwrap()
    }

    fn buenos_aires() -> AccountZone {
        AccountZone::named("America/Argentina/Buenos_Aires").unwrap()
    }

    #[test]
    fn values_are_shown_as_what_they_are_with_the_raw_value_beside() {
        let shown = custom_fields(
            &fields(json!([
                {"field_id": 1, "field_name": "DATA", "field_type": "date", "values": [{"value": 1_717_642_800}]},
                {"field_id": 2, "field_name": "Aniversário", "field_type": "birthday", "values": [{"value": "1717642800"}]},
                {"field_id": 3, "field_name": "Reunião", "field_type": "date_time", "values": [{"value": 1_717_678_800}]},
                {"field_id": 4, "field_name": "Employees", "field_type": "numeric", "values": [{"value": "250"}]},
                {"field_id": 5, "field_name": "Budget", "field_type": "monetary", "values": [{"value": "1500.50"}]},
                {"field_id": 6, "field_name": "Interests", "field_type": "multiselect", "values": [{"value": "Demo", "enum_id": 11}]},
                {"field_id": 7, "field_name": "Day", "field_type": "text", "values": [{"value": "Thursday"}]},
                {"field_id": 8, "field_name": "Office", "field_type": "smart_address", "values": [
                    {"value": "Av. Corrientes 1234", "enum_id": 1, "enum_code": "address_line_1"},
                    {"value": "Buenos Aires", "enum_id": 3, "enum_code": "city"},
                    {"value": "C1043", "enum_id": 5},
                    {"value": "AR", "enum_id": 6, "enum_code": "country"}]},
                {"field_id": 9, "field_name": "utm_source", "field_code": "UTM_SOURCE", "field_type": "tracking_data", "values": [{"value": "google"}]}
            ])),
            &buenos_aires(),
        );
        assert_eq!(
            Value::Object(shown.readable.into_iter().collect()),
            json!({
                "DATA": "2024-06-06",
                "Aniversário": "2024-06-06",
                "Reunião": "2024-06-06T10:00:00-03:00",
                "Employees": 250,
                "Budget": 1500.5,
                "Interests": ["Demo"],
                "Day": "Thursday",
                "Office": {"street": "Av. Corrientes 1234", "city": "Buenos Aires", "zip": "C1043", "country": "AR"},
                "utm_source": "google"
            })
        );
        assert_eq!(
            Value::Object(shown.raw.into_iter().collect()),
            json!({
                "DATA": 1_717_642_800,
                "Aniversário": "1717642800",
                "Reunião": 1_717_678_800,
                "Employees": "250",
                "Budget": "1500.50",
                "Interests": "Demo",
                "Office": ["Av. Corrientes 1234", "Buenos Aires", "C1043", "AR"]
            })
        );
    }

    #[test]
    fn same_named_fields_are_all_kept_apart_by_id() {
        let shown = custom_fields(
            &fields(json!([
                {"field_id": 9, "field_name": "utm_source", "field_code": "UTM_SOURCE", "field_type": "tracking_data", "values": [{"value": "google"}]},
                {"field_id": 123, "field_name": "utm_source", "field_type": "text", "values": [{"value": "flyer"}]},
                {"field_id": 5, "field_name": "Source", "field_type": "text", "values": [{"value": "x"}]}
            ])),
            &AccountZone::utc(),
        );
        let keys: Vec<&String> = shown.readable.keys().collect();
        assert_eq!(
            keys,
            ["Source", "utm_source (field 123)", "utm_source (field 9)"]
        );
        assert_eq!(shown.readable["utm_source (field 9)"], "google");
        assert_eq!(shown.readable["utm_source (field 123)"], "flyer");
        assert!(shown.raw.is_empty());
    }

    #[test]
    fn unreadable_values_stay_as_kommo_sent_them() {
        let shown = custom_fields(
            &fields(json!([
                {"field_id": 1, "field_name": "Odd date", "field_type": "date", "values": [{"value": "soon"}]},
                {"field_id": 2, "field_name": "Odd number", "field_type": "numeric", "values": [{"value": "n/a"}]},
                {"field_id": 3, "field_name": "Empty", "field_type": "text", "values": []}
            ])),
            &AccountZone::utc(),
        );
        assert_eq!(shown.readable["Odd date"], "soon");
        assert_eq!(shown.readable["Odd number"], "n/a");
        assert_eq!(shown.readable["Empty"], Value::Null);
        assert!(shown.raw.is_empty());
    }
}
