//! What each page shows, worked out in Rust so templates only lay it out: rules as table
//! rows, worked examples as computed by the engine during this build, the region tree, the
//! comparison.

use crate::urls;
use crate::words::Words;
use calculator::estimate::Estimate;
use calculator::model::{Audience, Level, Measure, Policy, RegionRef, Rule};
use calculator::{Amount, Date};
use estimate_view::explain::yuan;
use policy::compile::describe;
use policy::load::{Document, Project};
use policy::source::{
    AppliesToSource, DocumentKindSource, EditorialNote, MetadataSource, PolicySource, RuleSource,
    StatusSource, ValiditySource,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A policy's `policy.yaml` as its page's `document`: every key but its rules, groups, steps
/// to apply and worked examples, which the page shows from their own views (`rules`,
/// `apply`, `examples`). Serialising those into each of a national build's 30,000 pages' contexts
/// was more than 1% of the build; a project's own `policy.html` still gets all of it.
#[derive(Debug, Serialize)]
pub struct DocumentHead<'a> {
    id: &'a str,
    county: &'a str,
    applies_to: &'a Option<AppliesToSource>,
    replaces: &'a [String],
    kind: DocumentKindSource,
    title: &'a str,
    metadata: &'a MetadataSource,
    validity: &'a ValiditySource,
    supersedes: &'a Option<String>,
    combines_with: &'a [String],
    text_from: &'a Option<String>,
    eligible: &'a Option<String>,
    eligible_description: &'a Option<String>,
    notes: &'a [EditorialNote],
}

impl<'a> DocumentHead<'a> {
    /// The head of `source`.
    pub fn of(source: &'a PolicySource) -> DocumentHead<'a> {
        DocumentHead {
            id: &source.id,
            county: &source.county,
            applies_to: &source.applies_to,
            replaces: &source.replaces,
            kind: source.kind,
            title: &source.title,
            metadata: &source.metadata,
            validity: &source.validity,
            supersedes: &source.supersedes,
            combines_with: &source.combines_with,
            text_from: &source.text_from,
            eligible: &source.eligible,
            eligible_description: &source.eligible_description,
            notes: &source.notes,
        }
    }
}

/// A rule as a row of a table: 项目, 标准, 上限, 条件, 兑现, 依据.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    /// The rule's id; its row's anchor on the policy page is `rule-ID`.
    pub id: String,
    /// What it is for, in the document's words (养猪).
    pub label: String,
    /// Whom the rule is for; pages group rows by it.
    pub audience: Audience,
    /// The same in words, as readers see it.
    pub audience_label: &'static str,
    /// 标准: the rate or amount as readers see it (`300 元/头`); empty when the rule's YAML
    /// is not found.
    pub standard: String,
    /// 上限: its own caps, the group caps and one-of choices it falls under, and what it
    /// tops up.
    pub limits: Vec<String>,
    /// 条件: who qualifies, in words; `None` for everyone the audience covers.
    pub condition: Option<String>,
    /// 兑现: how it is paid over time, its own schedule or its group's (合计…).
    pub schedule: Option<String>,
    /// 依据: the anchor of the clause that says so.
    pub clause: String,
    /// That clause's address, on the page that holds the text.
    pub clause_url: String,
    /// Interpretations and remarks, shown under the table.
    pub notes: Vec<String>,
    /// Why the measure is not computed, when it is not.
    pub not_computed: Option<String>,
}

/// A formula as readers see it: fact labels, × and Chinese words for the functions, a
/// choice (`IF(exit_year = 2016, UP_TO(500 元/亩), 500 元/亩)`) as a sentence.
pub fn for_readers(formula: &str, project: &Project, words: &Words) -> String {
    // Choices first: in the formula as written, （ ） and ， can only be its syntax, while
    // fact labels have full-width brackets of their own.
    describe(&choices_in_words(formula, words), &project.facts)
        .replace(" * ", " × ")
        .replace('*', "×")
        .replace("AT_LEAST", words.get("formula_at_least"))
        .replace("UP_TO", words.get("formula_up_to"))
        .replace("BETWEEN", words.get("formula_between"))
        .replace("MIN", words.get("formula_min"))
        .replace("MAX", words.get("formula_max"))
}

/// Each `IF(condition, then, otherwise)` of a formula as `formula_if` words, inner ones too,
/// with the full-width brackets and comma the formula language also takes; an `IF` whose
/// parentheses or arguments do not add up is left as it is written.
fn choices_in_words(text: &str, words: &Words) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("IF") {
        let starts_a_name = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        let after = rest[at + 2..].trim_start();
        let call = after
            .strip_prefix(['(', '（'])
            .filter(|_| starts_a_name)
            .and_then(|inside| arguments(inside).map(|(args, end)| (args, &inside[end..])));
        match call {
            Some((args, after_call)) if args.len() == 3 => {
                out.push_str(&rest[..at]);
                let [cond, then, otherwise] =
                    [args[0], args[1], args[2]].map(|a| choices_in_words(a.trim(), words));
                out.push_str(&words.fill(
                    "formula_if",
                    &[("cond", &cond), ("then", &then), ("else", &otherwise)],
                ));
                rest = after_call;
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The arguments of a call whose opening bracket is just before `text`, split at its own
/// commas, and where the text after its closing bracket starts.
fn arguments(text: &str) -> Option<(Vec<&str>, usize)> {
    let mut depth = 0usize;
    let mut args = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' if depth == 0 => {
                args.push(&text[start..i]);
                return Some((args, i + c.len_utf8()));
            }
            ')' | '）' => depth -= 1,
            ',' | '，' if depth == 0 => {
                args.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    None
}

fn range_text(amount: Amount) -> String {
    yuan(&amount)
}

fn standard(rule: &Rule, source: &RuleSource, project: &Project, words: &Words) -> String {
    let text = measure_text(rule, source, project, words);
    match estimate_view::explain::paid_text(rule.paid) {
        paid if paid.is_empty() => text,
        paid => words.fill("std_with_paid", &[("text", &text), ("paid", &paid)]),
    }
}

fn measure_text(rule: &Rule, source: &RuleSource, project: &Project, words: &Words) -> String {
    match &rule.measure {
        Measure::PerUnit {
            rate,
            rate_text,
            quantity_text,
            ..
        } => {
            let rate = match rate.constant() {
                Some(a) if a.is_exact() => rate_text.clone(),
                _ => for_readers(rate_text, project, words),
            };
            // Say what the rate is paid on only when it is not obvious from the label.
            if quantity_text.contains('+') {
                words.fill(
                    "std_summed",
                    &[("rate", &rate), ("quantity", quantity_text)],
                )
            } else {
                rate
            }
        }
        Measure::Formula {
            amount,
            amount_text,
            ..
        } => match amount.constant() {
            Some(a) => range_text(a),
            None => for_readers(
                source.amount.as_deref().unwrap_or(amount_text),
                project,
                words,
            ),
        },
        Measure::CapWithoutRate { cap, .. } => {
            words.fill("std_cap_only", &[("cap", &cap.normalize().to_string())])
        }
        Measure::Loan {
            max_principal_text,
            term,
            interest,
            ..
        } => {
            let principal = max_principal_text.as_deref().map_or(
                words.get("std_loan_unstated").to_owned(),
                |t| {
                    words.fill(
                        "std_loan_max",
                        &[("amount", &for_readers(t, project, words))],
                    )
                },
            );
            let term = term
                .as_ref()
                .map(|t| words.fill("std_loan_term", &[("term", t)]))
                .unwrap_or_default();
            words.fill(
                "std_loan",
                &[
                    ("principal", &principal),
                    ("term", &term),
                    ("interest", interest),
                ],
            )
        }
        Measure::NotComputed { .. } => words.get("std_not_computed").to_owned(),
    }
}

/// The rows of a policy's rules, with the group limits each rule falls under.
pub fn rule_rows(
    document: &Document,
    policy: &Policy,
    project: &Project,
    words: &Words,
) -> Vec<RuleRow> {
    let text_page = policy.text_policy_id().to_owned();
    policy
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let source = document.source.rules.iter().find(|r| r.id == rule.id);
            let mut limits = Vec::new();
            match &rule.measure {
                Measure::PerUnit {
                    max_quantity,
                    cap,
                    unit,
                    ..
                } => {
                    if let Some(q) = max_quantity {
                        limits.push(words.fill(
                            "limit_quantity",
                            &[("quantity", &q.normalize().to_string()), ("unit", unit)],
                        ));
                    }
                    if let Some(c) = cap {
                        limits
                            .push(words.fill("limit_cap", &[("cap", &c.normalize().to_string())]));
                    }
                }
                Measure::Formula { cap: Some(c), .. } => {
                    limits.push(words.fill("limit_cap", &[("cap", &c.normalize().to_string())]))
                }
                _ => {}
            }
            let mut schedule = rule
                .schedule
                .as_ref()
                .map(|s| schedule_text(s, &rule.measure, words));
            for group in policy.groups.iter().filter(|g| g.rules.contains(&i)) {
                if group.choose_one {
                    limits.push(words.fill("limit_choose_one", &[("group", &group.label)]));
                }
                if let Some(cap) = group.cap {
                    limits.push(words.fill(
                        "limit_group_cap",
                        &[
                            ("group", &group.label),
                            ("cap", &cap.normalize().to_string()),
                        ],
                    ));
                }
                if let Some(s) = &group.schedule {
                    let text = schedule_text(s, &rule.measure, words);
                    schedule = Some(words.fill("schedule_group", &[("schedule", &text)]));
                }
            }
            if let Some(base) = rule.adds_to.and_then(|b| policy.rules.get(b)) {
                limits.push(words.fill("limit_adds_to", &[("base", &base.label)]));
            }
            RuleRow {
                id: rule.id.clone(),
                label: rule.label.clone(),
                audience: rule.audience,
                audience_label: estimate_view::explain::audience_text(rule.audience),
                standard: source.map_or_else(String::new, |s| standard(rule, s, project, words)),
                limits,
                condition: rule.eligible.as_ref().map(|c| c.description.clone()),
                schedule,
                clause: rule.clause.clone(),
                clause_url: urls::clause(&text_page, &rule.clause),
                notes: rule.notes.clone(),
                not_computed: match &rule.measure {
                    Measure::NotComputed { reason } => Some(reason.clone()),
                    _ => None,
                },
            }
        })
        .collect()
}

fn schedule_text(
    schedule: &calculator::model::Schedule,
    measure: &Measure,
    words: &Words,
) -> String {
    let total: rust_decimal::Decimal = schedule.parts.iter().map(|p| p.weight).sum();
    let per_unit =
        matches!(measure, Measure::PerUnit { .. }) && total != rust_decimal::Decimal::ONE;
    let unit = match measure {
        Measure::PerUnit { unit, .. } => unit.as_str(),
        _ => "",
    };
    let parts: Vec<String> = schedule
        .parts
        .iter()
        .map(|p| {
            if per_unit {
                words.fill(
                    "schedule_part_rate",
                    &[
                        ("label", &p.label),
                        ("rate", &p.weight.normalize().to_string()),
                        ("unit", unit),
                    ],
                )
            } else {
                let percent = (p.weight * rust_decimal::Decimal::ONE_HUNDRED).normalize();
                words.fill(
                    "schedule_part_share",
                    &[("label", &p.label), ("percent", &percent.to_string())],
                )
            }
        })
        .collect();
    let kind = match schedule.kind {
        calculator::model::ScheduleKind::Tranches => words.get("schedule_tranches"),
        calculator::model::ScheduleKind::Years => words.get("schedule_years"),
    };
    words.fill(
        "schedule_text",
        &[("kind", kind), ("parts", &parts.join("，"))],
    )
}

/// A worked example as the engine computed it during this build.
#[derive(Debug, Serialize)]
pub struct ExampleView {
    /// The example's heading, as in the YAML (养5头猪、1头牛的贫困户).
    pub name: String,
    /// Whom the estimate was made for, in words (农户).
    pub audience: &'static str,
    /// The facts the household gave, in words (`猪：5 头`, `有劳动能力：是`).
    pub facts: Vec<String>,
    /// How the clerk worked the figures out by hand, when written down.
    pub working: Option<String>,
    /// The estimate as the estimator page shows it, from the same function.
    pub view: estimate_view::View,
}

/// The worked examples as the engine computed them while checking this build.
pub fn examples(document: &Document, words: &Words) -> Vec<ExampleView> {
    document
        .source
        .examples
        .iter()
        .zip(&document.example_estimates)
        .map(|(example, estimate)| {
            example_view(
                example.name.clone(),
                example.working.clone(),
                estimate,
                words,
            )
        })
        .collect()
}

/// One worked example for the page, from the estimate the check computed for it.
pub fn example_view(
    name: String,
    working: Option<String>,
    e: &Estimate,
    words: &Words,
) -> ExampleView {
    ExampleView {
        name,
        audience: estimate_view::explain::audience_text(e.audience),
        facts: e
            .facts
            .iter()
            .map(|f| match (f.value.as_str(), &f.unit) {
                ("true", _) => words.fill("fact_yes", &[("label", &f.label)]),
                ("false", _) => words.fill("fact_no", &[("label", &f.label)]),
                (v, Some(u)) => format!("{}：{v} {u}", f.label),
                (v, None) => format!("{}：{v}", f.label),
            })
            .collect(),
        working,
        view: estimate_view::view(e, e.date, &urls::clause_links()),
    }
}

/// A document as listed on county and home pages.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    /// The document's id, which is also its page's address.
    pub id: String,
    /// The title as issued.
    pub title: String,
    /// 政策文件, 调研报告 or 据报告转述.
    pub kind: String,
    /// 有效, 已修订, 失效, or 不适用（报告） for a report.
    pub status: String,
    /// The same text as `period`; no built-in template uses it.
    pub in_force_label: String,
    /// 成文日期 in Chinese (2017年3月1日), when given.
    pub written: Option<String>,
    /// 发布日期 in Chinese, when given.
    pub published: Option<String>,
    /// YYYY-MM-DD to sort by, newest first: published, else written, else the start of the
    /// period; also the feed's `updated`.
    pub sort_date: String,
    /// When the measures apply, in Chinese: `… 至 …`, or `… 起` when open-ended.
    pub period: String,
    /// The GB/T 2260 code of the county (or prefecture, province) whose document it is.
    pub county: String,
    /// That region's name; empty if it is not found.
    pub county_name: String,
    /// Its level: 县级, 市级, 省级, 国家.
    pub level: String,
    /// The level's rank, county first, to order a county's documents by.
    pub level_rank: u8,
    /// Whether the document has compiled rules to download (a report has none).
    pub has_rules: bool,
}

/// A level of government as readers see it: 县级, 市级, 省级, 国家.
pub fn level_label(level: regions::Level, words: &Words) -> String {
    words
        .get(match level {
            regions::Level::County => "level_county",
            regions::Level::Prefecture => "level_prefecture",
            regions::Level::Province => "level_province",
            regions::Level::Nation => "level_nation",
        })
        .to_owned()
}

/// One policy's next steps on a county's estimator page: shown after an estimate when the
/// module names the policy among those that pay (`View::next`).
#[derive(Debug, Clone, Serialize)]
pub struct EstimatorNext {
    /// The policy's id, as the module names it.
    pub id: String,
    /// Whom to see and the steps for households, worded as the policy page words them.
    pub view: estimate_view::page::ViewNext,
}

/// Every policy of a county's rulebook with its next steps for households, in the rulebook's
/// order (the order the module lists the paying ones in).
pub fn estimator_next(book: &calculator::Rulebook) -> Vec<EstimatorNext> {
    let links = urls::clause_links();
    book.policies
        .iter()
        .map(|p| EstimatorNext {
            id: p.id.clone(),
            view: estimate_view::page::apply_view(
                estimate_view::explain::document_text(&p.region, &p.title),
                p.apply
                    .as_ref()
                    .filter(|a| a.audience == Audience::Household),
                p.text_policy_id(),
                Audience::Household,
                book.county.office.as_deref(),
                &links,
            ),
        })
        .collect()
}

/// How to apply, as the policy page shows it: for households first (the steps, or that the
/// text does not say), then for whomever else the text's steps are for.
#[derive(Debug, Clone, Serialize)]
pub struct ApplySection {
    /// Whom the steps are for (农户, 企业、合作社等经营主体).
    pub audience: String,
    /// The steps and whom to see, as the estimate shows them.
    pub view: estimate_view::page::ViewNext,
}

/// The policy page's "怎么申请": nothing for a report; `office` is the county's, where a
/// document names it.
pub fn apply_sections(document: &Document, office: Option<&str>) -> Vec<ApplySection> {
    if document.source.kind == DocumentKindSource::Report {
        return Vec::new();
    }
    let Some(policy) = &document.compiled else {
        return Vec::new();
    };
    let links = urls::clause_links();
    let section = |audience: Audience, apply: Option<&calculator::model::Apply>| ApplySection {
        audience: estimate_view::explain::audience_text(audience).to_owned(),
        view: estimate_view::page::apply_view(
            String::new(),
            apply,
            policy.text_policy_id(),
            audience,
            office,
            &links,
        ),
    };
    let own = policy.apply.as_ref();
    let mut sections = vec![section(
        Audience::Household,
        own.filter(|a| a.audience == Audience::Household),
    )];
    if let Some(other) = own.filter(|a| a.audience != Audience::Household) {
        sections.push(section(other.audience, Some(other)));
    }
    sections
}

/// The kind of a document as readers see it: 政策文件, 调研报告, 据报告转述.
pub fn kind_label(kind: DocumentKindSource, words: &Words) -> String {
    words
        .get(match kind {
            DocumentKindSource::Policy => "kind_policy",
            DocumentKindSource::Report => "kind_report",
            DocumentKindSource::DerivedFromReport => "kind_derived",
        })
        .to_owned()
}

/// 有效性 as readers see it; a report has none (不适用（报告）).
pub fn status_label(document: &Document, words: &Words) -> String {
    let key = match (document.source.kind, document.source.metadata.status) {
        (DocumentKindSource::Report, _) => "status_report",
        (_, StatusSource::InForce) => "status_in_force",
        (_, StatusSource::Amended) => "status_amended",
        (_, StatusSource::Repealed) => "status_repealed",
    };
    words.get(key).to_owned()
}

fn chinese_date(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .and_then(|t| t.parse::<Date>().ok())
        .map(estimate_view::explain::date_text)
}

/// How a document is listed on home, county, data and policy pages and in the feed.
pub fn summary(document: &Document, project: &Project, words: &Words) -> DocumentSummary {
    let meta = &document.source.metadata;
    let from = estimate_view::explain::date_text(document.period.from);
    let period = match document.period.to {
        Some(to) => words.fill(
            "period_closed",
            &[
                ("from", &from),
                ("to", &estimate_view::explain::date_text(to)),
            ],
        ),
        None => words.fill("period_open", &[("from", &from)]),
    };
    DocumentSummary {
        id: document.source.id.clone(),
        title: document.source.title.clone(),
        kind: kind_label(document.source.kind, words),
        status: status_label(document, words),
        in_force_label: period.clone(),
        written: chinese_date(&meta.written),
        published: chinese_date(&meta.published),
        sort_date: meta
            .published
            .clone()
            .or(meta.written.clone())
            .unwrap_or_else(|| document.period.from.to_string()),
        period,
        county: document.source.county.clone(),
        county_name: project
            .county(&document.source.county)
            .or_else(|| project.region(&document.source.county))
            .map(|c| c.source.name.clone())
            .unwrap_or_default(),
        level: level_label(regions::level_of(&document.source.county), words),
        level_rank: regions::level_of(&document.source.county) as u8,
        has_rules: document.compiled.is_some(),
    }
}

/// Province → prefecture → counties, for the home page of a project small enough to list
/// every county (a county's or a province's office).
#[derive(Debug, Serialize)]
pub struct Province {
    /// Its GB/T 2260 code, for the link to its page.
    pub code: String,
    /// As the code list names it (陕西省).
    pub name: String,
    /// In GB/T 2260 order.
    pub prefectures: Vec<Prefecture>,
}

/// A prefecture-level city and its counties, on the home page.
#[derive(Debug, Serialize)]
pub struct Prefecture {
    /// Its GB/T 2260 code; the province's own for counties the province governs directly.
    pub code: String,
    /// As the code list names it (西安市).
    pub name: String,
    /// Whether it is a prefecture with a page of its own (not the province standing in).
    pub has_page: bool,
    /// By code.
    pub counties: Vec<CountyLink>,
}

/// A county's entry in the home page's tree.
#[derive(Debug, Serialize)]
pub struct CountyLink {
    /// Its GB/T 2260 code, for the link.
    pub code: String,
    /// Its name (高陵区).
    pub name: String,
    /// How many documents of its own it has.
    pub documents: usize,
}

/// What the home page and the region pages need of a county.
#[derive(Debug, Clone)]
pub struct CountyEntry {
    /// Its GB/T 2260 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The regions above it, nearest first, ending with the nation.
    pub above: Vec<RegionRef>,
    /// How many documents of its own it has.
    pub documents: usize,
}

impl CountyEntry {
    /// The entry for a loaded county with `documents` documents of its own.
    pub fn of(county: &policy::load::County, documents: usize) -> CountyEntry {
        // A county a project added to the code list may have nothing above it there: the
        // names its county.yaml writes stand in, without pages.
        let mut above = county.above.clone();
        if above.is_empty() {
            let written = [
                (&county.source.prefecture, Level::Prefecture),
                (&county.source.province, Level::Province),
            ];
            above.extend(written.into_iter().filter_map(|(name, level)| {
                name.as_ref().map(|name| RegionRef {
                    code: String::new(),
                    name: name.clone(),
                    level,
                })
            }));
        }
        CountyEntry {
            code: county.source.code.clone(),
            name: county.source.name.clone(),
            above,
            documents,
        }
    }

    /// Its province, or `None` for a region code list without one.
    pub fn province(&self) -> Option<&RegionRef> {
        self.above.iter().find(|r| r.level == Level::Province)
    }

    /// Its prefecture; its province for a county the province governs directly.
    pub fn prefecture(&self) -> Option<&RegionRef> {
        self.above
            .iter()
            .find(|r| r.level == Level::Prefecture)
            .or_else(|| self.province())
    }
}

/// The home page's tree of every county, in GB/T 2260 order.
pub fn regions(project: &Project) -> Vec<Province> {
    regions_of(project.counties.iter().map(|county| {
        let own = project
            .documents
            .iter()
            .filter(|d| d.source.county == county.source.code)
            .count();
        CountyEntry::of(county, own)
    }))
}

/// The home page's tree of these counties, in GB/T 2260 order.
pub fn regions_of(counties: impl IntoIterator<Item = CountyEntry>) -> Vec<Province> {
    type Key = (String, String);
    let mut tree: BTreeMap<Key, BTreeMap<Key, Vec<CountyLink>>> = BTreeMap::new();
    for county in counties {
        let key = |r: Option<&RegionRef>| {
            r.map_or_else(Default::default, |r| (r.code.clone(), r.name.clone()))
        };
        let province = key(county.province());
        let prefecture = key(county.prefecture());
        tree.entry(province)
            .or_default()
            .entry(prefecture)
            .or_default()
            .push(CountyLink {
                code: county.code,
                name: county.name,
                documents: county.documents,
            });
    }
    tree.into_iter()
        .map(|((province_code, province), prefectures)| Province {
            prefectures: prefectures
                .into_iter()
                .map(|((code, name), mut counties)| {
                    counties.sort_by(|a, b| a.code.cmp(&b.code));
                    Prefecture {
                        has_page: !code.is_empty() && code != province_code,
                        code,
                        name,
                        counties,
                    }
                })
                .collect(),
            code: province_code,
            name: province,
        })
        .collect()
}

/// One field of a county's estimator form.
#[derive(Debug, Serialize)]
pub struct Field {
    /// The fact's id: the input's name, and its key in the shareable query string.
    pub id: String,
    /// The fact as the form names it (猪).
    pub label: String,
    /// Shown after the label (头); `None` for yes/no facts and years.
    pub unit: Option<String>,
    /// `yes_no`, `count`, `quantity` or `year`.
    pub kind: &'static str,
    /// `numeric` for whole numbers and years, `decimal` for quantities.
    pub inputmode: &'static str,
    /// The fact's line of help from the catalogue, shown under the field.
    pub help: Option<String>,
    /// What the county pays for it, beside the field: `养殖猪：300 元/头；…`.
    pub rates: Vec<FieldRate>,
    /// For a yes/no or year fact that decides the standard of more than one item (香格里拉's
    /// 脱贫退出年份 decides seven), how many, in place of listing their standards under one
    /// field: the rates table below the form has them.
    pub rates_elsewhere: Option<String>,
}

/// One standard beside a field, with the period of the policy that sets it, so the page
/// shows only those in force on the date estimated for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldRate {
    /// 养殖猪：300 元/头（最多 2000 元）; with the policy's period when the county has more
    /// than one version of it, so that the page reads right without its script.
    pub text: String,
    /// The policy's first day, YYYY-MM-DD.
    pub from: String,
    /// Its last day, YYYY-MM-DD; empty when open.
    pub to: String,
}

/// A fieldset of the estimator's form; groups with no field are left out.
#[derive(Debug, Serialize)]
pub struct FieldGroup {
    /// 家庭情况, 种植, 养殖 or 其他.
    pub legend: String,
    /// In the catalogue's order.
    pub fields: Vec<Field>,
}

/// The estimator's form for a county: the facts its household rules use, grouped, each with
/// the rates and caps that apply to it. `None` when the county has nothing to estimate.
pub fn estimator_form(code: &str, project: &Project, words: &Words) -> Option<Vec<FieldGroup>> {
    let book = project.rulebooks.get(code)?;
    let mut rows = BTreeMap::new();
    for policy in &book.policies {
        let document = project
            .documents
            .iter()
            .find(|d| d.source.id == policy.id)?;
        rows.insert(
            policy.id.as_str(),
            rule_rows(document, policy, project, words),
        );
    }
    estimator_form_with(book, |id| rows.get(id).map(Vec::as_slice), words)
}

/// [`estimator_form`] for a county's rulebook, with each policy's rows (by policy id) from
/// `rows_of`, worked out once by the caller.
pub fn estimator_form_with<'r>(
    book: &calculator::Rulebook,
    rows_of: impl Fn(&str) -> Option<&'r [RuleRow]>,
    words: &Words,
) -> Option<Vec<FieldGroup>> {
    use calculator::fact::{FactGroup, FactKind};
    let mut used: Vec<usize> = Vec::new();
    let mut rates: BTreeMap<usize, Vec<FieldRate>> = BTreeMap::new();
    // The items whose standard reads each fact, by name (once, whatever their versions).
    let mut items: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    // With more than one policy in force at different times, a standard says when it applies.
    let dated = book.policies.len() > 1;
    for policy in &book.policies {
        let rows = rows_of(&policy.id)?;
        for (rule, row) in policy.rules.iter().zip(rows) {
            if rule.audience != Audience::Household
                || matches!(rule.measure, Measure::NotComputed { .. })
            {
                continue;
            }
            let measured = rule.measure.facts_read();
            // Beside the field: the item's own standard and limits. Group caps and choices are
            // explained in the result, where they apply.
            let own_limits: Vec<String> = match &rule.measure {
                Measure::PerUnit {
                    max_quantity,
                    cap,
                    unit,
                    ..
                } => max_quantity
                    .map(|q| {
                        words.fill(
                            "field_limit_quantity",
                            &[("quantity", &q.normalize().to_string()), ("unit", unit)],
                        )
                    })
                    .into_iter()
                    .chain(cap.map(|c| {
                        words.fill("field_limit_cap", &[("cap", &c.normalize().to_string())])
                    }))
                    .collect(),
                Measure::Formula { cap: Some(c), .. } => {
                    vec![words.fill("field_limit_cap", &[("cap", &c.normalize().to_string())])]
                }
                _ => Vec::new(),
            };
            for &i in &measured {
                let mut text = format!("{}：{}", row.label, row.standard);
                if !own_limits.is_empty() {
                    text.push_str(&format!("（{}）", own_limits.join("，")));
                }
                if dated {
                    text.push_str(&format!(
                        "（{}）",
                        estimate_view::explain::period_text(policy.period)
                    ));
                }
                items.entry(i).or_default().insert(row.label.as_str());
                let entry = rates.entry(i).or_default();
                if !entry.iter().any(|r| r.text == text) {
                    entry.push(FieldRate {
                        text,
                        from: policy.period.from.to_string(),
                        to: policy.period.to.map(|d| d.to_string()).unwrap_or_default(),
                    });
                }
            }
            for i in rule.facts_read() {
                if !used.contains(&i) {
                    used.push(i);
                }
            }
        }
    }
    if used.is_empty() {
        return None;
    }
    let groups = [
        (FactGroup::Status, "legend_status"),
        (FactGroup::Planting, "legend_planting"),
        (FactGroup::Livestock, "legend_livestock"),
        (FactGroup::Other, "legend_other"),
    ];
    let form: Vec<FieldGroup> = groups
        .iter()
        .map(|(group, legend)| FieldGroup {
            legend: words.get(legend).to_owned(),
            fields: book
                .facts
                .facts
                .iter()
                .enumerate()
                .filter(|(i, f)| f.group == *group && used.contains(i))
                .map(|(i, f)| {
                    let rates = rates.remove(&i).unwrap_or_default();
                    // A condition, not a quantity: the standards it picks between are many and
                    // long, and a household reads them in the table, not under one field.
                    let condition = matches!(f.kind, FactKind::YesNo | FactKind::Year);
                    let items = items.remove(&i).map_or(0, |names| names.len());
                    let (rates, rates_elsewhere) = if condition && items > 1 {
                        let count = items.to_string();
                        (
                            Vec::new(),
                            Some(words.fill("field_rates_elsewhere", &[("count", &count)])),
                        )
                    } else {
                        (rates, None)
                    };
                    Field {
                        id: f.id.clone(),
                        label: f.label.clone(),
                        unit: f.unit.clone(),
                        kind: match f.kind {
                            FactKind::YesNo => "yes_no",
                            FactKind::Count => "count",
                            FactKind::Quantity => "quantity",
                            FactKind::Year => "year",
                        },
                        inputmode: if f.kind == FactKind::Quantity {
                            "decimal"
                        } else {
                            "numeric"
                        },
                        help: f.help.clone(),
                        rates,
                        rates_elsewhere,
                    }
                })
                .collect(),
        })
        .filter(|g| !g.fields.is_empty())
        .collect();
    Some(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy page's `document` is its `policy.yaml` as serde writes it, every key but
    /// those the page shows from their own views: a key added to the format reaches it too.
    #[test]
    fn a_documents_head_is_its_source_without_rules_groups_apply_and_examples() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let project = policy::load::load(root).unwrap();
        assert!(!project.documents.is_empty());
        for document in &project.documents {
            let mut whole = serde_json::to_value(&document.source).unwrap();
            let keys = whole.as_object_mut().unwrap();
            for key in ["rules", "groups", "apply", "examples"] {
                assert!(keys.remove(key).is_some(), "{key}");
            }
            assert_eq!(
                serde_json::to_value(DocumentHead::of(&document.source)).unwrap(),
                whole,
                "{}",
                document.source.id
            );
        }
    }

    #[test]
    fn a_choice_reads_as_a_sentence_and_anything_else_is_left_as_written() {
        let words = Words::builtin();
        let read = |text: &str| choices_in_words(text, &words);
        assert_eq!(
            read("IF(exit_year = 2016, UP_TO(500 元/亩), 500 元/亩)"),
            "（exit_year = 2016 时 UP_TO(500 元/亩)，否则 500 元/亩）"
        );
        // Full-width brackets and commas are the formula language's too.
        assert_eq!(
            read("2 * IF （a，1 元，IF(b, MIN(2 元, 3 元), 4 元)）+ 1 元"),
            "2 * （a 时 1 元，否则 （b 时 MIN(2 元, 3 元)，否则 4 元））+ 1 元"
        );
        for as_written in [
            "IF(a, 1 元)",
            "IF(a, (1 元, 2 元)",
            "MODIF(a, b, c)",
            "IF",
            "IF x",
        ] {
            assert_eq!(read(as_written), as_written);
        }
    }
}
