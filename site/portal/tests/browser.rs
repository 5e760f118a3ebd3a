//! The built site in a real browser (Debian's headless Chromium, via playwright-core): axe-core
//! (WCAG 2.1 AA) on every page kind at 412 and 1280 px with no request leaving 127.0.0.1, and
//! the estimator used as a household uses it.
//!
//! Needs `chromium` (apt) and `npm ci --prefix site/portal/tests/browser`; `.ci/run` installs both.
//! Without them these tests FAIL under CI and are skipped, loudly, elsewhere.
//! `SCREENSHOTS=DIR` saves the estimator's screenshots (empty, filled, error) there.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::repo;

fn missing_tools(browser_dir: &Path) -> Vec<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).is_file() {
        missing.push(format!("{chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".into());
    }
    for package in ["axe-core", "playwright-core"] {
        if !browser_dir.join("node_modules").join(package).is_dir() {
            missing.push(format!(
                "{package} (npm ci --prefix site/portal/tests/browser)"
            ));
        }
    }
    missing
}

/// The browser tools' folder, or `None` after announcing a loud skip (panics under CI).
fn browser_dir() -> Option<PathBuf> {
    let browser_dir = repo().join("site/portal/tests/browser");
    let missing = missing_tools(&browser_dir);
    if missing.is_empty() {
        return Some(browser_dir);
    }
    let message = format!("browser test cannot run, missing: {}", missing.join(", "));
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    // Written straight to stderr: libtest captures eprintln!, and a skip must not be quiet.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! browser test SKIPPED (not CI): {message} !!!!!!!!\n"
    );
    None
}

/// Run a test script; it prints a line per check and "N passed, N failed".
fn run_node(script: &Path, args: &[&Path]) {
    let output = Command::new("node")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    assert!(
        output.status.success(),
        "{} found problems:\n{report}",
        script.display()
    );
    assert!(report.contains(" passed, 0 failed"), "{report}");
}

#[test]
fn every_page_kind_passes_axe_in_chromium() {
    let Some(browser_dir) = browser_dir() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    portal::build_site(&repo(), &public).unwrap_or_else(|e| panic!("{e}"));
    run_node(&browser_dir.join("axe.mjs"), &[&public]);
}

/// Above `WHOLE_COUNTIES` the comparison is a page per prefecture and item: axe on each kind,
/// and the county picker by mouse and keyboard.
#[test]
fn the_comparison_by_prefecture_passes_axe_and_picks_counties() {
    let Some(browser_dir) = browser_dir() else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    let counties = render::compare_regions::WHOLE_COUNTIES + 10;
    portal::synthetic::generate(&repo(), project.path(), counties, 1).unwrap();
    let public = project.path().join("public");
    portal::build_site(project.path(), &public).unwrap_or_else(|e| panic!("{e}"));
    // The synthetic counties are the code list's first: 北京's districts first.
    let province = "110100";
    assert!(public.join("compare/110100/pigs/index.html").is_file());
    let pages = format!("/compare/ /compare/{province}/ /compare/{province}/pigs/ /data/");
    let output = Command::new("node")
        .arg(browser_dir.join("axe.mjs"))
        .arg(&public)
        .env("AXE_PAGES", pages)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success() && report.contains(" passed, 0 failed"),
        "{report}"
    );
    let pick = browser_dir.join("compare-pick.mjs");
    run_node(&pick, &[&public, Path::new(province)]);
}

#[test]
fn the_estimator_works_as_a_household_uses_it() {
    let Some(browser_dir) = browser_dir() else {
        return;
    };
    let repo = repo();
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    portal::build_site(&repo, &public).unwrap_or_else(|e| panic!("{e}"));
    // Every household worked example, opened as a shared link, with the native engine's answer.
    let project = policy::load(&repo).unwrap();
    let today = calculator::Date::new(2026, 1, 1).unwrap();
    let mut cases = Vec::new();
    for document in &project.documents {
        let household = document
            .source
            .examples
            .iter()
            .filter(|e| matches!(e.audience, policy::source::AudienceSource::Household));
        for example in household {
            let mut query: Vec<String> = example
                .facts
                .iter()
                .map(|(k, v)| format!("{k}={}", v.0))
                .collect();
            query.push(format!("date={}", example.date));
            let query = query.join("&");
            let book = &project.rulebooks[&document.source.county];
            let answer = serde_json::to_value(estimate_view::estimate_query(
                book,
                &query,
                today,
                &render::urls::clause_links(),
            ))
            .unwrap();
            cases.push(serde_json::json!({
                "county": document.source.county,
                "query": query,
                "min": answer["view"]["total_min"],
                "max": answer["view"]["total_max"],
                "lines": answer["view"]["lines"].as_array().map_or(0, Vec::len),
                "schedules": answer["view"]["schedule"].as_array().map_or(0, Vec::len),
            }));
        }
    }
    assert!(cases.len() >= 15, "{}", cases.len());
    let cases_file = out.path().join("cases.json");
    std::fs::write(&cases_file, serde_json::to_string(&cases).unwrap()).unwrap();
    let shots = std::env::var_os("SCREENSHOTS").map(PathBuf::from);
    let mut args = vec![public.as_path(), cases_file.as_path()];
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
        args.push(dir.as_path());
    }
    run_node(&browser_dir.join("estimator.mjs"), &args);
}

#[test]
fn search_finds_chinese_words_and_filters_in_chromium() {
    let Some(browser_dir) = browser_dir() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    portal::build_site(&repo(), &public).unwrap_or_else(|e| panic!("{e}"));
    let shots = std::env::var_os("SCREENSHOTS").map(PathBuf::from);
    let mut args = vec![public.as_path()];
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
        args.push(dir.as_path());
    }
    run_node(&browser_dir.join("search.mjs"), &args);
}
