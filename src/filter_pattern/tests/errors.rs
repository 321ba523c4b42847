//! Patterns CloudWatch Logs would refuse (or that this parser bounds) fail with the kind of
//! fault and its position.

use super::super::{MAX_NESTING, MAX_PATTERN_CHARS, ParseErrorKind};
use super::error;

/// The error's kind and `line:column`.
fn fault(text: &str) -> (ParseErrorKind, String) {
    let e = error(text);
    (e.kind, e.position.to_string())
}

#[test]
fn each_fault_is_named_where_it_is() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "{ $.a = }",
            "expected a value after the operator, found `}`",
            "1:9",
        ),
        ("{ $.a = \"x\" ", "found the end of the pattern", "1:13"),
        (
            "{ $.a = 1 } x",
            "expected the end of the pattern after `}`",
            "1:13",
        ),
        (
            "{ $.a = 1 $.b = 2 }",
            "expected `&&`, `||` or the closing `}`",
            "1:11",
        ),
        ("{ ($.a = 1 }", "expected `&&`, `||` or `)`", "1:12"),
        (
            "{ $.a = 1 & $.b = 2 }",
            "expected `&&`, `||` or a comparison operator",
            "1:11",
        ),
        (
            "{ $.a == 1 }",
            "expected a value after the operator, found `=`",
            "1:8",
        ),
        ("{ $.a }", "expected a comparison", "1:7"),
        (
            "{ = 1 }",
            "expected a property selector such as `$.eventName`, or `(`",
            "1:3",
        ),
        (
            "{ $.a IS NOT NULL }",
            "`IS NOT` is not supported by CloudWatch Logs",
            "1:10",
        ),
        (
            "{ $.a EXISTS }",
            "`EXISTS` is not supported by CloudWatch Logs",
            "1:7",
        ),
        (
            "{ $.a IS MISSING }",
            "`NULL`, `TRUE` or `FALSE` after `IS`",
            "1:10",
        ),
        ("{ $.a NOT THERE }", "`EXISTS` after `NOT`", "1:11"),
        ("{ $.a > abc }", "`>` compares numbers, found `abc`", "1:9"),
        (
            "{ $.a <= \"5\" }",
            "`<=` compares numbers, found `5`",
            "1:10",
        ),
        ("{ $.a = \"x }", "a quoted string is not closed", "1:9"),
        ("{ $.a = %x }", "a regular expression is not closed", "1:9"),
        (
            "{ $.a = %(x)% }",
            "`(` is not allowed in a CloudWatch Logs regular expression",
            "1:10",
        ),
        ("{ $.a = %é% }", "`é` is not allowed", "1:10"),
        ("{ $.a = %[% }", "invalid regular expression", "1:9"),
        (
            "{ $[0] = 1 }",
            "an array element must follow a property",
            "1:4",
        ),
        ("{ $ = 1 }", "`$` must be followed by a property", "1:3"),
        ("{ $.a. = 1 }", "expected a property name", "1:6"),
        ("{ $.a[x] = 1 }", "expected an array index", "1:6"),
        ("{ $.a[0 = 1 }", "expected `]`", "1:6"),
        (
            "{ $.['a = 1 }",
            "a quoted property name is not closed",
            "1:4",
        ),
        (
            "{ $.a[99999999999999999999999] = 1 }",
            "array index too large",
            "1:6",
        ),
        (
            "{ $.a[*].b[*] = 1 }",
            "more than one wildcard in one property selector",
            "1:11",
        ),
        ("[a, b", "must end with `]`", "1:1"),
        (
            "  {\n  $.a = 1 &&\n  $.b ==\n}",
            "expected a value after the operator, found `=`",
            "3:8",
        ),
    ];
    for (text, message, position) in cases {
        let e = error(text);
        assert!(e.to_string().contains(message), "{text:?}: {e}");
        assert_eq!(e.position.to_string(), *position, "{text:?}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("filter pattern at {position}: "))
        );
    }
}

#[test]
fn aws_quotas_are_enforced() {
    let four_wildcards = "{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 || $.* = 1 }";
    assert_eq!(
        fault(four_wildcards),
        (ParseErrorKind::TooManyWildcardSelectors, "1:44".into())
    );
    let three_regexes = "{ $.a = %x% || $.b = %y% || $.c = %z% }";
    assert_eq!(
        fault(three_regexes),
        (ParseErrorKind::TooManyRegexes, "1:35".into())
    );
    let longest = format!("{{ $.a = \"{}\" }}", "x".repeat(MAX_PATTERN_CHARS - 12));
    assert_eq!(longest.chars().count(), MAX_PATTERN_CHARS);
    assert!(super::parse(&longest).as_json().is_some());
    let too_long = format!("{{ $.a = \"{}\" }}", "é".repeat(MAX_PATTERN_CHARS - 11));
    assert_eq!(
        error(&too_long).kind,
        ParseErrorKind::TooLong {
            chars: MAX_PATTERN_CHARS + 1
        }
    );
}

#[test]
fn nesting_is_bounded_and_deep_input_does_not_overflow() {
    let depth = |n: usize| format!("{{ {}$.a = 1{} }}", "(".repeat(n), ")".repeat(n));
    assert!(super::parse(&depth(MAX_NESTING)).as_json().is_some());
    assert_eq!(error(&depth(MAX_NESTING + 1)).kind, ParseErrorKind::TooDeep);
    // As many parentheses as the length limit allows, and far more than it allows.
    let open = format!("{{{}", "(".repeat(MAX_PATTERN_CHARS - 1));
    assert_eq!(error(&open).kind, ParseErrorKind::TooDeep);
    let huge = "(".repeat(100_000);
    assert!(matches!(
        error(&format!("{{{huge}")).kind,
        ParseErrorKind::TooLong { .. }
    ));
}
