//! JSON reporter: lexguard's own versioned format, documented in
//! `docs/json-format.md`.
//!
//! The format version is [`FORMAT_VERSION`]. Adding fields keeps the version;
//! removing, renaming or retyping a field, or changing a field's meaning, bumps it.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use std::sync::Arc;

use super::{display_path, error_kind, JsonArrayWriter, RenderOptions, Report, StreamingReporter};
use crate::error::FileError;
use crate::finding::{
    Finding, FrameworkMap, RelatedLocation, ResourceRef, Severity, Status, Suppression, Warning,
    WarningKind,
};
use crate::policy::info::PolicyInfo;
use crate::source::{LineCol, Region};

/// Version of the JSON output format (the top-level `version` field).
pub const FORMAT_VERSION: &str = "1";

#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub version: &'static str,
    pub tool: Tool,
    pub findings: Vec<JsonFinding<'a>>,
    pub errors: Vec<JsonError>,
    pub warnings: Vec<JsonWarning>,
    pub summary: JsonSummary,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub policy_id: &'a str,
    /// The policy's title; the policy ID when the policy is not in the report.
    pub title: &'a str,
    pub severity: Severity,
    pub status: Status,
    pub message: &'a str,
    pub file: String,
    pub start: LineCol,
    pub end: LineCol,
    pub resource: &'a ResourceRef,
    pub property_path: &'a str,
    pub frameworks: &'a FrameworkMap,
    pub related: Vec<JsonRelated<'a>>,
    /// Stable identity across line moves (the SARIF `lexguardFingerprint/v1`
    /// and the baseline's key).
    pub fingerprint: String,
    /// Present when a suppression accepts the finding; it then does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<&'a Suppression>,
}

#[derive(Debug, Serialize)]
pub struct JsonRelated<'a> {
    pub file: String,
    pub start: LineCol,
    pub end: LineCol,
    pub message: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonError {
    pub file: String,
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<LineCol>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<LineCol>,
}

#[derive(Debug, Serialize)]
pub struct JsonWarning {
    pub file: String,
    pub kind: WarningKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<LineCol>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<LineCol>,
}

#[derive(Debug, Serialize)]
pub struct JsonSummary {
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub resources: usize,
    /// Unsuppressed findings only.
    pub findings: FindingCounts,
    /// Findings a suppression accepts (listed, not counted above).
    pub suppressed: usize,
    /// Findings left out because the `--baseline` holds them (not listed).
    pub baselined: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// Fail findings per severity, and unknown findings of any severity.
#[derive(Debug, Serialize)]
pub struct FindingCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub unknown: usize,
}

static NO_FRAMEWORKS: FrameworkMap = FrameworkMap::new();

impl<'a> JsonReport<'a> {
    /// The document for a report with `findings` left empty: [`Stream`] writes
    /// them one by one into it. Paths are made relative to `options.root`.
    pub fn skeleton(report: &'a Report, options: &RenderOptions) -> JsonReport<'a> {
        let findings = Vec::new();
        let errors = report
            .errors
            .iter()
            .map(|e| json_error(e, options))
            .collect();
        let count = |sev: Severity| {
            report
                .fail_counts()
                .iter()
                .find(|(s, _)| *s == sev)
                .map_or(0, |&(_, n)| n)
        };
        JsonReport {
            version: FORMAT_VERSION,
            tool: Tool {
                name: "lexguard",
                version: env!("CARGO_PKG_VERSION"),
            },
            findings,
            errors,
            warnings: report
                .warnings
                .iter()
                .map(|w| json_warning(w, options))
                .collect(),
            summary: JsonSummary {
                files_scanned: report.summary.files_scanned,
                files_skipped: report.summary.files_skipped,
                resources: report.summary.resources,
                findings: FindingCounts {
                    critical: count(Severity::Critical),
                    high: count(Severity::High),
                    medium: count(Severity::Medium),
                    low: count(Severity::Low),
                    unknown: report.unknown_count(),
                },
                suppressed: report.suppressed_count(),
                baselined: report.summary.baselined,
                errors: report.errors.len(),
                warnings: report.warnings.len(),
            },
        }
    }
}

fn json_finding<'a>(
    finding: &'a Finding,
    policy: Option<&'a PolicyInfo>,
    options: &RenderOptions,
) -> JsonFinding<'a> {
    let file = display_path(&finding.source.path, &options.root);
    JsonFinding {
        fingerprint: super::sarif::fingerprint(finding, &file),
        suppression: finding.suppression.as_ref(),
        policy_id: &finding.policy_id,
        title: policy.map_or(&*finding.policy_id, |p| p.title.as_str()),
        severity: finding.severity,
        status: finding.status,
        message: &finding.message,
        file,
        start: finding.region.start,
        end: finding.region.end,
        resource: &finding.resource,
        property_path: &finding.property_path,
        frameworks: policy.map_or(&NO_FRAMEWORKS, |p| &p.frameworks),
        related: finding
            .related
            .iter()
            .map(|r| json_related(r, options))
            .collect(),
    }
}

fn json_related<'a>(related: &'a RelatedLocation, options: &RenderOptions) -> JsonRelated<'a> {
    JsonRelated {
        file: display_path(&related.source.path, &options.root),
        start: related.region.start,
        end: related.region.end,
        message: &related.message,
    }
}

/// An error as JSON reports show it (shared with the compliance report).
pub(crate) fn json_error(error: &FileError, options: &RenderOptions) -> JsonError {
    let region: Option<Region> = error.location().map(|(file, span)| file.region(span));
    JsonError {
        file: display_path(error.path(), &options.root),
        kind: error_kind(error),
        message: error.message(),
        start: region.map(|r| r.start),
        end: region.map(|r| r.end),
    }
}

fn json_warning(warning: &Warning, options: &RenderOptions) -> JsonWarning {
    JsonWarning {
        file: display_path(&warning.path, &options.root),
        kind: warning.kind,
        message: warning.message.clone(),
        start: warning.location.as_ref().map(|l| l.region.start),
        end: warning.location.as_ref().map(|l| l.region.end),
    }
}

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    super::render_whole(&mut Stream::new(options), report, out)
}

/// The JSON document written finding by finding.
pub struct Stream {
    options: RenderOptions,
    policies: HashMap<String, Arc<PolicyInfo>>,
    array: Option<JsonArrayWriter>,
}

impl Stream {
    pub fn new(options: &RenderOptions) -> Stream {
        Stream {
            options: options.clone(),
            policies: HashMap::new(),
            array: None,
        }
    }

    fn document(&self, report: &Report) -> io::Result<String> {
        serde_json::to_string_pretty(&JsonReport::skeleton(report, &self.options))
            .map_err(io::Error::other)
    }
}

impl StreamingReporter for Stream {
    fn begin(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.policies = report
            .policies
            .iter()
            .map(|p| (p.id.clone(), p.clone()))
            .collect();
        let document = self.document(report)?;
        self.array = Some(JsonArrayWriter::begin(&document, "findings", out)?);
        Ok(())
    }

    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        let Some(array) = self.array.as_mut() else {
            return Err(io::Error::other("findings written before begin"));
        };
        for finding in findings {
            let policy = self.policies.get(&*finding.policy_id).map(|p| &**p);
            array.element(&json_finding(finding, policy, &self.options), out)?;
        }
        Ok(())
    }

    fn end(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let document = self.document(report)?;
        match self.array.take() {
            Some(array) => array.end(&document, "findings", out)?,
            None => return Err(io::Error::other("end without begin")),
        }
        out.write_all(b"\n")
    }
}
