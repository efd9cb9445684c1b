//! Declarative policies: loading, validation and the compiled form the engine runs.
//!
//! A policy is one YAML file (see `docs/policy-format.md`). Built-in policies are
//! embedded at build time; users add their own with `--policy-dir`.

pub mod condition;
pub mod eval;
pub mod info;
pub mod load;
pub mod path;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::finding::Severity;
use crate::parse::ParseErrorKind;
use crate::source::{Encoding, SharedSource, SourceFile, Span};

pub use condition::{Check, Condition};
pub use info::{PolicyInfo, PolicyOrigin};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));
}

/// A loaded, compiled policy.
#[derive(Debug)]
pub struct Policy {
    pub info: Arc<PolicyInfo>,
    pub checks: Vec<Check>,
    /// Effective parameter values (defaults with overrides applied).
    pub parameters: BTreeMap<String, serde_json::Value>,
}

impl Policy {
    pub fn applies_to(&self, resource_type: &str) -> bool {
        self.info.resource_types.iter().any(|t| t == resource_type)
    }

    /// Fills a message template: `extra` first, then parameters, then policy fields.
    pub fn render_message(&self, template: &str, extra: impl Fn(&str) -> Option<String>) -> String {
        load::interpolate(template, |name| {
            extra(name)
                .or_else(|| {
                    self.parameters.get(name).map(|v| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                })
                .or_else(|| match name {
                    "title" => Some(self.info.title.clone()),
                    "id" => Some(self.info.id.clone()),
                    _ => None,
                })
        })
        .unwrap_or_else(|_| template.to_owned())
    }
}

/// An invalid policy file, at the place in it that is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", .file.path.display())]
pub struct PolicyError {
    pub file: SharedSource,
    pub span: Span,
    pub kind: PolicyErrorKind,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyErrorKind {
    #[error("invalid policy YAML: {0}")]
    Parse(ParseErrorKind),
    #[error("missing required field `{field}`")]
    MissingField { field: &'static str },
    #[error("unknown field `{field}`; expected one of: {allowed}")]
    UnknownField { field: String, allowed: String },
    #[error("`{field}` must be {expected}, found {found}")]
    WrongType {
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("`{field}` must be {expected}")]
    InvalidValue {
        field: &'static str,
        expected: &'static str,
    },
    #[error(
        "invalid policy ID `{id}`: use a letter, then letters, digits, `-` or `_` (at most 64)"
    )]
    InvalidId { id: String },
    #[error("policy ID `{id}` is already defined by {other}")]
    DuplicateId { id: String, other: String },
    #[error("a policy needs at least one check")]
    NoChecks,
    #[error("a condition needs at least one operator")]
    EmptyCondition,
    #[error("unknown parameter `{name}`")]
    UnknownParameter { name: String },
    #[error("invalid regular expression: {0}")]
    Regex(String),
    #[error("{0}")]
    Path(path::PathError),
    #[error("cannot read policy file: {0}")]
    Read(String),
}

/// Which policies to run, and with which parameters.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these IDs (all when empty).
    pub select: BTreeSet<String>,
    pub ignore: BTreeSet<String>,
    /// Parameter overrides by name, applied to every policy declaring the name.
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// Per-policy overrides by ID (from the config file); their parameters win
    /// over `parameters`.
    pub overrides: BTreeMap<String, PolicyOverride>,
    /// Only policies mapped to at least one control of these frameworks (all when empty).
    pub frameworks: BTreeSet<String>,
}

/// What the configuration changes about one policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyOverride {
    /// `Some(false)` removes the policy.
    pub enabled: Option<bool>,
    /// Replaces the policy's severity (in its info and in its findings).
    pub severity: Option<Severity>,
    /// Parameter overrides for this policy only.
    pub parameters: BTreeMap<String, serde_json::Value>,
}

impl Selection {
    /// Whether policies must be loaded again with other parameters than their
    /// defaults (a severity or a switch is applied without reloading).
    pub fn changes_parameters(&self) -> bool {
        !self.parameters.is_empty() || self.overrides.values().any(|o| !o.parameters.is_empty())
    }

    /// Whether a loaded policy is kept: selected, not ignored, not disabled, and
    /// mapped to one of the chosen frameworks.
    pub fn keeps(&self, info: &PolicyInfo) -> bool {
        (self.select.is_empty() || self.select.contains(&info.id))
            && !self.ignore.contains(&info.id)
            && self
                .overrides
                .get(&info.id)
                .is_none_or(|o| o.enabled != Some(false))
            && (self.frameworks.is_empty()
                || info
                    .frameworks
                    .iter()
                    .any(|(key, controls)| self.frameworks.contains(key) && !controls.is_empty()))
    }
}

/// Loads the built-in policies and every `*.yaml`/`*.yml` file of the given folders,
/// then keeps the selected ones, sorted by ID. Every invalid file is reported.
pub fn load_policies(
    dirs: &[PathBuf],
    selection: &Selection,
) -> Result<Vec<Policy>, Vec<PolicyError>> {
    let mut sources: Vec<(SharedSource, PolicyOrigin)> = builtin::BUILTIN
        .iter()
        .map(|(name, text)| {
            let source = SourceFile::new(
                format!("policies/{name}"),
                (*text).to_owned(),
                Encoding::Utf8,
            );
            (Arc::new(source), PolicyOrigin::Builtin)
        })
        .collect();
    let mut errors = Vec::new();
    for dir in dirs {
        match policy_files(dir) {
            Ok(files) => {
                for file in files {
                    match std::fs::read(&file)
                        .map_err(|e| e.to_string())
                        .and_then(|bytes| {
                            SourceFile::decode(&file, bytes).map_err(|e| e.to_string())
                        }) {
                        Ok(source) => sources.push((Arc::new(source), PolicyOrigin::File(file))),
                        Err(message) => errors.push(PolicyError {
                            file: Arc::new(SourceFile::new(&file, String::new(), Encoding::Utf8)),
                            span: Span::default(),
                            kind: PolicyErrorKind::Read(message),
                        }),
                    }
                }
            }
            Err(message) => errors.push(PolicyError {
                file: Arc::new(SourceFile::new(dir, String::new(), Encoding::Utf8)),
                span: Span::default(),
                kind: PolicyErrorKind::Read(message),
            }),
        }
    }
    // Compiling is independent per file; in parallel it halves a short run's start-up.
    let compiled: Vec<_> = {
        use rayon::prelude::*;
        sources
            .into_par_iter()
            .map(|(source, origin)| {
                let policy = load_one(&source, origin, selection);
                (source, policy)
            })
            .collect()
    };
    let mut policies: Vec<Policy> = Vec::new();
    for (source, compiled) in compiled {
        match compiled {
            Ok(policy) => {
                if let Some(other) = policies.iter().find(|p| p.info.id == policy.info.id) {
                    let other = match &other.info.origin {
                        PolicyOrigin::Builtin => "a built-in policy".to_owned(),
                        PolicyOrigin::File(p) => p.display().to_string(),
                    };
                    let span = source
                        .text
                        .find(&policy.info.id)
                        .map_or(Span::default(), |s| Span::new(s, s + policy.info.id.len()));
                    errors.push(PolicyError {
                        file: source,
                        span,
                        kind: PolicyErrorKind::DuplicateId {
                            id: policy.info.id.clone(),
                            other,
                        },
                    });
                    continue;
                }
                policies.push(policy);
            }
            Err(err) => errors.push(err),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    policies.retain(|p| selection.keeps(&p.info));
    policies.sort_by(|a, b| a.info.id.cmp(&b.info.id));
    Ok(policies)
}

/// The selected policies among ones loaded with their defaults, with severity
/// overrides applied; equal to [`load_policies`] with `selection` when the
/// selection changes no parameter.
pub fn select(all: Vec<Policy>, selection: &Selection) -> Vec<Policy> {
    let mut policies: Vec<Policy> = all
        .into_iter()
        .filter_map(|mut policy| {
            let severity = selection
                .overrides
                .get(&policy.info.id)
                .and_then(|o| o.severity);
            if let Some(severity) = severity {
                Arc::make_mut(&mut policy.info).severity = severity;
            }
            selection.keeps(&policy.info).then_some(policy)
        })
        .collect();
    policies.sort_by(|a, b| a.info.id.cmp(&b.info.id));
    policies
}

/// Loads one policy with the global parameters, then, when the selection has
/// per-policy parameters for its ID, again with those; applies a severity override.
fn load_one(
    source: &SharedSource,
    origin: PolicyOrigin,
    selection: &Selection,
) -> Result<Policy, PolicyError> {
    let mut policy = load::load(source, origin.clone(), &selection.parameters)?;
    let Some(overrides) = selection.overrides.get(&policy.info.id) else {
        return Ok(policy);
    };
    if !overrides.parameters.is_empty() {
        let mut parameters = selection.parameters.clone();
        parameters.extend(overrides.parameters.clone());
        policy = load::load(source, origin, &parameters)?;
    }
    if let Some(severity) = overrides.severity {
        Arc::make_mut(&mut policy.info).severity = severity;
    }
    Ok(policy)
}

/// The policy files of a folder (not recursive), sorted; a file path is itself.
fn policy_files(dir: &std::path::Path) -> Result<Vec<PathBuf>, String> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read policy folder: {e}"))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}
