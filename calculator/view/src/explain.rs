//! How an estimate reads in Chinese: amounts, 大写金额, and every step of the working in
//! words. One source for the CLI and the browser, so both say the same thing.

use crate::words::yuan_in_words;
use calculator::amount::Amount;
use calculator::estimate::{LoanLine, Step};
use calculator::model::Paid;

/// `3000 元`, `1000–5000 元`, `不低于 600 元`.
pub fn yuan(amount: &Amount) -> String {
    match amount.max {
        None => format!("不低于 {} 元", amount.min.normalize()),
        _ => format!("{amount} 元"),
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
