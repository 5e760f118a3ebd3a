//! `portal estimate`: what a household (or an enterprise, a collective) receives under a
//! county's rules on a date, as text for a person or as the JSON interface.

use super::{emit, emit_err, fail, print_problems, Format};
use calculator::{evaluate, Audience, Date};
use policy::messages::{Key, Lang, Msg};
use policy::{load, Project};
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

/// Estimate for `code` on `date` (default today in China) from `FACT=VALUE` pairs. The
/// estimate itself is the household's Chinese text (or JSON); refusals are in `lang`.
pub fn run(
    root: &Path,
    code: &str,
    date: Option<&str>,
    json: bool,
    audience: Audience,
    pairs: &[String],
    lang: Lang,
) -> ExitCode {
    let project: Project = match load(root) {
        Ok(project) => project,
        Err(diagnostics) => {
            print_problems(
                &diagnostics,
                Format::Text,
                lang,
                &super::command_line("check", root),
            );
            return fail(
                lang,
                Msg::new(Key::CliEstimateRulesBroken),
                Some(Msg::new(Key::CliEstimateFixFirst)),
            );
        }
    };
    let Some(book) = project.rulebooks.get(code) else {
        let former = project
            .counties
            .iter()
            .find(|c| c.source.former.iter().any(|f| f.code == code));
        let hint = match former {
            Some(c) => Msg::new(Key::CliFormerCode)
                .arg("code", code)
                .arg("name", &c.source.name)
                .arg("current", &c.source.code),
            None => Msg::new(Key::CliCounties).list(
                "counties",
                project
                    .counties
                    .iter()
                    .map(|c| format!("{} {}", c.source.code, c.source.name)),
            ),
        };
        return fail(
            lang,
            Msg::new(Key::CliNoCounty).arg("code", code),
            Some(hint),
        );
    };
    if book.policies.is_empty() {
        return fail(
            lang,
            Msg::new(Key::CliNoPolicies)
                .arg("name", &book.county.name)
                .arg("code", code),
            None,
        );
    }
    let date = match date {
        Some(text) => match text.parse::<Date>() {
            Ok(d) => d,
            Err(error) => {
                let (message, hint) =
                    policy::compile::date_problem(&error.input, |day| format!("--date {day}"));
                return fail(lang, message, Some(hint));
            }
        },
        None => match crate::today::today() {
            Some(d) => d,
            None => {
                return fail(
                    lang,
                    Msg::new(Key::CliNoClock),
                    Some(Msg::new(Key::CliGiveDate)),
                )
            }
        },
    };
    let mut facts = Vec::with_capacity(pairs.len());
    let mut bad = Vec::new();
    let mut meant = Vec::new();
    for pair in pairs {
        match pair.split_once('=') {
            Some((id, value)) => facts.push((id.trim(), value)),
            None => bad.push(Msg::new(Key::CliNotAPair).arg("pair", pair.as_str())),
        }
    }
    let household = match calculator::evaluate::household_from_pairs(book, facts.iter().copied()) {
        Ok(h) if bad.is_empty() => Some(h),
        Ok(_) => None,
        Err(errors) => {
            // The same words as the estimator page gives a household (in Chinese); a name
            // that is not a fact's id gets the facts meant by it (`bees`, `蜂` → `bee_boxes`).
            for (_, error) in &errors {
                bad.push(policy::examples::fact_words(error));
                if let calculator::fact::FactError::Unknown { id, .. } = error {
                    let found = policy::compile::facts_meant(id, None, &book.facts);
                    meant.extend(policy::compile::facts_meant_hint(&found));
                }
            }
            None
        }
    };
    let Some(household) = household else {
        for problem in &bad {
            let line = Msg::new(Key::CliError).arg("message", problem.clone());
            emit_err(&(line.render(lang) + "\n"));
        }
        for hint in &meant {
            let line = Msg::new(Key::CliHint).arg("hint", hint.clone());
            emit_err(&(line.render(lang) + "\n"));
        }
        return fail(
            lang,
            Msg::new(Key::CliBadFacts).arg("count", bad.len()),
            Some(Msg::new(Key::CliFactsWhere)),
        );
    };
    let estimate = match evaluate(book, &household, date, audience) {
        Ok(e) => e,
        Err(error) => {
            let problem = policy::examples::arithmetic_words(&error.source).render(lang);
            let error = format!("{} / {}: {problem}", error.policy, error.rule);
            return fail(
                lang,
                Msg::new(Key::CliCannotCompute).arg("error", error),
                None,
            );
        }
    };
    if estimate.nothing_in_force() {
        let latest = book
            .nearest_policy(date)
            .and_then(|p| estimate.policies.iter().find(|u| u.id == p.id));
        let message = match latest {
            Some(p) => Msg::new(Key::CliNothingInForceLatest)
                .arg("county", &book.county.name)
                .arg("date", date.to_string())
                .arg("title", &p.title)
                .arg("period", policy::messages::period_arg(p.period))
                .arg(
                    "reason",
                    match p.period.to.filter(|&end| date > end) {
                        Some(end) => Msg::new(Key::PhraseEnded).arg("end", end.to_string()),
                        None => Msg::new(Key::PhraseNotYetInForce)
                            .arg("from", p.period.from.to_string()),
                    },
                ),
            None => Msg::new(Key::CliNothingInForce)
                .arg("county", &book.county.name)
                .arg("date", date.to_string()),
        };
        let hint =
            latest.map(|p| Msg::new(Key::CliDateHint).arg("from", p.period.from.to_string()));
        return fail(lang, message, hint);
    }
    let next = calculator::evaluate::next_steps(book, &estimate);
    if json {
        match with_words(&estimate, &next).and_then(|v| serde_json::to_string_pretty(&v)) {
            Ok(text) => {
                emit(&format!("{text}\n"));
            }
            Err(error) => {
                return fail(
                    lang,
                    Msg::new(Key::CliJsonFailed).arg("error", error.to_string()),
                    None,
                )
            }
        }
    } else {
        emit(&estimate_view::text::render(
            &estimate,
            &next,
            &render::urls::clause_links(),
        ));
    }
    ExitCode::SUCCESS
}

/// The estimate for `--json`: the engine's structured answer, with what the README promises
/// beside it in words — each cited clause's address as `clause_url`, why a measure was not
/// computed as `excluded[].reason`, and why a policy did not apply as `policies[].reason`
/// (the engine itself knows no addresses and no sentences).
fn with_words(
    estimate: &calculator::Estimate,
    next: &[calculator::estimate::NextSteps],
) -> serde_json::Result<serde_json::Value> {
    use estimate_view::explain::{exclusion_text, not_in_force_text};
    let mut value = serde_json::to_value(estimate)?;
    for list in ["lines", "loans", "excluded", "not_eligible"] {
        let Some(items) = value.get_mut(list).and_then(|v| v.as_array_mut()) else {
            continue;
        };
        for item in items {
            let text = |key: &str| item.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            if let (Some(policy), Some(clause)) = (text("text_policy"), text("clause")) {
                if let Some(fields) = item.as_object_mut() {
                    fields.insert(
                        "clause_url".into(),
                        render::urls::clause(&policy, &clause).into(),
                    );
                }
            }
        }
    }
    let reasons = [
        (
            "excluded",
            estimate
                .excluded
                .iter()
                .map(|x| Some(exclusion_text(x, estimate)))
                .collect::<Vec<_>>(),
        ),
        (
            "policies",
            estimate
                .policies
                .iter()
                .map(|p| not_in_force_text(p, estimate.date))
                .collect(),
        ),
    ];
    // What to do next: each step's clause as an address and its time in words, and what the
    // text does not say (or null), as the page and the text output word them.
    let words_of_next =
        estimate_view::page::next_steps(estimate, next, &render::urls::clause_links());
    let mut items = serde_json::to_value(next)?;
    if let Some(items) = items.as_array_mut() {
        for (item, words) in items.iter_mut().zip(&words_of_next) {
            if let Some(steps) = item
                .pointer_mut("/apply/steps")
                .and_then(|v| v.as_array_mut())
            {
                for (step, shown) in steps.iter_mut().zip(&words.steps) {
                    if let Some(fields) = step.as_object_mut() {
                        fields.insert("clause_url".into(), shown.clause_url.clone().into());
                        fields.insert(
                            "when_text".into(),
                            (!shown.when.is_empty()).then(|| shown.when.clone()).into(),
                        );
                    }
                }
            }
            if let Some(fields) = item.as_object_mut() {
                fields.insert(
                    "silent".into(),
                    (!words.silent.is_empty())
                        .then(|| words.silent.clone())
                        .into(),
                );
            }
        }
    }
    if let Some(fields) = value.as_object_mut() {
        fields.insert("next_steps".into(), items);
    }
    for (list, words) in reasons {
        let Some(items) = value.get_mut(list).and_then(|v| v.as_array_mut()) else {
            continue;
        };
        for (item, reason) in items.iter_mut().zip(words) {
            if let Some(fields) = item.as_object_mut() {
                fields.insert("reason".into(), reason.into());
            }
        }
    }
    Ok(value)
}
