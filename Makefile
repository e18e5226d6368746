# email-audit — the commands the README names.
SWIFT ?= swift
## Extra flags for every swift build/test, e.g. SWIFT_FLAGS="--scratch-path .build-ui".
SWIFT_FLAGS ?=
BIN = $$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/email-audit
RELEASE_BIN = $$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/email-audit

.PHONY: build release test unit cli e2e e2e-debug e2e-release e2e-postgres e2e-postgres-debug e2e-postgres-release screenshots-check screenshots bench bench-store bench-postgres demo crash fuzz export-tests server-e2e server-e2e-debug server-e2e-release server-burst pg-serve-e2e pg-serve-e2e-release bench-server

build:
	$(SWIFT) build $(SWIFT_FLAGS)

## The optimised build (what users run; signal handling once broke only here).
release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## The whole test suite: unit, snapshot and store tests, then the real binary in tmux,
## then a check that the committed screen captures still match the app, then kill -9 during ingest,
## then the exports read back by independent readers, then serve on loopback (the HTTP link end to end,
## a webhook burst with kill -9, two serves on one PostgreSQL store with kill -9).
test: unit cli e2e e2e-postgres screenshots-check crash export-tests server-e2e server-burst pg-serve-e2e

## swift test with a throwaway PostgreSQL server (scripts/pg_throwaway.sh: a Unix socket in a temp
## folder, deleted afterwards) for the PostgreSQL store's tests; one already named by
## EMAIL_AUDIT_TEST_POSTGRES_URL is used instead.
unit:
	bash scripts/pg_throwaway.sh with $(SWIFT) test $(SWIFT_FLAGS)

## CLI tests against the real binary (scripts/cli_tests.py), with a throwaway PostgreSQL server for
## the commands that read a PostgreSQL store (as `unit`; skipped without PostgreSQL, except under CI=true).
cli: build
	bash scripts/pg_throwaway.sh with python3 scripts/cli_tests.py --binary "$(BIN)"

## The real binary in tmux: filters, View, Unit Search, resize, control bytes, signals, the screen on
## PostgreSQL (scripts/e2e_tmux.py; needs tmux and python3; a throwaway PostgreSQL server as for `unit`),
## run on the debug and on the release binary.
e2e: e2e-debug e2e-release

e2e-debug: build
	bash scripts/pg_throwaway.sh with python3 scripts/e2e_tmux.py --binary "$(BIN)"

e2e-release: release
	bash scripts/pg_throwaway.sh with python3 scripts/e2e_tmux.py --binary "$(RELEASE_BIN)"

## The same scenarios with every store a PostgreSQL database (issue 13): `email-audit seed` with the same
## arguments into a database of a throwaway server, each scenario on a copy made from it as a template
## (scripts/e2e_tmux.py --postgres), on the debug and on the release binary; `make test` runs both.
## Seeding PostgreSQL is round trips (docs/postgres.md, "seed, demo and simulate on PostgreSQL"):
## about 106,000 statements for the suite's seed (213,000 before): 90 s on the debug binary at load 2-3
## (155 s before), 45-153 s on the release and debug binaries at load 5-11; CI's seeding was 152 s before.
e2e-postgres: e2e-postgres-debug e2e-postgres-release

e2e-postgres-debug: build
	bash scripts/pg_throwaway.sh with python3 scripts/e2e_tmux.py --binary "$(BIN)" --postgres

e2e-postgres-release: release
	bash scripts/pg_throwaway.sh with python3 scripts/e2e_tmux.py --binary "$(RELEASE_BIN)" --postgres

## Exports read back by openpyxl, pdftotext/pdfinfo and Python's csv; x on the screen in tmux
## (scripts/export_tests.py; a missing reader is skipped with a message, required when CI=true).
export-tests: build
	python3 scripts/export_tests.py --binary "$(BIN)"

## serve + simulate-provider on loopback: intake, the HTTP sending client, signed webhooks, an outage,
## /metrics, sync, SIGTERM (scripts/server_e2e.py; 127.0.0.1 only, at most 90 s), on the debug and
## on the release binary.
server-e2e: server-e2e-debug server-e2e-release

server-e2e-debug: build
	python3 scripts/server_e2e.py --binary "$(BIN)"

server-e2e-release: release
	python3 scripts/server_e2e.py --binary "$(RELEASE_BIN)"

## 10,000 signed webhooks into serve with kill -9 in the middle and retries: every event that got
## a 200 is stored, none twice, while a reader pages the store (scripts/webhook_burst.py).
server-burst: build
	python3 scripts/webhook_burst.py --binary "$(BIN)"

## Two serves on one PostgreSQL store behind one simulate-provider, kill -9 of one serve mid-run:
## each email handed over once and every webhook stored once, checked in the database
## (scripts/pg_serve_e2e.py; a throwaway PostgreSQL server as for `unit`). 3,000 emails keep it
## within about 3 minutes; the issue's 20,000: make pg-serve-e2e PG_SERVE_EMAILS=20000 PG_SERVE_DEADLINE=1800,
## and the same on the release binary: make pg-serve-e2e-release PG_SERVE_EMAILS=20000 PG_SERVE_DEADLINE=1800
## (results in docs/postgres.md, "serve on PostgreSQL"). `make test` runs the debug one at 3,000.
PG_SERVE_EMAILS ?= 3000
PG_SERVE_DEADLINE ?= 420
pg-serve-e2e: build
	bash scripts/pg_throwaway.sh with python3 scripts/pg_serve_e2e.py --binary "$(BIN)" --emails $(PG_SERVE_EMAILS) --deadline $(PG_SERVE_DEADLINE)

pg-serve-e2e-release: release
	bash scripts/pg_throwaway.sh with python3 scripts/pg_serve_e2e.py --binary "$(RELEASE_BIN)" --emails $(PG_SERVE_EMAILS) --deadline $(PG_SERVE_DEADLINE)

## Regenerates the screen captures as text and fails when they differ from screenshots/*.txt
## (needs tmux; no Python packages).
screenshots-check: build
	bash scripts/screenshots.sh --check --binary "$(BIN)"

## Rewrites screenshots/*.txt and *.png (needs python3 with pyte and Pillow, fonts-dejavu-core).
screenshots: build
	bash scripts/screenshots.sh --binary "$(BIN)"

## kill -9 of `ingest` at 20 random points, then a re-run must converge to the store of an
## uninterrupted run, row by row (scripts/crash_consistency.py; python3 with sqlite3).
crash: build
	python3 scripts/crash_consistency.py --binary "$(BIN)"

## The ingest fuzz target for longer than CI's few seconds: FUZZ_SECONDS=600 FUZZ_SEED=7 make fuzz
FUZZ_SECONDS ?= 120
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(SWIFT) test $(SWIFT_FLAGS) --filter IngestFuzzTests

## The decoder micro-benchmarks (Benchmarks/DecoderBenchmarks, ordo-one/benchmark, release build):
## own parser against JSONDecoder and JSONSerialization, and the encoder. Records the run in
## docs/benchmark.txt and rewrites the README's decoder table from it. Not run in CI (only built).
bench:
	python3 scripts/bench_decoders.py

## The store, query and screen benchmark: 1,000,000 emails over three years (about 5 minutes);
## add flags with BENCH_FLAGS="--exports" and the like.
BENCH_FLAGS ?=
bench-store:
	$(SWIFT) run -c release email-audit-bench $(BENCH_FLAGS)

## The store benchmark on PostgreSQL: a throwaway server (scripts/pg_throwaway.sh, settings in
## scripts/bench_postgres.sh), the same build copied into it and ingested through PostgresEventIngest,
## first pages, counts and the screen through PostgresAuditReader; the server is stopped afterwards.
## make bench-postgres EMAILS=100000 DAYS=365; EXPLAIN=1 adds each filter's EXPLAIN ANALYZE.
EMAILS ?= 1000000
DAYS ?= 1095
bench-postgres:
	bash scripts/bench_postgres.sh --emails $(EMAILS) --days $(DAYS) $(if $(EXPLAIN),--explain) $(BENCH_FLAGS)

## Webhook throughput and intake rate of the real serve on loopback (release build; figures in
## docs/benchmark-server.txt).
bench-server:
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	$(SWIFT) run -c release $(SWIFT_FLAGS) email-audit-bench --server

demo:
	$(SWIFT) run email-audit demo
