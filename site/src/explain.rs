//! An estimate written out for a person at a terminal, in Chinese: the total, how each line
//! is worked out, the schedule, loans, and what was not computed.

use calculator::estimate::{Estimate, Step};
use calculator::words::yuan_in_words;
use calculator::Amount;
use std::fmt::Write;

/// `3000 元`, `1000–5000 元`, `不低于 600 元`.
pub fn yuan(amount: &Amount) -> String {
    match amount.max {
        None => format!("不低于 {} 元", amount.min.normalize()),
        _ => format!("{amount} 元"),
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
pub fn step(step: &Step) -> String {
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

/// The whole estimate as text.
pub fn render(estimate: &Estimate) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}（{}）· 按 {} 有效的规则 · {}",
        estimate.county_name,
        estimate.county,
        estimate.date,
        estimate.audience.chinese()
    );
    for policy in &estimate.policies {
        let state = match &policy.reason {
            None => "适用".to_string(),
            Some(reason) => reason.clone(),
        };
        let _ = writeln!(out, "  《{}》 {}（{}）", policy.title, state, policy.period);
    }
    let words = words_for(&estimate.total)
        .map(|w| format!("（{w}）"))
        .unwrap_or_default();
    let _ = writeln!(out, "\n估算合计：{}{words}", yuan(&estimate.total));
    if !estimate.lines.is_empty() {
        let _ = writeln!(out, "\n怎么算的：");
    }
    for (i, line) in estimate.lines.iter().enumerate() {
        let derived = if line.derived_from_report {
            "（据调研报告转述）"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {}. {}：{}{derived}　依据 {}",
            i + 1,
            line.label,
            yuan(&line.amount),
            line.clause_url
        );
        for s in &line.steps {
            let _ = writeln!(out, "     - {}", step(s));
        }
        for note in &line.notes {
            let _ = writeln!(out, "     注：{note}");
        }
    }
    for plan in &estimate.schedule {
        let parts: Vec<String> = plan
            .parts
            .iter()
            .map(|p| format!("{} {}", p.label, yuan(&p.amount)))
            .collect();
        let _ = writeln!(
            out,
            "\n兑现安排（{}）：{}（{}）",
            plan.label,
            parts.join("，"),
            plan.rounding
        );
        for note in &plan.notes {
            let _ = writeln!(out, "  注：{note}");
        }
    }
    if !estimate.loans.is_empty() {
        let _ = writeln!(out, "\n可申请的贷款（不计入合计）：");
        for loan in &estimate.loans {
            let principal = loan
                .max_principal
                .as_ref()
                .map_or("文件未规定额度".to_string(), |a| {
                    format!("最高 {}", yuan(a))
                });
            let term = loan
                .term
                .as_ref()
                .map(|t| format!("，期限 {t}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  - {}：{principal}{term}，{}　依据 {}",
                loan.label, loan.interest, loan.clause_url
            );
            for note in &loan.notes {
                let _ = writeln!(out, "     注：{note}");
            }
        }
    }
    if !estimate.not_eligible.is_empty() {
        let _ = writeln!(out, "\n不符合条件的项目：");
        for item in &estimate.not_eligible {
            let _ = writeln!(
                out,
                "  - {}：条件是 {}　依据 {}",
                item.label, item.condition, item.clause_url
            );
        }
    }
    if !estimate.excluded.is_empty() {
        let _ = writeln!(out, "\n未计算的措施：");
        for item in &estimate.excluded {
            let _ = writeln!(
                out,
                "  - {}：{}　依据 {}",
                item.label, item.reason, item.clause_url
            );
        }
    }
    let office = estimate
        .office
        .clone()
        .unwrap_or_else(|| format!("{}有关部门", estimate.county_name));
    let _ = writeln!(out, "\n仅为估算，以{office}核定为准。");
    out
}
