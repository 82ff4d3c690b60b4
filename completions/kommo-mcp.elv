
use builtin;
use str;

set edit:completion:arg-completer[kommo-mcp] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kommo-mcp'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kommo-mcp'= {
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --listen 'Address to listen on with --http'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" on every route but /healthz'
            cand --allowed-host 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy'
            cand --allowed-origin 'Also accept this Origin (repeatable), e.g. https://app.example.com'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand --http 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
            cand --stateless 'Serve /mcp without sessions, so any replica can answer any request'
            cand --allow-unauthenticated 'Allow listening on a non-loopback address without --auth-token'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve MCP over stdio (default) or HTTP (--http)'
            cand call 'Run one tool once and print its result'
            cand tools 'List the enabled tools'
            cand check 'Show the effective configuration and check the token against Kommo'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write every page to a directory'
            cand simulator 'Run the Kommo API simulator alone (for tests and benchmarks)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kommo-mcp;serve'= {
            cand --listen 'Address to listen on with --http'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" on every route but /healthz'
            cand --allowed-host 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy'
            cand --allowed-origin 'Also accept this Origin (repeatable), e.g. https://app.example.com'
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --http 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
            cand --stateless 'Serve /mcp without sessions, so any replica can answer any request'
            cand --allow-unauthenticated 'Allow listening on a non-loopback address without --auth-token'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;call'= {
            cand --json 'Arguments as one JSON object, or - to read it from stdin (instead of KEY=VALUE)'
            cand --output 'Print the first text block (text) or the whole tool result (json)'
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;tools'= {
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --json 'Print the tools/list array as JSON'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;check'= {
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;completions'= {
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;man'= {
            cand --out-dir 'Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead'
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;simulator'= {
            cand --listen 'Address to listen on'
            cand --account 'A demo account to seed, as SUBDOMAIN:TOKEN (repeatable) [default: demo:sandbox-token]'
            cand --requests-per-second 'Requests per second per account before 429; 0 turns the limit off (not --rate-limit, which is the global setting for kommo-mcp''s own limiter)'
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --missing-lead-404 'Answer a missing lead with 404 instead of 204'
            cand --sandbox 'Start an in-process Kommo simulator with a demo account and use it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;help'= {
            cand serve 'Serve MCP over stdio (default) or HTTP (--http)'
            cand call 'Run one tool once and print its result'
            cand tools 'List the enabled tools'
            cand check 'Show the effective configuration and check the token against Kommo'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write every page to a directory'
            cand simulator 'Run the Kommo API simulator alone (for tests and benchmarks)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kommo-mcp;help;serve'= {
        }
        &'kommo-mcp;help;call'= {
        }
        &'kommo-mcp;help;tools'= {
        }
        &'kommo-mcp;help;check'= {
        }
        &'kommo-mcp;help;completions'= {
        }
        &'kommo-mcp;help;man'= {
        }
        &'kommo-mcp;help;simulator'= {
        }
        &'kommo-mcp;help;help'= {
        }
    ]
    $completions[$command]
}
