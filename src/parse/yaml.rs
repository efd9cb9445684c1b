//! YAML parser producing spanned nodes, reading CloudFormation's dialect.
//!
//! The tree is built from `saphyr-parser`'s pull-event stream with an explicit stack of
//! open collections, so nesting never recurses on the Rust stack (saphyr's own parser
//! state machine is iterative too when driven through [`Parser::next_event`]).
//!
//! # Decisions
//!
//! * **Positions.** saphyr's markers count characters, not bytes (a CRLF is two).
//!   [`Offsets`] turns a character index into a byte offset with a cursor that moves from
//!   the previous conversion (events arrive nearly in order, so the text is walked about
//!   once; the occasional step back walks back from the cursor, not from the start).
//!   Pure-ASCII text, the common case, needs no conversion at all.
//! * **Spans.** A scalar's span is its text (quotes included; for `|`/`>` block scalars
//!   from the indicator to the end of the last content line). A block mapping runs from
//!   its first key to the end of its last value, a block sequence from its first `-` to
//!   the end of its last item; a flow collection from its bracket to its closing bracket.
//!   A tagged node's wrapper starts at the tag. An empty value (`Key:`) is an empty span
//!   just after the colon. Anchors are not part of a node's span.
//! * **Plain scalars** resolve as YAML 1.1 as CloudFormation reads them: `~`, `null`,
//!   `Null`, `NULL` and the empty scalar are null; `true/false/yes/no/on/off` in any case
//!   are booleans (`y`/`n` stay strings); decimal, `0x` hex, `0o` octal and `0b` binary
//!   integers (optionally signed) and YAML 1.2 floats (`1.5`, `1e3`, `.inf`, `.nan`) are
//!   numbers whose `raw` keeps the spelling. Leading-zero decimals (`0755`) are decimal,
//!   not YAML 1.1 octal; `_` digit separators and sexagesimal `1:30` are not numbers.
//!   A numeric spelling whose value cannot be represented (`1e999999` overflows to
//!   infinity, a hex literal beyond 64 bits) stays a **string**: it is not a number any
//!   template means, and keeping the text lets later stages report it verbatim. Dates
//!   (`2012-10-17`) and versions (`1.2.3`) stay strings. Quoted and block scalars are
//!   always strings.
//! * **Tags.** A local tag `!Name` is a CloudFormation short form and becomes its long
//!   form: `!Ref x` → `{Ref: x}`, `!Condition x` → `{Condition: x}`, `!GetAtt A.B` →
//!   `{Fn::GetAtt: [A, B]}` (split at the first dot; both items and the array carry the
//!   scalar's span; a value without a dot stays a string), any other `!Name` →
//!   `{Fn::Name: value}`. The entry's `key_span` is the tag. Core tags (`!!str`, `!!int`,
//!   `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map`, and their verbatim
//!   `!<tag:yaml.org,2002:…>` spellings) are honoured; other core tags (`!!binary`,
//!   `!!timestamp`, `!!set`…) leave the node as written (scalars as strings). The
//!   non-specific tag `!` makes a scalar a string. Any other tag (a handle declared with
//!   `%TAG`) is an error: CloudFormation would reject the template.
//! * **Keys** must be scalars (else [`ParseErrorKind::ComplexKey`]); non-string scalar keys
//!   are strings spelled as written (`1: x` has key `"1"`). A tagged key is complex
//!   unless the tag is a core or non-specific one. A duplicate key is an error at the
//!   second key.
//! * **Merge keys** (`<<: *base`, `<<: [*a, *b]`, `<<: {…}`) follow YAML 1.1: keys of the
//!   merged mappings that the mapping does not set itself are appended (earlier sources
//!   win), keeping their original spans. `<<` may appear more than once.
//! * **Aliases** expand to a clone of the anchored node, which keeps the anchor's spans.
//!   Each anchored node's size and height are stored when it completes, so an alias is
//!   checked against [`Limits::max_alias_nodes`] and [`Limits::max_depth`] before any
//!   cloning. Storing anchored nodes is skipped when the text holds no `*`; the copies
//!   made to store them are bounded too (by the alias limit plus the text length), so
//!   nested anchors cannot multiply memory either. An alias inside its own anchored node
//!   is an error.
//! * **Depth.** A top-level collection is at depth 1; a tag wrapper counts as a level
//!   (`!If [...]` is two). Deeper than [`Limits::max_depth`] is
//!   [`ParseErrorKind::TooDeep`] at the collection (or tag) that crosses the limit; the
//!   parser stops pulling events there. saphyr itself caps *flow* nesting at 255 levels
//!   (its flow level is a `u8`; it fails cleanly rather than overflowing), the default
//!   limit, so YAML and JSON stop at the same depth with the same message. saphyr scans
//!   a run of flow brackets before delivering its events, so a flow run deeper than 255
//!   is reported at its 256th bracket as `TooDeep` with the lower of the limit and 255.
//! * **Documents.** Documents that are empty (no node, or an untagged empty scalar) are
//!   ignored; a second document with content is [`ParseErrorKind::MultipleDocuments`] at
//!   its start (the `---`). No content at all is [`ParseErrorKind::Empty`] at `0..0`.
//! * **Errors** from saphyr become [`ParseErrorKind::Yaml`] at the reported character
//!   (widened to the offending tabs for tab-indentation errors), except an unknown alias,
//!   which is [`ParseErrorKind::UnknownAlias`] at the alias.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as MarkSpan, StrInput, Tag};

use super::{Limits, ParseError, ParseErrorKind};
use crate::node::{Entry, Node, Number, Value};
use crate::source::Span;

/// The handle saphyr resolves `!!` to.
const CORE_HANDLE: &str = "tag:yaml.org,2002:";
/// saphyr's message for an alias whose anchor was never defined.
const UNKNOWN_ANCHOR: &str = "while parsing node, found unknown anchor";
/// saphyr counts flow nesting in a `u8` and fails past this depth (so it never overflows
/// the stack); the failure is reported as [`ParseErrorKind::TooDeep`] with this limit.
const SAPHYR_FLOW_LIMIT: usize = 255;
const FLOW_LIMIT_MESSAGE: &str = "recursion limit exceeded";
/// Mappings with at least this many keys check duplicates with a hash index.
const INDEX_THRESHOLD: usize = 16;

/// Parses one YAML document.
pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    let mut parser = Parser::new_from_str(text);
    Builder::new(text, *limits).run(&mut parser)
}

/// Character index → byte offset, with a cursor that follows the event stream.
struct Offsets<'a> {
    bytes: &'a [u8],
    ascii: bool,
    /// The cursor: `byte` is the offset of character `chars` (or the end of the text).
    chars: usize,
    byte: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Offsets<'a> {
        Offsets {
            bytes: text.as_bytes(),
            ascii: text.is_ascii(),
            chars: 0,
            byte: 0,
        }
    }

    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.bytes.len());
        }
        const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
        while self.chars < index {
            // Eight ASCII bytes at a time while far enough from the target.
            if index - self.chars >= 8 {
                if let Some(chunk) = self.bytes.get(self.byte..self.byte + 8) {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(chunk);
                    if u64::from_le_bytes(word) & HIGH_BITS == 0 {
                        self.byte += 8;
                        self.chars += 8;
                        continue;
                    }
                }
            }
            let Some(&lead) = self.bytes.get(self.byte) else {
                break; // past the end: clamp
            };
            self.byte = (self.byte + utf8_width(lead)).min(self.bytes.len());
            self.chars += 1;
        }
        while self.chars > index && self.byte > 0 {
            self.byte -= 1;
            while self.byte > 0 && self.bytes.get(self.byte).is_some_and(|&b| b & 0xC0 == 0x80) {
                self.byte -= 1;
            }
            self.chars -= 1;
        }
        self.byte
    }
}

fn utf8_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0x80..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// What a tag does to the node it is on.
#[derive(Debug)]
enum TagAction {
    /// A CloudFormation short form: wrap the node in a one-entry mapping under `key`.
    Wrap { key: String, span: Span },
    /// `!GetAtt`: like `Wrap`, and a scalar `A.B` becomes `[A, B]`.
    GetAtt { span: Span },
    /// A YAML core-schema tag.
    Core(Core),
    /// The non-specific tag `!`.
    NonSpecific,
}

impl TagAction {
    fn wraps(&self) -> bool {
        matches!(self, TagAction::Wrap { .. } | TagAction::GetAtt { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Core {
    Str,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    /// `!!binary`, `!!timestamp`, `!!set`, …: the node stays as written.
    Other,
}

impl Core {
    fn from_suffix(suffix: &str) -> Core {
        match suffix {
            "str" => Core::Str,
            "int" => Core::Int,
            "float" => Core::Float,
            "bool" => Core::Bool,
            "null" => Core::Null,
            "seq" => Core::Seq,
            "map" => Core::Map,
            _ => Core::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Core::Str => "!!str",
            Core::Int => "!!int",
            Core::Float => "!!float",
            Core::Bool => "!!bool",
            Core::Null => "!!null",
            Core::Seq => "!!seq",
            Core::Map => "!!map",
            Core::Other => "core",
        }
    }
}

fn classify_tag(tag: &Tag, span: Span) -> Result<TagAction, ParseError> {
    let (handle, suffix) = (tag.handle.as_str(), tag.suffix.as_str());
    if handle == "!" && !suffix.is_empty() {
        return Ok(local_tag(suffix, span));
    }
    if handle == CORE_HANDLE {
        return Ok(TagAction::Core(Core::from_suffix(suffix)));
    }
    if handle.is_empty() {
        // `!` alone, or a verbatim tag `!<…>`.
        if suffix == "!" {
            return Ok(TagAction::NonSpecific);
        }
        if let Some(core) = suffix.strip_prefix(CORE_HANDLE) {
            return Ok(TagAction::Core(Core::from_suffix(core)));
        }
        if let Some(name) = suffix.strip_prefix('!').filter(|n| !n.is_empty()) {
            return Ok(local_tag(name, span));
        }
    }
    Err(ParseError::new(
        ParseErrorKind::Yaml {
            message: format!(
                "unsupported tag `{tag}`; only CloudFormation short forms (`!Ref`, `!Sub`, …) \
                 and YAML core tags (`!!str`, …) are understood"
            ),
        },
        span,
    ))
}

fn local_tag(name: &str, span: Span) -> TagAction {
    match name {
        "Ref" | "Condition" => TagAction::Wrap {
            key: name.to_owned(),
            span,
        },
        "GetAtt" => TagAction::GetAtt { span },
        _ => TagAction::Wrap {
            key: format!("Fn::{name}"),
            span,
        },
    }
}

/// A finished node with the bookkeeping alias checks need.
struct Built {
    node: Node,
    /// Nodes in the subtree, itself included.
    size: usize,
    /// Collection levels in the subtree (0 for a scalar).
    height: usize,
}

impl Built {
    fn leaf(node: Node) -> Built {
        Built {
            node,
            size: 1,
            height: 0,
        }
    }
}

struct Anchored {
    node: Node,
    size: usize,
    height: usize,
}

/// An open collection.
struct Frame {
    /// Byte offset where the collection's span starts.
    start: usize,
    /// Flow collection with its own brackets: the end event gives the span's end.
    bracketed: bool,
    /// End of the furthest key or value so far (the span's end when not bracketed).
    end: usize,
    anchor: usize,
    tag: Option<TagAction>,
    /// Depth of this collection (a top-level collection is 1).
    level: usize,
    size: usize,
    child_height: usize,
    body: Body,
}

enum Body {
    Seq(Vec<Node>),
    Map(MapBody),
}

enum PendingKey {
    Key(String, Span),
    Merge,
}

#[derive(Default)]
struct MapBody {
    entries: Vec<Entry>,
    key: Option<PendingKey>,
    /// Values of `<<` keys, applied when the mapping ends.
    merges: Vec<Node>,
    /// Key → start of its first occurrence, once the mapping is large.
    index: Option<HashMap<String, u32>>,
}

impl MapBody {
    /// The start of the key's first occurrence, if present.
    fn find(&mut self, key: &str) -> Option<u32> {
        if self.index.is_none() && self.entries.len() >= INDEX_THRESHOLD {
            let mut index = HashMap::with_capacity(self.entries.len() * 2);
            for entry in &self.entries {
                index
                    .entry(entry.key.clone())
                    .or_insert(entry.key_span.start);
            }
            self.index = Some(index);
        }
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self
                .entries
                .iter()
                .find(|e| e.key == key)
                .map(|e| e.key_span.start),
        }
    }

    fn note(&mut self, key: &str, span: Span) {
        if let Some(index) = &mut self.index {
            index.insert(key.to_owned(), span.start);
        }
    }

    fn finish(mut self) -> Vec<Entry> {
        let merges = std::mem::take(&mut self.merges);
        for source in merges {
            match source.value {
                Value::Object(entries) => self.merge(entries),
                Value::Array(items) => {
                    for item in items {
                        if let Value::Object(entries) = item.value {
                            self.merge(entries);
                        }
                    }
                }
                _ => {}
            }
        }
        self.entries
    }

    fn merge(&mut self, entries: Vec<Entry>) {
        for entry in entries {
            if self.find(&entry.key).is_none() {
                self.note(&entry.key, entry.key_span);
                self.entries.push(entry);
            }
        }
    }
}

struct Builder<'a> {
    text: &'a str,
    bytes: &'a [u8],
    limits: Limits,
    offsets: Offsets<'a>,
    frames: Vec<Frame>,
    root: Option<Node>,
    /// Anchored nodes by saphyr's anchor id.
    anchors: Vec<Option<Anchored>>,
    /// Whether the text can hold an alias at all (computed at the first anchor).
    has_alias: Option<bool>,
    /// Nodes added by alias expansion.
    expanded: usize,
    /// Nodes copied to remember anchored nodes, and their ceiling.
    anchor_copies: usize,
    anchor_budget: usize,
    /// End of the last event with real extent; block scalar indicators are searched from here.
    last_end: usize,
    /// Where the current document starts (its `---`, or its first token).
    doc_start: Span,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: Limits) -> Builder<'a> {
        Builder {
            text,
            bytes: text.as_bytes(),
            limits,
            offsets: Offsets::new(text),
            frames: Vec::with_capacity(32),
            root: None,
            anchors: Vec::new(),
            has_alias: None,
            expanded: 0,
            anchor_copies: 0,
            anchor_budget: limits.max_alias_nodes.saturating_add(text.len()),
            last_end: 0,
            doc_start: Span::default(),
        }
    }

    fn run(mut self, parser: &mut Parser<'a, StrInput<'a>>) -> Result<Node, ParseError> {
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| self.scan_error(&e))?;
            match event {
                Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::DocumentStart(explicit) => {
                    let span = self.span(span);
                    self.doc_start = span;
                    if explicit {
                        self.last_end = self.last_end.max(span.end());
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    if self.frames.is_empty() {
                        if value.is_empty()
                            && style == ScalarStyle::Plain
                            && anchor == 0
                            && tag.is_none()
                        {
                            continue; // an empty document
                        }
                        self.single_document(parser)?;
                    }
                    self.on_scalar(value, style, anchor, tag.as_deref(), span)?;
                }
                Event::Alias(id) => {
                    if self.frames.is_empty() {
                        self.single_document(parser)?;
                    }
                    self.on_alias(id, span)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    if self.frames.is_empty() {
                        self.single_document(parser)?;
                    }
                    self.on_start(false, anchor, tag.as_deref(), span)?;
                }
                Event::MappingStart(anchor, tag) => {
                    if self.frames.is_empty() {
                        self.single_document(parser)?;
                    }
                    self.on_start(true, anchor, tag.as_deref(), span)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.on_end(span)?,
            }
        }
        self.root
            .ok_or_else(|| ParseError::new(ParseErrorKind::Empty, Span::new(0, 0)))
    }

    /// Called when a document's root node starts: fails if an earlier document had content.
    fn single_document(&mut self, parser: &mut Parser<'a, StrInput<'a>>) -> Result<(), ParseError> {
        if self.root.is_none() {
            return Ok(());
        }
        let count = 2 + more_documents(parser, self.limits.max_depth);
        Err(ParseError::new(
            ParseErrorKind::MultipleDocuments { count },
            self.doc_start,
        ))
    }

    fn span(&mut self, span: MarkSpan) -> Span {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        Span::new(start, end)
    }

    fn level(&self) -> usize {
        self.frames.last().map_or(0, |f| f.level)
    }

    fn in_key_position(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame { body: Body::Map(map), .. }) if map.key.is_none()
        )
    }

    fn too_deep(&self, span: Span) -> ParseError {
        ParseError::new(
            ParseErrorKind::TooDeep {
                limit: self.limits.max_depth,
            },
            span,
        )
    }

    fn on_scalar(
        &mut self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: MarkSpan,
    ) -> Result<(), ParseError> {
        let ev = self.span(span);
        let has_props = anchor != 0 || tag.is_some();
        let (tag_span, content) = self.scalar_span(ev, style, has_props);
        if !ev.is_empty() {
            self.last_end = self.last_end.max(ev.end());
        }
        let action = match tag {
            Some(tag) => Some(classify_tag(
                tag,
                tag_span.unwrap_or(Span::new(ev.start(), ev.start())),
            )?),
            None => None,
        };
        if self.in_key_position() {
            if let Some(action) = &action {
                if action.wraps() {
                    let span = tag_span.map_or(content, |t| t.cover(content));
                    return Err(ParseError::new(ParseErrorKind::ComplexKey, span));
                }
            }
            let key = value.into_owned();
            let merge = style == ScalarStyle::Plain && tag.is_none() && key == "<<";
            if anchor != 0 {
                let node = Node::new(content, Value::String(key.clone()));
                self.store_anchor(anchor, &Built::leaf(node), content)?;
            }
            return self.set_key(key, content, merge);
        }
        let built = self.scalar_node(value, style, action, content)?;
        if anchor != 0 {
            self.store_anchor(anchor, &built, ev)?;
        }
        let at = built.node.span;
        self.deliver(built, at)
    }

    fn scalar_node(
        &self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        action: Option<TagAction>,
        content: Span,
    ) -> Result<Built, ParseError> {
        let plain = style == ScalarStyle::Plain;
        let Some(action) = action else {
            return Ok(Built::leaf(Node::new(content, resolve(value, plain))));
        };
        let value = match action {
            TagAction::NonSpecific | TagAction::Core(Core::Str | Core::Other) => {
                Value::String(value.into_owned())
            }
            TagAction::Core(Core::Int) => match parse_number(&value) {
                Some((v, Some(i))) => Value::Number(Number {
                    raw: value.into_owned(),
                    value: v,
                    integer: Some(i),
                }),
                _ => {
                    return Err(ParseError::new(
                        ParseErrorKind::InvalidNumber {
                            raw: value.into_owned(),
                        },
                        content,
                    ))
                }
            },
            TagAction::Core(Core::Float) => match parse_number(&value) {
                Some((v, _)) => Value::Number(Number {
                    raw: value.into_owned(),
                    value: v,
                    integer: None,
                }),
                None => {
                    return Err(ParseError::new(
                        ParseErrorKind::InvalidNumber {
                            raw: value.into_owned(),
                        },
                        content,
                    ))
                }
            },
            TagAction::Core(Core::Bool) => match parse_bool(&value) {
                Some(b) => Value::Bool(b),
                None => return Err(invalid(&value, "boolean (`!!bool`)", content)),
            },
            TagAction::Core(Core::Null) => {
                if value.is_empty() || is_null(&value) {
                    Value::Null
                } else {
                    return Err(invalid(&value, "null (`!!null`)", content));
                }
            }
            TagAction::Core(core @ (Core::Seq | Core::Map)) => {
                return Err(ParseError::new(
                    ParseErrorKind::Yaml {
                        message: format!("tag `{}` cannot be applied to a scalar", core.name()),
                    },
                    content,
                ));
            }
            TagAction::Wrap { key, span } => {
                let inner = Built::leaf(Node::new(content, resolve(value, plain)));
                return self.wrap(key, span, inner);
            }
            TagAction::GetAtt { span } => {
                let inner = if plain && value.is_empty() {
                    Built::leaf(Node::new(content, Value::Null))
                } else if let Some((resource, attribute)) = value.split_once('.') {
                    let items = vec![
                        Node::new(content, Value::String(resource.to_owned())),
                        Node::new(content, Value::String(attribute.to_owned())),
                    ];
                    Built {
                        node: Node::new(content, Value::Array(items)),
                        size: 3,
                        height: 1,
                    }
                } else {
                    Built::leaf(Node::new(content, Value::String(value.into_owned())))
                };
                return self.wrap("Fn::GetAtt".to_owned(), span, inner);
            }
        };
        Ok(Built::leaf(Node::new(content, value)))
    }

    /// `{key: inner}` with the entry's key span at the tag, spanning tag to value end.
    fn wrap(&self, key: String, tag_span: Span, inner: Built) -> Result<Built, ParseError> {
        let height = inner.height + 1;
        if self.level() + height > self.limits.max_depth {
            return Err(self.too_deep(tag_span));
        }
        let end = inner.node.span.end().max(tag_span.end());
        let span = Span::new(tag_span.start(), end);
        let entry = Entry {
            key,
            key_span: tag_span,
            value: inner.node,
        };
        Ok(Built {
            node: Node::new(span, Value::Object(vec![entry])),
            size: inner.size + 1,
            height,
        })
    }

    fn on_alias(&mut self, id: usize, span: MarkSpan) -> Result<(), ParseError> {
        let at = self.span(span);
        self.last_end = self.last_end.max(at.end());
        let Some(anchored) = self.anchors.get(id).and_then(Option::as_ref) else {
            let name = self.text.get(at.start() + 1..at.end()).unwrap_or("");
            return Err(ParseError::new(
                ParseErrorKind::Yaml {
                    message: format!("alias *{name} is inside the node it refers to"),
                },
                at,
            ));
        };
        if self.in_key_position() {
            let key = match &anchored.node.value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.raw.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                _ => return Err(ParseError::new(ParseErrorKind::ComplexKey, at)),
            };
            return self.set_key(key, at, false);
        }
        let (size, height) = (anchored.size, anchored.height);
        if self.level() + height > self.limits.max_depth {
            return Err(self.too_deep(at));
        }
        let total = self.expanded.saturating_add(size);
        if total > self.limits.max_alias_nodes {
            return Err(ParseError::new(
                ParseErrorKind::AliasExpansion {
                    limit: self.limits.max_alias_nodes,
                },
                at,
            ));
        }
        self.expanded = total;
        let node = anchored.node.clone();
        self.deliver(Built { node, size, height }, at)
    }

    fn on_start(
        &mut self,
        is_map: bool,
        anchor: usize,
        tag: Option<&Tag>,
        span: MarkSpan,
    ) -> Result<(), ParseError> {
        let ev = self.span(span);
        let (tag_span, content_start) = if anchor != 0 || tag.is_some() {
            self.scan_props(ev.start(), ev.end())
        } else {
            (None, ev.start())
        };
        if self.in_key_position() {
            return Err(ParseError::new(
                ParseErrorKind::ComplexKey,
                self.char_span(content_start),
            ));
        }
        let action = match tag {
            Some(tag) => {
                let at = tag_span.unwrap_or(Span::new(ev.start(), ev.start()));
                let action = classify_tag(tag, at)?;
                if let TagAction::Core(core) = action {
                    if !matches!(core, Core::Other)
                        && core != (if is_map { Core::Map } else { Core::Seq })
                    {
                        let kind = if is_map { "mapping" } else { "sequence" };
                        return Err(ParseError::new(
                            ParseErrorKind::Yaml {
                                message: format!(
                                    "tag `{}` cannot be applied to a {kind}",
                                    core.name()
                                ),
                            },
                            at,
                        ));
                    }
                }
                Some(action)
            }
            None => None,
        };
        let open = if is_map { b'{' } else { b'[' };
        let bracketed = self.bytes.get(content_start) == Some(&open);
        let start = if bracketed {
            self.last_end = self.last_end.max(content_start + 1);
            content_start
        } else if is_map {
            content_start
        } else {
            self.dash_at_or_before(content_start)
        };
        let wraps = action.as_ref().is_some_and(TagAction::wraps);
        let level = self.level() + 1 + usize::from(wraps);
        if level > self.limits.max_depth {
            let at = match (&action, tag_span) {
                (Some(a), Some(t)) if a.wraps() && level - 1 > self.limits.max_depth => t,
                _ => self.char_span(start),
            };
            return Err(self.too_deep(at));
        }
        let body = if is_map {
            Body::Map(MapBody::default())
        } else {
            Body::Seq(Vec::new())
        };
        self.frames.push(Frame {
            start,
            bracketed,
            end: start,
            anchor,
            tag: action,
            level,
            size: 1,
            child_height: 0,
            body,
        });
        Ok(())
    }

    fn on_end(&mut self, span: MarkSpan) -> Result<(), ParseError> {
        let ev = self.span(span);
        let Some(frame) = self.frames.pop() else {
            return Err(ParseError::new(
                ParseErrorKind::Yaml {
                    message: "unbalanced end of collection".to_owned(),
                },
                ev,
            ));
        };
        let end = if frame.bracketed {
            self.last_end = self.last_end.max(ev.end());
            ev.end()
        } else {
            frame.end
        };
        let value = match frame.body {
            Body::Seq(items) => Value::Array(items),
            Body::Map(map) => Value::Object(map.finish()),
        };
        let node = Node::new(Span::new(frame.start, end.max(frame.start)), value);
        let mut built = Built {
            node,
            size: frame.size,
            height: frame.child_height + 1,
        };
        match frame.tag {
            Some(TagAction::Wrap { key, span }) => built = self.wrap(key, span, built)?,
            Some(TagAction::GetAtt { span }) => {
                built = self.wrap("Fn::GetAtt".to_owned(), span, built)?;
            }
            Some(TagAction::Core(_) | TagAction::NonSpecific) | None => {}
        }
        if frame.anchor != 0 {
            let at = built.node.span;
            self.store_anchor(frame.anchor, &built, at)?;
        }
        let at = built.node.span;
        self.deliver(built, at)
    }

    fn set_key(&mut self, key: String, span: Span, merge: bool) -> Result<(), ParseError> {
        let Some(Frame {
            body: Body::Map(map),
            end,
            ..
        }) = self.frames.last_mut()
        else {
            return Err(ParseError::new(ParseErrorKind::ComplexKey, span));
        };
        *end = (*end).max(span.end());
        if merge {
            map.key = Some(PendingKey::Merge);
            return Ok(());
        }
        if let Some(first_start) = map.find(&key) {
            return Err(ParseError::new(
                ParseErrorKind::DuplicateKey { key, first_start },
                span,
            ));
        }
        map.note(&key, span);
        map.key = Some(PendingKey::Key(key, span));
        Ok(())
    }

    /// Hands a finished node to the open collection (or makes it the root). `at` is
    /// where it is written (for an alias, the alias, not the anchored node).
    fn deliver(&mut self, built: Built, at: Span) -> Result<(), ParseError> {
        let Some(frame) = self.frames.last_mut() else {
            self.root = Some(built.node);
            return Ok(());
        };
        frame.size = frame.size.saturating_add(built.size);
        frame.child_height = frame.child_height.max(built.height);
        frame.end = frame.end.max(at.end());
        match &mut frame.body {
            Body::Seq(items) => items.push(built.node),
            Body::Map(map) => match map.key.take() {
                Some(PendingKey::Key(key, key_span)) => map.entries.push(Entry {
                    key,
                    key_span,
                    value: built.node,
                }),
                Some(PendingKey::Merge) => {
                    let mergeable = match &built.node.value {
                        Value::Object(_) => true,
                        Value::Array(items) => {
                            items.iter().all(|i| matches!(i.value, Value::Object(_)))
                        }
                        _ => false,
                    };
                    if !mergeable {
                        return Err(ParseError::new(
                            ParseErrorKind::Yaml {
                                message: "the merge key `<<` needs a mapping, an alias of one, \
                                          or a sequence of them"
                                    .to_owned(),
                            },
                            at,
                        ));
                    }
                    map.merges.push(built.node);
                }
                None => return Err(ParseError::new(ParseErrorKind::ComplexKey, at)),
            },
        }
        Ok(())
    }

    fn store_anchor(&mut self, id: usize, built: &Built, at: Span) -> Result<(), ParseError> {
        let text = self.text;
        if !*self
            .has_alias
            .get_or_insert_with(|| text.as_bytes().contains(&b'*'))
        {
            return Ok(());
        }
        self.anchor_copies = self.anchor_copies.saturating_add(built.size);
        if self.anchor_copies > self.anchor_budget {
            return Err(ParseError::new(
                ParseErrorKind::AliasExpansion {
                    limit: self.limits.max_alias_nodes,
                },
                at,
            ));
        }
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, || None);
        }
        if let Some(slot) = self.anchors.get_mut(id) {
            *slot = Some(Anchored {
                node: built.node.clone(),
                size: built.size,
                height: built.height,
            });
        }
        Ok(())
    }

    /// The tag span (if any) and content span of a scalar event.
    fn scalar_span(&self, ev: Span, style: ScalarStyle, has_props: bool) -> (Option<Span>, Span) {
        let (tag, start) = if has_props {
            self.scan_props(ev.start(), ev.end())
        } else {
            (None, ev.start())
        };
        match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                // saphyr's span starts at the content; ours starts at the `|`/`>`.
                let start = if has_props {
                    start
                } else {
                    self.block_indicator(self.last_end, ev.start())
                };
                (tag, Span::new(start, self.block_end(start, ev.end())))
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                // saphyr's span runs on over trailing blanks and comments.
                let end = self.closing_quote(start, ev.end(), style == ScalarStyle::SingleQuoted);
                (tag, Span::new(start, end))
            }
            _ => {
                if !has_props && ev.is_empty() && self.bytes.get(ev.start()) == Some(&b':') {
                    // `Key:` with no value: an empty span just after the colon.
                    let at = ev.start() + 1;
                    return (None, Span::new(at, at));
                }
                (tag, Span::new(start, ev.end().max(start)))
            }
        }
    }

    /// Just past the closing quote of the quoted scalar opening at `start`.
    fn closing_quote(&self, start: usize, limit: usize, single: bool) -> usize {
        let mut i = start + 1;
        while i < limit {
            match self.bytes.get(i) {
                Some(b'\'') if single => {
                    if self.bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                Some(b'"') if !single => return i + 1,
                Some(b'\\') if !single => i += 2,
                _ => i += 1,
            }
        }
        limit.max(start)
    }

    /// Skips anchors, tags, blanks and comments from `from`; returns the first tag's span
    /// and where the content starts.
    fn scan_props(&self, from: usize, limit: usize) -> (Option<Span>, usize) {
        let mut i = from;
        let mut tag = None;
        while i < limit {
            match self.bytes.get(i) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
                Some(b'#') => i = self.line_end(i, limit),
                Some(&c @ (b'!' | b'&')) => {
                    let s = i;
                    if c == b'!' && self.bytes.get(i + 1) == Some(&b'<') {
                        while i < limit && self.bytes.get(i) != Some(&b'>') {
                            i += 1;
                        }
                        i = (i + 1).min(limit);
                    } else {
                        while i < limit && !is_token_end(self.bytes.get(i)) {
                            i += 1;
                        }
                    }
                    if c == b'!' && tag.is_none() {
                        tag = Some(Span::new(s, i));
                    }
                }
                _ => break,
            }
        }
        (tag, i.min(limit))
    }

    /// The first `|` or `>` outside comments in `from..to`, else `to`.
    fn block_indicator(&self, from: usize, to: usize) -> usize {
        let mut i = from;
        while i < to {
            match self.bytes.get(i) {
                Some(b'|' | b'>') => return i,
                Some(b'#') => i = self.line_end(i, to),
                _ => i += 1,
            }
        }
        to
    }

    /// End of a block scalar starting at `start` (its indicator) whose event ends at `end`:
    /// the end of its last non-blank line, or of its header when it has no content.
    fn block_end(&self, start: usize, end: usize) -> usize {
        let trim_from = |floor: usize| {
            let mut e = end.max(floor);
            while e > floor && matches!(self.bytes.get(e - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                e -= 1;
            }
            e
        };
        if !matches!(self.bytes.get(start), Some(b'|' | b'>')) {
            return trim_from(start);
        }
        let mut header = start + 1;
        while matches!(self.bytes.get(header), Some(b'-' | b'+' | b'0'..=b'9')) {
            header += 1;
        }
        let line_end = self.line_end(header, end.max(header));
        let e = trim_from(line_end);
        if e <= line_end {
            header
        } else {
            e
        }
    }

    /// The first line break at or after `i`, or `limit`.
    fn line_end(&self, mut i: usize, limit: usize) -> usize {
        while i < limit && !matches!(self.bytes.get(i), Some(b'\n' | b'\r') | None) {
            i += 1;
        }
        i
    }

    /// A block sequence's start: saphyr places an indentless sequence after its `- `.
    fn dash_at_or_before(&self, at: usize) -> usize {
        if self.bytes.get(at) == Some(&b'-') {
            return at;
        }
        let mut i = at;
        while i > 0 && matches!(self.bytes.get(i - 1), Some(b' ' | b'\t')) {
            i -= 1;
        }
        if i > 0 && self.bytes.get(i - 1) == Some(&b'-') {
            i - 1
        } else {
            at
        }
    }

    /// The character at `at` (empty at the end of input or on a line break).
    fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| !matches!(c, '\n' | '\r'))
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn scan_error(&mut self, error: &ScanError) -> ParseError {
        let at = self.offsets.byte(error.marker().index());
        let message = error.info();
        if message == UNKNOWN_ANCHOR && self.bytes.get(at) == Some(&b'*') {
            let mut end = at + 1;
            while !is_token_end(self.bytes.get(end)) {
                end += 1;
            }
            let name = self.text.get(at + 1..end).unwrap_or("").to_owned();
            return ParseError::new(ParseErrorKind::UnknownAlias { name }, Span::new(at, end));
        }
        if message == FLOW_LIMIT_MESSAGE {
            // The document is at least 256 deep here, past any lower limit: name
            // the user's limit, as JSON would.
            return ParseError::new(
                ParseErrorKind::TooDeep {
                    limit: self.limits.max_depth.min(SAPHYR_FLOW_LIMIT),
                },
                self.char_span(at),
            );
        }
        let span = if message.contains("tab") {
            self.tabs_near(at).unwrap_or_else(|| self.char_span(at))
        } else {
            self.char_span(at)
        };
        ParseError::new(
            ParseErrorKind::Yaml {
                message: message.to_owned(),
            },
            span,
        )
    }
}

fn invalid(value: &str, what: &str, span: Span) -> ParseError {
    ParseError::new(
        ParseErrorKind::Yaml {
            message: format!("{value:?} is not a valid {what}"),
        },
        span,
    )
}

impl Builder<'_> {
    /// The run of tabs a tab error is about: saphyr points after indentation tabs, or at
    /// the start of a plain scalar whose continuation line holds them.
    fn tabs_near(&self, at: usize) -> Option<Span> {
        let is_tab = |i: usize| self.bytes.get(i) == Some(&b'\t');
        let mut i = at;
        while i > 0 && matches!(self.bytes.get(i - 1), Some(b' ' | b'\t')) {
            i -= 1;
        }
        let mut first = (i..at).find(|&j| is_tab(j));
        if first.is_none() {
            // Forward, at most onto the next line.
            let mut breaks = 0;
            let mut j = at;
            while breaks < 2 {
                match self.bytes.get(j) {
                    None => break,
                    Some(b'\t') => {
                        first = Some(j);
                        break;
                    }
                    Some(b'\n') => breaks += 1,
                    _ => {}
                }
                j += 1;
            }
        }
        let first = first?;
        let mut end = first;
        while is_tab(end) {
            end += 1;
        }
        Some(Span::new(first, end))
    }
}

/// Whether a byte ends an anchor, alias or tag token.
fn is_token_end(b: Option<&u8>) -> bool {
    matches!(
        b,
        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}')
    )
}

/// Counts further documents with content (stopping at an error or excessive nesting).
fn more_documents(parser: &mut Parser<'_, StrInput<'_>>, max_depth: usize) -> usize {
    let mut count = 0;
    let mut depth = 0usize;
    let mut fresh = false;
    while let Some(Ok((event, _))) = parser.next_event() {
        let content = match &event {
            Event::Scalar(v, style, anchor, tag) => {
                !(v.is_empty() && *style == ScalarStyle::Plain && *anchor == 0 && tag.is_none())
            }
            Event::Alias(_) | Event::SequenceStart(..) | Event::MappingStart(..) => true,
            _ => false,
        };
        if fresh && content {
            count += 1;
        }
        fresh = matches!(event, Event::DocumentStart(_)) || (fresh && !content);
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > max_depth {
                    break;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::StreamEnd => break,
            _ => {}
        }
    }
    count
}

/// A scalar's value: quoted and block scalars are strings; plain ones are resolved.
fn resolve(value: Cow<'_, str>, plain: bool) -> Value {
    if !plain {
        return Value::String(value.into_owned());
    }
    let Some(&first) = value.as_bytes().first() else {
        return Value::Null;
    };
    match first {
        b'~' | b'n' | b'N' if is_null(&value) => return Value::Null,
        _ => {}
    }
    match first {
        b't' | b'T' | b'f' | b'F' | b'y' | b'Y' | b'n' | b'N' | b'o' | b'O' => {
            if let Some(b) = parse_bool(&value) {
                return Value::Bool(b);
            }
        }
        b'0'..=b'9' | b'+' | b'-' | b'.' => {
            if let Some((v, integer)) = parse_number(&value) {
                return Value::Number(Number {
                    raw: value.into_owned(),
                    value: v,
                    integer,
                });
            }
        }
        _ => {}
    }
    Value::String(value.into_owned())
}

fn is_null(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL")
}

/// YAML 1.1 booleans, in any case.
fn parse_bool(s: &str) -> Option<bool> {
    if s.len() > 5 {
        return None;
    }
    let is = |word: &str| s.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || is("on") {
        Some(true)
    } else if is("false") || is("no") || is("off") {
        Some(false)
    } else {
        None
    }
}

/// A numeric spelling's value and, for integers that fit, the `i64`. `None` when the
/// spelling is not a number or its value cannot be represented.
fn parse_number(s: &str) -> Option<(f64, Option<i64>)> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(digits) = body.strip_prefix(prefix) {
            return parse_radix(digits, radix, negative);
        }
    }
    match body {
        ".inf" | ".Inf" | ".INF" => {
            let inf = if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Some((inf, None));
        }
        ".nan" | ".NaN" | ".NAN" if body.len() == s.len() => return Some((f64::NAN, None)),
        _ => {}
    }
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return Some((i as f64, Some(i)));
        }
    } else if !is_decimal_float(body) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some((v, None))
}

fn parse_radix(digits: &str, radix: u32, negative: bool) -> Option<(f64, Option<i64>)> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let wide = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    let value = if negative {
        -(magnitude as f64)
    } else {
        magnitude as f64
    };
    Some((value, i64::try_from(wide).ok()))
}

/// `digits [. digits] [e [sign] digits]` with at least one mantissa digit.
fn is_decimal_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn parse_ok(text: &str) -> Node {
        match parse(text, &Limits::default()) {
            Ok(node) => node,
            Err(e) => panic!("parse failed: {e} at {:?}", e.span),
        }
    }

    fn parse_err(text: &str) -> ParseError {
        match parse(text, &Limits::default()) {
            Ok(node) => panic!("expected an error, got {}", node.to_json()),
            Err(e) => e,
        }
    }

    fn at(text: &str, span: Span) -> &str {
        text.get(span.start()..span.end())
            .unwrap_or_else(|| panic!("span {span:?} is not on character boundaries"))
    }

    fn path<'n>(node: &'n Node, keys: &[&str]) -> &'n Node {
        keys.iter().fold(node, |n, k| match k.parse::<usize>() {
            Ok(i) => n
                .as_array()
                .and_then(|a| a.get(i))
                .unwrap_or_else(|| panic!("no item {i}")),
            Err(_) => n
                .get(k)
                .unwrap_or_else(|| panic!("no key {k} in {}", n.to_json())),
        })
    }

    fn entry<'n>(node: &'n Node, keys: &[&str], key: &str) -> &'n Entry {
        path(node, keys).entry(key).expect("entry")
    }

    /// Every node and key span lies inside the text on character boundaries (iterative walk).
    fn assert_spans_valid(text: &str, root: &Node) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            at(text, node.span);
            match &node.value {
                Value::Array(items) => stack.extend(items),
                Value::Object(entries) => {
                    for e in entries {
                        at(text, e.key_span);
                        stack.push(&e.value);
                    }
                }
                _ => {}
            }
        }
    }

    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .expect("spawn")
            .join()
            .expect("no panic or overflow on a 2 MiB stack");
    }

    const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: MyBot
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      BotLocales:
        - LocaleId: en_US
          SlotTypes:
            - Name: CardNumber
              Values: [a, b]
        - Name: Other
";

    #[test]
    fn block_mapping_and_sequence_spans() {
        let t = TEMPLATE;
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        assert_eq!(root.span.start(), 0);
        assert!(at(t, root.span).ends_with("- Name: Other"));
        let res = root.entry("Resources").unwrap();
        assert_eq!(at(t, res.key_span), "Resources");
        assert!(at(t, res.value.span).starts_with("Bot:\n"));
        let version = root.entry("AWSTemplateFormatVersion").unwrap();
        assert_eq!(at(t, version.value.span), "'2010-09-09'");
        assert_eq!(version.value.as_str(), Some("2010-09-09"));

        let props = path(&root, &["Resources", "Bot", "Properties"]);
        assert!(at(t, props.span).starts_with("Name: MyBot"));
        let name = props.entry("Name").unwrap();
        assert_eq!(
            (at(t, name.key_span), at(t, name.value.span)),
            ("Name", "MyBot")
        );
        let cd = entry(
            &root,
            &["Resources", "Bot", "Properties", "DataPrivacy"],
            "ChildDirected",
        );
        assert_eq!(at(t, cd.key_span), "ChildDirected");
        assert_eq!(
            (cd.value.as_bool(), at(t, cd.value.span)),
            (Some(false), "false")
        );
        let ttl = props.get("IdleSessionTTLInSeconds").unwrap();
        assert_eq!((ttl.as_f64(), at(t, ttl.span)), (Some(300.0), "300"));

        let locales = props.get("BotLocales").unwrap();
        assert!(at(t, locales.span).starts_with("- LocaleId: en_US"));
        assert!(at(t, locales.span).ends_with("- Name: Other"));
        let first = path(locales, &["0"]);
        assert!(at(t, first.span).starts_with("LocaleId: en_US"));
        assert!(at(t, first.span).ends_with("Values: [a, b]"));
        let slot = path(first, &["SlotTypes", "0"]);
        assert!(at(t, slot.span).starts_with("Name: CardNumber"));
        let values = slot.get("Values").unwrap();
        assert_eq!(at(t, values.span), "[a, b]");
        assert_eq!(at(t, path(values, &["1"]).span), "b");
        assert_eq!(at(t, path(locales, &["1"]).span), "Name: Other");
    }

    #[test]
    fn indentless_and_nested_sequences_start_at_their_dash() {
        let t = "a:\n- x\n- - y\n  - z\nb:\n-\n- |\n  t\nc: !If\n- 3\n";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        let a = root.get("a").unwrap();
        assert_eq!(at(t, a.span), "- x\n- - y\n  - z");
        assert_eq!(at(t, path(a, &["1"]).span), "- y\n  - z");
        let b = root.get("b").unwrap();
        assert!(path(b, &["0"]).is_null());
        assert_eq!(at(t, b.span), "-\n- |\n  t");
        assert_eq!(at(t, path(b, &["1"]).span), "|\n  t");
        let c = root.get("c").unwrap();
        assert_eq!(at(t, c.span), "!If\n- 3");
        assert_eq!(at(t, path(c, &["Fn::If"]).span), "- 3");
    }

    #[test]
    fn flow_mapping_spans_and_tags() {
        let t = "X: {Key: !Ref X, B: [1, 2]}\n";
        let root = parse_ok(t);
        let x = root.get("X").unwrap();
        assert_eq!(at(t, x.span), "{Key: !Ref X, B: [1, 2]}");
        let key = x.entry("Key").unwrap();
        assert_eq!(at(t, key.key_span), "Key");
        assert_eq!(at(t, key.value.span), "!Ref X");
        let r = key.value.entry("Ref").unwrap();
        assert_eq!((at(t, r.key_span), at(t, r.value.span)), ("!Ref", "X"));
        assert_eq!(r.value.as_str(), Some("X"));
        let b = x.get("B").unwrap();
        assert_eq!(at(t, b.span), "[1, 2]");
        assert_eq!(at(t, path(b, &["1"]).span), "2");
        assert_eq!(b.to_json(), serde_json::json!([1, 2]));
        // A single-pair mapping inside a flow sequence spans key to value.
        let t = "[a: b, c]";
        let root = parse_ok(t);
        assert_eq!(at(t, path(&root, &["0"]).span), "a: b");
        assert_eq!(root.to_json(), serde_json::json!([{"a": "b"}, "c"]));
    }

    #[test]
    fn short_form_tags_become_long_forms() {
        let t = "\
A: !Ref Bucket
B: !GetAtt Bot.Arn
C: !GetAtt [Bot, Arn]
D: !Condition IsProd
E: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}'
F: !Join ['', [a, !Ref B]]
G: !If
  - IsProd
  - !GetAtt Role.Arn.Deep
  - !Ref AWS::NoValue
H: !FindInMap [M, !Ref AWS::Region, K]
I: !Base64
  Fn::Sub: x
J: !Sub
K: !GetAtt NoDot
";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        let json = root.to_json();
        assert_eq!(json["A"], serde_json::json!({"Ref": "Bucket"}));
        assert_eq!(json["B"], serde_json::json!({"Fn::GetAtt": ["Bot", "Arn"]}));
        assert_eq!(json["C"], serde_json::json!({"Fn::GetAtt": ["Bot", "Arn"]}));
        assert_eq!(json["D"], serde_json::json!({"Condition": "IsProd"}));
        assert_eq!(
            json["E"],
            serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"})
        );
        assert_eq!(
            json["F"],
            serde_json::json!({"Fn::Join": ["", ["a", {"Ref": "B"}]]})
        );
        assert_eq!(
            json["G"],
            serde_json::json!({"Fn::If": ["IsProd", {"Fn::GetAtt": ["Role", "Arn.Deep"]}, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            json["H"],
            serde_json::json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "K"]})
        );
        assert_eq!(
            json["I"],
            serde_json::json!({"Fn::Base64": {"Fn::Sub": "x"}})
        );
        assert_eq!(json["J"], serde_json::json!({"Fn::Sub": null}));
        assert_eq!(json["K"], serde_json::json!({"Fn::GetAtt": "NoDot"}));

        let b = root.get("B").unwrap();
        assert_eq!(at(t, b.span), "!GetAtt Bot.Arn");
        let getatt = b.entry("Fn::GetAtt").unwrap();
        assert_eq!(at(t, getatt.key_span), "!GetAtt");
        assert_eq!(at(t, getatt.value.span), "Bot.Arn");
        for item in getatt.value.as_array().unwrap() {
            assert_eq!(at(t, item.span), "Bot.Arn");
        }
        let c = root.get("C").unwrap();
        assert_eq!(at(t, c.span), "!GetAtt [Bot, Arn]");
        assert_eq!(at(t, c.get("Fn::GetAtt").unwrap().span), "[Bot, Arn]");
        let g = root.get("G").unwrap();
        assert!(at(t, g.span).starts_with("!If\n  - IsProd"));
        assert!(at(t, g.span).ends_with("!Ref AWS::NoValue"));
        assert_eq!(at(t, g.entry("Fn::If").unwrap().key_span), "!If");
        let i = root.get("I").unwrap();
        assert_eq!(at(t, i.span), "!Base64\n  Fn::Sub: x");
        assert_eq!(at(t, i.get("Fn::Base64").unwrap().span), "Fn::Sub: x");
        let j = root.get("J").unwrap();
        assert_eq!(at(t, j.span), "!Sub");
        let e = root.get("E").unwrap().get("Fn::Sub").unwrap();
        assert_eq!(at(t, e.span), "'arn:${AWS::Partition}:s3:::${Bucket}'");
    }

    #[test]
    fn tags_with_anchors_and_block_scalars() {
        let t = "a: &x !Ref Foo\nb: *x\nc: !Sub |\n  line ${X}\n  two\nd: !Ref &y Bar\n";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        let a = root.get("a").unwrap();
        assert_eq!(at(t, a.span), "!Ref Foo");
        assert_eq!(root.get("b").unwrap(), a);
        let c = root.get("c").unwrap();
        assert_eq!(at(t, c.span), "!Sub |\n  line ${X}\n  two");
        let sub = c.get("Fn::Sub").unwrap();
        assert_eq!(at(t, sub.span), "|\n  line ${X}\n  two");
        assert_eq!(sub.as_str(), Some("line ${X}\ntwo\n"));
        let d = root.get("d").unwrap();
        assert_eq!(at(t, d.span), "!Ref &y Bar");
        assert_eq!(at(t, d.get("Ref").unwrap().span), "Bar");
    }

    #[test]
    fn core_and_non_specific_tags_are_honoured() {
        let t = "\
a: !!str 123
b: !!int \"42\"
c: ! 12
d: !!bool 'YES'
e: !!float 1
f: !!null ''
g: !<tag:yaml.org,2002:str> true
h: !!binary aGVsbG8=
i: !!map {x: 1}
j: !!seq [1]
k: !<!Ref> Verbatim
";
        let root = parse_ok(t);
        let json = root.to_json();
        assert_eq!(json["a"], "123");
        assert_eq!(json["b"], 42);
        assert_eq!(json["c"], "12");
        assert_eq!(json["d"], true);
        assert_eq!(json["e"], 1.0);
        assert!(json["f"].is_null());
        assert_eq!(json["g"], "true");
        assert_eq!(json["h"], "aGVsbG8=");
        assert_eq!(json["i"], serde_json::json!({"x": 1}));
        assert_eq!(json["j"], serde_json::json!([1]));
        assert_eq!(json["k"], serde_json::json!({"Ref": "Verbatim"}));
        assert_eq!(at(t, root.get("a").unwrap().span), "123");

        let e = parse_err("a: !!int abc\n");
        assert_eq!(e.kind, ParseErrorKind::InvalidNumber { raw: "abc".into() });
        let e = parse_err("a: !!str [1]\n");
        assert!(matches!(e.kind, ParseErrorKind::Yaml { .. }));
        assert_eq!(e.span, Span::new(3, 8));
    }

    #[test]
    fn unsupported_tag_handles_are_errors() {
        let t = "%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n";
        let e = parse_err(t);
        let ParseErrorKind::Yaml { message } = &e.kind else {
            panic!("{e:?}")
        };
        assert!(message.contains("unsupported tag"), "{message}");
        assert_eq!(at(t, e.span), "!e!thing");
    }

    #[test]
    fn plain_scalars_resolve_as_yaml_1_1() {
        let t = "\
b: [true, True, TRUE, tRuE, yes, Yes, YES, on, On, ON, false, False, no, NO, off, Off, oFF]
s: [y, n, Y, N, yess, onn, 'true', \"no\", truee]
z: [~, null, Null, NULL, !!null , nULL]
i: [0, -1, +7, 0x1F, 0o17, 0b101, -0x10, 0755, 9223372036854775807]
f: [1.5, 1e3, -2.5E-3, .5, 1., .inf, -.Inf, +.INF, .nan, 99999999999999999999]
d: [2012-10-17, 1.2.3, 1e999999, 0x, 1_000, '1', 1:30, 0xFFFFFFFFFFFFFFFFFF, -.nan, .NAn]
k: >-
  123
";
        let root = parse_ok(t);
        for node in root.get("b").unwrap().as_array().unwrap() {
            assert!(
                node.as_bool().is_some(),
                "{} is a boolean",
                at(t, node.span)
            );
        }
        let bools: Vec<bool> = root
            .get("b")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_bool().unwrap())
            .collect();
        assert_eq!(bools.iter().filter(|&&b| b).count(), 10);
        for node in root.get("s").unwrap().as_array().unwrap() {
            assert!(node.as_str().is_some(), "{} is a string", at(t, node.span));
        }
        let z = root.get("z").unwrap().as_array().unwrap();
        assert!(z[..5].iter().all(Node::is_null));
        assert_eq!(z[5].as_str(), Some("nULL"));
        let ints: Vec<Option<i64>> = root
            .get("i")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| match &n.value {
                Value::Number(n) => n.integer,
                _ => panic!("{n} is a number"),
            })
            .collect();
        assert_eq!(
            ints,
            [0, -1, 7, 31, 15, 5, -16, 755, i64::MAX].map(Some).to_vec()
        );
        let Value::Number(hex) = &path(&root, &["i", "3"]).value else {
            panic!()
        };
        assert_eq!(hex.raw, "0x1F");
        let floats: Vec<f64> = root
            .get("f")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_f64().unwrap_or_else(|| panic!("{n} is a number")))
            .collect();
        assert_eq!(&floats[..5], &[1.5, 1000.0, -0.0025, 0.5, 1.0]);
        assert_eq!(floats[5], f64::INFINITY);
        assert_eq!(floats[6], f64::NEG_INFINITY);
        assert_eq!(floats[7], f64::INFINITY);
        assert!(floats[8].is_nan());
        assert_eq!(floats[9], 1e20);
        let Value::Number(big) = &path(&root, &["f", "9"]).value else {
            panic!()
        };
        assert_eq!(
            (big.integer, big.raw.as_str()),
            (None, "99999999999999999999")
        );
        for node in root.get("d").unwrap().as_array().unwrap() {
            assert!(
                node.as_str().is_some(),
                "{} stays a string",
                at(t, node.span)
            );
        }
        assert_eq!(path(&root, &["d", "0"]).as_str(), Some("2012-10-17"));
        assert_eq!(path(&root, &["d", "2"]).as_str(), Some("1e999999"));
        assert_eq!(root.get("k").unwrap().as_str(), Some("123"));
    }

    #[test]
    fn scalar_keys_are_spelled_as_written() {
        let t = "1: a\ntrue: b\n~: c\n0x10: d\n'quoted': e\n? explicit\n: f\n";
        let root = parse_ok(t);
        let keys: Vec<&str> = root
            .as_object()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["1", "true", "~", "0x10", "quoted", "explicit"]);
        assert_eq!(at(t, root.entry("quoted").unwrap().key_span), "'quoted'");
        assert_eq!(at(t, root.entry("explicit").unwrap().key_span), "explicit");
    }

    #[test]
    fn complex_keys_are_rejected() {
        let t = "a: 1\n? [x]\n: y\n";
        let e = parse_err(t);
        assert_eq!(e.kind, ParseErrorKind::ComplexKey);
        assert_eq!(at(t, e.span), "[");
        let e = parse_err("{a: 1, {b: 2}: c}");
        assert_eq!(e.kind, ParseErrorKind::ComplexKey);
        assert_eq!(e.span, Span::new(7, 8));
        let e = parse_err("!Ref x: y\n");
        assert_eq!(e.kind, ParseErrorKind::ComplexKey);
    }

    #[test]
    fn duplicate_key_is_reported_at_the_second_key() {
        let t = "Resources:\n  Bot:\n    Type: A\n  Other: {}\n  Bot:\n    Type: B\n";
        let e = parse_err(t);
        let second = t.rfind("Bot").unwrap();
        assert_eq!(
            e.kind,
            ParseErrorKind::DuplicateKey {
                key: "Bot".into(),
                first_start: t.find("Bot").unwrap() as u32
            }
        );
        assert_eq!(e.span, Span::new(second, second + 3));
        // Large mappings use a hash index.
        let mut big: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        big.push_str("k42: again\n");
        let e = parse_err(&big);
        let first = big.find("k42").unwrap() as u32;
        assert_eq!(
            e.kind,
            ParseErrorKind::DuplicateKey {
                key: "k42".into(),
                first_start: first
            }
        );
        assert_eq!(at(&big, e.span), "k42");
        assert_eq!(e.span.start(), big.rfind("k42").unwrap());
        // Keys that differ only in quoting are the same key.
        let e = parse_err("{a: 1, 'a': 2}");
        assert_eq!(e.span, Span::new(7, 10));
    }

    #[test]
    fn merge_keys_fill_missing_keys() {
        let t = "\
base: &base
  A: 1
  B: 2
more: &more {C: 3, A: 9}
one:
  <<: *base
  B: 20
list:
  B: 0
  <<: [*base, *more]
inline:
  <<: {X: 1}
  <<: *more
";
        let root = parse_ok(t);
        let json = root.to_json();
        assert_eq!(json["one"], serde_json::json!({"B": 20, "A": 1}));
        assert_eq!(json["list"], serde_json::json!({"B": 0, "A": 1, "C": 3}));
        assert_eq!(json["inline"], serde_json::json!({"X": 1, "C": 3, "A": 9}));
        let a = root.get("one").unwrap().entry("A").unwrap();
        assert_eq!(a.key_span.start(), t.find("A: 1").unwrap());
        let e = parse_err("a:\n  <<: 1\n");
        assert!(matches!(e.kind, ParseErrorKind::Yaml { .. }));
        assert_eq!(e.span, Span::new(9, 10));
        // A quoted `<<` is an ordinary key.
        let root = parse_ok("'<<': 1\n");
        assert_eq!(root.to_json(), serde_json::json!({"<<": 1}));
    }

    #[test]
    fn aliases_clone_anchored_nodes() {
        let t = "a: &x\n  k: [1, 2]\nb: *x\nc: &s str\nd: [*s, *x]\n*s : key\n";
        let root = parse_ok(t);
        let json = root.to_json();
        assert_eq!(json["b"], serde_json::json!({"k": [1, 2]}));
        assert_eq!(json["d"], serde_json::json!(["str", {"k": [1, 2]}]));
        assert_eq!(json["str"], "key");
        // The clone keeps the anchored node's spans; the containing sequence spans the aliases.
        assert_eq!(root.get("b").unwrap().span, root.get("a").unwrap().span);
        assert_eq!(at(t, root.get("d").unwrap().span), "[*s, *x]");
        assert_eq!(at(t, root.entry("str").unwrap().key_span), "*s");
    }

    #[test]
    fn unknown_and_recursive_aliases() {
        let t = "a: 1\nb: *nope\n";
        let e = parse_err(t);
        assert_eq!(
            e.kind,
            ParseErrorKind::UnknownAlias {
                name: "nope".into()
            }
        );
        assert_eq!(at(t, e.span), "*nope");
        let t = "a: &x [1, *x]\n";
        let e = parse_err(t);
        assert!(matches!(e.kind, ParseErrorKind::Yaml { .. }), "{e:?}");
        assert_eq!(at(t, e.span), "*x");
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut t = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        for pair in names.windows(2) {
            let refs = vec![format!("*{}", pair[0]); 10].join(", ");
            t.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
        }
        let started = Instant::now();
        let e = parse_err(&t);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(e.kind, ParseErrorKind::AliasExpansion { limit: 100_000 });
        assert!(at(&t, e.span).starts_with('*'));
        // A small limit trips on the first alias that crosses it.
        let limits = Limits {
            max_alias_nodes: 25,
            ..Limits::default()
        };
        let e = parse(
            "a: &a [1, 2, 3]\nb: [*a, *a, *a, *a, *a, *a, *a]\n",
            &limits,
        )
        .unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::AliasExpansion { limit: 25 });
        assert_eq!(e.span, Span::new(44, 46)); // the seventh alias: 7 * 4 = 28 > 25
    }

    #[test]
    fn nested_anchor_copies_are_bounded() {
        // Each level is anchored, so remembering them copies depth × nodes; the copy
        // budget (alias limit + text length) stops it long before memory is at risk.
        let depth = 200;
        let mut t = String::new();
        for i in 0..depth {
            t.push_str(&format!("&a{i} ["));
        }
        t.push_str(&vec!["x"; 3000].join(","));
        t.push_str(&"]".repeat(depth));
        t.push_str("\n# *a0\n");
        let limits = Limits {
            max_alias_nodes: 1000,
            ..Limits::default()
        };
        let e = parse(&t, &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::AliasExpansion { limit: 1000 });
    }

    #[test]
    fn alias_depth_counts() {
        let limits = Limits {
            max_depth: 4,
            ..Limits::default()
        };
        let ok = "a: &x [[1]]\nb: [*x]\n"; // b: depth 1 + 1 + 2 = 4
        assert!(parse(ok, &limits).is_ok());
        let t = "a: &x [[1]]\nb: [[*x]]\n";
        let e = parse(t, &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 4 });
        assert_eq!(at(t, e.span), "*x");
    }

    #[test]
    fn depth_limit_is_exact() {
        let limits = Limits::default();
        let ok = format!("{}x\n", "- ".repeat(255));
        assert_eq!(parse(&ok, &limits).map(|n| n.span), Ok(Span::new(0, 511)));
        let deep = format!("{}x\n", "- ".repeat(256));
        let e = parse(&deep, &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 255 });
        assert_eq!(e.span, Span::new(510, 511));
        // saphyr allows 255 levels of flow nesting, the default limit.
        let ok = format!("{}{}", "[".repeat(255), "]".repeat(255));
        assert!(parse(&ok, &limits).is_ok());
        let deep = format!("{}{}", "[".repeat(256), "]".repeat(256));
        let e = parse(&deep, &limits).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 255 });
        assert_eq!(e.span, Span::new(255, 256));
        // Block and flow nesting together stop at the same level, with the same error.
        let ok = format!("k: {}{}\n", "[".repeat(254), "]".repeat(254));
        assert!(parse(&ok, &limits).is_ok());
        let deep = format!("k: {}{}\n", "[".repeat(255), "]".repeat(255));
        let e = parse(&deep, &limits).unwrap_err();
        assert_eq!(
            (e.kind, e.span),
            (ParseErrorKind::TooDeep { limit: 255 }, Span::new(257, 258))
        );
        let limits = Limits {
            max_depth: 10,
            ..Limits::default()
        };
        let deep = format!("{}{}", "[".repeat(11), "]".repeat(11));
        let e = parse(&deep, &limits).unwrap_err();
        assert_eq!(
            (e.kind, e.span),
            (ParseErrorKind::TooDeep { limit: 10 }, Span::new(10, 11))
        );
        // Past saphyr's flow cap the message still names the user's limit.
        let e = parse(&"[".repeat(300), &limits).unwrap_err();
        assert_eq!(
            (e.kind, e.span),
            (ParseErrorKind::TooDeep { limit: 10 }, Span::new(255, 256))
        );
        // A short-form tag is a level of its own.
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(parse("a: !Ref x\n", &limits).is_ok());
        assert!(parse("a: [!Ref x]\n", &limits).is_err());
        let t = "a: !GetAtt A.B\n";
        assert!(parse(t, &limits).is_err()); // mapping, wrapper, array
        let e = parse("a: !If [x]\n", &limits).unwrap_err();
        assert_eq!(
            (e.kind, e.span),
            (ParseErrorKind::TooDeep { limit: 2 }, Span::new(7, 8))
        );
        let limits = Limits {
            max_depth: 1,
            ..Limits::default()
        };
        let e = parse("a: !If [x]\n", &limits).unwrap_err();
        assert_eq!(e.span, Span::new(3, 6)); // the wrapper itself is too deep
    }

    #[test]
    fn deep_flow_nesting_is_too_deep_not_a_crash() {
        on_small_stack(|| {
            for text in [
                "[".repeat(50_000),
                format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
                "{a: ".repeat(50_000),
                format!("k: {}", "[{a: ".repeat(25_000)),
            ] {
                let e = parse(&text, &Limits::default()).unwrap_err();
                assert!(matches!(e.kind, ParseErrorKind::TooDeep { .. }), "{e:?}");
                assert!(e.span.start() < 2000);
            }
        });
    }

    #[test]
    fn deep_block_nesting_is_too_deep_not_a_crash() {
        on_small_stack(|| {
            let seqs = format!("{}x\n", "- ".repeat(50_000));
            let e = parse(&seqs, &Limits::default()).unwrap_err();
            assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 255 });
            assert_eq!(e.span, Span::new(510, 511));
            let mut maps = String::new();
            for i in 0..300 {
                maps.push_str(&" ".repeat(i));
                maps.push_str("k:\n");
            }
            let e = parse(&maps, &Limits::default()).unwrap_err();
            assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: 255 });
            assert_eq!(e.span.start(), maps.match_indices("k:").nth(255).unwrap().0);
        });
    }

    #[test]
    fn saphyr_survives_very_deep_flow_nesting() {
        // saphyr's flow level is a `u8`: it stops with an error, never overflowing.
        on_small_stack(|| {
            let text = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
            let error = Parser::new_from_str(&text)
                .find_map(Result::err)
                .expect("saphyr rejects 50,000 levels");
            assert_eq!(error.info(), FLOW_LIMIT_MESSAGE);
            assert_eq!(error.marker().index(), SAPHYR_FLOW_LIMIT);
            // Block nesting has no such cap in saphyr; its state lives on the heap.
            let text = format!("{}x\n", "- ".repeat(50_000));
            assert!(Parser::new_from_str(&text).all(|e| e.is_ok()));
        });
    }

    #[test]
    fn multibyte_text_gives_byte_spans() {
        let t = "# héllo ключ 🎉\nKey: значение\nÉtiquette:\n  - \"é\\u00e9\" # ç\n  - 'x' \nNext: [ü, {ö: 1}]\n";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        let key = root.entry("Key").unwrap();
        assert_eq!(key.key_span.start(), t.find("Key").unwrap());
        assert_eq!(
            (at(t, key.key_span), at(t, key.value.span)),
            ("Key", "значение")
        );
        let et = root.entry("Étiquette").unwrap();
        assert_eq!(at(t, et.key_span), "Étiquette");
        assert_eq!(at(t, et.value.span), "- \"é\\u00e9\" # ç\n  - 'x'");
        assert_eq!(path(&et.value, &["0"]).as_str(), Some("éé"));
        let next = root.get("Next").unwrap();
        assert_eq!(at(t, next.span), "[ü, {ö: 1}]");
        assert_eq!(at(t, path(next, &["1"]).entry("ö").unwrap().key_span), "ö");
        // Errors after multi-byte text point at the right byte.
        let t = "é: 1\nключ: [1, 2\n";
        let e = parse_err(t);
        assert!(matches!(e.kind, ParseErrorKind::Yaml { .. }));
        assert!(e.span.start() >= t.find('[').unwrap());
        at(t, e.span);
    }

    #[test]
    fn offsets_move_both_ways() {
        let text = "aé🎉bcdefghijklmnopqrstuvwxyzé";
        let mut offsets = Offsets::new(text);
        let expected: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        for (i, &b) in expected.iter().enumerate() {
            assert_eq!(offsets.byte(i), b);
        }
        for (i, &b) in expected.iter().enumerate().rev() {
            assert_eq!(offsets.byte(i), b);
        }
        assert_eq!(offsets.byte(1000), text.len());
        assert_eq!(offsets.byte(3), expected[3]);
        assert_eq!(offsets.byte(25), expected[25]);
    }

    #[test]
    fn crlf_spans_are_exact() {
        let t = "Resources:\r\n  Bot:\r\n    Type: AWS::Lex::Bot\r\n    List:\r\n      - a\r\n      - !Ref B\r\n    Text: |\r\n      line1\r\n      line2\r\n    Empty:\r\nLast: 1\r\n";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        let bot = path(&root, &["Resources", "Bot"]);
        let ty = bot.entry("Type").unwrap();
        assert_eq!(
            (at(t, ty.key_span), at(t, ty.value.span)),
            ("Type", "AWS::Lex::Bot")
        );
        assert_eq!(
            at(t, bot.get("List").unwrap().span),
            "- a\r\n      - !Ref B"
        );
        let text = bot.get("Text").unwrap();
        assert_eq!(at(t, text.span), "|\r\n      line1\r\n      line2");
        assert_eq!(text.as_str(), Some("line1\nline2\n"));
        let empty = bot.entry("Empty").unwrap();
        assert!(empty.value.is_null());
        assert_eq!(empty.value.span.start(), t.find("Empty:").unwrap() + 6);
        assert!(at(t, bot.span).ends_with("Empty:"));
        let last = root.entry("Last").unwrap();
        assert_eq!(last.key_span.start(), t.find("Last").unwrap());
    }

    #[test]
    fn block_scalar_spans() {
        let t = "a: >-\n   folded\n   text\n\n\nb: | # note\n  x\nc: |\nd: |+\n\n  kept\n\ne:\n  # c\n  |\n   y\n";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        assert_eq!(at(t, root.get("a").unwrap().span), ">-\n   folded\n   text");
        assert_eq!(root.get("a").unwrap().as_str(), Some("folded text"));
        assert_eq!(at(t, root.get("b").unwrap().span), "| # note\n  x");
        assert_eq!(at(t, root.get("c").unwrap().span), "|");
        assert_eq!(root.get("c").unwrap().as_str(), Some(""));
        assert_eq!(at(t, root.get("d").unwrap().span), "|+\n\n  kept");
        assert_eq!(at(t, root.get("e").unwrap().span), "|\n   y");
        let t = "--- |\n  top\n";
        assert_eq!(at(t, parse_ok(t).span), "|\n  top");
    }

    #[test]
    fn multiple_documents_are_rejected() {
        let t = "a: 1\n---\nb: 2\n---\nc: 3\n";
        let e = parse_err(t);
        assert_eq!(e.kind, ParseErrorKind::MultipleDocuments { count: 3 });
        assert_eq!(e.span, Span::new(5, 8));
        let e = parse_err("a: 1\n...\nb: 2\n");
        assert_eq!(e.kind, ParseErrorKind::MultipleDocuments { count: 2 });
        // A leading `---`, an end marker and empty documents are fine.
        assert_eq!(
            parse_ok("---\na: 1\n").to_json(),
            serde_json::json!({"a": 1})
        );
        assert_eq!(
            parse_ok("%YAML 1.1\n---\na: 1\n...\n").to_json(),
            serde_json::json!({"a": 1})
        );
        assert_eq!(
            parse_ok("---\n---\na: 1\n---\n").to_json(),
            serde_json::json!({"a": 1})
        );
        let t = "--- !Ref x\n";
        assert_eq!(at(t, parse_ok(t).span), "!Ref x");
    }

    #[test]
    fn empty_input_is_empty() {
        for t in [
            "",
            "   \n\n",
            "# just a comment\n# another\n",
            "---\n",
            "---\n...\n",
        ] {
            let e = parse_err(t);
            assert_eq!(
                (e.kind, e.span),
                (ParseErrorKind::Empty, Span::new(0, 0)),
                "{t:?}"
            );
        }
        // A document holding only a null is content, not an empty file.
        assert!(parse_ok("~\n").is_null());
        assert_eq!(parse_ok("!!str").as_str(), Some(""));
    }

    #[test]
    fn scanner_errors_point_at_the_problem() {
        let t = "a:\n\tb: 1\n";
        let e = parse_err(t);
        let ParseErrorKind::Yaml { message } = &e.kind else {
            panic!("{e:?}")
        };
        assert!(message.contains("tab"), "{message}");
        assert_eq!(e.span, Span::new(3, 4));
        let t = "Résumé:\n  a: 1\n\t\tb: 2\n";
        let e = parse_err(t);
        assert_eq!(at(t, e.span), "\t\t");
        let t = "a: \"unterminated\nb: 2\n";
        let e = parse_err(t);
        assert!(matches!(e.kind, ParseErrorKind::Yaml { .. }));
        at(t, e.span);
        let t = "ключ: [1, 2\n";
        let e = parse_err(t);
        at(t, e.span);
        assert!(e.span.start() <= t.len());
        let t = "a: b: c\n";
        let e = parse_err(t);
        assert_eq!(e.span.start(), 4);
    }

    #[test]
    fn flow_edge_cases() {
        let t = "{a: , b, c: {}, d: [], 'e': \"x\" , f: [ \"y\" # c\n ]}";
        let root = parse_ok(t);
        assert_spans_valid(t, &root);
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": null, "b": null, "c": {}, "d": [], "e": "x", "f": ["y"]})
        );
        assert_eq!(at(t, root.get("c").unwrap().span), "{}");
        assert_eq!(at(t, root.get("e").unwrap().span), "\"x\"");
        assert_eq!(at(t, path(&root, &["f", "0"]).span), "\"y\"");
        let t = "a: 'it''s' # it's \"quoted\"\nb: \"say \\\"hi\\\"\"\n";
        let root = parse_ok(t);
        assert_eq!(at(t, root.get("a").unwrap().span), "'it''s'");
        assert_eq!(root.get("a").unwrap().as_str(), Some("it's"));
        assert_eq!(at(t, root.get("b").unwrap().span), "\"say \\\"hi\\\"\"");
    }

    /// Mutated templates never panic, and every span (of a tree or an error) is valid.
    #[test]
    fn mutations_never_panic_and_spans_stay_valid() {
        let base =
            format!("# héllo ключ\r\n{TEMPLATE}x: &a [1, {{k: é}}]\ny: *a\nz: !Sub |\n  t\n");
        let inserts = [
            "[", "]", "{", "}", "'", "\"", "\t", "é", "🎉", "*a", "&b ", "!Ref ", ":", ": ", "- ",
            "|", ">", "#", "\n", "\r\n", "---\n", "<<: *a\n", "? ", ",", "!!int ", "%", "\\", "  ",
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let boundaries: Vec<usize> = base.char_indices().map(|(i, _)| i).collect();
        for round in 0..3000 {
            let mut text = base.clone();
            for _ in 0..1 + round % 3 {
                let cut = boundaries[next(boundaries.len())].min(text.len());
                if !text.is_char_boundary(cut) {
                    continue;
                }
                match next(3) {
                    0 => text.truncate(cut),
                    1 => text.insert_str(cut, inserts[next(inserts.len())]),
                    _ => {
                        let end = text[cut..]
                            .chars()
                            .next()
                            .map_or(cut, |c| cut + c.len_utf8());
                        text.replace_range(cut..end, "");
                    }
                }
            }
            match parse(&text, &Limits::default()) {
                Ok(node) => assert_spans_valid(&text, &node),
                Err(e) => {
                    assert!(
                        e.span.start() <= e.span.end() && e.span.end() <= text.len(),
                        "{e:?} in {text:?}"
                    );
                    assert!(
                        text.get(e.span.start()..e.span.end()).is_some(),
                        "{e:?} in {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn realistic_template_round_trips() {
        let t = generate_template(20);
        let root = parse_ok(&t);
        assert_spans_valid(&t, &root);
        let resources = root.get("Resources").unwrap().as_object().unwrap();
        assert_eq!(resources.len(), 40);
        let bot = root.get("Resources").unwrap().get("Bot0").unwrap();
        assert_eq!(at(&t, bot.get("Type").unwrap().span), "AWS::Lex::Bot");
    }

    fn generate_template(bots: usize) -> String {
        let mut t = String::from(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: Lex bots — generated ✓\nParameters:\n  Env:\n    Type: String\n    Default: dev\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n",
        );
        for i in 0..bots {
            t.push_str(&format!(
                "  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {{Service: lexv2.amazonaws.com}}
            Action: ['sts:AssumeRole']
  Bot{i}:
    Type: AWS::Lex::Bot
    Condition: IsProd
    Properties:
      Name: !Sub '${{AWS::StackName}}-bot-{i}'
      RoleArn: !GetAtt Role{i}.Arn
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      AutoBuildBotLocales: yes
      BotTags:
        - Key: env
          Value: !If [IsProd, prod, !Ref Env]
      BotLocales:
        - LocaleId: en_US
          NluConfidenceThreshold: 0.40
          Intents:
            - Name: OrderFlowers
              SampleUtterances:
                - Utterance: I would like to order flowers
                - Utterance: \"Can I get flowers?\"
              SlotPriorities:
                - Priority: 1
                  SlotName: FlowerType
              IntentClosingSetting:
                ClosingResponse:
                  MessageGroupsList:
                    - Message:
                        PlainTextMessage:
                          Value: >-
                            Thanks, your order
                            is placed.
            - Name: FallbackIntent
              ParentIntentSignature: AMAZON.FallbackIntent
          SlotTypes:
            - Name: FlowerTypes
              SlotTypeValues:
                - SampleValue: {{Value: lilies}}
                - SampleValue: {{Value: roses}}
                - SampleValue: {{Value: tulips}}
              ValueSelectionSetting:
                ResolutionStrategy: ORIGINAL_VALUE
"
            ));
        }
        t
    }

    /// `cargo test --release --lib parse::yaml::tests::throughput -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run in release mode"]
    fn throughput() {
        let text = generate_template(520);
        let mb = text.len() as f64 / 1e6;
        let rounds = 20;
        let best = |f: &dyn Fn()| {
            (0..rounds)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .min()
                .unwrap()
        };
        let bare = best(&|| {
            let n = Parser::new_from_str(&text).filter(|e| e.is_ok()).count();
            assert!(n > 0);
        });
        let full = best(&|| {
            parse(&text, &Limits::default()).unwrap();
        });
        let mut accented = text.replace("flowers", "fleurs-é");
        accented.insert_str(0, "# ключ\n");
        let mbu = accented.len() as f64 / 1e6;
        let utf8 = best(&|| {
            parse(&accented, &Limits::default()).unwrap();
        });
        println!(
            "{mb:.2} MB: saphyr events {:.1} MB/s, parse {:.1} MB/s ({:.2}x); non-ASCII {mbu:.2} MB: {:.1} MB/s",
            mb / bare.as_secs_f64(),
            mb / full.as_secs_f64(),
            full.as_secs_f64() / bare.as_secs_f64(),
            mbu / utf8.as_secs_f64(),
        );
    }
}
