//! `--shard K/N`: the shards of a CI matrix together report exactly what one run
//! reports, and each file is linted by exactly one shard.

use std::collections::BTreeSet;
use std::process::Command;

fn run(args: &[&str]) -> (serde_json::Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (doc, out.status.code().unwrap())
}

/// Every finding as its full JSON text, so the comparison is exact.
fn findings(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect()
}

fn files(doc: &serde_json::Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_union_of_the_shards_is_the_full_run() {
    let inputs = ["fixtures", "examples"];
    let mut full_args = vec!["check", "--format", "json"];
    full_args.extend(inputs);
    let (full, _) = run(&full_args);
    let full_findings = findings(&full);
    assert!(
        full_findings.len() > 1000,
        "the fixtures have many findings"
    );

    let mut union = Vec::new();
    let mut scanned = 0;
    let mut seen_files: BTreeSet<String> = BTreeSet::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let mut args = vec!["check", "--format", "json", "--shard", shard];
        args.extend(inputs);
        let (doc, _) = run(&args);
        let shard_files = files(&doc);
        assert!(
            seen_files.is_disjoint(&shard_files),
            "a file is in two shards: {:?}",
            seen_files.intersection(&shard_files).collect::<Vec<_>>()
        );
        assert!(!shard_files.is_empty(), "shard {shard} is empty");
        seen_files.extend(shard_files);
        scanned += doc["summary"]["files_scanned"].as_u64().unwrap();
        union.extend(findings(&doc));
    }
    union.sort();
    let mut expected = full_findings;
    expected.sort();
    assert_eq!(union, expected);
    assert_eq!(scanned, full["summary"]["files_scanned"].as_u64().unwrap());
}

#[test]
fn one_shard_of_one_is_everything() {
    let (full, _) = run(&["check", "--format", "json", "examples"]);
    let (one, _) = run(&["check", "--format", "json", "--shard", "1/1", "examples"]);
    assert_eq!(findings(&one), findings(&full));
}

#[test]
fn invalid_shards_are_usage_errors() {
    for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
        let (_, code) = run(&["check", "--shard", bad, "examples"]);
        assert_eq!(code, 2, "--shard {bad}");
    }
}

#[test]
fn each_shard_has_its_own_sarif_category() {
    let out = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(["check", "--format", "sarif", "--shard", "2/3", "examples"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "lexguard/shard-2-of-3/"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(["check", "--format", "sarif", "examples"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(log["runs"][0].get("automationDetails").is_none());
}
