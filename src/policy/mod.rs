//! Declarative policies: loading, validation and compiled form.
pub mod info;
