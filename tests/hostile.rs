//! Hostile inputs (issue 6): every case runs the real binary on files written to a
//! temporary folder and checks the exit code and the exact diagnostic (message,
//! and line and column where there is one) in `--format json`. The last test
//! lints all of them in one folder next to a real template.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Runs `lexguard check <args> --format json` in `dir`; returns exit code and report.
fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .current_dir(dir)
        .output()
        .expect("run lexguard");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code, not a signal"), report)
}

/// Writes `bytes` to `name` in a fresh folder and lints it by name.
fn check_one(name: &str, bytes: &[u8]) -> (i32, Value) {
    let dir = temp_dir();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    check(dir.path(), &[name])
}

/// The only error of a report.
fn only_error(report: &Value) -> &Value {
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report:#}");
    &errors[0]
}

/// Asserts the single error's file, kind, message and (when given) start.
fn assert_error(report: &Value, file: &str, kind: &str, message: &str, start: Option<(u64, u64)>) {
    let e = only_error(report);
    assert_eq!(e["file"], file, "{report:#}");
    assert_eq!(e["kind"], kind, "{report:#}");
    assert_eq!(e["message"], message, "{report:#}");
    match start {
        Some((line, column)) => {
            assert_eq!(e["start"]["line"], line, "{report:#}");
            assert_eq!(e["start"]["column"], column, "{report:#}");
        }
        None => assert!(e.get("start").is_none(), "{report:#}"),
    }
}

/// (policy, status, line, column, message) of every finding for `file`.
fn findings_of(report: &Value, file: &str) -> Vec<(String, String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == file)
        .map(|f| {
            (
                f["policy_id"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// (status, line, column, message) of the first finding of `policy` for `file`.
type FindingAt = (String, u64, u64, String);

fn finding(report: &Value, file: &str, policy: &str) -> Option<FindingAt> {
    findings_of(report, file)
        .into_iter()
        .find(|f| f.0 == policy)
        .map(|(_, status, line, column, message)| (status, line, column, message))
}

fn fail_at(line: u64, column: u64, message: &str) -> Option<FindingAt> {
    Some(("fail".to_owned(), line, column, message.to_owned()))
}

/// LEX005's message for `IdleSessionTTLInSeconds: 3600`.
const TTL_3600: &str =
    "The idle session timeout of 3600 seconds exceeds the maximum of 900 seconds.";

const BOT_3600: &str = "Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      IdleSessionTTLInSeconds: 3600\n";

/// Every hostile file, by name, as bytes (the folder `x.yaml`, symlinks and the
/// unreadable file are made by `plant_specials`).
fn hostile_files() -> Vec<(&'static str, Vec<u8>)> {
    let mut utf16 = vec![0xff, 0xfe];
    for unit in BOT_3600.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let deep_json = format!(
        "{{\"Resources\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_yaml = format!("Resources: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let mut bomb = String::from(
        "Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        bomb.push_str(&format!("      a{i}: &a{i} [{refs}]\n"));
    }
    let mut binary = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    binary.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let big = format!(
        "{{\"Resources\":{{\"B\":{{\"Type\":\"AWS::Lex::Bot\",\"Properties\":{{\"IdleSessionTTLInSeconds\":3600,\"Description\":\"{}\"}}}}}}}}",
        "x".repeat(8 * 1024 * 1024)
    );
    vec![
        ("empty.yaml", Vec::new()),
        ("blank.yaml", b"  \n\n\t\n".to_vec()),
        ("trunc.json", b"{\"Resources\": {\"B\": {\"Type\": \"AWS::Lex::Bot\"".to_vec()),
        ("trunc.yaml", b"Resources:\n  B:\n    Type: [AWS::Lex::Bot\n".to_vec()),
        ("bad-utf8.yaml", b"Resources:\n  B:\n    Type: \"\xff\xfe\"\n".to_vec()),
        ("utf16.yaml", utf16),
        ("bom8.yaml", [b"\xef\xbb\xbf".as_slice(), BOT_3600.as_bytes()].concat()),
        ("crlf.yaml", BOT_3600.replace('\n', "\r\n").into_bytes()),
        ("crlf-broken.yaml", b"Resources:\r\n  B:\r\n    Type: AWS::Lex::Bot\r\n    Properties:\r\n      Name: [x\r\n".to_vec()),
        ("tabs.yaml", b"Resources:\n\tB:\n\t\tType: AWS::Lex::Bot\n".to_vec()),
        ("conflict.yaml", b"Resources:\n<<<<<<< HEAD\n  A:\n    Type: AWS::Lex::Bot\n=======\n  B:\n    Type: AWS::Lex::Bot\n>>>>>>> x\n".to_vec()),
        ("deep.json", deep_json.into_bytes()),
        ("deep.yaml", deep_yaml.into_bytes()),
        ("bomb.yaml", bomb.into_bytes()),
        ("dup.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n  B:\n    Type: AWS::Lex::Bot\n".to_vec()),
        ("dup.json", b"{\"Resources\": {\"B\": {\"Type\": \"AWS::Lex::Bot\"}, \"B\": {\"Type\": \"x\"}}}".to_vec()),
        ("res-list.yaml", b"Resources:\n  - Type: AWS::Lex::Bot\n".to_vec()),
        ("no-type.yaml", b"Resources:\n  B:\n    Properties: {}\n".to_vec()),
        ("locales-5.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      BotLocales: 5\n      DataPrivacy: \"x\"\n".to_vec()),
        ("slots-x.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      BotLocales:\n        - LocaleId: en_US\n          Intents:\n            - Name: I\n              Slots: \"x\"\n".to_vec()),
        ("intrinsics.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      RoleArn: !GetAtt\n      IdleSessionTTLInSeconds: {\"Fn::Bogus\": 1}\n".to_vec()),
        ("huge-exp.json", b"{\"Resources\": {\"B\": {\"Type\": \"AWS::Lex::Bot\", \"Properties\": {\"IdleSessionTTLInSeconds\": 1e999999}}}}".to_vec()),
        ("nan.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      IdleSessionTTLInSeconds: .nan\n".to_vec()),
        ("big-int.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      IdleSessionTTLInSeconds: 99999999999999999999999999999\n".to_vec()),
        ("comments.json", b"{\n  // comment\n  \"Resources\": {}\n}\n".to_vec()),
        ("multi.yaml", b"Resources:\n  B:\n    Type: AWS::Lex::Bot\n---\nResources: {}\n".to_vec()),
        ("binary.json", binary),
        ("big.json", big.into_bytes()),
        ("plan.json", b"{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{\"resources\":[],\"child_modules\":5}}}".to_vec()),
        ("state.json", b"{\"format_version\":\"1.0\",\"values\":null}".to_vec()),
        ("bad.tf.json", b"{\"resource\":{\"aws_lexv2models_bot\":[1,2,3]}}".to_vec()),
    ]
}

fn bytes_of(name: &str) -> Vec<u8> {
    hostile_files()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b)
        .unwrap()
}

fn hostile(name: &str) -> (i32, Value) {
    check_one(name, &bytes_of(name))
}

/// As [`hostile`], but found by walking the folder that holds it.
fn hostile_walked(name: &str) -> (i32, Value) {
    let dir = temp_dir();
    std::fs::write(dir.path().join(name), bytes_of(name)).unwrap();
    check(dir.path(), &["."])
}

/// Hostile file `name` linted alone exits 2 with this one error.
fn assert_fails_alone(name: &str, kind: &str, message: &str, start: Option<(u64, u64)>) {
    let (code, report) = hostile(name);
    assert_eq!(code, 2, "{report:#}");
    assert_error(&report, name, kind, message, start);
}

/// As [`assert_fails_alone`], and the same when a folder walk finds the file:
/// a broken template is never skipped as "not a template".
fn assert_fails_alone_and_walked(name: &str, kind: &str, message: &str, start: Option<(u64, u64)>) {
    assert_fails_alone(name, kind, message, start);
    let (code, report) = hostile_walked(name);
    assert_eq!(code, 2, "{report:#}");
    assert_error(&report, name, kind, message, start);
}

/// (file, kind, message, start) of an error.
type ErrorAt = (String, String, String, Option<(u64, u64)>);

/// Every error of a report.
fn errors_of(report: &Value) -> Vec<ErrorAt> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
                e.get("start")
                    .map(|s| (s["line"].as_u64().unwrap(), s["column"].as_u64().unwrap())),
            )
        })
        .collect()
}

/// Whether permissions are enforced for this process (not root).
fn permissions_apply(dir: &Path) -> bool {
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    set_mode(&probe, 0o000);
    let readable = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).unwrap();
    !readable
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The folder named like a template, symlink loops, a symlink to the parent folder
/// and an unreadable template.
fn plant_specials(dir: &Path) {
    use std::os::unix::fs::symlink;
    std::fs::create_dir(dir.join("x.yaml")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    symlink("..", dir.join("sub/up")).unwrap();
    symlink("loop1.yaml", dir.join("loop2.yaml")).unwrap();
    symlink("loop2.yaml", dir.join("loop1.yaml")).unwrap();
    let locked = dir.join("sub/locked.yaml");
    std::fs::write(&locked, BOT_3600).unwrap();
    set_mode(&locked, 0o000);
}

#[test]
fn empty_and_whitespace_only_files_are_parse_errors() {
    // A folder walk skips them: they are no templates.
    for name in ["empty.yaml", "blank.yaml"] {
        assert_fails_alone(name, "parse", "file is empty", Some((1, 1)));
    }
}

#[test]
fn truncated_json_and_yaml_point_at_the_end() {
    assert_fails_alone_and_walked(
        "trunc.json",
        "parse",
        "unexpected end of input; expected `,` or `}`",
        Some((1, 45)),
    );
    assert_fails_alone_and_walked(
        "trunc.yaml",
        "parse",
        "invalid YAML: while parsing a flow sequence, expected ',' or ']'",
        Some((4, 1)),
    );
}

#[test]
fn invalid_utf8_is_a_decode_error_with_its_place() {
    assert_fails_alone_and_walked(
        "bad-utf8.yaml",
        "decode",
        "cannot decode file: file is not valid UTF-8 (invalid byte at line 3, column 12)",
        None,
    );
}

#[test]
fn utf16_with_bom_is_decoded_with_exact_positions() {
    let (code, report) = hostile("utf16.yaml");
    assert_eq!(code, 1, "{report:#}");
    assert!(report["errors"].as_array().unwrap().is_empty());
    assert_eq!(
        finding(&report, "utf16.yaml", "LEX005"),
        fail_at(5, 7, TTL_3600)
    );
}

#[test]
fn utf8_bom_does_not_shift_columns() {
    let (code, report) = hostile("bom8.yaml");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        finding(&report, "bom8.yaml", "LEX005"),
        fail_at(5, 7, TTL_3600)
    );
    assert_eq!(
        finding(&report, "bom8.yaml", "LEX015"),
        fail_at(4, 5, "Error logging is not enabled on the bot (ErrorLogSettings.Enabled); failed code hooks and Bedrock calls go unrecorded.")
    );
}

#[test]
fn crlf_positions_are_exact() {
    let (code, report) = hostile("crlf.yaml");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        finding(&report, "crlf.yaml", "LEX005"),
        fail_at(5, 7, TTL_3600)
    );
    assert_fails_alone_and_walked(
        "crlf-broken.yaml",
        "parse",
        "invalid YAML: while parsing a flow sequence, expected ',' or ']'",
        Some((6, 1)),
    );
}

#[test]
fn tabs_in_yaml_indentation() {
    assert_fails_alone_and_walked(
        "tabs.yaml",
        "parse",
        "invalid YAML: tabs disallowed within this context (block indentation)",
        Some((2, 1)),
    );
}

#[test]
fn merge_conflict_markers() {
    assert_fails_alone_and_walked(
        "conflict.yaml",
        "parse",
        "invalid YAML: simple key expect ':'",
        Some((3, 4)),
    );
}

#[test]
fn json_nested_100000_deep_is_too_deep_not_a_stack_overflow() {
    assert_fails_alone_and_walked(
        "deep.json",
        "parse",
        "nesting deeper than 255 levels",
        Some((1, 268)),
    );
}

#[test]
fn yaml_flow_nested_50000_deep_is_too_deep_not_a_stack_overflow() {
    // saphyr reads the whole bracket run first and stops at its 256th
    // bracket, one past the 255th that JSON stops at.
    assert_fails_alone_and_walked(
        "deep.yaml",
        "parse",
        "nesting deeper than 255 levels",
        Some((1, 267)),
    );
}

#[test]
fn yaml_alias_bomb_is_bounded() {
    assert_fails_alone_and_walked(
        "bomb.yaml",
        "parse",
        "alias expansion exceeds 100000 nodes (possible alias bomb)",
        Some((10, 16)),
    );
}

#[test]
fn duplicate_keys_point_at_the_second_key() {
    assert_fails_alone_and_walked(
        "dup.yaml",
        "parse",
        "duplicate key \"B\" (first defined at byte 13)",
        Some((4, 3)),
    );
    assert_fails_alone_and_walked(
        "dup.json",
        "parse",
        "duplicate key \"B\" (first defined at byte 15)",
        Some((1, 48)),
    );
}

#[test]
fn resources_as_a_list_is_a_model_error() {
    assert_fails_alone_and_walked(
        "res-list.yaml",
        "model",
        "`Resources` must be an object, found array",
        Some((2, 3)),
    );
}

#[test]
fn resource_without_type_is_a_model_error_at_the_resource() {
    assert_fails_alone_and_walked(
        "no-type.yaml",
        "model",
        "`Resources.B` has no `Type`",
        Some((2, 3)),
    );
}

#[test]
fn wrong_resource_shapes_do_not_hide_the_good_resources() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Text: just text\n  Typed:\n    Type: [AWS::Lex::Bot]\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      IdleSessionTTLInSeconds: 3600\n";
    let (code, report) = check_one("t.yaml", text.as_bytes());
    assert_eq!(code, 2);
    assert_eq!(
        errors_of(&report),
        [
            (
                "t.yaml".to_owned(),
                "model".to_owned(),
                "`Resources.Text` must be an object, found string".to_owned(),
                Some((3, 9))
            ),
            (
                "t.yaml".to_owned(),
                "model".to_owned(),
                "`Resources.Typed.Type` must be a string, found array".to_owned(),
                Some((5, 11))
            ),
        ]
    );
    assert_eq!(
        finding(&report, "t.yaml", "LEX005"),
        fail_at(9, 7, TTL_3600)
    );
}

#[test]
fn a_template_with_a_malformed_resources_section_is_reported_when_walked() {
    // The template version says it is a template, whatever `Resources` holds.
    let dir = temp_dir();
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources: 5\n";
    std::fs::write(dir.path().join("t.yaml"), text).unwrap();
    let (code, report) = check(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert_error(
        &report,
        "t.yaml",
        "model",
        "`Resources` must be an object, found number",
        Some((2, 12)),
    );
}

#[test]
fn a_yaml_file_with_an_unrelated_resources_key_is_skipped_when_walked() {
    let text = "apiVersion: v1\nkind: ConfigMap\nResources:\n  - cpu\n  - memory\n";
    let dir = temp_dir();
    std::fs::write(dir.path().join("config.yaml"), text).unwrap();
    let (code, report) = check(dir.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["errors"], Value::Array(Vec::new()));
    assert_eq!(report["summary"]["files_skipped"], 1);
    // Named explicitly it is an error, but not a template with a wrong shape.
    let (code, report) = check(dir.path(), &["config.yaml"]);
    assert_eq!(code, 2);
    assert_error(
        &report,
        "config.yaml",
        "not_recognised",
        "not a CloudFormation template or Terraform JSON file",
        None,
    );
}

#[test]
fn wrong_value_types_do_not_crash() {
    // Every finding, so a wrong type that made a policy crash, or pass, shows.
    let no_ttl =
        "The bot sets no idle session timeout (IdleSessionTTLInSeconds), which is required.";
    let no_error_log = "Error logging is not enabled on the bot (ErrorLogSettings.Enabled); failed code hooks and Bedrock calls go unrecorded.";
    let no_tags = "The bot lacks a required tag key; required: [\"DataClassification\",\"Owner\",\"Environment\"]";
    let coppa = "ChildDirected (DataPrivacy.ChildDirected) does not resolve to a literal boolean, so the bot's COPPA statement cannot be verified.";
    let f = |policy: &str, line, column, message: &str| {
        (
            policy.to_owned(),
            "fail".to_owned(),
            line,
            column,
            message.to_owned(),
        )
    };
    let cases = [
        (
            "locales-5.yaml",
            [
                f("LEX005", 4, 5, no_ttl),
                f("LEX015", 4, 5, no_error_log),
                f("LEX016", 4, 5, no_tags),
                f("LEX007", 6, 7, coppa),
            ],
        ),
        (
            "slots-x.yaml",
            [
                f("LEX005", 4, 5, no_ttl),
                f("LEX007", 4, 5, coppa),
                f("LEX015", 4, 5, no_error_log),
                f("LEX016", 4, 5, no_tags),
            ],
        ),
    ];
    for (name, want) in cases {
        let (code, report) = hostile(name);
        assert_eq!(code, 1, "{report:#}");
        assert!(report["errors"].as_array().unwrap().is_empty());
        assert_eq!(findings_of(&report, name), want);
    }
}

#[test]
fn unknown_intrinsics_make_checks_unknown() {
    let (code, report) = hostile("intrinsics.yaml");
    assert_eq!(code, 1, "{report:#}");
    let got = findings_of(&report, "intrinsics.yaml");
    let bogus = got
        .iter()
        .find(|f| f.0 == "LEX005")
        .expect("LEX005 finding");
    assert_eq!((bogus.1.as_str(), bogus.2, bogus.3), ("unknown", 6, 7));
    assert!(
        bogus.4.contains("`Fn::Bogus` is not evaluated statically"),
        "{bogus:?}"
    );
    let getatt = got
        .iter()
        .find(|f| f.0 == "LEX034")
        .expect("LEX034 finding");
    assert_eq!((getatt.1.as_str(), getatt.2, getatt.3), ("unknown", 5, 7));
}

#[test]
fn getatt_without_arguments_says_so() {
    let (_, report) = hostile("intrinsics.yaml");
    let got = findings_of(&report, "intrinsics.yaml");
    let getatt = got
        .iter()
        .find(|f| f.0 == "LEX034")
        .expect("LEX034 finding");
    assert!(!getatt.4.contains("an unresolved target`"), "{getatt:?}");
    assert!(getatt.4.contains("argument"), "{getatt:?}");
}

#[test]
fn numbers_out_of_range_nan_and_huge_exponents() {
    assert_fails_alone_and_walked(
        "huge-exp.json",
        "parse",
        "number \"1e999999\" is out of range",
        Some((1, 89)),
    );
    let (code, report) = hostile("nan.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        finding(&report, "nan.yaml", "LEX005"),
        fail_at(
            5,
            7,
            "The idle session timeout .nan is outside Lex's valid range of 60 to 86400 seconds."
        )
    );
    let (code, report) = hostile("big-int.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        finding(&report, "big-int.yaml", "LEX005"),
        fail_at(5, 7, "The idle session timeout 99999999999999999999999999999 is outside Lex's valid range of 60 to 86400 seconds.")
    );
}

#[test]
fn json_with_comments_is_a_parse_error() {
    assert_fails_alone_and_walked(
        "comments.json",
        "parse",
        "unexpected character '/'; expected a string key or `}`",
        Some((2, 3)),
    );
}

#[test]
fn multi_document_yaml_is_refused_at_the_second_document() {
    assert_fails_alone_and_walked(
        "multi.yaml",
        "parse",
        "file holds 2 YAML documents; a template must be a single document",
        Some((4, 1)),
    );
}

#[test]
fn binary_file_named_json() {
    assert_fails_alone(
        "binary.json",
        "decode",
        "cannot decode file: file is not valid UTF-8 (invalid byte at line 1, column 10)",
        None,
    );
}

#[test]
fn eight_megabyte_single_line_json_is_linted() {
    let (code, report) = hostile("big.json");
    assert_eq!(code, 1, "{:#}", report["errors"]);
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert_eq!(
        finding(&report, "big.json", "LEX005"),
        fail_at(1, 57, TTL_3600)
    );
}

#[test]
fn folder_named_like_a_template() {
    let dir = temp_dir();
    std::fs::create_dir(dir.path().join("x.yaml")).unwrap();
    let (code, report) = check(dir.path(), &["x.yaml"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(report["errors"].as_array().unwrap().is_empty());
    assert_eq!(report["summary"]["files_scanned"], 0);
}

/// The error `plant_specials`'s unreadable file makes in a walk of `dir`: none
/// when running as root, which reads it anyway.
fn locked_errors(dir: &Path) -> Vec<ErrorAt> {
    if permissions_apply(dir) {
        vec![(
            "sub/locked.yaml".to_owned(),
            "read".to_owned(),
            "cannot read file: Permission denied (os error 13)".to_owned(),
            None,
        )]
    } else {
        Vec::new()
    }
}

#[test]
fn symlink_loops_and_parent_links_terminate() {
    let dir = temp_dir();
    plant_specials(dir.path());
    let locked = locked_errors(dir.path());
    std::fs::write(dir.path().join("sub/bot.yaml"), BOT_3600).unwrap();
    let (code, report) = check(dir.path(), &["."]);
    assert_eq!(code, if locked.is_empty() { 1 } else { 2 });
    // Links are not followed: no error for the loop, nothing found twice.
    assert_eq!(errors_of(&report), locked);
    assert_eq!(
        finding(&report, "sub/bot.yaml", "LEX005"),
        fail_at(5, 7, TTL_3600)
    );
    assert!(findings_of(&report, "sub/up/sub/bot.yaml").is_empty());
    let (code, report) = check(dir.path(), &["loop1.yaml"]);
    assert_eq!(code, 2);
    assert_error(
        &report,
        "loop1.yaml",
        "read",
        "cannot read file: Too many levels of symbolic links (os error 40)",
        None,
    );
}

#[test]
fn unreadable_file_is_a_read_error() {
    let dir = temp_dir();
    let file = dir.path().join("locked.yaml");
    std::fs::write(&file, BOT_3600).unwrap();
    set_mode(&file, 0o000);
    let (code, report) = check(dir.path(), &["locked.yaml"]);
    if permissions_apply(dir.path()) {
        assert_eq!(code, 2);
        assert_error(
            &report,
            "locked.yaml",
            "read",
            "cannot read file: Permission denied (os error 13)",
            None,
        );
    } else {
        // Running as root: mode 000 does not stop reading, so the file is linted.
        assert_eq!(code, 1, "{report:#}");
    }
}

#[test]
fn nonexistent_path() {
    let dir = temp_dir();
    let (code, report) = check(dir.path(), &["no/such.yaml"]);
    assert_eq!(code, 2);
    assert_error(
        &report,
        "no/such.yaml",
        "missing",
        "no such file or directory",
        None,
    );
}

#[test]
fn broken_plan_state_and_tf_json_are_model_errors_at_the_value() {
    let cases = [
        (
            "plan.json",
            "`planned_values.root_module.child_modules` must be an array, found number",
            (1, 89),
        ),
        (
            "state.json",
            "`values` must be an object, found null",
            (1, 34),
        ),
    ];
    for (name, message, at) in cases {
        assert_fails_alone_and_walked(name, "model", message, Some(at));
    }
    for (code, report) in [hostile("bad.tf.json"), hostile_walked("bad.tf.json")] {
        assert_eq!(code, 2);
        let want: Vec<_> = [37, 39, 41]
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let message =
                    format!("`resource.aws_lexv2models_bot[{i}]` must be an object, found number");
                model_error("bad.tf.json", &message, (1, *column))
            })
            .collect();
        assert_eq!(errors_of(&report), want);
    }
}

fn model_error(file: &str, message: &str, at: (u64, u64)) -> ErrorAt {
    (
        file.to_owned(),
        "model".to_owned(),
        message.to_owned(),
        Some(at),
    )
}

/// Lints `text` as `name`: exit 2 with exactly these model errors (message,
/// start), and its good resource's LEX005 finding (`IdleSessionTTLInSeconds`
/// 3600) at `ttl_at` all the same.
fn assert_model_errors_beside_a_finding(
    name: &str,
    text: &str,
    errors: &[(&str, (u64, u64))],
    ttl_at: (u64, u64),
) {
    let (code, report) = check_one(name, text.as_bytes());
    assert_eq!(code, 2);
    let want: Vec<_> = errors
        .iter()
        .map(|(message, at)| model_error(name, message, *at))
        .collect();
    assert_eq!(errors_of(&report), want);
    assert_eq!(
        finding(&report, name, "LEX005"),
        fail_at(ttl_at.0, ttl_at.1, TTL_3600)
    );
}

#[test]
fn a_broken_plan_still_reports_its_good_resources() {
    let plan = r#"{"format_version": "1.2",
 "planned_values": {"root_module": {
  "resources": [
   {"address": "aws_lexv2models_bot.b", "mode": "managed", "type": "aws_lexv2models_bot",
    "values": {"name": "b", "idle_session_ttl_in_seconds": 3600}},
   {"address": "aws_lexv2models_bot.c", "type": "aws_lexv2models_bot", "values": null},
   7],
  "child_modules": [{"resources": [{"type": "x"}]}, "m"]}}}
"#;
    let root = "planned_values.root_module";
    assert_model_errors_beside_a_finding(
        "plan.json",
        plan,
        &[
            (
                &format!("`{root}.resources[1].values` must be an object, found null"),
                (6, 82),
            ),
            (
                &format!("`{root}.resources[2]` must be an object, found number"),
                (7, 4),
            ),
            (
                &format!("`{root}.child_modules[0].resources[0]` has no `address`"),
                (8, 36),
            ),
            (
                &format!("`{root}.child_modules[1]` must be an object, found string"),
                (8, 53),
            ),
        ],
        (5, 29),
    );
}

#[test]
fn a_broken_tf_json_still_reports_its_good_resources() {
    let config = r#"{"resource": {
  "aws_lexv2models_bot": {"b": {"name": "b", "idle_session_ttl_in_seconds": 3600}},
  "aws_lexv2models_bot_locale": {"l": [1]}},
 "data": "x",
 "variable": {"v": 5}}
"#;
    assert_model_errors_beside_a_finding(
        "main.tf.json",
        config,
        &[
            (
                "`resource.aws_lexv2models_bot_locale.l[0]` must be an object, found number",
                (3, 40),
            ),
            (
                "`data` must be an object or an array of objects, found string",
                (4, 10),
            ),
            (
                "`variable.v` must be an object or an array of objects, found number",
                (5, 20),
            ),
        ],
        (2, 46),
    );
}

#[test]
fn every_hostile_file_next_to_a_real_template_keeps_its_findings() {
    let claims = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cloudformation/claims-bot.yaml"),
    )
    .unwrap();
    let mut files = hostile_files();
    files.push(("claims-bot.yaml", claims));

    let dir = temp_dir();
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    plant_specials(dir.path());
    let locked = locked_errors(dir.path());
    let (code, report) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{:#}", report["errors"]);

    // Each file's findings are those it has when linted alone.
    let mut with_findings = 0;
    for (name, bytes) in &files {
        let (_, alone) = check_one(name, bytes);
        let want = findings_of(&alone, name);
        with_findings += usize::from(!want.is_empty());
        assert_eq!(findings_of(&report, name), want, "{name}");
    }
    assert_eq!(with_findings, 10);
    if locked.is_empty() {
        assert_eq!(
            finding(&report, "sub/locked.yaml", "LEX005"),
            fail_at(5, 7, TTL_3600)
        );
    }

    // Every broken file is reported, at its place; the empty files and the
    // binary one are not templates, so the walk skips them.
    let parse = |file: &str, message: &str, at: (u64, u64)| -> ErrorAt {
        (
            file.to_owned(),
            "parse".to_owned(),
            message.to_owned(),
            Some(at),
        )
    };
    let item = |i: usize, column: u64| {
        model_error(
            "bad.tf.json",
            &format!("`resource.aws_lexv2models_bot[{i}]` must be an object, found number"),
            (1, column),
        )
    };
    let mut want = vec![
        (
            "bad-utf8.yaml".to_owned(),
            "decode".to_owned(),
            "cannot decode file: file is not valid UTF-8 (invalid byte at line 3, column 12)"
                .to_owned(),
            None,
        ),
        item(0, 37),
        item(1, 39),
        item(2, 41),
        parse(
            "bomb.yaml",
            "alias expansion exceeds 100000 nodes (possible alias bomb)",
            (10, 16),
        ),
        parse(
            "comments.json",
            "unexpected character '/'; expected a string key or `}`",
            (2, 3),
        ),
        parse(
            "conflict.yaml",
            "invalid YAML: simple key expect ':'",
            (3, 4),
        ),
        parse(
            "crlf-broken.yaml",
            "invalid YAML: while parsing a flow sequence, expected ',' or ']'",
            (6, 1),
        ),
        parse("deep.json", "nesting deeper than 255 levels", (1, 268)),
        parse("deep.yaml", "nesting deeper than 255 levels", (1, 267)),
        parse(
            "dup.json",
            "duplicate key \"B\" (first defined at byte 15)",
            (1, 48),
        ),
        parse(
            "dup.yaml",
            "duplicate key \"B\" (first defined at byte 13)",
            (4, 3),
        ),
        parse(
            "huge-exp.json",
            "number \"1e999999\" is out of range",
            (1, 89),
        ),
        parse(
            "multi.yaml",
            "file holds 2 YAML documents; a template must be a single document",
            (4, 1),
        ),
        model_error("no-type.yaml", "`Resources.B` has no `Type`", (2, 3)),
        model_error(
            "plan.json",
            "`planned_values.root_module.child_modules` must be an array, found number",
            (1, 89),
        ),
        model_error(
            "res-list.yaml",
            "`Resources` must be an object, found array",
            (2, 3),
        ),
        model_error(
            "state.json",
            "`values` must be an object, found null",
            (1, 34),
        ),
    ];
    want.extend(locked);
    want.extend([
        parse(
            "tabs.yaml",
            "invalid YAML: tabs disallowed within this context (block indentation)",
            (2, 1),
        ),
        parse(
            "trunc.json",
            "unexpected end of input; expected `,` or `}`",
            (1, 45),
        ),
        parse(
            "trunc.yaml",
            "invalid YAML: while parsing a flow sequence, expected ',' or ']'",
            (4, 1),
        ),
    ]);
    assert_eq!(errors_of(&report), want);
    assert_eq!(
        report["summary"]["files_skipped"], 3,
        "{:#}",
        report["summary"]
    );
}

/// Documents at `--max-depth`'s ceiling, 1,024 levels, are linted on the
/// default 2 MiB worker stack: trees are cloned (a YAML alias, plan values
/// merged with `after_unknown`), compared and dropped recursively, which the
/// ceiling keeps safe. A debug build needs about 1.5 MiB here, a release build
/// under 512 KiB. One level less as the limit shows each file is 1,024 deep.
#[test]
fn documents_at_the_depth_ceiling_are_linted_without_overflow() {
    const CEILING: usize = 1024;
    let ttl = "\"IdleSessionTTLInSeconds\": 3600";
    // root, Resources, B, Properties, BotLocales: 5 levels, then one per bracket.
    let mut json = format!(
        "{{\"Resources\": {{\"B\": {{\"Type\": \"AWS::Lex::Bot\", \"Properties\": {{{ttl}, \"BotLocales\": ["
    );
    let mut close = String::from("]}}}}");
    for level in 6..=CEILING {
        json.push_str(if level % 2 == 0 {
            "{\"Intents\": "
        } else {
            "["
        });
        close.insert(0, if level % 2 == 0 { '}' } else { ']' });
    }
    json.push('1');
    json.push_str(&close);
    // root, Resources, B, Properties: 4 levels; the anchored mapping and the
    // alias copy of it each add 1,020.
    let mut yaml = String::from(
        "Resources:\n  B:\n    Type: AWS::Lex::Bot\n    Properties:\n      IdleSessionTTLInSeconds: 3600\n      Metadata: &deep\n",
    );
    for i in 0..CEILING - 4 {
        yaml.push_str(&" ".repeat(8 + 2 * i));
        yaml.push_str(if i + 5 == CEILING { "k: 1\n" } else { "k:\n" });
    }
    yaml.push_str("      Tags: *deep\n");
    // root, planned_values, root_module, resources, the resource, values: 6.
    let nest = |depth: usize, leaf: &str| {
        format!("{}{leaf}{}", "{\"a\": ".repeat(depth), "}".repeat(depth))
    };
    let plan = format!(
        "{{\"format_version\": \"1.2\", \"planned_values\": {{\"root_module\": {{\"resources\": [{{\"address\": \"aws_lexv2models_bot.b\", \"type\": \"aws_lexv2models_bot\", \"values\": {{\"idle_session_ttl_in_seconds\": 3600, \"x\": {}}}}}]}}}}, \"resource_changes\": [{{\"address\": \"aws_lexv2models_bot.b\", \"change\": {{\"actions\": [\"create\"], \"after_unknown\": {{\"x\": {}}}}}}}]}}",
        nest(CEILING - 6, "null"),
        nest(CEILING - 6, "true"),
    );
    // Where LEX005 points: the TTL key (JSON files are one line).
    let column = |text: &str, key: &str| text.find(key).unwrap() as u64 + 1;
    let cases = [
        ("deep.json", (1, column(&json, "\"IdleSession")), json),
        ("deep.yaml", (5, 7), yaml),
        ("plan.json", (1, column(&plan, "\"idle_session")), plan),
    ];
    for (name, ttl_at, text) in cases {
        let dir = temp_dir();
        std::fs::write(dir.path().join(name), text).unwrap();
        let (code, report) = check(dir.path(), &[name, "--max-depth", "1024"]);
        assert_eq!(code, 1, "{name}: {:#}", report["errors"]);
        assert_eq!(report["errors"], Value::Array(Vec::new()), "{name}");
        assert_eq!(
            finding(&report, name, "LEX005"),
            fail_at(ttl_at.0, ttl_at.1, TTL_3600),
            "{name}"
        );
        let (code, report) = check(dir.path(), &[name, "--max-depth", "1023"]);
        assert_eq!(code, 2, "{name}");
        assert_eq!(
            only_error(&report)["message"],
            "nesting deeper than 1023 levels",
            "{name}"
        );
    }
}
