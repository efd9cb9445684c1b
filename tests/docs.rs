//! `docs/policies.md` is generated from the policy files; this test fails when it
//! is stale. Regenerate with `LEXGUARD_BLESS=1 cargo test --test docs`.

use std::path::Path;

use lexguard::policy::info::catalog_markdown;
use lexguard::policy::{load_policies, Selection};

#[test]
fn policy_reference_is_up_to_date() {
    let policies = load_policies(&[], &Selection::default()).expect("built-in policies load");
    let expected = catalog_markdown(policies.iter().map(|p| &*p.info));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policies.md");
    if std::env::var_os("LEXGUARD_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/policies.md");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/policies.md is stale: run `LEXGUARD_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn every_policy_documents_what_why_and_fix() {
    let policies = load_policies(&[], &Selection::default()).expect("built-in policies load");
    for p in &policies {
        let info = &p.info;
        assert!(
            !info.description.trim().is_empty(),
            "{}: description",
            info.id
        );
        assert!(!info.rationale.trim().is_empty(), "{}: rationale", info.id);
        assert!(
            !info.remediation.trim().is_empty(),
            "{}: remediation",
            info.id
        );
        assert!(info.example_fail.is_some(), "{}: failing example", info.id);
        assert!(info.tier.is_some(), "{}: tier", info.id);
        for framework in ["hipaa", "pci-dss", "soc2", "iso27001"] {
            assert!(
                info.frameworks.contains_key(framework),
                "{}: no {framework} mapping",
                info.id
            );
        }
    }
}
