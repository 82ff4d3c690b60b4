//! `kommo-mcp check`: prints the effective configuration, then asks Kommo whether the
//! token is accepted, belongs to the configured account, and whether the pause field is a
//! checkbox lead field. Exit 1 with a sentence saying what to fix when anything is off.

use std::{io::Write, process::ExitCode};

use super::effective;
use crate::{
    config::settings,
    error::{AppError, exit},
    kommo::{KommoError, models::CustomField},
    redis_link::RedisState,
    scope::RequestScope,
    tools::{Target, Toolkit},
    toolset::ToolName,
};

pub(crate) async fn run(kit: &Toolkit) -> Result<ExitCode, AppError> {
    let mut lines =
        vec!["Effective configuration (flag > environment > config file > default):".to_owned()];
    lines.extend(effective::render(&effective::rows(kit.config())));
    let mut redis_problem = None;
    if let Some(link) = kit.client().redis() {
        lines.push(String::new());
        lines.push("Redis:".to_owned());
        match link.ping().await {
            RedisState::Up => lines.push(format!(
                "  ok    Redis at {} answers: replicas share the Kommo budget, pauses and sessions",
                link.redacted_url()
            )),
            RedisState::Down => {
                let problem = format!(
                    "Redis at {} does not answer ({}): each replica falls back to {} Kommo request(s)/s per account; check {} (flag {}, config key {})",
                    link.redacted_url(),
                    link.reason(),
                    kit.config().redis_fallback_rate.value,
                    settings::REDIS_URL.env,
                    settings::REDIS_URL.flag,
                    settings::REDIS_URL.key,
                );
                lines.push(format!("  FAIL  {problem}"));
                redis_problem = Some(problem);
            }
        }
    }
    lines.push(String::new());
    lines.push("Kommo:".to_owned());
    let mut report = verify(kit).await;
    lines.extend(report.passed.iter().map(|line| format!("  ok    {line}")));
    lines.extend(report.problems.iter().map(|line| format!("  FAIL  {line}")));
    report.problems.splice(0..0, redis_problem);
    if report.problems.is_empty() {
        lines.push(String::new());
        lines.push("Everything is in order.".to_owned());
    }
    let mut out = std::io::stdout().lock();
    for line in &lines {
        writeln!(out, "{line}").map_err(anyhow::Error::from)?;
    }
    out.flush().map_err(anyhow::Error::from)?;
    if report.problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &report.problems {
        eprintln!("kommo-mcp: error: {problem}");
    }
    Ok(ExitCode::from(exit::FAILED))
}

/// What the checks found: lines that passed and problems (each says what to fix).
#[derive(Default)]
struct Report {
    passed: Vec<String>,
    problems: Vec<String>,
}

async fn verify(kit: &Toolkit) -> Report {
    let mut report = Report::default();
    let target = match kit.target(&RequestScope::default()) {
        Ok(target) => target,
        Err(err) => {
            report.problems.push(err.to_string());
            return report;
        }
    };
    let account = &target.account;
    let subdomain = account.subdomain().as_str();
    match kit.client().account_info(account).await {
        Ok(info) if info.subdomain.is_empty() || info.subdomain.eq_ignore_ascii_case(subdomain) => {
            report.passed.push(format!(
                "the token is accepted by account {subdomain:?} ({:?}, id {}) at {}",
                info.name,
                info.id,
                account.api_root()
            ));
        }
        Ok(info) => {
            report.problems.push(format!(
                "the token belongs to account {:?}, not to the configured subdomain {subdomain:?}: set {} \
                 (flag {}, config key {}) to {:?}, or use a token of account {subdomain:?}.",
                info.subdomain,
                settings::SUBDOMAIN.env,
                settings::SUBDOMAIN.flag,
                settings::SUBDOMAIN.key,
                info.subdomain
            ));
            return report;
        }
        Err(err) => {
            report.problems.push(token_problem(&err, subdomain));
            return report;
        }
    }
    check_pause_field(kit, &target, &mut report).await;
    report
}

fn token_problem(err: &KommoError, subdomain: &str) -> String {
    let fix = match err {
        KommoError::Unauthorized => format!(
            "set {} (flag {}, config key {}) to a valid long-lived token of account {subdomain:?}, \
             and check that {} names the account the token belongs to.",
            settings::TOKEN.env,
            settings::TOKEN.flag,
            settings::TOKEN.key,
            settings::SUBDOMAIN.env
        ),
        KommoError::Connect { .. } | KommoError::Timeout { .. } => format!(
            "check {} and {} and the network.",
            settings::SUBDOMAIN.env,
            settings::BASE_URL.env
        ),
        _ => "fix what Kommo reports and run kommo-mcp check again.".to_owned(),
    };
    format!("Kommo did not accept the check of account {subdomain:?}: {err}. To fix it, {fix}")
}

async fn check_pause_field(kit: &Toolkit, target: &Target, report: &mut Report) {
    let pause_tools_enabled = [ToolName::PauseAgent, ToolName::ResumeAgent]
        .into_iter()
        .any(|tool| kit.enabled().contains(tool));
    let setting = format!(
        "{} (flag {}, config key {})",
        settings::PAUSE_FIELD_ID.env,
        settings::PAUSE_FIELD_ID.flag,
        settings::PAUSE_FIELD_ID.key
    );
    if target.pause.is_none() && !pause_tools_enabled {
        report.passed.push(
            "no pause field is configured, and none is needed: pause_agent and resume_agent are not enabled"
                .to_owned(),
        );
        return;
    }
    let fields = match kit.client().lead_custom_fields(&target.account).await {
        Ok(fields) => fields,
        Err(err) => {
            report.problems.push(format!(
                "Kommo did not list the lead custom fields, so the pause field could not be checked: {err}."
            ));
            return;
        }
    };
    let candidates = checkboxes(&fields);
    let Some(pause) = target.pause else {
        report.problems.push(format!(
            "no pause field is configured, so pause_agent and resume_agent cannot work: set {setting} to the \
             id of the checkbox lead field your agent platform reads ({candidates}), or leave both tools out of {}.",
            settings::TOOLS.env
        ));
        return;
    };
    match fields.iter().find(|field| field.id == pause.field_id) {
        Some(field) if field.kind == "checkbox" => report.passed.push(format!(
            "pause field {} {:?} is a checkbox lead field (paused = {})",
            field.id, field.name, pause.paused_value
        )),
        Some(field) => report.problems.push(format!(
            "pause field {} {:?} is a {} field, not a checkbox: set {setting} to the id of a checkbox \
             lead field ({candidates}).",
            field.id,
            field.name,
            if field.kind.is_empty() { "untyped" } else { &field.kind }
        )),
        None => report.problems.push(format!(
            "pause field {} does not exist among the {} lead custom fields of account {:?}: set {setting} \
             to the id of a checkbox lead field ({candidates}).",
            pause.field_id,
            fields.len(),
            target.account.subdomain().as_str()
        )),
    }
}

/// The account's checkbox lead fields, as a hint for the fix.
fn checkboxes(fields: &[CustomField]) -> String {
    let found: Vec<String> = fields
        .iter()
        .filter(|field| field.kind == "checkbox")
        .map(|field| format!("{} {:?}", field.id, field.name))
        .collect();
    if found.is_empty() {
        "the account has no checkbox lead field yet; create one in Kommo first".to_owned()
    } else {
        format!("checkbox lead fields: {}", found.join(", "))
    }
}
