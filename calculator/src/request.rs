//! Estimating from what a browser holds: the query string (`?pigs=3&date=2017-06-01`) and
//! today's date, against a county's compiled rules, to the JSON the estimator page renders.
//! The same function runs natively and in WebAssembly, which is how the two are compared.

use crate::date::Date;
use crate::estimate::Estimate;
use crate::evaluate::{evaluate, household_from_pairs};
use crate::model::{Audience, Rulebook};
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

/// The estimate as the page shows it: every amount already written out, every step in words,
/// so the page's script only places text (and never works anything out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    /// The total as readers see it: `3000 元`, `1000–5000 元`, `不低于 600 元`.
    pub total: String,
    /// Decimal strings for `data-min`/`data-max`; `max` empty when open above.
    pub total_min: String,
    /// The total's upper bound as a decimal string, for `data-max`; empty when open above.
    pub total_max: String,
    /// The total in 大写 (人民币叁仟元整); `None` for a range or an amount finer than a fen.
    pub words: Option<String>,
    /// The date whose rules were applied, written 2017年6月1日.
    pub date: String,
    /// The paying items, each with its working in words.
    pub lines: Vec<ViewLine>,
    /// The payment plans, drawn as bar charts.
    pub schedule: Vec<ViewPlan>,
    /// Loans on offer: principal, term and interest in one line each.
    pub loans: Vec<ViewItem>,
    /// Measures whose condition the household does not meet; the text quotes it (条件是：…).
    pub not_eligible: Vec<ViewItem>,
    /// Measures not computed; the text says why.
    pub excluded: Vec<ViewItem>,
    /// One sentence per policy of the county: 《title》, period, and whether it applied.
    pub policies: Vec<String>,
    /// Whom to ask, for the disclaimer: the county's office, else 「县名有关部门」.
    pub office: String,
}

/// One paying item as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewLine {
    /// What it is for, in the document's words.
    pub label: String,
    /// The amount written out (`3000 元`).
    pub amount: String,
    /// Where to read the clause on the site.
    pub clause_url: String,
    /// Each step of the working in Chinese, from [`crate::explain::step_text`].
    pub steps: Vec<String>,
    /// Interpretations and remarks shown under the line (注：…).
    pub notes: Vec<String>,
    /// True when the rule is second-hand; the page adds （据调研报告转述）.
    pub derived_from_report: bool,
}

/// A payment plan as the page charts it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewPlan {
    /// The scheduled rule's or group's label.
    pub label: String,
    /// The tranches or years, in order of payment.
    pub parts: Vec<ViewPart>,
    /// How the parts were rounded, in words (各期金额四舍五入到分…).
    pub rounding: String,
    /// Interpretations behind the schedule, shown under the chart.
    pub notes: Vec<String>,
}

/// One part of a payment plan: a bar of the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewPart {
    /// The part as the text names it (产前, 第一年).
    pub label: String,
    /// The part's amount written out (`1800 元`).
    pub amount: String,
    /// For the chart: the upper bound (or the lower, when open) as a number string.
    pub height: String,
}

/// A loan, a measure not eligible for or one not computed: one line of the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewItem {
    /// What the measure is for, in the document's words.
    pub label: String,
    /// What to say about it: the loan's terms, the condition not met, or why not computed.
    pub text: String,
    /// Where to read the clause on the site.
    pub clause_url: String,
}

/// `asked` is the date the household asked about; the estimate may be for another (the last
/// day of expired rules), and the list of documents must not call those rules current.
pub fn view(e: &Estimate, asked: Date) -> View {
    use crate::explain::{loan_text, step_text, words_for, yuan};
    let item = |label: &str, text: String, clause_url: &str| ViewItem {
        label: label.to_owned(),
        text,
        clause_url: clause_url.to_owned(),
    };
    View {
        total: yuan(&e.total),
        total_min: e.total.min.normalize().to_string(),
        total_max: e
            .total
            .max
            .map(|m| m.normalize().to_string())
            .unwrap_or_default(),
        words: words_for(&e.total),
        date: e.date.to_chinese(),
        lines: e
            .lines
            .iter()
            .map(|l| ViewLine {
                label: l.label.clone(),
                amount: yuan(&l.amount),
                clause_url: l.clause_url.clone(),
                steps: l.steps.iter().map(step_text).collect(),
                notes: l.notes.clone(),
                derived_from_report: l.derived_from_report,
            })
            .collect(),
        schedule: e
            .schedule
            .iter()
            .map(|p| ViewPlan {
                label: p.label.clone(),
                parts: p
                    .parts
                    .iter()
                    .map(|x| ViewPart {
                        label: x.label.clone(),
                        amount: yuan(&x.amount),
                        height: x.amount.max.unwrap_or(x.amount.min).normalize().to_string(),
                    })
                    .collect(),
                rounding: p.rounding.clone(),
                notes: p.notes.clone(),
            })
            .collect(),
        loans: e
            .loans
            .iter()
            .map(|l| item(&l.label, loan_text(l), &l.clause_url))
            .collect(),
        not_eligible: e
            .not_eligible
            .iter()
            .map(|n| item(&n.label, format!("条件是：{}", n.condition), &n.clause_url))
            .collect(),
        excluded: e
            .excluded
            .iter()
            .map(|x| item(&x.label, x.reason.clone(), &x.clause_url))
            .collect(),
        policies: e
            .policies
            .iter()
            .map(|p| match &p.reason {
                None if asked == e.date => format!("《{}》（{}，适用）", p.title, p.period),
                None if asked > e.date => format!(
                    "《{}》（{}，已失效；按其最后一天的规则估算）",
                    p.title, p.period
                ),
                None => format!(
                    "《{}》（{}，尚未生效；按其第一天的规则估算）",
                    p.title, p.period
                ),
                Some(reason) => format!("《{}》（{}，{reason}）", p.title, p.period),
            })
            .collect(),
        office: e
            .office
            .clone()
            .unwrap_or_else(|| format!("{}有关部门", e.county_name)),
    }
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
    let folded = crate::fact::fold_full_width(text);
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
pub fn estimate_query(book: &Rulebook, query: &str, today: Date) -> Response {
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
                message: e.to_string(),
            }));
            return Response::Invalid { errors };
        }
    };
    let Some(latest) = book
        .policies
        .iter()
        .max_by_key(|p| (p.period.from, p.period.to))
    else {
        return Response::NoRules {
            message: format!("{}还没有可以估算的政策规则", book.county.name),
        };
    };
    let asked = date;
    let mut notice = None;
    if !book.policies.iter().any(|p| p.in_force_on(date)) {
        let end = latest.period.to.unwrap_or(latest.period.from);
        notice = Some(if date > end {
            format!("{date} 没有有效的政策。《{}》已于{}失效，以下按其失效前最后一天的规则估算，仅供参考。", latest.title, end.to_chinese())
        } else {
            format!(
                "{date} 还没有生效的政策，以下按《{}》（{} 起施行）估算。",
                latest.title,
                latest.period.from.to_chinese()
            )
        });
        date = if date > end { end } else { latest.period.from };
    }
    match evaluate(book, &household, date, Audience::Household) {
        Ok(estimate) => Response::Estimate {
            view: Box::new(view(&estimate, asked)),
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
