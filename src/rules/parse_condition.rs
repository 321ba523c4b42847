//! Raw YAML → [`Condition`], checking every path against the subject's type and every operator
//! against the type of the field it tests. Problems are collected, never returned early.

use std::borrow::Cow;

use super::condition::{Condition, IfEmpty, Leaf, LeafSubject, Op, Quantified, Quantifier, Used};
use super::context::Ctx;
use super::events::EventSets;
use super::fields::{self, FieldType, Kind};
use super::filter_texts::FilterTexts;
use super::library::{ConditionDef, with_article};
use super::operand;
use super::params::ParamType;
use crate::document::{Diagnostic, Key, Node, ProblemKind, Value, did_you_mean};

const NODE_KEYS: &[&str] = &["all", "any", "not", "none", "path", "param", "use"];

const WRITE_A_CONDITION: &str = "write `{ path: PATH, equals: VALUE }`, `{ all: [...] }`, `{ any: [...] }`, `{ not: ... }`, a quantifier or `{ use: CONDITION }`";

/// Parses a condition whose paths are relative to a value of type `here`.
pub fn parse(node: &Node, here: &FieldType, ctx: &mut Ctx<'_>) -> Option<Condition> {
    let Some(entries) = node.as_map() else {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            format!("a condition must be a mapping, found {}", node.type_name()),
        )
        .help = Some(WRITE_A_CONDITION.into());
        return None;
    };
    if entries
        .iter()
        .any(|(k, _)| k.name == "path" || k.name == "param")
    {
        return parse_leaf(node, entries, here, ctx);
    }
    let (key, value) = only_key(node, entries, ctx)?;
    match (key.name.as_str(), &value.value) {
        ("use", _) => parse_use(value, here, ctx),
        ("all", Value::Seq(items)) => parse_list(key, items, here, ctx).map(Condition::All),
        ("any", Value::Seq(items)) => parse_list(key, items, here, ctx).map(Condition::Any),
        ("not", _) => parse(value, here, ctx).map(|c| Condition::Not(Box::new(c))),
        ("all", Value::Map(m)) => parse_quantifier(Quantifier::All, key, m, here, ctx),
        ("any", Value::Map(m)) => parse_quantifier(Quantifier::Any, key, m, here, ctx),
        ("none", Value::Map(m)) => parse_quantifier(Quantifier::None, key, m, here, ctx),
        ("none", _) => {
            ctx.report(
                ProblemKind::InvalidValue,
                value.pos,
                "`none` is a quantifier: it takes `{ in: PATH, where: CONDITION, if_empty: ... }`",
            );
            None
        }
        (name, _) => {
            ctx.report(
                ProblemKind::InvalidValue,
                value.pos,
                format!(
                    "`{name}` takes a list of conditions or a quantifier mapping, found {}",
                    value.type_name()
                ),
            );
            None
        }
    }
}

/// The one entry of a condition that is not a leaf (`all`, `any`, `not`, `none` or `use`); reports
/// unknown keys, an empty mapping, or a second key.
fn only_key<'n>(
    node: &Node,
    entries: &'n [(Key, Node)],
    ctx: &mut Ctx<'_>,
) -> Option<&'n (Key, Node)> {
    let mut valid = true;
    for (key, _) in entries {
        if !NODE_KEYS.contains(&key.name.as_str()) {
            let candidates = NODE_KEYS
                .iter()
                .copied()
                .chain(Op::ALL.iter().map(|o| o.as_str()));
            let help = did_you_mean(&key.name, candidates);
            ctx.report(ProblemKind::UnknownKey, key.pos, format!("unknown key `{}` in a condition", key.name))
                .help = help.or(Some("a condition is one of `all`, `any`, `not`, `none`, `use`, or `path`/`param` with one operator".into()));
            valid = false;
        }
    }
    if !valid {
        return None;
    }
    match entries {
        [] => {
            // `check: {}`: found by fuzzing, it used to index past the end.
            ctx.report(
                ProblemKind::InvalidValue,
                node.pos,
                "a condition cannot be empty",
            )
            .help = Some(WRITE_A_CONDITION.into());
            None
        }
        [only] => Some(only),
        [_, (key, _), ..] => {
            ctx.report(
                ProblemKind::InvalidValue,
                key.pos,
                format!(
                    "a condition has exactly one of `all`, `any`, `not`, `none`, `use`; found `{}` as well",
                    key.name
                ),
            )
            .help = Some("nest them: `{ all: [ {any: ...}, {not: ...} ] }`".into());
            None
        }
    }
}

/// `{ use: NAME }`: the shared condition `NAME`, parsed here against the type at the place of
/// use (`here`), which must have every field of the type it is written against.
fn parse_use(value: &Node, here: &FieldType, ctx: &mut Ctx<'_>) -> Option<Condition> {
    let library = ctx.library;
    let Some(name) = value.as_str() else {
        ctx.report(
            ProblemKind::InvalidValue,
            value.pos,
            format!(
                "`use` names a shared condition, found {}",
                value.type_name()
            ),
        );
        return None;
    };
    let Some(def) = library.get(name) else {
        let help = did_you_mean(name, library.names()).or_else(|| {
            let known: Vec<&str> = library.names().collect();
            Some(format!("shared conditions: {}", known.join(", ")))
        });
        ctx.report(
            ProblemKind::UnknownCondition,
            value.pos,
            format!("no shared condition is named `{name}` (files in `conditions/`)"),
        )
        .help = help;
        return None;
    };
    if ctx.expanding.iter().any(|n| n == name) {
        let path = [ctx.expanding.as_slice(), &[name.to_owned()]].concat();
        ctx.report(
            ProblemKind::ConditionCycle,
            value.pos,
            format!(
                "shared conditions use each other in a cycle: {}",
                path.join(" → ")
            ),
        );
        return None;
    }
    if let Err(missing) = fields::fits(here, def.element_type) {
        wrong_element(value, def, here, &missing, ctx);
        return None;
    }
    let (events, filter_texts) = (EventSets::new(), FilterTexts::new());
    let mut inner = Ctx {
        file: &def.file,
        params: &def.param_types,
        events: &events,
        filter_texts: &filter_texts,
        used: Default::default(),
        problems: &mut *ctx.problems,
        library,
        expanding: [ctx.expanding.as_slice(), &[name.to_owned()]].concat(),
    };
    let condition = parse(&def.check, here, &mut inner);
    let used = inner.used;
    ctx.used.extend(used);
    Some(Condition::Use(Box::new(Used {
        name: name.to_owned(),
        description: def.description.clone(),
        source: def.file.name.clone(),
        condition: condition?,
    })))
}

/// A shared condition used on a type that lacks a field it reads.
fn wrong_element(
    value: &Node,
    def: &ConditionDef,
    here: &FieldType,
    missing: &str,
    ctx: &mut Ctx<'_>,
) {
    let here_name = fields::element_name(here).map_or_else(
        || "this subject".to_owned(),
        |n| with_article(&format!("`{n}`")),
    );
    let at = def.element_pos;
    let message = format!(
        "shared condition `{}` is written for {} ({}:{}:{}), but is used here on {here_name}, which has no field `{missing}`",
        def.name,
        with_article(&format!("`{}`", def.element)),
        def.file.name,
        at.line,
        at.column
    );
    let mut d =
        Diagnostic::new(ProblemKind::ElementType, ctx.file, value.pos, message).help(format!(
            "use it where the subject is {}, e.g. inside a quantifier over such elements",
            with_article(&format!("`{}`", def.element))
        ));
    d.related = Some((
        std::sync::Arc::clone(&def.file),
        at,
        format!("`element: {}` here", def.element),
    ));
    ctx.problems.push(d);
}

fn parse_list(
    key: &Key,
    items: &[Node],
    here: &FieldType,
    ctx: &mut Ctx<'_>,
) -> Option<Vec<Condition>> {
    if items.is_empty() {
        ctx.report(
            ProblemKind::InvalidValue,
            key.pos,
            format!("`{}` needs at least one condition", key.name),
        );
        return None;
    }
    let parsed: Vec<Option<Condition>> = items.iter().map(|i| parse(i, here, ctx)).collect();
    parsed.into_iter().collect()
}

/// `any` / `all` / `none: { in: PATH, where: CONDITION, at_least | if_empty }`.
fn parse_quantifier(
    quantifier: Quantifier,
    key: &Key,
    entries: &[(Key, Node)],
    here: &FieldType,
    ctx: &mut Ctx<'_>,
) -> Option<Condition> {
    let mut ok = quantifier_keys(quantifier, entries, ctx);
    let get = |name: &str| entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);
    let name = quantifier.as_str();
    let Some(in_node) = get("in") else {
        ctx.report(
            ProblemKind::MissingKey,
            key.pos,
            format!("the `{name}` quantifier needs `in: PATH`"),
        );
        return None;
    };
    let Some(where_node) = get("where") else {
        ctx.report(
            ProblemKind::MissingKey,
            key.pos,
            format!("the `{name}` quantifier needs `where: CONDITION`"),
        );
        return None;
    };
    let if_empty = if_empty(quantifier, key, get("if_empty"), ctx, &mut ok);
    let at_least = at_least(get("at_least"), ctx, &mut ok);
    let Some(path) = in_node.as_str() else {
        ctx.report(
            ProblemKind::InvalidValue,
            in_node.pos,
            format!("`in` is a path, found {}", in_node.type_name()),
        );
        return None;
    };
    let condition = element_type(here, in_node, path, ctx).and_then(|e| parse(where_node, e, ctx));
    if !ok {
        return None;
    }
    Some(Condition::Quantified(Box::new(Quantified {
        quantifier,
        path: path.to_owned(),
        condition: condition?,
        at_least,
        if_empty,
    })))
}

/// Reports keys a quantifier does not take; whether there were none.
fn quantifier_keys(quantifier: Quantifier, entries: &[(Key, Node)], ctx: &mut Ctx<'_>) -> bool {
    let allowed: &[&str] = match quantifier {
        Quantifier::Any => &["in", "where", "at_least"],
        Quantifier::All | Quantifier::None => &["in", "where", "if_empty"],
    };
    let mut ok = true;
    for (k, _) in entries {
        if allowed.contains(&k.name.as_str()) {
            continue;
        }
        let help = if k.name == "if_empty" {
            Some(
                "`any` over an empty list is simply false; `if_empty` belongs to `all` and `none`"
                    .to_owned(),
            )
        } else if k.name == "at_least" {
            Some("`at_least` belongs to `any`".to_owned())
        } else {
            did_you_mean(&k.name, allowed.iter().copied())
        };
        ctx.report(
            ProblemKind::UnknownKey,
            k.pos,
            format!(
                "unknown key `{}` in an `{}` quantifier",
                k.name,
                quantifier.as_str()
            ),
        )
        .help = help;
        ok = false;
    }
    ok
}

/// `if_empty:` of `all` / `none`, which must say what an empty list means (vacuous truth is the
/// classic false pass); `None` for `any`. A problem clears `ok`.
fn if_empty(
    quantifier: Quantifier,
    key: &Key,
    node: Option<&Node>,
    ctx: &mut Ctx<'_>,
    ok: &mut bool,
) -> Option<IfEmpty> {
    if quantifier == Quantifier::Any {
        return None;
    }
    let Some(v) = node else {
        ctx.report(
            ProblemKind::MissingIfEmpty,
            key.pos,
            format!("`{}` over a list must say what an empty list means", quantifier.as_str()),
        )
        .help = Some("add `if_empty: pass | fail | not_applicable` (vacuous truth is the classic false pass)".into());
        *ok = false;
        return None;
    };
    match v.as_str() {
        Some("pass") => Some(IfEmpty::Pass),
        Some("fail") => Some(IfEmpty::Fail),
        Some("not_applicable") => Some(IfEmpty::NotApplicable),
        _ => {
            let help = v
                .as_str()
                .and_then(|s| did_you_mean(s, ["pass", "fail", "not_applicable"]));
            ctx.report(
                ProblemKind::InvalidValue,
                v.pos,
                "`if_empty` is one of `pass`, `fail`, `not_applicable`",
            )
            .help = help;
            *ok = false;
            None
        }
    }
}

/// `at_least:` of `any` (1 when absent). A problem clears `ok`.
fn at_least(node: Option<&Node>, ctx: &mut Ctx<'_>, ok: &mut bool) -> u32 {
    let Some(v) = node else {
        return 1;
    };
    match v.value {
        Value::Int(n) if n >= 1 => u32::try_from(n).unwrap_or(u32::MAX),
        _ => {
            ctx.report(
                ProblemKind::InvalidValue,
                v.pos,
                "`at_least` is a whole number ≥ 1",
            );
            *ok = false;
            1
        }
    }
}

/// The type of the elements of the list at `path` (`in:`), which must be objects.
fn element_type<'t>(
    here: &'t FieldType,
    in_node: &Node,
    path: &str,
    ctx: &mut Ctx<'_>,
) -> Option<&'t FieldType> {
    let t = match fields::lookup(here, path) {
        Ok(t) => t,
        Err(e) => {
            ctx.report_path_error(in_node, path, &e);
            return None;
        }
    };
    match &t.kind {
        Kind::List(item) if matches!(item.kind, Kind::Object(_)) => Some(item.as_ref()),
        Kind::List(item) => {
            ctx.report(
                ProblemKind::OperatorType,
                in_node.pos,
                format!(
                    "`{path}` is a {}; quantifiers need a list of objects",
                    t.kind
                ),
            )
            .help = Some(format!(
                "test the list itself: `{{ path: {path}, contains: … }}` or `empty: …` ({} elements)",
                item.kind
            ));
            None
        }
        other => {
            ctx.report(
                ProblemKind::OperatorType,
                in_node.pos,
                format!("`{path}` is a {other}, not a list"),
            );
            None
        }
    }
}

fn param_field_type(t: ParamType) -> Option<FieldType> {
    let kind = match t {
        ParamType::Bool => Kind::Bool,
        ParamType::Integer => Kind::Integer,
        ParamType::String => Kind::String,
        ParamType::StringList => Kind::List(Box::new(FieldType {
            kind: Kind::String,
            nullable: false,
            collected: false,
            description: None,
        })),
        ParamType::Duration => return None,
    };
    Some(FieldType {
        kind,
        nullable: false,
        collected: false,
        description: None,
    })
}

/// A leaf: `path:` or `param:`, and one operator with its operand.
fn parse_leaf(
    node: &Node,
    entries: &[(Key, Node)],
    here: &FieldType,
    ctx: &mut Ctx<'_>,
) -> Option<Condition> {
    let mut subject: Option<(LeafSubject, Cow<'_, FieldType>)> = None;
    let mut ops: Vec<(Op, &Key, &Node)> = Vec::new();
    let mut ok = true;
    for (key, value) in entries {
        let read = match key.name.as_str() {
            "path" => leaf_path(value, here, ctx),
            "param" => leaf_param(value, ctx),
            other => {
                match Op::parse(other) {
                    Some(op) => ops.push((op, key, value)),
                    None => {
                        unknown_operator(key, ctx);
                        ok = false;
                    }
                }
                continue;
            }
        };
        match read {
            Some(read) => subject = Some(read),
            None => ok = false,
        }
    }
    if entries
        .iter()
        .filter(|(k, _)| k.name == "path" || k.name == "param")
        .count()
        > 1
    {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            "a leaf tests one thing: either `path` or `param`, once",
        );
        return None;
    }
    let (op, op_key, op_value) = only_operator(node, &ops, ok, ctx)?;
    let (subject, field) = subject?;
    if !ok {
        return None;
    }
    if !op_fits(op, &field) {
        ctx.report(
            ProblemKind::OperatorType,
            op_key.pos,
            format!(
                "operator `{}` does not fit `{subject}`, which is {}",
                op.as_str(),
                describe(&field)
            ),
        )
        .help = Some(suggest_ops(&field));
        return None;
    }
    let operand = operand::parse_operand(op, op_value, &field, ctx)?;
    Some(Condition::Leaf(Leaf {
        subject,
        op,
        operand,
    }))
}

/// `path:` of a leaf and the type of the field it names.
fn leaf_path<'t>(
    value: &Node,
    here: &'t FieldType,
    ctx: &mut Ctx<'_>,
) -> Option<(LeafSubject, Cow<'t, FieldType>)> {
    let Some(path) = value.as_str() else {
        ctx.report(
            ProblemKind::InvalidValue,
            value.pos,
            format!("`path` is a string, found {}", value.type_name()),
        );
        return None;
    };
    match fields::lookup(here, path) {
        Ok(t) => Some((LeafSubject::Path(path.to_owned()), Cow::Borrowed(t))),
        Err(e) => {
            ctx.report_path_error(value, path, &e);
            None
        }
    }
}

/// `param:` of a leaf (a declared parameter, now used) and the type of its value.
fn leaf_param(value: &Node, ctx: &mut Ctx<'_>) -> Option<(LeafSubject, Cow<'static, FieldType>)> {
    let Some(name) = value.as_str() else {
        ctx.report(
            ProblemKind::InvalidValue,
            value.pos,
            "`param` is a parameter name",
        );
        return None;
    };
    let Some(t) = ctx.params.get(name).copied() else {
        let help = did_you_mean(name, ctx.params.keys().map(String::as_str));
        ctx.report(
            ProblemKind::BadParameter,
            value.pos,
            format!("parameter `{name}` is not declared in `parameters`"),
        )
        .help = help;
        return None;
    };
    ctx.used.insert(name.to_owned());
    let Some(field) = param_field_type(t) else {
        ctx.report(ProblemKind::BadParameter, value.pos, format!("a `duration` parameter cannot be tested directly; use it in `{{now_minus: {{param: {name}}}}}`"));
        return None;
    };
    Some((LeafSubject::Param(name.to_owned()), Cow::Owned(field)))
}

/// A key of a leaf that is neither `path`, `param` nor an operator.
fn unknown_operator(key: &Key, ctx: &mut Ctx<'_>) {
    let candidates = Op::ALL.iter().map(|o| o.as_str()).chain(["path", "param"]);
    ctx.report(
        ProblemKind::UnknownKey,
        key.pos,
        format!("unknown operator `{}`", key.name),
    )
    .help = did_you_mean(&key.name, candidates)
        .or_else(|| Some(format!("operators: {}", operator_list())));
}

/// The one operator of a leaf. With none, the problem is reported only when the leaf had no
/// other (`ok`): a misspelt operator already says what is wrong.
fn only_operator<'n>(
    node: &Node,
    ops: &[(Op, &'n Key, &'n Node)],
    ok: bool,
    ctx: &mut Ctx<'_>,
) -> Option<(Op, &'n Key, &'n Node)> {
    match ops {
        [one] => Some(*one),
        [] => {
            if ok {
                ctx.report(
                    ProblemKind::MissingKey,
                    node.pos,
                    "a leaf needs one operator",
                )
                .help = Some(format!("operators: {}", operator_list()));
            }
            None
        }
        [_, (_, second, _), ..] => {
            ctx.report(
                ProblemKind::InvalidValue,
                second.pos,
                format!(
                    "a leaf has exactly one operator; `{}` is a second one",
                    second.name
                ),
            )
            .help = Some("combine leaves with `all: [...]`".into());
            None
        }
    }
}

/// Every operator, comma-separated.
fn operator_list() -> String {
    Op::ALL
        .iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(t: &FieldType) -> String {
    let base = match &t.kind {
        Kind::Object(_) => "an object".to_owned(),
        k => format!("a {k}"),
    };
    if t.nullable {
        format!("{base} (or null)")
    } else {
        base
    }
}

fn op_fits(op: Op, t: &FieldType) -> bool {
    use Kind::*;
    match op {
        Op::Exists => true,
        Op::Equals | Op::NotEquals => matches!(
            t.kind,
            Bool | String | Enum(_) | Integer | Number | Timestamp | Any
        ),
        Op::OneOf => matches!(t.kind, String | Enum(_) | Integer | Number | Any),
        Op::Empty => matches!(t.kind, String | List(_) | Map(_) | Any),
        Op::Contains => match &t.kind {
            List(item) => item.is_scalar(),
            String | Map(_) | Any => true,
            _ => false,
        },
        Op::Matches => matches!(t.kind, String | Enum(_) | Any),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => matches!(t.kind, Integer | Number | Timestamp | Any),
        Op::MatchesEvents | Op::EqualsFilterText => matches!(t.kind, String | Any),
    }
}

fn suggest_ops(t: &FieldType) -> String {
    let fitting: Vec<&str> = Op::ALL
        .iter()
        .filter(|o| op_fits(**o, t))
        .map(|o| o.as_str())
        .collect();
    let mut help = format!("operators that fit a {}: {}", t.kind, fitting.join(", "));
    if let Kind::List(item) = &t.kind
        && matches!(item.kind, Kind::Object(_))
    {
        help.push_str("; to test the elements use a quantifier (`any: { in: …, where: … }`)");
    }
    help
}
