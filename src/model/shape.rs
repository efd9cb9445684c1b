//! Shape checks for the model builders: a value of the wrong type where a
//! builder needs an object or an array becomes a [`ModelError`] at that value,
//! instead of silently reading as "no resources". Keys are named by their path
//! (`planned_values.root_module.child_modules`), built only when an error is made.

use crate::error::ModelErrorKind;
use crate::node::{Entry, Node};
use crate::source::Span;

/// A wrong shape in a recognised document. The builder carries on with the
/// parts it can read, so the document's other resources are still linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub span: Span,
    pub kind: ModelErrorKind,
}

/// The errors a builder found so far.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    pub(crate) errors: Vec<ModelError>,
}

impl Shapes {
    /// `node`'s entries, or `None` and an error naming `key`.
    pub(crate) fn object<'n>(
        &mut self,
        node: &'n Node,
        key: impl FnOnce() -> String,
    ) -> Option<&'n [Entry]> {
        let entries = node.as_object();
        if entries.is_none() {
            self.wrong_type(node, key, "an object");
        }
        entries
    }

    /// The object at `parent[key]` (`path` names `parent`); `None` when the key
    /// is absent, and an error too when it holds something else.
    pub(crate) fn object_at<'n>(
        &mut self,
        parent: &'n Node,
        key: &str,
        path: &str,
    ) -> Option<&'n Node> {
        let node = parent.get(key)?;
        self.object(node, || join(path, key)).map(|_| node)
    }

    /// The entries of the object at `parent[key]`, as [`Shapes::object_at`].
    pub(crate) fn entries_at<'n>(
        &mut self,
        parent: &'n Node,
        key: &str,
        path: &str,
    ) -> &'n [Entry] {
        self.object_at(parent, key, path)
            .and_then(Node::as_object)
            .unwrap_or_default()
    }

    /// The items of the array at `parent[key]`; none when the key is absent, and
    /// an error too when it holds something else.
    pub(crate) fn array_at<'n>(&mut self, parent: &'n Node, key: &str, path: &str) -> &'n [Node] {
        let Some(node) = parent.get(key) else {
            return &[];
        };
        let items = node.as_array();
        if items.is_none() {
            self.wrong_type(node, || join(path, key), "an array");
        }
        items.unwrap_or_default()
    }

    /// The string at `parent[key]` (`path` names `parent`, at `span`), which
    /// must be there.
    pub(crate) fn required_str<'n>(
        &mut self,
        parent: &'n Node,
        key: &'static str,
        span: Span,
        path: impl FnOnce() -> String,
    ) -> Option<&'n str> {
        let Some(node) = parent.get(key) else {
            self.errors.push(ModelError {
                span,
                kind: ModelErrorKind::MissingKey { at: path(), key },
            });
            return None;
        };
        let text = node.as_str();
        if text.is_none() {
            self.wrong_type(node, || join(&path(), key), "a string");
        }
        text
    }

    pub(crate) fn wrong_type(
        &mut self,
        node: &Node,
        key: impl FnOnce() -> String,
        expected: &'static str,
    ) {
        self.errors.push(ModelError {
            span: node.span,
            kind: ModelErrorKind::WrongType {
                key: key(),
                expected,
                found: node.type_name(),
            },
        });
    }

    pub(crate) fn too_deep(&mut self, span: Span, limit: usize) {
        self.errors.push(ModelError {
            span,
            kind: ModelErrorKind::TooDeep { limit },
        });
    }
}

/// `parent.key`, or `key` at the root.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}
