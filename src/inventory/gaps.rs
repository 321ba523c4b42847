//! What an account's trail discovery could not see, derived from what it recorded.
//!
//! Discovery is the one read whose failure makes things vanish rather than read as errors: a
//! trail nobody described has no settings, no bucket and no key to judge, so without this every
//! finding about it would silently be missing. Each gap becomes ERROR findings in evaluation.

use super::{Arn, CollectError, ErrorKind, Region};

/// Part of an account's trails that could not be seen: what is there, and so what their
/// buckets and keys are, is unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum TrailGap {
    /// `ListTrails` names this trail, but no `DescribeTrails` answer described it.
    Trail {
        /// The trail ARN.
        arn: Arn,
        /// Its home region.
        home_region: Region,
        /// Why it is not described.
        error: CollectError,
    },
    /// `ListTrails` was not available and `DescribeTrails` failed in this region: the trails
    /// homed here are unknown.
    Region {
        /// The region.
        region: Region,
        /// The failed `DescribeTrails`.
        error: CollectError,
    },
    /// Neither the enabled regions nor the trail listing could be read: trails homed in an
    /// opt-in region that was never asked are unknown.
    UnlistedRegions {
        /// The failed `ec2:DescribeRegions`.
        error: CollectError,
    },
}

impl TrailGap {
    /// The failed read behind the gap.
    pub fn error(&self) -> &CollectError {
        match self {
            TrailGap::Trail { error, .. }
            | TrailGap::Region { error, .. }
            | TrailGap::UnlistedRegions { error } => error,
        }
    }

    /// What could not be seen, and why: one line for a finding.
    pub fn describe(&self) -> String {
        let error = self.error();
        match self {
            TrailGap::Trail { home_region, .. } => format!(
                "ListTrails names it, but it could not be described in {home_region}: {error}"
            ),
            TrailGap::Region { region, .. } => format!(
                "DescribeTrails failed in {region} and there is no trail listing to fall back on: {error}"
            ),
            TrailGap::UnlistedRegions { .. } => format!(
                "neither the enabled regions nor the trail listing could be read, so opt-in regions were not asked: {error}"
            ),
        }
    }

    /// What is unknown: `trail ARN`, or the trails homed in a region or in the opt-in regions.
    pub fn subject(&self) -> String {
        match self {
            TrailGap::Trail { arn, .. } => format!("trail {arn}"),
            TrailGap::Region { region, .. } => format!("the trails homed in {region}"),
            TrailGap::UnlistedRegions { .. } => "the trails homed in opt-in regions".to_owned(),
        }
    }
}

/// The error of a listed trail that no `DescribeTrails` answer described.
pub(super) fn not_described(arn: &Arn) -> CollectError {
    CollectError {
        operation: "cloudtrail:DescribeTrails".to_owned(),
        kind: ErrorKind::NotFound,
        code: None,
        message: Some(format!(
            "ListTrails names {arn} but no DescribeTrails answer described it"
        )),
        http_status: None,
    }
}
