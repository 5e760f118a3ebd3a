//! Properties of the engine over random households, on the real rules of every county and on
//! the test fixture: the total is the sum of its lines (and of its subtotals by period), every
//! range has min ≤ max, no cap is ever exceeded, a one-of group pays one item, schedules add up to what they schedule, and
//! having more of an item never lowers the estimate (every measure in the content is monotone).

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calculator::estimate::Estimate;
use calculator::fact::{FactKind, FactValue};
use calculator::model::{Audience, Measure, Rulebook};
use calculator::{evaluate, Amount, Date, Household};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::sync::OnceLock;

fn rulebooks() -> &'static Vec<Rulebook> {
    static BOOKS: OnceLock<Vec<Rulebook>> = OnceLock::new();
    BOOKS.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut books = Vec::new();
        for root in [manifest.join("../.."), manifest.join("tests/fixtures/base")] {
            let project = policy::load(&root).unwrap_or_else(|d| panic!("{}", d.render()));
            books.extend(
                project
                    .rulebooks
                    .into_values()
                    .filter(|b| !b.policies.is_empty()),
            );
        }
        books
    })
}

/// A random value (or none) for every fact of the catalogue, within its bounds.
fn household_values(book: &Rulebook) -> Vec<BoxedStrategy<Option<FactValue>>> {
    book.facts
        .facts
        .iter()
        .map(|fact| {
            let max = fact.max.unwrap_or(Decimal::from(1000));
            let max_cents = (max * Decimal::ONE_HUNDRED)
                .try_into()
                .unwrap_or(100_000u64);
            let value: BoxedStrategy<FactValue> = match fact.kind {
                FactKind::YesNo => any::<bool>().prop_map(FactValue::YesNo).boxed(),
                FactKind::Year => (2010u16..=2022)
                    .prop_map(|y| FactValue::Number(Decimal::from(y)))
                    .boxed(),
                FactKind::Count => {
                    let max_whole = max_cents / 100;
                    // Mostly small herds, sometimes anything up to the bound.
                    prop_oneof![4 => 0..=max_whole.min(30), 1 => 0..=max_whole]
                        .prop_map(|n| FactValue::Number(Decimal::from(n)))
                        .boxed()
                }
                FactKind::Quantity => {
                    prop_oneof![4 => 0..=max_cents.min(2_000), 1 => 0..=max_cents]
                        .prop_map(|c| {
                            FactValue::Number(Decimal::new(i64::try_from(c).unwrap_or(0), 2))
                        })
                        .boxed()
                }
            };
            prop_oneof![1 => Just(None), 2 => value.prop_map(Some)].boxed()
        })
        .collect()
}

fn case() -> impl Strategy<Value = (usize, Vec<Option<FactValue>>, Date, Audience, usize, u32)> {
    (0..rulebooks().len()).prop_flat_map(|b| {
        let book = &rulebooks()[b];
        (
            Just(b),
            household_values(book),
            (2016u16..=2021, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap()),
            prop_oneof![4 => Just(Audience::Household), 1 => Just(Audience::Enterprise), 1 => Just(Audience::Collective)],
            0..book.facts.facts.len(),
            1u32..50,
        )
    })
}

fn household(book: &Rulebook, values: &[Option<FactValue>]) -> Household {
    let mut household = Household::new(&book.facts);
    for (i, v) in values.iter().enumerate() {
        household.set(i, *v);
    }
    household
}

fn le(a: Option<Decimal>, b: Option<Decimal>) -> bool {
    match (a, b) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => x <= y,
    }
}

fn well_formed(a: &Amount) -> bool {
    le(Some(a.min), a.max)
}

fn sum(amounts: impl Iterator<Item = Amount>) -> Amount {
    amounts
        .fold(Amount::ZERO, |acc, a| acc.checked_add(a).unwrap())
        .normalized()
}

fn check_invariants(book: &Rulebook, e: &Estimate) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        sum(e.lines.iter().map(|l| l.amount)),
        e.total.normalized(),
        "total is not the sum of lines"
    );
    prop_assert!(well_formed(&e.total), "total {:?}", e.total);
    // The subtotals by period split the total: together they are the total, each kind once,
    // and each is the sum of exactly the lines paid that way.
    prop_assert_eq!(
        sum(e.by_period.iter().map(|p| p.amount)),
        e.total.normalized(),
        "the subtotals by period do not add up to the total"
    );
    for period in &e.by_period {
        prop_assert_eq!(
            sum(e
                .lines
                .iter()
                .filter(|l| l.paid == period.paid)
                .map(|l| l.amount)),
            period.amount.normalized(),
            "subtotal {:?}",
            period.paid
        );
        prop_assert_eq!(
            e.by_period.iter().filter(|p| p.paid == period.paid).count(),
            1
        );
    }
    for line in &e.lines {
        prop_assert!(well_formed(&line.amount), "{} {:?}", line.rule, line.amount);
        prop_assert!(
            line.amount.min >= Decimal::ZERO,
            "{} is negative",
            line.rule
        );
        let policy = book.policies.iter().find(|p| p.id == line.policy).unwrap();
        let rule = policy.rules.iter().find(|r| r.id == line.rule).unwrap();
        let cap = match &rule.measure {
            Measure::PerUnit { cap, .. } | Measure::Formula { cap, .. } => *cap,
            Measure::CapWithoutRate { cap, .. } => Some(*cap),
            _ => None,
        };
        if let Some(cap) = cap {
            prop_assert!(
                le(line.amount.max, Some(cap)),
                "{} exceeds its cap {}: {:?}",
                line.rule,
                cap,
                line.amount
            );
        }
    }
    for policy in book
        .policies
        .iter()
        .filter(|p| e.policies.iter().any(|u| u.id == p.id && u.in_force))
    {
        for group in &policy.groups {
            let members: Vec<&calculator::estimate::Line> = e
                .lines
                .iter()
                .filter(|l| {
                    l.policy == policy.id
                        && group.rules.iter().any(|&i| policy.rules[i].id == l.rule)
                })
                .collect();
            if group.choose_one {
                prop_assert!(
                    members.len() <= 1,
                    "one-of group {} pays {} items",
                    group.id,
                    members.len()
                );
            }
            if let Some(cap) = group.cap {
                let total = sum(members.iter().map(|l| l.amount));
                prop_assert!(
                    le(total.max, Some(cap)) && total.min <= cap,
                    "group {} exceeds {}: {:?}",
                    group.id,
                    cap,
                    total
                );
            }
        }
    }
    for plan in &e.schedule {
        prop_assert_eq!(
            sum(plan.parts.iter().map(|p| p.amount)),
            plan.total.normalized(),
            "schedule {} does not add up",
            plan.source
        );
        prop_assert!(plan.parts.iter().all(|p| well_formed(&p.amount)));
    }
    for loan in &e.loans {
        prop_assert!(loan.max_principal.as_ref().is_none_or(well_formed));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn estimates_keep_their_invariants((b, values, date, audience, _, _) in case()) {
        let book = &rulebooks()[b];
        let estimate = evaluate(book, &household(book, &values), date, audience);
        prop_assert!(estimate.is_ok(), "{:?}", estimate.err());
        check_invariants(book, &estimate.unwrap())?;
    }

    #[test]
    fn more_of_an_item_never_pays_less((b, values, date, audience, fact, extra) in case()) {
        let book = &rulebooks()[b];
        let def = &book.facts.facts[fact];
        prop_assume!(matches!(def.kind, FactKind::Count | FactKind::Quantity));
        let before = evaluate(book, &household(book, &values), date, audience).unwrap();
        let mut more = values.clone();
        let current = match values[fact] { Some(FactValue::Number(n)) => n, _ => Decimal::ZERO };
        let raised = (current + Decimal::from(extra)).min(def.max.unwrap_or(Decimal::MAX));
        more[fact] = Some(FactValue::Number(raised));
        let after = evaluate(book, &household(book, &more), date, audience).unwrap();
        prop_assert!(after.total.min >= before.total.min && le(before.total.max, after.total.max),
            "{} in {}: {} → {} lowered the total {:?} → {:?}", def.id, book.county.code, current, raised, before.total, after.total);
    }
}
