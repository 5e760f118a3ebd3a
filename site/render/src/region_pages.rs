//! The pages of the regions above counties (`/regions/CODE/`): a province's or prefecture's
//! own documents and the regions and counties below it; and the home page's list of
//! provinces. No page lists every county of the nation: a province lists its prefectures,
//! a prefecture its counties.

use crate::pages::{level_label, CountyEntry, DocumentSummary};
use crate::urls;
use crate::words::Words;
use calculator::model::{Level, RegionRef};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A region as a link in a list: its page, and how much lies below it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionLink {
    /// GB/T 2260 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// 县级, 市级, 省级.
    pub level: String,
    /// Its page: a region's, or a county's.
    pub url: String,
    /// The project's counties at or below it.
    pub counties: usize,
    /// The documents of its own and of the counties and regions below it.
    pub documents: usize,
}

/// One region's page.
#[derive(Debug, Serialize)]
pub struct RegionPage {
    /// GB/T 2260 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// 市级, 省级, 国家.
    pub level: String,
    /// The regions above it, from the top down (the nation left out), for the breadcrumbs.
    pub trail: Vec<RegionLink>,
    /// Its own documents, newest first.
    pub documents: Vec<DocumentSummary>,
    /// The regions and counties directly below it, by code.
    pub below: Vec<RegionLink>,
}

/// Every province and prefecture above one of the project's counties, and every region with
/// documents of its own, with what their pages show. `regional` are the documents of regions
/// above counties, as summaries.
pub fn region_pages(
    counties: &[CountyEntry],
    regional: &[DocumentSummary],
    words: &Words,
) -> Vec<RegionPage> {
    // Every region that gets a page, and the regions above it (nearest first).
    let mut above_of: BTreeMap<String, (RegionRef, Vec<RegionRef>)> = BTreeMap::new();
    for county in counties {
        for (i, region) in county.above.iter().enumerate() {
            // Names a county.yaml writes for regions outside the code list have no page.
            if region.code.is_empty() {
                continue;
            }
            above_of
                .entry(region.code.clone())
                .or_insert_with(|| (region.clone(), county.above[i + 1..].to_vec()));
        }
    }
    let mut own: BTreeMap<&str, Vec<&DocumentSummary>> = BTreeMap::new();
    for document in regional {
        own.entry(document.county.as_str())
            .or_default()
            .push(document);
    }
    // Documents at or below each region, and counties below each.
    let mut documents_below: BTreeMap<&str, usize> = BTreeMap::new();
    let mut counties_below: BTreeMap<&str, usize> = BTreeMap::new();
    for county in counties {
        for region in &county.above {
            *documents_below.entry(region.code.as_str()).or_default() += county.documents;
            *counties_below.entry(region.code.as_str()).or_default() += 1;
        }
    }
    for (code, documents) in &own {
        let Some((_, above)) = above_of.get(*code) else {
            continue;
        };
        *documents_below.entry(code).or_default() += documents.len();
        for region in above {
            *documents_below.entry(region.code.as_str()).or_default() += documents.len();
        }
    }
    let link = |region: &RegionRef| RegionLink {
        code: region.code.clone(),
        name: region.name.clone(),
        level: level_label(region.level, words),
        url: if region.level == Level::County {
            urls::county(&region.code)
        } else {
            urls::region(&region.code)
        },
        counties: counties_below
            .get(region.code.as_str())
            .copied()
            .unwrap_or(1),
        documents: documents_below
            .get(region.code.as_str())
            .copied()
            .unwrap_or_default(),
    };
    // What lies directly below each region: regions with a page, and counties.
    let mut below: BTreeMap<&str, BTreeSet<(String, String, Level)>> = BTreeMap::new();
    for (region, above) in above_of.values() {
        if let Some(parent) = above.first() {
            below.entry(parent.code.as_str()).or_default().insert((
                region.code.clone(),
                region.name.clone(),
                region.level,
            ));
        }
    }
    for county in counties {
        if let Some(parent) = county.above.first() {
            below.entry(parent.code.as_str()).or_default().insert((
                county.code.clone(),
                county.name.clone(),
                Level::County,
            ));
        }
    }
    above_of
        .values()
        .filter(|(region, _)| region.level != Level::Nation || own.contains_key("000000"))
        .map(|(region, above)| {
            let mut documents: Vec<DocumentSummary> = own
                .get(region.code.as_str())
                .map(|d| d.iter().map(|&s| s.clone()).collect())
                .unwrap_or_default();
            documents.sort_by(|a, b| b.sort_date.cmp(&a.sort_date).then(a.id.cmp(&b.id)));
            RegionPage {
                code: region.code.clone(),
                name: region.name.clone(),
                level: level_label(region.level, words),
                trail: above
                    .iter()
                    .rev()
                    .filter(|r| r.level != Level::Nation)
                    .map(link)
                    .collect(),
                documents,
                below: below
                    .get(region.code.as_str())
                    .into_iter()
                    .flatten()
                    .map(|(code, name, level)| {
                        link(&RegionRef {
                            code: code.clone(),
                            name: name.clone(),
                            level: *level,
                        })
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The home page's list: every province with one of the project's counties, by code.
pub fn provinces(pages: &[RegionPage]) -> Vec<RegionLink> {
    pages
        .iter()
        .filter(|p| p.trail.is_empty() && p.code != "000000")
        .map(|p| RegionLink {
            code: p.code.clone(),
            name: p.name.clone(),
            level: p.level.clone(),
            url: urls::region(&p.code),
            counties: p.below.iter().map(|b| b.counties).sum(),
            documents: p.below.iter().map(|b| b.documents).sum::<usize>() + p.documents.len(),
        })
        .collect()
}
