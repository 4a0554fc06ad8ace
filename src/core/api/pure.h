// Every header of src/core includes this first. The core is plain C++ that
// builds and runs without PostgreSQL; postgres.h defines macros (Max, Min,
// Assert, gettext, elog, ...) that would silently change the meaning of core
// code, so a core header must never be read after it. In src/pg, include the
// core's headers (core/api/ only) before postgres.h and the other PostgreSQL
// headers.
#pragma once

#ifdef POSTGRES_H
#error "a src/core header was included after postgres.h: include core/api/ headers first"
#endif
