// tdb: the command-line client of the thingsdb extension, on libpq.
//
//   tdb [OPTIONS] [DBNAME [USER]]          interactive prompt (stdin a terminal)
//   tdb [OPTIONS] -c CODE [-c CODE ...]    run code, print the results
//   tdb [OPTIONS] -f FILE | tdb < FILE     run a file / stdin as one query
//   tdb [OPTIONS] watch THING_ID... [--scope S] [--count N]
//   tdb [OPTIONS] join ROOM... [--scope S] [--count N]    room events as they arrive
//   tdb [OPTIONS] leave ROOM... [--scope S]                (ROOM: an id, or a room's name)
//
// Connection options as psql's (-h -p -U -d, PG* environment variables).
#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cli/cli_text.h"
#include "cli/client.h"

#include <chrono>

namespace tdb::cli {

const char* const VERSION = "0.4.0";

// ---- cancel on Ctrl-C ------------------------------------------------------

volatile sig_atomic_t in_query = 0;
volatile sig_atomic_t in_readline = 0;
volatile sig_atomic_t interrupted = 0;
PGcancel* volatile cancel_handle = nullptr;
sigjmp_buf prompt_jmp;

extern "C" void on_sigint(int) {
    interrupted = 1;
    if (in_query && cancel_handle) {
        char err[256];
        PQcancel(cancel_handle, err, sizeof err);  // async-signal-safe
        return;
    }
    if (in_readline) siglongjmp(prompt_jmp, 1);
}

// ---- connection and queries -------------------------------------------------

PGconn* connect(const Options& o) {
    std::vector<const char*> keys, vals;
    auto add = [&](const char* k, const std::string& v) {
        if (v.empty()) return;
        keys.push_back(k);
        vals.push_back(v.c_str());
    };
    add("host", o.host);
    add("port", o.port);
    add("user", o.user);
    add("dbname", o.dbname);  // may be a connection string (expand_dbname)
    keys.push_back("application_name");
    vals.push_back("tdb");
    keys.push_back("fallback_application_name");
    vals.push_back("tdb");
    keys.push_back(nullptr);
    vals.push_back(nullptr);
    PGconn* c = PQconnectdbParams(keys.data(), vals.data(), 1);
    if (PQstatus(c) != CONNECTION_OK) {
        std::fprintf(stderr, "tdb: %s", PQerrorMessage(c));
        PQfinish(c);
        return nullptr;
    }
    return c;
}

// Prints the error of a failed result as ThingsDB does ("type_err: message")
// for ThingsDB errors, "ERROR (SQLSTATE): message" for PostgreSQL's own.
void print_error(const PGresult* r, PGconn* c) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    if (!msg) {
        std::fprintf(stderr, "%s", PQerrorMessage(c));
        return;
    }
    if (state && state[0] == 'T' && state[1] == 'D' && detail && *detail) {
        std::fprintf(stderr, "%s: %s\n", detail, msg);
        return;
    }
    std::fprintf(stderr, "ERROR (%s): %s\n", state ? state : "?????", msg);
    if (detail && *detail) std::fprintf(stderr, "DETAIL: %s\n", detail);
    const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
    if (hint && *hint) std::fprintf(stderr, "HINT: %s\n", hint);
    if (state && std::strcmp(state, "42883") == 0 && std::strstr(msg, "tdb_"))
        std::fprintf(
            stderr,
            "HINT: is the extension installed in this database? CREATE EXTENSION thingsdb;\n");
}

// Runs a statement with text parameters (NULL for a null pointer) while
// Ctrl-C cancels it. Returns the result (the caller clears it).
PGresult* exec(PGconn* c, const char* sql, std::vector<const char*> params) {
    PGcancel* cancel = PQgetCancel(c);
    cancel_handle = cancel;
    in_query = 1;
    PGresult* r = PQexecParams(c, sql, static_cast<int>(params.size()), nullptr, params.data(),
                               nullptr, nullptr, 0);
    in_query = 0;
    cancel_handle = nullptr;
    if (cancel) PQfreeCancel(cancel);
    return r;
}

// Runs ThingsDB code in the scope; prints the result (stdout) or the error
// (stderr). Returns false on an error.
bool run_code(PGconn* c, const Options& o, const std::string& scope, const std::string& code) {
    const char* sql =
        o.read_only ? "SELECT tdb_query_ro($1, $2)::text" : "SELECT tdb_query($1, $2)::text";
    auto start = std::chrono::steady_clock::now();
    PGresult* r = exec(c, sql, {code.c_str(), scope.empty() ? nullptr : scope.c_str()});
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (ok) {
        const char* v = PQgetisnull(r, 0, 0) ? "null" : PQgetvalue(r, 0, 0);
        std::string out = pretty_json(v, o.compact ? 0 : 4);
        out += '\n';
        show_output(out, o);
    } else {
        print_error(r, c);
    }
    PQclear(r);
    if (o.timing) {
        std::printf("Time: %.3f ms\n", took.count());
        std::fflush(stdout);
    }
    return ok;
}

// --token: the session acts as the token's user (tdb_authenticate), also after
// a reconnect. Returns false (the error printed) when the server refuses it.
bool authenticate(PGconn* c, const Options& o) {
    if (o.token.empty()) return true;
    PGresult* r = exec(c, "SELECT tdb_authenticate($1)", {o.token.c_str()});
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) print_error(r, c);
    PQclear(r);
    return ok;
}

// The scope a session starts in: the server's thingsdb.scope.
std::string server_scope(PGconn* c) {
    PGresult* r =
        exec(c, "SELECT coalesce(current_setting('thingsdb.scope', true), '@:stuff')", {});
    std::string s = "@:stuff";
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) s = PQgetvalue(r, 0, 0);
    PQclear(r);
    return s;
}

}  // namespace tdb::cli

namespace {

using namespace tdb::cli;

// ---- watch -------------------------------------------------------------------

// The ids as a bigint[] literal.
std::string id_array(const std::vector<long long>& ids) {
    std::string a = "{";
    for (size_t i = 0; i < ids.size(); ++i) a += (i ? "," : "") + std::to_string(ids[i]);
    return a + "}";
}

// The names as a text[] literal: each element double-quoted, its quotes and backslashes
// escaped, so any name (even one with commas, braces or spaces) stays one element.
std::string name_array(const std::vector<std::string>& names) {
    std::string a = "{";
    for (size_t i = 0; i < names.size(); ++i) {
        a += i ? ",\"" : "\"";
        for (char ch : names[i]) {
            if (ch == '"' || ch == '\\') a += '\\';
            a += ch;
        }
        a += '"';
    }
    return a + "}";
}

// join / leave: tdb_join or tdb_leave of the rooms, by id or by name, the result (each
// id, or null) printed. Returns the session's private channel after a join ("" on an
// error): the session's own LISTEN, which no other role can read.
std::string join_or_leave(PGconn* c, const Options& o, const std::string& scope) {
    bool by_name = !o.room_names.empty();
    std::string rooms = by_name ? name_array(o.room_names) : id_array(o.watch_ids);
    const char* sql = o.join ? (by_name ? "SELECT tdb_join($1::text[], $2)::text"
                                        : "SELECT tdb_join($1::bigint[], $2)::text")
                             : (by_name ? "SELECT tdb_leave($1::text[], $2)::text"
                                        : "SELECT tdb_leave($1::bigint[], $2)::text");
    PGresult* r = exec(c, sql, {rooms.c_str(), scope.c_str()});
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        print_error(r, c);
        PQclear(r);
        return "";
    }
    if (!o.quiet || o.leave) std::printf("%s\n", PQgetvalue(r, 0, 0));
    std::fflush(stdout);
    PQclear(r);
    if (o.leave) return "";
    r = exec(c, "SELECT c FROM pg_listening_channels() c WHERE c LIKE 'tdbw\\_%'", {});
    std::string channel;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) channel = PQgetvalue(r, 0, 0);
    PQclear(r);
    return channel;
}

int watch(PGconn* c, const Options& o) {
    std::string scope = o.scope.empty() ? server_scope(c) : o.scope;
    // The session's channel (the init event's "channel"): any role can NOTIFY any channel,
    // so a notification on another one is a forgery, or not ours.
    std::string channel;
    if (o.join || o.leave) {
        channel = join_or_leave(c, o, scope);
        if (channel.empty()) return o.leave ? 0 : 1;
    }
    for (long long id : o.watch_ids) {
        if (o.join) break;
        std::string sid = std::to_string(id);
        PGresult* r = exec(c, "SELECT w::text, w->>'channel' FROM tdb_watch($1::bigint, $2) w",
                           {sid.c_str(), scope.c_str()});
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            print_error(r, c);
            PQclear(r);
            return 1;
        }
        channel = PQgetvalue(r, 0, 1);
        if (!o.quiet) {
            // The init event, tagged with the thing's id like an update event.
            std::string init = PQgetvalue(r, 0, 0);
            std::string line = "{\"#\": " + sid + ", \"init\": " + init + "}";
            std::string out = pretty_json(line, o.compact ? 0 : 0);
            std::printf("%s\n", out.c_str());
            std::fflush(stdout);
        }
        PQclear(r);
    }
    long long seen = 0;
    // Notifications that came with the results of the statements above (the join events,
    // sent at their commit) wait in libpq's queue already: read them before the first wait.
    bool queued = true;
    while (o.count < 0 || seen < o.count) {
        if (interrupted) break;
        if (!queued) {
            struct pollfd p = {PQsocket(c), POLLIN, 0};
            int n = poll(&p, 1, 1000);
            if (n < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (n == 0) continue;
            if (!PQconsumeInput(c)) {
                std::fprintf(stderr, "tdb: %s", PQerrorMessage(c));
                return 2;
            }
        }
        queued = false;
        while (PGnotify* nt = PQnotifies(c)) {
            bool ours = channel == nt->relname;
            std::string payload = nt->extra;
            PQfreemem(nt);
            if (!ours) continue;
            // Too large for a notification: read the stored event (a room's: item "n" of
            // the room's stored events of that change).
            if (payload.find("\"ref\":true") != std::string::npos ||
                payload.find("\"ref\": true") != std::string::npos) {
                PGresult* r =
                    exec(c,
                         "SELECT (CASE WHEN p ? 'room' THEN tdb_event((p->>'change')::bigint,"
                         " (p->>'id')::bigint) -> ((p->>'n')::int)"
                         " ELSE tdb_event((p->>'event')::bigint, (p->>'#')::bigint) END)::text"
                         " FROM (SELECT $1::jsonb AS p) s",
                         {payload.c_str()});
                if (PQresultStatus(r) == PGRES_TUPLES_OK && !PQgetisnull(r, 0, 0))
                    payload = PQgetvalue(r, 0, 0);
                else if (PQresultStatus(r) != PGRES_TUPLES_OK)
                    print_error(r, c);
                PQclear(r);
            }
            std::string out = pretty_json(payload, o.compact ? 0 : 0);
            std::printf("%s\n", out.c_str());
            std::fflush(stdout);
            if (o.count >= 0 && ++seen >= o.count) break;
        }
    }
    return 0;
}

// ---- main ----------------------------------------------------------------------

void usage(FILE* f) {
    std::fprintf(
        f,
        "tdb, the ThingsDB client of the thingsdb PostgreSQL extension.\n\n"
        "Usage:\n"
        "  tdb [OPTION]... [DBNAME [USERNAME]]       interactive prompt\n"
        "  tdb [OPTION]... -c CODE [-c CODE]...      run code (each -c one query)\n"
        "  tdb [OPTION]... -f FILE                   run a file as one query ('-': stdin)\n"
        "  tdb [OPTION]... < FILE                    stdin (not a terminal) as one query\n"
        "  tdb [OPTION]... watch THING_ID... [--count N]\n"
        "                                            print each event of the things\n"
        "  tdb [OPTION]... join ROOM... [--count N]  join rooms (ids or names), print each\n"
        "                                            room event\n"
        "  tdb [OPTION]... leave ROOM...             leave rooms (of this session)\n\n"
        "Options:\n"
        "  -c, --command=CODE     run CODE and exit (may be repeated)\n"
        "  -f, --file=FILE        run the code in FILE and exit\n"
        "  -s, --scope=SCOPE      scope, e.g. @:stuff or @thingsdb (default: the\n"
        "                         server's setting thingsdb.scope)\n"
        "  -r, --read-only        use tdb_query_ro: code that changes data is refused\n"
        "  -C, --compact          print each result on one line\n"
        "  -q, --quiet            no banner at the prompt, no init events in watch,\n"
        "                         no joined ids in join\n"
        "  -n, --count=N          watch, join: exit after N events\n"
        "      --token=TOKEN      act as the user of this ThingsDB token\n"
        "                         (tdb_authenticate; also TDB_TOKEN)\n"
        "  -V, --version          print the version and exit\n"
        "  -?, --help             this help\n\n"
        "Connection options (as psql; PGHOST, PGPORT, PGUSER, PGDATABASE, ... apply):\n"
        "  -h, --host=HOST        server host or socket directory\n"
        "  -p, --port=PORT        server port\n"
        "  -U, --username=USER    user name\n"
        "  -d, --dbname=DBNAME    database name or connection string\n\n"
        "Exit status: 0 ok, 1 a query failed, 2 no connection, 3 bad usage.\n");
}

bool take(int argc, char** argv, int& i, const char* s, const char* l, std::string& out) {
    std::string a = argv[i];
    std::string ls = std::string("--") + l;
    if (a == s || a == ls) {
        if (i + 1 >= argc) {
            std::fprintf(stderr, "tdb: option %s needs a value\n", a.c_str());
            std::exit(3);
        }
        out = argv[++i];
        return true;
    }
    if (a.rfind(ls + "=", 0) == 0) {
        out = a.substr(ls.size() + 1);
        return true;
    }
    // -hvalue
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' && a.substr(0, 2) == s) {
        out = a.substr(2);
        return true;
    }
    return false;
}

long long parse_int(const std::string& s, const char* what) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || errno) {
        std::fprintf(stderr, "tdb: %s must be an integer, got \"%s\"\n", what, s.c_str());
        std::exit(3);
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i], v;
        if (take(argc, argv, i, "-h", "host", o.host) ||
            take(argc, argv, i, "-p", "port", o.port) ||
            take(argc, argv, i, "-U", "username", o.user) ||
            take(argc, argv, i, "-d", "dbname", o.dbname) ||
            take(argc, argv, i, "-s", "scope", o.scope) ||
            take(argc, argv, i, "-f", "file", o.file) ||
            take(argc, argv, i, "--token", "token", o.token))
            continue;
        if (take(argc, argv, i, "-c", "command", v)) {
            o.code.push_back(v);
            continue;
        }
        if (take(argc, argv, i, "-n", "count", v)) {
            o.count = parse_int(v, "--count");
            continue;
        }
        if (a == "-r" || a == "--read-only")
            o.read_only = true;
        else if (a == "-C" || a == "--compact")
            o.compact = true;
        else if (a == "-q" || a == "--quiet")
            o.quiet = true;
        else if (a == "-V" || a == "--version") {
            std::printf("tdb %s\n", VERSION);
            return 0;
        } else if (a == "-?" || a == "--help") {
            usage(stdout);
            return 0;
        } else if (a.size() > 1 && a[0] == '-') {
            std::fprintf(stderr, "tdb: unknown option %s (--help lists them)\n", a.c_str());
            return 3;
        } else {
            positional.push_back(a);
        }
    }
    if (!positional.empty() &&
        (positional[0] == "watch" || positional[0] == "join" || positional[0] == "leave")) {
        o.watch = true;
        o.join = positional[0] == "join";
        o.leave = positional[0] == "leave";
        bool rooms = o.join || o.leave;
        if (positional.size() < 2) {
            std::fprintf(stderr, "tdb: %s needs one or more %s ids\n", positional[0].c_str(),
                         rooms ? "room" : "thing");
            return 3;
        }
        // A room is named by its id or its name (a name never starts with a digit); one call
        // takes either kind, so a mix is refused rather than sent as two.
        for (size_t i = 1; i < positional.size(); ++i) {
            const std::string& p = positional[i];
            bool id = !p.empty() && (std::isdigit(static_cast<unsigned char>(p[0])) || p[0] == '-');
            if (rooms && !id)
                o.room_names.push_back(p);
            else
                o.watch_ids.push_back(parse_int(p, rooms ? "ROOM" : "THING_ID"));
        }
        if (!o.room_names.empty() && !o.watch_ids.empty()) {
            std::fprintf(stderr, "tdb: %s takes room ids or room names, not both\n",
                         positional[0].c_str());
            return 3;
        }
    } else {
        if (positional.size() > 2) {
            std::fprintf(stderr, "tdb: too many arguments (--help shows the usage)\n");
            return 3;
        }
        if (positional.size() >= 1 && o.dbname.empty()) o.dbname = positional[0];
        if (positional.size() >= 2 && o.user.empty()) o.user = positional[1];
    }

    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    if (o.watch) sigaction(SIGTERM, &sa, nullptr);

    if (o.token.empty())
        if (const char* t = std::getenv("TDB_TOKEN")) o.token = t;
    PGconn* c = connect(o);
    if (!c) return 2;
    if (!authenticate(c, o)) {
        PQfinish(c);
        return 2;
    }
    int status = 0;
    if (o.watch) {
        status = watch(c, o);
    } else if (!o.code.empty() || !o.file.empty()) {
        for (const std::string& code : o.code) {
            if (!run_code(c, o, o.scope, code)) {
                status = 1;
                break;
            }
        }
        if (status == 0 && !o.file.empty()) {
            std::stringstream ss;
            if (o.file == "-") {
                ss << std::cin.rdbuf();
            } else {
                std::ifstream in(o.file, std::ios::binary);
                if (!in) {
                    std::fprintf(stderr, "tdb: cannot read %s: %s\n", o.file.c_str(),
                                 std::strerror(errno));
                    PQfinish(c);
                    return 3;
                }
                ss << in.rdbuf();
            }
            if (!run_code(c, o, o.scope, ss.str())) status = 1;
        }
    } else if (!isatty(STDIN_FILENO)) {
        std::stringstream ss;
        ss << std::cin.rdbuf();
        std::string code = ss.str();
        if (!trim(code).empty() && !run_code(c, o, o.scope, code)) status = 1;
    } else {
        status = interactive(c, o);
    }
    PQfinish(c);
    return status;
}
