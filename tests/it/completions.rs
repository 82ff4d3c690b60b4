//! The bash completion script works when bash runs it: the completion function is driven
//! the way bash drives it (COMP_WORDS, COMP_CWORD, then COMPREPLY is read), and no script
//! offers the hidden `simulator` subcommand.

use std::process::Command;

use clap_complete::Shell;
use kommo_mcp::testing::completion_script;

/// What bash would offer for the words typed so far (the last one is being completed).
fn bash_completes(words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("kommo-mcp.bash");
    std::fs::write(&script, completion_script(Shell::Bash)).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let current = words[cword];
    let previous = if cword > 0 { words[cword - 1] } else { "" };
    let program = format!(
        r#"source '{}'
fn=$(complete -p kommo-mcp | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_WORDS=({})
COMP_CWORD={cword}
"$fn" kommo-mcp '{current}' '{previous}'
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display(),
        quoted.join(" "),
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn tool_names_complete_after_call() {
    let offered = bash_completes(&["kommo-mcp", "call", ""]);
    for tool in crate::support::all_tools() {
        assert!(
            offered.iter().any(|o| o == tool),
            "{tool} not in {offered:?}"
        );
    }
    assert_eq!(
        bash_completes(&["kommo-mcp", "call", "move_"]),
        ["move_lead"]
    );
}

#[test]
fn subcommands_complete_after_the_program_name_without_the_hidden_one() {
    let offered = bash_completes(&["kommo-mcp", ""]);
    for sub in [
        "serve",
        "call",
        "tools",
        "check",
        "sandbox",
        "completions",
        "man",
    ] {
        assert!(offered.iter().any(|o| o == sub), "{sub} not in {offered:?}");
    }
    assert!(!offered.iter().any(|o| o == "simulator"), "{offered:?}");
    assert_eq!(bash_completes(&["kommo-mcp", "sa"]), ["sandbox"]);
}

#[test]
fn flags_complete_after_serve() {
    let offered = bash_completes(&["kommo-mcp", "serve", "--"]);
    for flag in [
        "--http",
        "--listen",
        "--stateless",
        "--auth-token",
        "--token",
    ] {
        assert!(
            offered.iter().any(|o| o == flag),
            "{flag} not in {offered:?}"
        );
    }
    let call_flags = bash_completes(&["kommo-mcp", "call", "--"]);
    assert!(call_flags.iter().any(|o| o == "--json"), "{call_flags:?}");
    assert!(call_flags.iter().any(|o| o == "--output"), "{call_flags:?}");
}

#[test]
fn no_script_offers_the_hidden_simulator() {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let script = String::from_utf8(completion_script(shell)).unwrap();
        assert!(
            !script.contains("simulator"),
            "{shell} script mentions the simulator"
        );
        assert!(
            script.contains("sandbox"),
            "{shell} script lacks the sandbox command"
        );
    }
}
