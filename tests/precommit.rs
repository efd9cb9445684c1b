//! The pre-commit hook (`.pre-commit-hooks.yaml`) as users run it: the real
//! pre-commit from PyPI builds the hook with `cargo install` and runs it on a
//! throwaway git repository.
//!
//! Needs `python3` (with `venv` and pip), `git`, `cargo` and network access to
//! PyPI and crates.io. pre-commit is installed into a venv under the target
//! folder, and the hook is built into a target folder there too, so only the
//! first run pays for installing pre-commit and compiling the dependencies.
//! Set `LEXGUARD_SKIP_PRE_COMMIT_TEST` to skip it when offline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// Pinned so that the test does not change under us.
const PRE_COMMIT: &str = "pre-commit==4.7.0";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<target>/tools`: next to the profile folder holding the lexguard binary.
fn tools_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_lexguard"));
    let target = exe.parent().and_then(Path::parent).unwrap();
    target.join("tools")
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn check(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed:\n{}", text(&out));
    out
}

/// The pre-commit executable, installed into `<target>/tools/pre-commit-venv`
/// when it is not there (or does not run).
fn pre_commit() -> PathBuf {
    let venv = tools_dir().join("pre-commit-venv");
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let exe = bin.join("pre-commit");
    let works = |exe: &Path| {
        Command::new(exe)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&exe) {
        // A half-made venv from an interrupted run is started over.
        let _ = std::fs::remove_dir_all(&venv);
        let python = if cfg!(windows) { "python" } else { "python3" };
        check(Command::new(python).arg("-m").arg("venv").arg(&venv));
        check(
            Command::new(bin.join("python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg(PRE_COMMIT),
        );
        assert!(works(&exe), "pre-commit installed but does not run");
    }
    exe
}

fn git(dir: &Path, args: &[&str]) -> Output {
    check(
        Command::new("git")
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "lexguard tests")
            .env("GIT_AUTHOR_EMAIL", "tests@lexguard.invalid")
            .env("GIT_COMMITTER_NAME", "lexguard tests")
            .env("GIT_COMMITTER_EMAIL", "tests@lexguard.invalid"),
    )
}

/// Commits a copy of this working tree (tracked and untracked files, minus
/// what `.gitignore` leaves out), so that try-repo tests the code as it is now:
/// given the checkout itself, try-repo would leave out untracked files.
fn snapshot_of_this_repository(into: &Path) {
    let root = manifest_dir();
    let target = tools_dir().parent().map(Path::to_path_buf);
    let walk = ignore::WalkBuilder::new(&root)
        .hidden(false)
        .require_git(false)
        .filter_entry(move |e| {
            e.file_name() != ".git" && target.as_deref().is_none_or(|t| e.path() != t)
        })
        .build();
    for entry in walk {
        let entry = entry.unwrap();
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry.path().strip_prefix(&root).unwrap();
        let dest = into.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), &dest).unwrap();
    }
    git(into, &["init", "--quiet"]);
    git(into, &["add", "--all"]);
    git(into, &["commit", "--quiet", "-m", "snapshot"]);
}

/// `pre-commit try-repo <hook repo> lexguard <args>` in `project`.
fn try_repo(hook_repo: &Path, project: &Path, args: &[&str]) -> Output {
    let tools = tools_dir();
    let started = Instant::now();
    let out = run(Command::new(pre_commit())
        .args(["try-repo", "--color", "never"])
        .arg(hook_repo)
        .arg("lexguard")
        .args(args)
        .current_dir(project)
        .env("PRE_COMMIT_HOME", tools.join("pre-commit-home"))
        // try-repo installs the hook from a fresh clone each time; a lasting
        // target folder keeps the compiled dependencies between runs.
        .env("CARGO_TARGET_DIR", tools.join("pre-commit-cargo-target"))
        // The hook's behaviour does not depend on optimisation: build it the
        // quick way rather than with the release profile's thin LTO.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false"));
    eprintln!(
        "pre-commit try-repo {}: {:.1}s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    out
}

#[test]
fn pre_commit_hook_fails_on_findings_and_ignores_other_json() {
    // For working offline; CI never sets it.
    if std::env::var_os("LEXGUARD_SKIP_PRE_COMMIT_TEST").is_some() {
        eprintln!("skipped: LEXGUARD_SKIP_PRE_COMMIT_TEST is set");
        return;
    }
    let started = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let hook_repo = scratch.path().join("lexguard");
    snapshot_of_this_repository(&hook_repo);

    let project = scratch.path().join("project");
    let infra = project.join("infra");
    std::fs::create_dir_all(&infra).unwrap();
    let examples = manifest_dir().join("examples/cloudformation");
    std::fs::copy(
        examples.join("claims-bot.yaml"),
        infra.join("claims-bot.yaml"),
    )
    .unwrap();
    std::fs::copy(
        examples.join("compliant-bot.json"),
        infra.join("compliant-bot.json"),
    )
    .unwrap();
    // JSON and YAML that are not templates, which the hook's pattern matches too;
    // tsconfig.json is not even JSON (comments).
    std::fs::write(project.join("package.json"), "{\"name\": \"web\"}\n").unwrap();
    std::fs::write(
        project.join("tsconfig.json"),
        "{\n  // strict mode\n  \"compilerOptions\": {\"strict\": true}\n}\n",
    )
    .unwrap();
    std::fs::write(project.join("ci.yml"), "stages: [test]\n").unwrap();
    git(&project, &["init", "--quiet"]);
    git(&project, &["add", "--all"]);
    git(&project, &["commit", "--quiet", "-m", "infra"]);

    let all = try_repo(&hook_repo, &project, &["--all-files"]);
    let output = text(&all);
    assert_eq!(all.status.code(), Some(1), "{output}");
    assert!(output.contains("lexguard"), "{output}");
    assert!(output.contains("Failed"), "{output}");
    // LEX005 (idle session TTL) on ClaimsBot, at its exact place.
    assert!(output.contains("infra/claims-bot.yaml:17:7"), "{output}");
    assert!(output.contains("LEX005"), "{output}");
    assert!(
        !output.contains("not a CloudFormation template"),
        "{output}"
    );
    assert!(!output.contains("package.json"), "{output}");

    let passing = try_repo(
        &hook_repo,
        &project,
        &[
            "--files",
            "infra/compliant-bot.json",
            "package.json",
            "tsconfig.json",
            "ci.yml",
        ],
    );
    let output = text(&passing);
    assert_eq!(passing.status.code(), Some(0), "{output}");
    assert!(output.contains("Passed"), "{output}");
    eprintln!(
        "pre-commit test: {:.1}s in all",
        started.elapsed().as_secs_f64()
    );
}

/// What the hook relies on, without pre-commit: named files that are not
/// templates are errors, unless `--skip-unrecognised` says to skip them.
#[test]
fn skip_unrecognised_skips_named_files_that_are_not_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"web\"}\n").unwrap();
    std::fs::write(dir.path().join("notes.yaml"), "a: [1\n").unwrap();
    let template = manifest_dir().join("examples/cloudformation/compliant-bot.json");
    let lexguard = |args: &[&str]| {
        run(Command::new(env!("CARGO_BIN_EXE_lexguard"))
            .arg("check")
            .args(args)
            .args(["package.json", "notes.yaml"])
            .arg(&template)
            .current_dir(dir.path()))
    };
    let strict = lexguard(&[]);
    assert_eq!(strict.status.code(), Some(2), "{}", text(&strict));
    let skipping = lexguard(&["--skip-unrecognised", "--format", "json"]);
    assert_eq!(skipping.status.code(), Some(0), "{}", text(&skipping));
    let report: serde_json::Value = serde_json::from_slice(&skipping.stdout).unwrap();
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert_eq!(report["summary"]["files_skipped"], 2);

    // A broken template is still reported.
    std::fs::write(
        dir.path().join("notes.yaml"),
        "Resources:\n  Bot: {Type: [AWS::Lex::Bot\n",
    )
    .unwrap();
    let broken = lexguard(&["--skip-unrecognised"]);
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
}
