#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trailguard_fuzz::check_config(&trailguard_fuzz::text(data));
});
