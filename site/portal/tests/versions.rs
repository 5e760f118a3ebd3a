//! A clerk's path to a new version of a policy, on a copy of this repository's 沁源 policy:
//! the silent double subsidy is refused, `portal new version` makes a version that passes the
//! check at once, and its estimates change only where its rules are changed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::copy_dir;

fn portal(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(o));
    text(o)
}

/// This repository's policies and content pages, in a folder of their own.
fn project() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("policies"), &dir.path().join("policies"));
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    dir
}

fn total(root: &Path, date: &str, facts: &[&str]) -> String {
    let mut args = vec!["estimate", "--county", "140431", "--date", date, "--json"];
    args.extend_from_slice(facts);
    let out = ok(&portal(root, &args));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["total"]["min"].as_str().unwrap().to_owned()
}

/// `portal new version` for 沁源's 2018 version, as the guide shows it.
fn new_2018_version(root: &Path) -> String {
    ok(&portal(
        root,
        &[
            "new",
            "version",
            "qinyuan-2017-industry",
            "--from",
            "2018-01-01",
        ],
    ))
}

const DIR_2017: &str = "policies/140431-qinyuan/industry-2017";
const DIR_2018: &str = "policies/140431-qinyuan/industry-2018";

#[test]
fn a_second_policy_paying_for_the_same_pigs_is_refused_naming_both_files() {
    let dir = project();
    let root = dir.path();
    // The clerk's first try in the issue: a copy as a new document, no `supersedes`, the 2017
    // version left valid.
    let new = root.join(DIR_2018);
    copy_dir(&root.join(DIR_2017), &new);
    let yaml = std::fs::read_to_string(new.join("policy.yaml")).unwrap();
    let yaml = yaml
        .replace("id: qinyuan-2017-industry", "id: qinyuan-2018-industry")
        .replace("  from: 2017-11-13", "  from: 2018-01-01")
        .replace("rate: 300 元/头", "rate: 400 元/头");
    std::fs::write(new.join("policy.yaml"), yaml).unwrap();
    let out = portal(root, &["check"]);
    assert!(
        !out.status.success(),
        "a double subsidy passed: {}",
        text(&out)
    );
    let report = text(&out);
    assert!(report.contains("同一户会被算两次"), "{report}");
    assert!(
        report.contains("industry-2018/policy.yaml")
            && report.contains("industry-2017/policy.yaml")
            && report.contains("“新建日光温室大棚”")
            && report.contains("等 17 项")
            && report.contains("supersedes: qinyuan-2017-industry")
            && report.contains("2017-12-31"),
        "the message names both files, the item and the fix: {report}"
    );
}

#[test]
fn a_new_version_passes_at_once_and_changes_only_what_its_rules_change() {
    let dir = project();
    let root = dir.path();
    let pigs_2018 = ["registered_poor=true", "pigs=3"];
    let mixed_2018 = [
        "registered_poor=true",
        "solar_greenhouse_mu=1",
        "land_transfer_mu=10",
        "reforest_mu=2",
        "cattle=1",
    ];
    let before = (
        total(root, "2018-06-01", &pigs_2018),
        total(root, "2018-06-01", &mixed_2018),
        total(root, "2017-12-01", &pigs_2018),
    );
    assert_eq!(before.0, "900");

    let made = new_2018_version(root);
    assert!(made.contains("2017-12-31"), "{made}");
    ok(&portal(root, &["check"]));
    let old = std::fs::read_to_string(root.join(DIR_2017).join("policy.yaml")).unwrap();
    let new = std::fs::read_to_string(root.join(DIR_2018).join("policy.yaml")).unwrap();
    assert!(old.contains("  to: 2017-12-31"));
    assert!(
        new.contains("supersedes: qinyuan-2017-industry") && new.contains("  from: 2018-01-01")
    );
    assert_eq!(
        std::fs::read_to_string(root.join(DIR_2017).join("text.md")).unwrap(),
        std::fs::read_to_string(root.join(DIR_2018).join("text.md")).unwrap()
    );
    // Same rules, so the same answers on both sides of the change.
    let same = (
        total(root, "2018-06-01", &pigs_2018),
        total(root, "2018-06-01", &mixed_2018),
        total(root, "2017-12-01", &pigs_2018),
    );
    assert_eq!(same, before);

    // The clerk raises 小杂粮 to 300 元/亩 in the new version: the check still passes (no
    // worked example uses it), only the 2018 estimate for it moves, and it is paid once.
    std::fs::write(
        root.join(DIR_2018).join("policy.yaml"),
        new.replace("rate: 200 元/亩", "rate: 300 元/亩"),
    )
    .unwrap();
    ok(&portal(root, &["check"]));
    let grains = ["registered_poor=true", "minor_grains_mu=2"];
    assert_eq!(total(root, "2018-06-01", &grains), "600");
    assert_eq!(total(root, "2017-12-01", &grains), "400");
    assert_eq!(total(root, "2018-06-01", &pigs_2018), before.0);
    assert_eq!(total(root, "2018-06-01", &mixed_2018), before.1);
    assert_eq!(total(root, "2017-12-01", &pigs_2018), before.2);
}

#[test]
fn before_either_version_the_nearest_is_named_and_an_open_end_is_a_reminder() {
    let dir = project();
    let root = dir.path();
    new_2018_version(root);
    let new = root.join(DIR_2018).join("policy.yaml");
    let yaml = std::fs::read_to_string(&new).unwrap();
    // The new version gets its own title and no end date.
    let yaml = yaml
        .replacen(
            "title: 关于推进产业扶贫确保稳定脱贫的实施意见",
            "title: 沁源县2018年产业扶贫实施意见",
            1,
        )
        .replace("  to: 2020-12-31\n", "");
    std::fs::write(&new, yaml).unwrap();
    let checked = ok(&portal(root, &["check"]));
    assert_eq!(checked.matches("提醒").count(), 1, "{checked}");
    assert!(
        checked.contains("industry-2018/policy.yaml")
            && !checked.contains("industry-2017/policy.yaml"),
        "only the current version is named: {checked}"
    );

    // Before the 2017 version began, the nearest rules are the 2017 ones, not the 2018 ones.
    let out = portal(
        root,
        &[
            "estimate",
            "--county",
            "140431",
            "--date",
            "2017-06-01",
            "pigs=3",
        ],
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("《关于推进产业扶贫确保稳定脱贫的实施意见》")
            && !said.contains("2018年产业扶贫"),
        "{said}"
    );
}

#[test]
fn a_version_cannot_start_before_the_one_it_replaces() {
    let dir = project();
    let out = portal(
        dir.path(),
        &[
            "new",
            "version",
            "qinyuan-2017-industry",
            "--from",
            "2017-01-01",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("要晚于旧版的生效日期 2017-11-13"),
        "{}",
        text(&out)
    );
    let out = portal(
        dir.path(),
        &[
            "new",
            "version",
            "qinyuan-2017-industy",
            "--from",
            "2018-01-01",
        ],
    );
    assert!(
        text(&out).contains("是不是想写 `qinyuan-2017-industry`"),
        "{}",
        text(&out)
    );
    assert!(
        !dir.path().join(DIR_2018).exists(),
        "nothing is written on a refusal"
    );
}
