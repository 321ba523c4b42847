//! From the outcomes of the gate, waiver and baseline stages to the report's plain types, so
//! that wiring a run is `Annotations::from_outcomes(..)` and `GateSummary::from_decision(..)`.

use super::model::{Annotations, AppliedWaiver, GateSummary, WaiverEntry, WaiverReport};
use crate::baseline::BaselineOutcome;
use crate::gate::{GateDecision, GatePolicy};
use crate::waivers::{self, WaiverNotice, WaiverOutcome};

impl GateSummary {
    /// The gate's decision under its policy.
    pub fn from_decision(decision: &GateDecision, policy: &GatePolicy) -> GateSummary {
        GateSummary {
            exit_code: decision.exit_code,
            failed: decision.failed,
            reason: decision.reason.clone(),
            fail_on: policy.fail_on,
            allow_errors: policy.allow_errors,
            exit_zero: policy.exit_zero,
            fail_on_new_only: policy.fail_on_new_only,
        }
    }
}

impl Annotations {
    /// Waivers and baseline, when the run had them.
    pub fn from_outcomes(
        waivers: Option<&WaiverOutcome>,
        baseline: Option<&BaselineOutcome>,
    ) -> Annotations {
        let mut a = Annotations::default();
        if let Some(w) = waivers {
            a.waivers = w
                .applied
                .iter()
                .map(|(fp, applied)| (fp.clone(), AppliedWaiver::from(applied)))
                .collect();
            a.waiver_report = WaiverReport::from(w);
        }
        if let Some(b) = baseline {
            a.baseline = b.state.clone();
            a.resolved = b.resolved.clone();
        }
        a
    }
}

impl From<&waivers::AppliedWaiver> for AppliedWaiver {
    fn from(w: &waivers::AppliedWaiver) -> AppliedWaiver {
        AppliedWaiver {
            id: w.id.clone(),
            rule: w.rule.clone(),
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            expires: waivers::iso(w.expires),
        }
    }
}

impl From<&WaiverNotice> for WaiverEntry {
    fn from(n: &WaiverNotice) -> WaiverEntry {
        WaiverEntry {
            id: n.id.clone(),
            rule: n.rule.clone(),
            resource: n.resource.clone(),
            reason: n.reason.clone(),
            owner: n.owner.clone(),
            expires: waivers::iso(n.expires),
            location: n.location.clone(),
            matched: n.matched,
        }
    }
}

impl From<&WaiverOutcome> for WaiverReport {
    fn from(o: &WaiverOutcome) -> WaiverReport {
        let list = |l: &[WaiverNotice]| l.iter().map(WaiverEntry::from).collect();
        WaiverReport {
            applied: list(&o.used),
            expired: list(&o.expired),
            unused: list(&o.unused),
        }
    }
}
