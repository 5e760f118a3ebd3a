//! Build speed on a synthetic project: SITE_BENCH_COUNTIES × SITE_BENCH_POLICIES (default
//! 3000 × 10), each policy a copy of a real one. Prints pages per second.
//! `cargo bench -p portal --bench site_build` (needs a few GB of disk at full size).
//! With SITE_BENCH_PROJECT=DIR it only writes the project into DIR and stops, so that a
//! separate `portal build` can be measured on its own (`hugo-compare.sh` does that).

// A benchmark fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

fn main() {
    let counties: usize = std::env::var("SITE_BENCH_COUNTIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let policies: usize = std::env::var("SITE_BENCH_POLICIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    // `cargo test --benches` runs this with --bench absent: keep that quick.
    let (counties, policies) = if std::env::args().any(|a| a == "--bench") {
        (counties, policies)
    } else {
        (5, 2)
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if let Some(project) = std::env::var_os("SITE_BENCH_PROJECT") {
        let project = Path::new(&project);
        portal::synthetic::generate(&repo, project, counties, policies).unwrap();
        println!(
            "generated {counties} counties × {policies} policies in {}",
            project.display()
        );
        return;
    }
    // The allocator `portal` runs on, as it sets it up.
    allocator::keep_freed_memory();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    portal::synthetic::generate(&repo, dir.path(), counties, policies).unwrap();
    println!(
        "generated {counties} counties × {policies} policies in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for run in 1..=2 {
        let report = portal::build_site(dir.path(), &dir.path().join("public"))
            .unwrap_or_else(|e| panic!("{e}"));
        println!(
            "build {run}: {} pages, {} files, {:.0} MB in {:.2} s = {:.0} pages/s",
            report.pages,
            report.files,
            report.bytes as f64 / 1e6,
            report.seconds,
            report.pages as f64 / report.seconds
        );
    }
}
