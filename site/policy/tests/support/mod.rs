//! What the integration tests of `policy` and `portal` share: the repository root, copying
//! folders and making a fixture project. `portal`'s tests include this file by path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (both crates live at `site/<crate>`).
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The valid fixture project the broken fixtures are made from.
pub(crate) fn fixture_base() -> PathBuf {
    repo().join("site/policy/tests/fixtures/base")
}

/// Copy a folder and everything in it.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap_or_else(|e| panic!("walk {}: {e}", from.display()));
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A project with the test fixture's policies and the real content (the theme is built in).
pub(crate) fn fixture_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_base(), dir.path());
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    dir
}
