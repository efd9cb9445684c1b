//! Terraform's native syntax (HCL, `.tf` files) parsed into a spanned syntax tree.
//!
//! Hand-written like the JSON and YAML parsers, for the same reasons: exact byte
//! spans on every block, label, attribute and expression, and speed (hcl-edit,
//! which keeps every whitespace and comment for round-tripping, parses about ten
//! times slower per byte than our JSON parser; see the README's design notes).
//!
//! The tree keeps expressions as written; the model layer evaluates what can be
//! known statically (`model::hcl`). Nesting is bounded by [`Limits::max_depth`]
//! (each block and each nested expression counts one level, as each
//! JSON or YAML collection does), so hostile input cannot exhaust the stack.
//!
//! Newlines matter as in HCL: they end an attribute, and separate object items,
//! but are ignored inside parentheses, brackets, calls and interpolations.

use super::{Limits, ParseError, ParseErrorKind};
use crate::node::Number;
use crate::source::Span;

/// A parsed `.tf` file: its top-level body and every comment in it.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub body: Body,
    /// Every comment (`#`, `//` and `/* */`), in source order, for suppressions.
    pub comments: Vec<Span>,
}

/// Attributes and blocks, in source order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attribute(Attribute),
    Block(Block),
}

/// `name = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub value: Expr,
    /// From the name to the end of the value.
    pub span: Span,
}

/// `type "label" … { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub name: Ident,
    /// Labels unquoted, each spanning its text as written (quotes included).
    pub labels: Vec<Ident>,
    pub body: Body,
    /// From the block type to its closing brace.
    pub span: Span,
}

/// A name and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(Number),
    /// A quoted string or heredoc without interpolations or directives.
    String(String),
    /// A quoted string or heredoc with interpolations or directives.
    Template(Vec<TemplatePart>),
    Array(Vec<Expr>),
    Object(Vec<ObjectItem>),
    /// A root name: `var`, `local`, `aws_iam_role`, `each`…
    Variable(String),
    Traversal(Box<Expr>, Vec<Accessor>),
    Call {
        name: String,
        args: Vec<Expr>,
        /// The last argument is expanded (`f(list...)`).
        expand: bool,
    },
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// A `for` expression; only Terraform evaluates these.
    For,
    Parens(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Expr),
    /// `%{ if … }`, `%{ for … }` and their ends: the template is evaluated only by Terraform.
    Directive(Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectItem {
    pub key: ObjectKey,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// A bare name: the key is the name itself.
    Ident(Ident),
    /// A quoted string or a parenthesised expression.
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Accessor {
    /// `.name`
    Attr(Ident),
    /// `[expr]`
    Index(Expr),
    /// `.0` (the legacy index form)
    LegacyIndex(u64, Span),
    /// `.*`
    AttrSplat,
    /// `[*]`
    FullSplat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Negate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

impl BinaryOp {
    /// Binding strength, loosest first.
    fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Equal | BinaryOp::NotEqual => 3,
            BinaryOp::Less | BinaryOp::LessEqual | BinaryOp::Greater | BinaryOp::GreaterEqual => 4,
            BinaryOp::Add | BinaryOp::Subtract => 5,
            BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Modulo => 6,
        }
    }
}

/// Parses one `.tf` file.
///
/// The parser recurses once per nesting level: give the calling thread about
/// 2 KB of stack per level of `limits.max_depth` (8 KB in debug builds); the
/// command line's workers have 64 MB.
///
/// # Errors
///
/// A [`ParseError`] at the first syntax error, for an attribute defined twice in
/// one body (at the second definition), and for nesting deeper than
/// `limits.max_depth`.
pub fn parse(text: &str, limits: &Limits) -> Result<File, ParseError> {
    let mut parser = Parser::new(text, limits.max_depth, false);
    // A byte-order mark was removed when the file was decoded.
    let body = parser.body(false)?;
    Ok(File {
        body,
        comments: parser.comments,
    })
}

/// Parses one expression, as written inside `${…}` of a `.tf.json` string.
///
/// # Errors
///
/// A [`ParseError`] at the first syntax error or at text after the expression.
pub fn parse_expression(text: &str, limits: &Limits) -> Result<Expr, ParseError> {
    let mut parser = Parser::new(text, limits.max_depth, true);
    parser.ws();
    let expr = parser.expr()?;
    parser.ws();
    if parser.pos < text.len() {
        return Err(parser.error("the end of the expression"));
    }
    Ok(expr)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    /// Whether newlines are plain whitespace here (inside brackets and calls).
    newlines: bool,
    comments: Vec<Span>,
}

type Parsed<T> = Result<T, ParseError>;

impl<'t> Parser<'t> {
    fn new(text: &'t str, max_depth: usize, newlines: bool) -> Parser<'t> {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            max_depth,
            newlines,
            comments: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    fn error(&self, expected: &'static str) -> ParseError {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(found) => ParseError::new(
                ParseErrorKind::UnexpectedChar { found, expected },
                Span::new(self.pos, self.pos + found.len_utf8()),
            ),
            None => ParseError::new(
                ParseErrorKind::UnexpectedEof { expected },
                Span::new(self.pos, self.pos),
            ),
        }
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(ParseError::new(
                ParseErrorKind::TooDeep {
                    limit: self.max_depth,
                },
                Span::new(self.pos, self.pos + 1),
            ));
        }
        Ok(())
    }

    /// Skips spaces, tabs, carriage returns and comments, and newlines when
    /// `self.newlines` is set.
    fn ws(&mut self) {
        self.skip(self.newlines);
    }

    fn skip(&mut self, newlines: bool) {
        while let Some(byte) = self.peek() {
            match byte {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' if newlines => self.pos += 1,
                b'#' => self.line_comment(),
                b'/' if self.peek_at(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    let end =
                        memchr::memmem::find(self.bytes.get(start + 2..).unwrap_or(&[]), b"*/")
                            .map_or(self.bytes.len(), |i| start + 2 + i + 2);
                    self.pos = end;
                    self.comment(Span::new(start, end));
                }
                _ => break,
            }
        }
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        let end = memchr::memchr(b'\n', self.bytes.get(start..).unwrap_or(&[]))
            .map_or(self.bytes.len(), |i| start + i);
        // A CRLF file's comment stops before the carriage return.
        let text_end = if end > start && self.bytes.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        self.comment(Span::new(start, text_end));
        self.pos = end;
    }

    /// Records a comment once: backtracking after an expression skips some twice.
    fn comment(&mut self, span: Span) {
        if self
            .comments
            .last()
            .is_none_or(|last| last.start < span.start)
        {
            self.comments.push(span);
        }
    }

    /// The items of a body, up to the end of input (`nested == false`) or the
    /// closing brace of a block, which is left unconsumed.
    fn body(&mut self, nested: bool) -> Parsed<Body> {
        let mut items: Vec<Item> = Vec::new();
        loop {
            self.skip(true);
            match self.peek() {
                None if !nested => return Ok(Body { items }),
                None => return Err(self.error("`}` closing the block")),
                Some(b'}') if nested => return Ok(Body { items }),
                _ => {}
            }
            let name = self.ident("an attribute name or a block type")?;
            self.skip(false);
            let item = if self.peek() == Some(b'=') && self.peek_at(1) != Some(b'=') {
                self.pos += 1;
                let saved = std::mem::replace(&mut self.newlines, false);
                self.skip(false);
                let value = self.expr();
                self.newlines = saved;
                let value = value?;
                if let Some(first) = items.iter().find_map(|item| match item {
                    Item::Attribute(a) if a.name.text == name.text => Some(a.name.span),
                    _ => None,
                }) {
                    return Err(ParseError::new(
                        ParseErrorKind::DuplicateKey {
                            key: name.text,
                            first_start: first.start,
                        },
                        name.span,
                    ));
                }
                let span = Span::new(name.span.start(), value.span.end());
                Item::Attribute(Attribute { name, value, span })
            } else {
                Item::Block(self.block(name)?)
            };
            items.push(item);
            // An item ends at a newline, a comment, the end of input or (on one
            // line) the closing brace of its block.
            self.skip(false);
            match self.peek() {
                None | Some(b'\n') => {}
                Some(b'}') if nested => {}
                _ => return Err(self.error("a newline after the attribute or block")),
            }
        }
    }

    fn block(&mut self, name: Ident) -> Parsed<Block> {
        let mut labels = Vec::new();
        loop {
            self.skip(false);
            match self.peek() {
                Some(b'{') => break,
                Some(b'"') => {
                    let start = self.pos;
                    let text = match self.quoted()? {
                        ExprKind::String(text) => text,
                        _ => {
                            return Err(ParseError::new(
                                ParseErrorKind::UnexpectedChar {
                                    found: '$',
                                    expected: "a block label without interpolation",
                                },
                                self.span_from(start),
                            ))
                        }
                    };
                    labels.push(Ident {
                        text,
                        span: self.span_from(start),
                    });
                }
                Some(byte) if is_ident_start(byte) || byte >= 0x80 => {
                    labels.push(self.ident("a block label")?);
                }
                _ => return Err(self.error("`=`, a block label or `{`")),
            }
        }
        self.pos += 1;
        self.enter()?;
        // A block whose body starts on the line of its `{` is a one-line
        // block, which holds a single attribute and nothing else (HCL's
        // "single-line block"; Terraform rejects `a { b {} }`).
        self.skip(false);
        let one_line = !matches!(self.peek(), None | Some(b'\n' | b'}'));
        let saved = std::mem::replace(&mut self.newlines, false);
        let body = self.body(true);
        self.newlines = saved;
        self.depth -= 1;
        let body = body?;
        if one_line {
            let single = match body.items.as_slice() {
                [Item::Attribute(a)] => self
                    .bytes
                    .get(a.span.end()..self.pos)
                    .is_some_and(|gap| !gap.contains(&b'\n')),
                _ => false,
            };
            if !single {
                return Err(self.error("a single attribute in a one-line block"));
            }
        }
        self.expect(b'}', "`}` closing the block")?;
        Ok(Block {
            span: Span::new(name.span.start(), self.pos),
            name,
            labels,
            body,
        })
    }

    /// An identifier: a letter or `_`, then letters, digits, `_` and `-`.
    fn ident(&mut self, expected: &'static str) -> Parsed<Ident> {
        let start = self.pos;
        let rest = self.text.get(start..).unwrap_or("");
        let mut end = start;
        for (offset, ch) in rest.char_indices() {
            let ok = if offset == 0 {
                ch.is_alphabetic() || ch == '_'
            } else {
                ch.is_alphanumeric() || ch == '_' || ch == '-'
            };
            if !ok {
                break;
            }
            end = start + offset + ch.len_utf8();
        }
        if end == start {
            return Err(self.error(expected));
        }
        self.pos = end;
        Ok(Ident {
            text: self.text.get(start..end).unwrap_or("").to_owned(),
            span: Span::new(start, end),
        })
    }

    fn expr(&mut self) -> Parsed<Expr> {
        self.enter()?;
        let result = self.conditional();
        self.depth -= 1;
        result
    }

    fn conditional(&mut self) -> Parsed<Expr> {
        let condition = self.binary(1)?;
        self.ws();
        if self.peek() != Some(b'?') {
            return Ok(condition);
        }
        self.pos += 1;
        self.ws();
        let yes = self.expr()?;
        self.ws();
        self.expect(b':', "`:` in a conditional expression")?;
        self.ws();
        let no = self.expr()?;
        Ok(Expr {
            span: Span::new(condition.span.start(), no.span.end()),
            kind: ExprKind::Conditional(Box::new(condition), Box::new(yes), Box::new(no)),
        })
    }

    fn binary(&mut self, min: u8) -> Parsed<Expr> {
        let mut left = self.unary()?;
        loop {
            let before = self.pos;
            self.ws();
            let Some((op, width)) = self.operator() else {
                self.pos = before;
                return Ok(left);
            };
            if op.precedence() < min {
                self.pos = before;
                return Ok(left);
            }
            self.pos += width;
            self.ws();
            // Right operands recurse once per precedence level at most; deeper
            // nesting goes through `expr`, which counts it.
            let right = self.binary(op.precedence() + 1)?;
            left = Expr {
                span: Span::new(left.span.start(), right.span.end()),
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            };
        }
    }

    fn operator(&self) -> Option<(BinaryOp, usize)> {
        let op = match (self.peek()?, self.peek_at(1)) {
            (b'|', Some(b'|')) => (BinaryOp::Or, 2),
            (b'&', Some(b'&')) => (BinaryOp::And, 2),
            (b'=', Some(b'=')) => (BinaryOp::Equal, 2),
            (b'!', Some(b'=')) => (BinaryOp::NotEqual, 2),
            (b'<', Some(b'=')) => (BinaryOp::LessEqual, 2),
            (b'>', Some(b'=')) => (BinaryOp::GreaterEqual, 2),
            (b'<', _) => (BinaryOp::Less, 1),
            (b'>', _) => (BinaryOp::Greater, 1),
            (b'+', _) => (BinaryOp::Add, 1),
            (b'-', _) => (BinaryOp::Subtract, 1),
            (b'*', _) => (BinaryOp::Multiply, 1),
            (b'/', _) => (BinaryOp::Divide, 1),
            (b'%', _) => (BinaryOp::Modulo, 1),
            _ => return None,
        };
        Some(op)
    }

    fn unary(&mut self) -> Parsed<Expr> {
        let start = self.pos;
        let op = match self.peek() {
            Some(b'!') => UnaryOp::Not,
            Some(b'-') => UnaryOp::Negate,
            _ => return self.postfix(),
        };
        self.pos += 1;
        self.ws();
        self.enter()?;
        let operand = self.unary();
        self.depth -= 1;
        let operand = operand?;
        Ok(Expr {
            span: Span::new(start, operand.span.end()),
            kind: ExprKind::Unary(op, Box::new(operand)),
        })
    }

    /// A primary expression followed by attribute, index and splat accessors.
    fn postfix(&mut self) -> Parsed<Expr> {
        let start = self.pos;
        let primary = self.primary()?;
        let mut accessors = Vec::new();
        loop {
            match (self.peek(), self.peek_at(1)) {
                // `xs...` expands a call's last argument.
                (Some(b'.'), Some(b'.')) => break,
                (Some(b'.'), Some(b'*')) => {
                    self.pos += 2;
                    accessors.push(Accessor::AttrSplat);
                }
                (Some(b'.'), Some(b'0'..=b'9')) => {
                    self.pos += 1;
                    let digits_start = self.pos;
                    while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    let span = self.span_from(digits_start);
                    let text = self.text.get(span.start()..span.end()).unwrap_or("");
                    let index = text.parse().map_err(|_| {
                        ParseError::new(
                            ParseErrorKind::NumberOutOfRange {
                                raw: text.to_owned(),
                            },
                            span,
                        )
                    })?;
                    accessors.push(Accessor::LegacyIndex(index, span));
                }
                (Some(b'.'), _) => {
                    self.pos += 1;
                    accessors.push(Accessor::Attr(self.ident("an attribute name after `.`")?));
                }
                (Some(b'['), _) => {
                    self.pos += 1;
                    let saved = std::mem::replace(&mut self.newlines, true);
                    self.ws();
                    let accessor = if self.peek() == Some(b'*') {
                        self.pos += 1;
                        Ok(Accessor::FullSplat)
                    } else {
                        self.expr().map(Accessor::Index)
                    };
                    self.ws();
                    self.newlines = saved;
                    accessors.push(accessor?);
                    self.expect(b']', "`]` closing the index")?;
                }
                _ => break,
            }
        }
        if accessors.is_empty() {
            return Ok(primary);
        }
        Ok(Expr {
            span: self.span_from(start),
            kind: ExprKind::Traversal(Box::new(primary), accessors),
        })
    }

    fn primary(&mut self) -> Parsed<Expr> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'0'..=b'9') => self.number()?,
            Some(b'"') => self.quoted()?,
            Some(b'<') if self.peek_at(1) == Some(b'<') => self.heredoc()?,
            Some(b'[') => self.tuple()?,
            Some(b'{') => self.object()?,
            Some(b'(') => {
                self.pos += 1;
                let inner = self.bracketed(|p| p.expr())?;
                self.expect(b')', "`)` closing the parenthesis")?;
                ExprKind::Parens(Box::new(inner))
            }
            Some(byte) if is_ident_start(byte) || byte >= 0x80 => {
                let ident = self.ident("an expression")?;
                match ident.text.as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ => self.call_or_variable(ident)?,
                }
            }
            _ => return Err(self.error("an expression")),
        };
        Ok(Expr {
            span: self.span_from(start),
            kind,
        })
    }

    /// Runs `inner` with newlines as plain whitespace, skipping it on both sides.
    fn bracketed<T>(&mut self, inner: impl FnOnce(&mut Self) -> Parsed<T>) -> Parsed<T> {
        let saved = std::mem::replace(&mut self.newlines, true);
        self.ws();
        let result = inner(self);
        self.ws();
        self.newlines = saved;
        result
    }

    fn call_or_variable(&mut self, ident: Ident) -> Parsed<ExprKind> {
        let mut name = ident.text;
        // Provider functions: `provider::aws::arn_parse(…)`.
        while self.starts_with("::") {
            self.pos += 2;
            name.push_str("::");
            name.push_str(&self.ident("a function name after `::`")?.text);
        }
        if self.peek() != Some(b'(') {
            return Ok(ExprKind::Variable(name));
        }
        self.pos += 1;
        let parsed = self.bracketed(|p| {
            let mut args = Vec::new();
            let mut expand = false;
            while p.peek() != Some(b')') {
                args.push(p.expr()?);
                p.ws();
                if p.starts_with("...") {
                    p.pos += 3;
                    expand = true;
                    p.ws();
                }
                if p.peek() == Some(b',') && !expand {
                    p.pos += 1;
                    p.ws();
                } else {
                    break;
                }
            }
            Ok((args, expand))
        });
        let (args, expand) = parsed?;
        self.expect(b')', "`,` or `)` in the function call")?;
        Ok(ExprKind::Call { name, args, expand })
    }

    fn number(&mut self) -> Parsed<ExprKind> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
        };
        digits(self);
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let mark = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                digits(self);
            } else {
                self.pos = mark;
            }
        }
        let span = self.span_from(start);
        let raw = self.text.get(span.start()..span.end()).unwrap_or("");
        match Number::parse(raw) {
            Some(number) if number.value.is_finite() => Ok(ExprKind::Number(number)),
            _ => Err(ParseError::new(
                ParseErrorKind::NumberOutOfRange {
                    raw: raw.to_owned(),
                },
                span,
            )),
        }
    }

    fn tuple(&mut self) -> Parsed<ExprKind> {
        self.pos += 1;
        let result = self.bracketed(|p| {
            if p.for_keyword() {
                return p.for_rest(b']').map(|()| ExprKind::For);
            }
            let mut items = Vec::new();
            while p.peek() != Some(b']') {
                items.push(p.expr()?);
                p.ws();
                if p.peek() == Some(b',') {
                    p.pos += 1;
                    p.ws();
                } else {
                    break;
                }
            }
            Ok(ExprKind::Array(items))
        });
        let kind = result?;
        self.expect(b']', "`,` or `]` in the list")?;
        Ok(kind)
    }

    fn object(&mut self) -> Parsed<ExprKind> {
        self.pos += 1;
        let kind = self.object_items()?;
        self.expect(b'}', "`}` closing the object")?;
        Ok(kind)
    }

    fn object_items(&mut self) -> Parsed<ExprKind> {
        let saved = std::mem::replace(&mut self.newlines, false);
        self.skip(true);
        if self.for_keyword() {
            self.newlines = true;
            let result = self.for_rest(b'}');
            self.ws();
            self.newlines = saved;
            return result.map(|()| ExprKind::For);
        }
        let mut items: Vec<ObjectItem> = Vec::new();
        let result = loop {
            self.skip(true);
            if self.peek() == Some(b'}') {
                break Ok(());
            }
            let key = match self.object_key() {
                Ok(key) => key,
                Err(err) => break Err(err),
            };
            self.skip(false);
            if !matches!(self.peek(), Some(b'=' | b':')) {
                break Err(self.error("`=` or `:` after the object key"));
            }
            self.pos += 1;
            self.skip(false);
            match self.expr() {
                Ok(value) => items.push(ObjectItem { key, value }),
                Err(err) => break Err(err),
            }
            self.skip(false);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'\n' | b'}') => {}
                _ => break Err(self.error("`,`, a newline or `}` after the object item")),
            }
        };
        self.newlines = saved;
        result.map(|()| ExprKind::Object(items))
    }

    fn object_key(&mut self) -> Parsed<ObjectKey> {
        let start = self.pos;
        if self.peek().is_some_and(|b| is_ident_start(b) || b >= 0x80) {
            let ident = self.ident("an object key")?;
            self.skip(false);
            if matches!(self.peek(), Some(b'=' | b':')) && self.peek_at(1) != Some(b'=') {
                return Ok(ObjectKey::Ident(ident));
            }
            // A key that is an expression starting with a name (`var.k = …`).
            self.pos = start;
        }
        // `=` ends the key, so parse it without the conditional's `:` ambiguity
        // mattering: keys are names, strings or parenthesised expressions.
        let key = self.binary(1)?;
        Ok(ObjectKey::Expr(key))
    }

    /// Whether a `for` keyword starts here (it is consumed when it does).
    fn for_keyword(&mut self) -> bool {
        if self.starts_with("for")
            && !self
                .peek_at(3)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            self.pos += 3;
            return true;
        }
        false
    }

    /// `key, value in collection` (the key is optional), after `for`.
    fn for_head(&mut self, expected_in: &'static str) -> Parsed<()> {
        self.ident("a variable name after `for`")?;
        self.ws();
        if self.peek() == Some(b',') {
            self.pos += 1;
            self.ws();
            self.ident("a variable name after `,`")?;
            self.ws();
        }
        if !self.starts_with("in") {
            return Err(self.error(expected_in));
        }
        self.pos += 2;
        self.ws();
        self.expr().map(drop)
    }

    /// The rest of a `for` expression after `for`, up to (not including) `close`.
    fn for_rest(&mut self, close: u8) -> Parsed<()> {
        self.ws();
        self.for_head("`in` in the for expression")?;
        self.ws();
        self.expect(b':', "`:` in the for expression")?;
        self.ws();
        self.expr()?;
        self.ws();
        if close == b'}' {
            if !self.starts_with("=>") {
                return Err(self.error("`=>` in the object for expression"));
            }
            self.pos += 2;
            self.ws();
            self.expr()?;
            self.ws();
            if self.starts_with("...") {
                self.pos += 3;
                self.ws();
            }
        }
        if self.starts_with("if")
            && !self
                .peek_at(2)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += 2;
            self.ws();
            self.expr()?;
            self.ws();
        }
        Ok(())
    }

    /// A quoted string: a plain string, or a template with interpolations.
    fn quoted(&mut self) -> Parsed<ExprKind> {
        self.pos += 1;
        let parts = self.template(Some(b'"'))?;
        self.expect(b'"', "`\"` closing the string")?;
        Ok(template_kind(parts))
    }

    /// Template parts up to `close` (`"` for quoted strings; `None` for heredoc
    /// bodies, which end at the end of the text given).
    fn template(&mut self, close: Option<u8>) -> Parsed<Vec<TemplatePart>> {
        let quoted = close.is_some();
        let mut parts = Vec::new();
        let mut literal = String::new();
        loop {
            let start = self.pos;
            let rest = self.bytes.get(start..).unwrap_or(&[]);
            let stop = if quoted {
                rest.iter()
                    .position(|&b| matches!(b, b'"' | b'\\' | b'$' | b'%' | b'\n'))
            } else {
                memchr::memchr2(b'$', b'%', rest)
            };
            let end = stop.map_or(self.bytes.len(), |i| start + i);
            literal.push_str(self.text.get(start..end).unwrap_or(""));
            self.pos = end;
            match (self.peek(), self.peek_at(1), self.peek_at(2)) {
                (None, _, _) => {
                    if quoted {
                        return Err(self.error("`\"` closing the string"));
                    }
                    break;
                }
                (Some(b'"'), _, _) => break,
                (Some(b'\n'), _, _) => return Err(self.error("`\"` closing the string")),
                (Some(b'\\'), _, _) => {
                    let (ch, width) = self.escape()?;
                    literal.push(ch);
                    self.pos += width;
                }
                (Some(mark @ (b'$' | b'%')), Some(second), Some(b'{')) if second == mark => {
                    // `$${` and `%%{` are the literal `${` and `%{`.
                    literal.push(char::from(mark));
                    literal.push('{');
                    self.pos += 3;
                }
                (Some(mark @ (b'$' | b'%')), Some(b'{'), _) => {
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                    }
                    let open = self.pos;
                    self.pos += 2;
                    let saved = std::mem::replace(&mut self.newlines, true);
                    let part = if mark == b'$' {
                        self.interpolation()
                    } else {
                        self.directive(open)
                    };
                    self.newlines = saved;
                    parts.push(part?);
                }
                (Some(byte), _, _) => {
                    literal.push(char::from(byte));
                    self.pos += 1;
                }
            }
        }
        if !literal.is_empty() || parts.is_empty() {
            parts.push(TemplatePart::Literal(literal));
        }
        Ok(parts)
    }

    fn interpolation(&mut self) -> Parsed<TemplatePart> {
        self.ws();
        if self.peek() == Some(b'~') {
            self.pos += 1;
            self.ws();
        }
        let expr = self.expr()?;
        self.ws();
        if self.peek() == Some(b'~') {
            self.pos += 1;
        }
        self.expect(b'}', "`}` closing the interpolation")?;
        Ok(TemplatePart::Interpolation(expr))
    }

    fn directive(&mut self, open: usize) -> Parsed<TemplatePart> {
        self.ws();
        if self.peek() == Some(b'~') {
            self.pos += 1;
            self.ws();
        }
        let keyword = self.ident("`if`, `else`, `endif`, `for` or `endfor`")?;
        self.ws();
        match keyword.text.as_str() {
            "if" => {
                self.expr()?;
            }
            "for" => self.for_head("`in` in the for directive")?,
            "else" | "endif" | "endfor" => {}
            _ => {
                return Err(ParseError::new(
                    ParseErrorKind::UnexpectedChar {
                        found: keyword.text.chars().next().unwrap_or('?'),
                        expected: "`if`, `else`, `endif`, `for` or `endfor`",
                    },
                    keyword.span,
                ))
            }
        }
        self.ws();
        if self.peek() == Some(b'~') {
            self.pos += 1;
        }
        self.expect(b'}', "`}` closing the directive")?;
        Ok(TemplatePart::Directive(self.span_from(open)))
    }

    /// One escape sequence at `self.pos` (a backslash): the character and the
    /// escape's width in bytes.
    fn escape(&self) -> Parsed<(char, usize)> {
        // The span ends inside the text and on a character boundary, even when
        // the text ends right after the backslash.
        let invalid = |width: usize| {
            let mut end = (self.pos + width).min(self.text.len());
            while !self.text.is_char_boundary(end) {
                end += 1;
            }
            ParseError::new(ParseErrorKind::InvalidEscape, Span::new(self.pos, end))
        };
        let simple = match self.peek_at(1) {
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(kind @ (b'u' | b'U')) => {
                let digits = if kind == b'u' { 4 } else { 8 };
                let hex = self
                    .text
                    .get(self.pos + 2..self.pos + 2 + digits)
                    .ok_or_else(|| invalid(2))?;
                let ch = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| invalid(2 + digits))?;
                return Ok((ch, 2 + digits));
            }
            _ => return Err(invalid(2)),
        };
        Ok((simple, 2))
    }

    /// `<<EOT` or `<<-EOT`, lines, then a line holding only `EOT`.
    fn heredoc(&mut self) -> Parsed<ExprKind> {
        self.pos += 2;
        let flush = self.peek() == Some(b'-');
        if flush {
            self.pos += 1;
        }
        let marker = self.ident("a heredoc marker after `<<`")?;
        if self.peek() == Some(b'\r') {
            self.pos += 1;
        }
        self.expect(b'\n', "a newline after the heredoc marker")?;
        let body_start = self.pos;
        // Find the closing marker line.
        let mut line_start = body_start;
        let body_end = loop {
            let rest = self.bytes.get(line_start..).unwrap_or(&[]);
            let line_end = memchr::memchr(b'\n', rest).map_or(self.bytes.len(), |i| line_start + i);
            let line = self.text.get(line_start..line_end).unwrap_or("");
            if line.trim() == marker.text {
                self.pos = line_start + line.trim_end().len();
                break line_start;
            }
            if line_end >= self.bytes.len() {
                self.pos = self.bytes.len();
                return Err(self.error("the heredoc's closing marker"));
            }
            line_start = line_end + 1;
        };
        // Parse the body as a template over its own slice, then shift spans.
        let after = self.pos;
        let mut inner = Parser::new(
            self.text.get(..body_end).unwrap_or(""),
            self.max_depth,
            true,
        );
        inner.pos = body_start;
        inner.depth = self.depth;
        let mut parts = inner.template(None)?;
        self.pos = after;
        if flush {
            strip_indent(&mut parts);
        }
        Ok(template_kind(parts))
    }
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn template_kind(mut parts: Vec<TemplatePart>) -> ExprKind {
    if let [TemplatePart::Literal(_)] = parts.as_slice() {
        if let Some(TemplatePart::Literal(text)) = parts.pop() {
            return ExprKind::String(text);
        }
    }
    ExprKind::Template(parts)
}

/// `<<-` heredocs lose the indentation common to their lines.
fn strip_indent(parts: &mut [TemplatePart]) {
    let mut at_line_start = true;
    let mut indent = usize::MAX;
    for part in parts.iter() {
        match part {
            TemplatePart::Literal(text) => {
                for (i, line) in text.split('\n').enumerate() {
                    if (i > 0 || at_line_start) && !line.trim().is_empty() {
                        let width = line.len() - line.trim_start_matches([' ', '\t']).len();
                        indent = indent.min(width);
                    }
                }
                at_line_start = text.ends_with('\n');
            }
            _ => {
                if at_line_start {
                    indent = 0;
                }
                at_line_start = false;
            }
        }
    }
    if indent == 0 || indent == usize::MAX {
        return;
    }
    let mut at_line_start = true;
    for part in parts.iter_mut() {
        match part {
            TemplatePart::Literal(text) => {
                let mut out = String::with_capacity(text.len());
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    if i > 0 || at_line_start {
                        let strip = line.len() - line.trim_start_matches([' ', '\t']).len();
                        out.push_str(line.get(strip.min(indent)..).unwrap_or(""));
                    } else {
                        out.push_str(line);
                    }
                }
                at_line_start = text.ends_with('\n');
                *text = out;
            }
            _ => at_line_start = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> File {
        parse(text, &Limits::default()).unwrap_or_else(|e| panic!("{e} at {:?}", e.span))
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start()..span.end()]
    }

    fn attribute<'f>(body: &'f Body, name: &str) -> &'f Attribute {
        body.items
            .iter()
            .find_map(|i| match i {
                Item::Attribute(a) if a.name.text == name => Some(a),
                _ => None,
            })
            .unwrap()
    }

    fn block(body: &Body, index: usize) -> &Block {
        body.items
            .iter()
            .filter_map(|i| match i {
                Item::Block(b) => Some(b),
                _ => None,
            })
            .nth(index)
            .unwrap()
    }

    #[test]
    fn blocks_labels_and_attributes_keep_exact_spans() {
        let text = "# head\r\nresource \"aws_lexv2models_bot\" \"é\" {\r\n\tname = \"x\" // c\r\n  data_privacy {\r\n    child_directed = true\r\n  }\r\n}\r\n";
        let file = parse_ok(text);
        let bot = block(&file.body, 0);
        assert_eq!(bot.name.text, "resource");
        assert_eq!(bot.labels[0].text, "aws_lexv2models_bot");
        assert_eq!(slice(text, bot.labels[1].span), "\"é\"");
        assert_eq!(bot.labels[1].text, "é");
        let name = attribute(&bot.body, "name");
        assert_eq!(slice(text, name.name.span), "name");
        assert_eq!(slice(text, name.value.span), "\"x\"");
        assert_eq!(slice(text, name.span), "name = \"x\"");
        let privacy = block(&bot.body, 0);
        assert_eq!(slice(text, privacy.name.span), "data_privacy");
        assert!(slice(text, privacy.span).ends_with('}'));
        let comments: Vec<&str> = file.comments.iter().map(|c| slice(text, *c)).collect();
        assert_eq!(comments, ["# head", "// c"]);
    }

    #[test]
    fn expressions() {
        let text = r#"
a = var.x ? [1, 2.5, -3e2] : { k = "v", "q" : null }
b = jsonencode({
  Statement = [{ Effect = "Allow", Action = ["lex:*"] }]
})
c = "arn:${var.partition}:x/$${literal}%%{no}"
d = aws_iam_role.lex.arn
e = local.list[0].name
f = [for s in var.slots : s.name if s.sensitive]
g = { for k, v in var.m : k => v... }
h = provider::aws::arn_parse(x).region
i = concat(var.a, [
  "b",
])
j = !true || 1 + 2 * 3 >= 7 && x != "y"
k = aws_instance.web.*.id
l = aws_instance.web[*].id
m = a.0.b
n = f(xs...)
"#;
        let file = parse_ok(text);
        let kind = |name: &str| &attribute(&file.body, name).value.kind;
        assert!(matches!(kind("a"), ExprKind::Conditional(..)));
        assert!(matches!(kind("b"), ExprKind::Call { name, .. } if name == "jsonencode"));
        match kind("c") {
            ExprKind::Template(parts) => {
                assert_eq!(parts.len(), 3);
                assert_eq!(parts[2], TemplatePart::Literal(":x/${literal}%{no}".into()));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(kind("d"), ExprKind::Traversal(..)));
        assert!(matches!(kind("f"), ExprKind::For));
        assert!(matches!(kind("g"), ExprKind::For));
        assert!(matches!(kind("h"), ExprKind::Traversal(root, _)
            if matches!(&root.kind, ExprKind::Call { name, .. } if name == "provider::aws::arn_parse")));
        assert!(matches!(kind("i"), ExprKind::Call { args, .. } if args.len() == 2));
        assert!(matches!(kind("j"), ExprKind::Binary(BinaryOp::Or, ..)));
        assert!(matches!(kind("k"), ExprKind::Traversal(_, acc) if acc[1] == Accessor::AttrSplat));
        assert!(matches!(kind("l"), ExprKind::Traversal(_, acc) if acc[1] == Accessor::FullSplat));
        assert!(
            matches!(kind("m"), ExprKind::Traversal(_, acc) if matches!(acc[0], Accessor::LegacyIndex(0, _)))
        );
        assert!(matches!(kind("n"), ExprKind::Call { expand: true, .. }));
    }

    #[test]
    fn heredocs_and_directives() {
        let text = "a = <<-EOT\n    {\n      \"k\": \"${var.v}\"\n    }\n    EOT\nb = <<EOF\nplain\nEOF\nc = \"%{ if var.x }y%{ endif }\"\n";
        let file = parse_ok(text);
        match &attribute(&file.body, "a").value.kind {
            ExprKind::Template(parts) => {
                assert_eq!(parts[0], TemplatePart::Literal("{\n  \"k\": \"".into()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            attribute(&file.body, "b").value.kind,
            ExprKind::String("plain\n".into())
        );
        assert!(matches!(&attribute(&file.body, "c").value.kind,
            ExprKind::Template(parts) if matches!(parts[0], TemplatePart::Directive(_))));
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let cases: [(&str, &str, usize); 7] = [
            (
                "a = \n",
                "unexpected character '\\n'; expected an expression",
                4,
            ),
            (
                "a = 1\na = 2\n",
                "duplicate key \"a\" (first defined at byte 0)",
                6,
            ),
            (
                "resource \"x\" \"y\" {\n",
                "unexpected end of input; expected `}` closing the block",
                19,
            ),
            (
                "a = \"open\n",
                "unexpected character '\\n'; expected `\"` closing the string",
                9,
            ),
            (
                "a = 1 b = 2\n",
                "unexpected character 'b'; expected a newline after the attribute or block",
                6,
            ),
            (
                "a = <<EOT\nnever closed\n",
                "unexpected end of input; expected the heredoc's closing marker",
                23,
            ),
            ("a = 1e999999\n", "number \"1e999999\" is out of range", 4),
        ];
        for (text, message, at) in cases {
            let err = parse(text, &Limits::default()).unwrap_err();
            assert_eq!(
                (err.to_string().as_str(), err.span.start()),
                (message, at),
                "{text:?}"
            );
        }
    }

    /// Runs `test` on a thread with the stack the command line gives its workers.
    fn with_worker_stack(test: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(test)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn nesting_is_bounded() {
        with_worker_stack(nesting_is_bounded_on_a_worker_stack);
    }

    fn nesting_is_bounded_on_a_worker_stack() {
        let limits = Limits {
            max_depth: crate::parse::MAX_DEPTH_CEILING,
            ..Limits::default()
        };
        let deep = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse(&deep, &limits).unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::TooDeep {
                limit: limits.max_depth
            }
        );
        let blocks = format!("{}{}", "b {\n".repeat(50_000), "}\n".repeat(50_000));
        let err = parse(&blocks, &limits).unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::TooDeep {
                limit: limits.max_depth
            }
        );
        let unary = format!("a = {}true\n", "!".repeat(100_000));
        assert!(matches!(
            parse(&unary, &limits).unwrap_err().kind,
            ParseErrorKind::TooDeep { .. }
        ));
        let nested = format!("a = {}1{}\n", "(".repeat(1000), ")".repeat(1000));
        assert!(parse(&nested, &limits).is_ok());
    }

    /// Found by fuzzing (`parse_hcl`): an escape at the very end of the text,
    /// or before a multi-byte character, gave a span past the end or inside
    /// the character.
    #[test]
    fn invalid_escapes_at_the_end_stay_inside_the_text() {
        for text in ["resource \"a\\", "a = \"\\é\"", "a = \"\\u12é4\""] {
            let err = parse(text, &Limits::default()).unwrap_err();
            assert_eq!(err.kind, ParseErrorKind::InvalidEscape, "{text:?}");
            assert!(err.span.end() <= text.len(), "{text:?}: {:?}", err.span);
            assert!(
                text.is_char_boundary(err.span.end()),
                "{text:?}: {:?}",
                err.span
            );
        }
    }

    #[test]
    fn one_line_blocks_and_empty_files() {
        assert!(parse_ok("").body.items.is_empty());
        assert!(parse_ok("\n  # only a comment\n").body.items.is_empty());
        let file = parse_ok("locals { a = 1 }\nterraform {}\n");
        assert_eq!(file.body.items.len(), 2);
    }

    #[test]
    fn one_line_blocks_hold_one_attribute_only() {
        assert!(
            parse_ok("a { b = 1 }\nc { /* x */ d = 2 }\n")
                .body
                .items
                .len()
                == 2
        );
        for text in ["a { b {} }\n", "a { b = 1\nc = 2\n}\n", "a { b = 1\n}\n"] {
            let err = parse(text, &Limits::default()).unwrap_err();
            assert!(
                err.to_string().contains("one-line block"),
                "{text:?}: {err}"
            );
        }
    }
}
