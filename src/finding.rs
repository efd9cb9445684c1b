//! What the engine produces: findings (fail or unknown results) at exact spans.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::source::{Region, SharedSource, Span};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lines of context a finding's source excerpt keeps before and after its span
/// (what the human report shows).
pub const EXCERPT_CONTEXT_LINES: usize = 1;
/// Lines of a span a finding's excerpt keeps; longer spans are labelled on
/// their first lines only.
pub const EXCERPT_MAX_LINES: usize = 6;

/// A finding is either a failed check or a check whose deciding value is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Unknown,
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ResourceRef {
    /// CloudFormation logical ID or Terraform address (with module path).
    pub id: String,
    #[serde(rename = "type")]
    pub resource_type: String,
}

/// A second place that explains a finding (the Lex property that links a
/// cross-resource finding, for example).
#[derive(Debug, Clone)]
pub struct RelatedLocation {
    pub source: SharedSource,
    pub span: Span,
    pub region: Region,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub policy_id: Arc<str>,
    pub severity: Severity,
    pub status: Status,
    pub message: String,
    /// The file, or (after the engine is done with it) a window of the lines
    /// around `span` and `related` spans: enough for every reporter.
    pub source: SharedSource,
    pub span: Span,
    /// `span` as 1-based lines and columns, computed once when the finding is made.
    pub region: Region,
    pub resource: ResourceRef,
    /// Path of the property the finding is about, from the resource root
    /// (`Properties.BotLocales[0].Intents[1].Slots[0]`, `values.idle_session_ttl_in_seconds`).
    pub property_path: String,
    pub related: Vec<RelatedLocation>,
    /// Set when a suppression (in the source or in the configuration) accepts
    /// this finding: it is still reported (SARIF `suppressions`, JSON
    /// `suppression`) but never affects the exit code.
    pub suppression: Option<Suppression>,
    /// GitHub's `primaryLocationLineHash` of the first line, computed by the
    /// engine while it holds the whole file, when asked (SARIF).
    pub line_hash: Option<String>,
}

impl Finding {
    /// Deterministic report order: file, line, column, policy, then the rest.
    pub fn sort_key(&self) -> (&std::path::Path, usize, usize, &str, Status, &str) {
        (
            self.source.path.as_path(),
            self.region.start.line,
            self.region.start.column,
            &self.policy_id,
            self.status,
            &self.message,
        )
    }
}

/// Where the suppression that accepts a finding is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// In the template itself: CloudFormation `Metadata`, a `.tf.json` `"//"` comment.
    InSource,
    /// In `.lexguard.yaml`.
    External,
}

/// A suppression that matched a finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// The reason written with it; `None` when it has none (which is warned about).
    pub justification: Option<String>,
}

/// Something worth telling the user that is neither a finding nor an error: it
/// never changes the exit code.
#[derive(Debug, Clone)]
pub struct Warning {
    pub kind: WarningKind,
    pub path: std::path::PathBuf,
    /// Where in the file, when the warning is about a place in one.
    pub location: Option<WarningLocation>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct WarningLocation {
    pub source: SharedSource,
    pub span: Span,
    pub region: Region,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A suppression with no reason (it still applies).
    SuppressionWithoutReason,
    /// A suppression past its expiry date (it no longer applies).
    SuppressionExpired,
    /// A suppression that matched no finding (`--report-unused-suppressions`).
    UnusedSuppression,
    /// A suppression that cannot be read (wrong shape, unknown policy ID).
    InvalidSuppression,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::SuppressionWithoutReason => "suppression_without_reason",
            WarningKind::SuppressionExpired => "suppression_expired",
            WarningKind::UnusedSuppression => "unused_suppression",
            WarningKind::InvalidSuppression => "invalid_suppression",
        }
    }
}

/// A resource that was scanned, for reporters that list passing resources too
/// (JUnit: one test case per policy and resource).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScannedResource {
    pub path: std::path::PathBuf,
    pub resource: ResourceRef,
}

/// Framework name (`hipaa`, `pci-dss`, `soc2`, `iso27001`) to control IDs.
pub type FrameworkMap = BTreeMap<String, Vec<String>>;
