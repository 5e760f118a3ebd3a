//! An estimate as a page or a terminal shows it: every amount written out, every step in
//! words, every clause a link. The site's worked examples, the estimator in the browser and
//! `portal estimate` all read this one view, so they say the same thing.

use crate::explain::{
    date_text, exclusion_text, loan_text, not_in_force_text, paid_text, payer_text, period_text,
    period_total_text, silent_text, step_text, when_text, words_for, yuan, SCHEDULE_ROUNDING,
};
use calculator::date::Date;
use calculator::estimate::{Estimate, NextSteps};
use calculator::model::{Apply, Audience};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

/// How to make a clause's address: a pattern holding `{policy}` and `{clause}`, given by
/// whoever knows the site's addresses (the site's `urls` module). The engine and this crate
/// know none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseLinks {
    /// The pattern cut at its placeholders once, so that a link is made by joining pieces:
    /// an estimate makes a link per line, on every keystroke in the browser.
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Policy,
    Clause,
}

impl ClauseLinks {
    /// Links made from `pattern`, e.g. `/policies/{policy}/#{clause}`.
    pub fn new(pattern: impl Into<String>) -> Self {
        let pattern = pattern.into();
        let mut pieces = Vec::new();
        let mut rest = pattern.as_str();
        let mut text = String::new();
        while let Some((before, after)) = rest.split_once('{') {
            text.push_str(before);
            let (piece, after) = if let Some(after) = after.strip_prefix("policy}") {
                (Piece::Policy, after)
            } else if let Some(after) = after.strip_prefix("clause}") {
                (Piece::Clause, after)
            } else {
                text.push('{');
                rest = after;
                continue;
            };
            pieces.push(Piece::Text(std::mem::take(&mut text)));
            pieces.push(piece);
            rest = after;
        }
        text.push_str(rest);
        pieces.push(Piece::Text(text));
        ClauseLinks { pieces }
    }

    /// The address of `clause` in the full text of policy `policy`.
    pub fn link(&self, policy: &str, clause: &str) -> String {
        let mut link = String::new();
        for piece in &self.pieces {
            link.push_str(match piece {
                Piece::Text(text) => text,
                Piece::Policy => policy,
                Piece::Clause => clause,
            });
        }
        link
    }
}

/// The estimate as the page shows it: every amount already written out, every step in words,
/// so the page's script only places text (and never works anything out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    /// The total as readers see it: `3000 元`, `1000–5000 元`, `不低于 600 元`.
    pub total: String,
    /// Decimal strings for `data-min`/`data-max`; `max` empty when open above.
    pub total_min: String,
    /// The total's upper bound as a decimal string, for `data-max`; empty when open above.
    pub total_max: String,
    /// The total in 大写 (人民币叁仟元整); `None` for a range or an amount finer than a fen.
    pub words: Option<String>,
    /// The date whose rules were applied, written 2017年6月1日.
    pub date: String,
    /// The total split by how often each part is paid (一次性, 每年, 分5年兑现), since a
    /// one-off grant and a yearly dividend do not simply add up; one entry per kind.
    pub periods: Vec<ViewPeriod>,
    /// The paying items, each with its working in words.
    pub lines: Vec<ViewLine>,
    /// The payment plans, drawn as bar charts.
    pub schedule: Vec<ViewPlan>,
    /// Loans on offer: principal, term and interest in one line each.
    pub loans: Vec<ViewItem>,
    /// Measures whose condition the household does not meet; the text quotes it (条件是：…).
    pub not_eligible: Vec<ViewItem>,
    /// Measures not computed; the text says why.
    pub excluded: Vec<ViewItem>,
    /// What to do next (下一步／怎么申请): the ids of the policies that pay or lend something,
    /// in the county's order. Their steps do not depend on the household, so the estimator
    /// page carries them, worded at build time by [`apply_view`]; the module only says which
    /// to show, and its code stays small.
    pub next: Vec<String>,
    /// One sentence per policy of the county: 《title》, period, and whether it applied.
    pub policies: Vec<String>,
    /// Whom to ask, for the disclaimer: the county's office, else 「县名有关部门」.
    pub office: String,
}

/// What to do next for one policy: whom to see, the steps with their deadlines, each clause a
/// link; or, where the text says nothing, a sentence saying so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewNext {
    /// Whose steps: the region, its level and the document (`香格里拉市（县级）《…》`).
    pub policy: String,
    /// Whom the household deals with, as the text names them, joined with 、; empty when the
    /// text names nobody.
    pub offices: String,
    /// The clause naming them (the first step's when no clause is given); empty with `offices`.
    pub offices_url: String,
    /// The steps in order.
    pub steps: Vec<ViewStep>,
    /// What the text does not say (怎么申请, 找哪个部门) and whom to ask; empty when it says it all.
    pub silent: String,
    /// Interpretations of unclear wording about applying.
    pub notes: Vec<String>,
}

/// One step of applying as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewStep {
    /// Who acts (挂包干部与农户).
    pub who: String,
    /// What happens (签订到户承诺书).
    pub what: String,
    /// When, in words (每年4月15日前); empty when the text gives no time.
    pub when: String,
    /// Where to read the clause on the site.
    pub clause_url: String,
}

/// What to do next after `e`, in words: `next` from [`calculator::evaluate::next_steps`].
/// The one place these words are made, for the terminal and `portal estimate --json`; the
/// estimator page and the policy page word each policy's steps with [`apply_view`].
pub fn next_steps(e: &Estimate, next: &[NextSteps], links: &ClauseLinks) -> Vec<ViewNext> {
    let mut views = Vec::with_capacity(next.len());
    for n in next {
        let policy = match e.policies.iter().find(|p| p.id == n.policy) {
            Some(p) => payer_text(p),
            None => n.policy.clone(),
        };
        views.push(apply_view(
            policy,
            n.apply.as_ref(),
            &n.text_policy,
            e.audience,
            e.office.as_deref(),
            links,
        ));
    }
    views
}

/// How to apply for one policy's measures, in words: `apply` as compiled (`None` when its
/// text says nothing about applying, for `audience`), the clauses of `text_policy` linked,
/// and `office` (the county's, where a document names it) as whom to ask where the text
/// names nobody. Also the policy page's "怎么申请".
pub fn apply_view(
    policy: String,
    apply: Option<&Apply>,
    text_policy: &str,
    audience: Audience,
    office: Option<&str>,
    links: &ClauseLinks,
) -> ViewNext {
    let Some(apply) = apply else {
        let missing = if office.is_some() {
            "怎么申请"
        } else {
            "怎么申请、找哪个部门"
        };
        return ViewNext {
            policy,
            offices: String::new(),
            offices_url: String::new(),
            steps: Vec::new(),
            silent: silent_text(missing, audience, office),
            notes: Vec::new(),
        };
    };
    let silent = match (apply.offices.is_empty(), apply.steps.is_empty()) {
        (true, _) => silent_text("找哪个部门", audience, office),
        (false, true) => silent_text("申请的步骤和期限", audience, None),
        (false, false) => String::new(),
    };
    // Whom to see is linked to the clause naming them, else to the first step's.
    let mut offices_url = String::new();
    if !apply.offices.is_empty() {
        let named = apply
            .clauses
            .first()
            .or(apply.steps.first().map(|s| &s.clause));
        if let Some(clause) = named {
            offices_url = links.link(text_policy, clause);
        }
    }
    // Plain loops: the estimator's module pays for every iterator chain in code size.
    let mut steps = Vec::with_capacity(apply.steps.len());
    for s in &apply.steps {
        steps.push(ViewStep {
            who: s.who.clone(),
            what: s.what.clone(),
            when: match &s.when {
                Some(when) => when_text(when),
                None => String::new(),
            },
            clause_url: links.link(text_policy, &s.clause),
        });
    }
    ViewNext {
        policy,
        offices: apply.offices.join("、"),
        offices_url,
        steps,
        silent,
        notes: apply.notes.clone(),
    }
}

/// The lines of one kind of period, added up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewPeriod {
    /// 一次性, 每年, 分5年兑现（合计）, 文件未写明发放周期.
    pub label: String,
    /// Their sum written out (`20600 元`).
    pub amount: String,
}

/// One paying item as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewLine {
    /// What it is for, in the document's words.
    pub label: String,
    /// The amount written out (`3000 元`).
    pub amount: String,
    /// How often it is paid (一次性, 每年, 分5年兑现); empty when the text does not say.
    pub paid: String,
    /// Where to read the clause on the site.
    pub clause_url: String,
    /// Who pays it: the region, its level and the document (`西安市（市级）《…》`).
    pub payer: String,
    /// Each step of the working in Chinese, from [`step_text`].
    pub steps: Vec<String>,
    /// Interpretations and remarks shown under the line (注：…).
    pub notes: Vec<String>,
    /// True when the rule is second-hand; the page adds （据调研报告转述）.
    pub derived_from_report: bool,
}

/// A payment plan as the page charts it: a bar per part, drawn in SVG units (no styles, so
/// the page's Content Security Policy stays strict). The geometry is worked out here, once,
/// for the site's worked examples and the estimator's script alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewPlan {
    /// The scheduled rule's or group's label.
    pub label: String,
    /// The plan in one sentence, for the caption and the chart's accessible name:
    /// `养猪：产前 600 元，产后 600 元（各期金额四舍五入到分…）`.
    pub caption: String,
    /// The chart's `viewBox` (`0 0 300 48`).
    pub view_box: String,
    /// The tranches or years, in order of payment.
    pub parts: Vec<ViewPart>,
    /// Interpretations behind the schedule, shown under the chart.
    pub notes: Vec<String>,
}

/// One part of a payment plan: a bar of the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewPart {
    /// The part as the text names it (产前, 第一年).
    pub label: String,
    /// The part's amount written out (`1800 元`).
    pub amount: String,
    /// The bar's top, in the chart's units.
    pub bar_y: u32,
    /// The baseline of the bar's label and amount.
    pub text_y: u32,
    /// The bar's length, 1 to [`BAR_MAX`], in proportion to the largest part.
    pub bar_width: u32,
    /// Where the amount is written, just after the bar.
    pub value_x: u32,
}

/// The longest bar of a payment plan's chart, in SVG units; the chart is 300 wide.
pub const BAR_MAX: u32 = 150;
const CHART_WIDTH: u32 = 300;
const BAR_ROW: u32 = 24;
const BAR_X: u32 = 60;

fn plan_view(plan: &calculator::estimate::PaymentPlan) -> ViewPlan {
    let height = |a: &calculator::Amount| a.max.unwrap_or(a.min);
    let largest = plan
        .parts
        .iter()
        .map(|p| height(&p.amount))
        .max()
        .filter(|m| *m > Decimal::ZERO)
        .unwrap_or(Decimal::ONE);
    let mut parts = Vec::with_capacity(plan.parts.len());
    let mut y: u32 = 0;
    for part in &plan.parts {
        let share = height(&part.amount)
            .checked_div(largest)
            .and_then(|r| r.checked_mul(Decimal::from(BAR_MAX)))
            .unwrap_or(Decimal::ZERO)
            .round();
        let bar_width = share.to_u32().unwrap_or(0).clamp(1, BAR_MAX);
        parts.push(ViewPart {
            label: part.label.clone(),
            amount: yuan(&part.amount),
            bar_y: y,
            text_y: y.saturating_add(13),
            bar_width,
            value_x: BAR_X.saturating_add(bar_width).saturating_add(6),
        });
        y = y.saturating_add(BAR_ROW);
    }
    let listed: Vec<String> = parts
        .iter()
        .map(|p| format!("{} {}", p.label, p.amount))
        .collect();
    ViewPlan {
        label: plan.label.clone(),
        caption: format!(
            "{}：{}（{SCHEDULE_ROUNDING}）",
            plan.label,
            listed.join("，")
        ),
        view_box: format!("0 0 {CHART_WIDTH} {y}"),
        parts,
        notes: plan.notes.clone(),
    }
}

/// A loan, a measure not eligible for or one not computed: one line of the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewItem {
    /// What the measure is for, in the document's words.
    pub label: String,
    /// What to say about it: the loan's terms, the condition not met, or why not computed.
    pub text: String,
    /// Where to read the clause on the site.
    pub clause_url: String,
}

impl View {
    /// A view with one of everything and no words: the estimator page renders it into
    /// `<template>` elements, which its script copies and fills with the engine's answers, so
    /// the markup of an estimate is written once, in the site's templates.
    pub fn shape() -> View {
        let item = ViewItem {
            label: String::new(),
            text: String::new(),
            clause_url: String::new(),
        };
        View {
            total: String::new(),
            total_min: String::new(),
            total_max: String::new(),
            words: None,
            date: String::new(),
            periods: vec![ViewPeriod {
                label: String::new(),
                amount: String::new(),
            }],
            lines: vec![ViewLine {
                label: String::new(),
                amount: String::new(),
                paid: String::new(),
                clause_url: String::new(),
                payer: String::new(),
                steps: vec![String::new()],
                notes: vec![String::new()],
                derived_from_report: false,
            }],
            schedule: vec![ViewPlan {
                label: String::new(),
                caption: String::new(),
                view_box: String::new(),
                parts: vec![ViewPart {
                    label: String::new(),
                    amount: String::new(),
                    bar_y: 0,
                    text_y: 0,
                    bar_width: 0,
                    value_x: 0,
                }],
                notes: vec![String::new()],
            }],
            loans: vec![item.clone()],
            not_eligible: vec![item.clone()],
            excluded: vec![item],
            next: vec![String::new()],
            policies: vec![String::new()],
            office: String::new(),
        }
    }
}

/// `asked` is the date the household asked about; the estimate may be for another (the last
/// day of expired rules), and the list of documents must not call those rules current.
pub fn view(e: &Estimate, asked: Date, links: &ClauseLinks) -> View {
    let item = |label: &str, text: String, policy: &str, clause: &str| ViewItem {
        label: label.to_owned(),
        text,
        clause_url: links.link(policy, clause),
    };
    View {
        total: yuan(&e.total),
        total_min: e.total.min.normalize().to_string(),
        total_max: e
            .total
            .max
            .map(|m| m.normalize().to_string())
            .unwrap_or_default(),
        words: words_for(&e.total),
        date: date_text(e.date),
        periods: e
            .by_period
            .iter()
            .map(|p| ViewPeriod {
                label: period_total_text(p.paid),
                amount: yuan(&p.amount),
            })
            .collect(),
        lines: e
            .lines
            .iter()
            .map(|l| ViewLine {
                label: l.label.clone(),
                amount: yuan(&l.amount),
                paid: paid_text(l.paid),
                clause_url: links.link(&l.text_policy, &l.clause),
                payer: e
                    .policies
                    .iter()
                    .find(|p| p.id == l.policy)
                    .map(payer_text)
                    .unwrap_or_default(),
                steps: l.steps.iter().map(step_text).collect(),
                notes: l.notes.clone(),
                derived_from_report: l.derived_from_report,
            })
            .collect(),
        schedule: e.schedule.iter().map(plan_view).collect(),
        loans: e
            .loans
            .iter()
            .map(|l| item(&l.label, loan_text(l), &l.text_policy, &l.clause))
            .collect(),
        not_eligible: e
            .not_eligible
            .iter()
            .map(|n| {
                item(
                    &n.label,
                    format!("条件是：{}", n.condition),
                    &n.text_policy,
                    &n.clause,
                )
            })
            .collect(),
        excluded: e
            .excluded
            .iter()
            .map(|x| item(&x.label, exclusion_text(x, e), &x.text_policy, &x.clause))
            .collect(),
        next: e.paying_policies(),
        policies: e
            .policies
            .iter()
            .map(|p| {
                let period = period_text(p.period);
                if let Some(by) = &p.replaced_by {
                    let by = e
                        .policies
                        .iter()
                        .find(|q| &q.id == by)
                        .map_or(by.as_str(), |q| q.title.as_str());
                    return format!(
                        "{}（{period}，本县执行《{by}》，不再执行本文件）",
                        payer_text(p)
                    );
                }
                match not_in_force_text(p, e.date) {
                    None if asked == e.date => format!("{}（{period}，适用）", payer_text(p)),
                    None if asked > e.date => format!(
                        "{}（{period}，已失效；按其最后一天的规则估算）",
                        payer_text(p)
                    ),
                    None => format!(
                        "{}（{period}，尚未生效；按其第一天的规则估算）",
                        payer_text(p)
                    ),
                    Some(reason) => format!("{}（{period}，{reason}）", payer_text(p)),
                }
            })
            .collect(),
        office: e
            .office
            .clone()
            .unwrap_or_else(|| format!("{}有关部门", e.county_name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calculator::estimate::{PaymentPart, PaymentPlan};
    use calculator::Amount;

    #[test]
    fn clause_links_fill_the_callers_pattern() {
        let links = ClauseLinks::new("/policies/{policy}/#{clause}");
        assert_eq!(links.link("a-2017", "c4-3"), "/policies/a-2017/#c4-3");
        assert_eq!(ClauseLinks::new("{policy}#{clause}").link("p", "c"), "p#c");
        for pattern in [
            "",
            "{",
            "}{",
            "{{policy}}",
            "a{clause}{policy}{clause}",
            "{polic}{policy",
        ] {
            assert_eq!(
                ClauseLinks::new(pattern).link("x-1", "c2"),
                pattern.replace("{policy}", "x-1").replace("{clause}", "c2"),
                "{pattern}"
            );
        }
    }

    #[test]
    fn next_steps_name_whom_to_see_each_deadline_and_clause_or_say_the_text_is_silent() {
        use calculator::model::{ApplyStep, When, YearMonth};
        let links = ClauseLinks::new("/policies/{policy}/#{clause}");
        let step = |who: &str, what: &str, when: Option<When>, clause: &str| ApplyStep {
            who: who.into(),
            what: what.into(),
            when,
            clause: clause.into(),
        };
        let apply = Apply {
            audience: Audience::Household,
            offices: vec!["挂包干部".into(), "村委会".into()],
            clauses: vec!["c4-2".into()],
            steps: vec![
                step("挂包干部与农户", "制定本年度产业计划", None, "c3-5-1-p1"),
                step(
                    "挂包干部与农户",
                    "签订到户承诺书",
                    Some(When::ByEachYear { month: 4, day: 15 }),
                    "c3-5-1-p1",
                ),
                step(
                    "区里",
                    "协调帮扶",
                    Some(When::During {
                        from: YearMonth {
                            year: 2017,
                            month: 8,
                        },
                        to: YearMonth {
                            year: 2017,
                            month: 9,
                        },
                    }),
                    "c4-2",
                ),
                step(
                    "区里",
                    "扎实帮扶",
                    Some(When::During {
                        from: YearMonth {
                            year: 2017,
                            month: 10,
                        },
                        to: YearMonth {
                            year: 2020,
                            month: 9,
                        },
                    }),
                    "c4-3",
                ),
                step(
                    "县农委",
                    "绩效评估",
                    Some(When::Text {
                        text: "每年年底".into(),
                    }),
                    "c5-5",
                ),
                step(
                    "乡镇",
                    "兑现",
                    Some(When::By {
                        date: Date::new(2017, 12, 31).expect("a real day"),
                    }),
                    "c5-5",
                ),
            ],
            notes: vec!["原文流程图的箭头丢失。".into()],
        };
        let view = apply_view(
            "《方案》".into(),
            Some(&apply),
            "shangri-la-2017-industry",
            Audience::Household,
            Some("香格里拉市农科局"),
            &links,
        );
        assert_eq!(view.offices, "挂包干部、村委会");
        assert_eq!(view.offices_url, "/policies/shangri-la-2017-industry/#c4-2");
        assert_eq!(view.silent, "");
        let when: Vec<&str> = view.steps.iter().map(|s| s.when.as_str()).collect();
        assert_eq!(
            when,
            [
                "",
                "每年4月15日前",
                "2017年8月至9月",
                "2017年10月至2020年9月",
                "每年年底",
                "2017年12月31日前"
            ]
        );
        assert_eq!(
            view.steps[1].clause_url,
            "/policies/shangri-la-2017-industry/#c3-5-1-p1"
        );
        assert_eq!(view.notes, ["原文流程图的箭头丢失。"]);

        // A text that says nothing: said plainly, with whom to ask only when it is known.
        let silent = |office| {
            apply_view(
                String::new(),
                None,
                "p",
                Audience::Household,
                office,
                &links,
            )
            .silent
        };
        assert_eq!(
            silent(Some("沁源县农委、县扶贫办")),
            "文件没有写明农户怎么申请。请向沁源县农委、县扶贫办询问。"
        );
        assert_eq!(silent(None), "文件没有写明农户怎么申请、找哪个部门。");
        // Steps but nobody named; somebody named but no steps.
        let nobody = Apply {
            offices: vec![],
            ..apply.clone()
        };
        let view = apply_view(
            String::new(),
            Some(&nobody),
            "p",
            Audience::Household,
            None,
            &links,
        );
        assert_eq!(view.silent, "文件没有写明农户找哪个部门。");
        assert_eq!((view.offices.as_str(), view.offices_url.as_str()), ("", ""));
        let no_steps = Apply {
            steps: vec![],
            clauses: vec![],
            ..apply
        };
        let view = apply_view(
            String::new(),
            Some(&no_steps),
            "p",
            Audience::Household,
            None,
            &links,
        );
        assert_eq!(view.silent, "文件没有写明农户申请的步骤和期限。");
        assert_eq!(view.offices_url, "");
    }

    #[test]
    fn a_chart_draws_the_largest_part_longest_and_no_part_invisible() {
        let part = |label: &str, yuan: i64| PaymentPart {
            label: label.into(),
            amount: Amount::exact(yuan.into()),
        };
        let plan = PaymentPlan {
            policy: "p".into(),
            source: "reforest".into(),
            kind: calculator::model::ScheduleKind::Years,
            clause: "c1".into(),
            total: Amount::exact(1300.into()),
            label: "退耕还林".into(),
            parts: vec![part("第一年", 1000), part("第二年", 300), part("第三年", 0)],
            notes: vec![],
        };
        let view = plan_view(&plan);
        let widths: Vec<u32> = view.parts.iter().map(|p| p.bar_width).collect();
        assert_eq!(widths, vec![BAR_MAX, 45, 1]);
        assert_eq!(view.view_box, "0 0 300 72");
        assert_eq!(view.parts[1].bar_y, 24);
        assert_eq!(
            view.caption,
            format!("退耕还林：第一年 1000 元，第二年 300 元，第三年 0 元（{SCHEDULE_ROUNDING}）")
        );
    }
}
