# xueji - build, run, test.
#
#   make            release build of xuejid and xuejictl in build/release/
#   make BUILD=debug  AddressSanitizer + UBSan build in build/debug/
#   make run        install missing packages, start a local PostgreSQL, migrate,
#                   load demo data and serve on 127.0.0.1:8080
#   make test       every suite, release and sanitizer builds
#   make bench      throughput figures (see bench/README.md), the course selection peak
#                   (bench/selection.sh; BENCH_SELECTION=0 skips it), then the fault
#                   script at full scale (BENCH_FAULTS=0 skips it)
#   make soak       10 minutes of mixed traffic at 64 connections (bench/soak.sh)
#   make bench-export  xuejid's memory while it streams 100,000-student rosters
#   make cluster    a provincial cluster on this machine: etcd, two PostgreSQL under
#                   Patroni (primary + synchronous replica), HAProxy, two xuejid
#                   (scripts/cluster.sh; make cluster-down stops it)
#   make cluster-test  failover, switchover and a lost xuejid node under load
#   make fuzz       libFuzzer on every parser of outside input, FUZZ_SECONDS (120) each
#                   (make test runs each for FUZZ_SHORT (3) seconds: check-fuzz)

BUILD   ?= release
OUT     := build/$(BUILD)
CC      ?= cc

PKGS    := libh2o libuv libssl libpq jansson libjwt libsodium zlib expat libcurl pangocairo
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wformat-security -Wvla -Wimplicit-fallthrough \
           -Wundef -fno-common
ifeq ($(BUILD),debug)
OPT     := -O1 -g3 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDOPT   := -fsanitize=address,undefined
else
OPT     := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
LDOPT   :=
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

CFLAGS  += $(CSTD) $(WARN) $(OPT) -I. -I$(OUT)/gen $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(LDOPT)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

BASE_SRC := $(wildcard base/*.c)
FMT_SRC  := $(wildcard formats/*.c)
CORE_SRC := $(wildcard core/*.c)
DB_SRC   := $(wildcard db/*.c)
WF_SRC   := $(wildcard workflow/*.c)
API_SRC  := $(filter-out api/main.c,$(wildcard api/*.c))
CTL_SRC  := $(wildcard ctl/*.c)
GEN_SRC  := $(OUT)/gen/embedded.c

BASE_OBJ := $(BASE_SRC:%.c=$(OUT)/%.o)
FMT_OBJ  := $(FMT_SRC:%.c=$(OUT)/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(OUT)/%.o)
DB_OBJ   := $(DB_SRC:%.c=$(OUT)/%.o) $(OUT)/gen/embedded.o
WF_OBJ   := $(WF_SRC:%.c=$(OUT)/%.o)
API_OBJ  := $(API_SRC:%.c=$(OUT)/%.o)
CTL_OBJ  := $(CTL_SRC:%.c=$(OUT)/%.o)
LIB      := $(OUT)/libxueji.a

UNIT_SRC  := $(wildcard tests/unit/*_test.c)
UNIT_BIN  := $(UNIT_SRC:%.c=$(OUT)/%)
INTEG_SRC := $(wildcard tests/integration/*_test.c)
INTEG_BIN := $(INTEG_SRC:%.c=$(OUT)/%)
HTTP_SRC  := $(wildcard tests/http/*_test.c)
HTTP_BIN  := $(HTTP_SRC:%.c=$(OUT)/%)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(OUT)/%.o)

EMBED := $(wildcard db/migrations/*.sql) $(wildcard db/data/*.csv) openapi.yaml

.PHONY: all run stop test check check-integration check-http check-layers lint-openapi \
        compose-check deps bench bench-export clean demo fuzz fuzz-build check-faults soak \
        check-fuzz format-check format test-bins check-suites cluster cluster-down cluster-status \
        cluster-test

all: $(OUT)/xuejid $(OUT)/xuejictl

$(OUT)/gen/embedded.c: scripts/embed.sh $(EMBED)
	@mkdir -p $(@D)
	sh scripts/embed.sh $(EMBED) > $@.tmp && mv $@.tmp $@

$(OUT)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/gen/embedded.o: $(OUT)/gen/embedded.c
	$(CC) $(filter-out -W%,$(CFLAGS)) -c $< -o $@

$(LIB): $(WF_OBJ) $(CORE_OBJ) $(FMT_OBJ) $(DB_OBJ) $(BASE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/xuejid: $(OUT)/api/main.o $(API_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/xuejictl: $(CTL_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/tests/unit/%: $(OUT)/tests/unit/%.o $(API_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)
$(OUT)/tests/integration/%: $(OUT)/tests/integration/%.o $(TESTLIB_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS) -lcurl
$(OUT)/tests/http/%: $(OUT)/tests/http/%.o $(TESTLIB_OBJ) $(API_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS) -lcurl

# the load client of the fault script (tests/fault/run.sh)
$(OUT)/tests/fault/load: tests/fault/load.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) $(LDOPT) -o $@ $< $(shell pkg-config --cflags --libs jansson) \
	    -lcurl -lpthread

# keep test objects between builds
.SECONDARY:

deps:
	@sh scripts/deps.sh

# ---- running locally ------------------------------------------------------
run: deps all
	@sh scripts/run.sh $(OUT)

stop:
	@sh scripts/pg.sh stop var

demo: all
	@sh scripts/run.sh $(OUT) --demo-only

# ---- the provincial cluster (ADR 0034) -------------------------------------------
cluster: all
	@sh scripts/deps.sh cluster
	@sh scripts/cluster.sh up $(OUT)

cluster-down:
	@sh scripts/cluster.sh down $(OUT)

cluster-status:
	@sh scripts/cluster.sh status $(OUT)

cluster-test: all $(OUT)/tests/fault/load
	@sh scripts/deps.sh cluster
	@sh tests/cluster/run.sh $(OUT) $(or $(CLUSTER_SCALE),small)

# ---- tests ------------------------------------------------------------------
# every test binary of this BUILD (make -jN builds them side by side)
test-bins: $(UNIT_BIN) $(INTEG_BIN) $(HTTP_BIN)

check: $(UNIT_BIN)
	@sh scripts/run-tests.sh unit $(UNIT_BIN)

check-integration: $(INTEG_BIN) $(OUT)/xuejid
	@sh scripts/run-tests.sh integration $(INTEG_BIN)

check-http: $(HTTP_BIN) $(OUT)/xuejid $(OUT)/xuejictl
	@sh scripts/run-tests.sh http $(HTTP_BIN)

# make test: the unit and integration suites in one set of lanes (the unit suites
# fill the lanes' ends), then the HTTP suites
check-suites: $(UNIT_BIN) $(INTEG_BIN) $(HTTP_BIN) $(OUT)/xuejid $(OUT)/xuejictl
	@sh scripts/run-tests.sh all $(UNIT_BIN) $(INTEG_BIN)
	@sh scripts/run-tests.sh http $(HTTP_BIN)

# faults under load, small (tests/fault/run.sh: kill -9, PostgreSQL stopped, a slow database)
check-faults: $(OUT)/xuejid $(OUT)/xuejictl $(OUT)/tests/fault/load
	@sh tests/fault/run.sh $(OUT) small

check-layers:
	@sh scripts/check-layers.sh

# the C sources against .clang-format (clang-format-14); make format rewrites them
format-check:
	@sh scripts/format-check.sh

format:
	@sh scripts/format-check.sh --fix

lint-openapi:
	@sh scripts/lint-openapi.sh

compose-check:
	@sh scripts/compose-check.sh

# Builds run on every core (TEST_JOBS, default: all of them); the suites run in
# TEST_LANES lanes (default 2, scripts/run-tests.sh), each lane with its own
# PostgreSQL, taking the next suite, longest first, from one queue.
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps
	@date +'make test: started %T'
	$(MAKE) check-layers
	$(MAKE) format-check
	$(MAKE) -j$(TEST_JOBS) BUILD=release all test-bins build/release/tests/fault/load
	@# the next build runs at the lowest priority beside each test phase, on the CPU
	@# the suites leave idle while they wait on servers and databases (CI time)
	@sh scripts/beside.sh build/debug-build.log "$(MAKE) -j$(TEST_JOBS) BUILD=debug all test-bins" \
	    "$(MAKE) BUILD=release check-suites && \
	     date +'make test: %T' && $(MAKE) BUILD=release check-faults"
	@date +'make test: %T'
	@# the contract's lint and the compose check (single-threaded) beside the debug
	@# suites too, after the fuzz build
	@sh scripts/beside.sh build/fuzz-build.log \
	    "$(MAKE) -j$(TEST_JOBS) fuzz-build && $(MAKE) lint-openapi compose-check" \
	    "$(MAKE) BUILD=debug check-suites"
	@date +'make test: %T'
	$(MAKE) check-fuzz
	@date +'make test: %T'
	@echo "make test: all suites passed"

bench: deps
	$(MAKE) BUILD=release all build/release/tests/fault/load
	@sh bench/run.sh build/release
	@sh bench/lottery.sh build/release
	@[ "$${BENCH_SELECTION:-1}" = 0 ] || sh bench/selection.sh build/release
	@[ "$${BENCH_FAULTS:-1}" = 0 ] || sh tests/fault/run.sh build/release full

soak: deps
	$(MAKE) BUILD=release all
	@sh bench/soak.sh build/release

bench-export: deps
	$(MAKE) BUILD=release all
	@sh bench/export.sh build/release

# ---- fuzzing -----------------------------------------------------------------
# clang's libFuzzer with ASan and UBSan on every parser of outside input
# (tests/fuzz/*_fuzz.c; see tests/fuzz/run.sh). The whole tree is built again
# with coverage instrumentation in build/fuzz, apart from release and debug.
# make test runs each target for FUZZ_SHORT seconds from the committed seeds;
# make fuzz runs them for FUZZ_SECONDS each and keeps what they find.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 120
FUZZ_SHORT   ?= 3
FUZZ_OUT     := build/fuzz
FUZZ_NAMES   := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_OUT)/%_fuzz)
FUZZ_CFLAGS  := $(CSTD) $(WARN) -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all \
                -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -I. $(PKG_CFLAGS) -MMD -MP
FUZZ_LIBOBJ  := $(patsubst %.c,$(FUZZ_OUT)/%.o,$(BASE_SRC) $(FMT_SRC) $(CORE_SRC) $(DB_SRC) $(WF_SRC)) \
                $(FUZZ_OUT)/gen/embedded.o
FUZZ_APIOBJ  := $(API_SRC:%.c=$(FUZZ_OUT)/%.o)
# handlers hand their jobs to the fuzz target instead of the database pool
FUZZ_LDFLAGS_api := -Wl,--wrap=api_submit

$(FUZZ_OUT)/gen/embedded.c: scripts/embed.sh $(EMBED)
	@mkdir -p $(@D)
	sh scripts/embed.sh $(EMBED) > $@.tmp && mv $@.tmp $@
$(FUZZ_OUT)/gen/embedded.o: $(FUZZ_OUT)/gen/embedded.c
	$(FUZZ_CC) $(filter-out -W% -fsanitize=%,$(FUZZ_CFLAGS)) -c $< -o $@
$(FUZZ_OUT)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_OUT)/libxueji.a: $(FUZZ_LIBOBJ)
	@rm -f $@
	ar rcs $@ $^
$(FUZZ_OUT)/libapi.a: $(FUZZ_APIOBJ)
	@rm -f $@
	ar rcs $@ $^
$(FUZZ_OUT)/%_fuzz: $(FUZZ_OUT)/tests/fuzz/%_fuzz.o $(FUZZ_OUT)/libapi.a $(FUZZ_OUT)/libxueji.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(FUZZ_LDFLAGS_$*) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz:
	@sh tests/fuzz/run.sh check "$(FUZZ_CC)"
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh run $(FUZZ_OUT) "$(FUZZ_SECONDS)"

# the short run of make test: committed seeds only, nothing kept
check-fuzz:
	@sh tests/fuzz/run.sh check "$(FUZZ_CC)"
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_JOBS=$${FUZZ_JOBS:-$(TEST_JOBS)} sh tests/fuzz/run.sh short $(FUZZ_OUT) "$(FUZZ_SHORT)"

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
