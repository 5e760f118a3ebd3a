//! Units of measure, so that a formula cannot add 亩 to 头 or pay 元/亩 for a head of cattle.
//! Units are checked when a formula is compiled and erased afterwards: the evaluator only sees
//! numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The base units a rule can speak of. Animals share one base (头, 只, 羽, 匹 all count head),
/// since the documents cap "存栏牛、马、骡、驴" together.
const BASES: [(&str, &[&str]); 7] = [
    ("元", &["元"]),
    ("亩", &["亩"]),
    ("头", &["头", "只", "羽", "匹"]),
    ("箱", &["箱"]),
    ("人", &["人"]),
    ("户", &["户"]),
    ("个", &["个"]),
];

/// A unit as powers of the base units: 元/亩 is money¹·area⁻¹. The empty dimension is a pure
/// number (a count of years, a percentage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Dimension(pub(crate) [i8; 7]);

impl Dimension {
    /// No unit: a pure number such as a share (`60%`), a year or a count of years.
    pub const NONE: Dimension = Dimension([0; 7]);
    /// 元: the unit of every amount, cap and payment.
    pub const MONEY: Dimension = Dimension([1, 0, 0, 0, 0, 0, 0]);

    /// The base unit a written unit word stands for (`羽` → the head base), if it is one.
    pub fn of_word(word: &str) -> Option<Dimension> {
        BASES.iter().enumerate().find_map(|(i, (_, words))| {
            words.contains(&word).then(|| {
                let mut exps = [0; 7];
                exps[i] = 1;
                Dimension(exps)
            })
        })
    }

    /// Parse a whole unit such as `元/亩` or `元`; `None` when a word is not a known unit.
    pub fn parse(text: &str) -> Option<Dimension> {
        let mut parts = text.split('/').map(str::trim);
        let mut dim = Dimension::of_word(parts.next()?)?;
        for part in parts {
            dim = dim.divided_by(Dimension::of_word(part)?);
        }
        Some(dim)
    }

    /// Every unit word the formula language knows, for error hints and the lexer.
    pub fn words() -> impl Iterator<Item = &'static str> {
        BASES.iter().flat_map(|(_, words)| words.iter().copied())
    }

    /// The unit of a product: exponents add (元/亩 × 亩 = 元).
    pub fn times(self, other: Dimension) -> Dimension {
        let mut exps = self.0;
        for (e, o) in exps.iter_mut().zip(other.0) {
            *e = e.saturating_add(o);
        }
        Dimension(exps)
    }

    /// The unit of a quotient: exponents subtract (元 ÷ 亩 = 元/亩).
    pub fn divided_by(self, other: Dimension) -> Dimension {
        let mut exps = self.0;
        for (e, o) in exps.iter_mut().zip(other.0) {
            *e = e.saturating_sub(o);
        }
        Dimension(exps)
    }

    /// True for a pure number, with no unit at all ([`Dimension::NONE`]).
    pub fn is_none(self) -> bool {
        self == Dimension::NONE
    }
}

impl fmt::Display for Dimension {
    /// `元/亩`, `元`, `亩·头`; a pure number prints as `(无单位)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |i: usize, e: i8| {
            let base = BASES[i].0;
            if e.abs() == 1 {
                base.to_string()
            } else {
                format!("{base}^{}", e.abs())
            }
        };
        let up: Vec<String> = (0..7)
            .filter(|&i| self.0[i] > 0)
            .map(|i| name(i, self.0[i]))
            .collect();
        let down: Vec<String> = (0..7)
            .filter(|&i| self.0[i] < 0)
            .map(|i| name(i, self.0[i]))
            .collect();
        match (up.is_empty(), down.is_empty()) {
            (true, true) => write!(f, "(无单位)"),
            (false, true) => write!(f, "{}", up.join("·")),
            (true, false) => write!(f, "1/{}", down.join("·")),
            (false, false) => write!(f, "{}/{}", up.join("·"), down.join("·")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_cancel_against_quantities() {
        let rate = Dimension::parse("元/亩");
        let area = Dimension::parse("亩");
        assert_eq!(
            rate.zip(area).map(|(r, a)| r.times(a)),
            Some(Dimension::MONEY)
        );
        assert_eq!(Dimension::parse("元/羽"), Dimension::parse("元/头"));
        assert_eq!(Dimension::parse("元/公斤"), None);
        assert_eq!(
            Dimension::parse("元/亩").map(|d| d.to_string()),
            Some("元/亩".into())
        );
    }
}
