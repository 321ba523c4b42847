//! The words every stage shares: how serious a rule is ([`Severity`]), what one finding of it
//! is about ([`Scope`]), its verdict ([`Status`]), the kind of resource a finding names
//! ([`ResourceType`]), and the hashes that identify findings and rule packs ([`fingerprint`]).
//!
//! A leaf: it imports nothing from the crate, so `finding`, `rules`, `gate`, `baseline`,
//! `diff` and `report` all build on it without importing one another for a name.

mod fingerprint;
mod resource_type;
mod scope;
mod severity;
mod status;

pub use fingerprint::{Fnv1a64, fingerprint};
pub use resource_type::ResourceType;
pub use scope::Scope;
pub use severity::Severity;
pub use status::Status;

/// The names and help lines a `ValueEnum` shows on the command line, for tests that pin them.
#[cfg(test)]
fn command_line_values<T: clap::ValueEnum>() -> Vec<(String, String)> {
    T::value_variants()
        .iter()
        .filter_map(clap::ValueEnum::to_possible_value)
        .map(|v| {
            let help = v.get_help().map(ToString::to_string).unwrap_or_default();
            (v.get_name().to_owned(), help)
        })
        .collect()
}
