//! What an account's trail discovery could not see, derived from what it recorded.
//!
//! Discovery is the one read whose failure makes things vanish rather than read as errors: a
//! trail nobody described has no settings, no bucket and no key to judge, so without this every
//! finding about it would silently be missing. Each gap becomes ERROR findings in evaluation.

use super::{Account, Arn, CollectError, Collected, ErrorKind, Region};

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

impl Account {
    /// The gaps in this account's trail discovery, in inventory order.
    ///
    /// With a listing, exactly the listed trails that were not described. Without one, each
    /// region whose `DescribeTrails` failed, and — when the enabled regions are unknown too —
    /// the regions that were never asked.
    pub fn trail_gaps(&self) -> Vec<TrailGap> {
        match &self.listed_trails {
            Collected::Ok(listed) => listed
                .iter()
                .filter(|t| self.trail(&t.arn).is_none())
                .map(|t| TrailGap::Trail {
                    arn: t.arn.clone(),
                    home_region: t.home_region.clone(),
                    error: self
                        .region_failure(&t.home_region)
                        .cloned()
                        .unwrap_or_else(|| not_described(&t.arn)),
                })
                .collect(),
            Collected::Failed { .. } => {
                let mut gaps: Vec<TrailGap> = self
                    .regions
                    .iter()
                    .filter_map(|r| {
                        r.discovered_trails.error().map(|e| TrailGap::Region {
                            region: r.region.clone(),
                            error: e.clone(),
                        })
                    })
                    .collect();
                if let Some(error) = self.enabled_regions.error() {
                    gaps.push(TrailGap::UnlistedRegions {
                        error: error.clone(),
                    });
                }
                gaps
            }
        }
    }

    fn region_failure(&self, region: &Region) -> Option<&CollectError> {
        self.regions
            .iter()
            .find(|r| &r.region == region)
            .and_then(|r| r.discovered_trails.error())
    }
}

fn not_described(arn: &Arn) -> CollectError {
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
