//! Strict RFC 8259 JSON parser producing spanned nodes. (Being written.)
use super::{Limits, ParseError};
use crate::node::Node;

/// Parses one JSON text.
pub fn parse(_text: &str, _limits: &Limits) -> Result<Node, ParseError> {
    todo!()
}
