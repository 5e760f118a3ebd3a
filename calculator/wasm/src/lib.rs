//! The estimator's WebAssembly module: the rule engine and the words of an estimate, nothing
//! else (no templates, no I/O, no JSON library). The page gives it a county's rules once, in
//! the compact form the site writes for it (`calculator::compact`), then the household's facts
//! per keystroke; it answers with the page's JSON, written by `estimate_view::json`.

use calculator::{Date, Rulebook};
use estimate_view::query::{estimate_query, FieldError, Response};
use estimate_view::ClauseLinks;
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

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

/// The browser entry as one function of bytes, for the fuzzer (`site/policy/fuzz`, target
/// `estimator`) and the replay of its corpus through both the native build and the wasm.
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzz {
    use super::{load, respond, ClauseLinks};

    /// The clause address pattern fuzz cases use (any pattern will do; the site's is this).
    pub const CLAUSE_LINKS: &str = "/policies/{policy}/#{clause}";
    /// `today` when an input gives none.
    const TODAY: &str = "2017-06-01";

    /// One fuzz input taken apart: what the page gives the module.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Case<'a> {
        /// The county's compact rules file, as fetched (possibly damaged).
        pub rules: &'a [u8],
        /// The URL fragment's facts, as typed.
        pub query: &'a str,
        /// The phone's date.
        pub today: &'a str,
    }

    /// An input is `[n: u16 little-endian][n bytes of rules][query]` with an optional
    /// `\n[today]` after the query. Any bytes make a case: a length past the end takes the
    /// rest as rules; text that is not UTF-8 is cut where it stops being UTF-8 (a browser
    /// hands the module only strings).
    pub fn split(data: &[u8]) -> Case<'_> {
        let (length, rest) = match data {
            [lo, hi, rest @ ..] => (usize::from(u16::from_le_bytes([*lo, *hi])), rest),
            _ => (0, data),
        };
        let (rules, text) = rest.split_at(length.min(rest.len()));
        let text = match std::str::from_utf8(text) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&text[..e.valid_up_to()]).unwrap_or_default(),
        };
        let (query, today) = text.split_once('\n').unwrap_or((text, TODAY));
        Case {
            rules,
            query,
            today,
        }
    }

    /// The input that [`split`] takes apart into these parts (for writing seeds).
    pub fn join(rules: &[u8], query: &str, today: &str) -> Vec<u8> {
        let length = u16::try_from(rules.len()).unwrap_or(u16::MAX);
        let mut out = length.to_le_bytes().to_vec();
        out.extend_from_slice(&rules[..usize::from(length)]);
        out.extend_from_slice(query.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(today.as_bytes());
        out
    }

    /// What the page would get: the estimate's JSON, or `error: …` where the module's
    /// constructor throws (the page then says the rules could not be read).
    pub fn estimator(data: &[u8]) -> String {
        let case = split(data);
        match load(case.rules) {
            Ok(book) => respond(
                &book,
                &ClauseLinks::new(CLAUSE_LINKS),
                case.query,
                case.today,
            ),
            Err(message) => format!("error: {message}"),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn join_and_split_are_inverse() {
            let data = join(b"PRB1\x00\xff", "pigs=3&date=2017-06-01", "2018-01-02");
            assert_eq!(
                split(&data),
                Case {
                    rules: b"PRB1\x00\xff",
                    query: "pigs=3&date=2017-06-01",
                    today: "2018-01-02"
                }
            );
        }

        #[test]
        fn any_bytes_make_a_case() {
            assert_eq!(split(b"").rules, b"");
            // Too short for a length: all of it is the query.
            assert_eq!(split(b"\x09").query, "\t");
            // A length past the end: the rest is rules, no query.
            assert_eq!(split(b"\xff\xffPRB1").rules, b"PRB1");
            // Not UTF-8 after the rules: cut where it stops being text.
            let case = split(b"\x00\x00pigs=3\xffx");
            assert_eq!((case.query, case.today), ("pigs=3", TODAY));
            assert!(estimator(b"\x04\x00PRB1pigs=3").starts_with("error: "));
        }
    }
}
