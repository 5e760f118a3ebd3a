//! `portal init DIR`: a new project folder that passes `portal check` and builds at once.

use super::{emit, fail};
use crate::scaffold::{init_project, Starter};
use policy::messages::{Key, Lang, Msg};
use std::path::Path;
use std::process::ExitCode;

/// Create a project in `dir` starting from `starter`'s county.
pub fn run(dir: &Path, starter: &Starter<'_>, lang: Lang) -> ExitCode {
    let Some(today) = crate::today::today() else {
        return fail(lang, Msg::new(Key::CliNoClock), None);
    };
    match init_project(dir, starter, today) {
        Ok(dir) => {
            let done = Msg::new(Key::CliInitOk)
                .arg("dir", dir.display().to_string())
                .arg(
                    "name",
                    starter.name.map_or_else(
                        || {
                            regions::Catalogue::national()
                                .get(starter.code)
                                .map(|r| r.name.clone())
                                .unwrap_or_default()
                        },
                        str::to_owned,
                    ),
                )
                .arg("code", starter.code);
            emit(&(done.render(lang) + "\n"));
            ExitCode::SUCCESS
        }
        Err(error) => fail(lang, error.message(), None),
    }
}
