//! Suppressions: findings a team has reviewed and accepted, written in the
//! template itself or in `.lexguard.yaml`.
//!
//! - CloudFormation: `Metadata: {lexguard: {suppress: [{id, reason, expires}]}}`
//!   on a resource, or at the template's top level for the whole file.
//! - `.tf.json`: a `"//"` comment in a resource body (or at the top level, for the
//!   whole file) holding `lexguard:suppress LEX003[,LEX004] [expires=YYYY-MM-DD] reason`.
//! - Any input: `suppress:` entries in the configuration, by policy ID and
//!   resource (logical ID or Terraform address) or file, with wildcards.
//!
//! A suppressed finding stays in the report (SARIF `suppressions`, JSON
//! `suppression`) but never changes the exit code. A suppression without a
//! reason is warned about; one past its expiry date no longer applies.

use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::finding::{
    Finding, Suppression, SuppressionKind, Warning, WarningKind, WarningLocation,
};
use crate::model::{Dialect, Model};
use crate::node::{Node, Value};
use crate::source::{SharedSource, Span};

/// One suppression, from any of its sources.
#[derive(Debug, Clone)]
pub struct SuppressionRule {
    pub kind: SuppressionKind,
    /// Policy IDs, or patterns with `*` and `?` (configuration only).
    pub policies: Vec<Pattern>,
    pub scope: Scope,
    pub reason: Option<String>,
    /// The last day it applies (inclusive).
    pub expires: Option<Date>,
    /// Where it is written, for warnings.
    pub source: SharedSource,
    pub span: Span,
}

/// What a suppression covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every resource of the file it is written in.
    File,
    /// One resource of the file it is written in, by logical ID or address.
    Resource(String),
    /// Findings inside a block or attribute of the file it is written in (a
    /// `.tf` comment on the line before it); `name` says what, for messages.
    Block { span: Span, name: String },
    /// Configuration entries: resources whose ID matches `resource` (all when
    /// `None`) in files matching `path` (all when `None`).
    Matching {
        resource: Option<Pattern>,
        path: Option<PathPattern>,
    },
}

/// A configuration `path` glob, relative to the configuration file's folder.
#[derive(Debug, Clone)]
pub struct PathPattern {
    pub glob: globset::GlobMatcher,
    pub base: PathBuf,
}

impl PathPattern {
    fn matches(&self, path: &Path) -> bool {
        let absolute = normalise(path);
        match absolute.strip_prefix(&self.base) {
            Ok(relative) => self.glob.is_match(relative),
            Err(_) => false,
        }
    }
}

/// An absolute path with `.` and `..` resolved lexically (no file system access,
/// so symlinks are taken as written).
pub fn normalise(path: &Path) -> PathBuf {
    let joined;
    let path = if path.is_absolute() {
        path
    } else {
        // Asked once per process: shard assignment and path suppressions call
        // this for every file.
        static CWD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        joined = CWD
            .get_or_init(|| std::env::current_dir().unwrap_or_default())
            .join(path);
        &joined
    };
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A wildcard pattern: `*` matches any run of characters, `?` one character;
/// everything else, `[` and `"` of Terraform instance keys included, is literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    case_insensitive: bool,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.to_owned(),
            case_insensitive: false,
        }
    }

    /// Policy IDs match in any case (`lex003` is `LEX003`).
    pub fn policy(text: &str) -> Pattern {
        Pattern {
            text: text.to_ascii_uppercase(),
            case_insensitive: true,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_literal(&self) -> bool {
        !self.text.contains(['*', '?'])
    }

    pub fn matches(&self, candidate: &str) -> bool {
        if self.case_insensitive {
            wildcard_match(&self.text, &candidate.to_ascii_uppercase())
        } else {
            wildcard_match(&self.text, candidate)
        }
    }
}

/// Iterative wildcard matching with single-star backtracking: linear in practice
/// and never recursive, whatever the pattern.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// A calendar date (proleptic Gregorian, UTC), for expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`, a real day of a real month.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let valid = (1..=12).contains(&date.month)
            && (1..=days_in_month(date.year, date.month)).contains(&date.day);
        if !valid {
            return None;
        }
        Some(date)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let days = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        Date::from_days(i64::try_from(days).unwrap_or(0))
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl SuppressionRule {
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|last| today > last)
    }

    fn covers(&self, finding: &Finding) -> bool {
        if !self.policies.iter().any(|p| p.matches(&finding.policy_id)) {
            return false;
        }
        let id = &finding.resource.id;
        match &self.scope {
            Scope::File => true,
            Scope::Resource(name) => id == name || strip_instance_keys(id) == *name,
            Scope::Block { span, .. } => {
                finding.source.path == self.source.path
                    && finding.span.start >= span.start
                    && finding.span.end <= span.end
            }
            Scope::Matching { resource, path } => {
                resource
                    .as_ref()
                    .is_none_or(|r| r.matches(id) || r.matches(&strip_instance_keys(id)))
                    && path
                        .as_ref()
                        .is_none_or(|p| p.matches(&finding.source.path))
            }
        }
    }

    fn suppression(&self) -> Suppression {
        Suppression {
            kind: self.kind,
            justification: self.reason.clone(),
        }
    }

    /// A warning about this rule, at the place it is written.
    pub fn warning(&self, kind: WarningKind, message: String) -> Warning {
        Warning {
            kind,
            path: self.source.path.clone(),
            location: Some(WarningLocation {
                source: self.source.clone(),
                span: self.span,
                region: self.source.region(self.span),
            }),
            message,
        }
    }

    /// What it suppresses, for messages: `LEX003 on ClaimsBot`.
    pub fn describe(&self) -> String {
        let ids: Vec<&str> = self.policies.iter().map(Pattern::as_str).collect();
        let ids = ids.join(", ");
        match &self.scope {
            Scope::File => format!("{ids} in this file"),
            Scope::Resource(name) | Scope::Block { name, .. } => format!("{ids} on {name}"),
            Scope::Matching { resource, path } => {
                let mut out = ids;
                if let Some(r) = resource {
                    out.push_str(&format!(" on {}", r.as_str()));
                }
                if let Some(p) = path {
                    out.push_str(&format!(" in {}", p.glob.glob()));
                }
                out
            }
        }
    }

    /// Warnings that hold whatever the findings: a missing reason, an expiry past.
    pub fn standing_warnings(&self, today: Date) -> Vec<Warning> {
        let mut out = Vec::new();
        if self.reason.is_none() {
            out.push(self.warning(
                WarningKind::SuppressionWithoutReason,
                format!(
                    "suppression of {} has no reason; say why the finding is accepted",
                    self.describe()
                ),
            ));
        }
        if let Some(last) = self.expires.filter(|_| self.is_expired(today)) {
            out.push(self.warning(
                WarningKind::SuppressionExpired,
                format!(
                    "suppression of {} expired on {last} and no longer applies",
                    self.describe()
                ),
            ));
        }
        out
    }
}

fn strip_instance_keys(id: &str) -> String {
    crate::model::strip_instance_keys(id)
}

/// Marks every finding that a live rule covers, trying `inline` before
/// `external`; returns which rules of each list covered at least one finding.
pub fn apply(
    findings: &mut [Finding],
    inline: &[SuppressionRule],
    external: &[SuppressionRule],
    today: Date,
) -> (Vec<bool>, Vec<bool>) {
    let mut used_inline = vec![false; inline.len()];
    let mut used_external = vec![false; external.len()];
    for finding in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        let hit = first_cover(inline, finding, today)
            .map(|i| (&mut used_inline, i, inline))
            .or_else(|| {
                first_cover(external, finding, today).map(|i| (&mut used_external, i, external))
            });
        if let Some((used, i, rules)) = hit {
            if let (Some(flag), Some(rule)) = (used.get_mut(i), rules.get(i)) {
                *flag = true;
                finding.suppression = Some(rule.suppression());
            }
        }
    }
    (used_inline, used_external)
}

fn first_cover(rules: &[SuppressionRule], finding: &Finding, today: Date) -> Option<usize> {
    rules
        .iter()
        .position(|r| !r.is_expired(today) && r.covers(finding))
}

/// Whether every policy a rule names ran, so that "matched nothing" means the
/// suppression is stale rather than that its policy was not selected.
pub fn policies_ran(rule: &SuppressionRule, ran: &[&str]) -> bool {
    rule.policies
        .iter()
        .all(|p| ran.iter().any(|id| p.matches(id)))
}

/// The warning for a rule that matched no finding.
pub fn unused_warning(rule: &SuppressionRule) -> Warning {
    rule.warning(
        WarningKind::UnusedSuppression,
        format!(
            "suppression of {} matched no finding; remove it",
            rule.describe()
        ),
    )
}

/// The suppressions written in a document, and warnings about the ones that
/// cannot be read. `known` holds every policy ID that could run; an ID outside
/// it is a typo worth a warning (an empty set checks nothing).
pub fn inline_rules(
    root: &Node,
    model: &Model<'_>,
    known: &std::collections::BTreeSet<String>,
) -> (Vec<SuppressionRule>, Vec<Warning>) {
    let mut reader = InlineReader {
        source: &model.source,
        known,
        rules: Vec::new(),
        warnings: Vec::new(),
    };
    match model.dialect {
        Dialect::CloudFormation => {
            if let Some(metadata) = root.get("Metadata") {
                reader.cfn_metadata(metadata, Scope::File);
            }
            if let Some(resources) = root.get("Resources").and_then(Node::as_object) {
                for entry in resources {
                    if let Some(metadata) = entry.value.get("Metadata") {
                        reader.cfn_metadata(metadata, Scope::Resource(entry.key.clone()));
                    }
                }
            }
        }
        Dialect::TerraformConfig => {
            if let Some(comment) = root.get("//") {
                reader.tf_comment(comment, &Scope::File);
            }
            for resource in &model.resources {
                if let Some(comment) = resource.properties.as_deref().and_then(|p| p.get("//")) {
                    reader.tf_comment(comment, &Scope::Resource(resource.id.clone()));
                }
            }
        }
        // Plans and state keep no comments: suppress them in the configuration.
        Dialect::TerraformPlan | Dialect::TerraformState => {}
        // `.tf` comments are read by `hcl_comment_rules`.
        Dialect::TerraformHcl => {}
    }
    (reader.rules, reader.warnings)
}

/// Suppressions written as `.tf` comments: `# lexguard:ignore LEX003 reason`
/// (or `//`, or `lexguard:suppress`) on the line before a block or attribute
/// covers the findings inside it; at the end of an attribute's or block's
/// opening line it covers that item.
pub fn hcl_comment_rules(
    files: &[&crate::model::hcl::ModuleFile],
    known: &std::collections::BTreeSet<String>,
) -> (Vec<SuppressionRule>, Vec<Warning>) {
    let mut rules = Vec::new();
    let mut warnings = Vec::new();
    for module_file in files {
        let text = module_file.source.text.as_str();
        let mut reader = InlineReader {
            source: &module_file.source,
            known,
            rules: Vec::new(),
            warnings: Vec::new(),
        };
        let mut targets = Vec::new();
        hcl_targets(&module_file.file.body, &mut targets);
        for comment in &module_file.file.comments {
            let Some(directive) = text.get(comment.start()..comment.end()).and_then(directive)
            else {
                continue;
            };
            match hcl_target(text, *comment, &targets) {
                Some((span, name)) => reader.tf_directive(
                    directive,
                    *comment,
                    &Scope::Block {
                        span: *span,
                        name: name.clone(),
                    },
                ),
                None => reader.invalid(
                    *comment,
                    "`lexguard:ignore` must be on the line before a block or attribute".to_owned(),
                ),
            }
        }
        rules.append(&mut reader.rules);
        warnings.append(&mut reader.warnings);
    }
    (rules, warnings)
}

/// Every block and attribute of a body, outermost first, with a name for messages.
fn hcl_targets(body: &crate::parse::hcl::Body, out: &mut Vec<(Span, String)>) {
    use crate::parse::hcl::Item;
    for item in &body.items {
        match item {
            Item::Attribute(a) => out.push((a.span, format!("`{}`", a.name.text))),
            Item::Block(b) => {
                let name = match (b.name.text.as_str(), b.labels.as_slice()) {
                    ("resource", [kind, name]) => format!("{}.{}", kind.text, name.text),
                    ("data", [kind, name]) => format!("data.{}.{}", kind.text, name.text),
                    _ => format!("the `{}` block", b.name.text),
                };
                out.push((b.span, name));
                hcl_targets(&b.body, out);
            }
        }
    }
}

/// The item a directive comment belongs to.
fn hcl_target<'t>(
    text: &str,
    comment: Span,
    targets: &'t [(Span, String)],
) -> Option<&'t (Span, String)> {
    let line_start = text
        .get(..comment.start())
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let own_line = text
        .get(line_start..comment.start())
        .is_some_and(|before| before.trim().is_empty());
    if !own_line {
        // A trailing comment: the innermost item whose first line it ends.
        return targets
            .iter()
            .rfind(|(span, _)| span.start() >= line_start && span.start() < comment.start());
    }
    let next = targets
        .iter()
        .find(|(span, _)| span.start() >= comment.end())?;
    // Only more comment lines may stand between: no blank line, no code.
    let between = text.get(comment.end()..next.0.start())?;
    let lines: Vec<&str> = between.split('\n').collect();
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return None;
    };
    let middle = lines.get(1..lines.len().saturating_sub(1)).unwrap_or(&[]);
    (lines.len() >= 2
        && first.trim().is_empty()
        && last.trim().is_empty()
        && middle.iter().all(|line| {
            let line = line.trim();
            line.starts_with('#') || line.starts_with("//")
        }))
    .then_some(next)
}

struct InlineReader<'a> {
    source: &'a SharedSource,
    known: &'a std::collections::BTreeSet<String>,
    rules: Vec<SuppressionRule>,
    warnings: Vec<Warning>,
}

const CFN_FIELDS: [&str; 3] = ["id", "reason", "expires"];

impl InlineReader<'_> {
    fn invalid(&mut self, span: Span, message: String) {
        self.warnings.push(Warning {
            kind: WarningKind::InvalidSuppression,
            path: self.source.path.clone(),
            location: Some(WarningLocation {
                source: self.source.clone(),
                span,
                region: self.source.region(span),
            }),
            message,
        });
    }

    /// `Metadata.lexguard.suppress`; other metadata belongs to other tools.
    fn cfn_metadata(&mut self, metadata: &Node, scope: Scope) {
        let Some(lexguard) = metadata.get("lexguard") else {
            return;
        };
        let Some(suppress) = lexguard.get("suppress") else {
            self.invalid(
                lexguard.span,
                "`Metadata.lexguard` must be a mapping with a `suppress` list".to_owned(),
            );
            return;
        };
        let Some(items) = suppress.as_array() else {
            self.invalid(
                suppress.span,
                format!(
                    "`suppress` must be a list of {{id, reason}} entries, found {}",
                    suppress.type_name()
                ),
            );
            return;
        };
        for item in items {
            self.cfn_entry(item, &scope);
        }
    }

    fn cfn_entry(&mut self, item: &Node, scope: &Scope) {
        // A bare ID is allowed, and warned about for its missing reason.
        let (id_node, reason, expires) = match &item.value {
            Value::String(_) => (item, None, None),
            Value::Object(entries) => {
                if let Some(unknown) = entries
                    .iter()
                    .find(|e| !CFN_FIELDS.contains(&e.key.as_str()))
                {
                    self.invalid(
                        unknown.key_span,
                        format!(
                            "unknown suppression field `{}`; expected one of: {}",
                            unknown.key,
                            CFN_FIELDS.join(", ")
                        ),
                    );
                    return;
                }
                let Some(id) = item.get("id") else {
                    self.invalid(item.span, "suppression needs an `id`".to_owned());
                    return;
                };
                (id, item.get("reason"), item.get("expires"))
            }
            _ => {
                self.invalid(
                    item.span,
                    format!(
                        "a suppression must be a mapping with `id` and `reason`, found {}",
                        item.type_name()
                    ),
                );
                return;
            }
        };
        let ids: Vec<&Node> = match id_node.as_array() {
            Some(list) => list.iter().collect(),
            None => vec![id_node],
        };
        let mut policies = Vec::new();
        for id in ids {
            let Some(text) = id.as_str() else {
                self.invalid(
                    id.span,
                    format!("`id` must be a policy ID, found {}", id.type_name()),
                );
                return;
            };
            let Some(pattern) = self.policy_id(text, id.span) else {
                return;
            };
            policies.push(pattern);
        }
        let reason = match reason {
            None
            | Some(Node {
                value: Value::Null, ..
            }) => None,
            Some(node) => match node.as_str() {
                Some(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
                None => {
                    self.invalid(node.span, "`reason` must be a string".to_owned());
                    return;
                }
            },
        };
        let expires = match expires {
            None => None,
            Some(node) => match node.as_str().and_then(Date::parse) {
                Some(date) => Some(date),
                None => {
                    self.invalid(
                        node.span,
                        "`expires` must be a date written YYYY-MM-DD".to_owned(),
                    );
                    return;
                }
            },
        };
        self.rules.push(SuppressionRule {
            kind: SuppressionKind::InSource,
            policies,
            scope: scope.clone(),
            reason,
            expires,
            source: self.source.clone(),
            span: item.span,
        });
    }

    /// A policy ID written in a template: literal, and one that exists.
    fn policy_id(&mut self, text: &str, span: Span) -> Option<Pattern> {
        let id = text.trim().to_ascii_uppercase();
        if id.is_empty() || (!self.known.is_empty() && !self.known.contains(&id)) {
            self.invalid(
                span,
                format!("unknown policy ID `{}` in suppression", text.trim()),
            );
            return None;
        }
        Some(Pattern::policy(&id))
    }

    /// A `"//"` comment: a string or a list of strings; each line that holds
    /// `lexguard:suppress` (or `lexguard:ignore`) is one suppression.
    fn tf_comment(&mut self, comment: &Node, scope: &Scope) {
        let strings: Vec<&Node> = match comment.as_array() {
            Some(items) => items.iter().collect(),
            None => vec![comment],
        };
        for node in strings {
            let Some(text) = node.as_str() else { continue };
            for line in text.lines() {
                let Some(directive) = directive(line) else {
                    continue;
                };
                self.tf_directive(directive, node.span, scope);
            }
        }
    }

    fn tf_directive(&mut self, directive: &str, span: Span, scope: &Scope) {
        let mut rest = directive.trim_start();
        let ids_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (ids, after) = rest.split_at(ids_end);
        rest = after.trim_start();
        if ids.is_empty() {
            self.invalid(
                span,
                "`lexguard:suppress` needs a policy ID, e.g. `lexguard:suppress LEX003 reason`"
                    .to_owned(),
            );
            return;
        }
        let mut policies = Vec::new();
        for id in ids.split(',').filter(|s| !s.is_empty()) {
            let Some(pattern) = self.policy_id(id, span) else {
                return;
            };
            policies.push(pattern);
        }
        let mut expires = None;
        if let Some(after) = rest.strip_prefix("expires=") {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            let (date, after) = after.split_at(end);
            match Date::parse(date) {
                Some(date) => expires = Some(date),
                None => {
                    self.invalid(
                        span,
                        format!("`expires={date}` must be a date written YYYY-MM-DD"),
                    );
                    return;
                }
            }
            rest = after.trim_start();
        }
        // Allow `LEX003 -- reason` and `LEX003: reason`.
        let reason = rest.trim_start_matches(['-', ':', '—']).trim().to_owned();
        self.rules.push(SuppressionRule {
            kind: SuppressionKind::InSource,
            policies,
            scope: scope.clone(),
            reason: Some(reason).filter(|r| !r.is_empty()),
            expires,
            source: self.source.clone(),
            span,
        });
    }
}

/// The text after a `lexguard:suppress` or `lexguard:ignore` marker.
pub fn directive(line: &str) -> Option<&str> {
    ["lexguard:suppress", "lexguard:ignore"]
        .iter()
        .find_map(|marker| line.find(marker).map(|at| at + marker.len()))
        .and_then(|at| line.get(at..))
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("aws_lex_bot.*", "aws_lex_bot.main"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("module.*.aws_x.y", "module.a.aws_x.y"));
        assert!(!wildcard_match("Bot", "BotAlias"));
        assert!(wildcard_match("x[\"a\"]", "x[\"a\"]"));
        assert!(Pattern::policy("lex00*").matches("LEX003"));
    }

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("23-01-01"), None);
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(19_723).to_string(), "2024-01-01");
        assert_eq!(Date::from_days(20_513).to_string(), "2026-03-01");
    }

    #[test]
    fn directives() {
        assert_eq!(directive("lexguard:suppress LEX003 ok"), Some(" LEX003 ok"));
        assert_eq!(directive("x lexguard:ignore LEX003"), Some(" LEX003"));
        assert_eq!(directive("lexguard:suppressed"), None);
        assert_eq!(directive("nothing"), None);
    }
}
