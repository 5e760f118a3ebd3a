//! The slips a Chinese keyboard and a spreadsheet habit cause, reported at the line and column
//! where they are, by a code of their own, with the character named (or the cause) and the
//! line as it should be typed. One slip at a time goes into a copy of the valid fixture
//! project; each must give exactly one problem. The Chinese reports of all of them together
//! are a snapshot (`snapshots/keyboard_slips__every_slip_zh.snap`), to be read as a clerk
//! reads them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use policy::messages::Lang;
use policy::Diagnostic;

const POLICY: &str = "policies/100001-test/demo-2020/policy.yaml";
const COUNTY: &str = "policies/100001-test/county.yaml";
const FACTS: &str = "policies/facts.yaml";

/// One slip: in which file, the text replaced (it occurs once) and what replaces it, the text
/// the report must point at (its first character; it occurs once in the edited file), the
/// code, and words the Chinese report must hold (the character's name, what to type).
struct Slip {
    name: &'static str,
    file: &'static str,
    old: &'static str,
    new: &'static str,
    at: &'static str,
    code: &'static str,
    says: &'static [&'static str],
}

const SLIPS: &[Slip] = &[
    Slip {
        name: "a full-width colon after a key",
        file: POLICY,
        old: "    label: 养猪\n",
        new: "    label： 养猪\n",
        at: "： 养猪",
        code: "full-width-colon",
        says: &["`label` 后面用了中文冒号“：”", "写成 `label: 养猪`"],
    },
    Slip {
        name: "a full-width comma where the colon goes",
        file: POLICY,
        old: "  - id: pigs\n",
        new: "  - id， pigs\n",
        at: "， pigs",
        code: "key-without-colon",
        says: &["`id` 后面用了中文逗号“，”", "英文冒号", "写成 `- id: pigs`"],
    },
    Slip {
        name: "a full-width space after the colon",
        file: POLICY,
        old: "    rate: 300 元/头\n",
        new: "    rate:\u{3000}300 元/头\n",
        at: "\u{3000}300",
        code: "full-width-space",
        says: &["冒号后面用了全角空格", "写成 `rate: 300 元/头`"],
    },
    Slip {
        name: "a full-width space in the indentation",
        file: POLICY,
        old: "    rate: 300 元/头\n",
        new: "  \u{3000}rate: 300 元/头\n",
        at: "\u{3000}rate",
        code: "full-width-space",
        says: &["缩进里用了全角空格", "写成 `    rate: 300 元/头`"],
    },
    Slip {
        name: "Chinese quotation marks around a code",
        file: POLICY,
        old: "county: \"100001\"\n",
        new: "county: “100001”\n",
        at: "“100001”",
        code: "chinese-quotes",
        says: &["`“100001”` 用了中文引号“”", "写成 `county: \"100001\"`"],
    },
    Slip {
        name: "Chinese quotation marks around a word",
        file: POLICY,
        old: "  status: in_force\n",
        new: "  status: ‘in_force’\n",
        at: "‘in_force’",
        code: "chinese-quotes",
        says: &["中文引号‘’", "写成 `status: in_force`"],
    },
    Slip {
        name: "Chinese quotation marks around a key",
        file: POLICY,
        old: "    rate: 300 元/头\n",
        new: "    “rate”: 300 元/头\n",
        at: "“rate”",
        code: "chinese-quotes",
        says: &["`“rate”` 用了中文引号“”", "写成 `rate: 300 元/头`"],
    },
    Slip {
        name: "Chinese quotation marks around a formula",
        file: POLICY,
        old: "    rate: 300 元/头\n",
        new: "    rate: “300 元/头”\n",
        at: "“300",
        code: "chinese-quotes",
        says: &["中文引号“”", "写成 `rate: 300 元/头`"],
    },
    Slip {
        name: "a full-width comma in a list",
        file: POLICY,
        old: "    rules: [pigs, chickens, bees]\n",
        new: "    rules: [pigs， chickens, bees]\n",
        at: "， chickens",
        code: "full-width-comma",
        says: &["中文逗号“，”", "写成 `rules: [pigs, chickens, bees]`"],
    },
    Slip {
        name: "an enumeration comma in a list",
        file: POLICY,
        old: "    rules: [pigs, chickens, bees]\n",
        new: "    rules: [pigs、chickens、bees]\n",
        at: "、chickens",
        code: "full-width-comma",
        says: &["顿号“、”", "写成 `rules: [pigs, chickens, bees]`"],
    },
    Slip {
        name: "a full-width comma in a map on one line",
        file: POLICY,
        old: "    facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }\n",
        new: "    facts: { registered_poor: true， cash_crop_mu: 3, pigs: 5 }\n",
        at: "， cash_crop_mu",
        code: "full-width-comma",
        says: &[
            "中文逗号“，”",
            "写成 `facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }`",
        ],
    },
    Slip {
        name: "a full-width colon in a map on one line",
        file: POLICY,
        old: "    facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }\n",
        new: "    facts: { registered_poor: true, cash_crop_mu: 3, pigs：5 }\n",
        at: "：5",
        code: "full-width-colon",
        says: &[
            "`pigs` 后面用了中文冒号“：”",
            "写成 `facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }`",
        ],
    },
    Slip {
        name: "a list in full-width brackets",
        file: POLICY,
        old: "    rules: [pigs, chickens, bees]\n",
        new: "    rules: 【pigs, chickens, bees】\n",
        at: "【",
        code: "full-width-bracket",
        says: &["中文括号“【”", "写成 `rules: [pigs, chickens, bees]`"],
    },
    Slip {
        name: "a map in full-width braces",
        file: POLICY,
        old: "    facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }\n",
        new: "    facts: ｛ registered_poor: true, cash_crop_mu: 3, pigs: 5 ｝\n",
        at: "｛",
        code: "full-width-bracket",
        says: &[
            "中文括号“｛”",
            "写成 `facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }`",
        ],
    },
    Slip {
        name: "a full-width digit",
        file: POLICY,
        old: "    facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }\n",
        new: "    facts: { registered_poor: true, cash_crop_mu: ３, pigs: 5 }\n",
        at: "３",
        code: "full-width-character",
        says: &["全角数字“３”", "cash_crop_mu: 3, pigs: 5 }`"],
    },
    Slip {
        name: "a rate with no unit",
        file: POLICY,
        old: "    rate: 300 元/头\n",
        new: "    rate: 400\n",
        at: "400",
        code: "amount-no-unit",
        says: &[
            "`rate` 只写了数字 400",
            "`quantity: pigs`",
            "写成 `rate: 400 元/头`",
        ],
    },
    Slip {
        name: "a rate with no unit, the rule counting 只",
        file: POLICY,
        old: "    rate: 20 元/只\n",
        new: "    rate: \"20\"\n",
        at: "\"20\"",
        code: "amount-no-unit",
        says: &["`rate` 只写了数字 20", "写成 `rate: 20 元/只`"],
    },
    Slip {
        name: "a cap with no unit",
        file: POLICY,
        old: "    cap: 3000 元\n",
        new: "    cap: 3000\n",
        at: "3000\n    schedule",
        code: "amount-no-unit",
        says: &["`cap` 只写了数字 3000", "写成 `cap: 3000 元`"],
    },
    Slip {
        name: "a date as documents write it",
        file: POLICY,
        old: "  from: 2020-01-01\n",
        new: "  from: 2020年1月1日\n",
        at: "2020年1月1日",
        code: "date-format",
        says: &["`2020年1月1日`", "年-月-日", "写成 `from: 2020-01-01`"],
    },
    Slip {
        name: "a date with slashes",
        file: POLICY,
        old: "  to: 2020-12-31\n",
        new: "  to: 2020/12/31\n",
        at: "2020/12/31",
        code: "date-format",
        says: &["写成 `to: 2020-12-31`"],
    },
    Slip {
        name: "a date in Chinese numerals",
        file: POLICY,
        old: "  written: 2020-01-01\n",
        new: "  written: 二〇二〇年一月一日\n",
        at: "二〇二〇年一月一日",
        code: "date-format",
        says: &["写成 `written: 2020-01-01`"],
    },
    Slip {
        name: "a clause cited by its article number",
        file: POLICY,
        old: "    clause: c2-1\n",
        new: "    clause: 第二条\n",
        at: "第二条",
        code: "clause-not-an-anchor",
        says: &[
            "`第二条` 不是锚点",
            "`c2`（二、养殖）",
            "`c2-2`（2.养鸡每只补助20元…）",
            "写成 `clause: c2`",
            "`{#c3}`",
        ],
    },
    Slip {
        name: "a clause cited by its number in brackets",
        file: POLICY,
        old: "    clause: c2-1\n",
        new: "    clause: （一）\n",
        at: "（一）",
        code: "clause-not-an-anchor",
        says: &[
            "`（一）` 不是锚点",
            "`c1`（一、种植）",
            "`c2-1`（1.养猪每头补助300元…）",
        ],
    },
    Slip {
        name: "a clause cited by its words",
        file: POLICY,
        old: "    clause: c2-1\n",
        new: "    clause: 养殖\n",
        at: "养殖\n",
        code: "clause-not-an-anchor",
        says: &["`c2`（二、养殖）", "写成 `clause: c2`"],
    },
    Slip {
        name: "an anchor that is not in the text",
        file: POLICY,
        old: "    clause: c2-1\n",
        new: "    clause: c2-9\n",
        at: "c2-9",
        code: "missing-clause",
        says: &[
            "最接近的锚点有：`c2-3`（3.每户合计不超过3000元",
            "写上 `{#c2-9}`",
        ],
    },
    Slip {
        name: "a fact named by a word near its id",
        file: POLICY,
        old: "    quantity: bee_boxes\n",
        new: "    quantity: bees\n",
        at: "bees\n    rate",
        code: "unknown-fact",
        says: &[
            "是不是想写 `bee_boxes`（蜂箱）",
            "写成 `quantity: bee_boxes`",
        ],
    },
    Slip {
        name: "a fact named by its Chinese label",
        file: POLICY,
        old: "    quantity: bee_boxes\n",
        new: "    quantity: 蜂\n",
        at: "蜂\n    rate",
        code: "fact-chinese-name",
        says: &[
            "`蜂` 是中文名称",
            "`bee_boxes`（蜂箱）",
            "写成 `quantity: bee_boxes`",
        ],
    },
    Slip {
        name: "a fact named in Chinese in a worked example",
        file: POLICY,
        old: "    facts: { registered_poor: true, cash_crop_mu: 3, pigs: 5 }\n",
        new: "    facts: { registered_poor: true, cash_crop_mu: 3, 猪: 5 }\n",
        at: "猪: 5",
        code: "unknown-fact",
        says: &["`猪` 不是情况项的名字", "是不是想写 `pigs`（猪）"],
    },
    Slip {
        name: "Chinese quotation marks around a county's code",
        file: COUNTY,
        old: "code: \"100001\"\n",
        new: "code: “100001”\n",
        at: "“100001”",
        code: "chinese-quotes",
        says: &["写成 `code: \"100001\"`"],
    },
    Slip {
        name: "full-width digits in the facts catalogue",
        file: FACTS,
        old: "    max: 100000\n",
        new: "    max: １00000\n",
        at: "１00000",
        code: "full-width-character",
        says: &["全角数字“１”", "写成 `max: 100000`"],
    },
];

/// Line and column (in characters, from 1) of the one occurrence of `needle` in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "`{needle}` must occur once"
    );
    let offset = text.find(needle).unwrap();
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (u32::try_from(line).unwrap(), u32::try_from(column).unwrap())
}

/// The fixture project with one slip made: its one problem, its Chinese report, and where the
/// slip is.
fn check(slip: &Slip) -> (Diagnostic, String, (u32, u32)) {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::fixture_base(), dir.path());
    let file = dir.path().join(slip.file);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.matches(slip.old).count(),
        1,
        "{}: `{}`",
        slip.name,
        slip.old
    );
    let edited = text.replacen(slip.old, slip.new, 1);
    let at = position(&edited, slip.at);
    std::fs::write(&file, edited).unwrap();
    let Err(diagnostics) = policy::load(dir.path()) else {
        panic!("{}: the slip was not reported", slip.name);
    };
    let report = diagnostics.render_in(Lang::Zh);
    assert_eq!(diagnostics.len(), 1, "{}:\n{report}", slip.name);
    (diagnostics.items[0].clone(), report, at)
}

#[test]
fn each_slip_is_named_at_its_place_with_what_to_type() {
    let mut failures = Vec::new();
    for slip in SLIPS {
        let (problem, report, (line, column)) = check(slip);
        let mut wrong = Vec::new();
        if (problem.file.as_str(), problem.line, problem.column) != (slip.file, line, column) {
            wrong.push(format!(
                "at {}:{}:{}, not {}:{line}:{column}",
                problem.file, problem.line, problem.column, slip.file
            ));
        }
        if problem.code != slip.code {
            wrong.push(format!("code {}, not {}", problem.code, slip.code));
        }
        for words in slip.says {
            if !report.contains(words) {
                wrong.push(format!("does not say {words}"));
            }
        }
        // The English words exist too, and say the same place.
        let english = problem.message_in(Lang::En);
        if english.is_empty() || english.starts_with('[') {
            wrong.push(format!("no English: {english}"));
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{report}", slip.name, wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_slip_as_a_clerk_reads_it() {
    let reports: Vec<String> = SLIPS
        .iter()
        .map(|slip| {
            let (_, report, _) = check(slip);
            format!("── {} ──\n{}", slip.name, report.trim_end())
        })
        .collect();
    insta::assert_snapshot!("every_slip_zh", reports.join("\n\n"));
}

#[test]
fn a_full_width_colon_is_named_at_its_own_line() {
    // The parser stops on the line after the slip; the report is at the slip.
    let (problem, report, _) = check(&SLIPS[0]);
    assert!(
        report.contains(&format!("第{}行的 `label` 后面用了中文冒号", problem.line)),
        "{report}"
    );
}

#[test]
fn a_line_indented_too_deep_is_named_with_the_line_to_type() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::fixture_base(), dir.path());
    let file = dir.path().join(POLICY);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let i = lines
        .iter()
        .position(|l| l.trim_start().starts_with("clause:"))
        .unwrap();
    // Only a line after a `key: value` line at its own level shows this slip.
    assert!(lines[i - 1].contains(": "));
    lines[i] = format!("  {}", lines[i]);
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let Err(diagnostics) = policy::load(dir.path()) else {
        panic!("the slip was not reported");
    };
    let text = diagnostics.render_in(Lang::Zh);
    assert_eq!(diagnostics.len(), 1, "{text}");
    assert_eq!(diagnostics.items[0].code, "over-indented", "{text}");
    assert!(text.contains("多缩进了2个空格"), "{text}");
}

#[test]
fn chinese_punctuation_in_free_text_is_no_slip() {
    // Labels, notes and workings are the document's words: any punctuation goes.
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::fixture_base(), dir.path());
    let file = dir.path().join(POLICY);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen(
            "    label: 养猪\n",
            "    label: “养猪”（含仔猪），每头\u{3000}补助：\n",
            1,
        )
        .replacen(
            "    text: 编者注。\n",
            "    text: 编者注：本条“贫困户”，见【附件】。\n",
            1,
        );
    std::fs::write(&file, text).unwrap();
    let project = policy::load(dir.path());
    assert!(
        project.is_ok(),
        "{}",
        project.err().map(|d| d.render()).unwrap_or_default()
    );
}
