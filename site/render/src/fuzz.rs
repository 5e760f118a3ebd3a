//! The clerk's Markdown as the site renders it, for the `full_text` fuzz target
//! (`site/policy/fuzz/`) and its corpus replay test (`tests/fuzz_corpus.rs`): one function,
//! so that CI replays exactly what was fuzzed. It must never panic, overflow the stack or hang.

use crate::markdown::{escape_html, render, Asides, Headings};

/// Target `full_text`: everything [`policy::fuzz::full_text`] does with a full text, then the
/// page's HTML, with an aside beside every clause (as on a policy page) and without (as on a
/// content page).
pub fn full_text(text: &str) {
    policy::fuzz::full_text(text);
    let (clauses, _) = policy::clauses::scan(text);
    let asides: Asides = clauses
        .iter()
        .map(|clause| {
            let aside = format!(
                r#"<aside class="clause-rules"><ul><li>{}</li></ul></aside>"#,
                escape_html(&clause.excerpt)
            );
            (clause.id.clone(), aside)
        })
        .collect();
    std::hint::black_box(render(text, &asides, Headings::InSection, "§"));
    std::hint::black_box(render(text, &Asides::new(), Headings::Page, "§"));
    std::hint::black_box(render(text, &Asides::new(), Headings::AsWritten, "§"));
}
