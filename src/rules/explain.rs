//! Conditions in words, for `trailguard rules explain`.

use super::condition::{Condition, IfEmpty, Leaf, LeafSubject, Op, Quantifier};

/// Renders a condition as indented English, one clause per line.
pub fn condition(cond: &Condition, indent: usize) -> String {
    let mut out = String::new();
    write(cond, indent, &mut out);
    out
}

fn pad(n: usize) -> String {
    "  ".repeat(n)
}

fn leaf(l: &Leaf) -> String {
    let subject = match &l.subject {
        LeafSubject::Path(p) => format!("`{p}`"),
        LeafSubject::Param(p) => format!("parameter `{p}`"),
    };
    match l.op {
        Op::Exists | Op::Empty => format!("{subject} is {}", l.expected()),
        _ => format!("{subject} {}", l.expected()),
    }
}

fn write(cond: &Condition, indent: usize, out: &mut String) {
    match cond {
        Condition::Leaf(l) => out.push_str(&format!("{}{}\n", pad(indent), leaf(l))),
        Condition::All(items) => {
            out.push_str(&format!("{}all of:\n", pad(indent)));
            for i in items {
                write(i, indent + 1, out);
            }
        }
        Condition::Any(items) => {
            out.push_str(&format!("{}at least one of:\n", pad(indent)));
            for i in items {
                write(i, indent + 1, out);
            }
        }
        Condition::Not(inner) => {
            out.push_str(&format!("{}not:\n", pad(indent)));
            write(inner, indent + 1, out);
        }
        Condition::Use(u) => {
            let meaning = u
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            out.push_str(&format!(
                "{}shared condition `{}` ({}): {meaning}\n",
                pad(indent),
                u.name,
                u.source
            ));
            write(&u.condition, indent + 1, out);
        }
        Condition::Quantified(q) => {
            let head = match q.quantifier {
                Quantifier::Any if q.at_least > 1 => format!(
                    "at least {} elements of `{}` such that:",
                    q.at_least, q.path
                ),
                Quantifier::Any => format!("some element of `{}` such that:", q.path),
                Quantifier::All => format!("every element of `{}` such that:", q.path),
                Quantifier::None => format!("no element of `{}` such that:", q.path),
            };
            let empty = match q.if_empty {
                Some(IfEmpty::Pass) => " (an empty list passes)",
                Some(IfEmpty::Fail) => " (an empty list fails)",
                Some(IfEmpty::NotApplicable) => " (an empty list: not applicable)",
                None => " (an empty list fails)",
            };
            out.push_str(&format!("{}{head}{empty}\n", pad(indent)));
            write(&q.condition, indent + 1, out);
        }
    }
}
