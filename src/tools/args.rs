//! A tool's arguments: one struct per tool, declared with [`tool_args!`], that is the single
//! source of both its input schema (derived by schemars) and its parsing. Each field's type
//! is a small wrapper ([`Id`], [`Text`], …) whose [`Arg::read`] checks the value and names
//! what is wrong, so one answer lists every wrong argument before anything is sent to Kommo.

use std::borrow::Cow;

use rmcp::schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

/// The largest id Kommo accepts (its ids are 32-bit signed integers).
pub(super) const MAX_ID: i64 = i32::MAX as i64;

/// One argument's type: how it is read from the call's JSON, with a problem naming it.
pub(super) trait Arg: Sized {
    /// Reads argument `name`; `value` is `None` when the call did not give it.
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String>;
}

/// A tool's whole argument struct (implemented by [`tool_args!`]).
pub(super) trait ToolArgs: Sized {
    /// Reads every field, or every problem (one per wrong argument).
    fn read_all(args: &rmcp::model::JsonObject) -> Result<Self, Vec<String>>;

    /// Reads every field, or one sentence naming every wrong argument.
    fn parse(args: &rmcp::model::JsonObject) -> Result<Self, String> {
        Self::read_all(args).map_err(|problems| invalid(&problems))
    }

    /// As [`ToolArgs::parse`], with `more` problems found across arguments (e.g. "exactly
    /// one of …") listed after the fields' own.
    fn parse_with(args: &rmcp::model::JsonObject, more: Vec<String>) -> Result<Self, String> {
        match Self::read_all(args) {
            Ok(parsed) if more.is_empty() => Ok(parsed),
            Ok(_) => Err(invalid(&more)),
            Err(mut problems) => {
                problems.extend(more);
                Err(invalid(&problems))
            }
        }
    }
}

/// The problem when not exactly one of `names` is given (absent and `null` count as not given).
pub(super) fn exactly_one(args: &rmcp::model::JsonObject, names: &[&str]) -> Option<String> {
    let given: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| args.get(*name).is_some_and(|value| !value.is_null()))
        .collect();
    match given.len() {
        1 => None,
        0 => Some(format!("give one of {}", names.join(" or "))),
        _ => Some(format!("give only one of {}, not both", names.join(" or "))),
    }
}

/// The answer's reason when arguments are wrong: every problem, then that nothing was sent.
pub(super) fn invalid(problems: &[String]) -> String {
    format!(
        "Invalid arguments: {}. Nothing was sent to Kommo.",
        problems.join("; ")
    )
}

/// Declares a tool's argument struct: derives its JSON schema and implements [`ToolArgs`]
/// by reading each field with its type's [`Arg::read`]. Field docs become the schema's
/// descriptions.
macro_rules! tool_args {
    (
        $(#[$smeta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        #[derive(rmcp::schemars::JsonSchema)]
        #[schemars(crate = "rmcp::schemars")]
        $(#[$smeta])*
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::tools::args::ToolArgs for $name {
            #[allow(unused_variables, unused_mut)]
            fn read_all(args: &rmcp::model::JsonObject) -> Result<Self, Vec<String>> {
                let mut problems: Vec<String> = Vec::new();
                $(
                    let $field = match <$ty as $crate::tools::args::Arg>::read(
                        stringify!($field),
                        args.get(stringify!($field)),
                    ) {
                        Ok(value) => Some(value),
                        Err(problem) => {
                            problems.push(problem);
                            None
                        }
                    };
                )*
                match ($($field,)*) {
                    ($(Some($field),)*) if problems.is_empty() => Ok(Self { $($field),* }),
                    _ => Err(problems),
                }
            }
        }
    };
}
pub(crate) use tool_args;

tool_args! {
    /// No arguments.
    #[schemars(extend("additionalProperties" = false))]
    pub(super) struct NoArgs {}
}

/// Optional arguments: absent or `null` is `None`.
impl<T: Arg> Arg for Option<T> {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::read(name, Some(value)).map(Some),
        }
    }
}

/// A Kommo id: a JSON integer from 1 to 2147483647.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Id(pub i64);

impl Arg for Id {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        whole_number(name, value, 1, "a Kommo id", "Kommo ids are 32-bit").map(Id)
    }
}

impl JsonSchema for Id {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
    }
}

/// A whole amount Kommo stores in a 32-bit integer: 0 to 2147483647 (a lead's price).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Amount(pub i64);

impl Arg for Amount {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        whole_number(name, value, 0, "an amount", "Kommo stores it in 32 bits").map(Amount)
    }
}

impl JsonSchema for Amount {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "format": "int64", "minimum": 0, "maximum": MAX_ID})
    }
}

/// A JSON integer from `min` to [`MAX_ID`]; `what` says what is expected when it is absent.
fn whole_number(
    name: &str,
    value: Option<&Value>,
    min: i64,
    what: &str,
    bits: &str,
) -> Result<i64, String> {
    match value {
        None | Some(Value::Null) => Err(format!(
            "{name} is required ({what}, a whole number from {min} to {MAX_ID})"
        )),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(n) if (min..=MAX_ID).contains(&n) => Ok(n),
            Some(n) if n < min && min == 1 => {
                Err(format!("{name} must be greater than 0, got {n}"))
            }
            Some(n) if n < min => Err(format!("{name} must be at least {min}, got {n}")),
            Some(n) => Err(format!("{name} must be at most {MAX_ID} ({bits}), got {n}")),
            None if number.as_u64().is_some() => Err(format!(
                "{name} must be at most {MAX_ID} ({bits}), got {number}"
            )),
            None => Err(format!("{name} must be a whole number, got {number}")),
        },
        Some(other) => Err(format!(
            "{name} must be a whole number ({what}), got {}",
            describe(other)
        )),
    }
}

/// A text that is not empty (nor only spaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Text(pub String);

impl Arg for Text {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        text(name, value, None).map(Text)
    }
}

impl JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 1})
    }
}

/// A tag's name: not empty, at most 255 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TagName(pub String);

/// The longest tag name Kommo keeps.
pub(super) const MAX_TAG_NAME: usize = 255;

impl Arg for TagName {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        text(name, value, Some(MAX_TAG_NAME)).map(TagName)
    }
}

impl JsonSchema for TagName {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "TagName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 1, "maxLength": MAX_TAG_NAME})
    }
}

fn text(name: &str, value: Option<&Value>, max: Option<usize>) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Err(format!("{name} is required (a non-empty text)")),
        Some(Value::String(text)) if text.trim().is_empty() => {
            Err(format!("{name} must not be empty"))
        }
        Some(Value::String(text)) => match max {
            Some(max) if text.chars().count() > max => Err(format!(
                "{name} must be at most {max} characters, got {}",
                text.chars().count()
            )),
            _ => Ok(text.clone()),
        },
        Some(other) => Err(format!("{name} must be a text, got {}", describe(other))),
    }
}

/// A JSON boolean.
impl Arg for bool {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            Some(Value::Bool(flag)) => Ok(*flag),
            None | Some(Value::Null) => Err(format!("{name} is required (true or false)")),
            Some(other) => Err(format!(
                "{name} must be true or false, got {}",
                describe(other)
            )),
        }
    }
}

/// A JSON object of values by key (checked further by the tool that takes it).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Object(pub serde_json::Map<String, Value>);

impl Arg for Object {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            Some(Value::Object(map)) if map.is_empty() => {
                Err(format!("{name} must name at least one field"))
            }
            Some(Value::Object(map)) => Ok(Object(map.clone())),
            None | Some(Value::Null) => Err(format!("{name} is required (an object)")),
            Some(other) => Err(format!("{name} must be an object, got {}", describe(other))),
        }
    }
}

impl JsonSchema for Object {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Object".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "object", "minProperties": 1})
    }
}

/// A short description of a JSON value for a problem sentence.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("the text {:?}", truncate(text)),
        Value::Bool(flag) => format!("{flag}"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::Number(number) => number.to_string(),
        Value::Null => "null".to_owned(),
    }
}

fn truncate(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

/// A non-empty text of at most `MAX` characters.
pub(super) struct Bounded<const MAX: usize>(pub String);

impl<const MAX: usize> Arg for Bounded<MAX> {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            None | Some(Value::Null) => Err(format!("{name} is required (a non-empty text)")),
            Some(Value::String(text)) if text.trim().is_empty() => {
                Err(format!("{name} must not be empty"))
            }
            Some(Value::String(text)) if text.chars().count() > MAX => {
                Err(format!("{name} must be at most {MAX} characters"))
            }
            Some(Value::String(text)) => Ok(Bounded(text.clone())),
            Some(other) => Err(format!("{name} must be a text, got {}", describe(other))),
        }
    }
}

impl<const MAX: usize> JsonSchema for Bounded<MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Text{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 1, "maxLength": MAX})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    tool_args! {
        /// Test arguments.
        struct NoteArgs {
            /// The lead.
            lead_id: Id,
            /// The text.
            note: Text,
            /// Maybe.
            dry_run: Option<bool>,
        }
    }

    fn read(args: Value) -> Result<(i64, String), String> {
        let object = args.as_object().unwrap().clone();
        NoteArgs::parse(&object).map(|a| {
            assert_ne!(a.dry_run, Some(false));
            (a.lead_id.0, a.note.0)
        })
    }

    #[test]
    fn accepts_good_arguments() {
        assert_eq!(
            read(json!({"lead_id": 5, "note": "hi"})).unwrap(),
            (5, "hi".to_owned())
        );
        assert!(read(json!({"lead_id": MAX_ID, "note": "x", "dry_run": true})).is_ok());
    }

    #[test]
    fn names_every_bad_argument_at_once() {
        let err = read(json!({"lead_id": "12", "dry_run": 1})).unwrap_err();
        assert_eq!(
            err,
            "Invalid arguments: lead_id must be a whole number (a Kommo id), got the text \"12\"; \
             note is required (a non-empty text); dry_run must be true or false, got 1. \
             Nothing was sent to Kommo."
        );
    }

    #[test]
    fn names_each_bad_argument() {
        for (args, expected) in [
            (json!({"note": "x"}), "lead_id is required"),
            (
                json!({"lead_id": "12", "note": "x"}),
                "lead_id must be a whole number",
            ),
            (
                json!({"lead_id": 0, "note": "x"}),
                "lead_id must be greater than 0",
            ),
            (
                json!({"lead_id": -4, "note": "x"}),
                "lead_id must be greater than 0",
            ),
            (
                json!({"lead_id": 2147483648u64, "note": "x"}),
                "at most 2147483647",
            ),
            (
                json!({"lead_id": 1e30, "note": "x"}),
                "lead_id must be a whole number",
            ),
            (
                json!({"lead_id": 1.5, "note": "x"}),
                "lead_id must be a whole number",
            ),
            (
                json!({"lead_id": 1, "note": "  "}),
                "note must not be empty",
            ),
            (json!({"lead_id": 1, "note": 3}), "note must be a text"),
            (json!({"lead_id": 1}), "note is required"),
        ] {
            let err = read(args.clone()).unwrap_err();
            assert!(err.contains(expected), "{args}: {err}");
            assert!(err.contains("Nothing was sent to Kommo"));
        }
    }

    #[test]
    fn amounts_and_tag_names() {
        assert_eq!(Amount::read("b", Some(&json!(0))), Ok(Amount(0)));
        for bad in [json!(12.5), json!(-1), json!("abc")] {
            let err = Amount::read("budget_field_value", Some(&bad)).unwrap_err();
            assert!(err.starts_with("budget_field_value must"), "{err}");
        }
        let long = "x".repeat(256);
        assert!(TagName::read("tag_name", Some(&json!(long))).is_err());
        assert!(TagName::read("tag_name", Some(&json!("x".repeat(255)))).is_ok());
    }
}
