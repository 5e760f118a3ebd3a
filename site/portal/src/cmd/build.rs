//! `portal build`: the whole site into `public/` (or `--out`); a failed build leaves the
//! previous site as it was.

use super::{emit, fail, print_problems, under_root, Format};
use std::path::Path;
use std::process::ExitCode;

/// Build `root` into `out` (relative to `root` unless absolute).
pub fn run(root: &Path, out: &Path) -> ExitCode {
    let out = under_root(root, out);
    let kept = format!("构建已停止，{} 保持原样", out.display());
    match crate::build_site(root, &out) {
        Ok(report) => {
            emit(&format!(
                "portal build：{} 个网页（{} 个文件，{:.1} MB），用时 {:.2} 秒 → {}\n",
                report.pages,
                report.files,
                report.bytes as f64 / 1_000_000.0,
                report.seconds,
                out.display()
            ));
            ExitCode::SUCCESS
        }
        Err(render::BuildError::Check(diagnostics)) => {
            print_problems(&diagnostics, Format::Text);
            fail(kept, None)
        }
        Err(error) => fail(error.to_string(), Some(kept)),
    }
}
