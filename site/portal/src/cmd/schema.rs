//! `portal schema`: the JSON Schema of the YAML files, for editors that autocomplete keys and
//! underline mistakes.

use super::{emit, fail};
use std::path::Path;
use std::process::ExitCode;

/// Which file's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// policy.yaml
    Policy,
    /// county.yaml
    County,
    /// facts.yaml
    Facts,
}

impl SchemaKind {
    fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Policy => "policy.schema.json",
            SchemaKind::County => "county.schema.json",
            SchemaKind::Facts => "facts.schema.json",
        }
    }
}

/// Print one schema, or write all of them into `write`.
pub fn run(kind: SchemaKind, write: Option<&Path>) -> ExitCode {
    let all = policy::schema::all();
    if let Some(dir) = write {
        return match write_all(dir) {
            Ok(count) => {
                emit(&format!(
                    "已把 {count} 个 schema 文件写入 {}\n",
                    dir.display()
                ));
                ExitCode::SUCCESS
            }
            Err(message) => fail(message, None),
        };
    }
    let text = all
        .iter()
        .find(|(name, _)| *name == kind.file_name())
        .map_or("", |(_, text)| text.as_str());
    emit(text);
    ExitCode::SUCCESS
}

/// Write every schema file into `dir`; returns how many.
pub(crate) fn write_all(dir: &Path) -> Result<usize, String> {
    let all = policy::schema::all();
    std::fs::create_dir_all(dir).map_err(|e| format!("无法创建 {}：{e}", dir.display()))?;
    for (name, text) in &all {
        std::fs::write(dir.join(name), text).map_err(|e| format!("无法写入 {name}：{e}"))?;
    }
    Ok(all.len())
}
