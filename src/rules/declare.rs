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

/// One parameter declaration `{type, default, description, minimum?, maximum?}` (these
/// fields), its type recorded in `types` as soon as it is known.
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
    let default = match (p.get("default"), kind) {
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
    };
    let (minimum, maximum) = (minimum?, maximum?);
    let max_at = maximum.as_ref().map(|(_, at)| *at);
    let (default, default_at) = default?;
    let param = Parameter {
        kind: kind?,
        value: default.clone(),
        default,
        description: description?,
        minimum: minimum.map(|(v, _)| v),
        maximum: maximum.map(|(v, _)| v),
    };
    range_holds(p, name, &param, default_at, max_at).then_some(param)
}

/// Whether the declared range is ordered and holds the default; reports why not.
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
    if let Err(e) = param.check_range(&param.default) {
        p.report(
            ProblemKind::BadParameter,
            default_at,
            format!("default of `{name}`: {e}"),
        );
        return false;
    }
    true
}
