//! The subsidy rule engine, written once and used by the site build, the `portal` CLI and the
//! in-browser estimator. No file system, clock or threads: it compiles for
//! `wasm32-unknown-unknown`.
//!
//! - [`formula`] parses and unit-checks the formulas clerks write, into [`expr::Expr`];
//! - [`model`] is the compiled rule model the build emits;
//! - [`evaluate()`] runs a household against a [`model::Rulebook`] on a date and returns an
//!   [`estimate::Estimate`] that explains every line;
//! - [`amount::Amount`] is the exact decimal range everything is computed in.
//!
//! ```
//! use calculator::fact::{FactCatalogue, FactDef, FactGroup, FactKind};
//! use calculator::formula::{compile_as, Type};
//! use calculator::unit::Dimension;
//!
//! let pigs = FactDef {
//!     id: "pigs".into(), label: "猪".into(), kind: FactKind::Count, unit: Some("头".into()),
//!     dimension: Dimension::parse("头").unwrap(), group: FactGroup::Livestock,
//!     min: None, max: Some(10_000.into()), help: None,
//! };
//! let facts = FactCatalogue { facts: vec![pigs] };
//! // A rate per head, capped: the formula is unit-checked when it is compiled...
//! let formula = compile_as("MIN(pigs * 500 元/头, 2000 元)", &facts, Type::Number(Dimension::MONEY)).unwrap();
//! // ...and pigs * 500 元/亩 would be refused:
//! assert!(compile_as("pigs * 500 元/亩", &facts, Type::Number(Dimension::MONEY)).is_err());
//!
//! let mut household = calculator::Household::new(&facts);
//! household.set_text(&facts, "pigs", "５").unwrap(); // full-width digits are fine
//! let scope = calculator::expr::Scope { household: &household, absent: &[], year: 2017 };
//! let amount = formula.expr.evaluate(&scope).unwrap();
//! assert_eq!(amount, calculator::expr::Value::Number(calculator::Amount::exact(2000.into())));
//! ```

// Money must never overflow silently or panic: every operation on user-influenced numbers is
// checked. Clippy enforces it for this crate.
#![warn(clippy::arithmetic_side_effects)]

pub mod amount;
pub mod compact;
pub mod date;
pub mod estimate;
pub mod evaluate;
pub mod expr;
pub mod fact;
pub mod formula;
pub mod model;
pub mod unit;

pub use amount::Amount;
pub use date::{Date, Period};
pub use estimate::Estimate;
pub use evaluate::{evaluate, EvalError};
pub use fact::{FactCatalogue, FactValue, Household};
pub use model::{Audience, Rulebook};
