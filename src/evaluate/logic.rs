//! Three-valued evaluation of a condition over a subject (JSON), with evidence.
//!
//! Pure: no I/O, no clock (the clock is `Env::now`). A failed read (`{"error": …}`) on the way
//! to a value makes a leaf Unknown, and Unknown never becomes True.

use std::collections::BTreeMap;

use serde_json::Value;

use super::filters::{PatternMemo, judge_pattern, judge_text, text_key};
use crate::finding::Evidence;
use crate::inventory::Timestamp;
use crate::rules::{
    Condition, DurationRef, IfEmpty, Leaf, LeafSubject, Literal, Op, Operand, ParamValue,
    Quantified, Quantifier, TextKey,
};

/// The outcome of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Could not be decided: some data could not be read.
    Unknown,
    /// An empty list with `if_empty: not_applicable`.
    NotApplicable,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn as_holds(self) -> Option<bool> {
        match self {
            Truth::True => Some(true),
            Truth::False => Some(false),
            Truth::Unknown | Truth::NotApplicable => None,
        }
    }
}

/// Everything a condition may read besides the subject.
#[derive(Debug, Clone)]
pub struct Env<'a> {
    /// Parameter values in force.
    pub params: &'a BTreeMap<String, ParamValue>,
    /// The evaluation clock.
    pub now: Timestamp,
    /// Filter-pattern judgements shared by the subjects of one evaluation, when there is one.
    pub patterns: Option<&'a PatternMemo>,
}

/// Evaluates a condition; evidence is appended to `evidence`, with paths prefixed by `prefix`.
pub fn eval(
    cond: &Condition,
    subject: &Value,
    env: &Env<'_>,
    prefix: &str,
    evidence: &mut Vec<Evidence>,
) -> Truth {
    scored(cond, subject, env, prefix, evidence).0
}

/// How far an evaluation got: the conditions that held before the first one that did not
/// (in an `all`, in order), or the furthest alternative (in an `any`). It picks, among the
/// elements of a failed `any` quantifier, the ones that came closest to holding, so a FAIL's
/// evidence shows the first missing link of the nearest candidate rather than every
/// candidate's every mismatch.
type Progress = u32;

/// The progress of one condition that held.
const HELD: Progress = 1000;

fn scored(
    cond: &Condition,
    subject: &Value,
    env: &Env<'_>,
    prefix: &str,
    evidence: &mut Vec<Evidence>,
) -> (Truth, Progress) {
    match cond {
        Condition::All(items) => eval_all(items, subject, env, prefix, evidence),
        Condition::Any(items) => eval_any(items, subject, env, prefix, evidence),
        Condition::Not(inner) => {
            let truth = match eval(inner, subject, env, prefix, evidence) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                other => other,
            };
            (truth, if truth == Truth::True { HELD } else { 0 })
        }
        Condition::Quantified(q) => eval_quantifier(q, subject, env, prefix, evidence),
        Condition::Leaf(leaf) => eval_leaf(leaf, subject, env, prefix, evidence),
        Condition::Use(used) => scored(&used.condition, subject, env, prefix, evidence),
    }
}

/// `any: [...]`. Its evidence is what decided it, so that a finding shows one line per
/// condition that failed rather than every alternative's every mismatch: the alternatives that
/// held when it holds; when it fails, the one that came closest (the first of equals, and never
/// one that could not hold, such as `one_of` an empty list, while another can); every
/// alternative when it is undecided. Failed reads are kept whichever alternative they sit in:
/// the gate counts a failed read through the findings that cite it.
fn eval_any(
    items: &[Condition],
    subject: &Value,
    env: &Env<'_>,
    prefix: &str,
    evidence: &mut Vec<Evidence>,
) -> (Truth, Progress) {
    let alternatives: Vec<Alternative> = items
        .iter()
        .map(|item| Alternative::of(item, subject, env, prefix))
        .collect();
    let truths: Vec<Truth> = alternatives.iter().map(|a| a.truth).collect();
    let truth = fold_any(&truths);
    let best = alternatives
        .iter()
        .filter(|a| truth != Truth::True || a.truth == Truth::True)
        .map(|a| a.progress)
        .max()
        .unwrap_or(0);
    // The alternative a failed `any` shows: the nearest that could hold and says something.
    let nearest = alternatives
        .iter()
        .enumerate()
        .max_by_key(|(i, a)| (a.can_hold, a.says, a.progress, std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    for (i, a) in alternatives.into_iter().enumerate() {
        let shown = match truth {
            Truth::True => a.truth == Truth::True,
            Truth::False => Some(i) == nearest,
            Truth::Unknown | Truth::NotApplicable => true,
        };
        if shown {
            evidence.extend(a.evidence);
        } else {
            evidence.extend(
                a.evidence
                    .into_iter()
                    .filter(|e| matches!(e, Evidence::ReadError { .. })),
            );
        }
    }
    (truth, best)
}

/// One alternative of an `any`, evaluated on its own.
struct Alternative {
    truth: Truth,
    progress: Progress,
    evidence: Vec<Evidence>,
    /// False for an alternative that cannot hold whatever the data (`one_of` an empty list).
    can_hold: bool,
    /// Whether its evidence says anything beyond parameter switches.
    says: bool,
}

impl Alternative {
    fn of(item: &Condition, subject: &Value, env: &Env<'_>, prefix: &str) -> Alternative {
        let mut evidence = Vec::with_capacity(4);
        let (truth, progress) = scored(item, subject, env, prefix, &mut evidence);
        let says = evidence
            .iter()
            .any(|e| !matches!(e, Evidence::Leaf { path, .. } if path.starts_with("param ")));
        Alternative {
            truth,
            progress,
            evidence,
            can_hold: can_hold(item, env),
            says,
        }
    }
}

/// Whether an alternative could hold at all: `one_of` an empty list never does.
fn can_hold(cond: &Condition, env: &Env<'_>) -> bool {
    match cond {
        Condition::Leaf(Leaf {
            op: Op::OneOf,
            operand,
            ..
        }) => !matches!(resolve_operand(operand, env), Some(Rhs::List(l)) if l.is_empty()),
        _ => true,
    }
}

/// `all: [...]`. A branch that a parameter switches off (`{param: match, equals: exact}` is
/// False) is not in force: it is False and none of it is evidence, so a finding does not list
/// every mismatch of the readings the user did not select.
fn eval_all(
    items: &[Condition],
    subject: &Value,
    env: &Env<'_>,
    prefix: &str,
    evidence: &mut Vec<Evidence>,
) -> (Truth, Progress) {
    let mut own = Vec::with_capacity(items.len());
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let result = scored(item, subject, env, prefix, &mut own);
        let switch = matches!(
            item,
            Condition::Leaf(Leaf {
                subject: LeafSubject::Param(_),
                ..
            })
        );
        if switch && result.0 == Truth::False {
            return (Truth::False, 0);
        }
        results.push(result);
    }
    evidence.extend(own);
    let truths: Vec<Truth> = results.iter().map(|r| r.0).collect();
    (fold_all(&truths), progress_of_all(&results))
}

/// The progress of an `all`: every item up to and including the first that did not hold.
fn progress_of_all(results: &[(Truth, Progress)]) -> Progress {
    let mut progress = 0;
    for (truth, p) in results {
        progress += p;
        if matches!(truth, Truth::False | Truth::Unknown) {
            break;
        }
    }
    progress
}

/// `all: [...]`: False wins, then Unknown, then True; only NotApplicable items → NotApplicable.
pub fn fold_all(results: &[Truth]) -> Truth {
    if results.contains(&Truth::False) {
        Truth::False
    } else if results.contains(&Truth::Unknown) {
        Truth::Unknown
    } else if results.contains(&Truth::True) {
        Truth::True
    } else {
        Truth::NotApplicable
    }
}

/// `any: [...]`: True wins, then Unknown, then False; only NotApplicable items → NotApplicable.
pub fn fold_any(results: &[Truth]) -> Truth {
    if results.contains(&Truth::True) {
        Truth::True
    } else if results.contains(&Truth::Unknown) {
        Truth::Unknown
    } else if results.contains(&Truth::False) {
        Truth::False
    } else {
        Truth::NotApplicable
    }
}

/// The `{"error": …}` of a failed read.
fn read_error(v: &Value) -> Option<&Value> {
    let obj = v.as_object()?;
    let err = obj.get("error")?;
    let only_error = obj.len() == 1;
    let partial = obj.len() == 2 && obj.contains_key("items");
    (err.is_object() && (only_error || partial)).then_some(err)
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_owned()
    } else {
        // Built by hand: `format!` costs several times more, and every leaf of every
        // subject comes here.
        let mut joined = String::with_capacity(prefix.len() + 1 + path.len());
        joined.push_str(prefix);
        joined.push('.');
        joined.push_str(path);
        joined
    }
}

fn error_evidence(path: String, err: &Value) -> Evidence {
    let s = |k: &str| err.get(k).and_then(Value::as_str).map(str::to_owned);
    Evidence::ReadError {
        path,
        operation: s("operation").unwrap_or_default(),
        error_kind: s("kind").unwrap_or_else(|| "unknown".into()),
        code: s("code"),
        message: s("message"),
    }
}

/// The result of walking a path.
enum Resolved<'v> {
    /// A value (possibly `null`).
    Value(&'v Value),
    /// A read failed on the way; the path to it and the error.
    Error(String, &'v Value),
}

static NULL: Value = Value::Null;

fn resolve<'v>(subject: &'v Value, path: &str) -> Resolved<'v> {
    let mut cur = subject;
    let mut walked = String::new();
    for seg in path.split('.') {
        if read_error(cur).is_some() && cur.get("items").is_none() {
            return Resolved::Error(walked, read_error(cur).unwrap_or(&NULL));
        }
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(seg);
        cur = match cur {
            Value::Object(map) => map.get(seg).unwrap_or(&NULL),
            _ => &NULL,
        };
    }
    match read_error(cur) {
        Some(err) if cur.get("items").is_none() => Resolved::Error(walked, err),
        _ => Resolved::Value(cur),
    }
}

/// A stable name for a list element in evidence.
fn identity(element: &Value, index: usize) -> String {
    for key in ["arn", "name", "key_id", "region", "resource_type", "field"] {
        if let Some(s) = element.get(key).and_then(Value::as_str) {
            return s.to_owned();
        }
    }
    format!("#{index}")
}

fn eval_quantifier(
    q: &Quantified,
    subject: &Value,
    env: &Env<'_>,
    prefix: &str,
    evidence: &mut Vec<Evidence>,
) -> (Truth, Progress) {
    let full = join(prefix, &q.path);
    let Walked { items, partial } = match quantified_items(subject, &q.path) {
        Ok(walked) => walked,
        Err((at, err)) => {
            evidence.push(error_evidence(join(prefix, &at), err));
            return (Truth::Unknown, 0);
        }
    };
    if let Some(err) = partial {
        evidence.push(error_evidence(full.clone(), err));
    }
    let mut tally = Tally::of(q, items, env, &full);
    let (result, empty_note) = verdict(q, &tally, partial.is_some());
    let mut elements = Vec::new();
    let progress = tally.keep_evidence(q.quantifier, result, &mut elements);
    // The quantifier's own line first: it says what failed, its elements' lines say why.
    evidence.push(Evidence::Quantifier {
        path: full,
        quantifier: q.quantifier.as_str().to_owned(),
        matched: tally.matched,
        not_matched: tally.not_matched,
        unknown: tally.unknown,
        if_empty: empty_note,
    });
    evidence.extend(elements);
    (result, progress)
}

/// The list a quantifier walks.
struct Walked<'v> {
    /// Its elements (none when the path holds no list).
    items: &'v [Value],
    /// The error, when the list was only partly read.
    partial: Option<&'v Value>,
}

/// The list at `path`; `Err` with the path and error when a read failed on the way.
fn quantified_items<'v>(subject: &'v Value, path: &str) -> Result<Walked<'v>, (String, &'v Value)> {
    let (items, partial) = match resolve(subject, path) {
        Resolved::Error(at, err) => return Err((at, err)),
        Resolved::Value(Value::Array(items)) => (items.as_slice(), None),
        Resolved::Value(v @ Value::Object(_)) => match (v.get("items"), read_error(v)) {
            (Some(Value::Array(items)), Some(err)) => (items.as_slice(), Some(err)),
            _ => (&[][..], None),
        },
        Resolved::Value(_) => (&[][..], None),
    };
    Ok(Walked { items, partial })
}

/// How many equally near candidates of a failed `any` show their evidence: one, so that the
/// quantifier gives one explanation (its own line names every candidate).
const NEAREST_SHOWN: usize = 1;

/// The elements a quantifier's `where` holds for, does not, or cannot decide, by identity.
struct Tally {
    matched: Vec<String>,
    not_matched: Vec<String>,
    unknown: Vec<String>,
    /// Each element's outcome and evidence, in order.
    elements: Vec<(Truth, Progress, Vec<Evidence>)>,
}

impl Tally {
    /// Evaluates `where` on each element in order, its evidence prefixed `full[identity]`.
    fn of(q: &Quantified, items: &[Value], env: &Env<'_>, full: &str) -> Tally {
        let mut tally = Tally {
            matched: Vec::new(),
            not_matched: Vec::new(),
            unknown: Vec::new(),
            elements: Vec::with_capacity(items.len()),
        };
        for (i, element) in items.iter().enumerate() {
            let id = identity(element, i);
            let mut element_prefix = String::with_capacity(full.len() + id.len() + 2);
            element_prefix.push_str(full);
            element_prefix.push('[');
            element_prefix.push_str(&id);
            element_prefix.push(']');
            let mut own = Vec::with_capacity(8);
            let (truth, progress) = scored(&q.condition, element, env, &element_prefix, &mut own);
            match truth {
                Truth::True => tally.matched.push(id),
                Truth::False => tally.not_matched.push(id),
                Truth::Unknown => tally.unknown.push(id),
                Truth::NotApplicable => {}
            }
            tally.elements.push((truth, progress, own));
        }
        tally
    }

    /// Moves the evidence worth showing into `evidence` and returns the quantifier's progress.
    /// An `any` that holds shows the elements it holds for; one that fails shows the elements
    /// that came closest (the first missing link of the nearest candidate). An undecided `any`
    /// and the other quantifiers show every element: each may be the one that decides.
    fn keep_evidence(
        &mut self,
        quantifier: Quantifier,
        result: Truth,
        evidence: &mut Vec<Evidence>,
    ) -> Progress {
        let elements = std::mem::take(&mut self.elements);
        let best = elements.iter().map(|e| e.1).max().unwrap_or(0);
        let held = if result == Truth::True { HELD } else { 0 };
        let keep = |truth: Truth, progress: Progress| match (quantifier, result) {
            (Quantifier::Any, Truth::True) => truth == Truth::True,
            (Quantifier::Any, Truth::False) => progress == best,
            _ => true,
        };
        let mut progress = 0;
        let mut nearest = 0;
        for (truth, p, own) in elements {
            if !keep(truth, p) {
                continue;
            }
            progress = progress.max(p);
            // Of equally near failed candidates, the first few explain; the quantifier's own
            // item still names every one.
            if result == Truth::False && quantifier == Quantifier::Any {
                nearest += 1;
                if nearest > NEAREST_SHOWN {
                    continue;
                }
            }
            evidence.extend(own);
        }
        held + progress
    }
}

/// The quantifier's truth from its tally, and which `if_empty` decided it (when one did). An
/// incomplete list can make it Unknown but never True.
fn verdict(q: &Quantified, tally: &Tally, incomplete: bool) -> (Truth, Option<String>) {
    let matched = tally.matched.len();
    let decided_false = tally.not_matched.len();
    if q.quantifier == Quantifier::Any {
        let need = q.at_least as usize;
        let result = if matched >= need {
            Truth::True
        } else if incomplete || matched + tally.unknown.len() >= need {
            Truth::Unknown
        } else {
            Truth::False
        };
        return (result, None);
    }
    // For `none`, an element "fails" the quantifier when `where` holds for it.
    let (violating, satisfying) = match q.quantifier {
        Quantifier::None => (matched, decided_false),
        _ => (decided_false, matched),
    };
    if violating > 0 {
        (Truth::False, None)
    } else if !tally.unknown.is_empty() || incomplete {
        (Truth::Unknown, None)
    } else if satisfying == 0 {
        let if_empty = q.if_empty.unwrap_or(IfEmpty::Fail);
        let t = match if_empty {
            IfEmpty::Pass => Truth::True,
            IfEmpty::Fail => Truth::False,
            IfEmpty::NotApplicable => Truth::NotApplicable,
        };
        (t, Some(if_empty.as_str().to_owned()))
    } else {
        (Truth::True, None)
    }
}

fn eval_leaf(
    leaf: &Leaf,
    subject: &Value,
    env: &Env<'_>,
    prefix: &str,
    evidence: &mut Vec<Evidence>,
) -> (Truth, Progress) {
    let param_json;
    let (path, actual): (String, &Value) = match &leaf.subject {
        LeafSubject::Param(name) => {
            param_json = env.params.get(name).map_or(Value::Null, param_to_json);
            (format!("param {name}"), &param_json)
        }
        LeafSubject::Path(p) => match resolve(subject, p) {
            Resolved::Error(at, err) => {
                evidence.push(error_evidence(join(prefix, &at), err));
                let machine = machine_form(leaf, env);
                evidence.push(Evidence::Leaf {
                    path: join(prefix, p),
                    expected: leaf.expected(),
                    actual: Value::Null,
                    holds: None,
                    operator: Some(machine.operator),
                    expected_value: machine.value,
                    parameter: machine.parameter,
                });
                return (Truth::Unknown, 0);
            }
            Resolved::Value(v) => (join(prefix, p), v),
        },
    };
    let (result, reason, partial) = leaf_truth(leaf, actual, env);
    let machine = machine_form(leaf, env);
    evidence.push(Evidence::Leaf {
        path,
        expected: expectation(leaf, env, reason),
        actual: shorten(actual),
        holds: result.as_holds(),
        operator: Some(machine.operator),
        expected_value: machine.value,
        parameter: machine.parameter,
    });
    (result, leaf_progress(leaf, result, partial))
}

/// A leaf's expectation as data: the evidence's `operator`, `expected_value` and `parameter`.
struct MachineForm {
    operator: String,
    value: Option<Value>,
    parameter: Option<String>,
}

/// The operator and its operand as JSON, parameters and the clock resolved.
fn machine_form(leaf: &Leaf, env: &Env<'_>) -> MachineForm {
    let param = |name: &str| env.params.get(name).map(param_to_json);
    let (value, parameter) = match &leaf.operand {
        Operand::Flag(b) => (Some(Value::Bool(*b)), None),
        Operand::Literal(l) => (literal_json(l), None),
        Operand::List(items) => (
            items
                .iter()
                .map(literal_json)
                .collect::<Option<Vec<Value>>>()
                .map(Value::Array),
            None,
        ),
        Operand::Param(name) => (param(name), Some(name.clone())),
        Operand::NowMinus(d) => (
            now_minus(d, env).map(|t| Value::String(t.to_string())),
            match d {
                DurationRef::Param(name) => Some(name.clone()),
                DurationRef::Fixed(_) => None,
            },
        ),
        Operand::Regex(_, text) => (Some(Value::String(text.clone())), None),
        Operand::Events(e) => {
            let mut sets = serde_json::Map::new();
            sets.insert("all_of".into(), Value::String(e.all_of.0.clone()));
            if let Some((name, _)) = &e.none_of {
                sets.insert("none_of".into(), Value::String(name.clone()));
            }
            (Some(Value::Object(sets)), None)
        }
        Operand::FilterText(t) => (
            text_key(t, env.params).map(Value::String),
            match &t.key {
                TextKey::Param(name) => Some(name.clone()),
                TextKey::Literal(_) => None,
            },
        ),
    };
    MachineForm {
        operator: leaf.op.as_str().to_owned(),
        value,
        parameter,
    }
}

/// A literal as JSON; `None` for a number JSON cannot hold.
fn literal_json(l: &Literal) -> Option<Value> {
    Some(match l {
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::from(*i),
        Literal::Number(n) => Value::Number(serde_json::Number::from_f64(*n)?),
        Literal::String(s) => Value::String(s.clone()),
        Literal::Timestamp(t) => Value::String(t.to_string()),
    })
}

/// What a leaf expects, in evidence: parameters and the clock resolved, and the reason a
/// filter pattern falls short when there is one.
fn expectation(leaf: &Leaf, env: &Env<'_>, reason: Option<String>) -> String {
    match &leaf.operand {
        Operand::Param(name) => format!(
            "{} {}",
            leaf.op.words(),
            env.params
                .get(name)
                .map_or_else(|| "?".to_owned(), ToString::to_string)
        ),
        Operand::NowMinus(d) => format!(
            "{} {}",
            leaf.op.words(),
            now_minus(d, env).map_or_else(|| "?".to_owned(), |t| t.to_string())
        ),
        Operand::FilterText(texts) => {
            let key = text_key(texts, env.params).unwrap_or_else(|| "?".to_owned());
            let base = format!("is the `{key}` filter text, whitespace aside");
            match reason {
                Some(why) => format!("{base}; {why}"),
                None => base,
            }
        }
        _ => match reason {
            Some(why) => format!("{}; it {why}", leaf.expected()),
            None => leaf.expected(),
        },
    }
}

/// Evidence values stay readable: big objects are summarised.
fn shorten(v: &Value) -> Value {
    match v {
        Value::Object(map) if map.len() > 8 => {
            Value::String(format!("{{object with {} fields}}", map.len()))
        }
        Value::Array(items) if items.len() > 20 => {
            Value::String(format!("[list of {} items]", items.len()))
        }
        other => other.clone(),
    }
}

fn param_to_json(p: &ParamValue) -> Value {
    match p {
        ParamValue::Bool(b) => Value::Bool(*b),
        ParamValue::Integer(i) => Value::from(*i),
        ParamValue::String(s) => Value::String(s.clone()),
        ParamValue::StringList(l) => l.iter().map(|s| Value::String(s.clone())).collect(),
        ParamValue::Duration(d) => Value::String(d.text.clone()),
    }
}

fn now_minus(d: &DurationRef, env: &Env<'_>) -> Option<Timestamp> {
    let seconds = match d {
        DurationRef::Fixed(d) => d.seconds,
        DurationRef::Param(name) => match env.params.get(name) {
            Some(ParamValue::Duration(d)) => d.seconds,
            _ => return None,
        },
    };
    Timestamp::from_unix_seconds(env.now.unix_seconds().checked_sub(seconds)?)
}

/// A right-hand value, resolved.
#[derive(Debug, Clone, PartialEq)]
enum Rhs {
    Lit(Literal),
    List(Vec<Literal>),
}

fn resolve_operand(operand: &Operand, env: &Env<'_>) -> Option<Rhs> {
    match operand {
        Operand::Literal(l) => Some(Rhs::Lit(l.clone())),
        Operand::List(l) => Some(Rhs::List(l.clone())),
        Operand::Param(name) => match env.params.get(name)? {
            ParamValue::Bool(b) => Some(Rhs::Lit(Literal::Bool(*b))),
            ParamValue::Integer(i) => Some(Rhs::Lit(Literal::Int(*i))),
            ParamValue::String(s) => Some(Rhs::Lit(Literal::String(s.clone()))),
            ParamValue::StringList(l) => Some(Rhs::List(
                l.iter().map(|s| Literal::String(s.clone())).collect(),
            )),
            ParamValue::Duration(_) => None,
        },
        Operand::NowMinus(d) => now_minus(d, env).map(|t| Rhs::Lit(Literal::Timestamp(t))),
        Operand::Flag(_) | Operand::Regex(..) | Operand::Events(_) | Operand::FilterText(_) => None,
    }
}

/// A leaf's truth, the reason when an operator gives one, and how much of a False leaf held,
/// in thousandths (a filter pattern matching some of the required events).
fn leaf_truth(leaf: &Leaf, actual: &Value, env: &Env<'_>) -> (Truth, Option<String>, Progress) {
    match (&leaf.operand, actual) {
        (Operand::Events(events), Value::String(pattern)) => match env.patterns.map_or_else(
            || judge_pattern(pattern, events),
            |memo| memo.judge(pattern, events),
        ) {
            Ok(()) => (Truth::True, None, 0),
            Err(short) => (Truth::False, Some(short.why), short.matched_share),
        },
        (Operand::FilterText(texts), Value::String(pattern)) => match text_key(texts, env.params) {
            Some(key) => match judge_text(pattern, &key, texts) {
                Ok(()) => (Truth::True, None, 0),
                Err(why) => (Truth::False, Some(why), 0),
            },
            None => (
                Truth::Unknown,
                Some("its key parameter has no value".to_owned()),
                0,
            ),
        },
        _ => (apply(leaf.op, &leaf.operand, actual, env), None, 0),
    }
}

/// A leaf's progress: a held fact counts [`HELD`], a partly held one its share of that. A
/// parameter is the rule's configuration, not a fact about the subject, and counts nothing.
fn leaf_progress(leaf: &Leaf, truth: Truth, partial: Progress) -> Progress {
    match (&leaf.subject, truth) {
        (LeafSubject::Param(_), _) => 0,
        (_, Truth::True) => HELD,
        _ => partial.min(HELD - 1),
    }
}

/// Applies an operator to a value that was read (possibly `null`).
fn apply(op: Op, operand: &Operand, actual: &Value, env: &Env<'_>) -> Truth {
    match op {
        Op::Exists => match operand {
            Operand::Flag(want) => Truth::from_bool(actual.is_null() != *want),
            _ => Truth::Unknown,
        },
        Op::Empty => is_empty(operand, actual),
        Op::Matches => match (operand, actual) {
            (Operand::Regex(re, _), Value::String(s)) => Truth::from_bool(re.is_match(s)),
            _ => Truth::False,
        },
        // A pattern that is not a string (absent) matches nothing; a string is judged in
        // leaf_truth, which also keeps the reason.
        Op::MatchesEvents | Op::EqualsFilterText => Truth::False,
        Op::Contains => contains(operand, actual, env),
        Op::Equals | Op::NotEquals | Op::OneOf => {
            let found = match resolve_operand(operand, env) {
                Some(Rhs::Lit(l)) => equal(actual, &l),
                Some(Rhs::List(list)) => list.iter().any(|l| equal(actual, l)),
                None => return Truth::Unknown,
            };
            if op == Op::NotEquals {
                Truth::from_bool(!found)
            } else {
                Truth::from_bool(found)
            }
        }
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
            let Some(Rhs::Lit(want)) = resolve_operand(operand, env) else {
                return Truth::Unknown;
            };
            match compare(actual, &want) {
                None => Truth::False,
                Some(ord) => Truth::from_bool(match op {
                    Op::Gt => ord.is_gt(),
                    Op::Gte => ord.is_ge(),
                    Op::Lt => ord.is_lt(),
                    _ => ord.is_le(),
                }),
            }
        }
    }
}

/// `empty`: null, `""`, `[]` or `{}` — Unknown for a partly read list with nothing read.
fn is_empty(operand: &Operand, actual: &Value) -> Truth {
    let empty = match actual {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => match (o.get("items"), read_error(actual)) {
            (Some(Value::Array(items)), Some(_)) if !items.is_empty() => false,
            (Some(_), Some(_)) => return Truth::Unknown,
            _ => o.is_empty(),
        },
        _ => false,
    };
    match operand {
        Operand::Flag(want) => Truth::from_bool(empty == *want),
        _ => Truth::Unknown,
    }
}

/// `contains`: a list element, a substring or a map key.
fn contains(operand: &Operand, actual: &Value, env: &Env<'_>) -> Truth {
    let Some(Rhs::Lit(want)) = resolve_operand(operand, env) else {
        return Truth::Unknown;
    };
    match actual {
        Value::Array(items) => Truth::from_bool(items.iter().any(|i| equal(i, &want))),
        Value::String(s) => {
            Truth::from_bool(matches!(&want, Literal::String(w) if s.contains(w.as_str())))
        }
        Value::Object(o) => match (o.get("items"), read_error(actual)) {
            (Some(Value::Array(items)), Some(_)) => {
                if items.iter().any(|i| equal(i, &want)) {
                    Truth::True
                } else {
                    Truth::Unknown
                }
            }
            _ => Truth::from_bool(matches!(&want, Literal::String(w) if o.contains_key(w))),
        },
        _ => Truth::False,
    }
}

fn equal(actual: &Value, want: &Literal) -> bool {
    match (actual, want) {
        (Value::Bool(a), Literal::Bool(b)) => a == b,
        (Value::String(a), Literal::String(b)) => a == b,
        (Value::String(a), Literal::Timestamp(b)) => Timestamp::parse(a).is_some_and(|t| t == *b),
        (Value::Number(_), Literal::Int(_) | Literal::Number(_)) => {
            compare(actual, want).is_some_and(|o| o.is_eq())
        }
        _ => false,
    }
}

fn compare(actual: &Value, want: &Literal) -> Option<std::cmp::Ordering> {
    match (actual, want) {
        (Value::Number(n), Literal::Int(i)) => match n.as_i64() {
            Some(a) => Some(a.cmp(i)),
            None => n.as_f64()?.partial_cmp(&(*i as f64)),
        },
        (Value::Number(n), Literal::Number(f)) => n.as_f64()?.partial_cmp(f),
        (Value::String(s), Literal::Timestamp(t)) => Some(Timestamp::parse(s)?.cmp(t)),
        _ => None,
    }
}
