// PCRE2 behind ThingsDB's regex type.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/model/regex.h"

#include <pcre2.h>

#include <vector>

#include "core/api/error.h"

namespace tdb {

RegexObj::~RegexObj() {
    if (code) pcre2_code_free(static_cast<pcre2_code*>(code));
}

Value make_regex(std::string pattern, std::string flags) {
    uint32_t opts = PCRE2_UTF;
    for (char f : flags) {
        switch (f) {
            case 'i':
                opts |= PCRE2_CASELESS;
                break;
            case 'm':
                opts |= PCRE2_MULTILINE;
                break;
            case 's':
                opts |= PCRE2_DOTALL;
                break;
            case 'x':
                opts |= PCRE2_EXTENDED;
                break;
            case 'g':
                break;  // global matching is a property of match()
            default:
                raisef(VALUE_ERR, "invalid regular expression flag: `%c`", f);
        }
    }
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     opts, &err, &off, nullptr);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        raisef(VALUE_ERR, "cannot compile regular expression '/%s/', %s", pattern.c_str(),
               reinterpret_cast<char*>(buf));
    }
    auto* r = new RegexObj();
    r->pattern = std::move(pattern);
    r->flags = std::move(flags);
    r->code = code;
    return Value::obj(VT::Regex, r);
}

std::vector<RegexGroup> regex_match(const RegexObj* re, std::string_view subject, size_t start,
                                    size_t* match_end) {
    auto* code = static_cast<pcre2_code*>(re->code);
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
    if (!md) raise(-2, "memory allocation error");
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), start,
                         0, md, nullptr);
    std::vector<RegexGroup> out;
    if (rc > 0) {
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        for (int g = 0; g < rc; ++g) {
            if (ov[2 * g] == PCRE2_UNSET)
                out.push_back({false, {}});
            else
                out.push_back(
                    {true, std::string(subject.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]))});
        }
        if (match_end) *match_end = ov[1];
    }
    pcre2_match_data_free(md);
    return out;
}

bool regex_test(const RegexObj* re, std::string_view subject) {
    return !regex_match(re, subject).empty();
}

}  // namespace tdb
