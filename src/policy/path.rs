//! Property paths: a JSONPath subset compiled once and walked over the spanned tree.
//!
//! Syntax: `$` (the resource's property map) or `@` (the current element; the
//! default when a path starts with a name), then `.name`, `['name']`, `[N]`, `[*]`
//! (every element) and `.*` (every value of an object). `@key` reads the key under
//! which the current element sits.
//!
//! Why not jsonpath-rust: policies need three things a JSONPath library cannot give.
//! Keys match after lower-casing and dropping `_`, so `IdleSessionTTLInSeconds`
//! also reads awscc's `idle_session_ttl_in_seconds`; a walk that stops early
//! reports the nearest existing parent (a finding on a missing property points
//! there); and values are resolved through intrinsics while walking, so an
//! unresolved `!If` or `${…}` yields unknown rather than a wrong answer.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub root: Root,
    pub steps: Vec<Step>,
    text: String,
    /// `suffixes[i]`: steps `i..` as text (`.Foo[0]`), so that reporting a missing
    /// property shares one string instead of formatting the steps every time.
    suffixes: Vec<std::sync::Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `$`: the resource's property map.
    Resource,
    /// `@`: the current element of a `for_each` or quantifier.
    Current,
    /// `@key`: the key (or index) of the current element.
    CurrentKey,
    /// `@resource`: the key that names the resource (logical ID, Terraform name or
    /// plan address), for checks about the resource as a whole.
    ResourceKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A key, kept as written and in its matching form (lower-case, no `_`).
    Key {
        name: String,
        folded: String,
    },
    Index(usize),
    /// `[*]`: each element of an array; an object or scalar counts as a one-element
    /// array (Terraform blocks written as one object; IAM's "string or list").
    Each,
    /// `.*`: each value of an object.
    Values,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path `{path}`: {reason} (at character {at})")]
pub struct PathError {
    pub path: String,
    pub reason: &'static str,
    pub at: usize,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let err = |reason, at| PathError {
            path: text.to_owned(),
            reason,
            at,
        };
        let trimmed = text.trim();
        let special = match trimmed {
            "@key" => Some(Root::CurrentKey),
            "@resource" => Some(Root::ResourceKey),
            _ => None,
        };
        if let Some(root) = special {
            return Ok(Path::new(root, Vec::new(), trimmed));
        }
        let chars: Vec<char> = trimmed.chars().collect();
        let mut i = 0;
        let root = match chars.first() {
            Some('$') => {
                i = 1;
                Root::Resource
            }
            Some('@') => {
                i = 1;
                Root::Current
            }
            _ => Root::Current,
        };
        let mut steps = Vec::new();
        let mut expect_name = i == 0;
        while i < chars.len() || expect_name {
            if expect_name {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| !matches!(c, '.' | '[' | ']' | '\'' | '"'))
                {
                    i += 1;
                }
                if i == start {
                    if chars.get(i).is_none() && steps.is_empty() && start == 0 {
                        return Err(err("empty path", i));
                    }
                    if chars.get(start) == Some(&'[') {
                        expect_name = false;
                        continue;
                    }
                    return Err(err("expected a property name", i));
                }
                let name: String = chars.get(start..i).unwrap_or_default().iter().collect();
                steps.push(if name == "*" {
                    Step::Values
                } else {
                    Step::key(&name)
                });
                expect_name = false;
                continue;
            }
            match chars.get(i) {
                Some('.') => {
                    i += 1;
                    expect_name = true;
                }
                Some('[') => {
                    let close = chars
                        .get(i..)
                        .unwrap_or_default()
                        .iter()
                        .position(|&c| c == ']')
                        .map(|p| p + i)
                        .ok_or_else(|| err("unclosed `[`", i))?;
                    let inner: String =
                        chars.get(i + 1..close).unwrap_or_default().iter().collect();
                    let inner = inner.trim();
                    let step = if inner == "*" {
                        Step::Each
                    } else if let Ok(n) = inner.parse::<usize>() {
                        Step::Index(n)
                    } else if let Some(quoted) = inner
                        .strip_prefix('\'')
                        .and_then(|s| s.strip_suffix('\''))
                        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                    {
                        Step::key(quoted)
                    } else {
                        return Err(err(
                            "expected `*`, an index or a quoted key inside `[]`",
                            i + 1,
                        ));
                    };
                    steps.push(step);
                    i = close + 1;
                }
                Some(_) => return Err(err("expected `.` or `[`", i)),
                None => break,
            }
        }
        Ok(Path::new(root, steps, trimmed))
    }

    fn new(root: Root, steps: Vec<Step>, text: &str) -> Path {
        let suffixes = (0..=steps.len())
            .map(|from| {
                steps
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<String>()
                    .into()
            })
            .collect();
        Path {
            root,
            steps,
            text: text.to_owned(),
            suffixes,
        }
    }

    /// Steps `from..` as text, e.g. `.ObfuscationSetting.ObfuscationSettingType`.
    pub fn suffix(&self, from: usize) -> Option<&std::sync::Arc<str>> {
        self.suffixes.get(from)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Step {
    fn key(name: &str) -> Step {
        Step::Key {
            name: name.to_owned(),
            folded: fold_key(name),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Key { name, .. } => write!(f, ".{name}"),
            Step::Index(n) => write!(f, "[{n}]"),
            Step::Each => f.write_str("[*]"),
            Step::Values => f.write_str(".*"),
        }
    }
}

/// The matching form of a key: ASCII lower case without underscores.
pub fn fold_key(key: &str) -> String {
    key.chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether `key` equals an already folded key, without allocating.
pub fn key_matches(key: &str, folded: &str) -> bool {
    let mut wanted = folded.bytes();
    for b in key.bytes().filter(|&b| b != b'_') {
        if wanted.next() != Some(b.to_ascii_lowercase()) {
            return false;
        }
    }
    wanted.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_syntax() {
        let p = Path::parse("$.BotLocales[*].Intents[0]['Slot Name'].*").unwrap();
        assert_eq!(p.root, Root::Resource);
        assert_eq!(
            p.steps,
            vec![
                Step::key("BotLocales"),
                Step::Each,
                Step::key("Intents"),
                Step::Index(0),
                Step::key("Slot Name"),
                Step::Values
            ]
        );
        let p = Path::parse("Destination.S3Bucket.KmsKeyArn").unwrap();
        assert_eq!(p.root, Root::Current);
        assert_eq!(p.steps.len(), 3);
        assert_eq!(Path::parse("[*]").unwrap().steps, vec![Step::Each]);
        assert_eq!(Path::parse("@key").unwrap().root, Root::CurrentKey);
        assert_eq!(Path::parse("$").unwrap().steps, vec![]);
        assert!(Path::parse("a[").is_err());
        assert!(Path::parse("a..b").is_err());
        assert!(Path::parse("a[x]").is_err());
    }

    #[test]
    fn keys_match_across_cloudformation_and_terraform_spelling() {
        let folded = fold_key("IdleSessionTTLInSeconds");
        assert!(key_matches("idle_session_ttl_in_seconds", &folded));
        assert!(key_matches("IdleSessionTTLInSeconds", &folded));
        assert!(!key_matches("idle_session_ttl", &folded));
        assert!(key_matches("cloudwatch", &fold_key("CloudWatch")));
    }
}
