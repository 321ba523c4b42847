//! Reading the files of `conditions/` into a [`Library`] of shared conditions: each file's keys,
//! its element type and parameters, then every condition checked against its own element type
//! (so a mistake in one is reported once, at its own line, even when no rule uses it).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::context::Ctx;
use super::events::EventSets;
use super::fields::{self, ELEMENTS};
use super::filter_texts::FilterTexts;
use super::library::{ConditionDef, Library, inherited, merge};
use super::mapping::{CONDITION_KEYS, Mapping};
use super::{declare, parse_condition};
use crate::document::yaml;
use crate::document::{Diagnostic, Pos, ProblemKind, SourceFile, syntax_diagnostic};

/// Whether a file of a rules folder (path relative to the folder, `/`-separated) is a shared
/// condition rather than a rule: it is under the folder's own `conditions/` directory.
pub(super) fn is_condition_file(relative: &str) -> bool {
    relative.starts_with("conditions/")
}

/// Reads one `conditions/NAME.yaml`; `None` when it has problems (reported).
pub(super) fn definition(
    file: &Arc<SourceFile>,
    problems: &mut Vec<Diagnostic>,
) -> Option<ConditionDef> {
    let start = problems.len();
    let doc = match yaml::parse(&file.text) {
        Ok(doc) => doc,
        Err(e) => {
            problems.push(syntax_diagnostic(file, &e));
            return None;
        }
    };
    let Some(entries) = doc.as_map() else {
        let message = format!("a condition file is a mapping, found {}", doc.type_name());
        problems.push(Diagnostic::new(
            ProblemKind::InvalidValue,
            file,
            doc.pos,
            message,
        ));
        return None;
    };
    let mut p = Mapping {
        file,
        entries,
        problems,
        whole: doc.pos,
    };
    p.check_keys(CONDITION_KEYS, "shared condition");
    let name = condition_name(&mut p);
    let description = p.string("description", true);
    let element = p.enumerated("element", ELEMENTS.iter().copied(), |s| {
        ELEMENTS.iter().copied().find(|e| *e == s)
    });
    let element_pos = p.get("element").map_or(doc.pos, |(_, v)| v.pos);
    let (own, param_types) = declare::parameters(&mut p);
    let own_at = declared_at(&p);
    let check = p.get("check").map(|(_, v)| v.clone());
    if check.is_none() {
        p.missing("check", "missing required key `check`".into());
    }
    let element = element?;
    if p.problems.len() > start {
        return None;
    }
    Some(ConditionDef {
        name: name?,
        description: description?,
        element,
        element_type: fields::element(element)?,
        element_pos,
        own,
        own_at,
        param_types,
        check: check?,
        file: Arc::clone(file),
    })
}

/// Where each parameter of a mapping's `parameters:` is declared.
pub(super) fn declared_at(p: &Mapping<'_, '_>) -> BTreeMap<String, Pos> {
    p.get("parameters")
        .and_then(|(_, v)| v.as_map())
        .map(|entries| {
            entries
                .iter()
                .map(|(k, _)| (k.name.clone(), k.pos))
                .collect()
        })
        .unwrap_or_default()
}

/// `condition:`, which must equal the file's stem.
fn condition_name(p: &mut Mapping<'_, '_>) -> Option<String> {
    let name = p.string("condition", true)?;
    let base = p
        .file
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&p.file.name);
    let stem = base
        .strip_suffix(".yaml")
        .or_else(|| base.strip_suffix(".yml"))
        .unwrap_or(base);
    if stem != name {
        let pos = p.get("condition").map_or(p.whole, |(_, v)| v.pos);
        p.report(
            ProblemKind::FileName,
            pos,
            format!("the condition `{name}` must be in a file named `{name}.yaml`"),
        );
        return None;
    }
    Some(name)
}

/// The library of the built-in conditions and the user's: a user condition with a built-in
/// one's name replaces it (a note says so, as for rules); a name defined twice among the
/// user's is an error. Each condition's parameter types gain those of the conditions it uses,
/// and each is checked against its element type.
pub(super) fn library(
    builtin: Vec<ConditionDef>,
    user: Vec<ConditionDef>,
    notes: &mut Vec<String>,
    problems: &mut Vec<Diagnostic>,
) -> Library {
    let mut lib = Library::default();
    for def in builtin {
        // Names are file stems: two built-in files cannot share one.
        let _ = lib.insert(def);
    }
    let mut mine = Library::default();
    for def in user {
        let (name, file) = (def.name.clone(), def.file.name.clone());
        if let Err(again) = mine.insert(def.clone()) {
            duplicate(&mine, &again, problems);
        } else if lib.replace(def) {
            notes.push(format!(
                "note: {file} replaces the built-in shared condition {name}"
            ));
        }
    }
    let names: Vec<String> = lib.names().map(str::to_owned).collect();
    for name in &names {
        let Some(def) = lib.get(name) else { continue };
        let mut params = def.own.clone();
        let mut types = def.param_types.clone();
        let brought = inherited(&lib, &[&def.check]);
        merge(
            &def.file,
            &def.own_at,
            brought,
            &mut params,
            &mut types,
            problems,
        );
        lib.set_param_types(name, types);
    }
    for def in lib.iter() {
        check(def, &lib, problems);
    }
    lib
}

fn duplicate(lib: &Library, again: &ConditionDef, problems: &mut Vec<Diagnostic>) {
    let mut d = Diagnostic::new(
        ProblemKind::DuplicateId,
        &again.file,
        again.element_pos,
        format!("a shared condition named `{}` is defined twice", again.name),
    )
    .help("condition names are unique across the rule folders; rename one");
    if let Some(first) = lib.get(&again.name) {
        d.related = Some((
            Arc::clone(&first.file),
            first.element_pos,
            "first defined here".to_owned(),
        ));
    }
    problems.push(d);
}

/// Parses a condition against its own element type, and reports own parameters it never uses.
fn check(def: &ConditionDef, lib: &Library, problems: &mut Vec<Diagnostic>) {
    let (events, filter_texts) = (EventSets::new(), FilterTexts::new());
    let mut ctx = Ctx {
        file: &def.file,
        params: &def.param_types,
        events: &events,
        filter_texts: &filter_texts,
        used: BTreeSet::new(),
        problems,
        library: lib,
        expanding: vec![def.name.clone()],
    };
    parse_condition::parse(&def.check, def.element_type, &mut ctx);
    let used = ctx.used;
    for (name, pos) in &def.own_at {
        if def.own.contains_key(name) && !used.contains(name) {
            Diagnostic::new(
                ProblemKind::BadParameter,
                &def.file,
                *pos,
                format!("parameter `{name}` is declared but never used"),
            )
            .help("use it as `{param: NAME}` in `check`, or remove it")
            .push_into(problems);
        }
    }
}
