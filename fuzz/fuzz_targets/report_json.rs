#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trailguard_fuzz::check_report(&trailguard_fuzz::text(data));
});
