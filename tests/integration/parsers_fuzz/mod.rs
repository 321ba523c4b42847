//! Issue 14 (8): every parser of a file a user gives trailguard — rule YAML, config, waivers,
//! inventory JSON, reports read back by `--baseline` / `diff`, waiver globs — is fuzzed here in
//! bounded, deterministic runs: mutated real files and arbitrary text in process (`props`), and
//! the real binary on hostile files under an address-space limit (`memory`). The coverage-guided
//! targets for the same parsers are in `fuzz/` (cargo-fuzz).

mod checks;
mod corpus;
mod memory;
mod mutate;
mod props;
mod regressions;
