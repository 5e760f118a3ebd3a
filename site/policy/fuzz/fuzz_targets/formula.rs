//! A formula through the parser, the unit check and the evaluator (see `policy::fuzz::formula`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        policy::fuzz::formula(text);
    }
});
