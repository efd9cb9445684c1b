//! Span checks shared by the parser targets.

use lexguard::node::{Node, Value};
use lexguard::source::Span;

pub fn check_span(text: &str, span: Span) {
    assert!(span.start() <= span.end() && span.end() <= text.len(), "{span:?}");
    assert!(text.is_char_boundary(span.start()) && text.is_char_boundary(span.end()));
}

pub fn check_spans(text: &str, root: &Node) {
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        check_span(text, node.span);
        match &node.value {
            Value::Array(items) => pending.extend(items),
            Value::Object(entries) => {
                for entry in entries {
                    check_span(text, entry.key_span);
                    pending.push(&entry.value);
                }
            }
            _ => {}
        }
    }
}
