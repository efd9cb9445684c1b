//! Typed errors for everything that can go wrong with an input, a policy or an output.

use std::path::PathBuf;

use crate::parse::ParseError;
use crate::source::{DecodeError, SharedSource, Span};

/// A problem with one input file. It is reported with its location and never stops
/// the other files from being linted.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot decode {path}: {source}")]
    Decode {
        path: PathBuf,
        #[source]
        source: DecodeError,
    },
    #[error("{}: {error}", .file.path.display())]
    Parse {
        file: SharedSource,
        #[source]
        error: ParseError,
    },
    #[error("{}: {kind}", .file.path.display())]
    Model {
        file: SharedSource,
        span: Span,
        kind: ModelErrorKind,
    },
    #[error("{}: invalid policy: {kind}", .file.path.display())]
    Policy {
        file: SharedSource,
        span: Span,
        kind: crate::policy::PolicyErrorKind,
    },
    #[error("{}: invalid config: {kind}", .file.path.display())]
    Config {
        file: SharedSource,
        span: Span,
        kind: crate::config::ConfigErrorKind,
    },
    #[error("{path}: not a CloudFormation template or Terraform JSON file")]
    NotRecognised { path: PathBuf },
    #[error("{path}: no such file or directory")]
    Missing { path: PathBuf },
    #[error("{path}: cannot walk folder: {message}")]
    Walk { path: PathBuf, message: String },
    #[error("{}: file is {size} bytes; the limit is {limit} (--max-file-size)", .path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{source}")]
    Baseline {
        path: PathBuf,
        #[source]
        source: crate::baseline::BaselineError,
    },
}

/// A structural problem in a recognised document (wrong shape where the model needs one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelErrorKind {
    #[error("`{key}` must be {expected}, found {found}")]
    WrongType {
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("module source `{module}` is not a folder")]
    ModuleNotFound { module: String },
    #[error("module source `{module}` calls itself (directly or through other modules)")]
    ModuleCycle { module: String },
    #[error("resource `{address}` is declared twice in one module")]
    DuplicateResource { address: String },
    #[error("`{at}` has no `{key}`")]
    MissingKey { at: String, key: &'static str },
    #[error("modules nest deeper than {limit} levels")]
    TooDeep { limit: usize },
}

impl FileError {
    pub fn path(&self) -> &std::path::Path {
        match self {
            FileError::Read { path, .. }
            | FileError::Decode { path, .. }
            | FileError::NotRecognised { path }
            | FileError::Missing { path }
            | FileError::Walk { path, .. }
            | FileError::Baseline { path, .. }
            | FileError::TooLarge { path, .. } => path,
            FileError::Parse { file, .. }
            | FileError::Model { file, .. }
            | FileError::Policy { file, .. }
            | FileError::Config { file, .. } => &file.path,
        }
    }

    /// The source and span to show, when the error has a place in a file.
    pub fn location(&self) -> Option<(&SharedSource, Span)> {
        match self {
            FileError::Parse { file, error } => Some((file, error.span)),
            FileError::Model { file, span, .. }
            | FileError::Policy { file, span, .. }
            | FileError::Config { file, span, .. } => Some((file, *span)),
            _ => None,
        }
    }

    /// The message without the path prefix, for reporters that show the path themselves.
    pub fn message(&self) -> String {
        match self {
            FileError::Read { source, .. } => format!("cannot read file: {source}"),
            FileError::Decode { source, .. } => format!("cannot decode file: {source}"),
            FileError::Parse { error, .. } => error.to_string(),
            FileError::Model { kind, .. } => kind.to_string(),
            FileError::Policy { kind, .. } => format!("invalid policy: {kind}"),
            FileError::Config { kind, .. } => format!("invalid config: {kind}"),
            FileError::NotRecognised { .. } => {
                "not a CloudFormation template or Terraform JSON file".to_owned()
            }
            FileError::Missing { .. } => "no such file or directory".to_owned(),
            FileError::Walk { message, .. } => format!("cannot walk folder: {message}"),
            FileError::TooLarge { size, limit, .. } => {
                format!("file is {size} bytes; the limit is {limit} (--max-file-size)")
            }
            FileError::Baseline { source, .. } => match source {
                crate::baseline::BaselineError::Read { source, .. } => {
                    format!("cannot read baseline: {source}")
                }
                crate::baseline::BaselineError::Json { source, .. } => {
                    format!("invalid baseline: {source}")
                }
                crate::baseline::BaselineError::Version { found, .. } => format!(
                    "unsupported baseline version {found}; this lexguard reads version {}",
                    crate::baseline::VERSION
                ),
            },
        }
    }
}

impl From<crate::policy::PolicyError> for FileError {
    fn from(err: crate::policy::PolicyError) -> FileError {
        FileError::Policy {
            file: err.file,
            span: err.span,
            kind: err.kind,
        }
    }
}

impl From<crate::config::ConfigError> for FileError {
    fn from(err: crate::config::ConfigError) -> FileError {
        FileError::Config {
            file: err.file,
            span: err.span,
            kind: err.kind,
        }
    }
}
