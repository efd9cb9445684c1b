//! `--format junit` on a real run over `examples/`: the output parses as XML and
//! agrees with the JSON report of the same run.

use std::collections::BTreeSet;
use std::process::{Command, Output};

fn lexguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run lexguard")
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("no {name} on {node:?}"))
}

/// (policy, file, resource) of the JSON report's findings with this status.
fn json_cases(report: &serde_json::Value, status: &str) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == status)
        .map(|f| {
            (
                f["policy_id"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["resource"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn junit_on_the_examples() {
    let out = lexguard(&[
        "check",
        "--format",
        "junit",
        "examples",
        "examples/gone.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2), "a missing path is an error");
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(attr(root, "name"), "lexguard");

    // (policy, file, resource) of every test case, by outcome.
    let mut failed = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    let mut errors = Vec::new();
    let mut tests = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let suite_name = attr(suite, "name");
        let policy = suite_name.split(':').next().unwrap().to_owned();
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(
            attr(suite, "tests"),
            cases.len().to_string(),
            "{suite_name}"
        );
        tests += cases.len();
        for case in cases {
            let key = (
                policy.clone(),
                attr(case, "classname").to_owned(),
                attr(case, "name").to_owned(),
            );
            assert_eq!(attr(case, "file"), attr(case, "classname"));
            match case.first_element_child().map(|o| o.tag_name().name()) {
                Some("failure") => assert!(failed.insert(key)),
                Some("skipped") => assert!(skipped.insert(key)),
                Some("error") => errors.push(key),
                None => {}
                Some(other) => panic!("unexpected <{other}>"),
            }
        }
    }
    assert_eq!(attr(root, "tests"), tests.to_string());
    assert_eq!(attr(root, "failures"), failed.len().to_string());
    assert_eq!(attr(root, "skipped"), skipped.len().to_string());
    assert_eq!(attr(root, "errors"), "1");
    assert_eq!(
        errors,
        [(
            "lexguard.errors".to_owned(),
            "examples/gone.yaml".to_owned(),
            "examples/gone.yaml".to_owned()
        )]
    );

    // The JSON report of the same run: failed cases are the resources with a
    // failed check; skipped ones those with only unknown results.
    let json = lexguard(&["check", "--format", "json", "examples"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let json_failed = json_cases(&report, "fail");
    let json_unknown: BTreeSet<_> = json_cases(&report, "unknown")
        .difference(&json_failed)
        .cloned()
        .collect();
    assert_eq!(failed, json_failed);
    assert_eq!(skipped, json_unknown);

    // Exact numbers for today's catalog and examples (update with either).
    assert_eq!((tests, failed.len(), skipped.len()), (140, 18, 8));
    let case = (
        "LEX005".to_owned(),
        "examples/cloudformation/claims-bot.yaml".to_owned(),
        "ClaimsBot".to_owned(),
    );
    assert!(failed.contains(&case));
    let failure = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .find(|n| {
            attr(n.parent().unwrap(), "name").starts_with("LEX005:")
                && attr(*n, "name") == "ClaimsBot"
        })
        .and_then(|n| n.first_element_child())
        .unwrap();
    assert_eq!(attr(failure, "type"), "medium");
    assert!(failure
        .text()
        .unwrap()
        .starts_with("examples/cloudformation/claims-bot.yaml:17:7: LEX005 [medium] "));
    // The compliant bot passes every policy.
    assert!(!failed
        .iter()
        .chain(&skipped)
        .any(|(_, file, _)| file == "examples/cloudformation/compliant-bot.json"));
}
