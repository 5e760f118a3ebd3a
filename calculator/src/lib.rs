//! The subsidy rule engine, written once and used by the site build, the `portal` CLI and the
//! in-browser estimator. No file system, clock or threads: it compiles for
//! `wasm32-unknown-unknown`.
//!
//! - [`formula`] parses and unit-checks the formulas clerks write, into [`expr::Expr`];
//! - [`model`] is the compiled rule model the build emits;
//! - [`evaluate()`] runs a household against a [`model::Rulebook`] on a date and returns an
//!   [`estimate::Estimate`] that explains every line;
//! - [`amount::Amount`] is the exact decimal range everything is computed in.

pub mod amount;
pub mod date;
pub mod estimate;
pub mod evaluate;
pub mod expr;
pub mod fact;
pub mod formula;
pub mod model;
pub mod unit;
pub mod words;

pub use amount::Amount;
pub use date::{Date, Period};
pub use estimate::Estimate;
pub use evaluate::{evaluate, EvalError};
pub use fact::{FactCatalogue, FactValue, Household};
pub use model::{Audience, Rulebook};
