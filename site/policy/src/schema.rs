//! JSON Schemas of the YAML files, so an editor with a YAML language server autocompletes keys
//! and underlines mistakes. The files in `policies/schema/` are these, written by
//! `portal schema --write`, and a test keeps them current.

use crate::source::{CountySource, FactsFile, PolicySource, RegionsSource};

/// The schema files, by file name.
pub fn all() -> Vec<(&'static str, String)> {
    let pretty =
        |schema: schemars::Schema| serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
    vec![
        (
            "policy.schema.json",
            pretty(schemars::schema_for!(PolicySource)),
        ),
        (
            "county.schema.json",
            pretty(schemars::schema_for!(CountySource)),
        ),
        (
            "facts.schema.json",
            pretty(schemars::schema_for!(FactsFile)),
        ),
        (
            "regions.schema.json",
            pretty(schemars::schema_for!(RegionsSource)),
        ),
    ]
}
