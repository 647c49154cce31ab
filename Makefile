# nicfix - plain GNU make
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DESTDIR ?=
UDEVRULESDIR ?= /usr/lib/udev/rules.d

CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION := $(shell awk -F'[()]' 'NR == 1 { print $$2 }' debian/changelog 2>/dev/null)
ifeq ($(VERSION),)
VERSION := 0.1.0
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2
CPPFLAGS += -D_GNU_SOURCE -DNICFIX_VERSION='"$(VERSION)"' \
	    -DNICFIX_LENSDIR='"$(DATADIR)/nicfix/lenses"'
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags libmnl augeas 2>/dev/null)
LDLIBS_MNL := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null)
# libaugeas is not linked: src/core/ifcfg.c loads it on first use
# (dlopen), so that a process that never edits a file -- the watch daemon
# above all -- does not map it with libxml2, ICU and libstdc++ behind it
# (dlopen is in libc since glibc 2.34: bookworm has 2.36)
LDLIBS_AUG :=

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all

# the core (src/core): no printing, no exit, no environ; its only face is
# src/include/nicfix.h, the one header the front ends are given
CORE := err path ifname feat offline ifread ifports place ifcfg persist undo offloads \
	checkres cover coverlive \
	safefile diff nl ethnl ethioctl rtnl live apply summary \
	kstamp kscan klog dmsg diag dhost pin checkpin \
	kfollow wsig wrate wstate metrics mgather mail spawn wconf
# the nicfix front end (src/cli)
CLI := cli output cmd-apply cmd-status cmd-persist cmd-check cmd-diagnose cmd-undo \
	cmd-metrics check-format
# the watch daemon's event loop (src/watch), linked into nicfix
WATCH := watch notify wlog

B := build
BA := build/asan

INC_FRONT := -Isrc/include
INC_CORE := -Isrc/include -Isrc/core
CORE_HDRS := $(wildcard src/include/*.h src/core/*.h)
CLI_HDRS := src/include/nicfix.h $(wildcard src/cli/*.h)

core_objs = $(addprefix $(1)/core/,$(addsuffix .o,$(CORE)))
cli_objs = $(addprefix $(1)/cli/,$(addsuffix .o,$(CLI))) \
	   $(addprefix $(1)/watch/,$(addsuffix .o,$(WATCH)))

.PHONY: all asan deps check lint test demo install clean deb bench fuzz vm-check

all: $(B)/nicfix $(B)/nicfix-hook

asan: $(BA)/nicfix $(BA)/nicfix-hook

# A binary run from the build tree finds the tree's own lens; an installed
# one (make install, the package) the installed path.  The build tree's
# lens directory is the second of the two it tries.
LENSDIR_BUILD := $(CURDIR)/lenses
CPPFLAGS_CLI_BUILD := -DNICFIX_LENSDIR_BUILD='"$(LENSDIR_BUILD)"'

$(B)/core/%.o: src/core/%.c $(CORE_HDRS) | $(B)/core
	$(CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -c -o $@ $<

$(BA)/core/%.o: src/core/%.c $(CORE_HDRS) | $(BA)/core
	$(CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(SAN_FLAGS) -c -o $@ $<

$(B)/cli/%.o: src/cli/%.c $(CLI_HDRS) | $(B)/cli
	$(CC) $(CPPFLAGS) $(CPPFLAGS_CLI_BUILD) $(INC_FRONT) $(CFLAGS) -c -o $@ $<

$(BA)/cli/%.o: src/cli/%.c $(CLI_HDRS) | $(BA)/cli
	$(CC) $(CPPFLAGS) $(CPPFLAGS_CLI_BUILD) $(INC_FRONT) $(CFLAGS) -O1 $(SAN_FLAGS) -c -o $@ $<

# the installed binary: the same objects but for the lens look-up
$(B)/cli/cli-installed.o: src/cli/cli.c $(CLI_HDRS) | $(B)/cli
	$(CC) $(CPPFLAGS) $(INC_FRONT) $(CFLAGS) -c -o $@ $<

WATCH_HDRS := $(CLI_HDRS) $(wildcard src/watch/*.h)

$(B)/watch/%.o: src/watch/%.c $(WATCH_HDRS) | $(B)/watch
	$(CC) $(CPPFLAGS) $(INC_FRONT) -Isrc/cli $(CFLAGS) -c -o $@ $<

$(BA)/watch/%.o: src/watch/%.c $(WATCH_HDRS) | $(BA)/watch
	$(CC) $(CPPFLAGS) $(INC_FRONT) -Isrc/cli $(CFLAGS) -O1 $(SAN_FLAGS) -c -o $@ $<

$(B)/hooks/%.o: hooks/%.c src/include/nicfix.h | $(B)/hooks
	$(CC) $(CPPFLAGS) $(INC_FRONT) $(CFLAGS) -c -o $@ $<

$(BA)/hooks/%.o: hooks/%.c src/include/nicfix.h | $(BA)/hooks
	$(CC) $(CPPFLAGS) $(INC_FRONT) $(CFLAGS) -O1 $(SAN_FLAGS) -c -o $@ $<

$(B)/core $(BA)/core $(B)/cli $(BA)/cli $(B)/hooks $(BA)/hooks \
$(B)/watch $(BA)/watch:
	mkdir -p $@

$(B)/libnicfix.a: $(call core_objs,$(B))
	$(AR) rcs $@ $^

$(BA)/libnicfix.a: $(call core_objs,$(BA))
	$(AR) rcs $@ $^

$(B)/nicfix: $(call cli_objs,$(B)) $(B)/libnicfix.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_MNL) $(LDLIBS_AUG) $(LDLIBS)

$(B)/nicfix-installed: $(filter-out $(B)/cli/cli.o,$(call cli_objs,$(B))) \
		$(B)/cli/cli-installed.o $(B)/libnicfix.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_MNL) $(LDLIBS_AUG) $(LDLIBS)

$(BA)/nicfix: $(call cli_objs,$(BA)) $(BA)/libnicfix.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_MNL) $(LDLIBS_AUG) $(LDLIBS)

# the ifup/udev hook: its own main, the core and libmnl only (no Augeas)
$(B)/nicfix-hook: $(B)/hooks/hook.o $(B)/libnicfix.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(LDLIBS_MNL) $(LDLIBS)

$(BA)/nicfix-hook: $(BA)/hooks/hook.o $(BA)/libnicfix.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(LDLIBS_MNL) $(LDLIBS)

# unit tests of the pure modules, built with the sanitizers (white-box:
# they see the core's own headers)
$(BA)/unit: tests/unit/unit.c tests/unit/check.h $(BA)/libnicfix.a
	$(CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(SAN_FLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS_MNL)

# unit tests of the kernel-log parser and the grouping
$(BA)/unit-klog: tests/unit/unit_klog.c tests/unit/check.h $(BA)/libnicfix.a
	$(CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(SAN_FLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS_MNL)

# unit tests of the watch daemon's core: the /dev/kmsg follower fed read
# errors (EPIPE), rate limits, the option and state files, the metrics
$(BA)/unit-watch: tests/unit/unit_watch.c tests/unit/check.h $(BA)/libnicfix.a
	$(CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(SAN_FLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS_MNL) $(LDLIBS_AUG)

# the fast reader's view of a file, to compare with Augeas's
$(BA)/ifdump: tests/unit/ifdump.c $(BA)/libnicfix.a
	$(CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(SAN_FLAGS) -o $@ $^ $(LDLIBS_MNL)

deps:
	@bash .ci/deps.sh

lint:
	bash tests/lint.sh

# everything, as the README says: deps, build, lint, unit, lens and bats
check: deps
	$(MAKE) all asan $(BA)/unit $(BA)/unit-klog $(BA)/unit-watch $(BA)/ifdump
	bash tests/run.sh

# the VM tier alone (tests/vm/README.md): the .deb and the cached image
# are made by the suite when missing or stale; then one guest per scenario
vm-check: deps
	$(MAKE) all asan
	bats tests/vm.bats

# the benchmarks of issue 7 (root, a few minutes): they report, never fail
# on a missed target; BENCH_FULL=1 adds augtool at 20,000 stanzas (~212 s)
bench: all
	bash bench/run.sh

demo: deps
	$(MAKE) all
	bash tests/demo.sh

install: all $(B)/nicfix-installed
	install -D -m 0755 $(B)/nicfix-installed $(DESTDIR)$(SBINDIR)/nicfix
	install -D -m 0644 lenses/nicfix_interfaces.aug \
		$(DESTDIR)$(DATADIR)/nicfix/lenses/nicfix_interfaces.aug
	install -D -m 0644 schema/nicfix.schema.json \
		$(DESTDIR)$(DATADIR)/nicfix/nicfix.schema.json
	install -D -m 0755 $(B)/nicfix-hook $(DESTDIR)$(LIBEXECDIR)/nicfix/nicfix-hook
	sed 's|/usr/libexec/|$(LIBEXECDIR)/|' hooks/ifupdown-hook.sh >$(B)/ifupdown-hook
	install -D -m 0755 $(B)/ifupdown-hook $(DESTDIR)/etc/network/if-up.d/nicfix
	install -D -m 0755 $(B)/ifupdown-hook $(DESTDIR)/etc/network/if-post-up.d/nicfix
	install -D -m 0644 hooks/85-nicfix.rules \
		$(DESTDIR)$(UDEVRULESDIR)/85-nicfix.rules
	install -D -m 0644 man/nicfix.8 $(DESTDIR)$(MANDIR)/man8/nicfix.8
	install -D -m 0644 completion/nicfix.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/nicfix

# The Debian package, built from a copy of the tracked (and new, not
# ignored) files in build/deb/src: dpkg-buildpackage writes ../*.deb, so
# everything lands in build/deb/ and nothing beside the checkout.
# DEB_SUITE=trixie builds it instead inside a cached minimal root of that
# Debian release, with its compiler and debhelper, into build/deb-trixie/
# (as root: tests/lib/debroot.sh).
DEB_SUITE ?=
DEB_DIR := $(B)/deb$(if $(DEB_SUITE),-$(DEB_SUITE))
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 cp --parents --no-dereference -t $(DEB_DIR)/src
ifeq ($(DEB_SUITE),)
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b
else
	bash tests/lib/debroot.sh $(DEB_SUITE) $(DEB_DIR)
endif

clean:
	rm -rf build

# ---- fuzzing: libFuzzer targets, built with clang (fuzz/README.md) -----
# `make fuzz` runs each target for FUZZ_TIME seconds, one after the other
# (one process: the machine is shared); new inputs go to build/fuzz/corpus,
# crashes to build/fuzz/artifacts.  The committed seeds stay as they are.
FUZZ_CC ?= clang
FUZZ_TIME ?= 120
FUZZ_TARGETS := ifread offline klog
FUZZ_CORE := err path ifname feat offline ifread ifports kstamp kscan klog dmsg diag \
	     kfollow wsig spawn
BF := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
FUZZ_BINS := $(addprefix $(BF)/fuzz_,$(FUZZ_TARGETS))
FUZZ_OBJS := $(addprefix $(BF)/obj/,$(addsuffix .o,$(FUZZ_CORE)))

$(BF)/obj/%.o: src/core/%.c $(CORE_HDRS) | $(BF)/obj
	$(FUZZ_CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(BF)/obj:
	mkdir -p $@

# a static pattern rule: the objects are not intermediate files
$(FUZZ_BINS): $(BF)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) $(INC_CORE) $(CFLAGS) -O1 $(FUZZ_SAN) \
		-fsanitize=fuzzer -o $@ $(filter-out %.h,$^)

fuzz: deps $(FUZZ_BINS)
	FUZZ_TIME=$(FUZZ_TIME) bash fuzz/run.sh $(FUZZ_TARGETS)
