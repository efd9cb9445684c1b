//! Human reporter: miette graphical reports, one per finding and per file error,
//! then a closing summary.
//!
//! Snippets are read through [`SourceView`], a [`miette::SourceCode`] backed by the
//! [`SourceFile`] line index, so placing a label costs time in proportion to the
//! lines shown, never to the size of the file.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{display_path, error_kind, RenderOptions, Report, StreamingReporter};
use crate::error::FileError;
use crate::finding::{Finding, Severity, Status, Warning};
use crate::policy::info::PolicyInfo;
use crate::source::{SharedSource, SourceFile, Span};

/// Spans covering more lines than this are labelled on their first line only, so a
/// finding about a whole resource does not print the whole resource. Findings
/// keep exactly the lines this needs (see [`crate::finding::EXCERPT_MAX_LINES`]).
const MAX_LABEL_LINES: usize = crate::finding::EXCERPT_MAX_LINES;

/// Narrowest width handed to miette; narrower terminals still get readable output.
const MIN_WIDTH: usize = 40;

/// A [`SourceFile`] as miette source code, named with its display path.
#[derive(Debug, Clone)]
pub struct SourceView {
    file: SharedSource,
    name: String,
}

impl SourceView {
    pub fn new(file: SharedSource, name: impl Into<String>) -> SourceView {
        SourceView {
            file,
            name: name.into(),
        }
    }

    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl SourceCode for SourceView {
    /// Returns whole lines: from the start of the line `context_lines_before` above
    /// the span through the end (line break included) of the line
    /// `context_lines_after` below it. With no context before (after), the contents
    /// start (end) at the span itself, as miette's own implementations do.
    /// `line()` and `column()` are 0-based and place the start of the contents;
    /// columns count Unicode scalar values, as lexguard's regions do. `line_count()`
    /// is the number of lines the contents touch.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = &*self.file;
        // Spans are whole-file offsets; `text` may be a window starting at `base`.
        let base = file.base_offset();
        let text = file.text.as_bytes();
        let start = span.offset();
        let end = start
            .checked_add(span.len())
            .ok_or(MietteError::OutOfBounds)?;
        if start < base || end > file.end_offset() {
            return Err(MietteError::OutOfBounds);
        }
        let start_line = file.line_index(start);
        let last_byte = if span.is_empty() { start } else { end - 1 };
        let end_line = file.line_index(last_byte).max(start_line);
        let last_index = file.line_count().saturating_sub(1);
        let last_line = end_line.saturating_add(context_lines_after).min(last_index);

        // Columns come from the file, which knows where a window cut a line.
        let (data_start, line, column) = if context_lines_before == 0 {
            (start, start_line, file.line_col(start).column - 1)
        } else {
            let first_line = start_line.saturating_sub(context_lines_before);
            let first = file.line_start(first_line).unwrap_or(base).max(base);
            (
                first,
                file.line_index(first),
                file.line_col(first).column - 1,
            )
        };
        let data_end = if context_lines_after == 0 {
            end
        } else {
            file.line_start(last_line + 1)
                .unwrap_or(file.end_offset())
                .clamp(end, file.end_offset())
        };
        let data = text
            .get(data_start - base..data_end - base)
            .ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(data_start.into(), data_end - data_start),
            line,
            column,
            last_line.saturating_sub(line) + 1,
        )))
    }
}

/// Formats a run time as the summary shows it: seconds with two decimals.
pub fn format_elapsed(elapsed: Duration) -> String {
    format!("{:.2}s", elapsed.as_secs_f64())
}

/// One report for miette: a finding, a file error, or a related location.
#[derive(Debug)]
struct Snippet {
    heading: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<SourceView>,
    labels: Vec<LabeledSpan>,
    related: Vec<Snippet>,
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.heading)
    }
}

impl std::error::Error for Snippet {}

impl Diagnostic for Snippet {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// The span miette should underline: clamped to the text and to character
/// boundaries, an empty span at the very end moved before the final line break
/// (so it shows at the end of the last line), and a span over many lines cut to
/// its first line.
fn label_span(file: &SourceFile, span: Span) -> SourceSpan {
    // Work on offsets local to `text` (a window of the file, perhaps), then
    // shift back to whole-file offsets.
    let base = file.base_offset();
    let text = file.text.as_str();
    let mut start = span.start().saturating_sub(base).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end().saturating_sub(base).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if start == end && start == text.len() {
        let before_break = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix(['\n', '\r']));
        if let Some(before_break) = before_break {
            start = before_break.len();
            end = start;
        }
    }
    let start_line = file.line_index(base + start);
    let end_line = file.line_index(base + end.saturating_sub(1).max(start));
    if end_line.saturating_sub(start_line) >= MAX_LABEL_LINES {
        let line_end = file
            .line_start(start_line + 1)
            .map_or(text.len(), |s| s - base)
            .clamp(start, text.len());
        end = start
            + text
                .get(start..line_end)
                .unwrap_or_default()
                .trim_end_matches(['\n', '\r'])
                .len();
    }
    SourceSpan::new((base + start).into(), end - start)
}

fn heading_tag(finding: &Finding) -> String {
    match finding.status {
        Status::Fail => format!("[{}]", finding.severity),
        Status::Unknown => format!("[unknown · {}]", finding.severity),
    }
}

fn miette_severity(finding: &Finding) -> miette::Severity {
    match (finding.status, finding.severity) {
        (Status::Unknown, _) => miette::Severity::Advice,
        (Status::Fail, Severity::Critical | Severity::High) => miette::Severity::Error,
        (Status::Fail, Severity::Medium | Severity::Low) => miette::Severity::Warning,
    }
}

fn same_file(a: &SharedSource, b: &SharedSource) -> bool {
    std::sync::Arc::ptr_eq(a, b) || a.path == b.path
}

fn finding_snippet(
    finding: &Finding,
    policy: Option<&PolicyInfo>,
    options: &RenderOptions,
) -> Snippet {
    let view = SourceView::new(
        finding.source.clone(),
        display_path(&finding.source.path, &options.root),
    );
    let title = policy.map_or(finding.message.as_str(), |p| p.title.as_str());
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(finding.message.clone()),
        label_span(&finding.source, finding.span),
    )];
    let mut related = Vec::new();
    for rel in &finding.related {
        if same_file(&rel.source, &finding.source) {
            labels.push(LabeledSpan::new_with_span(
                Some(rel.message.clone()),
                label_span(&rel.source, rel.span),
            ));
        } else {
            related.push(Snippet {
                heading: "related location".to_owned(),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: Some(SourceView::new(
                    rel.source.clone(),
                    display_path(&rel.source.path, &options.root),
                )),
                labels: vec![LabeledSpan::new_primary_with_span(
                    Some(rel.message.clone()),
                    label_span(&rel.source, rel.span),
                )],
                related: Vec::new(),
            });
        }
    }
    Snippet {
        heading: format!("{} {title}", heading_tag(finding)),
        code: Some(finding.policy_id.to_string()),
        severity: miette_severity(finding),
        help: policy
            .map(|p| p.remediation.trim().to_owned())
            .filter(|r| !r.is_empty()),
        // miette draws nothing useful for an empty file.
        source: (!finding.source.text.is_empty()).then_some(view),
        labels,
        related,
    }
}

fn error_snippet(error: &FileError, options: &RenderOptions) -> Snippet {
    let path = display_path(error.path(), &options.root);
    let code = Some(format!("lexguard::{}", error_kind(error)));
    match error.location() {
        Some((file, span)) if !file.text.is_empty() => {
            let heading = match error {
                FileError::Model { .. } => "unexpected template structure",
                FileError::Policy { .. } => "cannot load policy",
                FileError::Config { .. } => "cannot load config",
                _ => "cannot parse file",
            };
            Snippet {
                heading: heading.to_owned(),
                code,
                severity: miette::Severity::Error,
                help: None,
                source: Some(SourceView::new(file.clone(), path)),
                labels: vec![LabeledSpan::new_primary_with_span(
                    Some(error.message()),
                    label_span(file, span),
                )],
                related: Vec::new(),
            }
        }
        _ => Snippet {
            heading: format!("{path}: {}", error.message()),
            code,
            severity: miette::Severity::Error,
            help: None,
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        },
    }
}

fn warning_snippet(warning: &Warning, options: &RenderOptions) -> Snippet {
    let path = display_path(&warning.path, &options.root);
    let code = Some(format!("lexguard::{}", warning.kind.as_str()));
    match &warning.location {
        Some(location) if !location.source.text.is_empty() => Snippet {
            heading: warning.message.clone(),
            code,
            severity: miette::Severity::Warning,
            help: None,
            source: Some(SourceView::new(location.source.clone(), path)),
            labels: vec![LabeledSpan::new_primary_with_span(
                None,
                label_span(&location.source, location.span),
            )],
            related: Vec::new(),
        },
        _ => Snippet {
            heading: format!("{path}: {}", warning.message),
            code,
            severity: miette::Severity::Warning,
            help: None,
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        },
    }
}

fn handler(options: &RenderOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width.max(MIN_WIDTH))
        .with_urls(false)
        .with_context_lines(crate::finding::EXCERPT_CONTEXT_LINES)
}

/// Writes every finding (unless `quiet`), every file error, then the summary.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    super::render_whole(&mut Stream::new(options), report, out)
}

/// Human reports written finding by finding.
pub struct Stream {
    options: RenderOptions,
    handler: GraphicalReportHandler,
    policies: HashMap<String, std::sync::Arc<PolicyInfo>>,
    buf: String,
}

impl Stream {
    pub fn new(options: &RenderOptions) -> Stream {
        Stream {
            options: options.clone(),
            handler: handler(options),
            policies: HashMap::new(),
            buf: String::new(),
        }
    }
}

impl StreamingReporter for Stream {
    fn begin(&mut self, report: &Report, _out: &mut dyn Write) -> io::Result<()> {
        self.policies = report
            .policies
            .iter()
            .map(|p| (p.id.clone(), p.clone()))
            .collect();
        Ok(())
    }

    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        if self.options.quiet {
            return Ok(());
        }
        // Suppressed findings are accepted: only the summary counts them.
        for finding in findings.iter().filter(|f| f.suppression.is_none()) {
            let policy = self.policies.get(&*finding.policy_id).map(|p| &**p);
            let snippet = finding_snippet(finding, policy, &self.options);
            write_snippet(&self.handler, &snippet, &mut self.buf, out)?;
        }
        Ok(())
    }

    fn end(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for error in &report.errors {
            let snippet = error_snippet(error, &self.options);
            write_snippet(&self.handler, &snippet, &mut self.buf, out)?;
        }
        for warning in &report.warnings {
            let snippet = warning_snippet(warning, &self.options);
            write_snippet(&self.handler, &snippet, &mut self.buf, out)?;
        }
        out.write_all(summary(report, self.options.color).as_bytes())
    }
}

fn write_snippet(
    handler: &GraphicalReportHandler,
    snippet: &Snippet,
    buf: &mut String,
    out: &mut dyn Write,
) -> io::Result<()> {
    buf.clear();
    if handler.render_report(buf, snippet).is_err() {
        // Unreachable with clamped spans; never lose a finding over a snippet.
        buf.clear();
        if let Some(code) = &snippet.code {
            buf.push_str(code);
            buf.push_str(": ");
        }
        buf.push_str(&snippet.heading);
        buf.push('\n');
    }
    out.write_all(buf.as_bytes())?;
    out.write_all(b"\n")
}

/// ANSI styles for the summary; empty strings when colour is off.
struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color && !style.is_empty() {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn count(&self, n: usize, style: &str, label: &str) -> String {
        let style = if n == 0 { "2" } else { style };
        self.paint(style, &format!("{n} {label}"))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
    }
}

/// The closing summary: what was scanned, findings by severity, unknowns, errors
/// and the run time.
pub fn summary(report: &Report, color: bool) -> String {
    let paint = Paint { color };
    let s = &report.summary;
    let mut scanned = format!("Scanned {}", plural(s.files_scanned, "file", "files"));
    if s.files_skipped > 0 {
        scanned.push_str(&format!(" ({} skipped)", s.files_skipped));
    }
    if let Some(shard) = s.shard {
        scanned.push_str(&format!(" in shard {shard}"));
    }
    scanned.push_str(&format!(
        ", {} in {}",
        plural(s.resources, "resource", "resources"),
        format_elapsed(s.elapsed)
    ));

    let counts = report.fail_counts();
    let failed: usize = counts.iter().map(|(_, n)| n).sum();
    let unknown = report.unknown_count();
    let errors = report.errors.len();
    let result = if failed == 0 && unknown == 0 && errors == 0 {
        paint.paint("1;32", "No findings.")
    } else {
        let by_severity = counts
            .iter()
            .map(|&(sev, n)| paint.count(n, severity_style(sev), sev.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{} ({by_severity}) · {} · {}",
            paint.paint("1", &format!("Failed: {failed}")),
            paint.count(unknown, "35", "unknown"),
            paint.count(errors, "1;31", if errors == 1 { "error" } else { "errors" }),
        )
    };
    let mut accepted = Vec::new();
    let suppressed = report.suppressed_count();
    if suppressed > 0 {
        accepted.push(format!("{suppressed} suppressed"));
    }
    if s.baselined > 0 {
        accepted.push(format!("{} in baseline", s.baselined));
    }
    if !report.warnings.is_empty() {
        accepted.push(plural(report.warnings.len(), "warning", "warnings"));
    }
    let accepted = if accepted.is_empty() {
        String::new()
    } else {
        paint.paint("2", &format!(" ({})", accepted.join(", ")))
    };
    format!("{}\n{result}{accepted}\n", paint.paint("1", &scanned))
}
