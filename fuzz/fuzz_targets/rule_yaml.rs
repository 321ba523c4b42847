#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = trailguard_fuzz::text(data);
    trailguard_fuzz::check_rule(&trailguard_fuzz::rule_name(&text), &text);
});
