//! Parsers from source text to the spanned [`Node`] tree.
//!
//! Parsing owns spans: every node carries byte offsets into the [`SourceFile`] text,
//! and every error carries the span of the offending text.

pub mod hcl;
pub mod json;
pub mod yaml;

use crate::node::Node;
use crate::source::{SourceFile, Span};

/// Ceilings that keep hostile input from exhausting the stack or memory. Each
/// one reached is a diagnostic for that file, never a crash; the command line
/// can change them (`--max-file-size`, `--max-depth`, `--max-alias-nodes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and objects (and YAML collections).
    pub max_depth: usize,
    /// Most nodes that YAML alias expansion may add to one document.
    pub max_alias_nodes: usize,
    /// Largest file read, in bytes.
    pub max_file_size: u64,
}

/// The deepest nesting `--max-depth` accepts. Trees are dropped, cloned (YAML
/// aliases, plan values merged with `after_unknown`) and compared recursively;
/// at 1,024 levels a whole check needs under 512 KiB of a worker's 2 MiB stack
/// in a release build, about 1.5 MiB in a debug one (tests/hostile.rs,
/// `documents_at_the_depth_ceiling_are_linted_without_overflow`). An iterative
/// `Drop` for `Node` would not lift the ceiling (cloning recurses deepest) and
/// cost about 5% more instructions to parse and drop the real corpus.
pub const MAX_DEPTH_CEILING: usize = 1024;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // saphyr stops YAML flow nesting at 255 levels; the same default
            // for every grammar makes one limit, one message and one behaviour.
            max_depth: 255,
            max_alias_nodes: 100_000,
            max_file_size: 64 * 1024 * 1024,
        }
    }
}

/// Which grammar a file is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Syntax {
    Json,
    Yaml,
}

/// A parse failure at a place in the source.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// The offending text (an empty span at the end of input for truncation).
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("unexpected character {found:?}; expected {expected}")]
    UnexpectedChar { found: char, expected: &'static str },
    #[error("unexpected end of input; expected {expected}")]
    UnexpectedEof { expected: &'static str },
    #[error("invalid escape sequence in string")]
    InvalidEscape,
    #[error("control character U+{code:04X} must be escaped inside a string")]
    ControlCharacter { code: u32 },
    #[error("invalid number {raw:?}")]
    InvalidNumber { raw: String },
    #[error("number {raw:?} is out of range")]
    NumberOutOfRange { raw: String },
    #[error("duplicate key {key:?} (first defined at byte {first_start})")]
    DuplicateKey { key: String, first_start: u32 },
    #[error("nesting deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("alias expansion exceeds {limit} nodes (possible alias bomb)")]
    AliasExpansion { limit: usize },
    #[error("unknown alias *{name}")]
    UnknownAlias { name: String },
    #[error("YAML mapping key must be a scalar")]
    ComplexKey,
    #[error("file holds {count} YAML documents; a template must be a single document")]
    MultipleDocuments { count: usize },
    #[error("invalid YAML: {message}")]
    Yaml { message: String },
    #[error("trailing characters after the JSON value")]
    TrailingCharacters,
    #[error("file is empty")]
    Empty,
}

impl ParseError {
    pub fn new(kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError { kind, span }
    }
}

/// Picks the grammar: the extension when it is decisive, else the first
/// non-blank character (`{` or `[` means JSON).
pub fn detect_syntax(source: &SourceFile) -> Syntax {
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".json") {
        return Syntax::Json;
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Syntax::Yaml;
    }
    match source.text.trim_start().as_bytes().first() {
        Some(b'{') | Some(b'[') => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// Parses a whole file with the grammar [`detect_syntax`] picks.
pub fn parse(source: &SourceFile, limits: &Limits) -> Result<(Syntax, Node), ParseError> {
    let syntax = detect_syntax(source);
    let node = match syntax {
        Syntax::Json => json::parse(&source.text, limits)?,
        Syntax::Yaml => yaml::parse(&source.text, limits)?,
    };
    Ok((syntax, node))
}
