//! TOML text → the `--config` parser; see
//! `posturecam::fuzzing::config_parser` for the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = posturecam::fuzzing::config_parser(data);
});
