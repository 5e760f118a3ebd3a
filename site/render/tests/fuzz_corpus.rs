//! Replays the `full_text` fuzzing corpus and its regressions (`site/policy/fuzz/`) through
//! [`render::fuzz::full_text`], the function the fuzz target calls: the Markdown renderer's
//! half of that target (`site/policy/tests/fuzz_corpus.rs` replays the policy half and the
//! other targets). No input may panic, overflow the stack or take long.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/replay/mod.rs"]
mod replay;

#[test]
fn full_text_corpus_renders() {
    replay::replay("full_text", render::fuzz::full_text);
}
