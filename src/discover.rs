//! Finding the files to lint: explicit paths as given, folders walked the way
//! ripgrep walks them (`.gitignore`, hidden files skipped), filtered by globs.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::error::FileError;

/// A file to read, and whether the user named it (an explicitly named file that is
/// not a template is an error; a walked one is skipped quietly).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    pub explicit: bool,
}

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Globs a walked file must match (any); when empty, the extension filter applies.
    pub include: Vec<String>,
    /// Globs that exclude walked files and folders.
    pub exclude: Vec<String>,
    /// Also walk hidden files and folders.
    pub hidden: bool,
    /// Do not honour `.gitignore` and `.ignore` files.
    pub no_ignore: bool,
    /// Treat named files like walked ones: skip those that are not templates
    /// instead of reporting them (pre-commit names every file its pattern matches).
    pub skip_unrecognised: bool,
}

/// One of `count` deterministic partitions of the input files (`--shard K/N`), so
/// a monorepo can be spread over a CI matrix. A file's shard depends only on its
/// path relative to the current folder, so every job of the matrix agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

/// A `--shard` value that is not `K/N` with `1 <= K <= N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shard `{0}`: expected K/N with 1 <= K <= N, e.g. 2/3")]
pub struct ShardError(pub String);

impl std::str::FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let invalid = || ShardError(text.to_owned());
        let (k, n) = text.split_once('/').ok_or_else(invalid)?;
        let index: u64 = k.trim().parse().map_err(|_| invalid())?;
        let count: u64 = n.trim().parse().map_err(|_| invalid())?;
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether this shard lints `path`: FNV-1a of the path relative to `root`
    /// (with `/` separators), modulo the shard count.
    pub fn contains(&self, path: &Path, root: &Path) -> bool {
        let absolute = crate::suppress::normalise(path);
        let relative = absolute.strip_prefix(root).unwrap_or(&absolute);
        let key = relative.to_string_lossy().replace('\\', "/");
        crate::hash::fnv1a64(key.as_bytes()) % self.count == self.index - 1
    }
}

/// Invalid `--include`/`--exclude` glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{glob}`: {source}")]
pub struct GlobError {
    pub glob: String,
    #[source]
    pub source: globset::Error,
}

/// File names a folder walk reads: templates are JSON or YAML, CloudFormation
/// also uses `.template`, and Terraform `.tf`.
const WALKED_EXTENSIONS: [&str; 6] = ["json", "yaml", "yml", "template", "cfn", "tf"];

/// Expands paths into candidate files, sorted and deduplicated.
pub fn discover(
    paths: &[PathBuf],
    options: &DiscoverOptions,
) -> Result<(Vec<Candidate>, Vec<FileError>), GlobError> {
    let include = glob_set(&options.include)?;
    let exclude = glob_set(&options.exclude)?;
    let mut candidates = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            candidates.push(Candidate {
                path: path.clone(),
                explicit: true,
            });
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                errors.push(FileError::Missing { path: path.clone() });
                continue;
            }
            Err(source) => {
                errors.push(FileError::Read {
                    path: path.clone(),
                    source,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            candidates.push(Candidate {
                path: clean(path),
                explicit: !options.skip_unrecognised,
            });
            continue;
        }
        walk(
            path,
            options,
            include.as_ref(),
            exclude.as_ref(),
            &mut candidates,
            &mut errors,
        );
    }
    drop_called_modules(&mut candidates);
    candidates.sort();
    candidates.dedup_by(|a, b| {
        if a.path == b.path {
            b.explicit |= a.explicit;
            true
        } else {
            false
        }
    });
    Ok((candidates, errors))
}

fn walk(
    root: &Path,
    options: &DiscoverOptions,
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
    candidates: &mut Vec<Candidate>,
    errors: &mut Vec<FileError>,
) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(!options.hidden)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore)
        // Honour .gitignore even outside a git repository (a fresh checkout of a
        // tarball, a test folder), as users expect.
        .require_git(false)
        .follow_links(false);
    if let Some(exclude) = exclude.cloned() {
        let base = root.to_path_buf();
        builder.filter_entry(move |entry| {
            let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
            !(exclude.is_match(rel) || exclude.is_match(entry.path()))
        });
    }
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                errors.push(FileError::Walk {
                    path: root.to_path_buf(),
                    message: err.to_string(),
                });
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path);
        let wanted = match include {
            Some(include) => include.is_match(rel) || include.is_match(path),
            None => path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| WALKED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())),
        };
        if wanted {
            candidates.push(Candidate {
                path: clean(path),
                explicit: false,
            });
        }
    }
}

/// `./a/b` → `a/b`, so reports show the paths users expect.
/// Whether a path names a Terraform HCL file.
pub fn is_tf(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
}

/// The folder a file is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Candidate {
    /// What `--shard` hashes: the file, or for a walked `.tf` file its folder,
    /// because the files of a folder form one Terraform module.
    pub fn shard_key(&self) -> PathBuf {
        if !self.explicit && is_tf(&self.path) {
            folder_of(&self.path)
        } else {
            self.path.clone()
        }
    }
}

/// Leaves out walked `.tf` files of folders that another walked folder calls
/// as a local module (`source = "../modules/bot"`), directly or through other
/// modules: their resources are linted through the call, with the caller's
/// arguments, under the module's address. Folders in a cycle with no outside
/// caller stay (the cycle is reported). A light scan of each line is enough:
/// registry sources never start with a dot.
fn drop_called_modules(candidates: &mut Vec<Candidate>) {
    use std::collections::{HashMap, HashSet};
    let mut calls: HashMap<PathBuf, HashSet<PathBuf>> = HashMap::new();
    for candidate in candidates.iter().filter(|c| !c.explicit && is_tf(&c.path)) {
        let folder = crate::suppress::normalise(&folder_of(&candidate.path));
        let callees = calls.entry(folder.clone()).or_default();
        let Ok(text) = std::fs::read_to_string(&candidate.path) else {
            continue;
        };
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("source") else {
                continue;
            };
            let Some(rest) = rest.trim_start().strip_prefix('=') else {
                continue;
            };
            let value = rest.trim().trim_matches('"');
            if value.starts_with("./") || value.starts_with("../") {
                let callee = crate::suppress::normalise(&folder.join(value));
                if callee != folder {
                    callees.insert(callee);
                }
            }
        }
    }
    let called: HashSet<&PathBuf> = calls.values().flatten().collect();
    let mut reached: HashSet<&PathBuf> = HashSet::new();
    let mut work: Vec<&PathBuf> = calls.keys().filter(|f| !called.contains(f)).collect();
    while let Some(folder) = work.pop() {
        for callee in calls.get(folder).into_iter().flatten() {
            if reached.insert(callee) {
                work.push(callee);
            }
        }
    }
    if reached.is_empty() {
        return;
    }
    let dropped: HashSet<PathBuf> = reached.into_iter().cloned().collect();
    candidates.retain(|c| {
        c.explicit
            || !is_tf(&c.path)
            || !dropped.contains(&crate::suppress::normalise(&folder_of(&c.path)))
    });
}

fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, GlobError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // A bare name like `*.yaml` matches at any depth, as in .gitignore.
        let pattern = if glob.contains('/') {
            glob.clone()
        } else {
            format!("**/{glob}")
        };
        let compiled = Glob::new(&pattern).map_err(|source| GlobError {
            glob: glob.clone(),
            source,
        })?;
        builder.add(compiled);
    }
    builder.build().map(Some).map_err(|source| GlobError {
        glob: globs.join(", "),
        source,
    })
}
