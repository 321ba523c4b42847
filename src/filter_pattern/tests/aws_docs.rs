//! Every example of AWS's filter-pattern documentation: the current page
//! (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html) and
//! its 2020 and 2022 revisions (awsdocs/amazon-cloudwatch-logs-user-guide,
//! doc_source/FilterAndPatternSyntax.md).

use serde_json::{Value, json};

use super::super::{Unsupported, Verdict};
use super::{assert_matches, parse};

/// The JSON log event of "Using filter patterns to match terms in JSON log events"
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html),
/// with `ThisFlag` of the 2020 revision (awsdocs/amazon-cloudwatch-logs-user-guide).
fn doc_event() -> Value {
    json!({
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": null,
        "ThisFlag": true,
        "cluster.name": "c"
    })
}

#[test]
fn every_documented_json_example_matches_the_documented_event() {
    let event = doc_event();
    for pattern in [
        r#"{ $.eventType = "UpdateTrail" }"#,
        "{ $.sourceIPAddress != 123.123.* }",
        r#"{ $.arrayKey[0] = "value" }"#,
        "{ $.objectList[1].id = 2 }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.ThisFlag IS TRUE }",
        "{ $.eventType = %Trail% }",
        "{ $.arrayKey[*] = %val.{2}% }",
        r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }",
        r#"{ $.['cluster.name'] = "c" }"#,
        // 2022 revision, "Publishing dimensions with metrics from JSON log events".
        r#"{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }"#,
    ] {
        assert_matches(pattern, &event, true);
    }
}

#[test]
fn the_documented_examples_fail_where_the_documentation_says_they_fail() {
    let event = doc_event();
    // "If arrayKey is not an array this will be false"; "This will only be true is the
    // specified object is set to null"; and the tests turned around.
    for pattern in [
        r#"{ $.eventType = "UpdateTrail2" }"#,
        "{ $.sourceIPAddress != 111.111.* }",
        r#"{ $.eventType[0] = "UpdateTrail" }"#,
        "{ $.objectList[2].id = 2 }",
        "{ $.objectList.id = 2 }",
        "{ $.SomeOtherObject IS NULL }",
        "{ $.eventType IS NULL }",
        "{ $.SomeObject NOT EXISTS }",
        "{ $.ThisFlag IS FALSE }",
        "{ $.eventType = %^Trail% }",
        "{ $.['cluster'] = \"c\" }",
    ] {
        assert_matches(pattern, &event, false);
    }
    // "both {$.users = 1} and {$.users != 1} will fail to match a log event where users is
    // an array".
    let users = json!({"users": [1, 2, 3]});
    assert_matches("{$.users = 1}", &users, false);
    assert_matches("{$.users != 1}", &users, false);
}

#[test]
fn the_documented_compound_examples_follow_and_before_or() {
    let event = json!({
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [
            {"id": 2, "email": "John.Doe@example.com"},
            {"id": 3, "email": "Jane.Doe@example.com"}
        ],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
    });
    let cases = [
        (
            r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#,
            true,
        ),
        (
            r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#,
            false,
        ),
        (
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#,
            true,
        ),
        (
            r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }"#,
            false,
        ),
        // The 2022 revision quotes the values.
        (
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }"#,
            true,
        ),
        ("{ $.coordinates[1][2] = 6 && $.actions[*] = PUT }", true),
    ];
    for (pattern, expected) in cases {
        assert_matches(pattern, &event, expected);
    }
}

#[test]
fn the_documented_or_example_matches_either_event() {
    // 2020 revision, "OR Pattern Matching".
    let (bar, baz) = (json!({"foo": "bar"}), json!({"foo": "baz"}));
    assert_matches("{$.foo = bar}", &bar, true);
    assert_matches("{$.foo = bar}", &baz, false);
    assert_matches("{$.foo = baz }", &baz, true);
    assert_matches("{$.foo = bar || $.foo = baz }", &bar, true);
    assert_matches("{$.foo = bar || $.foo = baz }", &baz, true);
}

#[test]
fn the_documented_numeric_examples_compare_numbers() {
    let event = json!({
        "latency": 1500, "numbers": [0.02], "processes": [0, 0, 0, 0, {"averageRuntime": 55.5}],
        "errorCode": 400, "bandwidth": 80, "refreshRate": 60, "responseTime": 5, "number": [1e-3]
    });
    for pattern in [
        "{ $.latency >= 500 }",
        "{ $.numbers[0] < 10e3 }",
        "{ $.processes[4].averageRuntime <= 55.5 }",
        "{ $.errorCode = 400 }",
        "{ $.errorCode = 400}",
        "{ $.errorCode != 500 }",
        "{ $.latency > +1000 }",
        "{ $.bandwidth > 75 }",
        "{ $.refreshRate >= 60 }",
        "{ $.responseTime <= 5 }",
        "{ $.number[0] = 1e-3 }",
        "{ $.number[0] != 1e+3 }",
        "{ $.latency = * }",
        "{ $.errorCode = 4* }",
    ] {
        assert_matches(pattern, &event, true);
    }
    for pattern in [
        "{ $.numbers[0] < 10e-3 }",
        "{ $.latency < 50 }",
        "{ $.errorCode != 400 }",
        "{ $.errorCode = 5* }",
        "{ $.missing = * }",
        "{ $.missing != 1 }",
    ] {
        assert_matches(pattern, &event, false);
    }
    // A number written as a string is not a number.
    assert_matches("{ $.code = 400 }", &json!({"code": "400"}), false);
    assert_matches("{ $.code > 1 }", &json!({"code": "400"}), false);
}

#[test]
fn term_and_space_delimited_patterns_are_recognised_and_never_match_json() {
    let event = doc_event();
    for (text, reason) in [
        ("ERROR", Unsupported::Terms),
        ("ERROR ARGUMENTS", Unsupported::Terms),
        ("?ERROR ?ARGUMENTS", Unsupported::Terms),
        ("\"INTERNAL SERVER ERROR\"", Unsupported::Terms),
        ("ERROR -ARGUMENTS", Unsupported::Terms),
        ("\" \"", Unsupported::Terms),
        ("%AUTHORIZED%", Unsupported::Terms),
        ("UpdateTrail", Unsupported::Terms),
        ("", Unsupported::Empty),
        (" \n", Unsupported::Empty),
        (
            "[ip, user, username, timestamp, request, status_code, bytes]",
            Unsupported::SpaceDelimited,
        ),
        ("[..., status_code, bytes]", Unsupported::SpaceDelimited),
        ("[w1=ERROR, w2]", Unsupported::SpaceDelimited),
        (
            "[w1!=ERROR && w1!=WARNING, w2]",
            Unsupported::SpaceDelimited,
        ),
        (
            r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
            Unsupported::SpaceDelimited,
        ),
    ] {
        let pattern = parse(text);
        assert_eq!(
            pattern.evaluate(&event),
            Verdict::Unsupported(reason),
            "{text}"
        );
        assert!(!pattern.matches(&event), "{text}");
        assert_eq!(pattern.to_string(), text);
        assert!(pattern.as_json().is_none());
    }
    let message = Unsupported::Terms.to_string();
    assert!(
        message.contains("raw text, not CloudTrail's JSON fields"),
        "{message}"
    );
}

/// Where the documentation is silent: the choices the module documentation lists.
#[test]
fn the_undocumented_cases_follow_the_documented_choices() {
    let event = json!({
        "name": "Ev*ent", "flag": false, "gone": null, "quote": "say \"hi\"",
        "items": [{"k": "a"}, {"k": "b"}], "tags": {"x": 1, "y": "two"}
    });
    let cases = [
        (
            "{ $.gone is null && $.flag Is False && $.nothing not exists }",
            true,
        ),
        ("{ $.name = \"Ev*ent\" }", true),
        ("{ $.name = \"*v*n*\" }", false),
        ("{ $.name = \"*v*e*\" }", true),
        ("{ $.name = \"*\\*ent\" }", false),
        (r#"{ $.quote = "say \"hi\"" }"#, true),
        ("{ $.flag = false }", false),
        ("{ $.flag != true }", false),
        ("{ $.gone = * }", false),
        ("{ $.gone != x }", false),
        ("{ $.nothing != x }", false),
        ("{ $.items.k = a }", false),
        ("{ $.items[*].k = b }", true),
        ("{ $.items[*].k != a }", true),
        ("{ $.items[*].missing NOT EXISTS }", true),
        ("{ $.items[*].k NOT EXISTS }", false),
        ("{ $.tags.* = 1 && $.tags[*] = two }", true),
        ("{ $.tags.* > 0 }", true),
        (
            "{ $.tags.x = 1.0 && $.tags.x = 1e0 && $.tags.x != 2 }",
            true,
        ),
        ("{ $.tags.x = %^1$% }", true),
    ];
    for (pattern, expected) in cases {
        assert_matches(pattern, &event, expected);
    }
}
