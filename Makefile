# Thin wrapper around CMake. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
PREFIX     ?= /usr
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all deps demo check check-asan test bench fuzz deb rpm install uninstall clean

# "make" (all) installs nothing: a missing build dependency stops it with
# the list of packages to install (scripts/install-deps --check build).
define build_tree
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)
endef

all:
	@sh scripts/install-deps --check build
	$(build_tree)

# Everything "make check" needs (the build and the test tools), with apt-get.
deps:
	@sh scripts/install-deps check

# demo, check, check-asan, fuzz, deb and rpm install what they need first.
demo:
	@sh scripts/install-deps demo
	$(build_tree)
	@sh demo/run-demo $(BUILD)

# Every test, then every test again under clang ASan+UBSan.
check: deps
	$(build_tree)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory check-asan

check-asan: deps
	CC=clang CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DSSPR_SANITIZE=ON -DSSPR_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: all
	sh bench/run-bench $(BUILD)
	python3 bench/storm $(BUILD)

# DESTDIR (staging root) is honoured by cmake --install from the environment.
install: all
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	xargs -r rm -vf < $(BUILD)/install_manifest.txt

# Each libFuzzer fuzzer for FUZZ_SECONDS (default 60) on a copy of its seed
# corpus, in build-fuzz; fails on a finding. See tests/fuzz/run-fuzz.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) sh tests/fuzz/run-fuzz

# Packages, built from a copy of the tree (in a git work tree: tracked and
# untracked files that git does not ignore, SSPR_GIT_REF=<commit> for a
# commit; in a release tarball or a "git archive": the directory without
# build dirs): build-deb/, build-rpm/. They install only the Build-Depends.
deb:
	@sh scripts/install-deps deb
	sh tests/packaging/build-deb

rpm:
	@sh scripts/install-deps rpm
	sh tests/packaging/build-rpm

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz build-deb build-rpm
