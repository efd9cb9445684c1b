//! Helpers shared by integration tests.

use serde_json::Value;

/// A validator for the OASIS SARIF 2.1.0 schema in `../shared/schemas`.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/schemas/sarif-schema-2.1.0.json"
    );
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read SARIF schema"))
            .expect("SARIF schema is JSON");
    // The published schema's `language` patterns (on `run` and `toolComponent`)
    // have a stray `]` (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which fails the
    // draft-07 meta-schema's `regex` format check. Use the evidently intended pattern;
    // lexguard writes no `language`.
    for definition in ["run", "toolComponent"] {
        let pattern = schema
            .pointer_mut(&format!(
                "/definitions/{definition}/properties/language/pattern"
            ))
            .expect("language pattern");
        assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *pattern = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    // Built without the resolve-http/resolve-file features: only the schema's own
    // `#/definitions/...` references are resolved, and nothing is fetched.
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compile SARIF schema")
}

/// Microsoft's SARIF multitool (`validate`), installed from npm on first use.
///
/// Shared by the reporter tests and tests/sarif_multitool.rs; each test binary
/// uses only part of it.
#[allow(dead_code)]
pub mod multitool {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::OnceLock;

    use serde_json::Value;

    /// Pinned, so a new release cannot change what the tests demand unseen.
    pub const VERSION: &str = "5.7.0";

    #[cfg(target_os = "linux")]
    const PLATFORM_PACKAGE: &str = "sarif-multitool-linux";
    #[cfg(target_os = "macos")]
    const PLATFORM_PACKAGE: &str = "sarif-multitool-darwin";
    #[cfg(windows)]
    const PLATFORM_PACKAGE: &str = "sarif-multitool-win32";
    #[cfg(windows)]
    const BINARY: &str = "Sarif.Multitool.exe";
    #[cfg(not(windows))]
    const BINARY: &str = "Sarif.Multitool";

    /// Where the tool is installed: under the target folder, so `cargo clean`
    /// removes it and nothing lands in the source tree.
    fn install_dir() -> PathBuf {
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("tools")
            .join(format!("sarif-multitool-{VERSION}"))
    }

    fn binary_in(dir: &Path) -> PathBuf {
        dir.join("node_modules/@microsoft")
            .join(PLATFORM_PACKAGE)
            .join(BINARY)
    }

    /// The multitool's native binary, installing it when missing. Panics when
    /// it cannot be installed: the SARIF tests must not pass by skipping.
    pub fn binary() -> &'static Path {
        static BINARY_PATH: OnceLock<PathBuf> = OnceLock::new();
        BINARY_PATH.get_or_init(install)
    }

    fn install() -> PathBuf {
        let dir = install_dir();
        let binary = binary_in(&dir);
        if !binary.is_file() {
            // Install into a private folder and rename it into place, so test
            // processes running at the same time never see half an install.
            let parent = dir.parent().expect("install dir has a parent");
            std::fs::create_dir_all(parent).expect("create tools folder");
            let staging = parent.join(format!("staging-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&staging);
            std::fs::create_dir_all(&staging).expect("create staging folder");
            let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
            let output = Command::new(npm)
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&staging)
                .arg(format!("@microsoft/sarif-multitool@{VERSION}"))
                .output()
                .unwrap_or_else(|e| panic!("cannot run npm to install the SARIF multitool: {e}"));
            assert!(
                output.status.success(),
                "npm install @microsoft/sarif-multitool@{VERSION} failed ({}):\n{}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            if std::fs::rename(&staging, &dir).is_err() {
                // Another process got there first; its install is as good.
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        assert!(
            binary.is_file(),
            "the SARIF multitool binary is missing at {}",
            binary.display()
        );
        // npm may not run the package's `chmod u+x` postinstall script.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut permissions = std::fs::metadata(&binary)
                .expect("stat multitool")
                .permissions();
            if permissions.mode() & 0o100 == 0 {
                permissions.set_mode(permissions.mode() | 0o100);
                std::fs::set_permissions(&binary, permissions).expect("chmod multitool");
            }
        }
        binary
    }

    /// Runs `validate --rule-kind "Gh;Sarif"` (the SARIF spec rules and
    /// GitHub's ingestion rules) on a SARIF file and returns the validator's
    /// own log.
    pub fn validate(sarif: &Path) -> Value {
        let out = sarif.with_extension("validation.sarif");
        let output = Command::new(binary())
            .arg("validate")
            .arg(sarif)
            .args([
                "--rule-kind",
                "Gh;Sarif",
                "--log",
                "ForceOverwrite",
                // The fixtures' log is over the 10 MB default (every policy
                // in five dialects); GitHub itself accepts up to 10 MB gzipped.
                "--max-file-size-in-kb",
                "100000",
                "--output",
            ])
            .arg(&out)
            .output()
            .unwrap_or_else(|e| panic!("cannot run the SARIF multitool: {e}"));
        let console = format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "SARIF multitool failed on {} ({}):\n{console}",
            sarif.display(),
            output.status
        );
        let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
            panic!(
                "the SARIF multitool wrote no log {}: {e}\n{console}",
                out.display()
            )
        });
        serde_json::from_str(&text).expect("the multitool's log is JSON")
    }

    /// Every problem in a validator log: results at level `error` or `warning`,
    /// and error notifications of the validator itself. A result without a
    /// level takes its rule's `defaultConfiguration.level`, else `warning`
    /// (SARIF §3.27.10 for kind `fail`, the default kind).
    pub fn problems(log: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let runs = log["runs"].as_array().expect("validator log has runs");
        for run in runs {
            let rules = run["tool"]["driver"]["rules"].as_array();
            let rule_level = |result: &Value| -> Option<String> {
                let rules = rules?;
                let rule = result["ruleIndex"]
                    .as_u64()
                    .and_then(|i| rules.get(usize::try_from(i).ok()?))
                    .or_else(|| rules.iter().find(|r| r["id"] == result["ruleId"]))?;
                rule["defaultConfiguration"]["level"]
                    .as_str()
                    .map(str::to_owned)
            };
            for result in run["results"].as_array().into_iter().flatten() {
                let kind = result["kind"].as_str().unwrap_or("fail");
                let level = match result["level"].as_str() {
                    Some(level) => level.to_owned(),
                    None if kind == "fail" => {
                        rule_level(result).unwrap_or_else(|| "warning".to_owned())
                    }
                    None => "none".to_owned(),
                };
                if level == "error" || level == "warning" {
                    problems.push(format!(
                        "{level} {}: {} at {}",
                        result["ruleId"].as_str().unwrap_or("?"),
                        describe_message(result, rules),
                        result["locations"][0]["physicalLocation"]["region"]
                    ));
                }
            }
            for invocation in run["invocations"].as_array().into_iter().flatten() {
                if invocation["executionSuccessful"] == false {
                    problems.push(format!("validator run failed: {invocation}"));
                }
                for key in [
                    "toolExecutionNotifications",
                    "toolConfigurationNotifications",
                ] {
                    for note in invocation[key].as_array().into_iter().flatten() {
                        if note["level"].as_str().unwrap_or("warning") != "note" {
                            problems.push(format!("validator notification: {note}"));
                        }
                    }
                }
            }
        }
        problems
    }

    /// A result's message: its text, or its rule's message string with the
    /// arguments filled in.
    fn describe_message(result: &Value, rules: Option<&Vec<Value>>) -> String {
        let message = &result["message"];
        if let Some(text) = message["text"].as_str() {
            return text.to_owned();
        }
        let id = message["id"].as_str().unwrap_or("");
        let args: Vec<&str> = message["arguments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let template = rules
            .and_then(|rules| rules.iter().find(|r| r["id"] == result["ruleId"]))
            .and_then(|rule| rule["messageStrings"][id]["text"].as_str());
        match template {
            Some(template) => args
                .iter()
                .enumerate()
                .fold(template.to_owned(), |text, (i, arg)| {
                    text.replace(&format!("{{{i}}}"), arg)
                }),
            None => format!("{id} {args:?}"),
        }
    }

    /// Validates a SARIF file and panics listing every problem found.
    pub fn assert_valid(sarif: &Path) {
        let problems = problems(&validate(sarif));
        assert!(
            problems.is_empty(),
            "the SARIF multitool found {} problem(s) in {}:\n{}",
            problems.len(),
            sarif.display(),
            problems.join("\n")
        );
    }
}
