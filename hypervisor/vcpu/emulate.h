/* emulate.h - what to do with a trapping instruction from a guest. */
#ifndef HV_EMULATE_H
#define HV_EMULATE_H
#include "hypervisor/domain/domain.h"

struct insn;

/* #GP from ring 1/3: emulate, reflect, or halt (never returns on halt). */
void emulate_gp(struct domain *d, struct cpu_regs *r);
/* #UD from ring 1/3: Xen's forced-emulation prefix, else like any fault. */
void emulate_ud(struct domain *d, struct cpu_regs *r);

/*
 * The bit of d->vcpu.vm_assist that VMASST_TYPE_architectural_iopl sets
 * (vm_assist.c).  While it is set, trap frames and iret carry the virtual
 * IOPL (d->vcpu.iopl, 0..3) in EFLAGS bits 12-13, and the guest kernel
 * counts as ring 0 for the vIOPL check, as on Xen.
 */
#define VCPU_ASSIST(type) (1u << (type))

/* Between emulate.c and emulate_io.c only. */
enum emul_result {
    EMUL_DONE,          /* emulated: advance EIP by the instruction's length */
    EMUL_RESTART,       /* partly done (a long rep): leave EIP, run it again */
    EMUL_DISALLOWED,    /* not allowed: halt or reflect #GP, per policy */
    EMUL_FAULT,         /* allowed, but guest memory failed: halt, saying why */
    EMUL_UD,            /* the CPU would raise #UD (DR4/DR5 under CR4.DE): the guest's */
};
/* Shared by the emulate_*.c files. */
uint32_t *emulate_gpr(struct cpu_regs *r, unsigned n);     /* ModRM register n */
uint32_t emulate_cr0_view(const struct domain *d);         /* CR0 with the virtual TS */
uint32_t emulate_cr4_guest_bits(const struct domain *d);   /* the CR4 bits d may set (Xen's PV mask) */
bool emulate_flat_segment(const struct cpu_regs *r, unsigned seg);  /* base 0? */

/*
 * The untrappable instructions made to trap (emulate_untrappable.c):
 * which mechanism trapped in in d ("UMIP", "CPUID faulting", "CR4.TSD",
 * "CR4.PCE clear"), or NULL if none did; then emulate it under d's policy.
 */
const char *untrappable_trapped_by(const struct domain *d, const struct insn *in);
enum emul_result emulate_untrappable(struct domain *d, struct cpu_regs *r, const struct insn *in,
                                     char *why, size_t n);
/* cpuid for d (false: the guest's own virtual CPUID faulting wants a #GP). */
bool untrappable_cpuid(struct domain *d, struct cpu_regs *r);
/* Does rdtsc trap in d: dom.tsc=emulate, or the guest's own CR4.TSD (real CR4.TSD then)? */
bool untrappable_rdtsc_traps(const struct domain *d);
/* The virtual TSC of a dom.tsc=emulate domain: nanoseconds of system time. */
uint64_t untrappable_virtual_tsc(void);

/* rdmsr/wrmsr from ring 1, Xen's PV MSR view (emulate_msr.c); false: refused, why says so. */
bool emulate_msr(struct domain *d, struct cpu_regs *r, bool write, char *why, size_t n);

/* Does the guest's virtual IOPL allow cli/sti/in/out at its current ring? */
bool emulate_iopl_ok(const struct domain *d, const struct cpu_regs *r);
/* in/out/ins/outs: no device is ever reached (see emulate_io.c); why for EMUL_FAULT. */
enum emul_result emulate_io(struct domain *d, struct cpu_regs *r, const struct insn *in,
                            char *why, size_t n);
#endif
