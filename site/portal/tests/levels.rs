//! Levels of government, on a copy of this repository's project with a prefecture (长治市,
//! above 沁源县) that pays for pigs too: a measure from above must say how it relates to the
//! county's (adds up, replaced, a cap shared, only one of the two), and each of those gives
//! the estimate it should; `applies_to` narrows the counties; a county.yaml is checked against
//! the national code list; the site gets region pages and lists the prefecture's document on
//! the county's page.

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

fn refused(o: &Output) -> String {
    assert!(!o.status.success(), "expected a refusal:\n{}", text(o));
    text(o)
}

const PREFECTURE_POLICY: &str = r#"id: changzhi-2018-livestock
region: "140400"
kind: policy
title: 长治市贫困户养殖奖补办法
metadata:
  issuer: 长治市人民政府
  written: 2018-01-01
  genre: 办法
  source: { name: 测试用例 }
  status: in_force
validity:
  from: 2018-01-01
  to: 2020-12-31
eligible: registered_poor
eligible_description: 建档立卡贫困户
APPLIES_TO
rules:
  - id: pigs
    label: 养猪（市级奖补）
    clause: c1
    paid: once
    quantity: pigs
    rate: 100 元/头
examples:
  - name: 养5头猪的贫困户
    date: 2018-06-01
    facts: { registered_poor: true, pigs: 5 }
    working: 5×100 = 500
    expect: { total: 500, lines: { pigs: 500 } }
  - name: 不养猪
    date: 2018-06-01
    facts: { registered_poor: true, pigs: 0 }
    working: 没有养猪，0元
    expect: { total: 0 }
  - name: 非贫困户养猪
    date: 2018-06-01
    facts: { registered_poor: false, pigs: 5 }
    working: 不是贫困户，0元
    expect: { total: 0 }
"#;

const QINYUAN: &str = "policies/140431-qinyuan/industry-2017/policy.yaml";

/// The repository's project with 长治市's folder and its policy (`applies_to` as given, or
/// none), and `county_lines` added after 沁源's `county:` line.
fn project(applies_to: &str, county_lines: &str) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("policies"), &dir.path().join("policies"));
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    let region = dir.path().join("policies/140400-changzhi");
    std::fs::create_dir_all(region.join("livestock-2018")).unwrap();
    std::fs::write(
        region.join("region.yaml"),
        "code: \"140400\"\nname: 长治市\noffice: 长治市农业农村局\n",
    )
    .unwrap();
    std::fs::write(
        region.join("livestock-2018/policy.yaml"),
        PREFECTURE_POLICY.replace("APPLIES_TO", applies_to),
    )
    .unwrap();
    std::fs::write(
        region.join("livestock-2018/text.md"),
        "# 长治市贫困户养殖奖补办法\n\n## 第一条 养猪 {#c1}\n\n建档立卡贫困户每养一头猪，市级奖补100元。\n",
    )
    .unwrap();
    let qinyuan = dir.path().join(QINYUAN);
    let yaml = std::fs::read_to_string(&qinyuan).unwrap().replace(
        "county: \"140431\"\n",
        &format!("county: \"140431\"\n{county_lines}"),
    );
    std::fs::write(&qinyuan, yaml).unwrap();
    dir
}

/// Put `group` (a `groups:` list with one group) first among 沁源's groups, which end its
/// policy.yaml.
fn add_group(root: &Path, group: &str) {
    let qinyuan = root.join(QINYUAN);
    let yaml = std::fs::read_to_string(&qinyuan)
        .unwrap()
        .replace("groups:\n", group);
    std::fs::write(&qinyuan, yaml).unwrap();
}

fn estimate(root: &Path, pigs: &str) -> serde_json::Value {
    let pigs = format!("pigs={pigs}");
    let out = ok(&portal(
        root,
        &[
            "estimate",
            "--county",
            "140431",
            "--date",
            "2018-06-01",
            "--json",
            "registered_poor=true",
            &pigs,
        ],
    ));
    serde_json::from_str(&out).unwrap()
}

fn total(estimate: &serde_json::Value) -> &str {
    estimate["total"]["min"].as_str().unwrap()
}

#[test]
fn a_prefecture_measure_for_the_same_item_must_say_how_it_relates() {
    let dir = project("", "");
    let out = refused(&portal(dir.path(), &["check"]));
    assert!(out.contains("长治市贫困户养殖奖补办法"), "{out}");
    assert!(out.contains("市级的文件"), "{out}");
    assert!(
        out.contains("combines_with: [changzhi-2018-livestock]")
            && out.contains("replaces: [changzhi-2018-livestock]"),
        "{out}"
    );
}

#[test]
fn measures_of_two_levels_add_up_and_each_line_names_who_pays() {
    let dir = project("", "combines_with: [changzhi-2018-livestock]\n");
    let e = estimate(dir.path(), "5");
    // 沁源 5 × 300 + 长治 5 × 100.
    assert_eq!(total(&e), "2000");
    let levels: Vec<(&str, &str)> = e["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap(),
                p["region"]["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        levels.contains(&("changzhi-2018-livestock", "prefecture")),
        "{levels:?}"
    );
    assert!(
        levels.contains(&("qinyuan-2017-industry", "county")),
        "{levels:?}"
    );
    let words = ok(&portal(
        dir.path(),
        &[
            "estimate",
            "--county",
            "140431",
            "--date",
            "2018-06-01",
            "registered_poor=true",
            "pigs=5",
        ],
    ));
    assert!(
        words.contains("来源：长治市（市级）《长治市贫困户养殖奖补办法》"),
        "{words}"
    );
    assert!(words.contains("来源：沁源县（县级）"), "{words}");
}

#[test]
fn a_county_measure_can_take_the_place_of_the_prefectures() {
    let dir = project("", "replaces: [changzhi-2018-livestock]\n");
    let e = estimate(dir.path(), "5");
    assert_eq!(total(&e), "1500");
    let changzhi = e["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "changzhi-2018-livestock")
        .unwrap();
    assert_eq!(changzhi["in_force"], true);
    assert_eq!(changzhi["replaced_by"], "qinyuan-2017-industry");
}

#[test]
fn a_cap_shared_across_levels_holds_the_two_together() {
    let group = "groups:\n  - id: pigs-with-prefecture\n    label: 养猪市县奖补合计不超过1800元\n    clause: c4-3-6\n    rules: [pigs, changzhi-2018-livestock#pigs]\n    cap: 1800 元\n";
    let dir = project("", "");
    add_group(dir.path(), group);
    ok(&portal(dir.path(), &["check"]));
    // 1500 + 500 capped at 1800; below the cap both are paid in full.
    assert_eq!(total(&estimate(dir.path(), "5")), "1800");
    assert_eq!(total(&estimate(dir.path(), "2")), "800");
}

#[test]
fn only_one_of_two_levels_when_the_text_says_not_together() {
    let group = "groups:\n  - id: pigs-not-together\n    label: 养猪奖补不与市级重复享受\n    clause: c4-3-6\n    rules: [pigs, changzhi-2018-livestock#pigs]\n    choose: one\n";
    let dir = project("", "");
    add_group(dir.path(), group);
    ok(&portal(dir.path(), &["check"]));
    let e = estimate(dir.path(), "5");
    assert_eq!(total(&e), "1500");
    let lines = e["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["policy"], "qinyuan-2017-industry");
}

#[test]
fn a_group_reaching_a_rule_that_does_not_exist_is_refused() {
    let group = "groups:\n  - id: pigs-with-prefecture\n    label: 合计\n    clause: c4-3-6\n    rules: [pigs, changzhi-2018-livestock#piggs]\n    cap: 1800 元\n";
    let dir = project("", "");
    add_group(dir.path(), group);
    let out = refused(&portal(dir.path(), &["check"]));
    assert!(out.contains("changzhi-2018-livestock#piggs"), "{out}");
}

#[test]
fn applies_to_leaves_a_county_out_and_must_name_counties_below() {
    let dir = project("applies_to: { except: [\"140431\"] }", "");
    // Left out: no double subsidy to declare, and the county's estimate is its own.
    ok(&portal(dir.path(), &["check"]));
    assert_eq!(total(&estimate(dir.path(), "5")), "1500");

    let dir = project("applies_to: { only: [\"610117\"] }", "");
    let out = refused(&portal(dir.path(), &["check"]));
    assert!(out.contains("610117 不是长治市下辖的县"), "{out}");
}

#[test]
fn a_county_file_is_checked_against_the_national_code_list() {
    let dir = project("", "combines_with: [changzhi-2018-livestock]\n");
    let county = dir.path().join("policies/610117-gaoling/county.yaml");
    let yaml = std::fs::read_to_string(&county).unwrap();
    // A former code: the code list says what it became.
    std::fs::write(
        &county,
        yaml.replace("code: \"610117\"", "code: \"610126\""),
    )
    .unwrap();
    std::fs::rename(
        dir.path().join("policies/610117-gaoling"),
        dir.path().join("policies/610126-gaoling"),
    )
    .unwrap();
    let out = refused(&portal(dir.path(), &["check"]));
    assert!(out.contains("代码 610126 不在全国行政区划代码表"), "{out}");
    assert!(out.contains("高陵县（610126）已改为高陵区"), "{out}");

    let dir = project("", "combines_with: [changzhi-2018-livestock]\n");
    let county = dir.path().join("policies/140431-qinyuan/county.yaml");
    let yaml = std::fs::read_to_string(&county).unwrap();
    std::fs::write(
        &county,
        yaml.replace("name: 沁源县", "name: 沁原县")
            .replace("prefecture: 长治市", "prefecture: 晋城市"),
    )
    .unwrap();
    let out = refused(&portal(dir.path(), &["check"]));
    assert!(
        out.contains("代码 140431 在行政区划代码表中是“沁源县”，这里写的是“沁原县”"),
        "{out}"
    );
    assert!(
        out.contains("prefecture 写的是“晋城市”，行政区划代码表中它属于“长治市”"),
        "{out}"
    );
}

#[test]
fn the_site_has_region_pages_and_the_county_lists_what_comes_from_above() {
    let dir = project("", "combines_with: [changzhi-2018-livestock]\n");
    // A second county of 长治市, with no policy of its own: its pages show the prefecture's
    // table as rendered for 沁源 (rendered once, kept for the counties below).
    let zhangzi = dir.path().join("policies/140428-zhangzi");
    std::fs::create_dir_all(&zhangzi).unwrap();
    std::fs::write(
        zhangzi.join("county.yaml"),
        "code: \"140428\"\nname: 长子县\nprovince: 山西省\nprefecture: 长治市\n",
    )
    .unwrap();
    ok(&portal(dir.path(), &["build"]));
    let public = dir.path().join("public");
    let read = |p: &str| std::fs::read_to_string(public.join(p)).unwrap();
    let region = read("regions/140400/index.html");
    assert!(region.contains("长治市贫困户养殖奖补办法"), "{region}");
    assert!(region.contains("/counties/140431/"), "{region}");
    let province = read("regions/140000/index.html");
    assert!(province.contains("/regions/140400/"), "{province}");
    let county = read("counties/140431/index.html");
    assert!(
        county.contains("/policies/changzhi-2018-livestock/"),
        "{county}"
    );
    assert!(county.contains("市级（长治市）"), "{county}");
    assert!(county.contains("/regions/140400/"), "{county}");
    // The prefecture's rate table, rendered once, on the county's page and its estimator's.
    let table = "aria-label=\"《长治市贫困户养殖奖补办法》农户（表格，可左右滑动）\"";
    assert!(county.contains(table), "{county}");
    let estimator = read("counties/140431/estimate/index.html");
    assert!(estimator.contains(table), "{estimator}");
    let rendered = |page: &str| {
        let from = page.find(table).unwrap();
        let to = from + page[from..].find("</table>").unwrap();
        page[from..to].to_owned()
    };
    let other = read("counties/140428/index.html");
    assert!(other.contains(table), "{other}");
    assert_eq!(rendered(&other), rendered(&county));
    let policy = read("policies/changzhi-2018-livestock/index.html");
    assert!(policy.contains("/regions/140400/"), "{policy}");
    // The estimator's rules carry the prefecture's policy.
    let rules = read("data/counties/140431.json");
    assert!(rules.contains("changzhi-2018-livestock"));
    // The province's rates table has the prefecture's rules once, after the counties' rows,
    // saying whose they are.
    let rates = read("data/provinces/140000.csv");
    let prefecture: Vec<&str> = rates
        .lines()
        .filter(|l| l.contains(",changzhi-2018-livestock,"))
        .collect();
    let rules = PREFECTURE_POLICY.matches("\n  - id: ").count();
    assert_eq!(prefecture.len(), rules, "{rates}");
    assert!(
        prefecture
            .iter()
            .all(|l| l.starts_with("140400,长治市,市级,")),
        "{rates}"
    );
    assert!(rates
        .lines()
        .last()
        .unwrap()
        .contains("changzhi-2018-livestock"));
    assert!(
        rates.contains("\n140431,沁源县,县级,qinyuan-2017-industry,"),
        "{rates}"
    );
    // The province's JSON has the prefecture's policy once, named in 沁源's entry.
    let province: serde_json::Value =
        serde_json::from_str(&read("data/provinces/140000.json")).unwrap();
    let above = province["above"].as_object().unwrap();
    assert_eq!(
        above.keys().collect::<Vec<_>>(),
        ["changzhi-2018-livestock"]
    );
    assert_eq!(above["changzhi-2018-livestock"]["region"]["code"], "140400");
    let policies = province["counties"]["140431"]["policies"]
        .as_array()
        .unwrap();
    assert!(policies.contains(&serde_json::json!({ "above": "changzhi-2018-livestock" })));
    assert!(policies
        .iter()
        .any(|p| p["id"] == "qinyuan-2017-industry" && p["rules"].is_array()));
    let home = read("index.html");
    for code in ["140000", "610000", "533400"] {
        assert!(home.contains(&format!("/regions/{code}/")), "{code}");
    }
}

/// The preview's quick path reads only the county's folder and those of the regions above
/// it, and renders the county's pages as the whole build does, the prefecture's policy in.
#[test]
fn the_preview_updates_a_county_with_what_comes_from_above() {
    let dir = project("", "combines_with: [changzhi-2018-livestock]\n");
    let (root, public) = (dir.path(), dir.path().join("public"));
    portal::build_site(root, &public).unwrap_or_else(|e| panic!("{e}"));
    let text = root.join("policies/140431-qinyuan/industry-2017/text.md");
    let edited = std::fs::read_to_string(&text).unwrap() + "\n新加的一段。\n";
    std::fs::write(&text, edited).unwrap();
    let update = portal::update_county(root, &public, "policies/140431-qinyuan")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&update, render::Update::Written { county, .. } if county == "140431"),
        "{update:?}"
    );
    // A prefecture's folder reaches every county below it: only the whole build shows that.
    let prefecture = portal::update_county(root, &public, "policies/140400-changzhi")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(prefecture, render::Update::Whole);

    let whole = root.join("whole");
    portal::build_site(root, &whole).unwrap_or_else(|e| panic!("{e}"));
    for page in [
        "counties/140431/index.html",
        "counties/140431/estimate/index.html",
        "data/counties/140431.json",
        "policies/qinyuan-2017-industry/index.html",
    ] {
        let quick = std::fs::read_to_string(public.join(page)).unwrap();
        assert!(
            quick == std::fs::read_to_string(whole.join(page)).unwrap(),
            "{page} differs from the whole build's"
        );
        if page.starts_with("counties/140431/index") {
            assert!(quick.contains("/policies/changzhi-2018-livestock/"));
        }
    }
}

/// `portal check` checks part by part, as a build does; what it counts and reminds of is
/// what loading the project whole finds.
#[test]
fn checking_part_by_part_finds_what_loading_the_whole_project_finds() {
    let whole = |root: &Path| {
        let project = policy::load(root).unwrap_or_else(|d| panic!("{}", d.render()));
        portal::cmd::check::Checked {
            summary: project.summary,
            open_ended: project
                .documents
                .iter()
                .filter(|d| d.compiled.is_some() && d.period.to.is_none())
                .filter(|d| project.successor(&d.source.id).is_none())
                .map(|d| format!("{}/policy.yaml", d.dir))
                .collect(),
        }
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let levels = project("", "combines_with: [changzhi-2018-livestock]\n");
    for root in [repo.as_path(), levels.path()] {
        let checked = portal::cmd::check::check(root).unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(checked, whole(root), "{}", root.display());
        assert!(checked.summary.examples > 20 && checked.summary.rules > 60);
    }
    // Without its end date the prefecture's document is among the reminders, in the order
    // of the folders.
    let prefecture = "policies/140400-changzhi/livestock-2018/policy.yaml";
    let yaml = std::fs::read_to_string(levels.path().join(prefecture)).unwrap();
    std::fs::write(
        levels.path().join(prefecture),
        yaml.replace("  to: 2020-12-31\n", ""),
    )
    .unwrap();
    let checked = portal::cmd::check::check(levels.path()).unwrap();
    assert_eq!(checked, whole(levels.path()));
    assert_eq!(checked.open_ended, [prefecture]);
    // And a wrong project is refused with the problems loading it whole reports.
    std::fs::write(levels.path().join(QINYUAN), "county: [\n").unwrap();
    let part_by_part = portal::cmd::check::check(levels.path())
        .unwrap_err()
        .render();
    let loaded = policy::load(levels.path()).unwrap_err().render();
    assert_eq!(part_by_part, loaded);
}
