//! Amounts in Chinese capital numerals (大写金额), as on a bank slip: 3000 → 人民币叁仟元整.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];
const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];

/// The amount in 大写, rounded to the fen; `None` when it is too large to write (≥ 10¹⁶ 元).
pub fn yuan_in_words(amount: Decimal) -> Option<String> {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let fen_total = rounded.abs().checked_mul(Decimal::ONE_HUNDRED)?.to_u128()?;
    let yuan = fen_total / 100;
    if yuan >= 10_u128.pow(16) {
        return None;
    }
    let jiao = (fen_total / 10 % 10) as usize;
    let fen = (fen_total % 10) as usize;

    let mut out = String::from("人民币");
    if negative {
        out.push('负');
    }
    // Groups of four digits from the right: 个, 万, 亿, 万亿.
    let mut groups = [0_usize; 4];
    let mut rest = yuan;
    for group in &mut groups {
        *group = usize::try_from(rest % 10_000).unwrap_or(0);
        rest /= 10_000;
    }
    let mut integer = String::new();
    let mut need_zero = false;
    for group_index in (0..4).rev() {
        let group = groups[group_index];
        if group == 0 {
            need_zero |= !integer.is_empty();
            continue;
        }
        let digits = [group / 1000, group / 100 % 10, group / 10 % 10, group % 10];
        for (place, &digit) in digits.iter().enumerate() {
            if digit == 0 {
                need_zero |= !integer.is_empty();
                continue;
            }
            if need_zero {
                integer.push('零');
                need_zero = false;
            }
            integer.push(DIGITS[digit]);
            integer.push_str(PLACES[place]);
        }
        integer.push_str(GROUPS[group_index]);
    }
    match (integer.is_empty(), jiao, fen) {
        (true, 0, 0) => out.push_str("零元整"),
        (_, 0, 0) => {
            out.push_str(&integer);
            out.push_str("元整");
        }
        _ => {
            if !integer.is_empty() {
                out.push_str(&integer);
                out.push('元');
            }
            if jiao > 0 {
                out.push(DIGITS[jiao]);
                out.push('角');
            } else if !integer.is_empty() {
                out.push('零');
            }
            if fen > 0 {
                out.push(DIGITS[fen]);
                out.push('分');
            } else {
                out.push('整');
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn writes_amounts_as_on_a_bank_slip() {
        for (amount, words) in [
            ("3000", "人民币叁仟元整"),
            ("1005", "人民币壹仟零伍元整"),
            ("10500", "人民币壹万零伍佰元整"),
            ("100000", "人民币壹拾万元整"),
            ("1000000", "人民币壹佰万元整"),
            ("20000000", "人民币贰仟万元整"),
            ("100010000", "人民币壹亿零壹万元整"),
            ("1500.5", "人民币壹仟伍佰元伍角整"),
            ("1500.05", "人民币壹仟伍佰元零伍分"),
            ("0.5", "人民币伍角整"),
            ("0", "人民币零元整"),
            ("216.666", "人民币贰佰壹拾陆元陆角柒分"),
        ] {
            let value = Decimal::from_str(amount).unwrap_or_default();
            assert_eq!(yuan_in_words(value).as_deref(), Some(words), "{amount}");
        }
        assert_eq!(yuan_in_words(Decimal::from(10_u64.pow(16))), None);
        assert_eq!(yuan_in_words(Decimal::MAX), None);
    }
}
