//! Splitting stdin into lines without ever holding more than the line limit: a line that
//! grows past it is read on in chunks and thrown away, and reported as too long.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line read from the stream.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Frame {
    /// A complete line, without its `\n` (or `\r\n`).
    Line(Vec<u8>),
    /// A line longer than the limit; its bytes were discarded.
    TooLong,
}

/// Reads `\n`-separated lines of at most `limit` bytes.
pub(super) struct LineReader<R> {
    reader: R,
    limit: usize,
    line: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub(super) fn new(reader: R, limit: usize) -> Self {
        Self {
            reader,
            limit,
            line: Vec::new(),
        }
    }

    /// The next line; `None` at the end of the stream (a last line without a newline is
    /// still returned).
    pub(super) async fn next(&mut self) -> std::io::Result<Option<Frame>> {
        let mut too_long = false;
        loop {
            let chunk = self.reader.fill_buf().await?;
            if chunk.is_empty() {
                if too_long {
                    return Ok(Some(Frame::TooLong));
                }
                if self.line.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.take()));
            }
            let (part, end) = match chunk.iter().position(|&b| b == b'\n') {
                Some(at) => (&chunk[..at], Some(at + 1)),
                None => (chunk, None),
            };
            if !too_long && self.line.len() + part.len() > self.limit {
                too_long = true;
                self.line = Vec::new();
            }
            if !too_long {
                self.line.extend_from_slice(part);
            }
            let used = end.unwrap_or(part.len());
            self.reader.consume(used);
            if end.is_some() {
                if too_long {
                    return Ok(Some(Frame::TooLong));
                }
                return Ok(Some(self.take()));
            }
        }
    }

    fn take(&mut self) -> Frame {
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Frame::Line(std::mem::take(&mut self.line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8], limit: usize) -> Vec<Frame> {
        let reader = tokio::io::BufReader::with_capacity(4, input);
        let mut lines = LineReader::new(reader, limit);
        let mut out = Vec::new();
        while let Some(frame) = lines.next().await.unwrap() {
            out.push(frame);
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_and_drops_the_ones_over_the_limit() {
        let got = frames(b"abc\r\n0123456789\nlast", 8).await;
        assert_eq!(
            got,
            [
                Frame::Line(b"abc".to_vec()),
                Frame::TooLong,
                Frame::Line(b"last".to_vec())
            ]
        );
        assert_eq!(
            frames(b"12345678\n", 8).await,
            [Frame::Line(b"12345678".to_vec())]
        );
        assert_eq!(frames(b"123456789", 8).await, [Frame::TooLong]);
        assert_eq!(frames(b"", 8).await, []);
    }
}
