//! The project configuration file, `.lexguard.yaml`: global settings, policy
//! parameters, per-policy switches and severities, and default frameworks.
//!
//! It is found from the current folder upward (stopping at a folder that holds
//! `.git`, or at the filesystem root) or named with `--config`. It is parsed with
//! the spanned YAML parser and validated field by field, so every error points at
//! its own line and column. The schema is documented in `docs/configuration.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::finding::Severity;
use crate::finding::SuppressionKind;
use crate::node::{Entry, Node, Value};
use crate::parse::{self, Limits, ParseErrorKind};
use crate::policy::{Policy, PolicyOverride, Selection};
use crate::source::{Encoding, SharedSource, SourceFile, Span};
use crate::suppress::{Date, PathPattern, Pattern, Scope, SuppressionRule};

/// The file name looked for in the current folder and its parents.
pub const FILE_NAME: &str = ".lexguard.yaml";

/// Framework keys, in report order.
pub const FRAMEWORKS: [&str; 4] = ["hipaa", "pci-dss", "soc2", "iso27001"];

/// The only config version this build reads.
pub const VERSION: i64 = 1;

const TOP_LEVEL: [&str; 6] = [
    "version",
    "settings",
    "parameters",
    "policies",
    "frameworks",
    "suppress",
];
const SETTINGS: [&str; 5] = [
    "account_id",
    "region",
    "partition",
    "environment",
    "fail_on_unknown",
];
const POLICY_FIELDS: [&str; 3] = ["enabled", "severity", "parameters"];
const SUPPRESS_FIELDS: [&str; 5] = ["id", "resource", "path", "reason", "expires"];

/// A loaded, schema-valid configuration. [`Config::default`] is the configuration
/// when there is no file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from; `None` for the defaults.
    pub source: Option<SharedSource>,
    pub settings: Settings,
    /// Parameter overrides for every policy declaring the name.
    pub parameters: BTreeMap<String, Param>,
    /// Per-policy settings by policy ID.
    pub policies: BTreeMap<String, PolicyConfig>,
    /// Frameworks to run by default (all policies when empty).
    pub frameworks: Vec<String>,
    /// `suppress:` entries, in file order.
    pub suppressions: Vec<SuppressionRule>,
    /// Where each suppression names its policies (parallel to `suppressions`),
    /// to check the IDs against the loaded policies.
    suppression_ids: Vec<Vec<(String, Span)>>,
}

/// Global settings (catalog "Global settings").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub partition: String,
    pub environment: String,
    /// Unknown results fail the run like failed checks (as `--strict`).
    pub fail_on_unknown: bool,
    /// The settings written in the file, as parameter values: a policy that
    /// declares a parameter named like a setting (`environment`, `account_id`…)
    /// receives it.
    pub explicit: BTreeMap<String, serde_json::Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            account_id: None,
            region: None,
            partition: "aws".to_owned(),
            environment: "production".to_owned(),
            fail_on_unknown: false,
            explicit: BTreeMap::new(),
        }
    }
}

/// One parameter value, with where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub value: serde_json::Value,
    pub key_span: Span,
    pub value_span: Span,
}

/// `policies.<ID>` in the config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyConfig {
    pub key_span: Span,
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    pub parameters: BTreeMap<String, Param>,
}

/// An invalid configuration file, at the place in it that is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", .file.path.display())]
pub struct ConfigError {
    pub file: SharedSource,
    pub span: Span,
    pub kind: ConfigErrorKind,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigErrorKind {
    #[error("cannot read config file: {0}")]
    Read(String),
    #[error("invalid config YAML: {0}")]
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
        field: String,
        expected: &'static str,
    },
    #[error("unsupported config version `{found}`; this lexguard reads version 1")]
    UnsupportedVersion { found: String },
    #[error("unknown policy ID `{id}` (see `lexguard policies`)")]
    UnknownPolicy { id: String },
    #[error("unknown parameter `{name}`: no loaded policy declares it")]
    UnknownParameter { name: String },
    #[error("unknown parameter `{name}` for policy {policy}{}", known_list(.known))]
    UnknownPolicyParameter {
        name: String,
        policy: String,
        known: Vec<String>,
    },
    #[error("parameter `{name}` must be {expected} (like its default), found {found}")]
    ParameterType {
        name: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("parameter `{name}` is not a valid regular expression: {message}")]
    ParameterRegex { name: String, message: String },
    #[error("no loaded policy matches `{id}` (see `lexguard policies`)")]
    UnmatchedPolicyPattern { id: String },
    #[error(
        "a suppression needs `resource` or `path`; to turn a policy off everywhere use \
         `policies.<ID>.enabled: false`"
    )]
    SuppressionWithoutScope,
    #[error("`path` is not a valid glob: {message}")]
    InvalidGlob { message: String },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "; it declares no parameters".to_owned()
    } else {
        format!("; it declares: {}", known.join(", "))
    }
}

type Fail = (Span, ConfigErrorKind);

/// The config file for a run started in `start`: `start/.lexguard.yaml`, else the
/// same in each parent, stopping after a folder that holds `.git` and at the root.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(current) = dir {
        let candidate = current.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if current.join(".git").exists() {
            return None;
        }
        dir = current.parent();
    }
    None
}

/// The configuration for a run: the explicit file, else the one found upward from
/// the current folder, else the defaults.
pub fn resolve(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::current_dir().ok().and_then(|cwd| find(&cwd)),
    };
    match path {
        Some(path) => load(&path),
        None => Ok(Config::default()),
    }
}

/// Reads and validates one config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let empty = || Arc::new(SourceFile::new(path, String::new(), Encoding::Utf8));
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        file: empty(),
        span: Span::default(),
        kind: ConfigErrorKind::Read(e.to_string()),
    })?;
    let source = SourceFile::decode(path, bytes).map_err(|e| ConfigError {
        file: empty(),
        span: Span::default(),
        kind: ConfigErrorKind::Read(e.to_string()),
    })?;
    parse_source(Arc::new(source))
}

/// Validates the text of a config file.
pub fn parse_source(source: SharedSource) -> Result<Config, ConfigError> {
    let err = |(span, kind): Fail| ConfigError {
        file: source.clone(),
        span,
        kind,
    };
    let root = parse::yaml::parse(&source.text, &Limits::default())
        .map_err(|e| err((e.span, ConfigErrorKind::Parse(e.kind))))?;
    let mut config = from_node(&root).map_err(err)?;
    if let Some(node) = root.get("suppress") {
        let base = source
            .path
            .parent()
            .map(crate::suppress::normalise)
            .unwrap_or_default();
        for item in node
            .as_array()
            .ok_or_else(|| err(wrong_type(node, "suppress", "a list of suppressions")))?
        {
            let (rule, ids) = suppression(item, &source, &base).map_err(err)?;
            config.suppressions.push(rule);
            config.suppression_ids.push(ids);
        }
    }
    config.source = Some(source);
    Ok(config)
}

fn from_node(root: &Node) -> Result<Config, Fail> {
    let doc = Fields::new(root, "config", &TOP_LEVEL)?;
    let version = doc.required("version")?;
    match &version.value {
        Value::Number(n) if n.integer == Some(VERSION) => {}
        Value::Number(n) => {
            return Err((
                version.span,
                ConfigErrorKind::UnsupportedVersion {
                    found: n.raw.clone(),
                },
            ))
        }
        _ => return Err(wrong_type(version, "version", "the number 1")),
    }
    let mut config = Config::default();
    if let Some(node) = doc.get("settings") {
        config.settings = settings(node)?;
    }
    if let Some(node) = doc.get("parameters") {
        config.parameters = parameters(node, "parameters")?;
    }
    if let Some(node) = doc.get("policies") {
        for entry in object(node, "policies")? {
            let fields = Fields::new(&entry.value, &entry.key, &POLICY_FIELDS)?;
            let mut policy = PolicyConfig {
                key_span: entry.key_span,
                ..PolicyConfig::default()
            };
            if let Some(node) = fields.get("enabled") {
                policy.enabled = Some(
                    node.as_bool()
                        .ok_or_else(|| wrong_type(node, "enabled", "a boolean"))?,
                );
            }
            if let Some(node) = fields.get("severity") {
                let text = node
                    .as_str()
                    .ok_or_else(|| wrong_type(node, "severity", "a string"))?;
                policy.severity = Some(Severity::parse(text).ok_or_else(|| {
                    (
                        node.span,
                        ConfigErrorKind::InvalidValue {
                            field: "severity".to_owned(),
                            expected: "one of critical, high, medium, low",
                        },
                    )
                })?);
            }
            if let Some(node) = fields.get("parameters") {
                policy.parameters = parameters(node, "parameters")?;
            }
            config.policies.insert(entry.key.clone(), policy);
        }
    }
    if let Some(node) = doc.get("frameworks") {
        let items = node
            .as_array()
            .ok_or_else(|| wrong_type(node, "frameworks", "a list of framework keys"))?;
        for item in items {
            let key = item
                .as_str()
                .ok_or_else(|| wrong_type(item, "frameworks", "a list of framework keys"))?;
            if !FRAMEWORKS.contains(&key) {
                return Err((
                    item.span,
                    ConfigErrorKind::InvalidValue {
                        field: "frameworks".to_owned(),
                        expected: "a list of hipaa, pci-dss, soc2, iso27001",
                    },
                ));
            }
            if !config.frameworks.iter().any(|f| f == key) {
                config.frameworks.push(key.to_owned());
            }
        }
    }
    Ok(config)
}

/// One `suppress:` entry; a missing reason is allowed here and warned about when
/// the run starts, like a suppression in a template.
fn suppression(
    node: &Node,
    source: &SharedSource,
    base: &Path,
) -> Result<(SuppressionRule, Vec<(String, Span)>), Fail> {
    let fields = Fields::new(node, "suppress entry", &SUPPRESS_FIELDS)?;
    let id = fields.required("id")?;
    let id_nodes: Vec<&Node> = match id.as_array() {
        Some(items) if !items.is_empty() => items.iter().collect(),
        Some(_) => return Err(wrong_type(id, "id", "a policy ID or a list of them")),
        None => vec![id],
    };
    let mut ids = Vec::new();
    for id in id_nodes {
        let text = id
            .as_str()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| wrong_type(id, "id", "a policy ID or a list of them"))?;
        ids.push((text.trim().to_owned(), id.span));
    }
    let string = |key: &str| -> Result<Option<&str>, Fail> {
        match fields.get(key) {
            None => Ok(None),
            Some(node) => node
                .as_str()
                .map(Some)
                .ok_or_else(|| wrong_type(node, key, "a string")),
        }
    };
    let resource = string("resource")?.map(Pattern::new);
    let path = match fields.get("path") {
        None => None,
        Some(node) => {
            let text = string("path")?.unwrap_or_default();
            let glob = globset::GlobBuilder::new(text)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    (
                        node.span,
                        ConfigErrorKind::InvalidGlob {
                            message: e.kind().to_string(),
                        },
                    )
                })?;
            Some(PathPattern {
                glob: glob.compile_matcher(),
                base: base.to_path_buf(),
            })
        }
    };
    if resource.is_none() && path.is_none() {
        return Err((node.span, ConfigErrorKind::SuppressionWithoutScope));
    }
    let reason = string("reason")?
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let expires = match fields.get("expires") {
        None => None,
        Some(node) => Some(node.as_str().and_then(Date::parse).ok_or((
            node.span,
            ConfigErrorKind::InvalidValue {
                field: "expires".to_owned(),
                expected: "a date written YYYY-MM-DD",
            },
        ))?),
    };
    let rule = SuppressionRule {
        kind: SuppressionKind::External,
        policies: ids.iter().map(|(id, _)| Pattern::policy(id)).collect(),
        scope: Scope::Matching { resource, path },
        reason,
        expires,
        source: source.clone(),
        span: node.span,
    };
    Ok((rule, ids))
}

fn settings(node: &Node) -> Result<Settings, Fail> {
    let fields = Fields::new(node, "settings", &SETTINGS)?;
    let mut settings = Settings::default();
    for entry in fields.entries {
        let value = &entry.value;
        if entry.key == "fail_on_unknown" {
            settings.fail_on_unknown = value
                .as_bool()
                .ok_or_else(|| wrong_type(value, "fail_on_unknown", "a boolean"))?;
            settings
                .explicit
                .insert(entry.key.clone(), settings.fail_on_unknown.into());
            continue;
        }
        // Account IDs are often written unquoted; accept an integer as its text.
        let text = match &value.value {
            Value::String(s) => s.clone(),
            Value::Number(n) if entry.key == "account_id" && n.integer.is_some() => n.raw.clone(),
            _ => return Err(wrong_type(value, &entry.key, "a string")),
        };
        if entry.key == "account_id"
            && !(text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err((
                value.span,
                ConfigErrorKind::InvalidValue {
                    field: "account_id".to_owned(),
                    expected: "a 12-digit AWS account ID",
                },
            ));
        }
        if text.is_empty() {
            return Err((
                value.span,
                ConfigErrorKind::InvalidValue {
                    field: entry.key.clone(),
                    expected: "a non-empty string",
                },
            ));
        }
        match entry.key.as_str() {
            "account_id" => settings.account_id = Some(text.clone()),
            "region" => settings.region = Some(text.clone()),
            "partition" => settings.partition = text.clone(),
            _ => settings.environment = text.clone(),
        }
        settings
            .explicit
            .insert(entry.key.clone(), serde_json::Value::String(text));
    }
    Ok(settings)
}

fn parameters(node: &Node, what: &str) -> Result<BTreeMap<String, Param>, Fail> {
    let mut out = BTreeMap::new();
    for entry in object(node, what)? {
        if matches!(entry.value.value, Value::Null) {
            return Err(wrong_type(&entry.value, &entry.key, "a value"));
        }
        out.insert(
            entry.key.clone(),
            Param {
                value: entry.value.to_json(),
                key_span: entry.key_span,
                value_span: entry.value.span,
            },
        );
    }
    Ok(out)
}

impl Config {
    /// Checks the config against the loaded policies (all of them, before any
    /// selection): policy IDs exist, parameter names are declared, and values have
    /// their default's type. Every problem is reported.
    pub fn validate(&self, policies: &[Policy]) -> Result<(), Vec<ConfigError>> {
        let Some(source) = &self.source else {
            return Ok(());
        };
        let mut fails: Vec<Fail> = Vec::new();
        let defaults = |name: &str| {
            policies
                .iter()
                .find_map(|p| p.info.parameters.get(name).map(|v| (p, v)))
        };
        for (name, param) in &self.parameters {
            match defaults(name) {
                None => fails.push((
                    param.key_span,
                    ConfigErrorKind::UnknownParameter { name: name.clone() },
                )),
                Some((_, default)) => fails.extend(check_param(name, param, default)),
            }
        }
        for (id, policy_config) in &self.policies {
            let Some(policy) = policies.iter().find(|p| &p.info.id == id) else {
                fails.push((
                    policy_config.key_span,
                    ConfigErrorKind::UnknownPolicy { id: id.clone() },
                ));
                continue;
            };
            for (name, param) in &policy_config.parameters {
                match policy.info.parameters.get(name) {
                    None => fails.push((
                        param.key_span,
                        ConfigErrorKind::UnknownPolicyParameter {
                            name: name.clone(),
                            policy: id.clone(),
                            known: policy.info.parameters.keys().cloned().collect(),
                        },
                    )),
                    Some(default) => fails.extend(check_param(name, param, default)),
                }
            }
        }
        for (rule, ids) in self.suppressions.iter().zip(&self.suppression_ids) {
            for ((id, span), pattern) in ids.iter().zip(&rule.policies) {
                if !policies.iter().any(|p| pattern.matches(&p.info.id)) {
                    let kind = if pattern.is_literal() {
                        ConfigErrorKind::UnknownPolicy { id: id.clone() }
                    } else {
                        ConfigErrorKind::UnmatchedPolicyPattern { id: id.clone() }
                    };
                    fails.push((*span, kind));
                }
            }
        }
        if fails.is_empty() {
            return Ok(());
        }
        fails.sort_by_key(|(span, _)| span.start);
        Err(fails
            .into_iter()
            .map(|(span, kind)| ConfigError {
                file: source.clone(),
                span,
                kind,
            })
            .collect())
    }

    /// `base` (from `--select`/`--ignore`) with the config's parameters, policy
    /// switches and severities, and `frameworks` (the command line's when given,
    /// else the config's).
    pub fn apply(&self, mut base: Selection, frameworks: &[String]) -> Selection {
        let mut global = self.settings.explicit.clone();
        global.remove("fail_on_unknown");
        global.extend(
            self.parameters
                .iter()
                .map(|(k, p)| (k.clone(), p.value.clone())),
        );
        base.parameters.extend(global);
        for (id, policy) in &self.policies {
            base.overrides.insert(
                id.clone(),
                PolicyOverride {
                    // `--select ID` runs a policy the config disables.
                    enabled: policy.enabled.filter(|_| !base.select.contains(id)),
                    severity: policy.severity,
                    parameters: policy
                        .parameters
                        .iter()
                        .map(|(k, p)| (k.clone(), p.value.clone()))
                        .collect(),
                },
            );
        }
        let chosen = if frameworks.is_empty() {
            &self.frameworks
        } else {
            frameworks
        };
        base.frameworks = chosen.iter().cloned().collect::<BTreeSet<_>>();
        base
    }
}

/// An override must have its default's JSON type (any number for a number); a
/// string parameter named `…regex` must compile.
fn check_param(name: &str, param: &Param, default: &serde_json::Value) -> Option<Fail> {
    use serde_json::Value as J;
    let kind = |v: &J| match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "a mapping",
    };
    if !default.is_null() && kind(default) != kind(&param.value) {
        return Some((
            param.value_span,
            ConfigErrorKind::ParameterType {
                name: name.to_owned(),
                expected: kind(default),
                found: kind(&param.value),
            },
        ));
    }
    if let (J::Array(defaults), J::Array(items)) = (default, &param.value) {
        if let Some(first) = defaults.first() {
            if let Some(bad) = items.iter().find(|i| kind(i) != kind(first)) {
                return Some((
                    param.value_span,
                    ConfigErrorKind::ParameterType {
                        name: name.to_owned(),
                        expected: match kind(first) {
                            "a string" => "a list of strings",
                            "a number" => "a list of numbers",
                            "a boolean" => "a list of booleans",
                            _ => "a list like its default",
                        },
                        found: match kind(bad) {
                            "a string" => "a list holding a string",
                            "a number" => "a list holding a number",
                            "a boolean" => "a list holding a boolean",
                            _ => "a list holding another type",
                        },
                    },
                ));
            }
        }
    }
    if let (true, J::String(pattern)) = (name.ends_with("regex"), &param.value) {
        if let Err(e) = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
        {
            return Some((
                param.value_span,
                ConfigErrorKind::ParameterRegex {
                    name: name.to_owned(),
                    message: e.to_string(),
                },
            ));
        }
    }
    None
}

/// A mapping's fields, checked against the names allowed there.
struct Fields<'n> {
    node: &'n Node,
    entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    fn new(node: &'n Node, what: &str, allowed: &[&str]) -> Result<Fields<'n>, Fail> {
        let entries = object(node, what)?;
        if let Some(unknown) = entries.iter().find(|e| !allowed.contains(&e.key.as_str())) {
            return Err((
                unknown.key_span,
                ConfigErrorKind::UnknownField {
                    field: unknown.key.clone(),
                    allowed: allowed.join(", "),
                },
            ));
        }
        Ok(Fields { node, entries })
    }

    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    fn required(&self, key: &'static str) -> Result<&'n Node, Fail> {
        self.get(key)
            .ok_or((self.node.span, ConfigErrorKind::MissingField { field: key }))
    }
}

fn object<'n>(node: &'n Node, what: &str) -> Result<&'n [Entry], Fail> {
    node.as_object()
        .ok_or_else(|| wrong_type(node, what, "a mapping"))
}

fn wrong_type(node: &Node, what: &str, expected: &'static str) -> Fail {
    (
        node.span,
        ConfigErrorKind::WrongType {
            field: what.to_owned(),
            expected,
            found: node.type_name(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, (usize, usize, ConfigErrorKind)> {
        let source = Arc::new(SourceFile::new(
            ".lexguard.yaml",
            text.to_owned(),
            Encoding::Utf8,
        ));
        parse_source(source.clone()).map_err(|e| {
            let region = source.region(e.span);
            (region.start.line, region.start.column, e.kind)
        })
    }

    #[test]
    fn reads_every_section() {
        let config = parse(
            "version: 1\nsettings:\n  account_id: 111122223333\n  fail_on_unknown: true\n\
             parameters:\n  max_idle_ttl_seconds: 600\npolicies:\n  LEX005:\n    severity: high\n    enabled: true\n\
             frameworks: [pci-dss, hipaa]\n",
        )
        .unwrap();
        assert_eq!(config.settings.account_id.as_deref(), Some("111122223333"));
        assert!(config.settings.fail_on_unknown);
        assert_eq!(config.settings.partition, "aws");
        assert_eq!(config.parameters["max_idle_ttl_seconds"].value, 600);
        assert_eq!(config.policies["LEX005"].severity, Some(Severity::High));
        assert_eq!(config.frameworks, ["pci-dss", "hipaa"]);
    }

    #[test]
    fn errors_point_at_their_place() {
        let (line, col, kind) = parse("version: 1\nsetings: {}\n").unwrap_err();
        assert_eq!((line, col), (2, 1));
        assert!(matches!(kind, ConfigErrorKind::UnknownField { .. }));
        let (line, col, _) =
            parse("version: 1\nsettings:\n  fail_on_unknown: maybe\n").unwrap_err();
        assert_eq!((line, col), (3, 20));
        let (line, col, kind) = parse("version: 2\n").unwrap_err();
        assert_eq!((line, col), (1, 10));
        assert!(matches!(kind, ConfigErrorKind::UnsupportedVersion { .. }));
        let (line, col, _) = parse("version: 1\nframeworks: [hipaa, gdpr]\n").unwrap_err();
        assert_eq!((line, col), (2, 21));
        let (line, _, kind) = parse("settings: {}\n").unwrap_err();
        assert_eq!(line, 1);
        assert_eq!(kind, ConfigErrorKind::MissingField { field: "version" });
    }

    #[test]
    fn found_upward_until_a_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "version: 1\n").unwrap();
        assert_eq!(find(&nested), Some(dir.path().join(FILE_NAME)));
        std::fs::create_dir(dir.path().join("a/.git")).unwrap();
        assert_eq!(find(&nested), None);
    }
}
