//! Checking and compiling one policy's YAML into the engine's model: formulas, units,
//! clause references, groups, schedules. Every problem becomes a diagnostic at its place;
//! compilation goes on after a problem so that one run reports them all.

use crate::clauses::Clause;
use crate::diagnostic::{Diagnostic, SourceText};
use crate::messages::{Key, Msg};
use crate::source::{
    ApplySource, ApplyStepSource, AudienceSource, ChooseSource, GroupSource, PaidSource,
    PolicySource, RuleSource, ScheduleKindSource, ScheduleSource,
};
use crate::yaml::{is_within, YamlIndex};
use calculator::expr::Expr;
use calculator::fact::FactCatalogue;
use calculator::formula::{closest, compile_as, FormulaError, FormulaProblem, Found, Type};
use calculator::model::{
    Apply, ApplyStep, Audience, Condition, DocumentStatus, Group, Measure, Paid, Policy, Rule,
    Schedule, ScheduleKind, SchedulePart, When, YearMonth,
};
use calculator::unit::Dimension;
use calculator::{Date, Period};
use rust_decimal::Decimal;

/// Everything needed to check one file and report at the right place.
#[derive(Debug)]
pub struct FileContext<'a> {
    /// The file.
    pub source: &'a SourceText,
    /// Where each path of it is.
    pub index: &'a YamlIndex,
    /// Where problems go.
    pub diagnostics: &'a mut Vec<Diagnostic>,
    /// Paths that reading left out or stood in for ([`crate::yaml::Read::damaged`]): the
    /// reading reported them, so nothing found at or inside them is reported again.
    pub damaged: &'a [String],
}

impl FileContext<'_> {
    /// Report a problem, unless it is about a damaged path.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if !self.damaged.iter().any(|d| is_within(&diagnostic.path, d)) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Report a problem at the value at `path`, with hints (`None`, `Some(hint)`, a list).
    pub fn error(&mut self, path: &str, message: Msg, hints: impl IntoIterator<Item = Msg>) {
        let span = self.index.value_span(path);
        let diagnostic = Diagnostic::at(self.source, span, path, message).hints(hints);
        self.push(diagnostic);
    }

    /// Whether reading left something out at or inside `path` (a rule that lost a key).
    pub fn is_damaged(&self, path: &str) -> bool {
        self.damaged.iter().any(|d| is_within(d, path))
    }

    /// A date field; `None` (and a diagnostic) when it is not a real date.
    pub fn date(&mut self, path: &str, text: &str) -> Option<Date> {
        match text.parse::<Date>() {
            Ok(date) => Some(date),
            Err(error) => {
                let key = last_key(path);
                let (message, hint) = date_problem(&error.input, |day| format!("{key}: {day}"));
                self.error(path, message, Some(hint));
                None
            }
        }
    }

    /// Compile a formula of the expected type, reporting errors inside the formula's text.
    pub fn formula(
        &mut self,
        path: &str,
        text: &str,
        facts: &FactCatalogue,
        expected: Type,
    ) -> Option<Expr> {
        match compile_as(text, facts, expected) {
            Ok(compiled) => Some(compiled.expr),
            Err(error) => {
                self.formula_error(path, text, &error, facts);
                None
            }
        }
    }

    /// Report a formula that did not compile, at the place inside it.
    pub fn formula_error(
        &mut self,
        path: &str,
        text: &str,
        error: &FormulaError,
        facts: &FactCatalogue,
    ) {
        let (span, message, hints) = match slip_in_formula(path, text, error, facts) {
            Some(slip) => slip,
            None => {
                let (message, hints) = formula_problem(&error.problem, text, facts);
                (error.span.clone(), message, hints)
            }
        };
        let span = self.index.span_within(path, span);
        let diagnostic = Diagnostic::at(self.source, span, path, message).hints(hints);
        self.push(diagnostic);
    }

    /// Compile a formula only to find unknown facts and broken syntax, whatever its type:
    /// for a rule that lost a key in reading, whose measure cannot be checked as a whole.
    pub fn formula_alone(&mut self, path: &str, text: &str, facts: &FactCatalogue) {
        if let Err(error) = calculator::formula::compile(text, facts) {
            self.formula_error(path, text, &error, facts);
        }
    }

    /// A formula that must be a fixed number (a cap, a share): no facts, no ranges.
    pub fn constant(
        &mut self,
        path: &str,
        text: &str,
        facts: &FactCatalogue,
        unit: Dimension,
    ) -> Option<Decimal> {
        let expr = self.formula(path, text, facts, Type::Number(unit))?;
        match expr.constant() {
            Some(amount)
                if amount.is_exact() && amount.min.is_sign_negative() && !amount.min.is_zero() =>
            {
                self.error(
                    path,
                    Msg::new(Key::NegativeAmount).arg("text", text),
                    Some(Msg::new(Key::HintNotNegative)),
                );
                None
            }
            Some(amount) if amount.is_exact() => Some(amount.min),
            _ => {
                self.error(
                    path,
                    Msg::new(Key::NotFixedAmount)
                        .arg("text", text)
                        .arg("unit", unit.to_string()),
                    Some(Msg::new(Key::HintFixedAmount).arg("unit", unit.to_string())),
                );
                None
            }
        }
    }
}

/// Check that `id` is a clause of the text; `clauses` is `None` when the text is not known
/// (it is missing or unreadable, which is reported on its own).
///
/// A clause that is not there is named with the anchors nearest to what was written, each with
/// its heading: for an anchor mistyped (`c4-3-16`), the anchors that look most like it; for a
/// clause cited by its number or words in the text (`第三条`, `（一）`, `产业优惠政策`), the
/// clauses so numbered or so named.
pub fn check_clause(
    cx: &mut FileContext<'_>,
    path: &str,
    id: &str,
    clauses: Option<&[Clause]>,
    text_name: &str,
) -> bool {
    let Some(clauses) = clauses else {
        return true;
    };
    if clauses.iter().any(|c| c.id == id) {
        return true;
    }
    let missing = Msg::new(Key::MissingClause)
        .arg("id", id)
        .arg("text", text_name);
    let bare = id
        .trim_start_matches(['{', '｛'])
        .trim_start_matches(['#', '＃'])
        .trim_end_matches(['}', '｝']);
    if bare != id && clauses.iter().any(|c| c.id == bare) {
        cx.error(
            path,
            missing,
            Some(Msg::new(Key::HintClauseBare).arg("id", bare)),
        );
        return false;
    }
    if !crate::clauses::valid_anchor(id) {
        let meant = clauses_meant(id, clauses);
        let hint = match meant.first() {
            Some(first) => Msg::new(Key::HintClauseCandidates)
                .arg("text", text_name)
                .list("anchors", with_headings(&meant))
                .arg("first", first.id.as_str()),
            None => Msg::new(Key::HintClauseOutline)
                .arg("text", text_name)
                .list("anchors", with_headings(&outline(clauses))),
        };
        let message = Msg::new(Key::ClauseNotAnAnchor)
            .arg("id", id)
            .arg("text", text_name);
        let how = Msg::new(Key::HintAnchorHow).arg("text", text_name);
        cx.error(path, message, [hint, how]);
        return false;
    }
    let (near, nearest) = nearest_anchors(id, clauses);
    let mut hints = Vec::new();
    if let Some(near) = near {
        hints.push(
            Msg::new(Key::HintClauseDidYouMean)
                .arg("near", near.id.as_str())
                .arg("heading", near.heading()),
        );
    }
    if !nearest.is_empty() {
        hints.push(
            Msg::new(Key::HintClauseNearest)
                .arg("text", text_name)
                .list("anchors", with_headings(&nearest)),
        );
    }
    hints.push(
        Msg::new(Key::HintClauseMark)
            .arg("id", id)
            .arg("text", text_name),
    );
    cx.error(path, missing, hints);
    false
}

/// `` `c3`（三、扶持对象） `` for each clause.
fn with_headings(clauses: &[&Clause]) -> Vec<Msg> {
    clauses
        .iter()
        .map(|c| {
            Msg::new(Key::WordWithMeaning)
                .arg("word", format!("`{}`", c.id))
                .arg("meaning", c.heading())
        })
        .collect()
}

/// The clauses a clerk may have meant by a clause's number or words in the text: `第三条` →
/// every clause numbered 3 (三、, （三）, 3.), `（一）` → those numbered （一） if any, and
/// `产业优惠政策` → those whose heading holds it.
fn clauses_meant<'c>(written: &str, clauses: &'c [Clause]) -> Vec<&'c Clause> {
    use crate::slips::{numbering, Numbering};
    const MOST: usize = 8;
    let title = |text: &str| -> String {
        text.split('。')
            .next()
            .unwrap_or_default()
            .trim_matches(|c: char| c.is_whitespace() || "，、；：:,.".contains(c))
            .to_owned()
    };
    let numbered = numbering(written);
    let words = title(
        numbered
            .as_ref()
            .map_or(written, |(_, _, rest)| rest.as_str()),
    );
    let mut by_number: Vec<&Clause> = Vec::new();
    let mut same_style: Vec<&Clause> = Vec::new();
    let mut by_words: Vec<&Clause> = Vec::new();
    for clause in clauses {
        let own = numbering(&clause.excerpt);
        let own_title = title(own.as_ref().map_or(&clause.excerpt, |(_, _, rest)| rest));
        if let (Some((n, style, _)), Some((own_n, own_style, _))) = (&numbered, &own) {
            if n == own_n {
                by_number.push(clause);
                if style == own_style {
                    same_style.push(clause);
                }
            }
        }
        let long_enough = |s: &str| s.chars().count() >= 2;
        if long_enough(&words)
            && long_enough(&own_title)
            && (own_title.contains(words.as_str()) || words.contains(own_title.as_str()))
        {
            by_words.push(clause);
        }
    }
    let style_says = numbered
        .as_ref()
        .is_some_and(|(_, style, _)| !matches!(style, Numbering::Article | Numbering::Bare));
    if style_says && !same_style.is_empty() {
        by_number = same_style;
    }
    let mut meant = match (by_number.is_empty(), by_words.is_empty()) {
        (false, false) => {
            let both: Vec<&Clause> = by_number
                .iter()
                .copied()
                .filter(|c| by_words.iter().any(|w| w.id == c.id))
                .collect();
            if both.is_empty() {
                by_number
            } else {
                both
            }
        }
        (false, true) => by_number,
        _ => by_words,
    };
    meant.truncate(MOST);
    meant
}

/// The top of a text's outline, for a clause nothing written points to: the anchors of the
/// first level (`c1`, `c2` …), or the first anchors when there are none.
fn outline(clauses: &[Clause]) -> Vec<&Clause> {
    const MOST: usize = 12;
    let top: Vec<&Clause> = clauses.iter().filter(|c| !c.id.contains('-')).collect();
    if top.is_empty() {
        clauses.iter().take(MOST).collect()
    } else {
        top.into_iter().take(MOST).collect()
    }
}

/// For an anchor that is not in the text: the one it is surely a slip for, if one alone is
/// closest, and the others nearest to it (by spelling, then by number: `c9` → `c5`, `c4` …).
fn nearest_anchors<'c>(id: &str, clauses: &'c [Clause]) -> (Option<&'c Clause>, Vec<&'c Clause>) {
    const MOST: usize = 5;
    let numbers = |s: &str| -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter_map(|p| p.parse().ok())
            .collect()
    };
    let wanted = numbers(id);
    let is_subsequence = |short: &str, long: &str| {
        let mut rest = long.chars();
        short.chars().all(|c| rest.any(|l| l == c))
    };
    // Edit distance, whether it lacks a character of `id`, how far apart the numbers are.
    type Rank = (usize, bool, Vec<u64>);
    let mut ranked: Vec<(Rank, &Clause)> = clauses
        .iter()
        .map(|c| {
            let own = numbers(&c.id);
            let mut apart: Vec<u64> = wanted
                .iter()
                .zip(&own)
                .map(|(a, b)| a.abs_diff(*b))
                .collect();
            apart.push(wanted.len().abs_diff(own.len()) as u64);
            let distance = calculator::formula::edit_distance(id, &c.id);
            ((distance, !is_subsequence(id, &c.id), apart), c)
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    // Only a slip that is the one closest (`c21` → `c2-1`, which holds every character of
    // it) is named as what was meant; `c9` is as near to `c1` as to `c5`.
    let near = match ranked.as_slice() {
        [(best, clause), rest @ ..] if best.0 <= 2 => {
            let tie = rest
                .first()
                .is_some_and(|(next, _)| (next.0, next.1) == (best.0, best.1));
            (!tie).then_some(*clause)
        }
        _ => None,
    };
    let nearest = ranked
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| near.is_none_or(|n| n.id != c.id))
        .take(MOST)
        .collect();
    (near, nearest)
}

/// The key a path ends in (`rate` of `rules[2].rate`, `from` of `validity.from`).
fn last_key(path: &str) -> &str {
    let key = path.rsplit('.').next().unwrap_or(path);
    key.split('[').next().unwrap_or(key)
}

/// A date that is not `2018-01-01`: written another way (`2018年1月1日` → what to type, as
/// `written_as` puts the day), or no day at all.
pub fn date_problem(text: &str, written_as: impl Fn(Date) -> String) -> (Msg, Msg) {
    match crate::slips::date_written_otherwise(text) {
        Some(day) => (
            Msg::new(Key::DateFormat).arg("text", text),
            Msg::new(Key::HintWriteAs).arg("fixed", written_as(day)),
        ),
        None => (
            Msg::new(Key::BadDate).arg("text", text),
            Msg::new(Key::HintDate),
        ),
    }
}

/// Whether a formula is a bare number (`400`): an amount that lacks its unit.
fn bare_number(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.parse::<Decimal>().is_ok()
}

/// The facts a clerk may have meant by `name`: the engine's suggestion first, then those
/// near it by label or id ([`crate::slips::similar_facts`]).
pub fn facts_meant<'f>(
    name: &str,
    suggestion: Option<&str>,
    facts: &'f FactCatalogue,
) -> Vec<&'f calculator::fact::FactDef> {
    let mut found: Vec<&calculator::fact::FactDef> =
        suggestion.and_then(|s| facts.get(s)).into_iter().collect();
    for fact in crate::slips::similar_facts(name, facts) {
        if !found.iter().any(|f| f.id == fact.id) {
            found.push(fact);
        }
    }
    found
}

/// "Did you mean `bee_boxes`（蜂箱）?", or the facts with names like it.
pub fn facts_meant_hint(found: &[&calculator::fact::FactDef]) -> Option<Msg> {
    match found {
        [] => None,
        [one] => Some(
            Msg::new(Key::HintDidYouMeanFact)
                .arg("id", one.id.as_str())
                .arg("label", one.label.as_str()),
        ),
        several => Some(Msg::new(Key::HintFactsMatching).list(
            "facts",
            several.iter().map(|f| {
                Msg::new(Key::WordWithMeaning)
                    .arg("word", format!("`{}`", f.id))
                    .arg("meaning", f.label.as_str())
            }),
        )),
    }
}

/// A formula refused for a slip a clerk makes: a number without its unit (`cap: 2000`), a
/// full-width or Chinese punctuation mark (`“300 元/头”`), a fact named by its Chinese label
/// (`蜂箱`) or by a word near its id (`bees`). The span to underline, the message and the
/// hints, with the line as it should be typed.
fn slip_in_formula(
    path: &str,
    text: &str,
    error: &FormulaError,
    facts: &FactCatalogue,
) -> Option<(std::ops::Range<usize>, Msg, Vec<Msg>)> {
    let key = last_key(path);
    let replaced = |span: &std::ops::Range<usize>, with: &str| -> Option<String> {
        Some(format!(
            "{key}: {}{with}{}",
            text.get(..span.start)?,
            text.get(span.end..)?
        ))
    };
    match &error.problem {
        FormulaProblem::WrongType {
            found: Type::Number(found),
            expected: Type::Number(expected),
        } if found.is_none() && !expected.is_none() && bare_number(text) => {
            let value = text.trim();
            Some((
                error.span.clone(),
                Msg::new(Key::AmountNoUnit)
                    .arg("key", key)
                    .arg("value", value),
                vec![Msg::new(Key::HintAmountNoUnit)
                    .arg("fixed", format!("{key}: {value} {expected}"))
                    .arg("unit", expected.to_string())],
            ))
        }
        FormulaProblem::Character { character } if crate::slips::kind(*character).is_some() => {
            let fixed = format!("{key}: {}", crate::slips::fixed(text, false));
            Some((
                error.span.clone(),
                crate::slips::message(*character, text),
                vec![crate::slips::hint(*character, &fixed)],
            ))
        }
        FormulaProblem::Character { character } if crate::slips::is_han(*character) => {
            let start = error.span.start;
            let rest = text.get(start..)?;
            let len: usize = rest
                .chars()
                .take_while(|&c| crate::slips::is_han(c))
                .map(char::len_utf8)
                .sum();
            let span = start..start + len;
            let name = text.get(span.clone())?;
            let found = facts_meant(name, None, facts);
            let mut hints: Vec<Msg> = facts_meant_hint(&found).into_iter().collect();
            match found.first() {
                Some(first) => {
                    hints.push(Msg::new(Key::HintWriteAs).arg("fixed", replaced(&span, &first.id)?))
                }
                None => {
                    hints.push(all_facts(facts));
                    hints.push(Msg::new(Key::HintFactsListed));
                }
            }
            Some((
                span,
                Msg::new(Key::FactChineseName).arg("name", name),
                hints,
            ))
        }
        FormulaProblem::UnknownFact { name, suggestion } => {
            let found = facts_meant(name, suggestion.as_deref(), facts);
            let first = found.first()?;
            let mut hints: Vec<Msg> = facts_meant_hint(&found).into_iter().collect();
            hints.push(Msg::new(Key::HintWriteAs).arg("fixed", replaced(&error.span, &first.id)?));
            Some((
                error.span.clone(),
                Msg::new(Key::UnknownFact).arg("name", name.as_str()),
                hints,
            ))
        }
        _ => None,
    }
}

/// Every fact of the catalogue with its Chinese label, so that a clerk looking for 羊 finds
/// `meat_sheep`.
fn all_facts(facts: &FactCatalogue) -> Msg {
    Msg::new(Key::HintFactsKnown).list(
        "facts",
        facts.facts.iter().map(|f| {
            Msg::new(Key::WordWithMeaning)
                .arg("word", format!("`{}`", f.id))
                .arg("meaning", f.label.as_str())
        }),
    )
}

/// Whether `code` has the form of a GB/T 2260 region code: six ASCII digits.
pub fn valid_region_code(code: &str) -> bool {
    code.len() == 6 && code.chars().all(|c| c.is_ascii_digit())
}

/// Whether `id` can be a policy, rule or group id (and so part of a page address).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn audience(source: AudienceSource) -> Audience {
    match source {
        AudienceSource::Household => Audience::Household,
        AudienceSource::Enterprise => Audience::Enterprise,
        AudienceSource::Collective => Audience::Collective,
    }
}

/// The parts of a policy that are not rules: status and period.
pub fn period(cx: &mut FileContext<'_>, policy: &PolicySource) -> Option<Period> {
    let from = cx.date("validity.from", &policy.validity.from);
    let to = match &policy.validity.to {
        Some(text) => Some(cx.date("validity.to", text)?),
        None => None,
    };
    let from = from?;
    if let Some(to) = to.filter(|&to| to < from) {
        cx.error(
            "validity.to",
            Msg::new(Key::PeriodReversed)
                .arg("from", from.to_string())
                .arg("to", to.to_string()),
            Some(Msg::new(Key::HintPeriodReversed)),
        );
        return None;
    }
    Some(Period { from, to })
}

/// Compile a policy's rules and groups. `None` when anything in them is wrong (the
/// diagnostics say what).
pub fn compile_policy(
    cx: &mut FileContext<'_>,
    policy: &PolicySource,
    period: Period,
    facts: &FactCatalogue,
    clauses: Option<&[Clause]>,
    text_name: &str,
) -> Option<Policy> {
    let before = cx.diagnostics.len();
    let default_eligible = policy.eligible.as_ref().and_then(|text| {
        cx.formula("eligible", text, facts, Type::YesNo)
            .map(|expr| Condition {
                expr,
                text: text.clone(),
                description: policy
                    .eligible_description
                    .clone()
                    .unwrap_or_else(|| describe(text, facts)),
            })
    });
    for (i, note) in policy.notes.iter().enumerate() {
        check_clause(
            cx,
            &format!("notes[{i}].clause"),
            &note.clause,
            clauses,
            text_name,
        );
    }

    let mut rules = Vec::with_capacity(policy.rules.len());
    for (i, rule) in policy.rules.iter().enumerate() {
        let path = format!("rules[{}]", policy.positions.rule(i));
        if !valid_id(&rule.id) {
            cx.error(
                &format!("{path}.id"),
                Msg::new(Key::RuleIdInvalid).arg("id", &rule.id),
                Some(Msg::new(Key::HintRuleId)),
            );
        } else if policy.rules[..i].iter().any(|r| r.id == rule.id) {
            cx.error(
                &format!("{path}.id"),
                Msg::new(Key::RuleIdTwice).arg("id", &rule.id),
                Some(Msg::new(Key::HintRuleIdTwice)),
            );
        }
        check_clause(
            cx,
            &format!("{path}.clause"),
            &rule.clause,
            clauses,
            text_name,
        );
        let eligible = match (&rule.eligible, rule.audience) {
            (Some(text), _) => cx
                .formula(&format!("{path}.eligible"), text, facts, Type::YesNo)
                .map(|expr| Condition {
                    expr,
                    text: text.clone(),
                    description: rule
                        .eligible_description
                        .clone()
                        .unwrap_or_else(|| describe(text, facts)),
                }),
            (None, AudienceSource::Household) => default_eligible.clone(),
            (None, _) => None,
        };
        let measure = measure(cx, &path, rule, facts);
        // A rule whose measure is already reported wrong is not blamed again for its schedule.
        let schedule = rule
            .schedule
            .as_ref()
            .filter(|_| measure.is_some())
            .and_then(|s| {
                schedule(
                    cx,
                    &format!("{path}.schedule"),
                    s,
                    measure.as_ref(),
                    facts,
                    clauses,
                    text_name,
                )
            });
        let paid = paid(cx, &path, rule, schedule.as_ref());
        if let Some(measure) = measure {
            rules.push(Rule {
                id: rule.id.clone(),
                label: rule.label.clone(),
                clause: rule.clause.clone(),
                audience: audience(rule.audience),
                eligible,
                measure,
                adds_to: None,
                schedule,
                paid,
                notes: rule.notes.clone(),
            });
        }
    }
    // Top-ups refer to rules by id; resolve them once all rules are known.
    for (i, rule) in policy.rules.iter().enumerate() {
        let Some(base) = &rule.adds_to else { continue };
        let path = format!("rules[{}].adds_to", policy.positions.rule(i));
        match policy.rules.iter().position(|r| &r.id == base) {
            Some(b) if b == i => cx.error(
                &path,
                Msg::new(Key::AddsToSelf),
                Some(Msg::new(Key::HintAddsToSelf)),
            ),
            Some(b) => {
                if let Some(compiled) = rules.get_mut(i) {
                    compiled.adds_to = Some(b);
                }
            }
            None if policy.positions.unreadable_rules.contains(base)
                || policy.positions.unknown_rule_ids => {}
            None => cx.error(
                &path,
                Msg::new(Key::AddsToUnknown).arg("id", base),
                closest(base, policy.rules.iter().map(|r| r.id.as_str()))
                    .map(|n| Msg::new(Key::HintDidYouMean).arg("suggestion", n)),
            ),
        }
    }

    let groups: Vec<Group> = policy
        .groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| group(cx, i, g, policy, facts, clauses, text_name))
        .collect();
    // A group paid over years (分年兑现) says how its rules are paid, unless they say so.
    for group in &groups {
        let Some(years) = group.schedule.as_ref().and_then(over_years) else {
            continue;
        };
        for &i in &group.rules {
            if let Some(rule) = rules.get_mut(i).filter(|r| r.paid == Paid::Unstated) {
                rule.paid = years;
            }
        }
    }

    let apply = policy
        .apply
        .as_ref()
        .and_then(|a| apply(cx, a, clauses, text_name));

    if cx.diagnostics.len() > before
        || rules.len() != policy.rules.len()
        || !policy.positions.complete()
    {
        return None;
    }
    Some(Policy {
        id: policy.id.clone(),
        title: policy.title.clone(),
        status: match policy.metadata.status {
            crate::source::StatusSource::InForce => DocumentStatus::InForce,
            crate::source::StatusSource::Amended => DocumentStatus::Amended,
            crate::source::StatusSource::Repealed => DocumentStatus::Repealed,
        },
        period,
        derived_from_report: policy.kind == crate::source::DocumentKindSource::DerivedFromReport,
        // The region is filled in by the loader, which knows the folder's region.
        region: calculator::model::RegionRef::default(),
        replaces: policy.replaces.clone(),
        text_from: policy.text_from.clone(),
        rules,
        groups,
        apply,
    })
}

/// Check and compile `apply`: whom a household deals with and the steps, each clause a clause
/// of the text, each deadline in one of its typed forms. `None` when anything is wrong.
fn apply(
    cx: &mut FileContext<'_>,
    source: &ApplySource,
    clauses: Option<&[Clause]>,
    text_name: &str,
) -> Option<Apply> {
    let before = cx.diagnostics.len();
    if source.offices.is_empty() && source.steps.is_empty() {
        cx.error(
            "apply",
            Msg::new(Key::ApplyEmpty),
            Some(Msg::new(Key::HintApplyEmpty)),
        );
    }
    for (i, office) in source.offices.iter().enumerate() {
        blank(cx, &format!("apply.offices[{i}]"), "offices", office);
    }
    for (i, clause) in source.clauses.iter().enumerate() {
        check_clause(
            cx,
            &format!("apply.clauses[{i}]"),
            clause,
            clauses,
            text_name,
        );
    }
    let mut steps = Vec::with_capacity(source.steps.len());
    for (i, step) in source.steps.iter().enumerate() {
        let path = format!("apply.steps[{i}]");
        blank(cx, &format!("{path}.who"), "who", &step.who);
        blank(cx, &format!("{path}.does"), "does", &step.does);
        check_clause(
            cx,
            &format!("{path}.clause"),
            &step.clause,
            clauses,
            text_name,
        );
        let when = when(cx, &path, step);
        steps.push(ApplyStep {
            who: step.who.trim().to_owned(),
            what: step.does.trim().to_owned(),
            when,
            clause: step.clause.clone(),
        });
    }
    (cx.diagnostics.len() == before).then(|| Apply {
        audience: audience(source.audience),
        offices: source.offices.iter().map(|o| o.trim().to_owned()).collect(),
        clauses: source.clauses.clone(),
        steps,
        notes: source.notes.clone(),
    })
}

/// Report a text that is empty or only spaces.
fn blank(cx: &mut FileContext<'_>, path: &str, key: &str, text: &str) {
    if text.trim().is_empty() {
        cx.error(
            path,
            Msg::new(Key::ApplyTextEmpty).arg("key", key),
            Some(Msg::new(Key::HintApplyText).arg("key", key)),
        );
    }
}

/// A step's time: `by` a day (of one year or of every year), `from`/`to` months, or the
/// text's words in `when`; at most one of them.
fn when(cx: &mut FileContext<'_>, path: &str, step: &ApplyStepSource) -> Option<When> {
    let given: Vec<&str> = [
        ("`by`", step.by.is_some()),
        ("`from`", step.from.is_some() || step.to.is_some()),
        ("`when`", step.when.is_some()),
    ]
    .into_iter()
    .filter_map(|(key, set)| set.then_some(key))
    .collect();
    if given.len() > 1 {
        let key = if step.when.is_some() { "when" } else { "by" };
        cx.error(
            &format!("{path}.{key}"),
            Msg::new(Key::DeadlineTwice).list("keys", given.iter().map(|k| (*k).to_owned())),
            Some(Msg::new(Key::HintDeadlineOne)),
        );
        return None;
    }
    if let Some(text) = &step.by {
        return deadline_by(cx, &format!("{path}.by"), text);
    }
    if let Some(text) = &step.when {
        blank(cx, &format!("{path}.when"), "when", text);
        return Some(When::Text {
            text: text.trim().to_owned(),
        });
    }
    let Some(from_text) = &step.from else {
        if step.to.is_some() {
            cx.error(
                &format!("{path}.to"),
                Msg::new(Key::DeadlineToWithoutFrom),
                Some(Msg::new(Key::HintDeadlineMonth)),
            );
        }
        return None;
    };
    let from = year_month(cx, &format!("{path}.from"), from_text);
    let to = match &step.to {
        Some(text) => year_month(cx, &format!("{path}.to"), text),
        None => from,
    };
    let (from, to) = (from?, to?);
    if to < from {
        cx.error(
            &format!("{path}.to"),
            Msg::new(Key::DeadlineReversed)
                .arg("from", month_text(from))
                .arg("to", month_text(to)),
            Some(Msg::new(Key::HintDeadlineReversed)),
        );
        return None;
    }
    Some(When::During { from, to })
}

fn month_text(m: YearMonth) -> String {
    format!("{:04}-{:02}", m.year, m.month)
}

/// `2017-04-15` (that day) or `04-15` (that day every year).
fn deadline_by(cx: &mut FileContext<'_>, path: &str, text: &str) -> Option<When> {
    let trimmed = text.trim();
    if let Ok(date) = trimmed.parse::<Date>() {
        return Some(When::By { date });
    }
    if let Some((month, day)) = month_day(trimmed) {
        return Some(When::ByEachYear { month, day });
    }
    // What was written instead: a date in Chinese (2017年4月15日), a day of every year in
    // Chinese (4月15日, 每年4月15日前), or vague words (每年3月).
    let hint = if let Some(day) = crate::slips::date_written_otherwise(trimmed) {
        Msg::new(Key::HintWriteAs).arg("fixed", format!("by: {day}"))
    } else if let Some((month, day)) = chinese_month_day(trimmed) {
        Msg::new(Key::HintWriteAs).arg("fixed", format!("by: {month:02}-{day:02}"))
    } else if !trimmed.is_ascii() {
        Msg::new(Key::HintDeadlineVague).arg("text", trimmed)
    } else {
        Msg::new(Key::HintDeadlineBy)
    };
    cx.error(
        path,
        Msg::new(Key::DeadlineBad).arg("text", text),
        Some(hint),
    );
    None
}

/// `MM-DD`, a day some year has (29 February included).
fn month_day(text: &str) -> Option<(u8, u8)> {
    let (m, d) = text.split_once('-')?;
    if m.len() != 2 || d.len() != 2 || !(m.chars().chain(d.chars()).all(|c| c.is_ascii_digit())) {
        return None;
    }
    let (month, day) = (m.parse().ok()?, d.parse().ok()?);
    Date::new(2000, month, day).map(|_| (month, day))
}

/// `4月15日`, `每年4月15日前`, `4月15前`: a day of every year written in Chinese.
fn chinese_month_day(text: &str) -> Option<(u8, u8)> {
    let text = text
        .trim_start_matches("每年")
        .trim_end_matches(['前', '止'])
        .trim_end_matches(['日', '号']);
    let (m, d) = text.split_once('月')?;
    let (month, day) = (m.trim().parse().ok()?, d.trim().parse().ok()?);
    Date::new(2000, month, day).map(|_| (month, day))
}

/// `2017-08`: a month of a year.
fn year_month(cx: &mut FileContext<'_>, path: &str, text: &str) -> Option<YearMonth> {
    let trimmed = text.trim();
    let parsed = trimmed.split_once('-').and_then(|(y, m)| {
        let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
        if !digits(y, 4) || !digits(m, 2) {
            return None;
        }
        let (year, month): (u16, u8) = (y.parse().ok()?, m.parse().ok()?);
        ((1..=12).contains(&month) && year >= 1900).then_some(YearMonth { year, month })
    });
    if parsed.is_none() {
        // 2017年8月 → 2017-08.
        let written = trimmed
            .trim_end_matches(['底', '初', '末'])
            .trim_end_matches('月')
            .split_once('年')
            .and_then(|(y, m)| Some((y.trim().parse::<u16>().ok()?, m.trim().parse::<u8>().ok()?)))
            .filter(|(_, m)| (1..=12).contains(m));
        let key = last_key(path);
        let hint = match written {
            Some((y, m)) => {
                Msg::new(Key::HintWriteAs).arg("fixed", format!("{key}: {y:04}-{m:02}"))
            }
            None if !trimmed.is_ascii() => Msg::new(Key::HintDeadlineVague).arg("text", trimmed),
            None => Msg::new(Key::HintDeadlineMonth),
        };
        cx.error(
            path,
            Msg::new(Key::DeadlineMonthBad).arg("text", text),
            Some(hint),
        );
    }
    parsed
}

/// `Paid::OverYears` for a schedule of years, with one year per part.
fn over_years(schedule: &Schedule) -> Option<Paid> {
    (schedule.kind == ScheduleKind::Years).then(|| Paid::OverYears {
        years: u16::try_from(schedule.parts.len()).unwrap_or(u16::MAX),
    })
}

/// How often a rule pays: as written (`paid`, `paid_years`), or by its schedule of years.
fn paid(
    cx: &mut FileContext<'_>,
    path: &str,
    rule: &RuleSource,
    schedule: Option<&Schedule>,
) -> Paid {
    if rule.paid.is_some() && rule.loan.is_some() {
        cx.error(&format!("{path}.paid"), Msg::new(Key::PaidOnLoan), None);
    }
    if rule.paid_years.is_some() && rule.paid != Some(PaidSource::Yearly) {
        cx.error(
            &format!("{path}.paid_years"),
            Msg::new(Key::PaidYearsWithoutYearly),
            None,
        );
    }
    if rule.paid_years == Some(0) {
        cx.error(
            &format!("{path}.paid_years"),
            Msg::new(Key::PaidYearsZero),
            None,
        );
    }
    let by_schedule = schedule.and_then(over_years);
    match (rule.paid, by_schedule) {
        (Some(_), Some(Paid::OverYears { years })) => {
            cx.error(
                &format!("{path}.paid"),
                Msg::new(Key::PaidWithYearsSchedule).arg("parts", years.to_string()),
                None,
            );
            Paid::OverYears { years }
        }
        (None, Some(over)) => over,
        (Some(PaidSource::Once), _) => Paid::Once,
        (Some(PaidSource::Yearly), _) => Paid::Yearly {
            years: rule.paid_years.filter(|&y| y > 0),
        },
        (None, _) => Paid::Unstated,
    }
}

/// Which of the five ways of paying a rule gives: read once from the keys present, so that
/// every later check matches on this rather than on key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MeasureKind {
    /// `rate` × `quantity`.
    Rate,
    /// `amount`: a formula in 元.
    Amount,
    /// `cap_without_rate` with a `quantity`: the text gives a cap and no rate.
    CapWithoutRate,
    /// `loan`.
    Loan,
    /// `not_computed`: a measure the estimator does not compute, with why.
    NotComputed,
}

impl MeasureKind {
    const ALL: [MeasureKind; 5] = [
        MeasureKind::Rate,
        MeasureKind::Amount,
        MeasureKind::CapWithoutRate,
        MeasureKind::Loan,
        MeasureKind::NotComputed,
    ];

    /// The YAML key that gives this kind.
    fn key(self) -> &'static str {
        match self {
            MeasureKind::Rate => "rate",
            MeasureKind::Amount => "amount",
            MeasureKind::CapWithoutRate => "cap_without_rate",
            MeasureKind::Loan => "loan",
            MeasureKind::NotComputed => "not_computed",
        }
    }

    /// Every kind the rule gives, in the order above; a right rule gives exactly one.
    fn given_by(rule: &RuleSource) -> Vec<MeasureKind> {
        MeasureKind::ALL
            .into_iter()
            .filter(|kind| match kind {
                MeasureKind::Rate => rule.rate.is_some(),
                MeasureKind::Amount => rule.amount.is_some(),
                MeasureKind::CapWithoutRate => rule.cap_without_rate.is_some(),
                MeasureKind::Loan => rule.loan.is_some(),
                MeasureKind::NotComputed => rule.not_computed.is_some(),
            })
            .collect()
    }

    /// Whether the kind applies to a `quantity`.
    fn needs_quantity(self) -> bool {
        matches!(self, MeasureKind::Rate | MeasureKind::CapWithoutRate)
    }

    /// Whether a `cap` on the amount goes with the kind.
    fn takes_cap(self) -> bool {
        matches!(self, MeasureKind::Rate | MeasureKind::Amount)
    }
}

fn measure(
    cx: &mut FileContext<'_>,
    path: &str,
    rule: &RuleSource,
    facts: &FactCatalogue,
) -> Option<Measure> {
    let given = MeasureKind::given_by(rule);
    let needs_quantity = given.first().is_some_and(|kind| kind.needs_quantity());
    // A key the reading left out may be the one that says what the rule pays: such a rule
    // is not blamed for saying nothing, only checked formula by formula.
    if cx.is_damaged(path) && (given.is_empty() || needs_quantity != rule.quantity.is_some()) {
        formulas_alone(cx, path, rule, facts);
        return None;
    }
    let kind = match given.as_slice() {
        [kind] => *kind,
        [] => {
            let message = Msg::new(Key::RulePaysNothing).arg("id", &rule.id);
            cx.error(path, message, Some(Msg::new(Key::HintMeasureKinds)));
            return None;
        }
        _ => {
            let message = Msg::new(Key::RuleGivesBoth)
                .arg("id", &rule.id)
                .list("keys", given.iter().map(|k| format!("`{}`", k.key())));
            cx.error(path, message, Some(Msg::new(Key::HintMeasureKinds)));
            return None;
        }
    };
    if needs_quantity != rule.quantity.is_some() {
        let message = if needs_quantity {
            Msg::new(Key::RuleNeedsQuantity).arg("key", kind.key())
        } else {
            Msg::new(Key::QuantityNotWith).arg("key", kind.key())
        };
        let hint = if needs_quantity {
            Key::HintQuantityExample
        } else {
            Key::HintQuantityNotWith
        };
        cx.error(path, message, Some(Msg::new(hint)));
        return None;
    }
    if rule.max_quantity.is_some() && kind != MeasureKind::Rate {
        cx.error(
            &format!("{path}.max_quantity"),
            Msg::new(Key::MaxQuantityNotWith),
            Some(Msg::new(Key::HintMaxQuantityNotWith)),
        );
        return None;
    }
    if rule.cap.is_some() && !kind.takes_cap() {
        cx.error(
            &format!("{path}.cap"),
            Msg::new(Key::CapNotWith).arg("key", kind.key()),
            Some(Msg::new(Key::HintCapWithoutRate)),
        );
        return None;
    }
    if rule.round_to.is_some_and(|p| p > 4) {
        cx.error(
            &format!("{path}.round_to"),
            Msg::new(Key::RoundToRange),
            Some(Msg::new(Key::HintRoundTo)),
        );
        return None;
    }
    // A cap that is wrong does not hide what is wrong with the rest of the rule.
    let cap = rule
        .cap
        .as_ref()
        .map(|text| cx.constant(&format!("{path}.cap"), text, facts, Dimension::MONEY));
    let cap_wrong = matches!(cap, Some(None));
    let cap = cap.flatten();
    let quantity = match &rule.quantity {
        Some(text) => {
            let qpath = format!("{path}.quantity");
            let compiled = match calculator::formula::compile(text, facts) {
                Ok(c) => c,
                Err(error) => {
                    cx.formula_error(&qpath, text, &error, facts);
                    return None;
                }
            };
            match compiled.ty {
                Type::Number(d)
                    if !d.is_none() && d != Dimension::MONEY
                        || d == Dimension::MONEY && kind == MeasureKind::CapWithoutRate =>
                {
                    Some((compiled.expr, d, describe(text, facts)))
                }
                Type::Number(d) if d == Dimension::MONEY => {
                    cx.error(
                        &qpath,
                        Msg::new(Key::QuantityIsMoney).arg("text", text),
                        Some(Msg::new(Key::HintQuantityIsMoney)),
                    );
                    return None;
                }
                other => {
                    cx.error(
                        &qpath,
                        Msg::new(Key::QuantityNoUnit)
                            .arg("text", text)
                            .arg("found", type_words(other)),
                        Some(Msg::new(Key::HintQuantityNoUnit)),
                    );
                    return None;
                }
            }
        }
        None => None,
    };
    let measure = match kind {
        MeasureKind::Rate => {
            let (quantity, dimension, quantity_text) = quantity?;
            let unit = unit_of(&quantity, dimension, facts);
            let rate_text = rule.rate.clone().unwrap_or_default();
            let rate_unit = Dimension::MONEY.divided_by(dimension);
            let rate = if bare_number(&rate_text) {
                // `rate: 400`: per head or per mu is what the quantity says.
                let value = rate_text.trim();
                cx.error(
                    &format!("{path}.rate"),
                    Msg::new(Key::AmountNoUnit)
                        .arg("key", "rate")
                        .arg("value", value),
                    Some(
                        Msg::new(Key::HintRateNoUnit)
                            .arg("fixed", format!("rate: {value} 元/{unit}"))
                            .arg("quantity", rule.quantity.as_deref().unwrap_or_default())
                            .arg("unit", unit.as_str()),
                    ),
                );
                None
            } else {
                cx.formula(
                    &format!("{path}.rate"),
                    &rate_text,
                    facts,
                    Type::Number(rate_unit),
                )
            };
            let max_quantity = match &rule.max_quantity {
                Some(text) => {
                    Some(cx.constant(&format!("{path}.max_quantity"), text, facts, dimension)?)
                }
                None => None,
            };
            Measure::PerUnit {
                quantity,
                quantity_text,
                unit,
                max_quantity,
                rate: rate?,
                rate_text,
                cap,
                round_to: rule.round_to,
            }
        }
        MeasureKind::Amount => {
            let amount_text = rule.amount.clone().unwrap_or_default();
            Measure::Formula {
                amount: cx.formula(
                    &format!("{path}.amount"),
                    &amount_text,
                    facts,
                    Type::Number(Dimension::MONEY),
                )?,
                amount_text: describe(&amount_text, facts),
                cap,
                round_to: rule.round_to,
            }
        }
        MeasureKind::CapWithoutRate => {
            let (quantity, dimension, quantity_text) = quantity?;
            let text = rule.cap_without_rate.clone().unwrap_or_default();
            Measure::CapWithoutRate {
                unit: unit_of(&quantity, dimension, facts),
                quantity,
                quantity_text,
                cap: cx.constant(
                    &format!("{path}.cap_without_rate"),
                    &text,
                    facts,
                    Dimension::MONEY,
                )?,
            }
        }
        MeasureKind::Loan => {
            let loan = rule.loan.as_ref()?;
            let max_principal = match &loan.max_principal {
                Some(text) => Some(cx.formula(
                    &format!("{path}.loan.max_principal"),
                    text,
                    facts,
                    Type::Number(Dimension::MONEY),
                )?),
                None => None,
            };
            Measure::Loan {
                max_principal,
                max_principal_text: loan.max_principal.clone(),
                term: loan.term.clone(),
                interest: loan.interest.clone(),
            }
        }
        MeasureKind::NotComputed => {
            let reason = rule.not_computed.clone().unwrap_or_default();
            if reason.trim().is_empty() {
                cx.error(
                    &format!("{path}.not_computed"),
                    Msg::new(Key::NotComputedEmpty),
                    Some(Msg::new(Key::HintNotComputed)),
                );
                return None;
            }
            Measure::NotComputed { reason }
        }
    };
    (!cap_wrong).then_some(measure)
}

fn schedule(
    cx: &mut FileContext<'_>,
    path: &str,
    source: &ScheduleSource,
    measure: Option<&Measure>,
    facts: &FactCatalogue,
    clauses: Option<&[Clause]>,
    text_name: &str,
) -> Option<Schedule> {
    if let Some(clause) = &source.clause {
        check_clause(cx, &format!("{path}.clause"), clause, clauses, text_name);
    }
    if source.parts.len() < 2 {
        cx.error(
            &format!("{path}.parts"),
            Msg::new(Key::ScheduleTooFewParts),
            Some(Msg::new(Key::HintScheduleParts)),
        );
        return None;
    }
    let by_rate = source
        .parts
        .iter()
        .all(|p| p.rate.is_some() && p.share.is_none());
    let by_share = source
        .parts
        .iter()
        .all(|p| p.share.is_some() && p.rate.is_none());
    if !by_rate && !by_share {
        cx.error(
            &format!("{path}.parts"),
            Msg::new(Key::ScheduleMixedParts),
            Some(Msg::new(Key::HintScheduleParts)),
        );
        return None;
    }
    let mut parts = Vec::with_capacity(source.parts.len());
    if by_share {
        for (i, part) in source.parts.iter().enumerate() {
            let text = part.share.clone().unwrap_or_default();
            let weight = cx.constant(
                &format!("{path}.parts[{i}].share"),
                &text,
                facts,
                Dimension::NONE,
            )?;
            parts.push(SchedulePart {
                label: part.label.clone(),
                weight,
            });
        }
        let sum = checked_sum(parts.iter().map(|p| p.weight));
        if sum != Some(Decimal::ONE) {
            let shown: crate::messages::Arg = sum
                .and_then(|s| s.checked_mul(Decimal::ONE_HUNDRED))
                .map_or(Msg::new(Key::PhraseTooLarge).into(), |s| {
                    s.normalize().to_string().into()
                });
            cx.error(
                &format!("{path}.parts"),
                Msg::new(Key::ScheduleSharesSum).arg("sum", shown),
                Some(Msg::new(Key::HintSharesSum)),
            );
            return None;
        }
    } else {
        let Some(Measure::PerUnit { rate, unit, .. }) = measure else {
            cx.error(
                &format!("{path}.parts"),
                Msg::new(Key::ScheduleRateNeedsPerUnit),
                Some(Msg::new(Key::HintScheduleShares)),
            );
            return None;
        };
        let whole = rate.constant().filter(|r| r.is_exact()).map(|r| r.min);
        let Some(whole) = whole else {
            cx.error(
                &format!("{path}.parts"),
                Msg::new(Key::ScheduleRateNotFixed),
                Some(Msg::new(Key::HintScheduleShares)),
            );
            return None;
        };
        let rate_unit = Dimension::parse(&format!("元/{unit}")).unwrap_or(Dimension::MONEY);
        for (i, part) in source.parts.iter().enumerate() {
            let text = part.rate.clone().unwrap_or_default();
            let weight =
                cx.constant(&format!("{path}.parts[{i}].rate"), &text, facts, rate_unit)?;
            parts.push(SchedulePart {
                label: part.label.clone(),
                weight,
            });
        }
        let sum = checked_sum(parts.iter().map(|p| p.weight));
        if sum != Some(whole) {
            let shown: crate::messages::Arg = sum
                .map_or(Msg::new(Key::PhraseTooLarge).into(), |s| {
                    s.normalize().to_string().into()
                });
            cx.error(
                &format!("{path}.parts"),
                Msg::new(Key::ScheduleRatesSum)
                    .arg("sum", shown)
                    .arg("unit", unit.as_str())
                    .arg("whole", whole.normalize().to_string()),
                Some(Msg::new(Key::HintScheduleSum)),
            );
            return None;
        }
    }
    Some(Schedule {
        kind: match source.kind {
            ScheduleKindSource::Tranches => ScheduleKind::Tranches,
            ScheduleKindSource::Years => ScheduleKind::Years,
        },
        clause: source.clause.clone(),
        parts,
    })
}

fn group(
    cx: &mut FileContext<'_>,
    i: usize,
    source: &GroupSource,
    policy: &PolicySource,
    facts: &FactCatalogue,
    clauses: Option<&[Clause]>,
    text_name: &str,
) -> Option<Group> {
    let path = format!("groups[{}]", policy.positions.group(i));
    let before = cx.diagnostics.len();
    if !valid_id(&source.id) {
        cx.error(
            &format!("{path}.id"),
            Msg::new(Key::GroupIdInvalid).arg("id", &source.id),
            Some(Msg::new(Key::HintGroupId)),
        );
    } else if policy.groups[..i].iter().any(|g| g.id == source.id)
        || policy.rules.iter().any(|r| r.id == source.id)
    {
        cx.error(
            &format!("{path}.id"),
            Msg::new(Key::GroupIdTaken).arg("id", &source.id),
            Some(Msg::new(Key::HintGroupIdTaken)),
        );
    }
    check_clause(
        cx,
        &format!("{path}.clause"),
        &source.clause,
        clauses,
        text_name,
    );
    let mut members = Vec::with_capacity(source.rules.len());
    let mut elsewhere = Vec::new();
    for (j, id) in source.rules.iter().enumerate() {
        let member_path = format!("{path}.rules[{j}]");
        // `policy-id#rule-id`: a rule of another policy (a region above's, or another of the
        // county's); the loader checks that it exists, as it knows every document.
        if let Some((other, rule)) = id.split_once('#') {
            if valid_id(other) && valid_id(rule) {
                elsewhere.push(calculator::model::RuleAt {
                    policy: other.to_owned(),
                    rule: rule.to_owned(),
                });
            } else {
                cx.error(
                    &member_path,
                    Msg::new(Key::GroupUnknownRule).arg("id", id),
                    Some(Msg::new(Key::HintGroupElsewhere)),
                );
            }
            continue;
        }
        match policy.rules.iter().position(|r| &r.id == id) {
            Some(_) if source.rules[..j].contains(id) => cx.error(
                &member_path,
                Msg::new(Key::GroupRuleTwice).arg("id", id),
                Some(Msg::new(Key::HintGroupRuleTwice)),
            ),
            Some(index) => members.push(index),
            None if policy.positions.unreadable_rules.contains(id)
                || policy.positions.unknown_rule_ids => {}
            None => cx.error(
                &member_path,
                Msg::new(Key::GroupUnknownRule).arg("id", id),
                closest(id, policy.rules.iter().map(|r| r.id.as_str()))
                    .map(|n| Msg::new(Key::HintDidYouMean).arg("suggestion", n)),
            ),
        }
    }
    if source.choose == ChooseSource::One && source.rules.len() < 2 {
        cx.error(
            &format!("{path}.rules"),
            Msg::new(Key::ChooseOneTooFew),
            Some(Msg::new(Key::HintChooseOne)),
        );
    }
    if source.choose == ChooseSource::All && source.cap.is_none() && source.schedule.is_none() {
        cx.error(
            &path,
            Msg::new(Key::GroupDoesNothing),
            Some(Msg::new(Key::HintGroupDoesNothing)),
        );
    }
    let cap = match &source.cap {
        Some(text) => cx.constant(&format!("{path}.cap"), text, facts, Dimension::MONEY),
        None => None,
    };
    let schedule = match &source.schedule {
        Some(s) => schedule(
            cx,
            &format!("{path}.schedule"),
            s,
            None,
            facts,
            clauses,
            text_name,
        ),
        None => None,
    };
    if cx.diagnostics.len() > before {
        return None;
    }
    Some(Group {
        id: source.id.clone(),
        label: source.label.clone(),
        clause: source.clause.clone(),
        rules: members,
        elsewhere,
        choose_one: source.choose == ChooseSource::One,
        cap,
        schedule,
        notes: source.notes.clone(),
    })
}

/// A formula as people read it: fact ids replaced by their labels
/// (`dairy_goats + meat_sheep` → `奶山羊 + 肉羊（其他羊）`).
pub fn describe(formula: &str, facts: &FactCatalogue) -> String {
    let mut out = String::with_capacity(formula.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match facts.get(word) {
            Some(fact) => out.push_str(&fact.label),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in formula.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The unit to show for a quantity: the fact's own (只 for chickens) when it is one fact,
/// else the unit of the formula.
fn unit_of(quantity: &Expr, dimension: Dimension, facts: &FactCatalogue) -> String {
    let mut used = Vec::new();
    quantity.facts_used(&mut used);
    let units: Vec<Option<&String>> = used
        .iter()
        .map(|&i| facts.facts.get(i).and_then(|f| f.unit.as_ref()))
        .collect();
    match units.first() {
        // dairy_goats + meat_sheep: both 只, so 只 rather than the base unit 头.
        Some(Some(first)) if units.iter().all(|u| u == &Some(*first)) => (*first).clone(),
        _ => dimension.to_string(),
    }
}

/// A sum that says `None` instead of overflowing.
fn checked_sum(values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    let mut values = values;
    values.try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v))
}

/// For a rule that lost a key in reading: every formula it has, checked on its own.
fn formulas_alone(cx: &mut FileContext<'_>, path: &str, rule: &RuleSource, facts: &FactCatalogue) {
    let formulas = [
        ("quantity", &rule.quantity),
        ("rate", &rule.rate),
        ("amount", &rule.amount),
        ("cap_without_rate", &rule.cap_without_rate),
        ("cap", &rule.cap),
        ("max_quantity", &rule.max_quantity),
    ];
    for (key, text) in formulas {
        if let Some(text) = text {
            cx.formula_alone(&format!("{path}.{key}"), text, facts);
        }
    }
    if let Some(text) = rule.loan.as_ref().and_then(|l| l.max_principal.as_ref()) {
        cx.formula_alone(&format!("{path}.loan.max_principal"), text, facts);
    }
}

/// What a formula gives, in words.
pub fn type_words(ty: Type) -> Msg {
    match ty {
        Type::Number(d) if d.is_none() => Msg::new(Key::TypeNumber),
        Type::Number(d) => Msg::new(Key::TypeAmount).arg("unit", d.to_string()),
        Type::YesNo => Msg::new(Key::TypeYesNo),
    }
}

fn token_words(found: &Found) -> Msg {
    match found {
        Found::Number(n) => Msg::new(Key::TokenNumber).arg("value", n.as_str()),
        Found::Percent => Msg::new(Key::TokenPercent),
        Found::Unit(u) => Msg::new(Key::TokenUnit).arg("unit", u.as_str()),
        Found::Name(n) => Msg::new(Key::TokenName).arg("name", n.as_str()),
        Found::Function(n) => Msg::new(Key::TokenFunction).arg("name", n.as_str()),
        Found::Symbol(s) => Msg::new(Key::TokenSymbol).arg("symbol", *s),
    }
}

/// A formula as a message shows it: long formulas are cut, the place is underlined anyway.
fn shown_formula(text: &str) -> String {
    const MOST: usize = 60;
    if text.chars().count() <= MOST {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MOST).collect();
        cut.push('…');
        cut
    }
}

/// A formula problem in words: the message and the hints, from the engine's structured
/// problem (the engine itself has no words for people).
pub fn formula_problem(
    problem: &FormulaProblem,
    text: &str,
    facts: &FactCatalogue,
) -> (Msg, Vec<Msg>) {
    let functions = || calculator::formula::FUNCTIONS.iter().map(|f| f.to_string());
    let function_example = |function: &str| {
        let example = match function {
            "MIN" => "MIN(cash_crop_mu, 2 亩)",
            "MAX" => "MAX(pigs * 300 元/头, 500 元)",
            "AND" => "AND(registered_poor, has_labor)",
            "OR" => "OR(exit_year = 2014, exit_year = 2015)",
            "NOT" => "NOT(registered_poor)",
            "IF" => "IF(has_labor, 500 元, 0 元)",
            "BETWEEN" => "BETWEEN(1000 元, 5000 元)",
            "AT_LEAST" => "equity_yuan * AT_LEAST(6%)",
            "UP_TO" => "UP_TO(2000 元)",
            _ => "ROUND(equity_yuan * 5%, 2)",
        };
        Msg::new(Key::HintFunctionExample).arg("example", example)
    };
    match problem {
        FormulaProblem::Exponent { number } => (
            Msg::new(Key::FormulaExponent).arg("number", number.as_str()),
            vec![Msg::new(Key::HintFormulaExponent)],
        ),
        FormulaProblem::TooManyDigits { number } => (
            Msg::new(Key::FormulaTooManyDigits).arg("number", shown_formula(number)),
            vec![Msg::new(Key::HintFormulaDigits)],
        ),
        FormulaProblem::NotANumber { text } => (
            Msg::new(Key::FormulaNotANumber).arg("text", shown_formula(text)),
            vec![Msg::new(Key::HintFormulaNumber)],
        ),
        FormulaProblem::Character { character } => (
            Msg::new(Key::FormulaCharacter).arg("character", character.to_string()),
            vec![Msg::new(Key::HintFormulaParts)
                .arg(
                    "units",
                    calculator::unit::Dimension::words()
                        .collect::<Vec<_>>()
                        .join(" "),
                )
                .list("functions", functions())],
        ),
        FormulaProblem::Empty => (
            Msg::new(Key::FormulaEmpty),
            vec![Msg::new(Key::HintFormulaEmpty)],
        ),
        FormulaProblem::TooDeep => (
            Msg::new(Key::FormulaTooDeep),
            vec![Msg::new(Key::HintFormulaTooDeep)],
        ),
        FormulaProblem::Incomplete => (
            Msg::new(Key::FormulaIncomplete),
            vec![Msg::new(Key::HintFormulaIncomplete)],
        ),
        FormulaProblem::UnitAlone { unit } => (
            Msg::new(Key::FormulaUnitAlone).arg("unit", unit.as_str()),
            vec![Msg::new(Key::HintFormulaUnitAlone).arg("unit", unit.as_str())],
        ),
        FormulaProblem::Unexpected { found } => (
            Msg::new(Key::FormulaSyntax).arg("found", token_words(found)),
            vec![Msg::new(Key::HintFormulaSyntax)],
        ),
        FormulaProblem::AfterTheEnd { found } => (
            Msg::new(Key::FormulaExtra).arg("found", token_words(found)),
            vec![Msg::new(Key::HintFormulaExtra)],
        ),
        FormulaProblem::UnknownFact { name, suggestion } => {
            let mut hints = Vec::new();
            match suggestion {
                Some(near) => {
                    hints.push(Msg::new(Key::HintDidYouMean).arg("suggestion", near.as_str()))
                }
                // Nothing close: the whole catalogue with its Chinese labels.
                None => hints.push(all_facts(facts)),
            }
            hints.push(Msg::new(Key::HintFactsListed));
            (Msg::new(Key::UnknownFact).arg("name", name.as_str()), hints)
        }
        FormulaProblem::UnknownFunction { name, suggestion } => {
            let mut hints = Vec::new();
            if let Some(near) = suggestion {
                hints.push(Msg::new(Key::HintDidYouMean).arg("suggestion", near.as_str()));
            }
            hints.push(Msg::new(Key::HintFunctions).list("functions", functions()));
            (
                Msg::new(Key::UnknownFunction).arg("name", name.as_str()),
                hints,
            )
        }
        FormulaProblem::BracketNotClosed => (
            Msg::new(Key::FormulaBracket),
            vec![Msg::new(Key::HintFormulaBracket)],
        ),
        FormulaProblem::NoBrackets { function } => (
            Msg::new(Key::FormulaNoBrackets).arg("function", function.as_str()),
            vec![Msg::new(Key::HintFormulaNoBrackets).arg("function", function.as_str())],
        ),
        FormulaProblem::ArgumentsNotClosed { function } => (
            Msg::new(Key::FormulaArgumentsBracket).arg("function", function.as_str()),
            vec![Msg::new(Key::HintFormulaArgumentsBracket)],
        ),
        FormulaProblem::ArgumentCount { function, given } => {
            let wanted = match function.as_str() {
                "MIN" | "MAX" => Key::ArityTwoOrMore,
                "AND" | "OR" => Key::ArityOneOrMore,
                "NOT" => Key::ArityOneCondition,
                "IF" => Key::ArityIf,
                "BETWEEN" => Key::ArityBetween,
                "AT_LEAST" | "UP_TO" => Key::ArityOneAmount,
                _ => Key::ArityRound,
            };
            (
                Msg::new(Key::FormulaArgumentCount)
                    .arg("function", function.as_str())
                    .arg("wanted", Msg::new(wanted))
                    .arg("given", *given),
                vec![function_example(function)],
            )
        }
        FormulaProblem::MixedArguments {
            function,
            this,
            first,
        } => (
            Msg::new(Key::FormulaMixedArguments)
                .arg("function", function.as_str())
                .arg("this", type_words(*this))
                .arg("first", type_words(*first)),
            vec![Msg::new(Key::HintFormulaMixedArguments)],
        ),
        FormulaProblem::NotACondition { function, this } => (
            Msg::new(Key::FormulaNotACondition)
                .arg("function", function.as_str())
                .arg("this", type_words(*this)),
            vec![Msg::new(Key::HintFormulaNotACondition)],
        ),
        FormulaProblem::RoundPlaces => (
            Msg::new(Key::FormulaRoundPlaces),
            vec![Msg::new(Key::HintFormulaRoundPlaces)],
        ),
        FormulaProblem::CannotCompare { left, right } => (
            Msg::new(Key::FormulaCannotCompare)
                .arg("left", type_words(*left))
                .arg("right", type_words(*right)),
            vec![Msg::new(Key::HintFormulaCannotCompare)],
        ),
        FormulaProblem::MixedUnits {
            subtract,
            left,
            right,
        } => (
            Msg::new(Key::FormulaMixedUnits)
                .arg(
                    "op",
                    Msg::new(if *subtract {
                        Key::OpSubtract
                    } else {
                        Key::OpAdd
                    }),
                )
                .arg("left", type_words(*left))
                .arg("right", type_words(*right)),
            vec![Msg::new(Key::HintFormulaMixedUnits)],
        ),
        FormulaProblem::ConditionArithmetic => (
            Msg::new(Key::FormulaConditionArithmetic),
            vec![Msg::new(Key::HintFormulaConditionArithmetic)],
        ),
        FormulaProblem::NegatedCondition => (
            Msg::new(Key::FormulaNegatedCondition),
            vec![Msg::new(Key::HintFormulaNegatedCondition)],
        ),
        FormulaProblem::WrongType { found, expected } => {
            let hint = match (expected, found) {
                (Type::Number(e), Type::Number(_)) if *e == Dimension::MONEY => {
                    Msg::new(Key::HintMoneyResult)
                }
                (Type::YesNo, _) => Msg::new(Key::HintConditionResult),
                (Type::Number(e), _) if e.is_none() => Msg::new(Key::HintSharePercent),
                (Type::Number(e), _) => Msg::new(Key::HintUnitResult).arg("unit", e.to_string()),
            };
            (
                Msg::new(Key::FormulaWrongType)
                    .arg("formula", shown_formula(text))
                    .arg("found", type_words(*found))
                    .arg("expected", type_words(*expected)),
                vec![hint],
            )
        }
    }
}
