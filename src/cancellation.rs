//! Whether the client cancelled the tool call this task runs (`notifications/cancelled`).
//! The server sets the call's tokens around the tool ([`during`]): rmcp's own request token
//! (stdio) and the one a transport keeps per session for the request id (`/mcp`, `/sse`,
//! where each request is answered by a short-lived service that never sees the
//! notification). The write path asks [`requested`] before anything reaches Kommo.

use std::future::Future;

use tokio_util::sync::CancellationToken;

/// A transport's cancellation token for one request, carried in the request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct CallCancel(pub CancellationToken);

tokio::task_local! {
    static TOKENS: Vec<CancellationToken>;
}

/// Runs `call` with `tokens` as its cancellation.
pub(crate) async fn during<F: Future>(tokens: Vec<CancellationToken>, call: F) -> F::Output {
    TOKENS.scope(tokens, call).await
}

/// Whether the call running in this task has been cancelled.
pub(crate) fn requested() -> bool {
    TOKENS
        .try_with(|tokens| tokens.iter().any(CancellationToken::is_cancelled))
        .unwrap_or(false)
}

/// Resolves once the call running in this task is cancelled (never, outside a call): what a
/// wait on the client races against.
pub(crate) async fn cancelled() {
    let tokens = TOKENS.try_with(Clone::clone).unwrap_or_default();
    if tokens.is_empty() {
        return std::future::pending().await;
    }
    futures::future::select_all(tokens.iter().map(|token| Box::pin(token.cancelled()))).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn any_token_cancels_and_outside_a_call_nothing_does() {
        assert!(!requested());
        let (first, second) = (CancellationToken::new(), CancellationToken::new());
        let tokens = vec![first.clone(), second.clone()];
        let seen = during(tokens, async {
            let before = requested();
            second.cancel();
            (before, requested())
        })
        .await;
        assert_eq!(seen, (false, true));
    }
}
