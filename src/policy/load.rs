//! Reading policy files: YAML parsed with spans, validated field by field, so an
//! invalid user policy is reported at its own line.

use std::collections::BTreeMap;
use std::sync::Arc;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::{Regex, RegexBuilder};

use super::condition::{Check, CompareOp, Condition, Op, Outcome, TypeName};
use super::info::{PolicyInfo, PolicyOrigin};
use super::path::Path;
use super::{Policy, PolicyError, PolicyErrorKind};
use crate::finding::Severity;
use crate::model::Mode;
use crate::node::{Entry, Node, Value};
use crate::parse::{self, Limits};
use crate::source::{SharedSource, Span};

/// Largest compiled regex a policy may use; the regex crate matches in linear
/// time, and this bounds its memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Parses and validates one policy file. `overrides` replaces parameter defaults.
pub fn load(
    source: &SharedSource,
    origin: PolicyOrigin,
    overrides: &BTreeMap<String, serde_json::Value>,
) -> Result<Policy, PolicyError> {
    let root = parse::yaml::parse(&source.text, &Limits::default()).map_err(|e| PolicyError {
        file: source.clone(),
        span: e.span,
        kind: PolicyErrorKind::Parse(e.kind),
    })?;
    let err = |span: Span, kind: PolicyErrorKind| PolicyError {
        file: source.clone(),
        span,
        kind,
    };
    let doc = Fields::new(&root, &TOP_LEVEL).map_err(|(s, k)| err(s, k))?;
    Loader { doc, overrides }
        .policy(origin)
        .map_err(|(s, k)| err(s, k))
}

const TOP_LEVEL: [&str; 11] = [
    "id",
    "title",
    "severity",
    "tier",
    "description",
    "rationale",
    "remediation",
    "frameworks",
    "parameters",
    "examples",
    "checks",
];

type Fail = (Span, PolicyErrorKind);

/// Parameter values by name, and what each parameter means.
type ParameterTable = (
    BTreeMap<String, serde_json::Value>,
    BTreeMap<String, String>,
);

struct Loader<'n, 'o> {
    doc: Fields<'n>,
    overrides: &'o BTreeMap<String, serde_json::Value>,
}

impl Loader<'_, '_> {
    fn policy(&self, origin: PolicyOrigin) -> Result<Policy, Fail> {
        let doc = &self.doc;
        let (id, id_span) = doc.required_str("id")?;
        if !valid_id(id) {
            return Err((id_span, PolicyErrorKind::InvalidId { id: id.to_owned() }));
        }
        let (severity_text, severity_span) = doc.required_str("severity")?;
        let severity = Severity::parse(severity_text).ok_or({
            (
                severity_span,
                PolicyErrorKind::InvalidValue {
                    field: "severity",
                    expected: "one of critical, high, medium, low",
                },
            )
        })?;
        let tier = doc.optional_str("tier")?.map(str::to_owned);
        let mut frameworks = BTreeMap::new();
        if let Some(node) = doc.get("frameworks") {
            for entry in object(node, "frameworks")? {
                let controls = string_list(&entry.value, "frameworks")?;
                frameworks.insert(entry.key.clone(), controls);
            }
        }
        let (parameters, parameter_descriptions) = self.parameters()?;
        let (example_fail, example_fix) = match doc.get("examples") {
            Some(node) => {
                let ex = Fields::new(node, &["fail", "fix"])?;
                (
                    ex.optional_str("fail")?.map(str::to_owned),
                    ex.optional_str("fix")?.map(str::to_owned),
                )
            }
            None => (None, None),
        };
        let checks_node = doc.required("checks")?;
        let items = checks_node
            .as_array()
            .ok_or_else(|| wrong_type(checks_node, "checks", "a list"))?;
        if items.is_empty() {
            return Err((checks_node.span, PolicyErrorKind::NoChecks));
        }
        let compiler = Compiler {
            parameters: &parameters,
        };
        let checks = items
            .iter()
            .map(|item| compiler.check(item))
            .collect::<Result<Vec<_>, _>>()?;
        let mut resource_types: Vec<String> = Vec::new();
        for check in &checks {
            for ty in &check.resource_types {
                if !resource_types.contains(ty) {
                    resource_types.push(ty.clone());
                }
            }
        }
        let info = PolicyInfo {
            id: id.to_owned(),
            title: doc.required_str("title")?.0.to_owned(),
            severity,
            tier,
            description: doc.required_str("description")?.0.to_owned(),
            rationale: doc.required_str("rationale")?.0.to_owned(),
            remediation: doc.required_str("remediation")?.0.to_owned(),
            example_fail,
            example_fix,
            frameworks,
            resource_types,
            parameters: parameters.clone(),
            parameter_descriptions,
            origin,
        };
        Ok(Policy {
            info: Arc::new(info),
            checks,
            parameters,
        })
    }

    /// Parameter defaults, replaced by any override of the same name, and what
    /// each parameter means.
    fn parameters(&self) -> Result<ParameterTable, Fail> {
        let mut out = BTreeMap::new();
        let mut descriptions = BTreeMap::new();
        let Some(node) = self.doc.get("parameters") else {
            return Ok((out, descriptions));
        };
        let items = node
            .as_array()
            .ok_or_else(|| wrong_type(node, "parameters", "a list"))?;
        for item in items {
            let fields = Fields::new(item, &["name", "default", "description"])?;
            let (name, _) = fields.required_str("name")?;
            let default = fields.required("default")?.to_json();
            if let Some(what) = fields.optional_str("description")? {
                descriptions.insert(name.to_owned(), what.to_owned());
            }
            let value = self.overrides.get(name).cloned().unwrap_or(default);
            out.insert(name.to_owned(), value);
        }
        Ok((out, descriptions))
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && id.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

struct Compiler<'p> {
    parameters: &'p BTreeMap<String, serde_json::Value>,
}

const CHECK_FIELDS: [&str; 8] = [
    "unknown_message",
    "resource_types",
    "for_each",
    "where",
    "require",
    "outcome",
    "at",
    "message",
];

const OPERATORS: [&str; 20] = [
    "if_unknown",
    "literal",
    "exists",
    "absent",
    "equals",
    "not_equals",
    "one_of",
    "not_one_of",
    "matches",
    "not_matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "type",
    "empty",
    "references",
    "references_data",
    "case_insensitive",
    "path",
];

impl Compiler<'_> {
    fn check(&self, node: &Node) -> Result<Check, Fail> {
        let fields = Fields::new(node, &CHECK_FIELDS)?;
        let types_node = fields.required("resource_types")?;
        let resource_types = string_list(types_node, "resource_types")?;
        if resource_types.is_empty() {
            return Err((
                types_node.span,
                PolicyErrorKind::InvalidValue {
                    field: "resource_types",
                    expected: "at least one resource type",
                },
            ));
        }
        let outcome = match fields.optional_str("outcome")? {
            None | Some("fail") => Outcome::Fail,
            Some("unknown") => Outcome::Unknown,
            Some(_) => {
                return Err((
                    fields.span_of("outcome"),
                    PolicyErrorKind::InvalidValue {
                        field: "outcome",
                        expected: "`fail` or `unknown`",
                    },
                ))
            }
        };
        let applies_when = fields.get("where").map(|n| self.condition(n)).transpose()?;
        Ok(Check {
            resource_types,
            for_each: self.paths(fields.get("for_each"))?,
            data_sources: applies_when.as_ref().is_some_and(Condition::tests_own_mode),
            applies_when,
            require: self.condition(fields.required("require")?)?,
            outcome,
            at: match fields.get("at") {
                None => Vec::new(),
                Some(node) => match node.as_array() {
                    Some(items) => items
                        .iter()
                        .map(|n| self.path(n))
                        .collect::<Result<_, _>>()?,
                    None => vec![self.path(node)?],
                },
            },
            message: fields.required_str("message")?.0.to_owned(),
            unknown_message: fields.optional_str("unknown_message")?.map(str::to_owned),
        })
    }

    /// One path, or a list of paths.
    fn paths(&self, node: Option<&Node>) -> Result<Vec<Path>, Fail> {
        match node {
            None => Ok(Vec::new()),
            Some(node) => match node.as_array() {
                Some(items) => items.iter().map(|n| self.path(n)).collect(),
                None => Ok(vec![self.path(node)?]),
            },
        }
    }

    fn path(&self, node: &Node) -> Result<Path, Fail> {
        let text = node
            .as_str()
            .ok_or_else(|| wrong_type(node, "path", "a string"))?;
        let text = self.interpolate(text, node.span)?;
        Path::parse(&text).map_err(|e| (node.span, PolicyErrorKind::Path(e)))
    }

    fn condition(&self, node: &Node) -> Result<Condition, Fail> {
        if let Some(b) = node.as_bool() {
            return Ok(Condition::Const(b));
        }
        let entries = object(node, "condition")?;
        let first = entries
            .first()
            .ok_or((node.span, PolicyErrorKind::EmptyCondition))?;
        let combinator = |key: &str| entries.len() == 1 && first.key == key;
        if combinator("all") || combinator("any") || combinator("none") {
            let items = first
                .value
                .as_array()
                .ok_or_else(|| wrong_type(&first.value, "condition list", "a list"))?;
            let list = items
                .iter()
                .map(|c| self.condition(c))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(match first.key.as_str() {
                "all" => Condition::All(list),
                "any" => Condition::Any(list),
                _ => Condition::None(list),
            });
        }
        if combinator("not") {
            return Ok(Condition::Not(Box::new(self.condition(&first.value)?)));
        }
        if combinator("every") || combinator("some") {
            let q = Fields::new(&first.value, &["path", "condition", "param", "as"])?;
            if q.get("param").is_some() {
                return self.over_parameter(&q, first.key == "every");
            }
            let path = self.path(q.required("path")?)?;
            let condition = Box::new(self.condition(q.required("condition")?)?);
            return Ok(if first.key == "every" {
                Condition::Every { path, condition }
            } else {
                Condition::Some { path, condition }
            });
        }
        if combinator("linked") || combinator("linking") {
            let q = Fields::new(&first.value, &["path", "types", "condition"])?;
            let path = self.path(q.required("path")?)?;
            let types = string_list(q.required("types")?, "types")?;
            let condition = Box::new(self.condition(q.required("condition")?)?);
            return Ok(if first.key == "linked" {
                Condition::Linked {
                    path,
                    types,
                    condition,
                }
            } else {
                Condition::Linking {
                    types,
                    path,
                    condition,
                }
            });
        }
        if combinator("mode") {
            return match first.value.as_str() {
                Some("managed") => Ok(Condition::Mode(Mode::Managed)),
                Some("data") => Ok(Condition::Mode(Mode::Data)),
                _ => Err((
                    first.value.span,
                    PolicyErrorKind::InvalidValue {
                        field: "mode",
                        expected: "`managed` or `data`",
                    },
                )),
            };
        }
        if combinator("const") {
            return first
                .value
                .as_bool()
                .map(Condition::Const)
                .ok_or_else(|| wrong_type(&first.value, "const", "a boolean"));
        }
        if let Some(param) = node.entry("param") {
            return self.param_condition(node, param);
        }
        let fields = Fields::new(node, &OPERATORS)?;
        let path = match fields.get("path") {
            Some(p) => self.path(p)?,
            None => Path::parse("@").map_err(|e| (node.span, PolicyErrorKind::Path(e)))?,
        };
        let ops = self.operators(&fields)?;
        let if_unknown = fields
            .get("if_unknown")
            .map(|n| {
                n.as_bool()
                    .ok_or_else(|| wrong_type(n, "if_unknown", "a boolean"))
            })
            .transpose()?;
        Ok(Condition::Test {
            path,
            ops,
            if_unknown,
        })
    }

    /// `{every|some: {param: list, as: item, condition: C}}`: C once per element of
    /// a list parameter (bound as `{{item}}`), or per entry of a map parameter
    /// (bound as `{{item.key}}` and `{{item.value}}`), expanded at load time.
    fn over_parameter(&self, q: &Fields<'_>, every: bool) -> Result<Condition, Fail> {
        let param = q.required("param")?;
        let name = param
            .as_str()
            .ok_or_else(|| wrong_type(param, "param", "a parameter name"))?;
        let value = self.parameters.get(name).ok_or_else(|| {
            (
                param.span,
                PolicyErrorKind::UnknownParameter {
                    name: name.to_owned(),
                },
            )
        })?;
        let (binding, _) = q.required_str("as")?;
        let bindings: Vec<Vec<(String, serde_json::Value)>> = match value {
            serde_json::Value::Array(items) => items
                .iter()
                .map(|item| vec![(binding.to_owned(), item.clone())])
                .collect(),
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    vec![
                        (
                            format!("{binding}.key"),
                            serde_json::Value::String(k.clone()),
                        ),
                        (format!("{binding}.value"), v.clone()),
                    ]
                })
                .collect(),
            _ => return Err(wrong_type(param, "param", "a list or map parameter")),
        };
        let body = q.required("condition")?;
        let mut conditions = Vec::with_capacity(bindings.len());
        for bound in bindings {
            let mut parameters = self.parameters.clone();
            parameters.extend(bound);
            conditions.push(
                Compiler {
                    parameters: &parameters,
                }
                .condition(body)?,
            );
        }
        Ok(if every {
            Condition::All(conditions)
        } else {
            Condition::Any(conditions)
        })
    }

    /// `{param: name, <operators>}`: decided once, at load time.
    fn param_condition(&self, node: &Node, param: &Entry) -> Result<Condition, Fail> {
        let name = param
            .value
            .as_str()
            .ok_or_else(|| wrong_type(&param.value, "param", "a parameter name"))?;
        let value = self.parameters.get(name).ok_or_else(|| {
            (
                param.value.span,
                PolicyErrorKind::UnknownParameter {
                    name: name.to_owned(),
                },
            )
        })?;
        let mut allowed: Vec<&str> = OPERATORS.to_vec();
        allowed.retain(|k| *k != "path" && *k != "if_unknown");
        allowed.push("param");
        let fields = Fields::new(node, &allowed)?;
        let ops = self.operators(&fields)?;
        let value = crate::node::from_json(value, param.value.span);
        Ok(Condition::Const(
            ops.iter().all(|op| super::eval::op_on_known(op, &value)),
        ))
    }

    fn operators(&self, fields: &Fields<'_>) -> Result<Vec<Op>, Fail> {
        let case_insensitive = fields
            .get("case_insensitive")
            .map(|n| {
                n.as_bool()
                    .ok_or_else(|| wrong_type(n, "case_insensitive", "a boolean"))
            })
            .transpose()?
            .unwrap_or(false);
        let mut ops = Vec::new();
        for entry in fields.entries() {
            let value = &entry.value;
            let op = match entry.key.as_str() {
                "path" | "case_insensitive" | "param" | "if_unknown" => continue,
                "exists" | "absent" => {
                    let b = value
                        .as_bool()
                        .ok_or_else(|| wrong_type(value, &entry.key, "a boolean"))?;
                    Op::Exists(if entry.key == "exists" { b } else { !b })
                }
                "equals" | "not_equals" => Op::Equals {
                    value: self.literal(value)?,
                    negate: entry.key == "not_equals",
                    case_insensitive,
                },
                "one_of" | "not_one_of" => {
                    let list = self.literal(value)?;
                    let values = match list {
                        serde_json::Value::Array(items) => items,
                        _ => return Err(wrong_type(value, &entry.key, "a list")),
                    };
                    Op::OneOf {
                        values,
                        negate: entry.key == "not_one_of",
                        case_insensitive,
                    }
                }
                "matches" | "not_matches" => {
                    let pattern = value
                        .as_str()
                        .ok_or_else(|| wrong_type(value, &entry.key, "a regex string"))?;
                    let pattern = self.interpolate(pattern, value.span)?;
                    Op::Matches {
                        regex: compile_regex(&pattern, case_insensitive)
                            .map_err(|e| (value.span, PolicyErrorKind::Regex(e.to_string())))?,
                        negate: entry.key == "not_matches",
                    }
                }
                "gt" | "gte" | "lt" | "lte" => {
                    let literal = self.literal(value)?;
                    // A `null` bound (an unset parameter) limits nothing.
                    let bound = match literal {
                        serde_json::Value::Null => f64::NAN,
                        other => other
                            .as_f64()
                            .ok_or_else(|| wrong_type(value, &entry.key, "a number"))?,
                    };
                    let op = match entry.key.as_str() {
                        "gt" => CompareOp::Gt,
                        "gte" => CompareOp::Gte,
                        "lt" => CompareOp::Lt,
                        _ => CompareOp::Lte,
                    };
                    Op::Compare { op, bound }
                }
                "type" => {
                    let names = match value.as_str() {
                        Some(one) => vec![one.to_owned()],
                        None => string_list(value, "type")?,
                    };
                    let types = names
                        .iter()
                        .map(|n| type_name(n).ok_or({
                            (
                                value.span,
                                PolicyErrorKind::InvalidValue {
                                    field: "type",
                                    expected: "string, number, integer, boolean, array, object or null",
                                },
                            )
                        }))
                        .collect::<Result<Vec<_>, _>>()?;
                    Op::Type(types)
                }
                "empty" => Op::Empty(
                    value
                        .as_bool()
                        .ok_or_else(|| wrong_type(value, "empty", "a boolean"))?,
                ),
                "references" => Op::References(string_list(value, "references")?),
                "references_data" => Op::ReferencesData(string_list(value, "references_data")?),
                "literal" => Op::Literal(
                    value
                        .as_bool()
                        .ok_or_else(|| wrong_type(value, "literal", "a boolean"))?,
                ),
                _ => continue,
            };
            ops.push(op);
        }
        if ops.is_empty() {
            return Err((fields.node.span, PolicyErrorKind::EmptyCondition));
        }
        Ok(ops)
    }

    /// A literal operand: `"{{name}}"` alone is the parameter's value (of any type);
    /// `{{name}}` inside a longer string is replaced by its text.
    fn literal(&self, node: &Node) -> Result<serde_json::Value, Fail> {
        if let Some(text) = node.as_str() {
            if let Some(name) = whole_placeholder(text) {
                return self.parameters.get(name).cloned().ok_or_else(|| {
                    (
                        node.span,
                        PolicyErrorKind::UnknownParameter {
                            name: name.to_owned(),
                        },
                    )
                });
            }
            return Ok(serde_json::Value::String(
                self.interpolate(text, node.span)?,
            ));
        }
        Ok(node.to_json())
    }

    fn interpolate(&self, text: &str, span: Span) -> Result<String, Fail> {
        interpolate(text, |name| {
            self.parameters.get(name).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        })
        .map_err(|name| (span, PolicyErrorKind::UnknownParameter { name }))
    }
}

/// Replaces every `{{name}}` with `lookup(name)`; the error names the first unknown one.
pub fn interpolate(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest.get(start + 2..).and_then(|r| r.find("}}")) else {
            break;
        };
        out.push_str(rest.get(..start).unwrap_or(""));
        let name = rest.get(start + 2..start + 2 + len).unwrap_or("").trim();
        out.push_str(&lookup(name).ok_or_else(|| name.to_owned())?);
        rest = rest.get(start + 4 + len..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

fn whole_placeholder(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then(|| inner.trim())
}

/// Compiles a policy regex once per process: the same patterns recur across
/// policies (shared parameters such as `slots.sensitive_name_regex`) and across
/// the loads a run makes, and compiling dominated a one-file run's start-up. A
/// `Regex` clone shares the compiled program.
pub(crate) fn compile_regex(pattern: &str, case_insensitive: bool) -> Result<Regex, regex::Error> {
    type Cache = HashMap<(String, bool), Regex>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (pattern.to_owned(), case_insensitive);
    // A poisoned lock only means another thread panicked mid-insert; the map
    // itself is still sound.
    if let Some(regex) = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key)
    {
        return Ok(regex.clone());
    }
    let regex = RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()?;
    cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(key, regex.clone());
    Ok(regex)
}

fn type_name(name: &str) -> Option<TypeName> {
    Some(match name {
        "string" => TypeName::String,
        "number" => TypeName::Number,
        "integer" => TypeName::Integer,
        "boolean" => TypeName::Boolean,
        "array" => TypeName::Array,
        "object" => TypeName::Object,
        "null" => TypeName::Null,
        _ => return None,
    })
}

/// An object's fields, checked against the names allowed there.
struct Fields<'n> {
    node: &'n Node,
    entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    fn new(node: &'n Node, allowed: &[&str]) -> Result<Fields<'n>, Fail> {
        let entries = node
            .as_object()
            .ok_or_else(|| wrong_type(node, "this item", "a mapping"))?;
        if let Some(unknown) = entries.iter().find(|e| !allowed.contains(&e.key.as_str())) {
            return Err((
                unknown.key_span,
                PolicyErrorKind::UnknownField {
                    field: unknown.key.clone(),
                    allowed: allowed.join(", "),
                },
            ));
        }
        Ok(Fields { node, entries })
    }

    fn entries(&self) -> &'n [Entry] {
        self.entries
    }

    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    fn span_of(&self, key: &str) -> Span {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map_or(self.node.span, |e| e.value.span)
    }

    fn required(&self, key: &'static str) -> Result<&'n Node, Fail> {
        self.get(key)
            .ok_or((self.node.span, PolicyErrorKind::MissingField { field: key }))
    }

    fn required_str(&self, key: &'static str) -> Result<(&'n str, Span), Fail> {
        let node = self.required(key)?;
        let text = node
            .as_str()
            .ok_or_else(|| wrong_type(node, key, "a string"))?;
        Ok((text, node.span))
    }

    fn optional_str(&self, key: &str) -> Result<Option<&'n str>, Fail> {
        self.get(key)
            .map(|node| {
                node.as_str()
                    .ok_or_else(|| wrong_type(node, key, "a string"))
            })
            .transpose()
    }
}

fn object<'n>(node: &'n Node, what: &str) -> Result<&'n [Entry], Fail> {
    node.as_object()
        .ok_or_else(|| wrong_type(node, what, "a mapping"))
}

fn string_list(node: &Node, what: &str) -> Result<Vec<String>, Fail> {
    let items = node
        .as_array()
        .ok_or_else(|| wrong_type(node, what, "a list of strings"))?;
    items
        .iter()
        .map(|item| match &item.value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(wrong_type(item, what, "a list of strings")),
        })
        .collect()
}

fn wrong_type(node: &Node, what: &str, expected: &'static str) -> Fail {
    (
        node.span,
        PolicyErrorKind::WrongType {
            field: what.to_owned(),
            expected,
            found: node.type_name(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_over_the_size_limit_are_refused() {
        assert!(compile_regex("[a-z]{1,30}-\\d+", false).is_ok());
        let e = compile_regex("(?:\\w{100}){100}", false).unwrap_err();
        assert!(
            matches!(e, regex::Error::CompiledTooBig(REGEX_SIZE_LIMIT)),
            "{e}"
        );
    }

    #[test]
    fn quantifiers_over_parameters_expand_at_load_time() {
        let text = "id: T1\ntitle: t\nseverity: low\ndescription: d\nrationale: r\nremediation: f\n\
                    parameters:\n  - {name: keys, default: [Owner, Env]}\n  - {name: pairs, default: {COPPA: [\"true\"]}}\n\
                    checks:\n  - resource_types: [X]\n    require:\n      all:\n\
                    \x20       - every: {param: keys, as: k, condition: {path: \"tags.{{k}}\", exists: true}}\n\
                    \x20       - some: {param: pairs, as: p, condition: {path: \"tags.{{p.key}}\", one_of: \"{{p.value}}\"}}\n\
                    \x20   message: m\n";
        let source = std::sync::Arc::new(crate::source::SourceFile::new(
            "t.yaml",
            text.to_owned(),
            crate::source::Encoding::Utf8,
        ));
        let policy = load(&source, PolicyOrigin::Builtin, &BTreeMap::new()).unwrap();
        let Some(Check {
            require: Condition::All(parts),
            ..
        }) = policy.checks.first()
        else {
            panic!("expected all");
        };
        let paths = |c: &Condition| match c {
            Condition::All(list) | Condition::Any(list) => list
                .iter()
                .map(|t| match t {
                    Condition::Test { path, .. } => path.as_str().to_owned(),
                    _ => String::new(),
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert!(matches!(parts.first(), Some(Condition::All(_))));
        assert_eq!(paths(&parts[0]), ["tags.Owner", "tags.Env"]);
        assert!(matches!(parts.get(1), Some(Condition::Any(_))));
        assert_eq!(paths(&parts[1]), ["tags.COPPA"]);
    }

    #[test]
    fn interpolation_replaces_known_names() {
        let lookup = |n: &str| (n == "max").then(|| "900".to_owned());
        assert_eq!(
            interpolate("at most {{ max }} s", lookup).unwrap(),
            "at most 900 s"
        );
        assert_eq!(interpolate("{{nope}}", lookup).unwrap_err(), "nope");
        assert_eq!(whole_placeholder("{{ a.b }}"), Some("a.b"));
        assert_eq!(whole_placeholder("x {{a}}"), None);
    }
}
