//! Baselines: adopt lexguard on a codebase with existing findings and fail only
//! on new ones.
//!
//! A baseline records each finding's fingerprint (policy, file, resource,
//! property path and status; see [`crate::report::sarif::fingerprint`]), never
//! its line, so lines inserted above a baselined finding do not revive it.
//! Fingerprints are counted: if a baseline holds one finding with a fingerprint
//! and a run has two, one of them is new.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Status};
use crate::report::{display_path, sarif, Report};

/// The only baseline version this build reads and writes.
pub const VERSION: u64 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u64,
    #[serde(default)]
    pub tool: String,
    pub findings: Vec<BaselineEntry>,
}

/// One recorded finding. Only `fingerprint` is compared; the rest helps a
/// reviewer read the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    #[serde(default)]
    pub policy: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub resource: String,
    #[serde(default)]
    pub property_path: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("invalid baseline {}: {source}", .path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: unsupported baseline version {found}; this lexguard reads version {VERSION}", .path.display())]
    Version { path: PathBuf, found: u64 },
}

impl Baseline {
    /// The unsuppressed findings of a report, with paths relative to `root` as
    /// the other reports show them.
    pub fn from_report(report: &Report, root: &Path) -> Baseline {
        Baseline::from_entries(Baseline::entries(&report.findings, root))
    }

    pub fn from_entries(findings: Vec<BaselineEntry>) -> Baseline {
        Baseline {
            version: VERSION,
            tool: "lexguard".to_owned(),
            findings,
        }
    }

    /// The entries recording the unsuppressed `findings`.
    pub fn entries(findings: &[Finding], root: &Path) -> Vec<BaselineEntry> {
        findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| {
                let file = display_path(&f.source.path, root);
                BaselineEntry {
                    fingerprint: sarif::fingerprint(f, &file),
                    policy: f.policy_id.to_string(),
                    resource: f.resource.id.clone(),
                    property_path: f.property_path.clone(),
                    status: status_name(f.status).to_owned(),
                    file,
                }
            })
            .collect()
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let bytes = std::fs::read(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let baseline: Baseline =
            serde_json::from_slice(&bytes).map_err(|source| BaselineError::Json {
                path: path.to_path_buf(),
                source,
            })?;
        if baseline.version != VERSION {
            return Err(BaselineError::Version {
                path: path.to_path_buf(),
                found: baseline.version,
            });
        }
        Ok(baseline)
    }

    pub fn write(&self, out: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self).map_err(io::Error::other)?;
        writeln!(out)
    }

    /// Removes from the report every unsuppressed finding the baseline holds
    /// (each recorded fingerprint absorbs one finding) and counts them in
    /// `summary.baselined`.
    pub fn apply(&self, report: &mut Report, root: &Path) {
        let mut filter = BaselineFilter::new(self);
        report.summary.baselined += filter.retain_new(&mut report.findings, root);
    }
}

/// A baseline being applied file by file: each recorded fingerprint absorbs
/// one finding, whichever file it comes in.
#[derive(Debug)]
pub struct BaselineFilter {
    remaining: HashMap<String, usize>,
}

impl BaselineFilter {
    pub fn new(baseline: &Baseline) -> BaselineFilter {
        let mut remaining: HashMap<String, usize> = HashMap::new();
        for entry in &baseline.findings {
            *remaining.entry(entry.fingerprint.clone()).or_default() += 1;
        }
        BaselineFilter { remaining }
    }

    /// Keeps the findings that are new (or suppressed); returns how many the
    /// baseline absorbed.
    pub fn retain_new(&mut self, findings: &mut Vec<Finding>, root: &Path) -> usize {
        let before = findings.len();
        findings.retain(|f| {
            if f.suppression.is_some() {
                return true;
            }
            let fingerprint = sarif::fingerprint(f, &display_path(&f.source.path, root));
            match self.remaining.get_mut(fingerprint.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        before - findings.len()
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Unknown => "unknown",
    }
}
