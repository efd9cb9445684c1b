//! Per-stage micro-benchmarks: spanned parsing (JSON, YAML), model building and
//! policy evaluation, each over the real templates in `../shared/corpus/real`
//! and the bundled examples, so a regression shows up in the stage that caused it.
//!
//! Run with `cargo bench --bench stages`; whole-process comparisons with other
//! tools are in `bench/compare.sh`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use lexguard::model::{self, Environment};
use lexguard::node::Node;
use lexguard::parse::{self, Limits, Syntax};
use lexguard::policy::{self, eval::evaluate_model, Selection};
use lexguard::source::{SharedSource, SourceFile};

/// Every JSON and YAML template below `dirs` that lexguard recognises.
fn templates(dirs: &[PathBuf]) -> Vec<SharedSource> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml" | "template")
            ) {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let Ok(source) = SourceFile::decode(&path, bytes) else {
                    continue;
                };
                let recognised = parse::parse(&source, &Limits::default())
                    .ok()
                    .and_then(|(_, root)| model::detect(&root))
                    .is_some();
                if recognised {
                    files.push(Arc::new(source));
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn inputs() -> Vec<SharedSource> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    templates(&[
        root.join("../shared/corpus/real"),
        root.join("../shared/corpus/terraform-json"),
        root.join("examples"),
    ])
}

/// Each file with its parsed tree, for the stages after parsing.
fn parsed(files: &[SharedSource]) -> Vec<(SharedSource, Node)> {
    files
        .iter()
        .filter_map(|f| {
            let (_, root) = parse::parse(f, &Limits::default()).ok()?;
            Some((f.clone(), root))
        })
        .collect()
}

fn bytes(files: &[SharedSource]) -> u64 {
    files.iter().map(|f| f.text.len() as u64).sum()
}

fn parsing(c: &mut Criterion) {
    let all = inputs();
    for syntax in [Syntax::Json, Syntax::Yaml] {
        let files: Vec<_> = all
            .iter()
            .filter(|f| parse::detect_syntax(f) == syntax)
            .cloned()
            .collect();
        let mut group = c.benchmark_group("parse");
        group.throughput(Throughput::Bytes(bytes(&files)));
        group.bench_function(format!("{syntax:?}").to_lowercase(), |b| {
            b.iter(|| {
                for file in &files {
                    let _ = black_box(parse::parse(file, &Limits::default()));
                }
            })
        });
        group.finish();
    }
}

fn modelling(c: &mut Criterion) {
    let files = inputs();
    let trees = parsed(&files);
    let environment = Environment::default();
    let mut group = c.benchmark_group("model");
    group.throughput(Throughput::Bytes(bytes(&files)));
    group.bench_function("build", |b| {
        b.iter(|| {
            for (source, root) in &trees {
                if let Some(dialect) = model::detect(root) {
                    black_box(model::build(source.clone(), root, dialect, &environment));
                }
            }
        })
    });
    group.finish();
}

fn evaluation(c: &mut Criterion) {
    let files = inputs();
    let policies = match policy::load_policies(&[], &Selection::default()) {
        Ok(policies) => policies,
        Err(errors) => panic!("built-in policies do not load: {errors:?}"),
    };
    let trees = parsed(&files);
    let environment = Environment::default();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Bytes(bytes(&files)));
    group.bench_function("all_policies", |b| {
        b.iter_batched(
            || {
                trees
                    .iter()
                    .filter_map(|(source, root)| {
                        let dialect = model::detect(root)?;
                        Some(model::build(source.clone(), root, dialect, &environment))
                    })
                    .collect::<Vec<_>>()
            },
            |models| {
                for model in &models {
                    black_box(evaluate_model(&policies, model));
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = stages;
    config = Criterion::default().sample_size(20);
    targets = parsing, modelling, evaluation
}
criterion_main!(stages);
