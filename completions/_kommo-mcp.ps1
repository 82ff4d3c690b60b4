
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kommo-mcp' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kommo-mcp'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kommo-mcp' {
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--message-field-id', '--message-field-id', [CompletionResultType]::ParameterName, 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]')
            [CompletionResult]::new('--message-bot-id', '--message-bot-id', [CompletionResultType]::ParameterName, 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--coalesce', '--coalesce', [CompletionResultType]::ParameterName, 'Merge calls of one account that would wait for the rate limit into Kommo''s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]')
            [CompletionResult]::new('--redis-prefix', '--redis-prefix', [CompletionResultType]::ParameterName, 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]')
            [CompletionResult]::new('--redis-fallback-rate', '--redis-fallback-rate', [CompletionResultType]::ParameterName, 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]')
            [CompletionResult]::new('--redis-ca-file', '--redis-ca-file', [CompletionResultType]::ParameterName, 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]')
            [CompletionResult]::new('--confirm-tools', '--confirm-tools', [CompletionResultType]::ParameterName, 'Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask [default: none] [config: confirm_tools]')
            [CompletionResult]::new('--confirm-timeout', '--confirm-timeout', [CompletionResultType]::ParameterName, 'How long a write of --confirm-tools waits for the user''s answer; then it is not sent, as if declined [default: 120] [config: confirm_timeout]')
            [CompletionResult]::new('--note-dedupe', '--note-dedupe', [CompletionResultType]::ParameterName, 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]')
            [CompletionResult]::new('--rate-limit-per-ip', '--rate-limit-per-ip', [CompletionResultType]::ParameterName, 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]')
            [CompletionResult]::new('--max-json-depth', '--max-json-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]')
            [CompletionResult]::new('--max-json-values', '--max-json-values', [CompletionResultType]::ParameterName, 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]')
            [CompletionResult]::new('--max-sessions', '--max-sessions', [CompletionResultType]::ParameterName, 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]')
            [CompletionResult]::new('--session-idle-timeout', '--session-idle-timeout', [CompletionResultType]::ParameterName, 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]')
            [CompletionResult]::new('--header-read-timeout', '--header-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection may take to send a request''s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]')
            [CompletionResult]::new('--body-read-timeout', '--body-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]')
            [CompletionResult]::new('--max-sessions-per-caller', '--max-sessions-per-caller', [CompletionResultType]::ParameterName, 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]')
            [CompletionResult]::new('--max-streams-per-caller', '--max-streams-per-caller', [CompletionResultType]::ParameterName, 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]')
            [CompletionResult]::new('--max-calls-per-caller', '--max-calls-per-caller', [CompletionResultType]::ParameterName, 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]')
            [CompletionResult]::new('--replay-events-per-session', '--replay-events-per-session', [CompletionResultType]::ParameterName, 'Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 64] [config: http.replay-events-per-session]')
            [CompletionResult]::new('--replay-bytes-per-session', '--replay-bytes-per-session', [CompletionResultType]::ParameterName, 'Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 262144] [config: http.replay-bytes-per-session]')
            [CompletionResult]::new('--oauth-issuer', '--oauth-issuer', [CompletionResultType]::ParameterName, 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens'' iss); needs --public-url [config: oauth_issuer]')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]')
            [CompletionResult]::new('--oauth-audience', '--oauth-audience', [CompletionResultType]::ParameterName, 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]')
            [CompletionResult]::new('--oauth-jwks-url', '--oauth-jwks-url', [CompletionResultType]::ParameterName, 'Where the issuer''s signing keys (JWKS) are [default: jwks_uri from the issuer''s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]')
            [CompletionResult]::new('--oauth-accounts-claim', '--oauth-accounts-claim', [CompletionResultType]::ParameterName, 'Token claim listing the account subdomains a token may act on (like a client key''s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]')
            [CompletionResult]::new('--allowed-host', '--allowed-host', [CompletionResultType]::ParameterName, 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy')
            [CompletionResult]::new('--allowed-origin', '--allowed-origin', [CompletionResultType]::ParameterName, 'Also accept this Origin (repeatable), e.g. https://app.example.com')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio')
            [CompletionResult]::new('--stateless', '--stateless', [CompletionResultType]::ParameterName, 'Serve /mcp without sessions, so any replica can answer any request')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Allow listening on a non-loopback address without --auth-token')
            [CompletionResult]::new('--metrics-account-label', '--metrics-account-label', [CompletionResultType]::ParameterName, 'Label Kommo metrics with the account subdomain (one series per account)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve MCP over stdio (default) or HTTP (--http)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Run one tool once and print its result')
            [CompletionResult]::new('tools', 'tools', [CompletionResultType]::ParameterValue, 'List the enabled tools')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Show the effective configuration and check the token against Kommo')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell')
            [CompletionResult]::new('new-key', 'new-key', [CompletionResultType]::ParameterValue, 'Print a fresh random client key and the key_sha256 line for its [clients.<name>] table')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write every page to a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kommo-mcp;serve' {
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--message-field-id', '--message-field-id', [CompletionResultType]::ParameterName, 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]')
            [CompletionResult]::new('--message-bot-id', '--message-bot-id', [CompletionResultType]::ParameterName, 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--coalesce', '--coalesce', [CompletionResultType]::ParameterName, 'Merge calls of one account that would wait for the rate limit into Kommo''s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]')
            [CompletionResult]::new('--redis-prefix', '--redis-prefix', [CompletionResultType]::ParameterName, 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]')
            [CompletionResult]::new('--redis-fallback-rate', '--redis-fallback-rate', [CompletionResultType]::ParameterName, 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]')
            [CompletionResult]::new('--redis-ca-file', '--redis-ca-file', [CompletionResultType]::ParameterName, 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]')
            [CompletionResult]::new('--confirm-tools', '--confirm-tools', [CompletionResultType]::ParameterName, 'Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask [default: none] [config: confirm_tools]')
            [CompletionResult]::new('--confirm-timeout', '--confirm-timeout', [CompletionResultType]::ParameterName, 'How long a write of --confirm-tools waits for the user''s answer; then it is not sent, as if declined [default: 120] [config: confirm_timeout]')
            [CompletionResult]::new('--note-dedupe', '--note-dedupe', [CompletionResultType]::ParameterName, 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]')
            [CompletionResult]::new('--rate-limit-per-ip', '--rate-limit-per-ip', [CompletionResultType]::ParameterName, 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]')
            [CompletionResult]::new('--max-json-depth', '--max-json-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]')
            [CompletionResult]::new('--max-json-values', '--max-json-values', [CompletionResultType]::ParameterName, 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]')
            [CompletionResult]::new('--max-sessions', '--max-sessions', [CompletionResultType]::ParameterName, 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]')
            [CompletionResult]::new('--session-idle-timeout', '--session-idle-timeout', [CompletionResultType]::ParameterName, 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]')
            [CompletionResult]::new('--header-read-timeout', '--header-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection may take to send a request''s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]')
            [CompletionResult]::new('--body-read-timeout', '--body-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]')
            [CompletionResult]::new('--max-sessions-per-caller', '--max-sessions-per-caller', [CompletionResultType]::ParameterName, 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]')
            [CompletionResult]::new('--max-streams-per-caller', '--max-streams-per-caller', [CompletionResultType]::ParameterName, 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]')
            [CompletionResult]::new('--max-calls-per-caller', '--max-calls-per-caller', [CompletionResultType]::ParameterName, 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]')
            [CompletionResult]::new('--replay-events-per-session', '--replay-events-per-session', [CompletionResultType]::ParameterName, 'Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 64] [config: http.replay-events-per-session]')
            [CompletionResult]::new('--replay-bytes-per-session', '--replay-bytes-per-session', [CompletionResultType]::ParameterName, 'Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 262144] [config: http.replay-bytes-per-session]')
            [CompletionResult]::new('--oauth-issuer', '--oauth-issuer', [CompletionResultType]::ParameterName, 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens'' iss); needs --public-url [config: oauth_issuer]')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]')
            [CompletionResult]::new('--oauth-audience', '--oauth-audience', [CompletionResultType]::ParameterName, 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]')
            [CompletionResult]::new('--oauth-jwks-url', '--oauth-jwks-url', [CompletionResultType]::ParameterName, 'Where the issuer''s signing keys (JWKS) are [default: jwks_uri from the issuer''s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]')
            [CompletionResult]::new('--oauth-accounts-claim', '--oauth-accounts-claim', [CompletionResultType]::ParameterName, 'Token claim listing the account subdomains a token may act on (like a client key''s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]')
            [CompletionResult]::new('--allowed-host', '--allowed-host', [CompletionResultType]::ParameterName, 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy')
            [CompletionResult]::new('--allowed-origin', '--allowed-origin', [CompletionResultType]::ParameterName, 'Also accept this Origin (repeatable), e.g. https://app.example.com')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio')
            [CompletionResult]::new('--stateless', '--stateless', [CompletionResultType]::ParameterName, 'Serve /mcp without sessions, so any replica can answer any request')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Allow listening on a non-loopback address without --auth-token')
            [CompletionResult]::new('--metrics-account-label', '--metrics-account-label', [CompletionResultType]::ParameterName, 'Label Kommo metrics with the account subdomain (one series per account)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;call' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Arguments as one JSON object, or - to read it from stdin (instead of KEY=VALUE)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the first text block (text) or the whole tool result (json)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--message-field-id', '--message-field-id', [CompletionResultType]::ParameterName, 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]')
            [CompletionResult]::new('--message-bot-id', '--message-bot-id', [CompletionResultType]::ParameterName, 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--coalesce', '--coalesce', [CompletionResultType]::ParameterName, 'Merge calls of one account that would wait for the rate limit into Kommo''s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]')
            [CompletionResult]::new('--redis-prefix', '--redis-prefix', [CompletionResultType]::ParameterName, 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]')
            [CompletionResult]::new('--redis-fallback-rate', '--redis-fallback-rate', [CompletionResultType]::ParameterName, 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]')
            [CompletionResult]::new('--redis-ca-file', '--redis-ca-file', [CompletionResultType]::ParameterName, 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]')
            [CompletionResult]::new('--note-dedupe', '--note-dedupe', [CompletionResultType]::ParameterName, 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;tools' {
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--message-field-id', '--message-field-id', [CompletionResultType]::ParameterName, 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]')
            [CompletionResult]::new('--message-bot-id', '--message-bot-id', [CompletionResultType]::ParameterName, 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]')
            [CompletionResult]::new('--note-dedupe', '--note-dedupe', [CompletionResultType]::ParameterName, 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the tools/list array as JSON')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;check' {
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--message-field-id', '--message-field-id', [CompletionResultType]::ParameterName, 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]')
            [CompletionResult]::new('--message-bot-id', '--message-bot-id', [CompletionResultType]::ParameterName, 'Id of the Salesbot send_message runs to send the message field''s value [config: message_bot_id]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--coalesce', '--coalesce', [CompletionResultType]::ParameterName, 'Merge calls of one account that would wait for the rate limit into Kommo''s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]')
            [CompletionResult]::new('--redis-prefix', '--redis-prefix', [CompletionResultType]::ParameterName, 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]')
            [CompletionResult]::new('--redis-fallback-rate', '--redis-fallback-rate', [CompletionResultType]::ParameterName, 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]')
            [CompletionResult]::new('--redis-ca-file', '--redis-ca-file', [CompletionResultType]::ParameterName, 'CA certificates (PEM file) that a rediss:// Redis''s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]')
            [CompletionResult]::new('--confirm-tools', '--confirm-tools', [CompletionResultType]::ParameterName, 'Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask [default: none] [config: confirm_tools]')
            [CompletionResult]::new('--confirm-timeout', '--confirm-timeout', [CompletionResultType]::ParameterName, 'How long a write of --confirm-tools waits for the user''s answer; then it is not sent, as if declined [default: 120] [config: confirm_timeout]')
            [CompletionResult]::new('--note-dedupe', '--note-dedupe', [CompletionResultType]::ParameterName, 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task''s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]')
            [CompletionResult]::new('--rate-limit-per-ip', '--rate-limit-per-ip', [CompletionResultType]::ParameterName, 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]')
            [CompletionResult]::new('--max-json-depth', '--max-json-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]')
            [CompletionResult]::new('--max-json-values', '--max-json-values', [CompletionResultType]::ParameterName, 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]')
            [CompletionResult]::new('--max-sessions', '--max-sessions', [CompletionResultType]::ParameterName, 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]')
            [CompletionResult]::new('--session-idle-timeout', '--session-idle-timeout', [CompletionResultType]::ParameterName, 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]')
            [CompletionResult]::new('--header-read-timeout', '--header-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection may take to send a request''s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]')
            [CompletionResult]::new('--body-read-timeout', '--body-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]')
            [CompletionResult]::new('--max-sessions-per-caller', '--max-sessions-per-caller', [CompletionResultType]::ParameterName, 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]')
            [CompletionResult]::new('--max-streams-per-caller', '--max-streams-per-caller', [CompletionResultType]::ParameterName, 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]')
            [CompletionResult]::new('--max-calls-per-caller', '--max-calls-per-caller', [CompletionResultType]::ParameterName, 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]')
            [CompletionResult]::new('--replay-events-per-session', '--replay-events-per-session', [CompletionResultType]::ParameterName, 'Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 64] [config: http.replay-events-per-session]')
            [CompletionResult]::new('--replay-bytes-per-session', '--replay-bytes-per-session', [CompletionResultType]::ParameterName, 'Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 262144] [config: http.replay-bytes-per-session]')
            [CompletionResult]::new('--oauth-issuer', '--oauth-issuer', [CompletionResultType]::ParameterName, 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens'' iss); needs --public-url [config: oauth_issuer]')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]')
            [CompletionResult]::new('--oauth-audience', '--oauth-audience', [CompletionResultType]::ParameterName, 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]')
            [CompletionResult]::new('--oauth-jwks-url', '--oauth-jwks-url', [CompletionResultType]::ParameterName, 'Where the issuer''s signing keys (JWKS) are [default: jwks_uri from the issuer''s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]')
            [CompletionResult]::new('--oauth-accounts-claim', '--oauth-accounts-claim', [CompletionResultType]::ParameterName, 'Token claim listing the account subdomains a token may act on (like a client key''s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;sandbox' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free one)')
            [CompletionResult]::new('--requests-per-second', '--requests-per-second', [CompletionResultType]::ParameterName, 'Requests per second the demo account takes before it answers 429, as Kommo does; 0 turns the limit off')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kommo-mcp;new-key' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve MCP over stdio (default) or HTTP (--http)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Run one tool once and print its result')
            [CompletionResult]::new('tools', 'tools', [CompletionResultType]::ParameterValue, 'List the enabled tools')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Show the effective configuration and check the token against Kommo')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell')
            [CompletionResult]::new('new-key', 'new-key', [CompletionResultType]::ParameterValue, 'Print a fresh random client key and the key_sha256 line for its [clients.<name>] table')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write every page to a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kommo-mcp;help;serve' {
            break
        }
        'kommo-mcp;help;call' {
            break
        }
        'kommo-mcp;help;tools' {
            break
        }
        'kommo-mcp;help;check' {
            break
        }
        'kommo-mcp;help;sandbox' {
            break
        }
        'kommo-mcp;help;new-key' {
            break
        }
        'kommo-mcp;help;completions' {
            break
        }
        'kommo-mcp;help;man' {
            break
        }
        'kommo-mcp;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
