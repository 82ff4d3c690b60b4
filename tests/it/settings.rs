//! Every setting of `config::settings::ALL`, driven by that table alone (a new setting is
//! covered without touching this file): it works from its flag, from its environment
//! variable alone and from the config file (`check` reports it with that source), it starts
//! `serve --http` from the environment alone, and given to a subcommand that does not take
//! it, it is a usage error (exit 2).

use std::path::Path;

use clap::CommandFactory;
use kommo_mcp::testing::{Cli, Kind, Setting, Table, Takes, settings};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use tokio::process::Command;

use crate::support::{HttpServer, Isolated};

/// Where a setting is given.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Channel {
    Flag,
    Env,
    File,
}

/// A home with the files the examples name under `{dir}`: `ca.pem` and `config.toml`.
fn home() -> Isolated {
    let env = Isolated::new();
    let key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = ca.self_signed(&key).unwrap();
    std::fs::write(env.home.path().join("ca.pem"), cert.pem()).unwrap();
    std::fs::write(env.home.path().join("config.toml"), "").unwrap();
    env
}

fn example(setting: &Setting, dir: &Path) -> String {
    setting.example.replace("{dir}", dir.to_str().unwrap())
}

/// The setting and those it requires.
fn with_requirements(setting: &'static Setting) -> Vec<&'static Setting> {
    let mut all = vec![setting];
    all.extend(
        setting
            .requires
            .iter()
            .map(|key| settings::by_key(Table::Top, key).unwrap()),
    );
    all
}

/// The command-line words that give `setting` its example value as a flag.
fn flag_words(setting: &Setting, dir: &Path) -> Vec<String> {
    let value = example(setting, dir);
    match setting.kind {
        Kind::Switch => vec![format!("{}={value}", setting.flag)],
        _ => vec![setting.flag.to_owned(), value],
    }
}

/// The config file line that gives `setting` its example value.
fn file_line(setting: &Setting, dir: &Path) -> String {
    let value = example(setting, dir);
    let literal = match setting.kind {
        Kind::Bool | Kind::Switch | Kind::Whole | Kind::Seconds => value,
        _ => toml::Value::String(value).to_string(),
    };
    format!("{} = {literal}", setting.key)
}

/// `command` given `setting` (and what it requires) through `channel`.
fn give(env: &Isolated, command: &mut Command, setting: &'static Setting, channel: Channel) {
    let dir = env.home.path();
    let (mut top, mut http) = (Vec::new(), Vec::new());
    for each in with_requirements(setting) {
        match channel {
            Channel::Flag => {
                command.args(flag_words(each, dir));
            }
            Channel::Env => {
                command.env(each.env, example(each, dir));
            }
            Channel::File => match each.table {
                Table::Http => http.push(file_line(each, dir)),
                _ => top.push(file_line(each, dir)),
            },
        }
    }
    if channel == Channel::File {
        env.write_default_config(&format!(
            "{}\n[http]\n{}\n",
            top.join("\n"),
            http.join("\n")
        ));
    }
}

/// `check` with `setting` given through `channel`: its row shows that source.
async fn check_reports(setting: &'static Setting, channel: Channel) {
    let env = home();
    let mut command = env.command();
    command.arg("check");
    give(&env, &mut command, setting, channel);
    let output = command.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(
        output.status.code(),
        Some(2),
        "{} from {channel:?} refused: {stderr}",
        setting.flag
    );
    let name = setting
        .config_key()
        .unwrap_or_else(|| "config file".to_owned());
    let row = stdout
        .lines()
        .find(|line| line.trim_start().starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("check shows no row for {name}:\n{stdout}"));
    if setting.table == Table::NotInFile {
        let value = example(setting, env.home.path());
        assert!(row.contains(&value), "{row}");
        return;
    }
    let expected = match channel {
        Channel::Flag => "(flag)".to_owned(),
        Channel::Env => format!("(env {})", setting.env),
        Channel::File => "(file ".to_owned(),
    };
    assert!(
        row.contains(&expected),
        "{} from {channel:?}: {row}",
        setting.flag
    );
    if setting.kind == Kind::Secret {
        assert!(!stdout.contains(setting.example), "{} shown", setting.key);
    }
}

#[tokio::test]
async fn every_setting_works_from_its_flag() {
    for setting in &settings::ALL {
        check_reports(setting, Channel::Flag).await;
    }
}

#[tokio::test]
async fn every_setting_works_from_its_environment_variable_alone() {
    for setting in &settings::ALL {
        check_reports(setting, Channel::Env).await;
    }
}

#[tokio::test]
async fn every_setting_works_from_the_config_file() {
    for setting in settings::ALL
        .iter()
        .filter(|setting| setting.table != Table::NotInFile)
    {
        check_reports(setting, Channel::File).await;
    }
}

#[tokio::test]
async fn the_server_starts_with_each_setting_from_the_environment_alone() {
    use futures::StreamExt;
    // Eight servers at a time: each start mostly waits (for its port, then its stop).
    futures::stream::iter(settings::ALL.iter())
        .for_each_concurrent(8, |setting| async move {
            let env = home();
            let mut command = env.command();
            command
                .args(["serve", "--http"])
                .env(settings::LISTEN.env, "127.0.0.1:0");
            give(&env, &mut command, setting, Channel::Env);
            let server = match HttpServer::try_start(command).await {
                Ok(server) => server,
                Err((status, stderr)) => panic!(
                    "{} from the environment: the server did not start ({status:?}):\n{stderr}",
                    setting.env
                ),
            };
            let health = server.health().await;
            assert!(health.is_object(), "{}: {health}", setting.env);
            server.stop().await;
        })
        .await;
}

#[tokio::test]
async fn a_setting_given_to_a_subcommand_that_does_not_take_it_is_a_usage_error() {
    let env = home();
    let dir = env.home.path();
    let subcommands: [(&[&str], Takes); 8] = [
        (&["serve"], Takes::SERVE),
        (&["call", "get_lead"], Takes::CALL),
        (&["tools"], Takes::TOOLS),
        (&["check"], Takes::CHECK),
        (&["sandbox"], Takes::SANDBOX),
        (&["new-key"], Takes(0)),
        (&["completions", "bash"], Takes(0)),
        (&["man"], Takes(0)),
    ];
    let cli = Cli::command();
    // An option of the subcommand's own that happens to share the name (sandbox --listen).
    let own_option = |sub: &str, setting: &Setting| {
        cli.find_subcommand(sub).is_some_and(|sub| {
            sub.get_arguments()
                .any(|a| a.get_long() == Some(setting.id()))
        })
    };
    for setting in &settings::ALL {
        for (words, takes) in subcommands {
            if setting.takes.contains(takes) && takes != Takes(0) {
                continue;
            }
            for before in [false, true] {
                if !before && own_option(words[0], setting) {
                    continue;
                }
                let mut command = env.command();
                if before {
                    command.args(flag_words(setting, dir)).args(words);
                } else {
                    command.args(words).args(flag_words(setting, dir));
                }
                let output = command.output().await.unwrap();
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert_eq!(
                    output.status.code(),
                    Some(2),
                    "{} {words:?} (before: {before}): {stderr}",
                    setting.flag
                );
                assert!(
                    stderr.starts_with("kommo-mcp: error: ") && stderr.contains(setting.flag),
                    "{stderr}"
                );
                assert!(output.stdout.is_empty());
            }
        }
    }
}
