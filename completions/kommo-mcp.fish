# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kommo_mcp_global_optspecs
    string join \n token= subdomain= tools= pause-field-id= pause-value= base-url= rate-limit= connect-timeout= request-timeout= pipelines-cache= max-line-bytes= config= log-level= sandbox http listen= stateless auth-token= allow-unauthenticated allowed-host= allowed-origin= h/help V/version
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
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l listen -d 'Address to listen on with --http' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l auth-token -d 'Require "Authorization: Bearer <TOKEN>" on every route but /healthz' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l allowed-host -d 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l allowed-origin -d 'Also accept this Origin (repeatable), e.g. https://app.example.com' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l http -d 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l stateless -d 'Serve /mcp without sessions, so any replica can answer any request'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -l allow-unauthenticated -d 'Allow listening on a non-loopback address without --auth-token'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -s V -l version -d 'Print version'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "serve" -d 'Serve MCP over stdio (default) or HTTP (--http)'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "call" -d 'Run one tool once and print its result'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "tools" -d 'List the enabled tools'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "check" -d 'Show the effective configuration and check the token against Kommo'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "man" -d 'Print the man page (roff), or write every page to a directory'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "simulator" -d 'Run the Kommo API simulator alone (for tests and benchmarks)'
complete -c kommo-mcp -n "__fish_kommo_mcp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l listen -d 'Address to listen on with --http' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l auth-token -d 'Require "Authorization: Bearer <TOKEN>" on every route but /healthz' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l allowed-host -d 'Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l allowed-origin -d 'Also accept this Origin (repeatable), e.g. https://app.example.com' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l http -d 'Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l stateless -d 'Serve /mcp without sessions, so any replica can answer any request'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l allow-unauthenticated -d 'Allow listening on a non-loopback address without --auth-token'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand serve" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l json -d 'Arguments as one JSON object, or - to read it from stdin (instead of KEY=VALUE)' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l output -d 'Print the first text block (text) or the whole tool result (json)' -r -f -a "text\t''
json\t''"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand call" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l json -d 'Print the tools/list array as JSON'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand tools" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand check" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l out-dir -d 'Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead' -r -f -a "(__fish_complete_directories)"
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand man" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l listen -d 'Address to listen on' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l account -d 'A demo account to seed, as SUBDOMAIN:TOKEN (repeatable) [default: demo:sandbox-token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l requests-per-second -d 'Requests per second per account before 429; 0 turns the limit off (not --rate-limit, which is the global setting for kommo-mcp\'s own limiter)' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l token -d 'Kommo long-lived token [config: token]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l subdomain -d 'Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l tools -d 'Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l pause-field-id -d 'Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l pause-value -d 'Value of the pause field that means "paused" [default: true] [config: pause_value]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l base-url -d 'Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l rate-limit -d 'Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l connect-timeout -d 'Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l request-timeout -d 'Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l pipelines-cache -d 'Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l max-line-bytes -d 'Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l config -d 'Config file [default: ~/.config/kommo-mcp/config.toml]' -r -F
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l log-level -d 'Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]' -r
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l missing-lead-404 -d 'Answer a missing lead with 404 instead of 204'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -l sandbox -d 'Start an in-process Kommo simulator with a demo account and use it'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand simulator" -s h -l help -d 'Print help'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "serve" -d 'Serve MCP over stdio (default) or HTTP (--http)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "call" -d 'Run one tool once and print its result'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "tools" -d 'List the enabled tools'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "check" -d 'Show the effective configuration and check the token against Kommo'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "completions" -d 'Print a shell completion script'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "man" -d 'Print the man page (roff), or write every page to a directory'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "simulator" -d 'Run the Kommo API simulator alone (for tests and benchmarks)'
complete -c kommo-mcp -n "__fish_kommo_mcp_using_subcommand help; and not __fish_seen_subcommand_from serve call tools check completions man simulator help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
