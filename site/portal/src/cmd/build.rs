//! `portal build`: the whole site into `public/` (or `--out`); a failed build leaves the
//! previous site as it was.

use super::{command_line, emit, emit_err, fail, fail_with, print_problems, under_root, Format};
use policy::messages::{Key, Lang, Msg};
use std::path::Path;
use std::process::ExitCode;

/// Build `root` into `out` (relative to `root` unless absolute).
pub fn run(root: &Path, out: &Path, lang: Lang) -> ExitCode {
    let out = under_root(root, out);
    let kept = Msg::new(Key::CliBuildKept).arg("out", out.display().to_string());
    match crate::build_site(root, &out) {
        Ok(report) => {
            let done = Msg::new(Key::CliBuildOk)
                .arg("pages", report.pages)
                .arg("files", report.files)
                .arg(
                    "megabytes",
                    format!("{:.1}", report.bytes as f64 / 1_000_000.0),
                )
                .arg("seconds", format!("{:.2}", report.seconds))
                .arg("out", out.display().to_string());
            emit(&(done.render(lang) + "\n"));
            if let Some(swept) = crate::swept_message(&report, &out) {
                emit(&(swept.render(lang) + "\n"));
            }
            ExitCode::SUCCESS
        }
        Err(render::BuildError::Check(diagnostics)) => {
            print_problems(
                &diagnostics,
                Format::Text,
                lang,
                &command_line("build", root),
            );
            fail(lang, kept, None)
        }
        Err(render::BuildError::Content(diagnostic)) => {
            let mut diagnostics = policy::Diagnostics::default();
            diagnostics.push(*diagnostic);
            emit_err(&diagnostics.render_in(lang));
            fail(lang, kept, None)
        }
        Err(error) => fail_with(lang, error.message(lang), Some(kept)),
    }
}
