//! Calendar dates without a clock: the engine never asks what day it is, the caller says.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A Gregorian calendar date, ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Text that is not a strict `YYYY-MM-DD` date, or names a day that does not exist
/// (2017-02-29). For YAML, the CLI and the browser's clock; what households type goes
/// through `estimate_view::query::parse_date_as_typed` instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a date: write it as YYYY-MM-DD, for example 2017-11-13")]
pub struct DateError {
    /// The text exactly as given (not trimmed), quoted back in the message.
    pub input: String,
}

impl Date {
    /// The first day the engine knows, 1900-01-01: a placeholder where a date is needed but
    /// none could be read (the compact reader's zero).
    pub(crate) const FIRST: Date = Date {
        year: 1900,
        month: 1,
        day: 1,
    };

    /// A date from its parts, or `None` when no such day exists (2017-02-29, month 13, ...).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1900..=2999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The day before: where an old version of a policy ends when a new one starts. `None`
    /// before 1900-01-02.
    pub fn day_before(&self) -> Option<Date> {
        match (self.day, self.month) {
            (2.., _) => Date::new(self.year, self.month, self.day.saturating_sub(1)),
            (_, 2..) => {
                let month = self.month.saturating_sub(1);
                Date::new(self.year, month, days_in_month(self.year, month))
            }
            _ => Date::new(self.year.checked_sub(1)?, 12, 31),
        }
    }

    /// Days since 1900-01-01, for measuring how far apart two dates are.
    pub fn day_number(&self) -> u32 {
        // Closed form, not a loop over the years: estimates call it for every policy.
        const BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        let leaps_before = |year: u32| {
            let y = year.saturating_sub(1);
            (y / 4).saturating_sub(y / 100).saturating_add(y / 400)
        };
        let year = u32::from(self.year);
        let leap_day = u32::from(self.month > 2 && days_in_month(self.year, 2) == 29);
        let month = BEFORE_MONTH
            .get(usize::from(self.month.saturating_sub(1)))
            .copied()
            .unwrap_or(0);
        year.saturating_sub(1900)
            .saturating_mul(365)
            .saturating_add(leaps_before(year).saturating_sub(leaps_before(1900)))
            .saturating_add(month)
            .saturating_add(leap_day)
            .saturating_add(u32::from(self.day))
            .saturating_sub(1)
    }

    /// The year, 1900–2999 (what [`Date::new`] accepts); formulas read it as `year`.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month, 1–31 and always a day the month has.
    pub fn day(&self) -> u8 {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(input: &str) -> Result<Date, DateError> {
        let error = || DateError {
            input: input.to_owned(),
        };
        let mut parts = input.trim().split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(error());
        }
        let year = y.parse().map_err(|_| error())?;
        let month = m.parse().map_err(|_| error())?;
        let day = d.parse().map_err(|_| error())?;
        Date::new(year, month, day).ok_or_else(error)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A span of days, both ends included; `to == None` means no end date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first day, included (施行之日).
    pub from: Date,
    /// The last day, included; `None` when the document sets no end. Never before `from`
    /// (the loader refuses such a period).
    pub to: Option<Date>,
}

impl Period {
    /// True when `date` is one of the period's days, both ends included.
    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }

    /// True when the two periods share at least one day; the loader refuses a policy version
    /// that overlaps the one it supersedes.
    pub fn overlaps(&self, other: &Period) -> bool {
        let starts_before_other_ends = other.to.is_none_or(|to| self.from <= to);
        let other_starts_before_self_ends = self.to.is_none_or(|to| other.from <= to);
        starts_before_other_ends && other_starts_before_self_ends
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(to) => write!(f, "{} – {}", self.from, to),
            None => write!(f, "from {}", self.from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_days() {
        let n = |s: &str| s.parse::<Date>().map(|d| d.day_number()).unwrap_or(0);
        assert_eq!(n("1900-01-01"), 0);
        assert_eq!(n("1900-03-01"), 59);
        assert_eq!(n("2018-01-01") - n("2017-12-31"), 1);
        assert_eq!(n("2017-03-01") - n("2016-03-01"), 365);
        assert_eq!(n("2016-03-01") - n("2015-03-01"), 366);
        // Day by day from 1900 to 2100: each day is one more than the day before.
        let mut day = Date::new(1900, 1, 1);
        let mut count = 0;
        while let Some(d) = day.filter(|d| d.year() <= 2100) {
            assert_eq!(d.day_number(), count, "{d}");
            count += 1;
            day = [
                Date::new(d.year(), d.month(), d.day() + 1),
                Date::new(d.year(), d.month() + 1, 1),
                Date::new(d.year() + 1, 1, 1),
            ]
            .into_iter()
            .flatten()
            .next();
        }
        assert!(count > 73_000);
    }

    #[test]
    fn the_day_before_crosses_months_years_and_leap_days() {
        let day = |s: &str| s.parse::<Date>().ok();
        for (date, before) in [
            ("2018-01-01", "2017-12-31"),
            ("2016-03-01", "2016-02-29"),
            ("2017-03-01", "2017-02-28"),
            ("2018-05-01", "2018-04-30"),
            ("2018-06-15", "2018-06-14"),
        ] {
            assert_eq!(
                day(date).and_then(|d| d.day_before()),
                day(before),
                "{date}"
            );
        }
        assert_eq!(day("1900-01-01").and_then(|d| d.day_before()), None);
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            "2017-11-13"
                .parse::<Date>()
                .map(|d| (d.year(), d.month(), d.day())),
            Ok((2017, 11, 13))
        );
        for bad in [
            "2017-02-29",
            "2017-13-01",
            "17-1-1",
            "2017/11/13",
            "",
            "2017-11-13-1",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad} should be refused");
        }
        assert!("2016-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn periods_include_both_ends() {
        let p = Period {
            from: Date::new(2017, 1, 1).unwrap_or_else(|| unreachable!()),
            to: Date::new(2017, 12, 31),
        };
        assert!(p.contains(Date::new(2017, 12, 31).unwrap_or_else(|| unreachable!())));
        assert!(!p.contains(Date::new(2018, 1, 1).unwrap_or_else(|| unreachable!())));
        let q = Period {
            from: Date::new(2017, 12, 31).unwrap_or_else(|| unreachable!()),
            to: None,
        };
        assert!(p.overlaps(&q) && q.overlaps(&p));
    }
}
