//! CloudFormation templates: `Resources` entries become resources.

use std::borrow::Cow;
use std::collections::HashMap;

use super::shape::{join, Shapes};
use super::{Mode, Resolver, Resource};
use crate::node::Node;

pub(super) fn build<'d>(
    root: &'d Node,
    environment: super::Environment,
    shapes: &mut Shapes,
) -> (Vec<Resource<'d>>, Resolver<'d>) {
    let mut resources = Vec::new();
    let mut types = HashMap::new();
    let entries = shapes.entries_at(root, "Resources", "");
    resources.reserve(entries.len());
    for entry in entries {
        let path = || join("Resources", &entry.key);
        if shapes.object(&entry.value, path).is_none() {
            continue;
        }
        let Some(resource_type) = shapes.required_str(&entry.value, "Type", entry.key_span, path)
        else {
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
