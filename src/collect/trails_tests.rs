use super::*;

fn sdk_trail(arn: &str, home: &str) -> ct::Trail {
    ct::Trail::builder()
        .name("main")
        .trail_arn(arn)
        .home_region(home)
        .is_multi_region_trail(true)
        .is_organization_trail(true)
        .include_global_service_events(true)
        .log_file_validation_enabled(true)
        .kms_key_id("arn:aws:kms:us-east-1:111111111111:key/abc")
        .s3_bucket_name("logs")
        .s3_key_prefix("")
        .cloud_watch_logs_log_group_arn("arn:aws:logs:us-east-1:111111111111:log-group:ct:*")
        .build()
}

#[test]
fn trail_conversion_and_ownership() {
    let t = sdk_trail(
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/main",
        "us-east-1",
    );
    let mine = trail_from(
        &t,
        &AccountId::from("111111111111"),
        Region::from("us-east-1"),
    );
    assert!(mine.owned_by_audited_account && mine.is_multi_region && mine.is_organization_trail);
    assert!(mine.include_global_service_events && mine.log_file_validation_enabled);
    assert_eq!(mine.s3_bucket_name.as_deref(), Some("logs"));
    assert_eq!(mine.s3_key_prefix, None, "empty prefix is no prefix");
    assert_eq!(mine.sns_topic_arn, None);
    let seen_by_member = trail_from(
        &t,
        &AccountId::from("222222222222"),
        Region::from("us-east-1"),
    );
    assert!(!seen_by_member.owned_by_audited_account);
    assert_eq!(seen_by_member.owner_account.as_str(), "111111111111");
}

#[test]
fn dedupe_by_arn_keeps_every_region_seen() {
    let arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/main";
    let shadow = sdk_trail(arn, "us-east-1");
    let local = sdk_trail(
        "arn:aws:cloudtrail:eu-west-1:111111111111:trail/eu",
        "eu-west-1",
    );
    let denied = Collected::failed(crate::inventory::CollectError {
        operation: "cloudtrail:DescribeTrails".into(),
        kind: crate::inventory::ErrorKind::AccessDenied,
        code: None,
        message: None,
        http_status: Some(403),
    });
    let per_region = vec![
        (
            Region::from("us-east-1"),
            Collected::Ok(vec![shadow.clone()]),
        ),
        (
            Region::from("eu-west-1"),
            Collected::Ok(vec![shadow, local]),
        ),
        (Region::from("ap-south-1"), denied),
    ];
    let found = dedupe(&per_region);
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[arn].seen_from,
        vec![Region::from("us-east-1"), Region::from("eu-west-1")]
    );
}

#[test]
fn status_conversion_reads_empty_strings_as_absent() {
    let out = aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput::builder()
        .is_logging(true)
        .latest_delivery_error("")
        .latest_digest_delivery_error("AccessDenied")
        .latest_delivery_time(DateTime::from_secs(1_700_000_000))
        .stop_logging_time(DateTime::from_secs(1_600_000_000))
        .build();
    let s = status_from(&out);
    assert!(s.is_logging);
    assert_eq!(s.latest_delivery_error, None);
    assert_eq!(
        s.latest_digest_delivery_error.as_deref(),
        Some("AccessDenied")
    );
    assert_eq!(
        s.latest_delivery_time.map(|t| t.unix_seconds()),
        Some(1_700_000_000)
    );
    assert_eq!(
        s.stop_logging_time.map(|t| t.unix_seconds()),
        Some(1_600_000_000)
    );
    assert_eq!(s.start_logging_time, None);
}

#[test]
fn selector_conversion_classic_defaults_and_advanced_fields() {
    let classic = ct::EventSelector::builder()
        .data_resources(
            ct::DataResource::builder()
                .r#type("AWS::S3::Object")
                .values("arn:aws:s3:::")
                .build(),
        )
        .build();
    let s = selectors_from(&[classic], &[]);
    assert_eq!(
        s.classic[0].read_write_type,
        ReadWriteType::All,
        "AWS default"
    );
    assert!(s.classic[0].include_management_events, "AWS default");
    assert!(s.management.complete_in_one_selector);
    assert!(s.data[0].write.all_resources);

    let adv = ct::AdvancedEventSelector::builder()
        .name("Log writes")
        .field_selectors(
            ct::AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("Management")
                .build()
                .expect("fs"),
        )
        .field_selectors(
            ct::AdvancedFieldSelector::builder()
                .field("readOnly")
                .equals("false")
                .build()
                .expect("fs"),
        )
        .build()
        .expect("sel");
    let s = selectors_from(&[], &[adv]);
    assert_eq!(s.advanced[0].name.as_deref(), Some("Log writes"));
    assert_eq!(s.advanced[0].field_selectors[1].equals, vec!["false"]);
    assert!(!s.management.read && s.management.write);
}

#[test]
fn insights_and_tags_conversion() {
    let sel = [
        ct::InsightSelector::builder()
            .insight_type(ct::InsightType::ApiErrorRateInsight)
            .build(),
        ct::InsightSelector::builder()
            .insight_type(ct::InsightType::ApiCallRateInsight)
            .build(),
        ct::InsightSelector::builder()
            .insight_type(ct::InsightType::ApiCallRateInsight)
            .build(),
    ];
    assert_eq!(
        insights_from(&sel),
        vec!["ApiCallRateInsight", "ApiErrorRateInsight"]
    );
    assert!(insights_from(&[]).is_empty());

    let arn = "arn:aws:cloudtrail:us-east-1:1:trail/t";
    let tags = [ct::ResourceTag::builder()
        .resource_id(arn)
        .tags_list(
            ct::Tag::builder()
                .key("env")
                .value("prod")
                .build()
                .expect("tag"),
        )
        .build()];
    let got = tags_from(&tags, arn);
    assert_eq!(got.get("env").map(String::as_str), Some("prod"));
    assert!(tags_from(&tags, "other").is_empty());
}

#[test]
fn regions_from_listing_show_own_and_multi_region_trails_and_fail_only_what_failed() {
    let me = AccountId::from("111111111111");
    let trail = |arn: &str, home: &str, multi: bool| {
        let mut t = trail_from(&sdk_trail(arn, home), &me, Region::from(home));
        t.is_multi_region = multi;
        t
    };
    let multi = trail(
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/multi",
        "us-east-1",
        true,
    );
    let eu = trail(
        "arn:aws:cloudtrail:eu-west-1:111111111111:trail/eu",
        "eu-west-1",
        false,
    );
    let trails = vec![multi.clone(), eu.clone()];
    let error = crate::inventory::CollectError {
        operation: "cloudtrail:DescribeTrails".into(),
        kind: crate::inventory::ErrorKind::AccessDenied,
        code: None,
        message: None,
        http_status: Some(403),
    };
    let (denied_answer, denied) = (Collected::failed(error.clone()), Collected::failed(error));
    let own = Region::from("us-east-1");
    let account = ["eu-west-1", "us-east-1", "us-west-2"].map(Region::from);
    let arns = |list: &[&Trail]| Collected::Ok(list.iter().map(|t| t.arn.clone()).collect());

    // Every answer fine: a region sees what is homed in it and every multi-region trail. A
    // region outside the account's regions that answered (a trail's home) is kept too.
    let answers = vec![
        (own.clone(), Collected::Ok(vec![])),
        (Region::from("eu-west-1"), Collected::Ok(vec![])),
        (Region::from("ap-south-2"), Collected::Ok(vec![])),
    ];
    let got = regions_from_listing(&account, &own, &answers, &[], &trails);
    let regions: Vec<&str> = got.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        regions,
        ["ap-south-2", "eu-west-1", "us-east-1", "us-west-2"]
    );
    let seen = |r: &str| {
        got.iter()
            .find(|(x, _)| x.as_str() == r)
            .map(|(_, s)| s.clone())
    };
    assert_eq!(seen("eu-west-1"), Some(arns(&[&multi, &eu])));
    assert_eq!(seen("us-east-1"), Some(arns(&[&multi])));
    assert_eq!(seen("us-west-2"), Some(arns(&[&multi])));

    // A home region's answer failed: only that region's trails are unknown.
    let answers = vec![
        (own.clone(), Collected::Ok(vec![])),
        (Region::from("eu-west-1"), denied_answer.clone()),
    ];
    let got = regions_from_listing(&account, &own, &answers, &[], std::slice::from_ref(&multi));
    let seen = |r: &str| {
        got.iter()
            .find(|(x, _)| x.as_str() == r)
            .map(|(_, s)| s.clone())
    };
    assert_eq!(seen("eu-west-1"), Some(denied.clone()));
    assert_eq!(seen("us-west-2"), Some(arns(&[&multi])));

    // The own region's answer is the one that describes multi-region trails: without it no
    // region's trails are known.
    let answers = vec![(own.clone(), denied_answer)];
    let got = regions_from_listing(&account, &own, &answers, &[], &[eu]);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|(_, seen)| *seen == denied), "{got:?}");

    // A listed trail that no answer described fails its home region, and only that one.
    let listed = [
        Listed {
            arn: multi.arn.to_string(),
            home_region: own.clone(),
        },
        Listed {
            arn: "arn:aws:cloudtrail:us-west-2:111111111111:trail/gone".into(),
            home_region: Region::from("us-west-2"),
        },
    ];
    let answers = vec![(own.clone(), Collected::Ok(vec![]))];
    let got = regions_from_listing(
        &account,
        &own,
        &answers,
        &listed,
        std::slice::from_ref(&multi),
    );
    let seen = |r: &str| {
        got.iter()
            .find(|(x, _)| x.as_str() == r)
            .map(|(_, s)| s.clone())
    };
    let err = seen("us-west-2")
        .and_then(|s| s.error().cloned())
        .expect("us-west-2 failed");
    assert_eq!(err.kind, crate::inventory::ErrorKind::NotFound);
    assert!(
        err.message
            .as_deref()
            .is_some_and(|m| m.contains("trail/gone")),
        "{err:?}"
    );
    assert_eq!(seen("eu-west-1"), Some(arns(&[&multi])));
    assert_eq!(seen("us-east-1"), Some(arns(&[&multi])));
}
