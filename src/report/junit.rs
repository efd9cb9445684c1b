//! JUnit XML reporter, for the test tabs of CI systems (GitLab, Jenkins, Azure
//! DevOps).
//!
//! One `<testsuite>` per policy that ran, with one `<testcase>` per resource the
//! policy applies to (its resource types, plus any resource it has a finding on):
//!
//! - a failed check is a `<failure>` (type = severity);
//! - an unknown result (the deciding value could not be resolved) is `<skipped>`:
//!   the check was not decided either way, which is what skipped means to CI
//!   users, and it does not fail the run unless `--strict`;
//! - a finding a suppression accepts is `<skipped>` with the justification;
//! - anything else passed.
//!
//! Files that could not be read or parsed are `<error>` test cases in the
//! `lexguard.errors` suite; warnings go in the `<system-err>` of a
//! `lexguard.warnings` suite with no test cases. Times are 0 except the run's
//! total on `<testsuites>`, so output is deterministic for a given report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use super::{display_path, error_kind, RenderOptions, Report};
use crate::finding::{Finding, ResourceRef, ScannedResource, Status};
use crate::policy::info::PolicyInfo;

/// The outcome of one test case.
enum Outcome {
    Passed,
    Failed {
        message: String,
        kind: String,
        details: String,
    },
    Skipped {
        message: String,
        details: String,
    },
    Error {
        message: String,
        kind: &'static str,
        details: String,
    },
}

struct TestCase {
    name: String,
    classname: String,
    file: String,
    outcome: Outcome,
}

struct TestSuite {
    name: String,
    cases: Vec<TestCase>,
    /// Text for `<system-err>`, when there is any.
    system_err: Option<String>,
}

impl TestSuite {
    fn count(&self, pick: fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| pick(&c.outcome)).count()
    }
}

fn is_failure(o: &Outcome) -> bool {
    matches!(o, Outcome::Failed { .. })
}

fn is_skipped(o: &Outcome) -> bool {
    matches!(o, Outcome::Skipped { .. })
}

fn is_error(o: &Outcome) -> bool {
    matches!(o, Outcome::Error { .. })
}

/// Writes the report as a JUnit XML document.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(report, options);
    let total = |pick: fn(&Outcome) -> bool| suites.iter().map(|s| s.count(pick)).sum::<usize>();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();

    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"lexguard\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        total(is_failure),
        total(is_error),
        total(is_skipped),
        report.summary.elapsed.as_secs_f64(),
    );
    for suite in &suites {
        write_suite(&mut xml, suite);
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}

fn write_suite(xml: &mut String, suite: &TestSuite) {
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
        attr(&suite.name),
        suite.cases.len(),
        suite.count(is_failure),
        suite.count(is_error),
        suite.count(is_skipped),
    );
    for case in &suite.cases {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"0\"",
            attr(&case.name),
            attr(&case.classname),
            attr(&case.file),
        );
        match &case.outcome {
            Outcome::Passed => xml.push_str("/>\n"),
            Outcome::Failed {
                message,
                kind,
                details,
            } => close_with(xml, "failure", message, Some(kind), details),
            Outcome::Skipped { message, details } => {
                close_with(xml, "skipped", message, None, details)
            }
            Outcome::Error {
                message,
                kind,
                details,
            } => close_with(xml, "error", message, Some(kind), details),
        }
    }
    if let Some(system_err) = &suite.system_err {
        let _ = writeln!(xml, "    <system-err>{}</system-err>", text(system_err));
    }
    xml.push_str("  </testsuite>\n");
}

/// Ends an open `<testcase` with its one child element (`failure`, `skipped`,
/// `error`).
fn close_with(xml: &mut String, tag: &str, message: &str, kind: Option<&str>, details: &str) {
    let kind = kind.map_or(String::new(), |k| format!(" type=\"{}\"", attr(k)));
    let _ = writeln!(
        xml,
        ">\n      <{tag} message=\"{}\"{kind}>{}</{tag}>\n    </testcase>",
        attr(message),
        text(details)
    );
}

/// The policy suites in policy ID order, then the errors and warnings suites.
fn suites(report: &Report, options: &RenderOptions) -> Vec<TestSuite> {
    // Findings per policy, then per resource (path, ID, type).
    let mut by_policy: BTreeMap<&str, BTreeMap<ScannedResource, Vec<&Finding>>> = BTreeMap::new();
    for finding in &report.findings {
        by_policy
            .entry(&*finding.policy_id)
            .or_default()
            .entry(ScannedResource {
                path: finding.source.path.clone(),
                resource: finding.resource.clone(),
            })
            .or_default()
            .push(finding);
    }
    let policies: BTreeMap<&str, &PolicyInfo> = report
        .policies
        .iter()
        .map(|p| (p.id.as_str(), &**p))
        .collect();
    // Every policy that ran, and (defensively) any policy a finding names.
    let mut ids: Vec<&str> = policies.keys().copied().collect();
    ids.extend(
        by_policy
            .keys()
            .copied()
            .filter(|id| !policies.contains_key(id)),
    );
    ids.sort_unstable();

    let mut suites = Vec::new();
    for id in ids {
        let policy = policies.get(id).copied();
        let mut cases = by_policy.remove(id).unwrap_or_default();
        if let Some(policy) = policy {
            for scanned in &report.resources {
                if policy
                    .resource_types
                    .contains(&scanned.resource.resource_type)
                {
                    cases.entry(scanned.clone()).or_default();
                }
            }
        }
        suites.push(TestSuite {
            name: match policy {
                Some(p) => format!("{}: {}", p.id, p.title),
                None => id.to_owned(),
            },
            cases: cases
                .iter()
                .map(|(scanned, findings)| {
                    resource_case(&scanned.path, &scanned.resource, findings, options)
                })
                .collect(),
            system_err: None,
        });
    }

    if !report.errors.is_empty() {
        let cases = report
            .errors
            .iter()
            .map(|error| {
                let file = display_path(error.path(), &options.root);
                let place = match error.location() {
                    Some((source, span)) => {
                        let start = source.region(span).start;
                        format!("{file}:{}:{}", start.line, start.column)
                    }
                    None => file.clone(),
                };
                let message = error.message();
                TestCase {
                    name: file.clone(),
                    classname: file.clone(),
                    file,
                    outcome: Outcome::Error {
                        details: format!("{place}: {message}"),
                        message,
                        kind: error_kind(error),
                    },
                }
            })
            .collect();
        suites.push(TestSuite {
            name: "lexguard.errors".to_owned(),
            cases,
            system_err: None,
        });
    }

    if !report.warnings.is_empty() {
        let mut lines = String::new();
        for warning in &report.warnings {
            let file = display_path(&warning.path, &options.root);
            let place = match &warning.location {
                Some(at) => format!("{file}:{}:{}", at.region.start.line, at.region.start.column),
                None => file,
            };
            let _ = writeln!(
                lines,
                "{place}: warning[{}]: {}",
                warning.kind.as_str(),
                warning.message
            );
        }
        suites.push(TestSuite {
            name: "lexguard.warnings".to_owned(),
            cases: Vec::new(),
            system_err: Some(lines),
        });
    }
    suites
}

/// The test case of one policy on one resource, from its findings (if any).
fn resource_case(
    path: &Path,
    resource: &ResourceRef,
    findings: &[&Finding],
    options: &RenderOptions,
) -> TestCase {
    let file = display_path(path, &options.root);
    let active = |status: Status| {
        findings
            .iter()
            .find(|f| f.status == status && f.suppression.is_none())
    };
    // Every finding is listed, whatever decided the outcome, so nothing is hidden.
    let details = || {
        let mut out = String::new();
        for f in findings {
            let start = f.region.start;
            let _ = write!(
                out,
                "{}:{}:{}: {} [{}] {}",
                display_path(&f.source.path, &options.root),
                start.line,
                start.column,
                f.policy_id,
                label(f),
                f.message
            );
            if !f.property_path.is_empty() {
                let _ = write!(out, " (at {})", f.property_path);
            }
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out
    };
    let outcome = if let Some(fail) = active(Status::Fail) {
        let failed = findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.suppression.is_none())
            .count();
        let message = if failed > 1 {
            format!("{} (and {} more)", fail.message, failed - 1)
        } else {
            fail.message.clone()
        };
        Outcome::Failed {
            message,
            kind: fail.severity.to_string(),
            details: details(),
        }
    } else if let Some(unknown) = active(Status::Unknown) {
        Outcome::Skipped {
            message: format!("unknown: {}", unknown.message),
            details: details(),
        }
    } else if let Some(suppressed) = findings.first() {
        let message = match suppressed
            .suppression
            .as_ref()
            .and_then(|s| s.justification.as_deref())
        {
            Some(reason) => format!("suppressed: {reason}"),
            None => "suppressed (no justification given)".to_owned(),
        };
        Outcome::Skipped {
            message,
            details: details(),
        }
    } else {
        Outcome::Passed
    };
    TestCase {
        name: resource.id.clone(),
        classname: file.clone(),
        file,
        outcome,
    }
}

/// `high`, `unknown high`, `high, suppressed: reason`.
fn label(finding: &Finding) -> String {
    let mut label = match finding.status {
        Status::Fail => finding.severity.to_string(),
        Status::Unknown => format!("unknown {}", finding.severity),
    };
    if let Some(suppression) = &finding.suppression {
        match &suppression.justification {
            Some(reason) => {
                let _ = write!(label, ", suppressed: {reason}");
            }
            None => label.push_str(", suppressed"),
        }
    }
    label
}

/// Escapes text for an attribute value. Tabs and line breaks become character
/// references, since parsers normalise them to spaces in attributes.
fn attr(value: &str) -> String {
    escape(value, true)
}

/// Escapes element text. Carriage returns become `&#13;`, which parsers would
/// otherwise fold into line feeds.
fn text(value: &str) -> String {
    escape(value, false)
}

fn escape(value: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            // Characters XML 1.0 forbids even as references: the C0 controls
            // other than tab and line breaks, and the non-characters U+FFFE/FFFF.
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_forbidden_characters() {
        assert_eq!(
            attr("a<b>&\"c'\td\r\ne"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#9;d&#13;&#10;e"
        );
        assert_eq!(text("a<b>&\"c'\td\r\ne"), "a&lt;b&gt;&amp;\"c'\td&#13;\ne");
        assert_eq!(
            text("x\u{0}y\u{1b}z\u{b}\u{fffe}"),
            "x\u{fffd}y\u{fffd}z\u{fffd}\u{fffd}"
        );
        assert_eq!(text("café ☕ 𝄞"), "café ☕ 𝄞");
    }
}
