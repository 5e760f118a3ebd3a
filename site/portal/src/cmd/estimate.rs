//! `portal estimate`: what a household (or an enterprise, a collective) receives under a
//! county's rules on a date, as text for a person or as the JSON interface.

use super::{emit, emit_err, fail, print_problems, Format};
use calculator::{evaluate, Audience, Date};
use policy::{explain, load, Project};
use std::path::Path;
use std::process::ExitCode;

/// Whose measures to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForWhom {
    /// 农户
    Household,
    /// 企业、合作社等经营主体
    Enterprise,
    /// 村集体
    Collective,
}

impl From<ForWhom> for Audience {
    fn from(who: ForWhom) -> Audience {
        match who {
            ForWhom::Household => Audience::Household,
            ForWhom::Enterprise => Audience::Enterprise,
            ForWhom::Collective => Audience::Collective,
        }
    }
}

/// Estimate for `code` on `date` (default today in China) from `FACT=VALUE` pairs.
pub fn run(
    root: &Path,
    code: &str,
    date: Option<&str>,
    json: bool,
    audience: Audience,
    pairs: &[String],
) -> ExitCode {
    let project: Project = match load(root) {
        Ok(project) => project,
        Err(diagnostics) => {
            print_problems(&diagnostics, Format::Text);
            return fail(
                "规则有错误，暂不能估算",
                Some("请先按 `portal check` 的提示改正".into()),
            );
        }
    };
    let Some(book) = project.rulebooks.get(code) else {
        let former = project
            .counties
            .iter()
            .find(|c| c.source.former.iter().any(|f| f.code == code));
        let hint = match former {
            Some(c) => format!(
                "{code} 是{}的旧代码，请用 --county {}",
                c.source.name, c.source.code
            ),
            None => format!(
                "已有的县：{}",
                project
                    .counties
                    .iter()
                    .map(|c| format!("{} {}", c.source.code, c.source.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return fail(format!("没有代码为 `{code}` 的县"), Some(hint));
    };
    if book.policies.is_empty() {
        return fail(
            format!("{}（{code}）还没有可以估算的政策规则", book.county.name),
            None,
        );
    }
    let date = match date {
        Some(text) => match text.parse::<Date>() {
            Ok(d) => d,
            Err(error) => return fail(error.to_string(), None),
        },
        None => match crate::today::today() {
            Some(d) => d,
            None => {
                return fail(
                    "无法从系统时钟得知今天的日期",
                    Some("请用 --date YYYY-MM-DD 指定日期".into()),
                )
            }
        },
    };
    let mut facts = Vec::with_capacity(pairs.len());
    let mut bad = Vec::new();
    for pair in pairs {
        match pair.split_once('=') {
            Some((id, value)) => facts.push((id.trim(), value)),
            None => bad.push(format!("`{pair}` 不是“项目=数值”的写法（例如 pigs=3）")),
        }
    }
    let household = match calculator::evaluate::household_from_pairs(book, facts.iter().copied()) {
        Ok(h) if bad.is_empty() => Some(h),
        Ok(_) => None,
        Err(errors) => {
            bad.extend(errors.into_iter().map(|(_, e)| e.to_string()));
            None
        }
    };
    let Some(household) = household else {
        for problem in &bad {
            emit_err(&format!("错误：{problem}\n"));
        }
        return fail(
            format!("有 {} 项填写有误，未作估算", bad.len()),
            Some("可填写的项目见 policies/facts.yaml".into()),
        );
    };
    let estimate = match evaluate(book, &household, date, audience) {
        Ok(e) => e,
        Err(error) => return fail(format!("无法计算：{error}"), None),
    };
    if estimate.nothing_in_force() {
        let latest = estimate.latest_policy();
        let message = match latest {
            Some(p) => format!(
                "{} 在 {date} 没有有效的政策。最近的是《{}》（{}）：{}",
                book.county.name,
                p.title,
                p.period,
                p.reason.clone().unwrap_or_default()
            ),
            None => format!("{} 在 {date} 没有有效的政策", book.county.name),
        };
        let hint = latest.map(|p| {
            format!(
                "要查看当时的标准，请指定施行期内的日期，例如 --date {}",
                p.period.from
            )
        });
        return fail(message, hint);
    }
    if json {
        match serde_json::to_string_pretty(&estimate) {
            Ok(text) => {
                emit(&format!("{text}\n"));
            }
            Err(error) => return fail(format!("无法写出 JSON：{error}"), None),
        }
    } else {
        emit(&explain::render(&estimate));
    }
    ExitCode::SUCCESS
}
