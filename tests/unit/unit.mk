# SPDX-License-Identifier: MIT
# Builds and runs the host unit tests (make unit): each tests/unit/test_*.c is an ASan+UBSan binary.
#
# A test names the sources it needs in comment lines of its own file:
#   // UNIT_SOURCES: kernel/core/handle.c kernel/arch/host/fake_kobj.c
#       (built against the host C library, with kernel/arch/host as the arch)
#   // UNIT_LIBC_SOURCES: lib/c/string.c
#       (built freestanding against lib/c's headers, names renamed to libc_*)
# Several such lines add up. Adding a test_<x>.c file is all it takes to add a test binary.

HOSTCC ?= clang
OUT := build/host/unit
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
BASE_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fno-omit-frame-pointer $(SAN) -MMD -MP
HOST_CFLAGS := $(BASE_CFLAGS) -I. -Ikernel/arch/host -Ikernel/core
LIBC_CFLAGS := $(BASE_CFLAGS) -ffreestanding -nostdlibinc -fno-builtin -I. -Ilib/c/include \
	-include tests/unit/libc_rename.h

TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
BINS := $(addprefix $(OUT)/,$(TESTS))
ALWAYS := tests/unit/harness.c kernel/arch/host/host.c

sources_of = $(shell sed -n 's|^// UNIT_SOURCES:||p' tests/unit/$(1).c)
libc_sources_of = $(shell sed -n 's|^// UNIT_LIBC_SOURCES:||p' tests/unit/$(1).c)

.PHONY: run build
# Runs every binary even after a failure, then fails if any did.
run: build
	@status=0; for t in $(BINS); do \
		echo "== $$t"; \
		$$t || status=1; \
	done; exit $$status

build: $(BINS)

$(OUT)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(HOST_CFLAGS) -c -o $@ $<

$(OUT)/libc/%.o: %.c tests/unit/libc_rename.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (lib/c)"
	@$(HOSTCC) $(LIBC_CFLAGS) -c -o $@ $<

define test_rule
$(OUT)/$(1): $(patsubst %.c,$(OUT)/host/%.o,tests/unit/$(1).c $(ALWAYS) $(call sources_of,$(1))) \
		$(patsubst %.c,$(OUT)/libc/%.o,$(call libc_sources_of,$(1)))
	@echo "  HOSTLD  $$@"
	@$(HOSTCC) $(SAN) -o $$@ $$^
endef
$(foreach t,$(TESTS),$(eval $(call test_rule,$(t))))

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
