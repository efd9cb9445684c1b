//! How resources refer to each other when a reference is written as a literal:
//! the names and ARNs each resource type is known by, and ARN normalisation
//! (domain §5.2–§5.3). Policies name the types to follow; this table says how
//! literals match them.

use super::Resource;
use crate::node::Node;

/// Properties whose literal value identifies a resource of a type.
const IDENTITY_KEYS: &[(&str, &[&str])] = &[
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    ("aws_cloudwatch_log_group", &["name", "arn", "id"]),
    ("AWS::S3::Bucket", &["BucketName"]),
    ("aws_s3_bucket", &["bucket", "arn", "id"]),
    ("aws_kms_key", &["arn", "key_id", "id"]),
    ("AWS::KMS::Alias", &["AliasName"]),
    ("aws_kms_alias", &["name", "arn"]),
    ("AWS::IAM::Role", &["RoleName"]),
    ("aws_iam_role", &["name", "arn"]),
    ("AWS::Lambda::Function", &["FunctionName"]),
    ("aws_lambda_function", &["function_name", "arn"]),
    ("aws_lex_bot", &["name"]),
    ("AWS::SecretsManager::Secret", &["Name"]),
    ("aws_secretsmanager_secret", &["name", "arn"]),
];

/// Resource types that stand for another resource: a KMS alias stands for its
/// target key. A link that wants the target follows this property.
const FORWARDERS: &[(&str, &str)] = &[
    ("AWS::KMS::Alias", "TargetKeyId"),
    ("aws_kms_alias", "target_key_id"),
];

/// The literal names and ARNs a resource is known by, normalised. `literal`
/// reads a property as a known string (after resolving intrinsics).
pub fn identities(
    resource: &Resource<'_>,
    literal: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    IDENTITY_KEYS
        .iter()
        .filter(|(ty, _)| *ty == resource.resource_type)
        .flat_map(|(_, keys)| keys.iter())
        .filter_map(|key| literal(key))
        .map(|value| normalise(&value))
        .collect()
}

/// The property a forwarding resource (a KMS alias) points through, if any.
pub fn forwarded_by(resource_type: &str) -> Option<&'static str> {
    FORWARDERS
        .iter()
        .find(|(ty, _)| *ty == resource_type)
        .map(|(_, key)| *key)
}

/// `alias/aws/…`: an AWS-managed key, never in the input and never the user's to configure.
pub fn is_aws_managed_key(value: &str) -> bool {
    normalise(value).starts_with("alias/aws/")
}

/// Reduces an ARN to the name it matches on (domain §5.3): log groups lose a
/// trailing `:*`, S3 ARNs become bucket names, KMS key ARNs key IDs, alias ARNs
/// `alias/<name>`, IAM role ARNs role names, Lambda ARNs function names.
pub fn normalise(value: &str) -> String {
    let value = value.trim();
    let Some(rest) = value.strip_prefix("arn:") else {
        return value.to_owned();
    };
    // arn:partition:service:region:account:resource
    let mut parts = rest.splitn(5, ':');
    let (_partition, service, _region, _account, resource) = (
        parts.next(),
        parts.next().unwrap_or(""),
        parts.next(),
        parts.next(),
        parts.next().unwrap_or(""),
    );
    let name = match service {
        "logs" => resource
            .strip_prefix("log-group:")
            .map(|r| r.strip_suffix(":*").unwrap_or(r)),
        "s3" => Some(resource.split('/').next().unwrap_or(resource)),
        "kms" => resource
            .strip_prefix("key/")
            .or_else(|| resource.strip_prefix("alias/").map(|_| resource)),
        "iam" => resource
            .strip_prefix("role/")
            .map(|r| r.rsplit('/').next().unwrap_or(r)),
        "lambda" => resource
            .strip_prefix("function:")
            .map(|r| r.split(':').next().unwrap_or(r)),
        "secretsmanager" => resource.strip_prefix("secret:"),
        _ => None,
    };
    name.unwrap_or(value).to_owned()
}

/// A node's text when it is a plain string (used for identity properties).
pub fn string_of(node: &Node) -> Option<String> {
    node.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_normalise_to_the_names_they_match_on() {
        assert_eq!(
            normalise("arn:aws:logs:us-east-1:111122223333:log-group:lex:*"),
            "lex"
        );
        assert_eq!(
            normalise("arn:aws:logs:us-east-1:111122223333:log-group:/aws/lex/a"),
            "/aws/lex/a"
        );
        assert_eq!(normalise("arn:aws:s3:::audio-logs/prefix/*"), "audio-logs");
        assert_eq!(
            normalise("arn:aws-us-gov:kms:us-east-1:1:key/1234-ab"),
            "1234-ab"
        );
        assert_eq!(normalise("arn:aws:kms:us-east-1:1:alias/lex"), "alias/lex");
        assert_eq!(
            normalise("arn:aws:iam::1:role/service/lex-role"),
            "lex-role"
        );
        assert_eq!(
            normalise("arn:aws:lambda:us-east-1:1:function:hook:live"),
            "hook"
        );
        assert_eq!(normalise("plain-name"), "plain-name");
        assert!(is_aws_managed_key("alias/aws/s3"));
        assert!(is_aws_managed_key("arn:aws:kms:us-east-1:1:alias/aws/s3"));
    }
}
