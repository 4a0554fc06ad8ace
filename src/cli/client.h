// What the parts of the tdb client share: its options, the connection's
// statements and the Ctrl-C state (tdb.cpp), and the prompt (prompt.cpp).
#pragma once

#include <csetjmp>
#include <csignal>
#include <string>
#include <vector>

#include <libpq-fe.h>

namespace tdb::cli {

extern const char* const VERSION;

struct Options {
    std::string host, port, user, dbname;
    std::string token;              // --token: tdb_authenticate() after connecting
    std::string scope;              // "" : the server's thingsdb.scope
    std::vector<std::string> code;  // -c, in order
    std::string file;               // -f
    bool compact = false;           // one line of JSON per result
    bool read_only = false;         // tdb_query_ro
    bool quiet = false;
    bool timing = false;  // \timing: the time of each query
    bool pager = true;    // \pager: long results at the prompt through $PAGER
    bool prompt = false;  // output goes to the prompt's terminal
    // watch, join (rooms: the ids in watch_ids, or their names in room_names), leave
    bool watch = false;
    bool join = false;
    bool leave = false;
    std::vector<long long> watch_ids;
    std::vector<std::string> room_names;
    long long count = -1;  // stop after N events (-1: never)
};

// Ctrl-C: cancels a running query (in_query) or drops the input (in_readline,
// by a jump to prompt_jmp).
extern volatile sig_atomic_t in_query;
extern volatile sig_atomic_t in_readline;
extern volatile sig_atomic_t interrupted;
extern sigjmp_buf prompt_jmp;

// Prints the error of a failed result as ThingsDB does ("type_err: message")
// for ThingsDB errors, "ERROR (SQLSTATE): message" for PostgreSQL's own.
void print_error(const PGresult* r, PGconn* c);

// Runs a statement with text parameters (NULL for a null pointer) while
// Ctrl-C cancels it. Returns the result (the caller clears it).
PGresult* exec(PGconn* c, const char* sql, std::vector<const char*> params);

// Runs ThingsDB code in the scope; prints the result (stdout) or the error
// (stderr), and the time with \timing. Returns false on an error.
bool run_code(PGconn* c, const Options& o, const std::string& scope, const std::string& code);

// --token: the session acts as the token's user (tdb_authenticate). Returns
// false (the error printed) when the server refuses it.
bool authenticate(PGconn* c, const Options& o);

// The scope a session starts in: the server's thingsdb.scope.
std::string server_scope(PGconn* c);

// Writes a result to stdout; at the prompt, one longer than the terminal goes
// through the pager ($PAGER, else less, else more) unless \pager is off.
void show_output(const std::string& out, const Options& o);

// The interactive prompt (stdin a terminal). Returns the exit status.
int interactive(PGconn* c, Options& o);

}  // namespace tdb::cli
