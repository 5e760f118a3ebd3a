//! Evaluation: one household, one date, all rules of a county → an [`Estimate`] that explains
//! itself. Pure and deterministic; errors are values, and every sum is checked.

use crate::amount::{add, mul, quotient, sub, Amount, ArithmeticError};
use crate::date::Date;
use crate::estimate::{
    Alternative, Estimate, Excluded, Exclusion, FactUse, Line, LoanLine, NextSteps, NotEligible,
    PaymentPart, PaymentPlan, PeriodTotal, PolicyUse, Step,
};
use crate::expr::{Absent, Expr, Scope, Value};
use crate::fact::{FactCatalogue, FactError, FactValue, Household};
use crate::model::{Audience, Group, Measure, Paid, Policy, Rule, Rulebook, Schedule};
use rust_decimal::Decimal;

/// An evaluation that could not be completed: which rule, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{policy} / {rule}: {source}")]
pub struct EvalError {
    /// The id of the policy being evaluated.
    pub policy: String,
    /// The id of the rule that failed, or of the group when its cap or schedule did.
    pub rule: String,
    /// The arithmetic that could not be carried out.
    pub source: ArithmeticError,
}

/// What one rule gives before and after groups are applied.
#[derive(Debug, Clone)]
enum Outcome {
    Pays {
        amount: Amount,
        steps: Vec<Step>,
        /// Notes of the groups that acted on this line.
        notes: Vec<String>,
    },
    Nothing,
}

impl Outcome {
    fn amount(&self) -> Option<Amount> {
        match self {
            Outcome::Pays { amount, .. } => Some(*amount),
            Outcome::Nothing => None,
        }
    }
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
        by_period: Vec::new(),
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
    // Per policy: whether its rules apply, and what each rule gives.
    let mut applied: Vec<bool> = Vec::with_capacity(book.policies.len());
    let mut outcomes: Vec<Vec<Outcome>> = Vec::with_capacity(book.policies.len());
    for policy in &book.policies {
        let in_force = policy.in_force_on(date);
        // A county's own document may take the place of a higher level's in the county.
        let replaced_by = book
            .policies
            .iter()
            .find(|other| other.in_force_on(date) && other.replaces.contains(&policy.id))
            .map(|other| other.id.clone());
        estimate.policies.push(PolicyUse {
            id: policy.id.clone(),
            title: policy.title.clone(),
            region: policy.region.clone(),
            status: policy.status,
            period: policy.period,
            in_force,
            replaced_by: replaced_by.clone(),
        });
        let applies = in_force && replaced_by.is_none();
        applied.push(applies);
        outcomes.push(if applies {
            rule_outcomes(book, policy, &scope, audience, &mut estimate)?
        } else {
            Vec::new()
        });
    }
    // Each policy's own groups first; then groups that reach rules of other policies (a cap
    // shared with the prefecture), over the amounts as the own groups left them.
    for (p, policy) in book.policies.iter().enumerate() {
        if applied[p] {
            own_groups(policy, &mut outcomes[p])?;
        }
    }
    for (p, policy) in book.policies.iter().enumerate() {
        if !applied[p] {
            continue;
        }
        for group in policy.groups.iter().filter(|g| !g.elsewhere.is_empty()) {
            shared_group(book, p, group, &applied, &mut outcomes)?;
        }
    }
    for (p, policy) in book.policies.iter().enumerate() {
        if applied[p] {
            let own = std::mem::take(&mut outcomes[p]);
            pay(book, policy, own, &scope, &mut estimate)?;
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
    estimate.by_period = by_period(&estimate.lines)?;
    Ok(estimate)
}

/// What to do next after `estimate`, worked out from `book`: for each policy that pays the
/// household something or lends to it ([`Estimate::paying_policies`]), its `apply` section
/// when it is for the estimate's audience, else `None` (the text does not say). Apart from
/// [`evaluate()`] so that the browser's module, which shows steps the page already holds,
/// neither copies nor carries them on every keystroke.
pub fn next_steps(book: &Rulebook, estimate: &Estimate) -> Vec<NextSteps> {
    let paying = estimate.paying_policies();
    let mut next = Vec::with_capacity(paying.len());
    for policy in book.policies.iter().filter(|p| paying.contains(&p.id)) {
        next.push(NextSteps {
            policy: policy.id.clone(),
            text_policy: policy.text_policy_id().to_owned(),
            apply: policy
                .apply
                .as_ref()
                .filter(|a| a.audience == estimate.audience)
                .cloned(),
        });
    }
    next
}

/// The lines' amounts added up per kind of period, in the order of [`Paid`].
fn by_period(lines: &[Line]) -> Result<Vec<PeriodTotal>, EvalError> {
    let mut totals: std::collections::BTreeMap<Paid, Amount> = std::collections::BTreeMap::new();
    for line in lines {
        let sum = totals.entry(line.paid).or_insert(Amount::ZERO);
        *sum = sum.checked_add(line.amount).map_err(|source| EvalError {
            policy: line.policy.clone(),
            rule: line.rule.clone(),
            source,
        })?;
    }
    Ok(totals
        .into_iter()
        .map(|(paid, amount)| PeriodTotal {
            paid,
            amount: amount.normalized(),
        })
        .collect())
}

/// An evaluation error at a rule or group of `policy`.
fn fail_at(policy: &Policy, id: &str) -> impl Fn(ArithmeticError) -> EvalError {
    let (policy, rule) = (policy.id.clone(), id.to_owned());
    move |source| EvalError {
        policy: policy.clone(),
        rule: rule.clone(),
        source,
    }
}

/// What each rule of `policy` gives the household before any group acts; what it does not
/// compute, and what the household is not eligible for, go into `estimate`.
fn rule_outcomes(
    book: &Rulebook,
    policy: &Policy,
    scope: &Scope<'_>,
    audience: Audience,
    estimate: &mut Estimate,
) -> Result<Vec<Outcome>, EvalError> {
    let text_policy = policy.text_policy_id().to_owned();
    let fail = |id: &str| fail_at(policy, id);
    let excluded = |rule: &Rule, why: Exclusion| Excluded {
        policy: policy.id.clone(),
        rule: rule.id.clone(),
        label: rule.label.clone(),
        audience: rule.audience,
        why,
        clause: rule.clause.clone(),
        text_policy: text_policy.clone(),
    };

    let mut outcomes: Vec<Outcome> = Vec::with_capacity(policy.rules.len());
    for rule in &policy.rules {
        if rule.audience != audience {
            estimate
                .excluded
                .push(excluded(rule, Exclusion::OtherAudience));
            outcomes.push(Outcome::Nothing);
            continue;
        }
        let eligible = match &rule.eligible {
            Some(condition) => condition
                .expr
                .evaluate(scope)
                .map_err(fail(&rule.id))?
                .truthy(),
            None => true,
        };
        let outcome = match &rule.measure {
            Measure::NotComputed { reason } => {
                estimate.excluded.push(excluded(
                    rule,
                    Exclusion::NotComputed {
                        reason: reason.clone(),
                    },
                ));
                Outcome::Nothing
            }
            Measure::Loan {
                max_principal,
                term,
                interest,
                ..
            } => {
                let principal = match max_principal {
                    Some(expr) => number(expr, scope)
                        .map_err(fail(&rule.id))?
                        .map(Amount::normalized),
                    None => None,
                };
                let missing = max_principal.is_some() && principal.is_none();
                if eligible && missing {
                    estimate
                        .excluded
                        .push(excluded(rule, missing_facts(rule, book, scope)));
                } else if eligible && principal.is_none_or(|p| p.may_be_positive()) {
                    estimate.loans.push(LoanLine {
                        policy: policy.id.clone(),
                        rule: rule.id.clone(),
                        label: rule.label.clone(),
                        max_principal: principal,
                        term: term.clone(),
                        interest: interest.clone(),
                        clause: rule.clause.clone(),
                        text_policy: text_policy.clone(),
                        notes: rule.notes.clone(),
                        derived_from_report: policy.derived_from_report,
                    });
                }
                Outcome::Nothing
            }
            measure => match amount_of(measure, scope).map_err(fail(&rule.id))? {
                // A fact the rule needs (a household size, say) was not given.
                None if eligible => {
                    estimate
                        .excluded
                        .push(excluded(rule, missing_facts(rule, book, scope)));
                    Outcome::Nothing
                }
                None => Outcome::Nothing,
                Some((amount, _)) if !amount.may_be_positive() => Outcome::Nothing,
                Some((amount, steps)) if eligible => Outcome::Pays {
                    amount,
                    steps,
                    notes: Vec::new(),
                },
                // Only worth saying for what the household has: a rule whose amount uses none
                // of the facts it gave (自主经营 when it has no business) is not news.
                Some(_) if !uses_given_fact(measure, scope) => Outcome::Nothing,
                Some(_) => {
                    estimate.not_eligible.push(NotEligible {
                        policy: policy.id.clone(),
                        rule: rule.id.clone(),
                        label: rule.label.clone(),
                        condition: rule
                            .eligible
                            .as_ref()
                            .map_or_else(String::new, |c| c.description.clone()),
                        clause: rule.clause.clone(),
                        text_policy: text_policy.clone(),
                    });
                    Outcome::Nothing
                }
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// The one-of choices and caps of `policy`'s groups over its own rules, in order.
fn own_groups(policy: &Policy, outcomes: &mut [Outcome]) -> Result<(), EvalError> {
    let name = |i: usize| {
        policy
            .rules
            .get(i)
            .map(|r| (r.id.clone(), r.label.clone()))
            .unwrap_or_default()
    };
    for group in policy.groups.iter().filter(|g| g.elsewhere.is_empty()) {
        if group.choose_one {
            choose_one(&name, group, outcomes);
        }
        if let Some(limit) = group.cap {
            apply_group_cap(group, limit, outcomes).map_err(fail_at(policy, &group.id))?;
        }
    }
    Ok(())
}

/// A group of policy `p` that reaches rules of other policies: its members are taken out of
/// their policies' outcomes, chosen among or capped together, and put back.
fn shared_group(
    book: &Rulebook,
    p: usize,
    group: &Group,
    applied: &[bool],
    outcomes: &mut [Vec<Outcome>],
) -> Result<(), EvalError> {
    let policy = &book.policies[p];
    let mut members: Vec<(usize, usize)> = group.rules.iter().map(|&r| (p, r)).collect();
    for at in &group.elsewhere {
        let found = book.policies.iter().enumerate().find_map(|(q, other)| {
            let rule = other.rules.iter().position(|r| r.id == at.rule)?;
            (other.id == at.policy && applied.get(q) == Some(&true)).then_some((q, rule))
        });
        members.extend(found);
    }
    let names: Vec<(String, String)> = members
        .iter()
        .map(|&(q, r)| {
            let rule = &book.policies[q].rules[r];
            (rule.id.clone(), rule.label.clone())
        })
        .collect();
    let mut taken: Vec<Outcome> = members
        .iter()
        .map(|&(q, r)| std::mem::replace(&mut outcomes[q][r], Outcome::Nothing))
        .collect();
    let local = Group {
        rules: (0..taken.len()).collect(),
        elsewhere: Vec::new(),
        ..group.clone()
    };
    let name = |i: usize| names.get(i).cloned().unwrap_or_default();
    if group.choose_one {
        choose_one(&name, &local, &mut taken);
    }
    let capped = match group.cap {
        Some(limit) => apply_group_cap(&local, limit, &mut taken),
        None => Ok(()),
    };
    for (&(q, r), outcome) in members.iter().zip(taken) {
        outcomes[q][r] = outcome;
    }
    capped.map_err(fail_at(policy, &group.id))
}

/// The lines, loans' companions and payment plans of `policy` from its rules' outcomes as the
/// groups left them: top-ups first, which pay only with the item they add to.
fn pay(
    book: &Rulebook,
    policy: &Policy,
    mut outcomes: Vec<Outcome>,
    scope: &Scope<'_>,
    estimate: &mut Estimate,
) -> Result<(), EvalError> {
    let text_policy = policy.text_policy_id().to_owned();
    let fail = |id: &str| fail_at(policy, id);

    // A top-up is paid only with the item it adds to, as that item stands after the groups.
    for (index, rule) in policy.rules.iter().enumerate() {
        let Some(base) = rule.adds_to else { continue };
        let base_pays = outcomes
            .get(base)
            .and_then(Outcome::amount)
            .is_some_and(|a| a.may_be_positive());
        match (&mut outcomes[index], base_pays) {
            (Outcome::Pays { steps, .. }, true) => steps.push(Step::TopUp {
                of_rule: policy.rules[base].id.clone(),
                of_label: policy.rules[base].label.clone(),
            }),
            (outcome @ Outcome::Pays { .. }, false) => *outcome = Outcome::Nothing,
            _ => {}
        }
    }

    for (rule, outcome) in policy.rules.iter().zip(&outcomes) {
        let Outcome::Pays {
            amount,
            steps,
            notes,
        } = outcome
        else {
            continue;
        };
        let amount = amount.normalized();
        let facts = rule
            .facts_read()
            .into_iter()
            .filter_map(|i| Some(fact_use(book.facts.facts.get(i)?, scope.household.get(i)?)))
            .collect();
        let mut all_notes = rule.notes.clone();
        for note in notes {
            if !all_notes.contains(note) {
                all_notes.push(note.clone());
            }
        }
        estimate.lines.push(Line {
            policy: policy.id.clone(),
            rule: rule.id.clone(),
            label: rule.label.clone(),
            amount,
            paid: rule.paid,
            clause: rule.clause.clone(),
            text_policy: text_policy.clone(),
            facts,
            steps: steps.clone(),
            notes: all_notes,
            derived_from_report: policy.derived_from_report,
        });
        if let Some(schedule) = &rule.schedule {
            let plan = plan(
                policy,
                &rule.id,
                &rule.label,
                schedule,
                &rule.clause,
                amount,
                Vec::new(),
            );
            estimate.schedule.push(plan.map_err(fail(&rule.id))?);
        }
    }
    for group in &policy.groups {
        let Some(schedule) = &group.schedule else {
            continue;
        };
        let mut total = Amount::ZERO;
        for amount in group.rules.iter().filter_map(|&i| outcomes[i].amount()) {
            total = total.checked_add(amount).map_err(fail(&group.id))?;
        }
        if total.may_be_positive() {
            let plan = plan(
                policy,
                &group.id,
                &group.label,
                schedule,
                &group.clause,
                total.normalized(),
                group.notes.clone(),
            );
            estimate.schedule.push(plan.map_err(fail(&group.id))?);
        }
    }
    Ok(())
}

/// "Only one of these per household": the household gets the best it can. With ranges that
/// is at least the highest certain amount of any item and at most the highest possible one;
/// the line goes to the item with the highest possible amount.
fn choose_one(name: &dyn Fn(usize) -> (String, String), group: &Group, outcomes: &mut [Outcome]) {
    let paying: Vec<(usize, Amount)> = group
        .rules
        .iter()
        .filter_map(|&i| outcomes[i].amount().map(|a| (i, a)))
        .collect();
    let higher_max = |a: &Amount, b: &Amount| match (a.max, b.max) {
        (None, Some(_)) => true,
        (Some(x), Some(y)) => x > y || (x == y && a.min > b.min),
        (None, None) => a.min > b.min,
        (Some(_), None) => false,
    };
    let Some(&(best, best_amount)) =
        paying
            .iter()
            .reduce(|best, c| if higher_max(&c.1, &best.1) { c } else { best })
    else {
        return;
    };
    let Some(&(floor_rule, floor_amount)) =
        paying
            .iter()
            .reduce(|best, c| if c.1.min > best.1.min { c } else { best })
    else {
        return;
    };
    let alternative = |i: usize, amount: Amount| {
        let (rule, label) = name(i);
        Alternative {
            rule,
            label,
            amount: amount.normalized(),
        }
    };
    let alternatives = paying
        .iter()
        .filter(|(i, _)| *i != best)
        .map(|&(i, a)| alternative(i, a))
        .collect();
    let floor_from = (floor_rule != best && floor_amount.min > best_amount.min)
        .then(|| alternative(floor_rule, floor_amount));
    for &(i, _) in paying.iter().filter(|(i, _)| *i != best) {
        outcomes[i] = Outcome::Nothing;
    }
    if let Outcome::Pays {
        amount,
        steps,
        notes,
    } = &mut outcomes[best]
    {
        amount.min = amount.min.max(floor_amount.min);
        steps.push(Step::Chosen {
            group: group.id.clone(),
            group_label: group.label.clone(),
            clause: group.clause.clone(),
            alternatives,
            floor_from,
        });
        notes.extend(group.notes.iter().cloned());
    }
}

/// The amount of a paying measure and the steps that led to it; `None` when a fact it needs
/// was not given.
fn amount_of(
    measure: &Measure,
    scope: &Scope<'_>,
) -> Result<Option<(Amount, Vec<Step>)>, ArithmeticError> {
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
            let Some(mut qty) = number(quantity, scope)? else {
                return Ok(None);
            };
            if !qty.may_be_positive() {
                return Ok(Some((Amount::ZERO, steps)));
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
            let Some(rate_value) = number(rate, scope)? else {
                return Ok(None);
            };
            let amount = qty.checked_mul(rate_value)?;
            steps.push(Step::Rate {
                formula: rate_text.clone(),
                rate: rate_value.normalized(),
                unit: format!("元/{unit}"),
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
            let Some(value) = number(amount, scope)? else {
                return Ok(None);
            };
            if !value.may_be_positive() {
                return Ok(Some((Amount::ZERO, steps)));
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
            let Some(qty) = number(quantity, scope)? else {
                return Ok(None);
            };
            if !qty.may_be_positive() {
                return Ok(Some((Amount::ZERO, steps)));
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
    Ok(Some((amount, steps)))
}

/// A number, or `None` when it depends on a fact that was not given.
fn number(expr: &Expr, scope: &Scope<'_>) -> Result<Option<Amount>, ArithmeticError> {
    Ok(match expr.evaluate(scope)? {
        Value::Number(a) => Some(a),
        Value::Bool(_) => Some(Amount::ZERO),
        Value::Missing => None,
    })
}

/// True when the measure's amount reads a fact the household gave. A loan is never "had":
/// it is offered, not measured.
fn uses_given_fact(measure: &Measure, scope: &Scope<'_>) -> bool {
    !matches!(measure, Measure::Loan { .. })
        && measure
            .facts_read()
            .into_iter()
            .any(|i| scope.household.get(i).is_some())
}

/// The facts a rule needs that were not given (家庭人口), by their labels.
fn missing_facts(rule: &Rule, book: &Rulebook, scope: &Scope<'_>) -> Exclusion {
    let facts = rule
        .facts_read()
        .into_iter()
        .filter(|&i| {
            scope.household.get(i).is_none() && book.absent.get(i) == Some(&Absent::Missing)
        })
        .filter_map(|i| book.facts.facts.get(i).map(|f| f.label.clone()))
        .collect();
    Exclusion::NeedsFacts { facts }
}

fn apply_cap(amount: Amount, cap: Option<Decimal>, steps: &mut Vec<Step>) -> Amount {
    let Some(limit) = cap else { return amount };
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
    let Some(places) = places else { return amount };
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

/// Cut the group's lines so that together they pay what the cap allows. The group's total is
/// worked out first — at least the capped sum of what is certain, at most the capped sum of
/// what is possible — and then given to the items in the order the text lists them (earlier
/// items keep their money first), upper bounds first, then lower bounds within them.
fn apply_group_cap(
    group: &Group,
    limit: Decimal,
    outcomes: &mut [Outcome],
) -> Result<(), ArithmeticError> {
    let mut before = Amount::ZERO;
    for amount in group.rules.iter().filter_map(|&i| outcomes[i].amount()) {
        before = before.checked_add(amount)?;
    }
    if before.max.is_some_and(|m| m <= limit) {
        return Ok(());
    }
    let (total, _) = before.capped_at(limit);
    let total_max = total.max.unwrap_or(limit);
    let mut left_max = total_max;
    let mut left_min = total.min;
    for &i in &group.rules {
        let Outcome::Pays {
            amount,
            steps,
            notes,
        } = &mut outcomes[i]
        else {
            continue;
        };
        let previous = *amount;
        let max = previous.max.map_or(left_max, |b| b.min(left_max));
        left_max = sub(left_max, max)?;
        let min = max.min(left_min);
        left_min = sub(left_min, min)?;
        let after = Amount {
            min,
            max: Some(max),
        };
        if after != previous {
            steps.push(Step::GroupCap {
                group: group.id.clone(),
                group_label: group.label.clone(),
                clause: group.clause.clone(),
                limit,
                group_before: before.normalized(),
                before: previous.normalized(),
                after: after.normalized(),
            });
            notes.extend(group.notes.iter().cloned());
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
    notes: Vec<String>,
) -> Result<PaymentPlan, ArithmeticError> {
    let mut weights = Decimal::ZERO;
    for part in &schedule.parts {
        weights = add(weights, part.weight)?;
    }
    let split = |whole: Decimal| -> Result<Vec<Decimal>, ArithmeticError> {
        let mut parts = Vec::with_capacity(schedule.parts.len());
        let mut given = Decimal::ZERO;
        let last = schedule.parts.len().saturating_sub(1);
        for (i, part) in schedule.parts.iter().enumerate() {
            let amount = if i == last {
                sub(whole, given)?
            } else if weights.is_zero() {
                Decimal::ZERO
            } else {
                quotient(mul(whole, part.weight)?, weights)
                    .ok_or(ArithmeticError::Overflow)?
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            };
            given = add(given, amount)?;
            parts.push(amount);
        }
        Ok(parts)
    };
    let mins = split(total.min)?;
    let maxes = match total.max {
        Some(max) => Some(split(max)?),
        None => None,
    };
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
    Ok(PaymentPlan {
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
        notes,
    })
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

/// A household from `(id, text)` pairs, as the CLI and the browser hold them. Every problem is
/// returned, including a fact given twice.
pub fn household_from_pairs<'a>(
    book: &Rulebook,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Household, Vec<(String, FactError)>> {
    household_from(&book.facts, pairs)
}

fn household_from<'a>(
    facts: &FactCatalogue,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Household, Vec<(String, FactError)>> {
    let mut household = Household::new(facts);
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (id, text) in pairs {
        if seen.contains(&id) {
            let label = facts.get(id).map_or(id, |f| f.label.as_str()).to_owned();
            errors.push((id.to_owned(), FactError::Twice { label }));
            continue;
        }
        seen.push(id);
        if let Err(error) = household.set_text(facts, id, text) {
            errors.push((id.to_owned(), error));
        }
    }
    if errors.is_empty() {
        Ok(household)
    } else {
        Err(errors)
    }
}
