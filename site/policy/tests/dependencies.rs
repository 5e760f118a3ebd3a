//! The policy crate stays a library of the format: nothing for pages, HTTP or watching files
//! may enter its dependency tree, or the layering the crates promise is gone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn the_policy_crate_depends_on_no_site_or_server_machinery() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-p",
            "policy",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"calculator"), "unexpected tree:\n{tree}");
    for forbidden in [
        "tera",
        "minijinja",
        "handlebars",
        "askama", // template engines
        "ammonia",
        "html5ever", // HTML sanitising
        "tiny_http",
        "hyper",
        "axum",
        "actix-web", // HTTP servers
        "notify",    // file watching
        "render",
        "portal", // the crates above it
    ] {
        assert!(
            !crates.contains(&forbidden),
            "the policy crate now depends on `{forbidden}`:\n{tree}"
        );
    }
}
