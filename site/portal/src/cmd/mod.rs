//! One module per `portal` command, each a thin layer over `policy`, `render` and this
//! crate's scaffolding and server. What a command prints for a person comes from the message
//! catalogue ([`policy::messages`]) in the language chosen once in `main.rs` (`--lang`, else
//! the locale; Chinese unless English is asked for) and passed to each command; machine
//! output (`--format json`) carries stable codes.

pub mod build;
pub mod check;
pub mod config;
pub mod estimate;
pub mod init;
pub mod new;
pub mod schema;
pub mod serve;
pub mod templates;

use policy::diagnostic::Diagnostics;
use policy::messages::{Key, Lang, Msg};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How `check` (and `build`, on failure) reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 给人看：中文，附出错的原文片段
    Text,
    /// 给程序用：JSON，每条错误带固定的代码（code）
    Json,
}

/// `--lang`: the language of what `portal` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// 中文（默认）
    Zh,
    /// English
    En,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// Write to stdout; a closed pipe (`portal estimate … | head`) or a full disk is not a crash.
pub(crate) fn emit(text: &str) -> bool {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_ok()
}

/// Write to stderr, ignoring a closed stream.
pub fn emit_err(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Print an error (and what to do) for a person; returns the failing exit code.
pub(crate) fn fail(lang: Lang, message: Msg, hint: Option<Msg>) -> ExitCode {
    fail_with(lang, message.render(lang), hint)
}

/// [`fail`] with a message already in words (an error from the operating system).
pub(crate) fn fail_with(lang: Lang, message: String, hint: Option<Msg>) -> ExitCode {
    emit_err(&(Msg::new(Key::CliError).arg("message", message).render(lang) + "\n"));
    if let Some(hint) = hint {
        let hint = hint.render(lang);
        emit_err(&(Msg::new(Key::CliHint).arg("hint", hint).render(lang) + "\n"));
    }
    ExitCode::FAILURE
}

/// Report the project's problems, for a person on stderr or as JSON (with each problem's
/// code) on stdout.
/// `again` is the command to run once the problems are corrected, as [`command_line`] says it.
pub(crate) fn print_problems(diagnostics: &Diagnostics, format: Format, lang: Lang, again: &str) {
    match format {
        Format::Text => {
            emit_err(&diagnostics.render_in(lang));
            let summary = Msg::new(Key::CliCheckFailed)
                .arg("count", diagnostics.len())
                .arg("again", again);
            emit_err(&(summary.render(lang) + "\n"));
        }
        Format::Json => {
            /// The report, its fields in this order (a `json!` map would sort them).
            #[derive(serde::Serialize)]
            struct Report {
                ok: bool,
                errors: Vec<policy::diagnostic::DiagnosticJson>,
            }
            let report = Report {
                ok: false,
                errors: diagnostics.to_json(lang),
            };
            emit(&(serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"));
        }
    }
}

/// `portal COMMAND` as the person would type it again: with `--root` when they gave one.
pub(crate) fn command_line(command: &str, root: &Path) -> String {
    if root == Path::new(".") {
        format!("portal {command}")
    } else {
        format!("portal {command} --root {}", root.display())
    }
}

/// A path given on the command line, relative to the project root unless absolute.
pub(crate) fn under_root(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}
