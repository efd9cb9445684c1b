//! lexguard's SARIF, checked by Microsoft's SARIF multitool (`validate` with the
//! SARIF spec and GitHub ingestion rules) on the examples, every fixture and
//! the shared corpus. The tool is installed from npm by the test itself; if it
//! cannot be installed or run, the test fails rather than skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::multitool;
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh folder for this test's files under the target folder.
fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sarif-multitool")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create work folder");
    dir
}

/// Every file under `dir`, sorted, as paths relative to `base`.
fn files(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(base.join(dir))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", base.join(dir).display()))
        .map(|e| dir.join(e.expect("folder entry").file_name()))
        .collect();
    entries.sort();
    for path in entries {
        if base.join(&path).is_dir() {
            files(base, &path, out);
        } else {
            out.push(path);
        }
    }
}

/// Runs `lexguard check --format sarif` in `cwd` on the given (relative) files,
/// so artifact URIs are relative to `cwd`, and returns the log it wrote to `out`.
fn lexguard_sarif(cwd: &Path, inputs: &[PathBuf], out: &Path, exit_codes: &[i32]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .current_dir(cwd)
        .args(["check", "--format", "sarif", "--output"])
        .arg(out)
        .args(inputs)
        .output()
        .expect("run lexguard");
    let code = output.status.code().unwrap_or(-1);
    assert!(
        exit_codes.contains(&code),
        "lexguard exited with {code}, expected one of {exit_codes:?}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(out).expect("lexguard wrote the SARIF file");
    serde_json::from_str(&text).expect("lexguard's SARIF is JSON")
}

/// Checks that every input file is in the log: scanned, or named by a notification.
fn assert_all_accounted(log: &Value, inputs: &[PathBuf], scanned_at_least: usize) {
    let invocation = &log["runs"][0]["invocations"][0];
    let scanned = invocation["properties"]["filesScanned"]
        .as_u64()
        .expect("filesScanned") as usize;
    let noted: std::collections::BTreeSet<&str> = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(scanned >= scanned_at_least, "only {scanned} files scanned");
    assert_eq!(
        scanned + noted.len(),
        inputs.len(),
        "every input file is scanned or reported as an error"
    );
}

/// One test, so the install and the four lexguard runs happen once; the
/// validations run in parallel because each takes seconds.
#[test]
fn multitool_finds_nothing_in_lexguard_sarif() {
    let started = std::time::Instant::now();
    let binary = multitool::binary();
    eprintln!(
        "SARIF multitool at {} (ready in {:.1?})",
        binary.display(),
        started.elapsed()
    );
    let work = work_dir("runs");
    let mut sarifs = Vec::new();

    // The examples: a walked folder, as users run it.
    let out = work.join("examples.sarif");
    let log = lexguard_sarif(repo(), &[PathBuf::from("examples")], &out, &[0, 1]);
    assert!(log["runs"][0]["results"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    sarifs.push(out);

    // Every fixture file by name (not `expected.yaml`, which is no template), so
    // none can be left out by the walk.
    let mut fixtures = Vec::new();
    files(repo(), Path::new("fixtures"), &mut fixtures);
    fixtures.retain(|p| p.file_name().is_some_and(|n| n != "expected.yaml"));
    assert!(fixtures.len() >= 300, "{} fixture files", fixtures.len());
    let out = work.join("fixtures.sarif");
    let log = lexguard_sarif(repo(), &fixtures, &out, &[0, 1]);
    assert_all_accounted(&log, &fixtures, fixtures.len());
    sarifs.push(out);

    // Every corpus file by name, from the shared folder so URIs stay relative.
    // HCL `.tf` files and ATTRIBUTION.tsv are not templates: lexguard reports them
    // as parse errors (exit 2), which puts tool notifications in the log.
    let shared = repo().join("../shared");
    for corpus in ["corpus/real", "corpus/terraform-json"] {
        let mut inputs = Vec::new();
        files(&shared, Path::new(corpus), &mut inputs);
        assert!(inputs.len() >= 10, "{corpus} went missing");
        let out = work.join(format!("{}.sarif", corpus.replace('/', "-")));
        let log = lexguard_sarif(&shared, &inputs, &out, &[0, 1, 2]);
        assert_all_accounted(&log, &inputs, inputs.len() / 2);
        sarifs.push(out);
    }

    // Suppressions (external and without a reason, so warnings too) and a
    // shard's automationDetails, as a real run writes them.
    let project = work.join("suppressed");
    std::fs::create_dir_all(project.join(".git")).expect("project folder");
    std::fs::copy(
        repo().join("examples/cloudformation/claims-bot.yaml"),
        project.join("claims-bot.yaml"),
    )
    .expect("copy example");
    std::fs::write(
        project.join(".lexguard.yaml"),
        "version: 1\nsuppress:\n  - id: LEX0*\n    resource: ClaimsBot\n    reason: reviewed\n  \
         - id: LEX016\n    path: '*.yaml'\n",
    )
    .expect("config");
    let out = work.join("suppressed.sarif");
    let status = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .current_dir(&project)
        .args([
            "check", ".", "--shard", "1/1", "--format", "sarif", "--output",
        ])
        .arg(&out)
        .status()
        .expect("run lexguard");
    assert_eq!(status.code(), Some(1));
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("SARIF")).expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let suppressed = results
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "external")
        .count();
    assert!(suppressed >= 2, "{suppressed} suppressed results");
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "lexguard/shard-1-of-1/"
    );
    sarifs.push(out);

    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = sarifs
            .iter()
            .map(|sarif| {
                scope.spawn(move || {
                    let problems = multitool::problems(&multitool::validate(sarif));
                    problems
                        .into_iter()
                        .map(|p| format!("{}: {p}", sarif.display()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("validation thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "the SARIF multitool found {} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("validated in {:.1?}", started.elapsed());
}

/// Guards the test above against passing vacuously: the validator, run and read
/// the same way, does report a deliberately broken log.
#[test]
fn multitool_reports_a_broken_log() {
    let work = work_dir("broken");
    let sarif = work.join("broken.sarif");
    // No ruleId, an absolute URI, no rules and no tool information URI.
    let broken = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "broken"}},
            "results": [{
                "message": {"text": "no rule"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "file:///abs/bot.yaml"},
                    "region": {"startLine": 1}
                }}]
            }]
        }]
    });
    std::fs::write(&sarif, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
    let problems = multitool::problems(&multitool::validate(&sarif));
    let has = |rule: &str| problems.iter().any(|p| p.contains(rule));
    assert!(
        has("SARIF1010"),
        "missing ruleId not reported: {problems:#?}"
    );
    assert!(has("GH1018"), "missing rules not reported: {problems:#?}");
    // A result with no level of a rule with no default counts as a warning.
    assert!(
        problems.iter().any(|p| p.starts_with("warning SARIF2005")),
        "level-less warning not reported: {problems:#?}"
    );
}

/// Reading the validator's log: levels are taken from the result, else the
/// rule's default, else `warning`; notes and non-`fail` kinds are not problems.
#[test]
fn validator_log_levels() {
    let log = serde_json::json!({"runs": [{
        "tool": {"driver": {"name": "v", "rules": [
            {"id": "A", "defaultConfiguration": {"level": "note"}},
            {"id": "B", "defaultConfiguration": {"level": "error"}},
            {"id": "C"}
        ]}},
        "results": [
            {"ruleId": "A", "message": {"text": "a"}},
            {"ruleId": "B", "ruleIndex": 1, "message": {"text": "b"}},
            {"ruleId": "C", "message": {"text": "c"}},
            {"ruleId": "D", "message": {"text": "d"}},
            {"ruleId": "A", "level": "warning", "message": {"text": "a2"}},
            {"ruleId": "C", "level": "note", "message": {"text": "c2"}},
            {"ruleId": "C", "kind": "pass", "message": {"text": "c3"}}
        ],
        "invocations": [{"executionSuccessful": true}]
    }]});
    let problems = multitool::problems(&log);
    let heads: Vec<&str> = problems
        .iter()
        .map(|p| p.split(" at ").next().unwrap())
        .collect();
    assert_eq!(
        heads,
        [
            "error B: b",
            "warning C: c",
            "warning D: d",
            "warning A: a2"
        ]
    );
}
