//! Compliance report: for each framework control, the policies that cover it,
//! their pass / fail / unknown counts over the scanned resources, and the
//! control's status. A table (`--format compliance`) or JSON
//! (`--format compliance-json`).
//!
//! A control is *failing* when any mapped policy failed on a resource, *unknown*
//! when none failed but some result was unknown, and *covered* otherwise (catalog
//! "Framework index").

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::json::{json_error, JsonError};
use super::{human, PolicyStats, RenderOptions, Report};
use crate::finding::Severity;

/// Version of the compliance JSON format.
pub const FORMAT_VERSION: &str = "1";

/// Control status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlStatus {
    Covered,
    Unknown,
    Failing,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Covered => "covered",
            ControlStatus::Unknown => "unknown",
            ControlStatus::Failing => "failing",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ComplianceReport {
    pub version: &'static str,
    pub frameworks: Vec<FrameworkSection>,
    pub errors: Vec<JsonError>,
    pub summary: ComplianceSummary,
}

#[derive(Debug, Serialize)]
pub struct FrameworkSection {
    /// `hipaa`, `pci-dss`, `soc2`, `iso27001` (or a user policy's own key).
    pub framework: String,
    pub title: String,
    pub controls: Vec<ControlRow>,
    pub covered: usize,
    pub failing: usize,
    pub unknown: usize,
}

#[derive(Debug, Serialize)]
pub struct ControlRow {
    pub control: String,
    pub status: ControlStatus,
    pub policies: Vec<PolicyRow>,
}

#[derive(Debug, Serialize)]
pub struct PolicyRow {
    pub policy_id: String,
    pub title: String,
    pub severity: Severity,
    /// Resources of the policy's types that were scanned.
    pub resources: usize,
    /// Resources with no failed and no unknown result (passed or not applicable).
    pub pass: usize,
    /// Resources with at least one failed check.
    pub fail: usize,
    /// Resources with an unknown result and no failed check.
    pub unknown: usize,
}

#[derive(Debug, Serialize)]
pub struct ComplianceSummary {
    pub files_scanned: usize,
    pub resources: usize,
    pub policies: usize,
    pub errors: usize,
}

/// Framework titles as in the catalog's framework index.
pub fn framework_title(key: &str) -> &str {
    match key {
        "hipaa" => "HIPAA Security/Privacy Rule (45 CFR)",
        "pci-dss" => "PCI DSS v4.0",
        "soc2" => "SOC 2 Trust Services Criteria",
        "iso27001" => "ISO/IEC 27001:2022 Annex A",
        other => other,
    }
}

/// Compares control IDs with digit runs as numbers: `3.4.1` < `3.10.1`, `A.8.5` < `A.8.12`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
                let db = b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len());
                let (na, ra) = a.split_at(da);
                let (nb, rb) = b.split_at(db);
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = ra;
                b = rb;
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a = a.get(x.len_utf8()..).unwrap_or_default();
                b = b.get(y.len_utf8()..).unwrap_or_default();
            }
        }
    }
}

impl ComplianceReport {
    pub fn new(report: &Report, options: &RenderOptions) -> ComplianceReport {
        // framework → control → policy IDs
        let mut index: BTreeMap<&str, Vec<(&str, Vec<&str>)>> = BTreeMap::new();
        for policy in &report.policies {
            for (framework, controls) in &policy.frameworks {
                let wanted = report.summary.frameworks.is_empty()
                    || report.summary.frameworks.iter().any(|f| f == framework);
                if !wanted {
                    continue;
                }
                let list = index.entry(framework.as_str()).or_default();
                for control in controls {
                    match list.iter_mut().find(|(c, _)| c == control) {
                        Some((_, ids)) => ids.push(policy.id.as_str()),
                        None => list.push((control.as_str(), vec![policy.id.as_str()])),
                    }
                }
            }
        }
        let frameworks = index
            .into_iter()
            .map(|(framework, mut controls)| {
                controls.sort_by(|a, b| natural_cmp(a.0, b.0).then_with(|| a.0.cmp(b.0)));
                let controls: Vec<ControlRow> = controls
                    .into_iter()
                    .map(|(control, mut ids)| {
                        ids.sort_unstable();
                        ids.dedup();
                        let policies: Vec<PolicyRow> =
                            ids.into_iter().map(|id| policy_row(report, id)).collect();
                        let status = if policies.iter().any(|p| p.fail > 0) {
                            ControlStatus::Failing
                        } else if policies.iter().any(|p| p.unknown > 0) {
                            ControlStatus::Unknown
                        } else {
                            ControlStatus::Covered
                        };
                        ControlRow {
                            control: control.to_owned(),
                            status,
                            policies,
                        }
                    })
                    .collect();
                let count = |s: ControlStatus| controls.iter().filter(|c| c.status == s).count();
                FrameworkSection {
                    framework: framework.to_owned(),
                    title: framework_title(framework).to_owned(),
                    covered: count(ControlStatus::Covered),
                    failing: count(ControlStatus::Failing),
                    unknown: count(ControlStatus::Unknown),
                    controls,
                }
            })
            .collect();
        let errors = report
            .errors
            .iter()
            .map(|e| json_error(e, options))
            .collect();
        ComplianceReport {
            version: FORMAT_VERSION,
            frameworks,
            errors,
            summary: ComplianceSummary {
                files_scanned: report.summary.files_scanned,
                resources: report.summary.resources,
                policies: report.policies.len(),
                errors: report.errors.len(),
            },
        }
    }
}

fn policy_row(report: &Report, id: &str) -> PolicyRow {
    let stats: PolicyStats = report
        .summary
        .policy_stats
        .get(id)
        .copied()
        .unwrap_or_default();
    let info = report.policies.iter().find(|p| p.id == id);
    PolicyRow {
        policy_id: id.to_owned(),
        title: info.map_or_else(|| id.to_owned(), |p| p.title.clone()),
        severity: info.map_or(Severity::Low, |p| p.severity),
        resources: stats.resources,
        pass: stats.passed(),
        fail: stats.failed,
        unknown: stats.unknown,
    }
}

/// Writes the compliance report as pretty-printed JSON followed by a newline.
pub fn render_json(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = ComplianceReport::new(report, options);
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes one table per framework, then errors (as the human reporter shows them)
/// or a summary line.
pub fn render_table(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = ComplianceReport::new(report, options);
    let control_width = doc
        .frameworks
        .iter()
        .flat_map(|f| &f.controls)
        .map(|c| c.control.chars().count())
        .max()
        .unwrap_or(0)
        .max("CONTROL".len());
    let policy_width = doc
        .frameworks
        .iter()
        .flat_map(|f| &f.controls)
        .flat_map(|c| &c.policies)
        .map(|p| p.policy_id.chars().count())
        .max()
        .unwrap_or(0)
        .max("POLICY".len());
    let (bold, reset) = if options.color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    for (i, framework) in doc.frameworks.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{bold}{} — {}{reset}",
            framework.framework, framework.title
        )?;
        writeln!(
            out,
            "{:<control_width$}  {:<7}  {:<policy_width$}  {:>9}  {:>4}  {:>4}  {:>7}",
            "CONTROL", "STATUS", "POLICY", "RESOURCES", "PASS", "FAIL", "UNKNOWN"
        )?;
        for control in &framework.controls {
            for (j, policy) in control.policies.iter().enumerate() {
                let (name, status) = if j == 0 {
                    (
                        control.control.as_str(),
                        status_text(control.status, options),
                    )
                } else {
                    ("", "       ".to_owned())
                };
                writeln!(
                    out,
                    "{name:<control_width$}  {status}  {:<policy_width$}  {:>9}  {:>4}  {:>4}  {:>7}",
                    policy.policy_id, policy.resources, policy.pass, policy.fail, policy.unknown
                )?;
            }
        }
        writeln!(
            out,
            "{}: {} covered, {} failing, {} unknown",
            plural(framework.controls.len(), "control", "controls"),
            framework.covered,
            framework.failing,
            framework.unknown
        )?;
    }
    if doc.frameworks.is_empty() {
        writeln!(
            out,
            "No framework controls are mapped by the policies that ran."
        )?;
    }
    if report.errors.is_empty() {
        writeln!(
            out,
            "\nScanned {}, {} with {}",
            plural(report.summary.files_scanned, "file", "files"),
            plural(report.summary.resources, "resource", "resources"),
            plural(report.policies.len(), "policy", "policies")
        )
    } else {
        writeln!(out)?;
        let quiet = RenderOptions {
            quiet: true,
            ..options.clone()
        };
        human::render(report, &quiet, out)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The status padded to the column width, coloured when asked.
fn status_text(status: ControlStatus, options: &RenderOptions) -> String {
    let text = format!("{:<7}", status.as_str());
    if !options.color {
        return text;
    }
    let style = match status {
        ControlStatus::Covered => "\x1b[32m",
        ControlStatus::Unknown => "\x1b[33m",
        ControlStatus::Failing => "\x1b[31m",
    };
    format!("{style}{text}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_sort_naturally() {
        let mut ids = vec![
            "A.8.12",
            "A.8.5",
            "3.10.1",
            "3.4.1",
            "164.312(a)(1)",
            "164.308(b)(1)",
            "CC6.1",
            "CC10.1",
            "CC6.10",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "3.4.1",
                "3.10.1",
                "164.308(b)(1)",
                "164.312(a)(1)",
                "A.8.5",
                "A.8.12",
                "CC6.1",
                "CC6.10",
                "CC10.1"
            ]
        );
    }
}
