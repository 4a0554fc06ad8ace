// Parts of a stored jsonb kept out of line and uncompressed (props SET STORAGE EXTERNAL), read
// by slices of its TOAST chunks (detoast_attr_slice) instead of whole: the decoder of
// jsonb_read.cpp reads a big row's top-level object and one item of a big list this way.
#include "pg/storage/jsonb.h"

#include <cstdio>
#include <cstring>

#include "core/api/error.h"
#include "pg/bridge.h"

extern "C" {
#include "access/detoast.h"
#include "access/heaptoast.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

namespace tdb::pg {

namespace {

// What this backend read by slices (thingsdb.toast_slices_read): for tests that a read of
// one item reads a bounded part of its row.
uint64_t slices_read = 0, slice_bytes_read = 0;
char* slices_setting = nullptr;

const char* show_slices() {
    static char buf[64];
    snprintf(buf, sizeof buf, "%llu %llu", static_cast<unsigned long long>(slices_read),
             static_cast<unsigned long long>(slice_bytes_read));
    return buf;
}

}  // namespace

bool toast_sliceable(std::string_view ptr, size_t* size) {
    if (ptr.size() != VARHDRSZ_EXTERNAL + sizeof(varatt_external) ||
        !VARATT_IS_EXTERNAL_ONDISK(ptr.data()))
        return false;
    varatt_external e;
    VARATT_EXTERNAL_GET_POINTER(e, ptr.data());
    if (VARATT_EXTERNAL_IS_COMPRESSED(e) || e.va_rawsize < static_cast<int32>(VARHDRSZ))
        return false;
    *size = static_cast<size_t>(e.va_rawsize);
    return true;
}

void toast_read(std::string_view ptr, size_t off, size_t len, std::string& out) {
    size_t size = 0;
    if (!toast_sliceable(ptr, &size) || off < VARHDRSZ || off > size || len > size - off)
        raise(VALUE_ERR, "invalid stored properties");
    out.resize(len);
    if (len == 0) return;
    auto* attr = reinterpret_cast<struct varlena*>(const_cast<char*>(ptr.data()));
    char* dst = out.data();
    bool whole = false;
    pg_call([&] {
        // TOAST rows are read under the oldest snapshot there is; a caller with none
        // (a worker between statements) gets the transaction's.
        bool pushed = !ActiveSnapshotSet();
        if (pushed) PushActiveSnapshot(GetTransactionSnapshot());
        struct varlena* v =
            detoast_attr_slice(attr, static_cast<int32>(off - VARHDRSZ), static_cast<int32>(len));
        if (pushed) PopActiveSnapshot();
        whole = VARSIZE_ANY_EXHDR(v) == len;
        if (whole) memcpy(dst, VARDATA_ANY(v), len);
        pfree(v);
    });
    if (!whole) raise(VALUE_ERR, "invalid stored properties");
    ++slices_read;
    slice_bytes_read += len;
}

size_t toast_chunk_size() { return TOAST_MAX_CHUNK_SIZE; }

void toast_read_init() {
    DefineCustomStringVariable(
        "thingsdb.toast_slices_read",
        "Slices of out-of-line properties this backend read, and their bytes (\"N BYTES\").",
        nullptr, &slices_setting, "", PGC_INTERNAL,
        GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, nullptr, nullptr, show_slices);
}

}  // namespace tdb::pg
