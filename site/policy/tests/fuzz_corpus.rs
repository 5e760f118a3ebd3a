//! Replays the fuzzing corpus (`site/policy/fuzz/corpus/`) and every input a fuzzer once
//! crashed on (`site/policy/fuzz/regressions/`) through the very functions the fuzz targets
//! call ([`policy::fuzz`]): none may panic, overflow the stack or take long. This is no fuzzing
//! (that needs cargo-fuzz, see `site/policy/fuzz/README.md`), only the inputs it found.
//!
//! The Markdown renderer's half of `full_text` is replayed by `site/render/tests/fuzz_corpus.rs`.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod replay;
mod support;

use replay::replay;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn policy_file_corpus() {
    replay("policy_file", policy::fuzz::policy_file);
}

#[test]
fn formula_corpus() {
    replay("formula", policy::fuzz::formula);
}

#[test]
fn full_text_corpus() {
    replay("full_text", policy::fuzz::full_text);
}

/// The fuzz targets load projects from memory; that must check exactly what loading the same
/// files from a folder checks, or fuzzing would test something else.
#[test]
fn loading_from_memory_is_loading_from_disk() {
    let base = support::fixture_base();
    let fixtures = base.join("..");
    let mut projects = vec![support::repo(), base.clone()];
    // The base project with one broken policy file in place of its own, on disk and in memory.
    let temp = tempfile::tempdir().unwrap();
    let mut broken: Vec<PathBuf> = fs::read_dir(fixtures.join("broken"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".policy.yaml"))
        .collect();
    broken.sort();
    for (i, file) in broken.iter().enumerate() {
        let project = temp.path().join(i.to_string());
        support::copy_dir(&base, &project);
        fs::copy(file, project.join(policy::fuzz::POLICY_PATH)).unwrap();
        projects.push(project);
    }
    for project in &projects {
        let files = read_tree(project);
        let from_disk = policy::load(project);
        let from_memory = policy::load_in_memory(&files);
        match (from_disk, from_memory) {
            (Ok(disk), Ok(memory)) => {
                assert_eq!(disk.summary, memory.summary, "{}", project.display());
                assert_eq!(disk.rulebooks, memory.rulebooks, "{}", project.display());
            }
            (Err(disk), Err(memory)) => {
                assert_eq!(disk.items, memory.items, "{}", project.display());
                assert_eq!(disk.render(), memory.render(), "{}", project.display());
            }
            (disk, memory) => panic!(
                "{}: from disk {}, from memory {}",
                project.display(),
                if disk.is_ok() { "ok" } else { "errors" },
                if memory.is_ok() { "ok" } else { "errors" },
            ),
        }
    }
}

/// Every file under `root/policies`, by its path relative to `root` with `/`.
fn read_tree(root: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root.join("policies")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(root).unwrap();
            let key = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(key, fs::read_to_string(entry.path()).unwrap());
        }
    }
    files
}
