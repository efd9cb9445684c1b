//! Lazy interpretation of dialect-specific values: CloudFormation intrinsic
//! functions and Terraform `${…}` expressions.
//!
//! The engine asks the resolver for every node it reads. A value the resolver can
//! work out becomes a node; one it cannot becomes a [`Value::Unknown`] node (never
//! a guess), carrying the references it found so policies can follow them.

use std::collections::HashMap;

use typed_arena::Arena;

use super::as_intrinsic;
use crate::node::{Node, Reference, Unknown, Value};

#[derive(Debug)]
pub enum Resolver<'d> {
    CloudFormation {
        /// Parameter name to its `Default`, if any.
        parameters: HashMap<&'d str, Option<&'d Node>>,
        /// Logical ID to resource type.
        resource_types: HashMap<&'d str, &'d str>,
        mappings: Option<&'d Node>,
        /// Account, Region and partition for the pseudo parameters.
        environment: super::Environment,
    },
    TerraformConfig {
        /// Variable name to its `default`, if any.
        variables: HashMap<&'d str, Option<&'d Node>>,
        locals: HashMap<&'d str, &'d Node>,
    },
    /// Plan and state values are literal (unknowns were merged in by the model).
    Literal,
}

/// Outcome of resolving one node.
pub type Resolved<'a> = Option<&'a Node>;

/// Parameters and locals that point at each other are followed this many times.
const MAX_HOPS: usize = 8;

impl<'d> Resolver<'d> {
    /// The condition name and the two branches of a CloudFormation `Fn::If`.
    pub fn branches<'a>(&self, node: &'a Node) -> Option<(&'a str, &'a Node, &'a Node)> {
        let Resolver::CloudFormation { .. } = self else {
            return None;
        };
        match as_intrinsic(node)? {
            ("Fn::If", args) => match args.as_array()? {
                [condition, yes, no] => Some((condition.as_str()?, yes, no)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value a node stands for: itself, another node (a parameter default), a
    /// computed or unknown node allocated in `arena`, or `None` when the value is
    /// removed (`Ref: AWS::NoValue`).
    pub fn resolve<'a>(&self, node: &'a Node, arena: &'a Arena<Node>) -> Resolved<'a>
    where
        'd: 'a,
    {
        self.resolve_hops(node, arena, 0)
    }

    fn resolve_hops<'a>(&self, node: &'a Node, arena: &'a Arena<Node>, hops: usize) -> Resolved<'a>
    where
        'd: 'a,
    {
        match self {
            Resolver::Literal => Some(node),
            Resolver::CloudFormation {
                parameters,
                resource_types,
                mappings,
                environment,
            } => {
                let Some((function, argument)) = as_intrinsic(node) else {
                    return Some(node);
                };
                let unknown = |reason: String, references: Vec<Reference>| {
                    Some(&*arena.alloc(unknown_node(node, reason, references)))
                };
                match (function, argument.as_str()) {
                    ("Ref", Some("AWS::NoValue")) => None,
                    (
                        "Ref",
                        Some(pseudo @ ("AWS::Partition" | "AWS::AccountId" | "AWS::Region")),
                    ) if environment.pseudo(pseudo).is_some() => {
                        let value = environment.pseudo(pseudo).unwrap_or_default().to_owned();
                        Some(&*arena.alloc(Node::new(node.span, Value::String(value))))
                    }
                    ("Ref", Some(name)) if name.starts_with("AWS::") => unknown(
                        format!("pseudo parameter `{name}` is known only at deploy time"),
                        Vec::new(),
                    ),
                    ("Ref", Some(name)) => {
                        if let Some(default) = parameters.get(name) {
                            return match default {
                                Some(value) if hops < MAX_HOPS => {
                                    self.resolve_hops(value, arena, hops + 1)
                                }
                                _ => unknown(
                                    format!("parameter `{name}` has no default"),
                                    Vec::new(),
                                ),
                            };
                        }
                        match resource_types.get(name) {
                            Some(ty) => unknown(
                                format!("`Ref` to resource `{name}` is known only at deploy time"),
                                vec![Reference {
                                    target: name.to_owned(),
                                    target_type: Some((*ty).to_owned()),
                                    attribute: None,
                                }],
                            ),
                            None => unknown(
                                format!("`Ref` to `{name}`, which is not in the template"),
                                Vec::new(),
                            ),
                        }
                    }
                    ("Fn::GetAtt", _) => {
                        let (target, attribute) = get_att_parts(argument);
                        let target_type = target
                            .as_deref()
                            .and_then(|t| resource_types.get(t))
                            .map(|t| (*t).to_owned());
                        let shown = match (&target, &attribute) {
                            (Some(t), Some(a)) => format!("{t}.{a}"),
                            (Some(t), None) => t.clone(),
                            _ => String::new(),
                        };
                        let in_template = target_type.is_some();
                        unknown(
                            if target.is_none() {
                                "`Fn::GetAtt` needs a `Resource.Attribute` argument (or a list of the two)"
                                    .to_owned()
                            } else if in_template {
                                format!("`Fn::GetAtt {shown}` is known only at deploy time")
                            } else {
                                format!("`Fn::GetAtt {shown}` names a resource that is not in the template")
                            },
                            target
                                .map(|target| Reference {
                                    target,
                                    target_type,
                                    attribute,
                                })
                                .into_iter()
                                .collect(),
                        )
                    }
                    ("Fn::Sub", _) | ("Fn::Join", _) => {
                        let built = if function == "Fn::Sub" {
                            self.substitute(argument, arena, hops)
                        } else {
                            self.join(argument, arena, hops)
                        };
                        match built {
                            Some(Text::Known(text)) => {
                                Some(&*arena.alloc(Node::new(node.span, Value::String(text))))
                            }
                            Some(Text::Partial(text, references)) => {
                                let mut n = unknown_node(
                                    node,
                                    format!("`{function}` depends on values known only at deploy time: `{text}`"),
                                    references,
                                );
                                if let Value::Unknown(u) = &mut n.value {
                                    u.partial = Some(text);
                                }
                                Some(&*arena.alloc(n))
                            }
                            None => unknown(
                                format!("`{function}` has arguments that cannot be evaluated"),
                                Vec::new(),
                            ),
                        }
                    }
                    ("Fn::Select", _) => {
                        let picked = argument.as_array().and_then(|args| {
                            let index = self.resolve_hops(args.first()?, arena, hops + 1)?;
                            let index = match &index.value {
                                Value::Number(n) => n.integer,
                                Value::String(s) => s.trim().parse::<i64>().ok(),
                                _ => None,
                            }?;
                            let list = self.resolve_hops(args.get(1)?, arena, hops + 1)?;
                            list.as_array()?.get(usize::try_from(index).ok()?)
                        });
                        match picked {
                            Some(item) if hops < MAX_HOPS => {
                                self.resolve_hops(item, arena, hops + 1)
                            }
                            _ => unknown(
                                "`Fn::Select` has arguments that cannot be evaluated".to_owned(),
                                Vec::new(),
                            ),
                        }
                    }
                    ("Fn::FindInMap", _) => {
                        let found = argument.as_array().and_then(|args| {
                            let mut node = (*mappings)?;
                            for key in args.iter().take(3) {
                                let key = self.resolve_hops(key, arena, hops + 1)?;
                                let key = match &key.value {
                                    Value::String(s) => s.clone(),
                                    Value::Number(n) => n.raw.clone(),
                                    _ => return None,
                                };
                                node = node.get(&key)?;
                            }
                            Some(node)
                        });
                        match found {
                            Some(value) if hops < MAX_HOPS => self.resolve_hops(value, arena, hops + 1),
                            _ => unknown("`Fn::FindInMap` names keys that cannot be evaluated or are not in `Mappings`".to_owned(), Vec::new()),
                        }
                    }
                    ("Fn::Split", _) => {
                        let parts = argument.as_array().and_then(|args| {
                            let delimiter = args.first()?.as_str()?;
                            let text = self.resolve_hops(args.get(1)?, arena, hops + 1)?;
                            let text = text.as_str()?;
                            (!delimiter.is_empty()).then(|| {
                                text.split(delimiter)
                                    .map(|p| Node::new(node.span, Value::String(p.to_owned())))
                                    .collect::<Vec<_>>()
                            })
                        });
                        match parts {
                            Some(parts) => {
                                Some(&*arena.alloc(Node::new(node.span, Value::Array(parts))))
                            }
                            None => unknown(
                                "`Fn::Split` has arguments that cannot be evaluated".to_owned(),
                                Vec::new(),
                            ),
                        }
                    }
                    ("Fn::ImportValue", _) => unknown(
                        "`Fn::ImportValue` reads another stack's export, outside the input"
                            .to_owned(),
                        Vec::new(),
                    ),
                    (function, _) => unknown(
                        format!("`{function}` is not evaluated statically"),
                        Vec::new(),
                    ),
                }
            }
            Resolver::TerraformConfig { variables, locals } => {
                let Some(text) = node.as_str() else {
                    return Some(node);
                };
                if !text.contains("${") && !text.contains("%{") {
                    return Some(node);
                }
                let expression = match single_interpolation(text) {
                    Interpolation::None => return Some(node),
                    Interpolation::Escaped(literal) => {
                        return Some(&*arena.alloc(Node::new(node.span, Value::String(literal))))
                    }
                    Interpolation::Template => {
                        return Some(&*arena.alloc(self.template(node, text, arena, hops)))
                    }
                    Interpolation::Single(expression) => expression.trim(),
                };
                if let Some(name) = simple_name(expression, "var.") {
                    return match variables.get(name) {
                        Some(Some(default)) if hops < MAX_HOPS => {
                            self.resolve_hops(default, arena, hops + 1)
                        }
                        Some(_) => Some(&*arena.alloc(unknown_node(
                            node,
                            format!("variable `{name}` has no default"),
                            Vec::new(),
                        ))),
                        None => Some(&*arena.alloc(unknown_node(
                            node,
                            format!("variable `{name}` is not declared in this file"),
                            Vec::new(),
                        ))),
                    };
                }
                if let Some(name) = simple_name(expression, "local.") {
                    if let Some(value) = locals.get(name) {
                        if hops < MAX_HOPS {
                            return self.resolve_hops(value, arena, hops + 1);
                        }
                    }
                }
                if !is_traversal(expression) {
                    // A function call or operator: HCL's own evaluator computes
                    // what is known (`jsonencode` of a document, `merge` of
                    // literals); the rest stays unknown with its reason.
                    let value = super::hcl::evaluate_expression(expression, variables, node.span);
                    return Some(&*arena.alloc(value));
                }
                let references: Vec<Reference> = super::plan::parse_reference(expression, "")
                    .into_iter()
                    .collect();
                let reason = if references.is_empty() {
                    format!("expression `{expression}` is evaluated only by Terraform")
                } else {
                    super::plan::reference_reason(expression)
                };
                Some(&*arena.alloc(unknown_node(node, reason, references)))
            }
        }
    }
}

impl<'d> Resolver<'d> {
    /// A Terraform template string (`"${aws_cloudwatch_log_group.x.arn}:*"`):
    /// known when every interpolation is, else unknown with the known text,
    /// placeholders, and the resources the interpolations reference.
    fn template<'a>(&self, node: &'a Node, text: &str, arena: &'a Arena<Node>, hops: usize) -> Node
    where
        'd: 'a,
    {
        // Templates nest templates; a hostile file must not nest them forever.
        if hops >= MAX_HOPS {
            return unknown_node(
                node,
                format!("template string `{text}` nests too deeply to evaluate"),
                Vec::new(),
            );
        }
        let mut out = String::with_capacity(text.len());
        let mut references = Vec::new();
        let mut partial = false;
        let mut rest = text;
        while let Some(start) = rest.find("${").or_else(|| rest.find("%{")) {
            let (head, tail) = rest.split_at(start);
            if head.ends_with('$') || head.ends_with('%') {
                // `$${` / `%%{` escape: a literal.
                out.push_str(head.get(..head.len().saturating_sub(1)).unwrap_or(""));
                out.push_str(tail.get(..2).unwrap_or(""));
                rest = tail.get(2..).unwrap_or("");
                continue;
            }
            out.push_str(head);
            let Some(close) = matching_brace(tail, 2) else {
                partial = true;
                out.push_str(tail);
                rest = "";
                break;
            };
            let expression = tail.get(2..close).unwrap_or("").trim();
            rest = tail.get(close + 1..).unwrap_or("");
            let directive = tail.starts_with('%');
            let inner = Node::new(node.span, Value::String(format!("${{{expression}}}")));
            let value = if directive {
                None
            } else {
                let inner: &'a Node = arena.alloc(inner);
                self.resolve_hops(inner, arena, hops + 1)
            };
            match value.map(|v| &v.value) {
                Some(Value::String(s)) => out.push_str(s),
                Some(Value::Number(n)) => out.push_str(&n.raw),
                Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
                other => {
                    partial = true;
                    if let Some(Value::Unknown(u)) = other {
                        references.extend(u.references.iter().cloned());
                    }
                    out.push_str("${");
                    out.push_str(expression);
                    out.push('}');
                }
            }
        }
        out.push_str(rest);
        if !partial {
            return Node::new(node.span, Value::String(out));
        }
        let mut unknown = unknown_node(
            node,
            format!("template string `{text}` is evaluated only by Terraform"),
            references,
        );
        if let Value::Unknown(u) = &mut unknown.value {
            u.partial = Some(out);
        }
        unknown
    }
}

/// A string built by `Fn::Sub` or `Fn::Join`.
enum Text {
    Known(String),
    /// Text with `${…}` placeholders for what is unknown, and the resources referenced.
    Partial(String, Vec<Reference>),
}

impl<'d> Resolver<'d> {
    /// `Fn::Sub`: a string, or `[string, {name: value}]`. `${Name}` is a `Ref`,
    /// `${Name.Attr}` a `GetAtt`, `${!Literal}` the literal `${Literal}`.
    fn substitute<'a>(
        &self,
        argument: &'a Node,
        arena: &'a Arena<Node>,
        hops: usize,
    ) -> Option<Text>
    where
        'd: 'a,
    {
        let (template, vars) = match &argument.value {
            Value::String(s) => (s.as_str(), None),
            Value::Array(items) => (items.first()?.as_str()?, items.get(1)),
            _ => return None,
        };
        let mut out = String::with_capacity(template.len());
        let mut references = Vec::new();
        let mut partial = false;
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(rest.get(..start)?);
            let after = rest.get(start + 2..)?;
            let end = after.find('}')?;
            let name = after.get(..end)?.trim();
            rest = after.get(end + 1..)?;
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            // A variable of the second argument, or a Ref/GetAtt written inline.
            let synthetic;
            let value: &Node = match vars.and_then(|v| v.get(name)) {
                Some(v) => v,
                None => {
                    let (key, arg) = match name.split_once('.') {
                        Some((target, attribute)) => (
                            "Fn::GetAtt",
                            Value::Array(vec![
                                Node::new(argument.span, Value::String(target.to_owned())),
                                Node::new(argument.span, Value::String(attribute.to_owned())),
                            ]),
                        ),
                        None => ("Ref", Value::String(name.to_owned())),
                    };
                    synthetic = Node::new(
                        argument.span,
                        Value::Object(vec![crate::node::Entry {
                            key: key.to_owned(),
                            key_span: argument.span,
                            value: Node::new(argument.span, arg),
                        }]),
                    );
                    arena.alloc(synthetic)
                }
            };
            match self.resolve_hops(value, arena, hops + 1).map(|n| &n.value) {
                Some(Value::String(s)) => out.push_str(s),
                Some(Value::Number(n)) => out.push_str(&n.raw),
                Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
                Some(Value::Unknown(u)) => {
                    partial = true;
                    references.extend(u.references.iter().cloned());
                    out.push_str("${");
                    out.push_str(name);
                    out.push('}');
                }
                _ => return None,
            }
        }
        out.push_str(rest);
        Some(if partial {
            Text::Partial(out, references)
        } else {
            Text::Known(out)
        })
    }

    /// `Fn::Join: [delimiter, [parts]]`.
    fn join<'a>(&self, argument: &'a Node, arena: &'a Arena<Node>, hops: usize) -> Option<Text>
    where
        'd: 'a,
    {
        let items = argument.as_array()?;
        let delimiter = items.first()?.as_str()?;
        let parts = self
            .resolve_hops(items.get(1)?, arena, hops + 1)?
            .as_array()?;
        let mut texts = Vec::with_capacity(parts.len());
        let mut references = Vec::new();
        let mut partial = false;
        for part in parts {
            match self.resolve_hops(part, arena, hops + 1).map(|n| &n.value) {
                Some(Value::String(s)) => texts.push(s.clone()),
                Some(Value::Number(n)) => texts.push(n.raw.clone()),
                Some(Value::Unknown(u)) => {
                    partial = true;
                    references.extend(u.references.iter().cloned());
                    texts.push("${?}".to_owned());
                }
                _ => return None,
            }
        }
        let text = texts.join(delimiter);
        Some(if partial {
            Text::Partial(text, references)
        } else {
            Text::Known(text)
        })
    }
}

fn unknown_node(at: &Node, reason: String, references: Vec<Reference>) -> Node {
    unknown_at(at.span, reason, references)
}

/// An unknown value the user configured (an expression, a reference), at `span`.
pub(crate) fn unknown_at(
    span: crate::source::Span,
    reason: String,
    references: Vec<Reference>,
) -> Node {
    Node::new(
        span,
        Value::Unknown(Box::new(Unknown {
            reason,
            references,
            configured: true,
            after_apply: false,
            partial: None,
        })),
    )
}

/// `["A", "B"]` or `"A.B"` (split at the first dot).
fn get_att_parts(argument: &Node) -> (Option<String>, Option<String>) {
    match &argument.value {
        Value::String(s) => match s.split_once('.') {
            Some((a, b)) => (Some(a.to_owned()), Some(b.to_owned())),
            None => (Some(s.clone()), None),
        },
        Value::Array(items) => (
            items.first().and_then(Node::as_str).map(str::to_owned),
            items.get(1).and_then(Node::as_str).map(str::to_owned),
        ),
        _ => (None, None),
    }
}

enum Interpolation<'t> {
    /// No live interpolation at all.
    None,
    /// Only `$${`/`%%{` escapes: the literal text after unescaping.
    Escaped(String),
    /// The whole string is one `${…}`: the expression inside.
    Single(&'t str),
    /// Text mixed with interpolations or directives.
    Template,
}

fn single_interpolation(text: &str) -> Interpolation<'_> {
    // One interpolation spanning the whole text, whatever it nests inside its
    // quoted strings (`${file("${path.module}/x.json")}`).
    if text.starts_with("${") && matching_brace(text, 2).is_some_and(|c| c + 1 == text.len()) {
        if let Some(inner) = text.get(2..text.len() - 1) {
            return Interpolation::Single(inner);
        }
    }
    let bytes = text.as_bytes();
    let mut live = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let pair = (bytes.get(i), bytes.get(i + 1));
        match pair {
            (Some(b'$' | b'%'), Some(b'$' | b'%'))
                if bytes.get(i + 2) == Some(&b'{') && bytes.get(i) == bytes.get(i + 1) =>
            {
                i += 3;
            }
            (Some(b'$' | b'%'), Some(b'{')) => {
                live.push(i);
                i += 2;
            }
            _ => i += 1,
        }
    }
    if live.is_empty() {
        return Interpolation::Escaped(text.replace("$${", "${").replace("%%{", "%{"));
    }
    if live.len() == 1 && live.first() == Some(&0) && text.starts_with("${") {
        if let Some(close) = matching_brace(text, 2) {
            if close + 1 == text.len() {
                return text
                    .get(2..close)
                    .map_or(Interpolation::Template, Interpolation::Single);
            }
        }
    }
    if live.len() > 1 || text.len() > 3 {
        Interpolation::Template
    } else {
        Interpolation::None
    }
}

/// Index of the `}` closing a `${` whose body starts at `from`, skipping nested
/// braces and quoted strings.
fn matching_brace(text: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, ch) in text.get(from..)?.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                if depth == 0 {
                    return Some(from + offset);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// `var.name` → `name` when the rest is a plain identifier.
fn simple_name<'t>(expression: &'t str, prefix: &str) -> Option<&'t str> {
    let name = expression.strip_prefix(prefix)?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .then_some(name)
}

/// A dotted traversal with optional index keys, and nothing else (no calls or operators).
fn is_traversal(expression: &str) -> bool {
    !expression.is_empty()
        && expression.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '"' | '*')
        })
}

#[cfg(test)]
mod tests {
    use super::super::shape::Shapes;
    use super::*;

    fn cfn(text: &str) -> Node {
        crate::parse::yaml::parse(text, &crate::parse::Limits::default()).unwrap()
    }

    #[test]
    fn sub_and_join_resolve_what_is_known_and_keep_placeholders() {
        let doc = cfn("Parameters:\n  Env: {Type: String, Default: prod}\n  Key: {Type: String}\nResources:\n  K: {Type: AWS::KMS::Key}\nValues:\n  a: !Sub 'arn:${AWS::Partition}:s3:::logs-${Env}'\n  b: !Sub 'arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}'\n  c: !Join ['-', [a, !Ref Env, !GetAtt K.Arn]]\n  d: !Sub ['${X}/${!Literal}', {X: !Ref Env}]\n");
        let (_, resolver) = super::super::cfn::build(
            &doc,
            super::super::Environment::default(),
            &mut Shapes::default(),
        );
        let arena = Arena::new();
        let value = |key: &str| {
            let node = doc.get("Values").and_then(|v| v.get(key)).unwrap();
            resolver.resolve(node, &arena).unwrap().clone()
        };
        assert_eq!(value("a").as_str(), Some("arn:aws:s3:::logs-prod"));
        let b = value("b");
        let b = b.as_unknown().unwrap();
        assert_eq!(
            b.partial.as_deref(),
            Some("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}")
        );
        let c = value("c");
        let c = c.as_unknown().unwrap();
        assert_eq!(c.partial.as_deref(), Some("a-prod-${?}"));
        assert_eq!(c.references.first().map(|r| r.target.as_str()), Some("K"));
        assert_eq!(value("d").as_str(), Some("prod/${Literal}"));
    }

    #[test]
    fn terraform_templates_keep_references_and_pseudo_parameters_follow_settings() {
        let doc = cfn(
            r#"{"variable": {"env": {"default": "prod"}}, "resource": {"x": {"y": {"a": "${aws_cloudwatch_log_group.lex.arn}:*", "b": "logs-${var.env}"}}}}"#,
        );
        let (_, resolver) = super::super::tfjson::build(&doc, &mut Shapes::default());
        let arena = Arena::new();
        let body = doc
            .get("resource")
            .and_then(|r| r.get("x"))
            .and_then(|r| r.get("y"))
            .unwrap();
        let a = resolver.resolve(body.get("a").unwrap(), &arena).unwrap();
        let a = a.as_unknown().unwrap();
        assert_eq!(
            a.partial.as_deref(),
            Some("${aws_cloudwatch_log_group.lex.arn}:*")
        );
        assert_eq!(
            a.references.first().map(|r| r.target.as_str()),
            Some("aws_cloudwatch_log_group.lex")
        );
        let b = resolver.resolve(body.get("b").unwrap(), &arena).unwrap();
        assert_eq!(b.as_str(), Some("logs-prod"));

        let doc = cfn("Values:\n  a: !Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:x'\n  m: !FindInMap [Env, prod, Ttl]\n  s: !Select [1, !Split [',', 'a,b,c']]\nMappings:\n  Env:\n    prod: {Ttl: 300}\n");
        let environment = super::super::Environment {
            account_id: Some("111122223333".into()),
            region: Some("eu-west-2".into()),
            partition: "aws-us-gov".into(),
        };
        let (_, resolver) = super::super::cfn::build(&doc, environment, &mut Shapes::default());
        let value = |key: &str| {
            let node = doc.get("Values").and_then(|v| v.get(key)).unwrap();
            resolver.resolve(node, &arena).unwrap().clone()
        };
        assert_eq!(
            value("a").as_str(),
            Some("arn:aws-us-gov:logs:eu-west-2:111122223333:log-group:x")
        );
        assert_eq!(value("m").as_f64(), Some(300.0));
        assert_eq!(value("s").as_str(), Some("b"));
    }

    /// A whole-text interpolation that nests `${…}` inside its quoted strings
    /// is one expression; before, it was re-read as a template of itself until
    /// the stack overflowed.
    #[test]
    fn nested_interpolations_in_strings_terminate() {
        let text = r#"${file("${path.module}/x.json")}"#;
        assert!(
            matches!(single_interpolation(text), Interpolation::Single(inner)
            if inner == r#"file("${path.module}/x.json")"#)
        );
        let resolver = Resolver::TerraformConfig {
            variables: HashMap::new(),
            locals: HashMap::new(),
        };
        let arena = Arena::new();
        for text in [text, r#"x-${a("${b("${c}")}")}-y"#] {
            let node = Node::new(crate::source::Span::new(0, 1), Value::String(text.into()));
            let resolved = resolver.resolve(&node, &arena).unwrap();
            assert!(
                matches!(resolved.value, Value::Unknown(_)),
                "{text}: {resolved:?}"
            );
        }
    }

    #[test]
    fn interpolation_forms() {
        assert!(matches!(single_interpolation("plain"), Interpolation::Escaped(s) if s == "plain"));
        assert!(matches!(single_interpolation("$${x}"), Interpolation::Escaped(s) if s == "${x}"));
        assert!(matches!(
            single_interpolation("${a.b.c}"),
            Interpolation::Single("a.b.c")
        ));
        assert!(matches!(
            single_interpolation("${jsonencode({a = 1})}"),
            Interpolation::Single("jsonencode({a = 1})")
        ));
        assert!(matches!(
            single_interpolation("arn:${var.x}/*"),
            Interpolation::Template
        ));
        assert!(matches!(
            single_interpolation("${a}${b}"),
            Interpolation::Template
        ));
    }
}
