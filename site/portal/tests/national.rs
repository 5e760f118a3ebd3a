//! The site at more counties than one page can list: the comparison a page per prefecture and
//! item with a county picker, and the open data a file per province, on a synthetic project
//! of counties spread over the nation's provinces (`portal::synthetic`, as the benchmark).

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Counties in the project: above `render::compare_regions::WHOLE_COUNTIES`.
const COUNTIES: usize = 64;

fn html_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

#[test]
fn many_counties_are_compared_a_prefecture_and_an_item_at_a_time() {
    const { assert!(COUNTIES > render::compare_regions::WHOLE_COUNTIES) };
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    portal::synthetic::generate(&repo, dir.path(), COUNTIES, 1).unwrap();
    let public = dir.path().join("public");
    portal::build_site(dir.path(), &public).unwrap_or_else(|e| panic!("{e}"));
    let read = |p: &str| fs::read_to_string(public.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    let index: serde_json::Value = serde_json::from_str(&read("data/index.json")).unwrap();
    let provinces = index["provinces"].as_array().unwrap();
    assert!(provinces.len() > 1, "the synthetic counties span provinces");

    // /compare/ lists no county: it leads, province by province, to the prefectures.
    let compare = read("compare/index.html");
    assert!(!compare.contains("/counties/"), "{compare}");
    let items = ["pigs", "cattle", "bee_boxes", "cash_crop_mu"];
    let mut seen = BTreeSet::new();
    let mut prefectures = BTreeSet::new();
    for province in provinces {
        assert!(compare.contains(province["name"].as_str().unwrap()));
        for county in province["counties"].as_array().unwrap() {
            let county = county["code"].as_str().unwrap();
            let code = format!("{}00", &county[..4]);
            assert!(
                compare.contains(&format!("href=\"/compare/{code}/\"")),
                "{code}"
            );
            let page = read(&format!("compare/{code}/index.html"));
            let css = read(&format!("compare/{code}/pick.css"));
            // Its row of the households table, a box to pick it, a rule to hide it.
            assert!(page.contains(&format!("<tr data-county=\"{county}\">")));
            assert!(page.contains(&format!("id=\"pick-{county}\"")), "{county}");
            assert!(css.contains(&format!("#pick-{county}:checked")), "{county}");
            assert!(page.contains(&format!("/compare/{code}/pigs/")), "{page}");
            // The reference households are worked out in the prefecture's counties.
            assert!(page.contains("养5头猪的贫困户"));
            for item in items {
                let page = read(&format!("compare/{code}/{item}/index.html"));
                assert!(page.contains(&format!("<tr data-county=\"{county}\">")));
            }
            assert!(seen.insert(county.to_owned()), "{county} twice");
            prefectures.insert(code);
        }
    }
    assert_eq!(seen.len(), COUNTIES);
    assert!(prefectures.len() > 2);
    // A county's rows show on its prefecture's item page only.
    let first = prefectures.first().unwrap();
    let other = seen.iter().find(|c| !c.starts_with(&first[..4])).unwrap();
    assert!(!read(&format!("compare/{first}/pigs/index.html")).contains(&format!("\"{other}\"")));

    // No page lists the nation's counties: the largest page here stays small.
    let mut pages = Vec::new();
    html_files(&public, &mut pages);
    let largest = pages
        .iter()
        .map(|p| (fs::metadata(p).unwrap().len(), p))
        .max()
        .unwrap();
    assert!(largest.0 < 200_000, "{largest:?}");
}
