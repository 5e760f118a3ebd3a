//! Every mistake in one run, in the clerk's language: a policy file with an unknown key, an
//! unknown fact and a missing clause in one rule gives three errors, each at its file, line
//! and column, and nothing else; the same when the mistakes are spread over the file, or when
//! a structural mistake (a wrong type, an unknown top-level key) comes first. The reports are
//! snapshots: the Chinese text a clerk reads, the JSON with codes, and the English once.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use policy::messages::Lang;
use policy::Diagnostics;

const POLICY: &str = "policies/100001-test/demo-2020/policy.yaml";

/// Load the fixture project with its policy.yaml changed by `edits` (each `old` occurs once).
fn check_with(edits: &[(&str, &str)]) -> Diagnostics {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::fixture_base(), dir.path());
    let path = dir.path().join(POLICY);
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (old, new) in edits {
        assert_eq!(text.matches(old).count(), 1, "`{old}` must occur once");
        text = text.replace(old, new);
    }
    std::fs::write(&path, text).unwrap();
    match policy::load(dir.path()) {
        Ok(_) => panic!("the broken policy passed the check"),
        Err(diagnostics) => diagnostics,
    }
}

fn places(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics
        .items
        .iter()
        .map(|d| format!("{}:{}:{} {}", d.file, d.line, d.column, d.code))
        .collect()
}

/// The `pigs` rule with three mistakes: an unknown key, an unknown fact, a missing clause.
const THREE_IN_ONE_RULE: &[(&str, &str)] = &[(
    "  - id: pigs\n    label: 养猪\n    clause: c2-1\n    quantity: pigs\n",
    "  - id: pigs\n    label: 养猪\n    colour: red\n    clause: c9-9\n    quantity: sheeps\n",
)];

#[test]
fn three_mistakes_in_one_rule_are_three_errors() {
    let diagnostics = check_with(THREE_IN_ONE_RULE);
    assert_eq!(
        places(&diagnostics),
        [
            format!("{POLICY}:28:5 unknown-key"),
            format!("{POLICY}:29:13 missing-clause"),
            format!("{POLICY}:30:15 unknown-fact"),
        ]
    );
    insta::assert_snapshot!("three_mistakes_zh", diagnostics.render_in(Lang::Zh));
    insta::assert_json_snapshot!("three_mistakes_json", diagnostics.to_json(Lang::Zh));
    insta::assert_snapshot!("three_mistakes_en", diagnostics.render_in(Lang::En));
}

#[test]
fn three_mistakes_spread_over_one_file_are_three_errors() {
    // An unknown top-level key used to make the whole file unreadable.
    let diagnostics = check_with(&[
        (
            "title: 测试县产业扶贫办法\n",
            "title: 测试县产业扶贫办法\nsummery: 摘要\n",
        ),
        ("    quantity: cash_crop_mu\n", "    quantity: cash_crop\n"),
        ("    clause: c3-3\n", "    clause: c3-9\n"),
    ]);
    assert_eq!(
        places(&diagnostics),
        [
            format!("{POLICY}:5:1 unknown-key"),
            format!("{POLICY}:24:15 unknown-fact"),
            format!("{POLICY}:66:13 missing-clause"),
        ]
    );
}

#[test]
fn a_number_without_its_unit_hides_nothing_and_adds_nothing() {
    // `cap: 2000` (a number, not "2000 元") is reported with what to write; the rule's other
    // mistakes are still found; and the examples, which count on the cap, do not "disagree".
    let diagnostics = check_with(&[
        ("    cap: 2000 元\n", "    cap: 2000\n"),
        ("    clause: c2-1\n", "    clause: c9-1\n"),
        ("    quantity: pigs\n", "    quantity: pig\n"),
    ]);
    assert_eq!(
        places(&diagnostics),
        [
            format!("{POLICY}:28:13 missing-clause"),
            format!("{POLICY}:29:15 unknown-fact"),
            format!("{POLICY}:31:10 amount-no-unit"),
        ]
    );
    let cap = &diagnostics.items[2];
    assert_eq!(
        cap.message_in(Lang::Zh),
        "`cap` 只写了数字 2000，没有写单位"
    );
    assert_eq!(
        cap.hint_in(Lang::Zh).as_deref(),
        Some("数字后面要写单位“元”：写成 `cap: 2000 元`。")
    );
}

#[test]
fn a_wrong_type_hides_nothing_and_adds_nothing() {
    // A cap written as a list is left out in reading; the rule's other mistakes are still
    // found, and the examples, which count on the cap, do not "disagree".
    let diagnostics = check_with(&[
        ("    cap: 2000 元\n", "    cap: [2000 元]\n"),
        ("    clause: c2-1\n", "    clause: c9-1\n"),
        ("    quantity: pigs\n", "    quantity: pig\n"),
    ]);
    assert_eq!(
        places(&diagnostics),
        [
            format!("{POLICY}:28:13 missing-clause"),
            format!("{POLICY}:29:15 unknown-fact"),
            format!("{POLICY}:31:10 wrong-type"),
        ]
    );
}

#[test]
fn a_rate_without_its_unit_says_how_to_write_it() {
    // The unit is the one the rule needs: `quantity: pigs` counts head (头).
    let diagnostics = check_with(&[("    rate: 300 元/头\n", "    rate: 400\n")]);
    assert_eq!(
        places(&diagnostics),
        [format!("{POLICY}:30:11 amount-no-unit")]
    );
    let hint = diagnostics.items[0].hint_in(Lang::Zh).unwrap_or_default();
    assert!(hint.contains("写成 `rate: 400 元/头`"), "{hint}");
}

#[test]
fn a_misspelt_key_is_one_mistake_not_two() {
    // `lable` is reported as unknown, with `label` suggested; the missing `label` it stands
    // for is not reported again, and the rest of the rule is still checked.
    let diagnostics = check_with(&[(
        "    label: 养猪\n    clause: c2-1\n",
        "    lable: 养猪\n    clause: c2-9\n",
    )]);
    assert_eq!(
        places(&diagnostics),
        [
            format!("{POLICY}:27:5 unknown-key"),
            format!("{POLICY}:28:13 missing-clause"),
        ]
    );
    let hint = diagnostics.items[0].hint_in(Lang::Zh).unwrap_or_default();
    assert!(hint.starts_with("是不是想写 `label`？"), "{hint}");
}

#[test]
fn a_wrong_type_in_a_required_key_does_not_hide_the_rest_of_the_rule() {
    // A label written as a list is reported; the rule is still read (its label stood in
    // for), so its missing clause is found too.
    let diagnostics = check_with(&[(
        "  - id: asset-income\n    label: 资产收益\n    clause: c3-2\n",
        "  - id: asset-income\n    label: [资产收益]\n    clause: c3-9\n",
    )]);
    assert_eq!(
        places(&diagnostics),
        [
            format!("{POLICY}:55:12 wrong-type"),
            format!("{POLICY}:56:13 missing-clause"),
        ]
    );
}
