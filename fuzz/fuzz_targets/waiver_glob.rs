#![no_main]

// The input is a pattern and a text, split at the first NUL.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = trailguard_fuzz::text(data);
    let (pattern, text) = input.split_once('\0').unwrap_or((&input, ""));
    trailguard_fuzz::check_glob(pattern, text);
});
