//! `portal check`: load and check everything, recompute every worked example.

use super::{emit, print_problems, Format};
use policy::load::{Part, Parts, Summary};
use policy::messages::{Key, Lang, Msg};
use policy::Diagnostics;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

/// What checking a project that is right found.
#[derive(Debug, Default, PartialEq)]
pub struct Checked {
    /// The counts of the summary line.
    pub summary: Summary,
    /// The documents the site will show as in force for ever (no end date and nothing that
    /// supersedes them), as `FOLDER/policy.yaml`, in the order of their folders.
    pub open_ended: Vec<String>,
}

/// What the parts checked so far have found.
#[derive(Default)]
struct Found {
    summary: Summary,
    /// Documents without an end date: their place among all documents, id and folder.
    open: Vec<(usize, String, String)>,
    /// The ids some document supersedes.
    superseded: HashSet<String>,
}

impl Found {
    fn add(&mut self, part: &Part) {
        let s = &part.project.summary;
        self.summary.counties += s.counties;
        self.summary.policies += s.policies;
        self.summary.reports += s.reports;
        self.summary.rules += s.rules;
        self.summary.examples += s.examples;
        for (document, &place) in part.project.documents.iter().zip(&part.document_indices) {
            if let Some(previous) = &document.source.supersedes {
                self.superseded.insert(previous.clone());
            }
            if document.compiled.is_some() && document.period.to.is_none() {
                self.open
                    .push((place, document.source.id.clone(), document.dir.clone()));
            }
        }
    }
}

/// Check a project as a build does, a county at a time on every core, keeping of each only
/// what the summary needs: a national project in a few hundred MB, where loading it whole
/// (`policy::load`, which finds the same problems) took 6.7 GB.
pub fn check(root: &Path) -> Result<Checked, Diagnostics> {
    let parts = Parts::open(root)?;
    let found = Mutex::new(Found::default());
    let add = |part: Part| {
        found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(&part);
    };
    (0..parts.counties()).into_par_iter().for_each(|i| {
        if let Some(part) = parts.county(i) {
            add(part);
        }
    });
    // The counties whose documents refer to one another, then the regions above counties
    // (only once every county's part is made).
    if let Some(part) = parts.rest() {
        add(part);
    }
    if let Some(part) = parts.regional() {
        add(part);
    }
    parts.finish()?;
    let mut found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    found.open.sort();
    let open_ended = found
        .open
        .iter()
        .filter(|(_, id, _)| !found.superseded.contains(id))
        .map(|(_, _, dir)| format!("{dir}/policy.yaml"))
        .collect();
    Ok(Checked {
        summary: found.summary,
        open_ended,
    })
}

/// Exit 0 only when every file is right and every worked example matches.
pub fn run(root: &Path, format: Format, lang: Lang) -> ExitCode {
    match check(root) {
        Ok(Checked {
            summary: s,
            open_ended,
        }) => {
            // Not an error (many documents set no end), but an office should know which ones
            // the site will show as in force for ever.
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
