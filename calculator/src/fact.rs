//! Household facts: the shared catalogue of what a household can tell the estimator
//! (`pigs`, `registered_poor`, ...), and reading a value someone typed.

use crate::unit::Dimension;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What kind of value a fact holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// 是/否.
    YesNo,
    /// A whole number of something (head, boxes, persons, households).
    Count,
    /// A decimal quantity (亩, 元).
    Quantity,
    /// A calendar year; absent means "not applicable" (e.g. not exited from poverty).
    Year,
}

/// Which part of the estimator form a fact belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactGroup {
    /// 家庭情况: who the household is (registered poor, 五保, labour, exit year, persons).
    Status,
    /// 种植: areas planted or built, in 亩.
    Planting,
    /// 养殖: animals kept and hives, by head or box.
    Livestock,
    /// 其他: what fits none of the household sections.
    Other,
    /// Facts about an enterprise or collective, for enterprise measures; the household form
    /// never asks them.
    Organisation,
}

/// One entry of the facts catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactDef {
    /// The public id (`pigs`, `cash_crop_mu`) used in formulas, `portal estimate` arguments,
    /// estimator links and the open data; never renamed.
    pub id: String,
    /// The Chinese name households see in the form and in explanations and error messages.
    pub label: String,
    /// Whether the fact is a yes/no, a count, a quantity or a year, which decides how typed
    /// text is read.
    pub kind: FactKind,
    /// The unit as written for people (`亩`, `头`); `None` for yes/no and years.
    pub unit: Option<String>,
    /// The unit as formulas check it (`头`, `只`, `羽` and `匹` are all head); no unit for
    /// yes/no and years.
    pub dimension: Dimension,
    /// The section of the estimator form that asks the fact.
    pub group: FactGroup,
    /// The smallest number accepted for a count or quantity (a household has at least one
    /// person); `None` means only negatives are refused. Above zero, a fact left out is unknown
    /// rather than 0.
    #[serde(with = "crate::amount::optional_decimal")]
    pub min: Option<Decimal>,
    /// The largest number anyone could sensibly type for a count or quantity; larger values
    /// are refused as typos (an extra zero).
    #[serde(with = "crate::amount::optional_decimal")]
    pub max: Option<Decimal>,
    /// A line of help shown under the field (`尚未脱贫的不填`).
    pub help: Option<String>,
}

/// The catalogue: fact definitions in a fixed order, so compiled formulas refer to them by index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FactCatalogue {
    /// Every fact, in catalogue order: a fact's position is its index everywhere else.
    pub facts: Vec<FactDef>,
}

impl FactCatalogue {
    /// The position of the fact with this id, as compiled formulas and [`Household`] use it;
    /// `None` for an id the catalogue does not have.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.facts.iter().position(|f| f.id == id)
    }

    /// The definition of the fact with this id, if the catalogue has it.
    pub fn get(&self, id: &str) -> Option<&FactDef> {
        self.facts.iter().find(|f| f.id == id)
    }
}

/// A value a household gave for a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactValue {
    /// The answer to a yes/no fact (是 is `true`).
    YesNo(bool),
    /// A count, quantity or year, exactly as given (years are whole numbers too).
    Number(Decimal),
}

impl Serialize for FactValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FactValue::YesNo(b) => s.serialize_bool(*b),
            FactValue::Number(n) => s.collect_str(&n.normalize()),
        }
    }
}

/// Why a typed value was refused. Its `Display` is for developers; what a household or a
/// clerk reads is worded from the variant by `estimate_view::explain::fact_error_text` and
/// the policy crate's message catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// A value was given for an id the catalogue does not have.
    #[error("no fact `{id}` (known: {known})")]
    Unknown {
        /// The id as given.
        id: String,
        /// Every id the catalogue has, comma-separated, in catalogue order.
        known: String,
    },
    /// The same fact was given more than once.
    #[error("{label}: given twice")]
    Twice {
        /// The fact's label.
        label: String,
    },
    /// A count or quantity has a comma that is not a thousands separator (`0,5`): a decimal
    /// comma is refused rather than guessed.
    #[error("{label}: `{input}` has a decimal comma")]
    CommaDecimal {
        /// The fact's label.
        label: String,
        /// What was typed, trimmed.
        input: String,
    },
    /// A yes/no fact got something other than a recognised yes or no.
    #[error("{label}: `{input}` is neither yes nor no")]
    NotYesNo {
        /// The fact's label.
        label: String,
        /// What was typed, trimmed.
        input: String,
    },
    /// A count or quantity is not plain digits with at most one decimal point (letters,
    /// exponents such as `1e30`, more than 24 characters).
    #[error("{label}: `{input}` is not a number")]
    NotANumber {
        /// The fact's label.
        label: String,
        /// What was typed, trimmed.
        input: String,
    },
    /// A count (head, persons, boxes) has a fractional part.
    #[error("{label}: `{input}` is not a whole number")]
    NotWhole {
        /// The fact's label.
        label: String,
        /// The number as read, normalised (`2.50` shows as `2.5`), not the raw text.
        input: String,
    },
    /// A count or quantity is below zero.
    #[error("{label}: negative")]
    Negative {
        /// The fact's label.
        label: String,
    },
    /// A count or quantity is above the fact's `max`, most likely a typo.
    #[error("{label}: above the largest value, {max}{unit}")]
    TooLarge {
        /// The fact's label.
        label: String,
        /// The largest value accepted, normalised.
        max: String,
        /// The fact's unit as written (`头`), empty if it has none.
        unit: String,
    },
    /// A count or quantity is below the fact's `min`.
    #[error("{label}: below the smallest value, {min}{unit}")]
    TooSmall {
        /// The fact's label.
        label: String,
        /// The smallest value accepted, normalised.
        min: String,
        /// The fact's unit as written (`人`), empty if it has none.
        unit: String,
    },
    /// A year fact is not four digits between 1950 and 2100.
    #[error("{label}: `{input}` is not a year")]
    NotAYear {
        /// The fact's label.
        label: String,
        /// What was typed, trimmed.
        input: String,
    },
}

impl FactError {
    /// The stable machine code of the problem, for callers that word it themselves (the
    /// policy check, which speaks to clerks in their language, not to households).
    pub fn code(&self) -> &'static str {
        match self {
            FactError::Unknown { .. } => "unknown-fact",
            FactError::Twice { .. } => "fact-twice",
            FactError::CommaDecimal { .. } => "fact-comma-decimal",
            FactError::NotYesNo { .. } => "fact-not-yes-no",
            FactError::NotANumber { .. } => "fact-not-a-number",
            FactError::NotWhole { .. } => "fact-not-whole",
            FactError::Negative { .. } => "fact-negative",
            FactError::TooLarge { .. } => "fact-too-large",
            FactError::TooSmall { .. } => "fact-too-small",
            FactError::NotAYear { .. } => "fact-not-a-year",
        }
    }
}

/// Full-width digits and punctuation typed on a Chinese keyboard become ASCII (`１２．５` → `12.5`).
pub fn fold_full_width(input: &str) -> String {
    input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                let offset = u32::from(c).saturating_sub(u32::from('０'));
                char::from_digit(offset, 10).unwrap_or(c)
            }
            '．' | '。' => '.',
            '－' => '-',
            '＋' => '+',
            '，' => ',',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// `1,000` and `12,345.5` are thousands; any other comma (`0,5`) is refused, never guessed.
fn without_thousands_separators(text: &str) -> Option<String> {
    if !text.contains(',') {
        return Some(text.to_owned());
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let groups: Vec<&str> = whole.trim_start_matches(['-', '+']).split(',').collect();
    let well_formed = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
        && groups.iter().skip(1).all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && fraction.is_none_or(|f| !f.contains(','));
    well_formed.then(|| text.replace(',', ""))
}

impl FactDef {
    /// Read a value as a person typed it. Empty input means "not given" (`Ok(None)`).
    pub fn parse_value(&self, input: &str) -> Result<Option<FactValue>, FactError> {
        let text = fold_full_width(input);
        if text.is_empty() {
            return Ok(None);
        }
        match self.kind {
            // ASCII case only: the words accepted are ASCII or Chinese, and Unicode's case
            // tables would weigh more than the rest of the reader in the browser's module.
            FactKind::YesNo => match text.to_ascii_lowercase().as_str() {
                "是" | "有" | "true" | "yes" | "y" | "1" | "on" => {
                    Ok(Some(FactValue::YesNo(true)))
                }
                "否" | "无" | "没有" | "false" | "no" | "n" | "0" | "off" => {
                    Ok(Some(FactValue::YesNo(false)))
                }
                _ => Err(FactError::NotYesNo {
                    label: self.label.clone(),
                    input: input.trim().to_owned(),
                }),
            },
            FactKind::Year => {
                let year = (text.len() == 4)
                    .then(|| text.parse::<u16>().ok())
                    .flatten()
                    .filter(|y| (1950..=2100).contains(y))
                    .ok_or_else(|| FactError::NotAYear {
                        label: self.label.clone(),
                        input: input.trim().to_owned(),
                    })?;
                Ok(Some(FactValue::Number(Decimal::from(year))))
            }
            FactKind::Count | FactKind::Quantity => {
                let text =
                    without_thousands_separators(&text).ok_or_else(|| FactError::CommaDecimal {
                        label: self.label.clone(),
                        input: input.trim().to_owned(),
                    })?;
                let number = parse_plain_decimal(&text).ok_or_else(|| FactError::NotANumber {
                    label: self.label.clone(),
                    input: input.trim().to_owned(),
                })?;
                self.check_number(number)
                    .map(|n| Some(FactValue::Number(n)))
            }
        }
    }

    /// Check a number against the fact's kind and bounds.
    pub fn check_number(&self, number: Decimal) -> Result<Decimal, FactError> {
        let unit = self.unit.clone().unwrap_or_default();
        if number.is_sign_negative() && !number.is_zero() {
            return Err(FactError::Negative {
                label: self.label.clone(),
            });
        }
        // Whole when no fractional digit is left once trailing zeros go (`fract` would pull a
        // whole subtraction into the browser's module for this one test).
        if self.kind == FactKind::Count && number.normalize().scale() != 0 {
            return Err(FactError::NotWhole {
                label: self.label.clone(),
                input: number.normalize().to_string(),
            });
        }
        if let Some(max) = self.max.filter(|&max| number > max) {
            return Err(FactError::TooLarge {
                label: self.label.clone(),
                max: max.normalize().to_string(),
                unit,
            });
        }
        if let Some(min) = self.min.filter(|&min| number < min) {
            return Err(FactError::TooSmall {
                label: self.label.clone(),
                min: min.normalize().to_string(),
                unit,
            });
        }
        Ok(number)
    }
}

/// Digits with at most one decimal point; no exponents (`1e30` is not a quantity anyone types
/// on purpose) and nothing that could overflow silently.
fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let valid = !unsigned.is_empty()
        && unsigned.chars().all(|c| c.is_ascii_digit() || c == '.')
        && unsigned.matches('.').count() <= 1
        && unsigned.chars().any(|c| c.is_ascii_digit())
        && unsigned.len() <= 24;
    if !valid {
        return None;
    }
    // Read by hand rather than by `Decimal::from_str`, whose scientific notation and rounding
    // of long fractions are never needed here and weigh in the browser's module. At most 24
    // characters, so the digits fit the mantissa and the scale is at most 23.
    let mut mantissa: i128 = 0;
    let mut scale: u32 = 0;
    let mut fraction = false;
    for c in unsigned.chars() {
        match c.to_digit(10) {
            Some(d) => {
                mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(d))?;
                scale = scale.saturating_add(u32::from(fraction));
            }
            None => fraction = true,
        }
    }
    let mut number = Decimal::try_from_i128_with_scale(mantissa, scale).ok()?;
    // As `from_str` has it: -0 is plain 0.
    number.set_sign_negative(text.starts_with('-') && mantissa != 0);
    Some(number)
}

/// The facts of one household, by catalogue index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Household {
    values: Vec<Option<FactValue>>,
}

impl Household {
    /// A household that has given nothing yet, with one empty slot per fact of `catalogue`.
    pub fn new(catalogue: &FactCatalogue) -> Household {
        Household {
            values: vec![None; catalogue.facts.len()],
        }
    }

    /// Set a fact from typed text, by id.
    pub fn set_text(
        &mut self,
        catalogue: &FactCatalogue,
        id: &str,
        input: &str,
    ) -> Result<(), FactError> {
        let index = catalogue.index_of(id).ok_or_else(|| FactError::Unknown {
            id: id.to_owned(),
            known: catalogue
                .facts
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        let value = catalogue.facts[index].parse_value(input)?;
        self.values[index] = value;
        Ok(())
    }

    /// Set or clear (`None`) the fact at a catalogue index, without checking the value against
    /// the fact's kind or bounds; an index outside the household is ignored.
    pub fn set(&mut self, index: usize, value: Option<FactValue>) {
        if let Some(slot) = self.values.get_mut(index) {
            *slot = value;
        }
    }

    /// The value given for the fact at a catalogue index; `None` when it was not given (or the
    /// index is outside the household).
    pub fn get(&self, index: usize) -> Option<FactValue> {
        self.values.get(index).copied().flatten()
    }

    /// The given facts with their ids, in catalogue order.
    pub fn given<'a>(
        &'a self,
        catalogue: &'a FactCatalogue,
    ) -> impl Iterator<Item = (&'a FactDef, FactValue)> + 'a {
        catalogue
            .facts
            .iter()
            .zip(&self.values)
            .filter_map(|(def, v)| v.map(|v| (def, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn plain_decimals_read_exactly_as_rust_decimal_reads_them() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+0",
            "3",
            "-3",
            "+3",
            "0.5",
            "-0.50",
            "3.",
            ".5",
            "007",
            "12.3400",
            "99999999999999999999999",
            "0.00000000000000000000001",
            "1.2345678901234567890123",
        ]
        .map(String::from)
        .to_vec();
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let texts = "[+-]?[0-9]{0,14}(\\.[0-9]{0,12})?";
        for _ in 0..5000 {
            cases.push(texts.new_tree(&mut runner).unwrap().current());
        }
        for text in &cases {
            let ours = parse_plain_decimal(text);
            if text.len() > 24 || !text.chars().any(|c| c.is_ascii_digit()) {
                continue; // refused before reading, as before
            }
            let theirs = Decimal::from_str(text).ok();
            assert_eq!(ours, theirs, "{text}");
            // The same representation, not only the same value: scale and sign are shown.
            assert_eq!(
                ours.map(|d| (d.to_string(), d.is_sign_negative())),
                theirs.map(|d| (d.to_string(), d.is_sign_negative())),
                "{text}"
            );
        }
        for refused in [
            "",
            "-",
            ".",
            "1e3",
            "1.2.3",
            "0x10",
            "1 000",
            "123456789012345678901234567",
        ] {
            assert_eq!(parse_plain_decimal(refused), None, "{refused}");
        }
    }

    fn pigs() -> FactDef {
        FactDef {
            id: "pigs".into(),
            label: "猪".into(),
            kind: FactKind::Count,
            unit: Some("头".into()),
            dimension: Dimension::parse("头").unwrap_or_default(),
            group: FactGroup::Livestock,
            min: None,
            max: Some(Decimal::from(100_000)),
            help: None,
        }
    }

    #[test]
    fn full_width_digits_are_accepted() {
        assert_eq!(
            pigs().parse_value("１２"),
            Ok(Some(FactValue::Number(Decimal::from(12))))
        );
        assert_eq!(pigs().parse_value("  "), Ok(None));
    }

    #[test]
    fn commas_are_thousands_or_refused() {
        let def = FactDef {
            kind: FactKind::Quantity,
            ..pigs()
        };
        assert_eq!(
            def.parse_value("1,000"),
            Ok(Some(FactValue::Number(Decimal::from(1000))))
        );
        assert_eq!(
            def.parse_value("１，０００"),
            Ok(Some(FactValue::Number(Decimal::from(1000))))
        );
        for bad in ["0,5", "1,5", "1,00", "12,3456", ",100"] {
            assert!(
                matches!(def.parse_value(bad), Err(FactError::CommaDecimal { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_numbers_get_a_reason() {
        let def = pigs();
        assert!(matches!(
            def.parse_value("-3"),
            Err(FactError::Negative { .. })
        ));
        assert!(matches!(
            def.parse_value("2.5"),
            Err(FactError::NotWhole { .. })
        ));
        assert!(matches!(
            def.parse_value("1e30"),
            Err(FactError::NotANumber { .. })
        ));
        assert!(matches!(
            def.parse_value("abc"),
            Err(FactError::NotANumber { .. })
        ));
        assert!(matches!(
            def.parse_value("999999999999999999999999"),
            Err(FactError::TooLarge { .. })
        ));
        assert!(matches!(
            def.parse_value("99999999999999999999999999999999"),
            Err(FactError::NotANumber { .. })
        ));
    }
}
