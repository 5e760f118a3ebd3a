//! `portal templates`: the built-in theme, and copying it out for an office that wants to
//! restyle its site. A project's `templates/` overrides the built-in files by name.

use super::{emit, fail};
use crate::assets::THEME_FILES;
use std::path::Path;
use std::process::ExitCode;

/// What to do with the templates.
#[derive(Debug, clap::Subcommand)]
pub enum TemplatesAction {
    /// List the built-in files and which of them the project overrides.
    List,
    /// Copy built-in files into the project's templates/ (all, or those named) to edit them.
    Copy {
        /// Files to copy, e.g. base.html static/site.css; none means all.
        names: Vec<String>,
        /// Overwrite files the project already has.
        #[arg(long)]
        force: bool,
    },
}

/// Run `action` for the project at `root`.
pub fn run(root: &Path, action: TemplatesAction) -> ExitCode {
    let dir = root.join("templates");
    match action {
        TemplatesAction::List => {
            let mut text =
                String::from("内置模板（项目的 templates/ 里有同名文件时以项目的为准）：\n");
            for (name, bytes) in THEME_FILES {
                let mark = match std::fs::read(dir.join(name)) {
                    Ok(own) if own == *bytes => "  项目里有一份相同的副本",
                    Ok(_) => "  ← 项目已改写",
                    Err(_) => "",
                };
                text.push_str(&format!("  {name}{mark}\n"));
            }
            emit(&text);
            ExitCode::SUCCESS
        }
        TemplatesAction::Copy { names, force } => copy(&dir, &names, force),
    }
}

fn copy(dir: &Path, names: &[String], force: bool) -> ExitCode {
    for name in names {
        if !THEME_FILES.iter().any(|(n, _)| n == name) {
            let known: Vec<&str> = THEME_FILES.iter().map(|(n, _)| *n).collect();
            return fail(
                format!("没有名为 `{name}` 的内置模板"),
                Some(format!("内置模板有：{}", known.join("、"))),
            );
        }
    }
    let chosen = THEME_FILES
        .iter()
        .filter(|(n, _)| names.is_empty() || names.iter().any(|m| m == n));
    let (mut written, mut kept) = (0, Vec::new());
    for (name, bytes) in chosen {
        let path = dir.join(name);
        if path.exists() && !force {
            kept.push(*name);
            continue;
        }
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, bytes));
        if let Err(error) = result {
            return fail(format!("无法写入 {}：{error}", path.display()), None);
        }
        written += 1;
    }
    let mut text = format!("已把 {written} 个内置模板复制到 {}。\n", dir.display());
    if !kept.is_empty() {
        text.push_str(&format!(
            "项目里已有、没有覆盖的：{}（要覆盖请加 --force）\n",
            kept.join("、")
        ));
    }
    emit(&text);
    ExitCode::SUCCESS
}
