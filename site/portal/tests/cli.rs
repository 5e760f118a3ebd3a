//! The `portal` binary as users meet it: the real content checks clean, `estimate` keeps the
//! JSON interface DESIGN.md promises, and bad input gets a message and a non-zero exit,
//! never a panic.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use serde_json::Value;
use std::process::{Command, Output};
use support::repo;

/// `portal` as a clerk runs it: no locale asking for English, so it speaks Chinese.
fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    for locale in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        command.env_remove(locale);
    }
    command
}

fn portal(args: &[&str]) -> Output {
    command()
        .arg("--root")
        .arg(repo())
        .args(args)
        .output()
        .expect("run portal")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code 1 with a message, not 101 (a panic).
fn assert_refused(o: &Output, fragment: &str) {
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    assert!(
        stderr(o).contains(fragment),
        "`{fragment}` not in: {}",
        stderr(o)
    );
}

fn estimate_json(args: &[&str]) -> Value {
    let mut all = vec!["estimate", "--json"];
    all.extend_from_slice(args);
    let o = portal(&all);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("estimate prints JSON")
}

#[test]
fn the_real_content_checks_clean() {
    let o = portal(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("全部正确"), "{}", stdout(&o));
    let project = policy::load(&repo()).unwrap_or_else(|d| panic!("{}", d.render()));
    for code in [
        "610117", "140431", "360121", "533401", "610724", "610926", "420324", "420325",
    ] {
        assert!(project.county(code).is_some(), "county {code} missing");
    }
    assert!(project.summary.examples >= 3 * 5, "{:?}", project.summary);
}

#[test]
fn estimate_json_has_the_documented_shape() {
    let v = estimate_json(&[
        "--county",
        "533401",
        "--date",
        "2017-06-01",
        "registered_poor=true",
        "cash_crop_mu=3",
        "pigs=3",
        "chickens=50",
    ]);
    assert_eq!(v["total"]["min"], "2500");
    assert_eq!(v["total"]["max"], "2500");
    let lines = v["lines"].as_array().unwrap();
    let sum: i64 = lines
        .iter()
        .map(|l| l["amount"]["min"].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, 2500);
    for line in lines {
        for key in ["policy", "rule", "label", "clause", "notes"] {
            assert!(!line[key].is_null(), "line lacks {key}: {line}");
        }
        assert!(line["amount"]["min"].is_string() && line["amount"]["max"].is_string());
    }
    assert_eq!(v["schedule"][0]["parts"].as_array().map(Vec::len), Some(3));
    let excluded = v["excluded"].as_array().unwrap();
    assert!(excluded.iter().any(
        |e| e["rule"] == "collective-fund" && e["reason"].as_str().unwrap().contains("村集体")
    ));
    insta::assert_json_snapshot!("estimate_shangri_la_household", v);
}

#[test]
fn a_yield_open_above_has_a_null_max() {
    let v = estimate_json(&[
        "--county",
        "140431",
        "--date",
        "2019-06-01",
        "registered_poor=true",
        "exit_year=2016",
        "equity_yuan=10000",
    ]);
    assert_eq!(v["total"]["min"], "600");
    assert!(v["total"]["max"].is_null());
    // A dividend is paid every year: the breakdown by period says so beside the total.
    assert_eq!(v["by_period"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["by_period"][0]["paid"]["kind"], "yearly");
    assert_eq!(v["by_period"][0]["amount"]["min"], "600");
    assert_eq!(v["lines"][0]["paid"]["kind"], "yearly");
}

#[test]
fn an_exit_before_the_2015_list_leaves_only_the_loan_for_those_households() {
    let v = estimate_json(&[
        "--county",
        "140431",
        "--date",
        "2018-06-01",
        "registered_poor=true",
        "exit_year=2015",
        "pigs=5",
        "equity_yuan=10000",
    ]);
    assert_eq!(v["total"]["min"], "0");
    assert_eq!(v["lines"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["loans"][0]["rule"], "exit-loan");
    assert_eq!(v["loans"][0]["max_principal"]["min"], "20000");
}

#[test]
fn full_width_digits_and_chinese_yes_are_accepted() {
    let v = estimate_json(&[
        "--county",
        "140431",
        "--date",
        "2018-06-01",
        "registered_poor=是",
        "pigs=３",
    ]);
    assert_eq!(v["total"]["min"], "900");
    assert_eq!(v["facts"][0]["value"], "true");
}

#[test]
fn bad_facts_are_refused_with_reasons() {
    let o = portal(&[
        "estimate",
        "--county",
        "140431",
        "--date",
        "2018-06-01",
        "pigs=-3",
        "cattle=abc",
        "goats=1",
        "chickens=1e30",
    ]);
    assert_refused(&o, "不能是负数");
    for fragment in ["请填写数字", "没有名为 `goats` 的填写项", "有 4 项填写有误"]
    {
        assert!(stderr(&o).contains(fragment), "{fragment}: {}", stderr(&o));
    }
    let o = portal(&[
        "estimate",
        "--county",
        "140431",
        "--date",
        "2018-06-01",
        "pigs=99999999999999999999999999999999",
    ]);
    assert_refused(&o, "猪");
    let o = portal(&[
        "estimate",
        "--county",
        "140431",
        "--date",
        "2018-06-01",
        "pigs",
    ]);
    assert_refused(&o, "不是“项目=数值”的写法");
}

#[test]
fn unknown_and_former_county_codes_get_a_hint() {
    assert_refused(
        &portal(&["estimate", "--county", "999999", "pigs=1"]),
        "已有的县：",
    );
    assert_refused(
        &portal(&["estimate", "--county", "533421", "pigs=1"]),
        "香格里拉市的旧代码",
    );
    assert_refused(
        &portal(&["estimate", "--county", "610724", "pigs=1"]),
        "还没有可以估算的政策规则",
    );
}

#[test]
fn an_expired_scheme_is_named_not_a_silent_zero() {
    let o = portal(&[
        "estimate",
        "--county",
        "140431",
        "--date",
        "2026-01-01",
        "pigs=3",
    ]);
    assert_refused(&o, "关于推进产业扶贫确保稳定脱贫的实施意见");
    assert!(
        stderr(&o).contains("2020-12-31") && stderr(&o).contains("--date"),
        "{}",
        stderr(&o)
    );
    assert_refused(
        &portal(&[
            "estimate",
            "--county",
            "140431",
            "--date",
            "2018-02-30",
            "pigs=3",
        ]),
        "`2018-02-30` 不是日期",
    );
}

#[test]
fn text_output_reads_for_a_person() {
    let run = |facts: &[&str]| {
        let mut args = vec![
            "estimate",
            "--county",
            "533401",
            "--date",
            "2017-06-01",
            "registered_poor=true",
        ];
        args.extend_from_slice(facts);
        let o = portal(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let text = run(&["pigs=3"]);
    for fragment in [
        "估算合计：1500 元（人民币壹仟伍佰元整）",
        "× 500 元/头 = 1500 元",
        "仅为估算，以香格里拉市农科局、市扶贫办核定为准",
    ] {
        assert!(text.contains(fragment), "`{fragment}` not in:\n{text}");
    }
    // A cap without a rate against a certain amount: the best of them is a range.
    let text = run(&["cattle=2", "bee_boxes=3"]);
    for fragment in [
        "估算合计：600–2000 元",
        "存栏牛、马、骡、驴：600–2000 元",
        "可改选“养蜂”",
        "产前 360–1200 元",
        "注：“以上养殖补助每户贫困户只享受1项”",
    ] {
        assert!(text.contains(fragment), "`{fragment}` not in:\n{text}");
    }
    assert!(
        !text.contains("人民币"),
        "a range has no 大写 amount:\n{text}"
    );
}

#[test]
fn check_json_reports_file_line_column_and_exits_non_zero() {
    let root = support::fixture_base();
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&root, dir.path());
    let policy = dir
        .path()
        .join("policies/100001-test/demo-2020/policy.yaml");
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("rate: 300 元/头", "rat: 300 元/头")
        .replace("clause: c3-3", "clause: c3-9");
    std::fs::write(&policy, text).unwrap();
    let check = |lang: Option<&str>| {
        let mut command = command();
        command.args([
            "--root",
            dir.path().to_str().unwrap(),
            "check",
            "--format",
            "json",
        ]);
        if let Some(lang) = lang {
            command.args(["--lang", lang]);
        }
        command.output().unwrap()
    };
    let o = check(None);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], false);
    let errors = v["errors"].as_array().unwrap();
    // Both mistakes in one run, not just the first; the rule that lost `rat` is not also
    // blamed for saying nothing about what it pays.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["path"], "rules[1].rat");
    assert_eq!(errors[0]["code"], "unknown-key");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(30), Some(5))
    );
    assert!(errors[0]["hint"]
        .as_str()
        .unwrap()
        .contains("是不是想写 `rate`"));
    assert_eq!(errors[1]["path"], "rules[7].clause");
    assert_eq!(errors[1]["code"], "missing-clause");
    // The same problems in English, with the same codes.
    let v: Value = serde_json::from_str(&stdout(&check(Some("en")))).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors[0]["code"], "unknown-key");
    assert!(errors[0]["hint"]
        .as_str()
        .unwrap()
        .contains("Did you mean `rate`"));
}

/// A build killed midway (Ctrl-C, a closed terminal) leaves its half-written site hidden
/// beside the output, gigabytes at national size; the next build removes it and says so.
#[test]
fn what_a_killed_build_left_the_next_build_removes_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let hidden = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with('.'))
            .collect()
    };
    // The half-written site itself, not only its lock file (made just before it).
    let staging = |dir: &std::path::Path| {
        hidden(dir)
            .iter()
            .any(|n| n.starts_with(".public.building-") && dir.join(n).is_dir())
    };
    let mut killed = command()
        .arg("--root")
        .arg(repo())
        .arg("build")
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run portal");
    let started = std::time::Instant::now();
    // Killed once it has begun writing the new site.
    while !staging(dir.path()) {
        assert!(
            started.elapsed().as_secs() < 60 && killed.try_wait().unwrap().is_none(),
            "the build never began its site, or ended first"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert!(
        staging(dir.path()) && !out.exists(),
        "{:?}",
        hidden(dir.path())
    );

    let next = portal(&["build", "--out", out.to_str().unwrap()]);
    assert!(next.status.success(), "stderr: {}", stderr(&next));
    assert!(
        stdout(&next).contains("已清除先前中断的构建在") && stdout(&next).contains("个隐藏文件夹"),
        "{}",
        stdout(&next)
    );
    assert_eq!(hidden(dir.path()), Vec::<String>::new());
    assert!(out.join("index.html").is_file());
}

#[test]
fn the_language_is_the_flag_or_else_the_locale() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::fixture_base(), dir.path());
    let policy = dir
        .path()
        .join("policies/100001-test/demo-2020/policy.yaml");
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("quantity: pigs\n", "quantity: pig\n");
    std::fs::write(&policy, text).unwrap();
    let root = dir.path().to_str().unwrap();
    let run = |lang: Option<&str>, locale: Option<&str>| {
        let mut command = command();
        if let Some(locale) = locale {
            command.env("LANG", locale);
        }
        command.args(["--root", root]);
        if let Some(lang) = lang {
            command.args(["--lang", lang]);
        }
        stderr(&command.arg("check").output().unwrap())
    };
    let chinese = "`pig` 不是情况项的名字";
    let english = "unknown fact `pig`";
    assert!(run(None, None).contains(chinese));
    assert!(run(None, Some("zh_CN.UTF-8")).contains(chinese));
    assert!(run(None, Some("en_US.UTF-8")).contains(english));
    assert!(run(Some("zh"), Some("en_US.UTF-8")).contains(chinese));
    assert!(run(Some("en"), None).contains(english));
    let summary = run(None, None);
    assert!(summary.contains("发现 1 处错误"), "{summary}");
    assert!(
        summary.contains(&format!("再运行一次 `portal check --root {root}`")),
        "the summary says the command to run again, --root included: {summary}"
    );
}

#[test]
fn the_published_schemas_are_current_and_named_by_every_file() {
    for (name, text) in policy::schema::all() {
        let committed =
            std::fs::read_to_string(repo().join("policies/schema").join(name)).unwrap_or_default();
        assert!(
            committed == text,
            "policies/schema/{name} is stale: run `portal schema --write policies/schema`"
        );
        let schema: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            schema["additionalProperties"], false,
            "{name} must refuse unknown keys"
        );
    }
    for entry in walkdir::WalkDir::new(repo().join("policies")) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(path).unwrap();
            let first = text.lines().next().unwrap_or_default();
            let target = first
                .split("$schema=")
                .nth(1)
                .unwrap_or_else(|| panic!("{} does not name its schema", path.display()));
            assert!(
                path.parent().unwrap().join(target).is_file(),
                "{}: {target} not found",
                path.display()
            );
        }
    }
}
