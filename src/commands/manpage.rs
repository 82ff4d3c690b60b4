//! The man pages: clap_mangen's standard sections plus AVAILABLE TOOLS, SETTINGS,
//! PRECEDENCE, CONFIG FILE, EXIT STATUS, EXAMPLES and SEE ALSO, built from the clap definition and
//! `config::settings` so they cannot drift from the program.

use clap::Command;
use clap_mangen::{
    Man,
    roff::{Roff, bold, italic, roman},
};

use crate::{
    cli::MAN_PAGE_COMMANDS,
    config::{DefaultValue, Heading, Setting, settings},
    tools::reference,
    toolset::ToolName,
};

/// Every page as (file name, roff text): `kommo-mcp.1` first, then one per subcommand.
pub(super) fn pages(top: Command) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut top = top.disable_help_subcommand(true);
    top.build();
    let mut pages = vec![render(&top, true)?];
    for name in MAN_PAGE_COMMANDS {
        if let Some(sub) = top.find_subcommand(name) {
            pages.push(render(sub, false)?);
        }
    }
    Ok(pages)
}

fn render(command: &Command, is_top: bool) -> std::io::Result<(String, Vec<u8>)> {
    let source = format!("kommo-mcp {}", env!("CARGO_PKG_VERSION"));
    let man = Man::new(command.clone())
        .source(source)
        .manual("kommo-mcp manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if command.get_arguments().any(|arg| !arg.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if command.get_subcommands().any(|sub| !sub.is_hide_set()) {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    if let Some(notes) = command.get_after_long_help().or(command.get_after_help()) {
        roff.control("SH", ["NOTES"]);
        let notes = notes.to_string();
        for paragraph in notes.split("\n\n") {
            if paragraph.lines().count() > 1 {
                example_lines(&mut roff, &paragraph.lines().collect::<Vec<_>>());
            } else {
                roff.control("PP", []);
                roff.text([roman(paragraph)]);
            }
        }
    }
    if is_top {
        tools_section(&mut roff);
        settings_section(&mut roff);
        precedence_section(&mut roff);
        config_file_section(&mut roff);
        limits_section(&mut roff);
        operating_section(&mut roff);
    }
    if is_top || command.get_name() == "serve" {
        limits_list_section(&mut roff);
    }
    if is_top {
        examples_section(&mut roff);
    }
    exit_status_section(&mut roff);
    see_also_section(&mut roff, is_top);
    roff.to_writer(&mut out)?;
    if is_top {
        man.render_version_section(&mut out)?;
    }
    Ok((man.get_filename(), out))
}

fn settings_section(roff: &mut Roff) {
    roff.control("SH", ["SETTINGS"]);
    roff.text([roman(
        "Each setting can be given as a flag, an environment variable or a key of the config \
         file, and is taken by the subcommands named with it (a flag given to another is a \
         usage error); the token is never printed, not even by check.",
    )]);
    for setting in settings::ALL {
        roff.control("TP", []);
        let (open, close) = setting.value_brackets();
        let mut header = vec![
            bold(setting.flag),
            roman(open),
            italic(setting.value_name),
            roman(close),
            roman(", environment "),
            bold(setting.env),
        ];
        match setting.config_key() {
            Some(key) => header.extend([roman(", config key "), bold(key)]),
            None => header.push(roman(" (names the config file; not a key in it)")),
        }
        roff.text(header);
        let mut help = setting.help.to_owned();
        match setting.default {
            DefaultValue::Value(value) | DefaultValue::Described(value) => {
                help.push_str(&format!(" [default: {value}]"));
            }
            DefaultValue::None => {}
        }
        help.push_str(&format!(". Taken by {}.", setting.takes.names().join(", ")));
        roff.text([roman(help)]);
    }
}

/// Every tool with its summary, from the list in `toolset::every_tool!`.
fn tools_section(roff: &mut Roff) {
    roff.control("SH", ["AVAILABLE TOOLS"]);
    roff.text([roman(
        "Read tools only read; write tools change the lead (read-only mode keeps the read \
         tools). docs/tools.md describes each tool's arguments and sentences.",
    )]);
    for tool in ToolName::ALL {
        let kind = if tool.is_read_only() { "read" } else { "write" };
        roff.control("TP", []);
        roff.text([bold(tool.as_str()), roman(format!(" ({kind})"))]);
        roff.text([roman(reference::summary(tool))]);
    }
}

fn precedence_section(roff: &mut Roff) {
    roff.control("SH", ["PRECEDENCE"]);
    roff.text([roman(
        "For each setting: a request header (HTTP mode only) wins over the flag, the flag over \
         the environment variable, the environment variable over the config file, and the \
         config file over the default. A [accounts.SUBDOMAIN] table is more specific than the \
         top level of the config file for that account; the top-level token is only ever sent \
         to the configured subdomain. With --sandbox the base URL, subdomain, token and pause \
         field point at the built-in simulator.",
    )]);
}

fn config_file_section(roff: &mut Roff) {
    roff.control("SH", ["CONFIG FILE"]);
    roff.text([
        roman("TOML, read from "),
        bold("--config"),
        roman(" or "),
        bold(settings::CONFIG.env),
        roman(", else "),
        italic("~/.config/kommo-mcp/config.toml"),
        roman(" (the platform configuration directory) when it exists. Unknown keys are an error. Example:"),
    ]);
    example_lines(roff, &super::config_doc::EXAMPLE_FILE);
    roff.control("PP", []);
    roff.text([roman(
        "A [clients.<name>] table gives one HTTP caller its own key, sent as \"Authorization: Bearer <key>\" \
         or \"X-API-Key: <key>\". Once any exists, every HTTP request needs a key, on loopback too. A request \
         naming an account outside the client's accounts is answered 403; over its rate_limit, 429 with \
         Retry-After. Rate limits are counted per process.",
    )]);
}

fn limits_section(roff: &mut Roff) {
    roff.control("SH", ["LIMITS AND RETRIES"]);
    for paragraph in [
        "Kommo allows 7 requests per second and blocks accounts that keep exceeding it. kommo-mcp \
         keeps one limiter per account for the whole process (every session, transport and call): \
         at most --rate-limit requests (default 7) are in flight or were answered within the last \
         1.05 s; calls beyond it wait their turn. 0 turns off only this proactive limit: a 429 \
         from Kommo still pauses the account.",
        "A 429 pauses every call on the account for the wait Kommo asks (the retry_after body \
         field or a Retry-After header, seconds or an HTTP date, the longer of the two; 1 s when \
         neither is given) and is then retried; a wait that would pass the deadline fails at once. \
         A 403 after a 429 is reported as \"Kommo is refusing requests from this server (too many \
         requests); wait before retrying\" and is not retried.",
        "Reads and the idempotent PATCHes of move_lead, pause_agent and resume_agent are retried \
         on 429, 502, 503, 504, timeouts, refused and broken connections; add_note only on 429 \
         or a connection that could not be opened, so a note is never written twice. 400, 401, \
         402, 403, 404 and 500 are never retried. At most 4 attempts, with backoff of 250 ms, \
         500 ms and 1 s (each +/-50 %).",
        "Several replicas share one budget per account through --redis-url (redis:// or \
         rediss://, a secret never printed): at most --rate-limit requests in flight or answered \
         within the last 1.05 s across all of them, checked atomically in Redis on Redis's clock; \
         429 pauses, the 403 memory and streamable HTTP sessions are shared too (keys under \
         --redis-prefix, all expiring). Legacy SSE streams stay in one process (sticky routing). \
         While Redis is unreachable each replica limits each account to --redis-fallback-rate \
         requests per second (default 1), /healthz shows redis down and /readyz answers 503; \
         sharing resumes when Redis answers again.",
        "--connect-timeout (default 5 s) bounds opening a connection and --request-timeout \
         (default 20 s) each attempt; no request, retries included, runs longer than twice the \
         request timeout. Requests carry the User-Agent kommo-mcp/VERSION over one pooled \
         keep-alive connection per host.",
    ] {
        roff.control("PP", []);
        roff.text([roman(paragraph)]);
    }
}

fn operating_section(roff: &mut Roff) {
    roff.control("SH", ["OPERATING"]);
    for paragraph in [
        "Metrics (serve --http only): GET /metrics in the Prometheus/OpenMetrics text format, \
         behind the same auth token as /mcp, or with --metrics-listen ADDR only on that address \
         and without auth. Series: mcp_server_operation_duration_seconds (mcp_method_name, \
         gen_ai_tool_name, outcome ok|tool_error|protocol_error, network_transport), \
         kommo_requests_total and kommo_request_duration_seconds (method, endpoint, \
         status_class), kommo_rate_limit_wait_seconds, kommo_rate_limited_total, \
         kommo_blocked_total, mcp_sessions (network_transport), mcp_calls_in_flight. The account \
         subdomain is a label only with --metrics-account-label.",
        "Logs: --log-format json writes one JSON object per line to stderr. Each tool call logs \
         one info line with request_id, tool, transport, caller, account, lead_id, outcome, \
         duration_ms, kommo_requests and kommo_request_ids. The request id is the incoming \
         X-Request-Id, else the trace id of a W3C traceparent, else generated, and is echoed as \
         X-Request-Id. Other crates' debug and trace events are never logged.",
        "Audit trail: --audit-log PATH appends JSON lines about write tools, each whole, with \
         O_APPEND: an intent line (caller, account, tool, lead, the request about to be sent; \
         note and task texts only as length and SHA-256) written and fdatasync'd before Kommo \
         is called, then an outcome line (confirmed, failed or unknown); dry runs, deduplicated \
         repeats, calls that sent nothing and writes refused before the tool get one line each. \
         The caller is the client key's name, the OAuth subject, or the connection's address. \
         SIGHUP reopens the file. While it cannot be opened or written, write tools are refused \
         before anything is sent to Kommo and reads go on.",
    ] {
        roff.control("PP", []);
        roff.text([roman(paragraph)]);
    }
}

/// Every limit on callers: stdio's line size, then the HTTP server's from the one table in
/// `config::limits`, then the rate limits and the write dedupe memory.
fn limits_list_section(roff: &mut Roff) {
    roff.control("SH", ["LIMITS"]);
    roff.text([roman(
        "What one client can cost is bounded. Each limit is a flag, an environment variable or a \
         config file key (the HTTP ones in its [http] table); every refusal is a JSON-RPC error \
         with \"id\": null (or the request's id, where it can be read) naming the setting, and \
         nothing reaches Kommo.",
    )]);
    let line = settings::MAX_LINE_BYTES;
    limit_entry(
        roff,
        line.flag,
        format!(
            "env {}, config {}; default {}",
            line.env,
            line.key,
            default_with_unit(&line)
        ),
        "Longest stdin line (one JSON-RPC message) in stdio mode, 1024 bytes to 1 GiB; a longer \
         line is answered -32700 with \"id\": null and discarded, and the next line is read.",
    );
    for limit in settings::ALL
        .iter()
        .filter(|setting| setting.heading == Heading::HttpLimits)
    {
        limit_entry(
            roff,
            limit.flag,
            format!(
                "env {}, [http] {}; default {}",
                limit.env,
                limit.key,
                default_with_unit(limit)
            ),
            &format!("{}.", limit.help),
        );
    }
    let per_ip = settings::RATE_LIMIT_PER_IP;
    limit_entry(
        roff,
        per_ip.flag,
        format!(
            "env {}, config {}; default no limit",
            per_ip.env, per_ip.key
        ),
        "Inbound requests per minute per remote address, for HTTP callers without a rate_limit \
         of their own; 429 with Retry-After beyond it. A [clients.NAME] table's rate_limit \
         (requests per minute; 0 or absent: no limit) limits that client's key the same way. \
         Both are counted per process, or across replicas through Redis with --redis-url.",
    );
    let dedupe = settings::NOTE_DEDUPE;
    limit_entry(
        roff,
        dedupe.flag,
        format!(
            "env {}, config {}; default {}",
            dedupe.env,
            dedupe.key,
            default_with_unit(&dedupe)
        ),
        &format!(
            "How long a confirmed add_note or create_task is remembered so a retried call \
             (same account, lead and text; for a task also the due time) does not write it \
             twice (0 turns it off); at most {} writes are remembered, the oldest confirmed one \
             making room. With --redis-url the memory is shared by every replica.",
            crate::tools::dedupe::DEDUPE_MAX_ENTRIES,
        ),
    );
    roff.control("PP", []);
    roff.text([roman(
        "On SIGINT or SIGTERM new sessions are refused (503) while tool calls in flight answer \
         (up to 20 s); connections are still accepted meanwhile, so a client can read its answer \
         and follow it up. Then sessions, streams and connections close and the process exits 0.",
    )]);
}

fn limit_entry(roff: &mut Roff, flag: &str, names: String, what: &str) {
    roff.control("TP", []);
    roff.text([bold(flag), roman(format!(" ({names})"))]);
    roff.text([roman(what)]);
}

/// "1048576 bytes", "32 levels", "512": a declared default with its unit.
fn default_with_unit(setting: &Setting) -> String {
    let value = setting.default_value().unwrap_or("none");
    match setting.value_name {
        "BYTES" | "SECONDS" | "LEVELS" => {
            format!("{value} {}", setting.value_name.to_ascii_lowercase())
        }
        _ => value.to_owned(),
    }
}

fn exit_status_section(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "Success."),
        (
            "1",
            "The tool failed (call: isError, e.g. the lead is missing or Kommo refused), or check \
             found a problem. The reason is printed on stderr after \"kommo-mcp: error:\".",
        ),
        (
            "2",
            "Usage or configuration error: a wrong flag or argument, an invalid setting, or (call) \
             a tool that TOOLS_TO_USE does not enable.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(meaning)]);
    }
}

fn examples_section(roff: &mut Roff) {
    roff.control("SH", ["EXAMPLES"]);
    example_lines(
        roff,
        &[
            "# try every tool against the built-in simulator",
            "kommo-mcp --sandbox call list_pipelines",
            "kommo-mcp --sandbox call move_lead lead_id=9001 pipeline_id=1002 status_id=3003",
            "",
            "# rehearse a flow across commands: keep a demo account running",
            "kommo-mcp sandbox          # prints export lines; run them in another shell",
            "kommo-mcp call pause_agent lead_id=9001",
            "kommo-mcp call get_lead lead_id=9001",
            "",
            "# against a real account",
            "export KOMMO_ACCOUNT_SUBDOMAIN=mycompany KOMMO_LONG_DURATION_TOKEN=...",
            "export KOMMO_PAUSE_FIELD_ID=123456",
            "kommo-mcp check",
            "kommo-mcp call add_note lead_id=12345 note=\"Called back, wants a quote\"",
            "echo '{\"lead_id\": 12345}' | kommo-mcp call pause_agent --json -",
            "kommo-mcp call get_lead lead_id=12345 --output json",
            "",
            "# serve MCP on stdio (desktop clients) with two tools",
            "TOOLS_TO_USE=move_lead,add_note kommo-mcp",
        ],
    );
}

fn see_also_section(roff: &mut Roff, is_top: bool) {
    roff.control("SH", ["SEE ALSO"]);
    let mut inlines = Vec::new();
    if !is_top {
        inlines.push(bold("kommo-mcp"));
        inlines.push(roman(
            "(1) for every setting and the subcommands that take it",
        ));
    } else {
        for (i, name) in MAN_PAGE_COMMANDS.iter().enumerate() {
            if i > 0 {
                inlines.push(roman(", "));
            }
            inlines.push(bold(format!("kommo-mcp-{name}")));
            inlines.push(roman("(1)"));
        }
    }
    roff.text(inlines);
}

fn example_lines(roff: &mut Roff, lines: &[&str]) {
    roff.control("nf", []);
    for line in lines {
        roff.text([roman(*line)]);
    }
    roff.control("fi", []);
}
