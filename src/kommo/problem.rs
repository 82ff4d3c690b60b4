//! Turns a non-success Kommo answer (status + problem+json, HTML or nothing) into a `KommoError`.

use serde::Deserialize;

use super::error::{FieldProblem, KommoError};

#[derive(Deserialize, Default)]
struct Problem {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default, rename = "validation-errors")]
    validation_errors: Vec<ValidationGroup>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
    #[serde(default)]
    retry_after: Option<u64>,
}

#[derive(Deserialize)]
struct ValidationGroup {
    #[serde(default)]
    errors: Vec<ValidationItem>,
}

#[derive(Deserialize)]
struct ValidationItem {
    #[serde(default)]
    code: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    detail: String,
}

/// The longest piece of a body we quote back in an error.
const MAX_DETAIL: usize = 300;

/// Maps a Kommo error answer to an error. `what` names the resource for a 404
/// (e.g. "the notes endpoint of lead 5").
pub(super) fn classify(status: u16, body: &[u8], what: &str) -> KommoError {
    let problem: Option<Problem> = serde_json::from_slice(body).ok();
    let detail = problem
        .as_ref()
        .and_then(|p| p.detail.clone().or_else(|| p.title.clone()))
        .or_else(|| plain_detail(body));
    match status {
        400 => {
            let problems = problem.as_ref().map(field_problems).unwrap_or_default();
            if problems.is_empty() {
                KommoError::BadRequest {
                    detail: problem.as_ref().and_then(errors_map).or(detail),
                }
            } else {
                KommoError::Validation { problems }
            }
        }
        401 => KommoError::Unauthorized,
        402 => KommoError::PaymentRequired,
        403 => KommoError::Forbidden { detail },
        404 => KommoError::NotFound {
            what: what.to_owned(),
            detail,
        },
        429 => KommoError::RateLimited {
            retry_after: problem.and_then(|p| p.retry_after),
        },
        500..=599 => KommoError::Server { status, detail },
        _ => KommoError::Status { status, detail },
    }
}

fn field_problems(problem: &Problem) -> Vec<FieldProblem> {
    problem
        .validation_errors
        .iter()
        .flat_map(|group| &group.errors)
        .map(|item| FieldProblem {
            path: item.path.clone(),
            code: item.code.clone(),
            detail: item.detail.clone(),
        })
        .collect()
}

/// The second 400 shape: `{"errors": {"<id>": "<message>"}}`.
fn errors_map(problem: &Problem) -> Option<String> {
    let map = problem.errors.as_ref()?.as_object()?;
    let parts: Vec<String> = map
        .iter()
        .map(|(key, value)| match value.as_str() {
            Some(text) => format!("{key}: {text}"),
            None => format!("{key}: {value}"),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// For a body that is not problem+json (HTML from a gateway, plain text): a short,
/// tag-free excerpt, or nothing.
fn plain_detail(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.starts_with('<') {
        return Some("Kommo sent an HTML page instead of JSON".to_owned());
    }
    let mut excerpt: String = trimmed.chars().take(MAX_DETAIL).collect();
    if trimmed.chars().count() > MAX_DETAIL {
        excerpt.push('…');
    }
    Some(excerpt)
}

/// The `retry_after` of a 429 body, if it has one.
pub(super) fn retry_after_from_body(body: &[u8]) -> Option<u64> {
    serde_json::from_slice::<Problem>(body).ok()?.retry_after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_field() {
        let body = br#"{"validation-errors":[{"request_id":"0","errors":[{"code":"NotSupportedChoice","path":"status_id","detail":"The value you selected is not a valid choice."}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}"#;
        let err = classify(400, body, "lead 1");
        assert_eq!(
            err.to_string(),
            "Kommo rejected the request (400 Bad Request): status_id: The value you selected is not a valid choice (NotSupportedChoice)"
        );
    }

    #[test]
    fn each_status_gets_its_reason() {
        assert!(
            classify(401, b"{}", "x")
                .to_string()
                .contains("invalid, expired")
        );
        assert!(
            classify(402, b"", "x")
                .to_string()
                .contains("subscription has lapsed")
        );
        assert!(classify(403, b"", "x").to_string().contains("403"));
        assert!(
            classify(404, br#"{"detail":"Pipeline not found"}"#, "pipeline 9")
                .to_string()
                .contains("pipeline 9")
        );
        let html = classify(502, b"<html><body>Bad Gateway</body></html>", "x").to_string();
        assert!(html.contains("502") && html.contains("HTML"), "{html}");
        assert_eq!(
            classify(429, br#"{"retry_after":3}"#, "x"),
            KommoError::RateLimited {
                retry_after: Some(3)
            }
        );
        let map = classify(
            400,
            br#"{"errors":{"5":"loss_reason_id is not allowed"},"detail":"Invalid request body"}"#,
            "x",
        );
        assert!(map.to_string().contains("loss_reason_id"));
        assert!(
            classify(
                500,
                b"{\"title\":\"ErrInternalServer\",\"detail\":\"boom\",\"trace_id\":\"t\"}",
                "x"
            )
            .to_string()
            .contains("boom")
        );
        assert!(
            classify(400, b"{\"detail\": \"trunc", "x")
                .to_string()
                .contains("trunc")
        );
    }
}
