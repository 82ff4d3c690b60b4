
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
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on with --http')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Require "Authorization: Bearer <TOKEN>" on every route but /healthz')
            [CompletionResult]::new('--allowed-host', '--allowed-host', [CompletionResultType]::ParameterName, 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy')
            [CompletionResult]::new('--allowed-origin', '--allowed-origin', [CompletionResultType]::ParameterName, 'Also accept this Origin (repeatable), e.g. https://app.example.com')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio')
            [CompletionResult]::new('--stateless', '--stateless', [CompletionResultType]::ParameterName, 'Serve /mcp without sessions, so any replica can answer any request')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Allow listening on a non-loopback address without --auth-token')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve MCP over stdio (default) or HTTP (--http)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Run one tool once and print its result')
            [CompletionResult]::new('tools', 'tools', [CompletionResultType]::ParameterValue, 'List the enabled tools')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Show the effective configuration and check the token against Kommo')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write every page to a directory')
            [CompletionResult]::new('simulator', 'simulator', [CompletionResultType]::ParameterValue, 'Run the Kommo API simulator alone (for tests and benchmarks)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kommo-mcp;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on with --http')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Require "Authorization: Bearer <TOKEN>" on every route but /healthz')
            [CompletionResult]::new('--allowed-host', '--allowed-host', [CompletionResultType]::ParameterName, 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy')
            [CompletionResult]::new('--allowed-origin', '--allowed-origin', [CompletionResultType]::ParameterName, 'Also accept this Origin (repeatable), e.g. https://app.example.com')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio')
            [CompletionResult]::new('--stateless', '--stateless', [CompletionResultType]::ParameterName, 'Serve /mcp without sessions, so any replica can answer any request')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Allow listening on a non-loopback address without --auth-token')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
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
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
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
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the tools/list array as JSON')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
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
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;completions' {
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;simulator' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'A demo account to seed, as SUBDOMAIN:TOKEN (repeatable) [default: demo:sandbox-token]')
            [CompletionResult]::new('--requests-per-second', '--requests-per-second', [CompletionResultType]::ParameterName, 'Requests per second per account before 429; 0 turns the limit off (not --rate-limit, which is the global setting for kommo-mcp''s own limiter)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Kommo long-lived token [config: token]')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]')
            [CompletionResult]::new('--tools', '--tools', [CompletionResultType]::ParameterName, 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]')
            [CompletionResult]::new('--pause-field-id', '--pause-field-id', [CompletionResultType]::ParameterName, 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]')
            [CompletionResult]::new('--pause-value', '--pause-value', [CompletionResultType]::ParameterName, 'Value of the pause field that means "paused" [default: true] [config: pause_value]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]')
            [CompletionResult]::new('--pipelines-cache', '--pipelines-cache', [CompletionResultType]::ParameterName, 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/kommo-mcp/config.toml]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]')
            [CompletionResult]::new('--missing-lead-404', '--missing-lead-404', [CompletionResultType]::ParameterName, 'Answer a missing lead with 404 instead of 204')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start an in-process Kommo simulator with a demo account and use it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kommo-mcp;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve MCP over stdio (default) or HTTP (--http)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Run one tool once and print its result')
            [CompletionResult]::new('tools', 'tools', [CompletionResultType]::ParameterValue, 'List the enabled tools')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Show the effective configuration and check the token against Kommo')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write every page to a directory')
            [CompletionResult]::new('simulator', 'simulator', [CompletionResultType]::ParameterValue, 'Run the Kommo API simulator alone (for tests and benchmarks)')
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
        'kommo-mcp;help;completions' {
            break
        }
        'kommo-mcp;help;man' {
            break
        }
        'kommo-mcp;help;simulator' {
            break
        }
        'kommo-mcp;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
