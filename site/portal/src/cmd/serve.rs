//! `portal serve`: preview on 127.0.0.1, rebuilding and reloading on every edit.

use super::{fail, under_root};
use policy::messages::Lang;
use std::path::Path;
use std::process::ExitCode;

/// Serve `root`'s site from `out` on `port` (0 picks a free one) until stopped; what it says
/// (in the terminal and over the page) is in `lang`.
pub fn run(root: &Path, out: &Path, port: u16, lang: Lang) -> ExitCode {
    match crate::serve::serve(root, &under_root(root, out), port, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(lang, error.message(), None),
    }
}
