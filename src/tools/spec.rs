//! What a tool is: one [`ToolSpec`] value in the tool's own file holds everything the rest of
//! the program says about it (title, summary, description, hints, sentences, schemas, run).
//! The list in `toolset::every_tool!` names each spec once.

use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, JsonObject, Tool};

use super::Call;
use crate::toolset::ToolName;

/// One tool. Its name and whether it only reads are on its line in `toolset::every_tool!`.
pub(crate) struct ToolSpec {
    /// A short human title (`title` in `tools/list` and its annotations).
    pub title: &'static str,
    /// One line saying what the tool does: the `initialize` instructions, the man page and
    /// docs/tools.md list it.
    pub summary: &'static str,
    /// The `tools/list` description the model reads: when to use the tool and what it checks.
    pub description: &'static str,
    /// Whether calling it twice with the same arguments has the effect of calling it once.
    /// (No tool deletes anything and every tool talks to Kommo, so `destructiveHint` is false
    /// and `openWorldHint` true for all; `readOnlyHint` comes from the list line.)
    pub idempotent: bool,
    /// Its fixed sentences.
    pub sentences: Sentences,
    /// Its `tools/list` entry: `super::define::<Args, Output>`, which reads the schemas from
    /// the argument and output types.
    pub definition: fn(ToolName, &ToolSpec) -> Tool,
    /// Runs one call: `|call, args| Box::pin(run(call, args))`.
    pub run: for<'a> fn(Call<'a>, &'a JsonObject) -> BoxFuture<'a, CallToolResult>,
}

/// The fixed sentences a tool answers with, the same shape for every tool (kept word for word
/// from the original server, typo included). The first text block of every answer is one of
/// these, or for a reader's success what it read.
pub(crate) struct Sentences {
    /// The first line of a successful answer; `None` for a reader, whose answer starts with
    /// what it read.
    pub success: Option<&'static str>,
    /// The answer when the lead the call names does not exist; `None` when the tool answers
    /// `failed` then (or names no lead).
    pub missing: Option<&'static str>,
    /// The answer to every other failure (bad arguments, no account, Kommo refused).
    pub failed: &'static str,
}

impl Sentences {
    /// The sentence for "no such lead".
    pub(crate) fn when_missing(&self) -> &'static str {
        self.missing.unwrap_or(self.failed)
    }

    /// The first line of a successful write (every write tool has one; a test checks).
    pub(crate) fn when_done(&self) -> &'static str {
        self.success.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::spec;
    use crate::toolset::ToolName;

    #[test]
    fn every_write_has_its_success_and_missing_sentences_and_every_read_none_for_success() {
        for tool in ToolName::ALL {
            let sentences = &spec(tool).sentences;
            if tool.is_read_only() {
                assert_eq!(
                    sentences.success, None,
                    "{tool} reads: it answers what it read"
                );
            } else {
                assert!(
                    sentences.success.is_some(),
                    "{tool} has no success sentence"
                );
                // create_lead names no existing lead, so it has no "does not exist" answer.
                assert!(
                    sentences.missing.is_some()
                        || matches!(tool, ToolName::AddNote | ToolName::CreateLead),
                    "{tool}"
                );
            }
            assert!(!sentences.failed.is_empty(), "{tool}");
        }
    }

    #[test]
    fn every_summary_is_one_short_sentence() {
        for tool in ToolName::ALL {
            let summary = spec(tool).summary;
            assert!(!summary.contains('\n'), "{tool}: {summary}");
            assert!(summary.ends_with('.'), "{tool}: {summary}");
            assert!(summary.len() <= 110, "{tool}: {summary}");
        }
    }
}
