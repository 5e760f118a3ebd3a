//! An estimate written out for a person at a terminal, in Chinese: the total, how each line
//! is worked out, the schedule, loans, and what was not computed.

use crate::explain::{
    audience_text, exclusion_text, loan_text, not_in_force_text, paid_text, payer_text,
    period_text, period_total_text, step_text, words_for, yuan, SCHEDULE_ROUNDING,
};
use crate::page::ClauseLinks;
use calculator::estimate::{Estimate, NextSteps};
use std::fmt::Write;

/// The whole estimate as text, each clause cited through `links`, ending with what to do
/// next (`next`, from [`calculator::evaluate::next_steps`]; empty leaves that out).
pub fn render(estimate: &Estimate, next: &[NextSteps], links: &ClauseLinks) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}（{}）· 按 {} 有效的规则 · {}",
        estimate.county_name,
        estimate.county,
        estimate.date,
        audience_text(estimate.audience)
    );
    for policy in &estimate.policies {
        let state = match &policy.replaced_by {
            Some(by) => format!("本县执行 {by}，不再执行本文件"),
            None => not_in_force_text(policy, estimate.date).unwrap_or_else(|| "适用".into()),
        };
        let _ = writeln!(
            out,
            "  {} {}（{}）",
            payer_text(policy),
            state,
            period_text(policy.period)
        );
    }
    let words = words_for(&estimate.total)
        .map(|w| format!("（{w}）"))
        .unwrap_or_default();
    let _ = writeln!(out, "\n估算合计：{}{words}", yuan(&estimate.total));
    if !estimate.by_period.is_empty() {
        let parts: Vec<String> = estimate
            .by_period
            .iter()
            .map(|p| format!("{} {}", period_total_text(p.paid), yuan(&p.amount)))
            .collect();
        let _ = writeln!(out, "按发放周期：{}", parts.join("；"));
    }
    if !estimate.lines.is_empty() {
        let _ = writeln!(out, "\n怎么算的：");
    }
    for (i, line) in estimate.lines.iter().enumerate() {
        let paid = match paid_text(line.paid) {
            text if text.is_empty() => text,
            text => format!("（{text}）"),
        };
        let derived = if line.derived_from_report {
            "（据调研报告转述）"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {}. {}：{}{paid}{derived}　依据 {}",
            i + 1,
            line.label,
            yuan(&line.amount),
            links.link(&line.text_policy, &line.clause)
        );
        if let Some(policy) = estimate.policies.iter().find(|p| p.id == line.policy) {
            let _ = writeln!(out, "     来源：{}", payer_text(policy));
        }
        for s in &line.steps {
            let _ = writeln!(out, "     - {}", step_text(s));
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
            SCHEDULE_ROUNDING
        );
        for note in &plan.notes {
            let _ = writeln!(out, "  注：{note}");
        }
    }
    if !estimate.loans.is_empty() {
        let _ = writeln!(out, "\n可申请的贷款（不计入合计）：");
        for loan in &estimate.loans {
            let _ = writeln!(
                out,
                "  - {}：{}　依据 {}",
                loan.label,
                loan_text(loan),
                links.link(&loan.text_policy, &loan.clause)
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
                item.label,
                item.condition,
                links.link(&item.text_policy, &item.clause)
            );
        }
    }
    if !estimate.excluded.is_empty() {
        let _ = writeln!(out, "\n未计算的措施：");
        for item in &estimate.excluded {
            let _ = writeln!(
                out,
                "  - {}：{}　依据 {}",
                item.label,
                exclusion_text(item, estimate),
                links.link(&item.text_policy, &item.clause)
            );
        }
    }
    let next = crate::page::next_steps(estimate, next, links);
    if !next.is_empty() {
        let _ = writeln!(out, "\n下一步／怎么申请：");
    }
    for n in &next {
        let _ = writeln!(out, "  {}", n.policy);
        if !n.offices.is_empty() {
            let _ = writeln!(out, "    找谁：{}　依据 {}", n.offices, n.offices_url);
        }
        if !n.silent.is_empty() {
            let _ = writeln!(out, "    {}", n.silent);
        }
        for (i, s) in n.steps.iter().enumerate() {
            let when = if s.when.is_empty() {
                String::new()
            } else {
                format!("（{}）", s.when)
            };
            let _ = writeln!(
                out,
                "    {}. {}：{}{when}　依据 {}",
                i + 1,
                s.who,
                s.what,
                s.clause_url
            );
        }
        for note in &n.notes {
            let _ = writeln!(out, "    注：{note}");
        }
    }
    let office = estimate
        .office
        .clone()
        .unwrap_or_else(|| format!("{}有关部门", estimate.county_name));
    let _ = writeln!(out, "\n仅为估算，以{office}核定为准。");
    out
}
