//! Deterministic benchmark corpus generator.
//!
//! Writes `--count` templates shaped like real Lex stacks into `--out`: about half
//! CloudFormation YAML (with short-form tags), the rest CloudFormation JSON,
//! Terraform `.tf.json` and `terraform show -json` plans. About 30% of the files
//! break one or two of LEX002, LEX003, LEX005, LEX008 and LEX020. The same seed
//! always gives byte-identical files.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --seed 42 --count 2000 --out /tmp/corpus
//! ```

use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

/// splitmix64: tiny, fast and good enough for shaping test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }
}

const LOCALES: [&str; 6] = ["en_US", "en_GB", "es_US", "fr_CA", "de_DE", "ja_JP"];
const SENSITIVE_SLOTS: [(&str, &str); 6] = [
    ("CardNumber", "AMAZON.Number"),
    ("SSN", "AMAZON.AlphaNumeric"),
    ("DateOfBirth", "AMAZON.Date"),
    ("AccountNumber", "AMAZON.AlphaNumeric"),
    ("PhoneNumber", "AMAZON.PhoneNumber"),
    ("EmailAddress", "AMAZON.EmailAddress"),
];
const PLAIN_SLOTS: [(&str, &str); 6] = [
    ("Color", "ColorType"),
    ("Size", "SizeType"),
    ("Crust", "CrustType"),
    ("Quantity", "QuantityType"),
    ("Store", "StoreType"),
    ("Flavor", "FlavorType"),
];
const INTENT_WORDS: [&str; 12] = [
    "Order", "Check", "Cancel", "Book", "Pay", "Track", "Update", "Reset", "Find", "Transfer",
    "Report", "Schedule",
];
const NOUNS: [&str; 12] = [
    "Pizza",
    "Balance",
    "Appointment",
    "Flight",
    "Bill",
    "Package",
    "Address",
    "Password",
    "Store",
    "Funds",
    "Claim",
    "Delivery",
];
const UTTERANCE_WORDS: [&str; 16] = [
    "I", "would", "like", "to", "please", "can", "you", "help", "me", "with", "my", "a", "the",
    "now", "today", "order",
];

/// Which policies a file breaks (at most two per breaking file).
#[derive(Default, Clone, Copy)]
struct Breaks {
    slot: bool,
    ttl: bool,
    draft: bool,
    audio_kms: bool,
    public: bool,
}

impl Breaks {
    fn draw(rng: &mut Rng) -> Breaks {
        let mut b = Breaks::default();
        if !rng.chance(0.30) {
            return b;
        }
        for _ in 0..rng.range(1, 2) {
            match rng.range(0, 4) {
                0 => b.slot = true,
                1 => b.ttl = true,
                2 => b.draft = true,
                3 => b.audio_kms = true,
                _ => b.public = true,
            }
        }
        b
    }
}

fn utterance(rng: &mut Rng, intent: &str) -> String {
    let mut s = String::new();
    for i in 0..rng.range(3, 8) {
        if i > 0 {
            s.push(' ');
        }
        let word = *rng.pick(&UTTERANCE_WORDS);
        s.push_str(word);
    }
    s.push(' ');
    s.push_str(&intent.to_ascii_lowercase());
    s
}

fn message(text: &str) -> Value {
    json!({"MessageGroupsList": [{"Message": {"PlainTextMessage": {"Value": text}}}]})
}

// ---------------------------------------------------------------------------
// Abstract stack: one shape rendered to CloudFormation or Terraform.

struct Slot {
    name: String,
    type_name: String,
    obfuscate: bool,
}

struct Intent {
    name: String,
    utterances: Vec<String>,
    slots: Vec<Slot>,
}

struct Locale {
    id: &'static str,
    intents: Vec<Intent>,
}

struct Stack {
    prefix: String,
    locales: Vec<Locale>,
    ttl: u64,
    alias_draft: bool,
    audio_kms: bool,
    public_policy: bool,
    tagged_phi: bool,
    fillers: usize,
}

fn stack(rng: &mut Rng, index: usize, breaks: Breaks, intents_total: usize) -> Stack {
    let n_locales = rng.range(1, 4).min(intents_total.max(1));
    let per_locale = (intents_total / n_locales).max(1);
    let mut sensitive_left_unobfuscated = breaks.slot;
    let mut locales = Vec::new();
    for &locale_id in &LOCALES[..n_locales] {
        let mut intents = Vec::new();
        for i in 0..per_locale {
            let name = format!(
                "{}{}{}",
                rng.pick(&INTENT_WORDS),
                rng.pick(&NOUNS),
                if i > 0 { i.to_string() } else { String::new() }
            );
            let utterances = (0..rng.range(4, 12))
                .map(|_| utterance(rng, &name))
                .collect();
            let mut slots = Vec::new();
            for s in 0..rng.range(0, 4) {
                let sensitive = rng.chance(0.25);
                let (n, t) = if sensitive {
                    *rng.pick(&SENSITIVE_SLOTS)
                } else {
                    *rng.pick(&PLAIN_SLOTS)
                };
                // A compliant file obfuscates every sensitive slot; a breaking one
                // leaves exactly the first sensitive slot in the clear.
                let mut obfuscate = sensitive || rng.chance(0.2);
                if sensitive && sensitive_left_unobfuscated {
                    obfuscate = false;
                    sensitive_left_unobfuscated = false;
                }
                slots.push(Slot {
                    name: format!("{n}{}", if s > 0 { s.to_string() } else { String::new() }),
                    type_name: t.to_string(),
                    obfuscate,
                });
            }
            intents.push(Intent {
                name,
                utterances,
                slots,
            });
        }
        locales.push(Locale {
            id: locale_id,
            intents,
        });
    }
    if sensitive_left_unobfuscated {
        // No sensitive slot was drawn: add one in the clear so the file still breaks LEX003.
        locales[0].intents[0].slots.push(Slot {
            name: "CardNumber".into(),
            type_name: "AMAZON.Number".into(),
            obfuscate: false,
        });
    }
    Stack {
        prefix: format!("svc{index:05}"),
        locales,
        ttl: if breaks.ttl {
            *rng.pick(&[3600, 7200, 86400])
        } else {
            *rng.pick(&[300, 600, 900])
        },
        alias_draft: breaks.draft,
        audio_kms: !breaks.audio_kms,
        public_policy: breaks.public,
        tagged_phi: rng.chance(0.3),
        fillers: 0,
    }
}

// ---------------------------------------------------------------------------
// CloudFormation

fn r#ref(name: &str) -> Value {
    json!({"Ref": name})
}
fn get_att(name: &str, attr: &str) -> Value {
    json!({"Fn::GetAtt": [name, attr]})
}
fn sub(s: &str) -> Value {
    json!({"Fn::Sub": s})
}

fn cfn_slot(slot: &Slot) -> Value {
    let mut v = json!({
        "Name": slot.name,
        "SlotTypeName": slot.type_name,
        "Description": format!("The caller's {}", slot.name),
        "ValueElicitationSetting": {
            "SlotConstraint": "Required",
            "PromptSpecification": {
                "MaxRetries": 2,
                "AllowInterrupt": true,
                "MessageGroupsList": message(&format!("What is your {}?", slot.name))["MessageGroupsList"].clone()
            }
        }
    });
    if slot.obfuscate {
        v["ObfuscationSetting"] = json!({"ObfuscationSettingType": "DefaultObfuscation"});
    }
    v
}

fn cfn_bot(s: &Stack) -> Value {
    let locales: Vec<Value> = s
        .locales
        .iter()
        .map(|l| {
            let mut intents: Vec<Value> = l
                .intents
                .iter()
                .map(|i| {
                    let mut intent = json!({
                        "Name": i.name,
                        "Description": format!("Handles {}", i.name),
                        "SampleUtterances": i.utterances.iter().map(|u| json!({"Utterance": u})).collect::<Vec<_>>(),
                        "FulfillmentCodeHook": {"Enabled": true},
                        "IntentConfirmationSetting": {
                            "PromptSpecification": {"MaxRetries": 3, "MessageGroupsList": message(&format!("Shall I {}?", i.name))["MessageGroupsList"].clone()},
                            "DeclinationResponse": message("Okay, I will not do that.")
                        }
                    });
                    if !i.slots.is_empty() {
                        intent["Slots"] = Value::Array(i.slots.iter().map(cfn_slot).collect());
                        intent["SlotPriorities"] = Value::Array(
                            i.slots.iter().enumerate().map(|(p, sl)| json!({"Priority": p + 1, "SlotName": sl.name})).collect(),
                        );
                    }
                    intent
                })
                .collect();
            intents.push(json!({
                "Name": "FallbackIntent",
                "Description": "Default intent when no other intent matches",
                "ParentIntentSignature": "AMAZON.FallbackIntent"
            }));
            let custom: Vec<Value> = l
                .intents
                .iter()
                .flat_map(|i| i.slots.iter())
                .filter(|sl| !sl.type_name.starts_with("AMAZON."))
                .map(|sl| sl.type_name.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|t| {
                    json!({
                        "Name": t,
                        "ValueSelectionSetting": {"ResolutionStrategy": "ORIGINAL_VALUE"},
                        "SlotTypeValues": (["one", "two", "three", "four"].iter().map(|v| json!({"SampleValue": {"Value": format!("{t}-{v}")}})).collect::<Vec<_>>())
                    })
                })
                .collect();
            let mut loc = json!({
                "LocaleId": l.id,
                "Description": format!("{} locale", l.id),
                "NluConfidenceThreshold": 0.4,
                "VoiceSettings": {"VoiceId": "Ivy"},
                "Intents": intents
            });
            if !custom.is_empty() {
                loc["SlotTypes"] = Value::Array(custom);
            }
            loc
        })
        .collect();
    let mut tags = vec![json!({"Key": "Project", "Value": s.prefix})];
    if s.tagged_phi {
        tags.push(json!({"Key": "DataClassification", "Value": "PHI"}));
    }
    json!({
        "Type": "AWS::Lex::Bot",
        "Properties": {
            "Name": sub(&format!("{}-${{AWS::StackName}}-bot", s.prefix)),
            "Description": "Customer service bot",
            "RoleArn": get_att("BotRole", "Arn"),
            "DataPrivacy": {"ChildDirected": false},
            "IdleSessionTTLInSeconds": s.ttl,
            "AutoBuildBotLocales": true,
            "BotTags": tags,
            "BotLocales": locales
        }
    })
}

fn cfn_resources(s: &Stack, rng: &mut Rng) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert(
        "BotRole".into(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
                },
                "Policies": [{
                    "PolicyName": "LexLogs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": sub("${TextLogs.Arn}:*")},
                            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": sub("arn:aws:s3:::${AudioBucket}/*")},
                            {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": get_att("LogKey", "Arn")}
                        ]
                    }
                }]
            }
        }),
    );
    r.insert(
        "LogKey".into(),
        json!({
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": "Conversation log key",
                "EnableKeyRotation": true,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": sub("arn:aws:iam::${AWS::AccountId}:root")}, "Action": "kms:*", "Resource": "*"},
                        {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": sub("logs.${AWS::Region}.amazonaws.com")}, "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*"}
                    ]
                }
            }
        }),
    );
    r.insert(
        "TextLogs".into(),
        json!({
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub(&format!("/lex/{}/${{AWS::StackName}}", s.prefix)),
                "RetentionInDays": 365,
                "KmsKeyId": get_att("LogKey", "Arn")
            }
        }),
    );
    r.insert(
        "AudioBucket".into(),
        json!({
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": get_att("LogKey", "Arn")}}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
                "VersioningConfiguration": {"Status": "Enabled"},
                "LifecycleConfiguration": {"Rules": [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": 90}]}
            }
        }),
    );
    r.insert("Bot".into(), cfn_bot(s));
    r.insert(
        "BotVersion".into(),
        json!({
            "Type": "AWS::Lex::BotVersion",
            "Properties": {
                "BotId": r#ref("Bot"),
                "Description": "Release",
                "BotVersionLocaleSpecification": s.locales.iter().map(|l| json!({"LocaleId": l.id, "BotVersionLocaleDetails": {"SourceBotVersion": "DRAFT"}})).collect::<Vec<_>>()
            }
        }),
    );
    let mut s3 = json!({"S3BucketArn": get_att("AudioBucket", "Arn"), "LogPrefix": "audio/"});
    if s.audio_kms {
        s3["KmsKeyArn"] = get_att("LogKey", "Arn");
    }
    r.insert(
        "BotAlias".into(),
        json!({
            "Type": "AWS::Lex::BotAlias",
            "Properties": {
                "BotId": r#ref("Bot"),
                "BotAliasName": "prod",
                "BotVersion": if s.alias_draft { json!("DRAFT") } else { get_att("BotVersion", "BotVersion") },
                "BotAliasLocaleSettings": s.locales.iter().map(|l| json!({"LocaleId": l.id, "BotAliasLocaleSetting": {"Enabled": true, "CodeHookSpecification": {"LambdaCodeHook": {"CodeHookInterfaceVersion": "1.0", "LambdaArn": get_att("Fulfillment", "Arn")}}}})).collect::<Vec<_>>(),
                "ConversationLogSettings": {
                    "TextLogSettings": [{"Enabled": true, "Destination": {"CloudWatch": {"CloudWatchLogGroupArn": get_att("TextLogs", "Arn"), "LogPrefix": "text/"}}}],
                    "AudioLogSettings": [{"Enabled": true, "Destination": {"S3Bucket": s3}}]
                },
                "SentimentAnalysisSettings": {"DetectSentiment": false},
                "BotAliasTags": [{"Key": "Environment", "Value": "production"}]
            }
        }),
    );
    let principal = if s.public_policy {
        json!("*")
    } else {
        json!({"AWS": sub("arn:aws:iam::${AWS::AccountId}:role/app")})
    };
    r.insert(
        "BotPolicy".into(),
        json!({
            "Type": "AWS::Lex::ResourcePolicy",
            "Properties": {
                "ResourceArn": sub("arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/${BotAlias.BotAliasId}"),
                "Policy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Sid": "Runtime", "Effect": "Allow", "Principal": principal, "Action": ["lex:RecognizeText", "lex:RecognizeUtterance"], "Resource": "*"}]
                }
            }
        }),
    );
    r.insert("Fulfillment".into(), cfn_lambda(s, "Fulfillment", rng));
    for i in 0..s.fillers {
        let (name, v) = cfn_filler(i, rng);
        r.insert(name, v);
    }
    r
}

fn cfn_lambda(s: &Stack, name: &str, rng: &mut Rng) -> Value {
    let mut code = String::from("import json\nimport os\n\n");
    for f in 0..rng.range(2, 6) {
        let _ = write!(
            code,
            "def handler_{f}(event, context):\n    slots = event.get('sessionState', {{}}).get('intent', {{}}).get('slots', {{}})\n    return {{'sessionState': {{'dialogAction': {{'type': 'Close'}}}}, 'messages': [{{'contentType': 'PlainText', 'content': os.environ.get('GREETING', 'Done')}}]}}\n\n"
        );
    }
    json!({
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": sub(&format!("{}-{name}-${{AWS::StackName}}", s.prefix)),
            "Runtime": "python3.12",
            "Handler": "index.handler_0",
            "Role": get_att("BotRole", "Arn"),
            "Timeout": 30,
            "MemorySize": 256,
            "Environment": {"Variables": {"GREETING": "Thanks", "LOG_GROUP": r#ref("TextLogs")}},
            "Code": {"ZipFile": code}
        }
    })
}

fn cfn_filler(i: usize, rng: &mut Rng) -> (String, Value) {
    match rng.range(0, 2) {
        0 => (
            format!("Filler{i}"),
            json!({
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "gsi1", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    "GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "gsi1", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
                    "SSESpecification": {"SSEEnabled": true},
                    "Tags": [{"Key": "Name", "Value": format!("table-{i}")}]
                }
            }),
        ),
        1 => (
            format!("Filler{i}"),
            json!({
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": sub(&format!("${{AWS::StackName}}-queue-{i}")),
                    "VisibilityTimeout": 60,
                    "MessageRetentionPeriod": 1_209_600,
                    "KmsMasterKeyId": "alias/aws/sqs",
                    "Tags": [{"Key": "Name", "Value": format!("queue-{i}")}]
                }
            }),
        ),
        _ => (
            format!("Filler{i}"),
            json!({
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": sub(&format!("${{AWS::StackName}}-worker-{i}")),
                    "Runtime": "nodejs20.x",
                    "Handler": "index.handler",
                    "Role": get_att("BotRole", "Arn"),
                    "Timeout": 15,
                    "Environment": {"Variables": {"STAGE": "prod", "INDEX": i.to_string()}},
                    "Code": {"ZipFile": "exports.handler = async (event) => {\n  console.log(JSON.stringify(event));\n  return { statusCode: 200, body: 'ok' };\n};\n"}
                }
            }),
        ),
    }
}

fn cfn_template(s: &Stack, rng: &mut Rng) -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("Lex customer service stack {}", s.prefix),
        "Parameters": {"Stage": {"Type": "String", "Default": "prod", "AllowedValues": ["dev", "prod"]}},
        "Resources": Value::Object(cfn_resources(s, rng)),
        "Outputs": {
            "BotId": {"Value": r#ref("Bot")},
            "BotAliasArn": {"Value": get_att("BotAlias", "Arn")}
        }
    })
}

// ---------------------------------------------------------------------------
// YAML with CloudFormation short-form tags

fn yaml_plain_ok(s: &str) -> bool {
    let first = match s.chars().next() {
        Some(c) => c,
        None => return false,
    };
    first.is_ascii_alphabetic()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ' | ':'))
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null"
        )
}

fn yaml_str(s: &str, out: &mut String) {
    if s.contains('\n') {
        // Literal block scalars are left to the caller; quote with escapes here.
        out.push_str(&serde_json::to_string(s).unwrap());
    } else if yaml_plain_ok(s) {
        out.push_str(s);
    } else {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    }
}

/// The short form of an intrinsic function, if `v` is one that has a scalar short form.
fn short_tag(v: &Value) -> Option<String> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    let mut out = String::new();
    match (k.as_str(), arg) {
        ("Ref", Value::String(s)) => {
            out.push_str("!Ref ");
            yaml_str(s, &mut out);
        }
        ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
            out.push_str("!GetAtt ");
            let joined = format!("{}.{}", a[0].as_str()?, a[1].as_str()?);
            yaml_str(&joined, &mut out);
        }
        ("Fn::Sub", Value::String(s)) => {
            out.push_str("!Sub ");
            yaml_str(s, &mut out);
        }
        _ => return None,
    }
    Some(out)
}

fn yaml_scalar(v: &Value, out: &mut String) -> bool {
    if let Some(t) = short_tag(v) {
        out.push_str(&t);
        return true;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => yaml_str(s, out),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Object(o) if o.is_empty() => out.push_str("{}"),
        _ => return false,
    }
    true
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// Writes a block mapping at `ind`; the first key's indentation is already written
/// when `first_inline` is true (a mapping inside a sequence item).
fn yaml_map(m: &Map<String, Value>, ind: usize, first_inline: bool, out: &mut String) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, ind);
        }
        yaml_str(k, out);
        out.push(':');
        yaml_value_after_key(v, ind, out);
    }
}

fn yaml_value_after_key(v: &Value, ind: usize, out: &mut String) {
    if let Value::String(s) = v {
        if s.contains('\n') {
            out.push_str(" |\n");
            for line in s.lines() {
                if !line.is_empty() {
                    indent(out, ind + 2);
                    out.push_str(line);
                }
                out.push('\n');
            }
            return;
        }
    }
    let mut scalar = String::new();
    if yaml_scalar(v, &mut scalar) {
        out.push(' ');
        out.push_str(&scalar);
        out.push('\n');
        return;
    }
    out.push('\n');
    match v {
        Value::Object(m) => yaml_map(m, ind + 2, false, out),
        Value::Array(a) => yaml_seq(a, ind + 2, out),
        _ => unreachable!(),
    }
}

fn yaml_seq(a: &[Value], ind: usize, out: &mut String) {
    for item in a {
        indent(out, ind);
        out.push_str("- ");
        let mut scalar = String::new();
        if yaml_scalar(item, &mut scalar) {
            out.push_str(&scalar);
            out.push('\n');
            continue;
        }
        match item {
            Value::Object(m) => yaml_map(m, ind + 2, true, out),
            Value::Array(inner) => {
                out.push('\n');
                yaml_seq(inner, ind + 2, out);
            }
            _ => unreachable!(),
        }
    }
}

fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    if let Value::Object(m) = v {
        yaml_map(m, 0, false, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------
// Terraform: one resource list rendered as .tf.json or as a plan.

struct TfResource {
    ty: &'static str,
    name: String,
    /// Attribute values; strings of the form `${a.b.c}` are references.
    body: Value,
}

fn tf_ref(s: &str) -> Value {
    Value::String(format!("${{{s}}}"))
}

fn tf_resources(s: &Stack, rng: &mut Rng) -> Vec<TfResource> {
    let p = &s.prefix;
    let mut r = Vec::new();
    let mut tags = json!({"Project": p});
    if s.tagged_phi {
        tags["DataClassification"] = json!("PHI");
    }
    r.push(TfResource {
        ty: "aws_kms_key",
        name: "logs".into(),
        body: json!({"description": "Conversation log key", "enable_key_rotation": true, "deletion_window_in_days": 30}),
    });
    r.push(TfResource {
        ty: "aws_cloudwatch_log_group",
        name: "text".into(),
        body: json!({"name": format!("/lex/{p}"), "retention_in_days": 365, "kms_key_id": tf_ref("aws_kms_key.logs.arn")}),
    });
    r.push(TfResource {
        ty: "aws_s3_bucket",
        name: "audio".into(),
        body: json!({"bucket": format!("{p}-lex-audio"), "tags": {"Project": p}}),
    });
    r.push(TfResource {
        ty: "aws_iam_role",
        name: "lex".into(),
        body: json!({
            "name": format!("{p}-lex"),
            "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lexv2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
        }),
    });
    let awscc = rng.chance(0.4);
    if awscc {
        // An awscc bot with nested locales, like the CloudFormation shape in snake_case.
        let locales: Vec<Value> = s.locales.iter().map(|l| json!({
            "locale_id": l.id,
            "nlu_confidence_threshold": 0.4,
            "intents": l.intents.iter().map(|i| {
                let mut intent = json!({
                    "name": i.name,
                    "sample_utterances": i.utterances.iter().map(|u| json!({"utterance": u})).collect::<Vec<_>>(),
                    "fulfillment_code_hook": {"enabled": true}
                });
                if !i.slots.is_empty() {
                    intent["slots"] = Value::Array(i.slots.iter().map(|sl| {
                        let mut v = json!({"name": sl.name, "slot_type_name": sl.type_name, "value_elicitation_setting": {"slot_constraint": "Required", "prompt_specification": {"max_retries": 2, "message_groups_list": [{"message": {"plain_text_message": {"value": format!("What is your {}?", sl.name)}}}]}}});
                        if sl.obfuscate {
                            v["obfuscation_setting"] = json!({"obfuscation_setting_type": "DefaultObfuscation"});
                        }
                        v
                    }).collect());
                }
                intent
            }).chain(std::iter::once(json!({"name": "FallbackIntent", "parent_intent_signature": "AMAZON.FallbackIntent"}))).collect::<Vec<_>>()
        })).collect();
        r.push(TfResource {
            ty: "awscc_lex_bot",
            name: "bot".into(),
            body: json!({
                "name": format!("{p}-bot"),
                "role_arn": tf_ref("aws_iam_role.lex.arn"),
                "data_privacy": {"child_directed": false},
                "idle_session_ttl_in_seconds": s.ttl,
                "bot_tags": tags.as_object().unwrap().iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
                "bot_locales": locales
            }),
        });
    } else {
        r.push(TfResource {
            ty: "aws_lexv2models_bot",
            name: "bot".into(),
            body: json!({
                "name": format!("{p}-bot"),
                "role_arn": tf_ref("aws_iam_role.lex.arn"),
                "data_privacy": [{"child_directed": false}],
                "idle_session_ttl_in_seconds": s.ttl,
                "tags": tags
            }),
        });
        for l in &s.locales {
            let loc = l.id.to_ascii_lowercase();
            r.push(TfResource {
                ty: "aws_lexv2models_bot_locale",
                name: loc.clone(),
                body: json!({"bot_id": tf_ref("aws_lexv2models_bot.bot.id"), "bot_version": "DRAFT", "locale_id": l.id, "n_lu_intent_confidence_threshold": 0.4, "voice_settings": [{"voice_id": "Ivy"}]}),
            });
            for i in &l.intents {
                let iname = format!("{loc}_{}", i.name.to_ascii_lowercase());
                r.push(TfResource {
                    ty: "aws_lexv2models_intent",
                    name: iname.clone(),
                    body: json!({
                        "bot_id": tf_ref("aws_lexv2models_bot.bot.id"), "bot_version": "DRAFT",
                        "locale_id": tf_ref(&format!("aws_lexv2models_bot_locale.{loc}.locale_id")),
                        "name": i.name,
                        "sample_utterance": i.utterances.iter().map(|u| json!({"utterance": u})).collect::<Vec<_>>(),
                        "fulfillment_code_hook": [{"enabled": true}]
                    }),
                });
                for sl in &i.slots {
                    let mut body = json!({
                        "bot_id": tf_ref("aws_lexv2models_bot.bot.id"), "bot_version": "DRAFT",
                        "locale_id": tf_ref(&format!("aws_lexv2models_bot_locale.{loc}.locale_id")),
                        "intent_id": tf_ref(&format!("aws_lexv2models_intent.{iname}.intent_id")),
                        "name": sl.name,
                        "slot_type_id": sl.type_name,
                        "value_elicitation_setting": [{"slot_constraint": "Required", "prompt_specification": [{"max_retries": 2, "message_group": [{"message": [{"plain_text_message": [{"value": format!("What is your {}?", sl.name)}]}]}]}]}]
                    });
                    if sl.obfuscate {
                        body["obfuscation_setting"] =
                            json!([{"obfuscation_setting_type": "DefaultObfuscation"}]);
                    }
                    r.push(TfResource {
                        ty: "aws_lexv2models_slot",
                        name: format!("{iname}_{}", sl.name.to_ascii_lowercase()),
                        body,
                    });
                }
            }
        }
    }
    let bot = if awscc {
        "awscc_lex_bot.bot.id"
    } else {
        "aws_lexv2models_bot.bot.id"
    };
    r.push(TfResource {
        ty: "aws_lexv2models_bot_version",
        name: "v1".into(),
        body: json!({"bot_id": tf_ref(bot), "locale_specification": s.locales.iter().map(|l| (l.id.to_string(), json!({"source_bot_version": "DRAFT"}))).collect::<Map<_, _>>()}),
    });
    let mut s3 =
        json!({"s3_bucket_arn": tf_ref("aws_s3_bucket.audio.arn"), "log_prefix": "audio/"});
    if s.audio_kms {
        s3["kms_key_arn"] = tf_ref("aws_kms_key.logs.arn");
    }
    r.push(TfResource {
        ty: "awscc_lex_bot_alias",
        name: "prod".into(),
        body: json!({
            "bot_id": tf_ref(bot),
            "bot_alias_name": "prod",
            "bot_version": if s.alias_draft { json!("DRAFT") } else { tf_ref("aws_lexv2models_bot_version.v1.bot_version") },
            "conversation_log_settings": {
                "text_log_settings": [{"enabled": true, "destination": {"cloudwatch": {"cloudwatch_log_group_arn": tf_ref("aws_cloudwatch_log_group.text.arn"), "log_prefix": "text/"}}}],
                "audio_log_settings": [{"enabled": true, "destination": {"s3_bucket": s3}}]
            },
            "bot_alias_tags": [{"key": "Environment", "value": "production"}]
        }),
    });
    for i in 0..s.fillers {
        r.push(tf_filler(i, rng, p));
    }
    r
}

fn tf_filler(i: usize, rng: &mut Rng, p: &str) -> TfResource {
    match rng.range(0, 2) {
        0 => TfResource {
            ty: "aws_dynamodb_table",
            name: format!("t{i}"),
            body: json!({
                "name": format!("{p}-table-{i}"), "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk", "range_key": "sk",
                "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
                "point_in_time_recovery": [{"enabled": true}],
                "server_side_encryption": [{"enabled": true}],
                "tags": {"Name": format!("table-{i}")}
            }),
        },
        1 => TfResource {
            ty: "aws_sqs_queue",
            name: format!("q{i}"),
            body: json!({"name": format!("{p}-queue-{i}"), "visibility_timeout_seconds": 60, "message_retention_seconds": 1_209_600, "kms_master_key_id": "alias/aws/sqs", "tags": {"Name": format!("queue-{i}")}}),
        },
        _ => TfResource {
            ty: "aws_lambda_function",
            name: format!("f{i}"),
            body: json!({
                "function_name": format!("{p}-worker-{i}"), "runtime": "nodejs20.x", "handler": "index.handler",
                "role": tf_ref("aws_iam_role.lex.arn"), "timeout": 15, "filename": "worker.zip",
                "environment": [{"variables": {"STAGE": "prod", "INDEX": i.to_string()}}],
                "tags": {"Name": format!("worker-{i}")}
            }),
        },
    }
}

fn tf_config(res: &[TfResource]) -> Value {
    let mut by_type: Map<String, Value> = Map::new();
    for r in res {
        by_type
            .entry(r.ty)
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .unwrap()
            .insert(r.name.clone(), r.body.clone());
    }
    json!({
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 6.0"}, "awscc": {"source": "hashicorp/awscc", "version": "~> 1.0"}}},
        "provider": {"aws": [{"region": "us-east-1"}], "awscc": [{"region": "us-east-1"}]},
        "resource": by_type
    })
}

/// A `${type.name.attr}` reference, if the string is one.
fn as_ref(v: &Value) -> Option<&str> {
    let s = v.as_str()?;
    s.strip_prefix("${")?.strip_suffix('}')
}

/// Splits a body into (known values, after_unknown, configuration expressions).
fn plan_split(v: &Value) -> (Value, Value, Value) {
    match v {
        Value::Object(m) => {
            let (mut vals, mut unk, mut expr) = (Map::new(), Map::new(), Map::new());
            for (k, x) in m {
                if let Some(r) = as_ref(x) {
                    let parts: Vec<&str> = r.split('.').collect();
                    let base = parts[..2].join(".");
                    unk.insert(k.clone(), json!(true));
                    expr.insert(k.clone(), json!({"references": [r, base]}));
                } else if x.is_object()
                    && !x
                        .as_object()
                        .unwrap()
                        .values()
                        .any(|y| y.is_object() || y.is_array() || as_ref(y).is_some())
                {
                    // A map attribute (tags, locale_specification): a constant.
                    vals.insert(k.clone(), x.clone());
                    expr.insert(k.clone(), json!({"constant_value": x}));
                } else if x.is_object() || x.is_array() {
                    let (a, b, c) = plan_split(x);
                    vals.insert(k.clone(), a);
                    unk.insert(k.clone(), b);
                    expr.insert(k.clone(), c);
                } else {
                    vals.insert(k.clone(), x.clone());
                    expr.insert(k.clone(), json!({"constant_value": x}));
                }
            }
            (Value::Object(vals), Value::Object(unk), Value::Object(expr))
        }
        Value::Array(a) => {
            let (mut vals, mut unk, mut expr) = (Vec::new(), Vec::new(), Vec::new());
            for x in a {
                let (p, q, r) = plan_split(x);
                vals.push(p);
                unk.push(q);
                expr.push(r);
            }
            (Value::Array(vals), Value::Array(unk), Value::Array(expr))
        }
        other => (
            other.clone(),
            json!(false),
            json!({"constant_value": other}),
        ),
    }
}

fn tf_plan(res: &[TfResource]) -> Value {
    let mut planned = Vec::new();
    let mut changes = Vec::new();
    let mut config = Vec::new();
    for r in res {
        let address = format!("{}.{}", r.ty, r.name);
        let provider = if r.ty.starts_with("awscc_") {
            "registry.terraform.io/hashicorp/awscc"
        } else {
            "registry.terraform.io/hashicorp/aws"
        };
        let (mut values, mut unknown, expressions) = plan_split(&r.body);
        if let (Value::Object(v), Value::Object(u)) = (&mut values, &mut unknown) {
            v.insert(
                "tags_all".into(),
                r.body.get("tags").cloned().unwrap_or(json!({})),
            );
            for computed in ["arn", "id"] {
                u.insert(computed.into(), json!(true));
            }
        }
        planned.push(json!({
            "address": address, "mode": "managed", "type": r.ty, "name": r.name,
            "provider_name": provider, "schema_version": 0,
            "values": values, "sensitive_values": {}
        }));
        changes.push(json!({
            "address": address, "mode": "managed", "type": r.ty, "name": r.name,
            "provider_name": provider,
            "change": {"actions": ["create"], "before": null, "after": values, "after_unknown": unknown, "before_sensitive": false, "after_sensitive": {}}
        }));
        config.push(json!({
            "address": address, "mode": "managed", "type": r.ty, "name": r.name,
            "provider_config_key": if r.ty.starts_with("awscc_") { "awscc" } else { "aws" },
            "expressions": expressions, "schema_version": 0
        }));
    }
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
                "awscc": {"name": "awscc", "full_name": "registry.terraform.io/hashicorp/awscc", "expressions": {"region": {"constant_value": "us-east-1"}}}
            },
            "root_module": {"resources": config}
        },
        "timestamp": "2026-01-01T00:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false
    })
}

// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Kind {
    CfnYaml,
    CfnJson,
    TfJson,
    Plan,
}

fn render(kind: Kind, s: &Stack, rng: &mut Rng) -> String {
    match kind {
        Kind::CfnYaml => to_yaml(&cfn_template(s, rng)),
        Kind::CfnJson => serde_json::to_string_pretty(&cfn_template(s, rng)).unwrap(),
        Kind::TfJson => serde_json::to_string_pretty(&tf_config(&tf_resources(s, rng))).unwrap(),
        // Real plans are written compact by `terraform show -json`.
        Kind::Plan => serde_json::to_string(&tf_plan(&tf_resources(s, rng))).unwrap(),
    }
}

/// Target size of one file: most are 5–32 KB, about 2% are 90–220 KB.
fn target_bytes(rng: &mut Rng) -> usize {
    let r = rng.range(0, 999);
    if r < 20 {
        rng.range(90_000, 220_000)
    } else if r < 300 {
        rng.range(18_000, 32_000)
    } else {
        rng.range(5_000, 14_000)
    }
}

fn generate(seed: u64, index: usize) -> (Kind, String) {
    let mut rng = Rng(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let kind = match rng.range(0, 19) {
        0..=9 => Kind::CfnYaml,
        10..=13 => Kind::CfnJson,
        14..=16 => Kind::TfJson,
        _ => Kind::Plan,
    };
    let breaks = Breaks::draw(&mut rng);
    let target = target_bytes(&mut rng);
    // The Lex part takes about a third of the file; fillers make up the rest.
    let per_intent = match kind {
        Kind::CfnYaml => 1_900,
        Kind::CfnJson => 2_900,
        Kind::TfJson => 2_400,
        Kind::Plan => 7_000,
    };
    let intents = (target / 3 / per_intent).clamp(1, 120);
    let mut s = stack(&mut rng, index, breaks, intents);
    // Render once with no fillers to see what is left to fill, then once more.
    let render_seed = rng.next();
    let base = render(kind, &s, &mut Rng(render_seed)).len();
    let per_filler = match kind {
        Kind::CfnYaml => 560,
        Kind::CfnJson => 820,
        Kind::TfJson => 420,
        Kind::Plan => 900,
    };
    s.fillers = target.saturating_sub(base) / per_filler;
    let mut text = render(kind, &s, &mut Rng(render_seed));
    if s.fillers > 0 && text.len() > base {
        // Correct the estimate with the measured size of this file's fillers.
        let per_filler = ((text.len() - base) / s.fillers).max(1);
        s.fillers = target.saturating_sub(base) / per_filler;
        text = render(kind, &s, &mut Rng(render_seed));
    }
    if std::env::var_os("GEN_DEBUG").is_some() {
        eprintln!(
            "dbg {index} target={target} base={base} len={} fillers={}",
            text.len(),
            s.fillers
        );
    }
    (kind, text)
}

fn main() {
    let mut seed = 42u64;
    let mut count = 2000usize;
    let mut out = PathBuf::from("corpus");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("bad --seed")),
            "--count" => count = value().parse().unwrap_or_else(|_| usage("bad --count")),
            "--out" => out = PathBuf::from(value()),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    std::fs::create_dir_all(&out).expect("create output folder");
    let mut total = 0usize;
    let mut kinds = [0usize; 4];
    for i in 0..count {
        let (kind, text) = generate(seed, i);
        let name = match kind {
            Kind::CfnYaml => format!("cfn-{i:05}.yaml"),
            Kind::CfnJson => format!("cfn-{i:05}.json"),
            Kind::TfJson => format!("tf-{i:05}.tf.json"),
            Kind::Plan => format!("plan-{i:05}.json"),
        };
        kinds[kind as usize] += 1;
        total += text.len();
        std::fs::write(out.join(name), text).expect("write template");
    }
    println!(
        "wrote {count} files ({} CloudFormation YAML, {} CloudFormation JSON, {} .tf.json, {} plans), {total} bytes, to {}",
        kinds[0],
        kinds[1],
        kinds[2],
        kinds[3],
        out.display()
    );
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("gen-corpus: {problem}");
    }
    eprintln!("usage: gen-corpus [--seed N] [--count N] [--out DIR]");
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}
