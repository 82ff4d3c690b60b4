# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kommo_mcp_global_optspecs
    string join \n token= subdomain= tools= pause-field-id= pause-value= message-field-id= message-bot-id= base-url= rate-limit= coalesce= batch-size= connect-timeout= request-timeout= pipelines-cache= redis-url= redis-prefix= redis-fallback-rate= redis-ca-file= audit-log= read-only= dry-run= confirm-tools= confirm-timeout= note-dedupe= max-line-bytes= listen= auth-token= rate-limit-per-ip= metrics-listen= max-body-bytes= max-json-depth= max-json-values= max-sessions= session-idle-timeout= header-read-timeout= body-read-timeout= max-connections= max-sessions-per-caller= max-streams-per-caller= max-calls-per-caller= replay-events-per-session= replay-bytes-per-session= oauth-issuer= public-url= oauth-audience= oauth-jwks-url= oauth-accounts-claim= config= log-level= log-format= sandbox http stateless allow-unauthenticated allowed-host= allowed-origin= metrics-account-label h/help V/version
end

function __fish_kommo_mcp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kommo_mcp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kommo_mcp_using_subcommand
    set -l cmd (__fish_kommo_mcp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l message-field-id -d 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l message-bot-id -d 'Id of the Salesbot send_message runs to send the message field\'s value [config: message_bot_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l coalesce -d 'Merge calls of one account that would wait for the rate limit into Kommo\'s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l batch-size -d 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l redis-url -d 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l redis-prefix -d 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l redis-fallback-rate -d 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l redis-ca-file -d 'CA certificates (PEM file) that a rediss:// Redis\'s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l audit-log -d 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l read-only -d 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l dry-run -d 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l confirm-tools -d 'Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask [default: none] [config: confirm_tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l confirm-timeout -d 'How long a write of --confirm-tools waits for the user\'s answer; then it is not sent, as if declined [default: 120] [config: confirm_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l note-dedupe -d 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task\'s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l listen -d 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l auth-token -d 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l rate-limit-per-ip -d 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l metrics-listen -d 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-body-bytes -d 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-json-depth -d 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-json-values -d 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-sessions -d 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l session-idle-timeout -d 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l header-read-timeout -d 'Seconds a connection may take to send a request\'s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l body-read-timeout -d 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-connections -d 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-sessions-per-caller -d 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-streams-per-caller -d 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-calls-per-caller -d 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l replay-events-per-session -d 'Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 64] [config: http.replay-events-per-session]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l replay-bytes-per-session -d 'Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 262144] [config: http.replay-bytes-per-session]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l oauth-issuer -d 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens\' iss); needs --public-url [config: oauth_issuer]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l public-url -d 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l oauth-audience -d 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l oauth-jwks-url -d 'Where the issuer\'s signing keys (JWKS) are [default: jwks_uri from the issuer\'s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l oauth-accounts-claim -d 'Token claim listing the account subdomains a token may act on (like a client key\'s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l log-format -d 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l allowed-host -d 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l allowed-origin -d 'Also accept this Origin (repeatable), e.g. https://app.example.com' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l sandbox -d 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l http -d 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l stateless -d 'Serve /mcp without sessions, so any replica can answer any request'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l allow-unauthenticated -d 'Allow listening on a non-loopback address without --auth-token'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l metrics-account-label -d 'Label Kommo metrics with the account subdomain (one series per account)'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -s V -l version -d 'Print version'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "serve" -d 'Serve MCP over stdio (default) or HTTP (--http)'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "call" -d 'Run one tool once and print its result'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "tools" -d 'List the enabled tools'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "check" -d 'Show the effective configuration and check the token against Kommo'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "sandbox" -d 'Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "new-key" -d 'Print a fresh random client key and the key_sha256 line for its [clients.<name>] table'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "man" -d 'Print the man page (roff), or write every page to a directory'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l message-field-id -d 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l message-bot-id -d 'Id of the Salesbot send_message runs to send the message field\'s value [config: message_bot_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l coalesce -d 'Merge calls of one account that would wait for the rate limit into Kommo\'s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l batch-size -d 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l redis-url -d 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l redis-prefix -d 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l redis-fallback-rate -d 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l redis-ca-file -d 'CA certificates (PEM file) that a rediss:// Redis\'s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l audit-log -d 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l read-only -d 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l dry-run -d 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l confirm-tools -d 'Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask [default: none] [config: confirm_tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l confirm-timeout -d 'How long a write of --confirm-tools waits for the user\'s answer; then it is not sent, as if declined [default: 120] [config: confirm_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l note-dedupe -d 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task\'s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l listen -d 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l auth-token -d 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l rate-limit-per-ip -d 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l metrics-listen -d 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-body-bytes -d 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-json-depth -d 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-json-values -d 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-sessions -d 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l session-idle-timeout -d 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l header-read-timeout -d 'Seconds a connection may take to send a request\'s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l body-read-timeout -d 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-connections -d 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-sessions-per-caller -d 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-streams-per-caller -d 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-calls-per-caller -d 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l replay-events-per-session -d 'Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 64] [config: http.replay-events-per-session]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l replay-bytes-per-session -d 'Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 262144] [config: http.replay-bytes-per-session]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l oauth-issuer -d 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens\' iss); needs --public-url [config: oauth_issuer]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l public-url -d 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l oauth-audience -d 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l oauth-jwks-url -d 'Where the issuer\'s signing keys (JWKS) are [default: jwks_uri from the issuer\'s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l oauth-accounts-claim -d 'Token claim listing the account subdomains a token may act on (like a client key\'s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l log-format -d 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l allowed-host -d 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l allowed-origin -d 'Also accept this Origin (repeatable), e.g. https://app.example.com' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l sandbox -d 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l http -d 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l stateless -d 'Serve /mcp without sessions, so any replica can answer any request'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l allow-unauthenticated -d 'Allow listening on a non-loopback address without --auth-token'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l metrics-account-label -d 'Label Kommo metrics with the account subdomain (one series per account)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l json -d 'Arguments as one JSON object, or - to read it from stdin (instead of KEY=VALUE)' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l output -d 'Print the first text block (text) or the whole tool result (json)' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l message-field-id -d 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l message-bot-id -d 'Id of the Salesbot send_message runs to send the message field\'s value [config: message_bot_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l coalesce -d 'Merge calls of one account that would wait for the rate limit into Kommo\'s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l batch-size -d 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l redis-url -d 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l redis-prefix -d 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l redis-fallback-rate -d 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l redis-ca-file -d 'CA certificates (PEM file) that a rediss:// Redis\'s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l audit-log -d 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l read-only -d 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l dry-run -d 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l note-dedupe -d 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task\'s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l log-format -d 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l sandbox -d 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l message-field-id -d 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l message-bot-id -d 'Id of the Salesbot send_message runs to send the message field\'s value [config: message_bot_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l read-only -d 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l dry-run -d 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l note-dedupe -d 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task\'s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l log-format -d 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l json -d 'Print the tools/list array as JSON'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l sandbox -d 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l message-field-id -d 'Id of the text lead field send_message writes the reply into (the Salesbot sends it) [config: message_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l message-bot-id -d 'Id of the Salesbot send_message runs to send the message field\'s value [config: message_bot_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l coalesce -d 'Merge calls of one account that would wait for the rate limit into Kommo\'s batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone [default: true] [config: coalesce]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l batch-size -d 'Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50) [default: 50] [config: batch_size]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l redis-url -d 'Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l redis-prefix -d 'Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l redis-fallback-rate -d 'Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l redis-ca-file -d 'CA certificates (PEM file) that a rediss:// Redis\'s certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l audit-log -d 'Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it [config: audit_log]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l read-only -d 'Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further [default: false] [config: read_only]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l dry-run -d 'Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l confirm-tools -d 'Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask [default: none] [config: confirm_tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l confirm-timeout -d 'How long a write of --confirm-tools waits for the user\'s answer; then it is not sent, as if declined [default: 120] [config: confirm_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l note-dedupe -d 'Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task\'s due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded [default: 4194304] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l listen -d 'Address to listen on with --http [default: 127.0.0.1:8080] [config: listen]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l auth-token -d 'Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*] [config: auth_token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l rate-limit-per-ip -d 'Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit] [config: rate_limit_per_ip]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l metrics-listen -d 'Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token [config: metrics_listen]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-body-bytes -d 'Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-json-depth -d 'Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-json-values -d 'Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-sessions -d 'Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l session-idle-timeout -d 'Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open [default: 300] [config: http.session-idle-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l header-read-timeout -d 'Seconds a connection may take to send a request\'s head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l body-read-timeout -d 'Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-connections -d 'Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-sessions-per-caller -d 'Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429 [default: 250] [config: http.max-sessions-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-streams-per-caller -d 'Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429 [default: 128] [config: http.max-streams-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-calls-per-caller -d 'Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429 [default: 64] [config: http.max-calls-per-caller]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l replay-events-per-session -d 'Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 64] [config: http.replay-events-per-session]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l replay-bytes-per-session -d 'Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first) [default: 262144] [config: http.replay-bytes-per-session]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l oauth-issuer -d 'Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens\' iss); needs --public-url [config: oauth_issuer]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l public-url -d 'The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l oauth-audience -d 'The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l oauth-jwks-url -d 'Where the issuer\'s signing keys (JWKS) are [default: jwks_uri from the issuer\'s /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]' -r -f
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l oauth-accounts-claim -d 'Token claim listing the account subdomains a token may act on (like a client key\'s accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l log-format -d 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l sandbox -d 'Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand sandbox" -l listen -d 'Address to listen on (port 0 picks a free one)' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand sandbox" -l requests-per-second -d 'Requests per second the demo account takes before it answers 429, as Kommo does; 0 turns the limit off' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand sandbox" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check] [config: log_level]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand sandbox" -l log-format -d 'Log line format on stderr: text, or json (one JSON object per line) [default: text] [config: log_format]' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand sandbox" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand new-key" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l out-dir -d 'Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead' -r -f -a "(__fish_complete_directories)"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "serve" -d 'Serve MCP over stdio (default) or HTTP (--http)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "call" -d 'Run one tool once and print its result'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "tools" -d 'List the enabled tools'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "check" -d 'Show the effective configuration and check the token against Kommo'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "sandbox" -d 'Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "new-key" -d 'Print a fresh random client key and the key_sha256 line for its [clients.<name>] table'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "man" -d 'Print the man page (roff), or write every page to a directory'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check sandbox new-key completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
