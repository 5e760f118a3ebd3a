//! A project apart from the tool, as an office meets it: `portal init`, `--root`, and a
//! project's own `templates/` overriding the built-in theme by name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn portal(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .current_dir(cwd)
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_copied_template_overrides_the_built_in_one_and_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    ok(&portal(here, &["init", "office"]));

    let listed = ok(&portal(here, &["templates", "list", "--root", "office"]));
    assert!(listed.contains("base.html") && listed.contains("static/site.css"));

    ok(&portal(
        here,
        &["templates", "copy", "base.html", "--root", "office"],
    ));
    let base = here.join("office/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replace("<body>", "<body><p id=\"office-banner\">本县自己的横幅</p>"),
    )
    .unwrap();
    assert!(ok(&portal(here, &["templates", "list", "--root", "office"])).contains("项目已改写"));

    ok(&portal(here, &["build", "--root", "office"]));
    let home = std::fs::read_to_string(here.join("office/public/index.html")).unwrap();
    assert!(
        home.contains("office-banner"),
        "the project's base.html was not used"
    );

    // Copying again keeps the office's edit unless told otherwise.
    let again = ok(&portal(here, &["templates", "copy", "--root", "office"]));
    assert!(again.contains("--force"), "{again}");
    assert!(std::fs::read_to_string(&base)
        .unwrap()
        .contains("office-banner"));

    // A name that is not built in is refused, naming the ones that are.
    let unknown = portal(
        here,
        &["templates", "copy", "bsae.html", "--root", "office"],
    );
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("bsae.html") && stderr.contains("base.html"),
        "{stderr}"
    );
}

#[test]
fn init_never_writes_into_a_folder_that_has_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "an office's own file").unwrap();
    let o = portal(dir.path(), &["init", "."]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("不是空文件夹"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing was written"
    );
}

#[test]
fn a_broken_project_template_fails_the_build_and_keeps_the_old_site() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    ok(&portal(here, &["init", "office"]));
    ok(&portal(here, &["build", "--root", "office"]));
    let before = std::fs::read(here.join("office/public/index.html")).unwrap();
    std::fs::create_dir_all(here.join("office/templates")).unwrap();
    std::fs::write(
        here.join("office/templates/home.html"),
        "{% extends \"base.html\" %}{% block main %}{{ unclosed",
    )
    .unwrap();
    let o = portal(here, &["build", "--root", "office"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("home.html"));
    assert_eq!(
        std::fs::read(here.join("office/public/index.html")).unwrap(),
        before
    );
}

#[test]
fn command_line_mistakes_are_explained_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (&["chekc"][..], "没有 `chekc` 这个命令。是不是想写"),
        (
            &["check", "--fomat", "json"][..],
            "不认识 `--fomat` 这个选项。是不是想写 `--format`？",
        ),
        (
            &["check", "--lang", "fr"][..],
            "`--lang` 不能写 `fr`，能写的有：zh、en。",
        ),
    ] {
        let o = portal(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stderr.contains("portal --help"), "{stderr}");
    }
}
