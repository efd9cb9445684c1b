//! The engine: reads, parses, models and evaluates every candidate file in
//! parallel, and gathers one deterministic [`Report`].

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

mod hcl;

use crate::discover::Candidate;
use crate::error::FileError;
use crate::finding::{Finding, ResourceRef, ScannedResource, Status, Warning};
use crate::model::{self, Model};
use crate::parse::{self, Limits};
use crate::policy::eval::evaluate_model;
use crate::policy::Policy;
use crate::report::{PolicyStats, Report};
use crate::source::SourceFile;
use crate::suppress::{self, Date, SuppressionRule};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub limits: Limits,
    /// Text to read for the candidate `-` (standard input), and the name to report it under.
    pub stdin: Option<(std::path::PathBuf, Vec<u8>)>,
    /// Account, Region and partition for CloudFormation pseudo parameters.
    pub environment: model::Environment,
    /// Suppressions from the configuration, applied to every file.
    pub suppressions: Arc<[SuppressionRule]>,
    /// Every policy ID that could run (selected or not), to tell a mistyped ID
    /// in a template's suppression from one whose policy was not selected.
    pub known_policies: Arc<BTreeSet<String>>,
    /// The day expiry dates are compared with; today (UTC) when `None`.
    pub today: Option<Date>,
    /// Warn about suppressions that matched no finding.
    pub report_unused_suppressions: bool,
    /// Give each finding GitHub's line hash (`Finding::line_hash`), for SARIF.
    pub line_hashes: bool,
    /// Fill `Report::resources` (only JUnit lists passing resources; the list
    /// costs memory in proportion to the corpus).
    pub collect_resources: bool,
    /// Set from another thread (Ctrl-C) to stop: files not yet started are skipped.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl CheckOptions {
    fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

/// What happened to one file.
#[derive(Debug, Default)]
struct FileOutcome {
    findings: Vec<Finding>,
    /// Errors of the file (a module's: of any of its files).
    errors: Vec<FileError>,
    /// Files linted: one, or a module's `.tf` files.
    scanned: usize,
    skipped: bool,
    resources: usize,
    /// The file's resources, for reporters that list passing ones.
    scanned_resources: Vec<ScannedResource>,
    /// Per policy, in the order of the policies given.
    stats: Vec<PolicyStats>,
    warnings: Vec<Warning>,
    /// Which configuration suppressions covered a finding of this file.
    used_suppressions: Vec<bool>,
}

/// Lints every candidate with every policy. Findings are sorted by file, line,
/// column and policy, whatever the thread count.
pub fn check(
    candidates: &[Candidate],
    policies: &[Policy],
    discovery_errors: Vec<FileError>,
    options: &CheckOptions,
) -> Report {
    let mut findings = Vec::new();
    let result: Result<Report, std::convert::Infallible> =
        check_streaming(candidates, policies, discovery_errors, options, |file| {
            findings.extend(file);
            Ok(())
        });
    let mut report = match result {
        Ok(report) => report,
        Err(never) => match never {},
    };
    report.findings = findings;
    report
}

/// Files linted in parallel between two hand-overs to the sink: enough to keep
/// every thread busy, few enough that memory stays flat on any corpus.
const CHUNK: usize = 256;

/// Lints every candidate with every policy, handing each file's findings
/// (sorted by line, column and policy) to `sink` in file order as soon as
/// they are ready, so that reporters can write them and drop them. Returns the
/// report of everything else (errors, warnings, statistics) with no findings.
/// The first error from `sink` stops the run.
pub fn check_streaming<E>(
    candidates: &[Candidate],
    policies: &[Policy],
    discovery_errors: Vec<FileError>,
    options: &CheckOptions,
    mut sink: impl FnMut(Vec<Finding>) -> Result<(), E>,
) -> Result<Report, E> {
    let started = Instant::now();
    let today = options.today.unwrap_or_else(Date::today);
    let options = &CheckOptions {
        today: Some(today),
        ..options.clone()
    };
    let mut report = Report::header(policies.iter().map(|p| p.info.clone()).collect());
    report.errors = discovery_errors;
    let mut stats = vec![PolicyStats::default(); policies.len()];
    let mut used_suppressions = vec![false; options.suppressions.len()];
    // Workers lint the next chunk while this thread hands the last one to the
    // sink (a reporter writing output), so writing does not idle the workers.
    // The channel holds one chunk, which keeps memory flat.
    let streamed = std::thread::scope(|scope| -> Result<(), E> {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<FileOutcome>>(1);
        let units = hcl::units(candidates);
        scope.spawn(move || {
            for chunk in units.chunks(CHUNK) {
                if options.interrupted() {
                    break;
                }
                let outcomes: Vec<FileOutcome> = chunk
                    .par_iter()
                    .map(|unit| match unit {
                        hcl::Unit::File(candidate) => check_file(candidate, policies, options),
                        hcl::Unit::Module(folder) => hcl::check_module(folder, policies, options),
                    })
                    .collect();
                // The receiver is gone when the sink failed: stop linting.
                if sender.send(outcomes).is_err() {
                    break;
                }
            }
        });
        for outcomes in receiver {
            for mut outcome in outcomes {
                for (total, used) in used_suppressions.iter_mut().zip(&outcome.used_suppressions) {
                    *total |= used;
                }
                report.warnings.extend(outcome.warnings);
                for (total, file) in stats.iter_mut().zip(&outcome.stats) {
                    total.add(*file);
                }
                report.summary.files_scanned += outcome.scanned;
                report.summary.files_skipped += usize::from(outcome.skipped);
                report.summary.resources += outcome.resources;
                report.resources.extend(outcome.scanned_resources);
                report.errors.extend(outcome.errors);
                if !outcome.findings.is_empty() {
                    outcome.findings.sort_by(|a, b| {
                        a.sort_key()
                            .cmp(&b.sort_key())
                            .then_with(|| a.resource.cmp(&b.resource))
                    });
                    sink(outcome.findings)?;
                }
            }
        }
        Ok(())
    });
    streamed?;
    report.summary.policy_stats = policies
        .iter()
        .zip(stats)
        .map(|(p, s)| (p.info.id.clone(), s))
        .collect();
    report.errors.sort_by(|a, b| a.path().cmp(b.path()));
    let ran = policy_ids(policies);
    for (rule, used) in options.suppressions.iter().zip(used_suppressions) {
        report.warnings.extend(rule.standing_warnings(today));
        if options.report_unused_suppressions
            && !used
            && !rule.is_expired(today)
            && suppress::policies_ran(rule, &ran)
        {
            report.warnings.push(suppress::unused_warning(rule));
        }
    }
    report.warnings.sort_by(|a, b| {
        let at = |w: &Warning| {
            w.location
                .as_ref()
                .map(|l| (l.region.start.line, l.region.start.column))
        };
        (&a.path, at(a), a.kind).cmp(&(&b.path, at(b), b.kind))
    });
    report.resources.sort();
    // A `.tf.json` block written as an array of bodies is one resource.
    report.resources.dedup();
    report.summary.elapsed = started.elapsed();
    Ok(report)
}

/// Lints one document that is already in memory (used by tests and editors).
pub fn check_source(
    source: SourceFile,
    policies: &[Policy],
    limits: &Limits,
) -> Result<Vec<Finding>, FileError> {
    let options = CheckOptions {
        limits: *limits,
        ..CheckOptions::default()
    };
    let outcome = lint(Arc::new(source), policies, &options, true);
    match outcome.errors.into_iter().next() {
        Some(err) => Err(err),
        None => Ok(outcome.findings),
    }
}

fn check_file(candidate: &Candidate, policies: &[Policy], options: &CheckOptions) -> FileOutcome {
    if options.interrupted() {
        return FileOutcome::default();
    }
    let path = &candidate.path;
    let (path, bytes) = if path.as_os_str() == "-" {
        match &options.stdin {
            Some((name, bytes)) if bytes.len() as u64 > options.limits.max_file_size => {
                return FileOutcome {
                    errors: vec![FileError::TooLarge {
                        path: name.clone(),
                        size: bytes.len() as u64,
                        limit: options.limits.max_file_size,
                    }],
                    ..FileOutcome::default()
                };
            }
            Some((name, bytes)) => (name.clone(), bytes.clone()),
            None => (path.clone(), Vec::new()),
        }
    } else {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size > options.limits.max_file_size {
            return FileOutcome {
                errors: vec![FileError::TooLarge {
                    path: path.clone(),
                    size,
                    limit: options.limits.max_file_size,
                }],
                ..FileOutcome::default()
            };
        }
        match std::fs::read(path) {
            Ok(bytes) => (path.clone(), bytes),
            Err(source) => {
                return FileOutcome {
                    errors: vec![FileError::Read {
                        path: path.clone(),
                        source,
                    }],
                    ..FileOutcome::default()
                }
            }
        }
    };
    let source = match SourceFile::decode(&path, bytes) {
        Ok(source) => source,
        // A walked file that is not text is not a template: skip it quietly,
        // unless it still reads like one (a template with one bad byte must
        // not lose its findings silently). Decoding consumed the bytes; this
        // rare path reads them again.
        Err(_)
            if !candidate.explicit
                && !std::fs::read(&path)
                    .is_ok_and(|bytes| looks_like_template(&String::from_utf8_lossy(&bytes))) =>
        {
            return FileOutcome {
                skipped: true,
                ..FileOutcome::default()
            }
        }
        Err(source) => {
            return FileOutcome {
                errors: vec![FileError::Decode { path, source }],
                ..FileOutcome::default()
            }
        }
    };
    lint(Arc::new(source), policies, options, candidate.explicit)
}

fn lint(
    source: Arc<SourceFile>,
    policies: &[Policy],
    options: &CheckOptions,
    explicit: bool,
) -> FileOutcome {
    if crate::discover::is_tf(&source.path) {
        return hcl::check_single(source, policies, options);
    }
    let root = match parse::parse(&source, &options.limits) {
        Ok((_, root)) => root,
        Err(error) => {
            // In a folder walk only files that are templates matter; a broken
            // file is reported when it still looks like one.
            if !explicit && !looks_like_template(&source.text) {
                return FileOutcome {
                    skipped: true,
                    ..FileOutcome::default()
                };
            }
            return FileOutcome {
                errors: vec![FileError::Parse {
                    file: source,
                    error,
                }],
                ..FileOutcome::default()
            };
        }
    };
    let Some(dialect) = model::detect(&root) else {
        return if explicit {
            FileOutcome {
                errors: vec![FileError::NotRecognised {
                    path: source.path.clone(),
                }],
                ..FileOutcome::default()
            }
        } else {
            FileOutcome {
                skipped: true,
                ..FileOutcome::default()
            }
        };
    };
    let mut model: Model<'_> = model::build(source.clone(), &root, dialect, &options.environment);
    // Wrong shapes are errors, and the file's readable resources are still linted.
    let model_errors: Vec<FileError> = std::mem::take(&mut model.errors)
        .into_iter()
        .map(|e| FileError::Model {
            file: source.clone(),
            span: e.span,
            kind: e.kind,
        })
        .collect();
    let (inline, warnings) = suppress::inline_rules(&root, &model, &options.known_policies);
    let mut outcome = evaluate(policies, options, &model, inline, warnings);
    outcome.errors = model_errors;
    outcome
}

/// Runs the policies on a model and applies suppressions: the outcome of one
/// file, or of one Terraform module (whose findings span its files).
fn evaluate(
    policies: &[Policy],
    options: &CheckOptions,
    model: &Model<'_>,
    inline: Vec<SuppressionRule>,
    mut warnings: Vec<Warning>,
) -> FileOutcome {
    let mut findings = evaluate_model(policies, model);
    let today = options.today.unwrap_or_else(Date::today);
    let (used_inline, used_suppressions) =
        suppress::apply(&mut findings, &inline, &options.suppressions, today);
    let ran = policy_ids(policies);
    for (rule, used) in inline.iter().zip(used_inline) {
        warnings.extend(rule.standing_warnings(today));
        if options.report_unused_suppressions
            && !used
            && !rule.is_expired(today)
            && suppress::policies_ran(rule, &ran)
        {
            warnings.push(suppress::unused_warning(rule));
        }
    }
    let stats = policy_stats(policies, model, &findings);
    if options.line_hashes && !findings.is_empty() {
        // Findings of a module lie in several files: hash each file once.
        let mut hashed: Vec<(Arc<SourceFile>, Vec<String>)> = Vec::new();
        for finding in &mut findings {
            let at = match hashed
                .iter()
                .position(|(s, _)| Arc::ptr_eq(s, &finding.source))
            {
                Some(at) => at,
                None => {
                    let hashes = crate::hash::line_hashes(&finding.source.text);
                    hashed.push((finding.source.clone(), hashes));
                    hashed.len() - 1
                }
            };
            let line = finding.region.start.line.saturating_sub(1);
            finding.line_hash = hashed.get(at).and_then(|(_, h)| h.get(line)).cloned();
        }
    }
    keep_windows_only(&mut findings, &mut warnings);
    let scanned_resources = model
        .resources
        .iter()
        .enumerate()
        .filter(|_| options.collect_resources)
        .map(|(index, r)| ScannedResource {
            path: model.source_of(index).path.clone(),
            resource: ResourceRef {
                id: r.id.clone(),
                resource_type: r.resource_type.clone(),
            },
        })
        .collect();
    FileOutcome {
        scanned_resources,
        warnings,
        used_suppressions,
        findings,
        errors: Vec::new(),
        scanned: 1,
        skipped: false,
        resources: model.resources.len(),
        stats,
    }
}

/// Replaces the whole source in findings and warnings by the few lines around
/// each place, so a run's memory grows with its findings, not with its input.
fn keep_windows_only(findings: &mut [Finding], warnings: &mut [Warning]) {
    use crate::finding::{EXCERPT_CONTEXT_LINES, EXCERPT_MAX_LINES};
    let window = |source: &SourceFile, span| {
        Arc::new(source.window(span, EXCERPT_CONTEXT_LINES, EXCERPT_MAX_LINES))
    };
    for finding in findings {
        finding.source = window(&finding.source, finding.span);
        for related in &mut finding.related {
            related.source = window(&related.source, related.span);
        }
    }
    for location in warnings.iter_mut().filter_map(|w| w.location.as_mut()) {
        location.source = window(&location.source, location.span);
    }
}

fn policy_ids(policies: &[Policy]) -> Vec<&str> {
    policies.iter().map(|p| p.info.id.as_str()).collect()
}

/// Per policy: the file's resources of the policy's types, and how many distinct
/// resources have a failed check, or an unknown result and no failed check.
fn policy_stats(policies: &[Policy], model: &Model<'_>, findings: &[Finding]) -> Vec<PolicyStats> {
    let mut per_type: HashMap<&str, usize> = HashMap::new();
    for resource in &model.resources {
        *per_type.entry(resource.resource_type.as_str()).or_default() += 1;
    }
    type Sets<'f> = (BTreeSet<&'f ResourceRef>, BTreeSet<&'f ResourceRef>);
    let mut by_policy: HashMap<&str, Sets<'_>> = HashMap::new();
    // A suppressed finding is an accepted risk: it counts as neither failed nor unknown.
    for finding in findings.iter().filter(|f| f.suppression.is_none()) {
        let (failed, unknown) = by_policy.entry(&finding.policy_id).or_default();
        match finding.status {
            Status::Fail => failed.insert(&finding.resource),
            Status::Unknown => unknown.insert(&finding.resource),
        };
    }
    policies
        .iter()
        .map(|policy| {
            let resources: usize = policy
                .info
                .resource_types
                .iter()
                .map(|t| per_type.get(t.as_str()).copied().unwrap_or(0))
                .sum();
            let (failed, unknown) = by_policy
                .get(policy.info.id.as_str())
                .map_or((0, 0), |(failed, unknown)| {
                    (failed.len(), unknown.difference(failed).count())
                });
            PolicyStats {
                resources: resources.max(failed + unknown),
                failed,
                unknown,
            }
        })
        .collect()
}

/// Whether unparsable text still shows the marks of a template or Terraform JSON,
/// so that a broken template in a folder is reported rather than skipped.
fn looks_like_template(text: &str) -> bool {
    const MARKS: [&str; 7] = [
        "AWSTemplateFormatVersion",
        "AWS::",
        "\"resource\"",
        "\"format_version\"",
        "\"planned_values\"",
        "Resources:",
        "\"Resources\"",
    ];
    MARKS.iter().any(|m| text.contains(m))
}
