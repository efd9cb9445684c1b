//! Terraform JSON configuration (`*.tf.json`): `resource` and `data` blocks.
//!
//! At each label level a value may be an object or an array of objects (HCL's JSON
//! syntax allows both); arrays are merged in order.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Mode, Resolver, Resource};
use crate::node::{Entry, Node};

pub(super) fn build(root: &Node) -> (Vec<Resource<'_>>, Resolver<'_>) {
    let mut resources = Vec::new();
    for (block, mode) in [("resource", Mode::Managed), ("data", Mode::Data)] {
        for type_entry in label_entries(root.get(block)) {
            for name_entry in label_entries(Some(&type_entry.value)) {
                let id = match mode {
                    Mode::Managed => format!("{}.{}", type_entry.key, name_entry.key),
                    Mode::Data => format!("data.{}.{}", type_entry.key, name_entry.key),
                };
                for body in objects(&name_entry.value) {
                    resources.push(Resource {
                        id: id.clone(),
                        resource_type: type_entry.key.clone(),
                        mode,
                        key_span: name_entry.key_span,
                        properties: Some(Cow::Borrowed(body)),
                        properties_key_span: name_entry.key_span,
                        path_prefix: "",
                        source: None,
                    });
                }
            }
        }
    }
    let mut variables = HashMap::new();
    for var in label_entries(root.get("variable")) {
        let default = objects(&var.value).find_map(|body| body.get("default"));
        variables.insert(var.key.as_str(), default);
    }
    let mut locals = HashMap::new();
    for local in label_entries(root.get("locals")) {
        locals.insert(local.key.as_str(), &local.value);
    }
    (resources, Resolver::TerraformConfig { variables, locals })
}

/// The entries of an object, or of every object in an array of objects.
fn label_entries(node: Option<&Node>) -> impl Iterator<Item = &Entry> {
    node.into_iter()
        .flat_map(objects)
        .flat_map(|n| n.as_object().unwrap_or_default())
        .filter(|e| e.key != "//")
}

/// The node itself when it is an object, or its object elements when it is an array.
fn objects(node: &Node) -> impl Iterator<Item = &Node> {
    let (single, many) = match node.as_array() {
        Some(items) => (None, items),
        None => (Some(node), &[][..]),
    };
    single
        .into_iter()
        .chain(many.iter())
        .filter(|n| n.as_object().is_some())
}
