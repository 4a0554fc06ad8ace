// Field definitions: parsing a definition such as 'str<1:10>?', '[Note]' or
// '/^a/i<abc>' into a Spec (with ThingsDB's messages for a bad one), the names
// of their kinds, and renaming a type or enum inside definitions.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/api/error.h"
#include "core/model/regex.h"
#include "core/model/restrict.h"
#include "core/schema/types.h"

namespace tdb {

const char* spec_kind_name(SK k) {
    switch (k) {
        case SK::Any:
            return "any";
        case SK::Thing:
            return "thing";
        case SK::Raw:
            return "raw";
        case SK::Str:
        case SK::StrRange:
        case SK::Pattern:
            return "str";
        case SK::Utf8:
            return "utf8";
        case SK::Bytes:
            return "bytes";
        case SK::Bool:
            return "bool";
        case SK::Int:
        case SK::IntRange:
            return "int";
        case SK::UInt:
            return "uint";
        case SK::PInt:
            return "pint";
        case SK::NInt:
            return "nint";
        case SK::Float:
        case SK::FloatRange:
            return "float";
        case SK::Number:
            return "number";
        case SK::Datetime:
            return "datetime";
        case SK::Timeval:
            return "timeval";
        case SK::Regex:
            return "regex";
        case SK::Closure:
            return "closure";
        case SK::Task:
            return "task";
        case SK::Error:
            return "error";
        case SK::Arr:
            return "list";
        case SK::Set:
            return "set";
        case SK::Type:
            return "thing";
        case SK::Enum:
        case SK::AnyEnum:
            return "enum";
        case SK::Email:
            return "email";
        case SK::Url:
            return "url";
        case SK::Tel:
            return "tel";
        case SK::Room:
            return "room";
    }
    return "any";
}

// ---- definition parsing --------------------------------------------------------

namespace {

[[noreturn]] void bad_decl(int code, const std::string& field, const TypeDef& t,
                           const std::string& what) {
    // ThingsDB ends these messages with a pointer to its documentation.
    raise(code, fmt("invalid declaration for `%s` on type `%s`; %s; see "
                    "https://docs.thingsdb.io/v1/data-types/type",
                    field.c_str(), t.name.c_str(), what.c_str()));
}

uint8_t flag_of(char c) {
    switch (c) {
        case '&':
            return kFlagAmp;
        case '-':
            return kFlagMinus;
        case '+':
            return kFlagPlus;
        case '*':
            return kFlagName;
        case '?':
            return kFlagSkipNil;
        case '!':
            return kFlagSkipFalse;
        default:
            return 0;
    }
}

// The kinds that take a condition or default between `<` and `>`.
bool condition_kind(std::string_view s, SK& k) {
    static const struct {
        const char* n;
        SK k;
    } kinds[] = {
        {"int", SK::Int},   {"float", SK::Float}, {"str", SK::Str},
        {"utf8", SK::Utf8}, {"bool", SK::Bool},   {"email", SK::Email},
        {"url", SK::Url},   {"tel", SK::Tel},     {"thing", SK::Thing},
    };
    for (auto& e : kinds) {
        size_t n = std::strlen(e.n);
        if (s.size() > n && s.compare(0, n, e.n) == 0 &&
            (s[n] == '<' || s[n] == '>' || s[n] == ' ' || s.size() == n + 1)) {
            k = e.k;
            return true;
        }
    }
    return false;
}

bool base_kind(std::string_view s, SK& k) {
    static const struct {
        const char* n;
        SK k;
    } kinds[] = {
        {"any", SK::Any},       {"thing", SK::Thing},       {"raw", SK::Raw},
        {"str", SK::Str},       {"utf8", SK::Utf8},         {"bytes", SK::Bytes},
        {"bool", SK::Bool},     {"int", SK::Int},           {"uint", SK::UInt},
        {"pint", SK::PInt},     {"nint", SK::NInt},         {"float", SK::Float},
        {"number", SK::Number}, {"datetime", SK::Datetime}, {"timeval", SK::Timeval},
        {"regex", SK::Regex},   {"closure", SK::Closure},   {"error", SK::Error},
        {"email", SK::Email},   {"url", SK::Url},           {"tel", SK::Tel},
        {"enum", SK::AnyEnum},  {"room", SK::Room},         {"task", SK::Task},
    };
    for (auto& e : kinds)
        if (s == e.n) {
            k = e.k;
            return true;
        }
    return false;
}

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c > 127) return false;
    return true;
}

// Follows non-nillable Type fields from `from`; true when they lead to `to`.
bool reaches(Catalog& cat, const TypeDef* from, uint32_t to, int depth) {
    if (depth > 64 || !from) return false;
    for (const Field& f : from->fields) {
        if (f.spec.kind != SK::Type || f.spec.nillable) continue;
        if (f.spec.ref == to) return true;
        if (reaches(cat, cat.type(f.spec.ref), to, depth + 1)) return true;
    }
    return false;
}

// The checks of the prefix flags once the definition is known.
Spec& finish_spec(TypeDef& t, const std::string& fname, Spec& sp) {
    if ((sp.flags & kFlagSkipNil) && !sp.nillable && sp.kind != SK::Any)
        bad_decl(TYPE_ERR, fname, t, "skip nil flags for property which cannot contain nil");
    return sp;
}

}  // namespace

Spec Catalog::parse_spec(TypeDef& t, const std::string& fname, const std::string& raw) {
    Spec sp;
    auto invalid = [&]() {
        if (!is_ascii(raw))
            bad_decl(VALUE_ERR, fname, t,
                     "type declarations must only contain valid ASCII characters");
        bad_decl(VALUE_ERR, fname, t,
                 fmt("expecting a valid type declaration but got `%s` instead", raw.c_str()));
    };
    if (raw.empty()) bad_decl(VALUE_ERR, fname, t, "type declarations must not be empty");
    std::string s = raw;
    if (s.back() == '?') {
        sp.nillable = true;
        s.pop_back();
        if (s.empty()) invalid();
    }
    // prefix flags, after the nillable `?` so a lone `?` stays a bad definition
    size_t nflags = 0;
    for (; nflags < s.size(); ++nflags) {
        uint8_t fl = flag_of(s[nflags]);
        if (!fl) break;
        if (sp.flags & fl) bad_decl(VALUE_ERR, fname, t, "duplicate flags");
        sp.flags |= fl;
    }
    if ((sp.flags & kFlagMinus) && (sp.flags & kFlagPlus))
        bad_decl(VALUE_ERR, fname, t, "conflicting flags `-` and `+`");
    if (nflags == s.size()) bad_decl(VALUE_ERR, fname, t, "missing declaration after flags");
    s.erase(0, nflags);
    bool nested = false;
    SK* kind = &sp.kind;
    bool* nil = &sp.nillable;
    uint32_t* ref = &sp.ref;
    if (s[0] == '[' || s[0] == '{') {
        char close = s[0] == '[' ? ']' : '}';
        if (s.back() != close || s.size() < 2) invalid();
        sp.kind = s[0] == '[' ? SK::Arr : SK::Set;
        s = s.substr(1, s.size() - 2);
        if (s.empty()) return finish_spec(t, fname, sp);  // items of any kind
        nested = true;
        kind = &sp.nkind;
        nil = &sp.nnillable;
        ref = &sp.nref;
        if (s.back() == '?') {
            sp.nnillable = true;
            s.pop_back();
            if (s.empty()) invalid();
        }
    }
    if (s[0] == '[')
        bad_decl(VALUE_ERR, fname, t, "unexpected `[`; nested array declarations are not allowed");
    if (s[0] == '{')
        bad_decl(VALUE_ERR, fname, t, "unexpected `{`; nested set declarations are not allowed");

    if (s[0] == '/') {
        if (nested) bad_decl(VALUE_ERR, fname, t, "nested pattern conditions are not allowed");
        // /pattern/flags<default>
        Value dval;
        bool has_dval = false;
        size_t end = s.size();
        if (s.back() == '>') {
            size_t lt = s.rfind('<');
            if (lt == std::string::npos || lt == 0)
                bad_decl(VALUE_ERR, fname, t, "pattern condition syntax is invalid");
            dval = Value::str(s.substr(lt + 1, s.size() - lt - 2));
            has_dval = true;
            end = lt;
        }
        std::string body = s.substr(0, end);
        std::string flags;
        if (body.size() >= 2 && body.back() == 'i') {
            flags = "i";
            body.pop_back();
        }
        if (body.size() < 2 || body.back() != '/')
            bad_decl(VALUE_ERR, fname, t, "pattern condition syntax is invalid");
        std::string pattern = body.substr(1, body.size() - 2);
        sp.regex = make_regex(pattern, flags);
        if (!has_dval) dval = sp.nillable ? Value() : Value::str("");
        if (dval.is(VT::Str) && !regex_test(sp.regex.regex(), dval.as_str()))
            bad_decl(VALUE_ERR, fname, t,
                     "a non-nillable pattern requires a valid default value; for example: "
                     "/(e|h|l|o)+/<hello>");
        sp.kind = SK::Pattern;
        sp.dval = dval;
        return finish_spec(t, fname, sp);
    }

    if (s.back() == '>') {
        if (nested) bad_decl(VALUE_ERR, fname, t, "nested range conditions are not allowed");
        SK bk;
        if (!condition_kind(s, bk))
            bad_decl(VALUE_ERR, fname, t,
                     "additional info <..> can be applied to `int`, `float`, `str`, `email`, "
                     "`url` and `tel`");
        const char* base = spec_kind_name(bk);
        size_t lt = std::strlen(base);
        if (s[lt] != '<')
            bad_decl(VALUE_ERR, fname, t, fmt("expecting a `<` character after `%s`", base));
        std::string inner = s.substr(lt + 1, s.size() - lt - 2);
        if (bk == SK::Bool) {
            if (inner != "true" && inner != "false")
                bad_decl(VALUE_ERR, fname, t, "the default value must be either true or false");
            sp.kind = SK::Bool;
            sp.dval = Value::boolean(inner == "true");
            sp.has_dval = true;
            return finish_spec(t, fname, sp);
        }
        if (bk == SK::Email || bk == SK::Url || bk == SK::Tel) {
            if (!spec_text_ok(bk, inner))
                bad_decl(
                    VALUE_ERR, fname, t,
                    fmt("the default value must be %s", bk == SK::Email ? "an email address"
                                                        : bk == SK::Url ? "a URL"
                                                                        : "a telephone number"));
            sp.kind = bk;
            sp.dval = Value::str(inner);
            sp.has_dval = true;
            return finish_spec(t, fname, sp);
        }
        if (bk == SK::Thing) {
            size_t lb = inner.find('{');
            if (lb != std::string::npos && lb > 0 && inner.back() == '}') {
                std::string en = inner.substr(0, lb);
                if (enum_(en))
                    bad_decl(TYPE_ERR, fname, t,
                             fmt("type `thing` cannot contain enum type `%s` with a default value",
                                 en.c_str()));
            }
            sp.kind = SK::Thing;
            sp.restrict = parse_restriction(q, inner);
            return finish_spec(t, fname, sp);
        }
        const char* p = s.c_str() + lt + 1;
        const char* stop = s.c_str() + s.size() - 1;  // the `>`
        auto missing_colon = [&]() {
            bad_decl(VALUE_ERR, fname, t,
                     "expecting a colon (:) after the minimum value of the range");
        };
        auto smaller_max = [&]() {
            bad_decl(
                VALUE_ERR, fname, t,
                "expecting the maximum value to be greater than or equal to the minimum value");
        };
        auto invalid_dval = [&]() {
            bad_decl(VALUE_ERR, fname, t,
                     "the provided default value does not match the condition");
        };
        auto expect_end = [&](const char* at) {
            bad_decl(VALUE_ERR, fname, t,
                     fmt("expecting character `>` after `%.*s`", static_cast<int>(at - s.c_str()),
                         s.c_str()));
        };
        auto read_int = [&](bool& present, int64_t dflt) -> int64_t {
            while (*p == ' ') ++p;
            if (*p == ':' || p == stop) {
                present = false;
                return dflt;
            }
            char* e;
            errno = 0;
            long long v = std::strtoll(p, &e, 10);
            if (errno == ERANGE) raise(OVERFLOW_ERR, "integer overflow");
            present = e != p;
            p = e;
            return present ? v : dflt;
        };
        auto read_float = [&](double dflt) -> double {
            while (*p == ' ') ++p;
            if (*p == ':' || p == stop) return dflt;
            char* e;
            double v = std::strtod(p, &e);
            if (e == p) return dflt;
            p = e;
            if (std::isnan(v))
                bad_decl(VALUE_ERR, fname, t,
                         "not-a-number (nan) values are not allowed to specify a range");
            return v;
        };
        bool present;
        if (bk == SK::Str || bk == SK::Utf8) {
            int64_t mi = read_int(present, 0);
            if (mi < 0)
                bad_decl(VALUE_ERR, fname, t,
                         "the minimum value for a string range must not be negative");
            if (*p != ':') missing_colon();
            ++p;
            int64_t ma = read_int(present, INT64_MAX);
            if (ma < mi) smaller_max();
            if (*p == ':') {
                ++p;
                std::string d(p, stop);
                int64_t n = static_cast<int64_t>(d.size());
                if (n < mi || n > ma) invalid_dval();
                sp.dval = Value::str(d);
                p = stop;
            } else if (sp.nillable) {
                sp.dval = Value();
            } else {
                sp.dval = Value::str(std::string(static_cast<size_t>(mi), '-'));
            }
            if (p != stop) expect_end(p);
            sp.kind = SK::StrRange;
            sp.imin = mi;
            sp.imax = ma;
            return finish_spec(t, fname, sp);
        }
        if (bk == SK::Int) {
            int64_t mi = read_int(present, INT64_MIN);
            if (*p != ':') missing_colon();
            ++p;
            int64_t ma = read_int(present, INT64_MAX);
            if (ma < mi) smaller_max();
            if (*p == ':') {
                ++p;
                int64_t dv = read_int(present, 0);
                if (!present || dv < mi || dv > ma) invalid_dval();
                sp.dval = Value::integer(dv);
            } else if (sp.nillable) {
                sp.dval = Value();
            } else {
                sp.dval = Value::integer(mi < 0 && ma < 0 ? ma : mi > 0 && ma > 0 ? mi : 0);
            }
            if (p != stop) expect_end(p);
            sp.kind = SK::IntRange;
            sp.imin = mi;
            sp.imax = ma;
            return finish_spec(t, fname, sp);
        }
        double mi = read_float(-INFINITY);
        if (*p != ':') missing_colon();
        ++p;
        double ma = read_float(INFINITY);
        if (ma < mi) smaller_max();
        if (*p == ':') {
            ++p;
            const char* before = p;
            double dv = read_float(NAN);
            if (p == before || dv < mi || dv > ma) invalid_dval();
            sp.dval = Value::number(dv);
        } else if (sp.nillable) {
            sp.dval = Value();
        } else {
            sp.dval = Value::number(mi < 0 && ma < 0 ? ma : mi > 0 && ma > 0 ? mi : 0.0);
        }
        if (p != stop) expect_end(p);
        sp.kind = SK::FloatRange;
        sp.fmin = mi;
        sp.fmax = ma;
        return finish_spec(t, fname, sp);
    }

    SK bk;
    size_t lb = s.find('{');
    if (lb != std::string::npos && lb > 0 && s.back() == '}') {
        // Enum{Member}: the enum with a default member
        std::string en = s.substr(0, lb);
        std::string mn = s.substr(lb + 1, s.size() - lb - 2);
        EnumDef* e = enum_(en);
        if (!e) {
            if (!is_ascii(s))
                bad_decl(VALUE_ERR, fname, t,
                         "type declarations must only contain valid ASCII characters");
            bad_decl(TYPE_ERR, fname, t, fmt("unknown type `%s` in declaration", en.c_str()));
        }
        if (nested && sp.kind == SK::Set)
            bad_decl(TYPE_ERR, fname, t,
                     fmt("type `set` cannot contain enum type `%s`", e->name.c_str()));
        if (nested)
            bad_decl(TYPE_ERR, fname, t,
                     fmt("type `list` cannot contain enum type `%s` with a default value",
                         e->name.c_str()));
        if (mn.empty())
            bad_decl(TYPE_ERR, fname, t,
                     "if you want the default enum member, remove the curly brackets `{}` from "
                     "the definition");
        EnumMemberObj* m = e->member(mn);
        if (!m)
            bad_decl(LOOKUP_ERR, fname, t,
                     fmt("cannot find member `%s` on enum type `%s`", mn.c_str(), e->name.c_str()));
        sp.kind = SK::Enum;
        sp.ref = e->id;
        sp.has_member = true;
        sp.dmid = m->mid;
        return finish_spec(t, fname, sp);
    }
    if (base_kind(s, bk)) {
        *kind = bk;
    } else if (TypeDef* dep = type(s)) {
        *kind = SK::Type;
        *ref = dep->id;
        bool top_strict = !nested && !sp.nillable;
        if (top_strict && (dep == &t || reaches(*this, dep, t.id, 0)))
            bad_decl(VALUE_ERR, fname, t,
                     fmt("missing `?` after declaration `%s`; circular dependencies must be "
                         "nillable at least "
                         "at one point in the chain",
                         raw.c_str()));
    } else if (EnumDef* e = enum_(s)) {
        *kind = SK::Enum;
        *ref = e->id;
    } else {
        if (!is_ascii(s))
            bad_decl(VALUE_ERR, fname, t,
                     "type declarations must only contain valid ASCII characters");
        bad_decl(TYPE_ERR, fname, t, fmt("unknown type `%s` in declaration", s.c_str()));
    }
    (void)nil;
    if (sp.kind == SK::Set && nested) {
        if (sp.nnillable) bad_decl(TYPE_ERR, fname, t, "type `set` cannot contain a nillable type");
        if (sp.nkind == SK::Enum) {
            EnumDef* e = enum_(sp.nref);
            bad_decl(TYPE_ERR, fname, t,
                     fmt("type `set` cannot contain enum type `%s`", e ? e->name.c_str() : ""));
        }
        if (sp.nkind != SK::Any && sp.nkind != SK::Thing && sp.nkind != SK::Type)
            bad_decl(TYPE_ERR, fname, t,
                     fmt("type `set` cannot contain type `%s`", spec_kind_name(sp.nkind)));
    }
    return finish_spec(t, fname, sp);
}

namespace {

// The parts of a definition around the name it refers to: prefix flags,
// `[`/`{` and `?`, `thing<` .. `>`, and `{Member}` after an enum's name.
struct SpecParts {
    std::string pre, name, post;
};

SpecParts split_spec(const std::string& raw) {
    SpecParts p;
    std::string core = raw;
    size_t nflags = 0;
    while (nflags < core.size() && flag_of(core[nflags])) ++nflags;
    p.pre = core.substr(0, nflags);
    core.erase(0, nflags);
    if (!core.empty() && core.back() == '?') {
        p.post = "?";
        core.pop_back();
    }
    if (core.size() >= 2 && (core[0] == '[' || core[0] == '{') &&
        core.back() == (core[0] == '[' ? ']' : '}')) {
        p.pre += core.substr(0, 1);
        p.post = core.substr(core.size() - 1) + p.post;
        core = core.substr(1, core.size() - 2);
        if (!core.empty() && core.back() == '?') {
            p.post = "?" + p.post;
            core.pop_back();
        }
    }
    if (core.size() > 7 && core.compare(0, 6, "thing<") == 0 && core.back() == '>') {
        p.pre += "thing<";
        p.post = ">" + p.post;
        core = core.substr(6, core.size() - 7);
        if (!core.empty() && core.back() == '?') {
            p.post = "?" + p.post;
            core.pop_back();
        }
    }
    size_t lb = core.find('{');
    if (lb != std::string::npos && lb > 0 && core.back() == '}') {
        p.post = core.substr(lb) + p.post;
        core.erase(lb);
    }
    p.name = core;
    return p;
}

// `raw` with the name `from` replaced by `to`, when raw names it: `from`,
// `from?`, `[from?]?`, `{from}`, `from{Member}`, `thing<from>`, with flags
// before them; otherwise raw unchanged.
std::string rename_in_spec(const std::string& raw, const std::string& from, const std::string& to) {
    SpecParts p = split_spec(raw);
    return p.name == from ? p.pre + to + p.post : raw;
}

}  // namespace

void rename_in_specs(Catalog& c, const std::string& from, const std::string& to) {
    for (auto& t : c.types) {
        bool changed = false;
        for (Field& f : t->fields) {
            std::string r = rename_in_spec(f.raw, from, to);
            if (r != f.raw) {
                f.raw = r;
                changed = true;
            }
        }
        if (changed) c.save(*t);
    }
}

void rename_member_in_specs(Catalog& c, const EnumDef& e, const std::string& from,
                            const std::string& to) {
    for (auto& t : c.types) {
        bool changed = false;
        for (Field& f : t->fields) {
            if (!f.spec.has_member || f.spec.ref != e.id) continue;
            SpecParts p = split_spec(f.raw);
            std::string old_member = "{" + from + "}";
            if (p.post.compare(0, old_member.size(), old_member) != 0) continue;
            f.raw = p.pre + p.name + "{" + to + "}" + p.post.substr(old_member.size());
            changed = true;
        }
        if (changed) c.save(*t);
    }
}

std::string member_default_user(Catalog& c, const EnumDef& e, uint32_t mid) {
    for (auto& t : c.types)
        for (const Field& f : t->fields)
            if (f.spec.has_member && f.spec.ref == e.id && f.spec.dmid == mid)
                return t->name + "." + f.name;
    return std::string();
}

}  // namespace tdb
