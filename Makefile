# Usual verbs over CMake. `make` builds build/xsell (C dependencies installed);
# `make demo` and `make test` are the two commands of the README: both install
# whatever is missing first, so they work on a fresh Debian machine.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20

.PHONY: all deps web demo test bench fuzz install clean format

# The C program needs no npm package: the dashboard is built alongside when
# web/'s packages are installed (`make deps` or `npm ci` in web/), and
# skipped with a note otherwise (`xsell serve` then says the files are missing).
all:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	@if [ -d web/node_modules/chart.js ] && command -v node >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory web; \
	else \
		echo "make: dashboard not built (web/node_modules absent: run make deps, or npm ci in web/)"; \
	fi

deps:
	scripts/install-deps

# Installs into PREFIX (default /usr/local): bin/xsell, lib/libxsell.a,
# include/xsell.h and include/xsell/*.h, lib/pkgconfig/xsell.pc,
# share/man/man1/xsell.1, bash completion, and share/xsell/web (the
# dashboard) when it was built.
PREFIX ?= /usr/local
install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

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
	cd $(TEST_BUILD) && { ctest --output-on-failure -j $(JOBS); rc=$$?; \
		$(CURDIR)/scripts/test-skips Testing/Temporary/LastTest.log; exit $$rc; }

bench:
	scripts/install-deps --bench
	$(MAKE) all
	bench/run-all

# Every libFuzzer target of tests/fuzz, built with clang (ASan + UBSan),
# run FUZZ_SECONDS each on a copy of its seed corpus tests/fuzz/corpus/NAME;
# fails when one crashes (scripts/fuzz).
fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DXS_FUZZ=ON \
		-DXS_SANITIZE=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target \
		$(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)

format:
	clang-format -i include/*.h include/xsell/*.h $$(find src tests bench -name '*.[ch]')
