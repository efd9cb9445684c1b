//! A policy's documentation and metadata: what reporters and `explain` show.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::finding::{FrameworkMap, Severity};

#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// `core` or `extended` for catalog policies; absent for user policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// What the policy checks.
    pub description: String,
    /// Why it matters.
    pub rationale: String,
    /// How to fix a finding.
    pub remediation: String,
    /// A template fragment that fails the policy, and the same fragment fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_fail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_fix: Option<String>,
    pub frameworks: FrameworkMap,
    /// Every resource type any of its checks reads, in policy order.
    pub resource_types: Vec<String>,
    /// Parameter names and their effective values.
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// What each parameter means, from the policy file.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameter_descriptions: BTreeMap<String, String>,
    #[serde(skip)]
    pub origin: PolicyOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PolicyOrigin {
    #[default]
    Builtin,
    File(PathBuf),
}

/// Documentation URL base for built-in policies.
pub const DOCS_URL: &str = "https://github.com/lexguard/lexguard/blob/main/docs/policies.md";

impl PolicyInfo {
    /// Anchor URL of the policy's section in the generated policy documentation.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_URL}#{}", self.id.to_ascii_lowercase())
    }

    /// The policy's full documentation as Markdown, clippy-style: what it checks,
    /// why it matters, a failing example, the fix, then parameters and controls.
    pub fn help_markdown(&self) -> String {
        let mut out = format!(
            "## {} — {}\n\nSeverity: **{}**",
            self.id, self.title, self.severity
        );
        if let Some(tier) = &self.tier {
            out.push_str(&format!(" · Tier: {tier}"));
        }
        out.push_str(&format!(
            "\n\nResource types: {}\n\n### What it checks\n\n{}\n\n### Why it matters\n\n{}\n",
            self.resource_types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            self.description.trim(),
            self.rationale.trim()
        ));
        if let Some(example) = &self.example_fail {
            out.push_str(&format!(
                "\n### Example\n\n```yaml\n{}\n```\n",
                example.trim_end()
            ));
        }
        out.push_str(&format!("\n### Fix\n\n{}\n", self.remediation.trim()));
        if let Some(fix) = &self.example_fix {
            out.push_str(&format!("\n```yaml\n{}\n```\n", fix.trim_end()));
        }
        if !self.parameters.is_empty() {
            out.push_str("\n### Parameters\n\n");
            for (name, value) in &self.parameters {
                // The value shown is the effective one: the default, or the
                // configuration's override.
                match self.parameter_descriptions.get(name) {
                    Some(what) => {
                        out.push_str(&format!("- `{name}` (`{value}`): {}\n", what.trim()))
                    }
                    None => out.push_str(&format!("- `{name}` (`{value}`)\n")),
                }
            }
        }
        if !self.frameworks.is_empty() {
            out.push_str("\n### Controls\n\n");
            for (framework, controls) in &self.frameworks {
                let controls = if controls.is_empty() {
                    "— (no control)".to_owned()
                } else {
                    controls.join(", ")
                };
                out.push_str(&format!("- {framework}: {controls}\n"));
            }
        }
        out
    }
}

/// The policy reference (`docs/policies.md`): an index table, then every policy's
/// documentation, generated from the policy files so it cannot drift from them.
pub fn catalog_markdown<'a>(policies: impl IntoIterator<Item = &'a PolicyInfo>) -> String {
    let policies: Vec<&PolicyInfo> = policies.into_iter().collect();
    let mut out = String::from(
        "# lexguard policies\n\n<!-- Generated from policies/*.yaml by `LEXGUARD_BLESS=1 cargo test --test docs`; do not edit. -->\n\n\
         | ID | Title | Severity | Frameworks |\n|---|---|---|---|\n",
    );
    for p in &policies {
        let frameworks: Vec<&str> = p.frameworks.keys().map(String::as_str).collect();
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            p.id,
            p.id.to_ascii_lowercase(),
            p.title.replace('|', "\\|"),
            p.severity,
            frameworks.join(", ")
        ));
    }
    for p in &policies {
        // An explicit anchor, so `help_uri` (`#lex002`) lands on the section.
        out.push_str(&format!(
            "\n<a id=\"{}\"></a>\n\n",
            p.id.to_ascii_lowercase()
        ));
        out.push_str(&p.help_markdown());
    }
    out
}
