# Usual verbs over CMake. `make` builds build/xsell (dependencies installed);
# `make demo` and `make test` are the two commands of the README: both install
# whatever is missing first, so they work on a fresh Debian machine.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps web demo test bench clean format

all: web
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	scripts/install-deps

# The dashboard's files (web/dist), served by `xsell serve --web web/dist`.
web:
	cd web && node build.mjs

demo: deps
	$(MAKE) all
	$(BUILD)/xsell demo

# The whole suite, built with ASan + UBSan and -Werror.
test: deps web
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DXS_SANITIZE=ON -DXS_WERROR=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench:
	scripts/install-deps --bench
	$(MAKE) all
	bench/run-all

clean:
	rm -rf $(BUILD) $(TEST_BUILD)

format:
	clang-format -i include/*.h $$(find src tests bench -name '*.[ch]')
