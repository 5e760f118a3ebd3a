//! One module per `portal` command, each a thin layer over `policy`, `render` and this
//! crate's scaffolding and server. What a command prints for a person is Chinese; machine
//! output (`--format json`) carries stable codes.

pub mod build;
pub mod check;
pub mod estimate;
pub mod init;
pub mod new;
pub mod schema;
pub mod serve;
pub mod templates;

use policy::diagnostic::Diagnostics;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How `check` (and `build`, on failure) reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a person: Chinese, with the source snippet.
    Text,
    /// For a program: JSON with a stable `code` beside each message.
    Json,
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
pub(crate) fn emit_err(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Print an error (and what to do) for a person; returns the failing exit code.
pub(crate) fn fail(message: impl AsRef<str>, hint: Option<String>) -> ExitCode {
    emit_err(&format!("错误：{}\n", message.as_ref()));
    if let Some(hint) = hint {
        emit_err(&format!("提示：{hint}\n"));
    }
    ExitCode::FAILURE
}

/// Report the project's problems, for a person on stderr or as JSON on stdout.
pub(crate) fn print_problems(diagnostics: &Diagnostics, format: Format) {
    match format {
        Format::Text => {
            emit_err(&diagnostics.render());
            emit_err(&format!(
                "portal check：发现 {} 处错误，网站没有更新。\n",
                diagnostics.len()
            ));
        }
        Format::Json => {
            let json = serde_json::json!({ "ok": false, "errors": diagnostics.items });
            emit(&(serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"));
        }
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
