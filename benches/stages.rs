//! Per-stage micro-benchmarks: spanned parsing (JSON, YAML, HCL), model building and
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
    // HCL against JSON per byte: the real `.tf` files, and the fixtures' `.tf`
    // files beside their `.tf.json` twins (the same resources in each syntax).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let real = tf_files(&[root.join("../shared/corpus/real"), root.join("examples")]);
    let (twins_tf, twins_json) = twins(&root.join("fixtures"));
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes(&real)));
    group.bench_function("hcl", |b| {
        b.iter(|| {
            for file in &real {
                let _ = black_box(parse::hcl::parse(&file.text, &Limits::default()));
            }
        })
    });
    group.finish();
    let mut group = c.benchmark_group("parse-twins");
    group.throughput(Throughput::Bytes(bytes(&twins_tf)));
    group.bench_function("tf", |b| {
        b.iter(|| {
            for file in &twins_tf {
                let _ = black_box(parse::hcl::parse(&file.text, &Limits::default()));
            }
        })
    });
    group.throughput(Throughput::Bytes(bytes(&twins_json)));
    group.bench_function("tf.json", |b| {
        b.iter(|| {
            for file in &twins_json {
                let _ = black_box(parse::json::parse(&file.text, &Limits::default()));
            }
        })
    });
    group.finish();
}

/// Every `.tf` file below `dirs`.
fn tf_files(dirs: &[PathBuf]) -> Vec<SharedSource> {
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
            } else if path.extension().is_some_and(|e| e == "tf") {
                if let Some(source) = read(&path) {
                    files.push(source);
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The fixtures' `X.tf` files that have an `X.tf.json` twin, and the twins.
fn twins(fixtures: &Path) -> (Vec<SharedSource>, Vec<SharedSource>) {
    let mut tf = Vec::new();
    let mut json = Vec::new();
    for file in tf_files(&[fixtures.to_path_buf()]) {
        if let Some(twin) = read(&file.path.with_extension("tf.json")) {
            tf.push(file);
            json.push(twin);
        }
    }
    (tf, json)
}

fn read(path: &Path) -> Option<SharedSource> {
    let bytes = std::fs::read(path).ok()?;
    SourceFile::decode(path, bytes).ok().map(Arc::new)
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
