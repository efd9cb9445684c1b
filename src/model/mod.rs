//! The model layer: one resource shape for every dialect.
//!
//! CloudFormation resources, `.tf.json` blocks and plan/state entries all become
//! [`Resource`]s whose `properties` is a spanned tree the engine reads with one set
//! of paths. Values that only the dialect can interpret (intrinsic functions,
//! `${…}` expressions) are interpreted lazily by the [`Resolver`].

mod cfn;
pub mod hcl;
pub mod link;
pub(crate) mod plan;
mod resolve;
mod shape;
mod tfjson;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::node::{Entry, Node, Value};
use crate::source::{SharedSource, Span};

pub use plan::strip_instance_keys;
pub use resolve::{Resolved, Resolver};
pub use shape::ModelError;

/// The kind of document a file holds, detected from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    CloudFormation,
    /// Terraform JSON configuration (`*.tf.json`).
    TerraformConfig,
    /// `terraform show -json` of a plan.
    TerraformPlan,
    /// `terraform show -json` of state.
    TerraformState,
    /// Terraform's native syntax (`*.tf`), a folder at a time.
    TerraformHcl,
}

impl Dialect {
    pub fn is_terraform(self) -> bool {
        !matches!(self, Dialect::CloudFormation)
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::CloudFormation => "cloudformation",
            Dialect::TerraformConfig => "terraform-config",
            Dialect::TerraformPlan => "terraform-plan",
            Dialect::TerraformState => "terraform-state",
            Dialect::TerraformHcl => "terraform-hcl",
        }
    }
}

/// What a deployment would fill in for CloudFormation's pseudo parameters,
/// from the configuration's settings. Unset values stay unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub partition: String,
}

impl Default for Environment {
    fn default() -> Environment {
        Environment {
            account_id: None,
            region: None,
            partition: "aws".to_owned(),
        }
    }
}

impl Environment {
    /// The value of `AWS::AccountId`, `AWS::Region` or `AWS::Partition`, when known.
    pub fn pseudo(&self, name: &str) -> Option<&str> {
        match name {
            "AWS::AccountId" => self.account_id.as_deref(),
            "AWS::Region" => self.region.as_deref(),
            "AWS::Partition" => Some(&self.partition),
            _ => None,
        }
    }
}

/// Managed resource or data source (Terraform); CloudFormation has only managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Managed,
    Data,
}

/// One resource in the uniform shape policies read.
#[derive(Debug)]
pub struct Resource<'d> {
    /// Logical ID (CloudFormation) or address with module path (Terraform; data
    /// sources start with `data.`).
    pub id: String,
    pub resource_type: String,
    pub mode: Mode,
    /// The key that names the resource: the logical ID, the `.tf.json` name key, or
    /// the plan/state entry's `"address"` key.
    pub key_span: Span,
    /// The property map (`Properties`, the `.tf.json` body, plan/state `values`).
    pub properties: Option<Cow<'d, Node>>,
    /// Where a missing property is reported: the `Properties:` key, the `.tf.json`
    /// name key or the `"values"` key; the resource key when there is no property map.
    pub properties_key_span: Span,
    /// Prefix of property paths in findings (`Properties`, `values`, or empty).
    pub path_prefix: &'static str,
    /// The file the resource is written in, when it is not the model's own (a
    /// Terraform module spans the `.tf` files of a folder and the modules it calls).
    pub source: Option<SharedSource>,
}

/// A recognised document and its resources.
#[derive(Debug)]
pub struct Model<'d> {
    pub source: SharedSource,
    pub dialect: Dialect,
    pub resources: Vec<Resource<'d>>,
    pub resolver: Resolver<'d>,
    /// Resource positions by ID without instance keys (`aws_s3_bucket.b` for
    /// `aws_s3_bucket.b[0]`), the form references name.
    pub index: HashMap<String, Vec<usize>>,
    /// Wrong shapes found while building; `resources` holds what could be read.
    pub errors: Vec<ModelError>,
}

impl Model<'_> {
    /// The file the resource at `index` is written in.
    pub fn source_of(&self, index: usize) -> &SharedSource {
        self.resources
            .get(index)
            .and_then(|r| r.source.as_ref())
            .unwrap_or(&self.source)
    }
}

/// Detects the dialect of a parsed document from its content alone.
pub fn detect(root: &Node) -> Option<Dialect> {
    let entries = root.as_object()?;
    if root.get("format_version").is_some() {
        if root.get("planned_values").is_some() || root.get("resource_changes").is_some() {
            return Some(Dialect::TerraformPlan);
        }
        if root.get("values").is_some() {
            return Some(Dialect::TerraformState);
        }
    }
    if root.get("AWSTemplateFormatVersion").is_some()
        || looks_like_cfn_resources(root)
        || only_template_sections(entries)
    {
        return Some(Dialect::CloudFormation);
    }
    let tf_keys = entries.iter().filter(|e| e.key != "//").all(|e| {
        matches!(
            e.key.as_str(),
            "resource"
                | "data"
                | "variable"
                | "module"
                | "provider"
                | "output"
                | "locals"
                | "terraform"
                | "moved"
                | "import"
                | "check"
                | "removed"
                | "ephemeral"
        )
    });
    if tf_keys && entries.iter().any(|e| e.key != "//") {
        return Some(Dialect::TerraformConfig);
    }
    None
}

fn looks_like_cfn_resources(root: &Node) -> bool {
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return false;
    };
    resources.iter().any(|e| {
        e.value
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.starts_with("AWS::") && t.matches("::").count() >= 2)
    })
}

/// `Resources` and nothing but template sections: a template whatever shape
/// `Resources` has, since CloudFormation allows no other top-level key (a YAML
/// file that merely has a `Resources` key has keys of its own).
fn only_template_sections(entries: &[Entry]) -> bool {
    const SECTIONS: [&str; 12] = [
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Rules",
        "Mappings",
        "Conditions",
        "Transform",
        "Resources",
        "Outputs",
        "Hooks",
        // AWS SAM
        "Globals",
    ];
    entries.iter().any(|e| e.key == "Resources")
        && entries.iter().all(|e| SECTIONS.contains(&e.key.as_str()))
}

/// Builds the model of a document of a known dialect.
pub fn build<'d>(
    source: SharedSource,
    root: &'d Node,
    dialect: Dialect,
    environment: &Environment,
) -> Model<'d> {
    let mut shapes = shape::Shapes::default();
    let (resources, resolver) = match dialect {
        Dialect::CloudFormation => cfn::build(root, environment.clone(), &mut shapes),
        Dialect::TerraformConfig => tfjson::build(root, &mut shapes),
        Dialect::TerraformPlan => (plan::build_plan(root, &mut shapes), Resolver::Literal),
        Dialect::TerraformState => (plan::build_state(root, &mut shapes), Resolver::Literal),
        // `.tf` files are modelled a folder at a time by `hcl::build`.
        Dialect::TerraformHcl => (Vec::new(), Resolver::Literal),
    };
    let mut model = Model::new(source, dialect, resources, resolver);
    model.errors = shapes.errors;
    model
}

impl<'d> Model<'d> {
    pub fn new(
        source: SharedSource,
        dialect: Dialect,
        resources: Vec<Resource<'d>>,
        resolver: Resolver<'d>,
    ) -> Model<'d> {
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, resource) in resources.iter().enumerate() {
            index
                .entry(plan::strip_instance_keys(&resource.id))
                .or_default()
                .push(i);
        }
        Model {
            source,
            dialect,
            resources,
            resolver,
            index,
            errors: Vec::new(),
        }
    }
}

/// Whether a node is an object with one key that is a CloudFormation intrinsic.
pub(crate) fn as_intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.value {
        Value::Object(entries) if entries.len() == 1 => {
            let entry = entries.first()?;
            let name = entry.key.as_str();
            (name == "Ref" || name.starts_with("Fn::") || name == "Condition")
                .then_some((name, &entry.value))
        }
        _ => None,
    }
}
