# Builds the thingsdb extension with PGXS; `make unittest` runs the core's
# GoogleTest suite without PostgreSQL.

EXTENSION = thingsdb
MODULE_big = thingsdb
# Every install script (thingsdb--VERSION.sql) and upgrade script
# (thingsdb--FROM--TO.sql); see docs/sql.md, "Versions and upgrades".
DATA = $(wildcard sql/thingsdb--*.sql)
PGFILEDESC = "thingsdb - the ThingsDB language inside PostgreSQL"

CORE_SRCS := $(sort $(wildcard src/core/*.cpp src/core/*/*.cpp))
PG_SRCS := $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# pg_regress: inputs test/regress/sql/NN_name.sql, expected outputs
# test/regress/expected/NN_name.out. Every input runs, in the order of its
# number: the tests share one database, and later ones see the ids earlier
# ones used.
REGRESS = $(sort $(basename $(notdir $(wildcard test/regress/sql/*.sql))))
REGRESS_OPTS = --inputdir=test/regress --load-extension=thingsdb

SHLIB_LINK += -lstdc++ -lpcre2-8
# The postgres binary already brings libstdc++ (through ICU): bind our own
# calls to our own functions, so the operator new of src/pg/memory.cpp (the
# thingsdb.max_memory limit) is the one the extension's code uses.
SHLIB_LINK += -Wl,-Bsymbolic-functions
EXTRA_CLEAN = build $(OBJS:.o=.d) test/unit/*.d

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# No LLVM bitcode: PGXS would compile it with clang, which does not know our C++ rule.
override with_llvm = no
include $(PGXS)

PG_INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)
TDB_CXX ?= g++
# -fno-semantic-interposition: calls between the library's own functions are
# direct and may be inlined (nothing replaces them at load time).
TDB_CXXFLAGS = -std=c++20 -O2 -fPIC -fno-semantic-interposition -Wall -Wextra -fno-omit-frame-pointer -MMD -MP -Isrc

# src/core never sees PostgreSQL headers; src/pg gets them as system headers
# so their own warnings do not drown ours.
src/core/%.o: src/core/%.cpp
	$(TDB_CXX) $(TDB_CXXFLAGS) -c -o $@ $<

src/pg/%.o: src/pg/%.cpp
	$(TDB_CXX) $(TDB_CXXFLAGS) -isystem $(PG_INCLUDEDIR_SERVER) -D_GNU_SOURCE -c -o $@ $<

%.o: %.cpp
	$(TDB_CXX) $(TDB_CXXFLAGS) -c -o $@ $<

-include $(OBJS:.o=.d)

# ---- unit tests (GoogleTest, no PostgreSQL) --------------------------------
UNIT_SRCS := $(sort $(wildcard test/unit/*.cpp))
# The core objects are shared with the extension (they get no PostgreSQL flags).
UNIT_OBJS := $(patsubst %.cpp,build/%.o,$(UNIT_SRCS)) $(CORE_SRCS:.cpp=.o) build/src/cli/cli_text.o

build/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(TDB_CXX) $(TDB_CXXFLAGS) -c -o $@ $<

build/unittest: $(UNIT_OBJS)
	$(TDB_CXX) -o $@ $^ -lgtest -lgtest_main -pthread -lpcre2-8

-include $(patsubst %.cpp,build/%.d,$(UNIT_SRCS))

# ---- tdb, the command-line client (src/cli, on libpq) -----------------------
# Built with the extension (`make`) as build/tdb; `make install` copies it to
# pg_config --bindir (`make install-tdb bindir=/usr/local/bin` for elsewhere).
# Line editing: libedit when its headers are there, else GNU readline.
CLI_SRCS := $(sort $(wildcard src/cli/*.cpp))
CLI_OBJS := $(patsubst %.cpp,build/%.o,$(CLI_SRCS))
ifneq ($(wildcard /usr/include/editline/readline.h),)
CLI_LINE_FLAGS = -DTDB_USE_EDITLINE
CLI_LINE_LIB = -ledit
else
CLI_LINE_LIB = -lreadline
endif
build/src/cli/%.o: TDB_CXXFLAGS += -I$(shell $(PG_CONFIG) --includedir) -Ibuild $(CLI_LINE_FLAGS)

# The names the prompt completes: every row of the table of built-ins.
build/cli_words.inc: src/core/fn/table.cpp
	@mkdir -p $(dir $@)
	sed -nE 's/^ *(\{VT::[A-Za-z]+, )?\{"([a-z_0-9]+)",.*/"\2",/p' $< | sort -u >$@
build/src/cli/prompt.o: build/cli_words.inc

build/tdb: $(CLI_OBJS)
	$(TDB_CXX) -o $@ $^ -L$(shell $(PG_CONFIG) --libdir) -lpq $(CLI_LINE_LIB)

-include $(CLI_OBJS:.o=.d)

all: build/tdb
install: install-tdb

.PHONY: install-tdb
install-tdb: build/tdb
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) build/tdb '$(DESTDIR)$(bindir)/tdb'

.PHONY: unittest try
unittest: build/unittest
	./build/unittest

try:
	scripts/try.sh

# ---- sanitizers and fuzzing (README "Reliability") ----------------
# `make asan-unittest`: the unit tests built with AddressSanitizer and UBSan
# (objects in build/asan; any report fails the run). ASAN_LEAKS=1 adds
# LeakSanitizer, which still reports reference cycles of things (Type
# relations) that reference counting never frees (README "Reliability").
ASAN_LEAKS ?= 0
ASAN_FLAGS = -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -MMD -MP -Isrc
ASAN_SRCS := $(UNIT_SRCS) $(CORE_SRCS) src/cli/cli_text.cpp
ASAN_OBJS := $(patsubst %.cpp,build/asan/%.o,$(ASAN_SRCS))

build/asan/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(TDB_CXX) $(ASAN_FLAGS) -c -o $@ $<

build/asan/unittest: $(ASAN_OBJS)
	$(TDB_CXX) $(ASAN_FLAGS) -o $@ $^ -lgtest -lgtest_main -pthread -lpcre2-8

-include $(patsubst %.cpp,build/asan/%.d,$(ASAN_SRCS))

.PHONY: asan-unittest fuzz
asan-unittest: build/asan/unittest
	ASAN_OPTIONS=detect_leaks=$(ASAN_LEAKS):halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		./build/asan/unittest

# `make asan-regress` (scripts/asan_regress.sh): the extension itself built
# with AddressSanitizer and UBSan (objects and thingsdb.so in build/asan-pg,
# never installed system wide), a private cluster in /tmp on a copy of
# the PostgreSQL installation, the ASan runtime preloaded into its postmaster
# only, pg_regress (REGRESS) and test/e2e/test_hostile.py against it; any
# sanitizer report fails the run (README "Reliability").
# UBSan reports without stopping the backend (each goes to the report files).
ASAN_PG_OBJS := $(patsubst %.cpp,build/asan-pg/%.o,$(CORE_SRCS) $(PG_SRCS))
ASAN_PG_FLAGS = $(filter-out -fno-sanitize-recover=all,$(ASAN_FLAGS)) -fPIC

build/asan-pg/src/core/%.o: src/core/%.cpp
	@mkdir -p $(dir $@)
	$(TDB_CXX) $(ASAN_PG_FLAGS) -c -o $@ $<

build/asan-pg/src/pg/%.o: src/pg/%.cpp
	@mkdir -p $(dir $@)
	$(TDB_CXX) $(ASAN_PG_FLAGS) -isystem $(PG_INCLUDEDIR_SERVER) -D_GNU_SOURCE -c -o $@ $<

build/asan-pg/thingsdb.so: $(ASAN_PG_OBJS)
	$(TDB_CXX) -shared -fsanitize=address,undefined -o $@ $^ -lstdc++ -lpcre2-8 -Wl,-Bsymbolic-functions

-include $(ASAN_PG_OBJS:.o=.d)

.PHONY: asan-regress print-regress
print-regress:
	@echo $(REGRESS)
asan-regress:
	scripts/asan_regress.sh $(REGRESS)

# `make fuzz`: the libFuzzer targets test/fuzz/fuzz_query.cpp (parser and
# evaluator) and test/fuzz/fuzz_storage.cpp (several queries per input over
# stored state, catalog changes, the event encoder and decoder), with clang++
# and libclang-rt-14-dev (scripts/setup.sh --fuzz); run them with test/fuzz/run.sh.
FUZZ_CXX ?= clang++
FUZZ_FLAGS = -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -MMD -MP -Isrc
FUZZ_SRCS := $(CORE_SRCS) test/unit/harness.cpp
FUZZ_OBJS := $(patsubst %.cpp,build/fuzz/%.o,$(FUZZ_SRCS))

build/fuzz/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -c -o $@ $<

build/fuzz/fuzz_%: $(FUZZ_OBJS) build/fuzz/test/fuzz/fuzz_%.o
	$(FUZZ_CXX) -fsanitize=fuzzer,address,undefined -o $@ $^ -lgtest -pthread -lpcre2-8

-include $(patsubst %.cpp,build/fuzz/%.d,$(FUZZ_SRCS) test/fuzz/fuzz_query.cpp test/fuzz/fuzz_storage.cpp)

.PRECIOUS: build/fuzz/test/fuzz/%.o
fuzz: build/fuzz/fuzz_query build/fuzz/fuzz_storage
