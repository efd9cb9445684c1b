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
    pub source: SharedSource,
    pub span: Span,
    /// `span` as 1-based lines and columns, computed once when the finding is made.
    pub region: Region,
    pub resource: ResourceRef,
    /// Path of the property the finding is about, from the resource root
    /// (`Properties.BotLocales[0].Intents[1].Slots[0]`, `values.idle_session_ttl_in_seconds`).
    pub property_path: String,
    pub related: Vec<RelatedLocation>,
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

/// Framework name (`hipaa`, `pci-dss`, `soc2`, `iso27001`) to control IDs.
pub type FrameworkMap = BTreeMap<String, Vec<String>>;
