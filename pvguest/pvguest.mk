# pvguest/pvguest.mk - build the pvguest test kernels (included by Makefile).
#
#   make pvguests     every guest to build/pvguest/<name>.elf
#
# Each directory pvguest/tests/<name>/ is one test kernel, linked with the
# library pvguest/lib/ into build/pvguest/<name>.elf at the default (high)
# layout.  Two variations:
#   - PV_LOW_GUESTS are linked a second time at the low layout, as
#     <name>-low.elf, so the domain builder also meets an image whose
#     VIRT_BASE is 0 and which starts 1 MiB above it (see pvguest/guest.ld);
#   - pvguest/tests/priv/main.c is compiled once per privileged-instruction
#     class into priv-<class>.elf, and the link checks with objdump that the
#     instruction each one executes is spelled as pvguest/tests/priv/
#     expected.txt says, and that the image prints that same text (the
#     tests match the hypervisor's halt message to it).
# Uses the top Makefile's $(CC), $(LD), $(NM) and $(B); needs its
# $(B)/gen/.stamp rule, which writes build/gen/pvguest_hypercalls.h.

PV_CFLAGS  := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -nostdlib \
              -fno-pie -fno-pic -fno-stack-protector -fno-omit-frame-pointer \
              -fno-strict-aliasing -fno-asynchronous-unwind-tables -fno-common \
              -fno-tree-loop-distribute-patterns -mno-sse -mno-mmx -mno-80387 \
              -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wpointer-arith -Wundef -Wframe-larger-than=512 \
              -I. -I$(B)
# -fno-tree-loop-distribute-patterns: else GCC turns the loop inside our
# memset() into a call to memset().  No SSE/MMX/x87: the guest owns no FPU
# state yet (the hypervisor does not switch it).
PV_ASFLAGS := -m32 -I. -I$(B) -D__ASSEMBLY__
PV_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack \
              -T pvguest/guest.ld
PV_LIBGCC  := $(shell $(CC) -m32 -print-libgcc-file-name)
PV_OBJDUMP := i686-linux-gnu-objdump
PV_HIGH    := --defsym PV_VIRT_BASE=0xC0000000 --defsym PV_TEXT_OFFSET=0
PV_LOW     := --defsym PV_VIRT_BASE=0 --defsym PV_TEXT_OFFSET=0x100000

PV_OBJ     := $(B)/pvguest/obj
PV_LIB_SRC := $(wildcard pvguest/lib/*.c pvguest/lib/*.S)
PV_LIB_OBJ := $(patsubst pvguest/lib/%,$(PV_OBJ)/lib/%.o,$(basename $(PV_LIB_SRC)))
PV_GUESTS  := $(filter-out priv,$(notdir $(wildcard pvguest/tests/*)))
PV_LOW_GUESTS := hello
PV_PRIV_CLASSES := $(shell cut -d'|' -f1 pvguest/tests/priv/expected.txt | grep -v '^\#')
PV_ELFS    := $(PV_GUESTS:%=$(B)/pvguest/%.elf) \
              $(PV_LOW_GUESTS:%=$(B)/pvguest/%-low.elf) \
              $(PV_PRIV_CLASSES:%=$(B)/pvguest/priv-%.elf) \
              $(B)/pvguest/xenstored.elf $(B)/pvguest/blkback.elf

.PHONY: pvguests
pvguests: $(PV_ELFS) $(B)/pvguest/native.elf

# Objects are made by chains of pattern rules; keep them for the next make.
.SECONDARY: $(PV_LIB_OBJ) $(PV_GUESTS:%=$(PV_OBJ)/tests/%/main.o) \
            $(PV_PRIV_CLASSES:%=$(PV_OBJ)/tests/priv/%.o)

# Every object waits for the generated hypercall stubs.
$(PV_OBJ)/%.o: pvguest/%.c $(B)/gen/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(PV_CFLAGS) -MMD -MP -c $< -o $@
$(PV_OBJ)/%.o: pvguest/%.S $(B)/gen/.stamp
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(PV_ASFLAGS) -MMD -MP -c $< -o $@
# priv: one object per class; "mov-to-cr3" is selected by -DPRIV_CLASS=PRIV_mov_to_cr3.
$(PV_OBJ)/tests/priv/%.o: pvguest/tests/priv/main.c $(B)/gen/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $< [$*]"
	@$(CC) $(PV_CFLAGS) -DPRIV_CLASS=PRIV_$(subst -,_,$*) -MMD -MP -c $< -o $@

# A guest of more than one file names its other objects here.
HOSTILE_OBJS := $(addprefix $(PV_OBJ)/tests/hostile/,hole.o memory.o grants.o)
$(B)/pvguest/hostile.elf: $(HOSTILE_OBJS)
HOSTILE_CPU_OBJS := $(addprefix $(PV_OBJ)/tests/hostile-cpu/,desc.o traps.o events.o)
$(B)/pvguest/hostile-cpu.elf: $(HOSTILE_CPU_OBJS)
.SECONDARY: $(HOSTILE_OBJS) $(HOSTILE_CPU_OBJS)

# Links.  GNU make picks the pattern with the shortest stem, so priv-% and
# %-low win over plain % where both match.
$(B)/pvguest/%.elf: $(PV_OBJ)/tests/%/main.o $(PV_LIB_OBJ) pvguest/guest.ld
	@echo "  LD      $@"
	@$(LD) $(PV_HIGH) $(PV_LDFLAGS) -o $@ $(filter %.o,$^) $(PV_LIBGCC)
$(B)/pvguest/%-low.elf: $(PV_OBJ)/tests/%/main.o $(PV_LIB_OBJ) pvguest/guest.ld
	@echo "  LD      $@"
	@$(LD) $(PV_LOW) $(PV_LDFLAGS) -o $@ $(filter %.o,$^) $(PV_LIBGCC)
$(B)/pvguest/priv-%.elf: $(PV_OBJ)/tests/priv/%.o $(PV_LIB_OBJ) pvguest/guest.ld \
                         pvguest/tests/priv/expected.txt
	@echo "  LD      $@"
	@$(LD) $(PV_HIGH) $(PV_LDFLAGS) -o $@ $(filter %.o,$^) $(PV_LIBGCC)
	@a=$$($(NM) $@ | awk '$$3 == "priv_insn" { print $$1 }'); \
	 got=$$($(PV_OBJDUMP) -d --start-address=0x$$a --stop-address=$$((0x$$a + 16)) $@ | \
	        awk -F'\t' 'NF >= 3 { print $$3; exit }' | tr -s ' ' | sed 's/ *$$//'); \
	 want=$$(grep '^$*|' pvguest/tests/priv/expected.txt | cut -d'|' -f2); \
	 [ -n "$$want" ] && [ "$$got" = "$$want" ] || \
	     { echo "$@: executes '$$got', expected.txt says '$$want'"; rm -f $@; exit 1; }; \
	 grep -aqF "$$want" $@ || \
	     { echo "$@: main.c does not print '$$want' (its TEXT)"; rm -f $@; exit 1; }

# ---- service domains -------------------------------------------------------
#
# pvguest/xenstored/ is not a test but the xenstore service domain (booted
# with dom.service=xenstore): its own objects plus the library, linked like
# a test guest into build/pvguest/xenstored.elf.  Its core files build on
# the host too (tests/test_unit_xenstore.py).
PV_XENSTORED_OBJ := $(patsubst pvguest/%.c,$(PV_OBJ)/%.o,$(wildcard pvguest/xenstored/*.c))
.SECONDARY: $(PV_XENSTORED_OBJ)
$(B)/pvguest/xenstored.elf: $(PV_XENSTORED_OBJ) $(PV_LIB_OBJ) pvguest/guest.ld
	@echo "  LD      $@"
	@$(LD) $(PV_HIGH) $(PV_LDFLAGS) -o $@ $(filter %.o,$^) $(PV_LIBGCC)

# pvguest/blkback/ is the block device service domain (dom.service=blkback),
# built the same way into build/pvguest/blkback.elf; its protocol rules are
# pvguest/lib/blkif_proto.c (tests/test_unit_blkif.py).
PV_BLKBACK_OBJ := $(patsubst pvguest/%.c,$(PV_OBJ)/%.o,$(wildcard pvguest/blkback/*.c))
.SECONDARY: $(PV_BLKBACK_OBJ)
$(B)/pvguest/blkback.elf: $(PV_BLKBACK_OBJ) $(PV_LIB_OBJ) pvguest/guest.ld
	@echo "  LD      $@"
	@$(LD) $(PV_HIGH) $(PV_LDFLAGS) -o $@ $(filter %.o,$^) $(PV_LIBGCC)

# ---- kernel guests: pvguest/kernel/ and a ring-3 user program -------------
#
# A guest in PV_KERNEL_GUESTS is a kernel with ring-3 tasks: its main.c and
# the kernel's objects (pvguest/kernel/, kept out of PV_LIB_OBJ so the other
# guests do not grow), plus its user program pvguest/tests/<name>/user.c.
# That program is linked alone at USER_BASE (pvguest/kernel/user.ld) into
# user.elf, which must leave no symbol undefined: ring 3 cannot call kernel
# code (it is not even mapped _PAGE_USER).  Its flat image user.bin goes
# into the kernel through user_image.S (.incbin), and the kernel links with
# --just-symbols=user.elf, so main.c's `task_main` is the program's entry at
# its user address.  The link then checks that the image holds no cli or
# sti: the kernel keeps its critical sections on the virtual event mask.
# The one exception is a function whose name starts with forbidden_: the
# shell guest executes cli and sti there on purpose, to show the halt.
PV_KERNEL_SRC    := $(filter-out pvguest/kernel/user_image.S,\
                      $(wildcard pvguest/kernel/*.c pvguest/kernel/*.S))
PV_KERNEL_OBJ    := $(patsubst pvguest/kernel/%,$(PV_OBJ)/kernel/%.o,$(basename $(PV_KERNEL_SRC)))
PV_KERNEL_GUESTS := tasks shell
PV_OBJCOPY       := i686-linux-gnu-objcopy
PV_USER_LDFLAGS  := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack \
                    -T pvguest/kernel/user.ld --no-warn-rwx-segments

.SECONDARY: $(PV_KERNEL_OBJ) $(PV_KERNEL_GUESTS:%=$(PV_OBJ)/tests/%/user.o) \
            $(PV_KERNEL_GUESTS:%=$(PV_OBJ)/tests/%/user.elf) \
            $(PV_KERNEL_GUESTS:%=$(PV_OBJ)/tests/%/user.bin) \
            $(PV_KERNEL_GUESTS:%=$(PV_OBJ)/tests/%/user_image.o)

$(PV_KERNEL_GUESTS:%=$(PV_OBJ)/tests/%/user.elf): %/user.elf: %/user.o pvguest/kernel/user.ld
	@echo "  LD      $@ (ring 3)"
	@undef=$$($(NM) -u $< | awk '{ printf "%s ", $$2 }'); \
	 [ -z "$$undef" ] || { echo "$<: ring-3 code references $$undef(it may call nothing outside itself)"; exit 1; }
	@$(LD) $(PV_USER_LDFLAGS) -o $@ $<
%/user.bin: %/user.elf
	@$(PV_OBJCOPY) -O binary $< $@
$(PV_KERNEL_GUESTS:%=$(PV_OBJ)/tests/%/user_image.o): %/user_image.o: %/user.bin \
        pvguest/kernel/user_image.S
	@echo "  AS      $@"
	@$(CC) $(PV_ASFLAGS) -DUSER_BIN='"$<"' -c pvguest/kernel/user_image.S -o $@

$(PV_KERNEL_GUESTS:%=$(B)/pvguest/%.elf): $(B)/pvguest/%.elf: $(PV_OBJ)/tests/%/main.o \
        $(PV_OBJ)/tests/%/user_image.o $(PV_OBJ)/tests/%/user.elf $(PV_KERNEL_OBJ) \
        $(PV_LIB_OBJ) pvguest/guest.ld
	@echo "  LD      $@"
	@$(LD) $(PV_HIGH) $(PV_LDFLAGS) --just-symbols=$(filter %.elf,$^) -o $@ \
	     $(filter %.o,$^) $(PV_LIBGCC)
	@bad=$$($(PV_OBJDUMP) -d $@ | awk -F'\t' '/^[0-9a-f]+ <.*>:$$/ { ok = /<forbidden_/ } \
	        NF >= 3 && !ok { split($$3, w, " "); \
	        if (w[1] == "cli" || w[1] == "sti") print $$1 }' | tr -d ' \n'); \
	 [ -z "$$bad" ] || { echo "$@: executes cli/sti at $$bad (use local_irq_save)"; rm -f $@; exit 1; }

# ---- the native baseline: pvguest/native/ ----------------------------------
#
# Not a guest: a bare multiboot kernel that QEMU boots with -kernel, no
# hypervisor, running the bench loops with the hardware's own int/iret,
# PTE stores and mov to CR3 (tools/bench's PV/native table).  Its own two
# files only: no library (which speaks hypercalls) and no generated headers.
PV_NATIVE_SRC := pvguest/native/head.S pvguest/native/native.c pvguest/tests/bench/task_stack.h
$(B)/pvguest/native.elf: $(PV_NATIVE_SRC) pvguest/native/native.ld
	@mkdir -p $(PV_OBJ)/native
	@echo "  CC/LD   $@ (native, no hypervisor)"
	@$(CC) $(PV_ASFLAGS) -c pvguest/native/head.S -o $(PV_OBJ)/native/head.o
	@$(CC) $(PV_CFLAGS) -c pvguest/native/native.c -o $(PV_OBJ)/native/native.o
	@$(LD) -m elf_i386 -nostdlib -z noexecstack -T pvguest/native/native.ld -o $@ \
	     $(PV_OBJ)/native/head.o $(PV_OBJ)/native/native.o

-include $(shell find $(PV_OBJ) -name '*.d' 2>/dev/null)
