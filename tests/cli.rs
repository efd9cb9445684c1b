//! The command line as CI and users drive it: exit codes, formats, determinism,
//! broken files next to good ones, and policy validation.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lexguard(args: &[&str]) -> Output {
    lexguard_env(args, &[])
}

fn lexguard_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lexguard"));
    cmd.args(args).current_dir(root()).env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run lexguard")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            stdout(out),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (policy, file, line, column) of every finding in a JSON report.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["policy_id"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Only the failed checks of a JSON report (unknown results left out).
fn fails(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    let mut report = report.clone();
    if let Some(list) = report["findings"].as_array_mut() {
        list.retain(|f| f["status"] == "fail");
    }
    findings(&report)
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

const FAILING: &str = "Resources:\n  Bot:\n    Type: AWS::Lex::Bot\n    Properties:\n      Name: Bot\n      RoleArn: arn:aws:iam::111122223333:role/lex\n      DataPrivacy:\n        ChildDirected: false\n      IdleSessionTTLInSeconds: 3600\n      ErrorLogSettings:\n        Enabled: true\n      BotTags:\n        - Key: DataClassification\n          Value: Internal\n        - Key: Owner\n          Value: platform\n        - Key: Environment\n          Value: prod\n";

#[test]
fn exit_codes_follow_the_contract() {
    let findings = lexguard(&["check", "examples/cloudformation/claims-bot.yaml"]);
    assert_eq!(findings.status.code(), Some(1), "{}", stdout(&findings));
    let clean = lexguard(&["check", "examples/cloudformation/compliant-bot.json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let missing = lexguard(&["check", "no/such/path.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    let usage = lexguard(&["check", "--format", "nope"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn fail_on_raises_the_bar() {
    let dir = temp_dir();
    let file = dir.path().join("t.yaml");
    std::fs::write(&file, FAILING).unwrap();
    let medium = lexguard(&["check", file.to_str().unwrap(), "--fail-on", "medium"]);
    assert_eq!(medium.status.code(), Some(1));
    let high = lexguard(&["check", file.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(
        high.status.code(),
        Some(0),
        "a medium finding must not fail --fail-on high"
    );
}

#[test]
fn examples_report_exact_findings() {
    let out = lexguard(&["check", "examples", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let got = findings(&json(&out));
    let want: Vec<(String, String, u64, u64)> = [
        ("LEX015", "examples/cloudformation/claims-bot.yaml", 12, 5),
        ("LEX034", "examples/cloudformation/claims-bot.yaml", 14, 7),
        ("LEX005", "examples/cloudformation/claims-bot.yaml", 17, 7),
        ("LEX016", "examples/cloudformation/claims-bot.yaml", 18, 7),
        ("LEX003", "examples/cloudformation/claims-bot.yaml", 29, 19),
        ("LEX003", "examples/cloudformation/claims-bot.yaml", 39, 91),
        ("LEX016", "examples/cloudformation/claims-bot.yaml", 45, 5),
        ("LEX008", "examples/cloudformation/claims-bot.yaml", 48, 7),
        ("LEX001", "examples/cloudformation/claims-bot.yaml", 49, 7),
        ("LEX004", "examples/cloudformation/claims-bot.yaml", 51, 13),
        ("LEX002", "examples/cloudformation/claims-bot.yaml", 53, 15),
        ("LEX027", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX028", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX029", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX030", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX031", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX032", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX033", "examples/cloudformation/claims-bot.yaml", 54, 17),
        ("LEX020", "examples/cloudformation/claims-bot.yaml", 66, 13),
        ("LEX005", "examples/terraform/contact-centre/main.tf", 27, 3),
        ("LEX020", "examples/terraform/contact-centre/main.tf", 41, 7),
        ("LEX017", "examples/terraform/legacy-bot.tf.json", 7, 7),
        ("LEX005", "examples/terraform/legacy-bot.tf.json", 10, 9),
        ("LEX001", "examples/terraform/legacy-bot.tf.json", 16, 7),
        ("LEX017", "examples/terraform/legacy-bot.tf.json", 16, 7),
        ("LEX008", "examples/terraform/legacy-bot.tf.json", 19, 9),
        ("LEX020", "examples/terraform/legacy-bot.tf.json", 25, 9),
    ]
    .iter()
    .map(|(p, f, l, c)| ((*p).to_owned(), (*f).to_owned(), *l, *c))
    .collect();
    assert_eq!(got, want);
}

/// Every input the repository and the shared corpus hold, as SARIF.
const EVERYTHING_AS_SARIF: [&str; 6] = [
    "check",
    "examples",
    "fixtures",
    "../shared/corpus",
    "--format",
    "sarif",
];

#[test]
fn sarif_is_identical_with_one_thread_and_many() {
    let one = lexguard_env(&EVERYTHING_AS_SARIF, &[("RAYON_NUM_THREADS", "1")]);
    // The default thread count (one per core).
    let many = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(EVERYTHING_AS_SARIF)
        .current_dir(root())
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("run lexguard");
    let results = |out: &Output| json(out)["runs"][0]["results"].clone();
    let one = results(&one);
    assert!(
        one.as_array().is_some_and(|r| r.len() > 20),
        "too few results: {one}"
    );
    assert_eq!(one, results(&many));
}

#[test]
fn a_broken_file_is_reported_and_does_not_hide_others() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("good.yaml"), FAILING).unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        "{\"AWSTemplateFormatVersion\": \"2010-09-09\",\n \"Resources\": {,}}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}").unwrap();
    std::fs::write(dir.path().join("notes.yaml"), "just: notes\n").unwrap();
    let out = lexguard(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "a parse error exits 2");
    let report = json(&out);
    let got = fails(&report);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].0.as_str(), got[0].2, got[0].3), ("LEX005", 9, 7));
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]["file"].as_str().unwrap().ends_with("broken.json"));
    assert_eq!(
        (
            errors[0]["start"]["line"].as_u64(),
            errors[0]["start"]["column"].as_u64()
        ),
        (Some(2), Some(16))
    );
    assert_eq!(
        report["summary"]["files_skipped"], 2,
        "package.json and notes.yaml are skipped"
    );
}

#[test]
fn an_explicitly_named_file_that_is_no_template_is_an_error() {
    let dir = temp_dir();
    let file = dir.path().join("package.json");
    std::fs::write(&file, "{\"name\": \"x\"}").unwrap();
    let out = lexguard(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn gitignored_and_excluded_files_are_not_walked() {
    let dir = temp_dir();
    std::fs::create_dir(dir.path().join("build")).unwrap();
    std::fs::create_dir(dir.path().join("vendor")).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    std::fs::write(dir.path().join("build/t.yaml"), FAILING).unwrap();
    std::fs::write(dir.path().join("vendor/t.yaml"), FAILING).unwrap();
    std::fs::write(dir.path().join("t.yaml"), FAILING).unwrap();
    let out = lexguard(&[
        "check",
        dir.path().to_str().unwrap(),
        "--exclude",
        "vendor",
        "--format",
        "json",
    ]);
    let files: Vec<String> = fails(&json(&out)).into_iter().map(|f| f.1).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].ends_with("/t.yaml")
            && !files[0].contains("build")
            && !files[0].contains("vendor")
    );
}

#[test]
fn select_and_ignore_choose_policies() {
    let out = lexguard(&[
        "check",
        "examples",
        "--format",
        "json",
        "--select",
        "LEX017,LEX020",
        "--ignore",
        "LEX020",
    ]);
    let ids: Vec<String> = findings(&json(&out)).into_iter().map(|f| f.0).collect();
    assert_eq!(ids, ["LEX017", "LEX017"]);
    let unknown = lexguard(&["check", "examples", "--select", "LEX999"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn policies_json_lists_the_starter_policies() {
    let out = lexguard(&["policies", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list = json(&out);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    // Every core policy of the catalog, with the fields CI tooling reads.
    let core = [
        "LEX001", "LEX002", "LEX003", "LEX004", "LEX005", "LEX006", "LEX007", "LEX008", "LEX009",
        "LEX010", "LEX014", "LEX015", "LEX016", "LEX017", "LEX018", "LEX019", "LEX020", "LEX022",
        "LEX024", "LEX025", "LEX027", "LEX028", "LEX029", "LEX032",
    ];
    for id in core {
        let policy = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing from {ids:?}"));
        assert_eq!(policy["tier"], "core", "{id}");
        for field in ["title", "severity"] {
            assert!(
                policy[field].as_str().is_some_and(|v| !v.is_empty()),
                "{id}: {field}"
            );
        }
        assert!(
            policy["resource_types"]
                .as_array()
                .is_some_and(|t| !t.is_empty()),
            "{id}"
        );
        for framework in ["hipaa", "pci-dss", "soc2", "iso27001"] {
            assert!(
                policy["frameworks"][framework].is_array(),
                "{id}: {framework}"
            );
        }
    }
    let lex005 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "LEX005")
        .unwrap();
    assert_eq!(lex005["severity"], "medium");
    assert_eq!(lex005["title"], "Idle session TTL within limit");
    assert_eq!(
        lex005["frameworks"]["pci-dss"],
        serde_json::json!(["8.2.8"])
    );
    assert_eq!(
        lex005["resource_types"],
        serde_json::json!([
            "AWS::Lex::Bot",
            "aws_lexv2models_bot",
            "awscc_lex_bot",
            "aws_lex_bot"
        ])
    );
}

#[test]
fn explain_prints_the_documentation() {
    let out = lexguard(&["explain", "LEX003"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for part in [
        "LEX003",
        "What it checks",
        "Why it matters",
        "Fix",
        "DefaultObfuscation",
        "164.514(d)",
    ] {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }
    assert_eq!(lexguard(&["explain", "LEX999"]).status.code(), Some(2));
}

#[test]
fn an_invalid_user_policy_is_reported_at_its_line() {
    let dir = temp_dir();
    let policy = "id: ACME001\ntitle: t\nseverity: high\ndescription: d\nrationale: r\nremediation: f\nchecks:\n  - resource_types: [AWS::Lex::Bot]\n    require: { path: Name, matchez: x }\n    message: m\n";
    std::fs::write(dir.path().join("acme.yaml"), policy).unwrap();
    let out = lexguard(&[
        "check",
        "examples",
        "--policy-dir",
        dir.path().to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("acme.yaml:9:28"), "{text}");
    assert!(text.contains("unknown field `matchez`"), "{text}");
}

#[test]
fn a_user_policy_runs_beside_the_built_ins() {
    let dir = temp_dir();
    let policy = "id: ACME001\ntitle: Bots are named in upper camel case\nseverity: low\ndescription: d\nrationale: r\nremediation: f\nchecks:\n  - resource_types: [AWS::Lex::Bot]\n    require: { path: Name, matches: '^[A-Z][A-Za-z]+$' }\n    message: \"Bot name {{value}} is not upper camel case\"\n";
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/acme.yaml"), policy).unwrap();
    let template = FAILING.replace("Name: Bot", "Name: my_bot");
    std::fs::write(dir.path().join("t.yaml"), template).unwrap();
    let out = lexguard(&[
        "check",
        dir.path().join("t.yaml").to_str().unwrap(),
        "--policy-dir",
        dir.path().join("policies").to_str().unwrap(),
        "--select",
        "ACME001",
        "--format",
        "json",
    ]);
    let got = fails(&json(&out));
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].0.as_str(), got[0].2, got[0].3), ("ACME001", 5, 7));
}

#[test]
fn output_file_is_written_and_stdin_is_read() {
    let dir = temp_dir();
    let out_file = dir.path().join("report.sarif");
    let out = lexguard(&[
        "check",
        "examples",
        "--format",
        "sarif",
        "--output",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    let mut child = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args([
            "check",
            "-",
            "--stdin-filename",
            "infra/bot.yaml",
            "--format",
            "json",
        ])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(FAILING.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let got = fails(&json(&out));
    assert_eq!(
        got,
        vec![("LEX005".to_owned(), "infra/bot.yaml".to_owned(), 9, 7)]
    );
}

#[test]
fn human_output_is_colourless_off_a_terminal_and_honours_no_color() {
    let out = lexguard(&["check", "examples/cloudformation/claims-bot.yaml"]);
    assert!(!stdout(&out).contains('\u{1b}'), "no colour when piped");
    let forced = lexguard(&[
        "check",
        "examples/cloudformation/claims-bot.yaml",
        "--color",
        "always",
    ]);
    assert!(stdout(&forced).contains('\u{1b}'));
    let text = stdout(&out);
    assert!(
        text.contains("LEX020") && text.contains("claims-bot.yaml:66:13"),
        "{text}"
    );
}

mod common;

#[test]
fn sarif_for_examples_fixtures_and_corpus_validates_against_the_schema() {
    let out = lexguard(&EVERYTHING_AS_SARIF);
    let log = json(&out);
    let validator = common::sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["kind"] == "open" && r["level"] == "note"),
        "an unknown result is open/note"
    );
    assert!(results.iter().all(|r| {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        region["startLine"].as_u64().is_some_and(|l| l >= 1)
            && region["startColumn"].as_u64().is_some_and(|c| c >= 1)
    }));
}

#[test]
fn github_format_prints_workflow_commands() {
    let dir = temp_dir();
    let file = dir.path().join("t.yaml");
    std::fs::write(&file, FAILING).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args([
            "check", "t.yaml", "--format", "github", "--select", "LEX005",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "::warning file=t.yaml,line=9,col=7,endLine=9,endColumn=30,title=LEX005 [medium]::\
         The idle session timeout of 3600 seconds exceeds the maximum of 900 seconds. (Bot)\n"
    );
}

/// Findings keep only a window of their file, so the engine computes GitHub's
/// line hash while it holds the whole file: it must equal the whole file's.
#[test]
fn sarif_line_hashes_are_those_of_the_whole_file() {
    let file = "examples/cloudformation/claims-bot.yaml";
    let out = lexguard(&["check", "--format", "sarif", file]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let expected = lexguard::report::sarif::line_hashes(&text);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 10);
    for result in results {
        let line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap() as usize;
        assert_eq!(
            result["partialFingerprints"]["primaryLocationLineHash"],
            expected[line - 1],
            "line {line}"
        );
    }
}

/// A plan is one long line: findings keep only a window of it, and the human
/// report must still show the exact column.
#[test]
fn human_columns_are_exact_on_a_minified_plan() {
    let text = std::fs::read_to_string(root().join("fixtures/LEX003/fail.plan.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, serde_json::to_string(&value).unwrap()).unwrap();
    let plan = plan.to_str().unwrap();
    let doc = json(&lexguard(&[
        "check", "--format", "json", "--select", "LEX003", plan,
    ]));
    let places: Vec<(u64, u64)> = findings(&doc).iter().map(|f| (f.2, f.3)).collect();
    assert!(places.len() >= 2 && places.iter().all(|p| p.0 == 1));
    assert!(places.iter().any(|p| p.1 > 600), "{places:?}");
    let human = stdout(&lexguard(&[
        "check", "--color", "never", "--select", "LEX003", plan,
    ]));
    for (line, column) in places {
        assert!(
            human.contains(&format!("plan.json:{line}:{column}]")),
            "{line}:{column} not in\n{human}"
        );
    }
}

/// `--output` renames a temporary file into place, except where that would
/// replace something that is not a regular file: a FIFO (like `/dev/null`, a
/// device) is written through, and a symlink keeps pointing at its target.
#[test]
fn output_writes_through_fifos_and_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = lexguard(&[
        "check",
        "--format",
        "json",
        "-o",
        fifo.to_str().unwrap(),
        "examples",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = reader.join().unwrap();
    assert!(text.contains("\"findings\""));
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(!meta.is_file(), "the FIFO was replaced by a file");

    let target = dir.path().join("real.json");
    let link = dir.path().join("link.json");
    std::fs::write(&target, "old").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = lexguard(&[
        "check",
        "--format",
        "json",
        "-o",
        link.to_str().unwrap(),
        "examples",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("\"findings\""));
}

/// Every parser ceiling can be changed on the command line, and reaching one is
/// an error for that file (exit 2) while the other files are still linted.
#[test]
fn limits_are_configurable_and_reported_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.yaml");
    std::fs::copy(
        root().join("examples/cloudformation/claims-bot.yaml"),
        &small,
    )
    .unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(
        &big,
        format!("{{\"Resources\": {{}}, \"x\": \"{}\"}}", "a".repeat(5000)),
    )
    .unwrap();
    let (small, big) = (small.to_str().unwrap(), big.to_str().unwrap());

    let doc = json(&lexguard(&[
        "check",
        "--format",
        "json",
        "--max-file-size",
        "4K",
        small,
        big,
    ]));
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1);
    assert_eq!(doc["errors"][0]["kind"], "too_large");
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("the limit is 4096"));
    let alone = json(&lexguard(&["check", "--format", "json", small]));
    assert_eq!(
        doc["findings"], alone["findings"],
        "the small file is still linted"
    );

    let deep = dir.path().join("deep.json");
    std::fs::write(
        &deep,
        "{\"Resources\": {\"A\": {\"Type\": \"AWS::Lex::Bot\", \"Properties\": {\"x\": [[1]]}}}}",
    )
    .unwrap();
    let deep = deep.to_str().unwrap();
    let out = lexguard(&["check", "--format", "json", "--max-depth", "5", deep]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["errors"][0]["kind"], "parse");
    assert_eq!(doc["errors"][0]["start"]["line"], 1);
    assert_eq!(doc["errors"][0]["start"]["column"], 68, "the sixth `[`");
    assert_ne!(
        lexguard(&["check", "--max-depth", "6", deep]).status.code(),
        Some(2)
    );
    assert_eq!(
        lexguard(&["check", "--max-depth", "5000", deep])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        lexguard(&["check", "--max-file-size", "12X", deep])
            .status
            .code(),
        Some(2)
    );

    let aliases = dir.path().join("aliases.yaml");
    std::fs::write(
        &aliases,
        "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: &p {a: [1, 2, 3, 4, 5, 6, 7, 8]}\n  B:\n    Type: AWS::SQS::Queue\n    Properties: *p\n",
    )
    .unwrap();
    let aliases = aliases.to_str().unwrap();
    assert_eq!(lexguard(&["check", aliases]).status.code(), Some(0));
    let out = lexguard(&[
        "check",
        "--format",
        "json",
        "--max-alias-nodes",
        "3",
        aliases,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["errors"][0]["kind"], "parse");
}

/// Ctrl-C during a run with `--output` stops it promptly with exit code 130,
/// removes the temporary file and leaves the previous report as it was, never
/// a truncated one.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_promptly_and_leaves_no_partial_output() {
    use std::time::{Duration, Instant};

    /// Kills the child if an assertion fails first.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let template = std::fs::read(root().join("examples/cloudformation/claims-bot.yaml")).unwrap();
    // Seconds of work for a debug build, so the signal lands mid-run.
    for i in 0..3000 {
        std::fs::write(corpus.join(format!("t{i}.yaml")), &template).unwrap();
    }
    let output = dir.path().join("report.json");
    std::fs::write(&output, "previous report").unwrap();
    let mut run = Running(
        Command::new(env!("CARGO_BIN_EXE_lexguard"))
            .args(["check", "--format", "json", "-o"])
            .args([&output, &corpus])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let names = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // The temporary file exists from before the first file is linted until
    // the finished report is renamed into place.
    let started = Instant::now();
    while names().len() < 3 {
        assert!(
            run.0.try_wait().unwrap().is_none(),
            "finished before Ctrl-C"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "{:?}", names());
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = libc::pid_t::try_from(run.0.id()).unwrap();
    // SAFETY: sends a signal to our own child; no memory is involved.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = run.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(10),
            "still running"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let stopped_in = signalled.elapsed();
    assert_eq!(status.code(), Some(130));
    assert!(stopped_in < Duration::from_secs(2), "took {stopped_in:?}");
    assert_eq!(names(), ["corpus", "report.json"]);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous report");
    let mut stderr = String::new();
    std::io::Read::read_to_string(run.0.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(stderr, "lexguard: interrupted\n");
}

/// `lexguard check . | head -1`: when the reader goes away the run ends
/// quietly, exit code 0 and nothing on standard error, not a panic or an
/// error about a broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::BufRead;

    let dir = tempfile::tempdir().unwrap();
    let template = std::fs::read(root().join("examples/cloudformation/claims-bot.yaml")).unwrap();
    // Far more report than a pipe buffers, so writing must meet the closed pipe.
    for i in 0..200 {
        std::fs::write(dir.path().join(format!("t{i}.yaml")), &template).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "{\n");
    // The reader is dropped here: the pipe is closed.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
