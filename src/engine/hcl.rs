//! Terraform `.tf` files are linted a folder at a time: the files of a folder
//! form one module, and the local modules it calls are followed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{evaluate, CheckOptions, FileOutcome};
use crate::discover::{folder_of, is_tf, Candidate};
use crate::error::FileError;
use crate::model::hcl::{self as hcl_model, ModuleFile};
use crate::model::{Dialect, Model, Resolver};
use crate::policy::Policy;
use crate::source::SourceFile;
use crate::suppress;

/// What a worker lints: one file, or one Terraform module folder.
#[derive(Debug)]
pub(super) enum Unit<'c> {
    File(&'c Candidate),
    Module(PathBuf),
}

/// Groups walked `.tf` candidates by folder, at the place of their folder's
/// first file. A `.tf` file named on the command line is linted on its own
/// (as Checkov's `-f` and Trivy do), unless its folder is walked too.
/// (Discovery already left out folders that another walked folder calls.)
pub(super) fn units(candidates: &[Candidate]) -> Vec<Unit<'_>> {
    let walked: HashSet<PathBuf> = candidates
        .iter()
        .filter(|c| !c.explicit && c.path.as_os_str() != "-" && is_tf(&c.path))
        .map(|c| folder_of(&c.path))
        .collect();
    let mut placed: HashSet<PathBuf> = HashSet::new();
    let mut units = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        if candidate.path.as_os_str() == "-" || !is_tf(&candidate.path) {
            units.push(Unit::File(candidate));
            continue;
        }
        let folder = folder_of(&candidate.path);
        if !walked.contains(&folder) {
            units.push(Unit::File(candidate));
        } else if placed.insert(folder.clone()) {
            units.push(Unit::Module(folder));
        }
    }
    units
}

/// The `.tf` files of a folder, sorted. Override files (`override.tf`,
/// `*_override.tf`) merge into other files' blocks in Terraform; they are not
/// read, rather than read as duplicate resources.
fn tf_files(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_tf(&path)
            && path.is_file()
            && name != "override.tf"
            && !name.ends_with("_override.tf")
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Lints the module in `folder` and the local modules it calls.
pub(super) fn check_module(
    folder: &Path,
    policies: &[Policy],
    options: &CheckOptions,
) -> FileOutcome {
    let loader = |folder: &Path| load(folder, options);
    let (files, mut errors) = load(folder, options);
    let mut outcome = lint_module(folder, files, &loader, policies, options);
    errors.append(&mut outcome.errors);
    outcome.errors = errors;
    outcome
}

/// Lints one `.tf` file on its own (standard input, or a file given to the library).
pub(super) fn check_single(
    source: Arc<SourceFile>,
    policies: &[Policy],
    options: &CheckOptions,
) -> FileOutcome {
    let folder = folder_of(&source.path);
    match parse(source, options) {
        Ok(file) => {
            let no_modules = |_: &Path| (Vec::new(), Vec::new());
            lint_module(&folder, vec![file], &no_modules, policies, options)
        }
        Err(error) => FileOutcome {
            errors: vec![error],
            ..FileOutcome::default()
        },
    }
}

fn lint_module(
    folder: &Path,
    files: Vec<ModuleFile>,
    loader: &hcl_model::Loader<'_>,
    policies: &[Policy],
    options: &CheckOptions,
) -> FileOutcome {
    let Some(first) = files.first().map(|f| f.source.clone()) else {
        return FileOutcome::default();
    };
    let built = hcl_model::build(folder, &files, loader);
    let model = Model::new(
        first,
        Dialect::TerraformHcl,
        built.resources,
        Resolver::Literal,
    );
    let all_files: Vec<&ModuleFile> = files.iter().chain(&built.files).collect();
    let (inline, warnings) = suppress::hcl_comment_rules(&all_files, &options.known_policies);
    let mut outcome = evaluate(policies, options, &model, inline, warnings);
    outcome.scanned = files.len();
    outcome.errors = built.errors;
    outcome
}

/// Reads and parses the `.tf` files of a folder. A file that fails is an
/// error, and the others still make the module.
fn load(folder: &Path, options: &CheckOptions) -> (Vec<ModuleFile>, Vec<FileError>) {
    let paths = match tf_files(folder) {
        Ok(paths) => paths,
        Err(source) => {
            let error = FileError::Read {
                path: folder.to_path_buf(),
                source,
            };
            return (Vec::new(), vec![error]);
        }
    };
    let mut files = Vec::with_capacity(paths.len());
    let mut errors = Vec::new();
    for path in paths {
        match read(&path, options).and_then(|source| parse(Arc::new(source), options)) {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    (files, errors)
}

fn read(path: &Path, options: &CheckOptions) -> Result<SourceFile, FileError> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > options.limits.max_file_size {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: options.limits.max_file_size,
        });
    }
    let bytes = std::fs::read(path).map_err(|source| FileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    SourceFile::decode(path, bytes).map_err(|source| FileError::Decode {
        path: path.to_path_buf(),
        source,
    })
}

fn parse(source: Arc<SourceFile>, options: &CheckOptions) -> Result<ModuleFile, FileError> {
    match crate::parse::hcl::parse(&source.text, &options.limits) {
        Ok(file) => Ok(ModuleFile { source, file }),
        Err(error) => Err(FileError::Parse {
            file: source,
            error,
        }),
    }
}
