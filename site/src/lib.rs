//! The portal build tool as a library: loading and checking a project's YAML and Markdown,
//! the worked examples, the JSON Schema, and text output. The `portal` binary is a thin layer
//! over it.

pub mod build;
pub mod clauses;
pub mod compare;
pub mod compile;
pub mod content;
pub mod diagnostic;
pub mod estimator;
pub mod examples;
pub mod explain;
pub mod links;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod source;
pub mod synthetic;
pub mod today;
pub mod yaml;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use load::{load, Project};
