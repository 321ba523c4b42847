//! FNV-1a 64: tiny, std-only, and the same on every platform and run, which is what a
//! fingerprint compared across reports (and a rule-pack digest) needs. Not a defence against
//! anyone choosing inputs to collide.

/// An FNV-1a 64 hash over a sequence of text parts, each followed by a unit separator (0x1f)
/// so that `("ab", "c")` and `("a", "bc")` differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a64(u64);

impl Fnv1a64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// The hash of no parts.
    pub fn new() -> Self {
        Fnv1a64(Self::OFFSET)
    }

    /// Adds one part.
    pub fn part(mut self, text: &str) -> Self {
        for byte in text.bytes().chain(std::iter::once(0x1f)) {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
        self
    }

    /// The hash as 16 lower-case hex digits.
    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Default for Fnv1a64 {
    fn default() -> Self {
        Self::new()
    }
}

/// A finding's identity across runs: the hash of its rule id, account, region and resource
/// id. Baselines, waivers and `diff` match findings by it, so it must never change for the
/// same four values.
pub fn fingerprint(
    rule_id: &str,
    account: &str,
    region: Option<&str>,
    resource_id: &str,
) -> String {
    Fnv1a64::new()
        .part(rule_id)
        .part(account)
        .part(region.unwrap_or(""))
        .part(resource_id)
        .hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:345678901234:trail/legacy-trail";

    #[test]
    fn fingerprints_are_the_published_ones() {
        // Values from `tests/integration/snapshots/integration__report_json__report_json.snap`:
        // a change here changes the fingerprint of every finding in every saved report and
        // baseline.
        assert_eq!(
            fingerprint("CT-A04", "345678901234", Some("us-east-1"), TRAIL),
            "9dc6d47fd6f5c160"
        );
        assert_eq!(
            fingerprint("CT-A01", "345678901234", None, "345678901234"),
            "2ac907cc6acc8fd7"
        );
        // Four empty parts: the offset basis folded with four separators.
        assert_eq!(fingerprint("", "", None, ""), "8706f12ebf36a791");
    }

    #[test]
    fn every_component_counts() {
        let base = fingerprint("CT-A04", "345678901234", Some("us-east-1"), TRAIL);
        let changed = [
            fingerprint("CT-A05", "345678901234", Some("us-east-1"), TRAIL),
            fingerprint("CT-A04", "345678901235", Some("us-east-1"), TRAIL),
            fingerprint("CT-A04", "345678901234", Some("us-east-2"), TRAIL),
            fingerprint("CT-A04", "345678901234", None, TRAIL),
            fingerprint("CT-A04", "345678901234", Some("us-east-1"), "other"),
        ];
        for (i, c) in changed.iter().enumerate() {
            assert_ne!(*c, base, "component {i} is ignored");
        }
        assert_eq!(
            base,
            fingerprint("CT-A04", "345678901234", Some("us-east-1"), TRAIL),
            "not deterministic"
        );
    }

    #[test]
    fn parts_are_separated() {
        // The same bytes split differently are different findings.
        assert_ne!(
            fingerprint("CT-A01", "1", Some("a"), "b"),
            fingerprint("CT-A01", "1", Some("ab"), "")
        );
        assert_ne!(
            Fnv1a64::new().part("ab").part("c").hex(),
            Fnv1a64::new().part("a").part("bc").hex()
        );
        // No region and an empty region are the same: reports write neither.
        assert_eq!(
            fingerprint("CT-A01", "1", None, "x"),
            fingerprint("CT-A01", "1", Some(""), "x")
        );
    }
}
