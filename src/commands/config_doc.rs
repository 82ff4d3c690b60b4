//! `docs/configuration.md`, generated from `config::settings` and the clap definition, so
//! the reference cannot drift from the program.

use std::fmt::Write;

use clap::CommandFactory;

use crate::{
    cli::Cli,
    config::{DefaultValue, Heading, Setting, settings},
};

/// The config file of the man page and of `docs/configuration.md`.
pub(super) const EXAMPLE_FILE: [&str; 16] = [
    "token = \"<long-lived token>\"",
    "subdomain = \"mycompany\"",
    "tools = [\"move_lead\", \"pause_agent\", \"add_note\"]",
    "pause_field_id = 123456",
    "pause_value = true",
    "",
    "[accounts.othercompany]",
    "token = \"<its long-lived token>\"",
    "pause_field_id = 654321",
    "",
    "[clients.agent-platform]",
    "key_sha256 = \"<hex SHA-256 of its key; kommo-mcp new-key prints both>\"",
    "accounts = [\"mycompany\"]   # or [\"*\"] for any account the server can reach",
    "tools = [\"move_lead\", \"get_lead\"]   # optional: narrows the server's tools",
    "read_only = false",
    "rate_limit = 120   # requests per minute; 0 or absent: no limit",
];

/// The whole page.
pub(super) fn page() -> String {
    let mut out = String::new();
    out.push_str(
        "# Configuration\n\n\
         <!-- Generated from src/config/spec.rs by \
         `KOMMO_MCP_UPDATE_GENERATED=1 cargo test --test it generated`; do not edit. -->\n\n\
         Every setting can be given as a command-line flag, an environment variable or a key \
         of the config file. Each subcommand takes only the settings it uses (the \"Taken by\" \
         column); a flag given to another subcommand is a usage error (exit 2), and an \
         environment variable it does not use is ignored.\n\n",
    );
    out.push_str(
        "## Precedence\n\n\
         For each setting: the flag wins over the environment variable, the environment \
         variable over the config file, and the config file over the default. In HTTP mode a \
         request header wins over all of them for that request. `kommo-mcp check` prints every setting with the place its value came from.\n\n",
    );
    out.push_str(&format!(
        "## The config file\n\n\
         TOML, read from `{}` or `{}`, else from `~/.config/kommo-mcp/config.toml` (the \
         platform configuration directory) when it exists. Unknown keys and values of the \
         wrong type are errors naming the file and the line. The HTTP limits go in an \
         `[http]` table. Example:\n\n```toml\n{}\n```\n\n",
        settings::CONFIG.flag,
        settings::CONFIG.env,
        EXAMPLE_FILE.join("\n")
    ));
    out.push_str("## Settings\n\n");
    for heading in Heading::ALL {
        let rows: Vec<&Setting> = settings::ALL
            .iter()
            .filter(|setting| setting.heading == heading)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "### {}\n\n| Key | Flag | Environment | Default | Taken by | Meaning |\n|---|---|---|---|---|---|\n",
            heading.title()
        );
        for setting in rows {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} | {} |",
                setting
                    .config_key()
                    .map_or_else(|| "(not in the file)".to_owned(), |key| format!("`{key}`")),
                setting.flag_usage(),
                setting.env,
                default_cell(setting),
                setting.takes.names().join(", "),
                meaning(setting),
            );
        }
        out.push('\n');
    }
    out.push_str(&other_options());
    out.push_str(
        "## `[accounts.<subdomain>]`\n\n\
         The operator's own settings for one more account the server may act on (HTTP \
         requests name it with a header). More specific than the top level for that account; \
         the top-level token is only ever sent to the configured `subdomain`.\n\n\
         | Key | Meaning |\n|---|---|\n\
         | `token` | That account's long-lived token. |\n\
         | `pause_field_id` | Its checkbox lead field that pauses the AI agent. |\n\
         | `pause_value` | The value of that field that means \"paused\" (default `true`). |\n\
         | `message_field_id` | Its text lead field `send_message` writes the reply into. |\n\
         | `message_bot_id` | Its Salesbot that sends that field's value (`send_message`). |\n\n",
    );
    out.push_str(
        "## `[clients.<name>]`\n\n\
         One HTTP caller with a key of its own, sent as `Authorization: Bearer <key>` or \
         `X-API-Key: <key>`. Once any exists, every HTTP request needs a key, on loopback \
         too. `kommo-mcp new-key` prints a fresh key and its `key_sha256` line; the key \
         itself never goes in the file.\n\n\
         | Key | Meaning |\n|---|---|\n\
         | `key_sha256` | Hex SHA-256 of the client's key (required). |\n\
         | `accounts` | Subdomains it may act on, or `[\"*\"]` for any (required); another is answered 403. |\n\
         | `tools` | Narrows the server's tools for this client (optional). |\n\
         | `read_only` | Only the read-only tools (default `false`). |\n\
         | `rate_limit` | Requests per minute; 0 or absent: no limit. Beyond it, 429 with `Retry-After`. |\n",
    );
    out
}

fn default_cell(setting: &Setting) -> String {
    match setting.default {
        DefaultValue::None => String::new(),
        DefaultValue::Value(value) => format!("`{value}`"),
        DefaultValue::Described(text) => escaped(text),
    }
}

fn meaning(setting: &Setting) -> String {
    let mut text = escaped(setting.help);
    if !setting.requires.is_empty() {
        let _ = write!(text, " (needs `{}`)", setting.requires.join("`, `"));
    }
    text
}

/// The options that are switches, not settings: on the command line only.
fn other_options() -> String {
    let command = Cli::command();
    let mut out = String::from(
        "## Options that are not settings\n\n\
         These are switches of the command line only (no environment variable, no config \
         key).\n\n| Flag | Meaning |\n|---|---|\n",
    );
    let is_setting = |id: &str| settings::ALL.iter().any(|setting| setting.id() == id);
    let serve = command.find_subcommand("serve");
    let args = command
        .get_arguments()
        .chain(serve.into_iter().flat_map(|serve| serve.get_arguments()));
    let mut seen = Vec::new();
    for arg in args {
        let id = arg.get_id().as_str();
        let Some(long) = arg.get_long() else {
            continue;
        };
        if is_setting(id) || seen.contains(&long) || arg.is_hide_set() {
            continue;
        }
        seen.push(long);
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let _ = writeln!(out, "| `--{long}` | {} |", escaped(&help));
    }
    out.push('\n');
    out
}

/// Text safe inside a Markdown table cell.
fn escaped(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
