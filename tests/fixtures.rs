//! Policy fixtures: every built-in policy has a `fixtures/<ID>/` folder of pass and
//! fail documents in each dialect it covers, and an `expected.yaml` that lists, for
//! every fixture file, the exact findings of that policy as `"LINE:COLUMN"` or
//! `"LINE:COLUMN unknown"` (1-based; columns count characters).
//!
//! The expectations are derived by hand from the catalog's location rules, not
//! recorded from lexguard's output.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lexguard::engine::check_source;
use lexguard::finding::{Finding, Status};
use lexguard::node::{Node, Value};
use lexguard::parse::Limits;
use lexguard::policy::{load_policies, Policy, Selection};
use lexguard::source::SourceFile;

const EXPECTED: &str = "expected.yaml";

/// One expected or reported finding: where it points and whether it is a fail or
/// an unknown. Ordered by line, column, then status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    line: usize,
    column: usize,
    status: Status,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)?;
        if self.status == Status::Unknown {
            f.write_str(" unknown")?;
        }
        Ok(())
    }
}

/// The kinds of fixture file, told apart by their name's ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    CfnYaml,
    CfnJson,
    TfJson,
    Tf,
    Plan,
    State,
}

impl Kind {
    fn of(name: &str) -> Option<Kind> {
        if name.ends_with(".tf.json") {
            Some(Kind::TfJson)
        } else if name.ends_with(".plan.json") {
            Some(Kind::Plan)
        } else if name.ends_with(".state.json") {
            Some(Kind::State)
        } else if name.ends_with(".json") {
            Some(Kind::CfnJson)
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            Some(Kind::CfnYaml)
        } else if name.ends_with(".tf") {
            Some(Kind::Tf)
        } else {
            None
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::CfnYaml => "CloudFormation YAML (.yaml)",
            Kind::CfnJson => "CloudFormation JSON (.json)",
            Kind::TfJson => "Terraform JSON configuration (.tf.json)",
            Kind::Tf => "Terraform HCL (.tf)",
            Kind::Plan => "Terraform plan JSON (.plan.json)",
            Kind::State => "Terraform state JSON (.state.json)",
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        load_policies(&[], &Selection::default()).unwrap_or_else(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("built-in policies do not load:\n{}", errors.join("\n"))
        })
    })
}

/// Parses one expectation string: `"12:7"` (fail) or `"12:7 unknown"`.
fn parse_place(text: &str) -> Result<Place, String> {
    let mut words = text.split_whitespace();
    let position = words.next().ok_or("empty expectation")?;
    let status = match words.next() {
        None => Status::Fail,
        Some("unknown") => Status::Unknown,
        Some(other) => {
            return Err(format!(
                "unknown status {other:?} (only `unknown` may follow the position)"
            ))
        }
    };
    if let Some(extra) = words.next() {
        return Err(format!("unexpected {extra:?} after the status"));
    }
    let (line, column) = position
        .split_once(':')
        .ok_or_else(|| format!("{position:?} is not LINE:COLUMN"))?;
    let number = |s: &str| {
        s.parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{s:?} in {position:?} is not a positive number"))
    };
    Ok(Place {
        line: number(line)?,
        column: number(column)?,
        status,
    })
}

/// Reads `expected.yaml` with lexguard's own YAML parser: a mapping from fixture
/// file name to a list of expectation strings.
fn read_expected(path: &Path) -> Result<BTreeMap<String, Vec<Place>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let root = lexguard::parse::yaml::parse(&text, &Limits::default())
        .map_err(|e| format!("{} does not parse: {e}", path.display()))?;
    let entries = root.as_object().ok_or_else(|| {
        format!(
            "{} must be a mapping of file name to findings",
            path.display()
        )
    })?;
    let mut expected = BTreeMap::new();
    for entry in entries {
        let items = match &entry.value.value {
            Value::Array(items) => items.as_slice(),
            _ => {
                return Err(format!(
                    "{}: `{}` must map to a list of \"LINE:COLUMN\" strings",
                    path.display(),
                    entry.key
                ))
            }
        };
        let places = items
            .iter()
            .map(|item: &Node| {
                item.as_str()
                    .ok_or_else(|| "expectations must be strings".to_owned())
                    .and_then(parse_place)
                    .map_err(|e| format!("{}: `{}`: {e}", path.display(), entry.key))
            })
            .collect::<Result<Vec<Place>, String>>()?;
        expected.insert(entry.key.clone(), places);
    }
    Ok(expected)
}

/// The findings of one policy in one fixture file.
fn findings_of(path: &Path, policy_id: &str) -> Result<Vec<Finding>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let source = SourceFile::decode(path, bytes)
        .map_err(|e| format!("cannot decode {}: {e}", path.display()))?;
    let findings = check_source(source, policies(), &Limits::default())
        .map_err(|e| format!("lexguard cannot check {}: {e}", path.display()))?;
    Ok(findings
        .into_iter()
        .filter(|f| &*f.policy_id == policy_id)
        .collect())
}

fn place_of(finding: &Finding) -> Place {
    Place {
        line: finding.region.start.line,
        column: finding.region.start.column,
        status: finding.status,
    }
}

/// Describes how the reported findings differ from the expected ones, or `None`
/// when they are the same multiset.
fn diff(file: &str, expected: &[Place], reported: &[Finding]) -> Option<String> {
    let mut want = expected.to_vec();
    want.sort();
    let mut got: Vec<(Place, &Finding)> = reported.iter().map(|f| (place_of(f), f)).collect();
    got.sort_by_key(|(p, _)| *p);
    if want == got.iter().map(|(p, _)| *p).collect::<Vec<_>>() {
        return None;
    }
    // Multiset differences: what was expected and not reported, and the reverse.
    let mut unmatched: Vec<Option<Place>> = want.iter().copied().map(Some).collect();
    let mut unexpected = Vec::new();
    for (place, finding) in &got {
        match unmatched.iter_mut().find(|w| **w == Some(*place)) {
            Some(slot) => *slot = None,
            None => unexpected.push((*place, *finding)),
        }
    }
    let missing: Vec<Place> = unmatched.into_iter().flatten().collect();
    let list = |places: &[Place]| {
        places
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!(
        "{file}: findings differ\n    expected: [{}]\n    reported: [{}]",
        list(&want),
        list(&got.iter().map(|(p, _)| *p).collect::<Vec<_>>()),
    );
    for place in &missing {
        out.push_str(&format!("\n    - expected but not reported: {place}"));
    }
    for (place, finding) in &unexpected {
        out.push_str(&format!(
            "\n    + reported but not expected: {place} ({} `{}` at {}: {})",
            finding.resource.id,
            finding.resource.resource_type,
            finding.property_path,
            finding.message
        ));
    }
    Some(out)
}

/// Checks one policy's fixture folder and returns every problem found.
fn folder_problems(policy_id: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(policy) = policies().iter().find(|p| p.info.id == policy_id) else {
        return vec![format!(
            "fixtures/{policy_id}: no built-in policy has this ID"
        )];
    };
    let dir = fixtures_dir().join(policy_id);
    let mut files: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != EXPECTED)
            .collect(),
        Err(e) => return vec![format!("cannot read {}: {e}", dir.display())],
    };
    files.sort();
    let expected = match read_expected(&dir.join(EXPECTED)) {
        Ok(expected) => expected,
        Err(e) => return vec![e],
    };

    // expected.yaml and the folder list the same files.
    for file in &files {
        if !expected.contains_key(file) {
            problems.push(format!("{policy_id}/{file}: not listed in {EXPECTED}"));
        }
    }
    for file in expected.keys() {
        if !files.contains(file) {
            problems.push(format!(
                "{policy_id}/{EXPECTED}: lists `{file}`, which is not in the folder"
            ));
        }
    }

    // Names say what a fixture is: fail* expects findings, pass* none.
    let mut kinds: BTreeMap<(Kind, bool), Vec<&str>> = BTreeMap::new();
    for (file, places) in &expected {
        let pass = file.starts_with("pass");
        if !pass && !file.starts_with("fail") {
            problems.push(format!(
                "{policy_id}/{file}: fixture names start with `pass` or `fail`"
            ));
        }
        if pass && !places.is_empty() {
            problems.push(format!(
                "{policy_id}/{file}: a pass fixture must expect no finding"
            ));
        }
        if !pass && places.is_empty() {
            problems.push(format!(
                "{policy_id}/{file}: a fail fixture must expect at least one finding"
            ));
        }
        match Kind::of(file) {
            Some(kind) => kinds.entry((kind, pass)).or_default().push(file),
            None => problems.push(format!(
                "{policy_id}/{file}: unrecognised fixture extension"
            )),
        }
    }

    // Every dialect the policy covers has a pass and a fail fixture.
    let types = &policy.info.resource_types;
    let mut required = Vec::new();
    if types.iter().any(|t| t.starts_with("AWS::")) {
        required.extend([Kind::CfnYaml, Kind::CfnJson]);
    }
    if types.iter().any(|t| !t.starts_with("AWS::")) {
        required.extend([Kind::TfJson, Kind::Tf, Kind::Plan]);
    }
    for kind in required {
        for (pass, word) in [(true, "pass"), (false, "fail")] {
            if !kinds.contains_key(&(kind, pass)) {
                problems.push(format!(
                    "{policy_id}: no {word} fixture in {} (resource types: {})",
                    kind.describe(),
                    types.join(", ")
                ));
            }
        }
    }

    // Run lexguard on every fixture and compare with the expectations.
    for file in &files {
        let path = dir.join(file);
        if file.contains("crlf") {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
                    let lf = bytes.iter().filter(|b| **b == b'\n').count();
                    if crlf == 0 || crlf != lf {
                        problems.push(format!(
                            "{policy_id}/{file}: a *crlf* fixture must use CRLF line breaks only ({crlf} CRLF, {lf} LF); check .gitattributes"
                        ));
                    }
                }
                Err(e) => problems.push(format!("cannot read {}: {e}", path.display())),
            }
        }
        let Some(want) = expected.get(file) else {
            continue;
        };
        match findings_of(&path, policy_id) {
            Ok(found) => problems.extend(diff(&format!("{policy_id}/{file}"), want, &found)),
            Err(e) => problems.push(e),
        }
    }
    problems
}

/// Every fixture folder gives exactly the findings its `expected.yaml` declares.
/// One test over all folders, so adding a policy touches no Rust code; the
/// failure message names every folder and file that differs.
#[test]
fn fixtures_give_exactly_their_expected_findings() {
    let mut folders: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert!(
        folders.len() >= 6,
        "fixture folders went missing: {folders:?}"
    );
    let problems: Vec<String> = folders.iter().flat_map(|f| folder_problems(f)).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s) in fixtures:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every built-in policy has a fixture folder, and every fixture
/// folder belongs to a built-in policy.
#[test]
fn every_policy_has_fixtures() {
    let mut problems = Vec::new();
    let folders: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for policy in policies() {
        let id = policy.info.id.as_str();
        if !folders.iter().any(|f| f == id) {
            problems.push(format!("built-in policy {id} has no fixtures/{id} folder"));
        }
    }
    for folder in &folders {
        if !policies().iter().any(|p| &p.info.id == folder) {
            problems.push(format!(
                "fixtures/{folder} does not match a built-in policy ID"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn expectation_syntax() {
    assert_eq!(
        parse_place("9:7"),
        Ok(Place {
            line: 9,
            column: 7,
            status: Status::Fail
        })
    );
    assert_eq!(
        parse_place("42:7 unknown").map(|p| p.status),
        Ok(Status::Unknown)
    );
    assert!(parse_place("0:7").is_err());
    assert!(parse_place("9").is_err());
    assert!(parse_place("9:7 fail").is_err());
}
