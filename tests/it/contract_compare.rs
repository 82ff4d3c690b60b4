//! The shape comparer of the contract suite: whether an answer has the same shape as a
//! recorded or documented Kommo answer — the same keys, the same JSON types (strings where
//! Kommo sends strings), `enum_code` beside `enum_id`, the same `_embedded` / `_links`
//! layout. Values are not compared, only what kind of thing each one is.

use serde_json::Value;

/// Keys a real answer may lack (SOURCES.md, "What these answers show", 6 and 7): present
/// in some recordings and absent from others.
const OPTIONAL_KEYS: &[&str] = &[
    "is_computed",
    "labor_cost",
    "score",
    "source_id",
    "is_price_modified_by_robot",
    "first",
    "prev",
    "next",
    "last",
    "_page",
    "_total_items",
    "_page_count",
];

/// Every difference of shape between `actual` and the `reference` answer, one line each
/// (empty when the shapes agree).
pub fn differences(reference: &Value, actual: &Value) -> Vec<String> {
    let mut found = Vec::new();
    compare(reference, actual, "$", &mut found);
    found
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(reference: &Value, actual: &Value, at: &str, found: &mut Vec<String>) {
    match (reference, actual) {
        // null stands for "no value" on either side: a nullable key
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(want), Value::Object(have)) => {
            for (key, wanted) in want {
                match have.get(key) {
                    Some(had) => compare(wanted, had, &format!("{at}.{key}"), found),
                    None if OPTIONAL_KEYS.contains(&key.as_str()) => {}
                    None => found.push(format!("{at}.{key}: missing")),
                }
            }
        }
        (Value::Array(want), Value::Array(have)) => {
            for (i, had) in have.iter().enumerate() {
                if let Some(wanted) = counterpart(want, had) {
                    compare(wanted, had, &format!("{at}[{i}]"), found);
                }
            }
        }
        _ if kind(reference) == kind(actual) => {}
        _ => found.push(format!(
            "{at}: {} where Kommo sends {} ({reference})",
            kind(actual),
            kind(reference)
        )),
    }
}

/// The reference element an array element is compared with: a custom field's value with
/// the reference field of the same `field_type` (or `field_code`), a part of a value with
/// the reference part of the same `enum_code` kind, anything else with the first element.
fn counterpart<'a>(reference: &'a [Value], element: &Value) -> Option<&'a Value> {
    for key in ["field_type", "field_code"] {
        if let Some(wanted) = element.get(key).filter(|v| !v.is_null()) {
            return reference.iter().find(|r| r.get(key) == Some(wanted));
        }
    }
    reference.first()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_number_where_kommo_sends_a_string_is_a_difference() {
        let reference = json!({"custom_fields_values": [
            {"field_type": "numeric", "values": [{"value": "14012"}]},
            {"field_type": "date", "values": [{"value": 1717642800}]},
        ]});
        let actual = json!({"custom_fields_values": [
            {"field_type": "date", "values": [{"value": 1717642800}]},
            {"field_type": "numeric", "values": [{"value": 250}]},
        ]});
        assert_eq!(
            differences(&reference, &actual),
            [
                "$.custom_fields_values[1].values[0].value: number where Kommo sends string (\"14012\")"
            ]
        );
    }

    #[test]
    fn a_missing_enum_code_and_a_misplaced_embed_are_differences() {
        let reference = json!({"_embedded": {"contacts": [
            {"custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "+1", "enum_id": 1, "enum_code": "MOB"}]}]}
        ]}, "_links": {"self": {"href": "x"}}});
        let actual = json!({"contacts": [], "_embedded": {"contacts": [
            {"custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "+2", "enum": "WORK"}]}]}
        ]}});
        let mut found = differences(&reference, &actual);
        found.sort();
        assert_eq!(
            found,
            [
                "$._embedded.contacts[0].custom_fields_values[0].values[0].enum_code: missing",
                "$._embedded.contacts[0].custom_fields_values[0].values[0].enum_id: missing",
                "$._links: missing",
            ]
        );
    }

    #[test]
    fn optional_keys_null_values_and_extra_keys_are_no_difference() {
        let reference = json!({"score": null, "labor_cost": null, "closed_at": 1652194613, "is_computed": false});
        let actual = json!({"closed_at": null, "extra": 1});
        assert!(differences(&reference, &actual).is_empty());
    }
}
