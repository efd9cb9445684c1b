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
            "LEX012",
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
        .inspect(|f| assert_eq!(f["policy_id"], "LEX012", "finding: {f}"))
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
