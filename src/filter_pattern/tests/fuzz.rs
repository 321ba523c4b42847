//! Property tests: no input makes the parser or the evaluator panic or overflow the stack; what
//! parses prints back to itself; whitespace normalisation changes nothing a parse sees; and
//! `&&` binds tighter than `||` on random expressions. Bounded and reproducible (a fixed seed
//! unless `PROPTEST_RNG_SEED` / `PROPTEST_CASES` say otherwise).

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::RngSeed;
use serde_json::{Value, json};

use super::super::{FilterPattern, ParseError, ParseErrorKind, Verdict, normalize_whitespace};
use super::cis::CIS_TEXTS;

fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(0x6669_6C74_6572);
    }
    c.failure_persistence = None;
    c
}

/// Valid patterns to mutate: documented examples and the CIS texts.
fn seeds() -> Vec<&'static str> {
    let mut seeds = vec![
        r#"{ $.eventType = "UpdateTrail" }"#,
        "{ $.sourceIPAddress != 123.123.* }",
        "{ $.objectList[1].id = 2 }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.ThisFlag IS TRUE }",
        r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }",
        r#"{ $.['cluster.name'] = "c" }"#,
        "{ $.arrayKey[*] = %val.{2}% }",
        "{ $.numbers[0] < 10e-3 && $.latency > +1000 || ($.a <= 5.5) }",
        "[w1!=ERROR && w1!=WARNING, w2]",
        "?ERROR ?ARGUMENTS",
    ];
    seeds.extend_from_slice(CIS_TEXTS);
    seeds
}

/// Events to evaluate on: CloudTrail-like, the documentation's, and odd shapes.
fn events() -> Vec<Value> {
    vec![
        json!({"eventName": "CreateTrail", "eventSource": "cloudtrail.amazonaws.com",
               "errorCode": "AccessDenied", "sourceIPAddress": "1.2.3.4",
               "userIdentity": {"type": "Root"}, "additionalEventData": {"MFAUsed": "No"}}),
        json!({"arrayKey": ["value", 1, null, true, [], {}], "objectList": [{"id": 2}],
               "SomeObject": null, "latency": 1e308, "numbers": [-0.0], "a": "5"}),
        json!([1, 2, 3]),
        json!("a string"),
        Value::Null,
    ]
}

/// Text pieces that mean something to the grammar, inserted anywhere.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "[*]",
    ".*",
    "$",
    "$.",
    ".",
    "&&",
    "||",
    "&",
    "|",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "!",
    "\"",
    "\\",
    "%",
    "*",
    "IS",
    "NULL",
    "NOT",
    "EXISTS",
    "IS NOT",
    " ",
    "\n",
    "\t",
    "1e999",
    "-",
    "+",
    "99999999999999999999999",
    "é",
    "😀",
    "\u{0}",
    "['a.b']",
    "[0]",
    "'",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, &'static str),
    Delete(Index, usize),
    Duplicate(Index, usize),
    Truncate(Index),
    Replace(Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), select(TOKENS)).prop_map(|(i, t)| Edit::Insert(i, t)),
        2 => (any::<Index>(), 1..6usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        1 => (any::<Index>(), 1..40usize).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Edit::Truncate),
        2 => (any::<Index>(), any::<char>()).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

fn apply(chars: &mut Vec<char>, edit: &Edit) {
    let at = |i: &Index, len: usize| i.index(len + 1);
    match edit {
        Edit::Insert(i, t) => {
            let pos = at(i, chars.len());
            chars.splice(pos..pos, t.chars());
        }
        Edit::Delete(i, n) => {
            let pos = at(i, chars.len());
            chars.drain(pos..(pos + n).min(chars.len()));
        }
        Edit::Duplicate(i, n) => {
            let pos = at(i, chars.len());
            let copy: Vec<char> = chars[pos..(pos + n).min(chars.len())].to_vec();
            chars.splice(pos..pos, copy);
        }
        Edit::Truncate(i) => chars.truncate(at(i, chars.len())),
        Edit::Replace(i, c) if !chars.is_empty() => {
            let pos = i.index(chars.len());
            chars[pos] = *c;
        }
        Edit::Replace(..) => {}
    }
}

/// What must hold of any text: no panic; errors point inside the text; a parsed JSON pattern
/// evaluates, prints back to itself, and parses the same after whitespace normalisation.
fn check(text: &str) {
    let normalized = normalize_whitespace(text);
    assert_eq!(
        normalize_whitespace(&normalized),
        normalized,
        "normalisation is idempotent"
    );
    match FilterPattern::parse(text) {
        Err(e) => {
            assert!(
                e.offset <= text.len() && text.is_char_boundary(e.offset),
                "{e:?}"
            );
            assert!(!e.to_string().is_empty());
        }
        Ok(pattern) => {
            for event in events() {
                let verdict = pattern.evaluate(&event);
                assert_eq!(pattern.matches(&event), verdict == Verdict::Match);
            }
            if let FilterPattern::Json(_) = &pattern {
                let printed = pattern.to_string();
                assert_eq!(
                    FilterPattern::parse(&printed).ok(),
                    Some(pattern.clone()),
                    "{printed}"
                );
                assert_eq!(
                    FilterPattern::parse(&normalized).ok(),
                    Some(pattern),
                    "{normalized}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
        check(&format!("{{{text}}}"));
    }

    #[test]
    fn text_of_grammar_characters_never_panics(
        text in r#"[{}()$.\[\]*"%=!<>&| a-cA-Z0-9_'\n\t-]{0,120}"#
    ) {
        check(&text);
        check(&format!("{{ {text} }}"));
    }

    #[test]
    fn mutated_valid_patterns_never_panic(
        seed in select(seeds()),
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let mut chars: Vec<char> = seed.chars().collect();
        edits.iter().for_each(|e| apply(&mut chars, e));
        check(&chars.into_iter().collect::<String>());
    }
}

/// A random JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z*. ]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-c]{1,2}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config(1_000))]

    #[test]
    fn every_seed_evaluates_on_random_events(event in json_value()) {
        for seed in seeds() {
            let pattern = FilterPattern::parse(seed);
            prop_assert!(pattern.is_ok(), "{}", seed);
            if let Ok(pattern) = pattern {
                let _ = pattern.evaluate(&event);
            }
        }
    }

    /// `t0 op t1 op … tn` without parentheses means OR of AND-groups: "() > && > ||".
    #[test]
    fn and_binds_tighter_than_or(
        values in proptest::collection::vec(any::<bool>(), 2..12),
        ors in proptest::collection::vec(any::<bool>(), 11),
    ) {
        let mut text = String::from("{ ");
        let mut groups = vec![true];
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                let or = ors[i - 1];
                text.push_str(if or { " || " } else { " && " });
                if or {
                    groups.push(true);
                }
            }
            text.push_str(&format!("$.v{i} = 1"));
            if let Some(group) = groups.last_mut() {
                *group &= *value;
            }
        }
        text.push_str(" }");
        let event: serde_json::Map<String, Value> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("v{i}"), Value::from(u8::from(*v))))
            .collect();
        let pattern = FilterPattern::parse(&text);
        prop_assert!(pattern.is_ok(), "{}", text);
        if let Ok(pattern) = pattern {
            let expected = groups.iter().any(|g| *g);
            prop_assert_eq!(pattern.matches(&Value::Object(event)), expected, "{}", text);
        }
    }
}

/// Whitespace of any kind and amount, or none where none is needed.
fn gap() -> impl Strategy<Value = &'static str> {
    select(vec!["", " ", "  ", "\n", "\r\n  ", "\t"])
}

/// One valid test, spaced at random.
fn valid_test() -> impl Strategy<Value = String> {
    let selector = select(vec![
        "$.a",
        "$.b.c",
        "$.a[0]",
        "$.a[*]",
        "$.*",
        "$.['b c']",
        "$.b['c']",
        "$.a[1].x",
    ]);
    let comparison = (
        select(vec!["=", "!="]),
        select(vec![
            "x",
            "\"x y\"",
            "*x",
            "x*",
            "\"*\"",
            "*",
            "1",
            "-2.5",
            "1e3",
            "\"a\\\"b\"",
            "%^x.?$%",
        ]),
    )
        .prop_map(|(op, value)| (op, value));
    let numeric = (
        select(vec!["<", "<=", ">", ">="]),
        select(vec!["0", "+1", "-1e-3"]),
    );
    let keyword = select(vec![
        "IS NULL",
        "is true",
        "IS FALSE",
        "NOT EXISTS",
        "NOT\n EXISTS",
    ]);
    (
        selector,
        prop_oneof![comparison, numeric],
        keyword,
        any::<bool>(),
        gap(),
        gap(),
    )
        .prop_map(|(selector, (op, value), keyword, compare, g1, g2)| {
            if compare {
                format!("{selector}{g1}{op}{g2}{value}")
            } else {
                format!("{selector} {keyword}")
            }
        })
}

/// A valid expression of up to a few levels, with `&&`, `||` and parentheses.
fn valid_expr() -> impl Strategy<Value = String> {
    valid_test().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                select(vec!["&&", "||"]),
                inner.clone(),
                gap(),
                gap()
            )
                .prop_map(|(a, op, b, g1, g2)| format!("{a}{g1} {op} {g2}{b}")),
            (inner, gap(), gap()).prop_map(|(e, g1, g2)| format!("({g1}{e}{g2})")),
        ]
    })
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Valid patterns of every construct parse, print back to themselves, survive
    /// normalisation, and mean the same as their canonical text on random events.
    #[test]
    fn generated_valid_patterns_round_trip(
        expr in valid_expr(),
        g in gap(),
        event in json_value(),
    ) {
        let text = format!("{g}{{{g}{expr}{g}}}{g}");
        let parsed = FilterPattern::parse(&text);
        // Over AWS's quotas the refusal is right; anything else must parse.
        let over_quota = |e: &ParseError| {
            matches!(e.kind, ParseErrorKind::TooManyRegexes | ParseErrorKind::TooManyWildcardSelectors)
        };
        prop_assume!(!parsed.as_ref().is_err_and(over_quota));
        prop_assert!(parsed.is_ok(), "{}: {:?}", text, parsed);
        if let Ok(pattern) = parsed {
            check(&text);
            let canonical = FilterPattern::parse(&pattern.to_string());
            prop_assert_eq!(
                canonical.map(|c| c.matches(&event)).ok(),
                Some(pattern.matches(&event))
            );
        }
    }
}
