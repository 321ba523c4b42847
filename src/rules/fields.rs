//! The path table: which paths a rule of each scope may use, and their types.
//!
//! Generated from the JSON Schema (schemars) of the view types in [`super::view`], which embed
//! the inventory types themselves: one source of truth. Nothing here lists a field by hand.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use super::view::{
    AccountSubject, BucketSubject, KeySubject, OrganizationSubject, RegionSubject, TrailSubject,
};
use crate::vocabulary::Scope;

/// The type of a field as rules see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `true` / `false`.
    Bool,
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// An RFC 3339 point in time.
    Timestamp,
    /// One of fixed strings.
    Enum(Vec<String>),
    /// A list.
    List(Box<FieldType>),
    /// An object with named fields.
    Object(BTreeMap<String, FieldType>),
    /// A map from string keys to values.
    Map(Box<FieldType>),
    /// Free-form JSON (e.g. a policy document).
    Any,
}

/// A field's type, whether it may be null, and whether it is a read from AWS that can fail.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldType {
    /// The type.
    pub kind: Kind,
    /// May be `null` (absent).
    pub nullable: bool,
    /// Read from AWS: may be `{"error": …}`.
    pub collected: bool,
    /// The doc comment of the field.
    pub description: Option<String>,
}

impl FieldType {
    fn plain(kind: Kind) -> Self {
        FieldType {
            kind,
            nullable: false,
            collected: false,
            description: None,
        }
    }

    /// The fields of an object type.
    pub fn fields(&self) -> Option<&BTreeMap<String, FieldType>> {
        match &self.kind {
            Kind::Object(f) => Some(f),
            _ => None,
        }
    }

    /// Whether values of this type are compared as scalars.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self.kind,
            Kind::Bool
                | Kind::String
                | Kind::Integer
                | Kind::Number
                | Kind::Timestamp
                | Kind::Enum(_)
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Bool => f.write_str("bool"),
            Kind::String => f.write_str("string"),
            Kind::Integer => f.write_str("integer"),
            Kind::Number => f.write_str("number"),
            Kind::Timestamp => f.write_str("timestamp"),
            Kind::Enum(values) => write!(f, "enum({})", values.join("|")),
            Kind::List(item) => write!(f, "list<{}>", item.kind),
            Kind::Object(_) => f.write_str("object"),
            Kind::Map(v) => write!(f, "map<{}>", v.kind),
            Kind::Any => f.write_str("any"),
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if self.nullable {
            f.write_str(" | null")?;
        }
        Ok(())
    }
}

/// The subject type of a scope.
pub fn subject(scope: Scope) -> &'static FieldType {
    static TABLES: OnceLock<BTreeMap<Scope, FieldType>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let mut map = BTreeMap::new();
        map.insert(Scope::Account, from_root(&schema::<AccountSubject>()));
        map.insert(Scope::Region, from_root(&schema::<RegionSubject>()));
        map.insert(Scope::Trail, from_root(&schema::<TrailSubject>()));
        map.insert(Scope::Bucket, from_root(&schema::<BucketSubject>()));
        map.insert(Scope::Key, from_root(&schema::<KeySubject>()));
        map.insert(
            Scope::Organization,
            from_root(&schema::<OrganizationSubject>()),
        );
        map
    });
    static EMPTY: OnceLock<FieldType> = OnceLock::new();
    tables
        .get(&scope)
        .unwrap_or_else(|| EMPTY.get_or_init(|| FieldType::plain(Kind::Object(BTreeMap::new()))))
}

/// The element types a shared condition may be written against (`element:` of a file in
/// `conditions/`): the subject of a scope, or an element of a list a quantifier walks. `trail` is
/// a trail as `in: trails` yields it (a `trail`-scope subject has all its fields and more).
pub const ELEMENTS: &[&str] = &[
    "account",
    "region",
    "trail",
    "bucket",
    "key",
    "organization",
    "log_group",
    "metric_filter",
    "metric_transformation",
    "alarm",
    "topic",
];

/// The type of an element of [`ELEMENTS`], found by following the views' own fields so it
/// cannot drift from them.
pub fn element(name: &str) -> Option<&'static FieldType> {
    static TABLE: OnceLock<BTreeMap<&'static str, FieldType>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut map = BTreeMap::new();
            for scope in [
                Scope::Account,
                Scope::Region,
                Scope::Bucket,
                Scope::Key,
                Scope::Organization,
            ] {
                map.insert(scope.as_str(), subject(scope).clone());
            }
            let chain = [
                ("trail", "trails"),
                ("log_group", "log_group"),
                ("metric_filter", "metric_filters"),
                ("metric_transformation", "transformations"),
                ("alarm", "alarms"),
                ("topic", "topics"),
            ];
            let mut here = subject(Scope::Account).clone();
            for (name, field) in chain {
                let Some(next) = step_into(&here, field) else {
                    break;
                };
                map.insert(name, next.clone());
                here = next;
            }
            map
        })
        .get(name)
}

/// The object a field holds: the field's object, or the elements of its list of objects.
fn step_into(here: &FieldType, field: &str) -> Option<FieldType> {
    let t = here.fields()?.get(field)?;
    let mut inner = match &t.kind {
        Kind::List(item) => item.as_ref().clone(),
        _ => t.clone(),
    };
    inner.nullable = false;
    inner.collected = false;
    matches!(inner.kind, Kind::Object(_)).then_some(inner)
}

/// Whether a condition written against `element` reads the same fields, of the same types, in
/// `here`: every field of `element` must be in `here` with the same kind (`here` may have
/// more). `Err` is the path of the first field that is not.
pub fn fits(here: &FieldType, element: &FieldType) -> Result<(), String> {
    fits_at(here, element, "")
}

fn fits_at(here: &FieldType, element: &FieldType, at: &str) -> Result<(), String> {
    match (&here.kind, &element.kind) {
        (Kind::Object(have), Kind::Object(want)) => {
            for (name, t) in want {
                let path = if at.is_empty() {
                    name.clone()
                } else {
                    format!("{at}.{name}")
                };
                match have.get(name) {
                    Some(h) => fits_at(h, t, &path)?,
                    None => return Err(path),
                }
            }
            Ok(())
        }
        (Kind::List(h), Kind::List(w)) | (Kind::Map(h), Kind::Map(w)) => fits_at(h, w, at),
        (h, w) if h == w => Ok(()),
        _ if at.is_empty() => Err("(the subject itself)".to_owned()),
        _ => Err(at.to_owned()),
    }
}

/// The name in [`ELEMENTS`] of a type, when it is exactly one of them.
pub fn element_name(t: &FieldType) -> Option<&'static str> {
    ELEMENTS
        .iter()
        .copied()
        .find(|name| element(name).is_some_and(|e| fits(t, e).is_ok() && fits(e, t).is_ok()))
}

/// The type of the `{"error": …}` of a failed read, for checking test subjects.
pub fn collect_error() -> &'static FieldType {
    static T: OnceLock<FieldType> = OnceLock::new();
    T.get_or_init(|| from_root(&schema::<crate::inventory::CollectError>()))
}

fn schema<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

fn from_root(root: &Value) -> FieldType {
    let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
    convert(root, &defs, 0)
}

fn resolve<'a>(node: &'a Value, defs: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| defs.get(name))
            .unwrap_or(node),
        None => node,
    }
}

fn is_null_schema(node: &Value) -> bool {
    node.get("type").and_then(Value::as_str) == Some("null")
}

/// The `{"error": CollectError}` arm of a `Collected<T>`.
fn is_error_arm(node: &Value) -> bool {
    let props = node.get("properties").and_then(Value::as_object);
    props.is_some_and(|p| {
        p.len() == 1
            && p.get("error")
                .and_then(|e| e.get("$ref"))
                .and_then(Value::as_str)
                .is_some_and(|r| r.ends_with("/CollectError"))
    })
}

fn convert(node: &Value, defs: &Value, depth: usize) -> FieldType {
    if depth > 32 {
        return FieldType::plain(Kind::Any);
    }
    let description = node
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let target = resolve(node, defs);
    let mut out = convert_resolved(target, defs, depth);
    if description.is_some() {
        out.description = description;
    }
    out
}

/// The field type of a schema node whose `$ref` is resolved: a union (`anyOf`), a set of
/// constants (`oneOf`, `enum`), or a JSON type.
fn convert_resolved(node: &Value, defs: &Value, depth: usize) -> FieldType {
    if let Some(arms) = node.get("anyOf").and_then(Value::as_array) {
        return convert_any_of(arms, defs, depth);
    }
    if let Some(arms) = node.get("oneOf").and_then(Value::as_array) {
        let values: Vec<String> = arms
            .iter()
            .filter_map(|a| a.get("const").and_then(Value::as_str).map(str::to_owned))
            .collect();
        if values.len() == arms.len() {
            return FieldType::plain(Kind::Enum(values));
        }
        return FieldType::plain(Kind::Any);
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        return FieldType::plain(Kind::Enum(values));
    }
    let (type_name, nullable) = json_type(node);
    FieldType {
        kind: convert_typed(type_name, node, defs, depth),
        nullable,
        collected: false,
        description: None,
    }
}

/// An `anyOf`: its one real arm, nullable when a `null` arm is there and collected when a
/// `{"error": CollectError}` arm is (an `Option` or a `Collected<T>`).
fn convert_any_of(arms: &[Value], defs: &Value, depth: usize) -> FieldType {
    let mut nullable = false;
    let mut collected = false;
    let mut inner: Option<FieldType> = None;
    for arm in arms {
        let arm_r = resolve(arm, defs);
        if is_null_schema(arm_r) {
            nullable = true;
        } else if is_error_arm(arm_r) {
            collected = true;
        } else {
            inner = Some(convert(arm, defs, depth + 1));
        }
    }
    let mut t = inner.unwrap_or_else(|| FieldType::plain(Kind::Any));
    t.nullable |= nullable;
    t.collected |= collected;
    t
}

/// The node's `type` (the non-null one of a list) and whether `null` is allowed too.
fn json_type(node: &Value) -> (&str, bool) {
    match node.get("type") {
        Some(Value::String(t)) => (t.as_str(), false),
        Some(Value::Array(list)) => {
            let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
            let nullable = names.contains(&"null");
            (
                names.into_iter().find(|n| *n != "null").unwrap_or("null"),
                nullable,
            )
        }
        _ => ("any", false),
    }
}

/// The kind of a node of JSON type `type_name`: lists and objects convert their items and
/// properties, a map its values.
fn convert_typed(type_name: &str, node: &Value, defs: &Value, depth: usize) -> Kind {
    match type_name {
        "boolean" => Kind::Bool,
        "integer" => Kind::Integer,
        "number" => Kind::Number,
        "string" if node.get("format").and_then(Value::as_str) == Some("date-time") => {
            Kind::Timestamp
        }
        "string" => Kind::String,
        "array" => Kind::List(Box::new(node.get("items").map_or_else(
            || FieldType::plain(Kind::Any),
            |i| convert(i, defs, depth + 1),
        ))),
        "object" => match node.get("properties").and_then(Value::as_object) {
            Some(props) => Kind::Object(
                props
                    .iter()
                    .map(|(k, v)| (k.clone(), convert(v, defs, depth + 1)))
                    .collect(),
            ),
            None => match node.get("additionalProperties") {
                Some(v @ Value::Object(_)) => Kind::Map(Box::new(convert(v, defs, depth + 1))),
                _ => Kind::Any,
            },
        },
        _ => Kind::Any,
    }
}

/// Why a path does not name a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// Index of the segment that failed.
    pub segment: usize,
    /// The message.
    pub message: String,
    /// A "did you mean".
    pub help: Option<String>,
}

/// Looks a dotted path up in a type.
pub fn lookup<'a>(root: &'a FieldType, path: &str) -> Result<&'a FieldType, PathError> {
    let mut cur = root;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let here = segments[..i].join(".");
        let at = if here.is_empty() {
            "the subject".to_owned()
        } else {
            format!("`{here}`")
        };
        if seg.is_empty() {
            return Err(PathError {
                segment: i,
                message: format!("empty segment in path `{path}`"),
                help: None,
            });
        }
        cur = match &cur.kind {
            Kind::Object(fields) => match fields.get(*seg) {
                Some(f) => f,
                None => {
                    let help = super::diagnostic::closest(seg, fields.keys().map(String::as_str))
                        .map(|c| {
                            if here.is_empty() {
                                format!("did you mean `{c}`?")
                            } else {
                                format!("did you mean `{here}.{c}`?")
                            }
                        });
                    return Err(PathError {
                        segment: i,
                        message: format!("`{seg}` is not a field of {at}"),
                        help,
                    });
                }
            },
            Kind::Map(value) => value,
            Kind::Any => return Ok(cur),
            Kind::List(_) => {
                return Err(PathError {
                    segment: i,
                    message: format!("{at} is a list; a path cannot step into a list"),
                    help: Some(format!(
                        "use a quantifier: `any: {{ in: {here}, where: {{ path: {}, … }} }}`",
                        segments[i..].join(".")
                    )),
                });
            }
            other => {
                return Err(PathError {
                    segment: i,
                    message: format!("{at} is a {other}; it has no field `{seg}`"),
                    help: None,
                });
            }
        };
    }
    Ok(cur)
}

/// One row of `trailguard rules fields SCOPE`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldRow {
    /// The dotted path (list elements are shown as `list[].field`).
    pub path: String,
    /// The type, e.g. `bool`, `list<object>`, `enum(a|b)`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// May be null.
    pub nullable: bool,
    /// May be a read error.
    pub collected: bool,
    /// The doc comment.
    pub description: String,
}

/// Every path of a scope, depth first, in name order.
pub fn table(scope: Scope) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    if let Some(fields) = subject(scope).fields() {
        walk(fields, "", &mut rows);
    }
    rows
}

fn walk(fields: &BTreeMap<String, FieldType>, prefix: &str, rows: &mut Vec<FieldRow>) {
    for (name, t) in fields {
        let path = format!("{prefix}{name}");
        rows.push(FieldRow {
            path: path.clone(),
            type_name: t.kind.to_string(),
            nullable: t.nullable,
            collected: t.collected,
            description: t
                .description
                .as_deref()
                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
        });
        match &t.kind {
            Kind::Object(inner) => walk(inner, &format!("{path}."), rows),
            Kind::List(item) => {
                if let Kind::Object(inner) = &item.kind {
                    walk(inner, &format!("{path}[]."), rows);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_subject_has_joins_and_collected_fields() {
        let t = subject(Scope::Trail);
        let status = lookup(t, "status").expect("status");
        assert!(status.collected);
        assert_eq!(
            lookup(t, "status.is_logging").expect("field").kind,
            Kind::Bool
        );
        assert_eq!(
            lookup(t, "status.latest_delivery_time")
                .expect("field")
                .kind,
            Kind::Timestamp
        );
        assert!(lookup(t, "bucket.object_lock.enabled").is_ok());
        assert!(lookup(t, "account.organization.management_account_id").is_ok());
        assert!(matches!(
            lookup(t, "event_selectors.kind").expect("enum").kind,
            Kind::Enum(_)
        ));
        assert!(matches!(lookup(t, "tags").expect("map").kind, Kind::Map(_)));
        assert!(lookup(t, "tags.Owner").is_ok());
        let err = lookup(t, "status.is_loging").expect_err("typo");
        assert_eq!(
            err.help.as_deref(),
            Some("did you mean `status.is_logging`?")
        );
    }

    #[test]
    fn every_scope_has_a_table() {
        for scope in Scope::ALL {
            assert!(!table(*scope).is_empty(), "{scope:?}");
        }
        let account = table(Scope::Account);
        assert!(
            account
                .iter()
                .any(|r| r.path == "trails[].status.is_logging")
        );
    }
}
