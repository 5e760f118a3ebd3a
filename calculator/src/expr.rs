//! The compiled form of a formula: units checked and erased, fact ids resolved to catalogue
//! indices. This is what the evaluator runs, natively and in the browser.

use crate::amount::{Amount, ArithmeticError};
use crate::fact::{FactValue, Household};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A compiled formula, as [`crate::formula`] produces it. Part of the rules JSON: its shape
/// is the format the browser reads. Arithmetic is on ranges ([`Amount`]); a missing fact
/// makes the result missing rather than zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// A constant with its unit dropped: `300 元/头` is 300, `6%` is 0.06.
    Number(#[serde(with = "rust_decimal::serde::str")] Decimal),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A household fact, by catalogue index.
    Fact(usize),
    /// The year of the date the estimate is made for.
    Year,
    /// `a + b`, bound by bound.
    Add(Box<Expr>, Box<Expr>),
    /// `a - b`; refused when `b` is open above.
    Sub(Box<Expr>, Box<Expr>),
    /// `a * b` (also `×`).
    Mul(Box<Expr>, Box<Expr>),
    /// `a / b` (also `÷`); refused when `b` may be zero.
    Div(Box<Expr>, Box<Expr>),
    /// `-a`.
    Neg(Box<Expr>),
    /// `MIN(a, b, ...)`, at least two arguments in one unit: the smaller bound by bound.
    Min(Vec<Expr>),
    /// `MAX(a, b, ...)`, at least two arguments in one unit: the larger bound by bound.
    Max(Vec<Expr>),
    /// `IF(condition, then, otherwise)`; a missing condition takes `otherwise`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a < b` and the like: true only when it holds for every value of both ranges.
    Compare(Comparison, Box<Expr>, Box<Expr>),
    /// `AND(c, ...)`: stops at the first condition that does not hold; missing counts as no.
    And(Vec<Expr>),
    /// `OR(c, ...)`: stops at the first condition that holds; missing counts as no.
    Or(Vec<Expr>),
    /// `NOT(c)`; a missing condition counts as no, so `NOT` of it holds.
    Not(Box<Expr>),
    /// A discretionary range, 1000元-5000元.
    Between(Box<Expr>, Box<Expr>),
    /// At least this much, open above (不低于).
    AtLeast(Box<Expr>),
    /// Anywhere from zero to this much (补助上限 without a rate).
    UpTo(Box<Expr>),
    /// `ROUND(amount, places)`: both bounds to 0–4 decimal places, half away from zero.
    Round(Box<Expr>, u32),
}

/// The operator of an [`Expr::Compare`], serialised as written in formulas. On numbers it
/// holds only when it holds for every value of both ranges; yes/no values only take `=` and
/// `<>`, any other operator on them is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// `=`: numbers only when both are the same exact value.
    #[serde(rename = "=")]
    Eq,
    /// `<>`: numbers only when the ranges do not touch.
    #[serde(rename = "<>")]
    Ne,
    /// `<`.
    #[serde(rename = "<")]
    Lt,
    /// `<=`.
    #[serde(rename = "<=")]
    Le,
    /// `>`.
    #[serde(rename = ">")]
    Gt,
    /// `>=`.
    #[serde(rename = ">=")]
    Ge,
}

/// A value during evaluation. `Missing` comes from a fact that was not given and has no
/// default (a year): arithmetic on it stays missing, comparisons with it are false.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A number in the formula's unit (checked at compile time, not carried), as a range.
    Number(Amount),
    /// A yes/no.
    Bool(bool),
    /// Depends on a fact that was not given and reads as unknown ([`Absent::Missing`]).
    Missing,
}

impl Value {
    /// True only for `Bool(true)`: a missing condition does not hold. Used for rule
    /// conditions and `IF`.
    pub fn truthy(self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// The number, or exactly 0 for a yes/no or a missing value.
    pub fn amount_or_zero(self) -> Amount {
        match self {
            Value::Number(a) => a,
            _ => Amount::ZERO,
        }
    }
}

/// What a fact the household did not give reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Absent {
    /// A yes/no fact not given: no.
    No,
    /// A quantity not given: none of it.
    Zero,
    /// A year not given: not applicable (comparisons with it are false). Also a quantity that
    /// cannot be zero (household size, `min` above 0): unknown, so the rule asks for it.
    Missing,
}

/// What the evaluator needs besides the formula.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The facts the household gave.
    pub household: &'a Household,
    /// Per catalogue index: what an absent fact reads as.
    pub absent: &'a [Absent],
    /// What `year` in a formula reads: the year of the date the estimate is for.
    pub year: u16,
}

impl Expr {
    /// The formula's value for the household in `scope`. Errors are arithmetic only
    /// (overflow, a divisor that may be zero, an open range where a bound is needed); a
    /// fact not given is not an error but [`Value::Missing`] or its [`Absent`] reading.
    pub fn evaluate(&self, scope: &Scope<'_>) -> Result<Value, ArithmeticError> {
        use Value::{Bool, Missing, Number};
        Ok(match self {
            Expr::Number(n) => Number(Amount::exact(*n)),
            Expr::Bool(b) => Bool(*b),
            Expr::Year => Number(Amount::exact(Decimal::from(scope.year))),
            Expr::Fact(index) => match scope.household.get(*index) {
                Some(FactValue::Number(n)) => Number(Amount::exact(n)),
                Some(FactValue::YesNo(b)) => Bool(b),
                None => match scope.absent.get(*index) {
                    Some(Absent::No) => Bool(false),
                    Some(Absent::Zero) => Number(Amount::ZERO),
                    Some(Absent::Missing) | None => Missing,
                },
            },
            Expr::Add(a, b) => arith(a, b, scope, Amount::checked_add)?,
            Expr::Sub(a, b) => arith(a, b, scope, Amount::checked_sub)?,
            Expr::Mul(a, b) => arith(a, b, scope, Amount::checked_mul)?,
            Expr::Div(a, b) => arith(a, b, scope, Amount::checked_div)?,
            Expr::Neg(a) => match a.evaluate(scope)? {
                Number(x) => Number(Amount::ZERO.checked_sub(x)?),
                other => other,
            },
            Expr::Min(items) => fold(items, scope, Amount::min_of)?,
            Expr::Max(items) => fold(items, scope, Amount::max_of)?,
            Expr::If(cond, then, otherwise) => {
                if cond.evaluate(scope)?.truthy() {
                    then.evaluate(scope)?
                } else {
                    otherwise.evaluate(scope)?
                }
            }
            Expr::Compare(op, a, b) => match (a.evaluate(scope)?, b.evaluate(scope)?) {
                (Number(x), Number(y)) => Bool(compare(*op, x, y)),
                (Bool(x), Bool(y)) => Bool(match op {
                    Comparison::Eq => x == y,
                    Comparison::Ne => x != y,
                    _ => false,
                }),
                _ => Bool(false),
            },
            Expr::And(items) => {
                for item in items {
                    if !boolean(item.evaluate(scope)?) {
                        return Ok(Bool(false));
                    }
                }
                Bool(true)
            }
            Expr::Or(items) => {
                for item in items {
                    if boolean(item.evaluate(scope)?) {
                        return Ok(Bool(true));
                    }
                }
                Bool(false)
            }
            Expr::Not(a) => Bool(!boolean(a.evaluate(scope)?)),
            Expr::Between(a, b) => match (a.evaluate(scope)?, b.evaluate(scope)?) {
                (Number(x), Number(y)) => {
                    let high = y.max.ok_or(ArithmeticError::OpenRange)?;
                    Number(Amount::between(x.min, high))
                }
                _ => Missing,
            },
            Expr::AtLeast(a) => match a.evaluate(scope)? {
                Number(x) => Number(Amount::at_least(x.min)),
                other => other,
            },
            Expr::UpTo(a) => match a.evaluate(scope)? {
                Number(x) => Number(Amount {
                    min: Decimal::ZERO.min(x.min),
                    max: x.max,
                }),
                other => other,
            },
            Expr::Round(a, places) => match a.evaluate(scope)? {
                Number(x) => Number(x.rounded(*places)),
                other => other,
            },
        })
    }

    /// Fact indices this expression reads, for explanations ("the facts it used").
    pub fn facts_used(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Fact(i) => {
                if !out.contains(i) {
                    out.push(*i);
                }
            }
            Expr::Number(_) | Expr::Bool(_) | Expr::Year => {}
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Compare(_, a, b)
            | Expr::Between(a, b) => {
                a.facts_used(out);
                b.facts_used(out);
            }
            Expr::Neg(a) | Expr::Not(a) | Expr::AtLeast(a) | Expr::UpTo(a) | Expr::Round(a, _) => {
                a.facts_used(out)
            }
            Expr::Min(items) | Expr::Max(items) | Expr::And(items) | Expr::Or(items) => {
                items.iter().for_each(|i| i.facts_used(out))
            }
            Expr::If(c, a, b) => {
                c.facts_used(out);
                a.facts_used(out);
                b.facts_used(out);
            }
        }
    }

    /// The value when it does not depend on any fact or date (a constant cap, a rate).
    pub fn constant(&self) -> Option<Amount> {
        let household = Household::default();
        let scope = Scope {
            household: &household,
            absent: &[],
            year: 2000,
        };
        let mut facts = Vec::new();
        self.facts_used(&mut facts);
        if !facts.is_empty() || self.mentions_year() {
            return None;
        }
        match self.evaluate(&scope) {
            Ok(Value::Number(a)) => Some(a),
            _ => None,
        }
    }

    fn mentions_year(&self) -> bool {
        match self {
            Expr::Year => true,
            Expr::Number(_) | Expr::Bool(_) | Expr::Fact(_) => false,
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Compare(_, a, b)
            | Expr::Between(a, b) => a.mentions_year() || b.mentions_year(),
            Expr::Neg(a) | Expr::Not(a) | Expr::AtLeast(a) | Expr::UpTo(a) | Expr::Round(a, _) => {
                a.mentions_year()
            }
            Expr::Min(items) | Expr::Max(items) | Expr::And(items) | Expr::Or(items) => {
                items.iter().any(Expr::mentions_year)
            }
            Expr::If(c, a, b) => c.mentions_year() || a.mentions_year() || b.mentions_year(),
        }
    }
}

fn boolean(value: Value) -> bool {
    match value {
        Value::Bool(b) => b,
        // A yes/no fact that was not given reads as "no".
        Value::Number(a) => !a.is_zero(),
        Value::Missing => false,
    }
}

fn arith(
    a: &Expr,
    b: &Expr,
    scope: &Scope<'_>,
    op: fn(Amount, Amount) -> Result<Amount, ArithmeticError>,
) -> Result<Value, ArithmeticError> {
    Ok(match (a.evaluate(scope)?, b.evaluate(scope)?) {
        (Value::Number(x), Value::Number(y)) => Value::Number(op(x, y)?),
        _ => Value::Missing,
    })
}

fn fold(
    items: &[Expr],
    scope: &Scope<'_>,
    op: fn(Amount, Amount) -> Amount,
) -> Result<Value, ArithmeticError> {
    let mut acc: Option<Amount> = None;
    for item in items {
        match item.evaluate(scope)? {
            Value::Number(x) => acc = Some(acc.map_or(x, |a| op(a, x))),
            _ => return Ok(Value::Missing),
        }
    }
    Ok(acc.map_or(Value::Missing, Value::Number))
}

/// Comparisons hold only when they hold for every value in both ranges (an open upper bound
/// is +∞).
fn compare(op: Comparison, x: Amount, y: Amount) -> bool {
    // Every value of x is below every value of y, and so on.
    let below = |a: Amount, b: Amount, strict: bool| match a.max {
        Some(a_max) if strict => a_max < b.min,
        Some(a_max) => a_max <= b.min,
        None => false,
    };
    match op {
        Comparison::Eq => x.is_exact() && y.is_exact() && x.min == y.min,
        Comparison::Ne => below(x, y, true) || below(y, x, true),
        Comparison::Lt => below(x, y, true),
        Comparison::Le => below(x, y, false),
        Comparison::Gt => below(y, x, true),
        Comparison::Ge => below(y, x, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_with_open_ranges() {
        let d = |v: i64| Decimal::from(v);
        let three = Amount::exact(d(3));
        let from_five = Amount::at_least(d(5));
        assert!(compare(Comparison::Lt, three, from_five));
        assert!(compare(Comparison::Gt, from_five, three));
        assert!(compare(Comparison::Ne, three, from_five));
        assert!(!compare(Comparison::Lt, from_five, three));
        assert!(!compare(Comparison::Eq, from_five, from_five));
        assert!(compare(Comparison::Le, three, three) && compare(Comparison::Ge, three, three));
    }
}
