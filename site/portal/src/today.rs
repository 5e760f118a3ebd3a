//! Today's date for the CLI, in China's time zone (UTC+8). The engine itself never reads a
//! clock; only this binary-side helper does.

use calculator::Date;
use std::time::{SystemTime, UNIX_EPOCH};

/// Today in Beijing time: `estimate`'s default date, and the dates `init` and `new` write
/// into a new policy. `None` when the clock is before 1970 or past what [`Date`] holds.
pub fn today() -> Option<Date> {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    let days = (seconds + 8 * 3600) / 86_400;
    civil_from_days(i64::try_from(days).ok()?)
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> Option<Date> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(
            civil_from_days(0).map(|d| d.to_string()),
            Some("1970-01-01".into())
        );
        assert_eq!(
            civil_from_days(17_483).map(|d| d.to_string()),
            Some("2017-11-13".into())
        );
        assert_eq!(
            civil_from_days(11_016).map(|d| d.to_string()),
            Some("2000-02-29".into())
        );
    }
}
