//! The search index as the build writes it (`render::search`): every region's documents in a
//! piece, every clause a record that links to an anchor that exists, the dictionary finding
//! each piece by its words, and the search page's first load within its budget. The page in
//! a browser is `tests/browser/search.mjs`, run from `tests/browser.rs`.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use support::repo;

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

/// The bytes a server sends for a file: its `.gz` copy, or (a page has none) the file
/// gzipped as the server does it, at zlib's default level.
fn sent(path: &Path) -> u64 {
    let mut gz = path.as_os_str().to_owned();
    gz.push(".gz");
    if let Ok(copy) = fs::metadata(&gz) {
        return copy.len();
    }
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &bytes).unwrap();
    encoder.finish().unwrap().len() as u64
}

/// The pieces holding every gram of `word`, from the dictionary, as the script finds them.
fn pieces_with(public: &Path, index: &Value, word: &str) -> Vec<String> {
    let buckets = index["buckets"].as_u64().unwrap() as usize;
    let chars: Vec<char> = render::search::normalize(word).chars().collect();
    let grams: Vec<String> = if chars.len() == 1 {
        vec![chars[0].to_string()]
    } else {
        chars.windows(2).map(|w| w.iter().collect()).collect()
    };
    let mut found: Option<Vec<u64>> = None;
    for gram in grams {
        let bucket = json(
            &public.join(render::search::bucket_path(render::search::bucket_of(
                &gram, buckets,
            ))),
        );
        let mut last = 0;
        let ids: Vec<u64> = bucket[&gram]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        last += d.as_u64().unwrap();
                        last
                    })
                    .collect()
            })
            .unwrap_or_default();
        found = Some(match found {
            None => ids,
            Some(before) => before.into_iter().filter(|id| ids.contains(id)).collect(),
        });
    }
    found
        .unwrap_or_default()
        .into_iter()
        .map(|id| index["pieces"][id as usize][0].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_index_has_every_document_and_clause_and_finds_words_inside_compounds() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    portal::build_site(&repo(), &public).unwrap_or_else(|e| panic!("{e}"));
    let project = policy::load(&repo()).unwrap();
    let index = json(&public.join(render::search::INDEX_JSON));
    let pieces: Vec<&str> = index["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    let mut sorted = pieces.clone();
    sorted.sort_unstable();
    assert_eq!(pieces, sorted, "pieces are in the order of their codes");

    // Every document is in its region's piece, with each clause of its text a record whose
    // anchor is on the page.
    let mut clauses = 0;
    for document in &project.documents {
        let code = &document.source.county;
        assert!(pieces.contains(&code.as_str()), "{code} has no piece");
        let piece = json(&public.join(render::search::piece_path(code)));
        let url = render::urls::policy(&document.source.id);
        let place = piece["d"]
            .as_array()
            .unwrap()
            .iter()
            .position(|d| d[0] == url.as_str())
            .unwrap_or_else(|| panic!("{url} is not in {code}'s piece"));
        let records: Vec<&Value> = piece["r"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r[0] == place && r[1] == 2)
            .collect();
        let with_text = document.clauses.len();
        assert!(
            records.len() + 2 >= with_text,
            "{url}: {} clause records for {with_text} clauses",
            records.len()
        );
        let html = fs::read_to_string(public.join(render::urls::file_of(&url))).unwrap();
        for record in records {
            let href = record[2].as_str().unwrap();
            let anchor = href.split_once('#').unwrap().1;
            assert!(
                html.contains(&format!("id=\"{anchor}\"")),
                "{href}: no such anchor"
            );
            clauses += 1;
        }
    }
    assert!(clauses >= 100, "{clauses} clause records");

    // A word inside a compound, a single character, an item's name, and a word in no text.
    assert_eq!(pieces_with(&public, &index, "日光温室"), ["140431"]);
    assert!(pieces_with(&public, &index, "蜂").contains(&"533401".to_owned()));
    assert!(pieces_with(&public, &index, "蜂箱").contains(&"533401".to_owned()));
    assert!(pieces_with(&public, &index, "火箭发射").is_empty());
    // Full-width digits are searched as digits.
    assert_eq!(
        pieces_with(&public, &index, "２０００"),
        pieces_with(&public, &index, "2000")
    );

    // The filters' choices: every level, status, audience and item of the documents.
    let keys: Vec<&str> = index["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    for key in [
        "level:县级",
        "status:失效",
        "year:2017",
        "genre:实施意见",
        "audience:household",
        "audience:collective",
        "item:bee_boxes",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
}

#[test]
fn the_search_page_loads_within_its_budget() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    portal::build_site(&repo(), &public).unwrap_or_else(|e| panic!("{e}"));
    let page = fs::read_to_string(public.join("search/index.html")).unwrap();
    let asset = |prefix: &str, ext: &str| {
        fs::read_dir(public.join("assets"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(prefix) && name.ends_with(ext)
            })
            .unwrap_or_else(|| panic!("no {prefix}*{ext}"))
    };
    let script = asset("search.", ".js");
    let script_name = script.file_name().unwrap().to_string_lossy().into_owned();
    assert!(page.contains(&script_name), "the page loads {script_name}");
    assert!(
        page.contains("<noscript>"),
        "without JavaScript the page says so"
    );
    assert!(page.contains("type=\"search\""));
    let first = sent(&public.join("search/index.html"))
        + sent(&asset("site.", ".css"))
        + sent(&script)
        + sent(&public.join(render::search::INDEX_JSON));
    // The whole index, as if a query loaded every bucket and piece.
    let mut whole = 0;
    for dir in ["search/g", "search/p"] {
        for entry in fs::read_dir(public.join(dir))
            .unwrap()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                whole += sent(&path);
            }
        }
    }
    println!("search page on first load: {first} B gzipped (budget 100 KB); whole index {whole} B gzipped");
    assert!(first <= 100 * 1024);
    assert!(
        first + whole <= 100 * 1024,
        "the real site's whole index fits the first-load budget too"
    );
    // The header's search box is on every page.
    for file in ["index.html", "counties/533401/index.html", "404.html"] {
        let html = fs::read_to_string(public.join(file)).unwrap();
        assert!(
            html.contains("role=\"search\"") && html.contains("type=\"search\""),
            "{file} has no search box"
        );
    }
}
