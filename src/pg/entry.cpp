// The frame of the SQL functions that run core code (entry.h): SPI, arguments and results.
#include "pg/entry.h"

#include "pg/memory.h"
#include "pg/settings.h"
#include "pg/storage/epochs.h"
#include "pg/storage/plans.h"

#include <cstring>
#include <stdexcept>

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
}

namespace tdb::pg {

namespace {

// Whether the transaction ran a call of the extension. Its collection locks,
// the session's token and its watch events belong to this backend and would
// not follow a prepared transaction (a share lock kept with no backend blocks
// every mod_type of the collection), so such a transaction cannot be
// prepared, as PostgreSQL refuses it for temporary tables. C code, run by
// PostgreSQL.
bool xact_used = false;
bool xact_callback_registered = false;

void refuse_prepare(XactEvent event, void*) {
    if (event == XACT_EVENT_PRE_PREPARE && xact_used)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("cannot PREPARE a transaction that has used thingsdb")));
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
        xact_used = false;
}

}  // namespace

namespace {

// Inside pg_call.
void mark_xact_used() {
    if (!xact_callback_registered) {
        RegisterXactCallback(refuse_prepare, nullptr);
        xact_callback_registered = true;
    }
    xact_used = true;
}

SpiScope* innermost_spi = nullptr;

}  // namespace

void spi_connect() {
    pg_call([] {
        mark_xact_used();
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thingsdb: SPI_connect failed");
    });
}

SpiScope::SpiScope() : outer_(innermost_spi) {
    if (xact_callback_registered)
        xact_used = true;
    else
        pg_call([] { mark_xact_used(); });
    innermost_spi = this;
}

SpiScope::~SpiScope() { innermost_spi = outer_; }

void SpiScope::connect() {
    if (connected_) return;
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thingsdb: SPI_connect failed");
    connected_ = true;
}

void SpiScope::finish(MemoryContext back) {
    if (connected_) {
        connected_ = false;
        spi_finish(back);
    } else {
        MemoryContextSwitchTo(back);
    }
}

void enter_spi() {
    if (innermost_spi) innermost_spi->connect();
    owner_search_path();
}

void spi_finish(MemoryContext back) {
    pg_call([&] {
        if (SPI_finish() != SPI_OK_FINISH) elog(ERROR, "thingsdb: SPI_finish failed");
        if (back) MemoryContextSwitchTo(back);
    });
}

// ---- attempts (entry.h) ----
//
// At READ COMMITTED a statement may see what committed after the statement began: a call that
// met a concurrent change of a row it wrote rolls its own subtransaction back and runs again
// on a new snapshot, having first locked (and so waited for) what it wrote, as an UPDATE
// re-checks the newest version of a row it waited for. The code is deterministic but for time
// and random values, and its writes and watch events are transactional: the rolled-back
// attempt leaves nothing. Under a transaction snapshot (REPEATABLE READ, SERIALIZABLE) a new
// snapshot is not possible, and the conflict stays an error (40001).

// ---- the prediction of Writes::PREDICTED (entry.h) ----
//
// The last procedures called, by kind, scope and name, and whether their last call stayed a
// reader. A wrong prediction costs a call that ends before it writes and runs again.

namespace {

struct Predicted {
    char kind = 0;
    std::string scope;
    std::string name;
    bool reader = false;
    uint64_t used = 0;
};
constexpr size_t kPredicted = 16;
Predicted* predictions = nullptr;  // new'd once: nothing to destroy at exit
uint64_t prediction_tick = 0;

Predicted* find_prediction(const RerunKey& key) {
    if (!predictions || !key.kind) return nullptr;
    for (size_t i = 0; i < kPredicted; ++i) {
        Predicted& p = predictions[i];
        if (p.kind == key.kind && p.name == key.name && p.scope == key.scope) return &p;
    }
    return nullptr;
}

}  // namespace

bool predicted_reader(const RerunKey& key) {
    Predicted* p = find_prediction(key);
    if (!p || !p->reader) return false;
    p->used = ++prediction_tick;
    return true;
}

void record_reader(const RerunKey& key, bool reader) {
    // A key is kept for the session: the code of a long query is not (it runs in attempts).
    constexpr size_t kKeptKeyMax = 4096;
    if (!key.kind || key.name.size() + key.scope.size() > kKeptKeyMax) return;
    Predicted* p = find_prediction(key);
    if (!p) {
        if (!reader) return;  // unknown keys are run in attempts anyway
        if (!predictions) predictions = new Predicted[kPredicted];
        p = &predictions[0];
        for (size_t i = 1; i < kPredicted; ++i)
            if (predictions[i].used < p->used) p = &predictions[i];
        p->kind = key.kind;
        p->scope.assign(key.scope);
        p->name.assign(key.name);
    }
    p->reader = reader;
    p->used = ++prediction_tick;
}

bool attempts_enabled() {
    // Reads of the transaction's state that cannot fail: no pg_call needed.
    return !IsolationUsesXactSnapshot() && IsTransactionState() && !rerun_active();
}

void attempt_begin(Attempt& a) {
    pg_call([&] {
        a.cxt = CurrentMemoryContext;
        a.owner = CurrentResourceOwner;
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(a.cxt);
    });
}

void attempt_commit(const Attempt& a) {
    pg_call([&] {
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(a.cxt);
        CurrentResourceOwner = a.owner;
    });
}

void attempt_rollback(const Attempt& a) {
    pg_call([&] {
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(a.cxt);
        CurrentResourceOwner = a.owner;
    });
}

bool attempt_again(const PgError* pg, bool rerun, int attempt) {
    if (!rerun) {
        int code = pg->edata() ? pg->edata()->sqlerrcode : 0;
        if (code != ERRCODE_T_R_SERIALIZATION_FAILURE && code != ERRCODE_T_R_DEADLOCK_DETECTED)
            return false;
    }
    if (attempt >= kMaxAttempts) return false;
    // A cancel or statement_timeout that came during the attempt ends the call here.
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
    rerun_next_attempt();
    return true;
}

void attempts_exhausted() {
    pg_call([] {
        ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                        errmsg("could not serialize access due to concurrent update")));
    });
    throw std::logic_error("ereport returned");
}

void require_arg(FunctionCallInfo fcinfo, int n, const char* what) {
    if (!PG_ARGISNULL(n)) return;
    pg_call([&] {
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", what)));
    });
}

std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
    auto* t = reinterpret_cast<text*>(DatumGetPointer(PG_GETARG_DATUM(n)));
    // A compressed or out-of-line value is detoasted (which may fail, and pallocs); any other
    // is read in place, as pg_detoast_datum_packed does.
    if (VARATT_IS_COMPRESSED(t) || VARATT_IS_EXTERNAL(t))
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

namespace {

// What jsonb_in takes for a JSON text, at most: the parser's JsonbValue (with the doubling of
// its arrays) and the copy of each string or number, then the jsonb itself.
size_t jsonb_in_bytes(const std::string& json) {
    size_t values = 1;
    bool in_str = false;
    for (size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (in_str) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == ',' || c == '[' || c == '{') {
            ++values;
        }
    }
    return json.size() * 3 + values * 96;
}

}  // namespace

namespace {

// A result that is one scalar the core wrote (null, true, false, an integer of at most 18
// digits, a string with nothing escaped) as its jsonb value; false for anything else, which
// jsonb_in reads. Most procedure results are such a scalar, and jsonb_in's parser and
// numeric_in cost more than the rest of a short call.
enum class Scalar { NONE, NUL, TRUE, FALSE, INT, STR };

Scalar scalar_kind(const std::string& json, int64_t& num) {
    const size_t n = json.size();
    switch (json[0]) {  // not empty
        case 'n':
            return json == "null" ? Scalar::NUL : Scalar::NONE;
        case 't':
            return json == "true" ? Scalar::TRUE : Scalar::NONE;
        case 'f':
            return json == "false" ? Scalar::FALSE : Scalar::NONE;
        default:
            break;
    }
    if (n >= 2 && json[0] == '"' && json[n - 1] == '"' && n < 4096) {
        for (size_t i = 1; i + 1 < n; ++i) {
            unsigned char c = static_cast<unsigned char>(json[i]);
            if (c == '"' || c == '\\' || c < 0x20) return Scalar::NONE;
        }
        return Scalar::STR;
    }
    size_t i = json[0] == '-' ? 1 : 0;
    if (n == i || n - i > 18 || (json[i] == '0' && n - i > 1)) return Scalar::NONE;
    int64_t v = 0;
    for (size_t k = i; k < n; ++k) {
        if (json[k] < '0' || json[k] > '9') return Scalar::NONE;
        v = v * 10 + (json[k] - '0');
    }
    num = i ? -v : v;
    return Scalar::INT;
}

// The numeric of an integer of at most 18 digits, byte for byte as int64_to_numeric makes it
// (utils/adt/numeric.c, the on-disk format): a 4-byte varlena header, then the short form's
// header (sign, display scale 0, weight of the first base-10000 digit) and the digits, most
// significant first, without leading or trailing zero digits (none at all for 0). Returns the
// size written to out.
constexpr size_t kIntNumericMax = VARHDRSZ + sizeof(uint16) + 5 * sizeof(int16);
uint32 int_numeric(int64_t v, char* out) {
    constexpr uint16 kShort = 0x8000, kShortNeg = 0x2000, kWeightMask = 0x003F;
    uint64_t a = v < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(v) : v;
    int16 digits[5];  // least significant first
    int n = 0;
    while (a) {
        digits[n++] = static_cast<int16>(a % 10000);
        a /= 10000;
    }
    const int weight = n ? n - 1 : 0;
    int low = 0;  // trailing zero digits are left out; the weight keeps the value
    while (low < n && digits[low] == 0) ++low;
    uint16 header = kShort | static_cast<uint16>(weight & kWeightMask);
    if (v < 0) header |= kShortNeg;
    const uint32 size = VARHDRSZ + sizeof(uint16) + (n - low) * sizeof(int16);
    SET_VARSIZE(out, size);
    memcpy(out + VARHDRSZ, &header, sizeof header);
    char* p = out + VARHDRSZ + sizeof header;
    for (int k = n - 1; k >= low; --k, p += sizeof(int16)) memcpy(p, &digits[k], sizeof(int16));
    return size;
}

// The jsonb of one scalar, byte for byte as JsonbValueToJsonb builds it (utils/adt/jsonb_util.c,
// the on-disk format): a raw-scalar array of one element, its header, one JEntry holding the
// type and the end offset of the value, then the value's bytes (a numeric's with its varlena
// header), which start at offset 12 and so need no alignment padding. Inside pg_call.
Jsonb* scalar_jsonb(uint32 type, const char* data, uint32 n) {
    const Size size = VARHDRSZ + sizeof(uint32) + sizeof(JEntry) + n;
    Jsonb* jb = static_cast<Jsonb*>(palloc(size));
    SET_VARSIZE(jb, size);
    jb->root.header = 1 | JB_FARRAY | JB_FSCALAR;
    jb->root.children[0] = type | JENTRY_HAS_OFF | n;
    if (n) memcpy(reinterpret_cast<char*>(&jb->root.children[1]), data, n);
    return jb;
}

}  // namespace

Datum jsonb_result(const std::string& json) {
    int64_t num = 0;
    Scalar kind = json.empty() ? Scalar::NONE : scalar_kind(json, num);
    memory_reserve(jsonb_in_bytes(json));
    Datum out = 0;
    if (kind == Scalar::NONE) {
        pg_call([&] { out = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
        return out;
    }
    const char* text = json.data();
    const size_t len = json.size();
    alignas(uint32) char numeric[kIntNumericMax];
    pg_call([&] {
        const char* data = nullptr;
        uint32 n = 0;
        uint32 type = 0;
        switch (kind) {
            case Scalar::NUL:
                type = JENTRY_ISNULL;
                break;
            case Scalar::TRUE:
                type = JENTRY_ISBOOL_TRUE;
                break;
            case Scalar::FALSE:
                type = JENTRY_ISBOOL_FALSE;
                break;
            case Scalar::INT:
                type = JENTRY_ISNUMERIC;
                n = int_numeric(num, numeric);
                data = numeric;
                break;
            default:
                type = JENTRY_ISSTRING;
                data = text + 1;
                n = static_cast<uint32>(len - 2);
                break;
        }
        out = PointerGetDatum(scalar_jsonb(type, data, n));
    });
    return out;
}

Datum text_result(const std::string& text) {
    memory_reserve(text.size());
    Datum out = 0;
    pg_call([&] { out = PointerGetDatum(cstring_to_text_with_len(text.data(), text.size())); });
    return out;
}

namespace {
bool version_checked = false;
uint64_t version_checked_at = 0;  // names_generation() when it was checked
}  // namespace

void check_schema_version() {
    uint64_t gen = names_generation();
    if (version_checked && gen == version_checked_at) return;
    char installed[64] = "";
    bool found = false;
    pg_call([&] {
        Relation rel = table_open(ExtensionRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
                    CStringGetDatum("thingsdb"));
        SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
        HeapTuple tup = systable_getnext(scan);
        if (HeapTupleIsValid(tup)) {
            bool isnull = true;
            Datum v =
                heap_getattr(tup, Anum_pg_extension_extversion, RelationGetDescr(rel), &isnull);
            if (!isnull) {
                char* t = text_to_cstring(DatumGetTextPP(v));
                strlcpy(installed, t, sizeof installed);
                pfree(t);
                found = true;
            }
        }
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    // Without the extension (a call during its own install) there is nothing to misread.
    if (!found || std::strcmp(installed, kSchemaVersion) == 0) {
        version_checked = true;
        version_checked_at = gen;
        return;
    }
    pg_call([&] {
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("thingsdb %s is installed in this database, but the library is %s",
                               installed, kSchemaVersion),
                        errhint("Run ALTER EXTENSION thingsdb UPDATE (docs/sql.md, \"Versions and "
                                "upgrades\").")));
    });
}

}  // namespace tdb::pg
