//! Evaluation: one household, one date, all rules of a county → an [`Estimate`] that explains
//! itself. Pure and deterministic; errors are values.

use crate::amount::{Amount, ArithmeticError};
use crate::date::Date;
use crate::estimate::{
    Alternative, Estimate, Excluded, FactUse, Line, LoanLine, NotEligible, PaymentPart,
    PaymentPlan, PolicyUse, Step,
};
use crate::expr::{Expr, Scope, Value};
use crate::fact::{FactValue, Household};
use crate::model::{Audience, Measure, Policy, Rule, Rulebook, Schedule};
use rust_decimal::Decimal;

/// An evaluation that could not be completed: which rule, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{policy} / {rule}: {source}")]
pub struct EvalError {
    pub policy: String,
    pub rule: String,
    pub source: ArithmeticError,
}

/// How amounts of a schedule are rounded, in the words shown to people.
pub const SCHEDULE_ROUNDING: &str = "各期金额四舍五入到分，余数计入最后一期";

/// What one rule gives before groups are applied.
#[derive(Debug, Clone)]
enum Outcome {
    Pays { amount: Amount, steps: Vec<Step> },
    Nothing,
}

/// Evaluate every policy of `book` in force on `date` for `household`.
pub fn evaluate(
    book: &Rulebook,
    household: &Household,
    date: Date,
    audience: Audience,
) -> Result<Estimate, EvalError> {
    let scope = Scope {
        household,
        absent: &book.absent,
        year: date.year(),
    };
    let mut estimate = Estimate {
        county: book.county.code.clone(),
        county_name: book.county.name.clone(),
        office: book.county.office.clone(),
        date,
        audience,
        total: Amount::ZERO,
        lines: Vec::new(),
        schedule: Vec::new(),
        loans: Vec::new(),
        excluded: Vec::new(),
        not_eligible: Vec::new(),
        policies: Vec::new(),
        facts: household
            .given(&book.facts)
            .map(|(def, value)| fact_use(def, value))
            .collect(),
    };
    for policy in &book.policies {
        let in_force = policy.in_force_on(date);
        estimate.policies.push(PolicyUse {
            id: policy.id.clone(),
            title: policy.title.clone(),
            status: policy.status,
            period: policy.period,
            in_force,
            reason: (!in_force).then(|| {
                if date < policy.period.from {
                    format!(
                        "{} 尚未生效（{} 起施行）",
                        date,
                        policy.period.from.to_chinese()
                    )
                } else {
                    let end = policy
                        .period
                        .to
                        .map_or_else(String::new, |d| d.to_chinese());
                    format!("已于{end}失效")
                }
            }),
        });
        if in_force {
            evaluate_policy(book, policy, &scope, audience, &mut estimate)?;
        }
    }
    let mut total = Amount::ZERO;
    for line in &estimate.lines {
        total = total.checked_add(line.amount).map_err(|source| EvalError {
            policy: line.policy.clone(),
            rule: line.rule.clone(),
            source,
        })?;
    }
    estimate.total = total.normalized();
    Ok(estimate)
}

fn evaluate_policy(
    book: &Rulebook,
    policy: &Policy,
    scope: &Scope<'_>,
    audience: Audience,
    estimate: &mut Estimate,
) -> Result<(), EvalError> {
    let clause_url = |clause: &str| format!("/policies/{}/#{}", policy.text_policy_id(), clause);
    let fail = |rule: &Rule| {
        let (policy, rule) = (policy.id.clone(), rule.id.clone());
        move |source| EvalError {
            policy: policy.clone(),
            rule: rule.clone(),
            source,
        }
    };
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(policy.rules.len());
    for rule in &policy.rules {
        let outcome = if rule.audience != audience {
            estimate.excluded.push(Excluded {
                policy: policy.id.clone(),
                rule: rule.id.clone(),
                label: rule.label.clone(),
                audience: rule.audience,
                reason: format!(
                    "面向{}，本估算按{}计算",
                    rule.audience.chinese(),
                    audience.chinese()
                ),
                clause: rule.clause.clone(),
                clause_url: clause_url(&rule.clause),
            });
            Outcome::Nothing
        } else {
            let eligible = match &rule.eligible {
                Some(condition) => condition.expr.evaluate(scope).map_err(fail(rule))?.truthy(),
                None => true,
            };
            match &rule.measure {
                Measure::NotComputed { reason } => {
                    estimate.excluded.push(Excluded {
                        policy: policy.id.clone(),
                        rule: rule.id.clone(),
                        label: rule.label.clone(),
                        audience: rule.audience,
                        reason: reason.clone(),
                        clause: rule.clause.clone(),
                        clause_url: clause_url(&rule.clause),
                    });
                    Outcome::Nothing
                }
                Measure::Loan {
                    max_principal,
                    term,
                    interest,
                    ..
                } => {
                    if eligible {
                        let max_principal = match max_principal {
                            Some(expr) => Some(
                                expr.evaluate(scope)
                                    .map_err(fail(rule))?
                                    .amount_or_zero()
                                    .normalized(),
                            ),
                            None => None,
                        };
                        if max_principal.is_none_or(|m| m.may_be_positive()) {
                            estimate.loans.push(LoanLine {
                                policy: policy.id.clone(),
                                rule: rule.id.clone(),
                                label: rule.label.clone(),
                                max_principal,
                                term: term.clone(),
                                interest: interest.clone(),
                                clause: rule.clause.clone(),
                                clause_url: clause_url(&rule.clause),
                                notes: rule.notes.clone(),
                                derived_from_report: policy.derived_from_report,
                            });
                        }
                    }
                    Outcome::Nothing
                }
                measure => {
                    let (amount, steps) = amount_of(measure, scope).map_err(fail(rule))?;
                    if !amount.may_be_positive() {
                        Outcome::Nothing
                    } else if eligible {
                        Outcome::Pays { amount, steps }
                    } else {
                        let condition = rule
                            .eligible
                            .as_ref()
                            .map_or_else(String::new, |c| c.description.clone());
                        estimate.not_eligible.push(NotEligible {
                            policy: policy.id.clone(),
                            rule: rule.id.clone(),
                            label: rule.label.clone(),
                            amount: amount.normalized(),
                            condition,
                            clause: rule.clause.clone(),
                            clause_url: clause_url(&rule.clause),
                        });
                        Outcome::Nothing
                    }
                }
            }
        };
        outcomes.push(outcome);
    }

    // A top-up is paid only with the item it adds to.
    for (index, rule) in policy.rules.iter().enumerate() {
        if let Some(base) = rule.adds_to {
            let base_pays = matches!(outcomes.get(base), Some(Outcome::Pays { .. }));
            match (&mut outcomes[index], base_pays) {
                (Outcome::Pays { steps, .. }, true) => steps.push(Step::TopUp {
                    of_rule: policy.rules[base].id.clone(),
                    of_label: policy.rules[base].label.clone(),
                }),
                (outcome @ Outcome::Pays { .. }, false) => *outcome = Outcome::Nothing,
                _ => {}
            }
        }
    }

    for group in &policy.groups {
        if group.choose_one {
            let paying: Vec<usize> = group
                .rules
                .iter()
                .copied()
                .filter(|&i| matches!(outcomes[i], Outcome::Pays { .. }))
                .collect();
            let amount_of_rule = |i: usize| match &outcomes[i] {
                Outcome::Pays { amount, .. } => *amount,
                Outcome::Nothing => Amount::ZERO,
            };
            // Best for the household: the most certain money first; on a tie, the earlier item.
            let best = paying.iter().copied().reduce(|best, candidate| {
                if amount_of_rule(candidate).better_than(&amount_of_rule(best)) {
                    candidate
                } else {
                    best
                }
            });
            if let Some(best) = best {
                let alternatives: Vec<Alternative> = paying
                    .iter()
                    .filter(|&&i| i != best)
                    .map(|&i| Alternative {
                        rule: policy.rules[i].id.clone(),
                        label: policy.rules[i].label.clone(),
                        amount: amount_of_rule(i).normalized(),
                    })
                    .collect();
                for &i in paying.iter().filter(|&&i| i != best) {
                    outcomes[i] = Outcome::Nothing;
                }
                if let Outcome::Pays { steps, .. } = &mut outcomes[best] {
                    steps.push(Step::Chosen {
                        group: group.id.clone(),
                        group_label: group.label.clone(),
                        clause: group.clause.clone(),
                        alternatives,
                    });
                }
            }
        }
        if let Some(limit) = group.cap {
            apply_group_cap(group, limit, &mut outcomes).map_err(|source| EvalError {
                policy: policy.id.clone(),
                rule: group.id.clone(),
                source,
            })?;
        }
    }

    for (rule, outcome) in policy.rules.iter().zip(&outcomes) {
        let Outcome::Pays { amount, steps } = outcome else {
            continue;
        };
        let amount = amount.normalized();
        let mut facts = Vec::new();
        rule_facts(rule, &mut facts);
        let facts = facts
            .into_iter()
            .filter_map(|i| {
                let def = book.facts.facts.get(i)?;
                Some(fact_use(def, scope.household.get(i)?))
            })
            .collect();
        estimate.lines.push(Line {
            policy: policy.id.clone(),
            rule: rule.id.clone(),
            label: rule.label.clone(),
            amount,
            clause: rule.clause.clone(),
            clause_url: clause_url(&rule.clause),
            facts,
            steps: steps.clone(),
            notes: rule.notes.clone(),
            derived_from_report: policy.derived_from_report,
        });
        if let Some(schedule) = &rule.schedule {
            estimate.schedule.push(plan(
                policy,
                &rule.id,
                &rule.label,
                schedule,
                rule.clause.as_str(),
                amount,
            ));
        }
    }
    for group in &policy.groups {
        let Some(schedule) = &group.schedule else {
            continue;
        };
        let mut total = Amount::ZERO;
        for &i in &group.rules {
            if let Outcome::Pays { amount, .. } = &outcomes[i] {
                total = total.checked_add(*amount).map_err(|source| EvalError {
                    policy: policy.id.clone(),
                    rule: group.id.clone(),
                    source,
                })?;
            }
        }
        if total.may_be_positive() {
            estimate.schedule.push(plan(
                policy,
                &group.id,
                &group.label,
                schedule,
                &group.clause,
                total.normalized(),
            ));
        }
    }
    Ok(())
}

/// The amount of a paying measure and the steps that led to it.
fn amount_of(measure: &Measure, scope: &Scope<'_>) -> Result<(Amount, Vec<Step>), ArithmeticError> {
    let mut steps = Vec::new();
    let amount = match measure {
        Measure::PerUnit {
            quantity,
            quantity_text,
            unit,
            max_quantity,
            rate,
            rate_text,
            cap,
            round_to,
        } => {
            let mut qty = number(quantity, scope)?;
            if !qty.may_be_positive() {
                return Ok((Amount::ZERO, steps));
            }
            steps.push(Step::Quantity {
                formula: quantity_text.clone(),
                value: qty.normalized(),
                unit: unit.clone(),
            });
            if let Some(limit) = *max_quantity {
                let (capped, cut) = qty.capped_at(limit);
                if cut {
                    steps.push(Step::QuantityCap {
                        limit,
                        unit: unit.clone(),
                        before: qty.normalized(),
                        after: capped.normalized(),
                    });
                }
                qty = capped;
            }
            let rate_value = number(rate, scope)?;
            let amount = qty.checked_mul(rate_value)?;
            steps.push(Step::Rate {
                formula: rate_text.clone(),
                rate: rate_value.normalized(),
                unit: format!("元/{}", unit.rsplit('/').next().unwrap_or(unit)),
                amount: amount.normalized(),
            });
            let amount = apply_cap(amount, *cap, &mut steps);
            apply_rounding(amount, *round_to, &mut steps)
        }
        Measure::Formula {
            amount,
            amount_text,
            cap,
            round_to,
        } => {
            let value = number(amount, scope)?;
            if !value.may_be_positive() {
                return Ok((Amount::ZERO, steps));
            }
            steps.push(Step::Formula {
                formula: amount_text.clone(),
                amount: value.normalized(),
            });
            let value = apply_cap(value, *cap, &mut steps);
            apply_rounding(value, *round_to, &mut steps)
        }
        Measure::CapWithoutRate {
            quantity,
            quantity_text,
            unit,
            cap,
        } => {
            let qty = number(quantity, scope)?;
            if !qty.may_be_positive() {
                return Ok((Amount::ZERO, steps));
            }
            steps.push(Step::Quantity {
                formula: quantity_text.clone(),
                value: qty.normalized(),
                unit: unit.clone(),
            });
            steps.push(Step::RateNotStated { cap: *cap });
            Amount::between(Decimal::ZERO, *cap)
        }
        Measure::Loan { .. } | Measure::NotComputed { .. } => Amount::ZERO,
    };
    Ok((amount, steps))
}

fn number(expr: &Expr, scope: &Scope<'_>) -> Result<Amount, ArithmeticError> {
    Ok(match expr.evaluate(scope)? {
        Value::Number(a) => a,
        Value::Bool(_) | Value::Missing => Amount::ZERO,
    })
}

fn apply_cap(amount: Amount, cap: Option<Decimal>, steps: &mut Vec<Step>) -> Amount {
    let Some(limit) = cap else {
        return amount;
    };
    let (capped, cut) = amount.capped_at(limit);
    if cut {
        steps.push(Step::Cap {
            limit,
            before: amount.normalized(),
            after: capped.normalized(),
        });
    }
    capped
}

fn apply_rounding(amount: Amount, places: Option<u32>, steps: &mut Vec<Step>) -> Amount {
    let Some(places) = places else {
        return amount;
    };
    let rounded = amount.rounded(places);
    if rounded != amount {
        steps.push(Step::Rounded {
            places,
            before: amount.normalized(),
            after: rounded.normalized(),
        });
    }
    rounded
}

/// Cut the group's lines so that together they stay within `limit`, keeping the items in
/// the order the text lists them (earlier items keep their money first). Lower and upper
/// bounds are allotted separately; where that would leave a line's lower bound above its
/// upper bound, the lower bound is lowered, so every line stays a range and the group total
/// stays a true (if cautious) lower bound.
fn apply_group_cap(
    group: &crate::model::Group,
    limit: Decimal,
    outcomes: &mut [Outcome],
) -> Result<(), ArithmeticError> {
    let mut before_total = Amount::ZERO;
    for &i in &group.rules {
        if let Outcome::Pays { amount, .. } = &outcomes[i] {
            before_total = before_total.checked_add(*amount)?;
        }
    }
    if before_total.max.is_some_and(|m| m <= limit) {
        return Ok(());
    }
    let mut left_min = limit;
    let mut left_max = limit;
    for &i in &group.rules {
        let Outcome::Pays { amount, steps } = &mut outcomes[i] else {
            continue;
        };
        let before = *amount;
        let max = before
            .max
            .map_or(left_max, |b| b.min(left_max))
            .max(Decimal::ZERO);
        let min = before.min.min(left_min).max(Decimal::ZERO).min(max);
        left_min -= min;
        left_max -= max;
        let after = Amount {
            min,
            max: Some(max),
        };
        if after != before {
            steps.push(Step::GroupCap {
                group: group.id.clone(),
                group_label: group.label.clone(),
                clause: group.clause.clone(),
                limit,
                group_before: before_total.normalized(),
                before: before.normalized(),
                after: after.normalized(),
            });
            *amount = after;
        }
    }
    Ok(())
}

/// Split `total` into the schedule's parts by weight: each part rounded to the fen, the last
/// part taking the remainder so the parts always add up to the total exactly.
fn plan(
    policy: &Policy,
    source: &str,
    label: &str,
    schedule: &Schedule,
    fallback_clause: &str,
    total: Amount,
) -> PaymentPlan {
    let weights: Decimal = schedule.parts.iter().map(|p| p.weight).sum();
    let split = |whole: Decimal| -> Vec<Decimal> {
        let mut parts = Vec::with_capacity(schedule.parts.len());
        let mut given = Decimal::ZERO;
        for (i, part) in schedule.parts.iter().enumerate() {
            let amount = if i + 1 == schedule.parts.len() {
                whole - given
            } else if weights.is_zero() {
                Decimal::ZERO
            } else {
                (whole * part.weight / weights)
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            };
            given += amount;
            parts.push(amount);
        }
        parts
    };
    let mins = split(total.min);
    let maxes = total.max.map(split);
    let parts = schedule
        .parts
        .iter()
        .enumerate()
        .map(|(i, part)| PaymentPart {
            label: part.label.clone(),
            amount: Amount {
                min: mins[i],
                max: maxes.as_ref().map(|m| m[i]),
            }
            .normalized(),
        })
        .collect();
    PaymentPlan {
        policy: policy.id.clone(),
        source: source.to_owned(),
        label: label.to_owned(),
        kind: schedule.kind,
        clause: schedule
            .clause
            .clone()
            .unwrap_or_else(|| fallback_clause.to_owned()),
        total,
        parts,
        rounding: SCHEDULE_ROUNDING.to_owned(),
    }
}

fn rule_facts(rule: &Rule, out: &mut Vec<usize>) {
    if let Some(condition) = &rule.eligible {
        condition.expr.facts_used(out);
    }
    match &rule.measure {
        Measure::PerUnit { quantity, rate, .. } => {
            quantity.facts_used(out);
            rate.facts_used(out);
        }
        Measure::Formula { amount, .. } => amount.facts_used(out),
        Measure::CapWithoutRate { quantity, .. } => quantity.facts_used(out),
        Measure::Loan { max_principal, .. } => {
            if let Some(e) = max_principal {
                e.facts_used(out)
            }
        }
        Measure::NotComputed { .. } => {}
    }
}

fn fact_use(def: &crate::fact::FactDef, value: FactValue) -> FactUse {
    FactUse {
        id: def.id.clone(),
        label: def.label.clone(),
        value: match value {
            FactValue::YesNo(b) => b.to_string(),
            FactValue::Number(n) => n.normalize().to_string(),
        },
        unit: def.unit.clone(),
    }
}

/// Convenience for callers holding facts as `(id, text)` pairs, as the CLI and the browser do.
pub fn household_from_pairs<'a>(
    book: &Rulebook,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Household, Vec<(String, crate::fact::FactError)>> {
    let mut household = Household::new(&book.facts);
    let mut errors = Vec::new();
    for (id, text) in pairs {
        if let Err(error) = household.set_text(&book.facts, id, text) {
            errors.push((id.to_owned(), error));
        }
    }
    if errors.is_empty() {
        Ok(household)
    } else {
        Err(errors)
    }
}
