//! The three places a clerk's text enters the tool, as one function each: the fuzz targets
//! (`site/policy/fuzz/`) call these, and so does the corpus replay test
//! (`tests/fuzz_corpus.rs`), so what CI replays is exactly what was fuzzed. Each takes any
//! text, returns nothing, and must never panic, overflow the stack or hang: a mistake must
//! come back as a diagnostic, never as a crash.
//!
//! The project a file is dropped into is the valid fixture project
//! (`tests/fixtures/base/`), held in memory, so a run touches no disk.

use crate::load::{load_in_memory, Project};
use crate::messages::Lang;
use crate::{clauses, Diagnostics};
use calculator::fact::{FactCatalogue, FactKind};
use calculator::formula::{compile_as, Type};
use calculator::unit::Dimension;
use calculator::Household;
use estimate_view::{text, ClauseLinks};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const FACTS: &str = include_str!("../tests/fixtures/base/policies/facts.yaml");
const COUNTY: &str = include_str!("../tests/fixtures/base/policies/100001-test/county.yaml");
const POLICY: &str =
    include_str!("../tests/fixtures/base/policies/100001-test/demo-2020/policy.yaml");
const TEXT: &str = include_str!("../tests/fixtures/base/policies/100001-test/demo-2020/text.md");

/// Where the fuzzed files go in the fixture project.
pub const POLICY_PATH: &str = "policies/100001-test/demo-2020/policy.yaml";
/// See [`POLICY_PATH`].
pub const TEXT_PATH: &str = "policies/100001-test/demo-2020/text.md";

/// The fixture project's files, with `policy.yaml` and `text.md` as given.
fn project(policy: &str, text: &str) -> BTreeMap<String, String> {
    [
        ("policies/facts.yaml", FACTS),
        ("policies/100001-test/county.yaml", COUNTY),
        (POLICY_PATH, policy),
        (TEXT_PATH, text),
    ]
    .into_iter()
    .map(|(path, text)| (path.to_owned(), text.to_owned()))
    .collect()
}

/// Load and check a project as `portal check` does, then do with the outcome what `check`,
/// `build` and the estimator do: render every problem for the terminal, or explain each
/// worked example and estimate for the most and the least a household can have.
fn check(files: &BTreeMap<String, String>) {
    match load_in_memory(files) {
        Ok(project) => use_project(&project),
        Err(diagnostics) => show(&diagnostics),
    }
}

fn show(diagnostics: &Diagnostics) {
    for lang in [Lang::Zh, Lang::En] {
        std::hint::black_box(diagnostics.render_in(lang));
        std::hint::black_box(serde_json::to_string(&diagnostics.to_json(lang)).ok());
    }
}

fn use_project(project: &Project) {
    let links = ClauseLinks::new("/policies/{policy}/#{clause}");
    for document in &project.documents {
        for estimate in &document.example_estimates {
            std::hint::black_box(text::render(estimate, &[], &links));
        }
    }
    for book in project.rulebooks.values() {
        let most: Vec<String> = book
            .facts
            .facts
            .iter()
            .map(|fact| match (fact.kind, fact.max) {
                (FactKind::YesNo, _) => format!("{}=true", fact.id),
                (FactKind::Year, _) => format!("{}=2020", fact.id),
                (_, Some(max)) => format!("{}={max}", fact.id),
                (_, None) => format!("{}=1", fact.id),
            })
            .collect();
        let dates = book
            .policies
            .iter()
            .flat_map(|p| [Some(p.period.from), p.period.to])
            .flatten();
        for date in dates {
            for query in [String::new(), most.join("&")] {
                let response = estimate_view::estimate_query(book, &query, date, &links);
                if let estimate_view::Response::Estimate { estimate, .. } = response {
                    std::hint::black_box(text::render(&estimate, &[], &links));
                }
            }
        }
    }
}

/// Target `policy_file`: `text` as the `policy.yaml` of the fixture project.
pub fn policy_file(text: &str) {
    check(&project(text, TEXT));
}

/// Target `full_text`: `text` as the Markdown full text (`text.md`) of the fixture project,
/// whose rules cite its clauses; and its clauses as the site reads them.
pub fn full_text(text: &str) {
    std::hint::black_box(clauses::scan(text));
    check(&project(POLICY, text));
}

/// The fixture project's facts catalogue, for [`formula`]; read once.
fn facts() -> Option<&'static FactCatalogue> {
    static CATALOGUE: OnceLock<Option<FactCatalogue>> = OnceLock::new();
    CATALOGUE
        .get_or_init(|| {
            let files = BTreeMap::from([("policies/facts.yaml".to_owned(), FACTS.to_owned())]);
            load_in_memory(&files).ok().map(|project| project.facts)
        })
        .as_ref()
}

/// Target `formula`: the first line says what the formula must give (`元`, `元/亩`, any unit
/// the formula language knows, `?` for a yes/no condition, empty for a plain number); the
/// rest is the formula. A formula that compiles is also evaluated, as the estimator would,
/// for a household that has nothing and for one that has the most of everything.
pub fn formula(input: &str) {
    let Some(facts) = facts() else {
        return;
    };
    let (first, source) = input.split_once('\n').unwrap_or(("", input));
    let expected = match first.trim() {
        "?" => Type::YesNo,
        unit => Type::Number(Dimension::parse(unit).unwrap_or(Dimension::NONE)),
    };
    let Ok(compiled) = compile_as(source, facts, expected) else {
        return;
    };
    std::hint::black_box(compiled.expr.constant());
    let absent: Vec<calculator::expr::Absent> = facts
        .facts
        .iter()
        .map(|f| match f.kind {
            FactKind::YesNo => calculator::expr::Absent::No,
            FactKind::Year => calculator::expr::Absent::Missing,
            _ => calculator::expr::Absent::Zero,
        })
        .collect();
    let mut most = Household::new(facts);
    for fact in &facts.facts {
        let value = match (fact.kind, fact.max) {
            (FactKind::YesNo, _) => "true".to_owned(),
            (FactKind::Year, _) => "2020".to_owned(),
            (_, Some(max)) => max.to_string(),
            (_, None) => "1".to_owned(),
        };
        // A value the catalogue refuses is simply not set.
        let _ = most.set_text(facts, &fact.id, &value);
    }
    for household in [Household::new(facts), most] {
        let scope = calculator::expr::Scope {
            household: &household,
            absent: &absent,
            year: 2020,
        };
        std::hint::black_box(compiled.expr.evaluate(&scope).ok());
    }
}
