// base64, is_email/is_url/is_tel, regex.test/match, bytes.len, random values,
// refs, root, deep, change_id, log, timeit, future, export/import.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

TEST(Util, Base64) {
    EXPECT_EQ(q("base64_encode('Hello world!')"), "\"SGVsbG8gd29ybGQh\"");
    EXPECT_EQ(q("base64_encode(bytes('ab'))"), "\"YWI=\"");
    EXPECT_EQ(q("base64_encode('')"), "\"\"");
    EXPECT_EQ(q("type(base64_decode('SGVsbG8gd29ybGQh'))"), "\"bytes\"");
    EXPECT_EQ(q("str(base64_decode('SGVsbG8gd29ybGQh'))"), "\"Hello world!\"");
    EXPECT_EQ(q("str(base64_decode('YW\nI='))"), "\"ab\"");  // white space is skipped
    EXPECT_EQ(q("str(base64_decode(bytes('YWI=')))"), "\"ab\"");
    expect_err("base64_encode()", tdb::NUM_ARGUMENTS_ERR,
               "function `base64_encode` takes 1 argument but 0 were given");
    expect_err("base64_decode('a', 'b')", tdb::NUM_ARGUMENTS_ERR,
               "function `base64_decode` takes 1 argument but 2 were given");
    expect_err(
        "base64_encode(1)", tdb::TYPE_ERR,
        "function `base64_encode` expects argument 1 to be of type `str`, `bytes` or `mpdata` "
        "but got type `int` instead");
    expect_err("base64_decode(nil)", tdb::TYPE_ERR,
               "function `base64_decode` expects argument 1 to be of type `str` or type `bytes` "
               "but got type `nil` instead");
}

TEST(Util, IsEmailUrlTel) {
    EXPECT_EQ(q("is_email('info@thingsdb.io')"), "true");
    EXPECT_EQ(q("is_email('first.last+tag@sub.example.com')"), "true");
    EXPECT_EQ(q("is_email('info@')"), "false");
    EXPECT_EQ(q("is_email('no at sign')"), "false");
    EXPECT_EQ(q("is_email(42)"), "false");
    EXPECT_EQ(q("is_url('https://thingsdb.io')"), "true");
    EXPECT_EQ(q("is_url('http://localhost:8080/path?q=1#x')"), "true");
    EXPECT_EQ(q("is_url('ftp://files.example.com/a.txt')"), "true");
    EXPECT_EQ(q("is_url('thingsdb.io')"), "false");
    EXPECT_EQ(q("is_url('http://')"), "false");
    EXPECT_EQ(q("is_url(nil)"), "false");
    EXPECT_EQ(q("is_tel('+31612345678')"), "true");
    EXPECT_EQ(q("is_tel('+1 (555) 123-4567')"), "true");
    EXPECT_EQ(q("is_tel('0612345678')"), "true");
    EXPECT_EQ(q("is_tel('12')"), "false");
    EXPECT_EQ(q("is_tel('call me')"), "false");
    EXPECT_EQ(q("is_tel(31612345678)"), "false");
    for (const char* fn : {"is_email", "is_url", "is_tel"}) {
        expect_err(std::string(fn) + "()", tdb::NUM_ARGUMENTS_ERR,
                   "function `" + std::string(fn) + "` takes 1 argument but 0 were given");
        expect_err(std::string(fn) + "(1, 2)", tdb::NUM_ARGUMENTS_ERR,
                   "function `" + std::string(fn) + "` takes 1 argument but 2 were given");
    }
}

TEST(Util, RegexTestMatch) {
    EXPECT_EQ(q("/ab+c/.test('xxabbbc')"), "true");
    EXPECT_EQ(q("/^ab/i.test('ABc')"), "true");
    EXPECT_EQ(q("/x/.test('abc')"), "false");
    EXPECT_EQ(q("/(\\w+)@(\\w+)/.match('mail: iris@home now')"),
              "[\"iris@home\",\"iris\",\"home\"]");
    EXPECT_EQ(q("/x/.match('abc')"), "null");
    EXPECT_EQ(q("/a(x)?(b)/.match('ab')"), "[\"ab\",\"\",\"b\"]");  // an unset group is ""
    EXPECT_EQ(q("/a(x)?b/.match('ab')"), "[\"ab\"]");  // trailing unset groups are left out
    EXPECT_EQ(q("/\\d+/g.match('a1b22c333')"), "[\"1\",\"22\",\"333\"]");
    EXPECT_EQ(q("/\\d+/g.match('abc')"), "[]");
    EXPECT_EQ(q("/x*/g.match('ab')"), "[\"\"]");
    EXPECT_EQ(q("r = regex('o', 'g'); r.match('foo boo')"), "[\"o\",\"o\",\"o\",\"o\"]");
    expect_err("/a/.test()", tdb::NUM_ARGUMENTS_ERR,
               "function `test` takes 1 argument but 0 were given");
    expect_err("/a/.test(1)", tdb::TYPE_ERR,
               "function `test` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("/a/.match('a', 'b')", tdb::NUM_ARGUMENTS_ERR,
               "function `match` takes 1 argument but 2 were given");
    expect_err(
        "/a/.match(bytes('a'))", tdb::TYPE_ERR,
        "function `match` expects argument 1 to be of type `str` but got type `bytes` instead");
    expect_err("'a'.match(/a/)", tdb::LOOKUP_ERR, "type `str` has no function `match`");
}

TEST(Util, BytesLen) {
    EXPECT_EQ(q("bytes('abc').len()"), "3");
    EXPECT_EQ(q("bytes().len()"), "0");
    expect_err("bytes('a').len(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `len` takes 0 arguments but 1 was given");
}

TEST(Util, RandomValues) {
    EXPECT_EQ(q("x = rand(); is_float(x) && x >= 0 && x < 1"), "true");
    EXPECT_EQ(q("range(200).every(|| {x = randint(-3, 3); x >= -3 && x < 3})"), "true");
    EXPECT_EQ(q("randint(5, 6)"), "5");
    EXPECT_EQ(q("randint(INT_MIN, 0) < 0"), "true");
    EXPECT_EQ(q("randstr(12).len()"), "12");
    EXPECT_EQ(q("randstr(0)"), "\"\"");
    EXPECT_EQ(q("randstr(20, 'a')"), "\"aaaaaaaaaaaaaaaaaaaa\"");
    EXPECT_EQ(q("/^[0-9A-Za-z_-]{30}$/.test(randstr(30))"), "true");
    EXPECT_EQ(q("[7].choice()"), "7");
    EXPECT_EQ(q("[1, 2, 3].has([1, 2, 3].choice())"), "true");
    EXPECT_EQ(q("[[1, 2]][0].choice() < 3"), "true");  // tuples too
    expect_err("rand(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `rand` takes 0 arguments but 1 was given");
    expect_err("randint(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `randint` takes 2 arguments but 1 was given");
    expect_err(
        "randint(1.0, 2)", tdb::TYPE_ERR,
        "function `randint` expects argument 1 to be of type `int` but got type `float` instead");
    expect_err(
        "randint(1, '2')", tdb::TYPE_ERR,
        "function `randint` expects argument 2 to be of type `int` but got type `str` instead");
    expect_err("randint(3, 3)", tdb::VALUE_ERR,
               "function `randint` does not accept an empty range");
    expect_err("randint(-2, INT_MAX)", tdb::OVERFLOW_ERR, "integer overflow");
    EXPECT_EQ(q("randint(-1, INT_MAX) >= -1"), "true");
    expect_err("randstr()", tdb::NUM_ARGUMENTS_ERR,
               "function `randstr` requires at least 1 argument but 0 were given");
    expect_err("randstr(1, 'a', 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `randstr` takes at most 2 arguments but 3 were given");
    expect_err(
        "randstr('1')", tdb::TYPE_ERR,
        "function `randstr` expects argument 1 to be of type `int` but got type `str` instead");
    expect_err("randstr(1025)", tdb::VALUE_ERR,
               "function `randstr` requires a length between 0 and 1024");
    expect_err("randstr(-1)", tdb::VALUE_ERR,
               "function `randstr` requires a length between 0 and 1024");
    expect_err(
        "randstr(2, 1)", tdb::TYPE_ERR,
        "function `randstr` expects argument 2 to be of type `str` but got type `int` instead");
    expect_err(
        "randstr(2, '')", tdb::VALUE_ERR,
        "function `randstr` requires a character set with at least one valid ASCII character");
    expect_err("randstr(2, 'é')", tdb::VALUE_ERR,
               "function `randstr` requires a character set with ASCII characters only");
    expect_err("[].choice()", tdb::LOOKUP_ERR, "choice from empty list");
    expect_err("[1].choice(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `choice` takes 0 arguments but 1 was given");
}

TEST(Util, RootDeepRefsChangeId) {
    EXPECT_EQ(q(".a = 1; root().a"), "1");
    EXPECT_EQ(q("root() == ."), "true");
    EXPECT_EQ(q("root()", "@thingsdb"), "null");
    EXPECT_EQ(q("deep()"), "1");
    EXPECT_EQ(q("return deep(), 3"), "1");  // the value is taken before `return` sets it
    EXPECT_EQ(q("refs(1)"), "1");
    EXPECT_EQ(q("x = 'abc'; refs(x) >= 1"), "true");
    EXPECT_EQ(q("change_id()"), "null");
    expect_err("root(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `root` takes 0 arguments but 1 was given");
    expect_err("deep(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `deep` takes 0 arguments but 1 was given");
    expect_err("refs()", tdb::NUM_ARGUMENTS_ERR,
               "function `refs` takes 1 argument but 0 were given");
    expect_err("change_id(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `change_id` takes 0 arguments but 1 was given");
}

TEST(Util, LogTimeit) {
    EXPECT_EQ(q("log('hello')"), "null");
    EXPECT_EQ(q("log(42)"), "null");
    expect_err("log([1])", tdb::TYPE_ERR, "cannot convert type `list` to `str`");
    expect_err("log()", tdb::NUM_ARGUMENTS_ERR, "function `log` takes 1 argument but 0 were given");
    EXPECT_EQ(q("t = timeit(1 + 1); [t.keys(), t.data, is_float(t.time), t.time >= 0]"),
              "[[\"data\",\"time\"],2,true,true]");
    expect_err("timeit()", tdb::NUM_ARGUMENTS_ERR,
               "function `timeit` takes 1 argument but 0 were given");
}

TEST(Util, Future) {
    EXPECT_EQ(q("future(nil)"), "null");
    EXPECT_EQ(q("type(future(nil))"), "\"future\"");
    EXPECT_EQ(q("is_future(future(nil))"), "true");
    EXPECT_EQ(q("future(nil, 1, 2).then(|r, a, b| [r, a, b])"), "[null,1,2]");
    EXPECT_EQ(q("x = 6; future(|x| x * 7)"), "42");
    EXPECT_EQ(q("x = 6; future(|x| x * 7).then(|v| v + 1)"), "43");
    // An error in a future's closure ends the query; `else` is for a module's
    // failure, which cannot happen here.
    expect_err("future(|| raise('no')).else(|e| e.msg())", -100, "no");
    expect_err("future(nil).then(|| 1 / 0).else(|e| 0)", tdb::ZERO_DIV_ERR,
               "division or modulo by zero");
    EXPECT_EQ(q("future(|| 5).else(|e| 0)"), "5");
    expect_err("future(nil).else(1)", tdb::TYPE_ERR,
               "function `else` expects argument 1 to be of type `closure` but got type `int` "
               "instead");
    EXPECT_EQ(q("[future(|| 1)]"), "[null]");  // a future is never kept
    EXPECT_EQ(q(".f = future(nil); .f"), "null");
    expect_err("future()", tdb::NUM_ARGUMENTS_ERR,
               "function `future` requires at least 1 argument but 0 were given");
    expect_err("future(1)", tdb::TYPE_ERR,
               "function `future` expects argument 1 to be of type `thing`, `closure` or `nil` but "
               "got type `int` instead");
    expect_err("future(|y| y)", tdb::LOOKUP_ERR, "variable `y` is undefined");
    expect_err("future({})", tdb::LOOKUP_ERR, "missing `module` in future request");
    expect_err("future({module: 'requests'})", tdb::LOOKUP_ERR, "module `requests` not found");
    expect_err(
        "future(nil).then(1)", tdb::TYPE_ERR,
        "function `then` expects argument 1 to be of type `closure` but got type `int` instead");
    expect_err("future(nil).else()", tdb::NUM_ARGUMENTS_ERR,
               "function `else` takes 1 argument but 0 were given");
}

// ThingsDB keeps every future of a query open until the query is done and
// allows 255 on one closure; a future's closure runs in a context of its own,
// so its calls do not add to the closure call depth.
TEST(Util, FuturesCountedPerClosure) {
    const std::string limit = "maximum future count on closure has been reached";
    // A closure that makes a future of itself: ended by the count, not by the
    // call depth of 24.
    expect_err("fut = || future(nil, fut).then(|_, fut| fut()); fut()", tdb::OPERATION_ERR, limit);
    expect_err("f = || {future(nil, f).then(|_, f| {f();});}; f();", tdb::OPERATION_ERR, limit);
    // 255 futures on one closure's code in a query, in a loop or nested.
    EXPECT_EQ(q("n = 0; range(255).each(|| future(nil).then(|| n += 1)); n"), "255");
    expect_err("range(256).each(|| future(nil).then(|| nil))", tdb::OPERATION_ERR, limit);
    expect_err("range(256).each(|| future(nil).else(|| nil))", tdb::OPERATION_ERR, limit);
    expect_err("range(256).each(|| future(|| nil))", tdb::OPERATION_ERR, limit);
    // Different closures count apart; each query starts again.
    EXPECT_EQ(q("range(200).each(|| future(nil).then(|| 1)); range(200).each(|| "
                "future(nil).then(|| 2)); 'ok'"),
              "\"ok\"");
    EXPECT_EQ(q("range(200).each(|| future(nil).then(|| 1)); 'again'"), "\"again\"");
    // Nested 30 deep through futures: past the call depth of 24, as ThingsDB.
    EXPECT_EQ(q("f = |n| n == 0 ? 'bottom' : future(nil, n).then(|_, n| f(n - 1)); f(30)"),
              "\"bottom\"");
    // A plain closure call still stops at 24.
    expect_err("f = |n| n == 0 ? 0 : f(n - 1); f(30)", tdb::OPERATION_ERR,
               "maximum recursion depth exceeded");
}

TEST(Util, ExportImport) {
    expect_err(
        "export()", tdb::OPERATION_ERR,
        "function `export` is not supported; back up schema `thingsdb` with pg_dump instead");
    expect_err(
        "export({dump: true})", tdb::OPERATION_ERR,
        "function `export` is not supported; back up schema `thingsdb` with pg_dump instead");
    expect_err("export({dump: 1})", tdb::TYPE_ERR,
               "dump must be of type `bool` but got type `int` instead");
    expect_err("export({x: true})", tdb::VALUE_ERR, "invalid export option `x`");
    expect_err(
        "export(1)", tdb::TYPE_ERR,
        "function `export` expects argument 1 to be of type `thing` but got type `int` instead");
    expect_err("export({}, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `export` takes at most 1 argument but 2 were given");
    expect_err(".x = 1; export()", tdb::OPERATION_ERR,
               "function `export` must not be used with a change or future");
    expect_err("export()", tdb::LOOKUP_ERR,
               "function `export` is undefined in the `@thingsdb` scope; you might want to query a "
               "`@collection` scope?",
               "@thingsdb");
    expect_err("import()", tdb::NUM_ARGUMENTS_ERR,
               "function `import` requires at least 1 argument but 0 were given");
    expect_err(
        "import('x')", tdb::TYPE_ERR,
        "function `import` expects argument 1 to be of type `bytes` but got type `str` instead");
    expect_err("import(bytes(''), {import_tasks: 1})", tdb::TYPE_ERR,
               "import_tasks must be of type `bool` but got type `int` instead");
    expect_err("import(bytes(''), {y: 1})", tdb::VALUE_ERR, "invalid import option `y`");
    expect_err(
        "import(bytes(''))", tdb::OPERATION_ERR,
        "function `import` is not supported; restore schema `thingsdb` with pg_restore instead");
}

TEST(Util, ClosureAltRaiseNever) {
    EXPECT_EQ(q("closure()"), "\"||nil\"");
    EXPECT_EQ(q("f = closure('|x| x * 2'); f(21)"), "42");
    EXPECT_EQ(q("f = |x| x; closure(f) == f"), "true");
    expect_err("closure('|x| x +')", tdb::SYNTAX_ERR, "invalid syntax in closure");
    expect_err("closure('1 + 1')", tdb::LOOKUP_ERR, "node is not a closure");
    expect_err("closure(1)", tdb::TYPE_ERR, "cannot convert type `int` to `closure`");
    expect_err("closure('', 1)", tdb::NUM_ARGUMENTS_ERR,
               "function `closure` takes at most 1 argument but 2 were given");
    EXPECT_EQ(q("alt_raise(1 + 1, -100)"), "2");
    expect_err("alt_raise(1 / 0, -101)", -101, "division or modulo by zero");
    expect_err("alt_raise(raise('x'), -60, 'bad value')", tdb::VALUE_ERR, "bad value");
    expect_err("alt_raise(raise('x'), 0)", tdb::VALUE_ERR,
               "function `alt_raise` expects an error code between -127 and -50 but got 0 instead");
    expect_err(
        "alt_raise(raise('x'), '1')", tdb::TYPE_ERR,
        "function `alt_raise` expects argument 2 to be of type `int` but got type `str` instead");
    expect_err(
        "alt_raise(raise('x'), -100, 1)", tdb::TYPE_ERR,
        "function `alt_raise` expects argument 3 to be of type `str` but got type `int` instead");
    expect_err("alt_raise(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `alt_raise` requires at least 2 arguments but 1 was given");
    for (const char* fn : {"is_mpdata", "is_room", "is_task", "is_module"}) {
        EXPECT_EQ(q(std::string(fn) + "(nil)"), "false");
        expect_err(std::string(fn) + "()", tdb::NUM_ARGUMENTS_ERR,
                   "function `" + std::string(fn) + "` takes 1 argument but 0 were given");
    }
}
