//! A response body sent as a few pieces that are already in memory (a shared copy among
//! them is sent as it is, never copied into a new buffer), with its exact length, so that
//! the answer carries `Content-Length`.

use std::{
    collections::VecDeque,
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};

/// The pieces, sent in order.
pub(super) struct Pieces {
    pieces: VecDeque<Bytes>,
    remaining: u64,
}

impl Pieces {
    pub(super) fn new(pieces: impl IntoIterator<Item = Bytes>) -> Self {
        let pieces: VecDeque<Bytes> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
        let remaining = pieces.iter().map(|piece| piece.len() as u64).sum();
        Self { pieces, remaining }
    }
}

impl Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let next = self.pieces.pop_front();
        if let Some(piece) = &next {
            self.remaining -= piece.len() as u64;
        }
        Poll::Ready(next.map(|piece| Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn sends_the_pieces_in_order_with_their_exact_length() {
        let shared = Bytes::from_static(b"{\"tools\":[]}");
        let body = Pieces::new([
            Bytes::from_static(b"data: "),
            Bytes::new(),
            shared,
            Bytes::from_static(b"\n\n"),
        ]);
        assert_eq!(body.size_hint().exact(), Some(20));
        assert!(!body.is_end_stream());
        let collected = body.collect().await.map(|c| c.to_bytes());
        assert_eq!(
            collected.ok().as_deref(),
            Some(&b"data: {\"tools\":[]}\n\n"[..])
        );
    }

    #[test]
    fn no_pieces_is_an_empty_body_at_its_end() {
        let body = Pieces::new([Bytes::new()]);
        assert!(body.is_end_stream());
        assert_eq!(body.size_hint().exact(), Some(0));
    }
}
