//! GitHub Actions workflow commands: one annotation per finding and per error,
//! shown on the pull request's changed lines.

use std::io::{self, Write};

use super::{display_path, RenderOptions, Report, StreamingReporter};
use crate::finding::{Finding, Severity, Status};

/// Writes `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`
/// lines. Severity maps to the command: critical and high are errors, medium a
/// warning, low and unknown results notices.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    super::render_whole(&mut Stream::new(options), report, out)
}

/// Annotations written finding by finding.
pub struct Stream {
    options: RenderOptions,
}

impl Stream {
    pub fn new(options: &RenderOptions) -> Stream {
        Stream {
            options: options.clone(),
        }
    }
}

impl StreamingReporter for Stream {
    fn begin(&mut self, _report: &Report, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        annotate(findings, &self.options, out)
    }

    fn end(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        annotate_problems(report, &self.options, out)
    }
}

fn annotate(findings: &[Finding], options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    // A suppressed finding is accepted; annotating it would only add noise.
    for finding in findings.iter().filter(|f| f.suppression.is_none()) {
        let file = display_path(&finding.source.path, &options.root);
        let start = finding.region.start;
        let end = finding.region.end;
        let title = format!("{} [{}]", finding.policy_id, label(finding));
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(finding),
            escape_property(&file),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&title),
            escape_data(&format!("{} ({})", finding.message, finding.resource.id)),
        )?;
    }
    Ok(())
}

fn annotate_problems(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for error in &report.errors {
        let file = display_path(error.path(), &options.root);
        let place = match error.location() {
            Some((source, span)) => {
                let region = source.region(span);
                format!(",line={},col={}", region.start.line, region.start.column)
            }
            None => String::new(),
        };
        writeln!(
            out,
            "::error file={}{place},title={}::{}",
            escape_property(&file),
            escape_property("lexguard error"),
            escape_data(&error.message()),
        )?;
    }
    for warning in &report.warnings {
        let file = display_path(&warning.path, &options.root);
        let place = match &warning.location {
            Some(location) => format!(
                ",line={},col={}",
                location.region.start.line, location.region.start.column
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "::warning file={}{place},title={}::{}",
            escape_property(&file),
            escape_property(&format!("lexguard {}", warning.kind.as_str())),
            escape_data(&warning.message),
        )?;
    }
    Ok(())
}

fn command(finding: &Finding) -> &'static str {
    match (finding.status, finding.severity) {
        (Status::Unknown, _) | (Status::Fail, Severity::Low) => "notice",
        (Status::Fail, Severity::Medium) => "warning",
        (Status::Fail, Severity::High | Severity::Critical) => "error",
    }
}

fn label(finding: &Finding) -> String {
    match finding.status {
        Status::Fail => finding.severity.to_string(),
        Status::Unknown => format!("unknown · {}", finding.severity),
    }
}

/// Escapes a command's message, as the Actions runner expects.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value: the message escapes, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
