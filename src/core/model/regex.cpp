// PCRE2 behind ThingsDB's regex type.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/model/regex.h"

#include <pcre2.h>

#include <cctype>
#include <chrono>
#include <vector>

#include "core/api/error.h"
#include "core/api/storage.h"
#include "core/lang/query.h"

namespace tdb {

namespace {

// Bounds of one search. The match limit counts PCRE2's steps from one start
// position (the interpreter; JIT counts its own way), so catastrophic
// backtracking ends in an error instead of running for hours; the depth and
// heap limits bound the memory of the backtracking frames.
constexpr uint32_t kMatchLimit = 1000000;
constexpr uint32_t kDepthLimit = 100000;
constexpr uint32_t kHeapLimitKiB = 64 * 1024;
// The JIT's stack (its default, 32 KiB on the machine stack, fails patterns
// that recurse deeply on long subjects).
constexpr size_t kJitStackMin = 32 * 1024;
constexpr size_t kJitStackMax = 1024 * 1024;
// A search runs in pieces of start positions, with a check for interrupts
// between them: the piece grows while pieces end quickly and shrinks to one
// start position when one takes long, so a cancel is seen within about the
// time of one start position (bounded by the match limit).
constexpr size_t kPieceMin = 1, kPieceFirst = 256, kPieceMax = 64 * 1024;
constexpr auto kPieceSlow = std::chrono::milliseconds(5);
constexpr auto kPieceFast = std::chrono::microseconds(500);

pcre2_match_context* match_context() {
    static pcre2_match_context* ctx = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        if (!c) return c;
        pcre2_set_match_limit(c, kMatchLimit);
        pcre2_set_depth_limit(c, kDepthLimit);
        pcre2_set_heap_limit(c, kHeapLimitKiB);
        if (pcre2_jit_stack* js = pcre2_jit_stack_create(kJitStackMin, kJitStackMax, nullptr))
            pcre2_jit_stack_assign(c, nullptr, js);  // kept for the life of the process
        return c;
    }();
    return ctx;
}

void check_interrupts() {
    if (Query* q = Query::current()) q->storage().check_interrupts();
}

// UTF-8 as PCRE2 checks it (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* e = p + s.size();
    while (p < e) {
        unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (e - p <= n) return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

[[noreturn]] void raise_match_error(const RegexObj* re, int rc) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof buf);
    raisef(OPERATION_ERR, "regular expression '/%s/' cannot be matched, %s", re->pattern.c_str(),
           reinterpret_cast<char*>(buf));
}

}  // namespace

RegexObj::~RegexObj() {
    if (code) pcre2_code_free(static_cast<pcre2_code*>(code));
}

Value make_regex(std::string pattern, std::string flags) {
    uint32_t opts = PCRE2_UTF;
    for (char f : flags)
        if (!isgraph(static_cast<unsigned char>(f)))
            raise(VALUE_ERR, "invalid regular expression flags");
    // ThingsDB reads the flags from the last one back: the last unsupported
    // one is named.
    for (size_t k = flags.size(); k-- > 0;) {
        char f = flags[k];
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
                raisef(VALUE_ERR, "unsupported regular expression flag: `%c`", f);
        }
    }
    // \G matches where a search starts and a verb such as (*COMMIT) stops the
    // advance of the start position: both would change meaning in pieces.
    bool piecewise =
        pattern.find("\\G") == std::string::npos && pattern.find("(*") == std::string::npos;
    if (piecewise) opts |= PCRE2_USE_OFFSET_LIMIT;
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
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // without JIT: the interpreter
    auto* r = new RegexObj();
    r->pattern = std::move(pattern);
    r->flags = std::move(flags);
    r->code = code;
    r->piecewise = piecewise;
    return Value::obj(VT::Regex, r);
}

RegexScan::RegexScan(const RegexObj* re, std::string_view subject) : re_(re), s_(subject) {
    valid_ = valid_utf8(subject);
    if (!valid_) return;
    md_ = pcre2_match_data_create_from_pattern(static_cast<pcre2_code*>(re->code), nullptr);
    if (!md_) raise(-2, "memory allocation error");
}

RegexScan::~RegexScan() {
    if (md_) pcre2_match_data_free(static_cast<pcre2_match_data*>(md_));
}

// PCRE2's result of the first match at or after start (a character boundary).
int RegexScan::search(size_t start) {
    auto* code = static_cast<pcre2_code*>(re_->code);
    auto* md = static_cast<pcre2_match_data*>(md_);
    auto subj = reinterpret_cast<PCRE2_SPTR>(s_.data());
    pcre2_match_context* ctx = match_context();
    if (!ctx || !re_->piecewise) {
        check_interrupts();
        if (ctx) pcre2_set_offset_limit(ctx, PCRE2_UNSET);  // a pattern without the option
        int rc = pcre2_match(code, subj, s_.size(), start, PCRE2_NO_UTF_CHECK, md, ctx);
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) raise_match_error(re_, rc);
        return rc;
    }
    size_t piece = kPieceFirst;
    for (size_t from = start;;) {
        check_interrupts();
        // The match must start at or before `last`.
        size_t last = s_.size() - from > piece ? from + piece - 1 : s_.size();
        pcre2_set_offset_limit(ctx, last);
        auto t0 = std::chrono::steady_clock::now();
        int rc = pcre2_match(code, subj, s_.size(), from, PCRE2_NO_UTF_CHECK, md, ctx);
        auto took = std::chrono::steady_clock::now() - t0;
        if (rc != PCRE2_ERROR_NOMATCH) {
            pcre2_set_offset_limit(ctx, PCRE2_UNSET);
            if (rc < 0) raise_match_error(re_, rc);
            return rc;
        }
        if (last >= s_.size()) {
            pcre2_set_offset_limit(ctx, PCRE2_UNSET);
            return rc;
        }
        from = last + 1;  // the next start position, at a character's first byte
        while (from < s_.size() && (static_cast<unsigned char>(s_[from]) & 0xC0) == 0x80) ++from;
        if (took > kPieceSlow)
            piece = std::max(kPieceMin, piece / 16);
        else if (took < kPieceFast)
            piece = std::min(kPieceMax, piece * 2);
    }
}

std::vector<RegexGroup> RegexScan::next(size_t start, size_t* match_end) {
    std::vector<RegexGroup> out;
    if (!valid_ || start > s_.size()) return out;
    int rc = search(start);
    if (rc <= 0) return out;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(static_cast<pcre2_match_data*>(md_));
    for (int g = 0; g < rc; ++g) {
        if (ov[2 * g] == PCRE2_UNSET)
            out.push_back({false, {}});
        else
            out.push_back({true, std::string(s_.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]))});
    }
    if (match_end) *match_end = ov[1];
    return out;
}

bool RegexScan::found(size_t start) {
    if (!valid_ || start > s_.size()) return false;
    return search(start) > 0;
}

std::vector<RegexGroup> regex_match(const RegexObj* re, std::string_view subject, size_t start,
                                    size_t* match_end) {
    RegexScan scan(re, subject);
    return scan.next(start, match_end);
}

bool regex_test(const RegexObj* re, std::string_view subject) {
    RegexScan scan(re, subject);
    return scan.found();
}

}  // namespace tdb
