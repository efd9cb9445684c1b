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
                ..
            } => {
                let Some((function, argument)) = as_intrinsic(node) else {
                    return Some(node);
                };
                let unknown = |reason: String, references: Vec<Reference>| {
                    Some(&*arena.alloc(unknown_node(node, reason, references)))
                };
                match (function, argument.as_str()) {
                    ("Ref", Some("AWS::NoValue")) => None,
                    ("Ref", Some("AWS::Partition")) => {
                        Some(&*arena.alloc(Node::new(node.span, Value::String("aws".to_owned()))))
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
                            _ => "an unresolved target".to_owned(),
                        };
                        let in_template = target_type.is_some();
                        unknown(
                            if in_template {
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
                        return Some(&*arena.alloc(unknown_node(
                            node,
                            format!("template string `{text}` is evaluated only by Terraform"),
                            Vec::new(),
                        )))
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
                let references = if is_traversal(expression) {
                    super::plan::parse_reference(expression, "")
                        .into_iter()
                        .collect()
                } else {
                    Vec::new()
                };
                let reason = if references.is_empty() {
                    format!("expression `{expression}` is evaluated only by Terraform")
                } else {
                    format!("`{expression}` is known only after apply")
                };
                Some(&*arena.alloc(unknown_node(node, reason, references)))
            }
        }
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
    Node::new(
        at.span,
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
    use super::*;

    fn cfn(text: &str) -> Node {
        crate::parse::yaml::parse(text, &crate::parse::Limits::default()).unwrap()
    }

    #[test]
    fn sub_and_join_resolve_what_is_known_and_keep_placeholders() {
        let doc = cfn("Parameters:\n  Env: {Type: String, Default: prod}\n  Key: {Type: String}\nResources:\n  K: {Type: AWS::KMS::Key}\nValues:\n  a: !Sub 'arn:${AWS::Partition}:s3:::logs-${Env}'\n  b: !Sub 'arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}'\n  c: !Join ['-', [a, !Ref Env, !GetAtt K.Arn]]\n  d: !Sub ['${X}/${!Literal}', {X: !Ref Env}]\n");
        let (_, resolver) = super::super::cfn::build(&doc);
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
