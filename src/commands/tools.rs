//! `kommo-mcp tools`: the enabled tools, one line each, or the `tools/list` array as JSON.

use std::{io::Write, process::ExitCode};

use crate::{cli::ToolsArgs, error::AppError, tools::Toolkit};

pub fn run(kit: &Toolkit, args: &ToolsArgs) -> Result<ExitCode, AppError> {
    let definitions = kit.definitions(kit.enabled());
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_string_pretty(&definitions)
            .map_err(anyhow::Error::from)
            .and_then(|text| writeln!(out, "{text}").map_err(anyhow::Error::from))
    } else {
        definitions.iter().try_for_each(|tool| {
            let summary = first_sentence(tool.description.as_deref().unwrap_or_default());
            writeln!(out, "{:<15} {summary}", tool.name).map_err(anyhow::Error::from)
        })
    };
    written?;
    Ok(ExitCode::SUCCESS)
}

/// The description's first sentence: up to the first ". " that starts a new sentence
/// (an upper-case letter follows), so "e.g. when" does not end it.
fn first_sentence(description: &str) -> &str {
    let mut search = 0;
    while let Some(found) = description[search..].find(". ") {
        let end = search + found + 1;
        let next = description[end..].trim_start().chars().next();
        if next.is_some_and(char::is_uppercase) {
            return &description[..end];
        }
        search = end;
    }
    description
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn abbreviations_do_not_end_the_sentence() {
        assert_eq!(
            first_sentence("Move a lead, e.g. when asked. Checks first."),
            "Move a lead, e.g. when asked."
        );
        assert_eq!(first_sentence("One sentence."), "One sentence.");
    }
}
