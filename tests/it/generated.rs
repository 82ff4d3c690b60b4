//! The committed completions, man pages, `docs/tools.md`, `docs/configuration.md` and the
//! README's tool list are what the binary generates now. Regenerate them with
//! `KOMMO_MCP_UPDATE_GENERATED=1 cargo test --test it generated`.

use std::path::Path;

use kommo_mcp::testing::generated_files;

const UPDATE: &str = "KOMMO_MCP_UPDATE_GENERATED";

#[test]
fn generated_files_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os(UPDATE).is_some_and(|v| v == "1");
    let files = generated_files().expect("generation succeeds");
    let mut stale = Vec::new();
    for (relative, expected) in &files {
        let path = root.join(relative);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(expected.as_slice()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, expected).unwrap();
        } else {
            stale.push(relative.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale or missing: {}. Run `{UPDATE}=1 cargo test --test it generated` and commit them.",
        stale.join(", ")
    );
}

#[test]
fn the_expected_files_are_generated_without_machine_specific_text() {
    let files = generated_files().unwrap();
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "completions/kommo-mcp.bash",
            "completions/_kommo-mcp",
            "completions/kommo-mcp.fish",
            "completions/_kommo-mcp.ps1",
            "completions/kommo-mcp.elv",
            "man/kommo-mcp.1",
            "man/kommo-mcp-serve.1",
            "man/kommo-mcp-call.1",
            "man/kommo-mcp-tools.1",
            "man/kommo-mcp-check.1",
            "man/kommo-mcp-sandbox.1",
            "man/kommo-mcp-new-key.1",
            "man/kommo-mcp-completions.1",
            "man/kommo-mcp-man.1",
            "docs/tools.md",
            "docs/configuration.md",
        ]
    );
    let home = std::env::var("HOME").unwrap_or_default();
    for (path, bytes) in &files {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            home.len() < 2 || !text.contains(&home),
            "{} names $HOME",
            path.display()
        );
        if path.starts_with("man") {
            assert!(
                !text.contains("missing-lead-404"),
                "{} shows the hidden subcommand",
                path.display()
            );
        }
    }
    let (_, top) = &files[5];
    let top = String::from_utf8(top.clone()).unwrap();
    let title = top.lines().find(|line| line.starts_with(".TH")).unwrap();
    assert_eq!(
        title,
        format!(
            ".TH kommo-mcp 1  \"kommo-mcp {}\" \"kommo-mcp manual\"",
            env!("CARGO_PKG_VERSION")
        ),
        "no date in the title"
    );
    let docs = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
    for setting in kommo_mcp::testing::settings::ALL {
        assert!(top.contains(setting.env), "{} undocumented", setting.env);
        if let Some(key) = setting.config_key() {
            assert!(
                top.replace("\\-", "-")
                    .contains(&format!("config key \\fB{key}\\fR")),
                "{key} not in the man page"
            );
            assert!(
                docs.contains(&format!("| `{key}` |")),
                "{key} not in the docs"
            );
        }
        assert!(
            docs.contains(&format!("`{}`", setting.env)),
            "{}",
            setting.env
        );
    }
    let (_, call) = &files[7];
    let call = String::from_utf8(call.clone()).unwrap();
    assert!(call.contains("list_pipelines"));
}

/// Every limit, as (flag, environment variable, config key, default) — what the Limits table
/// of docs/operating.md and the man page's LIMITS section must both name.
fn every_limit() -> Vec<(String, String, String, String)> {
    use kommo_mcp::testing::{DEFAULT_MAX_LINE_BYTES, Heading, Setting, settings};
    let row = |setting: &Setting, default: String| {
        (
            setting.flag.to_owned(),
            setting.env.to_owned(),
            setting.key.to_owned(),
            default,
        )
    };
    let mut all = vec![row(
        &settings::MAX_LINE_BYTES,
        DEFAULT_MAX_LINE_BYTES.to_string(),
    )];
    for limit in settings::ALL
        .iter()
        .filter(|setting| setting.heading == Heading::HttpLimits)
    {
        all.push(row(limit, limit.default_value().unwrap().to_owned()));
    }
    all.push(row(
        &settings::NOTE_DEDUPE,
        settings::NOTE_DEDUPE.default_value().unwrap().to_owned(),
    ));
    all
}

#[test]
fn operating_guide_and_man_page_list_every_limit_with_its_setting_and_default() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/operating.md")).unwrap();
    let start = guide.find("\n## Limits\n").expect("a Limits section");
    let section = &guide[start..];
    let section = &section[..section[4..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 4)];
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| ")).collect();
    let files = generated_files().unwrap();
    let man = files
        .iter()
        .find(|(path, _)| path.ends_with("kommo-mcp.1"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).replace("\\-", "-"))
        .unwrap();
    let man = &man[man.find(".SH LIMITS\n").expect("a LIMITS section")..];
    let man = &man[..man[4..].find(".SH ").map_or(man.len(), |end| end + 4)];
    for (flag, env, key, default) in every_limit() {
        let row = rows
            .iter()
            .find(|row| row.contains(&format!("`{flag}`")))
            .unwrap_or_else(|| {
                panic!("the Limits table of docs/operating.md has no row for {flag}")
            });
        for part in [&env, &key, &default] {
            assert!(
                row.contains(part.as_str()),
                "docs/operating.md's row for {flag} lacks {part}: {row}"
            );
        }
        for part in [&flag, &env, &key, &default] {
            assert!(
                man.contains(part.as_str()),
                "the man page's LIMITS lacks {part}"
            );
        }
    }
    for extra in [
        "--rate-limit-per-ip",
        "KOMMO_MCP_RATE_LIMIT_PER_IP",
        "rate_limit",
        "10000",
    ] {
        assert!(
            section.contains(extra),
            "docs/operating.md's Limits lacks {extra}"
        );
        assert!(man.contains(extra), "the man page's LIMITS lacks {extra}");
    }
}

/// README.md's "Tools at a glance" names every tool and no other, with its summary, as
/// `docs/tools.md` does; `KOMMO_MCP_UPDATE_GENERATED=1` rewrites it.
#[test]
fn readme_tools_at_a_glance_are_the_tools_there_are() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let current = std::fs::read_to_string(&path).unwrap();
    let expected = kommo_mcp::testing::readme_with_current_tools(&current).unwrap();
    if current == expected {
        return;
    }
    if std::env::var_os(UPDATE).is_some_and(|v| v == "1") {
        std::fs::write(&path, expected).unwrap();
    } else {
        panic!(
            "README.md's tools at a glance are stale. Run `{UPDATE}=1 cargo test --test it generated` and commit README.md."
        );
    }
}
