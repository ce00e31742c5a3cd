/*
 * emulate_untrappable.c - sensitive instructions that trap only because we asked.
 *
 * x86 fails Popek and Goldberg's test: some instructions read or change
 * machine state that a hypervisor must own, yet run in rings 1 and 3
 * without a trap (Robin and Irvine's list; docs/untrappable.md has every
 * row).  A few can be made to trap, and when they do their #GP lands here:
 *   - sgdt sidt sldt smsw str, by CR4.UMIP (cpu.c sets it where the CPU
 *     has it).  They reveal the real tables' addresses and CR0, so the
 *     domain's policy decides: halt (the default) names the instruction;
 *     reflect gives the #GP to the guest, as Xen does; emulate gives the
 *     guest its own virtual view and goes on;
 *   - cpuid, by CPUID faulting (cpu.c), where the CPU offers it: always
 *     answered with the domain's filtered CPUID, as the forced-emulation
 *     prefix is, unless the guest kernel asked for (virtual) CPUID
 *     faulting itself and a ring-3 process ran it: then the #GP is the
 *     guest kernel's, as on Xen;
 *   - rdtsc and rdtscp, by CR4.TSD, which sched.c sets while a domain with
 *     dom.tsc=emulate runs, or one whose kernel set its own virtual CR4.TSD
 *     (emulate.c): answered with the virtual TSC below under dom.tsc=emulate,
 *     else with the real one; from ring 3 under the guest's own TSD, the #GP
 *     is its kernel's, as on Xen.
 * rdpmc traps because CR4.PCE is clear; it is a disallowed instruction
 * like any other (emulate.c), named with that mechanism.
 * This file never lets a guest see a real descriptor-table address: what
 * it writes comes from the vCPU's own state.
 */
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/vcpu/cpuid.h"
#include "hypervisor/vcpu/decode.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/lib.h"
#include "hypervisor/event/time.h"
#include "hypervisor/vcpu/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"

/*
 * The mechanism that made this instruction trap in d, or NULL if it is not
 * one of ours (then emulate.c treats it as privileged or as a fault).
 */
const char *untrappable_trapped_by(const struct domain *d, const struct insn *in)
{
    switch (in->kind) {
    case INSN_SGDT: case INSN_SIDT: case INSN_SLDT: case INSN_SMSW: case INSN_STR:
        return cpu.umip_on ? "UMIP" : NULL;
    case INSN_CPUID:
        return cpu.cpuid_faulting_on ? "CPUID faulting" : NULL;
    case INSN_RDTSC: case INSN_RDTSCP:
        return untrappable_rdtsc_traps(d) ? "CR4.TSD" : NULL;
    case INSN_RDPMC:
        return "CR4.PCE clear";
    default:
        return NULL;
    }
}

bool untrappable_rdtsc_traps(const struct domain *d)
{
    return d->tsc == TSC_EMULATE || (d->vcpu.cr4 & CR4_TSD);
}

/*
 * The virtual TSC of a dom.tsc=emulate domain counts nanoseconds of system
 * time: a 1 GHz clock that never runs backwards and that its vcpu_time_info
 * describes exactly (time.c gives such a domain tsc_timestamp = system_time,
 * mul 2^31, shift 1, so the guest's scale() is the identity).
 */
uint64_t untrappable_virtual_tsc(void)
{
    return time_now_ns();
}

/*
 * The effective address of a memory operand, 32-bit addressing only, in a
 * flat data segment (the only ones whose base we know: emulate_io.c).
 * Every register is guest-controlled; the address is only ever used
 * through copy_to_guest, which checks it.
 */
static bool operand_address(const struct cpu_regs *r, const struct insn *in, uint32_t *addr)
{
    if (in->prefixes & INSN_P_ADDRSIZE)
        return false;
    uint32_t a = (uint32_t)in->disp;
    unsigned base = in->rm, seg = SEG_DS;
    if (in->has_sib) {
        unsigned index = (in->sib >> 3) & 7;
        base = in->sib & 7;
        if (index != 4)
            a += *emulate_gpr((struct cpu_regs *)r, index) << (in->sib >> 6);
        if (base == 5 && in->mod == 0)
            base = 8;                                   /* disp32, no base */
    } else if (in->mod == 0 && in->rm == 5) {
        base = 8;                                       /* disp32 alone */
    }
    if (base < 8) {
        a += *emulate_gpr((struct cpu_regs *)r, base);
        if (base == 4 || base == 5)
            seg = SEG_SS;
    }
    if (in->seg != SEG_NONE)
        seg = in->seg;
    *addr = a;
    return emulate_flat_segment(r, seg);
}

/* Store size bytes of val to the operand (register or memory). */
static enum emul_result store(struct cpu_regs *r, const struct insn *in, const void *val,
                              unsigned size, char *why, size_t n)
{
    uint32_t addr;
    if (in->mod == 3) {
        uint32_t *reg = emulate_gpr(r, in->rm), v = 0;
        memcpy(&v, val, MIN(size, 4u));
        *reg = size == 2 ? (*reg & 0xffff0000u) | (v & 0xffff) : v;
        return EMUL_DONE;
    }
    if (!operand_address(r, in, &addr)) {
        snprintf(why, n, "cannot emulate: 16-bit addressing or a segment that is not flat");
        return EMUL_DISALLOWED;
    }
    if (copy_to_guest(addr, val, size)) {
        snprintf(why, n, "destination 0x%08x is not writable", addr);
        return EMUL_FAULT;
    }
    return EMUL_DONE;
}

/*
 * The guest's own view of what UMIP hides.  A PV guest's tables have no
 * address in its own address space (set_gdt takes frames, set_trap_table a
 * list), so the bases are 0 and only the sizes are its own: the GDT it
 * gave, 256 virtual IDT entries.  It has no TSS, so str gives the null
 * selector; sldt gives the LDT selector only while it has an LDT; smsw
 * gives CR0 with TS as the guest set it.
 */
static enum emul_result umip_view(struct domain *d, struct cpu_regs *r, const struct insn *in,
                                  char *why, size_t n)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } table = { 0, 0 };
    bool op16 = in->prefixes & INSN_P_OPSIZE;
    uint32_t v;
    switch (in->kind) {
    case INSN_SGDT:
    case INSN_SIDT:
        table.limit = in->kind == INSN_SIDT ? 256 * 8 - 1 :
                      d->gdt_entries ? (uint16_t)(d->gdt_entries * 8 - 1) : 0;
        return store(r, in, &table, 6, why, n);
    case INSN_SLDT:
        v = ldt_entries(d) ? HV_LDT : 0;
        break;
    case INSN_STR:
        v = 0;
        break;
    default:                                            /* SMSW */
        v = emulate_cr0_view(d);
        break;
    }
    return store(r, in, &v, in->mod == 3 && !op16 ? 4 : 2, why, n);
}

/* cpuid: the domain's own CPUID, unless its kernel wants ring 3's to fault. */
bool untrappable_cpuid(struct domain *d, struct cpu_regs *r)
{
    if (regs_ring(r) == 3 && d->vcpu.cpuid_faulting)
        return false;
    struct cpuid_regs c = cpuid_guest(d, r->eax, r->ecx);
    r->eax = c.eax, r->ebx = c.ebx, r->ecx = c.ecx, r->edx = c.edx;
    return true;
}

enum emul_result emulate_untrappable(struct domain *d, struct cpu_regs *r, const struct insn *in,
                                     char *why, size_t n)
{
    uint64_t tsc;
    switch (in->kind) {
    case INSN_CPUID:
        return untrappable_cpuid(d, r) ? EMUL_DONE : EMUL_DISALLOWED;
    case INSN_RDTSCP:
    case INSN_RDTSC:
        if (regs_ring(r) == 3 && (d->vcpu.cr4 & CR4_TSD))
            return EMUL_DISALLOWED;                     /* the guest kernel's own TSD */
        if (in->kind == INSN_RDTSCP)
            r->ecx = 0;                                 /* TSC_AUX: no vCPU number but 0 */
        tsc = d->tsc == TSC_EMULATE ? untrappable_virtual_tsc() : rdtsc();
        r->eax = (uint32_t)tsc;
        r->edx = (uint32_t)(tsc >> 32);
        return EMUL_DONE;
    case INSN_RDPMC:
        return EMUL_DISALLOWED;
    default:                                            /* the five UMIP instructions */
        if (d->policy != POLICY_EMULATE)
            return EMUL_DISALLOWED;
        return umip_view(d, r, in, why, n);
    }
}
