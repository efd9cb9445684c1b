//! Policy parameters set to non-default values through `.lexguard.yaml`, checked
//! through the binary: the fixtures run with every default, so list parameters that
//! are empty (not enforced) by default are exercised here.

use std::path::Path;
use std::process::{Command, Output};

/// A bot with a model in each Bedrock model-specification place. Line numbers are
/// part of the expectations below; keep them in step when editing.
const BOT_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ModelArn:
    Type: String
Resources:
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: Bot
      RoleArn: arn:aws:iam::111122223333:role/lex
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      BotLocales:
        - LocaleId: en_US
          NluConfidenceThreshold: 0.4
          UnifiedSpeechSettings:
            SpeechFoundationModel:
              ModelArn: arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-sonic-v1:0
          GenerativeAISettings:
            BuildtimeSettings:
              DescriptiveBotBuilderSpecification:
                Enabled: true
                BedrockModelSpecification:
                  ModelArn: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0
              SampleUtteranceGenerationSpecification:
                Enabled: true
                BedrockModelSpecification:
                  ModelArn: arn:aws:bedrock:us-east-1:111122223333:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0
            RuntimeSettings:
              SlotResolutionImprovementSpecification:
                Enabled: true
                BedrockModelSpecification:
                  ModelArn: arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0
          Intents:
            - Name: Faq
              ParentIntentSignature: AMAZON.QnAIntent
              QnAIntentConfiguration:
                BedrockModelConfiguration:
                  ModelArn: arn:aws:bedrock:us-west-2:111122223333:application-inference-profile/a1b2c3d4e5f6
            - Name: Agent
              ParentIntentSignature: AMAZON.BedrockAgentIntent
              BedrockAgentIntentConfiguration:
                BedrockAgentIntentKnowledgeBaseConfiguration:
                  BedrockModelConfiguration:
                    ModelArn: !Ref ModelArn
        - LocaleId: en_GB
          NluConfidenceThreshold: 0.4
          Intents:
            - Name: Faq
              ParentIntentSignature: AMAZON.QnAIntent
              QnAIntentConfiguration:
                BedrockModelConfiguration:
                  ModelArn: arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0
            - Name: Agent
              ParentIntentSignature: AMAZON.BedrockAgentIntent
              BedrockAgentIntentConfiguration:
                BedrockAgentIntentKnowledgeBaseConfiguration:
                  BedrockModelConfiguration:
                    ModelArn: arn:aws:bedrock:eu-west-2:111122223333:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0
            - Name: Plain
              ParentIntentSignature: AMAZON.QnAIntent
              QnAIntentConfiguration:
                BedrockModelConfiguration:
                  ModelArn: not-an-arn
"#;

/// Terraform `aws_lexv2models_intent` resources, one per model.
const INTENT_TEMPLATE: &str = r#"{
  "resource": {
    "aws_lexv2models_intent": {
      "us_model": {
        "bot_id": "BOT1234567",
        "bot_version": "DRAFT",
        "locale_id": "en_US",
        "name": "UsModel",
        "qna_intent_configuration": [
          {
            "bedrock_model_configuration": [
              {
                "model_arn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
              }
            ]
          }
        ]
      },
      "eu_model": {
        "bot_id": "BOT1234567",
        "bot_version": "DRAFT",
        "locale_id": "en_US",
        "name": "EuModel",
        "qna_intent_configuration": [
          {
            "bedrock_model_configuration": [
              {
                "model_arn": "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
              }
            ]
          }
        ]
      },
      "global_profile": {
        "bot_id": "BOT1234567",
        "bot_version": "DRAFT",
        "locale_id": "en_US",
        "name": "GlobalProfile",
        "qna_intent_configuration": [
          {
            "bedrock_model_configuration": [
              {
                "model_arn": "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0"
              }
            ]
          }
        ]
      },
      "app_profile": {
        "bot_id": "BOT1234567",
        "bot_version": "DRAFT",
        "locale_id": "en_US",
        "name": "AppProfile",
        "qna_intent_configuration": [
          {
            "bedrock_model_configuration": [
              {
                "model_arn": "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"
              }
            ]
          }
        ]
      }
    }
  }
}
"#;

const LISTS: &str = "version: 1\nparameters:\n  allowed_regions: [us-east-1]\n  \
                     allowed_profile_prefixes: [us]\n";

/// A project folder with a `.git` marker, so no config outside it is found.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("create .git");
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write file");
}

fn lexguard_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexguard"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run lexguard")
}

/// Runs `check --format json --select LEX012` on `template` with `config` as
/// `.lexguard.yaml`, and returns (line, column, status) of every LEX012 finding,
/// sorted.
fn lex012(config: &str, name: &str, template: &str) -> Vec<(u64, u64, String)> {
    findings("LEX012", config, name, template)
}

/// Runs `check --format json --select POLICY` on `template` with `config` as
/// `.lexguard.yaml`, and returns (line, column, status) of every finding of that
/// policy, sorted.
fn findings(policy: &str, config: &str, name: &str, template: &str) -> Vec<(u64, u64, String)> {
    let dir = project();
    write(dir.path(), ".lexguard.yaml", config);
    write(dir.path(), name, template);
    let out = lexguard_in(
        dir.path(),
        &[
            "check",
            name,
            "--config",
            ".lexguard.yaml",
            "--format",
            "json",
            "--select",
            policy,
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(0),
        "errors: {}",
        report["errors"]
    );
    let mut found: Vec<(u64, u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .inspect(|f| assert_eq!(f["policy_id"], policy, "finding: {f}"))
        .map(|f| {
            (
                f["start"]["line"].as_u64().expect("line"),
                f["start"]["column"].as_u64().expect("column"),
                f["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn places(list: &[(u64, u64, &str)]) -> Vec<(u64, u64, String)> {
    list.iter()
        .map(|&(line, column, status)| (line, column, status.to_owned()))
        .collect()
}

#[test]
fn defaults_enforce_only_the_global_profile_ban() {
    assert_eq!(
        lex012("version: 1\n", "bot.yaml", BOT_TEMPLATE),
        places(&[
            (40, 19, "unknown"), // Faq: application inference profile
            (46, 21, "unknown"), // Agent: parameter without Default
            (54, 19, "fail"),    // en_GB Faq: global. profile
            (65, 19, "unknown"), // Plain: not an ARN
        ])
    );
}

#[test]
fn allowed_regions_and_profile_prefixes_fail_models_outside_them() {
    assert_eq!(
        lex012(LISTS, "bot.yaml", BOT_TEMPLATE),
        places(&[
            (19, 15, "fail"),    // speech model in eu-west-1: Region not allowed
            (29, 19, "fail"),    // us-east-1 profile with the eu. prefix
            (40, 19, "unknown"), // application inference profile: geography unseen
            (46, 21, "unknown"), // parameter without Default
            (54, 19, "fail"),    // global. profile (also a prefix outside [us])
            (60, 21, "fail"),    // eu-west-2 and eu.: Region and prefix not allowed
            (65, 19, "unknown"), // not an ARN
        ])
    );
}

#[test]
fn allowed_lists_apply_without_the_global_profile_ban() {
    let config = format!("{LISTS}  deny_global_profiles: false\n");
    assert_eq!(
        lex012(&config, "bot.yaml", BOT_TEMPLATE),
        places(&[
            (19, 15, "fail"),
            (29, 19, "fail"),
            (40, 19, "unknown"),
            (46, 21, "unknown"),
            (54, 19, "fail"), // global is not an allowed prefix
            (60, 21, "fail"),
            (65, 19, "unknown"),
        ])
    );
}

#[test]
fn allowed_lists_apply_to_terraform_intents() {
    assert_eq!(
        lex012(LISTS, "intents.tf.json", INTENT_TEMPLATE),
        places(&[
            (28, 17, "fail"),    // eu_model: eu-west-1
            (43, 17, "fail"),    // global_profile
            (58, 17, "unknown"), // app_profile
        ])
    );
}

#[test]
fn an_allowed_global_prefix_passes_when_global_profiles_are_not_denied() {
    let config = "version: 1\nparameters:\n  deny_global_profiles: false\n  \
                  allowed_regions: [us-east-1, us-west-2]\n  \
                  allowed_profile_prefixes: [us, global]\n";
    assert_eq!(
        lex012(config, "intents.tf.json", INTENT_TEMPLATE),
        places(&[
            (28, 17, "fail"),    // eu_model: eu-west-1
            (58, 17, "unknown"), // app_profile
        ])
    );
}

/// Audio-log entries without `KmsKeyArn`: one to an SSE-KMS bucket, one to an
/// AES256 bucket named in a literal ARN, one to a bucket outside the input, and a
/// test alias to a bucket without default encryption. Line numbers are part of the
/// expectations below.
const AUDIO_TEMPLATE: &str = r#"Resources:
  KmsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms:dsse
  PlainBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: plain-audio
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
  BareBucket:
    Type: AWS::S3::Bucket
  Alias:
    Type: AWS::Lex::BotAlias
    Properties:
      BotId: BOT1234567
      BotAliasName: prod
      ConversationLogSettings:
        AudioLogSettings:
          - Enabled: true
            Destination:
              S3Bucket:
                S3BucketArn: !GetAtt KmsBucket.Arn
                LogPrefix: kms/
          - Enabled: true
            Destination:
              S3Bucket:
                S3BucketArn: arn:aws:s3:::plain-audio
                LogPrefix: plain/
          - Enabled: true
            Destination:
              S3Bucket:
                S3BucketArn: arn:aws:s3:::elsewhere
                LogPrefix: elsewhere/
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: Bot
      RoleArn: arn:aws:iam::111122223333:role/lex
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      TestBotAliasSettings:
        ConversationLogSettings:
          AudioLogSettings:
            - Enabled: true
              Destination:
                S3Bucket:
                  S3BucketArn: !GetAtt BareBucket.Arn
                  LogPrefix: test/
"#;

/// Terraform audio logs without `kms_key_arn`: to a bucket with a split SSE-KMS
/// configuration, and to a bucket whose split configuration is AES256.
const AUDIO_TF_TEMPLATE: &str = r#"{
  "resource": {
    "aws_s3_bucket": {
      "kms": { "bucket": "kms-audio" },
      "plain": { "bucket": "plain-audio" }
    },
    "aws_s3_bucket_server_side_encryption_configuration": {
      "kms": {
        "bucket": "${aws_s3_bucket.kms.id}",
        "rule": [{ "apply_server_side_encryption_by_default": [{ "sse_algorithm": "aws:kms" }] }]
      },
      "plain": {
        "bucket": "plain-audio",
        "rule": [{ "apply_server_side_encryption_by_default": [{ "sse_algorithm": "AES256" }] }]
      }
    },
    "awscc_lex_bot_alias": {
      "prod": {
        "bot_id": "BOT1234567",
        "bot_alias_name": "prod",
        "conversation_log_settings": {
          "audio_log_settings": [
            {
              "enabled": true,
              "destination": {
                "s3_bucket": { "s3_bucket_arn": "${aws_s3_bucket.kms.arn}", "log_prefix": "kms/" }
              }
            },
            {
              "enabled": true,
              "destination": {
                "s3_bucket": { "s3_bucket_arn": "arn:aws:s3:::plain-audio", "log_prefix": "plain/" }
              }
            }
          ]
        }
      }
    }
  }
}
"#;

const ACCEPT_BUCKET: &str = "version: 1\nparameters:\n  accept_bucket_sse_kms: true\n";

#[test]
fn lex002_by_default_requires_a_key_on_every_audio_entry() {
    assert_eq!(
        findings("LEX002", "version: 1\n", "audio.yaml", AUDIO_TEMPLATE),
        places(&[
            (28, 15, "fail"), // to KmsBucket: no KmsKeyArn, at S3Bucket:
            (33, 15, "fail"), // to plain-audio
            (38, 15, "fail"), // to a bucket outside the input
            (54, 17, "fail"), // test alias to BareBucket
        ])
    );
}

#[test]
fn lex002_accept_bucket_sse_kms_passes_entries_logging_to_an_sse_kms_bucket() {
    assert_eq!(
        findings("LEX002", ACCEPT_BUCKET, "audio.yaml", AUDIO_TEMPLATE),
        places(&[
            (33, 15, "fail"),    // plain-audio is AES256: still no key, at S3Bucket:
            (39, 17, "unknown"), // elsewhere is not in the input, at S3BucketArn
            (54, 17, "fail"),    // BareBucket has no default encryption
        ])
    );
}

#[test]
fn lex002_accept_bucket_sse_kms_follows_terraform_split_encryption() {
    assert_eq!(
        findings("LEX002", "version: 1\n", "audio.tf.json", AUDIO_TF_TEMPLATE),
        places(&[(26, 17, "fail"), (32, 17, "fail")])
    );
    assert_eq!(
        findings("LEX002", ACCEPT_BUCKET, "audio.tf.json", AUDIO_TF_TEMPLATE),
        places(&[(32, 17, "fail")]) // plain-audio's split configuration is AES256
    );
}

/// Bots importing their definition from buckets: one passing LEX027-029, one
/// failing LEX028 (named by `!Ref`), and one outside the input. Every bot pins its
/// object version.
const IMPORT_TEMPLATE: &str = r#"Resources:
  GoodBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: lex-definitions
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      VersioningConfiguration:
        Status: Enabled
  OpenBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: false
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      VersioningConfiguration:
        Status: Enabled
  UnrelatedBucket:
    Type: AWS::S3::Bucket
  GoodBot:
    Type: AWS::Lex::Bot
    Properties:
      Name: GoodBot
      RoleArn: arn:aws:iam::111122223333:role/lex
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      BotFileS3Location:
        S3Bucket: lex-definitions
        S3ObjectKey: good.zip
        S3ObjectVersion: v1
  OpenBot:
    Type: AWS::Lex::Bot
    Properties:
      Name: OpenBot
      RoleArn: arn:aws:iam::111122223333:role/lex
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      BotFileS3Location:
        S3Bucket: !Ref OpenBucket
        S3ObjectKey: open.zip
        S3ObjectVersion: v1
  ElsewhereBot:
    Type: AWS::Lex::Bot
    Properties:
      Name: ElsewhereBot
      RoleArn: arn:aws:iam::111122223333:role/lex
      DataPrivacy:
        ChildDirected: false
      IdleSessionTTLInSeconds: 300
      BotFileS3Location:
        S3Bucket: other-definitions
        S3ObjectKey: elsewhere.zip
        S3ObjectVersion: v1
"#;

/// Terraform: the awscc bot's import bucket has no versioning or public access
/// block; an unrelated bucket is not checked.
const IMPORT_TF_TEMPLATE: &str = r#"{
  "resource": {
    "aws_s3_bucket": {
      "definitions": { "bucket": "lex-definitions" },
      "unrelated": { "bucket": "unrelated" }
    },
    "aws_s3_bucket_server_side_encryption_configuration": {
      "definitions": {
        "bucket": "${aws_s3_bucket.definitions.id}",
        "rule": [{ "apply_server_side_encryption_by_default": [{ "sse_algorithm": "aws:kms" }] }]
      }
    },
    "awscc_lex_bot": {
      "imported": {
        "name": "Imported",
        "role_arn": "arn:aws:iam::111122223333:role/lex",
        "data_privacy": { "child_directed": false },
        "idle_session_ttl_in_seconds": 300,
        "bot_file_s3_location": {
          "s3_bucket": "lex-definitions",
          "s3_object_key": "bot.zip",
          "s3_object_version": "v1"
        }
      }
    }
  }
}
"#;

const CHECK_BUCKET: &str = "version: 1\nparameters:\n  check_bucket: true\n";

#[test]
fn lex018_by_default_checks_only_the_object_version() {
    assert_eq!(
        findings("LEX018", "version: 1\n", "import.yaml", IMPORT_TEMPLATE),
        places(&[])
    );
    assert_eq!(
        findings(
            "LEX018",
            "version: 1\n",
            "import.tf.json",
            IMPORT_TF_TEMPLATE
        ),
        places(&[])
    );
}

#[test]
fn lex018_check_bucket_fails_an_import_bucket_that_fails_lex027_to_lex029() {
    assert_eq!(
        findings("LEX018", CHECK_BUCKET, "import.yaml", IMPORT_TEMPLATE),
        places(&[(26, 9, "fail")]) // OpenBucket: BlockPublicPolicy false
    );
    assert_eq!(
        findings("LEX018", CHECK_BUCKET, "import.tf.json", IMPORT_TF_TEMPLATE),
        places(&[(4, 7, "fail")]) // aws_s3_bucket.definitions: no public access block
    );
}

/// `aws_lexv2models_slot` resources, none of them sensitive by name or type, of an
/// in-scope, an out-of-scope, an unresolved-tag and an unseen bot: also the LEX003
/// `pass-scope.tf.json` fixture, which passes with the default `strict: false`.
const SCOPE_SLOTS_TEMPLATE: &str = include_str!("../fixtures/LEX003/pass-scope.tf.json");

/// `strict` is declared by several policies, so it is set for LEX003 only.
const LEX003_STRICT: &str =
    "version: 1\npolicies:\n  LEX003:\n    parameters:\n      strict: true\n";

#[test]
fn lex003_strict_makes_every_slot_of_an_in_scope_bot_sensitive_through_bot_id() {
    assert_eq!(
        findings(
            "LEX003",
            LEX003_STRICT,
            "slots.tf.json",
            SCOPE_SLOTS_TEMPLATE
        ),
        places(&[
            (39, 11, "unknown"), // unresolved_color: its bot's tag value from a variable without default
            (60, 7, "fail"),     // phi_color: bot tagged PHI, no obfuscation_setting
            (104, 11, "fail"),   // pci_flavor: awscc bot tagged "pci", "None"
            (122, 9, "unknown"), // elsewhere_color: literal bot_id matching no bot in the input
        ])
    );
}

#[test]
fn lex003_strict_off_by_default_leaves_non_sensitive_slots_alone() {
    assert_eq!(
        findings(
            "LEX003",
            "version: 1\n",
            "slots.tf.json",
            SCOPE_SLOTS_TEMPLATE
        ),
        places(&[])
    );
}
