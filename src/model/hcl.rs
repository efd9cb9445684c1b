//! Terraform HCL (`.tf`): the files of one folder form a module, evaluated
//! statically into the shape `.tf.json` and plans give the policies.
//!
//! What can be known without running Terraform is computed: literals, template
//! strings, `var.x` (the caller's argument, else the default), `local.x`,
//! `jsonencode`, `merge`, `concat`, `tomap`, `tolist`, `toset`, `lower`,
//! `upper`, `join` and the `to*` conversions of known values, conditionals
//! with a known condition, and arithmetic and comparison of known operands.
//! References to resources (`aws_iam_role.lex.arn`) become unknown values that
//! carry the reference, so cross-resource policies can follow them. Anything
//! else (`for` expressions, `dynamic` blocks, `count.index`, `each.value`, data
//! sources, other functions, module outputs) is unknown, never a guess.
//!
//! Blocks take the shapes the policies already read: a resource's attributes
//! are its properties, and its nested blocks become lists of objects, as in
//! plans. A value read through a variable or local is reported where it is
//! used, in the resource's own file.
//!
//! `module` blocks whose `source` is a local path (`./x`, `../x`) are followed,
//! with their arguments as the module's variables; resource addresses carry the
//! module path (`module.bot.aws_lexv2models_bot.this`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Mode, Resource};
use crate::error::{FileError, ModelErrorKind};
use crate::node::{Entry, Node, Number, Reference, Unknown, Value};
use crate::parse::hcl::{
    Accessor, BinaryOp, Block, Body, Expr, ExprKind, File, Item, ObjectKey, TemplatePart, UnaryOp,
};
use crate::source::{SharedSource, Span};

/// One parsed `.tf` file of a module.
#[derive(Debug)]
pub struct ModuleFile {
    pub source: SharedSource,
    pub file: File,
}

/// Reads and parses the `.tf` files of a module folder (the engine's job).
/// Files that fail to read or parse are errors; the others still make the module.
pub type Loader<'l> = dyn Fn(&Path) -> (Vec<ModuleFile>, Vec<FileError>) + 'l;

/// Modules calling modules deeper than this are not followed (a guard against
/// cycles the path check misses, such as symlinked folders).
const MAX_MODULE_DEPTH: usize = 16;

/// Variables and locals referring to each other are followed this many times.
const MAX_HOPS: usize = 16;

/// The resources of a root module and of the local modules it calls.
#[derive(Debug, Default)]
pub struct Built {
    pub resources: Vec<Resource<'static>>,
    /// The files of the modules called, for their suppression comments.
    pub files: Vec<ModuleFile>,
    pub errors: Vec<FileError>,
}

/// Evaluates the root module in `folder`, made of `files`.
pub fn build(folder: &Path, files: &[ModuleFile], loader: &Loader<'_>) -> Built {
    let mut built = Built::default();
    let mut stack = vec![crate::suppress::normalise(folder)];
    instantiate(files, "", HashMap::new(), loader, &mut stack, &mut built);
    built
}

/// Evaluates one module instance: its resources, then the modules it calls.
fn instantiate(
    files: &[ModuleFile],
    prefix: &str,
    arguments: HashMap<String, Node>,
    loader: &Loader<'_>,
    stack: &mut Vec<PathBuf>,
    built: &mut Built,
) {
    let scope = Scope::new(files, prefix, arguments);
    let first_resource = built.resources.len();
    for (file_index, module_file) in files.iter().enumerate() {
        for item in &module_file.file.body.items {
            let Item::Block(block) = item else { continue };
            let (mode, kind, name) = match (block.name.text.as_str(), block.labels.as_slice()) {
                ("resource", [kind, name]) => (Mode::Managed, kind, name),
                ("data", [kind, name]) => (Mode::Data, kind, name),
                ("module", [name]) => {
                    scope.call(file_index, block, &name.text, loader, stack, built);
                    continue;
                }
                _ => continue,
            };
            let Some(resource) = scope.resource(file_index, block, kind, name, mode) else {
                continue;
            };
            // Terraform refuses a module that declares one address twice.
            let duplicate = built
                .resources
                .get(first_resource..)
                .unwrap_or_default()
                .iter()
                .any(|r| r.id == resource.id);
            if duplicate {
                built.errors.push(FileError::Model {
                    file: module_file.source.clone(),
                    span: name.span,
                    kind: ModelErrorKind::DuplicateResource {
                        address: resource.id,
                    },
                });
                continue;
            }
            built.resources.push(resource);
        }
    }
}

/// What expressions of one module instance can refer to.
struct Scope<'f> {
    files: &'f [ModuleFile],
    /// `module.a.module.b.` for resources of nested module instances.
    prefix: String,
    /// Variable name to its value: the caller's argument, else the default, else unknown.
    variables: HashMap<&'f str, Binding<'f>>,
    locals: HashMap<&'f str, (usize, &'f Expr)>,
    /// Locals being evaluated or evaluated (memoised; `None` while in progress).
    local_values: RefCell<HashMap<&'f str, Option<Node>>>,
}

enum Binding<'f> {
    Argument(Node),
    Default(usize, &'f Expr),
    Unset,
}

impl<'f> Scope<'f> {
    fn new(
        files: &'f [ModuleFile],
        prefix: &str,
        mut arguments: HashMap<String, Node>,
    ) -> Scope<'f> {
        let mut variables = HashMap::new();
        let mut locals = HashMap::new();
        for (file_index, module_file) in files.iter().enumerate() {
            for item in &module_file.file.body.items {
                let Item::Block(block) = item else { continue };
                match (block.name.text.as_str(), block.labels.as_slice()) {
                    ("variable", [name]) => {
                        let binding = match arguments.remove(&name.text) {
                            Some(value) => Binding::Argument(value),
                            None => match attribute(&block.body, "default") {
                                Some(default) => Binding::Default(file_index, default),
                                None => Binding::Unset,
                            },
                        };
                        variables.insert(name.text.as_str(), binding);
                    }
                    ("locals", []) => {
                        for item in &block.body.items {
                            if let Item::Attribute(a) = item {
                                locals.insert(a.name.text.as_str(), (file_index, &a.value));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Scope {
            files,
            prefix: prefix.to_owned(),
            variables,
            locals,
            local_values: RefCell::new(HashMap::new()),
        }
    }

    fn text(&self, file_index: usize, span: Span) -> &'f str {
        self.files
            .get(file_index)
            .and_then(|f| f.source.text.get(span.start()..span.end()))
            .unwrap_or("")
    }

    fn resource(
        &self,
        file_index: usize,
        block: &Block,
        kind: &crate::parse::hcl::Ident,
        name: &crate::parse::hcl::Ident,
        mode: Mode,
    ) -> Option<Resource<'static>> {
        let source = self.files.get(file_index)?.source.clone();
        let eval = Eval {
            scope: self,
            file_index,
            hops: 0,
        };
        // A resource whose `count` or `for_each` is known to be empty does not exist.
        let empty = |key: &str| {
            attribute(&block.body, key).is_some_and(|expr| {
                let value = eval.expr(expr);
                match &value.value {
                    Value::Number(n) => n.value == 0.0,
                    Value::Array(items) => items.is_empty(),
                    Value::Object(entries) => entries.is_empty(),
                    _ => false,
                }
            })
        };
        if empty("count") || empty("for_each") {
            return None;
        }
        let id = match mode {
            Mode::Managed => format!("{}{}.{}", self.prefix, kind.text, name.text),
            Mode::Data => format!("{}data.{}.{}", self.prefix, kind.text, name.text),
        };
        let properties = eval.body(&block.body, block.span);
        Some(Resource {
            id,
            resource_type: kind.text.clone(),
            mode,
            key_span: name.span,
            properties: Some(Cow::Owned(properties)),
            properties_key_span: name.span,
            path_prefix: "",
            source: Some(source),
        })
    }

    /// Follows a `module` block with a local `source`.
    fn call(
        &self,
        file_index: usize,
        block: &Block,
        name: &str,
        loader: &Loader<'_>,
        stack: &mut Vec<PathBuf>,
        built: &mut Built,
    ) {
        let Some(module_file) = self.files.get(file_index) else {
            return;
        };
        let Some(source_expr) = attribute(&block.body, "source") else {
            return;
        };
        let ExprKind::String(source) = &source_expr.kind else {
            return;
        };
        // Registry and remote modules are outside the input.
        if !(source.starts_with("./") || source.starts_with("../")) {
            return;
        }
        let error = |kind| FileError::Model {
            file: module_file.source.clone(),
            span: source_expr.span,
            kind,
        };
        let here = module_file
            .source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let folder = crate::suppress::normalise(&here.join(source));
        if stack.contains(&folder) || stack.len() > MAX_MODULE_DEPTH {
            built.errors.push(error(ModelErrorKind::ModuleCycle {
                module: source.clone(),
            }));
            return;
        }
        if !folder.is_dir() {
            built.errors.push(error(ModelErrorKind::ModuleNotFound {
                module: source.clone(),
            }));
            return;
        }
        let eval = Eval {
            scope: self,
            file_index,
            hops: 0,
        };
        let mut arguments = HashMap::new();
        for item in &block.body.items {
            if let Item::Attribute(a) = item {
                if !matches!(
                    a.name.text.as_str(),
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    arguments.insert(a.name.text.clone(), eval.expr(&a.value));
                }
            }
        }
        let (files, errors) = loader(&folder);
        built.errors.extend(errors);
        let prefix = format!("{}module.{name}.", self.prefix);
        stack.push(folder);
        instantiate(&files, &prefix, arguments, loader, stack, built);
        stack.pop();
        built.files.extend(files);
    }
}

/// Evaluates one expression written inside `${…}` of a `.tf.json` string, with
/// the file's variable defaults (locals and references stay unknown here; the
/// `.tf.json` resolver handles plain `local.x` and references itself). Every
/// span of the result is `span`, the string's: the expression has no place of
/// its own in the file.
pub(crate) fn evaluate_expression(
    text: &str,
    variables: &HashMap<&str, Option<&Node>>,
    span: Span,
) -> Node {
    let expr = match crate::parse::hcl::parse_expression(text, &crate::parse::Limits::default()) {
        Ok(expr) => expr,
        Err(err) => {
            return super::resolve::unknown_at(
                span,
                format!("expression `{text}` does not parse: {err}"),
                Vec::new(),
            )
        }
    };
    let source = std::sync::Arc::new(crate::source::SourceFile::new(
        "<expression>",
        text.to_owned(),
        crate::source::Encoding::Utf8,
    ));
    let files = [ModuleFile {
        source,
        file: File {
            body: Body::default(),
            comments: Vec::new(),
        },
    }];
    let scope = Scope {
        files: &files,
        prefix: String::new(),
        variables: variables
            .iter()
            .map(|(name, default)| {
                let binding = match default {
                    Some(value) => Binding::Argument((*value).clone()),
                    None => Binding::Unset,
                };
                (*name, binding)
            })
            .collect(),
        locals: HashMap::new(),
        local_values: RefCell::new(HashMap::new()),
    };
    let value = Eval {
        scope: &scope,
        file_index: 0,
        hops: 0,
    }
    .expr(&expr);
    relocated(value, span)
}

/// The first attribute `name` of a body.
fn attribute<'b>(body: &'b Body, name: &str) -> Option<&'b Expr> {
    body.items.iter().find_map(|item| match item {
        Item::Attribute(a) if a.name.text == name => Some(&a.value),
        _ => None,
    })
}

/// Evaluates expressions written in one file of a module instance.
struct Eval<'s, 'f> {
    scope: &'s Scope<'f>,
    file_index: usize,
    hops: usize,
}

impl Eval<'_, '_> {
    /// A block body as an object: attributes as entries, nested blocks as lists
    /// of objects under their type (`dynamic` blocks are unknown).
    fn body(&self, body: &Body, span: Span) -> Node {
        let mut entries: Vec<Entry> = Vec::with_capacity(body.items.len());
        for item in &body.items {
            match item {
                Item::Attribute(a) => entries.push(Entry {
                    key: a.name.text.clone(),
                    key_span: a.name.span,
                    value: self.expr(&a.value),
                }),
                Item::Block(block) if block.name.text == "dynamic" => {
                    let Some(label) = block.labels.first() else {
                        continue;
                    };
                    let unknown = self.unknown(
                        block.span,
                        format!(
                            "`dynamic \"{}\"` blocks are expanded only by Terraform",
                            label.text
                        ),
                        Vec::new(),
                    );
                    match entries.iter_mut().find(|e| e.key == label.text) {
                        Some(entry) => entry.value = unknown,
                        None => entries.push(Entry {
                            key: label.text.clone(),
                            key_span: label.span,
                            value: unknown,
                        }),
                    }
                }
                Item::Block(block) => {
                    let value = self.body(&block.body, block.span);
                    match entries.iter_mut().find(|e| e.key == block.name.text) {
                        Some(entry) => {
                            if let Value::Array(items) = &mut entry.value.value {
                                items.push(value);
                            }
                        }
                        None => entries.push(Entry {
                            key: block.name.text.clone(),
                            key_span: block.name.span,
                            value: Node::new(block.span, Value::Array(vec![value])),
                        }),
                    }
                }
            }
        }
        Node::new(span, Value::Object(entries))
    }

    fn unknown(&self, span: Span, reason: String, references: Vec<Reference>) -> Node {
        super::resolve::unknown_at(span, reason, references)
    }

    fn source_text(&self, span: Span) -> &str {
        self.scope.text(self.file_index, span)
    }

    fn not_static(&self, expr: &Expr) -> Node {
        self.unknown(
            expr.span,
            format!(
                "expression `{}` is evaluated only by Terraform",
                self.source_text(expr.span)
            ),
            Vec::new(),
        )
    }

    fn expr(&self, expr: &Expr) -> Node {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Null => Node::new(span, Value::Null),
            ExprKind::Bool(b) => Node::new(span, Value::Bool(*b)),
            ExprKind::Number(n) => Node::new(span, Value::Number(n.clone())),
            ExprKind::String(s) => Node::new(span, Value::String(s.clone())),
            ExprKind::Template(parts) => self.template(expr, parts),
            ExprKind::Array(items) => Node::new(
                span,
                Value::Array(items.iter().map(|i| self.expr(i)).collect()),
            ),
            ExprKind::Object(items) => {
                let mut entries: Vec<Entry> = Vec::with_capacity(items.len());
                for item in items {
                    let (key, key_span) = match &item.key {
                        ObjectKey::Ident(ident) => (ident.text.clone(), ident.span),
                        ObjectKey::Expr(key) => match self.expr(key).value {
                            Value::String(s) => (s, key.span),
                            Value::Number(n) => (n.raw, key.span),
                            _ => return self.not_static(expr),
                        },
                    };
                    let value = self.expr(&item.value);
                    // Later keys win, as in Terraform's object constructor.
                    entries.retain(|e| e.key != key);
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                Node::new(span, Value::Object(entries))
            }
            ExprKind::Parens(inner) => {
                let mut node = self.expr(inner);
                node.span = span;
                node
            }
            ExprKind::Traversal(root, accessors) => self.traversal(expr, root, accessors),
            ExprKind::Variable(_) | ExprKind::For => self.not_static(expr),
            ExprKind::Call { name, args, expand } => {
                if *expand {
                    return self.not_static(expr);
                }
                let values: Vec<Node> = args.iter().map(|a| self.expr(a)).collect();
                call(name, values, span).unwrap_or_else(|| self.not_static(expr))
            }
            ExprKind::Conditional(condition, yes, no) => match self.expr(condition).value {
                Value::Bool(true) => relocated(self.expr(yes), span),
                Value::Bool(false) => relocated(self.expr(no), span),
                _ => self.not_static(expr),
            },
            ExprKind::Unary(op, operand) => match (op, self.expr(operand).value) {
                (UnaryOp::Not, Value::Bool(b)) => Node::new(span, Value::Bool(!b)),
                (UnaryOp::Negate, Value::Number(n)) => number(-n.value, span),
                _ => self.not_static(expr),
            },
            ExprKind::Binary(op, left, right) => {
                let (left, right) = (self.expr(left), self.expr(right));
                binary(*op, &left.value, &right.value, span)
                    .unwrap_or_else(|| self.not_static(expr))
            }
        }
    }

    /// A template string: known when every interpolation is; else unknown with
    /// the known text and `${…}` placeholders, and the references found.
    fn template(&self, expr: &Expr, parts: &[TemplatePart]) -> Node {
        // `"${x}"` alone is the value of `x`, not converted to a string (HCL's
        // interpolation-only rule, as for `.tf.json` strings).
        if let [TemplatePart::Interpolation(inner)] = parts {
            return relocated_shallow(self.expr(inner), expr.span);
        }
        let mut text = String::new();
        let mut partial = false;
        let mut references = Vec::new();
        for part in parts {
            match part {
                TemplatePart::Literal(literal) => text.push_str(literal),
                TemplatePart::Directive(_) => {
                    return self.unknown(
                        expr.span,
                        "template directives (`%{…}`) are evaluated only by Terraform".to_owned(),
                        Vec::new(),
                    )
                }
                TemplatePart::Interpolation(inner) => match self.expr(inner).value {
                    Value::String(s) => text.push_str(&s),
                    Value::Number(n) => text.push_str(&n.raw),
                    Value::Bool(b) => text.push_str(if b { "true" } else { "false" }),
                    other => {
                        partial = true;
                        if let Value::Unknown(u) = other {
                            references.extend(u.references);
                        }
                        text.push_str("${");
                        text.push_str(self.source_text(inner.span));
                        text.push('}');
                    }
                },
            }
        }
        if !partial {
            return Node::new(expr.span, Value::String(text));
        }
        Node::new(
            expr.span,
            Value::Unknown(Box::new(Unknown {
                reason: format!(
                    "template string `{}` is evaluated only by Terraform",
                    self.source_text(expr.span)
                ),
                references,
                configured: true,
                after_apply: false,
                partial: Some(text),
            })),
        )
    }

    fn traversal(&self, expr: &Expr, root: &Expr, accessors: &[Accessor]) -> Node {
        let span = expr.span;
        let ExprKind::Variable(name) = &root.kind else {
            let value = self.expr(root);
            return self.access(expr, value, accessors);
        };
        let attr = |i: usize| match accessors.get(i) {
            Some(Accessor::Attr(a)) => Some(a.text.as_str()),
            _ => None,
        };
        match name.as_str() {
            "var" => {
                let Some(variable) = attr(0) else {
                    return self.not_static(expr);
                };
                let value = match self.scope.variables.get(variable) {
                    Some(Binding::Argument(value)) => value.clone(),
                    Some(Binding::Default(file_index, default)) if self.hops < MAX_HOPS => Eval {
                        scope: self.scope,
                        file_index: *file_index,
                        hops: self.hops + 1,
                    }
                    .expr(default),
                    Some(_) => {
                        return self.unknown(
                            span,
                            format!("variable `{variable}` has no default"),
                            Vec::new(),
                        )
                    }
                    None => {
                        return self.unknown(
                            span,
                            format!("variable `{variable}` is not declared in this module"),
                            Vec::new(),
                        )
                    }
                };
                self.access(
                    expr,
                    relocated(value, span),
                    accessors.get(1..).unwrap_or(&[]),
                )
            }
            "local" => {
                let Some(local) = attr(0) else {
                    return self.not_static(expr);
                };
                let value = self.local(local, span);
                self.access(
                    expr,
                    relocated(value, span),
                    accessors.get(1..).unwrap_or(&[]),
                )
            }
            "count" | "each" | "path" | "terraform" | "self" => self.not_static(expr),
            _ => {
                let text = self.source_text(span);
                let reference = super::plan::parse_reference(text, &self.scope.prefix);
                match reference {
                    Some(reference) => {
                        self.unknown(span, super::plan::reference_reason(text), vec![reference])
                    }
                    None => self.not_static(expr),
                }
            }
        }
    }

    fn local(&self, name: &str, span: Span) -> Node {
        let Some((file_index, expr)) = self.scope.locals.get(name).copied() else {
            return self.unknown(
                span,
                format!("local `{name}` is not declared in this module"),
                Vec::new(),
            );
        };
        if let Some(state) = self.scope.local_values.borrow().get(name) {
            return match state {
                Some(value) => value.clone(),
                None => self.unknown(span, format!("local `{name}` refers to itself"), Vec::new()),
            };
        }
        if self.hops >= MAX_HOPS {
            return self.not_static(expr);
        }
        let Some((key, _)) = self.scope.locals.get_key_value(name) else {
            return self.not_static(expr);
        };
        self.scope.local_values.borrow_mut().insert(key, None);
        let value = Eval {
            scope: self.scope,
            file_index,
            hops: self.hops + 1,
        }
        .expr(expr);
        self.scope
            .local_values
            .borrow_mut()
            .insert(key, Some(value.clone()));
        value
    }

    /// Applies attribute and index accessors to a known value.
    fn access(&self, expr: &Expr, mut value: Node, accessors: &[Accessor]) -> Node {
        for accessor in accessors {
            if matches!(value.value, Value::Unknown(_)) {
                return value;
            }
            let next = match (accessor, &value.value) {
                (Accessor::Attr(a), Value::Object(_)) => value.get(&a.text).cloned(),
                (Accessor::Index(index), _) => {
                    let index = self.expr(index);
                    match (&index.value, &value.value) {
                        (Value::String(key), Value::Object(_)) => value.get(key).cloned(),
                        (Value::Number(n), Value::Array(items)) => n
                            .integer
                            .and_then(|i| usize::try_from(i).ok())
                            .and_then(|i| items.get(i).cloned()),
                        _ => None,
                    }
                }
                (Accessor::LegacyIndex(i, _), Value::Array(items)) => {
                    usize::try_from(*i).ok().and_then(|i| items.get(i).cloned())
                }
                _ => None,
            };
            match next {
                Some(next) => value = relocated(next, expr.span),
                None => return self.not_static(expr),
            }
        }
        value
    }
}

/// Moves a value read through a variable or local to where it is used.
fn relocated(mut node: Node, span: Span) -> Node {
    crate::node::relocate(&mut node, span);
    node
}

fn number(value: f64, span: Span) -> Node {
    let number = if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Number::from_i64(value as i64)
    } else {
        Number {
            raw: value.to_string(),
            value,
            integer: None,
        }
    };
    Node::new(span, Value::Number(number))
}

/// The functions evaluated statically, when every argument is known.
fn call(name: &str, args: Vec<Node>, span: Span) -> Option<Node> {
    if name != "jsonencode" && args.iter().any(contains_unknown) {
        return None;
    }
    let node = |value| Some(Node::new(span, value));
    match (name, args.as_slice()) {
        // The document itself rather than its text: policies step into
        // embedded JSON documents anyway, and this way findings point at the
        // exact line inside the `jsonencode({…})`, and known parts stay known
        // when others (a resource's ARN) are not.
        ("jsonencode", [value]) => Some(relocated_shallow(value.clone(), span)),
        ("tomap" | "tolist" | "toset", [value]) => Some(relocated_shallow(value.clone(), span)),
        ("tostring", [value]) => match &value.value {
            Value::String(_) => Some(relocated_shallow(value.clone(), span)),
            Value::Number(n) => node(Value::String(n.raw.clone())),
            Value::Bool(b) => node(Value::String(b.to_string())),
            _ => None,
        },
        ("tonumber", [value]) => match &value.value {
            Value::Number(_) => Some(relocated_shallow(value.clone(), span)),
            Value::String(s) => Number::parse(s).map(|n| Node::new(span, Value::Number(n))),
            _ => None,
        },
        ("tobool", [value]) => match &value.value {
            Value::Bool(_) => Some(relocated_shallow(value.clone(), span)),
            Value::String(s) if s == "true" || s == "false" => node(Value::Bool(s == "true")),
            _ => None,
        },
        ("lower", [value]) => node(Value::String(value.as_str()?.to_lowercase())),
        ("upper", [value]) => node(Value::String(value.as_str()?.to_uppercase())),
        ("merge", objects) => {
            let mut entries: Vec<Entry> = Vec::new();
            for object in objects {
                match &object.value {
                    Value::Object(more) => {
                        for entry in more {
                            entries.retain(|e| e.key != entry.key);
                            entries.push(entry.clone());
                        }
                    }
                    Value::Null => {}
                    _ => return None,
                }
            }
            node(Value::Object(entries))
        }
        ("concat", lists) => {
            let mut items = Vec::new();
            for list in lists {
                items.extend(list.as_array()?.iter().cloned());
            }
            node(Value::Array(items))
        }
        ("join", [separator, list]) => {
            let separator = separator.as_str()?;
            let parts: Option<Vec<String>> = list
                .as_array()?
                .iter()
                .map(|item| match &item.value {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.raw.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            node(Value::String(parts?.join(separator)))
        }
        _ => None,
    }
}

/// A conversion returns its argument where the call is written.
fn relocated_shallow(mut node: Node, span: Span) -> Node {
    node.span = span;
    node
}

fn contains_unknown(node: &Node) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Unknown(_) => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    false
}

fn binary(op: BinaryOp, left: &Value, right: &Value, span: Span) -> Option<Node> {
    let boolean = |b| Some(Node::new(span, Value::Bool(b)));
    match (op, left, right) {
        (BinaryOp::Or, Value::Bool(a), Value::Bool(b)) => boolean(*a || *b),
        (BinaryOp::And, Value::Bool(a), Value::Bool(b)) => boolean(*a && *b),
        (BinaryOp::Equal | BinaryOp::NotEqual, a, b)
            if !matches!(a, Value::Unknown(_)) && !matches!(b, Value::Unknown(_)) =>
        {
            let equal =
                Node::new(span, a.clone()).to_json() == Node::new(span, b.clone()).to_json();
            boolean(equal == (op == BinaryOp::Equal))
        }
        (_, Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.value, b.value);
            match op {
                BinaryOp::Less => boolean(a < b),
                BinaryOp::LessEqual => boolean(a <= b),
                BinaryOp::Greater => boolean(a > b),
                BinaryOp::GreaterEqual => boolean(a >= b),
                BinaryOp::Add => Some(number(a + b, span)),
                BinaryOp::Subtract => Some(number(a - b, span)),
                BinaryOp::Multiply => Some(number(a * b, span)),
                BinaryOp::Divide if b != 0.0 => Some(number(a / b, span)),
                BinaryOp::Modulo if b != 0.0 => Some(number(a % b, span)),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Limits;
    use crate::source::{Encoding, SourceFile};
    use std::sync::Arc;

    /// The properties of the one resource in `text`.
    fn properties(text: &str) -> Node {
        let source = Arc::new(SourceFile::new("main.tf", text.to_owned(), Encoding::Utf8));
        let file = crate::parse::hcl::parse(text, &Limits::default()).unwrap();
        let files = [ModuleFile { source, file }];
        let built = build(Path::new("."), &files, &|_| (Vec::new(), Vec::new()));
        assert!(built.errors.is_empty(), "{:?}", built.errors);
        let resource = built.resources.into_iter().next().unwrap();
        resource.properties.unwrap().into_owned()
    }

    #[test]
    fn an_interpolation_only_template_is_the_value_itself() {
        let body = properties(concat!(
            "variable \"regions\" {\n  default = [\"eu-west-1\"]\n}\n",
            "variable \"on\" {\n  default = true\n}\n",
            "resource \"awscc_lex_bot\" \"b\" {\n",
            "  regions = \"${var.regions}\"\n",
            "  enabled = \"${var.on}\"\n",
            "  key     = \"${aws_kms_key.k.arn}\"\n",
            "  mixed   = \"x-${var.on}\"\n",
            "}\n",
        ));
        let regions = body.get("regions").unwrap();
        let items = regions.as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items.first().and_then(Node::as_str), Some("eu-west-1"));
        assert!(matches!(
            body.get("enabled").unwrap().value,
            Value::Bool(true)
        ));
        let key = body.get("key").unwrap().as_unknown().unwrap();
        assert_eq!(
            key.references.first().map(|r| r.target.as_str()),
            Some("aws_kms_key.k")
        );
        assert_eq!(body.get("mixed").unwrap().as_str(), Some("x-true"));
    }
}
