"""Adversarial ThingsDB code built from grammar tables (test_generated.py runs
it against a live backend).

Three kinds of statement, all reproducible from a seed:
  * deep shapes: every recursive construct of the grammar
    (src/core/lang/parse*.cpp) nested N deep, and every walker of values
    (copy, compare, render, store, ...) over values nested N deep;
  * random trees: the constructs combined at random, with leaves that change
    the containers and variables the enclosing expression is using;
  * catalog changes: every catalog-changing function with nested side
    effects in its arguments and closures (changing or deleting the same
    definition, raising, catching).
Generated code is a tree of Node (a format and its parts), so a failing
statement can be shrunk to a minimal one (shrink())."""
import random


class Node:
    """fmt with one '{}' per kid; fallback is what the node may shrink to."""
    __slots__ = ("fmt", "kids", "fallback")

    def __init__(self, fmt, kids=(), fallback="1"):
        self.fmt = fmt
        self.kids = list(kids)
        self.fallback = fallback

    def render(self):
        if not self.kids:  # a leaf is code as it is
            return self.fmt
        return self.fmt.format(*(k.render() if isinstance(k, Node) else k for k in self.kids))


def render(tree):
    return tree.render() if isinstance(tree, Node) else tree


# ---- deep shapes: (name, open, core, close) repeated n deep --------------------------
# Each is a complete program: open * n + core + close * n (the prelude binds
# l, t, s, c, a, n). The list covers every recursive rule of the parser:
# statement (if/for/return/ternary), binary (each precedence group), unary,
# primary (parentheses, list, block, thing, &{}, template, closure), postfix
# (chains, optional chains, calls, index, slices, assignments).
DEEP_PRELUDE = "l = [0]; t = {a: nil}; s = 'x'; a = 0; n = 0; c = |x| x; "
DEEP = [
    ("parentheses", "(", "1", ")"),
    ("not", "!", "1", ""),
    ("negate", "- ", "1", ""),
    ("plus", "+ ", "1", ""),
    ("invert", "~", "1", ""),
    ("invert_spaced", "~ ", "1", ""),
    ("mul", "", "1", " * 1"),
    ("div", "", "1", " / 1"),
    ("mod", "", "7", " % 5"),
    ("add", "", "1", " + 1"),
    ("sub", "", "1", " - 1"),
    ("shift_left", "", "1", " << 1"),
    ("shift_right", "", "1", " >> 1"),
    ("bit_and", "", "1", " & 1"),
    ("bit_xor", "", "1", " ^ 1"),
    ("bit_or", "", "1", " | 1"),
    ("compare", "", "1", " < 2"),
    ("equal", "", "1", " == 1"),
    ("and", "", "1", " && 1"),
    ("or", "", "0", " || 0"),
    ("mixed_precedence", "", "1", " + 1 * 2 < 3 && 1 | 2 << 1 || 0 ^ 1 >> 1"),
    ("right_nested_binary", "1 + (2 * (", "1", "))"),
    ("ternary_branch", "true ? ", "1", " : 0"),
    ("ternary_condition", "(", "true", " ? true : false)"),
    ("prop_chain", "", "{a: nil}", ".a"),
    ("optional_chain", "", "nil", "..a"),
    ("index_chain", "", "l", "[0]"),
    ("index_nested", "l[", "0", "]"),
    ("slice_chain", "", "l", "[0:1]"),
    ("slice_step_chain", "", "l", "[::1]"),
    ("slice_bounds_nested", "l[", "0", ":1][0]"),
    ("method_chain", "", "s", ".upper()"),
    ("method_args", "[1].map(|x| ", "x", ")"),
    ("call_args", "abs(", "1", ")"),
    ("closure", "|x| ", "1", ""),
    ("closure_called", "(|x| ", "1", ").call(0)"),
    ("var_called", "c(", "1", ")"),
    ("block", "{", "1", "}"),
    ("block_statements", "{a = 1; ", "a", "}"),
    ("thing_literal", "{a: ", "1", "}"),
    ("list_literal", "[", "1", "]"),
    ("list_literal_wide", "[1, ", "1", ", 2]"),
    ("wrap_literal", "&{a: ", "1", "}"),
    ("wrap_method", "{}.wrap(&{m: |this| ", "1", "})"),
    ("if_then", "if (true) ", "1", ""),
    ("if_else", "if (false) 0; else ", "1", ""),
    ("if_condition", "if (", "true", ") 1"),
    ("for_body", "for (x in [1]) ", "1", ""),
    ("for_iterable", "for (x in ", "[1]", ") 1"),
    ("return", "return ", "1", ""),
    ("return_in_closure", "(|| return ", "1", ").call()"),
    ("template", "`{", "1", "}`"),
    ("assign_chain", "a = ", "1", ""),
    ("prop_assign_chain", "t.a = ", "1", ""),
    ("index_assign_chain", "l[0] = ", "1", ""),
    ("slice_assign_chain", "l[0:1] = [", "1", "]"),
    ("compound_assign", "n += ", "1", ""),
    ("compound_prop_assign", "t.a = 0; t.a |= ", "1", ""),
    ("try", "try(", "1", ")"),
]
DEEP_DEPTHS = (50, 2000, 60000)

# Walkers of values over a value nested n deep (the list x and the thing y).
DEEP_VALUE_BUILD = ("x = []; y = {{}}; for (i in range({n})) {{ x = [x]; y = {{a: y}}; }}; ")
DEEP_WALKERS = [
    "x.copy({n})", "y.copy({n})", "x.dup({n})", "y.dup({n})", "x == x", "y == y",
    "json_dump(x)", "json_dump(y)", "str(x)", "x.len()", "[x, y]", "return x, {n}",
    "return y, {n}", "x.filter(|v| v)", "[x].sort()", "y.wrap(&{{a: |this| 1}})",
    "json_load(json_dump(x))", "x.flat({n})", "[x].index_of(x)", "[x, x].unique()",
    "is_list(x.copy(1))", "assert(x != [])", "x.some(|v| v == x)", "refs(y)",
]
DEEP_VALUE_DEPTHS = (50, 3000, 40000)


def deep_statements():
    """(label, depth, code) of every deep shape; code(depth) rebuilds one."""
    for name, open_, core, close in DEEP:
        for d in DEEP_DEPTHS:
            yield ("deep " + name, d, lambda n, o=open_, c=core, e=close: DEEP_PRELUDE + o * n + c + e * n)
    for w in DEEP_WALKERS:
        for d in DEEP_VALUE_DEPTHS:
            yield ("deep value " + w.split("(")[0], d,
                   lambda n, w=w: DEEP_VALUE_BUILD.format(n=n) + w.format(n=n))


# ---- random trees -------------------------------------------------------------------
# Leaves that change what an enclosing expression may be holding: the list l
# (iterated, sliced, indexed), the thing t, the string s, the closure c.
LEAVES = ["1", "0", "-1", "nil", "true", "'s'", "l", "t", "s", "c", "l.len()", "t.a",
          "{l.clear(); 0}", "{l.push(4); 1}", "{l.extend(range(50)); 2}", "l.pop()",
          "{l = [9]; 0}", "{t.del('a'); 1}", "{t.a = [l]; 1}", "{t.clear(); 0}",
          "{s = s + s; 1}", "{c = |x| l.clear(); 0}", "try(raise('boom'))",
          "l.map(|x| {l.push(x); x})", "l.filter(|x| {l.clear(); true})", "[l, l]",
          "l.sort(|a, b| {l.pop(); a <=> b})", "{l.splice(0, 1); 0}", "t.wrap(&{a: |this| {t.a = 1; 2}})"]

# Constructs of the grammar, each a format over random sub-expressions.
COMBINE = [
    "({})", "!{}", "-{}", "+{}", "~{}", "{} * {}", "{} / {}", "{} % {}", "{} + {}", "{} - {}",
    "{} << {}", "{} >> {}",
    "{} & {}", "{} ^ {}", "{} | {}", "{} < {}", "{} <= {}", "{} == {}", "{} != {}",
    "{} > {}", "{} >= {}", "{} && {}", "{} || {}", "{} ? {} : {}", "({}).a", "({})..a",
    "({})[{}]", "({})[{}:{}]", "({})[{}:{}:{}]", "({}).len()", "({}).copy()",
    "l.map(|x| {})", "l.each(|x| {})", "l.filter(|x| {})", "l.find(|x| {})",
    "l.reduce(|a, b| {}, 0)", "l.sort(|a, b| {})", "(|x| {}).call({})", "c({})",
    "{{{}; {}}}", "{{a: {}, b: {}}}", "[{}, {}]", "&{{a: {}}}", "{{}}.wrap(&{{m: |this| {}}})",
    "if ({}) {} else {}", "for (x in {}) {}", "for (x in l) {{{}; {}}}",
    "(|| return {}).call()", "`a{{{}}}b`", "l[{}] = {}", "l[{}:{}] = [{}]",
    "t.a = {}", "a = b = {}", "a = 0; a += {}", "t.a = 0; t.a *= {}", "l[0] = 1; l[0] -= {}",
    "try({})", "json_dump({})", "[{}].copy(2)", "str({})", "range({}).len()",
    "({}).is_nil()", "([{}] == [{}])", "({{}}.set('a', {}))",
]
# Root changes (only as admin; a QUERY user gets a clean forbidden error).
ROOT_CHANGES = ["{.r = l; 1}", "{.r = t; 0}", "{.del('r'); 1}", "(.r = {}) && 1",
                "{.r = [t, l]; t.a = .r; 1}"]
RANDOM_PRELUDE = "l = [1, 2, 3]; t = {a: 1, b: [1, 2]}; s = 'abc'; c = |x| x; a = 0; b = 0; "


def random_tree(rng, depth, root_changes=False):
    if depth <= 0 or rng.random() < 0.15:
        if root_changes and rng.random() < 0.2:
            return Node(rng.choice(ROOT_CHANGES), (), "1")
        return Node(rng.choice(LEAVES), (), "1")
    fmt = rng.choice(COMBINE)
    kids = [random_tree(rng, depth - 1, root_changes) for _ in range(fmt.count("{}"))]
    return Node(fmt, kids)


def random_statement(rng, root_changes=False):
    return Node("{}{}", [RANDOM_PRELUDE, random_tree(rng, rng.randint(2, 7), root_changes)])


# ---- catalog changes ------------------------------------------------------------------
# Definitions of the collection, made fresh by CATALOG_PRELUDE before every
# statement: the Type T (with an instance stored at .tk and a list of them at
# .tl), the enum E (a member stored at .ek, one whose value is a thing), the
# procedure P. @K@ is a number that keeps the names of one statement apart.
CATALOG_PRELUDE = (
    "new_type('T@K@'); set_type('T@K@', {n: 'int', s: 'str', r: 'T@K@?', o: '{T@K@}', "
    "l: '[T@K@]'}); set_enum('E@K@', {X: 1, Y: 2}); set_enum('F@K@', {A: {n: 1}}); "
    ".tk@K@ = T@K@{n: 1, s: 'a'}; .tl@K@ = [T@K@{}, .tk@K@]; .ek@K@ = E@K@{X}; "
    ".fk@K@ = F@K@{A}; new_procedure('P@K@', |x| x); nil")

# Side effects nested in an argument or a closure: on the same definitions.
DISTURB = [
    "del_type('T@K@')", "mod_type('T@K@', 'del', 'n')", "mod_type('T@K@', 'add', 'q', 'int')",
    "mod_type('T@K@', 'add', 'q2', 'str', |t| 'v')", "mod_type('T@K@', 'mod', 'n', 'float', |t| 1.5)",
    "mod_type('T@K@', 'ren', 's', 's2')", "mod_type('T@K@', 'hid', true)",
    "mod_type('T@K@', 'wpo', true)", "mod_type('T@K@', 'idx', true)", "rename_type('T@K@', 'U@K@')",
    "set_type('T@K@', {z: 'str'})", "new_type('T@K@')", "del_enum('E@K@')",
    "mod_enum('E@K@', 'del', 'Y')", "mod_enum('E@K@', 'add', 'Q', 9)", "mod_enum('E@K@', 'mod', 'X', 7)",
    "mod_enum('E@K@', 'ren', 'X', 'X2')", "mod_enum('E@K@', 'def', 'Y')", "rename_enum('E@K@', 'G@K@')",
    "set_enum('E@K@', {Z: 1})", "del_enum('F@K@')", "del_procedure('P@K@')",
    "mod_procedure('P@K@', |x| x + 1)", "rename_procedure('P@K@', 'Q@K@')", "run('P@K@', 1)",
    ".tk@K@ = T@K@{}", ".tk@K@.n = 5", ".tk@K@.n = 'x'", ".del('tk@K@')", ".ek@K@ = E@K@{Y}",
    ".tl@K@.push(T@K@{})", ".tl@K@.clear()", ".tk@K@.r = .tk@K@", ".fk@K@ = F@K@{A}",
    "raise('boom')", "try(raise('boom'))", "try(del_type('T@K@'))", "try(del_enum('E@K@'))",
    "T@K@{}", "E@K@{X}.value()", "type_info('T@K@')", "enum_info('E@K@')",
    "types_info()", "enums_info()", "procedures_info()", "[.tk@K@, .ek@K@, .fk@K@, .tl@K@]",
]
NODE_DISTURB = [
    "revoke('@:@C@', 'gen_t', QUERY)", "grant('@:@C@', 'gen_t', CHANGE)",
    "del_user('gen_t')", "new_user('gen_t')", "del_collection('X@K@')",
    "rename_collection('X@K@', 'Y@K@')", "new_collection('X@K@')", "raise('boom')",
    "try(del_collection('X@K@'))", "collections_info()", "users_info()",
    "new_token('gen_t')", "del_expired()", "set_default_deep('X@K@', 2)",
]


def hole(rng, value, disturb, level=0):
    """value, or value reached through side effects on the same
    definitions: in a block, in a caught error, in a called closure, in a
    nested hole."""
    r = rng.random()
    if r < 0.25 and level < 3:
        return value
    d = Node(rng.choice(disturb), (), "nil")
    if level < 2 and rng.random() < 0.3:
        d = Node("{{{}; {}}}", [d, hole(rng, "nil", disturb, level + 1)], "nil")
    forms = ["{{{}; {}}}", "{{try({}); {}}}", "(|| {{{}; {}}}).call()", "[{}, {}][1]",
             "{{x = {}; {}}}", "(is_nil({}) ? {} : {})"]
    f = rng.choice(forms)
    if f.startswith("(is_nil"):
        return Node("(is_nil({}) ? {} : {})", [d, value, value], value)
    return Node(f, [d, value], value)


def closure(rng, value, disturb):
    """A closure whose body changes the definition it is called for."""
    return Node("|t| {}", [hole(rng, value, disturb)], "|t| " + value)


# (scope, template); h(v) is a hole around v, cl(v) a closure returning v.
CATALOG = [
    ("c", lambda h, cl: Node("new_type({})", [h("'N@K@'")])),
    ("c", lambda h, cl: Node("set_type('T@K@', {{z: {}}})", [h("'int'")])),
    ("c", lambda h, cl: Node("set_type('T@K@', {})", [h("{z: 'str', m: |this| this.n}")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'add', {}, {})", [h("'z'"), h("'int'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'add', {}, {}, {})", [h("'z'"), h("'int'"), cl("0")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'add', 'z', 'T@K@?', {})", [cl("nil")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'del', {})", [h("'n'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'mod', 'n', {}, {})", [h("'str'"), cl("'s'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'mod', 'n', {})", [h("'int?'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'ren', {}, {})", [h("'n'"), h("'m'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'hid', {})", [h("true")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'wpo', {})", [h("true")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'idx', {})", [h("true")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'rel', {}, {})", [h("'o'"), h("'o'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'rel', {}, {})", [h("'r'"), h("'r'")])),
    ("c", lambda h, cl: Node("mod_type('T@K@', 'all', {}, {})", [h("true"), cl("nil")])),
    ("c", lambda h, cl: Node("rename_type({}, {})", [h("'T@K@'"), h("'V@K@'")])),
    ("c", lambda h, cl: Node("del_type({})", [h("'T@K@'")])),
    ("c", lambda h, cl: Node("set_enum({}, {})", [h("'H@K@'"), h("{A: 1, B: 2}")])),
    ("c", lambda h, cl: Node("set_enum('H@K@', {{A: {}}})", [h("{n: 1}")])),
    ("c", lambda h, cl: Node("mod_enum('E@K@', 'add', {}, {})", [h("'Z'"), h("3")])),
    ("c", lambda h, cl: Node("mod_enum('F@K@', 'add', 'B', {})", [h("{n: 2}")])),
    ("c", lambda h, cl: Node("mod_enum('E@K@', 'def', {})", [h("'Y'")])),
    ("c", lambda h, cl: Node("mod_enum('E@K@', 'del', {})", [h("'Y'")])),
    ("c", lambda h, cl: Node("mod_enum('E@K@', 'mod', {}, {})", [h("'Y'"), h("5")])),
    ("c", lambda h, cl: Node("mod_enum('E@K@', 'ren', {}, {})", [h("'Y'"), h("'W'")])),
    ("c", lambda h, cl: Node("rename_enum({}, {})", [h("'E@K@'"), h("'D@K@'")])),
    ("c", lambda h, cl: Node("del_enum({})", [h("'E@K@'")])),
    ("c", lambda h, cl: Node("del_enum({})", [h("'F@K@'")])),
    ("c", lambda h, cl: Node("new_procedure({}, {})", [h("'R@K@'"), cl("t")])),
    ("c", lambda h, cl: Node("mod_procedure({}, {})", [h("'P@K@'"), cl("t")])),
    ("c", lambda h, cl: Node("rename_procedure({}, {})", [h("'P@K@'"), h("'S@K@'")])),
    ("c", lambda h, cl: Node("del_procedure({})", [h("'P@K@'")])),
    ("c", lambda h, cl: Node("run('P@K@', {})", [h("1")])),
    ("c", lambda h, cl: Node(".tk@K@.n = {}", [h("2")])),
    ("c", lambda h, cl: Node(".tl@K@.map({})", [cl("t")])),
    ("c", lambda h, cl: Node("T@K@{{n: {}, s: {}}}", [h("3"), h("'q'")])),
    ("c", lambda h, cl: Node(".tk@K@.wrap('T@K@').copy({})", [h("2")])),
    ("c", lambda h, cl: Node(".tl@K@.filter({})", [cl("true")])),
    ("c", lambda h, cl: Node("E@K@{{{}}}", [cl("1")])),
    ("n", lambda h, cl: Node("grant({}, {}, {})", [h("'@:@C@'"), h("'gen_t'"), h("QUERY")])),
    ("n", lambda h, cl: Node("revoke({}, {}, {})", [h("'@:@C@'"), h("'gen_t'"), h("QUERY")])),
    ("n", lambda h, cl: Node("new_collection({})", [h("'X@K@'")])),
    ("n", lambda h, cl: Node("del_collection({})", [h("'X@K@'")])),
    ("n", lambda h, cl: Node("rename_collection({}, {})", [h("'X@K@'"), h("'Z@K@'")])),
    ("n", lambda h, cl: Node("new_user({})", [h("'W@K@'")])),
    ("n", lambda h, cl: Node("rename_user({}, {})", [h("'gen_t'"), h("'gen_t2'")])),
    ("n", lambda h, cl: Node("new_token({})", [h("'gen_t'")])),
]
NODE_PRELUDE = ("try(new_user('gen_t')); try(new_collection('X@K@')); try(new_procedure('P', |x| x)); nil")
# How the change is called: alone, caught, followed by a change of the same
# definitions (a failed change must leave nothing behind), or twice.
WRAP = ["{}", "try({}); nil", "try({}); mod_type('T@K@', 'hid', false); type_info('T@K@')",
        "try({}); [types_info(), enums_info()]", "{}; {}"]


def catalog_statement(rng, k, coll):
    """(scope kind 'c' or 'n', Node): one catalog change with holes."""
    scope, build = rng.choice(CATALOG)
    disturb = DISTURB if scope == "c" else NODE_DISTURB + DISTURB[-10:-5]
    h = lambda v: hole(rng, v, disturb)  # noqa: E731
    cl = lambda v: closure(rng, v, disturb)  # noqa: E731
    change = build(h, cl)
    w = rng.choice(WRAP)
    if w == "{}; {}":
        node = Node(w, [change, build(h, cl)])
    elif scope == "n" and "T@K@" in w:
        node = Node("try({}); nil", [change])
    else:
        node = Node(w, [change])
    return scope, node


def instantiate(code, k, coll):
    return code.replace("@K@", str(k)).replace("@C@", coll)


# ---- shrinking ----------------------------------------------------------------------------
def shrink(tree, fails, budget=150):
    """A smaller tree for which fails(tree) still holds: every node is tried
    replaced by its fallback or by one of its kids, as long as the budget of
    calls lasts."""
    changed = True
    while changed and budget > 0:
        changed = False
        for parent, i, node in list(_slots(tree)):
            if budget <= 0:
                break
            for cand in [node.fallback] + [k for k in node.kids if isinstance(k, Node)]:
                budget -= 1
                parent.kids[i] = cand
                if fails(tree):
                    changed = True
                    break
                parent.kids[i] = node
            if changed:
                break
    return tree


def _slots(tree):
    stack = [tree]
    while stack:
        n = stack.pop()
        for i, k in enumerate(n.kids):
            if isinstance(k, Node):
                yield n, i, k
                stack.append(k)


def rng_for(seed):
    return random.Random(seed)
