
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
            cand --message-field-id 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]'
            cand --message-bot-id 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --redis-ca-file 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]'
            cand --read-only 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]'
            cand --dry-run 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]'
            cand --note-dedupe 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]'
            cand --listen 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]'
            cand --rate-limit-per-ip 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]'
            cand --metrics-listen 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]'
            cand --max-body-bytes 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]'
            cand --max-json-depth 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]'
            cand --max-json-values 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]'
            cand --max-sessions 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]'
            cand --session-idle-timeout 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]'
            cand --header-read-timeout 'Seconds a connection may take to send a request''s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]'
            cand --body-read-timeout 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]'
            cand --max-connections 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]'
            cand --max-sessions-per-caller 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]'
            cand --max-streams-per-caller 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]'
            cand --max-calls-per-caller 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]'
            cand --oauth-issuer 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens'' iss); needs --public-url [config: oauth_issuer]'
            cand --public-url 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]'
            cand --oauth-audience 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]'
            cand --oauth-jwks-url 'Where the issuer''s signing keys (JWKS) are [default: jwks_uri from the issuer''s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]'
            cand --oauth-accounts-claim 'Token claim listing the account subdomains a token may act on (like a client key''s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]'
            cand --allowed-host 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy'
            cand --allowed-origin 'Also accept this Origin (repeatable), e.g. https://app.example.com'
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
            cand --token 'Kommo long-lived token [config: token]'
            cand --subdomain 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]'
            cand --tools 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]'
            cand --pause-field-id 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]'
            cand --pause-value 'Value of the pause field that means "paused" [default: true] [config: pause_value]'
            cand --message-field-id 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]'
            cand --message-bot-id 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --redis-ca-file 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]'
            cand --read-only 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]'
            cand --dry-run 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]'
            cand --note-dedupe 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]'
            cand --listen 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]'
            cand --rate-limit-per-ip 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]'
            cand --metrics-listen 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]'
            cand --max-body-bytes 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]'
            cand --max-json-depth 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]'
            cand --max-json-values 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]'
            cand --max-sessions 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]'
            cand --session-idle-timeout 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]'
            cand --header-read-timeout 'Seconds a connection may take to send a request''s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]'
            cand --body-read-timeout 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]'
            cand --max-connections 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]'
            cand --max-sessions-per-caller 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]'
            cand --max-streams-per-caller 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]'
            cand --max-calls-per-caller 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]'
            cand --oauth-issuer 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens'' iss); needs --public-url [config: oauth_issuer]'
            cand --public-url 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]'
            cand --oauth-audience 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]'
            cand --oauth-jwks-url 'Where the issuer''s signing keys (JWKS) are [default: jwks_uri from the issuer''s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]'
            cand --oauth-accounts-claim 'Token claim listing the account subdomains a token may act on (like a client key''s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]'
            cand --allowed-host 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy'
            cand --allowed-origin 'Also accept this Origin (repeatable), e.g. https://app.example.com'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
            cand --http 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
            cand --stateless 'Serve /mcp without sessions, so any replica can answer any request'
            cand --allow-unauthenticated 'Allow listening on a non-loopback address without --auth-token'
            cand --metrics-account-label 'Label Kommo metrics with the account subdomain (one series per account)'
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
            cand --message-field-id 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]'
            cand --message-bot-id 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --redis-ca-file 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]'
            cand --read-only 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]'
            cand --dry-run 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]'
            cand --note-dedupe 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]'
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
            cand --message-field-id 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]'
            cand --message-bot-id 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --read-only 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]'
            cand --dry-run 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]'
            cand --note-dedupe 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]'
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
            cand --message-field-id 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]'
            cand --message-bot-id 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]'
            cand --base-url 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]'
            cand --rate-limit 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]'
            cand --connect-timeout 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]'
            cand --request-timeout 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]'
            cand --pipelines-cache 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]'
            cand --redis-url 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]'
            cand --redis-prefix 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]'
            cand --redis-fallback-rate 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]'
            cand --redis-ca-file 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]'
            cand --audit-log 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]'
            cand --read-only 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]'
            cand --dry-run 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]'
            cand --note-dedupe 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]'
            cand --max-line-bytes 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]'
            cand --listen 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]'
            cand --auth-token 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]'
            cand --rate-limit-per-ip 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]'
            cand --metrics-listen 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]'
            cand --max-body-bytes 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]'
            cand --max-json-depth 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]'
            cand --max-json-values 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]'
            cand --max-sessions 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]'
            cand --session-idle-timeout 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]'
            cand --header-read-timeout 'Seconds a connection may take to send a request''s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]'
            cand --body-read-timeout 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]'
            cand --max-connections 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]'
            cand --max-sessions-per-caller 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]'
            cand --max-streams-per-caller 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]'
            cand --max-calls-per-caller 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]'
            cand --oauth-issuer 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens'' iss); needs --public-url [config: oauth_issuer]'
            cand --public-url 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]'
            cand --oauth-audience 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]'
            cand --oauth-jwks-url 'Where the issuer''s signing keys (JWKS) are [default: jwks_uri from the issuer''s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]'
            cand --oauth-accounts-claim 'Token claim listing the account subdomains a token may act on (like a client key''s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]'
            cand --config 'Config file [default: ~/.config/kommo-mcp/config.toml]'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]'
            cand --sandbox 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;sandbox'= {
            cand --listen 'Address to listen on (port 0 picks a free one)'
            cand --requests-per-second 'Requests per second the demo account takes before it answers 429, as Kommo does; 0 turns the limit off'
            cand --log-level 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]'
            cand --log-format 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kommo-mcp;new-key'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kommo-mcp;man'= {
            cand --out-dir 'Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead'
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
