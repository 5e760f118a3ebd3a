//! `portal` as an office installs it: the program alone in an empty folder, with no cargo,
//! rustup or source tree on PATH, makes a project, checks it and builds it — and builds this
//! repository's site, estimator and all, from what it carries inside itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

/// Run the copied program with an environment that has no toolchain in it.
fn run(program: &Path, cwd: &Path, args: &[&str]) -> Output {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", cwd.join("empty-path"))
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "portal {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn the_program_alone_inits_checks_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    std::fs::create_dir(here.join("empty-path")).unwrap();
    let program = here.join("portal");
    std::fs::copy(env!("CARGO_BIN_EXE_portal"), &program).unwrap();

    run(&program, here, &["init", "office"]);
    let check = run(&program, here, &["check", "--root", "office"]);
    assert!(String::from_utf8_lossy(&check.stdout).contains("全部正确"));
    run(&program, here, &["build", "--root", "office"]);
    let public = here.join("office/public");
    assert!(public.join("index.html").is_file());
    let estimators: Vec<_> = walk(&public)
        .filter(|p| p.ends_with("estimate/index.html"))
        .collect();
    assert_eq!(estimators.len(), 1, "the new county has an estimator page");

    // This repository's own site, from the copied program: the estimator pages and the wasm.
    let out = here.join("repo-site");
    let repo = support::repo();
    run(
        &program,
        here,
        &[
            "build",
            "--root",
            &repo.display().to_string(),
            "--out",
            &out.display().to_string(),
        ],
    );
    let wasm: Vec<_> = walk(&out.join("assets"))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    assert_eq!(wasm.len(), 1);
    assert_eq!(&std::fs::read(&wasm[0]).unwrap()[..4], b"\0asm");
    assert_eq!(
        std::fs::read(&wasm[0]).unwrap(),
        portal::assets::ESTIMATOR_WASM,
        "the site carries the module compiled into portal"
    );
    for code in ["140431", "533401", "610117", "360121"] {
        assert!(
            out.join(format!("counties/{code}/estimate/index.html"))
                .is_file(),
            "no estimator for {code}"
        );
    }
}

fn walk(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
}
