//! Reading a rule's `parameters:` section: each declaration's type, default, description and
//! range, checked as far as it can be so that one bad field does not hide the others.

use std::collections::BTreeMap;

use super::mapping::{Mapping, PARAMETER_KEYS};
use super::params::{ParamType, ParamValue, Parameter, param_value};
use crate::document::{Pos, ProblemKind};

/// `minimum:` / `maximum:` of a parameter declaration: `Some(None)` when absent,
/// `Some(Some((value, where)))` when valid, `None` (reported) when it does not fit the type.
fn bound(
    p: &mut Mapping<'_, '_>,
    name: &str,
    kind: Option<ParamType>,
) -> Option<Option<(ParamValue, Pos)>> {
    let Some((k, node)) = p.get(name) else {
        return Some(None);
    };
    let k_pos = k.pos;
    let kind = kind?;
    if !Parameter::ranged(kind) {
        p.report(
            ProblemKind::BadParameter,
            k_pos,
            format!(
                "`{name}` applies to integer and duration parameters, not {}",
                kind.as_str()
            ),
        );
        return None;
    }
    match param_value(node, kind) {
        Ok(v) => Some(Some((v, node.pos))),
        Err(e) => {
            p.report(
                ProblemKind::BadParameter,
                node.pos,
                format!("`{name}`: {e}"),
            );
            None
        }
    }
}

/// The valid declarations, and the declared type of every parameter whose type is valid
/// (so that a bad default does not also make every reference "undeclared").
pub(super) fn parameters(
    p: &mut Mapping<'_, '_>,
) -> (BTreeMap<String, Parameter>, BTreeMap<String, ParamType>) {
    let mut out = BTreeMap::new();
    let mut types = BTreeMap::new();
    let Some((_, v)) = p.get("parameters") else {
        return (out, types);
    };
    let Some(entries) = v.as_map() else {
        p.report(
            ProblemKind::InvalidValue,
            v.pos,
            "`parameters` maps names to `{type, default, description}`",
        );
        return (out, types);
    };
    for (key, decl) in entries {
        if !key.name.starts_with(|c: char| c.is_ascii_lowercase())
            || !key
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            p.report(
                ProblemKind::BadParameter,
                key.pos,
                format!("parameter name `{}` must be snake_case", key.name),
            );
            continue;
        }
        let Some(decl_entries) = decl.as_map() else {
            p.report(
                ProblemKind::BadParameter,
                decl.pos,
                "a parameter is `{type, default, description}`",
            );
            continue;
        };
        let mut sub = Mapping {
            file: p.file,
            entries: decl_entries,
            problems: p.problems,
            whole: key.pos,
        };
        if let Some(param) = declaration(&mut sub, &key.name, key.pos, &mut types) {
            out.insert(key.name.clone(), param);
        }
    }
    (out, types)
}

/// One parameter declaration `{type, default, description, minimum?, maximum?, allowed?}`
/// (these fields), its type recorded in `types` as soon as it is known.
fn declaration(
    p: &mut Mapping<'_, '_>,
    name: &str,
    at: Pos,
    types: &mut BTreeMap<String, ParamType>,
) -> Option<Parameter> {
    p.check_keys(PARAMETER_KEYS, "parameter");
    let kind = p.enumerated("type", ParamType::ALL.iter().map(|t| t.as_str()), |s| {
        ParamType::ALL.iter().copied().find(|t| t.as_str() == s)
    });
    if let Some(kind) = kind {
        types.insert(name.to_owned(), kind);
    }
    let description = p.string("description", true);
    let minimum = bound(p, "minimum", kind);
    let maximum = bound(p, "maximum", kind);
    let allowed = allowed(p, kind);
    let default = default_value(p, name, at, kind);
    let (minimum, maximum, allowed) = (minimum?, maximum?, allowed?);
    let max_at = maximum.as_ref().map(|(_, at)| *at);
    let (default, default_at) = default?;
    let param = Parameter {
        kind: kind?,
        value: default.clone(),
        default,
        description: description?,
        minimum: minimum.map(|(v, _)| v),
        maximum: maximum.map(|(v, _)| v),
        allowed,
    };
    range_holds(p, name, &param, default_at, max_at).then_some(param)
}

/// `default:` of a declaration, of its type, and where it is written.
fn default_value(
    p: &mut Mapping<'_, '_>,
    name: &str,
    at: Pos,
    kind: Option<ParamType>,
) -> Option<(ParamValue, Pos)> {
    match (p.get("default"), kind) {
        (None, _) => {
            p.report(
                ProblemKind::MissingKey,
                at,
                format!("parameter `{name}` needs a `default`"),
            );
            None
        }
        (Some((_, d)), Some(kind)) => match param_value(d, kind) {
            Ok(v) => Some((v, d.pos)),
            Err(e) => {
                p.report(
                    ProblemKind::BadParameter,
                    d.pos,
                    format!("default of `{name}`: {e}"),
                );
                None
            }
        },
        (Some(_), None) => None,
    }
}

/// `allowed:` of a string or string-list declaration: `Some(None)` when absent,
/// `Some(Some(values))` when a non-empty list of distinct strings, `None` (reported) otherwise.
fn allowed(p: &mut Mapping<'_, '_>, kind: Option<ParamType>) -> Option<Option<Vec<String>>> {
    let Some((k, node)) = p.get("allowed") else {
        return Some(None);
    };
    let kind = kind?;
    if !Parameter::enumerable(kind) {
        let message = format!(
            "`allowed` applies to string and string_list parameters, not {}",
            kind.as_str()
        );
        p.report(ProblemKind::BadParameter, k.pos, message);
        return None;
    }
    let values: Option<Vec<String>> =
        node.as_seq()
            .filter(|items| !items.is_empty())
            .and_then(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect()
            });
    let Some(values) = values else {
        let message = "`allowed` is a non-empty list of strings";
        p.report(ProblemKind::BadParameter, node.pos, message);
        return None;
    };
    let distinct: std::collections::BTreeSet<&String> = values.iter().collect();
    if distinct.len() != values.len() {
        let message = "`allowed` lists a value twice";
        p.report(ProblemKind::BadParameter, node.pos, message);
        return None;
    }
    Some(Some(values))
}

/// Whether the declared range is ordered and the range and allowed values hold the default;
/// reports why not.
fn range_holds(
    p: &mut Mapping<'_, '_>,
    name: &str,
    param: &Parameter,
    default_at: Pos,
    max_at: Option<Pos>,
) -> bool {
    if let (Some(min), Some(max), Some(max_at)) = (&param.minimum, &param.maximum, max_at)
        && min.magnitude() > max.magnitude()
    {
        p.report(
            ProblemKind::BadParameter,
            max_at,
            format!("`{name}`: the maximum {max} is below the minimum {min}"),
        );
        return false;
    }
    if let Err(e) = param.check_value(&param.default) {
        p.report(
            ProblemKind::BadParameter,
            default_at,
            format!("default of `{name}`: {e}"),
        );
        return false;
    }
    true
}
