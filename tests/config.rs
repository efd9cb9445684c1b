//! `.lexguard.yaml`, `--framework`, `--strict` and the compliance report, driven
//! through the binary as users and CI run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs lexguard in `dir`, with a clean environment for colour.
fn lexguard_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("run lexguard")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

/// A project folder with a `.git` marker, so the upward config search stops in it.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("create .git");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(&path, text).expect("write file");
    path
}

/// A CloudFormation bot with the given idle session TTL (YAML text after the key).
fn bot(name: &str, ttl: &str) -> String {
    format!(
        "  {name}:\n    Type: AWS::Lex::Bot\n    Properties:\n      Name: {name}\n      \
         RoleArn: arn:aws:iam::111122223333:role/lex\n      DataPrivacy:\n        \
         ChildDirected: false\n      IdleSessionTTLInSeconds: {ttl}\n"
    )
}

/// One bot whose only LEX005 problem is a TTL of 3600 (over the default 900).
fn long_ttl_template() -> String {
    format!("Resources:\n{}", bot("Bot", "3600"))
}

/// (policy, severity, status, line) of every finding in a JSON report.
fn findings(report: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["policy_id"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["status"].as_str().unwrap_or_default().to_owned(),
                f["start"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn lex005(report: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    findings(report)
        .into_iter()
        .filter(|f| f.0 == "LEX005")
        .collect()
}

#[test]
fn config_is_found_upward_from_a_nested_folder() {
    let dir = project();
    write(
        dir.path(),
        ".lexguard.yaml",
        "version: 1\nparameters:\n  max_idle_ttl_seconds: 4000\n",
    );
    write(dir.path(), "infra/bots/bot.yaml", &long_ttl_template());
    let nested = dir.path().join("infra/bots");
    let out = lexguard_in(&nested, &["check", "bot.yaml", "--format", "json"]);
    assert_eq!(lex005(&json(&out)), [], "{}", stderr(&out));
    // Without the config the same bot fails LEX005 at its TTL key.
    std::fs::remove_file(dir.path().join(".lexguard.yaml")).expect("remove config");
    let out = lexguard_in(&nested, &["check", "bot.yaml", "--format", "json"]);
    assert_eq!(
        lex005(&json(&out)),
        [("LEX005".into(), "medium".into(), "fail".into(), 9)]
    );
}

#[test]
fn the_search_stops_at_a_repository_root() {
    let outer = tempfile::tempdir().expect("temp dir");
    write(
        outer.path(),
        ".lexguard.yaml",
        "version: 1\nparameters:\n  max_idle_ttl_seconds: 4000\n",
    );
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("create .git");
    write(&repo, "bot.yaml", &long_ttl_template());
    let out = lexguard_in(&repo, &["check", "bot.yaml", "--format", "json"]);
    assert_eq!(
        lex005(&json(&out)).len(),
        1,
        "the config above the repository must not apply"
    );
}

#[test]
fn an_explicit_config_is_used() {
    let dir = project();
    let config = write(
        dir.path(),
        "configs/lenient.yaml",
        "version: 1\npolicies:\n  LEX005:\n    parameters:\n      max_idle_ttl_seconds: 4000\n",
    );
    write(dir.path(), "bot.yaml", &long_ttl_template());
    let config = config.to_str().expect("utf-8 path");
    let out = lexguard_in(
        dir.path(),
        &["check", "bot.yaml", "--format", "json", "--config", config],
    );
    assert_eq!(lex005(&json(&out)), [], "{}", stderr(&out));
    // The effective parameter shows in the policy list and in `explain`.
    let list = lexguard_in(
        dir.path(),
        &["policies", "--format", "json", "--config", config],
    );
    let list = json(&list);
    let policy = list
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"] == "LEX005")
        .expect("LEX005 listed");
    assert_eq!(policy["parameters"]["max_idle_ttl_seconds"], 4000);
    let explain = lexguard_in(dir.path(), &["explain", "LEX005", "--config", config]);
    assert!(stdout(&explain).contains("`max_idle_ttl_seconds` (`4000`)"));
}

#[test]
fn a_parameter_override_changes_a_finding() {
    let dir = project();
    write(dir.path(), "bot.yaml", &long_ttl_template());
    let run = |max: &str| {
        write(
            dir.path(),
            ".lexguard.yaml",
            &format!("version: 1\nparameters:\n  max_idle_ttl_seconds: {max}\n"),
        );
        let out = lexguard_in(dir.path(), &["check", "bot.yaml", "--format", "json"]);
        lex005(&json(&out)).len()
    };
    assert_eq!(run("4000"), 0, "3600 is within 4000");
    assert_eq!(run("3599"), 1, "3600 exceeds 3599");
    // A per-policy value wins over the global one.
    write(
        dir.path(),
        ".lexguard.yaml",
        "version: 1\nparameters:\n  max_idle_ttl_seconds: 4000\npolicies:\n  LEX005:\n    \
         parameters:\n      max_idle_ttl_seconds: 600\n",
    );
    let out = lexguard_in(dir.path(), &["check", "bot.yaml", "--format", "json"]);
    let report = json(&out);
    let found = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["policy_id"] == "LEX005")
        .expect("a LEX005 finding");
    assert!(
        found["message"]
            .as_str()
            .unwrap_or_default()
            .contains("maximum of 600 seconds"),
        "{found}"
    );
}

#[test]
fn a_severity_override_shows_in_findings_and_policies() {
    let dir = project();
    write(
        dir.path(),
        ".lexguard.yaml",
        "version: 1\npolicies:\n  LEX005:\n    severity: critical\n",
    );
    write(dir.path(), "bot.yaml", &long_ttl_template());
    let out = lexguard_in(
        dir.path(),
        &[
            "check", "bot.yaml", "--format", "json", "--select", "LEX005",
        ],
    );
    assert_eq!(
        lex005(&json(&out)),
        [("LEX005".into(), "critical".into(), "fail".into(), 9)]
    );
    assert_eq!(json(&out)["summary"]["findings"]["critical"], 1);
    // `--fail-on critical` now fails on it.
    let strict = lexguard_in(
        dir.path(),
        &[
            "check",
            "bot.yaml",
            "--select",
            "LEX005",
            "--fail-on",
            "critical",
        ],
    );
    assert_eq!(strict.status.code(), Some(1));
    let list = json(&lexguard_in(dir.path(), &["policies", "--format", "json"]));
    let policy = list
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"] == "LEX005")
        .expect("LEX005 listed");
    assert_eq!(policy["severity"], "critical");
}

#[test]
fn a_disabled_policy_does_not_run() {
    let dir = project();
    write(
        dir.path(),
        ".lexguard.yaml",
        "version: 1\npolicies:\n  LEX005:\n    enabled: false\n",
    );
    write(dir.path(), "bot.yaml", &long_ttl_template());
    let out = lexguard_in(dir.path(), &["check", "bot.yaml", "--format", "json"]);
    assert_eq!(lex005(&json(&out)), []);
    let list = json(&lexguard_in(dir.path(), &["policies", "--format", "json"]));
    assert!(list
        .as_array()
        .expect("list")
        .iter()
        .all(|p| p["id"] != "LEX005"));
    // `--select` still runs it.
    let out = lexguard_in(
        dir.path(),
        &[
            "check", "bot.yaml", "--format", "json", "--select", "LEX005",
        ],
    );
    assert_eq!(lex005(&json(&out)).len(), 1);
}

/// Runs `check` with an invalid config; returns the plain human output.
fn invalid(config: &str) -> String {
    let dir = project();
    write(dir.path(), ".lexguard.yaml", config);
    write(dir.path(), "bot.yaml", &long_ttl_template());
    let out = lexguard_in(dir.path(), &["check", "bot.yaml", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let json_out = lexguard_in(dir.path(), &["check", "bot.yaml", "--format", "json"]);
    assert_eq!(json_out.status.code(), Some(2));
    assert_eq!(json(&json_out)["errors"][0]["kind"], "config");
    // `policies` refuses it too.
    let list = lexguard_in(dir.path(), &["policies"]);
    assert_eq!(list.status.code(), Some(2));
    stdout(&out)
}

#[test]
fn an_invalid_config_is_reported_at_its_line_and_column() {
    let out = invalid("version: 1\nsettings:\n  region: eu-west-1\n  colour: red\n");
    assert!(out.contains("cannot load config"), "{out}");
    assert!(out.contains(".lexguard.yaml:4:3"), "{out}");
    assert!(out.contains("unknown field `colour`"), "{out}");

    let out = invalid("version: 1\nsettings:\n  fail_on_unknown: often\n");
    assert!(out.contains(".lexguard.yaml:3:20"), "{out}");
    assert!(
        out.contains("`fail_on_unknown` must be a boolean, found string"),
        "{out}"
    );

    let out = invalid(
        "version: 1\npolicies:\n  LEX005:\n    severity: high\n  LEX999:\n    enabled: false\n",
    );
    assert!(out.contains(".lexguard.yaml:5:3"), "{out}");
    assert!(out.contains("unknown policy ID `LEX999`"), "{out}");

    let out =
        invalid("version: 1\npolicies:\n  LEX005:\n    parameters:\n      max_idle_ttl: 600\n");
    assert!(out.contains(".lexguard.yaml:5:7"), "{out}");
    assert!(
        out.contains("unknown parameter `max_idle_ttl` for policy LEX005"),
        "{out}"
    );

    let out = invalid("version: 1\nparameters:\n  max_idle_ttl_seconds: ten minutes\n");
    assert!(out.contains(".lexguard.yaml:3:25"), "{out}");
    assert!(out.contains("must be a number"), "{out}");

    let out = invalid("version: 1\nframeworks: [hipaa, gdpr]\n");
    assert!(out.contains(".lexguard.yaml:2:21"), "{out}");
}

#[test]
fn framework_filters_the_policy_list() {
    let dir = project();
    let all = json(&lexguard_in(dir.path(), &["policies", "--format", "json"]));
    let soc2 = json(&lexguard_in(
        dir.path(),
        &["policies", "--format", "json", "--framework", "soc2"],
    ));
    let ids = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .expect("list")
            .iter()
            .map(|p| p["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let want: Vec<String> = all
        .as_array()
        .expect("list")
        .iter()
        .filter(|p| {
            p["frameworks"]["soc2"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
        })
        .map(|p| p["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(ids(&soc2), want);
    for policy in soc2.as_array().expect("list") {
        assert!(policy["frameworks"]["soc2"].is_array(), "{policy}");
    }
    // The config's `frameworks` applies by default; `--framework` overrides it.
    write(
        dir.path(),
        ".lexguard.yaml",
        "version: 1\nframeworks: [soc2]\n",
    );
    let by_config = json(&lexguard_in(dir.path(), &["policies", "--format", "json"]));
    assert_eq!(ids(&by_config), want);
    let hipaa = json(&lexguard_in(
        dir.path(),
        &["policies", "--format", "json", "--framework", "hipaa"],
    ));
    assert!(hipaa
        .as_array()
        .expect("list")
        .iter()
        .all(|p| p["frameworks"]["hipaa"].is_array()));
}

#[test]
fn strict_makes_unknown_results_fail_the_run() {
    let dir = project();
    // The TTL is a parameter without a default: LEX005 is unknown.
    let template = format!(
        "Parameters:\n  Ttl:\n    Type: Number\nResources:\n{}",
        bot("Bot", "!Ref Ttl")
    );
    write(dir.path(), "bot.yaml", &template);
    let args = [
        "check", "bot.yaml", "--select", "LEX005", "--format", "json",
    ];
    let out = lexguard_in(dir.path(), &args);
    assert_eq!(
        lex005(&json(&out)),
        [("LEX005".into(), "medium".into(), "unknown".into(), 12)]
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "unknowns do not fail by default"
    );
    let strict = lexguard_in(dir.path(), &[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(1));
    let high = lexguard_in(
        dir.path(),
        &[&args[..], &["--strict", "--fail-on", "high"]].concat(),
    );
    assert_eq!(
        high.status.code(),
        Some(0),
        "a medium unknown is below high"
    );
    write(
        dir.path(),
        ".lexguard.yaml",
        "version: 1\nsettings:\n  fail_on_unknown: true\n",
    );
    let configured = lexguard_in(dir.path(), &args);
    assert_eq!(configured.status.code(), Some(1));
}

#[test]
fn the_compliance_report_counts_resources_per_control() {
    let dir = project();
    let template = format!(
        "Parameters:\n  Ttl:\n    Type: Number\nResources:\n{}{}{}{}  Alias:\n    Type: AWS::Lex::BotAlias\n    \
         Properties:\n      BotId: !Ref Good\n      BotAliasName: prod\n",
        bot("Good", "300"),
        bot("AlsoGood", "900"),
        bot("TooLong", "3600"),
        bot("Unknown", "!Ref Ttl"),
    );
    write(dir.path(), "bots.yaml", &template);
    let out = lexguard_in(
        dir.path(),
        &[
            "check",
            "bots.yaml",
            "--format",
            "compliance-json",
            "--framework",
            "pci-dss",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let frameworks = report["frameworks"].as_array().expect("frameworks");
    assert_eq!(frameworks.len(), 1, "only pci-dss was asked for");
    assert_eq!(frameworks[0]["framework"], "pci-dss");
    let control = frameworks[0]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["control"] == "8.2.8")
        .expect("control 8.2.8");
    assert_eq!(control["status"], "failing");
    let policies = control["policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 1);
    let lex005 = &policies[0];
    assert_eq!(lex005["policy_id"], "LEX005");
    assert_eq!(
        (
            &lex005["resources"],
            &lex005["pass"],
            &lex005["fail"],
            &lex005["unknown"]
        ),
        (
            &serde_json::json!(4),
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    // Controls are in natural order: 3.x before 8.x before 10.x and 12.x.
    let ids: Vec<&str> = frameworks[0]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| c["control"].as_str().unwrap_or_default())
        .collect();
    let pos = |id: &str| ids.iter().position(|c| *c == id);
    assert!(
        pos("8.2.8") < pos("10.2.1") || pos("10.2.1").is_none(),
        "{ids:?}"
    );

    // Without the failing bot the control is unknown; with only passing bots, covered.
    let unknown_only = format!(
        "Parameters:\n  Ttl:\n    Type: Number\nResources:\n{}{}",
        bot("Good", "300"),
        bot("Unknown", "!Ref Ttl")
    );
    write(dir.path(), "bots.yaml", &unknown_only);
    let status = |dir: &Path| {
        let out = lexguard_in(
            dir,
            &[
                "check",
                "bots.yaml",
                "--format",
                "compliance-json",
                "--select",
                "LEX005",
            ],
        );
        let report = json(&out);
        let pci = report["frameworks"]
            .as_array()
            .expect("frameworks")
            .iter()
            .find(|f| f["framework"] == "pci-dss")
            .cloned()
            .expect("pci-dss");
        pci["controls"][0]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(status(dir.path()), "unknown");
    write(
        dir.path(),
        "bots.yaml",
        &format!("Resources:\n{}", bot("Good", "300")),
    );
    assert_eq!(status(dir.path()), "covered");
}

#[test]
fn compliance_table_for_the_examples() {
    let out = lexguard_in(
        &root(),
        &[
            "check",
            "examples",
            "--format",
            "compliance",
            "--color",
            "never",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}
