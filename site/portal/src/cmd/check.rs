//! `portal check`: load and check everything, recompute every worked example.

use super::{emit, print_problems, Format};
use policy::messages::{Key, Lang, Msg};
use std::path::Path;
use std::process::ExitCode;

/// Exit 0 only when every file is right and every worked example matches.
pub fn run(root: &Path, format: Format, lang: Lang) -> ExitCode {
    match policy::load(root) {
        Ok(project) => {
            let s = project.summary;
            let text = match format {
                Format::Text => {
                    Msg::new(Key::CliCheckOk)
                        .arg("counties", s.counties)
                        .arg("policies", s.policies)
                        .arg("reports", s.reports)
                        .arg("rules", s.rules)
                        .arg("examples", s.examples)
                        .render(lang)
                        + "\n"
                }
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
            print_problems(
                &diagnostics,
                format,
                lang,
                &super::command_line("check", root),
            );
            ExitCode::FAILURE
        }
    }
}
