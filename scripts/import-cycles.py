#!/usr/bin/env python3
"""Finds import cycles between the files and between the modules of the library (src/lib.rs).

    scripts/import-cycles.py [--edges] [SRC_DIR]

Exit 0 when there is none, 1 when there is one (each is printed with the lines that make it),
2 when the source cannot be read as expected.

What counts as an import: every `use` (at any depth, re-exports included) and every path in code
that starts with `crate::`, `super::`, `self::`, a child module's name or a name a `use` bound to
a module (`finding::sort` after `use crate::finding;`). A path is followed through modules and
through `use` bindings (re-exports) to the file that defines the item, so `use super::Severity`
depends on the file that defines `Severity`, not on the `mod.rs` that re-exports it. `mod x;`
declarations are not imports. Test code (`#[cfg(test)]` items and the files they declare) is not
part of the graph: tests may reach anywhere. Comments and string literals are ignored.

Two checks:
  files   — a cycle between source files (a strongly connected set of files);
  modules — at every level of the tree, a cycle between the sibling modules of one parent
            (each child counted with everything under it, the parent's own file as one more node).
"""

import os
import re
import sys

KEYWORDS = {"crate", "super", "self", "Self", "fn", "mod", "use", "pub", "where", "impl"}


# ---------------------------------------------------------------- lexing

def strip(text):
    """The text with comments, string and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)

    def blank(s):
        return "".join("\n" if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:i + 260])) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append(blank(text[i:j]))
            i = j
        elif c == '"' or (c == "b" and text.startswith('b"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(blank(text[i:j + 1]))
            i = j + 1
        elif c == "'" and (m := re.match(r"'(\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:i + 16], re.S)):
            out.append(blank(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def match_braces(code, i):
    """The index just past the `}` that closes the `{` at `i`."""
    depth = 0
    for j in range(i, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(code)


def item_end(code, i):
    """The end of the item starting at `i`: its `;`, or its closing brace."""
    m = re.compile(r"[;{]").search(code, i)
    if not m:
        return len(code)
    return m.end() if m.group(0) == ";" else match_braces(code, m.start())


def drop_tests(code):
    """The code with every `#[cfg(test)]` item blanked; also the names of the test modules."""
    test_mods = set()
    while m := re.search(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]", code):
        i = m.end()
        while a := re.compile(r"\s*#\s*\[").match(code, i):  # further attributes
            depth, j = 0, a.end() - 1
            while j < len(code):
                depth += {"[": 1, "]": -1}.get(code[j], 0)
                j += 1
                if depth == 0:
                    break
            i = j
        if mm := re.compile(r"\s*(pub(\([^)]*\))?\s+)?mod\s+(\w+)").match(code, i):
            test_mods.add(mm.group(3))
        end = item_end(code, i)
        code = code[:m.start()] + "".join("\n" if c == "\n" else " " for c in code[m.start():end]) + code[end:]
    return code, test_mods


def depth_zero(code):
    """The code with everything inside braces blanked (top-level items only)."""
    out, depth = [], 0
    for c in code:
        if c == "}":
            depth -= 1
        out.append(c if depth == 0 or c == "\n" else " ")
        if c == "{":
            depth += 1
    return "".join(out)


def line_of(code, pos):
    return code.count("\n", 0, pos) + 1


# ---------------------------------------------------------------- use trees

def expand_use(tree):
    """`a::{b, c::{d as e, self}, *}` → [(binding, [segments])]; a glob's binding is `*`."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, t):
        if t.startswith("::"):
            t = t[2:]
        brace = t.find("{")
        if brace >= 0 and t.endswith("}"):
            head = [s for s in t[:brace].split("::") if s]
            inner, parts, depth, cur = t[brace + 1:-1], [], 0, ""
            for c in inner:
                if c == "," and depth == 0:
                    parts.append(cur)
                    cur = ""
                    continue
                depth += {"{": 1, "}": -1}.get(c, 0)
                cur += c
            parts.append(cur)
            for p in parts:
                if p:
                    walk(prefix + head, p)
            return
        segs = [s for s in t.split("::") if s]
        if segs and segs[-1] == "self":
            segs = segs[:-1]
        full = prefix + segs
        if not full:
            return
        if full[-1] == "*":
            out.append(("*", full[:-1]))
        else:
            out.append((full[-1], full))

    walk([], tree)
    return out


USE_RE = re.compile(r"(?<![\w$])use\s+([^;]+);")


def expand_use_exact(raw):
    """Like `expand_use`, but reads `as` aliases before whitespace is removed."""
    # Replace ` as ` by a marker that cannot occur in a path, then expand.
    marked = re.sub(r"\s+as\s+", "\x00", raw)
    tree = re.sub(r"\s+", "", marked)
    out = []
    for binding, segs in expand_use(tree.replace("\x00", "@@AS@@")):
        if "@@AS@@" in segs[-1]:
            name, alias = segs[-1].split("@@AS@@")
            out.append((alias, segs[:-1] + [name]))
        else:
            out.append((binding, segs))
    return out


# ---------------------------------------------------------------- modules

class Module:
    def __init__(self, path, file, code, test_mods):
        self.path = path  # tuple of segments, () for the crate root
        self.file = file
        self.code = code  # stripped, tests blanked
        self.children = {}  # name -> module path
        self.items = set()  # names defined here
        self.bindings = {}  # name -> (segments, line) from depth-0 `use`
        self.globs = []  # segments of `use x::*`
        self.test_mods = test_mods


def child_file(module_file, name, is_dir_owner):
    base = os.path.dirname(module_file) if is_dir_owner else os.path.splitext(module_file)[0]
    for cand in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
        if os.path.exists(cand):
            return cand
    return None


def load(src):
    modules = {}
    todo = [((), os.path.join(src, "lib.rs"))]
    while todo:
        path, file = todo.pop()
        with open(file, encoding="utf-8") as f:
            code, test_mods = drop_tests(strip(f.read()))
        mod = Module(path, file, code, test_mods)
        modules[path] = mod
        top = depth_zero(code)
        owner = os.path.basename(file) in ("lib.rs", "mod.rs")
        for m in re.finditer(r"(?<![\w$])mod\s+(\w+)\s*([;{])", top):
            name = m.group(1)
            if m.group(2) == "{":
                sys.exit(f"{file}:{line_of(code, m.start())}: inline module `{name}` is not supported")
            cf = child_file(file, name, owner)
            if cf is None:
                sys.exit(f"{file}: no file for `mod {name};`")
            mod.children[name] = path + (name,)
            todo.append((path + (name,), cf))
        for m in re.finditer(r"(?<![\w$])(?:struct|enum|union|trait|type|fn|const|static|macro_rules!)\s+([A-Za-z_]\w*)", top):
            if m.group(1) not in KEYWORDS:
                mod.items.add(m.group(1))
        for m in USE_RE.finditer(code):
            if top[m.start()] == " ":  # not at depth 0 (a `use` inside a function)
                continue
            for binding, segs in expand_use_exact(m.group(1)):
                if binding == "*":
                    mod.globs.append(segs)
                elif binding != "_":
                    mod.bindings[binding] = (segs, line_of(code, m.start()))
    return modules


# ---------------------------------------------------------------- resolution

def start(modules, mod, segs, allow_bindings):
    """Where a path written in `mod` starts: (module path, remaining segments), or None."""
    first = segs[0]
    if first == "crate":
        return (), segs[1:]
    if first in ("super", "self"):
        cur = mod.path
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                cur = cur[:-1]
            segs = segs[1:]
        return cur, segs
    if first in mod.children:
        return mod.children[first], segs[1:]
    if allow_bindings and first in mod.bindings:
        return ("binding", first)
    return None


def resolve(modules, mod, segs, seen=None, allow_bindings=True):
    """The module path whose file defines what `segs` (written in `mod`) names, or None when it
    is outside the crate."""
    seen = seen or set()
    if not segs:
        return None
    st = start(modules, mod, segs, allow_bindings)
    if st is None:
        return None
    if st[0] == "binding":
        bsegs, _ = mod.bindings[st[1]]
        key = (mod.path, st[1])
        if key in seen:
            return None
        seen.add(key)
        return resolve(modules, mod, bsegs + segs[1:], seen, allow_bindings=False)
    cur, rest = st
    while rest:
        here = modules[cur]
        name = rest[0]
        if name in here.children:
            cur, rest = here.children[name], rest[1:]
            continue
        if name in here.items:
            return cur
        if name in here.bindings:
            key = (cur, name)
            if key in seen:
                return cur
            seen.add(key)
            bsegs, _ = here.bindings[name]
            target = resolve(modules, here, bsegs + rest[1:], seen, allow_bindings=False)
            return cur if target is None and bsegs[0] in ("crate", "super", "self") else target
        for g in here.globs:
            target = resolve(modules, here, g + rest, seen, allow_bindings=False)
            if target is not None:
                return target
        return cur  # unknown name (a macro, say): the module is the dependency
    return cur


PATH_RE = re.compile(r"(?<![\w$:])((?:[A-Za-z_]\w*)(?:\s*::\s*[A-Za-z_]\w*)+)")


def edges_of(modules, mod):
    """(target module path, line, text) for every import in `mod`."""
    code = mod.code
    out = []
    spans = []
    for m in USE_RE.finditer(code):
        spans.append((m.start(), m.end()))
        for binding, segs in expand_use_exact(m.group(1)):
            t = resolve(modules, mod, segs, allow_bindings=False)
            if t is not None:
                out.append((t, line_of(code, m.start()), "use " + "::".join(segs)))
    masked = list(code)
    for a, b in spans:
        masked[a:b] = [" "] * (b - a)
    masked = "".join(masked)
    for m in PATH_RE.finditer(masked):
        segs = [s.strip() for s in m.group(1).split("::")]
        if segs[0] not in ("crate", "super", "self") and segs[0] not in mod.children and segs[0] not in mod.bindings:
            continue
        t = resolve(modules, mod, segs)
        if t is not None:
            out.append((t, line_of(code, m.start()), "::".join(segs)))
    return [e for e in out if e[0] != mod.path]


# ---------------------------------------------------------------- cycles

def sccs(nodes, succ):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(succ.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(succ.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def name(path):
    return "crate" if not path else "crate::" + "::".join(path)


def main(argv):
    show_edges = "--edges" in argv
    args = [a for a in argv if not a.startswith("--")]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    modules = load(src)
    edges = {}  # (from, to) -> [(line, text)]
    for mod in modules.values():
        for to, line, text in edges_of(modules, mod):
            edges.setdefault((mod.path, to), []).append((line, text))
    rel = lambda p: os.path.relpath(modules[p].file, os.path.dirname(src.rstrip("/")) or ".")
    if show_edges:
        for (a, b), why in sorted(edges.items()):
            print(f"{rel(a)} -> {rel(b)}  ({', '.join(f'{l}: {t}' for l, t in why[:3])})")
    found = 0

    def report(kind, comp, unit_edges):
        nonlocal found
        found += 1
        print(f"{kind} cycle: {', '.join(comp)}")
        for (a, b), why in sorted(unit_edges.items()):
            if a in comp and b in comp:
                for fa, fb, line, text in why[:4]:
                    print(f"    {a} -> {b}: {rel(fa)}:{line} {text}")

    file_succ = {}
    file_edges = {}
    for (a, b), why in edges.items():
        file_succ.setdefault(name(a), set()).add(name(b))
        file_edges.setdefault((name(a), name(b)), []).extend((a, b, l, t) for l, t in why)
    for comp in sccs(sorted(name(p) for p in modules), file_succ):
        report("file", comp, file_edges)

    for parent in sorted(modules):
        kids = modules[parent].children
        if not kids:
            continue

        def unit(p):
            if p[:len(parent)] != parent:
                return None
            if len(p) == len(parent):
                return name(parent) + " (its own file)"
            return name(p[:len(parent) + 1])

        succ, uedges = {}, {}
        for (a, b), why in edges.items():
            ua, ub = unit(a), unit(b)
            if ua and ub and ua != ub:
                succ.setdefault(ua, set()).add(ub)
                uedges.setdefault((ua, ub), []).extend((a, b, l, t) for l, t in why)
        units = sorted({unit(p) for p in modules if unit(p)})
        for comp in sccs(units, succ):
            if all(" (its own file)" not in c for c in comp) or len(comp) > 1:
                report(f"module ({name(parent)})", comp, uedges)
    print(f"{len(modules)} files, {len(edges)} file-to-file imports, {found} cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
