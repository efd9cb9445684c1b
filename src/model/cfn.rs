//! CloudFormation templates: `Resources` entries become resources.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Mode, Resolver, Resource};
use crate::node::Node;

pub(super) fn build(
    root: &Node,
    environment: super::Environment,
) -> (Vec<Resource<'_>>, Resolver<'_>) {
    let mut resources = Vec::new();
    let mut types = HashMap::new();
    if let Some(entries) = root.get("Resources").and_then(Node::as_object) {
        resources.reserve(entries.len());
        for entry in entries {
            // A resource that is not an object, or has no string `Type`, is a template
            // error for cfn-lint to report; it has nothing for policies to read.
            let Some(resource_type) = entry.value.get("Type").and_then(Node::as_str) else {
                continue;
            };
            types.insert(entry.key.as_str(), resource_type);
            let properties = entry.value.entry("Properties");
            resources.push(Resource {
                id: entry.key.clone(),
                resource_type: resource_type.to_owned(),
                mode: Mode::Managed,
                key_span: entry.key_span,
                properties: properties.map(|p| Cow::Borrowed(&p.value)),
                properties_key_span: properties.map_or(entry.key_span, |p| p.key_span),
                path_prefix: "Properties",
                source: None,
            });
        }
    }
    let parameters = root
        .get("Parameters")
        .and_then(Node::as_object)
        .map(|params| {
            params
                .iter()
                .map(|p| (p.key.as_str(), p.value.get("Default")))
                .collect()
        })
        .unwrap_or_default();
    let mappings = root.get("Mappings");
    (
        resources,
        Resolver::CloudFormation {
            parameters,
            resource_types: types,
            mappings,
            environment,
        },
    )
}
