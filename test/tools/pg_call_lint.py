#!/usr/bin/python3
"""Finds objects with destructors declared inside the lambdas given to pg_call.

An ereport inside pg_call longjmps back to its PG_TRY and skips every C++
destructor on the way (src/pg/bridge.h), so such a lambda may hold only plain
data: pointers, Datums, numbers, references to objects that live outside it.
This reads every `pg_call([...] { ... })` of src/pg and reports declarations
of standard-library objects (std::string, std::vector, ...) or `auto` copies
of them in the body, and in the bodies of the functions of src/pg it calls
(and those they call, three levels deep). Prints the findings and ends with
"N passed, N failed" (one check per lambda).
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DECL = re.compile(
    r"(?:^|[;{}]\s*)(?:const\s+)?(?:std::(?!move\b|min\b|max\b|swap\b|forward\b)[A-Za-z_][\w:]*"
    r"(?:<[^;]*>)?|auto)\s+[&*]?\s*[A-Za-z_]\w*\s*(?:=|\(|\{|;)")
# `auto& x = ...` and `auto* x = ...` bind to something that lives elsewhere;
# `auto f = [&](...) {...}` is a lambda capturing by reference (nothing to
# destroy).
REF = re.compile(r"\bauto\s*[&*]|\bauto\s+\w+\s*=\s*\[&?\]")


def strip(text):
    """Removes comments and string/char literals, keeping line breaks."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            seg = text[i:n if j < 0 else j + 2]
            out.append("\n" * seg.count("\n"))
            i = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def lambdas(text):
    """Yields (offset, body) of each lambda passed to pg_call."""
    for m in re.finditer(r"\bpg_call\s*\(\s*\[[^\]]*\]\s*(?:\([^)]*\))?\s*(?:mutable\s*)?\{", text):
        start = m.end()
        depth, i = 1, start
        while i < len(text) and depth:
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
            i += 1
        yield m.start(), text[start:i - 1]


FUNC = re.compile(r"^[A-Za-z_][\w:<>,\*& ]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*(?:const\s*)?\{",
                  re.M)
KEYWORDS = {"if", "for", "while", "switch", "return", "catch", "sizeof", "pg_call"}


def block(text, start):
    """The text from start (just after an opening brace) to its closing brace."""
    depth, i = 1, start
    while i < len(text) and depth:
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
        i += 1
    return text[start:i - 1]


def functions(texts):
    """Bodies of the functions defined in the files, by name (overloads joined)."""
    out = {}
    for text in texts:
        for m in FUNC.finditer(text):
            if m.group(1) in KEYWORDS:
                continue
            out.setdefault(m.group(1), []).append(block(text, m.end()))
    return out


def declarations(body):
    out = []
    for d in DECL.finditer(body):
        # the match ends at `=`: look at what follows for a lambda
        seen = body[d.start():d.end() + 4]
        if not REF.search(seen):
            out.append(" ".join(d.group(0).strip(" ;{}=(").split()))
    return out


def findings(body, funcs, depth=0, seen=None):
    seen = set() if seen is None else seen
    bad = declarations(body)
    if depth >= 3:
        return bad
    for call in set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", body)):
        if call in funcs and call not in seen and call not in KEYWORDS:
            seen.add(call)
            for fbody in funcs[call]:
                bad += ["%s (in %s)" % (b, call) for b in findings(fbody, funcs, depth + 1, seen)]
    return bad


def main():
    passed = failed = 0
    src = os.path.join(ROOT, "src", "pg")
    files = []
    for dirpath, _, names in sorted(os.walk(src)):
        for name in sorted(names):
            if name.endswith((".cpp", ".h")):
                path = os.path.join(dirpath, name)
                files.append((path, strip(open(path, encoding="utf-8").read())))
    funcs = functions(text for _, text in files)
    for path, text in files:
            for off, body in lambdas(text):
                line = text.count("\n", 0, off) + 1
                bad = findings(body, funcs)
                if bad:
                    failed += 1
                    rel = os.path.relpath(path, ROOT)
                    print("%s:%d: pg_call lambda declares %s" % (rel, line, "; ".join(bad)))
                else:
                    passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
