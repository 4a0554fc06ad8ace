// The frame of the SQL functions that run core code (entry.h): SPI, arguments and results.
#include "pg/entry.h"

#include "pg/settings.h"

extern "C" {
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace tdb::pg {

void spi_connect() {
    pg_call([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thingsdb: SPI_connect failed");
    });
}

void spi_finish(MemoryContext back) {
    pg_call([&] {
        if (SPI_finish() != SPI_OK_FINISH) elog(ERROR, "thingsdb: SPI_finish failed");
        if (back) MemoryContextSwitchTo(back);
    });
}

void require_arg(FunctionCallInfo fcinfo, int n, const char* what) {
    if (!PG_ARGISNULL(n)) return;
    pg_call([&] {
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", what)));
    });
}

std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
    text* t = nullptr;
    pg_call([&] { t = PG_GETARG_TEXT_PP(n); });
    return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

std::string_view jsonb_arg(FunctionCallInfo fcinfo, int n) {
    char* s = nullptr;
    pg_call([&] {
        Jsonb* jb = PG_GETARG_JSONB_P(n);
        s = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    });
    return s;
}

std::string scope_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return scope_setting();
    return std::string(text_arg(fcinfo, n));
}

Datum jsonb_result(const std::string& json) {
    Datum out = 0;
    pg_call([&] { out = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
    return out;
}

Datum text_result(const std::string& text) {
    Datum out = 0;
    pg_call([&] { out = PointerGetDatum(cstring_to_text_with_len(text.data(), text.size())); });
    return out;
}

}  // namespace tdb::pg
