//! The estimator's browser entry (see `calculator_wasm::fuzz`): a county's compact rules file,
//! as fetched and possibly damaged, and whatever a household's URL fragment holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(calculator_wasm::fuzz::estimator(data));
});
