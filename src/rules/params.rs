//! Rule parameters: declarations (`parameters:`) and typed values (defaults, test-case
//! `params:`, config overrides).

use std::collections::BTreeMap;

use super::model::{Duration, ParamType, ParamValue, Parameter};
use super::parse::Fields;
use crate::document::{Node, Pos, ProblemKind, Value};

/// Parses a parameter value of a declared type.
pub fn param_value(node: &Node, kind: ParamType) -> Result<ParamValue, String> {
    let err = || {
        format!(
            "expected a {} value, found {}",
            kind.as_str(),
            node.type_name()
        )
    };
    match (kind, &node.value) {
        (ParamType::Bool, Value::Bool(b)) => Ok(ParamValue::Bool(*b)),
        (ParamType::Integer, Value::Int(i)) => Ok(ParamValue::Integer(*i)),
        (ParamType::String, Value::Str(s)) => Ok(ParamValue::String(s.clone())),
        (ParamType::StringList, Value::Seq(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    format!(
                        "expected a list of strings; an item is {} (quote account ids)",
                        i.type_name()
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(ParamValue::StringList),
        (ParamType::Duration, Value::Str(s)) => Duration::parse(s)
            .map(ParamValue::Duration)
            .ok_or_else(|| format!("`{s}` is not a duration (`<integer><s|m|h|d>`, e.g. `24h`)")),
        _ => Err(err()),
    }
}

/// Parses a value for a declared parameter: its type, then its declared range.
pub fn declared_value(node: &Node, param: &Parameter) -> Result<ParamValue, String> {
    let value = param_value(node, param.kind)?;
    param.check_range(&value)?;
    Ok(value)
}

impl Fields<'_, '_> {
    /// `minimum:` / `maximum:` of a parameter declaration: `Some(None)` when absent,
    /// `Some(Some((value, where)))` when valid, `None` (reported) when it does not fit the type.
    fn bound(&mut self, name: &str, kind: Option<ParamType>) -> Option<Option<(ParamValue, Pos)>> {
        let Some((k, node)) = self.get(name) else {
            return Some(None);
        };
        let k_pos = k.pos;
        let kind = kind?;
        if !Parameter::ranged(kind) {
            self.report(
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
                self.report(
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
        &mut self,
    ) -> (BTreeMap<String, Parameter>, BTreeMap<String, ParamType>) {
        let mut out = BTreeMap::new();
        let mut types = BTreeMap::new();
        let Some((_, v)) = self.get("parameters") else {
            return (out, types);
        };
        let Some(entries) = v.as_map() else {
            self.report(
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
                self.report(
                    ProblemKind::BadParameter,
                    key.pos,
                    format!("parameter name `{}` must be snake_case", key.name),
                );
                continue;
            }
            let Some(decl_entries) = decl.as_map() else {
                self.report(
                    ProblemKind::BadParameter,
                    decl.pos,
                    "a parameter is `{type, default, description}`",
                );
                continue;
            };
            let mut sub = Fields {
                file: self.file,
                entries: decl_entries,
                problems: self.problems,
                whole: key.pos,
            };
            if let Some(param) = sub.declaration(&key.name, key.pos, &mut types) {
                out.insert(key.name.clone(), param);
            }
        }
        (out, types)
    }

    /// One parameter declaration `{type, default, description, minimum?, maximum?}` (these
    /// fields), its type recorded in `types` as soon as it is known.
    fn declaration(
        &mut self,
        name: &str,
        at: Pos,
        types: &mut BTreeMap<String, ParamType>,
    ) -> Option<Parameter> {
        self.check_keys(
            &["type", "default", "description", "minimum", "maximum"],
            "parameter",
        );
        let kind = self.enumerated("type", ParamType::ALL.iter().map(|t| t.as_str()), |s| {
            ParamType::ALL.iter().copied().find(|t| t.as_str() == s)
        });
        if let Some(kind) = kind {
            types.insert(name.to_owned(), kind);
        }
        let description = self.string("description", true);
        let minimum = self.bound("minimum", kind);
        let maximum = self.bound("maximum", kind);
        let default = match (self.get("default"), kind) {
            (None, _) => {
                self.report(
                    ProblemKind::MissingKey,
                    at,
                    format!("parameter `{name}` needs a `default`"),
                );
                None
            }
            (Some((_, d)), Some(kind)) => match param_value(d, kind) {
                Ok(v) => Some((v, d.pos)),
                Err(e) => {
                    self.report(
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
        self.range_holds(name, &param, default_at, max_at)
            .then_some(param)
    }

    /// Whether the declared range is ordered and holds the default; reports why not.
    fn range_holds(
        &mut self,
        name: &str,
        param: &Parameter,
        default_at: Pos,
        max_at: Option<Pos>,
    ) -> bool {
        if let (Some(min), Some(max), Some(max_at)) = (&param.minimum, &param.maximum, max_at)
            && min.magnitude() > max.magnitude()
        {
            self.report(
                ProblemKind::BadParameter,
                max_at,
                format!("`{name}`: the maximum {max} is below the minimum {min}"),
            );
            return false;
        }
        if let Err(e) = param.check_range(&param.default) {
            self.report(
                ProblemKind::BadParameter,
                default_at,
                format!("default of `{name}`: {e}"),
            );
            return false;
        }
        true
    }
}
