//! A Markdown full text with clause anchors through the loader, `policy::clauses` and the
//! site's Markdown renderer (see `render::fuzz::full_text`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        render::fuzz::full_text(text);
    }
});
