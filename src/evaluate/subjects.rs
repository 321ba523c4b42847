//! Building each scope's subjects from an inventory account (the views of `rules::view`).

use serde::Serialize;
use serde_json::Value;

use super::log_groups::log_group_view;
use crate::finding::{Evidence, Resource};
use crate::inventory::{
    Account, Arn, CollectError, Collected, Inventory, Organization, OrganizationScan, Region,
    Trail, TrailGap,
};
use crate::rules::view::{
    AccountRef, AccountSubject, BucketSubject, KeySubject, OrganizationSubject, TrailSubject,
    TrailView,
};
use crate::vocabulary::{ResourceType, Scope};

/// One subject to evaluate a rule on.
#[derive(Debug, Clone)]
pub struct Subject {
    /// What the finding will be about.
    pub resource: Resource,
    /// The subject as JSON, as the rule's paths read it.
    pub value: Value,
    /// Evidence every verdict on this subject carries (e.g. that its region was assumed
    /// enabled because the enabled regions could not be read).
    pub notes: Vec<Evidence>,
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn trail_view(account: &Account, trail: &Trail) -> TrailView {
    joined_trail_view(account, trail, TrailJoins::ALL)
}

/// The parts joined into a trail's view (its bucket, key and log group with the monitoring
/// chain) that the rules judging a scope read. A region subject embeds its trails' views once
/// per region — twenty copies of an organization trail's log group with its filters, alarms
/// and topics — so a part no rule of the scope reads is left out. A part left out is one no
/// rule looks at: it cannot change a verdict, and no read error in it can be missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailJoins {
    /// `trails[].bucket`.
    pub bucket: bool,
    /// `trails[].kms_key`.
    pub kms_key: bool,
    /// `trails[].log_group`.
    pub log_group: bool,
}

impl TrailJoins {
    /// Every part: what a subject built for any rule has.
    pub const ALL: TrailJoins = TrailJoins {
        bucket: true,
        kms_key: true,
        log_group: true,
    };

    /// The parts any of `paths` (the paths rules' leaves test, see
    /// [`crate::rules::Rule::paths`]) may read: a path to the part or below it, or to a list
    /// or object that holds it (a leaf testing `trails` itself, say `empty`, reads it whole).
    pub fn read_by<'p>(paths: impl IntoIterator<Item = &'p str> + Clone) -> TrailJoins {
        let reads = |part: &str| {
            let full = format!("trails.{part}");
            paths
                .clone()
                .into_iter()
                .any(|p| within(p, &full) || within(&full, p))
        };
        TrailJoins {
            bucket: reads("bucket"),
            kms_key: reads("kms_key"),
            log_group: reads("log_group"),
        }
    }
}

/// Whether dotted `path` is `outer` or below it (`""` holds everything).
fn within(path: &str, outer: &str) -> bool {
    outer.is_empty()
        || path
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn joined_trail_view(account: &Account, trail: &Trail, joins: TrailJoins) -> TrailView {
    TrailView {
        trail: trail.clone(),
        bucket: joins
            .bucket
            .then(|| account.bucket_of(trail).cloned())
            .flatten(),
        kms_key: joins
            .kms_key
            .then(|| account.key_of(trail).cloned())
            .flatten(),
        log_group: joins
            .log_group
            .then(|| log_group_view(account, trail))
            .flatten(),
    }
}

fn account_ref(account: &Account) -> AccountRef {
    AccountRef {
        account_id: account.account_id.clone(),
        partition: account.partition.clone(),
        organization: account.organization.clone(),
    }
}

/// Replaces `value[key]` (a list) by `{items, error}` when the list is only partly read.
fn mark_partial(value: &mut Value, key: &str, error: Option<&CollectError>) {
    if let (Some(err), Some(obj)) = (error, value.as_object_mut())
        && let Some(items) = obj.remove(key)
    {
        let mut wrapped = serde_json::Map::new();
        wrapped.insert("items".into(), items);
        wrapped.insert("error".into(), to_json(err));
        obj.insert(key.into(), Value::Object(wrapped));
    }
}

fn resource(
    account: &Account,
    region: Option<String>,
    resource_type: ResourceType,
    id: String,
    arn: Option<String>,
) -> Resource {
    Resource {
        account_id: account.account_id.to_string(),
        region,
        resource_type,
        id,
        arn,
        partition: account.partition.to_string(),
    }
}

/// The subjects of a scope in one account, in inventory order.
pub fn subjects(scope: Scope, account: &Account) -> Vec<Subject> {
    subjects_with(scope, account, None, TrailJoins::ALL)
}

/// [`subjects`], when a failed read outside the account may hide trails it sees: in an
/// organization scan, the management account's discovery gaps may hide the organization trail
/// that members inherit. Region subjects' trails carry only the parts in `joins`.
pub fn subjects_with(
    scope: Scope,
    account: &Account,
    inherited: Option<&CollectError>,
    joins: TrailJoins,
) -> Vec<Subject> {
    match scope {
        Scope::Account => vec![account_subject(account, inherited)],
        Scope::Region => region_subjects(account, inherited, joins),
        Scope::Trail => trail_subjects(account),
        Scope::Bucket => bucket_subjects(account),
        // One per organization, not per account: see `organization_subjects`.
        Scope::Organization => Vec::new(),
        Scope::Key => key_subjects(account),
    }
}

/// The account itself, its trail list partial when a discovery gap (its own first, else the
/// inherited one) may hide trails, its region list when the enabled regions could not be read.
fn account_subject(account: &Account, inherited: Option<&CollectError>) -> Subject {
    let view = AccountSubject {
        account_id: account.account_id.clone(),
        partition: account.partition.clone(),
        caller_arn: account.caller_arn.clone(),
        organization: account.organization.clone(),
        enabled_regions: account.enabled_regions.clone(),
        regions: account.regions.clone(),
        trails: account
            .trails
            .iter()
            .map(|t| trail_view(account, t))
            .collect(),
        buckets: account.buckets.clone(),
        kms_keys: account.kms_keys.clone(),
    };
    let mut value = to_json(&view);
    let gaps = account.trail_gaps();
    let hidden = gaps.first().map(TrailGap::error).or(inherited);
    mark_partial(&mut value, "trails", hidden);
    mark_partial(&mut value, "regions", account.enabled_regions.error());
    let id = account.account_id.to_string();
    Subject {
        resource: resource(account, None, ResourceType::Account, id, None),
        value,
        notes: Vec::new(),
    }
}

/// One subject per in-scope region, with the trails that apply to it.
fn region_subjects(
    account: &Account,
    inherited: Option<&CollectError>,
    joins: TrailJoins,
) -> Vec<Subject> {
    // Up to twenty regions embed the same few trail views: each is serialized once per
    // account and cloned, the same JSON `RegionSubject` serializes to (tested).
    let account_value = to_json(&account_ref(account));
    let mut views: Vec<Option<Value>> = vec![None; account.trails.len()];
    account
        .regions
        .iter()
        .filter(|r| r.in_scope)
        .map(|state| {
            let trails = state
                .applicable_trails
                .iter()
                .filter_map(|arn| account.trails.iter().position(|t| &t.arn == arn))
                .map(|i| {
                    views[i]
                        .get_or_insert_with(|| {
                            to_json(&joined_trail_view(account, &account.trails[i], joins))
                        })
                        .clone()
                })
                .collect();
            let mut value = to_json(state);
            if let Some(obj) = value.as_object_mut() {
                obj.insert("trails".into(), Value::Array(trails));
                obj.insert("account".into(), account_value.clone());
            }
            let hidden = state.discovered_trails.error().or(inherited);
            mark_partial(&mut value, "trails", hidden);
            let region = state.region.to_string();
            Subject {
                resource: resource(
                    account,
                    Some(region.clone()),
                    ResourceType::Region,
                    region,
                    None,
                ),
                value,
                notes: assumed_region_note(account, &state.region),
            }
        })
        .collect()
}

/// One subject per trail the account sees, in its home region.
fn trail_subjects(account: &Account) -> Vec<Subject> {
    account
        .trails
        .iter()
        .map(|t| {
            let view = TrailSubject {
                trail: trail_view(account, t),
                account: account_ref(account),
            };
            Subject {
                resource: resource(
                    account,
                    Some(t.home_region.to_string()),
                    ResourceType::Trail,
                    t.arn.to_string(),
                    Some(t.arn.to_string()),
                ),
                value: to_json(&view),
                notes: Vec::new(),
            }
        })
        .collect()
}

/// One subject per bucket a trail delivers to, with the trails that reference it.
fn bucket_subjects(account: &Account) -> Vec<Subject> {
    account
        .buckets
        .iter()
        .map(|b| {
            let view = BucketSubject {
                bucket: b.clone(),
                trails: referencing_trails(account, &b.referenced_by),
                account: account_ref(account),
            };
            let region = b.region.ok().map(ToString::to_string);
            let arn = format!("arn:{}:s3:::{}", account.partition, b.name);
            Subject {
                resource: resource(
                    account,
                    region,
                    ResourceType::Bucket,
                    b.name.clone(),
                    Some(arn),
                ),
                value: to_json(&view),
                notes: Vec::new(),
            }
        })
        .collect()
}

/// One subject per KMS key a trail encrypts with, with the trails that reference it. The ARN
/// is the key's own, else its id when that was given as an ARN.
fn key_subjects(account: &Account) -> Vec<Subject> {
    account
        .kms_keys
        .iter()
        .map(|k| {
            let view = KeySubject {
                key: k.clone(),
                trails: referencing_trails(account, &k.referenced_by),
                account: account_ref(account),
            };
            let arn = match &k.metadata {
                Collected::Ok(m) => Some(m.arn.to_string()),
                Collected::Failed { .. } => k.key_id.starts_with("arn:").then(|| k.key_id.clone()),
            };
            Subject {
                resource: resource(
                    account,
                    Some(k.region.to_string()),
                    ResourceType::Key,
                    k.key_id.clone(),
                    arn,
                ),
                value: to_json(&view),
                notes: Vec::new(),
            }
        })
        .collect()
}

/// The account's trails among `arns`, in the order of `arns` (unknown ARNs skipped).
fn referencing_trails(account: &Account, arns: &[Arn]) -> Vec<Trail> {
    arns.iter()
        .filter_map(|arn| account.trail(arn))
        .cloned()
        .collect()
}

/// The subjects of `scope: organization`: one per organization.
///
/// With `--org` the organization is one subject whose trails are the organization trails as
/// their owners read them. Otherwise each audited account speaks for its organization (accounts
/// of the same organization are merged); an account in no organization gives a subject whose
/// `organization` is `null`, and one whose organization could not be read an error.
pub fn organization_subjects(inventory: &Inventory) -> Vec<Subject> {
    match &inventory.organization {
        Some(scan) => scanned_organization_subject(inventory, scan)
            .into_iter()
            .collect(),
        None => per_account_organization_subjects(inventory),
    }
}

/// With `--org`: the one organization, read by its management account (else the account the
/// scan ran from, else the first), its trails the organization trails their owners read.
fn scanned_organization_subject(inventory: &Inventory, scan: &OrganizationScan) -> Option<Subject> {
    let management = inventory
        .accounts
        .iter()
        .find(|a| a.account_id == scan.management_account_id)
        .or_else(|| {
            inventory
                .accounts
                .iter()
                .find(|a| a.account_id == scan.scanned_from)
        });
    let reader = management.or(inventory.accounts.first())?;
    let trails: Vec<TrailView> = inventory
        .accounts
        .iter()
        .flat_map(|a| {
            a.trails
                .iter()
                .filter(|t| t.is_organization_trail && t.owned_by_audited_account)
                .map(move |t| trail_view(a, t))
        })
        .collect();
    let view = OrganizationSubject {
        organization: reader.organization.clone(),
        accounts: scan.accounts.clone(),
        trails,
    };
    let arn = reader
        .organization
        .ok()
        .and_then(|o| o.as_ref())
        .map(|o| o.arn.to_string());
    let mut subject = org_subject(
        reader,
        &scan.id,
        &scan.management_account_id.to_string(),
        arn,
        &view,
    );
    mark_partial(
        &mut subject.value,
        "trails",
        organization_trails_hidden(inventory).as_ref(),
    );
    Some(subject)
}

/// Without `--org`: one subject per organization id, in the order its first account appears;
/// accounts outside any (or unreadable) organization stand alone.
fn per_account_organization_subjects(inventory: &Inventory) -> Vec<Subject> {
    let mut out: Vec<Subject> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for account in &inventory.accounts {
        let org: Option<&Organization> = account.organization.ok().and_then(Option::as_ref);
        if let Some(o) = org {
            if seen.contains(&o.id) {
                continue;
            }
            seen.push(o.id.clone());
        }
        let view = OrganizationSubject {
            organization: account.organization.clone(),
            accounts: Vec::new(),
            trails: member_trails(inventory, account, org),
        };
        let (id, owner, arn) = match org {
            Some(o) => (
                o.id.clone(),
                o.management_account_id.to_string(),
                Some(o.arn.to_string()),
            ),
            None => (
                account.account_id.to_string(),
                account.account_id.to_string(),
                None,
            ),
        };
        let mut subject = org_subject(account, &id, &owner, arn, &view);
        let gaps = account.trail_gaps();
        mark_partial(
            &mut subject.value,
            "trails",
            gaps.first().map(TrailGap::error),
        );
        out.push(subject);
    }
    out
}

/// The trails the audited members of `org` see (just `account`'s when it is in none), each
/// once, in inventory order.
fn member_trails(
    inventory: &Inventory,
    account: &Account,
    org: Option<&Organization>,
) -> Vec<TrailView> {
    let members: Vec<&Account> = match org {
        Some(o) => inventory
            .accounts
            .iter()
            .filter(|a| {
                a.organization
                    .ok()
                    .and_then(Option::as_ref)
                    .is_some_and(|x| x.id == o.id)
            })
            .collect(),
        None => vec![account],
    };
    let mut trails: Vec<TrailView> = Vec::new();
    for a in members {
        for t in &a.trails {
            if !trails.iter().any(|v| v.trail.arn == t.arn) {
                trails.push(trail_view(a, t));
            }
        }
    }
    trails
}

/// In an organization scan, why the organization trails may not all be known: the management
/// account, which owns them, could not be collected or could not describe all its trails.
/// Members inherit these trails, so the same reason makes their trail lists partial.
pub fn organization_trails_hidden(inventory: &Inventory) -> Option<CollectError> {
    let scan = inventory.organization.as_ref()?;
    let management = &scan.management_account_id;
    if let Some(account) = inventory
        .accounts
        .iter()
        .find(|a| &a.account_id == management)
    {
        return account.trail_gaps().first().map(|gap| gap.error().clone());
    }
    scan.accounts
        .iter()
        .find(|a| &a.account_id == management && a.in_scope)
        .and_then(|a| a.error.clone())
}

/// Why a region is judged although the enabled regions are unknown.
fn assumed_region_note(account: &Account, region: &Region) -> Vec<Evidence> {
    let Some(error) = account.enabled_regions.error() else {
        return Vec::new();
    };
    let why = if account
        .partition
        .default_regions()
        .contains(&region.as_str())
    {
        format!(
            "a default region of partition {}, enabled in every account",
            account.partition
        )
    } else {
        "asked for, the scan's own region, or the home region of a listed trail".to_owned()
    };
    vec![Evidence::Note {
        text: format!(
            "the enabled regions could not be read ({error}); {region} is judged as {why}"
        ),
    }]
}

fn org_subject(
    account: &Account,
    id: &str,
    owner: &str,
    arn: Option<String>,
    view: &OrganizationSubject,
) -> Subject {
    let mut resource = resource(
        account,
        None,
        ResourceType::Organization,
        id.to_owned(),
        arn,
    );
    resource.account_id = owner.to_owned();
    Subject {
        resource,
        value: to_json(view),
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::view::RegionSubject;

    /// The region subjects built from cached trail views are exactly what serializing a
    /// `RegionSubject` gives (the view whose schema validates rule paths).
    #[test]
    fn region_subjects_equal_the_serialized_view() {
        let fixtures = [
            include_str!("../../tests/fixtures/inventories/compliant.json"),
            include_str!("../../tests/fixtures/inventories/denied.json"),
            include_str!("../../tests/fixtures/inventories/legacy.json"),
            include_str!("../../tests/fixtures/inventories/org-member.json"),
            include_str!("../../tests/fixtures/inventories/cross-account-bucket.json"),
        ];
        let mut compared = 0;
        for text in fixtures {
            let inventory = Inventory::from_json(text, "fixture").expect("fixture inventory");
            for account in &inventory.accounts {
                let built = subjects(Scope::Region, account);
                let expected: Vec<Value> = account
                    .regions
                    .iter()
                    .filter(|r| r.in_scope)
                    .map(|state| {
                        let view = RegionSubject {
                            state: state.clone(),
                            trails: state
                                .applicable_trails
                                .iter()
                                .filter_map(|arn| account.trail(arn))
                                .map(|t| trail_view(account, t))
                                .collect(),
                            account: account_ref(account),
                        };
                        let mut value = to_json(&view);
                        mark_partial(&mut value, "trails", state.discovered_trails.error());
                        value
                    })
                    .collect();
                assert_eq!(built.len(), expected.len());
                for (b, e) in built.iter().zip(&expected) {
                    assert_eq!(&b.value, e);
                    compared += 1;
                }
            }
        }
        // The fixtures have regions with trails, without, and with a failed DescribeTrails.
        assert!(compared > 10, "only {compared} region subjects compared");
    }

    #[test]
    fn a_joined_part_is_kept_when_a_path_reaches_it_or_holds_it() {
        let joins = |paths: &[&str]| TrailJoins::read_by(paths.iter().copied());
        let none = TrailJoins {
            bucket: false,
            kms_key: false,
            log_group: false,
        };
        assert_eq!(
            joins(&["trails", "trails.status.is_logging"]),
            TrailJoins::ALL
        );
        assert_eq!(joins(&[""]), TrailJoins::ALL);
        assert_eq!(joins(&["trails.status.is_logging", "region"]), none);
        assert_eq!(
            joins(&["trails.log_group.metric_filters.pattern"]),
            TrailJoins {
                log_group: true,
                ..none
            }
        );
        assert_eq!(
            joins(&["trails.bucket", "trails.kms_keyring"]),
            TrailJoins {
                bucket: true,
                ..none
            }
        );
    }

    /// Leaving out the parts the region rules do not read changes no finding: the built-in
    /// pack judged on region subjects with every part and with only the parts it reads.
    #[test]
    fn region_subjects_without_unread_parts_give_the_same_verdicts() {
        let rules = crate::rules::load_builtin().expect("built-in rules");
        let region_rules: Vec<&crate::rules::Rule> =
            rules.iter().filter(|r| r.scope == Scope::Region).collect();
        let paths: Vec<String> = region_rules.iter().flat_map(|r| r.paths()).collect();
        let joins = TrailJoins::read_by(paths.iter().map(String::as_str));
        assert!(
            !joins.log_group,
            "no region rule reads the monitoring chain: {paths:?}"
        );
        let now = crate::inventory::Timestamp::parse("2026-01-01T00:00:00Z").expect("time");
        let mut judged = 0;
        for text in [
            include_str!("../../tests/fixtures/inventories/compliant.json"),
            include_str!("../../tests/fixtures/inventories/denied.json"),
            include_str!("../../tests/fixtures/inventories/org-member.json"),
            include_str!("../../tests/fixtures/inventories/legacy.json"),
            include_str!("../../examples/demo-inventory.json"),
        ] {
            let inventory = Inventory::from_json(text, "fixture").expect("fixture inventory");
            for account in &inventory.accounts {
                let full = subjects_with(Scope::Region, account, None, TrailJoins::ALL);
                let pruned = subjects_with(Scope::Region, account, None, joins);
                for (f, p) in full.iter().zip(&pruned) {
                    for rule in &region_rules {
                        let params = rule.param_values();
                        let a = super::super::judge(rule, &f.value, &params, now);
                        let b = super::super::judge(rule, &p.value, &params, now);
                        assert_eq!(a, b, "{} on {}", rule.id, f.resource.id);
                        judged += 1;
                    }
                }
            }
        }
        assert!(judged > 10, "only {judged} verdicts compared");
    }
}
