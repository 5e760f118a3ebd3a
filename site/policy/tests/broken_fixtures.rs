//! Every file in tests/fixtures/broken/ holds exactly one mistake and says, on its first line,
//! where `portal check` must report it, under which code and in which words
//! (`# expect: LINE:COLUMN code=CODE fragment of the Chinese message or hint`). Each is
//! dropped into a copy of tests/fixtures/base; the check must report that one problem, at
//! that place, and nothing else — and must not panic, in Chinese or in English.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use policy::messages::{self, Lang};
use std::fs;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Expectation {
    line: u32,
    column: u32,
    code: String,
    message: String,
}

fn expectation(text: &str) -> Option<Expectation> {
    let first = text.lines().next()?;
    let rest = first
        .split("expect: ")
        .nth(1)?
        .trim_end_matches("-->")
        .trim();
    let (position, rest) = rest.split_once(' ')?;
    let (code, message) = rest.strip_prefix("code=")?.split_once(' ')?;
    let (line, column) = position.split_once(':')?;
    Some(Expectation {
        line: line.parse().ok()?,
        column: column.parse().ok()?,
        code: code.to_owned(),
        message: message.to_owned(),
    })
}

/// Where a fixture of each kind goes in the project, relative to the root.
fn destination(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "facts" => "policies/facts.yaml",
        "county" => "policies/100001-test/county.yaml",
        "policy" => "policies/100001-test/demo-2020/policy.yaml",
        "text" => "policies/100001-test/demo-2020/text.md",
        "extra" => "policies/100001-test/demo-2021/policy.yaml",
        "stray" => "policies/100001-test/demo-2020/policy.yml",
        "orphan" => "policies/100001-test/orphan/text.md",
        _ => return None,
    })
}

#[test]
fn the_base_fixture_is_valid() {
    let project = policy::load(&fixtures().join("base"));
    assert!(
        project.is_ok(),
        "{}",
        project.err().map(|d| d.render()).unwrap_or_default()
    );
}

#[test]
fn every_broken_fixture_is_reported_at_its_place() {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures().join("broken"))
        .unwrap_or_else(|e| panic!("read fixtures: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "only {} broken fixtures", files.len());

    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = name.split('.').nth(1).unwrap_or_default();
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("read {name}: {e}"));
        let (Some(expected), Some(dest)) = (expectation(&text), destination(kind)) else {
            failures.push(format!(
                "{name}: no `expect:` header or unknown kind `{kind}`"
            ));
            continue;
        };
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        support::copy_dir(&fixtures().join("base"), root.path());
        let target = root.path().join(dest);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        if kind == "extra" {
            let text_md = root.path().join("policies/100001-test/demo-2020/text.md");
            fs::copy(&text_md, target.with_file_name("text.md"))
                .unwrap_or_else(|e| panic!("copy: {e}"));
        }
        fs::write(&target, &text).unwrap_or_else(|e| panic!("write: {e}"));

        let outcome = std::panic::catch_unwind(|| policy::load(root.path()));
        let diagnostics = match outcome {
            Err(_) => {
                failures.push(format!("{name}: PANICKED"));
                continue;
            }
            Ok(Ok(_)) => {
                failures.push(format!("{name}: no error reported"));
                continue;
            }
            Ok(Err(diagnostics)) => diagnostics,
        };
        // The rendering with snippets must not panic either, in either language, and must
        // fill every placeholder.
        let rendered = diagnostics.render_in(Lang::Zh);
        let english = diagnostics.render_in(Lang::En);
        for text in [&rendered, &english] {
            let unfilled = messages::placeholders(text);
            if !unfilled.is_empty() {
                failures.push(format!(
                    "{name}: placeholders not filled: {unfilled:?}\n{text}"
                ));
            }
        }
        let found: Vec<String> = diagnostics
            .items
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{} code={} {} | {}",
                    d.file,
                    d.line,
                    d.column,
                    d.code,
                    d.message_in(Lang::Zh),
                    d.hint_in(Lang::Zh).unwrap_or_default()
                )
            })
            .collect();
        // A folder-level problem is reported on the folder.
        let reported = if kind == "orphan" {
            dest.trim_end_matches("/text.md")
        } else {
            dest
        };
        let matches = diagnostics.items.len() == 1 && {
            let d = &diagnostics.items[0];
            d.file == reported
                && d.line == expected.line
                && d.column == expected.column
                && d.code == expected.code
                && format!(
                    "{} {}",
                    d.message_in(Lang::Zh),
                    d.hint_in(Lang::Zh).unwrap_or_default()
                )
                .contains(&expected.message)
        };
        if !matches {
            failures.push(format!(
                "{name}: expected exactly `{reported}:{}:{} code={} …{}…`, got:\n    {}",
                expected.line,
                expected.column,
                expected.code,
                expected.message,
                found.join("\n    ")
            ));
        } else if rendered.contains("╭─[")
            && !rendered.contains(&format!(
                "╭─[{reported}:{}:{}]",
                expected.line, expected.column
            ))
        {
            // The snippet's own header must agree with ours (miette alone counts bytes).
            failures.push(format!(
                "{name}: the snippet box shows another place:\n{rendered}"
            ));
        } else if !rendered.contains(&format!("{reported}:{}:{}", expected.line, expected.column)) {
            failures.push(format!(
                "{name}: the rendered report does not name the place:\n{rendered}"
            ));
        }
    }
    println!(
        "{} broken fixtures checked, {} failed",
        files.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
