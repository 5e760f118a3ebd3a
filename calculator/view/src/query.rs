//! Estimating from what a browser holds: the facts the page sends (`pigs=3&date=2017-06-01`)
//! and today's date, against a county's compiled rules, to the JSON the estimator page
//! renders. The same function runs natively and in WebAssembly, which is how the two are
//! compared.

use crate::explain::{date_text, fact_error_text};
use crate::page::{view, ClauseLinks, View};
use calculator::date::Date;
use calculator::estimate::Estimate;
use calculator::evaluate::{evaluate, household_from_pairs};
use calculator::model::{Audience, Rulebook};
use serde::Serialize;

/// A fact the household typed that could not be read, for the page's error summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// The form field at fault: a fact id, `date`, or empty when the estimate itself failed
    /// (the page then points at the date field).
    pub fact: String,
    /// What is wrong and what to type instead, in Chinese.
    pub message: String,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Response {
    /// The estimate (as computed and as shown), and a notice when the rules of another date
    /// had to be used.
    Estimate {
        /// The estimate as the engine computed it; the page itself only reads `view`.
        estimate: Box<Estimate>,
        /// The same estimate written out for the page.
        view: Box<View>,
        /// Set when no rules were in force on the date asked, saying whose rules and which
        /// day's were used instead.
        notice: Option<String>,
    },
    /// What the household typed needs correcting.
    Invalid {
        /// Every problem found, each tied to its form field; never empty.
        errors: Vec<FieldError>,
    },
    /// The county has no rules to estimate with.
    NoRules {
        /// Says so in Chinese, naming the county.
        message: String,
    },
}

/// `%E7%8C%AA` and `+` decoded; invalid escapes are kept as typed.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|&c| (c as char).to_digit(16));
        match (b, hex(i.saturating_add(1)), hex(i.saturating_add(2))) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high.saturating_mul(16).saturating_add(low)).unwrap_or(b'?'));
                i = i.saturating_add(3);
            }
            (b'+', _, _) => {
                out.push(b' ');
                i = i.saturating_add(1);
            }
            _ => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A date as people type it: `2017-06-01`, `2017-6-1`, `2017/6/1`, `2017年6月1日`, full-width
/// digits too. A well-written date that does not exist gets its own message.
pub fn parse_date_as_typed(text: &str) -> Result<Date, String> {
    let folded = calculator::fact::fold_full_width(text);
    let parts: Vec<&str> = folded
        .trim_end_matches('日')
        .split(['-', '/', '年', '月', '.'])
        .collect();
    let numbers: Option<Vec<u16>> = parts.iter().map(|p| p.parse::<u16>().ok()).collect();
    match numbers.as_deref() {
        Some(&[year, month, day]) if (1000..=9999).contains(&year) => {
            let (month, day) = (
                u8::try_from(month).unwrap_or(0),
                u8::try_from(day).unwrap_or(0),
            );
            Date::new(year, month, day)
                .ok_or_else(|| format!("没有 {year} 年 {month} 月 {day} 日这一天，请检查日期"))
        }
        _ => Err(format!(
            "日期请写成 2017-06-01 的格式（收到“{}”）",
            text.trim()
        )),
    }
}

/// The `key=value` pairs of a query string, decoded, without the leading `?`.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

/// Estimate for a household described by a query string. `today` is the browser's date; the
/// query's `date=` wins. When nothing is in force on the date, the latest rules are used at
/// the end of their period and the notice says so. Keys that are not facts are ignored, so a
/// shared link with extra parameters still works; empty values mean "not given".
pub fn estimate_query(book: &Rulebook, query: &str, today: Date, links: &ClauseLinks) -> Response {
    let pairs = query_pairs(query);
    let mut errors = Vec::new();
    let mut date = today;
    let mut facts = Vec::new();
    for (key, value) in &pairs {
        if key == "date" && !value.trim().is_empty() {
            match parse_date_as_typed(value) {
                Ok(d) => date = d,
                Err(message) => errors.push(FieldError {
                    fact: "date".into(),
                    message,
                }),
            }
        } else if book.facts.get(key).is_some() && !value.trim().is_empty() {
            facts.push((key.as_str(), value.as_str()));
        }
    }
    let household = match household_from_pairs(book, facts) {
        Ok(h) if errors.is_empty() => h,
        Ok(_) => return Response::Invalid { errors },
        Err(fact_errors) => {
            errors.extend(fact_errors.into_iter().map(|(fact, e)| FieldError {
                fact,
                message: fact_error_text(&e),
            }));
            return Response::Invalid { errors };
        }
    };
    let Some(nearest) = book.nearest_policy(date) else {
        return Response::NoRules {
            message: format!("{}还没有可以估算的政策规则", book.county.name),
        };
    };
    let asked = date;
    let mut notice = None;
    if !nearest.in_force_on(date) {
        match nearest.period.to.filter(|&end| date > end) {
            Some(end) => {
                notice = Some(format!("{date} 没有有效的政策。《{}》已于{}失效，以下按其失效前最后一天的规则估算，仅供参考。", nearest.title, date_text(end)));
                date = end;
            }
            None => {
                notice = Some(format!(
                    "{date} 还没有生效的政策，以下按《{}》（{} 起施行）估算。",
                    nearest.title,
                    date_text(nearest.period.from)
                ));
                date = nearest.period.from;
            }
        }
    }
    match evaluate(book, &household, date, Audience::Household) {
        Ok(estimate) => Response::Estimate {
            view: Box::new(view(&estimate, asked, links)),
            estimate: Box::new(estimate),
            notice,
        },
        Err(error) => Response::Invalid {
            errors: vec![FieldError {
                fact: String::new(),
                message: format!("无法计算：{error}"),
            }],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_people_type_them() {
        let june = Date::new(2017, 6, 1);
        for text in [
            "2017-06-01",
            "2017-6-1",
            "2017/6/1",
            "2017年6月1日",
            "２０１７－０６－０１",
            " 2017.6.1 ",
        ] {
            assert_eq!(parse_date_as_typed(text).ok(), june, "{text}");
        }
        assert!(
            parse_date_as_typed("2017-02-30").is_err_and(|m| m.contains("没有 2017 年 2 月 30 日"))
        );
        assert!(parse_date_as_typed("9999-12-31").is_err());
        assert!(parse_date_as_typed("明天").is_err_and(|m| m.contains("格式")));
    }

    #[test]
    fn queries_decode_chinese_and_plus() {
        assert_eq!(
            query_pairs("?pigs=%EF%BC%93&note=a+b&date=2017-06-01&x"),
            vec![
                ("pigs".into(), "３".into()),
                ("note".into(), "a b".into()),
                ("date".into(), "2017-06-01".into()),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(query_pairs("a=%zz%"), vec![("a".into(), "%zz%".into())]);
    }
}
