//! Evaluating compiled checks against one resource: a pure function from a
//! resource and a policy to findings.
//!
//! Conditions are three-valued (true, false, unknown) and every verdict carries
//! the place it was decided at: the key of the offending value, or the nearest
//! existing parent when a property is missing.

use std::rc::Rc;
use std::sync::Arc;

use typed_arena::Arena;

use super::condition::{Check, Condition, Op, Outcome, TypeName};
use super::path::{key_matches, Path, Root, Step};
use super::Policy;
use crate::finding::{Finding, RelatedLocation, ResourceRef, Status};
use crate::model::link;
use crate::model::{Mode, Model, Resource};
use crate::node::{Node, Unknown, Value};
use crate::source::{SourceFile, Span};

/// Runs every applicable check of every policy on every resource of a model.
/// Findings are deduplicated per (policy, resource, place, status); order follows
/// resources, then policies, then checks (the caller sorts globally).
pub fn evaluate_model(policies: &[Policy], model: &Model<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let identities = std::cell::OnceCell::new();
    for (index, resource) in model.resources.iter().enumerate() {
        if !policies
            .iter()
            .any(|p| p.applies_to(&resource.resource_type))
        {
            continue;
        }
        let arena = Arena::new();
        let ctx = Ctx {
            model,
            resource,
            index,
            arena: &arena,
            depth: 0,
            identities: &identities,
        };
        let root = ctx.root();
        for policy in policies {
            for check in &policy.checks {
                if check.resource_types.contains(&resource.resource_type)
                    && (resource.mode == Mode::Managed || check.data_sources)
                {
                    ctx.run_check(policy, check, &root, &mut findings);
                }
            }
        }
    }
    merge_duplicates(findings)
}

struct Ctx<'a, 'd> {
    model: &'a Model<'d>,
    resource: &'a Resource<'d>,
    /// The resource's position in the model.
    index: usize,
    arena: &'a Arena<Node>,
    /// How many links were followed to get here (bounded, against cycles).
    depth: usize,
    /// The literal names and ARNs of every resource, computed once per model
    /// when a link first needs them.
    identities: &'a std::cell::OnceCell<Vec<Vec<String>>>,
}

/// Nested `Fn::If`s expanded along one path (2^n branches at most).
const MAX_BRANCH_DEPTH: usize = 4;

/// Links followed from one resource to another before giving up.
const MAX_LINK_DEPTH: usize = 4;

/// A place in the resource: the node, where it is reported, and its property path.
#[derive(Debug, Clone)]
struct Cursor<'a> {
    node: &'a Node,
    span: Span,
    path: PropPath<'a>,
    /// The key or index this node sits under, for `@key`.
    key: Option<Segment<'a>>,
    /// Where the parent is reported: a value removed by `Ref: AWS::NoValue` is
    /// missing, and a missing property is reported at its parent.
    parent_span: Span,
    /// The `Fn::If` branches taken to reach this value (`when condition `IsProd` is true`).
    via: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

#[derive(Debug, Clone)]
struct Verdict<'a> {
    truth: Truth,
    span: Span,
    path: PropPath<'a>,
    /// The deciding value, shown in messages as `{{value}}`.
    value: Option<&'a Node>,
    reason: Option<String>,
    /// Places that led here: the Lex property a cross-resource link started
    /// from (shown as "linked from `path` here").
    related: Vec<(Span, PropPath<'a>, usize)>,
    /// The resource the verdict was decided in (index into the model), when a link
    /// moved evaluation to another resource.
    resource: Option<usize>,
    /// The `Fn::If` branches that led to the deciding value.
    via: Option<String>,
}

enum Hit<'a> {
    Found(Cursor<'a>),
    /// The walk stopped here: `span`/`path` name the nearest existing parent, and
    /// `path` continues with the rest of the wanted path.
    Missing {
        span: Span,
        path: PropPath<'a>,
        via: Option<String>,
    },
    Unknown {
        cursor: Cursor<'a>,
        unknown: &'a Unknown,
        /// The unknown value is what the path selects (not a container on the way).
        complete: bool,
    },
}

struct Selection<'a> {
    hits: Vec<Hit<'a>>,
    /// The deepest single place the walk reached: where "nothing matched" is reported.
    anchor: (Span, PropPath<'a>),
}

/// A property path from the resource root (`Properties.BotLocales[0].Intents`),
/// shared between cursors and written out only when a finding needs it: a walk
/// builds thousands of paths and reports a handful.
#[derive(Debug, Clone, Default)]
struct PropPath<'a>(Option<Rc<PathLink<'a>>>);

#[derive(Debug)]
struct PathLink<'a> {
    parent: PropPath<'a>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone)]
enum Segment<'a> {
    /// Written as is: the resource's path prefix (`Properties`, `values`).
    Prefix(&'static str),
    Key(&'a str),
    Index(usize),
    /// The rest of a wanted path that does not exist (`.ObfuscationSetting`).
    Rest(Arc<str>),
}

impl<'a> PropPath<'a> {
    fn child(&self, segment: Segment<'a>) -> PropPath<'a> {
        PropPath(Some(Rc::new(PathLink {
            parent: self.clone(),
            segment,
        })))
    }

    fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut link = self.0.as_deref();
        while let Some(current) = link {
            segments.push(&current.segment);
            link = current.parent.0.as_deref();
        }
        let mut out = String::new();
        for segment in segments.into_iter().rev() {
            match segment {
                Segment::Prefix(text) => out.push_str(text),
                Segment::Key(key) => push_key(&mut out, key),
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
                Segment::Rest(rest) if out.is_empty() => out.push_str(rest.trim_start_matches('.')),
                Segment::Rest(rest) => out.push_str(rest),
            }
        }
        out
    }
}

impl Segment<'_> {
    /// The key or index as `@key` reads it.
    fn key_text(&self) -> String {
        match self {
            Segment::Key(key) => (*key).to_owned(),
            Segment::Index(i) => i.to_string(),
            Segment::Prefix(text) => (*text).to_owned(),
            Segment::Rest(rest) => rest.to_string(),
        }
    }
}

impl<'a, 'd> Ctx<'a, 'd> {
    fn root(&self) -> Cursor<'a> {
        let r = self.resource;
        let node: &'a Node = match &r.properties {
            Some(p) => p.as_ref(),
            None => self
                .arena
                .alloc(Node::new(r.key_span, Value::Object(Vec::new()))),
        };
        Cursor {
            node,
            span: r.properties_key_span,
            path: PropPath::default().child(Segment::Prefix(r.path_prefix)),
            key: None,
            parent_span: r.key_span,
            via: None,
        }
    }

    fn run_check(&self, policy: &Policy, check: &Check, root: &Cursor<'a>, out: &mut Vec<Finding>) {
        let subjects = if check.for_each.is_empty() {
            vec![root.clone()]
        } else {
            let mut subjects = Vec::new();
            for path in &check.for_each {
                for hit in self.walk(path, root, root).hits {
                    match hit {
                        Hit::Found(cursor) => subjects.push(cursor),
                        Hit::Missing { .. } => {}
                        Hit::Unknown {
                            cursor, unknown, ..
                        } => out.push(self.finding(
                            policy,
                            check,
                            Status::Unknown,
                            &Verdict {
                                truth: Truth::Unknown,
                                span: cursor.span,
                                path: cursor.path,
                                value: None,
                                reason: Some(unknown.reason.clone()),
                                related: Vec::new(),
                                resource: None,
                                via: None,
                            },
                            root,
                        )),
                    }
                }
            }
            subjects
        };
        for subject in &subjects {
            if let Some(condition) = &check.applies_when {
                let verdict = self.condition(condition, subject, root);
                match verdict.truth {
                    Truth::False => continue,
                    Truth::Unknown => {
                        out.push(self.finding(policy, check, Status::Unknown, &verdict, subject));
                        continue;
                    }
                    Truth::True => {}
                }
            }
            let mut verdict = self.condition(&check.require, subject, root);
            if verdict.truth == Truth::True {
                continue;
            }
            let place = check.at.iter().find_map(|at| {
                self.walk(at, subject, root)
                    .hits
                    .into_iter()
                    .find_map(|h| match h {
                        Hit::Found(c) | Hit::Unknown { cursor: c, .. } => Some(c),
                        Hit::Missing { .. } => None,
                    })
            });
            if let Some(place) = place {
                // `at` places the finding in the subject resource, whatever
                // resource a link decided it in.
                verdict.span = place.span;
                verdict.path = place.path;
                verdict.resource = None;
            }
            let status = match (verdict.truth, check.outcome) {
                (Truth::False, Outcome::Fail) => Status::Fail,
                _ => Status::Unknown,
            };
            out.push(self.finding(policy, check, status, &verdict, subject));
        }
    }

    fn finding(
        &self,
        policy: &Policy,
        check: &Check,
        status: Status,
        verdict: &Verdict<'a>,
        subject: &Cursor<'a>,
    ) -> Finding {
        let property_path = verdict.path.render();
        let resource = self.resource;
        // `{{@.Name}}` and `{{$.Name}}` read a value next to the finding for the message.
        let read = |placeholder: &str| -> Option<String> {
            if !(placeholder.starts_with('@') || placeholder.starts_with('$')) {
                return None;
            }
            let path = Path::parse(placeholder).ok()?;
            let root = self.root();
            self.walk(&path, subject, &root)
                .hits
                .into_iter()
                .find_map(|h| match h {
                    Hit::Found(c) => Some(match &c.node.value {
                        Value::String(s) => s.clone(),
                        _ => c.node.to_string(),
                    }),
                    Hit::Unknown { .. } => Some("<unknown>".to_owned()),
                    Hit::Missing { .. } => None,
                })
        };
        let message = match (status, &verdict.reason, &check.unknown_message) {
            (Status::Unknown, Some(reason), Some(template)) => {
                policy.render_message(template, |name| match name {
                    "reason" => Some(reason.clone()),
                    "path" => Some(property_path.clone()),
                    "resource" => Some(resource.id.clone()),
                    "type" => Some(resource.resource_type.clone()),
                    _ => None,
                })
            }
            (Status::Unknown, Some(reason), None) => {
                format!("cannot decide \"{}\": {reason}", policy.info.title)
            }
            _ => policy.render_message(&check.message, |name| match name {
                "value" => verdict.value.map(|node| node.to_string()),
                "path" => Some(property_path.clone()),
                "resource" => Some(resource.id.clone()),
                "type" => Some(resource.resource_type.clone()),
                "reason" => verdict.reason.clone(),
                other => read(other),
            }),
        };
        let message = match &verdict.via {
            Some(via) => format!("{message} ({via})"),
            None => message,
        };
        let decided_in = verdict.resource.unwrap_or(self.index);
        let source = self.model.source_of(decided_in);
        let span = first_line(source, verdict.span);
        let resource = verdict
            .resource
            .and_then(|i| self.model.resources.get(i))
            .unwrap_or(resource);
        let related = verdict
            .related
            .iter()
            .map(|(span, from, index)| {
                let source = self.model.source_of(*index);
                let span = first_line(source, *span);
                RelatedLocation {
                    source: source.clone(),
                    span,
                    region: source.region(span),
                    message: format!("linked from `{}` here", from.render()),
                }
            })
            .collect();
        Finding {
            policy_id: Arc::from(policy.info.id.as_str()),
            severity: policy.info.severity,
            status,
            message,
            source: source.clone(),
            span,
            region: source.region(span),
            resource: ResourceRef {
                id: resource.id.clone(),
                resource_type: resource.resource_type.clone(),
            },
            property_path,
            related,
            suppression: None,
            line_hash: None,
        }
    }

    fn condition(
        &self,
        condition: &Condition,
        current: &Cursor<'a>,
        root: &Cursor<'a>,
    ) -> Verdict<'a> {
        match condition {
            Condition::Const(b) => at_cursor(current, truth(*b)),
            Condition::Mode(mode) => at_cursor(current, truth(self.resource.mode == *mode)),
            Condition::Not(inner) => {
                let mut v = self.condition(inner, current, root);
                v.truth = match v.truth {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    Truth::Unknown => Truth::Unknown,
                };
                v
            }
            Condition::All(list) => all(
                list.iter().map(|c| self.condition(c, current, root)),
                current,
            ),
            Condition::Any(list) => any(
                list.iter().map(|c| self.condition(c, current, root)),
                current,
            ),
            Condition::None(list) => {
                let mut v = any(
                    list.iter().map(|c| self.condition(c, current, root)),
                    current,
                );
                v.truth = match v.truth {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    Truth::Unknown => Truth::Unknown,
                };
                v
            }
            Condition::Every { path, condition } => {
                let selection = self.walk(path, current, root);
                let mut v = all(self.each(selection.hits, condition, root), current);
                if v.truth == Truth::True {
                    (v.span, v.path) = selection.anchor;
                }
                v
            }
            Condition::Some { path, condition } => {
                let selection = self.walk(path, current, root);
                let mut v = any(self.each(selection.hits, condition, root), current);
                if v.truth == Truth::False {
                    (v.span, v.path) = selection.anchor;
                }
                v
            }
            Condition::Linked {
                path,
                types,
                condition,
            } => {
                let selection = self.walk(path, current, root);
                if selection.hits.is_empty() {
                    let (span, path) = selection.anchor;
                    return at_place(span, path, Truth::False);
                }
                let verdicts = selection.hits.into_iter().map(|hit| match hit {
                    Hit::Missing { span, path, .. } => at_place(span, path, Truth::False),
                    Hit::Found(cursor) => self.follow(&cursor, cursor.node, types, condition),
                    Hit::Unknown { cursor, .. } => {
                        self.follow(&cursor, cursor.node, types, condition)
                    }
                });
                all(verdicts, current)
            }
            Condition::Linking {
                types,
                path,
                condition,
            } => {
                let verdicts = self.linking(types, path, condition);
                if verdicts.is_empty() {
                    return at_cursor(current, Truth::False);
                }
                any(verdicts, current)
            }
            Condition::Test {
                path,
                ops,
                if_unknown,
            } => {
                let selection = self.walk(path, current, root);
                if selection.hits.is_empty() {
                    let (span, path) = selection.anchor;
                    return Verdict {
                        truth: truth(ops.iter().all(op_on_missing)),
                        span,
                        path,
                        value: None,
                        reason: None,
                        related: Vec::new(),
                        resource: None,
                        via: None,
                    };
                }
                let verdicts = selection.hits.into_iter().map(|hit| match hit {
                    Hit::Found(c) => Verdict {
                        truth: truth(ops.iter().all(|op| match op {
                            Op::Literal(want) => c.via.is_none() == *want,
                            _ => op_on_known(op, c.node),
                        })),
                        value: Some(c.node),
                        span: c.span,
                        path: c.path,
                        reason: None,
                        related: Vec::new(),
                        resource: None,
                        via: c.via,
                    },
                    Hit::Missing { span, path, via } => Verdict {
                        truth: truth(ops.iter().all(op_on_missing)),
                        span,
                        path,
                        value: None,
                        reason: None,
                        related: Vec::new(),
                        resource: None,
                        via,
                    },
                    Hit::Unknown {
                        cursor, unknown, ..
                    } => {
                        let mut v = unknown_verdict(&cursor, unknown);
                        v.truth = ops
                            .iter()
                            .map(|op| op_on_unknown(op, unknown))
                            .fold(Truth::True, and);
                        if let (Truth::Unknown, Some(decided)) = (v.truth, if_unknown) {
                            v.truth = truth(*decided);
                        }
                        v
                    }
                });
                all(verdicts, current)
            }
        }
    }

    /// The verdict of `condition` on each selected element; missing ones are skipped.
    fn each<'s>(
        &'s self,
        hits: Vec<Hit<'a>>,
        condition: &'s Condition,
        root: &'s Cursor<'a>,
    ) -> impl Iterator<Item = Verdict<'a>> + 's {
        // Lazy: `all` and `any` stop at the first decisive verdict.
        hits.into_iter().filter_map(move |hit| match hit {
            Hit::Found(c) => Some(self.condition(condition, &c, root)),
            // The condition decides what an unknown element means (a
            // reference may still satisfy `references` or `empty: false`).
            Hit::Unknown {
                cursor,
                complete: true,
                ..
            } => Some(self.condition(condition, &cursor, root)),
            Hit::Unknown {
                cursor, unknown, ..
            } => Some(unknown_verdict(&cursor, unknown)),
            Hit::Missing { .. } => None,
        })
    }

    /// Evaluates `condition` on every resource the value at `from` refers to.
    fn follow(
        &self,
        from: &Cursor<'a>,
        value: &'a Node,
        types: &[String],
        condition: &Condition,
    ) -> Verdict<'a> {
        let targets = match self.targets(value, types, 0) {
            Ok(targets) => targets,
            Err(LinkMiss::Managed) => return at_cursor(from, Truth::True),
            Err(LinkMiss::Unknown(reason)) => {
                let mut v = at_cursor(from, Truth::Unknown);
                v.reason = Some(reason);
                return v;
            }
        };
        let verdicts = targets.into_iter().map(|index| {
            let mut v = match self.at(index) {
                Some(ctx) => {
                    let root = ctx.root();
                    ctx.condition(condition, &root, &root)
                }
                None => {
                    let mut v = at_cursor(from, Truth::Unknown);
                    v.reason = Some("references nest too deeply to follow".to_owned());
                    v
                }
            };
            if v.truth != Truth::True {
                v.resource.get_or_insert(index);
                v.related.push((from.span, from.path.clone(), self.index));
            }
            v
        });
        all(verdicts, from)
    }

    /// Verdicts of `condition` on each resource of `types` whose `path` refers to
    /// the current resource.
    fn linking(&self, types: &[String], path: &Path, condition: &Condition) -> Vec<Verdict<'a>> {
        let mine = self.identities(self.index);
        let mut verdicts = Vec::new();
        for (index, candidate) in self.model.resources.iter().enumerate() {
            if !types.contains(&candidate.resource_type) {
                continue;
            }
            let Some(ctx) = self.at(index) else { continue };
            let root = ctx.root();
            let refers = ctx
                .walk(path, &root, &root)
                .hits
                .iter()
                .any(|hit| match hit {
                    Hit::Found(c) => c
                        .node
                        .as_str()
                        .is_some_and(|s| mine.contains(&link::normalise(s))),
                    Hit::Unknown { unknown, .. } => unknown.references.iter().any(|r| {
                        self.model
                            .index
                            .get(&r.target)
                            .is_some_and(|found| found.contains(&self.index))
                    }),
                    Hit::Missing { .. } => false,
                });
            if refers {
                let mut v = ctx.condition(condition, &root, &root);
                v.resource.get_or_insert(index);
                verdicts.push(v);
            }
        }
        verdicts
    }

    /// A context for evaluating on another resource, one link deeper.
    fn at(&self, index: usize) -> Option<Ctx<'a, 'd>> {
        (self.depth < MAX_LINK_DEPTH).then_some(())?;
        Some(Ctx {
            model: self.model,
            resource: self.model.resources.get(index)?,
            index,
            arena: self.arena,
            depth: self.depth + 1,
            identities: self.identities,
        })
    }

    /// The literal names and ARNs a resource is known by.
    fn identities(&self, index: usize) -> &'a [String] {
        let all = self.identities.get_or_init(|| {
            let arena = Arena::new();
            self.model
                .resources
                .iter()
                .map(|resource| {
                    let properties = resource.properties.as_deref();
                    link::identities(resource, |key| {
                        let node = properties?.get(key)?;
                        self.model
                            .resolver
                            .resolve(node, &arena)
                            .and_then(link::string_of)
                    })
                })
                .collect()
        });
        all.get(index).map_or(&[], Vec::as_slice)
    }

    /// The resources of `types` a value refers to: through references the
    /// resolver found, or by matching a literal name or ARN; KMS aliases are
    /// followed to their keys.
    fn targets(
        &self,
        value: &'a Node,
        types: &[String],
        hops: usize,
    ) -> Result<Vec<usize>, LinkMiss> {
        let value = self
            .model
            .resolver
            .resolve(value, self.arena)
            .ok_or_else(|| LinkMiss::Unknown("the value is removed (`AWS::NoValue`)".to_owned()))?;
        let candidates: Vec<usize> = match &value.value {
            Value::String(text) => {
                if link::is_aws_managed_key(text) {
                    return Err(LinkMiss::Managed);
                }
                let key = link::normalise(text);
                (0..self.model.resources.len())
                    .filter(|&i| self.identities(i).contains(&key))
                    .collect()
            }
            Value::Unknown(unknown) => unknown
                .references
                .iter()
                .filter_map(|r| self.model.index.get(&r.target))
                .flatten()
                .copied()
                .collect(),
            _ => Vec::new(),
        };
        let mut targets = Vec::new();
        for index in candidates {
            let Some(resource) = self.model.resources.get(index) else {
                continue;
            };
            if types.contains(&resource.resource_type) {
                targets.push(index);
            } else if let (Some(key), true) = (
                link::forwarded_by(&resource.resource_type),
                hops < MAX_LINK_DEPTH,
            ) {
                if let Some(next) = resource.properties.as_deref().and_then(|p| p.get(key)) {
                    // Resources live as long as the model, so `next` outlives this call.
                    let next: &'a Node = next;
                    targets.extend(self.targets(next, types, hops + 1)?);
                }
            }
        }
        if targets.is_empty() {
            let shown = match &value.value {
                Value::String(text) => format!("`{text}`"),
                Value::Unknown(unknown) => unknown.reason.clone(),
                other => format!("a {}", other.type_name()),
            };
            return Err(LinkMiss::Unknown(format!(
                "{shown}: no {} in the input",
                types.join(" or ")
            )));
        }
        targets.sort_unstable();
        targets.dedup();
        Ok(targets)
    }

    /// [`Ctx::branches`] of every cursor, reusing the vector when (as almost
    /// always) no cursor is on an `Fn::If`.
    fn expand_branches(&self, cursors: Vec<Cursor<'a>>) -> Vec<Cursor<'a>> {
        if cursors
            .iter()
            .all(|c| self.model.resolver.branches(c.node).is_none())
        {
            return cursors;
        }
        cursors.into_iter().flat_map(|c| self.branches(c)).collect()
    }

    /// A cursor on an `Fn::If` becomes one cursor per branch, each remembering the
    /// condition it assumed, so a branch that fails is a finding naming it.
    fn branches(&self, cursor: Cursor<'a>) -> Vec<Cursor<'a>> {
        let mut done = Vec::new();
        let mut pending = vec![(cursor, 0usize)];
        while let Some((cursor, depth)) = pending.pop() {
            match self.model.resolver.branches(cursor.node) {
                Some((condition, yes, no)) if depth < MAX_BRANCH_DEPTH => {
                    for (node, holds) in [(no, false), (yes, true)] {
                        let assumed = format!("when condition `{condition}` is {holds}");
                        let via = match &cursor.via {
                            Some(earlier) => format!("{earlier} and {assumed}"),
                            None => assumed,
                        };
                        pending.push((
                            Cursor {
                                node,
                                via: Some(via),
                                ..cursor.clone()
                            },
                            depth + 1,
                        ));
                    }
                }
                _ => done.push(cursor),
            }
        }
        done
    }

    /// Selects the nodes a path names, resolving each node on the way.
    fn walk(&self, path: &Path, current: &Cursor<'a>, root: &Cursor<'a>) -> Selection<'a> {
        let start = match path.root {
            Root::Resource => root.clone(),
            Root::Current => current.clone(),
            Root::ResourceKey => {
                let r = self.resource;
                let node = self
                    .arena
                    .alloc(Node::new(r.key_span, Value::String(r.id.clone())));
                return Selection {
                    anchor: (r.key_span, PropPath::default()),
                    hits: vec![Hit::Found(Cursor {
                        node,
                        span: r.key_span,
                        path: PropPath::default(),
                        key: None,
                        parent_span: r.key_span,
                        via: None,
                    })],
                };
            }
            Root::CurrentKey => {
                let key = current
                    .key
                    .as_ref()
                    .map(Segment::key_text)
                    .unwrap_or_default();
                let node = self
                    .arena
                    .alloc(Node::new(current.span, Value::String(key)));
                return Selection {
                    anchor: (current.span, current.path.clone()),
                    hits: vec![Hit::Found(Cursor {
                        node,
                        ..current.clone()
                    })],
                };
            }
        };
        let mut anchor = (start.span, start.path.clone());
        let mut frontier = self.expand_branches(vec![start]);
        let mut hits = Vec::new();
        for (index, step) in path.steps.iter().enumerate() {
            if let [only] = frontier.as_slice() {
                anchor = (only.span, only.path.clone());
            }
            let mut next = Vec::new();
            for cursor in frontier {
                let Some(node) = self.model.resolver.resolve(cursor.node, self.arena) else {
                    let parent = Cursor {
                        span: cursor.parent_span,
                        ..cursor
                    };
                    hits.push(missing(&parent, path, index));
                    continue;
                };
                if let Value::Unknown(unknown) = &node.value {
                    hits.push(unknown_hit(cursor, unknown, path, index));
                    continue;
                }
                let node = self.decode_embedded(node, cursor.span, step);
                if let Value::Unknown(unknown) = &node.value {
                    hits.push(Hit::Unknown {
                        cursor,
                        unknown,
                        complete: false,
                    });
                    continue;
                }
                let before = next.len();
                step_into(node, &cursor, step, &mut next);
                if next.len() == before && matches!(step, Step::Key { .. } | Step::Index(_)) {
                    hits.push(missing(&Cursor { node, ..cursor }, path, index));
                }
            }
            frontier = self.expand_branches(next);
        }
        if let [only] = frontier.as_slice() {
            anchor = (only.span, only.path.clone());
        }
        for cursor in frontier {
            match self.model.resolver.resolve(cursor.node, self.arena) {
                None => hits.push(Hit::Missing {
                    span: cursor.parent_span,
                    path: cursor.path,
                    via: cursor.via,
                }),
                Some(node) => match &node.value {
                    Value::Unknown(unknown) => {
                        hits.push(unknown_hit(cursor, unknown, path, path.steps.len()))
                    }
                    _ => hits.push(Hit::Found(Cursor { node, ..cursor })),
                },
            }
        }
        // Report missing places after found ones, so "every"/"all" fail first on a value.
        hits.sort_by_key(|h| matches!(h, Hit::Missing { .. }));
        Selection { hits, anchor }
    }

    /// A JSON document written as a string (a policy document, say) is read as the
    /// document when a path steps into it; its nodes are reported at the string's key.
    fn decode_embedded(&self, node: &'a Node, at: Span, step: &Step) -> &'a Node {
        let Value::String(text) = &node.value else {
            return node;
        };
        if !matches!(step, Step::Key { .. } | Step::Values) {
            return node;
        }
        let trimmed = text.trim_start();
        if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
            return node;
        }
        match crate::parse::json::parse(text, &crate::parse::Limits::default()) {
            Ok(mut doc) => {
                crate::node::relocate(&mut doc, at);
                self.arena.alloc(doc)
            }
            Err(err) => self.arena.alloc(Node::new(
                at,
                Value::Unknown(Box::new(Unknown {
                    reason: format!("the embedded JSON document does not parse: {err}"),
                    references: Vec::new(),
                    configured: true,
                    after_apply: false,
                    partial: None,
                })),
            )),
        }
    }
}

fn step_into<'a>(node: &'a Node, cursor: &Cursor<'a>, step: &Step, next: &mut Vec<Cursor<'a>>) {
    match (step, &node.value) {
        (Step::Key { folded, .. }, Value::Object(entries)) => {
            if let Some(entry) = entries.iter().find(|e| key_matches(&e.key, folded)) {
                next.push(Cursor {
                    node: &entry.value,
                    span: entry.key_span,
                    path: cursor.path.child(Segment::Key(&entry.key)),
                    key: Some(Segment::Key(&entry.key)),
                    parent_span: cursor.span,
                    via: cursor.via.clone(),
                });
            }
        }
        // A key step over a list applies to each element: Terraform writes blocks
        // as lists where CloudFormation has one object.
        (Step::Key { .. }, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let element = element_cursor(item, cursor, i);
                if let Value::Object(_) = item.value {
                    step_into(item, &element, step, next);
                }
            }
        }
        (Step::Index(n), Value::Array(items)) => {
            if let Some(item) = items.get(*n) {
                next.push(element_cursor(item, cursor, *n));
            }
        }
        (
            Step::Index(0) | Step::Each,
            Value::Object(_) | Value::String(_) | Value::Number(_) | Value::Bool(_),
        ) => {
            next.push(Cursor {
                node,
                ..cursor.clone()
            });
        }
        (Step::Each, Value::Array(items)) => {
            next.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| element_cursor(item, cursor, i)),
            );
        }
        (Step::Values, Value::Object(entries)) => {
            next.extend(entries.iter().filter(|e| e.key != "//").map(|e| Cursor {
                node: &e.value,
                span: e.key_span,
                path: cursor.path.child(Segment::Key(&e.key)),
                key: Some(Segment::Key(&e.key)),
                parent_span: cursor.span,
                via: cursor.via.clone(),
            }));
        }
        (Step::Values, Value::Array(items)) => {
            next.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| element_cursor(item, cursor, i)),
            );
        }
        _ => {}
    }
}

/// Clips a span to the line it starts on: an array element, which has no key of
/// its own, is reported at its first line (`- Name: CardNumber`).
fn first_line(source: &SourceFile, span: Span) -> Span {
    let line = source.line_index(span.start());
    let line_end = source.line_start(line + 1).unwrap_or(source.text.len());
    if span.end() <= line_end {
        return span;
    }
    let text = source.text.get(span.start()..line_end).unwrap_or("");
    Span::new(span.start(), span.start() + text.trim_end().len())
}

/// An array element is reported at its own first line (it has no key).
fn element_cursor<'a>(item: &'a Node, parent: &Cursor<'a>, index: usize) -> Cursor<'a> {
    Cursor {
        node: item,
        span: item.span,
        path: parent.path.child(Segment::Index(index)),
        key: Some(Segment::Index(index)),
        parent_span: parent.span,
        via: parent.via.clone(),
    }
}

/// Appends `.key`, or `['key']` for a key that is not a plain name.
fn push_key(path: &mut String, key: &str) {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), simple) {
        (true, true) => path.push_str(key),
        (false, true) => {
            path.push('.');
            path.push_str(key);
        }
        (_, false) => {
            path.push_str("['");
            path.push_str(key);
            path.push_str("']");
        }
    }
}

/// An unknown value the user did not configure (a plan attribute the provider
/// computes) is not set by the user: it reads as missing, at its parent.
fn unknown_hit<'a>(
    cursor: Cursor<'a>,
    unknown: &'a Unknown,
    path: &Path,
    from_step: usize,
) -> Hit<'a> {
    if unknown.configured {
        Hit::Unknown {
            cursor,
            unknown,
            complete: from_step >= path.steps.len(),
        }
    } else {
        missing(&cursor, path, from_step)
    }
}

fn missing<'a>(at: &Cursor<'a>, path: &Path, from_step: usize) -> Hit<'a> {
    let wanted = match path.suffix(from_step) {
        Some(rest) if !rest.is_empty() => at.path.child(Segment::Rest(rest.clone())),
        _ => at.path.clone(),
    };
    Hit::Missing {
        span: at.span,
        path: wanted,
        via: at.via.clone(),
    }
}

fn truth(b: bool) -> Truth {
    if b {
        Truth::True
    } else {
        Truth::False
    }
}

fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::True,
    }
}

/// Why a link found no resource to evaluate.
enum LinkMiss {
    /// An AWS-managed key: not the user's to configure, nothing to check.
    Managed,
    Unknown(String),
}

fn at_place(span: Span, path: PropPath<'_>, truth: Truth) -> Verdict<'_> {
    Verdict {
        truth,
        span,
        path,
        value: None,
        reason: None,
        related: Vec::new(),
        resource: None,
        via: None,
    }
}

fn at_cursor<'a>(cursor: &Cursor<'a>, truth: Truth) -> Verdict<'a> {
    Verdict {
        truth,
        span: cursor.span,
        path: cursor.path.clone(),
        value: None,
        reason: None,
        related: Vec::new(),
        resource: None,
        via: None,
    }
}

fn unknown_verdict<'a>(cursor: &Cursor<'a>, unknown: &Unknown) -> Verdict<'a> {
    Verdict {
        truth: Truth::Unknown,
        span: cursor.span,
        path: cursor.path.clone(),
        value: None,
        reason: Some(unknown.reason.clone()),
        related: Vec::new(),
        resource: None,
        via: None,
    }
}

/// False at the first false verdict, else unknown at the first unknown, else true.
fn all<'a>(verdicts: impl IntoIterator<Item = Verdict<'a>>, current: &Cursor<'a>) -> Verdict<'a> {
    decide(verdicts, Truth::False, current)
}

/// True at the first true verdict, else unknown at the first unknown, else false
/// at the first verdict.
fn any<'a>(verdicts: impl IntoIterator<Item = Verdict<'a>>, current: &Cursor<'a>) -> Verdict<'a> {
    decide(verdicts, Truth::True, current)
}

/// The first verdict that is `decisive`; else the first unknown; else the first
/// verdict (or, with none, the opposite of `decisive` at the current place).
fn decide<'a>(
    verdicts: impl IntoIterator<Item = Verdict<'a>>,
    decisive: Truth,
    current: &Cursor<'a>,
) -> Verdict<'a> {
    let mut first_unknown = None;
    let mut first = None;
    for v in verdicts {
        if v.truth == decisive {
            return v;
        }
        if v.truth == Truth::Unknown {
            first_unknown.get_or_insert(v);
        } else {
            first.get_or_insert(v);
        }
    }
    let empty = if decisive == Truth::True {
        Truth::False
    } else {
        Truth::True
    };
    first_unknown
        .or(first)
        .unwrap_or_else(|| at_cursor(current, empty))
}

/// One finding per policy, place, status and property: two aliases logging to the
/// same unencrypted log group are one finding whose related locations name every
/// source.
fn merge_duplicates(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    // Two checks of one policy that fail at one place about different properties
    // (a bucket with neither lifecycle nor access logging) stay two findings.
    let mut seen: std::collections::HashMap<(Arc<str>, Span, Status, String), usize> =
        std::collections::HashMap::new();
    for finding in findings {
        let key = (
            finding.policy_id.clone(),
            finding.span,
            finding.status,
            finding.property_path.clone(),
        );
        match seen.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(first) => {
                for related in finding.related {
                    if !first.related.iter().any(|r| r.span == related.span) {
                        first.related.push(related);
                    }
                }
            }
            None => {
                seen.insert(key, out.len());
                out.push(finding);
            }
        }
    }
    out
}

/// Whether an operator holds for a known value.
pub(crate) fn op_on_known(op: &Op, node: &Node) -> bool {
    match op {
        Op::Exists(want) => node.is_null() != *want,
        Op::Equals {
            value,
            negate,
            case_insensitive,
        } => equals(node, value, *case_insensitive) != *negate,
        Op::OneOf {
            values,
            negate,
            case_insensitive,
        } => values.iter().any(|v| equals(node, v, *case_insensitive)) != *negate,
        Op::Matches { regex, negate } => {
            let hit = scalar_text(node).is_some_and(|t| regex.is_match(&t));
            hit != *negate
        }
        Op::Compare { op, bound } => number(node).is_some_and(|n| op.holds(n, *bound)),
        Op::Type(types) => types.iter().any(|t| has_type(node, *t)),
        Op::Empty(want) => is_empty(node) == *want,
        Op::References(_) | Op::ReferencesData(_) => false,
        Op::Literal(want) => *want,
    }
}

/// Whether an operator holds for an absent value.
fn op_on_missing(op: &Op) -> bool {
    match op {
        Op::Exists(want) => !*want,
        Op::Equals { negate, .. } | Op::OneOf { negate, .. } | Op::Matches { negate, .. } => {
            *negate
        }
        Op::Empty(want) => *want,
        // An unset bound (a parameter left `null`) limits nothing.
        Op::Compare { bound, .. } => bound.is_nan(),
        Op::Type(_) | Op::References(_) | Op::ReferencesData(_) | Op::Literal(_) => false,
    }
}

fn op_on_unknown(op: &Op, unknown: &Unknown) -> Truth {
    match op {
        // A value the user configured counts as set even when it is unknown.
        Op::Exists(want) => truth(unknown.configured == *want),
        // A reference to a resource, or a configured plan value known after apply,
        // is set and not empty even though its value is unknown.
        Op::Empty(want)
            if !unknown.references.is_empty()
                || (unknown.after_apply && unknown.configured)
                || unknown.partial.as_deref().is_some_and(has_literal_text) =>
        {
            truth(!*want)
        }
        Op::Literal(want) => truth(!*want),
        Op::References(types) if !unknown.references.is_empty() => truth(
            unknown
                .references
                .iter()
                .any(|r| r.target_type.as_ref().is_some_and(|t| types.contains(t))),
        ),
        Op::ReferencesData(types) if !unknown.references.is_empty() => {
            truth(unknown.references.iter().any(|r| {
                r.is_data_source() && r.target_type.as_ref().is_some_and(|t| types.contains(t))
            }))
        }
        _ => Truth::Unknown,
    }
}

/// Whether a partly known string has text outside its `${…}` placeholders.
fn has_literal_text(text: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Equality as CloudFormation reads values: `"true"` equals `true`, `"300"` equals 300.
fn equals(node: &Node, want: &serde_json::Value, case_insensitive: bool) -> bool {
    use serde_json::Value as J;
    match (&node.value, want) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::String(s), J::Bool(b)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Value::Number(n), J::Number(m)) => m.as_f64().is_some_and(|m| n.value == m),
        (Value::String(s), J::Number(m)) => m
            .as_f64()
            .is_some_and(|m| s.trim().parse::<f64>().is_ok_and(|v| v == m)),
        (Value::String(s), J::String(t)) => {
            if case_insensitive {
                s.to_lowercase() == t.to_lowercase()
            } else {
                s == t
            }
        }
        (Value::Number(n), J::String(t)) => n.raw == *t,
        (Value::Bool(b), J::String(t)) => t.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Value::Array(_) | Value::Object(_), J::Array(_) | J::Object(_)) => node.to_json() == *want,
        _ => false,
    }
}

fn scalar_text(node: &Node) -> Option<std::borrow::Cow<'_, str>> {
    match &node.value {
        Value::String(s) => Some(s.as_str().into()),
        Value::Number(n) => Some(n.raw.as_str().into()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
        _ => None,
    }
}

fn number(node: &Node) -> Option<f64> {
    match &node.value {
        Value::Number(n) => Some(n.value),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
        _ => None,
    }
}

fn has_type(node: &Node, ty: TypeName) -> bool {
    match (ty, &node.value) {
        (TypeName::String, Value::String(_))
        | (TypeName::Number, Value::Number(_))
        | (TypeName::Boolean, Value::Bool(_))
        | (TypeName::Array, Value::Array(_))
        | (TypeName::Object, Value::Object(_))
        | (TypeName::Null, Value::Null) => true,
        (TypeName::Integer, Value::Number(n)) => n.integer.is_some() || n.value.fract() == 0.0,
        _ => false,
    }
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(entries) => entries.is_empty(),
        _ => false,
    }
}
