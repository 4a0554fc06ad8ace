// An executor state for writing the rows of one table directly (table_tuple_insert, update
// or delete and the table's indexes; no plan, no SPI): heap_write.cpp's writes of things and
// notify.cpp's insert of a stored change. Everything here runs inside pg_call.
#pragma once

extern "C" {
#include "postgres.h"

#include "nodes/execnodes.h"
#include "utils/rel.h"
}

namespace tdb::pg {

struct DirectWrite {
    EState* estate = nullptr;
    ResultRelInfo* rri = nullptr;  // the table, its indexes open
};

// The range table of rel (opened by the caller with RowExclusiveLock), its indexes open, this
// command's id and the active snapshot.
DirectWrite direct_write_begin(Relation rel);
// Closes the indexes and frees the state and its slots; the table stays open.
void direct_write_end(DirectWrite& w);

}  // namespace tdb::pg
