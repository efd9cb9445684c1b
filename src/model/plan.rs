//! Terraform plan and state JSON (`terraform show -json`).
//!
//! Resources come from `planned_values` (plan) or `values` (state), walking every
//! `child_modules` level, so each resource is reported once. In a plan, values that
//! `resource_changes[].change.after_unknown` marks unknown are inserted as
//! [`Value::Unknown`] nodes, carrying the `configuration` expression's references.

use std::borrow::Cow;
use std::collections::HashMap;

use super::shape::Shapes;
use super::{Mode, Resource};
use crate::node::{Entry, Node, Reference, Unknown, Value};
use crate::source::Span;

pub(super) fn build_plan<'d>(root: &'d Node, shapes: &mut Shapes) -> Vec<Resource<'d>> {
    let mut changes = HashMap::new();
    for change in shapes.array_at(root, "resource_changes", "") {
        let (Some(address), Some(body)) = (
            change.get("address").and_then(Node::as_str),
            change.get("change"),
        ) else {
            continue;
        };
        changes.insert(address, body);
    }
    let mut expressions = HashMap::new();
    if let Some(module) = root.get("configuration").and_then(|c| c.get("root_module")) {
        collect_expressions(module, "", &mut expressions, 0);
    }
    let mut resources = Vec::new();
    if let Some(module) = shapes
        .object_at(root, "planned_values", "")
        .and_then(|p| shapes.object_at(p, "root_module", "planned_values"))
    {
        let merge: &MergeFn<'_, 'd> = &|entry, values| {
            let address = entry.get("address").and_then(Node::as_str)?;
            let change = changes.get(address)?;
            if is_delete_only(change) {
                return None;
            }
            let unknown = change.get("after_unknown")?;
            if !has_true(unknown) {
                return None;
            }
            let config_address = strip_instance_keys(address);
            let exprs = expressions.get(config_address.as_str()).copied();
            let module_prefix = module_prefix(&config_address);
            let anchor = entry.entry("values").map_or(entry.span, |e| e.key_span);
            let empty = Node::new(anchor, Value::Object(Vec::new()));
            let values = values.unwrap_or(&empty);
            Some(merge_unknown(values, unknown, exprs, anchor, module_prefix))
        };
        let path = "planned_values.root_module";
        collect_resources(module, path, &mut resources, 0, shapes, merge);
    }
    resources
}

pub(super) fn build_state<'d>(root: &'d Node, shapes: &mut Shapes) -> Vec<Resource<'d>> {
    let mut resources = Vec::new();
    if let Some(module) = shapes
        .object_at(root, "values", "")
        .and_then(|v| shapes.object_at(v, "root_module", "values"))
    {
        let path = "values.root_module";
        collect_resources(module, path, &mut resources, 0, shapes, &|_, _| None);
    }
    resources
}

/// Modules nest no deeper than this; deeper input is an error rather than recursed into.
const MAX_MODULE_DEPTH: usize = 64;

type MergeFn<'a, 'd> = dyn Fn(&'d Node, Option<&'d Node>) -> Option<Node> + 'a;

/// Collects the resources of `module` and its `child_modules`; `path` names
/// `module` in errors (`planned_values.root_module.child_modules[0]`).
fn collect_resources<'d>(
    module: &'d Node,
    path: &str,
    out: &mut Vec<Resource<'d>>,
    depth: usize,
    shapes: &mut Shapes,
    merge: &MergeFn<'_, 'd>,
) {
    if depth > MAX_MODULE_DEPTH {
        shapes.too_deep(module.span, MAX_MODULE_DEPTH);
        return;
    }
    for (i, entry) in shapes
        .array_at(module, "resources", path)
        .iter()
        .enumerate()
    {
        let at = || format!("{path}.resources[{i}]");
        if shapes.object(entry, at).is_none() {
            continue;
        }
        let address = shapes.required_str(entry, "address", entry.span, at);
        let resource_type = shapes.required_str(entry, "type", entry.span, at);
        let (Some(address), Some(resource_type)) = (address, resource_type) else {
            continue;
        };
        let mode = match entry.get("mode").and_then(Node::as_str) {
            Some("data") => Mode::Data,
            _ => Mode::Managed,
        };
        let key_span = entry.entry("address").map_or(entry.span, |e| e.key_span);
        let values = entry.entry("values").filter(|v| {
            shapes
                .object(&v.value, || format!("{}.values", at()))
                .is_some()
        });
        let properties = match merge(entry, values.map(|v| &v.value)) {
            Some(merged) => Some(Cow::Owned(merged)),
            None => values.map(|v| Cow::Borrowed(&v.value)),
        };
        out.push(Resource {
            id: address.to_owned(),
            resource_type: resource_type.to_owned(),
            mode,
            key_span,
            properties,
            properties_key_span: values.map_or(key_span, |v| v.key_span),
            path_prefix: "values",
            source: None,
        });
    }
    for (i, child) in shapes
        .array_at(module, "child_modules", path)
        .iter()
        .enumerate()
    {
        let child_path = format!("{path}.child_modules[{i}]");
        if shapes.object(child, || child_path.clone()).is_some() {
            collect_resources(child, &child_path, out, depth + 1, shapes, merge);
        }
    }
}

fn collect_expressions<'d>(
    module: &'d Node,
    prefix: &str,
    out: &mut HashMap<String, &'d Node>,
    depth: usize,
) {
    if depth > MAX_MODULE_DEPTH {
        return;
    }
    for resource in module
        .get("resources")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if let (Some(address), Some(exprs)) = (
            resource.get("address").and_then(Node::as_str),
            resource.get("expressions"),
        ) {
            out.insert(format!("{prefix}{address}"), exprs);
        }
    }
    for call in module
        .get("module_calls")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        if let Some(child) = call.value.get("module") {
            let prefix = format!("{prefix}module.{}.", call.key);
            collect_expressions(child, &prefix, out, depth + 1);
        }
    }
}

fn is_delete_only(change: &Node) -> bool {
    change
        .get("actions")
        .and_then(Node::as_array)
        .is_some_and(|a| a.len() == 1 && a.first().and_then(Node::as_str) == Some("delete"))
}

fn has_true(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(has_true),
        Value::Object(entries) => entries.iter().any(|e| has_true(&e.value)),
        _ => false,
    }
}

/// `module.a["x"].aws_s3_bucket.b[0]` → `module.a.aws_s3_bucket.b`.
pub fn strip_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    for ch in address.chars() {
        match ch {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// `module.a.module.b.aws_x.y` → `module.a.module.b.`; root resources → "".
fn module_prefix(config_address: &str) -> &str {
    let mut end = 0;
    let mut rest = config_address;
    while let Some(after) = rest.strip_prefix("module.") {
        let Some(dot) = after.find('.') else { break };
        end += "module.".len() + dot + 1;
        rest = after.get(dot + 1..).unwrap_or("");
    }
    config_address.get(..end).unwrap_or("")
}

/// What the plan's `configuration` says about a part of a resource.
#[derive(Debug, Clone, Copy)]
enum Expr<'a> {
    /// Nothing: the user did not configure it.
    None,
    /// A map from attribute to expression (a resource's `expressions`, or a block's).
    Block(&'a Node),
    /// One expression object (`{"references": […]}`) covering this whole value:
    /// awscc nested attributes are configured as one expression.
    Whole(&'a Node),
    /// Inside a `constant_value`.
    Constant(&'a Node),
}

impl<'a> Expr<'a> {
    fn of(node: Option<&'a Node>) -> Expr<'a> {
        match node {
            None => Expr::None,
            Some(n) if n.get("references").is_some() => Expr::Whole(n),
            Some(n) => match n.get("constant_value") {
                Some(c) => Expr::Constant(c),
                None => Expr::Block(n),
            },
        }
    }

    fn key(self, key: &str) -> Expr<'a> {
        match self {
            Expr::None => Expr::None,
            Expr::Block(n) => Expr::of(n.get(key)),
            Expr::Whole(_) => self,
            Expr::Constant(c) => c.get(key).map_or(Expr::None, Expr::Constant),
        }
    }

    fn index(self, i: usize) -> Expr<'a> {
        match self {
            Expr::None => Expr::None,
            Expr::Block(n) => Expr::of(n.as_array().and_then(|a| a.get(i))),
            Expr::Whole(_) => self,
            Expr::Constant(c) => c
                .as_array()
                .and_then(|a| a.get(i))
                .map_or(Expr::None, Expr::Constant),
        }
    }
}

/// Copies `values`, replacing or inserting every leaf that `unknown` marks `true`
/// with an unknown node placed at `anchor` (the nearest existing key).
fn merge_unknown(
    values: &Node,
    unknown: &Node,
    exprs: Option<&Node>,
    anchor: Span,
    module_prefix: &str,
) -> Node {
    merge(values, unknown, Expr::of(exprs), anchor, module_prefix)
}

fn merge(values: &Node, unknown: &Node, expr: Expr<'_>, anchor: Span, module_prefix: &str) -> Node {
    match (&values.value, &unknown.value) {
        (Value::Object(entries), Value::Object(marks)) => {
            let mut merged: Vec<Entry> = entries.clone();
            for mark in marks {
                let expr = expr.key(&mark.key);
                let existing = merged.iter_mut().find(|e| e.key == mark.key);
                match (existing, &mark.value.value) {
                    (Some(entry), Value::Bool(true)) if entry.value.is_null() => {
                        entry.value = unknown_node(entry.key_span, expr, module_prefix);
                    }
                    (None, Value::Bool(true)) => merged.push(Entry {
                        key: mark.key.clone(),
                        key_span: anchor,
                        value: unknown_node(anchor, expr, module_prefix),
                    }),
                    (Some(entry), Value::Object(_) | Value::Array(_)) => {
                        entry.value = merge(
                            &entry.value,
                            &mark.value,
                            expr,
                            entry.key_span,
                            module_prefix,
                        );
                    }
                    _ => {}
                }
            }
            Node::new(values.span, Value::Object(merged))
        }
        (Value::Array(items), Value::Array(marks)) => {
            let merged = items
                .iter()
                .enumerate()
                .map(|(i, item)| match marks.get(i) {
                    Some(mark) if matches!(mark.value, Value::Bool(true)) && item.is_null() => {
                        unknown_node(item.span, expr.index(i), module_prefix)
                    }
                    Some(mark) if matches!(mark.value, Value::Object(_) | Value::Array(_)) => {
                        merge(item, mark, expr.index(i), item.span, module_prefix)
                    }
                    _ => item.clone(),
                })
                .collect();
            Node::new(values.span, Value::Array(merged))
        }
        _ => values.clone(),
    }
}

fn unknown_node(span: Span, expr: Expr<'_>, module_prefix: &str) -> Node {
    let (configured, listed) = match expr {
        Expr::None => (false, None),
        Expr::Whole(e) => (true, e.get("references").and_then(Node::as_array)),
        Expr::Block(_) | Expr::Constant(_) => (true, None),
    };
    let references = listed
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .filter_map(|r| parse_reference(r, module_prefix))
        .fold(Vec::<Reference>::new(), |mut acc, r| {
            // `references` lists `a.b.attr` then `a.b`; keep the most specific.
            if !acc.iter().any(|x| x.target == r.target) {
                acc.push(r);
            }
            acc
        });
    let reason = match references.first() {
        Some(r) => format!(
            "known only after apply (from `{}{}`)",
            r.target,
            r.attribute
                .as_deref()
                .map(|a| format!(".{a}"))
                .unwrap_or_default()
        ),
        None => "known only after apply".to_owned(),
    };
    Node::new(
        span,
        Value::Unknown(Box::new(Unknown {
            reason,
            references,
            configured,
            after_apply: true,
            partial: None,
        })),
    )
}

/// Why the value of a Terraform reference to a resource (`aws_iam_role.lex.arn`,
/// `data.aws_region.current.name`) is unknown in the configuration: a managed
/// resource's attributes are known only after apply, a data source's when
/// Terraform reads it while planning.
pub(crate) fn reference_reason(expression: &str) -> String {
    let stripped = strip_instance_keys(expression);
    match stripped.split('.').collect::<Vec<_>>().as_slice() {
        ["data", "aws_iam_policy_document", ..] => {
            format!("`{expression}` is rendered by Terraform when it plans")
        }
        ["data", ty, ..] if ty.starts_with("aws_") || ty.starts_with("awscc_") => {
            format!("`{expression}` is read from AWS when Terraform plans")
        }
        ["data", ..] => format!("`{expression}` is read by Terraform when it plans"),
        _ => format!("`{expression}` is known only after apply"),
    }
}

/// Parses a Terraform reference (`aws_iam_role.lex.arn`, `data.x.y.z`,
/// `module.m.out`, `var.v`) into a resource reference when it names one.
pub(crate) fn parse_reference(reference: &str, module_prefix: &str) -> Option<Reference> {
    let stripped = strip_instance_keys(reference);
    let parts: Vec<&str> = stripped.split('.').collect();
    match parts.as_slice() {
        ["var" | "local" | "each" | "count" | "path" | "terraform" | "self", ..] => None,
        ["module", name, rest @ ..] => Some(Reference {
            target: format!("{module_prefix}module.{name}"),
            target_type: None,
            attribute: rest.first().map(|s| (*s).to_owned()),
        }),
        ["data", ty, name, rest @ ..] => Some(Reference {
            target: format!("{module_prefix}data.{ty}.{name}"),
            target_type: Some((*ty).to_owned()),
            attribute: rest.first().map(|s| (*s).to_owned()),
        }),
        [ty, name, rest @ ..] => Some(Reference {
            target: format!("{module_prefix}{ty}.{name}"),
            target_type: Some((*ty).to_owned()),
            attribute: rest.first().map(|s| (*s).to_owned()),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_nested_too_deep_are_an_error_and_shallower_resources_stay() {
        let resource = r#"{"address": "a.b", "type": "a", "values": {}}"#;
        let levels = MAX_MODULE_DEPTH + 3;
        let text = format!(
            r#"{{"format_version": "1.0", "values": {{"root_module": {}{}}}}}"#,
            format!(r#"{{"resources": [{resource}], "child_modules": ["#).repeat(levels),
            "]}".repeat(levels)
        );
        let root = crate::parse::json::parse(&text, &crate::parse::Limits::default()).unwrap();
        let mut shapes = Shapes::default();
        let resources = build_state(&root, &mut shapes);
        assert_eq!(resources.len(), MAX_MODULE_DEPTH + 1);
        // Reported once, at the first module past the limit.
        let deepest = text
            .match_indices(r#"{"resources""#)
            .nth(MAX_MODULE_DEPTH + 1);
        let errors: Vec<_> = shapes
            .errors
            .iter()
            .map(|e| (e.span.start(), e.kind.to_string()))
            .collect();
        assert_eq!(
            errors,
            [(
                deepest.unwrap().0,
                "modules nest deeper than 64 levels".to_owned()
            )]
        );
    }

    #[test]
    fn instance_keys_and_module_prefixes() {
        assert_eq!(
            strip_instance_keys(r#"module.a["x.y"].aws_s3_bucket.b[0]"#),
            "module.a.aws_s3_bucket.b"
        );
        assert_eq!(
            module_prefix("module.a.module.b.aws_x.y"),
            "module.a.module.b."
        );
        assert_eq!(module_prefix("aws_x.y"), "");
        let r = parse_reference("aws_lexv2models_bot_version.v.bot_version", "module.m.");
        assert_eq!(
            r,
            Some(Reference {
                target: "module.m.aws_lexv2models_bot_version.v".into(),
                target_type: Some("aws_lexv2models_bot_version".into()),
                attribute: Some("bot_version".into()),
            })
        );
        assert_eq!(parse_reference("var.x", ""), None);
    }

    #[test]
    fn data_sources_are_read_when_terraform_plans() {
        assert_eq!(
            reference_reason("data.aws_region.current.name"),
            "`data.aws_region.current.name` is read from AWS when Terraform plans"
        );
        assert_eq!(
            reference_reason(r#"data.awscc_lex_bot.b["x"].id"#),
            "`data.awscc_lex_bot.b[\"x\"].id` is read from AWS when Terraform plans"
        );
        assert_eq!(
            reference_reason("data.aws_iam_policy_document.trust.json"),
            "`data.aws_iam_policy_document.trust.json` is rendered by Terraform when it plans"
        );
        assert_eq!(
            reference_reason("data.external.tags.result"),
            "`data.external.tags.result` is read by Terraform when it plans"
        );
        assert_eq!(
            reference_reason("aws_iam_role.lex.arn"),
            "`aws_iam_role.lex.arn` is known only after apply"
        );
    }
}
