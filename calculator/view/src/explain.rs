//! How an estimate reads in Chinese: amounts, 大写金额, and every step of the working in
//! words. One source for the CLI and the browser, so both say the same thing.

use crate::words::yuan_in_words;
use calculator::amount::Amount;
use calculator::date::{Date, Period};
use calculator::estimate::{Estimate, Excluded, Exclusion, LoanLine, PolicyUse, Step};
use calculator::fact::FactError;
use calculator::model::{Audience, DocumentStatus, Level, Paid, RegionRef, When};

/// `3000 元`, `1000–5000 元`, `不低于 600 元`.
pub fn yuan(amount: &Amount) -> String {
    match amount.max {
        None => format!("不低于 {} 元", amount.min.normalize()),
        _ => format!("{amount} 元"),
    }
}

/// How the parts of a payment plan are rounded: the engine's rule, in words.
pub const SCHEDULE_ROUNDING: &str = "各期金额四舍五入到分，余数计入最后一期";

/// A date the way Chinese documents write it: 2017年11月13日.
pub fn date_text(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// When a step of applying happens, as its text says: `每年4月15日前`, `2017年4月15日前`,
/// `2017年7月`, `2017年8月至9月`, `2017年10月至2020年9月`, or the text's own words.
pub fn when_text(when: &When) -> String {
    match when {
        When::By { date } => format!("{}前", date_text(*date)),
        When::ByEachYear { month, day } => format!("每年{month}月{day}日前"),
        When::During { from, to } => {
            let mut text = format!("{}年{}月", from.year, from.month);
            if to != from {
                text.push('至');
                if to.year != from.year {
                    text.push_str(&to.year.to_string());
                    text.push('年');
                }
                text.push_str(&to.month.to_string());
                text.push('月');
            }
            text
        }
        When::Text { text } => text.clone(),
    }
}

/// What to say when a document leaves out part of how to apply (`missing`: 怎么申请, 找哪个
/// 部门), and whom to ask instead when the county's office is known.
pub fn silent_text(missing: &str, audience: Audience, office: Option<&str>) -> String {
    let who = audience_text(audience);
    match office {
        Some(office) => format!("文件没有写明{who}{missing}。请向{office}询问。"),
        None => format!("文件没有写明{who}{missing}。"),
    }
}

/// A period of validity: `2017-11-13 – 2020-12-31`, or `2017-11-13 起` when open.
pub fn period_text(period: Period) -> String {
    match period.to {
        Some(to) => format!("{} – {to}", period.from),
        None => format!("{} 起", period.from),
    }
}

/// Whom a measure is for, as pages say it: 农户, 企业、合作社等经营主体, 村集体.
pub fn audience_text(audience: Audience) -> &'static str {
    match audience {
        Audience::Household => "农户",
        Audience::Enterprise => "企业、合作社等经营主体",
        Audience::Collective => "村集体",
    }
}

/// A level of government as readers see it: 县级, 市级, 省级, 国家.
pub fn level_text(level: Level) -> &'static str {
    match level {
        Level::County => "县级",
        Level::Prefecture => "市级",
        Level::Province => "省级",
        Level::Nation => "国家",
    }
}

/// Who pays a line: the region, its level and the document (`西安市（市级）《…》`).
pub fn payer_text(policy: &PolicyUse) -> String {
    document_text(&policy.region, &policy.title)
}

/// A document as readers name it: `西安市（市级）《title》`, or `《title》` without a region.
pub fn document_text(region: &RegionRef, title: &str) -> String {
    if region.name.is_empty() {
        return format!("《{title}》");
    }
    format!("{}（{}）《{title}》", region.name, level_text(region.level))
}

/// 有效性 as readers see it: 有效, 已修订, 失效.
pub fn status_text(status: DocumentStatus) -> &'static str {
    match status {
        DocumentStatus::InForce => "有效",
        DocumentStatus::Amended => "已修订",
        DocumentStatus::Repealed => "失效",
    }
}

/// Why a measure was not computed: the rule's own reason, 面向企业…, or 需要填写：…
pub fn exclusion_text(excluded: &Excluded, estimate: &Estimate) -> String {
    match &excluded.why {
        Exclusion::OtherAudience => format!(
            "面向{}，本估算按{}计算",
            audience_text(excluded.audience),
            audience_text(estimate.audience)
        ),
        Exclusion::NeedsFacts { facts } => format!("需要填写：{}", facts.join("、")),
        Exclusion::NotComputed { reason } => reason.clone(),
    }
}

/// Why a policy did not apply on the estimate's date (尚未生效 / 已失效); `None` when it did.
pub fn not_in_force_text(policy: &PolicyUse, date: Date) -> Option<String> {
    if policy.in_force {
        return None;
    }
    Some(if date < policy.period.from {
        format!(
            "{date} 尚未生效（{} 起施行）",
            date_text(policy.period.from)
        )
    } else {
        let end = policy.period.to.map_or_else(String::new, date_text);
        format!("已于{end}失效")
    })
}

/// What a household typed wrong and what to type instead, for the estimator's form.
pub fn fact_error_text(error: &FactError) -> String {
    match error {
        FactError::Unknown { id, known } => {
            format!("没有名为 `{id}` 的填写项（可用的有：{known}）")
        }
        FactError::Twice { label } => format!("{label}：填了两次，请只填一次"),
        FactError::CommaDecimal { label, input } => {
            format!("{label}：请用小数点表示小数，例如 0.5（收到“{input}”）")
        }
        FactError::NotYesNo { label, input } => {
            format!("{label}：请填写“是”或“否”（收到“{input}”）")
        }
        FactError::NotANumber { label, input } => {
            format!("{label}：请填写数字，例如 3 或 1.5（收到“{input}”）")
        }
        FactError::NotWhole { label, input } => format!("{label}：请填写整数（收到“{input}”）"),
        FactError::Negative { label } => format!("{label}：不能是负数"),
        FactError::TooLarge { label, max, unit } => {
            format!("{label}：数字太大，最多 {max}{unit}，请检查是否多打了零")
        }
        FactError::TooSmall { label, min, unit } => format!("{label}：不能小于 {min}{unit}"),
        FactError::NotAYear { label, input } => {
            format!("{label}：请填写四位年份，例如 2015（收到“{input}”）")
        }
    }
}

/// How often a line is paid, for beside its amount: 一次性, 每年, 每年（共3年）, 分5年兑现;
/// empty when the text does not say.
pub fn paid_text(paid: Paid) -> String {
    match paid {
        Paid::Once => "一次性".into(),
        Paid::Yearly { years: None } => "每年".into(),
        Paid::Yearly { years: Some(n) } => format!("每年，共{n}年"),
        Paid::OverYears { years } => format!("分{years}年兑现"),
        Paid::Unstated => String::new(),
    }
}

/// The name of a subtotal by period: 一次性, 每年, 分5年兑现（合计）, 文件未写明发放周期.
pub fn period_total_text(paid: Paid) -> String {
    match paid {
        Paid::OverYears { years } => format!("分{years}年兑现（合计）"),
        Paid::Unstated => "文件未写明发放周期".into(),
        other => paid_text(other),
    }
}

/// 大写金额 for an exact amount in whole fen; `None` for ranges and for amounts finer than a
/// fen, where words rounded to the fen would disagree with the figure.
pub fn words_for(amount: &Amount) -> Option<String> {
    let exact = amount.max.filter(|&max| max == amount.min)?;
    (exact.round_dp(2) == exact)
        .then(|| yuan_in_words(exact))
        .flatten()
}

/// How one step reads.
pub fn step_text(step: &Step) -> String {
    match step {
        Step::Quantity {
            formula,
            value,
            unit,
        } => format!("{formula}：{value} {unit}"),
        Step::QuantityCap {
            limit,
            unit,
            before,
            after,
        } => {
            format!(
                "数量上限 {} {unit}：{before} {unit} 按 {after} {unit} 计",
                limit.normalize()
            )
        }
        Step::Rate {
            rate, unit, amount, ..
        } => format!("× {rate} {unit} = {}", yuan(amount)),
        Step::Formula { formula, amount } => format!("按 {formula} 计 → {}", yuan(amount)),
        Step::RateNotStated { cap } => {
            format!(
                "文件只规定补助上限 {} 元，未规定标准，故为 0 至 {} 元",
                cap.normalize(),
                cap.normalize()
            )
        }
        Step::Cap {
            limit,
            before,
            after,
        } => {
            format!(
                "单项补助上限 {} 元：{} 减为 {}",
                limit.normalize(),
                yuan(before),
                yuan(after)
            )
        }
        Step::Rounded {
            places,
            before,
            after,
        } => format!("保留 {places} 位小数（四舍五入）：{before} → {after}"),
        Step::TopUp { of_label, .. } => format!("在“{of_label}”基础上另行加补"),
        Step::Chosen {
            group_label,
            alternatives,
            floor_from,
            ..
        } => {
            let others: Vec<String> = alternatives
                .iter()
                .map(|a| format!("{} {}", a.label, yuan(&a.amount)))
                .collect();
            match (others.is_empty(), floor_from) {
                (true, _) => format!("{group_label}：本户只有这一项"),
                (false, None) => format!("{group_label}：选本项，对本户最有利；未选 {}", others.join("、")),
                (false, Some(floor)) => format!(
                    "{group_label}：本项最多可得的金额最高；若核定金额低于 {}，可改选“{}”，所以至少可得 {}；其他可选：{}",
                    yuan(&floor.amount),
                    floor.label,
                    yuan(&floor.amount),
                    others.join("、")
                ),
            }
        }
        Step::GroupCap {
            group_label,
            limit,
            group_before,
            before,
            after,
            ..
        } => format!(
            "{group_label}：每户上限 {} 元（合计 {}）：本项 {} 减为 {}",
            limit.normalize(),
            yuan(group_before),
            yuan(before),
            yuan(after)
        ),
    }
}

/// `最高 20000 元` or `额度未规定`: the most a loan lends.
pub fn principal_text(loan: &LoanLine) -> String {
    loan.max_principal
        .as_ref()
        .map_or("额度未规定".to_string(), |a| {
            format!("最高 {}", yuan(a))
        })
}

/// A loan in one line: principal, term and who pays the interest.
pub fn loan_text(loan: &LoanLine) -> String {
    let term = loan
        .term
        .as_ref()
        .map(|t| format!("，期限{t}"))
        .unwrap_or_default();
    format!("{}{term}；{}", principal_text(loan), loan.interest)
}
