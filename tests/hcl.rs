//! Terraform HCL end to end: folders as modules, local module calls, comment
//! suppressions, static evaluation, and `.tf` / `.tf.json` twins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lexguard::engine::check_source;
use lexguard::finding::Status;
use lexguard::parse::Limits;
use lexguard::policy::{load_policies, Selection};
use lexguard::source::SourceFile;

fn lexguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("lexguard runs")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (policy, file, line, column, status, resource) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, u64, String, String)> {
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
                f["status"].as_str().unwrap().to_owned(),
                f["resource"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn owned(
    rows: &[(&str, &str, u64, u64, &str, &str)],
) -> Vec<(String, String, u64, u64, String, String)> {
    rows.iter()
        .map(|(p, f, l, c, s, r)| {
            (
                p.to_string(),
                f.to_string(),
                *l,
                *c,
                s.to_string(),
                r.to_string(),
            )
        })
        .collect()
}

const BOT_MODULE: &str = r#"variable "name" {}

variable "ttl" {
  default = 300
}

variable "child_directed" {
  type = bool
}

resource "aws_lexv2models_bot" "this" {
  name                        = var.name
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  idle_session_ttl_in_seconds = var.ttl
  data_privacy {
    child_directed = var.child_directed
  }
}
"#;

/// The files of a folder form one module (variables in one file, resources in
/// another); a local module is followed with the caller's arguments, its
/// findings point into the module's own file under the module's address, and
/// the module folder is not linted a second time on its own.
#[test]
fn folders_are_modules_and_local_modules_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("modules/bot/main.tf", BOT_MODULE),
            (
                "live/variables.tf",
                "variable \"session_ttl\" {\n  default = 3600\n}\n\nlocals {\n  kids = true\n}\n",
            ),
            (
                "live/main.tf",
                r#"module "kids" {
  source         = "../modules/bot"
  name           = "kids"
  ttl            = var.session_ttl
  child_directed = local.kids
}

module "adults" {
  source         = "../modules/bot"
  name           = "adults"
  child_directed = false
}
"#,
            ),
        ],
    );
    let out = lexguard(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "LEX005,LEX007",
            "--format",
            "json",
        ],
    );
    let report = json(&out);
    assert_eq!(report["errors"], serde_json::json!([]));
    // LEX005: a TTL of 3,600 s (from the root's variable default, through the
    // module argument) exceeds the 900 s limit; the other instance keeps the
    // module's default of 300. Reported where the module uses the value.
    assert_eq!(
        findings(&report),
        owned(&[(
            "LEX005",
            "modules/bot/main.tf",
            14,
            3,
            "fail",
            "module.kids.aws_lexv2models_bot.this"
        )])
    );
    assert_eq!(report["summary"]["files_scanned"], 2, "{report:#}");
    assert_eq!(out.status.code(), Some(1));
}

/// A module folder walked on its own (nobody calls it) is a root module: a
/// variable without a default is unknown, never a guess.
#[test]
fn a_module_folder_alone_is_a_root_module_with_unknown_inputs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("main.tf", BOT_MODULE)]);
    let out = lexguard(
        dir.path(),
        &["check", ".", "--select", "LEX007", "--format", "json"],
    );
    let report = json(&out);
    assert_eq!(
        findings(&report),
        owned(&[(
            "LEX007",
            "main.tf",
            16,
            5,
            "fail",
            "aws_lexv2models_bot.this"
        )])
    );
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("does not resolve to a literal boolean"),
        "{message}"
    );
}

/// `# lexguard:ignore` on the line before a resource or an attribute, or at
/// the end of its first line, suppresses the findings inside it; a reason is
/// kept, and a directive that stands before nothing is warned about.
#[test]
fn comments_suppress_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "main.tf",
            r#"# lexguard:ignore LEX005 long sessions approved in RISK-12
resource "aws_lexv2models_bot" "long" {
  name                        = "long"
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  idle_session_ttl_in_seconds = 3600
}

resource "aws_lexv2models_bot" "attribute" {
  name     = "attribute"
  role_arn = "arn:aws:iam::111122223333:role/lex"
  // lexguard:ignore LEX005 expires=2999-01-01 pilot
  idle_session_ttl_in_seconds = 3600
}

resource "aws_lexv2models_bot" "trailing" {
  name                        = "trailing"
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  idle_session_ttl_in_seconds = 3600 # lexguard:ignore LEX005 trailing form
}

resource "aws_lexv2models_bot" "open" {
  name                        = "open"
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  # lexguard:ignore LEX005 this one is separated by a blank line

  idle_session_ttl_in_seconds = 3600
}
"#,
        )],
    );
    let out = lexguard(
        dir.path(),
        &["check", "main.tf", "--select", "LEX005", "--format", "json"],
    );
    let report = json(&out);
    let suppressed: BTreeMap<String, Option<String>> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["resource"]["id"].as_str().unwrap().to_owned(),
                f["suppression"]["justification"]
                    .as_str()
                    .map(str::to_owned),
            )
        })
        .collect();
    let expected: BTreeMap<String, Option<String>> = [
        (
            "aws_lexv2models_bot.long",
            Some("long sessions approved in RISK-12"),
        ),
        ("aws_lexv2models_bot.attribute", Some("pilot")),
        ("aws_lexv2models_bot.trailing", Some("trailing form")),
        ("aws_lexv2models_bot.open", None),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.map(str::to_owned)))
    .collect();
    assert_eq!(suppressed, expected);
    let warnings: Vec<(String, u64)> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["message"].as_str().unwrap().to_owned(),
                w["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [(
            "`lexguard:ignore` must be on the line before a block or attribute".to_owned(),
            24
        )]
    );
    // The open finding still fails the run.
    assert_eq!(out.status.code(), Some(1));
}

/// What cannot be known is unknown: `count.index`, `for` expressions,
/// `dynamic` blocks, functions of unknowns. What can is computed: a known
/// conditional, `merge` of literals, `jsonencode` of a document (whose
/// findings point inside it), and `count = 0` removes a resource.
#[test]
fn static_evaluation() {
    let text = r#"locals {
  base = { DataClassification = "PHI" }
}

resource "aws_lexv2models_bot" "merged" {
  count                       = 1
  name                        = "merged-${count.index}"
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  idle_session_ttl_in_seconds = true ? 300 : 3600
  tags                        = merge(local.base, { Owner = "care", Environment = "prod" })
  data_privacy {
    child_directed = false
  }
}

resource "aws_lexv2models_bot" "absent" {
  count                       = 0
  name                        = "absent"
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  idle_session_ttl_in_seconds = 3600
}

resource "aws_lexv2models_bot" "dynamic" {
  name                        = "dynamic"
  role_arn                    = "arn:aws:iam::111122223333:role/lex"
  idle_session_ttl_in_seconds = length(var.sessions) * 60
  dynamic "data_privacy" {
    for_each = var.privacy
    content {
      child_directed = data_privacy.value
    }
  }
}

resource "awscc_lex_resource_policy" "public" {
  resource_arn = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOT/ALIAS"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "lex:RecognizeText"
      Resource  = "*"
    }]
  })
}
"#;
    let policies = load_policies(&[], &Selection::default()).unwrap();
    let source = SourceFile::decode(Path::new("main.tf"), text.as_bytes().to_vec()).unwrap();
    let found = check_source(source, &policies, &Limits::default()).unwrap();
    let mut got: Vec<(String, usize, usize, Status, String)> = found
        .iter()
        .filter(|f| ["LEX005", "LEX007", "LEX016", "LEX020"].contains(&&*f.policy_id))
        .map(|f| {
            (
                f.policy_id.to_string(),
                f.region.start.line,
                f.region.start.column,
                f.status,
                f.resource.id.clone(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, usize, usize, Status, String)> = [
        // `length(var.sessions) * 60` is evaluated only by Terraform.
        (
            "LEX005",
            26,
            3,
            Status::Unknown,
            "aws_lexv2models_bot.dynamic",
        ),
        // A dynamic block is expanded only by Terraform: at its label.
        (
            "LEX007",
            27,
            11,
            Status::Fail,
            "aws_lexv2models_bot.dynamic",
        ),
        // No tags at all: at the resource name.
        (
            "LEX016",
            23,
            32,
            Status::Fail,
            "aws_lexv2models_bot.dynamic",
        ),
        // Inside the jsonencode document, at `Principal`.
        (
            "LEX020",
            41,
            7,
            Status::Fail,
            "awscc_lex_resource_policy.public",
        ),
    ]
    .into_iter()
    .map(|(p, l, c, s, r)| (p.to_owned(), l, c, s, r.to_owned()))
    .collect();
    assert_eq!(got, want);
}

/// Broken module calls are errors at the `source`, and the rest is linted.
#[test]
fn module_errors_are_reported_where_the_call_is() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "main.tf",
                "module \"gone\" {\n  source = \"./missing\"\n}\n\nmodule \"me\" {\n  source = \"./\"\n}\n\nresource \"aws_lexv2models_bot\" \"b\" {\n  name = \"b\"\n}\n",
            ),
            ("other.tf", "resource \"aws_lexv2models_bot\" \"b\" {\n  name = \"again\"\n}\n"),
        ],
    );
    let out = lexguard(
        dir.path(),
        &["check", ".", "--select", "LEX005", "--format", "json"],
    );
    let report = json(&out);
    let errors: Vec<(String, String, u64, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
                e["start"]["line"].as_u64().unwrap(),
                e["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                "main.tf".to_owned(),
                "module source `./missing` is not a folder".to_owned(),
                2,
                12
            ),
            (
                "main.tf".to_owned(),
                "module source `./` calls itself (directly or through other modules)".to_owned(),
                6,
                12
            ),
            (
                "other.tf".to_owned(),
                "resource `aws_lexv2models_bot.b` is declared twice in one module".to_owned(),
                1,
                32
            ),
        ]
    );
    assert_eq!(out.status.code(), Some(2));
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every `X.tf` fixture with an `X.tf.json` twin gives the same findings:
/// the same policies on the same resources with the same status (the lines
/// are each file's own).
#[test]
fn tf_and_tf_json_twins_give_the_same_findings() {
    let policies = load_policies(&[], &Selection::default()).unwrap();
    let findings = |path: &Path| {
        let source = SourceFile::decode(path, std::fs::read(path).unwrap()).unwrap();
        let mut found: Vec<(String, String, Status)> =
            check_source(source, &policies, &Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .into_iter()
                .map(|f| (f.policy_id.to_string(), f.resource.id, f.status))
                .collect();
        found.sort();
        found
    };
    let mut twins = 0;
    let mut problems = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    for folder in folders {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let tf = entry.unwrap().path();
            if tf.extension().is_none_or(|e| e != "tf") {
                continue;
            }
            let twin = tf.with_extension("tf.json");
            if !twin.exists() {
                continue;
            }
            twins += 1;
            let (a, b) = (findings(&tf), findings(&twin));
            if a != b {
                problems.push(format!(
                    "{}:\n  .tf:      {a:?}\n  .tf.json: {b:?}",
                    tf.display()
                ));
            }
        }
    }
    assert!(twins >= 2, "twin fixtures went missing ({twins})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Modules calling modules: addresses carry the whole module path, and only
/// the root folder is linted on its own (sharding keeps a folder together).
#[test]
fn nested_modules_carry_the_module_path() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("modules/bot/main.tf", BOT_MODULE),
            (
                "modules/contact-centre/main.tf",
                "variable \"ttl\" {}\n\nmodule \"bot\" {\n  source         = \"../bot\"\n  name           = \"claims\"\n  ttl            = var.ttl\n  child_directed = false\n}\n",
            ),
            (
                "live/main.tf",
                "module \"centre\" {\n  source = \"../modules/contact-centre\"\n  ttl    = 7200\n}\n",
            ),
        ],
    );
    let out = lexguard(
        dir.path(),
        &["check", ".", "--select", "LEX005", "--format", "json"],
    );
    let report = json(&out);
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(
        findings(&report),
        owned(&[(
            "LEX005",
            "modules/bot/main.tf",
            14,
            3,
            "fail",
            "module.centre.module.bot.aws_lexv2models_bot.this"
        )])
    );
    let mut union: Vec<(String, String, u64, u64, String, String)> = Vec::new();
    for shard in ["1/2", "2/2"] {
        let out = lexguard(
            dir.path(),
            &[
                "check", ".", "--select", "LEX005", "--format", "json", "--shard", shard,
            ],
        );
        union.extend(findings(&json(&out)));
    }
    assert_eq!(union, findings(&report));
}

/// Hostile `.tf` files: each is a parse error at its place with exit 2, and a
/// broken file does not hide the findings of the good file beside it, even in
/// the same module folder.
#[test]
fn hostile_tf_files_are_errors_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let cases: [(&str, String, &str, u64, u64); 5] = [
        (
            "truncated/main.tf",
            "resource \"aws_lexv2models_bot\" \"b\" {\n  name = \"b\"\n".to_owned(),
            "unexpected end of input; expected `}` closing the block",
            3,
            1,
        ),
        (
            "deep/main.tf",
            deep,
            "nesting deeper than 255 levels",
            // The 256th bracket: `a = ` then 255 brackets at columns 5..=259.
            1,
            260,
        ),
        (
            "heredoc/main.tf",
            "a = <<EOT\nnever closed\n".to_owned(),
            "unexpected end of input; expected the heredoc's closing marker",
            3,
            1,
        ),
        (
            "conflict/main.tf",
            "<<<<<<< HEAD\na = 1\n=======\na = 2\n>>>>>>> branch\n".to_owned(),
            "unexpected character '<'; expected an attribute name or a block type",
            1,
            1,
        ),
        (
            "escape/main.tf",
            "a = \"\\q\"\n".to_owned(),
            "invalid escape sequence in string",
            1,
            6,
        ),
    ];
    for (name, text, _, _, _) in &cases {
        write(dir.path(), &[(name, text.as_str())]);
    }
    // A good file in the same folder as a broken one, and a folder of its own.
    let good = "resource \"aws_lexv2models_bot\" \"g\" {\n  name                        = \"g\"\n  role_arn                    = \"arn:aws:iam::111122223333:role/lex\"\n  idle_session_ttl_in_seconds = 3600\n}\n";
    write(
        dir.path(),
        &[("truncated/good.tf", good), ("fine/main.tf", good)],
    );
    let out = lexguard(
        dir.path(),
        &["check", ".", "--select", "LEX005", "--format", "json"],
    );
    let report = json(&out);
    let mut errors: Vec<(String, String, u64, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
                e["start"]["line"].as_u64().unwrap(),
                e["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    errors.sort();
    let mut want: Vec<(String, String, u64, u64)> = cases
        .iter()
        .map(|(f, _, m, l, c)| (f.to_string(), m.to_string(), *l, *c))
        .collect();
    want.sort();
    assert_eq!(errors, want);
    assert_eq!(
        findings(&report),
        owned(&[
            (
                "LEX005",
                "fine/main.tf",
                4,
                3,
                "fail",
                "aws_lexv2models_bot.g"
            ),
            (
                "LEX005",
                "truncated/good.tf",
                4,
                3,
                "fail",
                "aws_lexv2models_bot.g"
            ),
        ])
    );
    assert_eq!(out.status.code(), Some(2));
}

/// A data source reads an existing bot or alias whose settings are not in the
/// input: no policy judges its settings (before, seven checks failed on the
/// two V2 ones). Only LEX017, whose `where` opts in, reports a V1 data source,
/// by design (`include_data_sources`).
#[test]
fn lex_data_sources_are_not_judged_as_if_configured_here() {
    let text = "data \"awscc_lex_bot\" \"existing\" {\n  id = \"ABCDEFGHIJ\"\n}\n\ndata \"awscc_lex_bot_alias\" \"existing\" {\n  id = \"ABCDEFGHIJ|TSTALIASID\"\n}\n\ndata \"aws_lex_bot\" \"legacy\" {\n  name = \"OrderFlowers\"\n}\n";
    let policies = load_policies(&[], &Selection::default()).unwrap();
    let source = SourceFile::decode(Path::new("main.tf"), text.as_bytes().to_vec()).unwrap();
    let found: Vec<String> = check_source(source, &policies, &Limits::default())
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f.policy_id, f.resource.id))
        .collect();
    assert_eq!(found, ["LEX017 data.aws_lex_bot.legacy"]);
}
