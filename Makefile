# Makefile - build, run and test the hypervisor.
#
#   make help     list every target (the list below, kept in step by a test)
#   make          build/hypervisor.elf (and the guests, when they exist)
#   make iso      build/hypervisor.iso, a GRUB rescue image for QEMU, Bochs or a USB stick
#   make run      install missing tools, build, boot the demo in QEMU on this terminal
#   make debug    like make run, but QEMU waits halted for gdb; prints the gdb command
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
HV_S     := boot/multiboot.S arch/x86/entry.S arch/x86/usercopy.S arch/x86/trampoline.S
GEN_C    := $(if $(wildcard hypercalls/hypercalls.tbl),$(B)/gen/hypercall_table.c)
HV_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(HV_C)) $(patsubst %.S,$(B)/obj/%.o,$(HV_S)) \
            $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_C))

.PHONY: all help iso run debug test bench fuzz clean deps
# GRUB's Xen build, a guest nobody here wrote (see below); defined before
# `all` because make expands a rule's prerequisites where it reads them.
GRUB_XEN_DIR  := /usr/lib/grub/i386-xen
GRUB_XEN      := $(if $(wildcard $(GRUB_XEN_DIR)/kernel.img),$(addprefix $(B)/grub-i386-, \
                 xen.elf xen-prompt.elf xen-boot.elf))
all: $(B)/hypervisor.elf $(if $(wildcard pvguest/pvguest.mk),pvguests) $(GRUB_XEN)

# --- the ABI generator: one table, many outputs -------------------------------
GEN_OUT := $(B)/gen/hypercall_table.c $(B)/gen/hypercall_handlers.h \
           $(B)/gen/pvguest_hypercalls.h $(B)/gen/hypercalls.py
$(B)/gen/.stamp: hypercalls/hypercalls.tbl hypercalls/subops.tbl $(wildcard hypercalls/differences.md) \
                 $(wildcard hypercalls/public/*.h) \
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
# The hypercall trampolines only move five words into a call: without a
# frame of their own they cost half as much on every hypercall
# (docs/performance.md), and a backtrace simply skips them.
$(B)/obj/gen/hypercall_table.o: CFLAGS += -fomit-frame-pointer
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
# guest, in three builds that differ in the config embedded in them:
#   grub-i386-xen.elf         tests/fixtures/grub-xen.cfg: echoes one line and
#                             halts, so a run that reaches it ends cleanly;
#   grub-i386-xen-prompt.elf  tests/fixtures/grub-xen-prompt.cfg: echoes one
#                             line, then GRUB's normal mode gives its prompt;
#   grub-i386-xen-boot.elf    tests/fixtures/grub-xen-boot.cfg: GRUB loads
#                             hello.elf from its memdisk and boots it in its
#                             own domain, as pvgrub does.
# The last two carry a memdisk holding two PV kernels, build/pvguest/hello.elf
# and xs-basic.elf, for `linux (memdisk)/NAME` and `boot`.
# GRUB runs an embedded config with its rescue parser, one command a line:
# no comments (a `#` line is "Unknown command `#'"), no `if`.  The prompt's
# and boot's configs set the terminal type `dumb` first: vt100's cursor
# moves are escape sequences, which the console shows as `?[`.  Built only
# where the package is installed; without it the test skips and names it.
GRUB_XEN_MODS := normal configfile echo halt reboot ls cat test sleep linux part_msdos ext2
$(GRUB_XEN): $(B)/grub-i386-%.elf: tests/fixtures/grub-%.cfg
	@mkdir -p $(B)
	@echo "  GRUB    $@"
	@grub-mkimage -O i386-xen -d $(GRUB_XEN_DIR) -c $< -p /boot/grub -o $@ $(GRUB_XEN_MODS) \
	    $(if $(filter %.tar,$^),-m $(filter %.tar,$^) memdisk tar)
$(B)/grub-i386-xen-prompt.elf $(B)/grub-i386-xen-boot.elf: $(B)/grub-xen-kernels.tar
$(B)/grub-xen-kernels.tar: $(B)/pvguest/hello.elf $(B)/pvguest/xs-basic.elf
	@tar -C $(B)/pvguest -cf $@ $(notdir $^)

# --- images, running, testing ----------------------------------------------------
iso: all
	$(PYTHON) tools/mkiso -o $(B)/hypervisor.iso

deps:
	tools/install-deps

# The demo is entry 1 of tools/iso-menu (two shells, alice and bob, and a
# CPU-bound worker; the menu file says more), the same one the ISO boots by
# default.  DEMO="guest args" ... boots other guests instead.
# QEMU_CPU=qemu32,+pae,+pge,+nx boots a CPU without UMIP, to see the leak.
DEMO ?=
# RUN_FLAGS: more tools/run options (RUN_FLAGS=--dry-run shows the commands).
RUN_ARGS = --timeout 0 $(if $(QEMU_CPU),--cpu "$(QEMU_CPU)") $(RUN_FLAGS) \
           $(if $(DEMO),$(DEMO),--entry 1)

# make exits 2 whenever a recipe fails, so it cannot hand on tools/run's own
# status: the recipe prints it (tools/run's last line names it too) and
# fails when it is not 0, so `make run && ...` and scripts see the failure.
run: deps
	$(MAKE) all
	@$(PYTHON) tools/run $(RUN_ARGS); s=$$?; \
	    echo "tools/run exit status $$s (tools/run --help lists them all)"; exit $$s

# QEMU starts halted with a gdb stub; tools/run prints the gdb command (with
# build/hypervisor.elf's symbols) to type in a second terminal.  GDB_PORT
# picks the port; DEMO works as for make run.
GDB_PORT ?= 1234
debug: deps
	$(MAKE) all
	@$(PYTHON) tools/run --gdb $(GDB_PORT) $(RUN_ARGS); s=$$?; \
	    echo "tools/run exit status $$s"; exit $$s

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

help:
	@echo "make          build build/hypervisor.elf and the test guests (build/pvguest/)"
	@echo "make iso      build/hypervisor.iso: GRUB menu (tools/iso-menu), 5 s, then the demo"
	@echo "make run      build and boot the demo in QEMU on this terminal (DEMO=, QEMU_CPU=)"
	@echo "make debug    as make run, but QEMU waits for gdb; prints the gdb command (GDB_PORT=)"
	@echo "make test     build and run the whole test suite (RINGONE_TIMEOUT_SCALE=)"
	@echo "make bench    the instruction-count table of docs/performance.md (tools/bench)"
	@echo "make fuzz     libFuzzer over the parsers and checks, then the hypercall fuzzer guest"
	@echo "              (FUZZ_TIME= seconds per target, FUZZ_CALLS= calls per seed)"
	@echo "make deps     install missing Debian packages (tools/install-deps)"
	@echo "make clean    remove build/"
	@echo "make help     this list"
	@echo "make all      the same as make"
	@echo "make pvguests only the test guests"
	@echo "variables: DEMO=\"guest args\" ... boots those guests; RUN_FLAGS=... more"
	@echo "  tools/run options for run and debug (e.g. RUN_FLAGS=--dry-run)"

-include pvguest/pvguest.mk
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
