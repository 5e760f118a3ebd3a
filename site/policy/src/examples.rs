//! Worked examples: households computed by hand from the text, recomputed by the engine on
//! every check. A disagreement fails the build with expected vs computed and the working.

use crate::diagnostic::Diagnostic;
use crate::explain;
use crate::load::Document;
use crate::source::{AudienceSource, ExampleSource, Scalar};
use crate::yaml::YamlIndex;
use calculator::estimate::{Estimate, Step};
use calculator::model::{Audience, Policy, Rulebook};
use calculator::{evaluate, Amount, Date, Household};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Read an expected amount: `3000`, `1000-5000`, `1000~5000`, `≥600` or `>=600`.
pub fn parse_expected(text: &str) -> Option<Amount> {
    let text = text.trim().replace([' ', '元'], "");
    let number = |s: &str| Decimal::from_str(s.trim()).ok();
    if let Some(rest) = text.strip_prefix('≥').or_else(|| text.strip_prefix(">=")) {
        return number(rest).map(Amount::at_least);
    }
    for separator in ['–', '~', '-'] {
        if let Some((low, high)) = text.split_once(separator) {
            if !low.is_empty() {
                let (low, high) = (number(low)?, number(high)?);
                return (low <= high).then(|| Amount::between(low, high));
            }
        }
    }
    number(&text).map(Amount::exact)
}

/// Check every example of a policy; returns what the engine computed for each, in order
/// (complete only when no problem was found).
pub fn check(
    document: &Document,
    policy: &Policy,
    county: &Rulebook,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Estimate> {
    let index = &document.index;
    let book = county.with_only(policy);
    // Measures the estimator computes for households need worked examples; a measure listed
    // as not computed has nothing to work out.
    let has_household_rules = policy.rules.iter().any(|r| {
        r.audience == Audience::Household
            && !matches!(r.measure, calculator::model::Measure::NotComputed { .. })
    });
    if has_household_rules && document.source.examples.len() < 3 {
        problems.push(at(document, index, "examples", format!(
            "a policy with household measures needs at least three worked examples; this one has {}", document.source.examples.len()),
            Some("add households worked out by hand from the text, covering its caps, choices, ranges and schedules".to_string())));
    }
    let mut estimates = Vec::with_capacity(document.source.examples.len());
    for (i, example) in document.source.examples.iter().enumerate() {
        estimates.extend(check_one(document, index, &book, i, example, problems));
    }
    estimates
}

fn at(
    document: &Document,
    index: &YamlIndex,
    path: &str,
    message: String,
    hint: Option<String>,
) -> Diagnostic {
    Diagnostic::at(&document.file, index.value_span(path), path, message, hint)
}

fn check_one(
    document: &Document,
    index: &YamlIndex,
    book: &Rulebook,
    i: usize,
    example: &ExampleSource,
    problems: &mut Vec<Diagnostic>,
) -> Option<Estimate> {
    let base = format!("examples[{}]", document.source.positions.example(i));
    let before = problems.len();
    if book.policies.is_empty() {
        return None;
    }
    let date = match example.date.parse::<Date>() {
        Ok(date) => Some(date),
        Err(error) => {
            problems.push(at(
                document,
                index,
                &format!("{base}.date"),
                error.to_string(),
                None,
            ));
            None
        }
    };
    let mut household = Household::new(&book.facts);
    for (id, value) in &example.facts {
        let path = format!("{base}.facts.{id}");
        if let Err(error) = household.set_text(&book.facts, id, &value.0) {
            let hint =
                calculator::formula::closest(id, book.facts.facts.iter().map(|f| f.id.as_str()))
                    .filter(|near| near != id)
                    .map(|near| format!("did you mean `{near}`?"));
            let span = index.key_span(&path, id.len());
            problems.push(Diagnostic::at(
                &document.file,
                span,
                &path,
                format!("example “{}”: {error}", example.name),
                hint,
            ));
        }
    }
    let mut expected = |path: String, text: &Scalar| -> Option<Amount> {
        let parsed = parse_expected(&text.0);
        if parsed.is_none() {
            problems.push(Diagnostic::at(
                &document.file,
                index.value_span(&path),
                &path,
                format!("`{}` is not an amount", text.0),
                Some("write 3000, a range 1000-5000, or ≥600 for at least 600".to_string()),
            ));
        }
        parsed
    };
    let total = expected(format!("{base}.expect.total"), &example.expect.total);
    let lines: Vec<(String, Option<Amount>)> = example
        .expect
        .lines
        .iter()
        .map(|(rule, text)| {
            (
                rule.clone(),
                expected(format!("{base}.expect.lines.{rule}"), text),
            )
        })
        .collect();
    let loans: Vec<(String, Option<Amount>)> = example
        .expect
        .loans
        .iter()
        .map(|(rule, text)| {
            (
                rule.clone(),
                expected(format!("{base}.expect.loans.{rule}"), text),
            )
        })
        .collect();
    let schedule: Vec<(String, Vec<Option<Amount>>)> = example
        .expect
        .schedule
        .iter()
        .map(|(source, parts)| {
            (
                source.clone(),
                parts
                    .iter()
                    .enumerate()
                    .map(|(j, text)| {
                        expected(format!("{base}.expect.schedule.{source}[{j}]"), text)
                    })
                    .collect(),
            )
        })
        .collect();
    if problems.len() > before {
        return None;
    }
    let date = date?;
    let policy = &book.policies[0];
    if !policy.in_force_on(date) {
        problems.push(at(
            document,
            index,
            &format!("{base}.date"),
            format!(
                "example “{}” is dated {date}, outside the policy's period {}",
                example.name, policy.period
            ),
            Some("date the example within validity.from and validity.to".to_string()),
        ));
        return None;
    }
    let audience = match example.audience {
        AudienceSource::Household => Audience::Household,
        AudienceSource::Enterprise => Audience::Enterprise,
        AudienceSource::Collective => Audience::Collective,
    };
    let estimate = match evaluate(book, &household, date, audience) {
        Ok(estimate) => estimate,
        Err(error) => {
            problems.push(at(
                document,
                index,
                &base,
                format!("example “{}” cannot be computed: {error}", example.name),
                None,
            ));
            return None;
        }
    };

    let mut mismatches: Vec<(String, String)> = Vec::new();
    let same = |a: &Amount, b: &Amount| a.normalized() == b.normalized();
    if let Some(total) = total {
        if !same(&total, &estimate.total) {
            mismatches.push((
                format!("{base}.expect.total"),
                format!(
                    "total: expected {}, computed {}",
                    explain::yuan(&total),
                    explain::yuan(&estimate.total)
                ),
            ));
        }
    }
    for (rule, amount) in &lines {
        let path = format!("{base}.expect.lines.{rule}");
        let Some(amount) = amount else { continue };
        match estimate.lines.iter().find(|l| &l.rule == rule) {
            Some(line) if !same(amount, &line.amount) => mismatches.push((
                path,
                format!(
                    "line `{rule}`: expected {}, computed {}",
                    explain::yuan(amount),
                    explain::yuan(&line.amount)
                ),
            )),
            Some(_) => {}
            None => mismatches.push((
                path,
                format!(
                    "line `{rule}`: expected {}, but the engine pays nothing for it",
                    explain::yuan(amount)
                ),
            )),
        }
    }
    for line in &estimate.lines {
        if !example.expect.lines.contains_key(&line.rule) {
            mismatches.push((
                format!("{base}.expect.lines"),
                format!(
                    "the engine pays `{}` ({}), which the example does not list",
                    line.rule,
                    explain::yuan(&line.amount)
                ),
            ));
        }
    }
    for (source, parts) in &schedule {
        let path = format!("{base}.expect.schedule.{source}");
        match estimate.schedule.iter().find(|p| &p.source == source) {
            None => mismatches.push((
                path,
                format!(
                    "schedule `{source}`: expected one, but the engine schedules nothing for it"
                ),
            )),
            Some(plan) => {
                let computed: Vec<Amount> = plan.parts.iter().map(|p| p.amount).collect();
                let expected: Vec<Amount> = parts.iter().flatten().copied().collect();
                if computed.len() != expected.len()
                    || computed.iter().zip(&expected).any(|(a, b)| !same(a, b))
                {
                    let show =
                        |v: &[Amount]| v.iter().map(explain::yuan).collect::<Vec<_>>().join(", ");
                    mismatches.push((
                        path,
                        format!(
                            "schedule `{source}`: expected [{}], computed [{}]",
                            show(&expected),
                            show(&computed)
                        ),
                    ));
                }
            }
        }
    }
    for (rule, amount) in &loans {
        let path = format!("{base}.expect.loans.{rule}");
        let Some(amount) = amount else { continue };
        match estimate.loans.iter().find(|l| &l.rule == rule) {
            Some(loan) if loan.max_principal.is_some_and(|p| same(&p, amount)) => {}
            Some(loan) => mismatches.push((
                path,
                format!(
                    "loan `{rule}`: expected at most {}, computed {}",
                    explain::yuan(amount),
                    loan.max_principal
                        .as_ref()
                        .map_or("no amount".to_string(), explain::yuan)
                ),
            )),
            None => mismatches.push((
                path,
                format!("loan `{rule}`: expected, but the household does not qualify for it"),
            )),
        }
    }
    for (group, rule) in &example.expect.chosen {
        let chosen = chosen_in(&estimate, group);
        if chosen.as_deref() != Some(rule.as_str()) {
            mismatches.push((
                format!("{base}.expect.chosen.{group}"),
                format!(
                    "group `{group}`: expected `{rule}` to be chosen, the engine chose {}",
                    chosen.map_or("nothing".to_string(), |c| format!("`{c}`"))
                ),
            ));
        }
    }
    if let Some((path, _)) = mismatches.first() {
        let summary: Vec<String> = mismatches.iter().map(|(_, m)| m.clone()).collect();
        let working = explain::render(&estimate);
        problems.push(Diagnostic::at(
            &document.file,
            index.value_span(path),
            path.as_str(),
            format!("example “{}” does not match the rules: {}", example.name, summary.join("; ")),
            Some(format!("either the rules or the hand calculation is wrong. What the engine computed:\n{working}")),
        ));
    }
    Some(estimate)
}

fn chosen_in(estimate: &Estimate, group: &str) -> Option<String> {
    estimate.lines.iter().find_map(|line| {
        line.steps.iter().find_map(|s| match s {
            Step::Chosen { group: g, .. } if g == group => Some(line.rule.clone()),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_amounts_read_like_the_text() {
        let d = |v: i64| Decimal::from(v);
        assert_eq!(parse_expected("3000"), Some(Amount::exact(d(3000))));
        assert_eq!(
            parse_expected("1000-5000"),
            Some(Amount::between(d(1000), d(5000)))
        );
        assert_eq!(
            parse_expected("1000 ~ 5000 元"),
            Some(Amount::between(d(1000), d(5000)))
        );
        assert_eq!(parse_expected("≥600"), Some(Amount::at_least(d(600))));
        assert_eq!(parse_expected("5000-1000"), None);
        assert_eq!(parse_expected("abc"), None);
    }
}
