//! The policy format: a project's YAML rules and Markdown full texts, loaded, checked and
//! compiled into the engine's model ([`calculator::Rulebook`] per county), with every problem
//! as a [`Diagnostic`] at its file, line and column. It also recomputes the worked examples,
//! publishes the JSON Schema and writes an estimate out as text.
//!
//! It yields a checked [`Project`] and knows nothing of HTML, templates or HTTP: the site
//! (`render`) and the `portal` binary build on it.

pub mod clauses;
pub mod compile;
pub mod diagnostic;
pub mod examples;
pub mod fuzz;
pub mod load;
pub mod messages;
pub mod schema;
pub mod slips;
pub mod source;
pub mod yaml;
mod yaml_events;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use load::{load, load_in_memory, Project};
