use super::*;

#[test]
fn location_normalisation() {
    assert_eq!(location_from(None).as_str(), "us-east-1");
    let empty = s3::BucketLocationConstraint::from("");
    assert_eq!(location_from(Some(&empty)).as_str(), "us-east-1");
    assert_eq!(
        location_from(Some(&s3::BucketLocationConstraint::Eu)).as_str(),
        "eu-west-1"
    );
    let west = s3::BucketLocationConstraint::from("eu-west-3");
    assert_eq!(location_from(Some(&west)).as_str(), "eu-west-3");
}

#[test]
fn object_lock_needs_default_retention() {
    assert_eq!(object_lock_from(None), ObjectLock::default());
    let enabled_no_rule = s3::ObjectLockConfiguration::builder()
        .object_lock_enabled(s3::ObjectLockEnabled::Enabled)
        .build();
    let got = object_lock_from(Some(&enabled_no_rule));
    assert!(got.enabled && got.default_retention.is_none());
    let with_years = s3::ObjectLockConfiguration::builder()
        .object_lock_enabled(s3::ObjectLockEnabled::Enabled)
        .rule(
            s3::ObjectLockRule::builder()
                .default_retention(
                    s3::DefaultRetention::builder()
                        .mode(s3::ObjectLockRetentionMode::Compliance)
                        .years(2)
                        .days(0)
                        .build(),
                )
                .build(),
        )
        .build();
    let got = object_lock_from(Some(&with_years));
    assert_eq!(
        got.default_retention,
        Some(DefaultRetention {
            mode: "COMPLIANCE".into(),
            period_days: 730
        })
    );
}

#[test]
fn versioning_and_mfa() {
    assert_eq!(
        versioning_from(None, None),
        Versioning {
            status: "Disabled".into(),
            mfa_delete: false
        }
    );
    let v = versioning_from(
        Some(&s3::BucketVersioningStatus::Enabled),
        Some(&s3::MfaDeleteStatus::Enabled),
    );
    assert_eq!(
        v,
        Versioning {
            status: "Enabled".into(),
            mfa_delete: true
        }
    );
    let s = versioning_from(
        Some(&s3::BucketVersioningStatus::Suspended),
        Some(&s3::MfaDeleteStatus::Disabled),
    );
    assert_eq!(s.status, "Suspended");
    assert!(!s.mfa_delete);
}

#[test]
fn public_access_block_missing_flags_are_off() {
    let c = s3::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .build();
    let p = pab_from(&c);
    assert!(p.block_public_acls && !p.ignore_public_acls && !p.all());
}

#[test]
fn public_grants_only_public_groups() {
    let grant = |uri: Option<&str>, id: Option<&str>, perm| {
        let mut g = s3::Grantee::builder().r#type(if uri.is_some() {
            s3::Type::Group
        } else {
            s3::Type::CanonicalUser
        });
        if let Some(u) = uri {
            g = g.uri(u);
        }
        if let Some(i) = id {
            g = g.id(i);
        }
        s3::Grant::builder()
            .grantee(g.build().expect("grantee"))
            .permission(perm)
            .build()
    };
    let grants = [
        grant(
            Some("http://acs.amazonaws.com/groups/global/AllUsers"),
            None,
            s3::Permission::Read,
        ),
        grant(
            Some("http://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
            None,
            s3::Permission::Write,
        ),
        grant(
            Some("http://acs.amazonaws.com/groups/s3/LogDelivery"),
            None,
            s3::Permission::Write,
        ),
        grant(None, Some("owner"), s3::Permission::FullControl),
    ];
    let got = public_grants_from(&grants);
    assert_eq!(
        got,
        vec![
            AclGrant {
                grantee: "AllUsers".into(),
                permission: "READ".into()
            },
            AclGrant {
                grantee: "AuthenticatedUsers".into(),
                permission: "WRITE".into()
            },
        ]
    );
}

#[test]
fn ownership_logging_encryption() {
    let oc = s3::OwnershipControls::builder()
        .rules(
            s3::OwnershipControlsRule::builder()
                .object_ownership(s3::ObjectOwnership::BucketOwnerEnforced)
                .build()
                .expect("rule"),
        )
        .build()
        .expect("oc");
    assert_eq!(
        ownership_from(Some(&oc)).as_deref(),
        Some("BucketOwnerEnforced")
    );
    assert_eq!(ownership_from(None), None);

    let l = s3::LoggingEnabled::builder()
        .target_bucket("access")
        .target_prefix("p/")
        .build()
        .expect("log");
    assert_eq!(
        logging_from(Some(&l)),
        Some(AccessLogging {
            target_bucket: "access".into(),
            target_prefix: "p/".into()
        })
    );
    assert_eq!(logging_from(None), None);

    let enc = s3::ServerSideEncryptionConfiguration::builder()
        .rules(
            s3::ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    s3::ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(s3::ServerSideEncryption::AwsKms)
                        .kms_master_key_id("arn:aws:kms:us-east-1:1:key/k")
                        .build()
                        .expect("sse"),
                )
                .bucket_key_enabled(true)
                .build(),
        )
        .build()
        .expect("enc");
    assert_eq!(
        encryption_from(Some(&enc)),
        Some(DefaultEncryption {
            algorithm: "aws:kms".into(),
            kms_key_id: Some("arn:aws:kms:us-east-1:1:key/k".into()),
            bucket_key_enabled: true,
        })
    );
}
