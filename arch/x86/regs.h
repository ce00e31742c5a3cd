/*
 * regs.h - the trap frame: what entry.S saves on every exception.
 *
 * Fields are listed from the lowest address (where ESP points when
 * trap_dispatch is called) upwards, i.e. in the reverse of push order.  The
 * CPU pushes the last five; entry.S pushes the rest.  esp/ss exist only when
 * the trap came from ring 1 or 3: a trap in ring 0 does not switch stacks,
 * so the CPU does not push them.
 *
 *   high  +-----------+
 *         | ss        |  \ pushed by the CPU only on a ring change
 *         | esp       |  /
 *         | eflags    |  \
 *         | cs        |   > pushed by the CPU
 *         | eip       |  /
 *         | error_code|  CPU for #DF #TS #NP #SS #GP #PF #AC, else entry.S: 0
 *         | vector    |  entry.S
 *         | gs fs es ds| entry.S
 *         | eax ebp edi esi edx ecx ebx | entry.S
 *   low   +-----------+  <- struct cpu_regs *
 */
#ifndef ARCH_X86_REGS_H
#define ARCH_X86_REGS_H

#include "hypervisor/types.h"
#include "arch/x86/layout.h"

struct cpu_regs {
    uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    uint32_t ds, es, fs, gs;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};

/* entry.S hard-codes these offsets; keep the two in step. */
_Static_assert(__builtin_offsetof(struct cpu_regs, ds) == 28, "regs layout");
_Static_assert(__builtin_offsetof(struct cpu_regs, vector) == 44, "regs layout");
_Static_assert(__builtin_offsetof(struct cpu_regs, eip) == 52, "regs layout");
_Static_assert(sizeof(struct cpu_regs) == GUEST_FRAME_SIZE, "regs layout");

static inline unsigned regs_ring(const struct cpu_regs *r) { return r->cs & 3; }

/*
 * A frame from virtual-8086 mode: CS is a real-mode segment, whose low
 * bits mean nothing, and the CPU pushed ES DS FS GS above SS.  No guest
 * should ever make one (see trap_dispatch()).
 */
#define EFLAGS_VM (1u << 17)
static inline bool regs_vm86(const struct cpu_regs *r) { return r->eflags & EFLAGS_VM; }

/* Exception vectors. */
enum {
    X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_NMI = 2, X86_EXC_BP = 3,
    X86_EXC_OF = 4, X86_EXC_BR = 5, X86_EXC_UD = 6, X86_EXC_NM = 7,
    X86_EXC_DF = 8, X86_EXC_TS = 10, X86_EXC_NP = 11, X86_EXC_SS = 12,
    X86_EXC_GP = 13, X86_EXC_PF = 14, X86_EXC_MF = 16, X86_EXC_AC = 17,
    X86_EXC_MC = 18, X86_EXC_XM = 19, X86_EXC_VE = 20, X86_EXC_CP = 21,
    X86_NR_EXCEPTIONS = 32,
};

const char *x86_exception_name(unsigned vector);

#endif
