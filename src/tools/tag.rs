//! `add_tag` and `remove_tag` (the original server's `add_tag`, and its inverse): add or
//! remove one tag on a lead with `tags_to_add` / `tags_to_delete`, never a read-modify-write
//! of `_embedded.tags` (that replaces every tag and loses concurrent edits).

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call,
    args::{Id, TagName, ToolArgs, exactly_one, tool_args},
    outcome,
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};
use crate::kommo::models::Tag;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Add,
    Remove,
}

pub static ADD: ToolSpec = ToolSpec {
    title: "Add tag to lead",
    summary: "Add one tag to a lead, keeping its other tags.",
    description: "Add one tag to a lead in Kommo CRM, keeping its other tags, e.g. to mark a lead as \
             \"vip\" or \"needs call\". Name the tag by tag_id (its Kommo id) or by tag_name (a \
             name the account does not have yet creates the tag). Checks that the lead exists \
             first; if the lead already has the tag, nothing is changed and the call succeeds.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Tag added successfully."),
        missing: Some("Failed to add tag: the specified lead does not exist in Kommo."),
        failed: "Failed to add tag: Kommo did not accept the update request.",
    },
    definition: super::define::<TagArgs, TagOutput>,
    run: |call, args| Box::pin(run(call, args, Direction::Add)),
};

pub static REMOVE: ToolSpec = ToolSpec {
    title: "Remove tag from lead",
    summary: "Remove one tag from a lead, keeping its other tags.",
    description: "Remove one tag from a lead in Kommo CRM, keeping its other tags (the inverse of \
             add_tag). Name the tag by tag_id or by tag_name. Checks that the lead exists first; \
             if the lead does not have the tag, nothing is changed and the call succeeds.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Tag removed successfully."),
        missing: Some("Failed to remove tag: the specified lead does not exist in Kommo."),
        failed: "Failed to remove tag: Kommo did not accept the update request.",
    },
    definition: super::define::<TagArgs, TagOutput>,
    run: |call, args| Box::pin(run(call, args, Direction::Remove)),
};

impl Direction {
    fn sentences(self) -> &'static Sentences {
        match self {
            Direction::Add => &ADD.sentences,
            Direction::Remove => &REMOVE.sentences,
        }
    }

    /// The PATCH key that adds or removes tags without replacing the others.
    fn key(self) -> &'static str {
        match self {
            Direction::Add => "tags_to_add",
            Direction::Remove => "tags_to_delete",
        }
    }
}

tool_args! {
    /// Arguments of add_tag and remove_tag.
    struct TagArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The id of the tag (the original server's argument). Give tag_id or tag_name, not both.
        tag_id: Option<Id>,
        /// The tag's name (1 to 255 characters), matched without regard to case. Give tag_id or tag_name, not both.
        tag_name: Option<TagName>,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What add_tag or remove_tag did.
#[derive(Serialize, JsonSchema)]
pub struct TagOutput {
    /// The lead whose tags changed.
    pub lead_id: i64,
    /// The tag's id, when it was named by id or the lead already had it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_id: Option<i64>,
    /// The tag's name, when it was named by name or the lead already had it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_name: Option<String>,
    /// The lead's tags (names, or `#id` for a tag known only by id) after the call.
    pub tags: Vec<String>,
    /// False when the lead already had (add_tag) or lacked (remove_tag) the tag: nothing was sent.
    pub changed: bool,
}

/// The tag an argument names.
enum Wanted {
    Id(i64),
    Name(String),
}

impl Wanted {
    fn matches(&self, tag: &Tag) -> bool {
        match self {
            Wanted::Id(id) => tag.id == Some(*id),
            Wanted::Name(name) => tag
                .name
                .as_deref()
                .is_some_and(|have| have.trim().eq_ignore_ascii_case(name.trim())),
        }
    }

    fn item(&self) -> Value {
        match self {
            Wanted::Id(id) => json!({ "id": id }),
            Wanted::Name(name) => json!({ "name": name.trim() }),
        }
    }
}

fn label(tag: &Tag) -> String {
    match (&tag.name, tag.id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => format!("#{id}"),
        (None, None) => String::new(),
    }
}

async fn run(call: Call<'_>, args: &JsonObject, direction: Direction) -> CallToolResult {
    let sentences = direction.sentences();
    let one = exactly_one(args, &["tag_id", "tag_name"]);
    let args = match TagArgs::parse_with(args, one.into_iter().collect()) {
        Ok(args) => args,
        Err(problem) => return outcome::invalid_arguments(sentences.failed, problem),
    };
    let lead_id = args.lead_id.0;
    let dry_run = call.is_dry_run(args.dry_run);
    let wanted = match (args.tag_id, args.tag_name) {
        (Some(id), _) => Wanted::Id(id.0),
        (None, Some(name)) => Wanted::Name(name.0),
        (None, None) => {
            return outcome::invalid_arguments(
                sentences.failed,
                super::args::invalid(&["give one of tag_id or tag_name".to_owned()]),
            );
        }
    };
    let ids = || match &wanted {
        Wanted::Id(id) => json!({ "lead_id": lead_id, "tag_id": id }),
        Wanted::Name(name) => json!({ "lead_id": lead_id, "tag_name": name }),
    };
    let (target, lead) = match call.lead_to_change(lead_id, sentences, &ids()).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let before: Vec<Tag> = lead.embedded.map(|e| e.tags).unwrap_or_default();
    let present = before.iter().find(|tag| wanted.matches(tag)).cloned();
    let after: Vec<String> = match direction {
        Direction::Add if present.is_none() => before
            .iter()
            .map(label)
            .chain(std::iter::once(match &wanted {
                Wanted::Id(id) => format!("#{id}"),
                Wanted::Name(name) => name.trim().to_owned(),
            }))
            .collect(),
        Direction::Remove => before
            .iter()
            .filter(|tag| !wanted.matches(tag))
            .map(label)
            .collect(),
        Direction::Add => before.iter().map(label).collect(),
    };
    crate::observe::call::describe(|change| {
        change.lead_id = Some(lead_id);
        change.before = Some(json!({ "tags": before.iter().map(label).collect::<Vec<_>>() }));
        change.after = Some(json!({ "tags": after }));
    });
    let (tag_id, tag_name) = match (&wanted, &present) {
        (_, Some(tag)) => (tag.id, tag.name.clone()),
        (Wanted::Id(id), None) => (Some(*id), None),
        (Wanted::Name(name), None) => (None, Some(name.trim().to_owned())),
    };
    let needed = match direction {
        Direction::Add => present.is_none(),
        Direction::Remove => present.is_some(),
    };
    let output = TagOutput {
        lead_id,
        tag_id,
        tag_name,
        tags: after,
        changed: needed,
    };
    if !needed {
        return outcome::success(sentences.when_done(), &output);
    }
    // Remove by the id the lead's tag has, so a name differing only in case still matches.
    let item = match (&present, direction) {
        (Some(Tag { id: Some(id), .. }), Direction::Remove) => json!({ "id": id }),
        _ => wanted.item(),
    };
    let write = Write::UpdateLead {
        lead_id,
        body: json!({ direction.key(): [item] }),
    };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(written, &target, lead_id, sentences, ids(), &output)
}
