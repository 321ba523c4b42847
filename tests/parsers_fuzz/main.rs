//! Issue 14 (8): every parser of a file a user gives trailguard is fuzzed; the inputs that once
//! crashed one are kept here as plain tests.

mod regressions;
