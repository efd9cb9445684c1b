//! Property tests (issue 6): for generated input, parsing and a whole check
//! never panic, and every span (of each value and key, of a parse or model
//! error, of each finding) lies inside the text on character boundaries, at
//! the line and column reported. The inputs are arbitrary text and bytes, and
//! templates built from Lex resources, intrinsics and multibyte words, written
//! as JSON, block YAML or flow YAML, then given CRLF line ends, tabs or a cut.
//! The fuzz targets in `fuzz/` check the same with far more inputs.

use std::sync::OnceLock;

use lexguard::engine::check_source;
use lexguard::parse::{self, Limits};
use lexguard::policy::{load_policies, Policy, Selection};
use lexguard::source::{Encoding, SourceFile};
use proptest::prelude::*;

#[path = "common/spans.rs"]
mod spans;

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| load_policies(&[], &Selection::default()).unwrap())
}

/// Parses `text` as JSON and as YAML, then lints it whole under `name`.
fn check_text(name: &str, text: &str) {
    let limits = Limits::default();
    for parsed in [
        parse::json::parse(text, &limits),
        parse::yaml::parse(text, &limits),
    ] {
        match parsed {
            Ok(root) => spans::check_spans(text, &root),
            Err(err) => spans::check_span(text, err.span),
        }
    }
    let file = SourceFile::new(name, text.to_owned(), Encoding::Utf8);
    let source = SourceFile::new(name, text.to_owned(), Encoding::Utf8);
    check_whole(&file, source);
}

/// A whole check of `source` (a copy of `file`).
fn check_whole(file: &SourceFile, source: SourceFile) {
    match check_source(source, policies(), &Limits::default()) {
        Ok(findings) => spans::check_findings(file, &findings),
        Err(err) => {
            if let Some((_, span)) = err.location() {
                spans::check_span(&file.text, span);
            }
        }
    }
}

/// A document tree before it is written out.
#[derive(Debug, Clone)]
enum Tree {
    Scalar(String),
    List(Vec<Tree>),
    Map(Vec<(String, Tree)>),
    /// An intrinsic: `!Ref x` in YAML's short form, `{"Ref": x}` in JSON.
    Intrinsic(&'static str, Box<Tree>),
}

const WORDS: &[&str] = &[
    "AWS::Lex::Bot",
    "en_US",
    "3600",
    "-1",
    "1e999999",
    ".nan",
    "99999999999999999999999",
    "true",
    "null",
    "~",
    "Bot.Arn",
    "${AWS::Region}",
    "arn:aws:kms:eu-west-1:111122223333:key/k",
    "é",
    "日本語",
    "🎉 emoji",
    "tab\there",
    "quote\"d",
    "",
];

const KEYS: &[&str] = &[
    "Properties",
    "IdleSessionTTLInSeconds",
    "DataPrivacy",
    "ChildDirected",
    "BotLocales",
    "LocaleId",
    "Intents",
    "Slots",
    "RoleArn",
    "Name",
    "Tags",
    "Condition",
    "résumé",
    "キー",
    "k🎉",
];

const INTRINSICS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::If",
    "Fn::Join",
    "Fn::Bogus",
];

const TYPES: &[&str] = &[
    "AWS::Lex::Bot",
    "AWS::Lex::BotAlias",
    "AWS::Lex::BotVersion",
    "AWS::Lex::ResourcePolicy",
    "AWS::IAM::Role",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => "\\PC{0,6}",
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Zé日🎉]{1,5}",
    ]
}

/// A mapping without duplicate keys, which parsers reject (they have tests of their own).
fn map(mut entries: Vec<(String, Tree)>) -> Tree {
    let mut seen = std::collections::HashSet::new();
    entries.retain(|(k, _)| seen.insert(k.clone()));
    Tree::Map(entries)
}

fn tree() -> impl Strategy<Value = Tree> {
    scalar()
        .prop_map(Tree::Scalar)
        .prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Tree::List),
                prop::collection::vec((key(), inner.clone()), 0..4).prop_map(map),
                (prop::sample::select(INTRINSICS), inner)
                    .prop_map(|(name, arg)| Tree::Intrinsic(name, Box::new(arg))),
            ]
        })
}

/// A CloudFormation template of Lex (and related) resources, or the same
/// resources as a `.tf.json` file.
fn template() -> impl Strategy<Value = (bool, Tree)> {
    let properties = prop::collection::vec((key(), tree()), 0..5).prop_map(map);
    let resource = (prop::sample::select(TYPES), properties).prop_map(|(ty, properties)| {
        Tree::Map(vec![
            ("Type".to_owned(), Tree::Scalar(ty.to_owned())),
            ("Properties".to_owned(), properties),
        ])
    });
    let resources = prop::collection::vec((key(), resource), 1..4).prop_map(|r| match map(r) {
        Tree::Map(entries) => entries,
        _ => Vec::new(),
    });
    (any::<bool>(), resources).prop_map(|(terraform, resources)| {
        let root = if terraform {
            let bodies = resources
                .into_iter()
                .map(|(name, resource)| match resource {
                    Tree::Map(mut entries) => (name, entries.swap_remove(1).1),
                    other => (name, other),
                })
                .collect();
            vec![(
                "resource".to_owned(),
                Tree::Map(vec![("aws_lexv2models_bot".to_owned(), Tree::Map(bodies))]),
            )]
        } else {
            vec![
                (
                    "AWSTemplateFormatVersion".to_owned(),
                    Tree::Scalar("2010-09-09".to_owned()),
                ),
                ("Resources".to_owned(), Tree::Map(resources)),
            ]
        };
        (terraform, Tree::Map(root))
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn write_json(tree: &Tree, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    match tree {
        Tree::Scalar(s) if s.parse::<i64>().is_ok() => out.push_str(s),
        Tree::Scalar(s) => out.push_str(&json_string(s)),
        Tree::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&pad);
                write_json(item, indent + 1, out);
            }
            out.push(']');
        }
        Tree::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&pad);
                out.push_str(&json_string(k));
                out.push_str(": ");
                write_json(v, indent + 1, out);
            }
            out.push('}');
        }
        Tree::Intrinsic(name, arg) => write_json(
            &Tree::Map(vec![((*name).to_owned(), (**arg).clone())]),
            indent,
            out,
        ),
    }
}

/// Plain when it reads back as a string of letters, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_') {
        s.to_owned()
    } else {
        json_string(s)
    }
}

fn write_flow(tree: &Tree, out: &mut String) {
    match tree {
        Tree::Scalar(s) => out.push_str(&yaml_scalar(s)),
        Tree::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(item, out);
            }
            out.push(']');
        }
        Tree::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&yaml_scalar(k));
                out.push_str(": ");
                write_flow(v, out);
            }
            out.push('}');
        }
        Tree::Intrinsic(name, arg) => {
            out.push('!');
            out.push_str(name.trim_start_matches("Fn::"));
            out.push(' ');
            // A node takes one tag: a nested intrinsic goes in a list.
            if let Tree::Intrinsic(..) = **arg {
                write_flow(&Tree::List(vec![(**arg).clone()]), out);
            } else {
                write_flow(arg, out);
            }
        }
    }
}

/// Block YAML at `indent`; a collection value goes on the lines after its key.
fn write_block(tree: &Tree, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match tree {
        Tree::List(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                write_value(item, indent + 1, out);
            }
        }
        Tree::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(&yaml_scalar(k));
                out.push(':');
                write_value(v, indent + 1, out);
            }
        }
        other => {
            out.push_str(&pad);
            write_flow(other, out);
            out.push('\n');
        }
    }
}

fn write_value(tree: &Tree, indent: usize, out: &mut String) {
    match tree {
        Tree::List(items) if !items.is_empty() => {
            out.push('\n');
            write_block(tree, indent, out);
        }
        Tree::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            write_block(tree, indent, out);
        }
        other => {
            out.push(' ');
            write_flow(other, out);
            out.push('\n');
        }
    }
}

/// The character boundary at or before `at`, taken modulo the length.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// How a written template is roughened before it is checked.
#[derive(Debug, Clone)]
struct Damage {
    crlf: bool,
    tab_at: Option<usize>,
    insert: Option<(usize, &'static str)>,
    cut_at: Option<usize>,
}

fn damage() -> impl Strategy<Value = Damage> {
    (
        any::<bool>(),
        prop::option::weighted(0.2, any::<usize>()),
        prop::option::weighted(
            0.3,
            (
                any::<usize>(),
                prop::sample::select(&["é", "日", "🎉", "\t", "\r", "\u{feff}", "{", "- "][..]),
            ),
        ),
        prop::option::weighted(0.2, any::<usize>()),
    )
        .prop_map(|(crlf, tab_at, insert, cut_at)| Damage {
            crlf,
            tab_at,
            insert,
            cut_at,
        })
}

fn apply(mut text: String, damage: &Damage) -> String {
    if let Some(at) = damage.tab_at {
        // A tab at the start of a line: YAML forbids it in indentation.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        text.insert(starts[at % starts.len()], '\t');
    }
    if let Some((at, piece)) = damage.insert {
        let at = boundary(&text, at);
        text.insert_str(at, piece);
    }
    if damage.crlf {
        text = text.replace('\n', "\r\n");
    }
    if let Some(at) = damage.cut_at {
        let at = boundary(&text, at);
        text.truncate(at);
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics_and_spans_stay_inside(text in "\\PC*|[\\[\\]{}:,\"'!&*#\\- \\n\\r\\té日🎉a-z0-9]*") {
        check_text("t.yaml", &text);
        check_text("t.json", &text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200), bom in 0..4usize) {
        // Byte-order marks send the bytes down the UTF-8 and UTF-16 decoders.
        let marks: [&[u8]; 4] = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"];
        let bytes = [marks[bom], &bytes].concat();
        for name in ["t.yaml", "t.json"] {
            if let Ok(source) = SourceFile::decode(name, bytes.clone()) {
                let file = SourceFile::new(name, source.text.clone(), source.encoding);
                check_whole(&file, source);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_templates_never_panic_and_spans_stay_inside(
        (terraform, tree) in template(),
        style in 0..3usize,
        damage in damage(),
    ) {
        let mut text = String::new();
        let name = match (style, terraform) {
            (0, true) => "main.tf.json",
            (0, false) => "t.json",
            _ => "t.yaml",
        };
        match style {
            0 => write_json(&tree, 0, &mut text),
            1 => write_block(&tree, 0, &mut text),
            _ => write_flow(&tree, &mut text),
        }
        check_text(name, &apply(text, &damage));
    }
}
