# email-audit — the commands the README names.
SWIFT ?= swift

.PHONY: build test unit cli e2e screenshots-check screenshots bench demo

build:
	$(SWIFT) build

## The whole test suite: unit, snapshot and store tests, then the real binary in tmux,
## then a check that the committed screen captures still match the app.
test: unit cli e2e screenshots-check

unit:
	$(SWIFT) test

cli: build
	python3 scripts/cli_tests.py --binary "$$($(SWIFT) build --show-bin-path)/email-audit"

e2e: build
	python3 scripts/e2e_tmux.py --binary "$$($(SWIFT) build --show-bin-path)/email-audit"

screenshots-check: build
	bash scripts/screenshots.sh --check

screenshots: build
	bash scripts/screenshots.sh

bench:
	$(SWIFT) run -c release email-audit-bench

demo:
	$(SWIFT) run email-audit demo
