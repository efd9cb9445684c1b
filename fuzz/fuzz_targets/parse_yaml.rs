//! The YAML parser (CloudFormation tags, aliases) on arbitrary text: never
//! panics, and every span it returns lies inside the text on character boundaries.
#![no_main]

use lexguard::parse::{yaml, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/spans.rs"]
mod spans;
use spans::{check_span, check_spans};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match yaml::parse(text, &Limits::default()) {
        Ok(root) => check_spans(text, &root),
        Err(err) => check_span(text, err.span),
    }
});
