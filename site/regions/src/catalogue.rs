//! The catalogue: every region by code, the region above each, former codes and names, and
//! the nearest entries to a code or name that is not in it.

use crate::{level_of, Level, NATION};
use calculator::formula::edit_distance;
use calculator::model::RegionRef;
use std::collections::BTreeMap;

/// The national list, as `data/generate.py` wrote it.
const NATIONAL: &str = include_str!("../data/gb2260.tsv");

/// A region of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Six digits (`610117`).
    pub code: String,
    /// As the code list names it (高陵区).
    pub name: String,
    /// What kind of region it is, by its code's shape.
    pub level: Level,
}

impl Region {
    /// The region as policies and estimates carry it.
    pub fn to_ref(&self) -> RegionRef {
        RegionRef {
            code: self.code.clone(),
            name: self.name.clone(),
            level: self.level,
        }
    }
}

/// A code or name that is no longer used, and what took its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Former {
    /// The code then (`610126`).
    pub code: String,
    /// The name then (高陵县).
    pub name: String,
    /// The code now (`610117`).
    pub now: String,
    /// The last revision of the code list that has it (`201410`: October 2014).
    pub last_listed: String,
}

/// What to suggest for a code or name that does not match the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggestion {
    /// The code (or name) was used before; the region is now this one.
    Renamed {
        /// The former entry that matched.
        former: Former,
        /// The region as it is now.
        now: Region,
    },
    /// Entries close to what was written, nearest first.
    Near(Vec<Region>),
}

/// Every region by code, with the former codes and names.
#[derive(Debug, Clone)]
pub struct Catalogue {
    regions: BTreeMap<String, Region>,
    former: Vec<Former>,
}

impl Catalogue {
    /// The national catalogue compiled into the program.
    pub fn national() -> Catalogue {
        let mut regions = BTreeMap::new();
        regions.insert(
            NATION.to_owned(),
            Region {
                code: NATION.to_owned(),
                name: "全国".to_owned(),
                level: Level::Nation,
            },
        );
        let mut former = Vec::new();
        for line in NATIONAL.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["R", code, name] => {
                    regions.insert(
                        (*code).to_owned(),
                        Region {
                            code: (*code).to_owned(),
                            name: (*name).to_owned(),
                            level: level_of(code),
                        },
                    );
                }
                ["F", code, name, now, last_listed] => former.push(Former {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    now: (*now).to_owned(),
                    last_listed: (*last_listed).to_owned(),
                }),
                // The file is generated and tested; a line of another shape is skipped
                // rather than stopping every build.
                _ => {}
            }
        }
        Catalogue { regions, former }
    }

    /// The catalogue with a project's own entries added, or replacing those with the same
    /// code (a newer code list than the one compiled in).
    pub fn with_entries<'e>(
        mut self,
        entries: impl IntoIterator<Item = (&'e str, &'e str)>,
    ) -> Self {
        for (code, name) in entries {
            self.regions.insert(
                code.to_owned(),
                Region {
                    code: code.to_owned(),
                    name: name.to_owned(),
                    level: level_of(code),
                },
            );
        }
        self
    }

    /// How many regions it holds, the nation included.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether it holds nothing (never, for the national catalogue).
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Every region, by code.
    pub fn all(&self) -> impl Iterator<Item = &Region> {
        self.regions.values()
    }

    /// The region with this code.
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// The region directly above `code`: a county's prefecture (or its province, for a
    /// county the province governs directly and for a municipality's districts), a
    /// prefecture's province, a province's nation. `None` for the nation and for codes not
    /// in the catalogue.
    pub fn parent(&self, code: &str) -> Option<&Region> {
        let region = self.regions.get(code)?;
        let province = format!("{}0000", code.get(..2)?);
        match region.level {
            Level::Nation => None,
            Level::Province => self.regions.get(NATION),
            Level::Prefecture => self.regions.get(&province),
            Level::County => {
                let prefecture = format!("{}00", code.get(..4)?);
                self.regions
                    .get(&prefecture)
                    .or_else(|| self.regions.get(&province))
            }
        }
    }

    /// Every region above `code`, nearest first, ending with the nation.
    pub fn ancestors(&self, code: &str) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut at = code.to_owned();
        while let Some(parent) = self.parent(&at) {
            at.clone_from(&parent.code);
            out.push(parent);
        }
        out
    }

    /// Whether `region` is `code` itself or one of the regions above it.
    pub fn covers(&self, region: &str, code: &str) -> bool {
        region == code || self.ancestors(code).iter().any(|r| r.code == region)
    }

    /// The regions directly below `code`, by code.
    pub fn children(&self, code: &str) -> Vec<&Region> {
        self.regions
            .values()
            .filter(|r| r.code != code && self.parent(&r.code).is_some_and(|p| p.code == code))
            .collect()
    }

    /// The regions with exactly this name (several counties share a name across provinces).
    pub fn named(&self, name: &str) -> Vec<&Region> {
        self.regions.values().filter(|r| r.name == name).collect()
    }

    /// What to suggest for a code not in the catalogue, or a name that does not match its
    /// code: the region it became, when it is a former code or name; otherwise the regions
    /// whose name is nearest to `name` at the same level, or whose code is nearest.
    pub fn suggest(&self, code: &str, name: &str) -> Option<Suggestion> {
        let renamed = self
            .former
            .iter()
            .filter(|f| f.code == code || (!name.is_empty() && f.name == name))
            // The most recent change is what holds now.
            .max_by(|a, b| a.last_listed.cmp(&b.last_listed));
        if let Some(former) = renamed {
            if let Some(now) = self.regions.get(&former.now) {
                return Some(Suggestion::Renamed {
                    former: former.clone(),
                    now: now.clone(),
                });
            }
        }
        let level = level_of(code);
        let mut by_name: Vec<(usize, &Region)> = self
            .regions
            .values()
            .filter(|r| !name.is_empty() && r.level == level)
            .map(|r| (edit_distance(name, &r.name), r))
            .filter(|(d, _)| *d <= 1)
            .collect();
        by_name.sort_by_key(|(d, r)| (*d, r.code.clone()));
        let mut near: Vec<Region> = by_name
            .into_iter()
            .take(4)
            .map(|(_, r)| r.clone())
            .collect();
        if near.is_empty() {
            let mut by_code: Vec<(usize, &Region)> = self
                .regions
                .values()
                .filter(|r| r.level == level)
                .map(|r| (edit_distance(code, &r.code), r))
                .filter(|(d, _)| *d <= 1)
                .collect();
            by_code.sort_by_key(|(d, r)| (*d, r.code.clone()));
            near = by_code
                .into_iter()
                .take(4)
                .map(|(_, r)| r.clone())
                .collect();
        }
        (!near.is_empty()).then_some(Suggestion::Near(near))
    }

    /// The former codes and names that became `code`, most recent first.
    pub fn former_of(&self, code: &str) -> Vec<&Former> {
        let mut out: Vec<&Former> = self.former.iter().filter(|f| f.now == code).collect();
        out.sort_by(|a, b| b.last_listed.cmp(&a.last_listed));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed documents' counties, as their folders name them, with their prefecture and
    /// province.
    const SEEDS: [(&str, &str, &str, &str); 8] = [
        ("140431", "沁源县", "长治市", "山西省"),
        ("360121", "南昌县", "南昌市", "江西省"),
        ("420324", "竹溪县", "十堰市", "湖北省"),
        ("420325", "房县", "十堰市", "湖北省"),
        ("533401", "香格里拉市", "迪庆藏族自治州", "云南省"),
        ("610117", "高陵区", "西安市", "陕西省"),
        ("610724", "西乡县", "汉中市", "陕西省"),
        ("610926", "平利县", "安康市", "陕西省"),
    ];

    #[test]
    fn the_seed_counties_are_in_it_with_their_regions_above() {
        let catalogue = Catalogue::national();
        for (code, name, prefecture, province) in SEEDS {
            let county = catalogue.get(code);
            assert_eq!(county.map(|c| c.name.as_str()), Some(name), "{code}");
            let names: Vec<&str> = catalogue
                .ancestors(code)
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            assert_eq!(names, [prefecture, province, "全国"], "{code}");
        }
    }

    #[test]
    fn it_holds_the_nation_at_its_size() {
        let catalogue = Catalogue::national();
        let count = |level| {
            catalogue
                .regions
                .values()
                .filter(|r| r.level == level)
                .count()
        };
        assert_eq!(count(Level::Province), 31);
        assert!(
            (330..=340).contains(&count(Level::Prefecture)),
            "{}",
            count(Level::Prefecture)
        );
        assert!(
            (2800..=2900).contains(&count(Level::County)),
            "{}",
            count(Level::County)
        );
    }

    #[test]
    fn former_codes_lead_to_the_region_now() {
        let catalogue = Catalogue::national();
        for (old, now) in [("610126", "610117"), ("533421", "533401")] {
            match catalogue.suggest(old, "") {
                Some(Suggestion::Renamed { now: region, .. }) => assert_eq!(region.code, now),
                other => panic!("{old}: {other:?}"),
            }
        }
        assert!(catalogue
            .former_of("610117")
            .iter()
            .any(|f| f.name == "高陵县" && f.code == "610126"));
    }

    #[test]
    fn a_near_name_is_suggested() {
        let catalogue = Catalogue::national();
        match catalogue.suggest("610118", "高陵县") {
            Some(Suggestion::Renamed { now, .. }) => assert_eq!(now.code, "610117"),
            other => panic!("{other:?}"),
        }
        match catalogue.suggest("999999", "沁原县") {
            Some(Suggestion::Near(near)) => assert!(near.iter().any(|r| r.code == "140431")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn municipal_districts_and_directly_governed_counties_hang_from_their_province() {
        let catalogue = Catalogue::national();
        // 北京市东城区: no prefecture between the district and the municipality.
        assert_eq!(
            catalogue.parent("110101").map(|r| r.code.as_str()),
            Some("110000")
        );
        // 湖北省仙桃市, governed by the province directly.
        assert_eq!(
            catalogue.parent("429004").map(|r| r.code.as_str()),
            Some("420000")
        );
        assert!(catalogue
            .children("610100")
            .iter()
            .any(|r| r.code == "610117"));
    }

    #[test]
    fn a_project_may_add_and_override() {
        let catalogue =
            Catalogue::national().with_entries([("610199", "新区"), ("610117", "高陵区（新）")]);
        assert_eq!(
            catalogue.get("610199").map(|r| r.level),
            Some(Level::County)
        );
        assert_eq!(
            catalogue.get("610117").map(|r| r.name.as_str()),
            Some("高陵区（新）")
        );
    }
}
