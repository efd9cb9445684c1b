//! The command line: argument parsing and the three commands. `main` only calls [`run`].

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::baseline::{Baseline, BaselineEntry, BaselineFilter};
use crate::config::{self, Config};
use crate::discover::{self, DiscoverOptions, Shard};
use crate::engine::{self, CheckOptions};
use crate::error::FileError;
use crate::finding::Severity;
use crate::policy::{self, Policy, Selection};
use crate::report::{self, FindingCounts, Format, RenderOptions, Report, Summary};

/// Exit codes: the public contract for CI.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
/// After Ctrl-C: 128 + SIGINT, as a shell reports a process the signal ended.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "lexguard",
    version,
    about = "Compliance linter for Amazon Lex infrastructure-as-code",
    long_about = "Compliance linter for Amazon Lex infrastructure-as-code: CloudFormation (JSON, YAML) \
                  and Terraform JSON (.tf.json, plan and state), checked against HIPAA, PCI DSS, SOC 2 \
                  and ISO 27001 mapped policies.\n\nExit codes: 0 no finding at or above --fail-on, \
                  1 such findings, 2 usage error or unreadable, unparsable or invalid input, \
                  130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and folders.
    Check(Box<CheckArgs>),
    /// List the loaded policies.
    Policies(PoliciesArgs),
    /// Print a policy's full documentation.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Folder (or file) of user policies in the built-in format; repeatable.
    #[arg(long = "policy-dir", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read this config file instead of the `.lexguard.yaml` found from the current
    /// folder upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and folders to lint (`-` reads standard input).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity of a failed check that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub policies: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Run only the policies mapped to this framework (repeatable; overrides the
    /// config's `frameworks`).
    #[arg(long, value_enum, value_name = "FRAMEWORK")]
    pub framework: Vec<Framework>,
    /// Unknown results fail the run like failed checks (as the config's
    /// `settings.fail_on_unknown: true`).
    #[arg(long)]
    pub strict: bool,
    /// Run only these policy IDs (comma-separated; repeatable).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,
    /// Skip these policy IDs (comma-separated; repeatable).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,
    /// Only walk files matching these globs (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and folders matching these globs (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Walk hidden files and folders too.
    #[arg(long)]
    pub hidden: bool,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip named files that are not CloudFormation or Terraform JSON, as a folder
    /// walk does, instead of reporting an error (for pre-commit, which names every
    /// `.json`/`.yaml` file).
    #[arg(long)]
    pub skip_unrecognised: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only the summary and errors (human format).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Name to report standard input under (with the path `-`).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Lint only shard K of N (e.g. `2/3`): files are split by a stable hash of
    /// their path, so N CI jobs together lint every file exactly once.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Skip files larger than this many bytes, with an error (default 64 MiB;
    /// suffixes K, M, G).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Deepest nesting of a document's arrays and objects (default 255, at most 1024).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_depth: Option<u16>,
    /// Most nodes YAML aliases may add to one document (default 100000).
    #[arg(long, value_name = "N")]
    pub max_alias_nodes: Option<usize>,
    /// Warn about suppressions (in templates or the config) that matched no finding.
    #[arg(long)]
    pub report_unused_suppressions: bool,
    /// Report and fail only on findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (by fingerprint, not line) and exit 0
    /// unless an input is broken; later runs pass it to `--baseline`.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PoliciesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub policies: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// List only the policies mapped to this framework (repeatable).
    #[arg(long, value_enum, value_name = "FRAMEWORK")]
    pub framework: Vec<Framework>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Policy ID, e.g. LEX003.
    pub id: String,
    #[command(flatten)]
    pub policies: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Compliance frameworks policies are mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Framework {
    #[value(name = "hipaa")]
    Hipaa,
    #[value(name = "pci-dss")]
    PciDss,
    #[value(name = "soc2")]
    Soc2,
    #[value(name = "iso27001")]
    Iso27001,
}

impl Framework {
    pub fn key(self) -> &'static str {
        match self {
            Framework::Hipaa => "hipaa",
            Framework::PciDss => "pci-dss",
            Framework::Soc2 => "soc2",
            Framework::Iso27001 => "iso27001",
        }
    }
}

fn framework_keys(frameworks: &[Framework]) -> Vec<String> {
    frameworks.iter().map(|f| f.key().to_owned()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// Parses arguments and runs; returns the process exit code.
/// Stack of each worker thread.
const WORKER_STACK: usize = 64 << 20;

pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    // The HCL parser and evaluator recurse once per nesting level (about 2 KB
    // a level in release builds, 8 KB in debug): reserve enough stack for
    // `--max-depth 1024` in either. Only the pages touched are committed. An
    // error means a pool already exists (an embedding program's), which is kept.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build_global();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = err.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Policies(args) => list_policies(&args),
        Command::Explain(args) => explain(&args),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`lexguard check | head`): stop quietly.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(err) => {
            let _ = writeln!(io::stderr(), "lexguard: {err}");
            EXIT_ERROR
        }
    }
}

fn check(args: &CheckArgs) -> io::Result<u8> {
    let selection = Selection {
        select: args
            .select
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        ignore: args
            .ignore
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        ..Selection::default()
    };
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let options = RenderOptions {
        color: use_color(args.color, to_terminal),
        quiet: args.quiet,
        width: terminal_width(),
        root: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    let loaded = config::resolve(args.config.config.as_deref())
        .map_err(|e| vec![FileError::from(e)])
        .and_then(|config| {
            // Policies are loaded (parsed, regexes compiled) once with their
            // defaults; only a configuration that changes parameters needs a
            // second, parameterised load. Start-up dominates a one-file run.
            let all = load(&args.policies, &Selection::default())?;
            let ids: BTreeSet<String> = all.iter().map(|p| p.info.id.clone()).collect();
            let selection = configured_selection(
                &all,
                &config,
                selection.clone(),
                &framework_keys(&args.framework),
            )?;
            let policies = if selection.changes_parameters() {
                load(&args.policies, &selection)?
            } else {
                policy::select(all, &selection)
            };
            Ok((config, selection, policies, ids))
        });
    let (config, selection, policies, all_ids) = match loaded {
        Ok(loaded) => loaded,
        Err(errors) => {
            let report = error_report(errors);
            emit(&report, args.format, &options, args.output.as_deref())?;
            return Ok(EXIT_ERROR);
        }
    };
    let strict = args.strict || config.settings.fail_on_unknown;
    if let Some(unknown) = unknown_ids(&all_ids, &selection) {
        let _ = writeln!(
            io::stderr(),
            "lexguard: unknown policy ID(s) in --select/--ignore: {unknown}"
        );
        return Ok(EXIT_ERROR);
    }
    let discovery = DiscoverOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        skip_unrecognised: args.skip_unrecognised,
    };
    let (mut candidates, discovery_errors) = match discover::discover(&args.paths, &discovery) {
        Ok(found) => found,
        Err(err) => {
            let _ = writeln!(io::stderr(), "lexguard: {err}");
            return Ok(EXIT_ERROR);
        }
    };
    if let Some(shard) = args.shard {
        let cwd = crate::suppress::normalise(Path::new("."));
        candidates.retain(|c| shard.contains(&c.shard_key(), &cwd));
    }
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match Baseline::load(path) {
            Ok(baseline) => Some(baseline),
            Err(source) => {
                let report = error_report(vec![FileError::Baseline {
                    path: path.clone(),
                    source,
                }]);
                emit(&report, args.format, &options, args.output.as_deref())?;
                return Ok(EXIT_ERROR);
            }
        },
    };
    let mut check_options = CheckOptions {
        environment: crate::model::Environment {
            account_id: config.settings.account_id.clone(),
            region: config.settings.region.clone(),
            partition: config.settings.partition.clone(),
        },
        suppressions: config.suppressions.clone().into(),
        known_policies: std::sync::Arc::new(all_ids),
        report_unused_suppressions: args.report_unused_suppressions,
        collect_resources: args.format == Format::Junit,
        line_hashes: args.format == Format::Sarif,
        limits: limits(args),
        ..CheckOptions::default()
    };
    if candidates.iter().any(|c| c.path.as_os_str() == "-") {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes)?;
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        check_options.stdin = Some((name, bytes));
    }
    // From here on a temporary output file may exist: Ctrl-C must let it be removed.
    let interrupt = on_ctrl_c();
    check_options.interrupt = Some(interrupt.clone());
    let interrupted = || -> io::Result<()> {
        if interrupt.load(Ordering::SeqCst) {
            Err(io::ErrorKind::Interrupted.into())
        } else {
            Ok(())
        }
    };
    let root = options.root.clone();
    let mut recorded: Option<Vec<BaselineEntry>> = args.write_baseline.as_ref().map(|_| Vec::new());
    let mut filter = baseline.as_ref().map(BaselineFilter::new);
    // Findings go to the reporter file by file as the engine finishes them
    // (JUnit and compliance reports, which need them all, hold them).
    let run = |out: &mut dyn Write| -> io::Result<Report> {
        let mut header = Report::header(policies.iter().map(|p| p.info.clone()).collect());
        header.summary.shard = args.shard;
        let mut stream = report::streaming(args.format, &options);
        if let Some(stream) = stream.as_mut() {
            stream.begin(&header, out)?;
        }
        let mut held = Vec::new();
        let mut streamed = FindingCounts::default();
        let mut baselined = 0;
        let mut report = engine::check_streaming(
            &candidates,
            &policies,
            discovery_errors,
            &check_options,
            |mut findings| -> io::Result<()> {
                interrupted()?;
                if let Some(recorded) = recorded.as_mut() {
                    // Record everything found now; the run then reports as
                    // that baseline would.
                    let entries = Baseline::entries(&findings, &root);
                    baselined += entries.len();
                    recorded.extend(entries);
                    findings.retain(|f| f.suppression.is_some());
                }
                if let Some(filter) = filter.as_mut() {
                    baselined += filter.retain_new(&mut findings, &root);
                }
                match stream.as_mut() {
                    Some(stream) => {
                        stream.findings(&findings, out)?;
                        findings.iter().for_each(|f| streamed.add(f));
                    }
                    None => held.extend(findings),
                }
                Ok(())
            },
        )?;
        // Never finish (and so rename into place) a report of part of the files.
        interrupted()?;
        report.findings = held;
        report.summary.streamed = streamed;
        report.summary.baselined = baselined;
        report.summary.frameworks = selection.frameworks.iter().cloned().collect();
        report.summary.shard = args.shard;
        match stream.as_mut() {
            Some(stream) => stream.end(&report, out)?,
            None => report::render(&report, args.format, &options, out)?,
        }
        Ok(report)
    };
    let written = match args.output.as_deref() {
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            run(&mut out).and_then(|report| out.flush().map(|()| report))
        }
        // On an error, interruption included, the temporary file is removed.
        Some(path) => write_atomically(path, run),
    };
    if interrupt.load(Ordering::SeqCst) {
        let _ = writeln!(io::stderr(), "lexguard: interrupted");
        return Ok(EXIT_INTERRUPTED);
    }
    let report = written?;
    if let (Some(path), Some(entries)) = (&args.write_baseline, recorded) {
        let baseline = Baseline::from_entries(entries);
        write_atomically(path, |out| baseline.write(out))?;
    }
    let code = exit_code(&report, args.fail_on.severity(), strict);
    // The process ends next: freeing thousands of compiled conditions one by
    // one would only delay a pre-commit hook's exit.
    std::mem::forget(policies);
    Ok(code)
}

/// Catches Ctrl-C. The first sets the returned flag: the engine stops between
/// files and the run ends without writing its output. A second ends the
/// process at once, for a run that cannot get to the flag soon.
fn on_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    // Fails only if a handler is already set, which the one `run` of `main`
    // never meets.
    let _ = ctrlc::set_handler(move || {
        if set.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    flag
}

/// The parser ceilings, with the command line's changes.
fn limits(args: &CheckArgs) -> crate::parse::Limits {
    let mut limits = crate::parse::Limits::default();
    if let Some(size) = args.max_file_size {
        limits.max_file_size = size;
    }
    if let Some(depth) = args.max_depth {
        limits.max_depth = usize::from(depth).min(crate::parse::MAX_DEPTH_CEILING);
    }
    if let Some(nodes) = args.max_alias_nodes {
        limits.max_alias_nodes = nodes;
    }
    limits
}

/// `64M`, `512K`, `1G` or a plain number of bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let multiplier: u64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("unknown size unit `{unit}`; use K, M or G")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size in bytes"))?;
    n.checked_mul(multiplier)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// 2 when any input could not be read or parsed, 1 when a failed check (or, with
/// `strict`, an unknown result) is at or above `fail_on`, else 0.
pub fn exit_code(report: &Report, fail_on: Severity, strict: bool) -> u8 {
    if !report.errors.is_empty() {
        EXIT_ERROR
    } else if report.fails_at(fail_on, strict) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn list_policies(args: &PoliciesArgs) -> io::Result<u8> {
    let loaded = config::resolve(args.config.config.as_deref())
        .map_err(|e| vec![FileError::from(e)])
        .and_then(|config| {
            let all = load(&args.policies, &Selection::default())?;
            let selection = configured_selection(
                &all,
                &config,
                Selection::default(),
                &framework_keys(&args.framework),
            )?;
            if selection.changes_parameters() {
                load(&args.policies, &selection)
            } else {
                Ok(policy::select(all, &selection))
            }
        });
    let policies = match loaded {
        Ok(policies) => policies,
        Err(errors) => return report_policy_errors(errors),
    };
    let mut out = io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            let list: Vec<_> = policies.iter().map(|p| &*p.info).collect();
            serde_json::to_writer_pretty(&mut out, &list).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            let title_width = policies
                .iter()
                .map(|p| p.info.title.chars().count())
                .max()
                .unwrap_or(5);
            writeln!(
                out,
                "{:<8} {:<8} {:<title_width$}  RESOURCE TYPES",
                "ID", "SEVERITY", "TITLE"
            )?;
            for p in &policies {
                writeln!(
                    out,
                    "{:<8} {:<8} {:<title_width$}  {}",
                    p.info.id,
                    p.info.severity.as_str(),
                    p.info.title,
                    p.info.resource_types.join(", ")
                )?;
            }
        }
    }
    Ok(EXIT_CLEAN)
}

fn explain(args: &ExplainArgs) -> io::Result<u8> {
    let loaded = config::resolve(args.config.config.as_deref())
        .map_err(|e| vec![FileError::from(e)])
        .and_then(|config| {
            let all = load(&args.policies, &Selection::default())?;
            let mut selection = configured_selection(&all, &config, Selection::default(), &[])?;
            // Explain any policy, even one the config disables or filters out.
            selection.frameworks.clear();
            for o in selection.overrides.values_mut() {
                o.enabled = None;
            }
            if selection.changes_parameters() {
                load(&args.policies, &selection)
            } else {
                Ok(policy::select(all, &selection))
            }
        });
    let policies = match loaded {
        Ok(policies) => policies,
        Err(errors) => return report_policy_errors(errors),
    };
    match policies
        .iter()
        .find(|p| p.info.id.eq_ignore_ascii_case(&args.id))
    {
        Some(policy) => {
            let mut out = io::stdout().lock();
            writeln!(out, "{}", policy.info.help_markdown())?;
            Ok(EXIT_CLEAN)
        }
        None => {
            let _ = writeln!(
                io::stderr(),
                "lexguard: no policy with ID `{}` (see `lexguard policies`)",
                args.id
            );
            Ok(EXIT_ERROR)
        }
    }
}

fn load(args: &PolicyArgs, selection: &Selection) -> Result<Vec<Policy>, Vec<FileError>> {
    policy::load_policies(&args.policy_dirs, selection)
        .map_err(|errors| errors.into_iter().map(FileError::from).collect())
}

/// `base` with the config applied, after checking the config against every
/// loadable policy (IDs and parameter names must exist).
fn configured_selection(
    all: &[Policy],
    config: &Config,
    base: Selection,
    frameworks: &[String],
) -> Result<Selection, Vec<FileError>> {
    if config.source.is_some() {
        config
            .validate(all)
            .map_err(|errors| errors.into_iter().map(FileError::from).collect::<Vec<_>>())?;
    }
    Ok(config.apply(base, frameworks))
}

fn report_policy_errors(errors: Vec<FileError>) -> io::Result<u8> {
    let report = error_report(errors);
    let options = RenderOptions {
        color: use_color(ColorChoice::Auto, io::stderr().is_terminal()),
        width: terminal_width(),
        ..RenderOptions::default()
    };
    let mut err = io::stderr().lock();
    report::render(&report, Format::Human, &options, &mut err)?;
    Ok(EXIT_ERROR)
}

fn error_report(errors: Vec<FileError>) -> Report {
    Report {
        findings: Vec::new(),
        errors,
        warnings: Vec::new(),
        resources: Vec::new(),
        policies: Vec::new(),
        summary: Summary::default(),
    }
}

/// `--select`/`--ignore` IDs that are no loadable policy's.
fn unknown_ids(all: &BTreeSet<String>, selection: &Selection) -> Option<String> {
    let known = |id: &String| all.contains(id);
    let unknown: Vec<&String> = selection
        .select
        .iter()
        .chain(&selection.ignore)
        .filter(|id| !known(id))
        .collect();
    (!unknown.is_empty()).then(|| {
        unknown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Writes the report to `output` (atomically: a temporary file renamed into
/// place) or to standard output.
fn emit(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    output: Option<&Path>,
) -> io::Result<()> {
    match output {
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            report::render(report, format, options, &mut out)?;
            out.flush()
        }
        Some(path) => write_atomically(path, |out| report::render(report, format, options, out)),
    }
}

/// Writes a file through a temporary file in the same folder renamed into
/// place, so an interrupted run never leaves a truncated report or baseline.
/// A path that is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`) is
/// written directly: renaming over it would replace the device. A symlink is
/// followed, so the link stays a link.
fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<T> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            let mut out = io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
            let value = write(&mut out)?;
            out.flush()?;
            return Ok(value);
        }
        _ => {}
    }
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path)?;
            resolved.as_path()
        }
        _ => path,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.lexguard-{}.tmp", std::process::id()));
    let result = (|| {
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        let value = write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
