//! Strict RFC 8259 JSON parser producing spanned nodes.
//!
//! Hand-written for speed and exact spans:
//!
//! * works on bytes; the text is already valid UTF-8, and every slice it takes
//!   starts and ends next to an ASCII byte, so slices always fall on character
//!   boundaries;
//! * iterative: open arrays and objects live on an explicit stack, so nesting depth
//!   is bounded only by [`Limits::max_depth`], never by the thread's stack;
//! * array items and object entries accumulate on two shared scratch stacks and are
//!   moved into an exactly-sized `Vec` when their container closes;
//! * strings are scanned eight bytes at a time; a string without escapes is copied
//!   once from the source, and only strings with escapes take the decoding path;
//! * duplicate keys are found by a linear scan in small objects and through a
//!   keyed-hash index once an object has [`LINEAR_SCAN_MAX`] entries.
//!
//! Strictness: no comments, trailing commas, single quotes, `NaN`/`Infinity`,
//! leading zeros or `+`; only space, tab, LF and CR are whitespace; control
//! characters must be escaped inside strings; escapes are the RFC's eight plus
//! `\uXXXX` with surrogate pairs (a lone surrogate is an invalid escape); one value
//! per text, followed only by whitespace.

use std::collections::hash_map::{Entry as Slot, HashMap, RandomState};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use super::{Limits, ParseError, ParseErrorKind};
use crate::node::{Entry, Node, Number, Value};
use crate::source::Span;

/// Objects with fewer entries than this are checked for duplicate keys by a linear
/// scan; larger ones build a hash index of their keys.
const LINEAR_SCAN_MAX: usize = 16;

/// Parses one JSON text.
///
/// Every node's span covers exactly its text (strings include their quotes,
/// containers their brackets), and every entry's `key_span` covers the key string
/// including its quotes.
///
/// # Errors
///
/// A [`ParseError`] for the first violation of RFC 8259 (with the span of the
/// offending text, or an empty span at the end for truncated input), for a
/// duplicate key (at the second occurrence), for a number that overflows `f64`,
/// for nesting deeper than `limits.max_depth`, and for empty input.
pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        max_depth: limits.max_depth,
        stack: Vec::with_capacity(32),
        nodes: Vec::with_capacity(64),
        entries: Vec::with_capacity(64),
    };
    let result = parser.run();
    if result.is_err() {
        // Values already built may nest as deeply as the limit allows; take them
        // apart without recursion so a huge `max_depth` cannot overflow the stack.
        drop_iteratively(std::mem::take(&mut parser.nodes));
        drop_iteratively(
            std::mem::take(&mut parser.entries)
                .into_iter()
                .map(|e| e.value)
                .collect(),
        );
    }
    result
}

/// Drops nodes without recursing into their children (plain `drop` of a tree
/// recurses once per nesting level).
fn drop_iteratively(mut work: Vec<Node>) {
    while let Some(node) = work.pop() {
        match node.value {
            Value::Array(items) => work.extend(items),
            Value::Object(entries) => work.extend(entries.into_iter().map(|e| e.value)),
            _ => {}
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Byte offset of the next unread byte; always on a character boundary.
    pos: usize,
    max_depth: usize,
    /// Open containers, innermost last.
    stack: Vec<Frame>,
    /// Items of the open arrays, innermost array's items last.
    nodes: Vec<Node>,
    /// Entries of the open objects, innermost object's entries last.
    entries: Vec<Entry>,
}

enum Frame {
    Array {
        /// Offset of the `[`.
        start: usize,
        /// Where this array's items begin in `Parser::nodes`.
        base: usize,
    },
    Object(ObjectFrame),
}

struct ObjectFrame {
    /// Offset of the `{`.
    start: usize,
    /// Where this object's entries begin in `Parser::entries`.
    base: usize,
    /// The key whose value is being parsed.
    key: String,
    key_span: Span,
    /// Hash index of the keys, built once the object is large.
    index: Option<Box<KeyIndex>>,
}

impl<'a> Parser<'a> {
    fn run(&mut self) -> Result<Node, ParseError> {
        self.skip_ws();
        if self.pos >= self.bytes.len() {
            return Err(ParseError::new(ParseErrorKind::Empty, Span::new(0, 0)));
        }
        let mut expected = "a value";
        'value: loop {
            // Parse a scalar, or open a container and go on to its first member.
            let mut node = match self.peek() {
                None => return Err(self.unexpected(expected)),
                Some(b'[') => {
                    let start = self.open()?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Node::new(Span::new(start, self.pos), Value::Array(Vec::new()))
                    } else {
                        self.stack.push(Frame::Array {
                            start,
                            base: self.nodes.len(),
                        });
                        expected = "a value or `]`";
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    let start = self.open()?;
                    match self.peek() {
                        Some(b'}') => {
                            self.pos += 1;
                            Node::new(Span::new(start, self.pos), Value::Object(Vec::new()))
                        }
                        Some(b'"') => {
                            let (key, key_span) = self.parse_key()?;
                            self.stack.push(Frame::Object(ObjectFrame {
                                start,
                                base: self.entries.len(),
                                key,
                                key_span,
                                index: None,
                            }));
                            expected = "a value";
                            continue 'value;
                        }
                        _ => return Err(self.unexpected("a string key or `}`")),
                    }
                }
                Some(b'"') => {
                    let start = self.pos;
                    let s = self.parse_string()?;
                    Node::new(Span::new(start, self.pos), Value::String(s))
                }
                Some(b'-' | b'0'..=b'9') => self.parse_number()?,
                Some(b't') => self.literal(b"true", "`true`", Value::Bool(true))?,
                Some(b'f') => self.literal(b"false", "`false`", Value::Bool(false))?,
                Some(b'n') => self.literal(b"null", "`null`", Value::Null)?,
                Some(_) => return Err(self.unexpected(expected)),
            };

            // Attach the finished value to its container; close containers that end
            // here, until one continues with another member (or the text ends).
            loop {
                match self.stack.last_mut() {
                    None => {
                        self.skip_ws();
                        if self.pos < self.bytes.len() {
                            // Keep the value where the error path takes it apart.
                            self.nodes.push(node);
                            let (_, span) = self.char_at(self.pos);
                            return Err(ParseError::new(ParseErrorKind::TrailingCharacters, span));
                        }
                        return Ok(node);
                    }
                    Some(Frame::Array { start, base }) => {
                        let (start, base) = (*start, *base);
                        self.nodes.push(node);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                expected = "a value";
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let items: Vec<Node> = self.nodes.drain(base..).collect();
                                self.stack.pop();
                                node = Node::new(Span::new(start, self.pos), Value::Array(items));
                            }
                            _ => return Err(self.unexpected("`,` or `]`")),
                        }
                    }
                    Some(Frame::Object(object)) => {
                        let (start, base) = (object.start, object.base);
                        self.entries.push(Entry {
                            key: std::mem::take(&mut object.key),
                            key_span: object.key_span,
                            value: node,
                        });
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() != Some(b'"') {
                                    return Err(self.unexpected("a string key"));
                                }
                                let (key, key_span) = self.parse_key()?;
                                self.next_key(base, key, key_span)?;
                                expected = "a value";
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let entries: Vec<Entry> = self.entries.drain(base..).collect();
                                self.stack.pop();
                                node =
                                    Node::new(Span::new(start, self.pos), Value::Object(entries));
                            }
                            _ => return Err(self.unexpected("`,` or `}`")),
                        }
                    }
                }
            }
        }
    }

    /// Consumes a `[` or `{` at `pos` and the whitespace after it, checking the
    /// depth limit. Returns the bracket's offset.
    #[inline]
    fn open(&mut self) -> Result<usize, ParseError> {
        let start = self.pos;
        if self.stack.len() >= self.max_depth {
            return Err(ParseError::new(
                ParseErrorKind::TooDeep {
                    limit: self.max_depth,
                },
                Span::new(start, start + 1),
            ));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(start)
    }

    /// Makes `key` the current key of the innermost object unless it repeats one of
    /// the object's earlier keys.
    fn next_key(&mut self, base: usize, key: String, key_span: Span) -> Result<(), ParseError> {
        let Some(Frame::Object(object)) = self.stack.last_mut() else {
            // The caller found an object frame on top; nothing to record otherwise.
            return Ok(());
        };
        let earlier = self.entries.get(base..).unwrap_or_default();
        if let Some(first_start) = find_duplicate(earlier, &mut object.index, &key) {
            return Err(ParseError::new(
                ParseErrorKind::DuplicateKey { key, first_start },
                key_span,
            ));
        }
        object.key = key;
        object.key_span = key_span;
        Ok(())
    }

    /// Parses `"key"` and the `:` after it (with surrounding whitespace).
    #[inline]
    fn parse_key(&mut self) -> Result<(String, Span), ParseError> {
        let start = self.pos;
        let key = self.parse_string()?;
        let key_span = Span::new(start, self.pos);
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:`"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok((key, key_span))
    }

    /// Parses the string whose opening quote is at `pos`; leaves `pos` after the
    /// closing quote.
    #[inline]
    fn parse_string(&mut self) -> Result<String, ParseError> {
        let start = self.pos + 1;
        let end = scan_plain(self.bytes, start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Ok(self.slice(start, end).to_owned());
        }
        self.parse_string_slow(start, end)
    }

    /// The rest of a string that has an escape or an error at `i`; `start` is just
    /// after the opening quote.
    #[cold]
    #[inline(never)]
    fn parse_string_slow(&mut self, start: usize, mut i: usize) -> Result<String, ParseError> {
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.slice(start, i));
        loop {
            match self.bytes.get(i).copied() {
                None => {
                    self.pos = i;
                    return Err(self.unexpected("a closing `\"`"));
                }
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => i = self.unescape(i, &mut out)?,
                Some(c) => {
                    // `scan_plain` stops only at quotes, backslashes and controls.
                    return Err(ParseError::new(
                        ParseErrorKind::ControlCharacter { code: u32::from(c) },
                        Span::new(i, i + 1),
                    ));
                }
            }
            let run_end = scan_plain(self.bytes, i);
            out.push_str(self.slice(i, run_end));
            i = run_end;
        }
    }

    /// Decodes the escape whose backslash is at `i` into `out`; returns the offset
    /// just after it.
    fn unescape(&mut self, i: usize, out: &mut String) -> Result<usize, ParseError> {
        let decoded = match self.bytes.get(i + 1).copied() {
            None => {
                self.pos = i + 1;
                return Err(self.unexpected("an escape sequence"));
            }
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let (c, len) = self.unicode_escape(i)?;
                out.push(c);
                return Ok(i + len);
            }
            Some(_) => {
                let (_, span) = self.char_at(i + 1);
                return Err(invalid_escape(i, span.end()));
            }
        };
        out.push(decoded);
        Ok(i + 2)
    }

    /// Decodes `\uXXXX` (or a surrogate pair `\uXXXX\uXXXX`) at `i`; returns the
    /// character and the escape's length in bytes.
    fn unicode_escape(&mut self, i: usize) -> Result<(char, usize), ParseError> {
        let high = self.hex4(i, i + 2)?;
        match high {
            0xD800..=0xDBFF => {
                let low = match self.bytes.get(i + 6..i + 8) {
                    Some(b"\\u") => hex4_value(self.bytes, i + 8),
                    _ => None,
                };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        match char::from_u32(code) {
                            Some(c) => Ok((c, 12)),
                            None => Err(invalid_escape(i, i + 12)),
                        }
                    }
                    // A high surrogate not followed by a low one.
                    _ => Err(invalid_escape(i, i + 6)),
                }
            }
            // A low surrogate with no high one before it.
            0xDC00..=0xDFFF => Err(invalid_escape(i, i + 6)),
            _ => match char::from_u32(high) {
                Some(c) => Ok((c, 6)),
                None => Err(invalid_escape(i, i + 6)),
            },
        }
    }

    /// Reads four hex digits at `at` for the escape whose backslash is at `escape`.
    fn hex4(&mut self, escape: usize, at: usize) -> Result<u32, ParseError> {
        if let Some(v) = hex4_value(self.bytes, at) {
            return Ok(v);
        }
        for k in at..at + 4 {
            match self.bytes.get(k) {
                None => {
                    self.pos = k;
                    return Err(self.unexpected("four hex digits"));
                }
                Some(c) if c.is_ascii_hexdigit() => {}
                Some(_) => {
                    let (_, span) = self.char_at(k);
                    return Err(invalid_escape(escape, span.end()));
                }
            }
        }
        // `hex4_value` failed, so one of the four bytes was not a hex digit.
        Err(invalid_escape(escape, at + 4))
    }

    /// Parses a number at `pos` (a `-` or a digit).
    fn parse_number(&mut self) -> Result<Node, ParseError> {
        let b = self.bytes;
        let start = self.pos;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut valid = true;
        let mut mantissa: u64 = 0;
        let mut int_digits = 0usize;
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                int_digits = 1;
            }
            Some(b'1'..=b'9') => {
                while let Some(&d) = b.get(i) {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    int_digits += 1;
                    i += 1;
                }
            }
            _ => valid = false,
        }
        let mut integral = true;
        if valid && b.get(i) == Some(&b'.') {
            integral = false;
            let digits = i + 1;
            i = skip_digits(b, digits);
            valid = i > digits;
        }
        if valid && matches!(b.get(i), Some(b'e' | b'E')) {
            integral = false;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let digits = i;
            i = skip_digits(b, digits);
            valid = i > digits;
        }
        if !valid || b.get(i).copied().is_some_and(is_number_char) {
            // Report the whole word that looks like a number (`01`, `1.`, `-Infinity`).
            let rest = b.get(i..).unwrap_or_default();
            let end = i + rest.iter().take_while(|&&c| is_number_char(c)).count();
            return Err(ParseError::new(
                ParseErrorKind::InvalidNumber {
                    raw: self.slice(start, end).to_owned(),
                },
                Span::new(start, end),
            ));
        }
        let raw = self.slice(start, i);
        let span = Span::new(start, i);
        // Same results as `Number::parse`, without its `i64` parse in the common case.
        let fast = match i64::try_from(mantissa) {
            Ok(m) if integral && int_digits <= 18 => Some(if negative { -m } else { m }),
            _ => None,
        };
        let (value, integer) = match fast {
            Some(v) => (v as f64, Some(v)),
            None => match raw.parse::<i64>() {
                Ok(v) if integral => (v as f64, Some(v)),
                _ => match raw.parse::<f64>() {
                    Ok(v) => (v, None),
                    Err(_) => {
                        return Err(ParseError::new(
                            ParseErrorKind::InvalidNumber {
                                raw: raw.to_owned(),
                            },
                            span,
                        ))
                    }
                },
            },
        };
        if !value.is_finite() {
            return Err(ParseError::new(
                ParseErrorKind::NumberOutOfRange {
                    raw: raw.to_owned(),
                },
                span,
            ));
        }
        self.pos = i;
        Ok(Node::new(
            span,
            Value::Number(Number {
                raw: raw.to_owned(),
                value,
                integer,
            }),
        ))
    }

    /// Parses `true`, `false` or `null` at `pos`.
    #[inline]
    fn literal(
        &mut self,
        word: &'static [u8],
        expected: &'static str,
        value: Value,
    ) -> Result<Node, ParseError> {
        let start = self.pos;
        let end = start + word.len();
        if self.bytes.get(start..end) == Some(word) {
            self.pos = end;
            return Ok(Node::new(Span::new(start, end), value));
        }
        // Point at the first byte that differs.
        let same = word
            .iter()
            .zip(self.bytes.get(start..).unwrap_or_default())
            .take_while(|(w, c)| w == c)
            .count();
        self.pos = start + same;
        Err(self.unexpected(expected))
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Text between two offsets that lie next to ASCII bytes (always boundaries).
    #[inline]
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// The character at `at` and its span.
    fn char_at(&self, at: usize) -> (char, Span) {
        let c = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        (c, Span::new(at, at + c.len_utf8().max(1)))
    }

    /// An error for the character at `pos`, or for the end of input.
    #[cold]
    fn unexpected(&self, expected: &'static str) -> ParseError {
        if self.pos >= self.bytes.len() {
            let end = self.bytes.len();
            return ParseError::new(
                ParseErrorKind::UnexpectedEof { expected },
                Span::new(end, end),
            );
        }
        let (found, span) = self.char_at(self.pos);
        ParseError::new(ParseErrorKind::UnexpectedChar { found, expected }, span)
    }
}

#[cold]
fn invalid_escape(start: usize, end: usize) -> ParseError {
    ParseError::new(ParseErrorKind::InvalidEscape, Span::new(start, end))
}

/// The offset of the first byte at or after `i` that is a `"`, a `\` or a control
/// character, or `bytes.len()`.
#[inline]
fn scan_plain(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    const SPACES: u64 = ONES * 0x20;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(word);
        // Classic SWAR tests: a byte's high bit is set in `found` if it is zero after
        // the XOR (equal to the quote or backslash) or below 0x20. Borrows can only
        // add false hits above a true one, so the lowest hit is exact.
        let q = w ^ QUOTES;
        let s = w ^ BACKSLASHES;
        let found = ((q.wrapping_sub(ONES) & !q)
            | (s.wrapping_sub(ONES) & !s)
            | (w.wrapping_sub(SPACES) & !w))
            & HIGHS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = bytes.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// The value of four hex digits at `at`, if they are there.
#[inline]
fn hex4_value(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |acc, &c| {
        let d = char::from(c).to_digit(16)?;
        Some(acc * 16 + d)
    })
}

#[inline]
fn skip_digits(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Bytes that continue a word that looks like a number, for error spans.
#[inline]
fn is_number_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-')
}

/// Index of an object's keys by keyed hash (`SipHash` with a random key, so crafted
/// input cannot force collisions): hash to the index of the first entry with it.
struct KeyIndex {
    state: RandomState,
    first: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// If `key` equals the key of one of `earlier` (the object's entries so far),
/// returns that entry's key start; otherwise records `key` as the next entry's.
fn find_duplicate(earlier: &[Entry], index: &mut Option<Box<KeyIndex>>, key: &str) -> Option<u32> {
    let find = |entries: &[Entry]| {
        entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.key_span.start)
    };
    let index = match index {
        Some(index) => index,
        None if earlier.len() < LINEAR_SCAN_MAX => return find(earlier),
        None => {
            let mut built = KeyIndex {
                state: RandomState::new(),
                first: HashMap::with_capacity_and_hasher(
                    earlier.len() * 4,
                    BuildHasherDefault::default(),
                ),
            };
            for (i, e) in earlier.iter().enumerate() {
                let hash = built.state.hash_one(e.key.as_str());
                built.first.entry(hash).or_insert(i);
            }
            index.insert(Box::new(built))
        }
    };
    match index.first.entry(index.state.hash_one(key)) {
        Slot::Vacant(slot) => {
            slot.insert(earlier.len());
            None
        }
        Slot::Occupied(slot) => match earlier.get(*slot.get()) {
            Some(e) if e.key == key => Some(e.key_span.start),
            // Two keys with one 64-bit hash: settle it by scanning.
            _ => find(earlier),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node {
        parse(text, &Limits::default()).unwrap_or_else(|e| panic!("{text:?}: {e} at {:?}", e.span))
    }

    fn err(text: &str) -> ParseError {
        match parse(text, &Limits::default()) {
            Ok(node) => panic!("{text:?} parsed as {:?}", node.to_json()),
            Err(e) => e,
        }
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start()..span.end()]
    }

    /// Asserts the error kind and the text its span covers.
    fn rejects(text: &str, kind: ParseErrorKind, spanned: &str) {
        let e = err(text);
        assert_eq!(e.kind, kind, "{text:?}");
        assert_eq!(at(text, e.span), spanned, "{text:?}: span {:?}", e.span);
    }

    fn unexpected(found: char, expected: &'static str) -> ParseErrorKind {
        ParseErrorKind::UnexpectedChar { found, expected }
    }

    fn eof(text: &str, expected: &'static str) {
        let e = err(text);
        assert_eq!(
            e.kind,
            ParseErrorKind::UnexpectedEof { expected },
            "{text:?}"
        );
        assert_eq!(e.span, Span::new(text.len(), text.len()), "{text:?}");
    }

    fn num(text: &str) -> Number {
        match ok(text).value {
            Value::Number(n) => n,
            other => panic!("{text:?} -> {other:?}"),
        }
    }

    /// Checks every span in the tree against the text it should cover.
    fn check_spans(text: &str, node: &Node) {
        let mut work = vec![node];
        while let Some(node) = work.pop() {
            let s = at(text, node.span);
            match &node.value {
                Value::Null => assert_eq!(s, "null"),
                Value::Bool(b) => assert_eq!(s, b.to_string()),
                Value::Number(n) => assert_eq!(s, n.raw),
                Value::String(v) => {
                    assert!(
                        s.starts_with('"') && s.ends_with('"') && s.len() >= 2,
                        "{s:?}"
                    );
                    assert_eq!(&serde_json::from_str::<String>(s).unwrap(), v);
                }
                Value::Array(items) => {
                    assert!(s.starts_with('[') && s.ends_with(']'), "{s:?}");
                    work.extend(items);
                }
                Value::Object(entries) => {
                    assert!(s.starts_with('{') && s.ends_with('}'), "{s:?}");
                    for e in entries {
                        let k = at(text, e.key_span);
                        assert_eq!(serde_json::from_str::<String>(k).unwrap(), e.key, "{k:?}");
                        work.push(&e.value);
                    }
                }
                Value::Unknown(_) => panic!("parser produced an unknown"),
            }
        }
    }

    #[test]
    fn scalars_and_their_spans() {
        for (text, json) in [
            ("null", serde_json::json!(null)),
            ("true", serde_json::json!(true)),
            (" false ", serde_json::json!(false)),
            ("\"\"", serde_json::json!("")),
            ("\"abc\"", serde_json::json!("abc")),
            ("0", serde_json::json!(0)),
            ("-12", serde_json::json!(-12)),
            ("1.5", serde_json::json!(1.5)),
            ("[]", serde_json::json!([])),
            ("{}", serde_json::json!({})),
            ("\t\r\n [ ]\n", serde_json::json!([])),
        ] {
            let node = ok(text);
            assert_eq!(node.to_json(), json, "{text:?}");
            assert_eq!(
                at(text, node.span),
                text.trim_matches([' ', '\t', '\r', '\n'])
            );
            check_spans(text, &node);
        }
    }

    #[test]
    fn object_and_array_spans_are_exact() {
        let text = r#"  { "Name" : "Bot" ,"Tags":[ 1 , true,null ,{"k":"v"} ], "E":{} }  "#;
        let root = ok(text);
        assert_eq!(at(text, root.span), text.trim());
        let entries = root.as_object().unwrap();
        let keys: Vec<&str> = entries.iter().map(|e| at(text, e.key_span)).collect();
        assert_eq!(keys, [r#""Name""#, r#""Tags""#, r#""E""#]);
        assert_eq!(at(text, entries[0].value.span), r#""Bot""#);
        assert_eq!(
            at(text, entries[1].value.span),
            r#"[ 1 , true,null ,{"k":"v"} ]"#
        );
        assert_eq!(at(text, entries[2].value.span), "{}");
        let tags = entries[1].value.as_array().unwrap();
        let items: Vec<&str> = tags.iter().map(|n| at(text, n.span)).collect();
        assert_eq!(items, ["1", "true", "null", r#"{"k":"v"}"#]);
        let inner = tags[3].entry("k").unwrap();
        assert_eq!(at(text, inner.key_span), r#""k""#);
        assert_eq!(at(text, inner.value.span), r#""v""#);
        check_spans(text, &root);
    }

    #[test]
    fn crlf_input() {
        let text = "{\r\n  \"Resources\": {\r\n    \"Bot\": {\r\n      \"Type\": \"AWS::Lex::Bot\"\r\n    }\r\n  }\r\n}\r\n";
        let root = ok(text);
        assert_eq!(at(text, root.span), text.trim_end());
        let bot = root.entry("Resources").unwrap().value.entry("Bot").unwrap();
        assert_eq!(at(text, bot.key_span), "\"Bot\"");
        let ty = bot.value.entry("Type").unwrap();
        assert_eq!(at(text, ty.key_span), "\"Type\"");
        assert_eq!(ty.key_span.start(), text.find("\"Type\"").unwrap());
        assert_eq!(at(text, ty.value.span), "\"AWS::Lex::Bot\"");
        check_spans(text, &root);
        // A CR inside a string is a control character.
        rejects(
            "\"a\r\nb\"",
            ParseErrorKind::ControlCharacter { code: 13 },
            "\r",
        );
    }

    #[test]
    fn multibyte_text_before_keys() {
        let text = r#"{"a":"héllo ключ","b":1}"#;
        let root = ok(text);
        let b = root.entry("b").unwrap();
        assert_eq!(at(text, b.key_span), "\"b\"");
        assert_eq!(b.key_span.start(), text.find("\"b\"").unwrap());
        assert_eq!(at(text, b.value.span), "1");
        assert_eq!(root.get("a").unwrap().as_str(), Some("héllo ключ"));
        assert_eq!(at(text, root.get("a").unwrap().span), "\"héllo ключ\"");

        let text = "{\"🤖 ключ\": [\"日本語\", \"x\\u00e9\"], \"z\": \"é\"}";
        let root = ok(text);
        let k = &root.as_object().unwrap()[0];
        assert_eq!(k.key, "🤖 ключ");
        assert_eq!(at(text, k.key_span), "\"🤖 ключ\"");
        assert_eq!(at(text, root.entry("z").unwrap().key_span), "\"z\"");
        check_spans(text, &root);
    }

    #[test]
    fn escapes() {
        let text = r#"["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u4e2D\uFFFF", "\ud83d\ude00!", "a\u0000b", "x\/y"]"#;
        let root = ok(text);
        let strings: Vec<&str> = root
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(
            strings,
            [
                "\"\\/\u{8}\u{c}\n\r\t",
                "Aé中\u{FFFF}",
                "😀!",
                "a\0b",
                "x/y"
            ]
        );
        check_spans(text, &root);

        // Escaped keys: the key span still covers the written key with its quotes.
        let text = r#"{"\u004Eame": 1, "\ud834\udd1e": 2}"#;
        let root = ok(text);
        let entries = root.as_object().unwrap();
        assert_eq!(entries[0].key, "Name");
        assert_eq!(at(text, entries[0].key_span), r#""\u004Eame""#);
        assert_eq!(entries[1].key, "𝄞");
        assert_eq!(at(text, entries[1].key_span), r#""\ud834\udd1e""#);

        // Long strings cross the 8-byte scan boundary at every offset.
        for n in 0..40 {
            let plain = "x".repeat(n);
            let text = format!("[\"{plain}\\n{plain}\", \"{plain}\"]");
            let root = ok(&text);
            assert_eq!(
                root.to_json(),
                serde_json::json!([format!("{plain}\n{plain}"), plain])
            );
            check_spans(&text, &root);
        }
    }

    #[test]
    fn invalid_escapes() {
        use ParseErrorKind::InvalidEscape;
        rejects(r#""\x""#, InvalidEscape, r"\x");
        rejects(r#""\'""#, InvalidEscape, r"\'");
        rejects(r#""\U0041""#, InvalidEscape, r"\U");
        rejects(r#""\u12G4""#, InvalidEscape, r"\u12G");
        rejects(r#""\u12""#, InvalidEscape, "\\u12\"");
        rejects("\"\\é\"", InvalidEscape, "\\é");
        rejects("\"\\u0é00\"", InvalidEscape, "\\u0é");
        rejects("\"\\\n\"", InvalidEscape, "\\\n");
        // Lone surrogates.
        rejects(r#""\ud800""#, InvalidEscape, r"\ud800");
        rejects(r#""\uD800x""#, InvalidEscape, r"\uD800");
        rejects(r#""\ud800\n""#, InvalidEscape, r"\ud800");
        rejects(r#""\ud800\ud800""#, InvalidEscape, r"\ud800");
        rejects(r#""\ud800\u0041""#, InvalidEscape, r"\ud800");
        rejects(r#""\udc00""#, InvalidEscape, r"\udc00");
        rejects(r#""ok \uDFFF\ud800""#, InvalidEscape, r"\uDFFF");
        // Truncated escapes.
        eof(r#""\"#, "an escape sequence");
        eof(r#""\u12"#, "four hex digits");
        eof(r#"{"a\u"#, "four hex digits");
    }

    #[test]
    fn control_characters_must_be_escaped() {
        for code in 0u8..0x20 {
            let text = format!("[\"ab{}c\"]", char::from(code));
            let e = err(&text);
            assert_eq!(
                e.kind,
                ParseErrorKind::ControlCharacter {
                    code: u32::from(code)
                }
            );
            assert_eq!(e.span, Span::new(4, 5));
        }
        // After an escape, too; and in keys.
        rejects(
            "\"\\n\t\"",
            ParseErrorKind::ControlCharacter { code: 9 },
            "\t",
        );
        rejects(
            "{\"a\nb\":1}",
            ParseErrorKind::ControlCharacter { code: 10 },
            "\n",
        );
        // DEL and C1 controls are allowed raw.
        assert_eq!(ok("\"\u{7f}\u{85}\"").as_str(), Some("\u{7f}\u{85}"));
    }

    #[test]
    fn rejects_non_standard_syntax() {
        // Comments.
        rejects("// c\n{}", unexpected('/', "a value"), "/");
        rejects("{} // c", ParseErrorKind::TrailingCharacters, "/");
        rejects("[1 /* c */]", unexpected('/', "`,` or `]`"), "/");
        rejects("{/* c */}", unexpected('/', "a string key or `}`"), "/");
        rejects("{\"a\":1 # c\n}", unexpected('#', "`,` or `}`"), "#");
        // Trailing commas.
        rejects("[1,]", unexpected(']', "a value"), "]");
        rejects("[1,\n ]", unexpected(']', "a value"), "]");
        rejects(r#"{"a":1,}"#, unexpected('}', "a string key"), "}");
        rejects("[,]", unexpected(',', "a value or `]`"), ",");
        rejects("[1,,2]", unexpected(',', "a value"), ",");
        // Single quotes and unquoted keys.
        rejects("['a']", unexpected('\'', "a value or `]`"), "'");
        rejects("{'a':1}", unexpected('\'', "a string key or `}`"), "'");
        rejects("{a:1}", unexpected('a', "a string key or `}`"), "a");
        rejects(r#"{"a":1,b:2}"#, unexpected('b', "a string key"), "b");
        rejects("{1:1}", unexpected('1', "a string key or `}`"), "1");
        // Missing punctuation.
        rejects(r#"{"a" 1}"#, unexpected('1', "`:`"), "1");
        rejects(r#"{"a"=1}"#, unexpected('=', "`:`"), "=");
        rejects("[1 2]", unexpected('2', "`,` or `]`"), "2");
        rejects(r#"{"a":1 "b":2}"#, unexpected('"', "`,` or `}`"), "\"");
        rejects("[1}", unexpected('}', "`,` or `]`"), "}");
        rejects(r#"{"a":1]"#, unexpected(']', "`,` or `}`"), "]");
        rejects("]", unexpected(']', "a value"), "]");
        // Bad literals.
        rejects("NaN", unexpected('N', "a value"), "N");
        rejects("[Infinity]", unexpected('I', "a value or `]`"), "I");
        rejects("[1, nan]", unexpected('a', "`null`"), "a");
        rejects("True", unexpected('T', "a value"), "T");
        rejects("tru]", unexpected(']', "`true`"), "]");
        rejects(
            "nul",
            ParseErrorKind::UnexpectedEof { expected: "`null`" },
            "",
        );
        rejects("fals e", unexpected(' ', "`false`"), " ");
        rejects("[truex]", unexpected('x', "`,` or `]`"), "x");
        rejects("undefined", unexpected('u', "a value"), "u");
        // Only the four whitespace characters.
        rejects("\u{c}{}", unexpected('\u{c}', "a value"), "\u{c}");
        rejects("[1,\u{b}2]", unexpected('\u{b}', "a value"), "\u{b}");
        rejects("{}\u{a0}", ParseErrorKind::TrailingCharacters, "\u{a0}");
        rejects(
            "[\u{3000}]",
            unexpected('\u{3000}', "a value or `]`"),
            "\u{3000}",
        );
        rejects("\u{feff}{}", unexpected('\u{feff}', "a value"), "\u{feff}");
        // Multi-byte offending characters get their full byte range.
        rejects("[1 é]", unexpected('é', "`,` or `]`"), "é");
        rejects("{\"a\":1}🤖", ParseErrorKind::TrailingCharacters, "🤖");
    }

    #[test]
    fn rejects_non_standard_numbers() {
        let invalid = |raw: &str| ParseErrorKind::InvalidNumber {
            raw: raw.to_owned(),
        };
        for (text, raw) in [
            ("01", "01"),
            ("[00]", "00"),
            ("-01", "-01"),
            ("[1.]", "1."),
            ("1.e3", "1.e3"),
            ("[1e]", "1e"),
            ("1e+", "1e+"),
            ("[-]", "-"),
            ("-", "-"),
            ("--1", "--1"),
            ("[-Infinity]", "-Infinity"),
            ("0x10", "0x10"),
            ("1.5.3", "1.5.3"),
            ("[1-2]", "1-2"),
            ("{\"a\":12abc}", "12abc"),
            ("-.5", "-.5"),
        ] {
            rejects(text, invalid(raw), raw);
        }
        rejects("+1", unexpected('+', "a value"), "+");
        rejects("[.5]", unexpected('.', "a value or `]`"), ".");
    }

    #[test]
    fn trailing_characters_and_empty_input() {
        rejects("{} {}", ParseErrorKind::TrailingCharacters, "{");
        rejects("1 2", ParseErrorKind::TrailingCharacters, "2");
        rejects("[]]", ParseErrorKind::TrailingCharacters, "]");
        rejects("\"a\"\"b\"", ParseErrorKind::TrailingCharacters, "\"");
        rejects("null,", ParseErrorKind::TrailingCharacters, ",");
        for text in ["", " ", "\r\n\t  \n"] {
            let e = err(text);
            assert_eq!(
                (e.kind, e.span),
                (ParseErrorKind::Empty, Span::new(0, 0)),
                "{text:?}"
            );
        }
        assert_eq!(ok("  {}\r\n\t ").span, Span::new(2, 4));
    }

    #[test]
    fn truncated_input() {
        eof("{", "a string key or `}`");
        eof("[", "a value or `]`");
        eof("[1,", "a value");
        eof("[1", "`,` or `]`");
        eof("{\"a\"", "`:`");
        eof("{\"a\":", "a value");
        eof("{\"a\":1", "`,` or `}`");
        eof("{\"a\":1,", "a string key");
        eof("\"abc", "a closing `\"`");
        eof("\"ab\\n", "a closing `\"`");
        eof("[\"", "a closing `\"`");
        eof("tr", "`true`");
        eof("[[[[", "a value or `]`");
    }

    #[test]
    fn duplicate_keys() {
        let dup = |text: &str, key: &str, first: &str| {
            let e = err(text);
            let first_start = text.find(first).unwrap() as u32;
            assert_eq!(
                e.kind,
                ParseErrorKind::DuplicateKey {
                    key: key.to_owned(),
                    first_start
                },
                "{text:?}"
            );
            assert_eq!(e.span.start(), text.rfind(&format!("\"{key}\"")).unwrap());
            e
        };
        let text = r#"{"a":1,"b":2,"a":3}"#;
        let e = dup(text, "a", "\"a\"");
        assert_eq!(at(text, e.span), "\"a\"");
        assert_eq!(e.span, Span::new(13, 16));
        // Decoded keys are compared: `\u0061` is `a`.
        let text = r#"{"a":1, "\u0061":2}"#;
        let e = err(text);
        assert_eq!(
            e.kind,
            ParseErrorKind::DuplicateKey {
                key: "a".into(),
                first_start: 1
            }
        );
        assert_eq!(at(text, e.span), r#""\u0061""#);
        // The same key in different objects is fine, and so is a nested one.
        ok(r#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"c":{"b":1}}"#);
        // The error comes at the second key, before its value is read.
        let text = r#"{"x":{"k":1,"k":}}"#;
        let e = err(text);
        assert_eq!(
            e.kind,
            ParseErrorKind::DuplicateKey {
                key: "k".into(),
                first_start: 6
            }
        );
        assert_eq!(e.span, Span::new(12, 15));

        // Large objects use the hash index; check duplicates at every position.
        let keys: Vec<String> = (0..100).map(|i| format!("Key{i}")).collect();
        let body: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("\"{k}\": {i}"))
            .collect();
        let big = format!("{{{}}}", body.join(", "));
        let root = ok(&big);
        assert_eq!(root.as_object().unwrap().len(), 100);
        check_spans(&big, &root);
        for first in [0, 1, 15, 16, 17, 50, 99] {
            for extra in [0, 1, 20] {
                // 100 keys, then `extra` fresh keys, then a repeat of keys[first].
                let mut body = body.clone();
                body.extend((0..extra).map(|i| format!("\"Fresh{i}\": 0")));
                body.push(format!("\"{}\": true", keys[first]));
                let text = format!("{{{}}}", body.join(", "));
                let e = err(&text);
                let first_start = text.find(&format!("\"{}\"", keys[first])).unwrap() as u32;
                assert_eq!(
                    e.kind,
                    ParseErrorKind::DuplicateKey {
                        key: keys[first].clone(),
                        first_start
                    }
                );
                let second = text.rfind(&format!("\"{}\"", keys[first])).unwrap();
                assert_eq!(e.span, Span::new(second, second + keys[first].len() + 2));
            }
        }
        // The small-to-indexed switch at exactly LINEAR_SCAN_MAX entries.
        for n in LINEAR_SCAN_MAX - 2..LINEAR_SCAN_MAX + 3 {
            let body: Vec<String> = (0..n).map(|i| format!("\"k{i}\":0")).collect();
            ok(&format!("{{{}}}", body.join(",")));
            for repeat in [0, n - 1] {
                let text = format!("{{{},\"k{repeat}\":1}}", body.join(","));
                assert!(
                    matches!(err(&text).kind, ParseErrorKind::DuplicateKey { .. }),
                    "{n} {repeat}"
                );
            }
        }
    }

    #[test]
    fn find_duplicate_survives_hash_collisions() {
        // Force a collision by planting a wrong index entry for a key's hash.
        let entries: Vec<Entry> = (0..20)
            .map(|i| Entry {
                key: format!("k{i}"),
                key_span: Span::new(i * 10, i * 10 + 4),
                value: Node::new(Span::default(), Value::Null),
            })
            .collect();
        let mut index = None;
        assert_eq!(find_duplicate(&entries, &mut index, "new"), None);
        let ix = index.as_mut().unwrap();
        let hash = ix.state.hash_one("k7");
        ix.first.insert(hash, 3); // "k7" now appears to collide with "k3"
        assert_eq!(find_duplicate(&entries, &mut index, "k7"), Some(70));
        let hash = index.as_ref().unwrap().state.hash_one("zz");
        index.as_mut().unwrap().first.insert(hash, 5);
        assert_eq!(find_duplicate(&entries, &mut index, "zz"), None);
    }

    #[test]
    fn depth_limit() {
        let limits = Limits {
            max_depth: 4,
            ..Limits::default()
        };
        assert!(parse("[[[[]]]]", &limits).is_ok());
        assert!(parse(r#"{"a":[{"b":[1]}]}"#, &limits).is_ok());
        let e = parse("[[[[[]]]]]", &limits).unwrap_err();
        assert_eq!(
            (e.kind, e.span),
            (ParseErrorKind::TooDeep { limit: 4 }, Span::new(4, 5))
        );
        let text = r#"{"a":[{"b":[{}]}]}"#;
        let e = parse(text, &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 4 });
        assert_eq!(e.span.start(), text.rfind('{').unwrap());
        assert_eq!(at(text, e.span), "{");
        let zero = Limits {
            max_depth: 0,
            ..Limits::default()
        };
        assert!(parse("1", &zero).is_ok());
        assert_eq!(
            parse("[]", &zero).unwrap_err().kind,
            ParseErrorKind::TooDeep { limit: 0 }
        );

        // The default limit.
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        ok(&deep(255));
        let e = err(&deep(256));
        assert_eq!(
            (e.kind.clone(), e.span),
            (ParseErrorKind::TooDeep { limit: 255 }, Span::new(255, 256))
        );
        // YAML stops the same text at the same bracket with the same error.
        assert_eq!(
            crate::parse::yaml::parse(&deep(255), &Limits::default()).err(),
            None
        );
        assert_eq!(
            crate::parse::yaml::parse(&deep(256), &Limits::default()).err(),
            Some(e)
        );
    }

    /// How deeply containers nest (the root container is 1), without recursion.
    fn depth(node: &Node) -> usize {
        let mut max = 0;
        let mut work = vec![(node, 1usize)];
        while let Some((node, d)) = work.pop() {
            match &node.value {
                Value::Array(items) => work.extend(items.iter().map(|n| (n, d + 1))),
                Value::Object(entries) => work.extend(entries.iter().map(|e| (&e.value, d + 1))),
                _ => continue,
            }
            max = max.max(d);
        }
        max
    }

    #[test]
    fn deep_nesting_never_recurses() {
        const N: usize = 100_000;
        // Default limit, default 2 MiB test-thread stack.
        let open = "[".repeat(N);
        let e = err(&open);
        assert_eq!(
            (e.kind, e.span),
            (ParseErrorKind::TooDeep { limit: 255 }, Span::new(255, 256))
        );
        let e = err(&"{\"a\":".repeat(N));
        assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 255 });

        // A limit far above the nesting: the parser itself must not recurse.
        let limits = Limits {
            max_depth: 1_000_000,
            ..Limits::default()
        };
        let text = format!("{open}{}", "]".repeat(N));
        let node = parse(&text, &limits).unwrap();
        assert_eq!(depth(&node), N);
        assert_eq!(node.span, Span::new(0, 2 * N));
        drop_iteratively(vec![node]);

        let text = format!("{}0{}", "{\"a\":".repeat(N), "}".repeat(N));
        let node = parse(&text, &limits).unwrap();
        assert_eq!(depth(&node), N);
        drop_iteratively(vec![node]);

        let text = format!("{}1{}", "[{\"k\":".repeat(N / 2), "}]".repeat(N / 2));
        let node = parse(&text, &limits).unwrap();
        assert_eq!(depth(&node), N);
        drop_iteratively(vec![node]);

        // Errors after a deep value is built must not overflow while cleaning up.
        let e = parse(&format!("[{open}{}, x]", "]".repeat(N)), &limits).unwrap_err();
        assert_eq!(e.kind, unexpected('x', "a value"));
        let e = parse(&format!("{open}{} x", "]".repeat(N)), &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TrailingCharacters);
        let e = parse(
            &format!("{{\"a\":{open}{}, \"a\":1}}", "]".repeat(N)),
            &limits,
        )
        .unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::DuplicateKey { .. }));
        let e = parse(&open, &limits).unwrap_err();
        assert_eq!(
            e.kind,
            ParseErrorKind::UnexpectedEof {
                expected: "a value or `]`"
            }
        );
    }

    #[test]
    fn numbers() {
        let n = num("0");
        assert_eq!((n.raw.as_str(), n.value, n.integer), ("0", 0.0, Some(0)));
        let n = num("-0");
        assert_eq!((n.integer, n.value), (Some(0), 0.0));
        let n = num("-12345");
        assert_eq!((n.integer, n.value), (Some(-12345), -12345.0));
        let n = num("1.50E+03");
        assert_eq!(
            (n.raw.as_str(), n.value, n.integer),
            ("1.50E+03", 1500.0, None)
        );
        let n = num("2e-3");
        assert_eq!((n.value, n.integer), (0.002, None));
        let n = num("1.0");
        assert_eq!((n.value, n.integer), (1.0, None));
        for i in [
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            999_999_999_999_999_999,
            1_000_000_000_000_000_000,
        ] {
            let n = num(&i.to_string());
            assert_eq!((n.integer, n.value), (Some(i), i as f64), "{i}");
        }
        let n = num("9223372036854775808");
        assert_eq!((n.integer, n.value), (None, 9_223_372_036_854_775_808.0));
        let n = num("-9223372036854775809");
        assert_eq!((n.integer, n.value), (None, -9_223_372_036_854_775_808.0));
        let n = num("123456789012345678901234567890");
        assert_eq!((n.integer, n.value), (None, 1.2345678901234568e29));
        let n = num("1e308");
        assert_eq!(n.value, 1e308);
        let n = num("1e-999999");
        assert_eq!((n.value, n.integer), (0.0, None));
        let long = format!("0.{}1", "0".repeat(5000));
        assert_eq!(num(&long).value, 0.0);
        // Agrees with `Number::parse`, the contract the YAML parser shares.
        for raw in [
            "0",
            "-0",
            "7",
            "-7",
            "10",
            "1.25",
            "-0.5e-2",
            "4E2",
            "18446744073709551615",
        ] {
            assert_eq!(num(raw), Number::parse(raw).unwrap(), "{raw}");
        }

        let out_of_range = |raw: &str| ParseErrorKind::NumberOutOfRange {
            raw: raw.to_owned(),
        };
        rejects("1e999999", out_of_range("1e999999"), "1e999999");
        rejects("[0, -1e999999]", out_of_range("-1e999999"), "-1e999999");
        rejects(r#"{"n": 2e308}"#, out_of_range("2e308"), "2e308");
        let huge = format!("1{}", "0".repeat(400));
        rejects(&format!("[{huge}]"), out_of_range(&huge), &huge);
        // Number spans inside containers.
        let text = "[ -1.5e+10 ,0,\r\n 42 ]";
        let root = ok(text);
        let spans: Vec<&str> = root
            .as_array()
            .unwrap()
            .iter()
            .map(|n| at(text, n.span))
            .collect();
        assert_eq!(spans, ["-1.5e+10", "0", "42"]);
    }

    /// A small deterministic generator for test data.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn random_string(rng: &mut Rng) -> String {
        const PIECES: &[&str] = &[
            "a",
            "Name",
            " ",
            "\"",
            "\\",
            "/",
            "\n",
            "\t",
            "\r",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "é",
            "ключ",
            "日本",
            "😀",
            "𝄞",
            "\u{feff}",
            "\u{2028}",
            "AWS::Lex::Bot",
            "${var.x}",
            "{",
            "]",
            ",",
            ":",
        ];
        let len = rng.below(8);
        (0..len)
            .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
            .collect()
    }

    fn random_value(rng: &mut Rng, depth: usize) -> serde_json::Value {
        use serde_json::Value as J;
        let kind = if depth >= 5 {
            rng.below(5)
        } else {
            rng.below(7)
        };
        match kind {
            0 => J::Null,
            1 => J::Bool(rng.below(2) == 0),
            2 => match rng.below(4) {
                0 => J::from(rng.below(1000) as i64 - 500),
                1 => J::from(rng.next() as i64),
                // Dyadic fractions: exact in binary, so every parser agrees.
                2 => J::from((rng.below(1 << 20) as f64 - 524_288.0) / 1024.0),
                _ => J::from((rng.below(1000) as f64 + 0.5) * 1e10),
            },
            3 | 4 => J::String(random_string(rng)),
            5 => J::Array(
                (0..rng.below(6))
                    .map(|_| random_value(rng, depth + 1))
                    .collect(),
            ),
            _ => {
                let mut map = serde_json::Map::new();
                let max = if rng.below(4) == 0 { 40 } else { 6 };
                for i in 0..rng.below(max) {
                    map.insert(
                        format!("{}{i}", random_string(rng)),
                        random_value(rng, depth + 1),
                    );
                }
                J::Object(map)
            }
        }
    }

    #[test]
    fn agrees_with_serde_json_on_valid_texts() {
        let mut texts: Vec<String> = [
            r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Bot":{"Type":"AWS::Lex::Bot","Properties":{"Name":"b","DataPrivacy":{"ChildDirected":false},"IdleSessionTTLInSeconds":300,"BotLocales":[{"LocaleId":"en_US","NluConfidenceThreshold":0.4}]}}}}"#,
            r#"[1, -2, 3.25, 1e3, 1E-3, -0.0, 12345678901234, "a\u00e9\ud83d\ude00\"", true, false, null, [], {}, [[]], {"": ""}]"#,
            "  \n\t{ \"a\" :\r\n [ 1 , { \"b\" : null } ] }\r\n",
            r#""just a string""#,
            "3.141592653589793",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..300 {
            let value = random_value(&mut rng, 0);
            texts.push(if i % 2 == 0 {
                serde_json::to_string(&value).unwrap()
            } else {
                serde_json::to_string_pretty(&value).unwrap()
            });
        }
        for text in &texts {
            let node = ok(text);
            let expected: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(node.to_json(), expected, "{text}");
            check_spans(text, &node);
        }
    }

    #[test]
    fn eight_megabyte_single_line() {
        let item = r#"{"address":"aws_lexv2models_bot.example[\"x\"]","values":{"name":"bot-é","ttl":300,"ratio":0.25,"tags":{"k":"v"},"list":[1,2,3,null,true]}}"#;
        let count = 8 * 1024 * 1024 / item.len() + 1;
        let mut text = String::with_capacity(count * (item.len() + 1) + 2);
        text.push('[');
        for i in 0..count {
            if i > 0 {
                text.push(',');
            }
            text.push_str(item);
        }
        text.push(']');
        assert!(text.len() > 8 * 1024 * 1024);
        assert!(!text.contains('\n'));
        let root = ok(&text);
        let items = root.as_array().unwrap();
        assert_eq!(items.len(), count);
        let last = items.last().unwrap();
        assert_eq!(at(&text, last.span), item);
        let ttl = last.get("values").unwrap().entry("ttl").unwrap();
        assert_eq!(at(&text, ttl.key_span), "\"ttl\"");
        assert_eq!(ttl.value.as_f64(), Some(300.0));
        assert_eq!(
            last.get("address").unwrap().as_str(),
            Some("aws_lexv2models_bot.example[\"x\"]")
        );
    }

    fn json_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                json_files(&path, out);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }

    #[test]
    fn parses_the_shared_corpus() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
        let mut files = Vec::new();
        json_files(root, &mut files);
        files.sort();
        assert!(!files.is_empty(), "no JSON files under {}", root.display());
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let source = crate::source::SourceFile::decode(path.clone(), bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            match parse(&source.text, &Limits::default()) {
                Ok(node) => {
                    check_spans(&source.text, &node);
                    if let Ok(expected) = serde_json::from_str::<serde_json::Value>(&source.text) {
                        // serde_json keeps u64 and exact floats that `Number` does not;
                        // compare where both sides are plain.
                        if !has_wide_numbers(&expected) {
                            assert_eq!(node.to_json(), expected, "{}", path.display());
                        }
                    }
                }
                Err(e) => panic!("{}: {e} at {:?}", path.display(), source.region(e.span)),
            }
        }
    }

    fn has_wide_numbers(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) => n.is_u64() && n.as_i64().is_none(),
            serde_json::Value::Array(items) => items.iter().any(has_wide_numbers),
            serde_json::Value::Object(map) => map.values().any(has_wide_numbers),
            _ => false,
        }
    }

    /// A Terraform-plan-like document of about `target` bytes.
    fn generate_plan(target: usize, pretty: bool) -> String {
        let mut rng = Rng(42);
        let mut resources = Vec::new();
        let mut size = 0;
        let mut i = 0;
        while size < target {
            let mut tags = serde_json::Map::new();
            for t in 0..rng.below(30) {
                tags.insert(
                    format!("tag_{t}"),
                    serde_json::json!(format!("value-{}", rng.below(1_000_000))),
                );
            }
            let r = serde_json::json!({
                "address": format!("aws_lexv2models_bot.bot[\"{i}\"]"),
                "mode": "managed",
                "type": "aws_lexv2models_bot",
                "name": "bot",
                "index": i,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 0,
                "values": {
                    "name": format!("bot-{i}"),
                    "description": "A bot with a \"quoted\" description\nand a second line — ünïcødé",
                    "idle_session_ttl_in_seconds": 300 + rng.below(3000),
                    "nlu_confidence": rng.below(100) as f64 / 100.0,
                    "data_privacy": [{"child_directed": rng.below(2) == 0}],
                    "role_arn": format!("arn:aws:iam::{:012}:role/lex-{i}", rng.below(1_000_000_000_000)),
                    "tags": tags,
                    "members": null,
                    "timeouts": null,
                },
                "sensitive_values": {"data_privacy": [{}], "tags": {}},
            });
            size += serde_json::to_string(&r).unwrap().len();
            resources.push(r);
            i += 1;
        }
        let plan = serde_json::json!({
            "format_version": "1.2",
            "terraform_version": "1.9.0",
            "planned_values": {"root_module": {"resources": resources}},
        });
        if pretty {
            serde_json::to_string_pretty(&plan).unwrap()
        } else {
            serde_json::to_string(&plan).unwrap()
        }
    }

    fn throughput(bytes: usize, mut f: impl FnMut()) -> f64 {
        f(); // warm up
        let mut best = f64::MAX;
        for _ in 0..15 {
            let t = std::time::Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        bytes as f64 / best / 1e6
    }

    /// `cargo test --release --lib parse::json::tests::throughput_vs_serde_json -- --ignored --nocapture`
    #[test]
    #[ignore = "benchmark; run in release mode"]
    fn throughput_vs_serde_json() {
        for pretty in [false, true] {
            let text = generate_plan(if pretty { 2_900_000 } else { 5_000_000 }, pretty);
            let ours = throughput(text.len(), || {
                std::hint::black_box(
                    parse(std::hint::black_box(&text), &Limits::default()).unwrap(),
                );
            });
            let serde = throughput(text.len(), || {
                std::hint::black_box(
                    serde_json::from_str::<serde_json::Value>(std::hint::black_box(&text)).unwrap(),
                );
            });
            // Syntax check only, no tree: a floor for any tree-building parser.
            let ignored = throughput(text.len(), || {
                std::hint::black_box(
                    serde_json::from_str::<serde::de::IgnoredAny>(std::hint::black_box(&text))
                        .unwrap(),
                );
            });
            println!(
                "{} {:.1} MB: lexguard json {ours:.0} MB/s, serde_json::Value {serde:.0} MB/s \
                 ({:.2}x), serde IgnoredAny {ignored:.0} MB/s",
                if pretty { "pretty " } else { "compact" },
                text.len() as f64 / 1e6,
                ours / serde
            );
        }
    }
}
