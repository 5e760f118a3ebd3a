//! The estimator's WebAssembly module: the rule engine and the words of an estimate, nothing
//! else (no templates, no I/O, no JSON library). The page gives it a county's rules once, in
//! the compact form the site writes for it (`calculator::compact`), then the household's facts
//! per keystroke; it answers with the page's JSON, written by `estimate_view::json`.

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
    /// Load the compact rules the build writes for the estimator
    /// (`/data/counties/CODE.HASH.rules`). `clause_links` is the site's pattern for a clause's
    /// address, holding `{policy}` and `{clause}`; the page has it from the site build, so the
    /// module knows no addresses.
    #[wasm_bindgen(constructor)]
    pub fn new(rules: &[u8], clause_links: &str) -> Result<Estimator, JsError> {
        let book = load(rules).map_err(|e| JsError::new(&e))?;
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

/// The compact rules read, or why not (for the developer console; the page words it).
pub fn load(rules: &[u8]) -> Result<Rulebook, String> {
    calculator::compact::decode(rules).map_err(|e| format!("规则文件无法读取：{e}"))
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
    estimate_view::json::response(&response)
}
