//! Reporters: the only code that knows output formats, and the only code that
//! touches miette.

pub mod compliance;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::FileError;
use crate::finding::{Finding, ScannedResource, Severity, Status, Warning};
use crate::policy::info::PolicyInfo;

/// Everything one `check` run produced, in deterministic order.
#[derive(Debug)]
pub struct Report {
    /// Sorted by file, line, column, policy.
    pub findings: Vec<Finding>,
    /// Sorted by path.
    pub errors: Vec<FileError>,
    /// Sorted by path, line, column.
    pub warnings: Vec<Warning>,
    /// Every resource of every scanned file, sorted by path and resource ID.
    pub resources: Vec<ScannedResource>,
    /// The policies that ran, sorted by ID.
    pub policies: Vec<Arc<PolicyInfo>>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Files parsed and linted.
    pub files_scanned: usize,
    /// Files in walked folders that were neither CloudFormation nor Terraform JSON.
    pub files_skipped: usize,
    pub resources: usize,
    /// The `--shard` this run linted, if any.
    #[serde(skip)]
    pub shard: Option<crate::discover::Shard>,
    /// Findings left out because the baseline (`--baseline`) already holds them.
    pub baselined: usize,
    #[serde(skip)]
    pub elapsed: Duration,
    /// Per policy ID (every policy that ran): resources evaluated and how many of
    /// them failed or were unknown, for the compliance report.
    #[serde(skip)]
    pub policy_stats: BTreeMap<String, PolicyStats>,
    /// The frameworks the run was restricted to (`--framework` or the config's
    /// `frameworks`); empty for all.
    #[serde(skip)]
    pub frameworks: Vec<String>,
}

/// How one policy fared over the scanned resources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PolicyStats {
    /// Resources of the policy's resource types that were scanned (at least the
    /// number with a finding).
    pub resources: usize,
    /// Resources with at least one failed check.
    pub failed: usize,
    /// Resources with an unknown result and no failed check.
    pub unknown: usize,
}

impl PolicyStats {
    /// Resources with neither a failed nor an unknown result (passed or not applicable).
    pub fn passed(&self) -> usize {
        self.resources.saturating_sub(self.failed + self.unknown)
    }

    pub fn add(&mut self, other: PolicyStats) {
        self.resources += other.resources;
        self.failed += other.failed;
        self.unknown += other.unknown;
    }
}

impl Report {
    /// Findings that no suppression accepts: the ones that count.
    pub fn active_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    /// Number of unsuppressed findings with status `fail` at each severity.
    pub fn fail_counts(&self) -> [(Severity, usize); 4] {
        Severity::ALL.map(|sev| {
            let n = self
                .active_findings()
                .filter(|f| f.status == Status::Fail && f.severity == sev)
                .count();
            (sev, n)
        })
    }

    /// Number of unsuppressed findings with status `unknown`.
    pub fn unknown_count(&self) -> usize {
        self.active_findings()
            .filter(|f| f.status == Status::Unknown)
            .count()
    }

    /// Number of findings a suppression accepts.
    pub fn suppressed_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppression.is_some())
            .count()
    }
}

/// Output formats of `lexguard check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    /// Per framework control: the policies covering it and their pass / fail /
    /// unknown counts, as a table.
    Compliance,
    /// The compliance report as JSON.
    ComplianceJson,
    /// GitHub Actions workflow commands (annotations on pull requests).
    Github,
    /// JUnit XML, for CI test tabs: a test suite per policy, a test case per
    /// resource it applies to.
    Junit,
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub color: bool,
    /// Human format: only the summary line and errors, no per-finding reports.
    pub quiet: bool,
    /// Terminal width for wrapping human output.
    pub width: usize,
    /// Folder that artifact paths are made relative to in SARIF and JSON.
    pub root: PathBuf,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            quiet: false,
            width: 100,
            root: PathBuf::from("."),
        }
    }
}

/// Writes a report in one format.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, options, out),
        Format::Json => json::render(report, options, out),
        Format::Sarif => sarif::render(report, options, out),
        Format::Compliance => compliance::render_table(report, options, out),
        Format::ComplianceJson => compliance::render_json(report, options, out),
        Format::Github => github::render(report, options, out),
        Format::Junit => junit::render(report, options, out),
    }
}

/// A path as reports show it: relative to `root` when inside it, with `/` separators.
pub fn display_path(path: &std::path::Path, root: &std::path::Path) -> String {
    let rel = path
        .strip_prefix(root)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    rel.to_string_lossy().replace('\\', "/")
}

/// A stable `snake_case` name for each kind of [`FileError`], used by the JSON
/// (`errors[].kind`) and SARIF (notification `properties.kind`) reporters.
pub fn error_kind(error: &FileError) -> &'static str {
    match error {
        FileError::Read { .. } => "read",
        FileError::Decode { .. } => "decode",
        FileError::Parse { .. } => "parse",
        FileError::Model { .. } => "model",
        FileError::Policy { .. } => "policy",
        FileError::Config { .. } => "config",
        FileError::NotRecognised { .. } => "not_recognised",
        FileError::Missing { .. } => "missing",
        FileError::Walk { .. } => "walk",
        FileError::Baseline { .. } => "baseline",
    }
}
