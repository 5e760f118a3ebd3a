//! `portal schema`: the JSON Schema of the YAML files, for editors that autocomplete keys and
//! underline mistakes.

use super::{emit, fail};
use policy::messages::{Key, Lang, Msg};
use std::path::Path;
use std::process::ExitCode;

/// Which file's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// 政策文件 policy.yaml
    Policy,
    /// 县 county.yaml
    County,
    /// 情况项目表 facts.yaml
    Facts,
    /// 本项目增补的地区代码 regions.yaml
    Regions,
}

impl SchemaKind {
    fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Policy => "policy.schema.json",
            SchemaKind::County => "county.schema.json",
            SchemaKind::Facts => "facts.schema.json",
            SchemaKind::Regions => "regions.schema.json",
        }
    }
}

/// Print one schema, or write all of them into `write`.
pub fn run(kind: SchemaKind, write: Option<&Path>, lang: Lang) -> ExitCode {
    let all = policy::schema::all();
    if let Some(dir) = write {
        return match write_all(dir) {
            Ok(count) => {
                let done = Msg::new(Key::CliSchemaWritten)
                    .arg("count", count)
                    .arg("dir", dir.display().to_string());
                emit(&(done.render(lang) + "\n"));
                ExitCode::SUCCESS
            }
            Err(message) => fail(lang, message, None),
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
pub(crate) fn write_all(dir: &Path) -> Result<usize, Msg> {
    let all = policy::schema::all();
    std::fs::create_dir_all(dir).map_err(|e| {
        Msg::new(Key::CliCannotCreate)
            .arg("path", dir.display().to_string())
            .arg("error", e.to_string())
    })?;
    for (name, text) in &all {
        std::fs::write(dir.join(name), text).map_err(|e| {
            Msg::new(Key::CliCannotWrite)
                .arg("path", name.to_string())
                .arg("error", e.to_string())
        })?;
    }
    Ok(all.len())
}
