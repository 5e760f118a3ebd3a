//! The clerk's Markdown as the site renders it, for the `full_text` fuzz target
//! (`site/policy/fuzz/`) and its corpus replay test (`tests/fuzz_corpus.rs`): one function,
//! so that CI replays exactly what was fuzzed. It must never panic, overflow the stack or hang,
//! and a text that skips the sanitiser must come out as the sanitiser would have left it.

use crate::markdown::{escape_html, render, sanitise, spelled_alike, Asides, Headings};

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
    let plain = render(text, &Asides::new(), Headings::AsWritten, "§");
    if !plain.sanitised {
        assert_eq!(
            spelled_alike(&plain.html),
            spelled_alike(&sanitise(&plain.html)),
            "unsanitised HTML the sanitiser would change"
        );
    }
}
