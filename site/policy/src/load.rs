//! Loading a project: the facts catalogue, every county and policy under `policies/`, their
//! full texts, and the compiled rulebook of each county. Returns every problem at once.

use crate::clauses::{self, Clause};
use crate::compile::{self, FileContext};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceText};
use crate::examples;
use crate::source::{CountySource, DocumentKindSource, FactKindSource, FactsFile, PolicySource};
use crate::yaml::{self, YamlIndex};
use calculator::expr::Absent;
use calculator::fact::{FactCatalogue, FactDef, FactGroup, FactKind};
use calculator::model::{CountyRef, Policy, Rulebook};
use calculator::unit::Dimension;
use calculator::Period;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use walkdir::WalkDir;

/// A county as loaded.
#[derive(Debug)]
pub struct County {
    pub source: CountySource,
    /// The folder, relative to the project root.
    pub dir: String,
}

/// A policy document (or report) as loaded.
#[derive(Debug)]
pub struct Document {
    pub source: PolicySource,
    pub dir: String,
    pub file: Arc<SourceText>,
    /// The Markdown full text; empty for measures derived from another document's text.
    pub text: String,
    pub clauses: Vec<Clause>,
    pub period: Period,
    /// The compiled rules; `None` for reports.
    pub compiled: Option<Policy>,
    /// Where each YAML path of `file` is; built once, used by every check that reports.
    pub index: YamlIndex,
    /// What the engine computed for each worked example during the check, in order; the
    /// policy page shows these rather than computing them again.
    pub example_estimates: Vec<calculator::Estimate>,
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub counties: usize,
    pub policies: usize,
    pub reports: usize,
    pub rules: usize,
    pub examples: usize,
}

/// A checked project.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub facts: FactCatalogue,
    pub counties: Vec<County>,
    pub documents: Vec<Document>,
    pub rulebooks: BTreeMap<String, Rulebook>,
    pub summary: Summary,
}

impl Project {
    pub fn county(&self, code: &str) -> Option<&County> {
        self.counties.iter().find(|c| c.source.code == code)
    }
}

/// Read a file relative to `root`, registering it for snippets.
fn read(root: &Path, relative: &str, diagnostics: &mut Diagnostics) -> Option<Arc<SourceText>> {
    match std::fs::read_to_string(root.join(relative)) {
        Ok(text) => {
            let source = Arc::new(SourceText::new(relative, text));
            diagnostics.add_source(source.clone());
            Some(source)
        }
        Err(error) => {
            diagnostics.push(Diagnostic::file(
                relative,
                format!("cannot read this file: {error}"),
                Some("check that the file exists and is UTF-8 text".to_string()),
            ));
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
    let mut diagnostics = Diagnostics::default();
    let mut problems: Vec<Diagnostic> = Vec::new();
    let policies_dir = root.join("policies");
    if !policies_dir.is_dir() {
        diagnostics.push(Diagnostic::file(
            "policies",
            format!("there is no policies/ folder in {}", root.display()),
            Some("run portal in the project's root folder, or give it with --root".to_string()),
        ));
        return Err(diagnostics);
    }

    let facts = read(root, "policies/facts.yaml", &mut diagnostics)
        .and_then(|source| load_facts(&source, &mut problems));

    let mut county_files = Vec::new();
    let mut policy_files = Vec::new();
    let mut policy_dirs: Vec<String> = Vec::new();
    let walker = WalkDir::new(&policies_dir)
        .min_depth(1)
        .max_depth(4)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != "schema");
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(Diagnostic::file(
                    "policies",
                    format!("cannot read the folder: {error}"),
                    None,
                ));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let rel = relative(root, entry.path());
        let depth = entry.depth();
        match (depth, name.as_ref()) {
            (1, "facts.yaml") => {}
            (2, "county.yaml") => county_files.push(rel),
            (3, "policy.yaml") => policy_files.push(rel),
            (2, _) if entry.file_type().is_dir() => policy_dirs.push(rel),
            (_, n) if n.ends_with(".yaml") || n.ends_with(".yml") => problems.push(Diagnostic::file(
                rel,
                "this YAML file is not read: it is not where the portal looks",
                Some("facts go in policies/facts.yaml, a county in policies/<code>-<name>/county.yaml, a policy in policies/<code>-<name>/<policy>/policy.yaml".to_string()),
            )),
            _ => {}
        }
    }

    // A policy folder without policy.yaml would otherwise vanish from the site unnoticed.
    for dir in &policy_dirs {
        if !policy_files.contains(&format!("{dir}/policy.yaml")) {
            problems.push(Diagnostic::file(
                dir.clone(),
                "this folder has no policy.yaml, so its document is not on the site",
                Some("add policy.yaml (see `portal new policy`), or remove the folder".to_string()),
            ));
        }
    }

    let mut counties: Vec<County> = Vec::new();
    for rel in &county_files {
        let Some(source) = read(root, rel, &mut diagnostics) else {
            continue;
        };
        if let Some(county) = load_county(&source, rel, &counties, &mut problems) {
            counties.push(county);
        }
    }

    let mut documents: Vec<Document> = Vec::new();
    if let Some(facts) = &facts {
        for rel in &policy_files {
            let Some(source) = read(root, rel, &mut diagnostics) else {
                continue;
            };
            if let Some(document) = load_document(
                root,
                source,
                rel,
                &counties,
                &documents,
                &mut diagnostics,
                &mut problems,
            ) {
                documents.push(document);
            }
        }
        compile_documents(&mut documents, facts, &mut problems);
        check_versions(&documents, &mut problems);
    }

    let mut summary = Summary {
        counties: counties.len(),
        ..Summary::default()
    };
    let mut rulebooks = BTreeMap::new();
    if let Some(facts) = &facts {
        for county in &counties {
            let mut policies: Vec<&Policy> = documents
                .iter()
                .filter(|d| d.source.county == county.source.code)
                .filter_map(|d| d.compiled.as_ref())
                .collect();
            policies.sort_by(|a, b| (a.period.from, &a.id).cmp(&(b.period.from, &b.id)));
            rulebooks.insert(
                county.source.code.clone(),
                rulebook(county, facts, policies.into_iter().cloned().collect()),
            );
        }
        for document in &mut documents {
            match document.source.kind {
                DocumentKindSource::Report => summary.reports += 1,
                _ => summary.policies += 1,
            }
            summary.rules += document.source.rules.len();
            if let (Some(policy), Some(county)) =
                (&document.compiled, rulebooks.get(&document.source.county))
            {
                summary.examples += document.source.examples.len();
                let estimates = examples::check(document, policy, county, &mut problems);
                document.example_estimates = estimates;
            }
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
        root: root.to_path_buf(),
        facts,
        counties,
        documents,
        rulebooks,
        summary,
    })
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

fn load_facts(source: &SourceText, problems: &mut Vec<Diagnostic>) -> Option<FactCatalogue> {
    let (file, index) = match yaml::read_file::<FactsFile>(source) {
        Ok(read) => read,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    let mut diagnostics = Vec::new();
    let mut cx = FileContext {
        source,
        index: &index,
        diagnostics: &mut diagnostics,
    };
    let mut catalogue = FactCatalogue::default();
    for (i, fact) in file.facts.iter().enumerate() {
        let path = format!("facts[{i}]");
        let valid = !fact.id.is_empty()
            && fact.id.starts_with(|c: char| c.is_ascii_lowercase())
            && fact
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            cx.error(
                &format!("{path}.id"),
                format!("`{}` is not a valid fact id", fact.id),
                Some("use lower-case letters, digits and `_`, e.g. `bee_boxes`".to_string()),
            );
            continue;
        }
        if fact.id == "year" {
            cx.error(
                &format!("{path}.id"),
                "`year` is reserved: it is the year of the estimate's date",
                None,
            );
            continue;
        }
        if catalogue.get(&fact.id).is_some() {
            cx.error(
                &format!("{path}.id"),
                format!("the fact `{}` is defined twice", fact.id),
                None,
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
                        format!("`{unit}` is not a known unit"),
                        Some(format!(
                            "known units: {}",
                            Dimension::words().collect::<Vec<_>>().join(" ")
                        )),
                    );
                    continue;
                }
            },
            (None, true) => {
                cx.error(
                    &path,
                    format!(
                        "the {} fact `{}` needs a `unit`",
                        if kind == FactKind::Count {
                            "count"
                        } else {
                            "quantity"
                        },
                        fact.id
                    ),
                    Some("e.g. `unit: 头` or `unit: 亩`".to_string()),
                );
                continue;
            }
            (Some(_), false) => {
                cx.error(
                    &format!("{path}.unit"),
                    "yes/no and year facts have no unit",
                    Some("remove `unit:`".to_string()),
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
                            format!("`{}` is not a number", text.0),
                            None,
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
                    format!("max ({max}) is below min ({min})"),
                    None,
                );
                continue;
            }
        }
        if needs_unit && max.is_none() {
            cx.error(
                &path,
                format!(
                    "the fact `{}` needs a `max`, so that a typo like 30000 头 is caught",
                    fact.id
                ),
                Some(
                    "give the largest value anyone could sensibly have, e.g. `max: 10000`"
                        .to_string(),
                ),
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
    let ok = diagnostics.is_empty();
    problems.extend(diagnostics);
    ok.then_some(catalogue)
}

fn load_county(
    source: &SourceText,
    rel: &str,
    counties: &[County],
    problems: &mut Vec<Diagnostic>,
) -> Option<County> {
    let (county, index) = match yaml::read_file::<CountySource>(source) {
        Ok(read) => read,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    let mut diagnostics = Vec::new();
    let mut cx = FileContext {
        source,
        index: &index,
        diagnostics: &mut diagnostics,
    };
    let six_digits = |code: &str| code.len() == 6 && code.chars().all(|c| c.is_ascii_digit());
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let folder = dir.rsplit('/').next().unwrap_or_default();
    if !six_digits(&county.code) {
        cx.error(
            "code",
            format!("`{}` is not a GB/T 2260 code", county.code),
            Some("write the six-digit code in quotes, e.g. code: \"610117\"".to_string()),
        );
    } else if !folder.starts_with(&format!("{}-", county.code)) {
        cx.error(
            "code",
            format!(
                "the folder `{folder}` does not start with the county's code {}",
                county.code
            ),
            Some(format!("name the folder `{}-<name>`", county.code)),
        );
    } else if counties.iter().any(|c| c.source.code == county.code) {
        cx.error(
            "code",
            format!(
                "the county code {} is used by another county.yaml",
                county.code
            ),
            None,
        );
    }
    for (i, former) in county.former.iter().enumerate() {
        if !six_digits(&former.code) {
            cx.error(
                &format!("former[{i}].code"),
                format!("`{}` is not a GB/T 2260 code", former.code),
                Some("six digits, in quotes".to_string()),
            );
        }
    }
    let ok = diagnostics.is_empty();
    problems.extend(diagnostics);
    ok.then_some(County {
        source: county,
        dir,
    })
}

fn load_document(
    root: &Path,
    file: Arc<SourceText>,
    rel: &str,
    counties: &[County],
    documents: &[Document],
    diagnostics: &mut Diagnostics,
    problems: &mut Vec<Diagnostic>,
) -> Option<Document> {
    let source: &SourceText = &file;
    let index = YamlIndex::build(source);
    let mut value = match yaml::parse_value(source) {
        Ok(v) => v,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    // Rules, groups and examples are read one by one, so one bad rule does not hide the next.
    let mut lists: BTreeMap<&str, Vec<serde_yaml_ng::Value>> = BTreeMap::new();
    if let serde_yaml_ng::Value::Mapping(map) = &mut value {
        for key in ["rules", "groups", "examples"] {
            if let Some(serde_yaml_ng::Value::Sequence(items)) = map.get(key) {
                lists.insert(key, items.clone());
                map.insert(
                    serde_yaml_ng::Value::from(key),
                    serde_yaml_ng::Value::Sequence(Vec::new()),
                );
            }
        }
    }
    let mut policy: PolicySource = match yaml::typed(value, "", source, &index) {
        Ok(p) => p,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
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
                match yaml::typed(item, &format!("{}[{i}]", $key), source, &index) {
                    Ok(parsed) => {
                        policy.$field.push(parsed);
                        policy.positions.$positions.push(i);
                    }
                    Err(d) => {
                        problems.push(d);
                        if $key == "rules" {
                            policy
                                .positions
                                .unreadable_rules
                                .push(id.unwrap_or_default());
                        } else {
                            unreadable_groups_or_examples = true;
                        }
                    }
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
    let mut cx = FileContext {
        source,
        index: &index,
        diagnostics: &mut local,
    };
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let county_dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    if !compile::valid_id(&policy.id) {
        cx.error("id", format!("`{}` is not a valid policy id", policy.id), Some("use lower-case letters, digits and `-`, e.g. `gaoling-2017-industry`; it becomes the page address".to_string()));
    } else if let Some(other) = documents.iter().find(|d| d.source.id == policy.id) {
        cx.error(
            "id",
            format!(
                "the policy id `{}` is already used by {}",
                policy.id, other.file.name
            ),
            Some("policy ids are unique across all counties".to_string()),
        );
    }
    match counties.iter().find(|c| c.dir == county_dir) {
        Some(county) if county.source.code != policy.county => cx.error(
            "county",
            format!(
                "this policy is in the folder of county {} but says `county: \"{}\"`",
                county.source.code, policy.county
            ),
            Some(format!(
                "write county: \"{}\", or move the policy into its county's folder",
                county.source.code
            )),
        ),
        Some(_) => {}
        // A county.yaml that exists but is broken has its own error; do not repeat it here.
        None if root.join(county_dir).join("county.yaml").is_file() => {}
        None => cx.error(
            "county",
            format!("there is no county.yaml in {county_dir}/ for this policy"),
            Some("add the county's county.yaml next to its policy folders".to_string()),
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
    let mut text_missing = false;
    let (text, clauses) = match (&policy.text_from, policy.kind) {
        (Some(_), DocumentKindSource::DerivedFromReport) => (String::new(), Vec::new()),
        (Some(_), _) => {
            cx.error(
                "text_from",
                "`text_from` is only for `kind: derived_from_report`",
                None,
            );
            (String::new(), Vec::new())
        }
        (None, DocumentKindSource::DerivedFromReport) => {
            cx.error(
                "kind",
                "measures derived from a report need `text_from:` naming the report",
                Some("e.g. text_from: xixiang-2017-research-report".to_string()),
            );
            (String::new(), Vec::new())
        }
        (None, _) => {
            let text_rel = format!("{dir}/text.md");
            match read(root, &text_rel, diagnostics) {
                Some(text_file) => {
                    let (clauses, anchor_problems) = clauses::scan(&text_file.text);
                    for problem in anchor_problems {
                        cx.diagnostics.push(Diagnostic::at(
                            &text_file,
                            problem.offset..problem.offset + 1,
                            "",
                            problem.message,
                            None,
                        ));
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
        cx.error("kind", "a report has no rules of its own", Some("put measures it reports for other counties in policies of `kind: derived_from_report` under those counties".to_string()));
    }
    let fine = local.is_empty() && !text_missing;
    problems.extend(local);
    let period = period?;
    fine.then(|| Document {
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
        if document.source.kind == DocumentKindSource::Report {
            continue;
        }
        let mut local = Vec::new();
        let mut cx = FileContext {
            source: &document.file,
            index: &document.index,
            diagnostics: &mut local,
        };
        let (clauses, text_name): (&[Clause], String) = match &document.source.text_from {
            Some(from) => match documents.iter().find(|d| &d.source.id == from) {
                Some(report) if report.source.kind == DocumentKindSource::Report => {
                    (&report.clauses, format!("{}/text.md", report.dir))
                }
                Some(_) => {
                    cx.error(
                        "text_from",
                        format!("`{from}` is not a report"),
                        Some("text_from names a document of `kind: report`".to_string()),
                    );
                    problems.extend(local);
                    continue;
                }
                None => {
                    cx.error(
                        "text_from",
                        format!("there is no document with the id `{from}`"),
                        None,
                    );
                    problems.extend(local);
                    continue;
                }
            },
            None => (&document.clauses, format!("{}/text.md", document.dir)),
        };
        if document.source.rules.is_empty() && document.source.positions.complete() {
            cx.error("rules", "this policy has no rules", Some("add a rule for every measure that states an amount, or make the document a `kind: report`".to_string()));
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

/// Versions of one policy (linked by `supersedes`) must not be in force at the same time.
fn check_versions(documents: &[Document], problems: &mut Vec<Diagnostic>) {
    for document in documents {
        let Some(previous) = &document.source.supersedes else {
            continue;
        };
        let mut local = Vec::new();
        let mut cx = FileContext {
            source: &document.file,
            index: &document.index,
            diagnostics: &mut local,
        };
        match documents.iter().find(|d| &d.source.id == previous) {
            None => cx.error("supersedes", format!("there is no policy `{previous}` to supersede"), None),
            Some(old) if old.source.county != document.source.county => {
                cx.error("supersedes", format!("`{previous}` belongs to another county ({})", old.source.county), None)
            }
            Some(old) if old.period.overlaps(&document.period) => cx.error(
                "validity.from",
                format!(
                    "this version ({}) overlaps the version it supersedes, `{previous}` ({})",
                    document.period, old.period
                ),
                Some(format!("end the old version the day before this one starts: set its validity.to to the day before {}", document.period.from)),
            ),
            Some(_) => {}
        }
        problems.extend(local);
    }
}
