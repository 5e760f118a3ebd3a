//! `portal check`: load and check everything, recompute every worked example.

use super::{emit, print_problems, Format};
use std::path::Path;
use std::process::ExitCode;

/// Exit 0 only when every file is right and every worked example matches.
pub fn run(root: &Path, format: Format) -> ExitCode {
    match policy::load(root) {
        Ok(project) => {
            let s = project.summary;
            let text = match format {
                Format::Text => format!(
                    "portal check：全部正确 — {} 个县，{} 份政策，{} 份调研报告，{} 条规则；{} 个算例已重新计算，结果一致。\n",
                    s.counties, s.policies, s.reports, s.rules, s.examples
                ),
                Format::Json => format!(
                    "{}\n",
                    serde_json::json!({ "ok": true, "errors": [], "counties": s.counties, "policies": s.policies,
                        "reports": s.reports, "rules": s.rules, "examples": s.examples })
                ),
            };
            emit(&text);
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_problems(&diagnostics, format);
            ExitCode::FAILURE
        }
    }
}
