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
    /// Findings already written out by a streaming reporter and dropped; the
    /// counting methods of [`Report`] add them to `findings`.
    #[serde(skip)]
    pub streamed: FindingCounts,
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

/// Findings by status and severity (index: [`Severity::ALL`] order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingCounts {
    pub fail: [usize; 4],
    pub unknown: [usize; 4],
    pub suppressed: usize,
}

impl FindingCounts {
    pub fn add(&mut self, finding: &Finding) {
        if finding.suppression.is_some() {
            self.suppressed += 1;
            return;
        }
        let index = Severity::ALL
            .iter()
            .position(|s| *s == finding.severity)
            .unwrap_or(0);
        let slot = match finding.status {
            Status::Fail => self.fail.get_mut(index),
            Status::Unknown => self.unknown.get_mut(index),
        };
        if let Some(n) = slot {
            *n += 1;
        }
    }

    fn of(findings: &[Finding]) -> FindingCounts {
        let mut counts = FindingCounts::default();
        for finding in findings {
            counts.add(finding);
        }
        counts
    }
}

fn add_at(a: &[usize; 4], b: &[usize; 4], i: usize) -> usize {
    a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0)
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
    /// A report with no results yet: what a streaming reporter needs to begin.
    pub fn header(policies: Vec<Arc<PolicyInfo>>) -> Report {
        Report {
            findings: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            resources: Vec::new(),
            policies,
            summary: Summary::default(),
        }
    }

    /// Findings that no suppression accepts: the ones that count (of those still
    /// held; see [`Summary::streamed`]).
    pub fn active_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    /// Counts over the held and the streamed findings.
    pub fn counts(&self) -> FindingCounts {
        let held = FindingCounts::of(&self.findings);
        let streamed = self.summary.streamed;
        FindingCounts {
            fail: std::array::from_fn(|i| add_at(&held.fail, &streamed.fail, i)),
            unknown: std::array::from_fn(|i| add_at(&held.unknown, &streamed.unknown, i)),
            suppressed: held.suppressed + streamed.suppressed,
        }
    }

    /// Number of unsuppressed findings with status `fail` at each severity.
    pub fn fail_counts(&self) -> [(Severity, usize); 4] {
        let counts = self.counts();
        let mut i = 0;
        Severity::ALL.map(|sev| {
            let n = counts.fail.get(i).copied().unwrap_or(0);
            i += 1;
            (sev, n)
        })
    }

    /// Number of unsuppressed findings with status `unknown`.
    pub fn unknown_count(&self) -> usize {
        self.counts().unknown.iter().sum()
    }

    /// Number of findings a suppression accepts.
    pub fn suppressed_count(&self) -> usize {
        self.counts().suppressed
    }

    /// Whether an unsuppressed failed check (or, with `strict`, unknown result)
    /// is at or above `threshold`.
    pub fn fails_at(&self, threshold: Severity, strict: bool) -> bool {
        let counts = self.counts();
        Severity::ALL.iter().enumerate().any(|(i, sev)| {
            *sev >= threshold
                && (counts.fail.get(i).is_some_and(|&n| n > 0)
                    || (strict && counts.unknown.get(i).is_some_and(|&n| n > 0)))
        })
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
    match streaming(format, options) {
        Some(mut stream) => render_whole(&mut *stream, report, out),
        None => match format {
            Format::Compliance => compliance::render_table(report, options, out),
            Format::ComplianceJson => compliance::render_json(report, options, out),
            _ => junit::render(report, options, out),
        },
    }
}

/// Writes a finished report through a streaming reporter in one go.
pub fn render_whole(
    stream: &mut dyn StreamingReporter,
    report: &Report,
    out: &mut dyn Write,
) -> io::Result<()> {
    stream.begin(report, out)?;
    stream.findings(&report.findings, out)?;
    stream.end(report, out)
}

/// A reporter that writes findings file by file as the engine produces them, so
/// a run's memory does not grow with the corpus. `begin` sees the policies,
/// `end` the finished report (errors, warnings, summary); neither writes the
/// report's own `findings`, which go through `findings`.
pub trait StreamingReporter {
    fn begin(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()>;
    fn end(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The streaming reporter of a format; `None` for formats that need every
/// finding at once (JUnit groups them by policy; compliance reports count them).
pub fn streaming(format: Format, options: &RenderOptions) -> Option<Box<dyn StreamingReporter>> {
    match format {
        Format::Human => Some(Box::new(human::Stream::new(options))),
        Format::Json => Some(Box::new(json::Stream::new(options))),
        Format::Sarif => Some(Box::new(sarif::Stream::new(options))),
        Format::Github => Some(Box::new(github::Stream::new(options))),
        Format::Junit | Format::Compliance | Format::ComplianceJson => None,
    }
}

/// Writes a JSON document whose one array is written element by element:
/// serde_json's pretty layout, byte for byte, without holding the array.
pub(crate) struct JsonArrayWriter {
    /// Nesting depth of the array's elements.
    depth: usize,
    written: usize,
}

impl JsonArrayWriter {
    /// Writes `document` (serialised pretty with the array empty, as `"key": []`)
    /// up to the array's opening bracket.
    pub(crate) fn begin(
        document: &str,
        key: &str,
        out: &mut dyn Write,
    ) -> io::Result<JsonArrayWriter> {
        let (before, _) = split_at_array(document, key)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let depth = (before.len() - line_start) / 2 + 1;
        out.write_all(before.as_bytes())?;
        out.write_all(format!("\"{key}\": [").as_bytes())?;
        Ok(JsonArrayWriter { depth, written: 0 })
    }

    pub(crate) fn element<T: serde::Serialize>(
        &mut self,
        value: &T,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        if self.written > 0 {
            out.write_all(b",")?;
        }
        let pad = "  ".repeat(self.depth);
        // Strings never hold raw line breaks in JSON, so every line break is layout.
        for line in text.split('\n') {
            out.write_all(b"\n")?;
            out.write_all(pad.as_bytes())?;
            out.write_all(line.as_bytes())?;
        }
        self.written += 1;
        Ok(())
    }

    /// Closes the array and writes the rest of `document` (serialised like the
    /// one given to `begin`, with the final values after the array).
    pub(crate) fn end(self, document: &str, key: &str, out: &mut dyn Write) -> io::Result<()> {
        let (_, after) = split_at_array(document, key)?;
        if self.written > 0 {
            out.write_all(b"\n")?;
            out.write_all("  ".repeat(self.depth - 1).as_bytes())?;
        }
        out.write_all(b"]")?;
        out.write_all(after.as_bytes())
    }
}

/// The text before and after the first `"key": []`. Keys and string contents
/// cannot collide: quotes inside strings are escaped.
fn split_at_array<'d>(document: &'d str, key: &str) -> io::Result<(&'d str, &'d str)> {
    let marker = format!("\"{key}\": []");
    let at = document
        .find(&marker)
        .ok_or_else(|| io::Error::other(format!("no empty `{key}` array to stream into")))?;
    let before = document.get(..at).unwrap_or_default();
    let after = document.get(at + marker.len()..).unwrap_or_default();
    Ok((before, after))
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
        FileError::TooLarge { .. } => "too_large",
    }
}
