//! A response body that holds something (a caller's call slot) until the body has been
//! sent or dropped, and otherwise is the body it wraps (same frames, same size, so a
//! `Content-Length` answer stays one).

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};

/// `inner`, holding `held` while it lives.
pub(super) struct Holding<T> {
    inner: Body,
    _held: T,
}

impl<T: Send + Unpin + 'static> Holding<T> {
    /// `inner` as a body that drops `held` with itself.
    pub(super) fn body(inner: Body, held: T) -> Body {
        Body::new(Self { inner, _held: held })
    }
}

impl<T: Unpin> http_body::Body for Holding<T> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    use http_body_util::BodyExt;

    use super::*;

    struct Flag(Arc<AtomicBool>);

    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn keeps_the_size_and_frames_and_lets_go_with_the_body() {
        let dropped = Arc::new(AtomicBool::new(false));
        let body = Holding::body(Body::from("hello"), Flag(Arc::clone(&dropped)));
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(5));
        let bytes = body.collect().await.expect("readable").to_bytes();
        assert_eq!(&bytes[..], b"hello");
        assert!(dropped.load(Ordering::SeqCst), "released with the body");
    }
}
