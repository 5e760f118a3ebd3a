//! The slips a Chinese keyboard and a spreadsheet habit cause, reported at the line where
//! they are, with the line as it should be typed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use policy::messages::Lang;

/// Check the fixture project with `edit` applied to its policy file: the one problem's code,
/// line and Chinese report.
fn check_with(edit: impl Fn(&str) -> String) -> (&'static str, u32, String) {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::fixture_base(), dir.path());
    let file = dir
        .path()
        .join("policies/100001-test/demo-2020/policy.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&file, edited).unwrap();
    let Err(diagnostics) = policy::load(dir.path()) else {
        panic!("the slip was not reported");
    };
    assert_eq!(diagnostics.len(), 1, "{}", diagnostics.render());
    let first = &diagnostics.items[0];
    (first.code, first.line, diagnostics.render_in(Lang::Zh))
}

#[test]
fn a_full_width_colon_is_named_at_its_own_line() {
    let (code, line, text) = check_with(|t| t.replacen("  label:", "  label：", 1));
    assert_eq!(code, "full-width-colon", "{text}");
    assert!(
        text.contains(&format!("第{line}行的 `label` 后面用了中文冒号")),
        "{text}"
    );
    assert!(text.contains("写成 `label: "), "{text}");
}

#[test]
fn a_line_indented_too_deep_is_named_with_the_line_to_type() {
    let (code, _, text) = check_with(|t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let i = lines
            .iter()
            .position(|l| l.trim_start().starts_with("clause:"))
            .unwrap();
        // Only a line after a `key: value` line at its own level shows this slip.
        assert!(lines[i - 1].contains(": "));
        lines[i] = format!("  {}", lines[i]);
        lines.join("\n") + "\n"
    });
    assert_eq!(code, "over-indented", "{text}");
    assert!(text.contains("多缩进了2个空格"), "{text}");
}
