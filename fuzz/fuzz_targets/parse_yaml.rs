//! The YAML parser (CloudFormation tags, aliases) on arbitrary text: never panics, and every span it returns
//! lies inside the text on character boundaries.
#![no_main]

use lexguard::node::{Node, Value};
use lexguard::parse::{yaml, Limits};
use lexguard::source::Span;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match yaml::parse(text, &Limits::default()) {
        Ok(root) => check_spans(text, &root),
        Err(err) => check_span(text, err.span),
    }
});

fn check_span(text: &str, span: Span) {
    assert!(span.start() <= span.end() && span.end() <= text.len(), "{span:?}");
    assert!(text.is_char_boundary(span.start()) && text.is_char_boundary(span.end()));
}

fn check_spans(text: &str, root: &Node) {
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
