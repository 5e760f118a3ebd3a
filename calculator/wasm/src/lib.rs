//! The estimator's WebAssembly module: the rule engine and the words of an estimate, nothing
//! else (no templates, no I/O). The page gives it a county's compiled rules once, then the
//! household's facts per keystroke.

use calculator::{Date, Rulebook};
use estimate_view::query::{estimate_query, FieldError, Response};
use estimate_view::ClauseLinks;
use wasm_bindgen::prelude::*;

/// A county's rules, loaded once, and how the site addresses a clause.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Estimator {
    book: Rulebook,
    links: ClauseLinks,
}

#[wasm_bindgen]
impl Estimator {
    /// Load the compiled rules JSON the build emits (`/data/counties/CODE.json`).
    /// `clause_links` is the site's pattern for a clause's address, holding `{policy}` and
    /// `{clause}`; the page has it from the site build, so the module knows no addresses.
    #[wasm_bindgen(constructor)]
    pub fn new(rules_json: &str, clause_links: &str) -> Result<Estimator, JsError> {
        let book = serde_json::from_str(rules_json)
            .map_err(|e| JsError::new(&format!("规则文件无法读取：{e}")))?;
        Ok(Estimator {
            book,
            links: ClauseLinks::new(clause_links),
        })
    }

    /// Estimate for the household's facts (`pigs=3&date=2017-06-01`), `today` as
    /// YYYY-MM-DD. Returns the page's JSON; never throws on what a household types.
    pub fn estimate(&self, query: &str, today: &str) -> String {
        respond(&self.book, &self.links, query, today)
    }
}

/// The same answer natively, for the differential test.
pub fn respond(book: &Rulebook, links: &ClauseLinks, query: &str, today: &str) -> String {
    let response = match today.parse::<Date>() {
        Ok(today) => estimate_query(book, query, today, links),
        Err(_) => Response::Invalid {
            errors: vec![FieldError {
                fact: "date".into(),
                message: format!("无法读取今天的日期“{today}”"),
            }],
        },
    };
    serde_json::to_string(&response)
        .unwrap_or_else(|_| r#"{"status":"invalid","errors":[]}"#.to_owned())
}
