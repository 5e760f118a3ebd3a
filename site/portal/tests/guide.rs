//! The clerks' guide (`content/for-offices.md`) quotes what `portal` answers; this runs every
//! command of its `console` blocks, in order, in an empty folder, and compares the answers
//! with the guide, so that a message changed in the tool cannot leave the guide behind.
//! `<!-- guide-test: edit FILE "OLD" "NEW" -->` comments (invisible on the site) make the
//! edits the guide describes in words. Dates, years and timings are the reader's own, so they
//! are compared as placeholders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

/// One step of the guide: a command and the answer it quotes, or an edit it describes.
#[derive(Debug)]
enum Step {
    Run {
        command: String,
        answer: String,
    },
    Edit {
        file: String,
        old: String,
        new: String,
    },
}

fn steps(guide: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        if let Some(edit) = line.trim().strip_prefix("<!-- guide-test: edit ") {
            let edit = edit.trim_end_matches("-->").trim();
            let (file, rest) = edit.split_once(' ').unwrap();
            let quoted: Vec<&str> = rest.split('"').filter(|s| !s.trim().is_empty()).collect();
            assert_eq!(quoted.len(), 2, "edit needs \"OLD\" \"NEW\": {line}");
            steps.push(Step::Edit {
                file: file.to_owned(),
                old: quoted[0].to_owned(),
                new: quoted[1].to_owned(),
            });
        } else if line.trim() == "```console" {
            for line in lines.by_ref() {
                if line.trim() == "```" {
                    break;
                }
                match line.strip_prefix("$ ") {
                    Some(command) => steps.push(Step::Run {
                        command: command.to_owned(),
                        answer: String::new(),
                    }),
                    None => match steps.last_mut() {
                        Some(Step::Run { answer, .. }) => {
                            answer.push_str(line);
                            answer.push('\n');
                        }
                        _ => panic!("output before any command: {line}"),
                    },
                }
            }
        }
    }
    steps
}

/// Years, dates and timings as placeholders; trailing spaces dropped.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.trim_end().to_owned();
        // 用时 0.35 秒, 0.6 MB: the reader's machine and the theme's size.
        for (prefix, suffix) in [("用时 ", " 秒"), ("，", " MB")] {
            if let Some(start) = line.find(prefix) {
                let from = start + prefix.len();
                if let Some(len) = line[from..].find(suffix) {
                    if line[from..from + len]
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.')
                    {
                        line.replace_range(from..from + len, "N");
                    }
                }
            }
        }
        // Any four-digit year from 2000 to 2099 (in dates, ids and folder names).
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let mut replaced = String::new();
        while i < chars.len() {
            let year = i + 4 <= chars.len()
                && chars[i] == '2'
                && chars[i + 1] == '0'
                && chars[i + 2..i + 4].iter().all(char::is_ascii_digit)
                && (i == 0 || !chars[i - 1].is_ascii_digit())
                && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
            if year {
                replaced.push_str("YEAR");
                i += 4;
            } else {
                replaced.push(chars[i]);
                i += 1;
            }
        }
        out.push_str(&replaced);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// The guide is written in 2026 for a project started that year; commands are run with the
/// reader's years.
fn with_this_year(command: &str) -> String {
    let Some(year) = portal::today::today().map(|d| d.year()) else {
        return command.to_owned();
    };
    command
        .replace("2027", &(year + 1).to_string())
        .replace("2026", &year.to_string())
}

#[test]
fn every_answer_the_guide_quotes_is_the_one_portal_gives() {
    let guide_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/for-offices.md");
    let guide = std::fs::read_to_string(&guide_path).unwrap();
    let steps = steps(&guide);
    let runs = steps
        .iter()
        .filter(|s| matches!(s, Step::Run { .. }))
        .count();
    assert!(
        runs >= 7,
        "the guide's console blocks were not found ({runs} commands)"
    );
    let dir = tempfile::tempdir().unwrap();
    for step in &steps {
        match step {
            Step::Edit { file, old, new } => {
                let path = dir.path().join(with_this_year(file));
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.contains(old.as_str()), "{file} has no `{old}`");
                std::fs::write(&path, text.replacen(old.as_str(), new, 1)).unwrap();
            }
            Step::Run { command, answer } => {
                let command = with_this_year(command);
                let args: Vec<&str> = command.split_whitespace().collect();
                assert_eq!(args[0], "portal", "{command}");
                let output = Command::new(env!("CARGO_BIN_EXE_portal"))
                    .args(&args[1..])
                    .current_dir(dir.path())
                    .env("LANG", "zh_CN.UTF-8")
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap();
                let said = format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                assert_eq!(
                    normalise(&said),
                    normalise(answer),
                    "`{command}` answers differently from the guide"
                );
            }
        }
    }
}

#[test]
fn placeholders_cover_years_dates_and_timings() {
    assert_eq!(
        normalise("industry-2026 用时 0.35 秒，0.6 MB）2026-12-31 610926 12026"),
        "industry-YEAR 用时 N 秒，N MB）YEAR-12-31 610926 12026"
    );
}
