//! The estimator's WebAssembly module: the rule engine and nothing else (no templates, no
//! I/O). The page gives it a county's compiled rules once, then a query string per keystroke.

use calculator::request::{estimate_query, FieldError, Response};
use calculator::{Date, Rulebook};
use wasm_bindgen::prelude::*;

/// A county's rules, loaded once.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Estimator {
    book: Rulebook,
}

#[wasm_bindgen]
impl Estimator {
    /// Load the compiled rules JSON the build emits (`/data/counties/CODE.json`).
    #[wasm_bindgen(constructor)]
    pub fn new(rules_json: &str) -> Result<Estimator, JsError> {
        let book = serde_json::from_str(rules_json)
            .map_err(|e| JsError::new(&format!("规则文件无法读取：{e}")))?;
        Ok(Estimator { book })
    }

    /// Estimate for a query string (`pigs=3&date=2017-06-01`), `today` as YYYY-MM-DD. Returns
    /// the page's JSON; never throws on what a household types.
    pub fn estimate(&self, query: &str, today: &str) -> String {
        respond(&self.book, query, today)
    }
}

/// The same answer natively, for the differential test.
pub fn respond(book: &Rulebook, query: &str, today: &str) -> String {
    let response = match today.parse::<Date>() {
        Ok(today) => estimate_query(book, query, today),
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
