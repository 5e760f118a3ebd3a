//! Loading a project a county at a time, for a build that must not hold a national project
//! in memory: each part is checked and compiled as [`load`] would, handed over, and dropped by
//! the caller once its pages are written; only what the checks across parts need is kept.
//!
//! Counties with a report or a measure derived from one are loaded last, together, since
//! such documents refer to each other across counties. When anything at all is wrong, the
//! project is loaded again whole with [`load`], so that the problems reported are exactly
//! those of `portal check`.

use super::{
    check_double_subsidy, check_examples, check_levels, check_versions, compile_documents,
    county_rulebook, load, load_document, place_in_regions, plan, read, rulebook, version_problem,
    County, Disk, Document, Files, Project, SomeFolders, Summary, Version,
};
use crate::diagnostic::Diagnostics;
use crate::source::DocumentKindSource;
use calculator::fact::FactCatalogue;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A part of a project, checked and compiled: one county with its documents, or the counties
/// whose documents refer to one another (reports and what is derived from them).
#[derive(Debug)]
pub struct Part {
    /// The part as a project of its own: its counties, their documents and rulebooks, and
    /// the whole catalogue of facts.
    pub project: Project,
    /// Each county's place among the whole project's counties (the order of their folders).
    pub county_indices: Vec<usize>,
    /// Each document's place among the whole project's documents (the order of their
    /// folders).
    pub document_indices: Vec<usize>,
}

/// What the checks across parts need of a document: its id and what its `supersedes` is
/// checked with.
#[derive(Debug)]
struct Header {
    id: String,
    supersedes: Option<String>,
    version: Version,
}

/// A postponed county: its place, the county, and its documents with their places.
type Postponed = (usize, County, Vec<(usize, Document)>);

/// A project being loaded part by part: [`Parts::county`] for each county (in any order,
/// from any thread), then [`Parts::rest`] once, then [`Parts::finish`].
#[derive(Debug)]
pub struct Parts {
    root: PathBuf,
    facts: FactCatalogue,
    /// In the order of their folders; each is taken out when its part is made.
    counties: Mutex<Vec<Option<County>>>,
    county_count: usize,
    codes: Vec<String>,
    /// Each county's folder, relative to the root, in the same order.
    folders: Vec<String>,
    /// Per county, its `policy.yaml` files, each with its place among all documents.
    policy_files: Vec<Vec<(usize, String)>>,
    /// Per document, once it is loaded.
    headers: Mutex<Vec<Option<Header>>>,
    /// The prefectures, provinces and the nation with a folder of their own.
    regions: Vec<County>,
    catalogue: Arc<regions::Catalogue>,
    /// Their documents, loaded and checked when the parts are opened (every county's part
    /// needs those above it), with their places among all documents; taken by
    /// [`Parts::regional`].
    regional: Mutex<Vec<(usize, Document)>>,
    postponed: Mutex<Vec<Postponed>>,
    /// Something is wrong: no more parts are made, and `finish` reports it.
    failed: AtomicBool,
    /// The problems found, for the unlikely case that the whole load finds none.
    found: Mutex<Diagnostics>,
}

impl Parts {
    /// Read the catalogue and the counties, and find every policy. `Err` carries every
    /// problem of the project (as [`load`] finds them) when anything here is wrong.
    pub fn open(root: &Path) -> Result<Parts, Diagnostics> {
        Parts::open_files(&Disk(root), root).map_err(|found| everything_wrong(root, found))
    }

    /// Like [`Parts::open`], but of the counties only the one whose folder is `folder`
    /// (relative to the root, as `policies/140431-qinyuan`), with the prefectures,
    /// provinces and nation above it: what the preview needs to render that county again,
    /// without reading the thousands of other folders of a national project, and the
    /// county's place (for [`Parts::county`]). `Ok(None)` when `folder` is not a county's. `Err` carries the problems found in the files read
    /// (only those: [`Parts::open`] reports every problem of the project).
    pub fn open_county(root: &Path, folder: &str) -> Result<Option<(Parts, usize)>, Diagnostics> {
        let Some(name) = folder
            .strip_prefix("policies/")
            .filter(|n| !n.contains('/'))
        else {
            return Ok(None);
        };
        // A folder's name starts with its region's code: the county's, and those of the
        // prefecture, province and nation above it, whose documents apply there.
        let Some(county) = name.get(..6).filter(|c| regions::well_formed(c)) else {
            return Ok(None);
        };
        let above = |code: &str| match regions::level_of(code) {
            regions::Level::Nation => true,
            regions::Level::Province => code.get(..2) == county.get(..2),
            regions::Level::Prefecture => code.get(..4) == county.get(..4),
            regions::Level::County => false,
        };
        let Ok(listing) = std::fs::read_dir(root.join("policies")) else {
            return Ok(None);
        };
        let mut folders: Vec<String> = listing
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.get(..6)
                    .is_some_and(|c| regions::well_formed(c) && above(c))
            })
            .collect();
        folders.push(name.to_owned());
        let files = SomeFolders {
            root,
            folders: &folders,
        };
        let parts = Parts::open_files(&files, root).map_err(|mut found| {
            found.sort();
            found
        })?;
        Ok(parts.county_in(folder).map(|index| (parts, index)))
    }

    /// The parts of the project as `files` shows it; `Err` with what was found wrong.
    fn open_files(files: &dyn Files, root: &Path) -> Result<Parts, Diagnostics> {
        let mut diagnostics = Diagnostics::default();
        let mut problems = Vec::new();
        let planned = plan(files, &mut diagnostics, &mut problems);
        for problem in problems {
            diagnostics.push(problem);
        }
        let (Some(plan), true) = (planned, diagnostics.is_empty()) else {
            return Err(diagnostics);
        };
        let Some(facts) = plan.facts else {
            return Err(diagnostics);
        };
        let by_dir: HashMap<&str, usize> = plan
            .counties
            .iter()
            .enumerate()
            .map(|(i, c)| (c.dir.as_str(), i))
            .collect();
        let region_dirs: Vec<&str> = plan.regions.iter().map(|r| r.dir.as_str()).collect();
        let mut policy_files = vec![Vec::new(); plan.counties.len()];
        let mut regional_files = Vec::new();
        for (index, rel) in plan.policy_files.iter().enumerate() {
            // policies/<county>/<policy>/policy.yaml: the county is the folder two up.
            let county_dir = rel
                .rsplit_once('/')
                .and_then(|(dir, _)| dir.rsplit_once('/'))
                .map_or("", |(county, _)| county);
            match by_dir.get(county_dir) {
                Some(&county) => policy_files[county].push((index, rel.clone())),
                None if region_dirs.contains(&county_dir) => {
                    regional_files.push((index, rel.clone()));
                }
                // A policy outside any county that loaded is a problem of its own.
                None => return Err(diagnostics),
            }
        }
        let catalogue = Arc::new(plan.catalogue);
        let regional = load_regional(files, &regional_files, &plan.regions, &catalogue, &facts)?;
        let parts = Parts {
            root: root.to_path_buf(),
            facts,
            county_count: plan.counties.len(),
            codes: plan
                .counties
                .iter()
                .map(|c| c.source.code.clone())
                .collect(),
            folders: plan.counties.iter().map(|c| c.dir.clone()).collect(),
            counties: Mutex::new(plan.counties.into_iter().map(Some).collect()),
            policy_files,
            headers: Mutex::new((0..plan.policy_files.len()).map(|_| None).collect()),
            regions: plan.regions,
            catalogue,
            regional: Mutex::new(Vec::new()),
            postponed: Mutex::new(Vec::new()),
            failed: AtomicBool::new(false),
            found: Mutex::new(Diagnostics::default()),
        };
        let (indices, documents): (Vec<usize>, Vec<Document>) = regional.into_iter().unzip();
        parts.remember(&documents, &indices);
        *lock(&parts.regional) = indices.into_iter().zip(documents).collect();
        Ok(parts)
    }

    /// The facts catalogue, the same for every part.
    pub fn facts(&self) -> &FactCatalogue {
        &self.facts
    }

    /// Every county's code, in the order of their folders.
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// How many counties the project has; [`Parts::county`] takes `0..counties()`.
    pub fn counties(&self) -> usize {
        self.county_count
    }

    /// The place of the county whose folder is `folder` (relative to the root, as
    /// `policies/140431-qinyuan`), for re-making one county's part; `None` for any other
    /// folder (a prefecture's, a province's, or none at all).
    fn county_in(&self, folder: &str) -> Option<usize> {
        self.folders.iter().position(|f| f == folder)
    }

    /// The problems the parts made so far have found, without loading the whole project
    /// again: quick, but only what those parts show ([`Parts::finish`] reports every
    /// problem of the project).
    pub fn problems_so_far(&self) -> Diagnostics {
        let mut found = lock(&self.found).clone();
        found.sort();
        found
    }

    /// Whether a problem was found; [`Parts::finish`] then reports every problem.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// The county at `index` with its documents, checked and compiled. `None` when it is
    /// postponed to [`Parts::rest`], was taken already, or something is wrong (then nothing
    /// more is loaded).
    pub fn county(&self, index: usize) -> Option<Part> {
        if self.failed() {
            return None;
        }
        let county = lock(&self.counties).get_mut(index)?.take()?;
        let files = Disk(&self.root);
        let mut diagnostics = Diagnostics::default();
        let mut problems = Vec::new();
        let mut documents: Vec<Document> = Vec::new();
        let mut indices = Vec::new();
        let mut complete = true;
        for (place, rel) in self.policy_files.get(index).into_iter().flatten() {
            let Some(source) = read(&files, rel, &mut diagnostics) else {
                complete = false;
                continue;
            };
            match load_document(
                &files,
                source,
                rel,
                &[&county],
                &documents,
                &mut diagnostics,
                &mut problems,
            ) {
                Some(document) => {
                    documents.push(document);
                    indices.push(*place);
                }
                None => complete = false,
            }
        }
        self.remember(&documents, &indices);
        if !complete || !problems.is_empty() || !diagnostics.is_empty() {
            self.fail(diagnostics, problems);
            return None;
        }
        let refers = documents
            .iter()
            .any(|d| d.source.kind == DocumentKindSource::Report || d.source.text_from.is_some());
        if refers {
            lock(&self.postponed).push((
                index,
                county,
                indices.into_iter().zip(documents).collect(),
            ));
            return None;
        }
        self.complete(vec![county], vec![index], documents, indices)
    }

    /// The postponed counties together: those with a report or a measure derived from one,
    /// and their documents. Call it once, after [`Parts::county`] for every county; `None`
    /// when there are none or something is wrong.
    pub fn rest(&self) -> Option<Part> {
        let mut postponed = std::mem::take(&mut *lock(&self.postponed));
        if self.failed() || postponed.is_empty() {
            return None;
        }
        postponed.sort_by_key(|(index, _, _)| *index);
        let mut counties = Vec::new();
        let mut county_indices = Vec::new();
        let mut documents = Vec::new();
        for (index, county, docs) in postponed {
            counties.push(county);
            county_indices.push(index);
            documents.extend(docs);
        }
        documents.sort_by_key(|(place, _)| *place);
        let (indices, documents) = documents.into_iter().unzip();
        self.complete(counties, county_indices, documents, indices)
    }

    /// The documents of the prefectures, provinces and the nation, as a part of their own
    /// (their pages are written once, not with each county). Call it once, after every
    /// county's part is made; `None` when there are none or something is wrong.
    pub fn regional(&self) -> Option<Part> {
        let regional = std::mem::take(&mut *lock(&self.regional));
        if self.failed() || regional.is_empty() {
            return None;
        }
        let (document_indices, documents): (Vec<usize>, Vec<Document>) =
            regional.into_iter().unzip();
        // Counted as `load` counts them: their examples were worked out when the parts were
        // opened, with each region's documents alone.
        let mut summary = Summary::default();
        for document in &documents {
            summary.count(document, document.compiled.is_some());
        }
        Some(Part {
            project: Project {
                root: self.root.clone(),
                facts: self.facts.clone(),
                counties: Vec::new(),
                regions: self.regions.clone(),
                catalogue: Arc::clone(&self.catalogue),
                documents,
                rulebooks: BTreeMap::new(),
                summary,
            },
            county_indices: Vec::new(),
            document_indices,
        })
    }

    /// Whether the project as a whole is right: nothing wrong in any part, every county
    /// loaded, no id used twice, and every `supersedes` right. `Err` carries every problem
    /// of the project, as [`load`] finds them.
    pub fn finish(&self) -> Result<(), Diagnostics> {
        let all_taken = lock(&self.counties).iter().all(Option::is_none);
        let headers = lock(&self.headers);
        let mut ids: HashMap<&str, &Version> = HashMap::new();
        let mut right = !self.failed() && all_taken && headers.iter().all(Option::is_some);
        for header in headers.iter().flatten() {
            right &= ids.insert(&header.id, &header.version).is_none();
        }
        for header in headers.iter().flatten() {
            if let Some(previous) = &header.supersedes {
                let old = ids.get(previous.as_str()).map(|v| (*v).clone());
                right &= version_problem(&header.version, previous, old).is_none();
            }
        }
        if right {
            return Ok(());
        }
        let found = std::mem::take(&mut *lock(&self.found));
        Err(everything_wrong(&self.root, found))
    }

    /// Keep what the checks across parts need of these documents.
    fn remember(&self, documents: &[Document], indices: &[usize]) {
        let mut headers = lock(&self.headers);
        for (document, &place) in documents.iter().zip(indices) {
            if let Some(slot) = headers.get_mut(place) {
                *slot = Some(Header {
                    id: document.source.id.clone(),
                    supersedes: document.source.supersedes.clone(),
                    version: Version::of(document),
                });
            }
        }
    }

    fn fail(&self, mut diagnostics: Diagnostics, problems: Vec<crate::Diagnostic>) {
        self.failed.store(true, Ordering::Relaxed);
        for problem in problems {
            diagnostics.push(problem);
        }
        let mut found = lock(&self.found);
        if found.is_empty() {
            *found = diagnostics;
        }
    }

    /// Compile the documents, make the counties' rulebooks and recompute every worked
    /// example, as [`load`] does.
    fn complete(
        &self,
        counties: Vec<County>,
        county_indices: Vec<usize>,
        mut documents: Vec<Document>,
        document_indices: Vec<usize>,
    ) -> Option<Part> {
        let mut problems = Vec::new();
        let own = documents.len();
        compile_documents(&mut documents, &self.facts, &mut problems);
        {
            let folders: Vec<&County> = counties.iter().chain(&self.regions).collect();
            place_in_regions(&mut documents, &folders);
            // The documents of the regions above, compiled already: the county's rulebook and
            // page need them. They follow the county's own; their pages are not this part's.
            for (_, document) in lock(&self.regional).iter() {
                if counties.iter().any(|c| c.is_covered_by(&document.source)) {
                    documents.push(document.clone());
                }
            }
            check_levels(&documents, &folders, &self.catalogue, &mut problems);
            check_double_subsidy(&documents, &folders, &self.facts, &mut problems);
        }
        let mut rulebooks = BTreeMap::new();
        for county in &counties {
            let book = county_rulebook(
                county,
                &self.facts,
                documents.iter().filter(|d| county.is_covered_by(&d.source)),
            );
            rulebooks.insert(county.source.code.clone(), book);
        }
        let mut summary = Summary {
            counties: counties.len(),
            ..Summary::default()
        };
        check_examples(
            &mut documents[..own],
            &rulebooks,
            &self.facts,
            &mut summary,
            &mut problems,
        );
        if !problems.is_empty() {
            self.fail(Diagnostics::default(), problems);
            return None;
        }
        Some(Part {
            project: Project {
                root: self.root.clone(),
                facts: self.facts.clone(),
                counties,
                regions: self.regions.clone(),
                catalogue: Arc::clone(&self.catalogue),
                documents,
                rulebooks,
                summary,
            },
            county_indices,
            document_indices,
        })
    }
}

/// The documents of the regions above counties, loaded, compiled and checked; `Err` with
/// what is wrong in them.
fn load_regional(
    files: &dyn Files,
    policy_files: &[(usize, String)],
    regions: &[County],
    catalogue: &regions::Catalogue,
    facts: &FactCatalogue,
) -> Result<Vec<(usize, Document)>, Diagnostics> {
    let folders: Vec<&County> = regions.iter().collect();
    let mut diagnostics = Diagnostics::default();
    let mut problems = Vec::new();
    let mut documents = Vec::new();
    let mut indices = Vec::new();
    for (place, rel) in policy_files {
        let Some(source) = read(files, rel, &mut diagnostics) else {
            return Err(diagnostics);
        };
        let Some(document) = load_document(
            files,
            source,
            rel,
            &folders,
            &documents,
            &mut diagnostics,
            &mut problems,
        ) else {
            for problem in problems {
                diagnostics.push(problem);
            }
            return Err(diagnostics);
        };
        documents.push(document);
        indices.push(*place);
    }
    compile_documents(&mut documents, facts, &mut problems);
    place_in_regions(&mut documents, &folders);
    check_levels(&documents, &folders, catalogue, &mut problems);
    check_versions(&documents, &mut problems);
    check_double_subsidy(&documents, &folders, facts, &mut problems);
    let mut rulebooks: BTreeMap<String, calculator::Rulebook> = regions
        .iter()
        .map(|r| (r.source.code.clone(), rulebook(r, facts, Vec::new())))
        .collect();
    let mut summary = Summary::default();
    check_examples(
        &mut documents,
        &rulebooks,
        facts,
        &mut summary,
        &mut problems,
    );
    rulebooks.clear();
    if problems.is_empty() && diagnostics.is_empty() {
        return Ok(indices.into_iter().zip(documents).collect());
    }
    for problem in problems {
        diagnostics.push(problem);
    }
    Err(diagnostics)
}

/// Every problem of the project, as [`load`] reports them; `found` (what the parts found)
/// only if the whole load, unexpectedly, finds nothing.
fn everything_wrong(root: &Path, mut found: Diagnostics) -> Diagnostics {
    match load(root) {
        Err(diagnostics) => diagnostics,
        Ok(_) => {
            found.sort();
            found
        }
    }
}

/// A lock, even if a thread panicked while holding it: what it guards stays consistent, as
/// every change to it is a single assignment or push.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// The parts of the repository's project, put together, are the project [`load`] makes.
    #[test]
    fn the_parts_make_the_whole() {
        let whole = load(&repo()).unwrap();
        let parts = Parts::open(&repo()).unwrap();
        let mut documents = Vec::new();
        let mut rulebooks = BTreeMap::new();
        let mut counties = Vec::new();
        let mut rest = None;
        for i in 0..parts.counties() {
            if let Some(part) = parts.county(i) {
                assert_eq!(part.county_indices, [i]);
                counties.extend(part.county_indices);
                documents.extend(
                    part.document_indices
                        .into_iter()
                        .zip(part.project.documents),
                );
                rulebooks.extend(part.project.rulebooks);
            }
        }
        // The seeds have a report that documents of three other counties are derived from.
        if let Some(part) = parts.rest() {
            assert!(part.county_indices.len() >= 4, "{:?}", part.county_indices);
            counties.extend(part.county_indices);
            documents.extend(
                part.document_indices
                    .into_iter()
                    .zip(part.project.documents),
            );
            rulebooks.extend(part.project.rulebooks);
            rest = Some(());
        }
        assert!(rest.is_some());
        parts.finish().unwrap();
        counties.sort_unstable();
        assert_eq!(counties, (0..whole.counties.len()).collect::<Vec<_>>());
        documents.sort_by_key(|(i, _)| *i);
        assert_eq!(documents.len(), whole.documents.len());
        for ((i, part), whole) in documents.iter().zip(&whole.documents) {
            assert_eq!(part.source.id, whole.source.id, "document {i}");
            assert_eq!(part.compiled, whole.compiled, "{}", whole.source.id);
            assert_eq!(part.example_estimates, whole.example_estimates);
        }
        assert_eq!(rulebooks, whole.rulebooks);
    }

    /// A mistake anywhere is reported as `portal check` reports it, with every other.
    #[test]
    fn a_mistake_is_reported_as_load_reports_it() {
        let dir = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(repo().join("policies")) {
            let entry = entry.unwrap();
            let target = dir.path().join(entry.path().strip_prefix(repo()).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        // Two documents with one id, in two counties: each county is right on its own.
        let from = dir.path().join("policies/140431-qinyuan/industry-2017");
        let to = dir.path().join("policies/610117-gaoling/again");
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(from.join("text.md"), to.join("text.md")).unwrap();
        let yaml = std::fs::read_to_string(from.join("policy.yaml")).unwrap();
        let yaml = yaml.replace("county: \"140431\"", "county: \"610117\"");
        std::fs::write(to.join("policy.yaml"), yaml).unwrap();
        let expected = load(dir.path()).unwrap_err();
        let parts = Parts::open(dir.path()).unwrap();
        for i in 0..parts.counties() {
            parts.county(i);
        }
        parts.rest();
        let found = parts.finish().unwrap_err();
        assert_eq!(found.render(), expected.render());
        assert!(!found.is_empty());
    }
}
