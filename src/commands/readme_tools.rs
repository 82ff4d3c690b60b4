//! The README's "Tools at a glance" list, made from the tool list and each tool's summary so
//! it cannot name a tool that does not exist or miss one. It is the part of README.md between
//! two markers; the `generated` test checks it and rewrites it with
//! `KOMMO_MCP_UPDATE_GENERATED=1`.

use std::fmt::Write as _;

use crate::{tools::reference, toolset::ToolName};

/// The line the generated list starts with.
const BEGIN: &str = "<!-- tools: generated from the tool specs (KOMMO_MCP_UPDATE_GENERATED=1 cargo test --test it generated); do not edit by hand -->";
/// The line it ends with.
const END: &str = "<!-- end of the generated tools -->";

/// The list: the read tools, then the write tools, each with its summary and a link to its
/// section of docs/tools.md.
fn glance() -> String {
    let mut out = String::new();
    for (title, read_only) in [("Read", true), ("Write", false)] {
        let tools: Vec<ToolName> = ToolName::ALL
            .into_iter()
            .filter(|tool| tool.is_read_only() == read_only)
            .collect();
        let _ = writeln!(out, "{title} ({}):\n", tools.len());
        for tool in tools {
            let _ = writeln!(
                out,
                "- [`{tool}`](docs/tools.md#{tool}): {}",
                reference::summary(tool)
            );
        }
        out.push('\n');
    }
    out
}

/// `readme` with the text between its two markers replaced by the list as the tools are now;
/// an error when the markers are missing or out of order.
pub fn readme_with_current_tools(readme: &str) -> Result<String, String> {
    let begin = readme
        .find(BEGIN)
        .ok_or_else(|| format!("README.md has no line {BEGIN}"))?;
    let after_begin = begin + BEGIN.len();
    let end = readme[after_begin..]
        .find(END)
        .map(|offset| after_begin + offset)
        .ok_or_else(|| format!("README.md has no line {END} after {BEGIN}"))?;
    Ok(format!(
        "{}\n\n{}{}",
        &readme[..after_begin],
        glance(),
        &readme[end..]
    ))
}
