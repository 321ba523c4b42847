//! Event selectors: the raw classic and advanced forms, and one normalised coverage model.
//!
//! Rules ask "does this trail log all management events?" or "all S3 object writes?". Peers get
//! this wrong by checking selector *names* or only one selector form (CHECKS.md §2.2), so the
//! answer is computed here once, by evaluating advanced field selectors as the predicates they are.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A trail's event selectors: what `GetEventSelectors` returned, and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelectors {
    /// Which selector form the trail uses.
    pub kind: SelectorKind,
    /// Classic `EventSelectors`, as returned.
    pub classic: Vec<ClassicSelector>,
    /// `AdvancedEventSelectors`, as returned.
    pub advanced: Vec<AdvancedSelector>,
    /// Management-event coverage of all selectors together.
    pub management: ManagementCoverage,
    /// Data-event coverage per resource type, sorted by type.
    pub data: Vec<DataCoverage>,
}

/// Which selector form a trail uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SelectorKind {
    /// No selectors at all: the trail records no events.
    None,
    /// Classic `EventSelectors`.
    Classic,
    /// `AdvancedEventSelectors`.
    Advanced,
    /// Both forms returned (AWS forbids it; some emulators allow it). Both are evaluated.
    Both,
}

/// A classic event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassicSelector {
    /// `ReadWriteType` (AWS default: all).
    pub read_write_type: ReadWriteType,
    /// `IncludeManagementEvents` (AWS default: true).
    pub include_management_events: bool,
    /// `ExcludeManagementEventSources`.
    pub exclude_management_event_sources: Vec<String>,
    /// `DataResources`.
    pub data_resources: Vec<DataResource>,
}

/// `ReadWriteType` of a classic selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadWriteType {
    /// `All`.
    All,
    /// `ReadOnly`.
    ReadOnly,
    /// `WriteOnly`.
    WriteOnly,
}

impl ReadWriteType {
    fn read(self) -> bool {
        matches!(self, ReadWriteType::All | ReadWriteType::ReadOnly)
    }

    fn write(self) -> bool {
        matches!(self, ReadWriteType::All | ReadWriteType::WriteOnly)
    }
}

/// A classic `DataResource`: a resource type and the ARN values (prefixes) it selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataResource {
    /// `Type`, e.g. `AWS::S3::Object`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// `Values`, e.g. `arn:aws:s3` (all buckets) or `arn:aws:s3:::bucket/`.
    pub values: Vec<String>,
}

/// An advanced event selector: field selectors that are AND-ed together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedSelector {
    /// `Name` — for evidence only; coverage never depends on it.
    pub name: Option<String>,
    /// `FieldSelectors`.
    pub field_selectors: Vec<FieldSelector>,
}

/// One advanced field selector. Operators are AND-ed; values within an operator are OR-ed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSelector {
    /// `Field`, e.g. `eventCategory`, `readOnly`, `resources.type`.
    pub field: String,
    /// `Equals`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// `StartsWith`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// `EndsWith`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    /// `NotEquals`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    /// `NotStartsWith`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    /// `NotEndsWith`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

impl FieldSelector {
    /// Whether this field selector accepts `value`.
    pub fn matches(&self, value: &str) -> bool {
        let positive_ok = |vals: &[String], f: &dyn Fn(&str) -> bool| {
            vals.is_empty() || vals.iter().any(|v| f(v))
        };
        positive_ok(&self.equals, &|v| value == v)
            && positive_ok(&self.starts_with, &|v| value.starts_with(v))
            && positive_ok(&self.ends_with, &|v| value.ends_with(v))
            && !self.not_equals.iter().any(|v| value == v)
            && !self
                .not_starts_with
                .iter()
                .any(|v| value.starts_with(v.as_str()))
            && !self
                .not_ends_with
                .iter()
                .any(|v| value.ends_with(v.as_str()))
    }

    /// True when only negative operators are used, i.e. the selector excludes and never narrows.
    fn only_excludes(&self) -> bool {
        self.equals.is_empty() && self.starts_with.is_empty() && self.ends_with.is_empty()
    }

    /// The excluded values, with `*` marking prefix and suffix exclusions.
    fn exclusions(&self) -> Vec<String> {
        let mut out: Vec<String> = self.not_equals.clone();
        out.extend(self.not_starts_with.iter().map(|v| format!("{v}*")));
        out.extend(self.not_ends_with.iter().map(|v| format!("*{v}")));
        out
    }

    /// The values a positive operator selects (prefixes and suffixes marked with `*`).
    fn selections(&self) -> Vec<String> {
        let mut out: Vec<String> = self.equals.clone();
        out.extend(self.starts_with.iter().map(|v| format!("{v}*")));
        out.extend(self.ends_with.iter().map(|v| format!("*{v}")));
        out
    }
}

/// Which management events the trail records.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagementCoverage {
    /// Read management events are recorded (by any selector, exclusions aside).
    pub read: bool,
    /// Write management events are recorded (by any selector, exclusions aside).
    pub write: bool,
    /// Event sources left out of the recorded management events (e.g. `kms.amazonaws.com`).
    pub excluded_sources: Vec<String>,
    /// One single selector records all read and write management events with no exclusions —
    /// the literal CIS reading, stricter than `read ∧ write` from several selectors.
    pub complete_in_one_selector: bool,
}

/// Data-event coverage for one resource type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataCoverage {
    /// The resource type, e.g. `AWS::S3::Object`, `AWS::Lambda::Function`.
    pub resource_type: String,
    /// Coverage of read (`readOnly=true`) data events.
    pub read: DirectionCoverage,
    /// Coverage of write (`readOnly=false`) data events.
    pub write: DirectionCoverage,
}

/// Data-event coverage in one direction (read or write).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectionCoverage {
    /// Every resource of the type, current and future, with no exclusion or narrowing.
    pub all_resources: bool,
    /// When not all: every resource except ARNs matching these patterns (`resources.ARN`
    /// exclusions of advanced selectors; `*` marks a prefix or suffix).
    pub all_resources_except: Vec<String>,
    /// Specific resources (ARNs or ARN prefixes; `*` marks a prefix) that are covered.
    pub resources: Vec<String>,
}

/// What one selector contributes, before the union over selectors.
#[derive(Default)]
struct Contribution {
    management: Option<ManagementPart>,
    data: Vec<(String, bool, bool, Scope)>,
}

struct ManagementPart {
    read: bool,
    write: bool,
    exclusions: BTreeSet<String>,
}

enum Scope {
    All,
    AllExcept(BTreeSet<String>),
    Some(Vec<String>),
}

/// Fields that narrow a data selector to fewer events than "all of this resource type".
const DATA_FIELDS_THAT_DO_NOT_NARROW: &[&str] = &[
    "eventCategory",
    "resources.type",
    "readOnly",
    "resources.ARN",
];

impl EventSelectors {
    /// Normalises the raw selectors into the coverage model.
    pub fn from_raw(classic: Vec<ClassicSelector>, advanced: Vec<AdvancedSelector>) -> Self {
        let kind = match (classic.is_empty(), advanced.is_empty()) {
            (true, true) => SelectorKind::None,
            (false, true) => SelectorKind::Classic,
            (true, false) => SelectorKind::Advanced,
            (false, false) => SelectorKind::Both,
        };
        let contributions: Vec<Contribution> = classic
            .iter()
            .map(classic_contribution)
            .chain(advanced.iter().map(advanced_contribution))
            .collect();
        EventSelectors {
            kind,
            management: union_management(&contributions),
            data: union_data(&contributions),
            classic,
            advanced,
        }
    }
}

fn classic_contribution(sel: &ClassicSelector) -> Contribution {
    let management = sel.include_management_events.then(|| ManagementPart {
        read: sel.read_write_type.read(),
        write: sel.read_write_type.write(),
        exclusions: sel
            .exclude_management_event_sources
            .iter()
            .cloned()
            .collect(),
    });
    let data = sel
        .data_resources
        .iter()
        .map(|res| {
            let scope = if res.values.iter().any(|v| is_all_resources_value(v)) {
                Scope::All
            } else {
                Scope::Some(res.values.clone())
            };
            (
                res.resource_type.clone(),
                sel.read_write_type.read(),
                sel.read_write_type.write(),
                scope,
            )
        })
        .collect();
    Contribution { management, data }
}

/// `arn:<partition>:<service>` optionally followed by empty ARN fields (`arn:aws:s3:::`) selects
/// every resource of the type; anything longer names specific resources.
fn is_all_resources_value(value: &str) -> bool {
    let mut parts = value.split(':');
    let head_ok = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| !p.is_empty())
        && parts.next().is_some_and(|s| !s.is_empty());
    head_ok && parts.all(str::is_empty)
}

fn advanced_contribution(sel: &AdvancedSelector) -> Contribution {
    let field = |name: &str| sel.field_selectors.iter().find(|f| f.field == name);
    let Some(category) = field("eventCategory") else {
        // AWS requires eventCategory; a selector without it selects nothing we can vouch for.
        return Contribution::default();
    };
    let (read, write) = match field("readOnly") {
        None => (true, true),
        Some(ro) => (ro.matches("true"), ro.matches("false")),
    };
    let mut out = Contribution::default();

    if category.matches("Management") {
        let narrowed = sel.field_selectors.iter().any(|f| {
            !matches!(
                f.field.as_str(),
                "eventCategory" | "readOnly" | "eventSource"
            )
        });
        let source = field("eventSource");
        let source_only_excludes = source.is_none_or(FieldSelector::only_excludes);
        if !narrowed && source_only_excludes {
            out.management = Some(ManagementPart {
                read,
                write,
                exclusions: source
                    .map(|s| s.exclusions())
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            });
        }
    }

    if category.matches("Data") {
        let narrowed = sel
            .field_selectors
            .iter()
            .any(|f| !DATA_FIELDS_THAT_DO_NOT_NARROW.contains(&f.field.as_str()));
        if !narrowed {
            let scope = match field("resources.ARN") {
                None => Scope::All,
                Some(arn) if arn.only_excludes() => {
                    Scope::AllExcept(arn.exclusions().into_iter().collect())
                }
                Some(arn) => Scope::Some(arn.selections()),
            };
            if let Some(types) = field("resources.type") {
                for t in &types.equals {
                    let scope = match &scope {
                        Scope::All => Scope::All,
                        Scope::AllExcept(e) => Scope::AllExcept(e.clone()),
                        Scope::Some(v) => Scope::Some(v.clone()),
                    };
                    out.data.push((t.clone(), read, write, scope));
                }
            }
        }
    }
    out
}

fn union_management(contributions: &[Contribution]) -> ManagementCoverage {
    let parts: Vec<&ManagementPart> = contributions
        .iter()
        .filter_map(|c| c.management.as_ref())
        .collect();
    // An event source is excluded overall only if every selector recording that direction
    // excludes it: one selector without the exclusion records it.
    let excluded_in = |pick: fn(&ManagementPart) -> bool| -> Option<BTreeSet<String>> {
        parts
            .iter()
            .filter(|p| pick(p))
            .map(|p| p.exclusions.clone())
            .reduce(|a, b| a.intersection(&b).cloned().collect())
    };
    let read_excl = excluded_in(|p| p.read);
    let write_excl = excluded_in(|p| p.write);
    let mut excluded: BTreeSet<String> = BTreeSet::new();
    excluded.extend(read_excl.iter().flatten().cloned());
    excluded.extend(write_excl.iter().flatten().cloned());
    ManagementCoverage {
        read: read_excl.is_some(),
        write: write_excl.is_some(),
        excluded_sources: excluded.into_iter().collect(),
        complete_in_one_selector: parts
            .iter()
            .any(|p| p.read && p.write && p.exclusions.is_empty()),
    }
}

fn union_data(contributions: &[Contribution]) -> Vec<DataCoverage> {
    #[derive(Default)]
    struct Acc {
        all: bool,
        except: Option<BTreeSet<String>>,
        some: BTreeSet<String>,
    }
    impl Acc {
        fn add(&mut self, scope: &Scope) {
            match scope {
                Scope::All => self.all = true,
                Scope::AllExcept(e) => {
                    self.except = Some(match self.except.take() {
                        None => e.clone(),
                        Some(prev) => prev.intersection(e).cloned().collect(),
                    })
                }
                Scope::Some(values) => self.some.extend(values.iter().cloned()),
            }
        }
        fn finish(self) -> DirectionCoverage {
            let all = self.all || self.except.as_ref().is_some_and(BTreeSet::is_empty);
            DirectionCoverage {
                all_resources: all,
                all_resources_except: if all {
                    Vec::new()
                } else {
                    self.except.unwrap_or_default().into_iter().collect()
                },
                resources: self.some.into_iter().collect(),
            }
        }
    }
    let mut by_type: BTreeMap<String, (Acc, Acc)> = BTreeMap::new();
    for (resource_type, read, write, scope) in contributions.iter().flat_map(|c| &c.data) {
        let entry = by_type.entry(resource_type.clone()).or_default();
        if *read {
            entry.0.add(scope);
        }
        if *write {
            entry.1.add(scope);
        }
    }
    by_type
        .into_iter()
        .map(|(resource_type, (read, write))| DataCoverage {
            resource_type,
            read: read.finish(),
            write: write.finish(),
        })
        .collect()
}

#[cfg(test)]
#[path = "selectors_tests.rs"]
mod tests;
