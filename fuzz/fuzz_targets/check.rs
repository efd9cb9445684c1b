//! A whole check (decode, parse, model, every built-in policy) on arbitrary
//! bytes: never panics, and every finding and error lies inside the file, on
//! character boundaries, at the line and column it reports.
#![no_main]

use std::sync::OnceLock;

use lexguard::engine::check_source;
use lexguard::parse::Limits;
use lexguard::policy::{load_policies, Policy, Selection};
use lexguard::source::SourceFile;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/spans.rs"]
mod spans;

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| match load_policies(&[], &Selection::default()) {
        Ok(policies) => policies,
        Err(errors) => panic!("built-in policies do not load: {errors:?}"),
    })
}

fuzz_target!(|data: &[u8]| {
    // A `.tf` name in a folder that does not exist, so `module` sources in
    // the input resolve to nothing on this machine.
    for name in ["fuzz.yaml", "fuzz.json", "/nonexistent-lexguard-fuzz/fuzz.tf"] {
        let Ok(source) = SourceFile::decode(name, data.to_vec()) else {
            return;
        };
        let file = SourceFile::new(name, source.text.clone(), source.encoding);
        match check_source(source, policies(), &Limits::default()) {
            Ok(findings) => spans::check_findings(&file, &findings),
            Err(err) => {
                if let Some((_, span)) = err.location() {
                    spans::check_span(&file.text, span);
                }
            }
        }
    }
});
