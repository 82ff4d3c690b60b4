//! The validation of one `custom_fields_values` item of a lead PATCH, by the field's type
//! (<https://developers.kommo.com/reference/custom-fields>): what Kommo stores, or the
//! `validation-errors` entry it answers.

use serde_json::{Value, json};

use crate::problem::FieldError;
use crate::state::{ADDRESS_PARTS, Account, CustomField, FieldType};

/// Validates one `custom_fields_values` item (the field named by `field_id` or
/// `field_code`); `values: null` (or `[]`) clears the field.
pub(super) fn plan_field(
    account: &Account,
    item: &Value,
    i: usize,
) -> Result<(i64, Option<Vec<Value>>), FieldError> {
    plan_field_of(&account.fields, item, &format!("custom_fields_values.{i}"))
}

/// [`plan_field`] against `fields` (a lead's or a contact's), errors naming `prefix`.
pub(super) fn plan_field_of(
    fields: &[CustomField],
    item: &Value,
    prefix: &str,
) -> Result<(i64, Option<Vec<Value>>), FieldError> {
    let field = match (item.get("field_id"), item.get("field_code")) {
        (Some(id), _) => id
            .as_i64()
            .and_then(|id| fields.iter().find(|f| f.id == id)),
        (None, Some(code)) => code
            .as_str()
            .and_then(|code| fields.iter().find(|f| f.code == Some(code))),
        (None, None) => None,
    }
    .ok_or_else(|| FieldError::not_supported_choice(format!("{prefix}.field_id")))?;
    let values = match item.get("values") {
        Some(Value::Null) => return Ok((field.id, None)),
        Some(Value::Array(values)) if values.is_empty() => return Ok((field.id, None)),
        Some(Value::Array(values)) => values,
        _ => return Err(FieldError::invalid_type(format!("{prefix}.values"))),
    };
    let many = matches!(
        field.kind,
        FieldType::Multiselect | FieldType::SmartAddress | FieldType::ChainedList
    );
    let stored = if many {
        values
            .iter()
            .enumerate()
            .map(|(j, v)| one_value(field, v, &format!("{prefix}.values.{j}")))
            .collect::<Result<Vec<Value>, FieldError>>()?
    } else {
        vec![one_value(field, &values[0], &format!("{prefix}.values.0"))?]
    };
    Ok((field.id, Some(stored)))
}

/// The stored form of a single-valued field's value.
fn one_value(field: &CustomField, item: &Value, path: &str) -> Result<Value, FieldError> {
    let value = item.get("value");
    let invalid = || FieldError::invalid_type(format!("{path}.value"));
    Ok(match field.kind {
        FieldType::Checkbox => match value {
            Some(Value::Bool(b)) => json!({"value": b}),
            _ => return Err(invalid()),
        },
        FieldType::Select | FieldType::Radiobutton | FieldType::Multiselect => {
            option(field, item, path)?
        }
        FieldType::Text => match value {
            Some(Value::String(s)) if s.chars().count() > 256 => {
                return Err(FieldError::too_long(format!("{path}.value")));
            }
            Some(Value::String(s)) => json!({"value": s}),
            _ => return Err(invalid()),
        },
        FieldType::Textarea
        | FieldType::Multitext
        | FieldType::Url
        | FieldType::TrackingData
        | FieldType::StreetAddress => match value {
            Some(Value::String(s)) => json!({"value": s}),
            _ => return Err(invalid()),
        },
        // Kommo renders numeric values as strings.
        FieldType::Numeric | FieldType::Monetary => match value {
            Some(Value::Number(n)) => json!({"value": n.to_string()}),
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                json!({"value": s.trim()})
            }
            _ => return Err(invalid()),
        },
        FieldType::LegalEntity => match value {
            Some(Value::Object(parts)) => json!({"value": parts}),
            _ => return Err(invalid()),
        },
        FieldType::File => match value {
            Some(Value::Object(file)) if file.get("file_uuid").is_some_and(Value::is_string) => {
                json!({"value": file})
            }
            _ => return Err(invalid()),
        },
        FieldType::SmartAddress => address_part(item, path)?,
        FieldType::ChainedList => catalog_link(item, path)?,
        FieldType::Date | FieldType::DateTime | FieldType::Birthday => match value {
            Some(Value::Number(n)) if n.as_i64().is_some() => json!({"value": n}),
            Some(Value::String(s)) if s.parse::<i64>().is_ok() => {
                json!({"value": s.parse::<i64>().unwrap_or_default()})
            }
            _ => return Err(invalid()),
        },
    })
}

/// One part of a smart_address value, named by `enum_code` or `enum_id`; stored with both.
fn address_part(item: &Value, path: &str) -> Result<Value, FieldError> {
    let by_code = item.get("enum_code").and_then(Value::as_str);
    let by_id = item.get("enum_id").and_then(Value::as_i64);
    let index = match (by_code, by_id) {
        (Some(code), _) => ADDRESS_PARTS.iter().position(|part| *part == code),
        (None, Some(id)) => usize::try_from(id - 1)
            .ok()
            .filter(|i| *i < ADDRESS_PARTS.len()),
        (None, None) => None,
    }
    .ok_or_else(|| FieldError::not_supported_choice(format!("{path}.enum_code")))?;
    match item.get("value") {
        Some(Value::String(text)) => Ok(json!({
            "value": text,
            "enum_id": index + 1,
            "enum_code": ADDRESS_PARTS[index],
        })),
        _ => Err(FieldError::invalid_type(format!("{path}.value"))),
    }
}

/// One catalog element a chained_list links (`{catalog_id, catalog_element_id}`).
fn catalog_link(item: &Value, path: &str) -> Result<Value, FieldError> {
    let id = |key: &str| item.get(key).and_then(Value::as_i64);
    match (id("catalog_id"), id("catalog_element_id")) {
        (Some(catalog), Some(element)) => Ok(json!({
            "catalog_id": catalog,
            "catalog_element_id": element,
        })),
        _ => Err(FieldError::invalid_type(format!(
            "{path}.catalog_element_id"
        ))),
    }
}

/// One option of a select, radiobutton or multiselect field, by `enum_id` or by its text.
fn option(field: &CustomField, item: &Value, path: &str) -> Result<Value, FieldError> {
    let by_id = item.get("enum_id").and_then(Value::as_i64);
    let by_text = item.get("value").and_then(Value::as_str);
    let found = field
        .enums
        .iter()
        .find(|(id, text, _)| match (by_id, by_text) {
            (Some(wanted), _) => *id == wanted,
            (None, Some(wanted)) => wanted == text,
            (None, None) => false,
        });
    match found {
        Some((id, text, _)) => Ok(json!({"value": text, "enum_id": id, "enum_code": null})),
        None => Err(FieldError::not_supported_choice(format!("{path}.enum_id"))),
    }
}
