//! The portal build tool as a library: loading and checking a project's YAML and Markdown,
//! the worked examples, the JSON Schema, and text output. The `portal` binary is a thin layer
//! over it.

pub mod clauses;
pub mod compile;
pub mod diagnostic;
pub mod examples;
pub mod explain;
pub mod load;
pub mod schema;
pub mod source;
pub mod today;
pub mod yaml;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use load::{load, Project};
