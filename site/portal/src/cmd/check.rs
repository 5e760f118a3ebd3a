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
            // Not an error (many documents set no end), but an office should know which ones
            // the site will show as in force for ever.
            let open_ended: Vec<String> = project
                .documents
                .iter()
                .filter(|d| d.compiled.is_some() && d.period.to.is_none())
                .filter(|d| project.successor(&d.source.id).is_none())
                .map(|d| format!("{}/policy.yaml", d.dir))
                .collect();
            let text = match format {
                Format::Text => {
                    let mut text = Msg::new(Key::CliCheckOk)
                        .arg("counties", s.counties)
                        .arg("policies", s.policies)
                        .arg("reports", s.reports)
                        .arg("rules", s.rules)
                        .arg("examples", s.examples)
                        .render(lang)
                        + "\n";
                    if !open_ended.is_empty() {
                        text += &(Msg::new(Key::CliCheckOpenEnded)
                            .list("files", open_ended.iter().map(String::as_str))
                            .render(lang)
                            + "\n");
                    }
                    text
                }
                Format::Json => format!(
                    "{}\n",
                    serde_json::json!({ "ok": true, "errors": [], "counties": s.counties, "policies": s.policies,
                        "reports": s.reports, "rules": s.rules, "examples": s.examples,
                        "notices": open_ended.iter().map(|file| serde_json::json!({
                            "code": "no-end-date", "file": file,
                            "message": Msg::new(Key::CliCheckOpenEnded).list("files", [file.as_str()]).render(lang),
                        })).collect::<Vec<_>>() })
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
