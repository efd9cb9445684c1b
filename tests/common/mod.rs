//! Helpers shared by integration tests.

use serde_json::Value;

/// A validator for the OASIS SARIF 2.1.0 schema in `../shared/schemas`.
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
