//! The reporters on a hand-built report: human (snapshot), JSON (snapshot),
//! SARIF (validated against the OASIS 2.1.0 schema) and JUnit (parsed, snapshot).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lexguard::error::FileError;
use lexguard::finding::{
    Finding, RelatedLocation, ResourceRef, ScannedResource, Severity, Status, Suppression,
    SuppressionKind, Warning, WarningKind,
};
use lexguard::parse::{ParseError, ParseErrorKind};
use lexguard::policy::info::{PolicyInfo, PolicyOrigin};
use lexguard::report::human::{self, SourceView};
use lexguard::report::{render, Format, RenderOptions, Report, Summary};
use lexguard::source::{Encoding, SharedSource, SourceFile, Span};
use miette::SourceCode;
use serde_json::Value;

/// A CloudFormation template with CRLF line breaks and multi-byte characters.
const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\r\n\
Description: \"Réservations — Café bot ☕\"\r\n\
Resources:\r\n\
\x20 BookingBot:\r\n\
\x20   Type: AWS::Lex::Bot\r\n\
\x20   Properties:\r\n\
\x20     Name: \"Café-Bot ☕\"\r\n\
\x20     DataPrivacy:\r\n\
\x20       ChildDirected: false\r\n\
\x20     IdleSessionTTLInSeconds: 3600\r\n\
\x20     RoleArn: !GetAtt BotRole.Arn\r\n\
\x20 BotRole:\r\n\
\x20   Type: AWS::IAM::Role\r\n";

/// A truncated template: the parser reports an empty span at the end.
const BROKEN: &str = "Resources:\n  Bot:\n    Type: [AWS::Lex::Bot\n";

fn source(path: &str, text: &str) -> SharedSource {
    Arc::new(SourceFile::new(
        PathBuf::from(path),
        text.to_owned(),
        Encoding::Utf8,
    ))
}

/// Span of the `n`th (0-based) occurrence of `needle`.
fn span_of(file: &SourceFile, needle: &str, n: usize) -> Span {
    let start = file
        .text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} #{n} not in text"))
        .0;
    Span::new(start, start + needle.len())
}

fn policy(
    id: &str,
    title: &str,
    severity: Severity,
    frameworks: &[(&str, &[&str])],
) -> Arc<PolicyInfo> {
    Arc::new(PolicyInfo {
        id: id.to_owned(),
        title: title.to_owned(),
        severity,
        tier: Some("core".to_owned()),
        description: format!("Checks that {}.", title.to_lowercase()),
        rationale: "Auditors expect it.".to_owned(),
        remediation: format!("Fix the bot so that {}.", title.to_lowercase()),
        example_fail: None,
        example_fix: None,
        frameworks: frameworks
            .iter()
            .map(|(f, c)| (f.to_string(), c.iter().map(|c| c.to_string()).collect()))
            .collect(),
        resource_types: vec!["AWS::Lex::Bot".to_owned()],
        parameters: BTreeMap::new(),
        parameter_descriptions: BTreeMap::new(),
        origin: PolicyOrigin::Builtin,
    })
}

#[allow(clippy::too_many_arguments)]
fn finding(
    file: &SharedSource,
    policy_id: &str,
    severity: Severity,
    status: Status,
    span: Span,
    message: &str,
    property_path: &str,
    related: Vec<RelatedLocation>,
) -> Finding {
    Finding {
        policy_id: Arc::from(policy_id),
        severity,
        status,
        message: message.to_owned(),
        source: file.clone(),
        span,
        region: file.region(span),
        resource: ResourceRef {
            id: "BookingBot".to_owned(),
            resource_type: "AWS::Lex::Bot".to_owned(),
        },
        property_path: property_path.to_owned(),
        related,
        suppression: None,
        line_hash: None,
    }
}

fn report() -> Report {
    let bot = source("project/templates/booking bot (prod).yaml", TEMPLATE);
    let broken = source("project/templates/broken.yaml", BROKEN);

    let key = span_of(&bot, "BookingBot", 0);
    let child = span_of(&bot, "false", 0);
    let ttl = span_of(&bot, "3600", 0);
    let role = span_of(&bot, "!GetAtt BotRole.Arn", 0);

    let findings = vec![
        finding(
            &bot,
            "LEX004",
            Severity::Medium,
            Status::Fail,
            key,
            "bot `BookingBot` has no conversation log settings",
            "Properties",
            vec![RelatedLocation {
                source: bot.clone(),
                span: child,
                region: bot.region(child),
                message: "the bot declares it is not child-directed".to_owned(),
            }],
        ),
        finding(
            &bot,
            "LEX002",
            Severity::Critical,
            Status::Fail,
            ttl,
            "idle session timeout is 3600 seconds; the maximum is 900",
            "Properties.IdleSessionTTLInSeconds",
            Vec::new(),
        ),
        finding(
            &bot,
            "LEX021",
            Severity::High,
            Status::Unknown,
            role,
            "role comes from `!GetAtt BotRole.Arn`; its policy cannot be checked",
            "Properties.RoleArn",
            Vec::new(),
        ),
    ];

    let eof = Span::new(BROKEN.len(), BROKEN.len());
    let errors = vec![
        FileError::Parse {
            file: broken,
            error: ParseError::new(
                ParseErrorKind::UnexpectedEof {
                    expected: "`]` or `,`",
                },
                eof,
            ),
        },
        FileError::Missing {
            path: PathBuf::from("project/templates/gone.yaml"),
        },
    ];

    let policies = vec![
        policy(
            "LEX002",
            "Idle session timeout is at most 15 minutes",
            Severity::Critical,
            &[("hipaa", &["164.312(a)(2)(iii)"]), ("pci-dss", &["8.2.8"])],
        ),
        policy(
            "LEX004",
            "Conversation logs are enabled",
            Severity::Medium,
            &[("hipaa", &["164.312(b)"]), ("soc2", &["CC7.2"])],
        ),
        policy(
            "LEX021",
            "Bot role follows least privilege",
            Severity::High,
            &[],
        ),
    ];

    Report {
        findings,
        errors,
        warnings: Vec::new(),
        resources: Vec::new(),
        policies,
        summary: Summary {
            files_scanned: 2,
            files_skipped: 1,
            resources: 2,
            ..Summary::default()
        },
    }
}

fn options() -> RenderOptions {
    RenderOptions {
        color: false,
        quiet: false,
        width: 100,
        root: PathBuf::from("project"),
    }
}

fn render_to_string(report: &Report, format: Format, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    render(report, format, options, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn human_output() {
    let report = report();
    let out = render_to_string(&report, Format::Human, &options());
    assert!(!out.contains('\x1b'), "no escape codes without colour");
    // The snippet header places the finding where its region says (columns in characters).
    let ttl = &report.findings[1];
    assert!(out.contains(&format!(
        "[templates/booking bot (prod).yaml:{}:{}]",
        ttl.region.start.line, ttl.region.start.column
    )));
    insta::assert_snapshot!("human", out);
}

/// Spans over many lines, related locations in another file, an error in an
/// empty file and a span past the end of the text.
#[test]
fn human_edge_cases() {
    let bot = source("project/bot.yaml", TEMPLATE);
    let other = source(
        "project/roles.json",
        "{\n  \"BotRole\": {\"Type\": \"AWS::IAM::Role\"}\n}",
    );
    let empty = source("project/empty.yaml", "");
    let whole = Span::new(
        bot.text.find("BookingBot").unwrap(),
        bot.text.find("  BotRole").unwrap(),
    );
    let role = span_of(&other, "\"BotRole\"", 0);
    let past_end = Span::new(bot.text.len() + 10, bot.text.len() + 20);
    let report = Report {
        findings: vec![
            finding(
                &bot,
                "LEX004",
                Severity::Low,
                Status::Fail,
                whole,
                "the whole bot is labelled on its first line only",
                "",
                vec![RelatedLocation {
                    source: other.clone(),
                    span: role,
                    region: other.region(role),
                    message: "the role is defined here".to_owned(),
                }],
            ),
            finding(
                &bot,
                "LEX999",
                Severity::High,
                Status::Fail,
                past_end,
                "a span past the end is clamped",
                "",
                Vec::new(),
            ),
        ],
        errors: vec![FileError::Parse {
            file: empty,
            error: ParseError::new(ParseErrorKind::Empty, Span::new(0, 0)),
        }],
        warnings: Vec::new(),
        resources: Vec::new(),
        policies: vec![policy(
            "LEX004",
            "Conversation logs are enabled",
            Severity::Low,
            &[],
        )],
        summary: Summary::default(),
    };
    let out = render_to_string(&report, Format::Human, &options());
    insta::assert_snapshot!("human_edge_cases", out);
}

#[test]
fn human_quiet_shows_errors_and_summary_only() {
    let report = report();
    let options = RenderOptions {
        quiet: true,
        ..options()
    };
    let out = render_to_string(&report, Format::Human, &options);
    assert!(!out.contains("LEX002"));
    assert!(out.contains("lexguard::parse"));
    assert!(out.contains("templates/gone.yaml: no such file or directory"));
    assert!(out.ends_with(
        "Scanned 2 files (1 skipped), 2 resources in 0.00s\n\
         Failed: 2 (1 critical, 0 high, 1 medium, 0 low) · 1 unknown · 2 errors\n"
    ));
}

#[test]
fn human_colour_follows_the_option() {
    let report = report();
    let options = RenderOptions {
        color: true,
        ..options()
    };
    let out = render_to_string(&report, Format::Human, &options);
    assert!(out.contains('\x1b'));
    if std::env::var_os("LEXGUARD_SHOW_COLOUR").is_some() {
        print!("{out}");
    }
}

#[test]
fn human_summary_without_findings() {
    let report = Report {
        findings: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        resources: Vec::new(),
        policies: Vec::new(),
        summary: Summary {
            files_scanned: 1,
            resources: 1,
            elapsed: std::time::Duration::from_millis(1234),
            ..Summary::default()
        },
    };
    let out = render_to_string(&report, Format::Human, &options());
    assert_eq!(out, "Scanned 1 file, 1 resource in 1.23s\nNo findings.\n");
}

#[test]
fn elapsed_is_formatted_with_two_decimals() {
    use std::time::Duration;
    assert_eq!(human::format_elapsed(Duration::ZERO), "0.00s");
    assert_eq!(human::format_elapsed(Duration::from_millis(120)), "0.12s");
    assert_eq!(human::format_elapsed(Duration::from_secs(75)), "75.00s");
}

#[test]
fn json_output() {
    let report = report();
    let out = render_to_string(&report, Format::Json, &options());
    let doc: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["version"], "1");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let out = out.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"[VERSION]\"",
    );
    insta::assert_snapshot!("json", out);
}

#[test]
fn sarif_output_is_valid_and_exact() {
    let report = report();
    let out = render_to_string(&report, Format::Sarif, &options());
    let log: Value = serde_json::from_str(&out).expect("valid JSON");

    let validator = common::sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"].get("uri").is_none(),
        "no absolute path by default"
    );
    assert!(!out.contains("file://"));

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "lexguard");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["LEX002", "LEX004", "LEX021"]);
    assert_eq!(rules[0]["name"], "IdleSessionTimeoutIsAtMost15Minutes");
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[0]["properties"]["security-severity"], "9.5");
    assert_eq!(
        rules[0]["properties"]["tags"],
        serde_json::json!([
            "security",
            "compliance",
            "hipaa/164.312(a)(2)(iii)",
            "pci-dss/8.2.8"
        ])
    );
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
    assert_eq!(rules[1]["properties"]["security-severity"], "5.5");
    assert_eq!(rules[2]["properties"]["security-severity"], "8.0");
    assert_eq!(
        rules[1]["helpUri"],
        "https://github.com/lexguard/lexguard/blob/main/docs/policies.md#lex004"
    );
    assert!(rules[1]["help"]["markdown"]
        .as_str()
        .unwrap()
        .starts_with("## LEX004 — Conversation logs are enabled"));

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let uri = "templates/booking%20bot%20%28prod%29.yaml";
    let line_hashes = lexguard::report::sarif::line_hashes(TEMPLATE);

    // Report order is kept; ruleIndex points into the rules array.
    let expect = [
        // ruleId, ruleIndex, kind, level, (startLine, startColumn, endLine, endColumn)
        ("LEX004", 1, "fail", "warning", (4, 3, 4, 13)),
        ("LEX002", 0, "fail", "error", (10, 32, 10, 36)),
        ("LEX021", 2, "open", "note", (11, 16, 11, 35)),
    ];
    for (result, (rule_id, index, kind, level, (sl, sc, el, ec))) in results.iter().zip(expect) {
        assert_eq!(result["ruleId"], rule_id);
        assert_eq!(result["ruleIndex"], index);
        assert_eq!(result["kind"], kind, "{rule_id}");
        assert_eq!(result["level"], level, "{rule_id}");
        let location = &result["locations"][0];
        let physical = &location["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], uri);
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            physical["region"],
            serde_json::json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec}),
            "{rule_id}"
        );
        assert_eq!(
            location["logicalLocations"][0],
            serde_json::json!({
                "name": "BookingBot",
                "kind": "resource",
                "fullyQualifiedName": "templates/booking bot (prod).yaml#BookingBot"
            })
        );
        let fingerprint = result["partialFingerprints"]["lexguardFingerprint/v1"]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fingerprint.len(), 16);
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        // GitHub's line hash of the start line, as the upload action computes it.
        assert_eq!(
            result["partialFingerprints"]["primaryLocationLineHash"],
            line_hashes[sl - 1],
            "{rule_id}"
        );
    }
    let fingerprints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["lexguardFingerprint/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        fingerprints.len(),
        3,
        "fingerprints differ between findings"
    );

    // The region counts characters: `3600` on line 10 follows 31 characters.
    let line10 = TEMPLATE.split("\r\n").nth(9).unwrap();
    assert_eq!(line10.find("3600"), Some(31));

    let related = &results[0]["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(
        related["message"]["text"],
        "the bot declares it is not child-directed"
    );
    assert_eq!(
        related["physicalLocation"]["region"],
        serde_json::json!({"startLine": 9, "startColumn": 24, "endLine": 9, "endColumn": 29})
    );
    assert_eq!(
        results[2]["properties"],
        serde_json::json!({
            "severity": "high",
            "status": "unknown",
            "resourceType": "AWS::Lex::Bot",
            "propertyPath": "Properties.RoleArn"
        })
    );

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["properties"]["kind"], "parse");
    let physical = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "templates/broken.yaml");
    assert_eq!(
        physical["region"],
        serde_json::json!({"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 1})
    );
    assert_eq!(notes[1]["properties"]["kind"], "missing");
    assert!(notes[1]["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
}

#[test]
fn sarif_snapshot() {
    let report = report();
    let out = render_to_string(&report, Format::Sarif, &options());
    let version = env!("CARGO_PKG_VERSION");
    let out = out
        .replace(
            &format!("\"version\": \"{version}\""),
            "\"version\": \"[VERSION]\"",
        )
        .replace(
            &format!("\"semanticVersion\": \"{version}\""),
            "\"semanticVersion\": \"[VERSION]\"",
        );
    insta::assert_snapshot!("sarif", out);
}

#[test]
fn sarif_schema_rejects_a_broken_log() {
    // Guards the validation above against a schema that accepts anything.
    let validator = common::sarif_validator();
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"results": [{"message": {}}]}]});
    assert!(!validator.is_valid(&bad));
    // Formats are checked: an artifact URI with a raw space is not a URI reference.
    let log = |uri: &str| {
        serde_json::json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "t"}},
            "results": [{"message": {"text": "m"}, "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": uri}}
            }]}]
        }]})
    };
    assert!(validator.is_valid(&log("a%20b.yaml")));
    assert!(!validator.is_valid(&log("a b.yaml")));
}

#[test]
fn sarif_without_errors_is_successful() {
    let mut report = report();
    report.errors.clear();
    let out = render_to_string(&report, Format::Sarif, &options());
    let log: Value = serde_json::from_str(&out).unwrap();
    assert!(common::sarif_validator().is_valid(&log));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(
        invocation["toolExecutionNotifications"],
        serde_json::json!([])
    );
}

#[test]
fn sarif_uri_encoding() {
    use lexguard::report::sarif::encode_uri_path;
    assert_eq!(encode_uri_path("a b/c#d?.yaml"), "a%20b/c%23d%3F.yaml");
    assert_eq!(encode_uri_path("café/x%y.json"), "caf%C3%A9/x%25y.json");
    assert_eq!(encode_uri_path("../t-1_~.yml"), "../t-1_~.yml");
}

/// The shared report plus the scanned resources JUnit lists (a passing bot in a
/// second file, a role no policy reads), a suppressed finding whose reason needs
/// escaping, and a warning.
fn junit_report() -> Report {
    let mut report = report();
    let bot = report.findings[0].source.clone();
    let spare = source(
        "project/templates/spare.yaml",
        "Resources:\n  SpareBot:\n    Type: AWS::Lex::Bot\n    Properties:\n      IdleSessionTTLInSeconds: 1200\n",
    );
    let ttl = span_of(&spare, "1200", 0);
    let mut suppressed = finding(
        &spare,
        "LEX002",
        Severity::Critical,
        Status::Fail,
        ttl,
        "idle session timeout is 1200 seconds; the maximum is 900\u{7}",
        "Properties.IdleSessionTTLInSeconds",
        Vec::new(),
    );
    suppressed.resource.id = "SpareBot".to_owned();
    suppressed.suppression = Some(Suppression {
        kind: SuppressionKind::InSource,
        justification: Some("kiosk <test> bot & \"demo\" only".to_owned()),
    });
    report.findings.push(suppressed);
    let scanned = |file: &SharedSource, id: &str, resource_type: &str| ScannedResource {
        path: file.path.clone(),
        resource: ResourceRef {
            id: id.to_owned(),
            resource_type: resource_type.to_owned(),
        },
    };
    report.resources = vec![
        scanned(&bot, "BookingBot", "AWS::Lex::Bot"),
        scanned(&bot, "BotRole", "AWS::IAM::Role"),
        scanned(&spare, "SpareBot", "AWS::Lex::Bot"),
    ];
    report.warnings = vec![Warning {
        kind: WarningKind::SuppressionWithoutReason,
        path: PathBuf::from("project/.lexguard.yaml"),
        location: None,
        message: "suppression of LEX004 has no reason".to_owned(),
    }];
    report.summary.elapsed = std::time::Duration::from_millis(1234);
    report
}

#[test]
fn junit_output_parses_with_exact_outcomes() {
    let report = junit_report();
    let out = render_to_string(&report, Format::Junit, &options());
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attr = |node: roxmltree::Node, name: &str| node.attribute(name).unwrap().to_owned();
    assert_eq!(
        ["tests", "failures", "errors", "skipped", "time"].map(|a| attr(root, a)),
        ["8", "2", "2", "2", "1.234"]
    );
    let suites: Vec<String> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|s| attr(s, "name"))
        .collect();
    assert_eq!(
        suites,
        [
            "LEX002: Idle session timeout is at most 15 minutes",
            "LEX004: Conversation logs are enabled",
            "LEX021: Bot role follows least privilege",
            "lexguard.errors",
            "lexguard.warnings"
        ]
    );
    // (suite, test case, outcome element, its message)
    let mut cases = Vec::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            assert_eq!(attr(case, "classname"), attr(case, "file"));
            let outcome = case.children().find(|n| n.is_element());
            cases.push((
                attr(suite, "name")[..6].to_owned(),
                attr(case, "name"),
                outcome.map(|o| o.tag_name().name().to_owned()),
                outcome
                    .and_then(|o| o.attribute("message"))
                    .map(str::to_owned),
            ));
        }
    }
    let case = |suite: &str, name: &str, outcome: Option<&str>, message: Option<&str>| {
        (
            suite.to_owned(),
            name.to_owned(),
            outcome.map(str::to_owned),
            message.map(str::to_owned),
        )
    };
    assert_eq!(
        cases,
        [
            case(
                "LEX002",
                "BookingBot",
                Some("failure"),
                Some("idle session timeout is 3600 seconds; the maximum is 900")
            ),
            case(
                "LEX002",
                "SpareBot",
                Some("skipped"),
                Some("suppressed: kiosk <test> bot & \"demo\" only")
            ),
            case(
                "LEX004",
                "BookingBot",
                Some("failure"),
                Some("bot `BookingBot` has no conversation log settings")
            ),
            case("LEX004", "SpareBot", None, None),
            case(
                "LEX021",
                "BookingBot",
                Some("skipped"),
                Some(
                    "unknown: role comes from `!GetAtt BotRole.Arn`; its policy cannot be checked"
                )
            ),
            case("LEX021", "SpareBot", None, None),
            case(
                "lexgua",
                "templates/broken.yaml",
                Some("error"),
                Some("unexpected end of input; expected `]` or `,`")
            ),
            case(
                "lexgua",
                "templates/gone.yaml",
                Some("error"),
                Some("no such file or directory")
            ),
        ]
    );
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("critical"));
    assert_eq!(
        failure.text(),
        Some(
            "templates/booking bot (prod).yaml:10:32: LEX002 [critical] idle session timeout \
             is 3600 seconds; the maximum is 900 (at Properties.IdleSessionTTLInSeconds)"
        )
    );
    // The bell character XML 1.0 forbids is replaced.
    assert!(out.contains("900\u{fffd} (at"));
}

#[test]
fn junit_snapshot() {
    let out = render_to_string(&junit_report(), Format::Junit, &options());
    insta::assert_snapshot!("junit", out);
}

// --- SourceView: the line-index-backed miette::SourceCode ---

fn read(
    view: &SourceView,
    span: Span,
    before: usize,
    after: usize,
) -> (String, usize, usize, usize) {
    let contents = view
        .read_span(&(span.start(), span.len()).into(), before, after)
        .expect("read_span");
    assert_eq!(contents.name(), Some(view.name()));
    assert_eq!(
        contents.span().offset() + contents.span().len(),
        contents.span().offset() + contents.data().len()
    );
    (
        String::from_utf8(contents.data().to_vec()).expect("utf-8 snippet"),
        contents.line(),
        contents.column(),
        contents.line_count(),
    )
}

#[test]
fn source_view_span_on_last_line() {
    let file = source("t.yaml", "a: 1\nb: 2\nlast: é!");
    let view = SourceView::new(file.clone(), "t.yaml");
    let span = span_of(&file, "é!", 0);
    assert_eq!(
        read(&view, span, 1, 1),
        ("b: 2\nlast: é!".to_owned(), 1, 0, 2)
    );
    assert_eq!(read(&view, span, 0, 0), ("é!".to_owned(), 2, 6, 1));
    assert_eq!(
        read(&view, span, 5, 5),
        ("a: 1\nb: 2\nlast: é!".to_owned(), 0, 0, 3)
    );
    // An empty span at the very end is still readable.
    let end = Span::new(file.text.len(), file.text.len());
    assert_eq!(
        read(&view, end, 1, 1),
        ("b: 2\nlast: é!".to_owned(), 1, 0, 2)
    );
    // Out of bounds is an error, not a panic.
    assert!(view.read_span(&(file.text.len(), 1).into(), 1, 1).is_err());
}

#[test]
fn source_view_crlf() {
    let file = source("t.yaml", "a: 1\r\nb: ü\r\nc: 3\r\nd: 4\r\n");
    let view = SourceView::new(file.clone(), "t.yaml");
    let span = span_of(&file, "ü", 0);
    assert_eq!(
        read(&view, span, 1, 1),
        ("a: 1\r\nb: ü\r\nc: 3\r\n".to_owned(), 0, 0, 3)
    );
    assert_eq!(
        read(&view, span, 0, 1),
        ("ü\r\nc: 3\r\n".to_owned(), 1, 3, 2)
    );
    let span = span_of(&file, "c: 3", 0);
    assert_eq!(
        read(&view, span, 1, 0),
        ("b: ü\r\nc: 3".to_owned(), 1, 0, 2)
    );
    // A span across a CRLF break covers both lines.
    let span = span_of(&file, "ü\r\nc", 0);
    assert_eq!(
        read(&view, span, 1, 1),
        ("a: 1\r\nb: ü\r\nc: 3\r\nd: 4\r\n".to_owned(), 0, 0, 4)
    );
}

#[test]
fn source_view_after_multibyte_text() {
    let file = source("t.yaml", "name: \"Café ☕ — bot\"\nnext: x\n");
    let view = SourceView::new(file.clone(), "t.yaml");
    let span = span_of(&file, "bot", 0);
    let prefix = "name: \"Café ☕ — ";
    assert_eq!(
        read(&view, span, 0, 0),
        ("bot".to_owned(), 0, prefix.chars().count(), 1)
    );
    assert_eq!(
        read(&view, span, 1, 1),
        ("name: \"Café ☕ — bot\"\nnext: x\n".to_owned(), 0, 0, 2)
    );
    // miette's header column (column() + 1) matches lexguard's region column.
    assert_eq!(file.region(span).start.column, prefix.chars().count() + 1);
}

/// Suppressed findings and warnings: SARIF `suppressions` and warning-level
/// tool notifications that leave the run successful; checked by the schema and
/// by the SARIF multitool.
#[test]
fn sarif_suppressions_and_warnings() {
    use lexguard::finding::{Suppression, SuppressionKind, Warning, WarningKind, WarningLocation};

    let mut report = report();
    report.errors.clear();
    report.findings[0].suppression = Some(Suppression {
        kind: SuppressionKind::InSource,
        justification: Some("logs go to the central account".to_owned()),
    });
    report.findings[1].suppression = Some(Suppression {
        kind: SuppressionKind::External,
        justification: None,
    });
    let bot = report.findings[0].source.clone();
    let metadata = span_of(&bot, "BookingBot", 0);
    report.warnings = vec![
        Warning {
            kind: WarningKind::SuppressionWithoutReason,
            path: bot.path.clone(),
            location: Some(WarningLocation {
                source: bot.clone(),
                span: metadata,
                region: bot.region(metadata),
            }),
            message: "suppression of LEX002 has no reason".to_owned(),
        },
        Warning {
            kind: WarningKind::UnusedSuppression,
            path: PathBuf::from("project/.lexguard.yaml"),
            location: None,
            message: "suppression of LEX009 matched no finding".to_owned(),
        },
    ];
    let out = render_to_string(&report, Format::Sarif, &options());
    let log: Value = serde_json::from_str(&out).expect("valid JSON");
    let errors: Vec<String> = common::sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(
        results[0]["suppressions"],
        serde_json::json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": "logs go to the central account"
        }])
    );
    assert_eq!(
        results[1]["suppressions"],
        serde_json::json!([{"kind": "external", "status": "accepted"}])
    );
    assert!(results[2].get("suppressions").is_none());

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), 2);
    assert!(notes.iter().all(|n| n["level"] == "warning"));
    assert_eq!(notes[0]["properties"]["kind"], "suppression_without_reason");
    assert_eq!(
        notes[0]["message"]["text"],
        "suppression of LEX002 has no reason"
    );
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {
                "uri": "templates/booking%20bot%20%28prod%29.yaml",
                "uriBaseId": "%SRCROOT%"
            },
            "region": {"startLine": 4, "startColumn": 3, "endLine": 4, "endColumn": 13}
        })
    );
    assert_eq!(notes[1]["properties"]["kind"], "unused_suppression");
    assert_eq!(
        notes[1]["locations"][0]["physicalLocation"],
        serde_json::json!({"artifactLocation": {"uri": ".lexguard.yaml", "uriBaseId": "%SRCROOT%"}})
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suppressions.sarif");
    std::fs::write(&path, &out).unwrap();
    common::multitool::assert_valid(&path);
}

/// `primaryLocationLineHash`: github/codeql-action's own test vectors
/// (src/fingerprints.test.ts), so lexguard's hashes match the upload action's.
#[test]
fn line_hashes_match_the_codeql_action() {
    use lexguard::report::sarif::line_hashes;
    assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
    assert_eq!(
        line_hashes(" a\nb\n  \t\tc\n d"),
        [
            "271789c17abda88f:1",
            "54703d4cd895b18:1",
            "180aee12dab6264:1",
            "a23a3dc5e078b07b:1"
        ]
    );
    assert_eq!(
        line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End"),
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1"
        ]
    );
    let with_final_break = [
        "e9496ae3ebfced30:1",
        "fb7c023a8b9ccb3f:1",
        "ce8ba1a563dcdaca:1",
        "e20e36e16fcb0cc8:1",
        "b3edc88f2938467e:1",
        "c8e28b0b4002a3a0:1",
        "c129715d7a2bc9a3:1",
    ];
    // Line breaks LF, CR, CRLF and mixed hash alike.
    for text in [
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
        " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
        " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
        " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
    ] {
        assert_eq!(line_hashes(text), with_final_break, "{text:?}");
    }
    // Identical lines are told apart by the occurrence counter.
    assert_eq!(
        line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10)),
        [
            "a7f2ff13bc495cf2:1",
            "a7f2ff13bc495cf2:2",
            "a7f2ff13bc495cf2:3",
            "a7f2ff13bc495cf2:4",
            "a7f2ff13bc495cf2:5",
            "a7f2ff13bc495cf2:6",
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1"
        ]
    );
}
