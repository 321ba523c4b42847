//! Rule parameters: declarations (`parameters:`) and typed values (defaults, test-case
//! `params:`, config overrides).

use std::collections::BTreeMap;

use super::diagnostic::ProblemKind;
use super::model::{Duration, ParamType, ParamValue, Parameter};
use super::parse::Fields;
use super::yaml::{Node, Value};

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

impl Fields<'_, '_> {
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
            sub.check_keys(&["type", "default", "description"], "parameter");
            let kind = sub.enumerated("type", ParamType::ALL.iter().map(|t| t.as_str()), |s| {
                ParamType::ALL.iter().copied().find(|t| t.as_str() == s)
            });
            if let Some(kind) = kind {
                types.insert(key.name.clone(), kind);
            }
            let description = sub.string("description", true);
            let default = match (sub.get("default"), kind) {
                (None, _) => {
                    sub.report(
                        ProblemKind::MissingKey,
                        key.pos,
                        format!("parameter `{}` needs a `default`", key.name),
                    );
                    None
                }
                (Some((_, d)), Some(kind)) => match param_value(d, kind) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        sub.report(
                            ProblemKind::BadParameter,
                            d.pos,
                            format!("default of `{}`: {e}", key.name),
                        );
                        None
                    }
                },
                (Some(_), None) => None,
            };
            if let (Some(kind), Some(default), Some(description)) = (kind, default, description) {
                out.insert(
                    key.name.clone(),
                    Parameter {
                        kind,
                        value: default.clone(),
                        default,
                        description,
                    },
                );
            }
        }
        (out, types)
    }
}
