/*
 * fpu.c - each guest's FPU/SSE state, switched lazily, and its virtual CR0.TS.
 *
 * This file owns the x87/SSE registers on behalf of the guests and the
 * guests' virtual CR0.TS.  It must never let one domain see another's
 * registers, and the hypervisor itself never computes with the FPU (it is
 * built with -mno-sse -mno-mmx -mno-80387), so it only ever saves and
 * restores.
 *
 * Lazy switching.  Saving and restoring 512 bytes on every domain switch
 * would be wasted on domains that never touch the FPU.  So a guest's
 * state stays in the registers until another domain needs them: one
 * domain, fpu_owner, is the one whose state is live.  Whenever the CPU is
 * about to run a domain whose state is not live, the real CR0.TS is set;
 * its first FPU or SSE instruction then raises #NM, and fpu_nm() saves the
 * owner's state into the owner's fpu_area, loads this domain's (a clean,
 * just-reset state the first time), clears TS and lets the instruction run
 * again.  A domain that dies while it owns the registers simply stops
 * owning them: its state is never saved, and the next owner's restore
 * overwrites every register.
 *
 * The virtual CR0.TS.  A PV kernel does its own lazy switching between
 * its processes the way a native kernel does: it sets TS at a process
 * switch (fpu_taskswitch(1), Xen's stand-in for mov to CR0), takes #NM at
 * the next FPU use, and clears TS (clts, which we emulate, or
 * fpu_taskswitch(0)).  So the real TS is set whenever the guest's virtual
 * TS is set OR its state is not live, and an #NM is the guest's own when
 * its virtual TS is set.  Exactly as Xen (do_device_not_available), we
 * make the state live in both cases, and for the guest's own #NM clear the
 * virtual TS as the exception is delivered: the guest's handler runs with
 * a usable FPU, as it would after a native #NM.
 */
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/lib.h"
#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"

#define FCW_DEFAULT   0x037fu     /* FNINIT: all exceptions masked, 64-bit precision */
#define MXCSR_DEFAULT 0x1f80u     /* reset: all SIMD exceptions masked */
#define FXSAVE_MXCSR  24          /* offset of MXCSR in the FXSAVE image */
#define FNSAVE_FTW    8           /* offset of the tag word in the FNSAVE image */

_Static_assert(sizeof(((struct vcpu_state *)0)->fpu_area) == 512, "FXSAVE needs 512 bytes");
_Static_assert(__alignof__(((struct vcpu_state *)0)->fpu_area) >= 16, "FXSAVE needs 16-byte alignment");

/* The domain whose state is in the FPU registers, or NULL. */
static struct domain *fpu_owner;

void fpu_init(void)
{
    /* MP: wait/fwait honours TS too.  NE: x87 errors as #MF, not IRQ 13. */
    write_cr0((read_cr0() | CR0_MP | CR0_NE | CR0_TS) & ~CR0_EM);
    uint32_t cr4 = read_cr4();
    if (cpu.fxsr)
        cr4 |= CR4_OSFXSR;              /* FXSAVE/FXRSTOR include the SSE state */
    if (cpu.sse)
        cr4 |= CR4_OSXMMEXCPT;          /* SIMD errors as #XM, not #UD */
    write_cr4(cr4);
}

/*
 * The state of a CPU just after reset: FNINIT's control word, MXCSR's
 * reset value, every data register zero.  FNINIT alone would not do for a
 * new domain: it leaves the previous owner's ST and XMM contents readable.
 */
static void fpu_default_state(uint8_t *area)
{
    uint32_t fcw = FCW_DEFAULT, mxcsr = MXCSR_DEFAULT, ftw_empty = 0xffff;
    memset(area, 0, 512);
    if (cpu.fxsr) {
        memcpy(area, &fcw, 2);          /* abridged tag word 0: all empty */
        if (cpu.sse)
            memcpy(area + FXSAVE_MXCSR, &mxcsr, 4);
    } else {
        memcpy(area, &fcw, 4);
        memcpy(area + FNSAVE_FTW, &ftw_empty, 4);
    }
}

static void fpu_save(struct domain *d)
{
    if (cpu.fxsr)
        fxsave(d->vcpu.fpu_area);
    else
        fnsave(d->vcpu.fpu_area);
}

static void fpu_restore(struct domain *d)
{
    if (!d->vcpu.fpu_initialised) {
        fpu_default_state(d->vcpu.fpu_area);
        d->vcpu.fpu_initialised = true;
    }
    if (cpu.fxsr)
        fxrstor(d->vcpu.fpu_area);
    else
        frstor(d->vcpu.fpu_area);
}

/* TS stays clear only while the registers hold next's state and next wants no #NM. */
void fpu_switch_to(struct domain *next)
{
    if (fpu_owner == next && !next->vcpu.fpu_ts)
        clts();
    else
        stts();
}

/*
 * The images restored here were all written by FXSAVE/FNSAVE or by
 * fpu_default_state(), never copied from the guest, so FXRSTOR cannot
 * fault on them (a reserved MXCSR bit would be #GP in ring 0).
 */
bool fpu_nm(struct domain *d, struct cpu_regs *r __unused)
{
    BUG_ON(d != current);
    clts();                             /* FXSAVE and FXRSTOR themselves need TS clear */
    if (fpu_owner != d) {
        if (fpu_owner)
            fpu_save(fpu_owner);
        fpu_restore(d);
        fpu_owner = d;
    }
    if (!d->vcpu.fpu_ts)
        return true;
    d->vcpu.fpu_ts = false;             /* the guest's own #NM: deliver it */
    return false;
}

void fpu_set_ts(struct domain *d, bool set)
{
    BUG_ON(d != current);
    d->vcpu.fpu_ts = set;
    if (set)
        stts();
    else if (fpu_owner == d)
        clts();
}

void fpu_clts(struct domain *d)
{
    fpu_set_ts(d, false);
}

/*
 * A guest's own FXSAVE image (VCPUOP_initialise with VGCF_i387_valid) for
 * d's loaded vCPU, which is not running.  FXRSTOR in ring 0 would #GP on
 * a reserved MXCSR bit, so those are cleared here: MXCSR_MASK's default,
 * 0xffbf, whatever this CPU's own mask allows more.
 */
void fpu_set_image(struct domain *d, const uint8_t *image)
{
    uint32_t mxcsr;
    memcpy(d->vcpu.fpu_area, image, sizeof(d->vcpu.fpu_area));
    memcpy(&mxcsr, d->vcpu.fpu_area + FXSAVE_MXCSR, 4);
    mxcsr &= 0xffbfu;
    if (cpu.fxsr)
        memcpy(d->vcpu.fpu_area + FXSAVE_MXCSR, &mxcsr, 4);
    d->vcpu.fpu_initialised = true;
}

void fpu_release(struct domain *d)
{
    if (fpu_owner != d)
        return;
    clts();                             /* FXSAVE needs TS clear; switch_to sets it again */
    fpu_save(d);
    fpu_owner = NULL;
}

void fpu_domain_dies(struct domain *d)
{
    if (fpu_owner == d)
        fpu_owner = NULL;
}
