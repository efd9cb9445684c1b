//! Span checks shared by the property tests (`tests/properties.rs`) and the
//! fuzz targets (`fuzz/fuzz_targets/`): every span of a tree, an error or a
//! finding lies inside the text and on character boundaries.
#![allow(dead_code)] // each includer uses some of these

use lexguard::finding::Finding;
use lexguard::node::{Node, Value};
use lexguard::source::{SourceFile, Span};

pub fn check_span(text: &str, span: Span) {
    assert!(
        span.start() <= span.end() && span.end() <= text.len(),
        "{span:?} in {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start()) && text.is_char_boundary(span.end()),
        "{span:?} is not on character boundaries"
    );
}

/// Every value's and every key's span.
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

/// Every finding's span and related span, and the line and column it reports
/// for it, which must be those of the whole file (findings keep a window of it).
pub fn check_findings(file: &SourceFile, findings: &[Finding]) {
    for finding in findings {
        check_span(&file.text, finding.span);
        assert_eq!(finding.region, file.region(finding.span), "{finding:?}");
        for related in &finding.related {
            check_span(&file.text, related.span);
            assert_eq!(related.region, file.region(related.span), "{related:?}");
        }
    }
}
