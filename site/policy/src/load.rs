//! Loading a project: the facts catalogue, every county and policy under `policies/`, their
//! full texts, and the compiled rulebook of each county. Returns every problem at once.

use crate::clauses::{self, Clause};
use crate::compile::{self, FileContext};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceText};
use crate::examples;
use crate::messages::{Key, Msg};
use crate::source::{
    CountySource, DocumentKindSource, FactKindSource, FactsFile, PolicySource, RegionsSource,
};
use crate::yaml::{self, YamlIndex};
use calculator::expr::Absent;
use calculator::fact::{FactCatalogue, FactDef, FactGroup, FactKind};
use calculator::model::{CountyRef, Level, Policy, RegionRef, Rulebook};
use calculator::unit::Dimension;
use calculator::Period;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use walkdir::WalkDir;

mod parts;
pub use parts::{Part, Parts};

/// A county as loaded from its `county.yaml`; in [`Project::regions`], a prefecture,
/// province or the nation as loaded from its `region.yaml` (the same keys).
#[derive(Debug, Clone)]
pub struct County {
    /// Its `county.yaml` (or `region.yaml`) as read; only those that passed every check are
    /// loaded.
    pub source: CountySource,
    /// The folder, relative to the project root.
    pub dir: String,
    /// The region it is, as the code list names it.
    pub region: RegionRef,
    /// The regions above it, nearest first, ending with the nation.
    pub above: Vec<RegionRef>,
}

impl County {
    /// Whether a document of `region` (its folder's code) with `applies_to` as written
    /// applies in this county: its own, or one of a region above that does not leave it out.
    pub fn is_covered_by(&self, document: &PolicySource) -> bool {
        let code = &self.region.code;
        if document.county == *code {
            return true;
        }
        if !self.above.iter().any(|r| r.code == document.county) {
            return false;
        }
        match &document.applies_to {
            None => true,
            Some(a) if !a.only.is_empty() => a.only.contains(code),
            Some(a) => !a.except.contains(code),
        }
    }
}

/// A policy document (or report) as loaded.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its `policy.yaml` as read, with where each rule, group and example stood in the file.
    pub source: PolicySource,
    /// The folder of `policy.yaml` and `text.md`, relative to the project root, with `/`
    /// (`policies/610117-gaoling/gaoling-2017-industry`).
    pub dir: String,
    /// The `policy.yaml` text as written, for positions in messages; the site publishes it
    /// as the YAML download.
    pub file: Arc<SourceText>,
    /// The Markdown full text; empty for measures derived from another document's text.
    pub text: String,
    /// The clause anchors (`{#c4-3-6}`) of `text`, in order; empty for derived measures,
    /// whose clauses are in the report's text.
    pub clauses: Vec<Clause>,
    /// When its measures apply, from `validity`; a stand-in from 1900-01-01 when that could
    /// not be read (the project then fails to load).
    pub period: Period,
    /// The compiled rules; `None` for reports.
    pub compiled: Option<Policy>,
    /// Where each YAML path of `file` is; built when a check first reports, then kept.
    pub index: YamlIndex,
    /// What the engine computed for each worked example during the check, in order; the
    /// policy page shows these rather than computing them again.
    pub example_estimates: Vec<calculator::Estimate>,
}

impl Document {
    /// Where problems with this document are reported: its file, the file's index and what
    /// reading it left out (not reported twice).
    fn context<'d>(&'d self, diagnostics: &'d mut Vec<Diagnostic>) -> FileContext<'d> {
        FileContext {
            source: &self.file,
            index: &self.index,
            diagnostics,
            damaged: &self.source.positions.damaged,
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Counties with a `county.yaml`.
    pub counties: usize,
    /// Documents with rules: policies and measures derived from reports.
    pub policies: usize,
    /// Reports (调研报告), which have no rules.
    pub reports: usize,
    /// Rules, over all documents.
    pub rules: usize,
    /// Worked examples, each recomputed by the engine during the check.
    pub examples: usize,
}

impl Summary {
    /// Count `document`: a policy or a report, its rules, and its worked examples when they
    /// were `computed` (a document that did not compile has none worked out).
    pub(crate) fn count(&mut self, document: &Document, computed: bool) {
        match document.source.kind {
            DocumentKindSource::Report => self.reports += 1,
            _ => self.policies += 1,
        }
        self.rules += document.source.rules.len();
        if computed {
            self.examples += document.source.examples.len();
        }
    }
}

/// A checked project.
#[derive(Debug)]
pub struct Project {
    /// The project folder as given; empty for a project loaded from memory.
    pub root: PathBuf,
    /// `policies/facts.yaml` compiled: the same catalogue for every county.
    pub facts: FactCatalogue,
    /// In the order of their folders' names.
    pub counties: Vec<County>,
    /// The prefectures, provinces (and the nation) that have a folder with a `region.yaml`,
    /// in the order of their folders' names.
    pub regions: Vec<County>,
    /// The national code list, with the project's `policies/regions.yaml` applied.
    pub catalogue: Arc<regions::Catalogue>,
    /// Policies, reports and derived measures, in the order of their folders (county, then
    /// document).
    pub documents: Vec<Document>,
    /// County code → its compiled rules, for every county (a county without policies has an
    /// empty rulebook): its own policies and those of the regions above that apply to it.
    pub rulebooks: BTreeMap<String, Rulebook>,
    /// Counts for the summary line.
    pub summary: Summary,
}

impl Project {
    /// The county with this GB/T 2260 code, if the project has it.
    pub fn county(&self, code: &str) -> Option<&County> {
        self.counties.iter().find(|c| c.source.code == code)
    }

    /// The region folder (prefecture, province, nation) with this code, if the project has it.
    pub fn region(&self, code: &str) -> Option<&County> {
        self.regions.iter().find(|c| c.source.code == code)
    }

    /// The documents that apply in a county: its own and those of the regions above it that
    /// cover it, in the project's order.
    pub fn documents_for<'p>(&'p self, county: &'p County) -> impl Iterator<Item = &'p Document> {
        self.documents
            .iter()
            .filter(move |d| county.is_covered_by(&d.source))
    }

    /// The document that replaces the one with id `id` (its `supersedes` names it), if any.
    pub fn successor(&self, id: &str) -> Option<&Document> {
        self.documents
            .iter()
            .find(|d| d.source.supersedes.as_deref() == Some(id))
    }
}

/// Where a project's files are read from: a folder on disk, or memory (tests and fuzzing).
/// Paths are relative to the project root, with `/`.
trait Files {
    /// The root, for messages and [`Project::root`].
    fn root(&self) -> PathBuf;
    fn read(&self, relative: &str) -> std::io::Result<String>;
    fn is_dir(&self, relative: &str) -> bool;
    fn is_file(&self, relative: &str) -> bool;
    /// Everything under `policies/` down to depth 4 except `schema` folders, each parent
    /// before its children and siblings by name (the order of `WalkDir::sort_by_file_name`).
    fn entries(&self) -> Vec<Result<Entry, String>>;
}

/// A file or folder under `policies/`.
struct Entry {
    relative: String,
    /// 1 for what is directly in `policies/`.
    depth: usize,
    is_dir: bool,
}

impl Entry {
    fn name(&self) -> &str {
        self.relative.rsplit('/').next().unwrap_or_default()
    }
}

struct Disk<'a>(&'a Path);

impl Files for Disk<'_> {
    fn root(&self) -> PathBuf {
        self.0.to_path_buf()
    }
    fn read(&self, relative: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.0.join(relative))
    }
    fn is_dir(&self, relative: &str) -> bool {
        self.0.join(relative).is_dir()
    }
    fn is_file(&self, relative: &str) -> bool {
        self.0.join(relative).is_file()
    }
    fn entries(&self) -> Vec<Result<Entry, String>> {
        WalkDir::new(self.0.join("policies"))
            .min_depth(1)
            .max_depth(4)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.file_name() != "schema")
            .map(|entry| match entry {
                Ok(entry) => Ok(Entry {
                    relative: relative(self.0, entry.path()),
                    depth: entry.depth(),
                    is_dir: entry.file_type().is_dir(),
                }),
                Err(error) => Err(error.to_string()),
            })
            .collect()
    }
}

/// The files on disk, but of `policies/` only the files directly in it and the folders
/// named: what one county's part needs, without walking the thousands of folders of a
/// national project.
struct SomeFolders<'a> {
    root: &'a Path,
    /// Names of folders directly in `policies/`.
    folders: &'a [String],
}

impl Files for SomeFolders<'_> {
    fn root(&self) -> PathBuf {
        self.root.to_path_buf()
    }
    fn read(&self, relative: &str) -> std::io::Result<String> {
        Disk(self.root).read(relative)
    }
    fn is_dir(&self, relative: &str) -> bool {
        Disk(self.root).is_dir(relative)
    }
    fn is_file(&self, relative: &str) -> bool {
        Disk(self.root).is_file(relative)
    }
    fn entries(&self) -> Vec<Result<Entry, String>> {
        let policies = self.root.join("policies");
        let mut top: Vec<(String, bool)> = match std::fs::read_dir(&policies) {
            Ok(read) => read
                .filter_map(Result::ok)
                .map(|e| {
                    let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                    (e.file_name().to_string_lossy().into_owned(), is_dir)
                })
                .collect(),
            Err(error) => return vec![Err(error.to_string())],
        };
        top.sort();
        let mut entries = Vec::new();
        for (name, is_dir) in top {
            if !is_dir {
                entries.push(Ok(Entry {
                    relative: format!("policies/{name}"),
                    depth: 1,
                    is_dir,
                }));
            } else if self.folders.contains(&name) {
                // The same walk as the whole project's, one folder down.
                let walk = WalkDir::new(policies.join(&name))
                    .max_depth(3)
                    .sort_by_file_name();
                let walk = walk.into_iter().filter_entry(|e| e.file_name() != "schema");
                entries.extend(walk.map(|entry| match entry {
                    Ok(entry) => Ok(Entry {
                        relative: relative(self.root, entry.path()),
                        depth: entry.depth() + 1,
                        is_dir: entry.file_type().is_dir(),
                    }),
                    Err(error) => Err(error.to_string()),
                }));
            }
        }
        entries
    }
}

/// Files in memory: each path (relative to the root, with `/`) and its text.
struct Memory<'a>(&'a BTreeMap<String, String>);

impl Files for Memory<'_> {
    fn root(&self) -> PathBuf {
        PathBuf::new()
    }
    fn read(&self, relative: &str) -> std::io::Result<String> {
        self.0
            .get(relative)
            .cloned()
            .ok_or_else(|| std::io::ErrorKind::NotFound.into())
    }
    fn is_dir(&self, relative: &str) -> bool {
        let prefix = format!("{relative}/");
        self.0.keys().any(|path| path.starts_with(&prefix))
    }
    fn is_file(&self, relative: &str) -> bool {
        self.0.contains_key(relative)
    }
    fn entries(&self) -> Vec<Result<Entry, String>> {
        // Every file and every folder above it, as components, sorted: parents come first.
        let mut seen: BTreeMap<Vec<&str>, bool> = BTreeMap::new();
        for path in self.0.keys() {
            let parts: Vec<&str> = path.split('/').collect();
            if parts.len() < 2 || parts[0] != "policies" {
                continue;
            }
            if parts[1..parts.len() - 1].contains(&"schema") {
                continue;
            }
            for end in 2..parts.len() {
                seen.entry(parts[..end].to_vec()).or_insert(true);
            }
            seen.insert(parts, false);
        }
        seen.into_iter()
            .filter(|(parts, _)| parts.len() <= 5 && parts.last() != Some(&"schema"))
            .map(|(parts, is_dir)| {
                Ok(Entry {
                    depth: parts.len() - 1,
                    relative: parts.join("/"),
                    is_dir,
                })
            })
            .collect()
    }
}

/// Read a file relative to the root, registering it for snippets.
fn read(
    files: &dyn Files,
    relative: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Arc<SourceText>> {
    match files.read(relative) {
        Ok(text) => {
            let source = Arc::new(SourceText::new(relative, text));
            diagnostics.add_source(source.clone());
            Some(source)
        }
        Err(error) => {
            diagnostics.push(Diagnostic::unreadable(relative, &error));
            None
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Load and check everything under `root`. `Err` carries every problem found.
pub fn load(root: &Path) -> Result<Project, Diagnostics> {
    load_files(&Disk(root))
}

/// Load and check a project held in memory: each file's path relative to the root (with
/// `/`, e.g. `policies/facts.yaml`) and its text. Checks exactly as [`load`] does, without
/// touching the disk; [`Project::root`] is empty.
pub fn load_in_memory(files: &BTreeMap<String, String>) -> Result<Project, Diagnostics> {
    load_files(&Memory(files))
}

/// What the first steps of a load find, before any policy is read: the facts catalogue
/// (`None` when it is wrong), the files under `policies/` and the counties that passed.
struct Plan {
    facts: Option<FactCatalogue>,
    /// Every `policy.yaml`, in the order of their folders.
    policy_files: Vec<String>,
    counties: Vec<County>,
    regions: Vec<County>,
    catalogue: regions::Catalogue,
}

/// Read the facts catalogue, find every file under `policies/` and load the counties.
/// `None` when there is no `policies/` folder (the diagnostic says so).
fn plan(
    files: &dyn Files,
    diagnostics: &mut Diagnostics,
    problems: &mut Vec<Diagnostic>,
) -> Option<Plan> {
    let root = files.root();
    if !files.is_dir("policies") {
        diagnostics.push(
            Diagnostic::file(
                "policies",
                Msg::new(Key::NoPoliciesFolder).arg(
                    "root",
                    std::path::absolute(&root)
                        .unwrap_or_else(|_| root.to_path_buf())
                        .display()
                        .to_string(),
                ),
            )
            .hint(Msg::new(Key::HintNoPoliciesFolder)),
        );
        return None;
    }

    let facts = read(files, "policies/facts.yaml", diagnostics)
        .and_then(|source| load_facts(&source, problems));

    let mut county_files = Vec::new();
    let mut region_files = Vec::new();
    let mut regions_file = None;
    let mut policy_files = Vec::new();
    let mut policy_dirs: Vec<String> = Vec::new();
    for entry in files.entries() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(Diagnostic::file(
                    "policies",
                    Msg::new(Key::FolderUnreadable).arg("error", error),
                ));
                continue;
            }
        };
        let rel = entry.relative.clone();
        match (entry.depth, entry.name()) {
            (1, "facts.yaml") => {}
            (1, "regions.yaml") => regions_file = Some(rel),
            (2, "county.yaml") => county_files.push(rel),
            (2, "region.yaml") => region_files.push(rel),
            (3, "policy.yaml") => policy_files.push(rel),
            (2, _) if entry.is_dir => policy_dirs.push(rel),
            (_, n) if n.ends_with(".yaml") || n.ends_with(".yml") => problems.push(
                Diagnostic::file(rel, Msg::new(Key::FileNotRead))
                    .hint(Msg::new(Key::HintWhereFilesGo)),
            ),
            _ => {}
        }
    }

    // A policy folder without policy.yaml would otherwise vanish from the site unnoticed.
    let with_policy: std::collections::HashSet<&str> = policy_files
        .iter()
        .filter_map(|f| f.strip_suffix("/policy.yaml"))
        .collect();
    for dir in &policy_dirs {
        if !with_policy.contains(dir.as_str()) {
            problems.push(
                Diagnostic::file(dir.clone(), Msg::new(Key::FolderWithoutPolicy))
                    .hint(Msg::new(Key::HintFolderWithoutPolicy)),
            );
        }
    }

    let mut catalogue = regions::Catalogue::national();
    if let Some(rel) = regions_file {
        if let Some(source) = read(files, &rel, diagnostics) {
            let (read, _) = yaml::read_format_file::<RegionsSource>(&source);
            problems.extend(read.problems);
            if let Some(file) = read.value {
                catalogue = catalogue.with_entries(
                    file.regions
                        .iter()
                        .map(|r| (r.code.as_str(), r.name.as_str())),
                );
            }
        }
    }
    let mut counties: Vec<County> = Vec::new();
    let mut regions: Vec<County> = Vec::new();
    // The codes loaded so far, for the check that each is used once (a set: a national
    // project has thousands).
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (rel, is_region) in county_files
        .iter()
        .map(|r| (r, false))
        .chain(region_files.iter().map(|r| (r, true)))
    {
        let Some(source) = read(files, rel, diagnostics) else {
            continue;
        };
        if let Some(county) = load_county(&source, rel, &taken, &catalogue, is_region, problems) {
            taken.insert(county.source.code.clone());
            if is_region {
                regions.push(county);
            } else {
                counties.push(county);
            }
        }
    }
    Some(Plan {
        facts,
        policy_files,
        counties,
        regions,
        catalogue,
    })
}

fn load_files(files: &dyn Files) -> Result<Project, Diagnostics> {
    let root = files.root();
    let mut diagnostics = Diagnostics::default();
    let mut problems: Vec<Diagnostic> = Vec::new();
    let Some(Plan {
        facts,
        policy_files,
        counties,
        regions,
        catalogue,
    }) = plan(files, &mut diagnostics, &mut problems)
    else {
        return Err(diagnostics);
    };
    let folders: Vec<&County> = counties.iter().chain(&regions).collect();

    let mut documents: Vec<Document> = Vec::new();
    if let Some(facts) = &facts {
        for rel in &policy_files {
            let Some(source) = read(files, rel, &mut diagnostics) else {
                continue;
            };
            if let Some(document) = load_document(
                files,
                source,
                rel,
                &folders,
                &documents,
                &mut diagnostics,
                &mut problems,
            ) {
                documents.push(document);
            }
        }
        compile_documents(&mut documents, facts, &mut problems);
        place_in_regions(&mut documents, &folders);
        check_levels(&documents, &folders, &catalogue, &mut problems);
        check_versions(&documents, &mut problems);
        check_double_subsidy(&documents, &folders, facts, &mut problems);
    }

    let mut summary = Summary {
        counties: counties.len(),
        ..Summary::default()
    };
    let mut rulebooks = BTreeMap::new();
    if let Some(facts) = &facts {
        for county in &counties {
            let book = county_rulebook(
                county,
                facts,
                documents.iter().filter(|d| county.is_covered_by(&d.source)),
            );
            rulebooks.insert(county.source.code.clone(), book);
        }
        // A region's examples are worked out with its document alone, as a county's are.
        for region in &regions {
            rulebooks.insert(
                region.source.code.clone(),
                rulebook(region, facts, Vec::new()),
            );
        }
        check_examples(
            &mut documents,
            &rulebooks,
            facts,
            &mut summary,
            &mut problems,
        );
        for region in &regions {
            rulebooks.remove(&region.source.code);
        }
    }

    for problem in problems {
        diagnostics.push(problem);
    }
    if !diagnostics.is_empty() {
        diagnostics.sort();
        return Err(diagnostics);
    }
    let Some(facts) = facts else {
        return Err(diagnostics);
    };
    Ok(Project {
        root,
        facts,
        counties,
        regions,
        catalogue: Arc::new(catalogue),
        documents,
        rulebooks,
        summary,
    })
}

/// A county's rulebook: the compiled policies of `documents` (the county's), by start date.
fn county_rulebook<'a>(
    county: &County,
    facts: &FactCatalogue,
    documents: impl Iterator<Item = &'a Document>,
) -> Rulebook {
    let mut policies: Vec<&Policy> = documents.filter_map(|d| d.compiled.as_ref()).collect();
    policies.sort_by(|a, b| (a.period.from, &a.id).cmp(&(b.period.from, &b.id)));
    rulebook(county, facts, policies.into_iter().cloned().collect())
}

/// Recompute every worked example of `documents` with its county's rules, keeping what the
/// engine computed; counts them for the summary line.
fn check_examples(
    documents: &mut [Document],
    rulebooks: &BTreeMap<String, Rulebook>,
    facts: &FactCatalogue,
    summary: &mut Summary,
    problems: &mut Vec<Diagnostic>,
) {
    for document in documents {
        let computed = (&document.compiled, rulebooks.get(&document.source.county));
        summary.count(document, matches!(computed, (Some(_), Some(_))));
        if let (Some(policy), Some(county)) = computed {
            let estimates = examples::check(document, policy, county, problems);
            document.example_estimates = estimates;
        } else if document.source.kind != DocumentKindSource::Report {
            // Not compiled because of a mistake elsewhere in it: its examples cannot be
            // computed, but what is wrong in how they are written is still reported.
            examples::check_readable(document, facts, problems);
        }
    }
}

/// A county's rulebook from its compiled policies.
pub fn rulebook(county: &County, facts: &FactCatalogue, policies: Vec<Policy>) -> Rulebook {
    Rulebook {
        county: CountyRef {
            code: county.source.code.clone(),
            name: county.source.name.clone(),
            office: county.source.office.clone(),
        },
        facts: facts.clone(),
        absent: facts
            .facts
            .iter()
            .map(|f| match f.kind {
                FactKind::YesNo => Absent::No,
                // A quantity that cannot be zero (a household has at least one person) is
                // unknown when not given, not zero.
                FactKind::Count | FactKind::Quantity
                    if f.min.is_some_and(|m| m > Decimal::ZERO) =>
                {
                    Absent::Missing
                }
                FactKind::Count | FactKind::Quantity => Absent::Zero,
                FactKind::Year => Absent::Missing,
            })
            .collect(),
        policies,
    }
}

/// The facts catalogue; `None` when anything in it is wrong (policies are then not checked:
/// every formula would be checked against a catalogue that is not the one meant).
fn load_facts(source: &SourceText, problems: &mut Vec<Diagnostic>) -> Option<FactCatalogue> {
    let (read, index) = yaml::read_format_file::<FactsFile>(source);
    let clean = read.is_clean();
    problems.extend(read.problems);
    let file = read.value?;
    let mut diagnostics = Vec::new();
    let mut cx = FileContext {
        source,
        index: &index,
        diagnostics: &mut diagnostics,
        damaged: &read.damaged,
    };
    let mut catalogue = FactCatalogue::default();
    for (i, fact) in file.facts.iter().enumerate() {
        let path = format!("facts[{i}]");
        // A fact that lost a key in reading is not checked further: its own checks would
        // only repeat that mistake.
        if cx.is_damaged(&path) {
            continue;
        }
        let valid = !fact.id.is_empty()
            && fact.id.starts_with(|c: char| c.is_ascii_lowercase())
            && fact
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            cx.error(
                &format!("{path}.id"),
                Msg::new(Key::FactIdInvalid).arg("id", &fact.id),
                Some(Msg::new(Key::HintFactId)),
            );
            continue;
        }
        if fact.id == "year" {
            cx.error(
                &format!("{path}.id"),
                Msg::new(Key::FactIdReserved),
                Some(Msg::new(Key::HintRenameFact)),
            );
            continue;
        }
        if catalogue.get(&fact.id).is_some() {
            cx.error(
                &format!("{path}.id"),
                Msg::new(Key::FactDefinedTwice).arg("id", &fact.id),
                Some(Msg::new(Key::HintRenameFact)),
            );
            continue;
        }
        let kind = match fact.kind {
            FactKindSource::YesNo => FactKind::YesNo,
            FactKindSource::Count => FactKind::Count,
            FactKindSource::Quantity => FactKind::Quantity,
            FactKindSource::Year => FactKind::Year,
        };
        let needs_unit = matches!(kind, FactKind::Count | FactKind::Quantity);
        let dimension = match (&fact.unit, needs_unit) {
            (Some(unit), true) => match Dimension::parse(unit) {
                Some(d) => d,
                None => {
                    cx.error(
                        &format!("{path}.unit"),
                        Msg::new(Key::UnknownUnit).arg("unit", unit),
                        Some(Msg::new(Key::HintUnits).list("units", Dimension::words())),
                    );
                    continue;
                }
            },
            (None, true) => {
                cx.error(
                    &path,
                    Msg::new(Key::FactNeedsUnit).arg("id", &fact.id),
                    Some(Msg::new(Key::HintFactUnit)),
                );
                continue;
            }
            (Some(_), false) => {
                cx.error(
                    &format!("{path}.unit"),
                    Msg::new(Key::FactUnitNotAllowed),
                    Some(Msg::new(Key::HintRemoveUnit)),
                );
                continue;
            }
            (None, false) => Dimension::NONE,
        };
        let mut bound =
            |key: &str, value: &Option<crate::source::Scalar>| -> Result<Option<Decimal>, ()> {
                match value {
                    None => Ok(None),
                    Some(text) => Decimal::from_str(&text.0).map(Some).map_err(|_| {
                        cx.error(
                            &format!("{path}.{key}"),
                            Msg::new(Key::NotANumber).arg("text", text.0.as_str()),
                            Some(Msg::new(Key::HintWriteNumber)),
                        );
                    }),
                }
            };
        let (Ok(min), Ok(max)) = (bound("min", &fact.min), bound("max", &fact.max)) else {
            continue;
        };
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                cx.error(
                    &format!("{path}.max"),
                    Msg::new(Key::MaxBelowMin)
                        .arg("min", min.to_string())
                        .arg("max", max.to_string()),
                    Some(Msg::new(Key::HintMaxBelowMin)),
                );
                continue;
            }
        }
        if needs_unit && max.is_none() {
            cx.error(
                &path,
                Msg::new(Key::FactNeedsMax).arg("id", &fact.id),
                Some(Msg::new(Key::HintFactMax)),
            );
            continue;
        }
        catalogue.facts.push(FactDef {
            id: fact.id.clone(),
            label: fact.label.clone(),
            kind,
            unit: fact.unit.clone(),
            dimension,
            group: match fact.group {
                crate::source::FactGroupSource::Status => FactGroup::Status,
                crate::source::FactGroupSource::Planting => FactGroup::Planting,
                crate::source::FactGroupSource::Livestock => FactGroup::Livestock,
                crate::source::FactGroupSource::Other => FactGroup::Other,
                crate::source::FactGroupSource::Organisation => FactGroup::Organisation,
            },
            min,
            max,
            help: fact.help.clone(),
        });
    }
    let ok = diagnostics.is_empty() && clean;
    problems.extend(diagnostics);
    ok.then_some(catalogue)
}

fn load_county(
    source: &SourceText,
    rel: &str,
    taken: &std::collections::HashSet<String>,
    catalogue: &regions::Catalogue,
    is_region: bool,
    problems: &mut Vec<Diagnostic>,
) -> Option<County> {
    let (read, index) = yaml::read_format_file::<CountySource>(source);
    let clean = read.is_clean();
    problems.extend(read.problems);
    let county = read.value?;
    let mut diagnostics = Vec::new();
    let mut cx = FileContext {
        source,
        index: &index,
        diagnostics: &mut diagnostics,
        damaged: &read.damaged,
    };
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let folder = dir.rsplit('/').next().unwrap_or_default();
    if !compile::valid_region_code(&county.code) {
        cx.error(
            "code",
            Msg::new(Key::CountyCodeInvalid).arg("code", &county.code),
            Some(Msg::new(Key::HintCountyCode)),
        );
    } else if !folder.starts_with(&format!("{}-", county.code)) {
        cx.error(
            "code",
            Msg::new(Key::CountyFolderMismatch)
                .arg("folder", folder)
                .arg("code", &county.code),
            Some(Msg::new(Key::HintCountyFolder).arg("code", &county.code)),
        );
    } else if taken.contains(&county.code) {
        cx.error(
            "code",
            Msg::new(Key::CountyCodeTaken).arg("code", &county.code),
            Some(Msg::new(Key::HintCountyCodeTaken)),
        );
    } else {
        check_in_catalogue(&mut cx, &county, catalogue, is_region);
    }
    for (i, former) in county.former.iter().enumerate() {
        if !compile::valid_region_code(&former.code) {
            cx.error(
                &format!("former[{i}].code"),
                Msg::new(Key::CountyCodeInvalid).arg("code", &former.code),
                Some(Msg::new(Key::HintCountyCode)),
            );
        }
    }
    // A county that lost a key in reading is not used: its policies are not checked against
    // a county that may not be the one meant (they say nothing, see load_document).
    let ok = diagnostics.is_empty() && clean;
    problems.extend(diagnostics);
    let region = catalogue.get(&county.code)?.to_ref();
    let above = catalogue
        .ancestors(&county.code)
        .into_iter()
        .map(regions::Region::to_ref)
        .collect();
    ok.then_some(County {
        source: county,
        dir,
        region,
        above,
    })
}

/// A level in words, as messages say it.
fn level_phrase(level: Level) -> Msg {
    Msg::new(match level {
        Level::County => Key::PhraseLevelCounty,
        Level::Prefecture => Key::PhraseLevelPrefecture,
        Level::Province => Key::PhraseLevelProvince,
        Level::Nation => Key::PhraseLevelNation,
    })
}

/// A `county.yaml` or `region.yaml` against the code list: the code is in it, at the level
/// the file is for, under the name written, and below the province and prefecture written.
fn check_in_catalogue(
    cx: &mut FileContext<'_>,
    county: &CountySource,
    catalogue: &regions::Catalogue,
    is_region: bool,
) {
    let Some(region) = catalogue.get(&county.code) else {
        let hint = match catalogue.suggest(&county.code, &county.name) {
            Some(regions::Suggestion::Renamed { former, now }) => Msg::new(Key::HintRegionRenamed)
                .arg("old_name", former.name)
                .arg("old_code", former.code)
                .arg("name", now.name)
                .arg("code", now.code)
                .arg(
                    "year",
                    former.last_listed.get(..4).unwrap_or_default().to_owned(),
                ),
            Some(regions::Suggestion::Near(near)) => Msg::new(Key::HintRegionNear).arg(
                "regions",
                crate::messages::Arg::List(
                    near.iter()
                        .map(|r| crate::messages::Arg::Text(format!("{} {}", r.code, r.name)))
                        .collect(),
                ),
            ),
            None => {
                cx.error(
                    "code",
                    Msg::new(Key::RegionCodeUnknown).arg("code", &county.code),
                    Some(Msg::new(Key::HintRegionsFile)),
                );
                return;
            }
        };
        cx.error(
            "code",
            Msg::new(Key::RegionCodeUnknown).arg("code", &county.code),
            [hint, Msg::new(Key::HintRegionsFile)],
        );
        return;
    };
    match (region.level, is_region) {
        (Level::County, true) => {
            cx.error(
                "code",
                Msg::new(Key::RegionFileIsCounty).arg("code", &county.code),
                Some(Msg::new(Key::HintUseCountyFile)),
            );
            return;
        }
        (level, false) if level != Level::County => {
            cx.error(
                "code",
                Msg::new(Key::CountyFileIsRegion)
                    .arg("code", &county.code)
                    .arg("level", level_phrase(level)),
                Some(Msg::new(Key::HintUseRegionFile)),
            );
            return;
        }
        _ => {}
    }
    if region.name != county.name {
        let hint = match catalogue.suggest(&county.code, &county.name) {
            Some(regions::Suggestion::Renamed { former, now }) if now.code != county.code => {
                Msg::new(Key::HintRegionRenamed)
                    .arg("old_name", former.name)
                    .arg("old_code", former.code)
                    .arg("name", now.name)
                    .arg("code", now.code)
                    .arg(
                        "year",
                        former.last_listed.get(..4).unwrap_or_default().to_owned(),
                    )
            }
            _ => Msg::new(Key::HintRegionName).arg("expected", &region.name),
        };
        cx.error(
            "name",
            Msg::new(Key::RegionNameMismatch)
                .arg("code", &county.code)
                .arg("name", &county.name)
                .arg("expected", &region.name),
            Some(hint),
        );
    }
    let above = catalogue.ancestors(&county.code);
    for (key, written, level) in [
        ("province", &county.province, Level::Province),
        ("prefecture", &county.prefecture, Level::Prefecture),
    ] {
        let Some(written) = written else { continue };
        // A county the province governs directly has no prefecture: it is written as the
        // province, or left out.
        let expected = above
            .iter()
            .find(|r| r.level == level)
            .or_else(|| above.iter().find(|r| r.level == Level::Province));
        if let Some(expected) = expected.filter(|e| &e.name != written) {
            cx.error(
                key,
                Msg::new(Key::RegionAboveMismatch)
                    .arg("key", key)
                    .arg("name", written)
                    .arg("expected", &expected.name),
                Some(
                    Msg::new(Key::HintRegionAbove)
                        .arg("key", key)
                        .arg("expected", &expected.name),
                ),
            );
        }
    }
}

fn load_document(
    files: &dyn Files,
    file: Arc<SourceText>,
    rel: &str,
    folders: &[&County],
    documents: &[Document],
    diagnostics: &mut Diagnostics,
    problems: &mut Vec<Diagnostic>,
) -> Option<Document> {
    let source: &SourceText = &file;
    let index = YamlIndex::lazy(file.clone());
    let mut value = match yaml::parse_value(source, &index) {
        Ok(v) => v,
        Err(found) => {
            problems.extend(found);
            return None;
        }
    };
    // Full-width punctuation in keys and codes is reported where it is and put right, so
    // that the rest is read as it was meant.
    let (slips, put_right) = crate::slips::in_values(&mut value, source, &index);
    // Rules, groups and examples are read one by one, so one bad rule does not hide the next.
    let mut lists: BTreeMap<&str, Vec<serde_yaml_ng::Value>> = BTreeMap::new();
    if let serde_yaml_ng::Value::Mapping(map) = &mut value {
        for key in ["rules", "groups", "examples"] {
            if let Some(serde_yaml_ng::Value::Sequence(items)) = map.get_mut(key) {
                lists.insert(key, std::mem::take(items));
            }
        }
    }
    // The top level is read recovering from its mistakes (see yaml::typed); what it had to
    // leave out is remembered, so nothing is reported twice and the policy is not compiled.
    let top = yaml::typed::<PolicySource>(value, "", source, &index)
        .after_slips(slips, put_right.clone());
    problems.extend(top.problems);
    let mut policy = top.value?;
    policy.positions.damaged = top.damaged;
    if policy.positions.damaged.iter().any(|d| d == "rules") {
        policy.positions.unknown_rule_ids = true;
    }
    let mut unreadable_groups_or_examples = false;
    macro_rules! items {
        ($key:literal, $field:ident, $positions:ident) => {
            for (i, item) in lists
                .remove($key)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                let id = item.get("id").and_then(|v| v.as_str()).map(str::to_owned);
                let base = format!("{}[{i}]", $key);
                let item = yaml::typed(item, &base, source, &index).without_problems_at(&put_right);
                problems.extend(item.problems);
                let id_lost = item
                    .damaged
                    .iter()
                    .any(|d| yaml::is_within(&format!("{base}.id"), d));
                policy.positions.damaged.extend(item.damaged);
                match item.value {
                    Some(parsed) => {
                        policy.$field.push(parsed);
                        policy.positions.$positions.push(i);
                        if $key == "rules" && id_lost {
                            policy.positions.unknown_rule_ids = true;
                        }
                    }
                    None if $key == "rules" => {
                        if id.is_none() {
                            policy.positions.unknown_rule_ids = true;
                        }
                        policy
                            .positions
                            .unreadable_rules
                            .push(id.unwrap_or_default());
                    }
                    None => unreadable_groups_or_examples = true,
                }
            }
        };
    }
    items!("rules", rules, rules);
    items!("groups", groups, groups);
    items!("examples", examples, examples);
    if unreadable_groups_or_examples {
        // An unreadable rule is worked around below; a group or example is not worth it.
        policy.positions.unreadable_rules.push(String::new());
    }

    let mut local = Vec::new();
    let damaged = policy.positions.damaged.clone();
    let mut cx = FileContext {
        source,
        index: &index,
        diagnostics: &mut local,
        damaged: &damaged,
    };
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let county_dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    if !compile::valid_id(&policy.id) {
        cx.error(
            "id",
            Msg::new(Key::PolicyIdInvalid).arg("id", &policy.id),
            Some(Msg::new(Key::HintPolicyId)),
        );
    } else if let Some(other) = documents.iter().find(|d| d.source.id == policy.id) {
        cx.error(
            "id",
            Msg::new(Key::PolicyIdTaken)
                .arg("id", &policy.id)
                .arg("file", &other.file.name),
            Some(Msg::new(Key::HintPolicyIdTaken)),
        );
    }
    match folders.iter().find(|c| c.dir == county_dir) {
        Some(county) if county.source.code != policy.county => cx.error(
            "county",
            Msg::new(Key::PolicyCountyMismatch)
                .arg("folder_code", &county.source.code)
                .arg("code", &policy.county),
            Some(Msg::new(Key::HintPolicyCounty).arg("code", &county.source.code)),
        ),
        Some(_) => {}
        // A county.yaml that exists but is broken has its own error; do not repeat it here.
        None if files.is_file(&format!("{county_dir}/county.yaml"))
            || files.is_file(&format!("{county_dir}/region.yaml")) => {}
        None => cx.error(
            "county",
            Msg::new(Key::CountyFileMissing).arg("dir", county_dir),
            Some(Msg::new(Key::HintCountyFile)),
        ),
    }
    for (key, value) in [
        ("metadata.written", &policy.metadata.written),
        ("metadata.published", &policy.metadata.published),
    ] {
        if let Some(text) = value {
            cx.date(key, text);
        }
    }
    let period = compile::period(&mut cx, &policy);
    // Whether the clauses the rules cite can be known: not when the text is missing, or its
    // anchors are broken.
    let mut text_missing = false;
    let (text, clauses) = match (&policy.text_from, policy.kind) {
        (Some(_), DocumentKindSource::DerivedFromReport) => (String::new(), Vec::new()),
        (Some(_), _) => {
            cx.error(
                "text_from",
                Msg::new(Key::TextFromNotDerived),
                Some(Msg::new(Key::HintTextFromNotDerived)),
            );
            text_missing = true;
            (String::new(), Vec::new())
        }
        (None, DocumentKindSource::DerivedFromReport) => {
            cx.error(
                "kind",
                Msg::new(Key::TextFromMissing),
                Some(Msg::new(Key::HintTextFromMissing)),
            );
            text_missing = true;
            (String::new(), Vec::new())
        }
        (None, _) => {
            let text_rel = format!("{dir}/text.md");
            match read(files, &text_rel, diagnostics) {
                Some(text_file) => {
                    let (clauses, anchor_problems) = clauses::scan(&text_file.text);
                    // With a broken or repeated anchor the clauses are not what was meant:
                    // citing them is checked once the anchors are right.
                    text_missing |= !anchor_problems.is_empty();
                    for problem in anchor_problems {
                        cx.diagnostics.push(
                            Diagnostic::at(
                                &text_file,
                                problem.offset..problem.offset + 1,
                                "",
                                problem.message,
                            )
                            .hint(problem.hint),
                        );
                    }
                    (text_file.text.clone(), clauses)
                }
                // The unreadable text is reported; checking clauses against nothing would
                // only bury that report under one error per rule.
                None => {
                    text_missing = true;
                    (String::new(), Vec::new())
                }
            }
        }
    };
    if policy.kind == DocumentKindSource::Report
        && !(policy.rules.is_empty() && policy.groups.is_empty() && policy.examples.is_empty())
    {
        cx.error(
            "kind",
            Msg::new(Key::ReportHasRules),
            Some(Msg::new(Key::HintReportHasRules)),
        );
    }
    // A document with a mistake of its own is still loaded, so that its rules are checked
    // (and other documents find it), but it is not compiled.
    let broken = !local.is_empty() || text_missing;
    problems.extend(local);
    let (period, period_unknown) = match period {
        Some(period) => (period, false),
        // Any day will do for a period that only stands in: nothing is computed with it.
        None => (
            Period {
                from: calculator::Date::new(1900, 1, 1)?,
                to: None,
            },
            true,
        ),
    };
    policy.positions.broken = broken || period_unknown;
    policy.positions.period_unknown = period_unknown;
    policy.positions.clauses_unknown = text_missing;
    Some(Document {
        source: policy,
        dir,
        file: file.clone(),
        text,
        clauses,
        period,
        compiled: None,
        index,
        example_estimates: Vec::new(),
    })
}

/// Compile every policy's rules, with clause references checked against its own text or
/// the report it is derived from.
fn compile_documents(
    documents: &mut [Document],
    facts: &FactCatalogue,
    problems: &mut Vec<Diagnostic>,
) {
    for i in 0..documents.len() {
        let document = &documents[i];
        // A region's documents reach a county's part compiled already.
        if document.source.kind == DocumentKindSource::Report || document.compiled.is_some() {
            continue;
        }
        let mut local = Vec::new();
        let mut cx = document.context(&mut local);
        let positions = &document.source.positions;
        let (clauses, text_name): (Option<&[Clause]>, String) = match &document.source.text_from {
            _ if positions.clauses_unknown => (None, String::new()),
            Some(from) => match documents.iter().find(|d| &d.source.id == from) {
                Some(report) if report.source.kind == DocumentKindSource::Report => (
                    (!report.source.positions.clauses_unknown).then_some(&report.clauses[..]),
                    format!("{}/text.md", report.dir),
                ),
                Some(_) => {
                    cx.error(
                        "text_from",
                        Msg::new(Key::TextFromNotReport).arg("id", from),
                        Some(Msg::new(Key::HintTextFromNotReport)),
                    );
                    (None, String::new())
                }
                None => {
                    let near = calculator::formula::closest(
                        from,
                        documents.iter().map(|d| d.source.id.as_str()),
                    );
                    cx.error(
                        "text_from",
                        Msg::new(Key::TextFromUnknown).arg("id", from),
                        near.map(|n| Msg::new(Key::HintDidYouMean).arg("suggestion", n)),
                    );
                    (None, String::new())
                }
            },
            None => (
                Some(&document.clauses[..]),
                format!("{}/text.md", document.dir),
            ),
        };
        if document.source.rules.is_empty() && positions.unreadable_rules.is_empty() {
            cx.error(
                "rules",
                Msg::new(Key::NoRules),
                Some(Msg::new(Key::HintNoRules)),
            );
        }
        let compiled = compile::compile_policy(
            &mut cx,
            &document.source,
            document.period,
            facts,
            clauses,
            &text_name,
        );
        problems.extend(local);
        documents[i].compiled = compiled;
    }
}

/// The folder (county or region) with this code.
fn folder_of<'f>(folders: &[&'f County], code: &str) -> Option<&'f County> {
    folders.iter().copied().find(|f| f.source.code == code)
}

/// Each compiled policy learns the region whose folder holds it, so that estimates can say
/// which level pays.
fn place_in_regions(documents: &mut [Document], folders: &[&County]) {
    for document in documents {
        let region = folder_of(folders, &document.source.county).map(|f| f.region.clone());
        if let (Some(policy), Some(region)) = (&mut document.compiled, region) {
            policy.region = region;
        }
    }
}

/// What a document says about levels: `applies_to` names counties below its region (and only
/// a region above a county has one); `replaces` names documents of the regions above.
fn check_levels(
    documents: &[Document],
    folders: &[&County],
    catalogue: &regions::Catalogue,
    problems: &mut Vec<Diagnostic>,
) {
    for document in documents {
        let Some(folder) = folder_of(folders, &document.source.county) else {
            continue;
        };
        let mut local = Vec::new();
        let mut cx = document.context(&mut local);
        if let Some(applies_to) = &document.source.applies_to {
            if folder.region.level == Level::County {
                cx.error("applies_to", Msg::new(Key::AppliesToInCounty), None);
            } else {
                for (key, codes) in [("only", &applies_to.only), ("except", &applies_to.except)] {
                    for (i, code) in codes.iter().enumerate() {
                        let below = catalogue.get(code).is_some_and(|r| {
                            r.level == Level::County && catalogue.covers(&folder.region.code, code)
                        });
                        if !below {
                            cx.error(
                                &format!("applies_to.{key}[{i}]"),
                                Msg::new(Key::AppliesToNotBelow)
                                    .arg("code", code)
                                    .arg("region", &folder.region.name),
                                Some(
                                    Msg::new(Key::HintAppliesTo).arg("region", &folder.region.name),
                                ),
                            );
                        }
                    }
                }
            }
        }
        // Rules of other documents in groups: the county's own or those of a region above.
        for (i, group) in document.source.groups.iter().enumerate() {
            for (j, member) in group.rules.iter().enumerate() {
                let Some((policy, rule)) = member.split_once('#') else {
                    continue;
                };
                let reachable = documents.iter().any(|d| {
                    d.source.id == policy
                        && (d.source.county == folder.region.code
                            || folder.above.iter().any(|r| r.code == d.source.county))
                        && d.source.rules.iter().any(|r| r.id == rule)
                });
                if !reachable {
                    cx.error(
                        &format!("groups[{}].rules[{j}]", document.source.positions.group(i)),
                        Msg::new(Key::GroupElsewhereUnknown)
                            .arg("policy", policy)
                            .arg("rule", rule),
                        Some(Msg::new(Key::HintGroupElsewhere)),
                    );
                }
            }
        }
        for (i, id) in document.source.replaces.iter().enumerate() {
            let path = format!("replaces[{i}]");
            match documents.iter().find(|d| &d.source.id == id) {
                None => cx.error(
                    &path,
                    Msg::new(Key::ReplacesUnknown).arg("id", id),
                    Some(Msg::new(Key::HintReplaces)),
                ),
                Some(other) if !folder.above.iter().any(|r| r.code == other.source.county) => {
                    cx.error(
                        &path,
                        Msg::new(Key::ReplacesNotAbove)
                            .arg("id", id)
                            .arg("region", &folder.region.name),
                        Some(Msg::new(Key::HintReplaces)),
                    );
                }
                Some(_) => {}
            }
        }
        problems.extend(local);
    }
}

fn day_before(date: calculator::Date) -> String {
    date.day_before()
        .map_or_else(String::new, |d| d.to_string())
}

/// Two policies of one county in force on the same day that pay the same audience for the same
/// item (rules reading the same fact, household status aside) must say how they relate: one
/// supersedes the other, or one `combines_with` the other. Otherwise a household would be
/// paid twice and nothing would say so.
fn check_double_subsidy(
    documents: &[Document],
    folders: &[&County],
    facts: &FactCatalogue,
    problems: &mut Vec<Diagnostic>,
) {
    // What a policy pays for, and whom: the non-status facts each rule reads.
    let items =
        |policy: &calculator::model::Policy| -> Vec<((calculator::Audience, usize), String)> {
            policy
                .rules
                .iter()
                .filter(|r| !matches!(r.measure, calculator::model::Measure::NotComputed { .. }))
                .flat_map(|r| {
                    r.facts_read()
                        .into_iter()
                        .map(move |f| ((r.audience, f), r.label.clone()))
                })
                .filter(|((_, f), _)| {
                    facts
                        .facts
                        .get(*f)
                        .is_some_and(|d| d.group != calculator::fact::FactGroup::Status)
                })
                .collect()
        };
    // Once per document, and pairs only within a county: a national project has tens of
    // thousands of documents, a county a handful.
    let paid_for: Vec<_> = documents
        .iter()
        .map(|d| d.compiled.as_ref().map(items))
        .collect();
    let mut by_county: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, document) in documents.iter().enumerate() {
        by_county
            .entry(document.source.county.as_str())
            .or_default()
            .push(i);
    }
    for (i, newer) in documents.iter().enumerate() {
        let own = by_county
            .get(newer.source.county.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        // The documents of the regions above that reach this one's region: a household there
        // is paid by both.
        let folder = folder_of(folders, &newer.source.county);
        let above: Vec<usize> = folder
            .map(|f| f.above.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| by_county.get(r.code.as_str()))
            .flatten()
            .copied()
            .filter(|&j| {
                folder.is_none_or(|f| {
                    f.region.level != Level::County || f.is_covered_by(&documents[j].source)
                })
            })
            .collect();
        let mut local = Vec::new();
        let mut cx = newer.context(&mut local);
        for id in &newer.source.combines_with {
            let known = own
                .iter()
                .chain(&above)
                .any(|&j| documents.get(j).is_some_and(|d| &d.source.id == id));
            if !known {
                cx.error(
                    "combines_with",
                    Msg::new(Key::CombinesWithUnknown).arg("id", id),
                    None,
                );
            }
        }
        let Some(Some(ours)) = paid_for.get(i) else {
            continue;
        };
        let higher = |j: &usize| above.contains(j);
        for &j in own.iter().chain(&above) {
            let (Some(older), Some(Some(theirs))) = (documents.get(j), paid_for.get(j)) else {
                continue;
            };
            // Each pair once: across levels, reported on the lower level's document (its
            // clerk says how it relates to what comes from above); within a region, on the
            // one that starts later (ties: the later file).
            let later = higher(&j) || (newer.period.from, i) > (older.period.from, j);
            let related = |a: &Document, b: &Document| {
                let prefix = format!("{}#", b.source.id);
                a.source.supersedes.as_deref() == Some(b.source.id.as_str())
                    || a.source.combines_with.contains(&b.source.id)
                    || a.source.replaces.contains(&b.source.id)
                    || a.source
                        .groups
                        .iter()
                        .any(|g| g.rules.iter().any(|r| r.starts_with(&prefix)))
            };
            if !later
                || !newer.period.overlaps(&older.period)
                || related(newer, older)
                || related(older, newer)
            {
                continue;
            }
            let mut shared: Vec<&String> = Vec::new();
            for (fact, label) in ours {
                if theirs.iter().any(|(f, _)| f == fact) && !shared.contains(&label) {
                    shared.push(label);
                }
            }
            if shared.is_empty() {
                continue;
            }
            let overlap = Period {
                from: newer.period.from.max(older.period.from),
                to: match (newer.period.to, older.period.to) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
            };
            let other_file = format!("{}/policy.yaml", older.dir);
            // A long list helps nobody: the first few items, and how many more.
            let count = shared.len();
            let items: Vec<crate::messages::Arg> = shared
                .iter()
                .take(6)
                .map(|l| crate::messages::Arg::Text(format!("“{l}”")))
                .collect();
            let more: crate::messages::Arg = if count > 6 {
                Msg::new(Key::PhraseMoreItems)
                    .arg("count", count.to_string())
                    .into()
            } else {
                "".into()
            };
            // Ending the other one the day before only makes sense when it started earlier, and
            // for a document of the same region.
            let hint = if higher(&j) {
                let level = regions::level_of(&older.source.county);
                Msg::new(Key::HintDoubleSubsidyAbove)
                    .arg("other_id", &older.source.id)
                    .arg("level", level_phrase(level))
            } else if older.period.from < newer.period.from {
                Msg::new(Key::HintDoubleSubsidy)
                    .arg("other_id", &older.source.id)
                    .arg("other_file", other_file.as_str())
                    .arg("to", day_before(newer.period.from))
            } else {
                Msg::new(Key::HintDoubleSubsidySameStart)
                    .arg("other_id", &older.source.id)
                    .arg("other_file", other_file.as_str())
            };
            cx.error(
                "id",
                Msg::new(Key::DoubleSubsidy)
                    .arg("other_title", &older.source.title)
                    .arg("other_file", other_file.as_str())
                    .arg("period", crate::messages::period_arg(overlap))
                    .arg("items", crate::messages::Arg::List(items))
                    .arg("more", more),
                Some(hint),
            );
        }
        problems.extend(local);
    }
}

/// Versions of one policy (linked by `supersedes`) must not be in force at the same time.
fn check_versions(documents: &[Document], problems: &mut Vec<Diagnostic>) {
    for document in documents {
        let Some(previous) = &document.source.supersedes else {
            continue;
        };
        let old = documents
            .iter()
            .find(|d| &d.source.id == previous)
            .map(Version::of);
        if let Some((path, message, hints)) = version_problem(&Version::of(document), previous, old)
        {
            let mut local = Vec::new();
            let mut cx = document.context(&mut local);
            cx.error(path, message, hints);
            problems.extend(local);
        }
    }
}

/// What a `supersedes` is checked with: a version's county and period.
#[derive(Debug, Clone)]
struct Version {
    county: String,
    /// Its folder, to name its file in a hint.
    dir: String,
    period: Period,
    /// The period could not be read (that is reported already); nothing is checked with it.
    period_unknown: bool,
}

impl Version {
    fn of(document: &Document) -> Version {
        Version {
            county: document.source.county.clone(),
            dir: document.dir.clone(),
            period: document.period,
            period_unknown: document.source.positions.period_unknown,
        }
    }
}

/// What is wrong with `new` superseding `previous` (`old`, when there is such a document):
/// the YAML path to report at, the message and its hints.
fn version_problem(
    new: &Version,
    previous: &str,
    old: Option<Version>,
) -> Option<(&'static str, Msg, Vec<Msg>)> {
    match old {
        None => Some((
            "supersedes",
            Msg::new(Key::SupersedesUnknown).arg("id", previous),
            vec![Msg::new(Key::HintSupersedes)],
        )),
        Some(old) if old.county != new.county => Some((
            "supersedes",
            Msg::new(Key::SupersedesOtherCounty)
                .arg("id", previous)
                .arg("county", &old.county),
            vec![Msg::new(Key::HintSupersedes)],
        )),
        Some(old) if old.period_unknown || new.period_unknown => None,
        Some(old) if old.period.overlaps(&new.period) => Some((
            "validity.from",
            Msg::new(Key::VersionsOverlap)
                .arg("period", crate::messages::period_arg(new.period))
                .arg("id", previous)
                .arg("old_period", crate::messages::period_arg(old.period)),
            vec![
                Msg::new(Key::HintVersionsOverlap).arg("from", new.period.from.to_string()),
                Msg::new(Key::HintVersionsOverlapOld)
                    .arg("file", format!("{}/policy.yaml", old.dir))
                    .arg("to", day_before(new.period.from)),
            ],
        )),
        Some(_) => None,
    }
}
