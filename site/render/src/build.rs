//! `portal build`: load and check the project a county at a time ([`Parts`]), render each
//! county's pages on every core as it is loaded and write every page as it is made, keeping
//! only what the site-wide pages, the open data and the link check need; then check every
//! internal link and swap the new site in atomically. The output depends only on the input:
//! no clock, stable ordering, so two builds are byte-identical.

use crate::baked;
use crate::compare::{self, CompareConfig};
use crate::compare_regions::{self, ByRegion, RegionOf, RegionShares};
use crate::content;
use crate::links::{self, BrokenLink, LinkIndex, Scanner};
use crate::markdown::{self, escape_html, Asides, Headings};
use crate::open_data::{self, OpenData};
use crate::output::{lock, InOrder, OutputError, Staging};
use crate::pages::{self, DocumentSummary, RuleRow};
use crate::region_pages;
use crate::search;
use crate::serving::{self, Delivery, PageKind};
use crate::theme::Theme;
use crate::urls;
use crate::words::Words;
use calculator::fact::FactGroup;
use calculator::Audience;
use policy::diagnostic::{Diagnostic, Diagnostics};
use policy::load::{County, Document, Part, Parts, Project};
use policy::messages::{Key, Lang, Msg};
use policy::source::DocumentKindSource;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::json;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tera::{Context, Tera};

/// Why a build stopped. [`BuildError::message`] words it in the clerk's language; the
/// `Display` is the developer's short form.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in the project's files, each at its place (policies, `content/site.yaml` …).
    #[error("the policies have {} error(s)", .0.len())]
    Check(Diagnostics),
    /// The first problem with the site's own files or theme: a `content/` file unreadable, a
    /// page without a title or with a bad name, no `open-data.md`, a theme file missing.
    #[error("{0}")]
    Content(Box<Diagnostic>),
    /// A template would not parse or render (Tera), a template was not UTF-8, or (from
    /// `portal`) the project's `templates/` could not be read.
    #[error("template {template}: {message}")]
    Template {
        /// The template's name in the theme (`policy.html`); `templates/` when the set as a
        /// whole would not parse; the path of an unreadable override.
        template: String,
        /// The error with each of its causes, joined by `: `.
        message: String,
    },
    /// The templates would not parse, and the project's own look written for Tera 1
    /// (macros, imports): the message says what changed in Tera 2.
    #[error(
        "template {template}: {message} (the project's own templates look written for Tera 1)"
    )]
    TemplateForTera1 {
        /// As for [`BuildError::Template`].
        template: String,
        /// As for [`BuildError::Template`].
        message: String,
    },
    /// Rendered pages link to pages or `#anchors` that do not exist; nothing was written.
    #[error("{} broken internal link(s):\n{}", .0.len(), .0.iter().map(|b| format!("  {} → {} ({})", b.page, b.link, b.reason)).collect::<Vec<_>>().join("\n"))]
    Links(Vec<BrokenLink>),
    /// A file could not be written, or a path would leave the output folder; the previous
    /// site is untouched.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl BuildError {
    /// What went wrong, in `lang`. Problems in files ([`BuildError::Check`]) are better shown
    /// with [`Diagnostics::render_in`], which adds the lines of the file.
    pub fn message(&self, lang: Lang) -> String {
        let msg = match self {
            BuildError::Check(diagnostics) => {
                Msg::new(Key::BuildCheck).arg("count", diagnostics.len())
            }
            BuildError::Content(diagnostic) => {
                let mut text = format!(
                    "{}:{}:{}: {}",
                    diagnostic.file,
                    diagnostic.line,
                    diagnostic.column,
                    diagnostic.message_in(lang)
                );
                if let Some(hint) = diagnostic.hint_in(lang) {
                    text.push('\n');
                    text.push_str(&Msg::new(Key::CliHint).arg("hint", hint).render(lang));
                }
                return text;
            }
            BuildError::Template { template, message }
            | BuildError::TemplateForTera1 { template, message } => {
                let msg = Msg::new(Key::BuildTemplate)
                    .arg("template", template.as_str())
                    .arg("error", message.as_str());
                if matches!(self, BuildError::Template { .. }) {
                    msg
                } else {
                    let hint = Msg::new(Key::HintTera1Templates).render(lang);
                    let hint = Msg::new(Key::CliHint).arg("hint", hint).render(lang);
                    return format!("{}\n{hint}", msg.render(lang));
                }
            }
            BuildError::Links(broken) => Msg::new(Key::BuildLinks).arg("count", broken.len()).arg(
                "links",
                broken
                    .iter()
                    .map(|b| format!("  {} → {} ({})", b.page, b.link, b.reason))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            BuildError::Output(error) => Msg::new(Key::BuildOutput).arg("error", error.to_string()),
        };
        msg.render(lang)
    }
}

/// The estimator's module and its JavaScript glue, as `portal` carries them.
#[derive(Debug, Clone, Copy)]
pub struct EstimatorAssets<'a> {
    /// The WebAssembly module after the bindgen step.
    pub wasm: &'a [u8],
    /// wasm-bindgen's JavaScript glue that loads it.
    pub glue: &'a [u8],
}

/// `content/site.yaml`.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name: the home page's heading, every page's header, the feed's title.
    pub title: String,
    /// Where the site is published, for the sitemap and the feed (no trailing slash).
    pub base_url: String,
}

/// What a successful build wrote, for the summary line.
#[derive(Debug, Clone, Copy)]
pub struct BuildReport {
    /// HTML files, 404 page included.
    pub pages: usize,
    /// Every file of the site: pages, assets, open data, feed and sitemap.
    pub files: usize,
    /// Their total size, in bytes.
    pub bytes: usize,
    /// Wall-clock time from loading the project to the swap; never part of the output.
    pub seconds: f64,
    /// Folders that killed builds had left beside the output, removed when this one began
    /// (see [`Staging`]).
    pub swept: usize,
}

fn read_yaml<T: serde::de::DeserializeOwned>(root: &Path, relative: &str) -> Result<T, BuildError> {
    let text = std::fs::read_to_string(root.join(relative))
        .map_err(|e| BuildError::Content(Box::new(Diagnostic::unreadable(relative, &e))))?;
    parse_yaml(relative, text)
}

/// Read a YAML file of the site; every problem in it is reported at once, with its lines.
fn parse_yaml<T: serde::de::DeserializeOwned>(
    relative: &str,
    text: String,
) -> Result<T, BuildError> {
    let source = std::sync::Arc::new(policy::diagnostic::SourceText::new(relative, text));
    let (read, _) = policy::yaml::read_file::<T>(&source);
    match read.value {
        Some(value) if read.is_clean() => Ok(value),
        _ => {
            let mut diagnostics = Diagnostics::default();
            diagnostics.add_source(source);
            for problem in read.problems {
                diagnostics.push(problem);
            }
            diagnostics.sort();
            Err(BuildError::Check(diagnostics))
        }
    }
}

fn templates(
    theme: &Theme,
    strings: Option<&BTreeMap<String, String>>,
) -> Result<Tera, BuildError> {
    let mut sources = Vec::new();
    let is_template = |name: &str| {
        !name.starts_with("static/") && [".html", ".xml", ".txt"].iter().any(|e| name.ends_with(e))
    };
    for (name, bytes) in theme.files().filter(|(n, _)| is_template(n)) {
        let text = std::str::from_utf8(bytes).map_err(|e| BuildError::Template {
            template: name.to_owned(),
            message: e.to_string(),
        })?;
        sources.push((name, text));
    }
    // The site's words written in once, where the theme lets that render as Tera would.
    let bake_with = strings.filter(|_| baked::theme_allows(sources.iter().copied()));
    let sources = sources.into_iter().map(|(name, text)| match bake_with {
        Some(strings) if name.ends_with(".html") => (name, baked::bake(text, strings)),
        _ => (name, Cow::Borrowed(text)),
    });
    let mut tera = Tera::default();
    // XML and text templates escape with the `xml` filter where they need to.
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(crate::markdown::escape_html_to);
    tera.register_filter("xml", xml_filter);
    urls::register(&mut tera);
    tera.add_raw_templates(sources).map_err(|e| {
        let (template, message) = ("templates/".into(), error_chain(&e));
        if written_for_tera1(theme) {
            BuildError::TemplateForTera1 { template, message }
        } else {
            BuildError::Template { template, message }
        }
    })?;
    Ok(tera)
}

/// Whether a project's own templates use what Tera 1 had and Tera 2 has not: macros, their
/// imports and `namespace::macro(…)` calls. Said beside the parse error, since a project's
/// copies of the built-in templates made before Tera 2 fail on them.
fn written_for_tera1(theme: &Theme) -> bool {
    theme.overridden().iter().any(|name| {
        let text = theme
            .get(name)
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        ["{% macro", "{%- macro", "{% import", "{%- import", "::"]
            .iter()
            .any(|old| text.contains(old))
    })
}

/// A theme file, or an error naming where it was expected.
fn theme_file<'t>(theme: &'t Theme, name: &str) -> Result<&'t [u8], BuildError> {
    theme.get(name).ok_or_else(|| {
        BuildError::Content(Box::new(
            Diagnostic::file(format!("templates/{name}"), Msg::new(Key::ThemeFileMissing))
                .hint(Msg::new(Key::HintThemeFile)),
        ))
    })
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Everything the pages share, made once per build.
pub(crate) struct Site {
    tera: Tera,
    /// `tera` with `compare_cells.html` standing for each item's cells by its placeholder:
    /// the comparison's frame, into which the cells are written county by county. `None`
    /// when the project has its own `compare.html` or `compare_cells.html`: the comparison is
    /// then rendered whole, as those templates may expect.
    frame: Option<Tera>,
    /// The strings catalogue, for the words the Rust side writes into pages.
    words: Words,
    config: SiteConfig,
    compare: CompareConfig,
    pages: Vec<content::ContentPage>,
    /// What every page's context holds: `t`, `site` and `css`.
    base: Context,
    /// The site's description, for pages that have none of their own.
    description: String,
    /// The estimator's assets: path in the site and bytes.
    pub(crate) assets: Vec<(String, Vec<u8>)>,
    wasm_path: String,
    glue_path: String,
    script_path: String,
    /// The search page's script.
    search_script_path: String,
    /// The comparison's county picker's script (by prefecture only).
    pub(crate) pick_script_path: String,
    /// The shape of an estimate, for the estimator's `<template>`s; the same for every county.
    shape: tera::Value,
    /// Whether the project has its own `county.html` or `estimate.html`, which may read each
    /// document's rows by audience (`m.household`) rather than its rendered tables.
    own_rate_pages: bool,
    /// Whether the project has its own `policy.html`, which may read all of `document`.
    own_policy_page: bool,
}

impl Site {
    /// The theme, the site's own files and the estimator's assets; the first problem with
    /// them, in the order the build has always met them.
    pub(crate) fn prepare(
        root: &Path,
        theme: &Theme,
        estimator: EstimatorAssets<'_>,
    ) -> Result<Site, BuildError> {
        // The strings are read first, for baking them into the templates, but a template's
        // error is still reported before theirs, as it always was.
        let strings: Result<BTreeMap<String, String>, BuildError> =
            theme_file(theme, "strings.zh-CN.yaml").and_then(|bytes| {
                parse_yaml(
                    "templates/strings.zh-CN.yaml",
                    String::from_utf8_lossy(bytes).into_owned(),
                )
            });
        let tera = templates(theme, strings.as_ref().ok())?;
        let strings = strings?;
        let config: SiteConfig = read_yaml(root, "content/site.yaml")?;
        let compare: CompareConfig = read_yaml(root, "content/compare.yaml")?;
        let pages = content::load(root).map_err(BuildError::Content)?;
        // Static assets, content-addressed so they can be cached for ever.
        let css = theme_file(theme, "static/site.css")?;
        let css_path = format!("{}site.{}.css", urls::ASSETS_DIR, short_hash(css));
        // The estimator: the engine as WebAssembly, its glue and the page's script, all hashed.
        let wasm_path = format!(
            "{}estimator.{}.wasm",
            urls::ASSETS_DIR,
            short_hash(estimator.wasm)
        );
        let glue_path = format!(
            "{}estimator-glue.{}.js",
            urls::ASSETS_DIR,
            short_hash(estimator.glue)
        );
        let script = theme_file(theme, "static/estimator.js")?;
        let script_path = format!("{}estimator.{}.js", urls::ASSETS_DIR, short_hash(script));
        let search_script = theme_file(theme, "static/search.js")?;
        let search_script_path = format!(
            "{}search.{}.js",
            urls::ASSETS_DIR,
            short_hash(search_script)
        );
        let pick_script = theme_file(theme, "static/compare-pick.js")?;
        let pick_script_path = format!(
            "{}compare-pick.{}.js",
            urls::ASSETS_DIR,
            short_hash(pick_script)
        );
        // The estimator's service worker keeps a visited estimator for offline use. Its address
        // is fixed (a worker is found again by it), and so are its bytes: what it keeps is named
        // by content hashes in the pages, not in the worker.
        let worker = theme_file(theme, "static/sw.js")?;
        if !pages.iter().any(|p| p.slug == "open-data") {
            return Err(BuildError::Content(Box::new(
                Diagnostic::file("content/open-data.md", Msg::new(Key::OpenDataMissing))
                    .hint(Msg::new(Key::HintOpenData)),
            )));
        }
        let own = |name: &str| theme.overridden().iter().any(|n| n == name);
        let own_compare = own("compare.html") || own("compare_cells.html");
        let frame = if own_compare {
            None
        } else {
            let mut frame = tera.clone();
            frame
                .add_raw_template("compare_cells.html", "{{ row.placeholder | safe }}")
                .map_err(|e| BuildError::Template {
                    template: "compare_cells.html".into(),
                    message: error_chain(&e),
                })?;
            Some(frame)
        };
        let own_rate_pages = own("county.html") || own("estimate.html");
        let own_policy_page = own("policy.html");
        let mut base = Context::new();
        base.insert("t", &strings);
        base.insert("site", &config);
        base.insert("css", &urls::asset(&css_path));
        let words = Words::new(strings);
        let description = words.fill("desc_home", &[("site", &config.title)]);
        Ok(Site {
            tera,
            frame,
            description,
            words,
            config,
            compare,
            pages,
            base,
            assets: vec![
                (css_path, css.to_vec()),
                (wasm_path.clone(), estimator.wasm.to_vec()),
                (glue_path.clone(), estimator.glue.to_vec()),
                (script_path.clone(), script.to_vec()),
                (search_script_path.clone(), search_script.to_vec()),
                (pick_script_path.clone(), pick_script.to_vec()),
                (urls::file_of(&urls::service_worker()), worker.to_vec()),
            ],
            wasm_path,
            glue_path,
            script_path,
            search_script_path,
            pick_script_path,
            shape: tera::Value::from_serializable(&estimate_view::View::shape()),
            own_rate_pages,
            own_policy_page,
        })
    }

    /// A page's context: what every page shares, its title and its path.
    fn context(&self, title: &str, path: &str) -> Context {
        let mut cx = self.base.clone();
        cx.insert("page_title", title);
        cx.insert("path", path);
        cx.insert("csp", &serving::csp(PageKind::Page, Delivery::Meta));
        cx.insert("description", &self.description);
        cx
    }

    fn compare_title(&self) -> &str {
        self.words.get("compare_title")
    }
}

/// A template rendered, as bytes: what is written and scanned (Tera's `render` would check
/// that its own UTF-8 output is UTF-8, a few percent of a build).
fn render(tera: &Tera, template: &str, cx: &Context) -> Result<Vec<u8>, BuildError> {
    let mut out = Vec::with_capacity(1 << 14);
    tera.render_to(template, cx, &mut out)
        .map_err(|e| template_error(template, &e))?;
    Ok(out)
}

fn template_error(template: &str, error: &tera::Error) -> BuildError {
    BuildError::Template {
        template: template.into(),
        message: error_chain(error),
    }
}

/// Where a page or file stands in the order the build has always made them (home, each
/// county's page and estimator, each policy, the comparison, the content pages, 404, sitemap,
/// feed, robots.txt): of several failures, the first in this order is reported.
type Order = (u8, usize, u8);

const HOME_PAGE: Order = (0, 0, 0);
const COMPARE_PAGE: Order = (3, 0, 0);
const NOT_FOUND_PAGE: Order = (5, 0, 0);
const SEARCH_PAGE: Order = (5, 1, 0);
const SITEMAP: Order = (6, 0, 0);
const FEED: Order = (7, 0, 0);
const ROBOTS: Order = (8, 0, 0);

/// One document's rate tables on a county's page and its estimator page.
#[derive(serde::Serialize)]
struct Measures<'a> {
    superseded: bool,
    summary: &'a DocumentSummary,
    derived: bool,
    tables: Arc<RateTables>,
    /// Its rows by audience, only for a project's own county or estimator page, which may
    /// read them (as these pages did before `tables`): serialising them into every page's
    /// context was 2% of a national build.
    #[serde(flatten)]
    rows: Option<AudienceRows<'a>>,
}

/// A document's rows by audience: what its rate tables are rendered from.
#[derive(serde::Serialize)]
struct AudienceRows<'a> {
    household: Vec<&'a RuleRow>,
    enterprise: Vec<&'a RuleRow>,
    collective: Vec<&'a RuleRow>,
}

impl<'a> AudienceRows<'a> {
    fn of(rows: &'a [RuleRow]) -> AudienceRows<'a> {
        let by = |audience: Audience| rows.iter().filter(|r| r.audience == audience).collect();
        AudienceRows {
            household: by(Audience::Household),
            enterprise: by(Audience::Enterprise),
            collective: by(Audience::Collective),
        }
    }
}

/// A document's rate table for each audience (`rates.html`), empty for an audience it has no
/// rules for. A document's tables are the same on its county's page and estimator page and,
/// for a prefecture's or province's document, on those of every county below: each is
/// rendered once per build (or, when two counties ask at once, twice; Tera took a tenth of a
/// national build to render them again on each page).
#[derive(Debug, Default, serde::Serialize)]
struct RateTables {
    household: String,
    enterprise: String,
    collective: String,
}

fn county_order(county: usize, estimator: bool) -> Order {
    (1, county, u8::from(estimator))
}

fn document_order(document: usize) -> Order {
    (2, document, 0)
}

fn content_order(page: usize) -> Order {
    (4, page, 0)
}

/// Up to how many counties the home page lists every county under its province and
/// prefecture; above it, the provinces lead to their pages.
const HOME_TREE_COUNTIES: usize = 200;

fn region_order(region: usize) -> Order {
    (1, usize::MAX, u8::try_from(region % 256).unwrap_or(0))
}

/// The first failure of each kind, by [`Order`].
#[derive(Debug, Default)]
struct Failures {
    render: Option<(Order, BuildError)>,
    output: Option<(Order, OutputError)>,
}

/// A document as the pages of its part show it, worked out once.
#[derive(Debug)]
struct DocumentView {
    summary: DocumentSummary,
    /// Its rules as table rows; `None` when it has no compiled rules.
    rows: Option<Vec<RuleRow>>,
}

/// A part of the project with each document's view, and the documents by id.
struct PartView<'p> {
    project: &'p Project,
    documents: Vec<DocumentView>,
    by_id: HashMap<&'p str, usize>,
    /// Its compiled policies as JSON, for their own files, their counties' and provinces'.
    json: open_data::PolicyJson,
}

impl<'p> PartView<'p> {
    fn new(project: &'p Project, words: &Words) -> PartView<'p> {
        PartView {
            project,
            documents: project
                .documents
                .iter()
                .map(|d| DocumentView {
                    summary: pages::summary(d, project, words),
                    rows: d
                        .compiled
                        .as_ref()
                        .map(|policy| pages::rule_rows(d, policy, project, words)),
                })
                .collect(),
            by_id: project
                .documents
                .iter()
                .enumerate()
                .map(|(k, d)| (d.source.id.as_str(), k))
                .collect(),
            json: open_data::PolicyJson::of(project),
        }
    }

    /// A policy's rows, by its id.
    fn rows_of(&self, id: &str) -> Option<&[RuleRow]> {
        self.by_id
            .get(id)
            .and_then(|&k| self.documents.get(k))
            .and_then(|v| v.rows.as_deref())
    }
}

/// What the site-wide pages need of a county once its pages are written.
#[derive(Debug)]
struct CountyOut {
    index: usize,
    entry: pages::CountyEntry,
    /// Whether it has compiled policies (a rulebook to download, a column to compare).
    has_rules: bool,
    /// Its column, chart values and household totals in the comparison.
    margins: Option<compare::Margins>,
    /// Its cells, when the comparison is rendered whole.
    cells: Option<Vec<Vec<RuleRow>>>,
}

/// What the site-wide pages need of a document once its page is written.
#[derive(Debug)]
struct DocumentOut {
    index: usize,
    summary: DocumentSummary,
    /// Published, else written: the sitemap's `lastmod`.
    lastmod: Option<String>,
}

/// The comparison's cells, an item at a time: a file per item in the scratch folder, each
/// county's cells written in the counties' order.
struct Cells {
    paths: Vec<PathBuf>,
    sinks: Vec<InOrder<BufWriter<File>>>,
}

impl Cells {
    /// Every county's cells written: the files, an item each.
    fn finish(self) -> Result<Vec<PathBuf>, OutputError> {
        for (sink, path) in self.sinks.into_iter().zip(&self.paths) {
            sink.finish()
                .and_then(|mut file| file.flush())
                .map_err(|e| output_io(path, e))?;
        }
        Ok(self.paths)
    }
}

/// One build, while the parts are rendered.
pub(crate) struct Run<'a> {
    site: &'a Site,
    staging: &'a Staging,
    plan: compare::Plan<'a>,
    pub(crate) links: LinkIndex,
    failures: Mutex<Failures>,
    /// Each province's rulebooks and rates, a county's pieces at a time.
    open_data: OpenData<'a>,
    /// The rows of the documents above the county, by the province where they apply.
    rates_above: Mutex<BTreeMap<String, String>>,
    cells: Option<Cells>,
    /// Above [`compare_regions::WHOLE_COUNTIES`], the comparison a page per prefecture and
    /// item, each prefecture's made when its last county is in.
    by_region: Option<ByRegion>,
    /// Each item's name in those pages' addresses.
    item_slugs: Vec<String>,
    /// The prefectures whose comparison was written, and how many counties each compares.
    compared: Mutex<Vec<(RegionOf, usize)>>,
    counties: Mutex<Vec<CountyOut>>,
    documents: Mutex<Vec<DocumentOut>>,
    /// The rate tables of the documents above the county (a county's own are rendered with
    /// its pages and not kept), by the document's folder.
    rate_tables_above: Mutex<HashMap<String, Arc<RateTables>>>,
    /// The search index: each region's piece is written with its documents.
    search: search::SearchIndex,
}

/// How many bytes of pieces may wait in memory for those before them, per file.
const WAITING_CELLS: usize = 4 << 20;

impl<'a> Run<'a> {
    pub(crate) fn new(
        site: &'a Site,
        staging: &'a Staging,
        parts: &'a Parts,
    ) -> Result<Run<'a>, OutputError> {
        let scratch = staging.scratch()?.to_path_buf();
        let open_data = OpenData::new(staging, &scratch, parts.codes())?;
        let plan = compare::Plan::new(&site.compare, parts.facts(), &site.words);
        let by_region = (parts.counties() > compare_regions::WHOLE_COUNTIES)
            .then(|| ByRegion::new(parts.codes()));
        let cells = match site.frame {
            Some(_) if by_region.is_none() => {
                let mut cells = Cells {
                    paths: Vec::new(),
                    sinks: Vec::new(),
                };
                for item in 0..plan.items() {
                    let path = scratch.join(format!("compare-item-{item}"));
                    let file = File::create(&path).map_err(|e| output_io(&path, e))?;
                    cells.sinks.push(InOrder::new(
                        BufWriter::new(file),
                        scratch.join(format!("compare-item-{item}.waiting")),
                        WAITING_CELLS,
                    ));
                    cells.paths.push(path);
                }
                Some(cells)
            }
            _ => None,
        };
        let item_slugs = compare_regions::item_slugs(&plan);
        Ok(Run {
            site,
            staging,
            plan,
            links: LinkIndex::new(),
            failures: Mutex::new(Failures::default()),
            open_data,
            rates_above: Mutex::new(BTreeMap::new()),
            cells,
            by_region,
            item_slugs,
            compared: Mutex::new(Vec::new()),
            counties: Mutex::new(Vec::new()),
            documents: Mutex::new(Vec::new()),
            rate_tables_above: Mutex::new(HashMap::new()),
            search: search::SearchIndex::new(),
        })
    }

    fn fail(&self, order: Order, error: BuildError) {
        let mut failures = lock(&self.failures);
        if failures.render.as_ref().is_none_or(|(o, _)| order < *o) {
            failures.render = Some((order, error));
        }
    }

    fn fail_output(&self, order: Order, error: OutputError) {
        let mut failures = lock(&self.failures);
        if failures.output.as_ref().is_none_or(|(o, _)| order < *o) {
            failures.output = Some((order, error));
        }
    }

    /// Write a file of the site.
    fn write(&self, order: Order, path: &str, bytes: &[u8]) {
        if let Err(error) = self.staging.write(path, bytes) {
            self.fail_output(order, error);
        }
    }

    /// Render a page and write it, keeping its ids and links for the link check.
    fn page(&self, order: Order, path: &str, template: &str, cx: &Context) {
        match render(&self.site.tera, template, cx) {
            Ok(html) => {
                if path.ends_with(".html") {
                    self.links.add(path, links::scan(&html));
                }
                self.write(order, path, &html);
            }
            Err(error) => self.fail(order, error),
        }
    }

    /// The first failure of the pages rendered so far: a page that would not render, else a
    /// file that could not be written.
    pub(crate) fn first_failure(&self) -> Option<BuildError> {
        let mut failures = lock(&self.failures);
        let render = failures.render.take().map(|(_, error)| error);
        render.or_else(|| failures.output.take().map(|(_, error)| error.into()))
    }

    /// Every page and file of a part of the project.
    pub(crate) fn part(&self, part: &Part) {
        let view = PartView::new(&part.project, &self.site.words);
        for (county, &index) in part.project.counties.iter().zip(&part.county_indices) {
            self.county(&view, county, index);
        }
        for (k, &index) in part.document_indices.iter().enumerate() {
            self.document(&view, k, index);
        }
        self.rates_above(&view, part.document_indices.len());
        self.search_pieces(&view, part);
    }

    /// The rates of the documents above the county whose pages this part writes (its first
    /// `written`; a county's part also holds those above it, for its rulebook), kept for the
    /// CSV of every province where they apply, after its counties' own rows.
    fn rates_above(&self, view: &PartView<'_>, written: usize) {
        let documents = view.project.documents.iter().zip(&view.documents);
        for (document, shown) in documents.take(written) {
            let code = &document.source.county;
            let Some(rows) = &shown.rows else { continue };
            if regions::level_of(code) == regions::Level::County {
                continue;
            }
            let mut rates = String::new();
            let summary = &shown.summary;
            open_data::rates_rows(
                &mut rates,
                document,
                &summary.county_name,
                &summary.level,
                rows,
            );
            let mut above = lock(&self.rates_above);
            for province in self.open_data.provinces_under(code) {
                above.entry(province).or_default().push_str(&rates);
            }
        }
    }

    /// The search index's pieces of the documents this part writes, a piece per region
    /// whose documents they are.
    fn search_pieces(&self, view: &PartView<'_>, part: &Part) {
        let project = view.project;
        let mut by_region: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
        for (k, &index) in part.document_indices.iter().enumerate() {
            if let Some(document) = project.documents.get(k) {
                by_region
                    .entry(document.source.county.as_str())
                    .or_default()
                    .push((k, index));
            }
        }
        for (code, places) in by_region {
            let documents: Vec<search::PieceDocument<'_>> = places
                .iter()
                .filter_map(|&(k, _)| search_document(view, k, &self.site.words))
                .collect();
            let order = places
                .first()
                .map_or(HOME_PAGE, |&(_, index)| document_order(index));
            let (path, bytes) = self.search.piece(code, &documents);
            self.write(order, &path, &bytes);
        }
    }

    /// A document's rate tables, rendered from `rates.html` with `cx` (the site's context,
    /// kept from one document to the next); `None` when one would not render, which is
    /// reported for the page at `order` (and so for each page that asks, nothing kept).
    fn rate_tables(
        &self,
        cx: &mut Context,
        summary: &DocumentSummary,
        rows: &AudienceRows<'_>,
        order: Order,
    ) -> Option<Arc<RateTables>> {
        let words = &self.site.words;
        let mut failed = false;
        let mut table = |rows: &[&RuleRow], caption: &str| {
            if rows.is_empty() {
                return String::new();
            }
            cx.insert("rows", rows);
            cx.insert("caption", caption);
            cx.insert("region", &format!("《{}》{caption}", summary.title));
            match render(&self.site.tera, "rates.html", cx) {
                Ok(html) => String::from_utf8(html).unwrap_or_default(),
                Err(error) => {
                    self.fail(order, error);
                    failed = true;
                    String::new()
                }
            }
        };
        let tables = RateTables {
            household: table(&rows.household, words.get("county_household")),
            enterprise: table(&rows.enterprise, words.get("county_enterprise")),
            collective: table(&rows.collective, words.get("county_collective")),
        };
        (!failed).then(|| Arc::new(tables))
    }

    fn county(&self, view: &PartView<'_>, county: &County, index: usize) {
        let project = view.project;
        let code = &county.source.code;
        let mine: Vec<usize> = (0..project.documents.len())
            .filter(|&k| project.documents[k].source.county == *code)
            .collect();
        // Every document that applies here: the county's own, then its prefecture's, its
        // province's and the nation's.
        let mut applicable: Vec<usize> = (0..project.documents.len())
            .filter(|&k| county.is_covered_by(&project.documents[k].source))
            .collect();
        applicable.sort_by_key(|&k| view.documents[k].summary.level_rank);
        let documents: Vec<&DocumentSummary> = applicable
            .iter()
            .map(|&k| &view.documents[k].summary)
            .collect();
        let mut measures = Vec::new();
        let mut tables_cx = self.site.base.clone();
        for &k in &applicable {
            let document = &project.documents[k];
            let Some(rows) = &view.documents[k].rows else {
                continue;
            };
            let summary = &view.documents[k].summary;
            let rows = AudienceRows::of(rows);
            let order = county_order(index, false);
            // A document above the county is kept for the counties below; two of them may
            // render it at once, and either keeps it. One that would not render is not kept,
            // so each county's page reports it.
            let tables = if document.source.county == *code {
                self.rate_tables(&mut tables_cx, summary, &rows, order)
            } else {
                let kept = lock(&self.rate_tables_above).get(&document.dir).cloned();
                kept.or_else(|| {
                    let tables = self.rate_tables(&mut tables_cx, summary, &rows, order)?;
                    lock(&self.rate_tables_above).insert(document.dir.clone(), Arc::clone(&tables));
                    Some(tables)
                })
            };
            measures.push(Measures {
                superseded: project.successor(&document.source.id).is_some(),
                summary,
                derived: document.source.kind == DocumentKindSource::DerivedFromReport,
                tables: tables.unwrap_or_default(),
                rows: self.site.own_rate_pages.then_some(rows),
            });
        }
        // The rules of current versions first; versions replaced by a newer one apart, after.
        measures.sort_by_key(|m| m.superseded);
        let words = &self.site.words;
        let book = project.rulebooks.get(code);
        let form = book.and_then(|b| pages::estimator_form_with(b, |id| view.rows_of(id), words));
        let url = urls::county(code);
        let mut cx = self.site.context(&county.source.name, &url);
        // The regions above, from the code list, top down (陕西省西安市).
        let entry = pages::CountyEntry::of(county, mine.len());
        let above: String = entry
            .above
            .iter()
            .rev()
            .filter(|r| r.level != calculator::model::Level::Nation)
            .map(|r| r.name.as_str())
            .collect();
        let description = words.fill(
            "desc_county",
            &[
                ("county", &county.source.name),
                ("above", &above),
                ("documents", &applicable.len().to_string()),
            ],
        );
        cx.insert("description", &description);
        cx.insert("county", &county.source);
        cx.insert("above", &above_links(county));
        cx.insert("has_rules", &book.is_some_and(|b| !b.policies.is_empty()));
        cx.insert("has_estimator", &form.is_some());
        cx.insert("documents", &documents);
        cx.insert("measures", &measures);
        self.page(
            county_order(index, false),
            &urls::file_of(&url),
            "county.html",
            &cx,
        );
        // The rules as the estimator fetches them: compact, named by their content, so a phone
        // that keeps them for offline use learns of new rules from the page alone.
        let has_rules = book.is_some_and(|b| !b.policies.is_empty());
        let compact = book
            .filter(|_| has_rules)
            .map(|b| (b, calculator::compact::encode(b)));
        let compact_url = compact
            .as_ref()
            .map(|(_, bytes)| urls::county_estimator_rules(code, &short_hash(bytes)));
        if let (Some(groups), Some((book, _)), Some(rules_url)) = (form, &compact, &compact_url) {
            let title = words.fill("estimate_page_title", &[("county", &county.source.name)]);
            let url = urls::estimator(code);
            let mut cx = self.site.context(&title, &url);
            cx.insert(
                "description",
                &words.fill("desc_estimate", &[("county", &county.source.name)]),
            );
            cx.insert("county", &county.source);
            cx.insert("groups", &groups);
            cx.insert("measures", &measures);
            cx.insert("rules_url", rules_url);
            cx.insert(
                "rules_version",
                &rules_url.rsplit('.').nth(1).unwrap_or_default().to_owned(),
            );
            cx.insert("rules_date", &rules_date(book));
            cx.insert("worker_url", &urls::service_worker());
            cx.insert("clause_links", &urls::clause_pattern());
            cx.insert("shape", &self.site.shape);
            cx.insert("next_steps", &pages::estimator_next(book));
            cx.insert("wasm_url", &urls::asset(&self.site.wasm_path));
            cx.insert("glue_url", &urls::asset(&self.site.glue_path));
            cx.insert("script_url", &urls::asset(&self.site.script_path));
            // `csp_wasm` for a project's own base.html from before `csp` was given.
            cx.insert("csp_wasm", &true);
            cx.insert("csp", &serving::csp(PageKind::Estimator, Delivery::Meta));
            self.page(
                county_order(index, true),
                &urls::file_of(&url),
                "estimate.html",
                &cx,
            );
        }

        // Open data: the county's compiled rules, as the estimator loads them, its share of
        // every county's rulebooks, and its rows of every rule's standard.
        let order = county_order(index, false);
        if let Some((book, bytes)) = &compact {
            let json = open_data::rulebook_json(book, &view.json);
            self.write(
                order,
                &urls::file_of(&urls::county_rules(code)),
                json.as_bytes(),
            );
            if let Some(url) = &compact_url {
                self.write(order, &urls::file_of(url), bytes);
            }
        }
        let mut rates = String::new();
        for &k in &mine {
            if let Some(rows) = &view.documents[k].rows {
                let summary = &view.documents[k].summary;
                let (name, level) = (&county.source.name, &summary.level);
                open_data::rates_rows(&mut rates, &project.documents[k], name, level, rows);
            }
        }
        let book = book.filter(|_| has_rules);
        if let Err(error) = self.open_data.county(code, book, &view.json, rates) {
            self.fail_output(order, error);
        }

        // Its share of the comparison: its cells are written now (or kept, when the
        // comparison is rendered whole), the rest is kept for the page's frame.
        let share =
            book.and_then(|b| compare::county_share(&self.plan, county, b, |id| view.rows_of(id)));
        // Above WHOLE_COUNTIES the share goes to its prefecture's pages, rendered when the
        // prefecture's last county is in; else it waits for the one comparison page.
        let (cells, margins) = match (&self.by_region, share) {
            (Some(by_region), share) => {
                let done = RegionOf::of(county).and_then(|r| by_region.add(code, &r, share));
                if let Some(done) = done {
                    self.compare_region(done);
                }
                (None, None)
            }
            (None, Some(share)) => {
                let (cells, margins) = share.split();
                (Some(cells), Some(margins))
            }
            (None, None) => (None, None),
        };
        let cells = match &self.cells {
            Some(sinks) => {
                self.write_cells(sinks, index, margins.as_ref(), cells.as_deref());
                None
            }
            None => cells,
        };
        lock(&self.counties).push(CountyOut {
            index,
            entry,
            has_rules,
            margins,
            cells,
        });
    }

    /// A county's cells of every item of the comparison, rendered with `compare_cells.html`
    /// as the whole page would render them; nothing for a county without a column.
    fn write_cells(
        &self,
        sinks: &Cells,
        index: usize,
        margins: Option<&compare::Margins>,
        cells: Option<&[Vec<RuleRow>]>,
    ) {
        let mut cx = self.site.context(self.site.compare_title(), urls::COMPARE);
        if let Some(margins) = margins {
            cx.insert("comparison", &json!({ "columns": [&margins.column] }));
        }
        for (item, sink) in sinks.sinks.iter().enumerate() {
            let piece = match (margins, cells.and_then(|c| c.get(item))) {
                (Some(_), Some(cell)) => {
                    cx.insert("row", &json!({ "cells": [cell] }));
                    match render(&self.site.tera, "compare_cells.html", &cx) {
                        Ok(html) => html,
                        Err(error) => {
                            self.fail(COMPARE_PAGE, error);
                            Vec::new()
                        }
                    }
                }
                _ => Vec::new(),
            };
            if let Err(error) = sink.put(index, piece) {
                self.fail_output(COMPARE_PAGE, output_io(&sinks.paths[item], error));
            }
        }
    }

    fn document(&self, view: &PartView<'_>, k: usize, index: usize) {
        let project = view.project;
        let Some(document) = project.documents.get(k) else {
            return;
        };
        let id = &document.source.id;
        let url = urls::policy(id);
        let mut cx = self.site.context(&document.source.title, &url);
        policy_page(
            &mut cx,
            document,
            view,
            k,
            &self.site.words,
            self.site.own_policy_page,
        );
        let order = document_order(index);
        self.page(order, &urls::file_of(&url), "policy.html", &cx);
        self.write(
            order,
            &urls::file_of(&urls::policy_yaml(id)),
            document.file.text.as_bytes(),
        );
        if let Some(policy) = &document.compiled {
            // Compact, like the county files that hold the same rules: pretty printing
            // doubled the national build's 30,000 of these (960 MB); its YAML is for reading.
            let json = view.json.text(policy).unwrap_or_default();
            self.write(
                order,
                &urls::file_of(&urls::policy_rules(id)),
                json.as_bytes(),
            );
        }
        let meta = &document.source.metadata;
        lock(&self.documents).push(DocumentOut {
            index,
            summary: view.documents[k].summary.clone(),
            lastmod: meta.published.clone().or(meta.written.clone()),
        });
    }

    /// A prefecture's comparison: its page (the reference households in each county, the
    /// items) and a page per item, with the stylesheet of their county picker.
    fn compare_region(&self, done: RegionShares) {
        let RegionShares { region, shares } = done;
        if shares.is_empty() {
            return;
        }
        let words = &self.site.words;
        let compare::Comparison {
            columns,
            rows,
            households,
        } = compare::assemble(&self.plan, shares);
        let codes: Vec<&str> = columns.iter().map(|c| c.code.as_str()).collect();
        let pick_css = compare_regions::pick_css_url(&region.code);
        self.write(
            COMPARE_PAGE,
            &urls::file_of(&pick_css),
            compare_regions::pick_css(&codes).as_bytes(),
        );
        let items: Vec<serde_json::Value> = rows
            .iter()
            .zip(&self.item_slugs)
            .map(|(row, slug)| {
                json!({
                    "label": row.label,
                    "url": compare_regions::item_url(&region.code, slug),
                    "counties": row.cells.iter().filter(|c| !c.is_empty()).count(),
                })
            })
            .collect();
        let url = compare_regions::region_url(&region.code);
        let place = json!({
            "code": region.code,
            "name": region.name,
            "url": url,
            "province": region.province_name,
            "province_url": urls::region(&region.province),
        });
        let pick_script = urls::asset(&self.site.pick_script_path);
        // What the prefecture's page and its item pages share.
        let context = |title: &str, url: &str| {
            let mut cx = self.site.context(title, url);
            cx.insert("description", title);
            cx.insert("region", &place);
            cx.insert("items", &items);
            cx.insert("pick_css", &pick_css);
            cx.insert("pick_script_url", &pick_script);
            cx
        };
        let title = words.fill("compare_region_title", &[("region", &region.name)]);
        let mut cx = context(&title, &url);
        cx.insert(
            "comparison",
            &json!({ "columns": columns, "households": households }),
        );
        self.page(
            COMPARE_PAGE,
            &urls::file_of(&url),
            "compare_region.html",
            &cx,
        );
        for (row, slug) in rows.into_iter().zip(&self.item_slugs) {
            let url = compare_regions::item_url(&region.code, slug);
            let title = words.fill(
                "compare_item_title",
                &[("region", &region.name), ("item", &row.label)],
            );
            let mut cx = context(&title, &url);
            cx.insert("comparison", &json!({ "columns": columns }));
            cx.insert("row", &row);
            self.page(COMPARE_PAGE, &urls::file_of(&url), "compare_item.html", &cx);
        }
        lock(&self.compared).push((region, columns.len()));
    }

    /// `/compare/` above [`compare_regions::WHOLE_COUNTIES`]: the prefectures compared, under
    /// their provinces.
    fn compare_index(&self) {
        let mut compared = std::mem::take(&mut *lock(&self.compared));
        compared.sort_by(|a, b| a.0.code.cmp(&b.0.code));
        let mut provinces: Vec<serde_json::Value> = Vec::new();
        for (region, counties) in &compared {
            let link = json!({
                "url": compare_regions::region_url(&region.code),
                "name": region.name,
                "counties": counties,
            });
            match provinces.last_mut() {
                Some(last) if last["code"] == region.province.as_str() => {
                    if let Some(list) = last["regions"].as_array_mut() {
                        list.push(link);
                    }
                }
                _ => provinces.push(json!({
                    "code": region.province,
                    "name": region.province_name,
                    "regions": [link],
                })),
            }
        }
        let mut cx = self.site.context(self.site.compare_title(), urls::COMPARE);
        cx.insert("description", self.site.words.get("desc_compare"));
        cx.insert("provinces", &provinces);
        cx.insert("items", &self.plan.labels().collect::<Vec<_>>());
        self.page(
            COMPARE_PAGE,
            &urls::file_of(urls::COMPARE),
            "compare_index.html",
            &cx,
        );
    }

    /// The comparison: its frame rendered from every county's margins, each item's cells
    /// written where its placeholder stands; or, with a project's own compare templates, the
    /// whole comparison rendered at once.
    fn compare_page(&self, counties: &mut [CountyOut], cells: Option<Vec<PathBuf>>) {
        let path = urls::file_of(urls::COMPARE);
        let mut cx = self.site.context(self.site.compare_title(), urls::COMPARE);
        cx.insert("description", self.site.words.get("desc_compare"));
        let (tera, cells) = match (&self.site.frame, cells) {
            (Some(frame), Some(cells)) => {
                let margins = counties
                    .iter_mut()
                    .filter_map(|c| c.margins.take())
                    .collect();
                cx.insert("comparison", &compare::frame(&self.plan, margins));
                (frame, Some(cells))
            }
            _ => {
                // Only counties with policies have a share (a column).
                let shares = counties
                    .iter_mut()
                    .filter_map(|c| {
                        let m = c.margins.take()?;
                        Some(compare::CountyShare {
                            column: m.column,
                            cells: c.cells.take().unwrap_or_default(),
                            rates: m.rates,
                            totals: m.totals,
                        })
                    })
                    .collect();
                cx.insert("comparison", &compare::assemble(&self.plan, shares));
                (&self.site.tera, None)
            }
        };
        let mut file = match self.staging.create(&path) {
            Ok(file) => file,
            Err(error) => return self.fail_output(COMPARE_PAGE, error),
        };
        let mut scanner = Scanner::new();
        let written = match cells {
            None => {
                let mut out = Scanning {
                    out: &mut file,
                    scanner: &mut scanner,
                };
                match tera.render_to("compare.html", &cx, &mut out) {
                    Ok(()) => Ok(()),
                    Err(error) => {
                        return self.fail(COMPARE_PAGE, template_error("compare.html", &error))
                    }
                }
            }
            Some(cells) => {
                let frame = match render(tera, "compare.html", &cx) {
                    Ok(frame) => frame,
                    Err(error) => return self.fail(COMPARE_PAGE, error),
                };
                let mut out = Scanning {
                    out: &mut file,
                    scanner: &mut scanner,
                };
                splice(&frame, &cells, &mut out)
            }
        };
        if let Err(error) = written {
            let path = file.path().to_path_buf();
            return self.fail_output(COMPARE_PAGE, output_io(&path, error));
        }
        if let Err(error) = file.finish() {
            return self.fail_output(COMPARE_PAGE, error);
        }
        self.links.add(&path, scanner.finish());
    }
}

/// The comparison's frame with each item's placeholder replaced by the item's cells (read
/// from `cells`, a file per item).
fn splice(frame: &[u8], cells: &[PathBuf], out: &mut impl Write) -> std::io::Result<()> {
    let mut rest = frame;
    for (item, path) in cells.iter().enumerate() {
        let placeholder = compare::placeholder(item);
        let Some(at) = memchr::memmem::find(rest, placeholder.as_bytes()) else {
            return Err(std::io::Error::other(format!(
                "compare.html: the cells of item {item} have no place"
            )));
        };
        out.write_all(&rest[..at])?;
        std::io::copy(&mut File::open(path)?, out)?;
        rest = &rest[at + placeholder.len()..];
    }
    out.write_all(rest)
}

/// Writes a page and reads its ids and links on the way.
struct Scanning<'w, W: Write> {
    out: &'w mut W,
    scanner: &'w mut Scanner,
}

impl<W: Write> Write for Scanning<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(buf)?;
        self.scanner.feed(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn output_io(path: &Path, source: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A policy page's context. `own_policy_page`: the project's `policy.html` may read all of
/// `document`, else it has what the built-in one reads.
fn policy_page(
    cx: &mut Context,
    document: &Document,
    view: &PartView<'_>,
    k: usize,
    words: &Words,
    own_policy_page: bool,
) {
    let project = view.project;
    let no_rows = Vec::new();
    let rows = view.documents[k].rows.as_ref().unwrap_or(&no_rows);
    let examples = match &document.compiled {
        Some(_) => pages::examples(document, words),
        None => Vec::new(),
    };
    // Beside each clause: the rules it defines, linking to their row in the rules table.
    let mut asides: BTreeMap<&str, Vec<&RuleRow>> = BTreeMap::new();
    for row in rows {
        asides.entry(row.clause.as_str()).or_default().push(row);
    }
    let asides: Asides = asides
        .into_iter()
        .map(|(clause, rows)| {
            let items: Vec<String> = rows
                .iter()
                .map(|r| {
                    format!(
                        r##"<li><a href="#rule-{}">{}</a>：{}</li>"##,
                        escape_html(&r.id),
                        escape_html(&r.label),
                        escape_html(&r.standard)
                    )
                })
                .collect();
            (
                clause.to_owned(),
                format!(
                    r#"<aside class="clause-rules" aria-label="{}"><ul>{}</ul></aside>"#,
                    escape_html(&words.fill("clause_rules_label", &[("clause", clause)])),
                    items.join("")
                ),
            )
        })
        .collect();
    let rendered = markdown::render(
        &document.text,
        &asides,
        Headings::InSection,
        words.get("permalink_label"),
    );
    let derived_from = document
        .source
        .text_from
        .as_ref()
        .and_then(|id| view.by_id.get(id.as_str()))
        .map(|&j| &view.documents[j].summary);
    let derived: Vec<&DocumentSummary> = project
        .documents
        .iter()
        .zip(&view.documents)
        .filter(|(d, _)| d.source.text_from.as_ref() == Some(&document.source.id))
        .map(|(_, v)| &v.summary)
        .collect();
    let county = project.county(&document.source.county).map(|c| &c.source);
    // A prefecture's or province's document sits under its region's page.
    let region = project.region(&document.source.county).map(|c| &c.source);
    cx.insert("region", &region);
    let summary = &view.documents[k].summary;
    let issuer = document
        .source
        .metadata
        .issuer
        .as_deref()
        .unwrap_or(words.get("not_stated"));
    let description = if document.source.kind == DocumentKindSource::Report {
        words.fill(
            "desc_report",
            &[("title", &document.source.title), ("issuer", issuer)],
        )
    } else {
        words.fill(
            "desc_policy",
            &[
                ("title", &document.source.title),
                ("issuer", issuer),
                ("period", &summary.period),
            ],
        )
    };
    cx.insert("description", &description);
    if own_policy_page {
        cx.insert("document", &document.source);
    } else {
        cx.insert("document", &pages::DocumentHead::of(&document.source));
    }
    cx.insert(
        "versions",
        &crate::versions::versions(document, rows, project, words),
    );
    cx.insert("summary", &view.documents[k].summary);
    cx.insert("county", &county);
    cx.insert("kind", &pages::kind_label(document.source.kind, words));
    cx.insert(
        "is_report",
        &(document.source.kind == DocumentKindSource::Report),
    );
    cx.insert(
        "is_derived",
        &(document.source.kind == DocumentKindSource::DerivedFromReport),
    );
    cx.insert("derived_from", &derived_from);
    cx.insert("derived", &derived);
    cx.insert("text", &rendered.html);
    cx.insert("toc", &rendered.toc);
    cx.insert("rules", rows);
    cx.insert("examples", &examples);
    cx.insert(
        "apply",
        &pages::apply_sections(document, county.and_then(|c| c.office.as_deref())),
    );
    cx.insert("has_rules_json", &document.compiled.is_some());
    cx.insert(
        "clause_base",
        &urls::policy(
            document
                .source
                .text_from
                .as_ref()
                .unwrap_or(&document.source.id),
        ),
    );
}

/// The regions above a county from the top down, the nation left out, for its breadcrumbs.
/// A document as the search index holds it: its summary, text, rules and filters' values.
fn search_document<'v>(
    view: &'v PartView<'_>,
    k: usize,
    words: &Words,
) -> Option<search::PieceDocument<'v>> {
    let project = view.project;
    let document = project.documents.get(k)?;
    let shown = view.documents.get(k)?;
    let summary = &shown.summary;
    let mut facets = search::Facets {
        level: summary.level.clone(),
        status: summary.status.clone(),
        year: summary.sort_date.chars().take(4).collect(),
        genre: document.source.metadata.genre.trim().to_owned(),
        ..search::Facets::default()
    };
    if facets.genre.is_empty() {
        facets.genre = words.get("search_genre_none").to_owned();
    }
    let mut fact_labels = HashMap::new();
    if let Some(policy) = &document.compiled {
        for rule in &policy.rules {
            facets.audiences.insert(search::audience_id(rule.audience));
            let mut labels = Vec::new();
            for fact in rule.facts_read() {
                let Some(def) = project.facts.facts.get(fact) else {
                    continue;
                };
                if matches!(
                    def.group,
                    FactGroup::Planting | FactGroup::Livestock | FactGroup::Other
                ) {
                    facets.items.insert(def.id.clone(), def.label.clone());
                    labels.push(def.label.clone());
                }
            }
            fact_labels.insert(rule.id.clone(), labels.join(" "));
        }
    }
    Some(search::PieceDocument {
        summary,
        document,
        rows: shown.rows.as_deref(),
        facets,
        fact_labels,
    })
}

/// Every region of the site for the search's filters and for finding a region by name: the
/// counties and the prefectures and provinces above them, in code order, each with its
/// parent's place.
fn search_regions(counties: &[CountyOut]) -> Vec<search::RegionRow> {
    let mut regions: BTreeMap<String, (String, u8, Option<String>)> = BTreeMap::new();
    for county in counties {
        let entry = &county.entry;
        let above: Vec<&calculator::model::RegionRef> = entry
            .above
            .iter()
            .filter(|r| r.level != calculator::model::Level::Nation)
            .collect();
        regions.insert(
            entry.code.clone(),
            (
                entry.name.clone(),
                regions::level_of(&entry.code) as u8,
                above.first().map(|r| r.code.clone()),
            ),
        );
        for (n, region) in above.iter().enumerate() {
            regions.entry(region.code.clone()).or_insert_with(|| {
                (
                    region.name.clone(),
                    regions::level_of(&region.code) as u8,
                    above.get(n + 1).map(|r| r.code.clone()),
                )
            });
        }
    }
    let place: HashMap<&String, usize> = regions.keys().enumerate().map(|(i, c)| (c, i)).collect();
    regions
        .iter()
        .map(|(code, (name, level, parent))| {
            let parent = parent
                .as_ref()
                .and_then(|p| place.get(p))
                .map_or(-1, |&i| i64::try_from(i).unwrap_or(-1));
            (code.clone(), name.clone(), *level, parent)
        })
        .collect()
}

/// The words of the search filters' values that are not words already.
fn search_labels(words: &Words) -> BTreeMap<String, String> {
    [
        ("audience:household", "search_audience_household"),
        ("audience:enterprise", "search_audience_enterprise"),
        ("audience:collective", "search_audience_collective"),
    ]
    .into_iter()
    .map(|(key, word)| (key.to_owned(), words.get(word).to_owned()))
    .collect()
}

fn above_links(county: &County) -> Vec<serde_json::Value> {
    county
        .above
        .iter()
        .rev()
        .filter(|r| r.level != calculator::model::Level::Nation)
        .map(|r| json!({ "code": r.code, "name": r.name, "url": urls::region(&r.code) }))
        .collect()
}

/// Check the whole project without rendering it: the build stopped for another reason, but
/// problems in the policies are reported first.
fn check_only(parts: &Parts) -> Result<(), BuildError> {
    (0..parts.counties()).into_par_iter().for_each(|i| {
        parts.county(i);
    });
    parts.rest();
    parts.regional();
    parts.finish().map_err(BuildError::Check)
}

/// Load, check, render, check links, write. `out` is replaced only when all of it succeeded.
pub fn build(
    root: &Path,
    out: &Path,
    theme: &Theme,
    estimator: EstimatorAssets<'_>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let parts = Parts::open(root).map_err(BuildError::Check)?;
    let site = match Site::prepare(root, theme, estimator) {
        Ok(site) => site,
        Err(error) => {
            check_only(&parts)?;
            return Err(error);
        }
    };
    let staging = match Staging::new(out) {
        Ok(staging) => staging,
        Err(error) => {
            check_only(&parts)?;
            return Err(error.into());
        }
    };
    let run = match Run::new(&site, &staging, &parts) {
        Ok(run) => run,
        Err(error) => {
            check_only(&parts)?;
            return Err(error.into());
        }
    };

    // Every county on every core, each thread taking the next county, so that pieces of the
    // open data come nearly in order; a county's pages are written as they are made. The
    // site's own files are a task of their own, spawned first so that another thread picks
    // it up at once: compressing the estimator's wasm takes about a second, which the other
    // cores spend on counties meanwhile.
    let next = AtomicUsize::new(0);
    rayon::scope(|scope| {
        scope.spawn(|_| {
            for (path, bytes) in &site.assets {
                // The picker's script serves only the comparison by prefecture.
                if *path == site.pick_script_path && run.by_region.is_none() {
                    continue;
                }
                run.write(HOME_PAGE, path, bytes);
            }
            for (name, text) in policy::schema::all() {
                run.write(HOME_PAGE, &format!("data/schema/{name}"), text.as_bytes());
            }
            let facts = serde_json::to_string_pretty(parts.facts()).unwrap_or_default();
            run.write(HOME_PAGE, "data/facts.json", facts.as_bytes());
        });
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= parts.counties() {
                    break;
                }
                if let Some(part) = parts.county(i) {
                    run.part(&part);
                }
            });
        }
    });
    // Then the counties whose documents refer to one another, together; then the documents
    // of the regions above counties, whose pages are written once.
    if let Some(part) = parts.rest() {
        run.part(&part);
    }
    if let Some(part) = parts.regional() {
        run.part(&part);
    }
    parts.finish().map_err(BuildError::Check)?;
    let mut counties = std::mem::take(&mut *lock(&run.counties));
    counties.sort_by_key(|c| c.index);
    let mut documents = std::mem::take(&mut *lock(&run.documents));
    documents.sort_by_key(|d| d.index);
    let report = run.finish_site(&staging, counties, documents)?;
    staging.commit()?;
    Ok(BuildReport {
        seconds: started.elapsed().as_secs_f64(),
        ..report
    })
}

impl Run<'_> {
    /// The open data's big files, the site-wide pages, the link check and the swap.
    fn finish_site(
        self,
        staging: &Staging,
        mut counties: Vec<CountyOut>,
        documents: Vec<DocumentOut>,
    ) -> Result<BuildReport, BuildError> {
        let site = self.site;
        let summaries: Vec<&DocumentSummary> = documents.iter().map(|d| &d.summary).collect();

        // Home.
        let mut recent = summaries.clone();
        recent.sort_by(|a, b| b.sort_date.cmp(&a.sort_date).then(a.id.cmp(&b.id)));
        recent.truncate(10);
        // The regions above counties: a page each, and the provinces on the home page.
        let entries: Vec<pages::CountyEntry> = counties.iter().map(|c| c.entry.clone()).collect();
        let regional: Vec<DocumentSummary> = summaries
            .iter()
            .filter(|s| s.level_rank > 0)
            .map(|&s| s.clone())
            .collect();
        let region_pages = region_pages::region_pages(&entries, &regional, &site.words);
        for (i, page) in region_pages.iter().enumerate() {
            let url = urls::region(&page.code);
            let mut cx = site.context(&page.name, &url);
            let description = site.words.fill(
                "desc_region",
                &[
                    ("region", &page.name),
                    ("level", &page.level),
                    ("own", &page.documents.len().to_string()),
                    ("below", &page.below.len().to_string()),
                ],
            );
            cx.insert("description", &description);
            cx.insert("region", page);
            self.page(region_order(i), &urls::file_of(&url), "region.html", &cx);
        }
        let mut cx = site.context(&site.config.title, urls::HOME);
        cx.insert("provinces", &region_pages::provinces(&region_pages));
        // A county's or a province's office lists every county at once; the nation does not.
        if entries.len() <= HOME_TREE_COUNTIES {
            cx.insert("regions", &pages::regions_of(entries));
        }
        cx.insert("recent", &recent);
        cx.insert(
            "content_pages",
            &site
                .pages
                .iter()
                .map(|p| json!({"slug": p.slug, "title": p.title}))
                .collect::<Vec<_>>(),
        );
        self.page(HOME_PAGE, &urls::file_of(urls::HOME), "home.html", &cx);

        // Each item's cells, complete, for the comparison.
        let mut run = self;
        let cells = match run.cells.take().map(Cells::finish).transpose() {
            Ok(cells) => cells,
            Err(error) => {
                run.fail_output(COMPARE_PAGE, error);
                None
            }
        };
        if run.by_region.is_some() {
            run.compare_index();
        } else {
            run.compare_page(&mut counties, cells);
        }
        let this = run;

        // Content pages; the open-data text introduces /data/.
        for (i, page) in site.pages.iter().enumerate() {
            let rendered = markdown::render(
                &page.markdown,
                &Asides::new(),
                Headings::Page,
                site.words.get("permalink_label"),
            );
            let (url, template) = if page.slug == "open-data" {
                (urls::DATA.to_owned(), "data.html")
            } else {
                (urls::content_page(&page.slug), "page.html")
            };
            let mut cx = site.context(&page.title, &url);
            let description = markdown::first_paragraph(&page.markdown, 150);
            if !description.is_empty() {
                cx.insert("description", &description);
            }
            cx.insert("body", &rendered.html);
            cx.insert("toc", &rendered.toc);
            if template == "data.html" {
                // A province's project lists every county's and document's downloads here;
                // a national one leads through the provinces to the county pages, which
                // link their own. Every project has a file per province.
                if counties.len() <= HOME_TREE_COUNTIES {
                    cx.insert("documents", &summaries);
                    let with_rules: Vec<serde_json::Value> = counties
                        .iter()
                        .filter(|c| c.has_rules)
                        .map(|c| json!({ "code": c.entry.code, "name": c.entry.name }))
                        .collect();
                    cx.insert("counties", &with_rules);
                }
                let provinces: Vec<serde_json::Value> = region_pages::provinces(&region_pages)
                    .into_iter()
                    .map(|p| {
                        json!({
                            "rules": open_data::province_json(&p.code),
                            "rates": open_data::province_csv(&p.code),
                            "code": p.code,
                            "name": p.name,
                            "url": p.url,
                            "counties": p.counties,
                            "documents": p.documents,
                        })
                    })
                    .collect();
                cx.insert("provinces", &provinces);
            }
            this.page(content_order(i), &urls::file_of(&url), template, &cx);
        }
        // Search: the page; its index once every piece is in.
        let mut cx = site.context(site.words.get("search_title"), urls::SEARCH);
        cx.insert(
            "description",
            &site
                .words
                .fill("desc_search", &[("site", &site.config.title)]),
        );
        cx.insert("search_script_url", &urls::asset(&site.search_script_path));
        cx.insert("search_index_url", &urls::asset(search::INDEX_JSON));
        this.page(
            SEARCH_PAGE,
            &urls::file_of(urls::SEARCH),
            "search.html",
            &cx,
        );

        let mut cx = site.context(site.words.get("not_found_title"), urls::NOT_FOUND);
        cx.insert(
            "description",
            &site
                .words
                .fill("desc_not_found", &[("site", &site.config.title)]),
        );
        this.page(
            NOT_FOUND_PAGE,
            &urls::file_of(urls::NOT_FOUND),
            "404.html",
            &cx,
        );

        // The open data written a county at a time, completed.
        let Run {
            open_data,
            rates_above,
            links,
            failures,
            search,
            ..
        } = this;
        let mut failures = failures
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut output = |result: Result<(), OutputError>| {
            if let Err(error) = result {
                if failures.output.is_none() {
                    failures.output = Some((HOME_PAGE, error));
                }
            }
        };
        let rates_above = rates_above
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        output(open_data.finish(&rates_above));
        let index: Vec<(&pages::CountyEntry, bool)> =
            counties.iter().map(|c| (&c.entry, c.has_rules)).collect();
        output(staging.write(
            &urls::file_of(open_data::INDEX_JSON),
            &open_data::index(&index),
        ));
        for (path, bytes) in search.finish(&search_regions(&counties), &search_labels(&site.words))
        {
            output(staging.write(&path, &bytes));
        }

        // Sitemap, feed and robots.txt are templates too; the sitemap lists what was written.
        let lastmod: HashMap<&str, &Option<String>> = documents
            .iter()
            .map(|d| (d.summary.id.as_str(), &d.lastmod))
            .collect();
        let paths = staging.paths();
        let sitemap: Vec<serde_json::Value> = paths
            .iter()
            .filter(|p| p.ends_with("index.html"))
            .map(|path| {
                let lastmod = path
                    .strip_prefix("policies/")
                    .and_then(|rest| rest.split('/').next())
                    .and_then(|id| lastmod.get(id))
                    .and_then(|m| m.as_ref());
                json!({ "path": urls::page_of(path), "lastmod": lastmod })
            })
            .collect();
        let pages = paths.iter().filter(|p| p.ends_with(".html")).count();
        drop(paths);
        let mut rest = Vec::new();
        // The sitemaps protocol allows 50,000 URLs a file: past that, files of that many and
        // an index naming them.
        if sitemap.len() <= SITEMAP_URLS {
            let mut cx = site.context("sitemap", "/sitemap.xml");
            cx.insert("urls", &sitemap);
            rest.push((
                SITEMAP,
                "sitemap.xml".to_owned(),
                render(&site.tera, "sitemap.xml", &cx),
            ));
        } else {
            let (index, paths) = sitemap_index(&site.config.base_url, sitemap.len());
            for (chunk, path) in sitemap.chunks(SITEMAP_URLS).zip(paths) {
                let mut cx = site.context("sitemap", &format!("/{path}"));
                cx.insert("urls", chunk);
                rest.push((SITEMAP, path, render(&site.tera, "sitemap.xml", &cx)));
            }
            rest.push((SITEMAP, "sitemap.xml".to_owned(), Ok(index.into_bytes())));
        }
        drop(sitemap);
        let (entries, updated) = feed_entries(&summaries);
        let mut cx = site.context("feed", "/feed.xml");
        cx.insert("entries", &entries);
        cx.insert("updated", &updated);
        rest.push((
            FEED,
            "feed.xml".to_owned(),
            render(&site.tera, "feed.xml", &cx),
        ));
        drop(cx);
        let cx = site.context("robots", "/robots.txt");
        rest.push((
            ROBOTS,
            "robots.txt".to_owned(),
            render(&site.tera, "robots.txt", &cx),
        ));
        for (order, path, result) in rest {
            match result {
                Ok(text) => {
                    if let Err(error) = staging.write(&path, &text) {
                        if failures.output.as_ref().is_none_or(|(o, _)| order < *o) {
                            failures.output = Some((order, error));
                        }
                    }
                }
                Err(error) => {
                    if failures.render.as_ref().is_none_or(|(o, _)| order < *o) {
                        failures.render = Some((order, error));
                    }
                }
            }
        }

        if let Some((_, error)) = failures.render {
            return Err(error);
        }
        let broken = links.check(|path| staging.contains(path));
        if !broken.is_empty() {
            return Err(BuildError::Links(broken));
        }
        if let Some((_, error)) = failures.output {
            return Err(BuildError::Output(error));
        }
        Ok(BuildReport {
            pages,
            files: staging.len(),
            bytes: staging.total_bytes(),
            seconds: 0.0,
            swept: staging.swept(),
        })
    }
}

/// Write the pieces still waiting and `end`, and close the file.
/// FNV-1a, 64 bits: stable across Rust versions and platforms, enough to bust caches.
/// The day the newest of a county's policies took effect, as the estimator page names its
/// rules (`2017年11月13日`).
fn rules_date(book: &calculator::Rulebook) -> String {
    book.policies
        .iter()
        .map(|p| p.period.from)
        .max()
        .map(estimate_view::explain::date_text)
        .unwrap_or_default()
}

fn short_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
}

/// `| xml` in the XML templates.
fn xml_filter(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> String {
    match value.as_str() {
        Some(text) => escape_html(text),
        None => escape_html(&value.to_string()),
    }
}

/// The feed's entries, newest first, and its `updated`: the newest document's date, never
/// the build time.
/// The most URLs one sitemap file may hold (the sitemaps protocol's limit).
const SITEMAP_URLS: usize = 50_000;

/// The sitemap index for `urls` URLs, and the files it names, each holding up to
/// [`SITEMAP_URLS`] of them in order.
fn sitemap_index(base_url: &str, urls: usize) -> (String, Vec<String>) {
    let files = urls.div_ceil(SITEMAP_URLS);
    let paths: Vec<String> = (1..=files)
        .map(|i| format!("sitemaps/sitemap-{i}.xml"))
        .collect();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in &paths {
        index.push_str(&format!(
            "  <sitemap><loc>{}/{path}</loc></sitemap>\n",
            escape_html(base_url)
        ));
    }
    index.push_str("</sitemapindex>\n");
    (index, paths)
}

/// How many of the latest documents the feed carries: readers follow what is new, and a
/// national project has tens of thousands.
const FEED_ENTRIES: usize = 50;

/// The feed's entries, newest first, and the date of the newest.
fn feed_entries<'s>(summaries: &[&'s DocumentSummary]) -> (Vec<&'s DocumentSummary>, String) {
    let mut entries: Vec<&DocumentSummary> = summaries.to_vec();
    entries.sort_by(|a, b| b.sort_date.cmp(&a.sort_date).then(a.id.cmp(&b.id)));
    entries.truncate(FEED_ENTRIES);
    let updated = entries
        .first()
        .map_or("2017-01-01".to_string(), |e| e.sort_date.clone());
    (entries, updated)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_big_sitemap_is_an_index_of_files_within_the_limit() {
        let (index, paths) = sitemap_index("https://example.org", 2 * SITEMAP_URLS + 1);
        assert_eq!(paths.len(), 3);
        assert!(index.contains("<loc>https://example.org/sitemaps/sitemap-3.xml</loc>"));
        assert!(index.starts_with("<?xml") && index.contains("<sitemapindex"));
    }
}
