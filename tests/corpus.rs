//! The shared corpus of real templates, plans and state: everything loads, and the
//! findings on real Lex templates are pinned by a reviewed snapshot.

use std::path::{Path, PathBuf};

use lexguard::engine::check_source;
use lexguard::model;
use lexguard::parse::{self, Limits};
use lexguard::policy::{load_policies, Selection};
use lexguard::source::SourceFile;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Templates and Terraform JSON in the corpus.
fn inputs() -> Vec<PathBuf> {
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    all.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        (name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml"))
            && !name.ends_with(".tsv")
    });
    all
}

#[test]
fn every_corpus_file_parses_and_is_recognised() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 40,
        "corpus went missing: {} files",
        inputs.len()
    );
    let mut failures = Vec::new();
    for path in &inputs {
        let bytes = std::fs::read(path).unwrap();
        let source = match SourceFile::decode(path, bytes) {
            Ok(source) => source,
            Err(err) => {
                failures.push(format!("{}: {err}", path.display()));
                continue;
            }
        };
        match parse::parse(&source, &Limits::default()) {
            Ok((_, root)) => {
                if model::detect(&root).is_none() {
                    failures.push(format!("{}: not recognised", path.display()));
                }
            }
            Err(err) => failures.push(format!("{}: {err}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_utf16_plan_is_decoded() {
    let path = corpus().join(
        "terraform-json/bridgecrewio__checkov/tests__terraform__parser__resources__plan_encodings__tfplan_win_utf16.json",
    );
    let source = SourceFile::decode(&path, std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(source.encoding, lexguard::source::Encoding::Utf16Le);
    let (_, root) = parse::parse(&source, &Limits::default()).unwrap();
    assert_eq!(model::detect(&root), Some(model::Dialect::TerraformPlan));
}

/// One line per finding, relative to the corpus: reviewed by hand, see the
/// snapshot file for the judgement of each.
#[test]
fn findings_on_real_templates() {
    insta::assert_snapshot!(finding_lines(inputs()));
}

/// The findings of each file of `../shared/corpus/real` among `paths`, linted
/// on its own, one sorted line each.
fn finding_lines(paths: Vec<PathBuf>) -> String {
    let policies = load_policies(&[], &Selection::default()).unwrap();
    let real = corpus().join("real");
    let mut lines = Vec::new();
    for path in paths.into_iter().filter(|p| p.starts_with(&real)) {
        let source = SourceFile::decode(&path, std::fs::read(&path).unwrap()).unwrap();
        let findings = check_source(source, &policies, &Limits::default()).unwrap();
        let rel = path
            .strip_prefix(&real)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for f in findings {
            lines.push(format!(
                "{rel}:{}:{} {} {:?} {} {}: {}",
                f.region.start.line,
                f.region.start.column,
                f.policy_id,
                f.status,
                f.resource.id,
                f.property_path,
                f.message
            ));
        }
    }
    lines.sort();
    lines.join("\n")
}

/// Terraform HCL files in the corpus.
fn tf_inputs() -> Vec<PathBuf> {
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    all.retain(|p| p.extension().is_some_and(|e| e == "tf"));
    all
}

#[test]
fn every_corpus_tf_file_parses_and_models_without_error() {
    let inputs = tf_inputs();
    assert!(
        inputs.len() >= 6,
        "corpus .tf files went missing: {inputs:?}"
    );
    let policies = load_policies(&[], &Selection::default()).unwrap();
    let mut failures = Vec::new();
    for path in &inputs {
        let source = SourceFile::decode(path, std::fs::read(path).unwrap()).unwrap();
        if let Err(err) = parse::hcl::parse(&source.text, &Limits::default()) {
            failures.push(format!("{}: {err} at {:?}", path.display(), err.span));
            continue;
        }
        if let Err(err) = check_source(source, &policies, &Limits::default()) {
            failures.push(format!("{}: {err}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The findings on real `.tf` files, one line each, reviewed by hand (the
/// snapshot's header says how each was judged). The corpus flattens files
/// that came from different folders, so each is linted on its own.
#[test]
fn findings_on_real_terraform_hcl() {
    insta::assert_snapshot!(finding_lines(tf_inputs()));
}
