//! The spanned document tree every parser produces and every later stage reads.
//!
//! A `Node` is a JSON-like value with the byte span of its source text. Object
//! entries keep the span of their key too, because findings point at keys.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value is written. For a YAML block mapping or sequence this starts at
    /// its first key or dash; for a tagged scalar (`!Ref X`) it starts at the tag.
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Node>),
    /// Entries in source order; keys are unique (parsers reject duplicates).
    Object(Vec<Entry>),
    /// A value that cannot be known statically; produced by the model layer, never by
    /// parsers (an unresolved intrinsic, a plan's `after_unknown`, a Terraform expression).
    Unknown(Box<Unknown>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A number as written, with its value. YAML and JSON integers beyond `i64` and
/// non-integers are kept as `f64`; `raw` keeps the source spelling for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub raw: String,
    pub value: f64,
    pub integer: Option<i64>,
}

/// Why a value is unknown, and what it refers to when it is a reference.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unknown {
    /// Human reason, e.g. "`Ref` to parameter `Ttl`, which has no default".
    pub reason: String,
    /// Resources this value refers to (`!GetAtt Version.BotVersion`,
    /// `${aws_lexv2models_bot_version.v.bot_version}`, plan `references`).
    pub references: Vec<Reference>,
    /// For presence checks: whether the user configured the value (a plan's unknown
    /// value with an expression in `configuration`) as opposed to a provider default.
    pub configured: bool,
    /// A plan value known only after apply: when configured, it is certainly set
    /// and non-empty (a reference's ARN, say), just not known yet.
    pub after_apply: bool,
    /// A string partly known: the text with `${…}` placeholders for the unknown
    /// parts (`arn:aws:kms:${AWS::Region}:…`). Non-empty text is certainly set.
    pub partial: Option<String>,
}

/// A reference from one resource's property to another resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Logical ID (CloudFormation) or address without instance keys (Terraform).
    pub target: String,
    /// The referenced resource's type when it is in the input (or, in Terraform, named by the reference).
    pub target_type: Option<String>,
    /// The attribute read (`Arn`, `bot_version`), if any.
    pub attribute: Option<String>,
}

impl Reference {
    /// Whether the reference names a Terraform data source (`data.<type>.<name>`,
    /// possibly under `module.<m>.`), whose attributes are read from its provider
    /// rather than written in the input.
    pub fn is_data_source(&self) -> bool {
        let parts: Vec<&str> = self.target.split('.').collect();
        match parts.len().checked_sub(3).map(|i| (i, parts.get(i))) {
            // `module.data.aws_x.y` is a managed resource of a module named `data`.
            Some((i, Some(&"data"))) => i == 0 || parts.get(i - 1) != Some(&"module"),
            _ => false,
        }
    }
}

impl Node {
    pub fn new(span: Span, value: Value) -> Node {
        Node { span, value }
    }

    /// The value of the entry whose key is exactly `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Object(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(n.value),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_unknown(&self) -> Option<&Unknown> {
        match &self.value {
            Value::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// The JSON type name used in messages and policy type checks.
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }

    /// Converts to a plain JSON value (unknowns become `null`), for reports and tests.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null | Value::Unknown(_) => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => match n.integer {
                Some(i) => serde_json::Value::from(i),
                None => serde_json::Number::from_f64(n.value)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
            },
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => items.iter().map(Node::to_json).collect(),
            Value::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Unknown(_) => "unknown",
        }
    }
}

impl Number {
    /// Parses a JSON/YAML decimal number spelling. `None` when it is not a number.
    pub fn parse(raw: &str) -> Option<Number> {
        let integer = raw.parse::<i64>().ok();
        let value = match integer {
            Some(i) => i as f64,
            None => raw.parse::<f64>().ok()?,
        };
        Some(Number {
            raw: raw.to_owned(),
            value,
            integer,
        })
    }

    pub fn from_i64(i: i64) -> Number {
        Number {
            raw: i.to_string(),
            value: i as f64,
            integer: Some(i),
        }
    }
}

impl std::fmt::Display for Node {
    /// A short rendering for messages: scalars as written, containers abbreviated.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&n.raw),
            Value::String(s) => write!(f, "\"{s}\""),
            Value::Array(items) => write!(f, "[… {} items]", items.len()),
            Value::Object(_) => f.write_str("{…}"),
            Value::Unknown(u) => write!(f, "<unknown: {}>", u.reason),
        }
    }
}

/// Builds a node from a plain JSON value, every node at `span` (used for
/// parameters and for JSON documents embedded in strings).
pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
    let value = match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(Number {
            raw: n.to_string(),
            value: n.as_f64().unwrap_or(f64::NAN),
            integer: n.as_i64(),
        }),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            Value::Array(items.iter().map(|i| from_json(i, span)).collect())
        }
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Entry {
                    key: k.clone(),
                    key_span: span,
                    value: from_json(v, span),
                })
                .collect(),
        ),
    };
    Node { span, value }
}

/// Moves every span of a tree (values and keys) to `span`: a document parsed from
/// inside a string is reported at the key that holds the string.
pub fn relocate(node: &mut Node, span: Span) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        node.span = span;
        match &mut node.value {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(entries) => {
                for entry in entries {
                    entry.key_span = span;
                    stack.push(&mut entry.value);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Reference;

    fn reference(target: &str) -> Reference {
        Reference {
            target: target.to_owned(),
            target_type: None,
            attribute: None,
        }
    }

    #[test]
    fn data_source_references() {
        assert!(reference("data.aws_kms_key.k").is_data_source());
        assert!(reference("module.m.data.aws_kms_key.k").is_data_source());
        assert!(reference("module.data.data.aws_kms_key.k").is_data_source());
        assert!(!reference("aws_kms_key.k").is_data_source());
        assert!(!reference("module.data.aws_kms_key.k").is_data_source());
        assert!(!reference("LogKey").is_data_source());
    }
}
