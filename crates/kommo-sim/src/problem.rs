//! Builds Kommo's error answers (`application/problem+json`, the shapes of
//! <https://developers.kommo.com/docs/http-codes>) and the
//! small response helpers the simulator's handlers share.

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, StatusCode};
use serde::Serialize;

const PROBLEM: &str = "application/problem+json";
const HAL: &str = "application/hal+json";

const UNAUTHORIZED: &str = r#"{"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Invalid user name or password"}"#;
const PAYMENT_REQUIRED: &str = r#"{"title":"Payment Required","type":"https://httpstatus.es/402","status":402,"detail":"Payment required"}"#;
const BLOCKED: &str = r#"{"title":"Forbidden","type":"https://httpstatus.es/403","status":403,"detail":"Your account or IP has been blocked for exceeding the request limit"}"#;
const TOO_MANY: &str =
    "You have sent too many requests in a given amount of time. Please try again later.";
/// The body of an injected `html` fault.
pub(crate) const BAD_GATEWAY_HTML: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

/// One entry of a 400 `validation-errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FieldError {
    pub code: &'static str,
    pub path: String,
    pub detail: &'static str,
}

impl FieldError {
    pub(crate) fn not_supported_choice(path: impl Into<String>) -> Self {
        FieldError {
            code: "NotSupportedChoice",
            path: path.into(),
            detail: "The value you selected is not a valid choice.",
        }
    }

    pub(crate) fn invalid_type(path: impl Into<String>) -> Self {
        FieldError {
            code: "InvalidType",
            path: path.into(),
            detail: "This value should be of type valid.",
        }
    }

    pub(crate) fn not_blank(path: impl Into<String>) -> Self {
        FieldError {
            code: "NotBlank",
            path: path.into(),
            detail: "This value should not be blank.",
        }
    }

    pub(crate) fn too_long(path: impl Into<String>) -> Self {
        FieldError {
            code: "TooLong",
            path: path.into(),
            detail: "This value is too long. It should have 256 characters or less.",
        }
    }
}

/// A response with `body` and `content_type` (none when `None`).
pub(crate) fn with_body(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: Body,
) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if let Some(ct) = content_type {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    response
}

/// A success answer with a HAL JSON body.
pub(crate) fn hal(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => with_body(status, Some(HAL), Body::from(bytes)),
        Err(_) => internal_error(),
    }
}

/// `204 No Content`: no body, no content type.
pub(crate) fn no_content() -> Response {
    with_body(StatusCode::NO_CONTENT, None, Body::empty())
}

fn problem_static(status: StatusCode, body: &'static str) -> Response {
    with_body(status, Some(PROBLEM), Body::from(body))
}

fn problem_value(status: StatusCode, value: &serde_json::Value) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => with_body(status, Some(PROBLEM), Body::from(bytes)),
        Err(_) => problem_static(status, ""),
    }
}

/// The content type that goes with `status` for a JSON body.
pub(crate) fn json_content_type(status: StatusCode) -> &'static str {
    if status.as_u16() >= 400 { PROBLEM } else { HAL }
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// A plain problem: `{title, type, status, detail}`.
pub(crate) fn problem(status: StatusCode, detail: &str) -> Response {
    let code = status.as_u16();
    problem_value(
        status,
        &serde_json::json!({
            "title": title(status),
            "type": format!("https://httpstatus.es/{code}"),
            "status": code,
            "detail": detail,
        }),
    )
}

/// 401 for a missing or wrong token, or an unknown account.
pub(crate) fn unauthorized() -> Response {
    problem_static(StatusCode::UNAUTHORIZED, UNAUTHORIZED)
}

/// 402: the account's paid period ended.
pub(crate) fn payment_required() -> Response {
    problem_static(StatusCode::PAYMENT_REQUIRED, PAYMENT_REQUIRED)
}

/// 403 for an account blocked after too many 429s.
pub(crate) fn blocked() -> Response {
    problem_static(StatusCode::FORBIDDEN, BLOCKED)
}

/// 404 with `detail`.
pub(crate) fn not_found(detail: &str) -> Response {
    problem(StatusCode::NOT_FOUND, detail)
}

/// 404 for an unknown route: "Cannot <METHOD> <path>".
pub(crate) fn no_route(method: &str, path: &str) -> Response {
    not_found(&format!("Cannot {method} {path}"))
}

/// 400 with a plain `detail` and no validation errors.
pub(crate) fn bad_request(detail: &str) -> Response {
    problem(StatusCode::BAD_REQUEST, detail)
}

/// 400 `Request validation failed` with one `validation-errors` entry (request_id "0").
pub(crate) fn validation(errors: &[FieldError]) -> Response {
    problem_value(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({
            "validation-errors": [{"request_id": "0", "errors": errors}],
            "title": "Bad Request",
            "type": "https://httpstatus.es/400",
            "status": 400,
            "detail": "Request validation failed",
        }),
    )
}

/// 400 naming each rejected element of a batch by its `request_id`.
pub(crate) fn validation_groups(groups: &[(String, Vec<FieldError>)]) -> Response {
    let groups: Vec<serde_json::Value> = groups
        .iter()
        .map(|(request_id, errors)| serde_json::json!({"request_id": request_id, "errors": errors}))
        .collect();
    problem_value(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({
            "validation-errors": groups,
            "title": "Bad Request",
            "type": "https://httpstatus.es/400",
            "status": 400,
            "detail": "Request validation failed",
        }),
    )
}

/// 429 with `retry_after` in the body and, when asked, a `Retry-After` header.
pub(crate) fn too_many_requests(retry_after: u64, header: Option<u64>) -> Response {
    let mut response = problem_value(
        StatusCode::TOO_MANY_REQUESTS,
        &serde_json::json!({
            "title": "Too Many Requests",
            "type": "https://httpstatus.es/429",
            "status": 429,
            "detail": TOO_MANY,
            "retry_after": retry_after,
        }),
    );
    if let Some(secs) = header {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// 500 as Kommo sends it: `ErrInternalServer`, a `trace_id`, and no `type`.
pub(crate) fn internal_error() -> Response {
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    problem_value(
        StatusCode::INTERNAL_SERVER_ERROR,
        &serde_json::json!({
            "title": "ErrInternalServer",
            "status": 500,
            "detail": "Internal server error",
            "trace_id": trace_id,
        }),
    )
}

/// The documented problem for `status` (the shapes Kommo documents; a generic one for other
/// codes).
pub(crate) fn documented(status: StatusCode, retry_after: u64, header: Option<u64>) -> Response {
    match status.as_u16() {
        401 => unauthorized(),
        402 => payment_required(),
        403 => blocked(),
        404 => not_found("Not found"),
        429 => too_many_requests(retry_after, header),
        500 => internal_error(),
        _ => problem(status, title(status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn internal_error_has_trace_id_and_no_type() {
        let r = internal_error();
        assert_eq!(r.headers()[CONTENT_TYPE], PROBLEM);
        let v = body_json(r).await;
        assert_eq!(v["title"], "ErrInternalServer");
        assert!(v["trace_id"].is_string());
        assert!(v.get("type").is_none());
    }

    #[tokio::test]
    async fn validation_envelope_shape() {
        let v = body_json(validation(&[FieldError::not_supported_choice("status_id")])).await;
        assert_eq!(
            v,
            serde_json::json!({"validation-errors":[{"request_id":"0","errors":[{"code":"NotSupportedChoice","path":"status_id","detail":"The value you selected is not a valid choice."}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"})
        );
    }

    #[tokio::test]
    async fn too_many_requests_header_is_optional() {
        assert!(
            too_many_requests(1, None)
                .headers()
                .get(RETRY_AFTER)
                .is_none()
        );
        let r = too_many_requests(3, Some(3));
        assert_eq!(r.headers()[RETRY_AFTER], "3");
        assert_eq!(body_json(r).await["retry_after"], 3);
    }
}
