//! Identifier newtypes: account ids, regions, partitions, ARNs and timestamps.
//!
//! They serialise as plain strings so inventories stay readable, but the type system keeps an
//! account id from being passed where a region is expected.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_newtype!(
    /// A 12-digit AWS account id.
    AccountId
);
string_newtype!(
    /// An AWS region name such as `us-east-1`.
    Region
);
string_newtype!(
    /// An AWS partition: `aws`, `aws-cn`, `aws-us-gov`, …
    Partition
);
string_newtype!(
    /// An Amazon Resource Name.
    Arn
);

impl Partition {
    /// The regions enabled in every account of the partition: AWS enables the regions launched
    /// before 20 March 2019 by default, and they cannot be disabled ("Enable or disable AWS
    /// Regions in your account", AWS Account Management reference). Later regions are opt-in.
    /// Used only when `ec2:DescribeRegions` could not be read; empty for a partition not known
    /// here.
    pub fn default_regions(&self) -> &'static [&'static str] {
        match self.as_str() {
            "aws" => &[
                "ap-northeast-1",
                "ap-northeast-2",
                "ap-northeast-3",
                "ap-south-1",
                "ap-southeast-1",
                "ap-southeast-2",
                "ca-central-1",
                "eu-central-1",
                "eu-north-1",
                "eu-west-1",
                "eu-west-2",
                "eu-west-3",
                "sa-east-1",
                "us-east-1",
                "us-east-2",
                "us-west-1",
                "us-west-2",
            ],
            "aws-cn" => &["cn-north-1", "cn-northwest-1"],
            "aws-us-gov" => &["us-gov-east-1", "us-gov-west-1"],
            _ => &[],
        }
    }
}

impl Arn {
    /// The partition field of the ARN (`arn:<partition>:…`).
    pub fn partition(&self) -> Option<&str> {
        self.field(1)
    }

    /// The region field of the ARN, when it has one.
    pub fn region(&self) -> Option<&str> {
        self.field(3).filter(|r| !r.is_empty())
    }

    /// The account field of the ARN, when it has one.
    pub fn account(&self) -> Option<&str> {
        self.field(4).filter(|a| !a.is_empty())
    }

    fn field(&self, index: usize) -> Option<&str> {
        let mut parts = self.0.splitn(6, ':');
        if parts.next() != Some("arn") {
            return None;
        }
        parts.nth(index - 1)
    }
}

/// A point in time, serialised as RFC 3339 in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// Seconds since the Unix epoch, for comparisons in rules.
    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Builds a timestamp from seconds since the Unix epoch; `None` when out of range.
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds).ok().map(Self)
    }

    /// Parses an RFC 3339 timestamp.
    pub fn parse(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, &Rfc3339).ok().map(Self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let utc = self.0.to_offset(time::UtcOffset::UTC);
        match utc.format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}", utc.unix_timestamp()),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid RFC 3339 timestamp `{text}`")))
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_fields() {
        let arn = Arn::from("arn:aws:cloudtrail:us-east-1:123456789012:trail/main");
        assert_eq!(arn.partition(), Some("aws"));
        assert_eq!(arn.region(), Some("us-east-1"));
        assert_eq!(arn.account(), Some("123456789012"));
        let bucket = Arn::from("arn:aws:s3:::my-bucket");
        assert_eq!(bucket.region(), None);
        assert_eq!(bucket.account(), None);
        assert_eq!(Arn::from("not-an-arn").account(), None);
    }

    #[test]
    fn timestamp_round_trip() {
        let ts = Timestamp::from_unix_seconds(1_700_000_000).expect("in range");
        let json = serde_json::to_string(&ts).expect("serialises");
        assert_eq!(json, "\"2023-11-14T22:13:20Z\"");
        let back: Timestamp = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, ts);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
