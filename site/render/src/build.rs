//! `portal build`: load and check the project, render every page in parallel, check every
//! internal link, and swap the new site in atomically. The output depends only on the input:
//! no clock, stable ordering, so two builds are byte-identical.

use crate::compare::{compare, CompareConfig};
use crate::content;
use crate::links::{self, BrokenLink};
use crate::markdown::{self, escape_html, Asides, Headings};
use crate::output::{write_atomically, OutputError, SiteFiles};
use crate::pages::{self, DocumentSummary, RuleRow};
use crate::theme::Theme;
use crate::urls;
use crate::words::Words;
use calculator::Audience;
use policy::diagnostic::{Diagnostic, Diagnostics};
use policy::load::{load, Document, Project};
use policy::messages::{Key, Lang, Msg};
use policy::source::DocumentKindSource;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
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
            BuildError::Template { template, message } => Msg::new(Key::BuildTemplate)
                .arg("template", template.as_str())
                .arg("error", message.as_str()),
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

fn templates(theme: &Theme) -> Result<Tera, BuildError> {
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
    let mut tera = Tera::default();
    // XML and text templates escape with the `xml` filter where they need to: Tera's HTML
    // escaping would also turn every `/` of a URL into `&#x2F;`.
    tera.autoescape_on(vec![".html"]);
    tera.register_filter("xml", xml_filter);
    urls::register(&mut tera);
    tera.add_raw_templates(sources)
        .map_err(|e| BuildError::Template {
            template: "templates/".into(),
            message: error_chain(&e),
        })?;
    Ok(tera)
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

/// Everything the templates share.
struct Shared {
    strings: BTreeMap<String, String>,
    config: SiteConfig,
    css: String,
}

impl Shared {
    fn context(&self, title: &str, path: &str) -> Context {
        let mut cx = Context::new();
        cx.insert("t", &self.strings);
        cx.insert("site", &self.config);
        cx.insert("css", &self.css);
        cx.insert("page_title", title);
        cx.insert("path", path);
        cx
    }
}

fn render(tera: &Tera, template: &str, cx: &Context) -> Result<String, BuildError> {
    tera.render(template, cx).map_err(|e| BuildError::Template {
        template: template.into(),
        message: error_chain(&e),
    })
}

/// A page to render: output path, template, context.
type Job = (String, &'static str, Context);

/// Render the whole site in memory.
pub fn render_site(
    project: &Project,
    root: &Path,
    theme: &Theme,
    estimator: EstimatorAssets<'_>,
) -> Result<SiteFiles, BuildError> {
    let tera = templates(theme)?;
    let strings: BTreeMap<String, String> = parse_yaml(
        "templates/strings.zh-CN.yaml",
        String::from_utf8_lossy(theme_file(theme, "strings.zh-CN.yaml")?).into_owned(),
    )?;
    let words = &Words::new(strings.clone());
    let config: SiteConfig = read_yaml(root, "content/site.yaml")?;
    let compare_config: CompareConfig = read_yaml(root, "content/compare.yaml")?;
    let pages = content::load(root).map_err(BuildError::Content)?;
    let mut files = SiteFiles::default();

    // Static assets, content-addressed so they can be cached for ever.
    let css = theme_file(theme, "static/site.css")?;
    let css_path = format!("assets/site.{}.css", short_hash(css));
    files.add(css_path.clone(), css.to_vec())?;
    // The estimator: the engine as WebAssembly, its glue and the page's script, all hashed.
    let wasm_path = format!("assets/estimator.{}.wasm", short_hash(estimator.wasm));
    let glue_path = format!("assets/estimator-glue.{}.js", short_hash(estimator.glue));
    let script = theme_file(theme, "static/estimator.js")?;
    let script_path = format!("assets/estimator.{}.js", short_hash(script));
    files.add(wasm_path.clone(), estimator.wasm.to_vec())?;
    files.add(glue_path.clone(), estimator.glue.to_vec())?;
    files.add(script_path.clone(), script.to_vec())?;
    let shared = Shared {
        strings,
        config,
        css: urls::asset(&css_path),
    };

    let summaries: Vec<DocumentSummary> = project
        .documents
        .iter()
        .map(|d| pages::summary(d, project, words))
        .collect();
    let mut jobs: Vec<Job> = Vec::new();

    // Home.
    let mut recent = summaries.clone();
    recent.sort_by(|a, b| b.sort_date.cmp(&a.sort_date).then(a.id.cmp(&b.id)));
    recent.truncate(10);
    let mut cx = shared.context(&shared.config.title, urls::HOME);
    cx.insert("regions", &pages::regions(project));
    cx.insert("recent", &recent);
    cx.insert(
        "content_pages",
        &pages
            .iter()
            .map(|p| json!({"slug": p.slug, "title": p.title}))
            .collect::<Vec<_>>(),
    );
    jobs.push((urls::file_of(urls::HOME), "home.html", cx));

    // Counties.
    for county in &project.counties {
        let code = &county.source.code;
        let documents: Vec<&DocumentSummary> =
            summaries.iter().filter(|s| &s.county == code).collect();
        let mut measures = Vec::new();
        for document in project
            .documents
            .iter()
            .filter(|d| &d.source.county == code)
        {
            let Some(policy) = &document.compiled else {
                continue;
            };
            let rows = pages::rule_rows(document, policy, project, words);
            let by = |audience: Audience| {
                rows.iter()
                    .filter(|r| r.audience == audience)
                    .cloned()
                    .collect::<Vec<RuleRow>>()
            };
            measures.push(json!({
                "superseded": project.successor(&document.source.id).is_some(),
                "summary": pages::summary(document, project, words),
                "derived": document.source.kind == DocumentKindSource::DerivedFromReport,
                "household": by(Audience::Household),
                "enterprise": by(Audience::Enterprise),
                "collective": by(Audience::Collective),
            }));
        }
        // The rules of current versions first; versions replaced by a newer one apart, after.
        measures.sort_by_key(|m| m["superseded"].as_bool().unwrap_or(false));
        let form = pages::estimator_form(code, project, words);
        let url = urls::county(code);
        let mut cx = shared.context(&county.source.name, &url);
        cx.insert("county", &county.source);
        cx.insert("has_estimator", &form.is_some());
        cx.insert("documents", &documents);
        cx.insert("measures", &measures);
        jobs.push((urls::file_of(&url), "county.html", cx.clone()));
        if let Some(groups) = form {
            let title = words.fill("estimate_page_title", &[("county", &county.source.name)]);
            let url = urls::estimator(code);
            let mut cx = shared.context(&title, &url);
            cx.insert("county", &county.source);
            cx.insert("groups", &groups);
            cx.insert("measures", &measures);
            cx.insert("rules_url", &urls::county_rules(code));
            cx.insert("clause_links", &urls::clause_pattern());
            cx.insert("shape", &estimate_view::View::shape());
            cx.insert("wasm_url", &urls::asset(&wasm_path));
            cx.insert("glue_url", &urls::asset(&glue_path));
            cx.insert("script_url", &urls::asset(&script_path));
            cx.insert("csp_wasm", &true);
            jobs.push((urls::file_of(&url), "estimate.html", cx));
        }
    }

    // Policies and reports.
    for document in &project.documents {
        let id = &document.source.id;
        let url = urls::policy(id);
        let mut cx = shared.context(&document.source.title, &url);
        policy_page(&mut cx, document, project, words);
        jobs.push((urls::file_of(&url), "policy.html", cx));
        files.add(
            urls::file_of(&urls::policy_yaml(id)),
            document.file.text.clone(),
        )?;
        if let Some(policy) = &document.compiled {
            let json = serde_json::to_string_pretty(policy).unwrap_or_default();
            files.add(urls::file_of(&urls::policy_rules(id)), json)?;
        }
    }

    // Comparison.
    let mut cx = shared.context(words.get("compare_title"), urls::COMPARE);
    cx.insert("comparison", &compare(project, &compare_config, words));
    jobs.push((urls::file_of(urls::COMPARE), "compare.html", cx));

    // Content pages; the open-data text introduces /data/.
    for page in &pages {
        let rendered = markdown::render(
            &page.markdown,
            &Asides::new(),
            Headings::Page,
            words.get("permalink_label"),
        );
        let (url, template) = if page.slug == "open-data" {
            (urls::DATA.to_owned(), "data.html")
        } else {
            (urls::content_page(&page.slug), "page.html")
        };
        let path = urls::file_of(&url);
        let mut cx = shared.context(&page.title, &url);
        cx.insert("body", &rendered.html);
        cx.insert("toc", &rendered.toc);
        if template == "data.html" {
            cx.insert("documents", &summaries);
            let counties: Vec<serde_json::Value> = project
                .counties
                .iter()
                .filter(|c| {
                    project
                        .rulebooks
                        .get(&c.source.code)
                        .is_some_and(|b| !b.policies.is_empty())
                })
                .map(|c| json!({ "code": c.source.code, "name": c.source.name }))
                .collect();
            cx.insert("counties", &counties);
        }
        jobs.push((path, template, cx));
    }
    if !pages.iter().any(|p| p.slug == "open-data") {
        return Err(BuildError::Content(Box::new(
            Diagnostic::file("content/open-data.md", Msg::new(Key::OpenDataMissing))
                .hint(Msg::new(Key::HintOpenData)),
        )));
    }
    jobs.push((
        urls::file_of(urls::NOT_FOUND),
        "404.html",
        shared.context(words.get("not_found_title"), urls::NOT_FOUND),
    ));

    // Open data.
    files.add(
        "data/all.json",
        serde_json::to_string_pretty(&project.rulebooks).unwrap_or_default(),
    )?;
    files.add(
        "data/facts.json",
        serde_json::to_string_pretty(&project.facts).unwrap_or_default(),
    )?;
    files.add("data/rates.csv", rates_csv(project, words))?;
    // Per county, the compiled form the engine evaluates, natively and in the browser.
    for (code, book) in project
        .rulebooks
        .iter()
        .filter(|(_, b)| !b.policies.is_empty())
    {
        files.add(
            urls::file_of(&urls::county_rules(code)),
            serde_json::to_string(book).unwrap_or_default(),
        )?;
    }
    for (name, text) in policy::schema::all() {
        files.add(format!("data/schema/{name}"), text)?;
    }

    // Render in parallel; results come back in job order, so output is deterministic.
    let rendered: Vec<Result<(String, String), BuildError>> = jobs
        .par_iter()
        .map(|(path, template, cx)| render(&tera, template, cx).map(|html| (path.clone(), html)))
        .collect();
    for result in rendered {
        let (path, html) = result?;
        files.add(path, html)?;
    }

    // Sitemap, feed and robots.txt are templates too; the sitemap lists what was rendered.
    let mut cx = shared.context("sitemap", "/sitemap.xml");
    cx.insert("urls", &sitemap_urls(&files, project));
    files.add("sitemap.xml", render(&tera, "sitemap.xml", &cx)?)?;
    let (entries, updated) = feed_entries(&summaries);
    let mut cx = shared.context("feed", "/feed.xml");
    cx.insert("entries", &entries);
    cx.insert("updated", &updated);
    files.add("feed.xml", render(&tera, "feed.xml", &cx)?)?;
    let cx = shared.context("robots", "/robots.txt");
    files.add("robots.txt", render(&tera, "robots.txt", &cx)?)?;
    Ok(files)
}

fn policy_page(cx: &mut Context, document: &Document, project: &Project, words: &Words) {
    let (rows, examples) = match &document.compiled {
        Some(policy) => (
            pages::rule_rows(document, policy, project, words),
            pages::examples(document, words),
        ),
        None => (Vec::new(), Vec::new()),
    };
    // Beside each clause: the rules it defines, linking to their row in the rules table.
    let mut asides: BTreeMap<&str, Vec<&RuleRow>> = BTreeMap::new();
    for row in &rows {
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
                        r.id,
                        escape_html(&r.label),
                        escape_html(&r.standard)
                    )
                })
                .collect();
            (
                clause.to_owned(),
                format!(
                    r#"<aside class="clause-rules" aria-label="{}"><ul>{}</ul></aside>"#,
                    escape_html(words.get("clause_rules_label")),
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
        .and_then(|id| project.documents.iter().find(|d| &d.source.id == id));
    let derived: Vec<DocumentSummary> = project
        .documents
        .iter()
        .filter(|d| d.source.text_from.as_ref() == Some(&document.source.id))
        .map(|d| pages::summary(d, project, words))
        .collect();
    let county = project.county(&document.source.county).map(|c| &c.source);
    cx.insert("document", &document.source);
    cx.insert(
        "versions",
        &crate::versions::versions(document, &rows, project, words),
    );
    cx.insert("summary", &pages::summary(document, project, words));
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
    cx.insert(
        "derived_from",
        &derived_from.map(|d| pages::summary(d, project, words)),
    );
    cx.insert("derived", &derived);
    cx.insert("text", &rendered.html);
    cx.insert("toc", &rendered.toc);
    cx.insert("rules", &rows);
    cx.insert("examples", &examples);
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

/// FNV-1a, 64 bits: stable across Rust versions and platforms, enough to bust caches.
fn short_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Every rule's standard as a CSV row, for spreadsheets.
fn rates_csv(project: &Project, words: &Words) -> String {
    let mut out = String::from(
        "county,county_name,policy,rule,label,audience,standard,limits,condition,clause_url\n",
    );
    for document in &project.documents {
        let Some(policy) = &document.compiled else {
            continue;
        };
        let county = project
            .county(&document.source.county)
            .map(|c| c.source.name.as_str())
            .unwrap_or_default();
        for row in pages::rule_rows(document, policy, project, words) {
            let fields = [
                document.source.county.as_str(),
                county,
                document.source.id.as_str(),
                row.id.as_str(),
                row.label.as_str(),
                row.audience_label,
                row.standard.as_str(),
                &row.limits.join("；"),
                row.condition.as_deref().unwrap_or(""),
                row.clause_url.as_str(),
            ];
            out.push_str(
                &fields
                    .iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
    }
    out
}

fn xml_escape(text: &str) -> String {
    escape_html(text).replace('\'', "&apos;")
}

/// `| xml` in the XML templates.
fn xml_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned);
    Ok(tera::Value::String(xml_escape(&text)))
}

/// Every page of the site for the sitemap, with the publication date of policy pages.
fn sitemap_urls(files: &SiteFiles, project: &Project) -> Vec<serde_json::Value> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with("index.html"))
        .map(|(path, _)| {
            let lastmod = path
                .strip_prefix("policies/")
                .and_then(|rest| rest.split('/').next())
                .and_then(|id| project.documents.iter().find(|d| d.source.id == id))
                .and_then(|d| {
                    d.source
                        .metadata
                        .published
                        .clone()
                        .or(d.source.metadata.written.clone())
                });
            json!({ "path": urls::page_of(path), "lastmod": lastmod })
        })
        .collect()
}

/// The feed's entries, newest first, and its `updated`: the newest document's date, never
/// the build time.
fn feed_entries(summaries: &[DocumentSummary]) -> (Vec<&DocumentSummary>, String) {
    let mut entries: Vec<&DocumentSummary> = summaries.iter().collect();
    entries.sort_by(|a, b| b.sort_date.cmp(&a.sort_date).then(a.id.cmp(&b.id)));
    let updated = entries
        .first()
        .map_or("2017-01-01".to_string(), |e| e.sort_date.clone());
    (entries, updated)
}

/// Load, check, render, check links, write. `out` is replaced only when all of it succeeded.
pub fn build(
    root: &Path,
    out: &Path,
    theme: &Theme,
    estimator: EstimatorAssets<'_>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let project = load(root).map_err(BuildError::Check)?;
    let files = render_site(&project, root, theme, estimator)?;
    let broken = links::check(&files);
    if !broken.is_empty() {
        return Err(BuildError::Links(broken));
    }
    write_atomically(out, &files)?;
    Ok(BuildReport {
        pages: files.iter().filter(|(p, _)| p.ends_with(".html")).count(),
        files: files.len(),
        bytes: files.total_bytes(),
        seconds: started.elapsed().as_secs_f64(),
    })
}
