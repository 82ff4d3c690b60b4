//! A lead PATCH's tags (<https://developers.kommo.com/reference/update-tags-single-entity>):
//! `_embedded.tags` replaces the lead's tags, `tags_to_add` / `tags_to_delete` add and remove
//! some; items name a tag by `id` (one of the account's lead tags) or by `name` (an unknown
//! name creates the tag, as Kommo does).

use serde_json::{Map, Value};

use crate::problem::FieldError;
use crate::state::{AccountData, Lead};

/// A tag named in a PATCH.
#[derive(Clone, Debug)]
pub(super) enum TagRef {
    Id(i64),
    Name(String),
}

/// The validated tag changes of one PATCH.
#[derive(Default)]
pub(super) struct TagChange {
    /// `_embedded.tags`: `Some(list)` replaces (an empty list or `null` detaches all).
    replace: Option<Vec<TagRef>>,
    add: Vec<TagRef>,
    delete: Vec<TagRef>,
}

/// The longest tag name kept.
const MAX_NAME: usize = 255;

impl TagChange {
    /// Reads the body's tag keys; errors name `tags_to_add.0.id` and the like.
    pub(super) fn plan(
        data: &AccountData,
        body: &Map<String, Value>,
        errors: &mut Vec<FieldError>,
    ) -> TagChange {
        let replace = match body.get("_embedded").map(|e| e.get("tags")) {
            None | Some(None) => None,
            Some(Some(Value::Null)) => Some(Vec::new()),
            Some(Some(list)) => Some(refs(data, list, "_embedded.tags", errors)),
        };
        let list = |key: &str, errors: &mut Vec<FieldError>| match body.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(list) => refs(data, list, key, errors),
        };
        TagChange {
            replace,
            add: list("tags_to_add", errors),
            delete: list("tags_to_delete", errors),
        }
    }

    /// Applies the change to `lead`, creating tags named for the first time.
    pub(super) fn apply(&self, lead: &mut Lead, tags: &mut Vec<(i64, String)>, next_id: &mut i64) {
        let mut resolve = |tag: &TagRef, create: bool| -> Option<(i64, String)> {
            match tag {
                TagRef::Id(id) => tags.iter().find(|(t, _)| t == id).cloned(),
                TagRef::Name(name) => match tags.iter().find(|(_, n)| n.eq_ignore_ascii_case(name))
                {
                    Some(found) => Some(found.clone()),
                    None if create => {
                        let tag = (*next_id, name.clone());
                        *next_id += 1;
                        tags.push(tag.clone());
                        Some(tag)
                    }
                    None => None,
                },
            }
        };
        if let Some(list) = &self.replace {
            lead.tags.clear();
            for tag in list {
                if let Some(found) = resolve(tag, true)
                    && !lead.tags.iter().any(|(id, _)| *id == found.0)
                {
                    lead.tags.push(found);
                }
            }
        }
        for tag in &self.add {
            if let Some(found) = resolve(tag, true)
                && !lead.tags.iter().any(|(id, _)| *id == found.0)
            {
                lead.tags.push(found);
            }
        }
        for tag in &self.delete {
            if let Some((gone, _)) = resolve(tag, false) {
                lead.tags.retain(|(id, _)| *id != gone);
            }
        }
    }
}

/// The items of one tag list.
fn refs(data: &AccountData, list: &Value, key: &str, errors: &mut Vec<FieldError>) -> Vec<TagRef> {
    let Value::Array(items) = list else {
        errors.push(FieldError::invalid_type(key));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match (item.get("id"), item.get("name")) {
            (Some(id), _) => match id.as_i64() {
                Some(id) if data.tags.iter().any(|(t, _)| *t == id) => out.push(TagRef::Id(id)),
                Some(_) => errors.push(FieldError::not_supported_choice(format!("{key}.{i}.id"))),
                None => errors.push(FieldError::invalid_type(format!("{key}.{i}.id"))),
            },
            (None, Some(Value::String(name)))
                if !name.trim().is_empty() && name.chars().count() <= MAX_NAME =>
            {
                out.push(TagRef::Name(name.trim().to_owned()));
            }
            (None, Some(Value::String(name))) if name.trim().is_empty() => {
                errors.push(FieldError::not_blank(format!("{key}.{i}.name")));
            }
            (None, Some(Value::String(_))) => errors.push(FieldError {
                code: "TooLong",
                path: format!("{key}.{i}.name"),
                detail: "This value is too long. It should have 255 characters or less.",
            }),
            _ => errors.push(FieldError::invalid_type(format!("{key}.{i}"))),
        }
    }
    out
}
