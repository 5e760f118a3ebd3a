//! The words of an estimate: how the engine's [`calculator::Estimate`] reads for people, in
//! Chinese — amounts and 大写金额 ([`explain`], [`words`]), the view a page or terminal shows
//! ([`page`]), the same for a terminal ([`text`]), and the browser's request, facts in, view out ([`query`]). The engine computes;
//! this crate says. It does no I/O, so it runs in the estimator's WebAssembly too.

pub mod explain;
pub mod json;
pub mod page;
pub mod query;
pub mod text;
pub mod words;

pub use page::{view, ClauseLinks, View};
pub use query::{estimate_query, Response};
