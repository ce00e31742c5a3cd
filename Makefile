# Makefile - build, run and test the hypervisor.
#
#   make          build/hypervisor.elf (and the guests, when they exist)
#   make iso      build/hypervisor.iso, a GRUB rescue image for QEMU, Bochs or a USB stick
#   make run      install missing tools, build, boot the demo in QEMU on this terminal
#   make test     install missing tools, build, run the whole test suite
#   make bench    the benchmarks: docs/performance.md (tools/bench)
#
# The hypervisor is linked twice: the first link gives the addresses for its
# symbol table (tools/gen-symbols), the second links that table in, so a
# panic can print a symbolized backtrace (see hypervisor/symbols.c).

# No built-in rules: with them, make "remakes" an included foo.d by linking
# a foo.d.o it would build from our %.o patterns.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

B        := build
CC       := gcc
AS       := i686-linux-gnu-as
LD       := i686-linux-gnu-ld
NM       := i686-linux-gnu-nm
PYTHON   := /usr/bin/python3

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wundef -Wframe-larger-than=512
CFLAGS   := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-pie -fno-pic \
            -fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
            -fno-asynchronous-unwind-tables -fno-common -mno-sse -mno-mmx -mno-80387 \
            $(WARN) -I. -I$(B) -DHV_BUILD_DATE='"$(shell date -u +%Y-%m-%d)"'
ASFLAGS  := -m32 -I. -I$(B) -D__ASSEMBLY__
LIBGCC   := $(shell $(CC) -m32 -print-libgcc-file-name)
LDFLAGS  := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack -T linker.ld

HV_C     := $(wildcard arch/x86/*.c hypervisor/*.c hypervisor/*/*.c hypercalls/*.c)
HV_S     := boot/multiboot.S arch/x86/entry.S arch/x86/usercopy.S
GEN_C    := $(if $(wildcard hypercalls/hypercalls.tbl),$(B)/gen/hypercall_table.c)
HV_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(HV_C)) $(patsubst %.S,$(B)/obj/%.o,$(HV_S)) \
            $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_C))

.PHONY: all iso run test bench fuzz clean deps
all: $(B)/hypervisor.elf $(if $(wildcard pvguest/pvguest.mk),pvguests) $(GRUB_XEN)

# --- the ABI generator: one table, many outputs -------------------------------
GEN_OUT := $(B)/gen/hypercall_table.c $(B)/gen/hypercall_handlers.h \
           $(B)/gen/pvguest_hypercalls.h $(B)/gen/hypercalls.py
$(B)/gen/.stamp: hypercalls/hypercalls.tbl hypercalls/subops.tbl $(wildcard hypercalls/public/*.h) \
                 tools/gen-abi
	@mkdir -p $(B)/gen
	$(PYTHON) tools/gen-abi --table hypercalls/hypercalls.tbl --out $(B)/gen --docs docs/hypercalls.md
	@touch $@
$(GEN_OUT): $(B)/gen/.stamp
	@true

# Every object waits for the generated headers (they are few and cheap).
$(HV_OBJ): $(if $(GEN_C),$(B)/gen/.stamp)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(ASFLAGS) -MMD -MP -c $< -o $@

# --- the two-pass link -----------------------------------------------------------
$(B)/hypervisor.1.elf: $(HV_OBJ) $(B)/obj/hypervisor/symbols_empty.o linker.ld
	$(LD) $(LDFLAGS) -o $@ $(HV_OBJ) $(B)/obj/hypervisor/symbols_empty.o $(LIBGCC)
$(B)/gen/symbols.S: $(B)/hypervisor.1.elf tools/gen-symbols
	@mkdir -p $(B)/gen
	$(NM) -n $< > $(B)/gen/symbols.nm
	$(PYTHON) tools/gen-symbols $(B)/gen/symbols.nm $@
$(B)/obj/gen/symbols.o: $(B)/gen/symbols.S
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@
$(B)/hypervisor.elf: $(HV_OBJ) $(B)/obj/gen/symbols.o linker.ld
	$(LD) $(LDFLAGS) -o $@ $(HV_OBJ) $(B)/obj/gen/symbols.o $(LIBGCC)
	@$(NM) -n $@ | grep -i ' t ' > $(B)/gen/symbols.final.nm
	@grep -i ' t ' $(B)/gen/symbols.nm | cmp -s - $(B)/gen/symbols.final.nm || \
	    { echo "text moved between the two links; symbol table would lie"; rm -f $@; exit 1; }

# --- GRUB as a Xen guest ----------------------------------------------------------
# GRUB's own Xen build (Debian's grub-xen-bin, `grub-mkimage -O i386-xen`): a
# 32-bit PV kernel nobody here wrote, which tests/test_grub_xen.py boots as a
# guest.  Its embedded config (tests/fixtures/grub-xen.cfg) echoes one line and
# halts, so a run that reaches it ends cleanly.  Built only where the package
# is installed; without it the test skips and names the package.
GRUB_XEN_DIR  := /usr/lib/grub/i386-xen
GRUB_XEN      := $(if $(wildcard $(GRUB_XEN_DIR)/kernel.img),$(B)/grub-i386-xen.elf)
GRUB_XEN_MODS := normal configfile echo halt reboot ls cat test sleep linux part_msdos ext2
$(B)/grub-i386-xen.elf: tests/fixtures/grub-xen.cfg
	@mkdir -p $(B)
	@echo "  GRUB    $@"
	@grub-mkimage -O i386-xen -d $(GRUB_XEN_DIR) -c $< -p /boot/grub -o $@ $(GRUB_XEN_MODS)

# --- images, running, testing ----------------------------------------------------
iso: all
	$(PYTHON) tools/mkiso -o $(B)/hypervisor.iso

deps:
	tools/install-deps

# The demo: two shells, alice (d0) and bob (d1), and a CPU-bound worker (d2)
# that never yields, so the hypervisor's tick must preempt it.  The console
# input goes to d0; Ctrl-A three times moves it on (d1, d2, the debug keys).
# Type help: ps, uptime, "ping 1" from alice (the shells are each other's
# peer), exit, and one command per forbidden operation (cli, hlt, cr3, in,
# wrmsr, int3-without-handler...) that halts that shell, naming it, and one
# per untrappable instruction (sgdt, smsw, cpuid, popf...) that shows what
# it saw; UMIP makes sgdt trap, and bob's policy=emulate shows bob's own view.
# QEMU_CPU=qemu32,+pae,+pge,+nx boots a CPU without UMIP, to see the leak.
DEMO ?= "$(B)/pvguest/shell.elf name=alice -- user=alice peer=1" \
        "$(B)/pvguest/shell.elf name=bob policy=emulate -- user=bob peer=0" \
        "$(B)/pvguest/worker.elf name=worker -- every=200000000 reports=20"

run: deps
	$(MAKE) all
	@$(PYTHON) tools/run --timeout 0 $(if $(QEMU_CPU),--cpu "$(QEMU_CPU)") $(DEMO); \
	    echo "tools/run exit status $$? (0: every domain powered off; 2: one was halted)"

# Two emulators at a time (one per core), a whole test file per worker, when
# pytest-xdist is installed (tools/install-deps installs it). -rs lists the
# reasons for skipped tests, one line per reason (a host that cannot run
# 32-bit programs skips the -m32 unit variants).
PYTEST_PAR = $(shell $(PYTHON) -c 'import xdist' 2>/dev/null && echo "-n 2 --dist loadfile")

# Every timeout in the tests guards against a hang; this stretches them all
# (tests/harness.py), so a busy machine - two emulators on two cores, other
# work beside them - gets the same verdicts. docs/conventions.md has more.
RINGONE_TIMEOUT_SCALE ?= 3

test: deps
	$(MAKE) all
	RINGONE_TIMEOUT_SCALE=$(RINGONE_TIMEOUT_SCALE) $(PYTHON) -m pytest -q -rs $(PYTEST_PAR) tests

# libFuzzer with ASan and UBSan over the loader, decoder, descriptor checks,
# command-line parsers, scan and event ports: FUZZ_TIME seconds each.
# Then the hypercall fuzzer guest: 8 seeds of FUZZ_CALLS calls each.
FUZZ_TIME ?= 60
FUZZ_CALLS ?= 50000
fuzz: deps
	$(MAKE) all
	$(PYTHON) tools/fuzz --time $(FUZZ_TIME) --guest-calls $(FUZZ_CALLS)

# The table of docs/performance.md: instruction counts under QEMU -icount,
# each beside a baseline from the same run (tools/bench).
bench: deps
	$(MAKE) all
	$(PYTHON) tools/bench

clean:
	rm -rf $(B)

-include pvguest/pvguest.mk
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
