// The interactive prompt of tdb: line editing and history, multi-line entries,
// the backslash commands, scope switches, completion and the pager.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

#ifdef TDB_USE_EDITLINE
#include <editline/readline.h>
#else
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include "cli/cli_text.h"
#include "cli/client.h"

namespace tdb::cli {

namespace {

// Every built-in function and method name (generated from the table of
// built-ins, src/core/fn/table.cpp, at build time).
const char* const kBuiltins[] = {
#include "cli_words.inc"
};

void print_help() {
    std::printf(
        "Type ThingsDB code; it runs when its brackets, braces, parentheses, quotes\n"
        "and /* comments */ are closed at the end of a line (else the prompt continues).\n"
        "A line ending with \\ continues the entry even when it is complete\n"
        "(if (x) 'a' \\ then else 'b').\n"
        "  @:NAME, @thingsdb, @t     switch the scope (also \\scope SCOPE)\n"
        "  @:NAME CODE               run CODE once in another scope\n"
        "  \\scope                    show the scope\n"
        "  \\i FILE                   run the code in FILE as one query\n"
        "  \\ro                       toggle read-only mode (tdb_query_ro)\n"
        "  \\compact                  toggle one-line JSON output\n"
        "  \\timing                   toggle the time of each query\n"
        "  \\pager                    toggle the pager for long results ($PAGER)\n"
        "  \\?                        this help\n"
        "  \\q, quit, exit, Ctrl-D    leave\n"
        "Tab completes function, method, property and procedure names.\n"
        "Ctrl-C cancels a running query or clears the input.\n");
}

std::string history_path() {
    if (const char* h = std::getenv("TDB_HISTFILE")) return h;
    if (const char* home = std::getenv("HOME")) return std::string(home) + "/.tdb_history";
    return "";
}

// The history file holds one entry per line (history_escape), so a multi-line
// entry comes back whole after a restart.
void load_history(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) add_history(history_unescape(line).c_str());
    }
}

void save_history(const std::string& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return;
    for (int i = 0; i < history_length; ++i) {
        HIST_ENTRY* e = history_get(history_base + i);
        if (e && e->line) out << history_escape(e->line) << '\n';
    }
}

// Switches to `to` after checking it with a no-op query.
void switch_scope(PGconn* c, std::string& scope, const std::string& to) {
    PGresult* r = exec(c, "SELECT tdb_query_ro('nil', $1)", {to.c_str()});
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        scope = to;
    else
        print_error(r, c);
    PQclear(r);
}

// ---- completion -----------------------------------------------------------------

PGconn* completion_conn = nullptr;
const std::string* completion_scope = nullptr;
std::vector<std::string> candidates;
size_t candidate_next = 0;

// The text values of a one-column query (nothing when it fails).
void add_rows(PGconn* c, const char* sql, const std::string& scope, std::vector<std::string>& to) {
    PGresult* r = exec(c, sql, {scope.c_str()});
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        for (int i = 0; i < PQntuples(r); ++i)
            if (!PQgetisnull(r, i, 0)) to.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
}

char* next_candidate(const char* text, int state) {
    if (state == 0) candidate_next = 0;
    size_t n = std::strlen(text);
    while (candidate_next < candidates.size()) {
        const std::string& w = candidates[candidate_next++];
        if (w.compare(0, n, text) == 0) return strdup(w.c_str());
    }
    return nullptr;
}

// After a dot: methods and the root's properties; elsewhere: functions and the
// procedures of the scope. Names come from the server at each Tab, so they are
// those of the moment, read-only (a failed lookup offers the built-ins only).
char** complete(const char* text, int start, int end) {
    (void)end;
    rl_attempted_completion_over = 1;  // never file names
    char before = '\0';
    std::string_view line(rl_line_buffer, static_cast<size_t>(start) + std::strlen(text));
    word_before(line, line.size(), &before);
    candidates.clear();
    for (const char* w : kBuiltins) candidates.emplace_back(w);
    if (completion_conn && completion_scope && before != '@' && before != ':') {
        if (before == '.')
            add_rows(completion_conn,
                     "SELECT jsonb_array_elements_text(tdb_query_ro('.keys()', $1))",
                     *completion_scope, candidates);
        else
            add_rows(completion_conn,
                     "SELECT p->>'name' FROM jsonb_array_elements("
                     "tdb_procedures_json($1)) p",
                     *completion_scope, candidates);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    return rl_completion_matches(text, next_candidate);
}

// The number of rows of the terminal on stdout, 0 when unknown.
int terminal_rows() {
    struct winsize ws {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_row;
}

bool on_path(const char* prog) {
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':'))
        if (!dir.empty() && access((dir + "/" + prog).c_str(), X_OK) == 0) return true;
    return false;
}

}  // namespace

void show_output(const std::string& out, const Options& o) {
    int rows = o.prompt && o.pager && isatty(STDOUT_FILENO) ? terminal_rows() : 0;
    long lines = std::count(out.begin(), out.end(), '\n');
    if (rows > 0 && lines >= rows) {
        std::string pager;
        if (const char* p = std::getenv("PAGER")) pager = p;
        if (pager.empty()) pager = on_path("less") ? "less -FX" : on_path("more") ? "more" : "";
        if (!pager.empty()) {
            std::fflush(stdout);
            if (FILE* p = popen(pager.c_str(), "w")) {
                std::fwrite(out.data(), 1, out.size(), p);
                pclose(p);
                return;
            }
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}

int interactive(PGconn* c, Options& o) {
    std::string scope = o.scope.empty() ? server_scope(c) : o.scope;
    std::string hist = history_path();
    o.prompt = true;
    using_history();
    stifle_history(1000);
    if (!hist.empty()) load_history(hist);
    completion_conn = c;
    completion_scope = &scope;
    rl_attempted_completion_function = complete;
#ifndef TDB_USE_EDITLINE
    rl_catch_signals = 0;  // on_sigint handles Ctrl-C
    rl_basic_word_break_characters = const_cast<char*>(" \t\n.()[]{},;:=+-*/%&|^!<>?'\"`@#");
#endif
    if (!o.quiet) {
        std::printf(
            "tdb %s, connected to database \"%s\" as \"%s\" (server %d).\n"
            "Type \\? for help, \\q to quit.\n",
            VERSION, PQdb(c), PQuser(c), PQserverVersion(c));
    }
    std::string buf;
    volatile int status = 0;  // survives the siglongjmp of Ctrl-C
    for (;;) {
        if (sigsetjmp(prompt_jmp, 1) != 0) {
            // Ctrl-C at the prompt: drop the input.
            in_readline = 0;
#ifndef TDB_USE_EDITLINE
            rl_free_line_state();
            rl_cleanup_after_signal();
#endif
            std::fputc('\n', stdout);
            buf.clear();
        }
        std::string prompt = buf.empty() ? scope + "> " : std::string(scope.size(), ' ') + "> ";
        if (buf.empty() && o.read_only)
            prompt = scope + " (ro)> ";
        else if (o.read_only)
            prompt = std::string(scope.size() + 5, ' ') + "> ";
        interrupted = 0;
        in_readline = 1;
        char* line = readline(prompt.c_str());
        in_readline = 0;
        if (!line) {  // Ctrl-D
            std::fputc('\n', stdout);
            break;
        }
        std::string l = line;
        std::free(line);
        if (buf.empty()) {
            std::string_view t = trim(l);
            if (t.empty()) continue;
            if (t == "\\q" || t == "quit" || t == "exit") {
                add_history(l.c_str());
                break;
            }
            if (t == "\\?" || t == "\\h" || t == "\\help" || t == "help") {
                print_help();
                continue;
            }
            if (t == "\\ro" || t == "\\compact" || t == "\\timing" || t == "\\pager") {
                bool& flag = t == "\\ro"        ? o.read_only
                             : t == "\\compact" ? o.compact
                             : t == "\\timing"  ? o.timing
                                                : o.pager;
                const char* what = t == "\\ro"        ? "read-only mode"
                                   : t == "\\compact" ? "compact output"
                                   : t == "\\timing"  ? "timing"
                                                      : "the pager";
                flag = !flag;
                std::printf("%s is %s\n", what, flag ? "on" : "off");
                continue;
            }
            if (t == "\\scope") {
                std::printf("%s\n", scope.c_str());
                continue;
            }
            if (t.substr(0, 7) == "\\scope ") {
                add_history(l.c_str());
                switch_scope(c, scope, std::string(trim(t.substr(7))));
                continue;
            }
            if (t.substr(0, 3) == "\\i ") {
                add_history(l.c_str());
                std::string path(trim(t.substr(3)));
                std::ifstream in(path, std::ios::binary);
                if (!in) {
                    std::fprintf(stderr, "tdb: cannot read %s: %s\n", path.c_str(),
                                 std::strerror(errno));
                    continue;
                }
                std::stringstream ss;
                ss << in.rdbuf();
                run_code(c, o, scope, ss.str());
                continue;
            }
            if (t[0] == '\\') {
                std::fprintf(stderr, "unknown command %s; \\? for help\n", std::string(t).c_str());
                continue;
            }
            std::string s = scope_line(t);
            if (!s.empty()) {
                add_history(l.c_str());
                switch_scope(c, scope, s);
                continue;
            }
        }
        bool more = ends_with_continue(l);
        if (!buf.empty()) buf += '\n';
        buf += l;
        if (more || !input_complete(buf)) continue;
        add_history(buf.c_str());
        std::string once_scope, once_code;
        if (scope_prefix(buf, once_scope, once_code))
            run_code(c, o, once_scope, once_code);
        else
            run_code(c, o, scope, buf);  // an error is shown; the prompt goes on (status 0)
        buf.clear();
        if (PQstatus(c) != CONNECTION_OK) {
            PQreset(c);
            if (PQstatus(c) != CONNECTION_OK || !authenticate(c, o)) {
                std::fprintf(stderr, "tdb: the connection is lost: %s", PQerrorMessage(c));
                status = 2;
                break;
            }
            std::fprintf(stderr, "tdb: reconnected\n");
        }
    }
    if (!hist.empty()) save_history(hist);
    completion_conn = nullptr;
    completion_scope = nullptr;
    return status;
}

}  // namespace tdb::cli
