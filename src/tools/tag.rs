//! `add_tag` and `remove_tag` (the original server's `add_tag`, and its inverse): add or
//! remove one tag on a lead with `tags_to_add` / `tags_to_delete`, never a read-modify-write
//! of `_embedded.tags` (that replaces every tag and loses concurrent edits).

use rmcp::{
    model::{CallToolResult, ContentBlock, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Id, TagName, ToolArgs, exactly_one, tool_args},
    names::{self, Pick},
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, Written, lead_update_answer},
};
use crate::kommo::{KommoError, models::Tag};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Add,
    Remove,
}

pub(super) static ADD: ToolSpec = ToolSpec {
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

pub(super) static REMOVE: ToolSpec = ToolSpec {
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
        /// The tag's name (1 to 255 characters), matched in any case and script (accents ignored when only one tag matches). Give tag_id or tag_name, not both.
        tag_name: Option<TagName>,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What add_tag or remove_tag did.
#[derive(Serialize, JsonSchema)]
pub(super) struct TagOutput {
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

/// What the argument names, against the lead's tags and (adding by name) the account's.
enum Resolved {
    /// The lead has this tag.
    OnLead(Tag),
    /// The lead lacks it: a tag known by id only (`tag_id`), or an account tag by name.
    Existing(Tag),
    /// add_tag by a name the account does not have: the tag is created first.
    New(String),
    /// remove_tag of a tag the lead does not have.
    Absent,
}

fn label(tag: &Tag) -> String {
    match (&tag.name, tag.id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => format!("#{id}"),
        (None, None) => String::new(),
    }
}

/// `"café" (5), "cafè" (6)`
fn listed(tags: &[&Tag]) -> String {
    tags.iter()
        .map(|tag| match (&tag.name, tag.id) {
            (Some(name), Some(id)) => format!("{name:?} ({id})"),
            _ => label(tag),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn tag_names(tag: &Tag) -> Option<&str> {
    tag.name.as_deref()
}

/// Finds the tag `wanted` names under the names rule (`names.rs`): among the lead's tags,
/// and for add_tag by name among the account's tags too (Kommo's search, cached per
/// account). Several equally good matches are a refusal listing them.
async fn resolve(
    call: &Call<'_>,
    account: &crate::kommo::Account,
    direction: Direction,
    wanted: &Wanted,
    before: &[Tag],
) -> Result<Resolved, CallToolResult> {
    let sentences = direction.sentences();
    let name = match wanted {
        Wanted::Id(id) => {
            return Ok(match before.iter().find(|tag| tag.id == Some(*id)) {
                Some(tag) => Resolved::OnLead(tag.clone()),
                None if direction == Direction::Add => Resolved::Existing(Tag {
                    id: Some(*id),
                    name: None,
                }),
                None => Resolved::Absent,
            });
        }
        Wanted::Name(name) => name,
    };
    let ambiguous = |whose: &str, many: Vec<&Tag>| {
        outcome::failure(
            sentences.failed,
            format!(
                "tag_name {name:?} matches {} tags of {whose} equally well ({}); give tag_id instead. Nothing was sent to Kommo.",
                many.len(),
                listed(&many)
            ),
            json!({ "tag_name": name }),
            ErrorInfo::INVALID_ARGUMENTS,
        )
    };
    if direction == Direction::Remove {
        return match names::pick(name, before, tag_names) {
            Pick::One(tag) => Ok(Resolved::OnLead(tag.clone())),
            Pick::None => Ok(Resolved::Absent),
            Pick::Several(many) => Err(ambiguous("the lead", many)),
        };
    }
    if let Some(tag) = before
        .iter()
        .find(|tag| tag.name.as_deref().is_some_and(|n| names::same(n, name)))
    {
        return Ok(Resolved::OnLead(tag.clone()));
    }
    let key = names::Key::new(name);
    let found = call
        .client()
        .search_lead_tags(account, name, key.folded())
        .await
        .map_err(|err| {
            outcome::kommo_failure(sentences.failed, &err, json!({ "tag_name": name }))
        })?;
    let mut candidates: Vec<Tag> = before.to_vec();
    candidates.extend(
        found
            .iter()
            .filter(|tag| !before.iter().any(|have| have.id == tag.id))
            .cloned(),
    );
    match names::pick(name, &candidates, tag_names) {
        Pick::One(tag) if before.iter().any(|have| have.id == tag.id) => {
            Ok(Resolved::OnLead(tag.clone()))
        }
        Pick::One(tag) => Ok(Resolved::Existing(tag.clone())),
        Pick::None => Ok(Resolved::New(name.trim().to_owned())),
        Pick::Several(many) => Err(ambiguous("the account", many)),
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
    let resolved = match resolve(&call, &target.account, direction, &wanted, &before).await {
        Ok(resolved) => resolved,
        Err(answer) => return answer,
    };
    let labels = |tags: &mut dyn Iterator<Item = &Tag>| tags.map(label).collect::<Vec<_>>();
    let (tag_id, tag_name, after) = match (&resolved, direction) {
        (Resolved::OnLead(tag), Direction::Remove) => (
            tag.id,
            tag.name.clone(),
            labels(
                &mut before
                    .iter()
                    .filter(|have| have.id != tag.id || have.name != tag.name),
            ),
        ),
        (Resolved::OnLead(tag), Direction::Add) => {
            (tag.id, tag.name.clone(), labels(&mut before.iter()))
        }
        (Resolved::Existing(tag), _) => (
            tag.id,
            tag.name.clone(),
            labels(&mut before.iter().chain(std::iter::once(tag))),
        ),
        (Resolved::New(name), _) => {
            let mut after = labels(&mut before.iter());
            after.push(name.clone());
            (None, Some(name.clone()), after)
        }
        (Resolved::Absent, _) => {
            let (id, name) = match &wanted {
                Wanted::Id(id) => (Some(*id), None),
                Wanted::Name(name) => (None, Some(name.trim().to_owned())),
            };
            (id, name, labels(&mut before.iter()))
        }
    };
    crate::observe::call::describe(|change| {
        change.lead_id = Some(lead_id);
        change.before = Some(json!({ "tags": labels(&mut before.iter()) }));
        change.after = Some(json!({ "tags": after }));
    });
    let needed = !matches!(
        (&resolved, direction),
        (Resolved::OnLead(_), Direction::Add) | (Resolved::Absent, _)
    );
    let mut output = TagOutput {
        lead_id,
        tag_id,
        tag_name,
        tags: after,
        changed: needed,
    };
    if !needed {
        return outcome::success(sentences.when_done(), &output);
    }
    let tag_id = match (&resolved, tag_id) {
        (Resolved::New(name), _) => {
            let write = Write::CreateTag { name };
            match call.write(&target, write, dry_run, &ids()).await {
                Ok(Written::Sent(Some(id))) => {
                    output.tag_id = Some(id);
                    id
                }
                Ok(Written::NotSent(mut answer)) => {
                    answer.content.push(ContentBlock::text(format!(
                        "Then it would have sent PATCH /api/v4/leads/{lead_id} with the JSON body {{\"{}\":[{{\"id\":<the new tag's id>}}]}}",
                        direction.key()
                    )));
                    return answer;
                }
                Ok(_) => {
                    let err = KommoError::Decode {
                        detail: "the tag confirmation names no tag id".to_owned(),
                    };
                    return outcome::kommo_failure(sentences.failed, &err, ids());
                }
                Err(err) => return outcome::kommo_failure(sentences.failed, &err, ids()),
            }
        }
        (_, Some(id)) => id,
        (_, None) => {
            let err = KommoError::Decode {
                detail: "Kommo lists the tag without an id".to_owned(),
            };
            return outcome::kommo_failure(sentences.failed, &err, ids());
        }
    };
    let write = Write::UpdateLead {
        lead_id,
        body: json!({ direction.key(): [{ "id": tag_id }] }),
    };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(written, &target, lead_id, sentences, ids(), &output)
}
