# email-audit — the commands the README names.
SWIFT ?= swift
## Extra flags for every swift build/test, e.g. SWIFT_FLAGS="--scratch-path .build-ui".
SWIFT_FLAGS ?=
BIN = $$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/email-audit

.PHONY: build test unit cli e2e screenshots-check screenshots bench demo export-tests

build:
	$(SWIFT) build $(SWIFT_FLAGS)

## The whole test suite: unit, snapshot and store tests, then the real binary in tmux,
## then a check that the committed screen captures still match the app.
test: unit cli e2e screenshots-check export-tests

unit:
	$(SWIFT) test $(SWIFT_FLAGS)

## CLI tests against the real binary (scripts/cli_tests.py).
cli: build
	python3 scripts/cli_tests.py --binary "$(BIN)"

## The real binary in tmux: filters, View, Unit Search, resize, control bytes, signals
## (scripts/e2e_tmux.py; needs tmux and python3).
e2e: build
	python3 scripts/e2e_tmux.py --binary "$(BIN)"

## Exports read back by openpyxl, pdftotext/pdfinfo and Python's csv; x on the screen in tmux
## (scripts/export_tests.py; a missing reader is skipped with a message, required when CI=true).
export-tests: build
	python3 scripts/export_tests.py --binary "$(BIN)"

## Regenerates the screen captures as text and fails when they differ from screenshots/*.txt
## (needs tmux; no Python packages).
screenshots-check: build
	bash scripts/screenshots.sh --check --binary "$(BIN)"

## Rewrites screenshots/*.txt and *.png (needs python3 with pyte and Pillow, fonts-dejavu-core).
screenshots: build
	bash scripts/screenshots.sh --binary "$(BIN)"

bench:
	$(SWIFT) run -c release email-audit-bench

demo:
	$(SWIFT) run email-audit demo
