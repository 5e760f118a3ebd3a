//! The open data's big files, written a county at a time: per province, every county's
//! rulebook (`data/provinces/XX0000.json`) and every rule's standard that applies there
//! (`data/provinces/XX0000.csv`), and a national index naming every file (`data/index.json`).
//!
//! A file per province rather than one for the nation: at national size one file would be
//! over a gigabyte, which no one can open; a province's stays in the tens of megabytes. In a
//! province's JSON a policy of a region above the county (the province's, a prefecture's, the
//! nation's) is written once, under `above`, and each county's list of policies names it in
//! its place as `{"above": "ID"}`: written in every county's entry, a province's policy made
//! a tenth of the province's file at national size (3,000 counties of 10 policies each).

use crate::output::{lock, InOrder, OutputError, StagedFile, Staging};
use crate::pages::{CountyEntry, RuleRow};
use crate::urls;
use calculator::expr::Absent;
use calculator::model::{CountyRef, Level, Policy};
use calculator::Rulebook;
use policy::load::{Document, Project};
use serde::Serialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The header of every CSV file: one row per rule, with the region whose document it is.
pub const CSV_HEADER: &str =
    "region,region_name,level,policy,rule,label,audience,standard,limits,condition,clause_url\n";

/// How many bytes of pieces may wait in memory for those before them, per file.
const WAITING_JSON: usize = 8 << 20;
const WAITING_CSV: usize = 2 << 20;

/// The province a region's code lies in (`610117` → `610000`); `None` for the nation.
pub fn province_of(code: &str) -> Option<String> {
    let two = code.get(..2)?;
    (two != "00").then(|| format!("{two}0000"))
}

/// Where a province's files are.
pub fn province_json(province: &str) -> String {
    format!("/data/provinces/{province}.json")
}

/// Where a province's rates table is.
pub fn province_csv(province: &str) -> String {
    format!("/data/provinces/{province}.csv")
}

/// The national index.
pub const INDEX_JSON: &str = "/data/index.json";

/// A province's two files while its counties are written.
#[derive(Debug)]
struct ProvinceFiles<'a> {
    code: String,
    /// Its counties with a place, in the order of their codes.
    counties: usize,
    json: InOrder<StagedFile<'a>>,
    csv: InOrder<StagedFile<'a>>,
    /// The policies of regions above the counties, by id, as JSON: written once, after the
    /// counties.
    above: Mutex<BTreeMap<String, String>>,
}

/// Every province's files, each county's pieces put in the order of the codes.
#[derive(Debug)]
pub struct OpenData<'a> {
    provinces: Vec<ProvinceFiles<'a>>,
    /// County code → its province's index in `provinces` and its place there.
    places: HashMap<String, (usize, usize)>,
}

/// A county's entry in its province's JSON: its rulebook less the facts catalogue, which is
/// the same for every county and published once at `/data/facts.json`, with the policies of
/// the regions above named by their id.
#[derive(Serialize)]
struct CountyRules<'b> {
    county: &'b CountyRef,
    absent: &'b [Absent],
    policies: Vec<PolicyEntry<'b>>,
}

/// A policy in a county's entry: the county's own, whole (as [`PolicyJson`] wrote it, else
/// written now); one from above, by its id.
#[derive(Serialize)]
#[serde(untagged)]
enum PolicyEntry<'b> {
    Written(&'b RawValue),
    Own(&'b Policy),
    Above { above: &'b str },
}

impl<'b> PolicyEntry<'b> {
    fn whole(policy: &'b Policy, json: &'b PolicyJson) -> PolicyEntry<'b> {
        json.get(policy)
            .map_or(PolicyEntry::Own(policy), PolicyEntry::Written)
    }
}

/// Each compiled policy of a part of the project as JSON, written once: the policy's own
/// file, its county's rulebook and its province's file hold the same text (serialising it
/// three times was 3% of a build). An id two of the part's policies share (a mistake the
/// whole project's check reports, but the preview's one-county update does not reach) has
/// none: each such policy is serialised where it is written.
#[derive(Debug, Default)]
pub struct PolicyJson(HashMap<String, Option<Box<RawValue>>>);

impl PolicyJson {
    /// The JSON of every compiled policy of `project`.
    pub fn of(project: &Project) -> PolicyJson {
        let mut json = HashMap::new();
        for policy in project.documents.iter().filter_map(|d| d.compiled.as_ref()) {
            json.entry(policy.id.clone())
                .and_modify(|shared: &mut Option<Box<RawValue>>| *shared = None)
                .or_insert_with(|| serde_json::value::to_raw_value(policy).ok());
        }
        PolicyJson(json)
    }

    /// `policy` as JSON, if it is one of the part's and its id is its own.
    pub fn get(&self, policy: &Policy) -> Option<&RawValue> {
        self.0.get(&policy.id).and_then(Option::as_deref)
    }

    /// `policy` as JSON: as written once, else serialised now.
    pub fn text<'j>(&'j self, policy: &Policy) -> serde_json::Result<Cow<'j, str>> {
        match self.get(policy) {
            Some(raw) => Ok(Cow::Borrowed(raw.get())),
            None => serde_json::to_string(policy).map(Cow::Owned),
        }
    }
}

/// A county's rulebook as JSON, as `serde_json::to_string` writes it (a test holds them
/// equal), its policies from `json`.
pub fn rulebook_json(book: &Rulebook, json: &PolicyJson) -> String {
    #[derive(Serialize)]
    struct Written<'b> {
        county: &'b CountyRef,
        facts: &'b calculator::FactCatalogue,
        absent: &'b [Absent],
        policies: Vec<PolicyEntry<'b>>,
    }
    serde_json::to_string(&Written {
        county: &book.county,
        facts: &book.facts,
        absent: &book.absent,
        policies: book
            .policies
            .iter()
            .map(|p| PolicyEntry::whole(p, json))
            .collect(),
    })
    .unwrap_or_default()
}

impl<'a> OpenData<'a> {
    /// A JSON and a CSV file per province of `codes` (every county of the project), begun.
    pub fn new(
        staging: &'a Staging,
        scratch: &Path,
        codes: &[String],
    ) -> Result<OpenData<'a>, OutputError> {
        let mut by_province: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for code in codes {
            if let Some(province) = province_of(code) {
                by_province.entry(province).or_default().push(code);
            }
        }
        let mut provinces = Vec::new();
        let mut places = HashMap::new();
        for (i, (province, mut counties)) in by_province.into_iter().enumerate() {
            counties.sort_unstable();
            counties.dedup();
            for (place, code) in counties.iter().enumerate() {
                places.insert((*code).to_owned(), (i, place));
            }
            let head = format!(
                "{{\"province\":{},\"facts\":\"/data/facts.json\",\"counties\":{{",
                serde_json::to_string(&province).unwrap_or_default()
            );
            let json = begun(staging, &province_json(&province), head.as_bytes())?;
            let csv = begun(staging, &province_csv(&province), CSV_HEADER.as_bytes())?;
            let spill = |kind: &str| scratch.join(format!("{province}.{kind}.waiting"));
            provinces.push(ProvinceFiles {
                json: InOrder::new(json, spill("json"), WAITING_JSON),
                csv: InOrder::new(csv, spill("csv"), WAITING_CSV),
                counties: counties.len(),
                code: province,
                above: Mutex::new(BTreeMap::new()),
            });
        }
        Ok(OpenData { provinces, places })
    }

    /// The provinces with counties in the project that a region's documents reach: its own
    /// province, or every one for the nation's.
    pub fn provinces_under(&self, region: &str) -> Vec<String> {
        let own = province_of(region);
        self.provinces
            .iter()
            .filter(|p| own.as_ref().is_none_or(|own| *own == p.code))
            .map(|p| p.code.clone())
            .collect()
    }

    /// A county's share: its rulebook (none when it has no compiled rules) and the rows of
    /// its own documents' rules.
    pub fn county(
        &self,
        code: &str,
        book: Option<&Rulebook>,
        json: &PolicyJson,
        rows: String,
    ) -> Result<(), OutputError> {
        let Some(&(i, place)) = self.places.get(code) else {
            return Ok(());
        };
        let province = &self.provinces[i];
        // Every county of the province has an entry, `null` when it has no rules.
        let mut piece = Vec::new();
        if place > 0 {
            piece.push(b',');
        }
        piece.extend_from_slice(serde_json::to_string(code).unwrap_or_default().as_bytes());
        piece.push(b':');
        match book {
            Some(book) => {
                let mut policies = Vec::with_capacity(book.policies.len());
                for policy in &book.policies {
                    if policy.region.level == Level::County {
                        policies.push(PolicyEntry::whole(policy, json));
                        continue;
                    }
                    if !lock(&province.above).contains_key(&policy.id) {
                        let written = json
                            .text(policy)
                            .map_err(|e| io(&province_json(&province.code), e.into()))?;
                        lock(&province.above).insert(policy.id.clone(), written.into_owned());
                    }
                    policies.push(PolicyEntry::Above { above: &policy.id });
                }
                let entry = CountyRules {
                    county: &book.county,
                    absent: &book.absent,
                    policies,
                };
                let _ = serde_json::to_writer(&mut piece, &entry);
            }
            None => piece.extend_from_slice(b"null"),
        }
        province
            .json
            .put(place, piece)
            .map_err(|e| io(&province_json(&province.code), e))?;
        province
            .csv
            .put(place, rows.into_bytes())
            .map_err(|e| io(&province_csv(&province.code), e))
    }

    /// Every province's files completed, the rows of the documents above the county that
    /// apply there (by province code) after its counties' rows.
    pub fn finish(self, above: &BTreeMap<String, String>) -> Result<(), OutputError> {
        for province in self.provinces {
            let csv_path = province_csv(&province.code);
            let rows = above.get(&province.code).cloned().unwrap_or_default();
            province
                .csv
                .put(province.counties, rows.into_bytes())
                .map_err(|e| io(&csv_path, e))?;
            let csv = province.csv.finish().map_err(|e| io(&csv_path, e))?;
            csv.finish()?;
            let json_path = province_json(&province.code);
            let mut json = province.json.finish().map_err(|e| io(&json_path, e))?;
            let mut tail = String::from("},\"above\":{");
            let above = province
                .above
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner);
            for (i, (id, policy)) in above.iter().enumerate() {
                if i > 0 {
                    tail.push(',');
                }
                tail.push_str(&serde_json::to_string(id).unwrap_or_default());
                tail.push(':');
                tail.push_str(policy);
            }
            tail.push_str("}}");
            json.write_all(tail.as_bytes())
                .map_err(|e| io(&json_path, e))?;
            json.finish()?;
        }
        Ok(())
    }
}

/// A staged file with its first bytes written.
fn begun<'a>(staging: &'a Staging, url: &str, head: &[u8]) -> Result<StagedFile<'a>, OutputError> {
    let mut file = staging.create(&urls::file_of(url))?;
    file.write_all(head).map_err(|e| io(url, e))?;
    Ok(file)
}

fn io(url: &str, source: std::io::Error) -> OutputError {
    OutputError::Io {
        path: PathBuf::from(urls::file_of(url)),
        source,
    }
}

/// Append a document's rows of its province's CSV: every rule's standard, for spreadsheets.
pub fn rates_rows(
    out: &mut String,
    document: &Document,
    region_name: &str,
    level: &str,
    rows: &[RuleRow],
) {
    for row in rows {
        let fields = [
            document.source.county.as_str(),
            region_name,
            level,
            document.source.id.as_str(),
            row.id.as_str(),
            row.label.as_str(),
            row.audience_label,
            row.standard.as_str(),
            &row.limits.join("；"),
            row.condition.as_deref().unwrap_or(""),
            row.clause_url.as_str(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a newline.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// `data/index.json`: every province's files and every county's, so that a program can find
/// any county's rules from one small file.
pub fn index(counties: &[(&CountyEntry, bool)]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Index<'b> {
        facts: &'static str,
        schema: BTreeMap<&'static str, &'static str>,
        provinces: Vec<ProvinceEntry<'b>>,
    }
    #[derive(Serialize)]
    struct ProvinceEntry<'b> {
        code: String,
        name: &'b str,
        rules: String,
        rates: String,
        counties: Vec<CountyEntryOut<'b>>,
    }
    #[derive(Serialize)]
    struct CountyEntryOut<'b> {
        code: &'b str,
        name: &'b str,
        #[serde(skip_serializing_if = "Option::is_none")]
        rules: Option<String>,
    }
    let mut provinces: BTreeMap<String, ProvinceEntry<'_>> = BTreeMap::new();
    let mut sorted: Vec<&(&CountyEntry, bool)> = counties.iter().collect();
    sorted.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    for (entry, has_rules) in sorted {
        let Some(code) = province_of(&entry.code) else {
            continue;
        };
        let name = entry
            .above
            .iter()
            .find(|r| r.code == code)
            .map_or("", |r| r.name.as_str());
        provinces
            .entry(code.clone())
            .or_insert_with(|| ProvinceEntry {
                rules: province_json(&code),
                rates: province_csv(&code),
                code,
                name,
                counties: Vec::new(),
            })
            .counties
            .push(CountyEntryOut {
                code: &entry.code,
                name: &entry.name,
                rules: has_rules.then(|| urls::county_rules(&entry.code)),
            });
    }
    let index = Index {
        facts: "/data/facts.json",
        schema: BTreeMap::from([
            ("policy", "/data/schema/policy.schema.json"),
            ("county", "/data/schema/county.schema.json"),
            ("facts", "/data/schema/facts.schema.json"),
            ("regions", "/data/schema/regions.schema.json"),
        ]),
        provinces: provinces.into_values().collect(),
    };
    serde_json::to_vec_pretty(&index).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each policy is serialised once and its JSON put into the county's and the province's
    /// files: they must read exactly as serde would write them whole.
    #[test]
    fn rulebooks_written_from_each_policys_json_are_serdes() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let project = policy::load::load(root).unwrap();
        let json = PolicyJson::of(&project);
        assert!(!project.rulebooks.is_empty());
        for book in project.rulebooks.values() {
            assert!(book.policies.iter().all(|p| json.get(p).is_some()));
            assert_eq!(
                rulebook_json(book, &json),
                serde_json::to_string(book).unwrap(),
                "{}",
                book.county.code
            );
            // Without the policies' JSON the rulebook is written whole.
            assert_eq!(
                rulebook_json(book, &PolicyJson::default()),
                serde_json::to_string(book).unwrap()
            );
            let own = CountyRules {
                county: &book.county,
                absent: &book.absent,
                policies: book.policies.iter().map(PolicyEntry::Own).collect(),
            };
            let written = CountyRules {
                county: &book.county,
                absent: &book.absent,
                policies: book
                    .policies
                    .iter()
                    .map(|p| PolicyEntry::whole(p, &json))
                    .collect(),
            };
            assert_eq!(
                serde_json::to_string(&written).unwrap(),
                serde_json::to_string(&own).unwrap()
            );
        }
    }

    #[test]
    fn provinces_of_codes() {
        assert_eq!(province_of("610117").as_deref(), Some("610000"));
        assert_eq!(province_of("610100").as_deref(), Some("610000"));
        assert_eq!(province_of("000000"), None);
        assert_eq!(province_of(""), None);
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("每头500元"), "每头500元");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"好\""), "\"说\"\"好\"\"\"");
    }
}
