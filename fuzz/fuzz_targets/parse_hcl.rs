//! The HCL parser on arbitrary text: never panics, and every span it returns
//! (blocks, labels, attributes, expressions, comments) lies inside the text on
//! character boundaries.
#![no_main]

use lexguard::parse::hcl::{self, Accessor, Body, Expr, ExprKind, Item, ObjectKey, TemplatePart};
use lexguard::parse::Limits;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/spans.rs"]
mod spans;
use spans::check_span;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match hcl::parse(text, &Limits::default()) {
        Ok(file) => {
            for comment in &file.comments {
                check_span(text, *comment);
            }
            body(text, &file.body);
        }
        Err(err) => check_span(text, err.span),
    }
});

fn body(text: &str, body_: &Body) {
    for item in &body_.items {
        match item {
            Item::Attribute(a) => {
                check_span(text, a.span);
                check_span(text, a.name.span);
                expr(text, &a.value);
            }
            Item::Block(b) => {
                check_span(text, b.span);
                check_span(text, b.name.span);
                for label in &b.labels {
                    check_span(text, label.span);
                }
                body(text, &b.body);
            }
        }
    }
}

fn expr(text: &str, root: &Expr) {
    let mut pending = vec![root];
    while let Some(e) = pending.pop() {
        check_span(text, e.span);
        match &e.kind {
            ExprKind::Template(parts) => {
                for part in parts {
                    match part {
                        TemplatePart::Interpolation(inner) => pending.push(inner),
                        TemplatePart::Directive(span) => check_span(text, *span),
                        TemplatePart::Literal(_) => {}
                    }
                }
            }
            ExprKind::Array(items) => pending.extend(items),
            ExprKind::Object(items) => {
                for item in items {
                    match &item.key {
                        ObjectKey::Ident(ident) => check_span(text, ident.span),
                        ObjectKey::Expr(key) => pending.push(key),
                    }
                    pending.push(&item.value);
                }
            }
            ExprKind::Traversal(root, accessors) => {
                pending.push(root);
                for accessor in accessors {
                    match accessor {
                        Accessor::Attr(ident) => check_span(text, ident.span),
                        Accessor::Index(index) => pending.push(index),
                        Accessor::LegacyIndex(_, span) => check_span(text, *span),
                        Accessor::AttrSplat | Accessor::FullSplat => {}
                    }
                }
            }
            ExprKind::Call { args, .. } => pending.extend(args),
            ExprKind::Conditional(a, b, c) => pending.extend([&**a, &**b, &**c]),
            ExprKind::Unary(_, a) | ExprKind::Parens(a) => pending.push(a),
            ExprKind::Binary(_, a, b) => pending.extend([&**a, &**b]),
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Variable(_)
            | ExprKind::For => {}
        }
    }
}
