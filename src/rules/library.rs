//! Shared conditions: the named conditions of `conditions/` files that rules (and other
//! conditions) use as `{ use: NAME }`, and the parameters a user of one inherits.
//!
//! A shared condition is kept as its raw `check:` node and expanded where it is used (see
//! `parse_condition`), so its paths are checked against the type at the place of use exactly as
//! if it were written there.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::fields::FieldType;
use super::params::{ParamType, Parameter};
use crate::document::{Diagnostic, Node, Pos, ProblemKind, SourceFile, Value};

/// A shared condition, as its file declares it.
#[derive(Debug, Clone)]
pub struct ConditionDef {
    /// Its name (the file stem).
    pub name: String,
    /// What it means, one paragraph.
    pub description: String,
    /// The name of the type it is written against (one of [`super::fields::ELEMENTS`]).
    pub element: &'static str,
    /// That type.
    pub element_type: &'static FieldType,
    /// Where `element:` is written.
    pub element_pos: Pos,
    /// The parameters the file declares itself.
    pub own: BTreeMap<String, Parameter>,
    /// Where each of its own parameters is declared.
    pub own_at: BTreeMap<String, Pos>,
    /// The types of every parameter its check may name: its own and those it inherits.
    pub param_types: BTreeMap<String, ParamType>,
    /// The `check:` node, parsed again at every use.
    pub check: Node,
    /// The file.
    pub file: Arc<SourceFile>,
}

/// The shared conditions in force, by name.
#[derive(Debug, Clone, Default)]
pub struct Library {
    defs: BTreeMap<String, ConditionDef>,
}

impl Library {
    /// The condition of this name.
    pub fn get(&self, name: &str) -> Option<&ConditionDef> {
        self.defs.get(name)
    }

    /// Every name, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.defs.keys().map(String::as_str)
    }

    /// Every condition, by name.
    pub fn iter(&self) -> impl Iterator<Item = &ConditionDef> {
        self.defs.values()
    }

    /// Adds a condition; hands it back (boxed) when the name is taken.
    pub fn insert(&mut self, def: ConditionDef) -> Result<(), Box<ConditionDef>> {
        if self.defs.contains_key(&def.name) {
            return Err(Box::new(def));
        }
        self.defs.insert(def.name.clone(), def);
        Ok(())
    }

    /// Adds a condition in place of any of its name; whether it replaced one.
    pub fn replace(&mut self, def: ConditionDef) -> bool {
        self.defs.insert(def.name.clone(), def).is_some()
    }

    /// Sets the parameter types of a condition (its own and inherited ones).
    pub fn set_param_types(&mut self, name: &str, types: BTreeMap<String, ParamType>) {
        if let Some(def) = self.defs.get_mut(name) {
            def.param_types = types;
        }
    }
}

/// `word` with its indefinite article: "a `bool`", "an `account`", "an integer".
pub fn with_article(word: &str) -> String {
    let first = word.trim_start_matches('`').chars().next();
    let article = if first.is_some_and(|c| "aeiou".contains(c)) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

/// Every `{ use: NAME }` under a node, with where its name is written.
pub fn uses(node: &Node, out: &mut Vec<(String, Pos)>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                match value.as_str() {
                    Some(name) if key.name == "use" => out.push((name.to_owned(), value.pos)),
                    _ => uses(value, out),
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| uses(i, out)),
        _ => {}
    }
}

/// A parameter declaration a user of a shared condition inherits.
pub struct Inherited<'l> {
    /// The parameter's name.
    pub name: &'l str,
    /// Its declaration.
    pub param: &'l Parameter,
    /// The condition declaring it.
    pub from: &'l ConditionDef,
    /// The `use` (in the user's own text) that brings it in.
    pub at: Pos,
}

/// The parameters the conditions used under `roots` declare, directly or through the
/// conditions they use, in the order of use; each condition visited once (so a cycle, which
/// expanding reports, ends here). Unknown names are left to expanding too.
pub fn inherited<'l>(library: &'l Library, roots: &[&Node]) -> Vec<Inherited<'l>> {
    let mut direct = Vec::new();
    roots.iter().for_each(|n| uses(n, &mut direct));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (name, at) in direct {
        let mut stack = vec![name];
        while let Some(name) = stack.pop() {
            let Some(def) = library.get(&name) else {
                continue;
            };
            if !seen.insert(name) {
                continue;
            }
            out.extend(def.own.iter().map(|(n, param)| Inherited {
                name: n,
                param,
                from: def,
                at,
            }));
            let mut nested = Vec::new();
            uses(&def.check, &mut nested);
            stack.extend(nested.into_iter().rev().map(|(n, _)| n));
        }
    }
    out
}

/// Adds inherited declarations to a user's own (`parameters`, `types`; `own_at` says where
/// each own declaration is). An own declaration of the same name and type wins; of another
/// type it is an error there; two conditions declaring one name with two types are an error at
/// the second `use`.
pub fn merge(
    file: &Arc<SourceFile>,
    own_at: &BTreeMap<String, Pos>,
    inherited: Vec<Inherited<'_>>,
    parameters: &mut BTreeMap<String, Parameter>,
    types: &mut BTreeMap<String, ParamType>,
    problems: &mut Vec<Diagnostic>,
) {
    let mut brought: BTreeMap<&str, &ConditionDef> = BTreeMap::new();
    for inh in inherited {
        let kind = inh.param.kind;
        let (at, theirs) = if let Some(pos) = own_at.get(inh.name) {
            match types.get(inh.name) {
                Some(own) if *own != kind => (*pos, format!("{} here", with_article(own.as_str()))),
                _ => continue,
            }
        } else if let Some(first) = brought.get(inh.name) {
            match types.get(inh.name) {
                Some(t) if *t != kind => {
                    let theirs =
                        format!("{} in condition `{}`", with_article(t.as_str()), first.name);
                    (inh.at, theirs)
                }
                _ => continue,
            }
        } else {
            brought.insert(inh.name, inh.from);
            parameters.insert(inh.name.to_owned(), inh.param.clone());
            types.insert(inh.name.to_owned(), kind);
            continue;
        };
        let message = format!(
            "parameter `{}` is {theirs}, but condition `{}` ({}) declares it {}",
            inh.name,
            inh.from.name,
            inh.from.file.name,
            with_article(kind.as_str())
        );
        Diagnostic::new(ProblemKind::BadParameter, file, at, message)
            .help("a parameter a rule shares with a condition it uses has the condition's type; rename one")
            .push_into(problems);
    }
}
