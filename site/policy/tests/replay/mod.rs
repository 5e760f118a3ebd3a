//! Replaying a fuzz target's inputs (`site/policy/fuzz/corpus/` and `regressions/`) through
//! the function the target calls. Shared by the replay tests of `policy` and `render`, which
//! include this file by path.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policy/fuzz")
}

/// Every input of a target: its corpus and its regressions, in a stable order.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
    }
    files.sort();
    files
}

/// Run `run` on every input of `target` on a thread with the stack a fuzzer's main thread
/// has (8 MiB); list every input that panicked or was slow.
pub(crate) fn replay(target: &'static str, run: fn(&str)) {
    let files = inputs(target);
    assert!(
        files.len() >= 10,
        "only {} inputs for {target} in {}",
        files.len(),
        fuzz_dir().display()
    );
    let worker = std::thread::Builder::new()
        .name(format!("replay {target}"))
        .stack_size(8 << 20)
        .spawn(move || {
            let mut failures = Vec::new();
            for file in &files {
                let bytes = fs::read(file).unwrap();
                // The targets skip what is not UTF-8 (a file that is not is refused when read).
                let Ok(text) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                // If this input overflows the stack, the process aborts: this says which.
                eprintln!("{target}: {}", file.display());
                let started = Instant::now();
                if catch_unwind(AssertUnwindSafe(|| run(text))).is_err() {
                    failures.push(format!("{}: panicked", file.display()));
                }
                // Unoptimised, a fuzzing input takes milliseconds; seconds mean a hang.
                if started.elapsed() > Duration::from_secs(10) {
                    failures.push(format!("{}: took {:?}", file.display(), started.elapsed()));
                }
            }
            (files.len(), failures)
        })
        .unwrap();
    let (count, failures) = worker.join().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {count} {target} inputs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
