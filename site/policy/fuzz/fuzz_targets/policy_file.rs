//! A whole `policy.yaml` through the loader and checker (see `policy::fuzz::policy_file`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A file that is not UTF-8 is refused when it is read, before any of this.
    if let Ok(text) = std::str::from_utf8(data) {
        policy::fuzz::policy_file(text);
    }
});
