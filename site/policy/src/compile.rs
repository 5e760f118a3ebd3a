//! Checking and compiling one policy's YAML into the engine's model: formulas, units,
//! clause references, groups, schedules. Every problem becomes a diagnostic at its place;
//! compilation goes on after a problem so that one run reports them all.

use crate::clauses::Clause;
use crate::diagnostic::{Diagnostic, SourceText};
use crate::source::{
    AudienceSource, ChooseSource, GroupSource, PolicySource, RuleSource, ScheduleKindSource,
    ScheduleSource,
};
use crate::yaml::YamlIndex;
use calculator::expr::Expr;
use calculator::fact::FactCatalogue;
use calculator::formula::{closest, compile_as, Type};
use calculator::model::{
    Audience, Condition, DocumentStatus, Group, Measure, Policy, Rule, Schedule, ScheduleKind,
    SchedulePart,
};
use calculator::unit::Dimension;
use calculator::{Date, Period};
use rust_decimal::Decimal;

/// Everything needed to check one file and report at the right place.
#[derive(Debug)]
pub struct FileContext<'a> {
    pub source: &'a SourceText,
    pub index: &'a YamlIndex,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl FileContext<'_> {
    pub fn error(
        &mut self,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        let span = self.index.value_span(path);
        self.diagnostics.push(Diagnostic::at(
            self.source,
            span,
            path,
            message,
            hint.into(),
        ));
    }

    /// A date field; `None` (and a diagnostic) when it is not a real date.
    pub fn date(&mut self, path: &str, text: &str) -> Option<Date> {
        match text.parse::<Date>() {
            Ok(date) => Some(date),
            Err(error) => {
                self.error(
                    path,
                    error.to_string(),
                    Some("dates are written 2017-07-08, in quotes or not".to_string()),
                );
                None
            }
        }
    }

    /// Compile a formula of the expected type, reporting errors inside the formula's text.
    pub fn formula(
        &mut self,
        path: &str,
        text: &str,
        facts: &FactCatalogue,
        expected: Type,
    ) -> Option<Expr> {
        match compile_as(text, facts, expected) {
            Ok(compiled) => Some(compiled.expr),
            Err(error) => {
                let span = self.index.span_within(path, error.span.clone());
                self.diagnostics.push(Diagnostic::at(
                    self.source,
                    span,
                    path,
                    format!("in the formula `{text}`: {}", error.message),
                    error.hint,
                ));
                None
            }
        }
    }

    /// A formula that must be a fixed number (a cap, a share): no facts, no ranges.
    pub fn constant(
        &mut self,
        path: &str,
        text: &str,
        facts: &FactCatalogue,
        unit: Dimension,
    ) -> Option<Decimal> {
        let expr = self.formula(path, text, facts, Type::Number(unit))?;
        match expr.constant() {
            Some(amount)
                if amount.is_exact() && amount.min.is_sign_negative() && !amount.min.is_zero() =>
            {
                self.error(
                    path,
                    format!("`{text}` is negative"),
                    Some("caps, shares and rates are never below zero".to_string()),
                );
                None
            }
            Some(amount) if amount.is_exact() => Some(amount.min),
            _ => {
                self.error(
                    path,
                    format!("`{text}` must be a fixed amount in {unit}"),
                    Some(format!(
                        "write a single value such as `2000 {unit}`, without fact ids or ranges"
                    )),
                );
                None
            }
        }
    }
}

/// Check that `id` is a clause of the text.
pub fn check_clause(
    cx: &mut FileContext<'_>,
    path: &str,
    id: &str,
    clauses: &[Clause],
    text_name: &str,
) -> bool {
    if clauses.iter().any(|c| c.id == id) {
        return true;
    }
    let hint = match closest(id, clauses.iter().map(|c| c.id.as_str())) {
        Some(near) => format!("did you mean `{near}`? Anchors are written `{{#{near}}}` in {text_name}"),
        None => format!(
            "mark the clause in {text_name} with `{{#{id}}}` at the start of its paragraph, or cite one of: {}",
            clauses.iter().map(|c| c.id.as_str()).take(12).collect::<Vec<_>>().join(", ")
        ),
    };
    cx.error(
        path,
        format!("the clause `{id}` does not exist in {text_name}"),
        Some(hint),
    );
    false
}

pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn audience(source: AudienceSource) -> Audience {
    match source {
        AudienceSource::Household => Audience::Household,
        AudienceSource::Enterprise => Audience::Enterprise,
        AudienceSource::Collective => Audience::Collective,
    }
}

/// The parts of a policy that are not rules: status and period.
pub fn period(cx: &mut FileContext<'_>, policy: &PolicySource) -> Option<Period> {
    let from = cx.date("validity.from", &policy.validity.from);
    let to = match &policy.validity.to {
        Some(text) => Some(cx.date("validity.to", text)?),
        None => None,
    };
    let from = from?;
    if let Some(to) = to.filter(|&to| to < from) {
        cx.error(
            "validity.to",
            format!("the period ends ({to}) before it starts ({from})"),
            Some("swap the dates, or correct the one that is wrong".to_string()),
        );
        return None;
    }
    Some(Period { from, to })
}

/// Compile a policy's rules and groups. `None` when anything in them is wrong (the
/// diagnostics say what).
pub fn compile_policy(
    cx: &mut FileContext<'_>,
    policy: &PolicySource,
    period: Period,
    facts: &FactCatalogue,
    clauses: &[Clause],
    text_name: &str,
) -> Option<Policy> {
    let before = cx.diagnostics.len();
    let default_eligible = policy.eligible.as_ref().and_then(|text| {
        cx.formula("eligible", text, facts, Type::YesNo)
            .map(|expr| Condition {
                expr,
                text: text.clone(),
                description: policy
                    .eligible_description
                    .clone()
                    .unwrap_or_else(|| describe(text, facts)),
            })
    });
    for (i, note) in policy.notes.iter().enumerate() {
        check_clause(
            cx,
            &format!("notes[{i}].clause"),
            &note.clause,
            clauses,
            text_name,
        );
    }

    let mut rules = Vec::with_capacity(policy.rules.len());
    for (i, rule) in policy.rules.iter().enumerate() {
        let path = format!("rules[{}]", policy.positions.rule(i));
        if !valid_id(&rule.id) {
            cx.error(
                &format!("{path}.id"),
                format!("`{}` is not a valid rule id", rule.id),
                Some("use lower-case letters, digits and `-`, e.g. `dairy-goats`".to_string()),
            );
        } else if policy.rules[..i].iter().any(|r| r.id == rule.id) {
            cx.error(
                &format!("{path}.id"),
                format!("the rule id `{}` is used twice in this policy", rule.id),
                Some("give each rule its own id".to_string()),
            );
        }
        check_clause(
            cx,
            &format!("{path}.clause"),
            &rule.clause,
            clauses,
            text_name,
        );
        let eligible = match (&rule.eligible, rule.audience) {
            (Some(text), _) => cx
                .formula(&format!("{path}.eligible"), text, facts, Type::YesNo)
                .map(|expr| Condition {
                    expr,
                    text: text.clone(),
                    description: rule
                        .eligible_description
                        .clone()
                        .unwrap_or_else(|| describe(text, facts)),
                }),
            (None, AudienceSource::Household) => default_eligible.clone(),
            (None, _) => None,
        };
        let measure = measure(cx, &path, rule, facts);
        // A rule whose measure is already reported wrong is not blamed again for its schedule.
        let schedule = rule
            .schedule
            .as_ref()
            .filter(|_| measure.is_some())
            .and_then(|s| {
                schedule(
                    cx,
                    &format!("{path}.schedule"),
                    s,
                    measure.as_ref(),
                    facts,
                    clauses,
                    text_name,
                )
            });
        if let Some(measure) = measure {
            rules.push(Rule {
                id: rule.id.clone(),
                label: rule.label.clone(),
                clause: rule.clause.clone(),
                audience: audience(rule.audience),
                eligible,
                measure,
                adds_to: None,
                schedule,
                notes: rule.notes.clone(),
            });
        }
    }
    // Top-ups refer to rules by id; resolve them once all rules are known.
    for (i, rule) in policy.rules.iter().enumerate() {
        let Some(base) = &rule.adds_to else { continue };
        let path = format!("rules[{}].adds_to", policy.positions.rule(i));
        match policy.rules.iter().position(|r| &r.id == base) {
            Some(b) if b == i => cx.error(
                &path,
                "a rule cannot add to itself",
                Some("name the rule this one is paid on top of".to_string()),
            ),
            Some(b) => {
                if let Some(compiled) = rules.get_mut(i) {
                    compiled.adds_to = Some(b);
                }
            }
            None => cx.error(
                &path,
                format!("there is no rule `{base}` to add to"),
                closest(base, policy.rules.iter().map(|r| r.id.as_str()))
                    .map(|n| format!("did you mean `{n}`?")),
            ),
        }
    }

    let groups: Vec<Group> = policy
        .groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| group(cx, i, g, policy, facts, clauses, text_name))
        .collect();

    if cx.diagnostics.len() > before
        || rules.len() != policy.rules.len()
        || !policy.positions.complete()
    {
        return None;
    }
    Some(Policy {
        id: policy.id.clone(),
        title: policy.title.clone(),
        status: match policy.metadata.status {
            crate::source::StatusSource::InForce => DocumentStatus::InForce,
            crate::source::StatusSource::Amended => DocumentStatus::Amended,
            crate::source::StatusSource::Repealed => DocumentStatus::Repealed,
        },
        period,
        derived_from_report: policy.kind == crate::source::DocumentKindSource::DerivedFromReport,
        text_from: policy.text_from.clone(),
        rules,
        groups,
    })
}

fn measure(
    cx: &mut FileContext<'_>,
    path: &str,
    rule: &RuleSource,
    facts: &FactCatalogue,
) -> Option<Measure> {
    let given: Vec<&str> = [
        ("rate", rule.rate.is_some()),
        ("amount", rule.amount.is_some()),
        ("cap_without_rate", rule.cap_without_rate.is_some()),
        ("loan", rule.loan.is_some()),
        ("not_computed", rule.not_computed.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    let kinds_hint = "give exactly one of `rate` (with `quantity`), `amount`, `cap_without_rate` (with `quantity`), `loan` or `not_computed`";
    if given.len() != 1 {
        let message = if given.is_empty() {
            format!("the rule `{}` says nothing about what it pays", rule.id)
        } else {
            format!("the rule `{}` gives both {}", rule.id, given.join(" and "))
        };
        cx.error(path, message, Some(kinds_hint.to_string()));
        return None;
    }
    let needs_quantity = matches!(given[0], "rate" | "cap_without_rate");
    if needs_quantity != rule.quantity.is_some() {
        let message = if needs_quantity {
            format!("`{}` needs a `quantity` to apply to", given[0])
        } else {
            format!(
                "`quantity` only goes with `rate` or `cap_without_rate`, not with `{}`",
                given[0]
            )
        };
        cx.error(
            path,
            message,
            Some("e.g. `quantity: pigs` with `rate: 300 元/头`".to_string()),
        );
        return None;
    }
    if rule.max_quantity.is_some() && given[0] != "rate" {
        cx.error(
            &format!("{path}.max_quantity"),
            "`max_quantity` only goes with `quantity` and `rate`",
            None,
        );
        return None;
    }
    if rule.cap.is_some() && !matches!(given[0], "rate" | "amount") {
        cx.error(
            &format!("{path}.cap"),
            format!("`cap` does not go with `{}`", given[0]),
            Some("for a cap with no rate, use `cap_without_rate` instead".to_string()),
        );
        return None;
    }
    if rule.round_to.is_some_and(|p| p > 4) {
        cx.error(
            &format!("{path}.round_to"),
            "round_to takes 0 (元), 1 (角), 2 (分), 3 or 4",
            None,
        );
        return None;
    }
    let cap = match &rule.cap {
        Some(text) => Some(cx.constant(&format!("{path}.cap"), text, facts, Dimension::MONEY)?),
        None => None,
    };
    let quantity = match &rule.quantity {
        Some(text) => {
            let qpath = format!("{path}.quantity");
            let compiled = match calculator::formula::compile(text, facts) {
                Ok(c) => c,
                Err(error) => {
                    let span = cx.index.span_within(&qpath, error.span.clone());
                    cx.diagnostics.push(Diagnostic::at(
                        cx.source,
                        span,
                        &qpath,
                        format!("in the formula `{text}`: {}", error.message),
                        error.hint,
                    ));
                    return None;
                }
            };
            match compiled.ty {
                Type::Number(d)
                    if !d.is_none() && d != Dimension::MONEY
                        || d == Dimension::MONEY && given[0] == "cap_without_rate" =>
                {
                    Some((compiled.expr, d, describe(text, facts)))
                }
                Type::Number(d) if d == Dimension::MONEY => {
                    cx.error(
                        &qpath,
                        format!("the quantity `{text}` is already an amount in 元"),
                        Some(
                            "put a money formula in `amount:` instead of `quantity` and `rate`"
                                .to_string(),
                        ),
                    );
                    return None;
                }
                other => {
                    cx.error(
                        &qpath,
                        format!("the quantity `{text}` is {other}, not a quantity with a unit"),
                        Some(
                            "use a fact measured in 亩, 头, 箱 ..., e.g. `quantity: pigs`"
                                .to_string(),
                        ),
                    );
                    return None;
                }
            }
        }
        None => None,
    };
    Some(match given[0] {
        "rate" => {
            let (quantity, dimension, quantity_text) = quantity?;
            let unit = unit_of(&quantity, dimension, facts);
            let rate_text = rule.rate.clone().unwrap_or_default();
            let rate_unit = Dimension::MONEY.divided_by(dimension);
            let rate = cx.formula(
                &format!("{path}.rate"),
                &rate_text,
                facts,
                Type::Number(rate_unit),
            );
            let max_quantity = match &rule.max_quantity {
                Some(text) => {
                    Some(cx.constant(&format!("{path}.max_quantity"), text, facts, dimension)?)
                }
                None => None,
            };
            Measure::PerUnit {
                quantity,
                quantity_text,
                unit,
                max_quantity,
                rate: rate?,
                rate_text,
                cap,
                round_to: rule.round_to,
            }
        }
        "amount" => {
            let amount_text = rule.amount.clone().unwrap_or_default();
            Measure::Formula {
                amount: cx.formula(
                    &format!("{path}.amount"),
                    &amount_text,
                    facts,
                    Type::Number(Dimension::MONEY),
                )?,
                amount_text: describe(&amount_text, facts),
                cap,
                round_to: rule.round_to,
            }
        }
        "cap_without_rate" => {
            let (quantity, dimension, quantity_text) = quantity?;
            let text = rule.cap_without_rate.clone().unwrap_or_default();
            Measure::CapWithoutRate {
                unit: unit_of(&quantity, dimension, facts),
                quantity,
                quantity_text,
                cap: cx.constant(
                    &format!("{path}.cap_without_rate"),
                    &text,
                    facts,
                    Dimension::MONEY,
                )?,
            }
        }
        "loan" => {
            let loan = rule.loan.as_ref()?;
            let max_principal = match &loan.max_principal {
                Some(text) => Some(cx.formula(
                    &format!("{path}.loan.max_principal"),
                    text,
                    facts,
                    Type::Number(Dimension::MONEY),
                )?),
                None => None,
            };
            Measure::Loan {
                max_principal,
                max_principal_text: loan.max_principal.clone(),
                term: loan.term.clone(),
                interest: loan.interest.clone(),
            }
        }
        _ => {
            let reason = rule.not_computed.clone().unwrap_or_default();
            if reason.trim().is_empty() {
                cx.error(
                    &format!("{path}.not_computed"),
                    "say why the measure is not computed",
                    Some("e.g. `not_computed: 文件未规定补助金额`".to_string()),
                );
                return None;
            }
            Measure::NotComputed { reason }
        }
    })
}

fn schedule(
    cx: &mut FileContext<'_>,
    path: &str,
    source: &ScheduleSource,
    measure: Option<&Measure>,
    facts: &FactCatalogue,
    clauses: &[Clause],
    text_name: &str,
) -> Option<Schedule> {
    if let Some(clause) = &source.clause {
        check_clause(cx, &format!("{path}.clause"), clause, clauses, text_name);
    }
    if source.parts.len() < 2 {
        cx.error(
            &format!("{path}.parts"),
            "a schedule needs at least two parts",
            Some("list each tranche or year with its `share` or `rate`".to_string()),
        );
        return None;
    }
    let by_rate = source
        .parts
        .iter()
        .all(|p| p.rate.is_some() && p.share.is_none());
    let by_share = source
        .parts
        .iter()
        .all(|p| p.share.is_some() && p.rate.is_none());
    if !by_rate && !by_share {
        cx.error(
            &format!("{path}.parts"),
            "every part needs either a `share` (60%) or a `rate` (500 元/亩), all of the same kind",
            None,
        );
        return None;
    }
    let mut parts = Vec::with_capacity(source.parts.len());
    if by_share {
        for (i, part) in source.parts.iter().enumerate() {
            let text = part.share.clone().unwrap_or_default();
            let weight = cx.constant(
                &format!("{path}.parts[{i}].share"),
                &text,
                facts,
                Dimension::NONE,
            )?;
            parts.push(SchedulePart {
                label: part.label.clone(),
                weight,
            });
        }
        let sum = checked_sum(parts.iter().map(|p| p.weight));
        if sum != Some(Decimal::ONE) {
            let shown = sum
                .and_then(|s| s.checked_mul(Decimal::ONE_HUNDRED))
                .map_or("far more than 100".to_string(), |s| {
                    s.normalize().to_string()
                });
            cx.error(
                &format!("{path}.parts"),
                format!("the shares add up to {shown}%, not 100%"),
                Some("correct the shares so that the parts add up to the whole".to_string()),
            );
            return None;
        }
    } else {
        let Some(Measure::PerUnit { rate, unit, .. }) = measure else {
            cx.error(
                &format!("{path}.parts"),
                "parts given as a `rate` need a rule with `quantity` and a fixed `rate`",
                Some("use `share: 60%` parts instead".to_string()),
            );
            return None;
        };
        let whole = rate.constant().filter(|r| r.is_exact()).map(|r| r.min);
        let Some(whole) = whole else {
            cx.error(
                &format!("{path}.parts"),
                "parts given as a `rate` need the rule's rate to be a fixed amount",
                None,
            );
            return None;
        };
        let rate_unit = Dimension::parse(&format!("元/{unit}")).unwrap_or(Dimension::MONEY);
        for (i, part) in source.parts.iter().enumerate() {
            let text = part.rate.clone().unwrap_or_default();
            let weight =
                cx.constant(&format!("{path}.parts[{i}].rate"), &text, facts, rate_unit)?;
            parts.push(SchedulePart {
                label: part.label.clone(),
                weight,
            });
        }
        let sum = checked_sum(parts.iter().map(|p| p.weight));
        if sum != Some(whole) {
            let shown = sum.map_or("more than can be counted".to_string(), |s| {
                s.normalize().to_string()
            });
            cx.error(
                &format!("{path}.parts"),
                format!(
                    "the parts add up to {shown} 元/{unit}, but the rule's rate is {} 元/{unit}",
                    whole.normalize()
                ),
                Some(
                    "the parts of a schedule must add up to the whole: correct a part or the rate"
                        .to_string(),
                ),
            );
            return None;
        }
    }
    Some(Schedule {
        kind: match source.kind {
            ScheduleKindSource::Tranches => ScheduleKind::Tranches,
            ScheduleKindSource::Years => ScheduleKind::Years,
        },
        clause: source.clause.clone(),
        parts,
    })
}

fn group(
    cx: &mut FileContext<'_>,
    i: usize,
    source: &GroupSource,
    policy: &PolicySource,
    facts: &FactCatalogue,
    clauses: &[Clause],
    text_name: &str,
) -> Option<Group> {
    let path = format!("groups[{}]", policy.positions.group(i));
    let before = cx.diagnostics.len();
    if !valid_id(&source.id) {
        cx.error(
            &format!("{path}.id"),
            format!("`{}` is not a valid group id", source.id),
            Some("use lower-case letters, digits and `-`".to_string()),
        );
    } else if policy.groups[..i].iter().any(|g| g.id == source.id)
        || policy.rules.iter().any(|r| r.id == source.id)
    {
        cx.error(
            &format!("{path}.id"),
            format!(
                "the id `{}` is already used by another group or rule of this policy",
                source.id
            ),
            Some("give the group its own id".to_string()),
        );
    }
    check_clause(
        cx,
        &format!("{path}.clause"),
        &source.clause,
        clauses,
        text_name,
    );
    let mut members = Vec::with_capacity(source.rules.len());
    for (j, id) in source.rules.iter().enumerate() {
        let member_path = format!("{path}.rules[{j}]");
        match policy.rules.iter().position(|r| &r.id == id) {
            Some(_) if source.rules[..j].contains(id) => cx.error(
                &member_path,
                format!("`{id}` is listed twice in this group"),
                None,
            ),
            Some(index) => members.push(index),
            None if policy.positions.unreadable_rules.contains(id) => {}
            None => cx.error(
                &member_path,
                format!("there is no rule `{id}` in this policy"),
                closest(id, policy.rules.iter().map(|r| r.id.as_str()))
                    .map(|n| format!("did you mean `{n}`?")),
            ),
        }
    }
    if source.choose == ChooseSource::One && source.rules.len() < 2 {
        cx.error(
            &format!("{path}.rules"),
            "`choose: one` needs at least two rules to choose from",
            None,
        );
    }
    if source.choose == ChooseSource::All && source.cap.is_none() && source.schedule.is_none() {
        cx.error(
            &path,
            "this group neither caps, chooses nor schedules anything",
            Some("add `cap:`, `choose: one` or `schedule:`, or remove the group".to_string()),
        );
    }
    let cap = match &source.cap {
        Some(text) => cx.constant(&format!("{path}.cap"), text, facts, Dimension::MONEY),
        None => None,
    };
    let schedule = match &source.schedule {
        Some(s) => schedule(
            cx,
            &format!("{path}.schedule"),
            s,
            None,
            facts,
            clauses,
            text_name,
        ),
        None => None,
    };
    if cx.diagnostics.len() > before {
        return None;
    }
    Some(Group {
        id: source.id.clone(),
        label: source.label.clone(),
        clause: source.clause.clone(),
        rules: members,
        choose_one: source.choose == ChooseSource::One,
        cap,
        schedule,
        notes: source.notes.clone(),
    })
}

/// A formula as people read it: fact ids replaced by their labels
/// (`dairy_goats + meat_sheep` → `奶山羊 + 肉羊（其他羊）`).
pub fn describe(formula: &str, facts: &FactCatalogue) -> String {
    let mut out = String::with_capacity(formula.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match facts.get(word) {
            Some(fact) => out.push_str(&fact.label),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in formula.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The unit to show for a quantity: the fact's own (只 for chickens) when it is one fact,
/// else the unit of the formula.
fn unit_of(quantity: &Expr, dimension: Dimension, facts: &FactCatalogue) -> String {
    let mut used = Vec::new();
    quantity.facts_used(&mut used);
    let units: Vec<Option<&String>> = used
        .iter()
        .map(|&i| facts.facts.get(i).and_then(|f| f.unit.as_ref()))
        .collect();
    match units.first() {
        // dairy_goats + meat_sheep: both 只, so 只 rather than the base unit 头.
        Some(Some(first)) if units.iter().all(|u| u == &Some(*first)) => (*first).clone(),
        _ => dimension.to_string(),
    }
}

/// A sum that says `None` instead of overflowing.
fn checked_sum(values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    let mut values = values;
    values.try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v))
}
