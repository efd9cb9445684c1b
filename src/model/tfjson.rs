//! Terraform JSON configuration (`*.tf.json`): `resource` and `data` blocks.
//!
//! At each label level a value may be an object or an array of objects (HCL's JSON
//! syntax allows both); arrays are merged in order. Any other value is a model error.

use std::borrow::Cow;
use std::collections::HashMap;

use super::shape::{join, Shapes};
use super::{Mode, Resolver, Resource};
use crate::node::{Entry, Node, Value};

pub(super) fn build<'d>(root: &'d Node, shapes: &mut Shapes) -> (Vec<Resource<'d>>, Resolver<'d>) {
    let mut resources = Vec::new();
    for (block, mode) in [("resource", Mode::Managed), ("data", Mode::Data)] {
        for type_entry in labels(root.get(block), &|| block.to_owned(), shapes) {
            let type_path = join(block, &type_entry.key);
            for name_entry in labels(Some(&type_entry.value), &|| type_path.clone(), shapes) {
                let id = match mode {
                    Mode::Managed => format!("{}.{}", type_entry.key, name_entry.key),
                    Mode::Data => format!("data.{}.{}", type_entry.key, name_entry.key),
                };
                let name_path = || join(&type_path, &name_entry.key);
                for body in objects(&name_entry.value, &name_path, shapes) {
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
    for var in labels(root.get("variable"), &|| "variable".to_owned(), shapes) {
        let path = || join("variable", &var.key);
        let default = objects(&var.value, &path, shapes)
            .into_iter()
            .find_map(|body| body.get("default"));
        variables.insert(var.key.as_str(), default);
    }
    let mut locals = HashMap::new();
    for local in labels(root.get("locals"), &|| "locals".to_owned(), shapes) {
        locals.insert(local.key.as_str(), &local.value);
    }
    (resources, Resolver::TerraformConfig { variables, locals })
}

/// The entries (but `//` comments) of the objects `node` holds; `path` names `node`.
fn labels<'n>(
    node: Option<&'n Node>,
    path: &dyn Fn() -> String,
    shapes: &mut Shapes,
) -> Vec<&'n Entry> {
    node.map(|node| objects(node, path, shapes))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|n| n.as_object().unwrap_or_default())
        .filter(|e| e.key != "//")
        .collect()
}

/// The node itself when it is an object, or its object elements when it is an
/// array; every other value is an error naming `path`.
fn objects<'n>(node: &'n Node, path: &dyn Fn() -> String, shapes: &mut Shapes) -> Vec<&'n Node> {
    match &node.value {
        Value::Object(_) => vec![node],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter(|(i, item)| shapes.object(item, || format!("{}[{i}]", path())).is_some())
            .map(|(_, item)| item)
            .collect(),
        _ => {
            shapes.wrong_type(node, path, "an object or an array of objects");
            Vec::new()
        }
    }
}
