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
#[derive(Debug)]
pub struct SourceFile {
    /// Path as given on the command line or found by the walk, used in reports.
    pub path: PathBuf,
    pub text: String,
    pub encoding: Encoding,
    line_starts: Vec<u32>,
}

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
        for (i, &byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' => line_starts.push((i + 1) as u32),
                // A lone CR ends a line too (YAML and editors agree); CRLF is one break.
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push((i + 1) as u32),
                _ => {}
            }
        }
        SourceFile {
            path: path.into(),
            text,
            encoding,
            line_starts,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where the 0-based line `index` starts.
    pub fn line_start(&self, index: usize) -> Option<usize> {
        self.line_starts.get(index).map(|&s| s as usize)
    }

    /// The 0-based line holding byte `offset` (offsets past the end map to the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// 1-based line and column of a byte offset. An offset inside a multi-byte
    /// character counts as that character.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_start(line).unwrap_or(0);
        let prefix = self.text.get(start..offset).map_or_else(
            || char_count_lossy(self.text.as_bytes().get(start..offset).unwrap_or_default()),
            |s| s.chars().count(),
        );
        LineCol {
            line: line + 1,
            column: prefix + 1,
        }
    }

    pub fn region(&self, span: Span) -> Region {
        Region {
            start: self.line_col(span.start()),
            end: self.line_col(span.end().max(span.start())),
        }
    }

    /// The text of a span, or "" when the span does not fall on character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start()..span.end()).unwrap_or("")
    }

    /// The text of the 0-based line `index`, without its line break.
    pub fn line_text(&self, index: usize) -> &str {
        let Some(start) = self.line_start(index) else {
            return "";
        };
        let end = self.line_start(index + 1).unwrap_or(self.text.len());
        self.text
            .get(start..end)
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
