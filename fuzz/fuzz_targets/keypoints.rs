//! Raw f32 bit patterns as keypoints → analysis → assessment → record; see
//! `posturecam::fuzzing::keypoints` for the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    posturecam::fuzzing::keypoints(data);
});
