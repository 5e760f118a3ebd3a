//! Replays the `full_text` fuzzing corpus and its regressions (`site/policy/fuzz/`) through
//! [`render::fuzz::full_text`], the function the fuzz target calls: the Markdown renderer's
//! half of that target (`site/policy/tests/fuzz_corpus.rs` replays the policy half and the
//! other targets). No input may panic, overflow the stack or take long.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[test]
fn full_text_corpus_renders() {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policy/fuzz");
    let mut files: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|dir| fs::read_dir(fuzz.join(dir).join("full_text")).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} full_text inputs", files.len());
    // On a thread with the stack a fuzzer's main thread has (8 MiB).
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let mut failures = Vec::new();
            for file in &files {
                let bytes = fs::read(file).unwrap();
                let Ok(text) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                // If this input overflows the stack, the process aborts: this says which.
                eprintln!("full_text: {}", file.display());
                let started = Instant::now();
                if catch_unwind(AssertUnwindSafe(|| render::fuzz::full_text(text))).is_err() {
                    failures.push(format!("{}: panicked", file.display()));
                }
                if started.elapsed() > Duration::from_secs(10) {
                    failures.push(format!("{}: took {:?}", file.display(), started.elapsed()));
                }
            }
            failures
        })
        .unwrap();
    let failures = worker.join().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
