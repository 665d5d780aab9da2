# ORIS Bus: the two commands of the README's quick start, and a few more.
SWIFT ?= swift
# Arguments for orisd under `make run`, for example: make run ARGS="--config config/orisd.example.json"
ARGS ?=

.PHONY: all deps run build release test demo clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Builds in release mode and runs orisd on its embedded default (state in ./oris-state).
run: release
	exec .build/release/orisd $(ARGS)

# Installs what the tests need (pyzmq included), builds everything and runs every test.
test:
	@./scripts/install-deps.sh --with-python
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Starts a daemon of its own, feeds it samples/ through orisctl, shows what the GIP and the CRPS of
# a theme receive side by side, then stops everything it started.
demo: build
	@./scripts/demo.sh

clean:
	rm -rf .build oris-state
