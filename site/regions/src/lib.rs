//! The regions a policy can belong to: the nation, its provinces, their prefectures and the
//! counties below them, identified by GB/T 2260 codes.
//!
//! The catalogue is compiled in from `data/gb2260.tsv`, which `data/generate.py` writes from
//! maintained npm packages (never typed by hand); a project may add or override entries for
//! a newer code list ([`Catalogue::with_entries`]).

mod catalogue;

pub use calculator::model::Level;
pub use catalogue::{Catalogue, Former, Region, Suggestion};

/// The nation's code: the root of every region tree.
pub const NATION: &str = "000000";

/// The level a six-digit code stands for by its shape: `000000` the nation, `XX0000` a
/// province, `XXXX00` a prefecture, anything else a county.
pub fn level_of(code: &str) -> Level {
    if code == NATION {
        Level::Nation
    } else if code.ends_with("0000") {
        Level::Province
    } else if code.ends_with("00") {
        Level::Prefecture
    } else {
        Level::County
    }
}

/// Whether `code` is six ASCII digits.
pub fn well_formed(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}
