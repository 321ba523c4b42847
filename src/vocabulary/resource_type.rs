//! The kind of resource a finding is about.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The kind of resource a finding is about, named the way AWS CloudFormation names resource
/// types (`type` in reports). Reports compare and sort by that name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// `AWS::::Account`: an audited account.
    Account,
    /// `AWS::::Region`: one region of an account (or its opt-in regions, when unlisted).
    Region,
    /// `AWS::CloudTrail::Trail`.
    Trail,
    /// `AWS::S3::Bucket`.
    Bucket,
    /// `AWS::KMS::Key`.
    Key,
    /// `AWS::Organizations::Organization`.
    Organization,
    /// A type this trailguard does not write, read back from a report (a newer `v1.N` may add
    /// types; readers keep what they do not know rather than refuse the report).
    Other(String),
}

impl ResourceType {
    /// Every type this trailguard writes.
    pub const KNOWN: &'static [ResourceType] = &[
        ResourceType::Account,
        ResourceType::Region,
        ResourceType::Trail,
        ResourceType::Bucket,
        ResourceType::Key,
        ResourceType::Organization,
    ];

    /// The name in reports.
    pub fn as_str(&self) -> &str {
        match self {
            ResourceType::Account => "AWS::::Account",
            ResourceType::Region => "AWS::::Region",
            ResourceType::Trail => "AWS::CloudTrail::Trail",
            ResourceType::Bucket => "AWS::S3::Bucket",
            ResourceType::Key => "AWS::KMS::Key",
            ResourceType::Organization => "AWS::Organizations::Organization",
            ResourceType::Other(name) => name,
        }
    }

    /// The type a report names: a known one, or [`ResourceType::Other`].
    pub fn parse(text: &str) -> ResourceType {
        Self::KNOWN
            .iter()
            .find(|t| t.as_str() == text)
            .cloned()
            .unwrap_or_else(|| ResourceType::Other(text.to_owned()))
    }
}

impl From<&str> for ResourceType {
    fn from(text: &str) -> Self {
        ResourceType::parse(text)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// By name, as the strings reports held before the type was an enum.
impl Ord for ResourceType {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for ResourceType {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for ResourceType {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ResourceType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ResourceType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResourceType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|text| ResourceType::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_report_strings() {
        let names: Vec<&str> = ResourceType::KNOWN
            .iter()
            .map(ResourceType::as_str)
            .collect();
        assert_eq!(
            names,
            [
                "AWS::::Account",
                "AWS::::Region",
                "AWS::CloudTrail::Trail",
                "AWS::S3::Bucket",
                "AWS::KMS::Key",
                "AWS::Organizations::Organization",
            ]
        );
        for t in ResourceType::KNOWN {
            let json = serde_json::to_string(t).expect("serialises");
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(
                serde_json::from_str::<ResourceType>(&json).ok().as_ref(),
                Some(t)
            );
            assert_eq!(ResourceType::parse(t.as_str()), *t);
        }
    }

    #[test]
    fn unknown_types_are_kept_as_written() {
        let t: ResourceType = serde_json::from_str("\"AWS::SNS::Topic\"").expect("reads");
        assert_eq!(t, ResourceType::Other("AWS::SNS::Topic".into()));
        assert_eq!(
            serde_json::to_string(&t).ok().as_deref(),
            Some("\"AWS::SNS::Topic\"")
        );
    }

    #[test]
    fn ordered_by_name() {
        let mut types = ResourceType::KNOWN.to_vec();
        types.push(ResourceType::Other("AWS::Lambda::Function".into()));
        types.sort();
        let mut names: Vec<&str> = ResourceType::KNOWN
            .iter()
            .map(ResourceType::as_str)
            .collect();
        names.push("AWS::Lambda::Function");
        names.sort_unstable();
        let sorted: Vec<&str> = types.iter().map(ResourceType::as_str).collect();
        assert_eq!(sorted, names);
    }
}
