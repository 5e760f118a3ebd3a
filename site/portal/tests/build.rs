//! `portal build` end to end: the real content and fixture sites, built into temporary
//! folders and inspected.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use portal::build_site as build;
use render::BuildError;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use support::{fixture_project, repo};

/// Every file of a folder, by relative path.
fn snapshot_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn read(out: &Path, page: &str) -> String {
    fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

#[test]
fn the_real_site_has_every_page_anchor_and_example() {
    let out = tempfile::tempdir().unwrap();
    let report = build(&repo(), &out.path().join("public")).unwrap_or_else(|e| panic!("{e}"));
    let out = out.path().join("public");
    assert!(report.pages >= 20, "{report:?}");
    let project = policy::load(&repo()).unwrap();
    for page in [
        "index.html",
        "compare/index.html",
        "data/index.html",
        "about/index.html",
        "for-offices/index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "robots.txt",
        "data/index.json",
        "data/facts.json",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    open_data_is_complete(&out, &project);
    for county in &project.counties {
        let html = read(&out, &format!("counties/{}/index.html", county.source.code));
        assert!(html.contains(&county.source.name));
        assert!(html.contains(r#"<html lang="zh-CN">"#));
    }
    for document in &project.documents {
        let html = read(&out, &format!("policies/{}/index.html", document.source.id));
        assert_eq!(
            html.matches("<h1").count(),
            1,
            "{}: one h1",
            document.source.id
        );
        for clause in &document.clauses {
            assert!(
                html.contains(&format!(r#" id="{}""#, clause.id)),
                "{}: no anchor {}",
                document.source.id,
                clause.id
            );
        }
        // The worked examples on the page are the engine's results of this build.
        if document.compiled.is_none() {
            continue;
        }
        let views = render::pages::examples(document, &render::words::Words::builtin());
        assert_eq!(views.len(), document.source.examples.len());
        for view in views {
            let marker = format!(
                r#"data-min="{}" data-max="{}""#,
                view.view.total_min, view.view.total_max
            );
            assert!(
                html.contains(&marker),
                "{}: example {} shows no {marker}",
                document.source.id,
                view.name
            );
        }
    }
    // Beside a field, the standards of the items it counts; a condition that decides many
    // standards (香格里拉's 脱贫退出年份, seven items) points to the rates table instead of
    // listing them all under one field.
    let form = read(&out, "counties/533401/estimate/index.html");
    let hint = |id: &str| {
        let start = form
            .find(&format!(r#"id="hint-{id}""#))
            .unwrap_or_else(|| panic!("no hint for {id}"));
        form[start..]
            .split("</p>")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let exit_year = hint("exit_year");
    assert!(
        exit_year.contains("本县有 7 项补助的标准与此有关")
            && exit_year.contains(r##"href="#rates-title""##)
            && !exit_year.contains("field-rates"),
        "{exit_year}"
    );
    assert!(form.contains(r#"id="rates-title""#));
    let pigs = hint("pigs");
    assert!(
        pigs.contains("field-rates")
            && pigs.contains("存栏猪")
            && !pigs.contains("项补助的标准与此有关"),
        "{pigs}"
    );
    // No inline scripts or handlers, and the CSP is on every page.
    for (path, bytes) in snapshot_dir(&out)
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
    {
        let html = String::from_utf8_lossy(bytes);
        assert!(html.contains("Content-Security-Policy"), "{path}");
        assert!(
            !html.contains(" onclick=") && !html.contains(" style="),
            "{path}"
        );
        // Scripts only from our own assets, never inline.
        for tag in html.split("<script").skip(1) {
            let own = tag.starts_with(" type=\"module\" src=\"/assets/");
            let inline = !own || !tag.contains("></script>");
            assert!(
                !inline,
                "{path}: inline script <script{}",
                &tag[..tag.len().min(80)]
            );
        }
    }
}

/// The national index names a file per province; each province's JSON has every county of
/// the province, with the rulebook its own file has (less the facts, published once, and the
/// policies from above, written once), and its CSV a row per rule of the province's
/// documents.
fn open_data_is_complete(out: &Path, project: &policy::Project) {
    let json = |path: &str| -> serde_json::Value {
        serde_json::from_str(&read(out, path.trim_start_matches('/')))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let index = json("data/index.json");
    let provinces = index["provinces"].as_array().unwrap();
    let mut counties = 0;
    for province in provinces {
        let code = province["code"].as_str().unwrap();
        let file = json(province["rules"].as_str().unwrap());
        assert_eq!(file["province"], code);
        assert_eq!(file["facts"], "/data/facts.json");
        let listed = province["counties"].as_array().unwrap();
        assert_eq!(file["counties"].as_object().unwrap().len(), listed.len());
        for county in listed {
            counties += 1;
            let entry = &file["counties"][county["code"].as_str().unwrap()];
            match county["rules"].as_str() {
                Some(rules) => {
                    let mut own = json(rules);
                    own.as_object_mut().unwrap().remove("facts");
                    // A policy from above is named by its id, and written once in `above`.
                    let mut entry = entry.clone();
                    for policy in entry["policies"].as_array_mut().unwrap() {
                        let above = policy.get("above").and_then(|v| v.as_str());
                        if let Some(id) = above.map(str::to_owned) {
                            *policy = file["above"][&id].clone();
                            assert!(policy.is_object(), "{code}: {id} is in `above`");
                        }
                    }
                    assert_eq!(entry, own, "{code}: {}", county["code"]);
                }
                None => assert!(entry.is_null(), "{code}: {}", county["code"]),
            }
        }
        let rates = read(
            out,
            province["rates"].as_str().unwrap().trim_start_matches('/'),
        );
        let rows = project
            .documents
            .iter()
            .filter(|d| d.source.county.starts_with(&code[..2]))
            .filter_map(|d| d.compiled.as_ref())
            .map(|p| p.rules.len())
            .sum::<usize>();
        assert_eq!(rates.lines().count(), 1 + rows, "{code}");
        assert!(rates.starts_with("region,region_name,level,policy,rule,"));
    }
    assert_eq!(counties, project.counties.len());
    let facts = json("data/facts.json");
    let a_county = json(&format!(
        "data/counties/{}.json",
        project.counties[0].source.code
    ));
    assert_eq!(facts, a_county["facts"]);
}

#[test]
fn two_builds_are_byte_identical() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), &out.path().join("a")).unwrap();
    build(&repo(), &out.path().join("b")).unwrap();
    assert_same_files(
        &out.path().join("a"),
        &out.path().join("b"),
        "between two builds",
    );
}

/// Two folders hold the same files with the same bytes; `how` says what differs between them.
fn assert_same_files(a: &Path, b: &Path, how: &str) {
    let (a, b) = (snapshot_dir(a), snapshot_dir(b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs {how}");
    }
}

/// The repository's own project (its policies and content pages) copied into `to`.
fn copy_real_project(to: &Path) {
    for folder in ["policies", "content"] {
        support::copy_dir(&repo().join(folder), &to.join(folder));
    }
}

/// The words written into the templates before Tera compiles them (`render::baked`) change
/// nothing a reader gets: the real site built with baking turned off (a project template that
/// could give `t` another value turns it off for the whole theme) is the same, file for file.
#[test]
fn words_written_into_the_templates_change_no_file() {
    let out = tempfile::tempdir().unwrap();
    let project = out.path().join("project");
    copy_real_project(&project);
    fs::create_dir_all(project.join("templates")).unwrap();
    fs::write(
        project.join("templates/unbaked.html"),
        "{% set t = site %}{{ t.title }}",
    )
    .unwrap();
    build(&repo(), &out.path().join("baked")).unwrap();
    build(&project, &out.path().join("unbaked")).unwrap();
    assert_same_files(
        &out.path().join("baked"),
        &out.path().join("unbaked"),
        "when words are baked in",
    );
}

/// A project's copy of a built-in template made before Tera 2 (a macro, its import) stops
/// the build with Tera's error and a hint at what changed, in Chinese and English.
#[test]
fn a_template_written_for_tera_1_gets_a_hint() {
    let project = tempfile::tempdir().unwrap();
    copy_real_project(project.path());
    fs::create_dir_all(project.path().join("templates")).unwrap();
    fs::write(
        project.path().join("templates/rates.html"),
        "{% import \"macros.html\" as macros %}{{ macros::rules_table(rows=rows, \
         caption=caption, region=region, t=t) -}}",
    )
    .unwrap();
    let error = build(project.path(), &project.path().join("public")).unwrap_err();
    assert!(
        matches!(error, BuildError::TemplateForTera1 { .. }),
        "{error:?}"
    );
    let zh = error.message(policy::messages::Lang::Zh);
    assert!(
        zh.contains("rates.html") && zh.contains("Tera 2") && zh.contains("组件"),
        "{zh}"
    );
    let en = error.message(policy::messages::Lang::En);
    assert!(en.contains("macros become components"), "{en}");
    assert!(!project.path().join("public").exists());
}

#[test]
fn a_failed_build_keeps_the_previous_site() {
    let project = fixture_project();
    let out = project.path().join("public");
    build(project.path(), &out).unwrap();
    let before = snapshot_dir(&out);
    let policy = project
        .path()
        .join("policies/100001-test/demo-2020/policy.yaml");
    let text = fs::read_to_string(&policy)
        .unwrap()
        .replace("total: 2500", "total: 2600");
    fs::write(&policy, text).unwrap();
    assert!(matches!(
        build(project.path(), &out),
        Err(BuildError::Check(_))
    ));
    assert_eq!(snapshot_dir(&out), before, "the old site changed");
    let leftovers: Vec<String> = fs::read_dir(project.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_planted_broken_link_fails_the_build_naming_page_and_link() {
    let project = fixture_project();
    fs::write(project.path().join("content/about.md"), "---\ntitle: 关于\n---\n\n见[不存在的页面](/nowhere/)和[没有的条款](/policies/demo-2020/#c9-9)。\n").unwrap();
    match build(project.path(), &project.path().join("public")) {
        Err(BuildError::Links(broken)) => {
            let found: Vec<(String, String)> = broken
                .iter()
                .map(|b| (b.page.clone(), b.link.clone()))
                .collect();
            assert!(
                found.contains(&("about/index.html".into(), "/nowhere/".into())),
                "{found:?}"
            );
            assert!(
                found.contains(&(
                    "about/index.html".into(),
                    "/policies/demo-2020/#c9-9".into()
                )),
                "{found:?}"
            );
        }
        other => panic!("expected broken links, got {other:?}"),
    }
    assert!(!project.path().join("public").exists());
}

#[test]
fn hostile_ids_write_nothing_outside_the_output() {
    for (file, from, to) in [
        (
            "policies/100001-test/demo-2020/policy.yaml",
            "id: demo-2020",
            "id: ../../../escaped",
        ),
        (
            "policies/100001-test/demo-2020/policy.yaml",
            "id: demo-2020",
            "id: /tmp/escaped",
        ),
        (
            "policies/100001-test/county.yaml",
            "code: \"100001\"",
            "code: \"../../x\"",
        ),
    ] {
        let project = fixture_project();
        let path = project.path().join(file);
        fs::write(&path, fs::read_to_string(&path).unwrap().replace(from, to)).unwrap();
        let before = snapshot_dir(project.path());
        let outcome = build(project.path(), &project.path().join("site/public"));
        assert!(outcome.is_err(), "{to} was accepted");
        assert_eq!(
            snapshot_dir(project.path()),
            before,
            "{to}: files were written"
        );
        assert!(!Path::new("/tmp/escaped").exists());
    }
    // A content page with a name that is no address is refused too.
    let project = fixture_project();
    fs::write(
        project.path().join("content/..evil.md"),
        "---\ntitle: x\n---\n",
    )
    .unwrap();
    assert!(build(project.path(), &project.path().join("public")).is_err());
    assert!(!project.path().join("public").exists());
}

/// The comparison is written a county at a time into its frame; a project's own
/// `compare.html` gets the whole comparison at once. The comparison as one template (the
/// built-in one before it was split) gives the same page both ways, on the real project, where
/// one county has no policies and so no column.
#[test]
fn the_comparison_in_pieces_is_the_comparison_whole() {
    let project = tempfile::tempdir().unwrap();
    copy_real_project(project.path());
    build(project.path(), &project.path().join("pieces")).unwrap();
    fs::create_dir_all(project.path().join("templates")).unwrap();
    fs::write(
        project.path().join("templates/compare.html"),
        include_str!("compare_whole.html"),
    )
    .unwrap();
    build(project.path(), &project.path().join("whole")).unwrap();
    let pieces = read(&project.path().join("pieces"), "compare/index.html");
    assert!(pieces.contains("高陵区") && !pieces.contains("portal:compare-item"));
    assert_eq!(
        pieces,
        read(&project.path().join("whole"), "compare/index.html")
    );
}

/// The rate tables are rendered once per document and written into each county page and
/// estimator page that lists it; a project's own `county.html` or `estimate.html` gets each
/// document's rows as well, and its own `policy.html` the whole `policy.yaml`. The built-in
/// county and estimator pages rendering each table in the page (as they did before; the
/// three on one line, as the tables are now written) and the built-in policy page as the
/// project's own give every county, estimator and policy page of the real project the same.
/// (The levels tests see a prefecture's table on its county's pages.)
#[test]
fn rate_tables_rendered_once_are_those_each_page_rendered() {
    let project = tempfile::tempdir().unwrap();
    copy_real_project(project.path());
    build(project.path(), &project.path().join("once")).unwrap();
    let templates = project.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    // The built-in template with each written-in table replaced by the component call that
    // renders it from the rows.
    let own = |name: &str, audiences: &[&str]| {
        let mut text = fs::read_to_string(repo().join("templates").join(name)).unwrap();
        for audience in audiences {
            let table = format!("{{{{ m.tables.{audience} | safe }}}}");
            let rows = format!(
                "{{% if m.{audience} %}}{{{{<rules_table rows={{m.{audience}}} \
                 caption={{t.county_{audience}}} region={{\"《\" ~ m.summary.title ~ \"》\" ~ \
                 t.county_{audience}}} t={{t}} />}}}}{{% endif %}}"
            );
            assert!(text.contains(&table), "{name} writes no {table}");
            text = text.replace(&table, &rows);
        }
        fs::write(templates.join(name), text).unwrap();
    };
    own("county.html", &["household", "enterprise", "collective"]);
    own("estimate.html", &["household"]);
    // A file the same as the built-in one is not the project's own: this one differs by a
    // comment, which renders to nothing.
    let policy = fs::read_to_string(repo().join("templates/policy.html")).unwrap();
    fs::write(
        templates.join("policy.html"),
        format!("{policy}{{# the project's own #}}"),
    )
    .unwrap();
    build(project.path(), &project.path().join("each")).unwrap();
    let pages = snapshot_dir(&project.path().join("once"));
    let kinds = ["counties/", "policies/"];
    let compared: Vec<&String> = pages
        .keys()
        .filter(|p| p.ends_with(".html") && kinds.iter().any(|k| p.starts_with(k)))
        .collect();
    assert!(compared.iter().any(|p| p.ends_with("/estimate/index.html")));
    assert!(compared.len() > 20, "{compared:?}");
    for page in compared {
        assert_eq!(
            read(&project.path().join("once"), page),
            read(&project.path().join("each"), page),
            "{page}"
        );
    }
    let county = read(&project.path().join("once"), "counties/610117/index.html");
    assert!(county.contains("<table class=\"rules\">"), "no rate table");
}

/// `site.1a2b3c4d.css` → `site.HASH.css` (likewise .js and .wasm): a stylesheet or engine
/// edit should not rewrite every snapshot (the link check and the determinism test already
/// hold the hashed names to account).
fn without_asset_hash(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('.') {
        let (head, tail) = rest.split_at(at + 1);
        out.push_str(head);
        let hashed = tail.len() > 9
            && tail.as_bytes()[8] == b'.'
            && tail[..8].chars().all(|c| c.is_ascii_hexdigit())
            && ["css\"", "js\"", "wasm\""]
                .iter()
                .any(|ext| tail[9..].starts_with(ext));
        if hashed {
            out.push_str("HASH");
            rest = &tail[8..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn pages_of_each_kind_match_their_snapshots() {
    let project = fixture_project();
    let out = project.path().join("public");
    build(project.path(), &out).unwrap();
    for (name, page) in [
        ("home", "index.html"),
        ("county", "counties/100001/index.html"),
        ("policy", "policies/demo-2020/index.html"),
        ("compare", "compare/index.html"),
        ("data", "data/index.html"),
        ("content", "how-estimates-work/index.html"),
        ("estimate", "counties/100001/estimate/index.html"),
        ("search", "search/index.html"),
    ] {
        insta::assert_snapshot!(
            format!("page_{name}"),
            without_asset_hash(&read(&out, page))
        );
    }
}

/// Page weight over the wire, gzipped, as a size check that prints its figures.
fn gzipped(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

#[test]
fn pages_stay_within_their_weight_budgets() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build(&repo(), &public).unwrap_or_else(|e| panic!("{e}"));
    let asset = |prefix: &str, ext: &str| {
        std::fs::read_dir(public.join("assets"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(prefix) && name.ends_with(ext)
            })
            .unwrap_or_else(|| panic!("no {prefix}*{ext}"))
    };
    let css = gzipped(&fs::read(asset("site.", ".css")).unwrap());
    let mut heaviest_policy = 0;
    for entry in fs::read_dir(public.join("policies"))
        .unwrap()
        .filter_map(Result::ok)
    {
        heaviest_policy =
            heaviest_policy.max(gzipped(&fs::read(entry.path().join("index.html")).unwrap()) + css);
    }
    let wasm_bytes = fs::read(asset("estimator.", ".wasm")).unwrap();
    let wasm = gzipped(&wasm_bytes);
    // Everything a phone fetches on its first visit to an estimator: the page, the stylesheet,
    // the page's script, the glue, the module and the county's compact rules (沁源, the county
    // with the most rules). The service worker is fetched after the page has loaded.
    let page = fs::read_to_string(public.join("counties/140431/estimate/index.html")).unwrap();
    let rules_url = page
        .split("data-rules=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let rules_url = rules_url.trim_start_matches('/');
    assert!(rules_url.ends_with(".rules"), "{rules_url}");
    let parts = [
        ("page", gzipped(page.as_bytes())),
        ("css", css),
        (
            "script",
            gzipped(&fs::read(asset("estimator.", ".js")).unwrap()),
        ),
        (
            "glue",
            gzipped(&fs::read(asset("estimator-glue.", ".js")).unwrap()),
        ),
        ("wasm", wasm),
        ("rules", gzipped(&fs::read(public.join(rules_url)).unwrap())),
    ];
    let estimator_page: usize = parts.iter().map(|(_, n)| n).sum();
    println!("heaviest policy page with its CSS: {heaviest_policy} B gzipped (budget 100 KB)");
    println!(
        "estimator wasm: {} B raw, {wasm} B gzipped (budget 60,000 B, aim 40,000 B)",
        wasm_bytes.len()
    );
    println!(
        "estimator page on first load, everything: {estimator_page} B gzipped (budget 90 KB): {}",
        parts
            .iter()
            .map(|(what, n)| format!("{what} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(heaviest_policy < 100 * 1024);
    assert!(wasm <= 60_000, "the wasm is over its budget");
    assert!(
        estimator_page <= 90 * 1024,
        "the estimator page is over its budget"
    );
}
