//! Compiled checks and conditions: the executable form of a policy file.

use regex::Regex;

use super::path::Path;
use crate::model::Mode;

/// One check of a policy: which resources, which elements, when it applies and
/// what must hold.
#[derive(Debug)]
pub struct Check {
    pub resource_types: Vec<String>,
    /// Evaluate once per element these paths select (from the resource root);
    /// once per resource when empty.
    pub for_each: Vec<Path>,
    /// Applicability: false means N/A, unknown gives an unknown finding.
    pub applies_when: Option<Condition>,
    /// Whether the check runs on Terraform data sources. A data source reads
    /// an existing resource whose settings are not in the input, so checks
    /// skip them unless their `where` says which mode it wants (`mode: data`
    /// or `mode: managed`, as LEX017's opt-in does).
    pub data_sources: bool,
    /// What must hold: false gives a finding with `outcome`, unknown an unknown finding.
    pub require: Condition,
    /// Status of the finding when `require` is false.
    pub outcome: Outcome,
    /// Report at the first of these paths that exists instead of where `require` failed.
    pub at: Vec<Path>,
    /// Message template; `{{value}}`, `{{path}}`, `{{resource}}`, `{{type}}`,
    /// `{{reason}}` and parameter names are filled in.
    pub message: String,
    /// Message for unknown findings (`{{reason}}` says why); a generic one when absent.
    pub unknown_message: Option<String>,
}

impl Condition {
    /// Whether the condition tests the mode of the resource it is evaluated on
    /// (not of linked resources, which their own conditions judge).
    pub fn tests_own_mode(&self) -> bool {
        match self {
            Condition::Mode(_) => true,
            Condition::All(list) | Condition::Any(list) | Condition::None(list) => {
                list.iter().any(Condition::tests_own_mode)
            }
            Condition::Not(inner) => inner.tests_own_mode(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Fail,
    Unknown,
}

#[derive(Debug)]
pub enum Condition {
    Const(bool),
    Mode(Mode),
    /// Operators applied to the value(s) at a path; all must hold. `if_unknown`
    /// decides the result for an unknown value instead of leaving it unknown.
    Test {
        path: Path,
        ops: Vec<Op>,
        if_unknown: Option<bool>,
    },
    All(Vec<Condition>),
    Any(Vec<Condition>),
    None(Vec<Condition>),
    Not(Box<Condition>),
    /// The condition holds for every element the path selects (vacuously for none).
    Every {
        path: Path,
        condition: Box<Condition>,
    },
    /// The condition holds for at least one element the path selects.
    Some {
        path: Path,
        condition: Box<Condition>,
    },
    /// The value at `path` refers to resources of `types` (by reference, or by a
    /// literal name or ARN), and the condition holds on each of them. A target
    /// outside the input is unknown.
    Linked {
        path: Path,
        types: Vec<String>,
        condition: Box<Condition>,
    },
    /// Some resource of `types` whose `path` refers to the current resource
    /// satisfies the condition (false when none refers to it).
    Linking {
        types: Vec<String>,
        path: Path,
        condition: Box<Condition>,
    },
}

#[derive(Debug)]
pub enum Op {
    Exists(bool),
    Equals {
        value: serde_json::Value,
        negate: bool,
        case_insensitive: bool,
    },
    OneOf {
        values: Vec<serde_json::Value>,
        negate: bool,
        case_insensitive: bool,
    },
    Matches {
        regex: Regex,
        negate: bool,
    },
    Compare {
        op: CompareOp,
        bound: f64,
    },
    Type(Vec<TypeName>),
    /// `empty: true` holds for absent, null, "", [] and {}.
    Empty(bool),
    /// The value is a reference to a resource of one of these types.
    References(Vec<String>),
    /// The value is a reference to a Terraform data source of one of these types.
    ReferencesData(Vec<String>),
    /// `literal: true`: the value is written as a known value, not chosen by an
    /// `Fn::If` branch or computed from something unknown.
    Literal(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeName {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

impl CompareOp {
    /// Whether `value` is within `bound`; a NaN bound (unset) always holds.
    pub fn holds(self, value: f64, bound: f64) -> bool {
        if bound.is_nan() {
            return true;
        }
        match self {
            CompareOp::Gt => value > bound,
            CompareOp::Gte => value >= bound,
            CompareOp::Lt => value < bound,
            CompareOp::Lte => value <= bound,
        }
    }
}
