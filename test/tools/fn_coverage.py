#!/usr/bin/env python3
"""Which supported ThingsDB functions the tests exercise.

For every function and method that docs/functions.md marks `supported`, this
looks through the unit tests (test/unit/*.cpp) and the pg_regress tests
(test/regress/expected/*.out, which hold the statements and their results) for:

  normal  a test that calls it and expects a result (no error);
  arity   a test of a wrong number of arguments: ThingsDB's num_arguments_err
          "function `x` takes ..." / "requires at least ..." / "takes at most ...";
  args    a test of a wrong argument (type_err "function `x` expects argument ...",
          or a value_err/overflow_err/lookup_err/... raised by a test whose code
          calls the function).

A name is found as a call, `name(` or `.name(`, in the string literals of a test
statement (C++) or in a statement of a pg_regress output. Tests that build their
code at run time (`fn + "()"`) are not seen: write those cases out literally.

A function that takes no arguments cannot get a wrong argument; that is known
from its arity test ("takes 0 arguments"). Other functions where a wrong argument
or a wrong count is impossible are in ALLOW below, each with the reason.

Usage: test/tools/fn_coverage.py [-v] [--root DIR]
  prints the names lacking a kind of test and a summary; exits 1 when a gap is
  left (0 when none). -v also lists every supported name with what was found.
"""

import argparse
import os
import re
import sys

# name -> {kind: reason} for the kinds of test that cannot exist.
ALLOW = {
    # Any value is a valid argument: only the count can be wrong.
    **{n: {"args": "accepts a value of any type"} for n in (
        "is_array", "is_ascii", "is_bool", "is_bytes", "is_closure", "is_datetime",
        "is_email", "is_enum", "is_err", "is_float", "is_future", "is_int",
        "is_list", "is_module", "is_mpdata", "is_nan", "is_nil", "is_raw", "is_regex",
        "is_room", "is_set", "is_str", "is_task", "is_tel", "is_thing", "is_time_zone",
        "is_timeval", "is_tuple", "is_url", "is_utf8", "type", "refs",
        "bool", "index_of",
    )},
    **{n: {"args": "its argument is an expression of any kind"} for n in ("wse", "nse")},
    "count": {"args": "counts a value of any type (or the items a closure accepts)"},
    "timeit": {"args": "its argument is any expression, timed"},
    "call": {"args": "takes values of any type",
             "arity": "any count: a missing argument is nil, extra ones are not evaluated"},
    # Left to PostgreSQL's backups: after ThingsDB's argument checks they always
    # raise operation_err, so there is no normal use to test.
    "export": {"normal": "always operation_err after the argument checks (pg_dump)"},
    "import": {"normal": "always operation_err after the argument checks (pg_restore)"},
}

ERR_KINDS = ("CANCELLED_ERR", "OPERATION_ERR", "NUM_ARGUMENTS_ERR", "TYPE_ERR",
             "VALUE_ERR", "OVERFLOW_ERR", "ZERO_DIV_ERR", "MAX_QUOTA_ERR", "AUTH_ERR",
             "FORBIDDEN_ERR", "LOOKUP_ERR", "BAD_DATA_ERR", "SYNTAX_ERR", "NODE_ERR",
             "ASSERT_ERR")
# The kinds of error a wrong argument gives (operation_err, forbidden_err and
# the like are about the state or the caller, not the arguments).
ARG_KINDS = ("NUM_ARGUMENTS_ERR", "TYPE_ERR", "VALUE_ERR", "OVERFLOW_ERR",
             "ZERO_DIV_ERR", "LOOKUP_ERR", "BAD_DATA_ERR")
PG_ARG_KINDS = tuple(k.lower() for k in ARG_KINDS)


def supported_names(root):
    names = []
    with open(os.path.join(root, "docs", "functions.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\| `([a-z0-9_]+)` \| [^|]* \| supported \|", line)
            if m:
                names.append(m.group(1))
    return names


def cpp_statements(text):
    """Splits C++ source into statements: (string literals joined, code outside
    literals). Comments are dropped; `;` inside literals does not split."""
    out = []
    lits, code = [], []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i)
            i = n if j < 0 else j + 2
            continue
        m = re.match(r'R"([^(\s]*)\(', text[i:i + 20])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = ")" + m.group(1) + '"'
            j = text.find(end, i + m.end())
            lits.append(text[i + m.end():j])
            code.append('""')
            i = j + len(end)
            continue
        if c == '"':
            j = i + 1
            buf = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    esc = text[j + 1]
                    buf.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(esc, esc))
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            lits.append("".join(buf))
            code.append('""')
            i = j + 1
            continue
        if c == "'":
            j = text.find("'", i + 2 if text[i + 1] == "\\" else i + 1)
            code.append("' '")
            i = j + 1
            continue
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth = max(0, depth - 1)
        if c in ";{}":
            code.append(c)
            out.append(("\n".join(lits), "".join(code)))
            lits, code = [], []
        else:
            code.append(c)
        i += 1
    if lits:
        out.append(("\n".join(lits), "".join(code)))
    return out


QUERY_CALL = re.compile(r"\b(q|qk|qs|qerr|expect_err\w*|as|as_err|jobs|run|call|msg|bad)\s*\(")


def unit_tests(root):
    """Yields (file, literals, is_error, kinds) for each group of statements:
    a statement that runs a query, with the statements after it that only
    check its result (`EXPECT_EQ(e.code(), ...)`)."""
    d = os.path.join(root, "test", "unit")
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".cpp"):
            continue
        with open(os.path.join(d, fn), encoding="utf-8") as f:
            stmts = cpp_statements(f.read())
        group = None
        for lits, code in stmts:
            runs = QUERY_CALL.search(code) is not None
            if runs or group is None:
                if group:
                    yield group
                group = [fn, lits, code]
            else:
                group[1] += "\n" + lits
                group[2] += "\n" + code
        if group:
            yield group


def classify_unit(group):
    fn, lits, code = group
    kinds = {k for k in ERR_KINDS if k in code}
    is_err = bool(kinds) or "qerr(" in code or "expect_err" in code or "_err(" in code \
        or "EXPECT_THROW" in code
    return fn, lits, is_err, kinds


def regress_tests(root):
    """Yields (file, text, is_error, kinds) for each statement of test/regress/expected/*.out,
    a chunk ending with its result ("(N rows)" or an ERROR)."""
    d = os.path.join(root, "test", "regress", "expected")
    if not os.path.isdir(d):
        return
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".out"):
            continue
        with open(os.path.join(d, fn), encoding="utf-8") as f:
            lines = f.read().split("\n")
        kinds_all = PG_ARG_KINDS + ("operation_err", "forbidden_err", "assert_err", "syntax_err",
                                    "auth_err", "cancelled_err", "max_quota_err", "node_err")
        chunks, chunk = [], []
        for line in lines:
            # The lines psql prints after an ERROR belong to that statement.
            if not chunk and chunks and re.match(r"(DETAIL|HINT|CONTEXT|LINE \d+|QUERY):|\s+\^", line):
                chunks[-1].append(line)
                continue
            chunk.append(line)
            if re.match(r"\(\d+ rows?\)$", line) or line.startswith("ERROR:"):
                chunks.append(chunk)
                chunk = []
        for chunk in chunks:
            text = "\n".join(chunk)
            kinds = {k for k in kinds_all if re.search(r"\b%s\b" % k, text)}
            is_err = "ERROR:" in text or bool(kinds)
            yield fn, text, is_err, {k.upper() for k in kinds}


def calls(text, name):
    return re.search(r"(?<![\w$])%s\s*\(" % re.escape(name), text) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", action="store_true", help="list every name with what was found")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    names = supported_names(root)
    tests = [classify_unit(g) for g in unit_tests(root)] + list(regress_tests(root))

    found = {n: {"normal": [], "arity": [], "args": []} for n in names}
    zero_args = set()
    for fn, text, is_err, kinds in tests:
        for n in names:
            named = "function `%s`" % n
            if named in text:
                if re.search(re.escape(named) + r" (takes|requires)", text):
                    found[n]["arity"].append(fn)
                    if re.search(re.escape(named) + r" takes 0 arguments", text):
                        zero_args.add(n)
                if re.search(re.escape(named) + r" expects argument", text):
                    found[n]["args"].append(fn)
            if not calls(text, n):
                continue
            # An error that names another function is that function's.
            other = any(m != n for m in re.findall(r"function `(\w+)`", text))
            if not is_err:
                found[n]["normal"].append(fn)
            elif other:
                continue
            elif kinds & set(ARG_KINDS) - {"NUM_ARGUMENTS_ERR"} and named not in text:
                found[n]["args"].append(fn)
            elif "NUM_ARGUMENTS_ERR" in kinds and named not in text and \
                    re.search(r"(takes|requires at least|takes at most) \d+ arguments?", text):
                found[n]["arity"].append(fn)

    gaps = {"normal": [], "arity": [], "args": []}
    for n in names:
        for kind in gaps:
            if found[n][kind]:
                continue
            if kind in ALLOW.get(n, {}):
                continue
            if kind == "args" and n in zero_args:
                continue
            gaps[kind].append(n)
        if a.v:
            print("%-20s normal=%-3d arity=%-3d args=%-3d%s" % (
                n, len(found[n]["normal"]), len(found[n]["arity"]), len(found[n]["args"]),
                "  (takes no arguments)" if n in zero_args else ""))

    for kind, what in (("normal", "no test of normal use"),
                       ("arity", "no test of a wrong number of arguments"),
                       ("args", "no test of a wrong argument (type or value)")):
        if gaps[kind]:
            print("%s (%d): %s" % (what, len(gaps[kind]), " ".join(gaps[kind])))
    print("%d supported names; lacking: normal use %d, wrong count %d, wrong argument %d"
          % (len(names), len(gaps["normal"]), len(gaps["arity"]), len(gaps["args"])))
    return 1 if any(gaps.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
