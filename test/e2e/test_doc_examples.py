"""Every example of README.md and docs/*.md gives the result its text states.

What counts as an example, per fenced block:

* ```sql blocks: each statement (ending with `;` at the end of a line) runs in
  order. A statement followed by `-- RESULT` where RESULT starts with a JSON
  value is checked: the first column of its first row, as JSON, must equal that
  value (anything after the value is prose: `-- 2, read-only`). A trailing
  comment that is not JSON is prose and the statement just runs (it must not
  fail); `-- KIND_err: MESSAGE` claims that the statement fails with that
  ThingsDB error. Lines that start with `--` are comments.
* ```thingsdb blocks: each line is `CODE // RESULT` and runs alone, in a fresh
  `@:stuff` of a fresh extension (so ids are those of a new database). RESULT
  is a JSON value (then optional prose) or `KIND_err: MESSAGE` (the code must
  fail with that error: its SQLSTATE and a message that starts with MESSAGE).
  `\\n` in CODE stands for a line break.
* blocks of the `tdb` client (a line `$ tdb ...` followed by prompt lines
  `@SCOPE> CODE`, continued by lines `     > CODE`, and their output): each CODE
  runs in that scope, and the output below it, when there is any, is compared as
  JSON, or as `KIND_err: MESSAGE` when it shows an error. A lone `@SCOPE` switches
  the scope.

The blocks of one file share a database, in the order they appear (the Quick
start creates `.books`, later sections read it). A block preceded by a line
`<!-- example: not run (REASON) -->` is skipped and counted as skipped.
Blocks of other languages (sh, json, python, js) are not examples here:
test_examples.py runs the client programs."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

import psycopg  # noqa: E402

DB = "tdb_e2e_docs"
FILES = ["README.md"] + sorted(
    os.path.join("docs", f) for f in os.listdir(os.path.join(tdbtest.ROOT, "docs"))
    if f.endswith(".md"))
ERR_KINDS = {
    "cancelled_err": "TD064", "operation_err": "TD063", "num_arguments_err": "TD062",
    "type_err": "TD061", "value_err": "TD060", "overflow_err": "TD059",
    "zero_div_err": "TD058", "max_quota_err": "TD057", "auth_err": "TD056",
    "forbidden_err": "TD055", "lookup_err": "TD054", "bad_data_err": "TD053",
    "syntax_err": "TD052", "node_err": "TD051", "assert_err": "TD050",
}
PASSED = 0
FAILED = 0
SKIPPED = 0


def result(where, ok, what):
    global PASSED, FAILED
    if ok:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s: %s" % (where, what))


def json_prefix(text):
    """The JSON value at the start of text and the rest, or None."""
    text = text.strip()
    if not text:
        return None
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    rest = text[end:]
    # A bare word such as `true:` or a number glued to letters is prose, not JSON.
    if rest and rest[0] not in " ,:;(":
        return None
    return value, rest


def blocks(path):
    """(line number, fence language, lines, skipped reason) per fenced block."""
    lines = open(os.path.join(tdbtest.ROOT, path)).read().split("\n")
    i = 0
    skip = None
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            s = re.match(r"^<!-- example: not run \((.+)\) -->$", lines[i])
            if s:
                skip = s.group(1)
            elif lines[i].strip():
                skip = None
            i += 1
            continue
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        yield start, m.group(1), lines[start:j], skip
        skip = None
        i = j + 1


def split_comment(line, state):
    """The code and the trailing `--` comment of a line, outside quotes and
    dollar quotes; state carries an open quote from line to line."""
    i = 0
    while i < len(line):
        if state[0]:
            end = line.find(state[0], i)
            if end < 0:
                return line, None
            i = end + len(state[0])
            state[0] = None
        elif line.startswith("$$", i) or line[i] == "'":
            state[0] = "$$" if line[i] == "$" else "'"
            i += len(state[0])
        elif line.startswith("--", i):
            return line[:i], line[i + 2:].strip()
        else:
            i += 1
    return line, None


def sql_statements(body):
    """(line offset, statement, trailing comment) of a sql block."""
    stmt, first, comment, state = [], None, None, [None]
    for n, line in enumerate(body):
        code, rest = split_comment(line, state)
        if not stmt and not code.strip():
            continue
        if first is None:
            first = n
        stmt.append(code.rstrip())
        if rest is not None and comment is None:
            comment = rest
        if not state[0] and code.rstrip().endswith(";"):
            yield first, "\n".join(stmt), comment
            stmt, first, comment = [], None, None
    if stmt:
        yield first, "\n".join(stmt), comment


def fresh_extension(conn):
    conn.execute("DROP EXTENSION IF EXISTS thingsdb CASCADE")
    conn.execute("CREATE EXTENSION thingsdb")


def check_value(where, got, want):
    result(where, got == want, "expected %s, got %s" % (json.dumps(want), json.dumps(got)))


def run_sql_block(conn, path, start, body):
    for off, stmt, comment in sql_statements(body):
        where = "%s:%d" % (path, start + off + 1)
        expected = json_prefix(comment) if comment else None
        claim = re.match(r"^(\w+_err): (.*)$", comment or "")
        try:
            with conn.transaction():
                cur = conn.execute(stmt)
                row = cur.fetchone() if cur.description else None
        except psycopg.Error as e:
            msg = e.diag.message_primary or str(e)
            if claim:
                ok = e.sqlstate == ERR_KINDS.get(claim.group(1)) and msg.startswith(claim.group(2))
                result(where, ok, "expected %s, got %s %s" % (comment, e.sqlstate, msg))
            else:
                result(where, False, "%s failed: %s" % (stmt.strip(), msg))
            continue
        if claim:
            result(where, False, "expected %s, got a result" % comment)
            continue
        if expected is None:
            result(where, True, "")
            continue
        got = row[0] if row else None
        if isinstance(got, str):
            try:
                got = json.loads(got)
            except ValueError:
                pass
        check_value(where, got, expected[0])


def run_code(conn, code, scope="@:stuff"):
    """The result of code as JSON, or the error (sqlstate, message)."""
    try:
        with conn.transaction():
            return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0], None
    except psycopg.Error as e:
        return None, (e.sqlstate, e.diag.message_primary or str(e))


def run_thingsdb_block(conn, path, start, body):
    for off, line in enumerate(body):
        if not line.strip():
            continue
        where = "%s:%d" % (path, start + off + 1)
        code, sep, claim = line.partition(" // ")
        if not sep:
            result(where, False, "an example line without `// RESULT`: %s" % line)
            continue
        code = code.rstrip().replace("\\n", "\n")
        claim = claim.strip()
        fresh_extension(conn)
        got, err = run_code(conn, code)
        m = re.match(r"^(\w+_err): (.*)$", claim)
        if m:
            kind, msg = m.group(1), m.group(2)
            ok = err is not None and err[0] == ERR_KINDS.get(kind) and err[1].startswith(msg)
            result(where, ok, "expected %s %r, got %s" % (kind, msg, err or json.dumps(got)))
            continue
        expected = json_prefix(claim)
        if expected is None:
            result(where, False, "the result `%s` is neither JSON nor KIND_err: MESSAGE" % claim)
        elif err:
            result(where, False, "expected %s, got error %s %s" % (claim, err[0], err[1]))
        else:
            check_value(where, got, expected[0])


def run_client_block(conn, path, start, body):
    prompt = re.compile(r"^(@[^>\s]+)> (.*)$")
    i = 0
    while i < len(body):
        m = prompt.match(body[i])
        if not m:
            i += 1
            continue
        where = "%s:%d" % (path, start + i + 1)
        scope, code = m.group(1), m.group(2)
        out = []
        i += 1
        while i < len(body) and re.match(r"^\s+> ", body[i]):
            code += "\n" + body[i].split("> ", 1)[1]
            i += 1
        while i < len(body) and not prompt.match(body[i]) and not body[i].startswith("$ "):
            out.append(body[i])
            i += 1
        text = "\n".join(out).strip()
        if re.match(r"^@\S+$", code.strip()) and not text:
            continue   # a scope switch
        got, err = run_code(conn, code, scope)
        shown = re.match(r"^(\w+_err): (.*)$", text)
        if shown:
            ok = err is not None and err[0] == ERR_KINDS.get(shown.group(1)) and err[1] == shown.group(2)
            result(where, ok, "expected %s, got %s" % (text, err or json.dumps(got)))
        elif err:
            result(where, False, "%s failed: %s %s" % (code, err[0], err[1]))
        elif text:
            try:
                check_value(where, got, json.loads(text))
            except ValueError:
                result(where, False, "output below `%s` is not JSON: %s" % (code, text))
        else:
            result(where, True, "")


def main():
    global SKIPPED
    for path in FILES:
        tdbtest.scratch_db(DB)
        with tdbtest.connect(DB) as conn:
            for start, lang, body, skip in blocks(path):
                kind = ("sql" if lang == "sql" else "thingsdb" if lang == "thingsdb" else
                        "client" if lang == "" and any(l.startswith("$ tdb") for l in body)
                        else None)
                if kind is None:
                    continue
                if skip:
                    SKIPPED += 1
                    print("skip %s:%d (%s)" % (path, start, skip))
                    continue
                before = PASSED + FAILED
                if kind == "sql":
                    run_sql_block(conn, path, start, body)
                elif kind == "thingsdb":
                    run_thingsdb_block(conn, path, start, body)
                else:
                    run_client_block(conn, path, start, body)
                if PASSED + FAILED == before:
                    result("%s:%d" % (path, start), False, "a %s block without examples" % kind)
    tdbtest.drop_db(DB)
    print("%d passed, %d failed, %d skipped" % (PASSED, FAILED, SKIPPED))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
