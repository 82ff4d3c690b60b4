//! Checks a tool's arguments before anything is sent to Kommo, and names every argument
//! that is wrong.

use rmcp::model::JsonObject;
use serde_json::Value;

/// The largest id Kommo accepts (its ids are 32-bit signed integers).
pub const MAX_ID: i64 = i32::MAX as i64;

/// Reads arguments one by one, collecting every problem so one answer names them all.
pub struct ArgReader<'a> {
    args: &'a JsonObject,
    problems: Vec<String>,
}

impl<'a> ArgReader<'a> {
    pub fn new(args: &'a JsonObject) -> Self {
        Self {
            args,
            problems: Vec::new(),
        }
    }

    /// A Kommo id: a JSON integer from 1 to 2147483647.
    pub fn id(&mut self, name: &str) -> i64 {
        match self.args.get(name) {
            None | Some(Value::Null) => self.problem(format!(
                "{name} is required (a Kommo id, a whole number from 1 to {MAX_ID})"
            )),
            Some(Value::Number(number)) => match number.as_i64() {
                Some(id) if (1..=MAX_ID).contains(&id) => return id,
                Some(id) if id < 1 => {
                    self.problem(format!("{name} must be greater than 0, got {id}"))
                }
                Some(id) => self.problem(format!(
                    "{name} must be at most {MAX_ID} (Kommo ids are 32-bit), got {id}"
                )),
                None if number.as_u64().is_some() => self.problem(format!(
                    "{name} must be at most {MAX_ID} (Kommo ids are 32-bit), got {number}"
                )),
                None => self.problem(format!("{name} must be a whole number, got {number}")),
            },
            Some(other) => self.problem(format!(
                "{name} must be a whole number (a Kommo id), got {}",
                describe(other)
            )),
        }
        0
    }

    /// A non-empty string.
    pub fn text(&mut self, name: &str) -> String {
        match self.args.get(name) {
            None | Some(Value::Null) => {
                self.problem(format!("{name} is required (a non-empty text)"))
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                self.problem(format!("{name} must not be empty"))
            }
            Some(Value::String(text)) => return text.clone(),
            Some(other) => self.problem(format!("{name} must be a text, got {}", describe(other))),
        }
        String::new()
    }

    /// Whether the argument is given (present and not null).
    pub fn has(&self, name: &str) -> bool {
        !matches!(self.args.get(name), None | Some(Value::Null))
    }

    /// An optional Kommo id.
    pub fn optional_id(&mut self, name: &str) -> Option<i64> {
        self.has(name).then(|| self.id(name))
    }

    /// An optional non-empty string of at most `max` characters.
    pub fn optional_text(&mut self, name: &str, max: usize) -> Option<String> {
        if !self.has(name) {
            return None;
        }
        let text = self.text(name);
        if text.chars().count() > max {
            self.problem(format!("{name} must be at most {max} characters"));
        }
        Some(text)
    }

    /// An optional whole number from `min` to `max`.
    pub fn optional_int(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let value = self.args.get(name)?;
        match value {
            Value::Null => return None,
            Value::Number(n) => match n.as_i64() {
                Some(v) if (min..=max).contains(&v) => return Some(v),
                _ => self.problem(format!(
                    "{name} must be a whole number from {min} to {max}, got {n}"
                )),
            },
            other => self.problem(format!(
                "{name} must be a whole number from {min} to {max}, got {}",
                describe(other)
            )),
        }
        Some(min)
    }

    /// The raw value of an argument, for types read elsewhere.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.args.get(name).filter(|v| !v.is_null())
    }

    /// Records a problem found by the caller.
    pub fn invalid(&mut self, text: String) {
        self.problem(text);
    }

    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    /// `Err` with one sentence naming every wrong argument, if there were any.
    pub fn finish(self) -> Result<(), String> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "Invalid arguments: {}. Nothing was sent to Kommo.",
                self.problems.join("; ")
            ))
        }
    }
}

pub fn describe(value: &Value) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(args: Value) -> Result<(i64, String), String> {
        let object = args.as_object().unwrap().clone();
        let mut reader = ArgReader::new(&object);
        let id = reader.id("lead_id");
        let note = reader.text("note");
        reader.finish().map(|()| (id, note))
    }

    #[test]
    fn accepts_good_arguments() {
        assert_eq!(
            read(json!({"lead_id": 5, "note": "hi"})).unwrap(),
            (5, "hi".to_owned())
        );
        assert!(read(json!({"lead_id": MAX_ID, "note": "x"})).is_ok());
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
}
