//! Waivers file → [`Waiver`]s, strict like rule files: the same located YAML layer and the same
//! diagnostics, every problem of the file at its own `file:line:col`.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::Date;
use time::macros::format_description;

use super::glob::Glob;
use super::waiver::Waiver;
use crate::document::yaml::{self, Key, Node, Pos, Value};
use crate::document::{
    Diagnostic, ProblemKind, SourceFile, check_keys, closest, did_you_mean, syntax_diagnostic,
};

/// The optional `schema:` value of a waivers file.
pub const SCHEMA: &str = "trailguard.waivers/v1";

const TOP_KEYS: &[&str] = &["schema", "waivers"];
const WAIVER_KEYS: &[&str] = &[
    "id", "rule", "resource", "account", "region", "reason", "owner", "expires",
];

/// Parses a whole file; problems go to `problems`.
pub(super) fn parse_file(file: &Arc<SourceFile>, problems: &mut Vec<Diagnostic>) -> Vec<Waiver> {
    let doc = match yaml::parse(&file.text) {
        Ok(doc) => doc,
        Err(e) => {
            problems.push(syntax_diagnostic(file, &e));
            return Vec::new();
        }
    };
    let Some(entries) = top_mapping(file, &doc, problems) else {
        return Vec::new();
    };
    check_keys(file, entries, TOP_KEYS, "waivers file", problems);
    check_schema(file, entries, problems);
    let Some(items) = waiver_items(file, &doc, entries, problems) else {
        return Vec::new();
    };
    let mut waivers = Vec::new();
    let mut ids: BTreeMap<String, Pos> = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        check_unique_id(file, item, &mut ids, problems);
        waivers.extend(parse_waiver(file, index, item, problems));
    }
    waivers
}

/// The file's top-level mapping, or `None` (with the problem) when it is empty or not one.
fn top_mapping<'a>(
    file: &Arc<SourceFile>,
    doc: &'a Node,
    problems: &mut Vec<Diagnostic>,
) -> Option<&'a [(Key, Node)]> {
    match &doc.value {
        Value::Map(m) => Some(m.as_slice()),
        Value::Null => {
            problems.push(Diagnostic::whole_file(
                ProblemKind::MissingKey,
                file,
                "the waivers file is empty: it needs a `waivers:` list",
            ));
            None
        }
        _ => {
            problems.push(Diagnostic::new(
                ProblemKind::InvalidValue,
                file,
                doc.pos,
                format!(
                    "a waivers file is a mapping with a `waivers:` list, found {}",
                    doc.type_name()
                ),
            ));
            None
        }
    }
}

/// A `schema:` key, when present, must name the one schema this trailguard reads.
fn check_schema(file: &Arc<SourceFile>, entries: &[(Key, Node)], problems: &mut Vec<Diagnostic>) {
    if let Some((_, v)) = entries.iter().find(|(k, _)| k.name == "schema")
        && v.as_str() != Some(SCHEMA)
    {
        problems.push(
            Diagnostic::new(
                ProblemKind::InvalidValue,
                file,
                v.pos,
                format!("unsupported waivers schema; this trailguard reads `{SCHEMA}`"),
            )
            .help("leave `schema:` out, or write `schema: trailguard.waivers/v1`"),
        );
    }
}

/// The items of the `waivers:` list (none for `waivers:` left empty), or `None` when the key is
/// missing — reported unless a misspelt key already was — or is not a list.
fn waiver_items<'a>(
    file: &Arc<SourceFile>,
    doc: &Node,
    entries: &'a [(Key, Node)],
    problems: &mut Vec<Diagnostic>,
) -> Option<&'a [Node]> {
    let Some((_, list)) = entries.iter().find(|(k, _)| k.name == "waivers") else {
        if !entries
            .iter()
            .any(|(k, _)| did_you_mean(&k.name, ["waivers"]).is_some() && k.name != "schema")
        {
            problems.push(Diagnostic::new(
                ProblemKind::MissingKey,
                file,
                doc.pos,
                "missing required key `waivers`",
            ));
        }
        return None;
    };
    match &list.value {
        Value::Seq(items) => Some(items),
        Value::Null => Some(&[]),
        _ => {
            problems.push(Diagnostic::new(
                ProblemKind::InvalidValue,
                file,
                list.pos,
                format!("`waivers` is a list of waivers, found {}", list.type_name()),
            ));
            None
        }
    }
}

/// Reports an item whose `id` an earlier item already used, pointing at the first use;
/// otherwise records the id.
fn check_unique_id(
    file: &Arc<SourceFile>,
    item: &Node,
    ids: &mut BTreeMap<String, Pos>,
    problems: &mut Vec<Diagnostic>,
) {
    let id = item
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.name == "id"))
        .and_then(|(_, v)| v.as_str().map(|s| (s.trim().to_owned(), v.pos)));
    let Some((id, pos)) = id else {
        return;
    };
    if let Some(first) = ids.get(&id) {
        let mut d = Diagnostic::new(
            ProblemKind::DuplicateId,
            file,
            pos,
            format!("waiver id `{id}` is used twice"),
        )
        .help("waiver ids name waivers in reports and warnings; make each unique");
        d.related = Some((Arc::clone(file), *first, "first used here".into()));
        problems.push(d);
    } else {
        ids.insert(id, pos);
    }
}

fn parse_waiver(
    file: &Arc<SourceFile>,
    index: usize,
    item: &Node,
    problems: &mut Vec<Diagnostic>,
) -> Option<Waiver> {
    let Some(entries) = item.as_map() else {
        problems.push(Diagnostic::new(
            ProblemKind::InvalidValue,
            file,
            item.pos,
            format!(
                "a waiver is a mapping {{rule, resource, reason, owner, expires, …}}, found {}",
                item.type_name()
            ),
        ));
        return None;
    };
    let start = problems.len();
    check_keys(file, entries, WAIVER_KEYS, "waiver", problems);
    let mut f = Fields {
        file,
        entries,
        problems,
        whole: item.pos,
    };
    let id = f.text("id", false);
    let id_pos = f.get("id").map(|(_, v)| v.pos);
    // Rule ids are upper case (rules/parse.rs), so `ct-a02` names CT-A02, as on the command line.
    let rule =
        (f.glob("rule", true)).and_then(|g| Glob::new(&g.as_str().to_ascii_uppercase()).ok());
    let resource = f.glob("resource", true);
    let account = f.account();
    let region = f.glob("region", false);
    let reason = f.text("reason", true);
    let owner = f.text("owner", true);
    let expires = f.date("expires");
    if problems.len() > start {
        return None;
    }
    Some(Waiver {
        id: id.unwrap_or_else(|| format!("#{}", index + 1)),
        id_pos,
        rule: rule?,
        resource: resource?,
        account,
        region,
        reason: reason?,
        owner: owner?,
        expires: expires?,
        pos: item.pos,
    })
}

/// The entries of one waiver, and where problems go.
struct Fields<'a, 'p> {
    file: &'a Arc<SourceFile>,
    entries: &'a [(Key, Node)],
    problems: &'p mut Vec<Diagnostic>,
    whole: Pos,
}

impl<'a> Fields<'a, '_> {
    fn get(&self, name: &str) -> Option<(&'a Key, &'a Node)> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, v)| (k, v))
    }

    fn report(&mut self, kind: ProblemKind, pos: Pos, message: String) -> &mut Diagnostic {
        Diagnostic::new(kind, self.file, pos, message).push_into(self.problems)
    }

    /// A missing required key, unless a misspelt key stands for it (that one says "did you
    /// mean").
    fn missing(&mut self, name: &str) {
        let misspelt = self.entries.iter().any(|(k, _)| {
            !WAIVER_KEYS.contains(&k.name.as_str()) && closest(&k.name, [name]).is_some()
        });
        if !misspelt {
            let pos = self.whole;
            self.report(
                ProblemKind::MissingKey,
                pos,
                format!("missing required key `{name}` in waiver"),
            )
            .help =
                Some("a waiver needs `rule`, `resource`, `reason`, `owner` and `expires`".into());
        }
    }

    fn text(&mut self, name: &str, required: bool) -> Option<String> {
        let Some((_, v)) = self.get(name) else {
            if required {
                self.missing(name);
            }
            return None;
        };
        match &v.value {
            Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Str(_) => {
                self.report(
                    ProblemKind::InvalidValue,
                    v.pos,
                    format!("`{name}` is empty"),
                )
                .help = (name == "resource" || name == "rule")
                    .then(|| "write `*` to match everything".to_owned());
                None
            }
            _ => {
                let found = v.type_name();
                self.report(
                    ProblemKind::InvalidValue,
                    v.pos,
                    format!("`{name}` is a non-empty string, found {found}"),
                );
                None
            }
        }
    }

    fn glob(&mut self, name: &str, required: bool) -> Option<Glob> {
        let text = self.text(name, required)?;
        let pos = self.get(name).map_or(self.whole, |(_, v)| v.pos);
        match Glob::new(&text) {
            Ok(g) => Some(g),
            Err(e) => {
                self.report(ProblemKind::InvalidValue, pos, format!("`{name}`: {e}"));
                None
            }
        }
    }

    /// `account`: a string glob, or an unquoted 12-digit number.
    fn account(&mut self) -> Option<Glob> {
        let (_, v) = self.get("account")?;
        if let Value::Int(n) = v.value {
            let text = n.to_string();
            if text.len() == 12 {
                return Glob::new(&text).ok();
            }
            self.report(
                ProblemKind::InvalidValue,
                v.pos,
                format!("`account` {text} is not a 12-digit account id"),
            )
            .help = Some("quote account ids: leading zeros are lost in unquoted numbers".into());
            return None;
        }
        self.glob("account", false)
    }

    fn date(&mut self, name: &str) -> Option<Date> {
        let Some((_, v)) = self.get(name) else {
            self.missing(name);
            return None;
        };
        let format = format_description!("[year]-[month]-[day]");
        let parsed = v.as_str().and_then(|s| Date::parse(s.trim(), &format).ok());
        if parsed.is_none() {
            let found = match v.as_str() {
                Some(s) => format!("`{s}`"),
                None => v.type_name().to_owned(),
            };
            self.report(
                ProblemKind::InvalidValue,
                v.pos,
                format!("`{name}` is a date YYYY-MM-DD, found {found}"),
            )
            .help = Some("e.g. `expires: 2027-03-31` (the last day the waiver applies)".into());
        }
        parsed
    }
}
