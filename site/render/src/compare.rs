//! The cross-county comparison: one row per item, one column per county, with a bar chart
//! drawn as inline SVG at build time, and reference households evaluated in every county.

use crate::markdown::escape_html;
use crate::pages::{rule_rows, RuleRow};
use crate::words::Words;
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

/// What the comparison page shows, for every county that has policies; the households are
/// estimated on the start date of the county's latest policy.
pub fn compare(project: &Project, config: &CompareConfig, words: &Words) -> Comparison {
    let counties: Vec<(&policy::load::County, &calculator::Rulebook)> = project
        .counties
        .iter()
        .filter_map(|c| {
            project
                .rulebooks
                .get(&c.source.code)
                .filter(|b| !b.policies.is_empty())
                .map(|b| (c, b))
        })
        .collect();
    let columns = counties
        .iter()
        .map(|(c, b)| Column {
            code: c.source.code.clone(),
            name: c.source.name.clone(),
            date: b
                .policies
                .iter()
                .map(|p| p.period.from)
                .max()
                .map(estimate_view::explain::date_text)
                .unwrap_or_default(),
        })
        .collect();
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
    let rows = config
        .rows
        .iter()
        .map(|row| {
            let indices: Vec<usize> = row
                .facts
                .iter()
                .filter_map(|f| project.facts.index_of(f))
                .collect();
            let mut bars = Vec::new();
            let mut unit = String::new();
            let cells = counties
                .iter()
                .map(|(county, book)| {
                    let mut cell = Vec::new();
                    let mut best: Option<Decimal> = None;
                    for policy in &book.policies {
                        let Some(rows) = policy_rows.get(policy.id.as_str()) else {
                            continue;
                        };
                        for (rule, view) in policy.rules.iter().zip(rows) {
                            let used = rule.measure.quantity_facts();
                            if rule.audience != Audience::Household
                                || !used.iter().any(|i| indices.contains(i))
                            {
                                continue;
                            }
                            if let Measure::PerUnit { rate, unit: u, .. } = &rule.measure {
                                if let Some(r) = rate.constant().filter(|r| r.is_exact()) {
                                    best = Some(best.map_or(r.min, |b: Decimal| b.max(r.min)));
                                    unit = format!("元/{u}");
                                }
                            }
                            cell.push(view.clone());
                        }
                    }
                    if let Some(value) = best {
                        bars.push((county.source.name.clone(), value));
                    }
                    cell
                })
                .collect();
            let chart = (!bars.is_empty()).then(|| {
                let title = words.fill("compare_chart_name", &[("item", &row.label)]);
                bar_chart(&title, &unit, &bars, words)
            });
            Row {
                label: row.label.clone(),
                cells,
                chart,
            }
        })
        .collect();
    let households = config
        .households
        .iter()
        .map(|h| {
            let facts = h
                .facts
                .iter()
                .map(|(id, v)| {
                    let fact = project.facts.get(id);
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
                .collect();
            let totals = counties
                .iter()
                .map(|(_, book)| {
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
            HouseholdRow {
                name: h.name.clone(),
                facts,
                totals,
            }
        })
        .collect();
    Comparison {
        columns,
        rows,
        households,
    }
}
