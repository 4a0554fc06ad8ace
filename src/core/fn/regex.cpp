// Methods of regex: test and match.
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/value.h"

namespace tdb {

// regex.test(str): whether the regex matches somewhere in the string.
Value m_regex_test(Query&, Value* self, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    if (!v.is(VT::Str)) a.bad_type(0, "str", v);
    Value keep = *self;
    return Value::boolean(regex_test(keep.regex(), v.as_str()));
}

// regex.match(str): the first match and its groups (nil without a match);
// with the `g` flag every match (an empty list without one), as ThingsDB.
Value m_regex_match(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Value v = a.eval(0);
    if (!v.is(VT::Str)) a.bad_type(0, "str", v);
    const RegexObj* re = keep.regex();
    const std::string& s = v.as_str();
    RegexScan scan(re, s);  // checks for interrupts before every search
    if (re->flags.find('g') != std::string::npos) {
        std::vector<Value> out;
        size_t pos = 0;
        for (;;) {
            q.poll();
            size_t end = 0;
            auto m = scan.next(pos, &end);
            if (m.empty()) break;
            out.push_back(Value::str(m[0].text));
            if (pos == end) break;
            pos = end;
        }
        return make_list(std::move(out));
    }
    auto m = scan.next(0);
    if (m.empty()) return Value::nil();
    std::vector<Value> out;
    for (auto& g : m) out.push_back(Value::str(g.text));  // an unset group is ""
    return make_list(std::move(out));
}

}  // namespace tdb
