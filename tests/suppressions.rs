//! Suppressions (in CloudFormation metadata, `.tf.json` comments and the
//! configuration) and baselines, driven through the command line as CI runs them.

use std::path::Path;
use std::process::{Command, Output};

/// A bot with one unobfuscated card-number slot (LEX003 at 16:19), named `name`,
/// with `metadata` (YAML lines, indented for the resource) under the resource.
fn bot(name: &str, metadata: &str) -> String {
    format!(
        "  {name}:
    Type: AWS::Lex::Bot
{metadata}    Properties:
      Name: {name}
      RoleArn: arn:aws:iam::123456789012:role/lex
      DataPrivacy: {{ChildDirected: false}}
      IdleSessionTTLInSeconds: 300
      BotLocales:
        - LocaleId: en_US
          NluConfidenceThreshold: 0.4
          Intents:
            - Name: Pay
              Slots:
                - Name: CardNumber
                  SlotTypeName: AMAZON.Number
                  ValueElicitationSetting:
                    SlotConstraint: Required
"
    )
}

fn template(top_metadata: &str, resources: &[String]) -> String {
    format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\n{top_metadata}Resources:\n{}",
        resources.concat()
    )
}

/// A scratch project: a `.git` folder stops the config search at its root.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn lexguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn json_run(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let mut all = vec!["check", "--format", "json", "--select", "LEX003"];
    all.extend_from_slice(args);
    let out = lexguard(dir, &all);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap())
}

/// (resource, line, column, suppression kind or "-", justification or "-") per finding.
fn findings(doc: &serde_json::Value) -> Vec<(String, u64, u64, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_owned();
            (
                text(&f["resource"]["id"]),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
                text(&f["suppression"]["kind"]),
                text(&f["suppression"]["justification"]),
            )
        })
        .collect()
}

/// (kind, file, line, column) per warning.
fn warnings(doc: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_owned(),
                w["file"].as_str().unwrap().to_owned(),
                w["start"]["line"].as_u64().unwrap_or(0),
                w["start"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn row(
    resource: &str,
    line: u64,
    column: u64,
    kind: &str,
    why: &str,
) -> (String, u64, u64, String, String) {
    (resource.into(), line, column, kind.into(), why.into())
}

fn warn(kind: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (kind.into(), file.into(), line, column)
}

#[test]
fn unsuppressed_baseline_of_these_tests() {
    let text = template("", &[bot("PaymentsBot", ""), bot("OtherBot", "")]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(
        findings(&doc),
        vec![
            row("PaymentsBot", 16, 19, "-", "-"),
            row("OtherBot", 33, 19, "-", "-")
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn cloudformation_resource_metadata_suppresses_that_resource_only() {
    let metadata = "    Metadata:\n      lexguard:\n        suppress:\n          - id: LEX003\n            reason: test bot, no real card data\n";
    let text = template("", &[bot("PaymentsBot", metadata), bot("OtherBot", "")]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(
        findings(&doc),
        vec![
            row(
                "PaymentsBot",
                21,
                19,
                "in_source",
                "test bot, no real card data"
            ),
            row("OtherBot", 38, 19, "-", "-"),
        ]
    );
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert_eq!(
        doc["summary"]["findings"]["low"].as_u64().unwrap()
            + doc["summary"]["findings"]["medium"].as_u64().unwrap()
            + doc["summary"]["findings"]["high"].as_u64().unwrap()
            + doc["summary"]["findings"]["critical"].as_u64().unwrap(),
        1
    );
    assert_eq!(warnings(&doc), vec![]);
    assert_eq!(code, 1, "OtherBot still fails");

    // Suppressing both bots makes the run pass.
    let text = template(
        "",
        &[bot("PaymentsBot", metadata), bot("OtherBot", metadata)],
    );
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(doc["summary"]["suppressed"], 2);
    assert_eq!(code, 0);
}

#[test]
fn cloudformation_template_metadata_suppresses_the_whole_file() {
    let top = "Metadata:\n  lexguard:\n    suppress:\n      - id: lex003\n        reason: sandbox stack\n";
    let text = template(top, &[bot("PaymentsBot", ""), bot("OtherBot", "")]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(
        findings(&doc),
        vec![
            row("PaymentsBot", 21, 19, "in_source", "sandbox stack"),
            row("OtherBot", 38, 19, "in_source", "sandbox stack"),
        ]
    );
    assert_eq!(code, 0);
}

#[test]
fn a_suppression_without_reason_applies_and_is_warned_about() {
    let metadata = "    Metadata:\n      lexguard:\n        suppress:\n          - id: LEX003\n";
    let text = template("", &[bot("PaymentsBot", metadata)]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(
        findings(&doc),
        vec![row("PaymentsBot", 20, 19, "in_source", "-")]
    );
    assert_eq!(
        warnings(&doc),
        vec![warn("suppression_without_reason", "bot.yaml", 8, 13)]
    );
    assert_eq!(code, 0, "a warning never fails the run");
}

#[test]
fn an_expired_suppression_no_longer_applies() {
    let metadata = "    Metadata:\n      lexguard:\n        suppress:\n          - id: LEX003\n            reason: until the migration\n            expires: 2020-01-31\n";
    let text = template("", &[bot("PaymentsBot", metadata)]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(findings(&doc), vec![row("PaymentsBot", 22, 19, "-", "-")]);
    assert_eq!(
        warnings(&doc),
        vec![warn("suppression_expired", "bot.yaml", 8, 13)]
    );
    assert_eq!(code, 1);

    // The same with a future date still suppresses.
    let text = text.replace("2020-01-31", "2999-12-31");
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(
        findings(&doc),
        vec![row(
            "PaymentsBot",
            22,
            19,
            "in_source",
            "until the migration"
        )]
    );
    assert_eq!(warnings(&doc), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn unused_suppressions_are_listed_only_when_asked() {
    // LEX003 is used; LEX002 is not (it runs and finds nothing on this bot:
    // `--select` includes it), LEX010 does not run and so is not called unused.
    let metadata = "    Metadata:\n      lexguard:\n        suppress:\n          - id: LEX003\n            reason: used\n          - id: LEX002\n            reason: stale\n          - id: LEX010\n            reason: not selected\n";
    let text = template("", &[bot("PaymentsBot", metadata)]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, _) = json_run(dir.path(), &["bot.yaml", "--select", "LEX002"]);
    assert_eq!(warnings(&doc), vec![]);
    let (doc, code) = json_run(
        dir.path(),
        &[
            "bot.yaml",
            "--select",
            "LEX002",
            "--report-unused-suppressions",
        ],
    );
    assert_eq!(
        warnings(&doc),
        vec![warn("unused_suppression", "bot.yaml", 10, 13)]
    );
    assert_eq!(code, 0);
    let human = lexguard(
        dir.path(),
        &[
            "check",
            "bot.yaml",
            "--select",
            "LEX002,LEX003",
            "--report-unused-suppressions",
            "--color",
            "never",
        ],
    );
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains("suppression of LEX002 on PaymentsBot matched no finding"),
        "{text}"
    );
    assert!(text.contains("(1 suppressed, 1 warning)"), "{text}");
}

#[test]
fn malformed_suppressions_are_warnings_at_their_place() {
    let metadata = "    Metadata:\n      lexguard:\n        suppress:\n          - id: LEX0033\n            reason: typo\n          - ids: LEX003\n          - 42\n";
    let text = template("", &[bot("PaymentsBot", metadata)]);
    let dir = project(&[("bot.yaml", &text)]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
    assert_eq!(findings(&doc), vec![row("PaymentsBot", 23, 19, "-", "-")]);
    assert_eq!(
        warnings(&doc),
        vec![
            warn("invalid_suppression", "bot.yaml", 8, 17),
            warn("invalid_suppression", "bot.yaml", 10, 13),
            warn("invalid_suppression", "bot.yaml", 11, 13),
        ]
    );
    assert_eq!(code, 1);
}

const TF_BOT: &str = r#"{
  "resource": {
    "aws_lexv2models_slot": {
      "card": {
        "//": "lexguard:suppress LEX003 expires=2999-01-01 -- synthetic test data only",
        "bot_id": "b",
        "bot_version": "DRAFT",
        "locale_id": "en_US",
        "intent_id": "i",
        "name": "CardNumber",
        "slot_type_id": "AMAZON.Number",
        "value_elicitation_setting": [{"slot_constraint": "Required"}]
      },
      "cvv": {
        "bot_id": "b",
        "bot_version": "DRAFT",
        "locale_id": "en_US",
        "intent_id": "i",
        "name": "Cvv",
        "slot_type_id": "AMAZON.Number",
        "value_elicitation_setting": [{"slot_constraint": "Required"}]
      }
    }
  }
}
"#;

#[test]
fn terraform_json_comment_suppresses_its_resource() {
    let dir = project(&[("main.tf.json", TF_BOT)]);
    let (doc, code) = json_run(dir.path(), &["main.tf.json"]);
    assert_eq!(
        findings(&doc),
        vec![
            row(
                "aws_lexv2models_slot.card",
                4,
                7,
                "in_source",
                "synthetic test data only"
            ),
            row("aws_lexv2models_slot.cvv", 14, 7, "-", "-"),
        ]
    );
    assert_eq!(code, 1);

    // Without a reason: still applied, and warned about at the comment.
    let text = TF_BOT.replace(" expires=2999-01-01 -- synthetic test data only", "");
    let dir = project(&[("main.tf.json", &text)]);
    let (doc, _) = json_run(dir.path(), &["main.tf.json"]);
    assert_eq!(findings(&doc)[0].3, "in_source");
    assert_eq!(
        warnings(&doc),
        vec![warn("suppression_without_reason", "main.tf.json", 5, 15)]
    );
}

#[test]
fn configuration_suppresses_by_resource_glob_and_path_on_any_input() {
    let plan = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/LEX003/fail.plan.json"),
    )
    .unwrap();
    let text = template("", &[bot("PaymentsBot", ""), bot("OtherBot", "")]);
    let config = "version: 1
suppress:
  - id: LEX003
    resource: Pay*
    reason: payments bot uses tokenised card numbers
  - id: [LEX003]
    resource: aws_lexv2models_slot.*
    path: plans/*.json
    reason: plan reviewed by security
    expires: 2999-06-30
  - id: LEX003
    resource: module.*.awscc_lex_bot.pay
    path: plans/**
    reason: module owned by the chat team
  - id: LEX003
    resource: OtherBot
    path: legacy/**
  - id: LEX003
    resource: Nothing
    reason: stale
  - id: LEX003
    resource: OtherBot
    reason: expired
    expires: 2001-01-01
";
    let dir = project(&[
        ("stacks/bot.yaml", &text),
        ("plans/fail.plan.json", &plan),
        (".lexguard.yaml", config),
    ]);
    let (doc, code) = json_run(
        dir.path(),
        &["stacks", "plans", "--report-unused-suppressions"],
    );
    let rows = findings(&doc);
    // Every plan finding is suppressed externally.
    let plan_rows: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "plans/fail.plan.json")
        .map(|f| {
            (
                f["resource"]["id"].as_str().unwrap().to_owned(),
                f["suppression"]["justification"]
                    .as_str()
                    .unwrap_or("-")
                    .to_owned(),
            )
        })
        .collect();
    let reviewed = "plan reviewed by security";
    let chat = "module owned by the chat team";
    assert_eq!(
        plan_rows,
        [
            ("aws_lexv2models_slot.card_number", reviewed),
            ("aws_lexv2models_slot.cvv", reviewed),
            ("module.chat.awscc_lex_bot.pay", chat),
            ("module.chat.awscc_lex_bot.pay", chat),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let stack_rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.1 > 0 && r.0.ends_with("Bot"))
        .collect();
    assert_eq!(
        stack_rows,
        vec![
            row(
                "PaymentsBot",
                16,
                19,
                "external",
                "payments bot uses tokenised card numbers"
            ),
            row("OtherBot", 33, 19, "-", "-"),
        ]
    );
    assert_eq!(
        warnings(&doc),
        vec![
            warn("suppression_without_reason", ".lexguard.yaml", 15, 5),
            warn("unused_suppression", ".lexguard.yaml", 15, 5),
            warn("unused_suppression", ".lexguard.yaml", 18, 5),
            warn("suppression_expired", ".lexguard.yaml", 21, 5),
        ]
    );
    assert_eq!(code, 1, "OtherBot is not suppressed");
}

#[test]
fn configuration_suppressions_are_validated() {
    let text = template("", &[bot("PaymentsBot", "")]);
    for (config, line, column, message) in [
        (
            "version: 1\nsuppress:\n  - id: LEX999\n    resource: X\n",
            3,
            9,
            "unknown policy ID `LEX999`",
        ),
        (
            "version: 1\nsuppress:\n  - id: LEX003\n    reason: everywhere\n",
            3,
            5,
            "needs `resource` or `path`",
        ),
        (
            "version: 1\nsuppress:\n  - id: LEX003\n    resource: X\n    expires: soon\n",
            5,
            14,
            "`expires` must be a date",
        ),
        (
            "version: 1\nsuppress:\n  - id: ZZ*\n    resource: X\n",
            3,
            9,
            "no loaded policy matches `ZZ*`",
        ),
    ] {
        let dir = project(&[("bot.yaml", &text), (".lexguard.yaml", config)]);
        let (doc, code) = json_run(dir.path(), &["bot.yaml"]);
        assert_eq!(code, 2, "{config}");
        let error = &doc["errors"][0];
        assert_eq!(error["file"], ".lexguard.yaml");
        assert_eq!(error["start"]["line"], line, "{config}");
        assert_eq!(error["start"]["column"], column, "{config}");
        assert!(
            error["message"].as_str().unwrap().contains(message),
            "{config}: {error}"
        );
    }
}

#[test]
fn a_baseline_survives_a_line_shift_and_catches_new_findings() {
    let text = template("", &[bot("PaymentsBot", ""), bot("OtherBot", "")]);
    let dir = project(&[("bot.yaml", &text)]);
    let out = lexguard(
        dir.path(),
        &[
            "check",
            "bot.yaml",
            "--select",
            "LEX003",
            "--write-baseline",
            "baseline.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let baseline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["version"], 1);
    let recorded: Vec<_> = baseline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["policy"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        recorded,
        vec![("LEX003", "PaymentsBot"), ("LEX003", "OtherBot")]
    );

    // Ten comment lines above both findings: nothing revives.
    let shifted = format!("{}{text}", "# a comment\n".repeat(10));
    std::fs::write(dir.path().join("bot.yaml"), &shifted).unwrap();
    let (doc, code) = json_run(dir.path(), &["bot.yaml", "--baseline", "baseline.json"]);
    assert_eq!(findings(&doc), vec![]);
    assert_eq!(doc["summary"]["baselined"], 2);
    assert_eq!(code, 0);

    // A third bot is new: only it is reported, at its shifted place.
    let grown = template(
        "",
        &[
            bot("PaymentsBot", ""),
            bot("OtherBot", ""),
            bot("NewBot", ""),
        ],
    );
    let grown = format!("{}{grown}", "# a comment\n".repeat(10));
    std::fs::write(dir.path().join("bot.yaml"), &grown).unwrap();
    let (doc, code) = json_run(dir.path(), &["bot.yaml", "--baseline", "baseline.json"]);
    assert_eq!(findings(&doc), vec![row("NewBot", 60, 19, "-", "-")]);
    assert_eq!(code, 1);
}

#[test]
fn a_broken_baseline_is_an_error() {
    let text = template("", &[bot("PaymentsBot", "")]);
    let dir = project(&[("bot.yaml", &text), ("baseline.json", "{\"version\": 1,")]);
    let (doc, code) = json_run(dir.path(), &["bot.yaml", "--baseline", "baseline.json"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["kind"], "baseline");
    assert_eq!(doc["errors"][0]["file"], "baseline.json");
    let (doc, code) = json_run(dir.path(), &["bot.yaml", "--baseline", "missing.json"]);
    assert_eq!(code, 2);
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("cannot read baseline"));
}

#[test]
fn github_annotations_skip_suppressed_findings_and_show_warnings() {
    let metadata = "    Metadata:\n      lexguard:\n        suppress:\n          - id: LEX003\n";
    let text = template("", &[bot("PaymentsBot", metadata), bot("OtherBot", "")]);
    let dir = project(&[("bot.yaml", &text)]);
    let out = lexguard(
        dir.path(),
        &[
            "check", "bot.yaml", "--select", "LEX003", "--format", "github",
        ],
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split("::").take(2).collect::<Vec<_>>().join("::"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "::error file=bot.yaml,line=37,col=19,endLine=37,endColumn=35,title=LEX003 [high]",
            "::warning file=bot.yaml,line=8,col=13,title=lexguard suppression_without_reason",
        ]
    );
    assert_eq!(out.status.code(), Some(1));
}
