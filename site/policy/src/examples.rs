//! Worked examples: households computed by hand from the text, recomputed by the engine on
//! every check. A disagreement fails the build with expected vs computed and the working.

use crate::diagnostic::Diagnostic;
use crate::load::Document;
use crate::messages::{Arg, Key, Msg};
use crate::source::{AudienceSource, ExampleSource, PeriodKeySource, Scalar};
use crate::yaml::{is_within, YamlIndex};
use calculator::amount::ArithmeticError;
use calculator::estimate::{Estimate, Step};
use calculator::fact::{FactCatalogue, FactError};
use calculator::model::{Audience, Paid, Policy, Rulebook};
use calculator::{evaluate, Amount, Date, Household};
use estimate_view::{explain, text, ClauseLinks};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
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
        problems.push(
            at(
                document,
                index,
                "examples",
                Msg::new(Key::TooFewExamples).arg("count", document.source.examples.len()),
            )
            .hint(Msg::new(Key::HintTooFewExamples)),
        );
    }
    let mut estimates = Vec::with_capacity(document.source.examples.len());
    for (i, example) in document.source.examples.iter().enumerate() {
        estimates.extend(check_one(document, index, &book, i, example, problems));
    }
    estimates
}

fn at(document: &Document, index: &YamlIndex, path: &str, message: Msg) -> Diagnostic {
    Diagnostic::at(&document.file, index.value_span(path), path, message)
}

/// A value an example gives for a fact, refused: in the clerk's words, inside the example.
pub fn fact_error(example: &str, error: &FactError, facts: &FactCatalogue) -> (Msg, Vec<Msg>) {
    let mut hints = Vec::new();
    let problem = match error {
        FactError::Unknown { id, .. } => {
            // By id (`pig` → `pigs`) or by Chinese label (`猪` → `pigs`).
            let near = calculator::formula::closest(id, facts.facts.iter().map(|f| f.id.as_str()))
                .filter(|near| near != id);
            let found = crate::compile::facts_meant(id, near, facts);
            hints.extend(crate::compile::facts_meant_hint(&found));
            hints.push(Msg::new(Key::HintFactsListed));
            Msg::new(Key::UnknownFact).arg("name", id.as_str())
        }
        FactError::TooLarge { .. } => {
            hints.push(Msg::new(Key::HintExampleFactLarge));
            fact_words(error)
        }
        _ => fact_words(error),
    };
    (
        Msg::new(Key::ExampleFact)
            .arg("example", example)
            .arg("problem", problem),
        hints,
    )
}

/// A value a household typed, refused, in the words of the catalogue (for the estimator's
/// refusals at the command line, in the chosen language).
pub fn fact_words(error: &FactError) -> Msg {
    match error {
        FactError::Unknown { id, known } => Msg::new(Key::FactUnknownId)
            .arg("id", id.as_str())
            .arg("known", known.as_str()),
        FactError::Twice { label } => Msg::new(Key::FactTwice).arg("label", label.as_str()),
        FactError::CommaDecimal { label, input } => Msg::new(Key::FactCommaDecimal)
            .arg("label", label.as_str())
            .arg("input", input.as_str()),
        FactError::NotYesNo { label, input } => Msg::new(Key::FactNotYesNo)
            .arg("label", label.as_str())
            .arg("input", input.as_str()),
        FactError::NotANumber { label, input } => Msg::new(Key::FactNotANumber)
            .arg("label", label.as_str())
            .arg("input", input.as_str()),
        FactError::NotWhole { label, input } => Msg::new(Key::FactNotWhole)
            .arg("label", label.as_str())
            .arg("input", input.as_str()),
        FactError::Negative { label } => Msg::new(Key::FactNegative).arg("label", label.as_str()),
        FactError::TooLarge { label, max, unit } => Msg::new(Key::FactTooLarge)
            .arg("label", label.as_str())
            .arg("max", max.as_str())
            .arg("unit", unit.as_str()),
        FactError::TooSmall { label, min, unit } => Msg::new(Key::FactTooSmall)
            .arg("label", label.as_str())
            .arg("min", min.as_str())
            .arg("unit", unit.as_str()),
        FactError::NotAYear { label, input } => Msg::new(Key::FactNotAYear)
            .arg("label", label.as_str())
            .arg("input", input.as_str()),
    }
}

/// An arithmetic step the engine refused, in words.
pub fn arithmetic_words(error: &ArithmeticError) -> Msg {
    Msg::new(match error {
        ArithmeticError::Overflow => Key::ArithOverflow,
        ArithmeticError::DivisionByZero => Key::ArithDivisionByZero,
        ArithmeticError::OpenRange => Key::ArithOpenRange,
    })
}

/// What can be checked of an example without computing it: its date, its facts and its
/// expected amounts. For a policy that is not compiled (a mistake elsewhere in it), so that
/// mistakes in its examples are still reported in the same run.
pub fn check_readable(document: &Document, facts: &FactCatalogue, problems: &mut Vec<Diagnostic>) {
    for (i, example) in document.source.examples.iter().enumerate() {
        let base = format!("examples[{}]", document.source.positions.example(i));
        // What reading left out of an example was reported; the rest of it may rest on it.
        if document
            .source
            .positions
            .damaged
            .iter()
            .any(|d| is_within(d, &base))
        {
            continue;
        }
        let _ = read_example(document, &document.index, facts, &base, example, problems);
    }
}

/// An example's date, household and expected amounts, each problem reported.
/// What an example writes for a loan whose text states no amount (贴息 only).
const NO_PRINCIPAL: &str = "未规定";

struct ReadExample {
    date: Option<Date>,
    household: Household,
    total: Option<Amount>,
    lines: Vec<(String, Option<Amount>)>,
    /// `None`: the loan is offered with no amount stated ([`NO_PRINCIPAL`]).
    loans: Vec<(String, Option<Amount>)>,
    schedule: Vec<(String, Vec<Option<Amount>>)>,
    periods: Vec<(PeriodKeySource, Option<Amount>)>,
}

fn read_example(
    document: &Document,
    index: &YamlIndex,
    facts: &FactCatalogue,
    base: &str,
    example: &ExampleSource,
    problems: &mut Vec<Diagnostic>,
) -> ReadExample {
    let date = match example.date.parse::<Date>() {
        Ok(date) => Some(date),
        Err(error) => {
            let (message, hint) =
                crate::compile::date_problem(&error.input, |day| format!("date: {day}"));
            problems.push(at(document, index, &format!("{base}.date"), message).hint(hint));
            None
        }
    };
    let mut household = Household::new(facts);
    for (id, value) in &example.facts {
        let path = format!("{base}.facts.{id}");
        if let Err(error) = household.set_text(facts, id, &value.0) {
            let (message, hints) = fact_error(&example.name, &error, facts);
            let span = index.key_span(&path, id.len());
            problems.push(
                Diagnostic::at(&document.file, span, &path, message)
                    .hints(hints)
                    .code(error.code()),
            );
        }
    }
    let mut expected = |path: String, text: &Scalar| -> Option<Amount> {
        let parsed = parse_expected(&text.0);
        if parsed.is_none() {
            problems.push(
                Diagnostic::at(
                    &document.file,
                    index.value_span(&path),
                    &path,
                    Msg::new(Key::NotAnAmount).arg("text", text.0.as_str()),
                )
                .hint(Msg::new(Key::HintNotAnAmount)),
            );
        }
        parsed
    };
    let total = expected(format!("{base}.expect.total"), &example.expect.total);
    // Expected amounts per rule, read from `expect.lines` or `expect.loans`.
    let mut per_rule = |key: &str,
                        amounts: &std::collections::BTreeMap<String, Scalar>|
     -> Vec<(String, Option<Amount>)> {
        amounts
            .iter()
            .map(|(rule, text)| {
                (
                    rule.clone(),
                    expected(format!("{base}.expect.{key}.{rule}"), text),
                )
            })
            .collect()
    };
    let lines = per_rule("lines", &example.expect.lines);
    let loans: Vec<(String, Option<Amount>)> = example
        .expect
        .loans
        .iter()
        .map(|(rule, text)| match text.0.trim() {
            NO_PRINCIPAL => (rule.clone(), None),
            _ => (
                rule.clone(),
                expected(format!("{base}.expect.loans.{rule}"), text),
            ),
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
    let periods = example
        .expect
        .periods
        .iter()
        .map(|(key, text)| {
            let path = format!("{base}.expect.periods.{}", key.as_str());
            (*key, expected(path, text))
        })
        .collect();
    ReadExample {
        date,
        household,
        total,
        lines,
        loans,
        schedule,
        periods,
    }
}

/// The estimate's subtotals by the kinds an example can name.
fn period_totals(estimate: &Estimate) -> BTreeMap<PeriodKeySource, Amount> {
    let mut totals = BTreeMap::new();
    for part in &estimate.by_period {
        let key = match part.paid {
            Paid::Once => PeriodKeySource::Once,
            Paid::Yearly { .. } => PeriodKeySource::Yearly,
            Paid::OverYears { .. } => PeriodKeySource::OverYears,
            Paid::Unstated => PeriodKeySource::Unstated,
        };
        let sum: &mut Amount = totals.entry(key).or_insert(Amount::ZERO);
        *sum = sum.checked_add(part.amount).unwrap_or(*sum);
    }
    totals
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
    let ReadExample {
        date,
        household,
        total,
        lines,
        loans,
        schedule,
        periods,
    } = read_example(document, index, &book.facts, &base, example, problems);
    if problems.len() > before {
        return None;
    }
    let date = date?;
    let policy = &book.policies[0];
    if !policy.in_force_on(date) {
        problems.push(
            at(
                document,
                index,
                &format!("{base}.date"),
                Msg::new(Key::ExampleOutsidePeriod)
                    .arg("example", example.name.as_str())
                    .arg("date", date.to_string())
                    .arg("period", crate::messages::period_arg(policy.period)),
            )
            .hint(Msg::new(Key::HintExampleDate)),
        );
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
                Msg::new(Key::ExampleCannotCompute)
                    .arg("example", example.name.as_str())
                    .arg("rule", error.rule.as_str())
                    .arg("problem", arithmetic_words(&error.source)),
            ));
            return None;
        }
    };

    let mut mismatches: Vec<(String, Msg)> = Vec::new();
    let same = |a: &Amount, b: &Amount| a.normalized() == b.normalized();
    if let Some(total) = total {
        if !same(&total, &estimate.total) {
            mismatches.push((
                format!("{base}.expect.total"),
                Msg::new(Key::MismatchTotal)
                    .arg("expected", explain::yuan(&total))
                    .arg("computed", explain::yuan(&estimate.total)),
            ));
        }
    }
    for (rule, amount) in &lines {
        let path = format!("{base}.expect.lines.{rule}");
        let Some(amount) = amount else { continue };
        match estimate.lines.iter().find(|l| &l.rule == rule) {
            Some(line) if !same(amount, &line.amount) => mismatches.push((
                path,
                Msg::new(Key::MismatchLine)
                    .arg("rule", rule.as_str())
                    .arg("expected", explain::yuan(amount))
                    .arg("computed", explain::yuan(&line.amount)),
            )),
            Some(_) => {}
            None => mismatches.push((
                path,
                Msg::new(Key::MismatchLineMissing)
                    .arg("rule", rule.as_str())
                    .arg("expected", explain::yuan(amount)),
            )),
        }
    }
    for line in &estimate.lines {
        if !example.expect.lines.contains_key(&line.rule) {
            mismatches.push((
                format!("{base}.expect.lines"),
                Msg::new(Key::MismatchLineExtra)
                    .arg("rule", line.rule.as_str())
                    .arg("amount", explain::yuan(&line.amount)),
            ));
        }
    }
    for (source, parts) in &schedule {
        let path = format!("{base}.expect.schedule.{source}");
        match estimate.schedule.iter().find(|p| &p.source == source) {
            None => mismatches.push((
                path,
                Msg::new(Key::MismatchScheduleMissing).arg("source", source.as_str()),
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
                        Msg::new(Key::MismatchSchedule)
                            .arg("source", source.as_str())
                            .arg("expected", show(&expected))
                            .arg("computed", show(&computed)),
                    ));
                }
            }
        }
    }
    for (rule, amount) in &loans {
        let path = format!("{base}.expect.loans.{rule}");
        match estimate.loans.iter().find(|l| &l.rule == rule) {
            Some(loan)
                if match (&loan.max_principal, amount) {
                    (Some(p), Some(a)) => same(p, a),
                    (None, None) => true,
                    _ => false,
                } => {}
            Some(loan) => mismatches.push((
                path,
                Msg::new(Key::MismatchLoan)
                    .arg("rule", rule.as_str())
                    .arg(
                        "expected",
                        amount
                            .as_ref()
                            .map_or(Msg::new(Key::PhraseNoAmount).into(), |a| {
                                Arg::Text(explain::yuan(a))
                            }),
                    )
                    .arg(
                        "computed",
                        loan.max_principal
                            .as_ref()
                            .map_or(Msg::new(Key::PhraseNoAmount).into(), |p| {
                                Arg::Text(explain::yuan(p))
                            }),
                    ),
            )),
            None => mismatches.push((
                path,
                Msg::new(Key::MismatchLoanMissing).arg("rule", rule.as_str()),
            )),
        }
    }
    if !periods.is_empty() {
        let computed = period_totals(&estimate);
        let expected: BTreeMap<PeriodKeySource, Amount> = periods
            .iter()
            .filter_map(|(key, amount)| amount.map(|a| (*key, a)))
            .collect();
        let keys: std::collections::BTreeSet<PeriodKeySource> =
            computed.keys().chain(expected.keys()).copied().collect();
        for key in keys {
            let (want, got) = (
                expected.get(&key).copied().unwrap_or(Amount::ZERO),
                computed.get(&key).copied().unwrap_or(Amount::ZERO),
            );
            if !same(&want, &got) {
                mismatches.push((
                    format!("{base}.expect.periods"),
                    Msg::new(Key::MismatchPeriod)
                        .arg("period", key.as_str())
                        .arg("expected", explain::yuan(&want))
                        .arg("computed", explain::yuan(&got)),
                ));
            }
        }
    }
    // A loan offered where the text gives none is as wrong as a line paid where it pays none.
    for loan in &estimate.loans {
        if !example.expect.loans.contains_key(&loan.rule) {
            mismatches.push((
                format!("{base}.expect.loans"),
                Msg::new(Key::MismatchLoanExtra).arg("rule", loan.rule.as_str()),
            ));
        }
    }
    for (group, rule) in &example.expect.chosen {
        let chosen = chosen_in(&estimate, group);
        if chosen.as_deref() != Some(rule.as_str()) {
            mismatches.push((
                format!("{base}.expect.chosen.{group}"),
                Msg::new(Key::MismatchChosen)
                    .arg("group", group.as_str())
                    .arg("expected", rule.as_str())
                    .arg(
                        "chosen",
                        chosen.map_or(Msg::new(Key::PhraseNothing), |c| {
                            Msg::new(Key::PhraseQuoted).arg("text", c)
                        }),
                    ),
            ));
        }
    }
    if let Some((path, _)) = mismatches.first() {
        let details: Vec<Arg> = mismatches.iter().map(|(_, m)| m.clone().into()).collect();
        // A clerk reads this in `portal check`: a clause is cited by its policy and anchor.
        let working = text::render(&estimate, &[], &ClauseLinks::new("{policy}#{clause}"));
        problems.push(
            Diagnostic::at(
                &document.file,
                index.value_span(path),
                path.as_str(),
                Msg::new(Key::ExampleMismatch)
                    .arg("example", example.name.as_str())
                    .arg("details", Arg::Sentences(details)),
            )
            .hint(Msg::new(Key::HintExampleWorking).arg("working", working.trim_end())),
        );
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
