
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --listen 'Address to listen on with --http'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*]'
            cand --rate-limit-per-ip 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); counted per process [default: no limit]'
            cand --allowed-host 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy'
            cand --allowed-origin 'Also accept this Origin (repeatable), e.g. https://app.example.com'
            cand --metrics-listen 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
            cand --http 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
            cand --stateless 'Serve /mcp without sessions, so any replica can answer any request'
            cand --allow-unauthenticated 'Allow listening on a non-loopback address without --auth-token'
            cand --metrics-account-label 'Label Kommo metrics with the account subdomain (one series per account)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve MCP over stdio (default) or HTTP (--http)'
            cand call 'Run one tool once and print its result'
            cand tools 'List the enabled tools'
            cand check 'Show the effective configuration and check the token against Kommo'
            cand sandbox 'Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell'
            cand new-key 'Print a fresh random client key and the key_sha256 line for its [clients.<name>] table'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write every page to a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kommo-mcp;serve'= {
            cand --listen 'Address to listen on with --http'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*]'
            cand --rate-limit-per-ip 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); counted per process [default: no limit]'
            cand --allowed-host 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy'
            cand --allowed-origin 'Also accept this Origin (repeatable), e.g. https://app.example.com'
            cand --metrics-listen 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --http 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
            cand --stateless 'Serve /mcp without sessions, so any replica can answer any request'
            cand --allow-unauthenticated 'Allow listening on a non-loopback address without --auth-token'
            cand --metrics-account-label 'Label Kommo metrics with the account subdomain (one series per account)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --json 'Print the tools/list array as JSON'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;sandbox'= {
            cand --listen 'Address to listen on (port 0 picks a free one)'
            cand --requests-per-second 'Requests per second the demo account takes before it answers 429, as Kommo does; 0 turns the limit off'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kommo-mcp;new-key'= {
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
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
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions): redis:// or rediss://, with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line)'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;help'= {
            cand serve 'Serve MCP over stdio (default) or HTTP (--http)'
            cand call 'Run one tool once and print its result'
            cand tools 'List the enabled tools'
            cand check 'Show the effective configuration and check the token against Kommo'
            cand sandbox 'Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell'
            cand new-key 'Print a fresh random client key and the key_sha256 line for its [clients.<name>] table'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write every page to a directory'
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
        &'kommo-mcp;help;sandbox'= {
        }
        &'kommo-mcp;help;new-key'= {
        }
        &'kommo-mcp;help;completions'= {
        }
        &'kommo-mcp;help;man'= {
        }
        &'kommo-mcp;help;help'= {
        }
    ]
    $completions[$command]
}
