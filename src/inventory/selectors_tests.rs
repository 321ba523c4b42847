use super::*;

fn classic(
    rw: ReadWriteType,
    mgmt: bool,
    excl: &[&str],
    data: &[(&str, &[&str])],
) -> ClassicSelector {
    ClassicSelector {
        read_write_type: rw,
        include_management_events: mgmt,
        exclude_management_event_sources: excl.iter().map(|s| s.to_string()).collect(),
        data_resources: data
            .iter()
            .map(|(t, v)| DataResource {
                resource_type: t.to_string(),
                values: v.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
    }
}

fn fs(field: &str, op: &str, values: &[&str]) -> FieldSelector {
    let v: Vec<String> = values.iter().map(|s| s.to_string()).collect();
    let mut f = FieldSelector {
        field: field.into(),
        ..Default::default()
    };
    match op {
        "Equals" => f.equals = v,
        "StartsWith" => f.starts_with = v,
        "EndsWith" => f.ends_with = v,
        "NotEquals" => f.not_equals = v,
        "NotStartsWith" => f.not_starts_with = v,
        "NotEndsWith" => f.not_ends_with = v,
        other => panic!("bad op {other}"),
    }
    f
}

fn adv(name: &str, fields: Vec<FieldSelector>) -> AdvancedSelector {
    AdvancedSelector {
        name: Some(name.into()),
        field_selectors: fields,
    }
}

fn s3(sel: &EventSelectors) -> Option<&DataCoverage> {
    sel.data
        .iter()
        .find(|d| d.resource_type == "AWS::S3::Object")
}

#[test]
fn no_selectors_cover_nothing() {
    let s = EventSelectors::from_raw(vec![], vec![]);
    assert_eq!(s.kind, SelectorKind::None);
    assert!(!s.management.read && !s.management.write);
    assert!(s.data.is_empty());
}

#[test]
fn classic_all_management() {
    let s = EventSelectors::from_raw(vec![classic(ReadWriteType::All, true, &[], &[])], vec![]);
    assert_eq!(s.kind, SelectorKind::Classic);
    assert!(s.management.read && s.management.write && s.management.complete_in_one_selector);
    assert!(s.management.excluded_sources.is_empty());
}

#[test]
fn classic_write_only_is_not_read() {
    let s = EventSelectors::from_raw(
        vec![classic(ReadWriteType::WriteOnly, true, &[], &[])],
        vec![],
    );
    assert!(!s.management.read && s.management.write && !s.management.complete_in_one_selector);
}

#[test]
fn classic_excluded_kms_is_reported() {
    let s = EventSelectors::from_raw(
        vec![classic(
            ReadWriteType::All,
            true,
            &["kms.amazonaws.com"],
            &[],
        )],
        vec![],
    );
    assert!(s.management.read && s.management.write);
    assert_eq!(s.management.excluded_sources, vec!["kms.amazonaws.com"]);
    assert!(!s.management.complete_in_one_selector);
}

#[test]
fn exclusion_cancelled_by_another_selector_without_it() {
    let s = EventSelectors::from_raw(
        vec![
            classic(ReadWriteType::All, true, &["kms.amazonaws.com"], &[]),
            classic(ReadWriteType::All, true, &[], &[]),
        ],
        vec![],
    );
    assert!(s.management.excluded_sources.is_empty());
    assert!(s.management.complete_in_one_selector);
}

#[test]
fn classic_data_only_selector_records_no_management() {
    let s = EventSelectors::from_raw(
        vec![classic(
            ReadWriteType::All,
            false,
            &[],
            &[("AWS::S3::Object", &["arn:aws:s3"])],
        )],
        vec![],
    );
    assert!(!s.management.read && !s.management.write);
    let d = s3(&s).expect("s3 coverage");
    assert!(d.read.all_resources && d.write.all_resources);
}

#[test]
fn classic_all_bucket_values_both_spellings_and_partitions() {
    for value in [
        "arn:aws:s3",
        "arn:aws:s3:::",
        "arn:aws-us-gov:s3",
        "arn:aws-cn:s3:::",
    ] {
        let s = EventSelectors::from_raw(
            vec![classic(
                ReadWriteType::All,
                true,
                &[],
                &[("AWS::S3::Object", &[value])],
            )],
            vec![],
        );
        assert!(
            s3(&s).expect("s3").write.all_resources,
            "{value} should mean all buckets"
        );
    }
}

#[test]
fn classic_one_bucket_is_not_all() {
    let s = EventSelectors::from_raw(
        vec![classic(
            ReadWriteType::All,
            true,
            &[],
            &[("AWS::S3::Object", &["arn:aws:s3:::logs/"])],
        )],
        vec![],
    );
    let d = s3(&s).expect("s3");
    assert!(!d.write.all_resources && !d.read.all_resources);
    assert_eq!(d.write.resources, vec!["arn:aws:s3:::logs/"]);
}

#[test]
fn classic_read_only_s3_is_not_write() {
    let s = EventSelectors::from_raw(
        vec![classic(
            ReadWriteType::ReadOnly,
            true,
            &[],
            &[("AWS::S3::Object", &["arn:aws:s3"])],
        )],
        vec![],
    );
    let d = s3(&s).expect("s3");
    assert!(d.read.all_resources && !d.write.all_resources);
}

#[test]
fn advanced_management_without_read_only_is_complete() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "anything at all",
            vec![fs("eventCategory", "Equals", &["Management"])],
        )],
    );
    assert_eq!(s.kind, SelectorKind::Advanced);
    assert!(s.management.read && s.management.write && s.management.complete_in_one_selector);
}

#[test]
fn advanced_selectors_are_judged_by_fields_not_name() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "Management events selector",
            vec![fs("eventCategory", "Equals", &["Managment"])],
        )],
    );
    assert!(!s.management.read && !s.management.write);
}

#[test]
fn advanced_read_only_operators_all_narrow() {
    for (op, vals, read, write) in [
        ("Equals", &["true"][..], true, false),
        ("Equals", &["false"][..], false, true),
        ("NotEquals", &["true"][..], false, true),
        ("StartsWith", &["t"][..], true, false),
    ] {
        let s = EventSelectors::from_raw(
            vec![],
            vec![adv(
                "m",
                vec![
                    fs("eventCategory", "Equals", &["Management"]),
                    fs("readOnly", op, vals),
                ],
            )],
        );
        assert_eq!(
            (s.management.read, s.management.write),
            (read, write),
            "{op} {vals:?}"
        );
        assert!(!s.management.complete_in_one_selector);
    }
}

#[test]
fn advanced_read_plus_write_selectors_union_but_not_single() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![
            adv(
                "r",
                vec![
                    fs("eventCategory", "Equals", &["Management"]),
                    fs("readOnly", "Equals", &["true"]),
                ],
            ),
            adv(
                "w",
                vec![
                    fs("eventCategory", "Equals", &["Management"]),
                    fs("readOnly", "Equals", &["false"]),
                ],
            ),
        ],
    );
    assert!(s.management.read && s.management.write);
    assert!(!s.management.complete_in_one_selector);
}

#[test]
fn advanced_event_source_not_equals_is_an_exclusion() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "m",
            vec![
                fs("eventCategory", "Equals", &["Management"]),
                fs(
                    "eventSource",
                    "NotEquals",
                    &["kms.amazonaws.com", "rdsdata.amazonaws.com"],
                ),
            ],
        )],
    );
    assert!(s.management.read && s.management.write);
    assert_eq!(
        s.management.excluded_sources,
        vec!["kms.amazonaws.com", "rdsdata.amazonaws.com"]
    );
}

#[test]
fn advanced_event_source_equals_narrows_to_nothing_complete() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "m",
            vec![
                fs("eventCategory", "Equals", &["Management"]),
                fs("eventSource", "Equals", &["s3.amazonaws.com"]),
            ],
        )],
    );
    assert!(!s.management.read && !s.management.write);
}

#[test]
fn advanced_s3_data_all_buckets_write_only() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "d",
            vec![
                fs("eventCategory", "Equals", &["Data"]),
                fs("resources.type", "Equals", &["AWS::S3::Object"]),
                fs("readOnly", "Equals", &["false"]),
            ],
        )],
    );
    let d = s3(&s).expect("s3");
    assert!(d.write.all_resources && !d.read.all_resources);
    assert!(!s.management.read);
}

#[test]
fn advanced_s3_arn_restriction_is_not_all_but_exclusion_is_recorded() {
    let one = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "d",
            vec![
                fs("eventCategory", "Equals", &["Data"]),
                fs("resources.type", "Equals", &["AWS::S3::Object"]),
                fs("resources.ARN", "StartsWith", &["arn:aws:s3:::logs/"]),
            ],
        )],
    );
    let d = s3(&one).expect("s3");
    assert!(!d.write.all_resources);
    assert_eq!(d.write.resources, vec!["arn:aws:s3:::logs/*"]);

    let except = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "d",
            vec![
                fs("eventCategory", "Equals", &["Data"]),
                fs("resources.type", "Equals", &["AWS::S3::Object"]),
                fs(
                    "resources.ARN",
                    "NotStartsWith",
                    &["arn:aws:s3:::trail-bucket/"],
                ),
            ],
        )],
    );
    let d = s3(&except).expect("s3");
    assert!(!d.write.all_resources);
    assert_eq!(
        d.write.all_resources_except,
        vec!["arn:aws:s3:::trail-bucket/*"]
    );
}

#[test]
fn advanced_event_name_narrows_data() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "d",
            vec![
                fs("eventCategory", "Equals", &["Data"]),
                fs("resources.type", "Equals", &["AWS::S3::Object"]),
                fs("eventName", "Equals", &["PutObject"]),
            ],
        )],
    );
    assert!(s3(&s).is_none());
}

#[test]
fn lambda_all_functions() {
    let s = EventSelectors::from_raw(
        vec![classic(
            ReadWriteType::All,
            true,
            &[],
            &[("AWS::Lambda::Function", &["arn:aws:lambda"])],
        )],
        vec![],
    );
    let d = s
        .data
        .iter()
        .find(|d| d.resource_type == "AWS::Lambda::Function")
        .expect("lambda");
    assert!(d.read.all_resources && d.write.all_resources);
}

#[test]
fn unknown_categories_are_ignored() {
    let s = EventSelectors::from_raw(
        vec![],
        vec![adv(
            "n",
            vec![fs("eventCategory", "Equals", &["NetworkActivity"])],
        )],
    );
    assert!(!s.management.read && s.data.is_empty());
}
