# Tally — every task a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
CONFIG ?= debug
BIN := .build/$(CONFIG)/tally
# CI runs the fuzzer for a minute; locally a short run keeps `make test` quick.
ifdef CI
FUZZ_SECONDS ?= 60
else
FUZZ_SECONDS ?= 15
endif

.PHONY: help deps build release demo test test-release unit stress fuzz fuzz-build lint bench bench-parse bench-check bench-commit bench-history bench-reports bench-merge bench-policy bench-sql bench-serve bench-scale clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

deps: ## Install what the build needs (libgit2-dev via apt-get when missing)
	@bash scripts/ensure-deps.sh

build: deps ## Build tally (debug)
	$(SWIFT) build --product tally

release: deps ## Build tally optimised (.build/release/tally)
	$(SWIFT) build -c release --static-swift-stdlib --product tally

demo: build ## Run tally on the bundled example repository and on its six months of history
	$(SWIFT) build --product tally-bench
	@bash scripts/demo.sh $(BIN)

test: deps ## Lint, build and run every test (a PostgreSQL server started for them), then fuzz the parser
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(SWIFT) build --build-tests
	TALLY_PYTHON="$$(bash scripts/test-python.sh)" TALLY_CHROMEDRIVER="$$(bash scripts/browser.sh)" \
	  bash scripts/postgres.sh with $(SWIFT) test --skip-build --parallel
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

test-release: deps ## Run the end-to-end tests against an optimised tally (the binary that ships)
	$(SWIFT) build -c release --static-swift-stdlib --product tally
	$(SWIFT) build --build-tests
	TALLY_BIN="$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/tally" \
	  TALLY_PYTHON="$$(bash scripts/test-python.sh)" TALLY_CHROMEDRIVER="$$(bash scripts/browser.sh)" \
	  bash scripts/postgres.sh with $(SWIFT) test --skip-build --parallel --filter TallyEndToEndTests

unit: deps ## Run the tests only (no fuzzing)
	TALLY_PYTHON="$$(bash scripts/test-python.sh)" TALLY_CHROMEDRIVER="$$(bash scripts/browser.sh)" \
	  bash scripts/postgres.sh with $(SWIFT) test --parallel

stress: deps ## Interrupt commit --all, fmt and migrate layout at 50 random moments each; 100 rounds of the commit property; 3000 of the merge properties
	$(SWIFT) build --build-tests
	TALLY_STRESS_MOMENTS=$${TALLY_STRESS_MOMENTS:-50} TALLY_STRESS_CUSTOMERS=$${TALLY_STRESS_CUSTOMERS:-3000} \
	  TALLY_PROPERTY_ROUNDS=$${TALLY_PROPERTY_ROUNDS:-100} TALLY_MERGE_ROUNDS=$${TALLY_MERGE_ROUNDS:-3000} \
	  $(SWIFT) test --skip-build --filter 'InterruptTests|namedPathsMatchGitCommitOnlyForRandomChanges|RecordMergePropertyTests'

fuzz-build: ## Build the libFuzzer target for the parser
	@bash fuzz/build.sh

fuzz: fuzz-build ## Fuzz the parser for FUZZ_SECONDS (a crash fails and is kept in fuzz/)
	@bash fuzz/run.sh $(FUZZ_SECONDS)

lint: ## Check formatting of the Swift sources with swift-format
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

bench: bench-parse bench-check bench-commit bench-history bench-reports bench-merge bench-policy bench-sql bench-serve bench-scale ## Run every benchmark

bench-parse: deps ## Parser throughput against Yams and PyYAML (10k generated records)
	@bash bench/parse.sh

bench-check: deps ## tally check on 10k and 100k customers against check-jsonschema
	@bash bench/check.sh

bench-reports: deps ## Every report for a quarter on the history benchmark repository, cold and warm
	@bash bench/reports.sh

bench-commit: deps ## tally commit and check --staged on 100k records against git commit
	@bash bench/commit.sh

bench-history: deps ## tally history build, cold and warm, on 20k commits against git log --raw
	@bash bench/history.sh

bench-merge: deps ## git merge with tally merge-driver against git's text merge: 1,000 customers changed on two branches
	@bash bench/merge.sh

bench-policy: deps ## tally policy check over 1,000 commits, and a one-commit push's hook into 100k records, against git
	@bash bench/policy.sh

bench-sql: deps ## the SQL database of 20k commits: full build and update against the cold history walk; a query; the PostgreSQL export
	@bash bench/sql.sh

bench-serve: deps ## tally serve under wrk on 100k customers: p99, memory, a push seen, 100 commits under load
	@bash bench/serve.sh

bench-scale: deps ## A million customers in shard folders, 200k commits: check, commit, history, reports, SQL, serve against git
	@bash bench/scale.sh

clean: ## Remove build products
	rm -rf .build fuzz/out bench/out
