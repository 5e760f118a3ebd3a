//! The site renderer: a checked [`policy::Project`], a [`Theme`] (templates, stylesheet,
//! scripts, interface strings) and the estimator's compiled assets in; every page, open-data
//! file, feed and sitemap out, every internal link checked, written atomically.
//!
//! It reads the project's `content/` folder but starts no process and opens no port.

mod baked;
pub mod build;
pub mod compare;
pub mod compare_regions;
pub mod content;
pub mod fuzz;
pub mod links;
pub mod markdown;
pub mod open_data;
pub mod output;
pub mod pages;
pub mod region_pages;
pub mod search;
pub mod serving;
pub mod theme;
pub mod update;
pub mod urls;
pub mod versions;
pub mod words;

pub use build::{build, BuildError, BuildReport, EstimatorAssets};
pub use theme::Theme;
pub use update::{update_county, Update};
