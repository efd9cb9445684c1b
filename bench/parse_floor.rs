//! Parse-only floor for the performance comparison (issue 5).
//!
//! Walks a folder, reads every file with an extension lexguard reads (json, yaml,
//! yml, template, cfn) and only parses it, on a rayon thread pool, as cheaply as a
//! Rust program can: serde_json into `serde_json::Value`, serde_yaml into
//! `serde_yaml::Value` (CloudFormation short-form tags such as `!Ref` become tagged
//! values). No model, no policies, no report. `--lexguard-parser` uses lexguard's
//! own spanned parser instead, to show what spans cost on top of the floor.
//!
//! ```text
//! cargo run --release --example parse-floor -- /tmp/corpus
//! cargo run --release --example parse-floor -- --lexguard-parser /tmp/corpus
//! ```

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

const EXTENSIONS: [&str; 5] = ["json", "yaml", "yml", "template", "cfn"];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
}

fn is_json(path: &Path, bytes: &[u8]) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".json") {
        return true;
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return false;
    }
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}

/// Parses one file with serde; the error text when it does not parse.
fn parse_serde(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if is_json(path, bytes) {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .map(drop)
            .map_err(|e| e.to_string())
    } else {
        serde_yaml::from_slice::<serde_yaml::Value>(bytes)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Decodes and parses one file with lexguard's spanned parser.
fn parse_lexguard(path: &Path, bytes: Vec<u8>) -> Result<(), String> {
    let source = lexguard::source::SourceFile::decode(path, bytes).map_err(|e| e.to_string())?;
    lexguard::parse::parse(&source, &lexguard::parse::Limits::default())
        .map(drop)
        .map_err(|e| e.to_string())
}

fn main() {
    let mut lexguard_parser = false;
    let mut roots = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--lexguard-parser" => lexguard_parser = true,
            "-h" | "--help" => {
                eprintln!("usage: parse-floor [--lexguard-parser] DIR...");
                return;
            }
            _ => roots.push(PathBuf::from(a)),
        }
    }
    if roots.is_empty() {
        eprintln!("usage: parse-floor [--lexguard-parser] DIR...");
        std::process::exit(2);
    }
    let start = Instant::now();
    let mut files = Vec::new();
    for root in &roots {
        if root.is_file() {
            files.push(root.clone());
        } else {
            walk(root, &mut files);
        }
    }
    let results: Vec<(usize, Result<(), String>)> = files
        .par_iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => {
                let len = bytes.len();
                let parsed = if lexguard_parser {
                    parse_lexguard(path, bytes)
                } else {
                    parse_serde(path, &bytes)
                };
                (len, parsed.map_err(|e| format!("{}: {e}", path.display())))
            }
            Err(e) => (0, Err(format!("{}: {e}", path.display()))),
        })
        .collect();
    let bytes: usize = results.iter().map(|(n, _)| n).sum();
    let errors: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    for e in errors.iter().take(10) {
        eprintln!("error: {e}");
    }
    println!(
        "parser={} files={} bytes={} errors={} threads={} elapsed_ms={:.1}",
        if lexguard_parser { "lexguard" } else { "serde" },
        files.len(),
        bytes,
        errors.len(),
        rayon::current_num_threads(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    if !errors.is_empty() {
        std::process::exit(1);
    }
}
