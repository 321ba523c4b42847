//! The right-hand side of a leaf: literals of the field's type, `{param: NAME}` references,
//! `{now_minus: DURATION}` and regexes, each checked against the field and operator.

use crate::inventory::Timestamp;

use std::sync::Arc;

use super::condition::{
    DurationRef, EventsOperand, FilterTextOperand, Literal, Op, Operand, TextKey,
};
use super::context::Ctx;
use super::events::EventRecord;
use super::fields::{FieldType, Kind};
use super::mapping::MATCHES_EVENTS_KEYS;
use super::params::{Duration, ParamType};
use crate::document::{Node, ProblemKind, Value, check_keys, did_you_mean};

/// The operand of `op` on a field of type `field`, or `None` with the problem reported.
pub(super) fn parse_operand(
    op: Op,
    node: &Node,
    field: &FieldType,
    ctx: &mut Ctx<'_>,
) -> Option<Operand> {
    match op {
        Op::Exists | Op::Empty => flag_operand(op, node, ctx),
        Op::Matches => regex_operand(node, ctx),
        Op::OneOf => one_of_operand(node, field, ctx),
        Op::Contains => value_operand(node, &contained(field), ctx, false),
        Op::Equals | Op::NotEquals => value_operand(node, field, ctx, false),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => value_operand(node, field, ctx, true),
        Op::MatchesEvents => events_operand(node, ctx),
        Op::EqualsFilterText => filter_text_operand(node, ctx),
    }
}

/// `equals_filter_text`: a key of the rule's `filter_texts:`, or `{param: NAME}` naming a
/// `string` parameter whose value is the key (checked when the rule runs: a key without texts
/// is then False, never a PASS).
fn filter_text_operand(node: &Node, ctx: &mut Ctx<'_>) -> Option<Operand> {
    let texts = Arc::new(ctx.filter_texts.clone());
    if let Some(name_node) = param_ref(node, ctx) {
        return match check_param(name_node, ParamType::String, node, ctx, true)? {
            Operand::Param(name) => Some(Operand::FilterText(FilterTextOperand {
                key: TextKey::Param(name),
                texts,
            })),
            _ => None,
        };
    }
    let Some(key) = node.as_str() else {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            "`equals_filter_text` takes a key of the rule's `filter_texts:` or `{param: NAME}`",
        );
        return None;
    };
    if !texts.contains_key(key) {
        let help = did_you_mean(key, texts.keys().map(String::as_str));
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            format!("the rule declares no filter text `{key}` under `filter_texts:`"),
        )
        .help = help;
        return None;
    }
    Some(Operand::FilterText(FilterTextOperand {
        key: TextKey::Literal(key.to_owned()),
        texts,
    }))
}

/// `matches_events`: `{all_of: SET, none_of?: SET}`, naming sets of the rule's `events:`.
fn events_operand(node: &Node, ctx: &mut Ctx<'_>) -> Option<Operand> {
    let Some(entries) = node.as_map() else {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            "`matches_events` takes `{all_of: SET, none_of: SET}` (sets of the rule's `events:`)",
        );
        return None;
    };
    check_keys(
        ctx.file,
        entries,
        MATCHES_EVENTS_KEYS,
        "`matches_events`",
        ctx.problems,
    );
    let mut set = |name: &str, required: bool| -> Option<Option<(String, Arc<[EventRecord]>)>> {
        let Some((key, value)) = entries.iter().find(|(k, _)| k.name == name) else {
            if required {
                ctx.report(
                    ProblemKind::MissingKey,
                    node.pos,
                    format!("`matches_events` needs `{name}`"),
                );
                return None;
            }
            return Some(None);
        };
        let wanted = value.as_str().unwrap_or_default();
        match ctx.events.get(wanted) {
            Some(records) => Some(Some((wanted.to_owned(), Arc::clone(records)))),
            None => {
                let known = ctx.events.keys().map(String::as_str);
                ctx.report(
                    ProblemKind::InvalidValue,
                    value.pos,
                    format!(
                        "`{}`: the rule declares no event set `{wanted}` under `events:`",
                        key.name
                    ),
                )
                .help = did_you_mean(wanted, known);
                None
            }
        }
    };
    let all_of = set("all_of", true)?;
    let none_of = set("none_of", false)?;
    Some(Operand::Events(EventsOperand {
        all_of: all_of?,
        none_of,
    }))
}

/// `exists` / `empty`: `true` or `false`.
fn flag_operand(op: Op, node: &Node, ctx: &mut Ctx<'_>) -> Option<Operand> {
    match node.value {
        Value::Bool(b) => Some(Operand::Flag(b)),
        _ => {
            ctx.report(
                ProblemKind::InvalidValue,
                node.pos,
                format!("`{}` takes `true` or `false`", op.as_str()),
            );
            None
        }
    }
}

/// `matches`: a regex-lite regex, anchored to match the whole value.
fn regex_operand(node: &Node, ctx: &mut Ctx<'_>) -> Option<Operand> {
    let Some(text) = node.as_str() else {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            "`matches` takes a regex string",
        );
        return None;
    };
    match regex_lite::Regex::new(&format!("^(?:{text})$")) {
        Ok(re) => Some(Operand::Regex(re, text.to_owned())),
        Err(e) => {
            let msg = e.to_string();
            let first = msg.lines().last().unwrap_or(&msg).trim().to_owned();
            ctx.report(
                ProblemKind::InvalidRegex,
                node.pos,
                format!("invalid regex: {first}"),
            )
            .help = Some("regex-lite syntax; the regex must match the whole value".into());
            None
        }
    }
}

/// `one_of`: a string-list parameter, or a non-empty list of literals of the field's type.
fn one_of_operand(node: &Node, field: &FieldType, ctx: &mut Ctx<'_>) -> Option<Operand> {
    if let Some(param) = param_ref(node, ctx) {
        return check_param(
            param,
            ParamType::StringList,
            node,
            ctx,
            matches!(field.kind, Kind::String | Kind::Enum(_) | Kind::Any),
        );
    }
    let Some(items) = node.as_seq().filter(|s| !s.is_empty()) else {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            "`one_of` takes a non-empty list of values or `{param: NAME}`",
        );
        return None;
    };
    let lits: Vec<Option<Literal>> = items.iter().map(|i| literal(i, field, ctx)).collect();
    lits.into_iter()
        .collect::<Option<Vec<_>>>()
        .map(Operand::List)
}

/// What `contains` compares with: a list's item type, a string for maps (keys) and strings
/// (substrings), anything otherwise.
fn contained(field: &FieldType) -> FieldType {
    match &field.kind {
        Kind::List(item) => item.as_ref().clone(),
        Kind::Map(_) | Kind::String => FieldType {
            kind: Kind::String,
            nullable: false,
            collected: false,
            description: None,
        },
        _ => FieldType {
            kind: Kind::Any,
            nullable: false,
            collected: false,
            description: None,
        },
    }
}

/// `{param: NAME}` → the name (reporting a malformed reference).
fn param_ref<'n>(node: &'n Node, ctx: &mut Ctx<'_>) -> Option<&'n Node> {
    let entries = node.as_map()?;
    let (key, value) = entries.first()?;
    if key.name != "param" {
        return None;
    }
    if entries.len() > 1 {
        ctx.report(
            ProblemKind::UnknownKey,
            entries[1].0.pos,
            "`{param: NAME}` has no other keys",
        );
    }
    Some(value)
}

fn check_param(
    name_node: &Node,
    want: ParamType,
    node: &Node,
    ctx: &mut Ctx<'_>,
    fits_field: bool,
) -> Option<Operand> {
    let Some(name) = name_node.as_str() else {
        ctx.report(
            ProblemKind::BadParameter,
            name_node.pos,
            "`param` takes a parameter name",
        );
        return None;
    };
    let Some(actual) = ctx.params.get(name).copied() else {
        let help = did_you_mean(name, ctx.params.keys().map(String::as_str));
        ctx.report(
            ProblemKind::BadParameter,
            name_node.pos,
            format!("parameter `{name}` is not declared in `parameters`"),
        )
        .help = help;
        return None;
    };
    ctx.used.insert(name.to_owned());
    if actual != want || !fits_field {
        ctx.report(
            ProblemKind::BadParameter,
            node.pos,
            format!(
                "parameter `{name}` is a {} but a {} is needed here",
                actual.as_str(),
                want.as_str()
            ),
        );
        return None;
    }
    Some(Operand::Param(name.to_owned()))
}

fn value_operand(
    node: &Node,
    field: &FieldType,
    ctx: &mut Ctx<'_>,
    ordering: bool,
) -> Option<Operand> {
    if let Some(name_node) = param_ref(node, ctx) {
        let want = match field.kind {
            Kind::Bool => ParamType::Bool,
            Kind::Integer | Kind::Number => ParamType::Integer,
            Kind::String | Kind::Enum(_) => ParamType::String,
            Kind::Any => ctx
                .params
                .get(name_node.as_str().unwrap_or_default())
                .copied()
                .unwrap_or(ParamType::String),
            _ => {
                ctx.report(
                    ProblemKind::BadParameter,
                    node.pos,
                    format!("a parameter cannot stand for a {}", field.kind),
                )
                .help = Some(
                    "for timestamps use `{now_minus: {param: NAME}}` with a `duration` parameter"
                        .into(),
                );
                return None;
            }
        };
        return check_param(name_node, want, node, ctx, true);
    }
    if let Some(entries) = node.as_map()
        && let Some((key, value)) = entries.first()
        && key.name == "now_minus"
    {
        if !(ordering && matches!(field.kind, Kind::Timestamp | Kind::Any)) {
            ctx.report(ProblemKind::OperatorType, key.pos, "`now_minus` is a timestamp; use it with `gt`/`gte`/`lt`/`lte` on a timestamp field");
            return None;
        }
        if let Some(name_node) = param_ref(value, ctx) {
            return match check_param(name_node, ParamType::Duration, value, ctx, true)? {
                Operand::Param(p) => Some(Operand::NowMinus(DurationRef::Param(p))),
                _ => None,
            };
        }
        return match value.as_str().and_then(Duration::parse) {
            Some(d) => Some(Operand::NowMinus(DurationRef::Fixed(d))),
            None => {
                ctx.report(
                    ProblemKind::InvalidValue,
                    value.pos,
                    "a duration is `<integer><s|m|h|d>`, e.g. `24h`, `365d`, or `{param: NAME}`",
                );
                None
            }
        };
    }
    literal(node, field, ctx).map(Operand::Literal)
}

/// A literal of the field's type.
fn literal(node: &Node, field: &FieldType, ctx: &mut Ctx<'_>) -> Option<Literal> {
    let bad = |ctx: &mut Ctx<'_>, what: &str| {
        ctx.report(
            ProblemKind::InvalidValue,
            node.pos,
            format!(
                "expected {what} (the field is a {}), found {}",
                field.kind,
                node.type_name()
            ),
        );
        None
    };
    match (&field.kind, &node.value) {
        (Kind::Bool, Value::Bool(b)) => Some(Literal::Bool(*b)),
        (Kind::Bool, _) => bad(ctx, "`true` or `false`"),
        (Kind::Integer, Value::Int(i)) => Some(Literal::Int(*i)),
        (Kind::Integer, _) => bad(ctx, "a whole number"),
        (Kind::Number, Value::Int(i)) => Some(Literal::Number(*i as f64)),
        (Kind::Number, Value::Float(f)) => Some(Literal::Number(*f)),
        (Kind::Number, _) => bad(ctx, "a number"),
        (Kind::String, Value::Str(s)) => Some(Literal::String(s.clone())),
        (Kind::String, _) => bad(ctx, "a string (quote it)"),
        (Kind::Timestamp, Value::Str(s)) => match Timestamp::parse(s) {
            Some(t) => Some(Literal::Timestamp(t)),
            None => bad(
                ctx,
                "an RFC 3339 timestamp such as \"2026-01-01T00:00:00Z\" or `{now_minus: 24h}`",
            ),
        },
        (Kind::Timestamp, _) => bad(ctx, "an RFC 3339 timestamp or `{now_minus: DURATION}`"),
        (Kind::Enum(values), Value::Str(s)) if values.contains(s) => {
            Some(Literal::String(s.clone()))
        }
        (Kind::Enum(values), _) => {
            let help = node
                .as_str()
                .and_then(|s| did_you_mean(s, values.iter().map(String::as_str)));
            ctx.report(
                ProblemKind::InvalidValue,
                node.pos,
                format!(
                    "`{}` is not one of the field's values: {}",
                    scalar_text(node),
                    values.join(", ")
                ),
            )
            .help = help;
            None
        }
        (Kind::Any, Value::Bool(b)) => Some(Literal::Bool(*b)),
        (Kind::Any, Value::Int(i)) => Some(Literal::Int(*i)),
        (Kind::Any, Value::Float(f)) => Some(Literal::Number(*f)),
        (Kind::Any, Value::Str(s)) => Some(Literal::String(s.clone())),
        _ => bad(ctx, "a scalar value"),
    }
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        other => format!("{other:?}"),
    }
}
