use super::*;

fn ok<T>(v: T) -> Collected<T> {
    Collected::Ok(v)
}

fn trail(name: &str, home: &str, multi: bool, bucket: &str) -> Trail {
    Trail {
        name: name.into(),
        arn: Arn(format!(
            "arn:aws:cloudtrail:{home}:111111111111:trail/{name}"
        )),
        home_region: Region::from(home),
        owner_account: AccountId::from("111111111111"),
        owned_by_audited_account: true,
        is_multi_region: multi,
        is_organization_trail: false,
        include_global_service_events: true,
        log_file_validation_enabled: true,
        kms_key_id: Some("arn:aws:kms:us-east-1:111111111111:key/k1".into()),
        cloudwatch_logs_log_group_arn: None,
        cloudwatch_logs_role_arn: None,
        sns_topic_arn: None,
        s3_bucket_name: Some(bucket.into()),
        s3_key_prefix: None,
        seen_from_regions: vec![Region::from("eu-west-1"), Region::from(home)],
        applies_to_regions: vec![],
        tags: ok(Default::default()),
        status: ok(TrailStatus {
            is_logging: true,
            ..Default::default()
        }),
        event_selectors: ok(EventSelectors::from_raw(vec![], vec![])),
        insight_selectors: ok(vec![]),
    }
}

fn sample() -> Inventory {
    let regions = ["eu-west-1", "us-east-1", "us-west-2"];
    let t1 = trail("org", "us-east-1", true, "logs");
    let t2 = trail("local", "eu-west-1", false, "logs");
    Inventory {
        schema_version: SCHEMA_VERSION.into(),
        collection: CollectionMeta {
            tool: "trailguard".into(),
            tool_version: "0.1.0".into(),
            started_at: Timestamp::from_unix_seconds(1_700_000_000).expect("ts"),
            finished_at: Timestamp::from_unix_seconds(1_700_000_005).expect("ts"),
            requested_regions: vec![],
        },
        accounts: vec![Account {
            account_id: AccountId::from("111111111111"),
            partition: Partition::from("aws"),
            caller_arn: Arn::from("arn:aws:iam::111111111111:user/auditor"),
            organization: ok(None),
            enabled_regions: ok(regions.iter().map(|r| Region::from(*r)).collect()),
            listed_trails: ok(vec![
                ListedTrail {
                    arn: t2.arn.clone(),
                    home_region: t2.home_region.clone(),
                },
                ListedTrail {
                    arn: t1.arn.clone(),
                    home_region: t1.home_region.clone(),
                },
            ]),
            regions: regions
                .iter()
                .rev()
                .map(|r| RegionState {
                    region: Region::from(*r),
                    in_scope: true,
                    discovered_trails: ok(vec![t2.arn.clone(), t1.arn.clone(), t1.arn.clone()]),
                    applicable_trails: vec![],
                })
                .collect(),
            trails: vec![t1, t2],
            buckets: vec![Bucket {
                name: "logs".into(),
                referenced_by: vec![],
                exists: ok(true),
                owner_account: ok(Some(AccountId::from("111111111111"))),
                owned_by_audited_account: ok(true),
                region: ok(Region::from("us-east-1")),
                object_lock: ok(ObjectLock::default()),
                versioning: ok(Versioning {
                    status: "Enabled".into(),
                    mfa_delete: false,
                }),
                public_access_block: ok(None),
                policy_is_public: ok(false),
                policy: ok(None),
                acl_public_grants: ok(vec![]),
                object_ownership: ok(None),
                access_logging: ok(None),
                default_encryption: ok(None),
            }],
            kms_keys: vec![],
            log_groups: vec![],
            sns_topics: vec![],
        }],
        organization: None,
    }
}

#[test]
fn normalize_computes_region_applicability() {
    let mut inv = sample();
    inv.normalize();
    let acct = &inv.accounts[0];
    let regions: Vec<&str> = acct.regions.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(regions, ["eu-west-1", "us-east-1", "us-west-2"]);
    let multi = acct
        .trails
        .iter()
        .find(|t| t.name == "org")
        .expect("org trail");
    assert_eq!(multi.applies_to_regions.len(), 3);
    let single = acct
        .trails
        .iter()
        .find(|t| t.name == "local")
        .expect("local trail");
    assert_eq!(single.applies_to_regions, vec![Region::from("eu-west-1")]);
    let eu = &acct.regions[0];
    assert_eq!(eu.applicable_trails.len(), 2);
    let us_west = &acct.regions[2];
    assert_eq!(us_west.applicable_trails, vec![multi.arn.clone()]);
    assert_eq!(eu.discovered_trails.ok().map(Vec::len), Some(2), "dedup");
    assert_eq!(acct.buckets[0].referenced_by.len(), 2);
}

#[test]
fn json_round_trip_is_byte_stable() {
    let mut inv = sample();
    inv.normalize();
    let text = inv.to_json();
    let back = Inventory::from_json(&text, "mem").expect("parses");
    assert_eq!(back, inv);
    assert_eq!(back.to_json(), text);
}

#[test]
fn unknown_major_version_refused_with_clear_message() {
    let mut inv = sample();
    inv.schema_version = "2.0".into();
    let err = Inventory::from_json(&inv.to_json(), "old.json").expect_err("refused");
    assert_eq!(
        err.to_string(),
        "old.json:2:21: inventory schema_version 2.0 is not supported (this trailguard reads 1.x)"
    );
    inv.schema_version = "1.7".into();
    assert!(Inventory::from_json(&inv.to_json(), "newer-minor.json").is_ok());
    // A future major version whose shape changed too still gets the version message.
    let future = "{\"schema_version\": \"2.0\", \"accounts\": {\"new\": \"shape\"}}";
    let err = Inventory::from_json(future, "future.json").expect_err("refused");
    assert!(matches!(err, LoadError::Version { .. }), "{err}");
}

#[test]
fn malformed_inventory_names_file_line_and_column() {
    let err = Inventory::from_json(
        "{\n  \"schema_version\": \"1.0\",\n  \"bogus\": 1\n}",
        "x.json",
    )
    .expect_err("invalid");
    let msg = err.to_string();
    assert!(msg.starts_with("x.json:3:"), "{msg}");
}

#[test]
fn schema_is_generated_from_types() {
    let schema = json_schema();
    let text = schema.to_string();
    for field in [
        "schema_version",
        "applies_to_regions",
        "complete_in_one_selector",
        "mfa_delete",
        "metric_filters",
        "actions_enabled",
        "subscriptions",
    ] {
        assert!(text.contains(field), "schema lacks {field}");
    }
}

#[test]
fn organization_trails_are_shared_with_member_accounts() {
    let mut inv = sample();
    let mgmt = inv.accounts[0].clone();
    let mut member = mgmt.clone();
    member.account_id = AccountId::from("222222222222");
    member.trails.clear();
    member.buckets.clear();
    inv.accounts[0].trails[0].is_organization_trail = true;
    inv.accounts.push(member);
    // Without an organization scan nothing is shared.
    let mut single = inv.clone();
    single.share_organization_trails();
    assert!(single.accounts[1].trails.is_empty());

    inv.organization = Some(OrganizationScan {
        id: "o-1".into(),
        management_account_id: AccountId::from("111111111111"),
        scanned_from: AccountId::from("111111111111"),
        accounts: vec![],
    });
    inv.share_organization_trails();
    inv.normalize();
    let member = &inv.accounts[1];
    assert_eq!(
        member.trails.len(),
        1,
        "only the organization trail is shared"
    );
    let t = &member.trails[0];
    assert!(t.is_organization_trail && !t.owned_by_audited_account);
    assert_eq!(t.owner_account.as_str(), "111111111111");
    assert_eq!(
        t.status,
        inv.accounts[0]
            .trails
            .iter()
            .find(|x| x.arn == t.arn)
            .expect("owner copy")
            .status
    );
    let b = member
        .bucket("logs")
        .expect("the trail's bucket comes along");
    assert_eq!(b.owned_by_audited_account, Collected::Ok(false));
    assert_eq!(b.referenced_by, vec![t.arn.clone()]);
    assert!(
        member.regions.is_empty()
            || member
                .regions
                .iter()
                .all(|r| r.applicable_trails.contains(&t.arn))
    );
}

const GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail/org";

/// The sample with the org trail delivering to GROUP, whose one filter's alarm notifies a topic.
fn with_monitoring() -> Inventory {
    let mut inv = sample();
    let acct = &mut inv.accounts[0];
    acct.trails[0].cloudwatch_logs_log_group_arn = Some(format!("{GROUP}:*"));
    let topic = "arn:aws:sns:us-east-1:111111111111:alerts";
    let alarm = Alarm {
        arn: Arn::from("arn:aws:cloudwatch:us-east-1:111111111111:alarm:root"),
        name: "root".into(),
        namespace: "CISBenchmark".into(),
        metric_name: "RootUsage".into(),
        dimensions: BTreeMap::new(),
        metric_math: false,
        actions_enabled: true,
        alarm_actions: vec![topic.into()],
    };
    let mut group = LogGroup::unread(GROUP, not_described(&Arn::from(GROUP)));
    group.metric_filters = ok(vec![MetricFilter {
        name: "root".into(),
        pattern: "{ $.userIdentity.type = \"Root\" }".into(),
        transformations: vec![MetricTransformation {
            metric_name: "RootUsage".into(),
            metric_namespace: "CISBenchmark".into(),
            dimensions: BTreeMap::new(),
            alarms: ok(vec![alarm]),
        }],
    }]);
    acct.log_groups = vec![group];
    acct.sns_topics = vec![Topic {
        arn: Arn::from(topic),
        account_id: AccountId::from("111111111111"),
        region: Region::from("us-east-1"),
        referenced_by: vec![],
        subscriptions: ok(TopicSubscriptions::from_list(vec![])),
    }];
    inv
}

#[test]
fn normalize_links_log_groups_to_trails_and_topics_to_alarms() {
    let mut inv = with_monitoring();
    inv.normalize();
    let acct = &inv.accounts[0];
    let group = acct
        .log_group(&format!("{GROUP}:*"))
        .expect("found with the trail's :* form");
    assert_eq!(group.referenced_by, vec![acct.trails[1].arn.clone()]);
    assert_eq!(group.name, "cloudtrail/org");
    let topic = acct
        .sns_topic("arn:aws:sns:us-east-1:111111111111:alerts")
        .expect("topic");
    assert_eq!(
        topic.referenced_by,
        vec![Arn::from(
            "arn:aws:cloudwatch:us-east-1:111111111111:alarm:root"
        )]
    );
}

#[test]
fn a_schema_1_2_inventory_loads_with_log_group_filters_not_recorded() {
    let inv = with_monitoring();
    let mut json: serde_json::Value = serde_json::from_str(&inv.to_json()).expect("json");
    json["schema_version"] = "1.2".into();
    let account = json["accounts"][0].as_object_mut().expect("account");
    assert!(account.remove("log_groups").is_some());
    assert!(account.remove("sns_topics").is_some());
    let loaded = Inventory::from_json(&json.to_string(), "old.json").expect("1.2 still loads");
    let acct = &loaded.accounts[0];
    assert!(acct.sns_topics.is_empty());
    let group = acct
        .log_group(GROUP)
        .expect("the trail's log group has an entry");
    let error = group
        .metric_filters
        .error()
        .expect("not recorded is an error state, never an empty list");
    assert_eq!(
        (error.operation.as_str(), error.kind),
        ("logs:DescribeMetricFilters", ErrorKind::Skipped)
    );
    assert_eq!(group.referenced_by.len(), 1);
}

#[test]
fn organization_trails_bring_their_log_group_and_topics() {
    let mut inv = with_monitoring();
    inv.accounts[0].trails[0].is_organization_trail = true;
    let mut member = inv.accounts[0].clone();
    member.account_id = AccountId::from("222222222222");
    member.trails.clear();
    member.log_groups.clear();
    member.sns_topics.clear();
    inv.accounts.push(member);
    inv.organization = Some(OrganizationScan {
        id: "o-1".into(),
        management_account_id: AccountId::from("111111111111"),
        scanned_from: AccountId::from("111111111111"),
        accounts: vec![],
    });
    inv.share_organization_trails();
    inv.normalize();
    let (owner, member) = (&inv.accounts[0], &inv.accounts[1]);
    assert_eq!(member.log_groups, owner.log_groups, "the owner's reading");
    assert_eq!(member.sns_topics, owner.sns_topics);
}
