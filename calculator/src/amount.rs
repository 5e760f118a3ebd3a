//! Money and quantities as exact decimal ranges: every value is a `min` and a `max`, and `max`
//! may be open (no upper bound), as for "不低于注入资金的6%".

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an arithmetic step could not be carried out. Returned, never panicked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArithmeticError {
    /// A result beyond what `Decimal` holds exactly (about 7.9 × 10²⁸); in practice a
    /// quantity typed with far too many digits.
    #[error("the number is too large to compute exactly")]
    Overflow,
    /// A divisor whose range includes zero (`0–5` counts, not only an exact `0`).
    #[error("division by zero")]
    DivisionByZero,
    /// A range open above (不低于) where the result would need an upper bound: subtracted,
    /// divided by, as the high end of `BETWEEN`, or multiplied with a range that may be negative.
    #[error("a range open above cannot be used here (it would have no upper bound on both sides)")]
    OpenRange,
}

/// A closed-below range of exact decimals; `max == None` means open above.
/// Invariant (kept by every constructor and operation): `min <= max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// The least the value can be, in its unit (元 for money, else the quantity's unit).
    #[serde(with = "rust_decimal::serde::str")]
    pub min: Decimal,
    /// The most it can be, never below `min`; `None` when open above (不低于).
    #[serde(with = "optional_decimal")]
    pub max: Option<Decimal>,
}

impl Amount {
    /// Exactly 0 (0–0): an empty total, a measure that pays nothing.
    pub const ZERO: Amount = Amount {
        min: Decimal::ZERO,
        max: Some(Decimal::ZERO),
    };

    /// A single known value.
    pub fn exact(value: Decimal) -> Amount {
        Amount {
            min: value,
            max: Some(value),
        }
    }

    /// A range from `a` to `b`, whichever order they come in.
    pub fn between(a: Decimal, b: Decimal) -> Amount {
        Amount {
            min: a.min(b),
            max: Some(a.max(b)),
        }
    }

    /// At least `min`, open above.
    pub fn at_least(min: Decimal) -> Amount {
        Amount { min, max: None }
    }

    /// True only for exactly 0–0; a range that merely starts at 0 (`UP_TO`) is not zero.
    pub fn is_zero(&self) -> bool {
        self.min.is_zero() && self.max == Some(Decimal::ZERO)
    }

    /// True when the range is a single known value; an open range never is.
    pub fn is_exact(&self) -> bool {
        self.max == Some(self.min)
    }

    /// True when some value in the range is above zero.
    pub fn may_be_positive(&self) -> bool {
        self.max.is_none_or(|m| m > Decimal::ZERO)
    }

    /// The sum, bound by bound; open above when either is.
    pub fn checked_add(self, other: Amount) -> Result<Amount, ArithmeticError> {
        let min = add(self.min, other.min)?;
        let max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(add(a, b)?),
            _ => None,
        };
        Ok(Amount { min, max })
    }

    /// The difference of ranges, `[a, b] − [c, d] = [a − d, b − c]`; refused (`OpenRange`) when
    /// `other` is open above.
    pub fn checked_sub(self, other: Amount) -> Result<Amount, ArithmeticError> {
        // [a, b] - [c, d] = [a - d, b - c]; an open `d` would leave no lower bound.
        let d = other.max.ok_or(ArithmeticError::OpenRange)?;
        let min = sub(self.min, d)?;
        let max = match self.max {
            Some(b) => Some(sub(b, other.min)?),
            None => None,
        };
        Ok(Amount { min, max })
    }

    /// The product of ranges: the span of the four corner products. With an open bound only
    /// for ranges that cannot be negative, and anything times exactly 0 is exactly 0.
    pub fn checked_mul(self, other: Amount) -> Result<Amount, ArithmeticError> {
        match (self.max, other.max) {
            (Some(b), Some(d)) => {
                let products = [
                    mul(self.min, other.min)?,
                    mul(self.min, d)?,
                    mul(b, other.min)?,
                    mul(b, d)?,
                ];
                Ok(hull(&products))
            }
            // With an open bound the product is only defined here for non-negative ranges,
            // which is what money and quantities are.
            _ if self.min >= Decimal::ZERO && other.min >= Decimal::ZERO => {
                let min = mul(self.min, other.min)?;
                let zero_factor = self.is_zero() || other.is_zero();
                Ok(if zero_factor {
                    Amount::ZERO
                } else {
                    Amount { min, max: None }
                })
            }
            _ => Err(ArithmeticError::OpenRange),
        }
    }

    /// The quotient of ranges, as `self` × (1 ÷ `other`); refused when `other` may be zero
    /// (`DivisionByZero`) or is open above (`OpenRange`).
    pub fn checked_div(self, other: Amount) -> Result<Amount, ArithmeticError> {
        let d = other.max.ok_or(ArithmeticError::OpenRange)?;
        if other.min <= Decimal::ZERO && d >= Decimal::ZERO {
            return Err(ArithmeticError::DivisionByZero);
        }
        let inverse = Amount::between(div(Decimal::ONE, other.min)?, div(Decimal::ONE, d)?);
        self.checked_mul(inverse)
    }

    /// The smaller of two ranges, bound by bound.
    pub fn min_of(self, other: Amount) -> Amount {
        Amount {
            min: self.min.min(other.min),
            max: match (self.max, other.max) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (Some(a), None) => Some(a),
                (None, b) => b,
            },
        }
    }

    /// The larger of two ranges, bound by bound.
    pub fn max_of(self, other: Amount) -> Amount {
        Amount {
            min: self.min.max(other.min),
            max: match (self.max, other.max) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            },
        }
    }

    /// Limit the range to at most `limit` (a cap); returns the capped range and whether the
    /// cap cut anything off.
    pub fn capped_at(self, limit: Decimal) -> (Amount, bool) {
        let cut = self.max.is_none_or(|m| m > limit);
        let capped = Amount {
            min: self.min.min(limit),
            max: Some(self.max.map_or(limit, |m| m.min(limit))),
        };
        (capped, cut)
    }

    /// Round both bounds to `places` decimal places, half away from zero (四舍五入).
    pub fn rounded(self, places: u32) -> Amount {
        let round = |d: Decimal| {
            d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        };
        Amount {
            min: round(self.min),
            max: self.max.map(round),
        }
    }

    /// Strip trailing zeros so that "3000.00" and "3000" compare and print alike.
    pub fn normalized(self) -> Amount {
        Amount {
            min: self.min.normalize(),
            max: self.max.map(|m| m.normalize()),
        }
    }
}

/// `Option<Decimal>` as a decimal string or `null`, both ways (rust_decimal's own
/// `str_option` writes `null` but does not read it back).
pub mod optional_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::str::FromStr;

    /// `Some` as its decimal string (`"2000"`, scale kept), `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => serializer.collect_str(d),
            None => serializer.serialize_none(),
        }
    }

    /// A decimal string or `null`; a bare JSON number is refused, so no float ever rounds a
    /// rate or a cap.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            Some(text) => Decimal::from_str(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// The sum, once: rust_decimal's arithmetic is inlined wherever it is called, and every bound
/// of every range operation calls it; one copy each keeps the browser's module small.
#[inline(never)]
pub(crate) fn add(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    a.checked_add(b).ok_or(ArithmeticError::Overflow)
}

/// The difference, once (see [`add`]).
#[inline(never)]
pub(crate) fn sub(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    a.checked_sub(b).ok_or(ArithmeticError::Overflow)
}

#[inline(never)]
pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    a.checked_mul(b).ok_or(ArithmeticError::Overflow)
}

fn div(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    quotient(a, b).ok_or(ArithmeticError::DivisionByZero)
}

/// `a ÷ b`, once for the whole engine (see [`add`]); `None` on division by zero or overflow.
#[inline(never)]
pub(crate) fn quotient(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_div(b)
}

fn hull(values: &[Decimal]) -> Amount {
    let mut min = values[0];
    let mut max = values[0];
    for &v in &values[1..] {
        min = min.min(v);
        max = max.max(v);
    }
    Amount {
        min,
        max: Some(max),
    }
}

impl fmt::Display for Amount {
    /// `3000`, `1000–5000`, `≥ 600`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max == self.min => write!(f, "{}", self.min.normalize()),
            Some(max) => write!(f, "{}–{}", self.min.normalize(), max.normalize()),
            None => write!(f, "≥ {}", self.min.normalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::FromPrimitive;

    fn d(v: i64) -> Decimal {
        Decimal::from_i64(v).unwrap_or_default()
    }

    #[test]
    fn ranges_add_bound_by_bound() {
        let a = Amount::between(d(1000), d(5000));
        let b = Amount::exact(d(300));
        assert_eq!(a.checked_add(b), Ok(Amount::between(d(1300), d(5300))));
        let open = Amount::at_least(d(60));
        assert_eq!(b.checked_add(open), Ok(Amount::at_least(d(360))));
    }

    #[test]
    fn subtraction_of_an_open_range_is_refused() {
        assert_eq!(
            Amount::exact(d(1)).checked_sub(Amount::at_least(d(1))),
            Err(ArithmeticError::OpenRange)
        );
    }

    #[test]
    fn cap_cuts_only_what_exceeds() {
        let (capped, cut) = Amount::between(d(1000), d(5000)).capped_at(d(3000));
        assert_eq!(capped, Amount::between(d(1000), d(3000)));
        assert!(cut);
        let (capped, cut) = Amount::exact(d(800)).capped_at(d(2000));
        assert_eq!(capped, Amount::exact(d(800)));
        assert!(!cut);
        let (capped, cut) = Amount::at_least(d(10)).capped_at(d(20));
        assert_eq!(capped, Amount::between(d(10), d(20)));
        assert!(cut);
    }

    #[test]
    fn multiplication_takes_the_hull() {
        let a = Amount::between(d(-2), d(3));
        let b = Amount::between(d(4), d(5));
        assert_eq!(a.checked_mul(b), Ok(Amount::between(d(-10), d(15))));
        assert_eq!(
            Amount::at_least(d(2)).checked_mul(Amount::exact(d(3))),
            Ok(Amount::at_least(d(6)))
        );
        assert_eq!(
            Amount::at_least(d(2)).checked_mul(Amount::ZERO),
            Ok(Amount::ZERO)
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let huge = Amount::exact(Decimal::MAX);
        assert_eq!(huge.checked_add(huge), Err(ArithmeticError::Overflow));
        assert_eq!(huge.checked_mul(huge), Err(ArithmeticError::Overflow));
        assert_eq!(
            huge.checked_div(Amount::ZERO),
            Err(ArithmeticError::DivisionByZero)
        );
    }

    #[test]
    fn display_reads_like_the_documents() {
        assert_eq!(Amount::exact(d(3000)).to_string(), "3000");
        assert_eq!(Amount::between(d(1000), d(5000)).to_string(), "1000–5000");
        assert_eq!(Amount::at_least(d(600)).to_string(), "≥ 600");
    }
}
