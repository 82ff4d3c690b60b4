//! An argument that names one of the account's things (a user, a loss reason) by its id or
//! by its name (or e-mail): a JSON integer, or a text (a text of digits is an id too).

use std::borrow::Cow;

use rmcp::schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use super::args::{Arg, Id, MAX_ID, describe};

/// An id or a name, as the caller gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum IdOrName {
    Id(i64),
    Name(String),
}

impl Arg for IdOrName {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            Some(Value::String(text)) if text.trim().is_empty() => {
                Err(format!("{name} must not be empty"))
            }
            Some(Value::String(text)) => match text.trim().parse::<i64>() {
                Ok(id) if (1..=MAX_ID).contains(&id) => Ok(IdOrName::Id(id)),
                _ => Ok(IdOrName::Name(text.trim().to_owned())),
            },
            Some(number @ Value::Number(_)) => {
                Id::read(name, Some(number)).map(|id| IdOrName::Id(id.0))
            }
            None | Some(Value::Null) => Err(format!("{name} is required (an id or a name)")),
            Some(other) => Err(format!(
                "{name} must be an id or a name, got {}",
                describe(other)
            )),
        }
    }
}

impl JsonSchema for IdOrName {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "IdOrName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": ["integer", "string"], "minimum": 1, "maximum": MAX_ID, "minLength": 1})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_digit_texts_are_ids_other_texts_names() {
        let read = |v: Value| IdOrName::read("user", Some(&v));
        assert_eq!(read(json!(7)), Ok(IdOrName::Id(7)));
        assert_eq!(read(json!(" 7 ")), Ok(IdOrName::Id(7)));
        assert_eq!(read(json!("Ana")), Ok(IdOrName::Name("Ana".into())));
        assert!(read(json!("")).is_err());
        assert!(read(json!(0)).is_err());
        assert!(read(json!(true)).is_err());
        assert!(IdOrName::read("user", None).is_err());
    }
}
