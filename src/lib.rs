//! lexguard: a compliance linter for Amazon Lex infrastructure-as-code.
//!
//! Pipeline: [`discover`] files → [`parse`] into spanned [`node::Node`] trees →
//! [`model`] turns each dialect into [`model::Resource`]s → [`engine`] runs compiled
//! [`policy`] checks in parallel → [`report`] renders findings.

// Input decides every index and every `Option` here: a panic would lose the
// findings of every other file, so none of these may reach a release build.
// Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod engine;
pub mod error;
pub mod finding;
pub mod hash;
pub mod model;
pub mod node;
pub mod parse;
pub mod policy;
pub mod report;
pub mod source;
pub mod suppress;
