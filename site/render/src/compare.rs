//! The cross-county comparison: one row per item, one column per county, with a bar chart
//! drawn as inline SVG at build time, and reference households evaluated in every county.
//!
//! Each county's share is worked out with its own part of the project ([`county_share`]), so
//! that a build need not hold every county at once; [`assemble`] or [`frame`] put the shares
//! together.

use crate::markdown::escape_html;
use crate::pages::{rule_rows, RuleRow};
use crate::words::Words;
use calculator::fact::FactCatalogue;
use calculator::model::{Audience, Measure};
use calculator::{evaluate, Household};
use estimate_view::explain::yuan;
use policy::load::Project;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `content/compare.yaml`: which items to compare and which households to work out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareConfig {
    /// The items compared, one section each, in this order.
    pub rows: Vec<RowConfig>,
    /// The reference households estimated in every county.
    pub households: Vec<HouseholdConfig>,
}

/// One item to compare (猪, 设施瓜菜和大棚).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowConfig {
    /// The section's heading, and the chart's title.
    pub label: String,
    /// The facts whose rules belong in this row.
    pub facts: Vec<String>,
}

/// A reference household (养5头猪的贫困户).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdConfig {
    /// How the household is named in the table.
    pub name: String,
    /// Fact id → value, as typed in the estimator; an id the catalogue lacks shows as
    /// such and makes every total "—".
    pub facts: BTreeMap<String, policy::source::Scalar>,
}

/// A county compared: only counties with compiled policies get a column.
#[derive(Debug, Serialize)]
pub struct Column {
    /// The county's GB/T 2260 code, for its link.
    pub code: String,
    /// The county's name (高陵区).
    pub name: String,
    /// The date whose rules are compared (the start of the county's latest policy).
    pub date: String,
}

/// One item across the counties.
#[derive(Debug, Serialize)]
pub struct Row {
    /// As in `content/compare.yaml`.
    pub label: String,
    /// Per column, the county's household rules whose quantity reads one of the item's
    /// facts; empty when it has no such measure.
    pub cells: Vec<Vec<RuleRow>>,
    /// Inline SVG of the per-unit rates, when there are any to compare.
    pub chart: Option<String>,
}

/// A reference household and what it would get in each county.
#[derive(Debug, Serialize)]
pub struct HouseholdRow {
    /// As in `content/compare.yaml`.
    pub name: String,
    /// Its facts in words (`猪 5头`, `有劳动能力：是`).
    pub facts: Vec<String>,
    /// Per column, the total in 元 on the column's date, or "—" when it cannot be worked
    /// out.
    pub totals: Vec<String>,
}

/// The comparison page: counties as columns, items and households as rows.
#[derive(Debug, Serialize)]
pub struct Comparison {
    /// The counties, in the project's order.
    pub columns: Vec<Column>,
    /// One per item of `content/compare.yaml`.
    pub rows: Vec<Row>,
    /// One per reference household.
    pub households: Vec<HouseholdRow>,
}

/// A horizontal bar per county; widths are proportional to the rate.
fn bar_chart(title: &str, unit: &str, bars: &[(String, Decimal)], words: &Words) -> String {
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(Decimal::ONE)
        .max(Decimal::ONE);
    let row_height = 22;
    let height = row_height * bars.len() + 4;
    let mut svg = format!(
        r#"<svg class="bars" viewBox="0 0 320 {height}" width="320" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        escape_html(&words.fill("compare_chart_label", &[("title", title), ("unit", unit)])),
        escape_html(&words.fill("compare_chart_title", &[("title", title), ("unit", unit)]))
    );
    for (i, (name, value)) in bars.iter().enumerate() {
        let y = i * row_height + 2;
        let width = (value / max * Decimal::from(170)).round().to_string();
        let width: u32 = width.parse().unwrap_or(0).max(1);
        svg.push_str(&format!(
            r#"<text x="0" y="{}" class="bar-label">{}</text><rect x="84" y="{}" width="{width}" height="14" class="bar"></rect><text x="{}" y="{}" class="bar-value">{}</text>"#,
            y + 13,
            escape_html(name),
            y + 2,
            90 + width,
            y + 13,
            value.normalize()
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// What the comparison needs of `content/compare.yaml` and the facts catalogue, worked out
/// once for every county: each item's facts, each household's facts in words.
#[derive(Debug)]
pub struct Plan<'c> {
    config: &'c CompareConfig,
    words: &'c Words,
    /// Per item, the catalogue's numbers of its facts.
    indices: Vec<Vec<usize>>,
    /// Per household, its facts in words.
    household_facts: Vec<Vec<String>>,
}

impl<'c> Plan<'c> {
    /// The plan for `config` with the project's facts.
    pub fn new(config: &'c CompareConfig, facts: &FactCatalogue, words: &'c Words) -> Plan<'c> {
        let indices = config
            .rows
            .iter()
            .map(|row| row.facts.iter().filter_map(|f| facts.index_of(f)).collect())
            .collect();
        let household_facts = config
            .households
            .iter()
            .map(|h| {
                h.facts
                    .iter()
                    .map(|(id, v)| {
                        let fact = facts.get(id);
                        let label = fact.map_or(id.as_str(), |f| f.label.as_str());
                        match v.0.as_str() {
                            "true" => words.fill("fact_yes", &[("label", label)]),
                            "false" => words.fill("fact_no", &[("label", label)]),
                            value => format!(
                                "{label} {value}{}",
                                fact.and_then(|f| f.unit.as_deref()).unwrap_or("")
                            ),
                        }
                    })
                    .collect()
            })
            .collect();
        Plan {
            config,
            words,
            indices,
            household_facts,
        }
    }

    /// How many items are compared.
    pub fn items(&self) -> usize {
        self.config.rows.len()
    }

    /// The id of an item's first fact, as `content/compare.yaml` lists it.
    pub fn first_fact(&self, item: usize) -> Option<&str> {
        self.config
            .rows
            .get(item)?
            .facts
            .first()
            .map(String::as_str)
    }

    /// Each item's label.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.config.rows.iter().map(|r| r.label.as_str())
    }
}

/// One county's share of the comparison: its column, its cells and what its row of each
/// chart and of the households table shows.
#[derive(Debug)]
pub struct CountyShare {
    /// The county as a column.
    pub column: Column,
    /// Per item, the county's household rules whose quantity reads one of the item's facts.
    pub cells: Vec<Vec<RuleRow>>,
    /// Per item, for the chart: the highest exact per-unit rate, and the unit of the last
    /// such rule (`元/头`); `None` when the county has no such rule.
    pub rates: Vec<Option<(Decimal, String)>>,
    /// Per reference household, its total in the county.
    pub totals: Vec<String>,
}

/// A county's share of the comparison; `None` when it has no policies (no column). The rows
/// of each policy come from `rows_of` (by policy id), worked out once by the caller.
pub fn county_share<'r>(
    plan: &Plan<'_>,
    county: &policy::load::County,
    book: &calculator::Rulebook,
    rows_of: impl Fn(&str) -> Option<&'r [RuleRow]>,
) -> Option<CountyShare> {
    if book.policies.is_empty() {
        return None;
    }
    let column = Column {
        code: county.source.code.clone(),
        name: county.source.name.clone(),
        date: book
            .policies
            .iter()
            .map(|p| p.period.from)
            .max()
            .map(estimate_view::explain::date_text)
            .unwrap_or_default(),
    };
    let mut cells = Vec::with_capacity(plan.indices.len());
    let mut rates = Vec::with_capacity(plan.indices.len());
    for indices in &plan.indices {
        let mut cell = Vec::new();
        let mut best: Option<Decimal> = None;
        let mut unit = None;
        for policy in &book.policies {
            let Some(rows) = rows_of(&policy.id) else {
                continue;
            };
            for (rule, view) in policy.rules.iter().zip(rows) {
                let used = rule.measure.quantity_facts();
                if rule.audience != Audience::Household || !used.iter().any(|i| indices.contains(i))
                {
                    continue;
                }
                if let Measure::PerUnit { rate, unit: u, .. } = &rule.measure {
                    if let Some(r) = rate.constant().filter(|r| r.is_exact()) {
                        best = Some(best.map_or(r.min, |b: Decimal| b.max(r.min)));
                        unit = Some(format!("元/{u}"));
                    }
                }
                cell.push(view.clone());
            }
        }
        cells.push(cell);
        rates.push(best.zip(unit));
    }
    let totals = plan
        .config
        .households
        .iter()
        .map(|h| {
            let mut household = Household::new(&book.facts);
            for (id, value) in &h.facts {
                if household.set_text(&book.facts, id, &value.0).is_err() {
                    return "—".to_string();
                }
            }
            let Some(date) = book.policies.iter().map(|p| p.period.from).max() else {
                return "—".into();
            };
            match evaluate(book, &household, date, Audience::Household) {
                Ok(e) => yuan(&e.total),
                Err(_) => "—".to_string(),
            }
        })
        .collect();
    Some(CountyShare {
        column,
        cells,
        rates,
        totals,
    })
}

/// What the comparison shows beside the cells: a share without them.
#[derive(Debug)]
pub struct Margins {
    /// The county as a column.
    pub column: Column,
    /// As [`CountyShare::rates`].
    pub rates: Vec<Option<(Decimal, String)>>,
    /// As [`CountyShare::totals`].
    pub totals: Vec<String>,
}

impl CountyShare {
    /// The cells, and the rest.
    pub fn split(self) -> (Vec<Vec<RuleRow>>, Margins) {
        (
            self.cells,
            Margins {
                column: self.column,
                rates: self.rates,
                totals: self.totals,
            },
        )
    }
}

/// The columns, each item's chart and the households table, from every county's margins in
/// the project's order.
fn margins(
    plan: &Plan<'_>,
    counties: Vec<Margins>,
) -> (Vec<Column>, Vec<Option<String>>, Vec<HouseholdRow>) {
    let charts = plan
        .config
        .rows
        .iter()
        .enumerate()
        .map(|(item, row)| {
            let mut unit = "";
            let mut bars = Vec::new();
            for county in &counties {
                if let Some(Some((value, u))) = county.rates.get(item) {
                    bars.push((county.column.name.clone(), *value));
                    unit = u;
                }
            }
            (!bars.is_empty()).then(|| {
                let title = plan
                    .words
                    .fill("compare_chart_name", &[("item", &row.label)]);
                bar_chart(&title, unit, &bars, plan.words)
            })
        })
        .collect();
    let households = plan
        .config
        .households
        .iter()
        .zip(&plan.household_facts)
        .enumerate()
        .map(|(i, (h, facts))| HouseholdRow {
            name: h.name.clone(),
            facts: facts.clone(),
            totals: counties
                .iter()
                .map(|c| c.totals.get(i).cloned().unwrap_or_default())
                .collect(),
        })
        .collect();
    let columns = counties.into_iter().map(|c| c.column).collect();
    (columns, charts, households)
}

/// The comparison from every county's share, in the project's order.
pub fn assemble(plan: &Plan<'_>, shares: Vec<CountyShare>) -> Comparison {
    let (cells, margins_of): (Vec<_>, Vec<_>) = shares.into_iter().map(CountyShare::split).unzip();
    let (columns, charts, households) = margins(plan, margins_of);
    // Per item, the cells of every county.
    let mut by_item: Vec<Vec<Vec<RuleRow>>> = (0..plan.items()).map(|_| Vec::new()).collect();
    for county in cells {
        for (item, cell) in county.into_iter().enumerate() {
            if let Some(column) = by_item.get_mut(item) {
                column.push(cell);
            }
        }
    }
    let rows = plan
        .config
        .rows
        .iter()
        .zip(by_item)
        .zip(charts)
        .map(|((row, cells), chart)| Row {
            label: row.label.clone(),
            cells,
            chart,
        })
        .collect();
    Comparison {
        columns,
        rows,
        households,
    }
}

/// The comparison page without its cells, which are written between the pieces of the page
/// rendered from it: each item's cells stand in the page as its `placeholder`.
#[derive(Debug, Serialize)]
pub struct Frame {
    /// As [`Comparison::columns`].
    pub columns: Vec<Column>,
    /// One per item.
    pub rows: Vec<FrameRow>,
    /// As [`Comparison::households`].
    pub households: Vec<HouseholdRow>,
}

/// An item of the comparison without its cells.
#[derive(Debug, Serialize)]
pub struct FrameRow {
    /// As in `content/compare.yaml`.
    pub label: String,
    /// As [`Row::chart`].
    pub chart: Option<String>,
    /// What stands in the page for the item's cells.
    pub placeholder: String,
}

/// What stands in the comparison's frame for the cells of item `item`: a comment no value
/// can make, since every value is escaped.
pub fn placeholder(item: usize) -> String {
    format!("<!--portal:compare-item-{item}-->")
}

/// The frame of the comparison from every county's margins, in the project's order.
pub fn frame(plan: &Plan<'_>, counties: Vec<Margins>) -> Frame {
    let (columns, charts, households) = margins(plan, counties);
    let rows = plan
        .config
        .rows
        .iter()
        .zip(charts)
        .enumerate()
        .map(|(item, (row, chart))| FrameRow {
            label: row.label.clone(),
            chart,
            placeholder: placeholder(item),
        })
        .collect();
    Frame {
        columns,
        rows,
        households,
    }
}

/// What the comparison page shows, for every county that has policies; the households are
/// estimated on the start date of the county's latest policy.
pub fn compare(project: &Project, config: &CompareConfig, words: &Words) -> Comparison {
    let plan = Plan::new(config, &project.facts, words);
    // Each policy's rules as table rows, worked out once for all the items compared.
    let policy_rows: BTreeMap<&str, Vec<RuleRow>> = project
        .documents
        .iter()
        .filter_map(|d| {
            d.compiled
                .as_ref()
                .map(|p| (p.id.as_str(), rule_rows(d, p, project, words)))
        })
        .collect();
    let shares = project
        .counties
        .iter()
        .filter_map(|c| {
            let book = project.rulebooks.get(&c.source.code)?;
            county_share(&plan, c, book, |id| policy_rows.get(id).map(Vec::as_slice))
        })
        .collect();
    assemble(&plan, shares)
}
