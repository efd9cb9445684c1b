//! A differential check of lexguard's HCL parser against hcl-edit (the Rust
//! HCL editing library): on every `.tf` file of the corpus, the fixtures and
//! the examples, both parse, and they agree on every block, label and
//! attribute and where each is written, and on each attribute value's span.

use std::path::{Path, PathBuf};

use hcl_edit::structure::{Body as EditBody, Structure};
use hcl_edit::Span as _;
use lexguard::parse::hcl::{self, Body, Item};
use lexguard::parse::Limits;

/// (depth, kind, name, labels, start of the name, value span) in source order.
type Shape = Vec<(
    usize,
    &'static str,
    String,
    Vec<String>,
    usize,
    Option<(usize, usize)>,
)>;

fn ours(body: &Body, depth: usize, out: &mut Shape) {
    for item in &body.items {
        match item {
            Item::Attribute(a) => out.push((
                depth,
                "attribute",
                a.name.text.clone(),
                Vec::new(),
                a.name.span.start(),
                Some((a.value.span.start(), a.value.span.end())),
            )),
            Item::Block(b) => {
                out.push((
                    depth,
                    "block",
                    b.name.text.clone(),
                    b.labels.iter().map(|l| l.text.clone()).collect(),
                    b.name.span.start(),
                    None,
                ));
                ours(&b.body, depth + 1, out);
            }
        }
    }
}

fn theirs(body: &EditBody, depth: usize, out: &mut Shape) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(a) => {
                let value = a.value.span().unwrap();
                out.push((
                    depth,
                    "attribute",
                    a.key.as_str().to_owned(),
                    Vec::new(),
                    a.key.span().unwrap().start,
                    Some((value.start, value.end)),
                ))
            }
            Structure::Block(b) => {
                out.push((
                    depth,
                    "block",
                    b.ident.as_str().to_owned(),
                    b.labels.iter().map(|l| l.as_str().to_owned()).collect(),
                    b.ident.span().unwrap().start,
                    None,
                ));
                theirs(&b.body, depth + 1, out);
            }
        }
    }
}

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

#[test]
fn lexguard_and_hcl_edit_agree_on_every_tf_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["../shared/corpus", "fixtures", "examples"] {
        tf_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() >= 7, "too few .tf files: {files:?}");
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let mine = match hcl::parse(&text, &Limits::default()) {
            Ok(file) => file,
            Err(err) => {
                problems.push(format!(
                    "{}: lexguard: {err} at {:?}",
                    path.display(),
                    err.span
                ));
                continue;
            }
        };
        let other = match hcl_edit::parser::parse_body(&text) {
            Ok(body) => body,
            Err(err) => {
                problems.push(format!("{}: hcl-edit: {err}", path.display()));
                continue;
            }
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        ours(&mine.body, 0, &mut a);
        theirs(&other, 0, &mut b);
        if a != b {
            let first = a.iter().zip(&b).position(|(x, y)| x != y);
            problems.push(format!(
                "{}: structures differ (lengths {} and {}); first difference at item {first:?}: {:?} vs {:?}",
                path.display(),
                a.len(),
                b.len(),
                first.and_then(|i| a.get(i)),
                first.and_then(|i| b.get(i)),
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
