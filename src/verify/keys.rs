//! The public keys of one region, by fingerprint (`ListPublicKeys`, CHECKS.md §3.6).

use std::collections::BTreeMap;

/// The signing keys CloudTrail lists for one source region: fingerprint → DER PKCS#1 key.
/// The fingerprint is matched as an opaque string, as the AWS CLI does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicKeys {
    region: String,
    by_fingerprint: BTreeMap<String, Vec<u8>>,
}

impl PublicKeys {
    /// No keys yet, for `region`.
    pub fn new(region: impl Into<String>) -> Self {
        PublicKeys {
            region: region.into(),
            by_fingerprint: BTreeMap::new(),
        }
    }

    /// Adds a key: `der` is the DER bytes of the PKCS#1 `RSAPublicKey` (the SDK's `Blob`, i.e.
    /// the wire `Value` base64-decoded once).
    pub fn insert(&mut self, fingerprint: impl Into<String>, der: Vec<u8>) {
        self.by_fingerprint.insert(fingerprint.into(), der);
    }

    /// The region the keys belong to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The key with this fingerprint, if listed.
    pub fn find(&self, fingerprint: &str) -> Option<&[u8]> {
        self.by_fingerprint.get(fingerprint).map(Vec::as_slice)
    }
}
