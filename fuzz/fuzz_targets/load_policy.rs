//! Policy loading on arbitrary text: a policy file is user input too; loading it
//! must give a policy or an error at a place in the file, never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use lexguard::policy::{load, PolicyOrigin};
use lexguard::source::{Encoding, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Arc::new(SourceFile::new("fuzz.yaml", text.to_owned(), Encoding::Utf8));
    let origin = PolicyOrigin::File("fuzz.yaml".into());
    if let Err(err) = load::load(&source, origin, &BTreeMap::new()) {
        assert!(err.span.end() <= text.len());
    }
});
