//! `portal templates`: the built-in theme, and copying it out for an office that wants to
//! restyle its site. A project's `templates/` overrides the built-in files by name.

use super::{emit, fail};
use crate::assets::THEME_FILES;
use policy::messages::{Key, Lang, Msg};
use std::path::Path;
use std::process::ExitCode;

/// What to do with the templates.
#[derive(Debug, clap::Subcommand)]
pub enum TemplatesAction {
    /// 列出内置模板，并标出项目改写了哪些
    List,
    /// 把内置模板复制到项目的 templates/（不写名字就复制全部），以便修改
    Copy {
        /// 要复制的文件，例如 base.html static/site.css；不写表示全部
        names: Vec<String>,
        /// 覆盖项目里已有的同名文件
        #[arg(long)]
        force: bool,
    },
}

/// Run `action` for the project at `root`.
pub fn run(root: &Path, action: TemplatesAction, lang: Lang) -> ExitCode {
    let dir = root.join("templates");
    match action {
        TemplatesAction::List => {
            let mut text = Msg::new(Key::CliTemplatesList).render(lang) + "\n";
            for (name, bytes) in THEME_FILES {
                let mark = match std::fs::read(dir.join(name)) {
                    Ok(own) if own == *bytes => {
                        format!("  {}", Msg::new(Key::CliTemplateSame).render(lang))
                    }
                    Ok(_) => format!("  {}", Msg::new(Key::CliTemplateChanged).render(lang)),
                    Err(_) => String::new(),
                };
                text.push_str(&format!("  {name}{mark}\n"));
            }
            emit(&text);
            ExitCode::SUCCESS
        }
        TemplatesAction::Copy { names, force } => copy(&dir, &names, force, lang),
    }
}

fn copy(dir: &Path, names: &[String], force: bool, lang: Lang) -> ExitCode {
    for name in names {
        if !THEME_FILES.iter().any(|(n, _)| n == name) {
            return fail(
                lang,
                Msg::new(Key::CliNoTemplate).arg("name", name.as_str()),
                Some(
                    Msg::new(Key::CliTemplatesKnown)
                        .list("names", THEME_FILES.iter().map(|(n, _)| *n)),
                ),
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
            let message = Msg::new(Key::CliCannotWrite)
                .arg("path", path.display().to_string())
                .arg("error", error.to_string());
            return fail(lang, message, None);
        }
        written += 1;
    }
    let copied = Msg::new(Key::CliTemplatesCopied)
        .arg("count", written)
        .arg("dir", dir.display().to_string());
    let mut text = copied.render(lang) + "\n";
    if !kept.is_empty() {
        let kept = Msg::new(Key::CliTemplatesKept).list("names", kept);
        text.push_str(&(kept.render(lang) + "\n"));
    }
    emit(&text);
    ExitCode::SUCCESS
}
