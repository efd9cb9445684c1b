//! SARIF 2.1.0 reporter, for GitHub code scanning and other SARIF consumers.
//!
//! One run; one rule per policy that ran; one result per finding, in report
//! order. Artifact URIs are relative to `%SRCROOT%` (the folder given as
//! `RenderOptions::root`), whose absolute location is deliberately left out so
//! the log holds no machine-specific paths. Columns count Unicode code points.
//!
//! Checked in the tests by the JSON schema and by Microsoft's SARIF multitool
//! (`validate --rule-kind "Gh;Sarif"`, tests/sarif_multitool.rs), which reports
//! nothing on this output.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::{display_path, error_kind, JsonArrayWriter, RenderOptions, Report, StreamingReporter};
use crate::error::FileError;
use crate::finding::{Finding, RelatedLocation, Severity, Status, SuppressionKind, Warning};
pub use crate::hash::{fnv1a64, line_hashes};
use crate::policy::info::PolicyInfo;
use crate::source::Region;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/lexguard/lexguard";
/// The base ID artifact URIs are relative to.
pub const SRCROOT: &str = "%SRCROOT%";
/// Key of the result fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "lexguardFingerprint/v1";
/// Key of GitHub's line fingerprint in `partialFingerprints`.
pub const LINE_HASH_KEY: &str = "primaryLocationLineHash";

#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: ToolObj,
    /// Set for a `--shard` run: GitHub code scanning keeps one upload per
    /// category (the ID up to its last `/`), so every shard's results survive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automation_details: Option<AutomationDetails>,
    pub original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    pub column_kind: &'static str,
    pub results: Vec<SarifResult>,
    /// After `results`: it is known only when the run ends, and results stream.
    pub invocations: Vec<Invocation>,
}

#[derive(Debug, Serialize)]
pub struct AutomationDetails {
    pub id: String,
}

#[derive(Debug, Serialize)]
pub struct ToolObj {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub information_uri: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
pub struct BaseUri {
    pub description: Message,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub short_description: Message,
    pub full_description: Message,
    pub help: Help,
    pub help_uri: String,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Serialize)]
pub struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RuleProperties {
    pub tags: Vec<String>,
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
    pub precision: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub kind: &'static str,
    pub level: &'static str,
    pub message: Message,
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<SarifSuppression>,
    pub properties: ResultProperties,
}

#[derive(Debug, Serialize)]
pub struct SarifSuppression {
    /// `inSource` or `external`.
    pub kind: &'static str,
    /// Always `accepted`: lexguard only reports suppressions that apply.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    pub severity: Severity,
    pub status: Status,
    pub resource_type: String,
    pub property_path: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<SarifRegion>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRegion {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    pub kind: &'static str,
    pub fully_qualified_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
    pub properties: InvocationProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationProperties {
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub resources: usize,
}

#[derive(Debug, Serialize)]
pub struct Notification {
    pub level: &'static str,
    pub message: Message,
    pub locations: Vec<Location>,
    pub properties: NotificationProperties,
}

#[derive(Debug, Serialize)]
pub struct NotificationProperties {
    /// The error kind, as in the JSON format's `errors[].kind`, or the warning
    /// kind (`WarningKind::as_str`).
    pub kind: &'static str,
}

/// `level` of a failed check at each severity (and of a rule's default configuration).
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score for each severity.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// `kind` and `level` of a result. An unknown finding is an `open` result: the
/// tool could not decide.
///
/// SARIF 2.1.0 §3.27.10 says a non-`fail` kind should have level `none`; we
/// deliberately write `note` instead. The multitool (5.7.0, `Gh;Sarif`) accepts
/// `open` with `note` and with `none` alike, so GitHub decides: its alert
/// severities are error, warning and note (plus the security-severity bands),
/// with no `none`, and the issue wants unknowns shown as low-key notes rather
/// than dropped or unrated.
fn kind_and_level(finding: &Finding) -> (&'static str, &'static str) {
    match finding.status {
        Status::Fail => ("fail", level(finding.severity)),
        Status::Unknown => ("open", "note"),
    }
}

/// `Bot data privacy must be set` → `BotDataPrivacyMustBeSet`.
pub fn camel_case(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Percent-encodes a relative path for use as a URI reference (RFC 3986): every
/// byte except unreserved characters and `/` becomes `%XX`.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact URI of a path: relative to `%SRCROOT%` when the display path is
/// relative, else an absolute `file:` URI (only for paths given outside the root).
fn artifact_location(path: &std::path::Path, options: &RenderOptions) -> ArtifactLocation {
    let shown = display_path(path, &options.root);
    let bytes = shown.as_bytes();
    let drive = matches!(bytes, [letter, b':', ..] if letter.is_ascii_alphabetic());
    if drive {
        // `C:/x/y` → `file:///C:/x/y`
        let rest = shown.get(2..).unwrap_or("");
        let sep = if rest.starts_with('/') { "" } else { "/" };
        ArtifactLocation {
            uri: format!(
                "file:///{}:{sep}{}",
                shown.get(..1).unwrap_or_default(),
                encode_uri_path(rest)
            ),
            uri_base_id: None,
        }
    } else if let Some(rest) = shown.strip_prefix("//") {
        // UNC path `//server/share/x`
        ArtifactLocation {
            uri: format!("file://{}", encode_uri_path(rest)),
            uri_base_id: None,
        }
    } else if shown.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_uri_path(&shown)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode_uri_path(&shown),
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn sarif_region(region: Region) -> SarifRegion {
    SarifRegion {
        start_line: region.start.line,
        start_column: region.start.column,
        end_line: region.end.line,
        end_column: region.end.column,
    }
}

/// A result's fingerprint: 16 hex digits of FNV-1a over policy ID, file, resource
/// ID, property path and status (NUL-separated). It ignores line numbers, so a
/// finding keeps its identity when lines are added above it.
pub fn fingerprint(finding: &Finding, file: &str) -> String {
    let status = match finding.status {
        Status::Fail => "fail",
        Status::Unknown => "unknown",
    };
    let parts = [
        &*finding.policy_id,
        file,
        &finding.resource.id,
        &finding.property_path,
        status,
    ];
    format!("{:016x}", fnv1a64(parts.join("\0").as_bytes()))
}

fn rule(policy: &PolicyInfo) -> Rule {
    let mut tags = vec!["security".to_owned(), "compliance".to_owned()];
    for (framework, controls) in &policy.frameworks {
        tags.extend(controls.iter().map(|c| format!("{framework}/{c}")));
    }
    Rule {
        id: policy.id.clone(),
        name: camel_case(&policy.title),
        short_description: Message {
            text: policy.title.clone(),
        },
        full_description: Message {
            text: policy.description.trim().to_owned(),
        },
        help: Help {
            text: policy.remediation.trim().to_owned(),
            markdown: policy.help_markdown(),
        },
        help_uri: policy.help_uri(),
        default_configuration: Configuration {
            level: level(policy.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(policy.severity),
            precision: "high",
        },
    }
}

fn result(
    finding: &Finding,
    rule_index: Option<usize>,
    line_hash: Option<String>,
    options: &RenderOptions,
) -> SarifResult {
    let file = display_path(&finding.source.path, &options.root);
    let (kind, level) = kind_and_level(finding);
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY, fingerprint(finding, &file));
    if let Some(hash) = line_hash {
        fingerprints.insert(LINE_HASH_KEY, hash);
    }
    SarifResult {
        rule_id: finding.policy_id.to_string(),
        rule_index,
        kind,
        level,
        message: Message {
            text: finding.message.clone(),
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&finding.source.path, options),
                region: Some(sarif_region(finding.region)),
            },
            logical_locations: vec![LogicalLocation {
                name: finding.resource.id.clone(),
                kind: "resource",
                fully_qualified_name: format!("{file}#{}", finding.resource.id),
            }],
            message: None,
        }],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| related_location(i + 1, r, options))
            .collect(),
        partial_fingerprints: fingerprints,
        suppressions: finding
            .suppression
            .iter()
            .map(|s| SarifSuppression {
                kind: match s.kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::External => "external",
                },
                status: "accepted",
                justification: s.justification.clone(),
            })
            .collect(),
        properties: ResultProperties {
            severity: finding.severity,
            status: finding.status,
            resource_type: finding.resource.resource_type.clone(),
            property_path: finding.property_path.clone(),
        },
    }
}

fn related_location(id: usize, related: &RelatedLocation, options: &RenderOptions) -> Location {
    Location {
        id: Some(id),
        physical_location: PhysicalLocation {
            artifact_location: artifact_location(&related.source.path, options),
            region: Some(sarif_region(related.region)),
        },
        logical_locations: Vec::new(),
        message: Some(Message {
            text: related.message.clone(),
        }),
    }
}

fn notification(error: &FileError, options: &RenderOptions) -> Notification {
    let region = error
        .location()
        .map(|(file, span)| sarif_region(file.region(span)));
    Notification {
        level: "error",
        message: Message {
            text: error.message(),
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(error.path(), options),
                region,
            },
            logical_locations: Vec::new(),
            message: None,
        }],
        properties: NotificationProperties {
            kind: error_kind(error),
        },
    }
}

/// A warning as a notification: level `warning`, so it never makes the run
/// unsuccessful; located at its file, and at its region when it has one.
fn warning_notification(warning: &Warning, options: &RenderOptions) -> Notification {
    Notification {
        level: "warning",
        message: Message {
            text: warning.message.clone(),
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&warning.path, options),
                region: warning.location.as_ref().map(|l| sarif_region(l.region)),
            },
            logical_locations: Vec::new(),
            message: None,
        }],
        properties: NotificationProperties {
            kind: warning.kind.as_str(),
        },
    }
}

impl Log {
    /// The SARIF log for a report with `results` left empty: [`Stream`] writes
    /// them one by one into it.
    pub fn skeleton(report: &Report, options: &RenderOptions) -> Log {
        let rules = report.policies.iter().map(|p| rule(p)).collect();
        let results = Vec::new();
        let mut base_ids = BTreeMap::new();
        base_ids.insert(
            SRCROOT,
            BaseUri {
                description: Message {
                    text: "The folder lexguard was run in; artifact URIs are relative to it."
                        .to_owned(),
                },
            },
        );
        Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: vec![Run {
                tool: ToolObj {
                    driver: Driver {
                        name: "lexguard",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: INFORMATION_URI,
                        rules,
                    },
                },
                automation_details: report.summary.shard.map(|shard| AutomationDetails {
                    id: format!("lexguard/shard-{}-of-{}/", shard.index, shard.count),
                }),
                invocations: vec![Invocation {
                    execution_successful: report.errors.is_empty(),
                    // Warnings do not count against success: they never change the exit code.
                    tool_execution_notifications: report
                        .errors
                        .iter()
                        .map(|e| notification(e, options))
                        .chain(
                            report
                                .warnings
                                .iter()
                                .map(|w| warning_notification(w, options)),
                        )
                        .collect(),
                    properties: InvocationProperties {
                        files_scanned: report.summary.files_scanned,
                        files_skipped: report.summary.files_skipped,
                        resources: report.summary.resources,
                    },
                }],
                original_uri_base_ids: base_ids,
                column_kind: "unicodeCodePoints",
                results,
            }],
        }
    }
}

/// Writes the SARIF log, pretty-printed, followed by a newline.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    super::render_whole(&mut Stream::new(options), report, out)
}

/// The SARIF log written result by result.
pub struct Stream {
    options: RenderOptions,
    rule_index: HashMap<String, usize>,
    /// Line hashes of whole-file sources (hand-built reports), once per file.
    hashes: HashMap<std::path::PathBuf, Vec<String>>,
    array: Option<JsonArrayWriter>,
}

impl Stream {
    pub fn new(options: &RenderOptions) -> Stream {
        Stream {
            options: options.clone(),
            rule_index: HashMap::new(),
            hashes: HashMap::new(),
            array: None,
        }
    }

    fn document(&self, report: &Report) -> io::Result<String> {
        serde_json::to_string_pretty(&Log::skeleton(report, &self.options))
            .map_err(io::Error::other)
    }

    /// The engine computes hashes while it holds the whole file (findings then
    /// keep only a window of it); a hand-built report with whole sources gets
    /// them here.
    fn line_hash(&mut self, finding: &Finding) -> Option<String> {
        if finding.line_hash.is_some() || finding.source.is_window() {
            return finding.line_hash.clone();
        }
        let lines = self
            .hashes
            .entry(finding.source.path.clone())
            .or_insert_with(|| line_hashes(&finding.source.text));
        finding
            .region
            .start
            .line
            .checked_sub(1)
            .and_then(|i| lines.get(i))
            .cloned()
    }
}

impl StreamingReporter for Stream {
    fn begin(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.rule_index = report
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        let document = self.document(report)?;
        self.array = Some(JsonArrayWriter::begin(&document, "results", out)?);
        Ok(())
    }

    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        for finding in findings {
            let line_hash = self.line_hash(finding);
            let rule_index = self.rule_index.get(&*finding.policy_id).copied();
            let result = result(finding, rule_index, line_hash, &self.options);
            match self.array.as_mut() {
                Some(array) => array.element(&result, out)?,
                None => return Err(io::Error::other("results written before begin")),
            }
        }
        Ok(())
    }

    fn end(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let document = self.document(report)?;
        match self.array.take() {
            Some(array) => array.end(&document, "results", out)?,
            None => return Err(io::Error::other("end without begin")),
        }
        out.write_all(b"\n")
    }
}
