//! `portal serve`: preview on 127.0.0.1, rebuilding and reloading on every edit.

use super::{fail, under_root};
use std::path::Path;
use std::process::ExitCode;

/// Serve `root`'s site from `out` on `port` (0 picks a free one) until stopped.
pub fn run(root: &Path, out: &Path, port: u16) -> ExitCode {
    match crate::serve::serve(root, &under_root(root, out), port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error.to_string(), None),
    }
}
