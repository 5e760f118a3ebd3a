//! The preview's quick path (`portal::update_county`): one county rendered again into a built
//! site gives exactly the files a whole build gives for it, touches nothing else, declines
//! what only a whole build can show, and leaves the site as it was when the edit is wrong.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use portal::{build_site, update_county};
use render::{BuildError, Update};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use support::{copy_dir, repo};

/// Every file of a folder, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = e.path().strip_prefix(dir).unwrap();
            (
                path.to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The real project (the seeds' counties and the site's content), copied.
fn seed_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["policies", "content"] {
        copy_dir(&repo().join(folder), &dir.path().join(folder));
    }
    dir
}

const QINYUAN: &str = "policies/140431-qinyuan";
const TEXT: &str = "policies/140431-qinyuan/industry-2017/text.md";

/// The seed project built: the folder, its `public/`, and every file of it.
fn built() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    BTreeMap<String, Vec<u8>>,
) {
    let dir = seed_project();
    let out = dir.path().join("public");
    build_site(dir.path(), &out).unwrap_or_else(|e| panic!("{e}"));
    let before = files(&out);
    (dir, out, before)
}

/// Add a paragraph at the end of 沁源's text.
fn add_to_text(root: &Path, paragraph: &str) {
    let text = fs::read_to_string(root.join(TEXT)).unwrap();
    fs::write(root.join(TEXT), format!("{text}\n{paragraph}\n")).unwrap();
}

#[test]
fn an_edited_county_is_rendered_alone_as_the_whole_build_renders_it() {
    let (dir, out, before) = built();
    let root = dir.path();

    add_to_text(root, "改动标记：这一段是新加的。");
    let update = update_county(root, &out, QINYUAN).unwrap_or_else(|e| panic!("{e}"));
    let Update::Written {
        county,
        name,
        files: written,
        ..
    } = update
    else {
        panic!("沁源 is updated alone: {update:?}");
    };
    assert_eq!((county.as_str(), name.as_str()), ("140431", "沁源县"));
    let after = files(&out);
    let page = String::from_utf8_lossy(&after["policies/qinyuan-2017-industry/index.html"]);
    assert!(
        page.contains("改动标记"),
        "the edit is on the policy's page"
    );

    // Only the county's own files changed or were added.
    let changed: Vec<&String> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(!changed.is_empty());
    for path in &changed {
        assert!(
            path.starts_with("counties/140431/")
                || path.starts_with("policies/qinyuan-2017-industry/")
                || path.starts_with("data/counties/140431.")
                || path.starts_with("search/p/140431.json"),
            "{path} is not 沁源's own"
        );
    }
    assert!(
        before.keys().all(|path| after.contains_key(path)),
        "nothing is removed"
    );
    let uncompressed = changed
        .iter()
        .filter(|p| !p.ends_with(".gz") && !p.ends_with(".br"))
        .count();
    assert!(uncompressed <= written, "{changed:?} vs {written}");

    // Each of those files is what the whole build makes of the edited project.
    let whole = dir.path().join("whole");
    build_site(root, &whole).unwrap_or_else(|e| panic!("{e}"));
    let whole = files(&whole);
    for path in &changed {
        assert!(
            whole.get(*path) == after.get(*path),
            "{path} differs from the whole build's"
        );
    }
    // The pages that gather counties wait for the whole build: the home page is untouched.
    assert_eq!(before["index.html"], after["index.html"]);
}

#[test]
fn what_only_a_whole_build_shows_is_declined() {
    let (dir, out, before) = built();
    let root = dir.path();
    // 西乡's report is the text of 竹溪's and 房县's measures: they are loaded together.
    for folder in [
        "policies/610724-xixiang",
        "policies/no-such-county",
        "content",
    ] {
        let update = update_county(root, &out, folder).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(update, Update::Whole, "{folder}");
    }
    assert!(files(&out) == before, "nothing was written");

    // A new document in 沁源's folder: the site does not list it yet; its id might be any
    // other county's, and the pages that list documents must get it.
    copy_dir(
        &root.join("policies/140431-qinyuan/industry-2017"),
        &root.join("policies/140431-qinyuan/industry-2018"),
    );
    let policy = root.join("policies/140431-qinyuan/industry-2018/policy.yaml");
    let yaml = fs::read_to_string(&policy).unwrap();
    fs::write(
        &policy,
        // A copy may be received together with the original, as the check requires.
        yaml.replacen(
            "id: qinyuan-2017-industry",
            "id: qinyuan-2018-industry\ncombines_with: [qinyuan-2017-industry]",
            1,
        ),
    )
    .unwrap();
    let update = update_county(root, &out, QINYUAN).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(update, Update::Whole, "a new document");
    assert!(files(&out) == before, "nothing was written");
}

#[test]
fn a_broken_link_in_an_edited_text_is_refused() {
    let (dir, out, before) = built();
    let root = dir.path();
    add_to_text(root, "见[另一份文件](/policies/no-such-policy/)。");
    let Err(BuildError::Links(broken)) = update_county(root, &out, QINYUAN) else {
        panic!("a link to no page is refused");
    };
    assert!(
        broken.iter().any(|b| b.link == "/policies/no-such-policy/"
            && b.page == "policies/qinyuan-2017-industry/index.html"),
        "{broken:?}"
    );
    assert!(files(&out) == before, "the site is as it was");
}

#[test]
fn a_wrong_edit_is_reported_with_its_place_and_the_site_stays() {
    let (dir, out, before) = built();
    let root = dir.path();
    let policy = root.join("policies/140431-qinyuan/industry-2017/policy.yaml");
    let yaml = fs::read_to_string(&policy).unwrap();
    fs::write(&policy, yaml.replacen("title:", "titel:", 1)).unwrap();
    let Err(BuildError::Check(problems)) = update_county(root, &out, QINYUAN) else {
        panic!("an unknown key is an error");
    };
    let shown = problems.render_in(policy::messages::Lang::Zh);
    assert!(
        shown.contains("policies/140431-qinyuan/industry-2017/policy.yaml:"),
        "{shown}"
    );
    assert!(files(&out) == before, "the site is as it was");
    let leftovers: Vec<String> = fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
