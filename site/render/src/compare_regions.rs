//! The comparison at a province's or the nation's size: no page lists every county, so the
//! comparison is split by prefecture and by item — `/compare/` leads, province by province, to
//! each prefecture's page (its reference households, county by county, and its items), which
//! leads to a page per item. By prefecture rather than province: 四川's 183 counties of the
//! national benchmark made item pages of 2 MB. A prefecture's pages are rendered as soon as its
//! last county's share is in, so a build holds only the prefectures still being made.
//!
//! On each of them a reader picks the counties to compare with check boxes; the prefecture's
//! own stylesheet hides the others while any is ticked (CSS `:has()`, so no script, and
//! without `:has()` every county stays in view).

use crate::compare::{CountyShare, Plan};
use calculator::model::Level;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Up to how many counties the comparison is one page with every county and item; above
/// it, a page per prefecture and item. At 300 counties one page was 16.5 MB.
pub const WHOLE_COUNTIES: usize = 30;

/// A prefecture's page of the comparison.
pub fn region_url(region: &str) -> String {
    format!("/compare/{region}/")
}

/// An item's page of a prefecture's comparison.
pub fn item_url(region: &str, slug: &str) -> String {
    format!("/compare/{region}/{slug}/")
}

/// The stylesheet that hides the counties not picked, shared by a prefecture's pages.
pub fn pick_css_url(region: &str) -> String {
    format!("/compare/{region}/pick.css")
}

/// The prefecture a county's code lies in (`610117` → `610100`).
pub fn prefecture_of(code: &str) -> Option<String> {
    code.get(..4).map(|four| format!("{four}00"))
}

/// Each item's name in its address: the id of its first fact (`pigs`), or its place when two
/// items begin with the same fact or one has none.
pub fn item_slugs(plan: &Plan<'_>) -> Vec<String> {
    let firsts: Vec<Option<&str>> = (0..plan.items()).map(|i| plan.first_fact(i)).collect();
    firsts
        .iter()
        .enumerate()
        .map(|(i, first)| match first {
            Some(id) if firsts.iter().filter(|f| *f == first).count() == 1 => (*id).to_owned(),
            _ => format!("item-{}", i + 1),
        })
        .collect()
}

/// `pick.css` for a prefecture's counties: while any box of the picker is ticked, every
/// element of a county whose box is not ticked is hidden. One rule per county, hiding only,
/// so the tables keep their own layout on phones.
pub fn pick_css(codes: &[&str]) -> String {
    let mut css = String::from(
        "/* Hides the counties not picked while any is picked (compare_regions.rs). */\n",
    );
    for code in codes {
        let _ = writeln!(
            css,
            ".pick:has(input:checked):not(:has(#pick-{code}:checked))~.picked [data-county=\"{code}\"]{{display:none}}"
        );
    }
    css
}

/// The prefecture a county lies in and its province, with their names, for the comparison.
#[derive(Debug, Clone)]
pub struct RegionOf {
    /// Six digits (`610100`).
    pub code: String,
    /// As the code list names it (西安市).
    pub name: String,
    /// Its province (`610000`).
    pub province: String,
    /// 陕西省.
    pub province_name: String,
}

impl RegionOf {
    /// Where a county is compared: its prefecture, from the regions above it. A county
    /// straight under its province (its code's prefecture is not a region of the list) is
    /// compared with the others of that code, under the province's name. `None` without a
    /// province (a code the list does not place).
    pub fn of(county: &policy::load::County) -> Option<RegionOf> {
        let above = |level| {
            county
                .above
                .iter()
                .find(|r| r.level == level)
                .map(|r| (r.code.clone(), r.name.clone()))
        };
        let (province, province_name) = above(Level::Province)?;
        let code = prefecture_of(&county.source.code)?;
        let name = above(Level::Prefecture)
            .filter(|(c, _)| *c == code)
            .map_or_else(|| province_name.clone(), |(_, name)| name);
        Some(RegionOf {
            code,
            name,
            province,
            province_name,
        })
    }
}

#[derive(Debug, Default)]
struct Pending {
    remaining: usize,
    /// Each county's place by code and its share (none without policies).
    shares: Vec<(String, CountyShare)>,
}

/// The shares of each prefecture's counties until its last is in.
#[derive(Debug)]
pub struct ByRegion {
    pending: Mutex<HashMap<String, Pending>>,
}

/// A prefecture whose every county's share is in, ready for its pages.
#[derive(Debug)]
pub struct RegionShares {
    /// The prefecture and its province.
    pub region: RegionOf,
    /// Its counties with policies, in the order of their codes.
    pub shares: Vec<CountyShare>,
}

impl ByRegion {
    /// For the counties of `codes` (every county of the project).
    pub fn new(codes: &[String]) -> ByRegion {
        let mut pending: HashMap<String, Pending> = HashMap::new();
        for code in codes {
            if let Some(region) = prefecture_of(code) {
                pending.entry(region).or_default().remaining += 1;
            }
        }
        ByRegion {
            pending: Mutex::new(pending),
        }
    }

    /// A county's share is in (none when it has no policies); its prefecture, when this was
    /// the last of its counties.
    pub fn add(
        &self,
        county: &str,
        region: &RegionOf,
        share: Option<CountyShare>,
    ) -> Option<RegionShares> {
        let mut pending = crate::output::lock(&self.pending);
        let entry = pending.get_mut(&region.code)?;
        entry.remaining = entry.remaining.saturating_sub(1);
        if let Some(share) = share {
            entry.shares.push((county.to_owned(), share));
        }
        if entry.remaining > 0 {
            return None;
        }
        let done = pending.remove(&region.code)?;
        let mut shares = done.shares;
        shares.sort_by(|a, b| a.0.cmp(&b.0));
        Some(RegionShares {
            region: region.clone(),
            shares: shares.into_iter().map(|(_, s)| s).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pick_stylesheet_hides_each_county_only_while_others_are_picked() {
        let css = pick_css(&["610117", "610724"]);
        assert_eq!(css.matches("{display:none}").count(), 2);
        assert!(css.contains(
            ".pick:has(input:checked):not(:has(#pick-610724:checked))~.picked [data-county=\"610724\"]"
        ));
    }
}
