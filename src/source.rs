//! Source text with a line index: byte offsets in, 1-based line and column out.
//!
//! Parsers record byte offsets only; lines and columns are computed on demand from
//! the line index, so no component ever rescans a file to place a label.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A half-open byte range `[start, end)` into a [`SourceFile`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn len(self) -> usize {
        self.end().saturating_sub(self.start())
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column. Columns count Unicode scalar values (a tab is one
/// column, `é` is one column), which is SARIF's `unicodeCodePoints` column kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Start and end of a span as lines and columns; `end` is exclusive (the column
/// just past the last character), as SARIF's `endColumn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Region {
    pub start: LineCol,
    pub end: LineCol,
}

/// How the bytes on disk were turned into the text that spans index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    /// UTF-8 with a byte-order mark; the mark is not part of the text.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

/// One input file: its display path, its text (decoded, byte-order mark removed)
/// and the byte offset of each line start.
///
/// A file can also be a *window*: a few whole lines cut from a larger file (see
/// [`SourceFile::window`]), which findings keep instead of the whole text so that
/// memory does not grow with the size of the corpus. Offsets, lines and spans
/// given to and returned by the methods always refer to the whole file; only
/// `text` is local to the window.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as given on the command line or found by the walk, used in reports.
    pub path: PathBuf,
    /// The decoded text; for a window, only the window's lines (it starts at
    /// byte [`SourceFile::base_offset`] of the whole file).
    pub text: String,
    pub encoding: Encoding,
    /// Line starts relative to `text`.
    line_starts: Vec<u32>,
    /// For a window: the whole-file byte offset of `text`, and its first line.
    base_offset: usize,
    base_line: usize,
    /// Characters on `base_line` before `base_offset` (a window cut mid-line).
    base_column: usize,
    is_window: bool,
}

/// Bytes a window keeps either side of its span's start on one long line.
pub const WINDOW_LINE_BYTES: usize = 512;

pub type SharedSource = Arc<SourceFile>;

/// Why bytes could not become text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("file is not valid UTF-8 (invalid byte at line {line}, column {column})")]
    InvalidUtf8 {
        offset: usize,
        line: usize,
        column: usize,
    },
    #[error("file has a UTF-16 byte-order mark but is not valid UTF-16 (odd length or unpaired surrogate)")]
    InvalidUtf16,
    #[error("file is too large to index ({len} bytes; the limit is 4 GiB)")]
    TooLarge { len: usize },
}

impl SourceFile {
    /// Decodes raw bytes: UTF-8 (with or without a byte-order mark) or UTF-16 with a
    /// byte-order mark, as PowerShell writes redirected output.
    pub fn decode(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<SourceFile, DecodeError> {
        if bytes.len() >= u32::MAX as usize {
            return Err(DecodeError::TooLarge { len: bytes.len() });
        }
        let (text, encoding) = match bytes.as_slice() {
            [0xEF, 0xBB, 0xBF, rest @ ..] => (utf8(rest, 3)?, Encoding::Utf8Bom),
            [0xFF, 0xFE, rest @ ..] => (utf16(rest, u16::from_le_bytes)?, Encoding::Utf16Le),
            [0xFE, 0xFF, rest @ ..] => (utf16(rest, u16::from_be_bytes)?, Encoding::Utf16Be),
            _ => match String::from_utf8(bytes) {
                Ok(text) => (text, Encoding::Utf8),
                Err(err) => {
                    let valid = err.utf8_error().valid_up_to();
                    let bytes = err.into_bytes();
                    return Err(invalid_utf8(&bytes, valid, 0));
                }
            },
        };
        Ok(SourceFile::new(path, text, encoding))
    }

    /// Wraps text that is already decoded.
    pub fn new(path: impl Into<PathBuf>, text: String, encoding: Encoding) -> SourceFile {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        let bytes = text.as_bytes();
        // memchr finds the breaks with SIMD: indexing is on every file's path.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // A lone CR ends a line too (YAML and editors agree); CRLF is one break.
            let lone_cr = bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) != Some(&b'\n');
            if lone_cr || bytes.get(i) == Some(&b'\n') {
                line_starts.push((i + 1) as u32);
            }
        }
        SourceFile {
            path: path.into(),
            text,
            encoding,
            line_starts,
            base_offset: 0,
            base_line: 0,
            base_column: 0,
            is_window: false,
        }
    }

    /// The whole lines around `span`: `context` lines before it, and after it up
    /// to `max_lines` lines of the span plus `context`. Positions computed from
    /// the window equal those computed from `self` for every offset inside it.
    ///
    /// Long lines (a plan is one line of JSON) are cut to [`WINDOW_LINE_BYTES`]
    /// either side of the span, so a window never copies a whole minified file.
    pub fn window(&self, span: Span, context: usize, max_lines: usize) -> SourceFile {
        let first_line = self.line_index(span.start()).saturating_sub(context);
        let span_last = self.line_index(span.end().max(span.start()));
        let cap = self
            .line_index(span.start())
            .saturating_add(max_lines.saturating_sub(1));
        let last_line = span_last.min(cap).saturating_add(context);
        let local = |offset: usize| offset.saturating_sub(self.base_offset);
        let boundary = |mut offset: usize, forward: bool| {
            while !self.text.is_char_boundary(local(offset)) && local(offset) < self.text.len() {
                offset = if forward { offset + 1 } else { offset - 1 };
            }
            offset
        };
        let start = self
            .line_start(first_line)
            .unwrap_or(self.base_offset)
            .max(boundary(
                span.start()
                    .saturating_sub(WINDOW_LINE_BYTES)
                    .max(self.base_offset),
                false,
            ));
        let end = self
            .line_start(last_line + 1)
            .unwrap_or(self.end_offset())
            .min(boundary(
                span.start()
                    .saturating_add(WINDOW_LINE_BYTES)
                    .min(self.end_offset()),
                true,
            ));
        let text = self
            .text
            .get(local(start)..local(end))
            .unwrap_or_default()
            .to_owned();
        let mut window = SourceFile::new(self.path.clone(), text, self.encoding);
        window.base_line = self.line_index(start);
        // A window that starts mid-line counts its columns from the real line start.
        window.base_column = self.line_col(start).column - 1;
        window.base_offset = start;
        window.is_window = true;
        window
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `text` is only a window of the file.
    pub fn is_window(&self) -> bool {
        self.is_window
    }

    /// Byte offset of `text` in the whole file (0 unless this is a window).
    pub fn base_offset(&self) -> usize {
        self.base_offset
    }

    /// Whole-file byte offset just past `text`.
    pub fn end_offset(&self) -> usize {
        self.base_offset + self.text.len()
    }

    /// The text between two whole-file offsets, when both lie in `text` on
    /// character boundaries.
    pub fn text_between(&self, start: usize, end: usize) -> Option<&str> {
        let start = start.checked_sub(self.base_offset)?;
        let end = end.checked_sub(self.base_offset)?;
        self.text.get(start..end)
    }

    /// Lines known: all of them, or for a window those up to its last.
    pub fn line_count(&self) -> usize {
        self.base_line + self.line_starts.len()
    }

    /// Byte offset where the 0-based line `index` starts (a line before a window
    /// starts where the window does).
    pub fn line_start(&self, index: usize) -> Option<usize> {
        match index.checked_sub(self.base_line) {
            Some(local) => self
                .line_starts
                .get(local)
                .map(|&s| s as usize + self.base_offset),
            None => Some(self.base_offset),
        }
    }

    /// The 0-based line holding byte `offset` (offsets past the end map to the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        let local = offset.saturating_sub(self.base_offset);
        let local = u32::try_from(local).unwrap_or(u32::MAX);
        let line = match self.line_starts.binary_search(&local) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        };
        self.base_line + line
    }

    /// 1-based line and column of a byte offset. An offset inside a multi-byte
    /// character counts as that character.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.clamp(self.base_offset, self.end_offset());
        let line = self.line_index(offset);
        let start = self.line_start(line).unwrap_or(self.base_offset);
        let bytes = self.text.as_bytes();
        let (local_start, local_end) = (start - self.base_offset, offset - self.base_offset);
        let prefix = self.text.get(local_start..local_end).map_or_else(
            || char_count_lossy(bytes.get(local_start..local_end).unwrap_or_default()),
            |s| s.chars().count(),
        );
        let shift = if line == self.base_line {
            self.base_column
        } else {
            0
        };
        LineCol {
            line: line + 1,
            column: shift + prefix + 1,
        }
    }

    pub fn region(&self, span: Span) -> Region {
        Region {
            start: self.line_col(span.start()),
            end: self.line_col(span.end().max(span.start())),
        }
    }

    /// The text of a span, or "" when the span does not fall on character
    /// boundaries (or outside a window).
    pub fn slice(&self, span: Span) -> &str {
        self.text_between(span.start(), span.end()).unwrap_or("")
    }

    /// The text of the 0-based line `index`, without its line break ("" for a
    /// line outside a window).
    pub fn line_text(&self, index: usize) -> &str {
        if index < self.base_line {
            return "";
        }
        let Some(start) = self.line_start(index) else {
            return "";
        };
        let end = self.line_start(index + 1).unwrap_or(self.end_offset());
        self.text_between(start, end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

fn utf8(bytes: &[u8], bom_len: usize) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(err) => Err(invalid_utf8(bytes, err.valid_up_to(), bom_len)),
    }
}

fn invalid_utf8(bytes: &[u8], valid_up_to: usize, bom_len: usize) -> DecodeError {
    let valid = bytes.get(..valid_up_to).unwrap_or(bytes);
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = char_count_lossy(valid.get(line_start..).unwrap_or_default()) + 1;
    DecodeError::InvalidUtf8 {
        offset: valid_up_to + bom_len,
        line,
        column,
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    let pairs = bytes.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(DecodeError::InvalidUtf16);
    }
    let units = pairs.map(|pair| {
        unit([
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ])
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| DecodeError::InvalidUtf16)
}

/// Counts characters in bytes that may end mid-character.
fn char_count_lossy(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceFile {
        SourceFile::new("t", text.to_owned(), Encoding::Utf8)
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let s = src("é: 1\n  ключ: 2\n");
        let k = s.text.find("ключ").unwrap();
        assert_eq!(s.line_col(k), LineCol { line: 2, column: 3 });
        let two = s.text.rfind('2').unwrap();
        assert_eq!(s.line_col(two), LineCol { line: 2, column: 9 });
    }

    #[test]
    fn crlf_counts_as_one_line_break() {
        let s = src("a: 1\r\nb: 2\r\n");
        let b = s.text.find('b').unwrap();
        assert_eq!(s.line_col(b), LineCol { line: 2, column: 1 });
        assert_eq!(s.line_text(0), "a: 1");
    }

    #[test]
    fn utf8_bom_is_removed_and_utf16_is_decoded() {
        let s = SourceFile::decode("t", b"\xEF\xBB\xBF{}".to_vec()).unwrap();
        assert_eq!((s.text.as_str(), s.encoding), ("{}", Encoding::Utf8Bom));
        let mut bytes = vec![0xFF, 0xFE];
        for u in "{\"a\":1}".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let s = SourceFile::decode("t", bytes).unwrap();
        assert_eq!(
            (s.text.as_str(), s.encoding),
            ("{\"a\":1}", Encoding::Utf16Le)
        );
    }

    #[test]
    fn a_window_gives_the_positions_of_the_whole_file() {
        let s = src("a: 1\r\nb:\n  é: [x,\n    y]\nc: 3\nd: 4\n");
        let x = s.text.find('x').unwrap();
        let y = s.text.find('y').unwrap();
        let w = s.window(Span::new(x, y + 1), 1, 6);
        assert_eq!(w.text, "b:\n  é: [x,\n    y]\nc: 3\n");
        for offset in s.text.find('b').unwrap()..s.text.find('d').unwrap() {
            assert_eq!(w.line_col(offset), s.line_col(offset), "offset {offset}");
            assert_eq!(w.line_index(offset), s.line_index(offset));
        }
        assert_eq!(w.region(Span::new(x, y)), s.region(Span::new(x, y)));
        assert_eq!(w.line_text(2), "  é: [x,");
        assert_eq!(w.line_text(0), "");
        assert_eq!(w.slice(Span::new(x, x + 1)), "x");
        assert_eq!(w.line_start(2), s.line_start(2));
        assert_eq!(
            w.line_count(),
            6,
            "the start of the line after the window is known"
        );
        // A long line is cut around the span, with columns still exact.
        let line = format!(
            "{{\"a\":\"{}\",\"é\":{}}}",
            "x".repeat(2000),
            "1".repeat(2000)
        );
        let one = src(&line);
        let at = one.text.find('é').unwrap();
        let w = one.window(Span::new(at, at + 2), 1, 6);
        assert!(
            w.text.len() <= 2 * WINDOW_LINE_BYTES + 4,
            "{}",
            w.text.len()
        );
        assert_eq!(w.line_col(at), one.line_col(at));
        assert_eq!(w.line_col(at + 5), one.line_col(at + 5));
        assert_eq!(w.slice(Span::new(at, at + 2)), "é");
        // A long span is cut after `max_lines` lines plus context.
        let long = s.window(Span::new(0, s.text.len()), 0, 2);
        assert_eq!(long.text, "a: 1\r\nb:\n");
    }

    #[test]
    fn invalid_utf8_reports_its_position() {
        let err = SourceFile::decode("t", b"ab\ncd\xFFx".to_vec()).unwrap_err();
        assert_eq!(
            err,
            DecodeError::InvalidUtf8 {
                offset: 5,
                line: 2,
                column: 3
            }
        );
    }
}
